"""Where a command may write a file the user named (`--out`): SPEC §3, every file-writing option
refuses to write through a symlink or into the repository's data.

A report written over `ledgers/YT2.yaml` would replace a ledger without a read-back or a lock;
one written through a link would change a file anywhere on the machine. The path is judged as
the operating system will open it: every link in it followed, so that a folder linked into
`ledgers/` is `ledgers/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from taizhang.errors import TaizhangError, input_error
from taizhang.i18n import os_reason
from taizhang.repo.layout import NOTICES_FILE, SETTINGS_FILE

# The repository's data and machinery: what a report never replaces (the four of SPEC §3, and
# the settings, the notices and the machine-local state, which are data the same way).
PROTECTED_FOLDERS = ("ledgers", "calendars", "evidence", ".git", ".taizhang")
PROTECTED_FILES = (SETTINGS_FILE, NOTICES_FILE)


def output_path(root: Path, path: Path, data: bytes | None = None) -> Path:
    """`path` (relative to the current folder) as an absolute path a command may write a whole
    file to; raises a one-line TaizhangError when it is a symlink (even a dangling one), a
    folder, or a place inside the repository's data (through whatever links lead there), and
    when it is named `.pdf` but `data` (None: not known yet) is not a PDF (SPEC §3: text is never
    written into a `.pdf`)."""
    shown = str(path)
    if Path(path).suffix.lower() == ".pdf" and not (data or b"").startswith(b"%PDF-"):
        raise input_error("out_not_pdf", path=shown)
    target = Path(os.path.abspath(path))
    if os.path.islink(target):
        raise input_error("out_symlink", path=shown)
    if target.is_dir():
        raise input_error("out_is_dir", path=shown)
    real = Path(os.path.realpath(target))
    if ".git" in real.parts:  # a git folder anywhere (the repository may sit inside a bigger checkout)
        raise input_error("out_protected", path=shown, where=".git/")
    real_root = Path(os.path.realpath(root))
    for place in (real, target):  # as the file system sees it, and as typed
        for base in {real_root, Path(os.path.abspath(root))}:
            try:
                inside = place.relative_to(base).parts
            except ValueError:
                continue
            if inside and (inside[0] in PROTECTED_FOLDERS and len(inside) > 1
                           or len(inside) == 1 and inside[0] in PROTECTED_FILES):
                where = inside[0] + ("/" if inside[0] in PROTECTED_FOLDERS else "")
                raise input_error("out_protected", path=shown, where=where)
    return target


def out_unwritable(error: OSError) -> TaizhangError:
    """What the file system refused of a file written for the user (a full disk, a read-only
    file system), as one line naming it (repo.temps names the target, not its temporary file)."""
    return input_error("out_unwritable", path=str(error.filename), detail=os_reason(error))
