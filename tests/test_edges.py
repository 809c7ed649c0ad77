"""The repository's files at the edges (SPEC §2 "one file per code", §9 "data is read only from
regular files inside the repository"): two files for one code, symlinks, FIFOs, devices, codes
that are reserved names on Windows, names too long for the file system, days at the ends of the
calendar and a nonsense $COLUMNS. Each gets one clear line and exit 1 (or works), never a
traceback, a hang or a changed file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT, YT2

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX file kinds")

LEDGER = """\
code: {code}
name: 项目{code}
items:
  - id: {code}-1
    title: 事项一
    due: 2018-06-30
"""

OUTSIDE = """\
code: YT2
name: 仓库外的秘密
items:
  - id: YT2-1
    title: 外面的一行秘密
    due: 2018-06-30
"""


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under `root` (but the private `.taizhang/`): a file's bytes, a link's target,
    a FIFO's kind — so that a test sees any change at all."""
    found: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".taizhang"]
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_fifo():
                found[rel] = "fifo"
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = "dir"
    return found


def shown(root: Path, rel: str) -> str:
    """How a problem names a file of the repository (relative to the current folder, as the
    CLI prints it), to assert the exact `path:line:col: ` of its line."""
    full = root / rel
    relative = os.path.relpath(full)
    return str(full) if relative.startswith("..") else relative


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert "Error:" not in result.stderr or result.stderr.startswith("Usage")


@pytest.fixture
def two(repo):
    """A repository with YT2 and SX1, read from anywhere."""
    return repo(YT2=YT2, SX1=LEDGER.format(code="SX1"))


def run_process(args: list[str], cwd: Path, timeout: float = 20, **env: str) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, so that a hang is a failed test rather than a stuck suite."""
    full = {**os.environ, "TAIZHANG_TODAY": AS_OF, "COLUMNS": "160", **env}
    full.pop("TAIZHANG_DIR", None)
    return subprocess.run([sys.executable, "-c", "from taizhang.cli import main; main()", *args],
                          check=False, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# --- one file per code ------------------------------------------------------------------------

def test_yaml_beside_yml__error_naming_both_counted_once(two, cli):
    (two / "ledgers" / "YT2.yml").write_text(YT2, encoding="utf-8")
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    errors = [line for line in lines(result.stderr) if "YT2.yml" in line]
    assert len(errors) == 1 and errors[0].startswith(f"{shown(two, 'ledgers/YT2.yml')}:1:1: ")
    assert "ledgers/YT2.yaml" in errors[0]
    assert "2 个文件" in result.stdout  # SX1 and YT2, YT2 once
    status = cli("--dir", two, "--as-of", AS_OF, "status")
    assert status.exit_code == 1 and "YT2.yml" in status.stderr
    assert status.stdout.count("宇通二期项目") <= 1
    assert snapshot(two) == before


def test_yaml_beside_yml__add_refuses(two, cli):
    (two / "ledgers" / "YT2.yml").write_text(YT2, encoding="utf-8")
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "add", "YT2", "新事项", "--due", "2018-07-01")
    assert result.exit_code == 1
    assert "YT2.yml" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(two) == before
    english = cli("--dir", two, "--lang", "en", "add", "YT2", "新事项", "--due", "2018-07-01")
    assert english.exit_code == 1 and "YT2.yml" in english.stderr and "project" in english.stderr


def test_new_refuses_code_whose_yml_exists(two, cli):
    (two / "ledgers" / "GZ1.yml").write_text(LEDGER.format(code="GZ1"), encoding="utf-8")
    before = snapshot(two)
    result = cli("--dir", two, "new", "GZ1", "新项目")
    assert result.exit_code == 1 and "GZ1.yml" in result.stderr
    assert snapshot(two) == before


# --- symlinks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["outside", "inside", "dangling"])
def test_symlinked_ledger__error_never_read_through(two, cli, tmp_path, target):
    outside = tmp_path / "outside.yaml"
    outside.write_text(OUTSIDE, encoding="utf-8")
    link = two / "ledgers" / "ZZ1.yaml"
    os.symlink({"outside": str(outside), "inside": "SX1.yaml", "dangling": "nowhere.yaml"}[target], link)
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    assert "外面的一行秘密" not in result.stdout + result.stderr
    [error] = [line for line in lines(result.stderr) if "ZZ1" in line]
    assert error.startswith(f"{shown(two, 'ledgers/ZZ1.yaml')}:1:1: ") and "符号链接" in error
    status = cli("--dir", two, "--as-of", AS_OF, "status")
    assert status.exit_code == 1 and "ZZ1.yaml" in status.stderr
    assert "外面的一行秘密" not in status.stdout + status.stderr
    assert snapshot(two) == before


def test_symlinked_ledger__writes_refuse(two, cli, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(OUTSIDE, encoding="utf-8")
    (two / "ledgers" / "YT2.yaml").unlink()
    os.symlink(outside, two / "ledgers" / "YT2.yaml")
    before, outside_before = snapshot(two), outside.read_bytes()
    for args in (["add", "YT2", "新事项", "--due", "2018-07-01"], ["close", "YT2-1"],
                 ["note", "YT2-1", "进展"], ["set", "YT2-1", "title=新标题"]):
        result = cli("--dir", two, "--as-of", AS_OF, *args)
        assert result.exit_code == 1, args
        assert "YT2.yaml" in result.stderr and "Traceback" not in result.stderr
        assert "外面的一行秘密" not in result.stdout + result.stderr
    assert snapshot(two) == before and outside.read_bytes() == outside_before
    assert (two / "ledgers" / "YT2.yaml").is_symlink()


def test_new_refuses_a_dangling_link_of_its_name(two, cli, tmp_path):
    os.symlink(tmp_path / "elsewhere.yaml", two / "ledgers" / "GZ1.yaml")
    before = snapshot(two)
    result = cli("--dir", two, "new", "GZ1", "新项目")
    assert result.exit_code == 1 and "GZ1.yaml" in result.stderr
    assert snapshot(two) == before and not (tmp_path / "elsewhere.yaml").exists()


@pytest.mark.parametrize("folder", ["ledgers", "calendars"])
def test_folder_symlinked_outside__refused(two, cli, tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ZZ1.yaml").write_text(OUTSIDE.replace("YT2", "ZZ1"), encoding="utf-8")
    if folder == "ledgers":
        for path in (two / "ledgers").iterdir():
            path.rename(elsewhere / path.name)
        (two / "ledgers").rmdir()
    os.symlink(elsewhere, two / folder)
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    assert "外面的一行秘密" not in result.stdout + result.stderr
    assert any(line.startswith(f"{shown(two, folder)}:1:1: ") and "符号链接" in line for line in lines(result.stderr)), result.stderr
    assert snapshot(two) == before


# --- FIFOs and devices ------------------------------------------------------------------------

def test_fifo_and_device_in_ledgers__errors(two, cli):
    os.mkfifo(two / "ledgers" / "ZZ1.yaml")
    os.symlink("/dev/null", two / "ledgers" / "ZZ2.yaml")
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    errors = lines(result.stderr)
    assert any(e.startswith(f"{shown(two, 'ledgers/ZZ1.yaml')}:1:1: ") and "不是普通文件" in e for e in errors), errors
    assert any(e.startswith(f"{shown(two, 'ledgers/ZZ2.yaml')}:1:1: ") for e in errors), errors
    english = cli("--dir", two, "--as-of", AS_OF, "--lang", "en", "check")
    assert "not a regular file" in english.stderr
    assert snapshot(two) == before


@pytest.mark.parametrize("where", ["taizhang.yaml", "notices.yaml"])  # (calendars/x.yaml, a folder, is no calendar)
def test_a_folder_where_a_file_belongs_is_said_to_be_a_folder(two, cli, where):
    """Not "a FIFO, device or socket": a folder, which is what the clerk will find there."""
    (two / where).mkdir(parents=True)
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    assert any(e.startswith(f"{shown(two, where)}:1:1: ") and "是文件夹" in e for e in lines(result.stderr)), result.stderr
    assert "is a folder, not a file" in cli("--dir", two, "--as-of", AS_OF, "--lang", "en", "check").stderr
    assert snapshot(two) == before


@pytest.mark.parametrize("args", [["status"], ["check"], ["remind"], ["report", "week"], ["add", "YT2", "x", "--due", "2018-07-01"]])
@pytest.mark.parametrize("where", ["ledgers/ZZ1.yaml", "taizhang.yaml", "calendars/2018.yaml"])
def test_fifo_never_hangs(two, tmp_path, args, where):
    (two / where).parent.mkdir(exist_ok=True)
    os.mkfifo(two / where)
    before = snapshot(two)
    done = run_process(["--dir", str(two), *args], cwd=tmp_path, timeout=120)  # (a hang never ends; a loaded machine is slow)
    assert "Traceback" not in done.stderr
    if args[0] == "add" and where != "taizhang.yaml":
        assert done.returncode == 0, done  # adding to YT2 needs neither the FIFO nor the calendars
        return
    assert done.returncode == 1, done
    assert done.stderr.startswith(f"{Path('repo') / where}:1:1: ")  # (relative to the cwd)
    assert snapshot(two) == before


def test_fifo_settings_never_hangs_found_from_cwd(two, tmp_path):
    os.mkfifo(two / "taizhang.yaml")
    done = run_process(["status"], cwd=two / "ledgers", timeout=120)
    assert done.returncode == 1 and "taizhang.yaml" in done.stderr and "Traceback" not in done.stderr


def test_symlinked_settings__refused(two, cli, tmp_path):
    (tmp_path / "other.yaml").write_text("title: 别处的设置\n", encoding="utf-8")
    os.symlink(tmp_path / "other.yaml", two / "taizhang.yaml")
    result = cli("--dir", two, "--as-of", AS_OF, "status")
    assert result.exit_code == 1
    assert lines(result.stderr) and lines(result.stderr)[0].startswith(f"{shown(two, 'taizhang.yaml')}:1:1: ")
    assert "别处的设置" not in result.stdout


# --- Windows reserved names -------------------------------------------------------------------

@pytest.mark.parametrize("code", ["CON", "AUX", "NUL", "PRN", "COM1", "COM9", "LPT1", "LPT9"])
def test_reserved_code__new_refuses(two, cli, code):
    before = snapshot(two)
    result = cli("--dir", two, "new", code, "新项目")
    assert result.exit_code == 1 and code in result.stderr and "Windows" in result.stderr
    assert snapshot(two) == before


@pytest.mark.parametrize("stem", ["CON", "con", "Lpt3"])
def test_reserved_code__check_reports_existing_file(two, cli, stem):
    (two / "ledgers" / f"{stem}.yaml").write_text(LEDGER.format(code=stem.upper()), encoding="utf-8")
    result = cli("--dir", two, "--as-of", AS_OF, "check")
    assert result.exit_code == 1
    assert any(line.startswith(f"{shown(two, f'ledgers/{stem}.yaml')}:1:1: ") and "Windows" in line
               for line in lines(result.stderr)), result.stderr


def test_reserved_code__import_refuses(two, cli, tmp_path):
    sheet = tmp_path / "in.csv"
    sheet.write_text("项目代码,项目名称,事项,时间节点\nCON,新项目,事项一,2018-07-01\n", encoding="utf-8")
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 1 and "CON" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(two) == before


# --- names too long, days at the ends of time, $COLUMNS ----------------------------------------

def test_dir_too_long_or_not_a_folder(two, cli, tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for target in ("x" * 5000, "/".join(["y" * 200] * 25), str(tmp_path / "fifo"), str(tmp_path / "file")):
        result = cli("--dir", target, "status")
        assert result.exit_code == 1, target[:50]
        assert len(lines(result.stderr)) == 1 and result.stderr.startswith("taizhang: ")


def test_names_too_long(two, cli):
    result = cli("--dir", two, "add", "YT2", "标" * 5000, "--due", "2018-07-01", "--as-of", AS_OF)
    assert result.exit_code in (0, 1)
    no_traceback(result)
    long_name = "n" * 300 + ".csv"
    for args in (["close", "YT2-" + "9" * 5000], ["note", "YT2-" + "1" * 300, "x"], ["why", "A" * 5000],
                 ["check", "ledgers/" + "Y" * 300 + ".yaml"], ["check", "x/" * 3000], ["import", long_name],
                 ["export", "--out", long_name], ["report", "week", "--out", "r" * 300 + ".md"],
                 ["gantt", "--out", "g" * 300 + ".svg"], ["new", "A" * 300, "名称"]):
        result = cli("--dir", two, "--as-of", AS_OF, *args)
        assert result.exit_code in (1, 2), args
        no_traceback(result)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("args", [["status"], ["schedule", "YT2"], ["report", "week"], ["report", "month"],
                                  ["gantt"], ["remind"], ["why", "YT2-2"],
                                  ["add", "YT2", "新事项", "--due", "下周五"], ["check"]])
def test_as_of_at_the_ends_of_time(two, cli, day, args):
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", day, *args)
    no_traceback(result)
    if result.exit_code != 0:
        assert result.exit_code == 1 and len(lines(result.stderr)) == 1, result
    assert snapshot(two) == before or result.exit_code == 0


@pytest.mark.parametrize("columns", ["abc", "0", "-5", "99999999", "", " 80 "])
@pytest.mark.parametrize("args", [["status"], ["report", "week"], ["gantt"], ["remind"]])
def test_columns_nonsense(two, cli, monkeypatch, columns, args):
    monkeypatch.setenv("COLUMNS", columns)
    result = cli("--dir", two, "--as-of", AS_OF, *args)
    no_traceback(result)
    assert result.exit_code == 0, result
    assert max(len(line) for line in result.stdout.splitlines()) < 2000


# --- init, schema and check FILE meet the same rule --------------------------------------------

def test_init_never_writes_through_a_dangling_settings_link(tmp_path, cli):
    root = tmp_path / "new"
    root.mkdir()
    os.symlink(tmp_path / "outside.yaml", root / "taizhang.yaml")
    result = cli("init", root)
    no_traceback(result)
    assert not (tmp_path / "outside.yaml").exists()
    assert (root / "taizhang.yaml").is_symlink()


def test_schema_refuses_a_fifo_or_link_in_its_place(two, tmp_path):
    (two / "schemas").mkdir()
    os.mkfifo(two / "schemas" / "ledger.schema.json")
    done = run_process(["--dir", str(two), "schema"], cwd=tmp_path, timeout=120)  # (a hang never ends; a loaded machine is slow)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{Path('repo/schemas/ledger.schema.json')}:1:1: ")
    assert (two / "schemas" / "ledger.schema.json").is_fifo()


def test_check_named_files_of_the_wrong_kind(two, cli, tmp_path):
    (tmp_path / "outside.yaml").write_text(OUTSIDE, encoding="utf-8")
    os.symlink(tmp_path / "outside.yaml", two / "ledgers" / "ZZ1.yaml")
    os.mkfifo(two / "ledgers" / "ZZ2.yaml")
    result = cli("--dir", two, "--as-of", AS_OF, "check", two / "ledgers" / "ZZ1.yaml", two / "ledgers" / "ZZ2.yaml")
    assert result.exit_code == 1
    assert "外面的一行秘密" not in result.stdout + result.stderr
    errors = lines(result.stderr)
    assert errors[0].startswith(f"{shown(two, 'ledgers/ZZ1.yaml')}:1:1: ") and "符号链接" in errors[0]
    assert errors[1].startswith(f"{shown(two, 'ledgers/ZZ2.yaml')}:1:1: ") and "不是普通文件" in errors[1]


def test_today_from_the_environment_meets_the_same_range(two, cli, monkeypatch):
    monkeypatch.setenv("TAIZHANG_TODAY", "9999-12-31")
    result = cli("--dir", two, "--lang", "en", "report", "week")
    assert result.exit_code == 1
    assert lines(result.stderr) == ["taizhang: --as-of 9999-12-31 is outside the supported range (1900-01-01 to 2999-12-31)"]


def test_reserved_code__writes_refuse_an_existing_file(two, cli):
    (two / "ledgers" / "NUL.yaml").write_text(LEDGER.format(code="NUL"), encoding="utf-8")
    before = snapshot(two)
    result = cli("--dir", two, "--as-of", AS_OF, "add", "NUL", "新事项", "--due", "2018-07-01")
    assert result.exit_code == 1
    assert lines(result.stderr)[0].startswith(f"{shown(two, 'ledgers/NUL.yaml')}:1:1: ")
    assert snapshot(two) == before


def test_an_output_that_cannot_hold_chinese_is_one_line_not_a_traceback(tmp_path):
    env = {**os.environ, "LC_ALL": "C", "TAIZHANG_NO_CACHE": "1", "TAIZHANG_TODAY": "2018-06-15"}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run([sys.executable, "-X", "utf8=0", "-m", "taizhang", "--dir", str(REPO_ROOT), "status"],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stderr.count(b"\n") == 1 and b"PYTHONIOENCODING=utf-8" in done.stderr


@pytest.mark.parametrize("duration", ["800000", "120000周", "3000000天", "30000个月"])
def test_a_duration_longer_than_a_hundred_years_is_one_line_not_a_traceback(cli, tmp_path, monkeypatch, duration):
    monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "CH.yaml").write_text(
        f"code: CH\nname: 项目\ndeadline: 2018-12-31\nitems:\n  - id: CH-1\n    title: 施工\n    duration: {duration}\n",
        encoding="utf-8")
    for command in (["check"], ["status"], ["schedule", "CH"], ["gantt"]):
        result = cli("--dir", root, "--as-of", "2018-06-15", *command)
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        assert f"ledgers/CH.yaml:7:15: 工期“{duration}”超过一百年，无法排期" in result.stderr, (command, result.stderr)


def _one_item_repo(tmp_path, monkeypatch, head: str, item: str) -> Path:
    monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "CH.yaml").write_text(
        f"code: CH\nname: 项目\n{head}items:\n  - id: CH-1\n    title: 施工\n{item}", encoding="utf-8")
    return root


@pytest.mark.parametrize("head, item", [
    ("", "    due: 0001-03-01\n    duration: 300\n"),  # planned back past 0001-01-01
    ("calendar: weekdays\n", "    due: 0001-03-01\n    duration: 300\n"),
    ("", "    due: 0001-03-31\n    duration: 6个月\n"),
    ("deadline: 0001-06-30\n", "    duration: 5周\n  - id: CH-2\n    title: 验收\n    after: [CH-1]\n    duration: 200\n"),
])
def test_a_plan_past_the_dates_there_are_is_one_line_not_a_traceback(cli, tmp_path, monkeypatch, head, item):
    root = _one_item_repo(tmp_path, monkeypatch, head, item)
    for command in (["check"], ["status"], ["schedule", "CH"], ["why", "CH-1"], ["gantt"]):
        result = cli("--dir", root, "--as-of", "2018-06-15", *command)
        assert "Traceback" not in result.stderr + result.stdout, command
        assert result.exit_code in (0, 1), (command, result.stderr)
    result = cli("--dir", root, "--as-of", "2018-06-15", "check")
    assert result.exit_code == 1 and "排期超出了能表示的日期（0001-01-01 至 9999-12-31）" in result.stderr, result.stderr


def test_a_long_duration_in_weekdays_plans_instead_of_blaming_the_calendar(cli, tmp_path, monkeypatch):
    # Within the hundred-year limit, 20,000 weekdays walk 77 years: the walk once gave up after
    # fifty and said "日历在 1968-11-22 附近没有任何工作日".
    root = _one_item_repo(tmp_path, monkeypatch, "calendar: weekdays\ndeadline: 2018-12-31\n", "    duration: 20000\n")
    result = cli("--dir", root, "--as-of", "2018-06-15", "schedule", "CH", "--json")
    assert result.exit_code == 0 and "工作日" not in result.stderr, result.stderr
    assert '"start":"1942-05-05"' in result.stdout.replace(" ", "").replace("\n", ""), result.stdout


# --- what the operating system refused, said in the run's language (SPEC §9) ----------------------

ERRNOS = ["ENOENT", "EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENAMETOOLONG", "EISDIR", "ENOTDIR", "ELOOP",
          "EEXIST", "EXDEV", "ENOTEMPTY", "EBUSY", "EIO", "EINVAL", "EMFILE"]


@pytest.mark.parametrize("name", ERRNOS)
def test_every_errno_is_said_in_chinese_and_in_english(name):
    import errno
    import re

    from taizhang.i18n import message, os_reason

    number = getattr(errno, name)
    reason = os_reason(OSError(number, os.strerror(number), "x"))
    zh = message("out_unwritable", "zh", path="x", detail=reason)
    en = message("out_unwritable", "en", path="x", detail=reason)
    assert not re.search(r"[A-Za-z]", zh.replace("x", "")), zh  # no English strerror in a Chinese line
    assert os.strerror(number) not in zh
    assert re.fullmatch(r"cannot write x: [a-z][a-z ;/()-]+", en), en


def test_an_errno_without_words_is_named_not_left_in_english():
    import errno

    from taizhang.i18n import message, os_reason

    reason = os_reason(OSError(errno.ENOLINK, os.strerror(errno.ENOLINK)))
    assert message("out_unwritable", "zh", path="x", detail=reason) == "无法写入 x：系统错误 ENOLINK"
    assert message("out_unwritable", "en", path="x", detail=reason) == f"cannot write x: {os.strerror(errno.ENOLINK)}"


def test_strerror_reaches_no_message_but_through_i18n():
    """One place words an errno (i18n.OS_REASONS): no other module puts an OSError's strerror
    (or its English str()) into a message."""
    import re

    offenders = []
    for path in (REPO_ROOT / "src" / "taizhang").rglob("*.py"):
        if path.name == "i18n.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<!os)\.strerror\b|'strerror'|\"strerror\"", line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def test_an_os_error_no_layer_expected_is_one_line_not_a_traceback(two, cli, monkeypatch):
    import errno

    from taizhang.repo.repository import Repository

    def status(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(two / "ledgers" / "YT2.yaml"))

    monkeypatch.setattr(Repository, "status", status)
    monkeypatch.chdir(two)
    result = cli("--as-of", AS_OF, "status")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("taizhang: 无法读写 "), result.stderr
    assert result.stderr.endswith("/ledgers/YT2.yaml：读写出错（输入/输出错误）\n"), result.stderr


def test_git_setup_on_a_read_only_checkout_is_one_line(two, cli, monkeypatch):
    import errno

    subprocess.run(["git", "init", "-q", str(two)], check=True)
    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        if ".taizhang" in os.fspath(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.chdir(two)
    result = cli("git-setup")
    assert result.exit_code == 1, result
    assert result.stderr == ".gitattributes:1:1: 无法写入：只读文件系统（未改动任何文件）\n"
    assert not (two / ".gitattributes").exists()
