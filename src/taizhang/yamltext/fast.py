"""A fast path for reading plain YAML: a Rust parser (yaml-rs) where it gives exactly what the
libyaml path would, libyaml everywhere else.

The libyaml path (read.py) composes a node tree and converts it in Python: about 5 MB/s, two
thirds of a cold `status`. yaml-rs builds the same dicts and lists in Rust at about 30 MB/s, and
reads scalars by YAML 1.2's core schema as we do (`010` is 10, `no` and `2018-03-05` are text).
It is not the judge of a document, though: where the two could differ (a construct we report as
a problem, a scalar form the two resolve differently, a syntax libyaml refuses) the text goes to
libyaml, which also gives every problem its line and column. `vouch` decides that from the text
alone, before yaml-rs sees it; any error yaml-rs raises sends the text to libyaml too.

A false "plain" would change data silently, so the scan is a blacklist of characters and forms
that errs towards libyaml: a declined document is only read more slowly. tests/test_fast_yaml.py
compares the two paths on generated documents, types included.

yaml-rs is optional (pyproject.toml installs it where it has wheels): without it, or with
TAIZHANG_YAML=libyaml in the environment, every document is read by libyaml.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable

__all__ = ["DECLINED", "VETTED", "available", "load", "vouch"]

# The yaml-rs releases the scan was checked against (tests/test_fast_yaml.py): another may read
# a scalar otherwise, so it is not used until the tests have run with it and it is added here.
VETTED = ("0.1.6",)

DECLINED: Any = object()  # what `load` returns for a text libyaml must read

# Characters after which nothing is vouched for, wherever they stand (in a comment or a quoted
# string too: the scan does not parse). & * anchors and aliases (reported as a problem; yaml-rs
# expands them); ! tags; a tab (libyaml refuses it where yaml-rs takes it as space); a BOM inside
# the text; \x85 \u2028 \u2029 (line breaks to libyaml, text to yaml-rs); `_`, which yaml-rs
# drops from numbers (1_000, 1__0 and _0 are numbers to it, text to YAML 1.2 and to us); NUL,
# which read.py refuses before any scan, and which `bad_flow` uses to join flow collections.
_CHARS = ("&", "*", "!", "\t", "\ufeff", "\x85", "\u2028", "\u2029", "_", "\x00")

# Forms that need a substring to be present: the regex runs only when one of them is, so that
# a ledger pays a few C-speed `in` tests for them.
_GATED: tuple[tuple[tuple[str, ...], re.Pattern[str] | None], ...] = (
    # integers in a radix, which yaml-rs reads in more spellings (0b101, 0X1F, -0x1F) than we do
    (("0",), re.compile(r"0[bBxXoO]")),
    # document markers (yaml-rs returns several documents as a list) and directives
    (("---", "..."), re.compile(r"^(?:---|\.\.\.)(?=[ \r\n]|$)", re.MULTILINE)),
    (("%",), re.compile(r"^%", re.MULTILINE)),
    # an explicit key `? ` (complex keys are a problem to us) and `?` alone in a flow
    (("?",), re.compile(r"\?(?=[\s,\]}]|$)")),
    # a null key (a problem to us, a None key to yaml-rs), in a block (`null:`) or a flow
    # mapping (`{a: 1, ~}`, where an entry without a colon is a key)
    (("~", "null", "Null", "NULL"),
     re.compile(r"(?:^[ -]*|[\[{,?]\s*)(?:~|null|Null|NULL)\s*[:,}\]]", re.MULTILINE)),
    # Nesting, bounded without parsing: a block collection at column c is at most 2c+1 levels
    # down, and a line's collections start within its spaces and one `- ` (none of `- - a`,
    # `-    a`, nor a line indented 10 or more): with flow at most one level more (below), no
    # node is deeper than 28 < MAX_DEPTH — nor deep enough to exhaust yaml-rs's stack.
    (("\n" + " " * 10,), None),
    (("-  ",), re.compile(r"-[ ]*(?:-|[ ]{3})")),
    (("- -",), None),
    # a flow collection as a key (`[a, b]: c`, a tuple key to yaml-rs), an empty key (`: a`,
    # `{: a}`, `- : a`),
    # and a colon right before a flow indicator (`[0:]`, `{a:}`: a key to yaml-rs, an error to
    # libyaml)
    # (Written from the colon, the one character every match has, so that `re` looks only at the
    # colons: as `[\]}\[{,?\n -] *:(?=[\s,\]}]|$)|:[,\]}]`, which it is, it was tried at every
    # space, 7.6 ms of a 2,000-item ledger's 15 ms scan. tests/test_fast_yaml.py holds the two equal.)
    ((":",), re.compile(r":(?:(?<=[\]}\[{,?\n -]:)(?=[\s,\]}]|$)|[,\]}])")),
)

# In a flow collection: another one (flow nesting deeper than one level), a quote or a comment
# (whose brackets the scan cannot tell from real ones; a plain scalar in flow cannot hold a
# bracket, so without a match no flow collection lies inside another); a scalar starting with an
# indicator (libyaml refuses `[|]`, `{k: >}`, `[:a]`, `[?]`, `[- a]`, yaml-rs reads them as
# text); a colon on a later line (libyaml refuses a key over two lines, `{a\nb: 1}`; yaml-rs
# joins it).
#   [\[{](?:[^\]}"'#]*[\[{"'#]|(?:[^\]}]*?[,:])?\s*(?:[|>?:%@`]|-(?=[\s,\]}]|$))|[^\]}]*?\n[^\]}]*?:)
# That one regex, tried at every bracket, cost ~4 µs a flow collection (10 ms of a 2,000-item
# ledger with its 2,600 `{date: …, by: …}`). `bad_flow` asks the same of the flow collections
# alone, each its text from the bracket to the first closing one (all the regex could see), cut
# out at C speed and joined: then each question is one pass that `re` starts only at its own
# characters (tests/test_fast_yaml.py holds it to the regex above).
_FLOW_SPAN = re.compile(r"[\[{][^\]}]*(?:[\]}]|\Z)")
_FLOW_IN_FLOW = re.compile(r"""[\[{][^\]}"'#]*[\[{"'#]""")  # another flow, a quote, a comment
_FLOW_INDICATOR = re.compile(r"[\[{,:]\s*(?:[|>?:%@`]|-(?=[\s,\]}]|$))")  # a scalar starting so
_FLOW_KEY_BREAK = re.compile(r"\n[^\]}\x00]*:")  # a colon on a later line of the collection


def bad_flow(text: str) -> bool:
    """Whether a flow collection of `text` holds what the scan cannot vouch for (above). `text`
    holds no NUL (`vouch` declines one first): NUL joins the collections here."""
    spans = "\x00".join(_FLOW_SPAN.findall(text))
    return (_FLOW_IN_FLOW.search(spans) is not None or _FLOW_INDICATOR.search(spans) is not None
            or ("\n" in spans and _FLOW_KEY_BREAK.search(spans) is not None))


# A block scalar's header (`|`, `>-`, `|2 # note` …) up to its line's end.
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*(?:[ ]+#[^\n]*)?[ ]*(?:\r?\n|$)")
_PREFIX = re.compile(r"[ -]*")
_NEXT_LINE = re.compile(r"(?:[ ]*\r?\n)*([ ]*)(?=\S)")


def vouch(text: str) -> bool:
    """Whether yaml-rs reads `text` exactly as the libyaml path would, judged from the text alone
    (no problem to report, the same data and types): False sends it to libyaml."""
    for char in _CHARS:
        if char in text:
            return False
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False  # a lone CR
    if text.startswith((" " * 10, ":", " :")):
        return False
    for needles, pattern in _GATED:
        if any(needle in text for needle in needles) and (pattern is None or pattern.search(text)):
            return False
    if ("[" in text or "{" in text) and bad_flow(text):
        return False
    if ("|" in text or ">" in text) and not _block_scalars_plain(text):
        return False
    return True


def _block_scalars_plain(text: str) -> bool:
    """yaml-rs reads an empty block scalar (`a: |` and nothing indented under it) as a line
    break, and one ending the file without a line break as if it had one; libyaml as ''. So:
    every block scalar has content (the next non-blank line is indented deeper than the header's
    line), and the text ends with a line break."""
    for header in _BLOCK_HEADER.finditer(text):
        if header.start() and text[header.start() - 1] not in " \n":
            continue  # inside a scalar (`a|b`, `x>y`): no header
        if not text.endswith("\n"):
            return False
        # The node holding the scalar stands at most this far in: past the spaces and `- `.
        line_start = text.rfind("\n", 0, header.start()) + 1
        prefix = _PREFIX.match(text, line_start)
        indent = (prefix.end() if prefix else line_start) - line_start
        following = _NEXT_LINE.match(text, header.end())
        if following is None or len(following.group(1)) <= indent:
            return False
    return True


_LOADS: Callable[[str], Any] | None = None


def _loader() -> Callable[[str], Any] | None:
    global _LOADS
    if _LOADS is None:
        _LOADS = _no_loader
        if os.environ.get("TAIZHANG_YAML", "").lower() != "libyaml":
            try:
                import yaml_rs
            except ImportError:  # no wheel for this platform: libyaml reads everything
                pass
            else:
                if yaml_rs.__version__ not in VETTED:
                    return None
                def loads(text: str) -> Any:
                    # Dates stay text (the models read them); a repeated key is an error here,
                    # so libyaml reports it with its line.
                    return yaml_rs.loads(text, parse_datetime=False,
                                         duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
                _LOADS = loads
    return None if _LOADS is _no_loader else _LOADS


def _no_loader(text: str) -> Any:
    raise NotImplementedError


def available() -> bool:
    """Whether the fast path is in use here (a vetted yaml-rs installed, not switched off)."""
    return _loader() is not None


def load(text: str) -> Any:
    """The data of `text` when the fast path vouches for it, else DECLINED (read it with libyaml)."""
    loads = _loader()
    if loads is None or not vouch(text):
        return DECLINED
    try:
        return loads(text)
    except Exception:  # yaml-rs refuses it (a syntax error, a repeated key): libyaml says where
        return DECLINED
