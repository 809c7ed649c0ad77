"""What moving a time node is (SPEC §7), said once for `set … --reason` and `import --update`:
a written day (an item's `due`, a project's `deadline`) changed to another day. Giving a node to
an item that had none, removing one, or a term (长期坚持, 每月25日前) for a day is not a move:
`changes:` records days."""

from __future__ import annotations

from datetime import date
from typing import Any


def is_move(old: Any, new: Any) -> bool:
    """Whether a time node written as `old` and set to `new` is moved (and kept in `changes:`)."""
    return isinstance(old, date) and isinstance(new, date) and new != old
