"""Exchange with the Excel 台账 that offices send each other: read xlsx/csv into ledgers
(`import`), write the ledgers as one table in xlsx/csv/Markdown (`export`).

Import reads a sheet the way offices keep it: a title above the header, a header row somewhere
in the first rows (Chinese column names and their synonyms, units in brackets), a project name
merged over its rows, program banners (`一、双十工程`), totals and footnotes, dates as cells or as
phrases. Every cell that cannot be read is a problem at `FILE:ROW:COL`; if there is any, nothing
is written. Rows go in through the store's own edit functions, so every write is validated and
atomic; new projects are created with `repo.create.new_ledger` and removed again if a later write
fails. An item whose project already has an item with the same title is left alone, so
importing the same file twice adds nothing the second time.

openpyxl is imported only inside the functions that need it.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from taizhang.domain.amounts import AmountError, format_wan, parse_amount
from taizhang.domain.dates import DateError, parse_date, parse_duration
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.domain.models import CODE_PATTERN, ITEM_ID_PATTERN, STAGES, Ledger, Settings
from taizhang.repo.cache import Cache

HEADER_SCAN = 12  # the header row is looked for in the first rows of a sheet

# --- the table's columns --------------------------------------------------------------------

# (field, zh header, en header) of an export, in order. Import recognises these too.
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

# Header synonyms, matched against the header text without spaces and bracketed parts
# (`总投资（亿元）` → `总投资`, unit 亿元). First match wins; the order matters.
_SYNONYMS: list[tuple[str, str]] = [
    ("seq", r"序号|序|No\.?|#"),
    ("code", r"项目代码|代码|项目编码|Code"),
    ("project_no", r"项目编号"),
    ("item_id", r"编号|事项编号|ID"),
    ("project", r"项目名称|项目|名称|项目名|Project"),
    ("title_task", r"事项|工作任务|任务|目标任务|工作内容|节点任务|时间节点任务|推进事项|重点任务|具体任务|年度目标|年度目标任务|"
                   r"主要任务|工作事项|督办事项|Item|Title"),
    ("title_problem", r"问题|存在问题|问题描述|存在的问题|问题及困难|困难问题|问题清单"),
    ("title_content", r"建设内容|主要建设内容|建设内容及规模|建设规模及内容|项目内容"),
    ("kind", r"类型|事项类型|Kind"),
    ("unit", r"责任单位|牵头单位|主责单位|责任部门|牵头部门|责任主体|Unit"),
    ("leader", r"责任领导|分包领导|分管领导|联系领导|包抓领导|牵头领导|Leader"),
    ("owner", r"责任人|具体责任人|项目负责人|Owner"),
    ("due", r"时间节点|完成时限|完成时间|时限|截止时间|截止日期|计划完成时间|计划完成日期|完成期限|办结时限|整改时限|整改期限|"
            r"Timenode|Due"),
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
    # Read by people, computed by taizhang: known, and left out without a word.
    ("derived", r"亮灯|亮灯情况|剩余天数|逾期天数|Light|Daysleft|(?:\d{4}年?)?(?:累计)?完成投资|.*累计完成.*|Completed.*"),
]
_SYNONYM_RES = [(name, re.compile(rf"^(?:{pattern})$", re.IGNORECASE)) for name, pattern in _SYNONYMS]
_TITLE_FIELDS = ("title_task", "title_problem", "title_content")
_PROJECT_FIELDS = ("project", "code")
_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
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


def match_header(text: str, unit_hint: str | None = None) -> tuple[str | None, str | None, int | None]:
    """(field, unit, year) a header cell names, or (None, …) for a column we do not know.
    `unit_hint` is the unit of a heading above the cell (`投资情况（亿元）`)."""
    raw = _SPACES.sub("", text)
    if not raw:
        return None, None, None
    unit_match = _UNIT_IN.search("".join(_BRACKETS.findall(raw))) or (
        _UNIT_IN.search(raw[-2:]) if raw.endswith(("亿元", "万元")) else None)
    year_match = _YEAR_IN.search(raw)
    base = _BRACKETS.sub("", raw).rstrip(":：")
    if raw.endswith(("亿元", "万元")) and not _BRACKETS.search(raw):
        base = base[:-2]
    for name, pattern in _SYNONYM_RES:
        if pattern.match(base):
            unit = unit_match.group(1)[0] if unit_match else unit_hint
            if name == "planned" and "投资" not in base and not unit and not base.lower().startswith("planned"):
                return None, None, None  # 年度计划 without 投资 or a unit is a text of goals
            return name, unit, int(year_match.group(1)) if year_match else None
    return None, None, None


# --- reading a sheet ------------------------------------------------------------------------

@dataclass
class Sheet:
    """A sheet's cells (merged cells filled with their top-left value)."""

    rows: list[list[Any]]
    across: set[tuple[int, int]] = field(default_factory=set)  # cells of merges wider than one column
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → its top-left
    kind: str = "xlsx"
    encoding: str | None = None
    name: str | None = None

    def text(self, r: int, c: int) -> str:
        row = self.rows[r]
        return cell_text(row[c]) if c < len(row) else ""


@dataclass(frozen=True)
class CellProblem(Problem):
    """A cell that cannot be read: the message of its date, amount or duration, said about its
    column (`FILE:5:7: 时间节点：日期“2月30日”不存在`)."""

    column: str = ""

    def render(self, lang: str = "zh") -> str:
        from taizhang.i18n import message

        sep = ": " if lang == "en" else "："
        return f"{self.path}:{max(self.line, 1)}:{max(self.col, 1)}: {self.column}{sep}" + \
            message(self.key, lang, **self.args)


def _problem(path: str, row: int, col: int, key: str, **args: Any) -> Problem:
    return Problem(path, row, col, key, args)


def read_sheet(path: Path, shown: str, sheet: str | None = None) -> Sheet:
    """The first (active) sheet of an xlsx, or the named one; or a CSV file."""
    if not path.is_file():
        raise input_error("file_missing", path=shown)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, shown, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, shown)
    if suffix in (".xls", ".et", ".wps"):
        raise TaizhangError(_problem(shown, 0, 0, "import_old_excel", suffix=suffix))
    raise TaizhangError(_problem(shown, 0, 0, "import_format", suffix=suffix or "-"))


def _read_xlsx(path: Path, shown: str, sheet: str | None) -> Sheet:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read_only: merged ranges are only known to a fully loaded sheet. data_only: a
        # formula cell gives the value Excel computed and saved with it.
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise TaizhangError(_problem(shown, 0, 0, "import_unreadable", detail=str(e) or type(e).__name__)) from None
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise TaizhangError(_problem(shown, 0, 0, "import_no_sheet", sheet=sheet,
                                         sheets="、".join(book.sheetnames)))
        ws = book[sheet]
    else:
        ws = book.active if book.active is not None else book.worksheets[0]
    rows = [list(values) for values in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    across: set[tuple[int, int]] = set()
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in ws.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= width:
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, width)):
                rows[r][c] = value
                origin[(r, c)] = (top, left)
                if merged.max_col > merged.min_col:
                    across.add((r, c))
    return Sheet(rows, across=across, origin=origin, kind="xlsx", name=ws.title)


def decode_csv(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding name) of a CSV as Excel and others save it: UTF-8 with or without a
    byte-order mark, UTF-16 (Excel's "Unicode text"), or GBK (Excel on a Chinese Windows)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8（BOM）"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is GBK's superset: a file saved as GBK reads the same, and rarer characters too.
        return raw.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        return None


def _read_csv(path: Path, shown: str) -> Sheet:
    raw = path.read_bytes()
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TaizhangError(_problem(shown, 0, 0, "import_binary"))
    try:
        decoded = decode_csv(raw)
    except UnicodeDecodeError:
        decoded = None
    if decoded is None:
        raise TaizhangError(_problem(shown, 0, 0, "import_encoding"))
    text, encoding = decoded
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise TaizhangError(_problem(shown, 0, 0, "import_unreadable", detail=str(e))) from None
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Sheet(rows, kind="csv", encoding=encoding)


_FORMULA_START = ("=", "+", "-", "@")


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious `.0`, dates as ISO, spaces trimmed, and the
    apostrophe that an export put before a formula-like text taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    text = str(value).replace("\r\n", "\n").strip()
    if text.startswith("'") and text[1:].lstrip()[:1] in _FORMULA_START:
        text = text[1:]
    return text


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text


# --- the header -----------------------------------------------------------------------------

@dataclass
class Header:
    row: int  # 0-based index of the (last) header row
    columns: dict[str, Column]
    ignored: list[str]  # headers of columns not imported
    first_data: int
    default_unit: str | None = None  # `单位：亿元` written above the table

    def get(self, name: str) -> Column | None:
        return self.columns.get(name)

    @property
    def title(self) -> Column | None:
        for name in _TITLE_FIELDS:
            if name in self.columns:
                return self.columns[name]
        return None


def _bracket_unit(text: str) -> str | None:
    m = _UNIT_IN.search("".join(_BRACKETS.findall(_SPACES.sub("", text))))
    return m.group(1)[0] if m else None


def _heading_unit(sheet: Sheet, r: int, c: int) -> str | None:
    """The unit a heading over column `c` in row `r` gives (`投资情况（亿元）`): the cell's own,
    or, where the cell is blank (a merged heading saved as CSV), the nearest text to its left."""
    if r < 0:
        return None
    k = c
    while k > 0 and not sheet.text(r, k):
        k -= 1
    return _bracket_unit(sheet.text(r, k))


def _row_fields(sheet: Sheet, r: int) -> dict[int, tuple[str, str | None, int | None]]:
    out = {}
    for c in range(len(sheet.rows[r])):
        text = sheet.text(r, c)
        if not text:
            continue
        name, unit, year = match_header(text, unit_hint=_heading_unit(sheet, r - 1, c))
        if name is not None:
            out[c] = (name, unit, year)
    return out


def find_header(sheet: Sheet, shown: str) -> Header:
    """The header row: among the first rows, the one naming the most known columns (a project
    or a task among them). A row below it that names columns under a heading spanning several
    columns (`投资情况（亿元）` over `总投资 | 年度计划投资`) completes it, units included."""
    best, best_score = None, 0
    for r in range(min(HEADER_SCAN, len(sheet.rows))):
        fields = {f for f, _, _ in _row_fields(sheet, r).values() if f not in ("derived", "seq")}
        if not fields & {*_PROJECT_FIELDS, *_TITLE_FIELDS}:
            continue
        if len(fields) > best_score:
            best, best_score = r, len(fields)
    if best is None or best_score < 2:
        raise TaizhangError(_problem(shown, 0, 0, "import_no_header", rows=HEADER_SCAN))
    top_fields = _row_fields(sheet, best)
    sub_fields: dict[int, tuple[str, str | None, int | None]] = {}
    if best + 1 < len(sheet.rows):
        candidate = _row_fields(sheet, best + 1)
        if candidate and any((best, c) in sheet.across or c not in top_fields for c in candidate) and \
                not any(isinstance(v, (int, float, datetime, date)) for v in sheet.rows[best + 1]):
            sub_fields = candidate
    last = best + 1 if sub_fields else best
    # Units written once above the table (`单位：万元`).
    default_unit = None
    for r in range(best):
        for c in range(len(sheet.rows[r])):
            m = re.search(r"单位[:：]\s*(亿元|万元|元)", sheet.text(r, c))
            if m:
                default_unit = m.group(1)[0]
    columns: dict[str, Column] = {}
    ignored: list[str] = []
    for c in range(len(sheet.rows[best])):
        top, lower = top_fields.get(c), sub_fields.get(c)
        use_lower = lower is not None and (top is None or (best, c) in sheet.across)
        choice = lower if use_lower else top
        label = sheet.text(last if use_lower else best, c)
        if choice is None:
            text = sheet.text(last, c) or sheet.text(best, c)
            if text and (best, c) not in sheet.across:
                ignored.append(text.replace("\n", ""))
            continue
        name, unit, year = choice
        if name == "derived":
            continue
        if name in columns:
            ignored.append(label.replace("\n", ""))
            continue
        columns[name] = Column(name, c, label.replace("\n", ""), unit, year)
    return Header(last, columns, ignored, last + 1, default_unit)


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
    duration: int | None = None
    after: list[str] = field(default_factory=list)
    after_col: int = 0
    progress: str | None = None
    progress_date: date | None = None
    progress_by: str | None = None
    closed: bool | None = None  # None: nothing said; True/False as the 是否销号 column says
    closed_text: str | None = None  # what the status cell said beyond yes (kept as the note)
    closed_on: date | None = None
    closed_by: str | None = None
    closed_note: str | None = None
    evidence: str | None = None
    measures: str | None = None
    program: str | None = None
    stage: str | None = None
    deadline: date | None = None
    calendar: str | None = None
    total: str | None = None
    planned: str | None = None
    planned_year: int | None = None


_YES = {"是", "已销号", "销号", "已完成", "完成", "已办结", "办结", "已", "√", "✓", "✔", "y", "yes", "done", "closed",
        "true", "1", "ok"}
_NO = {"否", "未销号", "未完成", "未", "进行中", "推进中", "正在推进", "在建", "×", "✗", "n", "no", "open", "false",
       "0", "-", "—", "/", "无"}
_KINDS = {"任务": "task", "task": "task", "工作任务": "task", "节点": "milestone", "里程碑": "milestone",
          "milestone": "milestone", "问题": "problem", "problem": "problem"}
_CALENDARS = {"natural": "natural", "自然日": "natural", "workdays": "workdays", "工作日": "workdays",
              "法定工作日": "workdays", "weekdays": "weekdays", "周一至周五": "weekdays"}
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类批]?[、:：\s]?)")
_TOTALS = {"合计", "总计", "小计", "共计", "total"}
_FOOTER = ("注：", "注:", "备注：", "备注:", "说明：", "说明:", "填报单位", "填表人", "填报人", "审核人", "制表", "填表日期",
           "联系电话", "填报日期", "审核：", "审核:")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Context:
    path: str  # the file as shown in messages
    as_of: date
    year: int  # for phrases without a year
    problems: list[Problem] = field(default_factory=list)
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    _seen: set = field(default_factory=set)

    def _add(self, row: int, col: int, problem: Callable[[int, int], Problem]) -> None:
        # A value merged over several rows is wrong once, at the cell that holds it.
        r, c = self.origin.get((row - 1, col), (row - 1, col))
        made = problem(r + 1, c + 1)
        if (r, c, made.key) not in self._seen:
            self._seen.add((r, c, made.key))
            self.problems.append(made)

    def error(self, row: int, col: int, key: str, **args: Any) -> None:
        self._add(row, col, lambda r, c: Problem(self.path, r, c, key, args))

    def cell_error(self, row: int, column: Column, e: DateError | AmountError) -> None:
        self._add(row, column.col, lambda r, c: CellProblem(self.path, r, c, e.key, dict(e.args_),
                                                             column=column.label))


def read_records(sheet: Sheet, header: Header, ctx: Context, *, fixed_project: str | None = None) -> list[Record]:
    """Every data row as a Record; what cannot be read goes into `ctx.problems`."""
    records: list[Record] = []
    cols = header.columns
    title_col = header.title
    program = None  # from a banner row (`一、双十工程`)
    last_project: tuple[str | None, str | None] = (None, None)
    for r in range(header.first_data, len(sheet.rows)):
        values = [(c, sheet.text(r, c)) for c in range(len(sheet.rows[r]))]
        filled = [(c, v) for c, v in values if v]
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

        def text(name: str) -> str:
            column = cols.get(name)
            return _one_line(sheet.text(r, column.col)) if column is not None else ""

        def raw(name: str) -> Any:
            column = cols.get(name)
            return sheet.rows[r][column.col] if column is not None else None

        rec.project = text("project") or None
        rec.project_col = cols["project"].col if "project" in cols else 0
        code_text = text("code").upper()
        if code_text:
            if re.match(CODE_PATTERN, code_text):
                rec.code = code_text
            else:
                ctx.error(rec.row, cols["code"].col, "import_bad_code", code=text("code"))
        for name in ("item_id", "project_no"):
            value = text(name).upper()
            if not value:
                continue
            if name == "item_id" and re.match(ITEM_ID_PATTERN, value):
                rec.item_id = value
                rec.code = rec.code or value.rsplit("-", 1)[0]
            elif re.match(CODE_PATTERN, value) and not rec.code and name == "project_no":
                rec.code = value
        if fixed_project is not None:
            rec.code = fixed_project
        if title_col is not None:
            rec.title = _one_line(sheet.text(r, title_col.col)) or None
            rec.title_col = title_col.col
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
        rec.program = text("program") or program
        kind = text("kind")
        if kind:
            rec.kind = _KINDS.get(kind.lower())
            if rec.kind is None:
                ctx.error(rec.row, cols["kind"].col, "import_bad_kind", value=kind)
        elif header.title is not None and header.title.field == "title_problem":
            rec.kind = "problem"
        for name in ("unit", "leader", "owner", "measures", "progress", "progress_by", "closed_by",
                     "closed_note", "evidence"):
            setattr(rec, name, text(name) or None)
        for name in ("due", "progress_date", "closed_on", "deadline"):
            if name in cols:
                setattr(rec, name, _date_cell(raw(name), rec.row, cols[name], ctx))
        if rec.due is not None and isinstance(raw("due"), str) and text("due") != rec.due.isoformat():
            rec.due_wording = text("due")
        source = text("node_source")
        rec.due_computed = source in ("倒排", "倒排工期", "computed", "倒排算出")
        if text("duration"):
            try:
                value = raw("duration")
                rec.duration = parse_duration(int(value) if isinstance(value, float) and value.is_integer() else
                                              (value if isinstance(value, int) else text("duration")))
            except DateError as e:
                ctx.cell_error(rec.row, cols["duration"], e)
        if text("after"):
            rec.after_col = cols["after"].col
            for ref in re.split(r"[,，、;；\s]+", text("after").upper()):
                if not ref:
                    continue
                if re.match(ITEM_ID_PATTERN, ref):
                    rec.after.append(ref)
                else:
                    ctx.error(rec.row, rec.after_col, "import_bad_after", ref=ref)
        _closed_cell(rec, text("closed"), cols.get("closed"), ctx)
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
        for name in ("total", "planned"):
            if name in cols and text(name):
                setattr(rec, name, _amount_cell(raw(name), text(name), rec.row, cols[name],
                                                header.default_unit, ctx))
        if "planned" in cols:
            rec.planned_year = cols["planned"].year or ctx.year
        records.append(rec)
    return records


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
    text = _TIME_SUFFIX.sub("", cell_text(value))
    try:
        return parse_date(text, year=ctx.year, relative=False)
    except DateError as e:
        ctx.cell_error(row, column, e)
        return None


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
            written = _amount_text(number, unit or "万")
    try:
        parse_amount(written)
    except AmountError as e:
        ctx.cell_error(row, column, e)
        return None
    return written


def _amount_text(number: Decimal, unit: str) -> str:
    """A number in a column of `unit` as the ledger writes it: `12亿` rather than `120000万`."""
    if unit == "万" and number >= 10000 and (number / 10000) == (number / 10000).quantize(Decimal("0.0001")):
        return format_wan(number / 10000) + "亿"
    return format_wan(number) + unit


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
        rec.closed_on = rec.closed_on or parse_date(_TIME_SUFFIX.sub("", text), year=ctx.year, relative=False)
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


# --- planning -------------------------------------------------------------------------------

@dataclass
class ItemPlan:
    row: int
    title: str
    fields: dict[str, Any]
    comments: dict[str, str] = field(default_factory=dict)
    new_id: str = ""
    old_id: str | None = None
    closed: dict[str, Any] | None = None
    note: dict[str, Any] | None = None
    after: list[str] = field(default_factory=list)  # as written (old ids)
    after_col: int = 0


@dataclass
class ProjectPlan:
    code: str
    name: str
    new: bool
    row: int  # first row of the project
    fields: dict[str, Any] = field(default_factory=dict)  # for a new project
    investment: dict[str, Any] | None = None
    items: list[ItemPlan] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, title, existing id)
    after: dict[str, list[str]] = field(default_factory=dict)  # new id → predecessors (new ids)


@dataclass
class ImportPlan:
    path: str
    kind: str
    encoding: str | None
    sheet: str | None
    header_row: int
    rows: int
    ignored: list[str]
    projects: list[ProjectPlan]

    @property
    def created(self) -> list[ProjectPlan]:
        return [p for p in self.projects if p.new]

    @property
    def added(self) -> int:
        return sum(len(p.items) for p in self.projects)

    @property
    def skipped(self) -> int:
        return sum(len(p.skipped) for p in self.projects)


def plan_import(path: Path, shown: str, ledgers: Sequence[Ledger], existing_codes: Iterable[str], *,
                as_of: date, year: int, sheet: str | None = None, project: str | None = None) -> ImportPlan:
    """Read a file and decide what an import would write, without writing. Raises
    TaizhangError with every problem found (each at FILE:ROW:COL) if any row cannot be read."""
    table = read_sheet(path, shown, sheet)
    if project is not None and not any(l.code == project for l in ledgers):
        raise input_error("unknown_project", code=project)
    header = find_header(table, shown)
    if project is None and not ({"project", "code"} & set(header.columns)) and "item_id" not in header.columns:
        raise TaizhangError(_problem(shown, header.row + 1, 1, "import_no_project_column"))
    if header.title is None and project is not None:
        raise TaizhangError(_problem(shown, header.row + 1, 1, "import_no_title_column"))
    ctx = Context(shown, as_of, year, origin=table.origin)
    records = read_records(table, header, ctx, fixed_project=project)
    projects = _plan_projects(records, ledgers, set(existing_codes), ctx)
    if ctx.problems:
        raise TaizhangError(sorted(ctx.problems, key=Problem.sort_key))
    return ImportPlan(shown, table.kind, table.encoding, table.name, header.row + 1,
                      len(records), header.ignored, projects)


def _most_common(values: list[str | None]) -> str | None:
    counts = Counter(values)
    best = max(counts.values())
    for value in values:  # the first among the most common
        if counts[value] == best:
            return value
    return None


def _plan_projects(records: list[Record], ledgers: Sequence[Ledger], existing_codes: set[str],
                   ctx: Context) -> list[ProjectPlan]:
    by_code = {l.code: l for l in ledgers}
    name_to_code = {}
    for rec in records:
        if rec.code and rec.project:
            name_to_code.setdefault(rec.project, rec.code)
    groups: dict[str, list[Record]] = {}
    for rec in records:
        key = rec.code or name_to_code.get(rec.project or "") or f"\0{rec.project}"
        groups.setdefault(key, []).append(rec)
    used_codes = set(existing_codes) | {k for k in groups if not k.startswith("\0")}
    plans: list[ProjectPlan] = []
    n = 0
    for key, recs in groups.items():
        first = recs[0]
        name = next((r.project for r in recs if r.project), None)
        ledger = None
        if not key.startswith("\0"):
            code = key
            if code in existing_codes:
                ledger = by_code.get(code)
                if ledger is None:
                    # The file is there but does not read: the store reports it when writing.
                    raise TaizhangError(Problem(ctx.path, first.row, first.project_col + 1,
                                                "import_ledger_invalid", {"code": code}))
        else:
            matches = [l for l in ledgers if l.name.strip() == (name or "").strip()]
            if len(matches) > 1:
                ctx.error(first.row, first.project_col, "import_ambiguous_name", name=name,
                          codes="、".join(l.code for l in matches))
                continue
            if matches:
                ledger = matches[0]
                code = ledger.code
            else:
                while True:
                    n += 1
                    code = f"IMP{n}"
                    if code not in used_codes:
                        break
                used_codes.add(code)
        if ledger is None and not name:
            ctx.error(first.row, first.project_col, "import_new_without_name", code=code)
            continue
        plan = ProjectPlan(code, ledger.name if ledger else name, ledger is None, first.row)
        if ledger is None:
            plan.fields = {
                "name": name,
                "program": next((r.program for r in recs if r.program), None),
                "stage": next((r.stage for r in recs if r.stage), None),
                "unit": _most_common([r.unit for r in recs]),
                "leader": next((r.leader for r in recs if r.leader), None),
                "owner": _most_common([r.owner for r in recs]),
                "deadline": next((r.deadline for r in recs if r.deadline), None),
                "calendar": next((r.calendar for r in recs if r.calendar), None),
            }
            total = next((r.total for r in recs if r.total), None)
            planned = next(((r.planned_year, r.planned) for r in recs if r.planned), None)
            invest: dict[str, Any] = {}
            if total:
                invest["total"] = total
            if planned:
                invest["planned"] = {planned[0]: planned[1]}
            plan.investment = invest or None
        unit = plan.fields.get("unit") if ledger is None else ledger.unit
        owner = plan.fields.get("owner") if ledger is None else ledger.owner
        existing = {i.title.strip(): i.id for i in ledger.items} if ledger else {}
        numbers = [int(i.id.rsplit("-", 1)[1]) for i in ledger.items] if ledger else []
        next_number = max(numbers, default=0)
        seen: dict[str, int] = {}
        old_ids: dict[str, str] = {}  # 编号 in the file → id in the ledger
        for rec in recs:
            if not rec.title:
                continue
            title = rec.title.strip()
            if title in seen:
                ctx.error(rec.row, rec.title_col, "import_duplicate", title=title, first=seen[title])
                continue
            seen[title] = rec.row
            if title in existing:
                plan.skipped.append((rec.row, title, existing[title]))
                if rec.item_id:
                    old_ids[rec.item_id] = existing[title]
                continue
            next_number += 1
            item = ItemPlan(rec.row, title, {
                "title": title,
                "kind": rec.kind if rec.kind not in (None, "task") else None,
                "due": None if rec.due_computed else rec.due,
                "duration": rec.duration,
                "owner": rec.owner if rec.owner != owner else None,
                "unit": rec.unit if rec.unit != unit else None,
                "measures": rec.measures,
            }, comments={"due": rec.due_wording} if rec.due_wording and not rec.due_computed else {},
                new_id=f"{code}-{next_number}", old_id=rec.item_id, after=rec.after, after_col=rec.after_col)
            if rec.closed is False and rec.closed_on is not None:
                ctx.error(rec.row, rec.title_col, "import_closed_conflict")
            elif rec.closed or rec.closed_on is not None:
                item.closed = {"date": rec.closed_on or ctx.as_of, "by": rec.closed_by,
                               "note": rec.closed_note or rec.closed_text, "evidence": rec.evidence}
            if rec.progress:
                item.note = {k: v for k, v in (("date", rec.progress_date or ctx.as_of), ("by", rec.progress_by),
                                               ("text", rec.progress)) if v is not None}
            if rec.item_id:
                old_ids[rec.item_id] = item.new_id
            plan.items.append(item)
        known = {i.id for i in ledger.items} if ledger else set()
        for item in plan.items:
            refs = []
            for ref in item.after:
                target = old_ids.get(ref) or (ref if ref in known else None)
                if target is None:
                    ctx.error(item.row, item.after_col, "import_after_unknown", ref=ref)
                elif target == item.new_id:
                    ctx.error(item.row, item.after_col, "after_self", id=ref)
                elif target not in refs:
                    refs.append(target)
            if refs:
                plan.after[item.new_id] = refs
        plans.append(plan)
    return plans


# --- writing --------------------------------------------------------------------------------

def apply_import(cache: Cache, settings: Settings, plan: ImportPlan) -> list[Path]:
    """Write the plan: new ledgers through `repo.create.new_ledger`, items through the store's edit
    functions, all ledgers in one `edit_ledgers` call (verified before anything is replaced).
    If that fails, the ledgers this import created are removed again: nothing is half-written.
    Returns the files written."""
    from taizhang.repo.write import edit_ledgers
    from taizhang.repo.layout import ledger_path
    from taizhang.repo.create import new_ledger

    root = cache.root
    created: list[Path] = []
    try:
        for project in plan.created:
            created.append(new_ledger(root, settings, project.code, project.fields))
        edits = {p.code: _project_edit(p, settings) for p in plan.projects
                 if p.items or p.investment or p.after}
        if edits:
            edit_ledgers(cache, settings, edits)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return [ledger_path(root, p.code) for p in plan.projects if p.new or p.items]


def _project_edit(project: ProjectPlan, settings: Settings) -> Callable:
    from taizhang.repo.edits import add_item_edit, close_edit, note_edit, set_many_edit

    def apply(loaded):
        steps: list[Callable] = []
        if project.investment:
            steps.append(_investment_edit(project.investment))
        for item in project.items:
            steps.append(_expect_id(add_item_edit(item.fields, item.comments), item.new_id))
            if item.closed:
                steps.append(close_edit([item.new_id], item.closed))
            if item.note:
                steps.append(note_edit(item.new_id, item.note))
        if project.after:
            steps.append(set_many_edit({i: [("after", refs, None)] for i, refs in project.after.items()}))
        return _chain(loaded, steps, settings)

    return apply


def _expect_id(edit: Callable, expected: str) -> Callable:
    def apply(loaded):
        result = edit(loaded)
        if result.result != expected:  # the ids were planned (and `after` checked) beforehand
            raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
        return result
    return apply


def _chain(loaded, steps: list[Callable], settings: Settings):
    """Several edits of one ledger as one: each applies to the text the one before produced,
    read back and checked to say what it meant."""
    from taizhang.repo.write import Edit, same_data
    from taizhang.repo.load import parse_ledger
    from taizhang.yamltext.read import encode

    current, last, results = loaded, None, []
    for step in steps:
        edit = step(current)
        after = parse_ledger(encode(edit.text, current.doc.bom), current.path, settings)
        if after.has_errors:
            raise TaizhangError([p for p in after.problems if p.is_error])
        if not same_data(after.doc.data, edit.expected):
            raise TaizhangError(Problem(current.path, 0, 0, "internal_edit", {"path": current.path}))
        current, last = after, edit
        results.append(edit.result)
    if last is None:
        from taizhang.repo.write import Edit as _Edit

        return _Edit(loaded.doc.text, loaded.doc.data, [])
    return Edit(current.doc.text, last.expected, results)


def _investment_edit(investment: dict[str, Any]) -> Callable:
    """Add `investment: {total, planned}` to a ledger that has none (a new one)."""
    from taizhang.yamltext import splice
    from taizhang.domain.vocab import PROJECT_KEY_ORDER
    from taizhang.repo.write import Edit
    from taizhang.yamltext.read import compose

    def apply(loaded):
        text, newline = loaded.doc.text, loaded.doc.newline
        root = compose(text)
        if splice.mapping_get(root, "investment") is not None:
            return Edit(text, loaded.doc.data, None)
        lines = [f"{k}: {splice.flow(v) if isinstance(v, dict) else splice.scalar(v)}" for k, v in investment.items()]
        later = set(PROJECT_KEY_ORDER[PROJECT_KEY_ORDER.index("investment") + 1:])
        following = [k.value for k, _ in root.value if k.value in later]
        text = splice.insert_key(text, root, "investment", lines, newline,
                                 before_key=following[0] if following else None)
        expected = dict(loaded.doc.data)
        expected["investment"] = {k: dict(v) if isinstance(v, dict) else v for k, v in investment.items()}
        return Edit(text, expected, None)

    return apply


# --- export ---------------------------------------------------------------------------------

@dataclass
class ExportTable:
    title: str | None
    as_of: date
    headers: list[str]
    fields: list[str]
    rows: list[list[Any]]  # date, Decimal, int, str or None


def export_table(ledgers: Sequence[Ledger], as_of: date, settings: Settings, extra=None, lang: str = "zh",
                 codes: Sequence[str] = ()) -> ExportTable:
    """Every item of the ledgers as one row (a project without items as a row of its own), in
    the ledgers' order; project columns repeat on each row so the sheet sorts and filters."""
    from taizhang.domain.calendars import NO_EXTRA
    from taizhang.i18n import KIND_WORDS, light_word
    from taizhang.domain.invest import invest_row, time_progress
    from taizhang.domain.lights import evaluate

    extra = extra if extra is not None else NO_EXTRA
    year = as_of.year
    en = lang == "en"
    headers = [(en_h if en else zh).format(year=year) for _, zh, en_h in EXPORT_COLUMNS]
    fields = [f for f, _, _ in EXPORT_COLUMNS]
    views = {v.code: v for v in evaluate(ledgers, as_of, settings, extra)}
    order = list(codes) if codes else [l.code for l in ledgers]
    by_code = {l.code: l for l in ledgers}
    kinds = KIND_WORDS["en" if en else "zh"]
    progress = time_progress(as_of)
    rows = []
    for code in order:
        ledger = by_code.get(code)
        if ledger is None:
            continue
        view = views[code]
        invest = invest_row(ledger, as_of, settings, progress)
        total = ledger.investment.total if ledger.investment else None
        calendar = ledger.calendar if isinstance(ledger.calendar, str) else (
            ledger.calendar.base if ledger.calendar is not None else None)
        has_completed = bool(ledger.investment and ledger.investment.completed)
        project = {"code": ledger.code, "project": ledger.name, "program": ledger.program, "stage": ledger.stage,
                   "leader": ledger.leader, "deadline": ledger.deadline, "calendar": calendar, "total": total,
                   "planned": invest.planned, "completed": invest.completed if has_completed else None}
        item_views = {i.id: i for i in view.items}
        if not ledger.items:
            rows.append([project.get(f) if f in project else
                         (ledger.unit if f == "unit" else ledger.owner if f == "owner" else None) for f in fields])
            continue
        for item in ledger.items:
            iv = item_views[item.id]
            last = max(item.notes, key=lambda n: n.date, default=None)
            values = dict(project)
            values.update({
                "item_id": item.id, "title": item.title, "kind": kinds[item.kind],
                "unit": item.unit or ledger.unit, "owner": item.owner or ledger.owner,
                "due": iv.due, "node_source": (("computed" if en else "倒排") if item.due is None and iv.due else
                                               (("set" if en else "设定") if iv.due else None)),
                "duration": item.duration, "after": ", ".join(item.after) or None,
                "light": light_word(iv.light, lang),
                "days_left": iv.days_left if iv.light != "done" else None,
                "closed_on": item.closed.date if item.closed else None,
                "closed_by": item.closed.by if item.closed else None,
                "closed_note": item.closed.note if item.closed else None,
                "evidence": item.closed.evidence if item.closed else None,
                "measures": item.measures,
                "progress": last.text if last else None,
                "progress_date": last.date if last else None,
                "progress_by": last.by if last else None,
            })
            rows.append([values.get(f) for f in fields])
    return ExportTable(settings.title, as_of, headers, fields, rows)


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, also after spaces,
    tabs or line breaks; or a leading tab or carriage return) gets a leading apostrophe, as
    OWASP recommends for CSV ("CSV injection"): spreadsheets show it as the text it is."""
    return "'" + text if is_formula_like(text) else text


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (the one rule for every export)."""
    return bool(text) and (text[0] in "\t\r" or text.lstrip(" \t\r\n")[:1] in _FORMULA_START)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_wan(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_csv(table: ExportTable) -> str:
    """CSV as Excel reads it (the caller adds a UTF-8 byte-order mark when writing a file):
    a header row, one row per item, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()


def _md_cell(value: Any) -> str:
    text = _csv_value(value) if not isinstance(value, str) else value
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def to_markdown(table: ExportTable, lang: str = "zh") -> str:
    heading = ("Ledger" if lang == "en" else "台账") + ((" " + table.title) if table.title else "")
    when = f"As of {table.as_of}" if lang == "en" else f"截至 {table.as_of}"
    lines = [f"# {_md_cell(heading)}", "", when, ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
    numeric = {"duration", "days_left", "total", "planned", "completed"}
    lines.append("|" + "|".join("---:" if f in numeric else "---" for f in table.fields) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


_XLSX_FILL = {"red": "F8CBAD", "yellow": "FFE699", "green": "C6EFCE", "done": "E7E6E6", "none": "D9D2E9"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def to_xlsx(table: ExportTable, path: Path, lang: str = "zh") -> None:
    """An xlsx a clerk can work with: a title row, the header frozen with an autofilter, real
    dates and numbers, the lights filled in colour (and in words), A3 landscape one page wide.
    Texts a spreadsheet would run as formulas are stored as text cells marked like Excel's own
    leading apostrophe (quotePrefix): shown and kept as written, never evaluated."""
    import os
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from taizhang.i18n import LIGHT_WORDS
    from taizhang.render.table import width as cells_of

    book = Workbook()
    ws = book.active
    ws.title = "台账" if lang != "en" else "Ledger"
    n = len(table.headers)
    heading = ("Ledger" if lang == "en" else "台账") + ((" " + table.title) if table.title else "") + \
        (f" (as of {table.as_of})" if lang == "en" else f"（截至 {table.as_of}）")
    ws.cell(row=1, column=1, value=_ILLEGAL.sub("", heading)).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 24
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for c, text in enumerate(table.headers, start=1):
        cell = ws.cell(row=2, column=c, value=text)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    light_of = {word: light for light, word in LIGHT_WORDS["en" if lang == "en" else "zh"].items()}
    widths = [cells_of(h) for h in table.headers]
    light_col = table.fields.index("light")
    for r, row in enumerate(table.rows, start=3):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                text = _ILLEGAL.sub("", value)
                cell.value = text
                # openpyxl takes a text starting with `=` for a formula: say it is a string.
                cell.data_type = "s"
                if is_formula_like(text):
                    cell.quotePrefix = True
                widths[c - 1] = max(widths[c - 1], min(50, max((cells_of(line) for line in text.split("\n")), default=0)))
            elif isinstance(value, Decimal):
                cell.value = float(value)
                cell.number_format = "#,##0.00"
                widths[c - 1] = max(widths[c - 1], 12)
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
                widths[c - 1] = max(widths[c - 1], 11)
            elif value is not None:
                cell.value = value
                widths[c - 1] = max(widths[c - 1], len(str(value)))
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
        light = light_of.get(row[light_col])
        if light:
            cell = ws.cell(row=r, column=light_col + 1)
            cell.fill = PatternFill("solid", fgColor=_XLSX_FILL[light])
            cell.font = Font(bold=light in ("red", "yellow"))
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(52, max(6, w + 2))
    last_col = get_column_letter(n)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{last_col}{max(2, len(table.rows) + 2)}"
    print_landscape_one_page_wide(ws, "A3", "2:2")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".taizhang-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def print_landscape_one_page_wide(ws, paper: str, title_rows: str) -> None:
    """The print setup offices expect of a 台账 sheet: landscape, as many pages down as needed
    but one page wide, the header rows repeated on every page."""
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
