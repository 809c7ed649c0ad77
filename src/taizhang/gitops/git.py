"""git: who the user is, committing exactly the files a command changed, registering the merge
driver, and the history of ledgers (what changed in each commit, item by item, for the audit)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from taizhang.errors import Problem, TaizhangError

DRIVER_NAME = "taizhang ledger merge"
DRIVER_COMMAND = "taizhang merge-driver %O %A %B %P"
ATTRIBUTE_LINES = ("ledgers/*.yaml merge=taizhang", "ledgers/*.yml merge=taizhang")


def _git(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", input=input)


def _git_bytes(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, input=input)


def user_name(root: Path) -> str | None:
    """git's user.name for this repository, if git is there and knows one."""
    try:
        result = _git(root, "config", "user.name")
    except OSError:
        return None
    name = result.stdout.strip()
    return name or None


def in_git(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except OSError:
        return False


def _require_git(root: Path) -> None:
    if not in_git(root):
        raise TaizhangError(Problem("", 0, 0, "git_not_repo", {"path": str(root)}))


def commit(root: Path, paths: list[Path], message: str) -> bool:
    """Commit `paths` (and nothing else that is staged) with `message`, authored by the
    repository's configured user. False outside git; a commit git refuses is an error that says
    the files are written."""
    if not in_git(root):
        return False
    rel = [str(p.resolve().relative_to(root.resolve())) for p in paths]
    for attempt in range(60):
        added = _git(root, "add", "--", *rel)
        done = added if added.returncode != 0 else _git(root, "commit", "--quiet", "--only", "-m", message, "--", *rel)
        output = done.stdout + done.stderr
        if done.returncode == 0 or (added.returncode == 0 and "nothing to commit" in output):
            return True
        if "index.lock" not in output:
            break
        time.sleep(0.1 + 0.01 * attempt)  # another taizhang (or git) is committing: wait our turn
    said = [line.strip() for line in (done.stderr.strip() or done.stdout.strip()).splitlines() if line.strip()]
    why = next((line for line in said if line.startswith(("fatal:", "error:"))), said[-1] if said else "")
    raise TaizhangError(Problem("", 0, 0, "git_commit_failed", {
        "paths": ", ".join(rel), "detail": why or f"git exit {done.returncode}"}))


# --- the merge driver ------------------------------------------------------------------------

@dataclass
class SetupStep:
    """One thing `git-setup` did or found done: `what` is a message key, `args` its arguments."""

    what: str
    args: dict[str, Any] = field(default_factory=dict)
    changed: bool = True


def setup_merge_driver(root: Path, command: str = DRIVER_COMMAND) -> list[SetupStep]:
    """Register the item-level merge driver for `ledgers/*.yaml` in the git repository holding
    `root`: `.gitattributes` at `root` names it (appended once; the user's lines stay), and the
    repository's git config says how to run it. Idempotent."""
    from taizhang.repo.files import atomic_write

    _require_git(root)
    steps = []
    attributes = root / ".gitattributes"
    old = attributes.read_bytes() if attributes.is_file() else b""
    present = {line.strip() for line in old.decode("utf-8", "replace").splitlines()}
    missing = [line for line in ATTRIBUTE_LINES if line not in present]
    if missing:
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        data = old + (newline if old and not old.endswith(b"\n") else b"")
        data += b"".join(line.encode("utf-8") + newline for line in missing)
        atomic_write(root, attributes, data)
    steps.append(SetupStep("git_setup_attributes", {"lines": "; ".join(ATTRIBUTE_LINES)}, bool(missing)))
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
    _require_git(root)
    args = ["log", "--relative", "-z", "--name-only", "--cc",
            "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%cI%x1f%s"]
    if limit:
        args += ["-n", str(limit)]
    done = _git(root, *args, "--", *pathspecs)
    if done.returncode != 0:
        if "does not have any commits" in done.stderr or "bad default revision" in done.stderr:
            return []
        raise TaizhangError(Problem("", 0, 0, "git_failed", {"detail": done.stderr.strip()}))
    found: list[Revision] = []
    for record in done.stdout.split("\x1e")[1:]:
        header, _, names = record.partition("\x00")
        commit, parents, author, email, when, subject = header.split("\x1f", 5)
        for name in (n.strip("\n") for n in names.split("\x00")):
            if name.endswith((".yaml", ".yml")):
                found.append(Revision(commit, parents.split(), author, email, when, subject, name))
    found.reverse()
    _load_blobs(root, found)
    return found


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
            else:
                changes.append(_change("project_field", code, field=key, old=old.get(key), new=new.get(key)))
    old_items = {i.get("id"): i for i in old.get("items") or [] if isinstance(i, dict)}
    new_items = {i.get("id"): i for i in new.get("items") or [] if isinstance(i, dict)}
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
    closed = item.get("closed") if isinstance(item.get("closed"), dict) else {}
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
            changes.append(_change("due", code, item_id, title=title, old=a, new=b))
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


def history(root: Path, pathspecs: list[str], limit: int | None = None) -> list[Event]:
    """The changes to the ledgers named, oldest first, each with its commit, date and author."""
    events: list[Event] = []
    versions: dict[tuple[str, bytes | None], dict | None] = {}  # each version is read once

    def read(raw: bytes | None, path: str) -> dict | None:
        if (path, raw) not in versions:
            versions[(path, raw)] = read_version(raw, path)
        return versions[(path, raw)]

    for rev in revisions(root, pathspecs, limit):
        code = Path(rev.path).stem
        new = read(rev.after, rev.path)
        if rev.after is not None and new is None:
            continue  # a version that does not read (conflict markers committed): nothing to say
        olds = [read(raw, rev.path) for raw in rev.before] or [None]
        per_parent = [ledger_changes(old, new, code) for old in olds]
        kept = [c for c in per_parent[0] if all(c in other for other in per_parent[1:])]
        if len(olds) > 1:
            kept = [_renumbered(c, olds) for c in kept]
        events += [Event(c, rev.commit, rev.date, rev.author, rev.email, rev.subject, rev.path) for c in kept]
    return events


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
