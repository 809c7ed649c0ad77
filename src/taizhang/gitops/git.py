"""git: who the user is, committing exactly the files a command changed, registering the merge
driver, and the history of ledgers (what changed in each commit, item by item, for the audit)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterable, Iterator, Sequence

from taizhang.errors import Problem, TaizhangError
from taizhang.repo.layout import NOTICES_FILE

if TYPE_CHECKING:  # (repo.write brings the models: `log` and `in_git` need not load them)
    from taizhang.repo.write import Written

DRIVER_NAME = "taizhang ledger merge"
# git runs a merge driver through sh (git for Windows through the sh it brings). Where `taizhang`
# cannot run there (not on that PATH: exit 127; not executable: 126), git would take the driver's
# silence for a conflict and leave OURS alone in the file, the other side's work gone without a
# mark: the driver falls back to git's own line merge, conflict markers and all, for `check` to
# report. Any other exit is the driver's own (0 merged, 1 conflicts, 2 unreadable).
DRIVER_COMMAND = ("taizhang merge-driver %O %A %B %P || { s=$?; [ $s -eq 126 ] || [ $s -eq 127 ] || exit $s; "
                  "echo 'taizhang merge-driver: not run, git merge-file instead (按行合并)' >&2; "
                  "git merge-file -L ours -L base -L theirs %A %O %B; }")
# notices.yaml at the root only (`/`): the 督办通知单 merge notice by notice (gitops.merge_notices).
ATTRIBUTE_LINES = ("ledgers/*.yaml merge=taizhang", "ledgers/*.yml merge=taizhang", "/notices.yaml merge=taizhang")


def _git(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", input=input)


def _git_bytes(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, input=input)


def in_git(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except OSError:
        return False


def _require_git(root: Path) -> None:
    if not in_git(root):
        raise TaizhangError(Problem("", 0, 0, "git_not_repo", {"path": str(root)}))


# --- committing -----------------------------------------------------------------------------
#
# A command commits exactly its own change: not the file as it lies in the work tree (that may
# hold a clerk's uncommitted hand edits, or another command's change), and not through the shared
# index (commands racing over .git/index.lock lost their commits to each other's). The commit is
# built in a temporary index from HEAD with the command's change applied, made with commit-tree
# (so git's commit hooks do not run), and HEAD moves by compare-and-swap; the real index is then
# brought along for the files committed, so `git status` shows the hand edits as they were.

COMMIT_LOCK = "git-commit"  # a lock of its own: no project code has a dash or small letters


@contextmanager
def commit_lock(root: Path) -> Iterator[None]:
    """Held by a command that will commit, from before it writes until it has committed: the
    commits of a ledger then come in the order of its writes, each applying to the HEAD the one
    before made (out of order, a neighbour's change not yet committed would stand in the way as
    a hand edit does)."""
    from taizhang.repo.files import locked

    with locked(root, COMMIT_LOCK, timeout=300.0):
        yield


@dataclass
class Commit:
    """What `commit` did. `sha`: the new commit (None when HEAD held the change already, or when
    nothing was committed). `held_back`: the files whose uncommitted hand edits the change
    touches, so that nothing was committed. `index_left`: files whose entry in git's index could
    not be brought up to the commit (the index stayed locked)."""

    sha: str | None = None
    held_back: list[str] = field(default_factory=list)
    index_left: list[str] = field(default_factory=list)


class _Failed(Exception):
    """A git command that failed: its output, for the one line that says why."""


def commit(root: Path, written: Sequence[Written], message: str) -> Commit | None:
    """Commit exactly the change each written file records (its bytes before and after) on top
    of HEAD, authored by the repository's configured user; None outside git. A file whose
    uncommitted hand edits the change touches is not committed (nor anything else): `held_back`.
    A commit git refuses is an error that says the files are written. Call it holding
    `commit_lock(root)`, taken before the files were written."""
    where = _where(root)
    if where is None:
        return None
    top = where
    files = [(Path(os.path.relpath(w.path.resolve(), top.resolve())).as_posix(), w) for w in written]
    try:
        return _commit(top, files, message)
    except _Failed as e:
        said = [line.strip() for line in str(e).splitlines() if line.strip()]
        why = next((line for line in said if line.startswith(("fatal:", "error:"))), said[-1] if said else "")
        raise TaizhangError(Problem("", 0, 0, "git_commit_failed", {
            "paths": ", ".join(rel for rel, _ in files), "detail": why or "git"})) from None


def _where(root: Path) -> Path | None:
    """The top of the work tree holding `root`, or None outside git."""
    try:
        done = _git(root, "rev-parse", "--is-inside-work-tree", "--show-toplevel")
    except OSError:
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) < 2 or lines[0] != "true":
        return None
    return Path(lines[1])


def _run(top: Path, *args: str, input: bytes | None = None, index: str | None = None,
         ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if index is not None:
        env["GIT_INDEX_FILE"] = index
    done = subprocess.run(["git", "--literal-pathspecs", *args], cwd=top, capture_output=True, input=input,
                          env=env)
    if done.returncode not in ok:
        raise _Failed((done.stderr or done.stdout).decode("utf-8", "replace") or f"git {args[0]}: exit {done.returncode}")
    return done


def _out(done: subprocess.CompletedProcess) -> str:
    return done.stdout.decode("utf-8", "replace").strip()


def _head(top: Path) -> str | None:
    done = _run(top, "rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1))
    return _out(done) or None


Entry = tuple[str, str]  # (mode, blob id)


def _entries(done: subprocess.CompletedProcess, *, staged: bool) -> dict[str, Entry | None]:
    """Entries listed by `ls-tree -z` or `ls-files -s -z`; a path in conflict maps to None."""
    found: dict[str, Entry | None] = {}
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        info, _, name = record.partition(b"\t")
        fields = info.decode().split()
        path = name.decode("utf-8", "surrogateescape")
        if staged:
            found[path] = (fields[0], fields[1]) if fields[2] == "0" and path not in found else None
        else:
            found[path] = (fields[0], fields[2])
    return found


def _commit(top: Path, files: list[tuple[str, Written]], message: str) -> Commit:
    paths = [rel for rel, _ in files]
    for attempt in range(50):
        head = _head(top)
        in_head = _entries(_run(top, "ls-tree", "-z", "--full-tree", head, "--", *paths), staged=False) if head else {}
        in_index = _entries(_run(top, "ls-files", "-s", "-z", "--", *paths), staged=True)
        to_commit, to_stage, held = [], [], []
        for rel, w in files:
            after = _blob(top, rel, w.after)
            base = in_head.get(rel)
            blob = _applied(top, rel, base, w.before, after)
            if blob is None:
                held.append(rel)
                continue
            mode = base[0] if base else "100644"
            to_commit.append((mode, blob, rel))
            if rel not in in_index:
                if base is None:  # new to git: the file goes into the index as committed
                    to_stage.append((mode, blob, rel))
                continue  # (else the clerk took it out of the index: it stays out)
            staged = in_index[rel]
            if staged == base:
                to_stage.append((mode, blob, rel))
                continue
            # A change the clerk staged stays staged, with this command's change applied to it
            # (else their next `git commit` would take the command's change back out).
            on_staged = _applied(top, rel, staged, w.before, after) if staged is not None else None
            if staged is None or on_staged is None:  # (None: the file is in a merge conflict)
                held.append(rel)
            else:
                to_stage.append((staged[0], on_staged, rel))
        if held:
            return Commit(held_back=held)
        with tempfile.TemporaryDirectory(prefix="taizhang-index-") as folder:
            index = os.path.join(folder, "index")
            _run(top, "read-tree", *([head] if head else ["--empty"]), index=index)
            _run(top, "update-index", "-z", "--index-info", input=_index_info(to_commit), index=index)
            tree = _out(_run(top, "write-tree", index=index))
        if head and tree == _out(_run(top, "rev-parse", head + "^{tree}")):
            return Commit()
        sign = ["-S"] if _out(_run(top, "config", "--bool", "commit.gpgsign", ok=(0, 1))) == "true" else []
        text = message if message.endswith("\n") else message + "\n"
        new = _out(_run(top, "commit-tree", tree, *(["-p", head] if head else []), *sign, "-F", "-",
                        input=text.encode("utf-8")))
        subject = message.splitlines()[0] if message else ""
        moved = subprocess.run(["git", "update-ref", "-m", f"commit{'' if head else ' (initial)'}: {subject}",
                                "HEAD", new, head or ""], cwd=top, capture_output=True)
        if moved.returncode != 0:
            if _head(top) == head:  # not moved by another: its ref was locked a moment
                if attempt == 49:
                    raise _Failed(moved.stderr.decode("utf-8", "replace"))
                time.sleep(0.05 + 0.01 * attempt)
            continue  # HEAD moved under us (a hand commit, a pull): make the commit again on it
        return Commit(new, index_left=_stage(top, to_stage))
    raise _Failed("HEAD kept moving")


def _index_info(entries: list[tuple[str, str, str]]) -> bytes:
    return b"".join(f"{mode} {blob}\t{rel}".encode("utf-8", "surrogateescape") + b"\0" for mode, blob, rel in entries)


def _blob(top: Path, rel: str, data: bytes) -> str:
    """The blob of `data` as git would store the file at `rel` (its clean filters applied)."""
    return _out(_run(top, "hash-object", "-w", f"--path={rel}", "--stdin", input=data))


def _applied(top: Path, rel: str, base: Entry | None, before: bytes | None, after: str) -> str | None:
    """The blob of `base` (HEAD's or the index's version) with the change before → after made
    to it; None if the change does not apply cleanly (hand edits there)."""
    if base is None or before is None:
        return after  # a file git does not know, or one the command created: all of it
    if _blob(top, rel, before) == base[1]:
        return after
    with tempfile.TemporaryDirectory(prefix="taizhang-merge-") as folder:
        names = []
        for name, blob in (("current", base[1]), ("before", _blob(top, rel, before)), ("after", after)):
            names.append(os.path.join(folder, name))
            Path(names[-1]).write_bytes(_run(top, "cat-file", "blob", blob).stdout)
        merged = _run(top, "merge-file", "-p", "-q", *names, ok=tuple(range(0, 128)))
        data = merged.stdout if merged.returncode == 0 else _item_applied(rel, *(Path(n).read_bytes() for n in names))
    if data is None:
        return None
    return _out(_run(top, "hash-object", "-w", "--no-filters", "--stdin", input=data))


def _item_applied(rel: str, current: bytes, before: bytes, after: bytes) -> bytes | None:
    """The change before → after made to `current` item by item (notice by notice), where lines
    clash but items do not (an uncommitted `add` and a committed `add` both append to the items'
    end; two notices both append to notices.yaml). Only a ledger or notices.yaml, as the merge
    driver merges them, and only a merge that is clean at item level and changes no id (nor a
    number): the commit must hold the item exactly as the file on disk has it."""
    if not (rel.startswith("ledgers/") and rel.endswith((".yaml", ".yml")) or rel == NOTICES_FILE):
        return None
    from taizhang.gitops.driver import merge_file

    try:
        texts = [b.decode("utf-8") for b in (before, current, after)]
    except UnicodeDecodeError:
        return None
    result = merge_file(*texts, path=rel)
    if not (result.clean and result.item_level) or result.messages:
        return None
    return result.text.encode("utf-8")


def _stage(top: Path, entries: list[tuple[str, str, str]]) -> list[str]:
    """Bring the index entries of the committed files up to the commit; the files whose entry
    could not be written (git's index stayed locked) are returned."""
    if not entries:
        return []
    for attempt in range(60):
        done = subprocess.run(["git", "update-index", "-z", "--index-info"], cwd=top, capture_output=True,
                              input=_index_info(entries))
        if done.returncode == 0:
            return []
        if b"index.lock" not in done.stderr:
            break
        time.sleep(0.05 + 0.01 * attempt)  # a clerk's git (or a status) holds the index a moment
    return [rel for _, _, rel in entries]


# --- the merge driver ------------------------------------------------------------------------

@dataclass
class SetupStep:
    """One thing `git-setup` did or found done: `what` is a message key, `args` its arguments."""

    what: str
    args: dict[str, Any] = field(default_factory=dict)
    changed: bool = True
    written: list[Written] = field(default_factory=list)


def setup_merge_driver(root: Path, command: str = DRIVER_COMMAND) -> list[SetupStep]:
    """Register the item-level merge driver for `ledgers/*.yaml` and `notices.yaml` in the git
    repository holding `root`: `.gitattributes` at `root` names it (each line appended once, a
    line an older setup did not write included; the user's lines stay), and the
    repository's git config says how to run it. Idempotent."""
    from taizhang.repo.files import atomic_write, unwritable
    from taizhang.repo.write import Written

    _require_git(root)
    steps = []
    attributes = root / ".gitattributes"
    existed = attributes.is_file()
    old = attributes.read_bytes() if existed else b""
    present = {line.strip() for line in old.decode("utf-8", "replace").splitlines()}
    missing = [line for line in ATTRIBUTE_LINES if line not in present]
    if missing:
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        data = old + (newline if old and not old.endswith(b"\n") else b"")
        data += b"".join(line.encode("utf-8") + newline for line in missing)
        try:
            atomic_write(root, attributes, data)
        except OSError as e:  # (a read-only checkout: named as the file asked for, not .taizhang/tmp)
            e.filename, e.filename2 = str(attributes), None
            raise unwritable(root, e) from None
    # (what `git-setup --commit` commits: the file as it now is, written now or by an earlier run)
    steps.append(SetupStep("git_setup_attributes", {"lines": "; ".join(ATTRIBUTE_LINES)}, bool(missing),
                           [Written(attributes, old if missing and existed else None,
                                    attributes.read_bytes())]))
    changed = False
    for key, value in (("merge.taizhang.name", DRIVER_NAME), ("merge.taizhang.driver", command)):
        if _git(root, "config", "--local", "--get", key).stdout.rstrip("\n") == value:
            continue
        done = _git(root, "config", "--local", key, value)
        if done.returncode != 0:
            raise TaizhangError(Problem("", 0, 0, "git_config_failed", {"detail": done.stderr.strip()}))
        changed = True
    steps.append(SetupStep("git_setup_config", {"command": command}, changed))
    return steps


# --- history ---------------------------------------------------------------------------------

@dataclass
class Revision:
    """A commit that changed a ledger file, with the file's bytes after it and in each parent
    (None where the file does not exist)."""

    commit: str
    parents: list[str]
    author: str
    email: str
    date: str  # the commit date, ISO 8601
    subject: str
    path: str  # relative to the repository root, forward slashes
    after: bytes | None = None
    before: list[bytes | None] = field(default_factory=list)


def revisions(root: Path, pathspecs: list[str], limit: int | None = None) -> list[Revision]:
    """Commits that changed the ledger files named (oldest first; the newest `limit` commits),
    each with the file's versions. A merge counts only where it differs from every parent:
    what the merge itself did, not what one branch brought."""
    found = _listed(root, pathspecs, limit)
    _load_blobs(root, found)
    return found


def _listed(root: Path, pathspecs: list[str], limit: int | None) -> list[Revision]:
    """`revisions` without the file's versions."""
    _require_git(root)
    # Every field is NUL-separated: a subject or an author may hold any other character. Each
    # commit starts with two empty fields, then its six; its file names follow (the first after
    # a newline, or after one empty field for a merge) until the next two empty fields: no file
    # name is empty.
    args = ["log", "--relative", "-z", "--name-only", "--cc",
            "--format=%x00%x00%H%x00%P%x00%an%x00%ae%x00%cI%x00%s"]
    if limit:
        args += ["-n", str(limit)]
    done = _git(root, *args, "--", *pathspecs)
    if done.returncode != 0:
        if "does not have any commits" in done.stderr or "bad default revision" in done.stderr:
            return []
        raise TaizhangError(Problem("", 0, 0, "git_failed", {"detail": done.stderr.strip()}))
    found: list[Revision] = []
    for header, names in _log_records(done.stdout.split("\x00")):
        commit, parents, author, email, when, subject = header
        for name in names:
            if name.endswith((".yaml", ".yml")):
                found.append(Revision(commit, parents.split(), author, email, when, subject, name))
    found.reverse()
    return found


def _log_records(fields: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """(the six fields, the file names) of each commit in `revisions`' log, split at NULs."""
    at = 0
    while at + 8 <= len(fields) and fields[at] == fields[at + 1] == "":
        header = fields[at + 2:at + 8]
        at += 8
        names = []
        while at < len(fields) and not (fields[at] == "" and fields[at + 1:at + 2] == [""]
                                        and fields[at + 2:at + 3] not in ([], [""])):
            if fields[at]:
                names.append(fields[at].removeprefix("\n"))
            at += 1
        yield header, names


def _load_blobs(root: Path, found: list[Revision]) -> None:
    """Every version needed, read by one `git cat-file --batch`."""
    specs: list[str] = []
    for rev in found:
        specs.append(f"{rev.commit}:./{rev.path}")
        specs.extend(f"{parent}:./{rev.path}" for parent in rev.parents)
    if not specs:
        return
    done = _git_bytes(root, "cat-file", "--batch", input="".join(s + "\n" for s in specs).encode("utf-8"))
    out, at, blobs = done.stdout, 0, []
    for _ in specs:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(out[at:at + size])
            at += size + 1
        else:
            blobs.append(None)  # missing: the file did not exist there
    it = iter(blobs)
    for rev in found:
        rev.after = next(it)
        rev.before = [next(it) for _ in rev.parents]


@dataclass(frozen=True)
class Change:
    """One thing that happened to a ledger: `kind` (a message key suffix), the project, the
    item (None for the project itself) and what to say about it."""

    kind: str
    code: str
    item: str | None
    args: tuple[tuple[str, str], ...]

    @property
    def values(self) -> dict[str, str]:
        return dict(self.args)


def _change(kind: str, code: str, item: str | None = None, **args: Any) -> Change:
    return Change(kind, code, item, tuple((k, _text(v)) for k, v in args.items()))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        from taizhang.yamltext import emit

        return emit.flow(value)
    return str(value)


def read_version(raw: bytes | None, path: str) -> dict | None:
    """A ledger version as plain data (dates as written), or None if absent or unreadable.
    Only read, not validated: a version with a typo still tells what changed in it."""
    if raw is None:
        return None
    from taizhang.yamltext.read import read_document

    doc = read_document(raw, path)
    return doc.data if isinstance(doc.data, dict) and not doc.problems else None


def ledger_changes(old: dict | None, new: dict | None, code: str) -> list[Change]:
    """What changed between two versions of a ledger, item by item: added, closed (when, by
    whom), reopened, due moved from → to, other fields changed, notes added."""
    from taizhang.domain.vocab import PROJECT_KEY_ORDER  # the models, only for a history

    if new is None:
        return [] if old is None else [_change("project_removed", code, name=old.get("name"))]
    changes = []
    if old is None:
        changes.append(_change("project_added", code, name=new.get("name")))
        old = {"items": []}
    else:
        for key in [k for k in PROJECT_KEY_ORDER if k != "items" and (k in old or k in new)]:
            if old.get(key) == new.get(key):
                continue
            if key == "investment" and isinstance(old.get(key) or {}, dict) and isinstance(new.get(key) or {}, dict):
                changes += _investment_changes(old.get(key) or {}, new.get(key) or {}, code)
            elif key == "changes":
                continue  # said with the move of the deadline itself
            elif key == "deadline" and (move := _new_move(old, new, "deadline")) is not None:
                changes.append(_change("deadline_moved", code, old=move.get("from", old.get(key)),
                                       new=move.get("to", new.get(key)), reason=move.get("reason")))
            else:
                changes.append(_change("project_field", code, field=key, old=old.get(key), new=new.get(key)))
    old_items = {str(i.get("id")): i for i in old.get("items") or [] if isinstance(i, dict)}
    new_items = {str(i.get("id")): i for i in new.get("items") or [] if isinstance(i, dict)}
    for item_id, item in new_items.items():
        before = old_items.get(item_id)
        if before is None:
            changes.append(_change("item_added", code, item_id, title=item.get("title"), due=item.get("due")))
            if item.get("closed"):
                changes.append(_closed(code, item_id, item))
            continue
        changes += _item_changes(code, item_id, before, item)
    for item_id, item in old_items.items():
        if item_id not in new_items:
            changes.append(_change("item_removed", code, item_id, title=item.get("title")))
    return changes


def _new_move(old: dict, new: dict, name: str) -> dict | None:
    """The `changes:` entry a version added for the move of `name` (due or deadline), if any."""
    before, after = old.get("changes") or [], new.get("changes") or []
    if not isinstance(before, list) or not isinstance(after, list) or after[:len(before)] != before:
        return None
    added = [c for c in after[len(before):] if isinstance(c, dict) and c.get("field") == name]
    return added[-1] if added else None


def _investment_changes(old: dict, new: dict, code: str) -> list[Change]:
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "completed" and isinstance(a or {}, dict) and isinstance(b or {}, dict):
            for month in sorted(set(a or {}) | set(b or {}), key=str):
                if (a or {}).get(month) != (b or {}).get(month):
                    changes.append(_change("invest", code, month=month, old=(a or {}).get(month),
                                           new=(b or {}).get(month)))
        else:
            changes.append(_change("project_field", code, field=f"investment.{key}", old=a, new=b))
    return changes


def _closed(code: str, item_id: str, item: dict) -> Change:
    shut = item.get("closed")
    closed: dict = shut if isinstance(shut, dict) else {}
    return _change("closed", code, item_id, title=item.get("title"), date=closed.get("date"), by=closed.get("by"),
                   note=closed.get("note"), evidence=closed.get("evidence"))


def _item_changes(code: str, item_id: str, old: dict, new: dict) -> list[Change]:
    from taizhang.domain.vocab import ITEM_KEY_ORDER

    changes = []
    title = new.get("title")
    for key in [k for k in ITEM_KEY_ORDER if k != "id" and (k in old or k in new)]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "closed":
            if not a:
                changes.append(_closed(code, item_id, new))
            elif not b:
                closed = a if isinstance(a, dict) else {}
                changes.append(_change("reopened", code, item_id, title=title, date=closed.get("date"),
                                       by=closed.get("by")))
            else:
                changes.append(_change("close_changed", code, item_id, title=title, old=a, new=b))
        elif key == "notes":
            a, b = list(a or []), list(b or [])
            if b[:len(a)] == a:
                for note in b[len(a):]:
                    note = note if isinstance(note, dict) else {}
                    changes.append(_change("note", code, item_id, title=title, date=note.get("date"),
                                           by=note.get("by"), text=note.get("text")))
            else:
                changes.append(_change("notes_changed", code, item_id, title=title))
        elif key == "due":
            move = _new_move(old, new, "due")
            if move is not None:  # moved with `set … --reason`: 原定…，调整为…，原因…
                changes.append(_change("due_moved", code, item_id, title=title, old=move.get("from", a),
                                       new=move.get("to", b), reason=move.get("reason")))
            else:
                changes.append(_change("due", code, item_id, title=title, old=a, new=b))
        elif key == "changes":
            continue  # said with the move of the node itself
        else:
            changes.append(_change("field", code, item_id, title=title, field=key, old=a, new=b))
    return changes


@dataclass
class Event:
    """A change with the commit it came in: when, by whom."""

    change: Change
    commit: str
    date: str
    author: str
    email: str
    subject: str
    path: str


def history(root: Path, pathspecs: list[str], limit: int | None = None, item: str | None = None) -> list[Event]:
    """The changes to the ledgers named, oldest first, each with its commit, date and author;
    with `item`, those that concern that item (`concerns`), read from the versions in which
    its lines changed (`_item_history`)."""
    found = _listed(root, pathspecs, limit)
    events = _item_history(root, found, item) if item is not None else None
    if events is None:
        _load_blobs(root, found)
        read = _reader()
        events = [e for rev in found for e in _revision_events(rev, read)]
    return events if item is None else [e for e in events if concerns(e.change, item)]


def concerns(change: Change, item: str) -> bool:
    """Whether a change is one to the item `item`: its own, or a merge renumbering it."""
    return change.item == item or (change.kind == "item_renumbered" and change.values.get("old") == item)


def _reader() -> Callable[[bytes | None, str], dict | None]:
    """`read_version`, each version read once."""
    versions: dict[tuple[str, bytes | None], dict | None] = {}

    def read(raw: bytes | None, path: str) -> dict | None:
        if (path, raw) not in versions:
            versions[(path, raw)] = read_version(raw, path)
        return versions[(path, raw)]

    return read


def _revision_events(rev: Revision, read: Callable[[bytes | None, str], dict | None]) -> list[Event]:
    """What a commit did to its ledger: against its parent, or what a merge did against every
    parent (an item it added that a parent holds under another id: renumbered)."""
    code = Path(rev.path).stem
    new = read(rev.after, rev.path)
    if rev.after is not None and new is None:
        return []  # a version that does not read (conflict markers committed): nothing to say
    olds = [read(raw, rev.path) for raw in rev.before] or [None]
    per_parent = [ledger_changes(old, new, code) for old in olds]
    kept = [c for c in per_parent[0] if all(c in other for other in per_parent[1:])]
    if len(olds) > 1:
        kept = [_renumbered(c, olds) for c in kept]
    return [Event(c, rev.commit, rev.date, rev.author, rev.email, rev.subject, rev.path) for c in kept]


def _item_history(root: Path, found: list[Revision], item: str) -> list[Event] | None:
    """`history` of one item, reading only the commits that may have changed it: each commit's
    version and its parent's are compared as bytes (`item_lines`, `same_item`: the item's lines,
    and what changed before them), at C speed; a commit that left the item as it was is passed
    over. Merges, and versions the bytes cannot vouch for, are read as `history` reads them; so
    is the commit after a version found not to read (against it, every item is new). None where
    a version read holds the item otherwise than its bytes said (then `history` reads all)."""
    from taizhang.yamltext.itembytes import item_lines, same_item

    specs = [f"{name}:./{rev.path}" for rev in found for name in (rev.commit, *rev.parents)]
    names = _object_names(root, specs)
    if names is None:
        return None
    named = list(_named(found, names))
    # Each commit (not a merge) against its parent, the versions streamed in the order they are
    # compared; the last few kept, as most often a commit's parent is the version just seen.
    plan: list[str] = []
    held: dict[str, None] = {}
    for _, after, before in named:
        for name in (*before, after):
            if len(before) <= 1 and name is not None and name not in held:
                plan.append(name)
                held[name] = None
                if len(held) > _Blobs.KEPT:
                    del held[next(iter(held))]
    stream = _stream_blobs(root, plan)
    blobs: dict[str, bytes] = {}
    lines: dict[str, Any] = {}  # object name → the item's lines in that version (None: unsure)
    passed: set[int] = set()
    try:
        for index, (_, after, before) in enumerate(named):
            if len(before) > 1:
                continue
            for name in (*before, after):
                if name is not None and name not in blobs:
                    streamed = next(stream, None)
                    if streamed is None or streamed[0] != name:
                        return None
                    blobs[name] = streamed[1]
                    if len(blobs) > _Blobs.KEPT:
                        del blobs[next(iter(blobs))]
                if name is not None and name not in lines:
                    lines[name] = item_lines(blobs[name], item)
            old = before[0] if before else None
            mine, theirs = lines[after] if after else item_lines(None, item), \
                lines[old] if old else item_lines(None, item)
            if mine is not None and theirs is not None and \
                    same_item(blobs[old] if old else b"", blobs[after] if after else b"", theirs, mine):
                passed.add(index)
    finally:
        stream.close()
    read = _reader()
    unread: set[str] = set()  # versions read that do not read
    events: list[Event] = []
    with _Blobs(root) as versions:
        for index, (rev, after, before) in enumerate(named):
            if index in passed and not unread.intersection(before):
                continue  # (the item as it was: the commit changed others)
            rev.after = versions.get(after) if after is not None else None
            rev.before = [versions.get(name) if name is not None else None for name in before]
            for name, raw in zip((after, *before), (rev.after, *rev.before)):
                if name is None:
                    continue
                data = read(raw, rev.path)
                if data is None:
                    unread.add(name)
                elif lines.get(name) is not None and _holds(data, item) != bool(lines[name].text):
                    return None
            events += _revision_events(rev, read)
    return events


def _named(found: list[Revision], names: list[str | None]) -> Iterator[tuple[Revision, str | None, list[str | None]]]:
    """Each revision with the object names of its version and its parents' (`_object_names`
    of `commit:./path` for the commit, then each parent)."""
    at = 0
    for rev in found:
        yield rev, names[at], names[at + 1:at + 1 + len(rev.parents)]
        at += 1 + len(rev.parents)


def _stream_blobs(root: Path, names: list[str]) -> Generator[tuple[str, bytes], None, None]:
    """(name, content) of each blob named, from one `git cat-file --batch` reading the names
    from a file (git writes ahead while each is looked at; none is kept); stops early where
    git's answer is not a blob."""
    with tempfile.TemporaryFile() as asked:
        asked.write("".join(name + "\n" for name in names).encode("ascii"))
        asked.seek(0)
        process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=asked, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        assert process.stdout is not None
        try:
            for name in names:
                header = process.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
                    return
                raw = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # (the line break after each content)
                yield name, raw
        finally:
            process.stdout.close()
            process.wait()


def _holds(data: dict, item: str) -> bool:
    """Whether a version's data has the item `item` (as `ledger_changes` finds items)."""
    return any(isinstance(i, dict) and str(i.get("id")) == item for i in data.get("items") or [])


def _object_names(root: Path, specs: list[str]) -> list[str | None] | None:
    """The blob each `commit:./path` names (None: no such file there), by one `git cat-file
    --batch-check`; None where git's answer is not one line per name."""
    done = _git_bytes(root, "cat-file", "--batch-check", input="".join(s + "\n" for s in specs).encode("utf-8"))
    answers = done.stdout.decode("utf-8", "replace").split("\n")[:len(specs)]
    if done.returncode != 0 or len(answers) != len(specs):
        return None
    names: list[str | None] = []
    for answer in answers:
        fields = answer.split(" ")
        names.append(fields[0] if len(fields) == 3 and fields[1] == "blob" else None)
    return names


class _Blobs:
    """Blobs by name from one `git cat-file --batch` kept open, asked one at a time; the last
    few kept (a commit's parent version is most often the one just asked for)."""

    KEPT = 4

    def __init__(self, root: Path) -> None:
        self.root = root
        self.recent: dict[str, bytes] = {}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "_Blobs":
        self.process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.process.wait()

    def get(self, name: str) -> bytes | None:
        if name in self.recent:
            return self.recent[name]
        assert self.process is not None and self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(name.encode("ascii") + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            return None  # (missing: not asked for a name batch-check gave)
        size = int(header[2])
        raw = self.process.stdout.read(size)
        self.process.stdout.read(1)  # (the line break after each content)
        if len(self.recent) >= self.KEPT:
            del self.recent[next(iter(self.recent))]
        self.recent[name] = raw
        return raw


def _renumbered(change: Change, parents: Iterable[dict | None]) -> Change:
    """An item a merge added that a parent holds under another id: the merge driver renumbered it."""
    if change.kind != "item_added":
        return change
    for parent in parents:
        for item in (parent or {}).get("items") or []:
            if isinstance(item, dict) and item.get("id") != change.item and item.get("title") == change.values["title"]:
                return _change("item_renumbered", change.code, change.item, title=change.values["title"],
                               old=item.get("id"))
    return change
