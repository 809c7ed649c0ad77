"""git at the edges (issue 13): commits racing each other, commits beside a clerk's hand edits,
a merge driver git cannot run, and control characters in the history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import YT2
from test_git import TAIZHANG, _env, _repo, git, tz

ZB = YT2.replace("YT2", "ZB").replace("宇通二期项目", "中宝项目")


def _ledgers_status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--", "ledgers/").stdout


# --- racing commits --------------------------------------------------------------------------

def test_commit__thirty_concurrent_writers_on_two_ledgers_each_commit_their_own_change(tmp_path):
    root = _repo(tmp_path, driver=None)
    (root / "ledgers" / "ZB.yaml").write_text(ZB, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "两本台账")
    commands = ([["add", "YT2", f"事项{n}"] for n in range(14)] + [["add", "ZB", f"事项{n}"] for n in range(8)]
                + [["close", "YT2-2", "--on", "2018-06-12"], ["close", "ZB-3", "--on", "2018-06-12"],
                   ["close", "YT2-4", "ZB-4", "--on", "2018-06-13"]]
                + [["note", "YT2-3", f"进展{n}"] for n in range(3)] + [["note", "ZB-2", f"进展{n}"] for n in range(2)])
    assert len(commands) == 30
    running = [subprocess.Popen([*TAIZHANG, "--dir", str(root), "--as-of", "2018-06-15", *args, "--commit"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
               for args in commands]
    outcomes = [(p.wait(timeout=300), p.stdout.read().decode(), p.stderr.read().decode()) for p in running]
    for args, (code, out, err) in zip(commands, outcomes):
        assert (code, err) == (0, ""), (args, out, err)
    assert _ledgers_status(root) == ""
    subjects = git(root, "log", "--format=%s", "HEAD~30..HEAD").stdout.splitlines()
    assert len(subjects) == 30 and git(root, "log", "-1", "--format=%s", "HEAD~30").stdout.strip() == "两本台账"
    added = sorted(s.split()[1] for s in subjects if s.startswith("新增事项"))
    assert added == sorted([f"YT2-{n}" for n in range(5, 19)] + [f"ZB-{n}" for n in range(5, 13)])
    assert sum(s.startswith("销号") for s in subjects) == 3 and sum(s.startswith("进展") for s in subjects) == 5
    for code, adds in (("YT2", 14), ("ZB", 8)):  # each commit holds its own change: one item per add
        commits = git(root, "log", "--reverse", "--format=%H", "--", f"ledgers/{code}.yaml").stdout.split()
        sizes = [git(root, "show", f"{c}:ledgers/{code}.yaml").stdout.count("  - id: ") for c in commits]
        grown = [b - a for a, b in zip(sizes, sizes[1:])]
        assert set(grown) <= {0, 1} and sum(grown) == adds


# --- commits beside hand edits ---------------------------------------------------------------

def test_commit__a_hand_edit_elsewhere_in_the_ledger_stays_uncommitted_and_unstaged(tmp_path):
    root = _repo(tmp_path, driver=None)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2.replace("    owner: 李四\n", "    owner: 李四（手改）\n"), encoding="utf-8")
    (root / "taizhang.yaml").write_text("year: 2018\nwarn_days: 5\n", encoding="utf-8")
    done = tz(root, "close", "YT2-4", "--on", "2018-06-14", "--commit")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    committed = git(root, "show", "HEAD:ledgers/YT2.yaml").stdout
    assert "李四（手改）" not in committed and "    owner: 李四\n" in committed
    assert committed == YT2 + "    closed:\n      date: 2018-06-14\n      by: 赵红彬\n"
    assert "李四（手改）" in path.read_text(encoding="utf-8") and "date: 2018-06-14" in path.read_text(encoding="utf-8")
    assert git(root, "show", "--name-only", "--format=%s", "HEAD").stdout.split() == ["销号", "YT2-4", "主体施工",
                                                                                       "ledgers/YT2.yaml"]
    assert sorted(git(root, "status", "--porcelain").stdout.splitlines()) == [" M ledgers/YT2.yaml", " M taizhang.yaml"]
    unstaged = git(root, "diff", "--", "ledgers/YT2.yaml").stdout
    assert "+    owner: 李四（手改）" in unstaged and "closed" not in unstaged


def test_commit__a_hand_edit_on_the_lines_beside_the_change_is_merged_out_item_by_item(tmp_path):
    # git's line merge sees the hand-edited due next to the new closed: block as one clash; item
    # by item they are apart, so the commit holds HEAD's due and the 销号, the file both.
    root = _repo(tmp_path, driver=None)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2.replace("    due: 2019-08-31\n", "    due: 2019-09-30   # 手改\n"), encoding="utf-8")
    done = tz(root, "close", "YT2-4", "--on", "2018-06-14", "--commit")
    assert (done.returncode, done.stderr) == (0, "")
    committed = git(root, "show", "HEAD:ledgers/YT2.yaml").stdout
    assert committed == YT2 + "    closed:\n      date: 2018-06-14\n      by: 赵红彬\n"
    text = path.read_text(encoding="utf-8")
    assert "due: 2019-09-30   # 手改" in text and "date: 2018-06-14" in text
    changed = [line for line in git(root, "diff", "-U0", "--", "ledgers/YT2.yaml").stdout.splitlines()
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-    due: 2019-08-31", "+    due: 2019-09-30   # 手改"]


def test_commit__an_uncommitted_add_then_a_committed_add_commits_the_second_item_alone(tmp_path):
    root = _repo(tmp_path, driver=None)
    assert tz(root, "add", "YT2", "第一项", "--due", "2018-09-30").returncode == 0
    done = tz(root, "add", "YT2", "第二项", "--due", "2018-10-30", "--commit")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    committed = git(root, "show", "HEAD:ledgers/YT2.yaml").stdout
    assert "第二项" in committed and "第一项" not in committed
    assert committed.startswith(YT2) and committed.count("  - id: ") == YT2.count("  - id: ") + 1
    changed = [line for line in git(root, "diff", "-U0", "--", "ledgers/YT2.yaml").stdout.splitlines()
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["+  - id: YT2-5", "+    title: 第一项", "+    due: 2018-09-30"]


def test_commit__a_hand_edit_the_change_touches_is_written_not_committed(tmp_path):
    root = _repo(tmp_path, driver=None)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2.replace("    due: 2019-08-31\n", "    due: 2019-09-30   # 手改\n"), encoding="utf-8")
    head = git(root, "rev-parse", "HEAD").stdout
    done = tz(root, "set", "YT2-4", "due=2019-10-31", "--reason", "征地延后", "--commit")
    assert done.returncode == 0, done.stderr
    assert "已写入，未提交" in done.stderr and "ledgers/YT2.yaml" in done.stderr and "手工修改" in done.stderr
    assert git(root, "rev-parse", "HEAD").stdout == head
    text = path.read_text(encoding="utf-8")
    assert "2019-10-31" in text and "征地延后" in text
    assert git(root, "status", "--porcelain").stdout.splitlines() == [" M ledgers/YT2.yaml"]
    english = tz(root, "--lang", "en", "set", "YT2-4", "due=2019-11-30", "--reason", "再延", "--commit")
    assert english.returncode == 0 and "not committed" in english.stderr


def test_commit__a_change_the_clerk_staged_stays_staged_with_ours_applied(tmp_path):
    root = _repo(tmp_path, driver=None)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2.replace("    owner: 李四\n", "    owner: 王五\n"), encoding="utf-8")
    git(root, "add", "ledgers/YT2.yaml")
    assert tz(root, "note", "YT2-3", "进展", "--on", "2018-06-14", "--commit").returncode == 0
    assert "王五" not in git(root, "show", "HEAD:ledgers/YT2.yaml").stdout
    assert git(root, "status", "--porcelain").stdout.splitlines() == ["M  ledgers/YT2.yaml"]
    staged = git(root, "diff", "--cached").stdout
    assert "+    owner: 王五" in staged and "进展" not in staged


def test_commit__in_a_repository_without_commits_and_a_new_ledger(tmp_path):
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "赵红彬")
    git(root, "config", "user.email", "clerk@example.org")
    done = tz(root, "new", "YT2", "宇通二期项目", "--commit")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert git(root, "log", "--format=%s").stdout == "新建项目 YT2 宇通二期项目\n"
    assert git(root, "show", "--name-only", "--format=", "HEAD").stdout.split() == ["ledgers/YT2.yaml"]
    assert tz(root, "add", "YT2", "配套道路", "--commit").returncode == 0
    assert git(root, "status", "--porcelain").stdout.splitlines() == ["?? taizhang.yaml"]
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip() == "main"


def test_commit__a_ledger_git_does_not_know_yet_is_committed_whole(tmp_path):
    root = _repo(tmp_path, driver=None)
    (root / "ledgers" / "ZB.yaml").write_text(ZB, encoding="utf-8")  # made by hand, never committed
    assert tz(root, "close", "ZB-4", "--on", "2018-06-14", "--commit").returncode == 0
    assert git(root, "status", "--porcelain").stdout == ""


def test_commit__git_refusing_is_still_an_error_after_the_write(tmp_path):
    root = _repo(tmp_path, driver=None)
    git(root, "config", "user.name", "")
    git(root, "config", "user.email", "")
    git(root, "config", "user.useConfigOnly", "true")
    head = git(root, "rev-parse", "HEAD").stdout
    done = tz(root, "add", "YT2", "配套道路", "--commit")
    assert done.returncode == 1 and "已写入 ledgers/YT2.yaml，但 git 提交失败" in done.stderr
    assert git(root, "rev-parse", "HEAD").stdout == head
    assert git(root, "status", "--porcelain").stdout.splitlines() == [" M ledgers/YT2.yaml"]


# --- a merge driver git cannot run ------------------------------------------------------------

def _path_without_taizhang(tmp_path: Path, *, with_taizhang: bool) -> str:
    """A PATH holding git and sh, and `taizhang` only when asked (a script running this checkout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("git", "sh"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    if with_taizhang:
        script = bin_dir / "taizhang"
        script.write_text(f"#!/bin/sh\nexec {TAIZHANG[0]} -c 'from taizhang.cli import main; main()' \"$@\"\n",
                          encoding="utf-8")
        script.chmod(0o755)
    return str(bin_dir)


def _two_offices(tmp_path: Path) -> Path:
    root = _repo(tmp_path, driver=None)
    assert tz(root, "git-setup").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "合并驱动")
    git(root, "checkout", "-qb", "wang")
    assert tz(root, "set", "YT2-2", "owner=王五", "--commit").returncode == 0
    assert tz(root, "add", "YT2", "对方新增", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "set", "YT2-2", "owner=张三", "--commit").returncode == 0
    return root


def test_merge__without_taizhang_on_path_git_leaves_its_conflict_markers_and_check_reports_them(tmp_path):
    root = _two_offices(tmp_path)
    merged = git(root, "merge", "--no-edit", "wang", check=False, PATH=_path_without_taizhang(tmp_path, with_taizhang=False))
    assert merged.returncode == 1 and "CONFLICT" in merged.stdout
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text
    assert "owner: 张三" in text and "owner: 王五" in text and "对方新增" in text
    check = tz(root, "check")
    assert check.returncode == 1 and "冲突标记" in check.stderr


def test_merge__with_taizhang_on_path_the_wrapped_driver_merges_item_by_item(tmp_path):
    root = _two_offices(tmp_path)
    git(root, "checkout", "-q", "wang")
    git(root, "reset", "-q", "--hard", "HEAD~2")
    assert tz(root, "add", "YT2", "对方新增", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "add", "YT2", "本方新增", "--commit").returncode == 0
    merged = git(root, "merge", "--no-edit", "wang", check=False, PATH=_path_without_taizhang(tmp_path, with_taizhang=True))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and "id: YT2-5\n    title: 本方新增" in text and "id: YT2-6\n    title: 对方新增" in text
    assert tz(root, "check").returncode == 0


def test_merge__driver_exit_codes_pass_through_the_wrapper(tmp_path):
    root = _two_offices(tmp_path)  # a true conflict in one field: the driver says 1, git stops
    merged = git(root, "merge", "--no-edit", "wang", check=False, PATH=_path_without_taizhang(tmp_path, with_taizhang=True))
    assert merged.returncode == 1 and "合并冲突：YT2-2 的 owner" in merged.stderr
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert "<<<<<<< ours\n    owner: 张三\n=======\n    owner: 王五\n>>>>>>> theirs\n" in text


def test_git_setup__rewrites_the_old_driver_registration(tmp_path):
    root = _repo(tmp_path, driver=None)
    git(root, "config", "merge.taizhang.driver", "taizhang merge-driver %O %A %B %P")
    done = tz(root, "git-setup")
    assert done.returncode == 0 and "merge.taizhang" in done.stdout
    command = git(root, "config", "merge.taizhang.driver").stdout.strip()
    assert command.startswith("taizhang merge-driver %O %A %B %P") and "git merge-file" in command
    assert "早已启用" in tz(root, "git-setup").stdout


# --- control characters in the history --------------------------------------------------------

def test_log__control_characters_are_shown_escaped_and_kept_exact_in_json(tmp_path):
    root = _repo(tmp_path, driver=None)
    assert tz(root, "add", "YT2", "铃\x07声\x1b[31m红", "--commit").returncode == 0
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '  - id: YT2-6\n    title: "分\\x1e隔\\x1f符\\e"\n',
                    encoding="utf-8")
    git(root, "commit", "-qam", "手工\x1e提交\x1f\x1b[2J")
    done = tz(root, "log", "YT2")
    assert done.returncode == 0, done.stderr
    assert all(ch == "\n" or ch.isprintable() for ch in done.stdout), repr(done.stdout)
    assert "铃\\x07声\\x1b[31m红" in done.stdout and "分\\x1e隔\\x1f符\\x1b" in done.stdout
    events = json.loads(tz(root, "log", "YT2", "--json").stdout)
    titles = [e["title"] for e in events if e["event"] == "item_added"]
    assert titles[-2:] == ["铃\x07声\x1b[31m红", "分\x1e隔\x1f符\x1b"]
    assert tz(root, "log").returncode == 0


def test_log__escaping_keeps_wide_spaces_and_escapes_what_moves_the_screen():
    from taizhang.cli.git import escaped

    assert escaped("六个村　拆迁 ok") == "六个村　拆迁 ok"  # U+3000, the ideographic space, is text
    assert escaped("a\x1b[2Jb\x07\u2028\u202ec\x85") == "a\\x1b[2Jb\\x07\\u2028\\u202ec\\x85"


def test_commit__import_commits_its_items_and_new_ledgers_but_not_the_hand_edit(tmp_path):
    root = _repo(tmp_path, driver=None)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2.replace("    owner: 李四\n", "    owner: 李四（手改）\n"), encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("项目名称,事项,责任单位,时间节点\n宇通二期项目,主体施工验收,区建设局,2018-10-31\n"
                     "城区道路工程,经北五路通车,区建设局,2018-06-30\n", encoding="utf-8")
    done = tz(root, "import", str(sheet), "--commit")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert git(root, "show", "--name-only", "--format=", "HEAD").stdout.split() == ["ledgers/CQDLGC.yaml",
                                                                                  "ledgers/YT2.yaml"]
    committed = git(root, "show", "HEAD:ledgers/YT2.yaml").stdout
    assert "主体施工验收" in committed and "李四（手改）" not in committed
    assert git(root, "status", "--porcelain").stdout.splitlines() == [" M ledgers/YT2.yaml"]


def test_commit__a_notice_beside_an_uncommitted_one_commits_its_own_notice_alone(tmp_path):
    """notices.yaml as a ledger: `notice --commit` after a notice written without --commit holds
    the new notice on top of what was committed, notice by notice, and leaves the other one
    uncommitted in the file (git's line merge sees the two appended notices clash)."""
    root = _repo(tmp_path, driver=None)
    path = root / "notices.yaml"
    assert tz(root, "notice", "--light", "红,黄,绿", "--commit").returncode == 0
    first = path.read_text(encoding="utf-8")
    assert tz(root, "notice", "--light", "红,黄,绿").returncode == 0  # written, not committed
    second = path.read_text(encoding="utf-8")
    done = tz(root, "notice", "--light", "红,黄,绿", "--commit")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    committed = git(root, "show", "HEAD:notices.yaml").stdout
    now = path.read_text(encoding="utf-8")
    third = now[len(second):]
    assert now.startswith(second) and third.strip() and committed == first + third
    assert git(root, "status", "--porcelain").stdout.splitlines() == [" M notices.yaml"]
