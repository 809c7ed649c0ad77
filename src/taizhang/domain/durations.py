"""A duration as a ledger writes it: how many of which days (SPEC §3, §4).

Three ways of counting, as TaskJuggler tells `length` from `duration`:
- COUNTED: a bare number (`duration: 120`) — days of the project's calendar;
- NATURAL: a number with a calendar unit (`120天`, `120日`, `3周`, `120d`) — natural days,
  whatever the project's calendar (3周 = 21 days); MONTHS (`2个月`) is natural too, counted in
  calendar months: it occupies the natural days from the day after the same date M months
  before its finish up to its finish (finish 06-30, 2个月 → 05-01…06-30);
- WORKDAYS: `15个工作日` — working days of the official calendar (调休 included), whatever the
  project's calendar.

`Duration` is an `int` (the amount in its own unit: days, or months for MONTHS) that also knows
its unit and how it was written, so that code counting days of a plain `duration: 120` keeps
working and a ledger keeps the clerk's `3周`. Kept apart from the phrase grammar (dates.py) so
that a ledger of plain numbers loads without it.
"""

from __future__ import annotations

from typing import Any, Literal

Unit = Literal["counted", "natural", "months", "workdays"]
COUNTED: Unit = "counted"
NATURAL: Unit = "natural"
MONTHS: Unit = "months"
WORKDAYS: Unit = "workdays"


class Duration(int):
    """`Duration(21, NATURAL, "3周")`: an int with its unit and the clerk's wording."""

    unit: Unit
    written: str | None

    def __new__(cls, amount: int, unit: Unit = COUNTED, written: str | None = None) -> Duration:
        self = super().__new__(cls, amount)
        self.unit = unit
        self.written = written
        return self

    def __str__(self) -> str:
        return self.written if self.written is not None else int.__repr__(self)

    def __repr__(self) -> str:
        return f"Duration({int(self)}, {self.unit!r}, {self.written!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Duration):
            return int(self) == int(other) and self.unit == other.unit
        return int.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return int.__hash__(self)

    def __reduce__(self) -> Any:
        return (Duration, (int(self), self.unit, self.written))

    @property
    def counted(self) -> bool:
        """Days of the project's own calendar (a bare number)."""
        return self.unit == COUNTED


_UNIT_WORDS: dict[Unit, str] = {NATURAL: "天", MONTHS: "个月", WORKDAYS: "个工作日"}


def written_duration(duration: int) -> int | str:
    """A duration as a ledger keeps it (the one rule for every command, import and export): a
    bare number of counted days as a number, a span with its unit as the clerk wrote it (`3周`,
    `2个月`), else in the unit's own word (`21天`). Written so, it reads back as the same span."""
    unit = unit_of(duration)
    if unit == COUNTED:
        return int(duration)
    written = getattr(duration, "written", None)
    return written if written is not None else f"{int(duration)}{_UNIT_WORDS[unit]}"


def unit_of(duration: Any) -> Unit:
    """The unit of an item's duration: a plain int (a model built in code) counts the calendar."""
    return getattr(duration, "unit", COUNTED)
