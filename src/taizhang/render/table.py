"""Plain-text tables for the terminal, aligned by display width (a CJK character is two cells),
with ANSI colours by style name. About 30× faster than rich's tables, which matters when a city's
ledgers put thousands of rows on the screen; widths come from rich's Unicode tables (`rich.cells`,
which imports none of the rest of rich), so emoji, Tangut, kana supplements and the rest of the
wide code points count two cells as they do in the terminal.

Characters of "ambiguous" East Asian width (●, ★, —, …) are one cell in some terminals and two in
others (Windows and Kylin consoles with CJK fonts): tables here avoid them, so columns line up
everywhere.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Sequence, Union

from rich.cells import cell_len

ANSI = {
    "light.red": "\x1b[1;31m", "light.yellow": "\x1b[1;33m", "light.green": "\x1b[32m",
    "light.done": "\x1b[2m", "light.none": "\x1b[35m", "project": "\x1b[1m", "muted": "\x1b[2m",
    "title": "\x1b[1m", "header": "\x1b[1m",
}
RESET = "\x1b[0m"

Cell = Union[str, tuple[str, str]]  # text, or (text, style name)


def width(text: str) -> int:
    """Terminal cells `text` takes: the one measure of every table, chart and briefing here."""
    if text.isascii():
        return len(text)  # most cells (ids, dates, amounts): no call, no cache look-up
    return cell_len(text)  # cached by rich: units, names and words repeat on every row


class _CharWidths(dict[str, int]):
    """`width(ch)` of each character met, kept: there are a few thousand at most, and folding
    and measuring a table's titles look every character up."""

    def __missing__(self, ch: str) -> int:
        cells = self[ch] = width(ch)
        return cells


_char_width = _CharWidths().__getitem__

# Where rich measures a text otherwise than as the sum of its characters: a zero-width joiner or
# variation selector 16 (an emoji sequence), and ASCII control characters (one cell alone, as
# width() counts any ASCII text by its length; none within other text). Elsewhere width(text) is
# the sum of width(ch) (tests/test_table.py checks every code point).
_NOT_A_SUM = re.compile("[\x00-\x1f\x7f\u200d\ufe0f]")


class _Widths(dict[str, int]):
    """One table's non-ASCII texts and their widths (as width(text)): units, names, lights and day
    counts repeat on thousands of rows, and a new text (a title) is a sum of characters looked up
    rather than rich's call per character. The running sums are kept for the texts that fold."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: dict[str, list[int]] = {}

    def __missing__(self, text: str) -> int:
        if _NOT_A_SUM.search(text) is None:
            ends = self.ends[text] = list(accumulate(map(_char_width, text)))
            cells = self[text] = ends[-1]
        else:
            cells = self[text] = cell_len(text)
        return cells


def fold(text: str, cells: int) -> list[str]:
    """Cut `text` into lines of at most `cells` cells (never inside a character)."""
    if width(text) <= cells:
        return [text]
    return _pieces(text, cells)[0]


def _pieces(text: str, cells: int, ends: list[int] | None = None) -> tuple[list[str], list[int]]:
    """`text` cut greedily: each line takes characters while they fit in `cells` (a character's
    own width, as width(ch)), and at least one; with each line's width (as width(line)). `ends`:
    the cells up to and including each character, where `_Widths` kept them (a text whose width
    is their sum)."""
    if text.isascii():  # one cell a character: slices
        step = max(cells, 1)
        lines = [text[i:i + step] for i in range(0, len(text), step)] or [text]  # "": one empty line
        return lines, [len(line) for line in lines]
    whole = ends is None and _NOT_A_SUM.search(text) is not None  # an emoji sequence, a control
    if ends is None:
        ends = list(accumulate(map(_char_width, text)))
    lines, widths, start, before, size = [], [], 0, 0, len(text)
    while start < size:
        # The first character from `start` that would end past the line's last cell.
        stop = bisect_right(ends, before + cells, start)
        if stop == start:
            stop += 1
        lines.append(text[start:stop])
        widths.append(ends[stop - 1] - before)
        before, start = ends[stop - 1], stop
    if whole:
        widths = [width(line) for line in lines]
    return lines, widths


@dataclass
class Column:
    header: str
    right: bool = False  # right-aligned (numbers)
    flex: bool = False  # gives up width when the table is too wide, and folds its text
    max_width: int | None = None  # folds beyond this
    # How the column gives way when the table is wider than the terminal (see `_fit`):
    drop: int = 0  # dropped in this order (1 first); 0: never
    min_width: int | None = None  # may be narrowed to this, its text folding
    merge: str | None = None  # neighbours with one key become one column: "2/0/1/3"


# A flexible column (a title) keeps this many cells while others can still give way.
FLEX_COMFORT = 24


@dataclass
class _Table:
    """A table by columns, each cell's text and width measured once and carried through the steps
    that make it fit (a city's overview has ~10,000 rows: dropping a column is then dropping a
    list, and a column's widest cell is one max)."""

    columns: list[Column]
    cells: list[Sequence[Cell]]  # by column
    texts: list[list[str]]
    widths: list[list[int]]
    widest: list[int]  # each column's widest cell or header
    known: _Widths  # the measures of its non-ASCII texts

    @classmethod
    def of(cls, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> _Table:
        for row in rows:
            if len(row) != len(columns):
                raise ValueError(f"a row of {len(row)} cells in a table of {len(columns)} columns")
        cells: list[Sequence[Cell]] = list(zip(*rows)) if rows else [() for _ in columns]
        return cls.measured(list(columns), cells)

    @classmethod
    def measured(cls, columns: list[Column], cells: list[Sequence[Cell]]) -> _Table:
        known = _Widths()
        texts = [[c if isinstance(c, str) else c[0] for c in column] for column in cells]
        widths = [[len(t) if t.isascii() else known[t] for t in column] for column in texts]
        return cls(columns, cells, texts, widths,
                   [max(width(c.header), max(ws, default=0)) for c, ws in zip(columns, widths)], known)

    def keep(self, keep: list[int]) -> _Table:
        return _Table([self.columns[i] for i in keep], [self.cells[i] for i in keep],
                      [self.texts[i] for i in keep], [self.widths[i] for i in keep],
                      [self.widest[i] for i in keep], self.known)


def _fit(table: _Table, max_width: int, gap: int) -> tuple[_Table, int]:
    """The table and gap that fit `max_width` before a title is narrowed below FLEX_COMFORT: the
    first columns to drop go, columns with a `min_width` narrow, merged columns merge, the gap
    closes to one, then the other droppable columns go, in their order. Titles then narrow (and
    fold) only as far as the rest leaves them (`render`)."""

    def needed() -> int:
        widths = _capped(table.columns, table.widest)
        return sum(min(w, max(FLEX_COMFORT, width(c.header))) if c.flex else w
                   for c, w in zip(table.columns, widths)) + gap * (len(table.columns) - 1)

    if needed() <= max_width:
        return table, gap
    orders = sorted({c.drop for c in table.columns if c.drop})
    steps = [("drop", orders[0])] if orders else []
    steps += [("narrow", 0), ("merge", 0), ("gap", 0)] + [("drop", order) for order in orders[1:]]
    for step, order in steps:
        if step == "drop":
            table = table.keep([i for i, c in enumerate(table.columns) if c.drop != order])
        elif step == "narrow":  # as far as the excess needs, each no narrower than its min_width
            excess, widths = needed() - max_width, _capped(table.columns, table.widest)
            for i, c in enumerate(table.columns):
                if c.min_width and excess > 0 and widths[i] > c.min_width:
                    narrower = max(c.min_width, widths[i] - excess, width(c.header))
                    excess -= widths[i] - narrower
                    table.columns[i] = replace(c, max_width=narrower)
        elif step == "merge":
            table = _merged(table)
        else:
            gap = 1
        if needed() <= max_width:
            break
    return table, gap


def _capped(columns: Sequence[Column], widths: Sequence[int]) -> list[int]:
    """Each column's width: its widest cell or header, up to its `max_width`."""
    return [max(c.max_width, width(c.header)) if c.max_width and w > c.max_width else w
            for c, w in zip(columns, widths)]


def _merged(table: _Table) -> _Table:
    """Neighbouring columns of one `merge` key as one: headers and values joined by "/", the
    cell styled as its first styled value that is not muted (a red count stays red)."""
    columns = table.columns
    spans: list[list[int]] = []
    for i, c in enumerate(columns):
        if c.merge and spans and columns[spans[-1][0]].merge == c.merge and spans[-1][-1] == i - 1:
            spans[-1].append(i)
        else:
            spans.append([i])
    if all(len(s) == 1 for s in spans):
        return table
    cols = [columns[s[0]] if len(s) == 1 else
            Column("/".join(columns[i].header for i in s), right=columns[s[0]].right) for s in spans]
    # A column left alone keeps its measures; only the merged ones are measured.
    merged = _Table.measured([c for c, s in zip(cols, spans) if len(s) > 1],
                             [_merged_cells([table.cells[i] for i in s]) for s in spans if len(s) > 1])
    made = iter(range(len(merged.columns)))
    picks = [(table, s[0]) if len(s) == 1 else (merged, next(made)) for s in spans]
    return _Table(cols, [t.cells[i] for t, i in picks], [t.texts[i] for t, i in picks],
                  [t.widths[i] for t, i in picks], [t.widest[i] for t, i in picks], table.known)


def _merged_cells(columns: list[Sequence[Cell]]) -> list[Cell]:
    merged: list[Cell] = []
    for row in zip(*columns):
        texts = [c if isinstance(c, str) else c[0] for c in row]
        if not any(texts):
            merged.append("")
            continue
        styles = [c[1] for c in row if not isinstance(c, str)]
        style = next((st for st in styles if st != "muted"), styles[0] if styles else None)
        text = "/".join(texts)
        merged.append((text, style) if style else text)
    return merged


def render(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, max_width: int,
           color: bool, row_styles: Sequence[str | None] | None = None, gap: int = 2) -> list[str]:
    """The table as lines. A row style (e.g. "project") applies to cells that have none. Wider
    than `max_width`, columns give way first (`_fit`), then flexible ones narrow and fold."""
    table, gap = _fit(_Table.of(columns, rows), max_width, gap)
    columns, n, count = table.columns, len(table.columns), len(rows)
    widths = list(table.widest)
    for i, column in enumerate(columns):
        if column.max_width and widths[i] > column.max_width:
            widths[i] = max(column.max_width, width(column.header))
    excess = sum(widths) + gap * (n - 1) - max_width
    for i, column in enumerate(columns):
        if excess > 0 and column.flex:
            give = min(excess, widths[i] - max(12, width(column.header)))
            if give > 0:
                widths[i] -= give
                excess -= give
    sep, right = " " * gap, [c.right for c in columns]
    if row_styles and len(row_styles) < count:
        raise ValueError(f"{len(row_styles)} row styles for {count} rows")
    by_row = row_styles if row_styles else [None] * count
    styles = [[style if isinstance(c, str) else c[1] for c, style in zip(column, by_row)]
              for column in table.cells] if color else None
    headers = [c.header for c in columns]
    out = _lines([[h] for h in headers], [[width(h)] for h in headers], [["header"]] * n if color else None,
                 right, widths, sep)
    out += _lines(table.texts, table.widths, styles, right, widths, sep, count, table.known.ends)
    return out


def _lines(texts: list[list[str]], cells: list[list[int]], styles: list[list[str | None]] | None,
           right: list[bool], widths: list[int], sep: str, count: int = 1,
           ends: dict[str, list[int]] | None = None) -> list[str]:
    """The `count` rows of a table given by columns (texts, their widths, their styles where in
    colour), a line each, or several where a cell folds (`ends`: the running widths of texts, as
    `_Widths` keeps them). Made a column at a time: a row's first line is a join of its padded
    cells, a folding cell's first piece among them; the lines below come after."""
    n = len(widths)
    padded = [_padded(texts[i], cells[i], styles[i] if styles else None, widths[i], right[i])
              for i in range(n)]
    folding: dict[int, list[int]] = {}  # the rows where cells fold, and their columns
    for i, w in enumerate(widths):
        if max(cells[i], default=0) > w:
            for r, c in enumerate(cells[i]):
                if c > w:
                    folding.setdefault(r, []).append(i)
    if not n:
        return [""] * count
    if not folding:
        return [sep.join(parts).rstrip() for parts in zip(*padded)]
    ends = ends or {}
    blanks = [" " * w for w in widths]
    # A line below the first where one cell folds: blank but for that cell, so what stands before
    # it is always the same (and after it only spaces, which the line's rstrip takes away).
    lead = [sep.join(blanks[:i]) + sep if i else "" for i in range(n)]
    below: dict[int, list[str]] = {}  # a folding row's lines after its first
    firsts: dict[int, str] = {}  # the first line of a row where several cells fold
    for r, columns in folding.items():
        if len(columns) == 1:  # the usual fold: a title
            i = columns[0]
            text = texts[i][r]
            pieces, piece_cells = _pieces(text, widths[i], ends.get(text))
            if len(pieces) == 1:  # measured whole it is wider than its pieces (an emoji sequence)
                continue
            style = styles[i][r] if styles else None
            if style:
                pieces = [ANSI.get(style, "") + piece + RESET for piece in pieces]
            w = widths[i]
            pieces = [" " * (w - c) + piece for piece, c in zip(pieces, piece_cells)] if right[i] else \
                [piece + " " * (w - c) for piece, c in zip(pieces, piece_cells)]
            padded[i][r] = pieces[0]
            below[r] = [(lead[i] + piece).rstrip() for piece in pieces[1:]]
            continue
        folds = {i: _pieces(texts[i][r], widths[i], ends.get(texts[i][r])) for i in columns}
        line = [column[r] for column in padded]
        lines = []
        for k in range(max(len(pieces) for pieces, _ in folds.values())):
            for i, (pieces, piece_cells) in folds.items():
                piece = pieces[k] if k < len(pieces) else ""
                pad = " " * (widths[i] - (piece_cells[k] if k < len(pieces) else 0))
                style = styles[i][r] if styles else None
                if style and piece:
                    piece = ANSI.get(style, "") + piece + RESET
                line[i] = pad + piece if right[i] else piece + pad
            lines.append(sep.join(line).rstrip())
            line = list(blanks)  # the cells that fit said all on the first line
        firsts[r], below[r] = lines[0], lines[1:]
    out = [sep.join(parts).rstrip() for parts in zip(*padded)]
    for r in firsts:
        out[r] = firsts[r]
    if not below:
        return out
    spliced, at = [], 0
    for r in sorted(below):
        spliced += out[at:r + 1]
        spliced += below[r]
        at = r + 1
    spliced += out[at:]
    return spliced


def _padded(texts: list[str], cells: list[int], styles: list[str | None] | None, width: int,
            right: bool) -> list[str]:
    """A column's cells on one line each, coloured and padded to `width` (a cell wider than that
    is not padded: it folds)."""
    if styles is not None:
        texts = [ANSI.get(style, "") + text + RESET if style and text else text
                 for text, style in zip(texts, styles)]
    pads = [" " * k for k in range(width + 1)]
    if max(cells, default=0) > width:
        pads += [""] * (max(cells) - width)  # pads[width - c] for c > width, from the end
    if right:
        return [pads[width - c] + text for text, c in zip(texts, cells)]
    return [text + pads[width - c] for text, c in zip(texts, cells)]
