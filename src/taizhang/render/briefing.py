"""The briefings (reports.py's data) as a page: terminal text, Markdown, printable HTML, xlsx and
docx. One layout — sections of typed tables — feeds every format, so they all say the same;
each renderer only decides how a date, an amount or a light looks in its medium. Heavy
libraries (jinja2, openpyxl, python-docx) are imported inside the function that needs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from taizhang.domain.lights import ALL_LIGHTS, ATTENTION
from taizhang.domain.reports import Briefing, Row
from taizhang.domain.trend import Trend
from taizhang.i18n import LIGHT_NAMES, light_word, node_word, said
from taizhang.i18n import header as word_of
from taizhang.render.office_charts import ChartSpec, SeriesSpec

# --- words ------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, str]] = {
    "day": ("重点项目日汇报", "Key projects: daily report"),
    "week": ("重点项目周例会简报", "Key projects: weekly briefing"),
    "month": ("重点项目月点评简报", "Key projects: monthly review"),
    "period": ("报告期", "Period"),
    "as_of": ("截至", "As of"),
    "overview": ("总体情况", "Overview"),
    "by_project": ("分项目情况", "By project"),
    "closed": ("本期销号", "Closed in the period"),
    "notes": ("本期进展", "Progress reports of the period"),
    "red": ("红灯督办（逾期事项）", "Red: overdue items"),
    "due": ("到期提醒", "Falling due"),
    "problems": ("问题台账", "Problems"),
    "invest": ("投资完成情况（时间过半、任务过半）", "Investment against plan"),
    "review": ("月点评", "Monthly review"),
    "invest_sheet": ("投资完成", "Investment"),
    "tally": ("亮灯汇总", "Lights"),
    "by_rate": ("按期销号率排名", "Units by on-time closing rate"),
    "by_red": ("红灯数排名", "Units by red lights"),
    # headers
    "h_kind": ("类别", "Kind"), "h_tasks": ("任务、节点", "Tasks and milestones"),
    "h_problems": ("问题", "Problems"), "h_total": ("合计", "Total"),
    "h_light": ("亮灯", "Light"), "h_code": ("代码", "Code"), "h_project": ("项目", "Project"),
    "h_unit": ("责任单位", "Unit"), "h_leader": ("责任领导", "Leader"), "h_owner": ("责任人", "Owner"),
    "h_closed": ("本期销号", "Closed"), "h_late": ("逾期销号", "Late"), "h_notes": ("本期进展", "Reports"),
    "h_red": ("红灯", "Red"), "h_due": ("到期", "Due"), "h_open_problems": ("未销号问题", "Open problems"),
    "h_id": ("编号", "ID"), "h_item": ("事项", "Item"), "h_node": ("时间节点", "Due"),
    "h_closed_on": ("销号日期", "Closed on"), "h_days_late": ("逾期天数", "Days late"),
    "h_closed_by": ("销号人", "Closed by"), "h_close_note": ("销号说明", "Note"),
    "h_date": ("日期", "Date"), "h_by": ("汇报人", "By"), "h_text": ("进展情况", "Report"),
    "h_days_over": ("逾期天数", "Days overdue"), "h_last_note": ("最新进展", "Latest report"),
    "h_days_left": ("剩余天数", "Days left"), "h_problem": ("问题", "Problem"),
    "h_measures": ("整改措施", "Measures"), "h_state": ("状态", "State"),
    "h_planned": ("年度计划", "Plan this year"), "h_month": ("{m}月完成", "Completed in {m}"),
    "h_completed": ("累计完成", "Completed this year"), "h_rate": ("完成率", "Rate"),
    "h_lag": ("滞后（百分点）", "Behind (points)"), "h_rank": ("名次", "Rank"),
    "h_due_n": ("应销号", "Due"), "h_on_time": ("按期销号", "On time"), "h_closed_late": ("逾期销号", "Late"),
    "h_open_overdue": ("逾期未销号", "Still open"), "h_on_time_rate": ("按期销号率", "On-time rate"),
    "h_longest": ("最长逾期天数", "Longest overdue (days)"),
    "amount_unit": ("（万元）", " (10k yuan)"),
    # cells
    "on_time": ("按期", "on time"), "today": ("今日到期", "due today"),
    "over_n": ("逾期{n}天", "{n}d overdue"), "left_n": ("剩{n}天", "{n}d left"),
    "closed_state": ("{d}销号", "closed {d}"), "closed_late_state": ("{d}逾期销号（{n}天）", "closed {d}, {n}d late"),
    "evidence": ("佐证：{v}", "evidence: {v}"), "no_plan": ("无计划", "no plan"),
    "total_of": ("合计 {name}", "Total {name}"), "all_projects": ("全部项目", "all projects"),
    "no_program": ("（未分工程）", "(no program)"), "none": ("（无）", "(none)"), "no_unit": ("（未填）", "(none)"),
}


def _w(key: str, lang: str, **args: Any) -> str:
    text = _WORDS[key][1 if lang == "en" else 0]
    return text.format(**args) if args else text


_NUMERALS = "一二三四五六七八九十"
_WEEKDAYS_ZH = "一二三四五六日"


def _section_number(n: int, lang: str) -> str:
    if lang == "en":
        return f"{n}. "
    return (_NUMERALS[n - 1] if n <= 10 else "十" + _NUMERALS[n - 11]) + "、"


def zh_day(d: date, year: bool = True) -> str:
    return (f"{d.year}年" if year else "") + f"{d.month}月{d.day}日"


def span(a: date, b: date, lang: str) -> str:
    """A range of days as an office writes it: 2018年6月11日至6月17日 (the year once)."""
    if lang == "en":
        return a.isoformat() if a == b else f"{a.isoformat()} to {b.isoformat()}"
    if a == b:
        return zh_day(a)
    return f"{zh_day(a)}至{zh_day(b, year=b.year != a.year)}"


def period_text(briefing: Briefing, lang: str) -> str:
    p = briefing.period
    en = lang == "en"
    if p.kind == "day":
        return (f"{p.start.isoformat()} ({p.start.strftime('%A')})" if en
                else f"{zh_day(p.start)}（星期{_WEEKDAYS_ZH[p.start.weekday()]}）")
    if p.kind == "week":
        iso_year, week, _ = p.start.isocalendar()
        if en:
            return f"{span(p.start, p.end, lang)} (week {week}{'' if iso_year == p.start.year else f' of {iso_year}'})"
        return f"{span(p.start, p.end, lang)}（{'' if iso_year == p.start.year else f'{iso_year}年'}第{week}周）"
    if en:
        return f"{p.start.strftime('%B %Y')} ({span(p.start, p.end, lang)})"
    return f"{p.start.year}年{p.start.month}月（{span(p.start, p.end, lang)}）"


# --- the layout: sections of typed tables -------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """A value with its kind (text, date, int, amount, percent, points, light) and how text shows it."""

    value: Any
    text: str
    kind: str = "text"
    style: str | None = None  # a light (red, yellow, green, done, none): colours and fills
    bold: bool = False


@dataclass(frozen=True)
class Col:
    header: str
    weight: float  # share of the page width (HTML, docx) and of the sheet (xlsx)
    kind: str = "text"
    flex: bool = False  # folds first when the terminal is narrow
    repeat: bool = True  # False: a value equal to the row above is left blank (project names)
    max_cells: int | None = None  # terminal width cap
    drop: int = 0  # on a narrow terminal, dropped in this order (1 first; table.fit); 0: never


@dataclass
class Table:
    name: str  # the sheet's name in xlsx
    columns: list[Col]
    rows: list[list[Cell]]
    caption: str | None = None
    width: int = 100  # percent of the page (HTML, docx): a table of few numbers needs less


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # after the tables
    charts: list[ChartSpec] = field(default_factory=list)  # drawn from its tables (html, xlsx, docx)


@dataclass
class Page:
    lang: str
    title: str | None
    heading: str
    period: str
    as_of: str
    sections: list[Section]
    none: str  # what an empty table says

    @property
    def full_title(self) -> str:
        return f"{self.title} {self.heading}" if self.title else self.heading


def text_cell(value: str | None, style: str | None = None, bold: bool = False) -> Cell:
    return Cell(value or "", value or "", "text", style, bold)


def date_cell(value: date | None) -> Cell:
    return Cell(value, value.isoformat() if value else "-", "date" if value else "text")


def int_cell(value: int | None, text: str | None = None, style: str | None = None, bold: bool = False) -> Cell:
    if value is None:
        return Cell(None, text or "-", "text", style, bold)
    return Cell(value, text if text is not None else str(value), "int", style, bold)


def light_cell(light: str, lang: str) -> Cell:
    """A light, as its word (SPEC §5: 逾期, 临期, 正常, 已销号, 无时限)."""
    word = light_word(light, lang)
    return Cell(word, word, "light", light)


def percent_cell(ratio: Fraction | Decimal | None, bold: bool = False) -> Cell:
    if ratio is None:
        return Cell(None, "-", "text", bold=bold)
    exact = Decimal(ratio.numerator) / Decimal(ratio.denominator) if isinstance(ratio, Fraction) else ratio
    rounded = exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Cell(rounded, f"{rounded * 100:.2f}%", "percent", bold=bold)


def amount_cell(wan: Decimal | None, bold: bool = False) -> Cell:
    from taizhang.domain.amounts import format_yi_wan

    if wan is None:
        return Cell(None, "-", "text", bold=bold)
    return Cell(wan, format_yi_wan(wan), "amount", bold=bold)


def _note_text(note) -> str:
    return f"{note.date.strftime('%m-%d')} {note.text}" if note is not None else ""


def _titled(r: Row, lang: str) -> str:
    """An item's title with its quantity done (1120/2836户 39%), when it has a target, and why it
    is red before its node (计划不可行, 进度滞后), as the status table marks them."""
    return r.title + said([m for m in (r.quantity, word_of(r.behind, lang) if r.behind else None) if m], lang)


def _count_cell(n: int, light: str | None = None, bold: bool = False) -> Cell:
    return int_cell(n, style=light if n and light else None, bold=bold)


def layout(b: Briefing, lang: str, trend: Trend | None = None) -> Page:
    """The briefing as sections of tables, in the order a 简报 reads; a month's ends with the
    trend (`trend`, from the git history; None when there is none)."""
    w = lambda key, **args: _w(key, lang, **args)  # noqa: E731
    en = lang == "en"
    sections: list[Section] = []
    window = span(b.period.start, b.period.upto, lang)
    due_window = span(b.as_of, b.due_until, lang)
    as_of = b.as_of.isoformat() if en else zh_day(b.as_of)
    pc = b.problem_counts

    # 1. Overview: what happened, what is red, and the lights of every item.
    if en:
        summary = (f"In the period ({window}): {len(b.closed)} tasks and milestones closed, "
                   f"{len(b.closed_late)} of them late "
                   f"(逾期销号); {len(b.notes)} progress reports. As of {as_of}: {len(b.red)} tasks and milestones red; "
                   f"{len(b.due)} falling due from {due_window}; {pc.open} open problems ({pc.overdue} overdue), "
                   f"{pc.closed} problems closed in the period.")
    else:
        summary = (f"本期（{window}）销号任务、节点 {len(b.closed)} 项，其中逾期销号 {len(b.closed_late)} 项；报送进展 {len(b.notes)} 条。"
                   f"截至{as_of}，任务、节点红灯 {len(b.red)} 项，{due_window}到期 {len(b.due)} 项；"
                   f"问题台账未销号 {pc.open} 个（其中逾期 {pc.overdue} 个），本期销号 {pc.closed} 个。")
    names = LIGHT_NAMES["en" if en else "zh"]
    order = ALL_LIGHTS
    tally_cols = [Col(w("h_kind"), 16)] + [Col(names[light], 8, "int") for light in order] + [Col(w("h_total"), 8, "int")]
    tally_rows = []
    for label, tally, bold in ((w("h_tasks"), b.tasks, False), (w("h_problems"), b.problems_tally, False),
                               (w("h_total"), b.everything, True)):
        tally_rows.append([text_cell(label, bold=bold),
                           *(_count_cell(tally.counts[light], light if light != "done" else None, bold) for light in order),
                           int_cell(sum(tally.counts.values()), bold=bold)])
    sections.append(Section(w("overview"), [summary], [Table(w("overview"), tally_cols, tally_rows, w("tally"), 75)]))

    # 2. Each project's counts.
    project_cols = [Col(w("h_light"), 6, "light"), Col(w("h_code"), 6), Col(w("h_project"), 26, flex=True, max_cells=40),
                    Col(w("h_unit"), 17, max_cells=28, drop=2), Col(w("h_leader"), 7, drop=1),
                    Col(w("h_closed"), 7, "int"), Col(w("h_late"), 7, "int"), Col(w("h_notes"), 7, "int"),
                    Col(w("h_red"), 5, "int"), Col(w("h_due"), 5, "int"), Col(w("h_open_problems"), 9, "int")]
    project_rows = [[light_cell(p.light, lang), text_cell(p.code), text_cell(p.name), text_cell(p.unit),
                     text_cell(p.leader), _count_cell(p.closed), _count_cell(p.closed_late, "red"),
                     _count_cell(p.notes), _count_cell(p.red, "red"), _count_cell(p.due, "yellow"),
                     _count_cell(p.problems_open, "yellow")] for p in b.projects]
    sections.append(Section(w("by_project"), [], [Table(w("by_project"), project_cols, project_rows)]))

    # Long text (items, notes) folds first in a narrow terminal; project names are capped instead.
    project_col = Col(w("h_project"), 14, repeat=False, max_cells=24)

    # 3. Closed in the period, late ones marked.
    closed_rows = []
    for r in b.closed:
        late = r.late_days
        note = "；".join(x for x in (r.close_note, w("evidence", v=r.evidence) if r.evidence else None) if x)
        closed_rows.append([text_cell(r.project_name), text_cell(r.id), text_cell(r.title), date_cell(r.judged_due or r.due),
                            date_cell(r.closed_on),
                            int_cell(late, w("on_time") if late == 0 else None, "red" if late else None),
                            text_cell(r.closed_by), text_cell(note)])
    closed_cols = [project_col, Col(w("h_id"), 7), Col(w("h_item"), 22, max_cells=24), Col(w("h_node"), 9, "date"),
                   Col(w("h_closed_on"), 9, "date"), Col(w("h_days_late"), 7, "int"), Col(w("h_closed_by"), 7, drop=1),
                   Col(w("h_close_note"), 25, flex=True)]
    closed_para = (f"{len(b.closed)} tasks and milestones closed in the period ({window}), {len(b.closed_late)} of them "
                   "after their due day (逾期销号)."
                   if en else f"{window}共销号任务、节点 {len(b.closed)} 项，其中逾期销号 {len(b.closed_late)} 项（销号日期晚于时间节点）。")
    sections.append(Section(w("closed"), [closed_para], [Table(w("closed"), closed_cols, closed_rows)]))

    # 4. Progress reports of the period.
    note_cols = [project_col, Col(w("h_id"), 7), Col(w("h_item"), 20, max_cells=24), Col(w("h_date"), 9, "date"),
                 Col(w("h_by"), 7, drop=1), Col(w("h_text"), 43, flex=True)]
    note_rows = [[text_cell(n.project_name), text_cell(n.id), text_cell(n.title), date_cell(n.date),
                  text_cell(n.by), text_cell(n.text)] for n in b.notes]
    sections.append(Section(w("notes"), [], [Table(w("notes"), note_cols, note_rows)]))

    # 5. Red: overdue, by how many days, who answers for it.
    red_cols = [project_col, Col(w("h_id"), 7), Col(w("h_item"), 20, max_cells=24), Col(w("h_node"), 9, "date"),
                Col(w("h_days_over"), 7, "int"), Col(w("h_unit"), 12, max_cells=20, drop=2), Col(w("h_owner"), 7, drop=1),
                Col(w("h_leader"), 7, drop=1), Col(w("h_last_note"), 17, flex=True, max_cells=40, drop=3)]
    red_rows = [[text_cell(r.project_name), text_cell(r.id), text_cell(_titled(r, lang)), date_cell(r.due),
                 # Not yet late ("-"): its title says why it is red (计划不可行, 进度滞后).
                 int_cell(r.days_over, style="red") if r.days_over else int_cell(None),
                 text_cell(r.unit), text_cell(r.owner), text_cell(r.leader), text_cell(_note_text(r.last_note))]
                for r in b.red]
    red_para = (f"{len(b.red)} open tasks and milestones past their due day (or lit red before it), the most overdue "
                f"first; the {pc.overdue} overdue problems are under Problems." if en else
                f"逾期未销号（或未到时间节点但计划不可行、进度滞后）的任务、节点 {len(b.red)} 项，按逾期天数排列；"
                f"逾期问题 {pc.overdue} 个见“问题台账”。")
    sections.append(Section(w("red"), [red_para], [Table(w("red"), red_cols, red_rows)]))

    # 6. Falling due, from the as-of day to the end of the next period.
    due_cols = [project_col, Col(w("h_id"), 7), Col(w("h_item"), 26, flex=True), Col(w("h_node"), 9, "date"),
                Col(w("h_days_left"), 8, "int"), Col(w("h_light"), 7, "light"), Col(w("h_unit"), 15, max_cells=20, drop=2),
                Col(w("h_owner"), 8, drop=1)]
    due_rows = [[text_cell(r.project_name), text_cell(r.id), text_cell(_titled(r, lang)), date_cell(r.due),
                 int_cell(r.days_left, w("today") if r.days_left == 0 else None, "yellow" if r.light == "yellow" else None),
                 light_cell(r.light, lang), text_cell(r.unit), text_cell(r.owner)] for r in b.due]
    due_para = (f"Open tasks and milestones whose due day falls from {due_window} (the rest of this period and the next)."
                if en else f"时间节点在{due_window}（本期余下及下期）的未销号任务、节点。")
    sections.append(Section(w("due"), [due_para], [Table(w("due"), due_cols, due_rows)]))

    # 7. Problems, counted apart.
    problem_cols = [project_col, Col(w("h_id"), 7), Col(w("h_problem"), 17, max_cells=22),
                    Col(w("h_measures"), 16, flex=True, max_cells=30),
                    Col(w("h_node"), 9, "date"), Col(w("h_state"), 9), Col(w("h_light"), 6, "light"),
                    Col(w("h_unit"), 10, max_cells=14, drop=2), Col(w("h_owner"), 6, drop=1),
                    Col(w("h_last_note"), 14, flex=True, max_cells=30, drop=3)]
    problem_rows = [[text_cell(r.project_name), text_cell(r.id), text_cell(_titled(r, lang)), text_cell(r.measures),
                     date_cell(r.due), _state_cell(r, lang), light_cell(r.light, lang), text_cell(r.unit),
                     text_cell(r.owner), text_cell(_note_text(r.last_note))] for r in b.problems]
    problem_para = (f"Open: {pc.open} (overdue: {pc.overdue}); closed in the period: {pc.closed} (late: {pc.closed_late})."
                    if en else f"未销号 {pc.open} 个，其中逾期 {pc.overdue} 个；本期销号 {pc.closed} 个，其中逾期销号 {pc.closed_late} 个。")
    sections.append(Section(w("problems"), [problem_para], [Table(w("problems"), problem_cols, problem_rows)]))

    # 8. Investment against the year's plan.
    if b.invest is not None:
        sections.append(_invest_section(b, lang))

    # 9. The month's review of the units.
    if b.review is not None:
        sections.append(_review_section(b, lang))

    # 10. The units' league table (单位排名), to the as-of day.
    if b.league is not None:
        sections.append(league_section(b.league, b.as_of, lang))

    # 11. The trend of the year so far, week by week, with its charts.
    if b.kind == "month":
        sections.append(trend_section(trend, lang))

    for n, section in enumerate(sections, 1):
        section.heading = _section_number(n, lang) + section.heading
    return Page(lang, b.title, b.heading or w(b.kind), period_text(b, lang), as_of, sections, w("none"))


def _state_cell(r: Row, lang: str) -> Cell:
    if r.closed_on is not None:
        d = r.closed_on.isoformat() if lang == "en" else zh_day(r.closed_on, year=False)
        if r.late_days:
            return text_cell(_w("closed_late_state", lang, d=d, n=r.late_days), "red")
        return text_cell(_w("closed_state", lang, d=d), "done")
    if r.days_left is None:
        return text_cell("-")
    if r.days_left < 0:
        return text_cell(_w("over_n", lang, n=-r.days_left), "red")
    if r.days_left == 0:
        return text_cell(_w("today", lang), "yellow")
    return text_cell(_w("left_n", lang, n=r.days_left), "yellow" if r.light == "yellow" else None)


def _invest_section(b: Briefing, lang: str) -> Section:
    inv = b.invest
    assert inv is not None
    en = lang == "en"
    w = lambda key, **args: _w(key, lang, **args)  # noqa: E731
    month = int(inv.month[5:])
    # The month's own figure belongs to the month's review; a week or a day shows the year so far.
    with_month = b.kind == "month"
    cols = [Col(w("h_light"), 7, "light"), Col(w("h_code"), 7), Col(w("h_project"), 30, flex=True, max_cells=30),
            Col(w("h_planned"), 11, "amount"),
            *([Col(w("h_month", m=month if not en else inv.month), 11, "amount")] if with_month else []),
            Col(w("h_completed"), 11, "amount"), Col(w("h_rate"), 9, "percent"), Col(w("h_lag"), 11, "points")]
    rows = []
    names = LIGHT_NAMES["en" if en else "zh"]
    for line in inv.lines:
        r = line.row
        light = (Cell(names[r.light], names[r.light], "light", r.light) if r.light != "none"
                 else text_cell(w("no_plan")))
        lag = (Cell(r.lag.quantize(Decimal("0.01"), ROUND_HALF_UP), f"{r.lag.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}",
                    "points", r.light if r.light in ATTENTION else None) if r.lag is not None else text_cell("-"))
        rows.append([light, text_cell(r.code), text_cell(r.name), amount_cell(r.planned),
                     *([amount_cell(line.month)] if with_month else []),
                     amount_cell(r.completed), percent_cell(r.rate), lag])
    totals = [*inv.program_totals, inv.total] if len(inv.program_totals) > 1 else [inv.total]
    if inv.lines:
        for t in totals:
            name = t.name or (w("all_projects") if t is inv.total else w("no_program"))
            rows.append([text_cell(""), text_cell(""), text_cell(w("total_of", name=name), bold=True),
                         amount_cell(t.planned, True), *([text_cell("")] if with_month else []),
                         amount_cell(t.completed, True),
                         percent_cell(t.rate, True), text_cell("")])
    pct = percent_cell(inv.progress).text
    day = b.as_of.timetuple().tm_yday
    para = (f"Time progress (序时进度) on {b.as_of.isoformat()}: {pct} (day {day} of the year). Completed investment is "
            f"recorded by month, up to and including {inv.month}; a project lags by time progress − rate, "
            f"yellow past {_points(inv.yellow)} points, red past {_points(inv.red)}."
            if en else
            f"序时进度 {pct}（{zh_day(b.as_of)}为当年第 {day} 天）。完成投资按月统计，累计至{b.as_of.month}月；"
            f"滞后 = 序时进度 − 完成率（百分点），超过 {_points(inv.yellow)} 个百分点亮黄灯，"
            f"超过 {_points(inv.red)} 个百分点亮红灯。")
    notes = []
    if inv.without_plan:
        notes.append(f"{inv.without_plan} other projects record no plan or completed investment for {b.as_of.year}." if en
                     else f"另有 {inv.without_plan} 个项目未列{b.as_of.year}年度投资计划。")
    return Section(w("invest"), [para], [Table(w("invest_sheet"), cols, rows)], notes)


def _points(value: Decimal) -> str:
    from taizhang.domain.amounts import format_wan

    return format_wan(value)


def _review_section(b: Briefing, lang: str) -> Section:
    rv = b.review
    assert rv is not None
    en = lang == "en"
    w = lambda key, **args: _w(key, lang, **args)  # noqa: E731
    window = span(b.period.start, b.period.upto, lang)
    rate_cols = [Col(w("h_rank"), 6, "int"), Col(w("h_unit"), 30, flex=True), Col(w("h_due_n"), 10, "int"),
                 Col(w("h_on_time"), 10, "int"), Col(w("h_closed_late"), 10, "int"), Col(w("h_open_overdue"), 10, "int"),
                 Col(w("h_on_time_rate"), 12, "percent")]
    counted = [u for u in rv.by_rate if u.due]
    rate_rows = [[int_cell(u.rank), text_cell(u.unit or w("no_unit")), int_cell(u.due), int_cell(u.on_time),
                  _count_cell(u.late, "red"), _count_cell(u.open_overdue, "red"), percent_cell(u.rate)]
                 for u in counted]
    red_cols = [Col(w("h_rank"), 6, "int"), Col(w("h_unit"), 30, flex=True), Col(w("h_red"), 10, "int"),
                Col(w("h_longest"), 14, "int")]
    red_rows = [[int_cell(u.rank), text_cell(u.unit or w("no_unit")), int_cell(u.red, style="red"),
                 int_cell(u.longest)] for u in rv.by_red]
    idle = len(rv.by_rate) - len(counted)
    tables = [Table(w("by_rate"), rate_cols, rate_rows, w("by_rate"), 80),
              Table(w("by_red"), red_cols, red_rows, w("by_red"), 55)]
    if rv.moves:
        move_cols = [Col(w("h_project"), 14, repeat=False, max_cells=24), Col(w("h_id"), 7),
                     Col(w("h_item"), 20, max_cells=24), Col(_w_moves("h_original", lang), 9, "date"),
                     Col(_w_moves("h_moved_to", lang), 9, "date"), Col(_w_moves("h_reason", lang), 25, flex=True)]
        move_rows = [[text_cell(m.project_name), text_cell(m.id), text_cell(m.title), date_cell(m.old),
                      date_cell(m.new) if isinstance(m.new, date) else text_cell(node_word(m.new, lang)),
                      text_cell(m.reason)] for m in rv.moves]
        tables.append(Table(_w_moves("moves", lang), move_cols, move_rows, _w_moves("moves", lang), 70))
    if en:
        paras = [f"On-time closing rate: of the items whose due day fell from {window} and that are closed or overdue "
                 f"by {b.as_of.isoformat()}, the share closed on or before that day. Equal rates share a rank."]
        notes = [f"{idle} units had nothing due in the period." if idle else "",
                 f"{rv.units_without_red} units have no red light." if rv.units_without_red else "",
                 f"{len(rv.moves)} time nodes were moved in the period; closes are judged against the original nodes."]
        notes += [f"{m.id} {m.title}: originally {m.old}, moved to {node_word(m.new, lang)}, because: {m.reason}."
                  for m in rv.moves]
    else:
        paras = [f"按期销号率：时间节点在{window}、截至{zh_day(b.as_of)}已销号或已逾期的事项中，按期（不晚于时间节点）"
                 "销号的比例；比率相同者名次并列。红灯数为截至当日各单位的逾期未销号事项数（含问题）。"]
        notes = [f"另有 {idle} 个单位本期无到期事项。" if idle else "",
                 f"其余 {rv.units_without_red} 个单位无红灯。" if rv.units_without_red else "",
                 f"本期调整时间节点 {len(rv.moves)} 个；按期销号率按原定时间节点计算。"]
        notes += [f"{m.id}「{m.title}」原定 {m.old}，调整为 {node_word(m.new, lang)}，原因：{m.reason}。" for m in rv.moves]
    return Section(w("review"), paras, tables, [n for n in notes if n])


_MOVE_WORDS = {"moves": ("调整时间节点", "Moved time nodes"), "h_original": ("原定节点", "Original"),
               "h_moved_to": ("调整为", "Moved to"), "h_reason": ("调整原因", "Reason")}


def _w_moves(key: str, lang: str) -> str:
    zh, en = _MOVE_WORDS[key]
    return en if lang == "en" else zh


def league_table(rows: list, lang: str) -> Table:
    """单位排名 as a table (reports.league's rows); the dashboard shows the same table."""
    from taizhang.i18n import message

    m = lambda key: message(f"league_{key}", lang)  # noqa: E731
    cols = [Col(m("rank"), 6, "int"), Col(m("unit"), 26, flex=True), Col(m("items"), 8, "int"),
            Col(m("on_time"), 9, "int"), Col(m("closed_late"), 9, "int"), Col(m("open_late"), 10, "int"),
            Col(m("red"), 7, "int"), Col(m("rate"), 9, "percent"), Col(m("notices"), 7, "int"),
            Col(m("answered_late"), 9, "int")]
    body = []
    for r in rows:
        unit = r.unit or _w("no_unit", lang)
        if r.assisting:
            unit += (f" (assisting {r.assisting})" if lang == "en" else f"（其中配合 {r.assisting}）")
        body.append([int_cell(r.rank), text_cell(unit), int_cell(r.items), int_cell(r.on_time),
                     _count_cell(r.closed_late, "red"), _count_cell(r.open_late, "red"),
                     _count_cell(r.red, "red"), percent_cell(r.rate), int_cell(r.notices),
                     _count_cell(r.answered_late, "red")])
    return Table(m("title"), cols, body, None, 90)


def league_section(rows: list, as_of: date, lang: str) -> Section:
    from taizhang.i18n import message

    day = as_of.isoformat() if lang == "en" else zh_day(as_of)
    return Section(message("league_title", lang), [message("league_note", lang, as_of=day)],
                   [league_table(rows, lang)])


def drawable(trend: Trend | None) -> bool:
    """A trend worth drawing: two periods at least, read from commits."""
    return trend is not None and sum(1 for p in trend.points if p.commit is not None) >= 2


def trend_section(trend: Trend | None, lang: str) -> Section:
    """The trend (charts.py's numbers) as a table, and its charts over that table: items by light,
    销号 burn-up (due against closed), and completed investment against 序时进度 when a project
    records investment. Without two periods in the git history it says there is nothing to draw."""
    from taizhang.domain.amounts import format_wan
    from taizhang.i18n import message
    from taizhang.render import charts as drawn
    from taizhang.render.gantt import FILL

    heading = message("report_trend", lang)
    if trend is None or not drawable(trend):
        return Section(heading, [message("report_trend_none", lang)])
    names = LIGHT_NAMES["en" if lang == "en" else "zh"]
    t = lambda key: message(f"trend_{key}", lang)  # noqa: E731
    # A narrow terminal drops first what the charts and the other columns say best.
    dropped = {"none": 3, "done": 4}
    cols = [Col(t("period"), 8)] + [Col(names[light], 6, "int", drop=dropped.get(light, 0))
                                    for light in drawn.LIGHT_ORDER]
    cols += [Col(t(key), 8, "int", drop=2 if key == "items" else 0) for key in ("items", "due", "closed", "closed_late")]
    if trend.has_moves:
        cols.append(Col(t("moved"), 7, "int", drop=1))
    if trend.has_invest:
        cols += [Col(t("completed"), 11, "amount"), Col(t("timeline"), 11, "amount")]
    rows = []
    for p in trend.points:
        row = [text_cell(drawn.period_label(p, trend.by))] + [int_cell(p.lights.get(light, 0))
                                                               for light in drawn.LIGHT_ORDER]
        row += [int_cell(p.items), int_cell(p.due), int_cell(p.closed), _count_cell(p.closed_late, "red")]
        if trend.has_moves:
            row.append(int_cell(p.moved))
        if trend.has_invest:  # plain numbers: the headers name the unit (万元)
            row += [Cell(v, format_wan(v), "amount") if v is not None else text_cell("")
                    for v in (p.completed, p.timeline)]
        rows.append(row)
    at = {key: 6 + n for n, key in enumerate(("items", "due", "closed", "closed_late"))}
    specs = [ChartSpec(t("lights_title"), "stacked",
                       tuple(SeriesSpec(1 + n, FILL[light]) for n, light in enumerate(drawn.LIGHT_ORDER)),
                       drawn.lights_svg(trend, lang)),
             ChartSpec(t("burnup_title"), "lines",
                       tuple(SeriesSpec(at[key], drawn.LINE[key], key == "items") for key in at),
                       drawn.burnup_svg(trend, lang))]
    if trend.has_invest:
        first = len(cols) - 2
        specs.append(ChartSpec(t("invest_title"), "lines",
                               (SeriesSpec(first + 1, drawn.LINE["timeline"], True),
                                SeriesSpec(first, drawn.LINE["completed"])),
                               drawn.invest_svg(trend, lang)))
    start, end = trend.points[0].span.start, trend.as_of
    para = message("report_trend_para", lang, start=start.isoformat() if lang == "en" else zh_day(start),
                   end=end.isoformat() if lang == "en" else zh_day(end, year=end.year != start.year))
    broken = sum(p.broken for p in trend.points)
    notes = [t("broken").format(n=broken)] if broken else []
    return Section(heading, [para], [Table(heading, cols, rows)], notes, specs)


# --- renderers ------------------------------------------------------------------------------------

_NUMERIC = ("int", "amount", "percent", "points")


def shown_texts(table: Table) -> list[list[str]]:
    """The cells' texts, with a value equal to the row above blanked where the column says so."""
    out = []
    previous: list[str] | None = None
    for row in table.rows:
        texts = [cell.text for cell in row]
        shown = [("" if not col.repeat and previous is not None and previous[i] == texts[i] else texts[i])
                 for i, col in enumerate(table.columns)]
        out.append(shown)
        previous = texts
    return out


def _labels(page: Page) -> tuple[str, str, str]:
    en = page.lang == "en"
    return _w("period", page.lang), _w("as_of", page.lang), ": " if en else "："


def to_text(page: Page, width: int, color: bool) -> str:
    """For the terminal: CJK aligned by display width (textable), lights as coloured words."""
    from taizhang.render import table as textable
    from taizhang.render.table import ANSI, RESET, Column

    def paint(text: str, style: str) -> str:
        return ANSI[style] + text + RESET if color else text

    def para(text: str) -> list[str]:
        if page.lang == "en":  # between words; Chinese breaks between any two characters
            import textwrap

            return textwrap.wrap(text, max(width, 20), break_on_hyphens=False) or [""]
        return textable.fold(text, max(width, 20))

    period, as_of, colon = _labels(page)
    lines = []
    if page.title:
        lines.append(paint(page.title, "title"))
    lines.append(paint(page.heading, "title"))
    lines += para(f"{period}{colon}{page.period}    {as_of}{colon}{page.as_of}")
    for section in page.sections:
        lines += ["", paint(section.heading, "title")]
        for text in section.paragraphs:
            lines += para(text)
        for table in section.tables:
            if table.caption:
                lines.append(paint(table.caption, "header"))
            if not table.rows:
                lines.append(page.none)
                continue
            # Capped text columns (projects, items, units) may narrow and fold on a narrow terminal.
            columns = [Column(c.header, right=c.kind in _NUMERIC, flex=c.flex, max_width=c.max_cells,
                              min_width=12 if c.kind == "text" and c.max_cells and not c.flex else None,
                              drop=c.drop)
                       for c in table.columns]
            rows = [[(text, f"light.{cell.style}") if cell.style else text for text, cell in zip(shown, row)]
                    for shown, row in zip(shown_texts(table), table.rows)]
            styles = ["project" if any(cell.bold for cell in row) else None for row in table.rows]
            lines += textable.render(columns, rows, max_width=width, color=color, row_styles=styles)
        for text in section.notes:
            lines += para(text)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    # The one rule of every Markdown writer (remind, export too).
    from taizhang.domain.markdown import md_text

    return md_text(text)


def to_markdown(page: Page) -> str:
    """For pasting into a chat or a wiki: headings, paragraphs, pipe tables; user text escaped."""
    period, as_of, colon = _labels(page)
    lines = [f"# {_md(page.heading)}", ""]
    if page.title:
        lines += [f"**{_md(page.title)}**", ""]
    lines += [f"{period}{colon}{_md(page.period)}  ", f"{as_of}{colon}{_md(page.as_of)}", ""]
    for section in page.sections:
        lines += [f"## {_md(section.heading)}", ""]
        for text in section.paragraphs:
            lines += [_md(text), ""]
        for table in section.tables:
            if table.caption:
                lines += [f"**{_md(table.caption)}**", ""]
            if not table.rows:
                lines += [page.none, ""]
                continue
            lines.append("| " + " | ".join(_md(c.header) for c in table.columns) + " |")
            lines.append("|" + "|".join("---:" if c.kind in _NUMERIC else "---" for c in table.columns) + "|")
            for row in table.rows:
                cells = [(f"**{_md(cell.text)}**" if cell.bold and cell.text else _md(cell.text)) for cell in row]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        for text in section.notes:
            lines += [_md(text), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_html(page: Page) -> str:
    """For printing on A4 landscape; every value is escaped by the template engine (autoescape)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup  # the charts are our own SVG, their texts escaped (charts.py)

    env = Environment(loader=PackageLoader("taizhang.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    period, as_of, colon = _labels(page)
    sections = []
    for section in page.sections:
        tables = []
        for table in section.tables:
            total = sum(c.weight for c in table.columns)
            columns = [{"header": c.header, "width": f"{c.weight * 100 / total:.2f}%",
                        "num": c.kind in _NUMERIC} for c in table.columns]
            rows = []
            for shown, row in zip(shown_texts(table), table.rows):
                cells = []
                for text, cell, c in zip(shown, row, table.columns):
                    classes = []
                    if c.kind in _NUMERIC:
                        classes.append("num")
                    if cell.style and text:
                        classes.append(("light " if cell.kind == "light" else "mark ") + f"l-{cell.style}")
                    if not text and cell.text and not c.repeat:
                        classes.append("cont")  # the group goes on: no rule above it
                    cells.append({"text": text, "cls": " ".join(classes)})
                rows.append({"cells": cells, "total": any(cell.bold for cell in row)})
            tables.append({"caption": table.caption, "columns": columns, "rows": rows, "width": table.width})
        sections.append({"heading": section.heading, "paragraphs": section.paragraphs, "tables": tables,
                         "notes": section.notes, "charts": [Markup(chart.svg) for chart in section.charts]})
    return env.get_template("report.html").render(
        lang="en" if page.lang == "en" else "zh-CN", title=page.title, heading=page.heading,
        full_title=page.full_title, period_label=period, as_of_label=as_of, colon=colon,
        period=page.period, as_of=page.as_of, sections=sections, empty=page.none)  # `none` is a Jinja literal


# Fills and fonts of the lights in xlsx and docx, after Excel's own "Bad / Neutral / Good" styles.
_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "done": "EDEDED", "none": "E4DFEC"}
_INK = {"red": "9C0006", "yellow": "7F5F00", "green": "006100", "done": "595959", "none": "5B4A7A"}


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(ch for ch in name if ch not in '[]:*?/\\')[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def to_xlsx(page: Page) -> bytes:
    """A workbook with a sheet per table: real cells (dates as dates, amounts as numbers in 万元,
    rates as percentages), fills for the lights, the header frozen and repeated on each printed
    page, each sheet printed landscape on A4, one page wide. Text a spreadsheet would run as a
    formula (=, +, -, @ first) is stored as text with Excel's quote prefix."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from taizhang.exchange.sheets import print_landscape_one_page_wide
    from taizhang.render import office_charts
    from taizhang.render.table import width as cells_width

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9D9D9")
    period, as_of, colon = _labels(page)
    amount_unit = _w("amount_unit", page.lang)
    used: set[str] = set()
    for section in page.sections:
        for t_index, table in enumerate(section.tables):
            ws = wb.create_sheet(_sheet_name(table.name, used))
            n = len(table.columns)
            _set_text(ws.cell(1, 1), f"{page.full_title} — {section.heading}"
                      + (f"：{table.caption}" if table.caption and table.caption != table.name else ""))
            ws.cell(1, 1).font = Font(bold=True, size=14)
            _set_text(ws.cell(2, 1), f"{period}{colon}{page.period}    {as_of}{colon}{page.as_of}")
            for r in (1, 2):
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(n, 1))
                ws.cell(r, 1).alignment = Alignment(horizontal="center" if r == 1 else "left")
            widths = []
            headers = [c.header + (amount_unit if c.kind == "amount" and not c.header.endswith(amount_unit) else "")
                       for c in table.columns]
            for j, header in enumerate(headers, 1):
                cell = ws.cell(3, j, header)
                cell.font, cell.fill, cell.border = Font(bold=True), head_fill, border
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                widths.append(cells_width(header))
            for i, row in enumerate(table.rows, 4):
                for j, (value, c) in enumerate(zip(row, table.columns), 1):
                    cell = ws.cell(i, j)
                    _put(cell, value)
                    cell.border = border
                    cell.alignment = Alignment(vertical="top", wrap_text=c.kind == "text",
                                               horizontal="right" if c.kind in _NUMERIC else None)
                    if value.style:
                        cell.font = Font(bold=value.bold or value.kind == "light", color=_INK[value.style])
                        if value.kind == "light" or value.style in ATTENTION:
                            cell.fill = PatternFill("solid", fgColor=_FILL[value.style])
                    elif value.bold:
                        cell.font = Font(bold=True)
                    widths[j - 1] = max(widths[j - 1], cells_width(value.text))
            if not table.rows:
                ws.cell(4, 1, page.none)
            after = 4 + max(len(table.rows), 1) + 1
            # A section's paragraphs go under its first table, its closing notes under its last.
            texts = (section.paragraphs if t_index == 0 else []) + \
                (section.notes if t_index == len(section.tables) - 1 else [])
            line_cells = max(sum(min(x, 40) + 2 for x in widths), 1)
            for text in texts:
                _set_text(ws.cell(after, 1), text)
                ws.merge_cells(start_row=after, start_column=1, end_row=after, end_column=max(n, 1))
                ws.cell(after, 1).alignment = Alignment(wrap_text=True, vertical="top")
                ws.row_dimensions[after].height = 15 * (1 + cells_width(text) // line_cells)
                after += 1
            # The section's charts under the table they draw: native charts reading its cells.
            values = [[cell.value for cell in row] for row in table.rows]
            for spec in (spec for spec in section.charts if spec.table == t_index and table.rows):
                ws.add_chart(office_charts.build(spec, ws.title, headers, values, header_row=3, first_row=4),
                             f"A{after + 1}")
                after += CHART_ROWS
            for j, cells in enumerate(widths, 1):
                ws.column_dimensions[get_column_letter(j)].width = min(cells, 40) + 2
            ws.freeze_panes = "A4"
            print_landscape_one_page_wide(ws, "A4", "3:3")
            ws.print_options.horizontalCentered = True
            ws.page_margins.left = ws.page_margins.right = 0.4
            ws.page_margins.top = ws.page_margins.bottom = 0.6
            ws.oddFooter.center.text = "&P / &N"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# Rows of 15 points a chart of office_charts.HEIGHT_CM takes, and one between charts.
CHART_ROWS = 17


def _set_text(cell, text: str) -> None:
    """Text that stays text: one starting like a formula is stored as a string with Excel's quote
    prefix, so neither opening nor editing the cell runs it."""
    from taizhang.exchange.sheets import is_formula_like

    cell.value = text or None
    if is_formula_like(text):
        cell.data_type = "s"
        cell.quotePrefix = True


def _put(cell, value: Cell) -> None:
    if value.kind == "date" and value.value is not None:
        cell.value = value.value
        cell.number_format = "yyyy-mm-dd"
    elif value.kind == "int" and value.value is not None:
        cell.value = value.value
        cell.number_format = "0"
    elif value.kind == "amount" and value.value is not None:
        cell.value = value.value  # an exact Decimal: written as the number it is
        cell.number_format = "#,##0.00"
    elif value.kind == "percent" and value.value is not None:
        cell.value = value.value
        cell.number_format = "0.00%"
    elif value.kind == "points" and value.value is not None:
        cell.value = value.value
        cell.number_format = "0.00"
    else:
        _set_text(cell, value.text if value.value is not None or value.text != "-" else "")


def to_docx(page: Page) -> bytes:
    """A 简报: a red masthead (the heading, the repository's title, the period), a red rule, then
    each section's heading, paragraphs and tables on A4 landscape; the tables' header rows repeat
    on each page, and lights are shaded as well as written."""
    import io

    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    from taizhang.render import office_charts

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)
    usable = Mm(297 - 30)

    def font(run_or_style, east_asia: str, size: float | None = None, bold: bool | None = None,
             color: str | None = None) -> None:
        f = run_or_style.font
        f.name = "Times New Roman"
        if size is not None:
            f.size = Pt(size)
        if bold is not None:
            f.bold = bold
        if color is not None:
            f.color.rgb = RGBColor.from_string(color)
        rpr = run_or_style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), east_asia)

    body_font, heading_font, title_font = "仿宋_GB2312", "黑体", "方正小标宋简体"
    font(doc.styles["Normal"], body_font, 14)
    doc.styles["Normal"].paragraph_format.space_after = Pt(0)

    def paragraph(text: str, east_asia: str = body_font, size: float = 14, bold: bool = False,
                  color: str | None = None, center: bool = False, before: float = 0, after: float = 0):
        p = doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
        font(p.add_run(text), east_asia, size, bold, color)
        return p

    paragraph(page.heading, title_font, 26, True, "C00000", center=True, after=6)
    if page.title:
        paragraph(page.title, body_font, 16, center=True)
    period, as_of, colon = _labels(page)
    rule = paragraph(f"{period}{colon}{page.period}    {as_of}{colon}{page.as_of}", body_font, 14,
                     center=True, after=12)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    # Children of w:pPr go in the schema's order (Word refuses a file that breaks it).
    rule._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
        "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
        "w:rPr", "w:sectPr", "w:pPrChange")

    def shade(cell, fill: str) -> None:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().insert_element_before(
            shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")

    for part in page.sections:
        paragraph(part.heading, heading_font, 16, before=12, after=6)
        for text in part.paragraphs:
            p = paragraph(text, body_font, 14, after=6)
            p.paragraph_format.first_line_indent = Pt(28)
        for t_index, table in enumerate(part.tables):
            # The section's charts above the table they draw: native charts with their data.
            for spec in (spec for spec in part.charts if spec.table == t_index and table.rows):
                holder = paragraph("", body_font, 12, center=True, after=6)
                office_charts.add_to_docx(doc, holder, spec, [c.header for c in table.columns],
                                          [[cell.value for cell in row] for row in table.rows], Mm(240))
            if table.caption:
                paragraph(table.caption, heading_font, 12, before=6, after=3)
            if not table.rows:
                paragraph(page.none, body_font, 12, after=6)
                continue
            grid = doc.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
            grid.autofit = False
            total = sum(c.weight for c in table.columns)
            widths = [int(usable * table.width / 100 * c.weight / total) for c in table.columns]
            for grid_col, width_ in zip(grid._tbl.tblGrid.gridCol_lst, widths):
                grid_col.w = width_  # LibreOffice lays columns out by the grid, Word by the cells
            header = grid.rows[0]
            header_pr = header._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            header_pr.insert_element_before(repeat, "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                                            "w:trPrChange")
            for cell, c, width_ in zip(header.cells, table.columns, widths):
                cell.width = width_
                shade(cell, "D9D9D9")
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                font(p.add_run(c.header), heading_font, 10.5)
            for shown, row in zip(shown_texts(table), table.rows):
                cells = grid.add_row().cells
                for cell, text, datum, column, width_ in zip(cells, shown, row, table.columns, widths):
                    cell.width = width_
                    p = cell.paragraphs[0]
                    if column.kind in _NUMERIC:
                        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    ink = _INK[datum.style] if datum.style and text else None
                    font(p.add_run(text), body_font, 10.5, datum.bold or datum.kind == "light" or None, ink)
                    if datum.style and text and (datum.kind == "light" or datum.style in ATTENTION):
                        shade(cell, _FILL[datum.style])
            paragraph("", body_font, 6)
        for text in part.notes:
            paragraph(text, body_font, 12, after=6)
    doc.core_properties.title = page.full_title
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
