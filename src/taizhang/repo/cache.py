"""A per-ledger cache of what reading a ledger found, so that a command re-reads only the ledgers
that changed since the last one.

An entry is keyed by the file's *content* (a BLAKE2 hash of its bytes), the tool's version and
the settings that change how a file reads (`year`): an edit by hand, by taizhang, or a
`git checkout` of an older file of the same size all change the key, so a stale entry is never
used. Only files without errors are cached. Entries live in `.taizhang/cache/`, which git
ignores; an unreadable or corrupt entry is ignored and rewritten. The cache never changes a
result: the tests run commands with and without it and compare.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from taizhang.version import __version__
from taizhang.errors import Problem

FORMAT = 3


def cache_key(raw: bytes, year: int | None) -> str:
    h = hashlib.blake2b(raw, digest_size=20)
    h.update(f"|{__version__}|{FORMAT}|{year}".encode())
    return h.hexdigest()


def _entry_path(state: Path, rel_path: str) -> Path:
    return state / "cache" / (rel_path.replace("/", "__") + ".json")


def digest(data: bytes) -> str:
    """What an entry (or part of one) is checked against before use: an entry damaged on disk,
    even into other JSON of the same length, is read again from the ledger rather than believed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def seal(content: bytes) -> bytes:
    """`content` behind a first line holding its digest."""
    return digest(content).encode("ascii") + b"\n" + content


def unseal(raw: bytes) -> bytes | None:
    """What `seal` sealed, or None if it is not what was written."""
    check, _, content = raw.partition(b"\n")
    return content if check == digest(content).encode("ascii") else None


def load(state: Path, rel_path: str, key: str) -> tuple[bytes, list[Problem]] | None:
    """(data as JSON bytes, warnings) stored for this content, or None. The data stays JSON so
    that pydantic reads it straight into models (`model_validate_json`)."""
    try:
        with open(_entry_path(state, rel_path), "rb") as handle:
            content = unseal(handle.read())
        if content is None:
            return None
        head, _, data = content.partition(b"\n")
        entry = json.loads(head)
        if entry.get("key") != key or not data:
            return None
        warnings = [Problem(rel_path, p[0], p[1], p[2], p[3], "warning") for p in entry["warnings"]]
        return data, warnings
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # missing or corrupt: read the file again


def store(state: Path, rel_path: str, key: str, data: Any, warnings: list[Problem]) -> None:
    """Remember what this content reads as. A cache that cannot be written is no error."""
    try:
        # The digest; a line of key and warnings; the data (JSON has no raw newline in a value).
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        entry = {"key": key, "warnings": [[p.line, p.col, p.key, p.args] for p in warnings]}
        head = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return  # data JSON cannot hold (never the case for a valid ledger)
    write_entry(_entry_path(state, rel_path), seal(head + b"\n" + body))


def write_entry(path: Path, content: bytes) -> None:
    """Write a cache entry whole (a reader sees the old one or the new one), leaving no
    temporary file behind when it cannot. A cache that cannot be written is no error."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
