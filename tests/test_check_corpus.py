"""`taizhang check` on a corpus of broken ledgers.

Each case is a tiny repository `tests/corpus/<case>/` (`ledgers/<CODE>.yaml`, sometimes a
`taizhang.yaml`) with `expected.txt` beside it:

    # what the case is about (lines starting with '#' are comments)
    exit: 1
    ledgers/YT2.yaml:6:5: unknown field deu (a typo? allowed: ...)

The lines after `exit:` are exactly what `taizhang --lang en check` prints on stderr, in order.
A line ending in `{...}` only fixes its beginning (used where the exact wording is not the
point, e.g. which parser message a syntax error carries).

Binary or huge inputs (GBK, UTF-16, NUL, 20 MB, CRLF, BOM) are not committed: their case folder
holds only `expected.txt`, and `GENERATED` below writes the ledger into the temporary copy.

Cases in `XFAIL` show bugs of the tool: expected.txt says what it should print.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Callable

import pytest
from conftest import REPO_ROOT, dedent

CORPUS = Path(__file__).resolve().parent / "corpus"
WILDCARD = "{...}"
# `check` also evaluates schedules on the as-of day: pin a day before every time node of the
# corpus, so that the expected lines do not change with the calendar.
CHECK_DAY = "2018-01-01"
PREFIX = re.compile(r"^(?P<prefix>[^\s:][^:]*:\d+:\d+): ")

# --- generated inputs ------------------------------------------------------------------------

BASE = dedent("""
    code: YT2
    name: 宇通二期项目
    items:
      - id: YT2-1
        title: 配套项目全面开工
        due: 2018-03-31
""")


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _huge(root: Path) -> None:
    """A 20 MB ledger of well-formed items (bigger than any real one)."""
    head = "code: BIG\nname: 大文件\nitems:\n"
    parts, size, n = [head], len(head.encode()), 0
    while size <= 20 * 1024 * 1024:
        n += 1
        part = f"  - id: BIG-{n}\n    title: 第{n}项工作\n    due: 2018-06-30\n"
        parts.append(part)
        size += len(part.encode())
    _write(root, "ledgers/BIG.yaml", "".join(parts).encode("utf-8"))


GENERATED: dict[str, Callable[[Path], None]] = {
    "gbk_encoding": lambda root: _write(root, "ledgers/YT2.yaml", BASE.encode("gbk")),
    "utf16_encoding": lambda root: _write(root, "ledgers/YT2.yaml", BASE.encode("utf-16")),
    "nul_byte": lambda root: _write(root, "ledgers/YT2.yaml", BASE.replace("配套", "配\x00套").encode()),
    "huge_file": _huge,
    "crlf_line_endings": lambda root: _write(
        root, "ledgers/YT2.yaml", BASE.replace("due:", "deu:").replace("\n", "\r\n").encode()),
    "utf8_bom": lambda root: _write(
        root, "ledgers/YT2.yaml", b"\xef\xbb\xbf" + BASE.replace("due:", "deu:").encode()),
}

# --- known bugs --------------------------------------------------------------------------------

# Cases that show a known bug: {case: reason}. Empty: every case reads as it should.
XFAIL: dict[str, str] = {}
# Cases that crash today: their Chinese run fails the same way.
CRASHES: set[str] = set()


# --- running a case ------------------------------------------------------------------------------

def case_names() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def read_expected(case: str) -> tuple[int, list[str]]:
    lines = [line for line in (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    assert lines and lines[0].startswith("exit: "), f"{case}/expected.txt must start with 'exit: N'"
    return int(lines[0].split(":", 1)[1]), lines[1:]


def materialise(case: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CORPUS / case, root, ignore=shutil.ignore_patterns("expected.txt"))
    (root / "ledgers").mkdir(exist_ok=True)
    if case in GENERATED:
        GENERATED[case](root)
    return root


def lines_match(actual: list[str], expected: list[str]) -> bool:
    if len(actual) != len(expected):
        return False
    for got, want in zip(actual, expected):
        if want.endswith(WILDCARD):
            if not got.startswith(want[: -len(WILDCARD)]):
                return False
        elif got != want:
            return False
    return True


def prefixes(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        m = PREFIX.match(line)
        assert m, f"not a 'path:line:col: message' line: {line!r}"
        out.append(m["prefix"])
    return out


def run_case_en(case: str, cli, tmp_path: Path, monkeypatch) -> None:
    root = materialise(case, tmp_path)
    monkeypatch.chdir(root)  # paths print relative to the working folder
    exit_code, expected = read_expected(case)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert "Traceback" not in result.stdout + result.stderr
    actual = result.stderr.splitlines()
    assert lines_match(actual, expected), (
        "stderr differs from expected.txt\n--- expected\n" + "\n".join(expected)
        + "\n--- actual\n" + "\n".join(actual))
    assert result.exit_code == exit_code, result
    errors = [line for line in actual if not PREFIX.sub("", line).startswith("warning: ")]
    assert result.exit_code == (1 if errors else 0), "exit 1 with errors, 0 with warnings only"


def run_case_zh(case: str, cli, tmp_path: Path, monkeypatch) -> None:
    """Chinese (the default, and --lang zh): one line per problem, at the same positions."""
    root = materialise(case, tmp_path)
    monkeypatch.chdir(root)
    en = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    en_prefixes = prefixes(en.stderr.splitlines())
    for lang_args in (("--lang", "zh"), ()):
        zh = cli("--dir", root, "--as-of", CHECK_DAY, *lang_args, "check")
        assert "Traceback" not in zh.stdout + zh.stderr
        assert prefixes(zh.stderr.splitlines()) == en_prefixes, (lang_args, zh.stderr)
        assert zh.exit_code == en.exit_code
        if en_prefixes:
            assert re.search(r"[\u4e00-\u9fff]", zh.stderr), "the default messages are Chinese"


def _make_tests(case: str):
    def test_en(cli, tmp_path, monkeypatch):
        run_case_en(case, cli, tmp_path, monkeypatch)

    def test_zh(cli, tmp_path, monkeypatch):
        run_case_zh(case, cli, tmp_path, monkeypatch)

    test_en.__name__ = test_en.__qualname__ = f"test_check__{case}"
    test_zh.__name__ = test_zh.__qualname__ = f"test_check_zh__{case}"
    if case in XFAIL:
        test_en = pytest.mark.xfail(reason=XFAIL[case], strict=True)(test_en)
    if case in CRASHES:
        test_zh = pytest.mark.xfail(reason=XFAIL[case], strict=True)(test_zh)
    return test_en, test_zh


# One named test per case: `pytest -k unknown_key_in_item` runs test_check__unknown_key_in_item.
for _case in case_names():
    _en, _zh = _make_tests(_case)
    globals()[_en.__name__] = _en
    globals()[_zh.__name__] = _zh
del _case, _en, _zh


# --- the corpus itself -------------------------------------------------------------------------

def test_check__corpus_is_complete():
    cases = case_names()
    assert len(cases) >= 25
    for case in cases:
        read_expected(case)
        has_ledgers = (CORPUS / case / "ledgers").is_dir()
        assert has_ledgers != (case in GENERATED), f"{case}: committed ledgers xor generated"
    assert set(GENERATED) <= set(cases)
    assert set(XFAIL) <= set(cases)
    # Nothing binary or huge is committed.
    for path in CORPUS.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert len(data) < 64 * 1024, path
            data.decode("utf-8")
            assert b"\x00" not in data, path


# --- more than one case per run ----------------------------------------------------------------

def test_check__sample_repository_is_valid(cli, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    result = cli("--dir", REPO_ROOT, "--lang", "en", "check")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if "warning:" not in line]


def test_check__reports_all_problems_of_all_ledgers_in_one_run(repo, cli, monkeypatch):
    root = repo(
        settings="title: 双十工程\nwarn_days: soon\n",
        AZF="""
            code: AZF
            name: 安置房项目
            items:
              - id: AZF-1
                title: 主体封顶
                deu: 2018-09-30
        """,
        CQDL="""
            code: CQDL
            name: 城区道路
            stage: 在建
            items:
              - id: CQDL-1
                title: 路基施工
                due: 2018-02-30
              - id: CQDL-1
                title: 路面施工
        """,
        SWJ="""
            code: SWJ
            name: "污水处理厂
            items: []
        """,
        YT2="""
            code: YT2
            name: 宇通二期项目
            items:
              - id: YT2-1
                title: 配套项目全面开工
        """,
    )
    monkeypatch.chdir(root)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        "ledgers/AZF.yaml:6:5: unknown field deu (a typo? allowed: id, title, kind, due, duration, "
        "after, owner, unit, leader, target, measures, apply, closed, notes, changes, from)",
        "ledgers/CQDL.yaml:3:8: stage must be one of '新建', '续建' or '前期', not 在建",
        "ledgers/CQDL.yaml:7:10: the date '2018-02-30' does not exist",
        "ledgers/CQDL.yaml:8:9: duplicate item id CQDL-1 (first on line 5)",
        "ledgers/SWJ.yaml:2:7: YAML syntax error: the quote \" opened here is never closed",
        "ledgers/YT2.yaml:4:5: warning: item YT2-1 has no time node (due)",
        "taizhang.yaml:2:12: warn_days must be a whole number",
    ]
    assert "5 files" in result.stdout and "6 errors" in result.stdout and "1 warning" in result.stdout


def test_check__named_files_report_only_those_files(repo, cli, monkeypatch):
    root = repo(
        AZF="code: AZF\nname: 安置房项目\nleeder: 张三\n",
        SWJ="code: SWJ\nname: 污水处理厂\nstage: 在建\n",
    )
    monkeypatch.chdir(root)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check", "ledgers/SWJ.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ledgers/SWJ.yaml:3:8: stage must be one of '新建', '续建' or '前期', not 在建"]


def test_check__warnings_only_exit_0_errors_exit_1(repo, cli, monkeypatch):
    warnings_only = dict(
        SWJ="""
            code: SWJ
            name: 污水处理厂
            items:
              - id: SWJ-1
                title: 无时限事项
        """,
        YT2="""
            code: YT2
            name: 宇通二期项目
            deadline: 2020-06-30
            items:
              - id: YT2-1
                title: 晚于最终节点
                due: 2020-12-31
        """,
    )
    root = repo(**warnings_only)
    monkeypatch.chdir(root)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "ledgers/SWJ.yaml:4:5: warning: item SWJ-1 has no time node (due)",
        "ledgers/YT2.yaml:7:10: warning: item YT2-1 is due 2020-12-31, after the project deadline 2020-06-30",
    ]
    zh = cli("--dir", root, "--as-of", CHECK_DAY, "check")
    assert zh.exit_code == 0
    assert all("警告" in line for line in zh.stderr.splitlines())
    # One error among the warnings turns the exit code to 1.
    (root / "ledgers" / "AZF.yaml").write_text("code: AZF\nname: 安置房项目\nleeder: 张三\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 3


def test_check__relative_phrase_in_file_is_an_error(repo, cli, monkeypatch):
    # SPEC §3: `due: 下周五` in a file is an error (its meaning would change with the day).
    # The wording is left to the date reader; the position must be the value.
    root = repo(YT2=BASE.replace("due: 2018-03-31", "due: 下周五"))
    monkeypatch.chdir(root)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledgers/YT2.yaml:6:10: "), lines
    assert "下周五" in lines[0]


def test_check__alias_bomb_finishes_fast_and_is_refused(cli, tmp_path, monkeypatch):
    root = materialise("yaml_billion_laughs", tmp_path)
    monkeypatch.chdir(root)
    start = time.monotonic()
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines and all(line.endswith("YAML anchors/aliases (& and *) are not allowed") for line in lines)


def test_check__problems_outside_the_working_folder_print_a_usable_path(cli, tmp_path, monkeypatch):
    root = materialise("unknown_key_in_item", tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli("--dir", root, "--as-of", CHECK_DAY, "--lang", "en", "check")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    path = line.split(":", 1)[0]
    assert (elsewhere / path).resolve() == (root / "ledgers" / "YT2.yaml").resolve()
