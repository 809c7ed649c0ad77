"""`log ID` reads only the commits that may have changed the item (gitops/git.py `_item_history`,
yamltext/itembytes.py `item_lines` and `same_item`), and says what the whole history says of it.

- `same_item` never passes over a change to the item: for two versions that both read, where
  it says the item is alike, the item's data are equal — property test over versions made of
  entries in many spellings (quoted, flow, id not first, fake ids in titles and block scalars,
  quotes and brackets left open across lines, comments, a key in the middle of the list, broken
  indentation) and edits of them;
- on a repository whose history has items added, closed, reopened, moved, noted, deleted and
  added again, a rename away and back, merges (one renumbering an item), a version with
  conflict markers, one saved in GBK, quoted and flow-style entries, `history(item=…)` equals
  the whole history filtered to the item, for every item, with and without a limit;
- a long history: the versions read are those of the commits that changed the item, not all.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.gitops import git as gitops
from taizhang.gitops.git import concerns, history, read_version
from taizhang.yamltext.itembytes import item_lines, item_spot, same_item
from taizhang.yamltext.read import read_document

IDS = [f"P-{n}" for n in range(1, 6)]


# --- same_item, on versions of one ledger ---------------------------------------------------

def _entries(n: int) -> list[str]:
    """Ways an entry (or a stretch of lines) of the items list may be written, naming P-n."""
    i = f"P-{n}"
    return [
        f"  - id: {i}\n    title: 事项{n}\n",
        f"  - id: {i}\n    title: 事项{n}\n    due: 2018-07-31\n",
        f"  - id: {i}\n    title: 事项{n}\n    due: 2018-06-30   # 6月底\n",
        f"  - id: {i}\n    title: 事项{n}\n    closed: {{date: 2018-06-01, by: 王五}}\n",
        f"  - id: '{i}'\n    title: \"引号：{n}\"\n",
        f"  - id: \"{i}\"\n    title: 'it''s {n}'\n",
        f"  - {{id: {i}, title: 流式{n}}}\n",
        f"  - title: 先标题{n}\n    id: {i}\n",
        f"  - id: {i}\n    title: \"多行\n      - id: P-3\n      续\"\n",
        f"  - id: {i}\n    title: \"开了引号{n}\n",
        f"  - id: {i}\n    title: '开了单引号{n}\n",
        "    title: 闭\"\n",
        "    title: 闭'\n",
        f"  - id: {i}\n    notes:\n      - {{date: 2018-05-02, by: 张三, text: 见P-3}}\n",
        f"  - id: {i}\n    after: [P-3, P-2]\n",
        f"  - id: {i}\n    after: [P-3,\n  P-4]\n",
        f"  - id: {i}\n    after: [开\n",
        "    ]\n",
        f"  - id: {i}\n    measures: |\n      - id: P-3\n      文字\n",
        f"  - id: {i}\n    title: x # 注释 \"\n",
        f"  - id: {i}\n    title: \"a # b\"\n",
        f"  - id: {i}\n    title: '\"'\n",
        f"  - id: {i}\n    title: \"'\"\n",
        f"  - id: {i}\n   title: 缩进错\n",
        f"  - id: {i}\n    id: {i}\n",
        f"  - id: {i}\n    title: a\n      b - id: P-3\n",
        f"  - id: {i}\n    title: &a 锚\n",
        f"  - id: {i}\n    title: *a\n",
        f"  -   id: {i}\n      title: 宽{n}\n",
        f"    - id: {i}\n      title: 深{n}\n",
        f"  - {i}\n",
        f"  -\n    id: {i}\n",
        f"  - id:\n      {i}\n",
        f"  - id: {i}\n    title: [a, {{b: c}}]\n",
        f"  - id: {i}\n    title: 事项{n}\r\n",
        "# 顶格注释 \"\n",
        "  # 注释\n",
        "\n",
        "itemz:\n",
        "deadline: 2018-12-31\n",
        "    closed: {date: 2018-06-01, by: 王五}\n",
        "  - id: P-3\n    title: 事项3\n",
        "  - id: P-3\n    title: 事项3改\n",
    ]


HEADERS = ["code: P\nname: 项目\nitems:\n", "code: P\nname: \"项目\nitems:\n", "code: P\nname: 项目\nitemz:\n",
           "code: P\nname: 项目\n", "name: 项目\ncode: P\nitems:   # 事项\n"]
# Mostly entries that read, so that versions read and changes sit before, at and after the item.
CHUNK = st.integers(1, 5).flatmap(lambda n: st.one_of(st.sampled_from(_entries(n)[:4]), st.sampled_from(_entries(n)[:4]),
                                                      st.sampled_from(_entries(n)[:4]), st.sampled_from(_entries(n))))


@st.composite
def versions(draw) -> tuple[bytes, bytes]:
    head = draw(st.sampled_from(HEADERS))
    chunks = draw(st.lists(CHUNK, min_size=1, max_size=8))
    old = head + "".join(chunks)
    changed = list(chunks)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(changed)))
        how = draw(st.sampled_from(["replace", "insert", "delete", "header"]))
        if how == "replace" and at < len(changed):
            changed[at] = draw(CHUNK)
        elif how == "insert":
            changed.insert(at, draw(CHUNK))
        elif how == "delete" and at < len(changed):
            del changed[at]
        elif how == "header":
            head = draw(st.sampled_from(HEADERS))
    return old.encode("utf-8"), (head + "".join(changed)).encode("utf-8")


def _item(data: dict | None, item: str):
    """The item as `ledger_changes` finds it: the last dict with its id (None: none, or the
    version does not read)."""
    if data is None:
        return "unread"
    found = {str(i.get("id")): i for i in data.get("items") or [] if isinstance(i, dict)}
    return found.get(item)


@settings(max_examples=3000)
@given(versions())
def test_same_item_never_passes_over_a_change_to_the_item(pair):
    old, new = pair
    data_old, data_new = read_version(old, "ledgers/P.yaml"), read_version(new, "ledgers/P.yaml")
    for item in IDS:
        a, b = item_lines(old, item), item_lines(new, item)
        for lines, data in ((a, data_old), (b, data_new)):
            if lines is not None and not lines.text and data is not None:
                assert _item(data, item) is None  # (no lines: no item)
        if a is None or b is None or not same_item(old, new, a, b):
            continue
        if data_old is not None and data_new is not None:
            assert _item(data_old, item) == _item(data_new, item), (item, old.decode(), new.decode())


def _reader_spots(raw: bytes) -> dict[str, tuple[int, int]] | None:
    """Each item's place as the reader gives it (what `check` says a finding's line is), by id;
    None where the text does not read, or an id stands twice."""
    doc = read_document(raw, "ledgers/P.yaml")
    if doc.problems or not isinstance(doc.data, dict) or not isinstance(doc.data.get("items"), list):
        return None
    ids = [str(i.get("id")) if isinstance(i, dict) else None for i in doc.data["items"]]
    if len(set(ids)) != len(ids):
        return None
    return {item_id: doc.pos(("items", n)) for n, item_id in enumerate(ids) if item_id is not None}


@settings(max_examples=2000)
@given(versions())
def test_item_spot_is_where_the_reader_places_the_item_whenever_it_answers(pair):
    """`check` places the plan's findings from the bytes (item_spot) instead of composing every
    ledger again: wherever it answers, it is the reader's place, line and column."""
    for raw in pair:
        spots = _reader_spots(raw)
        if spots is None:
            continue
        for item in spots:  # (asked only of items the ledger has: findings are about them)
            spot = item_spot(raw, item)
            if spot is not None:
                assert spot == spots[item], (item, raw.decode())


def test_item_spot_on_the_sample_and_generated_ledgers():
    import sys

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "benchmarks"))
    import gen

    texts = [p.read_bytes() for p in sorted((root / "ledgers").glob("*.yaml"))]
    texts += [gen.ledger_text(gen.code_of(i), n).encode() for i, n in enumerate((20, 60, 300))]
    answered = 0
    for raw in texts:
        spots = _reader_spots(raw)
        assert spots is not None
        for item_id, place in spots.items():
            spot = item_spot(raw, item_id)
            answered += spot is not None
            assert spot in (None, place), item_id
    assert answered >= 0.9 * sum(len(_reader_spots(raw) or {}) for raw in texts)  # the bytes vouch for most


def test_what_the_bytes_cannot_vouch_for_is_read():
    base = "code: P\nname: 项目\nitems:\n  - id: P-1\n    title: 一\n  - id: P-3\n    title: 三\n"
    assert item_lines(base.encode(), "P-3").text == b"  - id: P-3\n    title: \xe4\xb8\x89\n"
    assert item_lines(base.encode(), "P-9").text == b""
    assert item_lines(None, "P-3").text == b""
    for unsure in ("  - {id: P-3, title: 三}\n", "  - title: 三\n    id: P-3\n", "  - id:\n      P-3\n",
                   "  - id: \"P-\\x33\"\n", "<<<<<<< ours\n", "  - id: P-3\n    title: \"开\n", "  - id: P-3\n    t: *a\n",
                   "  - id: P-3\n    title: [a,\n"):
        assert item_lines((base + unsure).encode(), "P-3") is None, unsure
    # A change before the item in plain lines of the list passes; one with a quote, a comment,
    # a key of its own at the list's column, or an open bracket is read.
    closed = base.replace("    title: 一\n", "    title: 一\n    closed: {date: 2018-06-01, by: 王五}\n")
    old, new = base.encode(), closed.encode()
    assert same_item(old, new, item_lines(old, "P-3"), item_lines(new, "P-3"))
    for line in ("    title: \"一\"\n", "    due: 2018-06-30  # 6月底\n", "deadline: 2018-12-31\n", "    after: [P-2\n"):
        new = base.replace("    title: 一\n", "    title: 一\n" + line).encode()
        assert not same_item(old, new, item_lines(old, "P-3"), item_lines(new, "P-3")), line


# --- history(item=…) against the whole history ------------------------------------------------

def _git(root: Path, *args: str, check: bool = True, day: int = 1) -> str:
    when = f"2018-05-{day:02d}T09:30:00+08:00"
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                               "GIT_AUTHOR_NAME": "赵红彬", "GIT_AUTHOR_EMAIL": "z@x", "GIT_COMMITTER_NAME": "赵红彬",
                               "GIT_COMMITTER_EMAIL": "z@x", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    assert done.returncode == 0 or not check, (args, done.stdout, done.stderr)
    return done.stdout


ENTRY = {n: f"  - id: P-{n}\n    title: 事项{n}\n    due: 2018-06-{n:02d}\n" for n in range(1, 12)}


def _save(root: Path, entries: list[str], *, head: str = "code: P\nname: 项目\nitems:\n", encoding: str = "utf-8",
          rel: str = "ledgers/P.yaml") -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes((head + "".join(entries)).encode(encoding))


def _tangled(root: Path) -> None:
    """A history with most of what befalls an item, one commit a day."""
    day = iter(range(1, 60))

    def commit(message: str) -> None:
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", message, day=next(day))

    _git(root, "init", "-q", "-b", "main")
    e = dict(ENTRY)
    order = [1, 2, 3]
    _save(root, [e[n] for n in order])
    commit("P-1..3")
    for n in (4, 5):
        order.append(n)
        _save(root, [e[n] for n in order])
        commit(f"P-{n}")
    e[3] = e[3] + "    closed: {date: 2018-05-03, by: 王五, note: 已完成}\n"
    _save(root, [e[n] for n in order])
    commit("close P-3")
    e[3] = ENTRY[3].replace("2018-06-03", "2018-07-31") + "    notes:\n      - {date: 2018-05-04, by: 张三, text: 重新打开}\n"
    _save(root, [e[n] for n in order])
    commit("reopen P-3, due moved, a note")
    e[1] = e[1] + "    owner: 李四\n"
    _save(root, [e[n] for n in order])
    commit("P-1 owner (before P-3)")
    e[2] = "  - {id: P-2, title: 事项2, due: 2018-06-02}\n"
    e[4] = "  - id: 'P-4'\n    title: \"引号：四\"\n    due: 2018-06-04   # 6月4日\n"
    _save(root, [e[n] for n in order])
    commit("P-2 in flow style, P-4 quoted")
    _save(root, [e[n] for n in order], head="code: P\nname: 项目\nitems:\n<<<<<<< ours\n")
    commit("conflict markers committed")
    _save(root, [e[n] for n in order])
    commit("markers removed")
    _save(root, [e[n] for n in order], encoding="gbk")
    commit("saved in GBK")
    _save(root, [e[n] for n in order])
    commit("back in UTF-8")
    order.remove(5)
    _save(root, [e[n] for n in order])
    commit("P-5 deleted")
    order.append(5)
    e[5] = ENTRY[5].replace("事项5", "事项5（重新加入）")
    _save(root, [e[n] for n in order])
    commit("P-5 added again")
    (root / "archive").mkdir()
    _git(root, "mv", "ledgers/P.yaml", "archive/P.yaml")
    commit("P moved away")
    _git(root, "mv", "archive/P.yaml", "ledgers/P.yaml")
    commit("P back")
    _git(root, "checkout", "-qb", "side")
    order.append(6)
    e[6] = ENTRY[6]
    e[3] = e[3] + "      - {date: 2018-05-20, by: 张三, text: 侧枝进展}\n"
    _save(root, [e[n] for n in order])
    commit("side: P-6, a note on P-3")
    _git(root, "checkout", "-q", "main")
    order.remove(6)
    order.append(7)
    e[7] = ENTRY[7].replace("事项7", "主线新增")
    _save(root, [e[n] for n in order])
    commit("main: P-7")
    _git(root, "merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    # The resolution: side's P-6 renumbered P-8 (as the merge driver does), main's P-7 kept.
    _save(root, [e[n] for n in order] + [ENTRY[6].replace("P-6", "P-8")])
    commit("merge side")
    e[1] = e[1].replace("李四", "王五")
    e[8] = ENTRY[6].replace("P-6", "P-8") + "    closed: {date: 2018-05-30, by: 王五}\n"
    _save(root, [e[n] for n in order] + [e[8]])
    commit("P-1 owner again, P-8 closed")


def test_history_of_an_item_equals_the_whole_history_filtered_to_it(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    _tangled(root)
    whole = history(root, ["ledgers/P.yaml"])
    assert any(e.change.kind == "item_renumbered" for e in whole)
    for item in [f"P-{n}" for n in range(1, 10)]:
        for limit in (None, 3, 12):
            expected = [e for e in (whole if limit is None else history(root, ["ledgers/P.yaml"], limit))
                        if concerns(e.change, item)]
            assert history(root, ["ledgers/P.yaml"], limit, item) == expected, (item, limit)


def test_the_item_log_command_says_what_it_said(tmp_path, cli):
    root = tmp_path / "repo"
    root.mkdir()
    _tangled(root)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    text = cli("--dir", root, "--as-of", "2018-06-15", "log", "P-3").stdout.splitlines()
    # (as before: after a version that does not read — conflict markers, GBK — and after the
    # file came back, every item it holds is new again)
    assert [line[:10] for line in text] == ["2018-05-01", "2018-05-04", "2018-05-05", "2018-05-05", "2018-05-05",
                                            "2018-05-09", "2018-05-11", "2018-05-15", "2018-05-16", "2018-05-17"]
    assert "新增 P-3" in text[0] and "销号 P-3" in text[1] and "撤销销号 P-3" in text[3]
    assert all("新增 P-3 事项3（时间节点 2018-07-31）" in line for line in text[5:8])
    six = cli("--dir", root, "--as-of", "2018-06-15", "log", "P-6").stdout
    assert "改编号为 P-8" in six


def test_a_long_history_reads_only_the_commits_that_changed_the_item(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    entries = [ENTRY[n] for n in (1, 2, 3)]
    stream = []
    for k in range(4, 304):  # 300 commits, each adding an item; P-2 closed at the 100th
        entries.append(f"  - id: P-{k}\n    title: 事项{k}\n")
        if k == 103:
            entries[1] = entries[1] + "    closed: {date: 2018-05-03, by: 王五}\n"
        text = ("code: P\nname: 项目\nitems:\n" + "".join(entries)).encode("utf-8")
        stream.append(f"commit refs/heads/main\ncommitter t <t@x> {1500000000 + k} +0800\ndata 1\nx\n"
                      f"M 100644 inline ledgers/P.yaml\ndata {len(text)}\n".encode() + text + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    read = []
    real = gitops.read_version
    monkeypatch.setattr(gitops, "read_version", lambda raw, path: read.append(raw) or real(raw, path))
    events = history(root, ["ledgers/P.yaml"], item="P-2")
    assert [e.change.kind for e in events] == ["item_added", "closed"]
    assert len(read) <= 4  # (the first version and the close, each against its parent: 300 before)
    assert events == [e for e in history(root, ["ledgers/P.yaml"]) if concerns(e.change, "P-2")]


@pytest.mark.parametrize("item", ["P-1", "P-150", "P-303"])
def test_items_early_late_and_last_in_a_long_history(tmp_path, item):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    entries = [ENTRY[n] for n in (1, 2, 3)]
    stream = []
    for k in range(4, 304):  # each commit adds an item and closes, notes or moves an earlier one
        entries.append(f"  - id: P-{k}\n    title: 事项{k}\n")
        j = k * 7 % (k - 1)
        if k % 3 == 0:
            entries[j] = entries[j] + "    closed: {date: 2018-05-03, by: 王五}\n"
        elif k % 3 == 1:
            entries[j] = entries[j] + f"    notes:\n      - {{date: 2018-05-04, by: 张三, text: 进展{k}}}\n"
        else:
            entries[j] = entries[j].replace("    title:", f"    due: 2018-07-{1 + k % 28:02d}\n    title:", 1)
        text = ("code: P\nname: 项目\nitems:\n" + "".join(entries)).encode("utf-8")
        stream.append(f"commit refs/heads/main\ncommitter t <t@x> {1500000000 + k} +0800\ndata 1\nx\n"
                      f"M 100644 inline ledgers/P.yaml\ndata {len(text)}\n".encode() + text + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    whole = history(root, ["ledgers/P.yaml"])
    assert history(root, ["ledgers/P.yaml"], item=item) == [e for e in whole if concerns(e.change, item)]
