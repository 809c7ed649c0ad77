"""倒排工期 (SPEC §4): the engine's rules on small cases, and its invariants as properties."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain.calendars import Calendar, CalendarError, official
from taizhang.domain.models import Ledger
from taizhang.domain.schedule import CycleError, plan

D = date.fromisoformat
AS_OF = D("2018-06-15")


def ledger(*items: dict, deadline: str | None = "2018-12-31", calendar=None) -> Ledger:
    data = {"code": "P", "name": "项目", "deadline": deadline,
            "items": [{"id": f"P-{i + 1}", "title": f"事项{i + 1}", **item} for i, item in enumerate(items)]}
    if calendar is not None:
        data["calendar"] = calendar
    return Ledger.model_validate(data)


def by_id(schedule):
    return {p.id: p for p in schedule.items}


def test_schedule__chain_backward_from_deadline_natural_calendar():
    s = by_id(plan(ledger({"duration": 10}, {"duration": 5, "after": ["P-1"]}), AS_OF, Calendar()))
    assert (s["P-2"].start, s["P-2"].finish) == (D("2018-12-27"), D("2018-12-31"))
    # A predecessor finishes on the last counted day strictly before its successor's start.
    assert (s["P-1"].start, s["P-1"].finish) == (D("2018-12-17"), D("2018-12-26"))


def test_schedule__milestone_shares_day_with_predecessor():
    s = by_id(plan(ledger({"duration": 3}, {"kind": "milestone", "after": ["P-1"], "due": "2018-09-30"}),
                   AS_OF, Calendar()))
    assert s["P-2"].start == s["P-2"].finish == D("2018-09-30")
    assert s["P-1"].finish == D("2018-09-30")
    assert s["P-1"].start == D("2018-09-28")


def test_schedule__item_without_duration_is_like_a_milestone():
    s = by_id(plan(ledger({"due": "2018-07-31"}), AS_OF, Calendar()))
    assert s["P-1"].start == s["P-1"].finish == D("2018-07-31")


def test_schedule__finish_snaps_to_counted_day_weekdays():
    # 2018-09-30 is a Sunday: the finish falls back to Friday 09-28.
    s = by_id(plan(ledger({"duration": 3, "due": "2018-09-30"}), AS_OF, Calendar("weekdays")))
    assert s["P-1"].finish == D("2018-09-28")
    assert s["P-1"].start == D("2018-09-26")


def test_schedule__official_calendar_skips_national_day_and_counts_make_up_days():
    # 2018: 10-01..10-07 off; Sat 09-29 and Sun 09-30 were make-up working days.
    s = by_id(plan(ledger({"duration": 3, "due": "2018-10-07"}, calendar="workdays"), AS_OF, official()))
    assert s["P-1"].finish == D("2018-09-30")
    assert s["P-1"].start == D("2018-09-28")


def test_schedule__closed_items_are_fixed_at_close_date():
    s = by_id(plan(ledger({"duration": 5, "closed": {"date": "2018-06-01"}},
                          {"duration": 5, "after": ["P-1"]}), AS_OF, Calendar()))
    assert s["P-1"].fixed and s["P-1"].finish == D("2018-06-01")
    assert s["P-1"].critical is False


def test_schedule__close_after_as_of_is_not_yet_fixed():
    s = by_id(plan(ledger({"duration": 5, "closed": {"date": "2018-06-20"}}), AS_OF, Calendar()))
    assert not s["P-1"].fixed and s["P-1"].finish == D("2018-12-31")


def test_schedule__forward_pass_slack_and_critical_path():
    # Two branches into a milestone: the longer one is critical.
    s = plan(ledger({"duration": 100}, {"duration": 10}, {"kind": "milestone", "after": ["P-1", "P-2"]},
                    deadline="2018-10-31"), AS_OF, Calendar())
    p = by_id(s)
    assert p["P-1"].earliest_finish == AS_OF + timedelta(days=99)
    assert p["P-1"].slack == (D("2018-10-31") - (AS_OF + timedelta(days=99))).days
    assert p["P-1"].critical and p["P-3"].critical and not p["P-2"].critical
    assert s.feasible


def test_schedule__negative_slack_says_by_how_much():
    s = plan(ledger({"duration": 30}, deadline="2018-06-30"), AS_OF, Calendar())
    assert not s.feasible
    assert by_id(s)["P-1"].slack == (D("2018-06-30") - (AS_OF + timedelta(days=29))).days == -14


def test_schedule__no_bound_gives_no_dates():
    s = by_id(plan(ledger({"duration": 3}, deadline=None), AS_OF, Calendar()))
    assert s["P-1"].finish is None and s["P-1"].slack is None


def test_schedule__cycle_names_its_ids():
    with pytest.raises(CycleError) as caught:
        plan(ledger({"after": ["P-3"]}, {"after": ["P-1"]}, {"after": ["P-2"]}), AS_OF, Calendar())
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"P-1", "P-2", "P-3"}


def test_schedule__unknown_year_is_an_error_not_a_guess():
    with pytest.raises(CalendarError) as caught:
        plan(ledger({"duration": 3, "due": "2031-03-01"}, deadline=None, calendar="workdays"), AS_OF, official())
    assert caught.value.args_["year"] == 2031


def test_schedule__json_shape(cli, repo):
    root = repo(P="""\
        code: P
        name: 项目
        deadline: 2018-12-31
        items:
          - {id: P-1, title: a, duration: 10}
          - {id: P-2, title: b, duration: 5, after: [P-1]}
        """)
    result = cli("--dir", root, "--as-of", "2018-06-15", "schedule", "P", "--json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == {
        "project": "P", "deadline": "2018-12-31", "calendar": "natural", "feasible": True,
        "items": [
            {"id": "P-1", "start": "2018-12-17", "finish": "2018-12-26", "earliest_finish": "2018-06-24",
             "slack": 185, "critical": True},
            {"id": "P-2", "start": "2018-12-27", "finish": "2018-12-31", "earliest_finish": "2018-06-29",
             "slack": 185, "critical": True},
        ]}


def test_schedule__write_stores_computed_due_only_where_missing(cli, repo):
    text = """\
        code: P
        name: 项目
        deadline: 2018-12-31
        items:
          - id: P-1
            title: a
            duration: 10
          - id: P-2
            title: b
            due: 2018-12-31  # 年底
            duration: 5
            after: [P-1]
        """
    root = repo(P=text)
    before = (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")
    assert cli("--dir", root, "--as-of", "2018-06-15", "schedule", "P", "--write").exit_code == 0
    after = (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")
    assert after == before.replace("    duration: 10\n", "    due: 2018-12-26  # 倒排工期\n    duration: 10\n", 1)


def test_status__uses_computed_node_and_infeasible_is_red(cli, repo):
    root = repo(P="""\
        code: P
        name: 项目
        deadline: 2018-06-30
        items:
          - {id: P-1, title: 来不及, duration: 30}
          - {id: P-2, title: 按时, kind: milestone}
        """)
    data = json.loads(cli("--dir", root, "--as-of", "2018-06-15", "status", "--json").stdout)
    items = {i["id"]: i for i in data["items"]}
    assert items["P-1"]["due"] == "2018-06-30" and items["P-1"]["light"] == "red"
    assert items["P-2"]["due"] == "2018-06-30" and items["P-2"]["light"] == "green" or items["P-2"]["light"] == "yellow"


def test_light__start_passed_without_report_is_yellow():
    """The rule itself. Under SPEC §4's forward pass a passed start also means negative slack,
    which is red first; the rule matters once the plan is feasible by other means."""
    from taizhang.domain.lights import light_reason
    from taizhang.domain.models import Item

    item = Item.model_validate({"id": "P-1", "title": "t", "due": "2018-08-31"})
    reported = Item.model_validate({"id": "P-1", "title": "t", "due": "2018-08-31",
                                    "notes": [{"date": "2018-06-10", "text": "已开工"}]})
    assert light_reason(item, D("2018-08-31"), AS_OF, 7, start=D("2018-06-01")) == ("yellow", "not_started")
    assert light_reason(reported, D("2018-08-31"), AS_OF, 7, start=D("2018-06-01")) == ("green", "on_time")
    assert light_reason(item, D("2018-08-31"), AS_OF, 7, start=D("2018-06-15")) == ("green", "on_time")
    assert light_reason(item, D("2018-08-31"), AS_OF, 7, infeasible=True, start=D("2018-06-01"))[0] == "red"


def test_check__reports_cycle_at_after(cli, repo):
    root = repo(P="""\
        code: P
        name: 项目
        items:
          - id: P-1
            title: a
            due: 2018-07-01
            after: [P-2]
          - id: P-2
            title: b
            due: 2018-07-01
            after: [P-1]
        """)
    result = cli("--dir", root, "--lang", "en", "check")
    assert result.exit_code == 1
    assert "predecessors form a cycle: P-1 → P-2 → P-1" in result.stderr or \
        "predecessors form a cycle: P-2 → P-1 → P-2" in result.stderr


# --- properties -------------------------------------------------------------------------------

CALENDARS = {"natural": Calendar, "weekdays": lambda: Calendar("weekdays"), "workdays": official}


@st.composite
def projects(draw):
    n = draw(st.integers(1, 12))
    items = []
    for i in range(n):
        item: dict = {}
        kind = draw(st.sampled_from(["task", "task", "milestone"]))
        if kind == "milestone":
            item["kind"] = "milestone"
        else:
            item["duration"] = draw(st.integers(0, 15))
        if draw(st.booleans()):
            item["due"] = (D("2018-06-01") + timedelta(days=draw(st.integers(0, 200)))).isoformat()
        preds = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
        if preds:
            item["after"] = [f"P-{p + 1}" for p in preds]
        if draw(st.integers(0, 5)) == 0:
            item["closed"] = {"date": (D("2018-05-01") + timedelta(days=draw(st.integers(0, 60)))).isoformat()}
        items.append(item)
    deadline = (D("2018-09-01") + timedelta(days=draw(st.integers(0, 120)))).isoformat()
    cal = draw(st.sampled_from(sorted(CALENDARS)))
    return ledger(*items, deadline=deadline, calendar=cal), cal


@settings(max_examples=150, deadline=None)
@given(projects(), st.randoms(use_true_random=False))
def test_schedule__invariants(project, rnd):
    led, cal_name = project
    cal = CALENDARS[cal_name]()
    s = plan(led, AS_OF, cal)
    p = by_id(s)
    for item in led.items:
        me = p[item.id]
        if me.fixed:
            assert me.finish == item.closed.date
            continue
        assert me.finish is not None  # every project here has a deadline
        # Every constraint holds.
        assert cal.is_counted(me.finish)
        assert me.finish <= led.deadline
        if item.due:
            assert me.finish <= item.due
        n = item.duration or 0
        assert cal.between(me.start, me.finish) == max(n - 1, 0) and cal.is_counted(me.start)
        successors = [o for o in led.items if item.id in o.after]
        for succ in successors:
            other = p[succ.id]
            if succ.duration in (None, 0):
                assert me.finish <= other.finish
            else:
                assert me.finish < other.start
        # As late as possible: one counted day later breaks a constraint.
        later = cal.add(me.finish, 1)
        broken = later > led.deadline or (item.due is not None and later > item.due) or any(
            (later > p[o.id].finish) if o.duration in (None, 0) else (later >= p[o.id].start)
            for o in successors)
        assert broken, item.id
        # Forward pass: nothing finishes before the as-of day allows, nor before its predecessors.
        assert me.earliest_finish >= cal.snap_forward(AS_OF)
        for ref in item.after:
            pred = p[ref]
            if item.duration in (None, 0):
                assert me.earliest_finish >= pred.earliest_finish
            else:
                assert me.earliest_finish > pred.earliest_finish
        assert me.slack == cal.between(me.earliest_finish, me.finish)
    # Independent of the order items are written in.
    shuffled = list(led.model_dump(exclude_none=True)["items"])
    rnd.shuffle(shuffled)
    other = Ledger.model_validate({**led.model_dump(exclude_none=True), "items": shuffled})
    assert by_id(plan(other, AS_OF, CALENDARS[cal_name]())) == p


@settings(max_examples=100, deadline=None)
@given(projects())
def test_schedule__flat_fast_path_equals_the_general_plan(project):
    """Projects of time nodes only take a shortcut; it must plan exactly as the general engine."""
    from taizhang.domain import schedule as engine

    led, cal_name = project
    flat = Ledger.model_validate({**led.model_dump(exclude_none=True), "items": [
        {k: v for k, v in item.items() if k not in ("after", "duration")}
        for item in led.model_dump(exclude_none=True)["items"]]})
    fast = engine._flat_plan(flat, AS_OF, CALENDARS[cal_name]())
    general = engine._general_plan(flat, AS_OF, CALENDARS[cal_name]())
    assert [p.to_json() for p in fast.items] == [p.to_json() for p in general.items]
    assert [(p.start, p.finish, p.bound_by) for p in fast.items] == [(p.start, p.finish, p.bound_by) for p in general.items]


def test_schedule__linear_in_items():
    """A chain of 3,000 items schedules (the engine walks each edge once)."""
    items = [{"duration": 2}] + [{"duration": 2, "after": [f"P-{i}"]} for i in range(1, 3000)]
    s = plan(ledger(*items, deadline="2040-12-31"), AS_OF, Calendar("weekdays"))
    assert s.items[-1].finish == D("2040-12-31")
    assert s.items[0].finish == Calendar("weekdays").add(s.items[1].start, -1)


# --- durations with a unit (SPEC §3/§4): natural spans and official working days ---------------------


def test_schedule__three_weeks_on_a_workdays_project_are_21_natural_days():
    # Over the 2018 National Day holiday: the finish Monday 10-08 is a working day; 21 natural
    # days end on it, whatever is worked in between (a bare 21 would reach back to 09-04).
    s = by_id(plan(ledger({"duration": "三周", "due": "2018-10-08"}, calendar="workdays"), AS_OF, official()))
    assert (s["P-1"].start, s["P-1"].finish) == (D("2018-09-18"), D("2018-10-08"))
    assert s["P-1"].earliest_finish == D("2018-07-05")  # 06-15 + 20 days: a Thursday, worked
    bare = by_id(plan(ledger({"duration": 21, "due": "2018-10-08"}, calendar="workdays"), AS_OF, official()))
    assert bare["P-1"].start == D("2018-09-04")  # 21 working days: 中秋 09-24 off, 09-29/30 worked


def test_schedule__a_natural_span_finishes_on_a_counted_day_and_may_start_on_any():
    # Deadline Monday 2018-12-31 is off (元旦 holiday; Saturday 12-29 was worked): the finish
    # snaps back to 12-29; 120天 then reach back to Saturday 09-01, a day off.
    s = by_id(plan(ledger({"duration": "120天"}, calendar="workdays"), AS_OF, official()))
    assert (s["P-1"].start, s["P-1"].finish) == (D("2018-09-01"), D("2018-12-29"))
    for written in ("120日", "120d", "120自然日"):
        same = by_id(plan(ledger({"duration": written}, calendar="workdays"), AS_OF, official()))
        assert (same["P-1"].start, same["P-1"].finish) == (D("2018-09-01"), D("2018-12-29"))


def test_schedule__working_days_count_the_official_calendar_on_a_natural_project():
    # 15个工作日 ending Monday 10-08: 10-08, 09-30, 09-29 (make-up days), 09-28 … 09-25,
    # 09-21 … 09-17 (中秋 09-24 off), 09-14, 09-13, 09-12.
    s = by_id(plan(ledger({"duration": "15个工作日", "due": "2018-10-08"}), AS_OF, Calendar()))
    assert (s["P-1"].start, s["P-1"].finish) == (D("2018-09-12"), D("2018-10-08"))
    # Forward from Friday 06-15: 端午 06-18 is off, so the 15th working day is 07-06.
    assert s["P-1"].earliest_finish == D("2018-07-06")
    assert s["P-1"].slack == 94


def test_schedule__months_are_calendar_months_ending_on_the_finish():
    s = by_id(plan(ledger({"duration": "2个月"}, {"duration": "3周", "after": ["P-1"]}), AS_OF, Calendar()))
    assert (s["P-2"].start, s["P-2"].finish) == (D("2018-12-11"), D("2018-12-31"))
    assert (s["P-1"].start, s["P-1"].finish) == (D("2018-10-11"), D("2018-12-10"))
    assert s["P-1"].earliest_finish == D("2018-08-14")  # 06-15 … 08-14: two months
    assert s["P-2"].earliest_finish == D("2018-09-04")
    end_of_month = by_id(plan(ledger({"duration": "两个月", "due": "2018-04-30"}), D("2018-01-01"), Calendar()))
    assert end_of_month["P-1"].start == D("2018-03-01")  # 02-28 is the same day two months back


def test_schedule__add_and_set_keep_the_written_span(cli, repo):
    root = repo(P="code: P\nname: 项目\ndeadline: 2018-12-31\ncalendar: workdays\nitems: []\n")
    assert cli("--dir", root, "--as-of", "2018-06-15", "add", "P", "施工", "--duration", "三周").exit_code == 0
    assert cli("--dir", root, "--as-of", "2018-06-15", "add", "P", "验收", "--duration", "15",
               "--after", "P-1").exit_code == 0
    assert cli("--dir", root, "--as-of", "2018-06-15", "set", "P-2", "duration=2个月").exit_code == 0
    text = (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")
    assert "    duration: 三周\n" in text and "    duration: 2个月\n" in text
    result = cli("--dir", root, "--as-of", "2018-06-15", "schedule", "P", "--json")
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert (items["P-2"]["start"], items["P-2"]["finish"]) == ("2018-10-30", "2018-12-29")
    assert (items["P-1"]["start"], items["P-1"]["finish"]) == ("2018-10-09", "2018-10-29")


@st.composite
def span_projects(draw):
    """Chains mixing counted days, natural spans (天, 周, 个月) and official working days."""
    n = draw(st.integers(1, 8))
    items = []
    for i in range(n):
        unit = draw(st.sampled_from(["", "天", "周", "个月", "个工作日"]))
        amount = draw(st.integers(1, 3 if unit in ("周", "个月") else 20))
        item: dict = {"duration": amount if not unit else f"{amount}{unit}"}
        if i and draw(st.booleans()):
            item["after"] = [f"P-{draw(st.integers(1, i))}"]
        if draw(st.integers(0, 3)) == 0:
            item["due"] = (D("2018-08-01") + timedelta(days=draw(st.integers(0, 150)))).isoformat()
        items.append(item)
    cal = draw(st.sampled_from(sorted(CALENDARS)))
    return ledger(*items, deadline="2018-12-31", calendar=cal), cal


@settings(max_examples=100, deadline=None)
@given(span_projects())
def test_schedule__spans_occupy_their_days_and_keep_the_order(project):
    led, cal_name = project
    cal = CALENDARS[cal_name]()
    p = by_id(plan(led, AS_OF, cal))
    workdays = official()
    for item in led.items:
        me, d = p[item.id], item.duration
        assert cal.is_counted(me.finish)  # a finish never falls on a day off
        if d.unit == "natural":
            assert (me.finish - me.start).days == int(d) - 1
        elif d.unit == "months":  # from the same date M months before (exclusive) to the finish
            from dateutil.relativedelta import relativedelta

            assert me.start == me.finish - relativedelta(months=int(d)) + timedelta(days=1)
        elif d.unit == "workdays":
            assert workdays.is_counted(me.start)
            assert workdays.between(me.start, workdays.snap(me.finish)) == int(d) - 1
        else:
            assert cal.between(me.start, me.finish) == int(d) - 1
        for ref in item.after:
            assert p[ref].finish < me.start  # a predecessor is done before its successor starts
        assert me.earliest_finish is not None and cal.is_counted(me.earliest_finish)


@settings(max_examples=150, deadline=None)
@given(st.one_of(projects(), span_projects()), st.dates(min_value=D("2018-04-01"), max_value=D("2019-03-01")))
def test_planned_nodes_are_the_finishes_of_the_plan_with_every_close_undone(project, as_of):
    """A late close is judged against the plan with closes undone: status takes its finishes from
    the backward pass alone (planned_nodes), `why` the whole plan (planned_open); they agree,
    for a ledger's model and for its cached facts."""
    from taizhang.domain.calendars import NO_EXTRA
    from taizhang.domain.lights import ledger_facts, planned_nodes, planned_open, project_plan
    from taizhang.domain.models import Settings

    led, _ = project
    settings_ = Settings()
    for subject in (led, ledger_facts(led)):
        schedule = project_plan(subject, as_of, settings_).by_id
        whole = planned_open(subject, as_of, settings_, NO_EXTRA, schedule)
        assert planned_nodes(subject, settings_, NO_EXTRA, schedule) == {
            item_id: p.finish for item_id, p in whole.items() if p.finish is not None}
