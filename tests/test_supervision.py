"""Supervision (督查): investment against time, 督办 by unit, why, report rhythm."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import AS_OF

from taizhang.domain.invest import invest_light, invest_row, round4, time_progress
from taizhang.domain.models import Ledger, Settings

D = date.fromisoformat


@pytest.mark.parametrize("day, expected", [
    ("2018-06-15", "0.4548"),   # day 166 of 365 (SPEC §5)
    ("2018-01-01", "0.0027"),
    ("2018-12-31", "1.0000"),
    ("2020-02-29", "0.1639"),   # leap year: day 60 of 366
    ("2020-12-31", "1.0000"),
    ("2020-07-01", "0.5000"),   # leap year: day 183 of 366, exactly half
    ("2019-07-02", "0.5014"),   # 183/365 = 0.501369… → half-up to 4 places
])
def test_time_progress(day, expected):
    assert str(round4(time_progress(D(day)))) == expected


def _project(**investment) -> Ledger:
    return Ledger.model_validate({"code": "P", "name": "项目", "program": "双十工程", "investment": investment})


def test_invest_row__plan_completed_rate_and_lag():
    ledger = _project(planned={2018: "16亿", 2019: "10亿"},
                      completed={"2017-12": "1亿", "2018-01": "2亿", "2018-06": "1.2亿", "2018-07": "9亿"})
    row = invest_row(ledger, D(AS_OF), Settings(), time_progress(D(AS_OF)))
    assert row.planned == Decimal(160000)
    assert row.completed == Decimal(32000)        # January and June 2018; not 2017, not July
    assert row.rate == Decimal("0.2")
    assert round4(row.lag) == Decimal("25.4795")   # (166/365 − 0.2) × 100 百分点
    assert row.light == "yellow"                   # past 10, not past 30
    assert row.to_json() == {"code": "P", "planned": "160000", "completed": "32000", "rate": "0.2000",
                             "lag": "25.4795", "light": "yellow"}


@pytest.mark.parametrize("lag, light", [(None, "none"), (Decimal("-5"), "green"), (Decimal(10), "green"),
                                        (Decimal("10.01"), "yellow"), (Decimal(30), "yellow"), (Decimal("30.5"), "red")])
def test_invest_light__thresholds(lag, light):
    assert invest_light(lag, Settings()) == light


def test_invest_light__thresholds_from_settings():
    settings = Settings.model_validate({"invest": {"yellow": 5, "red": 15}})
    assert invest_light(Decimal(6), settings) == "yellow" and invest_light(Decimal(16), settings) == "red"


INVEST = """\
    code: P
    name: 测试项目
    program: 双十工程
    investment:
      total: 30亿   # 总投资
      planned: {2018: 16亿}
      completed: {2018-01: 2亿, 2018-02: 1.2亿}
    items: []
    """


def test_status_invest_json__exact_shape(cli, repo):
    root = repo(P=INVEST, Q="code: Q\nname: 无投资项目\n")
    data = json.loads(cli("--dir", root, "--as-of", AS_OF, "status", "--invest", "--json").stdout)
    assert data == {"as_of": AS_OF, "time_progress": "0.4548", "projects": [
        {"code": "P", "planned": "160000", "completed": "32000", "rate": "0.2000", "lag": "25.4795",
         "light": "yellow"},
        {"code": "Q", "planned": None, "completed": "0", "rate": None, "lag": None, "light": "none"}]}


def test_status_invest__table_in_yi_and_totals(cli, repo):
    root = repo(P=INVEST)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--invest").stdout
    assert "16亿元" in out and "3.2亿元" in out and "20.00%" in out and "25.48" in out
    assert "合计 双十工程" in out and "序时进度" in out and "45.48%" in out


def _invest_ledger(code: str, completed: str, *, leader: str, owner: str, unit: str, program: str = "双十工程") -> str:
    return (f"code: {code}\nname: 项目{code}\nprogram: {program}\nunit: {unit}\nleader: {leader}\nowner: {owner}\n"
            f"investment:\n  planned: {{2018: 10亿}}\n  completed: {{2018-05: {completed}}}\n"
            f"items:\n  - {{id: {code}-1, title: 问题, kind: problem, due: 2018-12-31}}\n")


INVEST_FILTERED = {  # on 2018-06-15, 45.48% of the year gone: 1亿 is red, 3亿 yellow, 4亿 green
    "A": _invest_ledger("A", "1亿", leader="魏书全", owner="秦海涛", unit="区建设局"),
    "B": _invest_ledger("B", "3亿", leader="魏书全", owner="李四", unit="区财政局、区建设局"),
    "C": _invest_ledger("C", "4亿", leader="王五", owner="秦海涛", unit="区水务局", program="民生工程"),
    "D": "code: D\nname: 无投资\nleader: 王五\n",
}


@pytest.mark.parametrize("args, codes", [
    ((), ["A", "B", "C", "D"]),
    (("--light", "red"), ["A"]),
    (("--light", "红、黄"), ["A", "B"]),
    (("--light", "green,none"), ["C", "D"]),
    (("--leader", "魏书全"), ["A", "B"]),
    (("--owner", "秦海涛"), ["A", "C"]),
    (("--unit", "建设局"), ["A", "B"]),      # a joint project answers to every unit it names
    (("--program", "民生"), ["C"]),
    (("--leader", "魏书全", "--light", "黄"), ["B"]),
    (("A", "C", "--light", "red"), ["A"]),
])
def test_status_invest__project_filters_narrow_it(cli, repo, args, codes):
    root = repo(**INVEST_FILTERED)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--invest", "--json", *args)
    assert result.exit_code == 0, result
    assert sorted(p["code"] for p in json.loads(result.stdout)["projects"]) == codes
    table = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--invest", *args).stdout
    assert all(f"  {code}  " in table for code in codes)
    assert not any(f"  {code}  " in table for code in set("ABCD") - set(codes)), table


@pytest.mark.parametrize("args, option", [(("--kind", "问题"), "--kind"), (("--by", "unit"), "--by"),
                                          (("--all",), "--all"), (("--notes",), "--notes")])
def test_status_invest__items_options_are_refused_not_ignored(cli, repo, args, option):
    root = repo(**INVEST_FILTERED)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--invest", *args)
    assert result.exit_code == 2 and result.stdout == "", result
    assert f"错误：{option} 是列事项的选项，而 --invest 按项目列出投资：二者不能同用" in result.stderr
    english = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "status", "--invest", *args)
    assert english.exit_code == 2 and f"Error: {option} is about the items" in english.stderr


def test_status_invest__a_light_investment_cannot_have_is_a_usage_error(cli, repo):
    root = repo(**INVEST_FILTERED)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--invest", "--light", "已销号")
    assert result.exit_code == 2 and "“已销号”不是 red（逾期）、yellow（临期）、green（正常）、none（无时限） 之一" in result.stderr


@pytest.mark.parametrize("before, after", [
    # flow mapping: a new month goes at the end, an existing month is replaced in place
    ("      completed: {2018-01: 2亿, 2018-02: 1.2亿}\n", "      completed: {2018-01: 2亿, 2018-02: 1.2亿, 2018-03: 1.5亿}\n"),
    ("      completed: {2018-01: 2亿, 2018-03: 1亿}\n", "      completed: {2018-01: 2亿, 2018-03: 1.5亿}\n"),
    # block mapping
    ("      completed:\n        2018-01: 2亿  # 一月\n", "      completed:\n        2018-01: 2亿  # 一月\n        2018-03: 1.5亿\n"),
    # no completed yet
    ("", "      completed: {2018-03: 1.5亿}\n"),
])
def test_invest_command__records_a_month_in_place(cli, repo, before, after):
    base = "code: P\nname: 项目\ninvestment:\n  planned: {2018: 16亿}\n"
    before_text = base + "\n".join("  " + line[6:] for line in before.splitlines()) + ("\n" if before else "")
    root = repo(P=before_text + "items: []\n")
    result = cli("--dir", root, "invest", "P", "1.5亿", "--month", "2018-03")
    assert result.exit_code == 0, result
    expected = base + "\n".join("  " + line[6:] for line in after.splitlines()) + "\n" + "items: []\n"
    assert (root / "ledgers" / "P.yaml").read_text(encoding="utf-8") == expected


def test_invest_command__project_without_investment(cli, repo):
    root = repo(P="code: P\nname: 项目\nunit: 区建设局\nitems: []\n")
    assert cli("--dir", root, "invest", "P", "3000万元", "--month", "2018-05").exit_code == 0
    assert (root / "ledgers" / "P.yaml").read_text(encoding="utf-8") == (
        "code: P\nname: 项目\nunit: 区建设局\ninvestment:\n  completed: {2018-05: 3000万元}\nitems: []\n")


@pytest.mark.parametrize("args, key", [(("P", "3亿美元", "--month", "2018-05"), "美元"),
                                       (("P", "1亿", "--month", "2018-13"), "2018-13"),
                                       (("P", "3-5亿", "--month", "2018-05"), "3-5亿")])
def test_invest_command__refuses_bad_input(cli, repo, args, key):
    root = repo(P=INVEST)
    before = (root / "ledgers" / "P.yaml").read_bytes()
    result = cli("--dir", root, "invest", *args)
    assert result.exit_code == 1 and key in result.stderr and len(result.stderr.splitlines()) == 1
    assert (root / "ledgers" / "P.yaml").read_bytes() == before


# --- 督办 by unit --------------------------------------------------------------------------------

UNITS = """\
    code: P
    name: 道路工程
    unit: 区城市管理局
    leader: 冀新富
    items:
      - {id: P-1, title: 第八大街改造, due: 2018-04-30, owner: 吴鹏}
      - {id: P-2, title: 管线迁改, due: 2018-06-18, unit: 区建设局, owner: 黄晓东}
      - {id: P-3, title: 绿化提升, due: 2018-09-30}
      - {id: P-4, title: 已完成, due: 2018-05-01, closed: {date: 2018-04-30}}
    """


def test_status_by_unit__items_own_unit_wins(cli, repo):
    root = repo(P=UNITS)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--by", "unit").stdout.splitlines()
    build = next(i for i, line in enumerate(out) if "区建设局" in line and "P-" not in line)
    city = next(i for i, line in enumerate(out) if "区城市管理局" in line and "P-" not in line)
    assert "P-2" in out[build + 1] and "P-1" in out[city + 1]
    assert out[build].split()[:1] == ["临期"] and out[city].split()[:1] == ["逾期"]


def test_remind__text_per_unit_with_days_overdue(cli, repo):
    root = repo(P=UNITS)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "remind").stdout
    assert "【区城市管理局】" in out and "【区建设局】" in out
    line = next(l for l in out.splitlines() if l.startswith("P-1"))
    assert "第八大街改造" in line and "2018-04-30" in line and " 46 " in line and "吴鹏" in line
    assert "P-3" not in out and "P-4" not in out   # green and done are not chased by default


def test_remind__unit_and_light_filters(cli, repo):
    root = repo(P=UNITS)
    out = cli("--dir", root, "--as-of", AS_OF, "remind", "--unit", "建设局", "--light", "yellow").stdout
    assert "P-2" in out and "P-1" not in out and "【区城市管理局】" not in out


def test_remind__markdown(cli, repo):
    root = repo(P=UNITS.replace("第八大街改造", "第八大街|改造"))
    out = cli("--dir", root, "--as-of", AS_OF, "remind", "--format", "md").stdout
    assert out.startswith("# 督办通知\n")
    assert "## 区城市管理局（红灯 1）" in out
    assert "| P-1 | 第八大街\\|改造 | 道路工程 | 2018-04-30 | 46 | 吴鹏 | 逾期 |" in out


def test_remind__html_escapes_user_text_and_writes_out(cli, repo, tmp_path):
    root = repo(P=UNITS.replace("第八大街改造", "<script>alert(1)</script>&改造"))
    out_file = tmp_path / "notice.html"
    result = cli("--dir", root, "--as-of", AS_OF, "remind", "--format", "html", "--out", out_file)
    assert result.exit_code == 0
    html = out_file.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;改造" in html
    assert "<h1>督办通知</h1>" in html and "@page { size: A4" in html


# --- why ------------------------------------------------------------------------------------

WHY = """\
    code: P
    name: 项目
    deadline: 2018-12-31
    items:
      - {id: P-1, title: 逾期, due: 2018-06-01}
      - {id: P-2, title: 临期, due: 2018-06-20}
      - {id: P-3, title: 正常, due: 2018-09-30}
      - {id: P-4, title: 销号, due: 2018-05-01, closed: {date: 2018-05-03, by: 赵红彬}}
      - {id: P-5, title: 倒排, duration: 10, after: [P-3]}
      - {id: P-6, title: 来不及, duration: 300}
    """


@pytest.mark.parametrize("item, words", [
    ("P-1", ["逾期。", "是事项自己的 due", "已逾期 14 天", "已过时间节点，亮红灯"]),
    ("P-2", ["临期。", "还有 5 天", "warn_days = 7", "亮黄灯"]),
    ("P-3", ["正常。", "还有 107 天", "超过 warn_days = 7 天，亮绿灯"]),
    ("P-4", ["已销号。", "已于 2018-05-03 销号（赵红彬）", "比时间节点晚 2 天（逾期销号）"]),
    ("P-5", ["正常。", "由倒排工期算出", "项目最终节点 2018-12-31"]),
    ("P-6", ["逾期。", "计划不可行，亮红灯", "最早 2019-04-10 才能完成"]),  # SPEC §5: red's word
])
def test_why__every_kind_of_light(cli, repo, item, words):
    root = repo(P=WHY)
    result = cli("--dir", root, "--as-of", AS_OF, "why", item)
    assert result.exit_code == 0, result
    for word in words:
        assert word in result.stdout, (word, result.stdout)


def test_why__computed_from_a_successor_and_english(cli, repo):
    root = repo(P=WHY.replace("{id: P-3, title: 正常, due: 2018-09-30}", "{id: P-3, title: 正常, duration: 5}")
                .replace("{id: P-5, title: 倒排, duration: 10, after: [P-3]}", "{id: P-5, title: 倒排, duration: 10, after: [P-3], due: 2018-10-31}"))
    out = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "why", "P-3").stdout
    assert "computed by backward scheduling" in out and "before P-5 倒排 starts" in out and "2018-10-21" in out


def test_why__unknown_item(cli, repo):
    root = repo(P=WHY)
    result = cli("--dir", root, "why", "P-99")
    assert result.exit_code == 1 and "P-99" in result.stderr


# --- reporting rhythm -------------------------------------------------------------------------

NOTES = """\
    code: P
    name: 项目
    items:
      - {id: P-1, title: 有近期汇报, due: 2018-09-30, notes: [{date: 2018-06-10, text: 进展顺利}]}
      - {id: P-2, title: 汇报过久, due: 2018-09-30, notes: [{date: 2018-05-01, text: 已开工}, {date: 2018-05-20, text: 主体过半}]}
      - {id: P-3, title: 尚未开始, due: 2018-09-30}
    """


def test_status_notes__latest_report_and_age_and_stale_flag(cli, repo):
    root = repo(P=NOTES)
    lines = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "P", "--notes").stdout.splitlines()
    row = {line.split()[1]: line for line in lines if line.split()[1:2] and line.split()[1].startswith("P-")}
    assert "进展顺利" in row["P-1"] and "5天前" in row["P-1"] and "久未汇报" not in row["P-1"]
    assert "主体过半" in row["P-2"] and "26天前 久未汇报" in row["P-2"]
    assert "无汇报" in row["P-3"] and "久未汇报" not in row["P-3"]


def test_stale_days_setting(cli, repo):
    root = repo(settings="stale_days: 30\n", P=NOTES)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "P", "--notes").stdout
    assert "久未汇报" not in out


# --- quantities, flags (SPEC §5, §7) -------------------------------------------------------------

QUANTITY = """\
    code: PG
    name: 棚户区改造工程
    unit: 区住建局
    items:
      - id: PG-1
        title: 棚户区改造
        target: 2836户
        due: 2018-12-31
      - id: PG-2
        title: 道路提升
        target: 12公里
        due: 2018-12-31
        notes:
          - {date: 2018-06-10, text: 完成3公里, done: 3}
      - id: PG-3
        title: 绿化
        due: 2018-12-31
    """


def test_quantity__parse_and_the_share_of_time():
    from taizhang.domain.quantities import QuantityError, parse_quantity, progress

    assert parse_quantity("2836户") == (Decimal(2836), "户") and parse_quantity(12) == (Decimal(12), "")
    with pytest.raises(QuantityError):
        parse_quantity("很多户")
    done = progress("2836户", [type("N", (), {"date": D("2018-06-01"), "done": Decimal(1120)})()],
                    D("2018-07-02"), D("2018-12-31"), None)
    assert done.text() == "1120/2836户 39%"
    # 1 January to 31 December: 183 of 365 days gone (50.14%), 39.49% done.
    assert round(done.lag, 2) == Decimal("10.64")


def test_note_done__recorded_on_the_note_and_shown_as_done_of_target(cli, repo):
    root = repo(PG=QUANTITY)
    assert cli("--dir", root, "--as-of", "2018-06-01", "note", "PG-1", "已签约1120户", "--done", "1120").exit_code == 0
    text = (root / "ledgers" / "PG.yaml").read_text(encoding="utf-8")
    assert "      - {date: 2018-06-01, by: 测试员, text: 已签约1120户, done: 1120}\n" in text
    out = cli("--dir", root, "--as-of", "2018-06-01", "status", "PG").stdout
    assert "棚户区改造（1120/2836户 39%）" in out
    bad = cli("--dir", root, "--as-of", "2018-06-01", "note", "PG-1", "x", "--done", "很多")
    assert bad.exit_code == 1 and "--done" in bad.stderr
    no_target = cli("--dir", root, "--as-of", "2018-06-01", "note", "PG-3", "x", "--done", "5")
    assert no_target.exit_code == 1 and "target" in no_target.stderr
    assert (root / "ledgers" / "PG.yaml").read_text(encoding="utf-8") == text


def test_quantity__lagging_share_done_lights_yellow_or_red_like_investment(cli, repo):
    root = repo(PG=QUANTITY)
    lights = lambda day: {i["id"]: i["light"] for i in
                          json.loads(cli("--dir", root, "--as-of", day, "status", "--json").stdout)["items"]}
    # 2018-02-15: 46 of 365 days (12.6%), nothing done yet (PG-2's note comes later): yellow.
    assert lights("2018-02-15") == {"PG-1": "yellow", "PG-2": "yellow", "PG-3": "green"}  # PG-3: no target
    # 2018-06-10: 161 days (44.1%); PG-2 reports 3/12 (25%): 19.1 behind, still yellow.
    # 2018-06-15: 45.5% of the year; PG-1 45.5 points behind: red; PG-2 25%: 20.5 behind: yellow.
    assert lights("2018-06-15") == {"PG-1": "red", "PG-2": "yellow", "PG-3": "green"}
    why = cli("--dir", root, "--as-of", "2018-06-15", "why", "PG-1").stdout
    assert "0/2836户 0%" in why and "invest.red = 30" in why


STALE = """\
    code: PG
    name: 棚户区改造工程
    items:
      - id: PG-1
        title: 安置房建设
        due: 2018-12-31
        notes:
          - {date: 2018-05-01, text: 已开工}
      - id: PG-2
        title: 道路
        due: 2018-12-31
        notes:
          - {date: 2018-06-10, text: 进展正常}
    """


def test_status__stale_items_show_in_the_default_view_and_json_flags(cli, repo):
    root = repo(PG=STALE)
    out = cli("--dir", root, "--as-of", AS_OF, "status").stdout
    assert "安置房建设（久未汇报）" in out and "PG-2" not in out
    items = {i["id"]: i for i in json.loads(cli("--dir", root, "--as-of", AS_OF, "status", "--json").stdout)["items"]}
    assert (items["PG-1"]["stale"], items["PG-2"]["stale"]) == (True, False)
    assert items["PG-1"]["pending"] is False and items["PG-1"]["moved"] is False
    # From the view cache too (a second run reads the lit rows back).
    assert cli("--dir", root, "--as-of", AS_OF, "status").stdout == out
