"""The cells a CSV export carries beside its table, written and read in one place: what an xlsx
export keeps in companion sheets (the project's own fields, every note, every amount, the other
fields) as one cell per row, a line per companion row, readable by a clerk and read back exactly.

A line is `head：value` (`: ` in English). In a value a backslash, a line break and a carriage
return are written `\\\\`, `\\n`, `\\r`, so that every entry is one line; a head escapes the
separators (`：`, `:`) as well, so the first unescaped one ends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

# The one place a CSV export's extra columns are named: (role, zh header, en header). Import
# recognises them (exchange.columns.HEADER_SYNONYMS) and reads them only when all are there.
CSV_COMPANION_COLUMNS: list[tuple[str, str, str]] = [
    ("project_fields", "项目本级信息", "Project fields"),
    ("all_notes", "全部进展记录", "All reports"),
    ("all_amounts", "投资明细（万元）", "Investment detail (万元)"),
    ("other_fields", "其他字段", "Other fields"),
]

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "：": "：", ":": ":"}


class CellError(ValueError):
    """A line of a companion cell that does not read."""


def escape(text: str, head: bool = False) -> str:
    """`text` on one line: backslash, LF and CR escaped; in a head also the separators."""
    out = "".join(_ESCAPES.get(ch, ch) for ch in text)
    return out.replace("：", "\\：").replace(":", "\\:") if head else out


def unescape(text: str) -> str:
    """`escape` undone. A backslash before anything it does not escape is an error."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _UNESCAPES:
                raise CellError(text)
            out.append(_UNESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _sep(lang: str) -> str:
    return ": " if lang == "en" else "："


def split_line(line: str) -> tuple[str, str]:
    """(head, value) of `head：value` or `head: value`, both unescaped."""
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "：":
            return unescape(line[:i]), unescape(line[i + 1:])
        if ch == ":" and line[i + 1:i + 2] == " ":
            return unescape(line[:i]), unescape(line[i + 2:])
        i += 1
    raise CellError(line)


def _lines(cell: str) -> list[str]:
    return [line for line in cell.replace("\r\n", "\n").split("\n") if line]


# --- the project's own fields (a row of the companion sheet 项目 / Projects) -------------------

def project_cell(headers: Sequence[str], row: Sequence[Any], lang: str) -> str:
    """A project's row of the companion sheet as `header：value` lines (the code, which the
    table's row says, left out; empty fields too)."""
    return "\n".join(f"{escape(h, head=True)}{_sep(lang)}{escape(_text(v))}"
                     for h, v in zip(headers[1:], row[1:]) if v is not None)


def read_project_cell(cell: str, headers: Iterable[Sequence[str]]) -> dict[int, str]:
    """`project_cell` read: column index (in the companion sheet) → value as written."""
    index = {h: i for names in headers for i, h in enumerate(names)}
    out = {}
    for line in _lines(cell):
        head, value = split_line(line)
        if head not in index or index[head] == 0:
            raise CellError(line)
        out[index[head]] = value
    return out


# --- every note of an item (rows of the companion sheet 进展 / Notes) --------------------------

_NOTE_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: (.*))?$", re.DOTALL)


def notes_cell(rows: Iterable[Sequence[Any]], lang: str) -> str:
    """An item's notes, oldest first, a line each: `2018-05-22 吴鹏：text` (`2018-05-22：text`
    without a reporter)."""
    lines = []
    for _item, day, by, text in rows:
        head = day.isoformat() + (" " + escape(by, head=True) if by is not None else "")
        lines.append(f"{head}{_sep(lang)}{escape(text)}")
    return "\n".join(lines)


def read_notes_cell(cell: str) -> list[dict[str, Any]]:
    """`notes_cell` read: the notes as the ledger holds them (`date`, `by`, `text`)."""
    out = []
    for line in _lines(cell):
        head, text = split_line(line)
        m = _NOTE_HEAD.match(head)
        if m is None or not text:
            raise CellError(line)
        try:
            day = date.fromisoformat(m.group(1))
        except ValueError:
            raise CellError(line) from None
        out.append({"date": day, "by": m.group(2) or None, "text": text})
    return out


# --- every amount of a project (rows of the companion sheet 投资 / Investment) ---------------

_AMOUNT_HEADS = {
    "zh": {"total": "总投资", "planned": "{period}年计划", "completed": "{period}完成"},
    "en": {"total": "Total", "planned": "Planned {period}", "completed": "Completed {period}"},
}
_AMOUNT_HEAD = re.compile(r"^(?:(?P<total>总投资|Total)|(?P<year>\d{4})年计划|Planned (?P<year_en>\d{4})|"
                          r"(?P<month>\d{4}-\d{2})完成|Completed (?P<month_en>\d{4}-\d{2}))$")


def amounts_cell(rows: Iterable[Sequence[Any]], lang: str) -> str:
    """A project's amounts in 万元, a line each: `总投资：1200`, `2018年计划：300`,
    `2018-03完成：50`."""
    heads = _AMOUNT_HEADS["en" if lang == "en" else "zh"]
    return "\n".join(f"{heads[kind].format(period=period)}{_sep(lang)}{amount}" for _code, kind, period, amount in rows)


def read_amounts_cell(cell: str) -> list[tuple[str, str | None, str]]:
    """`amounts_cell` read: (kind, period, amount) as the companion sheet's rows say them."""
    out: list[tuple[str, str | None, str]] = []
    for line in _lines(cell):
        head, amount = split_line(line)
        m = _AMOUNT_HEAD.match(head)
        if m is None:
            raise CellError(line)
        if m.group("total"):
            out.append(("total", None, amount))
        elif m.group("year") or m.group("year_en"):
            out.append(("planned", m.group("year") or m.group("year_en"), amount))
        else:
            out.append(("completed", m.group("month") or m.group("month_en"), amount))
    return out


# --- the other fields (rows of the companion sheet 其他字段 / Other fields) -------------------

def fields_cell(rows: Iterable[Sequence[Any]], lang: str) -> str:
    """The project's and the item's other fields, a line each: `YT2-3 leader：张三`, the value
    in YAML on one line (`YT2-3 apply：{date: 2018-06-01, by: 李四}`)."""
    return "\n".join(f"{escape(f'{key} {field}', head=True)}{_sep(lang)}{escape(value)}" for key, field, value in rows)


def read_fields_cell(cell: str) -> list[tuple[str, str, str]]:
    """`fields_cell` read: (project code or item id, field, value as YAML text)."""
    out = []
    for line in _lines(cell):
        head, value = split_line(line)
        key, _, name = head.partition(" ")
        if not key or not name:
            raise CellError(line)
        out.append((key, name, value))
    return out


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
