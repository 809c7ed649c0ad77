"""Reading YAML text: decoding, conflict markers, the nesting guard, composing with positions.

Plain texts are read by yaml-rs (fast.py), which gives the same data 3–4× faster; for every
other text, and for positions whenever they are asked for, reading goes through libyaml's
*compose* step: we get the node tree with the position of every key and value, and turn it
into plain dicts/lists ourselves (YAML 1.2 scalars, dates kept as text for the models to read). Writing never re-dumps a file: `splice` edits the text at node
positions, with new values' text from `emit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from taizhang.errors import Problem
from taizhang.yamltext.fast import DECLINED
from taizhang.yamltext.fast import load as fast_load

__all__ = ["MAX_BYTES", "MAX_DEPTH", "Document", "compose", "conflict_markers", "decode", "encode",
           "plain_type", "read_document"]

MAX_BYTES = 16 * 1024 * 1024  # a 5,000-item ledger is about 1 MB
MAX_DEPTH = 32  # a ledger is at most 5 levels deep; deeper input is hostile or broken

Pos = tuple[int, int]  # 1-based (line, col)
PathKey = tuple  # ('items', 2, 'due')

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


@dataclass
class Document:
    """A YAML file read into plain data, with where every key and value stands in the text.
    Positions are found when first asked for (`pos`, `values`, `keys`): most reads never need
    them, and finding them costs a second pass over the nodes."""

    path: str
    text: str
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    bom: bool = False
    newline: str = "\n"
    _values: dict[PathKey, Pos] | None = None
    _keys: dict[PathKey, Pos] | None = None

    def _track(self) -> None:
        if self._values is None:
            converter = _Converter(self.path, track=True, aliases="*" in self.text)
            if self.text.strip():
                converter.convert(compose(self.text), ())
            self._values, self._keys = converter.values, converter.keys

    @property
    def values(self) -> dict[PathKey, Pos]:
        self._track()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> dict[PathKey, Pos]:
        self._track()
        assert self._keys is not None
        return self._keys

    def pos(self, loc: PathKey, *, key: bool = False) -> Pos:
        """The position of `loc`, or of the nearest enclosing node that has one."""
        values = self.values
        table = self.keys if key else values
        loc = tuple(loc)
        while loc:
            if loc in table:
                return table[loc]
            if loc in values:
                return values[loc]
            loc = loc[:-1]
        return values.get((), (1, 1))


def decode(raw: bytes, path: str) -> tuple[str | None, bool, list[Problem]]:
    """UTF-8 text of a file (a UTF-8 BOM is accepted and remembered), or the reason it is not text."""
    if len(raw) > MAX_BYTES:
        return None, False, [Problem(path, 1, 1, "file_too_large", {"mb": MAX_BYTES // (1024 * 1024)})]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, False, [Problem(path, 1, 1, "encoding_utf16")]
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, bom, [Problem(path, line, col, "encoding_not_utf8")]
    nul = text.find("\x00")
    if nul >= 0:
        line, col = _line_col(text, nul)
        return None, bom, [Problem(path, line, col, "binary_file")]
    # The YAML reader refuses these too, but says where only as an offset (reported at 1:1):
    # found here, the problem names the character's own line and column.
    bad = NOT_PRINTABLE.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        return None, bom, [Problem(path, line, col, "char_not_allowed", {"char": f"U+{ord(bad.group()):04X}"})]
    return text, bom, []


# What the YAML reader refuses: the complement of its printable set (PyYAML's Reader.NON_PRINTABLE,
# YAML 1.1's [^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]), written
# as the few ranges it is: the negated class took 3.6 ms to compile, a tenth of a small `add`'s
# own work; this one 0.4 ms, and searches as fast (tests/test_yamltext.py holds them equal).
NOT_PRINTABLE = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]")


def _line_col(text: str, index: int) -> Pos:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def conflict_markers(text: str, path: str) -> list[Problem]:
    """Git's merge conflict markers left in a file, one problem per marker line."""
    if not any(marker in text for marker in ("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
        return []  # the usual case, found at C speed (the line-anchored regex tries every line)
    return [Problem(path, *_line_col(text, m.start()), "conflict_marker", {"marker": m.group(1)})
            for m in _CONFLICT.finditer(text)]


# The resolver hook of the composer: we resolve plain scalars ourselves, by YAML 1.2's core
# schema (so `no`, `on`, `2018-03` stay text), and keep explicit tags as written.
IMPLICIT = "?"


def _loader_class():
    from yaml.resolver import BaseResolver

    try:
        from yaml._yaml import CParser  # libyaml: about 3× faster than ruamel's composer

        class Loader(CParser, BaseResolver):
            def __init__(self, text: str):
                CParser.__init__(self, text)
                BaseResolver.__init__(self)
    except ImportError:  # no C extension on this interpreter: the pure parser reads the same
        from yaml.composer import Composer
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class Loader(Reader, Scanner, Parser, Composer, BaseResolver):  # type: ignore[no-redef]
            def __init__(self, text: str):
                Reader.__init__(self, text)
                Scanner.__init__(self)
                Parser.__init__(self)
                Composer.__init__(self)
                BaseResolver.__init__(self)

    Loader.resolve = lambda self, kind, value, implicit: IMPLICIT
    return Loader


_LOADER = None
_LAST: tuple[str, Any] = ("", None)  # an edit asks for the same text's nodes several times


def compose(text: str, *, memo: bool = True):
    """The node tree of one YAML document (libyaml when available); raises yaml.YAMLError.
    Callers must not change the nodes: the last tree is handed out again for the same text
    (`memo=False`: a tree of one's own, neither remembered nor handed out)."""
    global _LOADER, _LAST
    if memo and _LAST[1] is not None and _LAST[0] == text:
        return _LAST[1]
    if _LOADER is None:
        _LOADER = _loader_class()
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if memo and len(text) > 4096:
        _LAST = (text, node)
    return node


_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+).*)?$")


_MAYBE_NOT_TEXT = set("~nNtTfF0123456789+-.")


def plain_type(value: str) -> str:
    """What a plain scalar means under YAML 1.2's core schema: null, bool, int, float or str
    ("timestamp" for a date-like text: a string to us, a date to many other readers)."""
    if value and value[0] not in _MAYBE_NOT_TEXT:
        return "str"  # most titles, names and ids: no pattern can match
    if _NULL.match(value):
        return "null"
    if _BOOL.match(value):
        return "bool"
    if _INT.match(value):
        return "int"
    if _FLOAT.match(value):
        return "float"
    if _TIMESTAMP.match(value):
        return "timestamp"
    return "str"


def read_document(raw: bytes, path: str, *, fast: bool = True) -> Document:
    """Decode, check and compose a YAML file into a `Document`; problems are collected, not raised.
    `fast=False`: libyaml reads it even where the fast path (fast.py) would vouch for it."""
    text, bom, problems = decode(raw, path)
    doc = Document(path=path, text=text or "", bom=bom, problems=problems)
    if text is None:
        return doc
    doc.newline = "\r\n" if "\r\n" in text else "\n"
    markers = conflict_markers(text, path)
    if markers:
        doc.problems.extend(markers)
        return doc
    # Plain text (no construct we report, no scalar read differently): the Rust parser's data,
    # positions found by libyaml only if asked for. `fast.vouch` bounds the nesting itself.
    data = fast_load(text) if fast else DECLINED
    if data is not DECLINED:
        doc.data = data
        return doc
    deep_at = _too_deep(text)
    if deep_at is not None:
        doc.problems.append(Problem(path, *_line_col(text, deep_at), "too_deep", {"depth": MAX_DEPTH}))
        return doc
    try:
        node = _compose_guarded(text)
    except Exception as e:  # yaml.YAMLError and its subclasses: syntax errors
        doc.problems.append(_syntax_problem(e, path, text))
        return doc
    if node is None:
        doc.data = None
        return doc
    aliases = "*" in text
    converter = _Converter(path, track=bool(doc.problems), aliases=aliases)
    doc.data = converter.convert(node, ())
    if converter.problems and not converter.track:
        # problems to place: read again, with positions
        converter = _Converter(path, track=True, aliases=aliases)
        doc.data = converter.convert(node, ())
    if converter.track:
        doc._values, doc._keys = converter.values, converter.keys
    doc.problems.extend(converter.problems)
    return doc


# What `_too_deep` looks at: a flow bracket, or a character that may start a quoted scalar or
# a comment (whose brackets are text, not nesting).
_CANDIDATE = re.compile(r"""[\[\]{}"'#]""")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'")


def _too_deep(text: str) -> int | None:
    """Index where flow nesting first exceeds MAX_DEPTH, or None. The C composer recurses per
    level and a deep enough `[[[[…` overflows the C stack, so this runs before it. A comment
    starts at a `#` after whitespace; a quoted scalar at a quote after whitespace or `[{,:?-`."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    pos = 0
    search = _CANDIDATE.search
    while True:
        match = search(text, pos)
        if match is None:
            return None
        i = match.start()
        ch = text[i]
        before = text[i - 1] if i else " "
        if ch == "#":
            if before.isspace():
                pos = text.find("\n", i)
                if pos < 0:
                    return None
                continue
        elif ch == '"' or ch == "'":
            if before.isspace() or before in "[{,:?-":
                quoted = (_DOUBLE_QUOTED if ch == '"' else _SINGLE_QUOTED).match(text, i)
                if quoted is not None:
                    pos = quoted.end()
                    continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        else:
            depth = max(depth - 1, 0)
        pos = i + 1


def _compose_guarded(text: str):
    """Compose; when a file holds many brackets, on a thread with a large stack, so that
    nesting the scan above missed meets a Python error rather than a C stack overflow."""
    if text.count("[") + text.count("{") < 2000:
        return compose(text)
    import threading

    result: list = []

    def work() -> None:
        try:
            result.append((True, compose(text)))
        except BaseException as e:  # handed back to the caller's thread
            result.append((False, e))

    previous = threading.stack_size(256 * 1024 * 1024)
    try:
        worker = threading.Thread(target=work, name="taizhang-compose")
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    ok, value = result[0]
    if not ok:
        raise value
    return value


# libyaml's problems, by what its message says ("while <context>: <problem>", the first line
# that matches; its wording is stable across PyYAML's two scanners), → a message key; and
# whether the mark worth pointing at is where the construct began (the key missing its colon,
# the quote or bracket never closed) rather than where the parser gave up — which is often the
# next line. Every problem libyaml 0.2 can meet in a file that decoded has a line here, so its
# English reaches no one reading Chinese (`yaml_syntax` is the rest, its text only in English).
_SYNTAX_KINDS: tuple[tuple[str, str, bool], ...] = (
    ("could not find expected ':'", "yaml_syntax_colon", True),
    ("mapping values are not allowed", "yaml_syntax_mapping", False),
    ("found unexpected ':'", "yaml_syntax_mapping", False),  # the pure parser, in brackets
    ("found a tab character", "yaml_syntax_tab", False),
    ("found character '\\t'", "yaml_syntax_tab", False),
    ("that cannot start any token", "yaml_syntax_char", False),  # (the pure parser names the character)
    ("did not find expected ',' or", "yaml_syntax_flow", True),
    ("did not find expected '-' indicator", "yaml_syntax_indent", False),
    ("did not find expected key", "yaml_syntax_indent", False),
    ("expected <block end>", "yaml_syntax_indent", False),
    ("exceeded maximum nesting depth", "too_deep", False),  # 1,000 levels of block mapping
    ("directive", "yaml_syntax_directive", True),
    ("version number", "yaml_syntax_directive", True),
    ("incompatible YAML document", "yaml_syntax_directive", True),
    ("another document", "yaml_syntax_documents", False),
    ("<document start>", "yaml_syntax_documents", False),
    ("URI escape", "yaml_syntax_char", True),  # in a tag
    ("escape c", "yaml_syntax_escape", False),  # unknown escape character, escape code
    ("hexdecimal number", "yaml_syntax_escape", False),
    ("hexadecimal number", "yaml_syntax_escape", False),  # the pure parser spells it so
    ("duplicate tag handle", "yaml_syntax_directive", True),
    # `&`, `*`, `!` start an anchor, an alias, a tag: a value starting so wants quotes.
    ("alias", "yaml_syntax_char", True),
    ("anchor", "yaml_syntax_char", True),
    ("occurrence", "yaml_syntax_char", False),  # an anchor named twice
    ("a tag", "yaml_syntax_char", True),
    ("tag handle", "yaml_syntax_char", True),
    ("tag URI", "yaml_syntax_char", True),
    ("block scalar", "yaml_syntax_block", True),
    ("indentation indicator", "yaml_syntax_block", True),
    ("expected comment or line break", "yaml_syntax_line_end", False),
    ("sequence entries are not allowed", "yaml_syntax_dash", False),
    ("mapping keys are not allowed", "yaml_syntax_question", False),
    ("node content", "yaml_syntax_content", False),
)


def _syntax_problem(e: Exception, path: str, text: str) -> Problem:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    context = getattr(e, "context_mark", None)
    what = getattr(e, "problem", None) or str(e).splitlines()[0]
    where = getattr(e, "context", None) or ""
    key, args = "yaml_syntax", {"detail": what}
    for words, kind, at_start in _SYNTAX_KINDS:
        if words in f"{where}: {what}":
            key, args = kind, {}
            if at_start and context is not None:
                mark = context
            break
    if key == "yaml_syntax" and "quoted scalar" in where and context is not None:
        key, args, mark = "yaml_syntax_quote", {}, context  # the quote that opened it
    elif key == "yaml_syntax" and "flow" in where and context is not None:
        key, args, mark = "yaml_syntax_flow", {}, context  # the bracket that opened it
    elif context is not None and mark is not None and mark.index >= len(text.rstrip()):
        # "found unexpected end of stream": where the unclosed thing began says more.
        mark = context
        if getattr(e, "context", None):
            args = {"detail": f"{e.context}: {what}"}  # type: ignore[attr-defined]
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if key in ("yaml_syntax_quote", "yaml_syntax_flow", "yaml_syntax_char") and mark is not None:
        args = {"char": text[mark.index:mark.index + 1] if mark.index < len(text) else ""}
    elif key == "too_deep":
        args = {"depth": MAX_DEPTH}
    return Problem(path, line, col, key, args)


class _Converter:
    """Node tree → plain data (dict/list/str/int/float/bool/None) plus positions."""

    def __init__(self, path: str, track: bool = True, aliases: bool = True):
        self.path = path
        self.track = track  # record every node's position (only needed to point at problems)
        # Whether the text may hold an alias (it has a `*`): if not, no node can come twice and
        # the walk need not remember every node it met.
        self.aliases = aliases
        self.values: dict[PathKey, Pos] = {}
        self.keys: dict[PathKey, Pos] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self._alias_reported = False
        # Plain scalars already resolved, by their text: a ledger repeats its dates, names and
        # units thousands of times, and resolving one takes up to five regex matches.
        self._plain: dict[str, Any] = {}

    def _problem(self, node, message_key: str, **args) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1,
                                     node.start_mark.column + 1, message_key, args))

    def convert(self, node, loc: PathKey, depth: int = 0) -> Any:
        track = self.track
        if track:
            self.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        kind = node.id
        # An alias re-uses a node object: ledgers have no use for them, and expanding them is
        # how "billion laughs" inputs eat memory. One line says it; the rest is not read.
        if self.aliases:
            if id(node) in self._seen:
                if not self._alias_reported:
                    self._problem(node, "yaml_alias")
                    self._alias_reported = True
                return None
            self._seen.add(id(node))
        if kind != "scalar" and node.tag != IMPLICIT and not node.tag.endswith((":map", ":seq")):
            self._problem(node, "yaml_tag", tag=node.tag)
            return None
        if depth > MAX_DEPTH:
            self._problem(node, "too_deep", depth=MAX_DEPTH)
            return None
        if kind == "scalar":
            return self._scalar(node)
        if kind == "sequence":
            if not track:
                return [self.convert(child, loc, depth + 1) for child in node.value]
            return [self.convert(child, loc + (i,), depth + 1) for i, child in enumerate(node.value)]
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                self._problem(key_node, "yaml_complex_key")
                continue
            key = self._scalar(key_node)
            if isinstance(key, (list, dict)) or key is None:
                self._problem(key_node, "yaml_complex_key")
                continue
            if key in result:
                self._problem(key_node, "duplicate_key", key=key)
                continue
            if track:
                self.keys[loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.convert(value_node, loc + (key,), depth + 1)
            else:
                result[key] = self.convert(value_node, loc, depth + 1)
        return result

    def _scalar(self, node) -> Any:
        value, tag = node.value, node.tag
        if tag == IMPLICIT:
            if node.style:
                return value  # quoted or block: text
            known = self._plain.get(value, _UNSEEN)
            if known is not _UNSEEN:
                return known
            kind = plain_type(value)
        elif tag.startswith("tag:yaml.org,2002:") and tag[18:] in ("str", "int", "float", "bool", "null", "timestamp"):
            kind = tag[18:]
        else:
            self._problem(node, "yaml_tag", tag=tag)
            return value
        result: Any
        if kind in ("str", "timestamp"):
            result = value  # the models read dates from text
        elif kind == "null":
            result = None
        elif kind == "bool":
            result = value.lower() == "true"
        else:
            try:
                if kind == "int":
                    result = int(value, 0) if value[:2] in ("0o", "0x") else int(value)
                else:
                    # YAML spells infinity and not-a-number `.inf`, `-.inf`, `.nan`; Python
                    # without the dot.
                    result = float(value.replace(".", "", 1) if value.lower().endswith(("inf", "nan"))
                                   else value)
            except ValueError:
                self._problem(node, "yaml_tag", tag=tag)
                return value
        if tag == IMPLICIT and kind != "float":  # a float may be NaN: each read is its own object
            self._plain[value] = result
        return result


_UNSEEN = object()


def encode(text: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
