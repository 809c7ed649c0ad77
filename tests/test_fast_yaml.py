"""The fast path (yamltext/fast.py) reads exactly what libyaml reads, or declines.

A false "plain" would change data silently, so every property here is: for a generated text,
either `fast.load` declines it, or libyaml's path reads it without a problem into equal data of
the same types (int vs float vs str vs bool vs None, key types and order included).
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from taizhang.yamltext import fast
from taizhang.yamltext.read import read_document

ROOT = Path(__file__).resolve().parents[1]

# Where yaml-rs has no wheel, there is no fast path to compare (the last test still runs).
needs_fast = pytest.mark.skipif(not fast.available(), reason="yaml-rs is not installed here")


def same(a, b) -> bool:
    """Equal data of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (len(a) == len(b)
                and all(same(ka, kb) and same(a[ka], b[kb]) for ka, kb in zip(a, b)))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float) and a == 0.0:
        return math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


def libyaml(text: str):
    return read_document(text.encode("utf-8"), "t.yaml", fast=False)


def agrees(text: str) -> bool:
    """The property: reading with the fast path gives the same data and the same problems as
    reading with libyaml alone. Returns whether the fast path took the text (for the tests that
    want it to)."""
    raw = text.encode("utf-8")
    quick, slow = read_document(raw, "t.yaml"), libyaml(text)
    assert quick.problems == slow.problems, f"{text!r}: fast {quick.problems} ≠ libyaml {slow.problems}"
    assert same(quick.data, slow.data), f"{text!r}: fast {quick.data!r} ≠ libyaml {slow.data!r}"
    return fast.load(text) is not fast.DECLINED and not slow.problems


# --- scalars where YAML 1.1, 1.2 and the parsers part ways ------------------------------------

TRICKY = ["010", "-010", "00", "0o17", "0O17", "0x1F", "0X1F", "+0x1F", "-0x1F", "0b101", "1_000",
          "1__0", "1_0.5", "1:20", "1:20:30", "-1:20", ".inf", "-.inf", "+.inf", ".Inf", ".INF",
          ".nan", ".NaN", ".NAN", "inf", "nan", "NaN", "yes", "no", "on", "off", "y", "n", "Yes",
          "NO", "True", "TRUE", "tRue", "false", "~", "null", "Null", "NULL", "nUll", "=", "",
          "2018-03-05", "2018-3-5", "2018-03", "2018-03-05T10:00:00", "2018-03-05 10:00:00Z",
          "2018", "+1", "-0", "-0.0", "1.", ".5", "1e3", "1E3", "1.0e+3", "1e", "12e03", "0.",
          "3.", "+.5", "-.5", "1.2亿", "99999999999999999999999", "-99999999999999999999999",
          "1e400", "-1e400", "4.9e-325", "0x", "0o", "0o8", "1,000", "1.2.3", "٣", "１２",
          "'010'", '"010"', "'no'", '"\\x41\\u00e9\\t"', '"a\\\nb"', "'it''s'", "中文", "a b",
          "a#b", "a #b", "-", "- a", "?", "? a", ":", "a:b", ":a", "a :b", "[]", "{}", "[a]",
          "{a: 1}", "|", ">", "&a", "*a", "!a", "@a", "`a", "%a", "\"unclosed", "'unclosed"]

SCALAR_ALPHABET = st.sampled_from(list("0123456789+-._eExXoObB:tTrRuUfFaAlLsSnNyYiI~ ,#'\"\\[]{}|>?%&*!@`\n中")
                                  + ["\r\n", "inf", "nan", "null", "true", "0x", "0o", "e+", "\t"])
SCALARS = st.one_of(st.sampled_from(TRICKY), st.lists(SCALAR_ALPHABET, max_size=8).map("".join))

CONTEXTS = ["v: {s}\n", "- {s}\n", "{s}: v\n", "a: [{s}]\n", "a: {{k: {s}}}\n", "{s}\n",
            "a:\n  - {s}\n  - x\n", "a: {{{s}: 1}}\n", "a: [x, {s}, y]\n", "a: {s}  # 注\n",
            "{s}: 1\n{s}: 2\n", "1: a\n{s}: b\n", "true: a\n{s}: b\n", "items:\n  - id: X-1\n    due: {s}\n"]


@needs_fast
@pytest.mark.parametrize("scalar", TRICKY)
@pytest.mark.parametrize("context", CONTEXTS)
def test_each_tricky_scalar_in_each_context(scalar, context):
    agrees(context.format(s=scalar))


@needs_fast
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCALARS, st.sampled_from(CONTEXTS))
def test_generated_scalars_agree(scalar, context):
    agrees(context.format(s=scalar))


@needs_fast
def test_yaml_11_and_parser_specific_forms_are_declined_or_agree():
    # Forms yaml-rs 0.1.6 reads otherwise than YAML 1.2's core schema: the scan must decline them.
    for text in ("v: 0b101\n", "v: 1_000\n", "v: 1__0\n", "v: +0x1F\n", "v: 0X1F\n", "v: 0O17\n",
                 "[a, b]: c\n", "{a: 1}: b\n", "~: a\n", "null: a\n", ": a\n", "a: &x 1\nb: *x\n",
                 "a: 1\n---\nb: 2\n", "a:\tb\n", "a: b\u2028c: d\n", "a: {b\n: c}\n", "a: !x 1\n"):
        assert fast.load(text) is fast.DECLINED, text


@needs_fast
def test_forms_the_two_read_alike_are_taken():
    for text, data in (("v: 010\n", {"v": 10}), ("v: no\n", {"v": "no"}), ("v: .inf\n", {"v": math.inf}),
                       ("v: 2018-03-05\n", {"v": "2018-03-05"}), ("2018: 16亿\n", {2018: "16亿"}),
                       ("v: 1:20\n", {"v": "1:20"}), ("", None),
                       ("# 只有注释\n", None), ("- 1\n- 2.5\n", [1, 2.5])):
        assert agrees(text), text
        assert same(fast.load(text), data)


EDGES = ['a: "\\/"\n', 'a: "\\e\\0\\a\\v\\L\\P"\n', 'a: "\\U0001F600"\n', 'a: "\\q"\n', 'a: "\\ud800"\n',
         "k" * 1100 + ": v\n", "a: " + "x" * 2000 + "\n", "a: [1,\n2]\n", "a:\n  b: [1,\n 2]\n", "a: |0\n  x\n",
         "a: |+\n  x\n\n\nb: 1\n", "a: >\n\n  x\n", 'a: "x\n\n  y"\n', "a: x\n\n  y\n", "a: x\n  # c\n  y\n",
         'a: "x  \n  y"\n', "a: 'x'\n'b':c\n", "a:\n  - b\n  -\n  - c\n", "a: 1\n b\n", "- a\n - b\n",
         "a: [b]c\n", 'a: "\\\r\n  b"\n', "a: |\r\n  x\r\n\r\n", "a: x\r\n  y\r\n", "a: '\r\n  x'\r\n"]


@needs_fast
@pytest.mark.parametrize("text", EDGES)
def test_escapes_long_keys_folding_and_indentation_edges(text):
    agrees(text)


# --- documents shaped like ledgers, in every style --------------------------------------------

TEXTS = st.one_of(
    st.sampled_from(["重点项目", "第1项工作：主体施工", "已完成百分之六十", "区教体局", "赵凯", "30亿",
                     "1.2亿", "2018-05-02", "2018-03", "PAAA-1", "注意: 引号", "a, b", "见[附件]",
                     "it's", 'say "hi"', "行一\n行二", "  前导空格", "尾随空格  ", "#号", "# 注释样",
                     "yes", "010", "1_000", ".inf", "null", "", " ", "\\", "{x}", "- 项", "a: b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.text(alphabet="ab 中文:#-'\"\\,[]{}\n", max_size=10),
)
KEYS = st.one_of(st.sampled_from(["id", "title", "due", "owner", "notes", "date", "by", "text",
                                  "closed", "unit", "2018", "2018-03", "planned", "k k", "标题"]),
                 st.integers(min_value=0, max_value=3000))
LEAVES = st.one_of(TEXTS, st.integers(min_value=-10**20, max_value=10**20),
                   st.floats(allow_nan=False, width=64), st.booleans(), st.none())
DATA = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)


def _scalar(value, draw, flow: bool) -> str:
    if isinstance(value, bool):
        return draw(st.sampled_from(["true", "false", "True", "FALSE"] if value else ["false", "False"]))
    if value is None:
        return draw(st.sampled_from(["", "~", "null", "Null", "NULL"]))
    if isinstance(value, (int, float)):
        return draw(st.sampled_from([repr(value), str(value), f"{value!r}".upper()]))
    style = draw(st.sampled_from(["plain", "plain", "double", "single"] + ([] if flow else ["literal", "folded"])))
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style in ("literal", "folded"):
        header = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", ">+", "|2", "| # 注"]))
        header = header if style == "literal" else header.replace("|", ">")
        lines = value.split("\n")
        return header + "".join("\n" + draw(st.sampled_from(["  ", "    "])) + line for line in lines)
    return value  # plain, as it stands: the parsers decide what it is (or refuse it)


@st.composite
def documents(draw):
    data = draw(DATA)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out: list[str] = []

    def flow(value) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{_key(k)}: {flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(flow(v) for v in value) + "]"
        return _scalar(value, draw, flow=True)

    def _key(k) -> str:
        return str(k) if draw(st.booleans()) else f'"{k}"'

    def block(value, indent: int, prefix: str) -> None:
        pad = " " * indent
        if isinstance(value, (dict, list)) and value and draw(st.integers(0, 3)) == 0:
            out.append(pad + prefix + flow(value))
            return
        if isinstance(value, dict) and value:
            first = True
            for k, v in value.items():
                lead = prefix if first else " " * len(prefix)
                first = False
                if isinstance(v, (dict, list)) and v:
                    out.append(f"{pad}{lead}{_key(k)}:" + (" # 注" if draw(st.booleans()) else ""))
                    block(v, indent + len(prefix) + draw(st.sampled_from([0, 2])) if isinstance(v, list)
                          else indent + len(prefix) + 2, "")
                else:
                    text = flow(v) if isinstance(v, (dict, list)) else _scalar(v, draw, flow=False)
                    if "\n" in text and text[0] in "|>":
                        text = text.replace("\n", "\n" + pad + " " * len(prefix))
                    out.append(f"{pad}{lead}{_key(k)}: {text}")
            return
        if isinstance(value, list) and value:
            for v in value:
                if isinstance(v, (dict, list)) and v:
                    block(v, indent, prefix + "- ")
                else:
                    text = flow(v) if isinstance(v, (dict, list)) else _scalar(v, draw, flow=False)
                    if "\n" in text and text[0] in "|>":
                        text = text.replace("\n", "\n" + pad + " " * (len(prefix) + 2))
                    out.append(f"{pad}{prefix}- {text}")
                prefix = " " * len(prefix)
            return
        out.append(pad + prefix + (flow(value) if isinstance(value, (dict, list)) else _scalar(value, draw, flow=False)))

    if draw(st.booleans()):
        out.append("# yaml-language-server: $schema=../schemas/ledger.schema.json")
    block(data, 0, "")
    if draw(st.booleans()):
        out.insert(draw(st.integers(0, len(out))), draw(st.sampled_from(["", "# 注释", "   # x", "  "])))
    return newline.join(out) + draw(st.sampled_from([newline, "", newline * 2]))


@needs_fast
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example("code: PAAA\nitems:\n  - id: PAAA-1\n    notes:\n      - {date: 2018-05-02, by: 韩星, text: 已完成}\n")
@example("a: |\r\n  x\r\n  y\r\nb: 'it''s'\r\n")
@example("a: >\n  x\n\n   y\n  z\n")
@example('a: "x\\\n  y"\n')
def test_generated_documents_agree(text):
    agrees(text)


# --- token soup: syntax libyaml refuses must not slip through --------------------------------

FRAGMENTS = st.sampled_from(["a", "b", "中", "1", "0", "-", "- ", ": ", ":", " ", "  ", "\n", "\r\n", "#",
                             " #c", "[", "]", "{", "}", ", ", ",", "'", '"', "|", ">", "?", "~", "x: y",
                             "\n  ", "\n- ", "\n  - ", "k: ", "\n    ", '"a\\"', "'a''", "%", "@", "`",
                             "...", "---", "e3", ".5", "|-\n  t", ">+\n   t\n", "\\n", "\\"])


@needs_fast
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, min_size=1, max_size=16).map("".join))
def test_token_soup_agrees(text):
    agrees(text)


# --- real ledgers: taken, and read the same ---------------------------------------------------

def _ledger_texts():
    paths = sorted((ROOT / "ledgers").glob("*.yaml"))
    assert paths
    return paths


@needs_fast
@pytest.mark.parametrize("path", _ledger_texts(), ids=lambda p: p.name)
def test_sample_ledgers_take_the_fast_path_and_read_the_same(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    assert agrees(text), f"{path.name} should be plain"
    quick, slow = read_document(raw, path.name), read_document(raw, path.name, fast=False)
    assert same(quick.data, slow.data) and quick.problems == slow.problems == []
    # Positions, asked for after a fast read, come from libyaml as before.
    assert quick.values == slow.values and quick.keys == slow.keys


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "corpus").glob("*/**/*.yaml")),
                         ids=lambda p: str(p.relative_to(ROOT / "tests" / "corpus")))
@needs_fast
def test_corpus_reads_the_same_with_and_without_the_fast_path(path):
    raw = path.read_bytes()
    quick, slow = read_document(raw, path.name), read_document(raw, path.name, fast=False)
    assert same(quick.data, slow.data)
    assert quick.problems == slow.problems


@needs_fast
def test_bom_crlf_chinese_comments_and_block_scalars():
    text = ("code: YT2  # 代码\r\nname: 宇通二期\r\nitems:\r\n  - id: YT2-1\r\n    title: |\r\n"
            "      第一行\r\n      第二行\r\n    note: >-\r\n      折叠\r\n      成一行\r\n"
            "    notes:\r\n      - {date: 2018-05-02, by: 韩星, text: 已完成}\r\n")
    raw = b"\xef\xbb\xbf" + text.encode()
    quick = read_document(raw, "YT2.yaml")
    assert quick.bom and quick.newline == "\r\n"
    assert agrees(text)
    assert quick.data["items"][0]["title"] == "第一行\n第二行\n"
    assert quick.data["items"][0]["note"] == "折叠 成一行"


# --- without yaml-rs --------------------------------------------------------------------------

@pytest.mark.parametrize("setup", [
    "import os; os.environ['TAIZHANG_YAML'] = 'libyaml'",
    "import sys; sys.modules['yaml_rs'] = None",  # as where no wheel exists: the import fails
])
def test_without_yaml_rs_libyaml_reads_everything(setup):
    code = (f"{setup}\nfrom taizhang.yamltext import fast\nfrom taizhang.yamltext.read import read_document\n"
            "assert not fast.available()\nassert fast.load('a: 1\\n') is fast.DECLINED\n"
            "doc = read_document('a: 010\\nb: no\\n'.encode(), 'x.yaml')\n"
            "assert doc.data == {'a': 10, 'b': 'no'} and not doc.problems\nprint('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


# --- the scan's regexes, rewritten for speed, ask what they asked ----------------------------

_FLOW_AS_WRITTEN = re.compile(
    r"""[\[{](?:[^\]}"'#]*[\[{"'#]"""
    r"|(?:[^\]}]*?[,:])?\s*(?:[|>?:%@`]|-(?=[\s,\]}]|$))"
    r"|[^\]}]*?\n[^\]}]*?:)",
)
_COLON_AS_WRITTEN = re.compile(r"[\]}\[{,?\n -] *:(?=[\s,\]}]|$)|:[,\]}]")
_SCAN_TEXT = st.text(alphabet="[]{}\"'#,:|>?%@`-  \n\nab~", max_size=40)


@settings(max_examples=3000, deadline=None)
@given(_SCAN_TEXT)
def test_bad_flow_is_the_flow_regex_as_written(text):
    assert fast.bad_flow(text) == (_FLOW_AS_WRITTEN.search(text) is not None)


@settings(max_examples=3000, deadline=None)
@given(_SCAN_TEXT)
def test_the_colon_regex_finds_what_it_found_as_written(text):
    colon = next(pattern for needles, pattern in fast._GATED if needles == (":",))
    assert (colon.search(text) is not None) == (_COLON_AS_WRITTEN.search(text) is not None)


def test_the_scan_regexes_on_the_sample_and_generated_ledgers():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import gen

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "ledgers").glob("*.yaml"))]
    texts += [gen.ledger_text(gen.code_of(i), n) for i, n in enumerate((20, 60, 300))]
    colon = next(pattern for needles, pattern in fast._GATED if needles == (":",))
    for text in texts:
        assert fast.bad_flow(text) == (_FLOW_AS_WRITTEN.search(text) is not None)
        assert (colon.search(text) is not None) == (_COLON_AS_WRITTEN.search(text) is not None)
