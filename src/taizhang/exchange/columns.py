"""The columns of a 台账 table: which column is what (header words and their synonyms, kept as
data), and each data row read into a Record — dates, amounts, ids, units, 销号 — with every cell
that cannot be read a problem at `FILE:ROW:COL`.

Offices keep a sheet their own way: a title above the header, a header row somewhere in the
first rows (Chinese column names and their synonyms, units in brackets), a project name merged
over its rows, program banners (`一、双十工程`), totals and footnotes, dates as cells or as
phrases. The header is found by its words; the rows below it are read by the columns found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from taizhang.domain.amounts import AmountError, format_wan, parse_amount
from taizhang.domain.dates import DateError, parse_date, parse_duration
from taizhang.domain.durations import written_duration
from taizhang.domain.ids import is_code, is_item_id, is_reserved_name, split_item_id
from taizhang.domain.models import STAGES
from taizhang.domain.terms import parse_term
from taizhang.errors import Problem, TaizhangError
from taizhang.exchange.cells import CSV_COMPANION_COLUMNS
from taizhang.exchange.readers import Sheet, cell_text, written_text

HEADER_SCAN = 12  # the header row is looked for in the first rows of a sheet

# --- the table's columns --------------------------------------------------------------------

# (field, zh header, en header) of an export, in order. Import recognises these too (by
# HEADER_SYNONYMS below), so that an exported sheet imports again.
EXPORT_COLUMNS: list[tuple[str, str, str]] = [
    ("code", "项目代码", "Code"),
    ("project", "项目名称", "Project"),
    ("program", "所属工程", "Program"),
    ("stage", "建设性质", "Stage"),
    ("item_id", "编号", "ID"),
    ("title", "事项", "Item"),
    ("kind", "类型", "Kind"),
    ("unit", "责任单位", "Unit"),
    ("leader", "责任领导", "Leader"),
    ("owner", "责任人", "Owner"),
    ("due", "时间节点", "Time node"),
    ("node_source", "节点来源", "Time node from"),
    ("duration", "工期（天）", "Duration (days)"),
    ("after", "前置事项", "After"),
    ("light", "亮灯", "Light"),
    ("days_left", "剩余天数", "Days left"),
    ("closed_on", "销号日期", "Closed on"),
    ("closed_by", "销号人", "Closed by"),
    ("closed_note", "销号说明", "Close note"),
    ("evidence", "佐证材料", "Evidence"),
    ("measures", "整改措施", "Measures"),
    ("progress", "最新进展", "Latest report"),
    ("progress_date", "进展日期", "Report date"),
    ("progress_by", "汇报人", "Reported by"),
    ("deadline", "项目最终节点", "Project deadline"),
    ("calendar", "日历", "Calendar"),
    ("total", "总投资（万元）", "Total investment (万元)"),
    ("planned", "{year}年计划投资（万元）", "Planned {year} (万元)"),
    ("completed", "{year}年累计完成投资（万元）", "Completed {year} to date (万元)"),
]

_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")  # a bracketed part of a header (its unit)

# Header synonyms: (field, the header words that name it, as a regular expression), matched
# against the header text without spaces and bracketed parts (`总投资（亿元）` → `总投资`, unit
# 亿元). First match wins; the order matters.
HEADER_SYNONYMS: list[tuple[str, str]] = [
    # A CSV export's companion columns (exchange.cells), by their own headers only.
    *((role, re.escape(_BRACKETS.sub("", zh)) + "|" + re.escape(_BRACKETS.sub("", en).replace(" ", "")))
      for role, zh, en in CSV_COMPANION_COLUMNS),
    ("seq", r"序号|序|No\.?|#"),
    ("code", r"项目代码|代码|项目编码|Code"),
    ("project_no", r"项目编号"),
    ("item_id", r"编号|事项编号|ID"),
    ("project", r"项目名称|项目|名称|项目名|Project"),
    ("title_task", (r"事项|工作任务|任务|目标任务|民生实事|实事项目|民生工程|工作内容|节点任务|时间节点任务|推进事项|重点任务|具体任务|年度目标|"
                    r"年度目标任务|主要任务|工作事项|督办事项|Item|Title")),
    ("title_problem", r"问题|存在问题|问题描述|存在的问题|问题及困难|困难问题|问题清单"),
    ("title_content", r"建设内容|主要建设内容|建设内容及规模|建设规模及内容|项目内容"),
    ("kind", r"类型|事项类型|Kind"),
    ("unit", r"责任单位|牵头单位|主责单位|责任部门|牵头部门|责任主体|Unit"),
    # Units that assist the lead (SPEC §7 joint units: the lead first, then the assisting ones).
    ("assist", r"配合单位|配合部门|协办单位|协助单位|协同单位|配合责任单位|Assistingunits?"),
    ("leader", r"责任领导|分包领导|分管领导|联系领导|包抓领导|牵头领导|Leader"),
    ("owner", r"责任人|具体责任人|项目负责人|Owner"),
    ("due", (r"时间节点|完成时限|完成时间|时限|截止时间|截止日期|计划完成时间|计划完成日期|完成期限|办结时限|整改时限|"
             r"整改期限|Timenode|Due")),
    ("node_source", r"节点来源|Timenodefrom"),
    ("duration", r"工期|Duration"),
    ("after", r"前置事项|前置|After"),
    ("progress", r"进展情况|进展|工作进展|推进情况|完成情况|最新进展|进度情况|工作推进情况|整改进展|整改情况|Latestreport|Progress"),
    ("progress_date", r"进展日期|汇报日期|Reportdate"),
    ("progress_by", r"汇报人|Reportedby"),
    ("closed", r"是否销号|销号情况|销号|是否完成|完成状态|状态|是否办结|Status"),
    ("closed_on", r"销号日期|销号时间|实际完成时间|实际完成日期|办结日期|Closedon"),
    ("closed_by", r"销号人|Closedby"),
    ("closed_note", r"销号说明|Closenote"),
    ("evidence", r"佐证材料|佐证|Evidence"),
    ("measures", r"整改措施|措施|推进措施|Measures"),
    ("program", r"所属工程|工程|专项|工程类别|Program"),
    ("stage", r"建设性质|建设阶段|项目性质|Stage"),
    ("deadline", r"项目最终节点|最终节点|计划竣工时间|竣工时间|Projectdeadline"),
    ("calendar", r"日历|Calendar"),
    ("total", r"总投资|计划总投资|总投资额|项目总投资|Totalinvestment"),
    ("planned", r"(?:\d{4}年?)?(?:年度计划投资|年度投资计划|计划投资|本年计划投资|年度计划|Planned\d{4}|Planned)"),
    # Investment completed to date (the year's, as 已完成投资 or an export's 累计完成投资 say).
    ("completed", r"(?:\d{4}年?)?(?:已完成投资|(?:累计|已)?完成投资(?:额)?|累计完成|(?:本年|年度|今年)?已?完成(?:额)?|"
                  r"Completed\d{4}todate|Completed.*)"),
    # Remarks (备注): a note on the item, or its 销号 when they say so (已销号).
    ("remarks", r"备注|备注说明|备注情况|其他说明|Remarks"),
    # Read by people, computed by taizhang: known, and left out without a word.
    ("derived", r"亮灯|亮灯情况|剩余天数|逾期天数|Light|Daysleft|.*累计完成.*"),
]
# What each column becomes, in words (`--dry-run` says it of each column): zh, en.
ROLE_WORDS: dict[str, tuple[str, str]] = {
    "seq": ("序号（不导入）", "row number (not imported)"), "code": ("项目代码", "project code"),
    "project_no": ("项目编号", "project number"), "item_id": ("事项编号", "item id"),
    "project": ("项目名称", "project"), "title": ("事项", "item title"), "kind": ("类型", "kind"),
    "unit": ("责任单位", "unit"), "assist": ("配合单位（排在牵头单位之后）", "assisting units (after the lead)"),
    "leader": ("责任领导", "leader"), "owner": ("责任人", "owner"),
    "due": ("时间节点", "time node"), "node": ("节点内容（事项或时间节点的原话）", "milestone text (items or the node's wording)"),
    "node_source": ("节点来源", "node source"), "duration": ("工期", "duration"), "after": ("前置事项", "predecessors"),
    "progress": ("进展（记为进展情况）", "progress (a note)"), "progress_date": ("进展日期", "report date"),
    "progress_by": ("汇报人", "reported by"), "closed": ("是否销号", "closed"), "closed_on": ("销号日期", "close date"),
    "closed_by": ("销号人", "closed by"), "closed_note": ("销号说明", "close note"), "evidence": ("佐证材料", "evidence"),
    "measures": ("整改措施", "measures"), "program": ("所属工程", "program"), "stage": ("建设性质", "stage"),
    "deadline": ("项目最终节点", "project deadline"), "calendar": ("日历", "calendar"),
    "total": ("总投资", "total investment"), "planned": ("年度计划投资", "planned investment"),
    "completed": ("已完成投资", "completed investment"),
    "remarks": ("备注（记为进展“备注：…”；写明已销号、已办结的即销号）",
                "remarks (a note “备注：…”; 已销号 or 已办结 closes the item)"),
    "grouping": ("项目说明（合并单元格，不作事项）", "project description (merged cells, not items)"),
    "title_node": ("事项及其时间节点（如 3月底前完成征收）", "items with their dates (e.g. 3月底前完成征收)"),
    # A CSV export's companion columns, by their own headers (one table names them: cells).
    **{role: (_BRACKETS.sub("", zh) + "（导出时写入）", _BRACKETS.sub("", en).strip() + " (of an export)")
       for role, zh, en in CSV_COMPANION_COLUMNS},
}


def role_of(name: str) -> str:
    """A column's role as ROLE_WORDS knows it (the three kinds of item column are one role)."""
    return "title" if name in _TITLE_FIELDS else name


_SYNONYM_RES = [(name, re.compile(rf"^(?:{pattern})$", re.IGNORECASE)) for name, pattern in HEADER_SYNONYMS]
_TITLE_FIELDS = ("title_task", "title_problem", "title_content")
_PROJECT_FIELDS = ("project", "code")
_UNIT_IN = re.compile(r"(亿元|万元|亿|万|元)")
_YEAR_IN = re.compile(r"((?:19|20)\d\d)")
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass
class Column:
    field: str
    col: int  # 0-based
    label: str  # the header as written (for messages)
    unit: str | None = None  # 亿 / 万 / 元 for bare numbers in an amount column
    year: int | None = None  # the year a 计划投资 column is about


def match_header(text: str, unit_hint: str | None = None,
                 default_unit: str | None = None) -> tuple[str | None, str | None, int | None]:
    """(field, unit, year) a header cell names, or (None, …) for a column we do not know.
    `unit_hint` is the unit of a heading above the cell (`投资情况（亿元）`), `default_unit` the
    one written above the table (`单位：万元`: it gives amounts their unit, but does not make a
    column headed 已完成 one of amounts — its cells must, `amount_by_content`)."""
    raw = _SPACES.sub("", text)
    if not raw:
        return None, None, None
    own_unit = _bracket_unit(raw) or (raw[-2] if raw.endswith(("亿元", "万元")) else None)
    year_match = _YEAR_IN.search(raw)
    base = _BRACKETS.sub("", raw).rstrip(":：")
    if raw.endswith(("亿元", "万元")) and not _BRACKETS.search(raw):
        base = base[:-2]
    for name, pattern in _SYNONYM_RES:
        if pattern.match(base):
            unit = own_unit or unit_hint
            if _NEEDS_UNIT.match(base) and not unit:
                # 年度计划 without 投资 or a unit is a text of goals, 已完成 a status, unless
                # their cells are amounts (`amount_by_content`).
                return None, None, None
            return name, unit or default_unit, int(year_match.group(1)) if year_match else None
    return None, None, None


# Investment headers that say 投资 only through a unit (their own, a heading's, `单位：万元`
# above the table) or through their cells, which must then be amounts: 年度计划, 已完成.
_NEEDS_UNIT = re.compile(r"^(?:\d{4}年?)?(?:年度计划|本年计划|计划|(?:本年|年度|今年)?已?完成(?:额)?)$")


def amount_by_content(text: str, cells: list[Any]) -> str | None:
    """`planned` or `completed` for a column headed 年度计划 or 已完成 without a unit whose
    cells are amounts (numbers, or `1.2亿`, `5000万元`): confirmed by its contents."""
    base = _BRACKETS.sub("", _SPACES.sub("", text))
    if not _NEEDS_UNIT.match(base):
        return None
    filled = [v for v in cells if cell_text(v)]
    amounts = [v for v in filled if _is_amount(v)]
    if not filled or len(amounts) * 5 < len(filled) * 4:
        return None
    return "completed" if "完成" in base else "planned"


def _is_amount(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    text = cell_text(value).replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return True
    try:
        parse_amount(text)
    except AmountError:
        return False
    return True


def _bracket_unit(text: str) -> str | None:
    """亿 / 万 / 元 as a bracketed part of a header names it (`总投资（亿元）`)."""
    m = _UNIT_IN.search("".join(_BRACKETS.findall(_SPACES.sub("", text))))
    return m.group(1)[0] if m else None


def cell_address(line: int, col: int, sheet: str | None = None) -> str:
    """A cell as a spreadsheet names it: `D7`, or `Sheet1!D7` in a workbook of sheets (a sheet
    name with spaces or punctuation quoted as Excel quotes it: `'重点 项目'!D7`)."""
    letters, n = "", max(col, 1)
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    cell = f"{letters}{max(line, 1)}"
    if not sheet:
        return cell
    plain = re.fullmatch(r"[\w\u3400-\u9fff]+", sheet) and not re.match(r"\d", sheet)
    return f"{sheet}!{cell}" if plain else "'" + sheet.replace("'", "''") + f"'!{cell}"


@dataclass(frozen=True)
class CellProblem(Problem):
    """A cell that cannot be read, named as a spreadsheet names it (`表.xlsx:Sheet1!D7: …`);
    a date, amount or duration is said about its column (`完成时限：日期“2月30日”不存在`)."""

    column: str = ""
    sheet: str | None = None

    def render(self, lang: str = "zh") -> str:
        from taizhang.i18n import message

        sep = ": " if lang == "en" else "："
        text = (f"{self.column}{sep}" if self.column else "") + message(self.key, lang, **self.args)
        return f"{self.path}:{cell_address(self.line, self.col, self.sheet)}: {text}"


# --- the header -----------------------------------------------------------------------------

@dataclass
class Header:
    row: int  # 0-based index of the (last) header row
    columns: dict[str, Column]
    ignored: list[str]  # headers of columns not imported
    first_data: int
    default_unit: str | None = None  # `单位：亿元` written above the table
    title_row: str | None = None  # the table's title above the header (`2016年民生实事分解表`)
    title_cell: tuple[int, int] | None = None  # its cell (row, column, 0-based), if it is one of the sheet's

    def get(self, name: str) -> Column | None:
        return self.columns.get(name)

    @property
    def title(self) -> Column | None:
        for name in _TITLE_FIELDS:
            if name in self.columns:
                return self.columns[name]
        return None


def _heading_unit(sheet: Sheet, r: int, c: int) -> str | None:
    """The unit a heading over column `c` in row `r` gives (`投资情况（亿元）`): the cell's own,
    or, where the cell is blank (a merged heading saved as CSV), the nearest text to its left."""
    if r < 0:
        return None
    k = c
    while k > 0 and not sheet.text(r, k):
        k -= 1
    return _bracket_unit(sheet.text(r, k))


def _row_fields(sheet: Sheet, r: int, above: str | None = None) -> dict[int, tuple[str, str | None, int | None]]:
    """The known columns a header row names; `above`: the unit written above the table."""
    out = {}
    for c in range(len(sheet.rows[r])):
        text = sheet.text(r, c)
        if not text:
            continue
        name, unit, year = match_header(text, unit_hint=_heading_unit(sheet, r - 1, c), default_unit=above)
        if name is not None:
            out[c] = (name, unit, year)
    return out


_COMPANION_ROLES = frozenset(role for role, _, _ in CSV_COMPANION_COLUMNS)
HeaderFields = dict[int, tuple[str, str | None, int | None]]


def _known(*rows: HeaderFields) -> tuple[HeaderFields, ...]:
    """Header rows' fields without a CSV export's companion columns unless all of them are
    there: only an export has them, all together; one alone is a column of the office's own
    that happens to be named so, and is left out as any unknown column is (as it always was)."""
    if _COMPANION_ROLES <= {name for row in rows for name, _, _ in row.values()}:
        return rows
    return tuple({c: v for c, v in row.items() if v[0] not in _COMPANION_ROLES} for row in rows)


def find_header(sheet: Sheet, shown: str) -> Header:
    """The header row: among the first rows, the one naming the most known columns (a project
    or a task among them). A row below it that names columns under a heading spanning several
    columns (`投资情况（亿元）` over `总投资 | 年度计划投资`) completes it, units included."""
    best, best_score = None, 0
    above: list[str | None] = []  # the unit a `单位：万元` line above each row gives
    unit = None
    for r in range(min(HEADER_SCAN + 1, len(sheet.rows))):
        above.append(unit)
        for c in range(len(sheet.rows[r])):
            m = re.search(r"单位[:：]\s*(亿元|万元|元)", sheet.text(r, c))
            if m:
                unit = m.group(1)[0]
    for r in range(min(HEADER_SCAN, len(sheet.rows))):
        fields = {f for f, _, _ in _known(_row_fields(sheet, r, above[r]))[0].values() if f not in ("derived", "seq")}
        if not fields & {*_PROJECT_FIELDS, *_TITLE_FIELDS}:
            continue
        if len(fields) > best_score:
            best, best_score = r, len(fields)
    if best is None or best_score < 2:
        raise TaizhangError(Problem(shown, 0, 0, "import_no_header", {"rows": HEADER_SCAN}))
    default_unit = above[best]  # units written once above the table (`单位：万元`)
    top_fields = _known(_row_fields(sheet, best, default_unit))[0]
    sub_fields: dict[int, tuple[str, str | None, int | None]] = {}
    if best + 1 < len(sheet.rows):
        top_fields, candidate = _known(_row_fields(sheet, best, default_unit),
                                       _row_fields(sheet, best + 1, default_unit))
        if candidate and any((best, c) in sheet.across or c not in top_fields for c in candidate) and \
                not any(isinstance(v, (int, float, datetime, date)) for v in sheet.rows[best + 1]):
            sub_fields = candidate
    last = best + 1 if sub_fields else best
    columns: dict[str, Column] = {}
    ignored: list[str] = []
    if not sub_fields:
        top_fields = _known(_row_fields(sheet, best, default_unit))[0]
    for c in range(max(len(sheet.rows[r]) for r in range(best, last + 1))):
        top, lower = top_fields.get(c), sub_fields.get(c)
        use_lower = lower is not None and (top is None or (best, c) in sheet.across)
        choice = lower if use_lower else top
        label = sheet.text(last if use_lower else best, c)
        if choice is None:
            text = sheet.text(last, c) or sheet.text(best, c)
            cells = [sheet.value(r, c) for r in range(last + 1, min(len(sheet.rows), last + 201))]
            amount = amount_by_content(text, cells) if text else None
            if amount is not None and amount not in columns:
                year_match = _YEAR_IN.search(text)
                columns[amount] = Column(amount, c, text.replace("\n", ""), default_unit,
                                         int(year_match.group(1)) if year_match else None)
                continue
            if text and (best, c) not in sheet.across:
                ignored.append(text.replace("\n", ""))
            continue
        name, unit, year = choice
        if name == "derived":
            continue
        if name in columns:
            if name == "due" and "node" not in columns:
                # 时间节点 beside 完成时限: which holds dates and which milestones, their cells say.
                columns["node"] = Column("node", c, label.replace("\n", ""), unit, year)
                continue
            ignored.append(label.replace("\n", ""))
            continue
        columns[name] = Column(name, c, label.replace("\n", ""), unit, year)
    title = _title_row(sheet, best)
    header = Header(last, columns, ignored, last + 1, default_unit,
                    title_row=title[0] if title else sheet.title, title_cell=title[1:] if title else None)
    _settle_time_columns(sheet, header)
    return header


def _title_row(sheet: Sheet, header_row: int) -> tuple[str, int, int] | None:
    """The table's title and its cell (row, column, 0-based): the first row above the header
    holding one text alone (a merged `2016年民生实事分解表`), without a `单位：` or `填报单位` line."""
    for r in range(header_row):
        cells = [(c, sheet.text(r, c)) for c in range(len(sheet.rows[r])) if sheet.text(r, c)]
        if len({text for _, text in cells}) == 1:
            text = _one_line(cells[0][1])
            if not re.match(r"^(填报|单位[:：]|附件|附表)", text) and not re.fullmatch(r"附件\s*\d*", text):
                c = cells[0][0]
                return (text, *sheet.origin.get((r, c), (r, c)))
    return None


# Words of a date phrase (and what stands around one): a cell that has more than these is a
# milestone written with its date (`3月底前完成征收`), not a date alone.
_DATE_WORDS = re.compile(r"[\d\s年月日号底前初中下上旬季度半末内之以截至最迟份周星期天至到\-/.～~、，,（）()不含个工作一二三四五六七八九十元春节国庆五一七双旦]")


def has_action(text: str) -> bool:
    """Whether a time-node cell says what is to be done as well as when."""
    return len(_DATE_WORDS.sub("", text)) >= 2


def _settle_time_columns(sheet: Sheet, header: Header) -> None:
    """Of two time columns (`时间节点` and `完成时限`), the one whose cells read as dates alone is
    the item's time node (`due`); the other holds milestones written with their dates (`node`).
    A single time column of such milestones stays `due` (its date is read, its words kept)."""
    due, node = header.columns.get("due"), header.columns.get("node")
    if due is None:
        _dates_by_content(sheet, header)
    if due is None or node is None:
        return

    def dateness(column: Column) -> int:
        score = 0
        for r in range(header.first_data, min(len(sheet.rows), header.first_data + 200)):
            value = sheet.value(r, column.col)
            text = sheet.text(r, column.col)
            if isinstance(value, (date, datetime)):
                score += 1
            elif text and has_action(text):
                score -= 1
            elif text:
                score += 1
        return score

    if dateness(node) > dateness(due):
        header.columns["due"] = Column("due", node.col, node.label, node.unit, node.year)
        header.columns["node"] = Column("node", due.col, due.label, due.unit, due.year)


_DAY_TEXT = re.compile(r"^\s*(?:\d{4}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*[日号]?)?|\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"
                       r"(?:底|份|中旬|下旬|上旬)?)\s*(?:前|之前|以前)?\s*$")


def _dates_by_content(sheet: Sheet, header: Header) -> None:
    """A sheet without a time column by name: a column whose header names nothing known but
    whose cells are dates (cells of dates, or texts such as 2018-06-30, 6月底前) is one."""
    known = {column.col for column in header.columns.values()}
    width = max((len(sheet.rows[r]) for r in range(max(0, header.row - 1), header.row + 1)), default=0)
    for c in range(width):
        label = sheet.text(header.row, c).replace("\n", "")
        if c in known or not label:
            continue
        cells = [sheet.value(r, c) for r in range(header.first_data, min(len(sheet.rows), header.first_data + 200))]
        filled = [v for v in cells if v is not None and cell_text(v)]
        dates = [v for v in filled if isinstance(v, (date, datetime)) or _DAY_TEXT.match(cell_text(v))]
        if len(filled) >= 2 and len(dates) * 5 >= len(filled) * 4:
            header.columns["due"] = Column("due", c, label)
            if label in header.ignored:
                header.ignored.remove(label)
            return


# --- rows -----------------------------------------------------------------------------------

@dataclass
class Record:
    """One data row, read."""

    row: int  # 1-based, as a spreadsheet numbers it
    project: str | None = None
    project_col: int = 0
    code: str | None = None
    title: str | None = None
    title_col: int = 0
    item_id: str | None = None
    kind: str | None = None
    unit: str | None = None
    leader: str | None = None
    owner: str | None = None
    due: date | None = None
    due_wording: str | None = None  # the clerk's phrase (`9月底前`), kept as a comment
    due_computed: bool = False
    due_term: str | None = None  # a due that is not one date (长期坚持, 每月25日前), as written
    node: str | None = None  # a milestone written with its date (`3月底前完成征收`)
    duration: int | str | None = None
    after: list[str] = field(default_factory=list)
    after_col: int = 0
    progress: str | None = None
    progress_date: date | None = None
    progress_by: str | None = None
    closed: bool | None = None  # None: nothing said; True/False as the 是否销号 column says
    closed_text: str | None = None  # what the status cell said beyond yes (kept as the note)
    closed_on: date | None = None
    closed_col: int | None = None  # the cell that dates the 销号 (销号日期, else 是否销号)
    closed_by: str | None = None
    closed_note: str | None = None
    evidence: str | None = None
    measures: str | None = None
    remark: str | None = None  # 备注 that is not a 销号: kept as a note `备注：…`
    program: str | None = None  # the row's 所属工程 column
    section: str | None = None  # the section row above it (`一、双十工程`)
    stage: str | None = None
    deadline: date | None = None
    calendar: str | None = None
    total: str | None = None
    planned: str | None = None
    planned_year: int | None = None
    completed: str | None = None
    completed_month: str | None = None
    # A CSV export's companion cells (exchange.cells), as written: role → (text, column).
    companion: dict[str, tuple[str, int]] = field(default_factory=dict)


_YES = {"是", "已销号", "销号", "已完成", "完成", "已办结", "办结", "已", "√", "✓", "✔", "y", "yes", "done", "closed",
        "true", "1", "ok"}
_NO = {"否", "未销号", "未完成", "未", "进行中", "推进中", "正在推进", "在建", "×", "✗", "n", "no", "open", "false",
       "0", "-", "—", "/", "无"}
_KINDS = {"任务": "task", "task": "task", "工作任务": "task", "节点": "milestone", "里程碑": "milestone",
          "milestone": "milestone", "问题": "problem", "problem": "problem"}
_CALENDARS = {"natural": "natural", "自然日": "natural", "workdays": "workdays", "工作日": "workdays",
              "法定工作日": "workdays", "weekdays": "weekdays", "周一至周五": "weekdays"}
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类批]?[、:：\s]?)")
# Terms written where a date goes. 立行立改 (put right at once) is due the day it is set; an
# ongoing duty the models read as a term (长期坚持, 持续推进, 常态化: domain.terms) is kept as
# written, and one in other words (长期, 持续) is said at its cell.
IMMEDIATE = {"立行立改", "立即整改", "即知即改", "马上办", "立即办理"}
ONGOING = {"长期坚持", "持续推进", "常态化", "常态化推进", "长期", "持续", "长期推进", "持续开展"}
_TOTALS = {"合计", "总计", "小计", "共计", "total"}
_FOOTER = ("注：", "注:", "备注：", "备注:", "说明：", "说明:", "填报单位", "填表人", "填报人", "审核人", "制表", "填表日期",
           "联系电话", "填报日期", "审核：", "审核:")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Context:
    """One reading of a file: what phrases are read against, and every problem found (one per
    cell and message)."""

    path: str  # the file as shown in messages
    as_of: date
    year: int  # for phrases without a year
    sheet: str | None = None  # the sheet's name in a workbook (cells are named `Sheet1!D7`)
    problems: list[Problem] = field(default_factory=list)
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    _seen: set[tuple[int, int, str]] = field(default_factory=set)

    def _add(self, row: int, col: int, problem: Callable[[int, int], Problem]) -> None:
        # A value merged over several rows is wrong once, at the cell that holds it.
        r, c = self.origin.get((row - 1, col), (row - 1, col))
        made = problem(r + 1, c + 1)
        if (r, c, made.key) not in self._seen:
            self._seen.add((r, c, made.key))
            self.problems.append(made)

    def error(self, row: int, col: int, key: str, **args: Any) -> None:
        self._add(row, col, lambda r, c: CellProblem(self.path, r, c, key, args, sheet=self.sheet))

    def cell_error(self, row: int, column: Column, e: DateError | AmountError) -> None:
        self._add(row, column.col, lambda r, c: CellProblem(self.path, r, c, e.key, dict(e.args_),
                                                             column=column.label, sheet=self.sheet))


Progress = Callable[[str, int, int], None]
"""(stage, done, total): told now and then how far a long import has got (`rows`, `ledgers`)."""


def read_records(sheet: Sheet, header: Header, ctx: Context, *, fixed_project: str | None = None,
                 one_project: str | None = None, progress: Progress | None = None) -> list[Record]:
    """Every data row as a Record; what cannot be read goes into `ctx.problems`. `fixed_project`
    puts every row into that code; `one_project` names the one project of a table that has no
    project column (a 分解表, a 督查通知单's list of problems)."""
    records: list[Record] = []
    cols = header.columns
    title_col = header.title
    program = None  # from a banner row (`一、双十工程`)
    # A title column merged down the rows of a project (`建设内容`) describes the project: it
    # names no item, and is never copied into item titles. The milestones are then the items.
    grouping_title = title_col is not None and _merged_down(sheet, title_col.col, header.first_data)
    title_source = None
    if title_col is None or grouping_title:
        title_source = cols.get("node") or (cols.get("due") if _milestones(sheet, cols.get("due"), header) else None)
    if grouping_title and title_source is None:
        grouping_title = False  # nothing else to take the items from: the first row of each merge names it
    last_project: tuple[str | None, str | None] = (None, None)
    used = sorted({column.col for column in cols.values()})
    uncached: dict[int, list[int]] = {}
    for r, c in sheet.uncached:
        uncached.setdefault(r, []).append(c)
    for r in range(header.first_data, len(sheet.rows)):
        if progress is not None and r % 500 == 0:
            progress("rows", r, len(sheet.rows))
        values = [(c, sheet.text(r, c)) for c in range(len(sheet.rows[r]))]
        filled = [(c, v) for c, v in values if v]
        if r in uncached and not (filled and _SPACES.sub("", filled[0][1]).startswith(_FOOTER)) and \
                not any(_SPACES.sub("", v).lower() in _TOTALS for _, v in filled[:3]):
            # A formula saved without its value reads as a blank: the row would lose its title
            # or its time node without a word. Said at every such cell of a column we read.
            blind = [c for c in sorted(uncached[r]) if c in used]
            for c in blind:
                ctx.error(r + 1, c, "import_formula_uncached")
            if blind:
                continue
        if not filled:
            continue
        first_text = filled[0][1]
        if _SPACES.sub("", first_text).startswith(_FOOTER):
            continue
        if any(_SPACES.sub("", v).lower() in _TOTALS for _, v in filled[:3]):
            continue
        seq = cols.get("seq")
        numbered = [(c, v) for c, v in filled if seq is None or c != seq.col]
        if not numbered:
            continue  # only a 序号
        rest = {v for _, v in numbered}
        seq_text = sheet.text(r, seq.col) if seq is not None else ""
        if len(rest) == 1 and (len(numbered) >= 3 or _ORDINAL.match(numbered[0][1])
                               or re.fullmatch(r"[一二三四五六七八九十]+|[（(][一二三四五六七八九十]+[)）]", seq_text)) \
                and (title_col is None or numbered[0][0] != title_col.col or len(numbered) >= 3):
            program = _banner(numbered[0][1])  # a banner: `一、双十工程` over the rows below
            continue
        rec = Record(row=r + 1)

        def text(name: str, r: int = r) -> str:
            column = cols.get(name)
            return _one_line(sheet.text(r, column.col)) if column is not None else ""

        def raw(name: str, r: int = r) -> Any:
            column = cols.get(name)
            return sheet.value(r, column.col) if column is not None else None

        rec.project = text("project") or one_project
        rec.project_col = cols["project"].col if "project" in cols else 0
        code_text = text("code").upper()
        if code_text:
            if is_code(code_text) and is_reserved_name(code_text):
                ctx.error(rec.row, cols["code"].col, "code_reserved", code=text("code"))
            elif is_code(code_text):
                rec.code = code_text
            else:
                ctx.error(rec.row, cols["code"].col, "import_bad_code", code=text("code"))
        for name in ("item_id", "project_no"):
            value = text(name).upper()
            if not value:
                continue
            if name == "item_id" and is_item_id(value):
                rec.item_id = value
                rec.code = rec.code or split_item_id(value)
            elif is_code(value) and not rec.code and name == "project_no":
                rec.code = value
        if fixed_project is not None:
            rec.code = fixed_project
        node_col = cols.get("node")
        if node_col is not None:
            rec.node = _one_line(sheet.text(r, node_col.col)) or None
        if title_col is not None and not grouping_title:
            # Byte for byte: spaces, tabs, line breaks and apostrophes are the clerk's (an
            # export imported again must give every title back as it was).
            title = written_text(sheet.value(r, title_col.col))
            rec.title = title if title.strip() else None
            rec.title_col = title_col.col
        elif title_source is not None:
            # The milestones are the items: `3月底前完成征收` is the item 3月底前完成征收.
            title = written_text(sheet.value(r, title_source.col))
            rec.title = title if title.strip() else None
            rec.title_col = title_source.col
        if rec.title and not rec.project and not rec.code and fixed_project is None:
            # "Blank means as above": what a merged project cell becomes when saved as CSV.
            rec.project, rec.code = last_project
        if rec.project or rec.code:
            last_project = (rec.project, rec.code)
        if not rec.title and not rec.project and not rec.code:
            ctx.error(rec.row, filled[0][0], "import_row_empty_key")
            continue
        if rec.title and not rec.project and not rec.code:
            column = cols.get("project")
            ctx.error(rec.row, column.col if column else filled[0][0], "import_no_project")
            continue
        rec.program = text("program") or None
        rec.section = program
        kind = text("kind")
        if kind:
            rec.kind = _KINDS.get(kind.lower())
            if rec.kind is None:
                ctx.error(rec.row, cols["kind"].col, "import_bad_kind", value=kind)
        elif header.title is not None and header.title.field == "title_problem":
            rec.kind = "problem"
        for name in ("unit", "leader"):
            # Units written one a line in a cell (a Word table's paragraphs) are joint units:
            # the line breaks become the 、 that separates them on one line.
            column = cols.get(name)
            lines = [_one_line(line) for line in sheet.text(r, column.col).split("\n")] if column else []
            setattr(rec, name, "、".join(line for line in lines if line) or None)
        if text("assist"):
            _assisting(rec, sheet.text(r, cols["assist"].col), cols["assist"], ctx)
        for name in ("owner", "measures", "progress", "progress_by", "closed_by", "closed_note", "evidence"):
            setattr(rec, name, text(name) or None)
        for name in ("due", "progress_date", "closed_on", "deadline"):
            if name in cols:
                if name == "due" and _SPACES.sub("", text("due")) in IMMEDIATE:
                    rec.due = ctx.as_of  # 立行立改: due the day it is set, the day of the import
                    rec.due_wording = text("due")
                    continue
                if name == "due" and parse_term(text("due")) is not None:
                    # An ongoing duty or a recurring rule: kept in `due` as written (SPEC §8),
                    # where the models read it as a term (domain.terms).
                    rec.due_term = text("due")
                    continue
                if name == "due" and _SPACES.sub("", text("due")) in ONGOING:
                    # An ongoing duty in words the models do not read as a term (长期, 持续).
                    ctx.error(rec.row, cols["due"].col, "import_term_ongoing", value=text("due"))
                    continue
                if name == "due" and (title_source is None or title_source.field != "due") and \
                        _several_nodes(sheet.text(r, cols["due"].col), rec.row, cols["due"], ctx):
                    continue
                setattr(rec, name, _date_cell(raw(name), rec.row, cols[name], ctx))
        if rec.due is not None and isinstance(raw("due"), str) and text("due") != rec.due.isoformat():
            rec.due_wording = text("due")
        if rec.node and rec.due is None and not text("due") and "node" in cols:
            # No date beside the milestone: its own words give it (`3月底前完成征收`).
            several = title_source is not None and title_source.field == "node"  # (then items, below)
            if several or not _several_nodes(sheet.text(r, cols["node"].col), rec.row, cols["node"], ctx):
                rec.due = _date_cell(rec.node, rec.row, cols["node"], ctx)
                rec.due_wording = rec.node if rec.due is not None else None
        elif rec.node and rec.due is not None and (title_source is None or title_source.field != "node"):
            rec.due_wording = rec.node  # the milestone beside its date, kept as the clerk wrote it
        source = text("node_source")
        rec.due_computed = source in ("倒排", "倒排工期", "computed", "倒排算出")
        if text("duration"):
            try:
                value = raw("duration")
                # As the ledger keeps it: a bare number of counted days, a span as written (3周).
                rec.duration = written_duration(parse_duration(
                    int(value) if isinstance(value, float) and value.is_integer() else
                    (value if isinstance(value, int) else text("duration"))))
            except DateError as e:
                ctx.cell_error(rec.row, cols["duration"], e)
        if text("after"):
            rec.after_col = cols["after"].col
            for ref in re.split(r"[,，、;；\s]+", text("after").upper()):
                if not ref:
                    continue
                if is_item_id(ref):
                    rec.after.append(ref)
                else:
                    ctx.error(rec.row, rec.after_col, "import_bad_after", ref=ref)
        _closed_cell(rec, text("closed"), cols.get("closed"), ctx)
        _remark_cell(rec, text("remarks"))
        dating = next((cols[name] for name in ("closed_on", "closed", "remarks") if name in cols and text(name)), None)
        rec.closed_col = dating.col if dating is not None else None
        stage = text("stage")
        if stage:
            if stage in STAGES:
                rec.stage = stage
            else:
                ctx.error(rec.row, cols["stage"].col, "import_bad_stage", value=stage, allowed="、".join(STAGES))
        calendar = text("calendar")
        if calendar:
            rec.calendar = _CALENDARS.get(calendar.lower())
            if rec.calendar is None:
                ctx.error(rec.row, cols["calendar"].col, "import_bad_calendar", value=calendar)
        for name in ("total", "planned", "completed"):
            if name in cols and text(name):
                setattr(rec, name, _amount_cell(raw(name), text(name), rec.row, cols[name],
                                                header.default_unit, ctx))
        if "planned" in cols:
            rec.planned_year = cols["planned"].year or ctx.year
        if "completed" in cols:
            # The amount done to date, booked in the month it was reported (the as-of month), or
            # at the end of the year the header names when that year is over.
            year = cols["completed"].year
            rec.completed_month = f"{year}-12" if year and year < ctx.as_of.year else \
                f"{ctx.as_of.year}-{ctx.as_of.month:02d}"
        for role, _, _ in CSV_COMPANION_COLUMNS:
            if role in cols and sheet.text(r, cols[role].col):
                rec.companion[role] = (written_text(sheet.value(r, cols[role].col)), cols[role].col)
        if title_source is not None and rec.title and rec.title_col == title_source.col:
            records += _milestone_records(rec, sheet.text(r, title_source.col), title_source,
                                          text("due") if title_source.field == "node" else "", ctx)
            continue
        records.append(rec)
    if progress is not None:
        progress("rows", len(sheet.rows), len(sheet.rows))
    return records


def _assisting(rec: Record, cell: str, column: Column, ctx: Context) -> None:
    """A 配合单位 cell: its units join the row's unit after the lead (SPEC §7), each once."""
    from taizhang.domain.units import SEPARATORS, units_of

    lead = units_of(rec.unit)
    extra = [u for u in units_of(cell) if u not in lead]
    if not lead:
        ctx.error(rec.row, column.col, "import_assist_without_lead", assist="、".join(units_of(cell)))
        return
    if extra:
        # A name that holds a separator is quoted, as a cell keeps it whole (domain.units).
        rec.unit = "、".join([rec.unit or "", *(f"“{u}”" if SEPARATORS.search(u) else u for u in extra)])


# What separates milestones written in one cell (`3月底前完成征收；6月底前主体封顶`).
_MILESTONE_BREAK = re.compile(r"([；;。\n，,]+)")
# A number that starts a quantity, not a date (`1.2亿投资到位`, `30户`): no milestone starts so.
_QUANTITY = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:亿|万|千|百|元|%|％|个|户|公里|千米|米|平方|亩|家|人|项|台|套|栋|座|所|条|km|m\b)")


def split_milestones(text: str, ctx: Context) -> list[str]:
    """The milestones a cell lists, each with its own date (`3月底前完成征收；⏎6月底前主体封顶；⏎
    年底前竣工` → three), as written; a part without a date of its own stays with the one before
    (`3月底前完成征收，拆迁30户` is one). A cell of one milestone is itself."""
    pieces = _MILESTONE_BREAK.split(text.strip())
    parts: list[str] = []
    for k in range(0, len(pieces), 2):
        piece = pieces[k]
        if parts and not _dated(piece, ctx):
            parts[-1] += pieces[k - 1] + piece
        elif piece.strip() or not parts:
            parts.append(piece)
        else:
            parts[-1] += pieces[k - 1]
    parts = [part.strip().rstrip("；;。，, \t") for part in parts]
    return parts if len(parts) > 1 and all(_dated(part, ctx) for part in parts) else [text]


def _dated(piece: str, ctx: Context) -> bool:
    text = _one_line(piece)
    if not text or _QUANTITY.match(text):
        return False
    try:
        _parse_day(text, ctx)
    except DateError:
        return False
    return True


def _several_nodes(cell: str, row: int, column: Column, ctx: Context) -> bool:
    """A time-node cell of an item that lists several milestones with their dates: said at the
    cell (an item has one time node; which one was meant is never guessed)."""
    parts = split_milestones(cell, ctx) if cell else []
    if len(parts) < 2:
        return False
    ctx.error(row, column.col, "import_several_nodes", n=len(parts), first=_one_line(parts[0]),
              rest="；".join(_one_line(p) for p in parts[1:]))
    return True


def _milestone_records(rec: Record, cell: str, column: Column, date_cell: str, ctx: Context) -> list[Record]:
    """The items of a milestone cell (the milestones are the items): one, or one per milestone
    it lists, each with its own date and the row's other cells (SPEC §3: never guessed)."""
    from dataclasses import replace

    parts = split_milestones(written_text(cell), ctx)
    if len(parts) < 2:
        return [rec]
    if date_cell:
        # A date beside them is one date for several milestones: which one it is, is not said.
        _several_nodes(cell, rec.row, column, ctx)
        return [rec]
    out = []
    for part in parts:
        due = _parse_day(_one_line(part), ctx)
        out.append(replace(rec, title=part, due=due, due_wording=_one_line(part), due_term=None, node=None,
                           after=list(rec.after), companion=dict(rec.companion)))
    return out


def _merged_down(sheet: Sheet, col: int, first: int) -> bool:
    """Whether a data cell of the column is merged down over the rows below it."""
    return any(c == col and r >= first and origin[0] < r for (r, c), origin in sheet.origin.items())


def _milestones(sheet: Sheet, column: Column | None, header: Header) -> bool:
    """Whether a time column holds milestones written with their dates, mostly."""
    if column is None:
        return False
    texts = [sheet.text(r, column.col) for r in range(header.first_data, min(len(sheet.rows), header.first_data + 200))]
    texts = [t for t in texts if t]
    return bool(texts) and sum(has_action(t) for t in texts) * 2 > len(texts)


def _one_line(text: str) -> str:
    """A cell's text on one line: line breaks typed to wrap a cell (Alt+Enter) become a space."""
    text = _CONTROL.sub("", text.replace("\r", "").replace("\t", " "))
    return re.sub(r"[ \u3000]*\n+[ \u3000]*", " ", text).strip()


def _banner(text: str) -> str:
    """`一、双十工程（10个）` → `双十工程`."""
    name = _ORDINAL.sub("", text.strip())
    name = re.sub(r"[（(][^）)]*[）)]\s*$", "", name).strip(" ：:")
    return name or text.strip()


def _date_cell(value: Any, row: int, column: Column, ctx: Context) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        ctx.error(row, column.col, "import_date_number", column=column.label, value=cell_text(value))
        return None
    try:
        return _parse_day(cell_text(value), ctx)
    except DateError as e:
        ctx.cell_error(row, column, e)
        return None


def _parse_day(text: str, ctx: Context) -> date:
    """The day a cell's text names, a time of day after it left out (`2018-06-30 17:00`)."""
    return parse_date(_TIME_SUFFIX.sub("", text), year=ctx.year, relative=False)


def _amount_cell(value: Any, text: str, row: int, column: Column, default_unit: str | None,
                 ctx: Context) -> str | None:
    """An amount as it will stand in the ledger: the clerk's text if it carries a unit, else the
    number with the column's unit (`总投资（亿元）` and 300 → `300亿`); bare numbers are 万元."""
    unit = column.unit or default_unit
    bare = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) or \
        re.fullmatch(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?", text.strip())
    written = text.strip()
    if bare:
        try:
            number = Decimal(written.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is not None:
            written = amount_text(number, unit or "万")
    try:
        parse_amount(written)
    except AmountError as e:
        ctx.cell_error(row, column, e)
        return None
    return written


def amount_text(number: Decimal, unit: str) -> str:
    """A number in a column of `unit` as the ledger writes it: `12亿` rather than `120000万`."""
    if unit == "万" and number >= 10000 and (number / 10000) == (number / 10000).quantize(Decimal("0.0001")):
        return format_wan(number / 10000) + "亿"
    return format_wan(number) + unit


# A remark that says the item is closed (已销号, 已办结…; 已完成 alone, not 已完成15个).
_CLOSING_REMARK = re.compile(r"^(?:已销号|销号|已办结|办结)|^(?:已完成|完成)[。.！!]?$")


_NO_REMARK = {"无", "暂无", "/", "-", "—", "——", "－", "空"}  # a remark that says there is none


def _remark_cell(rec: Record, text: str) -> None:
    """备注: a remark that says the item is closed closes it (its words beyond 已销号 kept as the
    close's note) where no 是否销号 cell said otherwise; any other remark is kept as a note."""
    if not text or _SPACES.sub("", text) in _NO_REMARK:
        return
    if rec.closed is None and _CLOSING_REMARK.match(_SPACES.sub("", text)):
        rec.closed = True
        if _SPACES.sub("", text).lower() not in _YES:
            rec.closed_text = rec.closed_text or text
        return
    rec.remark = text


def _closed_cell(rec: Record, text: str, column: Column | None, ctx: Context) -> None:
    if not text:
        return
    word = _SPACES.sub("", text).lower()
    if word in _YES:
        rec.closed = True
        return
    if word in _NO:
        rec.closed = False
        return
    try:
        rec.closed_on = rec.closed_on or _parse_day(text, ctx)
        rec.closed = True
        return
    except DateError:
        pass
    if re.match(r"^(已销号|已完成|已办结|是|完成)", word):
        rec.closed, rec.closed_text = True, text
    elif re.match(r"^(未|否|正在|进行|推进)", word):
        rec.closed = False
    else:
        ctx.error(rec.row, column.col if column else 0, "import_bad_closed", value=text)

