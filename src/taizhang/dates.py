"""Dates as clerks write them, and durations.

Every reader here returns the *last day by which the thing is due*, inclusive. A reading that
is impossible is refused with a `DateError`, never guessed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any


class DateError(ValueError):
    """A date or duration that cannot be read; `key`/`args` index an i18n message."""

    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(key)


_FULL_DATE = re.compile(
    r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*(?:日|号)?\s*$"
)


def parse_date(text: str, *, as_of: date | None = None, year: int | None = None,
               relative: bool = True) -> date:
    """Read a date as a clerk writes it: `2018-04-30`, `2018/4/30`, `2018.4.30`, `2018年4月30日`.

    `as_of` anchors relative phrases, `year` completes phrases without a year; `relative=False`
    refuses phrases whose meaning would change with the day (for values stored in files).
    """
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if not raw:
        raise DateError("date_empty")
    m = _FULL_DATE.match(raw)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]), raw)
    raise DateError("date_unreadable", text=raw)


def _make_date(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateError("date_impossible", text=raw) from None


_DURATION = re.compile(r"^\s*(\d+)\s*(d|天|日|个?工作日|w|周|星期)?\s*$", re.IGNORECASE)


def parse_duration(value: Any) -> int:
    """Days in the project's calendar: `120`, `120d`, `120天`, `3周` (a week is 7 counted days)."""
    if isinstance(value, bool):
        raise DateError("duration_unreadable", text=str(value))
    if isinstance(value, int):
        if value < 0:
            raise DateError("duration_negative", text=str(value))
        return value
    m = _DURATION.match(str(value))
    if not m:
        raise DateError("duration_unreadable", text=str(value))
    n = int(m[1])
    unit = (m[2] or "d").lower()
    return n * 7 if unit in ("w", "周", "星期") else n
