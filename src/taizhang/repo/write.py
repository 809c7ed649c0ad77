"""Writing ledgers: take the locks, re-read each file, make the edit, check that the new text
reads back as exactly the intended data, and only then replace the files, all of them or none
(`files.replace_files`: a journal finishes a write that a kill interrupted).

The new text is always read back whole and must equal the intended data. Whether that data is a
valid ledger is decided by the models (pydantic, repo.load) — or, for the common edits of a file
the cache vouches for, by `vouched`: the old data were valid (a sealed entry for these very
bytes), the change is one whose every value can be checked directly (a new item of plain fields,
a `closed:`, notes appended) and the ledger-wide rules provably find nothing. Anything else, and
every refusal, goes the models' way: the messages are theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang.domain.ids import ITEM_ID_PATTERN, check_code
from taizhang.domain.keys import KINDS
from taizhang.errors import Problem, TaizhangError
from taizhang.repo.cache import Cache
from taizhang.repo.files import (
    clean_all_orphans,
    finish_journals,
    locked_all,
    replace_files,
    unwritable,
)
from taizhang.repo.layout import LEDGER_DIR, ledger_path, new_ledger_path
from taizhang.repo.layout import rel_path as _rel
from taizhang.yamltext import windows
from taizhang.yamltext.read import Document, compose, encode

if TYPE_CHECKING:
    from taizhang.domain.models import Ledger
    from taizhang.repo.load import LoadedLedger
    from taizhang.yamltext.windows import ItemWindows

# pydantic, the models and repo.load are imported where a write needs them (module docstring).

# --- writing --------------------------------------------------------------------------------

@dataclass
class Edit:
    """What an edit function returns: the new text, the data it must read back as, a result."""

    text: str
    expected: Any
    result: Any = None


@dataclass(frozen=True)
class Written:
    """A file a command wrote, with its bytes just before (None: it did not exist) and after,
    both taken under the file's lock: what a commit of exactly this change needs (gitops.git)."""

    path: Path
    before: bytes | None
    after: bytes


class Results(dict):
    """What each ledger's plan returned, by code, and the files written (`written`)."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[Written] = []


@dataclass
class CachedLedger:
    """A ledger as an edit is given it (what repo.load.LoadedLedger offers): here one the cache
    vouches for (a sealed entry for these very bytes, made when they read without errors) or a
    new text `vouched` for. Its model is made, loading pydantic, only when asked for."""

    path: str
    doc: Document
    problems: list[Problem]  # (its warnings: it has no errors)
    year: int | None
    raw: bytes  # the file's bytes, read again should the entry not make a model
    json_data: bytes | None = None  # the entry's data (None: the model is made from doc.data)
    _model: Any = field(default=None, repr=False)
    stale: bool = False  # the entry did not make a model (the models changed): not vouched for

    has_errors = False

    @property
    def ledger(self) -> "Ledger":
        if self._model is None:
            from pydantic import ValidationError

            from taizhang.domain.models import Ledger

            try:
                if self.json_data is not None:
                    self._model = Ledger.model_validate_json(self.json_data, context={"year": self.year})
                else:
                    self._model = Ledger.model_validate(self.doc.data, context={"year": self.year})
            except ValidationError:
                from taizhang.repo.load import parse_ledger

                self.stale = True
                year: Any = _Year(self.year)  # (all parse_ledger reads of the settings)
                loaded = parse_ledger(self.raw, self.path, year)
                if loaded.ledger is None or loaded.has_errors:
                    raise TaizhangError([p for p in loaded.problems if p.is_error]) from None
                self._model = loaded.ledger
        return self._model

    @property
    def valid(self) -> "Ledger":
        return self.ledger


@dataclass(frozen=True)
class _Year:
    """What reading a ledger needs of the settings: the year of date phrases."""

    year: int | None


def _checked_loaded(cache: Cache, path: Path, settings: Any, raw: bytes | None = None) -> Any:
    """The ledger to edit, refusing one with errors. Its data come from the cache when the file
    is as last read (the nodes an edit needs are composed anyway; converting them is not)."""
    import json

    from taizhang.yamltext.read import decode

    raw = path.read_bytes() if raw is None else raw
    rel = _rel(cache.root, path)
    hit = cache.load(rel, raw, settings.year)
    if hit is not None:
        text, bom, problems = decode(raw, rel)
        if text is not None and not problems:
            try:
                data = json.loads(hit[0])
            except ValueError:
                data = None
            if isinstance(data, dict):
                doc = Document(path=rel, text=text, data=data, bom=bom,
                               newline="\r\n" if "\r\n" in text else "\n")
                return CachedLedger(rel, doc, hit[1], settings.year, raw, hit[0])
    else:
        # No read entry, but `status` or `check` may have vouched for these bytes in theirs.
        from taizhang.repo.verdicts import verdict
        from taizhang.yamltext.read import read_document

        warnings = verdict(cache, path, raw, settings.year)
        if warnings is not None:
            doc = read_document(raw, rel)
            if not doc.problems and isinstance(doc.data, dict):
                return CachedLedger(rel, doc, warnings, settings.year, raw)
    from taizhang.repo.load import parse_ledger

    loaded = parse_ledger(raw, rel, settings)
    if loaded.has_errors:
        raise TaizhangError([p for p in loaded.problems if p.is_error])
    return loaded


def _refuse_lone_cr(loaded: LoadedLedger) -> None:
    """A file whose lines end in bare CRs (old Mac editors) reads well, but the lines an edit
    adds could not end the same way: refuse rather than mix line endings in the clerk's file."""
    text = loaded.doc.text
    if "\r" in text and "\n" not in text:  # (a stray CR inside a title or comment is no matter)
        raise TaizhangError(Problem(loaded.path, 1, text.index("\r") + 1, "lone_cr", {}))


def same_data(a: Any, b: Any) -> bool:
    """Equal as the models read them: a mapping key 2018 and "2018" are the same (JSON, and so
    the cache, keeps keys as text)."""
    if type(a) in (dict, list) and a == b and _json(a) == _json(b) is not None:
        # Equal by Python and as JSON, keys sorted (C loops, not this one's): equal here too.
        # (Python alone takes True for 1 and a key True for 1; JSON alone a key True for "true"
        # and NaN for NaN; keys of mixed types do not sort, and go the long way.)
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        b_by_text = {str(k): v for k, v in b.items()}
        return all(str(k) in b_by_text and same_data(v, b_by_text[str(k)]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal_entries(a, b))
    return a == b and type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _equal_entries(a: list, b: list) -> list[bool]:
    """same_data of each pair of entries of two lists (the shorter's length). The entries equal
    by Python are checked as one list as JSON, the shortcut above without a call per entry (a
    2,000-item ledger's items); where that fails, or for the others, one by one."""
    pairs = list(zip(a, b))
    equal = [x == y for x, y in pairs]
    alike = [i for i, e in enumerate(equal) if e]
    if alike and _json([a[i] for i in alike]) == _json([b[i] for i in alike]) is not None:
        return [e or same_data(x, y) for e, (x, y) in zip(equal, pairs)]
    return [same_data(x, y) for x, y in pairs]


_LARGE = 200  # entries: a list, or a ledger's items, this long is encoded by msgspec (below)


def _json(data: Any) -> str | bytes | None:
    """`data` as JSON with its keys sorted, None where JSON cannot hold it (a NaN, a key of
    another type than text or number, keys of mixed types). Large data is encoded by msgspec,
    ~8× faster than json (a 2,000-item ledger: ~6 ms each time) and worth its import; what it
    encodes differently — a NaN as `null`, keys other than text — sends the data to json, whose
    answer stands (so both give one answer: tests/test_fast_write.py)."""
    size = len(data) if type(data) is list else len(data.get("items") or ()) if type(data) is dict else 0
    if size >= _LARGE:
        import msgspec

        try:
            encoded = msgspec.json.encode(data, order="sorted")
        except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
            encoded = None
        if encoded is not None and b"null" not in encoded:
            return encoded  # (no None and no NaN in it: json would have said the same)
    import json

    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError):
        return None


class LedgerExists(TaizhangError):
    """A ledger to be created is there already (made by another command meanwhile)."""


def edit_ledgers(cache: Cache, settings: Any, plans: dict[str, Plan],
                 create: dict[str, str] | None = None) -> Results:
    """Apply edits to several ledgers of `cache.root`: lock them all (in order), compute and
    verify every new text, and only then write them all, as one (a kill at any moment leaves all
    of them as they were or, once the next command has run, all of them changed). `create` gives
    the whole text of ledgers to make (code → text), checked under the lock not to exist yet; a
    plan of the same code then edits that text. An error anywhere leaves every file as it was.
    The ledgers are read, and what was written is remembered, through `cache`. The results say
    what each plan returned and, in `written`, each file's bytes before and after."""
    root = cache.root
    create = create or {}
    paths = {code: ledger_path(root, code) for code in plans if code not in create}
    for code in create:
        check_code(code)  # a code that is not one, or a name Windows reserves, is refused
        paths[code] = root / LEDGER_DIR / f"{code}.yaml"
    if create:
        # git keeps no empty folder: a fresh clone of a repository `init` made has no ledgers/.
        try:
            (root / LEDGER_DIR).mkdir(exist_ok=True)
        except OSError as e:
            raise unwritable(root, e) from None
    results = Results()
    writes: list[tuple[Path, bytes, Any]] = []
    before: dict[str, bytes | None] = {}
    unchanged: set[str] = set()
    with transaction(root, sorted(paths)):
        for code in sorted(paths):
            if code in create:
                loaded = _new_loaded(root, paths[code], create[code], settings)
                before[code] = None
            else:
                raw = paths[code].read_bytes()
                before[code] = raw
                loaded = _checked_loaded(cache, paths[code], settings, raw)
                _refuse_lone_cr(loaded)
            if code not in plans:
                writes.append((paths[code], encode(loaded.doc.text, loaded.doc.bom), loaded))
                results[code] = None
                continue
            edit, new_loaded, same = _edited(plans[code], loaded, settings)
            if new_loaded.has_errors:
                # Wrong input is reported as input (`taizhang: items[4].title …`), not at lines
                # of a text that was never written. (Only the models refuse: `vouched` never does.)
                refuse_invalid_data(edit.expected, settings, loaded.path)
                raise TaizhangError([p for p in new_loaded.problems if p.is_error])
            if not same:
                raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
            data = encode(edit.text, loaded.doc.bom)
            writes.append((paths[code], data, new_loaded))
            if code not in create and edit.text == loaded.doc.text:
                unchanged.add(loaded.path)
            results[code] = edit.result
        # A ledger the edit leaves as it was is not written again.
        writes = [w for w in writes if w[2].path not in unchanged]
        try:
            replace_files(root, [(path, data) for path, data, _ in writes], sorted(paths))
        except OSError as e:
            raise unwritable(root, e) from None
        for path, data, new_loaded in writes:
            # What was just verified: the next command need not parse the file again.
            cache.store(new_loaded.path, data, settings.year, new_loaded.doc.data, new_loaded.problems)
            results.written.append(Written(path, before[path.stem], data))
    return results


@contextmanager
def transaction(root: Path, codes: list[str]) -> Iterator[None]:
    """Hold the locks of `codes` with every earlier write of those ledgers finished: a journal a
    killed command left is completed first (one needing other locks too: with none held)."""
    inside = False
    try:
        while True:
            finish_journals(root)
            with locked_all(root, codes):
                # A writer killed between the look above and the locks: finish it now.
                if finish_journals(root, held=codes):
                    clean_all_orphans(root, codes)
                    inside = True
                    yield
                    return
    except OSError as e:
        if inside:
            raise
        raise unwritable(root, e) from None


def _new_loaded(root: Path, path: Path, text: str, settings: Any) -> LoadedLedger:
    """A ledger to create, read from its text: refused if its code is taken (looked at under its
    lock, by a file of any kind under either suffix) or if the text has errors."""
    from taizhang.repo.load import parse_ledger

    try:
        new_ledger_path(root, path.stem)
    except TaizhangError as e:
        if any(p.key == "project_exists" for p in e.problems):
            raise LedgerExists(e.problems) from None
        raise
    loaded = parse_ledger(text.encode("utf-8"), _rel(root, path), settings)
    if loaded.has_errors:
        raise TaizhangError([p for p in loaded.problems if p.is_error])
    return loaded


def _edited(plan: Plan, loaded: Any, settings: Any) -> tuple[Edit, Any, bool]:
    """The edit, its new text read back, and whether that reads as the data the edit meant
    (same_data, asked once: on a 2,000-item ledger each asking costs ~6 ms): made with windows
    first, and made again on the nodes of the whole text if the windows misled it (it failed, or
    does not read back)."""
    context = EditContext(windows=True)
    try:
        edit = plan(loaded, context)
    except Exception:  # a windowed attempt that failed in any way is made again
        # (import's chain raises its own read-back errors; a wrong input fails again below)
        if not context.used:
            raise
        edit = None
    finally:
        context.windows = False
    if edit is not None:
        new_loaded, same = _read_back(edit, loaded, settings)
        if not context.used or (not new_loaded.has_errors and same):
            return edit, new_loaded, same
    context.redone = True
    edit = plan(loaded, context)
    return edit, *_read_back(edit, loaded, settings)


def _read_back(edit: Edit, loaded: Any, settings: Any) -> tuple[Any, bool]:
    """The edit's new text read whole, with its problems: judged by `vouched` where the old text
    was the cache's and the change is one it checks, else by the models (repo.load); and whether
    it reads as the edit's expected data."""
    raw = encode(edit.text, loaded.doc.bom)
    # (a ledger with warnings would have them placed and said by the models: not tried here)
    if isinstance(loaded, CachedLedger) and not loaded.stale and not loaded.problems:
        from taizhang.yamltext.read import read_document

        doc = read_document(raw, loaded.path)
        same = not doc.problems and same_data(doc.data, edit.expected)
        if same and vouched(loaded.doc.data, doc.data):
            return CachedLedger(loaded.path, doc, [], loaded.year, raw), True
    from taizhang.repo.load import parse_ledger

    new_loaded = parse_ledger(raw, loaded.path, settings)
    return new_loaded, same_data(new_loaded.doc.data, edit.expected)


def refuse_invalid_data(data: Any, settings: Any, rel_path: str) -> None:
    """Check what an edit means to write before any text is made of it, so that wrong input is
    reported as wrong input (`taizhang: items[4].title …`), not at lines of a file never written."""
    from pydantic import ValidationError

    from taizhang.domain.models import Ledger
    from taizhang.repo.load import ledger_rules, validation_problems

    doc = Document(path="", text="", data=data)
    try:
        ledger = Ledger.model_validate(data, context={"year": settings.year})
    except ValidationError as e:
        raise TaizhangError(validation_problems(e, doc, Ledger)) from None
    errors = [replace(p, path="", line=0, col=0) for p in ledger_rules(doc, ledger, rel_path)
              if p.is_error and p.key != "file_name_invalid"]
    if errors:
        raise TaizhangError(errors)


# --- the direct check (`vouched`) ---------------------------------------------------------------

_MISSING = object()
_ITEM_ID = re.compile(ITEM_ID_PATTERN.strip("^$"))
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The fields of a new item `vouched` checks itself (each a text, a day or a count): any other
# (a target, a term, a phrase for a date, a list of units) is the models' to read.
_NEW_ITEM_KEYS = frozenset({"id", "title", "kind", "due", "duration", "after", "owner", "unit", "measures"})
_CLOSED_KEYS = frozenset({"date", "by", "note", "evidence", "verified_by"})
_NOTE_KEYS = frozenset({"date", "by", "text"})


def vouched(old: Any, new: Any) -> bool:
    """Whether the models would read `new` as a valid ledger without a problem (no error, no
    warning), knowing that `old` — which `new` must equal but for the change — read so. True
    only for changes checked here field by field: items appended, a `closed:` added (an
    application it settles removed), notes appended; every value a plain text or an ISO day.
    False says nothing: the models judge."""
    if type(old) is not dict or type(new) is not dict:
        return False
    for key in old.keys() | new.keys():
        if key != "items" and (key not in old or key not in new or not same_data(old[key], new[key])):
            return False
    old_items, new_items = old.get("items") or [], new.get("items") or []
    code = new.get("code")
    if type(old_items) is not list or type(new_items) is not list or len(new_items) < len(old_items) \
            or type(code) is not str:
        return False
    for before, after, same in zip(old_items, new_items, _equal_entries(old_items, new_items)):
        if not same and not _item_change_ok(before, after):
            return False
    added = new_items[len(old_items):]
    if not all(_new_item_ok(item, code) for item in added):
        return False
    # The rules across items (repo.load.ledger_rules): ids unique, `after` names an item (the old
    # items' references were good and no id went away; nothing can name a new id, so no cycle).
    ids = [item.get("id") for item in new_items if type(item) is dict]
    if len(ids) != len(new_items) or len(set(ids)) != len(ids):
        return False
    for item in added:
        if any(ref not in ids or ref == item["id"] for ref in item.get("after", [])):
            return False
    # `old` read without warnings and the project's fields are unchanged: an old item can only
    # lose a warning (a close, or a new item naming it in `after`), so only the new ones are
    # judged (a ledger with terms, 长期坚持 or 每月25日前, among its old items stays vouched for).
    return _no_warnings(new, new_items, added)


def _no_warnings(ledger: dict, items: list, judged: list) -> bool:
    """Whether neither warning can be given to the items `judged` among the ledger's `items`: no
    time node at all (`no_time_node`), a node after the project's deadline (`due_after_deadline`)."""
    deadline = ledger.get("deadline")
    if deadline is None:
        named: set[Any] = set()
        for item in items:
            after = item.get("after")
            named.update([after] if type(after) is str else after if type(after) is list else [])
        return all(item.get("due") is not None or item.get("closed") is not None or item["id"] in named
                   for item in judged)
    if not _iso_day(deadline):
        return False
    for item in judged:
        due = item.get("due")
        if due is not None and (not _iso_day(due) or due > deadline):
            return False  # (a term or a phrase: the models read it)
    return True


def _iso_day(value: Any) -> bool:
    """An ISO day the models read as that day (`2018-09-30`; not `2018-02-30`)."""
    if type(value) is not str or not _ISO_DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _text(value: Any, *, blank: bool = True) -> bool:
    return type(value) is str and (blank or value != "")


def _new_item_ok(item: Any, code: str) -> bool:
    if type(item) is not dict or not item.keys() <= _NEW_ITEM_KEYS:
        return False
    item_id = item.get("id")
    if type(item_id) is not str or not _ITEM_ID.fullmatch(item_id) or not item_id.startswith(code + "-"):
        return False
    after = item.get("after", [])
    duration = item.get("duration", 0)
    return (_text(item.get("title"), blank=False)
            and item.get("kind", "task") in KINDS
            and ("due" not in item or _iso_day(item["due"]))
            and type(duration) is int and duration >= 0
            and type(after) is list and all(_text(ref) and _ITEM_ID.fullmatch(ref) for ref in after)
            and all(_text(item[key]) for key in ("owner", "unit", "measures") if key in item))


def _item_change_ok(before: Any, after: Any) -> bool:
    """An item changed only by a `closed:` added (with an application it settles removed) and
    notes appended."""
    if type(before) is not dict or type(after) is not dict:
        return False
    for key in before.keys() | after.keys():
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old is not _MISSING and new is not _MISSING and same_data(old, new):
            continue
        if key == "closed" and old is _MISSING and _closed_ok(new):
            continue
        if key == "apply" and new is _MISSING and "closed" not in before and "closed" in after:
            continue
        if key == "notes" and _notes_appended(old, new):
            continue
        return False
    return True


def _closed_ok(value: Any) -> bool:
    return (type(value) is dict and value.keys() <= _CLOSED_KEYS and _iso_day(value.get("date"))
            and all(_text(v) for k, v in value.items() if k != "date"))


def _notes_appended(old: Any, new: Any) -> bool:
    base = [] if old is _MISSING or old is None else old
    if type(base) is not list or type(new) is not list or len(new) <= len(base) \
            or not same_data(base, new[:len(base)]):
        return False
    return all(type(note) is dict and note.keys() <= _NOTE_KEYS and _iso_day(note.get("date"))
               and _text(note.get("text"), blank=False) and ("by" not in note or _text(note["by"]))
               for note in new[len(base):])


@dataclass
class EditContext:
    """The state of one ledger's edit in `edit_ledgers`, handed to its plan: whether item edits
    may find their nodes through windows (yamltext.windows) and whether they did (an edit made
    through windows that does not read back is made again, on the whole text: `redone`), and
    the ids of the items in the text being edited (None: no windows). A plan called without a
    context edits on the nodes of the whole text."""

    windows: bool = False  # this attempt may use windows
    used: bool = False  # windows were used in this edit
    redone: bool = False  # the edit was made again on the whole text
    ids: list[Any] | None = None  # (as read: an id may be missing or not text)

    def item_windows(self, text: str) -> ItemWindows | None:
        """The items' windows of `text`, where this attempt may use them and they apply."""
        if self.windows and self.ids is not None:
            found = windows.item_windows(text, self.ids)
            if found is not None:
                self.used = True
                return found
        return None

    def item_root(self, text: str):
        """The root node for an edit of items: composed window by window where it can be."""
        if self.windows and self.ids is not None:
            root = windows.windowed_root(text, self.ids)
            if root is not None:
                self.used = True
                return root
        return compose(text)


Plan = Callable[..., Edit]  # plan(loaded, context: EditContext | None = None) -> Edit


def windowed(apply: Callable[[LoadedLedger, EditContext], Edit]) -> Plan:
    """An item edit that may find its nodes through windows, checked against the ids of the
    ledger it is given (an edit chained after another is given that one's result)."""

    def run(loaded: LoadedLedger, context: EditContext | None = None) -> Edit:
        context = context if context is not None else EditContext()
        saved = context.ids
        items = loaded.doc.data.get("items") if isinstance(loaded.doc.data, dict) else None
        context.ids = [item.get("id") for item in items if isinstance(item, dict)] if isinstance(items, list) else None
        try:
            return apply(loaded, context)
        finally:
            context.ids = saved

    return run
