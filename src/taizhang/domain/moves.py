"""What moving a time node is (SPEC §3, §7), said once for `set … --reason` and `import --update`:
a written day (an item's `due`, a project's `deadline`) changed to another day, to a term
(长期坚持, 每月25日前) or removed — a day replaced or removed escapes no less than one moved.
Giving a node to an item that had none, or changing a term (it is no day), is not a move:
`changes:` records from which day a node moved."""

from __future__ import annotations

from datetime import date
from typing import Any


def is_move(old: Any, new: Any) -> bool:
    """Whether a time node written as `old` and set to `new` is moved (and kept in `changes:`)."""
    return isinstance(old, date) and new != old
