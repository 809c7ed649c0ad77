"""The repository on disk: find it, read every ledger into models and problems, apply edits.

Reading never raises for the user's data: problems are collected with their positions. Writing
takes the ledger's lock, re-reads the file, splices the change into the text, checks that the new
text reads back as exactly the intended data, and replaces the file atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from taizhang.yamltext import splice
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.domain.models import Item, Ledger, Settings, ledger_json_schema
from taizhang.domain.calendars import NO_EXTRA, YearDays, year_days
from taizhang.repo.layout import (  # noqa: F401 (re-exported)
    CALENDAR_DIR, LEDGER_DIR, SETTINGS_FILE, calendar_files, find_root, ledger_files, ledger_path,
    rel_path as _rel)
from taizhang.domain.ids import CODE_PATTERN, ITEM_ID_PATTERN, split_item_id  # noqa: F401
from taizhang.yamltext.read import Document, compose, encode, read_document
from taizhang.repo.files import atomic_write, locked, state_dir

SCHEMA_FILE = "schemas/ledger.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/ledger.schema.json"

ITEM_KEY_ORDER = ("id", "title", "kind", "due", "duration", "after", "owner", "unit", "measures",
                  "closed", "notes")
PROJECT_KEY_ORDER = ("code", "name", "program", "stage", "unit", "leader", "owner", "deadline",
                     "calendar", "investment", "items")
ITEM_SETTABLE = ("title", "kind", "due", "duration", "after", "owner", "unit", "measures")
PROJECT_SETTABLE = ("name", "program", "stage", "unit", "leader", "owner", "deadline", "calendar")
REQUIRED = ("title", "name")
DATE_FIELDS = ("due", "deadline")



# --- reading --------------------------------------------------------------------------------

@dataclass
class LoadedLedger:
    """One ledger file: its document, the validated model (None if invalid) and its problems."""

    path: str  # relative to the repository root, with forward slashes
    doc: Document
    ledger: Ledger | None
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


@dataclass
class Repo:
    """Everything `status`, `check` and the reports need: settings, ledgers, problems."""

    root: Path
    settings: Settings
    ledgers: list[Ledger] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    extra: YearDays = NO_EXTRA
    # Where each ledger and each of its items stands, to place findings about them; found
    # when first asked for, since most commands never need it.
    places: dict[str, tuple[str, dict[str, tuple[int, int]]]] = field(default_factory=dict)

    def place(self, code: str, item_id: str | None) -> tuple[str, int, int]:
        rel = f"{LEDGER_DIR}/{code}.yaml"
        if code not in self.places:
            try:
                loaded = parse_ledger((self.root / rel).read_bytes(), rel, self.settings)
                self.places[code] = (rel, _item_places(loaded) if loaded.ledger is not None else {})
            except OSError:
                self.places[code] = (rel, {})
        path, items = self.places[code]
        return (path, *items.get(item_id or "", (1, 1)))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_settings(root: Path, *, use_cache: bool = True) -> tuple[Settings, list[Problem]]:
    from taizhang.repo import cache

    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    raw = path.read_bytes()
    state = _cache_dir(root) if use_cache else None
    key = cache.cache_key(raw, None)
    hit = cache.load(state, SETTINGS_FILE, key) if state is not None else None
    if hit is not None:
        try:
            return Settings.model_validate_json(hit[0]), []
        except ValidationError:
            pass
    doc = read_document(raw, SETTINGS_FILE)
    if doc.problems:
        return Settings(), doc.problems
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        return Settings(), [Problem(SETTINGS_FILE, 1, 1, "settings_not_mapping")]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as e:
        return Settings(), validation_problems(e, doc, Settings)
    if state is not None:
        cache.store(state, SETTINGS_FILE, key, data, [])
    return settings, []


def _cache_dir(root: Path) -> Path | None:
    """`.taizhang/` for the cache, or None where it cannot be made (a read-only checkout)."""
    try:
        return state_dir(root)
    except OSError:
        return None



def parse_ledger(raw: bytes, rel_path: str, settings: Settings) -> LoadedLedger:
    """Read one ledger's bytes into a model and every problem with it (nothing is raised)."""
    doc = read_document(raw, rel_path)
    if doc.problems:
        return LoadedLedger(rel_path, doc, None, list(doc.problems))
    if doc.data is None:
        return LoadedLedger(rel_path, doc, None, [Problem(rel_path, 1, 1, "empty_ledger")])
    if not isinstance(doc.data, dict):
        return LoadedLedger(rel_path, doc, None, [Problem(rel_path, *doc.pos(()), "not_mapping")])
    try:
        ledger = Ledger.model_validate(doc.data, context={"year": settings.year})
        problems: list[Problem] = []
    except ValidationError as e:
        ledger, problems = None, validation_problems(e, doc, Ledger)
    problems.extend(ledger_rules(doc, ledger, rel_path))
    return LoadedLedger(rel_path, doc, ledger, sorted(problems, key=Problem.sort_key))


def ledger_rules(doc: Document, ledger: Ledger | None, rel_path: str) -> list[Problem]:
    """The rules a single field cannot see: code = file stem, ids unique and own, `after` exists."""
    problems: list[Problem] = []
    data = doc.data
    stem = Path(rel_path).stem
    if not re.match(CODE_PATTERN, stem):
        problems.append(Problem(rel_path, 1, 1, "file_name_invalid", {"stem": stem}))
    code = data.get("code")
    if isinstance(code, str) and code != stem and re.match(CODE_PATTERN, code):
        problems.append(Problem(rel_path, *doc.pos(("code",)), "code_not_stem",
                                {"code": code, "stem": stem}))
    items = data.get("items")
    if not isinstance(items, list):
        return problems
    seen: dict[str, int] = {}  # id → index of its first item
    own = f"{code}-" if isinstance(code, str) and re.match(CODE_PATTERN, code) else None
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        item_id = item["id"]
        # Positions are looked up only for a problem: finding them costs a second parse.
        if item_id in seen:
            first_line = doc.pos(("items", seen[item_id], "id"))[0]
            problems.append(Problem(rel_path, *doc.pos(("items", i, "id")), "duplicate_id",
                                    {"id": item_id, "line": first_line}))
        else:
            seen[item_id] = i
        if own and not item_id.startswith(own) and re.match(ITEM_ID_PATTERN, item_id):
            problems.append(Problem(rel_path, *doc.pos(("items", i, "id")), "id_other_project",
                                    {"id": item_id, "code": code}))
    if ledger is None:
        return problems
    from taizhang.domain.schedule import CycleError, topological_order

    try:
        topological_order(ledger.items)
    except CycleError as e:
        index = next(i for i, item in enumerate(ledger.items) if item.id == e.cycle[-1])
        problems.append(Problem(rel_path, *doc.pos(("items", index, "after")), "after_cycle",
                                {"cycle": " → ".join(e.cycle)}))
    ids = {item.id for item in ledger.items}
    for i, item in enumerate(ledger.items):
        for j, ref in enumerate(item.after):
            loc = ("items", i, "after", j) if isinstance(items[i].get("after"), list) else ("items", i, "after")
            if ref == item.id:
                problems.append(Problem(rel_path, *doc.pos(loc), "after_self", {"id": item.id}))
            elif ref not in ids:
                problems.append(Problem(rel_path, *doc.pos(loc), "after_missing", {"ref": ref}))
        if item.due is None and item.closed is None and ledger.deadline is None and not _has_successor(ledger, item.id):
            problems.append(Problem(rel_path, *doc.pos(("items", i)), "no_time_node",
                                    {"id": item.id}, "warning"))
        if item.due and ledger.deadline and item.due > ledger.deadline:
            problems.append(Problem(rel_path, *doc.pos(("items", i, "due")), "due_after_deadline",
                                    {"id": item.id, "due": item.due.isoformat(),
                                     "deadline": ledger.deadline.isoformat()}, "warning"))
    return problems


def _has_successor(ledger: Ledger, item_id: str) -> bool:
    return any(item_id in other.after for other in ledger.items)


_PATTERN_KEYS = {"code": "code_pattern", "id": "id_pattern", "completed": "month_pattern"}


def validation_problems(error: ValidationError, doc: Document, model: type) -> list[Problem]:
    """pydantic's errors as problems at the YAML node each one is about, in the user's words."""
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        # A union (calendar) reports once per member: say it once, about the field.
        if "calendar" in loc and any(isinstance(p, str) and ("[" in p or p == "CalendarRule")
                                     for p in loc[loc.index("calendar") + 1:]):
            field_loc = loc[: loc.index("calendar") + 1]
            if ("calendar", field_loc) not in seen:
                seen.add(("calendar", field_loc))
                problems.append(Problem(doc.path, *doc.pos(field_loc), "calendar_invalid",
                                        {"field": _field_name(field_loc)}))
            continue
        key_error = bool(loc) and loc[-1] == "[key]"
        if key_error or kind == "invalid_key":
            # The error is about a mapping's key: point at the key, name it.
            loc = loc[:-1] if key_error else loc
            line, col = doc.pos(loc, key=True)
            key = _PATTERN_KEYS.get(_last_name(loc[:-1]), "value_invalid") if key_error else "extra_forbidden"
            problems.append(Problem(doc.path, line, col, key, {
                "field": str(loc[-1]), "input": _short(loc[-1]), "detail": err["msg"],
                "allowed": ", ".join(_allowed_keys(model, loc[:-1]))}))
            continue
        name = _field_name(loc)
        args: dict[str, Any] = {"field": name, "input": _short(err.get("input"))}
        if kind == "extra_forbidden":
            line, col = doc.pos(loc, key=True)
            key = "extra_forbidden"
            args["field"] = str(loc[-1])
            args["allowed"] = ", ".join(_allowed_keys(model, loc[:-1]))
        else:
            line, col = doc.pos(loc if kind != "missing" else loc[:-1])
            if kind.startswith("tz_"):
                key = ctx.get("key", "value_invalid")
                args.update({k: v for k, v in ctx.items() if k != "key"})
            elif kind == "string_pattern_mismatch":
                key = _PATTERN_KEYS.get(_last_name(loc), "value_invalid")
                args["detail"] = err["msg"]
            elif kind == "literal_error":
                key = "literal_error"
                args["expected"] = ctx.get("expected", "")
            elif kind in ("string_type", "int_type", "int_parsing", "bool_type", "bool_parsing",
                          "list_type", "dict_type", "model_type", "string_too_short", "too_short",
                          "greater_than_equal", "missing", "int_from_float"):
                key = {"int_parsing": "int_type", "bool_parsing": "bool_type", "model_type": "dict_type",
                       "string_too_short": "too_short", "int_from_float": "int_type"}.get(kind, kind)
                args.update(ctx)
            else:
                key = "value_invalid"
                args["detail"] = err["msg"]
        problems.append(Problem(doc.path, line, col, key, args))
    return problems


def _last_name(loc: tuple) -> str:
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


def _field_name(loc: Iterable) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_keys(model: type, loc: tuple) -> list[str]:
    """The keys allowed where an unknown key stood, to suggest the right spelling."""
    from taizhang.domain.models import Closed, Investment, Note

    names = [p for p in loc if isinstance(p, str)]
    sub = {"items": Item, "closed": Closed, "notes": Note, "investment": Investment}
    current = model
    for name in names:
        current = sub.get(name, current)
    return list(current.model_fields)


def load_calendars(root: Path, settings: Settings) -> tuple[YearDays, list[Problem], int]:
    """The repository's `calendars/*.yaml`: extra days off and working days, declared years."""
    paths = calendar_files(root)
    if not paths:
        return NO_EXTRA, [], 0
    off, on, years, problems, files = set(), set(), set(), [], 0
    for path in paths:
        files += 1
        rel = _rel(root, path)
        spec, found = _read_calendar_file(path, rel, settings)
        if spec is None:
            problems.extend(found)
            continue
        off.update(spec.days_off)
        on.update(spec.work_days)
        if spec.year is not None:
            years.add(spec.year)
    return year_days(off, on, years), problems, files


def _read_calendar_file(path: Path, rel: str, settings: Settings):
    """(the CalendarFile, or None, and its problems)."""
    from taizhang.domain.models import CalendarFile

    doc = read_document(path.read_bytes(), rel)
    if doc.problems:
        return None, doc.problems
    try:
        return CalendarFile.model_validate(doc.data or {}, context={"year": settings.year}), []
    except ValidationError as e:
        return None, validation_problems(e, doc, CalendarFile)


def load_repo(root: Path, codes: Iterable[str] | None = None, *, use_cache: bool = True) -> Repo:
    """Read the settings, calendars and ledgers (all, or those named) with every problem found.
    With `use_cache`, a ledger whose content was read before is not parsed again (cache.py)."""
    repo, paths, state = open_repo(root, codes, use_cache=use_cache)
    for path in paths:
        ledger, problems = _read_ledger(root, path, repo.settings, state)
        repo.files += 1
        repo.problems.extend(problems)
        if ledger is not None:
            repo.ledgers.append(ledger)
    return repo


def open_repo(root: Path, codes: Iterable[str] | None = None, *,
              use_cache: bool = True) -> tuple[Repo, list[Path], Path | None]:
    """The repository's settings and calendars read, the ledger files to read, the cache folder."""
    settings, problems = load_settings(root, use_cache=use_cache)
    extra, calendar_problems, calendar_files = load_calendars(root, settings)
    repo = Repo(root=root, settings=settings, problems=list(problems) + calendar_problems, extra=extra,
                files=(1 if (root / SETTINGS_FILE).is_file() else 0) + calendar_files)
    paths = [ledger_path(root, code) for code in codes] if codes else ledger_files(root)
    return repo, paths, _cache_dir(root) if use_cache else None


def _read_ledger(root: Path, path: Path, settings: Settings, state: Path | None,
                 raw: bytes | None = None) -> tuple[Ledger | None, list[Problem]]:
    from taizhang.repo import cache

    raw = path.read_bytes() if raw is None else raw
    rel = _rel(root, path)
    key = cache.cache_key(raw, settings.year) if state is not None else ""
    hit = cache.load(state, rel, key) if state is not None else None
    if hit is not None:
        data, warnings = hit
        try:
            return Ledger.model_validate_json(data, context={"year": settings.year}), warnings
        except ValidationError:
            pass  # an entry that no longer validates (the models changed): read the file
    loaded = parse_ledger(raw, rel, settings)
    if state is not None and loaded.ledger is not None and not loaded.has_errors:
        cache.store(state, rel, key, loaded.doc.data, loaded.problems)
    return loaded.ledger, loaded.problems


def _item_places(loaded: LoadedLedger) -> dict[str, tuple[int, int]]:
    places = {"": loaded.doc.pos(("calendar",)) if "calendar" in loaded.doc.data else (1, 1)}
    for i, item in enumerate(loaded.ledger.items):
        places[item.id] = loaded.doc.pos(("items", i))
    return places


def check_files(root: Path, files: Iterable[Path]) -> Repo:
    """Check the named files (ledgers or taizhang.yaml) only."""
    settings, settings_problems = load_settings(root)
    extra, _, _ = load_calendars(root, settings)
    repo = Repo(root=root, settings=settings, extra=extra)
    for path in files:
        path = path if path.is_absolute() else (Path.cwd() / path)
        rel = _rel(root, path)
        if not path.is_file():
            raise input_error("file_missing", path=str(path))
        if path.resolve() == (root / SETTINGS_FILE).resolve():
            repo.problems.extend(settings_problems)
        elif path.resolve().parent == (root / CALENDAR_DIR).resolve() and path.suffix in (".yaml", ".yml"):
            repo.problems.extend(_read_calendar_file(path, rel, settings)[1])
        elif path.resolve().parent == (root / LEDGER_DIR).resolve():
            loaded = parse_ledger(path.read_bytes(), rel, settings)
            repo.problems.extend(loaded.problems)
            if loaded.ledger:
                repo.ledgers.append(loaded.ledger)
        else:
            raise input_error("file_not_ledger", path=str(path))
        repo.files += 1
    return repo





# --- writing --------------------------------------------------------------------------------

@dataclass
class Edit:
    """What an edit function returns: the new text, the data it must read back as, a result."""

    text: str
    expected: Any
    result: Any = None


EditFn = Callable[[LoadedLedger, Any], Edit]


def _checked_loaded(root: Path, path: Path, settings: Settings) -> LoadedLedger:
    """The ledger to edit, refusing one with errors. Its data come from the cache when the file
    is as last read (the nodes an edit needs are composed anyway; converting them is not)."""
    import json

    from taizhang.repo import cache
    from taizhang.yamltext.read import decode

    raw = path.read_bytes()
    rel = _rel(root, path)
    state = _cache_dir(root)
    key = cache.cache_key(raw, settings.year)
    hit = cache.load(state, rel, key) if state is not None else None
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


def _same_data(a: Any, b: Any) -> bool:
    """Equal as the models read them: a mapping key 2018 and "2018" are the same (JSON, and so
    the cache, keeps keys as text)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        b_by_text = {str(k): v for k, v in b.items()}
        return all(str(k) in b_by_text and _same_data(v, b_by_text[str(k)]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def edit_ledgers(root: Path, settings: Settings, plans: dict[str, Callable[[LoadedLedger], list[Edit] | Edit]]) -> dict[str, Any]:
    """Apply edits to several ledgers: lock them all (in order), compute and verify every new
    text, and only then write. An error anywhere leaves every file as it was."""
    paths = {code: ledger_path(root, code) for code in plans}
    results: dict[str, Any] = {}
    writes: list[tuple[Path, bytes]] = []
    with _locks(root, sorted(plans)):
        for code in sorted(plans):
            loaded = _checked_loaded(root, paths[code], settings)
            _refuse_lone_cr(loaded)
            edit, new_loaded = _edited(plans[code], loaded, settings)
            if new_loaded.has_errors:
                # Wrong input is reported as input (`taizhang: items[4].title …`), not at lines
                # of a text that was never written.
                _refuse_invalid_data(edit.expected, settings, loaded.path)
                raise TaizhangError([p for p in new_loaded.problems if p.is_error])
            if not _same_data(new_loaded.doc.data, edit.expected):
                raise TaizhangError(Problem(loaded.path, 0, 0, "internal_edit", {"path": loaded.path}))
            writes.append((paths[code], encode(edit.text, loaded.doc.bom), new_loaded))
            results[code] = edit.result
        for path, data, new_loaded in writes:
            atomic_write(root, path, data)
            _remember(root, data, new_loaded, settings)
    return results


def _edited(plan: Callable[[LoadedLedger], Edit], loaded: LoadedLedger, settings: Settings
            ) -> tuple[Edit, LoadedLedger]:
    """The edit and its new text read back: made with windows first, and made again on the
    nodes of the whole text if the windows misled it (it failed, or does not read back)."""
    _Windows.allowed, _Windows.used, _Windows.redone = True, False, False
    try:
        edit = plan(loaded)
    except Exception:  # noqa: BLE001 - a windowed attempt that failed in any way is made again
        # (import's chain raises its own read-back errors; a wrong input fails again below)
        if not _Windows.used:
            raise
        edit = None
    finally:
        _Windows.allowed = False
    if edit is not None:
        new_loaded = parse_ledger(encode(edit.text, loaded.doc.bom), loaded.path, settings)
        if not _Windows.used or (not new_loaded.has_errors and _same_data(new_loaded.doc.data, edit.expected)):
            return edit, new_loaded
    _Windows.redone = True
    edit = plan(loaded)
    return edit, parse_ledger(encode(edit.text, loaded.doc.bom), loaded.path, settings)


def _remember(root: Path, raw: bytes, loaded: LoadedLedger, settings: Settings) -> None:
    """Cache what a write just verified, so the next command need not parse the file again."""
    from taizhang.repo import cache

    state = _cache_dir(root)
    if state is not None:
        cache.store(state, loaded.path, cache.cache_key(raw, settings.year), loaded.doc.data, loaded.problems)


def _refuse_invalid_data(data: Any, settings: Settings, rel_path: str) -> None:
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


class _locks:
    def __init__(self, root: Path, names: list[str]):
        self.managers = [locked(root, name) for name in names]

    def __enter__(self):
        entered = []
        try:
            for manager in self.managers:
                manager.__enter__()
                entered.append(manager)
        except BaseException:
            for manager in reversed(entered):
                manager.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for manager in reversed(self.managers):
            manager.__exit__(*exc)
        return False


def _root_node(text: str):
    return compose(text)


class _Windows:
    """Whether an item edit in progress may take its nodes from windows (windows.py), and
    whether it did: an edit made through windows that does not read back is made again."""

    allowed = False
    used = False
    redone = False  # the last edit was made again on the whole text
    ids: list[str] | None = None  # the items' ids in the text being edited (None: no windows)


def _windowed(apply: Callable[[LoadedLedger], Edit]) -> Callable[[LoadedLedger], Edit]:
    """An item edit that may find its nodes through windows, checked against the ids of the
    ledger it is given (an edit chained after another is given that one's result)."""

    def run(loaded: LoadedLedger) -> Edit:
        saved = _Windows.ids
        items = loaded.doc.data.get("items") if isinstance(loaded.doc.data, dict) else None
        _Windows.ids = [item.get("id") for item in items if isinstance(item, dict)] if isinstance(items, list) else None
        try:
            return apply(loaded)
        finally:
            _Windows.ids = saved

    return run


def _item_root(text: str):
    """The root node for an edit of items: composed window by window where it can be."""
    if _Windows.allowed and _Windows.ids is not None:
        from taizhang.yamltext.windows import windowed_root

        root = windowed_root(text, _Windows.ids)
        if root is not None:
            _Windows.used = True
            return root
    return compose(text)


def _items_node(root_node):
    pair = splice.mapping_get(root_node, "items")
    return pair[1] if pair else None


def _item_index(loaded: LoadedLedger, item_id: str) -> int:
    for i, item in enumerate(loaded.doc.data.get("items") or []):
        if isinstance(item, dict) and item.get("id") == item_id:
            return i
    raise input_error("unknown_item", id=item_id)


def _yaml_value(value: Any) -> Any:
    """A value as it reads back from the text `splice.scalar` writes for it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _yaml_value(v) for k, v in value.items()}
    return value


def _layout(loaded: LoadedLedger) -> tuple[int, int]:
    """(dash column of the items list, key column inside an item), as this file lays them out."""
    root_node = _item_root(loaded.doc.text)
    seq = _items_node(root_node)
    if seq is not None and seq.id == "sequence" and seq.value and not getattr(seq, "flow_style", False):
        first = seq.value[0]
        return seq.start_mark.column, first.start_mark.column
    return 2, 4


def _emit_value(value: Any) -> str:
    if isinstance(value, list):
        return splice.flow(value)
    return splice.scalar(value)


def _with_comment(text: str, node_of: Callable[[Any], Any], comment: str | None, *, item: bool) -> str:
    if not comment:
        return text
    return splice.set_line_comment(text, node_of(_item_root(text) if item else _root_node(text)), comment)


def add_item_edit(fields: dict[str, Any], comments: dict[str, str] | None = None) -> Callable[[LoadedLedger], Edit]:
    """An edit that appends an item with the next free id; `fields` hold everything but `id`."""
    comments = comments or {}

    def apply(loaded: LoadedLedger) -> Edit:
        ledger = loaded.ledger
        ids = {item.id for item in ledger.items}
        for ref in fields.get("after") or []:
            if ref not in ids:
                raise input_error("after_missing", ref=ref)
        numbers = [int(i.rsplit("-", 1)[1]) for i in ids]
        new_id = f"{ledger.code}-{max(numbers, default=0) + 1}"
        entry = {"id": new_id, **{k: v for k, v in fields.items() if v not in (None, [], "")}}
        entry = {k: entry[k] for k in ITEM_KEY_ORDER if k in entry}
        text, newline = loaded.doc.text, loaded.doc.newline
        root_node = _item_root(text)
        dash_col, key_col = _layout(loaded)
        pairs = [(k, _emit_value(v)) for k, v in entry.items()]
        seq = _items_node(root_node)
        block_seq = seq is not None and seq.id == "sequence" and not getattr(seq, "flow_style", False)
        if seq is not None and seq.id == "sequence" and seq.value and not block_seq:
            text = splice.append_flow_entry(text, seq, splice.flow(entry))
        else:
            lines = [" " * dash_col + "-" + " " * (key_col - dash_col - 1) + f"{pairs[0][0]}: {pairs[0][1]}"]
            lines += [" " * key_col + f"{k}: {v}" for k, v in pairs[1:]]
            if block_seq:
                if _items_spaced(text, seq):
                    lines = [""] + lines  # the file separates items by a blank line: so does this one
                text = splice.append_block_entry(text, seq, lines, newline)
            else:
                # No list yet (`items:` absent, empty, `~` or `[]`): start a block list,
                # keeping the `items:` line and any comment on it.
                block = [line[dash_col:] for line in lines]
                if getattr(root_node, "flow_style", False):
                    # A ledger written as one `{...}`: the list goes in, in flow style too.
                    if seq is not None:
                        text = splice.remove_key(text, root_node, "items")
                    text = splice.insert_key(text, _root_node(text), "items", splice.flow([entry]), newline)
                elif seq is None:
                    text = splice.insert_key(text, root_node, "items", block, newline, child_indent=dash_col)
                else:
                    text = splice.start_block_list(text, root_node, "items", lines, newline)
        index = len(ledger.items)
        if _Windows.ids is not None:
            _Windows.ids = [*_Windows.ids, new_id]  # the text now holds the new item too
        for key, comment in comments.items():
            if key in entry:
                text = _with_comment(text, lambda n: _item_node(n, index, key), comment, item=True)
        expected = dict(loaded.doc.data)
        expected["items"] = list(expected.get("items") or []) + [_yaml_value(entry)]
        return Edit(text, expected, new_id)

    return _windowed(apply)


def _items_spaced(text: str, seq) -> bool:
    """Whether the last two items of a block list stand apart with a blank line between them."""
    if len(seq.value) < 2:
        return False
    gap = text[splice._last_end(seq.value[-2], text):seq.value[-1].start_mark.index]
    return "\n\n" in gap.replace("\r", "").replace(" ", "")


def _item_node(root_node, index: int, key: str | None = None):
    node = _items_node(root_node).value[index]
    if key is None:
        return node
    return splice.mapping_get(node, key)[1]


def _insert_item_key(text: str, index: int, key: str, value: Any, newline: str,
                     block: list[str] | None = None, root_node=None) -> str:
    """Add `key` to item `index`, before the first key that comes after it in the usual order.
    `root_node` may be the nodes of an earlier text that differs only *after* this item."""
    item_node = _item_node(root_node if root_node is not None else _item_root(text), index)
    if getattr(item_node, "flow_style", False):
        return splice.insert_key(text, item_node, key, splice.flow(value), newline)
    return _insert_ordered(text, item_node, key, block if block is not None else _emit_value(value),
                           newline, ITEM_KEY_ORDER)


def _insert_ordered(text: str, map_node, key: str, lines: list[str] | str, newline: str,
                    order: tuple[str, ...]) -> str:
    later = set(order[order.index(key) + 1:])
    following = [k.value for k, _ in map_node.value if k.value in later]
    return splice.insert_key(text, map_node, key, lines, newline,
                             before_key=following[0] if following else None)


def close_edit(item_ids: list[str], closed: dict[str, Any]) -> Callable[[LoadedLedger], Edit]:
    """销号: add `closed:` to each item (refusing an item that is closed already)."""

    def apply(loaded: LoadedLedger) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        done = []
        targets = []
        for item_id in item_ids:
            index = _item_index(loaded, item_id)
            item = loaded.ledger.items[index]
            if item.closed is not None:
                raise input_error("already_closed", id=item_id, date=item.closed.date.isoformat())
            targets.append(index)
            done.append((item_id, item.title))
        value = {k: v for k, v in closed.items() if v not in (None, "")}
        block = [f"{k}: {splice.scalar(v)}" for k, v in value.items()]
        # From the last item up: an insertion moves only the text below it, so the nodes of the
        # file as read stay right for every item still to do (one parse for any number of ids).
        root_node = _item_root(text)
        for index in sorted(set(targets), reverse=True):
            text = _insert_item_key(text, index, "closed", value, newline, block=block, root_node=root_node)
            expected["items"][index]["closed"] = _yaml_value(value)
        return Edit(text, expected, done)

    return _windowed(apply)


def _copy_items(data: dict) -> dict:
    copy = dict(data)
    copy["items"] = [dict(item) for item in data.get("items") or []]
    return copy


def note_edit(item_id: str, note: dict[str, Any]) -> Callable[[LoadedLedger], Edit]:
    """Append a progress report to an item's notes (flow style, one line, like its neighbours)."""

    def apply(loaded: LoadedLedger) -> Edit:
        index = _item_index(loaded, item_id)
        text = _append_note(loaded.doc.text, index, note, loaded.doc.newline)
        expected = _copy_items(loaded.doc.data)
        written = {k: v for k, v in note.items() if v not in (None, "")}  # as _append_note writes it
        expected["items"][index]["notes"] = list(expected["items"][index].get("notes") or []) + [_yaml_value(written)]
        return Edit(text, expected, (item_id, loaded.ledger.items[index].title))

    return _windowed(apply)


def _append_note(text: str, index: int, note: dict[str, Any], newline: str) -> str:
    note = {k: v for k, v in note.items() if v not in (None, "")}
    root_node = _item_root(text)
    item_node = _item_node(root_node, index)
    pair = splice.mapping_get(item_node, "notes")
    entry = splice.flow(note)
    if pair is None:
        return _insert_item_key(text, index, "notes", [note], newline, block=["- " + entry])
    key_node, seq = pair
    if seq.id == "scalar":  # `notes:` left empty
        text = splice.remove_key(text, item_node, "notes")
        return _insert_item_key(text, index, "notes", [note], newline, block=["- " + entry])
    if getattr(seq, "flow_style", False):
        return splice.append_flow_entry(text, seq, entry)
    last = seq.value[-1]
    if last.id == "mapping" and not getattr(last, "flow_style", False):
        # Block-style notes: write the new one the way the last one is written.
        dash = seq.start_mark.column
        key_col = last.start_mark.column
        pairs = list(note.items())
        lines = [" " * dash + "-" + " " * (key_col - dash - 1) + f"{pairs[0][0]}: {splice.scalar(pairs[0][1])}"]
        lines += [" " * key_col + f"{k}: {splice.scalar(v)}" for k, v in pairs[1:]]
        return splice.append_block_entry(text, seq, lines, newline)
    return splice.append_block_entry(text, seq, [" " * seq.start_mark.column + "- " + entry], newline)


def reopen_edit(item_id: str, note: dict[str, Any], reason_args: Callable[[Any], dict]) -> Callable[[LoadedLedger], Edit]:
    """Undo a 销号: remove `closed:` and keep why (and whose close it was) as a note."""

    def apply(loaded: LoadedLedger) -> Edit:
        index = _item_index(loaded, item_id)
        item = loaded.ledger.items[index]
        if item.closed is None:
            raise input_error("not_closed", id=item_id)
        text = loaded.doc.text
        item_node = _item_node(_item_root(text), index)
        text = splice.remove_key(text, item_node, "closed")
        full_note = dict(note)
        full_note["text"] = reason_args(item.closed)
        text = _append_note(text, index, full_note, loaded.doc.newline)
        expected = _copy_items(loaded.doc.data)
        entry = dict(expected["items"][index])
        del entry["closed"]
        entry["notes"] = list(entry.get("notes") or []) + [_yaml_value({k: v for k, v in full_note.items() if v not in (None, "")})]
        expected["items"][index] = entry
        return Edit(text, expected, (item_id, item.title))

    return _windowed(apply)


def set_edit(target: str, changes: list[tuple[str, Any, str | None]]) -> Callable[[LoadedLedger], Edit]:
    """Change fields of an item (target = its id) or of the project (target = its code).
    `changes` are (field, value or None to remove, comment keeping the clerk's wording)."""
    return set_many_edit({target: changes})


def set_many_edit(changes_by_target: dict[str, list[tuple[str, Any, str | None]]]) -> Callable[[LoadedLedger], Edit]:
    """`set_edit` for several items (and/or the project) of one ledger in one write."""

    def apply(loaded: LoadedLedger) -> Edit:
        text = loaded.doc.text
        expected = _copy_items(loaded.doc.data)
        for target, changes in changes_by_target.items():
            text = _set_fields(loaded, text, expected, target, changes)
        return Edit(text, expected, list(changes_by_target))

    return _windowed(apply)


def _set_fields(loaded: LoadedLedger, text: str, expected: dict, target: str,
                changes: list[tuple[str, Any, str | None]]) -> str:
    is_item = "-" in target
    index = _item_index(loaded, target) if is_item else None
    newline = loaded.doc.newline
    holder = dict(expected["items"][index]) if is_item else expected
    for name, value, comment in changes:
        root_node = _item_root(text) if is_item else _root_node(text)
        map_node = _item_node(root_node, index) if is_item else root_node
        pair = splice.mapping_get(map_node, name)
        if value is None:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
                holder.pop(name, None)
            continue
        # Inside `{...}` a value must be written for flow context (`,` `[` `{` quoted).
        emitted = splice.flow(value) if getattr(map_node, "flow_style", False) else _emit_value(value)
        if pair is not None and (pair[1].id == "scalar" or getattr(pair[1], "flow_style", False)):
            if name in DATE_FIELDS and pair[1].id == "scalar":
                text = _drop_stale_wording(text, pair[1], loaded)
                pair = splice.mapping_get(_item_node(_item_root(text), index) if is_item else _root_node(text), name)
            text = splice.replace_scalar(text, pair[1], emitted)
        elif pair is not None and not getattr(map_node, "flow_style", False):
            # A block list or mapping as the value: the key keeps its place, the value its line.
            text = splice.replace_block_value(text, pair[0], pair[1], emitted, newline)
        else:
            if pair is not None:
                text = splice.remove_key(text, map_node, name)
            text = (_insert_item_key(text, index, name, value, newline) if is_item
                    else _insert_project_key(text, name, emitted, newline))
        if comment:
            text = _with_comment(
                text, lambda n: splice.mapping_get(_item_node(n, index) if is_item else n, name)[1], comment,
                item=is_item)
        holder[name] = _yaml_value(value)
    if is_item:
        expected["items"][index] = holder
    return text


def invest_edit(month: str, amount: Any, wording: str) -> Callable[[LoadedLedger], Edit]:
    """Record completed investment for a month (replacing that month's figure if there is one),
    written as the clerk typed it (`1.2亿`), a bare number as a number."""
    value: Any = wording
    if re.fullmatch(r"[0-9]+", wording):
        value = int(wording)
    elif re.fullmatch(r"[0-9]+\.[0-9]+", wording):
        value = float(wording)

    def apply(loaded: LoadedLedger) -> Edit:
        text, newline = loaded.doc.text, loaded.doc.newline
        expected = _copy_items(loaded.doc.data)
        invest = dict(expected.get("investment") or {})
        completed = dict(invest.get("completed") or {})
        completed = {k: v for k, v in completed.items() if str(k) != month}
        completed[month] = value
        invest["completed"] = completed
        expected["investment"] = invest
        root_node = _root_node(text)
        pair = splice.mapping_get(root_node, "investment")
        entry = {month: value}
        if pair is None or pair[1].id == "scalar":
            if pair is not None:
                text = splice.remove_key(text, root_node, "investment")
            text = _insert_ordered(text, _root_node(text), "investment", ["completed: " + splice.flow(entry)],
                                   newline, PROJECT_KEY_ORDER)
            return Edit(text, expected, month)
        invest_node = pair[1]
        done_pair = splice.mapping_get(invest_node, "completed")
        if done_pair is None or done_pair[1].id == "scalar":
            if done_pair is not None:
                text = splice.remove_key(text, invest_node, "completed")
                invest_node = splice.mapping_get(_root_node(text), "investment")[1]
            text = splice.insert_key(text, invest_node, "completed",
                                     splice.flow(entry) if not getattr(invest_node, "flow_style", False)
                                     else splice.flow(entry), newline)
            return Edit(text, expected, month)
        months_node = done_pair[1]
        existing = splice.mapping_get(months_node, month)
        flow = getattr(months_node, "flow_style", False)
        emitted = splice.flow(value) if flow else splice.scalar(value)
        if existing is not None:
            text = splice.replace_scalar(text, existing[1], emitted)
        elif flow:
            text = splice.insert_key(text, months_node, month, emitted, newline)
        else:
            text = splice.insert_key(text, months_node, month, emitted, newline)
        return Edit(text, expected, month)

    return apply


def _drop_stale_wording(text: str, value_node, loaded: LoadedLedger) -> str:
    """A date's line comment that is the wording of the old date (`due: 2018-07-20  # 7月中旬`)
    would contradict a new date: it goes. Any other comment stays."""
    from taizhang.domain.dates import DateError, parse_date

    comment = splice.line_comment(text, value_node)
    if not comment:
        return text
    try:
        old = parse_date(value_node.value, year=None, relative=False)
        said = parse_date(comment, year=old.year, relative=False)
    except (DateError, TypeError):
        return text
    return splice.remove_line_comment(text, value_node) if said == old else text


def _insert_project_key(text: str, key: str, emitted: str, newline: str) -> str:
    # Top-level keys go above `items:` (and the comments that introduce it), never after the list.
    return _insert_ordered(text, _root_node(text), key, emitted, newline, PROJECT_KEY_ORDER)


# --- creating -------------------------------------------------------------------------------

SETTINGS_TEMPLATE = """\
# taizhang 台账仓库设置（均可省略）
# title: 经开区2018年重点项目"双十工程"   # 印在报表上
# year: 2018                              # 不带年份的日期短语（如 4月底）所用的年份
# warn_days: 7                            # 距时间节点几天内亮黄灯
# calendar: natural                       # natural | workdays | weekdays
"""


def init_repo(path: Path) -> list[tuple[str, bool]]:
    """Create an empty repository; existing files are left alone. Returns (file, created)."""
    path.mkdir(parents=True, exist_ok=True)
    created = []
    settings = path / SETTINGS_FILE
    if settings.exists():
        created.append((SETTINGS_FILE, False))
    else:
        settings.write_text(SETTINGS_TEMPLATE, encoding="utf-8", newline="\n")
        created.append((SETTINGS_FILE, True))
    ledgers = path / LEDGER_DIR
    created.append((LEDGER_DIR + "/", not ledgers.exists()))
    ledgers.mkdir(exist_ok=True)
    schema = path / SCHEMA_FILE
    created.append((SCHEMA_FILE, not schema.exists()))
    if not schema.exists():
        write_schema(path)
    state_dir(path)
    return created


def schema_text() -> str:
    import json

    return json.dumps(ledger_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(root: Path) -> Path:
    path = root / SCHEMA_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    data = schema_text().encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return path
    atomic_write(root, path, data)
    return path


def new_ledger(root: Path, settings: Settings, code: str, fields: dict[str, Any],
               comments: dict[str, str] | None = None) -> Path:
    """Create `ledgers/<code>.yaml` with the schema line and the project's fields."""
    if not re.match(CODE_PATTERN, code or ""):
        raise input_error("bad_code", code=code)
    folder = root / LEDGER_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{code}.yaml"
    comments = comments or {}
    lines = [SCHEMA_LINE, f"code: {code}"]
    for key in PROJECT_KEY_ORDER[1:]:
        if fields.get(key) not in (None, ""):
            line = f"{key}: {_emit_value(fields[key])}"
            if comments.get(key):
                line += f"  # {comments[key]}"
            lines.append(line)
    text = "\n".join(lines) + "\n"
    _refuse_invalid_data({"code": code, **{k: _yaml_value(v) for k, v in fields.items() if v not in (None, "")}},
                         settings, f"{LEDGER_DIR}/{code}.yaml")
    with locked(root, code):
        if path.exists():
            raise input_error("project_exists", code=code, path=_rel(root, path))
        loaded = parse_ledger(text.encode("utf-8"), _rel(root, path), settings)
        if loaded.has_errors:
            raise TaizhangError([p for p in loaded.problems if p.is_error])
        atomic_write(root, path, text.encode("utf-8"))
    return path
