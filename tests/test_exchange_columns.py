"""exchange.columns on its own: which header cell names which column role (one- and two-row
headers, synonyms, units in the heading above), and each data row read into a Record (dates,
amounts, ids) — without a repository or the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from taizhang.errors import TaizhangError
from taizhang.exchange.columns import (
    EXPORT_COLUMNS,
    HEADER_SYNONYMS,
    Context,
    Header,
    find_header,
    match_header,
    read_records,
)
from taizhang.exchange.readers import Sheet, read_sheet

openpyxl = pytest.importorskip("openpyxl")


def _roles(header: Header) -> dict[str, int]:
    """Each column role the header found, and its column (0-based)."""
    return {name: column.col for name, column in header.columns.items()}


def _records(rows: list[list], kind: str = "csv"):
    sheet = Sheet(rows, kind=kind)
    header = find_header(sheet, "t.csv")
    ctx = Context("t.csv", date(2018, 6, 15), 2018)
    return header, read_records(sheet, header, ctx), ctx.problems


# --- one-row headers --------------------------------------------------------------------------

@pytest.mark.parametrize("words", [
    ["序号", "项目名称", "工作任务", "牵头单位", "分管领导", "责任人", "完成时限", "进展情况", "是否销号"],
    ["No.", "项目", "具体任务", "责任部门", "包抓领导", "具体责任人", "办结时限", "工作进展", "销号情况"],
    ["序 号", "项目名称", "重点任务", "责任单位（盖章）", "责任领导", "项目负责人", "时间节点", "完成情况", "是否完成"],
])
def test_find_header__one_row_of_synonyms_below_a_title(words):
    sheet = Sheet([["2018年重点项目推进台账"] + [""] * 8, ["单位：万元"] + [""] * 8, words,
                   ["1", "甲项目", "开工", "区住建局", "王副区长", "李四", "2018-06-30", "已开工", "否"]])
    header = find_header(sheet, "t.csv")
    assert (header.row, header.first_data, header.default_unit) == (2, 3, "万")
    assert _roles(header) == {"seq": 0, "project": 1, "title_task": 2, "unit": 3, "leader": 4, "owner": 5,
                              "due": 6, "progress": 7, "closed": 8}
    assert header.ignored == []


def test_find_header__unknown_columns_are_named_and_derived_ones_left_out_silently():
    sheet = Sheet([["项目名称", "事项", "联系电话", "亮灯", "剩余天数", "时间节点"]])
    header = find_header(sheet, "t.csv")
    assert _roles(header) == {"project": 0, "title_task": 1, "due": 5}
    assert header.ignored == ["联系电话"]


def test_find_header__a_problem_or_content_column_is_the_title():
    problems = find_header(Sheet([["项目名称", "存在问题", "整改措施", "整改时限"]]), "t.csv")
    content = find_header(Sheet([["项目名称", "建设内容", "责任单位"]]), "t.csv")
    assert (problems.title.field, problems.title.col) == ("title_problem", 1)
    assert (content.title.field, content.title.col) == ("title_content", 1)


def test_find_header__a_sheet_without_one_says_how_far_it_looked():
    with pytest.raises(TaizhangError) as caught:
        find_header(Sheet([["姓名", "电话"], ["张三", "123"]]), "t.csv")
    [problem] = caught.value.problems
    assert (problem.path, problem.key, problem.args) == ("t.csv", "import_no_header", {"rows": 12})


def test_export_headers__import_knows_every_one():
    # What export writes imports again: each header is a column role (or a computed one).
    for field, zh, en in EXPORT_COLUMNS:
        for text in (zh.format(year=2018), en.format(year=2018)):
            name, _, _ = match_header(text)
            assert name is not None, (field, text)


def test_header_synonyms__each_role_once_and_every_pattern_compiles():
    import re

    names = [name for name, _ in HEADER_SYNONYMS]
    assert len(names) == len(set(names))
    for _, pattern in HEADER_SYNONYMS:
        re.compile(pattern)


# --- two-row headers --------------------------------------------------------------------------

def _two_row_header_xlsx(path: Path) -> Path:
    """`投资情况（亿元）` merged over `总投资 | 2018年计划投资`; the other headings merged down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2018年重点项目台账"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "项目名称", "投资情况（亿元）", None, "工作任务", "时间节点", "责任单位"])
    ws.append([None, None, "总投资", "2018年计划投资", None, None, None])
    for col in "ABEFG":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:D2")
    ws.append([1, "甲项目", 10, 2.5, "开工", datetime(2018, 6, 30), "区住建局"])
    wb.save(path)
    return path


def test_find_header__two_rows_with_the_unit_in_the_merged_heading(tmp_path):
    sheet = read_sheet(_two_row_header_xlsx(tmp_path / "two.xlsx"), "two.xlsx")
    header = find_header(sheet, "two.xlsx")
    assert (header.row, header.first_data) == (2, 3)
    assert _roles(header) == {"seq": 0, "project": 1, "total": 2, "planned": 3, "title_task": 4, "due": 5,
                              "unit": 6}
    total, planned = header.columns["total"], header.columns["planned"]
    assert (total.label, total.unit, total.year) == ("总投资", "亿", None)
    assert (planned.label, planned.unit, planned.year) == ("2018年计划投资", "亿", 2018)
    # The headings merged down the two rows are read once, from the top row.
    assert header.columns["project"].label == "项目名称" and header.ignored == []


def test_find_header__two_rows_saved_as_csv_take_the_unit_from_the_blank_heading_s_left():
    sheet = Sheet([["序号", "项目名称", "投资情况（亿元）", "", "工作任务"],
                   ["", "", "总投资", "年度计划投资", ""],
                   ["1", "甲项目", "10", "2", "开工"]])
    header = find_header(sheet, "t.csv")
    assert (header.row, header.first_data) == (1, 2)
    assert _roles(header) == {"seq": 0, "project": 1, "total": 2, "planned": 3, "title_task": 4}
    assert (header.columns["total"].unit, header.columns["planned"].unit) == ("亿", "亿")


def test_find_header__a_row_of_numbers_below_is_data_not_a_second_header():
    sheet = Sheet([["项目名称", "事项", "总投资"], ["甲项目", "开工", 300]], kind="xlsx")
    header = find_header(sheet, "t.xlsx")
    assert (header.row, header.first_data) == (0, 1)


# --- a 时间节点 of text beside a 完成时限 of dates ----------------------------------------------

def test_read_records__time_node_text_beside_a_column_of_dates_gives_each_row_its_day():
    _, records, problems = _records([
        ["序号", "项目名称", "工作任务", "时间节点", "完成时限"],
        ["1", "甲项目", "征收", "3月底前完成征收", "2018-03-31"],
        ["2", "甲项目", "封顶", "6月底前主体封顶", "2018-06-30"],
    ])
    assert problems == []
    assert [(r.title, r.due) for r in records] == [("征收", date(2018, 3, 31)), ("封顶", date(2018, 6, 30))]


# --- cells ------------------------------------------------------------------------------------

def test_read_records__dates_as_cells_and_as_phrases():
    _, records, problems = _records([
        ["项目名称", "事项", "时间节点"],
        ["甲项目", "一", datetime(2018, 7, 1)],
        ["甲项目", "二", "9月底前"],
        ["甲项目", "三", "2018年10月15日 17:00"],
        ["甲项目", "四", ""],
    ], kind="xlsx")
    assert problems == []
    assert [(r.due, r.due_wording) for r in records] == [
        (date(2018, 7, 1), None), (date(2018, 9, 30), "9月底前"), (date(2018, 10, 15), "2018年10月15日 17:00"),
        (None, None)]


def test_read_records__a_date_that_cannot_be_read_is_a_problem_at_its_cell():
    _, _, problems = _records([
        ["项目名称", "事项", "时间节点"],
        ["甲项目", "一", "2月30日"],
        ["甲项目", "二", 43281],
    ], kind="xlsx")
    assert [(p.line, p.col, p.key) for p in problems] == [(2, 3, "date_no_such_day"), (3, 3, "import_date_number")]
    assert problems[0].render("zh").startswith("t.csv:C2: 时间节点：") and "2月30日" in problems[0].render("zh")


def test_read_records__amounts_take_the_column_s_unit_and_bare_numbers_are_wan():
    _, records, problems = _records([
        ["项目名称", "总投资（亿元）", "2018年计划投资"],
        ["甲项目", 300, 120000],
        ["乙项目", "2.5亿", "1,500"],
    ], kind="xlsx")
    assert problems == []
    assert [(r.total, r.planned, r.planned_year) for r in records] == [("300亿", "12亿", 2018),
                                                                        ("2.5亿", "1500万", 2018)]


def test_read_records__ids_name_their_project_and_codes_are_upper_case():
    _, records, problems = _records([
        ["项目代码", "编号", "项目名称", "事项"],
        ["", "yt2-3", "宇通二期", "开工"],
        ["sqjd", "", "商桥街道", "拆迁"],
        ["2X", "", "坏代码", "事项"],
    ])
    assert [(r.code, r.item_id) for r in records[:2]] == [("YT2", "YT2-3"), ("SQJD", None)]
    assert [(p.line, p.col, p.key) for p in problems] == [(4, 1, "import_bad_code")]


def test_read_records__banners_totals_and_footnotes_are_not_rows():
    _, records, problems = _records([
        ["序号", "项目名称", "事项"],
        ["一、双十工程", "一、双十工程", "一、双十工程"],
        ["1", "甲项目", "开工"],
        ["", "合计", ""],
        ["注：本表由区发改委汇总", "", ""],
    ])
    assert problems == []
    assert [(r.row, r.section, r.project, r.title) for r in records] == [(3, "双十工程", "甲项目", "开工")]
