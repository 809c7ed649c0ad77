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


def schedule_view(ledger, plan, as_of: date, settings, lang: str) -> RichGroup:
    """倒排工期 as a table: latest start and finish, earliest finish, slack, critical, light."""
    from .status import item_light

    en = lang == "en"
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name, kwargs in (
        ("ID" if en else "编号", {"no_wrap": True}),
        ("Item" if en else "事项", {"overflow": "fold", "ratio": 1, "min_width": 12}),
        ("Days" if en else "工期", {"justify": "right", "no_wrap": True}),
        ("After" if en else "前置", {"no_wrap": True}),
        ("Latest start" if en else "最晚开始", {"no_wrap": True}),
        ("Latest finish" if en else "最晚完成", {"no_wrap": True}),
        ("Earliest finish" if en else "最早完成", {"no_wrap": True}),
        ("Slack" if en else "浮动", {"justify": "right", "no_wrap": True}),
        ("Critical" if en else "关键", {"no_wrap": True}),
        (header("light", lang), {"no_wrap": True}),
    ):
        table.add_column(name, **kwargs)
    iso = lambda d: d.isoformat() if d else "—"  # noqa: E731
    for item, planned in zip(ledger.items, plan.items):
        node = item.due if item.due is not None else planned.finish
        light = item_light(item, node, as_of, settings.warn_days,
                           infeasible=planned.slack is not None and planned.slack < 0 and not planned.fixed,
                           start=planned.start)
        days = "◆" if planned.milestone else str(planned.duration)
        slack = "" if planned.fixed or planned.slack is None else str(planned.slack)
        table.add_row(item.id, item.title, days, ",".join(item.after), iso(planned.start),
                      iso(planned.finish), "" if planned.fixed else iso(planned.earliest_finish),
                      Text(slack, style="light.red" if planned.slack is not None and planned.slack < 0 and not planned.fixed else ""),
                      Text("★" if planned.critical else "", style="light.red"), light_cell(light, lang))
    head = Text(f"{ledger.code} {ledger.name}", style="title")
    head.append(("  calendar " if en else "  日历 ") + plan.calendar, style="muted")
    if plan.deadline:
        head.append(("  deadline " if en else "  最终节点 ") + plan.deadline.isoformat(), style="muted")
    open_slacks = [p.slack for p in plan.items if p.slack is not None and not p.fixed]
    if plan.forward_error is not None:
        from .i18n import message

        foot = Text(message("calendar_forward_unknown", lang, **plan.forward_error.args_,
                            as_of=as_of.isoformat()), style="light.yellow")
    elif not plan.feasible:
        short = -min(open_slacks)
        foot = Text((f"Cannot meet the time nodes as planned: {short} counted days short." if en
                     else f"按现有计划无法按期完成：最多差 {short} 个工作日（浮动为负的事项）。"), style="light.red")
    else:
        foot = Text("Feasible: every item can finish by its time node." if en
                    else "计划可行：每个事项都能在时间节点前完成。", style="light.green")
    return RichGroup(head, table, Text(""), foot)
