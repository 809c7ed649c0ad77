"""The second cache level, for `status`: each ledger's items already lit.

A light is a pure function of the ledger's content, the as-of day, the settings and the
repository's calendars (status.evaluate), and of the official holiday data. So the lit rows of a
ledger are kept under a key made of the bytes of all of these (and the tool's version): a command
on the same day, with nothing changed, reads the rows back instead of validating the ledger and
planning it again. Anything that changes one of them changes the key. Entries live beside the
read cache in `.taizhang/cache/`; the tests compare every view with and without the cache.

When every ledger is in the cache, nothing here loads pydantic or a YAML parser, and only the
rows a view shows are decoded: an entry keeps its rows light by light, one JSON line each, so the
overview (red and yellow items) never decodes the green ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from taizhang.version import __version__
from taizhang.repo.cache import digest, seal, unseal, write_entry
from taizhang.errors import Problem
from taizhang.domain.invest import InvestFigures
from taizhang.repo.layout import (SETTINGS_FILE, calendar_files, calendar_listing, ledger_listing, ledger_path,
                                  settings_file)
from taizhang.domain.lights import ALL_LIGHTS, Finding, ItemView, NoteView, ProjectView, Tally

FORMAT = 6
_POSITION = itemgetter(0)


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
        placed = [Problem(*self.repo.place(f.code, f.item), f.key, f.args, f.severity)
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


def lit_projects(root: Path, codes: Iterable[str] | None, as_of: date, *,
                 use_cache: bool = True) -> Lit:
    """Every ledger's project and items lit on `as_of`, as status.evaluate gives them, with the
    settings' title and language, the problems found and the plan's findings."""
    paths, refused = ([ledger_path(root, code) for code in codes], []) if codes else ledger_listing(root)
    # A file that may not be read (a link, a FIFO…) is reported by the reading afresh; the cached
    # path would not see it, and must not open it.
    refused = refused + calendar_listing(root)[1] + settings_file(root)[1]
    state = _state(root) if use_cache and not refused else None
    if state is None:
        return _lit_afresh(root, paths, as_of, None, None, [])
    context = context_key(root, as_of)
    known = _load_context(state, context)
    hits: list[tuple[ProjectView, list[Finding]]] = []
    if known is not None:
        for path in paths:
            raw = path.read_bytes()
            relight = partial(_relight, root, path, as_of, state, context)
            hit = _load(state, path.name, _entry_key(raw, context), relight)
            if hit is None:
                break
            hits.append(hit)
        else:
            return Lit(known["title"], known["lang"], [p for p, _ in hits],
                       [f for _, found in hits for f in found])
    # Something changed: read the rest properly (the hits so far stand).
    return _lit_afresh(root, paths[len(hits):], as_of, state, context, hits)


def _lit_afresh(root: Path, paths: list[Path], as_of: date, state: Path | None, context: str | None,
                hits: list[tuple[ProjectView, list[Finding]]]) -> Lit:
    from taizhang.domain.lights import evaluate
    from taizhang.repo.load import read_ledger, open_repo

    repo, _, _ = open_repo(root, [], use_cache=state is not None)
    settings_ok = not repo.errors
    if state is not None and settings_ok:
        _store_context(state, context, repo.settings.title, repo.settings.lang)
    projects = [p for p, _ in hits]
    findings = [f for _, found in hits for f in found]
    for path in paths:
        raw = path.read_bytes()
        repo.files += 1
        name = path.name  # names the entry: every ledger is in ledgers/
        key = _entry_key(raw, context) if state is not None else ""
        hit = (_load(state, name, key, partial(_relight, root, path, as_of, state, context))
               if state is not None else None)
        if hit is not None:
            projects.append(hit[0])
            findings.extend(hit[1])
            continue
        ledger, problems = read_ledger(root, path, repo.settings, state, raw)
        repo.problems.extend(problems)
        if ledger is None:
            continue
        found: list[Finding] = []
        [project] = evaluate([ledger], as_of, repo.settings, repo.extra, found)
        projects.append(project)
        findings.extend(found)
        # Only what a later run may take on trust: no error in the settings, the calendars,
        # the ledger or its plan (those are reported every time).
        if (state is not None and settings_ok and not any(p.is_error for p in problems)
                and not any(f.severity == "error" for f in found)):
            _store(state, name, key, project, found)
    return Lit(repo.settings.title, repo.settings.lang, projects, findings, repo.problems, repo)


def _relight(root: Path, path: Path, as_of: date, state: Path, context: str | None,
             lights: Sequence[str] | None) -> list[ItemView]:
    """The rows of an entry found damaged inside a line: the ledger lit again, and the entry
    written anew."""
    try:
        _entry(state, path.name).unlink()
    except OSError:
        state = context = None  # it stays there (a read-only checkout): do without the cache
    lit = _lit_afresh(root, [path], as_of, state, context, [])
    return lit.projects[0].items_lit(lights) if lit.projects else []


def _state(root: Path) -> Path | None:
    from taizhang.repo.files import state_dir

    try:
        return state_dir(root)
    except OSError:
        return None  # a read-only checkout: no cache


def _entry_key(raw: bytes, context: str | None) -> str:
    h = hashlib.blake2b(raw, digest_size=20)
    h.update((context or "").encode())
    return h.hexdigest()


def _folder(state: Path) -> Path:
    return state / "cache" / "views"


def _entry(state: Path, name: str) -> Path:
    return _folder(state) / ("ledgers__" + name + ".json")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _note(note) -> list | None:
    return [_iso(note.date), note.by, note.text] if note is not None else None


def _note_view(row: list) -> NoteView:
    return NoteView(_day(row[0]), row[1], row[2])


def _store_context(state: Path, context: str | None, title: str | None, lang: str) -> None:
    """What a view needs of the settings, for runs that will not read them."""
    write_entry(_folder(state) / "_context.json",
                seal(json.dumps({"key": context, "title": title, "lang": lang}, ensure_ascii=False).encode("utf-8")))


def _load_context(state: Path, context: str) -> dict | None:
    try:
        with open(_folder(state) / "_context.json", "rb") as handle:
            content = unseal(handle.read())
        if content is None:
            return None
        known = json.loads(content)
        if known.get("key") != context or not isinstance(known.get("lang"), str):
            return None
        return {"title": known.get("title"), "lang": known["lang"]}
    except (OSError, ValueError, AttributeError):
        return None


def _store(state: Path, name: str, key: str, project: ProjectView, findings: list[Finding]) -> None:
    """A line of the head's digest; the head (key, project, counts, findings, and each part's
    digest); then one line of rows per light. Every line is checked before it is used."""
    by_light: dict[str, list] = {light: [] for light in ALL_LIGHTS}
    for position, i in enumerate(project.items):
        by_light[i.light].append(
            [position, i.id, i.title, i.kind, i.unit, i.owner, i.leader, _iso(i.due), i.days_left,
             _iso(i.closed_on), i.number, _note(i.last_note), i.stale, _iso(i.start), i.measures,
             i.closed_by, i.close_note, i.evidence, [_note(n) for n in i.recent_notes],
             list(i.units), [list(c) for c in i.changes], i.pending, i.quantity, _iso(i.planned_due)])
    try:
        # JSON never holds a raw newline inside a value: a line is a part.
        parts = [json.dumps(by_light[light], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                 for light in ALL_LIGHTS]
        head = {"key": key,
                "project": [project.code, project.name, project.unit, project.leader, project.owner,
                            project.program],
                "counts": [project.tally.counts[light] for light in ALL_LIGHTS],
                "invest": [str(x) if x is not None else None for x in project.invest] if project.invest else None,
                "digests": [digest(part) for part in parts],
                "stale": project.stale_lights,
                "findings": [[f.code, f.item, f.key, f.args, f.severity] for f in findings]}
        head_line = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return
    write_entry(_entry(state, name), b"\n".join([digest(head_line).encode("ascii"), head_line, *parts]))


def _load(state: Path, name: str, key: str, relight: Callable[[Sequence[str] | None], list[ItemView]]
          ) -> tuple[ProjectView, list[Finding]] | None:
    try:
        with open(_entry(state, name), "rb") as handle:
            check, *parts = handle.read().split(b"\n")
        if len(parts) != 1 + len(ALL_LIGHTS) or check != digest(parts[0]).encode("ascii"):
            return None
        head = json.loads(parts[0])
        if head.get("key") != key:
            return None
        code, name, unit, leader, owner, program = head["project"]
        counts = head["counts"]
        if len(counts) != len(ALL_LIGHTS) or not all(type(n) is int for n in counts):
            return None
        digests = head["digests"]
        if len(digests) != len(ALL_LIGHTS):
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
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        return None  # missing or corrupt: light the ledger again
    tally = Tally(dict(zip(ALL_LIGHTS, counts)))
    return ProjectView(code, name, unit, leader, owner, program, None, tally,
                       rows=_Rows(code, name, parts, digests, relight), invest=invest, stale_lights=stale), findings


class _Rows:
    """Builds a cached project's items of some lights, decoding only those lines."""

    __slots__ = ("code", "name", "parts", "digests", "relight")

    def __init__(self, code: str, name: str, parts: list[bytes], digests: list[str],
                 relight: Callable[[Sequence[str] | None], list[ItemView]]) -> None:
        self.code, self.name, self.parts, self.digests, self.relight = code, name, parts, digests, relight

    def __call__(self, lights: Sequence[str] | None) -> list[ItemView]:
        try:
            return self._decode(lights)
        except (ValueError, TypeError, IndexError, AttributeError):
            return self.relight(lights)  # an entry damaged inside a line: light the ledger again

    def _decode(self, lights: Sequence[str] | None) -> list[ItemView]:
        wanted = ALL_LIGHTS if lights is None else [light for light in ALL_LIGHTS if light in lights]
        code, name, rows = self.code, self.name, []
        for light in wanted:
            raw = self.parts[1 + ALL_LIGHTS.index(light)]
            if digest(raw) != self.digests[ALL_LIGHTS.index(light)]:
                raise ValueError("a damaged line")  # (damage of the same length included)
            part = json.loads(raw)
            for r in part:
                r.append(light)
            rows.extend(part)
        if len(wanted) > 1:
            rows.sort(key=_POSITION)
        return [ItemView(r[1], code, name, r[2], r[3], r[4], r[5], r[6], _day(r[7]), r[24], r[8],
                         _day(r[9]), r[10], _note_view(r[11]) if r[11] else None, r[12], _day(r[13]),
                         r[14], r[15], r[16], r[17], [_note_view(n) for n in r[18]] if r[18] else (),
                         r[19], r[20], r[21], r[22], _day(r[23]))
                for r in rows]
