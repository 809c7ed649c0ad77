"""Edit YAML text in place at node positions, so that every byte a command does not mean to change
stays as the user wrote it: comments, quoting, blank lines, flow or block style, line endings.

Each function takes the text and its composed node tree and returns new text. Values are emitted
by `scalar()`/`flow()`; the caller re-reads the result and checks it says what was intended.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Sequence

from taizhang.yamltext.read import compose, plain_type

_PLAIN_START_FORBIDDEN = set("-?:,[]{}#&*!|>'\"%@` ")
_FLOW_FORBIDDEN = set(",[]{}")


def scalar(value: Any, *, in_flow: bool = False) -> str:
    """YAML text for a scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _plain_ok(text, in_flow):
        return text
    # JSON string syntax is YAML's double-quoted style; keep CJK unescaped, but escape what YAML
    # refuses or reads as a line break (DEL, C1 controls such as NEL, LS/PS, a stray BOM).
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?(?:0b[01_]+|0[0-7_]+|[0-9][0-9_]*(?:\.[0-9_]*)?))$")


def _plain_ok(text: str, in_flow: bool) -> bool:
    if not text or text != text.strip() or "\n" in text or "\r" in text or "\t" in text:
        return False
    if text[0] in _PLAIN_START_FORBIDDEN or ": " in text or " #" in text or text.endswith(":"):
        return False
    if in_flow and (set(text) & _FLOW_FORBIDDEN):
        return False
    if not text.isprintable():
        return False
    # Anything a YAML reader would take for a number, bool, null or date must be quoted, and so
    # must YAML 1.1's yes/no/on/off (PyYAML and many scripts read those as booleans).
    if plain_type(text) != "str" or _YAML11_SPECIAL.match(text):
        return False
    try:
        node = compose("{k: " + text + "}" if in_flow else "k: " + text)
        value = node.value[0][1]
    except Exception:
        return False
    return value.id == "scalar" and not value.style and value.value == text


def flow(value: Any) -> str:
    """Flow-style YAML for a small mapping or list: `{date: 2018-05-02, by: 赵红彬, text: …}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, in_flow=True)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, in_flow=True)


# --- positions ------------------------------------------------------------------------------

def _last_end(node, text: str | None = None) -> int:
    """Index just past the last character that belongs to `node`'s own text. A block scalar's
    end mark lies past the blank lines that follow it; with `text`, those are left out."""
    if node.id == "scalar" or getattr(node, "flow_style", False) or not node.value:
        end = node.end_mark.index
        if text is not None:
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    last = node.value[-1]
    return _last_end(last[1] if isinstance(last, tuple) else last, text)


def _after_line(text: str, index: int) -> int:
    """Start of the line after the one holding `index - 1` (len(text) at the end of the file)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _insert_lines(text: str, at: int, lines: Sequence[str], newline: str) -> str:
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
    return _insert_lines(text, _after_line(text, _last_end(seq_node, text)), entry_lines, newline)


def start_block_list(text: str, map_node, key: str, entry_lines: list[str], newline: str) -> str:
    """Turn `key:` / `key: ~` / `key: []` into a block list holding one entry. The key's line
    keeps its comment; only the empty value's own characters go."""
    key_node, value_node = mapping_get(map_node, key)
    start, end = value_node.start_mark.index, value_node.end_mark.index
    if end > start:
        # `items: []  # c` → `items:  # c`: drop the value and the one space before it.
        cut = start - 1 if text[start - 1] == " " else start
        text = text[:cut] + text[end:]
    return _insert_lines(text, _after_line(text, key_node.end_mark.index), entry_lines, newline)


def append_flow_entry(text: str, seq_node, entry: str) -> str:
    """Append an entry inside a flow sequence `[...]`, just before the closing bracket."""
    close = seq_node.end_mark.index - 1
    assert text[close] == "]", "flow sequence must end with ]"
    if seq_node.value:
        end = _last_end(seq_node.value[-1])
        return text[:end] + ", " + entry + text[end:]
    return text[:close] + entry + text[close:]


def insert_key(text: str, map_node, key: str, value_lines: list[str] | str, newline: str,
               *, after_key: str | None = None, before_key: str | None = None,
               child_indent: int = 2) -> str:
    """Add `key` to a mapping. A block mapping gets new lines at its key column, placed after the
    value of `after_key` (or before `before_key`, or at the end); a flow mapping gets `, key: v`.

    `value_lines` is a one-line scalar/flow text, or the lines of a nested block (unindented).
    """
    if getattr(map_node, "flow_style", False):
        assert isinstance(value_lines, str)
        close = map_node.end_mark.index - 1
        entry = f"{scalar(key, in_flow=True)}: {value_lines}"
        if map_node.value:
            end = _last_end(map_node.value[-1][1])
            return text[:end] + ", " + entry + text[end:]
        return text[:close] + entry + text[close:]
    indent = " " * map_node.start_mark.column
    if isinstance(value_lines, str):
        lines = [f"{indent}{key}: {value_lines}"]
    else:
        lines = [f"{indent}{key}:"] + [" " * (map_node.start_mark.column + child_indent) + line
                                       for line in value_lines]
    if before_key is not None and mapping_get(map_node, before_key):
        key_node, _ = mapping_get(map_node, before_key)
        at = _line_start(text, key_node.start_mark.index)
        if text[at:key_node.start_mark.index].strip() == "":
            # Comments above the key are its own, but not a `#` line of the value before it
            # (a quoted title's second line may start with `#`).
            position = next(i for i, (k, _) in enumerate(map_node.value) if k is key_node)
            floor = _last_end(map_node.value[position - 1][1], text) if position else 0
            return _insert_lines(text, _comment_block_start(text, at, floor), lines, newline)
    if after_key is not None and mapping_get(map_node, after_key):
        _, value_node = mapping_get(map_node, after_key)
        at = _after_line(text, _last_end(value_node, text))
    else:
        at = _after_line(text, _last_end(map_node, text))
    return _insert_lines(text, at, lines, newline)


def _comment_block_start(text: str, at: int, floor: int = 0) -> int:
    """Move back over whole-line comments directly above `at` (not before `floor`): they belong
    to the key below."""
    while at > 0:
        prev = _line_start(text, at - 1)
        if prev >= floor and text[prev:at].strip().startswith("#"):
            at = prev
        else:
            break
    return at


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
        start, end = key_node.start_mark.index, _last_end(value_node)
        after = re.match(r"\s*,\s*", text[end:])
        if after:
            return text[:start] + text[end + after.end():]
        before = re.search(r",\s*$", text[:start])
        return text[:before.start() if before else start] + text[end:]
    start = _line_start(text, key_node.start_mark.index)
    end = _after_line(text, _last_end(value_node, text))
    return text[:start] + text[end:]


def replace_block_value(text: str, key_node, value_node, new: str, newline: str) -> str:
    """Replace a block list/mapping value by a one-line value on the key's line: `after: [A, B]`.
    A comment on the key's own line stays."""
    colon = text.index(":", key_node.end_mark.index)
    line_end = text.find("\n", colon)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[colon + 1:line_end].rstrip("\r")
    comment = rest.strip() if rest.strip().startswith("#") else ""
    end = _after_line(text, _last_end(value_node, text))
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
