"""The terminal views of status and schedule, as lines of text (textable.py aligns them).
Nothing here prints: the CLI does."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

from . import textable
from .i18n import LIGHT_NAMES, header, light_word
from .status import ALL_LIGHTS, Group, ItemView, ProjectView, Tally
from .textable import Cell, Column


def light_cell(light: str, lang: str) -> Cell:
    """A light is a coloured *word*, so black-and-white output and paper still read."""
    return (light_word(light, lang), f"light.{light}")


def days_cell(item: ItemView, lang: str) -> Cell:
    if item.light == "done" and item.closed_on is not None:
        late = item.due is not None and item.closed_on > item.due
        word = ("逾期销号" if late else "销号") if lang != "en" else ("closed late" if late else "closed")
        return (f"{item.closed_on.strftime('%m-%d')} {word}", "muted")
    if item.days_left is None:
        return ("-", "muted")
    if item.days_left < 0:
        return (header("days_over", lang, n=-item.days_left), "light.red")
    if item.days_left == 0:
        return (header("today", lang), "light.yellow")
    return header("days_to", lang, n=item.days_left)


def _count(n: int, light: str) -> Cell:
    return (str(n), f"light.{light}" if n else "muted")


def _columns(lang: str, first: str) -> list[Column]:
    return [Column(header("light", lang)), Column(header("id", lang)), Column(first, flex=True),
            Column(header("due", lang)), Column(header("days_left", lang), right=True),
            *(Column(header(light, lang), right=True) for light in ("red", "yellow", "green", "done")),
            Column(header("unit", lang), max_width=30), Column(header("responsible", lang), max_width=14)]


def _item_row(item: ItemView, lang: str) -> list[Cell]:
    return [light_cell(item.light, lang), item.id, "  " + item.title,
            item.due.isoformat() if item.due else "-", days_cell(item, lang),
            "", "", "", "", item.unit or "", item.owner or ""]


def _more_row(hidden: int, lang: str) -> list[Cell]:
    return ["", "", ("  " + header("more", lang, n=hidden), "muted"), "", "", "", "", "", "", "", ""]


def _counts(tally: Tally) -> list[Cell]:
    return [_count(tally.counts[light], light) for light in ("red", "yellow", "green", "done")]


def _shown(items: Sequence[ItemView], lights: Iterable[str] | None) -> list[ItemView]:
    if lights is None:
        return list(items)
    wanted = set(lights)
    return [i for i in items if i.light in wanted]


class _Rows:
    def __init__(self) -> None:
        self.rows: list[list[Cell]] = []
        self.styles: list[str | None] = []

    def add(self, row: list[Cell], style: str | None = None) -> None:
        self.rows.append(row)
        self.styles.append(style)

    def items(self, items: Sequence[ItemView], lights, limit: int, lang: str) -> None:
        shown = _shown(items, lights)
        for item in shown[:limit]:
            self.add(_item_row(item, lang))
        if len(shown) > limit:
            self.add(_more_row(len(shown) - limit, lang))


def project_table(projects: Sequence[ProjectView], *, lang: str, shown_lights: Iterable[str] | None,
                  limit: int, width: int, color: bool) -> list[str]:
    """One row per project (light, counts, unit, leader) with its shown items beneath."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    rows = _Rows()
    for project in projects:
        rows.add([light_cell(project.light, lang), project.code, project.name, "", "",
                  *_counts(project.tally), project.unit or "", project.leader or ""], "project")
        rows.items(project.items, shown_lights, limit, lang)
    columns = _columns(lang, header("project", lang) + " / " + header("item", lang))
    return textable.render(columns, rows.rows, max_width=width, color=color, row_styles=rows.styles)


def group_table(groups: Sequence[Group], *, by: str, lang: str, shown_lights: Iterable[str] | None,
                limit: int, width: int, color: bool) -> list[str]:
    """Items regrouped by responsible unit or owner, each group with its counts."""
    shown_lights = list(shown_lights) if shown_lights is not None else None
    rows = _Rows()
    for group in groups:
        rows.add([light_cell(group.light, lang), "", group.name or "-", "", "", *_counts(group.tally),
                  "", "、".join(group.leaders)], "project")
        rows.items(group.items, shown_lights, limit, lang)
    first = header("group_unit" if by == "unit" else "group_owner", lang) + " / " + header("item", lang)
    return textable.render(_columns(lang, first), rows.rows, max_width=width, color=color,
                           row_styles=rows.styles)


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
    from .i18n import message
    from .status import item_light

    en = lang == "en"
    columns = [Column("ID" if en else "编号"), Column("Item" if en else "事项", flex=True),
               Column("Days" if en else "工期", right=True), Column("After" if en else "前置", max_width=20),
               Column("Latest start" if en else "最晚开始"), Column("Latest finish" if en else "最晚完成"),
               Column("Earliest finish" if en else "最早完成"), Column("Slack" if en else "浮动", right=True),
               Column("Critical" if en else "关键"), Column(header("light", lang))]
    iso = lambda d: d.isoformat() if d else "-"  # noqa: E731
    rows: list[list[Cell]] = []
    for item, planned in zip(ledger.items, plan.items):
        node = item.due if item.due is not None else planned.finish
        infeasible = planned.slack is not None and planned.slack < 0 and not planned.fixed
        light = item_light(item, node, as_of, settings.warn_days, infeasible=infeasible, start=planned.start)
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
