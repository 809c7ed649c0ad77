"""Input errors of the write commands: exit 1, one clear line on stderr, no traceback, and not a
single byte changed in the repository (SPEC §3: "no file changed"). Usage errors exit 2.

Every test takes a snapshot of all files (bytes) and folders under the repository before the
command and compares it after; `.taizhang/` (locks, temporary files) is left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AS_OF, YT2

SWJ = """\
code: SWJ
name: 污水处理厂
unit: 区水务局
items:
  - id: SWJ-1
    title: 管网铺设
    due: 2018-07-31
"""

# A ledger with an error of its own: an unknown key in an item.
BROKEN = """\
code: AZF
name: 安置房项目
items:
  - id: AZF-1
    title: 主体封顶
    due: 2018-09-30
    closed: {date: 2018-09-20}
  - id: AZF-2
    title: 室外配套
    deu: 2018-12-31
"""
BROKEN_LINE = ("ledgers/AZF.yaml:10:5: unknown field deu (a typo? allowed: id, title, kind, due, "
               "duration, after, owner, unit, leader, target, measures, apply, closed, notes, changes, from)")

# The same ledger with a duplicate key instead.
DUPLICATE_KEY = BROKEN.replace("    deu: 2018-12-31\n", "    due: 2018-12-31\n    due: 2019-01-31\n")


# --- helpers ---------------------------------------------------------------------------------

def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `root`, except `.taizhang/`."""
    state: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".taizhang" or rel.startswith(".taizhang/"):
            continue
        state[rel] = path.read_bytes() if path.is_file() else None
    return state


@pytest.fixture
def sample(repo, monkeypatch) -> Path:
    """YT2 (YT2-1 closed, YT2-2..4 open) and SWJ; the working folder is the repository."""
    root = repo(YT2=YT2, SWJ=SWJ)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def run(cli, sample):
    """`run("close", "YT2-9")` → Result, with --dir, --as-of and --lang en."""

    def invoke(*args, root: Path = sample):
        return cli("--dir", root, "--as-of", AS_OF, "--lang", "en", *args)

    return invoke


def assert_refused(result, before: dict, root: Path, *, says: tuple[str, ...] = (),
                   line: str | None = None) -> str:
    """Exit 1, exactly one stderr line (saying `says`, or equal to `line`), nothing written."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    if line is not None:
        assert lines[0] == line
    for word in says:
        assert word in lines[0], (word, lines[0])
    assert snapshot(root) == before, "a refused command changed the repository"
    return lines[0]


def assert_usage_error(result, before: dict, root: Path) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 2, result
    assert result.stderr.strip(), "click says what is wrong"
    assert snapshot(root) == before


# --- close -------------------------------------------------------------------------------------

def test_close__unknown_id(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "YT2-9"), before, sample, line="taizhang: no item YT2-9")


@pytest.mark.parametrize("bad_id", ["yt2-1", "YT2-x", "YT2-01", "YT2", "YT2-", "../YT2-1", "YT2-1-1", ""])
def test_close__id_with_bad_syntax(run, sample, bad_id):
    before = snapshot(sample)
    line = assert_refused(run("close", bad_id), before, sample, says=("is not an item id",))
    assert line.startswith("taizhang: ")


def test_close__unknown_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "XYZ-1"), before, sample,
                   says=("XYZ",), line="taizhang: no project XYZ (ledgers/XYZ.yaml does not exist)")


def test_close__already_closed_item(run, sample):
    # SPEC §2: closing an item that is already closed is an error (exit 1).
    before = snapshot(sample)
    assert_refused(run("close", "YT2-1"), before, sample,
                   line="taizhang: item YT2-1 was closed already on 2018-03-28")


def test_close__already_closed_item_with_another_date(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "YT2-1", "--on", "2018-06-01"), before, sample, says=("YT2-1",))


def test_close__second_id_unknown_writes_nothing_not_even_the_first(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "YT2-2", "YT2-9"), before, sample, line="taizhang: no item YT2-9")


def test_close__unknown_id_in_another_ledger_writes_nothing(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "YT2-2", "SWJ-9"), before, sample, line="taizhang: no item SWJ-9")


def test_close__unknown_project_after_a_good_id_writes_nothing(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "SWJ-1", "YT2-2", "XYZ-1"), before, sample, says=("XYZ",))


def test_close__already_closed_after_a_good_id_writes_nothing(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "SWJ-1", "YT2-2", "YT2-1"), before, sample, says=("YT2-1", "closed"))


def test_close__impossible_on_date(run, sample):
    before = snapshot(sample)
    assert_refused(run("close", "YT2-2", "--on", "2018-02-30"), before, sample,
                   says=("--on", "2018-02-30"))


# --- reopen, note ------------------------------------------------------------------------------

def test_reopen__item_not_closed(run, sample):
    before = snapshot(sample)
    assert_refused(run("reopen", "YT2-2", "--reason", "复查"), before, sample,
                   line="taizhang: item YT2-2 is not closed")


def test_reopen__unknown_item(run, sample):
    before = snapshot(sample)
    assert_refused(run("reopen", "YT2-9", "--reason", "复查"), before, sample, line="taizhang: no item YT2-9")


def test_note__missing_item(run, sample):
    before = snapshot(sample)
    assert_refused(run("note", "YT2-9", "已签约四个村"), before, sample, line="taizhang: no item YT2-9")


def test_note__unknown_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("note", "XYZ-1", "进展"), before, sample, says=("XYZ",))


def test_note__impossible_date(run, sample):
    before = snapshot(sample)
    assert_refused(run("note", "YT2-2", "进展", "--on", "2018-02-30"), before, sample, says=("--on",))


def test_note__empty_text(run, sample):
    before = snapshot(sample)
    line = assert_refused(run("note", "YT2-2", ""), before, sample)
    assert line.startswith("taizhang: ")


# --- add -----------------------------------------------------------------------------------------

def test_add__unknown_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("add", "XYZ", "新事项"), before, sample,
                   line="taizhang: no project XYZ (ledgers/XYZ.yaml does not exist)")


@pytest.mark.parametrize("code", ["../x", "yt2", "YT2/../SWJ", "A B", ""])
def test_add__bad_code(run, sample, code):
    before = snapshot(sample)
    assert_refused(run("add", code, "新事项"), before, sample, says=("is not a valid project code",))


def test_add__after_names_a_missing_id(run, sample):
    before = snapshot(sample)
    assert_refused(run("add", "YT2", "设备安装", "--after", "YT2-2,YT2-9"), before, sample,
                   line="taizhang: predecessor YT2-9 does not exist in this project")


def test_add__after_names_an_id_of_another_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("add", "YT2", "设备安装", "--after", "SWJ-1"), before, sample, says=("SWJ-1",))


def test_add__impossible_due(run, sample):
    before = snapshot(sample)
    assert_refused(run("add", "YT2", "设备安装", "--due", "2018-02-30"), before, sample,
                   line="taizhang: --due: the date '2018-02-30' does not exist")


def test_add__unreadable_due(run, sample):
    before = snapshot(sample)
    assert_refused(run("add", "YT2", "设备安装", "--due", "someday"), before, sample, says=("--due",))


def test_add__bogus_kind(run, sample):
    before = snapshot(sample)
    result = run("add", "YT2", "设备安装", "--kind", "bogus")
    assert_usage_error(result, before, sample)
    assert "Error: Invalid value for '--kind': 'bogus' is not one of task, milestone, problem" in result.stderr


@pytest.mark.parametrize("duration", ["-3", "abc", "三个半月"])
def test_add__bad_duration(run, sample, duration):
    before = snapshot(sample)
    assert_refused(run("add", "YT2", "设备安装", "--duration", duration), before, sample,
                   says=("--duration", duration))


def test_add__empty_title(run, sample):
    before = snapshot(sample)
    line = assert_refused(run("add", "YT2", ""), before, sample)
    assert line.startswith("taizhang: ")


def test_problem__unknown_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("problem", "XYZ", "拆迁滞后"), before, sample, says=("XYZ",))


# --- set -----------------------------------------------------------------------------------------

def test_set__unknown_field_of_an_item(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "YT2-2", "deu=2018-09-30"), before, sample,
                   line="taizhang: YT2-2 has no settable field deu (settable: title, kind, due, "
                        "duration, after, owner, unit, leader, target, measures, from)")


def test_set__unknown_field_of_a_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "YT2", "leeder=张三"), before, sample, says=("leeder", "settable: name"))


@pytest.mark.parametrize("target, assignment", [
    ("YT2-2", "id=YT2-7"),
    ("YT2", "code=ABC"),
    ("YT2-2", "closed=2018-06-01"),
    ("YT2-2", "notes=进展"),
    ("YT2", "items=[]"),
])
def test_set__fields_that_are_not_settable(run, sample, target, assignment):
    before = snapshot(sample)
    field = assignment.split("=", 1)[0]
    assert_refused(run("set", target, assignment), before, sample, says=(f"no settable field {field}",))


def test_set__without_equals(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "YT2-2", "title"), before, sample, line="taizhang: 'title' must be FIELD=VALUE")


@pytest.mark.parametrize("target, assignment", [("YT2-2", "title="), ("YT2", "name=")])
def test_set__emptying_a_required_field(run, sample, target, assignment):
    before = snapshot(sample)
    field = assignment[:-1]
    assert_refused(run("set", target, assignment), before, sample,
                   line=f"taizhang: {field} is required and cannot be emptied")


@pytest.mark.parametrize("target, assignment, says", [
    ("YT2-2", "due=2018-02-30", ("due", "2018-02-30")),
    ("YT2", "deadline=2018-02-30", ("deadline", "2018-02-30")),
    ("YT2-2", "kind=bogus", ("kind=bogus",)),
    ("YT2", "stage=在建", ("stage=在建",)),
    ("YT2", "calendar=lunar", ("calendar=lunar",)),
    ("YT2-2", "duration=三个半月", ("duration",)),
])
def test_set__invalid_values(run, sample, target, assignment, says):
    before = snapshot(sample)
    assert_refused(run("set", target, assignment), before, sample, says=says)


def test_set__unknown_item(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "YT2-9", "owner=王五"), before, sample, line="taizhang: no item YT2-9")


def test_set__unknown_project(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "XYZ", "name=新名"), before, sample, says=("XYZ",))


def test_set__one_bad_assignment_writes_none_of_them(run, sample):
    before = snapshot(sample)
    assert_refused(run("set", "YT2-2", "owner=王五", "deu=2018-09-30"), before, sample, says=("deu",))


@pytest.mark.parametrize("assignment", ["after=YT2-9", "after=YT2-2", "after=第一项"])
def test_set__after_that_cannot_be(run, sample, assignment):
    before = snapshot(sample)
    line = assert_refused(run("set", "YT2-2", assignment), before, sample)
    assert line.startswith("taizhang: ")


# --- new -------------------------------------------------------------------------------------------

def test_new__existing_code(run, sample):
    before = snapshot(sample)
    assert_refused(run("new", "YT2", "宇通二期"), before, sample,
                   line="taizhang: project YT2 exists already: ledgers/YT2.yaml")


@pytest.mark.parametrize("code", ["../x", "yt2", "A/B", "..", "YT2.yaml", "ABCDEFGHIJKLM", "2AB", "", "Y T"])
def test_new__bad_code_creates_nothing_anywhere(run, sample, tmp_path, code):
    # Snapshot the whole temporary folder (the repository's parent too), .taizhang/ included.
    def everything() -> set[str]:
        return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}

    before, files_before = snapshot(sample), everything()
    assert_refused(run("new", code, "新项目"), before, sample, says=("is not a valid project code",))
    assert everything() == files_before


@pytest.mark.parametrize("args", [("--stage", "在建"), ("--calendar", "lunar")], ids=["stage", "calendar"])
def test_new__bad_option_value(run, sample, args):
    before = snapshot(sample)
    line = assert_refused(run("new", "ABC", "新项目", *args), before, sample, says=(args[0].lstrip("-"),))
    assert line.startswith("taizhang: ")


def test_new__empty_name(run, sample):
    before = snapshot(sample)
    line = assert_refused(run("new", "ABC", ""), before, sample)
    assert line.startswith("taizhang: ")


def test_new__impossible_deadline(run, sample):
    before = snapshot(sample)
    assert_refused(run("new", "ABC", "新项目", "--deadline", "2018-02-30"), before, sample,
                   says=("--deadline",))
    assert not (sample / "ledgers" / "ABC.yaml").exists()


# --- a ledger with an error of its own ---------------------------------------------------------

WRITES_ON_AZF = [
    ("add", "AZF", "景观绿化"),
    ("problem", "AZF", "资金不到位"),
    ("close", "AZF-2"),
    ("note", "AZF-2", "已完成一半"),
    ("set", "AZF-2", "owner=王五"),
    ("set", "AZF", "leader=李四"),
    ("reopen", "AZF-1", "--reason", "复查不合格"),
]


@pytest.mark.parametrize("args", WRITES_ON_AZF, ids=lambda a: " ".join(a[:2]))
def test_write__on_a_ledger_with_an_error_is_refused_with_its_problem(cli, repo, monkeypatch, args):
    root = repo(AZF=BROKEN, YT2=YT2)
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", *args)
    assert_refused(result, before, root, line=BROKEN_LINE)


@pytest.mark.parametrize("args", WRITES_ON_AZF, ids=lambda a: " ".join(a[:2]))
def test_write__on_a_ledger_with_a_duplicate_key_is_refused(cli, repo, monkeypatch, args):
    root = repo(AZF=DUPLICATE_KEY, YT2=YT2)
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", *args)
    assert_refused(result, before, root, line="ledgers/AZF.yaml:11:5: duplicate key due")


def test_write__close_across_a_good_and_a_broken_ledger_writes_nothing(cli, repo, monkeypatch):
    root = repo(AZF=BROKEN, YT2=YT2)
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "close", "YT2-2", "AZF-2")
    assert_refused(result, before, root, line=BROKEN_LINE)


def test_write__problems_of_a_broken_ledger_are_all_listed(cli, repo, monkeypatch):
    text = BROKEN.replace("name: 安置房项目\n", "name: 安置房项目\nstage: 在建\n")
    root = repo(AZF=text)
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "close", "AZF-2")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ledgers/AZF.yaml:3:8: stage must be one of '新建', '续建' or '前期', not 在建",
        BROKEN_LINE.replace(":10:5:", ":11:5:"),
    ]
    assert snapshot(root) == before


def test_write__broken_settings_refuse_writes(cli, repo, monkeypatch):
    root = repo(settings="warn_days: soon\n", YT2=YT2)
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "close", "YT2-2")
    assert_refused(result, before, root, line="taizhang.yaml:1:12: warn_days must be a whole number")


# --- global options ------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["before", "after"])
def test_global__impossible_as_of(cli, sample, where):
    before = snapshot(sample)
    opts = ["--as-of", "2018-02-30"]
    args = (opts + ["close", "YT2-2"]) if where == "before" else (["close", "YT2-2"] + opts)
    result = cli("--dir", sample, "--lang", "en", *args)
    assert_refused(result, before, sample, line="taizhang: --as-of: the date '2018-02-30' does not exist")


def test_global__impossible_taizhang_today(cli, sample, monkeypatch):
    before = snapshot(sample)
    monkeypatch.setenv("TAIZHANG_TODAY", "2018-02-30")
    result = cli("--dir", sample, "--lang", "en", "close", "YT2-2")
    assert_refused(result, before, sample, says=("2018-02-30",))


def test_global__dir_to_a_missing_folder(cli, sample, tmp_path):
    missing = tmp_path / "nowhere"
    before = snapshot(sample)
    result = cli("--dir", missing, "--as-of", AS_OF, "--lang", "en", "close", "YT2-2")
    assert_refused(result, before, sample, line=f"taizhang: folder {missing} does not exist")
    assert not missing.exists()


def test_global__dir_to_a_file(cli, sample):
    before = snapshot(sample)
    result = cli("--dir", sample / "ledgers" / "YT2.yaml", "--as-of", AS_OF, "--lang", "en", "close", "YT2-2")
    assert_refused(result, before, sample, says=("YT2.yaml",))


def test_global__errors_are_chinese_by_default(cli, sample):
    before = snapshot(sample)
    result = cli("--dir", sample, "--as-of", AS_OF, "close", "YT2-9")
    assert_refused(result, before, sample, line="taizhang: 没有事项 YT2-9")


# --- usage errors: exit 2 ------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("close", "YT2-2", "--bogus"),
    ("add", "YT2", "新事项", "--deu", "2018-09-30"),
    ("--frobnicate", "close", "YT2-2"),
    ("set", "YT2-2", "owner=王五", "-x"),
], ids=["close --bogus", "add --deu", "global --frobnicate", "set -x"])
def test_usage__unknown_option(run, sample, args):
    before = snapshot(sample)
    assert_usage_error(run(*args), before, sample)


@pytest.mark.parametrize("args", [
    ("close",),
    ("add", "YT2"),
    ("add",),
    ("note", "YT2-2"),
    ("set", "YT2-2"),
    ("new", "ABC"),
    ("problem", "YT2"),
], ids=lambda a: " ".join(a))
def test_usage__missing_argument(run, sample, args):
    before = snapshot(sample)
    assert_usage_error(run(*args), before, sample)


def test_usage__reopen_without_reason(run, sample):
    before = snapshot(sample)
    assert_usage_error(run("reopen", "YT2-1"), before, sample)


def test_usage__option_without_its_value(run, sample):
    before = snapshot(sample)
    assert_usage_error(run("reopen", "YT2-1", "--reason"), before, sample)


def test_usage__unknown_command(run, sample):
    before = snapshot(sample)
    assert_usage_error(run("clsoe", "YT2-2"), before, sample)


def test_usage__bad_lang(cli, sample):
    before = snapshot(sample)
    assert_usage_error(cli("--dir", sample, "--lang", "fr", "close", "YT2-2"), before, sample)


# --- the usage line (SPEC §9: messages that say what to type) -----------------------------------

def _usage_line(cli, command: str) -> str:
    out = cli(command, "--help")
    assert out.exit_code == 0, out
    line = next(line for line in out.stdout.splitlines() if line.startswith("用法："))
    return line.split(" ", 1)[1]  # (without the program's name, which the test runner gives)


def test_usage_lines_name_arguments_plainly_as_the_reference_does(cli):
    from taizhang.cli.app import COMMANDS
    from taizhang.cli.reference import _usage, cli_group

    group, ctx = cli_group()
    for name in COMMANDS:
        line = _usage_line(cli, name)
        assert "{" not in line and "}" not in line, line
        assert line == f"{name} {_usage(group.get_command(ctx, name))}", line
    assert _usage_line(cli, "apply") == "apply [OPTIONS] IDS..."
    assert _usage_line(cli, "init") == "init [OPTIONS] [PATH]"
    assert _usage_line(cli, "note") == "note [OPTIONS] ID TEXT"
    assert "  IDS...  " in cli("apply", "--help").stdout


def test_a_missing_argument_is_named_as_the_usage_line_names_it(cli):
    out = cli("add", "YT2")
    assert out.exit_code == 2 and " add [OPTIONS] CODE TITLE\n" in out.stderr
    assert out.stderr.rstrip().endswith("错误：缺少参数 TITLE"), out.stderr
    assert cli("--lang", "en", "close").stderr.rstrip().endswith("Error: Missing argument 'IDS'.")
