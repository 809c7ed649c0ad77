"""A ledger repository as one object: the library API that scripts and the command line share.

    repo = open_repository("path/to/ledgers-repo")
    for project in repo.status(date(2018, 6, 15), lights=["red"]).projects: ...
    new_id = repo.add("YT2", "完成拆迁", due=date(2018, 9, 30))

Every read and write goes through the one `Cache` (repo/cache.py) this object makes from its
root: reads through `load`/`lit` here, writes through `repo.write.edit_ledgers` (all-or-nothing,
read back before it replaces a file). `use_cache=False` reads every file afresh and leaves no
cache entry (the cache never changes a result).
Errors are raised as `TaizhangError` carrying `Problem`s with their `path:line:col`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.repo.cache import Cache
from taizhang.repo.layout import NOTICES_FILE, find_root, ledger_path

if TYPE_CHECKING:
    from taizhang.domain.calendars import Calendar
    from taizhang.domain.models import Ledger, Settings
    from taizhang.repo.load import Repo
    from taizhang.repo.notices import Examined
    from taizhang.repo.views import Checked, Lit

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


@dataclass(frozen=True)
class Basics:
    """What a write and its command's messages need of the settings (`Repository.basics`)."""

    year: Optional[int]
    lang: str
    git_commit: bool


@dataclass
class Status:
    """The lit projects of a day after the filters, with the settings' title and language."""

    title: Optional[str]
    lang: str
    projects: list  # domain.lights.ProjectView
    findings: list
    problems: list[Problem] = field(default_factory=list)  # the errors: the result may be partial
    warnings: list[Problem] = field(default_factory=list)  # said beside the result, which stands


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

    def __init__(self, root: Path, *, use_cache: bool = True, workers: Optional[int] = None):
        from taizhang.repo.files import finish_journals

        self.root = Path(root)
        # The processes that may light the ledgers of a view (None: as the machine allows, on
        # Linux one per core up to 4; 1: this one alone). The result is the same either way.
        self.workers = workers
        # The one cache of this object's reads and writes (use_cache=False: none read or kept).
        self.cache = Cache(self.root, enabled=use_cache)
        self._settings: Optional[Settings] = None
        self._basics: Optional[Basics] = None
        # Every file this object wrote, with its bytes before and after (repo.write.Written):
        # what a commit of exactly these changes needs (gitops.git.commit).
        self.written: list[Any] = []
        # What a command should say besides its result (git's history of a ledger unread).
        self.warnings: list[Problem] = []
        try:
            # A write a killed command committed is finished before anything is read.
            finish_journals(self.root)
        except (TaizhangError, OSError):
            pass  # (a read-only checkout is still read: each file is whole, old or new)

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

    def basics(self) -> Basics:
        """The settings' year, language and git.commit. A write needs no more, and these it
        takes from the cache's entry of taizhang.yaml (made when the file read without errors)
        where that holds each as the models read it: pydantic is not loaded. Else, and once the
        settings are read, from `settings` (a broken file raises as there)."""
        if self._basics is None:
            self._basics = self._cached_basics() if self._settings is None else None
            if self._basics is None:
                settings = self.settings
                self._basics = Basics(settings.year, settings.lang, settings.git.commit)
        return self._basics

    def _cached_basics(self) -> Optional[Basics]:
        import json

        from taizhang.repo.layout import SETTINGS_FILE, settings_file

        try:
            path, problems = settings_file(self.root)
            # (no file: the models' defaults, which tests/test_fast_write.py holds these to)
            hit = (b"{}", []) if path is None else self.cache.load(SETTINGS_FILE, path.read_bytes())
            data = json.loads(hit[0]) if hit is not None and not problems else None
        except (OSError, ValueError):
            return None
        if type(data) is not dict:
            return None
        year, lang, git = data.get("year"), data.get("lang", "zh"), data.get("git", {})
        commit = git.get("commit", False) if type(git) is dict else None
        if (year is not None and type(year) is not int) or lang not in ("zh", "en") or type(commit) is not bool:
            return None  # (a value the models would convert, or refuse: theirs to read)
        return Basics(year, lang, commit)

    def read_settings(self) -> tuple["Settings", list[Problem]]:
        """taizhang.yaml read with its problems (what can be read of a broken one, defaults else)."""
        from taizhang.repo.load import load_settings

        return load_settings(self.cache)

    def workdays(self) -> "Calendar":
        """The official working-day calendar with the repository's `calendars/*.yaml`."""
        from taizhang.domain.calendars import Calendar
        from taizhang.repo.load import load_calendars

        extra, problems, _ = load_calendars(self.cache, self.settings)
        if [p for p in problems if p.is_error]:
            raise TaizhangError(problems)
        return Calendar("workdays", extra=extra)

    def ledger_path(self, code: str) -> Path:
        """Where a project's ledger is (a code that is not one raises)."""
        return ledger_path(self.root, code)

    def require(self, target: str) -> None:
        """Refuse a project code or an item id the repository does not hold now, in the one line
        `why` gives (没有项目 …, 没有事项 …); a ledger that does not read cannot say, and is let be."""
        code = target_code(target)
        ledger_path(self.root, code)
        if "-" in target:
            ledgers = self.load([code]).ledgers
            if ledgers and all(item.id != target for item in ledgers[0].items):
                raise input_error("unknown_item", id=target)

    def load(self, codes: Optional[Iterable[str]] = None) -> "Repo":
        """Settings, calendars and the ledgers (all, or those named) with every problem found;
        a ledger with errors is left out of `.ledgers` and its problems are in `.problems`."""
        from taizhang.repo.load import load_repo

        wanted = list(codes or [])
        for code in wanted:
            ledger_path(self.root, code)
        return load_repo(self.cache, wanted or None)

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
        return lit_projects(self.cache, wanted or None, as_of, self.workers)

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
        errors, warnings = self._mark_notices(projects, as_of)
        return Status(lit.title, lit.lang, projects, lit.findings, lit.errors() + errors, warnings)

    def _mark_notices(self, projects: list, as_of: date) -> tuple[list[Problem], list[Problem]]:
        """督办 per item from notices.yaml (§7): how many notices, and 督办超期. A broken
        notices.yaml is a problem of the result, not the end of the 亮灯表; a number two notices
        bear is a warning (each still counts)."""
        if not os.path.lexists(self.root / NOTICES_FILE):
            return [], []  # the common case: no notice issued, nothing to read
        from dataclasses import replace

        from taizhang.domain.lights import mark_notices
        from taizhang.repo.notices import overdue

        found = self.examine_notices()
        if found.errors:
            return found.errors, []
        mark_notices(projects, overdue(found.notices, as_of))
        return [], [replace(p, severity="warning") for p in found.repeated]

    def examine_notices(self) -> "Examined":
        """notices.yaml read with every problem at its line (repo.notices.examine), its date
        phrases with the repository's year."""
        from taizhang.repo.notices import examine

        return examine(self.root, self._notices_year())

    def _notices_year(self) -> Optional[int]:
        # (taizhang.yaml's year; none where it does not read: its own problems say why)
        return self.read_settings()[0].year

    def notices(self) -> list[Any]:
        """The 督办通知单 issued (notices.yaml), oldest first; a file that does not read raises."""
        return self.examine_notices().usable()

    def notice(self, as_of: date, *, unit: Optional[str] = None, lights: Sequence[str] = ("red", "yellow"),
               template: Optional[str] = None, signer: Optional[str] = None, reply_by: Optional[date] = None,
               render: Optional[Callable[[list], Any]] = None, out: Optional[Path] = None
               ) -> tuple[list, Any, list[Problem]]:
        """督办通知单 (§7): one numbered notice per unit for the open items of `lights`, an item
        counted under every unit it names (配合 when not the lead). The numbers are chosen and the
        notices recorded in notices.yaml in one turn of its lock; `render(pages)` is called
        before they are recorded (a rendering that fails records nothing). With `out`, what it
        returned (bytes) is the paper written there: refused (repo.outputs) or staged beside it
        before the notices are recorded and put in place after, so that a full disk or a
        read-only file system leaves neither a notice recorded without its paper nor a paper
        without its record. Returns (pages, what `render` returned, the warnings of the notices
        read: a number two notices bear, which a new notice goes past)."""
        from taizhang.domain.lights import OPEN_LIGHTS
        from taizhang.domain.notices import NoticeItem, NoticePage
        from taizhang.repo import notices as records

        settings = self.settings
        template = template or settings.notice.number or "督办〔{year}〕{n}号"
        records.numbers(template, as_of.year, [])  # a template without {n} is refused first
        if reply_by is not None and reply_by < as_of:
            raise input_error("notice_reply_by_past", date=reply_by.isoformat(), as_of=as_of.isoformat())
        found = self.status(as_of, lights=list(lights), allowed_lights=OPEN_LIGHTS)
        if found.problems:  # (a number two notices bear, a warning, does not stop a new one)
            raise TaizhangError(found.problems)
        by_unit: dict[str, list] = {}
        for project in found.projects:
            for item in project.items_lit(list(lights)):
                # Every unit the item names, lead first, with its role (worked out once per item).
                for name, role in item.roles.items():
                    if unit is None or unit in name:
                        by_unit.setdefault(name, []).append(NoticeItem(
                            item.id, item.title, item.project_name, item.due, item.days_left, item.leader,
                            item.last_note.text if item.last_note else None,
                            item.last_note.date if item.last_note else None,
                            role == "assist"))
        issuer = settings.notice.issuer or "督查室"
        signer = signer or settings.notice.signer
        rendered: list[Any] = [None]
        pages: list[NoticePage] = []
        staged: list[Any] = []  # (repo.temps.Staged: the paper, once rendered)

        def make(existing: list) -> list[dict[str, Any]]:
            numbers = records.numbers(template, as_of.year, existing)
            for name in sorted(by_unit):
                number = next(numbers)
                items = sorted(by_unit[name], key=lambda i: (i.due is None, i.due or date.max, i.id))
                pages.append(NoticePage(number, name, issuer, as_of, reply_by, signer, items))
            if pages and render is not None:
                rendered[0] = render(pages)
                if out is not None:
                    staged.append(_stage_out(self.root, out, rendered[0]))
            return [{"number": p.number, "unit": p.unit, "date": p.date, "reply_by": p.reply_by,
                     "items": [i.id for i in p.items]} for p in pages]

        path = self.root / records.FILE
        before = path.read_bytes() if path.is_file() else None
        try:
            entries = records.issue(self.root, make, self._notices_year(),
                                    then=lambda: _put_out(staged) if staged else None)
        finally:
            for paper in staged:
                paper.discard()  # (nothing, once put in place)
        if entries:
            from taizhang.repo.write import Written

            self.written.append(Written(path, before, path.read_bytes()))
        return pages, rendered[0], found.warnings

    def reply(self, number: str, text: str, *, on: date, by: Optional[str] = None,
              as_of: Optional[date] = None) -> dict[str, Any]:
        """Record a unit's 反馈 to the notice numbered `number` (dated neither before it nor after
        `as_of`); returns the notice's entry."""
        from taizhang.repo import notices as records

        if not text.strip():
            raise input_error("reply_needs_text")
        _refuse_future(on, as_of, "reply_future")
        before_path = self.root / records.FILE
        before = before_path.read_bytes() if before_path.is_file() else None
        entry = records.reply(self.root, number.strip(), {"date": on, "text": text, "by": by},
                              self._notices_year())
        from taizhang.repo.write import Written

        self.written.append(Written(before_path, before, before_path.read_bytes()))
        return entry

    def investments(self, as_of: date, *, codes: Sequence[str] = (), program: Optional[str] = None,
                    unit: Optional[str] = None, leader: Optional[str] = None, owner: Optional[str] = None,
                    lights: Sequence[str] = ()) -> Investments:
        """Each project's year plan, completed investment and 序时进度 on `as_of`, of the projects
        whose own program, unit, leader and owner match (`keeps_project`) and whose investment
        is lit one of `lights` (red, yellow, green, none; empty: any)."""
        from taizhang.domain.invest import INVEST_LIGHTS, invest_rows, keeps_project

        for light in lights:
            if light not in INVEST_LIGHTS:
                raise input_error("light_invalid", light=light)
        repo = self.load(codes)
        ledgers = [ledger for ledger in repo.ledgers
                   if keeps_project(ledger, program=program, unit=unit, leader=leader, owner=owner)]
        rows = invest_rows(ledgers, as_of, repo.settings)
        if lights:
            rows = [row for row in rows if row.light in lights]
        return Investments(repo.settings.title, rows, repo.errors)

    def check(self, as_of: date, files: Optional[Iterable[Path]] = None) -> "Repo | Checked":
        """Every problem of the data (of the files named, or all), with the plan's findings
        (infeasible items, years without calendar data) at their ledgers' lines. All files: a
        ledger unchanged since a run found it without errors is not validated again (views.py)."""
        wanted = list(files or [])
        if not wanted:
            from taizhang.repo.views import check_repo

            checked = check_repo(self.cache, as_of, self.workers)
            if os.path.lexists(self.root / NOTICES_FILE):
                checked.problems.extend(self.examine_notices().problems)
                checked.files += 1
            return checked
        # (files named: read with the models; the whole repository's check loads them only for
        # what its cached verdicts do not vouch for)
        from taizhang.domain.lights import evaluate
        from taizhang.repo.load import check_files

        repo = check_files(self.cache, wanted)
        findings: list = []
        evaluate(repo.ledgers, as_of, repo.settings, repo.extra, findings)
        repo.problems.extend(repo.placed(findings))
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
        from taizhang.domain.calendars import CalendarError
        from taizhang.domain.ids import split_item_id
        from taizhang.domain.lights import project_plan
        from taizhang.domain.schedule import CycleError

        code = split_item_id(item_id)
        repo = self.load([code])
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledger = repo.ledgers[0]
        found = next((i for i in ledger.items if i.id == item_id), None)
        if found is None:
            raise input_error("unknown_item", id=item_id)
        try:
            plan = project_plan(ledger, as_of, repo.settings, repo.extra)
        except (CalendarError, CycleError) as e:  # as `schedule` says it: one line at the project
            raise TaizhangError(Problem(*repo.place(code, None), getattr(e, "key", "after_cycle"),
                                        getattr(e, "args_", {"cycle": str(e)}))) from None
        planned = plan.by_id[item_id]
        if found.closed is not None and found.due is None:
            from taizhang.domain.lights import planned_open

            # A scheduled item's close is judged against its node as planned with it open (SPEC §7).
            planned = planned_open(ledger, as_of, repo.settings, repo.extra, plan.by_id).get(item_id, planned)
        return ledger, found, planned, repo.settings

    # --- writing (each call one all-or-nothing write) ---------------------------------------

    def _edit(self, plans: dict[str, Callable]) -> dict[str, Any]:
        from taizhang.repo.write import edit_ledgers

        results = edit_ledgers(self.cache, self.basics(), plans)
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
        written = new_ledger(self.root, self.settings, code, fields, wordings or None, cache=self.cache)
        self.written.append(written)
        return written.path

    def add(self, code: str, title: str, *, kind: Optional[str] = None, due: Optional[date | str] = None,
            duration: Optional[int | str] = None, after: Sequence[str] = (), owner: Optional[str] = None,
            unit: Optional[str] = None, measures: Optional[str] = None,
            wordings: Optional[dict[str, str]] = None) -> str:
        """Append an item (task, milestone or problem) to a ledger; returns its new id."""
        from taizhang.domain.keys import KINDS
        from taizhang.repo.edits import add_item_edit
        from taizhang.repo.history import highest_committed_number

        if kind is not None and kind not in KINDS:
            raise input_error("kind_invalid", kind=kind)
        if not title.strip():
            raise input_error("title_blank")
        fields = {"title": title, "kind": kind if kind != "task" else None, "due": due, "duration": duration,
                  "after": list(after), "owner": owner, "unit": unit, "measures": measures}
        used = highest_committed_number(self.root, self.ledger_path(code), code, self.cache)
        if used.unread is not None:
            self.warnings.append(used.unread)
        return self._edit({code: add_item_edit(fields, wordings or None, used=used.number)})[code]

    def close(self, ids: Sequence[str], *, on: Optional[date] = None, by: Optional[str] = None,
              note: Optional[str] = None, evidence: "str | Path | None" = None,
              as_of: Optional[date] = None) -> list[tuple[str, str]]:
        """销号 the items (of one or several ledgers, in one write); returns (id, title) of each.
        On an item applied for (§7) the application's date, evidence and note stand unless
        given others, and `by` is recorded as who verified it. `on` defaults to the application's
        date, else `as_of`; a close dated after `as_of` is refused. `evidence` as a Path is a
        file copied to `evidence/<ID>/` (the item records its path)."""
        from taizhang.repo.edits import close_edit

        _refuse_future(on, as_of)
        grouped = by_project(ids)

        def plans_for(recorded: Any) -> dict[str, Callable]:
            closed = {"date": on, "by": by, "note": note, "evidence": recorded}
            return {code: close_edit(item_ids, closed, default_day=as_of) for code, item_ids in grouped.items()}

        results = self._edit_with_evidence(list(grouped), [i for v in grouped.values() for i in v], evidence, plans_for)
        return [pair for code in grouped for pair in results[code]]

    def apply(self, ids: Sequence[str], *, on: date, evidence: "str | Path", by: Optional[str] = None,
              note: Optional[str] = None, as_of: Optional[date] = None) -> list[tuple[str, str]]:
        """申请销号 (§7): record `apply: {date, by, evidence, note}` on each item, which stays open
        and shows 待审核 until `close` verifies or `reject` turns it down. Returns (id, title)."""
        from taizhang.repo.edits import apply_edit

        _refuse_future(on, as_of)
        if not str(evidence).strip():
            raise input_error("apply_needs_evidence")
        grouped = by_project(ids)

        def plans_for(recorded: Any) -> dict[str, Callable]:
            application = {"date": on, "by": by, "evidence": recorded, "note": note}
            return {code: apply_edit(item_ids, application) for code, item_ids in grouped.items()}

        results = self._edit_with_evidence(list(grouped), [i for v in grouped.values() for i in v], evidence, plans_for)
        return [pair for code in grouped for pair in results[code]]

    def reject(self, item_id: str, reason: str, *, on: date, by: Optional[str] = None, lang: str = "zh") -> str:
        """Turn down a 销号 application: it is removed; the reason (and what was applied) go into
        a note. Returns the item's title."""
        from taizhang.domain.ids import split_item_id
        from taizhang.i18n import message
        from taizhang.repo.edits import reject_edit

        if not reason.strip():
            raise input_error("reject_needs_reason")

        def reason_text(application: Any) -> str:
            text = message("reject_note", lang, reason=reason, date=application.date.isoformat(),
                           by=application.by or "?")
            if application.evidence:
                text += message("reopen_old_evidence", lang, value=application.evidence)
            return text

        code = split_item_id(item_id)
        return self._edit({code: reject_edit(item_id, {"date": on, "by": by, "text": ""}, reason_text)})[code][1]

    def _edit_with_evidence(self, codes: list[str], item_ids: list[str], evidence: "str | Path | None",
                            plans_for: Callable[[Any], dict[str, Callable]]) -> dict[str, Any]:
        """A ledger write whose evidence may be a file: copied to `evidence/<ID>/` under a
        temporary name, renamed to its own once the write has verified, removed if it fails."""
        if not isinstance(evidence, Path):
            return self._edit(plans_for(evidence))
        from taizhang.repo import evidence as files
        from taizhang.repo.files import locked
        from taizhang.repo.write import Written

        for code in codes:
            ledger_path(self.root, code)  # a wrong code is said before anything is copied
        with locked(self.root, "evidence"):
            staged = files.stage(self.root, item_ids, evidence)
            try:
                results = self._edit(plans_for({s.item_id: s.recorded for s in staged}))
            except BaseException:
                files.discard(staged)
                raise
            files.finish(staged)
        data = evidence.read_bytes() if staged else b""
        self.written.extend(Written(s.final, None, data) for s in staged)
        return results

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
             done: Optional[str] = None, as_of: Optional[date] = None) -> str:
        """Record a progress report (日汇报) on an item; `done`: the quantity delivered so far,
        against the item's `target` (SPEC §7). A report dated after `as_of` is refused, as a
        close is. Returns the item's title."""
        from taizhang.domain.ids import split_item_id
        from taizhang.repo.edits import note_edit

        _refuse_future(on, as_of, "note_future")
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
            # A blank title is an empty one (what the clerk typed is otherwise kept as typed).
            check_settable(target, name, None if name == "title" and isinstance(value, str) and not value.strip()
                           else value)
        move = {"date": on, "by": by, "reason": reason} if reason else None
        return self._edit({code: set_edit(target, list(changes), move, moves_need_reason=True)})[code]["moved"]

    def write_schedule(self, code: str, as_of: date, found: Optional[Schedule] = None) -> int:
        """Write the computed finish as `due` of each item that has none; returns how many. The
        schedule is computed again under the ledger's lock, from the ledger as it is then (`found`,
        the one shown, may be older: a `set due=` made meanwhile is kept, not overwritten)."""
        from taizhang.domain.calendars import CalendarError
        from taizhang.domain.lights import project_plan
        from taizhang.domain.schedule import CycleError
        from taizhang.repo.edits import set_many_edit
        from taizhang.repo.load import load_calendars
        from taizhang.repo.write import Edit

        settings = found.settings if found is not None else self.settings
        extra, problems, _ = load_calendars(self.cache, settings)
        if [p for p in problems if p.is_error]:
            raise TaizhangError(problems)

        def plan(loaded: Any, context: Any = None) -> Edit:
            try:
                planned = project_plan(loaded.ledger, as_of, settings, extra)
            except (CalendarError, CycleError) as e:
                raise TaizhangError(Problem(loaded.path, 1, 1, getattr(e, "key", "after_cycle"),
                                            getattr(e, "args_", {"cycle": str(e)}))) from None
            dues: dict[str, list[tuple[str, Any, Optional[str]]]] = {
                p.id: [("due", p.finish, "倒排工期")] for p, item in zip(planned.items, loaded.ledger.items)
                    if item.due is None and not p.fixed and p.finish is not None}
            if not dues:
                return Edit(loaded.doc.text, loaded.doc.data, 0)
            edit = set_many_edit(dues)(loaded, context)
            return Edit(edit.text, edit.expected, len(dues))

        return self._edit({code: plan})[code]

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


def _refuse_future(on: Optional[date], as_of: Optional[date], key: str = "close_future") -> None:
    """A 销号, an application, a progress report or a reply (`key` says which) dated after the
    as-of day has not happened: refused (the one rule for what is recorded as done on a day)."""
    if on is None or as_of is None:
        return  # (nothing to check: no need to load the phrase grammar's module)
    from taizhang.domain.dates import not_happened

    if not_happened(on, as_of):
        raise input_error(key, date=on.isoformat(), as_of=as_of.isoformat())


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


def _stage_out(root: Path, out: Path, data: bytes) -> Any:
    """A paper for `out` written beside it, not yet in place (repo.temps.Staged); an `out` that
    may not be written (a link, the repository's data, text into a .pdf) is refused first, and
    what the file system refuses is one line naming it."""
    from taizhang.repo.outputs import out_unwritable, output_path
    from taizhang.repo.temps import stage

    target = output_path(root, out, data)
    try:
        return stage([(target, data)])
    except OSError as e:
        raise out_unwritable(e) from None


def _put_out(staged: list) -> None:
    from taizhang.repo.outputs import out_unwritable

    try:
        for paper in staged:
            paper.put()
    except OSError as e:
        raise out_unwritable(e) from None


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
