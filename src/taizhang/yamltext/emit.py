"""YAML text for new nodes: the one place that turns values into text.

A value is written so that `read` gives it back: plain where a plain scalar reads back as the
same string (as a clerk would type it), double-quoted otherwise; lists and small mappings in
flow style on one line; a mapping that stands as a key's value in block style below it. The
functions return lines without line breaks or outer indentation; `splice` places them with the
file's own indentation and line endings.

`read_back(value)` is what the text written for `value` reads as (dates become their text), so
an edit can say what the file must read back as; `as_written(data)` is the way back, for data
that was read from a ledger and is written again (a day's text is written as a day, unquoted).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from taizhang.yamltext.read import compose, plain_type

__all__ = [
    "as_written",
    "entry_lines",
    "flow",
    "flow_entry",
    "inline",
    "key_line",
    "key_lines",
    "mapping_lines",
    "read_back",
    "scalar",
]

_PLAIN_START_FORBIDDEN = set("-?:,[]{}#&*!|>'\"%@` ")
_FLOW_FORBIDDEN = set(",[]{}")
# What YAML refuses inside a double-quoted scalar or reads as a line break (DEL, C1 controls such
# as NEL, LS/PS, a stray BOM, lone surrogates, the non-characters U+FFFE/U+FFFF): \u escapes.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?(?:0b[01_]+|0[0-7_]+|[0-9][0-9_]*(?:\.[0-9_]*)?))$")


def scalar(value: Any, *, in_flow: bool = False) -> str:
    """YAML text for a scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf"  # YAML's spelling
    if isinstance(value, (int, float)) and not _spelled(value):
        return str(value)
    text = str(value)
    if _plain_ok(text, in_flow):
        return text
    # JSON string syntax is YAML's double-quoted style; CJK stays unescaped.
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


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


def _spelled(value: Any) -> bool:
    """A number that spells itself other than as its digits (a domain duration: `3周` is an
    int 21): written and read back as that text, never as the number."""
    return type(value) not in (int, float) and str(value) != (int.__repr__(value) if isinstance(value, int)
                                                               else float.__repr__(value))


def flow(value: Any) -> str:
    """Flow-style YAML for a small mapping or list: `{date: 2018-05-02, by: 赵红彬, text: …}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, in_flow=True)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, in_flow=True)


def inline(value: Any) -> str:
    """A value on one line after `key: `: a list or mapping in flow style, a scalar as `scalar`."""
    if isinstance(value, (dict, list, tuple)):
        return flow(value)
    return scalar(value)


def key_line(key: Any, value: Any) -> str:
    """`key: value` on one line."""
    return f"{scalar(key)}: {inline(value)}"


def key_lines(key: Any, value: Any, *, indent: int = 2) -> list[str]:
    """`key: value` as a ledger writes it: a non-empty mapping in block style below the key
    (`closed:` / `  date: …`), a list of mappings one `- {…}` per line (`notes:`), any other
    value on the key's line. The lines below the key are indented by `indent`."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        return [f"{scalar(key)}:"] + [pad + line for k, v in value.items() for line in key_lines(k, v, indent=indent)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        return [f"{scalar(key)}:"] + [pad + flow_entry(v) for v in value]
    return [key_line(key, value)]


def mapping_lines(mapping: Mapping[Any, Any]) -> list[str]:
    """A mapping in block style, its keys at column 0 (`key_lines` for each key)."""
    return [line for k, v in mapping.items() for line in key_lines(k, v)]


def entry_lines(mapping: Mapping[Any, Any], *, dash: int, key_col: int) -> list[str]:
    """A mapping as an entry of a block list whose dashes stand at column `dash` and whose keys
    stand at `key_col`: `  - id: A-3` / `    title: …`."""
    lines = mapping_lines(mapping)
    first = " " * dash + "-" + " " * max(key_col - dash - 1, 1) + lines[0]
    return [first] + [" " * key_col + line for line in lines[1:]]


def flow_entry(value: Any, *, dash: int = 0) -> str:
    """An entry of a block list on one line: `- {date: 2018-06-15, text: …}`."""
    return " " * dash + "- " + flow(value)


def read_back(value: Any) -> Any:
    """A value as it reads back from the text written for it: dates as their text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _spelled(value):
        return str(value)  # what `scalar` wrote (`3周`), not the number it stands for
    if isinstance(value, (list, tuple)):
        return [read_back(v) for v in value]
    if isinstance(value, dict):
        return {k: read_back(v) for k, v in value.items()}
    return value


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_written(value: Any) -> Any:
    """Data as read (dates are text) → values that are written as a clerk writes them: a day's
    text as a day, unquoted (it reads back as the same text)."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [as_written(v) for v in value]
    if isinstance(value, dict):
        return {k: as_written(v) for k, v in value.items()}
    return value
