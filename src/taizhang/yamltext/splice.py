"""Edit YAML text in place at node positions, so that every byte a command does not mean to change
stays as the user wrote it: comments, quoting, blank lines, flow or block style, line endings.

Each edit takes the text and its composed node tree and returns new text; the text of new
values comes from `emit`. The caller re-reads the result and checks it says what was intended.
The position helpers (`last_end`, `line_start`, `after_line`, `insert_lines`, `key_position`)
are public for callers that copy or move whole lines themselves (the merge driver).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from taizhang.yamltext.emit import scalar

__all__ = [
    "after_line",
    "append_block_entry",
    "append_flow_entry",
    "entries_spaced",
    "insert_key",
    "insert_lines",
    "key_position",
    "last_end",
    "line_comment",
    "line_start",
    "mapping_get",
    "remove_flow_span",
    "remove_key",
    "remove_line_comment",
    "replace_block_value",
    "replace_scalar",
    "set_line_comment",
    "start_block_list",
]

# --- positions ------------------------------------------------------------------------------

def last_end(node, text: str | None = None) -> int:
    """Index just past the last character that belongs to `node`'s own text. A block scalar's
    end mark lies past the blank lines that follow it; with `text`, those are left out."""
    if node.id == "scalar" or getattr(node, "flow_style", False) or not node.value:
        end = node.end_mark.index
        if text is not None:
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    last = node.value[-1]
    return last_end(last[1] if isinstance(last, tuple) else last, text)


def after_line(text: str, index: int) -> int:
    """Start of the line after the one holding `index - 1` (len(text) at the end of the file)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def line_start(text: str, index: int) -> int:
    """Start of the line holding `index`."""
    return text.rfind("\n", 0, index) + 1


def insert_lines(text: str, at: int, lines: Sequence[str], newline: str) -> str:
    """Insert whole lines at a line start `at`, each ended by `newline` (the file's own); at the
    end of a file without a final line break, one goes first."""
    block = "".join(line + newline for line in lines)
    if at == len(text) and text and not text.endswith("\n"):
        block = newline + block
    return text[:at] + block + text[at:]


def mapping_get(node, key: str):
    """(key_node, value_node) of `key` in a mapping node, or None."""
    for key_node, value_node in node.value:
        if key_node.id == "scalar" and key_node.value == key:
            return key_node, value_node
    return None


# --- edits ----------------------------------------------------------------------------------

def append_block_entry(text: str, seq_node, entry_lines: list[str], newline: str) -> str:
    """Append an entry to a block sequence, after its last entry's last line."""
    return insert_lines(text, after_line(text, last_end(seq_node, text)), entry_lines, newline)


def start_block_list(text: str, map_node, key: str, entry_lines: list[str], newline: str) -> str:
    """Turn `key:` / `key: ~` / `key: []` into a block list holding one entry. The key's line
    keeps its comment; only the empty value's own characters go."""
    key_node, value_node = mapping_get(map_node, key)
    start, end = value_node.start_mark.index, value_node.end_mark.index
    if end > start:
        # `items: []  # c` → `items:  # c`: drop the value and the one space before it.
        cut = start - 1 if text[start - 1] == " " else start
        text = text[:cut] + text[end:]
    return insert_lines(text, after_line(text, key_node.end_mark.index), entry_lines, newline)


def append_flow_entry(text: str, seq_node, entry: str) -> str:
    """Append an entry inside a flow sequence `[...]`, just before the closing bracket."""
    close = seq_node.end_mark.index - 1
    assert text[close] == "]", "flow sequence must end with ]"
    if seq_node.value:
        end = last_end(seq_node.value[-1])
        return text[:end] + ", " + entry + text[end:]
    return text[:close] + entry + text[close:]


def insert_key(text: str, map_node, key: str, value_lines: list[str] | str, newline: str,
               *, after_key: str | None = None, before_key: str | None = None,
               child_indent: int = 2) -> str:
    """Add `key` to a mapping. A block mapping gets new lines at its key column, placed as
    `key_position` says; a flow mapping gets `, key: v`.

    `value_lines` is a one-line scalar/flow text, or the lines of a nested block (unindented).
    """
    if getattr(map_node, "flow_style", False):
        assert isinstance(value_lines, str)
        close = map_node.end_mark.index - 1
        entry = f"{scalar(key, in_flow=True)}: {value_lines}"
        if map_node.value:
            end = last_end(map_node.value[-1][1])
            return text[:end] + ", " + entry + text[end:]
        return text[:close] + entry + text[close:]
    indent = " " * map_node.start_mark.column
    if isinstance(value_lines, str):
        lines = [f"{indent}{scalar(key)}: {value_lines}"]
    else:
        lines = [f"{indent}{scalar(key)}:"] + [" " * (map_node.start_mark.column + child_indent) + line
                                               for line in value_lines]
    at = key_position(text, map_node, after_key=after_key, before_key=before_key)
    return insert_lines(text, at, lines, newline)


def key_position(text: str, map_node, *, after_key: str | None = None, before_key: str | None = None) -> int:
    """Where the lines of a new key of a block mapping go: above `before_key` and the comments
    right above it, when that key starts its line; else below the value of `after_key`; else
    below the mapping's last value."""
    if before_key is not None and mapping_get(map_node, before_key):
        key_node, _ = mapping_get(map_node, before_key)
        at = line_start(text, key_node.start_mark.index)
        if text[at:key_node.start_mark.index].strip() == "":
            # Comments above the key are its own, but not a `#` line of the value before it
            # (a quoted title's second line may start with `#`).
            position = next(i for i, (k, _) in enumerate(map_node.value) if k is key_node)
            floor = last_end(map_node.value[position - 1][1], text) if position else 0
            return _comment_block_start(text, at, floor)
    if after_key is not None and mapping_get(map_node, after_key):
        _, value_node = mapping_get(map_node, after_key)
        return after_line(text, last_end(value_node, text))
    return after_line(text, last_end(map_node, text))


def _comment_block_start(text: str, at: int, floor: int = 0) -> int:
    """Move back over whole-line comments directly above `at` (not before `floor`): they belong
    to the key below."""
    while at > 0:
        prev = line_start(text, at - 1)
        if prev >= floor and text[prev:at].strip().startswith("#"):
            at = prev
        else:
            break
    return at


def entries_spaced(text: str, seq_node) -> bool:
    """Whether the last two entries of a block list stand apart with a blank line between them
    (a new entry is then set apart the same way)."""
    if len(seq_node.value) < 2:
        return False
    gap = text[last_end(seq_node.value[-2], text):seq_node.value[-1].start_mark.index]
    return "\n\n" in gap.replace("\r", "").replace(" ", "")


def replace_scalar(text: str, value_node, new: str) -> str:
    """Replace a scalar value's own text; its key, spacing and trailing comment stay."""
    start, end = value_node.start_mark.index, value_node.end_mark.index
    if value_node.id == "scalar" and value_node.style and value_node.style in "|>":
        # A block scalar owns the line break (and blank lines) after it: keep them.
        span = text[start:end]
        return text[:start] + new + span[len(span.rstrip()):] + text[end:]
    if start == end:
        # An empty value (`owner:`): the value needs a space after the colon.
        return text[:start] + " " + new + text[end:]
    return text[:start] + new + text[end:]


def remove_key(text: str, map_node, key: str) -> str:
    """Remove `key` and its value from a mapping, with the whole lines they stand on."""
    key_node, value_node = mapping_get(map_node, key)
    if getattr(map_node, "flow_style", False):
        return remove_flow_span(text, key_node.start_mark.index, last_end(value_node))
    start = line_start(text, key_node.start_mark.index)
    end = after_line(text, last_end(value_node, text))
    return text[:start] + text[end:]


def remove_flow_span(text: str, start: int, end: int) -> str:
    """Remove an entry of a flow collection (`text[start:end]`) with the comma that joins it to
    the next entry, or to the one before when it is the last."""
    after = re.match(r"\s*,\s*", text[end:])
    if after:
        return text[:start] + text[end + after.end():]
    before = re.search(r",\s*$", text[:start])
    return text[:before.start() if before else start] + text[end:]


def replace_block_value(text: str, key_node, value_node, new: str, newline: str) -> str:
    """Replace a block list/mapping value by a one-line value on the key's line: `after: [A, B]`.
    A comment on the key's own line stays."""
    colon = text.index(":", key_node.end_mark.index)
    line_end = text.find("\n", colon)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[colon + 1:line_end].rstrip("\r")
    comment = rest.strip() if rest.strip().startswith("#") else ""
    end = after_line(text, last_end(value_node, text))
    return text[:colon + 1] + " " + new + ("  " + comment if comment else "") + newline + text[end:]


def line_comment(text: str, value_node) -> str | None:
    """The `# comment` after a one-line value, without the `#`, or None."""
    end = value_node.end_mark.index
    line_end = text.find("\n", end)
    rest = text[end:len(text) if line_end < 0 else line_end].strip()
    return rest[1:].strip() if rest.startswith("#") else None


def remove_line_comment(text: str, value_node) -> str:
    end = value_node.end_mark.index
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    cr = "\r" if text[end:line_end].endswith("\r") else ""
    return text[:end] + cr + text[line_end:]


def set_line_comment(text: str, value_node, comment: str | None) -> str:
    """Put `# comment` after a one-line value, replacing a comment that is there already."""
    end = value_node.end_mark.index
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[end:line_end]
    body = rest.rstrip("\r")
    cr = rest[len(body):]
    if comment is None:
        return text
    if re.match(r"^\s*(#.*)?$", body):
        return text[:end] + "  # " + comment + cr + text[line_end:]
    return text  # something else follows the value on its line (a flow collection): leave it
