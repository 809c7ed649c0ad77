"""Evidence files attached to a 销号 or an application (SPEC §3): copied to `evidence/<ID>/`
in the repository, all or nothing with the ledger write.

A file is first copied under a temporary name inside its item's folder (same file system, so
the final step is a rename); the ledger is written and verified; only then is the copy renamed
to its final name. A failure before that removes the copies: nothing is left behind. The whole
runs under the `evidence` lock, so two commands never choose the same final name.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from taizhang.errors import input_error

FOLDER = "evidence"
_TMP_PREFIX = ".tz-"


@dataclass
class Staged:
    """One copy waiting for its ledger write: its temporary and final paths, the path the item
    records (relative to the root, forward slashes)."""

    item_id: str
    tmp: Path
    final: Path
    recorded: str


def check_source(source: Path) -> None:
    """Refuse what is not a regular file (a FIFO would hang the copy, a device never ends)."""
    try:
        mode = os.stat(source).st_mode
    except OSError as e:
        raise input_error("evidence_unreadable", path=str(source), detail=e.strerror or str(e)) from None
    if not stat.S_ISREG(mode):
        raise input_error("evidence_not_file", path=str(source))


def _item_folder(root: Path, item_id: str) -> Path:
    """`evidence/<ID>/`, made if missing; refused when it (or `evidence/`) is not a real folder
    inside the repository (a symlink would carry the copy elsewhere)."""
    folder = root
    for part in (FOLDER, item_id):
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            folder.mkdir()
            continue
        if not stat.S_ISDIR(mode):
            raise input_error("evidence_folder_invalid", path=f"{FOLDER}/{item_id}")
    return folder


def _free_name(folder: Path, name: str, taken: set[str]) -> str:
    """`name`, or `stem-2.ext`, `stem-3.ext`… when a file of that name is there already."""
    stem, dot, ext = name.partition(".") if not name.startswith(".") else (name, "", "")
    candidate, n = name, 1
    while candidate in taken or os.path.lexists(folder / candidate):
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate


def stage(root: Path, item_ids: list[str], source: Path) -> list[Staged]:
    """Copy `source` into each item's folder under a temporary name (call under the lock)."""
    check_source(source)
    staged: list[Staged] = []
    try:
        for item_id in item_ids:
            folder = _item_folder(root, item_id)
            for orphan in folder.glob(_TMP_PREFIX + "*.tmp"):  # a crashed command's copy
                orphan.unlink(missing_ok=True)
            name = _free_name(folder, source.name, set())
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".tmp", dir=folder)
            staged.append(Staged(item_id, Path(tmp), folder / name, f"{FOLDER}/{item_id}/{name}"))
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
    except OSError as e:
        discard(staged)
        raise input_error("evidence_unreadable", path=str(source), detail=e.strerror or str(e)) from None
    except BaseException:
        discard(staged)
        raise
    return staged


def finish(staged: list[Staged]) -> None:
    """Give each copy its final name (after the ledger write)."""
    for s in staged:
        os.replace(s.tmp, s.final)


def discard(staged: list[Staged]) -> None:
    """Remove the temporary copies (the ledger write failed)."""
    for s in staged:
        try:
            s.tmp.unlink()
        except OSError:
            pass
