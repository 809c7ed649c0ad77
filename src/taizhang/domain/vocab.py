"""The words of a ledger in one place: its keys in the order files write them, what `set` may
change, and the values a field may take, each derived from where it is defined.

A word is said once, as a `Literal` type beside what uses it (kinds and stages in the models,
calendar names in calendars, lights in lights: those two load no pydantic, so a warm `status`
lights items without the models) and every list of allowed values is `get_args` of it. The key
orders are the models' field order. Code that has the models loaded imports its words from here.
"""

from __future__ import annotations

from typing import Final, get_args

from taizhang.domain.calendars import CALENDARS, DEFAULT_CALENDAR, CalendarName
from taizhang.domain.lights import ALL_LIGHTS, OPEN_LIGHTS, SEVERITY, Light
from taizhang.domain.models import DEFAULT_KIND, KINDS, LANGS, STAGES, Item, Kind, Lang, Ledger, LedgerDate, Stage

__all__ = ["SCHEMA_FILE", "SCHEMA_LINE", "ITEM_KEY_ORDER", "PROJECT_KEY_ORDER", "ITEM_SETTABLE",
           "PROJECT_SETTABLE", "REQUIRED", "DATE_FIELDS", "CALENDARS", "DEFAULT_CALENDAR", "CalendarName",
           "ALL_LIGHTS", "OPEN_LIGHTS", "SEVERITY", "Light", "DEFAULT_KIND", "KINDS", "LANGS", "STAGES",
           "Kind", "Lang", "Stage"]

SCHEMA_FILE = "schemas/ledger.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/ledger.schema.json"

# Keys as a file writes them (`from`, not the attribute `from_`); `term` is read from `due`.
_ITEM_FIELDS = {f.alias or k: f for k, f in Item.model_fields.items() if not f.exclude}
ITEM_KEY_ORDER: Final[tuple[str, ...]] = tuple(_ITEM_FIELDS)
PROJECT_KEY_ORDER: Final[tuple[str, ...]] = tuple(Ledger.model_fields)
# What `set` may change: a plain field. The id names the record; a close, the notes, the
# investment and the items have commands of their own.
_OWN_COMMAND = frozenset({"id", "code", "apply", "closed", "notes", "investment", "items", "changes"})
ITEM_SETTABLE: Final[tuple[str, ...]] = tuple(k for k in ITEM_KEY_ORDER if k not in _OWN_COMMAND)
PROJECT_SETTABLE: Final[tuple[str, ...]] = tuple(k for k in PROJECT_KEY_ORDER if k not in _OWN_COMMAND)
# A settable field that cannot be emptied.
REQUIRED: Final[tuple[str, ...]] = (
    tuple(k for k in ITEM_SETTABLE if _ITEM_FIELDS[k].is_required())
    + tuple(k for k in PROJECT_SETTABLE if Ledger.model_fields[k].is_required()))
# The fields that hold a date typed into a file (ISO, or an absolute phrase).
DATE_FIELDS: Final[tuple[str, ...]] = tuple(
    f.alias or k for model in (Item, Ledger) for k, f in model.model_fields.items()
    if LedgerDate in get_args(f.annotation))
