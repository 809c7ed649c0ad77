"""What an acceptance review of SPEC §7–§9 found in import and export, each pinned down: durations
with units round-trip, every column role has its words, `--out`'s suffix chooses the format, the
investment and remarks columns of SPEC §8 are read, a close is never dated after --as-of, a
fresh clone without `ledgers/` imports, joint units from a 配合单位 column, sections that group
items, several nodes in one cell, moved nodes recorded under `changes:`, files that are not
what their names say."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF

from taizhang.domain.dates import parse_duration
from taizhang.domain.durations import written_duration
from taizhang.yamltext import emit


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


def _ledger(root: Path, code: str) -> str:
    return (root / "ledgers" / f"{code}.yaml").read_text(encoding="utf-8")


# --- #1 durations written with units -----------------------------------------------------------

DURATIONS = ["3周", "120天", "120d", "2个月", "15个工作日", "10"]


@pytest.mark.parametrize("written", DURATIONS)
def test_a_duration_is_written_and_read_back_as_the_clerk_wrote_it(written):
    duration = parse_duration(written)
    assert emit.scalar(duration) == written
    assert emit.read_back(duration) == written_duration(duration)
    assert emit.read_back({"duration": duration}) == {"duration": written_duration(duration)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_back_every_duration_as_written(cli, tmp_path, fmt):
    source = _empty_repo(cli, tmp_path, "source")
    assert cli("--dir", source, "new", "YT2", "宇通二期", "--calendar", "weekdays").exit_code == 0
    for n, written in enumerate(DURATIONS, start=1):
        assert cli("--dir", source, "--as-of", AS_OF, "add", "YT2", f"事项{n}", "--due", "2018-12-31",
                   "--duration", written, "--owner", "张三").exit_code == 0
    out = tmp_path / f"all.{fmt}"
    assert cli("--dir", source, "--as-of", AS_OF, "export", "--format", fmt, "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path)
    imported = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert imported.exit_code == 0, imported
    durations = re.findall(r"duration: (.*)", _ledger(target, "YT2"))
    assert durations == re.findall(r"duration: (.*)", _ledger(source, "YT2")) == DURATIONS
    schedule = [cli("--dir", root, "--as-of", AS_OF, "schedule", "YT2", "--json").stdout for root in (source, target)]
    assert schedule[0] == schedule[1]


# --- #2 every column role has its words --------------------------------------------------------

def test_every_role_a_header_can_name_has_words_for_dry_run():
    from taizhang.exchange.columns import HEADER_SYNONYMS, ROLE_WORDS, role_of

    roles = {role_of(name) for name, _ in HEADER_SYNONYMS if name != "derived"}
    roles |= {"node", "grouping", "title_node"}  # what the plan makes of columns (importer.plan_import)
    assert roles - ROLE_WORDS.keys() == set()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dry_run_of_a_csv_export_with_other_fields_says_what_each_column_is(cli, tmp_path, lang):
    source = _empty_repo(cli, tmp_path, "source")
    assert cli("--dir", source, "new", "YT2", "宇通二期").exit_code == 0
    assert cli("--dir", source, "--as-of", AS_OF, "add", "YT2", "征地", "--due", "2018-07-01",
               "--owner", "张三").exit_code == 0  # an item's own owner: the 其他字段 column is written
    out = tmp_path / "m2.csv"
    assert cli("--dir", source, "--as-of", AS_OF, "export", "--format", "csv", "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path)
    result = cli("--dir", target, "--as-of", AS_OF, "--lang", lang, "import", out, "--dry-run")
    assert result.exit_code == 0, result
    assert ("其他字段 → 其他字段（导出时写入）" if lang == "zh" else "其他字段 → Other fields (of an export)") in result.stdout
    assert not (target / "ledgers" / "YT2.yaml").exists()


# --- #3 the --out file's suffix chooses the format ----------------------------------------------

def _kind(path: Path) -> str:
    data = path.read_bytes()
    return "zip" if data.startswith(b"PK\x03\x04") else "text"


@pytest.mark.parametrize(("name", "kind", "first"), [
    ("a.csv", "text", "\ufeff项目代码,"), ("a.md", "text", "# 台账"), ("a.xlsx", "zip", None), ("A.CSV", "text", "\ufeff项目代码,")])
def test_export_takes_its_format_from_the_out_suffix(cli, tmp_path, repo, name, kind, first):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / name
    result = cli("--dir", root, "--as-of", AS_OF, "export", "--out", out)
    assert result.exit_code == 0, result
    assert _kind(out) == kind
    if first is not None:
        assert out.read_text(encoding="utf-8").startswith(first)
    if name.lower().endswith(".csv"):
        target = _empty_repo(cli, tmp_path)
        assert cli("--dir", target, "--as-of", AS_OF, "import", out).exit_code == 0
        assert "征地" in _ledger(target, "YT2")


@pytest.mark.parametrize("args", [
    ["export", "--out", "a.txt"], ["export", "--out", "台账"], ["export", "--out", "a.docx"],
    ["export", "--format", "csv", "--out", "a.xlsx"], ["export", "--format", "xlsx", "--out", "a.csv"],
    ["export", "--format", "md", "--out", "a.html"],
    ["report", "week", "--format", "md", "--out", "w.docx"], ["report", "week", "--out", "w.svg"],
    ["trend", "--format", "svg", "--out", "t.json"], ["gantt", "--format", "text", "--out", "g.svg"],
    ["remind", "--format", "html", "--out", "r.md"]])
def test_a_suffix_that_belies_the_format_is_refused_and_nothing_written(cli, tmp_path, repo, args):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / args[-1]
    result = cli("--dir", root, "--as-of", AS_OF, *args[:-1], out)
    assert result.exit_code == 1, result
    assert result.stderr.count("\n") == 1 and ("扩展名" in result.stderr), result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("args", "text"), [
    (["export", "--format", "csv", "--out", "a.txt"], "\ufeff项目代码,"),
    (["export", "--format", "xlsx", "--out", "台账"], None),
    (["gantt", "--out", "g.svg"], "<?xml"), (["remind", "--out", "r.html"], "<!DOCTYPE html>"),
    (["remind", "--out", "r.md"], "#"), (["report", "week", "--out", "w.md"], "#")])
def test_an_explicit_format_or_a_known_suffix_is_written(cli, tmp_path, repo, args, text):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / args[-1]
    result = cli("--dir", root, "--as-of", AS_OF, *args[:-1], out)
    assert result.exit_code == 0, result
    if text is None:
        assert _kind(out) == "zip"
    else:
        assert out.read_text(encoding="utf-8").lstrip().startswith(text)


# --- #4 the investment and remarks columns of SPEC §8 ------------------------------------------

def _sheet(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    book.save(path)
    return path


def _load(root: Path) -> dict:
    from taizhang.repo.cache import Cache
    from taizhang.repo.load import load_repo

    repo = load_repo(Cache(root))
    assert not repo.errors, repo.errors
    return {l.code: l for l in repo.ledgers}


def test_investment_under_a_unit_line_and_remarks_are_imported(cli, tmp_path):
    book = _sheet(tmp_path / "台账1.xlsx", [
        ["2018年重点项目推进台账"],
        ["填报单位：区发改委", None, None, None, None, None, None, "单位：万元"],
        ["序号", "项目名称", "总投资", "年度计划", "已完成", "工作任务", "完成时限", "责任单位", "备注"],
        [1, "宇通二期", 300000, 16000, 12000, "完成征收", "2018-03-31", "区住建局", "已销号"],
        [None, None, None, None, None, "主体封顶", "2018-06-30", "区建设局", "市级重点"],
        [2, "第三中学", 5000, 3000, 1000, "主体完工", "2018-08-31", "区教体局", "已办结，5月验收"],
    ], ("A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:E5"))
    root = _empty_repo(cli, tmp_path)
    dry = cli("--dir", root, "--as-of", AS_OF, "import", book, "--dry-run")
    assert dry.exit_code == 0 and "未导入" not in dry.stderr, dry
    assert "Sheet1!D3 年度计划 → 年度计划投资" in dry.stdout and "Sheet1!E3 已完成 → 已完成投资" in dry.stdout
    assert "Sheet1!I3 备注 → 备注" in dry.stdout
    assert cli("--dir", root, "--as-of", AS_OF, "import", book).exit_code == 0
    ledgers = _load(root)
    yteq, school = ledgers["YTEQ"], ledgers["DSZX"]
    assert (str(yteq.investment.total), yteq.investment.planned, yteq.investment.completed) == \
        ("300000", {2018: 16000}, {"2018-06": 12000})
    assert school.investment.completed == {"2018-06": 1000}
    first, second = yteq.items
    assert first.closed is not None and first.closed.note is None and not first.notes
    assert second.closed is None and [n.text for n in second.notes] == ["备注：市级重点"]
    assert school.items[0].closed is not None and school.items[0].closed.note == "已办结，5月验收"
    invest = cli("--dir", root, "--as-of", AS_OF, "status", "--invest", "--json").stdout
    assert '"completed":"12000"' in invest.replace(" ", "")


def test_investment_under_a_two_row_heading_keeps_its_completed_column(cli, tmp_path):
    book = _sheet(tmp_path / "台账2.xlsx", [
        ["双十工程推进计划表"],
        ["序号", "项目名称", "投资情况（万元）", None, None, "推进计划", None, "责任单位", "备注"],
        [None, None, "总投资", "年度计划", "已完成", "工作任务", "完成时限", None, None],
        [1, "宇通二期", 300000, 16000, 12000, "完成征收", "2018-03-31", "区住建局", "施工中"],
    ], ("C2:E2", "F2:G2", "A2:A3", "B2:B3", "H2:H3", "I2:I3"))
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0 and "未导入" not in result.stderr, result
    yteq = _load(root)["YTEQ"]
    assert (yteq.investment.planned, yteq.investment.completed) == ({2018: 16000}, {"2018-06": 12000})
    assert [n.text for n in yteq.items[0].notes] == ["备注：施工中"]


def test_a_bare_yearly_plan_or_completed_column_of_words_is_not_investment(cli, tmp_path):
    book = _sheet(tmp_path / "t.xlsx", [
        ["项目名称", "工作任务", "年度计划", "已完成", "完成时限"],
        ["宇通二期", "完成征收", "完成征收和拆迁", "√", "2018-03-31"],
        ["宇通二期", "主体封顶", "封顶", "", "2018-06-30"],
    ])
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0, result
    assert "未导入的列：年度计划、已完成" in result.stderr
    assert _load(root)["YTEQ"].investment is None


def test_import_update_adds_a_new_remark_once(cli, tmp_path):
    rows = [["项目名称", "工作任务", "完成时限", "备注"], ["宇通二期", "完成征收", "2018-03-31", "等待审批"]]
    root = _empty_repo(cli, tmp_path)
    assert cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "a.xlsx", rows)).exit_code == 0
    rows[1][3] = "审批通过"
    for _ in range(2):
        result = cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "b.xlsx", rows), "--update")
        assert result.exit_code == 0, result
    assert [n.text for n in _load(root)["YTEQ"].items[0].notes] == ["备注：等待审批", "备注：审批通过"]


# --- #8 a close dated after --as-of ---------------------------------------------------------------

def _files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".taizhang" not in p.parts}


def test_import_refuses_a_close_dated_after_as_of_as_close_does(cli, tmp_path):
    sheet = tmp_path / "cl.csv"
    sheet.write_text("项目名称,工作任务,完成时限,是否销号,销号日期\n宇通二期,甲,5月底,已销号,2018-06-15\n"
                     "宇通二期,乙,5月底,已销号,2018-07-01\n", encoding="utf-8")
    root = _empty_repo(cli, tmp_path)
    before = _files(root)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith("cl.csv:E3: 日期 2018-07-01 晚于 --as-of 2018-06-15：不能提前销号或申请")
    assert _files(root) == before
    assert cli("--dir", root, "--as-of", "2018-07-01", "import", sheet).exit_code == 0


def test_import_update_and_an_exports_application_refuse_a_day_after_as_of(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    sheet = tmp_path / "u.csv"
    sheet.write_text("项目名称,工作任务,完成时限\n宇通二期,甲,5月底\n宇通二期,乙,5月底\n", encoding="utf-8")
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    sheet.write_text("项目名称,工作任务,完成时限,销号日期\n宇通二期,甲,5月底,2018-06-20\n宇通二期,乙,5月底,\n",
                     encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--update")
    assert result.exit_code == 1 and "u.csv:D2: 日期 2018-06-20 晚于 --as-of 2018-06-15" in result.stderr
    # An application recorded on 06-20, exported, imported by an office still on 06-15.
    assert cli("--dir", root, "--as-of", "2018-06-20", "apply", "YTEQ-2", "--evidence", "验收单").exit_code == 0
    out = tmp_path / "all.xlsx"
    assert cli("--dir", root, "--as-of", "2018-06-20", "export", "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path, "other")
    result = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert result.exit_code == 1 and "日期 2018-06-20 晚于 --as-of 2018-06-15" in result.stderr
    assert cli("--dir", target, "--as-of", "2018-06-20", "import", out).exit_code == 0


# --- #9 a fresh clone has no ledgers/ --------------------------------------------------------------

@pytest.mark.parametrize("rows", ["宇通二期,任务甲,4月底\n", "宇通二期,任务甲,4月底\n园田二期,任务乙,5月底\n"])
def test_import_into_a_clone_without_the_ledgers_folder(cli, tmp_path, rows):
    root = _empty_repo(cli, tmp_path)
    (root / "ledgers").rmdir()  # as git checks a repository out: it keeps no empty folder
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,工作任务,完成时限\n" + rows, encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 0, result
    assert "任务甲" in _ledger(root, "YTEQ")


# --- #12 a 分解表 as offices lay it out ---------------------------------------------------------------

TITLE = "关于印发《2018年城市管理重点工作任务分解表》的通知"


def _breakdown(tmp_path: Path) -> Path:
    return _sheet(tmp_path / "分解表.xlsx", [
        [TITLE],
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "进展情况"],
        [1, "完成老旧小区改造30个", "区住建局", "各街道办事处", "2018-10-31", "已完成15个"],
        ["二、环境整治"],
        [2, "背街小巷整治", "区城管局\n区交通局", None, "9月底前", None],
        [3, "垃圾中转站建设", "区城管局", "区财政局、区国土局、区城管局", "2018年12月", None],
    ], ("A1:F1", "A4:F4"))


def test_a_breakdown_sheet_keeps_assisting_units_and_says_where_its_name_is(cli, tmp_path):
    book = _breakdown(tmp_path)
    root = _empty_repo(cli, tmp_path)
    dry = cli("--dir", root, "--as-of", AS_OF, "import", book, "--dry-run")
    assert dry.exit_code == 0, dry
    assert "Sheet1!D2 配合单位 → 配合单位（排在牵头单位之后）" in dry.stdout
    assert "（项目名称取自表格标题 Sheet1!A1）" in dry.stdout and "项目名称在" not in dry.stdout
    assert "未导入" not in dry.stderr
    # The section row splits the project's items: it is no program, and the import says so.
    assert "由分节行（环境整治）分组" in dry.stderr
    assert cli("--dir", root, "--as-of", AS_OF, "import", book).exit_code == 0
    [ledger] = _load(root).values()
    assert ledger.name == TITLE and ledger.program is None
    assert [i.unit or ledger.unit for i in ledger.items] == [
        "区住建局、各街道办事处", "区城管局、区交通局", "区城管局、区财政局、区国土局"]


def test_sections_over_whole_projects_are_their_programs(cli, tmp_path):
    book = _sheet(tmp_path / "t.xlsx", [
        ["项目名称", "工作任务", "完成时限"],
        ["一、双十工程"], ["宇通二期", "征收", "2018-03-31"], ["宇通二期", "封顶", "2018-06-30"],
        ["二、民生工程"], ["第三中学", "完工", "2018-08-31"],
    ], ("A2:C2", "A5:C5"))
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", book)
    assert result.exit_code == 0 and "分节" not in result.stderr, result
    assert {code: l.program for code, l in _load(root).items()} == {"YTEQ": "双十工程", "DSZX": "民生工程"}


def test_assisting_units_without_a_lead_are_refused_at_their_cell(cli, tmp_path):
    sheet = tmp_path / "a.csv"
    sheet.write_text("项目名称,工作任务,牵头单位,配合单位,完成时限\n宇通二期,征收,,区财政局,4月底\n", encoding="utf-8")
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 1
    assert "a.csv:D2: 有配合单位“区财政局”而没有牵头单位" in result.stderr


def test_a_table_named_by_its_file_says_so(cli, tmp_path):
    sheet = tmp_path / "城管任务.csv"
    sheet.write_text("序号,工作任务,完成时限\n1,征收,4月底\n", encoding="utf-8")
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--dry-run")
    assert result.exit_code == 0 and "（表中没有项目名称，取自文件名）" in result.stdout, result


NODES = "3月底前完成征收；\n6月底前主体封顶；\n年底前竣工"


def test_a_cell_of_several_milestones_is_several_items(cli, tmp_path):
    sheet = tmp_path / "tn.csv"
    sheet.write_text(f'序号,项目名称,时间节点,责任单位\n1,宇通二期,"{NODES}",区住建局\n'
                     '2,第三中学,"2018年3月-6月完成征收，9月底前主体封顶，拆迁30户",区教体局\n', encoding="utf-8")
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 0, result
    ledgers = _load(root)
    assert [(i.title, i.due.isoformat(), i.unit or ledgers["YTEQ"].unit) for i in ledgers["YTEQ"].items] == [
        ("3月底前完成征收", "2018-03-31", "区住建局"), ("6月底前主体封顶", "2018-06-30", "区住建局"),
        ("年底前竣工", "2018-12-31", "区住建局")]
    assert [(i.title, i.due.isoformat()) for i in ledgers["DSZX"].items] == [
        ("2018年3月-6月完成征收", "2018-06-30"), ("9月底前主体封顶，拆迁30户", "2018-09-30")]
    again = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert again.exit_code == 0 and "新增 0 个事项" in again.stdout


@pytest.mark.parametrize(("header", "row", "cell"), [
    ("项目名称,工作任务,时间节点", f'宇通二期,征收和封顶,"{NODES}"', "C2"),      # an item's one time node
    ("项目名称,时间节点,完成时限", f'宇通二期,"{NODES}",2018-06-30', "B2"),    # one date for several
    ("项目名称,工作任务,完成时限", '宇通二期,征收,"3月底，6月底"', "C2")])
def test_several_nodes_for_one_item_are_refused_never_guessed(cli, tmp_path, header, row, cell):
    sheet = tmp_path / "s.csv"
    sheet.write_text(header + "\n" + row + "\n", encoding="utf-8")
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet)
    assert result.exit_code == 1 and f"s.csv:{cell}: 一格里有" in result.stderr, result
    assert not (root / "ledgers" / "YTEQ.yaml").exists()


# --- #13 import --update records a moved node as set --reason does ----------------------------------

def test_a_node_moved_by_import_update_is_a_change_status_and_the_month_report_count(cli, tmp_path):
    import json

    root = _empty_repo(cli, tmp_path)
    rows = [["项目名称", "工作任务", "完成时限"], ["宇通二期", "征收", "2018-03-31"], ["宇通二期", "封顶", "6月底"]]
    assert cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "upd1.xlsx", rows)).exit_code == 0
    rows[2][2] = "7月底"
    result = cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "upd2.xlsx", rows), "--update")
    assert result.exit_code == 0, result
    assert "  YTEQ-2 封顶：时间节点 2018-06-30 → 2018-07-31（记入调整记录，原因：据upd2.xlsx更新）" in result.stdout
    text = _ledger(root, "YTEQ")
    assert "{date: 2018-06-15, by: 测试员, field: due, from: 2018-06-30, to: 2018-07-31, reason: 据upd2.xlsx更新}" in text
    assert "时间节点由" not in text  # no longer a note instead of the record
    status = json.loads(cli("--dir", root, "--as-of", AS_OF, "status", "YTEQ", "--json").stdout)
    assert {i["id"]: i["moved"] for i in status["items"]} == {"YTEQ-1": False, "YTEQ-2": True}
    month = cli("--dir", root, "--as-of", AS_OF, "report", "month").stdout
    assert "本期调整时间节点 1 个" in month and "原定 2018-06-30，调整为 2018-07-31，原因：据upd2.xlsx更新" in month


def test_a_day_replaced_by_a_term_is_a_move_and_a_changed_term_a_note(cli, tmp_path):
    """One rule with `set`: a written day that becomes a term escapes no less than one moved
    (`changes:` records it, `to:` the term); a term changed to another is no day moved and
    stays a note."""
    root = _empty_repo(cli, tmp_path)
    rows = [["项目名称", "工作任务", "完成时限"], ["宇通二期", "征收", "2018-03-31"]]
    assert cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "a.xlsx", rows)).exit_code == 0
    rows[1][2] = "长期坚持"
    result = cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "b.xlsx", rows), "--update")
    assert result.exit_code == 0 and "2018-03-31 → 长期坚持（记入调整记录，原因：据b.xlsx更新）" in result.stdout, result
    [item] = _load(root)["YTEQ"].items
    [change] = item.changes
    assert (change.from_, change.to, change.reason) == (date(2018, 3, 31), "长期坚持", "据b.xlsx更新")
    rows[1][2] = "常态化"
    result = cli("--dir", root, "--as-of", AS_OF, "import", _sheet(tmp_path / "c.xlsx", rows), "--update")
    assert result.exit_code == 0 and "（同时记入进展）" in result.stdout, result
    [item] = _load(root)["YTEQ"].items
    assert len(item.changes) == 1 and item.notes[-1].text == "时间节点由 长期坚持 调整为 常态化（据c.xlsx更新）"


def test_a_title_the_id_column_names_is_applied_unless_another_item_has_it(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,编号,事项,完成时限\n宇通二期,,征收,4月底\n宇通二期,,封顶,5月底\n", encoding="utf-8")
    assert cli("--dir", root, "--as-of", AS_OF, "import", sheet).exit_code == 0
    sheet.write_text("项目名称,编号,事项,完成时限\n宇通二期,YTEQ-2,主体封顶,5月底\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--update")
    assert result.exit_code == 0 and "  YTEQ-2：事项名称“封顶”改为“主体封顶”" in result.stdout, result
    assert [i.title for i in _load(root)["YTEQ"].items] == ["征收", "主体封顶"]
    before = _files(root)
    sheet.write_text("项目名称,编号,事项,完成时限\n宇通二期,YTEQ-2,征收,5月底\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", AS_OF, "import", sheet, "--update")
    assert result.exit_code == 1 and "s.csv:C2: 事项名称“征收”已是 YTEQ-1 的名称" in result.stderr, result
    assert _files(root) == before


# --- #17 files that are not what their names say ------------------------------------------------------

def test_a_fifo_a_device_and_a_folder_are_said_to_be_what_they_are(cli, tmp_path):
    import os

    root = _empty_repo(cli, tmp_path)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for path, words in ((fifo, "这是命名管道（FIFO），不是普通文件"), (Path("/dev/null"), "这是设备，不是普通文件"),
                        (tmp_path, "这是文件夹，不是文件")):
        result = cli("--dir", root, "--as-of", AS_OF, "import", path)
        assert result.exit_code == 1 and words in result.stderr and "不存在" not in result.stderr, result
    english = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "import", fifo)
    assert "this is a FIFO, not a regular file" in english.stderr
    missing = cli("--dir", root, "--as-of", AS_OF, "import", tmp_path / "nowhere.csv")
    assert missing.exit_code == 1 and "不存在" in missing.stderr


def _renamed(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_a_workbook_is_read_by_its_content_whatever_its_suffix(cli, tmp_path):
    rows = [["项目名称", "工作任务", "完成时限"], ["宇通二期", "征收", "2018-03-31"]]
    book = _sheet(tmp_path / "real.xlsx", rows)
    sheet = tmp_path / "real.csv"
    sheet.write_text("项目名称,工作任务,完成时限\n宇通二期,征收,2018-03-31\n", encoding="utf-8")
    for path, kind in ((_renamed(book, tmp_path / "sent.xls"), "XLSX"), (_renamed(sheet, tmp_path / "system.xls"), "CSV"),
                       (_renamed(book, tmp_path / "sent.xlsm"), "XLSX")):
        result = cli("--dir", _empty_repo(cli, tmp_path, path.stem + path.suffix[1:]), "--as-of", AS_OF,
                     "import", path, "--dry-run")
        assert result.exit_code == 0, result
        assert f"（{kind}" in result.stdout and "+ YTEQ-1 征收" in result.stdout
    garbage = tmp_path / "bad.xls"
    garbage.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)  # an OLE head, nothing readable
    result = cli("--dir", _empty_repo(cli, tmp_path, "g"), "--as-of", AS_OF, "import", garbage)
    assert result.exit_code == 1 and "无法读取该文件" in result.stderr and "Traceback" not in result.stderr


def test_an_old_workbook_sent_as_xlsx_is_read_as_one(cli, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("分解表")
    for c, text in enumerate(["项目名称", "工作任务", "完成时限"]):
        ws.write(0, c, text)
    for c, text in enumerate(["宇通二期", "征收", "2018-03-31"]):
        ws.write(1, c, text)
    book.save(str(tmp_path / "sent.xlsx"))  # Excel 97–2003 bytes, named as a new workbook
    root = _empty_repo(cli, tmp_path)
    result = cli("--dir", root, "--as-of", AS_OF, "import", tmp_path / "sent.xlsx")
    assert result.exit_code == 0 and "（XLS, 分解表）" in result.stdout, result
