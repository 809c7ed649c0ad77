"""Trends (SPEC §7): per week (Monday to Sunday) or calendar month, the ledgers as committed on the
period's last day, judged on that day. Pure functions over plain snapshots (the ledgers of each
period, read from git by gitops/history.py).

What each period counts, on its judging day J (the period's last day, or the as-of day for the
period that holds it):
- lights: every item's light on J (lights.evaluate), from the ledgers as committed on J;
- burn-up, cumulative: `due` items whose time node is on or before J, `closed` items closed on or
  before J, `closed_late` those of them closed after their node (逾期销号), `items` all items;
- `closed_in_period`: closes dated inside the period (as committed on J);
- `moved`: items whose time node was moved (`changes:`), None when the ledgers' model has none;
- investment, 万元: completed in J's year up to J's month, the year's plan, and the plan times
  序时进度 of J (the time line), over the projects that record investment.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal, Sequence

from taizhang.domain.calendars import NO_EXTRA, YearDays
from taizhang.domain.invest import invest_figures, time_progress
from taizhang.domain.lights import ALL_LIGHTS, evaluate

if TYPE_CHECKING:
    from taizhang.domain.models import Ledger, Settings

TrendBy = Literal["week", "month"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Span:
    """A period of a trend: both ends included; `judged` is the day it is judged on."""

    start: date
    end: date
    judged: date


def spans(by: TrendBy, first: date, as_of: date) -> list[Span]:
    """The periods from the one holding `first` to the one holding `as_of`; the last is judged on
    `as_of` (its remaining days have not happened yet)."""
    found: list[Span] = []
    day = first
    while day <= as_of:
        if by == "week":
            start = day - timedelta(days=day.weekday())
            end = start + timedelta(days=6)
        else:
            start = day.replace(day=1)
            end = day.replace(day=_calendar.monthrange(day.year, day.month)[1])
        found.append(Span(start, end, min(end, as_of)))
        day = end + timedelta(days=1)
    return found


@dataclass(frozen=True)
class TrendPoint:
    span: Span
    commit: str | None
    lights: dict[str, int]
    items: int
    due: int
    closed: int
    closed_late: int
    closed_in_period: int
    moved: int | None
    planned: Decimal | None  # the year's plan of the projects recording investment; None: none
    completed: Decimal
    timeline: Decimal | None  # planned × 序时进度 of the judging day
    broken: int  # ledger files left out: unreadable in that commit

    def to_json(self) -> dict[str, Any]:
        from taizhang.domain.amounts import format_wan

        return {"start": self.span.start.isoformat(), "end": self.span.end.isoformat(),
                "judged": self.span.judged.isoformat(), "commit": self.commit,
                "lights": dict(self.lights), "items": self.items, "due": self.due, "closed": self.closed,
                "closed_late": self.closed_late, "closed_in_period": self.closed_in_period,
                "moved": self.moved,
                "invest": {"planned": format_wan(self.planned) if self.planned is not None else None,
                           "completed": format_wan(self.completed),
                           "timeline": format_wan(self.timeline) if self.timeline is not None else None},
                "broken": self.broken}


def has_moves(model: type) -> bool:
    """Whether items can record moved time nodes (`changes:`, SPEC §7 "Moving a time node")."""
    return "changes" in getattr(model, "model_fields", {})


def trend_point(span: Span, commit: str | None, ledgers: Sequence[Ledger], settings: Settings,
                extra: YearDays = NO_EXTRA, *, broken: int = 0, moves: bool = False) -> TrendPoint:
    """One period's figures from the ledgers as committed on its judging day."""
    day = span.judged
    lights: dict[str, int] = {light: 0 for light in ALL_LIGHTS}
    items = due = closed = late = in_period = 0
    for project in evaluate(ledgers, day, settings, extra):
        for v in project.items:
            items += 1
            lights[v.light] += 1
            if v.due is not None and v.due <= day:
                due += 1
            if v.closed_on is not None:
                closed += 1
                if v.due is not None and v.closed_on > v.due:
                    late += 1
                if span.start <= v.closed_on:
                    in_period += 1
    moved = sum(1 for ledger in ledgers for item in ledger.items if getattr(item, "changes", None)) if moves else None
    planned: Decimal | None = None
    completed = Decimal(0)
    for ledger in ledgers:
        figures = invest_figures(ledger, day)
        if figures is None:
            continue
        completed += figures.completed
        if figures.planned is not None:
            planned = (planned or Decimal(0)) + figures.planned
    # Rounded to the 百元 the amounts are written in: an exact 166/365 of a plan has no end.
    timeline = (planned * time_progress(day)).quantize(CENT, ROUND_HALF_UP) if planned is not None else None
    return TrendPoint(span, commit, lights, items, due, closed, late, in_period, moved, planned, completed,
                      timeline, broken)


@dataclass(frozen=True)
class Trend:
    by: TrendBy
    as_of: date
    codes: tuple[str, ...]
    points: list[TrendPoint]
    title: str | None = None

    @property
    def has_invest(self) -> bool:
        return any(p.planned is not None or p.completed for p in self.points)

    @property
    def has_moves(self) -> bool:
        return any(p.moved is not None for p in self.points)

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "as_of": self.as_of.isoformat(), "codes": list(self.codes),
                "periods": [p.to_json() for p in self.points]}
