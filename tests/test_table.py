"""The terminal table against a plain reference: the renderer as it was before it measured by
columns and folded by slices (tests/golden guard real tables; these, any text and any width).
The reference measures each character with rich.cells and folds one character at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from taizhang.render import table as textable
from taizhang.render.table import ANSI, FLEX_COMFORT, RESET, Cell, Column

# ---------------------------------------------------------------- the reference, as it was


def ref_width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def ref_fold(text: str, cells: int) -> list[str]:
    if ref_width(text) <= cells:
        return [text]
    lines, line, used = [], "", 0
    for ch in text:
        w = ref_width(ch)
        if used + w > cells and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += w
    lines.append(line)
    return lines


def ref_fit(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], max_width: int,
            gap: int) -> tuple[list[Column], list[list[Cell]], int]:
    cols, table = list(columns), [list(row) for row in rows]

    def needed() -> int:
        widths = ref_capped(cols, ref_widest(cols, table))
        return sum(min(w, max(FLEX_COMFORT, ref_width(c.header))) if c.flex else w
                   for c, w in zip(cols, widths)) + gap * (len(cols) - 1)

    if needed() <= max_width:
        return cols, table, gap
    orders = sorted({c.drop for c in cols if c.drop})
    steps = [("drop", orders[0])] if orders else []
    steps += [("narrow", 0), ("merge", 0), ("gap", 0)] + [("drop", order) for order in orders[1:]]
    for step, order in steps:
        if step == "drop":
            keep = [i for i, c in enumerate(cols) if c.drop != order]
            cols, table = [cols[i] for i in keep], [[row[i] for i in keep] for row in table]
        elif step == "narrow":
            excess, widths = needed() - max_width, ref_capped(cols, ref_widest(cols, table))
            for i, c in enumerate(cols):
                if c.min_width and excess > 0 and widths[i] > c.min_width:
                    narrower = max(c.min_width, widths[i] - excess, ref_width(c.header))
                    excess -= widths[i] - narrower
                    cols[i] = replace(c, max_width=narrower)
        elif step == "merge":
            cols, table = ref_merged(cols, table)
        else:
            gap = 1
        if needed() <= max_width:
            break
    return cols, table, gap


def ref_widest(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> list[int]:
    widths = [ref_width(c.header) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], ref_width(cell if isinstance(cell, str) else cell[0]))
    return widths


def ref_capped(columns: Sequence[Column], widths: Sequence[int]) -> list[int]:
    return [max(c.max_width, ref_width(c.header)) if c.max_width and w > c.max_width else w
            for c, w in zip(columns, widths)]


def ref_merged(columns: list[Column], rows: list[list[Cell]]) -> tuple[list[Column], list[list[Cell]]]:
    spans: list[list[int]] = []
    for i, c in enumerate(columns):
        if c.merge and spans and columns[spans[-1][0]].merge == c.merge and spans[-1][-1] == i - 1:
            spans[-1].append(i)
        else:
            spans.append([i])
    if all(len(s) == 1 for s in spans):
        return columns, rows
    cols = [columns[s[0]] if len(s) == 1 else
            Column("/".join(columns[i].header for i in s), right=columns[s[0]].right) for s in spans]
    out = []
    for row in rows:
        new: list[Cell] = []
        for s in spans:
            if len(s) == 1:
                new.append(row[s[0]])
                continue
            cells = [row[i] for i in s]
            texts = [c if isinstance(c, str) else c[0] for c in cells]
            if not any(texts):
                new.append("")
                continue
            styles = [c[1] for c in cells if not isinstance(c, str)]
            style = next((st for st in styles if st != "muted"), styles[0] if styles else None)
            text = "/".join(texts)
            new.append((text, style) if style else text)
        out.append(new)
    return cols, out


def ref_render(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, max_width: int,
               color: bool, row_styles: Sequence[str | None] | None = None, gap: int = 2) -> list[str]:
    columns, rows, gap = ref_fit(columns, rows, max_width, gap)
    n = len(columns)
    widths = ref_widest(columns, rows)
    for i, column in enumerate(columns):
        if column.max_width and widths[i] > column.max_width:
            widths[i] = max(column.max_width, ref_width(column.header))
    excess = sum(widths) + gap * (n - 1) - max_width
    for i, column in enumerate(columns):
        if excess > 0 and column.flex:
            give = min(excess, widths[i] - max(12, ref_width(column.header)))
            if give > 0:
                widths[i] -= give
                excess -= give
    sep = " " * gap
    out = ref_lines([c.header for c in columns], ["header"] * n, [c.right for c in columns], widths, sep, color)
    for r, row in enumerate(rows):
        style = row_styles[r] if row_styles else None
        texts = [cell if isinstance(cell, str) else cell[0] for cell in row]
        styles = [style if isinstance(cell, str) else cell[1] for cell in row]
        out.extend(ref_lines(texts, styles, [c.right for c in columns], widths, sep, color))
    return out


def ref_lines(texts: list[str], styles: list[str | None], right: list[bool], widths: list[int],
              sep: str, color: bool) -> list[str]:
    if all(ref_width(t) <= widths[i] for i, t in enumerate(texts)):
        folded = [[t] for t in texts]
    else:
        folded = [ref_fold(text, widths[i]) for i, text in enumerate(texts)]
    lines = []
    for k in range(max((len(f) for f in folded), default=1)):
        parts = []
        for i, pieces in enumerate(folded):
            piece = pieces[k] if k < len(pieces) else ""
            pad = " " * (widths[i] - ref_width(piece))
            if color and styles[i] and piece:
                piece = ANSI.get(styles[i] or "", "") + piece + RESET
            parts.append(pad + piece if right[i] else piece + pad)
        lines.append(sep.join(parts).rstrip())
    return lines


# ---------------------------------------------------------------- random tables

# What ledgers hold and what breaks a measure: CJK and full-width punctuation, the ideographic
# space, emoji alone and in ZWJ sequences with variation selectors, combining marks, zero-width
# characters, Tangut and kana supplements, Hangul, ambiguous-width signs, tabs and other controls.
ODD = list("，。、：；（）〔〕【】《》“”！？\u3000😀🚀🧑🏽❤✈\u200d\ufe0f\u20e3\u0301\u0300\u200b\u2060\u00ad"
           "\U00017000\U0001b000한글ｱｲ●★—…\t\x1b\x7f\x85\u2028é中文项目台账区自然资源局")
texts = st.text(st.one_of(st.sampled_from(ODD), st.characters(min_codepoint=0x20, max_codepoint=0x7e),
                          st.characters(exclude_categories=("Cs",))), max_size=30)
styles = st.sampled_from([None, "", "muted", "light.red", "light.green", "project", "unknown"])
cells = st.one_of(texts, st.tuples(texts, styles.filter(lambda s: s is not None)))


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Column], list[list[Cell]], list[str | None] | None]:
    n = draw(st.integers(0, 7))
    columns = [Column(draw(texts), right=draw(st.booleans()), flex=draw(st.booleans()),
                      max_width=draw(st.none() | st.integers(1, 25)), drop=draw(st.integers(0, 3)),
                      min_width=draw(st.none() | st.integers(1, 12)), merge=draw(st.sampled_from([None, "a", "b"])))
               for _ in range(n)]
    rows = draw(st.lists(st.lists(cells, min_size=n, max_size=n), max_size=12))
    row_styles = draw(st.none() | st.lists(styles, min_size=len(rows), max_size=len(rows)))
    return columns, rows, row_styles


@settings(max_examples=400)
@given(texts, st.integers(-2, 40))
def test_fold__as_one_character_at_a_time(text: str, cells: int) -> None:
    assert textable.fold(text, cells) == ref_fold(text, cells)
    assert textable.width(text) == ref_width(text)


@settings(max_examples=500)
@given(tables(), st.integers(0, 160), st.booleans(), st.integers(1, 3))
def test_render__as_the_reference(table: tuple, max_width: int, color: bool, gap: int) -> None:
    columns, rows, row_styles = table
    assert textable.render(columns, rows, max_width=max_width, color=color, row_styles=row_styles, gap=gap) \
        == ref_render(columns, rows, max_width=max_width, color=color, row_styles=row_styles, gap=gap)


def test_render__status_like_table_folds_and_merges_as_the_reference() -> None:
    """A table shaped like status (counts that merge, a unit that narrows, a leader that goes)
    at every width from 20 to 160 cells, in colour and not."""
    columns = [Column("亮灯"), Column("编号"), Column("项目 / 事项", flex=True), Column("时间节点"),
               Column("剩余天数", right=True), *(Column(h, right=True, merge="counts") for h in "红黄绿"),
               Column("责任单位", max_width=30, min_width=8, drop=3), Column("责任人/领导", max_width=14, drop=1)]
    rows: list[list[Cell]] = []
    styles: list[str | None] = []
    for k in range(40):
        rows.append([("逾期", "light.red"), f"L{k}", f"城中村改造提质项目{k}（L{k}）🚀", "", "",
                     (str(k), "light.red"), ("0", "muted"), str(k * 7), "区自然资源局、明湖办事处" * (k % 3), "魏书全"])
        styles.append("project")
        rows.append([("临期", "light.yellow"), f"L{k}-{k}", "  启动滨河东路招标采购，形成形象进度（久未汇报）〔待审核〕"[: 10 + k],
                     "2018-01-10", ("逾期151天", "light.red"), "", "", "", "区自然资源局", "韩星👩\u200d💻"])
        styles.append(None)
    for max_width in range(20, 161):
        for color in (False, True):
            assert textable.render(columns, rows, max_width=max_width, color=color, row_styles=styles) \
                == ref_render(columns, rows, max_width=max_width, color=color, row_styles=styles), max_width


def test_width__of_a_text_is_the_sum_of_its_characters() -> None:
    """The renderer adds up characters' widths (memoised) instead of asking rich for each new
    text: true of every code point, beside a wide and a narrow character, except the few where
    rich measures a sequence (ZWJ, VS16) and ASCII controls, which it measures whole."""
    special = {*range(0x20), 0x7F, 0x200D, 0xFE0F}
    wrong = [hex(cp) for cp in range(0x110000)
             if cp not in special and not 0xD800 <= cp < 0xE000
             and cell_len("中" + chr(cp)) != 2 + textable.width(chr(cp))]
    assert wrong == []


@pytest.mark.parametrize("text", ["👩\u200d💻", "❤\ufe0f", "中\t文", "1\ufe0f\u20e3", "a\u200db"])
def test_width__sequences_measured_whole(text: str) -> None:
    assert textable.width(text) == cell_len(text)
    assert textable.fold(text, 1) == ref_fold(text, 1)
    assert textable.render([Column("h", flex=True)], [[text]], max_width=1, color=False) \
        == ref_render([Column("h", flex=True)], [[text]], max_width=1, color=False)
