"""Every command does all of what it says or changes nothing (SPEC §2, §9): a write of several
ledgers (a close across projects, an import) killed at any step leaves every ledger as it was or,
once the next command has run, every ledger changed; racing commands both land or one refuses
cleanly; a full disk or read-only files give one clear line and change nothing."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF, dedent

import taizhang
from taizhang.domain.models import Settings
from taizhang.repo import load

SRC = Path(taizhang.__file__).resolve().parent.parent  # (the code under test, in the subprocesses too)

LEDGERS = {
    code: dedent(f"""
        code: {code}
        name: {name}
        deadline: 2018-12-31
        items:
          - id: {code}-1
            title: 第一项
            due: 2018-06-30
          - id: {code}-2
            title: 第二项
            duration: 10
            after: [{code}-1]
        """)
    for code, name in (("AA", "甲项目"), ("BB", "乙项目"), ("CC", "丙项目"))
}

# Runs the command line with the file-system steps of a write counted: at step $TXN_STOP the
# process kills itself (SIGKILL: no cleanup, no `finally`), as a kill -9 would at that moment.
KILLED_AT_STEP = textwrap.dedent("""
    import atexit, os, signal, sys
    stop = int(os.environ.get("TXN_STOP", "0"))
    count = [0]
    def counted(fn):
        def step(*args, **kwargs):
            count[0] += 1
            if count[0] == stop:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return step
    for name in ("replace", "fsync", "unlink", "rename"):
        setattr(os, name, counted(getattr(os, name)))
    atexit.register(lambda: sys.stderr.write(f"steps={count[0]}\\n"))
    from taizhang.cli import main
    sys.argv = ["taizhang", *sys.argv[1:]]
    main()
""")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TAIZHANG_DIR", "TAIZHANG_TODAY")}
    env.update(USER="测试员", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", PYTHONIOENCODING="utf-8",
               COLUMNS="160", PYTHONPATH=str(SRC))
    return env


def _make_repo(root: Path) -> Path:
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    for code, text in LEDGERS.items():
        (root / "ledgers" / f"{code}.yaml").write_text(text, encoding="utf-8")
    # `.taizhang/` made beforehand (as any earlier command makes it): its own synced .gitignore
    # would otherwise be the first fsync and rename the tests below count.
    from taizhang.repo.files import state_dir

    state_dir(root)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledgers").iterdir())}


def _leftovers(root: Path) -> list[str]:
    """Temporary and journal files anywhere under the repository's own folders."""
    state = root / ".taizhang"
    found = [p for p in (root / "ledgers").iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    for folder in (state / "tmp", state / "journal"):
        if folder.is_dir():
            found.extend(folder.iterdir())
    return sorted(str(p.relative_to(root)) for p in found)


def _run(root: Path, *args: str, stop: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILLED_AT_STEP, "--dir", str(root), "--as-of", AS_OF, *args],
                          capture_output=True, text=True, encoding="utf-8", env={**_env(), "TXN_STOP": str(stop)},
                          timeout=120)


def _steps(result: subprocess.CompletedProcess) -> int:
    return int(result.stderr.rsplit("steps=", 1)[1].split()[0])


def _workbook(path: Path) -> Path:
    """A small 台账: two items of a project the repository has, two of a new one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "工作任务", "责任单位", "完成时限"])
    ws.append(["甲项目", "补充勘察", "区建设局", "2018-07-31"])
    ws.append(["甲项目", "施工图审查", "区建设局", "2018-08-31"])
    ws.append(["城北公园", "方案设计", "区园林局", "2018-09-30"])
    ws.append(["城北公园", "开工建设", "区园林局", "2018-10-31"])
    wb.save(path)
    return path


def _assert_whole(root: Path, before: dict[str, bytes], after: dict[str, bytes]) -> bool:
    """Every ledger as before or every ledger as after (a new one absent or whole); True: after."""
    now = _files(root)
    if now == before:
        return False
    assert now == after, "some ledgers changed and others not: " + ", ".join(
        name for name in sorted(set(now) | set(after)) if now.get(name) != after.get(name))
    return True


# --- kill -9 at every step ------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("command", ["close", "import"])
def test_kill_at_every_step_of_a_multi_ledger_write_leaves_all_or_nothing(tmp_path, cli, command):
    """`close` of items in three ledgers and an `import` adding to one ledger and creating
    another, killed at each file-system step of the write in turn: after the next command
    (a `status`: a read finishes a write committed by its journal), every ledger is all-before
    or all-after, no temporary or journal file is left,
    and the same command run again completes the work (close: closed or "already closed" for
    all; import: nothing added twice)."""
    args = ["close", "AA-1", "BB-1", "CC-1"] if command == "close" else ["import", str(_workbook(tmp_path / "t.xlsx"))]
    clean = _make_repo(tmp_path / "clean")
    before = _files(clean)
    done = _run(clean, *args)
    assert done.returncode == 0, done.stderr
    after = _files(clean)
    assert len([n for n in after if after[n] != before.get(n)]) >= 2
    total = _steps(done)
    # The steps of the write (not those of reading: the cache's own writes come first and last).
    start = _steps(_run(clean, "status"))
    kills = range(max(1, start - 2), total + 1)
    landed = finished = 0
    for stop in kills:
        root = _make_repo(tmp_path / f"k{stop}")
        killed = _run(root, *args, stop=stop)
        assert "Traceback" not in killed.stderr, killed.stderr
        # Two kills in a row that came after the whole write (only caches were left to write):
        # the later steps are no part of it.
        finished = finished + 1 if _files(root) == after and not _leftovers(root) else 0
        following = cli("--dir", root, "--as-of", AS_OF, "status")
        assert following.exit_code in (0, 3), following
        landed += _assert_whole(root, before, after)
        assert _leftovers(root) == [] or killed.returncode == -signal.SIGKILL
        again = cli("--dir", root, "--as-of", AS_OF, *args)
        assert "Traceback" not in again.stderr
        if command == "close":
            if again.exit_code == 1:
                assert again.stderr.endswith("-1 已于 2018-06-15 销号\n"), again  # (all three are, below)
            else:
                assert again.exit_code == 0, again
        else:
            assert again.exit_code == 0, again
        assert _files(root) == after
        assert _leftovers(root) == [], _leftovers(root)
        if finished == 2:
            break
    assert 0 < landed < stop - kills.start, "the kills should land both before and after the commit point"


def test_a_journal_is_not_applied_over_a_ledger_changed_since(tmp_path):
    """A journal's renames are made only over the bytes it was made against: a ledger edited
    since (by hand) keeps the edit, and the journal and its temporary files go."""
    from taizhang.repo import files

    root = _make_repo(tmp_path / "repo")
    paths = [root / "ledgers" / f"{code}.yaml" for code in ("AA", "BB")]
    _committed_not_renamed(root, paths)
    paths[0].write_bytes(paths[0].read_bytes() + b"# by hand\n")
    files.finish_journals(root)
    assert paths[0].read_bytes().endswith(b"# by hand\n")
    assert paths[1].read_bytes().endswith(b"# new\n")
    assert _leftovers(root) == []


def test_a_journal_this_program_did_not_write_is_never_followed(tmp_path, cli):
    """A journal copied or edited into .taizhang/journal/ renames nothing: not a file outside
    the ledgers, not a temporary file whose bytes are not those it was written with."""
    import json

    root = _make_repo(tmp_path / "repo")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    journal, tmp = root / ".taizhang" / "journal", root / ".taizhang" / "tmp"
    journal.mkdir(parents=True)
    tmp.mkdir()
    (tmp / "AA.yaml.evil.tmp").write_text("code: AA\nname: 被换掉\n", encoding="utf-8")
    (tmp / "BB.yaml.torn.tmp").write_text("code: BB\nna", encoding="utf-8")
    from taizhang.repo.files import _digest

    old = {code: _digest(text.encode()) for code, text in LEDGERS.items()}
    (journal / "a.json").write_text(json.dumps({"locks": ["AA"], "files": [
        {"target": "../outside.txt", "temp": ".taizhang/tmp/AA.yaml.evil.tmp", "old": _digest(b"keep me"),
         "new": _digest("code: AA\nname: 被换掉\n".encode())}]}), encoding="utf-8")
    (journal / "b.json").write_text(json.dumps({"locks": ["BB"], "files": [
        {"target": "ledgers/BB.yaml", "temp": ".taizhang/tmp/BB.yaml.torn.tmp", "old": old["BB"],
         "new": _digest(b"code: BB\nname: whole\n")}]}), encoding="utf-8")
    (journal / "c.json").write_text(json.dumps({"locks": ["../../x"], "files": []}), encoding="utf-8")
    before = _files(root)
    assert cli("--dir", root, "--as-of", AS_OF, "status").exit_code in (0, 3)
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert _files(root) == before
    assert not (root / ".taizhang" / "locks" / "x.lock").exists() and not (tmp_path / "x.lock").exists()
    assert not (journal / "b.json").exists()  # ours, with a temporary file not whole: dropped


def test_a_journal_needing_a_lock_the_writer_does_not_hold_waits_for_it(tmp_path):
    """Under the locks of AA alone, a dead writer's journal naming AA and BB is not finished
    (BB's lock is not held: False, release and finish it with none held)."""
    from taizhang.repo import files

    root = _make_repo(tmp_path / "repo")
    paths = [root / "ledgers" / f"{code}.yaml" for code in ("AA", "BB")]
    _committed_not_renamed(root, paths)
    with files.locked_all(root, ["AA"]):
        assert files.finish_journals(root, held=["AA"]) is False
        assert files.finish_journals(root, held=["CC"]) is True  # (not one of its ledgers)
    assert paths[0].read_bytes() == LEDGERS["AA"].encode()
    assert files.finish_journals(root) is True
    assert all(p.read_bytes().endswith(b"# new\n") for p in paths)
    assert _leftovers(root) == []


def _committed_not_renamed(root: Path, paths: list[Path]) -> None:
    """A write of `paths` stopped just after its commit point (its journal is in place)."""
    from taizhang.repo import files

    real_replace = os.replace
    calls = []

    def stop_after_commit(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_replace(src, dst)

    os.replace = stop_after_commit
    try:
        with pytest.raises(KeyboardInterrupt):
            files.replace_files(root, [(p, p.read_bytes() + b"# new\n") for p in paths], [p.stem for p in paths])
    finally:
        os.replace = real_replace


def test_temporary_files_beside_the_ledgers_when_the_state_folder_is_another_file_system(tmp_path, monkeypatch):
    """With `.taizhang/` on another file system a rename from it would fail: the temporary
    files are made beside the ledgers (hidden) and none is left there afterwards."""
    from taizhang.repo import files

    root = _make_repo(tmp_path / "repo")
    paths = [root / "ledgers" / f"{code}.yaml" for code in ("AA", "BB")]
    monkeypatch.setattr(files, "_device", lambda folder: 1 if folder.name == "tmp" else 2)
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (seen.append(str(src)), real_replace(src, dst))[1])
    files.replace_files(root, [(p, p.read_bytes() + b"# new\n") for p in paths], ["AA", "BB"])
    assert [Path(s).parent.name for s in seen] == ["tmp", "ledgers", "ledgers"]  # the journal, then the ledgers
    assert all(p.read_bytes().endswith(b"# new\n") for p in paths)
    assert _leftovers(root) == []


# --- the next write cleans what a crash left ------------------------------------------------

def test_an_uncommitted_journal_and_temporary_files_are_removed_by_the_next_write(tmp_path, cli):
    root = _make_repo(tmp_path / "repo")
    tmp = root / ".taizhang" / "tmp"
    tmp.mkdir(parents=True)
    (tmp / "AA.yaml.x1.tmp").write_bytes(b"code: AA\nname: torn")
    (tmp / "AA.yaml.x2.tmp").write_bytes(b'{"locks": ["AA", "BB"], "fi')  # a journal not yet committed
    (root / "ledgers" / ".BB.yaml.x3.tmp").write_bytes(b"code: BB\n")
    before = _files(root)
    result = cli("--dir", root, "--as-of", AS_OF, "close", "AA-1", "BB-1")
    assert result.exit_code == 0, result
    assert _leftovers(root) == []
    assert sorted(_files(root)) == sorted(n for n in before if not n.startswith("."))


def test_a_write_of_many_ledgers_lists_each_folder_once_and_cleans_each_ledgers_orphans(tmp_path, monkeypatch):
    """A write of several ledgers removes the temporary files dead writers of those ledgers left,
    in `.taizhang/tmp/` and beside the ledgers, and no other file, listing each folder once for
    all of them (once per ledger written made an import of 8,000 projects take 44 s)."""
    from taizhang.repo import files

    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    files.state_dir(root)
    tmp = root / ".taizhang" / "tmp"
    tmp.mkdir()
    codes = [f"P{i}" for i in range(1, 41)]
    for code in codes:
        (root / "ledgers" / f"{code}.yaml").write_text(f"code: {code}\nname: 项目\n", encoding="utf-8")
    orphans = [tmp / "P1.yaml.x1.tmp", tmp / "P12.yaml.a.b.tmp", tmp / "P40.yaml..tmp",
               root / "ledgers" / ".P7.yaml.y2.tmp"]
    others = [tmp / "P41.yaml.x1.tmp", tmp / "P1.yaml.tmp", tmp / "P1.yml.x.tmp", tmp / "XP1.yaml.x.tmp",
              root / "ledgers" / "P7.yaml.y2.tmp", root / "ledgers" / ".P41.yaml.y.tmp",
              root / "ledgers" / ".P7.yaml.y.tmpx"]
    for path in orphans + others:
        path.write_bytes(b"torn")
    listed = []
    for name in ("listdir", "scandir"):  # (pathlib's glob lists by scandir)
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda folder, real=real: (listed.append(Path(folder).name), real(folder))[1])
    paths = [root / "ledgers" / f"{code}.yaml" for code in codes]
    files.replace_files(root, [(p, p.read_bytes() + b"# new\n") for p in paths], codes)
    assert sorted(listed) == ["ledgers", "tmp"]
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in others)
    assert all(p.read_bytes().endswith(b"# new\n") for p in paths)


def test_the_next_write_of_any_ledger_cleans_what_a_dead_writer_of_another_left(tmp_path, cli):
    root = _make_repo(tmp_path / "repo")
    tmp = root / ".taizhang" / "tmp"
    tmp.mkdir(parents=True)
    (tmp / "CC.yaml.x1.tmp").write_bytes(b"code: CC\nname: torn")
    (tmp / "ledger.schema.json.x2.tmp").write_bytes(b"{")  # not a ledger's: written without a lock
    assert cli("--dir", root, "--as-of", AS_OF, "note", "AA-1", "进场").exit_code == 0
    assert sorted(p.name for p in tmp.iterdir()) == ["ledger.schema.json.x2.tmp"]


# --- import: all or nothing, under the lock -------------------------------------------------

def test_import_failing_at_the_write_leaves_no_new_ledger_and_no_temporary_file(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    before = _files(root)
    _no_space_at(monkeypatch, "fsync", 3)
    result = cli("--dir", root, "--as-of", AS_OF, "import", _workbook(tmp_path / "t.xlsx"))
    assert result.exit_code == 1, result
    assert "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert _files(root) == before
    assert _leftovers(root) == []


def test_import_failing_never_deletes_a_ledger_with_what_a_clerk_added_meanwhile(tmp_path, cli, monkeypatch):
    """The import used to create its new ledger (`IMP1` then) first and remove it again when the
    rest of its write failed, with whatever a clerk had added to it in between. Now a new ledger exists only once
    the whole import is written: the clerk's `add` is refused (no such project) or kept."""
    import taizhang.repo.write as store
    from taizhang.errors import Problem, TaizhangError
    from taizhang.repo.repository import Repository

    root = _make_repo(tmp_path / "repo")
    real = store.edit_ledgers
    added: list[str] = []

    def clerk_then_failure(*args, **kwargs):
        monkeypatch.setattr(store, "edit_ledgers", real)  # (the clerk's own write)
        try:
            added.append(Repository(root).add("CBGY", "办事员新增的事项"))
        except TaizhangError:
            pass  # no CBGY yet
        raise TaizhangError(Problem("ledgers/AA.yaml", 0, 0, "internal_edit", {"path": "ledgers/AA.yaml"}))

    monkeypatch.setattr(store, "edit_ledgers", clerk_then_failure)
    result = cli("--dir", root, "--as-of", AS_OF, "import", _workbook(tmp_path / "t.xlsx"))
    assert result.exit_code == 1, result
    cbgy = root / "ledgers" / "CBGY.yaml"
    if added:  # the clerk was told the item is written: it is there
        assert cbgy.exists() and "办事员新增的事项" in cbgy.read_text(encoding="utf-8")
    assert not cbgy.exists() or [i.title for i in _ledger(root, "CBGY").items] == ["办事员新增的事项"]


def test_import_made_against_older_ledgers_is_planned_again_under_the_lock(tmp_path, cli):
    """What `import` shows is planned before the lock; an `add` landing in between takes the
    id the plan chose: the import adds after it, with the next ids, and nothing twice."""
    from taizhang.exchange import apply_import, plan_import
    from taizhang.repo.layout import ledger_files
    from taizhang.repo.repository import Repository

    root = _make_repo(tmp_path / "repo")
    book = _workbook(tmp_path / "t.xlsx")
    repository = Repository(root)
    plan = plan_import(book, str(book), repository.ledgers(), [p.stem for p in ledger_files(root)],
                       as_of=__import__("datetime").date(2018, 6, 15), year=2018)
    assert [i.new_id for i in plan.projects[0].items] == ["AA-3", "AA-4"]
    assert cli("--dir", root, "--as-of", AS_OF, "add", "AA", "补充勘察").exit_code == 0  # the sheet's title
    assert cli("--dir", root, "--as-of", AS_OF, "add", "AA", "别的事项").exit_code == 0
    apply_import(repository.cache, repository.settings, plan)
    items = {i.id: i.title for i in Repository(root).ledgers(["AA"])[0].items}
    assert items == {"AA-1": "第一项", "AA-2": "第二项", "AA-3": "补充勘察", "AA-4": "别的事项", "AA-5": "施工图审查"}
    assert [p.code for p in plan.projects if p.new] == ["CBGY"]
    assert plan.added == 3 and plan.skipped == 1


# --- races between real processes -----------------------------------------------------------

def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "taizhang.cli", "--dir", str(root), "--as-of", AS_OF, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_env())


def _finish(*procs: subprocess.Popen) -> list[tuple[int, str]]:
    out = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        out.append((proc.returncode, err))
    return out


def _ledger(root: Path, code: str):
    loaded = load.parse_ledger((root / "ledgers" / f"{code}.yaml").read_bytes(), f"ledgers/{code}.yaml", Settings())
    assert not loaded.has_errors, loaded.problems
    return loaded.ledger


def test_import_racing_add_both_land(tmp_path):
    root = _make_repo(tmp_path / "repo")
    book = _workbook(tmp_path / "t.xlsx")
    for round_ in range(3):
        procs = [_start(root, "import", str(book)), _start(root, "add", "AA", f"并发事项{round_}")]
        results = _finish(*procs)
        assert [code for code, _ in results] == [0, 0], results
    titles = [i.title for i in _ledger(root, "AA").items]
    assert titles.count("补充勘察") == 1 and titles.count("施工图审查") == 1
    assert all(f"并发事项{n}" in titles for n in range(3))
    assert len({i.id for i in _ledger(root, "AA").items}) == len(titles)
    assert sorted(_files(root)) == ["AA.yaml", "BB.yaml", "CBGY.yaml", "CC.yaml"]
    assert _leftovers(root) == []


def test_two_imports_at_once_create_one_project_and_add_nothing_twice(tmp_path):
    root = _make_repo(tmp_path / "repo")
    book = _workbook(tmp_path / "t.xlsx")
    results = _finish(_start(root, "import", str(book)), _start(root, "import", str(book)))
    assert [code for code, _ in results] == [0, 0], results
    assert sorted(_files(root)) == ["AA.yaml", "BB.yaml", "CBGY.yaml", "CC.yaml"]
    assert [i.title for i in _ledger(root, "CBGY").items] == ["方案设计", "开工建设"]
    assert [i.title for i in _ledger(root, "AA").items] == ["第一项", "第二项", "补充勘察", "施工图审查"]


def test_import_while_another_import_holds_on_says_so_in_one_line(tmp_path, cli, monkeypatch):
    from taizhang.repo import files

    root = _make_repo(tmp_path / "repo")
    before = _files(root)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from taizhang.repo.files import locked
        with locked(Path({str(root)!r}), "_import"):
            print("held", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert holder.stdout.readline().strip() == "held"
        real = files.locked
        monkeypatch.setattr(files, "locked", lambda root, name, timeout=60.0: real(root, name, 0.2))
        result = cli("--dir", root, "--as-of", AS_OF, "import", _workbook(tmp_path / "t.xlsx"))
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert result.exit_code == 1, result
    assert result.stderr == "taizhang: 台账正被另一个命令反复修改或另一个导入正在进行，未导入任何内容，请稍后再试\n"
    assert _files(root) == before


def test_schedule_write_racing_set_keeps_the_set(tmp_path, monkeypatch, cli):
    """`schedule --write` computes the dues under the lock: a `set due=` that lands after the
    schedule was shown (and before the write) is kept, not overwritten."""
    from taizhang.repo.repository import Repository

    root = _make_repo(tmp_path / "repo")
    repository = Repository(root)
    shown = repository.schedule("AA", __import__("datetime").date(2018, 6, 15))  # AA-2 has no due
    assert cli("--dir", root, "--as-of", AS_OF, "set", "AA-2", "due=2018-11-30").exit_code == 0
    assert repository.write_schedule("AA", __import__("datetime").date(2018, 6, 15), shown) == 0
    assert str(_ledger(root, "AA").items[1].due) == "2018-11-30"
    # and racing in real processes: each lands, the set's due stays whatever the order
    for n in range(3):
        root = _make_repo(tmp_path / f"race{n}")
        results = _finish(_start(root, "schedule", "BB", "--write"), _start(root, "set", "BB-2", "due=2018-11-30", "--reason", "工期调整"))
        assert [code for code, _ in results] == [0, 0], results
        assert str(_ledger(root, "BB").items[1].due) == "2018-11-30"


# --- read-only files and a full disk --------------------------------------------------------

def _is_cache_file(fd: int) -> bool:
    """Whether `fd` is one of the cache's files (its entries, its key) or `.taizhang/.gitignore`:
    the steps counted below are those of the ledgers' own write."""
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return ("/.taizhang/cache/" in target or ".taizhang-key" in target or "taizhang-cache.key" in target
            or "/.taizhang/.gitignore" in target)


def _no_space_at(monkeypatch, name: str, nth: int, error: int = errno.ENOSPC) -> None:
    """The `nth` call of os.`name` fails as a full disk (or `error`) would."""
    real = getattr(os, name)
    calls = [0]

    def failing(*args, **kwargs):
        if name == "fsync" and _is_cache_file(args[0]):
            return real(*args, **kwargs)  # the cache's own writes are not what is counted
        calls[0] += 1
        if calls[0] == nth:
            raise OSError(error, os.strerror(error))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_full_disk_anywhere_in_a_write_changes_nothing(tmp_path, cli, monkeypatch, nth):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    before = _files(root)
    _no_space_at(monkeypatch, "fsync", nth)
    result = cli("--dir", root, "--as-of", AS_OF, "close", "AA-1", "BB-1", "CC-1")
    assert result.exit_code == 1, result
    assert result.stderr.strip().endswith("无法写入：磁盘已满（未改动任何文件）"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ledgers/") or result.stderr.startswith(".taizhang/"), result.stderr
    assert _files(root) == before
    assert _leftovers(root) == []


def test_full_disk_says_so_in_english(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    _no_space_at(monkeypatch, "fsync", 1)
    result = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "add", "AA", "新事项")
    assert result.exit_code == 1, result
    assert result.stderr == "ledgers/AA.yaml:1:1: cannot write: the disk is full (no file was changed)\n"


def test_init_on_a_full_disk_makes_nothing(tmp_path, cli, monkeypatch):
    _no_space_at(monkeypatch, "fsync", 3)  # the settings are written (file, folder), the schema is not
    result = cli("init", tmp_path / "new")
    assert result.exit_code == 1, result
    assert result.stderr == f"{tmp_path / 'new'}/schemas/ledger.schema.json:1:1: 无法写入：磁盘已满（未改动任何文件）\n"
    assert not (tmp_path / "new").exists()


def test_schema_on_a_full_disk_is_one_line(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    _no_space_at(monkeypatch, "fsync", 1)
    result = cli("schema")
    assert result.exit_code == 1, result
    assert result.stderr == "schemas/ledger.schema.json:1:1: 无法写入：磁盘已满（未改动任何文件）\n"
    assert not (root / "schemas" / "ledger.schema.json").exists() and _leftovers(root) == []


def test_read_only_ledger_is_refused_and_left_as_it_is(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    before = _files(root)
    (root / "ledgers" / "BB.yaml").chmod(0o444)
    if os.geteuid() == 0:  # root may write anything: make the file system say what it would
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).endswith("BB.yaml")
                            and mode & os.W_OK else real(p, mode, **kw))
    result = cli("--dir", root, "--as-of", AS_OF, "close", "AA-1", "BB-1", "CC-1")
    assert result.exit_code == 1, result
    assert result.stderr == "ledgers/BB.yaml:1:1: 无法写入：没有权限（未改动任何文件）\n"
    assert _files(root) == before
    assert _leftovers(root) == []


@pytest.mark.parametrize("ids", [["AA-1"], ["AA-1", "BB-1"]])
def test_read_only_ledgers_folder_is_refused_in_one_line(tmp_path, cli, monkeypatch, ids):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    before = _files(root)
    folder = root / "ledgers"
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            real_replace, real_access = os.replace, os.access

            def refused(src, dst):
                if Path(dst).parent == folder:
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src), None, str(dst))
                return real_replace(src, dst)

            monkeypatch.setattr(os, "replace", refused)
            monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == folder and mode & os.W_OK
                                else real_access(p, mode, **kw))
        result = cli("--dir", root, "--as-of", AS_OF, "close", *ids)
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1, result
    assert re.fullmatch(r"ledgers(/AA\.yaml)?:1:1: 无法写入：没有权限（未改动任何文件）\n", result.stderr), result.stderr
    assert _files(root) == before
    assert _leftovers(root) == []


def test_read_only_checkout_is_refused_in_one_line(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    assert cli("--dir", root, "--as-of", AS_OF, "status").exit_code in (0, 3)  # .taizhang/ made
    before = _files(root)
    book = _workbook(tmp_path / "t.xlsx")
    modes = {p: p.stat().st_mode for p in [root, *root.rglob("*")]}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        if os.geteuid() == 0:
            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(root / ".taizhang" / "locks"))
            real_open = os.open
            monkeypatch.setattr(os, "open", lambda path, flags, *a, **kw: read_only()
                                if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(path).startswith(str(root))
                                else real_open(path, flags, *a, **kw))
        for args in (["close", "AA-1", "BB-1"], ["add", "AA", "新事项"], ["import", str(book)],
                     ["schedule", "AA", "--write"], ["new", "DD", "丁项目"]):
            result = cli("--dir", root, "--as-of", AS_OF, *args)
            assert result.exit_code == 1, (args, result)
            assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, (args, result.stderr)
            assert "无法写入" in result.stderr, (args, result.stderr)
        shown = cli("--dir", root, "--as-of", AS_OF, "status")  # reading still works
        assert shown.exit_code in (0, 3), shown
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert _files(root) == before


def test_read_only_state_folder_is_refused_in_one_line(tmp_path, cli, monkeypatch):
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    assert cli("--dir", root, "--as-of", AS_OF, "add", "AA", "先写一次").exit_code == 0
    before = _files(root)
    state = root / ".taizhang"
    modes = {p: p.stat().st_mode for p in [state, *state.rglob("*")] if p.is_dir()}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        if os.geteuid() == 0:
            real_mkstemp = __import__("tempfile").mkstemp

            def refused(*args, dir=None, **kwargs):
                if str(dir).startswith(str(state)):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
                return real_mkstemp(*args, dir=dir, **kwargs)

            monkeypatch.setattr("tempfile.mkstemp", refused)
        result = cli("--dir", root, "--as-of", AS_OF, "close", "AA-1", "BB-1")
        assert result.exit_code == 1, result
        assert re.fullmatch(r"\.taizhang/\S+:1:1: 无法写入：没有权限（未改动任何文件）\n", result.stderr), result.stderr
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert _files(root) == before
    assert _leftovers(root) == []
