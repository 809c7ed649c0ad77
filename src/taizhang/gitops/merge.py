"""Merge three versions of a ledger item by item: the git merge driver (`taizhang git-setup`).

Two clerks who each add items, close different items, note the same item or change different
fields merge cleanly; only a field both changed to different values is a conflict, and it is
left in the file as a conflict of that field's lines alone.

The result is built from OURS' text: their changes are spliced in with the store's own splice
functions (their new items' lines copied from their text, keys inserted, replaced or removed at
node positions), so every comment and every line of ours that the merge does not have to change
stays byte for byte. The merge is planned on the plain data; every text it builds is read back
and must say exactly what the plan meant (as `repo.write.edit_ledgers` does for a write). When that
check fails, or a side is not a readable ledger, the merge falls back to git's line merge
(`git merge-file`): conflict markers where lines clash, never a lost side.
"""

from __future__ import annotations

import copy
import os
import subprocess
import tempfile
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from taizhang.domain import linediff
from taizhang.domain.ids import make_item_id, next_number, project_code
from taizhang.domain.models import Settings
from taizhang.domain.vocab import ITEM_KEY_ORDER, PROJECT_KEY_ORDER
from taizhang.errors import Problem
from taizhang.repo.load import parse_ledger
from taizhang.yamltext import emit, splice
from taizhang.yamltext.read import compose

OURS, THEIRS, BASE = "ours", "theirs", "base"
MARK_OURS, MARK_SEP, MARK_THEIRS = "<" * 7 + " ours", "=" * 7, ">" * 7 + " theirs"

_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
_IGNORED_PROBLEMS = ("code_not_stem", "file_name_invalid")  # git's temporary file names say nothing


@dataclass
class MergeResult:
    """The merged text; the conflicts a person must resolve (empty when clean); and what the merge
    did that a person should know (renumbered ids, a fall back to the line merge)."""

    text: str
    conflicts: list[Problem] = field(default_factory=list)
    messages: list[Problem] = field(default_factory=list)
    item_level: bool = True  # False: git's line merge had to do it

    @property
    def clean(self) -> bool:
        return not self.conflicts


class NotMergeable(Exception):
    """A side is not a readable ledger (or notices file), a change cannot be merged at their
    level, or a spliced text did not read back as planned: git's line merge does it instead."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.key for p in problems))
        self.problems = problems


# --- entry point ----------------------------------------------------------------------------

def merge_ledger(base: str, ours: str, theirs: str, *, path: str = "ledgers/LEDGER.yaml",
                 settings: Settings | None = None) -> MergeResult:
    """Merge THEIRS into OURS given their common BASE (texts of one ledger file).

    Clean when every change of one side touches what the other left alone; a field changed on
    both sides to different values, or an item deleted on one side and changed on the other, is
    a conflict left in the text between `<<<<<<< ours` and `>>>>>>> theirs` markers. `path` is
    the ledger's path in the repository (for messages)."""
    known = settings or Settings()
    return three_way(base, ours, theirs, path, lambda b, o, t: _ItemMerge(b, o, t, path=path, settings=known).run())


def three_way(base: str, ours: str, theirs: str, path: str, merge: Callable[[str, str, str], MergeResult]
              ) -> MergeResult:
    """The frame of every merge of a file here (a ledger, notices.yaml): a side unchanged gives
    the other; `merge` gets the texts without a BOM and ours' BOM is kept; what it cannot make
    (it raises: not such a file, a true conflict, a text not read back as planned) is git's
    line merge."""
    if theirs == base or ours == theirs:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    bom = ours.startswith("\ufeff")
    texts = [t.removeprefix("\ufeff") for t in (base, ours, theirs)]
    try:
        result = merge(*texts)
    except Exception as e:
        return _line_fallback(base, ours, theirs, path, e)
    if bom:
        result.text = "\ufeff" + result.text
    return result


def _line_fallback(base: str, ours: str, theirs: str, path: str, error: Exception) -> MergeResult:
    """git's line merge in place of a merge that could not be made (`error`: why, a
    `NotMergeable` saying it in the user's words, or a bug): never clean, never a lost side."""
    why = error.problems[:5] if isinstance(error, NotMergeable) else \
        [Problem(path, 0, 0, "merge_internal", {"where": type(error).__name__})]
    text, conflicts = line_merge(base, ours, theirs)
    messages = [Problem(path, 0, 0, "merge_line_fallback", {}, "warning"), *why]
    return MergeResult(text, line_merge_problems(path, conflicts), messages, item_level=False)


def line_merge_problems(path: str, conflicts: int) -> list[Problem]:
    """A line merge is never clean for a ledger: what could not be merged item by item needs a
    person's look even where the lines did not clash."""
    if conflicts:
        return [Problem(path, 0, 0, "merge_line_conflicts", {"n": conflicts})]
    return [Problem(path, 0, 0, "merge_line_review")]


def line_merge(base: str, ours: str, theirs: str) -> tuple[str, int]:
    """git's own line merge of three texts (`git merge-file`): (text, number of conflicts).
    Without git, the whole of both sides between conflict markers: nothing is ever dropped."""
    data, conflicts = line_merge_bytes(*(t.encode("utf-8", "surrogateescape") for t in (base, ours, theirs)))
    return data.decode("utf-8", "surrogateescape"), conflicts


def line_merge_bytes(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, int]:
    """`line_merge` on bytes (for files that are not even UTF-8 text)."""
    with tempfile.TemporaryDirectory(prefix="taizhang-merge-") as folder:
        names = []
        for name, data in ((OURS, ours), (BASE, base), (THEIRS, theirs)):
            file = os.path.join(folder, name)
            with open(file, "wb") as handle:
                handle.write(data)
            names.append(file)
        try:
            done = subprocess.run(["git", "merge-file", "-p", "-L", OURS, "-L", BASE, "-L", THEIRS, *names],
                                  capture_output=True)
        except OSError:
            done = None
    if done is not None and 0 <= done.returncode < 128:
        return done.stdout, done.returncode
    nl = b"" if ours.endswith(b"\n") or not ours else b"\n"
    nl2 = b"" if theirs.endswith(b"\n") or not theirs else b"\n"
    return (MARK_OURS.encode() + b"\n" + ours + nl + MARK_SEP.encode() + b"\n" + theirs + nl2
            + MARK_THEIRS.encode() + b"\n"), 1


# --- data helpers ---------------------------------------------------------------------------

def same(a: Any, b: Any) -> bool:
    """Equal as data, telling 1 from True and "1" from 1 (a YAML reader tells them apart)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(k in b and same(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _same_ledger(a: dict, b: dict) -> bool:
    """`same`, reading `items:` left empty as no items."""
    return same({**a, "items": a.get("items") or []}, {**b, "items": b.get("items") or []})


def _refs(value: Any) -> list:
    """`after` as a list: `after: YT2-1` is shorthand for `[YT2-1]`, empty for none."""
    if value is _MISSING or value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _items(data: dict) -> dict[str, dict]:
    return {item["id"]: item for item in data.get("items") or []}


def _show(value: Any) -> str:
    """A value as a conflict message shows it."""
    if value is _MISSING or value is None:
        return "—"
    if isinstance(value, list):
        text = ", ".join(_show(v) if not isinstance(v, dict) else emit.flow(v) for v in value)
    elif isinstance(value, dict):
        text = emit.flow(value)
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- text helpers ---------------------------------------------------------------------------

def text_lines(text: str) -> list[str]:
    """Lines without their line breaks (a final line break gives no empty last line)."""
    body = text.replace("\r\n", "\n")
    body = body.removesuffix("\n")
    return body.split("\n")


def shift_lines(lines: list[str], delta: int) -> list[str]:
    """Move lines right (delta > 0) or left by `delta` columns, never cutting text."""
    if delta == 0:
        return list(lines)
    out = []
    for line in lines:
        if not line.strip():
            out.append(line)
        elif delta > 0:
            out.append(" " * delta + line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            out.append(line[min(spaces, -delta):])
    return out


def is_flow(node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _items_node(root, key: str = "items"):
    """The value node of the top-level list `key` (a ledger's items, notices.yaml's notices)."""
    pair = splice.mapping_get(root, key) if root is not None and root.id == "mapping" else None
    return pair[1] if pair else None


_INDEX: tuple[Any, dict[str, Any]] = (None, {})  # the last tree's items by id (trees are not changed)


def _item_node(root, item_id: str):
    """The first entry of the items list with this id (None: none). The entries of a tree are
    indexed once: asked for every item of a side, a scan per item was quadratic."""
    global _INDEX
    if _INDEX[0] is not root:
        index: dict[str, Any] = {}
        seq = _items_node(root)
        if seq is not None and seq.id == "sequence":
            for entry in seq.value:
                if entry.id == "mapping":
                    pair = splice.mapping_get(entry, "id")
                    if pair and pair[1].id == "scalar" and isinstance(pair[1].value, str):
                        index.setdefault(pair[1].value, entry)
        _INDEX = (root, index)
    return _INDEX[1].get(item_id)


def _pair(node, key: Any):
    """(key node, value node) of `key` in a mapping node; a key read as a number (`2018:` of
    `planned`) is found by its text."""
    if node is None or node.id != "mapping":
        return None
    return splice.mapping_get(node, key if isinstance(key, str) else str(key))


def _map_node(root, path: tuple):
    """The mapping node at `path`: (item id or None for the project, key, key, ...)."""
    node = root if path[0] is None else _item_node(root, path[0])
    for key in path[1:]:
        pair = _pair(node, key)
        node = pair[1] if pair else None
    return node if node is not None and node.id == "mapping" else None


_DATA_INDEX: tuple[Any, dict[str, int]] = (None, {})  # the last items list's positions by id


def _item_data(items: list, item_id: str) -> dict:
    """The first item with this id. The positions are indexed once per list (an item appended
    in place leaves the others where they were): a scan per edit was quadratic in conflicts."""
    global _DATA_INDEX
    if _DATA_INDEX[0] is items:
        at = _DATA_INDEX[1].get(item_id)
        if at is not None and at < len(items) and items[at]["id"] == item_id:
            return items[at]
    index: dict[str, int] = {}
    for at, item in enumerate(items):
        index.setdefault(item["id"], at)
    _DATA_INDEX = (items, index)
    if item_id not in index:
        return next(i for i in items if i["id"] == item_id)  # (raises StopIteration, as it did)
    return items[index[item_id]]


def _map_data(data: dict, path: tuple) -> dict:
    node = data if path[0] is None else _item_data(data["items"], path[0])
    for key in path[1:]:
        node = node[key]
    return node


def dash_col(text: str, entry) -> int | None:
    """Column of the `-` that opens a block sequence entry, or None when the entry does not
    start its own line that way (a flow sequence)."""
    start = splice.line_start(text, entry.start_mark.index)
    prefix = text[start:entry.start_mark.index]
    if prefix.strip() != "-" or not prefix.rstrip().endswith("-"):
        return None
    return prefix.index("-")


def entry_lines_of(text: str, seq, entry, *, comments_above: bool = False) -> tuple[list[str], int] | None:
    """The lines of a block sequence entry (from its dash to its last line) and the dash column;
    with `comments_above`, whole-line comments right above it (not indented past the dash) too."""
    if is_flow(seq):
        return None
    dash = dash_col(text, entry)
    if dash is None:
        return None
    start = splice.line_start(text, entry.start_mark.index)
    if comments_above:
        while start > 0:
            prev = splice.line_start(text, start - 1)
            line = text[prev:start].rstrip("\r\n")
            if line.strip().startswith("#") and len(line) - len(line.lstrip()) <= dash:
                start = prev
            else:
                break
    end = splice.after_line(text, splice.last_end(entry, text))
    return text_lines(text[start:end]), dash


def _key_lines(text: str, map_node, key: str) -> tuple[list[str], int] | None:
    """A key of a block mapping with its value, as lines: the first from the key on (whatever
    stands before it on its line, a `- `, is not copied), the rest whole; and the key's column."""
    if map_node is None or is_flow(map_node):
        return None
    pair = _pair(map_node, key)
    if pair is None:
        return None
    end = splice.after_line(text, splice.last_end(pair[1], text))
    return text_lines(text[pair[0].start_mark.index:end]), pair[0].start_mark.column


# --- edits: each changes the data and, in the same way, the text ------------------------------

@dataclass
class _PutKey:
    """Set `key` of the mapping at `path` to their version (their lines when they can be copied)."""

    path: tuple
    key: str
    value: Any
    lines: list[str] | None = None  # their lines for the key, first line from the key on
    col: int = 0  # the column of their key (to re-indent the following lines)
    before: tuple[str, ...] = ()  # keys that come before it, nearest first
    after: tuple[str, ...] = ()  # keys that come after it, nearest first

    def data(self, data: dict) -> None:
        _map_data(data, self.path)[self.key] = copy.deepcopy(self.value)

    def text(self, text: str, nl: str) -> str:
        node = _map_node(compose(text), self.path)
        if node is None:
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": "/".join(map(str, self.path))})])
        pair = _pair(node, self.key)
        if is_flow(node):
            emitted = emit.flow(emit.as_written(self.value))
            if pair is not None:
                return splice.replace_scalar(text, pair[1], emitted)
            return splice.insert_key(text, node, self.key, emitted, nl)
        lines, col = (self.lines, self.col) if self.lines else (emit.key_lines(self.key, emit.as_written(self.value)), 0)
        key_col = node.start_mark.column
        body = [lines[0]] + shift_lines(lines[1:], key_col - col)
        if pair is not None:
            start = pair[0].start_mark.index
            end = splice.after_line(text, splice.last_end(pair[1], text))
            ending = nl if text[end - 1:end] == "\n" else ""
            return text[:start] + nl.join(body) + ending + text[end:]
        return splice.insert_lines(text, self._insert_at(text, node), [" " * key_col + body[0]] + body[1:], nl)

    def _insert_at(self, text: str, node) -> int:
        """Before the first of our keys that belongs after it (as the store inserts keys), else
        after the nearest of our keys that belongs before it, else at the end."""
        following = [k.value for k, _ in node.value if k.value in self.after]
        preceding = next((name for name in self.before if splice.mapping_get(node, name) is not None), None)
        return splice.key_position(text, node, before_key=following[0] if following else None,
                                   after_key=preceding)


@dataclass
class _RemoveKey:
    path: tuple
    key: str

    def data(self, data: dict) -> None:
        _map_data(data, self.path).pop(self.key, None)

    def text(self, text: str, nl: str) -> str:
        node = _map_node(compose(text), self.path)
        pair = _pair(node, self.key)
        if pair is None:
            return text
        key_node = pair[0]
        start = splice.line_start(text, key_node.start_mark.index)
        if not is_flow(node) and text[start:key_node.start_mark.index].strip():
            # The key shares its line with the entry's `- `: the next key moves up to that line.
            keys = [k for k, _ in node.value]
            following = keys.index(key_node) + 1
            if following < len(keys):
                return text[:key_node.start_mark.index] + text[keys[following].start_mark.index:]
        return splice.remove_key(text, node, key_node.value)


@dataclass
class AppendEntry:
    """Append their entry at the end of the top-level list `key` (a ledger's items; the notices
    of notices.yaml), their lines when they can be copied."""

    value: dict
    lines: list[str] | None = None  # from the dash (and comments right above it)
    dash: int = 2
    key: str = "items"

    def data(self, data: dict) -> None:
        # In place: a new list per appended item was quadratic in their new items.
        if not isinstance(data.get(self.key), list):
            data[self.key] = []
        data[self.key].append(copy.deepcopy(self.value))

    def text(self, text: str, nl: str) -> str:
        root = compose(text)
        seq = _items_node(root, self.key)
        if seq is not None and seq.id == "sequence" and seq.value and is_flow(seq):
            return splice.append_flow_entry(text, seq, emit.flow(emit.as_written(self.value)))
        if root is None or is_flow(root):
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.key})])
        dash = 2
        if seq is not None and seq.id == "sequence" and seq.value:
            found = dash_col(text, seq.value[0])
            if found is None:
                raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.key})])
            dash = found
        lines = self.lines_at(dash)
        if seq is not None and seq.id == "sequence" and seq.value:
            if splice.entries_spaced(text, seq) and lines[0].strip():
                lines = [""] + lines
            return splice.append_block_entry(text, seq, lines, nl)
        if seq is None:
            return splice.insert_key(text, root, self.key, [line[dash:] if line.strip() else line for line in lines],
                                     nl, child_indent=dash)
        return splice.start_block_list(text, root, self.key, lines, nl)

    def lines_at(self, dash: int) -> list[str]:
        """The item's lines with its dash at column `dash` (theirs shifted, or written anew)."""
        if self.lines:
            return shift_lines(self.lines, dash - self.dash)
        return emit.entry_lines(emit.as_written(self.value), dash=dash, key_col=dash + 2)


@dataclass
class _RemoveItem:
    item_id: str
    # Comment lines of base that theirs has no more: those right above the item went with it
    # (a note on the item, deleted by the clerk who deleted the item), and go here too.
    gone: frozenset[str] = frozenset()

    def data(self, data: dict) -> None:
        data["items"] = [i for i in data.get("items") or [] if i["id"] != self.item_id]

    def text(self, text: str, nl: str) -> str:
        root = compose(text)
        seq = _items_node(root)
        entry = _item_node(root, self.item_id)
        index = seq.value.index(entry)
        if is_flow(seq):
            return splice.remove_flow_span(text, entry.start_mark.index, splice.last_end(entry))
        if dash_col(text, entry) is None:
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.item_id})])
        start = _comments_gone_above(text, splice.line_start(text, entry.start_mark.index), self.gone)
        end = splice.after_line(text, splice.last_end(entry, text))
        if index == len(seq.value) - 1 and index > 0:
            # The last entry: the blank line that set it apart goes with it.
            prev_end = splice.after_line(text, splice.last_end(seq.value[index - 1], text))
            if not text[prev_end:start].strip():
                start = prev_end
        elif text[end:].startswith(("\n", "\r\n")) and (text[:start].endswith(("\n\n", "\n\r\n")) or start == 0):
            end += 2 if text[end:].startswith("\r\n") else 1  # one blank line between neighbours stays
        return text[:start] + text[end:]


@dataclass
class _ReplaceItem:
    """Put their item in place of ours under the same id (their lines when they can be copied)."""

    item_id: str
    value: dict
    lines: list[str] | None = None  # from the dash
    dash: int = 2

    def data(self, data: dict) -> None:
        data["items"] = [copy.deepcopy(self.value) if i["id"] == self.item_id else i for i in data["items"]]

    def text(self, text: str, nl: str) -> str:
        root = compose(text)
        entry = _item_node(root, self.item_id)
        if entry is None or is_flow(_items_node(root)):
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.item_id})])
        return replace_entry(text, entry, self.value, self.lines, self.dash, nl, where=self.item_id)


def replace_entry(text: str, entry, value: dict, lines: list[str] | None, dash: int, nl: str, *, where: str) -> str:
    """The lines of a block list's entry (from its dash to its last line) replaced by their
    entry's `lines` (dash at column `dash`) moved to our dash's column, or by `value` written
    anew where their lines could not be copied."""
    our_dash = dash_col(text, entry)
    if our_dash is None:
        raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": where})])
    new = shift_lines(lines, our_dash - dash) if lines else \
        emit.entry_lines(emit.as_written(value), dash=our_dash, key_col=our_dash + 2)
    start = splice.line_start(text, entry.start_mark.index)
    end = splice.after_line(text, splice.last_end(entry, text))
    ending = nl if text[end - 1:end] == "\n" else ""
    return text[:start] + nl.join(new) + ending + text[end:]


@dataclass
class _InsertNotes:
    """Put their new notes among ours: each before the first of our new notes dated after it."""

    item_id: str
    # (index in our notes to stand before, or None for the end; the note; its lines; dash column)
    placements: list[tuple[int | None, dict, list[str] | None, int]]

    def data(self, data: dict) -> None:
        item = _map_data(data, (self.item_id,))
        notes = list(item.get("notes") or [])
        ends = [p for p in self.placements if p[0] is None]
        for before, note, _, _ in reversed([p for p in self.placements if p[0] is not None]):
            notes.insert(before, copy.deepcopy(note))
        notes += [copy.deepcopy(p[1]) for p in ends]
        item["notes"] = notes

    def text(self, text: str, nl: str) -> str:
        item = _item_node(compose(text), self.item_id)
        seq = splice.mapping_get(item, "notes")[1]
        if is_flow(seq):
            return self.one_at_a_time(text, nl)
        our_dash = dash_col(text, seq.value[0])
        if our_dash is None:
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.item_id})])
        # All at once, from one reading of the item (one reading per note was quadratic): the
        # notes for the end after our last, the others before the note of ours each stands
        # before, in their order; the lowest in the text last, so the positions read stay right.
        at_end: list[str] = []
        before_ours: dict[int, list[str]] = {}
        for before, note, lines, dash in self.placements:
            new = placed_lines(note, lines, dash, our_dash)
            (at_end if before is None else before_ours.setdefault(before, [])).extend(new)
        spans = [(splice.line_start(text, seq.value[k].start_mark.index), new) for k, new in before_ours.items()]
        if at_end:
            spans.append((splice.after_line(text, splice.last_end(seq, text)), at_end))
        for at, new in sorted(spans, key=lambda span: span[0], reverse=True):
            text = splice.insert_lines(text, at, new, nl)
        return text

    def one_at_a_time(self, text: str, nl: str) -> str:
        for _before, note, lines, dash in [p for p in self.placements if p[0] is None]:
            text = self._put(text, nl, None, note, lines, dash)
        for before, note, lines, dash in reversed([p for p in self.placements if p[0] is not None]):
            text = self._put(text, nl, before, note, lines, dash)
        return text

    def _put(self, text: str, nl: str, before: int | None, note: dict, lines: list[str] | None, dash: int) -> str:
        item = _item_node(compose(text), self.item_id)
        seq = splice.mapping_get(item, "notes")[1]
        if is_flow(seq):
            entry = emit.flow(emit.as_written(note))
            if before is None:
                return splice.append_flow_entry(text, seq, entry)
            at = seq.value[before].start_mark.index
            return text[:at] + entry + ", " + text[at:]
        our_dash = dash_col(text, seq.value[0])
        if our_dash is None:
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": self.item_id})])
        new = placed_lines(note, lines, dash, our_dash)
        if before is None:
            return splice.append_block_entry(text, seq, new, nl)
        at = splice.line_start(text, seq.value[before].start_mark.index)
        return splice.insert_lines(text, at, new, nl)


def apply_edits(text: str, edits: list, nl: str) -> str:
    """Apply edits to a text. The edits inside one item are made on that item's lines alone,
    read as a small document of their own, and the text is put together once from the items
    so changed: a big ledger is not read, nor copied, again for every field of every item."""
    by_item: dict[str, list] = {}
    rest = []
    for edit in edits:
        item = edit.path[0] if isinstance(edit, (_PutKey, _RemoveKey)) else getattr(edit, "item_id", None)
        if item is not None and not isinstance(edit, _RemoveItem):
            by_item.setdefault(item, []).append(edit)
        else:
            rest.append(edit)
    spans = []
    if by_item:
        root = compose(text)
        seq = _items_node(root)
        for item_id, group in by_item.items():
            node = _item_node(root, item_id)
            if node is None or is_flow(seq) or dash_col(text, node) is None:
                rest[:0] = group
                continue
            start = splice.line_start(text, node.start_mark.index)
            spans.append((start, splice.after_line(text, splice.last_end(node, text)), group))
    head = "items:" + nl
    pieces, at = [], 0  # (the text put together once: rebuilt per item, it was quadratic)
    for start, end, group in sorted(spans, key=lambda span: span[0]):
        part = head + text[start:end]
        for edit in group:
            part = edit.text(part, nl)
        pieces += [text[at:start], part[len(head):]]
        at = end
    text = "".join(pieces) + text[at:]
    at = 0
    while at < len(rest):
        run = 1
        if isinstance(rest[at], AppendEntry):
            while at + run < len(rest) and isinstance(rest[at + run], AppendEntry) and rest[at + run].key == rest[at].key:
                run += 1
            text = _append_items(text, rest[at:at + run], nl) if run > 1 else rest[at].text(text, nl)
        elif isinstance(rest[at], _RemoveItem):
            while at + run < len(rest) and isinstance(rest[at + run], _RemoveItem):
                run += 1
            text = _remove_items(text, rest[at:at + run], nl) if run > 1 else rest[at].text(text, nl)
        else:
            text = rest[at].text(text, nl)
        at += run
    return text


def _comments_gone_above(text: str, start: int, gone: frozenset[str]) -> int:
    """The start of the comment lines right above the line at `start` (no blank line between)
    that are among `gone`, else `start`."""
    while gone and start > 0:
        above = text.rfind("\n", 0, start - 1) + 1
        line = text[above:start - 1].removesuffix("\r")
        if not line.lstrip().startswith("#") or line not in gone:
            break
        start = above
    return start


def _remove_items(text: str, run: list, nl: str) -> str:
    """Items removed one after another, as each `_RemoveItem.text` would remove them, with the
    file composed once: the entries' line spans are kept and shifted as lines go (composed again
    for each, 500 removals from a 1,000-item ledger took 10.9 s)."""
    root = compose(text)
    seq = _items_node(root)
    entries = [_item_node(root, edit.item_id) for edit in run]
    if seq is None or is_flow(seq) or any(e is None for e in entries) or len({id(e) for e in entries}) < len(run):
        for edit in run:
            text = edit.text(text, nl)
        return text
    for edit, entry in zip(run, entries):
        if dash_col(text, entry) is None:
            raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": edit.item_id})])
    # Each live entry's lines [start, end) in the text as it stands, in order.
    spans = [[splice.line_start(text, e.start_mark.index), splice.after_line(text, splice.last_end(e, text))]
             for e in seq.value]
    live = {id(e): k for k, e in enumerate(seq.value)}  # an entry → its place in `spans`
    for edit, entry in zip(run, entries):
        index = live.pop(id(entry))
        start, end = spans[index]
        start = _comments_gone_above(text, start, edit.gone)
        if index == len(spans) - 1 and index > 0:
            # The last entry: the blank line that set it apart goes with it.
            prev_end = spans[index - 1][1]
            if not text[prev_end:start].strip():
                start = prev_end
        elif text[end:].startswith(("\n", "\r\n")) and (text[:start].endswith(("\n\n", "\n\r\n")) or start == 0):
            end += 2 if text[end:].startswith("\r\n") else 1  # one blank line between neighbours stays
        text = text[:start] + text[end:]
        gone = end - start
        del spans[index]
        for span in spans[index:]:
            span[0] -= gone
            span[1] -= gone
        for key, k in live.items():
            if k > index:
                live[key] = k - 1
    return text


def _append_items(text: str, run: list, nl: str) -> str:
    """Items appended one after another, as each `AppendEntry.text` would append them, with the
    file read once after the first (read again for each, n items cost n readings of the file)."""
    text = run[0].text(text, nl)
    root = compose(text)
    seq = _items_node(root, run[0].key)
    dash = dash_col(text, seq.value[0]) if seq is not None and seq.id == "sequence" and seq.value \
        and not is_flow(seq) else None
    if dash is None:  # (a flow list, or an entry not on a line of its own: one at a time)
        for edit in run[1:]:
            text = edit.text(text, nl)
        return text
    spaced = splice.entries_spaced(text, seq)
    lines: list[str] = []
    for edit in run[1:]:
        more = edit.lines_at(dash)
        lines += [""] + more if spaced and more[0].strip() else more
    return splice.append_block_entry(text, seq, lines, nl)


# --- the merge ------------------------------------------------------------------------------

@dataclass
class _Side:
    name: str
    text: str
    data: dict
    newline: str = "\n"


class _ItemMerge:
    def __init__(self, base: str, ours: str, theirs: str, *, path: str, settings: Settings):
        self.path = path
        self.settings = settings
        self.base = self._read(BASE, base)
        self.ours = self._read(OURS, ours)
        self.theirs = self._read(THEIRS, theirs)
        self.clean: list = []  # edits of ours that make the merge
        self.theirs_way: list = []  # edits of the merge that take their side of each conflict
        # (item id or project code, field or None for a whole item, ours, theirs, map path, key)
        self.conflicts: list[tuple[str, str | None, Any, Any, tuple | None, str | None]] = []
        self.messages: list[Problem] = []
        self._theirs_root = None
        self._gone: frozenset[str] | None = None

    def _read(self, name: str, text: str) -> _Side:
        if name == BASE and not text.strip():
            return _Side(name, text, {})  # both sides created the file: no common ancestor
        loaded = parse_ledger(text.encode("utf-8", "surrogatepass"), self.path, self.settings)
        errors = [p for p in loaded.problems if p.is_error and p.key not in _IGNORED_PROBLEMS]
        if errors or not isinstance(loaded.doc.data, dict):
            from dataclasses import replace

            label = f"{self.path} ({name})"
            raise NotMergeable([replace(p, path=label) for p in errors]
                                or [Problem(label, 1, 1, "not_mapping")])
        return _Side(name, loaded.doc.text, loaded.doc.data, loaded.doc.newline)

    # -- planning --

    def run(self) -> MergeResult:
        if self._different_projects():
            return self._projects_conflict()
        self._renumber_theirs()
        self._merge_map((None,), self.base.data, self.ours.data, self.theirs.data, top=True)
        self._merge_items()
        nl = self.ours.newline
        merged, expected = apply_edits(self.ours.text, self.clean, nl), copy.deepcopy(self.ours.data)
        for edit in self.clean:
            edit.data(expected)
        comments = _Comments(self.base.text, self.theirs.text)
        merged, unplaced = comments.carry(merged, nl)
        loaded = self._check(merged, expected)
        if not self.conflicts:
            self._comments_kept(unplaced, [])
            return MergeResult(merged, self._invalid(loaded), self._placed(merged, None))
        theirs_way, expected_theirs = apply_edits(merged, self.theirs_way, nl), copy.deepcopy(expected)
        for edit in self.theirs_way:
            edit.data(expected_theirs)
        self._check(theirs_way, expected_theirs)
        self._comments_kept(unplaced, comments.missing(theirs_way, unplaced))
        text, hunks = _with_markers(merged, theirs_way, nl)
        problems = self._conflict_problems(merged, theirs_way, hunks) + self._invalid(loaded, hunks)
        return MergeResult(text, problems, self._placed(merged, hunks))

    def _comments_kept(self, unplaced: list, still_missing: list) -> None:
        """A comment of theirs that is neither in the merge nor in their way of a conflict
        would be lost: the line merge (markers) does it instead."""
        missing = still_missing if self.conflicts else unplaced
        if missing:
            raise NotMergeable([Problem(self.path, 0, 0, "merge_comment_not_carried", {"comment": text, "line": line + 1})
                                 for line, text in missing[:5]])

    def _different_projects(self) -> bool:
        """Two projects under one code (two offices each imported a sheet as `IMP1`): their names
        differ and neither is the base's (a one-sided rename is a rename). Merging their items
        would fuse two projects (SPEC §8), so they are never merged."""
        names = [side.data.get("name", _MISSING) for side in (self.base, self.ours, self.theirs)]
        return not same(names[1], names[2]) and not any(same(names[0], n) for n in names[1:])

    def _projects_conflict(self) -> MergeResult:
        """The whole of each side between markers: resolving either way gives that side's file
        as it was."""
        text, hunks = _with_markers(self.ours.text, self.theirs.text, self.ours.newline)
        line = hunks[0][4] if hunks else 0
        args = {"code": self.ours.data.get("code", ""), "ours": _show(self.ours.data.get("name", _MISSING)),
                "theirs": _show(self.theirs.data.get("name", _MISSING))}
        return MergeResult(text, [Problem(self.path, line + 1, 1, "merge_conflict_projects", args)])

    def _placed(self, merged: str, hunks: list | None) -> list[Problem]:
        """The messages about renumbered items, at the item's line in the result."""
        from dataclasses import replace

        out = []
        root = compose(merged)
        for problem in self.messages:
            line = _line_of(root, None, None, problem.args.get("new", ""))
            if line is not None:
                problem = replace(problem, line=(_final_line(hunks, line) if hunks else line) + 1, col=1)
            out.append(problem)
        return out

    def _check(self, text: str, expected: dict):
        """The text must read back as exactly the data the plan meant."""
        loaded = parse_ledger(text.encode("utf-8", "surrogatepass"), self.path, self.settings)
        if loaded.doc.problems or not isinstance(loaded.doc.data, dict) \
                or not _same_ledger(loaded.doc.data, expected):
            raise NotMergeable([Problem(self.path, 0, 0, "merge_internal", {"where": "check"})])
        return loaded

    def _invalid(self, loaded, hunks: list | None = None) -> list[Problem]:
        """Rules the merged ledger breaks though each side kept them (say, `after` naming an item
        the other side deleted): the merge is not clean."""
        from dataclasses import replace

        out = []
        for p in loaded.problems:
            if p.is_error and p.key not in _IGNORED_PROBLEMS:
                line = _final_line(hunks, p.line - 1) + 1 if hunks is not None and p.line else p.line
                out.append(replace(p, path=self.path, line=line))
        return out

    def _renumber_theirs(self) -> None:
        """Ids both sides added for different items: theirs take the next free numbers, and
        their `after` references follow."""
        base_ids, ours = _items(self.base.data), _items(self.ours.data)
        theirs = _items(self.theirs.data)
        clashes = [i for i, item in theirs.items()
                   if i not in base_ids and i in ours and not same(item, ours[i])]
        if not clashes:
            return
        first, prefix = next_number(i for side in (base_ids, ours, theirs) for i in side), project_code(clashes[0])
        renames = {old: make_item_id(prefix, first + n) for n, old in enumerate(clashes)}
        text = self.theirs.text
        spans = []
        seq = _items_node(compose(text))
        for entry in seq.value:
            for name in ("id", "after"):
                pair = splice.mapping_get(entry, name) if entry.id == "mapping" else None
                if pair is None:
                    continue
                nodes = pair[1].value if pair[1].id == "sequence" else [pair[1]]
                for node in nodes:
                    if node.id == "scalar" and node.value in renames:
                        spans.append((node.start_mark.index, node.end_mark.index, renames[node.value]))
        pieces, at = [], 0  # (the text once: rebuilt per renamed node, it was quadratic)
        for start, end, new in sorted(spans):
            pieces += [text[at:start], new]
            at = end
        text = "".join(pieces) + text[at:]
        self.theirs = self._read(THEIRS, text)
        for old, new in renames.items():
            self.messages.append(Problem(self.path, 0, 0, "merge_renumbered",
                                         {"old": old, "new": new, "title": theirs[old].get("title", "")},
                                         "warning"))

    def _comments_gone(self) -> frozenset[str]:
        """Whole-line comments of base that theirs holds nowhere (worked out once)."""
        if self._gone is None:
            theirs = set(text_lines(self.theirs.text))
            self._gone = frozenset(line for line in text_lines(self.base.text)
                                   if line.lstrip().startswith("#") and line not in theirs)
        return self._gone

    def _their_root(self):
        if self._theirs_root is None:
            self._theirs_root = compose(self.theirs.text)
        return self._theirs_root

    def _take_theirs(self, path: tuple, key: str, value: Any, into: list) -> None:
        if value is _MISSING:
            into.append(_RemoveKey(path, key))
            return
        their_map = _map_node(self._their_root(), path)
        copied = _key_lines(self.theirs.text, their_map, key)
        order = PROJECT_KEY_ORDER if path == (None,) else ITEM_KEY_ORDER if len(path) == 1 else ()
        if key not in order:  # keys of nested mappings (closed, investment): in their order
            order = tuple(k.value for k, _ in their_map.value) if their_map is not None else ()
        key_text = key if isinstance(key, str) else str(key)
        at = order.index(key_text) if key_text in order else len(order)
        before, after = tuple(reversed(order[:at])), tuple(order[at + 1:])
        lines, col = copied if copied else (None, 0)
        into.append(_PutKey(path, key, value, lines, col, before, after))

    def _merge_map(self, path: tuple, base: dict, ours: dict, theirs: dict, *, top: bool = False) -> None:
        is_item = path[0] is not None and len(path) == 1
        keys = list(ours) + [k for k in theirs if k not in ours] + [k for k in base if k not in ours and k not in theirs]
        for key in keys:
            if top and key == "items":
                continue
            b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
            if is_item and key == "notes" and self._merge_notes(path, b, o, t):
                continue
            if is_item and key == "after":
                if same(_refs(o), _refs(t)) or same(_refs(b), _refs(t)):
                    continue
                if same(_refs(b), _refs(o)):
                    self._take_theirs(path, key, t, self.clean)
                else:
                    self._merge_refs(path, b, o, t)
                continue
            if same(o, t) or same(b, t):
                continue
            if same(b, o):
                self._take_theirs(path, key, t, self.clean)
            elif isinstance(o, dict) and isinstance(t, dict) and (b is _MISSING or b is None or isinstance(b, dict)):
                self._merge_map(path + (key,), b if isinstance(b, dict) else {}, o, t)
            else:
                self._conflict(path, key, o, t)

    def _conflict(self, path: tuple, key: str | None, ours: Any, theirs: Any) -> None:
        where = path[0] if path[0] is not None else self.ours.data.get("code", "")
        name = ".".join([*map(str, path[1:]), key]) if key is not None else None
        self.conflicts.append((where, name, ours, theirs, path if key is not None else None, key))
        if key is not None:
            self._take_theirs(path, key, theirs, self.theirs_way)

    def _merge_refs(self, path: tuple, base: Any, ours: Any, theirs: Any) -> None:
        """Both changed `after`: a set of predecessors, so their additions and removals apply."""
        b, o, t = _refs(base), _refs(ours), _refs(theirs)
        removed = [r for r in b if r not in t]
        merged = [r for r in o if r not in removed] + [r for r in t if r not in b and r not in o]
        if same(merged, o):
            return
        if not merged:
            self.clean.append(_RemoveKey(path, "after"))
        else:
            self.clean.append(_PutKey(path, "after", merged, None, 0, _before("after"), _after("after")))

    def _merge_notes(self, path: tuple, base: Any, ours: Any, theirs: Any) -> bool:
        """Notes only appended on each side merge: both kept, theirs placed by date among ours.
        Anything else (a note edited or deleted) is merged as a whole value."""
        b, o, t = (list(v) if isinstance(v, list) else [] for v in (base, ours, theirs))
        if any(v is not _MISSING and v is not None and not isinstance(v, list) for v in (base, ours, theirs)):
            return False
        if not (same(o[:len(b)], b) and same(t[:len(b)], b)):
            return False
        ours_new, theirs_new = o[len(b):], []
        # Each of their new notes matches the first of our new notes still unmatched that is the
        # same; ours are looked through by text (the same note has the same text), not one by one.
        unmatched: dict[Any, list[Any]] = {}
        for n in ours_new:
            unmatched.setdefault(_note_text(n), []).append(n)
        for note in t[len(b):]:
            bucket = unmatched.get(_note_text(note), [])
            match = next((i for i, n in enumerate(bucket) if same(n, note)), None)
            if match is None:
                theirs_new.append(note)
            else:
                del bucket[match]
        if not theirs_new:
            return True
        if not o:
            self._take_theirs(path, "notes", theirs, self.clean)
            return True
        their_seq = splice.mapping_get(_map_node(self._their_root(), path), "notes")[1]
        position = {id(n): i for i, n in enumerate(t)}  # (their notes by identity: _index_of, once)
        placements = []
        j = 0
        for note in theirs_new:
            while j < len(ours_new) and _note_day(ours_new[j]) <= _note_day(note):
                j += 1
            copied = None
            if their_seq.id == "sequence":
                copied = entry_lines_of(self.theirs.text, their_seq, their_seq.value[position[id(note)]])
            lines, dash = copied if copied else (None, 0)
            placements.append((len(b) + j if j < len(ours_new) else None, note, lines, dash))
        self.clean.append(_InsertNotes(path[0], placements))
        return True

    def _merge_items(self) -> None:
        base, ours, theirs = _items(self.base.data), _items(self.ours.data), _items(self.theirs.data)
        for item_id, item in ours.items():
            if item_id in theirs and item_id in base and (_replaced(base[item_id], item)
                                                         or _replaced(base[item_id], theirs[item_id])):
                self._merge_reused(item_id, base[item_id], item, theirs[item_id])
            elif item_id in theirs:
                self._merge_map((item_id,), base.get(item_id, {}), item, theirs[item_id])
            elif item_id in base:  # they deleted it
                if same(item, base[item_id]):
                    self.clean.append(_RemoveItem(item_id, self._comments_gone()))
                else:
                    self.conflicts.append((item_id, None, item, _MISSING, None, None))
                    self.theirs_way.append(_RemoveItem(item_id, self._comments_gone()))
        seq = _items_node(self._their_root())
        for item_id, item in theirs.items():
            if item_id in ours:
                continue
            if item_id in base and same(item, base[item_id]):
                continue  # we deleted it, they left it alone
            node = _item_node(self._their_root(), item_id)
            copied = entry_lines_of(self.theirs.text, seq, node, comments_above=True)
            lines, dash = copied if copied else (None, 2)
            edit = AppendEntry(item, lines, dash)
            if item_id in base:  # we deleted it, they changed it
                self.conflicts.append((item_id, None, _MISSING, item, None, None))
                self.theirs_way.append(edit)
            else:
                self.clean.append(edit)

    def _merge_reused(self, item_id: str, base: dict, ours: dict, theirs: dict) -> None:
        """An id that one side gave to another item after deleting the base's (SPEC §2: an id
        is never reused, but older copies and hand edits did): the other side's changes belong
        to the deleted item and are never attached to the new one. A side that left the base's
        item alone gives way; otherwise the two items are a conflict as wholes."""
        if same(ours, theirs) or same(theirs, base):
            return
        seq = _items_node(self._their_root())
        copied = entry_lines_of(self.theirs.text, seq, _item_node(self._their_root(), item_id))
        lines, dash = copied if copied else (None, 2)
        edit = _ReplaceItem(item_id, theirs, lines, dash)
        if same(ours, base):
            self.clean.append(edit)
            return
        self.conflicts.append((item_id, "reused", ours, theirs, None, None))
        self.theirs_way.append(edit)

    # -- reporting --

    def _conflict_problems(self, merged: str, theirs_way: str, hunks: list) -> list[Problem]:
        out = []
        roots = [compose(merged), compose(theirs_way)]
        for where, name, ours, theirs, path, key in self.conflicts:
            line = None
            for root, side in ((roots[0], 0), (roots[1], 1)):
                found = _line_of(root, path, key, where)
                if found is not None:
                    line = _hunk_line(hunks, found, side)
                    break
            line = line if line is not None else (hunks[0][4] if hunks else 0)
            if name == "reused":
                out.append(Problem(self.path, line + 1, 1, "merge_conflict_reused_id",
                                   {"id": where, "ours": _show(ours.get("title")), "theirs": _show(theirs.get("title"))}))
            elif name is None:
                key_ = "merge_conflict_deleted_ours" if ours is _MISSING else "merge_conflict_deleted_theirs"
                out.append(Problem(self.path, line + 1, 1, key_, {"id": where}))
            else:
                out.append(Problem(self.path, line + 1, 1, "merge_conflict",
                                   {"where": where, "field": name, "ours": _show(ours), "theirs": _show(theirs)}))
        return out


def _replaced(base: dict, side: dict) -> bool:
    """A side's item under a base id is another item: its title changed and it kept nothing
    else of the base's item (no field's value, no note or change of its history). A clerk who
    renames an item keeps its time node, notes, unit...; one who deleted it and added another
    under the same id kept none of them."""
    if same(base.get("title", _MISSING), side.get("title", _MISSING)):
        return False
    if _history_gone(base, side):
        return True
    for key, value in base.items():
        if key in ("id", "title"):
            continue
        mine = side.get(key, _MISSING)
        if same(value, mine):
            return False
        if isinstance(value, list) and value and isinstance(mine, list) and same(mine[:len(value)], value):
            return False  # notes or changes added to the base's
    return True


def _history_gone(base: dict, side: dict) -> bool:
    """The base item's record is not in the side's: its notes or changes are not the start of
    the side's, or its 销号 is gone without the note a reopen leaves. Commands only add to a
    record; an item without it is another item."""
    for key in ("notes", "changes"):
        old, new = base.get(key) or [], side.get(key) or []
        if not isinstance(old, list) or not isinstance(new, list) or not same(new[:len(old)], old):
            return True
    notes_grew = len(side.get("notes") or []) > len(base.get("notes") or [])
    return "closed" in base and "closed" not in side and not notes_grew


def placed_lines(note: dict, lines: list[str] | None, dash: int, our_dash: int) -> list[str]:
    """Their entry's lines (a note, a reply) with its dash at our column (theirs shifted, or
    written anew on one line)."""
    return shift_lines(lines, our_dash - dash) if lines else [emit.flow_entry(emit.as_written(note), dash=our_dash)]


def _note_text(note: Any) -> Any:
    """What two notes `same` share for certain: their text (hashable), else one bucket for all."""
    text = note.get("text") if isinstance(note, dict) else None
    return text if isinstance(text, str) else None


def _before(key: str) -> tuple[str, ...]:
    at = ITEM_KEY_ORDER.index(key)
    return tuple(reversed(ITEM_KEY_ORDER[:at]))


def _after(key: str) -> tuple[str, ...]:
    return tuple(ITEM_KEY_ORDER[ITEM_KEY_ORDER.index(key) + 1:])


def _note_day(note: Any) -> str:
    day = note.get("date") if isinstance(note, dict) else None
    return str(day) if day is not None else ""


def _line_of(root, path: tuple | None, key: str | None, item_id: str) -> int | None:
    """0-based line of a conflict's key (or item) in a composed text, if it is there."""
    if path is None:
        node = _item_node(root, item_id)
        return node.start_mark.line if node is not None else None
    pair = _pair(_map_node(root, path), key)
    return pair[0].start_mark.line if pair else None


# --- comments they added -------------------------------------------------------------------

class _Comments:
    """The comments theirs added against base (a comment line, or a comment at the end of a
    line), each tied to the node it stands above or on: a key path, an item by its id. The merge
    is planned on data, where a comment is nothing; these are carried into the merge where their
    node is, and any that cannot be placed there make the merge fall back to the line merge."""

    def __init__(self, base: str, theirs: str):
        self.lines = text_lines(theirs)
        self.above: list[tuple[int, list[str], tuple]] = []  # (their line, comment lines, (anchor line, path))
        self.ends: list[tuple[int, str, tuple | None]] = []  # (their line, the line's comment, its path)
        # A line with a `#` that theirs has more often than base is new (counted, not diffed: a
        # diff of two big ledgers costs seconds, and the carrying checks each one anyway).
        had = Counter(line for line in (text_lines(base) if base.strip() else []) if "#" in line)
        has = Counter(line for line in self.lines if "#" in line)
        new = [j for j, line in enumerate(self.lines) if "#" in line and has[line] > had[line]]
        if not new:
            return
        self.paths, self.spans = _line_paths(theirs)
        group: list[int] = []
        for j in new:
            col = comment_col(self.lines[j], self.spans.get(j, ()))
            if col is None:
                continue
            if self._whole_line_comment(j):
                if group and group[-1] != j - 1:
                    self._add_group(group)
                    group = []
                group.append(j)
            else:
                self.ends.append((j, self.lines[j][col:], self.paths.get(j)))
        if group:
            self._add_group(group)

    def _whole_line_comment(self, j: int) -> bool:
        line = self.lines[j]
        return comment_col(line, self.spans.get(j, ())) == len(line) - len(line.lstrip())

    def _add_group(self, group: list[int]) -> None:
        """Comment lines of theirs, tied to the first line below them that holds data."""
        anchor = next((k for k in range(group[-1] + 1, len(self.lines))
                       if self.lines[k].strip() and not self._whole_line_comment(k)), None)
        path = self.paths.get(anchor) if anchor is not None else None
        self.above.append((group[0], [self.lines[j] for j in group], (anchor, path)))

    def carry(self, text: str, nl: str) -> tuple[str, list[tuple[int, str]]]:
        """The merged text with every comment of theirs it lacks put in place; and the comments
        that could not be (their line, the comment)."""
        if not self.above and not self.ends:
            return text, []
        lines = text_lines(text)
        before = list(lines)
        ending = text.endswith("\n")
        paths, spans = _line_paths(text)
        where: dict[tuple, int] = {}
        for line, path in paths.items():
            where.setdefault(path, line)
        unplaced: list[tuple[int, str]] = []
        inserts: list[tuple[int, list[str]]] = []
        for j, comment, end_path in self.ends:
            at = where.get(end_path) if end_path is not None else None
            if at is None:
                if self.lines[j].strip() not in (line.strip() for line in lines):
                    unplaced.append((j, comment))
                continue
            col = comment_col(lines[at], spans.get(at, ()))
            ours_body = lines[at][:col] if col is not None else lines[at]
            theirs_body = self.lines[j][:len(self.lines[j]) - len(comment)]
            if col is not None and lines[at][col:] == comment:
                continue
            if col is None and ours_body.strip() == theirs_body.strip():
                lines[at] = ours_body.rstrip() + theirs_body[len(theirs_body.rstrip()):] + comment
            else:
                unplaced.append((j, comment))
        for j, group, (anchor, path) in self.above:
            if anchor is None:  # at the end of their file: at the end of ours
                if [line.strip() for line in lines[-len(group):]] != [line.strip() for line in group]:
                    inserts.append((len(lines), group))
                continue
            at = where.get(path) if path is not None else None
            if at is None or (path[-1][0] == "index" and lines[at].strip() != self.lines[anchor].strip()):
                unplaced.append((j, group[0].strip()))
                continue
            above = _comments_above(lines, at)
            if all(line.strip() in above for line in group):
                continue
            delta = _indent(lines[at]) - _indent(self.lines[anchor])
            inserts.append((at, shift_lines(group, delta)))
        if not inserts and lines == before:
            return text, unplaced  # nothing to carry: the merge stays byte for byte
        for at, group in sorted(inserts, key=lambda insert: insert[0], reverse=True):
            lines[at:at] = group
        return nl.join(lines) + (nl if ending or inserts else ""), unplaced

    def missing(self, text: str, unplaced: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Those of `unplaced` that are not in `text` either (their way of the conflicts)."""
        body = text.replace("\r\n", "\n")
        return [(j, comment) for j, comment in unplaced if self.lines[j].strip() not in
                (line.strip() for line in body.split("\n"))]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _comments_above(lines: list[str], at: int) -> set[str]:
    """The comment lines right above line `at` (blank lines between them included)."""
    out = set()
    k = at - 1
    while k >= 0 and (not lines[k].strip() or lines[k].lstrip().startswith("#")):
        out.add(lines[k].strip())
        k -= 1
    return out


def comment_col(line: str, spans) -> int | None:
    """Column of the `#` that opens a comment on a line (None: no comment); `spans` are the
    (start, end) columns of the scalars on it, inside which a `#` is text."""
    for col, char in enumerate(line):
        if char != "#" or (col > 0 and line[col - 1] not in " \t"):
            continue
        if not any(start <= col < end for start, end in spans):
            return col
    return None


def _line_paths(text: str) -> tuple[dict[int, tuple], dict[int, list[tuple[int, int]]]]:
    """For each line where a node starts, the path of the outermost one (keys, items by id,
    other entries by index); and for each line, the column spans of the scalars on it."""
    paths: dict[int, tuple] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    root = compose(text)

    def scalar(node) -> None:
        first, last = node.start_mark.line, node.end_mark.line
        for line in range(first, last + 1):
            start = node.start_mark.column if line == first else 0
            end = node.end_mark.column if line == last else 10**9
            spans.setdefault(line, []).append((start, end))

    def walk(node, path: tuple) -> None:
        if node.id == "scalar":
            scalar(node)
        elif node.id == "mapping":
            for key, value in node.value:
                step = path + (("key", key.value if key.id == "scalar" else None),)
                paths.setdefault(key.start_mark.line, step)
                if key.id == "scalar":
                    scalar(key)
                walk(value, step)
        elif node.id == "sequence":
            for i, entry in enumerate(node.value):
                ident = None
                if path == (("key", "items"),) and entry.id == "mapping":
                    pair = splice.mapping_get(entry, "id")
                    ident = pair[1].value if pair and pair[1].id == "scalar" else None
                step = path + (("id", ident) if ident is not None else ("index", i),)
                paths.setdefault(entry.start_mark.line, step)
                walk(entry, step)

    if root is not None:
        walk(root, ())
    return paths, spans


# --- conflict markers -----------------------------------------------------------------------

def _with_markers(ours: str, theirs: str, nl: str) -> tuple[str, list]:
    """The two resolutions as one text: lines both have, once; every run of lines where they
    differ between markers. Picking the ours part of every conflict gives back `ours` exactly,
    picking theirs gives `theirs`. Returns the text and the hunks
    (our lines i1:i2, their lines j1:j2, the marker's line in the result), in order, each
    starting and ending after the one before in both."""
    a = ours.splitlines(keepends=True)
    b = theirs.splitlines(keepends=True)
    out: list[str] = []
    hunks = []
    # (difflib's answer, without reading the whole of both again for every conflict)
    for tag, i1, i2, j1, j2 in linediff.opcodes(a, b):
        if tag == "equal":
            out.extend(a[i1:i2])
            continue
        hunks.append((i1, i2, j1, j2, len(out)))
        out.append(MARK_OURS + nl)
        out.extend(_closed_lines(a[i1:i2], nl))
        out.append(MARK_SEP + nl)
        out.extend(_closed_lines(b[j1:j2], nl))
        out.append(MARK_THEIRS + nl)
    return "".join(out), hunks


def _closed_lines(lines: list[str], nl: str) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return lines[:-1] + [lines[-1] + nl]
    return lines


def _final_line(hunks: list, line: int) -> int:
    """Where a line of the ours resolution stands in the text with markers (0-based)."""
    k = bisect_right(hunks, line, key=lambda hunk: hunk[0])  # the hunks starting at or above it
    if not k:
        return line
    i1, i2, j1, j2, at = hunks[k - 1]
    if line < i2:
        return at + 1 + (line - i1)
    return at + 3 + (i2 - i1) + (j2 - j1) + (line - i2)  # below that hunk's end marker


def _hunk_line(hunks: list, line: int, side: int) -> int:
    """The marker line of the hunk holding a line of one resolution (or the next hunk)."""
    lo, hi = (0, 1) if side == 0 else (2, 3)
    k = bisect_left(hunks, line, key=lambda hunk: hunk[hi])  # the first ending at or below it
    if k < len(hunks) and hunks[k][hi] == line and hunks[k][lo] < line:
        k += 1  # it ends right above the line (an empty one at the line holds it)
    if k < len(hunks):
        return hunks[k][4]
    return hunks[-1][4] if hunks else line


def resolve(text: str, side: str) -> str:
    """A text with conflict markers resolved to one side (for tests and for checking)."""
    out, state = [], None
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare == MARK_OURS:
            state = OURS
        elif bare == MARK_SEP and state == OURS:
            state = THEIRS
        elif bare == MARK_THEIRS and state == THEIRS:
            state = None
        elif state is None or state == side:
            out.append(line)
    return "".join(out)

