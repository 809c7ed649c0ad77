"""Where a repository keeps things: the settings file, the ledgers, the calendars, and which
names are codes and ids. Nothing here reads YAML or loads a model, so the fast paths (a warm
`status`, `--help`) can use it."""

from __future__ import annotations

from pathlib import Path

from taizhang.domain.ids import is_code
from taizhang.errors import input_error

SETTINGS_FILE = "taizhang.yaml"
LEDGER_DIR = "ledgers"
CALENDAR_DIR = "calendars"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `taizhang.yaml` or `ledgers/`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / LEDGER_DIR).is_dir():
            return folder
    return None


def ledger_files(root: Path) -> list[Path]:
    return _yaml_files(root / LEDGER_DIR)


def calendar_files(root: Path) -> list[Path]:
    """The repository's `calendars/*.yaml`, in the order they are read."""
    return _yaml_files(root / CALENDAR_DIR)


def _yaml_files(folder: Path) -> list[Path]:
    """The `.yaml`/`.yml` files of a folder: not a folder so named, not a hidden file (a
    macOS `._x.yaml`), not `x.yaml.bak`."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not p.name.startswith("."))


def rel_path(root: Path, path: Path) -> str:
    """`path` relative to the repository root, with forward slashes (as problems name it)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def ledger_path(root: Path, code: str) -> Path:
    """`ledgers/<code>.yaml`, refusing codes that are not codes (and so never a path elsewhere)."""
    if not is_code(code):
        raise input_error("bad_code", code=code)
    path = root / LEDGER_DIR / f"{code}.yaml"
    if not path.is_file():
        raise input_error("unknown_project", code=code)
    return path
