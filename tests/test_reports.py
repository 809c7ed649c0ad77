"""Briefings as data (reports.py): periods, what counts in a period, problems apart, the month's
review. Pure functions: ledgers are built in memory, no file is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from taizhang.domain.models import Ledger, Settings
from taizhang.domain.reports import build_briefing, period_of

D = date.fromisoformat


def ledger(code: str, *items: dict, **project) -> Ledger:
    numbered = [{"id": f"{code}-{n}", **item} for n, item in enumerate(items, 1)]
    return Ledger.model_validate({"code": code, "name": project.pop("name", f"{code}项目"), **project,
                                  "items": numbered})


def brief(as_of: str, kind: str, *ledgers: Ledger, settings: Settings | None = None):
    return build_briefing(list(ledgers), D(as_of), kind, settings or Settings())


def ids(rows) -> list[str]:
    return [r.id for r in rows]


# --- periods -------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, start, end", [
    ("2018-06-15", "2018-06-11", "2018-06-17"),   # a Friday
    ("2018-06-11", "2018-06-11", "2018-06-17"),   # Monday starts the week
    ("2018-06-17", "2018-06-11", "2018-06-17"),   # Sunday ends it
    ("2018-06-01", "2018-05-28", "2018-06-03"),   # across a month
    ("2019-01-02", "2018-12-31", "2019-01-06"),   # across a year
    ("2018-12-31", "2018-12-31", "2019-01-06"),
    ("2021-01-03", "2020-12-28", "2021-01-03"),   # a Sunday in the new year, week of the old one
])
def test_period__week_runs_monday_to_sunday(day, start, end):
    period = period_of("week", D(day))
    assert (period.start, period.end, period.upto) == (D(start), D(end), D(day))
    assert period.start.weekday() == 0 and period.days == 7


def test_period__next_week_across_the_year():
    nxt = period_of("week", D("2018-12-27")).following()
    assert (nxt.start, nxt.end) == (D("2018-12-31"), D("2019-01-06"))


@pytest.mark.parametrize("day, start, end", [
    ("2020-02-10", "2020-02-01", "2020-02-29"),   # leap year
    ("2019-02-28", "2019-02-01", "2019-02-28"),
    ("2000-02-01", "2000-02-01", "2000-02-29"),   # divisible by 400: leap
    ("2100-02-15", "2100-02-01", "2100-02-28"),   # divisible by 100 only: not
    ("2018-12-31", "2018-12-01", "2018-12-31"),
])
def test_period__calendar_month(day, start, end):
    period = period_of("month", D(day))
    assert (period.start, period.end) == (D(start), D(end))


def test_period__next_month_and_next_day():
    assert (period_of("month", D("2020-01-31")).following().end) == D("2020-02-29")
    assert period_of("month", D("2020-12-05")).following().start == D("2021-01-01")
    day = period_of("day", D("2018-12-31"))
    assert (day.start, day.end) == (D("2018-12-31"), D("2018-12-31"))
    assert day.following().start == day.following().end == D("2019-01-01")


def test_period__unknown_kind_is_refused():
    with pytest.raises(ValueError):
        period_of("year", D("2018-06-15"))


# --- what counts in the period -------------------------------------------------------------------

def _closes() -> Ledger:
    return ledger(
        "P",
        {"title": "上周销号", "due": "2018-06-10", "closed": {"date": "2018-06-10"}},
        {"title": "周一按期销号", "due": "2018-06-20", "closed": {"date": "2018-06-11", "by": "甲", "note": "完成",
                                                           "evidence": "验收单"}},
        {"title": "周三逾期销号", "due": "2018-06-08", "closed": {"date": "2018-06-13", "by": "乙"}},
        {"title": "周五才销号（as-of 之后）", "due": "2018-06-20", "closed": {"date": "2018-06-15"}},
        {"title": "无时间节点销号", "closed": {"date": "2018-06-12"}},
        {"kind": "problem", "title": "问题本周逾期销号", "due": "2018-06-11", "closed": {"date": "2018-06-12"}},
    )


def test_closed__in_the_period_up_to_the_as_of_day():
    b = brief("2018-06-13", "week", _closes())        # Wednesday
    assert ids(b.closed) == ["P-2", "P-5", "P-3"]       # by close date; not last week's, not Friday's
    late = {r.id: r.late_days for r in b.closed}
    assert late == {"P-2": 0, "P-3": 5, "P-5": 0}       # closed without a due: fixed at its close
    assert ids(b.closed_late) == ["P-3"]
    assert b.closed[0].closed_by == "甲" and b.closed[0].close_note == "完成" and b.closed[0].evidence == "验收单"


def test_closed__a_close_dated_after_the_as_of_day_has_not_happened():
    b = brief("2018-06-13", "week", _closes())
    friday = next(r for r in b.due if r.id == "P-4")  # still open on Wednesday, falling due
    assert friday.closed_on is None and friday.light == "yellow"   # due in 7 days
    assert ids(brief("2018-06-15", "week", _closes()).closed) == ["P-2", "P-5", "P-3", "P-4"]


def test_closed__day_and_month():
    assert ids(brief("2018-06-13", "day", _closes()).closed) == ["P-3"]
    assert ids(brief("2018-06-30", "month", _closes()).closed) == ["P-1", "P-2", "P-5", "P-3", "P-4"]


def test_notes__of_the_period_every_kind_in_date_order():
    b = brief("2018-06-13", "week", ledger(
        "P",
        {"title": "任务", "due": "2018-07-31", "notes": [
            {"date": "2018-06-10", "text": "上周日"}, {"date": "2018-06-11", "by": "甲", "text": "周一"},
            {"date": "2018-06-13", "text": "周三"}, {"date": "2018-06-14", "text": "明天的"}]},
        {"kind": "problem", "title": "问题", "due": "2018-07-31", "notes": [{"date": "2018-06-12", "text": "问题进展"}]},
        {"title": "已销号的", "due": "2018-06-01", "closed": {"date": "2018-06-01"},
         "notes": [{"date": "2018-06-11", "text": "销号后补记"}]},
    ))
    assert [(n.id, n.date.isoformat(), n.text) for n in b.notes] == [
        ("P-1", "2018-06-11", "周一"), ("P-3", "2018-06-11", "销号后补记"),
        ("P-2", "2018-06-12", "问题进展"), ("P-1", "2018-06-13", "周三")]
    assert b.notes[0].by == "甲"
    assert b.projects[0].notes == 4


def test_due__from_the_as_of_day_through_the_next_period():
    b = brief("2018-06-13", "week", ledger(
        "P",
        {"title": "昨天到期（红灯）", "due": "2018-06-12"},
        {"title": "今天到期", "due": "2018-06-13"},
        {"title": "本周日", "due": "2018-06-17"},
        {"title": "下周日", "due": "2018-06-24"},
        {"title": "下下周一", "due": "2018-06-25"},
        {"title": "已销号", "due": "2018-06-20", "closed": {"date": "2018-06-12"}},
        {"kind": "problem", "title": "问题下周到期", "due": "2018-06-20"},
        {"kind": "milestone", "title": "节点下周", "due": "2018-06-19"},
    ))
    assert ids(b.due) == ["P-2", "P-3", "P-8", "P-4"]
    assert b.due_until == D("2018-06-24")
    assert [r.days_left for r in b.due] == [0, 4, 6, 11]
    assert ids(b.red) == ["P-1"] and b.red[0].days_over == 1


def test_due__day_report_looks_at_tomorrow_and_month_report_at_next_month():
    p = ledger("P", {"title": "明天", "due": "2018-06-16"}, {"title": "后天", "due": "2018-06-17"},
               {"title": "下月底", "due": "2018-07-31"}, {"title": "八月一日", "due": "2018-08-01"})
    assert ids(brief("2018-06-15", "day", p).due) == ["P-1"]
    assert ids(brief("2018-06-15", "month", p).due) == ["P-1", "P-2", "P-3"]


def test_red__overdue_days_and_who_answers_for_it():
    b = brief("2018-06-15", "week", ledger(
        "P", {"title": "逾期十天", "due": "2018-06-05", "owner": "李四", "unit": "区建设局",
              "notes": [{"date": "2018-06-01", "text": "旧"}, {"date": "2018-06-14", "text": "新"},
                        {"date": "2018-06-16", "text": "明天"}]},
        {"title": "逾期一天", "due": "2018-06-14"},
        unit="管委会", leader="魏书全", owner="秦海涛"))
    assert ids(b.red) == ["P-1", "P-2"]                     # the most overdue first
    first, second = b.red
    assert (first.days_over, first.unit, first.owner, first.leader) == (10, "区建设局", "李四", "魏书全")
    assert (second.days_over, second.unit, second.owner) == (1, "管委会", "秦海涛")
    assert first.last_note.text == "新"                     # the latest up to the as-of day


# --- problems apart ------------------------------------------------------------------------------

def test_problems__counted_apart_from_tasks():
    b = brief("2018-06-15", "week", ledger(
        "P",
        {"title": "任务逾期", "due": "2018-06-01"},
        {"title": "任务本周销号", "due": "2018-06-30", "closed": {"date": "2018-06-12"}},
        {"kind": "problem", "title": "问题逾期", "due": "2018-06-10", "measures": "限期整改"},
        {"kind": "problem", "title": "问题未到期", "due": "2018-07-10"},
        {"kind": "problem", "title": "问题无时限"},
        {"kind": "problem", "title": "问题本周逾期销号", "due": "2018-06-11", "closed": {"date": "2018-06-13"}},
        {"kind": "problem", "title": "问题本周按期销号", "due": "2018-06-20", "closed": {"date": "2018-06-14"}},
        {"kind": "problem", "title": "问题上周销号", "due": "2018-06-20", "closed": {"date": "2018-06-08"}},
    ))
    pc = b.problem_counts
    assert (pc.open, pc.overdue, pc.closed, pc.closed_late) == (3, 1, 2, 1)
    assert ids(b.problems) == ["P-3", "P-4", "P-5", "P-6", "P-7"]   # open (most overdue first), then closed
    assert b.problems[0].measures == "限期整改"
    assert ids(b.red) == ["P-1"] and ids(b.closed) == ["P-2"]       # problems are not in the task lists
    assert b.tasks.counts == {"red": 1, "yellow": 0, "green": 0, "none": 0, "done": 1}
    assert b.problems_tally.counts == {"red": 1, "yellow": 0, "green": 1, "none": 1, "done": 3}
    assert b.everything.counts == {"red": 2, "yellow": 0, "green": 1, "none": 1, "done": 4}
    line = b.projects[0]
    assert (line.closed, line.red, line.problems_open) == (1, 1, 3)


def test_totals__equal_the_status_totals():
    from taizhang.domain.lights import evaluate, totals

    p = _closes()
    q = ledger("Q", {"title": "x", "due": "2018-06-01"}, {"kind": "problem", "title": "y", "due": "2018-06-30"})
    b = brief("2018-06-15", "month", p, q)
    assert b.everything.counts == totals(evaluate([p, q], D("2018-06-15"), Settings())).counts


# --- the month's review --------------------------------------------------------------------------

def _review_ledgers() -> list[Ledger]:
    def on(due, closed, unit):
        return {"title": f"{unit}{due}", "due": due, "unit": unit, "closed": {"date": closed}}

    def open_(due, unit):
        return {"title": f"{unit}{due}", "due": due, "unit": unit}

    return [ledger(
        "P",
        on("2018-06-05", "2018-06-05", "甲局"), on("2018-06-08", "2018-05-30", "甲局"),     # 2/2
        on("2018-06-10", "2018-06-09", "乙局"),                                              # 1/1
        on("2018-06-03", "2018-06-02", "丙局"), on("2018-06-04", "2018-06-07", "丙局"),     # 1/2, one late
        on("2018-06-06", "2018-06-06", "丁局"), open_("2018-06-09", "丁局"),                # 1/2, one still open
        open_("2018-06-12", "戊局"),                                                         # 0/1
        open_("2018-06-15", "己局"),                                    # due on the as-of day, open: not yet
        on("2018-06-15", "2018-06-15", "庚局"),                         # due and closed on the as-of day: on time
        on("2018-05-31", "2018-06-02", "辛局"), open_("2018-07-01", "辛局"),    # nothing due in June
        {"kind": "problem", "title": "问题", "due": "2018-06-01", "unit": "戊局"},   # problems count too: 0/2
    )]


def test_review__units_ranked_by_on_time_rate_with_ties():
    b = brief("2018-06-15", "month", *_review_ledgers())
    rates = [(u.unit, u.rank, u.due, u.on_time, u.late, u.open_overdue) for u in b.review.by_rate]
    assert rates == [
        ("甲局", 1, 2, 2, 0, 0), ("乙局", 1, 1, 1, 0, 0), ("庚局", 1, 1, 1, 0, 0),   # 100%: tie, more due first
        ("丁局", 4, 2, 1, 0, 1), ("丙局", 4, 2, 1, 1, 0),                         # 50%: tie
        ("戊局", 6, 2, 0, 0, 2),
        ("己局", None, 0, 0, 0, 0), ("辛局", None, 0, 0, 0, 0),                   # nothing counted: last
    ]
    assert b.review.by_rate[3].rate == Fraction(1, 2) and b.review.by_rate[-1].rate is None


def test_review__units_ranked_by_red_lights_with_ties():
    b = brief("2018-06-15", "month", *_review_ledgers())
    reds = [(u.unit, u.rank, u.red, u.longest) for u in b.review.by_red]
    assert reds == [("戊局", 1, 2, 14), ("丁局", 2, 1, 6)]
    assert b.review.units_without_red == 6
    two = ledger("Q", {"title": "a", "due": "2018-06-10", "unit": "甲"}, {"title": "b", "due": "2018-06-12", "unit": "乙"})
    assert [(u.unit, u.rank) for u in brief("2018-06-15", "month", two).review.by_red] == [("甲", 1), ("乙", 1)]


def test_review__only_in_the_month_report():
    assert brief("2018-06-15", "week", *_review_ledgers()).review is None
    assert brief("2018-06-15", "day", *_review_ledgers()).review is None


def test_review__unit_falls_back_to_the_project_unit():
    b = brief("2018-06-15", "month", ledger("P", {"title": "a", "due": "2018-06-01"}, unit="区建设局"))
    assert [u.unit for u in b.review.by_rate] == ["区建设局"]


# --- investment ----------------------------------------------------------------------------------

def test_invest__plan_completed_and_the_month_from_invest_py():
    with_plan = ledger("A", investment={"planned": {2018: "10亿"}, "completed": {"2018-05": "2亿", "2018-06": "3000万"}})
    no_plan = ledger("B", investment={"total": "5亿"})
    no_investment = ledger("C")
    b = brief("2018-06-15", "month", with_plan, no_plan, no_investment)
    inv = b.invest
    assert [line.row.code for line in inv.lines] == ["A"]
    line = inv.lines[0]
    assert (line.row.planned, line.row.completed, line.month) == (Decimal(100000), Decimal(23000), Decimal(3000))
    assert line.row.rate == Decimal("0.23") and inv.without_plan == 2
    assert inv.total.planned == Decimal(100000) and inv.month == "2018-06"
    assert (inv.yellow, inv.red) == (Decimal(10), Decimal(30))
    assert brief("2018-06-15", "week", no_investment).invest is None


def test_sample_repository__week_of_2018_06_15():
    """The checkout's own ledgers, as the week report reads them."""
    from pathlib import Path

    from taizhang.repo.cache import Cache
    from taizhang.repo.load import load_repo

    repo = load_repo(Cache(Path(__file__).resolve().parent.parent, enabled=False))
    b = build_briefing(repo.ledgers, D("2018-06-15"), "week", repo.settings, repo.extra)
    assert ids(b.closed) == ["AZF-3", "DLSS-4", "JDYH-3"]
    assert [r.late_days for r in b.closed] == [6, 12, 3]
    assert b.everything.counts == {"red": 11, "yellow": 7, "green": 49, "none": 0, "done": 55}
    assert (b.problem_counts.open, b.problem_counts.overdue) == (9, 7)
    assert not b.findings


def test_competition_ranks_are_one_plus_how_many_are_greater():
    from hypothesis import given
    from hypothesis import strategies as st

    from taizhang.domain.reports import competition_ranks

    @given(st.lists(st.tuples(st.fractions(min_value=0, max_value=1), st.integers(-5, 0)), max_size=40))
    def check(keys):
        assert competition_ranks(keys) == [1 + sum(1 for other in keys if other > key) for key in keys]

    check()
