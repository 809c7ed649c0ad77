"""The nodes of single items without composing the whole file.

An edit of one item needs the positions of that item's nodes only. In a ledger laid out the
usual way (a top-level `items:` followed by a block list), an item's text is the run of lines
from its `- ` to the next one; those lines compose on their own into the same nodes, shifted.
`windowed_root` stands in for the document's root: a mapping with just `items`, whose entries
are composed one window at a time when first asked for. Composing a 2,000-item ledger costs
~30 ms; a window, a fraction of a millisecond.

This is only a way to find positions. The edited text is still read back whole and must equal
the intended data (repo.write.edit_ledgers); where a window misleads, the edit is made again on the
nodes of the whole text.
"""

from __future__ import annotations

import re
from typing import Any

from taizhang.yamltext.read import compose

__all__ = ["ItemWindows", "item_windows", "windowed_root"]

_ITEMS_KEY = re.compile(r"^items[ \t]*:[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)
_FIRST_ENTRY = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)-(?:[ \t]|\r?\n|\r?$)")
# What may follow the list: the next top-level key, or the end of the document.
_NEXT_KEY = re.compile(r"""(?:---|\.\.\.)(?:[ \t]|\r?$)|[^\s#'"\[\]{},&*!|>%@`-][^\n:]*:(?:[ \t]|\r?$)""", re.MULTILINE)
_LAST_SCAN: tuple[str, Any] = ("", None)


class ItemWindows:
    """The lines of each item of a text (see above): `span(index)` is where they stand, and
    `entry(index, lines)` the item's node composed from those lines alone (or from them as an
    edit changed them), at positions within them. Many items are edited through their windows
    in one pass: each on its own lines, all put back in one rebuild of the text."""

    def __init__(self, text: str, ids: list[str], layout: tuple[int, int, list[int], int]) -> None:
        self.text, self.ids = text, ids
        self.key_at, self.dash, self.starts, self.end = layout

    def span(self, index: int) -> tuple[int, int]:
        """(start, stop) of item `index`'s lines: from its dash's line to the next one's (the
        last item's: to the end of the list, its comments and blank lines included)."""
        stop = self.starts[index + 1] if index + 1 < len(self.starts) else self.end
        return self.starts[index], stop

    def entry(self, index: int, lines: str | None = None):
        """Item `index`'s mapping node, composed from `lines` alone (its own lines in the text
        by default). ValueError where they are not one entry, the item expected there."""
        if lines is None:
            start, stop = self.span(index)
            lines = self.text[start:stop]
        node = compose(lines, memo=False)
        if node is None or node.id != "sequence" or node.flow_style or len(node.value) != 1:
            raise ValueError("the window is not one entry")
        entry = node.value[0]
        if entry.id != "mapping" or not any(k.value == "id" and v.id == "scalar" and v.value == self.ids[index]
                                            for k, v in entry.value):
            raise ValueError("the window is not the item expected there")
        return entry


def item_windows(text: str, ids: list[str]) -> ItemWindows | None:
    """The items' windows of `text`, or None where the items are not a block list under a
    top-level `items:` key. `ids` are the items' ids as the whole text reads: a window count
    that differs (a line of a multi-line title that starts with `- `) refuses the windows, and a
    window whose `id` is not the one expected there raises ValueError when composed."""
    layout = _scan(text)
    if layout is None or len(layout[2]) != len(ids):
        return None
    return ItemWindows(text, ids, layout)


def windowed_root(text: str, ids: list[str]):
    """A stand-in root for `text` (see above) whose items are composed window by window, or
    None where there are no windows (`item_windows`)."""
    found = item_windows(text, ids)
    if found is None:
        return None
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    key_at, starts, end = found.key_at, found.starts, found.end
    seq = SequenceNode("tag:yaml.org,2002:seq", _Entries(found), _mark(text, starts[0] + found.dash),
                       _token_mark(text, end), flow_style=False)
    key = ScalarNode("tag:yaml.org,2002:str", "items", _mark(text, key_at), _mark(text, key_at + 5))
    return MappingNode("tag:yaml.org,2002:map", [(key, seq)], _mark(text, 0), _mark(text, len(text)),
                       flow_style=False)


def _scan(text: str):
    """(index of the `items` key, column of its dashes, index of each entry's line, end of the
    list), or None."""
    global _LAST_SCAN
    if _LAST_SCAN[0] == text and _LAST_SCAN[1] is not None:
        return _LAST_SCAN[1]
    keys = list(_ITEMS_KEY.finditer(text))
    if len(keys) != 1:
        return None
    first = _FIRST_ENTRY.match(text, keys[0].end() + 1)
    if first is None:
        return None
    dash = len(first.group(1))
    begin = first.start(1)
    # The list ends at the first line, indented no deeper than its dashes, that is not blank,
    # not a comment and not one of its entries (a top-level key, `---`, a stray line).
    ending = re.compile(rf"^(?! {{{dash}}}-(?:[ \t]|\r?$)) {{0,{dash}}}[^ \t\r\n#]", re.MULTILINE)
    found = ending.search(text, begin)
    end = found.start() if found else len(text)
    if found and not _NEXT_KEY.match(text, end):
        return None  # a stray line (the rest of a quoted title, say): compose the whole file
    entry = re.compile(rf"^ {{{dash}}}-(?=[ \t]|\r?$)", re.MULTILINE)
    starts = [m.start() for m in entry.finditer(text, begin, end)]
    if not starts or starts[0] != begin:
        return None
    layout = (keys[0].start(), dash, starts, end)
    if len(text) > 4096:
        _LAST_SCAN = (text, layout)
    return layout


class _Entries:
    """The entries of the list, each composed from its own lines when first asked for, at the
    positions its lines have in the whole text."""

    def __init__(self, windows: ItemWindows) -> None:
        self.windows = windows
        self.nodes: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self.windows.starts)

    def __bool__(self) -> bool:
        return bool(self.windows.starts)

    def __getitem__(self, index: int):
        if not isinstance(index, int):
            raise TypeError("one entry at a time")
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index not in self.nodes:
            self.nodes[index] = self._compose(index)
        return self.nodes[index]

    def __iter__(self):
        raise TypeError("a windowed list is read one entry at a time")

    def _compose(self, index: int):
        text = self.windows.text
        start, stop = self.windows.span(index)
        entry = self.windows.entry(index)
        # A block collection that runs to the window's end ends, in the whole file, where the
        # next token stands (the next dash, or the key after the list), not at the line start.
        end = _token_mark(text, stop) if stop < len(text) else None
        _shift(entry, start, text.count("\n", 0, start), stop - start, end)
        return entry


def _token_mark(text: str, line_start: int):
    """Where the first token of the line starting at `line_start` stands (the end of the file
    there)."""
    if line_start >= len(text) and text and not text.endswith("\n"):
        from yaml.error import Mark

        return Mark("", len(text), text.count("\n") + 1, 0, None, None)  # libyaml ends the last line
    following = text[line_start:line_start + 200]
    return _mark(text, line_start + len(following) - len(following.lstrip(" ")))


def _mark(text: str, index: int):
    from yaml.error import Mark

    line_start = text.rfind("\n", 0, index) + 1
    return Mark("", index, text.count("\n", 0, index), index - line_start, None, None)


def _shift(node, index: int, line: int, window_end: int, end) -> None:
    """Move a window's nodes to where their text stands in the file (a window starts a line,
    so columns stay); block collections ending with the window end at `end`."""
    from yaml.error import Mark

    stack = [node]
    while stack:
        n = stack.pop()
        m = n.start_mark
        n.start_mark = Mark("", m.index + index, m.line + line, m.column, None, None)
        m = n.end_mark
        if end is not None and m.index == window_end and n.id != "scalar" and not n.flow_style:
            n.end_mark = end
        else:
            n.end_mark = Mark("", m.index + index, m.line + line, m.column, None, None)
        if n.id == "sequence":
            stack.extend(n.value)
        elif n.id == "mapping":
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
