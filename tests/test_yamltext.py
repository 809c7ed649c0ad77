"""The YAML text engine on its own (yamltext: read, emit, splice, windows), without ledgers or a
repository: texts in, texts and data out."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import dedent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.yamltext import emit, splice, windows
from taizhang.yamltext.read import MAX_DEPTH, compose, decode, encode, plain_type, read_document

SRC = Path(__file__).resolve().parent.parent / "src" / "taizhang"


def _read(text: str, path: str = "x.yaml"):
    return read_document(text.encode("utf-8"), path)


def _data(text: str):
    doc = _read(text)
    assert not doc.problems, [p.render("en") for p in doc.problems]
    return doc.data


def _same(a, b) -> bool:
    """Equal as data, telling 1 from True and "1" from 1."""
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(k in b and _same(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# --- read -----------------------------------------------------------------------------------

def test_read__positions_of_keys_and_values_are_1_based_line_and_column():
    doc = _read("code: A\nitems:\n  - id: A-1\n    title: 一\n")
    assert doc.pos(("items", 0, "title")) == (4, 12)
    assert doc.pos(("items", 0, "title"), key=True) == (4, 5)
    assert doc.pos(("items", 0)) == (3, 5)
    # a path that is not there: the nearest enclosing node
    assert doc.pos(("items", 0, "due")) == (3, 5)
    assert doc.pos(("nothing",)) == (1, 1)


def test_read__conflict_markers_are_problems_at_their_lines_and_no_data():
    text = "code: A\n<<<<<<< ours\nname: 甲\n=======\nname: 乙\n>>>>>>> theirs\n"
    doc = _read(text)
    assert doc.data is None
    assert [(p.line, p.col, p.key, p.args["marker"]) for p in doc.problems] == [
        (2, 1, "conflict_marker", "<" * 7), (4, 1, "conflict_marker", "=" * 7), (6, 1, "conflict_marker", ">" * 7)]


def test_read__nesting_deeper_than_the_guard_is_a_problem_not_a_crash():
    deep = "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    doc = _read(deep)
    assert [(p.key, p.line, p.col) for p in doc.problems] == [("too_deep", 1, 4 + MAX_DEPTH)]
    # brackets inside quotes and comments are text, not nesting
    assert _data("x: '" + "[" * 100 + "'  # " + "{" * 100 + "\n") == {"x": "[" * 100}
    very_deep = "x: " + "[" * 100_000
    assert [p.key for p in _read(very_deep).problems] == ["too_deep"]


def test_read__block_nesting_past_libyamls_limit_says_so_in_chinese():
    # libyaml stops at 1,000 levels of block mapping with "exceeded maximum nesting depth":
    # that English once followed "YAML 语法错误：".
    deep = "a:\n" + "\n".join("  " * (k + 1) + f"k{k}:" for k in range(1000)) + " x\n"
    problems = read_document(deep.encode(), "x.yaml", fast=False).problems
    assert [(p.key, p.args) for p in problems] == [("too_deep", {"depth": MAX_DEPTH})]
    assert problems[0].render("zh").endswith(f"嵌套超过 {MAX_DEPTH} 层，不是台账的结构")


# Each of libyaml's problems a file that decoded can meet (its scanner, parser and composer):
# one input each, and what the clerk reads.
_LIBYAML = [
    ("a: &\n", "值不能以“&”开头"), ("a: *\n", "值不能以“*”开头"), ("a: &x 1\nb: *y\n", "值不能以“*”开头"),
    ("a: &x 1\nb: &x 2\n", "值不能以“&”开头"), ("a: !<tag\n", "值不能以“!”开头"), ("a: !foo!bar baz\n", "值不能以“!”开头"),
    ("a: !%zz x\n", "值不能以“!”开头"),
    ("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "YAML 指令"), ("%TAG ! !a\n%TAG ! !b\n---\na: 1\n", "YAML 指令"),
    ("%FOO bar\n---\na: 1\n", "YAML 指令"), ("%YAML 1.x\n---\n", "YAML 指令"), ("%YAML 2.0\n---\na: 1\n", "YAML 指令"),
    ("%YAML 12345678901234567890.1\n---\n", "YAML 指令"), ("%TAG !x\n---\n", "YAML 指令"), ("%\n", "YAML 指令"),
    ("%TAG ! \n", "YAML 指令"),
    ("a: |0\n  x\n", "“|”或“>”"), ("a: |-+\n x\n", "“|”或“>”"), ("a: >x\n  y\n", "“|”或“>”"),
    ("a: |99\n  x\n", "“|”或“>”"),
    ('a: "\\q"\n', "转义"), ('a: "\\x4"\n', "转义"), ('a: "\\uZZZZ"\n', "转义"),
    ("a: 1\n---\nb: 2\n", "一份文档"), ("a: 1\n...\nb: 2\n", "一份文档"),
    ("a: -\n- b\n", "“- ”列表"), ("a: ? b\n", "“? ”"), ("]\n", "缺少值"), ("- ? a\n  : b\n- ]\n", "缺少值"),
]


@pytest.fixture(params=["libyaml", "pure"])
def parser(request, monkeypatch):
    """Both of PyYAML's parsers: libyaml's, and the pure one where the C extension is missing."""
    import sys

    from taizhang.yamltext import read

    if request.param == "pure":
        monkeypatch.setitem(sys.modules, "yaml._yaml", None)
    monkeypatch.setattr(read, "_LOADER", None)
    monkeypatch.setattr(read, "_LAST", ("", None))
    return request.param


@pytest.mark.parametrize("text, said", _LIBYAML)
def test_read__every_libyaml_problem_in_chinese(parser, text, said):
    if parser == "pure" and text.startswith("%FOO"):
        pytest.skip("the pure parser reads past a directive it does not know")
    problems = read_document(text.encode(), "x.yaml", fast=False).problems
    assert len(problems) == 1 and problems[0].key != "yaml_syntax", (parser, problems)
    zh = problems[0].render("zh")
    assert said in zh and not re.search(r"[A-Za-z]{3}", zh.replace("x.yaml", "").replace("YAML", "")), zh


@pytest.mark.parametrize("text,value", [
    ("no", "no"), ("on", "on"), ("yes", "yes"), ("Off", "Off"),  # YAML 1.1 booleans are text
    ("true", True), ("False", False), ("~", None), ("null", None), ("", None),
    ("12", 12), ("-3", -3), ("0o17", 15), ("0x1F", 31), ("012", 12),
    ("1.5", 1.5), ("1e3", 1000.0), (".inf", math.inf), ("-.inf", -math.inf),
    ("2018-03", "2018-03"), ("2018-03-05", "2018-03-05"),  # dates stay text for the models
    ("'12'", "12"), ('"true"', "true"), ("!!str 12", "12"), ("!!int '7'", 7),
    ("3月底", "3月底"), ("1,000", "1,000"),
])
def test_read__plain_scalars_by_yaml_1_2_core_schema(text, value):
    assert _same(_data(f"k: {text}\n")["k"], value)
    assert plain_type("2018-03-05") == "timestamp" and plain_type("no") == "str"


def test_read__nan_is_a_float():
    assert math.isnan(_data("k: .nan\n")["k"])


@pytest.mark.parametrize("text,key", [
    ("a: 1\na: 2\n", "duplicate_key"),
    ("a: &x [1]\nb: *x\n", "yaml_alias"),
    ("a: !!python/object x\n", "yaml_tag"),
    ("? [a]\n: 1\n", "yaml_complex_key"),
    ("a: [1\n", "yaml_syntax_flow"),
])
def test_read__what_a_ledger_has_no_use_for_is_a_problem(text, key):
    assert key in [p.key for p in _read(text).problems]


def test_read__decode_bom_crlf_and_what_is_not_utf8_text():
    doc = read_document(b"\xef\xbb\xbfcode: A\r\nname: \xe7\x94\xb2\r\n", "x.yaml")
    assert doc.bom and doc.newline == "\r\n" and doc.data == {"code": "A", "name": "甲"}
    assert encode(doc.text, doc.bom).startswith(b"\xef\xbb\xbfcode: A\r\n")
    assert decode(b"\xff\xfec\x00", "x")[2][0].key == "encoding_utf16"
    text, _, problems = decode(b"a: 1\nb: \xe7\x94\n", "x")
    assert text is None and [(p.key, p.line, p.col) for p in problems] == [("encoding_not_utf8", 2, 4)]
    assert decode(b"a: 1\x00\n", "x")[2][0].key == "binary_file"


# --- emit -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,text", [
    ("区住建局", "区住建局"), ("3月底", "3月底"), ("A-1", "A-1"), ("a#b", "a#b"),
    ("no", '"no"'), ("on", '"on"'), ("12", '"12"'), ("1e3", '"1e3"'), ("2018-05-01", '"2018-05-01"'),
    ("010", '"010"'), ("1:30", '"1:30"'), ("~", '"~"'), ("", '""'),
    ("a: b", '"a: b"'), ("a #b", '"a #b"'), ("#a", '"#a"'), ("- a", '"- a"'), ("a:", '"a:"'),
    (" a", '" a"'), ("a ", '"a "'), ("他说\"好\"", '他说"好"'), ("\"好\"", '"\\"好\\""'), ("一\n二", '"一\\n二"'),
    ("a\u0085b", '"a\\u0085b"'), ("a\u2028b", '"a\\u2028b"'), ("a\ufeff", '"a\\ufeff"'),
    (True, "true"), (None, "null"), (12, "12"), (1.5, "1.5"), (date(2018, 5, 1), "2018-05-01"),
    (math.inf, ".inf"), (-math.inf, "-.inf"),
])
def test_emit__scalar_is_plain_where_it_reads_back_the_same(value, text):
    assert emit.scalar(value) == text


def test_emit__in_flow_context_flow_indicators_are_quoted():
    assert emit.scalar("a,b") == "a,b" and emit.scalar("a,b", in_flow=True) == '"a,b"'
    assert emit.flow({"date": date(2018, 5, 2), "by": "赵红彬", "text": "开工, 进展[顺利]"}) == \
        '{date: 2018-05-02, by: 赵红彬, text: "开工, 进展[顺利]"}'
    assert emit.flow(["YT2-1", "YT2-2"]) == "[YT2-1, YT2-2]" and emit.flow({2018: 1000}) == "{2018: 1000}"


def test_emit__lines_of_keys_and_entries():
    closed = {"date": date(2018, 6, 9), "by": "张三"}
    assert emit.key_line("after", ["A-1"]) == "after: [A-1]"
    assert emit.key_lines("closed", closed) == ["closed:", "  date: 2018-06-09", "  by: 张三"]
    assert emit.key_lines("notes", [{"text": "开工"}]) == ["notes:", "  - {text: 开工}"]
    assert emit.key_lines("notes", []) == ["notes: []"]
    assert emit.mapping_lines({"a": 1, "b": {"c": 2}}) == ["a: 1", "b:", "  c: 2"]
    assert emit.entry_lines({"id": "A-3", "title": "三", "closed": closed}, dash=2, key_col=4) == [
        "  - id: A-3", "    title: 三", "    closed:", "      date: 2018-06-09", "      by: 张三"]
    assert emit.entry_lines({"id": "A-3"}, dash=0, key_col=4) == ["-   id: A-3"]
    assert emit.flow_entry({"text": "开工"}, dash=6) == "      - {text: 开工}"


def test_emit__read_back_and_as_written():
    assert emit.read_back({"due": date(2018, 7, 1), "after": ("A-1",)}) == {"due": "2018-07-01", "after": ["A-1"]}
    assert emit.as_written({"due": "2018-07-01", "t": "2018-02-30", "n": ["2018-07-02"]}) == \
        {"due": date(2018, 7, 1), "t": "2018-02-30", "n": [date(2018, 7, 2)]}


# What a ledger can hold: text of any kind (CJK, quotes, `#`, `: `, spaces at either end, line
# breaks, control characters written as escapes), numbers, days, and lists and mappings of them.
_TRICKY = ["no", "on", "Yes", "~", "null", "true", "12", "0x1F", "0o7", "1e3", ".inf", "1:30", "2018-05-01",
           "2018-5-1 12:00", "- a", "? a", ": a", "a: b", "a #b", "#", "'", '"', "[a]", "{a: b}", ",", "|", ">",
           "!x", "&a", "*a", "%x", "@x", "`x", "---", "...", " ", "\t", "\n", "\r\n", "a\\b", "3月底", "区住建局"]
_CHARS = st.characters(blacklist_categories=("Cs",))
_TEXT = st.one_of(st.text(_CHARS, max_size=12), st.sampled_from(_TRICKY),
                  st.lists(st.sampled_from(_TRICKY + ["一", "x", " "]), max_size=4).map("".join))
_SCALARS = st.one_of(_TEXT, st.integers(), st.booleans(), st.none(), st.dates(),
                     st.floats(allow_nan=False))
_KEYS = st.one_of(st.text(_CHARS, min_size=1, max_size=8), st.sampled_from(_TRICKY), st.integers(1990, 2100))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_VALUES)
def test_emit__any_value_reads_back_equal(value):
    expected = emit.read_back(value)
    texts = ["\n".join(emit.key_lines("k", value)) + "\n",  # a key of a block mapping
             "{k: " + emit.flow(value) + "}\n",  # inside a flow mapping
             "k: " + emit.inline(value) + "  # 注释\n"]  # a comment after it
    for text in texts:
        assert _same(_data(text), {"k": expected}), text
    if isinstance(value, dict) and value:
        text = "items:\n" + "\n".join(emit.entry_lines(value, dash=2, key_col=4)) + "\n"
        assert _same(_data(text), {"items": [expected]}), text


# --- splice ---------------------------------------------------------------------------------

ITEM = dedent("""\
    code: A
    items:
      - id: A-1
        title: 一   # 标题
        # 关于措施
        measures: 六
      - id: A-2
        title: 二
    """)


def _item(text: str, index: int = 0):
    return splice.mapping_get(compose(text), "items")[1].value[index]


def test_splice__insert_key_goes_above_the_comments_of_the_key_it_precedes():
    text = splice.insert_key(ITEM, _item(ITEM), "owner", "张三", "\n", before_key="measures")
    assert text == ITEM.replace("    # 关于措施", "    owner: 张三\n    # 关于措施")


def test_splice__insert_key_after_a_key_or_at_the_end():
    after = splice.insert_key(ITEM, _item(ITEM), "kind", "milestone", "\n", after_key="title")
    assert after == ITEM.replace("# 标题\n", "# 标题\n    kind: milestone\n")
    end = splice.insert_key(ITEM, _item(ITEM, 1), "closed", ["date: 2018-06-09", "by: 张三"], "\n")
    assert end == ITEM + "    closed:\n      date: 2018-06-09\n      by: 张三\n"


def test_splice__a_hash_line_inside_a_quoted_title_is_not_a_comment_above_the_next_key():
    text = 'items:\n  - id: A-1\n    title: "一\n      # 二"\n    # 关于措施\n    measures: 六\n'
    item = _item(text)
    at = splice.key_position(text, item, before_key="measures")
    assert text[at:].startswith("    # 关于措施")
    assert _data(splice.insert_key(text, item, "owner", "张三", "\n", before_key="measures"))["items"][0] == {
        "id": "A-1", "title": "一 # 二", "owner": "张三", "measures": "六"}


def test_splice__a_new_key_is_written_by_emit_too():
    text = "a: 1\n"
    for key in ("no", "2018-05-01", "a: b", "2018-05"):
        assert _data(splice.insert_key(text, compose(text), key, "2", "\n")) == {"a": 1, key: 2}


def test_splice__insert_key_into_a_flow_mapping():
    text = "items:\n  - {id: A-1, title: 一}   # 行尾\n"
    assert splice.insert_key(text, _item(text), "due", "2018-07-01", "\n") == \
        "items:\n  - {id: A-1, title: 一, due: 2018-07-01}   # 行尾\n"
    empty = "a: {}\n"
    assert splice.insert_key(empty, splice.mapping_get(compose(empty), "a")[1], "b", "1", "\n") == "a: {b: 1}\n"


def test_splice__crlf_and_no_final_line_break():
    crlf = ITEM.replace("\n", "\r\n")
    text = splice.insert_key(crlf, _item(crlf, 1), "owner", "张三", "\r\n")
    assert text == crlf + "    owner: 张三\r\n" and "\n" not in text.replace("\r\n", "")
    bare = ITEM.rstrip("\n")
    assert splice.insert_key(bare, _item(bare, 1), "owner", "张三", "\n") == ITEM + "    owner: 张三\n"


def test_splice__a_bom_file_keeps_its_bom():
    doc = read_document(b"\xef\xbb\xbf" + ITEM.encode("utf-8"), "x.yaml")
    text = splice.replace_scalar(doc.text, splice.mapping_get(_item(doc.text, 1), "title")[1], "贰")
    assert encode(text, doc.bom) == b"\xef\xbb\xbf" + ITEM.replace("title: 二", "title: 贰").encode("utf-8")


def test_splice__replace_scalar_keeps_key_spacing_and_comment():
    title = splice.mapping_get(_item(ITEM), "title")[1]
    assert splice.replace_scalar(ITEM, title, '"壹: 一"') == ITEM.replace("title: 一   # 标题", 'title: "壹: 一"   # 标题')
    empty = "a:\nb: 1\n"
    assert splice.replace_scalar(empty, splice.mapping_get(compose(empty), "a")[1], "x") == "a: x\nb: 1\n"
    block = "a: |\n  一\n  二\n\nb: 1\n"
    assert splice.replace_scalar(block, splice.mapping_get(compose(block), "a")[1], "x") == "a: x\n\nb: 1\n"


def test_splice__remove_key_takes_its_whole_lines():
    assert splice.remove_key(ITEM, _item(ITEM), "measures") == ITEM.replace("    measures: 六\n", "")
    flow = "a: {x: 1, y: 2, z: 3}\n"
    node = splice.mapping_get(compose(flow), "a")[1]
    assert splice.remove_key(flow, node, "y") == "a: {x: 1, z: 3}\n"
    assert splice.remove_key(flow, node, "z") == "a: {x: 1, y: 2}\n"
    assert splice.remove_flow_span("[a, b]", 1, 2) == "[b]"


def test_splice__append_entries():
    seq = splice.mapping_get(compose(ITEM), "items")[1]
    text = splice.append_block_entry(ITEM, seq, ["  - id: A-3", "    title: 三"], "\n")
    assert text == ITEM + "  - id: A-3\n    title: 三\n"
    flow = "after: [A-1]   # 前置\nx: []\n"
    root = compose(flow)
    assert splice.append_flow_entry(flow, splice.mapping_get(root, "after")[1], "A-2") == "after: [A-1, A-2]   # 前置\nx: []\n"
    assert splice.append_flow_entry(flow, splice.mapping_get(root, "x")[1], "A-2") == "after: [A-1]   # 前置\nx: [A-2]\n"
    empty = "items: []   # 事项\nname: 甲\n"
    assert splice.start_block_list(empty, compose(empty), "items", ["  - id: A-1"], "\n") == \
        "items:   # 事项\n  - id: A-1\nname: 甲\n"


def test_splice__entries_spaced():
    spaced = "items:\n  - id: A-1\n\n  - id: A-2\n"
    assert splice.entries_spaced(spaced, splice.mapping_get(compose(spaced), "items")[1])
    assert not splice.entries_spaced(ITEM, splice.mapping_get(compose(ITEM), "items")[1])


def test_splice__replace_block_value_keeps_the_keys_comment():
    text = "after:   # 前置\n  - A-1\n  - A-2\nx: 1\n"
    key, value = splice.mapping_get(compose(text), "after")
    assert splice.replace_block_value(text, key, value, "[A-3]", "\n") == "after: [A-3]  # 前置\nx: 1\n"


def test_splice__line_comments():
    text = "due: 2018-07-20   # 7月中旬\r\nx: 1\r\n"
    due = splice.mapping_get(compose(text), "due")[1]
    assert splice.line_comment(text, due) == "7月中旬"
    assert splice.remove_line_comment(text, due) == "due: 2018-07-20\r\nx: 1\r\n"
    bare = "due: 2018-07-20\nx: 1\n"
    assert splice.set_line_comment(bare, splice.mapping_get(compose(bare), "due")[1], "7月中旬") == \
        "due: 2018-07-20  # 7月中旬\nx: 1\n"


def test_splice__positions():
    text = "a: 1\nb:\n  - x\n\n"
    seq = splice.mapping_get(compose(text), "b")[1]
    assert splice.last_end(seq, text) == text.index("x") + 1
    assert splice.line_start(text, text.index("x")) == text.index("  - x")
    assert splice.after_line(text, 2) == 5 and splice.after_line("a", 0) == 1
    assert splice.insert_lines("a: 1", 4, ["b: 2"], "\n") == "a: 1\nb: 2\n"


# --- windows --------------------------------------------------------------------------------

def test_windows__an_items_nodes_stand_where_the_whole_file_puts_them():
    root = windows.windowed_root(ITEM, ["A-1", "A-2"])
    whole = _item(ITEM, 1)
    windowed = splice.mapping_get(root, "items")[1].value[1]
    assert (windowed.start_mark.index, windowed.end_mark.index) == (whole.start_mark.index, whole.end_mark.index)
    title = splice.mapping_get(windowed, "title")[1]
    assert (title.value, title.start_mark.line, title.start_mark.column) == ("二", 7, 11)


def test_windows__refused_or_checked():
    assert windows.windowed_root("items: [{id: A-1}]\n", ["A-1"]) is None  # not a block list
    assert windows.windowed_root(ITEM, ["A-1"]) is None  # a window more than the items
    entries = splice.mapping_get(windows.windowed_root(ITEM, ["A-1", "A-9"]), "items")[1].value
    with pytest.raises(ValueError):
        entries[1]  # noqa: B018 - composing the window is what checks its id
    with pytest.raises(TypeError):
        list(entries)


# --- the boundary ---------------------------------------------------------------------------

def test_other_modules_use_only_public_names_of_the_text_engine_and_the_repository():
    """`module._name` or `from … import _name` across modules: a helper another module needs
    belongs in a public place (and a copy of it drifts: the merge once missed a fix of its twin)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(SRC)}: {m.group()}" for m in re.finditer(
            r"\b(?:read|emit|splice|windows|write|edits|create|load|merge)\._[a-zA-Z]\w*", text)]
        if path.parent.name in ("yamltext", "repo", "gitops"):
            found += [f"{path.relative_to(SRC)}: {m.group()}" for m in re.finditer(
                r"from taizhang\.[\w.]+ import [^\n]*?\b_[a-zA-Z]\w*(?! *#)", text)
                if " as _" not in m.group()]
    assert found == []


def test_the_characters_refused_are_exactly_those_the_yaml_reader_refuses():
    """NOT_PRINTABLE, written as the ranges refused, refuses what PyYAML's reader does (its class
    of the characters allowed, negated), code point by code point."""
    import yaml.reader

    from taizhang.yamltext.read import NOT_PRINTABLE

    every = "".join(chr(i) for i in range(0x110000))
    ours = [m.start() for m in NOT_PRINTABLE.finditer(every)]
    theirs = [m.start() for m in yaml.reader.Reader.NON_PRINTABLE.finditer(every)]
    assert ours == theirs and len(ours) > 2000
