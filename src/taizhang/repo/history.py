"""What git remembers of a ledger that its working file may no longer hold.

SPEC §2: an item id is never reused, not even after the last item is deleted. The working file
alone cannot promise that: a clerk who deletes the last item and then adds one would give the
new item the deleted one's id, and a merge would then attach the other office's 销号 of the old
item to the new one. The copies git already has (HEAD's and the index's) still hold the deleted
item (one `git cat-file`); a deletion already committed is found in the file's history, whose
removed lines are read once (`git log -p -U0` of that file alone: its size is that of the
changes ever made to the ledger, not of its versions). That log is the costly part (a second
for 400 commits of a 2,000-item ledger): its answer is kept in the cache under the commit it was
read at, and read again only when HEAD has moved.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taizhang.repo.cache import Cache


def highest_committed_number(root: Path, path: Path, code: str, cache: "Cache | None" = None) -> int:
    """The highest n of an item id `CODE-n` in HEAD's and the index's copies of the ledger at
    `path` and in its history (0 when git has none: outside git, a new ledger, git not
    installed). `cache` keeps what the history says, by HEAD's commit (a sealed entry)."""
    relative = path.relative_to(root).as_posix()
    names = f"HEAD\nHEAD:./{relative}\n:./{relative}\n"
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=names.encode("utf-8"),
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return 0
    if done.returncode != 0:
        return 0
    objects = _batch_objects(done.stdout)
    if objects is None or len(objects) != 3:
        return 0
    head = objects[0]
    pattern = re.compile(rb"\bid:\s*['\"]?" + re.escape(code.encode("ascii")) + rb"-(\d+)\b")
    highest = max((int(n) for found in objects[1:] if found is not None for n in pattern.findall(found[1])),
                  default=0)
    if head is None:
        return highest  # (no commit yet: no history)
    name = "history__" + relative.replace("/", "__") + ".json"
    key = {"head": head[0], "code": code}
    if cache is not None:
        stored = _stored(cache.read(name), key)
        if stored is not None:
            return max(highest, stored)
    removed = _highest_removed(root, relative, pattern)
    if cache is not None and removed >= 0:
        cache.write(name, json.dumps({**key, "removed": removed}).encode("utf-8"))
    return max(highest, removed)


def _stored(content: bytes | None, key: dict) -> int | None:
    try:
        entry = json.loads(content) if content is not None else None
    except ValueError:
        return None
    if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in key.items()) \
            or type(entry.get("removed")) is not int:
        return None
    return entry["removed"]


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


def _highest_removed(root: Path, relative: str, pattern: re.Pattern[bytes]) -> int:
    """The highest id number on a line the ledger's history ever removed (an item deleted and
    committed so), 0 where git has no history of the file; -1 where git could not say (not
    remembered)."""
    try:
        done = subprocess.run(["git", "log", "--format=", "-p", "-U0", "--no-color", "--no-ext-diff",
                               "--no-renames", "--", relative], cwd=root, capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return -1
    if done.returncode != 0:
        return -1
    removed = b"\n".join(line for line in done.stdout.split(b"\n") if line.startswith(b"-") and b"id:" in line)
    return max((int(n) for n in pattern.findall(removed)), default=0)
