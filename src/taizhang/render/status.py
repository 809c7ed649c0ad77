"""The terminal views of status and schedule, as lines of text (textable.py aligns them).
Nothing here prints: the CLI does."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Iterable, Sequence

from taizhang.domain.lights import ALL_LIGHTS, Group, GroupBy, ItemView, ProjectView, Tally
from taizhang.i18n import LIGHT_NAMES, header, light_word, said
from taizhang.render import table as textable
from taizhang.render.table import Cell, Column

# A column of counts per light; items without a time node are counted in the totals line only.
_COUNTED = tuple(light for light in ALL_LIGHTS if light != "none")


def light_cell(light: str, lang: str) -> Cell:
    """A light is a coloured *word*, so black-and-white output and paper still read."""
    return (light_word(light, lang), f"light.{light}")


def days_cell(item: ItemView, lang: str) -> Cell:
    if item.light == "done" and item.closed_on is not None:
        late = item.closed_late
        word = ("逾期销号" if late else "销号") if lang != "en" else ("closed late" if late else "closed")
        return (f"{item.closed_on.strftime('%m-%d')} {word}", "muted")
    if item.days_left is None:
        if item.term is not None and item.light != "done":
            return ("长期" if lang != "en" else "ongoing", "muted")  # 长期坚持: no node to count to
        return ("-", "muted")
    if item.days_left < 0:
        return (header("days_over", lang, n=-item.days_left), "light.red")
    if item.days_left == 0:
        return (header("today", lang), "light.yellow")
    return header("days_to", lang, n=item.days_left)


def _count(n: int, light: str) -> Cell:
    return (str(n), f"light.{light}" if n else "muted")


def _columns(lang: str, first: str, notes: bool = False) -> list[Column]:
    # On a narrow terminal (table.fit): 责任人/领导 goes first, 责任单位 narrows to four
    # characters, the counts merge into one column, then 最新进展 and 责任单位 go.
    columns = [Column(header("light", lang)), Column(header("id", lang)), Column(first, flex=True),
               Column(header("due", lang)), Column(header("days_left", lang), right=True),
               *(Column(header(light, lang), right=True, merge="counts") for light in _COUNTED),
               Column(header("unit", lang), max_width=12 if notes else 30, min_width=8, drop=3),
               Column(header("responsible", lang), max_width=14, drop=1)]
    if notes:
        columns += [Column(header("last_note", lang), max_width=20, min_width=10, drop=2),
                    Column(header("reported", lang))]
    return columns


def report_age_cell(item: ItemView, as_of: date, lang: str) -> Cell:
    """How old the latest progress report is; 久未汇报 when older than `stale_days`."""
    if item.last_note is None:
        text = header("never_reported", lang)
    else:
        text = header("days_ago", lang, n=(as_of - item.last_note.date).days)
    if item.stale:
        return (text + " " + header("stale", lang), "light.yellow")
    return (text, "muted")


@lru_cache(maxsize=None)
def _stale_only(lang: str) -> str:
    return said([header("stale", lang)], lang)


def item_marks(item: ItemView, lang: str, group: str | None = None, stale: bool = True,
               by: GroupBy = "unit") -> str:
    """What is said of an item besides its light, each a word so that paper reads it: 配合 (under
    a unit that assists), its quantity (1120/2836户 39%), why it is red before its node (计划不可行,
    进度滞后), 已调整, 久未汇报; then the 督查 marks of §7: 〔待审核〕, 〔督办超期〕, 〔督办2次〕."""
    if group is None and not (item.quantity or item.changes or item.pending or item.overdue_notice or item.notices
                              or item.behind):
        # Most items of a city's overview (~10,000 rows): nothing to say, or only 久未汇报.
        return _stale_only(lang) if stale and item.stale else ""
    marks = []
    if group is not None and item.role_in(by, group) == "assist":
        marks.append(header("assist", lang))
    if item.quantity:
        marks.append(item.quantity)
    if item.behind:
        marks.append(header(item.behind, lang))
    if item.moved:
        marks.append(header("moved", lang))
    if stale and item.stale:
        marks.append(header("stale", lang))
    text = said(marks, lang)
    flags = []
    if item.pending:
        flags.append(header("pending", lang))
    if item.overdue_notice:
        flags.append(header("overdue_notice", lang))
    elif item.notices and item.light != "done":
        flags.append(header("notices_n", lang, n=item.notices))
    return text + "".join(f"〔{f}〕" for f in flags)


def _more_row(hidden: int, lang: str, notes: bool = False) -> list[Cell]:
    blanks: list[Cell] = [""] * (8 + (2 if notes else 0))
    return ["", "", ("  " + header("more", lang, n=hidden), "muted"), *blanks]


def _counts(tally: Tally) -> list[Cell]:
    return [_count(tally.counts[light], light) for light in _COUNTED]


def _shown(items: Sequence[ItemView], lights: Iterable[str] | None, with_stale: bool = False) -> list[ItemView]:
    if lights is None:
        return list(items)
    wanted = set(lights)
    return [i for i in items if i.light in wanted or (with_stale and i.stale)]


class _Rows:
    """A table's rows and their styles. The cells that rows share (a light, 逾期151天) are made
    once per table rather than once per row: a city's overview has ~10,000 rows."""

    def __init__(self, lang: str, notes_as_of: date | None = None) -> None:
        self.rows: list[list[Cell]] = []
        self.styles: list[str | None] = []
        self.lang, self.notes_as_of = lang, notes_as_of
        self._lights: dict[str, Cell] = {}
        self._days: dict[int, Cell] = {}

    def add(self, row: list[Cell], style: str | None = None) -> None:
        if self.notes_as_of is not None and len(row) == 11:
            row = row + ["", ""]
        self.rows.append(row)
        self.styles.append(style)

    def items(self, shown: Sequence[ItemView], limit: int, group: str | None = None, by: GroupBy = "unit") -> None:
        lang, notes_as_of = self.lang, self.notes_as_of
        stale = notes_as_of is None  # 久未汇报 among the marks, unless a column says it
        lights, days, add = self._lights, self._days, self.rows.append
        for item in shown[:limit]:
            light, days_left = item.light, item.days_left
            light_cell_ = lights.get(light)
            if light_cell_ is None:
                light_cell_ = lights[light] = light_cell(light, lang)
            days_left_cell: Cell | None = None
            if days_left is not None and not (light == "done" and item.closed_on is not None):
                days_left_cell = days.get(days_left)  # days_cell: not a close, so the count alone says
                if days_left_cell is None:
                    days_left_cell = days[days_left] = days_cell(item, lang)
            else:
                days_left_cell = days_cell(item, lang)
            due, units = item.due, item.units
            row: list[Cell] = [light_cell_, item.id, "  " + item.title + item_marks(item, lang, group, stale, by),
                               due.isoformat() if due is not None else (item.term or "-"), days_left_cell,
                               "", "", "", "", "、".join(units) if units else item.unit or "", item.owner or ""]
            if notes_as_of is not None:
                row += [item.last_note.text if item.last_note else "",
                        report_age_cell(item, notes_as_of, lang) if light != "done" else ""]
            add(row)
        self.styles += [None] * min(len(shown), limit)
        if len(shown) > limit:
            self.add(_more_row(len(shown) - limit, lang))


def project_table(projects: Sequence[ProjectView], *, lang: str, shown_lights: Iterable[str] | None,
                  limit: int, width: int, color: bool, notes_as_of: date | None = None,
                  with_stale: bool = False) -> list[str]:
    """One row per project (light, counts, unit, leader) with its shown items beneath; with
    `notes_as_of`, each item's latest report and its age; `with_stale`: the overview, which
    lists the 久未汇报 items besides the shown lights."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    rows = _Rows(lang, notes_as_of)
    for project in projects:
        rows.add([light_cell(project.light, lang), project.code, project.name, "", "",
                  *_counts(project.tally), project.unit or "", project.leader or ""], "project")
        rows.items(project.attention() if with_stale else project.items_lit(shown_lights), limit)
    columns = _columns(lang, header("project", lang) + " / " + header("item", lang), notes_as_of is not None)
    return textable.render(columns, rows.rows, max_width=width, color=color, row_styles=rows.styles)


def group_table(groups: Sequence[Group], *, by: GroupBy, lang: str, shown_lights: Iterable[str] | None,
                limit: int, width: int, color: bool, notes_as_of: date | None = None,
                with_stale: bool = False) -> list[str]:
    """Items regrouped by responsible unit, leader or owner, each group with its counts; an item
    under a unit or a leader that assists on it is marked 配合."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    rows = _Rows(lang, notes_as_of)
    for group in groups:
        rows.add([light_cell(group.light, lang), "", group.name or "-", "", "", *_counts(group.tally),
                  "", "、".join(group.leaders)], "project")
        rows.items(_shown(group.items, shown_lights, with_stale), limit,
                   group.name if by != "owner" else None, by)
    first = header({"unit": "group_unit", "leader": "group_leader"}.get(by, "group_owner"), lang) + " / " + header("item", lang)
    return textable.render(_columns(lang, first, notes_as_of is not None), rows.rows, max_width=width,
                           color=color, row_styles=rows.styles)


def totals_line(tally: Tally, as_of: date, lang: str, color: bool) -> str:
    names = LIGHT_NAMES["en" if lang == "en" else "zh"]
    parts = []
    for light in ALL_LIGHTS:
        text = f"{names[light]} {tally.counts[light]}"
        parts.append(textable.ANSI[f"light.{light}"] + text + textable.RESET if color else text)
    day = (f"（{header('as_of', lang)} {as_of.isoformat()}）" if lang != "en"
           else f"({header('as_of', lang)} {as_of.isoformat()})")
    return header("total", lang) + ("：" if lang != "en" else ": ") + "  ".join(parts) + "  " + day


def status_view(title: str | None, table: list[str], tally: Tally, as_of: date, lang: str,
                color: bool) -> str:
    lines = []
    if title:
        lines.append(textable.ANSI["title"] + title + textable.RESET if color else title)
    lines.extend(table)
    lines.extend(["", totals_line(tally, as_of, lang, color)])
    return "\n".join(lines) + "\n"


def schedule_view(ledger, plan, as_of: date, settings, lang: str, *, width: int, color: bool) -> str:
    """倒排工期 as a table: latest start and finish, earliest finish, slack, critical, light."""
    from taizhang.domain.lights import item_light, item_node, term_start
    from taizhang.i18n import message

    en = lang == "en"
    columns = [Column("ID" if en else "编号"), Column("Item" if en else "事项", flex=True),
               Column("Days" if en else "工期", right=True), Column("After" if en else "前置", max_width=20),
               Column("Latest start" if en else "最晚开始"), Column("Latest finish" if en else "最晚完成"),
               Column("Earliest finish" if en else "最早完成"), Column("Slack" if en else "浮动", right=True),
               Column("Critical" if en else "关键"), Column(header("light", lang))]
    iso = lambda d: d.isoformat() if d else "-"  # noqa: E731
    rows: list[list[Cell]] = []
    for item, planned in zip(ledger.items, plan.items):
        node = item_node(item, planned, as_of, settings)
        infeasible = planned.infeasible
        if getattr(item, "term", None) is None:
            light = item_light(item, node, as_of, settings.warn_days, infeasible=infeasible, start=planned.start)
        else:  # 长期坚持, 每月25日前 (SPEC §7)
            light = item_light(item, node, as_of, settings.warn_days, start=term_start(item, settings, as_of),
                               stale_days=settings.stale_days)
        days = ("milestone" if en else "节点") if planned.milestone else str(planned.duration)
        slack = "" if planned.fixed or planned.slack is None else str(planned.slack)
        rows.append([item.id, item.title, days, ",".join(item.after), iso(planned.start),
                     iso(planned.finish), "" if planned.fixed else iso(planned.earliest_finish),
                     (slack, "light.red" if infeasible else ""),
                     (("yes" if en else "是") if planned.critical else "", "light.red"), light_cell(light, lang)])
    head = f"{ledger.code} {ledger.name}" + (f"  calendar {plan.calendar}" if en else f"  日历 {plan.calendar}")
    if plan.deadline:
        head += (f"  deadline {plan.deadline.isoformat()}" if en else f"  最终节点 {plan.deadline.isoformat()}")
    open_slacks = [p.slack for p in plan.items if p.slack is not None and not p.fixed]
    if plan.forward_error is not None:
        foot = (message("calendar_forward_unknown", lang, **plan.forward_error.args_, as_of=as_of.isoformat()),
                "light.yellow")
    elif not plan.feasible:
        short = -min(open_slacks)
        foot = ((f"Cannot meet the time nodes as planned: {short} counted days short." if en
                 else f"按现有计划无法按期完成：最多差 {short} 天（按项目日历计，见浮动为负的事项）。"), "light.red")
    else:
        foot = ("Feasible: every item can finish by its time node." if en
                else "计划可行：每个事项都能在时间节点前完成。", "light.green")
    table = textable.render(columns, rows, max_width=width, color=color)
    paint = (lambda text, style: textable.ANSI[style] + text + textable.RESET) if color else (lambda text, style: text)
    return "\n".join([paint(head, "title"), *table, "", paint(*foot)]) + "\n"


def invest_view(rows, program_totals, total, progress, as_of: date, title: str | None, lang: str, *,
                width: int, color: bool) -> str:
    """时间过半、任务过半: plan, completed, rate, 序时进度, lag in 百分点, light; then totals."""
    from taizhang.domain.amounts import format_yi_wan
    from taizhang.domain.invest import round4

    en = lang == "en"
    pct = lambda r: f"{round4(r) * 100:.2f}%" if r is not None else "-"  # noqa: E731
    money = lambda a: format_yi_wan(a) if a is not None else "-"  # noqa: E731
    columns = [Column(header("light", lang)), Column(header("id", lang)), Column(header("project", lang), flex=True),
               Column("Plan this year" if en else "年度计划", right=True),
               Column("Completed" if en else "累计完成", right=True),
               Column("Rate" if en else "完成率", right=True),
               Column("Behind (points)" if en else "滞后（百分点）", right=True)]
    body: list[list[Cell]] = []
    for row in rows:
        lag = f"{round4(row.lag):.2f}" if row.lag is not None else "-"
        light = light_cell(row.light, lang) if row.light != "none" else ("no plan" if en else "无计划", "muted")
        body.append([light, row.code, row.name, money(row.planned), money(row.completed),
                     pct(row.rate), (lag, f"light.{row.light}")])
    styles: list[str | None] = [None] * len(body)
    for t in [*program_totals, total]:
        name = t.name or (("All projects" if en else "全部项目") if t is total else ("(no program)" if en else "（未分工程）"))
        body.append(["", "", (("Total " if en else "合计 ") + name, "project"), money(t.planned), money(t.completed),
                     pct(t.rate), ""])
        styles.append("project")
    lines = []
    if title:
        lines.append(textable.ANSI["title"] + title + textable.RESET if color else title)
    lines.extend(textable.render(columns, body, max_width=width, color=color, row_styles=styles))
    lines.append("")
    lines.append(("Time progress (day of the year / days in the year): " if en else "序时进度（当年第几天 ÷ 全年天数）：")
                 + f"{round4(progress) * 100:.2f}%" + (f"  (as of {as_of.isoformat()})" if en else f"（截至 {as_of.isoformat()}）"))
    return "\n".join(lines) + "\n"
