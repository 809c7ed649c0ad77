"""Import: decide what a table would add to the ledgers (the plan: projects, items, their codes
and ids), then write it through the store's own edit functions, all or nothing.

A row's project is found by its code, else by its name among the ledgers; a project no ledger
has is created (`IMP1`, `IMP2`… where the sheet gives no code). An item whose project already
has an item with the same title is left alone, so importing the same file twice adds nothing the
second time. The write is one transaction of the store (`repo.write.edit_ledgers`): new ledgers
are made whole in memory and verified like edits, and every file is written or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang.domain.ids import item_number
from taizhang.domain.models import DEFAULT_KIND, Ledger, Settings
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.exchange.columns import Context, Record, find_header, read_records
from taizhang.exchange.readers import read_sheet
from taizhang.repo.cache import Cache
from taizhang.repo.write import Written

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
    # What the plan was made from, to make it again under the lock against the ledgers then.
    records: list[Record] = field(default_factory=list, repr=False)
    context: Context | None = field(default=None, repr=False)

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
        raise TaizhangError(Problem(shown, header.row + 1, 1, "import_no_project_column"))
    if header.title is None and project is not None:
        raise TaizhangError(Problem(shown, header.row + 1, 1, "import_no_title_column"))
    ctx = Context(shown, as_of, year, origin=table.origin)
    records = read_records(table, header, ctx, fixed_project=project)
    projects = _plan_projects(records, ledgers, set(existing_codes), ctx)
    if ctx.problems:
        raise TaizhangError(sorted(ctx.problems, key=Problem.sort_key))
    return ImportPlan(shown, table.kind, table.encoding, table.name, header.row + 1,
                      len(records), header.ignored, projects, records, ctx)


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
        next_number = max((item_number(i.id) for i in ledger.items), default=0) if ledger else 0
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
                "kind": rec.kind if rec.kind not in (None, DEFAULT_KIND) else None,
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

IMPORT_LOCK = "_import"  # not a code (codes are capitals): imports one at a time
ATTEMPTS = 5


class _Stale(Exception):
    """A ledger the plan was made against changed before its lock was taken."""


def apply_import(cache: Cache, settings: Settings, plan: ImportPlan) -> list[Written]:
    """Write the plan, all of it or nothing, in one `edit_ledgers` transaction: items through
    the store's edit functions, new ledgers made whole in memory (verified like an edit, created
    by the same all-or-nothing write, so a kill never leaves an empty `IMPn`).

    The plan is made again under the lock, against the ledgers as they are then: a ledger
    another command changed since the plan was shown (an `add`, another import) gets the next
    free ids and no title twice; two imports at once run one after the other, so the second
    finds the projects the first created. `plan.projects` becomes what was written. Returns the
    files written, with their bytes before and after (for a commit of exactly the import)."""
    from taizhang.repo.create import ledger_text
    from taizhang.repo.write import LedgerExists, edit_ledgers

    root = cache.root
    written: list[Written] = []
    with _import_lock(root):
        for attempt in range(ATTEMPTS):
            projects, seen = _replan(cache, settings, plan)
            edits = {p.code: _project_edit(p, settings, seen.get(p.code)) for p in projects
                     if p.new or p.items or p.investment or p.after}
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
    ctx = Context(plan.context.path, plan.context.as_of, plan.context.year, origin=plan.context.origin)
    projects = _plan_projects(plan.records, repo.ledgers, {p.stem for p in ledger_files(root)}, ctx)
    if ctx.problems:
        raise TaizhangError(sorted(ctx.problems, key=Problem.sort_key))
    return projects, {l.code: _shape(l) for l in repo.ledgers}


def _shape(ledger: Ledger) -> Any:
    return ledger.name, [(i.id, i.title) for i in ledger.items]


def _project_edit(project: ProjectPlan, settings: Settings, shape: Any = None) -> Callable:
    from taizhang.repo.edits import add_item_edit, close_edit, note_edit, set_many_edit

    def apply(loaded, context=None):
        if shape is not None and (loaded.ledger is None or _shape(loaded.ledger) != shape):
            raise _Stale  # planned against other items: plan again
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
        return _chain(loaded, steps, settings, context)

    return apply


def _expect_id(edit: Callable, expected: str) -> Callable:
    def apply(loaded, context=None):
        result = edit(loaded, context)
        if result.result != expected:  # the ids were planned (and `after` checked) beforehand
            raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
        return result
    return apply


def _chain(loaded, steps: list[Callable], settings: Settings, context=None):
    """Several edits of one ledger as one: each applies to the text the one before produced,
    read back and checked to say what it meant."""
    from taizhang.repo.write import Edit, same_data
    from taizhang.repo.load import parse_ledger
    from taizhang.yamltext.read import encode

    current, last, results = loaded, None, []
    for step in steps:
        edit = step(current, context)
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
    from taizhang.yamltext import emit, splice
    from taizhang.domain.vocab import PROJECT_KEY_ORDER
    from taizhang.repo.write import Edit
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

