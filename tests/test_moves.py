"""Moving a time node (SPEC §7): `set … due=D --reason T` keeps the history in `changes:`; the
item is 已调整; why and the month report show 原定…，调整为…，原因…; the month review judges
on-time against the original node. A late close of a scheduled item is 逾期销号 too."""

from __future__ import annotations

import json
from datetime import date

from conftest import dedent

from taizhang.domain.models import Ledger, Settings
from taizhang.domain.reports import build_briefing

LEDGER = """\
    code: PG
    name: 棚户区改造工程
    unit: 区住建局
    deadline: 2018-12-31
    items:
      - id: PG-1
        title: 棚户区改造
        due: 2018-06-10
      - id: PG-2
        title: 安置房选址
    """


def _text(root):
    return (root / "ledgers" / "PG.yaml").read_text(encoding="utf-8")


def test_set__moving_a_written_due_needs_a_reason_and_changes_nothing_without(cli, repo):
    root = repo(PG=LEDGER)
    before = _text(root)
    result = cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-1", "due=2018-07-31")
    assert result.exit_code == 1 and "--reason" in result.stderr
    assert _text(root) == before


def test_set__a_reason_is_recorded_under_changes_oldest_first(cli, repo):
    root = repo(PG=LEDGER)
    before = _text(root)
    assert cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-1", "due=2018-07-31",
               "--reason", "征收方案调整", "--by", "督查室").exit_code == 0
    assert cli("--dir", root, "--as-of", "2018-07-20", "set", "PG-1", "due=8月底", "--reason", "雨季").exit_code == 0
    after = _text(root)
    assert after == before.replace("due: 2018-06-10", "due: 2018-08-31  # 8月底").replace(
        "    due: 2018-08-31  # 8月底\n", "    due: 2018-08-31  # 8月底\n"
        "    changes:\n"
        "      - {date: 2018-06-05, by: 督查室, field: due, from: 2018-06-10, to: 2018-07-31, reason: 征收方案调整}\n"
        "      - {date: 2018-07-20, by: 测试员, field: due, from: 2018-07-31, to: 2018-08-31, reason: 雨季}\n")


def test_set__giving_a_node_to_an_item_without_one_is_not_a_move(cli, repo):
    root = repo(PG=LEDGER)
    assert cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-2", "due=2018-09-30").exit_code == 0
    assert "changes:" not in _text(root)


def test_set__moving_a_deadline_is_recorded_on_the_project(cli, repo):
    root = repo(PG=LEDGER)
    assert cli("--dir", root, "--as-of", "2018-06-05", "set", "PG", "deadline=2019-06-30").exit_code == 1
    assert cli("--dir", root, "--as-of", "2018-06-05", "set", "PG", "deadline=2019-06-30",
               "--reason", "资金延后").exit_code == 0
    text = _text(root)
    assert ("deadline: 2019-06-30\nchanges:\n  - {date: 2018-06-05, by: 测试员, field: deadline, "
            "from: 2018-12-31, to: 2019-06-30, reason: 资金延后}\nitems:\n") in text


def test_status_json__moved_and_why_shows_the_original_node_and_reason(cli, repo):
    root = repo(PG=LEDGER)
    cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-1", "due=2018-07-31", "--reason", "征收方案调整")
    items = {i["id"]: i for i in json.loads(cli("--dir", root, "--as-of", "2018-06-15", "status", "--json").stdout)["items"]}
    assert items["PG-1"]["moved"] is True and items["PG-2"]["moved"] is False
    why = cli("--dir", root, "--as-of", "2018-06-15", "why", "PG-1").stdout
    assert "原定 2018-06-10，调整为 2018-07-31，原因：征收方案调整" in why
    table = cli("--dir", root, "--as-of", "2018-06-15", "status", "PG").stdout
    assert "棚户区改造（已调整）" in table


MONTH = """\
    code: PG
    name: 棚户区改造工程
    unit: 区住建局
    deadline: 2018-06-30
    items:
      - id: PG-1
        title: 棚户区改造
        due: 2018-06-20
        closed: {date: 2018-06-18}
        changes:
          - {date: 2018-06-01, by: 督查室, field: due, from: 2018-06-10, to: 2018-06-20, reason: 征收方案调整}
      - id: PG-2
        title: 安置房选址
        duration: 5
        closed: {date: 2018-06-28}
      - id: PG-3
        title: 交房
        after: [PG-2]
        duration: 2
    """


def test_month_review__judged_against_the_original_and_the_planned_node():
    ledger = Ledger.model_validate(__import__("yaml").safe_load(dedent(MONTH)))
    b = build_briefing([ledger], date(2018, 6, 30), "month", Settings())
    closed = {r.id: r for r in b.closed}
    assert closed["PG-1"].late_days == 8  # closed 06-18, after the original node 06-10
    # PG-3 ends on the deadline 06-30 and takes 06-29..06-30: PG-2's node as planned is 06-28,
    # its close on that day is on time.
    assert closed["PG-2"].late_days == 0
    [unit] = [u for u in b.review.by_rate if u.unit == "区住建局"]
    assert (unit.due, unit.on_time, unit.late) == (2, 1, 1)
    assert [(m.id, m.old, m.new, m.reason) for m in b.review.moves] == [
        ("PG-1", date(2018, 6, 10), date(2018, 6, 20), "征收方案调整")]


def test_month_review__a_late_close_of_a_scheduled_item_is_逾期销号():
    text = dedent(MONTH).replace("closed: {date: 2018-06-28}", "closed: {date: 2018-06-29}")
    ledger = Ledger.model_validate(__import__("yaml").safe_load(text))
    b = build_briefing([ledger], date(2018, 6, 30), "month", Settings())
    assert {r.id: r.late_days for r in b.closed}["PG-2"] == 1


def test_report_month__says_how_many_nodes_moved_and_each_move(cli, repo):
    root = repo(PG=MONTH)
    out = cli("--dir", root, "--as-of", "2018-06-30", "report", "month", "--format", "md").stdout
    assert "本期调整时间节点 1 个" in out
    assert "PG-1「棚户区改造」原定 2018-06-10，调整为 2018-06-20，原因：征收方案调整。" in out


def test_why__a_moved_item_closed_after_its_original_node_is_逾期销号(cli, repo):
    root = repo(PG=MONTH)
    why = cli("--dir", root, "--as-of", "2018-06-30", "why", "PG-1").stdout
    assert "原定 2018-06-10，调整为 2018-06-20" in why and "比时间节点晚 8 天（逾期销号）" in why


def test_why__a_scheduled_item_closed_after_its_planned_node_is_逾期销号(cli, repo):
    root = repo(PG=MONTH.replace("closed: {date: 2018-06-28}", "closed: {date: 2018-06-29}"))
    why = cli("--dir", root, "--as-of", "2018-06-30", "why", "PG-2").stdout
    assert "时间节点 2018-06-28 由倒排工期算出" in why and "比时间节点晚 1 天（逾期销号）" in why


# --- removing a written node, or replacing it by a term, is a move too (SPEC §3) ------------------

def test_set__removing_a_written_due_or_deadline_needs_a_reason(cli, repo):
    root = repo(PG=LEDGER)
    before = _text(root)
    for args in (("PG-1", "due="), ("PG", "deadline="), ("PG-1", "due=长期坚持"), ("PG-1", "due=每月25日前")):
        result = cli("--dir", root, "--as-of", "2018-06-05", "set", *args)
        assert result.exit_code == 1 and result.stdout == "", (args, result)
        [line] = result.stderr.splitlines()
        assert "调整、删去或改为期限，都须用 --reason 说明原因" in line, line
    assert _text(root) == before


def test_set__a_node_removed_is_recorded_with_to_null(cli, repo):
    root = repo(PG=LEDGER)
    before = _text(root)
    item = cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-1", "due=", "--reason", "并入PG-2", "--by", "督查室")
    project = cli("--dir", root, "--as-of", "2018-06-05", "set", "PG", "deadline=", "--reason", "分期建设", "--by", "督查室")
    assert item.exit_code == 0 and project.exit_code == 0 and "--reason" not in item.stderr + project.stderr
    assert _text(root) == before.replace(
        "deadline: 2018-12-31\n",
        "changes:\n  - {date: 2018-06-05, by: 督查室, field: deadline, from: 2018-12-31, to: null, reason: 分期建设}\n"
    ).replace(
        "    due: 2018-06-10\n",
        "    changes:\n      - {date: 2018-06-05, by: 督查室, field: due, from: 2018-06-10, to: null, reason: 并入PG-2}\n")
    checked = cli("--dir", root, "--as-of", "2018-06-05", "check")
    assert checked.exit_code == 0 and "0 个错误" in checked.stdout and "changes" not in checked.stderr, checked
    items = {i["id"]: i for i in json.loads(cli("--dir", root, "--as-of", "2018-06-15", "status", "--json").stdout)["items"]}
    assert items["PG-1"]["moved"] is True and items["PG-1"]["due"] is None
    why = cli("--dir", root, "--as-of", "2018-06-15", "why", "PG-1").stdout
    assert "原定 2018-06-10，调整为 无时限，原因：并入PG-2（2018-06-05 督查室）" in why
    month = cli("--dir", root, "--as-of", "2018-06-30", "report", "month", "--format", "md").stdout
    assert "PG-1「棚户区改造」原定 2018-06-10，调整为 无时限，原因：并入PG-2。" in month
    english = cli("--dir", root, "--as-of", "2018-06-30", "--lang", "en", "report", "month", "--format", "md").stdout
    assert "PG-1 棚户区改造: originally 2018-06-10, moved to no deadline, because: 并入PG-2." in english


def test_set__a_node_replaced_by_a_term_is_recorded_with_the_term(cli, repo):
    root = repo(PG=LEDGER)
    result = cli("--dir", root, "--as-of", "2018-06-05", "set", "PG-1", "due=长期坚持", "--reason", "改为长效机制")
    assert result.exit_code == 0 and "--reason" not in result.stderr, result
    text = _text(root)
    assert ("    due: 长期坚持\n    changes:\n      - {date: 2018-06-05, by: 测试员, field: due, from: 2018-06-10, "
            "to: 长期坚持, reason: 改为长效机制}\n") in text
    assert cli("--dir", root, "--as-of", "2018-06-05", "check").exit_code == 0
    why = cli("--dir", root, "--as-of", "2018-06-15", "why", "PG-1").stdout
    assert "期限“长期坚持”是长期性工作" in why and "原定 2018-06-10，调整为 长期坚持，原因：改为长效机制" in why
    month = cli("--dir", root, "--as-of", "2018-06-30", "report", "month").stdout
    assert "PG-1「棚户区改造」原定 2018-06-10，调整为 长期坚持，原因：改为长效机制。" in month


def test_model__a_moves_to_is_a_day_a_term_or_null_and_nothing_else():
    def change(to):
        return {"code": "PG", "name": "x", "items": [{"id": "PG-1", "title": "t", "changes": [
            {"date": "2018-06-05", "field": "due", "from": "2018-06-10", "to": to, "reason": "r"}]}]}

    assert Ledger.model_validate(change(None)).items[0].changes[0].to is None
    assert Ledger.model_validate(change("每月25日前")).items[0].changes[0].to == "每月25日前"
    assert Ledger.model_validate(change("2018-07-31")).items[0].changes[0].to == date(2018, 7, 31)
    assert Ledger.model_validate(change("4月底"), context={"year": 2018}).items[0].changes[0].to == date(2018, 4, 30)
    for wrong in ("尽快", "2018-02-30", "某天"):
        try:
            Ledger.model_validate(change(wrong))
        except Exception as e:  # pydantic's ValidationError, mapped to a line by the loader
            assert "to" in str(e)
        else:
            raise AssertionError(wrong)


def test_log__a_removed_node_and_a_term_say_where_the_node_went(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "PG.yaml").write_text(dedent(LEDGER).replace("    title: 安置房选址\n",
                                                                    "    title: 安置房选址\n    due: 2018-09-30\n"),
                                              encoding="utf-8")

    def run(*args):
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_GLOBAL": "/dev/null", "USER": "测试员",
               "GIT_CONFIG_NOSYSTEM": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)

    def tz(*args):
        return run(sys.executable, "-m", "taizhang", "--as-of", "2018-06-05", *args)

    for args in (("init", "-q", "-b", "main"), ("config", "user.name", "督查室"), ("config", "user.email", "d@x"),
                 ("add", "-A"), ("commit", "-qm", "台账")):
        assert run("git", *args).returncode == 0
    assert tz("set", "PG-1", "due=", "--reason", "并入PG-2", "--commit").returncode == 0
    assert tz("set", "PG-2", "due=长期坚持", "--reason", "改为长效机制", "--commit").returncode == 0
    log = tz("log", "PG")
    assert log.returncode == 0, log.stderr
    assert "调整时间节点 PG-1 棚户区改造：原定 2018-06-10，调整为 无时限，原因：并入PG-2" in log.stdout
    assert "调整时间节点 PG-2 安置房选址：原定 2018-09-30，调整为 长期坚持，原因：改为长效机制" in log.stdout
