"""Terms that are not one date (SPEC §7): ongoing duties and recurring rules, stored in `due` as
written, lit by their own rules, explained by `why`, unplanned by `schedule`."""

from __future__ import annotations

import json
from datetime import date

import pytest

from taizhang.domain.terms import parse_term

D = date.fromisoformat
AS_OF = "2018-06-15"


# --- reading a term ------------------------------------------------------------------------------

OCCURRENCES = [  # rule, a day, the occurrence of the period holding it, the next one
    ("每月25日前", "2018-05-01", "2018-05-25", "2018-06-25"),
    ("每月25日前", "2018-05-25", "2018-05-25", "2018-06-25"),  # o_k closes its own period
    ("每月25日前", "2018-05-26", "2018-06-25", "2018-07-25"),
    ("每月二十五日前报送", "2018-05-26", "2018-06-25", "2018-07-25"),
    ("每月底前", "2018-02-10", "2018-02-28", "2018-03-31"),
    ("每月31日前", "2018-02-10", "2018-02-28", "2018-03-31"),  # a short month's last day
    ("每季度末月20日前", "2018-01-01", "2018-03-20", "2018-06-20"),
    ("每季度末月20日前", "2018-03-21", "2018-06-20", "2018-09-20"),
    ("每季度末", "2018-04-01", "2018-06-30", "2018-09-30"),
    ("每年12月底前", "2018-06-15", "2018-12-31", "2019-12-31"),
    ("每年十二月底前", "2018-06-15", "2018-12-31", "2019-12-31"),
    ("每年6月30日前", "2018-07-01", "2019-06-30", "2020-06-30"),
    ("每周五前", "2018-06-15", "2018-06-15", "2018-06-22"),  # 2018-06-15 is a Friday
    ("每周五前", "2018-06-16", "2018-06-22", "2018-06-29"),
    ("每星期一前", "2018-06-15", "2018-06-18", "2018-06-25"),
]


@pytest.mark.parametrize(("rule", "day", "current", "following"), OCCURRENCES,
                         ids=[f"{c[0]}@{c[1]}" for c in OCCURRENCES])
def test_term__occurrences(rule, day, current, following):
    term = parse_term(rule)
    assert term is not None and term.kind == "recurring"
    k = term.period_index(D(day))
    assert (term.occurrence(k), term.occurrence(k + 1)) == (D(current), D(following))


@pytest.mark.parametrize("word", ["长期坚持", "持续推进", "常态化", "长期坚持，每月调度"])
def test_term__ongoing_words(word):
    term = parse_term(word)
    assert term is not None and term.ongoing and term.text == word


@pytest.mark.parametrize("text", ["2018-04-30", "4月底", "每月32日前", "每周", "每月", "尽快", 20180430])
def test_term__what_is_not_a_term(text):
    assert parse_term(text) is None


def test_term__node_is_the_earliest_unmet_occurrence():
    term = parse_term("每月25日前")
    assert term is not None
    # SPEC §7's example: counted from May, a note on 05-20 meets May; the node is 06-25.
    assert term.node([D("2018-05-20")], D("2018-05-01"), D("2018-06-15")) == D("2018-06-25")
    # Counted from 1 January, January was never met: that is the node (and it is past).
    assert term.node([D("2018-05-20")], D("2018-01-01"), D("2018-06-15")) == D("2018-01-25")
    # Two notes in one period meet one occurrence; a note after as_of is not known yet.
    assert term.node([D("2018-05-02"), D("2018-05-20")], D("2018-05-01"), D("2018-06-15")) == D("2018-06-25")
    assert term.node([D("2018-05-20"), D("2018-06-01")], D("2018-05-01"), D("2018-06-15")) == D("2018-07-25")
    assert term.node([D("2018-05-20"), D("2018-06-01")], D("2018-05-01"), D("2018-05-31")) == D("2018-06-25")


# --- through the CLI -------------------------------------------------------------------------------

LEDGER = """\
code: P
name: 河湖长制
deadline: 2018-12-31
items:
  - id: P-1
    title: 河长巡河
    due: 长期坚持
    notes:
      - {date: 2018-06-10, by: 甲, text: 巡河}
  - id: P-2
    title: 上报月度进展
    due: 每月25日前
    from: 2018-05-01
    notes:
      - {date: 2018-05-20, by: 甲, text: 五月已报}
  - id: P-3
    title: 季度调度
    due: 每季度末月20日前
    from: 2018-01-01
  - id: P-4
    title: 常态化保洁
    due: 常态化
"""


def _items(cli, root, *more):
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--json", *more)
    assert result.exit_code == 0, result
    return {i["id"]: i for i in json.loads(result.stdout)["items"]}


def test_status__terms_are_lit_by_their_rules(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    items = _items(cli, root)
    # Ongoing, reported 5 days ago: green, no time node.
    assert (items["P-1"]["light"], items["P-1"]["due"], items["P-1"]["days_left"]) == ("green", None, None)
    # Recurring: May met by the note of 05-20, June is next.
    assert (items["P-2"]["light"], items["P-2"]["due"], items["P-2"]["days_left"]) == ("green", "2018-06-25", 10)
    # 03-20 passed without a report: red, however far off the deadline is.
    assert (items["P-3"]["light"], items["P-3"]["due"]) == ("red", "2018-03-20")
    # Ongoing and never reported since 1 January (stale_days 14): yellow, never red.
    assert (items["P-4"]["light"], items["P-4"]["due"]) == ("yellow", None)


def test_status__an_ongoing_duty_is_never_red_for_lateness(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    result = cli("--dir", root, "--as-of", "2030-01-01", "status", "--json")
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["P-1"]["light"] == "yellow" and items["P-4"]["light"] == "yellow"


def test_schedule__terms_have_no_time_node(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    result = cli("--dir", root, "--as-of", AS_OF, "schedule", "P", "--json")
    assert result.exit_code == 0, result
    for item in json.loads(result.stdout)["items"]:
        assert (item["start"], item["finish"], item["earliest_finish"], item["slack"]) == (None, None, None, None)


def test_why__explains_a_recurring_rule_and_an_ongoing_duty(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    recurring = cli("--dir", root, "--as-of", AS_OF, "why", "P-2").stdout
    assert "每月25日前" in recurring and "2018-06-25" in recurring and "2018-05-01" in recurring
    missed = cli("--dir", root, "--as-of", AS_OF, "why", "P-3").stdout
    assert "2018-03-20" in missed and "红灯" in missed
    ongoing = cli("--dir", root, "--as-of", AS_OF, "why", "P-1").stdout
    assert "长期坚持" in ongoing and "不因逾期亮红灯" in ongoing and "2018-06-10" in ongoing
    en = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "why", "P-4").stdout
    assert "ongoing duty" in en and "stale_days = 14" in en


def test_check__a_term_is_a_time_node_and_term_is_no_key(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER.replace("deadline: 2018-12-31\n", ""))
    result = cli("--dir", root, "check")
    assert result.exit_code == 0 and "P-1" not in result.stdout + result.stderr, result
    bad = repo(settings="year: 2018\n", P="code: P\nname: x\nitems:\n  - {id: P-1, title: a, term: 长期坚持}\n")
    assert cli("--dir", bad, "check").exit_code == 1


def test_add_and_set__store_terms_as_written(cli, repo):
    root = repo(settings="year: 2018\n", P="code: P\nname: x\nitems: []\n")
    assert cli("--dir", root, "--as-of", AS_OF, "add", "P", "河长巡河", "--due", "长期坚持").exit_code == 0
    assert cli("--dir", root, "--as-of", AS_OF, "add", "P", "月报", "--due", "2018-07-01").exit_code == 0
    result = cli("--dir", root, "--as-of", AS_OF, "set", "P-2", "due=每月25日前", "from=2018-06-01", "--reason", "改为按月报送")
    assert result.exit_code == 0, result
    text = (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")
    assert "    due: 长期坚持\n" in text and "    due: 每月25日前\n" in text and "    from: 2018-06-01\n" in text
    items = _items(cli, root)
    assert items["P-2"]["due"] == "2018-06-25"


def test_date__a_term_is_not_one_date(cli, repo):
    result = cli("--dir", repo(), "--as-of", AS_OF, "date", "长期坚持")
    assert result.exit_code == 1


def test_ledger_with_terms_round_trips_through_the_cache(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    (root / ".taizhang").mkdir()
    first, second = _items(cli, root), _items(cli, root)
    assert first == second


def test_status__an_ongoing_duty_shows_its_term_and_the_word_changqi_with_and_without_cache(cli, repo):
    root = repo(settings="year: 2018\n", P=LEDGER)
    (root / ".taizhang").mkdir()  # where the views are cached
    shown = []
    for _ in range(2):  # the second run reads the cached view
        result = cli("--dir", root, "--as-of", AS_OF, "status", "P", "--no-color")
        assert result.exit_code == 0, result
        shown.append(result.stdout)
    assert shown[0] == shown[1]
    row = next(line for line in shown[0].splitlines() if "河长巡河" in line)
    assert "长期坚持" in row and "长期" in row.split("长期坚持", 1)[1] and "正常" in row
    recurring = next(line for line in shown[0].splitlines() if "上报月度进展" in line)
    assert "2018-06-25" in recurring
