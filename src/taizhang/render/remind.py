"""督办通知: per responsible unit, the items a supervision notice carries (item, project, time
node, days overdue, who is responsible), as text, Markdown or printable HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from taizhang.domain.lights import OPEN_LIGHTS, Group, ItemView
from taizhang.i18n import LIGHT_NAMES, header, light_word, said


@dataclass
class Notice:
    title: str | None
    as_of: date
    groups: list[Group]


def _headers(lang: str) -> list[str]:
    if lang == "en":
        return ["ID", "Item", "Project", "Due", "Days overdue", "Owner", "Light"]
    return ["编号", "事项", "项目", "时间节点", "逾期天数", "责任人", "亮灯"]


def _row(item: ItemView, lang: str, group: str | None = None) -> list[str]:
    overdue = -item.days_left if item.days_left is not None and item.days_left < 0 else 0
    # A joint item goes on the notice of every unit it names; an assisting unit reads 配合.
    assist = group is not None and item.role(group) == "assist"
    marks = [header(mark, lang) for mark in ("assist" if assist else None, item.behind) if mark]
    return [item.id, item.title + said(marks, lang), item.project_name, item.due.isoformat() if item.due else "-",
            str(overdue), item.owner or "", light_word(item.light, lang)]


def _counts(group: Group, lang: str) -> list[tuple[str, int]]:
    names = LIGHT_NAMES["en" if lang == "en" else "zh"]
    return [(names[light], group.tally.counts[light]) for light in OPEN_LIGHTS
            if group.tally.counts[light]]


def _heading(lang: str) -> str:
    return "Supervision notice" if lang == "en" else "督办通知"


def to_text(notice: Notice, lang: str, width: int, color: bool) -> str:
    from taizhang.render import table as textable
    from taizhang.render.table import Cell, Column

    lines = [_heading(lang) + ((" " + notice.title) if notice.title else "")
             + (f"  (as of {notice.as_of})" if lang == "en" else f"（截至 {notice.as_of}）")]
    if not notice.groups:
        lines.append("No item to chase." if lang == "en" else "没有需要督办的事项。")
    # On a narrow terminal (table.fit) the project narrows (folding), then 责任人 goes.
    columns = [Column(h, right=(i == 4), flex=(i == 1), min_width=12 if i == 2 else None, drop=1 if i == 5 else 0)
               for i, h in enumerate(_headers(lang))]
    for group in notice.groups:
        counts = ("，" if lang != "en" else ", ").join(f"{name} {n}" for name, n in _counts(group, lang))
        leaders = "、".join(group.leaders)
        lines += ["", f"【{group.name or '-'}】 {counts}" + (f"  {'leader' if lang == 'en' else '责任领导'}：{leaders}" if leaders else "")]
        rows: list[list[Cell]] = [[*_row(i, lang, group.name)[:-1], (_row(i, lang)[-1], f"light.{i.light}")]
                                  for i in group.items]
        lines += textable.render(columns, rows, max_width=width, color=color)
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    from taizhang.domain.markdown import md_text

    return md_text(text)


def to_markdown(notice: Notice, lang: str) -> str:
    lines = [f"# {_heading(lang)}", ""]
    if notice.title:
        lines += [_md_cell(notice.title), ""]
    lines += [("As of " if lang == "en" else "截至 ") + notice.as_of.isoformat(), ""]
    if not notice.groups:
        lines.append("No item to chase." if lang == "en" else "没有需要督办的事项。")
    for group in notice.groups:
        counts = ("，" if lang != "en" else ", ").join(f"{name} {n}" for name, n in _counts(group, lang))
        lines += [f"## {_md_cell(group.name or '-')}（{counts}）", ""]
        if group.leaders:
            lines += [("Leader: " if lang == "en" else "责任领导：") + _md_cell("、".join(group.leaders)), ""]
        headers = _headers(lang)
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---:" if i == 4 else "---" for i in range(len(headers))) + "|")
        for item in group.items:
            lines.append("| " + " | ".join(_md_cell(c) for c in _row(item, lang, group.name)) + " |")
        lines.append("")
    return "\n".join(lines)


def to_html(notice: Notice, lang: str) -> str:
    """Printable HTML; every value is escaped by the template engine (autoescape)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("taizhang.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    en = lang == "en"
    groups = [{"name": g.name or "-", "counts": _counts(g, lang), "leaders": "、".join(g.leaders),
               "rows": [dict(zip(("id", "title", "project", "due", "overdue", "owner", "light_word"), _row(i, lang, g.name)),
                             light=i.light) for i in g.items]}
              for g in notice.groups]
    return env.get_template("remind.html").render(
        en=en, heading=_heading(lang), title=notice.title, as_of=notice.as_of.isoformat(),
        as_of_label="As of" if en else "截至", leader_label="Leader" if en else "责任领导",
        headers=_headers(lang), groups=groups,
        nothing="No item to chase." if en else "没有需要督办的事项。")


def open_groups(groups: Sequence[Group]) -> list[Group]:
    """Groups with their open items only, most overdue first."""
    result = []
    for group in groups:
        items = sorted((i for i in group.items if i.light != "done"),
                       key=lambda i: (i.days_left if i.days_left is not None else 10**6, i.id))
        if items:
            result.append(Group(group.name, group.leaders, items, group.tally))
    return result
