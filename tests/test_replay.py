"""Replay (repo/replay.py): a view run again over unchanged files is written back from its last
run, and never when anything it read, or anything its output depends on, changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from taizhang.repo.replay import replayable

AS_OF = "2018-06-15"


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    return root


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_")}
    env.update({"XDG_CACHE_HOME": str(tmp_path / "user-cache"), "TAIZHANG_TODAY": AS_OF, "COLUMNS": "120"})
    env.update(extra)
    return env


def tz(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "taizhang", *args], cwd=root, env=env, capture_output=True,
                          timeout=120)


def _entries(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "user-cache" / "taizhang" / "replay"
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


def _imports_cli(root: Path, env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, bool]:
    """The run, and whether it imported typer (PYTHONPROFILEIMPORTTIME writes straight to fd 2)."""
    done = tz(root, {**env, "PYTHONPROFILEIMPORTTIME": "1"}, *args)
    lines = done.stderr.decode("utf-8", "replace").splitlines()
    return done, any(line.startswith("import time:") and line.rstrip().endswith(" typer") for line in lines)


def test_a_status_run_again_is_written_back_without_the_cli(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    first, first_cli = _imports_cli(root, env, "status")
    second, second_cli = _imports_cli(root, env, "status")
    assert first.returncode == second.returncode == 0 and first.stdout and first.stdout == second.stdout
    assert first_cli and not second_cli  # the second never parsed its command line
    assert len(_entries(tmp_path)) == 1
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status")
    assert plain.stdout == first.stdout


def test_a_changed_ledger_a_new_file_beside_and_a_link_are_seen(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    before = tz(root, env, "status", "--json").stdout
    path = root / "ledgers" / "AZF.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("征收清场滞后", "征收清场严重滞后", 1), encoding="utf-8")
    changed = tz(root, env, "status", "--json").stdout
    assert "严重滞后" in changed.decode() and "严重滞后" not in before.decode()
    # A new ledger appears beside the others; then a settings change.
    shutil.copy(root / "ledgers" / "AZF.yaml", root / "ledgers" / "AZF2.yaml")
    added = tz(root, env, "status", "--json")
    assert added.returncode == 1 and b"AZF2" in added.stderr  # its code is not its file's name
    (root / "ledgers" / "AZF2.yaml").unlink()
    assert tz(root, env, "status", "--json").stdout == changed
    (root / "taizhang.yaml").write_text("title: 另一个标题\nyear: 2018\n", encoding="utf-8")
    assert "另一个标题" in tz(root, env, "status", "--all").stdout.decode()
    # The same bytes behind a link: refused, as a run without replay refuses it.
    text = path.read_bytes()
    path.unlink()
    (tmp_path / "elsewhere.yaml").write_bytes(text)
    path.symlink_to(tmp_path / "elsewhere.yaml")
    linked = tz(root, env, "status", "--all")
    assert linked.returncode == 1 and linked.stderr == tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status",
                                                          "--all").stderr


def test_notices_appearing_change_a_replayed_status(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    tz(root, env, "status")
    tz(root, env, "status")
    assert tz(root, env, "notice", "--unit", "九龙办事处", "--format", "md", "--out", str(tmp_path / "n.md")).returncode == 0
    after = tz(root, env, "status")
    assert after.stdout == tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status").stdout


def test_the_terminal_width_the_day_and_the_arguments_are_part_of_the_key(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    wide = tz(root, env, "status").stdout
    narrow = tz(root, {**env, "COLUMNS": "80"}, "status").stdout
    assert narrow != wide and narrow == tz(root, {**env, "COLUMNS": "80", "TAIZHANG_NO_CACHE": "1"}, "status").stdout
    later = tz(root, env, "--as-of", "2018-09-30", "status").stdout
    assert later != wide
    assert tz(root, env, "status", "--json").stdout.startswith(b"{")
    assert len(_entries(tmp_path)) == 4


def test_check_replays_its_errors_and_exit_code(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    path = root / "ledgers" / "AZF.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "code: AZF\n", encoding="utf-8")
    runs = [tz(root, env, "check") for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1] and runs[0].stderr == runs[1].stderr and b"AZF.yaml:" in runs[0].stderr
    assert runs[0].stdout == runs[1].stdout


def test_writes_are_never_replayed_and_a_damaged_entry_is_not_believed(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    ids = [tz(root, env, "add", "YT2", "新事项", "--due", "2018-09-30").stdout for _ in range(2)]
    assert ids[0] != ids[1]
    assert _entries(tmp_path) == []
    good = tz(root, env, "status").stdout
    [entry] = _entries(tmp_path)
    raw = entry.read_bytes()
    entry.write_bytes(raw.replace("征收".encode(), "伪造".encode()))  # the output edited
    assert tz(root, env, "status").stdout == good
    assert entry.read_bytes() != raw.replace("征收".encode(), "伪造".encode())  # kept anew
    assert tz(root, env, "status").stdout == good


def test_no_cache_keeps_nothing(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path, TAIZHANG_NO_CACHE="1")
    tz(root, env, "status")
    assert _entries(tmp_path) == []


@pytest.mark.parametrize("argv, expected", [
    ([], True), (["status"], True), (["--dir", "x", "--as-of", "2018-06-15", "status", "--json"], True),
    (["--lang=en", "status", "--unit", "区建设局"], True), (["check"], True), (["--no-color", "check"], True),
    (["check", "ledgers/YT2.yaml"], False), (["check", "--help"], False), (["status", "--help"], False),
    (["--version"], False), (["note", "YT2-1", "status"], False), (["add", "YT2", "check"], False),
    (["-x", "status"], False), (["report", "week"], False),
])
def test_only_views_of_the_whole_repository_are_replayed(argv, expected):
    assert replayable(argv, {}) is expected
    assert replayable(argv, {"TAIZHANG_NO_CACHE": "1"}) is False


def test_a_repository_appearing_in_the_working_folder_is_seen(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    sub = root / "sub"
    sub.mkdir()
    parent = tz(sub, env, "status").stdout
    assert tz(sub, env, "status").stdout == parent
    (sub / "taizhang.yaml").write_text("title: 子库\nyear: 2018\n", encoding="utf-8")
    own = tz(sub, env, "status")
    assert own.stdout != parent and own.stdout == tz(sub, {**env, "TAIZHANG_NO_CACHE": "1"}, "status").stdout


def test_a_link_or_fifo_that_becomes_a_file_is_seen(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    path = root / "ledgers" / "AZF.yaml"
    text = path.read_bytes()
    path.unlink()
    (tmp_path / "elsewhere.yaml").write_bytes(text)
    path.symlink_to(tmp_path / "elsewhere.yaml")
    assert tz(root, env, "status").returncode == 1
    assert tz(root, env, "status").returncode == 1
    path.unlink()
    path.write_bytes(text)  # a regular file again, the same name in the folder
    again = tz(root, env, "status")
    assert again.returncode == 0 and again.stdout == tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status").stdout
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "ledgers" / "ZZZ.yaml")
        assert tz(root, env, "check").returncode == 1
        (root / "ledgers" / "ZZZ.yaml").unlink()
        (root / "ledgers" / "ZZZ.yaml").write_text("code: ZZZ\n", encoding="utf-8")
        fresh = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "check")
        assert tz(root, env, "check").stderr == fresh.stderr and "name" in fresh.stderr.decode()


def test_a_repository_inside_a_folder_named_taizhang_state_is_still_watched(tmp_path):
    holder = tmp_path / ".taizhang"
    holder.mkdir()
    root = _repo(holder)
    env = _env(tmp_path)
    tz(root, env, "status", "--json")
    path = root / "ledgers" / "AZF.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("征收清场滞后", "征收清场严重滞后", 1), encoding="utf-8")
    assert "严重滞后" in tz(root, env, "status", "--json").stdout.decode()


def test_a_file_rewritten_while_the_run_read_it_is_not_kept(tmp_path):
    from taizhang.repo.replay import Reads

    path = tmp_path / "AZF.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    reads = Reads([])
    reads.hook("open", (str(path), "rb", 0))
    assert reads.state() is not None
    path.write_text("a: 22\n", encoding="utf-8")  # after its reading, before the run kept its output
    assert reads.state() is None
    reads.hook("open", (str(tmp_path / "out.txt"), "w", 0))
    assert Reads([]).state() == {"files": {}, "folders": {}} and reads.state() is None


def test_a_reader_that_goes_away_gets_what_the_command_itself_gives(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    tz(root, env, "status", "--all")
    shell = f"{sys.executable} -m taizhang status --all | head -c 10 > /dev/null"
    replayed = subprocess.run(["sh", "-c", shell], cwd=root, env=env, capture_output=True, timeout=120)
    assert replayed.stderr == b""


@pytest.mark.parametrize("args", [("status", "--all"), ("status", "--json"), ("check",)])
def test_a_run_whose_reader_was_gone_is_not_written_back(tmp_path, args):
    """A run whose output was refused (its reader gone before it read a byte: EPIPE) printed
    nothing: written back, the next run would print nothing too and exit 1."""
    root, env = _repo(tmp_path), _env(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        subprocess.run([sys.executable, "-m", "taizhang", *args], cwd=root, env=env, stdout=write_end,
                       stderr=subprocess.DEVNULL, timeout=120)
    finally:
        os.close(write_end)
    assert _entries(tmp_path) == []
    again = tz(root, env, *args)
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, *args)
    assert again.stdout and (again.returncode, again.stdout, again.stderr) == \
        (plain.returncode, plain.stdout, plain.stderr)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_run_whose_output_met_a_full_disk_is_not_written_back(tmp_path):
    root, env = _repo(tmp_path), _env(tmp_path)
    with open("/dev/full", "wb") as full:
        first = subprocess.run([sys.executable, "-m", "taizhang", "status", "--all"], cwd=root, env=env,
                               stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert first.returncode != 0 and b"Traceback" not in first.stderr
    assert _entries(tmp_path) == []
    again = tz(root, env, "status", "--all")
    assert again.returncode == 0 and again.stdout == tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status", "--all").stdout


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as Linux has it")
def test_an_entry_that_cannot_be_written_beside_a_killed_ones_leftover_is_no_traceback(tmp_path):
    """A write of an entry refused (a full disk, a quota: here a file size limit) in a replay
    folder holding only a temporary file a killed run left: the run's own output and exit code,
    no traceback (the clean-up looked for the newest entry of none: IndexError)."""
    import resource

    root, env = _repo(tmp_path), _env(tmp_path)
    folder = tmp_path / "user-cache" / "taizhang" / "replay"
    folder.mkdir(parents=True)
    (folder / ".killed.tmp").write_bytes(b"half an entry")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))  # (Python ignores SIGXFSZ: EFBIG)

    done = subprocess.run([sys.executable, "-m", "taizhang", "status"], cwd=root, env=env, capture_output=True,
                          timeout=120, preexec_fn=small_files)
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status")
    assert b"Traceback" not in done.stderr
    assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert _entries(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symbolic links")
def test_a_dir_through_a_link_that_now_leads_elsewhere_is_not_the_old_repository(tmp_path):
    """`--dir current` or $TAIZHANG_DIR=current, `current` a link switched from one office's
    repository to another's: the other's status, not the first one's written back."""
    first, env = _repo(tmp_path), _env(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(first, other)
    (other / "taizhang.yaml").write_text("title: 乙区台账\nyear: 2018\n", encoding="utf-8")
    current = tmp_path / "current"
    for args, extra in ((["--dir", str(current)], {}), (["--dir=current"], {}), ([], {"TAIZHANG_DIR": str(current)})):
        if os.path.lexists(current):
            current.unlink()
        current.symlink_to(first)
        runs = [tz(tmp_path, {**env, **extra}, *args, "status").stdout for _ in range(2)]
        assert runs[0] == runs[1] and "乙区台账" not in runs[0].decode()
        current.unlink()
        current.symlink_to(other)
        switched = tz(tmp_path, {**env, **extra}, *args, "status")
        assert "乙区台账" in switched.stdout.decode()
        assert switched.stdout == tz(tmp_path, {**env, **extra, "TAIZHANG_NO_CACHE": "1"}, *args, "status").stdout


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symbolic links")
def test_a_ledgers_link_that_now_leads_out_of_the_repository_is_refused(tmp_path):
    """`ledgers` a link to a folder of the repository (read), then to a copy outside it (refused:
    folder_outside): the same names, the same bytes read through it, yet not the same output."""
    root, env = _repo(tmp_path), _env(tmp_path)
    (root / "data").mkdir()
    (root / "ledgers").rename(root / "data" / "ledgers")
    shutil.copytree(root / "data" / "ledgers", tmp_path / "outside")
    (root / "ledgers").symlink_to(Path("data") / "ledgers")
    inside = [tz(root, env, "status") for _ in range(2)]
    assert [r.returncode for r in inside] == [0, 0] and inside[0].stdout == inside[1].stdout
    (root / "ledgers").unlink()
    (root / "ledgers").symlink_to(tmp_path / "outside")
    outside = tz(root, env, "status")
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status")
    assert plain.returncode == 1 and b"ledgers:1:1:" in plain.stderr
    assert (outside.returncode, outside.stdout, outside.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def _status_while(root: Path, env: dict[str, str], when: str, then: str) -> subprocess.CompletedProcess:
    """`status` run as the console script runs it, doing `then` (Python, through no `open` of its
    own: a rename) when the run first opens a file whose path ends with `when` — another program
    changing the repository while the run reads it."""
    script = "\n".join([
        "import os, sys",
        "done = []",
        "def hook(event, args):",
        f"    if not done and event == 'open' and isinstance(args[0], str) and args[0].endswith({when!r}):",
        "        done.append(1)",
        f"        {then}",
        "sys.addaudithook(hook)",
        "sys.argv = ['taizhang', 'status']",
        "from taizhang.launch import main",
        "main()",
    ])
    return subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, timeout=120)


def test_a_ledger_saved_after_the_run_listed_the_folder_is_not_written_back_without_it(tmp_path):
    """A ledger saved into ledgers/ while a status runs, after it listed the folder: that run's
    output lacks it, and the folder's listing taken when the output was kept had it, so every
    later status wrote back the output without it (exit 0 where the new file is an error)."""
    root, env = _repo(tmp_path), _env(tmp_path)
    late = tmp_path / "NEW.yaml"
    shutil.copy(root / "ledgers" / "AZF.yaml", late)  # its code is not its file's name: reported
    during = _status_while(root, env, "JCCT.yaml", f"os.rename({str(late)!r}, os.path.join('ledgers', 'NEW.yaml'))")
    assert during.returncode == 0 and b"NEW" not in during.stderr  # listed before it came
    after = tz(root, env, "status")
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status")
    assert plain.returncode == 1 and b"ledgers/NEW.yaml" in plain.stderr
    assert (after.returncode, after.stdout, after.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_a_name_added_to_a_folder_after_the_run_listed_it_is_not_kept(tmp_path):
    from taizhang.repo.replay import Reads

    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "A.yaml").write_text("a: 1\n", encoding="utf-8")
    reads = Reads([])
    reads.hook("os.scandir", (str(folder),))
    assert reads.state() is not None
    (folder / "B.yaml").write_text("b: 1\n", encoding="utf-8")
    assert reads.state() is None


def test_a_write_killed_after_its_commit_point_is_finished_by_the_next_status(tmp_path):
    """A write of two ledgers killed after its journal was made (the commit point), before the
    renames: the next command finishes it before reading (files.finish_journals), so status shows
    the new ledgers; the replay, finding the old ledgers' bytes unchanged, wrote back the old
    output (the journal sits in `.taizhang/`, whose files a run's state leaves out)."""
    root, env = _repo(tmp_path), _env(tmp_path)
    before = tz(root, env, "status", "--json")
    assert "严重滞后" not in before.stdout.decode()
    script = "\n".join([
        "import os, sys",
        "from pathlib import Path",
        "from taizhang.repo.files import replace_files",
        "def hook(event, args):",
        "    if event == 'os.rename' and os.fsdecode(args[1]).endswith(os.path.join('ledgers', 'AZF.yaml')):",
        "        os._exit(9)  # killed between the journal and the first rename",
        "root = Path('.').resolve()",
        "a, b = root / 'ledgers' / 'AZF.yaml', root / 'ledgers' / 'YT2.yaml'",
        "new = a.read_text(encoding='utf-8').replace('征收清场滞后', '征收清场严重滞后', 1).encode('utf-8')",
        "sys.addaudithook(hook)",
        "replace_files(root, [(a, new), (b, b.read_bytes())], ['AZF', 'YT2'])",
    ])
    killed = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, timeout=120)
    assert killed.returncode == 9 and list((root / ".taizhang" / "journal").iterdir())
    assert "严重滞后" not in (root / "ledgers" / "AZF.yaml").read_text(encoding="utf-8")
    after = tz(root, env, "status", "--json")
    assert "严重滞后" in after.stdout.decode()
    assert after.stdout == tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status", "--json").stdout


@pytest.mark.skipif(sys.platform != "linux", reason="F_SETPIPE_SZ")
def test_ctrl_c_while_an_output_is_written_back_is_no_traceback(tmp_path):
    """Ctrl-C while a replayed output waits on a reader that does not read (a pager, a slow
    pipe): exit 130 as the command itself leaves, where the write-back ended in a traceback."""
    import fcntl
    import signal
    import time

    root, env = _repo(tmp_path), _env(tmp_path, PYTHONPROFILEIMPORTTIME="1")
    first = tz(root, env, "status", "--json")
    assert len(first.stdout) > 16384
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: the output stops after 4 KB
    try:
        run = subprocess.Popen([sys.executable, "-m", "taizhang", "status", "--json"], cwd=root, env=env,
                               stdout=write_end, stderr=subprocess.PIPE)
        os.close(write_end)
        assert os.read(read_end, 100)  # the write-back has begun, and waits for the reader
        time.sleep(0.5)
        run.send_signal(signal.SIGINT)
        time.sleep(0.5)
        while os.read(read_end, 65536):  # (whatever is left to flush at exit)
            pass
        err = run.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
        code = run.wait(timeout=60)
    finally:
        os.close(read_end)
    assert not any(line.rstrip().endswith(" typer") for line in err.splitlines())  # replayed
    assert "Traceback" not in err and code == 130


def test_a_run_interrupted_by_ctrl_c_is_not_written_back_whatever_its_exit_code(tmp_path):
    """typer before 0.13 (pyproject allows 0.12) turns Ctrl-C into "Aborted!" and exit 1, an exit
    code a run is kept with: the next status wrote back half a table and "Aborted!". Here a
    command that does as typer 0.12 does, run through the replay as the console script runs the
    CLI; then the real status."""
    root, env = _repo(tmp_path), _env(tmp_path)
    script = "\n".join([
        "import os, signal, sys",
        "from taizhang.repo.replay import run",
        "def command():",
        "    try:",
        "        sys.stdout.write('亮灯  编号  (half a table)\\n')",
        "        os.kill(os.getpid(), signal.SIGINT)",
        "        for _ in range(10 ** 7):",
        "            pass",
        "    except KeyboardInterrupt:",
        "        sys.stderr.write('\\nAborted!\\n')",
        "        raise SystemExit(1)",
        "run(command, ['status'])",
    ])
    cut = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, timeout=120)
    assert cut.returncode == 1 and b"Aborted!" in cut.stderr
    assert _entries(tmp_path) == []
    after = tz(root, env, "status")
    plain = tz(root, {**env, "TAIZHANG_NO_CACHE": "1"}, "status")
    assert after.returncode == 0 and (after.stdout, after.stderr) == (plain.stdout, plain.stderr)
