"""Reading a repository through its cache (repo/cache.py): settings, calendars and every ledger
into models and problems. Reading never raises for the user's data: problems are collected with
their positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from taizhang.domain.calendars import NO_EXTRA, YearDays, year_days
from taizhang.domain.ids import is_code, is_item_id
from taizhang.domain.lights import Finding
from taizhang.domain.models import Ledger, Settings, allowed_keys
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.repo.cache import Cache
from taizhang.repo.layout import (
    CALENDAR_DIR,
    LEDGER_DIR,
    NOTICES_FILE,
    SETTINGS_FILE,
    calendar_listing,
    file_problem,
    ledger_listing,
    ledger_path,
    settings_file,
)
from taizhang.repo.layout import rel_path as _rel
from taizhang.repo.places import ItemSpots
from taizhang.yamltext.read import Document, read_document

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

    @property
    def valid(self) -> Ledger:
        """The model of a ledger that read without errors (what an edit is given)."""
        if self.ledger is None:
            raise TaizhangError([p for p in self.problems if p.is_error]
                                or Problem(self.path, 1, 1, "internal_edit", {"path": self.path}))
        return self.ledger


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
    spots: ItemSpots | None = field(default=None, repr=False)

    def place(self, code: str, item_id: str | None) -> tuple[str, int, int]:
        rel = f"{LEDGER_DIR}/{code}.yaml"
        if item_id and code not in self.places:
            # An item's line from the bytes where they vouch for it; the ledger is composed
            # again only where they cannot (a findings-heavy `check` composed every ledger).
            self.spots = self.spots or ItemSpots(self.root)
            spot = self.spots.spot(code, item_id)
            if spot is not None:
                return spot
        if code not in self.places:
            try:
                loaded = parse_ledger((self.root / rel).read_bytes(), rel, self.settings)
                self.places[code] = (rel, _item_places(loaded) if loaded.ledger is not None else {})
            except OSError:
                self.places[code] = (rel, {})
        path, items = self.places[code]
        return (path, *items.get(item_id or "", (1, 1)))

    def placed(self, findings: Iterable[Finding]) -> list[Problem]:
        """Findings about ledgers and items as problems at their lines."""
        return [Problem(*self.place(f.code, f.item), f.key, f.args, f.severity) for f in findings]  # type: ignore[arg-type]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_settings(cache: Cache) -> tuple[Settings, list[Problem]]:
    """`taizhang.yaml` read into the settings (the defaults where there is none), with its problems."""
    path, problems = settings_file(cache.root)
    if path is None:
        return Settings(), problems
    raw = path.read_bytes()
    hit = cache.load(SETTINGS_FILE, raw)
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
    cache.store(SETTINGS_FILE, raw, None, data, [])
    return settings, []


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
    if not is_code(stem):
        problems.append(Problem(rel_path, 1, 1, "file_name_invalid", {"stem": stem}))
    code = data.get("code")
    if isinstance(code, str) and code != stem and is_code(code):
        problems.append(Problem(rel_path, *doc.pos(("code",)), "code_not_stem",
                                {"code": code, "stem": stem}))
    items = data.get("items")
    if not isinstance(items, list):
        return problems
    seen: dict[str, int] = {}  # id → index of its first item
    own = f"{code}-" if isinstance(code, str) and is_code(code) else None
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
        if own and not item_id.startswith(own) and is_item_id(item_id):
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
    named = {ref for item in ledger.items for ref in item.after}  # (once: not a scan per item)
    for i, item in enumerate(ledger.items):
        for j, ref in enumerate(item.after):
            loc = ("items", i, "after", j) if isinstance(items[i].get("after"), list) else ("items", i, "after")
            if ref == item.id:
                problems.append(Problem(rel_path, *doc.pos(loc), "after_self", {"id": item.id}))
            elif ref not in ids:
                problems.append(Problem(rel_path, *doc.pos(loc), "after_missing", {"ref": ref}))
        if item.due is None and item.term is None and item.closed is None and ledger.deadline is None \
                and item.id not in named:
            problems.append(Problem(rel_path, *doc.pos(("items", i)), "no_time_node",
                                    {"id": item.id}, "warning"))
        if item.due and ledger.deadline and item.due > ledger.deadline:
            problems.append(Problem(rel_path, *doc.pos(("items", i, "due")), "due_after_deadline",
                                    {"id": item.id, "due": item.due.isoformat(),
                                     "deadline": ledger.deadline.isoformat()}, "warning"))
    return problems


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
                "allowed": ", ".join(allowed_keys(model, _names(loc[:-1])))}))
            continue
        name = _field_name(loc)
        args: dict[str, Any] = {"field": name, "input": _short(err.get("input"))}
        if kind == "extra_forbidden":
            line, col = doc.pos(loc, key=True)
            key = "extra_forbidden"
            args["field"] = str(loc[-1])
            args["allowed"] = ", ".join(allowed_keys(model, _names(loc[:-1])))
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
    names = _names(loc)
    return names[-1] if names else ""


def _names(loc: tuple) -> list[str]:
    return [p for p in loc if isinstance(p, str)]


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


def load_calendars(cache: Cache, settings: Settings) -> tuple[YearDays, list[Problem], int]:
    """The repository's `calendars/*.yaml`: extra days off and working days, declared years."""
    paths, problems = calendar_listing(cache.root)
    if not paths:
        return NO_EXTRA, problems, 0
    off, on, years, files = set(), set(), set(), 0
    for path in paths:
        files += 1
        spec, found = _read_calendar_file(cache, path, _rel(cache.root, path), settings)
        if spec is None:
            problems.extend(found)
            continue
        off.update(spec.days_off)
        on.update(spec.work_days)
        if spec.year is not None:
            years.add(spec.year)
    return year_days(off, on, years), problems, files


def _read_calendar_file(cache: Cache, path: Path, rel: str, settings: Settings):
    """(the CalendarFile, or None, and its problems)."""
    from taizhang.domain.models import CalendarFile

    raw = path.read_bytes()
    hit = cache.load(rel, raw, settings.year)
    if hit is not None:
        try:
            return CalendarFile.model_validate_json(hit[0], context={"year": settings.year}), []
        except ValidationError:
            pass  # an entry that no longer validates (the models changed): read the file
    doc = read_document(raw, rel)
    if doc.problems:
        return None, doc.problems
    data = doc.data or {}
    try:
        spec = CalendarFile.model_validate(data, context={"year": settings.year})
    except ValidationError as e:
        return None, validation_problems(e, doc, CalendarFile)
    cache.store(rel, raw, settings.year, data, [])
    return spec, []


def load_repo(cache: Cache, codes: Iterable[str] | None = None) -> Repo:
    """Read the settings, calendars and ledgers (all, or those named) with every problem found,
    through the cache: a file whose content was read before is not parsed again (cache.py)."""
    repo, paths = open_repo(cache, codes)
    for path in paths:
        ledger, problems = read_ledger(cache, path, repo.settings)
        repo.files += 1
        repo.problems.extend(problems)
        if ledger is not None:
            repo.ledgers.append(ledger)
    return repo


def open_repo(cache: Cache, codes: Iterable[str] | None = None) -> tuple[Repo, list[Path]]:
    """The repository's settings and calendars read, and the ledger files to read."""
    root = cache.root
    settings, problems = load_settings(cache)
    extra, calendar_problems, calendar_files = load_calendars(cache, settings)
    repo = Repo(root=root, settings=settings, problems=list(problems) + calendar_problems, extra=extra,
                files=(1 if (root / SETTINGS_FILE).is_file() else 0) + calendar_files)
    if codes:
        paths = [ledger_path(root, code) for code in codes]
    else:
        paths, listing_problems = ledger_listing(root)
        repo.problems.extend(listing_problems)
    return repo, paths


def read_ledger(cache: Cache, path: Path, settings: Settings, raw: bytes | None = None,
                store: bool = True) -> tuple[Ledger | None, list[Problem]]:
    """One ledger (`raw`: its bytes, when the caller has them) into a model, or None, and its
    problems. `store` False: a reader that keeps its own entry (views.py) writes no read entry."""
    raw = path.read_bytes() if raw is None else raw
    rel = _rel(cache.root, path)
    hit = cache.load(rel, raw, settings.year)
    if hit is not None:
        data, warnings = hit
        try:
            return Ledger.model_validate_json(data, context={"year": settings.year}), warnings
        except ValidationError:
            pass  # an entry that no longer validates (the models changed): read the file
    loaded = parse_ledger(raw, rel, settings)
    if store and loaded.ledger is not None and not loaded.has_errors:
        cache.store(rel, raw, settings.year, loaded.doc.data, loaded.problems)
    return loaded.ledger, loaded.problems


def _item_places(loaded: LoadedLedger) -> dict[str, tuple[int, int]]:
    places = {"": loaded.doc.pos(("calendar",)) if "calendar" in loaded.doc.data else (1, 1)}
    for i, item in enumerate(loaded.valid.items):
        places[item.id] = loaded.doc.pos(("items", i))
    return places


def check_files(cache: Cache, files: Iterable[Path]) -> Repo:
    """Check the named files (ledgers, calendars, taizhang.yaml or notices.yaml) only."""
    root = cache.root
    settings, settings_problems = load_settings(cache)
    extra, _, _ = load_calendars(cache, settings)
    repo = Repo(root=root, settings=settings, extra=extra)
    for path in files:
        path = path if path.is_absolute() else (Path.cwd() / path)
        rel = _rel(root, path)
        kind_problem = file_problem(root, path)
        if kind_problem is not None:
            repo.problems.append(kind_problem)
            repo.files += 1
            continue
        if not path.is_file():
            raise input_error("file_missing", path=str(path))
        if path.resolve() == (root / SETTINGS_FILE).resolve():
            repo.problems.extend(settings_problems)
        elif path.resolve().parent == (root / CALENDAR_DIR).resolve() and path.suffix in (".yaml", ".yml"):
            repo.problems.extend(_read_calendar_file(cache, path, rel, settings)[1])
        elif path.resolve() == (root / NOTICES_FILE).resolve():
            from taizhang.repo.notices import examine

            repo.problems.extend(examine(root, settings.year).problems)
        elif path.resolve().parent == (root / LEDGER_DIR).resolve():
            loaded = parse_ledger(path.read_bytes(), rel, settings)
            repo.problems.extend(loaded.problems)
            if loaded.ledger:
                repo.ledgers.append(loaded.ledger)
        else:
            raise input_error("file_not_ledger", path=str(path))
        repo.files += 1
    return repo
