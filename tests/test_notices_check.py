"""notices.yaml as trustworthy as the ledgers (SPEC §7, §9): `check` reads it and places every
problem at its line; a number given to two notices is found; `notice` and `reply` change nothing
when the file system refuses."""

from __future__ import annotations

import pytest
from conftest import AS_OF, dedent, refusing

from taizhang.domain.models import Ledger, NoticesFile, Settings, allowed_keys

SETTINGS = """\
    notice:
      issuer: 四平市铁西区人民政府督查室
      number: 四铁西政督字〔{year}〕{n}号
"""

LEDGER = """\
    code: YT2
    name: 宇通二期项目
    unit: 区住建局
    items:
      - id: YT2-1
        title: 棚户区改造
        unit: 区住建局、区财政局
        due: 2018-06-10
      - id: YT2-2
        title: 主体开工
        due: 2018-06-18
"""


# --- the keys an unknown key is told it may be, from the models themselves -----------------------

@pytest.mark.parametrize(("model", "names", "keys"), [
    (NoticesFile, [], ["notices"]),
    (NoticesFile, ["notices"], ["number", "unit", "date", "reply_by", "items", "replies"]),
    (NoticesFile, ["notices", "replies"], ["date", "text", "by"]),
    (Settings, ["notice"], ["issuer", "number", "signer"]),
    (Ledger, ["items", "changes"], ["date", "by", "field", "from", "to", "reason"]),
    (Ledger, ["items", "apply"], ["date", "by", "evidence", "note"]),
    (Ledger, ["investment", "completed"], ["total", "planned", "completed"]),
])
def test_allowed_keys__walk_the_models(model, names, keys):
    assert allowed_keys(model, names) == keys


def test_check__an_unknown_key_in_a_change_names_a_changes_keys(cli, repo, monkeypatch):
    # (a hand-kept table of nested models knew no `changes`: it offered an item's keys)
    changes = "        changes:\n          - {date: 2018-06-01, field: due, reason: 调整, becuase: x}\n"
    root = repo(YT2=LEDGER + changes)
    monkeypatch.chdir(root)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1
    assert out.stderr.startswith("ledgers/YT2.yaml:13:52: 未知字段 becuase（拼写错误？可用字段："
                                 "date, by, field, from, to, reason）\n"), out


def test_check__an_unknown_notice_setting_names_the_notice_settings(cli, repo, monkeypatch):
    root = repo(SETTINGS + "      singer: 王五\n", YT2=LEDGER)
    monkeypatch.chdir(root)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1
    assert out.stderr == "taizhang.yaml:4:3: 未知字段 singer（拼写错误？可用字段：issuer, number, signer）\n"


# --- check reads notices.yaml: one line per problem, at its place ---------------------------------

GOOD = """\
    # 督办通知单：由 taizhang notice 写入
    notices:
      - number: 四铁西政督字〔2018〕1号
        unit: 区住建局
        date: 2018-06-01
        reply_by: 2018-06-10
        items: [YT2-1]
        replies:
          - {date: 2018-06-05, text: 已完成征收公告, by: 区住建局}
      - number: 四铁西政督字〔2018〕2号
        unit: 区财政局
        date: 2018-06-01
        items: [YT2-1]
        replies: []
"""

# (what notices.yaml holds, the lines check prints in Chinese, and in English)
BROKEN = {
    "conflict markers": (
        "notices:\n<<<<<<< HEAD\n  - {number: 督办1号, unit: 区住建局, date: 2018-06-01}\n=======\n"
        "  - {number: 督办1号, unit: 区财政局, date: 2018-06-01}\n>>>>>>> theirs\n",
        ["notices.yaml:2:1: git 合并冲突标记 <<<<<<<：请先解决冲突",
         "notices.yaml:4:1: git 合并冲突标记 =======：请先解决冲突",
         "notices.yaml:6:1: git 合并冲突标记 >>>>>>>：请先解决冲突"],
        ["notices.yaml:2:1: git conflict marker <<<<<<<: resolve the merge first",
         "notices.yaml:4:1: git conflict marker =======: resolve the merge first",
         "notices.yaml:6:1: git conflict marker >>>>>>>: resolve the merge first"]),
    "broken yaml": (
        "notices:\n  - number: [\n",
        ["notices.yaml:3:1: YAML 语法错误：这里缺少值，或多了“]”“}”“,”之类的符号"],
        ["notices.yaml:3:1: YAML syntax error: a value is missing here, or a stray ']', '}' or ','"]),
    "wrong types": (
        "notices:\n  - number: 1\n    unit: [区住建局]\n    date: 2018-06-01\n    items: YT2-1\n",
        ["notices.yaml:2:13: notices[0].number 应为文字", "notices.yaml:3:11: notices[0].unit 应为文字",
         "notices.yaml:5:12: notices[0].items 应为列表"],
        ["notices.yaml:2:13: notices[0].number must be text", "notices.yaml:3:11: notices[0].unit must be text",
         "notices.yaml:5:12: notices[0].items must be a list"]),
    "unknown keys": (
        "notices:\n  - number: 督办1号\n    unit: 区住建局\n    date: 2018-06-01\n    unti: 区财政局\n"
        "    replies:\n      - {date: 2018-06-02, text: 已办, whom: 张三}\n",
        ["notices.yaml:5:5: 未知字段 unti（拼写错误？可用字段：number, unit, date, reply_by, items, replies）",
         "notices.yaml:7:38: 未知字段 whom（拼写错误？可用字段：date, text, by）"],
        ["notices.yaml:5:5: unknown field unti (a typo? allowed: number, unit, date, reply_by, items, replies)",
         "notices.yaml:7:38: unknown field whom (a typo? allowed: date, text, by)"]),
    "bad dates": (
        "notices:\n  - number: 督办1号\n    unit: 区住建局\n    date: 2018-13-01\n    reply_by: 下周五\n",
        ["notices.yaml:4:11: 日期“2018-13-01”不存在",
         "notices.yaml:5:15: “下周五”是相对日期，含义随当天而变，不能写在文件里；请写具体日期（taizhang date 下周五 可换算）"],
        ["notices.yaml:4:11: the date '2018-13-01' does not exist",
         "notices.yaml:5:15: '下周五' is relative to the day it is read, so it cannot stand in a file; write the date "
         "itself (taizhang date 下周五 converts it)"]),
    "a list at the top": (
        "- number: 督办1号\n",
        ["notices.yaml:1:1: notices.yaml 的顶层应是键值对（notices: …）"],
        ["notices.yaml:1:1: notices.yaml must be a mapping (notices: …)"]),
    "notices not a list": (
        "notices: {number: 督办1号}\n",
        ["notices.yaml:1:10: notices 应为列表"],
        ["notices.yaml:1:10: notices must be a list"]),
}


@pytest.fixture
def office(repo, monkeypatch):
    """A repository with a ledger, run from its root (problems name `notices.yaml` as it is)."""
    root = repo(SETTINGS, YT2=LEDGER)
    monkeypatch.chdir(root)
    return root


def _notices(root, text: str) -> bytes:
    (root / "notices.yaml").write_bytes(dedent(text).encode("utf-8"))
    return (root / "notices.yaml").read_bytes()


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
@pytest.mark.parametrize("named", [False, True], ids=["all", "named"])
def test_check__a_broken_notices_file_is_one_line_per_problem(cli, office, case, named):
    text, zh, en = BROKEN[case]
    before = _notices(office, text)
    files = ["notices.yaml"] if named else []
    out = cli("--as-of", AS_OF, "check", *files)
    assert out.exit_code == 1 and "Traceback" not in out.stderr
    assert out.stderr.splitlines() == zh, out
    said = "检查了 1 个文件" if named else "检查了 3 个文件"  # taizhang.yaml, the ledger, notices.yaml
    assert out.stdout.startswith(said), out
    english = cli("--as-of", AS_OF, "--lang", "en", "check", *files)
    assert english.exit_code == 1 and english.stderr.splitlines() == en, english
    assert (office / "notices.yaml").read_bytes() == before


def test_check__a_sound_notices_file_passes_and_is_counted(cli, office):
    assert cli("--as-of", AS_OF, "check").stdout == "检查了 2 个文件：0 个错误，0 个警告\n"
    _notices(office, GOOD)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 0 and out.stderr == "", out
    assert out.stdout == "检查了 3 个文件：0 个错误，0 个警告\n"
    named = cli("--as-of", AS_OF, "check", "notices.yaml")
    assert named.exit_code == 0 and named.stdout == "检查了 1 个文件：0 个错误，0 个警告\n", named
    assert cli("--as-of", AS_OF, "check", office / "notices.yaml").exit_code == 0


def test_check__a_date_phrase_is_read_with_the_repositorys_year(cli, repo, monkeypatch):
    root = repo(SETTINGS + "    year: 2018\n", YT2=LEDGER)
    monkeypatch.chdir(root)
    _notices(root, GOOD.replace("reply_by: 2018-06-10", "reply_by: 6月10日"))
    assert cli("--as-of", AS_OF, "check").exit_code == 0
    out = cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕2号", "已拨付")
    assert out.exit_code == 0, out


def test_check__a_notices_file_that_is_a_link_is_refused_not_read(cli, office, tmp_path):
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(dedent(GOOD), encoding="utf-8")
    (office / "notices.yaml").symlink_to(elsewhere)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1 and out.stderr.startswith("notices.yaml:1:1: "), out
    assert cli("--as-of", AS_OF, "check", "notices.yaml").stderr == out.stderr


def test_check__another_file_named_notices_is_not_the_repositorys(cli, office):
    (office / "sub").mkdir()
    (office / "sub" / "notices.yaml").write_text("x: 1\n", encoding="utf-8")
    out = cli("--as-of", AS_OF, "check", "sub/notices.yaml")
    assert out.exit_code == 1 and "notices.yaml" in out.stderr and out.stderr.count("\n") == 1, out


@pytest.mark.parametrize("case", ["conflict markers", "wrong types", "bad dates"])
def test_notice_reply_and_status_say_what_check_says(cli, office, case):
    """One reader (repo.notices.examine): every command that reads notices.yaml says its
    problems in the same lines, and none of them changes it."""
    text, zh, _ = BROKEN[case]
    before = _notices(office, text)
    status = cli("--as-of", AS_OF, "status")
    assert status.exit_code == 1 and "棚户区改造" in status.stdout and status.stderr.splitlines() == zh
    for args in (["notice"], ["notice", "--out", "督办.md"], ["reply", "督办1号", "已办"]):
        out = cli("--as-of", AS_OF, *args)
        assert out.exit_code == 1 and out.stderr.splitlines() == zh, (args, out)
    assert (office / "notices.yaml").read_bytes() == before
    assert not (office / "督办.md").exists()
    assert cli("--as-of", AS_OF, "report", "month").stderr.splitlines() == zh


def test_check__a_warm_check_sees_a_notices_file_appear(tmp_path):
    """A whole-repository check is replayed when nothing it read changed (repo/replay.py): a
    notices.yaml that appears, or changes, is a change."""
    import os
    import subprocess
    import sys

    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "YT2.yaml").write_text(dedent(LEDGER), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_")}
    env.update({"XDG_CACHE_HOME": str(tmp_path / "user-cache"), "TAIZHANG_TODAY": AS_OF})

    def check() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "taizhang", "check"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)

    assert check().returncode == 0 and check().returncode == 0
    (root / "notices.yaml").write_text("notices:\n  - number: 1\n", encoding="utf-8")
    found = check()
    assert found.returncode == 1 and "notices.yaml:2:13: notices[0].number 应为文字" in found.stderr
    (root / "notices.yaml").write_text(dedent(GOOD), encoding="utf-8")
    assert check().returncode == 0 and check().returncode == 0
    (root / "notices.yaml").write_text(dedent(GOOD).replace("2号", "1号"), encoding="utf-8")
    assert check().returncode == 1


# --- a number two notices bear (two offices each issued one, then merged) -------------------------

MERGED = """\
    notices:
      - number: 四铁西政督字〔2018〕1号
        unit: 区住建局
        date: 2018-06-01
        reply_by: 2018-06-10
        items: [YT2-1]
        replies: []
      - number: 四铁西政督字〔2018〕1号
        unit: 区财政局
        date: 2018-06-02
        items: [YT2-1]
        replies: []
      - number: 四铁西政督字〔2018〕2号
        unit: 区财政局
        date: 2018-06-02
        items: [YT2-2]
        replies: []
      - number: 四铁西政督字〔2018〕1号
        unit: 区建设局
        date: 2018-06-03
        items: [YT2-2]
"""


@pytest.mark.parametrize(("numbers", "repeated"), [
    ([], {}),
    (["1号", "2号"], {}),
    (["1号", "2号", "1号", "3号", "2号", "1号"], {"1号": [0, 2, 5], "2号": [1, 4]}),
    (["2号", "1号", "1号", "2号"], {"2号": [0, 3], "1号": [1, 2]}),
    # one number on paper, however typed: full-width digits or brackets, spaces
    (["督字〔2018〕5号", "督字〔2018〕５号", "督字〔2018〕5号 ", " 督字〔2018〕 5号", "督字〔2018〕15号"],
     {"督字〔2018〕5号": [0, 1, 2, 3]}),
    (["督字（2018）1号", "督字(2018)1号", "督字〔2018〕1号"], {"督字（2018）1号": [0, 1]}),
])
def test_repeated_numbers__every_place_of_each_number_borne_twice(numbers, repeated):
    from taizhang.domain.notices import repeated_numbers

    found = repeated_numbers(numbers)
    assert found == repeated and list(found) == list(repeated)


def test_check__each_repeated_number_is_an_error_at_its_place(cli, office):
    before = _notices(office, MERGED)
    for files in ([], ["notices.yaml"]):
        out = cli("--as-of", AS_OF, "check", *files)
        assert out.exit_code == 1 and out.stderr.splitlines() == [
            "notices.yaml:8:13: 文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
            "notices.yaml:18:13: 文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
        ], out
        assert "2 个错误" in out.stdout
    english = cli("--as-of", AS_OF, "--lang", "en", "check")
    assert english.stderr.splitlines()[0] == ("notices.yaml:8:13: notice number 四铁西政督字〔2018〕1号 repeated "
                                              "(first on line 2): each notice needs its own number")
    assert (office / "notices.yaml").read_bytes() == before


def test_status__a_repeated_number_is_a_warning_and_the_table_stands(cli, office):
    import json

    before = _notices(office, MERGED)
    out = cli("--as-of", "2018-06-11", "status", "YT2")
    assert out.exit_code == 0 and "棚户区改造" in out.stdout and "督办超期" in out.stdout, out
    assert out.stderr.splitlines() == [
        "notices.yaml:8:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
        "notices.yaml:18:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
    ]
    items = {i["id"]: i for i in json.loads(cli("--as-of", "2018-06-11", "status", "--json").stdout)["items"]}
    assert items["YT2-1"]["notices"] == 2 and items["YT2-2"]["notices"] == 2  # every notice still counts
    assert "warning: notice number" in cli("--as-of", AS_OF, "--lang", "en", "status").stderr
    assert (office / "notices.yaml").read_bytes() == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reply__to_a_repeated_number_is_refused_and_nothing_changes(cli, office, lang):
    before = _notices(office, MERGED)
    out = cli("--as-of", AS_OF, "--lang", lang, "reply", "四铁西政督字〔2018〕1号", "已办结")
    assert out.exit_code == 1 and out.stdout == "", out
    assert out.stderr == {
        "zh": "taizhang: 文号 四铁西政督字〔2018〕1号 在 notices.yaml 中有 3 份（第 2, 8, 18 行）："
              "分不清反馈的是哪一份，请先改正文号，未记录\n",
        "en": "taizhang: 3 notices in notices.yaml are numbered 四铁西政督字〔2018〕1号 (lines 2, 8, 18): which one "
              "the reply answers cannot be told; correct the numbers first; nothing recorded\n"}[lang]
    assert (office / "notices.yaml").read_bytes() == before


def test_reply__to_a_number_borne_once_is_recorded_beside_a_repeated_one(cli, office):
    before = _notices(office, MERGED).decode("utf-8").splitlines()
    out = cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕2号", "已拨付")
    assert out.exit_code == 0, out
    after = (office / "notices.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(i + 1, a) for i, (b, a) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before) and changed == [(17, "    replies: [{date: 2018-06-15, text: 已拨付}]")]


def test_notice__beside_a_repeated_number_takes_the_next_free_one(cli, office):
    _notices(office, MERGED)
    out = cli("--as-of", AS_OF, "notice", "--unit", "区住建局")
    assert out.exit_code == 0 and "四铁西政督字〔2018〕3号" in out.stdout, out
    # and says, as status says it, that a number is borne twice
    assert [line for line in out.stderr.splitlines() if "重复" in line] == [
        "notices.yaml:8:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
        "notices.yaml:18:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
    ]


# --- a full disk, a read-only file system: notice and reply change nothing -----------------------

def _tree(folder) -> dict:
    """Every file and folder under `folder` (the machine-local state aside: locks, caches), files
    with their bytes; and no temporary file anywhere, the machine-local state's included."""
    assert [p for p in folder.rglob("*.tmp")] == []
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*")) if ".taizhang" not in p.relative_to(folder).parts}


needs_proc = pytest.mark.skipif(not __import__("os").path.exists("/proc/self/fd"),
                                reason="no /proc to tell which file is written")


@pytest.fixture(params=[None, GOOD], ids=["first notice", "notices before"])
def issued(request, office):
    if request.param is not None:
        _notices(office, request.param)
    return office


@pytest.mark.parametrize(("error", "said"), [(28, "磁盘已满"), (30, "只读文件系统")], ids=["ENOSPC", "EROFS"])
def test_notice__a_paper_the_file_system_refuses_records_no_notice(cli, issued, tmp_path, monkeypatch, error, said):
    if error == 28 and not __import__("os").path.exists("/proc/self/fd"):
        pytest.skip("no /proc to tell which file is written")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "上次的.md").write_text("旧的\n", encoding="utf-8")
    before, papers_before = _tree(issued), _tree(papers)
    refusing(monkeypatch, papers, error, spare=("/.taizhang/cache",))
    out = cli("--as-of", AS_OF, "notice", "--out", papers / "督办" / "督办通知单.md")
    assert out.exit_code == 1 and out.stdout == "", out
    assert out.stderr.count("\n") == 1 and said in out.stderr and "Traceback" not in out.stderr, out
    assert _tree(issued) == before and _tree(papers) == papers_before


@pytest.mark.parametrize(("error", "said"), [(28, "磁盘已满"), (30, "只读文件系统")], ids=["ENOSPC", "EROFS"])
def test_notice__a_record_the_file_system_refuses_leaves_no_paper(cli, issued, tmp_path, monkeypatch, error, said):
    if error == 28 and not __import__("os").path.exists("/proc/self/fd"):
        pytest.skip("no /proc to tell which file is written")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "督办通知单.md").write_text("上一次的通知\n", encoding="utf-8")
    cli("--as-of", AS_OF, "check")  # (the locks' and caches' folder made, as by any earlier run)
    before, papers_before = _tree(issued), _tree(papers)
    refusing(monkeypatch, issued, error, spare=("/.taizhang/cache",))
    out = cli("--as-of", AS_OF, "notice", "--out", papers / "督办通知单.md")
    assert out.exit_code == 1 and out.stdout == "", out
    assert out.stderr.count("\n") == 1 and said in out.stderr and "Traceback" not in out.stderr, out
    assert _tree(issued) == before and _tree(papers) == papers_before


def test_notice__a_paper_that_cannot_be_put_in_place_takes_its_record_back(cli, issued, tmp_path, monkeypatch):
    """The last step, the paper's rename, refused (notices.yaml already recorded under the lock):
    notices.yaml is put back as it was."""
    import errno
    import os

    papers = tmp_path / "papers"
    papers.mkdir()
    target = papers / "督办通知单.md"
    before = _tree(issued)
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.fspath(dst) == str(target):
            raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(src))
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    out = cli("--as-of", AS_OF, "notice", "--out", target)
    assert out.exit_code == 1 and out.stderr.count("\n") == 1 and "督办通知单.md" in out.stderr, out
    assert "读写出错" in out.stderr and ".tmp" not in out.stderr
    assert _tree(issued) == before and _tree(papers) == {}
    monkeypatch.setattr(os, "replace", real)
    assert cli("--as-of", AS_OF, "notice", "--out", target).exit_code == 0
    assert "四铁西政督字〔2018〕" in target.read_text(encoding="utf-8")


def test_notice__the_paper_is_written_beside_its_place_before_the_notices_are_recorded(cli, office, tmp_path,
                                                                                      monkeypatch):
    """The order of the steps: the paper staged, notices.yaml recorded, the paper put in place."""
    import os

    from taizhang.repo import files, temps

    steps = []
    real_stage, real_write = temps.stage, files.atomic_write
    real_replace = os.replace

    def stage(writes):
        steps.append(("stage", writes[0][0].name))
        return real_stage(writes)

    def atomic_write(root, path, data):
        steps.append(("record", path.name))
        return real_write(root, path, data)

    def replace(src, dst, *args, **kwargs):
        if os.fspath(dst).endswith(".md"):
            steps.append(("put", os.path.basename(dst)))
        return real_replace(src, dst, *args, **kwargs)
    monkeypatch.setattr(temps, "stage", stage)
    monkeypatch.setattr("taizhang.repo.notices.atomic_write", atomic_write)
    monkeypatch.setattr(os, "replace", replace)
    out = cli("--as-of", AS_OF, "notice", "--out", tmp_path / "督办.md")
    assert out.exit_code == 0, out
    assert steps == [("stage", "督办.md"), ("record", "notices.yaml"), ("put", "督办.md")]
    assert out.stdout.startswith(f"已写入 {tmp_path / '督办.md'}"), out


@pytest.mark.parametrize(("error", "said"), [(28, "磁盘已满"), (30, "只读文件系统")], ids=["ENOSPC", "EROFS"])
def test_reply__a_file_system_that_refuses_changes_nothing(cli, office, monkeypatch, error, said):
    if error == 28 and not __import__("os").path.exists("/proc/self/fd"):
        pytest.skip("no /proc to tell which file is written")
    _notices(office, GOOD)
    cli("--as-of", AS_OF, "check")
    before = _tree(office)
    refusing(monkeypatch, office, error, spare=("/.taizhang/cache",))
    out = cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕2号", "已拨付")
    assert out.exit_code == 1 and out.stdout == "", out
    assert out.stderr.count("\n") == 1 and said in out.stderr and "Traceback" not in out.stderr, out
    assert _tree(office) == before


@pytest.mark.parametrize("command", [("report", "month"), ("report", "week", "--format", "md"), ("dashboard", "--out", "site")])
def test_a_report_or_the_dashboard_says_a_number_borne_twice_as_status_does(cli, office, command):
    """What is handed out at the meeting comes with the warning status gives (on stderr)."""
    _notices(office, MERGED)
    out = cli("--as-of", AS_OF, *command)
    assert out.exit_code == 0, out
    assert [line for line in out.stderr.splitlines() if "重复" in line] == [
        "notices.yaml:8:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
        "notices.yaml:18:13: 警告：文号 四铁西政督字〔2018〕1号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同",
    ]



# --- a notices file with no notices yet, or with them in flow style -----------------------------

NO_NOTICES_YET = {
    # (what notices.yaml holds, how it starts after the first notice)
    "comments alone": ("# 督办通知单\n", "# 督办通知单\nnotices:\n  - number: 四铁西政督字〔2018〕1号\n"),
    "an empty list": ("notices: []   # 今年的\n", "notices:   # 今年的\n  - number: 四铁西政督字〔2018〕1号\n"),
    "no value": ("# 头\nnotices:\n", "# 头\nnotices:\n  - number: 四铁西政督字〔2018〕1号\n"),
    "null": ("notices: ~\n", "notices:\n  - number: 四铁西政督字〔2018〕1号\n"),
    "a flow list": ("notices: [{number: 甲1号, unit: 区财政局, date: 2018-06-01}]  # 注\n",
                    "notices: [{number: 甲1号, unit: 区财政局, date: 2018-06-01}, {number: 四铁西政督字〔2018〕1号, "),
    "a flow mapping": ("{notices: []}\n", "{notices: [{number: 四铁西政督字〔2018〕1号, "),
    "CRLF": ("notices: []\r\n", "notices:\r\n  - number: 四铁西政督字〔2018〕1号\r\n"),
}


@pytest.mark.parametrize("case", NO_NOTICES_YET, ids=list(NO_NOTICES_YET))
def test_notice__onto_a_file_with_no_notices_or_a_flow_list_appends_and_replies(cli, office, case):
    text, starts = NO_NOTICES_YET[case]
    (office / "notices.yaml").write_bytes(text.encode("utf-8"))
    out = cli("--as-of", AS_OF, "notice", "--unit", "区住建局")
    assert out.exit_code == 0 and "Traceback" not in out.stderr, out
    after = (office / "notices.yaml").read_bytes().decode("utf-8")
    assert after.startswith(starts), after
    assert cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕1号", "已办结").exit_code == 0
    check = cli("--as-of", AS_OF, "check", "notices.yaml")
    assert check.exit_code == 0 and check.stderr == "", check
    assert "已办结" in (office / "notices.yaml").read_text(encoding="utf-8")


SPELLED = """\
    notices:
      - number: 四铁西政督字〔2018〕1号
        unit: 区住建局
        date: 2018-06-01
        items: [YT2-1]
        replies: []
      - number: "四铁西政督字〔2018〕2号 "
        unit: 区财政局
        date: 2018-06-02
        items: [YT2-2]
        replies: []
      - number: 四铁西政督字〔２０１８〕１号
        unit: 区建设局
        date: 2018-06-03
        items: [YT2-2]
        replies: []
"""


def test_a_number_typed_with_a_space_or_full_width_digits_is_the_same_number(cli, office):
    before = _notices(office, SPELLED)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1 and out.stderr.splitlines() == [
        "notices.yaml:12:13: 文号 四铁西政督字〔２０１８〕１号 重复（第一次出现在第 2 行）：每份督办通知单的文号应不同"], out
    out = cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕1号", "已办结")
    assert out.exit_code == 1 and "有 2 份（第 2, 12 行）" in out.stderr, out
    assert (office / "notices.yaml").read_bytes() == before
    # the notice `2号 ` is 2号: a reply to 2号 is its reply, and the next notice is not 2号 again
    out = cli("--as-of", AS_OF, "reply", "四铁西政督字〔2018〕2号", "已拨付")
    assert out.exit_code == 0, out
    assert '    replies: [{date: 2018-06-15, text: 已拨付}]\n      - number: 四铁西政督字〔２０１８〕１号' \
        .replace("      ", "  ") in (office / "notices.yaml").read_text(encoding="utf-8")
    out = cli("--as-of", AS_OF, "notice", "--unit", "区住建局")
    assert out.exit_code == 0 and "四铁西政督字〔2018〕3号" in out.stdout, out
