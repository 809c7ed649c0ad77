"""Whole files written beside where they go: a temporary file in the target's folder, renamed
over the target (a link that appears meanwhile is replaced, never written through).

The one place that names such a temporary file: `.` + at most HINT characters of the target's
name + `.` + 8 hex digits + `.tmp`, so that a target whose name is near the file system's
255-byte limit still has a temporary name that fits. It is created new (O_EXCL, no link
followed) with mode 0666 less the umask: the mode any file the clerk makes gets, which the
rename carries to the target.

A write that fails leaves nothing behind: its temporary files are removed and the folders it
made for them taken away again; a removal that itself fails (a read-only file system) is no
second error over the first.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

SUFFIX = ".tmp"
HINT = 16  # characters of the target's name kept, for whoever finds a leftover to know it


def temp_prefix(name: str) -> str:
    """The start of a temporary name for a file named `name`: bounded, whatever its length."""
    return "." + name[:HINT] + "."


def create_temp(folder: Path, prefix: str) -> tuple[int, Path]:
    """A new empty file `folder/PREFIX<8 hex>.tmp` open for writing, and its path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = folder / f"{prefix}{os.urandom(4).hex()}{SUFFIX}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(folder))


def remove_quietly(path: Path | str) -> None:
    """Remove a temporary file if it can be: cleaning up after an error never raises another."""
    try:
        os.unlink(path)
    except OSError:
        pass


def make_folders(folder: Path) -> list[Path]:
    """Make `folder` and whatever parents it lacks; the folders made, outermost first. On an
    error those made so far are taken away again before it is raised."""
    missing = []
    probe = folder
    while not os.path.lexists(probe) and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    made: list[Path] = []
    try:
        for part in reversed(missing):
            part.mkdir()
            made.append(part)
    except BaseException:
        remove_folders(made)
        raise
    if not missing:
        folder.mkdir(exist_ok=True)  # (raises where `folder` is a file)
    return made


def remove_folders(made: Sequence[Path]) -> None:
    """Take away folders `make_folders` made (innermost first), where they are still empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass


def write_files(writes: Sequence[tuple[Path, bytes]]) -> None:
    """Replace each target with its bytes: every temporary file is written first (the folders
    it needs made), and only then are they renamed over their targets, so that a full disk or a
    read-only file system changes none of them. Raises the OSError, naming the target it was
    for (a temporary name means nothing to the user), with nothing left behind."""
    stage(writes).put()


class Staged:
    """Whole files written beside their targets (`stage`), not yet in place: `put` renames them
    over their targets, `discard` takes them away again with the folders made for them. What
    is staged before a record is made (a notice's paper before notices.yaml) is put in place
    after it, so that a write the file system refuses leaves neither one without the other."""

    def __init__(self, writes: Sequence[tuple[Path, bytes]]) -> None:
        self.targets = [target for target, _ in writes]
        self.temps: list[Path] = []
        self.made: list[Path] = []
        self.renamed = 0

    def put(self) -> None:
        """Rename each temporary file over its target; on an error, those not yet renamed are
        removed (and, when none was, the folders made) and it is raised naming the target."""
        target = self.targets[0] if self.targets else Path()
        try:
            for tmp, target in zip(self.temps[self.renamed:], self.targets[self.renamed:]):
                os.replace(tmp, target)
                self.renamed += 1
        except BaseException as e:
            self.discard()
            raise _named(e, target) from None

    def discard(self) -> None:
        """Remove what is staged and not yet in place (and the folders made, when nothing was
        put in place); a removal that fails is no second error."""
        for tmp in self.temps[self.renamed:]:
            remove_quietly(tmp)
        if not self.renamed:  # the folders made hold nothing: taken away again
            remove_folders(self.made)
        self.temps = self.temps[:self.renamed]


def stage(writes: Sequence[tuple[Path, bytes]]) -> Staged:
    """Write each target's bytes to a temporary file beside it (the folders it needs made),
    none of them yet in place. Raises the OSError, naming the target, with nothing left behind."""
    staged = Staged(writes)
    target = writes[0][0] if writes else Path()
    try:
        for target, data in writes:
            staged.made += make_folders(target.parent)
            fd, tmp = create_temp(target.parent, temp_prefix(target.name))
            staged.temps.append(tmp)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
    except BaseException as e:
        staged.discard()
        raise _named(e, target) from None
    return staged


def _named(error: BaseException, target: Path) -> BaseException:
    if isinstance(error, OSError):
        error.filename, error.filename2 = str(target), None
    return error
