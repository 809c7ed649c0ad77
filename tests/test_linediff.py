"""domain.linediff: difflib's line diff, the same answer without its quadratic reading.

The oracle is difflib itself (`SequenceMatcher(None, a, b, autojunk=False)`), on sides made
from few distinct lines (runs repeat everywhere: the hard case for the anchors) edited in place,
with stretches copied and moved."""

from __future__ import annotations

import difflib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain import linediff


def _difflib(a: list, b: list) -> list:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


@st.composite
def two_sides(draw, most: int = 60) -> tuple[list, list]:
    """A side of lines from a small alphabet (with some lines of its own), and another made
    from it by replacing, inserting, deleting, copying and moving stretches."""
    alphabet = draw(st.integers(1, 8))
    line = st.integers(0, alphabet - 1)
    a = draw(st.lists(st.one_of(line, st.integers(1000, 10**6)), max_size=most))
    b = list(a)
    for kind, at, size, new in draw(st.lists(st.tuples(st.sampled_from("ridcm"), st.integers(0, most),
                                                       st.integers(1, 8), st.lists(line, min_size=1, max_size=4)),
                                             max_size=10)):
        at = min(at, len(b))
        if kind == "r":
            b[at:at + len(new)] = new
        elif kind == "i":
            b[at:at] = new
        elif kind == "d":
            del b[at:at + size]
        elif kind == "c":  # a copy of a stretch further on
            b[at:at] = b[at // 2:at // 2 + size]
        else:  # a stretch moved to the front
            b[:0], b[at:at + size] = b[at:at + size], []
    if draw(st.booleans()) and draw(st.booleans()):
        b = draw(st.lists(line, max_size=most))  # two unrelated sides
    return a, b


@settings(max_examples=400, deadline=None)
@given(two_sides())
def test_opcodes__are_difflibs(sides):
    a, b = sides
    assert linediff.opcodes(a, b) == _difflib(a, b)
    assert linediff.matching_blocks(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()


def _maximal_runs(a: list, b: list) -> list[tuple[int, int, int]]:
    runs = []
    for i in range(len(a)):
        for j in range(len(b)):
            if a[i] == b[j] and not (i and j and a[i - 1] == b[j - 1]):
                n = 0
                while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                    n += 1
                runs.append((i, j, n))
    return runs


@settings(max_examples=300, deadline=None)
@given(st.data(), two_sides(most=30))
def test_opcodes__are_difflibs_from_any_chain_of_anchors(data, sides):
    """The argument for the anchors holds whatever runs are offered as anchors (any chain of
    runs each as long as the lines agree), not only the ones through lines seen once."""
    a, b = sides
    chain: list[tuple[int, int, int]] = []
    for i, j, n in data.draw(st.permutations(_maximal_runs(a, b))):
        if data.draw(st.booleans()) and all(i >= ci + cn and j >= cj + cn or ci >= i + n and cj >= j + n
                                            for ci, cj, cn in chain):
            chain.append((i, j, n))
    real = linediff._anchors
    try:
        linediff._anchors = lambda x, y: sorted(chain)
        got = linediff.opcodes(a, b)
    finally:
        linediff._anchors = real
    assert got == _difflib(a, b)


def test_opcodes__anchors_are_kept_between_items_sharing_lines():
    """Two resolutions of a ledger differing in each item's owner, every item with the same unit
    line: one stretch of two lines per item is left to difflib, not the whole."""
    def side(who: str) -> list[str]:
        return [line for i in range(50) for line in (f"  - id: CH-{i}", f"    title: {i}", "    unit: 区建设局",
                                                     f"    owner: {who}{i}")]

    seen = []
    real = linediff.difflib.SequenceMatcher

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, isjunk, a, b, autojunk):
            seen.append(len(a) + len(b))
            super().__init__(isjunk, a, b, autojunk=autojunk)

    linediff.difflib.SequenceMatcher = Counting  # type: ignore[misc]
    try:
        got = linediff.opcodes(side("甲"), side("乙"))
    finally:
        linediff.difflib.SequenceMatcher = real  # type: ignore[misc]
    assert got == _difflib(side("甲"), side("乙"))
    assert max(seen) == 2 and sum(seen) == 100


@pytest.mark.parametrize("items", [20_000])
def test_opcodes__twenty_thousand_conflicting_items_in_seconds(items):
    """difflib took 28 s on 1,000 such items and 235 s on 2,000 (each line with the same unit
    line is looked at again for every item): here, 20,000 under a generous 20 s."""
    def side(who: str) -> list[str]:
        return [line for i in range(items) for line in (f"  - id: CH-{i}\n", f"    title: 事项{i}\n",
                                                        "    unit: 区建设局\n", f"    owner: {who}{i}\n")]

    start = time.perf_counter()
    got = linediff.opcodes(side("甲"), side("乙"))
    assert time.perf_counter() - start < 20
    assert [op[0] for op in got] == ["equal", "replace"] * items
    assert all(op[2] - op[1] == 1 and op[4] - op[3] == 1 for op in got[1::2])
