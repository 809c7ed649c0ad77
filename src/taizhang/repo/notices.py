"""`notices.yaml` (SPEC §1, §7): every 督办通知单 issued, with its replies.

Written under the `notices` lock, atomically, new entries spliced onto the text as it stands
(a comment or a hand-written reply stays), and read back before the file is replaced: numbers
never repeat because they are chosen and recorded inside one turn of the lock.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from taizhang.domain.notices import number_key
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.i18n import os_reason
from taizhang.repo.files import atomic_write, locked, unwritable
from taizhang.repo.layout import NOTICES_FILE, file_problem
from taizhang.yamltext import emit, splice
from taizhang.yamltext.read import Document, compose, encode, read_document

FILE = NOTICES_FILE
HEADER = "# 督办通知单：由 taizhang notice 写入，taizhang reply 记录反馈"


@dataclass
class Examined:
    """notices.yaml as read: its document (None without a file to read), the notices of a file
    that reads (none else), what keeps it from being read (`errors`, each at its line, as a
    ledger's are), and each notice whose number an earlier one already bears (`repeated`: the
    file reads, but a reply to that number could not say which notice it answers)."""

    doc: Optional[Document] = None
    raw: Optional[bytes] = None  # the file's bytes, as read
    notices: list[Any] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    repeated: list[Problem] = field(default_factory=list)
    repeats: dict[str, list[int]] = field(default_factory=dict)  # number → its notices' places

    @property
    def problems(self) -> list[Problem]:
        """Everything `check` reports of the file."""
        return sorted(self.errors + self.repeated, key=Problem.sort_key)

    def usable(self) -> list[Any]:
        """The notices, or the errors raised: what a command that needs them is given."""
        if self.errors:
            raise TaizhangError(self.errors)
        return self.notices


def examine(root: Path, year: Optional[int] = None) -> Examined:
    """The one reader of notices.yaml (check, status, notice, reply, the month's report): never
    raises for what the file holds. `year`: the repository's, for a date phrase typed by hand
    (`4月底`), as in a ledger."""
    path = root / FILE
    refused = file_problem(root, path)
    if refused is not None:
        return Examined(errors=[refused])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Examined()
    except OSError as e:
        return Examined(errors=[Problem(FILE, 1, 1, "file_unreadable", {"detail": os_reason(e)})])
    return parse_notices(raw, year)


def parse_notices(raw: bytes, year: Optional[int] = None, path: str = FILE) -> Examined:
    """`examine` of the bytes of a notices.yaml (also a version of it git hands the merge
    driver), its problems named `path`."""
    from pydantic import ValidationError

    from taizhang.domain.models import NoticesFile
    from taizhang.domain.notices import repeated_numbers
    from taizhang.repo.load import validation_problems

    doc = read_document(raw, path)
    if doc.problems:
        return Examined(doc, raw, errors=list(doc.problems))
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        return Examined(doc, raw, errors=[Problem(path, *doc.pos(()), "notices_not_mapping")])
    try:
        found = NoticesFile.model_validate(data, context={"year": year})
    except ValidationError as e:
        return Examined(doc, raw, errors=validation_problems(e, doc, NoticesFile))
    notices = list(found.notices)
    repeats = repeated_numbers([n.number for n in notices])
    repeated = [Problem(path, *doc.pos(("notices", i, "number")), "notice_number_repeated",
                        {"number": notices[i].number, "line": doc.pos(("notices", places[0], "number"))[0]})
                for number, places in repeats.items() for i in places[1:]]
    return Examined(doc, raw, notices, repeated=repeated, repeats=repeats)


def read_notices(root: Path, year: Optional[int] = None) -> list[Any]:
    """The notices issued (domain.models.NoticeRecord), oldest first; none without the file. A
    file that does not read raises its problems."""
    return examine(root, year).usable()


def issue(root: Path, make: Callable[[list[Any]], list[dict[str, Any]]],
          year: Optional[int] = None, then: Optional[Callable[[], None]] = None) -> list[dict[str, Any]]:
    """Under the lock: `make(notices so far)` returns the new entries (number, unit, date,
    reply_by, items), which are appended with `replies: []`. Returns them. `then` is called
    once they are recorded, still under the lock (the paper they were rendered to, staged
    beforehand, put in place): when it fails, notices.yaml is put back as it was, so that no
    notice stays recorded without its paper, and its error is raised."""
    with locked(root, "notices"):
        found = examine(root, year)
        existing, doc = found.usable(), found.doc
        entries = [{**entry, "replies": []} for entry in make(existing)]
        if not entries:
            return entries
        entries = [{k: v for k, v in e.items() if v is not None} for e in entries]
        if doc is None or not doc.text.strip():
            newline = "\n"
            lines = [HEADER, "notices:"] + [line for e in entries for line in emit.entry_lines(e, dash=2, key_col=4)]
            text = newline.join(lines) + newline
            data: dict = {"notices": []}
        else:
            text, newline, data = doc.text, doc.newline, dict(doc.data or {})
            text = _appended(text, entries, newline)
        expected = {**data, "notices": list(data.get("notices") or []) + [emit.read_back(e) for e in entries]}
        _write_checked(root, text, expected, doc.bom if doc is not None else False, year)
        if then is not None:
            try:
                then()
            except BaseException:
                _put_back(root, found.raw)
                raise
        return entries


def _appended(text: str, entries: list[dict[str, Any]], newline: str) -> str:
    """`text` (a notices.yaml that reads) with `entries` after its notices, in the file's own
    style: lines of a block list, entries of a flow list; `notices:` / `notices: []` / a file of
    comments alone get a block list (the comments, and one on the key's line, stay)."""
    root_node = compose(text)
    flow_root = root_node is not None and getattr(root_node, "flow_style", False)
    pair = splice.mapping_get(root_node, "notices") if root_node is not None else None
    seq = pair[1] if pair else None
    block = [line for e in entries for line in emit.entry_lines(e, dash=2, key_col=4)]
    if seq is not None and seq.id == "sequence" and seq.value and not getattr(seq, "flow_style", False):
        first = seq.value[0]
        # All in one splice: each entry would go after the one before it (the last line
        # of each is its `replies: []`), and composing the grown file per entry made 50
        # notices onto 8,000 cost 5.6 s.
        lines = [line for e in entries
                 for line in emit.entry_lines(e, dash=seq.start_mark.column, key_col=first.start_mark.column)]
        return splice.append_block_entry(text, seq, lines, newline)
    if seq is not None and seq.id == "sequence" and (seq.value or flow_root):
        return splice.append_flow_entry(text, seq, ", ".join(emit.flow(e) for e in entries))
    if root_node is None:  # comments alone
        return splice.insert_lines(text, len(text), ["notices:", *block], newline)
    if flow_root:  # `{}`
        return splice.insert_key(text, root_node, "notices", emit.flow(entries), newline)
    return splice.start_block_list(text, root_node, "notices", block, newline)  # `notices:`, `~`, `[]`


def reply(root: Path, number: str, answer: dict[str, Any], year: Optional[int] = None) -> dict[str, Any]:
    """Record a unit's 反馈 under the notice numbered `number`; returns that notice's entry. A
    number two notices bear is refused: which of them the reply answers, no one could tell."""
    with locked(root, "notices"):
        found = examine(root, year)
        existing, doc = found.usable(), found.doc
        key = number_key(number)
        places = [i for i, n in enumerate(existing) if number_key(n.number) == key]
        if doc is None or not places:
            raise input_error("notice_unknown", number=number)
        if len(places) > 1:
            lines = [doc.pos(("notices", i, "number"))[0] for i in places]
            raise input_error("notice_reply_repeated", number=number, n=len(lines),
                              lines=", ".join(str(line) for line in lines))
        index = places[0]
        answer = {k: v for k, v in answer.items() if v not in (None, "")}
        if isinstance(answer.get("date"), date) and answer["date"] < existing[index].date:
            raise input_error("reply_before_notice", number=number, date=answer["date"].isoformat(),
                              issued=existing[index].date.isoformat())
        text, newline = doc.text, doc.newline
        entry_node = splice.mapping_get(compose(text), "notices")[1].value[index]
        pair = splice.mapping_get(entry_node, "replies")
        if pair is None or pair[1].id == "scalar":
            if pair is not None:
                text = splice.remove_key(text, entry_node, "replies")
                entry_node = splice.mapping_get(compose(text), "notices")[1].value[index]
            text = splice.insert_key(text, entry_node, "replies", emit.flow([answer]), newline)
        elif getattr(pair[1], "flow_style", False):
            text = splice.append_flow_entry(text, pair[1], emit.flow(answer))
        else:
            seq = pair[1]
            text = splice.append_block_entry(text, seq, [emit.flow_entry(answer, dash=seq.start_mark.column)], newline)
        data = dict(doc.data)
        notices = [dict(n) for n in data["notices"]]
        notices[index]["replies"] = list(notices[index].get("replies") or []) + [emit.read_back(answer)]
        data["notices"] = notices
        _write_checked(root, text, data, doc.bom, year)
        return notices[index]


def _put_back(root: Path, raw: Optional[bytes]) -> None:
    """notices.yaml as it was before a write (`raw` None: there was none), as well as it can
    be: the error that called for it is the one said."""
    try:
        if raw is None:
            os.unlink(root / FILE)
        else:
            atomic_write(root, root / FILE, raw)
    except OSError:
        pass


def _write_checked(root: Path, text: str, expected: Any, bom: bool, year: Optional[int]) -> None:
    """Replace notices.yaml only with a text that reads back as `expected`, and validates."""
    from pydantic import ValidationError

    from taizhang.domain.models import NoticesFile
    from taizhang.repo.write import same_data

    raw = encode(text, bom)
    doc = read_document(raw, FILE)
    if doc.problems or not same_data(doc.data, expected):
        raise input_error("internal_edit", path=FILE)
    try:
        NoticesFile.model_validate(doc.data, context={"year": year})
    except ValidationError:
        raise input_error("internal_edit", path=FILE) from None
    try:
        atomic_write(root, root / FILE, raw)
    except OSError as e:
        raise unwritable(root, e) from None


def numbers(template: str, year: int, notices: list[Any]) -> Iterator[str]:
    """The template's numbers for the next notices of `year`, in turn: the first one past the
    highest {n} already issued under this template and year, each never one that exists or was
    given before it. `notices` is read once, so that k numbers cost n + k (it was read per
    number: k × n). A template without {n}, or one that does not format, is refused at the
    call, not at the first number."""
    if "{n}" not in template:
        raise input_error("notice_template", template=template)
    try:
        # Only {year} and {n} themselves: `{year[0]}` or `{year.real}` would index or reach into
        # the number (a TypeError, an AttributeError, or a number no one meant).
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        if any(name not in ("year", "n") for name in fields):
            raise ValueError(template)
        template.format(year=year, n=0)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        raise input_error("notice_template_bad", template=template) from None
    # As a person reads a number (domain.notices.number_key): `…5号 ` typed by hand is 5号 taken.
    head, _, tail = template.format(year=year, n="\0").partition("\0")
    pattern = re.compile(re.escape(number_key(head)) + r"([0-9]+)" + re.escape(number_key(tail)))
    used = [int(m.group(1)) for n in notices for m in [pattern.fullmatch(number_key(n.number))] if m]
    existing = {number_key(x.number) for x in notices}
    return _numbered(template, year, max(used, default=0) + 1, existing)


def _numbered(template: str, year: int, n: int, existing: set[str]) -> Iterator[str]:
    # Every n passed over stays refused (`existing` only grows), so the search for the next
    # number goes on from the last one rather than from the start.
    while True:
        number = template.format(year=year, n=n)
        if number_key(number) not in existing:
            existing.add(number_key(number))
            yield number
        n += 1


def overdue(notices: list[Any], as_of: date) -> dict[str, tuple[int, bool]]:
    """Per item id: (notices naming it issued by `as_of`, one of them unanswered past its
    reply-by day — 督办超期)."""
    found: dict[str, tuple[int, bool]] = {}
    for notice in notices:
        if notice.date > as_of:
            continue
        answered = any(r.date <= as_of for r in notice.replies)
        late = notice.reply_by is not None and notice.reply_by < as_of and not answered
        for item_id in notice.items:
            count, was_late = found.get(item_id, (0, False))
            found[item_id] = (count + 1, was_late or late)
    return found
