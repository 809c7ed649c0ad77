"""Rich renderables for the terminal: the status table and its totals. Nothing here prints."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .i18n import LIGHT_NAMES, header, light_word
from .status import ALL_LIGHTS, Group, ItemView, ProjectView, Tally

THEME = Theme({
    "light.red": "bold red", "light.yellow": "bold yellow", "light.green": "green",
    "light.done": "dim", "light.none": "magenta", "project": "bold", "muted": "dim",
    "title": "bold",
})
DOT = {"red": "●", "yellow": "●", "green": "●", "done": "✓", "none": "○"}


def light_cell(light: str, lang: str) -> Text:
    """A light as a coloured mark *and* a word, so black-and-white output still reads."""
    return Text(f"{DOT[light]} {light_word(light, lang)}", style=f"light.{light}")


def days_cell(item: ItemView, lang: str) -> Text:
    if item.light == "done" and item.closed_on is not None:
        late = item.due is not None and item.closed_on > item.due
        word = ("逾期销号" if late else "销号") if lang != "en" else ("closed late" if late else "closed")
        return Text(f"{item.closed_on.strftime('%m-%d')} {word}", style="muted")
    if item.days_left is None:
        return Text("—", style="muted")
    if item.days_left < 0:
        return Text(header("days_over", lang, n=-item.days_left), style="light.red")
    if item.days_left == 0:
        return Text(header("today", lang), style="light.yellow")
    return Text(header("days_to", lang, n=item.days_left))


def _count(n: int, light: str) -> Text:
    return Text(str(n), style=f"light.{light}" if n else "muted")


def _table(lang: str, first: str) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=False)
    table.add_column(header("light", lang), no_wrap=True)
    table.add_column(header("id", lang), no_wrap=True)
    table.add_column(first, overflow="fold", min_width=12, ratio=1)
    table.add_column(header("due", lang), no_wrap=True)
    table.add_column(header("days_left", lang), no_wrap=True, justify="right")
    for light in ("red", "yellow", "green", "done"):
        table.add_column(header(light, lang), no_wrap=True, justify="right")
    table.add_column(header("unit", lang), overflow="fold", max_width=30)
    table.add_column(header("responsible", lang), overflow="fold", max_width=14)
    return table


def _item_row(table: Table, item: ItemView, lang: str) -> None:
    table.add_row(light_cell(item.light, lang), item.id, f"  {item.title}",
                  item.due.isoformat() if item.due else "—", days_cell(item, lang),
                  "", "", "", "", item.unit or "", item.owner or "")


def _more_row(table: Table, hidden: int, lang: str) -> None:
    table.add_row("", "", Text("  " + header("more", lang, n=hidden), style="muted"))


def _counts(tally: Tally) -> list[Text]:
    return [_count(tally.counts[light], light) for light in ("red", "yellow", "green", "done")]


def _shown(items: Sequence[ItemView], lights: Iterable[str] | None) -> list[ItemView]:
    if lights is None:
        return list(items)
    wanted = set(lights)
    return [i for i in items if i.light in wanted]


def project_table(projects: Sequence[ProjectView], *, lang: str, shown_lights: Iterable[str] | None,
                  limit: int) -> Table:
    """One row per project (light, counts, unit, leader) with its shown items beneath."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    table = _table(lang, header("project", lang) + " / " + header("item", lang))
    for project in projects:
        table.add_row(light_cell(project.light, lang), Text(project.code, style="project"),
                      Text(project.name, style="project"), "", "", *_counts(project.tally),
                      project.unit or "", project.leader or "")
        items = _shown(project.items, shown_lights)
        for item in items[:limit]:
            _item_row(table, item, lang)
        if len(items) > limit:
            _more_row(table, len(items) - limit, lang)
    return table


def group_table(groups: Sequence[Group], *, by: str, lang: str, shown_lights: Iterable[str] | None,
                limit: int) -> Table:
    """Items regrouped by responsible unit or owner, each group with its counts."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    table = _table(lang, header("group_unit" if by == "unit" else "group_owner", lang) + " / " + header("item", lang))
    for group in groups:
        table.add_row(light_cell(group.light, lang), "", Text(group.name or "—", style="project"), "", "",
                      *_counts(group.tally), "", "、".join(group.leaders))
        items = _shown(group.items, shown_lights)
        for item in items[:limit]:
            _item_row(table, item, lang)
        if len(items) > limit:
            _more_row(table, len(items) - limit, lang)
    return table


def totals_line(tally: Tally, as_of: date, lang: str) -> Text:
    names = LIGHT_NAMES["en" if lang == "en" else "zh"]
    text = Text(header("total", lang) + ("：" if lang != "en" else ": "))
    for i, light in enumerate(ALL_LIGHTS):
        if i:
            text.append("  ")
        text.append(f"{names[light]} {tally.counts[light]}", style=f"light.{light}")
    text.append(f"  （{header('as_of', lang)} {as_of.isoformat()}）" if lang != "en"
                else f"  ({header('as_of', lang)} {as_of.isoformat()})", style="muted")
    return text


def status_view(title: str | None, table: Table, tally: Tally, as_of: date, lang: str) -> RichGroup:
    parts = []
    if title:
        parts.append(Text(title, style="title"))
    parts.extend([table, Text(""), totals_line(tally, as_of, lang)])
    return RichGroup(*parts)
