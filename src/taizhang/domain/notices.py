"""The 督办通知单 as data (SPEC §7): what one unit's notice says, built by the repository and
laid out by render/notice.py."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Optional


@dataclass
class NoticeItem:
    """One 督办事项 as the notice states it."""

    id: str
    title: str
    project: str
    due: Optional[Date]
    days_left: Optional[int]
    leader: Optional[str]
    last_note: Optional[str]
    last_note_on: Optional[Date]
    assisting: bool  # the unit is named after the lead: 配合


@dataclass
class NoticePage:
    """One unit's notice."""

    number: str
    unit: str
    issuer: str
    date: Date
    reply_by: Optional[Date]
    signer: Optional[str]
    items: list[NoticeItem] = field(default_factory=list)


def number_key(number: str) -> str:
    """A number as it reads on paper: full-width digits, letters and brackets as half-width
    (NFKC), spaces left out. `督字〔2018〕５号`, `督字〔2018〕5号 ` and `督字〔2018〕5号` are one
    number: one office typing it by hand, from a scan or a sheet, does not make another."""
    return "".join(unicodedata.normalize("NFKC", number).split())


def repeated_numbers(numbers: Sequence[str]) -> dict[str, list[int]]:
    """Each number borne by more than one notice (two offices each issued one, then merged;
    spelled alike as `number_key` reads them), with the places of all that bear it, in order
    (numbers as first written, in the order they first appear)."""
    places: dict[str, list[int]] = {}
    first: dict[str, str] = {}
    for i, number in enumerate(numbers):
        key = number_key(number)
        places.setdefault(first.setdefault(key, number), []).append(i)
    return {number: found for number, found in places.items() if len(found) > 1}
