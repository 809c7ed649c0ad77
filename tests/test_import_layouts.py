"""Real layouts (SPEC §8): a district 双十工程 sheet (title rows, a two-row header, 序号, project and
建设内容 cells merged down, section rows merged across, 时间节点 milestones beside 完成时限 dates,
investment columns, subtotals), a county 民生实事分解表 as a Word table, a 督查通知单's list of
problems, and the codes new projects get."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import AS_OF

from taizhang.exchange.importer import code_of_name, new_code
from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

openpyxl = pytest.importorskip("openpyxl")


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


def district_sheet(path: Path) -> Path:
    """经开区2018年"双十工程"推进台账 as a district keeps it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "双十工程"
    ws.append(["经开区2018年“双十工程”重点项目推进台账"])
    ws.merge_cells("A1:M1")
    ws.append(["填报单位：区重点项目办公室", None, None, None, None, None, None, None, None, None, None, "单位：亿元"])
    ws.append(["序号", "项目名称", "建设内容", "投资情况（亿元）", None, None, "推进计划", None, "责任单位", "责任领导",
               "进展情况", "是否销号", "备注"])
    ws.append([None, None, None, "总投资", "2018年计划投资", "已完成投资", "时间节点", "完成时限"])
    for col in "ABCIJKLM":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    ws.merge_cells("G3:H3")
    ws.append(["一、先进制造业"])
    ws.merge_cells("A5:M5")
    ws.append([1, "宇通二期", "新建厂房12万平方米，年产新能源客车1万辆", 300, 16, 2.87, "3月底前完成征收",
               datetime(2018, 3, 31), "国际物流园区管委会、区国土局", "魏书全", "已完成征收", "是", None])
    ws.append([None, None, None, None, None, None, "6月底前主体封顶", datetime(2018, 6, 30), "区建设局", "魏书全",
               "主体施工至五层", "否", None])
    ws.append([None, None, None, None, None, None, "年底前设备安装", "年底", "区建设局", "魏书全", None, "否", "立项"])
    for col in "ABCDEF":
        ws.merge_cells(f"{col}6:{col}8")
    ws.append(["小计", None, None, 300, 16, 2.87])
    ws.append(["二、民生工程"])
    ws.merge_cells("A10:M10")
    ws.append([2, "第三中学扩建", "新建教学楼1栋", 1.2, 0.5, None, "8月底前主体完工", datetime(2018, 8, 31), "区教体局",
               "关希哲", None, "否", None])
    ws.append([None, None, None, None, None, None, "秋季开学投入使用", datetime(2018, 9, 1), "区教体局", "关希哲",
               None, "否", None])
    for col in "ABCDEF":
        ws.merge_cells(f"{col}11:{col}12")
    ws.append(["合计", None, None, 301.2, 16.5, 2.87])
    wb.save(path)
    return path


def test_import__district_sheet_as_offices_lay_it_out(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", district_sheet(tmp_path / "双十工程.xlsx"))
    assert result.exit_code == 0, result
    assert "新建项目 YTEQ 宇通二期：3 个事项" in result.stdout
    assert "新建项目 DSZXKJ 第三中学扩建：2 个事项" in result.stdout
    repo = load_repo(Cache(root))
    yt = next(l for l in repo.ledgers if l.code == "YTEQ")
    # The merged 建设内容 names no item; the milestones are the items, their dates from 完成时限.
    assert [(i.title, i.due) for i in yt.items] == [
        ("3月底前完成征收", date(2018, 3, 31)), ("6月底前主体封顶", date(2018, 6, 30)), ("年底前设备安装", date(2018, 12, 31))]
    assert yt.program == "先进制造业"
    assert yt.unit == "区建设局" and yt.items[0].unit == "国际物流园区管委会、区国土局"   # joint units as written
    assert yt.leader == "魏书全"
    assert yt.investment.total == Decimal(3000000) and yt.investment.planned == {2018: Decimal(160000)}
    assert yt.investment.completed == {"2018-06": Decimal(28700)}
    assert yt.items[0].closed.date == date(2018, 6, 15) and yt.items[0].notes[0].text == "已完成征收"
    assert not yt.items[1].closed and yt.items[1].notes[0].text == "主体施工至五层"
    school = next(l for l in repo.ledgers if l.code == "DSZXKJ")
    assert school.program == "民生工程" and [i.title for i in school.items] == ["8月底前主体完工", "秋季开学投入使用"]


def test_import__time_node_text_beside_a_title_column_is_the_date_s_wording(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    sheet = tmp_path / "t.csv"
    sheet.write_text("项目名称,工作任务,完成时限,时间节点\n甲项目,征收,2018-03-31,3月底前完成征收\n"
                     "甲项目,封顶,,6月底前主体封顶\n", encoding="utf-8")
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    ledger = load_repo(Cache(root)).ledgers[0]
    assert [(i.title, i.due) for i in ledger.items] == [("征收", date(2018, 3, 31)), ("封顶", date(2018, 6, 30))]
    text = (root / "ledgers" / f"{ledger.code}.yaml").read_text(encoding="utf-8")
    assert "due: 2018-03-31  # 3月底前完成征收" in text and "due: 2018-06-30  # 6月底前主体封顶" in text


def test_import__terms_instead_of_dates(cli, tmp_path):
    """立行立改 is due the day of the import; an ongoing duty or a recurring rule is kept in `due`
    as written (SPEC §8), where the models read it as a term; 长期 alone (no term the models
    know) is an error at its cell, and nothing is written."""
    root = _empty_repo(cli, tmp_path)
    sheet = tmp_path / "分解表.csv"
    rows = [("清理违规收费", "立行立改"), ("巩固创卫成果", "长期坚持"), ("优化营商环境", "持续推进"),
            ("河长巡河", "常态化"), ("报送进展", "每月25日前")]
    head = "序号,事项,责任单位,完成时限\n"
    body = "".join(f"{n},{t},县发改局,{d}\n" for n, (t, d) in enumerate(rows, 1))
    sheet.write_text(head + body + "6,扫黑除恶,县公安局,长期\n", encoding="utf-8")
    refused = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert refused.exit_code == 1
    assert "分解表.csv:D7: “长期”是长期任务，没有时间节点" in refused.stderr
    assert not list((root / "ledgers").glob("*.yaml"))
    sheet.write_text(head + body, encoding="utf-8")
    shown = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--dry-run")
    assert shown.exit_code == 0, shown
    assert "长期坚持" in shown.stdout and "每月25日前" in shown.stdout
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert ledger.name == "分解表" and ledger.items[0].due == date(2018, 6, 15)   # the day of the import
    terms = [(i.term.kind, i.term.text) if i.term else None for i in ledger.items]
    assert terms == [None, ("ongoing", "长期坚持"), ("ongoing", "持续推进"), ("ongoing", "常态化"),
                     ("recurring", "每月25日前")]
    text = (root / "ledgers" / f"{ledger.code}.yaml").read_text(encoding="utf-8")
    assert "    due: 长期坚持\n" in text and "    due: 每月25日前\n" in text
    # Imported again: nothing twice; with --update a term that changed is set, as written.
    sheet.write_text(head + body.replace("每月25日前", "每季度末月20日前"), encoding="utf-8")
    again = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--update")
    assert again.exit_code == 0, again
    item = load_repo(Cache(root)).ledgers[0].items[4]
    assert item.term is not None and item.term.text == "每季度末月20日前"
    assert any("每月25日前" in n.text and "每季度末月20日前" in n.text for n in item.notes)


def test_import__a_table_without_project_column_is_named_by_its_title_row(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["四平市铁西区人民政府督查室督查通知单"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "存在问题", "整改措施", "责任单位", "整改时限"])
    ws.append([1, "背街小巷路灯不亮", "排查更换灯具", "区住建局", "4月30日前"])
    ws.append([2, "农贸市场占道经营", "划定临时摊区", "区市场监管局、各街道", "5月15日前"])
    wb.save(tmp_path / "通知单.xlsx")
    result = cli("--dir", root, "--as-of", AS_OF, "import", tmp_path / "通知单.xlsx")
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert ledger.name == "四平市铁西区人民政府督查室督查通知单"
    assert [(i.title, i.kind, i.measures) for i in ledger.items] == [
        ("背街小巷路灯不亮", "problem", "排查更换灯具"), ("农贸市场占道经营", "problem", "划定临时摊区")]
    assert ledger.items[1].unit == "区市场监管局、各街道"


@pytest.mark.parametrize("name, code", [("宇通二期", "YTEQ"), ("第三中学扩建", "DSZXKJ"), ("3号路", "P3HL"),
                                        ("EWTO核心功能集聚区", "EWTOHXGNJJQ"), ("ＡＢ全角", "ABQJ")])
def test_code_of_name__pinyin_initials(name, code):
    assert code_of_name(name) == code


def test_new_code__a_digit_on_a_clash_and_never_a_device_name():
    assert new_code("宇通二期", set()) == "YTEQ"
    assert new_code("宇通二期", {"YTEQ"}) == "YTEQ2"
    assert new_code("宇通二期", {"YTEQ", "YTEQ2"}) == "YTEQ3"
    assert new_code("长期", set()) == "CQ"
    assert new_code("村南", set()) == "CN"
    assert new_code("出口农业", set()) == "CKNY"
    assert new_code("内陆", set()) == "NL"
    assert new_code("纽约 L", set()) == "NYL"
    assert new_code("参谋", set()) == "CM"
    assert new_code("出哦娘", set()) == "CON2"   # CON is a device on Windows


def test_import__the_same_project_gets_the_same_code_in_two_offices(cli, tmp_path):
    codes = []
    for office in ("a", "b"):
        root = _empty_repo(cli, tmp_path, office)
        sheet = tmp_path / f"{office}.csv"
        sheet.write_text("项目名称,事项\n宇通二期,征收\n", encoding="utf-8")
        assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
        codes.append(load_repo(Cache(root)).ledgers[0].code)
    assert codes == ["YTEQ", "YTEQ"]


# --- Word tables and old Excel ----------------------------------------------------------------

def county_document(path: Path) -> Path:
    """大竹县 竹府办〔2016〕20号's annex as a county publishes it: a title paragraph above a table of
    序号 | 民生实事 | 责任单位 | 完成时限; joint units one per paragraph in a cell; one 序号 merged
    over two tasks; a section row merged across; 立行立改; a second, smaller table after it."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("附件")
    doc.add_paragraph("2016年民生实事目标任务分解表")
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["序号", "民生实事", "责任单位", "完成时限"]):
        cell.text = text

    def row(*values):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            if isinstance(value, list):
                cell.text = value[0]
                for more in value[1:]:
                    cell.add_paragraph(more)
            elif value is not None:
                cell.text = value
        return cells

    banner = row("一、城市建设", None, None, None)
    banner[0].merge(banner[3])
    row("1", "启动建设东柳河城区段综合治理工程和东湖湿地公园。", ["县水务局", "县住建局", "县护城河指挥部"], "12月底前")
    row("2", "新建2座人行天桥。", "县住建局", "9月投入使用")
    first = row("3", "开工建设县老年养护楼。", "县民政局", "5月底前动工")
    second = row(None, "开工建设老年大学。", None, "12月底前")
    first[0].merge(second[0])
    first[2].merge(second[2])
    row("4", "清理规范涉企收费。", "县发改局、县财政局", "立行立改")
    doc.add_paragraph("联系人：县政府督查室")
    small = doc.add_table(rows=2, cols=2)
    small.rows[0].cells[0].text, small.rows[0].cells[1].text = "联系人", "电话"
    doc.save(path)
    return path


def test_import__county_decomposition_table_from_word(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", county_document(tmp_path / "竹府办〔2016〕20号.docx"))
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert ledger.name == "2016年民生实事目标任务分解表" and ledger.code == "P2016NMSSSMB"
    assert ledger.program == "城市建设"
    assert [(i.title, i.unit or ledger.unit, i.due) for i in ledger.items] == [
        ("启动建设东柳河城区段综合治理工程和东湖湿地公园。", "县水务局、县住建局、县护城河指挥部", date(2018, 12, 31)),
        ("新建2座人行天桥。", "县住建局", date(2018, 9, 30)),
        ("开工建设县老年养护楼。", "县民政局", date(2018, 5, 31)),
        ("开工建设老年大学。", "县民政局", date(2018, 12, 31)),      # the unit merged down names both
        ("清理规范涉企收费。", "县发改局、县财政局", date(2018, 6, 15)),  # 立行立改: the day of the import
    ]
    text = (root / "ledgers" / f"{ledger.code}.yaml").read_text(encoding="utf-8")
    assert "# 5月底前动工" in text and "# 立行立改" in text


def test_import__sheet_picks_a_word_table_and_names_its_cells(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    doc = county_document(tmp_path / "分解表.docx")
    refused = cli("--dir", root, "--as-of", AS_OF, "import", doc, "--sheet", "表3")
    assert refused.exit_code == 1 and "没有工作表“表3”（有：表1、表2）" in refused.stderr
    small = cli("--dir", root, "--as-of", AS_OF, "import", doc, "--sheet", "2")
    assert small.exit_code == 1 and "找不到表头" in small.stderr


def test_import__old_excel_xls(cli, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    root = _empty_repo(cli, tmp_path)
    book = xlwt.Workbook()
    ws = book.add_sheet("重点项目", cell_overwrite_ok=True)
    ws.write_merge(0, 0, 0, 4, "经开区重点项目台账")
    for c, h in enumerate(["序号", "项目名称", "工作任务", "完成时限", "总投资（亿元）"]):
        ws.write(1, c, h)
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write_merge(2, 3, 1, 1, "宇通二期")
    ws.write_merge(2, 3, 4, 4, 300)
    ws.write(2, 0, 1)
    ws.write(2, 2, "完成征收")
    ws.write(2, 3, date(2018, 3, 31), day)
    ws.write(3, 0, 2)
    ws.write(3, 2, "主体封顶")
    ws.write(3, 3, "2月30日")
    book.save(str(tmp_path / "台账.xls"))
    refused = cli("--dir", root, "--as-of", AS_OF, "import", tmp_path / "台账.xls")
    assert refused.exit_code == 1 and "台账.xls:重点项目!D4: 完成时限：“2月30日”：2018年2月没有30日" in refused.stderr
    ws.write(3, 3, "6月底前")
    book.save(str(tmp_path / "台账.xls"))
    result = cli("--dir", root, "--as-of", AS_OF, "import", tmp_path / "台账.xls")
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert (ledger.code, ledger.investment.total) == ("YTEQ", Decimal(3000000))
    assert [(i.title, i.due) for i in ledger.items] == [("完成征收", date(2018, 3, 31)), ("主体封顶", date(2018, 6, 30))]


def test_import__dry_run_says_what_each_column_became_and_every_item_with_its_cell(cli, tmp_path):
    from test_import_edges import _snapshot

    root = _empty_repo(cli, tmp_path)
    before = _snapshot(root)
    result = cli("--dir", root, "--as-of", AS_OF, "import", district_sheet(tmp_path / "双十工程.xlsx"), "--dry-run")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    for expected in ["各列识别为：", "  双十工程!B4 项目名称 → 项目名称",
                     "  双十工程!C4 建设内容 → 项目说明（合并单元格，不作事项）",
                     "  双十工程!G4 时间节点 → 事项及其时间节点（如 3月底前完成征收）", "  双十工程!H4 完成时限 → 时间节点",
                     "新建项目 YTEQ 宇通二期：3 个事项", "  （项目名称在 双十工程!B6）",
                     "  + YTEQ-1 3月底前完成征收（双十工程!G6）时间节点 2018-03-31",
                     "  + YTEQ-3 年底前设备安装（双十工程!G8）时间节点 2018-12-31",
                     "  + DSZXKJ-2 秋季开学投入使用（双十工程!G12）时间节点 2018-09-01",
                     "试运行：以上为将要写入的内容，未写入任何文件"]:
        assert expected in lines, expected
    assert _snapshot(root) == before
    english = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "import", tmp_path / "双十工程.xlsx", "--dry-run")
    assert "  双十工程!H4 完成时限 → time node" in english.stdout.splitlines()


def test_import__a_column_of_dates_under_an_unknown_header_is_the_time_node(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    sheet = tmp_path / "t.csv"
    sheet.write_text("项目名称,工作任务,计划,备注\n甲项目,征收,2018-03-31,无\n甲项目,封顶,6月底前,需协调\n"
                     "甲项目,验收,2018年9月30日,\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 0, result
    assert "未导入" not in result.stderr
    items = load_repo(Cache(root)).ledgers[0].items
    assert [i.due for i in items] == [date(2018, 3, 31), date(2018, 6, 30), date(2018, 9, 30)]
    assert [[n.text for n in i.notes] for i in items] == [[], ["备注：需协调"], []]  # 无: no remark
