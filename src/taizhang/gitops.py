"""git: who the user is, and committing exactly the files a command changed."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", errors="replace")


def user_name(root: Path) -> str | None:
    """git's user.name for this repository, if git is there and knows one."""
    try:
        result = _git(root, "config", "user.name")
    except OSError:
        return None
    name = result.stdout.strip()
    return name or None


def in_git(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except OSError:
        return False


def commit(root: Path, paths: list[Path], message: str) -> bool:
    """Commit `paths` (and nothing else that is staged) with `message`. False outside git."""
    if not in_git(root):
        return False
    rel = [str(p.resolve().relative_to(root.resolve())) for p in paths]
    added = _git(root, "add", "--", *rel)
    if added.returncode != 0:
        raise RuntimeError(added.stderr.strip())
    done = _git(root, "commit", "--quiet", "--only", "-m", message, "--", *rel)
    if done.returncode != 0 and "nothing to commit" not in done.stdout + done.stderr:
        raise RuntimeError(done.stderr.strip() or done.stdout.strip())
    return True
