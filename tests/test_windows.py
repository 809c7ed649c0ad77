"""Windows (windows.py): an item's lines composed on their own give exactly the nodes, at
exactly the positions, that composing the whole file gives; where a layout misleads the scan,
the edit is made again on the whole text and still comes out right."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT, YT2, dedent

from taizhang.domain.models import Settings
from taizhang.repo import edits, load, write
from taizhang.repo.cache import Cache
from taizhang.yamltext import windows
from taizhang.yamltext.read import compose, read_document
from taizhang.yamltext.splice import mapping_get
from taizhang.yamltext.windows import windowed_root

GOLDEN_INPUT = Path(__file__).resolve().parent / "golden" / "roundtrip" / "input.yaml"


@pytest.fixture
def contexts(monkeypatch) -> list[write.EditContext]:
    """The edit contexts `edit_ledgers` hands to its plans, one per ledger edited: whether the
    windows were used, and whether the edit was made again on the whole text."""
    made: list[write.EditContext] = []

    class Recorded(write.EditContext):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(write, "EditContext", Recorded)
    return made

LAYOUTS = {
    "dashes_at_column_0": """\
        code: A
        name: 甲
        items:
        - id: A-1
          title: 一
        - id: A-2
          title: 二
        deadline: 2018-12-31
        """,
    "comments_and_blank_lines_between": """\
        code: A
        name: 甲
        items:   # 事项
          # 一季度
          - id: A-1
            title: 一

        # ---- 二季度（顶格注释）----
          - id: A-2
            title: 二
            notes:
              - {date: 2018-05-01, text: 开工}

          - id: A-3
            title: |
              多行
              说明

        investment:
          plan: {2018: 1000}
        """,
    "block_scalar_then_next_item": """\
        code: A
        name: 甲
        items:
          - id: A-1
            title: 一
            measures: |+
              先拆迁

              后施工

          - id: A-2
            title: >
              折叠
              文字
          - id: A-3
            title: 三
            notes:
              - date: 2018-05-01
                text: 开工
        """,
    "dash_on_its_own_line": """\
        code: A
        name: 甲
        items:
          -
            id: A-1
            title: 一
          - id: A-2
            title: "带引号：二"
        """,
    "last_item_at_end_without_newline": "code: A\nname: 甲\nitems:\n  - id: A-1\n    title: 一\n  - {id: A-2, title: 二}",
}


def _positions(node) -> list:
    """Every node of a tree with its kind, text and both marks."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append((n.id, n.value if n.id == "scalar" else None, n.start_mark.index, n.start_mark.line,
                    n.start_mark.column, n.end_mark.index, n.end_mark.line, n.end_mark.column))
        if n.id == "sequence":
            stack.extend(n.value)
        elif n.id == "mapping":
            for k, v in n.value:
                stack.extend((k, v))
    return out


def _ids(text: str) -> list[str]:
    """The items' ids as the whole text reads (what the edits give windowed_root)."""
    return [item["id"] for item in read_document(text.encode("utf-8"), "A.yaml").data["items"]]


def _texts():
    yield "yt2", YT2
    yield "yt2_crlf", YT2.replace("\n", "\r\n")
    yield "golden_input", GOLDEN_INPUT.read_text(encoding="utf-8")
    for path in sorted((REPO_ROOT / "ledgers").glob("*.yaml")):
        yield path.name, path.read_text(encoding="utf-8-sig")
    for name, text in LAYOUTS.items():
        yield name, dedent(text) if not text.startswith("code") else text


@pytest.mark.parametrize("name,text", list(_texts()), ids=[n for n, _ in _texts()])
def test_window_nodes_equal_whole_file_nodes(name, text):
    whole_key, whole = mapping_get(compose(text), "items")
    windowed_key, windowed = mapping_get(windowed_root(text, _ids(text)), "items")
    assert _positions(windowed_key) == _positions(whole_key)
    assert len(windowed.value) == len(whole.value)
    marks = lambda n: [(m.index, m.line, m.column) for m in (n.start_mark, n.end_mark)]  # noqa: E731
    assert marks(windowed) == marks(whole)
    for index in range(len(whole.value)):
        assert _positions(windowed.value[index]) == _positions(whole.value[index]), (name, index)
    assert _positions(windowed.value[-1]) == _positions(whole.value[-1])


@pytest.mark.parametrize("text", [
    "code: A\nname: 甲\nitems: []\n",
    "code: A\nname: 甲\nitems:\n",
    "code: A\nname: 甲\n",
    "{code: A, name: 甲, items: [{id: A-1, title: 一}]}\n",
    "code: A\nname: 甲\nitems: [{id: A-1, title: 一}]\n",
])
def test_no_window_where_items_are_not_a_block_list(text):
    assert windowed_root(text, ["A-1"]) is None


MISLEADING = ('code: A\nname: 甲\nitems:\n  - id: A-1\n    title: 一\n  - id: A-2\n    title: "第一行\n'
              '  - id: X\n    title: 假"\n  - id: A-3\n    title: 三\n    due: 2018-07-20\n')


def _ledger(tmp_path: Path, text: str, code: str = "A") -> Path:
    (tmp_path / "ledgers").mkdir()
    path = tmp_path / "ledgers" / f"{code}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misleading_layout_is_edited_on_the_whole_text(tmp_path, contexts):
    """A quoted title whose second line starts `  - ` at the dashes' column reads as one item
    to YAML but as two to the line scan: the windows are refused (one more window than items)
    and the edit is made on the nodes of the whole file."""
    text = 'code: A\nname: 甲\nitems:\n  - id: A-1\n    title: "第一行\n  - 第二行"\n  - id: A-2\n    title: 二\n'
    path = _ledger(tmp_path, text)
    write.edit_ledgers(Cache(tmp_path), Settings(), {"A": edits.note_edit("A-2", {"date": date(2018, 6, 15), "text": "正常"})})
    assert [c.used for c in contexts] == [False]
    written = path.read_text(encoding="utf-8")
    assert written == text + "    notes:\n      - {date: 2018-06-15, text: 正常}\n"
    loaded = load.parse_ledger(written.encode("utf-8"), "ledgers/A.yaml", Settings())
    assert loaded.ledger.items[0].title == "第一行 - 第二行" and loaded.ledger.items[1].notes[0].text == "正常"


def test_the_wording_of_an_added_date_goes_on_the_new_item_whatever_the_layout(cli, tmp_path):
    """The comment keeping `9月底` changes no data, so reading back cannot catch it on the
    wrong item: the windows must not be used where they do not count the items right."""
    path = _ledger(tmp_path, MISLEADING)
    result = cli("--dir", tmp_path, "--as-of", "2018-06-15", "add", "A", "新事项", "--due", "9月底")
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == MISLEADING + "  - id: A-4\n    title: 新事项\n    due: 2018-09-30  # 9月底\n"


def test_an_import_into_a_misleading_layout_is_written_right(cli, tmp_path):
    """import chains its edits (add, then a note) and checks each: none is led astray."""
    path = _ledger(tmp_path, MISLEADING)
    sheet = tmp_path / "导入.csv"
    sheet.write_text("事项,责任单位,时间节点,完成情况\n导入一,区住建局,9月底,已完成\n导入二,区住建局,9月底,正在推进\n",
                     encoding="utf-8")
    result = cli("--dir", tmp_path, "--as-of", "2018-06-15", "import", sheet, "--project", "A")
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == MISLEADING + (
        "  - id: A-4\n    title: 导入一\n    due: 2018-09-30  # 9月底\n    unit: 区住建局\n"
        "    notes:\n      - {date: 2018-06-15, text: 已完成}\n"
        "  - id: A-5\n    title: 导入二\n    due: 2018-09-30  # 9月底\n    unit: 区住建局\n"
        "    notes:\n      - {date: 2018-06-15, text: 正在推进}\n")


COLUMN_0_CONTINUATION = ('code: A\nname: 甲\nitems:\n  - id: A-1\n    title: 一\n  - id: A-2\n    title: "二\n'
                         '  - id: A-3\n    title: 假\n  - id: A-4\n    title: 假\nx"\n'
                         '  - id: A-3\n    title: 三\n  - id: A-4\n    title: 四\n')


@pytest.mark.parametrize("args", [("add", "A", "新事项", "--due", "9月底"), ("set", "A-4", "due=9月底"),
                                  ("note", "A-3", "正常"), ("close", "A-4")])
def test_edits_where_a_title_runs_on_at_column_0(cli, tmp_path, args, contexts):
    """A quoted title whose lines look like two more items and then end at column 0: the line
    scan would see four items with the right ids; the stray line refuses the windows."""
    path = _ledger(tmp_path, COLUMN_0_CONTINUATION)
    result = cli("--dir", tmp_path, "--as-of", "2018-06-15", *args)
    assert result.exit_code == 0, result
    assert [c.used for c in contexts] == [False]
    assert path.read_text(encoding="utf-8").startswith(COLUMN_0_CONTINUATION[:COLUMN_0_CONTINUATION.index("  - id: A-3\n    title: 三")])


def test_an_import_step_that_windows_broke_is_made_again(cli, tmp_path, monkeypatch, contexts):
    """Should a step of an import not even parse after a windowed edit, the import is made
    again on the whole text rather than refused with a made-up syntax error. (An import into a
    block list now appends all its items in one splice on the whole text, without windows: the
    text must come out the same.)"""
    monkeypatch.setattr(windows, "_NEXT_KEY", re.compile(r""))  # the stray-line check off
    path = _ledger(tmp_path, COLUMN_0_CONTINUATION)
    sheet = tmp_path / "导入.csv"
    sheet.write_text("事项,责任单位,时间节点,完成情况\n导入一,区住建局,9月底,已完成\n", encoding="utf-8")
    result = cli("--dir", tmp_path, "--as-of", "2018-06-15", "import", sheet, "--project", "A")
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == COLUMN_0_CONTINUATION + (
        "  - id: A-5\n    title: 导入一\n    due: 2018-09-30  # 9月底\n    unit: 区住建局\n"
        "    notes:\n      - {date: 2018-06-15, text: 已完成}\n")


def test_windows_are_checked_against_the_ids_the_whole_text_reads():
    text = dedent(LAYOUTS["comments_and_blank_lines_between"])
    assert windowed_root(text, ["A-1", "A-2"]) is None  # three windows, two items
    entries = mapping_get(windowed_root(text, ["A-1", "A-9", "A-3"]), "items")[1].value
    assert mapping_get(entries[0], "id")[1].value == "A-1"
    with pytest.raises(ValueError):
        entries[1]  # noqa: B018 - composing the window is what checks it


def test_an_edit_led_astray_by_windows_is_made_again(tmp_path, monkeypatch, contexts):
    """Should a window still mislead (here: ids that do not match), the edit is made again on
    the whole text and comes out as if no window had been tried."""
    path = _ledger(tmp_path, YT2, "YT2")
    original = windows.item_windows
    monkeypatch.setattr(windows, "item_windows", lambda text, ids: original(text, [i + "x" for i in ids]))
    write.edit_ledgers(Cache(tmp_path), Settings(), {"YT2": edits.note_edit("YT2-2", {"date": date(2018, 6, 15), "text": "正常"})})
    assert [(c.used, c.redone) for c in contexts] == [(True, True)]
    loaded = load.parse_ledger(path.read_bytes(), "ledgers/YT2.yaml", Settings())
    assert loaded.ledger.items[1].notes[-1].text == "正常"


@pytest.mark.parametrize("edit", [
    lambda: edits.note_edit("YT2-3", {"date": date(2018, 6, 15), "by": "张三", "text": "进展正常"}),
    lambda: edits.close_edit(["YT2-2", "YT2-4"], {"date": date(2018, 6, 15), "by": "张三"}),
    lambda: edits.set_edit("YT2-2", [("owner", "李四", None), ("due", date(2018, 7, 31), "7月底")]),
    lambda: edits.add_item_edit({"title": "新增节点", "due": date(2018, 9, 30)}, {"due": "9月底"}),
])
def test_windowed_edits_write_what_whole_file_edits_write(tmp_path, monkeypatch, edit, contexts):
    def run(folder: Path) -> str:
        (folder / "ledgers").mkdir(parents=True)
        (folder / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
        write.edit_ledgers(Cache(folder), Settings(), {"YT2": edit()})
        return (folder / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")

    windowed = run(tmp_path / "windowed")
    assert [(c.used, c.redone) for c in contexts] == [(True, False)]
    monkeypatch.setattr("taizhang.yamltext.windows.item_windows", lambda text, ids: None)
    assert run(tmp_path / "whole") == windowed


def test_a_plan_uses_windows_only_through_the_context_it_is_given():
    """No state outside the call: a plan called without a context composes the whole text; the
    context edit_ledgers hands it says whether windows were used, and keeps the ids only while
    the plan runs."""
    loaded = load.parse_ledger(YT2.encode("utf-8"), "ledgers/YT2.yaml", Settings())
    plan = edits.note_edit("YT2-2", {"date": date(2018, 6, 15), "text": "正常"})
    whole = plan(loaded)
    context = write.EditContext(windows=True)
    windowed = plan(loaded, context)
    assert windowed.text == whole.text and windowed.expected == whole.expected
    assert context.used and not context.redone and context.ids is None
    off = write.EditContext()
    assert plan(loaded, off).text == whole.text and not off.used


def test_an_edit_of_many_items_scans_the_ledger_once_and_splices_only_item_lines(tmp_path, monkeypatch):
    """`schedule --write` of 8,000 dues took 196 s and a close of 5,333 ids 6.8 s: each item's
    change scanned the ledger's text for windows, looked its id up along the list and rebuilt
    the whole text. Now each change is made on its item's own lines and the text is rebuilt
    once (edits._edit_items): one scan, and no splice ever handed the whole ledger."""
    from taizhang.yamltext import splice

    n = 300
    text = "code: A\nname: 甲\ndeadline: 2018-12-31\nitems:\n" + "".join(
        f"  - id: A-{i}\n    title: 事项{i}\n    owner: 张三\n" for i in range(1, n + 1))
    path = _ledger(tmp_path, text)
    scans, sizes = [], []
    real_scan = windows._scan
    monkeypatch.setattr(windows, "_scan", lambda text: (scans.append(len(text)), real_scan(text))[1])
    for name in ("insert_lines", "replace_scalar", "remove_key", "set_line_comment", "line_comment"):
        real = getattr(splice, name)
        monkeypatch.setattr(splice, name, lambda text, *args, real=real, **kwargs: (
            sizes.append(len(text)), real(text, *args, **kwargs))[1])
    dues = {f"A-{i}": [("due", date(2018, 7, 1), "倒排工期"), ("owner", None, None)] for i in range(1, n + 1)}
    write.edit_ledgers(Cache(tmp_path), Settings(), {"A": edits.set_many_edit(dues)})
    assert len(scans) == 1 and len(sizes) >= n and max(sizes) < 100
    assert path.read_text(encoding="utf-8") == "code: A\nname: 甲\ndeadline: 2018-12-31\nitems:\n" + "".join(
        f"  - id: A-{i}\n    title: 事项{i}\n    due: 2018-07-01  # 倒排工期\n" for i in range(1, n + 1))
    scans.clear()
    sizes.clear()
    ids = [f"A-{i}" for i in range(n, 0, -1)]
    write.edit_ledgers(Cache(tmp_path), Settings(), {"A": edits.close_edit(ids, {"date": date(2018, 6, 15), "by": "李四"})})
    assert len(scans) == 1 and len(sizes) >= n and max(sizes) < 100
    assert path.read_text(encoding="utf-8").count("    closed:\n      date: 2018-06-15\n      by: 李四\n") == n
