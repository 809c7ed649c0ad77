"""The library API (`import taizhang`): the README's example runs, the calls do what the commands
do, and importing the package stays cheap."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date

import pytest
from conftest import AS_OF, REPO_ROOT

import taizhang

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def sample(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    return root


def _readme_example() -> str:
    section = README[README.index("## Use from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs(sample, monkeypatch):
    monkeypatch.chdir(sample / "ledgers")  # a folder below the repository finds it
    printed: list = []
    exec(compile(_readme_example(), "README.md", "exec"), {"print": lambda *a: printed.append(a)})
    assert {"AZF", "DLSS"} <= {a[0] for a in printed[:-1]} and all(a[2] for a in printed[:-1])
    assert "YT2-999" in repr(printed[-1])
    ledger = taizhang.open_repository(sample).ledgers(["YT2"])[0]
    item = ledger.items[-1]
    assert (item.title, item.owner, item.due, item.closed.by) == ("完成六个村拆迁", "王磊", date(2018, 9, 30), "赵红彬")
    assert item.notes[-1].text == "已完成四个村"


def test_api_and_command_write_the_same_bytes(sample, tmp_path, cli):
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    repo = taizhang.open_repository(sample)
    new_id = repo.add("YT2", "新节点", due=date(2018, 9, 30), owner="王磊")
    repo.close([new_id], on=date(2018, 6, 15), by="赵红彬", note="已完成")
    assert cli("--dir", other, "add", "YT2", "新节点", "--due", "2018-09-30", "--owner", "王磊").stdout.strip() == new_id
    assert cli("--dir", other, "close", new_id, "--on", "2018-06-15", "--by", "赵红彬", "--note", "已完成").exit_code == 0
    assert (sample / "ledgers" / "YT2.yaml").read_bytes() == (other / "ledgers" / "YT2.yaml").read_bytes()


def test_status_filters_and_refuses_unknown_lights(sample):
    repo = taizhang.open_repository(sample)
    red = repo.status(date.fromisoformat(AS_OF), lights=["red"])
    assert red.projects and all(i.light == "red" for p in red.projects for i in p.items)
    with pytest.raises(taizhang.TaizhangError) as refused:
        repo.status(date.fromisoformat(AS_OF), lights=["purple"])
    assert refused.value.problems[0].key == "light_invalid"


def test_errors_are_problems_with_places(sample):
    (sample / "ledgers" / "YT2.yaml").write_text("code: YT2\nname: x\nitems:\n  - id: YT2-1\n    deu: 2018-01-01\n",
                                                 encoding="utf-8")
    repo = taizhang.open_repository(sample)
    with pytest.raises(taizhang.TaizhangError) as broken:
        repo.ledgers(["YT2"])
    problem = broken.value.problems[0]
    assert problem.path == "ledgers/YT2.yaml" and problem.line > 0
    assert repo.load(["YT2"]).errors  # load gives the problems without raising


def test_use_cache_false_reads_the_same_and_keeps_no_cache(sample, tmp_path, monkeypatch):
    """A script's way to do without the cache: the repository's one Cache is then disabled, so
    its reads and writes leave nothing in .taizhang/cache, and it says what the cached one says."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the secret: a test's own
    as_of = date.fromisoformat(AS_OF)
    entries = lambda: sorted((sample / ".taizhang" / "cache").rglob("*"))  # noqa: E731

    def seen(repo):
        return [(p.code, p.light, [(i.id, i.light) for i in p.items]) for p in repo.status(as_of).projects]

    off = taizhang.open_repository(sample, use_cache=False)
    assert not off.cache.enabled
    new_id = off.add("YT2", "新节点", due=date(2018, 9, 30))
    fresh = seen(off)
    assert entries() == []
    on = taizhang.open_repository(sample)
    assert on.cache.enabled and seen(on) == fresh and new_id in str(fresh)
    assert entries() != []  # the default keeps one


def test_open_repository_refuses_a_folder_without_one(tmp_path):
    with pytest.raises(taizhang.TaizhangError):
        taizhang.open_repository(tmp_path)
    with pytest.raises(taizhang.TaizhangError):
        taizhang.open_repository(tmp_path / "missing")


def test_import_taizhang_is_cheap_and_names_are_resolved_lazily():
    code = ("import sys, taizhang, taizhang.cli\n"
            "heavy = {'pydantic', 'yaml', 'taizhang.repo.repository', 'taizhang.domain.dates'} & set(sys.modules)\n"
            "assert not heavy, heavy\n"
            "taizhang.open_repository\n"
            "assert 'taizhang.repo.repository' in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert set(taizhang.__all__) >= {"open_repository", "Repository", "Problem", "TaizhangError", "parse_date"}
    with pytest.raises(AttributeError):
        taizhang.no_such_name  # noqa: B018
