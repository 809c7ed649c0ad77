"""倒排工期: backward scheduling from the deadline (ALAP), a forward pass from the as-of day,
slack and the critical path. Pure functions of (ledger, as-of day, calendar); SPEC §4.

Vocabulary: a *counted* day is a working day of the project's calendar. An item of N counted
days (a bare `duration: N`) occupies the N counted days ending on its finish. A duration with a
calendar unit (durations.py) is a natural span: `3周` occupies the 21 natural days ending on its
finish, `2个月` the days from the same date two months before (exclusive) to its finish; its
finish still snaps to a counted day, its start may be any day. `15个工作日` occupies 15 working
days of the official calendar ending on its finish (on the last one on or before it). A
milestone (and any item without a duration) has start = finish, and its predecessors may
finish on that same day.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Iterable

import msgspec

from taizhang.domain.calendars import Calendar, CalendarError, calendar_name, official
from taizhang.domain.durations import COUNTED, MONTHS, NATURAL, unit_of
from taizhang.domain.ids import item_number

if TYPE_CHECKING:  # the planner works on any objects shaped so; a warm `status` loads no pydantic
    from taizhang.domain.models import Item, Ledger

ONE_DAY = timedelta(days=1)


class CycleError(ValueError):
    """`after` goes round in a circle; `cycle` lists the ids, first repeated at the end."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__(" → ".join(cycle))


class Planned(msgspec.Struct, gc=False):
    """One item's place in the plan. Dates are None where nothing bounds the item. (A struct:
    built once per item per command, 50,000 times for a city, and a dataclass costs 3× more.)"""

    id: str
    start: date | None
    finish: date | None
    earliest_finish: date | None
    slack: int | None
    critical: bool
    duration: int
    milestone: bool
    fixed: bool  # closed on or before the as-of day: fixed at its close date
    bound_by: str | None  # what set the finish: "due", "deadline", "closed" or a successor's id

    @property
    def infeasible(self) -> bool:
        """Open, and it cannot finish by its time node: its slack is negative (SPEC §5: red)."""
        return self.slack is not None and self.slack < 0 and not self.fixed

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "start": _iso(self.start), "finish": _iso(self.finish),
                "earliest_finish": _iso(self.earliest_finish), "slack": self.slack,
                "critical": self.critical}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class Schedule:
    project: str
    deadline: date | None
    calendar: str
    items: list[Planned]  # in the ledger's order
    forward_error: CalendarError | None = None  # why earliest finishes are unknown, if they are

    @property
    def feasible(self) -> bool:
        return all(p.slack is None or p.slack >= 0 for p in self.items if not p.fixed)

    @property
    def by_id(self) -> dict[str, Planned]:
        return {p.id: p for p in self.items}

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "calendar": self.calendar, "feasible": self.feasible,
                "items": [p.to_json() for p in self.items]}


def time_node(item: Item, planned: Planned) -> date | None:
    """An item's time node (SPEC §5): its `due`, else the finish computed by 倒排工期. An item
    whose `due` is a term (长期坚持, 每月25日前) has none here: lights.term_node reads it."""
    return item.due if item.due is not None else planned.finish


def is_milestone(item: Item) -> bool:
    return item.duration in (None, 0)


def topological_order(items: Iterable[Item]) -> list[Item]:
    """Predecessors before successors (Kahn's algorithm, stable in file order); names a cycle."""
    items = list(items)
    by_id = {item.id: item for item in items}
    successors: dict[str, list[str]] = {item.id: [] for item in items}
    waiting = {item.id: 0 for item in items}
    for item in items:
        for ref in dict.fromkeys(item.after):
            # An item naming itself is reported where the ledger is read; it bounds nothing.
            if ref in by_id and ref != item.id:
                successors[ref].append(item.id)
                waiting[item.id] += 1
    ready = [item.id for item in items if waiting[item.id] == 0]
    order: list[str] = []
    while ready:
        current = ready.pop()
        order.append(current)
        for succ in successors[current]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                ready.append(succ)
    if len(order) < len(items):
        raise CycleError(_find_cycle({i for i, n in waiting.items() if n > 0}, by_id))
    return [by_id[i] for i in order]


def _find_cycle(stuck: set[str], by_id: dict[str, Item]) -> list[str]:
    # Every stuck item has a stuck predecessor: walk back until an id repeats.
    current = min(stuck)
    path: list[str] = []
    seen: dict[str, int] = {}
    while current not in seen:
        seen[current] = len(path)
        path.append(current)
        current = next(ref for ref in by_id[current].after if ref in stuck and ref != current)
    cycle = path[seen[current]:] + [current]
    cycle.reverse()  # predecessor → successor reads in the direction work flows
    return cycle


def plan(ledger: Ledger, as_of: date, calendar: Calendar) -> Schedule:
    """The 倒排工期 plan of one project on `as_of` (SPEC §4). Raises CycleError, CalendarError
    (also for a plan that runs past Python's dates: a duration back from 0001-03-01)."""
    try:
        if not any(item.after or item.duration for item in ledger.items):
            return _flat_plan(ledger, as_of, calendar)
        return _general_plan(ledger, as_of, calendar)
    except OverflowError:
        raise CalendarError("plan_beyond_dates") from None


def _general_plan(ledger: Ledger, as_of: date, calendar: Calendar) -> Schedule:
    items = ledger.items
    order = topological_order(items)
    durations, preds = _read_items(items)
    fixed = {item.id: item.closed.date for item in items
             if item.closed is not None and item.closed.date <= as_of}
    start, finish, bound_by = _backward(ledger, order, durations, preds, fixed, calendar)

    # Forward pass from the as-of day: the earliest each unfinished item can finish. It may walk
    # into a year no calendar knows yet; then earliest finish and slack stay unknown (and the
    # schedule says why) rather than guessed, while the backward plan stands.
    earliest: dict[str, date] = {}
    forward_error: CalendarError | None = None
    try:
        first_day = calendar.snap_forward(as_of)
        for item in order:
            item_id = item.id
            if item_id in fixed:
                earliest[item_id] = fixed[item_id]
                continue
            if getattr(item, "term", None) is not None:
                continue  # no time node: nothing to finish by, and it holds up no successor
            before = [earliest[ref] for ref in preds[item_id] if ref in earliest]
            duration = durations[item_id]
            if duration in (None, 0):  # a milestone
                earliest[item_id] = calendar.snap_forward(max(first_day, *before)) if before else first_day
            elif unit_of(duration) == COUNTED:
                begin = max([first_day, *(calendar.add(p, 1) for p in before)])
                earliest[item_id] = calendar.add(begin, duration - 1) if duration > 1 else begin
            else:  # a natural or working-day span may start on any day after its predecessors
                begin = max([as_of, *(p + ONE_DAY for p in before)])
                earliest[item_id] = calendar.snap_forward(_span_end(duration, begin, calendar))
    except CalendarError as e:
        forward_error = e
        earliest = {item_id: day for item_id, day in fixed.items()}

    slack: dict[str, int | None] = {}
    for item in items:
        item_id = item.id
        end_by = finish[item_id]
        if item_id in fixed:
            slack[item_id] = 0
        elif end_by is None or item_id not in earliest:
            slack[item_id] = None
        else:
            slack[item_id] = calendar.between(earliest[item_id], end_by)
    least = min((s for i, s in slack.items() if s is not None and i not in fixed), default=None)
    planned = []
    for item in items:
        item_id = item.id
        duration = durations[item_id]
        is_fixed = item_id in fixed
        planned.append(Planned(item_id, start[item_id], finish[item_id], earliest.get(item_id), slack[item_id],
                               least is not None and not is_fixed and slack[item_id] == least,
                               duration or 0, duration in (None, 0), is_fixed, bound_by[item_id]))
    return Schedule(ledger.code, ledger.deadline, _calendar_named(ledger, calendar), planned, forward_error)


def _backward(ledger: Ledger, order: list[Item], durations: dict[str, Any], preds: dict[str, list[str]],
              fixed: dict[str, date], calendar: Calendar
              ) -> tuple[dict[str, date | None], dict[str, date | None], dict[str, str | None]]:
    """The backward pass, successors first: each item finishes as late as its bounds allow (an
    item closed by the as-of day, in `fixed`, at its close). Its starts, finishes and bounds."""
    successors: dict[str, list[str]] = {item_id: [] for item_id in durations}
    for item_id, refs in preds.items():
        for ref in refs:
            successors[ref].append(item_id)
    for ids in successors.values():
        if len(ids) > 1:
            ids.sort(key=item_number)  # ties in `bound_by` go to the lowest id, whatever the file order
    start: dict[str, date | None] = {}
    finish: dict[str, date | None] = {}
    bound_by: dict[str, str | None] = {}
    deadline = ledger.deadline
    for item in reversed(order):
        item_id = item.id
        if item_id in fixed:
            finish[item_id] = fixed[item_id]
            start[item_id] = _start(durations[item_id], fixed[item_id], calendar)
            bound_by[item_id] = "closed"
            continue
        if getattr(item, "term", None) is not None:  # 长期坚持, 每月25日前: no time node to plan to
            start[item_id] = finish[item_id] = bound_by[item_id] = None
            continue
        bound: date | None = None
        source: str | None = None
        for candidate, why in ((deadline, "deadline"), (item.due, "due")):
            if candidate is not None and (bound is None or candidate <= bound):
                bound, source = candidate, why
        for succ_id in successors[item_id]:
            succ_start, succ_finish = start[succ_id], finish[succ_id]
            if succ_start is None or succ_finish is None:  # both or neither
                continue
            limit = succ_finish if durations[succ_id] in (None, 0) else succ_start - ONE_DAY
            if bound is None or limit < bound:
                bound, source = limit, succ_id
        if bound is None:
            start[item_id] = finish[item_id] = bound_by[item_id] = None
            continue
        end = calendar.snap(bound)
        finish[item_id] = end
        start[item_id] = _start(durations[item_id], end, calendar)
        bound_by[item_id] = source
    return start, finish, bound_by


def planned_finishes(ledger: Ledger, calendar: Calendar) -> dict[str, date | None]:
    """Each item's finish as 倒排工期 plans it with every close undone (no as-of day: the
    backward pass alone). Raises CycleError, CalendarError."""
    durations, preds = _read_items(ledger.items)
    try:
        return _backward(ledger, topological_order(ledger.items), durations, preds, {}, calendar)[1]
    except OverflowError:
        raise CalendarError("plan_beyond_dates") from None


def _read_items(items: list[Item]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """What the passes read of each item, worked out once (a cached item builds its Duration
    anew on every read): its duration, and its predecessors, each named once, not itself."""
    durations = {item.id: item.duration for item in items}
    preds = {item.id: [ref for ref in dict.fromkeys(item.after) if ref in durations and ref != item.id]
             for item in items}
    return durations, preds


def _flat_plan(ledger: Ledger, as_of: date, calendar: Calendar) -> Schedule:
    """`plan` for a project of time nodes only (no durations, no predecessors: most ledgers):
    every item is a milestone bound by its `due` and the deadline. Same result, less work."""
    deadline = ledger.deadline
    planned = []
    forward_error = None
    try:
        first_day = calendar.snap_forward(as_of)
    except CalendarError as e:
        first_day, forward_error = None, e
    for item in ledger.items:
        closed = item.closed
        if closed is not None and closed.date <= as_of:
            day = closed.date
            planned.append(Planned(item.id, day, day, day, 0, False, 0, True, True, "closed"))
            continue
        due = item.due
        if getattr(item, "term", None) is not None:  # 长期坚持, 每月25日前: no time node to plan to
            planned.append(Planned(item.id, None, None, None, None, False, 0, True, False, None))
            continue
        if due is not None and (deadline is None or due <= deadline):
            bound, source = due, "due"
        elif deadline is not None:
            bound, source = deadline, "deadline"
        else:
            planned.append(Planned(item.id, None, None, first_day, None, False, 0, True, False, None))
            continue
        finish = calendar.snap(bound)
        slack = calendar.between(first_day, finish) if first_day is not None else None
        planned.append(Planned(item.id, finish, finish, first_day, slack, False, 0, True, False, source))
    slacks = [p.slack for p in planned if p.slack is not None and not p.fixed]
    if slacks:
        least = min(slacks)
        for p in planned:
            if not p.fixed and p.slack == least:
                p.critical = True
    return Schedule(ledger.code, ledger.deadline, _calendar_named(ledger, calendar), planned, forward_error)


def _calendar_named(ledger: Ledger, calendar: Calendar) -> str:
    # The ledger's own calendar, else the one the plan was made in (the repository's default).
    return calendar_name(ledger.calendar) if ledger.calendar is not None else calendar.name


def _start(duration: Any, finish: date, calendar: Calendar) -> date:
    """The start of an item of `duration` (an int or a Duration; None: a milestone) that
    finishes on `finish`."""
    days = duration or 0
    unit = unit_of(duration)
    if unit == MONTHS and days:
        return _months_before(finish, days) + ONE_DAY
    if unit == NATURAL:
        return finish - timedelta(days=days - 1) if days > 1 else finish
    if unit != COUNTED and days:  # N个工作日: N official working days ending on the finish
        workdays = official(calendar.extra)
        return workdays.add(workdays.snap(finish), -(days - 1))
    if days <= 1:  # a milestone, or a one-day item
        return finish
    return calendar.add(finish, -(days - 1))


def _span_end(duration: Any, begin: date, calendar: Calendar) -> date:
    """The last day of a natural or working-day span that starts on `begin` (forward pass)."""
    days = duration or 0
    unit = unit_of(duration)
    if unit == MONTHS:
        return _months_before(begin - ONE_DAY, -days)
    if unit == NATURAL:
        return begin + timedelta(days=days - 1)
    workdays = official(calendar.extra)
    return workdays.add(workdays.snap_forward(begin), days - 1)


def _months_before(day: date, months: int) -> date:
    """The same date `months` calendar months earlier (later when negative), or that month's
    last day (03-31 two months back → 01-31; 04-30 → 02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    if not date.min.year <= year <= date.max.year:
        raise OverflowError(f"year {year} is out of range")  # as a day's arithmetic would (plan)
    return date(year, month, min(day.day, monthrange(year, month)[1]))
