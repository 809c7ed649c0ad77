"""What git remembers of a ledger that its working file may no longer hold.

SPEC §2: an item id is never reused, not even after the last item is deleted. The working file
alone cannot promise that: a clerk who deletes the last item and then adds one would give the
new item the deleted one's id, and a merge would then attach the other office's 销号 of the old
item to the new one. The copies git already has (HEAD's and the index's) still hold the deleted
item (one `git cat-file`); a deletion already committed is found in the file's history, whose
removed lines are read once (`git log -p -U0` of that file alone: its size is that of the
changes ever made to the ledger, not of its versions).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def highest_committed_number(root: Path, path: Path, code: str) -> int:
    """The highest n of an item id `CODE-n` in HEAD's and the index's copies of the ledger at
    `path` (0 when git has none: outside git, a new ledger, git not installed)."""
    relative = path.relative_to(root).as_posix()
    names = f"HEAD:./{relative}\n:./{relative}\n"
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=names.encode("utf-8"),
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return 0
    if done.returncode != 0:
        return 0
    pattern = re.compile(rb"\bid:\s*['\"]?" + re.escape(code.encode("ascii")) + rb"-(\d+)\b")
    highest = max((int(n) for n in pattern.findall(done.stdout)), default=0)
    return max(highest, _highest_removed(root, relative, pattern))


def _highest_removed(root: Path, relative: str, pattern: re.Pattern[bytes]) -> int:
    """The highest id number on a line the ledger's history ever removed (an item deleted and
    committed so), 0 where git has no history of the file."""
    try:
        done = subprocess.run(["git", "log", "--format=", "-p", "-U0", "--no-color", "--no-ext-diff",
                               "--no-renames", "--", relative], cwd=root, capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return 0
    if done.returncode != 0:
        return 0
    removed = b"\n".join(line for line in done.stdout.split(b"\n") if line.startswith(b"-") and b"id:" in line)
    return max((int(n) for n in pattern.findall(removed)), default=0)
