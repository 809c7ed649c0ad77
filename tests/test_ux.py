"""What users hit (issue 15): option values in Chinese, --version, shell completion, Chinese help,
tables that fit an 80-column terminal, and the words and messages of the output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from conftest import AS_OF, REPO_ROOT, YT2

# --- option values in Chinese (SPEC §5) ----------------------------------------------------------

@pytest.mark.parametrize("word", ["red", "红", "红灯", "逾期", "overdue"])
def test_status__light_option_takes_chinese_words(cli, repo, word):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--light", word)
    assert result.exit_code == 0, result
    assert "YT2-2" in result.stdout and "YT2-3" not in result.stdout


@pytest.mark.parametrize("words, shown, hidden", [
    ("黄,绿灯", ["YT2-3", "YT2-4"], ["YT2-2", "YT2-1"]),
    ("临期，正常", ["YT2-3", "YT2-4"], ["YT2-2", "YT2-1"]),
    ("已销号", ["YT2-1"], ["YT2-2", "YT2-3"]),
    ("销号", ["YT2-1"], ["YT2-2", "YT2-3"]),
    ("黄灯", ["YT2-3"], ["YT2-1", "YT2-2", "YT2-4"]),
])
def test_status__light_option_words(cli, repo, words, shown, hidden):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "YT2", "--light", words).stdout
    assert all(i in out for i in shown) and not any(i in out for i in hidden), out


@pytest.mark.parametrize("word", ["问题", "problem"])
def test_status__kind_option_takes_chinese_words(cli, repo, word):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "YT2", "--kind", word).stdout
    assert "YT2-3" in out and "YT2-2" not in out and "YT2-4" not in out


def test_status__kind_option_task_words(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "YT2", "--kind", "任务,里程碑").stdout
    assert "YT2-2" in out and "YT2-3" not in out


def test_status__unknown_light_word_is_refused(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--light", "紫灯")
    assert result.exit_code == 2 and "紫灯" in result.stderr


# An option value outside its vocabulary is wrong usage (SPEC §3: exit 2), as click says of --by.
@pytest.mark.parametrize("args, said", [
    (("status", "--light", "bogus"), "错误：--light 的值无效：“bogus”不是 red（逾期）、yellow（临期）、green（正常）、none（无时限）、done（已销号） 之一"),
    (("status", "--light", "红,紫"), "错误：--light 的值无效：“紫”不是 red（逾期）"),
    (("status", "--kind", "bogus"), "错误：--kind 的值无效：“bogus”不是 task（任务）、milestone（节点）、problem（问题） 之一"),
    (("remind", "--light", "done"), "错误：--light 的值无效：“done”不是 red（逾期）、yellow（临期）、green（正常）、none（无时限） 之一"),
    (("notice", "--light", "已销号"), "错误：--light 的值无效：“已销号”不是 red（逾期）"),
    (("add", "YT2", "新事项", "--kind", "bogus"), "错误：--kind 的值无效：“bogus”不是 task（任务）"),
    (("--lang", "en", "status", "--light", "purple"), "Error: Invalid value for '--light': 'purple' is not one of red, yellow, green, none, done"),
    (("status", "--by", "bogus"), "错误：--by 的值无效："),
])
def test_options__a_value_outside_the_vocabulary_is_a_usage_error(cli, repo, args, said):
    root = repo(YT2=YT2)
    before = (root / "ledgers" / "YT2.yaml").read_bytes()
    result = cli("--dir", root, "--as-of", AS_OF, *args)
    assert result.exit_code == 2 and result.stdout == "", result
    assert said in result.stderr and "Traceback" not in result.stderr
    assert (root / "ledgers" / "YT2.yaml").read_bytes() == before and not (root / "notices.yaml").exists()


@pytest.mark.parametrize("words", ["红、黄", "红,黄", "红，黄", "red、yellow", "逾期、临期"])
def test_status__light_list_takes_the_顿号_too(cli, repo, words):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "YT2", "--light", words, "--json")
    assert result.exit_code == 0, result
    assert {i["light"] for i in json.loads(result.stdout)["items"]} == {"red", "yellow"}


@pytest.mark.parametrize("word, kind", [("问题", "problem"), ("节点", "milestone"), ("里程碑", "milestone"),
                                        ("problem", "problem"), ("任务", "task")])
def test_set__kind_takes_the_words_of_add(cli, repo, word, kind):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "set", "YT2-4", f"kind={word}")
    assert result.exit_code == 0, result
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert f"kind: {kind}" in text[text.index("YT2-4"):]
    refused = cli("--dir", root, "set", "YT2-4", "kind=紫")
    assert refused.exit_code == 1 and "kind=紫" in refused.stderr


def test_notice__light_option_takes_chinese_words(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "notice", "--light", "红灯", "--format", "md")
    assert result.exit_code == 0, result
    assert "主体项目桩基施工" in result.stdout and "六个村拆迁进度滞后" not in result.stdout


def test_remind__light_option_takes_chinese_words(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "remind", "--light", "红灯").stdout
    assert "主体项目桩基施工" in out and "六个村拆迁进度滞后" not in out
    refused = cli("--dir", root, "--as-of", AS_OF, "remind", "--light", "已销号")
    assert refused.exit_code == 2


@pytest.mark.parametrize("word, kind", [("问题", "problem"), ("节点", "milestone"), ("里程碑", "milestone"),
                                        ("任务", None)])
def test_add__kind_option_takes_chinese_words(cli, repo, word, kind):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "add", "YT2", "新事项", "--kind", word)
    assert result.exit_code == 0, result
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    tail = text[text.index("新事项"):]
    assert (f"kind: {kind}" in tail) if kind else ("kind:" not in tail)


# --- --version and shell completion (SPEC §3) ------------------------------------------------------

def test_version(cli):
    from taizhang.version import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"taizhang {__version__}\n"


def _taizhang(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script as a shell runs it: its name (taizhang) picks the completion variable."""
    code = "import sys; sys.argv[0] = 'taizhang'; from taizhang.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60, check=False)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_show_completion_prints_a_script(shell):
    result = _taizhang("--show-completion", shell)
    assert result.returncode == 0, result
    assert "_TAIZHANG_COMPLETE" in result.stdout


def test_completion_offers_a_command_by_its_start(tmp_path):
    result = _taizhang(env={"_TAIZHANG_COMPLETE": "complete_bash", "COMP_WORDS": "taizhang sta", "COMP_CWORD": "1"})
    assert result.returncode == 0, result
    assert result.stdout.split() == ["status"]


def test_completion_offers_a_commands_options(tmp_path):
    result = _taizhang(env={"_TAIZHANG_COMPLETE": "complete_bash", "COMP_WORDS": "taizhang status --li",
                            "COMP_CWORD": "2"})
    assert result.returncode == 0, result
    assert "--light" in result.stdout.split()


# --- click's words in the run's language -----------------------------------------------------------

@pytest.fixture
def zh_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_help__chinese_by_default(cli, zh_locale):
    out = cli("-h").stdout
    assert out.startswith("用法：root") and "选项：" in out and "命令：" in out
    assert "显示本帮助并退出。" in out and "为当前 shell 安装命令补全" in out
    for english in ("Usage:", "Options", "Commands", "Show this message and exit."):
        assert english not in out, english
    sub = cli("why", "--help").stdout
    assert "参数：" in sub and "[必填]" in sub and "Arguments" not in sub


def test_help__english_with_lang_en(cli, zh_locale):
    out = cli("--lang", "en", "--help").stdout
    assert out.startswith("Usage: root") and "Show this message and exit." in out
    assert "Options:" in cli("status", "--help", "--lang", "en").stdout


def test_help__english_from_the_locale(cli, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert cli("--help").stdout.startswith("Usage: root")


@pytest.mark.parametrize("args, said", [
    (("status", "--bogus"), "错误：没有选项 --bogus"),
    (("why",), "错误：缺少参数 ID"),
    (("status", "--light"), "错误：选项 --light 需要一个值"),
    (("status", "--by", "foo"), "错误：--by 的值无效：'foo' 不是"),
    (("status", "--limit", "0"), "错误：--limit 的值无效：0 不在范围"),
    (("stat",), "错误：没有命令 'stat'，是不是 'status'？"),
])
def test_usage_errors__chinese_exit_2(cli, zh_locale, args, said):
    result = cli(*args)
    assert result.exit_code == 2 and said in result.stderr, result
    assert "Error:" not in result.stderr and "Try '" not in result.stderr


def test_usage_errors__english_with_lang_en(cli, zh_locale):
    result = cli("--lang", "en", "status", "--bogus")
    assert result.exit_code == 2
    assert "Try 'root status -h' for help." in result.stderr and "Error: No such option: --bogus" in result.stderr


# --- words and messages ------------------------------------------------------------------------------

def test_why__closed_item_without_due_says_its_close_date_in_chinese(cli, repo):
    root = repo(YT2=YT2.replace("    title: '主体项目桩基施工'\n    due: 2018-06-10\n",
                                "    title: '主体项目桩基施工'\n    duration: 5\n    closed: {date: 2018-06-01, by: 李四}\n"))
    out = cli("--dir", root, "--as-of", AS_OF, "why", "YT2-2").stdout
    # (its node is the one planned with it open, SPEC §7; the close is said in Chinese)
    assert "已于 2018-06-01 销号" in out and "closed" not in out, out
    en = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "why", "YT2-2").stdout
    assert "Closed on 2018-06-01" in en


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_ledger_gets_the_umasks_mode(cli, repo, umask, expected):
    root = repo(YT2=YT2)
    (root / "ledgers" / "YT2.yaml").chmod(0o640)
    old = os.umask(umask)
    try:
        assert cli("--dir", root, "new", "AB", "新项目").exit_code == 0
        assert cli("--dir", root, "add", "YT2", "新事项").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "ledgers" / "AB.yaml").stat().st_mode) == expected
    assert stat.S_IMODE((root / "ledgers" / "YT2.yaml").stat().st_mode) == 0o640  # an existing file keeps its mode


@pytest.mark.parametrize("lang, said", [("zh", "（无）"), ("en", "(none)")])
def test_html_briefing__empty_section_says_none_in_words(cli, lang, said):
    out = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--lang", lang, "report", "day", "--format", "html").stdout
    assert ">None<" not in out and f'<p class="none">{said}</p>' in out


_HEAD = "code: AB\nname: 甲\nitems:\n  - id: AB-1\n"


@pytest.mark.parametrize("body, where, said", [
    ("    title: 甲: 乙\n    due: 2018-01-01\n", "5:13", "不能再有“键: 值”"),
    ('    title "甲"\n    due: 2018-01-01\n', "5:5", "缺少冒号"),          # libyaml says 6:5
    ("    title: @甲\n", "5:12", "值不能以“@”开头"),
    ('    title: "甲\n    due: 2018-01-01\n  - id: AB-2\n    title: 乙\n', "5:12", "引号 \" 没有配对"),
    ("    title: '甲\n    due: 2018-01-01\n", "5:12", "引号 ' 没有配对"),
    ("    title: 甲\n   due: 2018-01-01\n", "6:4", "缩进不对"),
    ("    title: 甲\n\tdue: 2018-01-01\n", "6:1", "Tab"),
    ("    title: [甲\n    due: 2018-01-01\n", "5:12", "[ 没有配对"),
])
def test_check__yaml_syntax_errors_in_chinese_at_the_real_line(cli, repo, body, where, said):
    root = repo(AB=_HEAD + body)
    result = cli("--dir", root, "check")
    assert result.exit_code == 1
    line = next(x for x in (result.stdout + result.stderr).splitlines() if "AB.yaml:" in x)
    assert f"AB.yaml:{where}: YAML 语法错误：" in line and said in line, line


def test_check__yaml_syntax_errors_in_english(cli, repo):
    root = repo(AB=_HEAD + '    title "甲"\n')
    result = cli("--dir", root, "--lang", "en", "check")
    assert "AB.yaml:5:5: YAML syntax error: this line lacks the ':'" in result.stdout + result.stderr


# --- a red item not yet late is 逾期 (SPEC §5: the light's word), and its title says why ----------------

INFEASIBLE = """\
code: AB
name: 甲项目
items:
  - id: AB-1
    title: 主体施工
    due: 2018-07-01
    duration: 60
  - id: AB-2
    title: 已逾期事项
    due: 2018-06-01
  - id: AB-3
    title: 棚户区改造
    target: 2836户
    due: 2018-12-31
"""


def _line(out: str, item: str) -> str:
    return next(x for x in out.splitlines() if item in x)


def test_status__red_before_its_node_says_逾期_and_why_beside_the_title(cli, repo):
    root = repo(AB=INFEASIBLE)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "AB").stdout
    # (never reported since its start: 久未汇报 too, marked the same way)
    assert _line(out, "AB-1").startswith("逾期") and "主体施工（计划不可行，久未汇报）" in _line(out, "AB-1")
    assert "剩16天" in _line(out, "AB-1")
    # Half the year gone, nothing of 2836户 done: red by its quantity, 199 days before its node.
    assert _line(out, "AB-3").startswith("逾期") and "棚户区改造（0/2836户 0%，进度滞后）" in _line(out, "AB-3")
    assert _line(out, "AB-2").startswith("逾期") and "已逾期事项  " in _line(out, "AB-2")
    assert "不可行  " not in out
    en = cli("--dir", root, "--as-of", AS_OF, "--no-color", "--lang", "en", "status", "AB").stdout
    assert _line(en, "AB-1").startswith("overdue") and "主体施工 (infeasible as planned, stale)" in _line(en, "AB-1")
    assert _line(en, "AB-3").startswith("overdue") and "(0/2836户 0%, behind schedule)" in _line(en, "AB-3")
    assert "infeasible  " not in en


def test_remind_why_gantt_report__red_before_its_node_says_逾期_and_why(cli, repo):
    root = repo(AB=INFEASIBLE)
    remind = cli("--dir", root, "--as-of", AS_OF, "--no-color", "remind").stdout
    assert _line(remind, "AB-1").rstrip().endswith("逾期") and "主体施工（计划不可行）" in _line(remind, "AB-1")
    assert _line(remind, "AB-3").rstrip().endswith("逾期") and "棚户区改造（进度滞后）" in _line(remind, "AB-3")
    assert _line(remind, "AB-2").rstrip().endswith("逾期")
    why = cli("--dir", root, "--as-of", AS_OF, "why", "AB-1").stdout
    assert why.startswith("AB-1 主体施工: 逾期。") and "计划不可行，亮红灯" in why
    gantt = cli("--dir", root, "--as-of", AS_OF, "--no-color", "gantt", "AB").stdout
    assert "主体施工（计划不可行）" in _line(gantt, "AB-1") and "逾期" in _line(gantt, "AB-1")
    assert "棚户区改造（进度滞后）" in _line(gantt, "AB-3") and "逾期" in _line(gantt, "AB-2")
    svg = cli("--dir", root, "--as-of", AS_OF, "gantt", "AB", "--format", "svg").stdout
    assert "主体施工（计划不可行）" in svg and "不可行</text>" not in svg
    html = cli("--dir", root, "--as-of", AS_OF, "remind", "--format", "html").stdout
    assert "主体施工（计划不可行）" in html
    week = cli("--dir", root, "--as-of", AS_OF, "--no-color", "report", "week").stdout
    red = week[week.index("五、红灯督办"):week.index("六、")]
    assert "主体施工（计划不可行）" in red and "棚户区改造（0/2836户 0%" in red and "\n              ，进度滞后）" in red
    assert _line(red, "AB-1").endswith(" -") and "不可行  " not in week
    for text in (remind, why, gantt, svg, html, week):
        assert "不可行。" not in text and " 不可行" not in text


# --- tables that fit the terminal ----------------------------------------------------------------------

@pytest.mark.parametrize("columns", [80, 140])
@pytest.mark.parametrize("args, name", [
    (("status",), "status"),
    (("status", "--notes"), "status_notes"),
    (("remind",), "remind"),
    (("report", "week"), "report_week"),
    (("report", "month"), "report_month"),
])
def test_tables_fit_the_terminal_golden(cli, monkeypatch, columns, args, name):
    """Every line fits the width; at 80 columns 责任人/领导 goes, 责任单位 narrows, the counts
    merge, and a title keeps room (tests/golden/*_80.txt, *_140.txt; TAIZHANG_REGEN_GOLDEN=1)."""
    from rich.cells import cell_len
    from test_status import _check_golden

    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", *args)
    assert result.exit_code == 0, result
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= columns
    _check_golden(f"fit_{name}_{columns}.txt", result.stdout)


def test_status_at_80_columns_keeps_titles_readable(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", "status").stdout
    head = out.splitlines()[1]
    assert "责任人" not in head and "红/黄/绿/销号" in head and "责任单位" in head
    # a title keeps 12 characters on its first line, the rest folds beneath (not cut)
    assert "第二批部分项目征收清场" in out and "滞后" in out


def test_fit__drops_and_merges_in_order():
    from taizhang.render.table import Column, render

    columns = [Column("id"), Column("title", flex=True), Column("a", right=True, merge="n"),
               Column("b", right=True, merge="n"), Column("unit", min_width=4, drop=2), Column("who", drop=1)]
    rows = [["X-1", "t" * 30, ("1", "light.red"), ("0", "muted"), "uuuuuuuuuu", "wwwwww"]]
    wide = render(columns, rows, max_width=200, color=False)
    assert wide[0].split() == ["id", "title", "a", "b", "unit", "who"]
    assert render(columns, rows, max_width=50, color=False)[0].split() == ["id", "title", "a", "b", "unit"]
    narrow = render(columns, rows, max_width=40, color=False)
    assert narrow[0].split() == ["id", "title", "a/b", "unit"] and "1/0" in narrow[1]
    assert all(len(line) <= 40 for line in narrow)
    assert "t" * 24 in narrow[1]  # the title kept its room; the unit folded instead


# --- report headings from the settings -------------------------------------------------------------------

@pytest.mark.parametrize("kind, fmt, default", [("week", "text", "重点项目周例会简报"), ("month", "html", "重点项目月点评简报"),
                                                ("day", "md", "重点项目日汇报")])
def test_report__heading_from_the_settings(cli, repo, kind, fmt, default):
    settings = f"title: 经开区\nreport:\n  {kind}: 经开区重点项目调度会简报\n"
    root = repo(settings=settings, YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "report", kind, "--format", fmt).stdout
    assert "经开区重点项目调度会简报" in out and default not in out
    plain = cli("--dir", repo(settings="title: 经开区\n", YT2=YT2), "--as-of", AS_OF, "report", kind, "--format", fmt).stdout
    assert default in plain


def test_report__unknown_heading_key_is_refused(cli, repo):
    root = repo(settings="report:\n  quarter: 季报\n", YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "report", "week")
    assert result.exit_code != 0 and "quarter" in result.stderr
