"""`notices.yaml` (SPEC §1, §7): every 督办通知单 issued, with its replies.

Written under the `notices` lock, atomically, new entries spliced onto the text as it stands
(a comment or a hand-written reply stays), and read back before the file is replaced: numbers
never repeat because they are chosen and recorded inside one turn of the lock.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from taizhang.errors import TaizhangError, input_error
from taizhang.repo.files import atomic_write, locked
from taizhang.yamltext import emit, splice
from taizhang.yamltext.read import compose, encode, read_document

FILE = "notices.yaml"
HEADER = "# 督办通知单：由 taizhang notice 写入，taizhang reply 记录反馈"


def read_notices(root: Path) -> list[Any]:
    """The notices issued (domain.models.NoticeRecord), oldest first; none without the file."""
    return _read(root)[1]


def _read(root: Path) -> tuple[Any, list[Any]]:
    from pydantic import ValidationError

    from taizhang.domain.models import NoticesFile

    path = root / FILE
    if not path.exists() and not path.is_symlink():
        return None, []
    if path.is_symlink() or not path.is_file():
        raise input_error("notice_file_invalid", detail=f"{FILE} 不是普通文件")
    doc = read_document(path.read_bytes(), FILE)
    if [p for p in doc.problems if p.is_error]:
        raise TaizhangError([p for p in doc.problems if p.is_error])
    try:
        found = NoticesFile.model_validate(doc.data or {})
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise input_error("notice_file_invalid", detail=f"{where}: {first['msg']}") from None
    return doc, list(found.notices)


def issue(root: Path, make: Callable[[list[Any]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Under the lock: `make(notices so far)` returns the new entries (number, unit, date,
    reply_by, items), which are appended with `replies: []`. Returns them."""
    with locked(root, "notices"):
        doc, existing = _read(root)
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
            root_node = compose(text)
            pair = splice.mapping_get(root_node, "notices")
            seq = pair[1] if pair else None
            if seq is not None and seq.id == "sequence" and seq.value and not getattr(seq, "flow_style", False):
                first = seq.value[0]
                # All in one splice: each entry would go after the one before it (the last line
                # of each is its `replies: []`), and composing the grown file per entry made 50
                # notices onto 8,000 cost 5.6 s.
                lines = [line for e in entries
                         for line in emit.entry_lines(e, dash=seq.start_mark.column, key_col=first.start_mark.column)]
                text = splice.append_block_entry(text, seq, lines, newline)
            else:
                lines = [line for e in entries for line in emit.entry_lines(e, dash=2, key_col=4)]
                if pair is not None:
                    text = splice.remove_key(text, root_node, "notices")
                text = splice.insert_key(text, compose(text), "notices", [line[2:] for line in lines], newline,
                                         child_indent=2)
        expected = {**data, "notices": list(data.get("notices") or []) + [emit.read_back(e) for e in entries]}
        _write_checked(root, text, expected, doc.bom if doc is not None else False)
        return entries


def reply(root: Path, number: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Record a unit's 反馈 under the notice numbered `number`; returns that notice's entry."""
    with locked(root, "notices"):
        doc, existing = _read(root)
        index = next((i for i, n in enumerate(existing) if n.number == number), None)
        if doc is None or index is None:
            raise input_error("notice_unknown", number=number)
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
        _write_checked(root, text, data, doc.bom)
        return notices[index]


def _write_checked(root: Path, text: str, expected: Any, bom: bool) -> None:
    """Replace notices.yaml only with a text that reads back as `expected`."""
    from taizhang.domain.models import NoticesFile
    from taizhang.repo.write import same_data

    raw = encode(text, bom)
    doc = read_document(raw, FILE)
    if doc.problems or not same_data(doc.data, expected):
        raise input_error("internal_edit", path=FILE)
    NoticesFile.model_validate(doc.data)
    atomic_write(root, root / FILE, raw)


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
    head, _, tail = template.format(year=year, n="\0").partition("\0")
    pattern = re.compile(re.escape(head) + r"(\d+)" + re.escape(tail))
    used = [int(m.group(1)) for n in notices for m in [pattern.fullmatch(n.number)] if m]
    existing = {x.number for x in notices}
    return _numbered(template, year, max(used, default=0) + 1, existing)


def _numbered(template: str, year: int, n: int, existing: set[str]) -> Iterator[str]:
    # Every n passed over stays refused (`existing` only grows), so the search for the next
    # number goes on from the last one rather than from the start.
    while True:
        number = template.format(year=year, n=n)
        if number not in existing:
            existing.add(number)
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
