"""Import at the edges (issue 13): formula cells saved without their values, a sheet whose
declared size is absurd, a large sheet written in one pass, and titles that must come back
byte for byte through export → import."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest
from conftest import AS_OF, dedent

from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

openpyxl = pytest.importorskip("openpyxl")


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".taizhang" not in p.parts}


def _patch_sheet_xml(path: Path, change) -> None:
    """Rewrite the first worksheet's XML of an xlsx (what another program might have saved)."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data)


# --- formula cells without a cached value ---------------------------------------------------

def test_import__formula_cells_without_values_are_errors_at_their_cells(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    before = _snapshot(root)
    book = tmp_path / "表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "事项", "责任单位", "完成时限"])
    ws.append(["甲项目", "征收", "区建设局", "2018-05-31"])
    ws.append(["甲项目", '=CONCAT("封","顶")', "区建设局", "2018-06-30"])   # a title that is a formula
    ws.append(["甲项目", "验收", "区建设局", "=DATE(2018,9,30)"])            # a due that is a formula
    ws.append(["合计", None, None, "=COUNTA(D2:D4)"])                      # a total row: skipped anyway
    wb.save(book)   # openpyxl saves formulas without values, as a program (never Excel) would
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 1, result
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith("表.xlsx:Sheet!B3: 公式单元格没有保存计算结果（文件未经 Excel/WPS 打开保存）：请在 Excel 或 WPS 中打开并保存后再导入")
    assert lines[1].endswith("表.xlsx:Sheet!D4: 公式单元格没有保存计算结果（文件未经 Excel/WPS 打开保存）：请在 Excel 或 WPS 中打开并保存后再导入")
    assert lines[2] == "导入失败：2 处无法读取，未写入任何文件"
    assert _snapshot(root) == before


def test_import__formula_cells_with_their_saved_values_import(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    book = tmp_path / "表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "事项", "完成时限"])
    ws.append(["甲项目", "封顶", "2018-06-30"])
    wb.save(book)
    # As Excel saves a formula: the formula and the value it computed.
    _patch_sheet_xml(book, lambda xml: re.sub(r'<c r="B2"[^>]*>.*?</c>',
                                              '<c r="B2" t="str"><f>CONCAT("封","顶")</f><v>封顶</v></c>', xml))
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0, result
    assert [i.title for i in load_repo(Cache(root)).ledgers[0].items] == ["封顶"]


# --- a declared size that is absurd ---------------------------------------------------------

def test_import__a_sheet_claiming_xfd1048576_is_read_by_its_real_cells(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    book = tmp_path / "大表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "事项", "完成时限"])
    ws.append(["甲项目", "征收", "2018-05-31"])
    wb.save(book)

    def claim(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        # A styled empty cell in the last cell of the sheet, and a merge to it: what some
        # programs leave behind (a full load makes every cell up to there).
        xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')
        return xml.replace("</worksheet>", '<mergeCells count="1"><mergeCell ref="E9:XFD1048576"/></mergeCells></worksheet>') \
            if "<mergeCells" not in xml else xml

    _patch_sheet_xml(book, claim)
    start = time.perf_counter()
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0, result
    assert time.perf_counter() - start < 30
    assert [i.title for i in load_repo(Cache(root)).ledgers[0].items] == ["征收"]


# --- linear: one read-back per ledger, whatever the number of rows --------------------------

def test_import__many_rows_are_written_in_one_edit_per_ledger(cli, tmp_path, monkeypatch):
    """Each item was once a chained edit that read the whole ledger back (quadratic: 2,000 rows
    40 s, 20,000 rows 14 minutes under the lock). Now a ledger is read back a fixed number of
    times whatever its size (benchmarks/import_bench.py measures the seconds)."""
    import taizhang.repo.load as load_mod  # (repo.write imports parse_ledger from it when it runs)

    root = _empty_repo(cli, tmp_path)
    rows = ["项目名称,事项,责任单位,完成时限,进展情况,是否销号"]
    rows += [f"甲项目,第{k}项,区建设局,{k % 12 + 1}月底前,{'过半' if k % 3 == 0 else ''},{'是' if k % 5 == 0 else '否'}"
             for k in range(1, 401)]
    sheet = tmp_path / "大.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    calls = {"n": 0}
    real = load_mod.parse_ledger

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(load_mod, "parse_ledger", counting)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 0, result
    assert calls["n"] <= 6, calls
    ledger = load_repo(Cache(root)).ledgers[0]
    assert len(ledger.items) == 400
    assert sum(1 for i in ledger.items if i.closed) == 80 and sum(1 for i in ledger.items if i.notes) == 133
    assert ledger.items[9].due.isoformat() == "2018-11-30"


def test_import__into_a_ledger_whose_items_stand_apart_keeps_its_layout(cli, repo, tmp_path):
    root = repo(A=dedent("""
        code: A
        name: 甲项目
        items:
          - id: A-1
            title: 一

          - id: A-2
            title: 二
        """), settings="year: 2018\n")
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,事项,完成时限,是否销号\n甲项目,三,6月底前,是\n甲项目,四,,\n", encoding="utf-8")
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    assert (root / "ledgers" / "A.yaml").read_text(encoding="utf-8").endswith(
        "  - id: A-2\n    title: 二\n\n"
        "  - id: A-3\n    title: 三\n    due: 2018-06-30  # 6月底前\n    closed:\n      date: 2018-06-15\n\n"
        "  - id: A-4\n    title: 四\n")


def test_import__into_a_flow_style_ledger_still_works(cli, repo, tmp_path):
    root = repo(A="code: A\nname: 甲项目\nitems: [{id: A-1, title: 一}]\n", settings="year: 2018\n")
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,事项\n甲项目,二\n甲项目,三\n", encoding="utf-8")
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    assert [i.id for i in load_repo(Cache(root)).ledgers[0].items] == ["A-1", "A-2", "A-3"]


# --- titles byte for byte -------------------------------------------------------------------

TITLES = ["它's 已完成", "两个  空格", "制表\t符", " 前后有空格 ", "换行\n第二行", "中文标点：“引号”、（括号）；。",
          "'=1+1", "=SUM(A1)", "  =缩进的公式", "'单引号开头", "-减号开头", "@at", "尾随制表符\t", "全角　空格"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_import__titles_come_back_byte_for_byte(cli, repo, tmp_path, fmt):
    items = "".join(f"  - id: T-{k}\n    title: {__import__('json').dumps(t, ensure_ascii=False)}\n"
                    for k, t in enumerate(TITLES, start=1))
    root = repo(T=f"code: T\nname: ' 标题 项目'\nitems:\n{items}", settings="year: 2018\n")
    out = tmp_path / f"t.{fmt}"
    exported = cli("--dir", root, "--as-of", AS_OF, "export", "--format", fmt, "--out", out)
    assert exported.exit_code == 0, exported
    target = _empty_repo(cli, tmp_path)
    result = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(target)).ledgers[0]
    assert [i.title for i in ledger.items] == TITLES
    # And again: the same titles are found, nothing is added twice.
    again = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert again.exit_code == 0 and len(load_repo(Cache(target)).ledgers[0].items) == len(TITLES)


# --- a progress bar for long imports, in a terminal only ------------------------------------

def _rows_sheet(tmp_path: Path, n: int) -> Path:
    sheet = tmp_path / "长表.csv"
    sheet.write_text("项目名称,事项\n" + "".join(f"甲项目,第{k}项\n" for k in range(n)), encoding="utf-8")
    return sheet


def test_import__a_long_import_shows_a_progress_bar_on_stderr_in_a_terminal(cli, tmp_path, monkeypatch):
    import taizhang.cli.exchange as command

    monkeypatch.setattr(command, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(command._ProgressBar, "delay", 0.0)   # as if a second had passed
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", _rows_sheet(tmp_path, 1200))
    assert result.exit_code == 0, result
    assert "读取行" in result.stderr and "写入台账" in result.stderr
    assert "读取行" not in result.stdout and "导入完成" in result.stdout


def test_import__no_progress_bar_in_a_pipe_or_when_quick(cli, tmp_path, monkeypatch):
    import taizhang.cli.exchange as command

    root = _empty_repo(cli, tmp_path)
    piped = cli("--dir", root, "--as-of", AS_OF, "import", _rows_sheet(tmp_path, 1200))   # stderr is no terminal
    assert piped.exit_code == 0 and piped.stderr == ""
    monkeypatch.setattr(command, "_stderr_is_terminal", lambda: True)
    quick = cli("--dir", _empty_repo(cli, tmp_path, "two"), "--as-of", AS_OF, "import", _rows_sheet(tmp_path, 3))
    assert quick.exit_code == 0 and quick.stderr == ""


def test_import__never_gives_an_id_git_s_copies_used(cli, tmp_path):
    """SPEC §2: an id is never reused, not even after the last item is deleted. An import into
    a ledger whose last item was deleted (committed before) starts above it, in --dry-run too."""
    import subprocess

    root = _empty_repo(cli, tmp_path)
    path = root / "ledgers" / "A.yaml"
    path.write_text(dedent("""\
        code: A
        name: 甲项目
        items:
          - id: A-1
            title: 征收
          - id: A-2
            title: 封顶
        """), encoding="utf-8")
    git = ["git", "-c", "user.name=甲", "-c", "user.email=a@example.org"]
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "台账"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True, env=env)
    path.write_text(path.read_text(encoding="utf-8").split("  - id: A-2")[0], encoding="utf-8")  # A-2 deleted
    sheet = tmp_path / "t.csv"
    sheet.write_text("项目编号,事项,时间节点\nA,验收,9月底\n", encoding="utf-8")
    shown = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--dry-run")
    assert shown.exit_code == 0, shown
    assert "A-3" in shown.stdout and "A-2" not in shown.stdout
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    assert [i.id for i in load_repo(Cache(root)).ledgers[0].items] == ["A-1", "A-3"]


def test_import__a_history_git_cannot_read_is_a_warning(cli, tmp_path):
    """The ledger's history tells which ids were deleted; where git cannot read it, the import
    says so (once, naming the ledger) rather than numbering from the copies in silence."""
    import subprocess

    root = _empty_repo(cli, tmp_path)
    path = root / "ledgers" / "A.yaml"
    path.write_text("code: A\nname: 甲项目\nitems:\n  - id: A-1\n    title: 征收\n  - id: A-2\n    title: 封顶\n",
                    encoding="utf-8")
    git = ["git", "-c", "user.name=甲", "-c", "user.email=a@example.org"]
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)}

    def run(*args: str) -> str:
        return subprocess.run([*git, *args], cwd=root, check=True, capture_output=True, env=env, text=True).stdout

    run("init", "-q")
    run("add", "-A")
    run("commit", "-qm", "台账")
    lost = run("rev-parse", "HEAD:ledgers/A.yaml").strip()
    path.write_text(path.read_text(encoding="utf-8").split("  - id: A-2")[0], encoding="utf-8")
    run("commit", "-qam", "A-2 deleted")
    (root / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    sheet = tmp_path / "t.csv"
    sheet.write_text("项目编号,事项,时间节点\nA,验收,9月底\nA,备案,10月底\n", encoding="utf-8")
    done = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert done.exit_code == 0, done
    assert done.stderr.count("未能读取此台账的 git 历史") == 1 and "ledgers/A.yaml:1:1: 警告：" in done.stderr
