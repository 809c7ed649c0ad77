"""Property: any sequence of add / close / note / reopen / set keeps the user's other lines.

Starting from the conftest ledger `YT2` (as written, with CRLF line endings, or with a BOM) or
from the hand-written golden input of test_roundtrip.py (comments, flow items, a block scalar,
odd key order), each step is applied through `write.edit_ledgers` (what the CLI calls) and then
checked:
(a) every line the step did not target is still there, in order: add/close/note only insert
    lines (a note on a flow item `- {...}` rewrites that item's line); set/reopen change lines
    inside the targeted item only (or above `items:` for a project field);
(b) the file still parses and validates;
(c) the data reads back as intended: titles, notes, reasons exactly the text given;
(d) item edits took their nodes from windows of the text and never had to be made again.
"""

from __future__ import annotations

import contextlib
import difflib
import tempfile
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from conftest import YT2, dedent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_windows import LAYOUTS as WINDOW_LAYOUTS

from taizhang.domain.models import Settings
from taizhang.repo import edits, load, write
from taizhang.repo.cache import Cache
from taizhang.yamltext.read import compose
from taizhang.yamltext.splice import mapping_get

GOLDEN_INPUT = Path(__file__).resolve().parent / "golden" / "roundtrip" / "input.yaml"

TRICKY = [
    "2018", "true", "null", "1e3", "~", "yes", "no", "on", "0x1F", "1_000", "2018-06-15", "12:30",
    ".inf", "-", "- 列表", "-1", "+1", "#1", "a #b", "a: b", "键：值", "a:b", ": 开头冒号", "x:",
    "'单引号'", '"双引号"', "It's", '说"明"', "[1, 2]", "{a: 1}", "a, b", "&anchor", "*alias", "!tag",
    "%YAML", "@", "`", "|", ">", "?", "？", "，", "、", "一 二", " 前导空格", "尾随空格 ", "% 完成",
    "第1项\n第2项", "制表\t符", "宇通二期：主体完工（6月底前）", "【督办】拆迁", "100%", "3000万元",
]
ALPHABET = st.sampled_from(list("甲乙丙丁项目建设拆迁督办销号进展台账：，。、（）【】「」"
                                "abcXYZ0123456789 -_:#'\"[]{},&*!|>%@`?~.")
                           )
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(ALPHABET, min_size=1, max_size=16),
    st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.text(ALPHABET, max_size=8)),
).filter(lambda s: s.strip() != "")
NAMES = st.sampled_from(["张三", "李四", "赵红彬", "O'Brien", "测试员", "true", "王 五"])
DATES = st.builds(lambda n: date(2018, 1, 1) + timedelta(days=n), st.integers(0, 900))

BASES = {  # name → (code, text)
    "yt2": ("YT2", lambda: YT2.encode("utf-8")),
    "golden_input": ("X", lambda: GOLDEN_INPUT.read_bytes()),
}
VARIANTS = {
    "lf": lambda b: b,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom": lambda b: b"\xef\xbb\xbf" + b,
}


def _load(path: Path):
    loaded = load.parse_ledger(path.read_bytes(), f"ledgers/{path.name}", Settings())
    assert not loaded.has_errors, loaded.problems
    return loaded


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").split("\n")


def _item_span(loaded, index: int) -> tuple[int, int]:
    """0-based first and last line of item `index`: from its dash line to the line before the
    next item (the last item runs to the end of the list)."""
    root = compose(loaded.doc.text)
    seq = mapping_get(root, "items")[1]
    start = seq.value[index].start_mark.line
    if index + 1 < len(seq.value):
        end = seq.value[index + 1].start_mark.line - 1
    else:
        end = seq.end_mark.line
    return start, end


def _project_span(loaded) -> tuple[int, int]:
    line = loaded.doc.keys[("items",)][0] - 1  # 0-based line of `items:`
    return 0, line - 1


def _assert_lines_kept(before: bytes, after: bytes, span: tuple[int, int] | None, step) -> None:
    """span None: only insertions anywhere. Else every replaced/deleted line and every insertion
    point lies inside the 0-based line span (an insertion may also go right after it)."""
    old, new = _lines(before), _lines(after)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        detail = (step, tag, old[i1:i2], new[j1:j2])
        if span is None:
            assert tag == "insert", detail
        else:
            lo, hi = span
            if tag == "insert":
                assert lo <= i1 <= hi + 1, (detail, span)
            else:
                assert lo <= i1 and i2 - 1 <= hi, (detail, span)


def _flow_items(loaded) -> set[int]:
    seq = mapping_get(compose(loaded.doc.text), "items")[1]
    return {i for i, node in enumerate(seq.value) if getattr(node, "flow_style", False)}


STEP = st.sampled_from(["add", "close", "note", "reopen", "set_item", "set_project"])
ITEM_FIELDS = st.sampled_from(["title", "owner", "unit", "measures", "due", "owner_remove", "unit_remove"])
PROJECT_FIELDS = st.sampled_from(["name", "owner", "leader", "program", "deadline"])


@contextlib.contextmanager
def _recorded_contexts():
    """The EditContexts the writes made meanwhile (did an edit find its nodes, was it redone)."""
    made: list[write.EditContext] = []

    class Recorded(write.EditContext):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    with mock.patch.object(write, "EditContext", Recorded):
        yield made


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), base=st.sampled_from(sorted(BASES)), variant=st.sampled_from(sorted(VARIANTS)),
       n_steps=st.integers(1, 8))
def test_random_edit_sequences_keep_untouched_lines_and_read_back(data, base, variant, n_steps):
    code, make = BASES[base]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "ledgers").mkdir()
        path = root / "ledgers" / f"{code}.yaml"
        path.write_bytes(VARIANTS[variant](make()))
        crlf, bom = variant == "crlf", variant == "bom"

        def _apply(edit):
            with _recorded_contexts() as made:
                result = write.edit_ledgers(Cache(root), Settings(), {code: edit})[code]
            # Item edits find their nodes through windows (windows.py), never needing a second try.
            assert len(made) == 1 and not made[0].redone
            return result

        for _ in range(n_steps):
            before = path.read_bytes()
            loaded = _load(path)
            items = loaded.ledger.items
            step = data.draw(STEP, label="step")
            flow = _flow_items(loaded)
            open_ix = [i for i, it in enumerate(items) if it.closed is None]
            closed_ix = [i for i, it in enumerate(items) if it.closed is not None]
            if step == "close" and not open_ix or step == "reopen" and not closed_ix:
                step = "note"
            span = None

            if step == "add":
                title = data.draw(TEXT, label="title")
                due = data.draw(st.none() | DATES, label="due")
                owner = data.draw(st.none() | NAMES, label="owner")
                new_id = _apply(edits.add_item_edit({"title": title, "due": due, "owner": owner}))
                after = _load(path).ledger
                new = after.items[-1]
                assert (new.id, new.title, new.due, new.owner) == (new_id, title, due, owner)
                assert len(after.items) == len(items) + 1
            elif step == "close":
                index = data.draw(st.sampled_from(open_ix), label="close index")
                if index in flow:  # a flow item `- {...}` takes `closed: {...}` inside its own line
                    span = _item_span(loaded, index)
                closed = {"date": data.draw(DATES, label="on"), "by": data.draw(NAMES, label="by"),
                          "note": data.draw(st.none() | TEXT, label="note"),
                          "evidence": data.draw(st.none() | TEXT, label="evidence")}
                _apply(edits.close_edit([items[index].id], closed))
                got = _load(path).ledger.items[index].closed
                assert (got.date, got.by, got.note, got.evidence) == (
                    closed["date"], closed["by"], closed["note"], closed["evidence"])
            elif step == "note":
                index = data.draw(st.integers(0, len(items) - 1), label="note index")
                if index in flow:  # a flow item `- {...}` takes the note inside its own line
                    span = _item_span(loaded, index)
                note = {"date": data.draw(DATES, label="on"), "by": data.draw(NAMES, label="by"),
                        "text": data.draw(TEXT, label="text")}
                _apply(edits.note_edit(items[index].id, note))
                notes = _load(path).ledger.items[index].notes
                assert len(notes) == len(items[index].notes) + 1
                assert (notes[-1].date, notes[-1].by, notes[-1].text) == (note["date"], note["by"], note["text"])
            elif step == "reopen":
                index = data.draw(st.sampled_from(closed_ix), label="reopen index")
                span = _item_span(loaded, index)
                reason = data.draw(TEXT, label="reason")
                by = data.draw(NAMES, label="by")
                _apply(edits.reopen_edit(items[index].id, {"date": date(2018, 6, 15), "by": by, "text": ""},
                                               lambda _closed, reason=reason: reason))
                got = _load(path).ledger.items[index]
                assert got.closed is None
                assert (got.notes[-1].text, got.notes[-1].by) == (reason, by)
                assert got.notes[:-1] == items[index].notes
            elif step == "set_item":
                index = data.draw(st.integers(0, len(items) - 1), label="set index")
                span = _item_span(loaded, index)
                field = data.draw(ITEM_FIELDS, label="field")
                if field.endswith("_remove"):
                    field, value = field[:-len("_remove")], None
                elif field == "due":
                    value = data.draw(DATES, label="due")
                else:
                    value = data.draw(TEXT, label="value")
                _apply(edits.set_edit(items[index].id, [(field, value, None)]))
                got = _load(path).ledger.items[index]
                assert getattr(got, field) == value
                for other in ("id", "title", "kind", "due", "owner", "unit", "measures", "closed", "notes", "after"):
                    if other != field:
                        assert getattr(got, other) == getattr(items[index], other), other
            else:  # set_project
                span = _project_span(loaded)
                field = data.draw(PROJECT_FIELDS, label="field")
                value = data.draw(DATES if field == "deadline" else TEXT, label="value")
                _apply(edits.set_edit(code, [(field, value, None)]))
                after = _load(path).ledger
                assert getattr(after, field) == value
                assert after.items == items

            written = path.read_bytes()
            # (a) the lines the step did not target are all there, in order.
            _assert_lines_kept(before, written, span, step)
            # Line endings and BOM as the file had them.
            if crlf:
                assert written.count(b"\n") == written.count(b"\r\n"), step
            else:
                assert b"\r" not in written.replace(b"\\r", b""), step
            assert written.startswith(b"\xef\xbb\xbf") == bom
            assert b"\xef\xbb\xbf" not in written[3:]
            # (b) still valid, and nothing left in ledgers/.
            _load(path)
            assert [p.name for p in (root / "ledgers").iterdir()] == [path.name]


# --- many items in one edit: the same bytes as the edits one at a time ------------------------

YT2_KEY_AFTER = YT2.replace("deadline: 2020-06-30\n", "") + "# 以下为项目期限（顶格注释）\ndeadline: 2020-06-30\n"
BATCH_BASES = {
    **BASES,
    "yt2_key_after_items": ("YT2", lambda: YT2_KEY_AFTER.encode("utf-8")),
    "golden_no_final_newline": ("X", lambda: GOLDEN_INPUT.read_bytes().rstrip(b"\n")),
    # test_windows.py's layouts (dashes at column 0, comments and blank lines between items,
    # block scalars, a dash on its own line, no final line break), made valid ledgers; a `|+`
    # scalar as `|` (a key added after a kept scalar's blank lines takes them from it, and is
    # refused as not reading back, one at a time as much as together)
    **{f"windows_{name}": ("A", lambda text=text: dedent(text).replace("  plan: {2018: 1000}", "  total: 1000")
                           .replace("measures: |+", "measures: |").encode("utf-8")) for name, text in WINDOW_LAYOUTS.items()},
}
BATCH = st.sampled_from(["close", "apply_then_close", "apply", "set", "set_moves", "update"])
WORDINGS = st.none() | st.sampled_from(["7月底", "倒排工期", "年底前"])


def _edit_once(code: str, text: bytes, plan) -> bytes:
    """`plan` made without a context (on the nodes of the whole text), as bytes."""
    from taizhang.yamltext.read import encode

    loaded = load.parse_ledger(text, f"ledgers/{code}.yaml", Settings())
    assert not loaded.has_errors, loaded.problems
    return encode(plan(loaded).text, loaded.doc.bom)


def _draw_changes(data, code: str, items, moves: bool) -> dict:
    """Changes to a few items (and perhaps the project), as `set_many_edit` takes them."""
    picked = data.draw(st.lists(st.sampled_from(range(len(items))), min_size=1, max_size=len(items), unique=True),
                       label="items")
    changes: dict[str, list] = {}
    for index in picked:
        fields = data.draw(st.lists(ITEM_FIELDS, min_size=1, max_size=3, unique=True), label="fields")
        entry = []
        for field in fields:
            if field.endswith("_remove"):
                entry.append((field[:-len("_remove")], None, None))
            elif field == "due":
                entry.append(("due", data.draw(DATES, label="due"), data.draw(WORDINGS, label="wording")))
            else:
                entry.append((field, data.draw(TEXT, label="value"), None))
        changes[items[index].id] = entry
    if data.draw(st.booleans(), label="project too"):
        field = data.draw(PROJECT_FIELDS, label="project field")
        value = data.draw(DATES if field == "deadline" else TEXT, label="project value")
        project = [(field, value, data.draw(WORDINGS, label="project wording") if field == "deadline" else None)]
        # The project's fields anywhere in the order: they are made first, as one at a time.
        at = data.draw(st.integers(0, len(changes)), label="project at")
        pairs = list(changes.items())
        changes = dict(pairs[:at] + [(code, project)] + pairs[at:])
    if moves:
        for target in changes:
            changes[target] = [(n, v, c) for n, v, c in changes[target] if n not in ("due", "deadline") or v is not None]
        changes = {t: c for t, c in changes.items() if c}
    return changes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), base=st.sampled_from(sorted(BATCH_BASES)), variant=st.sampled_from(sorted(VARIANTS)),
       kind=BATCH)
def test_an_edit_of_many_items_writes_what_its_edits_one_at_a_time_write(data, base, variant, kind):
    """close / apply of many ids, `set` (schedule --write) and import --update of many items make every item's
    change on its own lines and put them back in one rebuild (edits._edit_items): the file must
    come out byte for byte as the same changes made one item at a time on the nodes of the
    whole text, which is how they were made before; through windows, never needing a second
    try, and without windows too."""
    code, make = BATCH_BASES[base]
    text = VARIANTS[variant](make())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "ledgers").mkdir()
        path = root / "ledgers" / f"{code}.yaml"
        items = load.parse_ledger(text, f"ledgers/{code}.yaml", Settings()).ledger.items
        open_ids = [item.id for item in items if item.closed is None]
        on = data.draw(DATES, label="on")

        def batch_and_singles():
            """(the batched plan, the same as single plans)"""
            if kind in ("close", "apply_then_close", "apply"):
                ids = data.draw(st.lists(st.sampled_from(open_ids), min_size=1, max_size=len(open_ids), unique=True),
                                label="ids")
                if kind == "apply":
                    value = {"date": on, "by": data.draw(NAMES, label="by"), "evidence": data.draw(TEXT, label="evidence"),
                             "note": data.draw(st.none() | TEXT, label="note")}
                    return edits.apply_edit(ids, value), [edits.apply_edit([i], value) for i in ids]
                value = {"date": data.draw(st.none() | DATES, label="closed on"), "by": data.draw(NAMES, label="by"),
                         "note": data.draw(st.none() | TEXT, label="note"),
                         "evidence": data.draw(st.none() | TEXT, label="evidence")}
                return (edits.close_edit(ids, value, default_day=on),
                        [edits.close_edit([i], value, default_day=on) for i in ids])
            if kind == "update":  # import --update: a moved node, reports, a 销号, on each of a few items
                picked = data.draw(st.lists(st.sampled_from(range(len(items))), min_size=1, unique=True), label="items")
                changes, singles = {}, []
                for index in picked:
                    item = items[index]
                    fields = [("due", data.draw(DATES, label="due"), data.draw(WORDINGS, label="wording"))] \
                        if data.draw(st.booleans(), label="moved") else []
                    notes = data.draw(st.lists(st.builds(lambda t, b: {"date": on, "by": b, "text": t}, TEXT,
                                                         st.none() | NAMES), max_size=2), label="notes")
                    closed = {"date": on, "by": data.draw(NAMES, label="by")} \
                        if item.closed is None and data.draw(st.booleans(), label="closed") else None
                    changes[item.id] = edits.ItemChange(fields, notes, closed)
                    singles += [edits.set_edit(item.id, fields)] if fields else []
                    singles += [edits.note_edit(item.id, note) for note in notes]
                    singles += [edits.close_edit([item.id], closed)] if closed else []
                return edits.update_items_edit(changes), singles
            moves = kind == "set_moves"
            changes = _draw_changes(data, code, items, moves)
            move = {"date": on, "by": data.draw(NAMES, label="by"), "reason": data.draw(TEXT, label="reason")} if moves else None
            return (edits.set_many_edit(changes, move, moves_need_reason=moves),
                    [edits.set_edit(t, c, move, moves_need_reason=moves) for t, c in changes.items()])

        if kind == "apply_then_close":  # some of the items closed have an application to settle
            applied = data.draw(st.lists(st.sampled_from(open_ids), min_size=1, unique=True), label="applied")
            text = _edit_once(code, text, edits.apply_edit(applied, {"date": on, "by": "张三", "evidence": "照片.jpg"}))
        batch, singles = batch_and_singles()
        one_at_a_time = text
        for single in singles:
            one_at_a_time = _edit_once(code, one_at_a_time, single)

        path.write_bytes(text)
        with _recorded_contexts() as made:
            write.edit_ledgers(Cache(root), Settings(), {code: batch})
        assert [(c.used, c.redone) for c in made] == [(True, False)]
        assert path.read_bytes() == one_at_a_time
        assert _edit_once(code, text, batch) == one_at_a_time  # on the whole text's nodes, from the last item up
