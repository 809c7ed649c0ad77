"""taizhang with real git, in real processes: git-setup, the merge driver under `git merge`,
`log` for the audit, `--commit`, and the pre-commit hook definition."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO_ROOT, YT2

from taizhang.domain.models import Settings
from taizhang.gitops.git import DRIVER_COMMAND
from taizhang.gitops.merge import resolve
from taizhang.repo import load

AS_OF = "2018-06-15"
# `python -m taizhang.cli` runs cli.py as __main__, whose `app` never sees the commands that
# cli_git/cli_report/cli_exchange register on `taizhang.cli.app`: call the entry point instead.
TAIZHANG = [sys.executable, "-c", "from taizhang.cli import main; main()"]
DRIVER = " ".join(shlex.quote(part) for part in TAIZHANG) + " merge-driver %O %A %B %P"


def _env(**more: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TAIZHANG_DIR", "TAIZHANG_TODAY", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    env.update(USER="测试员", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
               PYTHONIOENCODING="utf-8", COLUMNS="160", LANG="C.UTF-8", **more)
    return env


def git(root: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
                          env=_env(**env))
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def tz(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`taizhang ARGS` run by a clerk in the repository, as a separate process."""
    done = subprocess.run([*TAIZHANG, "--as-of", AS_OF, *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", env=_env(**env))
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _ledger(root: Path, code: str = "YT2"):
    loaded = load.parse_ledger((root / "ledgers" / f"{code}.yaml").read_bytes(), f"ledgers/{code}.yaml", Settings())
    assert not loaded.has_errors, [p.render("en") for p in loaded.problems]
    return loaded.ledger


def _items(root: Path) -> dict:
    return {item.id: item for item in _ledger(root).items}


def _repo(tmp_path: Path, *, driver: str | None = DRIVER, user: str = "赵红彬") -> Path:
    """A git repository holding the YT2 ledger, committed on `main`; the merge driver registered
    with git-setup, then pointed at this interpreter (so the test does not depend on PATH)."""
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", user)
    git(root, "config", "user.email", "clerk@example.org")
    if driver is not None:
        assert tz(root, "git-setup").returncode == 0
        git(root, "config", "merge.taizhang.driver", driver)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "台账")
    return root


def _as(root: Path, user: str) -> None:
    git(root, "config", "user.name", user)


# --- git-setup ------------------------------------------------------------------------------

def test_git_setup__registers_the_spec_driver_once_and_keeps_the_users_attributes(tmp_path):
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / ".gitattributes").write_text("*.xlsx binary", encoding="utf-8")  # no final newline
    git(root, "init", "-q", "-b", "main")
    first = tz(root, "git-setup")
    assert first.returncode == 0, first.stderr
    assert "merge.taizhang" in first.stdout and ".gitattributes" in first.stdout
    assert git(root, "config", "merge.taizhang.name").stdout.strip() == "taizhang ledger merge"
    assert git(root, "config", "merge.taizhang.driver").stdout.strip() == DRIVER_COMMAND
    expected = "*.xlsx binary\nledgers/*.yaml merge=taizhang\nledgers/*.yml merge=taizhang\n/notices.yaml merge=taizhang\n"
    assert (root / ".gitattributes").read_text(encoding="utf-8") == expected
    again = tz(root, "git-setup")
    assert again.returncode == 0 and "早已启用" in again.stdout
    assert (root / ".gitattributes").read_text(encoding="utf-8") == expected
    assert git(root, "check-attr", "merge", "ledgers/YT2.yaml").stdout.strip() == "ledgers/YT2.yaml: merge: taizhang"
    assert git(root, "check-attr", "merge", "notices.yaml").stdout.strip() == "notices.yaml: merge: taizhang"
    assert git(root, "check-attr", "merge", "evidence/notices.yaml").stdout.strip() == "evidence/notices.yaml: merge: unspecified"


def test_git_setup__outside_git_is_a_clear_error(tmp_path):
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    done = tz(root, "git-setup", GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert done.returncode == 1
    assert "不在 git 仓库中" in done.stderr
    assert not (root / ".gitattributes").exists()
    english = tz(root, "--lang", "en", "git-setup", GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert "not in a git repository" in english.stderr


def test_init__in_a_git_repository_sets_up_the_driver_elsewhere_hints(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    git(office, "init", "-q")
    done = tz(tmp_path, "init", str(office), GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "git-setup" in done.stdout
    assert "ledgers/*.yaml merge=taizhang" in (office / ".gitattributes").read_text(encoding="utf-8")
    assert git(office, "config", "merge.taizhang.driver").stdout.strip().startswith("taizhang merge-driver")
    plain = tmp_path / "plain"
    done = tz(tmp_path, "init", str(plain), GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert done.returncode == 0 and "taizhang git-setup" in done.stdout
    assert not (plain / ".gitattributes").exists()


# --- merging with git -----------------------------------------------------------------------

def test_git_merge__two_clerks_edit_the_same_ledger_and_it_merges_item_by_item(tmp_path):
    root = _repo(tmp_path)
    git(root, "checkout", "-qb", "wang")
    _as(root, "王五")
    assert tz(root, "add", "YT2", "变电站迁改", "--due", "2018-07-31", "--after", "YT2-1", "--commit").stdout.strip() == "YT2-5"
    assert tz(root, "add", "YT2", "变电站送电", "--due", "2018-08-15", "--after", "YT2-5", "--commit").returncode == 0
    assert tz(root, "close", "YT2-4", "--on", "2018-06-14", "--commit").returncode == 0
    assert tz(root, "note", "YT2-3", "第五村补偿款到位", "--on", "2018-06-05", "--commit").returncode == 0
    assert tz(root, "set", "YT2-2", "unit=区住建局", "--commit").returncode == 0
    assert tz(root, "set", "YT2", "leader=魏书全（兼）", "--commit").returncode == 0

    git(root, "checkout", "-q", "main")
    _as(root, "张三")
    assert tz(root, "add", "YT2", "配套道路", "--due", "2018-09-30", "--commit").stdout.strip() == "YT2-5"
    assert tz(root, "close", "YT2-2", "--on", "2018-06-09", "--evidence", "桩基验收单", "--commit").returncode == 0
    assert tz(root, "note", "YT2-3", "已签约五个村", "--on", "2018-06-01", "--commit").returncode == 0
    assert tz(root, "note", "YT2-3", "六个村全部签约", "--on", "2018-06-10", "--commit").returncode == 0
    assert tz(root, "set", "YT2-2", "owner=张三", "--commit").returncode == 0
    assert tz(root, "set", "YT2", "deadline=2020-09-30", "--reason", "资金延后", "--commit").returncode == 0
    ours_before = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")

    merged = git(root, "merge", "--no-edit", "wang", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "YT2-7" in merged.stderr and "YT2-5" in merged.stderr  # the renumbering is said
    assert git(root, "status", "--porcelain").stdout == ""
    items = _items(root)
    assert list(items) == ["YT2-1", "YT2-2", "YT2-3", "YT2-4", "YT2-5", "YT2-7", "YT2-6"]
    assert items["YT2-5"].title == "配套道路"
    assert (items["YT2-7"].title, items["YT2-7"].after) == ("变电站迁改", ["YT2-1"])
    assert (items["YT2-6"].title, items["YT2-6"].after) == ("变电站送电", ["YT2-7"])
    assert (items["YT2-2"].closed.by, items["YT2-2"].closed.evidence) == ("张三", "桩基验收单")
    assert (items["YT2-4"].closed.by, str(items["YT2-4"].closed.date)) == ("王五", "2018-06-14")
    assert (items["YT2-2"].owner, items["YT2-2"].unit) == ("张三", "区住建局")
    assert [n.text for n in items["YT2-3"].notes] == ["已签约四个村", "已签约五个村", "第五村补偿款到位", "六个村全部签约"]
    ledger = _ledger(root)
    assert (ledger.leader, str(ledger.deadline)) == ("魏书全（兼）", "2020-09-30")
    merged_text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    changed_by_them = ("leader: 魏书全", "    unit: 区建设局")
    for line in ours_before.splitlines():  # our lines are all there, but the two they changed
        assert line in merged_text.splitlines() or line in changed_by_them
    assert "# 宇通二期：按管委会要求挂图作战" in merged_text and "  # 问题台账" in merged_text
    assert tz(root, "check").returncode == 0
    assert not list(root.glob(".taizhang-merge-*")) and not list((root / "ledgers").glob(".*"))


def test_git_merge__true_conflict_is_left_in_that_field_only_and_check_reports_it(tmp_path):
    root = _repo(tmp_path)
    git(root, "checkout", "-qb", "li")
    assert tz(root, "set", "YT2-2", "owner=王五", "--commit").returncode == 0
    assert tz(root, "close", "YT2-3", "--on", "2018-06-12", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "set", "YT2-2", "owner=张三", "--commit").returncode == 0
    assert tz(root, "set", "YT2-4", "due=2019-09-30", "--reason", "设计变更", "--commit").returncode == 0

    merged = git(root, "merge", "--no-edit", "li", check=False)
    assert merged.returncode == 1
    assert "CONFLICT" in merged.stdout and "owner" in merged.stderr
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert ("    due: 2018-06-10\n<<<<<<< ours\n    owner: 张三\n=======\n    owner: 王五\n>>>>>>> theirs\n"
            "    unit: 区建设局\n") in text
    assert text.count("<<<<<<<") == 1 and "due: 2019-09-30" in text and "by: 赵红彬" in text
    assert git(root, "status", "--porcelain").stdout.startswith("UU ledgers/YT2.yaml")
    check = tz(root, "check")
    assert check.returncode == 1
    lines = text.splitlines()
    reported = [line for line in check.stderr.splitlines() if "冲突标记" in line]
    assert [int(line.split(":")[1]) for line in reported] == [i + 1 for i, line in enumerate(lines)
                                                              if line[:7] in ("<<<<<<<", "=======", ">>>>>>>")]
    # a person resolves it: theirs, say
    (root / "ledgers" / "YT2.yaml").write_text(resolve(text, "theirs"), encoding="utf-8")
    assert tz(root, "check").returncode == 0
    assert _items(root)["YT2-2"].owner == "王五"


def test_git_merge__deleted_here_changed_there_is_a_conflict(tmp_path):
    root = _repo(tmp_path)
    git(root, "checkout", "-qb", "keep")
    assert tz(root, "close", "YT2-4", "--on", "2018-06-12", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2[:YT2.index("  - id: YT2-4")], encoding="utf-8")
    git(root, "commit", "-qam", "删除 YT2-4")
    merged = git(root, "merge", "--no-edit", "keep", check=False)
    assert merged.returncode == 1
    text = path.read_text(encoding="utf-8")
    assert "<<<<<<< ours\n=======\n" in text and text.count("<<<<<<<") == 1
    assert "YT2-4" not in resolve(text, "ours")
    assert "  - id: YT2-4\n    title: \"主体施工\"\n    due: 2019-08-31\n    closed:\n" in resolve(text, "theirs")


def test_git_merge__a_side_that_is_not_a_ledger_gets_git_line_merge_and_nothing_is_lost(tmp_path):
    root = _repo(tmp_path)
    path = root / "ledgers" / "YT2.yaml"
    git(root, "checkout", "-qb", "broken")
    path.write_text(YT2.replace("title: 六个村拆迁进度滞后", "title: [六个村拆迁进度滞后"), encoding="utf-8")
    git(root, "commit", "-qam", "坏了")
    git(root, "checkout", "-q", "main")
    path.write_text(YT2.replace("title: 六个村拆迁进度滞后", "title: 六个村拆迁严重滞后"), encoding="utf-8")
    git(root, "commit", "-qam", "改标题")
    merged = git(root, "merge", "--no-edit", "broken", check=False)
    assert merged.returncode == 1
    text = path.read_text(encoding="utf-8")
    assert "<<<<<<< ours" in text and "六个村拆迁严重滞后" in text and "[六个村拆迁进度滞后" in text
    assert "逐行合并" in merged.stderr


# --- --commit -------------------------------------------------------------------------------

def test_commit__commits_exactly_the_files_changed_with_a_message_that_says_what_happened(tmp_path):
    root = _repo(tmp_path, driver=None, user="赵红彬")
    (root / "notes.txt").write_text("草稿\n", encoding="utf-8")
    git(root, "add", "notes.txt")  # staged, but not part of the command: stays uncommitted
    (root / "taizhang.yaml").write_text("year: 2018\nwarn_days: 5\n", encoding="utf-8")
    done = tz(root, "close", "YT2-3", "--on", "2018-06-12", "--commit",
              GIT_COMMITTER_DATE="2018-06-12T16:20:00+08:00", GIT_AUTHOR_DATE="2018-06-12T16:20:00+08:00")
    assert done.returncode == 0, done.stderr
    show = git(root, "show", "--name-only", "--format=%an|%s", "HEAD").stdout.splitlines()
    assert show[0] == "赵红彬|销号 YT2-3 六个村拆迁进度滞后"
    assert [line for line in show[1:] if line] == ["ledgers/YT2.yaml"]
    status = git(root, "status", "--porcelain").stdout.splitlines()
    assert "A  notes.txt" in status and " M taizhang.yaml" in status
    assert _items(root)["YT2-3"].closed.by == "赵红彬"


def test_commit__set_in_the_settings_commits_every_write(tmp_path):
    root = _repo(tmp_path, driver=None)
    (root / "taizhang.yaml").write_text("year: 2018\ngit: {commit: true}\n", encoding="utf-8")
    git(root, "commit", "-qam", "设置")
    assert tz(root, "note", "YT2-3", "已签约五个村").returncode == 0
    assert git(root, "log", "-1", "--format=%s").stdout.strip() == "进展 YT2-3 六个村拆迁进度滞后：已签约五个村"
    assert git(root, "status", "--porcelain").stdout == ""


def test_commit__outside_git_says_so_and_still_writes(tmp_path):
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
    done = tz(root, "close", "YT2-3", "--by", "赵红彬", "--commit", GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert done.returncode == 0
    assert "不在 git 仓库中" in done.stderr
    assert _items(root)["YT2-3"].closed.by == "赵红彬"


def test_commit__a_commit_git_refuses_is_an_error_that_says_the_file_is_written(tmp_path):
    root = _repo(tmp_path, driver=None)
    git(root, "config", "user.name", "")
    git(root, "config", "user.email", "")
    git(root, "config", "user.useConfigOnly", "true")
    done = tz(root, "note", "YT2-3", "进展", "--by", "甲", "--commit")
    assert done.returncode == 1
    assert "已写入 ledgers/YT2.yaml，但 git 提交失败" in done.stderr
    assert _items(root)["YT2-3"].notes[-1].text == "进展"


# --- log ------------------------------------------------------------------------------------

def _day(day: str) -> dict[str, str]:
    return {"GIT_COMMITTER_DATE": f"{day}T09:30:00+08:00", "GIT_AUTHOR_DATE": f"{day}T09:30:00+08:00"}


def test_log__the_history_of_an_item_who_closed_reopened_moved_and_when(tmp_path):
    root = _repo(tmp_path, driver=None, user="魏书全")
    assert tz(root, "set", "YT2-3", "due=2018-06-30", "--commit", **_day("2018-06-01")).returncode == 1  # no reason
    assert tz(root, "set", "YT2-3", "due=2018-06-30", "--reason", "村民诉求", "--commit",
              **_day("2018-06-01")).returncode == 0
    _as(root, "赵红彬")
    assert tz(root, "note", "YT2-3", "已签约五个村", "--on", "2018-06-05", "--commit", **_day("2018-06-05")).returncode == 0
    assert tz(root, "close", "YT2-3", "--on", "2018-06-12", "--note", "已全部签约", "--commit",
              **_day("2018-06-12")).returncode == 0
    _as(root, "魏书全")
    assert tz(root, "reopen", "YT2-3", "--reason", "一户反悔", "--commit", **_day("2018-06-13")).returncode == 0
    _as(root, "赵红彬")
    assert tz(root, "close", "YT2-3", "--on", "2018-06-14", "--commit", **_day("2018-06-14")).returncode == 0
    assert tz(root, "set", "YT2-4", "owner=李四", "--commit", **_day("2018-06-14")).returncode == 0

    done = tz(root, "log", "YT2-3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "YT2-4" not in done.stdout
    assert "新增 YT2-3 六个村拆迁进度滞后（时间节点 2018-06-20）" in lines[0]  # the first commit
    lines = lines[1:]
    assert lines[0].startswith("2018-06-01 09:30") and "魏书全" in lines[0]
    assert "调整时间节点 YT2-3 六个村拆迁进度滞后：原定 2018-06-20，调整为 2018-06-30，原因：村民诉求" in lines[0]
    assert "进展 YT2-3" in lines[1] and "已签约五个村" in lines[1]
    assert lines[2].startswith("2018-06-12 09:30") and "赵红彬" in lines[2]
    assert "销号 YT2-3 六个村拆迁进度滞后（销号日期 2018-06-12，销号人 赵红彬）；说明：已全部签约" in lines[2]
    assert "撤销销号 YT2-3" in lines[3] and "魏书全" in lines[3]
    assert any("一户反悔" in line for line in lines[3:5])
    assert "销号 YT2-3" in lines[-1] and "2018-06-14" in lines[-1]

    english = tz(root, "--lang", "en", "log", "YT2-3")
    assert "closed YT2-3 六个村拆迁进度滞后 (on 2018-06-12 by 赵红彬)" in english.stdout

    as_json = json.loads(tz(root, "log", "YT2-3", "--json").stdout)
    closes = [e for e in as_json if e["event"] == "closed"]
    assert [(e["author"], e["date"][:10], e["by"]) for e in closes] == [("赵红彬", "2018-06-12", "赵红彬"),
                                                                         ("赵红彬", "2018-06-14", "赵红彬")]

    project = tz(root, "log", "YT2").stdout
    assert "YT2-4" in project and "李四" in project
    everything = tz(root, "log", "--limit", "2").stdout.splitlines()
    assert len(everything) == 2 and "YT2-4" in everything[-1]


def test_log__after_a_merge_the_renumbering_is_in_the_history(tmp_path):
    root = _repo(tmp_path)
    git(root, "checkout", "-qb", "wang")
    assert tz(root, "add", "YT2", "对方新增", "--due", "2018-07-31", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "add", "YT2", "本方新增", "--due", "2018-07-31", "--commit").returncode == 0
    assert git(root, "merge", "--no-edit", "wang", check=False).returncode == 0
    history = tz(root, "log", "YT2-6").stdout
    assert "合并时 YT2-5 改编号为 YT2-6 对方新增" in history


def test_log__errors_and_empty_history(tmp_path):
    root = _repo(tmp_path, driver=None)
    # What is not in the repository and never was is a wrong id: one line, exit 1, as `why` says it.
    for target, said in (("YT2-9", "没有事项 YT2-9"), ("NOPE-1", "没有项目 NOPE"), ("NOPE", "没有项目 NOPE")):
        unknown = tz(root, "log", target)
        assert unknown.returncode == 1 and unknown.stdout == "", unknown
        assert [line for line in unknown.stderr.splitlines() if line] == [f"taizhang: {said}（ledgers/NOPE.yaml 不存在）"
                                                                          if "项目" in said else f"taizhang: {said}"]
    # An item added and not yet committed has no history, and is no error.
    assert tz(root, "add", "YT2", "新增未提交").returncode == 0
    quiet = tz(root, "log", "YT2-5")
    assert quiet.returncode == 0 and "git 历史中没有 YT2-5 的变更记录" in quiet.stdout
    bad = tz(root, "log", "yt2/../x")
    assert bad.returncode == 1 and "既不是事项编号" in bad.stderr
    plain = tmp_path / "plain"
    (plain / "ledgers").mkdir(parents=True)
    outside = tz(plain, "log", GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert outside.returncode == 1 and "不在 git 仓库中" in outside.stderr


# --- pre-commit ------------------------------------------------------------------------------

def test_pre_commit_hook__definition():
    [hook] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "taizhang-check" and hook["entry"] == "taizhang check"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    import re

    files = re.compile(hook["files"])
    for path in ("ledgers/YT2.yaml", "ledgers/A.yml", "taizhang.yaml", "calendars/2027.yaml"):
        assert files.search(path), path
    for path in ("schemas/ledger.schema.json", "docs/taizhang.yaml", "README.md"):
        assert not files.search(path), path


def test_pre_commit_hook__check_takes_the_paths_pre_commit_passes(tmp_path):
    root = _repo(tmp_path, driver=None)
    ok = tz(root, "check", "ledgers/YT2.yaml", "taizhang.yaml")
    assert ok.returncode == 0, ok.stderr
    (root / "ledgers" / "YT2.yaml").write_text(YT2.replace("    due: 2018-06-10", "    deu: 2018-06-10"), encoding="utf-8")
    broken = tz(root, "check", "ledgers/YT2.yaml")
    assert broken.returncode == 1 and "ledgers/YT2.yaml:" in broken.stderr and "deu" in broken.stderr


def test_pre_commit_hook__check_takes_calendar_files(tmp_path):
    root = _repo(tmp_path, driver=None)
    (root / "calendars").mkdir()
    (root / "calendars" / "2027.yaml").write_text("year: 2027\ndays_off: [2027-01-01]\n", encoding="utf-8")
    assert tz(root, "check", "calendars/2027.yaml", "ledgers/YT2.yaml").returncode == 0


# --- the driver as git calls it -------------------------------------------------------------

def test_merge_driver__writes_the_result_into_ours_and_says_clean_or_not(tmp_path):
    base, ours, theirs = (tmp_path / name for name in (".merge_file_O", ".merge_file_A", ".merge_file_B"))
    base.write_text(YT2, encoding="utf-8")
    ours.write_text(YT2.replace("    owner: 李四\n", "    owner: 张三\n"), encoding="utf-8")
    theirs.write_text(YT2.replace("    due: 2019-08-31\n", "    due: 2019-09-30\n"), encoding="utf-8")
    ours.chmod(0o640)
    done = tz(tmp_path, "merge-driver", str(base), str(ours), str(theirs), "ledgers/YT2.yaml")
    assert done.returncode == 0, done.stderr
    text = ours.read_text(encoding="utf-8")
    assert "    owner: 张三\n" in text and "    due: 2019-09-30\n" in text
    assert oct(ours.stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".merge_file_A", ".merge_file_B", ".merge_file_O"]

    theirs.write_text(YT2.replace("    owner: 李四\n", "    owner: 王五\n"), encoding="utf-8")
    ours.write_text(YT2.replace("    owner: 李四\n", "    owner: 张三\n"), encoding="utf-8")
    done = tz(tmp_path, "merge-driver", str(base), str(ours), str(theirs), "ledgers/YT2.yaml")
    assert done.returncode == 1
    assert "ledgers/YT2.yaml:" in done.stderr and "合并冲突：YT2-2 的 owner" in done.stderr
    assert "<<<<<<< ours\n    owner: 张三\n=======\n    owner: 王五\n>>>>>>> theirs\n" in ours.read_text(encoding="utf-8")

    theirs.write_bytes("code: YT2\nname: 宇通\n".encode("gbk"))  # not UTF-8: git's line merge, nothing lost
    ours.write_text(YT2.replace("宇通二期项目", "宇通二期项目（一号地块）"), encoding="utf-8")
    done = tz(tmp_path, "merge-driver", str(base), str(ours), str(theirs))
    assert done.returncode == 1 and "逐行合并" in done.stderr
    merged = ours.read_bytes()
    assert "name: 宇通\n".encode("gbk") in merged and "宇通二期项目（一号地块）".encode() in merged


def test_merge_driver__has_help_but_is_not_listed():
    listed = subprocess.run([*TAIZHANG, "--help"], capture_output=True, text=True, encoding="utf-8", env=_env())
    assert "git-setup" in listed.stdout and "merge-driver" not in listed.stdout
    own = subprocess.run([*TAIZHANG, "merge-driver", "--help"], capture_output=True, text=True, encoding="utf-8",
                         env=_env())
    assert own.returncode == 0 and "OURS" in own.stdout
