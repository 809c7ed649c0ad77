"""The second cache level, for `status`: each ledger's items already lit.

A light is a pure function of the ledger's content, the as-of day, the settings and the
repository's calendars (status.evaluate). So the lit rows of a ledger are kept under a key made
of all four (and the tool's version): a command on the same day, with nothing changed, reads the
rows back instead of validating the ledger and planning it again. Anything that changes one of
the four changes the key. Entries live beside the read cache in `.taizhang/cache/`; the tests
compare every view with and without the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .calendars import YearDays
from .models import Settings
from .status import Finding, ItemView, NoteView, ProjectView, evaluate, tally_of
from .store import Repo, _read_ledger, _rel, open_repo

FORMAT = 1


def context_key(as_of: date, settings: Settings, extra: YearDays) -> str:
    """Everything besides a ledger's own content that its lights depend on."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{FORMAT}|{as_of.isoformat()}|".encode())
    h.update(settings.model_dump_json().encode())
    for days in (extra.days_off, extra.work_days):
        h.update(("|" + ",".join(sorted(d.isoformat() for d in days))).encode())
    h.update(("|" + ",".join(str(y) for y in sorted(extra.full_years))).encode())
    return h.hexdigest()


def lit_projects(root: Path, codes: Iterable[str] | None, as_of: date, *,
                 use_cache: bool = True) -> tuple[Repo, list[ProjectView], list[Finding]]:
    """Every ledger's project and items lit on `as_of`, as status.evaluate gives them, with the
    repository (settings, problems) and the plan's findings."""
    from . import cache

    repo, paths, state = open_repo(root, codes, use_cache=use_cache)
    context = context_key(as_of, repo.settings, repo.extra)
    projects: list[ProjectView] = []
    findings: list[Finding] = []
    for path in paths:
        raw = path.read_bytes()
        repo.files += 1
        rel = _rel(root, path)
        key = hashlib.blake2b((cache.cache_key(raw, repo.settings.year) + context).encode(),
                              digest_size=20).hexdigest() if state is not None else ""
        hit = _load(state, rel, key) if state is not None else None
        if hit is not None:
            project, found = hit
            projects.append(project)
            findings.extend(found)
            continue
        ledger, problems = _read_ledger(root, path, repo.settings, state, raw)
        repo.problems.extend(problems)
        if ledger is None:
            continue
        found: list[Finding] = []
        [project] = evaluate([ledger], as_of, repo.settings, repo.extra, found)
        projects.append(project)
        findings.extend(found)
        if state is not None and not any(p.is_error for p in problems):
            _store(state, rel, key, project, found)
    return repo, projects, findings


def _entry(state: Path, rel: str) -> Path:
    return state / "cache" / "views" / (rel.replace("/", "__") + ".json")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _store(state: Path, rel: str, key: str, project: ProjectView, findings: list[Finding]) -> None:
    rows = [[i.id, i.title, i.kind, i.unit, i.owner, i.leader, _iso(i.due), i.light, i.days_left,
             _iso(i.closed_on), i.number,
             [_iso(i.last_note.date), i.last_note.by, i.last_note.text] if i.last_note is not None else None,
             i.stale, _iso(i.start)] for i in project.items]
    entry = {"key": key,
             "project": [project.code, project.name, project.unit, project.leader, project.owner, project.program],
             "findings": [[f.code, f.item, f.key, f.args, f.severity] for f in findings], "items": rows}
    path = _entry(state, rel)
    try:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written is no error


def _load(state: Path, rel: str, key: str) -> tuple[ProjectView, list[Finding]] | None:
    try:
        with open(_entry(state, rel), "rb") as handle:
            entry = json.loads(handle.read())
        if entry.get("key") != key:
            return None
        code, name, unit, leader, owner, program = entry["project"]
        items = [ItemView(r[0], code, name, r[1], r[2], r[3], r[4], r[5], _day(r[6]), r[7], r[8],
                          _day(r[9]), r[10], NoteView(_day(r[11][0]), r[11][1], r[11][2]) if r[11] else None,
                          r[12], _day(r[13])) for r in entry["items"]]
        findings = [Finding(*f) for f in entry["findings"]]
        return ProjectView(code, name, unit, leader, owner, program, items, tally_of(items)), findings
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # missing or corrupt: light the ledger again
