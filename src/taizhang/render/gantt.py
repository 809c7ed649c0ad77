"""挂图作战: the wall chart. One bar per item from its start to its finish (explicit, or computed
by 倒排工期), milestones as diamonds, today's line, bars coloured by light, grouped by project,
months along the top — as terminal text, as SVG sized in millimetres for printing, and as a
printable HTML page of SVG sheets.

`build_chart` is a pure function of (ledgers, as-of day, settings); the renderers are pure
functions of the chart. Every string that came from a user is XML-escaped in the SVG.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Literal, Sequence

from taizhang.domain.calendars import NO_EXTRA, CalendarError, YearDays
from taizhang.domain.lights import (
    ALL_LIGHTS,
    Finding,
    Query,
    Tally,
    evaluate,
    project_plan,
    select,
)
from taizhang.domain.models import Ledger, Settings
from taizhang.domain.schedule import CycleError
from taizhang.i18n import header, light_word, said

Shape = Literal["bar", "milestone", "node", "none"]


@dataclass(slots=True)
class Row:
    """One item on the chart."""

    id: str
    title: str
    kind: str
    light: str
    start: date | None  # first day of the bar (inclusive)
    finish: date | None  # last day of the bar (inclusive)
    node: date | None  # the time node the light is read from (explicit due, else computed)
    computed: bool  # the time node was computed by 倒排工期 (no `due` of its own)
    closed_on: date | None
    owner: str | None
    unit: str | None
    shape: Shape
    number: int
    behind: str | None = None  # red before its node: why (lights.behind_of), said after the title


@dataclass
class ChartGroup:
    """A project and its rows."""

    code: str
    name: str
    light: str
    unit: str | None
    leader: str | None
    tally: Tally
    rows: list[Row]

    @property
    def span(self) -> tuple[date, date] | None:
        days = [d for r in self.rows for d in (r.start, r.finish) if d is not None]
        return (min(days), max(days)) if days else None


@dataclass
class Chart:
    title: str | None
    as_of: date
    start: date  # first day shown (a month's first day)
    end: date  # last day shown (a month's last day)
    groups: list[ChartGroup] = field(default_factory=list)
    # Items the automatic axis (at most ten years) leaves partly or wholly off the chart.
    beyond: list[Finding] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[tuple[date, date]]:
        """(first, last) day of every month shown."""
        return self.units(1)

    def unit_count(self, months: int) -> int:
        """How many units of `months` months (calendar-aligned: quarters, years, decades...)
        the chart touches."""
        return _month_index(self.end) // months - _month_index(self.start) // months + 1

    def units(self, months: int) -> list[tuple[date, date]]:
        """(first, last) day shown of every unit of `months` months, the first and last cut to
        the chart. Counted in months, not dates, so 9999-12 has no following month to reach."""
        out = []
        index, end = _month_index(self.start), _month_index(self.end)
        while index <= end:
            following = (index // months + 1) * months
            out.append((_month_first(index), min(_month_last(following - 1), self.end)))
            index = following
        return out


# The time units of an axis, in months, finest first: month, quarter, year, 5 years, decade...
_UNIT_MONTHS = (1, 3, 12, 60, 120, 600, 1200, 6000, 12000)

# The automatic axis spans at most ten years: a date typed 2918 for 2018 among a year's items
# would otherwise stretch the chart over nine centuries (the items a thin line, the file
# hundreds of megabytes). The items beyond stand at its edge as arrows, and are named.
MAX_AXIS_MONTHS = 120


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_first(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_last(index: int) -> date:
    year, month = index // 12, index % 12 + 1
    return date(year, month, monthrange(year, month)[1])


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, held within the dates Python has (0001-01-01 to 9999-12-31)."""
    room = (date.max - day).days if days > 0 else (day - date.min).days
    return day + timedelta(days=days if abs(days) <= room else (room if days > 0 else -room))


# --- building -------------------------------------------------------------------------------

def build_chart(ledgers: Sequence[Ledger], as_of: date, settings: Settings, extra: YearDays = NO_EXTRA, *,
                codes: Sequence[str] = (), program: str | None = None, unit: str | None = None,
                window: tuple[date | None, date | None] = (None, None)) -> Chart:
    """The chart of the ledgers (in the order of `codes` if given, else in the order given) on
    `as_of`. Bars run from the planned start to the planned finish (倒排工期); an item closed
    on or before `as_of` sits at its close date; an item with a time node but no span is a
    one-day node; a milestone is a diamond. `window` clips the time axis (None: fit the items,
    over at most ten years: `_axis`)."""
    views = select(evaluate(ledgers, as_of, settings, extra),
                   Query(codes=codes, program=program, unit=unit))
    by_code = {v.code: v for v in views}
    order = list(codes) if codes else [l.code for l in ledgers]
    by_ledger = {l.code: l for l in ledgers}
    groups = []
    for code in order:
        view = by_code.get(code)
        ledger = by_ledger.get(code)
        if view is None or ledger is None:
            continue
        try:
            planned = project_plan(ledger, as_of, settings, extra).by_id
        except (CalendarError, CycleError):
            planned = {}  # reported by status/check; here the items stand at their time nodes
        kinds = {i.id: i for i in ledger.items}
        rows = []
        for item in view.items:
            plan = planned.get(item.id)
            start = plan.start if plan is not None else None
            finish = plan.finish if plan is not None else None
            if finish is None:
                start = finish = item.closed_on or item.due
            if start is None:
                start = finish
            source = kinds[item.id]
            if finish is None:
                shape: Shape = "none"
            elif source.kind == "milestone" or (plan is not None and plan.milestone and source.duration == 0):
                shape, start = "milestone", finish
            elif start is not None and start < finish:
                shape = "bar"
            else:
                shape = "node"
            rows.append(Row(item.id, item.title, item.kind, item.light, start, finish, item.due,
                            source.due is None and item.due is not None, item.closed_on,
                            item.owner, item.unit, shape, item.number, item.behind))
        rows.sort(key=lambda r: (r.start is None, r.start or date.max, r.finish or date.max, r.number))
        groups.append(ChartGroup(view.code, view.name, view.light, view.unit, view.leader, view.tally, rows))
    days = [d for g in groups for r in g.rows for d in (r.start, r.finish) if d is not None]
    first, last = _axis(days, as_of, window)
    chart = Chart(settings.title, as_of, first, last, groups)
    # What runs off a side the items were to fit (a side given by --from/--to clips by request).
    for group in groups:
        for row in group.rows:
            if row.start is None or row.finish is None:
                continue
            if (window[0] is None and row.start < first) or (window[1] is None and row.finish > last):
                dates = row.start.isoformat() + ("" if row.start == row.finish else " – " + row.finish.isoformat())
                chart.beyond.append(Finding(group.code, row.id, "gantt_beyond", {
                    "id": row.id, "dates": dates, "start": first.isoformat()[:7], "end": last.isoformat()[:7]}))
    return chart


def _axis(days: Sequence[date], as_of: date, window: tuple[date | None, date | None] = (None, None)) -> tuple[date, date]:
    """The first and last day of a chart's time axis (whole months): `window`'s sides where
    given; else fitting `days` and `as_of`, with some room so a diamond at either end and its
    date show whole; but over at most MAX_AXIS_MONTHS, fitting then the ten years that hold
    the most of `days` (and `as_of` if it can: today's line), or those from --from / up to --to."""
    lo, hi = window
    if lo is not None and hi is not None:
        return _month_first(_month_index(lo)), _month_last(_month_index(max(lo, hi)))
    seen = [*days, as_of]
    first = lo or _shift(min(seen), -3)
    last = hi or _shift(max(seen), 10)
    if last < first:
        last = first
    if _month_index(last) - _month_index(first) < MAX_AXIS_MONTHS:
        return _month_first(_month_index(first)), _month_last(_month_index(last))
    if lo is not None:
        a = _month_index(lo)
    elif hi is not None:
        a = max(_month_index(hi) - MAX_AXIS_MONTHS + 1, _month_index(date.min))
    else:
        a = _busiest(days, as_of)
    b = a + MAX_AXIS_MONTHS - 1
    inside = [d for d in seen if a <= _month_index(d) <= b]
    first = lo or _shift(min(inside, default=_month_first(a)), -3)
    last = max(first, hi or _shift(max(inside, default=first), 10))
    # The room around the days may reach a month further: the axis keeps to its ten years.
    if _month_index(last) - _month_index(first) >= MAX_AXIS_MONTHS:
        if hi is None:
            last = _month_last(_month_index(first) + MAX_AXIS_MONTHS - 1)
        else:
            first = _month_first(_month_index(last) - MAX_AXIS_MONTHS + 1)
    return _month_first(_month_index(first)), _month_last(_month_index(last))


def _busiest(days: Sequence[date], as_of: date) -> int:
    """The first month of the MAX_AXIS_MONTHS months holding the most of `days`; of those that
    hold as many, one with `as_of`, then the earliest. (A best span can always be slid to
    start at one of the days, so only those starts are tried: one pass over the sorted days.)"""
    weight = len(days) + 1  # a day outweighs as_of, which only breaks ties
    points = sorted([(_month_index(d), weight) for d in days] + [(_month_index(as_of), 1)])
    best, best_sum, total, j = points[0][0], -1, 0, 0
    for i, (start, _) in enumerate(points):
        while j < len(points) and points[j][0] < start + MAX_AXIS_MONTHS:
            total += points[j][1]
            j += 1
        if total > best_sum:
            best, best_sum = start, total
        total -= points[i][1]
    return best


# --- words ----------------------------------------------------------------------------------

WORDS = {
    "zh": {"heading": "挂图作战", "as_of": "截至", "today": "今天", "id": "编号", "item": "事项",
           "owner": "责任人", "node": "时间节点", "light": "亮灯", "bar": "工期（倒排：开始—完成）",
           "milestone": "里程碑", "node_mark": "单日事项", "deadline": "时间节点", "computed": "斜体：倒排工期算出的时间节点",
           "clipped": "超出图幅", "page": "第 {n}/{total} 页", "continued": "（续）",
           "projects": "{n} 个项目", "items": "{n} 个事项", "nothing": "（没有符合条件的项目）",
           "legend_text": "# 进行中  = 已销号  <> 里程碑  * 单日事项  | 今天 {day}  < > 超出图幅",
           "leader": "责任领导", "made_by": "taizhang 生成", "overdue": "逾期{n}天"},
    "en": {"heading": "Wall chart", "as_of": "as of", "today": "today", "id": "ID", "item": "Item",
           "owner": "Owner", "node": "Time node", "light": "Light", "bar": "work (planned backward: start to finish)",
           "milestone": "milestone", "node_mark": "one-day item", "deadline": "time node",
           "computed": "italic: time node computed backward from the deadline",
           "clipped": "beyond the chart", "page": "page {n}/{total}", "continued": " (cont.)",
           "projects": "{n} projects", "items": "{n} items", "nothing": "(no project matches)",
           "legend_text": "# open  = closed  <> milestone  * one-day item  | today {day}  < > beyond the chart",
           "leader": "leader", "made_by": "made by taizhang", "overdue": "{n}d overdue"},
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _w(lang: str) -> dict[str, str]:
    return WORDS["en" if lang == "en" else "zh"]


def _month_label(month: int, lang: str, short: bool) -> str:
    if short:
        return str(month)
    return MONTHS_EN[month - 1] if lang == "en" else f"{month}月"


def _year_label(year: int, lang: str, short: bool = False) -> str:
    if short:
        return str(year)
    return str(year) if lang == "en" else f"{year}年"


# --- text -----------------------------------------------------------------------------------

@dataclass
class _Scale:
    """Terminal columns: units (weeks, or `months` months each) of `cells` columns each."""

    units: list[tuple[date, date]]
    cells: int
    months: int = 0  # 0: weeks
    lasts: list[date] = field(init=False)

    def __post_init__(self) -> None:
        self.lasts = [last for _, last in self.units]

    @property
    def width(self) -> int:
        return len(self.units) * self.cells

    def col(self, day: date) -> int:
        """The column of a day, clamped to the chart."""
        if day < self.units[0][0]:
            return 0
        i = bisect_left(self.lasts, day)  # the first unit that ends on or after the day
        if i == len(self.units):
            return self.width - 1
        first, last = self.units[i]
        span = (last - first).days + 1
        return i * self.cells + ((day - first).days * self.cells) // span


def _scale(chart: Chart, room: int) -> _Scale:
    """One column per week if the weeks fit in `room` columns (up to 3 columns each), else one
    or more per month, quarter, year... whichever first fits, so the chart stays within the
    width however long it runs."""
    monday = chart.start - timedelta(days=chart.start.weekday())
    weeks = (chart.end - monday).days // 7 + 1
    if weeks <= room:
        mondays = [monday + timedelta(days=7 * i) for i in range(weeks)]
        return _Scale([(m, _shift(m, 6)) for m in mondays], max(1, min(3, room // weeks)))
    for months in _UNIT_MONTHS:
        count = chart.unit_count(months)
        if count <= room or months == _UNIT_MONTHS[-1]:
            break
    return _Scale(chart.units(months), max(1, min(6, room // count)), months)


def _round_years(starts: list[tuple[int, date]], scale: _Scale) -> list[tuple[int, date]]:
    """Of the years' first columns on a scale of quarters or longer, the round ones (every 1,
    2, 5, 10, 20, 50... years) that leave room for a year's name, and that end on the chart."""
    per_year = scale.cells * 12 / scale.months
    every = next((n for n in (10 ** e * m for e in range(5) for m in (1, 2, 5)) if n * per_year >= 5), 1)
    return [(c, d) for c, d in starts if d.month == 1 and d.year % every == 0 and c + len(str(d.year)) <= scale.width]


def _clip(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal cells (`..` marks a cut), padded to exactly `cells`."""
    from taizhang.render.table import width

    if width(text) > cells:
        out, used = "", 0
        for ch in text:
            w = width(ch)
            if used + w > cells - 2:
                break
            out += ch
            used += w
        text = out + ".."
    return text + " " * (cells - width(text))


def to_text(chart: Chart, lang: str = "zh", width: int = 140, color: bool = False) -> str:
    """The chart for a terminal: labels (id, title, light word) on the left, one column per week
    or month on the right. ASCII marks only (`#` open, `=` closed, `<>` milestone, `*` time
    node, `|` today, `<`/`>` beyond the chart), so every terminal lines them up."""
    from taizhang.render.table import ANSI, RESET
    from taizhang.render.table import width as cells_of

    words = _w(lang)
    paint = (lambda text, style: ANSI[style] + text + RESET if color and text.strip() else text)
    when = f"  ({words['as_of']} {chart.as_of})" if lang == "en" else f"（{words['as_of']} {chart.as_of}）"
    head = words["heading"] + (f"  {chart.title}" if chart.title else "") + when
    lines = [paint(head, "title")]
    rows = [r for g in chart.groups for r in g.rows]
    if not chart.groups:
        return "\n".join(lines + [words["nothing"]]) + "\n"
    id_w = max([cells_of(r.id) for r in rows] + [cells_of(g.code) for g in chart.groups])
    light_w = max(cells_of(_row_word(r, lang)) for r in rows) if rows else 0
    light_w = max([light_w] + [cells_of(light_word(g.light, lang)) for g in chart.groups])
    title_w = max([cells_of(_row_title(r, lang)) for r in rows] + [cells_of(g.name) for g in chart.groups])
    # The chart gets at least 40 columns (or half the width); titles give way first.
    room_for_labels = max(20, width - max(40, width // 2) - 1)
    title_w = max(8, min(title_w, room_for_labels - id_w - light_w - 2))
    label_w = id_w + 1 + title_w + 1 + light_w
    scale = _scale(chart, max(12, width - label_w - 1))
    chart_w = scale.width

    # Month and year rows: a label where it fits, short forms where a long one would not; a
    # scale of years or longer has no month row, and a scale of quarters or longer names round years.
    if scale.months <= 3:
        starts = [(scale.col(first), first) for first, _ in chart.months]
        month_line = _labels([(c, _month_label(d.month, lang, False), _month_label(d.month, lang, True),
                               d.month in (1, 4, 7, 10)) for c, d in starts], chart_w)
    else:
        starts = [(scale.col(first), first) for first, _ in scale.units]
        month_line = ""
    year_starts = [(c, d) for c, d in starts if d.month == 1 or d == chart.start]
    if scale.months >= 3:
        year_starts = _round_years(year_starts, scale)
    year_line = _labels([(c, _year_label(d.year, lang), str(d.year), True) for c, d in year_starts], chart_w)
    pad = " " * (label_w + 1)
    lines.append(pad + year_line.rstrip())
    lines.append(_clip(words["id"], id_w) + " " + _clip(words["item"], title_w) + " " +
                 _clip(words["light"], light_w) + " " + month_line.rstrip())
    # Dots at the start of each quarter help the eye from a bar up to its month.
    grid = {c for c, d in starts if d.month in (1, 4, 7, 10)} if chart_w / chart.unit_count(1) >= 2 else set()
    today = scale.col(chart.as_of) if chart.start <= chart.as_of <= chart.end else None

    def background() -> list[str]:
        cells = [" "] * chart_w
        for c in grid:
            cells[c] = "."
        return cells

    def finish(cells: list[str], styles: list[str | None]) -> str:
        if today is not None and cells[today] in (" ", "."):
            cells[today], styles[today] = "|", "header"
        if not color:
            return "".join(cells).rstrip()
        out, run, style = [], "", None
        for ch, st in zip(cells, styles):
            if st != style:
                out.append(paint(run, style) if style else run)
                run, style = "", st
            run += ch
        out.append(paint(run, style) if style else run)
        return "".join(out).rstrip()

    for group in chart.groups:
        label = _clip(group.code, id_w) + " " + _clip(group.name, title_w) + " " + \
            _clip(light_word(group.light, lang), light_w)
        cells = background()
        lines.append(paint(label, "project") + " " + finish(cells, [None] * chart_w))
        for row in group.rows:
            word = _row_word(row, lang)
            label = _clip(row.id, id_w) + " " + _clip(_row_title(row, lang), title_w) + " "
            label += paint(_clip(word, light_w), f"light.{row.light}")
            cells = background()
            styles: list[str | None] = [None] * chart_w
            _mark(row, scale, chart, cells, styles)
            lines.append(label + " " + finish(cells, styles))
    lines.append("")
    lines.append(words["legend_text"].format(day=chart.as_of.isoformat()))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _labels(marks: list[tuple[int, str, str, bool]], total: int) -> str:
    """A line with a label at each column: the long forms if every one fits before the next
    (with a space), else the short forms, else the short forms of the major marks (quarters),
    else none; a chart's header never mixes forms."""
    from taizhang.render.table import width as cells_of

    def fits(chosen: list[tuple[int, str]]) -> bool:
        return all(col + cells_of(text) < (chosen[i + 1][0] if i + 1 < len(chosen) else total + 1)
                   for i, (col, text) in enumerate(chosen))

    for chosen in ([(c, long) for c, long, _, _ in marks], [(c, short) for c, _, short, _ in marks],
                   [(c, short) for c, _, short, major in marks if major]):
        if chosen and fits(chosen):
            line = ""
            for col, text in chosen:
                line += " " * (col - cells_of(line)) + text
            return line
    return ""


def _mark(row: Row, scale: _Scale, chart: Chart, cells: list[str], styles: list[str | None]) -> None:
    style = f"light.{row.light}"
    last = scale.width - 1
    if row.shape == "none" or row.finish is None or row.start is None:
        return
    if row.finish < chart.start:
        cells[0], styles[0] = "<", style
        return
    if row.start > chart.end:
        cells[last], styles[last] = ">", style
        return
    if row.shape == "bar":
        a, b = scale.col(max(row.start, chart.start)), scale.col(min(row.finish, chart.end))
        ch = "=" if row.light == "done" else "#"
        for c in range(a, b + 1):
            cells[c], styles[c] = ch, style
        if row.start < chart.start:
            cells[a] = "<"
        if row.finish > chart.end:
            cells[b] = ">"
        return
    c = scale.col(row.finish)
    if row.shape == "milestone":
        c = min(c, last - 1) if last >= 1 else c
        cells[c], styles[c] = "<", style
        if c + 1 <= last:
            cells[c + 1], styles[c + 1] = ">", style
    else:
        cells[c], styles[c] = "*", style


# --- SVG ------------------------------------------------------------------------------------

FONT = "SimHei, 黑体, 'Noto Sans CJK SC', sans-serif"
FILL = {"red": "#d7301f", "yellow": "#f2a900", "green": "#2b9348", "done": "#a3a9ae", "none": "#8e7cc3"}
INK = {"red": "#c0241a", "yellow": "#9a6a00", "green": "#1f7a38", "done": "#6b7177", "none": "#6a55a8"}


@dataclass(frozen=True)
class Paper:
    """A sheet (landscape) and the sizes that read on it when printed, in millimetres."""

    name: str
    width: float
    height: float
    margin: float
    font: float  # body text
    row: float  # item row height
    group_row: float
    id_w: float
    owner_w: float
    node_w: float
    light_w: float
    label_w: float  # id + title + owner + node + light


PAPERS = {
    "a3": Paper("A3", 420, 297, 10, 3.2, 6.0, 7.2, 19, 20, 21, 15, 168),
    "a4": Paper("A4", 297, 210, 8, 2.6, 4.9, 5.9, 15, 15, 17, 12, 118),
}
_BOTTOM = 12.0  # legend and page number


def _top(p: Paper) -> float:
    """From the sheet's top edge to the first row: title, the counts under it, the axis."""
    return p.margin + p.font * 1.9 + p.font * 2.2 + 2 * p.font * 1.75


def svg_num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml(text: object) -> str:
    """Text for SVG/HTML content or an attribute: escaped, without what XML 1.0 forbids."""
    s = _XML_BAD.sub("", str(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def _text_width(text: str, size: float) -> float:
    """Printed width of `text` at font size `size` (mm): a CJK character is 1 em, others ~0.56."""
    from taizhang.render.table import width as cells_of

    wide = cells_of(text) - len(text)  # one extra cell per wide character
    narrow = len(text) - wide
    return (wide * 1.0 + narrow * 0.56) * size


def _fit(text: str, size: float, room: float) -> str:
    if _text_width(text, size) <= room:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…", size) > room:
            break
        out += ch
    return out + "…"


@dataclass
class _Line:
    kind: Literal["group", "row"]
    group: ChartGroup
    row: Row | None = None
    continued: bool = False


def _pages(chart: Chart, paper: Paper, top: float, single: bool) -> list[list[_Line]]:
    """Lines cut into sheets; a project carried over starts the next sheet with its name."""
    lines = []
    for group in chart.groups:
        lines.append(_Line("group", group))
        lines.extend(_Line("row", group, r) for r in group.rows)
    if single:
        return [lines]
    room = paper.height - top - _BOTTOM - paper.margin
    pages: list[list[_Line]] = [[]]
    used = 0.0
    for line in lines:
        h = paper.group_row if line.kind == "group" else paper.row
        # A project's name never ends a sheet alone.
        need = h + (paper.row if line.kind == "group" else 0)
        if used + need > room and pages[-1]:
            pages.append([])
            used = 0.0
            if line.kind == "row":
                pages[-1].append(_Line("group", line.group, continued=True))
                used += paper.group_row
        pages[-1].append(line)
        used += h
    return pages


def _row_word(row: Row, lang: str) -> str:
    """An item's light word (SPEC §5: a red item is 逾期 even before its node; its title says why)."""
    return light_word(row.light, lang)


def _row_title(row: Row, lang: str) -> str:
    """An item's title, with why it is red before its node: 主体施工（计划不可行）."""
    return row.title + said([header(row.behind, lang)], lang) if row.behind else row.title


def to_svg_pages(chart: Chart, lang: str = "zh", paper: str = "a3", *, single: bool = False) -> list[str]:
    """The chart as SVG sheets of `paper` (landscape, sized in mm). With `single`, one sheet as
    wide as the paper and as tall as the rows need (at least the paper's height). A chart that
    leaves half a sheet empty gets taller rows and slightly larger type: it hangs on a wall."""
    from dataclasses import replace

    p = PAPERS[paper]
    pages = _pages(chart, p, _top(p), single)
    if len(_pages(chart, p, _top(p), False)) == 1:
        for k in (1.3, 1.25, 1.2, 1.15, 1.1, 1.05):
            bigger = replace(p, font=p.font * min(1.1, k), row=p.row * k, group_row=p.group_row * k)
            if len(_pages(chart, bigger, _top(bigger), False)) == 1:
                p = bigger
                break
    return [_svg_page(chart, lang, p, _top(p), lines, n + 1, len(pages), single) for n, lines in enumerate(pages)]


def to_svg(chart: Chart, lang: str = "zh", paper: str = "a3") -> str:
    """One SVG document (for `--format svg`)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + to_svg_pages(chart, lang, paper, single=True)[0]


def _svg_page(chart: Chart, lang: str, p: Paper, top: float, lines: list[_Line], page: int, pages: int,
              single: bool) -> str:
    words = _w(lang)
    rows_h = sum(p.group_row if l.kind == "group" else p.row for l in lines)
    height = max(p.height, top + rows_h + _BOTTOM + p.margin) if single else p.height
    W, M, fs = p.width, p.margin, p.font
    x0 = M + p.label_w  # the time axis
    x1 = W - M
    day_w = (x1 - x0) / chart.days

    def x(day: date) -> float:
        return x0 + (day - chart.start).days * day_w

    def x_end(day: date) -> float:
        """Where a day ends: x of the next day, which 9999-12-31 does not have."""
        return x0 + ((day - chart.start).days + 1) * day_w

    out: list[str] = []
    add = out.append
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{svg_num(W)}mm" height="{svg_num(height)}mm" '
        f'viewBox="0 0 {svg_num(W)} {svg_num(height)}" font-family="{xml(FONT)}" font-size="{svg_num(fs)}" '
        f'fill="#1a1a1a">')
    heading = words["heading"] + (("  " + chart.title) if chart.title else "")
    add(f'<title>{xml(heading)}</title>')
    add(f'<rect x="0" y="0" width="{svg_num(W)}" height="{svg_num(height)}" fill="#ffffff"/>')

    # Title and the line under it.
    title_size = fs * 1.9
    add(f'<text x="{svg_num(M)}" y="{svg_num(M + title_size * 0.85)}" font-size="{svg_num(title_size)}" '
        f'font-weight="bold">{xml(heading)}</text>')
    n_items = sum(len(g.rows) for g in chart.groups)
    sub = f"{words['as_of']} {chart.as_of.isoformat()}  ·  " + words["projects"].format(n=len(chart.groups)) + \
        "  ·  " + words["items"].format(n=n_items)
    counts = Tally()
    for g in chart.groups:
        for light, n in g.tally.counts.items():
            counts.counts[light] += n
    add(f'<text x="{svg_num(x1)}" y="{svg_num(M + fs * 1.05)}" text-anchor="end" font-size="{svg_num(fs * 1.05)}">'
        f'{xml(sub)}</text>')
    cx = x1
    # Light counts right under, right-aligned, each in its colour and word.
    parts = [(light, counts.counts[light]) for light in ALL_LIGHTS
             if counts.counts[light]]
    y_counts = M + fs * 2.75
    for light, n in reversed(parts):
        label = f"{light_word(light, lang)} {n}"
        add(f'<text x="{svg_num(cx)}" y="{svg_num(y_counts)}" text-anchor="end" fill="{INK[light]}" '
            f'font-weight="bold">{xml(label)}</text>')
        cx -= _text_width(label, fs) + fs * 0.45
        add(f'<rect x="{svg_num(cx - fs * 0.8)}" y="{svg_num(y_counts - fs * 0.78)}" width="{svg_num(fs * 0.8)}" '
            f'height="{svg_num(fs * 0.8)}" rx="0.3" fill="{FILL[light]}"/>')
        cx -= fs * 1.9

    # The axis: years, then months, above the rows.
    axis_top = top - 2 * fs * 1.75
    year_y, month_y = axis_top, axis_top + fs * 1.75
    rows_top, rows_bottom = top, top + rows_h
    # Months, or quarters, years... where a month would be thinner than a millimetre: a long
    # --from/--to costs a sheet no more lines than its width holds.
    unit = next(k for k in _UNIT_MONTHS if (x1 - x0) / chart.unit_count(k) >= 1 or k == _UNIT_MONTHS[-1])
    months = chart.units(unit)
    # Shading of every other month and the month lines, behind everything.
    for i, (first, last) in enumerate(months):
        if i % 2 == 1:
            add(f'<rect x="{svg_num(x(first))}" y="{svg_num(month_y)}" width="{svg_num(x_end(last) - x(first))}" '
                f'height="{svg_num(rows_bottom - month_y)}" fill="#f3f5f8"/>')
    add(f'<rect x="{svg_num(M)}" y="{svg_num(year_y)}" width="{svg_num(W - 2 * M)}" height="{svg_num(rows_top - year_y)}" '
        f'fill="#e4e9f0" fill-opacity="0.7"/>')
    for first, _last in months:
        strong = first.month == 1 or first == chart.start
        add(f'<line x1="{svg_num(x(first))}" y1="{svg_num(year_y if strong else month_y)}" x2="{svg_num(x(first))}" '
            f'y2="{svg_num(rows_bottom)}" stroke="{"#8a929c" if strong else "#cdd3da"}" stroke-width="{0.3 if strong else 0.15}"/>')
    add(f'<line x1="{svg_num(x1)}" y1="{svg_num(year_y)}" x2="{svg_num(x1)}" y2="{svg_num(rows_bottom)}" stroke="#8a929c" stroke-width="0.3"/>')
    # Month names if every one fits its month, else numbers, else numbers for quarters: one form.
    rooms = [(first, x_end(last) - x(first) - 0.6) for first, last in months] if unit <= 3 else []
    for short, only_quarters in ((False, False), (True, False), (True, True)):
        if all(_text_width(_month_label(first.month, lang, short), fs * 0.95) <= room
               for first, room in rooms if not only_quarters or first.month in (1, 4, 7, 10)):
            break
    else:
        rooms = []
    for first, room in rooms:
        if only_quarters and first.month not in (1, 4, 7, 10):
            continue
        centre = x(first) + (room + 0.6) / 2
        add(f'<text x="{svg_num(centre)}" y="{svg_num(month_y + fs * 1.2)}" text-anchor="middle" '
            f'font-size="{svg_num(fs * 0.95)}">{xml(_month_label(first.month, lang, short))}</text>')
    if unit <= 3:
        # Each year in its middle, where its name fits.
        for year in range(chart.start.year, chart.end.year + 1):
            first, last = max(date(year, 1, 1), chart.start), min(date(year, 12, 31), chart.end)
            centre = (x(first) + x_end(last)) / 2
            room = x_end(last) - x(first) - 0.6
            for text in (_year_label(year, lang), _year_label(year, lang, short=True)):
                if _text_width(text, fs) <= room:
                    add(f'<text x="{svg_num(centre)}" y="{svg_num(year_y + fs * 1.25)}" text-anchor="middle" '
                        f'font-weight="bold">{xml(text)}</text>')
                    break
    else:
        # Years or longer units: round years named where they begin, as many as have room.
        years = unit // 12
        unit_w = (x1 - x0) / chart.unit_count(unit)
        widest = _text_width(_year_label(chart.end.year, lang, short=True), fs) + 1
        every = next((n for n in (10 ** e * m for e in range(6) for m in (1, 2, 5)) if n * unit_w >= widest), 1)
        for first, _last in months:
            if first.year % (every * years) == 0 and first.month == 1:
                add(f'<text x="{svg_num(x(first) + 0.4)}" y="{svg_num(year_y + fs * 1.25)}" '
                    f'font-weight="bold">{xml(_year_label(first.year, lang, short=True))}</text>')

    # Column heads of the label area.
    cols = _label_columns(p)
    head_y = month_y + fs * 1.2
    for key, (left, width, anchor) in cols.items():
        tx = left if anchor == "start" else left + width / 2
        add(f'<text x="{svg_num(tx)}" y="{svg_num(head_y)}" text-anchor="{anchor}" font-weight="bold" '
            f'font-size="{svg_num(fs * 0.95)}">{xml(words[key])}</text>')
    add(f'<line x1="{svg_num(M)}" y1="{svg_num(rows_top)}" x2="{svg_num(x1)}" y2="{svg_num(rows_top)}" stroke="#5a6470" stroke-width="0.3"/>')

    # Rows.
    y = rows_top
    for line in lines:
        if line.kind == "group":
            y = _group_line(out, line, chart, p, y, x, x_end, x0, x1, lang, words)
        elif line.row is not None:
            y = _item_line(out, line.row, chart, p, y, x, x_end, day_w, x0, x1, cols, lang)
    add(f'<line x1="{svg_num(M)}" y1="{svg_num(rows_bottom)}" x2="{svg_num(x1)}" y2="{svg_num(rows_bottom)}" stroke="#5a6470" stroke-width="0.3"/>')

    # Today's line, over the rows.
    if chart.start <= chart.as_of <= chart.end:
        tx = x(chart.as_of) + day_w / 2
        add(f'<line x1="{svg_num(tx)}" y1="{svg_num(year_y - fs * 0.2)}" x2="{svg_num(tx)}" y2="{svg_num(rows_bottom + 0.8)}" '
            f'stroke="#d7301f" stroke-width="0.45" stroke-dasharray="1.6,0.9"/>')
        label = f"{words['today']} {chart.as_of.month}-{chart.as_of.day:02d}"
        lw = _text_width(label, fs * 0.9) + fs * 0.8
        lx = min(max(tx - lw / 2, x0), x1 - lw)
        add(f'<rect x="{svg_num(lx)}" y="{svg_num(year_y - fs * 1.45)}" width="{svg_num(lw)}" height="{svg_num(fs * 1.3)}" '
            f'rx="0.6" fill="#d7301f"/>')
        add(f'<text x="{svg_num(lx + lw / 2)}" y="{svg_num(year_y - fs * 0.45)}" text-anchor="middle" fill="#ffffff" '
            f'font-size="{svg_num(fs * 0.9)}" font-weight="bold">{xml(label)}</text>')

    if not chart.groups:
        add(f'<text x="{svg_num(M)}" y="{svg_num(rows_top + p.row)}">{xml(words["nothing"])}</text>')
    _legend(out, chart, p, height, lang, words, page, pages)
    add("</svg>")
    return "\n".join(out) + "\n"


def _label_columns(p: Paper) -> dict[str, tuple[float, float, str]]:
    """key → (left, width, text-anchor) of the label area's columns."""
    left = p.margin + 1
    title_w = p.label_w - p.id_w - p.owner_w - p.node_w - p.light_w - 2
    out = {}
    for key, width, anchor in (("id", p.id_w, "start"), ("item", title_w, "start"),
                               ("owner", p.owner_w, "start"), ("node", p.node_w, "start"),
                               ("light", p.light_w, "middle")):
        out[key] = (left, width, anchor)
        left += width
    return out


def _group_line(out: list[str], line: _Line, chart: Chart, p: Paper, y: float, x, x_end, x0: float, x1: float,
                lang: str, words: dict) -> float:
    group, fs, h = line.group, p.font, p.group_row
    out.append(f'<rect x="{svg_num(p.margin)}" y="{svg_num(y)}" width="{svg_num(p.width - 2 * p.margin)}" '
               f'height="{svg_num(h)}" fill="#dde5ef" fill-opacity="0.85"/>')
    base = y + h / 2 + fs * 0.42
    name = group.code + "  " + group.name + (words["continued"] if line.continued else "")
    light = light_word(group.light, lang)
    meta = "  ".join(t for t in (group.unit, (words["leader"] + " " + group.leader) if group.leader else None) if t)
    room = p.label_w - _text_width(light, fs) - fs * 3
    size = fs * 1.08
    shown = _fit(name, size, room)
    out.append(f'<text x="{svg_num(p.margin + 1)}" y="{svg_num(base)}" font-weight="bold" font-size="{svg_num(size)}">'
               f'<title>{xml(name)}</title>{xml(shown)}</text>')
    used = _text_width(shown, size) + fs
    if meta and used + fs * 4 < room:
        out.append(f'<text x="{svg_num(p.margin + 1 + used)}" y="{svg_num(base)}" fill="#4a5563" '
                   f'font-size="{svg_num(fs * 0.85)}">{xml(_fit(meta, fs * 0.85, room - used))}</text>')
    lx = x0 - p.light_w / 2 - 0.5
    out.append(f'<text x="{svg_num(lx)}" y="{svg_num(base)}" text-anchor="middle" font-weight="bold" '
               f'fill="{INK[group.light]}">{xml(light)}</text>')
    span = group.span
    if span is not None and not line.continued:
        a, b = max(span[0], chart.start), min(span[1], chart.end)
        if a <= b:
            bx, bw = x(a), max(x_end(b) - x(a), 0.6)
            by = y + h / 2 - 0.7
            out.append(f'<rect x="{svg_num(bx)}" y="{svg_num(by)}" width="{svg_num(bw)}" height="1.4" fill="#3c4652"/>')
            for ex in (bx, bx + bw):
                out.append(f'<path d="M{svg_num(ex - 1)} {svg_num(by)}h2l-1 {svg_num(1.8)}z" fill="#3c4652"/>')
    return y + h


def _item_line(out: list[str], row: Row, chart: Chart, p: Paper, y: float, x, x_end, day_w: float, x0: float,
               x1: float, cols: dict, lang: str) -> float:
    fs, h = p.font, p.row
    base = y + h / 2 + fs * 0.36
    out.append(f'<line x1="{svg_num(p.margin)}" y1="{svg_num(y + h)}" x2="{svg_num(x1)}" y2="{svg_num(y + h)}" '
               f'stroke="#e3e7ec" stroke-width="0.15"/>')
    left, width, _ = cols["id"]
    out.append(f'<text x="{svg_num(left)}" y="{svg_num(base)}" fill="#4a5563" font-size="{svg_num(fs * 0.9)}">{xml(_fit(row.id, fs * 0.9, width - 1))}</text>')
    left, width, _ = cols["item"]
    prefix = {"milestone": "◆ ", "problem": "[!] " if lang == "en" else "【问题】"}.get(row.kind, "")
    title = _row_title(row, lang)
    shown = _fit(prefix + title, fs, width - 1.2)
    out.append(f'<text x="{svg_num(left)}" y="{svg_num(base)}"><title>{xml(title)}</title>{xml(shown)}</text>')
    left, width, _ = cols["owner"]
    who = row.owner or row.unit or ""
    out.append(f'<text x="{svg_num(left)}" y="{svg_num(base)}" fill="#333b45" font-size="{svg_num(fs * 0.9)}">{xml(_fit(who, fs * 0.9, width - 1))}</text>')
    left, width, _ = cols["node"]
    if row.node is not None:
        style = ' font-style="italic" fill="#5a6470"' if row.computed else ""
        out.append(f'<text x="{svg_num(left)}" y="{svg_num(base)}" font-size="{svg_num(fs * 0.9)}"{style}>{row.node.isoformat()}</text>')
    left, width, _ = cols["light"]
    out.append(f'<text x="{svg_num(left + width / 2)}" y="{svg_num(base)}" text-anchor="middle" font-weight="bold" '
               f'fill="{INK[row.light]}">{xml(_row_word(row, lang))}</text>')

    if row.shape == "none" or row.start is None or row.finish is None:
        return y + h
    fill, ink = FILL[row.light], INK[row.light]
    mid = y + h / 2
    bar_h = h * 0.56
    late = row.closed_on is not None and row.node is not None and row.closed_on > row.node
    early = row.closed_on is None and row.node is not None and row.finish is not None and \
        (row.node - row.finish).days > 7
    if (late or early) and row.node is not None and chart.start <= row.node <= chart.end:
        # The time node, where the bar does not end on it: closed after it (逾期销号), or
        # planned well before it because later work needs the time (倒排).
        nx, t = x(row.node) + day_w / 2, h * 0.2
        out.append(f'<path d="M{svg_num(nx - t)} {svg_num(y + 0.4)}h{svg_num(2 * t)}l{svg_num(-t)} {svg_num(1.5 * t)}z" '
                   f'fill="#ffffff" stroke="{ink}" stroke-width="0.3"><title>{xml(row.id)} '
                   f'{row.node.isoformat()}</title></path>')
    if row.finish < chart.start or row.start > chart.end:
        # Beyond the chart: an arrow at the edge, with the date.
        right = row.start > chart.end
        ex = x1 - 0.3 if right else x0 + 0.3
        d = 1 if right else -1
        out.append(f'<path d="M{svg_num(ex)} {svg_num(mid)}l{svg_num(-2 * d)} {svg_num(-1.4)}v2.8z" fill="{fill}"/>')
        day = row.start if right else row.finish
        anchor = "end" if right else "start"
        out.append(f'<text x="{svg_num(ex - 2.6 * d)}" y="{svg_num(mid + fs * 0.3)}" text-anchor="{anchor}" '
                   f'font-size="{svg_num(fs * 0.75)}" fill="{ink}">{day.isoformat()}</text>')
        return y + h
    if row.shape == "bar":
        a, b = max(row.start, chart.start), min(row.finish, chart.end)
        bx, bw = x(a), max(x_end(b) - x(a), 0.8)
        out.append(f'<rect x="{svg_num(bx)}" y="{svg_num(mid - bar_h / 2)}" width="{svg_num(bw)}" height="{svg_num(bar_h)}" '
                   f'rx="0.7" fill="{fill}" stroke="{ink}" stroke-width="0.2"><title>{xml(row.id)} '
                   f'{row.start.isoformat()} – {row.finish.isoformat()}</title></rect>')
        label = f"{row.finish.month}-{row.finish.day:02d}"
        end_x = bx + bw
        if _overdue_tail(out, row, chart, x(chart.as_of) + day_w / 2, end_x, mid, fs, lang):
            pass
        elif end_x + _text_width(label, fs * 0.75) + 1 < x1:
            out.append(f'<text x="{svg_num(end_x + 0.8)}" y="{svg_num(mid + fs * 0.28)}" font-size="{svg_num(fs * 0.75)}" '
                       f'fill="#4a5563">{label}</text>')
        return y + h
    cxp = x(row.finish) + day_w / 2
    if row.shape == "milestone":
        r = h * 0.36
        out.append(f'<path d="M{svg_num(cxp)} {svg_num(mid - r)}l{svg_num(r)} {svg_num(r)}l{svg_num(-r)} {svg_num(r)}l{svg_num(-r)} {svg_num(-r)}z" '
                   f'fill="{fill}" stroke="{ink}" stroke-width="0.25"><title>{xml(row.id)} {row.finish.isoformat()}</title></path>')
        gap = r + 0.8
    else:
        w = max(day_w, 1.3)
        out.append(f'<rect x="{svg_num(cxp - w / 2)}" y="{svg_num(mid - bar_h / 2)}" width="{svg_num(w)}" height="{svg_num(bar_h)}" '
                   f'rx="0.3" fill="{fill}" stroke="{ink}" stroke-width="0.2"><title>{xml(row.id)} {row.finish.isoformat()}</title></rect>')
        gap = w / 2 + 0.8
    label = f"{row.finish.month}-{row.finish.day:02d}"
    tail = _overdue_tail(out, row, chart, x(chart.as_of) + day_w / 2, cxp + gap - 0.8, mid, fs, lang)
    if not tail and cxp + gap + _text_width(label, fs * 0.75) < x1:
        out.append(f'<text x="{svg_num(cxp + gap)}" y="{svg_num(mid + fs * 0.28)}" font-size="{svg_num(fs * 0.75)}" '
                   f'fill="#4a5563">{label}</text>')
    else:
        out.append(f'<text x="{svg_num(cxp - gap)}" y="{svg_num(mid + fs * 0.28)}" text-anchor="end" '
                   f'font-size="{svg_num(fs * 0.75)}" fill="#4a5563">{label}</text>')
    return y + h


def _overdue_tail(out: list[str], row: Row, chart: Chart, today_x: float, from_x: float, mid: float, fs: float,
                  lang: str) -> bool:
    """An open item past its time node: a red line from it to today's line, and how many days."""
    if row.light != "red" or row.closed_on is not None or row.node is None or row.node >= chart.as_of \
            or not chart.start <= chart.as_of <= chart.end or today_x <= from_x:
        return False
    days = (chart.as_of - row.node).days
    out.append(f'<line x1="{svg_num(from_x)}" y1="{svg_num(mid)}" x2="{svg_num(today_x)}" y2="{svg_num(mid)}" '
               f'stroke="{INK["red"]}" stroke-width="0.6"/>')
    label = _w(lang)["overdue"].format(n=days)
    out.append(f'<text x="{svg_num(today_x + 1)}" y="{svg_num(mid + fs * 0.3)}" font-size="{svg_num(fs * 0.8)}" '
               f'font-weight="bold" fill="{INK["red"]}">{xml(label)}</text>')
    return True


def _legend(out: list[str], chart: Chart, p: Paper, height: float, lang: str, words: dict, page: int,
            pages: int) -> None:
    """The key to colours and marks, flowing onto a second line where the sheet is narrow, and
    the page number at the right."""
    fs = p.font * 0.9
    bottom = height - p.margin - 1.5
    gap = fs * 1.4
    entries: list[tuple[float, Callable[[float, float], str]]] = []

    def entry(mark_w: float, mark: Callable[[float, float], str], text: str, style: str = "") -> None:
        def draw(lx: float, y: float) -> str:
            return mark(lx, y) + f'<text x="{svg_num(lx + mark_w)}" y="{svg_num(y)}" font-size="{svg_num(fs)}"{style}>{xml(text)}</text>'
        entries.append((mark_w + _text_width(text, fs), draw))

    def swatch(light: str) -> Callable[[float, float], str]:
        return lambda lx, y: (
            f'<rect x="{svg_num(lx)}" y="{svg_num(y - fs * 0.8)}" width="{svg_num(fs * 1.6)}" height="{svg_num(fs * 0.9)}" '
            f'rx="0.4" fill="{FILL[light]}" stroke="{INK[light]}" stroke-width="0.2"/>')

    for light in ("red", "yellow", "green", "done", "none"):
        entry(fs * 2, swatch(light), light_word(light, lang))
    r = fs * 0.55
    entry(2.6 * r, lambda lx, y: (
        f'<path d="M{svg_num(lx + r)} {svg_num(y - fs * 0.35 - r)}l{svg_num(r)} {svg_num(r)}l{svg_num(-r)} {svg_num(r)}'
        f'l{svg_num(-r)} {svg_num(-r)}z" fill="#5a6470"/>'), words["milestone"])
    entry(2.2, lambda lx, y: (
        f'<rect x="{svg_num(lx)}" y="{svg_num(y - fs * 0.8)}" width="1.3" height="{svg_num(fs * 0.9)}" fill="#5a6470"/>'),
        words["node_mark"])
    entry(fs * 3.4, lambda lx, y: (
        f'<rect x="{svg_num(lx)}" y="{svg_num(y - fs * 0.8)}" width="{svg_num(fs * 3)}" height="{svg_num(fs * 0.9)}" rx="0.4" '
        f'fill="#5a6470"/>'), words["bar"])
    t = fs * 0.55
    entry(2 * t + 1, lambda lx, y: (
        f'<path d="M{svg_num(lx)} {svg_num(y - fs * 0.9)}h{svg_num(2 * t)}l{svg_num(-t)} {svg_num(1.5 * t)}z" fill="#ffffff" '
        f'stroke="#5a6470" stroke-width="0.3"/>'), words["deadline"])
    entry(1.6, lambda lx, y: (
        f'<line x1="{svg_num(lx + 0.5)}" y1="{svg_num(y - fs * 0.95)}" x2="{svg_num(lx + 0.5)}" y2="{svg_num(y + 0.3)}" '
        f'stroke="#d7301f" stroke-width="0.45" stroke-dasharray="1.2,0.6"/>'),
        f"{words['today']} {chart.as_of.isoformat()}")
    entry(0, lambda lx, y: "", words["computed"], ' font-style="italic" fill="#5a6470"')

    right = words["page"].format(n=page, total=pages) + "  ·  " + words["made_by"]
    limit = p.width - p.margin - _text_width(right, fs) - 4
    lines: list[list[tuple[float, Callable]]] = [[]]
    used = p.margin
    for width, draw in entries:
        if lines[-1] and used + width > limit:
            lines.append([])
            used = p.margin
        lines[-1].append((width, draw))
        used += width + gap
    for n, line in enumerate(lines):
        y = bottom - (len(lines) - 1 - n) * fs * 1.7
        lx = p.margin
        for width, draw in line:
            out.append(draw(lx, y))
            lx += width + gap
    out.append(f'<text x="{svg_num(p.width - p.margin)}" y="{svg_num(bottom)}" text-anchor="end" font-size="{svg_num(fs)}" '
               f'fill="#5a6470">{xml(right)}</text>')


# --- HTML -----------------------------------------------------------------------------------

def to_html(chart: Chart, lang: str = "zh", paper: str = "a3") -> str:
    """A printable page: one SVG sheet per printed page (jinja2 template, autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=PackageLoader("taizhang.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    p = PAPERS[paper]
    words = _w(lang)
    # The SVG is built with every user string escaped (`xml`); the template escapes the rest.
    sheets = [Markup(svg) for svg in to_svg_pages(chart, lang, paper)]
    return env.get_template("gantt.html").render(
        lang="en" if lang == "en" else "zh-CN", heading=words["heading"], title=chart.title,
        as_of=chart.as_of.isoformat(), as_of_label=words["as_of"], sheets=sheets,
        paper=p.name, width=svg_num(p.width), height=svg_num(p.height))


def chart_codes(requested: Iterable[str]) -> list[str]:
    """CODE arguments without repeats, in the order given."""
    return list(dict.fromkeys(requested))


__all__ = ["Chart", "ChartGroup", "Row", "build_chart", "to_text", "to_svg", "to_svg_pages", "to_html",
           "PAPERS", "xml"]
