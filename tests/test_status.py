"""Lights on an as-of day (pure), the status views, and `status --json` exactly as SPEC §5."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT, YT2

from taizhang.domain.lights import Query, evaluate, item_light, select
from taizhang.domain.models import Item, Ledger, Settings

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("TAIZHANG_REGEN_GOLDEN") == "1"
D = date.fromisoformat


def _item(**fields) -> Item:
    return Item.model_validate({"id": "X-1", "title": "t", **fields})


@pytest.mark.parametrize("fields, node, light", [
    ({}, None, "none"),
    ({}, D("2018-06-14"), "red"),                       # time node before A
    ({}, D("2018-06-15"), "yellow"),                    # due today: 0 days left
    ({}, D("2018-06-22"), "yellow"),                    # warn_days 7, inclusive
    ({}, D("2018-06-23"), "green"),
    ({"closed": {"date": "2018-06-20"}}, D("2018-06-10"), "red"),   # closed later: open on A
    ({"closed": {"date": "2018-06-15"}}, D("2018-06-10"), "done"),  # closed on A, even late
    ({"closed": {"date": "2018-06-01"}}, None, "done"),
])
def test_item_light(fields, node, light):
    assert item_light(_item(**fields), node, D(AS_OF), 7) == light


def test_item_light__warn_days_setting():
    assert item_light(_item(), D("2018-06-18"), D(AS_OF), 2) == "green"
    assert item_light(_item(), D("2018-06-17"), D(AS_OF), 2) == "yellow"


def _ledger(code: str, *items: dict, **project) -> Ledger:
    return Ledger.model_validate({"code": code, "name": code + "项目", **project,
                                  "items": [{"id": f"{code}-{i + 1}", "title": f"事项{i + 1}", **item}
                                            for i, item in enumerate(items)]})


def test_project_light_is_worst_open_item_and_projects_sort_worst_first():
    ledgers = [
        _ledger("A", {"due": "2018-07-30"}),
        _ledger("B", {"due": "2018-06-01"}, {"due": "2018-07-30"}),
        _ledger("C", {"due": "2018-06-01", "closed": {"date": "2018-06-02"}}),
        _ledger("D", {"due": "2018-06-16"}, {}),
    ]
    projects = select(evaluate(ledgers, D(AS_OF), Settings()), Query())
    assert [(p.code, p.light) for p in projects] == [("B", "red"), ("D", "yellow"), ("A", "green"), ("C", "done")]


def test_select__unit_filter_uses_items_own_unit_then_projects():
    ledger = _ledger("A", {"due": "2018-06-01"}, {"due": "2018-06-01", "unit": "区建设局"}, unit="区城市管理局")
    projects = select(evaluate([ledger], D(AS_OF), Settings()), Query(unit="建设局"))
    assert [i.id for i in projects[0].items] == ["A-2"]
    assert select(evaluate([ledger], D(AS_OF), Settings()), Query(unit="教体局")) == []


def test_select__light_filter_lists_but_counts_stay():
    ledger = _ledger("A", {"due": "2018-06-01"}, {"due": "2018-09-01"})
    [project] = select(evaluate([ledger], D(AS_OF), Settings()), Query(lights=["green"]))
    assert [i.id for i in project.items] == ["A-2"]
    assert project.tally.counts["red"] == 1 and project.light == "red"


def test_items_sorted_by_time_node_without_node_last():
    ledger = _ledger("A", {}, {"due": "2018-09-01"}, {"due": "2018-07-01"})
    [project] = select(evaluate([ledger], D(AS_OF), Settings()), Query())
    assert [i.id for i in project.items] == ["A-3", "A-2", "A-1"]


def test_status_json__exact_shape(cli, repo):
    root = repo(YT2=YT2)
    data = json.loads(cli("--dir", root, "--as-of", AS_OF, "status", "--json").stdout)
    assert data == {
        "as_of": "2018-06-15",
        "items": [
            {"id": "YT2-1", "project": "YT2", "title": "配套项目全面开工", "kind": "task",
             "unit": "国际物流园区管委会综合办公室", "owner": None, "due": "2018-03-31", "light": "done",
             "days_left": -76, "closed_on": "2018-03-28", "units": ["国际物流园区管委会综合办公室"],
             "leader": "魏书全", "stale": False, "pending": False, "moved": False,
             "notices": 0, "overdue_notice": False},
            {"id": "YT2-2", "project": "YT2", "title": "主体项目桩基施工", "kind": "task", "unit": "区建设局",
             "owner": "李四", "due": "2018-06-10", "light": "red", "days_left": -5, "closed_on": None,
             "units": ["区建设局"], "leader": "魏书全", "stale": False, "pending": False, "moved": False,
             "notices": 0, "overdue_notice": False},
            {"id": "YT2-3", "project": "YT2", "title": "六个村拆迁进度滞后", "kind": "problem",
             "unit": "国际物流园区管委会综合办公室", "owner": None, "due": "2018-06-20", "light": "yellow",
             "days_left": 5, "closed_on": None, "units": ["国际物流园区管委会综合办公室"],
             "leader": "魏书全", "stale": True, "pending": False, "moved": False,
             "notices": 0, "overdue_notice": False},
            {"id": "YT2-4", "project": "YT2", "title": "主体施工", "kind": "task",
             "unit": "国际物流园区管委会综合办公室", "owner": None, "due": "2019-08-31", "light": "green",
             "days_left": 442, "closed_on": None, "units": ["国际物流园区管委会综合办公室"],
             "leader": "魏书全", "stale": False, "pending": False, "moved": False,
             "notices": 0, "overdue_notice": False},
        ],
        "projects": [{"code": "YT2", "name": "宇通二期项目", "light": "red", "open": 3, "closed": 1,
                      "red": 1, "yellow": 1, "green": 1}],
    }


def test_status_json__earlier_day_shows_close_as_open(cli, repo):
    root = repo(YT2=YT2)
    data = json.loads(cli("--dir", root, "--as-of", "2018-03-27", "status", "--json").stdout)
    first = data["items"][0]
    assert (first["id"], first["light"], first["closed_on"]) == ("YT2-1", "yellow", None)


def test_status_json__carries_every_kept_item_beyond_limit(cli, repo):
    root = repo(YT2=YT2)
    data = json.loads(cli("--dir", root, "--as-of", AS_OF, "status", "--json", "--limit", "1",
                          "--kind", "task").stdout)
    assert [i["id"] for i in data["items"]] == ["YT2-1", "YT2-2", "YT2-4"]


def test_status__limit_ends_with_how_many_more(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "YT2", "--limit", "2").stdout
    assert "另有 2 项未列出" in out
    assert "YT2-1" in out and "YT2-2" in out and "YT2-3" not in out


def test_status__overview_lists_red_and_yellow_only(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "status").stdout
    assert "YT2-2" in out and "YT2-3" in out and "YT2-4" not in out and "YT2-1" not in out
    assert "合计：红灯 1  黄灯 1  绿灯 1  无时限 0  已销号 1" in out


def test_status__all_and_light_filter(cli, repo):
    root = repo(YT2=YT2)
    assert "YT2-4" in cli("--dir", root, "--as-of", AS_OF, "status", "--all").stdout
    out = cli("--dir", root, "--as-of", AS_OF, "status", "--light", "green").stdout
    assert "YT2-4" in out and "YT2-2" not in out


def test_status__by_unit_groups_by_items_own_unit(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--by", "unit", "--all").stdout
    lines = out.splitlines()
    group_line = next(i for i, line in enumerate(lines) if "区建设局" in line and "YT2-" not in line)
    assert "YT2-2" in lines[group_line + 1]


def test_status__bad_light_is_a_usage_error(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--light", "purple")
    assert result.exit_code == 2 and "purple" in result.stderr


def test_status__english_words(cli, repo):
    root = repo(YT2=YT2)
    out = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "status").stdout
    assert "overdue" in out and "due soon" in out and "Total: red 1" in out


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (TAIZHANG_REGEN_GOLDEN=1 to accept)"


@pytest.mark.parametrize("args, golden", [
    ((), "status_sample.txt"),
    (("YT2", "--lang", "en"), "status_sample_YT2_en.txt"),
    (("--by", "unit"), "status_sample_by_unit.txt"),
])
def test_status__sample_repository_golden(cli, args, golden):
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", "status", *args)
    assert result.exit_code == 0, result
    _check_golden(golden, result.stdout)


def test_status__cjk_columns_align(cli):
    """Every time node starts in the same terminal column as its header: CJK counts as two."""
    import re

    from taizhang.render.table import width

    lines = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", "status", "--all").stdout.splitlines()
    head = next(line for line in lines if line.startswith("亮灯"))
    column = width(head[:head.index("时间节点")])
    rows = [line for line in lines if re.match(r"(逾期|临期|正常|已销号|无时限) +[A-Z]+\d*-\d+ ", line)]
    assert len(rows) > 100
    starts = {width(line[:re.search(r"\d{4}-\d{2}-\d{2}", line).start()]) for line in rows}
    assert starts == {column}
    # Right-aligned day counts end where their header ends.
    end = width(head[:head.index("剩余天数") + 4])
    assert {width(line[:m.end()]) for line in rows for m in [re.search(r"(逾期\d+天|剩\d+天)(?= )", line)] if m} == {end}


def test_textable__width_and_fold():
    from taizhang.render.table import fold, width

    assert width("YT2-1") == 5 and width("宇通二期") == 8 and width("（一期）") == 8
    assert fold("宇通二期项目主体施工", 8) == ["宇通二期", "项目主体", "施工"]
    assert all(width(line) <= 7 for line in fold("宇通a二期项目", 7))


# Wide characters the hand-made table of wide ranges that rich.cells replaced counted one cell,
# and marks it counted two: each would have pushed a column out of line.
MISSED_WIDE = {
    "\U0001F680": "🚀 ROCKET (the emoji block 1F680-1F6FF was missing)",
    "\U0001F7E0": "🟠 LARGE ORANGE CIRCLE (geometric shapes extended)",
    "\U0001FAE0": "🫠 MELTING FACE (symbols and pictographs extended-A)",
    "\U0001F21A": "🈚 SQUARED CJK UNIFIED IDEOGRAPH-7121 (enclosed ideographic supplement)",
    "\U0001B000": "𛀀 KATAKANA LETTER ARCHAIC E (kana supplement)",
    "\U00017000": "𗀀 TANGUT IDEOGRAPH-17000",
}


@pytest.mark.parametrize("char", sorted(MISSED_WIDE), ids=lambda c: f"U+{ord(c):X}")
def test_textable__width_of_wide_characters_the_old_table_missed(char):
    from taizhang.render.table import fold, width

    assert width(char) == 2, MISSED_WIDE[char]
    assert width(f"宇通{char}YT2") == 9
    assert fold(f"宇{char}通", 4) == [f"宇{char}", "通"]


def test_textable__width_of_zero_width_marks_and_fullwidth_forms():
    from taizhang.render.table import width

    # ideographic tone marks combine with the character before (the old table said two cells)
    assert width("宇\u302a") == 2 and width("e\u0301") == 1
    assert width("ＹＴ２－１") == 10 and width("\U00030000") == 2  # fullwidth forms, CJK extension G


def test_textable__measures_with_rich_cells_alone():
    """The widths come from rich.cells, which brings none of rich's consoles, styles or tables
    (start-up time: every command prints a table)."""
    import subprocess
    import sys

    code = ("import sys, taizhang.render.table as t; t.width('宇🚀'); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('rich'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")})
    loaded = result.stdout.split()
    assert "rich.cells" in loaded
    assert not {"rich.console", "rich.text", "rich.table", "rich.style", "rich.segment"} & set(loaded), loaded


def test_status__columns_align_with_emoji_and_supplementary_cjk(cli, repo):
    """Titles and units holding the characters above: every time node still starts under its
    header, and so does every person in charge after the unit column."""
    import re

    # measured as the terminal shows them, not as the table under test thinks
    from rich.cells import cell_len as width

    wide = "".join(sorted(MISSED_WIDE))
    cases = [(f"{wide}问题", "区建设局"), ("发射塔基础🚀施工", "区🈚证办"), ("🫠🟠𛀀𗀀", "ＹＴ科技局"),
             ("普通事项", f"区{wide}")]
    items = "".join(f"  - {{id: EM-{n}, title: {title}, due: 2018-06-{10 + n}, owner: 张{n}, unit: {unit}}}\n"
                    for n, (title, unit) in enumerate(cases, 1))
    root = repo(EM="code: EM\nname: 宽字符🚀项目\nunit: 区城市管理局🟠\nleader: 魏书全\nitems:\n" + items)
    lines = cli("--dir", root, "--as-of", AS_OF, "--no-color", "status", "--all").stdout.splitlines()
    head = next(line for line in lines if line.startswith("亮灯"))
    rows = [line for line in lines if re.match(r"\S+ +EM-\d ", line)]
    assert len(rows) == 4 and all(any(c in row for c in MISSED_WIDE) for row in rows[:3])
    due = width(head[:head.index("时间节点")])
    assert {width(line[:re.search(r"\d{4}-\d{2}-\d{2}", line).start()]) for line in rows} == {due}
    owner = width(head[:head.index("责任人")])
    assert {width(line[:re.search(r"张\d", line).start()]) for line in rows} == {owner}


def test_textable__right_alignment_and_colour():
    from taizhang.render.table import Column, render

    lines = render([Column("名称"), Column("数", right=True)], [["宇通", "3"], ["b", ("12", "light.red")]],
                   max_width=80, color=True)
    assert lines[0] == "\x1b[1m名称\x1b[0m  \x1b[1m数\x1b[0m"
    assert lines[1] == "宇通   3"
    assert lines[2] == "b     \x1b[1;31m12\x1b[0m"


def test_status_json__the_bytes_json_dumps_would_write(cli, repo):
    """status --json is encoded by msgspec (print_json floatless): the very bytes of json.dumps'
    compact form, escapes of quotes, backslashes, control characters and non-BMP text included."""
    ledger = YT2.replace("name: 宇通二期项目", 'name: "宇通\\"二期\\\\ \\t \\u2028 😀 \\x7f"')
    root = repo(YT2=ledger)
    out = cli("--dir", root, "--as-of", AS_OF, "status", "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert "😀" in data["projects"][0]["name"] and '"' in data["projects"][0]["name"]
    assert out.stdout == json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
