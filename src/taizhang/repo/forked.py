"""Work done beside this process, in forked copies of it: each runs one chunk and hands back
bytes through a pipe, while this process does its own part.

Only where the OS forks cheaply and safely (Linux: Kylin and UOS included); elsewhere there are
no helpers and the caller does every chunk itself. A helper that fails in any way (an exception,
a signal, output that does not arrive whole) gives None, and the caller does that chunk itself:
what a helper hands back is only ever a way to skip work, never the only way to a result.
"""

from __future__ import annotations

import os
import struct
import sys
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")

_LENGTH = struct.Struct("<Q")  # the payload's length, first: a helper cut short is seen as such


def can_fork() -> bool:
    """Whether helpers can be had here at all (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def other_threads() -> bool:
    """Whether threads other than this one run in the process (a fork would copy their locks)."""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def available_cores() -> int:
    """The cores this process may run on that nothing else runs on right now (1 where the OS does
    not say, or does not fork). Helpers on a core another process is busy on only take turns with
    it: measured on 2 cores with one busy, a first status of the day took 10 % longer, against
    18 % less with the second core idle."""
    if not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except OSError:
        return 1
    return max(1, min(cores, cores - _others_running()))


def _others_running() -> int:
    """How many other tasks the kernel has running or ready to run (Linux's /proc/loadavg: its
    fourth field is running/existing, this process included); 0 where it cannot say."""
    try:
        with open("/proc/loadavg", "rb") as handle:
            running = handle.read(200).split()[3].split(b"/")[0]
        return max(0, int(running) - 1)
    except (OSError, IndexError, ValueError):
        return 0


def split(items: Sequence[T], sizes: Sequence[int], parts: int) -> list[list[T]]:
    """`items` cut into `parts` contiguous runs of about equal total size (some may be empty)."""
    out: list[list[T]] = [[] for _ in range(parts)]
    total, at, done = sum(sizes), 0, 0
    for item, size in zip(items, sizes):
        while at < parts - 1 and done >= total * (at + 1) / parts:
            at += 1
        out[at].append(item)
        done += size
    return out


class Helpers(Generic[T]):
    """One forked process per chunk, each running `work(chunk)`; `results()` collects what each
    handed back, in the chunks' order (None for one that failed)."""

    def __init__(self, chunks: Sequence[Sequence[T]], work: Callable[[Sequence[T]], bytes]) -> None:
        self._running: list[tuple[int, int] | None] = []  # (pid, read end) per chunk
        for chunk in chunks:
            self._running.append(_start(chunk, work))

    def results(self) -> list[bytes | None]:
        out: list[bytes | None] = []
        for running in self._running:
            out.append(_collect(*running) if running is not None else None)
        self._running = []
        return out


def _start(chunk: Sequence[T], work: Callable[[Sequence[T]], bytes]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the helper: run the chunk, hand the bytes over, and leave without cleanup
        # (os._exit: no atexit handler, no flush of the output this process buffered meanwhile)
        code = 1
        try:
            os.close(read_end)
            payload = work(chunk)
            with os.fdopen(write_end, "wb") as out:
                out.write(_LENGTH.pack(len(payload)))
                out.write(payload)
            code = 0
        except BaseException:  # (a helper never prints nor raises: the caller does its chunk)
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> bytes | None:
    parts = []
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                part = pipe.read(1 << 20)
                if not part:
                    break
                parts.append(part)
    except OSError:
        parts = []
    try:
        _, status = os.waitpid(pid, 0)
    except OSError:
        return None
    data = b"".join(parts)
    if os.waitstatus_to_exitcode(status) != 0 or len(data) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(data)
    if len(data) != _LENGTH.size + length:
        return None
    return data[_LENGTH.size:]
