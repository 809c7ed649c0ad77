"""Merge three versions of notices.yaml notice by notice: the merge driver's part for the
督办通知单 (SPEC §7), registered by `taizhang git-setup` beside the ledgers'.

Offices only add to the file: `notice` appends numbered notices, `reply` appends a reply to one.
So the merge is OURS' text, byte for byte, with THEIRS' additions appended: their new notices
after ours (their lines copied, moved to our list's indent), their new replies after ours in the
notice they answer. A notice that only their side changed otherwise is put in place of ours,
their lines again. A notice is known by its number (the n-th notice bearing a number, where a
side already bears it twice), a new one on both sides also by its content: the same notice
added on both sides is kept once.

The same number issued on both sides for different notices (two offices each issued 第5号) is
never renumbered: the number is on paper already. Both are kept, the merge is clean and says the
number is now repeated; `taizhang check` reports it until a person puts it right. Anything else
— a notice both sides changed, or one side changed and the other deleted, a notice their side
deleted, a comment of theirs that would not be carried, a side that does not read — is git's
line merge, conflict markers and all: never a lost side.

The plan is made on data; the text built is read back and must be a valid notices file holding
exactly the planned data, else the line merge.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Optional

from taizhang.errors import Problem
from taizhang.gitops.merge import (
    BASE,
    OURS,
    THEIRS,
    AppendEntry,
    MergeResult,
    NotMergeable,
    apply_edits,
    comment_col,
    dash_col,
    entry_lines_of,
    is_flow,
    placed_lines,
    replace_entry,
    same,
    text_lines,
    three_way,
)
from taizhang.repo.notices import Examined, parse_notices
from taizhang.yamltext import emit, splice
from taizhang.yamltext.read import compose

KEY = "notices"

Key = tuple[Any, int]  # (number, how many notices before it on its side bear that number)
Copied = tuple[dict, Optional[list[str]], int]  # (their entry, its lines or None, the column of its dash)


def merge_notices(base: str, ours: str, theirs: str, *, path: str = "notices.yaml",
                  year: Optional[int] = None) -> MergeResult:
    """Merge THEIRS into OURS given their common BASE (texts of notices.yaml); `year` is the
    repository's, for a date phrase written by hand. Clean with a warning per number the merge
    makes repeated; anything it cannot merge notice by notice is git's line merge (never clean)."""
    return three_way(base, ours, theirs, path, lambda b, o, t: _NoticeMerge(b, o, t, path=path, year=year).run())


@dataclass
class _Side:
    text: str
    data: dict
    notices: list[dict]
    found: Optional[Examined] = None
    newline: str = "\n"

    def keys(self) -> list[Key]:
        seen: Counter[Any] = Counter()
        out = []
        for notice in self.notices:
            number = notice.get("number")
            out.append((number, seen[number]))
            seen[number] += 1
        return out


def _head(notice: dict) -> dict:
    """A notice without its replies: what was issued."""
    return {k: v for k, v in notice.items() if k != "replies"}


def _unnumbered(notice: dict) -> dict:
    """What was issued but its number: a notice renumbered on a side is this unchanged."""
    return {k: v for k, v in notice.items() if k not in ("number", "replies")}


def _replies(notice: dict) -> list:
    value = notice.get("replies")
    return list(value) if isinstance(value, list) else []


@dataclass
class _EditNotices:
    """Their version of whole notices of ours, and their new replies after ours, made on one
    reading of our text, the lowest notice first (the positions read above stay right)."""

    replaced: dict[int, Copied]  # our notice's index → their notice
    replies: dict[int, list[Copied]]  # our notice's index → their new replies to it, in order

    def data(self, data: dict) -> None:
        notices = data[KEY]
        for i, (value, _, _) in self.replaced.items():
            notices[i] = copy.deepcopy(value)
        for i, new in self.replies.items():
            notices[i]["replies"] = _replies(notices[i]) + [copy.deepcopy(value) for value, _, _ in new]

    def text(self, text: str, nl: str) -> str:
        seq = splice.mapping_get(compose(text), KEY)[1]
        for i in sorted({*self.replaced, *self.replies}, reverse=True):
            entry = seq.value[i]
            if i in self.replaced:
                value, lines, dash = self.replaced[i]
                if is_flow(seq):
                    text = text[:entry.start_mark.index] + emit.flow(emit.as_written(value)) \
                        + text[splice.last_end(entry):]
                else:
                    text = replace_entry(text, entry, value, lines, dash, nl, where=str(value.get("number")))
            else:
                text = _add_replies(text, entry, self.replies[i], nl)
        return text


def _add_replies(text: str, entry, new: list[Copied], nl: str) -> str:
    """Their replies after the replies of our notice `entry`, in the style of ours: lines of a
    block list, entries of a flow list, or a flow list where ours has none (`replies:`, or no
    key at all)."""
    values = [emit.as_written(value) for value, _, _ in new]
    pair = splice.mapping_get(entry, "replies") if entry.id == "mapping" else None
    if entry.id != "mapping":
        raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": "replies"})])
    if pair is None:
        return splice.insert_key(text, entry, "replies", emit.flow(values), nl)
    seq = pair[1]
    if seq.id == "scalar":  # `replies:` / `replies: ~`: a value that reads as none
        return splice.replace_scalar(text, seq, emit.flow(values))
    if seq.id != "sequence":
        raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": "replies"})])
    if is_flow(seq):
        return splice.append_flow_entry(text, seq, ", ".join(emit.flow(value) for value in values))
    our_dash = dash_col(text, seq.value[0])
    if our_dash is None:
        raise NotMergeable([Problem("", 0, 0, "merge_internal", {"where": "replies"})])
    lines = [line for value, copied, dash in new for line in placed_lines(value, copied, dash, our_dash)]
    return splice.append_block_entry(text, seq, lines, nl)


class _NoticeMerge:
    def __init__(self, base: str, ours: str, theirs: str, *, path: str, year: Optional[int]):
        self.path, self.year = path, year
        self.base = self._read(BASE, base)
        self.ours = self._read(OURS, ours)
        self.theirs = self._read(THEIRS, theirs)
        self.replaced: dict[int, int] = {}  # our notice → their notice put in its place
        self.replies: dict[int, list[tuple[int, int]]] = {}  # our notice → (their notice, their reply)
        self.appended: list[int] = []  # their notices appended, in their order
        self._their_seq: Any = None

    def _read(self, name: str, text: str) -> _Side:
        if name == BASE and not text.strip():
            return _Side(text, {}, [])  # both sides created the file: no common ancestor
        found = parse_notices(text.encode("utf-8", "surrogatepass"), self.year, self.path)
        if found.errors or found.doc is None:
            label = f"{self.path} ({name})"
            raise NotMergeable([replace(p, path=label) for p in found.errors])
        data = found.doc.data if isinstance(found.doc.data, dict) else {}
        notices = data.get(KEY)
        return _Side(found.doc.text, data, list(notices) if isinstance(notices, list) else [], found,
                     found.doc.newline)

    def _conflict(self, key: str, number: Any) -> NotMergeable:
        return NotMergeable([Problem(self.path, 0, 0, key, {"number": number})])

    # -- planning --

    def run(self) -> MergeResult:
        self._plan()
        edits: list = []
        if self.replaced or self.replies:
            edits.append(_EditNotices({i: self._copied(j) for i, j in self.replaced.items()},
                                      {i: [self._copied_reply(j, k) for j, k in new] for i, new in self.replies.items()}))
        edits += [AppendEntry(*self._copied(j, comments_above=True), key=KEY) for j in self.appended]
        nl = self.ours.newline
        merged, expected = apply_edits(self.ours.text, edits, nl), copy.deepcopy(self.ours.data)
        for edit in edits:
            edit.data(expected)
        found = self._check(merged, expected)
        self._comments_carried(merged)
        return MergeResult(merged, [], self._repeated(found))

    def _plan(self) -> None:
        base, ours, theirs = self.base.notices, self.ours.notices, self.theirs.notices
        in_base = {key: i for i, key in enumerate(self.base.keys())}
        our_keys, their_keys = self.ours.keys(), self.theirs.keys()
        self._repeats_kept(our_keys, their_keys)
        at_theirs = {key: j for j, key in enumerate(their_keys)}
        at_ours = set(our_keys)
        for i, key in enumerate(our_keys):
            if key not in in_base:
                continue  # ours alone added it (or both did: matched below)
            if key not in at_theirs:
                raise self._conflict("merge_notice_deleted_theirs", key[0])
            self._merge_notice(i, base[in_base[key]], at_theirs[key])
        # Their new notices: the same as one of our new ones is kept once; one that only has
        # other replies gets theirs added; anything else is appended (the same number with
        # other content included: two offices each issued it).
        ours_new: dict[Any, list[int]] = {}
        for i, key in enumerate(our_keys):
            if key not in in_base:
                ours_new.setdefault(key[0], []).append(i)
        self._renumbered_once(in_base, set(their_keys), ours_new)
        for j, key in enumerate(their_keys):
            if key in in_base:
                if key not in at_ours and not same(theirs[j], base[in_base[key]]):
                    raise self._conflict("merge_notice_deleted_ours", key[0])
                continue
            bucket = ours_new.get(key[0], [])
            match = next((i for i in bucket if same(ours[i], theirs[j])), None)
            if match is None:
                match = next((i for i in bucket if same(_head(ours[i]), _head(theirs[j]))), None)
                if match is not None:
                    self._merge_replies(match, [], j)
            if match is None:
                self.appended.append(j)
            else:
                bucket.remove(match)

    def _repeats_kept(self, our_keys: list[Key], their_keys: list[Key]) -> None:
        """A number the base bears more than once: a notice bearing it is known by its place
        among them, which holds only while each side bears it as often. One of them deleted or
        renumbered on a side, the next is matched to the base's: a change the other side made
        to one of them would go to another notice (a reply recorded under another unit's)."""
        counts = Counter(number for number, _ in self.base.keys())
        sides = [(our_keys, self.theirs), (their_keys, self.ours)]
        for number, n in counts.items():
            if n < 2:
                continue
            was = [notice for notice in self.base.notices if notice.get("number") == number]
            for keys, other in sides:
                now = [notice for notice in other.notices if notice.get("number") == number]
                if sum(1 for k, _ in keys if k == number) != n and not same(now, was):
                    raise NotMergeable([Problem(self.path, 0, 0, "merge_notice_repeated_changed",
                                                {"number": number, "n": n})])

    def _renumbered_once(self, in_base: dict[Key, int], at_theirs: set[Key], ours_new: dict[Any, list[int]]) -> None:
        """A notice of the base gone from both sides, renumbered on each to another number (the
        rest as it was): not two notices, a conflict."""
        at_ours = set(self.ours.keys())
        for key, b in in_base.items():
            if key in at_ours or key in at_theirs:
                continue
            was = _unnumbered(self.base.notices[b])
            mine = {n for number, places in ours_new.items() for i in places
                    if same(_unnumbered(self.ours.notices[i]), was) for n in [number]}
            new_theirs = {notice.get("number") for k, notice in zip(self.theirs.keys(), self.theirs.notices)
                          if k not in in_base and same(_unnumbered(notice), was)}
            if mine and new_theirs and not mine & new_theirs:
                raise NotMergeable([Problem(self.path, 0, 0, "merge_notice_renumbered_both",
                                            {"number": key[0], "ours": "、".join(map(str, sorted(mine, key=str))),
                                             "theirs": "、".join(map(str, sorted(new_theirs, key=str)))})])

    def _merge_notice(self, i: int, base: dict, j: int) -> None:
        """Our notice `i` and their `j`, both the base's `base`."""
        ours, theirs = self.ours.notices[i], self.theirs.notices[j]
        if same(ours, theirs) or same(base, theirs):
            return
        if same(base, ours):
            self.replaced[i] = j
            return
        if not same(_head(theirs), _head(base)) and not same(_head(theirs), _head(ours)):
            raise self._conflict("merge_notice_conflict", ours.get("number"))
        self._merge_replies(i, _replies(base), j)

    def _merge_replies(self, i: int, base: list, j: int) -> None:
        """Replies only appended on each side: theirs after ours (one both recorded, once)."""
        ours, theirs = _replies(self.ours.notices[i]), _replies(self.theirs.notices[j])
        if same(theirs, base) or same(theirs, ours):
            return
        if not (same(ours[:len(base)], base) and same(theirs[:len(base)], base)):
            raise self._conflict("merge_notice_conflict", self.ours.notices[i].get("number"))
        unmatched = ours[len(base):]
        new = []
        for k in range(len(base), len(theirs)):
            match = next((n for n, reply in enumerate(unmatched) if same(reply, theirs[k])), None)
            if match is None:
                new.append((j, k))
            else:
                del unmatched[match]
        if new:
            self.replies[i] = new

    # -- their lines --

    def _their_notices(self):
        if self._their_seq is None:
            self._their_seq = splice.mapping_get(compose(self.theirs.text), KEY)[1]
        return self._their_seq

    def _copied(self, j: int, *, comments_above: bool = False) -> Copied:
        seq = self._their_notices()
        copied = entry_lines_of(self.theirs.text, seq, seq.value[j], comments_above=comments_above) \
            if seq.id == "sequence" else None
        lines, dash = copied if copied else (None, 2)
        return self.theirs.notices[j], lines, dash

    def _copied_reply(self, j: int, k: int) -> Copied:
        value = _replies(self.theirs.notices[j])[k]
        entry = self._their_notices().value[j]
        pair = splice.mapping_get(entry, "replies") if entry.id == "mapping" else None
        copied = entry_lines_of(self.theirs.text, pair[1], pair[1].value[k]) \
            if pair is not None and pair[1].id == "sequence" else None
        lines, dash = copied if copied else (None, 0)
        return value, lines, dash

    # -- checking --

    def _check(self, text: str, expected: dict) -> Examined:
        """The text must read as a valid notices file holding exactly the planned data."""
        found = parse_notices(text.encode("utf-8", "surrogatepass"), self.year, self.path)
        data = found.doc.data if found.doc is not None else None
        if found.errors or not same({} if data is None else data, expected):
            raise NotMergeable([Problem(self.path, 0, 0, "merge_internal", {"where": "check"})])
        return found

    def _comments_carried(self, merged: str) -> None:
        """Each comment their side added is in the merge (with their lines copied), else the
        line merge: the plan, made on data, does not see comments."""
        counts = [_comments(side.text) for side in (self.base, self.ours, self.theirs)] + [_comments(merged)]
        had, ours, theirs, now = counts
        missing = [c for c in theirs if theirs[c] > had[c] and now[c] < max(ours[c], theirs[c])]
        if missing:
            lines = text_lines(self.theirs.text)
            raise NotMergeable([Problem(self.path, 0, 0, "merge_comment_not_carried",
                                        {"comment": c, "line": next(n for n, line in enumerate(lines, 1) if c in line)})
                                for c in missing[:5]])

    def _repeated(self, found: Examined) -> list[Problem]:
        """A warning at each number the merge leaves on two notices that ours had on one."""
        assert found.doc is not None
        before = self.ours.found.repeats if self.ours.found is not None else {}
        return [Problem(self.path, found.doc.pos((KEY, places[-1], "number"))[0], 1, "merge_notice_number_repeated",
                        {"number": number, "n": len(places)}, "warning")
                for number, places in found.repeats.items() if len(before.get(number, ())) < len(places)]


def _comments(text: str) -> Counter[str]:
    """The comments of a text (what follows a `#` that opens one), counted."""
    out: Counter[str] = Counter()
    for line in text_lines(text) if text else []:
        col = comment_col(line, ())
        if col is not None:
            out[line[col:].strip()] += 1
    return out
