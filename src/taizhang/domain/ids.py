"""Project codes and item ids: what they look like, and how an id names its project."""

from __future__ import annotations

import re

from taizhang.errors import input_error

CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,11}$"
ITEM_ID_PATTERN = r"^[A-Z][A-Z0-9]{0,11}-[1-9][0-9]*$"

# A code is a file's stem, and Windows cannot make or open a file whose stem is one of these
# (in any case, whatever the extension): a ledger `CON.yaml` committed on Linux breaks every
# Windows checkout of the repository.
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))})


def is_reserved_name(stem: str) -> bool:
    """Whether Windows reserves `stem` as a file name (case does not matter there)."""
    return stem.upper() in WINDOWS_RESERVED


def check_code(code: str) -> None:
    """Refuse what cannot be a project code: not of the pattern, or a name Windows reserves."""
    if not re.match(CODE_PATTERN, code or ""):
        raise input_error("bad_code", code=code)
    if is_reserved_name(code):
        raise input_error("code_reserved", code=code)


def split_item_id(item_id: str) -> str:
    """The project code of an item id, refusing what is not an id."""
    if not re.match(ITEM_ID_PATTERN, item_id or ""):
        raise input_error("bad_item_id", id=item_id)
    return item_id.rsplit("-", 1)[0]
