"""Replay: a view's output again, when nothing it read has changed (issue 17: a warm `status`).

`status` (and `taizhang` alone) and `check` without files only read and print. Run again with
the same arguments, environment, working folder, terminals and day, over the same files, they
print the same bytes. So a run keeps what it printed (stdout and stderr as written, and the exit
code) beside what it read: every file it opened and every folder it listed, as Python's audit
hook reports them (`open`, `os.listdir`, `os.scandir`: the reads themselves, not a list of ours
that could miss one), each file with its type and a digest of its bytes, each folder with its
names, and the folder of every file it opened listed too (a file that appears beside them, such
as a new `taizhang.yaml` or `notices.yaml`, is a change). The next such run reads those files
again — no YAML, no models, no rich, not even typer — and writes the output back when every one
is the same; anything else runs the command, which keeps its output anew.

Nothing is kept from a run that wrote a file outside the caches, started a process, or ended
other than 0 or 1. Entries are kept per user (the user's cache folder, `replay/`), sealed with
that folder's machine secret like every cache entry (SPEC §9: a copied or edited entry is never
believed), written whole, at most KEEP of them (the oldest go). TAIZHANG_NO_CACHE turns it off.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable

from taizhang.repo.digest import blake2b
from taizhang.version import __version__, code_stamp, holiday_data_stamp

KEEP = 32
MAX_OUTPUT = 256 * 1024 * 1024  # (`status --json` of 100,000 items is ~40 MB)
GLOBAL_WITH_VALUE = ("--dir", "--as-of", "--lang")
GLOBAL_FLAGS = ("--no-color",)
_CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".so", ".pyd", ".pth")


def command_of(argv: list[str]) -> tuple[str, list[str]] | None:
    """(the command, what follows it) past the global options; ("", []) for none (status). None
    when the line holds an option this cannot place before a command (--help, --version…)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in GLOBAL_WITH_VALUE:
            i += 2
        elif arg.startswith(tuple(o + "=" for o in GLOBAL_WITH_VALUE)) or arg in GLOBAL_FLAGS:
            i += 1
        elif arg.startswith("-"):
            return None
        else:
            return arg, argv[i + 1:]
    return "", []


def replayable(argv: list[str], environ: dict[str, str]) -> bool:
    """A view that only reads the repository: status with any options, check of the whole
    repository. Never with --help (or anything help-like), and not with the caches off."""
    if environ.get("TAIZHANG_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    if any(a in ("--help", "-h", "--version", "--install-completion", "--show-completion") for a in argv):
        return False
    found = command_of(argv)
    if found is None:
        return False
    command, rest = found
    if command in ("", "status"):
        return True
    return command == "check" and (command_of(rest) == ("", []))


def _terminal(fd: int) -> str:
    try:
        if not os.isatty(fd):
            return "-"
        size = os.get_terminal_size(fd)
        return f"tty{size.columns}x{size.lines}"
    except (OSError, ValueError):
        return "?"


def _streams() -> str:
    return "|".join(f"{getattr(s, 'encoding', None)}:{getattr(s, 'errors', None)}" for s in (sys.stdout, sys.stderr))


def _named_folders(argv: list[str], environ: dict[str, str]) -> list[str]:
    """Where the folders named by --dir and $TAIZHANG_DIR lead now: the CLI resolves them (a
    link such as `current` → this year's repository), and no audit event reports the links."""
    named = [environ.get("TAIZHANG_DIR", "")]
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--dir" and i + 1 < len(argv):
            named.append(argv[i + 1])
        elif arg.startswith("--dir="):
            named.append(arg[len("--dir="):])
    return [os.path.realpath(path) if path else "" for path in named]


def entry_key(argv: list[str], environ: dict[str, str], cwd: str, today: date) -> str:
    """Everything besides the files that a view's output may depend on: the tool and the
    interpreter (its flags, its streams' encodings), the day, the folder and the repository
    found from it (found by lexists, which no audit event reports), where --dir and
    $TAIZHANG_DIR lead, the command line, the environment and the terminals."""
    from taizhang.repo.layout import find_root

    h = blake2b(digest_size=20)
    for part in (__version__, sys.version, sys.executable, repr(sys.flags), _streams(), code_stamp(),
                 holiday_data_stamp(), today.isoformat(), cwd, str(find_root(Path(cwd))),
                 json.dumps(_named_folders(argv, environ), ensure_ascii=False),
                 json.dumps(argv, ensure_ascii=False), json.dumps(sorted(environ.items()), ensure_ascii=False),
                 _terminal(0), _terminal(1), _terminal(2)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\x00")
    return h.hexdigest()


# --- what a run read ------------------------------------------------------------------------

def _file_state(path: str) -> list | None:
    """[type, digest] of a path as it is now: a regular file's bytes, else only its type."""
    try:
        st = os.lstat(path)
    except OSError:
        return ["missing", ""]
    kind = stat.S_IFMT(st.st_mode)
    if not stat.S_ISREG(st.st_mode):
        return [kind, ""]
    try:
        with open(path, "rb") as handle:
            return [kind, blake2b(handle.read(), digest_size=16).hexdigest()]
    except OSError:
        return None


def _kind(entry: os.DirEntry) -> str:
    try:
        if entry.is_symlink():
            # With where it leads: `ledgers` linked to a folder outside the repository is
            # refused where the same link inside is read (files read through it may be the same).
            return "l" + os.readlink(entry.path)
        if entry.is_dir(follow_symlinks=False):
            return "d"
        return "f" if entry.is_file(follow_symlinks=False) else "o"  # a FIFO, a socket…
    except OSError:
        return "?"


def _folder_state(path: str) -> str | None:
    """The names in a folder and what each is (a link that becomes a file is a change, though
    the run that refused the link never opened it; so is a link that leads elsewhere)."""
    try:
        with os.scandir(path) as found:
            names = sorted(f"{entry.name}\x01{_kind(entry)}" for entry in found)
    except OSError:
        return "missing"
    return blake2b("\x00".join(names).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _stamp(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


class Reads:
    """The files and folders a run opened and listed, from the audit hook; whether it wrote
    anything besides the caches or started a process (then nothing is kept)."""

    def __init__(self, ignored: list[str]) -> None:
        self.files: dict[str, tuple | None] = {}  # path → its stamp when first opened
        self.written: set[str] = set()
        self.folders: set[str] = set()
        # Each folder's listing when first seen (listed by the run, or a file in it first opened):
        # a name that appears after the run listed it (a ledger saved meanwhile) is a change the
        # output does not hold, though the listing taken at the end would vouch for it.
        self.seen: dict[str, str | None] = {}
        self._unwatched: set[str] = set()
        self._busy = False  # (taking a listing: its own audit event is not the run's)
        self.tainted = False
        self.ignored = [os.path.normcase(os.path.abspath(p)) for p in ignored]
        self.active = True
        self._states: dict[str, bool] = {}
        from taizhang.repo.files import JOURNAL_DIR

        self._journals = JOURNAL_DIR  # (the one folder of `.taizhang` watched: _ignore)

    def _ignore(self, path: str) -> bool:
        if path.endswith(_CODE_SUFFIXES):
            return True
        if path.startswith(("/proc/", "/sys/")):
            return True  # the kernel's state (how busy the cores are: forked.py), not content
        full = os.path.normcase(path)
        if any(full == p or full.startswith(p + os.sep) for p in self.ignored):
            return True
        # A repository's own state folder (its caches, locks, temporary files: derived, sealed)
        # is `.taizhang` beside `ledgers/` or `taizhang.yaml` — not any folder of that name; but
        # for the listing of its journals' folder: a write killed after its commit point is
        # finished by the next command, before it reads (files.finish_journals), so a journal
        # there changes what a run shows, though no ledger's bytes changed yet.
        parts = path.split(os.sep)
        for i, part in enumerate(parts):
            if part == ".taizhang":
                parent = os.sep.join(parts[:i]) or os.sep
                if parent not in self._states:
                    self._states[parent] = (os.path.isdir(os.path.join(parent, "ledgers"))
                                            or os.path.lexists(os.path.join(parent, "taizhang.yaml")))
                if self._states[parent]:
                    return parts[i + 1:] != [self._journals]
        return False

    def _first_sight(self, folder: str) -> None:
        if folder in self.seen or folder in self._unwatched:
            return
        if self._ignore(folder):
            self._unwatched.add(folder)  # (the caches' folders: thousands of entries opened)
            return
        self._busy = True
        try:
            self.seen[folder] = _folder_state(folder)
        finally:
            self._busy = False

    def hook(self, event: str, args: tuple) -> None:
        if not self.active or self._busy:
            return
        if event == "open":
            path, mode, flags = args
            if not isinstance(path, (str, bytes)):
                return  # a file descriptor
            path = os.path.abspath(os.fsdecode(path))
            if path.endswith(_CODE_SUFFIXES):
                return  # modules (the code is in the key: version.code_stamp)
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and mode is None
                and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))
            if writing:
                self.written.add(path)
            elif path not in self.files:
                self._first_sight(os.path.dirname(path))
                self.files[path] = _stamp(path)  # before it is read: a change meanwhile shows
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args else "."
            if isinstance(path, (str, bytes)):
                folder = os.path.abspath(os.fsdecode(path or "."))
                self._first_sight(folder)
                self.folders.add(folder)
        elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile"):
            self.tainted = True

    def state(self) -> dict[str, Any] | None:
        """What the run read, as it is now; None when it may not be kept: it wrote a file
        outside the caches, started a process, or a file it read or a folder it listed changed
        while it ran."""
        if self.tainted or any(not self._ignore(path) for path in self.written):
            return None
        read = [path for path in self.files if not self._ignore(path)]
        folders = {f for f in self.folders if not self._ignore(f)} | {os.path.dirname(f) for f in read}
        files = {}
        for path in sorted(read):
            found = _file_state(path)
            if found is None or _stamp(path) != self.files[path]:
                return None  # (a file rewritten between its reading and now: the output is of the old)
            files[path] = found
        listed = {f: _folder_state(f) for f in sorted(folders)}
        if any(self.seen.get(f, now) != now for f, now in listed.items()):
            return None  # (a name added or removed after the run listed the folder)
        return {"files": files, "folders": listed}


def unchanged(state: dict[str, Any]) -> bool:
    files, folders = state["files"], state["folders"]
    if not isinstance(files, dict) or not isinstance(folders, dict):
        return False
    return (all(_folder_state(f) == v for f, v in folders.items())
            and all(_file_state(f) == v for f, v in files.items()))


# --- what a run printed ---------------------------------------------------------------------

class _Tee:
    """A stream that writes through and keeps the bytes it wrote (a text stream's as encoded,
    and its `buffer` kept too, for what is written there directly)."""

    def __init__(self, stream: Any, chunks: list, which: int, text: bool = True,
                 failed: list[OSError] | None = None) -> None:
        self._stream, self._chunks, self._which, self._text = stream, chunks, which, text
        # What the stream refused (a reader gone away, a full disk): such a run's output did not
        # all get out, and is not kept (the next run would write back a cut or empty output).
        self.failed: list[OSError] = failed if failed is not None else []
        buffer = getattr(stream, "buffer", None) if text else None
        self.buffer = _Tee(buffer, chunks, which, False, self.failed) if buffer is not None else None

    def write(self, data: Any) -> Any:
        try:
            written = self._stream.write(data)
        except OSError as e:
            self.failed.append(e)
            raise
        if self._text:
            encoding = getattr(self._stream, "encoding", None) or "utf-8"
            errors = getattr(self._stream, "errors", None) or "strict"
            # The bytes as they reach the file: Windows' text streams write a line end as CRLF.
            kept = data.replace("\n", "\r\n") if sys.platform == "win32" else data
            self._chunks.append((self._which, kept.encode(encoding, errors)))
        else:
            self._chunks.append((self._which, bytes(data)))
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            self.failed.append(e)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


# --- the entries ----------------------------------------------------------------------------

def _folder() -> Path:
    from taizhang.repo.cache import user_cache_dir

    return user_cache_dir() / "replay"


def _secret() -> bytes | None:
    from taizhang.repo.cache import SECRET_NAME, machine_secret, user_cache_dir

    return machine_secret(user_cache_dir() / SECRET_NAME)


def _mac(secret: bytes, content: bytes) -> bytes:
    return blake2b(content, key=secret, digest_size=16).hexdigest().encode("ascii")


def _load(key: str, secret: bytes) -> tuple[dict, bytes] | None:
    try:
        with open(_folder() / (key + ".bin"), "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    seal, _, content = raw.partition(b"\n")
    if seal != _mac(secret, content):
        return None
    head, _, payload = content.partition(b"\n")
    try:
        entry = json.loads(head)
    except ValueError:
        return None
    return (entry, payload) if isinstance(entry, dict) and entry.get("key") == key else None


def _store(key: str, secret: bytes, state: dict, chunks: list, code: int) -> None:
    from taizhang.repo.cache import write_entry

    payload = b"".join(data for _, data in chunks)
    if len(payload) > MAX_OUTPUT:
        return
    head = json.dumps({"key": key, "code": code, "state": state,
                       "chunks": [[which, len(data)] for which, data in chunks]}, ensure_ascii=False)
    content = head.encode("utf-8", "surrogateescape") + b"\n" + payload
    folder = _folder()
    write_entry(folder / (key + ".bin"), _mac(secret, content) + b"\n" + content)
    try:
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink()
        newest = max((entry.stat().st_mtime for entry in entries[-1:]), default=None)
        for left in folder.glob(".*.tmp"):  # a write killed midway
            # (None: no entry at all, this one not written either: a full disk, a quota)
            if newest is not None and left.stat().st_mtime < newest - 3600:
                left.unlink()
    except OSError:
        pass


def _write_back(entry: dict, payload: bytes) -> int:
    streams = {1: sys.stdout, 2: sys.stderr}
    at = 0
    for which, size in entry["chunks"]:
        stream = streams[which]
        stream.flush()
        stream.buffer.write(payload[at:at + size])
        at += size
    for stream in streams.values():
        stream.flush()
    return int(entry["code"])


def run(command: Callable[[], None], argv: list[str]) -> None:
    """Run `command` (the CLI), or write back what its last identical run printed."""
    environ = dict(os.environ)
    if not (replayable(argv, environ) and hasattr(sys.stdout, "buffer") and hasattr(sys.stderr, "buffer")):
        command()
        return
    found = None
    try:
        key = entry_key(argv, environ, os.getcwd(), date.today())
        secret = _secret()
        found = _load(key, secret) if secret is not None else None
        if found is not None and not (isinstance(found[0].get("chunks"), list)
                                      and unchanged(found[0]["state"])):
            found = None
        if found is not None:
            try:
                os.utime(_folder() / (key + ".bin"))  # used: the last to go when entries are pruned
            except OSError:
                pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeError):
        secret = found = None  # cannot replay (nor keep): run the command as if there were no replay
    if found is not None:
        try:
            code = _write_back(*found)
        except KeyboardInterrupt:
            # Ctrl-C while a long output waits on a slow reader (a pager): leave as the command
            # itself leaves on one (typer: exit 130, no message), not with a traceback.
            code = 130
        except BrokenPipeError:
            # The reader went away (`| head`): nothing to say, as the command itself says nothing.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            code = 1
        except (OSError, ValueError, KeyError, TypeError) as e:
            # Part of the output may be out already: say so once rather than print it twice.
            from taizhang.i18n import os_reason

            try:
                sys.stderr.write(f"taizhang: {os_reason(e)}\n")
            except OSError:
                pass
            code = 1
        raise SystemExit(code)
    if secret is None:
        command()
        return
    _record(command, key, secret)


def _record(command: Callable[[], None], key: str, secret: bytes) -> None:
    from taizhang.repo.cache import SECRET_NAME, user_cache_dir

    reads = Reads([str(user_cache_dir()), str(user_cache_dir() / SECRET_NAME)])
    sys.addaudithook(reads.hook)
    chunks: list = []
    out, err = sys.stdout, sys.stderr
    tees = _Tee(out, chunks, 1), _Tee(err, chunks, 2)
    interrupted = _Interrupts()
    sys.stdout, sys.stderr = tees  # type: ignore[assignment]
    code: Any = None
    try:
        command()
        code = 0
    except SystemExit as e:
        code = e.code if e.code is not None else 0
        raise
    finally:
        sys.stdout, sys.stderr = out, err
        reads.active = False
        interrupted.stop()
        if code in (0, 1) and not interrupted.seen and _flushed(tees):
            try:
                state = reads.state()
                if state is not None:
                    _store(key, secret, state, chunks, code)
            except (OSError, ValueError, TypeError):
                pass


class _Interrupts:
    """Whether Ctrl-C (SIGINT) reached the run. A run cut short is never kept, whatever its exit
    code says: a click that turns the KeyboardInterrupt into "Aborted!" and exit 1 (typer before
    0.13 did) would otherwise have the next run write back half a table and "Aborted!"."""

    def __init__(self) -> None:
        import signal

        self.seen = False
        self._previous: Any = None
        try:
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._note)
        except (ValueError, OSError):  # (not the main thread: no handler of ours)
            self._previous = None

    def _note(self, signum: int, frame: Any) -> None:
        import signal

        self.seen = True
        signal.default_int_handler(signum, frame)  # KeyboardInterrupt, as without us

    def stop(self) -> None:
        if self._previous is not None:
            import signal

            try:
                signal.signal(signal.SIGINT, self._previous)
            except (ValueError, OSError):
                pass


def _flushed(tees: tuple[_Tee, _Tee]) -> bool:
    """Whether all the run wrote got out: nothing refused, and what is still buffered flushed
    now (not at exit, after the entry would be kept)."""
    for tee in tees:
        if not tee.failed:
            try:
                tee.flush()
            except (OSError, ValueError):
                pass
    return not any(tee.failed for tee in tees)
