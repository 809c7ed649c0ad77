"""The highest item number git remembers of a ledger (repo/history.py): read incrementally, the
same as read whole, and the same as every version HEAD descends from says.

- after every step of a history with removed items, a side branch, merges (one that took a
  side's file whole, one whose resolution dropped items), a rename away and back, resets, an
  amend and a rebase, the answer kept in the cache and carried forward (`since..HEAD`) equals
  the whole history read afresh, and equals the highest id of every committed version HEAD
  descends from (read one by one: the definition); where the old reading (`git log -p` with
  git's history simplification, merges without a diff) could see it, equals that too;
- HEAD moving on reads only the new commits; HEAD no longer descending from the kept commit
  (reset, rebase, amend) reads the whole history;
- a history git cannot read is a warning naming the ledger, not a silent fallback, and is not
  kept.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from taizhang.repo import history
from taizhang.repo.cache import Cache
from taizhang.repo.repository import Repository

REL = "ledgers/P.yaml"


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@x"})
    assert done.returncode == 0 or not check, (args, done.stdout, done.stderr)
    return done.stdout


def _ledger(numbers, note: str = "") -> str:
    return "code: P\nname: 项目\nitems:\n" + "".join(
        f"  - id: P-{n}\n    title: 事项{n}{note if n == max(numbers) else ''}\n" for n in numbers)


def _write(root: Path, numbers, note: str = "", rel: str = REL) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(_ledger(numbers, note), encoding="utf-8")


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", message)


_ID = re.compile(r"\bid:\s*['\"]?P-(\d+)\b")


def _definition(root: Path) -> int:
    """The highest P-n of HEAD's and the index's copies and of every committed version HEAD
    descends from, each read whole."""
    texts = [_git(root, "show", f":{REL}")]
    for commit in _git(root, "rev-list", "HEAD").split():
        if _git(root, "ls-tree", commit, "--", REL).strip():
            texts.append(_git(root, "show", f"{commit}:{REL}"))
    return max((int(n) for text in texts for n in _ID.findall(text)), default=0)


def _old_reading(root: Path) -> int:
    """What the history said before it was read incrementally: `git log -p` with git's history
    simplification (a side branch a merge took nothing from is passed over), merges without a
    diff."""
    copies = [_git(root, "show", f"HEAD:{REL}"), _git(root, "show", f":{REL}")]
    log = _git(root, "log", "--format=", "-p", "-U0", "--no-renames", "--", REL)
    removed = "\n".join(line for line in log.split("\n") if line.startswith("-") and "id:" in line)
    return max((int(n) for text in [*copies, removed] for n in _ID.findall(text)), default=0)


@pytest.fixture
def scans(monkeypatch):
    """Every history read: the `since` it was asked for (None: the whole history)."""
    seen: list[str | None] = []
    real = history._highest_removed

    def counting(root, relative, pattern, head, since):
        seen.append(since)
        return real(root, relative, pattern, head, since)

    monkeypatch.setattr(history, "_highest_removed", counting)
    return seen


def _head(root: Path) -> str:
    return _git(root, "rev-parse", "HEAD").strip()


def test_incremental_equals_whole_and_the_definition_through_a_tangled_history(tmp_path, monkeypatch, scans):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    path = root / REL
    old_differs: list[str] = []

    def check(step: str, expected: int, read: str) -> None:
        before = len(scans)
        kept = history.highest_committed_number(root, path, "P", Cache(root)).number
        assert (len(scans) - before, scans[-1] if len(scans) > before else "none") == \
            (1 if read != "none" else 0, {"range": since_before, "whole": None, "none": "none"}[read]), step
        whole = history.highest_committed_number(root, path, "P").number  # no cache: the whole history
        assert kept == whole == _definition(root) == expected, step
        if _old_reading(root) != expected:
            old_differs.append(step)

    since_before = None

    def step(name: str, expected: int, read: str) -> None:
        nonlocal since_before
        check(name, expected, read)
        since_before = _head(root)

    _write(root, [1, 2, 3])
    _commit(root, "P-1..3")
    step("first commit", 3, "whole")
    step("asked again", 3, "none")
    _write(root, [1, 2, 3, 4])
    _commit(root, "P-4")
    _write(root, [1, 2, 3])
    _commit(root, "P-4 deleted")
    step("P-4 added and deleted", 4, "range")

    _git(root, "checkout", "-qb", "side")
    _write(root, [1, 2, 3, 5])
    _commit(root, "P-5 on side")
    _write(root, [1, 2, 3])
    _commit(root, "P-5 deleted on side")
    step("side: P-5 added and deleted", 5, "range")
    _git(root, "checkout", "-q", "main")
    step("back on main: side is not HEAD's", 4, "whole")
    _write(root, [1, 2, 3], note="（主线）")
    _commit(root, "main edits")
    _git(root, "merge", "-q", "--no-ff", "--no-edit", "side")  # the file as main has it
    step("side merged: its P-5 is HEAD's history", 5, "range")

    _git(root, "checkout", "-qb", "other")
    _write(root, [1, 2, 3, 6, 7])
    _commit(root, "P-6, P-7 on other")
    _git(root, "checkout", "-q", "main")
    _write(root, [1, 2, 3, 8], note="（主线）")
    _commit(root, "P-8 on main")
    _git(root, "merge", "-q", "--no-ff", "--no-commit", "other", check=False)  # (a conflict, or none)
    _write(root, [1, 2, 3], note="（合并）")  # the resolution drops P-6, P-7 and P-8
    _commit(root, "merge other, dropping P-6..8")
    assert len(_git(root, "log", "-1", "--format=%P").split()) == 2
    step("a merge's resolution dropped items", 8, "range")

    (root / "archive").mkdir()
    _git(root, "mv", REL, "archive/P.yaml")
    _commit(root, "P moved away")
    _write(root, [1, 2], note="（新）")
    _commit(root, "a new P")
    step("renamed away, a new P.yaml", 8, "range")

    _write(root, [1, 2, 9])
    _commit(root, "P-9")
    step("P-9", 9, "range")
    _git(root, "reset", "-q", "--hard", "HEAD~1")
    step("reset before P-9", 8, "whole")
    _write(root, [1, 2, 10])
    _commit(root, "P-10")
    step("P-10", 10, "range")
    _write(root, [1, 2])
    _git(root, "commit", "-q", "--amend", "-am", "P-10 amended away")
    step("amended: P-10 never committed", 8, "whole")

    _git(root, "checkout", "-qb", "topic", "HEAD~1")  # before the amended commit
    text = (root / REL).read_text(encoding="utf-8")  # P-11 first: main's amend is at the end
    (root / REL).write_text(text.replace("items:\n", "items:\n  - id: P-11\n    title: 事项11\n"), encoding="utf-8")
    _commit(root, "P-11 on topic")
    step("topic from an older commit", 11, "whole")
    _git(root, "rebase", "-q", "main")  # P-11's commit written anew onto main
    assert _git(root, "rev-parse", "HEAD~1") == _git(root, "rev-parse", "main")
    step("rebased onto main", 11, "whole")

    # The old reading passed over a side branch a merge took nothing from, and a merge's own
    # deletions: ids it would have given again (P-5, P-6..8), until a higher one was in HEAD.
    assert old_differs == ["side merged: its P-5 is HEAD's history", "a merge's resolution dropped items",
                           "renamed away, a new P.yaml", "reset before P-9", "amended: P-10 never committed"]
    assert Repository(root).add("P", "新事项") == "P-12"


def test_a_history_git_cannot_read_is_said_and_not_kept(tmp_path, cli):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    _write(root, [1, 2, 3])
    _commit(root, "P-1..3")
    lost = _git(root, "rev-parse", f"HEAD:{REL}").strip()
    _write(root, [1, 2])
    _commit(root, "P-3 deleted")
    (root / ".git" / "objects" / lost[:2] / lost[2:]).unlink()  # an old version git no longer has
    for _ in range(2):  # (the second run reads again: nothing was kept)
        done = cli("--dir", root, "add", "P", "新事项")
        assert done.exit_code == 0
        assert done.stdout.strip() in ("P-3", "P-4")
        assert "ledgers/P.yaml:1:1: 警告：未能读取此台账的 git 历史（fatal: unable to read" in done.stderr
        assert "历史中删除过的编号可能再次被使用" in done.stderr
    english = cli("--dir", root, "--lang", "en", "add", "P", "another")
    assert "warning: the ledger's git history could not be read (" in english.stderr
