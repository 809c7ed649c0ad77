"""Hostile input gives one clear line, exit 1, no traceback, and changes no file."""

from __future__ import annotations

import os
import time

import pytest
from conftest import YT2


def _snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".taizhang" not in p.parts}


def _refused(result, *words):
    assert result.exit_code == 1, result
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip(), "says what is wrong"
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_hostile__50_mb_file_is_refused_quickly(cli, repo):
    root = repo(YT2=YT2)
    (root / "ledgers" / "BIG.yaml").write_bytes(b"code: BIG\nname: x\n" + b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    start = time.perf_counter()
    result = cli("--dir", root, "--lang", "en", "check")
    assert time.perf_counter() - start < 10
    _refused(result, "ledgers/BIG.yaml:1:1:", "larger than 16 MB")


def test_hostile__binary_garbage(cli, repo):
    root = repo(YT2=YT2)
    (root / "ledgers" / "BIN.yaml").write_bytes(os.urandom(4096))
    _refused(cli("--dir", root, "--lang", "en", "check"), "ledgers/BIN.yaml:")


@pytest.mark.parametrize("code", ["../x", "..", "a/b", "..\\x", "/etc/passwd", "YT2/../../x", "", " YT2"])
def test_hostile__codes_are_never_paths(cli, repo, tmp_path, code):
    root = repo(YT2=YT2)
    before = _snapshot(tmp_path)
    for args in (("new", code, "名称"), ("add", code, "事项"), ("status", code), ("schedule", code),
                 ("invest", code, "1亿", "--month", "2018-05"), ("close", f"{code}-1"), ("why", f"{code}-1")):
        result = cli("--dir", root, *args)
        assert result.exit_code in (1, 2), (args, result)
        assert "Traceback" not in result.stdout + result.stderr
    assert _snapshot(tmp_path) == before


def test_hostile__code_with_path_inside_the_file(cli, repo):
    root = repo(YT2=YT2.replace("code: YT2", "code: ../../etc"))
    _refused(cli("--dir", root, "--lang", "en", "check"), "ledgers/YT2.yaml:3:7:", "project code")


def test_hostile__python_object_tags_are_refused_not_run(cli, repo, tmp_path):
    marker = tmp_path / "pwned"
    root = repo(YT2=YT2.replace("name: 宇通二期项目", f"name: !!python/object/apply:os.system ['touch {marker}']"))
    _refused(cli("--dir", root, "--lang", "en", "check"), "unsupported YAML tag")
    assert not marker.exists()
    before = _snapshot(root)
    _refused(cli("--dir", root, "add", "YT2", "x"))
    assert _snapshot(root) == before


def test_hostile__conflict_markers_block_writes(cli, repo):
    text = YT2.replace("    owner: 李四\n", "<<<<<<< HEAD\n    owner: 李四\n=======\n    owner: 王五\n>>>>>>> other\n")
    root = repo(YT2=text)
    before = _snapshot(root)
    _refused(cli("--dir", root, "--lang", "en", "close", "YT2-2"), "conflict marker")
    assert _snapshot(root) == before


@pytest.mark.parametrize("args", [("add", "A", "二", "--due", "7月底"), ("close", "A-1"), ("set", "A-1", "due=7月底"),
                                  ("note", "A-1", "进展正常")])
def test_hostile__bare_cr_line_breaks_are_read_but_not_edited(cli, repo, args):
    """Lines ending in a bare CR (old Mac editors) read fine; an edit, which could only add
    lines ending otherwise, is refused with where and why, and the file keeps every byte."""
    root = repo()
    path = root / "ledgers" / "A.yaml"
    path.write_bytes("code: A\rname: 甲\ritems:\r  - id: A-1\r    title: 一\r".encode("utf-8"))
    before = _snapshot(root)
    status = cli("--dir", root, "--as-of", "2018-06-15", "--lang", "en", "status", "--json")
    assert status.exit_code == 0 and '"id":"A-1"' in status.stdout
    _refused(cli("--dir", root, "--as-of", "2018-06-15", "--lang", "en", *args),
             "ledgers/A.yaml:1:8:", "bare CR", "unchanged")
    assert _snapshot(root) == before


def test_hostile__a_stray_cr_inside_a_title_does_not_block_edits(cli, repo):
    """Only a file whose line breaks are bare CRs is refused; a CR byte inside a quoted title
    of an LF file is just text, and stays."""
    root = repo()
    path = root / "ledgers" / "A.yaml"
    text = 'code: A\nname: 甲\nitems:\n  - id: A-1\n    title: "一\r二"\n'
    path.write_bytes(text.encode("utf-8"))
    result = cli("--dir", root, "--as-of", "2018-06-15", "note", "A-1", "进展正常")
    assert result.exit_code == 0, result
    assert path.read_bytes().decode("utf-8") == text + "    notes:\n      - {date: 2018-06-15, by: 测试员, text: 进展正常}\n"


def test_hostile__a_folder_or_hidden_file_named_like_a_calendar_is_not_read(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    good = cli("--dir", root, "--as-of", "2018-06-15", "status", "--all").stdout
    (root / "calendars" / "x.yaml").mkdir(parents=True)
    (root / "calendars" / "._2019.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")  # AppleDouble
    (root / "calendars" / "old.yaml.bak").write_bytes(b"\xff\xfe")
    for cache in ("", "1"):
        monkeypatch.setenv("TAIZHANG_NO_CACHE", cache)
        result = cli("--dir", root, "--as-of", "2018-06-15", "status", "--all")
        assert result.exit_code == 0 and result.stdout == good, result
