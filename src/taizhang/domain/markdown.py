"""User text made inert in a line of Markdown: a title, a unit, a name in a table cell, a
heading or a paragraph shows as the clerk typed it and never becomes markup (a `<script>`, a
link, emphasis, a `|` that splits a cell, a line break that cuts a row, a `#` or `- ` that turns
a paragraph into a heading or a list).

It sits in the domain, the lowest layer that holds text rules, so that every writer of Markdown
(the notices in render/, the export in exchange/) shares this one rule.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character CommonMark or GFM reads as markup inside a line; each may be
# escaped with a backslash, which shows the character itself.
_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>|~&!#"})
# What makes a line a list item (`- `, `+ `, `1. `), a heading underline or a thematic break
# (`===`, `---`), at its start; `-5.85` or `1.4亿元` stay as they are.
_BLOCK_START = re.compile(r"^([ \t]*)(?:([-+])(?=[ \t]|$)|([-=])(?=[-= \t]*$)|(\d{1,9})(?=[.)](?:[ \t]|$)))")


def md_text(text: str, *, line_break: str = " ") -> str:
    """`text` as it must be written in one line of Markdown to show as itself; a line break
    becomes `line_break` (a space, or `<br>` in a table cell that keeps lines)."""
    one_line = str(text).replace("\r\n", "\n").replace("\r", "\n").translate(_INLINE)
    one_line = _BLOCK_START.sub(_inert_start, one_line)
    return one_line.replace("\n", line_break)


def _inert_start(match: re.Match[str]) -> str:
    spaces, marker, rule, number = match.groups()
    return str(spaces + ("\\" + (marker or rule) if number is None else number + "\\"))
