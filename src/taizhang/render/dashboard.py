"""`dashboard`: every view as one static site that opens from disk (SPEC §7).

Pages: index.html (the status table, the trend charts, the units' league table), gantt.html
(挂图作战, gantt.py's A4 sheets) and projects/<CODE>.html (a project's items and its chart).
Nothing is fetched: CSS is inline, charts are inline SVG, there is no script and no web font (the
reader's own CJK fonts are named), so the folder can be opened from a USB stick, served by any
web server or a git host's pages. Print: A4, each main part starting on a new page, table
headers repeated, rows never split; at a phone's width tables scroll inside their box and the
less needed columns fold away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from taizhang.domain.lights import ALL_LIGHTS, ProjectView, Tally
from taizhang.domain.reports import LeagueRow
from taizhang.domain.trend import Trend
from taizhang.i18n import header, light_word, message
from taizhang.render.briefing import league_table, shown_texts
from taizhang.render.gantt import Chart, to_svg_pages
from taizhang.render.status import item_marks

_WORDS: dict[str, tuple[str, str]] = {
    "heading": ("重点项目督查看板", "Key projects dashboard"),
    "status": ("亮灯表", "Lights"),
    "trend": ("趋势", "Trend"),
    "league": ("单位排名", "Units' league table"),
    "gantt": ("挂图作战", "Wall chart"),
    "index": ("总览", "Overview"),
    "projects": ("项目", "Projects"),
    "items": ("事项", "Items"),
    "no_trend": ("（不在 git 仓库中或尚无提交：没有趋势）", "(not in git or nothing committed: no trend)"),
    "open": ("未销号", "open"),
    "last_note": ("最新进展", "Latest report"),
    "chart": ("横道图", "Chart"),
    "back": ("返回总览", "Back to the overview"),
    "totals": ("合计：{text}", "Totals: {text}"),
}


def _w(key: str, lang: str, **args: Any) -> str:
    text = _WORDS[key][1 if lang == "en" else 0]
    return text.format(**args) if args else text


@dataclass
class Site:
    """The pages of the site: relative path → HTML."""

    pages: dict[str, str]


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("taizhang.render", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def _tally_text(tally: Tally, lang: str) -> str:
    return "，".join(f"{light_word(light, lang)} {tally.counts[light]}" for light in ALL_LIGHTS
                    if tally.counts[light]) if lang != "en" else ", ".join(
        f"{light_word(light, lang)} {tally.counts[light]}" for light in ALL_LIGHTS if tally.counts[light])


def build_site(projects: Sequence[ProjectView], title: str | None, as_of: date, lang: str, *,
               trend: Trend | None, league: list[LeagueRow], chart: Chart,
               project_charts: dict[str, Chart]) -> Site:
    """Every page of the dashboard (all user text escaped by the templates; the SVG escapes its own)."""
    from markupsafe import Markup

    from taizhang.domain.lights import totals
    from taizhang.render import charts as trend_charts

    env = _env()
    html_lang = "en" if lang == "en" else "zh-CN"
    words = {key: _w(key, lang) for key in _WORDS if key != "totals"}
    common = {"lang": html_lang, "title": title, "as_of": as_of.isoformat(), "as_of_label": header("as_of", lang),
              "w": words, "heading": _w("heading", lang)}
    rows = []
    for p in projects:
        c = p.tally.counts
        rows.append({"code": p.code, "name": p.name, "light": p.light, "light_word": light_word(p.light, lang),
                     "counts": [c[light] for light in ALL_LIGHTS], "unit": p.unit or "", "leader": p.leader or ""})
    table = league_table(league, lang)
    league_view = {"columns": [c.header for c in table.columns], "numeric": [c.kind != "text" for c in table.columns],
                   "rows": shown_texts(table)}
    pages = {}
    pages["index.html"] = env.get_template("dashboard_index.html").render(
        **common, root="", page="index",
        light_heads=[header(light, lang) for light in ALL_LIGHTS], unit_head=header("unit", lang), light_head=header("light", lang), lights=list(ALL_LIGHTS), projects=rows,
        totals=_w("totals", lang, text=_tally_text(totals(projects), lang)),
        charts=[Markup(svg) for svg in trend_charts.charts(trend, lang)] if trend is not None else [],
        trend_table={"columns": trend_charts.columns(trend, lang), "rows": trend_charts.rows(trend, lang)}
        if trend is not None else None,
        league=league_view, league_note=message("league_note", lang, as_of=as_of.isoformat()))
    pages["gantt.html"] = env.get_template("dashboard_gantt.html").render(
        **common, root="", page="gantt", sheets=[Markup(svg) for svg in to_svg_pages(chart, lang, "a4")])
    for p in projects:
        # The title with what status says of the item besides its light (进度滞后, 已调整,
        # 久未汇报, 〔待审核〕, 〔督办超期〕…): a page printed for the meeting reads as the 亮灯表.
        items = [{"id": v.id, "title": v.title + item_marks(v, lang), "light": v.light, "light_word": light_word(v.light, lang),
                  "due": v.due.isoformat() if v.due else "", "days": _days(v.days_left, v.light, lang),
                  "unit": v.unit or "", "owner": v.owner or "",
                  "closed": v.closed_on.isoformat() if v.closed_on else "",
                  "note": f"{v.last_note.date.isoformat()} {v.last_note.text}" if v.last_note is not None else ""}
                 for v in p.items]
        sheets = [Markup(svg) for svg in to_svg_pages(project_charts[p.code], lang, "a4")] \
            if p.code in project_charts else []
        pages[f"projects/{p.code}.html"] = env.get_template("dashboard_project.html").render(
            **common, root="../", page="project", project={"code": p.code, "name": p.name, "unit": p.unit or "",
                                                          "leader": p.leader or "", "owner": p.owner or "",
                                                          "light": p.light, "light_word": light_word(p.light, lang),
                                                          "totals": _tally_text(p.tally, lang)},
            heads={k: header(k, lang) for k in ("id", "item", "light", "due", "days_left", "unit", "owner",
                                                 "closed_on", "last_note")},
            items=items, sheets=sheets)
    return Site(pages)


def _days(days_left: int | None, light: str, lang: str) -> str:
    if days_left is None or light == "done":
        return ""
    if days_left < 0:
        return header("days_over", lang, n=-days_left)
    if days_left == 0:
        return header("today", lang)
    return header("days_to", lang, n=days_left)
