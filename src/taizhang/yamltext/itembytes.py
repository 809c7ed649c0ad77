"""One item's lines, as bytes, without reading the file.

`log ID` asks what happened to one item over thousands of versions of a ledger. A commit that
left the item's lines as they were, and changed nothing before them that could change what they
mean, did nothing to the item. `item_lines` finds the lines at C speed and `same_item` compares
two versions; each answers None or False (read the versions) wherever the bytes alone cannot
vouch. Neither judges whether a version reads: that is the reader's.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ItemLines", "item_lines", "item_spot", "same_item"]

# Where a version holds these, only reading it says what it holds: a backslash (an escape in a
# double-quoted scalar can spell any id), NUL (UTF-16, a binary), git's conflict markers (the
# file does not read), a directive (%TAG changes what a tag means). (Each asked of its one
# character first: memchr, where the longer needle is a slower search.)
_UNVOUCHED = ((b"\\", b"\\"), (b"\x00", b"\x00"), (b"%", b"\n%"), (b"<", b"<<<<<<<"), (b"=", b"======="),
              (b">", b">>>>>>>"), (b"|", b"|||||||"))
# An item's first line: `  - id: X`, the id plain or quoted, a comment after it.
_ENTRY_PREFIX = re.compile(rb"( *)-( +)id: *(['\"]?)")
_ENTRY_SUFFIX = re.compile(rb"(['\"]?) *(?:#[^\n]*)?\r?")
# A key before the id on its line (`after: [`, `{date: …, text: `): the id is in its value.
_KEY_BEFORE = re.compile(rb"[A-Za-z0-9_] *: ")
_SEQUENCE_ENTRY = re.compile(rb" *(?:- +)+")
_AROUND_BEFORE = frozenset(b" '\"[{,:\n")
_AROUND_AFTER = frozenset(b" \t\r\n'\",]}#")
_NOT_QUOTES = bytes(c for c in range(256) if c not in b"'\"")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_CHUNK = 4096


class ItemLines(NamedTuple):
    """An item's lines in a ledger text: their bytes (b"": it has none; of several entries
    with its id, all), where they begin and end (-1: nowhere), the column of their dash."""

    text: bytes
    start: int = -1
    end: int = -1
    dash: int = 0


def item_lines(raw: bytes | None, item_id: str) -> ItemLines | None:
    """The lines of the item `item_id` in the ledger text `raw` (none where there is no file),
    or None where the text alone cannot say: the item stands first in a block list entry whose
    lines are each whole in themselves (no quote or bracket left open, no alias), and nothing
    else in the text could be that id (an `id` key before it on its line, a value on a line of
    its own)."""
    if raw is None:
        return ItemLines(b"")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"%")) or any(c in raw and s in raw for c, s in _UNVOUCHED):
        return None
    entries: list[tuple[int, int, int]] = []
    for found in re.finditer(re.escape(item_id.encode("ascii")), raw):  # (re: the fastest scan of a short needle)
        at, end = found.span()
        # (CH-50, XCH-5, 关于CH-5: another token, not a scalar that is the id)
        if not ((at == 0 or raw[at - 1] in _AROUND_BEFORE) and (end == len(raw) or raw[end] in _AROUND_AFTER)):
            continue
        line = raw.rfind(b"\n", 0, at) + 1
        line_end = raw.find(b"\n", end)
        line_end = len(raw) if line_end < 0 else line_end
        prefix = raw[line:at]
        first = _ENTRY_PREFIX.fullmatch(prefix)
        if first is None:
            if b"id" in prefix or b"*" in prefix or not (_KEY_BEFORE.search(prefix) or _SEQUENCE_ENTRY.fullmatch(prefix)):
                return None  # an id key before it, an alias, or nothing saying whose value it is
            continue
        suffix = _ENTRY_SUFFIX.fullmatch(raw, end, line_end)
        if suffix is None or suffix.group(1) != first.group(3):
            return None
        stop = _entry_end(raw, line_end, len(first.group(1)))
        if stop is None:
            return None
        entries.append((line, stop, len(first.group(1))))
    if not entries:
        return ItemLines(b"")
    if len({dash for _, _, dash in entries}) != 1:
        return None
    return ItemLines(b"\x00".join(raw[a:b] for a, b, _ in entries), entries[0][0], entries[-1][1], entries[0][2])


def item_spot(raw: bytes, item_id: str) -> tuple[int, int] | None:
    """Where the item `item_id`, one the ledger has, stands in its text `raw` as the reader
    places it (the line and column of its `id` key, both 1-based), found from the bytes alone;
    None where they cannot vouch (item_lines), or the text has no such entry or several. `check`
    places the plan's findings so, without composing every ledger again. (Of an id the ledger
    does not have, a block scalar's `- id: X` line could be taken for it: not to be asked.)"""
    lines = item_lines(raw, item_id)
    if lines is None or lines.start < 0 or b"\x00" in lines.text:
        return None
    first = _ENTRY_PREFIX.match(raw, lines.start)
    if first is None:
        return None
    return raw.count(b"\n", 0, lines.start) + 1, len(first.group(1)) + 1 + len(first.group(2)) + 1


def _entry_end(raw: bytes, first_end: int, dash: int) -> int | None:
    """Where the entry whose dash stands at column `dash` ends (its first line ending at
    `first_end`): before the next line indented no deeper (blank lines and comments are its);
    None where one of its lines may reach past that (an open quote or bracket, an alias, a tag,
    a tab)."""
    at = first_end
    while at < len(raw):
        nxt = raw.find(b"\n", at + 1)
        nxt = len(raw) if nxt < 0 else nxt
        body = raw[at + 1:nxt].lstrip(b" ")
        if body.startswith(b"\t"):
            return None
        if body.strip() and not body.startswith(b"#") and nxt - (at + 1) - len(body) <= dash:
            break
        at = nxt
    stop = min(at + 1, len(raw))  # (with its line break, where it has one)
    start = raw.rfind(b"\n", 0, first_end) + 1
    text = raw[start:stop]
    if b"*" in text or b"!" in text or b"\t" in text:
        return None
    return stop if all(_whole(line) for line in text.split(b"\n")) else None


def _whole(line: bytes) -> bool:
    """Whether a line leaves the reader as it found it, whatever that was: its quotes come in
    pairs of one kind (`"…"`, `'…'`, `''`: each pair opens and closes, or closes and opens, or
    is text inside the other kind), its brackets close in the order they open."""
    quotes = line.translate(None, _NOT_QUOTES)
    if quotes and (len(quotes) % 2 or quotes[0::2] != quotes[1::2]):
        return False
    brackets = line.translate(None, _NOT_BRACKETS)
    while brackets:
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if shorter == brackets:
            return False
        brackets = shorter
    return True


def same_item(old: bytes, new: bytes, old_lines: ItemLines, new_lines: ItemLines) -> bool:
    """Whether two versions of a ledger, each read without problems, hold the item alike, as far
    as their bytes tell (False: read them). Its lines are the same bytes, and what changed
    between the versions lies after them (then everything up to their end is as it was), or
    in lines of the list that carry no quote, no comment and no bracket left open (then
    whatever the reader was in where the change begins, a quoted scalar or a flow collection
    begun earlier, it is in that still where the change ends: from there the bytes are the
    same again, and read the same)."""
    if old_lines.text != new_lines.text:
        return False
    if not old_lines.text:
        return True  # (no line of either could be its id)
    head = _common_head(old, new)
    if head >= old_lines.end:
        return True
    tail = _common_tail(old, new, min(len(old), len(new)) - head)
    return all(_plain_lines(text, head, len(text) - tail, old_lines.dash) for text in (old, new))


def _common_head(old: bytes, new: bytes) -> int:
    """How many bytes the two share at their start: a chunk at a time, then bisected."""
    size = min(len(old), len(new))
    head = 0
    while head < size and old[head:head + _CHUNK] == new[head:head + _CHUNK]:
        head += _CHUNK
    low, high = head, min(head + _CHUNK, size)
    while low < high:
        mid = (low + high + 1) // 2
        if old[head:mid] == new[head:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_tail(old: bytes, new: bytes, limit: int) -> int:
    """How many bytes (at most `limit`) the two share at their end."""
    tail = 0
    while tail + _CHUNK <= limit and old[len(old) - tail - _CHUNK:len(old) - tail] == \
            new[len(new) - tail - _CHUNK:len(new) - tail]:
        tail += _CHUNK
    low, high = tail, min(tail + _CHUNK, limit)
    while low < high:
        mid = (low + high + 1) // 2
        if old[len(old) - mid:len(old) - tail] == new[len(new) - mid:len(new) - tail]:
            low = mid
        else:
            high = mid - 1
    return low


def _plain_lines(raw: bytes, start: int, stop: int, dash: int) -> bool:
    """Whether the whole lines over raw[start:stop] are plain lines of a list whose dashes stand
    at column `dash`: blank, or indented deeper, or a dash at that column; without a quote, a
    comment or a tab; their brackets closing in the order they open."""
    begin = raw.rfind(b"\n", 0, start) + 1
    end = raw.find(b"\n", max(stop, begin))
    text = raw[begin:len(raw) if end < 0 else end]
    if any(c in text for c in (b'"', b"'", b"#", b"\t")):
        return False
    for line in text.split(b"\n"):
        body = line.lstrip(b" ")
        if not body.strip(b"\r"):
            continue
        indent = len(line) - len(body)
        if indent < dash or (indent == dash and not (body[:2] == b"- " or body.rstrip(b"\r") == b"-")):
            return False
        if (b"[" in body or b"{" in body or b"]" in body or b"}" in body) and not _whole(body):
            return False
    return True
