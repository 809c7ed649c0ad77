"""时间过半、任务过半: completed investment against the year's plan and the time gone by.
Pure functions of (ledgers, as-of day, settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

if TYPE_CHECKING:
    from taizhang.domain.models import Ledger, Settings

FOUR = Decimal("0.0001")


def time_progress(as_of: date) -> Decimal:
    """序时进度: the day of the year ÷ the days in that year (2018-06-15: 166/365)."""
    day = as_of.timetuple().tm_yday
    days = (date(as_of.year, 12, 31) - date(as_of.year, 1, 1)).days + 1
    return Decimal(day) / Decimal(days)


def round4(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


@dataclass
class InvestRow:
    """One project's investment on the as-of day, amounts in 万元."""

    code: str
    name: str
    program: str | None
    unit: str | None
    planned: Decimal | None  # the plan of the as-of year
    completed: Decimal  # completed in that year, up to and including the as-of month
    rate: Decimal | None  # completed ÷ planned (exact)
    lag: Decimal | None  # (time progress − rate) in percentage points (exact)
    light: str

    def to_json(self) -> dict[str, Any]:
        from taizhang.domain.amounts import format_wan

        return {"code": self.code,
                "planned": format_wan(self.planned) if self.planned is not None else None,
                "completed": format_wan(self.completed),
                "rate": str(round4(self.rate)) if self.rate is not None else None,
                "lag": str(round4(self.lag)) if self.lag is not None else None,
                "light": self.light}


def invest_light(lag: Decimal | None, settings: Settings) -> str:
    """Yellow past `invest.yellow` points behind 序时进度, red past `invest.red`."""
    if lag is None:
        return "none"
    if lag > settings.invest.red:
        return "red"
    if lag > settings.invest.yellow:
        return "yellow"
    return "green"


class InvestFigures(NamedTuple):
    """A project's investment on the as-of day: what a row and a briefing need of it."""

    planned: Decimal | None  # the plan of the as-of year
    completed: Decimal  # completed in that year, up to and including the as-of month
    month: Decimal  # completed in the as-of month


def invest_figures(ledger: Ledger, as_of: date) -> InvestFigures | None:
    """None when the ledger records no investment at all."""
    invest = ledger.investment
    if invest is None:
        return None
    this_month = f"{as_of.year}-{as_of.month:02d}"
    months = {f"{as_of.year}-{m:02d}" for m in range(1, as_of.month + 1)}
    completed = sum((amount for month, amount in invest.completed.items() if month in months), Decimal(0))
    return InvestFigures(invest.planned.get(as_of.year), completed, invest.completed.get(this_month, Decimal(0)))


def invest_row(ledger: Ledger, as_of: date, settings: Settings, progress: Decimal) -> InvestRow:
    from taizhang.domain.units import units_of  # joint units read as one line (SPEC §7)

    return row_of(ledger.code, ledger.name, ledger.program, "、".join(units_of(ledger.unit)) or None,
                  invest_figures(ledger, as_of), settings, progress)


def row_of(code: str, name: str, program: str | None, unit: str | None, figures: InvestFigures | None,
           settings: Settings, progress: Decimal) -> InvestRow:
    """A project's row from its figures (see invest_figures)."""
    planned = figures.planned if figures else None
    completed = figures.completed if figures else Decimal(0)
    rate = completed / planned if planned else None
    lag = (progress - rate) * 100 if rate is not None else None
    return InvestRow(code, name, program, unit, planned, completed, rate, lag, invest_light(lag, settings))


# The lights a project's investment can have (never "done": a year's plan is not closed).
INVEST_LIGHTS = ("red", "yellow", "green", "none")


def keeps_project(ledger: Ledger, *, program: str | None = None, unit: str | None = None,
                  leader: str | None = None, owner: str | None = None) -> bool:
    """Whether the project-level filters of `status --invest` keep a project: each a part of the
    project's own field, as `status` matches (--unit 建设局 finds 区建设局; any of joint units)."""
    from taizhang.domain.units import units_of

    def has(value: str | None, wanted: str | None) -> bool:
        return wanted is None or (value is not None and wanted in value)

    return (has(ledger.program, program) and has(ledger.leader, leader) and has(ledger.owner, owner)
            and (unit is None or any(unit in u for u in units_of(ledger.unit))))


def invest_rows(ledgers: Iterable[Ledger], as_of: date, settings: Settings) -> list[InvestRow]:
    """Every project's row, the most behind first; projects without a plan this year last."""
    progress = time_progress(as_of)
    return most_behind_first([invest_row(ledger, as_of, settings, progress) for ledger in ledgers])


def most_behind_first(rows: list[InvestRow]) -> list[InvestRow]:
    rows.sort(key=lambda r: (r.lag is None, -(r.lag or 0), r.code))
    return rows


@dataclass
class InvestTotal:
    """A sum over projects (a program, or the whole repository)."""

    name: str
    planned: Decimal
    completed: Decimal

    @property
    def rate(self) -> Decimal | None:
        return self.completed / self.planned if self.planned else None


def totals(rows: Iterable[InvestRow]) -> tuple[list[InvestTotal], InvestTotal]:
    """Per program (of the projects with a plan), and for all of them."""
    by_program: dict[str, InvestTotal] = {}
    everything = InvestTotal("", Decimal(0), Decimal(0))
    for row in rows:
        if row.planned is None:
            continue
        total = by_program.setdefault(row.program or "", InvestTotal(row.program or "", Decimal(0), Decimal(0)))
        for t in (total, everything):
            t.planned += row.planned
            t.completed += row.completed
    return sorted(by_program.values(), key=lambda t: t.name), everything


def invest_json(rows: list[InvestRow], as_of: date) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "time_progress": str(round4(time_progress(as_of))),
            "projects": [r.to_json() for r in rows]}
