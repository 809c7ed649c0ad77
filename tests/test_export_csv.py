"""A CSV export is as lossless as an xlsx one (SPEC §8): one table, what an xlsx keeps in companion
sheets carried as companion columns (exchange.cells), read back exactly — and an office's own CSV
reads as it always did."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT

from taizhang.exchange.cells import (
    CellError,
    escape,
    read_amounts_cell,
    read_notes_cell,
    split_line,
    unescape,
)
from taizhang.exchange.columns import cell_address
from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


def _data(root: Path) -> dict:
    repo = load_repo(Cache(root))
    assert not repo.errors, repo.errors
    return {l.code: l.model_dump() for l in repo.ledgers}


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def _round_trip(cli, source: Path, tmp_path: Path, *args: str, resave=None) -> Path:
    out = tmp_path / "all.csv"
    exported = cli("--dir", source, "--as-of", AS_OF, *args, "export", "--format", "csv", "--out", out)
    assert exported.exit_code == 0, exported
    if resave is not None:
        resave(out)
    target = _empty_repo(cli, tmp_path)
    imported = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert imported.exit_code == 0, imported
    return target


# --- the sample repository --------------------------------------------------------------------

def test_export_csv__the_sample_into_an_empty_repository_gives_back_every_ledger(cli, tmp_path):
    target = _round_trip(cli, REPO_ROOT, tmp_path)
    assert _data(target) == _data(REPO_ROOT)
    raw = (tmp_path / "all.csv").read_bytes()
    # As Excel opens it: UTF-8 with a byte-order mark, rows ending CRLF.
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 123
    header = _rows(tmp_path / "all.csv")[0]
    assert header[-4:] == ["项目本级信息", "全部进展记录", "投资明细（万元）", "其他字段"]


def test_export_csv__in_english_round_trips_as_well(cli, tmp_path):
    target = _round_trip(cli, REPO_ROOT, tmp_path, "--lang", "en")
    assert _data(target) == _data(REPO_ROOT)
    assert _rows(tmp_path / "all.csv")[0][-4:] == ["Project fields", "All reports", "Investment detail (万元)",
                                                   "Other fields"]


def test_export_csv__what_a_clerk_reads_in_the_companion_cells(cli, tmp_path):
    out = tmp_path / "cq.csv"
    assert cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export", "CQDL", "--format", "csv", "--out", out).exit_code == 0
    rows = _rows(out)
    at = {h: i for i, h in enumerate(rows[0])}
    row = next(r for r in rows[1:] if r[at["编号"]] == "CQDL-3")
    assert row[at["全部进展记录"]] == "2018-05-22 吴鹏：通信管线已迁改，燃气管线待迁\n2018-06-13 吴鹏：燃气公司承诺6月20日前完成迁改"
    assert row[at["项目本级信息"]].startswith("项目名称：")
    assert all(line.split("：")[0] in ("总投资", "2018年计划") or line.split("：")[0].endswith("完成")
               for line in row[at["投资明细（万元）"]].splitlines())


# --- texts a CSV must carry exactly -----------------------------------------------------------

HOSTILE = "第一行\n第二行, 逗号 \"引号\" ：；“”。\\n 反斜杠\r\n=cmd|' /C calc'!A0"
LEDGER = {
    "code": "HX", "name": "=HYPERLINK(\"x\")\n项目", "unit": ["区住建局", "区财政局"], "owner": "张三",
    "calendar": {"base": "weekdays", "days_off": ["2018-06-18"]}, "deadline": "2018-12-31",
    "changes": [{"date": "2018-04-01", "field": "deadline", "from": "2018-10-31", "to": "2018-12-31", "reason": "规划调整"}],
    "investment": {"total": "1.5亿", "planned": {2018: 3000}, "completed": {"2018-03": "120.5", "2018-05": 80}},
    "items": [
        {"id": "HX-2", "title": "=cmd|' /C calc'!A0", "owner": "李四",
         "notes": [{"date": "2018-03-01", "text": HOSTILE},
                   {"date": "2018-04-01", "by": "王：五\\", "text": "-1+1 进展"},
                   {"date": "2018-05-01", "by": "赵六", "text": "  前后空格  "}]},
        {"id": "HX-5", "title": " 标题\t带制表符 ", "unit": ["各县、市、区政府", "财政局"], "owner": "张三",
         "leader": "王：副区长", "target": "2836户", "due": "2018-06-30",
         "apply": {"date": "2018-06-10", "by": "李四", "evidence": "验收报告\n第2页"},
         "changes": [{"date": "2018-05-02", "by": "督查室", "field": "due", "from": "2018-05-31",
                      "to": "2018-06-30", "reason": "征收滞后，\"顺延\"一个月"}],
         "notes": [{"date": "2018-06-01", "text": "已完成", "done": 1120}]},
        {"id": "HX-6", "title": "长期事项", "due": "每月25日前", "from": "2018-03-01",
         "closed": {"date": "2018-06-12", "by": "李四", "verified_by": "王五"}},
    ]}


def _hostile(repo) -> Path:
    import json

    # JSON is YAML: every string quoted, line breaks and all.
    return repo(HX=json.dumps(LEDGER, ensure_ascii=False, indent=1) + "\n")


def test_export_csv__notes_with_line_breaks_commas_quotes_formulas_and_chinese_punctuation(cli, repo, tmp_path):
    root = _hostile(repo)
    target = _round_trip(cli, root, tmp_path)
    assert _data(target) == _data(root)
    rows = _rows(tmp_path / "all.csv")
    at = {h: i for i, h in enumerate(rows[0])}
    # Every cell neutralised as before, the new ones included: no text starts as a formula
    # (numbers such as a negative 剩余天数 are numbers).
    assert all(cell.lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@") or cell.startswith("'") or re.fullmatch(r"-\d+", cell)
               for r in rows for cell in r)
    assert rows[0].index("项目名称") == 1 and rows[1][1] == "'=HYPERLINK(\"x\")\n项目"
    assert rows[1][at["事项"]] == "'=cmd|' /C calc'!A0"
    # The fields a row cannot say as the ledger has them, a line each, the value in YAML.
    assert rows[2][at["其他字段"]].split("\n")[:4] == [
        "HX unit：[区住建局, 区财政局]", "HX calendar：{base: weekdays, days_off: [2018-06-18]}",
        "HX changes：[{date: 2018-04-01, field: deadline, from: 2018-10-31, to: 2018-12-31, reason: 规划调整}]",
        "HX-5 unit：[各县、市、区政府, 财政局]"]
    notes = rows[1][at["全部进展记录"]].split("\n")
    assert notes[0] == "2018-03-01：第一行\\n第二行, 逗号 \"引号\" ：；“”。\\\\n 反斜杠\\r\\n=cmd|' /C calc'!A0"
    assert notes[1] == "2018-04-01 王\\：五\\\\：-1+1 进展"


def test_export_xlsx__carries_the_same_fields(cli, repo, tmp_path):
    """The other fields (joint units as a list, leader, target, terms, 销号 applied for and
    verified, moved nodes, quantities done) come back from an xlsx as well: its 其他字段 sheet."""
    root = _hostile(repo)
    out = tmp_path / "all.xlsx"
    assert cli("--dir", root, "--as-of", AS_OF, "export", "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path)
    imported = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert imported.exit_code == 0, imported
    assert _data(target) == _data(root)


def test_export_csv__resaved_as_gb18030_still_imports_every_field(cli, repo, tmp_path):
    """An office opens the export in Excel on a Chinese Windows and saves it: GB18030, no BOM."""
    def resave(path: Path) -> None:
        path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gb18030"))

    root = _hostile(repo)
    target = _round_trip(cli, root, tmp_path, resave=resave)
    assert _data(target) == _data(root)
    sample = _round_trip(cli, REPO_ROOT, tmp_path / "sample", resave=resave)
    assert _data(sample) == _data(REPO_ROOT)


# --- what goes wrong, and what stays as it was ------------------------------------------------

def test_import__a_companion_cell_that_does_not_read_is_an_error_at_its_cell(cli, tmp_path):
    out = tmp_path / "all.csv"
    assert cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export", "CQDL", "--format", "csv", "--out", out).exit_code == 0
    rows = _rows(out)
    col = rows[0].index("全部进展记录")
    rows[1][col] = "上周已开工"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    out.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    target = _empty_repo(cli, tmp_path)
    result = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert result.exit_code == 1 and f"all.csv:{cell_address(2, col + 1)}:" in result.stderr and "上周已开工" in result.stderr, result
    assert not list((target / "ledgers").glob("*.yaml"))


def test_import__an_office_column_named_like_a_companion_one_is_left_out_as_before(cli, tmp_path):
    path = tmp_path / "office.csv"
    path.write_text("项目名称,工作任务,完成时限,全部进展记录\r\n甲项目,开工,2018-06-30,上周已开工\r\n",
                    encoding="utf-8-sig")
    target = _empty_repo(cli, tmp_path)
    dry = cli("--dir", target, "--as-of", AS_OF, "import", path, "--dry-run")
    assert dry.exit_code == 0 and "未导入的列：全部进展记录" in dry.stderr, dry
    assert cli("--dir", target, "--as-of", AS_OF, "import", path).exit_code == 0
    (ledger,) = load_repo(Cache(target)).ledgers
    assert [(i.title, i.notes) for i in ledger.items] == [("开工", [])]


# --- the cells' own rules ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "a", "\\", "\\n", "\n", "\r\n", "a：b:c: d", "\\：", "末尾\\"])
def test_escape__unescape_gives_every_text_back(text):
    assert unescape(escape(text)) == text and unescape(escape(text, head=True)) == text
    assert "\n" not in escape(text) and "\r" not in escape(text)


def test_split_line__the_first_unescaped_separator_ends_the_head():
    assert split_line("王\\：五：甲：乙") == ("王：五", "甲：乙")
    assert split_line("Wang\\: Wu: a: b") == ("Wang: Wu", "a: b")
    assert split_line("a:b： c") == ("a:b", " c")
    with pytest.raises(CellError):
        split_line("没有分隔")


def test_read_cells__refuse_what_an_export_never_writes():
    with pytest.raises(CellError):
        read_notes_cell("6月1日：开工")
    with pytest.raises(CellError):
        read_notes_cell("2018-02-30：开工")
    with pytest.raises(CellError):
        read_amounts_cell("明年计划：300")
    assert read_amounts_cell("Total: 1\n2018年计划：2\nCompleted 2018-03: 3") == [
        ("total", None, "1"), ("planned", "2018", "2"), ("completed", "2018-03", "3")]
