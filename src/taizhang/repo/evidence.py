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
from dataclasses import dataclass, field
from pathlib import Path

from taizhang.errors import input_error
from taizhang.i18n import os_reason
from taizhang.repo.files import unwritable
from taizhang.repo.temps import create_temp, remove_folders, remove_quietly

FOLDER = "evidence"
_TMP_PREFIX = ".tz-"


@dataclass
class Staged:
    """One copy waiting for its ledger write: its temporary and final paths, the path the item
    records (relative to the root, forward slashes), and the folders made for it (`evidence/`
    and `evidence/<ID>/` where they were missing: taken away again if the write fails)."""

    item_id: str
    tmp: Path
    final: Path
    recorded: str
    made: list[Path] = field(default_factory=list)


def check_source(source: Path) -> None:
    """Refuse what is not a regular file (a FIFO would hang the copy, a device never ends)."""
    try:
        mode = os.stat(source).st_mode
    except OSError as e:
        raise input_error("evidence_unreadable", path=str(source), detail=os_reason(e)) from None
    if not stat.S_ISREG(mode):
        raise input_error("evidence_not_file", path=str(source))


def _item_folder(root: Path, item_id: str, made: list[Path]) -> Path:
    """`evidence/<ID>/`, made if missing (what is made is added to `made`); refused when it (or
    `evidence/`) is not a real folder inside the repository (a symlink would carry the copy
    elsewhere)."""
    folder = root
    for part in (FOLDER, item_id):
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            folder.mkdir()
            made.append(folder)
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
    try:
        src = open(source, "rb")
    except OSError as e:
        raise input_error("evidence_unreadable", path=str(source), detail=os_reason(e)) from None
    staged: list[Staged] = []
    made: list[Path] = []  # folders made and not yet given to a copy
    target = root / FOLDER
    with src:
        try:
            for item_id in item_ids:
                target = root / FOLDER / item_id
                folder = _item_folder(root, item_id, made)
                for orphan in folder.glob(_TMP_PREFIX + "*.tmp"):  # a crashed command's copy
                    remove_quietly(orphan)
                name = _free_name(folder, source.name, set())
                target = folder / name
                # (the copy gets the mode any new file gets, as the clerk's own copy would)
                fd, tmp = create_temp(folder, _TMP_PREFIX)
                staged.append(Staged(item_id, tmp, target, f"{FOLDER}/{item_id}/{name}", made))
                made = []
                with os.fdopen(fd, "wb") as out:
                    src.seek(0)
                    shutil.copyfileobj(src, out)
                    out.flush()
                    os.fsync(out.fileno())
        except BaseException as e:
            discard(staged)
            remove_folders(made)
            if isinstance(e, OSError):  # a full disk, a read-only checkout: named as the copy to make
                e.filename, e.filename2 = str(target), None
                raise unwritable(root, e) from None
            raise
    return staged


def finish(staged: list[Staged]) -> None:
    """Give each copy its final name (after the ledger write)."""
    for s in staged:
        os.replace(s.tmp, s.final)


def discard(staged: list[Staged]) -> None:
    """Remove the temporary copies and the folders made for them (the ledger write failed):
    the repository is as it was."""
    for s in reversed(staged):
        remove_quietly(s.tmp)
        remove_folders(s.made)
