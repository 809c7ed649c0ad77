"""repo/locks.py: flock where the OS has it, filelock elsewhere, and the two exclude each other
(a taizhang locking through filelock and one locking here may run side by side)."""

from __future__ import annotations

import errno
import subprocess
import sys
import time

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
    """ENOSYS from flock (some network file systems): filelock takes over (its soft lock)."""
    calls = []

    def no_flock(fd, op):
        calls.append(op)
        raise OSError(errno.ENOSYS, "flock is not implemented")

    monkeypatch.setattr(locks.fcntl, "flock", no_flock)
    path = str(tmp_path / "AA.lock")
    taken = []
    monkeypatch.setattr(locks, "acquire_with_filelock",
                        lambda p, t: taken.append((p, t)) or locks.Lock(None, _Released()))
    lock = locks.acquire(path, 3)
    assert calls and taken == [(path, 3)]
    lock.release()


class _Released:
    def release(self) -> None:
        pass


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
