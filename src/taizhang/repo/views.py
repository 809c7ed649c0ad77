"""The second cache level, for `status`: each ledger's items already lit.

A light is a pure function of the ledger's content, the as-of day, the settings and the
repository's calendars (status.evaluate), and of the official holiday data. So the lit rows of a
ledger are kept under a key made of the bytes of all of these (and the tool's version): a command
on the same day, with nothing changed, reads the rows back instead of validating the ledger and
planning it again. Anything that changes one of them changes the key. Entries live beside the
read cache in `.taizhang/cache/views/`, sealed like every entry of the cache (cache.py: only
this machine's own run is believed); the tests compare every view with and without the cache.

When every ledger is in the cache, nothing here loads pydantic or a YAML parser, and only the
rows a view shows are decoded: an entry keeps its rows light by light, one JSON line each, so the
overview (red and yellow items) never decodes the green ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from taizhang.domain.invest import InvestFigures
from taizhang.domain.lights import ALL_LIGHTS, Finding, ItemView, NoteView, ProjectView, Tally
from taizhang.errors import Problem
from taizhang.repo.cache import Cache
from taizhang.repo.layout import (
    SETTINGS_FILE,
    calendar_files,
    calendar_listing,
    ledger_listing,
    ledger_path,
    settings_file,
)
from taizhang.version import __version__

FORMAT = 9  # 7: rows carry an item's term; 8: whether a 销号 is pending; 9: units, moves, quantity
CONTEXT_ENTRY = "views/_context.json"


@dataclass
class Lit:
    """Every ledger's project and items lit on a day, with what `status` needs besides."""

    title: str | None
    lang: str
    projects: list[ProjectView]
    findings: list[Finding]
    problems: list[Problem] = field(default_factory=list)
    repo: Any = None  # the load.Repo when ledgers had to be read (it places findings)

    def errors(self) -> list[Problem]:
        """Problems of the data, and the plan's findings that are errors, at their lines."""
        placed = [Problem(*self.repo.place(f.code, f.item), f.key, f.args, f.severity)  # type: ignore[call-arg]
                  for f in self.findings if f.severity == "error"] if self.repo is not None else []
        return [p for p in self.problems if p.is_error] + placed


def context_key(root: Path, as_of: date) -> str:
    """Everything besides a ledger's own content that its lights depend on, read as bytes (so
    no model is needed to know whether a cached view still holds): the day, taizhang.yaml, the
    calendars/ files, the official holiday data and the tool's version."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{FORMAT}|{as_of.isoformat()}|{_official_calendar_stamp()}|".encode())
    try:
        h.update((root / SETTINGS_FILE).read_bytes())
    except OSError:
        h.update(b"\x00no settings")
    for path in calendar_files(root):
        h.update(b"\x00" + path.name.encode() + b"\x00" + hashlib.blake2b(path.read_bytes()).digest())
    return h.hexdigest()


def _official_calendar_stamp() -> str:
    """Which holiday data the working-day calendar has: a new chinese-calendar release (a new
    year's notice) changes the lights of workday projects."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("chinese_calendar")
        stat = os.stat(Path(spec.origin).parent / "constants.py")  # type: ignore[union-attr,arg-type]
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except (ImportError, AttributeError, TypeError, OSError):
        return "-"


def lit_projects(cache: Cache, codes: Iterable[str] | None, as_of: date) -> Lit:
    """Every ledger's project and items lit on `as_of`, as status.evaluate gives them, with the
    settings' title and language, the problems found and the plan's findings."""
    root = cache.root
    paths, refused = ([ledger_path(root, code) for code in codes], []) if codes else ledger_listing(root)
    # A file that may not be read (a link, a FIFO…) is reported by the reading afresh; the cached
    # path would not see it, and must not open it.
    refused = refused + calendar_listing(root)[1] + settings_file(root)[1]
    if cache.folder is None or refused:
        return _lit_afresh(cache, paths, as_of, None, [])
    context = context_key(root, as_of)
    known = _load_context(cache, context)
    hits: list[tuple[ProjectView, list[Finding]]] = []
    if known is not None:
        for path in paths:
            hit = _load(cache, path, _entry_key(cache, path.read_bytes(), context), as_of, context)
            if hit is None:
                break
            hits.append(hit)
        else:
            return Lit(known["title"], known["lang"], [p for p, _ in hits],
                       [f for _, found in hits for f in found])
    # Something changed: read the rest properly (the hits so far stand).
    return _lit_afresh(cache, paths[len(hits):], as_of, context, hits)


def _lit_afresh(cache: Cache, paths: list[Path], as_of: date, context: str | None,
                hits: list[tuple[ProjectView, list[Finding]]]) -> Lit:
    """`context` None: lit without the view cache (it is off, or an entry cannot be replaced)."""
    from taizhang.domain.lights import evaluate
    from taizhang.repo.load import open_repo, read_ledger

    repo, _ = open_repo(cache, [])
    settings_ok = not repo.errors
    if context is not None and settings_ok:
        _store_context(cache, context, repo.settings.title, repo.settings.lang)
    projects = [p for p, _ in hits]
    findings = [f for _, found in hits for f in found]
    for path in paths:
        raw = path.read_bytes()
        repo.files += 1
        key = _entry_key(cache, raw, context) if context is not None else ""
        hit = _load(cache, path, key, as_of, context) if context is not None else None
        if hit is not None:
            projects.append(hit[0])
            findings.extend(hit[1])
            continue
        ledger, problems = read_ledger(cache, path, repo.settings, raw)
        repo.problems.extend(problems)
        if ledger is None:
            continue
        found: list[Finding] = []
        [project] = evaluate([ledger], as_of, repo.settings, repo.extra, found)
        projects.append(project)
        findings.extend(found)
        # Only what a later run may take on trust: no error in the settings, the calendars,
        # the ledger or its plan (those are reported every time).
        if (context is not None and settings_ok and not any(p.is_error for p in problems)
                and not any(f.severity == "error" for f in found)):
            _store(cache, path.name, key, project, found)
    return Lit(repo.settings.title, repo.settings.lang, projects, findings, repo.problems, repo)


def _relight(cache: Cache, path: Path, as_of: date, context: str | None) -> list[ItemView]:
    """The items of a ledger whose entry was found damaged inside a line: lit again, and the
    entry written anew."""
    if not cache.forget(_entry(path.name)):
        context = None  # it stays there (a read-only checkout): do without the view cache
    lit = _lit_afresh(cache, [path], as_of, context, [])
    return lit.projects[0].items if lit.projects else []


def _entry_key(cache: Cache, raw: bytes, context: str | None) -> str:
    return cache.key(raw, context or "")


def _entry(name: str) -> str:
    return "views/ledgers__" + name + ".json"


class Row(NamedTuple):
    """An item as a view entry keeps it, one JSON array in this order: its project and its
    light are the entry's, dates are ISO text, a note is [date, by, text]."""

    id: str
    title: str
    kind: str
    unit: str | None
    owner: str | None
    leader: str | None
    due: str | None
    days_left: int | None
    closed_on: str | None
    number: int
    last_note: list | None
    stale: bool
    start: str | None
    measures: str | None
    closed_by: str | None
    close_note: str | None
    evidence: str | None
    recent_notes: list
    term: str | None = None  # a `due` that is not one date, as written (长期坚持, 每月25日前)
    pending: bool = False  # a 销号 applied for, not yet verified (待审核)
    units: list = []  # every unit named, lead first
    changes: list = []  # the node's moves: [date, by, from, to, reason]
    quantity: str | None = None  # 1120/2836户 39%
    planned_due: str | None = None  # a closed item's node as planned with it open

    @classmethod
    def of(cls, i: ItemView) -> Row:
        return cls(i.id, i.title, i.kind, i.unit, i.owner, i.leader, _iso(i.due), i.days_left,
                   _iso(i.closed_on), i.number, _note(i.last_note), i.stale, _iso(i.start), i.measures,
                   i.closed_by, i.close_note, i.evidence, [_note(n) for n in i.recent_notes], i.term,
                   i.pending, list(i.units), [list(c) for c in i.changes], i.quantity, _iso(i.planned_due))

    def view(self, code: str, name: str, light: str) -> ItemView:
        return ItemView(self.id, code, name, self.title, self.kind, self.unit, self.owner, self.leader,
                        _day(self.due), light, self.days_left, _day(self.closed_on),  # type: ignore[arg-type]
                        self.number, _note_view(self.last_note) if self.last_note else None, self.stale,
                        _day(self.start), self.measures, self.closed_by, self.close_note, self.evidence,
                        [_note_view(n) for n in self.recent_notes] if self.recent_notes else (), self.term,
                        self.pending is True, units=list(self.units), changes=[tuple(c) for c in self.changes],
                        quantity=self.quantity, planned_due=_day(self.planned_due))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _note(note) -> list | None:
    return [_iso(note.date), note.by, note.text] if note is not None else None


def _note_view(row: list) -> NoteView:
    day, by, text = row
    return NoteView(date.fromisoformat(day), by, text)


def _store_context(cache: Cache, context: str, title: str | None, lang: str) -> None:
    """What a view needs of the settings, for runs that will not read them."""
    cache.write(CONTEXT_ENTRY, json.dumps({"key": context, "title": title, "lang": lang},
                                          ensure_ascii=False).encode("utf-8"))


def _load_context(cache: Cache, context: str) -> dict | None:
    content = cache.read(CONTEXT_ENTRY)
    if content is None:
        return None
    try:
        known = json.loads(content)
        if known.get("key") != context or not isinstance(known.get("lang"), str):
            return None
        return {"title": known.get("title"), "lang": known["lang"]}
    except (ValueError, AttributeError):
        return None


def _store(cache: Cache, name: str, key: str, project: ProjectView, findings: list[Finding]) -> None:
    """A line of the head's seal; the head (key, project, counts, findings, and each part's
    seal); then one line of rows per light. Every line is checked before it is used."""
    by_light: dict[str, list[Row]] = {light: [] for light in ALL_LIGHTS}
    for i in project.items:
        by_light[i.light].append(Row.of(i))
    try:
        # JSON never holds a raw newline inside a value: a line is a part.
        parts = [json.dumps(by_light[light], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                 for light in ALL_LIGHTS]
        head = {"key": key,
                "project": [project.code, project.name, project.unit, project.leader, project.owner,
                            project.program],
                "counts": [project.tally.counts[light] for light in ALL_LIGHTS],
                "invest": [str(x) if x is not None else None for x in project.invest] if project.invest else None,
                "seals": [cache.mac(part) for part in parts],
                "stale": project.stale_lights,
                "findings": [[f.code, f.item, f.key, f.args, f.severity] for f in findings]}
        head_line = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return
    cache.write_raw(_entry(name), b"\n".join([cache.mac(head_line).encode("ascii"), head_line, *parts]))


def _load(cache: Cache, path: Path, key: str, as_of: date, context: str | None
          ) -> tuple[ProjectView, list[Finding]] | None:
    raw = cache.read_raw(_entry(path.name))
    if raw is None:
        return None
    try:
        check, head_line, *parts = raw.split(b"\n")
        if len(parts) != len(ALL_LIGHTS) or check != cache.mac(head_line).encode("ascii"):
            return None
        head = json.loads(head_line)
        if head.get("key") != key:
            return None
        code, name, unit, leader, owner, program = head["project"]
        counts = head["counts"]
        if len(counts) != len(ALL_LIGHTS) or not all(type(n) is int for n in counts):
            return None
        seals = head["seals"]
        if len(seals) != len(ALL_LIGHTS):
            return None
        invest = head["invest"]
        if invest is not None:
            planned, completed, month = invest
            invest = InvestFigures(Decimal(planned) if planned is not None else None, Decimal(completed),
                                   Decimal(month))
        findings = [Finding(*f) for f in head["findings"]]
        stale = head["stale"]
        if not isinstance(stale, list) or not all(light in ALL_LIGHTS for light in stale):
            return None
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        return None  # corrupt: light the ledger again
    tally = Tally(dict(zip(ALL_LIGHTS, counts)))
    lights = _Lights(code, name, dict(zip(ALL_LIGHTS, parts)), dict(zip(ALL_LIGHTS, seals)), cache,
                     lambda: _relight(cache, path, as_of, context))
    return ProjectView(code, name, unit, leader, owner, program, None, tally, by_light=lights, stale_lights=stale,
                       invest=invest), findings


class _Lights(Mapping):
    """A cached project's items by light, a light's line decoded when first asked for (the
    overview never decodes the green ones). A line that fails its seal or does not decode: the
    ledger is lit again and serves every light."""

    def __init__(self, code: str, name: str, parts: dict[str, bytes], seals: dict[str, str], cache: Cache,
                 relight: Callable[[], list[ItemView]]) -> None:
        self.code, self.name, self.parts, self.seals, self.cache = code, name, parts, seals, cache
        self.relight = relight
        self.decoded: dict[str, list[ItemView]] = {}

    def __getitem__(self, light: str) -> list[ItemView]:
        if light not in self.decoded:
            try:
                self.decoded[light] = self._decode(light)
            except (ValueError, TypeError, AttributeError):
                items = self.relight()
                self.decoded = {k: [i for i in items if i.light == k] for k in ALL_LIGHTS}
        return self.decoded[light]

    def _decode(self, light: str) -> list[ItemView]:
        raw = self.parts[light]
        if self.cache.mac(raw) != self.seals[light]:
            raise ValueError("a damaged line")  # (damage of the same length included)
        code, name = self.code, self.name
        return [Row(*r).view(code, name, light) for r in json.loads(raw)]

    def __iter__(self) -> Iterator[str]:
        return iter(ALL_LIGHTS)

    def __len__(self) -> int:
        return len(ALL_LIGHTS)
