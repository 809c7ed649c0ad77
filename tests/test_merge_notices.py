"""notices.yaml merged notice by notice (gitops.merge_notices): on texts, as a property over
random notices and replies added on each side, through the merge-driver command, and in a real
`git merge` of two offices that each issued a notice and recorded replies."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from conftest import dedent
from hypothesis import given
from hypothesis import strategies as st
from test_git import _repo, git, tz

from taizhang.gitops.merge import MARK_OURS, MARK_THEIRS, resolve
from taizhang.gitops.merge_notices import merge_notices
from taizhang.repo import notices as store
from taizhang.repo.notices import parse_notices

BASE = dedent("""
    # 督办通知单：由 taizhang notice 写入，taizhang reply 记录反馈
    notices:
      - number: 督字〔2018〕1号
        unit: 区建设局
        date: 2018-06-01
        reply_by: 2018-06-10
        items: [YT2-2]
        replies: []
    """)

NOTICE_2 = ("  - number: 督字〔2018〕2号\n"
            "    unit: 区财政局\n"
            "    date: 2018-06-05\n"
            "    items: [YT2-3]\n"
            "    replies: []\n")

NOTICE_3 = ("  - number: 督字〔2018〕3号\n"
            "    unit: 区交通局\n"
            "    date: 2018-06-06\n"
            "    items: [YT2-4]\n"
            "    replies: []\n")


def _data(text: str) -> dict:
    found = parse_notices(text.encode("utf-8"))
    assert not found.errors, [p.render("en") for p in found.errors]
    return found.doc.data


def _replied(text: str, reply: str, number: str = "督字〔2018〕1号") -> str:
    """`text` with `reply` appended to the flow list of replies of the notice `number`."""
    head, _, tail = text.partition(f"number: {number}")
    before, _, after = tail.partition("replies: [")
    close = after.index("]")
    inside = after[:close]
    return head + f"number: {number}" + before + "replies: [" + inside + (", " if inside else "") + reply + after[close:]


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


# --- on texts -------------------------------------------------------------------------------

def test_merge__both_add_notices__ours_byte_for_byte_then_theirs(tmp_path):
    ours, theirs = BASE + NOTICE_2, BASE + NOTICE_3
    result = merge_notices(BASE, ours, theirs)
    assert result.clean and not result.messages and result.item_level
    assert result.text == BASE + NOTICE_2 + NOTICE_3
    assert [n["number"] for n in _data(result.text)["notices"]] == ["督字〔2018〕1号", "督字〔2018〕2号", "督字〔2018〕3号"]


def test_merge__both_reply_to_one_notice__ours_first_then_theirs():
    ours = _replied(BASE, "{date: 2018-06-08, text: 本方反馈}")
    theirs = _replied(BASE, "{date: 2018-06-07, by: 区建设局, text: 对方反馈}")
    result = merge_notices(BASE, ours, theirs)
    assert result.clean and not result.messages
    assert "    replies: [{date: 2018-06-08, text: 本方反馈}, {date: 2018-06-07, by: 区建设局, text: 对方反馈}]\n" in result.text
    assert [r["text"] for r in _data(result.text)["notices"][0]["replies"]] == ["本方反馈", "对方反馈"]


def test_merge__the_same_reply_recorded_on_both_sides_is_kept_once():
    reply = "{date: 2018-06-08, text: 已完成}"
    result = merge_notices(BASE, _replied(BASE, reply), _replied(BASE + NOTICE_3, reply))
    assert result.clean and result.text == _replied(BASE, reply) + NOTICE_3


def test_merge__ours_replies_theirs_adds_and_replies_to_their_new_notice():
    ours = _replied(BASE, "{date: 2018-06-08, text: 本方反馈}")
    theirs = _replied(BASE + NOTICE_3, "{date: 2018-06-09, text: 交通局反馈}", "督字〔2018〕3号")
    result = merge_notices(BASE, ours, theirs)
    assert result.clean
    assert result.text == ours + _replied(NOTICE_3, "{date: 2018-06-09, text: 交通局反馈}", "督字〔2018〕3号")


def test_merge__ours_adds_theirs_replies_to_the_base_notice():
    theirs = _replied(BASE, "{date: 2018-06-09, text: 对方反馈}")
    result = merge_notices(BASE, BASE + NOTICE_2, theirs)
    assert result.clean and result.text == theirs + NOTICE_2


def test_merge__same_number_on_both_sides_keeps_both_and_warns_once():
    other = NOTICE_2.replace("区财政局", "区教育局").replace("2018-06-05", "2018-06-06")
    result = merge_notices(BASE, BASE + NOTICE_2, BASE + other)
    assert result.clean and result.text == BASE + NOTICE_2 + other
    assert [p.render("zh") for p in result.messages] == [
        "notices.yaml:14:1: 警告：文号 督字〔2018〕2号 两边各发了一份督办通知单，合并后两份都保留，文号重复（共 2 份）；"
        "请人工更正文号（taizhang check 会报告）"]
    assert result.messages[0].render("en").startswith("notices.yaml:14:1: warning: the number 督字〔2018〕2号 was issued on both sides")
    assert parse_notices(result.text.encode("utf-8")).repeats == {"督字〔2018〕2号": [1, 2]}


def test_merge__the_same_notice_added_on_both_sides_is_kept_once_with_both_replies():
    ours = _replied(BASE + NOTICE_2, "{date: 2018-06-07, text: 本方}", "督字〔2018〕2号")
    theirs = _replied(BASE + NOTICE_2, "{date: 2018-06-08, text: 对方}", "督字〔2018〕2号")
    result = merge_notices(BASE, ours, theirs)
    assert result.clean and not result.messages
    assert result.text == _replied(ours, "{date: 2018-06-08, text: 对方}", "督字〔2018〕2号")


def test_merge__both_change_a_notice_differently_is_the_line_merge_with_markers():
    ours = BASE.replace("reply_by: 2018-06-10", "reply_by: 2018-06-12") + NOTICE_2
    theirs = BASE.replace("reply_by: 2018-06-10", "reply_by: 2018-06-15")
    result = merge_notices(BASE, ours, theirs)
    assert not result.clean and not result.item_level
    assert f"{MARK_OURS}\n    reply_by: 2018-06-12\n" in result.text and f"reply_by: 2018-06-15\n{MARK_THEIRS}\n" in result.text
    assert resolve(result.text, "ours") == ours
    keys = [p.key for p in result.conflicts + result.messages]
    assert "merge_line_conflicts" in keys and "merge_notice_conflict" in keys


def test_merge__a_reply_on_ours_against_their_new_reply_by_is_a_conflict():
    ours = _replied(BASE, "{date: 2018-06-08, text: 本方反馈}")
    theirs = BASE.replace("reply_by: 2018-06-10", "reply_by: 2018-06-15")
    result = merge_notices(BASE, ours, theirs)
    assert not result.clean and "merge_notice_conflict" in [p.key for p in result.messages]
    assert "本方反馈" in result.text and "2018-06-15" in result.text  # nothing of either side lost


def test_merge__a_notice_only_they_changed_takes_their_lines():
    theirs = BASE.replace("reply_by: 2018-06-10", "reply_by: 2018-06-15   # 延期，经分管领导同意") + NOTICE_3
    result = merge_notices(BASE, BASE + NOTICE_2, theirs)
    assert result.clean and result.text == theirs.replace(NOTICE_3, "") + NOTICE_2 + NOTICE_3


def test_merge__a_notice_they_deleted_is_left_to_a_person():
    result = merge_notices(BASE + NOTICE_2, BASE + NOTICE_2 + NOTICE_3, BASE)
    assert not result.clean and not result.item_level
    assert "merge_notice_deleted_theirs" in [p.key for p in result.messages]
    assert "督字〔2018〕2号" in result.text and "督字〔2018〕3号" in result.text


def test_merge__a_notice_we_deleted_and_they_left_alone_stays_deleted():
    result = merge_notices(BASE + NOTICE_2, BASE, BASE + NOTICE_2 + NOTICE_3)
    assert result.clean and result.text == BASE + NOTICE_3


def test_merge__ours_comments_crlf_and_bom_stay_their_lines_take_our_line_breaks():
    ours = ("\ufeff" + BASE.replace("notices:\n", "notices:   # 2018年\n").replace("    items: [YT2-2]\n", "    # 桩基\n    items: [YT2-2]\n")
            + NOTICE_2).replace("\n", "\r\n")
    theirs = BASE + "  # 对方补录\n" + NOTICE_3
    result = merge_notices(BASE, ours, theirs)
    assert result.clean
    assert result.text == ours + ("  # 对方补录\n" + NOTICE_3).replace("\n", "\r\n")
    assert result.text.startswith("\ufeff")


def test_merge__their_new_comment_elsewhere_is_not_dropped_the_line_merge_keeps_it():
    theirs = BASE.replace("    items: [YT2-2]\n", "    items: [YT2-2]   # 对方的批注\n")
    result = merge_notices(BASE, BASE + NOTICE_2, theirs)
    assert not result.item_level and "对方的批注" in result.text
    assert "merge_comment_not_carried" in [p.key for p in result.messages]


def test_merge__their_entries_are_moved_to_our_list_indent():
    ours = BASE.replace("\n  ", "\n") + NOTICE_2.replace("\n  ", "\n").removeprefix("  ")
    result = merge_notices(BASE, ours, BASE + NOTICE_3)
    assert result.clean and result.text == ours + NOTICE_3.removeprefix("  ").replace("\n  ", "\n")
    assert _data(result.text)["notices"][-1]["number"] == "督字〔2018〕3号"


def test_merge__flow_style_entries_and_lists():
    base = "notices:\n  - {number: 甲1号, unit: 区建设局, date: 2018-06-01, items: [YT2-2], replies: []}\n"
    ours = base.replace("replies: []", "replies: [{date: 2018-06-03, text: 本方}]")
    theirs = (base.replace("replies: []", "replies: [{date: 2018-06-04, text: 对方}]")
              + "  - {number: 甲2号, unit: 区财政局, date: 2018-06-02, replies: []}\n")
    result = merge_notices(base, ours, theirs)
    assert result.clean
    assert result.text == ("notices:\n  - {number: 甲1号, unit: 区建设局, date: 2018-06-01, items: [YT2-2], "
                           "replies: [{date: 2018-06-03, text: 本方}, {date: 2018-06-04, text: 对方}]}\n"
                           "  - {number: 甲2号, unit: 区财政局, date: 2018-06-02, replies: []}\n")
    flow_base = "notices: [{number: 甲1号, unit: 区建设局, date: 2018-06-01, replies: []}]\n"
    flow_ours = flow_base.replace("replies: []", "replies: [{date: 2018-06-03, text: 本方}]")
    flow_theirs = flow_base.replace("}]", "}, {number: 甲2号, unit: 区财政局, date: 2018-06-02}]")
    result = merge_notices(flow_base, flow_ours, flow_theirs)
    assert result.clean
    assert _data(result.text) == {"notices": [
        {"number": "甲1号", "unit": "区建设局", "date": "2018-06-01", "replies": [{"date": "2018-06-03", "text": "本方"}]},
        {"number": "甲2号", "unit": "区财政局", "date": "2018-06-02"}]}


def test_merge__block_replies_get_their_reply_lines():
    base = BASE.replace("    replies: []\n", "    replies:\n      - date: 2018-06-02\n        text: 收到\n")
    ours = base + NOTICE_2
    theirs = base.replace("        text: 收到\n", "        text: 收到\n      - date: 2018-06-09   # 电话\n        text: 已开工\n")
    result = merge_notices(base, ours, theirs)
    assert result.clean and result.text == theirs + NOTICE_2


def test_merge__replies_written_as_none_or_missing_get_a_list():
    base = BASE.replace("    replies: []\n", "    replies:\n")
    ours = base + NOTICE_2
    theirs = base.replace("    replies:\n", "    replies: [{date: 2018-06-09, text: 对方}]\n")
    result = merge_notices(base, ours, theirs)
    assert result.clean and result.text == theirs + NOTICE_2
    bare = BASE.replace("    replies: []\n", "")
    result = merge_notices(bare, bare + NOTICE_2, BASE.replace("replies: []", "replies: [{date: 2018-06-09, text: 对方}]"))
    assert result.clean and result.text == BASE.replace("replies: []", "replies: [{date: 2018-06-09, text: 对方}]") + NOTICE_2


def test_merge__both_create_the_file():
    first, second = BASE, BASE.replace("督字〔2018〕1号", "办字〔2018〕1号")
    result = merge_notices("", first, second)
    assert result.clean and result.text == first + second.split("notices:\n", 1)[1]


def test_merge__a_side_that_does_not_read_is_the_line_merge():
    result = merge_notices(BASE, BASE + NOTICE_2, BASE + NOTICE_3.replace("date: 2018-06-06", "date: 2018-02-30"))
    assert not result.clean and not result.item_level
    assert "notices.yaml (theirs)" in [p.path for p in result.messages]


# A number the base bears twice (two offices' 第2号, merged), put right on one side

_A = "  - number: 督字〔2018〕2号\n    unit: 区财政局\n    date: 2018-06-05\n    items: [YT2-3]\n    replies: []\n"
_B = "  - number: 督字〔2018〕2号\n    unit: 区教育局\n    date: 2018-06-06\n    items: [YT2-4]\n    replies: []\n"
_TWICE = BASE + _A + _B


def test_merge__a_reply_to_one_of_two_notices_of_a_number_goes_to_no_other_notice():
    # ours renumbers the first 2号 (区财政局's) to 3号; theirs records, by hand, 区财政局's reply
    ours = BASE + _A.replace("2号", "3号") + _B
    theirs = BASE + _replied(_A, "{date: 2018-06-09, text: 财政局已拨付}", "督字〔2018〕2号") + _B
    result = merge_notices(_TWICE, ours, theirs)
    assert not result.clean and "merge_notice_repeated_changed" in [p.key for p in result.messages]
    assert "财政局已拨付" in result.text and "督字〔2018〕3号" in result.text
    for notice in (_data(resolve(result.text, side))["notices"] for side in ("ours", "theirs")):
        assert all(r["text"] != "财政局已拨付" for n in notice if n["unit"] == "区教育局" for r in n["replies"])


def test_merge__two_notices_of_a_number_put_right_differently_on_each_side_is_no_clean_merge():
    ours = BASE + _A + _B.replace("2号", "3号")
    theirs = BASE + _A.replace("2号", "3号") + _B
    result = merge_notices(_TWICE, ours, theirs)
    assert not result.clean and "merge_notice_repeated_changed" in [p.key for p in result.messages]
    assert "区财政局" in result.text and "区教育局" in result.text


def test_merge__a_repeat_put_right_on_one_side_merges_with_the_others_new_notice():
    ours = BASE + _A + _B.replace("2号", "3号")
    result = merge_notices(_TWICE, ours, _TWICE + NOTICE_3.replace("3号", "4号"))
    assert result.clean and not result.messages
    assert result.text == ours + NOTICE_3.replace("3号", "4号")


def test_merge__one_notice_renumbered_differently_on_each_side_is_not_two_notices():
    ours, theirs = BASE.replace("〕1号", "〕5号"), BASE.replace("〕1号", "〕6号")
    result = merge_notices(BASE, ours + NOTICE_2, theirs)
    assert not result.clean and "merge_notice_renumbered_both" in [p.key for p in result.messages]
    assert [p.render("zh") for p in result.messages if p.key == "merge_notice_renumbered_both"] == [
        "notices.yaml:1:1: 合并冲突：督办通知单 督字〔2018〕1号 两边各改成了不同的文号（督字〔2018〕5号 / 督字〔2018〕6号），"
        "无法按通知单合并"]
    assert "督字〔2018〕5号" in result.text and "督字〔2018〕6号" in result.text
    # renumbered alike on both sides, or on one side while the other issued another: clean
    assert merge_notices(BASE, ours + NOTICE_2, ours + NOTICE_3).clean
    assert merge_notices(BASE, ours, BASE + NOTICE_3).text == ours + NOTICE_3


# --- the property ---------------------------------------------------------------------------

_SIDE_OPS = st.lists(st.one_of(st.tuples(st.just("notice"), st.booleans()),
                               st.tuples(st.just("reply"), st.integers(0, 7))), max_size=6)


def _issue(root: Path, number: str, unit: str, day: date) -> None:
    store.issue(root, lambda _: [{"number": number, "unit": unit, "date": day, "items": ["YT2-2"]}])


def _play(root: Path, side: str, ops: list, base_numbers: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """A side's notices and replies, made with the store's own writes: (numbers it added,
    replies it added per number)."""
    added: list[str] = []
    replies: dict[str, list[str]] = {}
    for k, (op, arg) in enumerate(ops):
        if op == "notice":
            # `arg`: the number both sides may take (the same number issued on each side)
            number = f"同{len(added) + 1}号" if arg else f"{side}{k}号"
            if number in added:
                number = f"{side}{k}号"
            _issue(root, number, f"{side}单位{k}", date(2018, 6, 1 + k))
            added.append(number)
        else:
            numbers = base_numbers + added
            if not numbers:
                continue
            number = numbers[arg % len(numbers)]
            text = f"{side}反馈{k}"
            store.reply(root, number, {"date": date(2018, 6, 20), "text": text})
            replies.setdefault(number, []).append(text)
    return added, replies


@given(st.integers(0, 3), _SIDE_OPS, _SIDE_OPS)
def test_merge__property_union_of_both_sides_and_ours_kept_in_order(n_base, ours_ops, theirs_ops):
    with tempfile.TemporaryDirectory() as folder:
        roots = {name: Path(folder) / name for name in ("base", "ours", "theirs")}
        for root in roots.values():
            root.mkdir()
        base_numbers = [f"底{n}号" for n in range(n_base)]
        for root in roots.values():
            for n, number in enumerate(base_numbers):
                _issue(root, number, "区建设局", date(2018, 5, 1 + n))
        ours_added, _ = _play(roots["ours"], "本", ours_ops, base_numbers)
        theirs_added, theirs_replies = _play(roots["theirs"], "对", theirs_ops, base_numbers)
        texts = [(root / "notices.yaml").read_text(encoding="utf-8") if (root / "notices.yaml").exists() else ""
                 for root in roots.values()]
        base, ours, theirs = texts
        result = merge_notices(base, ours, theirs)
        assert result.clean and result.item_level, [p.render("en") for p in result.conflicts + result.messages]
        merged = _data(result.text) if result.text.strip() else {}
        ours_data = _data(ours) if ours.strip() else {}
        theirs_data = _data(theirs) if theirs.strip() else {}
        # the union: ours' notices, each with theirs' new replies after ours, then theirs' new notices
        expected = [dict(n) for n in ours_data.get("notices") or []]
        for notice in expected:
            if notice["number"] in base_numbers:
                notice["replies"] = notice["replies"] + [
                    {"date": "2018-06-20", "text": t} for t in theirs_replies.get(notice["number"], [])]
        fresh = [n for n in theirs_data.get("notices") or [] if n["number"] not in base_numbers]
        assert len(fresh) == len(theirs_added)
        assert (merged.get("notices") or []) == expected + fresh
        # ours' lines stay, in order: a line is kept, or is the flow list of replies grown
        lines, at = _lines(result.text), 0
        for line in _lines(ours):
            while at < len(lines) and not (lines[at] == line or (line.endswith("]") and "replies: [" in line
                                                                 and lines[at].startswith(line[:-1]))):
                at += 1
            assert at < len(lines), line
            at += 1
        if not theirs_replies:
            assert result.text.startswith(ours)
        shared = set(ours_added) & set(theirs_added)
        assert {p.args["number"] for p in result.messages} == shared
        assert all(p.key == "merge_notice_number_repeated" and not p.is_error for p in result.messages)


# --- the merge-driver command -----------------------------------------------------------------

def test_merge_driver__notices_yaml_by_its_path_warns_in_zh_and_en_and_exits_0(cli, tmp_path):
    other = NOTICE_2.replace("区财政局", "区教育局")
    files = {}
    for name, text in (("base", BASE), ("ours", BASE + NOTICE_2), ("theirs", BASE + other)):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    args = [str(files[n]) for n in ("base", "ours", "theirs")]
    out = cli("merge-driver", *args, "notices.yaml")
    assert out.exit_code == 0, out
    assert files["ours"].read_text(encoding="utf-8") == BASE + NOTICE_2 + other
    assert out.stderr.count("\n") == 1 and "文号 督字〔2018〕2号 两边各发了一份督办通知单" in out.stderr
    files["ours"].write_text(BASE + NOTICE_2, encoding="utf-8")
    out = cli("--lang", "en", "merge-driver", *args, "notices.yaml")
    assert out.exit_code == 0 and "the number 督字〔2018〕2号 was issued on both sides" in out.stderr


def test_merge_driver__conflicting_notices_exit_1_with_markers(cli, tmp_path):
    files = {}
    for name, text in (("base", BASE), ("ours", BASE.replace("2018-06-10", "2018-06-12")),
                       ("theirs", BASE.replace("2018-06-10", "2018-06-15"))):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    out = cli("merge-driver", *(str(files[n]) for n in ("base", "ours", "theirs")), "notices.yaml")
    assert out.exit_code == 1
    assert MARK_OURS in files["ours"].read_text(encoding="utf-8")
    assert "督办通知单 督字〔2018〕1号 两边改得不同" in out.stderr
    assert "无法逐条合并" in out.stderr and "台账" not in out.stderr and "事项" not in out.stderr


# --- with git -------------------------------------------------------------------------------

def _two_offices(tmp_path: Path) -> Path:
    """The office's repository with one notice issued on main, then branch `wang`."""
    root = _repo(tmp_path)
    assert "/notices.yaml merge=taizhang" in (root / ".gitattributes").read_text(encoding="utf-8")
    done = tz(root, "notice", "--unit", "区建设局", "--number", "铁西督字〔{year}〕{n}号", "--commit")
    assert done.returncode == 0, done.stderr
    git(root, "checkout", "-qb", "wang")
    return root


def test_git_merge__two_offices_each_issue_and_reply_and_check_is_clean(tmp_path):
    root = _two_offices(tmp_path)
    for args in (("notice", "--unit", "国际物流园区管委会综合办公室", "--number", "铁西办字〔{year}〕{n}号", "--commit"),
                 ("reply", "铁西督字〔2018〕1号", "对方：桩基已复工", "--on", "2018-06-15", "--commit"),
                 ("reply", "铁西办字〔2018〕1号", "管委会：拆迁推进中", "--on", "2018-06-15", "--commit")):
        done = tz(root, *args)
        assert done.returncode == 0, done.stderr
    git(root, "checkout", "-q", "main")
    for args in (("notice", "--unit", "区建设局", "--number", "铁西督字〔{year}〕{n}号", "--commit"),
                 ("reply", "铁西督字〔2018〕1号", "本方：已约谈施工方", "--on", "2018-06-15", "--commit")):
        done = tz(root, *args)
        assert done.returncode == 0, done.stderr
    ours = (root / "notices.yaml").read_text(encoding="utf-8")
    merged = git(root, "merge", "--no-edit", "wang", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (root / "notices.yaml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    notices = _data(text)["notices"]
    assert [n["number"] for n in notices] == ["铁西督字〔2018〕1号", "铁西督字〔2018〕2号", "铁西办字〔2018〕1号"]
    assert [r["text"] for r in notices[0]["replies"]] == ["本方：已约谈施工方", "对方：桩基已复工"]
    assert [r["text"] for r in notices[2]["replies"]] == ["管委会：拆迁推进中"]
    assert text.startswith(ours.split("    replies: [")[0])
    check = tz(root, "check")
    assert check.returncode == 0, check.stderr
    assert git(root, "status", "--porcelain").stdout == ""


def test_git_merge__the_same_number_on_both_branches_merges_and_check_reports_it(tmp_path):
    root = _two_offices(tmp_path)
    assert tz(root, "notice", "--unit", "国际物流园区管委会综合办公室", "--number", "铁西督字〔{year}〕{n}号",
              "--commit").returncode == 0
    git(root, "checkout", "-q", "main")
    assert tz(root, "notice", "--unit", "区建设局", "--number", "铁西督字〔{year}〕{n}号", "--commit").returncode == 0
    merged = git(root, "merge", "--no-edit", "wang", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    warned = [line for line in merged.stderr.splitlines() if "铁西督字〔2018〕2号" in line]
    assert len(warned) == 1 and "文号重复" in warned[0], merged.stderr
    units = [n["unit"] for n in _data((root / "notices.yaml").read_text(encoding="utf-8"))["notices"]]
    assert units == ["区建设局", "区建设局", "国际物流园区管委会综合办公室"]
    check = tz(root, "check")
    assert check.returncode == 1 and "文号 铁西督字〔2018〕2号 重复" in check.stderr


def test_git_merge__a_notice_changed_on_both_branches_stops_with_markers(tmp_path):
    root = _two_offices(tmp_path)
    path = root / "notices.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    replies: []", "    reply_by: 2018-06-30\n    replies: []"),
                    encoding="utf-8")
    git(root, "commit", "-qam", "对方改期")
    git(root, "checkout", "-q", "main")
    path.write_text(path.read_text(encoding="utf-8").replace("    replies: []", "    reply_by: 2018-06-25\n    replies: []"),
                    encoding="utf-8")
    git(root, "commit", "-qam", "本方改期")
    merged = git(root, "merge", "--no-edit", "wang", check=False)
    assert merged.returncode == 1 and "两边改得不同" in merged.stderr
    text = path.read_text(encoding="utf-8")
    assert "<<<<<<< ours" in text and "2018-06-25" in text and "2018-06-30" in text
    check = tz(root, "check")
    assert check.returncode == 1 and "notices.yaml" in check.stderr


def test_git_setup__an_older_setup_gets_the_notices_line(tmp_path):
    root = _repo(tmp_path, driver=None)
    (root / ".gitattributes").write_text("ledgers/*.yaml merge=taizhang\nledgers/*.yml merge=taizhang\n", encoding="utf-8")
    done = tz(root, "git-setup")
    assert done.returncode == 0 and ".gitattributes" in done.stdout
    assert (root / ".gitattributes").read_text(encoding="utf-8") == (
        "ledgers/*.yaml merge=taizhang\nledgers/*.yml merge=taizhang\n/notices.yaml merge=taizhang\n")
    assert "早已启用" in tz(root, "git-setup").stdout
