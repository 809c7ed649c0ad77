"""`trend` against a repository whose git history the test writes commit by commit, each commit
dated: every period is judged from the ledgers as committed on its last day."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from taizhang.domain.models import Settings
from taizhang.domain.trend import spans
from taizhang.gitops.history import build_trend, commit_on, ledger_commits, snapshots
from taizhang.render import charts

GOLDEN = REPO_ROOT / "tests" / "golden"


def _golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; TAIZHANG_REGEN_GOLDEN=1 writes it anew (review the diff)."""
    import os

    if os.environ.get("TAIZHANG_REGEN_GOLDEN"):
        (GOLDEN / name).write_text(actual, encoding="utf-8")
    assert actual == (GOLDEN / name).read_text(encoding="utf-8")

HEAD = """\
code: A
name: 甲项目
unit: 区住建局
investment:
  planned: {2018: 3650}
  completed: {COMPLETED}
items:
  - id: A-1
    title: 完成征收
    due: 2018-01-10{CLOSE1}
  - id: A-2
    title: 完成设计
    due: 2018-01-20{CLOSE2}
  - id: A-3
    title: 开工
    due: 2018-03-15
  - id: A-4
    title: 完成招标
    due: 2018-01-31{CLOSE4}
"""


def _ledger(completed: str = "{}", close1: str = "", close2: str = "", close4: str = "") -> str:
    def close(day: str) -> str:
        return f"\n    closed: {{date: {day}, by: 张三}}" if day else ""

    return (HEAD.replace("{COMPLETED}", completed).replace("{CLOSE1}", close(close1))
            .replace("{CLOSE2}", close(close2)).replace("{CLOSE4}", close(close4)))


def _git(root: Path, *args: str, day: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    if day:
        env.update(GIT_AUTHOR_DATE=f"{day}T10:00:00+08:00", GIT_COMMITTER_DATE=f"{day}T10:00:00+08:00")
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _commit(root: Path, day: str, text: str, message: str) -> None:
    (root / "ledgers" / "A.yaml").write_text(text, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", message, day=day)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return make_history(tmp_path / "office")


def make_history(root: Path) -> Path:
    """Five weeks of an office's work on project A:
    01-03 the ledger; 01-12 A-1 closed (01-09, on time), 100 万 in January;
    02-06 A-2's close entered late (dated 01-19: on time, but the office did not know it until
    February), A-4 closed 02-02 (two days late), 200 万 in February."""
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "张三")
    _git(root, "config", "user.email", "clerk@example.org")
    _commit(root, "2018-01-03", _ledger(), "台账")
    _commit(root, "2018-01-12", _ledger("{2018-01: 100}", "2018-01-09"), "A-1 销号")
    _commit(root, "2018-02-06", _ledger("{2018-01: 100, 2018-02: 200}", "2018-01-09", "2018-01-19", "2018-02-02"),
            "补录 A-2、A-4 销号")
    return root


def _trend(root: Path, by: str = "week", first: date | None = date(2018, 1, 1), as_of: date = date(2018, 2, 11)):
    return build_trend(root, by, as_of, Settings(year=2018), first=first)  # type: ignore[arg-type]


def test_trend__each_week_is_judged_from_what_was_committed_by_its_sunday(history):
    trend = _trend(history)
    weeks = [(p.span.start.isoformat(), p.span.end.isoformat()) for p in trend.points]
    assert weeks[0] == ("2018-01-01", "2018-01-07") and weeks[-1] == ("2018-02-05", "2018-02-11")
    assert len(weeks) == 6
    lights = [{k: v for k, v in p.lights.items() if v} for p in trend.points]
    assert lights[0] == {"yellow": 1, "green": 3}  # A-1 due in 3 days
    assert lights[1] == {"yellow": 1, "green": 2, "done": 1}  # A-2 due in 6 days
    # A-2 was closed on 01-19, but nobody had entered it by 01-21: that week saw it red, and the
    # close entered on 02-06 does not rewrite it.
    assert lights[2] == {"red": 1, "green": 2, "done": 1}
    assert lights[4] == {"red": 2, "green": 1, "done": 1}  # A-4 past its node too
    assert lights[5] == {"green": 1, "done": 3}
    assert [p.due for p in trend.points] == [0, 1, 2, 2, 3, 3]
    assert [p.closed for p in trend.points] == [0, 1, 1, 1, 1, 3]
    assert [p.closed_late for p in trend.points] == [0, 0, 0, 0, 0, 1]
    assert [p.closed_in_period for p in trend.points] == [0, 1, 0, 0, 0, 0]
    assert [p.items for p in trend.points] == [4] * 6
    # 3650 万 planned: the time line is 10 万 a day of the year.
    assert [p.timeline for p in trend.points] == [70, 140, 210, 280, 350, 420]
    assert [p.completed for p in trend.points] == [0, 100, 100, 100, 100, 300]
    assert [p.commit is not None for p in trend.points] == [True] * 6


def test_trend__months_and_the_as_of_day_inside_the_last_month(history):
    trend = _trend(history, "month", as_of=date(2018, 2, 11))
    assert [(p.span.end, p.span.judged) for p in trend.points] == [
        (date(2018, 1, 31), date(2018, 1, 31)), (date(2018, 2, 28), date(2018, 2, 11))]
    assert [p.closed for p in trend.points] == [1, 3]


def test_trend__before_the_first_commit_there_is_nothing(history):
    trend = _trend(history, first=date(2017, 12, 20), as_of=date(2018, 1, 7))
    assert trend.points[0].commit is None and trend.points[0].items == 0
    assert trend.points[-1].items == 4


def test_trend__the_default_start_is_the_first_commit(history):
    trend = _trend(history, first=None)
    assert trend.points[0].span.start == date(2018, 1, 1)  # the week of 01-03


def test_commit_on__follows_the_branch_not_the_clock():
    commits = [("c3", date(2018, 1, 5)), ("c2", date(2018, 1, 9)), ("c1", date(2018, 1, 2))]
    assert commit_on(commits, date(2018, 1, 6)) == "c3"  # the newest along the branch dated by then
    assert commit_on(commits, date(2018, 1, 1)) is None


def test_snapshots__read_blobs_once_and_skip_broken_ledgers(history):
    _commit(history, "2018-02-08", "code: A\nname: [unclosed\n", "坏了")
    snaps = snapshots(history, [date(2018, 1, 7), date(2018, 2, 7), date(2018, 2, 9)], Settings(year=2018))
    assert [len(s.ledgers) for s in snaps] == [1, 1, 0]
    assert len(snaps[2].broken) == 1 and snaps[2].broken[0].path == "ledgers/A.yaml"
    assert len(ledger_commits(history)) == 4


def test_snapshots__a_merged_branch_counts_from_the_merge(history):
    """A close made on a branch on 02-07 and merged on 02-10: the week judged on 02-08 from the
    main line does not see it, whatever day the branch's commit carries."""
    _git(history, "checkout", "-qb", "side")
    text = _ledger("{2018-01: 100, 2018-02: 200}", "2018-01-09", "2018-01-19", "2018-02-02").replace(
        "    due: 2018-03-15", "    due: 2018-03-15\n    closed: {date: 2018-02-07, by: 李四}")
    _commit(history, "2018-02-07", text, "A-3 销号（分支）")
    _git(history, "checkout", "-q", "main")
    _git(history, "merge", "-q", "--no-ff", "-m", "合并", "side", day="2018-02-10")
    first, second = snapshots(history, [date(2018, 2, 8), date(2018, 2, 10)], Settings(year=2018))
    items = lambda snap: {i.id: i for i in snap.ledgers[0].items}
    assert items(first)["A-3"].closed is None
    assert items(second)["A-3"].closed is not None


def test_spans__weeks_end_on_sunday():
    found = spans("week", date(2018, 1, 3), date(2018, 1, 10))
    assert [(s.start, s.end, s.judged) for s in found] == [
        (date(2018, 1, 1), date(2018, 1, 7), date(2018, 1, 7)),
        (date(2018, 1, 8), date(2018, 1, 14), date(2018, 1, 10))]


# --- the command ----------------------------------------------------------------------------

def test_trend_cli__text_json_svg_html(cli, history, tmp_path):
    base = ("--dir", history, "--as-of", "2018-02-11", "trend", "--from", "2018-01-01")
    text = cli(*base)
    assert text.exit_code == 0, text
    _golden("trend_history.txt", text.stdout)
    data = json.loads(cli(*base, "--format", "json").stdout)
    assert [p["closed"] for p in data["periods"]] == [0, 1, 1, 1, 1, 3]
    assert data["periods"][2]["lights"]["red"] == 1 and data["periods"][5]["invest"]["completed"] == "300"
    assert data["periods"][0]["moved"] == 0  # no node moved in that week
    svg = cli(*base, "--format", "svg").stdout
    _golden("trend_history.svg", svg)
    out = tmp_path / "trend.html"
    assert cli(*base, "--out", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "<script" not in page and "序时进度" in page


def test_trend_cli__codes_filter_and_refusals(cli, history, tmp_path):
    base = ("--dir", history, "--as-of", "2018-02-11", "trend")
    other = json.loads(cli(*base, "B", "--format", "json").stdout)
    assert all(p["items"] == 0 for p in other["periods"])
    late = cli(*base, "--from", "2018-03-01")
    assert late.exit_code == 1 and "晚于" in late.stderr
    plain = tmp_path / "plain"
    (plain / "ledgers").mkdir(parents=True)
    (plain / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    outside = cli("--dir", plain, "trend")
    assert outside.exit_code == 1 and "git" in outside.stderr


def test_trend_cli__english(cli, history):
    text = cli("--dir", history, "--as-of", "2018-02-11", "--lang", "en", "trend", "--by", "month").stdout
    assert text.splitlines()[0] == "Trend of lights and closes (by month)"
    assert text.splitlines()[-1].startswith("2018-02 ")


def test_charts__axis_ticks_are_round():
    assert charts._ticks(0) == (4.0, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert charts._ticks(7)[0] == 8.0
    assert charts._ticks(420)[0] == 500.0
    assert charts._ticks(1234)[0] == 1500.0 or charts._ticks(1234)[0] == 2000.0



def test_trend_cli__the_cache_never_changes_a_result_and_a_pipe_gets_no_bar(cli, history, monkeypatch):
    base = ("--dir", history, "--as-of", "2018-02-11", "trend", "--from", "2018-01-01", "--format", "json")
    first = cli(*base)
    assert first.stderr == ""  # no progress bar off a terminal
    assert list((history / ".taizhang" / "cache").glob("history.json"))
    again = cli(*base)
    monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    fresh = cli(*base)
    assert first.stdout == again.stdout == fresh.stdout


# --- 单位排名 (the month report's league table) ------------------------------------------------

def test_league__joint_units_count_under_each_unit_and_rank_by_rate_then_red():
    from taizhang.domain.lights import evaluate
    from taizhang.domain.models import Ledger
    from taizhang.domain.reports import league

    ledger = Ledger.model_validate({"code": "A", "name": "甲", "unit": "区住建局", "items": [
        {"id": "A-1", "title": "一", "due": date(2018, 5, 1), "closed": {"date": date(2018, 4, 30)}},
        {"id": "A-2", "title": "二", "due": date(2018, 5, 1), "closed": {"date": date(2018, 5, 3)},
         "unit": "区财政局、区住建局"},
        {"id": "A-3", "title": "三", "due": date(2018, 6, 1), "unit": "区财政局"},
        {"id": "A-4", "title": "四", "due": date(2018, 9, 1), "unit": "区国土局"},
    ]})
    rows = {r.unit: r for r in league(evaluate([ledger], date(2018, 6, 15), Settings()), date(2018, 6, 15))}
    housing, finance, land = rows["区住建局"], rows["区财政局"], rows["区国土局"]
    assert (housing.items, housing.assisting, housing.on_time, housing.closed_late, housing.open_late) == (2, 1, 1, 1, 0)
    assert (finance.items, finance.assisting, finance.on_time, finance.closed_late, finance.open_late, finance.red) \
        == (2, 0, 0, 1, 1, 1)
    assert (housing.rank, finance.rank, land.rank) == (1, 2, None)
    assert [r.unit for r in league(evaluate([ledger], date(2018, 6, 15), Settings()), date(2018, 6, 15))][-1] == "区国土局"


def test_league__in_every_month_report_format(cli, tmp_path):
    md = cli("--dir", REPO_ROOT, "--as-of", "2018-06-15", "report", "month", "--format", "md").stdout
    assert "## 十、单位排名" in md
    week = cli("--dir", REPO_ROOT, "--as-of", "2018-06-15", "report", "week", "--format", "md").stdout
    assert "单位排名" not in week
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    assert cli("--dir", REPO_ROOT, "--as-of", "2018-06-15", "report", "month", "--out", out).exit_code == 0
    assert "单位排名" in load_workbook(out).sheetnames


def test_progress_bar__drawn_on_a_terminal_for_a_long_history_only(monkeypatch):
    import io

    from taizhang.cli.common import PROGRESS_FROM, Env, progress_bar

    env = Env(dir=None, as_of_text=None, lang_opt=None, no_color=True)
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stderr", terminal)
    with progress_bar(env) as step:
        step(3, PROGRESS_FROM - 1)  # short: no bar
    assert terminal.getvalue() == ""
    with progress_bar(env) as step:
        step(PROGRESS_FROM // 2, PROGRESS_FROM)
    assert "git" in terminal.getvalue() and f"/{PROGRESS_FROM}" in terminal.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    with progress_bar(env) as step:
        assert step is None


def test_trend_point__moved_nodes_count_items_with_changes_once_the_model_has_them(monkeypatch):
    from types import SimpleNamespace

    from taizhang.domain.models import Item
    from taizhang.domain.trend import Span, has_moves, trend_point

    assert has_moves(SimpleNamespace(model_fields={"changes": None})) and not has_moves(SimpleNamespace())
    span = Span(date(2018, 1, 1), date(2018, 1, 7), date(2018, 1, 7))
    moved = SimpleNamespace(code="A", items=[SimpleNamespace(changes=[{"due": "2018-01-05"}]),
                                             SimpleNamespace(changes=[]), SimpleNamespace()],
                            investment=None)
    assert trend_point(span, None, [], Settings(), moves=has_moves(Item)).moved == (0 if has_moves(Item) else None)
    # Counted over the ledgers as given: the lights are not needed for it.
    monkeypatch.setattr("taizhang.domain.trend.evaluate", lambda *args, **kwargs: [])
    assert trend_point(span, None, [moved], Settings(), moves=True).moved == 1  # type: ignore[list-item]
