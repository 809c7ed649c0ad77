"""Export: the ledgers as one table — a row per item, the project's columns repeated on each —
written as xlsx (for the offices' Excel), CSV (UTF-8, CRLF, for any spreadsheet) or Markdown.
What is exported imports again (`exchange.columns` recognises every header written here).

openpyxl is imported only inside the function that needs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang.domain.amounts import format_wan
from taizhang.domain.durations import written_duration
from taizhang.domain.lights import ATTENTION
from taizhang.domain.models import Ledger, Settings
from taizhang.exchange.columns import EXPORT_COLUMNS
from taizhang.exchange.sheets import is_formula_like, neutralise, print_landscape_one_page_wide, xlsx_safe


@dataclass
class ExportTable:
    """The ledgers as one table: a header per field (in the output language) and the rows."""

    title: str | None
    as_of: date
    headers: list[str]
    fields: list[str]
    rows: list[list[Any]]  # date, Decimal, int, str or None
    # What one row per item cannot hold, as sheets of their own beside the table in an xlsx
    # (name → headers, rows): every project's own fields, every note, every amount. `import`
    # reads them back, so that export → import loses nothing.
    companions: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    lang: str = "zh"


def export_table(ledgers: Sequence[Ledger], as_of: date, settings: Settings, extra=None, lang: str = "zh",
                 codes: Sequence[str] = ()) -> ExportTable:
    """Every item of the ledgers as one row (a project without items as a row of its own), in
    the ledgers' order; project columns repeat on each row so the sheet sorts and filters."""
    from taizhang.domain.calendars import NO_EXTRA
    from taizhang.domain.invest import invest_row, time_progress
    from taizhang.domain.lights import evaluate
    from taizhang.i18n import KIND_WORDS, light_word

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
        project: dict[str, Any] = {
            "code": ledger.code, "project": ledger.name, "program": ledger.program, "stage": ledger.stage,
            "leader": ledger.leader, "deadline": ledger.deadline, "calendar": calendar, "total": total,
            "planned": invest.planned, "completed": invest.completed if has_completed else None}
        item_views = {i.id: i for i in view.items}
        if not ledger.items:
            rows.append([project.get(f) if f in project else
                         (unit_cell(ledger.unit) if f == "unit" else ledger.owner if f == "owner" else None) for f in fields])
            continue
        for item in ledger.items:
            iv = item_views[item.id]
            last = max(item.notes, key=lambda n: n.date, default=None)
            values = dict(project)
            values.update({
                "item_id": item.id, "title": item.title, "kind": kinds[item.kind],
                "unit": unit_cell(item.unit or ledger.unit), "owner": item.owner or ledger.owner,
                "leader": item.leader or ledger.leader,
                "due": iv.due, "node_source": (("computed" if en else "倒排") if item.due is None and iv.due else
                                               (("set" if en else "设定") if iv.due else None)),
                "duration": written_duration(item.duration) if item.duration is not None else None,
                "after": ", ".join(item.after) or None,
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
    return ExportTable(settings.title, as_of, headers, fields, rows,
                       companions(ledgers, [c for c in order if c in by_code], lang), lang)


# The companion sheets of an xlsx export: (zh name, en name, zh headers, en headers). Import
# knows them by these names and headers (exchange.columns.COMPANIONS reads the same table).
COMPANION_SHEETS = {
    "projects": ("项目", "Projects", ["项目代码", "项目名称", "所属工程", "建设性质", "责任单位", "责任领导", "责任人",
                                   "项目最终节点", "日历"],
                 ["Code", "Project", "Program", "Stage", "Unit", "Leader", "Owner", "Project deadline", "Calendar"]),
    "notes": ("进展", "Notes", ["编号", "日期", "汇报人", "进展情况"], ["ID", "Date", "Reported by", "Progress"]),
    "investment": ("投资", "Investment", ["项目代码", "类别", "期间", "金额（万元）"],
                   ["Code", "Kind", "Period", "Amount (万元)"]),
    "fields": ("其他字段", "Other fields", ["编号", "字段", "值"], ["ID", "Field", "Value"]),
}


# The other fields an export writes, and import takes (nothing else: not an id or a title).
OWN_PROJECT_FIELDS = ("unit", "calendar", "changes")
OWN_ITEM_FIELDS = ("unit", "owner", "leader", "target", "from", "due", "apply", "changes", "closed", "notes")


def own_fields(ledger: Ledger) -> list[list[Any]]:
    """What neither the table nor the other companion sheets say as the ledger has it, as rows
    (project code or item id, key, the value in YAML on one line): a project's joint units as a
    list, its calendar rule, its moved deadlines; an item's own unit, owner and leader (a table
    row says the one it has, its own or the project's), leader, target, `from`, a `due` that is
    a term (长期坚持), the application for 销号, moved nodes, a close with who verified it, notes
    with a quantity done."""
    from taizhang.yamltext.emit import inline

    def dump(value: Any) -> Any:
        data = value.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        return _plain(data)

    rows: list[list[Any]] = []
    if isinstance(ledger.unit, list):
        rows.append([ledger.code, "unit", inline(ledger.unit)])
    if ledger.calendar is not None and not isinstance(ledger.calendar, str):
        rows.append([ledger.code, "calendar", inline(dump(ledger.calendar))])
    if ledger.changes:
        rows.append([ledger.code, "changes", inline([dump(c) for c in ledger.changes])])
    for item in ledger.items:
        own: dict[str, Any] = {"unit": _plain(item.unit), "owner": item.owner, "leader": item.leader,
                               "target": item.target, "from": item.from_,
                               "due": item.term.text if item.term is not None else None,
                               "apply": dump(item.apply) if item.apply else None,
                               "changes": [dump(c) for c in item.changes] or None,
                               "closed": dump(item.closed) if item.closed and item.closed.verified_by else None,
                               "notes": [dump(n) for n in item.notes] if any(n.done is not None for n in item.notes)
                               else None}
        rows += [[item.id, key, inline(value)] for key, value in own.items() if value is not None]
    return rows


def _plain(value: Any) -> Any:
    """Model data as YAML writes it: amounts as exact text (万元), lists and mappings within."""
    if isinstance(value, Decimal):
        return format_wan(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def companions(ledgers: Sequence[Ledger], order: Sequence[str], lang: str) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The companion sheets' rows: each project's own fields, every note of every item (oldest
    first), every amount of every project (总投资, each year's 计划, each month's 完成) as text,
    exact to the last digit."""
    en = lang == "en"
    by_code = {l.code: l for l in ledgers}
    projects, notes, amounts, fields = [], [], [], []
    for code in order:
        ledger = by_code[code]
        calendar = ledger.calendar if isinstance(ledger.calendar, str) else (
            ledger.calendar.base if ledger.calendar is not None else None)
        projects.append([ledger.code, ledger.name, ledger.program, ledger.stage, unit_cell(ledger.unit), ledger.leader,
                         ledger.owner, ledger.deadline, calendar])
        for item in ledger.items:
            for note in item.notes:
                notes.append([item.id, note.date, note.by, note.text])
        invest = ledger.investment
        if invest is not None:
            if invest.total is not None:
                amounts.append([code, "total", None, format_wan(invest.total)])
            for year, value in invest.planned.items():
                amounts.append([code, "planned", str(year), format_wan(value)])
            for month, value in invest.completed.items():
                amounts.append([code, "completed", month, format_wan(value)])
        fields += own_fields(ledger)
    out = {}
    for key, rows in (("projects", projects), ("notes", notes), ("investment", amounts), ("fields", fields)):
        zh, en_name, zh_headers, en_headers = COMPANION_SHEETS[key]
        out[en_name if en else zh] = (en_headers if en else zh_headers, rows)
    return out


def unit_cell(value: Any) -> str | None:
    """A `unit` as one cell (SPEC §7): text as written; a list joined by 、, a name that holds a
    separator quoted “…” so that it stays whole."""
    from taizhang.domain.units import SEPARATORS

    if value is None or isinstance(value, str):
        return value
    return "、".join(f"“{name}”" if SEPARATORS.search(name) else name for name in value)


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
    a header row, one row per item, CRLF line ends. A CSV has one sheet: what an xlsx keeps in
    its companion sheets comes as columns after the table's (`companion_columns`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    headers, cells = companion_columns(table)
    writer.writerow(table.headers + headers)
    for row, extra in zip(table.rows, cells):
        writer.writerow([_csv_value(v) for v in row + extra])
    return out.getvalue()


def companion_columns(table: ExportTable) -> tuple[list[str], list[list[str | None]]]:
    """The companion sheets as cells of each row (exchange.cells): the project's own fields
    and its amounts on each of its rows, the item's every note on its own. The headers, and a
    row of cells per row of the table."""
    from taizhang.exchange.cells import CSV_COMPANION_COLUMNS, amounts_cell, fields_cell, notes_cell, project_cell

    en = table.lang == "en"

    def sheet(key: str) -> tuple[list[str], list[list[Any]]]:
        zh, en_name, zh_headers, en_headers = COMPANION_SHEETS[key]
        return table.companions.get(en_name if en else zh, (en_headers if en else zh_headers, []))

    project_headers, projects = sheet("projects")
    own = {row[0]: project_cell(project_headers, row, table.lang) for row in projects}
    notes: dict[str, list[list[Any]]] = {}
    for row in sheet("notes")[1]:
        notes.setdefault(row[0], []).append(row)
    amounts: dict[str, list[list[Any]]] = {}
    for row in sheet("investment")[1]:
        amounts.setdefault(row[0], []).append(row)
    others: dict[str, list[list[Any]]] = {}
    for row in sheet("fields")[1]:
        others.setdefault(row[0], []).append(row)
    code_at, id_at = table.fields.index("code"), table.fields.index("item_id")
    cells = []
    for row in table.rows:
        code, item_id = row[code_at], row[id_at]
        cells.append([own.get(code) or None, notes_cell(notes.get(item_id, []), table.lang) or None,
                      amounts_cell(amounts.get(code, []), table.lang) or None,
                      fields_cell(others.get(code, []) + others.get(item_id, []), table.lang) or None])
    return [en_h if en else zh for _, zh, en_h in CSV_COMPANION_COLUMNS], cells


def _md_cell(value: Any) -> str:
    from taizhang.domain.markdown import md_text

    text = _csv_value(value) if not isinstance(value, str) else value
    return md_text(text.replace("\r", ""), line_break="<br>")


def to_markdown(table: ExportTable, lang: str = "zh") -> str:
    """A heading, the day, and the table as a pipe table (numbers right-aligned)."""
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


def to_xlsx(table: ExportTable, lang: str = "zh") -> bytes:
    """An xlsx a clerk can work with: a title row, the header frozen with an autofilter, real
    dates and numbers, the lights filled in colour (and in words), A3 landscape one page wide.
    Texts a spreadsheet would run as formulas are stored as text cells marked like Excel's own
    leading apostrophe (quotePrefix): shown and kept as written, never evaluated."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    # rich (a dependency) measures terminal cells; render is a layer above exchange.
    from rich.cells import cell_len as cells_of

    from taizhang.i18n import LIGHT_WORDS

    book = Workbook()
    ws = book.active
    ws.title = "台账" if lang != "en" else "Ledger"
    n = len(table.headers)
    heading = ("Ledger" if lang == "en" else "台账") + ((" " + table.title) if table.title else "") + \
        (f" (as of {table.as_of})" if lang == "en" else f"（截至 {table.as_of}）")
    ws.cell(row=1, column=1, value=xlsx_safe(heading)).font = Font(bold=True, size=14)
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
                text = xlsx_safe(value)
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
            cell.font = Font(bold=light in ATTENTION)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(52, max(6, w + 2))
    last_col = get_column_letter(n)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{last_col}{max(2, len(table.rows) + 2)}"
    print_landscape_one_page_wide(ws, "A3", "2:2")
    for name, (headers, rows) in table.companions.items():
        sheet = book.create_sheet(name)
        for c, text in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=c, value=text)
            cell.font = Font(bold=True)
            cell.fill = head_fill
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, date):
                    cell.value = value
                    cell.number_format = "yyyy-mm-dd"
                else:
                    # Text, amounts included: exact, and never run as a formula.
                    cell.value = xlsx_safe(str(value))
                    cell.data_type = "s"
                    if is_formula_like(cell.value):
                        cell.quotePrefix = True
        sheet.freeze_panes = "A2"
    # Made in memory, written by the caller as any other file: a disk that fills up midway
    # then fails one plain write, not openpyxl's zip stream (whose half-closed ZipFile printed
    # a traceback of its own when collected).
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
