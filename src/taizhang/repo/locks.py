"""Locks between processes, one file per lock (`.taizhang/locks/CODE.lock`), dropped by the OS
when the process holding it dies.

Where the OS has `flock` (Linux, Kylin, UOS, macOS) the lock is taken with it directly; that is
what the filelock library does there too (it keeps the file in place and flocks it), so a
taizhang that locks through filelock and one that locks here exclude each other. Importing
filelock costs 10–15 ms of the ~0.1 s a small `add` takes, so it is imported only where it is
needed: on Windows (its msvcrt locks), and on a file system without `flock` (its soft locks).
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
_NO_FLOCK = frozenset({errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})


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
    """The lock of `path` (created if missing), waiting up to `timeout` seconds (0: one try).
    Raises LockTimeout, or OSError where the file cannot be made or locked."""
    if fcntl is None:
        return acquire_with_filelock(path, timeout)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return Lock(fd)
            except OSError as e:
                if e.errno in _NO_FLOCK:
                    os.close(fd)
                    fd = -1
                    return acquire_with_filelock(path, timeout)
                if e.errno not in _CONTENDED:
                    raise
            if time.monotonic() >= deadline:
                raise LockTimeout(path)
            time.sleep(_POLL)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def acquire_with_filelock(path: str, timeout: float) -> Lock:
    """The lock of `path` through filelock (Windows, or no flock)."""
    from filelock import FileLock, Timeout

    lock = FileLock(path)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeout(path) from None
    return Lock(None, lock)
