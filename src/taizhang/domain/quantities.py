"""Quantities (SPEC §7): `target: 2836户` is a number and a unit of count; notes carry `done:`
the quantity delivered so far. Lit like investment: the share done against the share of time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

_QUANTITY = re.compile(r"\s*([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(\S*?)\s*")


class QuantityError(ValueError):
    """A target that is not a number followed by a unit."""


def parse_quantity(value: Any) -> tuple[Decimal, str]:
    """`2836户` → (2836, "户"); a bare number has no unit."""
    if isinstance(value, bool):
        raise QuantityError(str(value))
    if isinstance(value, (int, Decimal)):
        number, unit = Decimal(value), ""
    elif isinstance(value, float):
        number, unit = Decimal(str(value)), ""
    elif isinstance(value, str):
        match = _QUANTITY.fullmatch(value)
        if match is None or re.search(r"[0-9]", match.group(2)):
            raise QuantityError(value)
        try:
            number = Decimal(match.group(1).replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise QuantityError(value) from None
        unit = match.group(2)
    else:
        raise QuantityError(str(value))
    if number <= 0:
        raise QuantityError(str(value))
    return number, unit


def done_on(notes: Iterable[Any], as_of: date) -> Decimal | None:
    """The quantity done by `as_of`: that of the latest note (on or before it) that says one."""
    latest: tuple[date, Decimal] | None = None
    for note in notes:
        done = getattr(note, "done", None)
        if done is not None and note.date <= as_of and (latest is None or note.date >= latest[0]):
            latest = (note.date, done)
    return latest[1] if latest else None


@dataclass(frozen=True, slots=True)
class Progress:
    """An item's quantity on the as-of day: done of target, and how far behind time it is."""

    target: Decimal
    unit: str
    done: Decimal
    lag: Decimal | None  # share of time − share done, in points; None without a time span

    @property
    def share(self) -> Decimal:
        return self.done / self.target

    def text(self) -> str:
        """`1120/2836户 39%`."""
        percent = (self.share * 100).quantize(Decimal(1), ROUND_HALF_UP)
        return f"{_number(self.done)}/{_number(self.target)}{self.unit} {percent}%"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def progress(target: str | None, notes: Iterable[Any], as_of: date, node: date | None,
             start: date | None) -> Progress | None:
    """The quantity progress of an item with a `target`; the share of time runs from its
    scheduled start (else 1 January of its node's year) to its time node (SPEC §7)."""
    if target is None:
        return None
    try:
        number, unit = parse_quantity(target)
    except QuantityError:
        return None
    done = done_on(notes, as_of) or Decimal(0)
    lag = None
    if node is not None:
        # A start equal to the node is no span of work (an item without a duration): the year runs.
        begin = start if start is not None and start < node else date(node.year, 1, 1)
        span = (node - begin).days + 1
        elapsed = min(max((as_of - begin).days + 1, 0), span)
        time_share = Decimal(elapsed) / Decimal(span)
        lag = (time_share - done / number) * 100
    return Progress(number, unit, done, lag)


def quantity_light(lag: Decimal | None, yellow: Decimal, red: Decimal) -> Literal["red", "yellow"] | None:
    """red/yellow when the share done lags the share of time by more than the thresholds."""
    if lag is None:
        return None
    if lag > red:
        return "red"
    if lag > yellow:
        return "yellow"
    return None


__all__ = ["Progress", "QuantityError", "done_on", "parse_quantity", "progress", "quantity_light"]
