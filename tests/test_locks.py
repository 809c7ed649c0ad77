"""repo/locks.py: flock where the OS has it, filelock elsewhere, and the two exclude each other
(a taizhang locking through filelock and one locking here may run side by side)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
import warnings

import pytest

from taizhang.repo import locks

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX's")

HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1]); lock.acquire()
print("held", flush=True); sys.stdin.readline(); lock.release()
"""

HOLD_OURS = """
import sys
from taizhang.repo.locks import acquire
lock = acquire(sys.argv[1], 5)
print("held", flush=True); sys.stdin.readline(); lock.release()
"""


def _holder(script: str, path: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", script, path], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _let_go(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(timeout=30) == 0


def test_a_lock_filelock_holds_is_not_had_here_until_it_is_released(tmp_path):
    path = str(tmp_path / "AA.lock")
    proc = _holder(HOLD, path)
    try:
        with pytest.raises(locks.LockTimeout):
            locks.acquire(path, 0)
        with pytest.raises(locks.LockTimeout):
            locks.acquire(path, 0.2)
    finally:
        _let_go(proc)
    lock = locks.acquire(path, 5)
    lock.release()


def test_a_lock_held_here_is_not_had_by_filelock(tmp_path):
    from filelock import FileLock, Timeout

    path = str(tmp_path / "AA.lock")
    proc = _holder(HOLD_OURS, path)
    try:
        with pytest.raises(Timeout):
            FileLock(path).acquire(timeout=0.1)
    finally:
        _let_go(proc)
    other = FileLock(path)
    other.acquire(timeout=5)
    other.release()


def test_a_waiting_lock_is_had_once_the_holder_lets_go(tmp_path):
    """acquire() waits (polling) while another process holds the lock, and has it once let go."""
    import threading

    path = str(tmp_path / "AA.lock")
    proc = _holder(HOLD_OURS, path)
    got: list[float] = []

    def wait_for_it() -> None:
        lock = locks.acquire(path, 20)
        got.append(time.monotonic())
        lock.release()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    time.sleep(0.3)
    assert not got  # still waiting
    released = time.monotonic()
    _let_go(proc)
    waiter.join(timeout=30)
    assert got and got[0] >= released


def test_the_lock_is_dropped_when_its_holder_is_killed(tmp_path):
    path = str(tmp_path / "AA.lock")
    proc = _holder(HOLD_OURS, path)
    proc.kill()
    proc.wait(timeout=30)
    locks.acquire(path, 5).release()


def test_one_process_cannot_take_its_own_lock_twice(tmp_path):
    """Two opens of the file are two locks to flock, as they are to filelock: a second take
    within one process waits like any other (the writers never nest a lock)."""
    path = str(tmp_path / "AA.lock")
    lock = locks.acquire(path, 0)
    with pytest.raises(locks.LockTimeout):
        locks.acquire(path, 0)
    lock.release()
    lock.release()  # (a second release does nothing)
    locks.acquire(path, 0).release()


def test_a_file_system_without_flock_is_locked_by_filelock(tmp_path, monkeypatch):
    """flock failing with ENOSYS (Lustre without -o flock, some FUSE mounts): filelock's soft
    lock takes over, for real (its marker file), and no empty file is left that it would take
    for a live holder."""
    import fcntl

    def no_flock(fd, op):
        raise OSError(errno.ENOSYS, "flock is not implemented")

    monkeypatch.setattr(fcntl, "flock", no_flock)  # (filelock's own use of it too)
    path = tmp_path / "AA.lock"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (filelock's warning of its fallback is not shown)
        lock = locks.acquire(str(path), 3)
    assert path.exists()  # filelock's marker, while held
    with pytest.raises(locks.LockTimeout):
        locks.acquire(str(path), 0.2)
    lock.release()
    assert not path.exists()
    for _ in range(3):  # again and again: nothing left behind blocks the next writer
        start = time.monotonic()
        locks.acquire(str(path), 3).release()
        assert time.monotonic() - start < 2
    assert list(tmp_path.iterdir()) == []


def test_a_waiter_does_not_take_a_lock_file_removed_meanwhile(tmp_path):
    """A holds the lock, B waits; the lock file is removed (`.taizhang/` deleted by hand) and C
    makes and locks a new one. When A lets go, B must wait for C, not lock the removed file and
    write beside C."""
    import threading

    path = str(tmp_path / "AA.lock")
    first = locks.acquire(path, 0)
    got: list[float] = []

    def b() -> None:
        lock = locks.acquire(path, 20)
        got.append(time.monotonic())
        lock.release()

    waiter = threading.Thread(target=b)
    waiter.start()
    time.sleep(0.2)
    os.unlink(path)
    third = locks.acquire(path, 0)  # C: a new file, free
    first.release()
    time.sleep(0.4)
    assert not got  # B found the file it waited on gone, and waits on C's
    released = time.monotonic()
    third.release()
    waiter.join(timeout=30)
    assert got and got[0] >= released


def test_a_lock_path_that_is_a_symlink_is_refused_and_makes_nothing(tmp_path):
    target = tmp_path / "elsewhere" / "made.txt"
    target.parent.mkdir()
    link = tmp_path / "AA.lock"
    link.symlink_to(target)
    with pytest.raises(OSError):
        locks.acquire(str(link), 0)
    assert not target.exists()


def test_a_fifo_at_the_lock_path_does_not_hang_the_open(tmp_path):
    path = tmp_path / "AA.lock"
    os.mkfifo(path)
    lock = locks.acquire(str(path), 0)  # (as filelock: it locks; nothing waits for a reader)
    lock.release()


def test_other_errors_of_flock_are_errors(tmp_path, monkeypatch):
    def bad_flock(fd, op):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(locks.fcntl, "flock", bad_flock)
    with pytest.raises(OSError) as e:
        locks.acquire(str(tmp_path / "AA.lock"), 1)
    assert e.value.errno == errno.EIO


def test_a_lock_in_a_folder_that_is_not_there_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        locks.acquire(str(tmp_path / "none" / "AA.lock"), 0)


def test_the_filelock_path_locks_and_times_out(tmp_path):
    path = str(tmp_path / "AA.lock")
    lock = locks.acquire_with_filelock(path, 1)
    proc = subprocess.run([sys.executable, "-c", "import sys\nfrom taizhang.repo.locks import acquire, LockTimeout\n"
                           "try:\n    acquire(sys.argv[1], 0.1)\nexcept LockTimeout:\n    sys.exit(3)\n", path])
    assert proc.returncode == 3
    lock.release()
    locks.acquire(path, 0).release()
