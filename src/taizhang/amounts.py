"""Money as offices write it, read into exact 万元 (never floats)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any


class AmountError(ValueError):
    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(key)


# Multipliers into 万元.
_UNITS = {
    "": Decimal(1), "万": Decimal(1), "万元": Decimal(1),
    "亿": Decimal(10000), "亿元": Decimal(10000),
    "元": Decimal("0.0001"),
}
_AMOUNT = re.compile(r"^\s*([+-]?\d[\d,，]*(?:\.\d+)?)\s*(万元|万|亿元|亿|元)?\s*$")


def parse_amount(value: Any) -> Decimal:
    """`300亿` → 3000000, `3000万元` → 3000, `1.2` → 1.2 (a bare number is 万元)."""
    if isinstance(value, bool) or value is None:
        raise AmountError("amount_unreadable", text=str(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() gives the shortest text that reads back as this float: what the clerk typed.
        return Decimal(repr(value))
    m = _AMOUNT.match(str(value))
    if not m:
        raise AmountError("amount_unreadable", text=str(value))
    try:
        number = Decimal(m[1].replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise AmountError("amount_unreadable", text=str(value)) from None
    result = number * _UNITS[m[2] or ""]
    # Whole amounts stay whole (3000000, not 3.000000E+6) so JSON prints them as offices write them.
    return Decimal(int(result)) if result == result.to_integral_value() else result.normalize()


def format_wan(amount: Decimal) -> str:
    """Exact decimal string without exponent: Decimal('3E+6') → '3000000'."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
