"""difflib's line diff (`SequenceMatcher(None, a, b, autojunk=False)`), the same answer in about
linear time when the two sides are mostly the same.

difflib takes the longest run of lines both sides have (the first such, reading `a` then `b`),
then does the same on each side of it. With runs of about equal length (two resolutions of a
ledger differing in one line of each of n items) every step takes the first run and reads all
the rest again: quadratic (4,000 conflicts took 40 s).

Here the runs that are sure to be taken are found first: each run through a line that each side
has once (patience diff's anchors), extended as far as the lines agree. Such a run is certainly
one of difflib's when every run of lines that is neither one of them nor lies between the same
two of them (in `a` and in `b`) is shorter than each: then, in any stretch difflib looks at that
holds an anchor, what it takes is an anchor or a run between two neighbouring anchors, and
between two anchors it does what it would do on that stretch alone. The shortest anchors are
given up (they become part of a stretch) until that holds; each stretch between anchors is then
left to difflib itself. Two very different texts have few anchors: difflib does it all, as before.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence

Block = tuple[int, int, int]  # a[i:i+n] == b[j:j+n]
Opcode = tuple[str, int, int, int, int]

_BAD = object()  # a run of lines that two places share which are neither one anchor nor one stretch


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """`difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`, exactly."""
    out: list[Opcode] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a, b):
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            out.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            out.append(("equal", ai, i, bj, j))
    return out


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Block]:
    """`difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`, exactly."""
    codes: dict[Hashable, int] = {}
    x = [codes.setdefault(line, len(codes)) for line in a]
    y = [codes.setdefault(line, len(codes)) for line in b]
    anchors = _anchors(x, y)
    size = 1
    kept = anchors
    while kept and _crossed(x, y, kept, size):
        size = size + 1 if size < 4 else size * 2  # (any size that holds will do: fewer readings)
        kept = [run for run in kept if run[2] >= size]
    blocks: list[Block] = []
    i = j = 0
    for ai, bj, n in [*kept, (len(x), len(y), 0)]:
        stretch = difflib.SequenceMatcher(None, x[i:ai], y[j:bj], autojunk=False).get_matching_blocks()
        blocks += [(i + p, j + q, k) for p, q, k in stretch[:-1]]
        blocks.append((ai, bj, n))
        i, j = ai + n, bj + n
    # Neighbouring blocks joined, as difflib does (an anchor never touches another block: it
    # is as long as the lines agree; the join is kept for certainty).
    out: list[Block] = []
    for block in blocks[:-1]:
        if out and out[-1][0] + out[-1][2] == block[0] and out[-1][1] + out[-1][2] == block[1]:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + block[2])
        elif block[2]:
            out.append(block)
    return [*out, blocks[-1]]


def _anchors(x: list[int], y: list[int]) -> list[Block]:
    """Runs through the lines each side has once, in an order both sides agree on (the longest
    such chain), and through the first and the last lines when they agree; each as long as the
    lines agree either way, none overlapping the one before it."""
    na, nb = len(x), len(y)
    in_a, in_b = Counter(x), Counter(y)
    at_b = {code: j for j, code in enumerate(y) if in_b[code] == 1}
    pairs = [(i, at_b[code]) for i, code in enumerate(x) if in_a[code] == 1 and code in at_b]
    seeds = _chain(pairs)
    if na and nb and x[0] == y[0]:
        seeds.insert(0, (0, 0))
    if na and nb and x[-1] == y[-1]:
        seeds.append((na - 1, nb - 1))
    runs: list[Block] = []
    for i, j in seeds:
        lo_a, lo_b = (runs[-1][0] + runs[-1][2], runs[-1][1] + runs[-1][2]) if runs else (0, 0)
        if i < lo_a or j < lo_b:
            continue  # inside the run before (the same one) or crossing it
        start = 0
        while i - start > lo_a and j - start > lo_b and x[i - start - 1] == y[j - start - 1]:
            start += 1
        if i - start > 0 and j - start > 0 and x[i - start - 1] == y[j - start - 1]:
            continue  # it would run into the one before
        end = 1
        while i + end < na and j + end < nb and x[i + end] == y[j + end]:
            end += 1
        runs.append((i - start, j - start, start + end))
    return runs


def _chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of pairs increasing in both (pairs come in increasing first place)."""
    tails: list[int] = []  # the smallest second place ending a chain of each length
    ends: list[int] = []  # which pair that is
    before: list[int] = []
    for k, (_, j) in enumerate(pairs):
        at = bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[at], ends[at] = j, k
        before.append(ends[at - 1] if at else -1)
    out = []
    k = ends[-1] if ends else -1
    while k >= 0:
        out.append(pairs[k])
        k = before[k]
    return out[::-1]


def _crossed(x: list[int], y: list[int], anchors: list[Block], size: int) -> bool:
    """Whether some run of `size` lines stands in `x` and in `y` at two places that are not the
    same place of one anchor, nor both in the same stretch between two neighbouring anchors."""
    mine: dict[tuple[int, ...], object] = {}
    for key, place in _windows(x, [(i, i, n) for i, _, n in anchors], size):
        if key in mine and (place is _BAD or mine[key] != place):
            place = _BAD  # twice, and not twice in one stretch: whatever pairs with it crosses
        mine[key] = place
    for key, place in _windows(y, [(j, i, n) for i, j, n in anchors], size):
        if key in mine and (place is _BAD or mine[key] is _BAD or mine[key] != place):
            return True
    return False


def _windows(lines: list[int], anchors: list[tuple[int, int, int]],
             size: int) -> Iterator[tuple[tuple[int, ...], object]]:
    """Each run of `size` lines of one side, and where it stands: the stretch (-1 for the first,
    -2 for the next...) or the anchor's line in `x` where it starts; _BAD when it stands across
    the edge of an anchor."""
    region = [0] * len(lines)  # 2t: the stretch before anchor t; 2t + 1: anchor t
    place = [0] * len(lines)
    at = 0
    for t, (start, in_x, n) in enumerate(anchors):
        for p in range(at, start):
            region[p], place[p] = 2 * t, -1 - t
        for p in range(start, start + n):
            region[p], place[p] = 2 * t + 1, in_x + p - start
        at = start + n
    for p in range(at, len(lines)):
        region[p], place[p] = 2 * len(anchors), -1 - len(anchors)
    for p in range(len(lines) - size + 1):
        yield tuple(lines[p:p + size]), (place[p] if region[p] == region[p + size - 1] else _BAD)
