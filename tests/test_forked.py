"""Lighting shared with forked helper processes (repo/forked.py, views._Reader.share): the same
output as one process, whatever the helpers do — fail, die, hand back a ledger lit from other
bytes — and `Helpers` itself: results in order, None for a helper that failed."""

from __future__ import annotations

import os
import random
from datetime import date
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_view_days import ITEMS, VIEWS, _ledger

from taizhang.repo import forked, views

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="helpers are forked on Linux only")


# --- Helpers ------------------------------------------------------------------------------------

@given(st.lists(st.integers(0, 1000), max_size=60), st.integers(1, 5))
def test_a_split_keeps_every_item_in_order_in_parts_of_about_equal_size(sizes, parts):
    items = list(range(len(sizes)))
    split = forked.split(items, sizes, parts)
    assert len(split) == parts and [i for part in split for i in part] == items
    # No part is larger than its share by more than its last item (contiguous runs).
    for part in split:
        if part:
            assert sum(sizes[i] for i in part) - sizes[part[-1]] <= sum(sizes) / parts + 1e-9


def test_the_benchmarks_layout_is_split_by_bytes_not_by_count():
    sizes = [300] * 5 + [8] * 1000  # (the large ledgers first by name, then the small)
    first, second = forked.split(list(range(len(sizes))), sizes, 2)
    assert abs(sum(sizes[i] for i in first) - sum(sizes[i] for i in second)) <= 300


def test_each_chunk_comes_back_in_order_and_a_big_one_whole():
    big = b"x" * (5 << 20)  # (far past a pipe's buffer: the helper waits until it is read)
    helpers = forked.Helpers([[1, 2], [3], [4, 5, 6]],
                             lambda chunk: big if chunk == [3] else ",".join(map(str, chunk)).encode())
    assert helpers.results() == [b"1,2", big, b"4,5,6"]


def test_a_helper_that_raises_or_dies_gives_none():
    def work(chunk):
        if chunk == ["raise"]:
            raise ValueError("no")
        if chunk == ["exit"]:
            os._exit(3)
        if chunk == ["kill"]:
            os.kill(os.getpid(), 9)
        return b"ok"

    assert forked.Helpers([["raise"], ["ok"], ["exit"], ["kill"]], work).results() == [None, b"ok", None, None]


def test_no_helper_leaves_a_process_behind():
    helpers = forked.Helpers([[1], [2]], lambda chunk: b"")
    assert helpers.results() == [b"", b""]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # (every helper was reaped)


# --- the views, with and without helpers -------------------------------------------------------

def _repository(root: Path, seed: int, ledgers: int = 9) -> None:
    rng = random.Random(seed)
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\nwarn_days: 5\nstale_days: 20\n", encoding="utf-8")
    for n in range(ledgers):
        code = "P" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n]
        picks = [rng.randrange(len(ITEMS)) for _ in range(rng.randint(1, 8))]
        d1 = date(2018, rng.randint(1, 12), rng.randint(1, 28))
        d2 = date(2018, rng.randint(1, 12), rng.randint(1, 28))
        text = _ledger(code, picks, d1, d2, rng.choice([None, "workdays", "weekdays"]))
        (root / "ledgers" / f"{code}.yaml").write_text(text, encoding="utf-8")
    # One ledger with an error (reported by the main process, in order) and one with a warning.
    (root / "ledgers" / "ZBAD.yaml").write_text("code: ZBAD\nname: 坏\nitems:\n  - id: ZBAD-1\n    due: 2018-13-01\n",
                                               encoding="utf-8")
    (root / "ledgers" / "ZWARN.yaml").write_text(
        "code: ZWARN\nname: 警\nitems:\n  - id: ZWARN-1\n    title: 无节点\n", encoding="utf-8")


def _views(cli, monkeypatch, root: Path, day: str, workers: str, cache: bool) -> list:
    monkeypatch.setenv("TAIZHANG_WORKERS", workers)
    if cache:
        monkeypatch.delenv("TAIZHANG_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    out = []
    for view in VIEWS:
        result = cli("--dir", root, "--as-of", day, *view)
        out.append((view, result.exit_code, result.stdout, result.stderr))
    monkeypatch.delenv("TAIZHANG_WORKERS")
    monkeypatch.delenv("TAIZHANG_NO_CACHE", raising=False)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_helpers_give_what_one_process_gives(cli, monkeypatch, tmp_path, seed):
    root = tmp_path / "repo"
    _repository(root, seed)
    started = []
    real = forked.Helpers

    def counted(chunks, work):
        started.append([len(chunk) for chunk in chunks])
        return real(chunks, work)

    monkeypatch.setattr(forked, "Helpers", counted)
    for day in ("2018-06-15", "2018-06-16", "2019-01-02"):
        alone = _views(cli, monkeypatch, root, day, "1", cache=False)
        assert _views(cli, monkeypatch, root, day, "3", cache=False) == alone, day
        # With the cache: the first run of the day lights afresh (helpers), the next reads the day entry.
        assert _views(cli, monkeypatch, root, day, "4", cache=True) == alone, day
        assert _views(cli, monkeypatch, root, day, "2", cache=True) == alone, day
    assert started and all(len(chunks) >= 1 and sum(chunks) > 0 for chunks in started)


def test_a_helper_that_fails_leaves_its_ledgers_to_the_main_process(cli, monkeypatch, tmp_path):
    root = tmp_path / "repo"
    _repository(root, 4)
    alone = _views(cli, monkeypatch, root, "2018-06-15", "1", cache=False)
    calls = []

    def failing(self, paths, as_of):
        calls.append(len(paths))
        raise RuntimeError("a helper's failure")

    monkeypatch.setattr(views._Reader, "_light_chunk", failing)
    assert _views(cli, monkeypatch, root, "2018-06-15", "3", cache=False) == alone
    assert _views(cli, monkeypatch, root, "2018-06-15", "3", cache=True) == alone
    assert not calls  # (it failed in the helpers, not here)
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # (and where nothing forks, one process)
    monkeypatch.setattr(views._Reader, "_light_chunk", lambda *a: pytest.fail("no helper here"))
    assert _views(cli, monkeypatch, root, "2018-06-16", "3", cache=True) == \
        _views(cli, monkeypatch, root, "2018-06-16", "1", cache=False)


def test_a_ledger_a_helper_lit_from_other_bytes_is_lit_again(cli, monkeypatch, tmp_path):
    """The main process checks each result against the bytes it read itself: a helper's answer
    for bytes that differ (the file changed between the two readings) is not taken."""
    root = tmp_path / "repo"
    _repository(root, 5)
    alone = _views(cli, monkeypatch, root, "2018-06-15", "1", cache=False)
    original = views._Reader._light_chunk
    stale = msgspec.json.Decoder(dict[str, tuple[str, msgspec.Raw]])

    def from_other_bytes(self, paths, as_of):
        # As if each file had read otherwise in the helper: another digest, another name.
        lit = stale.decode(original(self, paths, as_of))
        out = {}
        for name, (_, raw) in lit.items():
            day = msgspec.json.decode(raw)
            day[0][1] = "伪造的项目名"
            out[name] = ("other bytes", msgspec.Raw(msgspec.json.encode(day)))
        return msgspec.json.encode(out)

    monkeypatch.setattr(views._Reader, "_light_chunk", from_other_bytes)
    assert _views(cli, monkeypatch, root, "2018-06-15", "3", cache=False) == alone
    assert _views(cli, monkeypatch, root, "2018-06-15", "3", cache=True) == alone
    assert "伪造" not in str(alone)


def test_the_automatic_choice_keeps_small_repositories_to_one_process(monkeypatch, tmp_path):
    root = tmp_path / "repo"
    _repository(root, 6)
    started = []
    monkeypatch.setattr(forked, "Helpers", lambda chunks, work: started.append(chunks))
    from taizhang.repo.repository import Repository

    Repository(root, use_cache=False).lit(date(2018, 6, 15))  # (11 ledgers, fewer than SHARED_FROM)
    assert not started
    Repository(root, use_cache=False, workers=1).lit(date(2018, 6, 15))
    assert not started


def test_a_run_that_ends_early_leaves_no_helper(monkeypatch, tmp_path):
    from taizhang.repo.repository import Repository

    root = tmp_path / "repo"
    _repository(root, 7)
    seen = []
    real = views._Reader.lit

    def lit(self, path, as_of, findings):
        seen.append(path)
        if len(seen) == 2:
            raise RuntimeError("a run that ends early")
        return real(self, path, as_of, findings)

    monkeypatch.setattr(views._Reader, "lit", lit)
    with pytest.raises(RuntimeError):
        Repository(root, use_cache=False, workers=3).lit(date(2018, 6, 15))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # (the helpers were collected on the way out)


def test_no_helper_by_itself_where_other_threads_run(monkeypatch, tmp_path):
    import threading

    from taizhang.repo.repository import Repository

    root = tmp_path / "repo"
    _repository(root, 8)
    monkeypatch.setattr(views, "SHARED_FROM", 2)
    monkeypatch.setattr(forked, "available_cores", lambda: 4)
    started = []
    monkeypatch.setattr(forked, "Helpers", lambda chunks, work: started.append(chunks))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        Repository(root, use_cache=False).lit(date(2018, 6, 15))
    finally:
        stop.set()
        thread.join()
    assert not started
    if not forked.other_threads():  # (pytest's own threads, if any, would keep it from here on)
        Repository(root, use_cache=False).lit(date(2018, 6, 15))  # (the stand-in lights nothing)
        assert started


def test_the_cores_counted_are_those_free_now_and_reading_them_keeps_a_run_replayable():
    """available_cores reads /proc/loadavg (the tasks running now); the replay must not take
    that file for something the output depends on, or no run that shares would be replayed."""
    from taizhang.repo.replay import Reads

    assert 1 <= forked.available_cores() <= len(os.sched_getaffinity(0))
    reads = Reads([])
    reads.hook("open", ("/proc/loadavg", "rb", os.O_RDONLY))
    assert reads.state() == {"files": {}, "folders": {}}


def test_a_first_run_that_shares_is_replayed_the_second_time(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "repo"
    _repository(root, 9)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache"), "TAIZHANG_WORKERS": "3"}
    env.pop("TAIZHANG_NO_CACHE", None)
    env.pop("TAIZHANG_NO_REPLAY", None)
    command = [sys.executable, "-m", "taizhang", "--dir", str(root), "--as-of", "2018-06-15", "status"]
    first = subprocess.run(command, capture_output=True, env=env)
    replay_dir = tmp_path / "user-cache" / "taizhang" / "replay"
    kept = sorted(p.name for p in replay_dir.glob("*")) if replay_dir.exists() else []
    second = subprocess.run(command, capture_output=True, env=env)
    assert first.returncode == 1  # (ZBAD's error)
    assert (second.returncode, second.stdout, second.stderr) == (1, first.stdout, first.stderr) and kept
