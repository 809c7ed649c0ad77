"""Locks between processes, one file per lock (`.taizhang/locks/CODE.lock`).

Where the OS has `flock` (Linux, Kylin, UOS, macOS) the lock is taken with it directly, and the OS
drops it when the process holding it dies. That is what the filelock library does there too (it
keeps the file in place and flocks it), so a taizhang that locks through filelock and one that
locks here exclude each other. Importing filelock costs 10–15 ms of the ~0.09 s a small `add`
takes, so it is imported only where it is needed: on Windows (its msvcrt locks), and on a file
system whose `flock` fails with ENOSYS (filelock's soft lock, a marker file it removes on release).
"""

from __future__ import annotations

import errno
import os
import time
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_POLL = 0.05  # seconds between tries of a lock another process holds (filelock's default)
_CONTENDED = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})  # (EACCES: some NFS)
# Not a symlink (a link committed under .taizhang/ must not make files elsewhere), and no wait in
# open() itself (a FIFO, a lease); as filelock opens it.
_OPEN = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class LockTimeout(Exception):
    """The lock was not had within the time given: another process holds it."""


class Lock:
    """One held lock; `release()` lets it go (closing the file also would)."""

    def __init__(self, fd: int | None, fallback: Any = None) -> None:
        self._fd = fd
        self._fallback = fallback

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        elif self._fallback is not None:
            fallback, self._fallback = self._fallback, None
            fallback.release()


def acquire(path: str, timeout: float) -> Lock:
    """The lock of `path` (created if missing), waiting up to `timeout` seconds (0 or less: one
    try). Raises LockTimeout, or OSError where the file cannot be made or locked."""
    if fcntl is None:
        return acquire_with_filelock(path, max(timeout, 0))
    deadline = time.monotonic() + timeout
    while True:
        fd, created = _open(path)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as e:
                    if e.errno == errno.ENOSYS:
                        # No flock here: filelock's soft lock, which takes an empty file for a
                        # live holder's marker, so the file made just now goes first.
                        if created:
                            _remove_if_same(path, fd)
                        os.close(fd)
                        fd = -1
                        return acquire_with_filelock(path, max(deadline - time.monotonic(), 0))
                    if e.errno not in _CONTENDED:
                        raise
                else:
                    if _still_there(path, fd):
                        return Lock(fd)
                    # The file was removed (or replaced) while this waited for it: a writer that
                    # came meanwhile locks the file there now, so this must lock that one too.
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    break
                if time.monotonic() >= deadline:
                    raise LockTimeout(path)
                time.sleep(_POLL)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            raise
        os.close(fd)


def _open(path: str) -> tuple[int, bool]:
    """The lock file opened, and whether this made it."""
    for _ in range(100):
        try:
            return os.open(path, _OPEN), False
        except FileNotFoundError:
            pass
        try:
            return os.open(path, _OPEN | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            pass  # made meanwhile by another writer: open that one
    raise OSError(errno.EAGAIN, "the lock file keeps disappearing", path)


def _still_there(path: str, fd: int) -> bool:
    """Whether the file locked through `fd` is still the one at `path`."""
    held = os.fstat(fd)
    if held.st_nlink == 0:
        return False
    try:
        return os.path.samestat(held, os.stat(path))
    except FileNotFoundError:
        return False


def _remove_if_same(path: str, fd: int) -> None:
    try:
        if os.path.samestat(os.fstat(fd), os.stat(path)):
            os.unlink(path)
    except OSError:
        pass


def acquire_with_filelock(path: str, timeout: float) -> Lock:
    """The lock of `path` through filelock (Windows, or no flock)."""
    import warnings

    from filelock import FileLock, Timeout

    lock = FileLock(path)
    try:
        with warnings.catch_warnings():
            # ("flock not supported on this filesystem, falling back to SoftFileLock": a Python
            # warning on the clerk's terminal says nothing they can act on; the lock holds.)
            warnings.filterwarnings("ignore", category=UserWarning, module="filelock")
            lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeout(path) from None
    return Lock(None, lock)
