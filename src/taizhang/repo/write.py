"""Writing ledgers: take the locks, re-read each file, make the edit, check that the new text
reads back as exactly the intended data, and only then replace the files, all of them or none
(`files.replace_files`: a journal finishes a write that a kill interrupted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from taizhang.domain.ids import check_code
from taizhang.domain.models import Ledger, Settings
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
from taizhang.repo.load import LoadedLedger, ledger_rules, parse_ledger, validation_problems
from taizhang.yamltext import windows
from taizhang.yamltext.read import Document, compose, encode

# --- writing --------------------------------------------------------------------------------

@dataclass
class Edit:
    """What an edit function returns: the new text, the data it must read back as, a result."""

    text: str
    expected: Any
    result: Any = None


EditFn = Callable[[LoadedLedger, Any], Edit]


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


def _checked_loaded(cache: Cache, path: Path, settings: Settings, raw: bytes | None = None) -> LoadedLedger:
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
                ledger = Ledger.model_validate_json(hit[0], context={"year": settings.year})
            except ValidationError:
                ledger = None
            if ledger is not None:
                doc = Document(path=rel, text=text, data=json.loads(hit[0]), bom=bom,
                               newline="\r\n" if "\r\n" in text else "\n")
                return LoadedLedger(rel, doc, ledger, hit[1])
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
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        b_by_text = {str(k): v for k, v in b.items()}
        return all(str(k) in b_by_text and same_data(v, b_by_text[str(k)]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


class LedgerExists(TaizhangError):
    """A ledger to be created is there already (made by another command meanwhile)."""


def edit_ledgers(cache: Cache, settings: Settings, plans: dict[str, Plan],
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
    results = Results()
    writes: list[tuple[Path, bytes, LoadedLedger]] = []
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
            edit, new_loaded = _edited(plans[code], loaded, settings)
            if new_loaded.has_errors:
                # Wrong input is reported as input (`taizhang: items[4].title …`), not at lines
                # of a text that was never written.
                refuse_invalid_data(edit.expected, settings, loaded.path)
                raise TaizhangError([p for p in new_loaded.problems if p.is_error])
            if not same_data(new_loaded.doc.data, edit.expected):
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


def _new_loaded(root: Path, path: Path, text: str, settings: Settings) -> LoadedLedger:
    """A ledger to create, read from its text: refused if its code is taken (looked at under its
    lock, by a file of any kind under either suffix) or if the text has errors."""
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


def _edited(plan: Plan, loaded: LoadedLedger, settings: Settings) -> tuple[Edit, LoadedLedger]:
    """The edit and its new text read back: made with windows first, and made again on the
    nodes of the whole text if the windows misled it (it failed, or does not read back)."""
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
        new_loaded = parse_ledger(encode(edit.text, loaded.doc.bom), loaded.path, settings)
        if not context.used or (not new_loaded.has_errors and same_data(new_loaded.doc.data, edit.expected)):
            return edit, new_loaded
    context.redone = True
    edit = plan(loaded, context)
    return edit, parse_ledger(encode(edit.text, loaded.doc.bom), loaded.path, settings)


def refuse_invalid_data(data: Any, settings: Settings, rel_path: str) -> None:
    """Check what an edit means to write before any text is made of it, so that wrong input is
    reported as wrong input (`taizhang: items[4].title …`), not at lines of a file never written."""
    doc = Document(path="", text="", data=data)
    try:
        ledger = Ledger.model_validate(data, context={"year": settings.year})
    except ValidationError as e:
        raise TaizhangError(validation_problems(e, doc, Ledger)) from None
    errors = [replace(p, path="", line=0, col=0) for p in ledger_rules(doc, ledger, rel_path)
              if p.is_error and p.key != "file_name_invalid"]
    if errors:
        raise TaizhangError(errors)


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
