"""Joint units (SPEC §7): a `unit` may name several units. As official documents write it, the
first named leads (牵头) and the rest assist (配合).

A unit is written as text (`区住建局、区财政局、各街道`: separated by `、` `，` `,` `;` `；` or line
breaks) or as a YAML list, whose items are never cut (a name such as `各县、市、区政府` that the
separators would cut stays whole when written as a list item).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Union

UnitValue = Union[str, Sequence[str], None]

SEPARATORS = re.compile(r"[、，,;；\r\n]+")


def units_of(value: UnitValue) -> list[str]:
    """The units a `unit` value names, lead first, each once, blanks dropped."""
    if value is None:
        return []
    parts = _split(value) if isinstance(value, str) else [str(v) for v in value]
    # A dict keeps the first of each name in order: a list's `in` made a unit naming n units
    # quadratic (2,000 names, 2 M comparisons).
    return list(dict.fromkeys(part for part in (p.strip() for p in parts) if part))


# A name quoted in a cell (`区财政局、“各县、市、区政府”`, as export writes a list whose names hold a
# separator) stays whole.
_QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")


def _split(text: str) -> list[str]:
    if "“" not in text and '"' not in text:
        return SEPARATORS.split(text)
    parts: list[str] = []
    at = 0
    for match in _QUOTED.finditer(text):
        parts.extend(SEPARATORS.split(text[at:match.start()]))
        parts.append(match.group(1) if match.group(1) is not None else match.group(2))
        at = match.end()
    parts.extend(SEPARATORS.split(text[at:]))
    return parts


def lead_unit(value: UnitValue) -> str | None:
    """The unit that leads (牵头): the first named, or None."""
    units = units_of(value)
    return units[0] if units else None


def roles_of(value: UnitValue) -> dict[str, str]:
    """Each unit a `unit` value names, lead first, with its role: `"lead"` for the first (牵头),
    `"assist"` for the rest (配合). Asking it once serves every unit named: a caller that asked
    `role_of` per unit read the whole value per unit."""
    return {unit: "assist" if n else "lead" for n, unit in enumerate(units_of(value))}


def role_of(value: UnitValue, unit: str) -> str | None:
    """`"lead"` when `unit` leads, `"assist"` when it is named after the first (配合), else None."""
    return roles_of(value).get(unit)
