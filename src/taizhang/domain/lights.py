"""Lights (亮灯) of items and projects on an as-of day; filters and grouping. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import chain
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Final,
    Iterable,
    Iterator,
    Literal,
    Mapping,
    Protocol,
    Sequence,
    get_args,
)

import msgspec

from taizhang.domain.calendars import NO_EXTRA, CalendarError, YearDays, make_calendar
from taizhang.domain.durations import Duration, unit_of
from taizhang.domain.ids import item_number
from taizhang.domain.invest import InvestFigures, invest_figures
from taizhang.domain.quantities import Progress, progress, quantity_light
from taizhang.domain.schedule import CycleError, Planned, Schedule, plan, planned_finishes, time_node
from taizhang.domain.terms import Term
from taizhang.domain.units import roles_of, units_of

if TYPE_CHECKING:  # a warm `status` lights nothing itself and so loads no pydantic
    from taizhang.domain.models import Item, Ledger, Settings

# In the order tables show them (a column per light, a legend): the bad news first.
Light = Literal["red", "yellow", "green", "none", "done"]
ALL_LIGHTS: Final[tuple[Light, ...]] = get_args(Light)
OPEN_LIGHTS: Final[tuple[Light, ...]] = tuple(light for light in ALL_LIGHTS if light != "done")
# Worst first, the order projects and groups are listed in: an item without a time node is
# worse news than one on time. (A project's own light is the first of OPEN_LIGHTS among its open
# items, so one with green and unnoded items is green, yet listed before the all-green ones.)
WORST_FIRST: Final[tuple[Light, ...]] = ("red", "yellow", "none", "green", "done")
SEVERITY: Final[dict[Light, int]] = {light: rank for rank, light in enumerate(WORST_FIRST)}
# What needs attention: what the overview lists beneath each project, what `remind` notices.
ATTENTION: Final[tuple[Light, ...]] = ("red", "yellow")
# How items are regrouped for supervision (`status --by`, `remind`): by their unit or owner.
GroupBy = Literal["unit", "owner", "leader"]
GROUPINGS: Final[tuple[GroupBy, ...]] = get_args(GroupBy)
# Reports of so many days before the as-of day travel with an item's view: enough for any
# briefing period (a day, a week or a month, ending on the as-of day; reports.period_of).
RECENT_DAYS = 40


def item_light(item: Item, node: date | None, as_of: date, warn_days: int, *,
               infeasible: bool = False, start: date | None = None,
               stale_days: int | None = None) -> Light:
    """The light of one item on day `as_of`, given its time node (explicit or computed), whether
    its schedule is infeasible, and its computed start (SPEC §5)."""
    return light_reason(item, node, as_of, warn_days, infeasible=infeasible, start=start,
                        stale_days=stale_days)[0]


def light_reason(item: Item, node: date | None, as_of: date, warn_days: int, *,
                 infeasible: bool = False, start: date | None = None,
                 stale_days: int | None = None) -> tuple[Light, str]:
    """The light and the name of the rule that fired (for `why`). For an item whose `due` is a
    term (SPEC §7), `node` is its current occurrence (recurring) or None (ongoing), `start` the
    day its term counts from, and `stale_days` lights an ongoing duty yellow when unreported."""
    if item.closed is not None and item.closed.date <= as_of:
        return "done", "closed"
    term = getattr(item, "term", None)
    if term is not None:
        return _term_reason(item, term.ongoing, node, as_of, warn_days, start, stale_days)
    if node is None:
        return "none", "no_node"
    if node < as_of:
        return "red", "overdue"
    if infeasible:
        return "red", "infeasible"
    if (node - as_of).days <= warn_days:
        return "yellow", "due_soon"
    if start is not None and start < as_of and not _reported_since(item, start, as_of):
        return "yellow", "not_started"
    return "green", "on_time"


# Why an item is red while its time node has not passed (SPEC §5: its word is still 逾期, the
# light's word; what it is behind is said beside its title, as 久未汇报 is): its schedule is
# infeasible (negative slack), or its quantity lags its share of time (时间过半、任务过半).
Behind = Literal["infeasible", "lagging"]


def behind_of(light: str, timely: str, node: date | None, as_of: date) -> Behind | None:
    """What a red item not yet past its node is behind: `timely` is its light by time alone
    (before its quantity is weighed); None for any other item."""
    if light != "red" or node is None or node < as_of:
        return None
    return "infeasible" if timely == "red" else "lagging"


def _term_reason(item: Item, ongoing: bool, node: date | None, as_of: date, warn_days: int,
                 start: date | None, stale_days: int | None) -> tuple[Light, str]:
    # An ongoing duty is never late, only quiet; a recurring one is judged by its occurrence.
    if ongoing or node is None:
        last = max((n.date for n in item.notes if n.date <= as_of), default=None)
        if stale_days is not None and is_stale(last, start, as_of, stale_days):
            return "yellow", "ongoing_stale"
        return "green", "ongoing"
    if node < as_of:
        return "red", "occurrence_missed"
    if (node - as_of).days <= warn_days:
        return "yellow", "occurrence_soon"
    return "green", "occurrence_on_time"


def term_start(item: Item, settings: Settings, as_of: date) -> date:
    """The day a term counts from: the item's `from:`, else 1 January of the repository's `year`
    (of the as-of day's year when none is set)."""
    given = getattr(item, "from_", None)
    return given if given is not None else date(settings.year or as_of.year, 1, 1)


def item_node(item: Item, planned: Planned, as_of: date, settings: Settings) -> date | None:
    """An item's time node on `as_of`: its `due`, else the finish of 倒排工期; for a recurring
    term the earliest occurrence not yet met by a report, for an ongoing duty none (SPEC §7)."""
    term = getattr(item, "term", None)
    if term is None:
        return time_node(item, planned)
    if term.ongoing:
        return None
    occurrence: date = term.node((n.date for n in item.notes), term_start(item, settings, as_of), as_of)
    return occurrence


def quantity_lit(item: Item, light: Light, node: date | None, start: date | None, as_of: date,
                 settings: Settings) -> tuple[Light, Progress | None]:
    """An item with a `target` is lit like investment (时间过半、任务过半): yellow or red when
    its share done lags its share of time by more than `invest.yellow` / `invest.red` points. A
    quantity never makes an item better than its time node does. Returns (light, progress)."""
    done = progress(item.target, item.notes, as_of, node, start)
    if done is None or light not in ("green", "yellow"):
        return light, done
    lagging = quantity_light(done.lag, settings.invest.yellow, settings.invest.red)
    if lagging is not None and SEVERITY[lagging] < SEVERITY[light]:
        return lagging, done
    return light, done


def is_stale(last_report: date | None, start: date | None, as_of: date, stale_days: int) -> bool:
    """No report for longer than `stale_days`: counted from the latest report, or, for an item
    never reported on, from the day its work should have started."""
    since = last_report if last_report is not None else (start if start is not None and start <= as_of else None)
    return since is not None and (as_of - since).days > stale_days


def _reported_since(item: Item, start: date, as_of: date) -> bool:
    return any(start <= note.date <= as_of for note in item.notes)


class Report(Protocol):
    """A progress report: a `models.Note`, or a NoteView decoded from the cache."""

    @property
    def by(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def date(self) -> date: ...


class ItemView(msgspec.Struct, array_like=True, dict=True):
    """An item as a supervisor reads it on the as-of day. A struct (built once per item per
    command, 50,000 times for a city: cheaper than a dataclass) that the view cache keeps as it
    is (repo/views.py: a day's lit items, read back without conversion). `dict=True` only gives
    `roles` somewhere to be kept; the cache encodes the fields alone."""

    id: str
    project: str
    project_name: str
    title: str
    kind: str
    unit: str | None
    owner: str | None
    leader: str | None
    due: date | None
    light: Light
    days_left: int | None
    closed_on: date | None
    number: int
    last_note: NoteFacts | None = None  # the latest progress report, if any
    stale: bool = False  # open, and no report for longer than `stale_days`
    start: date | None = None  # computed by 倒排工期
    # What the briefings show besides: the item's measures, its close (when closed by the
    # as-of day) and its reports of the last RECENT_DAYS days, oldest first.
    measures: str | None = None
    closed_by: str | None = None
    close_note: str | None = None
    evidence: str | None = None
    recent_notes: tuple[NoteFacts, ...] = ()
    term: str | None = None  # a `due` that is not one date, as written (长期坚持, 每月25日前)
    pending: bool = False  # a 销号 applied for and not yet verified (待审核, §7)
    # 督办 (§7), from notices.yaml rather than the ledger: notices naming the item by the as-of
    # day, and whether one of them is unanswered past its reply-by day (督办超期).
    notices: int = 0
    overdue_notice: bool = False
    # Supervision (SPEC §7): every unit named, lead first; the node's moves, each
    # (date, by, from, to, reason), oldest first; quantity progress.
    units: list[str] = msgspec.field(default_factory=list)
    changes: list[tuple[str, str | None, str | None, str | None, str]] = msgspec.field(default_factory=list)
    quantity: str | None = None
    # For an item closed without a written `due`: its node as planned with it open (a close is
    # judged against the plan, not against the close it fixed itself at).
    planned_due: date | None = None
    behind: Behind | None = None  # red before its node: why (`behind_of`)

    @property
    def moved(self) -> bool:
        """已调整: its time node was moved (`set … --reason`)."""
        return bool(self.changes)

    @property
    def original_due(self) -> date | None:
        """The time node first written, before any move; else the node used."""
        return _day_of(self.changes[0][2]) if self.changes else self.due

    @property
    def judged_due(self) -> date | None:
        """The node a close is judged against (SPEC §7): the original node of a moved item, the
        planned node of a scheduled one, else the node used."""
        if self.changes:
            return self.original_due
        return self.planned_due if self.planned_due is not None else self.due

    @property
    def closed_late(self) -> bool:
        """逾期销号: closed after the node it is judged against."""
        judged = self.judged_due
        return self.closed_on is not None and judged is not None and self.closed_on > judged

    @cached_property
    def roles(self) -> dict[str, str]:
        """Every unit this item names, lead first, with its role (`units.roles_of`): worked out
        once, as an item naming n units is asked `role` under each of them."""
        return roles_of(list(self.units) or ([self.unit] if self.unit else []))

    def role(self, unit: str) -> str | None:
        """"lead" when `unit` leads this item (牵头), "assist" when it is named after (配合)."""
        return self.roles.get(unit)

    @cached_property
    def leader_roles(self) -> dict[str, str]:
        """Every leader this item names, as `roles` for units (SPEC §7: `--leader` and `--by
        leader` work like `--unit`): `张三、李四` is led by 张三, 李四 assists."""
        return roles_of(self.leader)

    def names(self, by: GroupBy) -> list[str]:
        """Whom this item answers to when grouped `by` unit, leader or owner: every unit and every
        leader it names (牵头 and 配合), its one owner."""
        if by == "unit":
            return list(self.roles)
        if by == "leader":
            return list(self.leader_roles)
        return [self.owner] if self.owner else []

    def role_in(self, by: GroupBy, name: str) -> str | None:
        """"lead" or "assist" of `name` in this item's units or leaders (None for an owner)."""
        return self.roles.get(name) if by == "unit" else self.leader_roles.get(name) if by == "leader" else None

    @property
    def sort_key(self) -> tuple[bool, date, str, int]:
        return (self.due is None, self.due or date.max, self.project, self.number)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "project": self.project, "title": self.title, "kind": self.kind,
            "unit": self.unit, "owner": self.owner,
            "due": self.due.isoformat() if self.due else None, "light": self.light,
            "days_left": self.days_left,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "units": list(self.units) or ([self.unit] if self.unit else []), "leader": self.leader,
            "stale": self.stale, "pending": self.pending, "moved": self.moved,
            "notices": self.notices, "overdue_notice": self.overdue_notice,
        }


def _day_of(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@dataclass
class Tally:
    """Counts per light and the worst open light of a set of items."""

    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in ALL_LIGHTS})

    def add(self, light: str) -> None:
        self.counts[light] += 1

    @property
    def open(self) -> int:
        return sum(self.counts[k] for k in OPEN_LIGHTS)

    @property
    def closed(self) -> int:
        return self.counts["done"]

    @property
    def light(self) -> Light:
        for light in OPEN_LIGHTS:
            if self.counts[light]:
                return light
        return "done" if self.counts["done"] else "none"


class ProjectView:
    """A project and its items as lit on the as-of day. Items come either as a list, or by
    light (each light's items in the project's order): a cached view gives a mapping that
    decodes only the lights a screen shows (repo/views.py)."""

    __slots__ = ("code", "name", "unit", "leader", "owner", "program", "tally", "invest", "_items", "_by_light",
                 "_stale_lights")

    def __init__(self, code: str, name: str, unit: str | None, leader: str | None, owner: str | None,
                 program: str | None, items: list[ItemView] | None, tally: Tally,
                 by_light: Mapping[str, Sequence[ItemView]] | None = None,
                 invest: InvestFigures | None = None, stale_lights: Sequence[str] | None = None) -> None:
        self.code, self.name, self.unit, self.leader, self.owner = code, name, unit, leader, owner
        self.program, self.tally, self._items, self._by_light = program, tally, items, by_light
        self.invest = invest  # the year's investment figures on the as-of day; None: none recorded
        self._stale_lights = stale_lights  # the lights among which stale items are (None: look)

    @property
    def stale_lights(self) -> list[str]:
        """The lights of this project's 久未汇报 items (a cached view knows without decoding)."""
        if self._stale_lights is None:
            self._stale_lights = [light for light in ALL_LIGHTS if any(i.stale and i.light == light for i in self.items)]
        return list(self._stale_lights)

    def attention(self) -> list[ItemView]:
        """What the overview lists beneath the project: red and yellow items, and those 久未汇报."""
        lights = [light for light in ALL_LIGHTS if light in ATTENTION or light in self.stale_lights]
        by_light = self._by_light
        if self._items is None and isinstance(by_light, ByLight):
            # A cached view keeps each light's stale items apart: the green ones shown are
            # decoded without the (many) green ones not shown.
            return in_project_order([by_light[light] if light in ATTENTION else by_light.stale(light)
                                     for light in lights])
        return [i for i in self.items_lit(lights) if i.light in ATTENTION or i.stale]

    @property
    def items(self) -> list[ItemView]:
        if self._items is None:
            self._items = _merged(self._by_light, ALL_LIGHTS) if self._by_light is not None else []
        return self._items

    def items_lit(self, lights: Sequence[str] | None) -> list[ItemView]:
        """The items of these lights (None: all), in the project's order."""
        if lights is None:
            return self.items
        if self._items is None and self._by_light is not None:
            return _merged(self._by_light, [light for light in ALL_LIGHTS if light in lights])
        wanted = set(lights)
        return [i for i in self.items if i.light in wanted]

    @property
    def light(self) -> Light:
        return self.tally.light

    def to_json(self) -> dict[str, Any]:
        c = self.tally.counts
        return {"code": self.code, "name": self.name, "light": self.light, "open": self.tally.open,
                "closed": self.tally.closed, "red": c["red"], "yellow": c["yellow"], "green": c["green"]}


class ByLight(Mapping[str, Sequence[ItemView]]):
    """A project's items by light (each light's in the project's order) that can give a light's
    stale items without the others of that light: the view cache keeps them apart."""

    def stale(self, light: str) -> Sequence[ItemView]:
        """The light's 久未汇报 items, in the project's order."""
        return [i for i in self[light] if i.stale]


def _merged(by_light: Mapping[str, Sequence[ItemView]], lights: Sequence[str]) -> list[ItemView]:
    """Some lights' items in the project's order."""
    return in_project_order([by_light[light] for light in lights])


def in_project_order(parts: Sequence[Sequence[ItemView]]) -> list[ItemView]:
    """Parts of a project's items, each in the project's order, merged into that order:
    sort_key's, which is unique in a project (it ends with the item's number)."""
    full = [part for part in parts if part]
    if len(full) <= 1:
        return list(full[0]) if full else []
    return sorted(chain.from_iterable(full), key=_sort_key)


def _sort_key(item: ItemView) -> tuple[bool, date, str, int]:
    return item.sort_key


def project_plan(ledger: Ledger, as_of: date, settings: Settings, extra: YearDays = NO_EXTRA) -> Schedule:
    """The 倒排工期 plan of a project in its calendar (or the repository's default calendar)."""
    return plan(ledger, as_of, make_calendar(ledger.calendar or settings.calendar, extra))


@dataclass(frozen=True)
class Finding:
    """Something the plan says about a ledger's data: an infeasible item, an unknown year."""

    code: str
    item: str | None
    key: str
    args: dict[str, Any]
    severity: str = "warning"


class NoteFacts(msgspec.Struct, array_like=True, gc=False):
    """A progress report as the day-free facts keep it (a `Report`)."""

    date: date
    by: str | None
    text: str
    done: Decimal | None = None


class ClosedFacts(msgspec.Struct, array_like=True, gc=False):
    date: date
    by: str | None = None
    note: str | None = None
    evidence: str | None = None


class AppliedFacts(msgspec.Struct, array_like=True, gc=False):
    date: date


class RuleFacts(msgspec.Struct, array_like=True, gc=False):
    """A `calendar:` rule (models.CalendarRule) as make_calendar reads it."""

    base: str
    days_off: list[date]
    work_days: list[date]


class InvestFacts(msgspec.Struct, array_like=True, gc=False):
    """A ledger's investment as invest_figures reads it."""

    planned: dict[int, Decimal]
    completed: dict[str, Decimal]


class ItemFacts(msgspec.Struct, array_like=True):
    """What the day does not change of an item: the fields the planner and the lights read
    (named as models.Item names them), with what a view shows worked out once (its units, its
    owner and leader, its number, the moves of its node)."""

    id: str
    title: str
    kind: str
    number: int
    units: list[str]
    owner: str | None
    leader: str | None
    due: date | None
    term: Term | None
    from_: date | None
    span: tuple[int, str, str | None] | None  # the duration: amount, unit, as written
    after: list[str]
    closed: ClosedFacts | None
    apply: AppliedFacts | None
    notes: list[NoteFacts]
    changes: list[tuple[str, str | None, str | None, str | None, str]]
    target: str | None
    measures: str | None

    @property
    def duration(self) -> Duration | None:
        span = self.span
        return None if span is None else Duration(span[0], span[1], span[2])  # type: ignore[arg-type]


class LedgerFacts(msgspec.Struct, array_like=True):
    """What the day does not change of a ledger: `ledger_facts` makes it from the model, the view
    cache keeps it (repo/views.py), and `light_project` lights it on any day."""

    code: str
    name: str
    program: str | None
    leader: str | None
    owner: str | None
    units: list[str]
    deadline: date | None
    calendar: str | RuleFacts | None
    investment: InvestFacts | None
    items: list[ItemFacts]


class InvestRules(msgspec.Struct, array_like=True, gc=False):
    yellow: Decimal
    red: Decimal


class DayRules(msgspec.Struct, array_like=True, gc=False):
    """What the lights read of the settings (models.Settings has the same names), for a run
    that does not read the settings."""

    year: int | None
    warn_days: int
    stale_days: int
    invest: InvestRules
    calendar: str | RuleFacts | None


def day_rules(settings: Settings) -> DayRules:
    return DayRules(settings.year, settings.warn_days, settings.stale_days,
                    InvestRules(settings.invest.yellow, settings.invest.red), _calendar_facts(settings.calendar))


def _calendar_facts(spec: Any) -> str | RuleFacts | None:
    if spec is None or isinstance(spec, str):
        return spec
    return RuleFacts(spec.base, list(spec.days_off), list(spec.work_days))


def ledger_facts(ledger: Ledger) -> LedgerFacts:
    """The day-free part of `evaluate`: what a ledger's lights on any day are computed from."""
    project_units = units_of(ledger.unit)
    owner, leader = ledger.owner, ledger.leader
    items = []
    for item in ledger.items:
        duration = item.duration
        closed, applied = item.closed, item.apply
        items.append(ItemFacts(
            item.id, item.title, item.kind, item_number(item.id),
            units_of(item.unit) if item.unit is not None else project_units,
            item.owner or owner, item.leader or leader, item.due, item.term, item.from_,
            None if duration is None else (int(duration), unit_of(duration), getattr(duration, "written", None)),
            list(item.after),
            ClosedFacts(closed.date, closed.by, closed.note, closed.evidence) if closed is not None else None,
            AppliedFacts(applied.date) if applied is not None else None,
            [NoteFacts(n.date, n.by, n.text, n.done) for n in item.notes],
            [(c.date.isoformat(), c.by, c.from_.isoformat() if c.from_ else None,
              c.to.isoformat() if isinstance(c.to, date) else c.to, c.reason)  # `to`: a day, a term, or None
             for c in item.changes if c.field == "due"],
            item.target, item.measures))
    invest = ledger.investment
    return LedgerFacts(ledger.code, ledger.name, ledger.program, leader, owner, project_units, ledger.deadline,
                       _calendar_facts(ledger.calendar),
                       InvestFacts(dict(invest.planned), dict(invest.completed)) if invest is not None else None,
                       items)


def evaluate(ledgers: Iterable[Ledger], as_of: date, settings: Settings,
             extra: YearDays = NO_EXTRA, findings: list[Finding] | None = None) -> list[ProjectView]:
    """Every project and item with its light on `as_of`. An item's time node is its `due`, else
    the finish computed by 倒排工期. Plans that cannot be made (a year no calendar knows) are
    reported in `findings` as errors, and their items lit by `due` alone."""
    findings = findings if findings is not None else []
    return [light_project(ledger_facts(ledger), as_of, settings, extra, findings) for ledger in ledgers]


def light_project(ledger: LedgerFacts, as_of: date, settings: Settings | DayRules,
                  extra: YearDays = NO_EXTRA, findings: list[Finding] | None = None) -> ProjectView:
    """The per-day part of `evaluate`: a ledger's facts lit on `as_of`, the plan's findings
    added to `findings`. The only place lights are computed, from a model or from the cache."""
    findings = findings if findings is not None else []
    try:
        planned_project = project_plan(ledger, as_of, settings, extra)  # type: ignore[arg-type]
        schedule = planned_project.by_id
        if planned_project.forward_error is not None:
            error = planned_project.forward_error
            findings.append(Finding(ledger.code, None, "calendar_forward_unknown",
                                    {**error.args_, "as_of": as_of.isoformat()}))
    except CalendarError as e:
        findings.append(Finding(ledger.code, None, e.key, dict(e.args_), "error"))
        schedule = {}
    except CycleError:
        schedule = {}  # reported where the ledger is read, at its `after`
    views = []
    as_planned = planned_nodes(ledger, settings, extra, schedule)  # type: ignore[arg-type]
    warn_days, stale_days = settings.warn_days, settings.stale_days
    recent_from = as_of - timedelta(days=RECENT_DAYS)
    code, name = ledger.code, ledger.name
    for item in ledger.items:  # the hot loop of every status: 100,000 times for a city
        planned = schedule.get(item.id) or _UNPLANNED
        term = item.term
        node = time_node(item, planned) if term is None else item_node(item, planned, as_of, settings)  # type: ignore[arg-type]
        infeasible = planned.infeasible
        # An item already past its time node is simply overdue (red), not a planning finding.
        if infeasible and node is not None and node >= as_of:
            findings.append(Finding(code, item.id, "schedule_infeasible",
                                    {"id": item.id, "days": -(planned.slack or 0)}))
        start = planned.start if term is None else term_start(item, settings, as_of)  # type: ignore[arg-type]
        if term is None:
            light = light_reason(item, node, as_of, warn_days, infeasible=infeasible, start=start)[0]  # type: ignore[arg-type]
        else:
            light = light_reason(item, node, as_of, warn_days, start=start, stale_days=stale_days)[0]  # type: ignore[arg-type]
        units = item.units
        quantity = None
        timely = light
        if item.target is not None:
            light, done = quantity_lit(item, light, node, planned.start, as_of, settings)  # type: ignore[arg-type]
            quantity = done.text() if done is not None else None
        closed = item.closed
        closed_on = closed.date if closed is not None and closed.date <= as_of else None
        notes = item.notes
        last_note = max((n for n in notes if n.date <= as_of), key=_note_day, default=None) if notes else None
        recent = (tuple(sorted((n for n in notes if recent_from <= n.date <= as_of), key=_note_day))
                  if last_note is not None and last_note.date >= recent_from else ())
        shut = closed if closed_on is not None else None
        views.append(ItemView(
            item.id, code, name, item.title, item.kind, units[0] if units else None, item.owner,
            item.leader, node, light, (node - as_of).days if node is not None else None, closed_on,
            item.number, last_note,
            light != "done" and is_stale(last_note.date if last_note else None, start, as_of, stale_days),
            planned.start, item.measures, shut.by if shut else None, shut.note if shut else None,
            shut.evidence if shut else None, recent, term.text if term is not None else None,
            light != "done" and item.apply is not None and item.apply.date <= as_of,
            0, False, units, item.changes, quantity, as_planned.get(item.id) if as_planned else None,
            behind_of(light, timely, node, as_of)))
    views.sort(key=_sort_key)
    return ProjectView(code, name, "、".join(ledger.units) or None, ledger.leader, ledger.owner, ledger.program,
                       views, _tally(views), invest=invest_figures(ledger, as_of))  # type: ignore[arg-type]


def planned_open(ledger: Ledger, as_of: date, settings: Settings, extra: YearDays,
                 schedule: dict[str, Planned]) -> dict[str, Planned]:
    """For the items closed without a written `due` (their plan fixes them at their close), their
    plan with every close undone: its finish is the node a late close is judged against (what
    `planned_nodes` gives alone)."""
    closed = _closed_unwritten(ledger, schedule)
    if not closed:
        return {}
    if isinstance(ledger, LedgerFacts):
        reopened: Any = msgspec.structs.replace(
            ledger, items=[msgspec.structs.replace(i, closed=None) for i in ledger.items])
    else:
        reopened = ledger.model_copy(update={"items": [i.model_copy(update={"closed": None}) for i in ledger.items]})
    try:
        by_id = project_plan(reopened, as_of, settings, extra).by_id
    except (CalendarError, CycleError):
        return {}
    return {item_id: by_id[item_id] for item_id in closed if item_id in by_id}


def planned_nodes(ledger: Ledger, settings: Settings, extra: YearDays, schedule: dict[str, Planned]) -> dict[str, date]:
    """The finishes of `planned_open`, the nodes the closes of items without a written `due` are
    judged against: the backward pass with every close undone needs no as-of day and no copy of
    the ledger (a close only fixes an item in the plan of a day on or after it)."""
    closed = _closed_unwritten(ledger, schedule)
    if not closed:
        return {}
    try:
        finishes = planned_finishes(ledger, make_calendar(ledger.calendar or settings.calendar, extra))
    except (CalendarError, CycleError):
        return {}
    return {item_id: day for item_id in closed if (day := finishes.get(item_id)) is not None}


def _closed_unwritten(ledger: Ledger, schedule: dict[str, Planned]) -> list[str]:
    return [i.id for i in ledger.items if i.closed is not None and i.due is None and i.id in schedule]


def _note_day(note: Report) -> date:
    return note.date


_UNPLANNED = Planned("", None, None, None, None, False, 0, True, False, None)


@dataclass(slots=True)
class NoteView:
    """A progress report as a view holds it (the cached rows carry no models)."""

    date: date
    by: str | None
    text: str


def tally_of(items: Iterable[ItemView]) -> Tally:
    """Counts per light of some items."""
    return _tally(items)


def _tally(items: Iterable[ItemView]) -> Tally:
    tally = Tally()
    for item in items:
        tally.add(item.light)
    return tally


@dataclass(frozen=True)
class Query:
    """What `status` is asked for. Project filters pick projects; item filters narrow items."""

    codes: Sequence[str] = ()
    program: str | None = None
    unit: str | None = None
    owner: str | None = None
    kinds: Sequence[str] = ()
    lights: Sequence[str] = ()
    leader: str | None = None

    @property
    def narrows_items(self) -> bool:
        return bool(self.unit or self.owner or self.kinds or self.lights or self.leader)


def _contains(value: str | None, wanted: str | None) -> bool:
    # Clerks type "建设局" for "区建设局": a part of the name is enough.
    return wanted is None or (value is not None and wanted in value)


def _names(item: ItemView, by: GroupBy, wanted: str | None) -> bool:
    # A joint item answers to every unit and every leader it names (SPEC §7), the assisting ones
    # too; a part of a name is enough, as for `_contains`.
    return wanted is None or any(wanted in name for name in item.names(by))


def select(projects: Sequence[ProjectView], query: Query) -> list[ProjectView]:
    """The projects and items a query keeps, projects ordered worst light first.

    A project's counts and light are those of its items kept by the unit/owner/kind filters;
    the light filter picks which items are listed, not what is counted.
    """
    kept = []
    codes = set(query.codes)
    for project in projects:
        if codes and project.code not in codes:
            continue
        if not _contains(project.program, query.program):
            continue
        if not (query.unit or query.owner or query.kinds or query.leader):
            # Counted as they are: no item needs to be looked at (nor decoded from the cache).
            if not query.lights:
                kept.append(project)
                continue
            counted, items = project.tally, project.items_lit(query.lights)
        else:
            items = [i for i in project.items if _names(i, "unit", query.unit)
                     and _contains(i.owner, query.owner) and _names(i, "leader", query.leader)
                     and (not query.kinds or i.kind in query.kinds)]
            counted = _tally(items)
            if query.lights:
                wanted = set(query.lights)
                items = [i for i in items if i.light in wanted]
        if query.narrows_items and not items:
            continue
        kept.append(ProjectView(project.code, project.name, project.unit, project.leader,
                                project.owner, project.program, items, counted))
    kept.sort(key=lambda p: (SEVERITY[p.light], -p.tally.counts["red"], -p.tally.counts["yellow"], p.code))
    return kept


def mark_notices(projects: Sequence[ProjectView], marks: dict[str, tuple[int, bool]]) -> None:
    """Give each item its 督办 (§7): how many notices named it and whether one is unanswered past
    its reply-by day (督办超期, open items only). Items a cached view builds later get them too."""
    if not marks:
        return

    def marked(items: list[ItemView]) -> list[ItemView]:
        for item in items:
            count, late = marks.get(item.id, (0, False))
            item.notices, item.overdue_notice = count, late and item.light != "done"
        return items

    for project in projects:
        if project._items is not None:
            marked(project._items)
        if project._by_light is not None:
            project._by_light = _Marked(project._by_light, marked)


class _Marked(ByLight):
    """A project's items by light, each given its 督办 marks when its light is first read."""

    def __init__(self, inner: Mapping[str, Sequence[ItemView]],
                 mark: Callable[[list[ItemView]], list[ItemView]]) -> None:
        self.inner, self.mark = inner, mark

    def __getitem__(self, light: str) -> Sequence[ItemView]:
        return self.mark(list(self.inner[light]))

    def stale(self, light: str) -> Sequence[ItemView]:
        inner = self.inner
        return self.mark(list(inner.stale(light))) if isinstance(inner, ByLight) else super().stale(light)

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)


@dataclass
class Group:
    """Items gathered under a unit or an owner (督办 by unit)."""

    name: str
    leaders: list[str]
    items: list[ItemView]
    tally: Tally

    @property
    def light(self) -> Light:
        return self.tally.light


def group_items(projects: Sequence[ProjectView], by: GroupBy) -> list[Group]:
    """Regroup the kept items by their responsible unit, leader or owner, worst light first: an
    item naming several units or leaders is counted under each (牵头 and 配合)."""
    groups: dict[str, list[ItemView]] = {}
    for project in projects:
        for item in project.items:
            for name in item.names(by) or [""]:
                groups.setdefault(name, []).append(item)
    result = []
    for name, items in groups.items():
        items.sort(key=lambda v: v.sort_key)
        leaders = sorted({i.leader for i in items if i.leader})
        result.append(Group(name, leaders, items, _tally(items)))
    result.sort(key=lambda g: (SEVERITY[g.light], -g.tally.counts["red"], g.name))
    return result


def totals(projects: Sequence[ProjectView]) -> Tally:
    tally = Tally()
    for project in projects:
        for light, n in project.tally.counts.items():
            tally.counts[light] += n
    return tally


def status_json(projects: Sequence[ProjectView], as_of: date) -> dict[str, Any]:
    """`status --json` (SPEC §5): every kept item, then every kept project."""
    items = [item for project in projects for item in project.items]
    return {"as_of": as_of.isoformat(), "items": [i.to_json() for i in items],
            "projects": [p.to_json() for p in projects]}
