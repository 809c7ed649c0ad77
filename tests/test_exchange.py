"""Exchange with the Excel 台账: import xlsx/csv as offices keep them, export xlsx/csv/md, and back."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT, YT2

from taizhang.exchange.columns import match_header
from taizhang.exchange.readers import cell_text, decode_csv
from taizhang.exchange.sheets import neutralise, unmark
from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

openpyxl = pytest.importorskip("openpyxl")


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the repository (but the cache), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".taizhang" not in p.parts}


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


# --- a sheet as offices keep it -------------------------------------------------------------

def _office_workbook(path: Path, *, bad: bool = False) -> Path:
    """A 台账 as a district office sends it: a title, the unit written above the table, a
    header with 序号 and Chinese names, program banners merged across, project cells merged
    down their rows, dates as cells and as phrases, a totals row and a footnote."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append(["经开区2018年重点项目推进台账"])
    ws.merge_cells("A1:L1")
    ws.append(["填报单位：区重点办", None, None, None, None, None, None, None, None, None, "单位：万元"])
    ws.append(["序号", "项目名称", "总投资（亿元）", "年度计划投资", "工作任务", "责任单位", "责任领导", "责任人",
               "完成时限", "进展情况", "是否销号", "备注"])
    ws.append(["一、双十工程"])
    ws.merge_cells("A4:L4")
    ws.append([1, "城东污水处理厂", 3.5, 12000, "完成土地征收", "区自然资源局", "王伟", "李明",
               datetime(2018, 4, 30), "已完成征收", "是", None])
    ws.append([2, None, None, None, "主体结构封顶", "区建设局", "王伟", "李明", "9月底前", "正在施工",
               "差不多" if bad else "否", None])
    ws.append([3, None, None, None, "设备安装调试", "区建设局", "王伟", "张强", "年底", None, None, "需协调电力"])
    for col in "BCD":
        ws.merge_cells(f"{col}5:{col}7")
    ws.append(["二、民生工程"])
    ws.merge_cells("A8:L8")
    ws.append([4, "第三中学扩建", "约1亿" if bad else 1.2, 5000, "教学楼主体完工", "区教育局", "赵敏", "孙丽",
               "2018年8月", None, "否", None])
    ws.append([5, None, None, None, "秋季开学投入使用", "区教育局", "赵敏", "孙丽", "2月30日" if bad else "9月1日",
               None, "否", None])
    for col in "BCD":
        ws.merge_cells(f"{col}9:{col}10")
    ws.append(["合计", None, 4.7, 17000])
    ws.append(["注：时间节点以区政府督查文件为准"])
    wb.save(path)
    return path


def test_import__office_workbook(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    book = _office_workbook(tmp_path / "台账.xlsx")
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0, result
    assert "表头在第 3 行，5 行数据" in result.stdout
    assert "新建项目 CDWSCLC 城东污水处理厂：3 个事项" in result.stdout
    assert "新建项目 DSZXKJ 第三中学扩建：2 个事项" in result.stdout
    assert "未导入" not in result.stderr  # 备注 is a note (SPEC §8: remarks columns)

    repo = load_repo(Cache(root))
    assert not repo.errors
    sewage, school = sorted(repo.ledgers, key=lambda l: l.code)
    assert (sewage.code, sewage.name, sewage.program, sewage.leader) == ("CDWSCLC", "城东污水处理厂", "双十工程", "王伟")
    # The unit and owner most rows name are the project's; the others stay on their items.
    assert (sewage.unit, sewage.owner) == ("区建设局", "李明")
    assert sewage.investment.total == Decimal(35000)          # 3.5 in a column of 亿元
    assert sewage.investment.planned == {2018: Decimal(12000)}  # 单位：万元 above the table
    first, second, third = sewage.items
    assert (first.title, first.due, first.unit) == ("完成土地征收", date(2018, 4, 30), "区自然资源局")
    assert first.closed.date == date(2018, 6, 15)  # 是, without a date: the as-of day (SPEC §2)
    assert [n.text for n in first.notes] == ["已完成征收"]
    assert (second.due, second.closed, second.unit) == (date(2018, 9, 30), None, None)
    assert (third.due, third.owner) == (date(2018, 12, 31), "张强")
    assert [n.text for n in third.notes] == ["备注：需协调电力"]
    assert school.program == "民生工程"
    assert [(i.title, i.due) for i in school.items] == [("教学楼主体完工", date(2018, 8, 31)),
                                                        ("秋季开学投入使用", date(2018, 9, 1))]
    # The clerk's wording stays beside the date, as `add --due 9月底前` keeps it.
    assert "due: 2018-09-30  # 9月底前" in (root / "ledgers" / "CDWSCLC.yaml").read_text(encoding="utf-8")


def test_import__bad_rows_are_reported_with_their_row_and_nothing_is_written(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    before = _snapshot(root)
    book = _office_workbook(tmp_path / "bad.xlsx", bad=True)
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith("bad.xlsx:重点项目!K6: 销号情况“差不多”无法识别（可写：是/否、已销号/未销号，或销号日期）")
    # A value merged over two rows is wrong once, at the cell that holds it.
    assert lines[1].endswith("bad.xlsx:重点项目!C9: 总投资（亿元）：“约1亿”是约数（“约”）；台账要记确切金额（如 3亿）")
    assert lines[2].endswith("bad.xlsx:重点项目!I10: 完成时限：“2月30日”：2018年2月没有30日")
    assert lines[3] == "导入失败：3 处无法读取，未写入任何文件"
    assert "Traceback" not in result.stderr
    assert _snapshot(root) == before


def test_import__english_messages(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    book = _office_workbook(tmp_path / "bad.xlsx", bad=True)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "import", book)
    assert result.exit_code == 1
    assert "bad.xlsx:重点项目!I10: 完成时限: '2月30日': 2018-02 has no day 30" in result.stderr
    assert "import failed: 3 problems, no file written" in result.stderr


def test_import__twice_adds_nothing_the_second_time(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    book = _office_workbook(tmp_path / "台账.xlsx")
    assert cli("--dir", root, "--as-of", AS_OF, "import", book).exit_code == 0
    after_first = _snapshot(root)
    again = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert again.exit_code == 0, again
    assert "项目 CDWSCLC 城东污水处理厂：新增 0 个事项，已有 3 个（跳过）" in again.stdout
    assert "新建 0 个项目，新增 0 个事项，跳过 5 个已有事项" in again.stdout
    assert _snapshot(root) == after_first


def test_import__dry_run_writes_nothing(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    before = _snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "import", _office_workbook(tmp_path / "t.xlsx"), "--dry-run")
    assert result.exit_code == 0, result
    assert "新建项目 CDWSCLC 城东污水处理厂：3 个事项" in result.stdout and "试运行" in result.stdout
    assert _snapshot(root) == before


def test_import__appends_to_a_project_matched_by_name_keeping_its_bytes(cli, repo, tmp_path):
    root = repo(YT2=YT2, settings="year: 2018\n")
    original = (root / "ledgers" / "YT2.yaml").read_bytes()
    csv_file = tmp_path / "yt2.csv"
    csv_file.write_text("项目名称,事项,责任单位,时间节点\n"
                        "宇通二期项目,配套项目全面开工,区建设局,2018-03-31\n"   # there already: skipped
                        ",主体施工验收,区建设局,10月底前\n", encoding="utf-8")   # blank = as above
    result = cli("--dir", root, "--as-of", AS_OF, "import", csv_file)
    assert result.exit_code == 0, result
    assert "项目 YT2 宇通二期项目：新增 1 个事项，已有 1 个（跳过）" in result.stdout
    text = (root / "ledgers" / "YT2.yaml").read_bytes()
    assert text.startswith(original)
    assert text[len(original):].decode("utf-8") == (
        "  - id: YT2-5\n    title: 主体施工验收\n    due: 2018-10-31  # 10月底前\n    unit: 区建设局\n")


def test_import__gbk_csv_says_its_encoding(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    csv_file = tmp_path / "gbk.csv"
    csv_file.write_bytes("项目名称,建设内容,责任单位,完成时限,是否销号\r\n"
                         "城区道路工程,经北五路通车,区建设局,6月底前,否\r\n"
                         "城区道路工程,经南八路开工,区建设局,2018/5/20,2018年5月18日已开工\r\n".encode("gbk"))
    result = cli("--dir", root, "--as-of", AS_OF, "import", csv_file)
    assert result.exit_code == 0, result
    assert "（CSV, GBK）" in result.stdout
    ledger = load_repo(Cache(root)).ledgers[0]
    assert ledger.name == "城区道路工程"
    assert [(i.title, i.due) for i in ledger.items] == [("经北五路通车", date(2018, 6, 30)),
                                                        ("经南八路开工", date(2018, 5, 20))]
    assert ledger.items[1].closed.date == date(2018, 5, 18)


@pytest.mark.parametrize("raw, encoding", [
    ("项目名称,事项\r\n".encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + "项目名称,事项\r\n".encode("utf-8"), "UTF-8（BOM）"),
    ("项目名称,事项\r\n".encode("gbk"), "GBK"),
    ("项目名称\t事项\r\n".encode("utf-16"), "UTF-16"),
])
def test_decode_csv__encodings(raw, encoding):
    text, name = decode_csv(raw)
    assert name == encoding and text.lstrip("\ufeff").startswith("项目名称")


def test_import__problem_sheet_without_project_column_goes_to_one_project(cli, repo, tmp_path):
    root = repo(YT2=YT2, settings="year: 2018\n")
    csv_file = tmp_path / "问题.csv"
    csv_file.write_text("序号,存在问题,整改措施,责任单位,整改时限\n1,渣土车夜间扰民,调整运输时段,区城管局,7月10日前\n",
                        encoding="utf-8")
    alone = _empty_repo(cli, tmp_path)
    named = cli("--dir", alone, "--as-of", AS_OF, "import", csv_file)
    assert named.exit_code == 0 and "新建项目 WT 问题：1 个事项" in named.stdout   # named by the file
    result = cli("--dir", root, "--as-of", AS_OF, "import", csv_file, "--project", "YT2")
    assert result.exit_code == 0, result
    item = load_repo(Cache(root)).ledgers[0].items[-1]
    assert (item.title, item.kind, item.measures, item.due) == ("渣土车夜间扰民", "problem", "调整运输时段", date(2018, 7, 10))


def test_import__failure_while_writing_removes_the_new_ledgers(cli, tmp_path, monkeypatch):
    root = _empty_repo(cli, tmp_path)
    before = _snapshot(root)
    import taizhang.repo.write as store
    from taizhang.errors import Problem, TaizhangError

    def broken(*args, **kwargs):
        raise TaizhangError(Problem("ledgers/IMP1.yaml", 0, 0, "internal_edit", {"path": "ledgers/IMP1.yaml"}))

    monkeypatch.setattr(store, "edit_ledgers", broken)
    result = cli("--dir", root, "--as-of", AS_OF, "import", _office_workbook(tmp_path / "t.xlsx"))
    assert result.exit_code == 1
    assert _snapshot(root) == before


@pytest.mark.parametrize("name, content, message", [
    ("old.xls", b"\xd0\xcf\x11\xe0", "无法读取该文件"),
    ("notes.docx", b"PK", "无法读取该文件"),
    ("sheet.et", b"\xd0\xcf\x11\xe0", "WPS 或旧版 Word 的格式"),
    ("scan.pdf", b"%PDF-1.4", "不支持的文件类型 .pdf：可导入 .xlsx、.xls、.csv 和 .docx 中的表格"),
    ("broken.xlsx", b"not a zip", "无法读取该文件"),
    ("empty.csv", "姓名,电话\n张三,123\n".encode("utf-8"), "找不到表头"),
])
def test_import__unreadable_files(cli, tmp_path, name, content, message):
    root = _empty_repo(cli, tmp_path)
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("--dir", root, "--as-of", AS_OF, "import", path)
    assert result.exit_code == 1 and message in result.stderr, result
    assert "Traceback" not in result.stderr


def test_import__a_reader_registered_for_a_suffix_reads_such_files(cli, tmp_path, monkeypatch):
    # A new format is one function registered by suffix; it also takes over a suffix that was
    # only refused before (.xls: "old Excel").
    from taizhang.exchange import readers

    monkeypatch.setattr(readers, "READERS", dict(readers.READERS))
    asked = []

    @readers.reader(".xls", ".tab")
    def read_test(path: Path, shown: str, sheet: str | None) -> readers.Sheet:
        asked.append((path.name, shown, sheet))
        return readers.Sheet([["项目名称", "事项"], ["甲项目", "开工"]], kind="xls")

    root = _empty_repo(cli, tmp_path)
    path = tmp_path / "old.XLS"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli("--dir", root, "--as-of", AS_OF, "import", path, "--sheet", "表1")
    assert result.exit_code == 0, result
    assert [(name, sheet) for name, _, sheet in asked] == [("old.XLS", "表1")]
    assert [(l.name, [i.title for i in l.items]) for l in load_repo(Cache(root)).ledgers] == [("甲项目", ["开工"])]
    assert readers.READERS[".tab"] is read_test and readers.READERS[".csv"] is readers.read_csv


def test_import__duplicate_titles_and_unknown_predecessors(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    csv_file = tmp_path / "dup.csv"
    csv_file.write_text("项目名称,事项,前置事项\n甲项目,开工,\n甲项目,开工,\n甲项目,竣工,X-9\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", csv_file)
    assert result.exit_code == 1
    assert "dup.csv:B3: 事项“开工”与第 2 行重复" in result.stderr
    assert "dup.csv:C4: 前置事项 X-9 既不在本表中，也不在该项目中" in result.stderr


@pytest.mark.parametrize("header, expected", [
    ("总投资（亿元）", ("total", "亿", None)),
    ("2019年计划投资（万元）", ("planned", "万", 2019)),
    ("年度计划投资\n(万元)", ("planned", "万", None)),
    ("完成时限", ("due", None, None)),
    ("时间节点", ("due", None, None)),
    ("责任 单位", ("unit", None, None)),
    ("建设内容", ("title_content", None, None)),
    ("是否销号", ("closed", None, None)),
    ("年度计划", (None, None, None)),        # a text of goals, not an amount
    ("累计完成投资", ("completed", None, None)),
    ("联系电话", (None, None, None)),
])
def test_match_header(header, expected):
    assert match_header(header) == expected


# --- export ---------------------------------------------------------------------------------

def test_export_xlsx__round_trip_into_an_empty_repository(cli, tmp_path):
    """export xlsx → import into an empty repository → the same projects, items and lights."""
    book = tmp_path / "台账.xlsx"
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export", "--out", book)
    assert result.exit_code == 0, result
    root = _empty_repo(cli, tmp_path)
    imported = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert imported.exit_code == 0, imported
    assert cli("--dir", root, "--as-of", AS_OF, "check").exit_code == 0
    ours, theirs = load_repo(Cache(REPO_ROOT)), load_repo(Cache(root))
    assert [(l.code, l.name) for l in ours.ledgers] == [(l.code, l.name) for l in theirs.ledgers]
    for a, b in zip(ours.ledgers, theirs.ledgers):
        # Unit and owner compare as each item has them: the project takes the one most rows name.
        assert (a.program, a.stage, a.leader, a.deadline, a.calendar) == \
               (b.program, b.stage, b.leader, b.deadline, b.calendar)
        assert (a.investment.total if a.investment else None) == (b.investment.total if b.investment else None)
        assert [_item(a, i) for i in a.items] == [_item(b, i) for i in b.items]
    assert _status(cli, REPO_ROOT) == _status(cli, root)
    # And once more: nothing new.
    again = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert "新增 0 个事项" in again.stdout and "跳过 122 个已有事项" in again.stdout


def _item(ledger, item) -> tuple:
    last = max(item.notes, key=lambda n: n.date, default=None)
    return (item.id, item.title, item.kind, item.due, item.duration, item.after,
            item.unit or ledger.unit, item.owner or ledger.owner, item.measures,
            item.closed, (last.date, last.by, last.text) if last else None)


def _status(cli, root) -> dict:
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--json", "--all")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_export_xlsx__real_cells_frozen_header_filter_and_lights(cli, tmp_path):
    book = tmp_path / "out.xlsx"
    assert cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export", "YT2", "--out", book).exit_code == 0
    ws = openpyxl.load_workbook(book).active
    assert ws["A1"].value == '台账 经开区2018年重点项目"双十工程"（截至 2018-06-15）'
    headers = [c.value for c in ws[2]]
    assert headers[:6] == ["项目代码", "项目名称", "所属工程", "建设性质", "编号", "事项"]
    assert "2018年计划投资（万元）" in headers
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(headers))}15"
    row = {h: c for h, c in zip(headers, ws[5])}  # YT2-3
    assert row["编号"].value == "YT2-3"
    assert row["时间节点"].is_date and row["时间节点"].value.date() == date(2018, 5, 20)
    assert row["销号日期"].value.date() == date(2018, 5, 24)
    assert row["总投资（万元）"].value == 600000 and row["总投资（万元）"].data_type == "n"
    assert row["2018年累计完成投资（万元）"].value == 47000
    assert row["亮灯"].value == "已销号"
    yellow = {h: c for h, c in zip(headers, ws[7])}  # YT2-5, due soon
    assert yellow["亮灯"].value == "临期" and yellow["亮灯"].fill.fgColor.rgb.endswith("FFE699")
    assert ws.page_setup.orientation == "landscape"


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+86-371-1234", "-1+2", "@SUM(A1:A2)",
            "  =1+1", "\t=cmd|' /C calc'!A0"]


def _formula_ledger() -> str:
    items = "\n".join(f"  - id: F-{i + 1}\n    title: {json.dumps(t, ensure_ascii=False)}\n    due: 2018-07-01"
                      for i, t in enumerate(FORMULAS))
    return f"code: F\nname: \"=1+1\"\nowner: \"@admin\"\nitems:\n{items}\n"


def test_export__formulas_are_neutralised_csv(cli, repo, tmp_path):
    root = repo(F=_formula_ledger())
    out = tmp_path / "f.csv"
    assert cli("--dir", root, "--as-of", AS_OF, "export", "--format", "csv", "--out", out).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    import csv as csv_module

    rows = list(csv_module.reader(raw.decode("utf-8-sig").splitlines()))
    titles = [r[5] for r in rows[1:]]
    assert titles == ["'" + t for t in FORMULAS]
    assert rows[1][1] == "'=1+1" and rows[1][9] == "'@admin"
    # Read back, the apostrophes go again, and the titles are as they were, spaces and all.
    target = _empty_repo(cli, tmp_path)
    assert cli("--dir", target, "--as-of", AS_OF, "import", out).exit_code == 0
    ledger = load_repo(Cache(target)).ledgers[0]
    assert ledger.name == "=1+1" and [i.title for i in ledger.items] == FORMULAS


def test_export__formulas_are_text_cells_in_xlsx(cli, repo, tmp_path):
    root = repo(F=_formula_ledger())
    out = tmp_path / "f.xlsx"
    assert cli("--dir", root, "--as-of", AS_OF, "export", "--out", out).exit_code == 0
    ws = openpyxl.load_workbook(out).active
    cells = [ws.cell(row=r, column=6) for r in range(3, 3 + len(FORMULAS))]
    assert [c.value for c in cells] == FORMULAS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), (" =x", "' =x"), ("\t1", "'\t1"),
    ("\r=x", "'\r=x"), ("a=b", "a=b"), ("正常", "正常"), ("", ""),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("text", ["=1+1", "'=1+1", "''=1+1", "'abc", "'", "''", "a'=b", "\t1", "'\t1", " =x", "' =x",
                                  "-", "正常", ""])
def test_neutralise__unmark_gives_every_text_back(text):
    assert unmark(neutralise(text)) == text


def test_cell_text__reads_numbers_and_dates():
    assert cell_text("'abc") == "'abc"
    assert cell_text(12.0) == "12" and cell_text(1.25) == "1.25"
    assert cell_text(datetime(2018, 4, 30)) == "2018-04-30"


def test_export_md_and_csv_to_stdout(cli):
    md = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export", "SQJD", "--format", "md")
    assert md.exit_code == 0, md
    lines = md.stdout.splitlines()
    assert lines[0] == '# 台账 经开区2018年重点项目"双十工程"' and lines[2] == "截至 2018-06-15"
    assert lines[4].startswith("| 项目代码 | 项目名称 |") and len(lines) == 6 + 7
    csv_out = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--lang", "en", "export", "SQJD", "--format", "csv")
    assert csv_out.stdout.startswith("Code,Project,Program,Stage,ID,Item,Kind")
    assert "SQJD-4" in csv_out.stdout and "on track" in csv_out.stdout


def test_export_xlsx__needs_out(cli):
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "export")
    assert result.exit_code == 1 and "--out" in result.stderr


def test_export_csv__round_trip_in_english(cli, tmp_path):
    out = tmp_path / "en.csv"
    assert cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--lang", "en", "export", "YT2", "JDYH", "--format", "csv",
               "--out", out).exit_code == 0
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", out)
    assert result.exit_code == 0, result
    ours = {l.code: l for l in load_repo(Cache(REPO_ROOT), ["YT2", "JDYH"]).ledgers}
    for ledger in load_repo(Cache(root)).ledgers:
        assert [_item(ledger, i) for i in ledger.items] == [_item(ours[ledger.code], i) for i in ours[ledger.code].items]


def _two_row_header_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2018年重点项目台账"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "项目名称", "投资情况（亿元）", None, "工作任务", "完成时限"])
    ws.append([None, None, "总投资", "年度计划", None, None])
    for col in "ABEF":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:D2")
    ws.append([1, "甲项目", 10, 2, "开工", "6月底前"])
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_import__two_row_header_with_the_unit_in_the_heading_above(cli, tmp_path, kind):
    root = _empty_repo(cli, tmp_path)
    if kind == "xlsx":
        path = _two_row_header_xlsx(tmp_path / "two.xlsx")
    else:
        path = tmp_path / "two.csv"
        path.write_text("序号,项目名称,投资情况（亿元）,,工作任务,完成时限\n,,总投资,年度计划,,\n1,甲项目,10,2,开工,6月底前\n",
                        encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", path)
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert ledger.investment.total == Decimal(100000) and ledger.investment.planned == {2018: Decimal(20000)}
    assert [(i.title, i.due) for i in ledger.items] == [("开工", date(2018, 6, 30))]


def test_import__refuses_while_a_ledger_has_errors(cli, repo, tmp_path):
    root = repo(YT2=YT2, BAD="code: BAD\nname: 坏台账\nitems:\n  - id: BAD-1\n    title: x\n    deu: 2018-01-01\n")
    before = _snapshot(root)
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("项目名称,事项\n坏台账,新事项\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", csv_file)
    assert result.exit_code == 1 and "ledgers/BAD.yaml" in result.stderr and "deu" in result.stderr
    assert _snapshot(root) == before
