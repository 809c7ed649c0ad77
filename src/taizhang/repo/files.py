"""Writing inside a repository: machine-local state, locks, and all-or-nothing replacement of
one file or of several (through a journal, so that a kill between two renames is finished by
the next command rather than leaving some ledgers changed and others not)."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from taizhang.domain.ids import CODE_PATTERN
from taizhang.errors import Problem, TaizhangError
from taizhang.i18n import os_reason
from taizhang.repo.digest import blake2b
from taizhang.repo.layout import LEDGER_DIR
from taizhang.repo.temps import remove_quietly

JOURNAL_DIR = "journal"  # under state_dir: the committed journals of writes not yet finished


def state_dir(root: Path) -> Path:
    """`.taizhang/`: machine-local state (locks, temporary files, the cache) kept out of
    `ledgers/` and out of git. The one place that finds or makes it; OSError where it cannot be
    made (a read-only checkout), for the caller to do without."""
    folder = root / ".taizhang"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    try:
        whole = ignore.stat().st_size > 0
    except FileNotFoundError:
        whole = False
    if not whole:
        # A folder that ignores itself: git never sees it, and the user's .gitignore stays
        # theirs. Written whole or not at all: an empty one (a full disk) would let the cache
        # be committed, so one found empty is written again.
        tmp = _synced_copy(folder, ".gitignore.", b"*\n", None)
        try:
            os.replace(tmp, ignore)
        except BaseException:
            remove_quietly(tmp)
            raise
    return folder


@contextmanager
def locked(root: Path, name: str, timeout: float = 60.0) -> Iterator[None]:
    """Serialise writers of one ledger across processes. The OS drops the lock if a process dies."""
    with locked_all(root, [name], timeout):
        yield


@contextmanager
def locked_all(root: Path, names: Sequence[str], timeout: float = 60.0) -> Iterator[None]:
    """The locks of several ledgers, taken in sorted order (two writers of overlapping sets
    never wait for each other in a circle) and released in reverse. A folder where no lock can
    be made is reported as a write that cannot be made."""
    from taizhang.repo.locks import LockTimeout, acquire

    try:
        lock_dir = state_dir(root) / "locks"
        lock_dir.mkdir(exist_ok=True)
    except OSError as e:
        raise unwritable(root, e) from None
    held: list = []
    try:
        for name in sorted(set(names)):
            try:
                lock = acquire(str(lock_dir / f"{name}.lock"), timeout)
            except LockTimeout:
                raise TaizhangError(Problem("", 0, 0, "lock_timeout", {"name": name})) from None
            except OSError as e:
                raise unwritable(root, e) from None
            held.append(lock)
        yield
    finally:
        for lock in reversed(held):
            lock.release()


def unwritable(root: Path | None, error: OSError) -> TaizhangError:
    """A write the file system refused, as one line naming the file (relative to the root;
    without one, as the file system named it)."""
    path = ""
    if error.filename and root is None:  # (root None: a path outside any repository)
        path = str(error.filename)
    elif error.filename and root is not None:
        try:
            path = Path(os.path.abspath(error.filename)).relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            path = str(error.filename)
    return TaizhangError(Problem(path, 0, 0, "write_failed", {"detail": os_reason(error)}))


def atomic_write(root: Path, path: Path, data: bytes) -> None:
    """Replace `path` with `data`: the old file or the new one, never a torn one. Keeps the mode."""
    tmp_dir = state_dir(root) / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    clean_orphans(root, [path])
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        # A new file gets the mode any file the clerk makes gets (0644 under umask 022), not
        # the 0600 of the temporary file it is written as.
        mode = 0o666 & ~_umask()
    tmp = _synced_copy(tmp_dir, path.name + ".", data, mode, path)
    try:
        try:
            os.replace(tmp, path)
        except OSError as e:
            if e.errno != errno.EXDEV:
                e.filename, e.filename2 = str(path), None  # (the temporary file means nothing to the user)
                raise
            # .taizhang/ on another filesystem than ledgers/ (a mount): rename within the folder.
            remove_quietly(tmp)
            tmp = _synced_copy(path.parent, "." + path.name + ".", data, mode, path)
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        remove_quietly(tmp)
        raise


def replace_files(root: Path, writes: Sequence[tuple[Path, bytes]], locks: Sequence[str]) -> None:
    """Replace (or create) several files as one: after a kill at any moment, either none of them
    changed or, once the next command has run, all of them did. The caller holds `locks`, the
    locks of every file written.

    Every new content is first written to a synced temporary file, then a journal naming each
    (target, temporary file, digest of the target's old bytes) is made; the journal's atomic
    appearance under `.taizhang/journal/` is the commit point. Then each temporary file is
    renamed over its target and the journal removed. A kill before the commit point leaves only
    temporary files (cleaned by the next write of those ledgers); a kill after it leaves a
    journal that `finish_journals` completes."""
    for path, _ in writes:
        # A ledger made read-only says "do not change me" (a rename would replace it anyway).
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    if not writes:
        return
    if len(writes) == 1:  # one rename is atomic by itself
        atomic_write(root, *writes[0])
        return
    tmp_dir = state_dir(root) / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    journal_dir = state_dir(root) / JOURNAL_DIR
    journal_dir.mkdir(exist_ok=True)
    for folder in {path.parent for path, _ in writes} | {journal_dir}:
        # A rename refused after the commit point would leave the journal for later: refuse now.
        if not os.access(folder, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    same_device = _device(tmp_dir)
    temps: list[str] = []
    entries = []
    try:
        clean_orphans(root, [path for path, _ in writes])
        for path, data in writes:
            try:
                old = path.read_bytes()
                mode: int | None = path.stat().st_mode & 0o7777
            except FileNotFoundError:
                old, mode = None, 0o666 & ~_umask()  # a new ledger: the clerk's umask, as above
            # The rename must stay within one file system: beside the target if .taizhang/ is not.
            folder = tmp_dir if _device(path.parent) == same_device else path.parent
            prefix = path.name + "." if folder == tmp_dir else "." + path.name + "."
            temps.append(_synced_copy(folder, prefix, data, mode, path))
            entries.append({"target": _rel(root, path), "temp": _rel(root, Path(temps[-1])),
                            "old": None if old is None else _digest(old), "new": _digest(data)})
        body = json.dumps({"locks": sorted(set(locks)), "files": entries}, ensure_ascii=False).encode("utf-8")
        # Named after a file it writes, whose lock this writer holds: a dead writer's unfinished
        # journal is an orphan like its other temporary files.
        temps.append(_synced_copy(tmp_dir, writes[0][0].name + ".", body, None, journal_dir))
        journal = journal_dir / (Path(temps[-1]).name[: -len(".tmp")] + ".json")
        os.replace(temps[-1], journal)  # the commit point
        temps.pop()
        _fsync_dir(journal_dir)
    except BaseException:
        for tmp in temps:
            remove_quietly(tmp)
        raise
    _roll_forward(root, journal, entries)


def finish_journals(root: Path, held: Sequence[str] = ()) -> bool:
    """Complete the writes a killed command committed but did not finish. Each journal is
    finished under the locks it names (a live writer's is gone by the time they are free);
    with `held`, the locks the caller holds, only journals needing no other lock are finished,
    and False says one needs more (release and call again). One listing when there is none."""
    folder = root / ".taizhang" / JOURNAL_DIR
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:  # no journal folder: nothing was ever committed through one
        return True
    done = True
    for name in names:
        journal = folder / name
        try:
            read = _read_journal(journal.read_bytes())
        except OSError:
            continue  # its writer finished it meanwhile
        if read is None:
            continue  # not one of ours (a journal is renamed in whole, never torn): never followed
        locks, entries = read
        if held:
            if not set(locks) & set(held):
                continue
            if not set(locks) <= set(held):
                done = False
                continue
            if journal.exists():
                _roll_forward(root, journal, entries)
            continue
        with locked_all(root, locks):
            if journal.exists():
                _roll_forward(root, journal, entries)
    return done


def _read_journal(raw: bytes) -> tuple[list[str], list[dict]] | None:
    """(locks, files) of a journal, or None if it is not one this program wrote: every lock a
    code, every target a ledger among them, every temporary file one of that ledger's in the
    repository's own folders. A journal copied or edited in can rename nothing elsewhere."""
    try:
        content = json.loads(raw)
        locks, entries = list(content["locks"]), list(content["files"])
        if not all(isinstance(code, str) and re.fullmatch(CODE_PATTERN, code) for code in locks):
            return None
        for entry in entries:
            code = next(c for c in locks if entry["target"] == f"{LEDGER_DIR}/{c}.yaml")
            if not (re.fullmatch(rf"\.taizhang/tmp/{code}\.yaml\.[A-Za-z0-9_]+\.tmp", entry["temp"])
                    or re.fullmatch(rf"{LEDGER_DIR}/\.{code}\.yaml\.[A-Za-z0-9_]+\.tmp", entry["temp"])):
                return None
            if not isinstance(entry["new"], str) or not isinstance(entry["old"], (str, type(None))):
                return None
    except (ValueError, KeyError, TypeError, StopIteration):
        return None
    return locks, entries


def _roll_forward(root: Path, journal: Path, entries: list[dict]) -> None:
    """Rename each temporary file still there over its target if the target still holds the
    bytes the journal was made against (else someone changed it since: theirs is kept) and the
    temporary file the bytes it was written with, then remove the journal."""
    folders = set()
    for entry in entries:
        tmp, target = root / entry["temp"], root / entry["target"]
        try:
            if not stat.S_ISREG(os.lstat(tmp).st_mode):
                os.unlink(tmp)
                continue
            whole = _digest(tmp.read_bytes()) == entry["new"]
        except FileNotFoundError:
            continue  # renamed already
        try:
            current: str | None = _digest(target.read_bytes())
        except FileNotFoundError:
            current = None
        if current == entry["old"] and whole:
            os.replace(tmp, target)
            folders.add(target.parent)
        else:
            os.unlink(tmp)
    for folder in folders:
        _fsync_dir(folder)
    journal.unlink()
    _fsync_dir(journal.parent)


_LEDGER_TEMP = re.compile(r"([A-Z][A-Z0-9]*)\.yaml\..+\.tmp")


def clean_all_orphans(root: Path, held: Sequence[str]) -> None:
    """Remove the temporary files every crashed writer of a ledger left (SPEC §2: the next
    write cleans them, whichever ledger it writes). A ledger's file is a dead writer's when its
    lock is free (tried without waiting: no order to keep) or held by the caller, and no
    journal names it. One listing when there is none."""
    from taizhang.repo.locks import LockTimeout, acquire

    tmp_dir = root / ".taizhang" / "tmp"
    try:
        names = os.listdir(tmp_dir)
    except OSError:
        return
    by_code: dict[str, list[str]] = {}
    for name in names:
        match = _LEDGER_TEMP.fullmatch(name)
        if match:
            by_code.setdefault(match.group(1), []).append(name)
    if not by_code:
        return
    named = _journal_temps(root)
    for code, temps in sorted(by_code.items()):
        lock = None
        if code not in held:
            try:
                lock = acquire(str(root / ".taizhang" / "locks" / f"{code}.lock"), 0)
            except (LockTimeout, OSError):
                continue  # being written now
        try:
            for name in temps:
                if f".taizhang/tmp/{name}" not in named:
                    try:
                        os.unlink(tmp_dir / name)
                    except OSError:
                        pass
        finally:
            if lock is not None:
                lock.release()


def _journal_temps(root: Path) -> set[str]:
    """The temporary files the journals there name (relative to the root)."""
    folder = root / ".taizhang" / JOURNAL_DIR
    named: set[str] = set()
    try:
        journals = [folder / n for n in os.listdir(folder) if n.endswith(".json")]
    except OSError:
        return named
    for journal in journals:
        try:
            read = _read_journal(journal.read_bytes())
        except OSError:
            continue
        if read is not None:
            named.update(entry["temp"] for entry in read[1])
    return named


def clean_orphans(root: Path, paths: Sequence[Path]) -> None:
    """Remove the temporary files of `paths` a crashed writer left (`.taizhang/tmp/NAME.*.tmp`,
    and `.NAME.*.tmp` beside the file where `.taizhang/` is on another file system). Called under
    the files' locks after their journals are finished: any temporary file of them is then a
    dead writer's. Each folder is listed once for all the files (a listing per file written made
    an import of 8,000 projects quadratic)."""
    wanted: dict[Path, set[str]] = {root / ".taizhang" / "tmp": {path.name for path in paths}}
    for path in paths:
        wanted.setdefault(path.parent, set()).add("." + path.name)
    for folder, names in wanted.items():
        try:
            listed = os.listdir(folder)
        except OSError:
            continue
        for entry in listed:
            if _temp_of(entry, names):
                try:
                    os.unlink(folder / entry)
                except OSError:
                    pass


def _temp_of(entry: str, names: set[str]) -> bool:
    """Whether `entry` is `NAME.*.tmp` for one of `names` (a temporary name `_synced_copy` gives)."""
    if not entry.endswith(".tmp"):
        return False
    dot = entry.find(".")
    while 0 <= dot <= len(entry) - 5:
        if entry[:dot] in names:
            return True
        dot = entry.find(".", dot + 1)
    return False


def replace_in_place(target: Path, data: bytes) -> None:
    """Replace a file outside the repository's own folders (git's temporary OURS file) the same
    way: a synced temporary file beside it, renamed over it, the mode kept."""
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = None
    tmp = _synced_copy(target.parent, ".taizhang-", data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        remove_quietly(tmp)
        raise


def _synced_copy(folder: Path, prefix: str, data: bytes, mode: int | None, shown: Path | None = None) -> str:
    """A temporary file in `folder` holding `data`, flushed to disk, with `mode`. An error
    names the folder (no file can be made there) or `shown`, the file the copy is for (a full
    disk: the temporary name would mean nothing to the user)."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    except OSError as e:
        e.filename = e.filename or str(folder)
        if os.path.basename(str(e.filename)).startswith(prefix):
            e.filename = str(folder)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(name, mode)
    except BaseException as e:
        remove_quietly(name)
        if isinstance(e, OSError) and shown is not None:
            e.filename = str(shown)
        raise
    return name


def _device(folder: Path) -> int:
    return os.stat(folder).st_dev


def _digest(data: bytes) -> str:
    return blake2b(data, digest_size=20).hexdigest()


def _rel(root: Path, path: Path) -> str:
    return Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root))).as_posix()


def _umask() -> int:
    """The process's umask. Linux shows it in /proc; elsewhere it is read by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory; NTFS journals the rename itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:
        e.filename = e.filename or str(folder)
        raise
    finally:
        os.close(fd)
