"""The version, in a module of its own so that caches can key on it without importing the API;
and the stamps of what else changes results without changing a repository's bytes."""

from __future__ import annotations

import os

__version__ = "0.1.0"


def holiday_data_stamp() -> str:
    """Which holiday data the working-day calendar has: a new chinese-calendar release (a new
    year's notice) changes the lights of workday projects."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("chinese_calendar")
        stat = os.stat(os.path.join(os.path.dirname(spec.origin), "constants.py"))  # type: ignore[union-attr,arg-type]
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except (ImportError, AttributeError, TypeError, ValueError, OSError):
        return "-"


def code_stamp() -> str:
    """The size and time of every module of taizhang as installed: an output kept by one build
    (repo/replay.py) is never shown by another, even at the same version (an editable install)."""
    parts = []
    stack = [os.path.dirname(os.path.abspath(__file__))]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                stack.append(entry.path)
            elif entry.name.endswith((".py", ".html", ".css", ".j2", ".svg")):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                parts.append(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)
