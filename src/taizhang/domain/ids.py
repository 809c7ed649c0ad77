"""Project codes and item ids: what they look like, and how an id names its project."""

from __future__ import annotations

import re

from taizhang.errors import input_error

CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,11}$"
ITEM_ID_PATTERN = r"^[A-Z][A-Z0-9]{0,11}-[1-9][0-9]*$"


def split_item_id(item_id: str) -> str:
    """The project code of an item id, refusing what is not an id."""
    if not re.match(ITEM_ID_PATTERN, item_id or ""):
        raise input_error("bad_item_id", id=item_id)
    return item_id.rsplit("-", 1)[0]
