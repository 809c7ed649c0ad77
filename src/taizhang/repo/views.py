"""The second cache level, for `status` and `check`: each ledger's day-free facts and verdict.

A light is a pure function of a ledger's content, the as-of day, the settings and the
repository's calendars (lights.evaluate). evaluate has a day-free part (lights.ledger_facts: the
validated items, with what a view shows worked out once) and a per-day part
(lights.light_project: the plan, the nodes of recurring terms, the lights, staleness, quantities).
This cache keeps the day-free part, one entry per ledger, keyed by the ledger's bytes and the
repository's `year` (the one setting reading a ledger depends on), with the warnings its reading
found (the verdict `check` reports): a run on any day, with any settings and calendars, lights
the facts afresh with the very functions a run without cache uses, and never validates a ledger
nor parses its YAML again until its bytes change. What the lights read of the settings and the
calendars is kept in a context entry keyed by their bytes (and the official holiday data and
the tool's version), so a warm run loads neither pydantic nor a YAML parser.

Entries live in `.taizhang/cache/views/`, sealed like every entry of the cache (cache.py: only
this machine's own run is believed): the seal covers the whole entry, so one cut short or
damaged anywhere fails it and the ledger is read again; and an entry is written whole (a
temporary file and a rename, cache.write_entry), so none is ever left torn. They are encoded with msgspec, which decodes straight into the facts' structs,
dates included (0.07 s for 50,000 items; orjson reads them into lists in 0.055 s, and building
the structs and dates from those lists in Python costs more than the difference). The tests
compare every view with and without the cache, on other days than the one it was made on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import msgspec

from taizhang.domain.calendars import NO_EXTRA, YearDays, year_days
from taizhang.domain.invest import InvestFigures
from taizhang.domain.lights import (
    ALL_LIGHTS,
    ByLight,
    DayRules,
    Finding,
    ItemView,
    LedgerFacts,
    ProjectView,
    Tally,
    day_rules,
    in_project_order,
    ledger_facts,
    light_project,
)
from taizhang.errors import Problem
from taizhang.repo.cache import Cache
from taizhang.repo.digest import blake2b
from taizhang.repo.layout import (
    SETTINGS_FILE,
    calendar_files,
    calendar_listing,
    ledger_listing,
    ledger_path,
    settings_file,
)
from taizhang.repo.places import ItemSpots
from taizhang.repo.verdicts import FORMAT, Warnings, facts_key, placed, read_warnings, sealed, store
from taizhang.version import __version__, holiday_data_stamp

CONTEXT_ENTRY = "views/_context.json"
DAY_ENTRY = "views/_day.json"  # the last day's lit ledgers, all in one entry


@dataclass
class Lit:
    """Every ledger's project and items lit on a day, with what `status` needs besides."""

    title: str | None
    lang: str
    projects: list[ProjectView]
    findings: list[Finding]
    problems: list[Problem] = field(default_factory=list)
    repo: Any = None  # places findings (a load.Repo, made when first needed)

    def errors(self) -> list[Problem]:
        """Problems of the data, and the plan's findings that are errors, at their lines."""
        wrong = [f for f in self.findings if f.severity == "error"]
        placed = [Problem(*self.repo.place(f.code, f.item), f.key, f.args, f.severity)  # type: ignore[call-arg]
                  for f in wrong] if wrong and self.repo is not None else []
        return [p for p in self.problems if p.is_error] + placed


def context_key(root: Path) -> str:
    """Everything besides a ledger's own content that its lights depend on, read as bytes (so
    no model is needed to know whether a cached context still holds): taizhang.yaml, the
    calendars/ files, the official holiday data and the tool's version. Not the day: lights
    are computed afresh for each day."""
    h = blake2b(digest_size=16)
    h.update(f"{__version__}|{FORMAT}|{holiday_data_stamp()}|".encode())
    try:
        h.update((root / SETTINGS_FILE).read_bytes())
    except OSError:
        h.update(b"\x00no settings")
    for path in calendar_files(root):
        h.update(b"\x00" + path.name.encode() + b"\x00" + blake2b(path.read_bytes()).digest())
    return h.hexdigest()


class _Known(msgspec.Struct, array_like=True):
    """The context entry: what a run that does not read the settings and calendars needs."""

    key: str
    title: str | None
    lang: str
    rules: DayRules
    days_off: list[date]
    work_days: list[date]
    years: list[int]
    files: int  # taizhang.yaml and calendars/*.yaml, as `check` counts them


class _Day(msgspec.Struct, array_like=True):
    """A ledger lit on one day, as light_project gave it: the project, its counts, its plan's
    findings, its reading's warnings and its items light by light (each light's list decoded only
    when a view asks for it)."""

    project: tuple[str, str, str | None, str | None, str | None, str | None]  # code, name, unit, leader, owner, program
    counts: list[int]  # per light, in ALL_LIGHTS order
    stale: list[str]  # the lights among which its 久未汇报 items are
    invest: InvestFigures | None
    findings: list[tuple[str, str | None, str, dict[str, Any], str]]
    warnings: Warnings
    # Each light's items (a JSON list of ItemView), in ALL_LIGHTS order, each light in two
    # parts: its items not 久未汇报, then those that are (the overview shows a green light's
    # stale items alone: 4,807 of 29,613 green ones at 50,000 items, a sixth of the decoding).
    lights: list[msgspec.Raw]


class _DayFile(msgspec.Struct, array_like=True):
    """The day entry: the day and context the ledgers were lit under; per ledger file, the key
    of the bytes it was lit from (its facts entry's key) and what it was lit as (a `_Day`)."""

    day: str
    ledgers: dict[str, tuple[str, msgspec.Raw]]


_ENCODER = msgspec.json.Encoder(decimal_format="string")
_KNOWN = msgspec.json.Decoder(_Known)
_FACTS = msgspec.json.Decoder(LedgerFacts)
_DAY_FILE = msgspec.json.Decoder(_DayFile)
_DAY = msgspec.json.Decoder(_Day)
_ITEMS = msgspec.json.Decoder(list[ItemView])
_READY = msgspec.json.Decoder(dict[str, tuple[str, msgspec.Raw]])

# Lighting is shared with helper processes (forked.py) from this many ledgers to light afresh
# (fewer gain less than a fork costs), by at most this many helpers.
SHARED_FROM = 64
HELPERS_AT_MOST = 3


def _digest(raw: bytes, key: str) -> str:
    """What a helper's result is checked against: the bytes it lit (its facts key, where there is one)."""
    return key or blake2b(raw, digest_size=16).hexdigest()


@dataclass
class _Settings:
    """The settings and calendars as the lights read them, from the context entry or read."""

    title: str | None
    lang: str
    rules: Any  # DayRules, or the Settings read
    extra: YearDays
    year: int | None
    files: int
    problems: list[Problem]
    repo: Any = None  # the load.Repo of the settings, when they were read


class _Reader:
    """Reads a repository's settings and ledgers through the view cache (or around it)."""

    def __init__(self, cache: Cache, use_cache: bool) -> None:
        self.cache = cache
        self.use = use_cache and cache.folder is not None
        self.key = context_key(cache.root) if self.use else ""
        self._settings: _Settings | None = None
        self._read: _Settings | None = None
        self._day = ""
        self._kept: dict[str, tuple[str, msgspec.Raw]] = {}  # the day entry's ledgers, when of this day
        self._lit: dict[str, tuple[str, msgspec.Raw]] = {}  # this run's ledgers, as the day entry keeps them
        self._relit = False  # some ledger was lit afresh: the day entry is written anew
        self._ahead: dict[str, tuple[bytes, str]] = {}  # ledgers read ahead (for helpers): bytes, key
        self._ready: dict[str, tuple[str, msgspec.Raw]] = {}  # lit by helpers: their bytes' digest, a _Day
        self._helpers: Any = None  # helpers still running (forked.Helpers)
        self._helped: set[str] = set()  # the ledgers they light

    def settings(self) -> _Settings:
        """From the context entry when it holds; else read (and the entry written)."""
        if self._settings is None:
            known = _load_context(self.cache, self.key) if self.use else None
            if known is not None:
                self._settings = _Settings(known.title, known.lang, known.rules,
                                           year_days(known.days_off, known.work_days, known.years)
                                           if known.days_off or known.work_days or known.years else NO_EXTRA,
                                           known.rules.year, known.files, [])
            else:
                self._settings = self.read_settings()
        return self._settings

    def read_settings(self) -> _Settings:
        if self._read is None:
            from taizhang.repo.load import Repo, load_calendars, load_settings

            cache, root = self.cache, self.cache.root
            settings, problems = load_settings(cache)
            extra, calendar_problems, calendars = load_calendars(cache, settings)
            files = (1 if (root / SETTINGS_FILE).is_file() else 0) + calendars
            problems = problems + calendar_problems
            self._read = _Settings(settings.title, settings.lang, settings, extra, settings.year, files, problems,
                                   Repo(root=root, settings=settings, extra=extra))
            if self.use and context_key(root) != self.key:
                # Changed since this run took their key (an edit, a checkout, while it ran): what
                # was read is not what the key names, and an entry under it would give these
                # settings to the old bytes when they come back. Nothing of this run is kept.
                self.use = False
            if self.use and not problems:
                _store_context(cache, self.key, self._read, day_rules(settings))
        return self._read

    def ledger(self, path: Path, raw: bytes, key: str) -> tuple[LedgerFacts | None, list[Problem]]:
        """A ledger's facts (None: it has no valid model) and the problems of its reading;
        `key`: its facts entry's key ("" when the cache is not used)."""
        if self.use:
            hit = _load(self.cache, path.name, key)
            if hit is not None:
                return hit[0], placed(self.cache, path, hit[1])
        from taizhang.repo.load import read_ledger

        read = self.read_settings()
        ledger, problems = read_ledger(self.cache, path, read.rules, raw, store=False)
        if ledger is None:
            return None, problems
        facts = ledger_facts(ledger)
        # Only what a later run may take on trust: no error in the settings, the calendars or
        # the ledger (those are reported every time).
        if self.use and self.trusted(problems):
            _store(self.cache, path.name, key, facts, problems)
        return facts, problems

    def trusted(self, problems: list[Problem]) -> bool:
        """Whether what a ledger read with these problems gives may be taken on trust by a later
        run: no error in it, nor in the settings and calendars it was read under (a context
        entry is kept only for settings and calendars without errors)."""
        if any(p.is_error for p in problems):
            return False
        read = self._read
        return read is None or (not read.problems and read.year == self.settings().year)

    def lit(self, path: Path, as_of: date, findings: list[Finding]) -> tuple[ProjectView | None, list[Problem]]:
        """A ledger lit on `as_of` (None: it has no valid model), its plan's findings added to
        `findings`, and the problems of its reading. From the day entry when it holds this day and
        these bytes (a second run of the day decodes only the items it shows), else lit afresh
        from its facts."""
        ahead = self._ahead.pop(path.name, None)
        raw, key = ahead if ahead is not None else self._bytes_of(path)
        if self.use:
            self._load_kept(as_of)
            kept = self._kept.get(path.name)
            if kept is not None and kept[0] == key:
                hit = self._from_day(path, raw, key, as_of, kept[1], findings)
                if hit is not None:
                    self._lit[path.name] = kept
                    return hit
        if path.name in self._helped:
            ready = self._helped_result(path.name)
            if ready is not None and ready[0] == _digest(raw, key):
                hit = self._from_day(path, raw, key, as_of, ready[1], findings)
                if hit is not None:
                    if self.use:
                        self._lit[path.name] = (key, ready[1])
                        self._relit = True
                    return hit
        project, found, problems, day = self._light_afresh(path, raw, key, as_of)
        findings.extend(found)
        if self.use and day is not None:
            self._lit[path.name] = (key, day)
            self._relit = True
        return project, problems

    def _light_afresh(self, path: Path, raw: bytes, key: str, as_of: date
                      ) -> tuple[ProjectView | None, list[Finding], list[Problem], msgspec.Raw | None]:
        """A ledger lit from its facts: the project (None: no valid model), the plan's findings,
        the problems of its reading, and the `_Day` a later run (or this process) may take on
        trust (None: errors in it, its settings or its plan, which are found afresh every time)."""
        facts, problems = self.ledger(path, raw, key)
        if facts is None:
            return None, [], problems, None
        known = self.settings()
        found: list[Finding] = []
        project = light_project(facts, as_of, known.rules, known.extra, found)
        keep = self.trusted(problems) and not any(f.severity == "error" for f in found)
        return project, found, problems, _day_of(project, found, problems) if keep else None

    def _load_kept(self, as_of: date) -> None:
        """The day entry's ledgers, when it was made for this day and context (read once)."""
        if not self._day:
            self._day = f"{as_of.isoformat()}|{self.key}"
            self._kept = _load_day(self.cache, self._day)

    def _from_day(self, path: Path, raw: bytes, key: str, as_of: date, day_raw: msgspec.Raw,
                  findings: list[Finding]) -> tuple[ProjectView, list[Problem]] | None:
        """A ledger as a `_Day` holds it lit (the day entry's, or a helper's), its findings added
        to `findings`; None when the record does not decode."""
        hit = _project_of(day_raw, lambda: self._relight(path, raw, key, as_of))
        if hit is None:
            return None
        project, day = hit
        findings.extend(Finding(*f) for f in day.findings)
        return project, placed(self.cache, path, day.warnings)

    def _bytes_of(self, path: Path) -> tuple[bytes, str]:
        """A ledger's bytes, and its facts entry's key ("" when the cache is not used)."""
        raw = path.read_bytes()
        return raw, facts_key(self.cache, raw, self.settings().year) if self.use else ""

    def share(self, paths: list[Path], as_of: date, workers: int | None) -> None:
        """Have helper processes light part of the ledgers that must be lit afresh, while this one
        lights its own part (forked.py). `workers`: how many processes in all (None: one per
        core, at most HELPERS_AT_MOST + 1, and only for SHARED_FROM ledgers or more)."""
        from taizhang.repo import forked

        if not forked.can_fork() or workers is not None and workers < 2:
            return
        # (Not by itself in a process with threads, a library user's: a fork copies their locks
        # as they stand. Asked for, it is the caller's choice.)
        if workers is None and forked.other_threads():
            return
        if self.use:
            self._load_kept(as_of)
        try:
            self._ahead = {path.name: self._bytes_of(path) for path in paths}
        except OSError:
            self._ahead = {}
            return  # (a ledger that cannot be read is reported by its own reading, in order)
        fresh = [path for path in paths
                 if (kept := self._kept.get(path.name)) is None or kept[0] != self._ahead[path.name][1]]
        if len(fresh) < (SHARED_FROM if workers is None else 2):
            return
        wanted = min(forked.available_cores(), HELPERS_AT_MOST + 1) if workers is None else workers
        if wanted < 2:
            return
        # Parts of about equal bytes (a ledger's work goes with its size: the large ones come first
        # by name, and a split by count left this process twice the work).
        parts = forked.split(fresh, [len(self._ahead[path.name][0]) for path in fresh], wanted)
        chunks = [part for part in parts[1:] if part]  # (the first part is this process's own)
        self._helpers = forked.Helpers(chunks, lambda chunk: self._light_chunk(chunk, as_of))
        self._helped = {path.name for chunk in chunks for path in chunk}

    def _light_chunk(self, paths: Sequence[Path], as_of: date) -> bytes:
        """In a helper: the ledgers `paths` lit as the day entry keeps them, by their bytes'
        digest; those with errors or a plan's error are left to the main process (it reports them
        at their lines, in order)."""
        out: dict[str, tuple[str, msgspec.Raw]] = {}
        for path in paths:
            raw, key = self._ahead[path.name]
            day = self._light_afresh(path, raw, key, as_of)[3]
            if day is not None:
                out[path.name] = (_digest(raw, key), day)
        return _ENCODER.encode(out)

    def close(self) -> None:
        """Collect helpers still running (a run that ended early: none is left behind)."""
        self._collect()

    def _helped_result(self, name: str) -> tuple[str, msgspec.Raw] | None:
        """What the helpers lit of ledger `name` (collected from them all when first asked)."""
        self._collect()
        return self._ready.pop(name, None)

    def _collect(self) -> None:
        if self._helpers is None:
            return
        helpers, self._helpers = self._helpers, None
        for payload in helpers.results():
            if payload is None:
                continue  # (a helper that failed: its ledgers are lit here)
            try:
                self._ready.update(_READY.decode(payload))
            except (msgspec.DecodeError, ValueError, TypeError):
                pass

    def _relight(self, path: Path, raw: bytes, key: str, as_of: date) -> list[ItemView]:
        """The items of a ledger whose kept items do not decode (sealed by this machine, yet not
        of this build's making): lit again from its facts."""
        facts, _ = self.ledger(path, raw, key)
        known = self.settings()
        return light_project(facts, as_of, known.rules, known.extra, []).items if facts is not None else []

    def keep_day(self, every_ledger: bool) -> None:
        """Write the day entry anew when a ledger was lit afresh (or one it kept is gone): the
        ledgers of this run, and, when it did not read every ledger, the others it kept."""
        if not self.use or not (self._relit or every_ledger and self._kept.keys() - self._lit.keys()):
            return
        ledgers = self._lit if every_ledger else {**self._kept, **self._lit}
        try:
            content = _ENCODER.encode(_DayFile(self._day, ledgers))
        except (TypeError, ValueError, msgspec.EncodeError):
            return
        self.cache.write(DAY_ENTRY, content)

    def placer(self) -> Any:
        """What places findings at their ledgers' lines (load.Repo.place)."""
        return _Placer(self)


class _Placer:
    """Places findings: an item from its ledger's bytes where they vouch for it, without reading
    the settings (and so the models); else as load.Repo places it, the ledger read."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.spots = ItemSpots(reader.cache.root)

    def place(self, code: str, item_id: str | None) -> tuple[str, int, int]:
        spot = self.spots.spot(code, item_id) if item_id else None
        if spot is not None:
            return spot
        repo = self.reader.read_settings().repo
        repo.spots = repo.spots or self.spots  # (the bytes read here already: not read again)
        return repo.place(code, item_id)  # type: ignore[no-any-return]


def _ledger_paths(root: Path, codes: Iterable[str] | None) -> tuple[list[Path], list[Problem]]:
    """The ledgers to read (all, or those named), and the listing's problems (always of all)."""
    paths, problems = ledger_listing(root)
    return ([ledger_path(root, code) for code in codes] if codes else paths), problems


def lit_projects(cache: Cache, codes: Iterable[str] | None, as_of: date, workers: int | None = None) -> Lit:
    """Every ledger's project and items lit on `as_of`, as lights.evaluate gives them, with the
    settings' title and language, the problems found and the plan's findings. `workers`: the
    processes that may light them (None: as the machine allows; 1: this one alone)."""
    known, projects, findings, problems, reader, _ = _light_all(cache, codes, as_of, workers)
    return Lit(known.title, known.lang, projects, findings, problems, reader.placer())


def _light_all(cache: Cache, codes: Iterable[str] | None, as_of: date, workers: int | None = None
               ) -> tuple[_Settings, list[ProjectView], list[Finding], list[Problem], _Reader, int]:
    """The settings, every ledger lit on `as_of`, the plan's findings, the problems of reading,
    and how many ledgers there were."""
    root = cache.root
    paths, listing = _ledger_paths(root, codes)
    # A file that may not be read (a link, a FIFO…) is reported by the reading afresh; the cached
    # context would not see it.
    refused = listing + calendar_listing(root)[1] + settings_file(root)[1]
    reader = _Reader(cache, use_cache=not refused)
    known = reader.settings()
    problems = list(known.problems) + listing
    projects: list[ProjectView] = []
    findings: list[Finding] = []
    if not problems:  # (settings with errors: every ledger is read here, its problems in order)
        reader.share(paths, as_of, workers)
    try:
        for path in paths:
            project, found = reader.lit(path, as_of, findings)
            problems.extend(found)
            if project is not None:
                projects.append(project)
    finally:
        reader.close()
    reader.keep_day(every_ledger=not codes)
    return known, projects, findings, problems, reader, len(paths)


def check_repo(cache: Cache, as_of: date, workers: int | None = None) -> Checked:
    """`check` of every file: the problems of the settings, the calendars and each ledger (a
    ledger unchanged since a run that found it without errors: its verdict from the cache), and
    the plan's findings on `as_of` at their lines. As load_repo and evaluate find them."""
    known, _, findings, problems, reader, ledgers = _light_all(cache, None, as_of, workers)
    placer = reader.placer()
    problems.extend(Problem(*placer.place(f.code, f.item), f.key, f.args, f.severity)  # type: ignore[call-arg]
                    for f in findings)
    return Checked(problems, known.files + ledgers)


@dataclass
class Checked:
    """What `check` reports: every problem, and how many files were read."""

    problems: list[Problem]
    files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def _store_context(cache: Cache, key: str, read: _Settings, rules: DayRules) -> None:
    extra = read.extra
    try:
        content = _ENCODER.encode(_Known(key, read.title, read.lang, rules, sorted(extra.days_off),
                                         sorted(extra.work_days), sorted(extra.full_years), read.files))
    except (TypeError, ValueError, msgspec.EncodeError):
        return
    cache.write(CONTEXT_ENTRY, content)


def _load_context(cache: Cache, key: str) -> _Known | None:
    content = cache.read(CONTEXT_ENTRY)
    if content is None:
        return None
    try:
        known = _KNOWN.decode(content)
    except (msgspec.DecodeError, ValueError, TypeError):
        return None
    return known if known.key == key else None


def _day_of(project: ProjectView, findings: list[Finding], warnings: list[Problem]) -> msgspec.Raw:
    """A ledger lit on a day, as the day entry keeps it (a `_Day`, encoded)."""
    by_light: dict[tuple[str, bool], list[ItemView]] = {(light, stale): [] for light in ALL_LIGHTS
                                                         for stale in (False, True)}
    for item in project.items:
        by_light[item.light, item.stale].append(item)
    return msgspec.Raw(_ENCODER.encode(_Day(
        (project.code, project.name, project.unit, project.leader, project.owner, project.program),
        [project.tally.counts[light] for light in ALL_LIGHTS], project.stale_lights, project.invest,
        [(f.code, f.item, f.key, f.args, f.severity) for f in findings],
        [(p.line, p.col, p.key, p.args) for p in warnings],
        [msgspec.Raw(_ENCODER.encode(part)) for part in by_light.values()])))


def _project_of(raw: msgspec.Raw, relight: Callable[[], list[ItemView]]) -> tuple[ProjectView, _Day] | None:
    """A project as the day entry kept it lit, its items decoded light by light when asked for."""
    try:
        day = _DAY.decode(raw)
    except (msgspec.DecodeError, ValueError, TypeError):
        return None
    if len(day.counts) != len(ALL_LIGHTS) or len(day.lights) != 2 * len(ALL_LIGHTS):
        return None
    code, name, unit, leader, owner, program = day.project
    return ProjectView(code, name, unit, leader, owner, program, None, Tally(dict(zip(ALL_LIGHTS, day.counts))),
                       by_light=_Lights(day.lights, relight), invest=day.invest,
                       stale_lights=day.stale), day


class _Lights(ByLight):
    """A kept project's items by light, a light's list decoded when first asked for (the
    overview decodes of the green ones only the stale). One that does not decode (an entry of
    this machine's, sealed, yet not of this build's making): the ledger is lit again from its
    facts."""

    def __init__(self, parts: list[msgspec.Raw], relight: Callable[[], list[ItemView]]) -> None:
        # (light, stale) → its part of the day entry, in _day_of's order
        self.parts: dict[tuple[str, bool], msgspec.Raw] = dict(zip([(light, stale) for light in ALL_LIGHTS for stale in (False, True)], parts))
        self.relight = relight
        self.decoded: dict[tuple[str, bool], list[ItemView]] = {}
        self.whole: dict[str, list[ItemView]] = {}

    def _part(self, light: str, stale: bool) -> list[ItemView]:
        if (light, stale) not in self.decoded:
            try:
                self.decoded[light, stale] = _ITEMS.decode(self.parts[light, stale])
            except (msgspec.DecodeError, ValueError, TypeError):
                items, self.whole = self.relight(), {}
                self.decoded = {(k, s): [i for i in items if i.light == k and i.stale == s]
                                for k in ALL_LIGHTS for s in (False, True)}
        return self.decoded[light, stale]

    def __getitem__(self, light: str) -> list[ItemView]:
        if light not in self.whole:
            if light not in ALL_LIGHTS:
                raise KeyError(light)
            self.whole[light] = in_project_order([self._part(light, False), self._part(light, True)])
        return self.whole[light]

    def stale(self, light: str) -> list[ItemView]:
        return self._part(light, True)

    def __iter__(self) -> Iterator[str]:
        return iter(ALL_LIGHTS)

    def __len__(self) -> int:
        return len(ALL_LIGHTS)


def _load_day(cache: Cache, day: str) -> dict[str, tuple[str, msgspec.Raw]]:
    """The day entry's ledgers when it was made for `day` (and this context); else none."""
    # Another day's entry is not even sealed over (15 MB at 50,000 items): its first bytes say so.
    content = cache.read(DAY_ENTRY, starting=_ENCODER.encode([day])[:-1] + b",")
    if content is None:
        return {}
    try:
        kept = _DAY_FILE.decode(content)
    except (msgspec.DecodeError, ValueError, TypeError):
        return {}
    return kept.ledgers if kept.day == day else {}


def _store(cache: Cache, name: str, key: str, facts: LedgerFacts, warnings: list[Problem]) -> None:
    """The ledger's entry (verdicts.py frames it): the warnings its reading found, its facts."""
    try:
        encoded = _ENCODER.encode([(p.line, p.col, p.key, p.args) for p in warnings]), _ENCODER.encode(facts)
    except (TypeError, ValueError, msgspec.EncodeError):
        return  # facts JSON cannot hold (never the case for a valid ledger)
    store(cache, name, key, *encoded)


def _load(cache: Cache, name: str, key: str) -> tuple[LedgerFacts, Warnings] | None:
    """The facts and warnings of ledger `name`'s entry made under `key`, if any."""
    found = sealed(cache, name, key)
    if found is None:
        return None
    warnings = read_warnings(found[0])
    try:
        facts = _FACTS.decode(found[1])
    except (msgspec.DecodeError, ValueError, TypeError):
        return None  # (sealed by this machine, yet not of this format: read the ledger again)
    return (facts, warnings) if warnings is not None else None
