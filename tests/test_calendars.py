"""Calendars against the State Council's holiday notices of 2018–2026, and the overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from taizhang.domain.calendars import Calendar, CalendarError, YearDays, make_calendar, official
from taizhang.domain.models import CalendarRule

D = date.fromisoformat

# Make-up working days (调休上班), most of them weekends, from each year's notice.
MAKE_UP = ["2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30", "2018-12-29",
           "2019-02-02", "2019-02-03", "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12",
           "2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10",
           "2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09",
           "2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09",
           "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08",
           "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
           "2024-10-12", "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
           "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
# Weekdays that were statutory holidays (Spring Festival and National Day weeks).
HOLIDAYS = ["2018-02-16", "2018-10-05", "2019-02-08", "2019-05-03", "2020-01-31", "2020-10-08",
            "2021-02-15", "2021-10-06", "2022-02-04", "2022-10-07", "2023-01-26", "2023-10-05",
            "2024-02-14", "2024-10-04", "2025-01-31", "2025-10-08", "2026-02-20", "2026-10-07"]


@pytest.mark.parametrize("day", MAKE_UP)
def test_workdays__make_up_days_count(day):
    assert official().is_counted(D(day))
    assert not Calendar("weekdays").is_counted(D(day)) or D(day).weekday() < 5


@pytest.mark.parametrize("day", HOLIDAYS)
def test_workdays__statutory_holidays_do_not(day):
    assert D(day).weekday() < 5 and not official().is_counted(D(day))


def test_workdays__national_day_2018_arithmetic():
    cal = official()
    assert cal.add(D("2018-09-28"), 1) == D("2018-09-29")      # Saturday, make-up day
    assert cal.add(D("2018-09-30"), 1) == D("2018-10-08")      # the whole holiday skipped
    assert cal.snap(D("2018-10-07")) == D("2018-09-30")
    assert cal.between(D("2018-09-28"), D("2018-10-08")) == 3   # 09-29, 09-30, 10-08


def test_workdays__unknown_year_is_an_error_that_names_it():
    with pytest.raises(CalendarError) as caught:
        official().is_counted(D("2031-05-01"))
    assert caught.value.key == "calendar_year_unknown" and caught.value.args_ == {"year": 2031}


def test_workdays__a_declared_year_from_calendars_folder():
    extra = YearDays(frozenset({D("2031-01-01"), D("2031-01-02")}), frozenset({D("2031-01-04")}), frozenset({2031}))
    cal = Calendar("workdays", extra=extra)
    assert not cal.is_counted(D("2031-01-01")) and not cal.is_counted(D("2031-01-02"))
    assert cal.is_counted(D("2031-01-03")) and cal.is_counted(D("2031-01-04"))   # Fri; Sat made up
    assert not cal.is_counted(D("2031-01-05"))                                     # Sunday


def test_weekdays_and_natural():
    assert [Calendar("weekdays").is_counted(D(f"2018-06-{d:02d}")) for d in range(11, 18)] == [True] * 5 + [False] * 2
    assert all(Calendar().is_counted(D(f"2018-06-{d:02d}")) for d in range(11, 18))
    assert Calendar().between(D("2018-01-01"), D("2018-12-31")) == 364


def test_mapping_adds_days_off_and_working_days_to_its_base():
    rule = CalendarRule.model_validate({"base": "weekdays", "days_off": ["2018-06-13"], "work_days": ["2018-06-16"]})
    cal = make_calendar(rule)
    assert not cal.is_counted(D("2018-06-13")) and cal.is_counted(D("2018-06-16"))
    assert cal.add(D("2018-06-12"), 1) == D("2018-06-14")


def test_repository_calendars_folder_feeds_status(cli, repo):
    import json

    root = repo(P="""\
        code: P
        name: 项目
        calendar: workdays
        deadline: 2031-01-05
        items:
          - {id: P-1, title: 收尾, duration: 1}
        """)
    (root / "calendars").mkdir()
    result = cli("--dir", root, "--as-of", "2030-12-20", "--lang", "en", "check")
    assert result.exit_code == 1 and "calendars/2031.yaml" in result.stderr
    (root / "calendars" / "2031.yaml").write_text(
        "year: 2031\ndays_off: [2031-01-01, 2031-01-02, 2031-01-03]\nwork_days: []\n", encoding="utf-8")
    (root / "calendars" / "2030.yaml").write_text("year: 2030\n", encoding="utf-8")
    plan = json.loads(cli("--dir", root, "--as-of", "2030-12-20", "schedule", "P", "--json").stdout)
    assert plan["items"][0]["finish"] == "2030-12-31"   # Jan 1–3 off, Jan 4–5 a weekend


def test_a_long_duration_walks_as_far_as_it_needs():
    # 20,000 weekdays back from 2018 is 1942; the walk once stopped after fifty years of days
    # and said the calendar had "no working day near 1968-11-22".
    weekdays = make_calendar("weekdays")
    start = weekdays.add(date(2018, 12, 31), -19_999)
    assert start == date(1942, 5, 5) and weekdays.between(start, date(2018, 12, 31)) == 19_999
    assert weekdays.add(start, 19_999) == date(2018, 12, 31)


def test_a_calendar_with_no_working_day_for_fifty_years_says_so():
    off = CalendarRule(base="natural", days_off=[date(2000, 1, 1) + timedelta(days=n) for n in range(366 * 50 + 5)])
    with pytest.raises(CalendarError) as found:
        make_calendar(off).add(date(1999, 12, 31), 1)
    assert found.value.key == "calendar_no_counted_day"


@pytest.mark.parametrize("name", ["natural", "weekdays"])
@pytest.mark.parametrize("day, n", [(date(1, 1, 3), -30), (date(9999, 12, 20), 30)])
def test_walking_past_the_dates_there_are_is_a_calendar_error(name, day, n):
    with pytest.raises(CalendarError) as found:
        make_calendar(name).add(day, n)
    assert found.value.key == "plan_beyond_dates"
