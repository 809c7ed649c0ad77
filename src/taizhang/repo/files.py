"""Writing inside a repository: machine-local state, locks, and all-or-nothing replacement."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from taizhang.errors import Problem, TaizhangError


def state_dir(root: Path) -> Path:
    """Machine-local state (locks, temporary files) kept out of `ledgers/` and out of git."""
    folder = root / ".taizhang"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # A folder that ignores itself: git never sees it, and the user's .gitignore stays theirs.
        ignore.write_text("*\n", encoding="utf-8")
    return folder


@contextmanager
def locked(root: Path, name: str, timeout: float = 60.0) -> Iterator[None]:
    """Serialise writers of one ledger across processes. The OS drops the lock if a process dies."""
    from filelock import FileLock, Timeout

    lock_dir = state_dir(root) / "locks"
    lock_dir.mkdir(exist_ok=True)
    lock = FileLock(str(lock_dir / f"{name}.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise TaizhangError(Problem("", 0, 0, "lock_timeout", {"name": name})) from None
    try:
        yield
    finally:
        lock.release()


def atomic_write(root: Path, path: Path, data: bytes) -> None:
    """Replace `path` with `data`: the old file or the new one, never a torn one. Keeps the mode."""
    tmp_dir = state_dir(root) / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    _clean_orphans(tmp_dir, path.name)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        # A new file gets the mode any file the clerk makes gets (0644 under umask 022), not
        # the 0600 of the temporary file it is written as.
        mode = 0o666 & ~_umask()
    tmp = _synced_copy(tmp_dir, path.name + ".", data, mode)
    try:
        try:
            os.replace(tmp, path)
        except OSError:
            # .taizhang/ on another filesystem than ledgers/ (a mount): rename within the folder.
            os.unlink(tmp)
            tmp = _synced_copy(path.parent, "." + path.name + ".", data, mode)
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def replace_in_place(target: Path, data: bytes) -> None:
    """Replace a file outside the repository's own folders (git's temporary OURS file) the same
    way: a synced temporary file beside it, renamed over it, the mode kept."""
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = None
    tmp = _synced_copy(target.parent, ".taizhang-", data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _synced_copy(folder: Path, prefix: str, data: bytes, mode: int | None) -> str:
    """A temporary file in `folder` holding `data`, flushed to disk, with `mode`."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(name, mode)
    except BaseException:
        os.unlink(name)
        raise
    return name


def _umask() -> int:
    """The process's umask. Linux shows it in /proc; elsewhere it is read by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _clean_orphans(tmp_dir: Path, name: str) -> None:
    # Called under the ledger's lock: any temporary file of this ledger is a crashed writer's.
    for orphan in tmp_dir.glob(name + ".*.tmp"):
        try:
            orphan.unlink()
        except OSError:
            pass


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory; NTFS journals the rename itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
