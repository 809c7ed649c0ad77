"""Trend charts (SPEC §7): hand-made SVG, a text table and the page that holds the charts.

Hand-made SVG rather than a charting library: three small charts (stacked bars and lines) need
a few dozen lines of drawing, print as vectors at any size, carry no script (a matplotlib SVG
embeds its own fonts as paths and weighs ~40 kB a chart; plotly and the like need JavaScript),
and add no dependency to an install that offices make offline. Text is real text in the
reader's fonts (a CJK sans-serif listed first), so the charts copy and search like the tables.
Sizes are in millimetres of the printed page: a chart is 170 × 70 mm, the width of A4 portrait
less its margins.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from taizhang.domain.trend import Trend, TrendPoint
from taizhang.i18n import light_word, message
from taizhang.render.gantt import FILL, svg_num, xml

W, H = 170.0, 70.0  # mm
LEFT, RIGHT, TOP, BOTTOM = 14.0, 4.0, 9.0, 14.0
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','SimHei',sans-serif"
LIGHT_ORDER = ("red", "yellow", "green", "none", "done")  # stacked from the bottom: the bad news first
# The lines' colours, one place for the SVG and for the native charts of the xlsx and docx reports.
LINE = {"items": "#8a929c", "due": "#d7301f", "closed": "#2b9348", "closed_late": "#f2a900",
        "timeline": "#5a6470", "completed": "#1f5fa8"}


def _w(key: str, lang: str, **args: object) -> str:
    return message(f"trend_{key}", lang, **args)


def period_label(p: TrendPoint, by: str) -> str:
    """A week by its Sunday (MM-DD), a month as YYYY-MM."""
    return p.span.end.isoformat()[5:] if by == "week" else p.span.end.isoformat()[:7]


def _ticks(top: float) -> tuple[float, list[float]]:
    """A rounded axis maximum and 4–5 gridlines for values up to `top`."""
    if top <= 0:
        return 4.0, [0.0, 1.0, 2.0, 3.0, 4.0]
    step = 1.0
    while top / step > 5:  # 1, 2, 5, 10, 20, 50 …
        for m in (1, 2, 5):
            if top / (step * m) <= 5:
                step *= m
                break
        else:
            step *= 10
    maximum = step * -(-top // step)
    n = int(round(maximum / step))
    return maximum, [step * i for i in range(n + 1)]


def _axis_value(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1 or v == 0 else svg_num(v)


class _Frame:
    """Plot area, scales, and the SVG being drawn."""

    def __init__(self, title: str, n: int, top: float, lang: str) -> None:
        self.n, self.lang = n, lang
        self.x0, self.x1, self.y0, self.y1 = LEFT, W - RIGHT, TOP, H - BOTTOM
        self.maximum, self.grid = _ticks(top)
        self.out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{svg_num(W)}mm" height="{svg_num(H)}mm" '
                    f'viewBox="0 0 {svg_num(W)} {svg_num(H)}" font-family="{FONT}" role="img" aria-label="{xml(title)}">',
                    f'<rect width="{svg_num(W)}" height="{svg_num(H)}" fill="#ffffff"/>',
                    f'<text x="{svg_num(LEFT)}" y="5.2" font-size="3.6" font-weight="bold" fill="#1a1a1a">{xml(title)}</text>']
        for v in self.grid:
            y = self.y(v)
            self.out.append(f'<line x1="{svg_num(self.x0)}" y1="{svg_num(y)}" x2="{svg_num(self.x1)}" y2="{svg_num(y)}" '
                            f'stroke="{"#5a6470" if v == 0 else "#dde2e8"}" stroke-width="{0.3 if v == 0 else 0.15}"/>')
            self.out.append(f'<text x="{svg_num(self.x0 - 1)}" y="{svg_num(y + 0.9)}" font-size="2.4" text-anchor="end" '
                            f'fill="#4a5563">{_axis_value(v)}</text>')

    @property
    def slot(self) -> float:
        return (self.x1 - self.x0) / max(self.n, 1)

    def x(self, i: int) -> float:
        """The centre of period i."""
        return self.x0 + self.slot * (i + 0.5)

    def y(self, v: float) -> float:
        return self.y1 - (self.y1 - self.y0) * (v / self.maximum if self.maximum else 0)

    def labels(self, labels: Sequence[str]) -> None:
        # As many labels as fit (~11 mm each), always the last: the period being judged now.
        every = max(1, int(-(-11 // self.slot)))
        for i, text in enumerate(labels):
            if i % every and i != len(labels) - 1:
                continue
            if i != len(labels) - 1 and len(labels) - 1 - i < every:
                continue  # would touch the last label
            self.out.append(f'<text x="{svg_num(self.x(i))}" y="{svg_num(self.y1 + 3.6)}" font-size="2.4" '
                            f'text-anchor="middle" fill="#4a5563">{xml(text)}</text>')

    def legend(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """(text, colour, "bar" | "line" | "dash") in a row under the axis."""
        x = self.x0
        y = H - 3.2
        for text, color, kind in entries:
            if kind == "bar":
                self.out.append(f'<rect x="{svg_num(x)}" y="{svg_num(y - 2.2)}" width="3" height="2.4" fill="{color}"/>')
            else:
                dash = ' stroke-dasharray="1.2,0.8"' if kind == "dash" else ""
                self.out.append(f'<line x1="{svg_num(x)}" y1="{svg_num(y - 1)}" x2="{svg_num(x + 4)}" y2="{svg_num(y - 1)}" '
                                f'stroke="{color}" stroke-width="0.6"{dash}/>')
            x += 5
            self.out.append(f'<text x="{svg_num(x)}" y="{svg_num(y)}" font-size="2.6" fill="#333b45">{xml(text)}</text>')
            x += _text_mm(text, 2.6) + 4

    def polyline(self, values: Sequence[float | None], color: str, dashed: bool = False) -> None:
        points = [(self.x(i), self.y(v)) for i, v in enumerate(values) if v is not None]
        if not points:
            return
        dash = ' stroke-dasharray="1.2,0.8"' if dashed else ""
        path = " ".join(f"{svg_num(x)},{svg_num(y)}" for x, y in points)
        self.out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="0.6" '
                        f'stroke-linejoin="round"{dash}/>')
        if len(points) <= 60:
            for x, y in points:
                self.out.append(f'<circle cx="{svg_num(x)}" cy="{svg_num(y)}" r="0.7" fill="{color}"/>')

    def end(self) -> str:
        return "\n".join(self.out + ["</svg>"]) + "\n"


def _text_mm(text: str, size: float) -> float:
    from taizhang.render.table import width as cells_of

    wide = cells_of(text) - len(text)
    return (wide + (len(text) - wide) * 0.56) * size


def lights_svg(trend: Trend, lang: str = "zh") -> str:
    """Items by light on each period's last day, stacked bars."""
    pts = trend.points
    f = _Frame(_w("lights_title", lang), len(pts), max((sum(p.lights.values()) for p in pts), default=0), lang)
    bar = f.slot * 0.64
    for i, p in enumerate(pts):
        base = 0
        for light in LIGHT_ORDER:
            n = p.lights.get(light, 0)
            if not n:
                continue
            top, bottom = f.y(base + n), f.y(base)
            f.out.append(f'<rect x="{svg_num(f.x(i) - bar / 2)}" y="{svg_num(top)}" width="{svg_num(bar)}" '
                         f'height="{svg_num(bottom - top)}" fill="{FILL[light]}"><title>{xml(period_label(p, trend.by))} '
                         f'{xml(light_word(light, lang))} {n}</title></rect>')
            base += n
    f.labels([period_label(p, trend.by) for p in pts])
    f.legend([(light_word(light, lang), FILL[light], "bar") for light in LIGHT_ORDER])
    return f.end()


def burnup_svg(trend: Trend, lang: str = "zh") -> str:
    """Cumulative: items due against items closed, and the closes that came late."""
    pts = trend.points
    f = _Frame(_w("burnup_title", lang), len(pts), max((max(p.due, p.closed, p.items) for p in pts), default=0), lang)
    f.polyline([p.items for p in pts], LINE["items"], dashed=True)
    f.polyline([p.due for p in pts], LINE["due"])
    f.polyline([p.closed for p in pts], LINE["closed"])
    f.polyline([p.closed_late for p in pts], LINE["closed_late"])
    f.labels([period_label(p, trend.by) for p in pts])
    f.legend([(_w("items", lang), LINE["items"], "dash"), (_w("due", lang), LINE["due"], "line"),
              (_w("closed", lang), LINE["closed"], "line"), (_w("closed_late", lang), LINE["closed_late"], "line")])
    return f.end()


def invest_svg(trend: Trend, lang: str = "zh") -> str:
    """Completed investment this year against the time line (plan × 序时进度), 万元."""
    pts = trend.points
    top = max((float(max(p.completed, p.timeline or Decimal(0))) for p in pts), default=0.0)
    f = _Frame(_w("invest_title", lang), len(pts), top, lang)
    f.polyline([float(p.timeline) if p.timeline is not None else None for p in pts], LINE["timeline"], dashed=True)
    f.polyline([float(p.completed) for p in pts], LINE["completed"])
    f.labels([period_label(p, trend.by) for p in pts])
    f.legend([(_w("timeline", lang), LINE["timeline"], "dash"), (_w("completed", lang), LINE["completed"], "line")])
    return f.end()


def charts(trend: Trend, lang: str = "zh") -> list[str]:
    """The trend's charts, the investment one only when some project records investment."""
    found = [lights_svg(trend, lang), burnup_svg(trend, lang)]
    if trend.has_invest:
        found.append(invest_svg(trend, lang))
    return found


def to_svg(trend: Trend, lang: str = "zh") -> str:
    """The charts stacked in one SVG document (for `--format svg`)."""
    parts = charts(trend, lang)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{svg_num(W)}mm" height="{svg_num(H * len(parts))}mm" '
           f'viewBox="0 0 {svg_num(W)} {svg_num(H * len(parts))}">']
    for i, part in enumerate(parts):
        inner = part.replace('<svg xmlns="http://www.w3.org/2000/svg" ', f'<svg y="{svg_num(H * i)}" ', 1)
        out.append(inner.rstrip("\n"))
    return "\n".join(out + ["</svg>"]) + "\n"


def columns(trend: Trend, lang: str) -> list[str]:
    heads = [_w("period", lang)] + [light_word(light, lang) for light in LIGHT_ORDER]
    heads += [_w("items", lang), _w("due", lang), _w("closed", lang), _w("closed_late", lang)]
    if trend.has_moves:
        heads.append(_w("moved", lang))
    if trend.has_invest:
        heads += [_w("completed", lang), _w("timeline", lang)]
    return heads


def rows(trend: Trend, lang: str) -> list[list[str]]:
    from taizhang.domain.amounts import format_wan

    found = []
    for p in trend.points:
        row = [period_label(p, trend.by)] + [str(p.lights.get(light, 0)) for light in LIGHT_ORDER]
        row += [str(p.items), str(p.due), str(p.closed), str(p.closed_late)]
        if trend.has_moves:
            row.append("" if p.moved is None else str(p.moved))
        if trend.has_invest:
            row += [format_wan(p.completed),
                    format_wan(p.timeline) if p.timeline is not None else ""]
        found.append(row)
    return found


def to_text(trend: Trend, lang: str = "zh") -> str:
    """A table, one row per period (the numbers the charts draw)."""
    from taizhang.render.table import width as cells_of

    heads, body = columns(trend, lang), rows(trend, lang)
    widths = [max(cells_of(r[i]) for r in [heads, *body]) for i in range(len(heads))]

    def line(cells: list[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            pad = " " * (widths[i] - cells_of(c))
            out.append(c + pad if i == 0 else pad + c)
        return "  ".join(out).rstrip()

    title = _w("heading", lang, by=_w(f"by_{trend.by}", lang))
    lines = [title, line(heads)] + [line(r) for r in body]
    broken = sum(p.broken for p in trend.points)
    if broken:
        lines.append(_w("broken", lang, n=broken))
    return "\n".join(lines) + "\n"


def to_html(trend: Trend, lang: str = "zh") -> str:
    """A printable page: the charts, then the table."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=PackageLoader("taizhang.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("trend.html").render(
        lang="en" if lang == "en" else "zh-CN", heading=_w("heading", lang, by=_w(f"by_{trend.by}", lang)),
        title=trend.title, as_of=trend.as_of.isoformat(), as_of_label=_w("as_of", lang),
        charts=[Markup(svg) for svg in charts(trend, lang)], columns=columns(trend, lang), rows=rows(trend, lang))
