"""Reading a file into a Sheet: its rows of cell values, 0-based, merged cells filled with the
value of their top-left cell and remembered, so that a message can name the cell that holds it.

A reader is a function `(path, shown, sheet) -> Sheet` registered for the suffixes it reads
(`@reader(".xlsx", ".xlsm")`); `read_sheet` chooses it by the file's suffix. Adding a format is
adding one such function. A reader raises TaizhangError with a Problem about the file (`shown`
is the file as messages name it) when it cannot read it at all; cells it cannot make sense of
are left to the columns (`exchange.columns`).

openpyxl is imported only inside the reader that needs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.exchange.sheets import unmark
from taizhang.i18n import os_reason


@dataclass
class Sheet:
    """A sheet's cells (merged cells filled with their top-left value). Rows may be of
    different lengths (a row ends at its last real cell): ask `value`/`text`, which read a cell
    past a row's end as empty."""

    rows: list[list[Any]]
    across: set[tuple[int, int]] = field(default_factory=set)  # cells of merges wider than one column
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → its top-left
    kind: str = "xlsx"
    encoding: str | None = None
    name: str | None = None
    # Formula cells saved without the value they compute (a file written by a program, never
    # opened in Excel): nothing to read, so an import must say so rather than see a blank.
    uncached: set[tuple[int, int]] = field(default_factory=set)
    title: str | None = None  # a title written outside the table (the paragraph above a Word table)

    def value(self, r: int, c: int) -> Any:
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def text(self, r: int, c: int) -> str:
        row = self.rows[r]
        return cell_text(row[c]) if c < len(row) else ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


Reader = Callable[[Path, str, str | None], Sheet]
"""(the file, the file as messages name it, the sheet asked for or None) → its cells."""

READERS: dict[str, Reader] = {}
"""Each suffix (lower case, with its dot) and the function that reads such files."""

# Formats offices still send that no reader reads: said so, rather than "unknown type".
_OLD_EXCEL = (".et", ".wps", ".doc")


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register the decorated function as the reader of files with these suffixes."""

    def register(read: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = read
        return read

    return register


def read_sheet(path: Path, shown: str, sheet: str | None = None) -> Sheet:
    """The first (active) sheet of an xlsx, or the named one; or a CSV file. The reader is the
    one the file's content calls for (`sniff`): offices and WPS send an xlsx named `.xls`."""
    if not path.is_file():
        kind = _not_a_file(path)
        if kind is None:
            raise input_error("file_missing", path=shown)
        raise TaizhangError(Problem(shown, 0, 0, f"import_not_file_{kind}", {}))
    suffix = path.suffix.lower()
    read = READERS.get(sniff(path, suffix) or suffix)
    if read is not None:
        return read(path, shown, sheet)
    if suffix in _OLD_EXCEL:
        raise TaizhangError(Problem(shown, 0, 0, "import_old_office", {"suffix": suffix}))
    raise TaizhangError(Problem(shown, 0, 0, "import_format_known", {"suffix": suffix or "-"}))


def _not_a_file(path: Path) -> str | None:
    """What a path that is there but is no regular file is (a folder, a FIFO…), for the
    message; None when nothing is there."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "socket"


_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (and Word 97, WPS)


def sniff(path: Path, suffix: str) -> str | None:
    """The suffix whose reader reads this file, by its first bytes where they tell: a zip is an
    xlsx or a docx (by what it holds), an OLE file an xls; None: the suffix's own reader (a CSV,
    a damaged file, an old Word or WPS file, which its suffix names better)."""
    import zipfile

    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError:
        return None
    head = start[:8]
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names:
            return ".docx"
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return ".xlsm" if suffix == ".xlsm" else ".xlsx"
        return None
    if head.startswith(_OLE) and suffix not in _OLD_EXCEL:
        return ".xls"
    if suffix in (".xlsx", ".xlsm", ".xls") and _delimited(start):
        return ".csv"  # a CSV saved under a spreadsheet's name (a system's "Excel" export)
    return None


def _delimited(start: bytes) -> bool:
    """Whether a file's first bytes are a text table: its first line has commas or tabs."""
    if b"\x00" in start and not start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # binary
    line_end = start.find(b"\n")
    try:
        decoded = decode_csv(start[:line_end] if line_end > 0 else start)  # (a character cut at 4096 aside)
    except UnicodeDecodeError:
        return False
    if decoded is None:
        return False
    first = decoded[0].lstrip("\ufeff").split("\n", 1)[0]
    return not first.lstrip().startswith("<") and ("," in first or "\t" in first)


@reader(".xlsx", ".xlsm")
def read_xlsx(path: Path, shown: str, sheet: str | None) -> Sheet:
    """The named sheet of a workbook, else its active one (as Excel and WPS save either)."""
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only: the sheet's XML is streamed and only its real cells are kept, whatever
        # size its <dimension> claims (a claim of XFD1048576 made a full load run out of
        # memory). data_only: a formula cell gives the value Excel computed and saved with it.
        book, handle = _workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise TaizhangError(Problem(shown, 0, 0, "import_unreadable",
                                    {"detail": os_reason(e) or type(e).__name__})) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise TaizhangError(Problem(shown, 0, 0, "import_no_sheet",
                                            {"sheet": sheet, "sheets": "、".join(book.sheetnames)}))
            ws = book[sheet]
        else:
            ws = book.active if book.active is not None else book.worksheets[0]
        if not hasattr(ws, "_get_source"):  # a chart sheet: no cells
            raise TaizhangError(Problem(shown, 0, 0, "import_no_sheet",
                                        {"sheet": ws.title, "sheets": "、".join(book.sheetnames)}))
        try:
            return _read_xlsx_sheet(book, ws)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as e:
            raise TaizhangError(Problem(shown, 0, 0, "import_unreadable",
                                        {"detail": os_reason(e) or type(e).__name__})) from None
    finally:
        book.close()
        handle.close()


def _workbook(path: Path, *, data_only: bool = False) -> tuple[Any, Any]:
    """(workbook, its open file) of an xlsx, read-only. Opened as a file, since openpyxl refuses
    a name that does not end .xlsx (an xlsx sent as .xls: `sniff` found it is one)."""
    from openpyxl import load_workbook

    handle = path.open("rb")
    try:
        return load_workbook(handle, read_only=True, data_only=data_only), handle
    except BaseException:
        handle.close()
        raise


def xlsx_sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets (empty if it does not read: the main read says why)."""
    try:
        book, handle = _workbook(path)
    except Exception:  # noqa: BLE001 - the sheet itself was read; a second look that fails finds nothing
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()
        handle.close()


def _read_xlsx_sheet(book: Any, ws: Any) -> Sheet:
    """One worksheet's real cells, streamed from its XML; its merged ranges (which a read-only
    sheet does not give) come from the same pass, and are filled within the real cells."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    uncached: set[tuple[int, int]] = set()

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict:
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                uncached.add((cell["row"] - 1, cell["column"] - 1))
            return cell

    rows: list[list[Any]] = []
    with ws._get_source() as src:
        parser = Parser(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                        date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            real = [c for c in cells if c["value"] is not None]
            if not real:
                continue
            while len(rows) < number:
                rows.append([])
            row = rows[number - 1]
            for cell in real:
                c = cell["column"] - 1
                if c >= len(row):
                    row.extend([None] * (c + 1 - len(row)))
                row[c] = cell["value"]
        merged = [m.ref for m in parser.merged_cells.mergeCell] if parser.merged_cells is not None else []
    for r, _ in uncached:
        while len(rows) <= r:
            rows.append([])
    return _fill_merged(Sheet(rows, kind="xlsx", name=ws.title, uncached=uncached), merged)


def _fill_merged(sheet: Sheet, refs: list[str]) -> Sheet:
    """Fill each merged range (`B5:B7`) with its top-left value."""
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    for ref in refs:
        try:
            ranges.append(range_boundaries(ref))
        except (TypeError, ValueError):
            continue
    return _fill_ranges(sheet, ranges)


def _fill_ranges(sheet: Sheet, ranges: list[tuple[int, int, int, int]]) -> Sheet:
    """Fill each merged range (min_col, min_row, max_col, max_row, 1-based) with its top-left
    value, within the sheet's real cells (a range claiming the whole sheet costs no more than
    the cells there are)."""
    rows, width = sheet.rows, sheet.width
    for min_col, min_row, max_col, max_row in ranges:
        top, left = min_row - 1, min_col - 1
        if top >= len(rows) or left >= width:
            continue
        value = sheet.value(top, left)
        for r in range(top, min(max_row, len(rows))):
            row = rows[r]
            right = min(max_col, width)
            if value is not None and len(row) < right:
                row.extend([None] * (right - len(row)))
            for c in range(left, right):
                if value is not None:
                    row[c] = value
                sheet.origin[(r, c)] = (top, left)
                if max_col > min_col:
                    sheet.across.add((r, c))
    return sheet


@reader(".xls")
def read_xls(path: Path, shown: str, sheet: str | None) -> Sheet:
    """A workbook of Excel 97–2003 (BIFF), as offices and WPS still save them: the named sheet,
    else the first. Read by calamine (Rust, through python-calamine): fast, with wheels for
    Windows, macOS and Linux, and maintained; it also gives the merged ranges."""
    from python_calamine import CalamineWorkbook

    try:
        # From the file's content (calamine reads a path by its suffix: an .xls sent as .xlsx).
        with path.open("rb") as handle:
            book = CalamineWorkbook.from_filelike(handle)
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types for any damage
        raise TaizhangError(Problem(shown, 0, 0, "import_unreadable",
                                    {"detail": os_reason(e) or type(e).__name__})) from None
    try:
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise TaizhangError(Problem(shown, 0, 0, "import_no_sheet", {"sheet": sheet, "sheets": "、".join(names)}))
        if not names:
            raise TaizhangError(Problem(shown, 0, 0, "import_unreadable", {"detail": "no sheet"}))
        name = sheet if sheet is not None else names[0]
        try:
            ws = book.get_sheet_by_name(name)
            raw = ws.to_python(skip_empty_area=False)
            merged = ws.merged_cell_ranges or []
        except Exception as e:  # noqa: BLE001
            raise TaizhangError(Problem(shown, 0, 0, "import_unreadable",
                                        {"detail": os_reason(e) or type(e).__name__})) from None
    finally:
        book.close()
    rows: list[list[Any]] = []
    for values in raw:
        row = [None if v == "" else v for v in values]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    ranges = [(c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in merged]
    return _fill_ranges(Sheet(rows, kind="xls", name=name), ranges)


@reader(".docx")
def read_docx(path: Path, shown: str, sheet: str | None) -> Sheet:
    """A table of a Word document (分解表, 督查通知单): `--sheet N` (or 表N) picks the Nth table,
    else the one with the most rows. Merged cells are read from the XML as Word writes them
    (`gridSpan` across, `vMerge` down) and filled like a spreadsheet's; the paragraph just
    above the table is its title."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise TaizhangError(Problem(shown, 0, 0, "import_unreadable",
                                    {"detail": os_reason(e) or type(e).__name__})) from None
    tables = document.tables
    names = [f"表{n}" for n in range(1, len(tables) + 1)]
    if not tables:
        raise TaizhangError(Problem(shown, 0, 0, "import_no_table"))
    if sheet is not None:
        wanted = sheet.strip().removeprefix("表").removeprefix("table").removeprefix("Table").strip()
        if not wanted.isdigit() or not 1 <= int(wanted) <= len(tables):
            raise TaizhangError(Problem(shown, 0, 0, "import_no_sheet", {"sheet": sheet, "sheets": "、".join(names)}))
        index = int(wanted) - 1
    else:
        index = max(range(len(tables)), key=lambda i: (len(tables[i].rows), -i))
    table = tables[index]
    return _docx_table(table, names[index], _paragraph_above(table))


def _docx_table(table: Any, name: str, title: str | None) -> Sheet:
    from docx.oxml.ns import qn

    rows: list[list[Any]] = []
    ranges: list[tuple[int, int, int, int]] = []  # (min_col, min_row, max_col, max_row), 1-based
    running: dict[int, list[int]] = {}  # grid column → [left, top, right, bottom] of a vMerge going down

    def close(c: int) -> None:
        left, top, right, bottom = running.pop(c)
        if bottom > top or right > left:
            ranges.append((left + 1, top + 1, right + 1, bottom + 1))

    for r, tr in enumerate(table._tbl.tr_lst):
        row: list[Any] = []
        c = 0
        properties = tr.find(qn("w:trPr"))
        before = properties.find(qn("w:gridBefore")) if properties is not None else None
        if before is not None:
            c = int(before.get(qn("w:val"), "0") or 0)
            row.extend([None] * c)
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            merge = tc.vMerge
            if merge == "continue" and c in running:
                running[c][3] = r
                row.extend([None] * span)
            else:
                if c in running:
                    close(c)
                text = "\n".join(p.text for p in _paragraphs(tc)).strip("\n")
                row.extend([text or None] + [None] * (span - 1))
                if merge == "restart":
                    running[c] = [c, r, c + span - 1, r]
                elif span > 1:
                    ranges.append((c + 1, r + 1, c + span, r + 1))
            c += span
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    for c in list(running):
        close(c)
    return _fill_ranges(Sheet(rows, kind="docx", name=name, title=title), ranges)


def _paragraphs(tc: Any) -> list[Any]:
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, None) for p in tc.p_lst]  # type: ignore[arg-type]  # text only: no story part needed


def _paragraph_above(table: Any) -> str | None:
    """The text of the paragraph right above a table (its title), if it has one."""
    from docx.oxml.ns import qn

    node = table._tbl.getprevious()
    while node is not None and node.tag == qn("w:p"):
        text = "".join(t.text or "" for t in node.iter(qn("w:t"))).strip()
        if text:
            return text
        node = node.getprevious()
    return None


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


@reader(".csv", ".txt", ".tsv")
def read_csv(path: Path, shown: str, sheet: str | None) -> Sheet:
    """A CSV (or tab-separated) file in any encoding `decode_csv` knows; it has one table, so
    `sheet` is not looked at."""
    raw = path.read_bytes()
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TaizhangError(Problem(shown, 0, 0, "import_binary"))
    try:
        decoded = decode_csv(raw)
    except UnicodeDecodeError:
        decoded = None
    if decoded is None:
        raise TaizhangError(Problem(shown, 0, 0, "import_encoding"))
    text, encoding = decoded
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        # The apostrophe an export put before a formula-like text comes off here, in the one
        # format that carries it as a character (an xlsx marks such a cell instead).
        rows: list[list[Any]] = [[unmark(v) for v in r]
                                 for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise TaizhangError(Problem(shown, 0, 0, "import_unreadable", {"detail": str(e)})) from None
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Sheet(rows, kind="csv", encoding=encoding)


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious `.0`, dates as ISO, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return written_text(value)


def written_text(value: Any) -> str:
    """A cell as text with nothing trimmed (a title is kept byte for byte); numbers, dates
    and booleans as `cell_text` writes them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text
