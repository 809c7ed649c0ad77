"""A ledger's entry in the view cache (views.py): its verdict — the warnings its reading found;
a ledger read with errors gets no entry — and its day-free facts, sealed together, one entry per
ledger, keyed by its bytes and the repository's `year`.

The framing lives here, apart from views.py, because a write asks only the verdict (has `status`
or `check` vouched for these very bytes?): from here it reads it without importing the lights,
the plan or msgspec (about 13 ms of a small `close`'s 90). The warnings come on a line of their
own before the facts, so that they are read without decoding the facts.

An entry: its seal (of all that follows), the key, the warnings as JSON, the facts as JSON, one
line each but the facts (JSON has no raw line break in a value).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from taizhang.errors import Problem
from taizhang.repo.cache import Cache
from taizhang.repo.layout import rel_path

# 10: day-free facts and verdicts, one entry per ledger, msgspec; 11: ItemView.behind; 12: a
# light's stale items kept apart in the day entry; 13: the warnings on a line before the facts
FORMAT = 13

Warnings = list[tuple[int, int, str, dict[str, Any]]]  # (line, col, key, args) of a ledger's warnings


def entry_name(name: str) -> str:
    """The entry of the ledger file `name`."""
    return "views/ledgers__" + name + ".json"


def facts_key(cache: Cache, raw: bytes, year: int | None) -> str:
    """The key of the entry made from a ledger's bytes `raw` read with `year`."""
    return cache.key(raw, f"facts|{FORMAT}|{year}")


def store(cache: Cache, name: str, key: str, warnings: bytes, facts: bytes) -> None:
    """Keep the entry of ledger `name`: its warnings and facts, each as JSON (one line)."""
    if b"\n" in warnings:
        return  # (never: JSON encoders escape a line break)
    content = key.encode("ascii") + b"\n" + warnings + b"\n" + facts
    cache.write_raw(entry_name(name), cache.mac(content).encode("ascii") + b"\n" + content)


def sealed(cache: Cache, name: str, key: str) -> tuple[bytes, memoryview] | None:
    """The warnings and facts (JSON) of ledger `name`'s entry when it was made under `key` and
    sealed by this machine; else None. The facts are a view of the bytes read, not a copy (a
    large ledger's are megabytes)."""
    raw = cache.read_raw(entry_name(name))
    if raw is None:
        return None
    seal_end = raw.find(b"\n")
    key_end = raw.find(b"\n", seal_end + 1)
    warnings_end = raw.find(b"\n", key_end + 1)
    # The key first (a changed ledger costs no seal over its old entry), then the seal of all.
    if seal_end < 0 or key_end < 0 or warnings_end < 0 or raw[seal_end + 1:key_end] != key.encode("ascii"):
        return None
    whole = memoryview(raw)
    if raw[:seal_end] != cache.mac(whole[seal_end + 1:]).encode("ascii"):
        return None
    return raw[key_end + 1:warnings_end], whole[warnings_end + 1:]


def read_warnings(data: bytes) -> Warnings | None:
    """An entry's warnings, None when they are not of this format."""
    try:
        warnings = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(warnings, list) or not all(
            isinstance(w, list) and len(w) == 4 and type(w[0]) is int and type(w[1]) is int
            and isinstance(w[2], str) and isinstance(w[3], dict) for w in warnings):
        return None
    return [(w[0], w[1], w[2], w[3]) for w in warnings]


def placed(cache: Cache, path: Path, warnings: Warnings) -> list[Problem]:
    """An entry's warnings as the problems of the ledger `path`."""
    if not warnings:
        return []  # (most ledgers: and placing costs two resolves of the path)
    where = rel_path(cache.root, path)
    return [Problem(where, line, col, k, args, "warning") for line, col, k, args in warnings]


def verdict(cache: Cache, path: Path, raw: bytes, year: int | None) -> list[Problem] | None:
    """The warnings of the ledger `path` when its entry vouches for these very bytes read with
    `year` (an entry is made only for a ledger read without errors, under settings and calendars
    without errors); None when there is no such entry. A write takes it as the read cache's
    verdict: `status` and `check` keep one entry per ledger, this one."""
    if cache.folder is None:
        return None
    found = sealed(cache, path.name, facts_key(cache, raw, year))
    warnings = read_warnings(found[0]) if found is not None else None
    return placed(cache, path, warnings) if warnings is not None else None
