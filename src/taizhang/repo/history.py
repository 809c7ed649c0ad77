"""What git remembers of a ledger that its working file may no longer hold.

SPEC §2: an item id is never reused, not even after the last item is deleted. The working file
alone cannot promise that: a clerk who deletes the last item and then adds one would give the
new item the deleted one's id, and a merge would then attach the other office's 销号 of the old
item to the new one. The copies git already has (HEAD's and the index's) still hold the deleted
item (one `git cat-file`); a deletion already committed is found in the file's history, whose
removed lines are read (`git log -p -U0` of that file alone: its size is that of the changes
ever made to the ledger, not of its versions). Every commit HEAD descends from counts, a merge
against each of its parents (an item a merge's resolution dropped is removed there), so the
answer is a union over commits: HEAD's is the answer kept for an ancestor of HEAD together
with the commits since. It is kept in the cache under the commit it was read at; when HEAD
moves on from there only the new commits are read, and the whole history again when HEAD no
longer descends from it (a reset, a rebase, another branch).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from taizhang.errors import Problem

if TYPE_CHECKING:
    from taizhang.repo.cache import Cache

# What an entry's number is (the removed lines of every commit, merges against each parent):
# an entry of another reading is not believed.
_READING = 2
HISTORY_TIMEOUT = 60  # seconds git may take to read a ledger's history


class Committed(NamedTuple):
    """The highest item number git's copies and history of a ledger used; `unread` says, as a
    warning, that the history could not be read (`number` is then the copies' alone)."""

    number: int
    unread: Problem | None = None


def highest_committed_number(root: Path, path: Path, code: str, cache: "Cache | None" = None) -> Committed:
    """The highest n of an item id `CODE-n` in HEAD's and the index's copies of the ledger at
    `path` and in its history (0 when git has none: outside git, a new ledger, git not
    installed). `cache` keeps what the history says, by the commit it was read at (a sealed
    entry)."""
    relative = path.relative_to(root).as_posix()
    names = f"HEAD\nHEAD:./{relative}\n:./{relative}\n"
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=names.encode("utf-8"),
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return Committed(0)
    if done.returncode != 0:
        return Committed(0)
    objects = _batch_objects(done.stdout)
    if objects is None or len(objects) != 3:
        return Committed(0)
    head = objects[0]
    pattern = re.compile(rb"\bid:\s*['\"]?" + re.escape(code.encode("ascii")) + rb"-(\d+)\b")
    highest = max((int(n) for found in objects[1:] if found is not None for n in pattern.findall(found[1])),
                  default=0)
    if head is None:
        return Committed(highest)  # (no commit yet: no history)
    name = "history__" + relative.replace("/", "__") + ".json"
    kept = _stored(cache.read(name), code) if cache is not None else None
    if kept is not None and kept[0] == head[0]:
        return Committed(max(highest, kept[1]))
    since = kept if kept is not None and _is_ancestor(root, kept[0], head[0]) else None
    removed = _highest_removed(root, relative, pattern, head[0], since[0] if since else None)
    if isinstance(removed, str):
        return Committed(highest, Problem(relative, 0, 0, "history_unread", {"reason": removed}, "warning"))
    if since is not None:
        removed = max(removed, since[1])
    if cache is not None:
        entry = {"reading": _READING, "code": code, "commit": head[0], "removed": removed}
        cache.write(name, json.dumps(entry).encode("utf-8"))
    return Committed(max(highest, removed))


def _stored(content: bytes | None, code: str) -> tuple[str, int] | None:
    """(the commit, the highest removed number) an entry holds for `code`, or None."""
    try:
        entry = json.loads(content) if content is not None else None
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("reading") != _READING or entry.get("code") != code \
            or type(entry.get("removed")) is not int or not isinstance(entry.get("commit"), str) \
            or not re.fullmatch(r"[0-9a-f]{40,64}", entry["commit"]):
        return None
    return entry["commit"], entry["removed"]


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    """Whether HEAD's commit `new` descends from `old` (False where git cannot say: an old
    commit gone with a garbage collection after a reset)."""
    try:
        return subprocess.run(["git", "merge-base", "--is-ancestor", old, new], cwd=root, capture_output=True,
                              timeout=30, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _batch_objects(out: bytes) -> list[tuple[str, bytes] | None] | None:
    """`git cat-file --batch`'s answers: (object name, content) each, None for one missing; None
    when the output is not as git writes it."""
    objects: list[tuple[str, bytes] | None] = []
    at = 0
    while at < len(out):
        end = out.find(b"\n", at)
        if end < 0:
            return None
        header = out[at:end].split(b" ")
        if header[-1] == b"missing" or header[-1] == b"ambiguous":
            objects.append(None)
            at = end + 1
            continue
        if len(header) != 3 or not header[2].isdigit():
            return None
        size = int(header[2])
        objects.append((header[0].decode("ascii", "replace"), out[end + 1:end + 1 + size]))
        at = end + 1 + size + 1  # (each content is followed by a line break)
    return objects


def _highest_removed(root: Path, relative: str, pattern: re.Pattern[bytes], head: str,
                     since: str | None) -> int | str:
    """The highest id number on a line the ledger's history removed (an item deleted and
    committed so), 0 where it removed none: in every commit `head` descends from, or only in
    those `since` (an ancestor) does not. Where git could not say, why (a few words of git's)."""
    # --full-history: no side branch is passed over (a merge that took one parent's file whole
    # still had the other's deletions behind it); -m: a merge against each parent.
    try:
        done = subprocess.run(["git", "log", "--format=", "-p", "-m", "-U0", "--full-history", "--no-color",
                               "--no-ext-diff", "--no-renames", f"{since}..{head}" if since else head,
                               "--", relative], cwd=root, capture_output=True, timeout=HISTORY_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"git log > {HISTORY_TIMEOUT} s"
    except (OSError, subprocess.SubprocessError) as e:
        return type(e).__name__
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[0][:200] if lines else f"git log: exit {done.returncode}"
    removed = b"\n".join(line for line in done.stdout.split(b"\n") if line.startswith(b"-") and b"id:" in line)
    return max((int(n) for n in pattern.findall(removed)), default=0)
