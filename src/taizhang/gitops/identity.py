"""Who the clerk is, as git knows them: the name a close or a note records by default.

Apart from git.py so that `close` and `note` ask git one question without importing what commits,
merges and history need (~2–3 ms of a small write's start).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def user_name(root: Path) -> str | None:
    """git's user.name for this repository, if git is there and knows one."""
    try:
        result = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True,
                                encoding="utf-8", errors="replace")
    except OSError:
        return None
    name = result.stdout.strip()
    return name or None
