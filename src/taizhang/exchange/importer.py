"""Import: decide what a table would add to the ledgers (the plan: projects, items, their codes
and ids), then write it through the store's own edit functions, all or nothing.

A row's project is found by its code, else by its name among the ledgers; a project no ledger
has is created (its code from the pinyin initials of its name where the sheet gives none). An item whose project already
has an item with the same title is left alone, so importing the same file twice adds nothing the
second time. The write is one transaction of the store (`repo.write.edit_ledgers`): new ledgers
are made whole in memory and verified like edits, and every file is written or none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from taizhang.domain.dates import not_happened
from taizhang.domain.ids import (
    is_reserved_name,
    item_number,
    make_item_id,
    split_item_id,
)
from taizhang.domain.models import DEFAULT_KIND, Ledger, Settings
from taizhang.domain.moves import is_move
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.exchange.cells import CSV_COMPANION_COLUMNS
from taizhang.exchange.columns import (
    Context,
    Progress,
    Record,
    amount_text,
    cell_address,
    find_header,
    read_records,
    role_of,
)
from taizhang.exchange.readers import (
    cell_text,
    read_sheet,
    written_text,
    xlsx_sheet_names,
)
from taizhang.repo.cache import Cache
from taizhang.repo.write import Written

# --- an export's companion sheets ------------------------------------------------------------

@dataclass
class Companions:
    """What an export keeps beside its table (exchange.export.COMPANION_SHEETS: sheets of an
    xlsx, a CSV's companion cells): each project's own fields, every note, every amount, the
    fields a row cannot say as the ledger has them (`export.own_fields`) — read
    back for the projects an import creates, so that export → import gives back every field."""

    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    investment: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # code or id → the other fields
    read: set[str] = field(default_factory=set)  # the companions found ("projects", "notes", "investment", "fields")

    # One rule per companion row, whichever file carried it: a row as the sheet has it.
    def add_project(self, values: Sequence[Any]) -> None:
        fields: dict[str, Any] = dict(zip(_PROJECT_KEYS, (cell_text(v) or None for v in values)))
        fields["name"] = written_text(values[1]) or fields["name"]
        deadline = values[7]
        if isinstance(deadline, datetime):
            fields["deadline"] = deadline.date()
        elif isinstance(deadline, date):
            fields["deadline"] = deadline
        code = fields.pop("code")
        if code:
            self.projects[code] = fields

    def add_note(self, values: Sequence[Any]) -> None:
        item_id, day, by, text = values
        day = day.date() if isinstance(day, datetime) else day
        if item_id and isinstance(day, date) and written_text(text):
            self.notes.setdefault(cell_text(item_id), []).append(
                {"date": day, "by": cell_text(by) or None, "text": written_text(text)})

    def add_amount(self, values: Sequence[Any]) -> bool:
        """False when the amount does not read."""
        code, kind, period, amount = (cell_text(v) for v in values)
        invest = self.investment.setdefault(code, {})
        try:
            value = amount_text(Decimal(amount), "万")
        except (InvalidOperation, ValueError):
            return False
        if kind == "total":
            invest["total"] = value
        elif kind == "planned" and period.isdigit():
            invest.setdefault("planned", {})[int(period)] = value
        elif kind == "completed" and period:
            invest.setdefault("completed", {})[period] = value
        return True

    def add_field(self, values: Sequence[Any]) -> bool:
        """False when the field is not one an export writes, or its YAML does not read."""
        from taizhang.domain.ids import is_code
        from taizhang.exchange.export import OWN_ITEM_FIELDS, OWN_PROJECT_FIELDS
        from taizhang.yamltext.emit import as_written
        from taizhang.yamltext.read import read_document

        key, name, text = (cell_text(v) for v in values)
        if name not in (OWN_PROJECT_FIELDS if is_code(key) else OWN_ITEM_FIELDS):
            return False
        doc = read_document(("v: " + text + "\n").encode("utf-8"), "")
        if doc.problems or not isinstance(doc.data, dict) or doc.data.get("v") is None or "\n" in text:
            return False
        self.fields.setdefault(key, {}).setdefault(name, as_written(doc.data["v"]))
        return True


_PROJECT_KEYS = ("code", "name", "program", "stage", "unit", "leader", "owner", "deadline", "calendar")


def read_companions(path: Path, shown: str, ctx: Context) -> Companions:
    """The companion sheets of an xlsx export, when the workbook has them with their headers."""
    from taizhang.exchange.export import COMPANION_SHEETS

    out = Companions()
    names = set(xlsx_sheet_names(path))
    for key, (zh, en, zh_headers, en_headers) in COMPANION_SHEETS.items():
        name = zh if zh in names else en if en in names else None
        if name is None:
            continue
        sheet = read_sheet(path, shown, name)
        if not sheet.rows or [sheet.text(0, c) for c in range(len(sheet.rows[0]))] not in (zh_headers, en_headers):
            continue
        out.read.add(key)
        for r in range(1, len(sheet.rows)):
            values = [sheet.value(r, c) for c in range(len(zh_headers))]
            if all(v is None for v in values):
                continue
            if key == "projects":
                out.add_project(values)
            elif key == "notes":
                out.add_note(values)
            elif key == "fields":
                if not out.add_field(values):
                    ctx.error(r + 1, 2, "import_bad_companion_cell", line=cell_text(values[2]))
            elif not out.add_amount(values):
                ctx.error(r + 1, 3, "import_bad_companion", sheet=name)
    return out


def companion_cells(records: Sequence[Record], ctx: Context) -> Companions:
    """The companions of a CSV export, from the cells each row carries (exchange.cells): a
    project's own fields and amounts from its first row, an item's notes from its own row.
    A cell that does not read is an error at the cell, as any cell of the table is."""
    from taizhang.exchange.cells import (
        CellError,
        read_amounts_cell,
        read_fields_cell,
        read_notes_cell,
        read_project_cell,
    )
    from taizhang.exchange.export import COMPANION_SHEETS

    out = Companions(read={"projects", "notes", "investment", "fields"})
    headers = [COMPANION_SHEETS["projects"][2], COMPANION_SHEETS["projects"][3]]
    width = len(headers[0])
    seen: set[str] = set()
    for rec in records:
        code, col = rec.code, 0
        try:
            if code and code not in seen:
                seen.add(code)
                text, col = rec.companion.get("project_fields", ("", 0))
                if text:
                    cells = read_project_cell(text, headers)
                    values: list[Any] = [code, *(cells.get(i) for i in range(1, width))]
                    if values[7] is not None:
                        values[7] = _iso_day(values[7])
                    out.add_project(values)
                text, col = rec.companion.get("all_amounts", ("", 0))
                for kind, period, amount in read_amounts_cell(text):
                    if not out.add_amount([code, kind, period, amount]):
                        raise CellError(amount)
            text, col = rec.companion.get("all_notes", ("", 0))
            if text and rec.item_id:
                for note in read_notes_cell(text):
                    out.add_note([rec.item_id, note["date"], note["by"], note["text"]])
            text, col = rec.companion.get("other_fields", ("", 0))
            for key, name, value in read_fields_cell(text):
                if not out.add_field([key, name, value]):
                    raise CellError(value)
        except CellError as e:
            ctx.error(rec.row, col, "import_bad_companion_cell", line=str(e))
    return out


def _iso_day(text: str) -> date:
    from taizhang.exchange.cells import CellError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(text) from None


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
    notes: list[dict[str, Any]] | None = None  # every note, from an export's 进展 sheet
    after: list[str] = field(default_factory=list)  # as written (old ids)
    after_col: int = 0
    col: int = 0  # the title's column, 0-based (the cell `--dry-run` names)


@dataclass
class ItemUpdate:
    """What a newer copy of a sheet says about an item the ledger has (`import --update`)."""

    id: str
    title: str
    row: int
    col: int
    notes: list[dict[str, Any]] = field(default_factory=list)  # reports and remarks the item does not have yet
    closed: dict[str, Any] | None = None  # 销号 of an open item
    # (from, to, wording): a moved node; a term (长期坚持, 每月25日前) is its text
    due: tuple[date | str | None, date | str, str | None] | None = None
    day: date | None = None  # the day of the import (a moved node's record is dated so)
    title_to: str | None = None  # the title the sheet gives an item its id column names

    @property
    def moved(self) -> bool:
        """Whether the written node moves (to another day, or to a term: kept under `changes:`)."""
        return self.due is not None and is_move(self.due[0], self.due[1])


@dataclass
class ProjectPlan:
    code: str
    name: str
    new: bool
    row: int  # first row of the project
    col: int = 0  # the project's column, 0-based
    fields: dict[str, Any] = field(default_factory=dict)  # for a new project
    investment: dict[str, Any] | None = None
    items: list[ItemPlan] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, title, existing id)
    after: dict[str, list[str]] = field(default_factory=dict)  # new id → predecessors (new ids)
    updates: list[ItemUpdate] = field(default_factory=list)  # `--update`: changes to items it has
    sections: list[str] = field(default_factory=list)  # section rows that split its items (not kept)
    used: int = 0  # the highest item number git's copies of its ledger used (new ids are above)


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
    columns: list[tuple[int, str, str]] = field(default_factory=list)  # (column, header, role), by column
    cell_sheet: str | None = None  # the sheet in cell names (`Sheet1!C7`; none in a CSV)
    # Where the one project of a table without a project column is named: the title row's cell
    # (row, column, 0-based), "above" (the paragraph above a Word table), "file"; None: by a column.
    name_from: tuple[int, int] | str | None = None
    # What the plan was made from (rows, context, --update, an export's companion sheets), to
    # make it again under the lock against the ledgers then (`_replan`).
    records: list[Record] = field(default_factory=list, repr=False)
    context: Context | None = field(default=None, repr=False)
    update: bool = False
    companions: Companions | None = field(default=None, repr=False)

    def cell(self, row: int, col: int) -> str:
        """A cell of the file as a spreadsheet names it (`Sheet1!C7`), row 1-based, col 0-based."""
        return cell_address(row, col + 1, self.cell_sheet)

    @property
    def created(self) -> list[ProjectPlan]:
        return [p for p in self.projects if p.new]

    @property
    def added(self) -> int:
        return sum(len(p.items) for p in self.projects)

    @property
    def skipped(self) -> int:
        return sum(len(p.skipped) for p in self.projects)

    @property
    def updated(self) -> int:
        return sum(len(p.updates) for p in self.projects)


def plan_import(path: Path, shown: str, ledgers: Sequence[Ledger], existing_codes: Iterable[str], *,
                as_of: date, year: int, sheet: str | None = None, project: str | None = None,
                update: bool = False, progress: Progress | None = None,
                committed: Callable[[str], int] | None = None) -> ImportPlan:
    """Read a file and decide what an import would write, without writing. Raises
    TaizhangError with every problem found (each at FILE:ROW:COL) if any row cannot be read.
    With `update`, a row naming an item the ledger has (by title, or by the id column) brings
    what is new about it: a progress report, a 销号, a moved time node (`ItemUpdate`).
    `committed(code)` gives the highest item number git's copies of a ledger used
    (`committed_numbers`): new ids start above it, as `apply_import` gives them."""
    table = read_sheet(path, shown, sheet)
    if project is not None and not any(l.code == project for l in ledgers):
        raise input_error("unknown_project", code=project)
    header = find_header(table, shown)
    one_project = None
    name_from: tuple[int, int] | str | None = None
    if project is None and not ({"project", "code"} & set(header.columns)) and "item_id" not in header.columns:
        # A table of tasks or problems without a project column is one project, named by the
        # table's title row, else by the file.
        one_project = header.title_row or Path(shown).stem
        name_from = header.title_cell if header.title_cell is not None else "above" if header.title_row else "file"
    if header.title is None and "node" not in header.columns and project is not None:
        raise TaizhangError(Problem(shown, header.row + 1, 1, "import_no_title_column"))
    ctx = Context(shown, as_of, year, origin=table.origin, sheet=table.name if table.kind != "csv" else None)
    records = read_records(table, header, ctx, fixed_project=project, one_project=one_project, progress=progress)
    # An export's table brings its companions: an xlsx's as sheets beside it (the workbook's
    # first sheet, 台账 or Ledger), a CSV's as cells of its own columns (found all or none).
    if any(role in header.columns for role, _, _ in CSV_COMPANION_COLUMNS):
        extra = companion_cells(records, ctx)
    elif table.kind == "xlsx" and (sheet is None or sheet in ("台账", "Ledger")):
        extra = read_companions(path, shown, ctx)
    else:
        extra = Companions()
    projects = _plan_projects(records, ledgers, set(existing_codes), ctx, update=update, extra=extra,
                              committed=committed)
    if ctx.problems:
        raise TaizhangError(sorted(ctx.problems, key=Problem.sort_key))
    title_cols = {r.title_col for r in records if r.title}
    columns = []
    for c in header.columns.values():
        role = role_of(c.field)
        if title_cols and role == "title" and c.col not in title_cols:
            role = "grouping"  # a 建设内容 merged down a project's rows: it names no item
        elif title_cols and role in ("node", "due") and c.col in title_cols:
            role = "title_node"  # milestones with their dates: the items
        columns.append((c.col, c.label, role))
    columns.sort()
    return ImportPlan(shown, table.kind, table.encoding, table.name, header.row + 1,
                      len(records), header.ignored, projects, columns, ctx.sheet,
                      records=records, context=ctx, update=update, companions=extra, name_from=name_from)


def code_of_name(name: str) -> str:
    """A project's code from its name: the initials of its pinyin, letters and digits as
    written (宇通二期 → YTEQ, 3号路 → P3HL), at most 12. The same name gives the same code in
    every office; `new_code` settles a clash."""
    import unicodedata

    from pypinyin import Style, lazy_pinyin

    # Letters and digits that are not Chinese are kept as written (`errors`: one item each).
    initials = "".join(lazy_pinyin(unicodedata.normalize("NFKC", name), style=Style.FIRST_LETTER,
                                   errors=lambda s: list(s)))  # type: ignore[arg-type,return-value]
    letters = re.sub(r"[^A-Z0-9]", "", initials.upper())
    if not letters or not letters[0].isalpha():
        letters = "P" + letters
    return letters[:12]


def new_code(name: str, used: set[str]) -> str:
    """`code_of_name`, with a digit added when that code is taken (YTEQ, YTEQ2, YTEQ3…)."""
    base = code_of_name(name)
    if base not in used and not is_reserved_name(base):
        return base
    n = 2
    while True:
        suffix = str(n)
        code = base[:12 - len(suffix)] + suffix
        if code not in used and not is_reserved_name(code):
            return code
        n += 1


def _loose(title: str) -> str:
    """A title with its runs of spaces (and line breaks, tabs) made one space, ends trimmed."""
    return " ".join(title.split())


def _most_common(values: list[str | None]) -> str | None:
    counts = Counter(values)
    best = max(counts.values())
    for value in values:  # the first among the most common
        if counts[value] == best:
            return value
    return None


def _plan_projects(records: list[Record], ledgers: Sequence[Ledger], existing_codes: set[str],
                   ctx: Context, *, update: bool = False, extra: Companions | None = None,
                   committed: Callable[[str], int] | None = None) -> list[ProjectPlan]:
    """The projects and items the records make against `ledgers`. `committed(code)` gives the
    highest item number git's copies of an existing ledger used (new ids start above it)."""
    extra = extra if extra is not None else Companions()
    by_code = {l.code: l for l in ledgers}
    name_to_code: dict[str, str] = {}
    for rec in records:
        if rec.code and rec.project:
            name_to_code.setdefault(rec.project, rec.code)
    groups: dict[str, list[Record]] = {}
    for rec in records:
        key = rec.code or name_to_code.get(rec.project or "") or f"\0{rec.project}"
        groups.setdefault(key, []).append(rec)
    used_codes = set(existing_codes) | {k for k in groups if not k.startswith("\0")}
    plans: list[ProjectPlan] = []
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
                code = new_code(name or "", used_codes)
                used_codes.add(code)
        if ledger is None and not name:
            ctx.error(first.row, first.project_col, "import_new_without_name", code=code)
            continue
        plan = ProjectPlan(code, ledger.name if ledger else (name or ""), ledger is None, first.row, first.project_col)
        if ledger is None:
            plan.fields = {
                "name": name,
                "program": next((r.program for r in recs if r.program), None) or _section_program(recs, plan),
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
            completed = next(((r.completed_month, r.completed) for r in recs if r.completed), None)
            if completed:
                invest["completed"] = {completed[0]: completed[1]}
            plan.investment = invest or None
            if code in extra.projects:
                # An export's own sheet of projects: the fields as the ledger had them.
                plan.fields.update(extra.projects[code])
            if "investment" in extra.read:
                # The export's every amount; a project it lists none of had no investment.
                plan.investment = extra.investment.get(code) or None
            # The fields the table cannot say as the ledger had them (joint units as a list…).
            plan.fields.update(extra.fields.get(code, {}))
        unit = plan.fields.get("unit") if ledger is None else ledger.unit
        if isinstance(unit, list):
            from taizhang.exchange.export import unit_cell

            unit = unit_cell(unit)  # joint units as a row's cell says them
        owner = plan.fields.get("owner") if ledger is None else ledger.owner
        existing = {i.title: i.id for i in ledger.items} if ledger else {}
        # A title matched as written, else with its spaces evened out when that names one item
        # (a clerk's retyped sheet), never two.
        loose: dict[str, str | None] = {}
        for i in (ledger.items if ledger else []):
            k = _loose(i.title)
            loose[k] = None if k in loose else i.id
        next_number = max((item_number(i.id) for i in ledger.items), default=0) if ledger else 0
        if ledger is not None and committed is not None and any(r.title for r in recs):
            # An id git's copies still hold (an item deleted since) is never given again (§2).
            plan.used = committed(code)
            next_number = max(next_number, plan.used)
        by_id = {i.id: i for i in ledger.items} if ledger else {}
        seen: dict[str, int] = {}
        matched: dict[str, int] = {}  # id of an item the ledger has → the row that named it
        old_ids: dict[str, str] = {}  # 编号 in the file → id in the ledger
        # A new project keeps the ids its sheet gives (an export's 编号): the gaps an office's
        # deletions left stay gaps, and predecessors keep naming the same items.
        kept = {r.item_id for r in recs if ledger is None and r.item_id and split_item_id(r.item_id) == code}
        for rec in recs:
            if not rec.title:
                continue
            title = rec.title
            if title in seen:
                ctx.error(rec.row, rec.title_col, "import_duplicate", title=title.strip(), first=seen[title])
                continue
            seen[title] = rec.row
            match = existing.get(title) or loose.get(_loose(title))
            if update and rec.item_id and ledger is not None and rec.item_id in by_id:
                match = rec.item_id  # the id column names the item, whatever its title now
            if match and match in matched:
                ctx.error(rec.row, rec.title_col, "import_duplicate", title=title.strip(), first=matched[match])
                continue
            if match:
                matched[match] = rec.row
                plan.skipped.append((rec.row, title, match))
                if rec.item_id:
                    old_ids[rec.item_id] = match
                if update and ledger is not None:
                    renamed = None
                    if match == rec.item_id and _loose(title) != _loose(by_id[match].title):
                        # Matched by the id column, retitled in the sheet: renamed as `set` renames.
                        taken = next((i.id for i in ledger.items if _loose(i.title) == _loose(title)), None)
                        if taken:
                            ctx.error(rec.row, rec.title_col, "import_title_taken", title=title.strip(), id=taken)
                            continue
                        renamed = title
                    change = _item_update(by_id[match], rec, ctx, renamed)
                    if change is not None:
                        plan.updates.append(change)
                continue
            if rec.item_id in kept:
                new_id = rec.item_id
                kept.discard(new_id)
            else:
                while True:
                    next_number += 1
                    new_id = make_item_id(code, next_number)
                    if new_id not in kept:
                        break
            item = ItemPlan(rec.row, title, {
                "title": title,
                "kind": rec.kind if rec.kind not in (None, DEFAULT_KIND) else None,
                "due": None if rec.due_computed else rec.due if rec.due is not None else rec.due_term,
                "duration": rec.duration,
                "owner": rec.owner if rec.owner != owner else None,
                "unit": rec.unit if rec.unit != unit else None,
                "measures": rec.measures,
            }, comments={"due": rec.due_wording} if rec.due_wording and not rec.due_computed else {},
                new_id=new_id, old_id=rec.item_id, after=rec.after, after_col=rec.after_col,
                col=rec.title_col)
            if rec.closed is False and rec.closed_on is not None:
                ctx.error(rec.row, rec.title_col, "import_closed_conflict")
            elif rec.closed or rec.closed_on is not None:
                item.closed = {"date": rec.closed_on or ctx.as_of, "by": rec.closed_by,
                               "note": rec.closed_note or rec.closed_text, "evidence": rec.evidence}
            if ledger is None and rec.item_id and rec.item_id in extra.notes:
                item.notes = extra.notes[rec.item_id]
            elif rec.remark:
                item.notes = _row_notes(rec, ctx)
            elif rec.progress:
                [item.note] = _row_notes(rec, ctx)
            for name, value in (extra.fields.get(rec.item_id, {}) if ledger is None and rec.item_id else {}).items():
                # An export's other fields: as the ledger had them, over what the row said.
                if name == "closed":
                    item.closed = value
                elif name == "notes":
                    item.notes = value
                else:
                    item.fields[name] = value
                    item.comments.pop(name, None)
            _refuse_unhappened(rec, ctx, item.closed, item.fields.get("apply"))
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


def _refuse_unhappened(rec: Record, ctx: Context, *steps: dict[str, Any] | None) -> None:
    """A 销号 (or an application for one) dated after --as-of has not happened: an error at the
    cell that dates it, as `close --on` refuses it (domain.models.not_happened)."""
    for step in steps:
        day = step.get("date") if isinstance(step, dict) else None
        if isinstance(day, date) and not_happened(day, ctx.as_of):
            ctx.error(rec.row, rec.closed_col if rec.closed_col is not None else rec.title_col, "close_future",
                      date=day.isoformat(), as_of=ctx.as_of.isoformat())


def _section_program(recs: list[Record], plan: ProjectPlan) -> str | None:
    """A project's 所属工程 from the section rows (`一、双十工程`) above its rows, when one
    section holds all of them: sections over projects name their program. Sections that split
    one project's items (a 分解表's `二、环境整治`) group items, which a ledger does not record:
    no program then, and the plan names the sections (`import` warns of them)."""
    sections = list(dict.fromkeys(r.section for r in recs))
    if len(sections) == 1:
        return sections[0]
    plan.sections = [s for s in sections if s]
    return None


def _row_notes(rec: Record, ctx: Context) -> list[dict[str, Any]]:
    """The notes a row brings: its progress report, and its remark as `备注：…` (SPEC §8: the
    progress and remarks columns), dated 进展日期, else the day of the import."""
    from taizhang.i18n import message

    texts = [rec.progress] if rec.progress else []
    if rec.remark:
        texts.append(message("import_remark_note", "zh", text=rec.remark))
    return [{k: v for k, v in (("date", rec.progress_date or ctx.as_of), ("by", rec.progress_by), ("text", text))
             if v is not None} for text in texts]


def _item_update(item: Any, rec: Record, ctx: Context, renamed: str | None = None) -> ItemUpdate | None:
    """What a row says about an item that the item does not say yet, or None."""
    change = ItemUpdate(item.id, item.title, rec.row, rec.title_col, day=ctx.as_of, title_to=renamed)
    change.notes = [n for n in _row_notes(rec, ctx) if not any(had.text == n["text"] for had in item.notes)]
    if item.closed is None and (rec.closed or (rec.closed is None and rec.closed_on is not None)):
        change.closed = {"date": rec.closed_on or ctx.as_of, "by": rec.closed_by,
                         "note": rec.closed_note or rec.closed_text, "evidence": rec.evidence}
        _refuse_unhappened(rec, ctx, change.closed)
    was = item.due if item.term is None else item.term.text
    if rec.due is not None and not rec.due_computed and rec.due != was:
        change.due = (was, rec.due, rec.due_wording)
    elif rec.due_term is not None and (item.term is None or item.term.text != rec.due_term):
        change.due = (was, rec.due_term, None)  # a term now (长期坚持), or another one
    return change if (change.notes or change.closed or change.due or change.title_to) else None


# --- writing --------------------------------------------------------------------------------

IMPORT_LOCK = "_import"  # not a code (codes are capitals): imports one at a time
ATTEMPTS = 5


class _Stale(Exception):
    """A ledger the plan was made against changed before its lock was taken."""


def apply_import(cache: Cache, settings: Settings, plan: ImportPlan,
                 progress: Progress | None = None, by: str | None = None) -> list[Written]:
    """Write the plan, all of it or nothing, in one `edit_ledgers` transaction: items through
    the store's edit functions, new ledgers made whole in memory (verified like an edit, created
    by the same all-or-nothing write, so a kill never leaves an empty `IMPn`).

    The plan is made again under the lock, against the ledgers as they are then: a ledger
    another command changed since the plan was shown (an `add`, another import) gets the next
    free ids and no title twice; two imports at once run one after the other, so the second
    finds the projects the first created. `plan.projects` becomes what was written. Returns the
    files written, with their bytes before and after (for a commit of exactly the import).
    `progress` is told as each ledger's edit is made; `by` is who imports (a moved node's record)."""
    from taizhang.repo.create import ledger_text
    from taizhang.repo.write import LedgerExists, edit_ledgers

    root = cache.root
    written: list[Written] = []
    with _import_lock(root):
        for attempt in range(ATTEMPTS):
            projects, seen = _replan(cache, settings, plan)
            edits = {p.code: _project_edit(p, settings, plan.path, seen.get(p.code), plan.update, by) for p in projects
                     if p.new or p.items or p.investment or p.after or p.updates}
            if progress is not None:
                edits = _counted(edits, progress)
            create = {p.code: ledger_text(settings, p.code, p.fields) for p in projects if p.new}
            try:
                if edits:
                    written = edit_ledgers(cache, settings, edits, create).written
            except (_Stale, LedgerExists):
                if attempt == ATTEMPTS - 1:
                    raise input_error("import_busy") from None
                continue
            break
    plan.projects = projects
    return written


@contextmanager
def _import_lock(root: Path) -> Iterator[None]:
    """One import at a time (the second plans against what the first wrote)."""
    from taizhang.repo.files import locked

    try:
        lock = locked(root, IMPORT_LOCK)
        lock.__enter__()
    except TaizhangError as e:
        if [p.key for p in e.problems] == ["lock_timeout"]:
            raise input_error("import_busy") from None
        raise
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _replan(cache: Cache, settings: Settings, plan: ImportPlan) -> tuple[list[ProjectPlan], dict[str, Any]]:
    """The plan made again against the ledgers now, with what each existing ledger it adds to
    looked like (its name, ids and titles: what the plan depends on)."""
    from taizhang.repo.layout import ledger_files
    from taizhang.repo.load import load_repo

    if plan.context is None:  # a plan made by hand, not by plan_import: written as it is
        return plan.projects, {}
    root = cache.root
    repo = load_repo(cache)
    if repo.errors:
        raise TaizhangError(repo.errors)
    ctx = Context(plan.context.path, plan.context.as_of, plan.context.year, sheet=plan.context.sheet,
                  origin=plan.context.origin)
    projects = _plan_projects(plan.records, repo.ledgers, {p.stem for p in ledger_files(root)}, ctx,
                              update=plan.update, extra=plan.companions, committed=committed_numbers(root, cache))
    if ctx.problems:
        raise TaizhangError(sorted(ctx.problems, key=Problem.sort_key))
    return projects, {l.code: _shape(l, plan.update) for l in repo.ledgers}


def committed_numbers(root: Path, cache: Cache | None = None,
                      warnings: list[Problem] | None = None) -> Callable[[str], int]:
    """`code` → the highest item number git's copies of that ledger used (repo.history; `cache`
    keeps what each history says). A history git could not read is a warning in `warnings`."""
    from taizhang.repo.history import highest_committed_number
    from taizhang.repo.layout import ledger_path

    def committed(code: str) -> int:
        used = highest_committed_number(root, ledger_path(root, code), code, cache)
        if used.unread is not None and warnings is not None and used.unread not in warnings:
            warnings.append(used.unread)
        return used.number

    return committed


def _shape(ledger: Ledger, update: bool = False) -> Any:
    """What a plan of the ledger depends on: its name, ids and titles; with `--update` also each
    item's notes, close and time node (what an update compares with)."""
    if update:
        return ledger.name, [(i.id, i.title, [n.text for n in i.notes], i.closed is not None, i.due,
                              i.term.text if i.term else None) for i in ledger.items]
    return ledger.name, [(i.id, i.title) for i in ledger.items]


def _project_edit(project: ProjectPlan, settings: Settings, source: str = "", shape: Any = None,
                  update: bool = False, by: str | None = None) -> Callable:
    from taizhang.repo.edits import add_item_edit, close_edit, note_edit, set_many_edit

    def apply(loaded, context=None):
        if shape is not None and (loaded.ledger is None or _shape(loaded.ledger, update) != shape):
            raise _Stale  # planned against other items: plan again
        steps: list[Callable] = []
        if project.investment:
            steps.append(_investment_edit(project.investment))
        if project.updates:
            steps.append(_updates_edit(project, source, by))
        if not project.items:
            return _chain(loaded, steps, settings, context)
        if project.items and _items_block_ok(loaded):
            # All the items in one splice, read back once: a step per item re-read the whole
            # ledger each time (2,000 rows took 40 s, 20,000 rows 14 minutes under the lock).
            steps.append(_items_edit(project))
            return _chain(loaded, steps, settings, context)
        for item in project.items:
            steps.append(_expect_id(add_item_edit(item.fields, item.comments, used=project.used), item.new_id))
            if item.closed:
                steps.append(close_edit([item.new_id], item.closed))
            for note in (item.notes if item.notes is not None else [item.note] if item.note else []):
                steps.append(note_edit(item.new_id, note))
        if project.after:
            steps.append(set_many_edit({i: [("after", refs, None)] for i, refs in project.after.items()}))
        return _chain(loaded, steps, settings, context, reread=True)

    return apply


def _moved_note(u: ItemUpdate, source: str) -> dict[str, Any]:
    """The note that keeps what `changes:` cannot: a node given where there was none, or a term
    (长期坚持) for a day (`changes:` records days; a day moved is recorded there)."""
    from taizhang.i18n import message

    assert u.due is not None
    return {"date": u.day, "text": message("import_moved_note", "zh", before=due_text(u.due[0]), after=due_text(u.due[1]),
                                           file=Path(source).name if source else "")}


def due_text(due: date | str | None) -> str:
    """A time node as a note or a line shows it: a day in ISO, a term as written, none as —."""
    return due.isoformat() if isinstance(due, date) else due or "—"


def moved_reason(source: str) -> str:
    """Why `import --update` moved a node, as `changes:` records it: 据<file>更新."""
    from taizhang.i18n import message

    return message("import_moved_reason", "zh", file=Path(source).name if source else "")


def _update_notes(u: ItemUpdate, source: str) -> list[dict[str, Any]]:
    notes = [_moved_note(u, source)] if u.due and not u.moved else []
    notes += u.notes
    return [{k: v for k, v in n.items() if v not in (None, "")} for n in notes]


def _updates_edit(project: ProjectPlan, source: str, by: str | None = None) -> Callable:
    """The edits of `import --update` on items the ledger has, in one pass over the ledger
    (repo.edits.update_items_edit; made one at a time, 1,000 updated items took over a minute):
    a moved node set with its wording and kept under `changes:` as `set … --reason` keeps it
    (dated the day of the import, by who imported, reason 据<file>更新) — a day replaced by a
    term too —, a node given or a term changed kept as a note, a title the id column names renamed, a new progress report or remark as a
    note, and 销号."""
    from taizhang.repo.edits import ItemChange, update_items_edit

    def fields(u: ItemUpdate) -> list[tuple[str, Any, str | None]]:
        return ([("title", u.title_to, None)] if u.title_to else []) + \
            ([("due", u.due[1], u.due[2])] if u.due else [])

    return update_items_edit({u.id: ItemChange(fields=fields(u), notes=_update_notes(u, source), closed=u.closed,
                                               move={"date": u.day, "by": by, "reason": moved_reason(source)})
                              for u in project.updates})


def _counted(edits: dict[str, Callable], progress: Progress) -> dict[str, Callable]:
    """The same edits, telling `progress` as each ledger's is made."""
    done = [0]

    def counting(edit: Callable) -> Callable:
        def apply(loaded, context=None):
            result = edit(loaded, context)
            done[0] += 1
            progress("ledgers", min(done[0], len(edits)), len(edits))
            return result
        return apply

    return {code: counting(edit) for code, edit in edits.items()}


def _items_block_ok(loaded) -> bool:
    """Whether the ledger's items are a block list, or not there yet, under a block mapping:
    the layout `_items_edit` appends to. A ledger written in flow style (`items: [...]`, or all
    as one `{...}`) gets the items one edit at a time instead (hand-written, and small)."""
    from taizhang.yamltext.read import compose
    from taizhang.yamltext.splice import mapping_get

    root = compose(loaded.doc.text)
    if root is None or root.id != "mapping" or getattr(root, "flow_style", False):
        return False
    pair = mapping_get(root, "items")
    if pair is None:
        return True
    seq = pair[1]
    if seq.id == "scalar":
        return seq.value in ("", "~", "null", "Null", "NULL")
    if seq.id != "sequence" or getattr(seq, "flow_style", False):
        return not seq.value if seq.id == "sequence" else False
    return all(entry.id == "mapping" and not getattr(entry, "flow_style", False) for entry in seq.value)


def _item_entries(project: ProjectPlan) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Each planned item as the ledger will hold it (keys in the files' order), with the comments
    kept beside its values (the clerk's wording of a date)."""
    from taizhang.domain.vocab import ITEM_KEY_ORDER

    out = []
    for item in project.items:
        entry: dict[str, Any] = {"id": item.new_id, **{k: v for k, v in item.fields.items() if v not in (None, [], "")}}
        if project.after.get(item.new_id):
            entry["after"] = project.after[item.new_id]
        if item.closed:
            entry["closed"] = {k: v for k, v in item.closed.items() if v not in (None, "")}
        if item.notes is not None or item.note:
            notes = item.notes if item.notes is not None else [item.note] if item.note else []
            entry["notes"] = [{k: v for k, v in note.items() if v not in (None, "")} for note in notes]
            if not entry["notes"]:
                del entry["notes"]
        out.append(({k: entry[k] for k in ITEM_KEY_ORDER if k in entry}, item.comments))
    return out


def _blank_line_above(text: str, at: int) -> bool:
    """Whether the line holding `at` has a blank line above it (items that stand apart)."""
    start = text.rfind("\n", 0, at)
    if start < 0:
        return False
    above = text.rfind("\n", 0, start)
    return not text[above + 1:start].strip()


def _items_edit(project: ProjectPlan) -> Callable:
    """Append every planned item (with its close, note and predecessors) to a ledger whose items
    are a block list (or absent): one splice, laid out as `add`, `close` and `note` write them."""
    from taizhang.repo.write import Edit
    from taizhang.yamltext import emit, splice
    from taizhang.yamltext.read import compose

    def apply(loaded, context=None):
        text, newline = loaded.doc.text, loaded.doc.newline
        root = compose(text)
        pair = splice.mapping_get(root, "items")
        seq = pair[1] if pair is not None and pair[1].id == "sequence" and pair[1].value else None
        dash, key = (seq.start_mark.column, seq.value[0].start_mark.column) if seq is not None else (2, 4)
        spaced = seq is not None and len(seq.value) >= 2 and _blank_line_above(text, seq.value[-1].start_mark.index)
        lines: list[str] = []
        entries = _item_entries(project)
        for entry, comments in entries:
            if spaced:
                lines.append("")
            first = True
            for k, v in entry.items():
                lead = " " * dash + "-" + " " * (key - dash - 1) if first else " " * key
                first = False
                if k == "closed":
                    lines.append(f"{lead}closed:")
                    lines += [" " * (key + 2) + f"{ck}: {emit.scalar(cv)}" for ck, cv in v.items()]
                elif k == "notes":
                    lines.append(f"{lead}notes:")
                    lines += [" " * (key + 2) + "- " + emit.flow(note) for note in v]
                else:
                    line = f"{lead}{k}: {emit.inline(v)}"
                    if comments.get(k):
                        line += f"  # {comments[k]}"
                    lines.append(line)
        if seq is not None:
            text = splice.append_block_entry(text, seq, lines, newline)
        elif pair is None:
            text = splice.insert_key(text, root, "items", [line[dash:] for line in lines], newline,
                                     child_indent=dash)
        else:
            text = splice.start_block_list(text, root, "items", lines, newline)
        expected = dict(loaded.doc.data)
        expected["items"] = list(expected.get("items") or []) + [emit.read_back(e) for e, _ in entries]
        return Edit(text, expected, [e["id"] for e, _ in entries])

    return apply


def _expect_id(edit: Callable, expected: str) -> Callable:
    def apply(loaded, context=None):
        result = edit(loaded, context)
        if result.result != expected:  # the ids were planned (and `after` checked) beforehand
            raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
        return result
    return apply


def _chain(loaded, steps: list[Callable], settings: Settings, context=None, *, reread: bool = False):
    """Several edits of one ledger as one: each applies to the text and data the one before
    produced, and the result is read back once and checked to say what all of them meant (the
    store checks it again before writing). Reading the ledger back after every step made an
    import of many changes quadratic (1,000 updated items: over ten minutes). `reread` reads
    the ledger back after each step all the same: adding items one at a time (a ledger in flow
    style) takes each new id from the ledger read."""
    from dataclasses import replace

    from taizhang.repo.load import parse_ledger
    from taizhang.repo.write import Edit, same_data
    from taizhang.yamltext.read import encode

    current, last, results = loaded, None, []
    for step in steps:
        edit = step(current, context)
        # The next step sees this one's text and data; the model stays the one read (the steps
        # of an import read only ids and titles from it, which they do not change, and close an
        # item at most once).
        if reread:
            current = parse_ledger(encode(edit.text, current.doc.bom), current.path, settings)
            if current.has_errors:
                raise TaizhangError([p for p in current.problems if p.is_error])
        else:
            current = replace(current, doc=replace(current.doc, text=edit.text, data=edit.expected,
                                                   _values=None, _keys=None))
        last = edit
        results.append(edit.result)
    if last is None:
        return Edit(loaded.doc.text, loaded.doc.data, [])
    after = parse_ledger(encode(last.text, loaded.doc.bom), loaded.path, settings)
    if after.has_errors:
        raise TaizhangError([p for p in after.problems if p.is_error])
    if not same_data(after.doc.data, last.expected):
        raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
    return Edit(last.text, last.expected, results)


def _investment_edit(investment: dict[str, Any]) -> Callable:
    """Add `investment: {total, planned}` to a ledger that has none (a new one)."""
    from taizhang.domain.vocab import PROJECT_KEY_ORDER
    from taizhang.repo.write import Edit
    from taizhang.yamltext import emit, splice
    from taizhang.yamltext.read import compose

    def apply(loaded, context=None):
        text, newline = loaded.doc.text, loaded.doc.newline
        root = compose(text)
        if splice.mapping_get(root, "investment") is not None:
            return Edit(text, loaded.doc.data, None)
        lines = [emit.key_line(k, v) for k, v in investment.items()]
        later = set(PROJECT_KEY_ORDER[PROJECT_KEY_ORDER.index("investment") + 1:])
        following = [k.value for k, _ in root.value if k.value in later]
        text = splice.insert_key(text, root, "investment", lines, newline,
                                 before_key=following[0] if following else None)
        expected = dict(loaded.doc.data)
        expected["investment"] = {k: dict(v) if isinstance(v, dict) else v for k, v in investment.items()}
        return Edit(text, expected, None)

    return apply

