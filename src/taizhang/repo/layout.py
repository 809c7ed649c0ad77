"""Where a repository keeps things: the settings file, the ledgers, the calendars, and which
names are codes and ids. Nothing here reads YAML or loads a model, so the fast paths (a warm
`status`, `--help`) can use it.

It is also the one place that says which files may be read at all (SPEC §9: "data is read only
from regular files inside the repository"): every listing and every path handed to a reader or a
writer passes `file_problem`, which looks with `lstat` before anything is opened. A symlink would
be read through to a file outside the repository (and replaced by a write); a FIFO would make
the reader wait forever for a writer; a device is not data. Each is an error naming the file,
never read, never skipped in silence.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from taizhang.domain.ids import check_code, is_code, is_reserved_name
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.i18n import os_reason

SETTINGS_FILE = "taizhang.yaml"
NOTICES_FILE = "notices.yaml"  # the 督办通知单 issued (repo.notices)
LEDGER_DIR = "ledgers"
CALENDAR_DIR = "calendars"
_SUFFIXES = (".yaml", ".yml")


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `taizhang.yaml` or `ledgers/`. (A
    `taizhang.yaml` of any kind marks the root, so that a FIFO or link there is reported.)"""
    start = start.resolve()
    for folder in (start, *start.parents):
        if os.path.lexists(folder / SETTINGS_FILE) or (folder / LEDGER_DIR).is_dir():
            return folder
    return None


def file_problem(root: Path, path: Path) -> Problem | None:
    """What forbids reading `path` (None: a regular file, or nothing there): the one rule on
    the kind of every file the repository reads or writes. Looks with `lstat`, never opens."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:  # a name too long, a folder that is a file…
        return Problem(rel_path(root, path), 1, 1, "file_unreadable", {"detail": os_reason(e)})
    if stat.S_ISLNK(mode):
        return Problem(rel_path(root, path), 1, 1, "file_symlink", {})
    if stat.S_ISDIR(mode):
        return Problem(rel_path(root, path), 1, 1, "file_is_folder", {})
    if not stat.S_ISREG(mode):
        return Problem(rel_path(root, path), 1, 1, "file_not_regular", {})
    return None


def _folder_problem(root: Path, name: str) -> Problem | None:
    """`ledgers/` or `calendars/` when it is a link leading out of the repository."""
    folder = root / name
    if folder.is_symlink():
        try:
            folder.resolve().relative_to(root.resolve())
        except (ValueError, OSError):
            return Problem(name, 1, 1, "folder_outside", {})
    return None


def settings_file(root: Path) -> tuple[Path | None, list[Problem]]:
    """`taizhang.yaml` if it is there to be read, and what forbids reading it."""
    path = root / SETTINGS_FILE
    problem = file_problem(root, path)
    if problem is not None:
        return None, [problem]
    return (path if path.exists() else None), []


def ledger_listing(root: Path) -> tuple[list[Path], list[Problem]]:
    """The ledger files to read, and the problems of those that may not be read: a file that
    `file_problem` forbids, a code Windows reserves, a second file for one code (`YT2.yml`
    beside `YT2.yaml`: the `.yaml` is read, the other is an error, so nothing counts twice)."""
    paths, problems = _listing(root, LEDGER_DIR)
    by_code: dict[str, list[Path]] = {}
    for path in paths:
        by_code.setdefault(path.stem, []).append(path)
    readable: list[Path] = []
    for path in paths:
        first = min(by_code[path.stem], key=lambda p: (p.suffix != ".yaml", p.name))
        if path != first:
            problems.append(Problem(rel_path(root, path), 1, 1, "file_same_code",
                                    {"code": path.stem, "other": rel_path(root, first)}))
            continue
        problem = file_problem(root, path)
        if problem is None and is_reserved_name(path.stem):
            problem = Problem(rel_path(root, path), 1, 1, "file_name_reserved", {"stem": path.stem})
        if problem is not None:
            problems.append(problem)
        else:
            readable.append(path)
    return readable, sorted(problems, key=Problem.sort_key)


def calendar_listing(root: Path) -> tuple[list[Path], list[Problem]]:
    """The repository's `calendars/*.yaml` to read, in order, and those that may not be read."""
    paths, problems = _listing(root, CALENDAR_DIR)
    readable: list[Path] = []
    for path in paths:
        problem = file_problem(root, path)
        if problem is not None:
            problems.append(problem)
        else:
            readable.append(path)
    return readable, sorted(problems, key=Problem.sort_key)


def ledger_files(root: Path) -> list[Path]:
    """The ledger files that may be read (`ledger_listing` says why others may not)."""
    return ledger_listing(root)[0]


def calendar_files(root: Path) -> list[Path]:
    """The repository's `calendars/*.yaml` that may be read, in the order they are read."""
    return calendar_listing(root)[0]


def _listing(root: Path, name: str) -> tuple[list[Path], list[Problem]]:
    """The `.yaml`/`.yml` entries of a folder of any kind but folders (a folder so named is not
    a file), not hidden (a macOS `._x.yaml`), not `x.yaml.bak`."""
    problem = _folder_problem(root, name)
    if problem is not None:
        return [], [problem]
    folder = root / name
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    except OSError as e:
        return [], [Problem(name, 1, 1, "file_unreadable", {"detail": os_reason(e)})]
    paths = []
    for entry in entries:
        if entry.name.startswith(".") or os.path.splitext(entry.name)[1] not in _SUFFIXES:
            continue
        if entry.is_dir(follow_symlinks=False):
            continue
        paths.append(folder / entry.name)
    return paths, []


def rel_path(root: Path, path: Path) -> str:
    """`path` relative to the repository root, with forward slashes (as problems name it). The
    file itself is not resolved: a link is named where it stands, not where it leads."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def ledger_path(root: Path, code: str) -> Path:
    """`ledgers/<code>.yaml` of an existing project, refusing codes that are not codes (and so
    never a path elsewhere) and a file that may not be read or written (`ledger_listing`)."""
    if not is_code(code):
        raise input_error("bad_code", code=code)
    folder_problem = _folder_problem(root, LEDGER_DIR)
    if folder_problem is not None:
        raise TaizhangError(folder_problem)
    path = root / LEDGER_DIR / f"{code}.yaml"
    problem = file_problem(root, path)
    if problem is not None:
        raise TaizhangError(problem)
    if not path.exists():
        raise input_error("unknown_project", code=code)
    if is_reserved_name(code):
        raise TaizhangError(Problem(rel_path(root, path), 1, 1, "file_name_reserved", {"stem": code}))
    other = path.with_suffix(".yml")
    if os.path.lexists(other):
        raise TaizhangError(Problem(rel_path(root, other), 1, 1, "file_same_code",
                                    {"code": code, "other": rel_path(root, path)}))
    return path


def new_ledger_path(root: Path, code: str) -> Path:
    """Where a new project's ledger goes, refusing a code that is taken by a file of any kind
    (a dangling link too: writing there would write through it) under either suffix."""
    check_code(code)
    folder_problem = _folder_problem(root, LEDGER_DIR)
    if folder_problem is not None:
        raise TaizhangError(folder_problem)
    path = root / LEDGER_DIR / f"{code}.yaml"
    for taken in (path, path.with_suffix(".yml")):
        if os.path.lexists(taken):
            raise input_error("project_exists", code=code, path=rel_path(root, taken))
    return path
