"""A ledger's keys in the order files write them, and the item kinds, as plain words: what a
write needs without loading the models (pydantic costs a small `add` most of its time).

The models are where these are defined (domain/vocab.py derives them from the models' fields);
tests/test_fast_write.py keeps these equal to vocab's, so a field added to a model without
being added here fails the suite rather than a write.
"""

from __future__ import annotations

from typing import Final

ITEM_KEY_ORDER: Final[tuple[str, ...]] = (
    "id", "title", "kind", "due", "duration", "after", "owner", "unit", "leader", "target", "measures",
    "apply", "closed", "notes", "changes", "from")
PROJECT_KEY_ORDER: Final[tuple[str, ...]] = (
    "code", "name", "program", "stage", "unit", "leader", "owner", "deadline", "calendar", "investment",
    "changes", "items")
DATE_FIELDS: Final[tuple[str, ...]] = ("due", "from", "deadline")
KINDS: Final[tuple[str, ...]] = ("task", "milestone", "problem")
