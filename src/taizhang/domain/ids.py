"""Project codes and item ids: what they look like, and how an id names its project and number.

An item id is `<project code>-<number>` (`YT2-3`); numbers are never reused, so a new item takes
the number after the highest in use.
"""

from __future__ import annotations

import re
from typing import Iterable

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


def is_code(text: str | None) -> bool:
    """Whether `text` is a well-formed project code."""
    return re.match(CODE_PATTERN, text or "") is not None


def is_item_id(text: str | None) -> bool:
    """Whether `text` is a well-formed item id."""
    return re.match(ITEM_ID_PATTERN, text or "") is not None


def project_code(item_id: str) -> str:
    """The project code of a well-formed item id: `YT2-3` → `YT2`."""
    return item_id.rsplit("-", 1)[0]


def item_number(item_id: str) -> int:
    """The number of a well-formed item id within its project: `YT2-3` → 3."""
    return int(item_id.rsplit("-", 1)[1])


def make_item_id(code: str, number: int) -> str:
    """The id of item `number` of project `code`."""
    return f"{code}-{number}"


def next_number(item_ids: Iterable[str]) -> int:
    """The number a new item takes: the one after the highest in use (1 in an empty project)."""
    return max((item_number(i) for i in item_ids), default=0) + 1


def split_item_id(item_id: str) -> str:
    """The project code of an item id, refusing what is not an id."""
    if not is_item_id(item_id):
        raise input_error("bad_item_id", id=item_id)
    return project_code(item_id)
