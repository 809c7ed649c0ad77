"""Issue 13, what the merge and the edges must never lose: two projects under one code are
never fused, an id reused after a deletion never gets the other side's 销号, their comments are
not dropped; and the smaller defects of the same issue (set title, positions of illegal
characters, a block scalar at the end of a file, `why` out of the calendar's years)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import YT2, dedent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.domain.models import Settings
from taizhang.gitops.merge import MARK_OURS, MARK_THEIRS, merge_ledger, resolve
from taizhang.repo import edits as ledger_edits
from taizhang.repo import load

IMP = "ledgers/IMP1.yaml"


def _valid(text: str, path: str = "ledgers/YT2.yaml") -> load.LoadedLedger:
    loaded = load.parse_ledger(text.encode("utf-8"), path, Settings())
    assert not loaded.has_errors, [p.render("en") for p in loaded.problems]
    return loaded


def _edit(text: str, *plans, path: str = "ledgers/YT2.yaml") -> str:
    for plan in plans:
        text = plan(_valid(text, path)).text
    return text


def _items(text: str, path: str = "ledgers/YT2.yaml") -> dict:
    return {item.id: item for item in _valid(text, path).ledger.items}


# --- A1: two projects under one code --------------------------------------------------------

IMPORTED_HERE = dedent("""
    code: IMP1
    name: 城区道路改造
    items:
      - id: IMP1-1
        title: 完成征收
        due: 2018-05-31
    """)
IMPORTED_THERE = dedent("""
    code: IMP1
    name: 污水处理厂扩建
    items:
      - id: IMP1-1
        title: 设备招标
        due: 2018-07-31
      - id: IMP1-2
        title: 土建完工
        due: 2018-10-31
    """)


def test_merge__two_imports_under_one_code_are_never_fused():
    result = merge_ledger("", IMPORTED_HERE, IMPORTED_THERE, path=IMP)
    assert not result.clean
    [conflict] = result.conflicts
    assert conflict.key == "merge_conflict_projects"
    assert result.text.splitlines()[conflict.line - 1] == MARK_OURS
    assert "城区道路改造" in conflict.render("zh") and "污水处理厂扩建" in conflict.render("zh")
    assert "IMP1" in conflict.render("en") and "different projects" in conflict.render("en")
    # each way of resolving it is one side's project as it was: nothing fused
    assert resolve(result.text, "ours") == IMPORTED_HERE
    assert resolve(result.text, "theirs") == IMPORTED_THERE
    checked = load.parse_ledger(result.text.encode("utf-8"), IMP, Settings())
    assert {p.key for p in checked.problems} == {"conflict_marker"}


def test_merge__both_renamed_the_project_differently_is_not_fused_either():
    base = dedent("""
        code: IMP1
        name: 旧名
        items:
          - id: IMP1-1
            title: 一
        """)
    ours, theirs = base.replace("旧名", "新名甲"), base.replace("旧名", "新名乙")
    result = merge_ledger(base, ours, theirs, path=IMP)
    assert [c.key for c in result.conflicts] == ["merge_conflict_projects"]


def test_merge__one_side_renamed_the_project_merges_as_before():
    base = IMPORTED_HERE
    theirs = base.replace("城区道路改造", "城区道路改造工程")
    ours = _edit(base, ledger_edits.close_edit(["IMP1-1"], {"date": date(2018, 5, 30), "by": "甲"}), path=IMP)
    result = merge_ledger(base, ours, theirs, path=IMP)
    assert result.clean and "name: 城区道路改造工程\n" in result.text


def test_merge__the_same_project_imported_by_two_offices_still_merges():
    theirs = IMPORTED_HERE + "  - id: IMP1-2\n    title: 路面摊铺\n"
    result = merge_ledger("", IMPORTED_HERE, theirs, path=IMP)
    assert result.clean and list(_items(result.text, IMP)) == ["IMP1-1", "IMP1-2"]


# --- A2: an id reused after a deletion ------------------------------------------------------

BASE_WITH_5 = YT2 + "  - id: YT2-5\n    title: 变电站迁改\n    due: 2018-07-31\n    owner: 王五\n"
REUSED_5 = YT2 + "  - id: YT2-5\n    title: 配套道路\n    due: 2018-09-30\n"


def _close_5(text: str) -> str:
    return _edit(text, ledger_edits.close_edit(["YT2-5"], {"date": date(2018, 6, 14), "by": "王五"}))


def test_merge__a_close_is_never_attached_to_an_item_that_reused_the_id():
    theirs = _close_5(BASE_WITH_5)  # they closed 变电站迁改
    for ours, other, _side in ((REUSED_5, theirs, "ours"), (theirs, REUSED_5, "theirs")):
        result = merge_ledger(BASE_WITH_5, ours, other)
        assert [c.key for c in result.conflicts] == ["merge_conflict_reused_id"], result.text
        assert "YT2-5" in result.conflicts[0].render("zh")
        for way in ("ours", "theirs"):
            item = _items(resolve(result.text, way))["YT2-5"]
            # either the new item, untouched, or the closed old one: never a mix
            assert (item.title, item.closed is None) in {("配套道路", True), ("变电站迁改", False)}
        reused_way = "ours" if ours is REUSED_5 else "theirs"
        assert _items(resolve(result.text, reused_way))["YT2-5"].closed is None


def test_merge__an_item_that_reused_the_id_against_an_untouched_base_item_is_clean():
    result = merge_ledger(BASE_WITH_5, REUSED_5, _edit(BASE_WITH_5, ledger_edits.set_edit("YT2-2", [("owner", "丙", None)])))
    assert result.clean
    assert _items(result.text)["YT2-5"].title == "配套道路" and _items(result.text)["YT2-2"].owner == "丙"
    result = merge_ledger(BASE_WITH_5, _close_5(_edit(BASE_WITH_5, ledger_edits.set_edit("YT2-2", [("owner", "丙", None)]))),
                          REUSED_5)
    assert [c.key for c in result.conflicts] == ["merge_conflict_reused_id"]


def test_merge__a_renamed_item_is_still_the_same_item():
    ours = _edit(BASE_WITH_5, ledger_edits.set_edit("YT2-5", [("title", "变电站迁改工程", None)]))
    result = merge_ledger(BASE_WITH_5, ours, _close_5(BASE_WITH_5))
    assert result.clean
    item = _items(result.text)["YT2-5"]
    assert item.title == "变电站迁改工程" and item.closed.by == "王五"


def _git(root, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=甲", "-c", "user.email=a@example.org", *args], cwd=root, check=True,
                   capture_output=True, env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null",
                                             "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)})


def test_add__never_takes_an_id_the_committed_or_staged_ledger_used(tmp_path):
    from taizhang import open_repository

    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(BASE_WITH_5, encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    path.write_text(YT2, encoding="utf-8")  # the last item deleted by hand, not yet committed
    repo = open_repository(root)
    assert repo.add("YT2", "配套道路") == "YT2-6"
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "删除并新增")
    path.write_text(YT2, encoding="utf-8")  # YT2-6 deleted and the deletion staged
    _git(root, "add", "-A")
    assert repo.add("YT2", "又一项") == "YT2-7"
    outside = tmp_path / "plain"
    (outside / "ledgers").mkdir(parents=True)
    (outside / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
    assert open_repository(outside).add("YT2", "无 git") == "YT2-5"


# --- C: hostile titles in Markdown and HTML -------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<b>粗</b>", "a|b|c", "*强调* **加粗**", "_下划线_", "[点我](http://x.cn)",
           "`代码`", "# 标题", "- 列表", "1. 编号", "第一行\n第二行", "<img src=x onerror=alert(1)>",
           "&lt;i&gt;实体", "---", "> 引用", "~~删除~~", "\\*反斜杠"]


def _hostile_repo(repo):
    import json

    items = "".join(f"  - {{id: P-{n}, title: {json.dumps(t, ensure_ascii=False)}, due: 2018-06-01, "
                    f"owner: {json.dumps(t, ensure_ascii=False)}}}\n" for n, t in enumerate(HOSTILE, 1))
    return repo(P='code: P\nname: "<i>项目</i>|*名*"\nunit: "[单位](x)"\nitems:\n' + items)


class _Tags:
    """The tags of an HTML text and its text, as a browser's parser sees them."""

    def __init__(self, text: str):
        from html.parser import HTMLParser

        self.tags: list[str] = []
        self.text: list[str] = []
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer.tags.append(tag)

            def handle_data(self, data):
                outer.text.append(data)

        parser = Parser(convert_charrefs=True)
        parser.feed(text)
        parser.close()


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def _rows(html_text: str) -> list[int]:
    """The number of cells of each table row."""
    import re

    return [len(re.findall(r"<t[dh][ >]", row)) for row in re.findall(r"<tr>(.*?)</tr>", html_text, re.DOTALL)]


def _assert_inert_markdown(md: str, columns: int, line_break: str = " ") -> None:
    rendered = _markdown_html(md)
    tags = _Tags(rendered)
    assert set(tags.tags) <= {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "br", "strong"}, rendered
    rows = _rows(rendered)
    assert rows and set(rows) == {columns}, rendered  # no cell split by a `|`, no row cut by a line break
    shown = "".join(tags.text)
    for title in HOSTILE:
        assert title.replace("\n", line_break) in shown, title


def test_remind__markdown_keeps_hostile_titles_as_text(cli, repo):
    root = _hostile_repo(repo)
    done = cli("--dir", root, "--as-of", "2018-06-15", "remind", "--format", "md")
    assert done.exit_code == 0, done.stderr
    _assert_inert_markdown(done.stdout, 7)
    assert "<i>项目</i>|*名*" in "".join(_Tags(_markdown_html(done.stdout)).text)


def test_export__markdown_keeps_hostile_titles_as_text(cli, repo):
    root = _hostile_repo(repo)
    done = cli("--dir", root, "--as-of", "2018-06-15", "export", "--format", "md")
    assert done.exit_code == 0, done.stderr
    header = done.stdout.splitlines()[4]
    rendered = _markdown_html(done.stdout)
    tags = _Tags(rendered)
    assert set(tags.tags) <= {"h1", "p", "table", "thead", "tbody", "tr", "th", "td", "br"}, rendered
    assert set(_rows(rendered)) == {header.count(" | ") + 1}
    shown = "".join(tags.text)
    for title in HOSTILE:
        assert title.replace("\n", "") in shown, title  # (a line break in a cell is a <br>)


def test_remind__html_keeps_hostile_titles_as_text(cli, repo):
    root = _hostile_repo(repo)
    done = cli("--dir", root, "--as-of", "2018-06-15", "remind", "--format", "html")
    assert done.exit_code == 0, done.stderr
    tags = _Tags(done.stdout)
    assert set(tags.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "colgroup",
                              "col", "thead", "tbody", "tr", "th", "td"}
    shown = "".join(tags.text)
    for title in HOSTILE:
        assert title in shown, title


def test_md_text__a_paragraph_of_hostile_text_is_one_paragraph_of_that_text():
    from taizhang.domain.markdown import md_text

    for text in [*HOSTILE, "+ 加号", "===", "12) 括号", "-5.85", "1.4亿元"]:
        rendered = _markdown_html(md_text(text) + "\n")
        tags = _Tags(rendered)
        assert tags.tags == ["p"], (text, rendered)
        assert "".join(tags.text).strip() == text.replace("\n", " ")
    assert md_text("-5.85") == "-5.85" and md_text("1.4亿元") == "1.4亿元"


# --- D: smaller defects ---------------------------------------------------------------------

def _ledger_text(root) -> str:
    return (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")


def test_set__title_keeps_the_whitespace_the_clerk_typed_as_add_does(cli, repo):
    root = repo(YT2=YT2)
    assert cli("--dir", root, "add", "YT2", "  两端有空格  ").exit_code == 0
    done = cli("--dir", root, "set", "YT2-1", "title=  前后  空格  ")
    assert done.exit_code == 0, done.stderr
    titles = {i.id: i.title for i in _valid(_ledger_text(root)).ledger.items}
    assert titles["YT2-1"] == "  前后  空格  " and titles["YT2-5"] == "  两端有空格  "


def test_title__all_whitespace_is_refused_like_an_empty_one(cli, repo):
    from taizhang import open_repository
    from taizhang.errors import TaizhangError

    root = repo(YT2=YT2)
    before = _ledger_text(root)
    for args in (("set", "YT2-1", "title=   "), ("set", "YT2-1", "title=\t"), ("add", "YT2", "   "),
                 ("add", "YT2", "")):
        done = cli("--dir", root, *args)
        assert done.exit_code == 1 and "Traceback" not in done.stderr, (args, done)
        assert "title" in done.stderr or "名称" in done.stderr
    assert "title" in cli("--dir", root, "--lang", "en", "add", "YT2", " ").stderr
    for call in (lambda r: r.set("YT2-1", [("title", "  ", None)]), lambda r: r.add("YT2", " \u3000 ")):
        try:
            call(open_repository(root))
        except TaizhangError:
            pass
        else:
            raise AssertionError("a blank title was accepted")
    assert _ledger_text(root) == before


def test_check__a_character_yaml_refuses_is_reported_where_it_is(cli, repo):
    for char, shown in (("\ufffe", "U+FFFE"), ("\x07", "U+0007"), ("\uffff", "U+FFFF"), ("\x9b", "U+009B")):
        root = repo(YT2=YT2.replace("    title: 六个村", "    title: 六个" + char + "村"))
        done = cli("--dir", root, "check")
        assert done.exit_code == 1
        line = YT2.splitlines().index("    title: 六个村拆迁进度滞后") + 1
        assert f"ledgers/YT2.yaml:{line}:14: " in done.stderr and shown in done.stderr, done.stderr
        assert shown in cli("--dir", root, "--lang", "en", "check").stderr
    root = repo(YT2="\ufeff" + YT2.replace("name: 宇通二期项目", "name: 宇通\ufffe"))
    assert "ledgers/YT2.yaml:4:9: " in cli("--dir", root, "check").stderr


BLOCK_AT_END = "code: YT2\nname: 宇通\nitems:\n  - id: YT2-1\n    title: 一\n    measures: {header}\n      第一行\n\n      第二行"


@pytest.mark.parametrize("header", ["|", ">", "|+", ">+", "|2", "|-", "| # 措施"])
@pytest.mark.parametrize("args", [("add", "YT2", "新事项"), ("note", "YT2-1", "进展"), ("close", "YT2-1"),
                                  ("set", "YT2-1", "owner=张三"), ("problem", "YT2", "新问题"),
                                  ("apply", "YT2-1", "--evidence", "合同")])
def test_edit__a_last_block_scalar_without_a_final_newline_keeps_its_value(cli, repo, header, args):
    root = repo(YT2=BLOCK_AT_END.format(header=header))
    before = _valid(_ledger_text(root)).ledger.items[0].measures
    done = cli("--dir", root, "--as-of", "2018-06-15", *args)
    assert done.exit_code == 0, done.stderr
    after = _valid(_ledger_text(root)).ledger.items
    assert after[0].measures == before
    assert _ledger_text(root).startswith(BLOCK_AT_END.format(header=header).split("measures:")[0])


def test_why__a_deadline_in_a_year_the_calendar_does_not_know_is_one_clear_line(cli, repo):
    root = repo(YT2="code: YT2\nname: x\ncalendar: workdays\ndeadline: 2035-06-30\n"
                    "items:\n  - id: YT2-1\n    title: a\n    duration: 5\n")
    done = cli("--dir", root, "--as-of", "2018-06-15", "why", "YT2-1")
    assert done.exit_code == 1 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.endswith(cli("--dir", root, "--as-of", "2018-06-15", "schedule", "YT2").stderr.strip().split(": ", 1)[1])
    assert "2035" in line and "ledgers/YT2.yaml:3:11: " in line
    assert "2035" in cli("--dir", root, "--lang", "en", "--as-of", "2018-06-15", "why", "YT2-1").stderr


# --- A3: comments the other side added ------------------------------------------------------

def _set(target: str, **fields):
    return ledger_edits.set_edit(target, [(k, v, None) for k, v in fields.items()])


def _merged(base: str, ours: str, theirs: str):
    result = merge_ledger(base, ours, theirs)
    assert result.clean and result.item_level, [p.render("en") for p in result.conflicts + result.messages]
    _valid(result.text)
    return result.text


def test_merge__their_comment_line_above_a_key_is_carried_over():
    theirs = YT2.replace("    owner: 李四\n", "    # 6月3日协调会：改由李四负责\n    owner: 李四\n")
    ours = _edit(YT2, _set("YT2-4", owner="张三"), _set("YT2-2", due=date(2018, 6, 30)))
    text = _merged(YT2, ours, theirs)
    assert "    due: 2018-06-30\n    # 6月3日协调会：改由李四负责\n    owner: 李四\n" in text
    assert _items(text)["YT2-4"].owner == "张三"


def test_merge__their_comment_at_the_end_of_a_line_is_carried_over():
    theirs = YT2.replace("    unit: 区建设局\n", "    unit: 区建设局   # 牵头单位\n") \
        .replace("deadline: 2020-06-30\n", "deadline: 2020-06-30  # 合同工期\n")
    ours = _edit(YT2, _set("YT2-4", owner="张三"))
    text = _merged(YT2, ours, theirs)
    assert "    unit: 区建设局   # 牵头单位\n" in text and "deadline: 2020-06-30  # 合同工期\n" in text


def test_merge__their_comments_inside_an_item_at_its_end_and_at_the_end_of_the_file():
    theirs = YT2.replace("    measures: 包村干部驻村推进\n", "    measures: 包村干部驻村推进\n    # 每周报一次\n") \
        .replace("  - id: YT2-4\n", "      # 第五村待签\n  # 主体部分\n  - id: YT2-4\n") + "# 文件到此为止\n"
    ours = _edit(YT2, _set("YT2-3", owner="张三"), _set("YT2-1", owner="李四"))
    text = _merged(YT2, ours, theirs)
    assert "    measures: 包村干部驻村推进\n    # 每周报一次\n    due: 2018-06-20\n" in text
    assert "已签约四个村}\n      # 第五村待签\n  # 主体部分\n  - id: YT2-4\n" in text
    assert text.endswith("# 文件到此为止\n")


def test_merge__their_changed_key_brings_the_comment_above_it():
    theirs = YT2.replace("    due: 2019-08-31\n", "    # 按新方案顺延\n    due: 2019-12-31\n")
    ours = _edit(YT2, _set("YT2-2", owner="张三"))
    text = _merged(YT2, ours, theirs)
    assert "    # 按新方案顺延\n    due: 2019-12-31\n" in text


def test_merge__a_comment_that_cannot_be_placed_falls_back_to_the_line_merge_never_lost():
    # their comment sits on a line whose value ours changed: the line merge shows both
    theirs = YT2.replace("    owner: 李四\n", "    owner: 李四  # 已确认\n")
    ours = _edit(YT2, _set("YT2-2", owner="张三"))
    result = merge_ledger(YT2, ours, theirs)
    assert "# 已确认" in result.text and "owner: 张三" in result.text
    assert not result.clean
    # their comment inside an item ours deleted
    without_4 = YT2[:YT2.index("  - id: YT2-4")]
    theirs = YT2.replace("    due: 2019-08-31\n", "    due: 2019-08-31  # 以批复为准\n")
    result = merge_ledger(YT2, without_4, theirs)
    assert "# 以批复为准" in result.text and not result.clean


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_merge__comments_they_add_anywhere_are_never_lost(data):
    """They add comment lines between any lines and at the end of any line; we make an edit.
    Whatever the merge does (item by item, or the line merge), every comment of theirs is in the
    result."""
    lines = YT2.splitlines()
    comments: list[str] = []
    out = []
    for n, line in enumerate(lines):
        if data.draw(st.integers(0, 6), label=f"above {n}") == 0:
            indent = len(line) - len(line.lstrip()) if line.strip() else 0
            comments.append(f"# 对方注释{n}")
            out.append(" " * indent + comments[-1])
        if line.strip() and "#" not in line and not line.endswith(":") and data.draw(st.integers(0, 6), label=f"end {n}") == 0:
            comments.append(f"# 行尾注释{n}")
            line = line + "  " + comments[-1]
        out.append(line)
    theirs = "\n".join(out) + "\n"
    _valid(theirs)
    edit = data.draw(st.sampled_from([_set("YT2-2", owner="张三"), _set("YT2-4", due=date(2019, 9, 30)),
                                      _set("YT2", leader="王书记"),
                                      ledger_edits.note_edit("YT2-3", {"date": date(2018, 6, 1), "by": "甲", "text": "进展"}),
                                      ledger_edits.add_item_edit({"title": "本方新增"})]))
    ours = _edit(YT2, edit)
    result = merge_ledger(YT2, ours, theirs)
    for comment in comments:
        assert comment in result.text, (comment, result.text)
    if result.item_level and result.clean:
        merged = _valid(result.text).ledger
        assert merged.model_dump() == _valid(_edit(theirs, edit)).ledger.model_dump()


def test_git_merge__two_offices_each_created_imp1_and_check_reports_the_conflict(tmp_path):
    from test_git import _repo, git, tz

    root = _repo(tmp_path)
    git(root, "checkout", "-qb", "other")
    assert tz(root, "new", "IMP1", "污水处理厂扩建", "--commit").returncode == 0
    assert tz(root, "add", "IMP1", "设备招标", "--due", "2018-07-31", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "new", "IMP1", "城区道路改造", "--commit").returncode == 0
    assert tz(root, "add", "IMP1", "完成征收", "--due", "2018-05-31", "--commit").returncode == 0
    merged = git(root, "merge", "--no-edit", "other", check=False)
    assert merged.returncode == 1 and "CONFLICT" in merged.stdout
    text = (root / IMP).read_text(encoding="utf-8")
    ours, theirs = resolve(text, "ours"), resolve(text, "theirs")
    assert "城区道路改造" in ours and "完成征收" in ours and "污水处理厂扩建" not in ours and "设备招标" not in ours
    assert "污水处理厂扩建" in theirs and "设备招标" in theirs and "完成征收" not in theirs
    check = tz(root, "check")
    assert check.returncode == 1
    reported = [line for line in check.stderr.splitlines() if line.startswith(f"{IMP}:")]
    assert reported and all("冲突" in line for line in reported)
    assert {int(line.split(":")[1]) for line in reported} == {
        i + 1 for i, line in enumerate(text.splitlines()) if line[:7] in (MARK_OURS[:7], "=======", MARK_THEIRS[:7])}


def test_merge__their_comment_on_a_conflicting_key_stays_in_their_side_of_the_conflict():
    ours = _edit(YT2, _set("YT2-2", owner="张三"))
    for theirs, kept in ((YT2.replace("    owner: 李四\n", "    owner: 王五  # 改派\n"), "    owner: 王五  # 改派\n"),
                         (YT2.replace("    owner: 李四\n", "    # 协调会定\n    owner: 王五\n"), "    # 协调会定\n")):
        result = merge_ledger(YT2, ours, theirs)
        assert result.item_level and [c.key for c in result.conflicts] == ["merge_conflict"]
        assert kept in resolve(result.text, "theirs")


def test_git_merge__a_close_never_lands_on_an_item_added_after_a_deletion(tmp_path):
    from test_git import _items as git_items
    from test_git import _repo, git, tz

    root = _repo(tmp_path)
    path = root / "ledgers" / "YT2.yaml"
    assert tz(root, "add", "YT2", "变电站迁改", "--due", "2018-07-31", "--commit").stdout.strip() == "YT2-5"
    git(root, "checkout", "-qb", "closer")
    assert tz(root, "close", "YT2-5", "--on", "2018-06-14", "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    path.write_text(path.read_text(encoding="utf-8").split("  - id: YT2-5")[0], encoding="utf-8")  # deleted by hand
    assert tz(root, "add", "YT2", "配套道路", "--due", "2018-09-30", "--commit").stdout.strip() == "YT2-6"
    # (taizhang commits its own change only; the deletion by hand is the clerk's to commit)
    git(root, "commit", "-qam", "删除 YT2-5")
    merged = git(root, "merge", "--no-edit", "closer", check=False)
    assert merged.returncode == 1  # deleted here, closed there: a person decides
    text = path.read_text(encoding="utf-8")
    ours = {i.id: i for i in load.parse_ledger(resolve(text, "ours").encode(), "ledgers/YT2.yaml", Settings()).ledger.items}
    assert "YT2-5" not in ours and ours["YT2-6"].title == "配套道路" and ours["YT2-6"].closed is None
    path.write_text(resolve(text, "theirs"), encoding="utf-8")
    items = git_items(root)
    assert items["YT2-5"].closed.by and items["YT2-5"].title == "变电站迁改" and items["YT2-6"].closed is None


def test_merge__an_item_whose_record_is_gone_is_another_item_even_if_a_field_matches():
    base = YT2.replace('    title: "主体施工"\n    due: 2019-08-31\n',
                       '    title: "主体施工"\n    due: 2019-08-31\n    unit: 区建设局\n'
                       '    notes:\n      - {date: 2018-05-02, by: 甲, text: 开始}\n')
    reused = YT2.replace('    title: "主体施工"\n    due: 2019-08-31\n', '    title: 新的事项\n    unit: 区建设局\n')
    theirs = _edit(base, ledger_edits.close_edit(["YT2-4"], {"date": date(2018, 6, 14), "by": "王五"}))
    result = merge_ledger(base, reused, theirs)
    assert [c.key for c in result.conflicts] == ["merge_conflict_reused_id"]
    assert _items(resolve(result.text, "ours"))["YT2-4"].closed is None


def test_merge__a_hash_line_inside_their_block_scalar_is_text_and_their_comment_goes_below_it():
    base = "code: YT2\nname: 甲\nitems:\n  - id: YT2-1\n    title: 一\n    measures: |\n      第一条\n    due: 2018-06-01\n"
    theirs = base.replace("      第一条\n", "      第一条\n      # 第二条（不是注释）\n    # 对方注释\n")
    ours = _edit(base, _set("YT2-1", owner="张三"))
    text = _merged(base, ours, theirs)
    assert "      # 第二条（不是注释）\n    # 对方注释\n    due: 2018-06-01\n" in text
    assert _items(text)["YT2-1"].measures == "第一条\n# 第二条（不是注释）\n"


def test_add__never_reuses_an_id_whose_deletion_was_committed(tmp_path):
    """SPEC §2: an id is never reused, not even after the last item is deleted — here the
    deletion is committed before the add, so neither HEAD nor the index holds the old item."""
    from test_git import _repo, git, tz

    root = _repo(tmp_path)
    path = root / "ledgers" / "YT2.yaml"
    assert tz(root, "add", "YT2", "变电站迁改", "--due", "2018-07-31", "--commit").stdout.strip() == "YT2-5"
    path.write_text(path.read_text(encoding="utf-8").split("  - id: YT2-5")[0], encoding="utf-8")
    git(root, "commit", "-qam", "删除 YT2-5")
    assert tz(root, "add", "YT2", "配套道路", "--due", "2018-09-30").stdout.strip() == "YT2-6"
