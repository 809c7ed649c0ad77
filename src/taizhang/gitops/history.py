"""The ledgers as they were committed on past days, read from git without checking anything out
(SPEC §7 "Trend"): what the office knew on each day a trend judges.

One `git log --first-parent` lists the commits that changed `ledgers/` with their commit days;
the snapshot of day D is the newest of them committed on or before D (first-parent: the line of
the branch as it was, not a day inside a merged branch). Each snapshot's files come from one
`git ls-tree`, and every blob any snapshot needs is read once, by one `git cat-file --batch`, and
parsed once however many snapshots share it: a year of weeks over 1,000 commits costs 53
ls-trees, one cat-file and as many parses as there are distinct ledger versions at period ends.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from taizhang.domain.calendars import NO_EXTRA, YearDays
from taizhang.domain.models import Item, Ledger, Settings
from taizhang.domain.trend import Trend, TrendBy, has_moves, spans, trend_point
from taizhang.errors import Problem, TaizhangError
from taizhang.i18n import os_reason
from taizhang.repo.cache import Cache
from taizhang.repo.layout import LEDGER_DIR
from taizhang.repo.load import parse_ledger
from taizhang.version import __version__

Progress = Callable[[int, int], None]  # (done, total) after each step


@dataclass
class Snapshot:
    """The ledgers committed on or before `day`: `commit` is None when none was yet."""

    day: date
    commit: str | None
    ledgers: list[Ledger] = field(default_factory=list)
    # Ledger files that could not be read in that commit (path and its first problem): a trend
    # leaves them out of that period and says so.
    broken: list[Problem] = field(default_factory=list)


def _git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, input=input)
    except OSError as e:
        raise TaizhangError(Problem("", 0, 0, "git_failed", {"detail": os_reason(e)})) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in detail:
            raise TaizhangError(Problem("", 0, 0, "git_not_repo", {"path": str(root)}))
        if any(text in detail for text in ("does not have any commits", "bad default revision",
                                           "unknown revision", "bad revision 'HEAD'")):
            return b""  # a repository without a commit yet: no history
        raise TaizhangError(Problem("", 0, 0, "git_failed", {"detail": detail}))
    return done.stdout


def ledger_commits(root: Path) -> list[tuple[str, date]]:
    """The first-parent commits of HEAD that changed `ledgers/`, newest first, with the day each
    was committed (in the committer's own time zone: the day the clerk saw on the office clock)."""
    out = _git(root, "log", "--first-parent", "--format=%H %cd", "--date=short", "HEAD", "--", f"{LEDGER_DIR}/")
    found = []
    for line in out.decode("ascii", "replace").splitlines():
        sha, _, day = line.partition(" ")
        if sha and day:
            found.append((sha, date.fromisoformat(day)))
    return found


def commit_on(commits: Sequence[tuple[str, date]], day: date) -> str | None:
    """The newest commit (first-parent order) committed on or before `day`; None before the first.
    Commit days may go backwards along a branch (a clock set wrong, a rebase): the walk is by
    the branch's order, so a later commit with an earlier day does not hide its predecessors."""
    for sha, when in commits:
        if when <= day:
            return sha
    return None


def snapshots(root: Path, days: Sequence[date], settings: Settings, progress: Progress | None = None,
              cache: Cache | None = None) -> list[Snapshot]:
    """The ledgers as last committed on or before each day in `days` (HEAD's first-parent history).
    With a cache, the ledger versions read are kept in one sealed entry (by blob id: git's own
    content hash), so the next trend over the same history parses only what is new."""
    commits = ledger_commits(root)
    chosen = [commit_on(commits, day) for day in days]
    distinct = list(dict.fromkeys(c for c in chosen if c is not None))
    total = len(distinct) + len(days)  # a step per tree listed, then per snapshot read
    trees: dict[str, list[tuple[str, str]]] = {}  # commit → [(blob, path)]
    for n, commit in enumerate(distinct, 1):
        trees[commit] = _ledger_blobs(root, commit)
        if progress:
            progress(n, total)
    blobs = _read_blobs(root, list(dict.fromkeys(blob for files in trees.values() for blob, _ in files)))
    parsed: dict[tuple[str, str], tuple[Ledger | None, Problem | None]] = {}
    known = _cached(cache, settings)
    used: dict[str, str] = {}
    result = []
    for day, sha in zip(days, chosen, strict=True):
        snap = Snapshot(day, sha)
        for blob, path in trees.get(sha, []) if sha else []:
            key = (blob, path)
            if key not in parsed:
                parsed[key] = _parsed(blob, path, blobs, settings, known, used)
            ledger, problem = parsed[key]
            if ledger is not None:
                snap.ledgers.append(ledger)
            elif problem is not None:
                snap.broken.append(problem)
        result.append(snap)
        if progress:
            progress(len(distinct) + len(result), total)
    if cache is not None and used != known:
        # Only the versions this trend used: the entry stays the size of one trend's history.
        cache.write(_CACHE_NAME, json.dumps({"version": _cache_context(settings), "ledgers": used},
                                            ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return result


_CACHE_NAME = "history.json"


def _cache_context(settings: Settings) -> str:
    return f"{__version__}|{settings.year}"


def _cached(cache: Cache | None, settings: Settings) -> dict[str, str]:
    """blob:path → the ledger's data as JSON, from the cache entry of the last trend."""
    content = cache.read(_CACHE_NAME) if cache is not None else None
    if content is None:
        return {}
    try:
        entry = json.loads(content)
        if entry.get("version") != _cache_context(settings) or not isinstance(entry.get("ledgers"), dict):
            return {}
        return {str(k): str(v) for k, v in entry["ledgers"].items()}
    except (ValueError, AttributeError):
        return {}  # corrupt: parse again


def _parsed(blob: str, path: str, blobs: dict[str, bytes], settings: Settings, known: dict[str, str],
            used: dict[str, str]) -> tuple[Ledger | None, Problem | None]:
    """One ledger version as a model, or the first error that keeps it out."""
    key = f"{blob}:{path}"
    data = known.get(key)
    if data is not None:
        try:
            used[key] = data
            return Ledger.model_validate_json(data, context={"year": settings.year}), None
        except ValueError:
            used.pop(key)
    loaded = parse_ledger(blobs[blob], path, settings)
    errors = [p for p in loaded.problems if p.is_error]
    if loaded.ledger is None or errors:
        return None, (errors[0] if errors else Problem(path, 1, 1, "empty_ledger"))
    try:
        used[key] = json.dumps(loaded.doc.data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        pass  # data JSON cannot hold (never the case for a valid file)
    return loaded.ledger, None


def _ledger_blobs(root: Path, commit: str) -> list[tuple[str, str]]:
    """(blob id, path relative to the repository root) of each ledger file in `commit`."""
    out = _git(root, "ls-tree", "-z", commit, "--", f"{LEDGER_DIR}/")
    found = []
    for entry in out.split(b"\x00"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        _mode, kind, blob = meta.split()
        path = name.decode("utf-8", "surrogateescape")
        # Only the files a repository reads as ledgers (layout.ledger_listing): YAML directly in ledgers/.
        if kind == b"blob" and path.endswith((".yaml", ".yml")) and path.count("/") == 1 \
                and not path.rsplit("/", 1)[1].startswith("."):
            found.append((blob.decode("ascii"), path))
    return sorted(found, key=lambda pair: pair[1])


def _read_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    """Every blob named, read by one `git cat-file --batch`."""
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", input="".join(b + "\n" for b in blobs).encode("ascii"))
    found: dict[str, bytes] = {}
    at = 0
    for blob in blobs:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[blob] = out[at:at + size]
            at += size + 1
        else:
            found[blob] = b""
    return found


def build_trend(root: Path, by: TrendBy, as_of: date, settings: Settings, extra: YearDays = NO_EXTRA, *,
                first: date | None = None, codes: Sequence[str] = (), progress: Progress | None = None,
                cache: Cache | None = None) -> Trend:
    """The trend from `first` (default: the first commit of the ledgers, but no earlier than 1
    January of the as-of year: investment counts from there) to `as_of`, one period per week or
    month, each judged on its last day from the ledgers as committed then."""
    commits = ledger_commits(root)
    if first is None:
        if not commits:
            raise TaizhangError(Problem("", 0, 0, "trend_no_history", {}))
        first = max(min(day for _, day in commits), date(as_of.year, 1, 1))
        first = min(first, as_of)
    if first > as_of:
        raise TaizhangError(Problem("", 0, 0, "trend_from_after", {"start": first.isoformat(), "end": as_of.isoformat()}))
    periods = spans(by, first, as_of)
    snaps = snapshots(root, [s.judged for s in periods], settings, progress, cache)
    wanted = set(codes)
    moves = has_moves(Item)
    points = []
    for span, snap in zip(periods, snaps, strict=True):
        ledgers = [ledger for ledger in snap.ledgers if not wanted or ledger.code in wanted]
        points.append(trend_point(span, snap.commit, ledgers, settings, extra, broken=len(snap.broken), moves=moves))
    return Trend(by, as_of, tuple(codes), points, settings.title)
