"""A writer killed with SIGKILL at any moment never leaves a torn, empty or invalid ledger, nor
a cache entry that reads as other data than the file, and the next command is not blocked by
what the dead process left behind.

One warm process (imported once, a write made) forks a writer per kill, so that a kill costs a
fork and a write rather than a Python start-up. Two kinds of kill:
- at each file-system step of a write: the writer's audit hook counts the steps (lock, read,
  cache read, temporary file, chmod, rename, directory sync, cache store, unlock) and SIGKILLs
  itself just before step k, for every k of every kind of edit (add, note, set) until a write
  completes; the kills before the rename must leave the old bytes, those after it the new ones;
- at delays spread evenly over a write's measured duration (and a little past it), to land
  inside steps no hook sees: parsing, splicing, the read-back check, write() and fsync().
"""

from __future__ import annotations

import os
import random
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import YT2

from taizhang.domain.models import Settings
from taizhang.repo import load
from taizhang.repo.cache import Cache

TIMED_KILLS = int(os.environ.get("TAIZHANG_TIMED_KILLS", "40"))

# The warm process. Reads commands ("step KIND K", "timed KIND SECONDS", "measure KIND") and
# answers each with "killed|done STEPS SECONDS": how the writer ended, how many steps it began.
WRITER = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from taizhang.repo import edits, write
    from taizhang.repo.cache import Cache
    from taizhang.domain.models import Settings

    root, scratch = Path(sys.argv[1]), Path(sys.argv[2])
    settings = Settings()
    # The file-system steps of a write, as audit events (raised just before each step).
    STEPS = {"open", "os.mkdir", "fcntl.flock", "os.rename", "os.chmod", "os.remove", "os.scandir",
             "pathlib.Path.glob", "tempfile.mkstemp", "os.listdir"}
    hook = {"on": False, "seen": 0, "kill_at": 0, "fd": -1}

    def audit(event, args):
        if hook["on"] and event in STEPS:
            hook["seen"] += 1
            if hook["seen"] == hook["kill_at"]:
                os.kill(os.getpid(), signal.SIGKILL)
            try:
                os.write(hook["fd"], b"x")
            except OSError:
                pass

    sys.addaudithook(audit)

    def plan(kind, n):
        if kind == "add":
            return edits.add_item_edit({"title": f"新增{n}", "due": None, "after": []})
        if kind == "note":
            return edits.note_edit("YT2-3", {"date": "2018-06-01", "by": "测试员", "text": f"进展{n}"})
        return edits.set_edit("YT2-4", [("owner", f"责任人{n}", None)])

    # Every kind of edit once on a scratch copy: every module a write imports lazily is loaded,
    # so the writers below do nothing but write.
    for kind in ("add", "note", "set"):
        write.edit_ledgers(Cache(scratch), settings, {"YT2": plan(kind, 0)})
    print("ready", flush=True)

    for n, line in enumerate(sys.stdin, 1):
        command, kind, value = line.split()
        r, w = os.pipe()
        os.set_blocking(w, False)
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            hook.update(on=True, fd=w, kill_at=int(value) if command == "step" else 0)
            target = scratch if command == "measure" else root
            write.edit_ledgers(Cache(target), settings, {"YT2": plan(kind, n)})
            os._exit(0)
        os.close(w)
        if command == "timed":
            time.sleep(float(value))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
        os.set_blocking(r, False)
        steps = 0
        try:
            while chunk := os.read(r, 65536):
                steps += len(chunk)
        except BlockingIOError:
            pass
        os.close(r)
        ended = "killed" if os.WIFSIGNALED(status) else "done" if os.WEXITSTATUS(status) == 0 else "failed"
        print(ended, steps, elapsed, flush=True)
""")


class Writer:
    def __init__(self, root: Path, scratch: Path, env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(scratch)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        assert self._line(120) == "ready"

    def _line(self, timeout: float) -> str:
        # A writer blocked by a lock the dead one left would hang here: fail instead.
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "the writer did not answer: blocked by what a killed writer left?"
        return self.proc.stdout.readline().strip()

    def ask(self, *command) -> tuple[str, int, float]:
        self.proc.stdin.write(" ".join(map(str, command)) + "\n")
        self.proc.stdin.flush()
        ended, steps, elapsed = self._line(90).split()
        assert ended != "failed", "a writer failed (not killed)"
        return ended, int(steps), float(elapsed)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


class Ledger:
    """The ledger on disk as the test last saw it, and the checks after each kill."""

    def __init__(self, root: Path):
        self.root, self.path, self.settings = root, root / "ledgers" / "YT2.yaml", Settings()
        self.raw = self.path.read_bytes()
        self.data = self._checked(self.raw)

    def _checked(self, raw: bytes):
        assert raw, "the ledger is empty"
        loaded = load.parse_ledger(raw, "ledgers/YT2.yaml", self.settings)
        assert not loaded.has_errors, loaded.problems
        # What a command reads through the cache is what the file says.
        cached, _ = load.read_ledger(Cache(self.root), self.path, self.settings)
        assert cached == loaded.ledger, "the cache reads as other data than the file"
        # Nothing the dead writer left may stand in ledgers/.
        assert sorted(p.name for p in (self.root / "ledgers").iterdir()) == ["YT2.yaml"]
        return loaded.ledger

    def after(self, kind: str) -> bool:
        """Check the file after a writer making one `kind` edit died; True if the edit is in it."""
        raw = self.path.read_bytes()
        if raw == self.raw:
            return False
        new = self._checked(raw)
        old = self.data
        if kind == "add":
            assert len(new.items) == len(old.items) + 1, "an add changed the items by other than one"
        else:
            assert len(new.items) == len(old.items), "items were lost or added"
            before, now = (next(i for i in d.items if i.id == ("YT2-3" if kind == "note" else "YT2-4"))
                           for d in (old, new))
            if kind == "note":
                assert len(now.notes) == len(before.notes) + 1
            else:
                assert now.owner != before.owner and now.owner.startswith("责任人")
        self.raw, self.data = raw, new
        return True


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")
def test_kill_during_writes_never_tears_a_ledger(tmp_path):
    root, scratch = tmp_path / "repo", tmp_path / "scratch"
    for folder in (root, scratch):
        (folder / "ledgers").mkdir(parents=True)
        (folder / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    ledger = Ledger(root)
    writer = Writer(root, scratch, env)
    try:
        # 1. A kill before every file-system step of every kind of write.
        step_kills = 0
        for kind in ("add", "note", "set"):
            outcomes = []
            for k in range(1, 200):
                ended, steps, _ = writer.ask("step", kind, k)
                if ended == "done":
                    assert ledger.after(kind), "a write that completed left the old file"
                    break
                assert steps == k - 1
                step_kills += 1
                outcomes.append(ledger.after(kind))
            else:
                pytest.fail("a write that never ends")
            # Old bytes up to the rename, new ones from it on: never a third state.
            assert outcomes == sorted(outcomes) and False in outcomes and True in outcomes, outcomes
        assert step_kills >= 3 * 20, "fewer file-system steps than a write makes (lock, tmp, rename, cache)"

        # 2. Kills at delays spread evenly over the time a write takes (the fastest of six, so
        # that a slower one on a busy machine is still killed); one that finishes first is done.
        duration = min(writer.ask("measure", kind, 0)[2] for kind in ("add", "note", "set") for _ in range(2))
        rng = random.Random(2018)
        reached, timed_kills = set(), 0
        for i in range(TIMED_KILLS):
            kind = ("add", "note", "set")[i % 3]
            delay = duration * (i + rng.random()) / TIMED_KILLS
            ended, steps, _ = writer.ask("timed", kind, f"{delay:.6f}")
            changed = ledger.after(kind)
            if ended == "killed":
                timed_kills += 1
                reached.add(steps)
            else:
                assert changed, "a write that completed left the old file"
        assert timed_kills >= TIMED_KILLS // 2, "the writes ended before most kills"
        assert len(reached) >= 3, f"the timed kills all landed between the same two steps: {reached}"
    finally:
        writer.close()

    # The next command after all this works at once and cleans the orphans up.
    result = subprocess.run([sys.executable, "-m", "taizhang.cli", "--dir", str(root), "add", "YT2", "最后"],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert not list((root / ".taizhang" / "tmp").glob("YT2.yaml.*"))
