"""The one cache every read goes through: settings, calendars, ledgers, the read a write does
first, and the lit views of `status` (views.py).

A `Cache` is made once per command from the repository's root and whether caching is on (the
CLI decides that, from $TAIZHANG_NO_CACHE); a disabled cache reads nothing and writes nothing.

Caches are a private copy (SPEC §9): an entry is believed only when this machine's own run wrote
it. Every entry is sealed with a keyed BLAKE2 digest whose key is a secret kept outside the tree
(in the git directory when there is one, else in the user's cache folder) and bound to the
repository's place on disk. A cache file committed with `git add -f`, copied from another
clone, another folder or another machine, or edited, fails its seal: it is ignored and written
anew, and every command says what the YAML says.

An entry is keyed by the *content* of its source (the bytes of the file), the tool's version and
what else changes how the file reads: an edit by hand, by taizhang, or a `git checkout` of an
older file of the same size all change the key, so a stale entry is never used. Only files
without errors are cached. Entries live in `.taizhang/cache/`, which git ignores; an unreadable
or corrupt entry is ignored and rewritten; a cache that cannot be written is no error. The cache
never changes a result: the tests run commands with and without it and compare.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from taizhang.errors import Problem
from taizhang.repo.digest import blake2b
from taizhang.version import __version__

FORMAT = 4
SECRET_BYTES = 32
SECRET_NAME = "taizhang-cache.key"


class Cache:
    """The cache of one repository. Nothing is touched until an entry is asked for."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.root = root
        self.enabled = enabled
        self._opened = False
        self._folder: Path | None = None
        self._key = b""

    @property
    def folder(self) -> Path | None:
        """`.taizhang/cache/`, or None: caching is off, the checkout is read-only, or there is
        no secret to seal entries with (then nothing is read from the cache nor written to it)."""
        if not self._opened:
            self._opened = True
            if self.enabled:
                self._folder, self._key = _open(self.root)
        return self._folder

    def mac(self, data: bytes | memoryview) -> str:
        """The seal of `data`: only this machine's secret makes it."""
        return blake2b(data, key=self._key, digest_size=16).hexdigest()

    def key(self, raw: bytes, context: str = "") -> str:
        """What an entry made from the source bytes `raw` is stored under."""
        h = blake2b(raw, key=self._key, digest_size=20)
        h.update(f"|{__version__}|{FORMAT}|{context}".encode())
        return h.hexdigest()

    # --- entries of a file read into data (settings, calendars, ledgers) ---

    def load(self, rel_path: str, raw: bytes, year: int | None = None) -> tuple[bytes, list[Problem]] | None:
        """(the data as JSON bytes, warnings) stored for this content, or None. The data stay
        JSON so that pydantic reads them straight into models (`model_validate_json`)."""
        folder = self.folder
        if folder is None:
            return None
        content = self.read(_entry_name(rel_path))
        if content is None:
            return None
        try:
            head, _, data = content.partition(b"\n")
            entry = json.loads(head)
            if entry.get("key") != self.key(raw, str(year)) or not data:
                return None
            warnings = [Problem(rel_path, p[0], p[1], p[2], p[3], "warning") for p in entry["warnings"]]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # corrupt: read the file again
        return data, warnings

    def store(self, rel_path: str, raw: bytes, year: int | None, data: Any, warnings: list[Problem]) -> None:
        """Remember what the content `raw` reads as."""
        if self.folder is None:
            return
        try:
            # A line of key and warnings, then the data (JSON has no raw newline in a value).
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            entry = {"key": self.key(raw, str(year)),
                     "warnings": [[p.line, p.col, p.key, p.args] for p in warnings]}
            head = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError):
            return  # data JSON cannot hold (never the case for a valid file)
        self.write(_entry_name(rel_path), head + b"\n" + body)

    # --- sealed entries by name (views.py frames its own) ---

    def read(self, name: str, starting: bytes = b"") -> bytes | None:
        """The content of the entry `name`, if this machine sealed it; else None. One whose
        content does not start with `starting` is None before its seal is even computed."""
        raw = self.read_raw(name)
        if raw is None:
            return None
        check, _, content = raw.partition(b"\n")
        if not content.startswith(starting):
            return None
        return content if check == self.mac(content).encode("ascii") else None

    def write(self, name: str, content: bytes) -> None:
        """Seal `content` (a first line of its seal) and keep it as the entry `name`."""
        self.write_raw(name, self.mac(content).encode("ascii") + b"\n" + content)

    def read_raw(self, name: str) -> bytes | None:
        folder = self.folder
        if folder is None:
            return None
        try:
            with open(folder / name, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def write_raw(self, name: str, content: bytes) -> None:
        """Write an entry (sealed whole: a reader that meets it half written rejects it)."""
        folder = self.folder
        if folder is not None:
            write_entry(folder / name, content)

    def forget(self, name: str) -> bool:
        """Delete the entry `name`; False if it stays (a read-only checkout)."""
        folder = self.folder
        if folder is None:
            return True
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            return False
        return True


def _entry_name(rel_path: str) -> str:
    return rel_path.replace("/", "__") + ".json"


def write_entry(path: Path, content: bytes) -> None:
    """Write an entry whole: a temporary file beside it, then a rename, so that a reader (or the
    next run after a crash, a full disk or kill -9) finds the old entry or the new one, never one
    cut short (SPEC §9: no cache file is left torn). The seal would reject a torn entry anyway;
    the rename costs 0.02–0.08 s per 2,500 entries here, and keeps the folder clean. An entry that
    cannot be written leaves no temporary file behind."""
    tmp = None
    try:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        _discard(tmp)


def _discard(tmp: str | None) -> None:
    """Remove a temporary file a write left behind, if it can be."""
    if tmp is not None:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _open(root: Path) -> tuple[Path | None, bytes]:
    """The cache folder and the key its entries are sealed with, or (None, b"")."""
    from taizhang.repo.files import state_dir

    try:
        folder = state_dir(root) / "cache"
    except OSError:
        return None, b""  # a read-only checkout: no cache
    place = secret_path(root)
    secret = machine_secret(place)
    if secret is None and place.parent != user_cache_dir():
        secret = machine_secret(user_cache_dir() / SECRET_NAME)  # a git directory we may not write
    if secret is None:
        return None, b""
    # Bound to the repository's place too: a cache copied from another folder is not believed.
    return folder, blake2b(os.fsencode(str(root.resolve())), key=secret, digest_size=32).digest()


def secret_path(root: Path) -> Path:
    """Where this machine's secret for `root` is kept, outside the tree: in the git directory
    (a clone elsewhere has its own), else in the user's cache folder."""
    for folder in (root, *root.resolve().parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / SECRET_NAME
        if dot_git.is_file():  # a worktree or a submodule: "gitdir: <its git directory>"
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                break
            if text.startswith("gitdir:"):
                git_dir = Path(text[len("gitdir:"):].strip())
                return (git_dir if git_dir.is_absolute() else folder / git_dir) / SECRET_NAME
            break
    return user_cache_dir() / SECRET_NAME


def user_cache_dir() -> Path:
    """The platform's per-user cache folder for taizhang."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taizhang"


def machine_secret(path: Path) -> bytes | None:
    """The secret kept at `path`, made (readable by the user only) when there is none yet or
    what is there is not one (a file cut short by a full disk). None if it cannot be had."""
    try:
        with open(path, "rb") as handle:
            secret = handle.read(SECRET_BYTES + 1)
        if len(secret) == SECRET_BYTES:
            return secret
    except OSError:
        pass
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".taizhang-key.", suffix=".tmp")  # mode 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # never replaces a secret another process made meanwhile
        except FileExistsError:
            with open(path, "rb") as handle:
                if len(handle.read(SECRET_BYTES + 1)) != SECRET_BYTES:
                    os.replace(tmp, path)  # a damaged one
                    tmp = None
        except OSError:
            os.replace(tmp, path)  # a file system without hard links
            tmp = None
        with open(path, "rb") as handle:
            secret = handle.read(SECRET_BYTES + 1)
        return secret if len(secret) == SECRET_BYTES else None
    except OSError:
        return None
    finally:
        _discard(tmp)
