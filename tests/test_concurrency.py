"""Writes are serialised across real processes (SPEC §2): many `taizhang` runs at once on one
ledger all land, the file stays valid, and no lock or temporary file is left in `ledgers/`.
A lock held by a process that was killed does not block the next write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import YT2

from taizhang.domain.models import Settings
from taizhang.repo import load

CODE = "YT2"
TIMEOUT = 120  # seconds for a whole batch of processes on a slow machine


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TAIZHANG_DIR", "TAIZHANG_TODAY"):
        env.pop(name, None)
    env.update(USER="测试员", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
               PYTHONIOENCODING="utf-8", COLUMNS="160")
    return env


def _command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "taizhang.cli", "--dir", str(root), "--as-of", "2018-06-15", *args]


def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(_command(root, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(), text=True, encoding="utf-8")


def _finish(procs: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    deadline = time.monotonic() + TIMEOUT
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            for other in procs:
                if other.poll() is None:
                    other.kill()
            raise
        results.append((proc.returncode, out, err))
    return results


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / f"{CODE}.yaml").write_text(YT2, encoding="utf-8")
    return root


def _ledger(root: Path):
    loaded = load.parse_ledger((root / "ledgers" / f"{CODE}.yaml").read_bytes(), f"ledgers/{CODE}.yaml", Settings())
    assert not loaded.has_errors, loaded.problems
    return loaded.ledger


def _items(root: Path) -> dict:
    return {item.id: item for item in _ledger(root).items}


def _assert_ledgers_clean(root: Path) -> None:
    assert sorted(p.name for p in (root / "ledgers").iterdir()) == [f"{CODE}.yaml"]


def _original_lines_kept(root: Path) -> None:
    text = (root / "ledgers" / f"{CODE}.yaml").read_text(encoding="utf-8")
    lines = iter(text.splitlines())
    for line in YT2.splitlines():
        if line.startswith("deadline:"):  # the one line `set YT2 deadline=...` rewrites
            continue
        assert any(line == got for got in lines), f"line lost or moved: {line!r}"


def test_twenty_concurrent_adds_all_land_with_distinct_ids(tmp_path):
    root = _repo(tmp_path)
    titles = [f"并发事项{n:02d}：第{n}批" for n in range(20)]
    procs = [_start(root, "add", CODE, title, "--owner", f"责任人{n}") for n, title in enumerate(titles)]
    results = _finish(procs)
    assert [code for code, _, _ in results] == [0] * 20, [r for r in results if r[0]]

    printed = [out.strip() for _, out, _ in results]
    assert len(set(printed)) == 20, printed
    assert sorted(printed, key=lambda i: int(i.split("-")[1])) == [f"YT2-{n}" for n in range(5, 25)]

    items = _items(root)
    assert len(items) == 4 + 20
    by_title = {item.title: item for item in items.values()}
    for n, (title, new_id) in enumerate(zip(titles, printed)):
        assert by_title[title].id == new_id, title
        assert by_title[title].owner == f"责任人{n}"
    # The four items of the sample are untouched and still first.
    assert list(items)[:4] == ["YT2-1", "YT2-2", "YT2-3", "YT2-4"]
    assert YT2 in (root / "ledgers" / f"{CODE}.yaml").read_text(encoding="utf-8")
    _assert_ledgers_clean(root)


def test_mixed_concurrent_add_close_note_set_all_land(tmp_path):
    root = _repo(tmp_path)
    jobs = [
        ("add", CODE, "并发新增一"),
        ("add", CODE, "并发新增二", "--due", "2018-09-30"),
        ("add", CODE, "并发新增三：问题", "--kind", "problem"),
        ("add", CODE, "并发新增四", "--after", "YT2-1"),
        ("close", "YT2-2", "--by", "李四", "--note", "桩基完成"),
        ("close", "YT2-3", "--by", "赵红彬", "--on", "2018-06-14"),
        ("note", "YT2-1", "复核：已完成", "--by", "魏书全"),
        ("note", "YT2-3", "六个村全部签约", "--by", "赵红彬"),
        ("note", "YT2-4", "主体施工进场", "--by", "测试员"),
        ("set", "YT2-4", "owner=王五"),
        ("set", CODE, "deadline=2020-09-30", "--reason", "资金延后"),
        ("set", "YT2-1", "unit=区住建局"),
    ]
    results = _finish([_start(root, *job) for job in jobs])
    assert [code for code, _, _ in results] == [0] * len(jobs), [(j, r) for j, r in zip(jobs, results) if r[0]]

    ledger = _ledger(root)
    items = {item.id: item for item in ledger.items}
    added = {item.title: item for item in ledger.items[4:]}
    assert sorted(added) == sorted(["并发新增一", "并发新增二", "并发新增三：问题", "并发新增四"])
    assert sorted(item.id for item in added.values()) == ["YT2-5", "YT2-6", "YT2-7", "YT2-8"]
    assert added["并发新增二"].due.isoformat() == "2018-09-30"
    assert added["并发新增三：问题"].kind == "problem"
    assert added["并发新增四"].after == ["YT2-1"]

    assert (items["YT2-2"].closed.by, items["YT2-2"].closed.note) == ("李四", "桩基完成")
    assert (items["YT2-3"].closed.by, items["YT2-3"].closed.date.isoformat()) == ("赵红彬", "2018-06-14")
    assert [n.text for n in items["YT2-1"].notes] == ["复核：已完成"]
    assert [n.text for n in items["YT2-3"].notes] == ["已签约四个村", "六个村全部签约"]
    assert [n.text for n in items["YT2-4"].notes] == ["主体施工进场"]
    assert items["YT2-4"].owner == "王五"
    assert items["YT2-1"].unit == "区住建局"
    assert items["YT2-1"].closed.by == "魏书全"  # the old close is still there
    assert ledger.deadline.isoformat() == "2020-09-30"
    _original_lines_kept(root)
    _assert_ledgers_clean(root)


_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from taizhang.repo.files import locked
    with locked(Path(sys.argv[1]), sys.argv[2]):
        print("locked", flush=True)
        time.sleep(600)
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_lock_of_a_killed_process_does_not_block_the_next_write(tmp_path):
    root = _repo(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(root), CODE], stdout=subprocess.PIPE,
                              env=_env(), text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"

        # While the lock is held, a writer waits (the lock is real) ...
        waiting = _start(root, "add", CODE, "等锁的事项")
        time.sleep(2.0)
        assert waiting.poll() is None, waiting.communicate()
        assert "等锁的事项" not in (root / "ledgers" / f"{CODE}.yaml").read_text(encoding="utf-8")

        # ... and once the holder is killed mid-hold, it goes through.
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        out, err = waiting.communicate(timeout=20)
        assert waiting.returncode == 0, err
        assert out.strip() == "YT2-5"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == -signal.SIGKILL

    # A fresh write after the crash is not blocked either.
    started = time.monotonic()
    done = subprocess.run(_command(root, "add", CODE, "崩溃之后的事项"), capture_output=True, text=True,
                          encoding="utf-8", env=_env(), timeout=20)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "YT2-6"
    assert time.monotonic() - started < 20
    assert [i.title for i in _ledger(root).items][-2:] == ["等锁的事项", "崩溃之后的事项"]
    _assert_ledgers_clean(root)


def test_temporary_file_orphaned_by_a_crash_is_cleaned_by_the_next_write(tmp_path, cli):
    root = _repo(tmp_path)
    tmp_dir = root / ".taizhang" / "tmp"
    tmp_dir.mkdir(parents=True)
    orphan = tmp_dir / f"{CODE}.yaml.abc123.tmp"
    orphan.write_bytes(b"code: YT2\nname: torn")
    result = cli("--dir", root, "--as-of", "2018-06-15", "note", "YT2-4", "进场")
    assert result.exit_code == 0, result
    assert not orphan.exists()
    assert list(tmp_dir.iterdir()) == []
    _assert_ledgers_clean(root)
