"""The nesting scan that runs before the C composer (yamlio._too_deep) finds the same bracket
as the one-regex scan it replaced, on any text: brackets in comments and quoted scalars are
text, everything else counts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.yamltext.read import MAX_DEPTH, _too_deep

_REFERENCE_TOKENS = re.compile(
    r"""(?:(?<=^)|(?<=[\s]))#[^\n]*"""
    r"""|(?:(?<=^)|(?<=[\s\[{,:?\-]))(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')"""
    r"""|[\[\]{}]""",
    re.MULTILINE,
)


def _reference(text: str) -> int | None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _REFERENCE_TOKENS.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return None


PIECES = st.sampled_from(["[", "]", "{", "}", "[[[[[[[[", "{{{{", "]]]", '"', "'", "#", " ", "\n", "\t",
                          "\u3000", "a", "题", ",", ":", "?", "-", "\\", "''", '\\"', "# [[[[", '"[[[["'])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=30, max_size=200).map("".join))
def test_scan_finds_what_the_reference_finds(text):
    assert _too_deep(text) == _reference(text)


def test_scan_on_ledger_shapes():
    notes = "".join(f"      - {{date: 2018-05-{i % 28 + 1:02d}, text: \"第{i}次[调度]\"}}\n" for i in range(100))
    assert _too_deep("items:\n  - id: A-1\n    notes:\n" + notes) is None
    deep = "items: " + "[" * 40 + "]" * 40 + "\n"
    assert _too_deep(deep) == _reference(deep) == 7 + MAX_DEPTH
    commented = "# " + "[" * 40 + "\nitems: []\n"
    assert _too_deep(commented) is None
