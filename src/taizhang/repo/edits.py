"""The edits a command makes to a ledger's text (add, close, note, reopen, set, invest): each
splices only the lines it must and says what the file must read back as.

Each edit is a plan, `plan(loaded, context=None) -> Edit`; the context (repo.write.EditContext)
says whether an item's nodes may be found through windows.

Every edit of existing items goes through `_edit_items`: each item's change is made by a
function of (text, item_of) — `item_of(text)` is the item's node in that text — on the item's
own lines where the items have windows, all of them put back in one rebuild of the text. An
edit of a thousand items costs about what an edit of one does.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from taizhang.domain.ids import make_item_id, next_number
from taizhang.domain.keys import DATE_FIELDS, ITEM_KEY_ORDER, PROJECT_KEY_ORDER
from taizhang.domain.moves import is_move
from taizhang.errors import input_error
from taizhang.repo.write import Edit, EditContext, Plan, windowed
from taizhang.yamltext import emit, splice
from taizhang.yamltext.read import compose

if TYPE_CHECKING:
    from taizhang.repo.load import LoadedLedger
    from taizhang.yamltext import windows

# add, close and note read what they need from the ledger's data (`_items`), not its model: a
# write the cache vouches for does not load pydantic (repo.write). The model is asked for where
# a value must be read as the models read it (a date of a close being undone, an application).

def _items_node(root_node):
    pair = splice.mapping_get(root_node, "items")
    return pair[1] if pair else None


def _items(loaded: LoadedLedger) -> list[dict[str, Any]]:
    """The items as read (of a ledger without errors: each a mapping with a text `id`)."""
    return loaded.doc.data.get("items") or []


def _index_of(loaded: LoadedLedger) -> dict[str, int]:
    """Each item's index by its id (the first, should one repeat), made once per edit: looking
    each id up along the list made an edit of many items quadratic."""
    index: dict[str, int] = {}
    for i, item in enumerate(_items(loaded)):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            index.setdefault(item["id"], i)
    return index


def _item_index(index_of: dict[str, int], item_id: str) -> int:
    try:
        return index_of[item_id]
    except (KeyError, TypeError):
        raise input_error("unknown_item", id=item_id) from None


ItemOf = Callable[[str], Any]  # item_of(text): the item's mapping node in `text` (its own lines, or the whole)
ItemEdit = Callable[[str, ItemOf], str]  # edit(text, item_of) -> the text with the item changed


def _edit_items(text: str, item_edits: dict[int, ItemEdit], context: EditContext) -> str:
    """`text` with each item's edit made (index -> edit). Where the items have windows
    (yamltext.windows), each edit is made on its item's own lines, composed alone, and all the
    new lines are put back in one rebuild: made one by one on the whole text, each edit scanned
    and rebuilt the ledger (`schedule --write` of 8,000 dues took 196 s). Else on the whole
    text, from the last item up: an edit changes the text only from its item down, so the nodes
    of the text as first composed stay right for each item until its own edit changes it."""
    if not item_edits:
        return text
    found = context.item_windows(text)
    if found is not None:
        pieces, at = [], 0
        for index in sorted(item_edits):
            start, stop = found.span(index)
            pieces += [text[at:start], item_edits[index](text[start:stop], _window_item(found, index))]
            at = stop
        pieces.append(text[at:])
        return "".join(pieces)
    root_node = context.item_root(text)
    for index in sorted(item_edits, reverse=True):
        text = item_edits[index](text, _whole_item(context, root_node, text, index))
    return text


def _window_item(found: windows.ItemWindows, index: int) -> ItemOf:
    """`item_of` for an edit of an item's own lines (ValueError where they mislead: the edit is
    then made again on the whole text: edit_ledgers)."""
    last: list[Any] = [None, None]

    def item_of(lines: str) -> Any:
        if last[0] is not lines:
            last[:] = [lines, found.entry(index, lines)]
        return last[1]

    return item_of


def _whole_item(context: EditContext, root_node: Any, start: str, index: int) -> ItemOf:
    """`item_of` for an edit of the whole text, which reads `root_node` (composed before any
    edit) while the text is still `start`, the text the item's edit began with."""

    def item_of(text: str) -> Any:
        return _item_node(root_node if text is start else context.item_root(text), index)

    return item_of


def _layout(loaded: LoadedLedger, context: EditContext) -> tuple[int, int]:
    """(dash column of the items list, key column inside an item), as this file lays them out."""
    root_node = context.item_root(loaded.doc.text)
    seq = _items_node(root_node)
    if seq is not None and seq.id == "sequence" and seq.value and not getattr(seq, "flow_style", False):
        first = seq.value[0]
        return seq.start_mark.column, first.start_mark.column
    return 2, 4


def _comment(text: str, map_of: Callable[[str], Any], key: str, comment: str | None) -> str:
    """`# comment` after the value of `key` of the mapping `map_of(text)` (the clerk's wording)."""
    if not comment:
        return text
    return splice.set_line_comment(text, splice.mapping_get(map_of(text), key)[1], comment)


def add_item_edit(fields: dict[str, Any], comments: dict[str, str] | None = None, *, used: int = 0) -> Plan:
    """An edit that appends an item with the next free id; `fields` hold everything but `id`.
    `used` is the highest item number the ledger ever held that the file may no longer show
    (repo.history): an id is never reused (SPEC §2)."""
    comments = comments or {}

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        items = _items(loaded)
        ids = {item["id"] for item in items}
        for ref in fields.get("after") or []:
            if ref not in ids:
                raise input_error("after_missing", ref=ref)
        # (`used`: the highest number git's copies of the file have used: an id is never reused)
        new_id = make_item_id(loaded.doc.data["code"], max(next_number(ids), used + 1))
        entry = {"id": new_id, **{k: v for k, v in fields.items() if v not in (None, [], "")}}
        entry = {k: entry[k] for k in ITEM_KEY_ORDER if k in entry}
        text, newline = loaded.doc.text, loaded.doc.newline
        root_node = context.item_root(text)
        dash_col, key_col = _layout(loaded, context)
        seq = _items_node(root_node)
        block_seq = seq is not None and seq.id == "sequence" and not getattr(seq, "flow_style", False)
        if seq is not None and seq.id == "sequence" and seq.value and not block_seq:
            text = splice.append_flow_entry(text, seq, emit.flow(entry))
        else:
            lines = emit.entry_lines(entry, dash=dash_col, key_col=key_col)
            if block_seq:
                if splice.entries_spaced(text, seq):
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
                    text = splice.insert_key(text, compose(text), "items", emit.flow([entry]), newline)
                elif seq is None:
                    text = splice.insert_key(text, root_node, "items", block, newline, child_indent=dash_col)
                else:
                    text = splice.start_block_list(text, root_node, "items", lines, newline)
        index = len(items)
        if context.ids is not None:
            context.ids = [*context.ids, new_id]  # the text now holds the new item too
        def commented(text: str, item_of: ItemOf) -> str:
            for key, comment in comments.items():
                if key in entry:
                    text = _comment(text, item_of, key, comment)
            return text

        if any(key in entry for key in comments):
            text = _edit_items(text, {index: commented}, context)
        expected = dict(loaded.doc.data)
        expected["items"] = list(expected.get("items") or []) + [emit.read_back(entry)]
        return Edit(text, expected, new_id)

    return windowed(_final_block_settled(apply))


_BLOCK_HEADER = re.compile(r"([|>])([1-9]?)([+-]?)([1-9]?)")


def _final_block_settled(apply: Callable) -> Callable:
    """An edit of a file that ends in a block scalar (`measures: |`) without a final line break.
    That scalar's value ends where the file ends; the edit's lines after it would give it a
    line break it did not have (and the read-back refused the edit). Its chomping becomes
    `strip` (`|-`), which reads the same value wherever the scalar stands."""

    def run(loaded: LoadedLedger, context: EditContext | None = None) -> Edit:
        text = loaded.doc.text
        if not text or text.endswith(("\n", "\r")):
            return apply(loaded, context)
        node = compose(text)
        while node is not None and node.id in ("mapping", "sequence") and node.value:
            node = node.value[-1][1] if node.id == "mapping" else node.value[-1]
        header = _BLOCK_HEADER.match(text, node.start_mark.index) if node is not None and node.id == "scalar" \
            and node.style in ("|", ">") else None
        if header is None or header.group(3) == "-":
            return apply(loaded, context)
        style, before, _, after = header.groups()
        settled = text[:header.start()] + style + (before or after) + "-" + text[header.end():]
        doc = dataclasses.replace(loaded.doc, text=settled, _values=None, _keys=None)
        return apply(dataclasses.replace(loaded, doc=doc), context)

    return run


def _item_node(root_node, index: int, key: str | None = None):
    node = _items_node(root_node).value[index]
    if key is None:
        return node
    return splice.mapping_get(node, key)[1]


def _insert_item_key(text: str, item_of: ItemOf, key: str, value: Any, newline: str,
                     block: list[str] | None = None) -> str:
    """Add `key` to the item, before the first key that comes after it in the usual order."""
    item_node = item_of(text)
    if getattr(item_node, "flow_style", False):
        return splice.insert_key(text, item_node, key, emit.flow(value), newline)
    return _insert_ordered(text, item_node, key, block if block is not None else emit.inline(value),
                           newline, ITEM_KEY_ORDER)


def _insert_ordered(text: str, map_node, key: str, lines: list[str] | str, newline: str,
                    order: tuple[str, ...]) -> str:
    later = set(order[order.index(key) + 1:])
    following = [k.value for k, _ in map_node.value if k.value in later]
    return splice.insert_key(text, map_node, key, lines, newline,
                             before_key=following[0] if following else None)


def close_edit(item_ids: list[str], closed: dict[str, Any], default_day: Any = None) -> Plan:
    """销号: add `closed:` to each item (refusing an item that is closed already). Without a
    date, an item applied for takes its application's day, any other `default_day`."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        targets, done = _open_targets(loaded, item_ids, applied_too=True)
        item_edits: dict[int, ItemEdit] = {}
        for index in sorted(set(targets), reverse=True):  # (a refusal names the last item refused, as ever)
            value, applied = _closing(loaded, index, closed, default_day)
            if applied:
                expected["items"][index].pop("apply", None)
            item_edits[index] = functools.partial(_close_item, value=value, applied=applied, newline=newline)
            expected["items"][index]["closed"] = emit.read_back(value)
        return Edit(_edit_items(text, item_edits, context), expected, done)

    return windowed(_final_block_settled(apply))


def _closing(loaded: LoadedLedger, index: int, closed: dict[str, Any], default_day: Any) -> tuple[dict[str, Any], bool]:
    """What item `index`'s `closed:` records, and whether the close settles an application."""
    item_id = _items(loaded)[index]["id"]
    applied = _items(loaded)[index].get("apply") is not None
    value = _closed_value(_per_item(closed, item_id), loaded.valid.items[index].apply if applied else None)
    value.setdefault("date", default_day)
    if value.get("date") is None:
        raise input_error("close_needs_date", id=item_id)
    return {"date": value.pop("date"), **value}, applied


def _close_item(text: str, item_of: ItemOf, *, value: dict[str, Any], applied: bool, newline: str) -> str:
    if applied:
        # The application is settled by this close: its words move into `closed:`.
        text = splice.remove_key(text, item_of(text), "apply")
    return _insert_item_key(text, item_of, "closed", value, newline, block=emit.mapping_lines(value))


def _closed_value(closed: dict[str, Any], application: Any) -> dict[str, Any]:
    """What `closed:` records: as given; on an item applied for (§7), the application's date,
    evidence, note and applicant unless given others, and the closer as who verified it."""
    value = dict(closed)
    if application is not None:
        verifier = value.pop("by", None)
        for key in ("date", "evidence", "note"):
            if value.get(key) in (None, ""):
                value[key] = getattr(application, key)
        value["by"] = application.by
        value["verified_by"] = verifier
    else:
        value.pop("verified_by", None)
    order = ("date", "by", "note", "evidence", "verified_by")
    return {k: value[k] for k in order if value.get(k) not in (None, "")}


def apply_edit(item_ids: list[str], application: dict[str, Any]) -> Plan:
    """申请销号 (§7): add `apply:` to each item, refusing one closed or applied for already.
    `application["evidence"]` may be a mapping id → evidence (a file copied per item)."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        targets, done = _open_targets(loaded, item_ids, applied_too=False)
        item_edits: dict[int, ItemEdit] = {}
        for index in sorted(set(targets), reverse=True):
            value = _per_item(application, _items(loaded)[index]["id"])
            value = {k: v for k, v in value.items() if v not in (None, "")}
            item_edits[index] = functools.partial(_insert_item_key, key="apply", value=value, newline=newline,
                                                  block=emit.mapping_lines(value))
            expected["items"][index]["apply"] = emit.read_back(value)
        return Edit(_edit_items(text, item_edits, context), expected, done)

    return windowed(_final_block_settled(apply))


def _open_targets(loaded: LoadedLedger, item_ids: list[str], *, applied_too: bool
                  ) -> tuple[list[int], list[tuple[str, str]]]:
    """The indexes and (id, title) of the items a close (`applied_too`: an item applied for may
    be closed) or an application is for, refusing one closed already, or applied for already."""
    targets, done = [], []
    index_of = _index_of(loaded)
    for item_id in item_ids:
        index = _item_index(index_of, item_id)
        item = _items(loaded)[index]
        if item.get("closed") is not None:
            closed = loaded.valid.items[index].closed  # (the date as the models read it)
            assert closed is not None
            raise input_error("already_closed", id=item_id, date=closed.date.isoformat())
        if not applied_too and item.get("apply") is not None:
            applied = loaded.valid.items[index].apply
            assert applied is not None
            raise input_error("already_applied", id=item_id, date=applied.date.isoformat())
        targets.append(index)
        done.append((item_id, item["title"]))
    return targets, done


def _per_item(given: dict[str, Any], item_id: str) -> dict[str, Any]:
    """`given` for one item: an `evidence` that is a mapping id → evidence (a file copied per
    item) gives that item's."""
    value = dict(given)
    if isinstance(value.get("evidence"), dict):
        value["evidence"] = value["evidence"].get(item_id)
    return value


def reject_edit(item_id: str, note: dict[str, Any], reason_args: Callable[[Any], str]) -> Plan:
    """Turn down a 销号 application: remove `apply:` and keep why (and what was applied) as a note."""
    return _withdraw_edit(item_id, "apply", "not_applied", note, reason_args)


def _withdraw_edit(item_id: str, key: str, refusal: str, note: dict[str, Any],
                   reason_args: Callable[[Any], Any]) -> Plan:
    """Remove an item's `key` (`closed:` for reopen, `apply:` for reject), refusing with
    `refusal` an item without it, and keep why as a note (`reason_args(what was removed)`)."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        index = _item_index(_index_of(loaded), item_id)
        item = loaded.valid.items[index]
        removed = getattr(item, key)
        if removed is None:
            raise input_error(refusal, id=item_id)
        full_note = dict(note)
        full_note["text"] = reason_args(removed)

        def withdrawn(text: str, item_of: ItemOf) -> str:
            text = splice.remove_key(text, item_of(text), key)
            return _append_note(text, item_of, full_note, loaded.doc.newline)

        text = _edit_items(loaded.doc.text, {index: withdrawn}, context)
        expected = _copy_items(loaded.doc.data)
        entry = dict(expected["items"][index])
        del entry[key]
        entry["notes"] = list(entry.get("notes") or []) + [emit.read_back({k: v for k, v in full_note.items() if v not in (None, "")})]
        expected["items"][index] = entry
        return Edit(text, expected, (item_id, item.title))

    return windowed(_final_block_settled(apply))


def _copy_items(data: dict) -> dict:
    """The data an edit expects to read back, its items copied one by one to be changed. A ledger
    with no `items:` key (a project just made by `new`), or `items:` empty, keeps it as it is: an
    edit of the project's own fields adds none."""
    copy = dict(data)
    items = data.get("items")
    if isinstance(items, list):
        copy["items"] = [dict(item) if isinstance(item, dict) else item for item in items]
    return copy


def note_edit(item_id: str, note: dict[str, Any]) -> Plan:
    """Append a progress report to an item's notes (flow style, one line, like its neighbours)."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        index = _item_index(_index_of(loaded), item_id)
        if note.get("done") is not None and _items(loaded)[index].get("target") is None:
            raise input_error("done_without_target", id=item_id)  # a count of nothing would mislead
        appended = functools.partial(_append_note, note=note, newline=loaded.doc.newline)
        text = _edit_items(loaded.doc.text, {index: appended}, context)
        expected = _copy_items(loaded.doc.data)
        written = {k: v for k, v in note.items() if v not in (None, "")}  # as _append_note writes it
        expected["items"][index]["notes"] = list(expected["items"][index].get("notes") or []) + [emit.read_back(written)]
        return Edit(text, expected, (item_id, _items(loaded)[index]["title"]))

    return windowed(_final_block_settled(apply))


def _append_note(text: str, item_of: ItemOf, note: dict[str, Any], newline: str, key: str = "notes") -> str:
    """Append an entry to an item's list `key` (its notes, or its `changes:`)."""
    # (A move's `to: null` stays: the node was removed.)
    note = {k: v for k, v in note.items() if v not in (None, "") or (key == "changes" and k == "to")}
    item_node = item_of(text)
    pair = splice.mapping_get(item_node, key)
    if pair is None:
        return _insert_item_key(text, item_of, key, [note], newline, block=[emit.flow_entry(note)])
    key_node, seq = pair
    if seq.id == "scalar":  # `notes:` left empty
        text = splice.remove_key(text, item_node, key)
        return _insert_item_key(text, item_of, key, [note], newline, block=[emit.flow_entry(note)])
    return _append_to_seq(text, seq, note, newline)


def _append_project_change(text: str, change: dict[str, Any], newline: str) -> str:
    """Append an entry to the project's `changes:` (a moved deadline)."""
    root_node = compose(text)
    pair = splice.mapping_get(root_node, "changes")
    if pair is not None and pair[1].id != "scalar":
        return _append_to_seq(text, pair[1], change, newline)
    if pair is not None:
        text = splice.remove_key(text, root_node, "changes")
    if getattr(root_node, "flow_style", False):
        return splice.insert_key(text, compose(text), "changes", emit.flow([change]), newline)
    return _insert_ordered(text, compose(text), "changes", [emit.flow_entry(change)], newline,
                           PROJECT_KEY_ORDER)


def _append_to_seq(text: str, seq, note: dict[str, Any], newline: str) -> str:
    if getattr(seq, "flow_style", False):
        return splice.append_flow_entry(text, seq, emit.flow(note))
    last = seq.value[-1]
    if last.id == "mapping" and not getattr(last, "flow_style", False):
        # Block-style notes: write the new one the way the last one is written.
        lines = emit.entry_lines(note, dash=seq.start_mark.column, key_col=last.start_mark.column)
        return splice.append_block_entry(text, seq, lines, newline)
    return splice.append_block_entry(text, seq, [emit.flow_entry(note, dash=seq.start_mark.column)], newline)


def reopen_edit(item_id: str, note: dict[str, Any], reason_args: Callable[[Any], Any]) -> Plan:
    """Undo a 销号: remove `closed:` and keep why (and whose close it was) as a note."""
    return _withdraw_edit(item_id, "closed", "not_closed", note, reason_args)


def set_edit(target: str, changes: list[tuple[str, Any, str | None]], move: dict[str, Any] | None = None,
             *, moves_need_reason: bool = False) -> Plan:
    """Change fields of an item (target = its id) or of the project (target = its code).
    `changes` are (field, value or None to remove, comment keeping the clerk's wording).
    With `moves_need_reason` (the `set` command), a moved written `due` or `deadline` is recorded
    under `changes:` with `move` ({date, by, reason}, SPEC §7), and refused without it. The
    edit's result says which nodes moved."""
    return set_many_edit({target: changes}, move, moves_need_reason=moves_need_reason)


def set_many_edit(changes_by_target: dict[str, list[tuple[str, Any, str | None]]],
                  move: dict[str, Any] | None = None, *, moves_need_reason: bool = False) -> Plan:
    """`set_edit` for several items (and/or the project) of one ledger in one write: the
    project's fields first, then every item's in one pass (`_edit_items`)."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        index_of = _index_of(loaded)
        moved: list[dict[str, Any]] = []
        item_edits: dict[int, ItemEdit] = {}
        for target, changes in changes_by_target.items():
            index = _item_index(index_of, target) if "-" in target else None  # (None: the project's own keys)
            moves = _moves(loaded, index, changes) if moves_need_reason else []
            if moves and move is None:
                name, old, _ = moves[0]
                raise input_error("reason_required", target=target, field=name, old=old.isoformat())
            records = _move_records(moves, move) if moves else []
            moved += records
            # `to: null` is kept: it says the node was removed, not that the record is short.
            records = [{k: v for k, v in r.items() if k == "to" or v not in (None, "")} for r in records]
            written = [emit.read_back(r) for r in records]
            if index is None:
                text = _set_fields(text, compose, changes, newline,
                                   lambda text, name, _value, emitted: _insert_project_key(text, name, emitted, newline))
                for record in records:
                    text = _append_project_change(text, record, newline)
                _set_expected(expected, changes, written)
            else:
                item_edits[index] = functools.partial(_set_item, changes=changes, records=records, newline=newline)
                holder = dict(expected["items"][index])
                _set_expected(holder, changes, written)
                expected["items"][index] = holder
        text = _edit_items(text, item_edits, context)
        return Edit(text, expected, {"targets": list(changes_by_target), "moved": moved})

    return windowed(_final_block_settled(apply))


def _set_expected(holder: dict[str, Any], changes: list[tuple[str, Any, str | None]], written: list[Any]) -> None:
    """What an item's or the project's fields read as once `changes` are made and the moves
    `written` recorded under `changes:`."""
    for name, value, _ in changes:
        if value is None:
            holder.pop(name, None)
        else:
            holder[name] = emit.read_back(value)
    if written:
        holder["changes"] = list(holder.get("changes") or []) + written


def _move_records(moves: list[tuple[str, Any, Any]], move: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each move as `changes:` records it: {date, by, field, from, to, reason} (`move` gives
    the date, who and why)."""
    assert move is not None  # a move without its reason is refused before
    return [{"date": move["date"], "by": move.get("by"), "field": name, "from": old, "to": new, "reason": move["reason"]}
            for name, old, new in moves]


def _moves(loaded: LoadedLedger, index: int | None, changes: list[tuple[str, Any, str | None]]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of each written time node these changes move (of item `index`, or of
    the project): to another day, to a term (长期坚持, 每月25日前: `new` is its text), or away
    (`new` None) — a node removed or replaced escapes no less than one moved (SPEC §3). Giving
    a node to an item that had none is not a move."""
    if index is not None:
        holder: Any = loaded.valid.items[index]
        names = ("due",)
    else:
        holder, names = loaded.valid, ("deadline",)
    moves = []
    for name, value, _ in changes:
        old = getattr(holder, name, None) if name in names else None
        if is_move(old, value):
            moves.append((name, old, value))
    return moves


def _set_item(text: str, item_of: ItemOf, *, changes: list[tuple[str, Any, str | None]],
              records: list[dict[str, Any]], newline: str) -> str:
    """An item's fields changed, and its moves recorded under its `changes:`."""
    text = _set_fields(text, item_of, changes, newline,
                       lambda text, name, value, _emitted: _insert_item_key(text, item_of, name, value, newline))
    for record in records:
        text = _append_note(text, item_of, record, newline, key="changes")
    return text


def _set_fields(text: str, map_of: Callable[[str], Any], changes: list[tuple[str, Any, str | None]],
                newline: str, insert: Callable[[str, str, Any, str], str]) -> str:
    """Set (or, with None, remove) fields of one mapping, an item or the project: `map_of(text)`
    is its node, `insert(text, name, value, emitted)` adds a key it does not have."""
    for name, value, comment in changes:
        map_node = map_of(text)
        pair = splice.mapping_get(map_node, name)
        if value is None:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
            continue
        # Inside `{...}` a value must be written for flow context (`,` `[` `{` quoted).
        emitted = emit.flow(value) if getattr(map_node, "flow_style", False) else emit.inline(value)
        if pair is not None and (pair[1].id == "scalar" or getattr(pair[1], "flow_style", False)):
            if name in DATE_FIELDS and pair[1].id == "scalar":
                text = _drop_stale_wording(text, pair[1])
                pair = splice.mapping_get(map_of(text), name)
            text = splice.replace_scalar(text, pair[1], emitted)
        elif pair is not None and not getattr(map_node, "flow_style", False):
            # A block list or mapping as the value: the key keeps its place, the value its line.
            text = splice.replace_block_value(text, pair[0], pair[1], emitted, newline)
        else:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
            text = insert(text, name, value, emitted)
        text = _comment(text, map_of, name, comment)
    return text


@dataclasses.dataclass
class ItemChange:
    """What `update_items_edit` changes of one item: `fields` set as `set` sets them ((field,
    value or None to remove, the clerk's wording)), `notes` appended as `note` appends them,
    and a 销号 (`closed`, as `close` takes it) made as `close` makes it. With `move` ({date, by,
    reason}), a written time node the fields move is kept under `changes:` as `set --reason` keeps it."""

    fields: list[tuple[str, Any, str | None]] = dataclasses.field(default_factory=list)
    notes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    closed: dict[str, Any] | None = None
    move: dict[str, Any] | None = None


def update_items_edit(changes: dict[str, ItemChange]) -> Plan:
    """Changes of each kind to many items (`import --update`: moved nodes, progress reports,
    销号) in one pass over the ledger (`_edit_items`), written as `set`, then `note`, then
    `close` made one at a time would write them. The result: the ids changed."""

    def apply(loaded: LoadedLedger, context: EditContext) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        index_of = _index_of(loaded)
        _open_targets(loaded, [i for i, change in changes.items() if change.closed is not None], applied_too=True)
        item_edits: dict[int, ItemEdit] = {}
        for item_id, change in changes.items():
            index = _item_index(index_of, item_id)
            holder = dict(expected["items"][index])
            moves = _moves(loaded, index, change.fields) if change.move is not None else []
            records = _move_records(moves, change.move) if moves else []
            _set_expected(holder, change.fields,
                          [emit.read_back({k: v for k, v in r.items() if v not in (None, "")}) for r in records])
            notes = [{k: v for k, v in note.items() if v not in (None, "")} for note in change.notes]
            if notes:
                holder["notes"] = list(holder.get("notes") or []) + [emit.read_back(note) for note in notes]
            closing = _closing(loaded, index, change.closed, None) if change.closed is not None else None
            if closing is not None:
                if closing[1]:
                    holder.pop("apply", None)
                holder["closed"] = emit.read_back(closing[0])
            expected["items"][index] = holder
            item_edits[index] = functools.partial(_change_item, fields=change.fields, records=records, notes=notes,
                                                  closing=closing, newline=newline)
        return Edit(_edit_items(text, item_edits, context), expected, list(changes))

    return windowed(_final_block_settled(apply))


def _change_item(text: str, item_of: ItemOf, *, fields: list[tuple[str, Any, str | None]], records: list[dict[str, Any]],
                 notes: list[dict[str, Any]], closing: tuple[dict[str, Any], bool] | None, newline: str) -> str:
    text = _set_item(text, item_of, changes=fields, records=records, newline=newline)
    for note in notes:
        text = _append_note(text, item_of, note, newline)
    if closing is not None:
        text = _close_item(text, item_of, value=closing[0], applied=closing[1], newline=newline)
    return text


def invest_edit(month: str, amount: Any, wording: str) -> Plan:
    """Record completed investment for a month (replacing that month's figure if there is one),
    written as the clerk typed it (`1.2亿`), a bare number as a number."""
    value: Any = wording
    if re.fullmatch(r"[0-9]+", wording):
        value = int(wording)
    elif re.fullmatch(r"[0-9]+\.[0-9]+", wording):
        value = float(wording)

    def apply(loaded: LoadedLedger, context: EditContext | None = None) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        invest = dict(expected.get("investment") or {})
        completed = dict(invest.get("completed") or {})
        completed = {k: v for k, v in completed.items() if str(k) != month}
        completed[month] = value
        invest["completed"] = completed
        expected["investment"] = invest
        root_node = compose(text)
        pair = splice.mapping_get(root_node, "investment")
        entry = {month: value}
        if pair is None or pair[1].id == "scalar":
            if pair is not None:
                text = splice.remove_key(text, root_node, "investment")
            text = _insert_ordered(text, compose(text), "investment", [emit.key_line("completed", entry)],
                                   newline, PROJECT_KEY_ORDER)
            return Edit(text, expected, month)
        invest_node = pair[1]
        done_pair = splice.mapping_get(invest_node, "completed")
        if done_pair is None or done_pair[1].id == "scalar":
            if done_pair is not None:
                text = splice.remove_key(text, invest_node, "completed")
                invest_node = splice.mapping_get(compose(text), "investment")[1]
            text = splice.insert_key(text, invest_node, "completed", emit.flow(entry), newline)
            return Edit(text, expected, month)
        months_node = done_pair[1]
        existing = splice.mapping_get(months_node, month)
        flow = getattr(months_node, "flow_style", False)
        emitted = emit.flow(value) if flow else emit.scalar(value)
        if existing is not None:
            text = splice.replace_scalar(text, existing[1], emitted)
        else:
            text = splice.insert_key(text, months_node, month, emitted, newline)
        return Edit(text, expected, month)

    return _final_block_settled(apply)


def _drop_stale_wording(text: str, value_node) -> str:
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
    return _insert_ordered(text, compose(text), key, emitted, newline, PROJECT_KEY_ORDER)


