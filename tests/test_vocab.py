"""The domain's words, each said once: key orders from the models' fields, allowed values from
their Literal types, item ids parsed in one module, the time-node rule in one function."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import AS_OF

from taizhang.domain import vocab
from taizhang.domain.calendars import CALENDARS, DEFAULT_CALENDAR, calendar_name, make_calendar
from taizhang.domain.ids import is_code, is_item_id, item_number, make_item_id, next_number, project_code, split_item_id
from taizhang.domain.lights import ALL_LIGHTS, OPEN_LIGHTS, SEVERITY, WORST_FIRST, evaluate
from taizhang.domain.models import KINDS, STAGES, CalendarRule, Item, Ledger, Settings
from taizhang.domain.schedule import Planned, time_node
from taizhang.errors import TaizhangError

D = date.fromisoformat


def test_vocab__key_orders_are_the_models_field_orders():
    # The order files write keys in: changing it would reorder every new item in every ledger.
    assert vocab.ITEM_KEY_ORDER == ("id", "title", "kind", "due", "duration", "after", "owner", "unit",
                                    "leader", "target", "measures", "apply", "closed", "notes", "changes", "from")
    assert vocab.PROJECT_KEY_ORDER == ("code", "name", "program", "stage", "unit", "leader", "owner",
                                       "deadline", "calendar", "investment", "changes", "items")


def test_vocab__what_set_may_change_and_what_it_may_not_empty():
    assert vocab.ITEM_SETTABLE == ("title", "kind", "due", "duration", "after", "owner", "unit", "leader",
                                   "target", "measures", "from")
    assert vocab.PROJECT_SETTABLE == ("name", "program", "stage", "unit", "leader", "owner", "deadline",
                                      "calendar")
    assert vocab.REQUIRED == ("title", "name")
    assert vocab.DATE_FIELDS == ("due", "from", "deadline")


def test_vocab__allowed_values_are_what_the_models_accept():
    for kind in KINDS:
        assert Item(id="X-1", title="t", kind=kind).kind == kind
    for stage in STAGES:
        assert Ledger(code="X", name="n", stage=stage).stage == stage
    for name in CALENDARS:
        assert Ledger(code="X", name="n", calendar=name).calendar == name
    assert Item(id="X-1", title="t").kind == vocab.DEFAULT_KIND
    assert CalendarRule().base == DEFAULT_CALENDAR
    with pytest.raises(ValueError):
        Item(id="X-1", title="t", kind="chore")


def test_lights__worst_first_names_every_light_once():
    assert sorted(WORST_FIRST) == sorted(ALL_LIGHTS) and len(set(WORST_FIRST)) == len(ALL_LIGHTS)
    assert list(SEVERITY) == list(WORST_FIRST)
    assert "done" not in OPEN_LIGHTS and len(OPEN_LIGHTS) == len(ALL_LIGHTS) - 1


@pytest.mark.parametrize("item_id, code, number", [("YT2-3", "YT2", 3), ("A-10", "A", 10),
                                                   ("SQJD12-101", "SQJD12", 101)])
def test_ids__code_and_number(item_id, code, number):
    assert is_item_id(item_id) and is_code(code)
    assert project_code(item_id) == code and item_number(item_id) == number
    assert make_item_id(code, number) == item_id
    assert split_item_id(item_id) == code


@pytest.mark.parametrize("text", ["yt2-3", "YT2-0", "YT2", "YT2-3-1", "", None])
def test_ids__not_an_item_id(text):
    assert not is_item_id(text)
    with pytest.raises(TaizhangError):
        split_item_id(text)


def test_ids__next_number_follows_the_highest_in_use():
    assert next_number([]) == 1
    assert next_number(["P-1", "P-7", "P-3"]) == 8  # numbers are never reused: not 2


def test_calendar_name__a_name_a_rule_or_the_default():
    assert calendar_name(None) == DEFAULT_CALENDAR == make_calendar(None).name
    assert calendar_name("weekdays") == "weekdays"
    assert calendar_name(CalendarRule(base="workdays", days_off=["2018-06-18"])) == "workdays"


def _planned(finish: date | None, slack: int | None = None, fixed: bool = False) -> Planned:
    return Planned("X-1", finish, finish, None, slack, False, 0, True, fixed, None)


def test_time_node__the_due_else_the_computed_finish():
    assert time_node(Item(id="X-1", title="t", due="2018-07-01"), _planned(D("2018-06-01"))) == D("2018-07-01")
    assert time_node(Item(id="X-1", title="t"), _planned(D("2018-06-01"))) == D("2018-06-01")
    assert time_node(Item(id="X-1", title="t"), _planned(None)) is None


def test_planned__infeasible_is_negative_slack_while_open():
    assert _planned(D("2018-06-01"), -1).infeasible
    assert not _planned(D("2018-06-01"), 0).infeasible
    assert not _planned(D("2018-06-01"), None).infeasible
    assert not _planned(D("2018-06-01"), -1, fixed=True).infeasible


def test_time_node__the_status_lights_use_it():
    ledger = Ledger.model_validate({"code": "X", "name": "n", "deadline": "2018-06-20",
                                    "items": [{"id": "X-1", "title": "t"}, {"id": "X-2", "title": "u",
                                                                            "due": "2018-06-16"}]})
    (project,) = evaluate([ledger], D(AS_OF), Settings())
    assert {i.id: i.due for i in project.items} == {"X-1": D("2018-06-20"), "X-2": D("2018-06-16")}


def test_why__a_repository_calendar_rule_is_named_by_its_base(cli, repo):
    # Was the rule's repr: "(base='workdays' days_off=[...] ...) calendar".
    root = repo(settings="calendar: {base: weekdays, days_off: [2018-06-18]}\n",
                P="code: P\nname: 项目\ndeadline: 2018-12-31\nitems:\n  - {id: P-1, title: 倒排}\n")
    out = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "why", "P-1").stdout
    assert "(weekdays calendar)" in out, out


def test_official__counts_a_repository_calendar_too():
    from taizhang.domain.calendars import official, year_days

    extra = year_days([date(2018, 6, 19)], [], [])
    assert official().is_counted(date(2018, 6, 19)) and not official(extra).is_counted(date(2018, 6, 19))
