"""The edits a command makes to a ledger's text (add, close, note, reopen, set, invest): each
splices only the lines it must and says what the file must read back as.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from taizhang.domain.calendars import NO_EXTRA, YearDays, year_days
from taizhang.domain.ids import CODE_PATTERN, ITEM_ID_PATTERN, make_item_id, next_number, split_item_id
from taizhang.domain.models import Item, Ledger, Settings, ledger_json_schema
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.repo.files import atomic_write, locked, state_dir
from taizhang.repo.layout import (CALENDAR_DIR, LEDGER_DIR, SETTINGS_FILE, calendar_files, find_root,
                                  ledger_files, ledger_path)
from taizhang.repo.layout import rel_path as _rel
from taizhang.yamltext import splice
from taizhang.yamltext.read import Document, compose, encode, read_document
from taizhang.repo.load import LoadedLedger
from taizhang.domain.vocab import DATE_FIELDS, ITEM_KEY_ORDER, PROJECT_KEY_ORDER
from taizhang.repo.write import Edit, _Windows, _root_node, _windowed


def _item_root(text: str):
    """The root node for an edit of items: composed window by window where it can be."""
    if _Windows.allowed and _Windows.ids is not None:
        from taizhang.yamltext.windows import windowed_root

        root = windowed_root(text, _Windows.ids)
        if root is not None:
            _Windows.used = True
            return root
    return compose(text)


def _items_node(root_node):
    pair = splice.mapping_get(root_node, "items")
    return pair[1] if pair else None


def _item_index(loaded: LoadedLedger, item_id: str) -> int:
    for i, item in enumerate(loaded.doc.data.get("items") or []):
        if isinstance(item, dict) and item.get("id") == item_id:
            return i
    raise input_error("unknown_item", id=item_id)


def yaml_value(value: Any) -> Any:
    """A value as it reads back from the text `splice.scalar` writes for it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {k: yaml_value(v) for k, v in value.items()}
    return value


def _layout(loaded: LoadedLedger) -> tuple[int, int]:
    """(dash column of the items list, key column inside an item), as this file lays them out."""
    root_node = _item_root(loaded.doc.text)
    seq = _items_node(root_node)
    if seq is not None and seq.id == "sequence" and seq.value and not getattr(seq, "flow_style", False):
        first = seq.value[0]
        return seq.start_mark.column, first.start_mark.column
    return 2, 4


def emit_value(value: Any) -> str:
    if isinstance(value, list):
        return splice.flow(value)
    return splice.scalar(value)


def _with_comment(text: str, node_of: Callable[[Any], Any], comment: str | None, *, item: bool) -> str:
    if not comment:
        return text
    return splice.set_line_comment(text, node_of(_item_root(text) if item else _root_node(text)), comment)


def add_item_edit(fields: dict[str, Any], comments: dict[str, str] | None = None) -> Callable[[LoadedLedger], Edit]:
    """An edit that appends an item with the next free id; `fields` hold everything but `id`."""
    comments = comments or {}

    def apply(loaded: LoadedLedger) -> Edit:
        ledger = loaded.ledger
        ids = {item.id for item in ledger.items}
        for ref in fields.get("after") or []:
            if ref not in ids:
                raise input_error("after_missing", ref=ref)
        new_id = make_item_id(ledger.code, next_number(ids))
        entry = {"id": new_id, **{k: v for k, v in fields.items() if v not in (None, [], "")}}
        entry = {k: entry[k] for k in ITEM_KEY_ORDER if k in entry}
        text, newline = loaded.doc.text, loaded.doc.newline
        root_node = _item_root(text)
        dash_col, key_col = _layout(loaded)
        pairs = [(k, emit_value(v)) for k, v in entry.items()]
        seq = _items_node(root_node)
        block_seq = seq is not None and seq.id == "sequence" and not getattr(seq, "flow_style", False)
        if seq is not None and seq.id == "sequence" and seq.value and not block_seq:
            text = splice.append_flow_entry(text, seq, splice.flow(entry))
        else:
            lines = [" " * dash_col + "-" + " " * (key_col - dash_col - 1) + f"{pairs[0][0]}: {pairs[0][1]}"]
            lines += [" " * key_col + f"{k}: {v}" for k, v in pairs[1:]]
            if block_seq:
                if _items_spaced(text, seq):
                    lines = [""] + lines  # the file separates items by a blank line: so does this one
                text = splice.append_block_entry(text, seq, lines, newline)
            else:
                # No list yet (`items:` absent, empty, `~` or `[]`): start a block list,
                # keeping the `items:` line and any comment on it.
                block = [line[dash_col:] for line in lines]
                if getattr(root_node, "flow_style", False):
                    # A ledger written as one `{...}`: the list goes in, in flow style too.
                    if seq is not None:
                        text = splice.remove_key(text, root_node, "items")
                    text = splice.insert_key(text, _root_node(text), "items", splice.flow([entry]), newline)
                elif seq is None:
                    text = splice.insert_key(text, root_node, "items", block, newline, child_indent=dash_col)
                else:
                    text = splice.start_block_list(text, root_node, "items", lines, newline)
        index = len(ledger.items)
        if _Windows.ids is not None:
            _Windows.ids = [*_Windows.ids, new_id]  # the text now holds the new item too
        for key, comment in comments.items():
            if key in entry:
                text = _with_comment(text, lambda n: _item_node(n, index, key), comment, item=True)
        expected = dict(loaded.doc.data)
        expected["items"] = list(expected.get("items") or []) + [yaml_value(entry)]
        return Edit(text, expected, new_id)

    return _windowed(apply)


def _items_spaced(text: str, seq) -> bool:
    """Whether the last two items of a block list stand apart with a blank line between them."""
    if len(seq.value) < 2:
        return False
    gap = text[splice._last_end(seq.value[-2], text):seq.value[-1].start_mark.index]
    return "\n\n" in gap.replace("\r", "").replace(" ", "")


def _item_node(root_node, index: int, key: str | None = None):
    node = _items_node(root_node).value[index]
    if key is None:
        return node
    return splice.mapping_get(node, key)[1]


def _insert_item_key(text: str, index: int, key: str, value: Any, newline: str,
                     block: list[str] | None = None, root_node=None) -> str:
    """Add `key` to item `index`, before the first key that comes after it in the usual order.
    `root_node` may be the nodes of an earlier text that differs only *after* this item."""
    item_node = _item_node(root_node if root_node is not None else _item_root(text), index)
    if getattr(item_node, "flow_style", False):
        return splice.insert_key(text, item_node, key, splice.flow(value), newline)
    return _insert_ordered(text, item_node, key, block if block is not None else emit_value(value),
                           newline, ITEM_KEY_ORDER)


def _insert_ordered(text: str, map_node, key: str, lines: list[str] | str, newline: str,
                    order: tuple[str, ...]) -> str:
    later = set(order[order.index(key) + 1:])
    following = [k.value for k, _ in map_node.value if k.value in later]
    return splice.insert_key(text, map_node, key, lines, newline,
                             before_key=following[0] if following else None)


def close_edit(item_ids: list[str], closed: dict[str, Any]) -> Callable[[LoadedLedger], Edit]:
    """销号: add `closed:` to each item (refusing an item that is closed already)."""

    def apply(loaded: LoadedLedger) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        done = []
        targets = []
        for item_id in item_ids:
            index = _item_index(loaded, item_id)
            item = loaded.ledger.items[index]
            if item.closed is not None:
                raise input_error("already_closed", id=item_id, date=item.closed.date.isoformat())
            targets.append(index)
            done.append((item_id, item.title))
        value = {k: v for k, v in closed.items() if v not in (None, "")}
        block = [f"{k}: {splice.scalar(v)}" for k, v in value.items()]
        # From the last item up: an insertion moves only the text below it, so the nodes of the
        # file as read stay right for every item still to do (one parse for any number of ids).
        root_node = _item_root(text)
        for index in sorted(set(targets), reverse=True):
            text = _insert_item_key(text, index, "closed", value, newline, block=block, root_node=root_node)
            expected["items"][index]["closed"] = yaml_value(value)
        return Edit(text, expected, done)

    return _windowed(apply)


def _copy_items(data: dict) -> dict:
    copy = dict(data)
    copy["items"] = [dict(item) for item in data.get("items") or []]
    return copy


def note_edit(item_id: str, note: dict[str, Any]) -> Callable[[LoadedLedger], Edit]:
    """Append a progress report to an item's notes (flow style, one line, like its neighbours)."""

    def apply(loaded: LoadedLedger) -> Edit:
        index = _item_index(loaded, item_id)
        text = _append_note(loaded.doc.text, index, note, loaded.doc.newline)
        expected = _copy_items(loaded.doc.data)
        written = {k: v for k, v in note.items() if v not in (None, "")}  # as _append_note writes it
        expected["items"][index]["notes"] = list(expected["items"][index].get("notes") or []) + [yaml_value(written)]
        return Edit(text, expected, (item_id, loaded.ledger.items[index].title))

    return _windowed(apply)


def _append_note(text: str, index: int, note: dict[str, Any], newline: str) -> str:
    note = {k: v for k, v in note.items() if v not in (None, "")}
    root_node = _item_root(text)
    item_node = _item_node(root_node, index)
    pair = splice.mapping_get(item_node, "notes")
    entry = splice.flow(note)
    if pair is None:
        return _insert_item_key(text, index, "notes", [note], newline, block=["- " + entry])
    key_node, seq = pair
    if seq.id == "scalar":  # `notes:` left empty
        text = splice.remove_key(text, item_node, "notes")
        return _insert_item_key(text, index, "notes", [note], newline, block=["- " + entry])
    if getattr(seq, "flow_style", False):
        return splice.append_flow_entry(text, seq, entry)
    last = seq.value[-1]
    if last.id == "mapping" and not getattr(last, "flow_style", False):
        # Block-style notes: write the new one the way the last one is written.
        dash = seq.start_mark.column
        key_col = last.start_mark.column
        pairs = list(note.items())
        lines = [" " * dash + "-" + " " * (key_col - dash - 1) + f"{pairs[0][0]}: {splice.scalar(pairs[0][1])}"]
        lines += [" " * key_col + f"{k}: {splice.scalar(v)}" for k, v in pairs[1:]]
        return splice.append_block_entry(text, seq, lines, newline)
    return splice.append_block_entry(text, seq, [" " * seq.start_mark.column + "- " + entry], newline)


def reopen_edit(item_id: str, note: dict[str, Any], reason_args: Callable[[Any], dict]) -> Callable[[LoadedLedger], Edit]:
    """Undo a 销号: remove `closed:` and keep why (and whose close it was) as a note."""

    def apply(loaded: LoadedLedger) -> Edit:
        index = _item_index(loaded, item_id)
        item = loaded.ledger.items[index]
        if item.closed is None:
            raise input_error("not_closed", id=item_id)
        text = loaded.doc.text
        item_node = _item_node(_item_root(text), index)
        text = splice.remove_key(text, item_node, "closed")
        full_note = dict(note)
        full_note["text"] = reason_args(item.closed)
        text = _append_note(text, index, full_note, loaded.doc.newline)
        expected = _copy_items(loaded.doc.data)
        entry = dict(expected["items"][index])
        del entry["closed"]
        entry["notes"] = list(entry.get("notes") or []) + [yaml_value({k: v for k, v in full_note.items() if v not in (None, "")})]
        expected["items"][index] = entry
        return Edit(text, expected, (item_id, item.title))

    return _windowed(apply)


def set_edit(target: str, changes: list[tuple[str, Any, str | None]]) -> Callable[[LoadedLedger], Edit]:
    """Change fields of an item (target = its id) or of the project (target = its code).
    `changes` are (field, value or None to remove, comment keeping the clerk's wording)."""
    return set_many_edit({target: changes})


def set_many_edit(changes_by_target: dict[str, list[tuple[str, Any, str | None]]]) -> Callable[[LoadedLedger], Edit]:
    """`set_edit` for several items (and/or the project) of one ledger in one write."""

    def apply(loaded: LoadedLedger) -> Edit:
        text = loaded.doc.text
        expected = _copy_items(loaded.doc.data)
        for target, changes in changes_by_target.items():
            text = _set_fields(loaded, text, expected, target, changes)
        return Edit(text, expected, list(changes_by_target))

    return _windowed(apply)


def _set_fields(loaded: LoadedLedger, text: str, expected: dict, target: str,
                changes: list[tuple[str, Any, str | None]]) -> str:
    is_item = "-" in target
    index = _item_index(loaded, target) if is_item else None
    newline = loaded.doc.newline
    holder = dict(expected["items"][index]) if is_item else expected
    for name, value, comment in changes:
        root_node = _item_root(text) if is_item else _root_node(text)
        map_node = _item_node(root_node, index) if is_item else root_node
        pair = splice.mapping_get(map_node, name)
        if value is None:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
                holder.pop(name, None)
            continue
        # Inside `{...}` a value must be written for flow context (`,` `[` `{` quoted).
        emitted = splice.flow(value) if getattr(map_node, "flow_style", False) else emit_value(value)
        if pair is not None and (pair[1].id == "scalar" or getattr(pair[1], "flow_style", False)):
            if name in DATE_FIELDS and pair[1].id == "scalar":
                text = _drop_stale_wording(text, pair[1], loaded)
                pair = splice.mapping_get(_item_node(_item_root(text), index) if is_item else _root_node(text), name)
            text = splice.replace_scalar(text, pair[1], emitted)
        elif pair is not None and not getattr(map_node, "flow_style", False):
            # A block list or mapping as the value: the key keeps its place, the value its line.
            text = splice.replace_block_value(text, pair[0], pair[1], emitted, newline)
        else:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
            text = (_insert_item_key(text, index, name, value, newline) if is_item
                    else _insert_project_key(text, name, emitted, newline))
        if comment:
            text = _with_comment(
                text, lambda n: splice.mapping_get(_item_node(n, index) if is_item else n, name)[1], comment,
                item=is_item)
        holder[name] = yaml_value(value)
    if is_item:
        expected["items"][index] = holder
    return text


def invest_edit(month: str, amount: Any, wording: str) -> Callable[[LoadedLedger], Edit]:
    """Record completed investment for a month (replacing that month's figure if there is one),
    written as the clerk typed it (`1.2亿`), a bare number as a number."""
    value: Any = wording
    if re.fullmatch(r"[0-9]+", wording):
        value = int(wording)
    elif re.fullmatch(r"[0-9]+\.[0-9]+", wording):
        value = float(wording)

    def apply(loaded: LoadedLedger) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        invest = dict(expected.get("investment") or {})
        completed = dict(invest.get("completed") or {})
        completed = {k: v for k, v in completed.items() if str(k) != month}
        completed[month] = value
        invest["completed"] = completed
        expected["investment"] = invest
        root_node = _root_node(text)
        pair = splice.mapping_get(root_node, "investment")
        entry = {month: value}
        if pair is None or pair[1].id == "scalar":
            if pair is not None:
                text = splice.remove_key(text, root_node, "investment")
            text = _insert_ordered(text, _root_node(text), "investment", ["completed: " + splice.flow(entry)],
                                   newline, PROJECT_KEY_ORDER)
            return Edit(text, expected, month)
        invest_node = pair[1]
        done_pair = splice.mapping_get(invest_node, "completed")
        if done_pair is None or done_pair[1].id == "scalar":
            if done_pair is not None:
                text = splice.remove_key(text, invest_node, "completed")
                invest_node = splice.mapping_get(_root_node(text), "investment")[1]
            text = splice.insert_key(text, invest_node, "completed",
                                     splice.flow(entry) if not getattr(invest_node, "flow_style", False)
                                     else splice.flow(entry), newline)
            return Edit(text, expected, month)
        months_node = done_pair[1]
        existing = splice.mapping_get(months_node, month)
        flow = getattr(months_node, "flow_style", False)
        emitted = splice.flow(value) if flow else splice.scalar(value)
        if existing is not None:
            text = splice.replace_scalar(text, existing[1], emitted)
        elif flow:
            text = splice.insert_key(text, months_node, month, emitted, newline)
        else:
            text = splice.insert_key(text, months_node, month, emitted, newline)
        return Edit(text, expected, month)

    return apply


def _drop_stale_wording(text: str, value_node, loaded: LoadedLedger) -> str:
    """A date's line comment that is the wording of the old date (`due: 2018-07-20  # 7月中旬`)
    would contradict a new date: it goes. Any other comment stays."""
    from taizhang.domain.dates import DateError, parse_date

    comment = splice.line_comment(text, value_node)
    if not comment:
        return text
    try:
        old = parse_date(value_node.value, year=None, relative=False)
        said = parse_date(comment, year=old.year, relative=False)
    except (DateError, TypeError):
        return text
    return splice.remove_line_comment(text, value_node) if said == old else text


def _insert_project_key(text: str, key: str, emitted: str, newline: str) -> str:
    # Top-level keys go above `items:` (and the comments that introduce it), never after the list.
    return _insert_ordered(text, _root_node(text), key, emitted, newline, PROJECT_KEY_ORDER)


