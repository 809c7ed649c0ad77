"""`import --update`: the same office sends its sheet again with progress, 销号 and moved nodes;
the update adds what is new, records the changes as edits, shows them, and never duplicates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from test_import_edges import _empty_repo, _snapshot
from test_import_layouts import district_sheet

from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

openpyxl = pytest.importorskip("openpyxl")


def _newer_copy(path: Path, target: Path) -> Path:
    """The district's sheet a week later: 6月底前主体封顶 done (销号, a new report), 年底前设备安装
    moved to next March, a new milestone for the school."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["K7"], ws["L7"] = "主体已封顶", "是"
    ws["H8"] = datetime(2019, 3, 31)
    ws["K11"] = "主体施工至三层"
    ws.insert_rows(13)
    ws["G13"], ws["H13"], ws["I13"], ws["L13"] = "10月底前完成室外工程", datetime(2018, 10, 31), "区教体局", "否"
    ws["B13"] = "第三中学扩建"
    wb.save(target)
    return target


def test_import_update__records_closes_notes_and_moved_nodes_and_adds_only_what_is_new(cli, tmp_path):
    root = _empty_repo(cli, tmp_path)
    first = district_sheet(tmp_path / "双十工程.xlsx")
    assert cli("--dir", root, "--as-of", "2018-06-15", "import", first).exit_code == 0
    newer = _newer_copy(first, tmp_path / "双十工程0622.xlsx")
    plain = cli("--dir", root, "--as-of", "2018-06-22", "import", newer, "--dry-run")
    assert "项目 YTEQ 宇通二期：新增 0 个事项，已有 3 个（跳过）" in plain.stdout   # without --update: as before

    result = cli("--dir", root, "--as-of", "2018-06-22", "import", newer, "--update")
    assert result.exit_code == 0, result
    out = result.stdout.splitlines()
    assert "  YTEQ-2 6月底前主体封顶：新增进展“主体已封顶”" in out
    assert "  YTEQ-2 6月底前主体封顶：销号（2018-06-22）" in out
    assert "  YTEQ-3 年底前设备安装：时间节点 2018-12-31 → 2019-03-31（记入调整记录，原因：据双十工程0622.xlsx更新）" in out
    assert "  DSZXKJ-1 8月底前主体完工：新增进展“主体施工至三层”" in out
    assert "项目 DSZXKJ 第三中学扩建：新增 1 个事项，已有 2 个（跳过）" in out
    assert "更新：3 个已有事项有变化" in out
    ledgers = {l.code: l for l in load_repo(Cache(root)).ledgers}
    yt = ledgers["YTEQ"]
    assert yt.items[1].closed.date == date(2018, 6, 22)
    assert [n.text for n in yt.items[1].notes] == ["主体施工至五层", "主体已封顶"]
    assert yt.items[2].due == date(2019, 3, 31)
    # The move is kept under changes: as `set … --reason` keeps it (SPEC §7), not as a note.
    [change] = yt.items[2].changes
    assert (change.date, change.by, change.field, change.from_, change.to, change.reason) == (
        date(2018, 6, 22), "测试员", "due", date(2018, 12, 31), date(2019, 3, 31), "据双十工程0622.xlsx更新")
    assert [n.text for n in yt.items[2].notes] == ["备注：立项"]  # (its remark, from the first import)
    school = ledgers["DSZXKJ"]
    assert [i.title for i in school.items][-1] == "10月底前完成室外工程" and len(school.items) == 3

    # The same copy again: nothing new, nothing written twice.
    before = _snapshot(root)
    again = cli("--dir", root, "--as-of", "2018-06-22", "import", newer, "--update")
    assert again.exit_code == 0 and "更新：0 个已有事项有变化" in again.stdout
    assert _snapshot(root) == before


def test_import_update__matches_by_the_id_column_when_the_title_changed(cli, repo, tmp_path):
    root = repo(A="code: A\nname: 甲项目\nitems:\n  - id: A-1\n    title: 征收\n    due: 2018-05-31\n",
                settings="year: 2018\n")
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,编号,事项,完成时限,是否销号\n甲项目,A-1,完成征收工作,2018-05-31,是\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", "2018-06-15", "import", sheet, "--update")
    assert result.exit_code == 0, result
    ledger = load_repo(Cache(root)).ledgers[0]
    assert len(ledger.items) == 1 and ledger.items[0].closed.date == date(2018, 6, 15)
    # The title the sheet gives the item its id names is the item's now, and said.
    assert "  A-1：事项名称“征收”改为“完成征收工作”" in result.stdout.splitlines()
    assert ledger.items[0].title == "完成征收工作"


LAYOUTS = {
    "items in flow style": """\
code: A
name: 甲项目
items: [{id: A-1, title: 征收, due: 2018-06-30}, {id: A-2, title: 封顶}]
""",
    "items as flow mappings in a block list, a key after the list": """\
code: A
name: 甲项目
items:
  - {id: A-1, title: 征收, due: 2018-06-30, notes: [{date: 2018-05-02, text: 过半}]}
  - {id: A-2, title: 封顶}
# 期限
deadline: 2018-12-31
""",
    "block notes in flow style, a wording comment": """\
code: A
name: 甲项目
items:
  - id: A-1
    title: 征收
    due: 2018-06-30  # 6月底前
    notes:
      - {date: 2018-05-02, text: 过半}
  - id: A-2
    title: 封顶
""",
    "block notes in block style, items apart, a comment of one's own": """\
code: A
name: 甲项目
items:
  - id: A-1
    title: 征收
    due: 2018-06-30  # 区长定的
    owner: 张三
    notes:
      - date: 2018-05-02
        by: 李四
        text: 过半

  - id: A-2
    title: 封顶
    due: 4月底
    measures: 加班
""",
    "flow notes, a phrase as the due, a closed item left alone": """\
code: A
name: 甲项目
items:
  - id: A-1
    title: 征收
    due: 6月底
    notes: [{date: 2018-05-02, text: 过半}]
  - id: A-2
    title: 封顶
    closed:
      date: 2018-05-01
""",
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_import_update__one_splice_writes_what_the_edits_one_at_a_time_write(layout):
    """The update (one pass for any number of items) against the store's own edits made one at
    a time, each on the whole text (set the moved node, note the move and the report, close): the
    same text, on several ledger layouts."""
    from taizhang.domain.models import Settings
    from taizhang.exchange.importer import ItemUpdate, ProjectPlan, _chain, _update_notes, _updates_edit
    from taizhang.repo import edits
    from taizhang.repo.load import parse_ledger

    settings = Settings(year=2018)
    loaded = parse_ledger(LAYOUTS[layout].encode("utf-8"), "ledgers/A.yaml", settings)
    assert not loaded.has_errors, loaded.problems
    day = date(2018, 6, 20)
    project = ProjectPlan("A", "甲项目", False, 2, updates=[
        ItemUpdate("A-1", "征收", 2, 1, notes=[{"date": day, "text": "完成"}], closed={"date": day, "by": "王五"},
                   due=(date(2018, 6, 30), date(2018, 7, 31), "7月底前"), day=day),
        ItemUpdate("A-2", "封顶", 3, 1, notes=[{"date": day, "by": "赵六", "text": "主体'封顶 "}],
                   due=(None, date(2018, 9, 30), None), day=day),
    ])
    if layout.startswith("flow notes"):
        project.updates[1].closed = None  # A-2 is closed already
        project.updates[1].due = (None, date(2018, 9, 30), None)
    batched = _chain(loaded, [_updates_edit(project, "周报.xlsx", "李四")], settings)
    # A moved node as `set … --reason` records it: under changes:, dated the update's day.
    move = {"date": day, "by": "李四", "reason": "据周报.xlsx更新"}
    steps = [edits.set_edit(u.id, [("due", u.due[1], u.due[2])], move, moves_need_reason=True)
             for u in project.updates if u.due]
    for u in project.updates:
        steps += [edits.note_edit(u.id, note) for note in _update_notes(u, "周报.xlsx")]
        steps += [edits.close_edit([u.id], u.closed)] if u.closed else []
    one_by_one = _chain(loaded, steps, settings, reread=True)
    assert batched.text == one_by_one.text
    assert batched.expected == one_by_one.expected


def test_import_update__closes_an_item_applied_for_as_close_does(cli, repo, tmp_path):
    """An item applied for (§7) that the newer sheet marks 销号 is closed as `close` closes it:
    the application is settled (its evidence and applicant move into `closed:`), not left
    beside the close."""
    root = repo(A="code: A\nname: 甲项目\nitems:\n  - id: A-1\n    title: 征收\n    due: 2018-06-30\n"
                  "    apply: {date: 2018-06-10, by: 张三, evidence: 照片.jpg}\n", settings="year: 2018\n")
    sheet = tmp_path / "s.csv"
    sheet.write_text("项目名称,编号,事项,完成时限,是否销号\n甲项目,A-1,征收,2018-06-30,是\n", encoding="utf-8")
    result = cli("--dir", root, "--as-of", "2018-06-15", "import", sheet, "--update")
    assert result.exit_code == 0, result
    assert (root / "ledgers" / "A.yaml").read_text(encoding="utf-8") == (
        "code: A\nname: 甲项目\nitems:\n  - id: A-1\n    title: 征收\n    due: 2018-06-30\n"
        "    closed:\n      date: 2018-06-15\n      by: 张三\n      evidence: 照片.jpg\n")
