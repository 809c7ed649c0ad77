"""Which days count: `natural` (every day), `workdays` (China's official working days: statutory
holidays off, 调休 make-up days on), `weekdays` (Monday to Friday), plus extra days off and working
days from a ledger's `calendar:` mapping or the repository's `calendars/*.yaml`.

A day the calendar cannot answer for (a year the official data does not cover yet, with no
`calendars/<year>.yaml` declaring it) is an error, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final, Iterable, Literal, Union, get_args

if TYPE_CHECKING:  # calendars load no pydantic: a warm `status` needs no models
    from taizhang.domain.models import CalendarRule

CalendarName = Literal["natural", "workdays", "weekdays"]
CALENDARS: Final[tuple[CalendarName, ...]] = get_args(CalendarName)
# A ledger (and a repository) that names no calendar counts every day.
DEFAULT_CALENDAR: Final[CalendarName] = "natural"

ONE_DAY = timedelta(days=1)
# Scheduling walks day by day; a walk that meets no counted day in this many days stops: the
# calendar has none (a long duration is no such walk: it meets counted days all the way).
MAX_WALK_DAYS = 366 * 50


class CalendarError(ValueError):
    """`key`/`args` index an i18n message."""

    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(key)


@dataclass(frozen=True)
class YearDays:
    """What a repository's `calendars/*.yaml` adds: extra days off and working days, and the years
    it declares completely (official days off and 调休 for a year the package does not know)."""

    days_off: frozenset[date] = frozenset()
    work_days: frozenset[date] = frozenset()
    full_years: frozenset[int] = frozenset()

    def merge(self, other: "YearDays") -> "YearDays":
        return YearDays(self.days_off | other.days_off, self.work_days | other.work_days,
                        self.full_years | other.full_years)


NO_EXTRA = YearDays()


def official_workday(day: date, extra: YearDays = NO_EXTRA) -> bool:
    """China's official working days: chinese-calendar's data, or a year declared in `extra`."""
    if day.year in extra.full_years:
        if day in extra.work_days:
            return True
        if day in extra.days_off:
            return False
        return day.weekday() < 5
    known = _OFFICIAL.get(day)
    if known is not None:
        return known
    import chinese_calendar

    try:
        known = _OFFICIAL[day] = bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarError("calendar_year_unknown", year=day.year) from None
    return known


# The official answer for a day never changes within a run, and every ledger's plan asks it
# again: chinese-calendar checks its arguments on each call (20 µs), 4.5 s of a status over a
# city's workday ledgers before this memo (218,819 calls for ~2,000 distinct days).
_OFFICIAL: dict[date, bool] = {}


@dataclass
class Calendar:
    """A counted-day calendar. Pure apart from a per-instance cache."""

    base: CalendarName = DEFAULT_CALENDAR
    days_off: frozenset[date] = frozenset()
    work_days: frozenset[date] = frozenset()
    extra: YearDays = NO_EXTRA
    _cache: dict[int, bool] = field(default_factory=dict, repr=False, compare=False)
    _anchor: int = field(default=0, repr=False, compare=False)
    _ahead: list[int] = field(default_factory=list, repr=False, compare=False)
    _behind: list[int] = field(default_factory=list, repr=False, compare=False)
    _every_day: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every day counts: plain date arithmetic, no walking (the default calendar, and the
        # most common, so a city's ledgers plan in a blink).
        self._every_day = self.base == "natural" and not self.days_off

    @property
    def name(self) -> str:
        return self.base

    def is_counted(self, day: date) -> bool:
        key = day.toordinal()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if day in self.work_days or day in self.extra.work_days and self.base != "natural":
            result = True
        elif day in self.days_off or (day in self.extra.days_off and self.base != "natural"):
            result = False
        elif self.base == "natural":
            result = True
        elif self.base == "weekdays":
            result = day.weekday() < 5
        else:
            result = official_workday(day, self.extra)
        self._cache[key] = result
        return result

    def snap(self, day: date) -> date:
        """The latest counted day on or before `day`."""
        if self._every_day:
            return day
        walked = 0
        try:
            while not self.is_counted(day):
                day -= ONE_DAY
                walked += 1
                if walked > MAX_WALK_DAYS:
                    raise CalendarError("calendar_no_counted_day", day=day.isoformat())
        except OverflowError:
            raise CalendarError("plan_beyond_dates") from None
        return day

    def snap_forward(self, day: date) -> date:
        """The earliest counted day on or after `day`."""
        if self._every_day:
            return day
        walked = 0
        try:
            while not self.is_counted(day):
                day += ONE_DAY
                walked += 1
                if walked > MAX_WALK_DAYS:
                    raise CalendarError("calendar_no_counted_day", day=day.isoformat())
        except OverflowError:
            raise CalendarError("plan_beyond_dates") from None
        return day

    def add(self, day: date, n: int) -> date:
        """The n-th counted day strictly after `day` (n ≥ 1), or strictly before it (n ≤ -1).
        Raises CalendarError where MAX_WALK_DAYS pass without a counted day (a long duration
        is no such gap: a hundred years of weekdays walk 140), or past Python's dates."""
        try:
            if self._every_day:
                return day + timedelta(days=n)
            step = ONE_DAY if n > 0 else -ONE_DAY
            remaining = abs(n)
            gap = 0
            while remaining:
                day += step
                if self.is_counted(day):
                    remaining -= 1
                    gap = 0
                else:
                    gap += 1
                    if gap > MAX_WALK_DAYS:
                        raise CalendarError("calendar_no_counted_day", day=day.isoformat())
            return day
        except OverflowError:
            raise CalendarError("plan_beyond_dates") from None

    def between(self, a: date, b: date) -> int:
        """Counted days in (a, b], negative when b < a: how far b lies after a, in counted days."""
        if self._every_day:
            return (b - a).days
        return self._prefix(b.toordinal()) - self._prefix(a.toordinal())

    def _prefix(self, ordinal: int) -> int:
        # Counted days in (anchor, ordinal] (negative before the anchor), extended lazily, so
        # that slack over years of calendar costs one walk per calendar, not one per item.
        if not self._ahead:
            self._anchor = ordinal
            self._ahead.append(0)
        offset = ordinal - self._anchor
        while offset >= len(self._ahead):
            day = date.fromordinal(self._anchor + len(self._ahead))
            self._ahead.append(self._ahead[-1] + self.is_counted(day))
        while offset < -len(self._behind):
            day = date.fromordinal(self._anchor - len(self._behind))
            previous = self._behind[-1] if self._behind else 0
            self._behind.append(previous - self.is_counted(day))
        return self._ahead[offset] if offset >= 0 else self._behind[-offset - 1]


def make_calendar(spec: Union[CalendarName, CalendarRule, None], extra: YearDays = NO_EXTRA) -> Calendar:
    """A calendar from a ledger's `calendar:` value (a name or a CalendarRule), or the default."""
    if spec is None or isinstance(spec, str):
        return _shared(spec or DEFAULT_CALENDAR, extra)
    return Calendar(spec.base, frozenset(spec.days_off), frozenset(spec.work_days), extra=extra)


# A named calendar's answers depend only on its name and the repository's extra days: one
# instance per run serves every ledger, so the days it has counted (and its running totals for
# slack) are counted once, not once per ledger of a city. (Kept with the extra days it was made
# with, so that an id is never reused for other days.)
_SHARED: dict[tuple[str, int], tuple[YearDays, Calendar]] = {}


def _shared(name: CalendarName, extra: YearDays) -> Calendar:
    key = (name, id(extra))
    found = _SHARED.get(key)
    if found is None or found[0] is not extra:
        found = _SHARED[key] = (extra, Calendar(name, extra=extra))
    return found[1]


def calendar_name(spec: Union[CalendarName, CalendarRule, None]) -> CalendarName:
    """The name of the base calendar a `calendar:` value (a name, a CalendarRule, or none) counts by."""
    if spec is None:
        return DEFAULT_CALENDAR
    return spec if isinstance(spec, str) else spec.base


def official(extra: YearDays = NO_EXTRA) -> Calendar:
    """China's official working-day calendar, as `N个工作日内` counts (with a repository's
    `calendars/*.yaml`, when given)."""
    return _shared("workdays", extra)


def year_days(days_off: Iterable[date], work_days: Iterable[date], years: Iterable[int]) -> YearDays:
    return YearDays(frozenset(days_off), frozenset(work_days), frozenset(years))
