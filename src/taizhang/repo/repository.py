"""A ledger repository as one object: the library API that scripts and the command line share.

    repo = open_repository("path/to/ledgers-repo")
    for project in repo.status(date(2018, 6, 15), lights=["red"]).projects: ...
    new_id = repo.add("YT2", "完成拆迁", due=date(2018, 9, 30))

Every read goes through `load`/`lit` here (one place that knows how the cache is chosen); every
write through `repo.write.edit_ledgers` (all-or-nothing, read back before it replaces a file).
Errors are raised as `TaizhangError` carrying `Problem`s with their `path:line:col`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.repo.layout import find_root, ledger_path

if TYPE_CHECKING:
    from taizhang.domain.calendars import Calendar
    from taizhang.domain.models import Ledger, Settings
    from taizhang.repo.load import Repo
    from taizhang.repo.views import Lit

# The modules below repo.layout are imported where used: `import taizhang` and the command line's
# start-up (`taizhang --help`) must not pay for pydantic and the YAML reader.


def open_repository(path: str | Path = ".", *, use_cache: bool = True) -> "Repository":
    """The repository at `path` or the nearest folder above it with taizhang.yaml or ledgers/."""
    start = Path(path)
    if not start.is_dir():
        raise input_error("dir_missing", path=str(start))
    root = find_root(start.resolve())
    if root is None:
        raise input_error("not_a_repo", start=str(start))
    return Repository(root, use_cache=use_cache)


@dataclass
class Status:
    """The lit projects of a day after the filters, with the settings' title and language."""

    title: Optional[str]
    lang: str
    projects: list  # domain.lights.ProjectView
    findings: list
    problems: list[Problem] = field(default_factory=list)  # the errors: the result may be partial


@dataclass
class Investments:
    """`status --invest`: each project's year plan against 序时进度."""

    title: Optional[str]
    rows: list
    problems: list[Problem]


@dataclass
class Schedule:
    """倒排工期 of one project: its ledger, the plan, the settings it was computed with."""

    ledger: Any
    plan: Any
    settings: Any


class Repository:
    """A taizhang repository: `taizhang.yaml`, `ledgers/*.yaml`, `calendars/*.yaml`."""

    def __init__(self, root: Path, *, use_cache: bool = True):
        self.root = Path(root)
        self.use_cache = use_cache
        self._settings: Optional[Settings] = None
        # Every file this object wrote, with its bytes before and after (repo.write.Written):
        # what a commit of exactly these changes needs (gitops.git.commit).
        self.written: list[Any] = []

    def __repr__(self) -> str:
        return f"Repository({str(self.root)!r})"

    # --- reading --------------------------------------------------------------------------

    @property
    def settings(self) -> "Settings":
        """taizhang.yaml read (defaults where there is none); a broken one raises."""
        if self._settings is None:
            settings, problems = self.read_settings()
            if [p for p in problems if p.is_error]:
                raise TaizhangError(problems)
            self._settings = settings
        return self._settings

    def read_settings(self) -> tuple["Settings", list[Problem]]:
        """taizhang.yaml read with its problems (what can be read of a broken one, defaults else)."""
        from taizhang.repo.load import load_settings

        return load_settings(self.root, use_cache=self.use_cache)

    def workdays(self) -> "Calendar":
        """The official working-day calendar with the repository's `calendars/*.yaml`."""
        from taizhang.domain.calendars import Calendar
        from taizhang.repo.load import load_calendars

        extra, problems, _ = load_calendars(self.root, self.settings)
        if [p for p in problems if p.is_error]:
            raise TaizhangError(problems)
        return Calendar("workdays", extra=extra)

    def ledger_path(self, code: str) -> Path:
        """Where a project's ledger is (a code that is not one raises)."""
        return ledger_path(self.root, code)

    def load(self, codes: Optional[Iterable[str]] = None) -> "Repo":
        """Settings, calendars and the ledgers (all, or those named) with every problem found;
        a ledger with errors is left out of `.ledgers` and its problems are in `.problems`."""
        from taizhang.repo.load import load_repo

        wanted = list(codes or [])
        for code in wanted:
            ledger_path(self.root, code)
        return load_repo(self.root, wanted or None, use_cache=self.use_cache)

    def ledgers(self, codes: Optional[Iterable[str]] = None) -> list["Ledger"]:
        """The ledgers (all, or those named); any error in the data raises."""
        repo = self.load(codes)
        if repo.errors:
            raise TaizhangError(repo.errors)
        return repo.ledgers

    def lit(self, as_of: date, codes: Optional[Iterable[str]] = None) -> "Lit":
        """Every ledger's project and items lit on `as_of` (through the view cache)."""
        from taizhang.repo.views import lit_projects

        wanted = list(codes or [])
        for code in wanted:
            ledger_path(self.root, code)
        return lit_projects(self.root, wanted or None, as_of, use_cache=self.use_cache)

    def status(self, as_of: date, *, codes: Sequence[str] = (), program: Optional[str] = None,
               unit: Optional[str] = None, owner: Optional[str] = None, kinds: Sequence[str] = (),
               lights: Sequence[str] = (), allowed_lights: Optional[Sequence[str]] = None,
               leader: Optional[str] = None) -> Status:
        """The 亮灯表 of `as_of`: projects with their items lit, filtered. `unit` matches as text
        within; `lights` among red, yellow, green, none, done (`allowed_lights` narrows them)."""
        from taizhang.domain.lights import ALL_LIGHTS, Query, select

        if kinds:  # the models (and pydantic) are not loaded by a status the view cache answers
            from taizhang.domain.models import KINDS

            for k in kinds:
                if k not in KINDS:
                    raise input_error("kind_invalid", kind=k)
        for light in lights:
            if light not in (allowed_lights or ALL_LIGHTS):
                raise input_error("light_invalid", light=light)
        lit = self.lit(as_of, codes)
        projects = select(lit.projects, Query(codes=list(codes), program=program, unit=unit, owner=owner,
                                              kinds=list(kinds), lights=list(lights), leader=leader))
        return Status(lit.title, lit.lang, projects, lit.findings, lit.errors())

    def investments(self, as_of: date, *, codes: Sequence[str] = (), program: Optional[str] = None,
                    unit: Optional[str] = None) -> Investments:
        """Each project's year plan, completed investment and 序时进度 on `as_of`."""
        from taizhang.domain.invest import invest_rows
        from taizhang.domain.units import units_of

        repo = self.load(codes)
        ledgers = [ledger for ledger in repo.ledgers if (program is None or program in (ledger.program or ""))
                   and (unit is None or any(unit in u for u in units_of(ledger.unit)))]
        return Investments(repo.settings.title, invest_rows(ledgers, as_of, repo.settings), repo.errors)

    def check(self, as_of: date, files: Optional[Iterable[Path]] = None) -> "Repo":
        """Every problem of the data (of the files named, or all), with the plan's findings
        (infeasible items, years without calendar data) at their ledgers' lines."""
        from taizhang.domain.lights import evaluate
        from taizhang.repo.load import check_files

        wanted = list(files or [])
        repo = check_files(self.root, wanted) if wanted else self.load()
        findings: list = []
        evaluate(repo.ledgers, as_of, repo.settings, repo.extra, findings)
        repo.problems.extend(Problem(*repo.place(f.code, f.item), f.key, f.args, f.severity) for f in findings)
        return repo

    def schedule(self, code: str, as_of: date) -> Schedule:
        """倒排工期 of a project: latest start and finish of each item, float, critical path."""
        from taizhang.domain.calendars import CalendarError
        from taizhang.domain.lights import project_plan
        from taizhang.domain.schedule import CycleError

        repo = self.load([code])
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledger = repo.ledgers[0]
        try:
            plan = project_plan(ledger, as_of, repo.settings, repo.extra)
        except (CalendarError, CycleError) as e:
            raise TaizhangError(Problem(*repo.place(code, None), getattr(e, "key", "after_cycle"),
                                        getattr(e, "args_", {"cycle": str(e)}))) from None
        return Schedule(ledger, plan, repo.settings)

    def item(self, item_id: str, as_of: date) -> tuple[Any, Any, Any, "Settings"]:
        """(ledger, item, its planned dates, settings): what `why` explains."""
        from taizhang.domain.ids import split_item_id
        from taizhang.domain.lights import project_plan

        repo = self.load([split_item_id(item_id)])
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledger = repo.ledgers[0]
        found = next((i for i in ledger.items if i.id == item_id), None)
        if found is None:
            raise input_error("unknown_item", id=item_id)
        plan = project_plan(ledger, as_of, repo.settings, repo.extra)
        planned = plan.by_id[item_id]
        if found.closed is not None and found.due is None:
            from taizhang.domain.lights import planned_open

            # A scheduled item's close is judged against its node as planned with it open (SPEC §7).
            planned = planned_open(ledger, as_of, repo.settings, repo.extra, plan.by_id).get(item_id, planned)
        return ledger, found, planned, repo.settings

    # --- writing (each call one all-or-nothing write) ---------------------------------------

    def _edit(self, plans: dict[str, Callable]) -> dict[str, Any]:
        from taizhang.repo.write import edit_ledgers

        results = edit_ledgers(self.root, self.settings, plans)
        self.written.extend(results.written)
        return results

    def write_schema(self) -> Path:
        """(Re)write schemas/ledger.schema.json."""
        from taizhang.repo.create import write_schema

        return write_schema(self.root)

    def new(self, code: str, name: str, *, deadline: Optional[date] = None, unit: Optional[str] = None,
            leader: Optional[str] = None, owner: Optional[str] = None, program: Optional[str] = None,
            stage: Optional[str] = None, calendar: Optional[str] = None,
            wordings: Optional[dict[str, str]] = None) -> Path:
        """A new ledger `ledgers/CODE.yaml`; `wordings` keep the clerk's phrase of a date as a comment."""
        from taizhang.repo.create import new_ledger

        fields = {"name": name, "program": program, "stage": stage, "unit": unit, "leader": leader,
                  "owner": owner, "deadline": deadline, "calendar": calendar}
        written = new_ledger(self.root, self.settings, code, fields, wordings or None)
        self.written.append(written)
        return written.path

    def add(self, code: str, title: str, *, kind: Optional[str] = None, due: Optional[date] = None,
            duration: Optional[int] = None, after: Sequence[str] = (), owner: Optional[str] = None,
            unit: Optional[str] = None, measures: Optional[str] = None,
            wordings: Optional[dict[str, str]] = None) -> str:
        """Append an item (task, milestone or problem) to a ledger; returns its new id."""
        from taizhang.domain.models import KINDS
        from taizhang.repo.edits import add_item_edit

        if kind is not None and kind not in KINDS:
            raise input_error("kind_invalid", kind=kind)
        fields = {"title": title, "kind": kind if kind != "task" else None, "due": due, "duration": duration,
                  "after": list(after), "owner": owner, "unit": unit, "measures": measures}
        return self._edit({code: add_item_edit(fields, wordings or None)})[code]

    def close(self, ids: Sequence[str], *, on: date, by: Optional[str] = None, note: Optional[str] = None,
              evidence: Optional[str] = None) -> list[tuple[str, str]]:
        """销号 the items (of one or several ledgers, in one write); returns (id, title) of each."""
        from taizhang.repo.edits import close_edit

        closed = {"date": on, "by": by, "note": note, "evidence": evidence}
        plans = {code: close_edit(item_ids, closed) for code, item_ids in by_project(ids).items()}
        results = self._edit(plans)
        return [pair for code in plans for pair in results[code]]

    def reopen(self, item_id: str, reason: str, *, on: date, by: Optional[str] = None,
               lang: str = "zh") -> str:
        """Undo a 销号; the reason and what the close said go into a note. Returns the title."""
        from taizhang.domain.ids import split_item_id
        from taizhang.i18n import message
        from taizhang.repo.edits import reopen_edit

        def reason_text(closed: Any) -> str:
            # What the undone close said is kept with the reason: the 督查 trail stays whole.
            text = message("reopen_note", lang, reason=reason, date=closed.date.isoformat(), by=closed.by or "?")
            for key, value in (("reopen_old_note", closed.note), ("reopen_old_evidence", closed.evidence)):
                if value:
                    text += message(key, lang, value=value)
            return text

        code = split_item_id(item_id)
        note = {"date": on, "by": by, "text": ""}
        return self._edit({code: reopen_edit(item_id, note, reason_text)})[code][1]

    def note(self, item_id: str, text: str, *, on: date, by: Optional[str] = None,
             done: Optional[str] = None) -> str:
        """Record a progress report (日汇报) on an item; `done`: the quantity delivered so far,
        against the item's `target` (SPEC §7). Returns the item's title."""
        from taizhang.domain.ids import split_item_id
        from taizhang.repo.edits import note_edit

        code = split_item_id(item_id)
        entry: dict[str, Any] = {"date": on, "by": by, "text": text}
        if done is not None:
            entry["done"] = _done_value(done)
        return self._edit({code: note_edit(item_id, entry)})[code][1]

    def set(self, target: str, changes: Sequence[tuple[str, Any, Optional[str]]], *,
            reason: Optional[str] = None, on: Optional[date] = None, by: Optional[str] = None) -> list[dict[str, Any]]:
        """Change fields of an item (target = its id) or of a project (target = its code):
        (field, value or None to remove it, the clerk's wording of a date or None). Moving a
        written `due` or `deadline` needs `reason`, recorded under `changes:` with the day `on`
        and `by` (SPEC §7). Returns the moves recorded."""
        from taizhang.repo.edits import set_edit

        code = target_code(target)
        ledger_path(self.root, code)
        for name, value, _ in changes:
            check_settable(target, name, value)
        move = {"date": on, "by": by, "reason": reason} if reason else None
        return self._edit({code: set_edit(target, list(changes), move, moves_need_reason=True)})[code]["moved"]

    def write_schedule(self, code: str, as_of: date, found: Optional[Schedule] = None) -> int:
        """Write the computed finish as `due` of each item that has none (`found`: the schedule
        already computed for `as_of`); returns how many."""
        from taizhang.repo.edits import set_many_edit

        found = found or self.schedule(code, as_of)
        dues: dict[str, list[tuple[str, Any, Optional[str]]]] = {
            p.id: [("due", p.finish, "倒排工期")] for p, item in zip(found.plan.items, found.ledger.items)
                if item.due is None and not p.fixed and p.finish is not None}
        if dues:
            self._edit({code: set_many_edit(dues)})
        return len(dues)

    def record_investment(self, code: str, month: str, amount: str) -> Any:
        """Completed investment of a month (万元; `1.2亿`, `3000万元`, `1200`), replacing that
        month's figure if there is one; returns the amount in 万元."""
        import re

        from taizhang.domain.amounts import AmountError, parse_amount
        from taizhang.domain.models import MONTH_PATTERN
        from taizhang.repo.edits import invest_edit

        if not re.match(MONTH_PATTERN, month):
            raise input_error("month_pattern", input=month)
        try:
            value = parse_amount(amount.strip())
        except AmountError as e:
            raise input_error(e.key, **e.args_) from None
        self._edit({code: invest_edit(month, value, amount.strip())})
        return value


def _done_value(text: str) -> Any:
    """`--done 1120` as the note records it: an integer when whole, else a decimal number."""
    from decimal import Decimal, InvalidOperation

    cleaned = text.strip().replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise input_error("done_invalid", text=text) from None
    if not number.is_finite() or number < 0:
        raise input_error("done_invalid", text=text)
    return int(number) if number == number.to_integral_value() else float(cleaned)


def init_repository(path: Path) -> list[tuple[str, bool]]:
    """Create an empty repository (taizhang.yaml, ledgers/, schemas/): (name, created?) of each part."""
    from taizhang.repo.create import init_repo

    return init_repo(Path(path))


def target_code(target: str) -> str:
    """The project of a `set` target: an item id's code, or the code itself."""
    from taizhang.domain.ids import split_item_id

    return split_item_id(target) if "-" in target else target


def check_settable(target: str, name: str, value: Any = "") -> None:
    """Refuse a field `set` may not change on this target (an item id or a project code), and
    the removal of a required one; a value outside a field's vocabulary."""
    from taizhang.domain.calendars import CALENDARS
    from taizhang.domain.models import KINDS, STAGES
    from taizhang.domain.vocab import ITEM_SETTABLE, PROJECT_SETTABLE, REQUIRED

    allowed = ITEM_SETTABLE if "-" in target else PROJECT_SETTABLE
    if name not in allowed:
        raise input_error("set_unknown_field", target=target, field=name, allowed=", ".join(allowed))
    if value is None and name in REQUIRED:
        raise input_error("set_required", field=name)
    choices = {"kind": KINDS, "stage": STAGES, "calendar": CALENDARS}.get(name)
    if choices and value is not None and value not in choices:
        raise input_error("set_invalid", field=name, value=value, detail=" | ".join(choices))


def by_project(ids: Iterable[str]) -> dict[str, list[str]]:
    """Item ids grouped by their project, each once, in the order given."""
    from taizhang.domain.ids import split_item_id

    grouped: dict[str, list[str]] = {}
    for item_id in ids:
        wanted = grouped.setdefault(split_item_id(item_id), [])
        if item_id not in wanted:
            wanted.append(item_id)
    return grouped
