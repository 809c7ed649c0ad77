"""Shared fixtures: a temporary ledger repository written from dedented text, and a CLI runner."""

from __future__ import annotations

import errno
import os
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from taizhang.cli.app import app

REPO_ROOT = Path(__file__).resolve().parent.parent

# A time limit on each example times the machine, not the code: on a CI runner or a machine
# shared by parallel workers (-n auto) one slow example failed a correct property test.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")
AS_OF = "2018-06-15"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def repo(tmp_path: Path) -> Callable[..., Path]:
    """`repo(YT2="...ledger text...", settings="...")` writes a repository and returns its root."""

    def make(settings: str | None = None, **ledgers: str) -> Path:
        root = tmp_path / "repo"
        (root / "ledgers").mkdir(parents=True, exist_ok=True)
        if settings is not None:
            (root / "taizhang.yaml").write_text(dedent(settings), encoding="utf-8")
        for code, text in ledgers.items():
            (root / "ledgers" / f"{code}.yaml").write_bytes(dedent(text).encode("utf-8"))
        return root

    return make


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def __repr__(self) -> str:
        return f"Result(exit_code={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


@pytest.fixture
def cli(monkeypatch, tmp_path_factory) -> Callable[..., Result]:
    """Run the CLI in-process: `cli("--dir", root, "status")` → Result(exit_code, stdout, stderr)."""
    # The cache's secret for a repository outside git lives in the user's cache folder: a test's own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    monkeypatch.delenv("TAIZHANG_DIR", raising=False)
    monkeypatch.delenv("TAIZHANG_TODAY", raising=False)
    monkeypatch.setenv("USER", "测试员")
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    runner = CliRunner()

    def invoke(*args) -> Result:
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


YT2 = """\
# yaml-language-server: $schema=../schemas/ledger.schema.json
# 宇通二期：按管委会要求挂图作战
code: YT2
name: 宇通二期项目
program: 双十工程
unit: 国际物流园区管委会综合办公室   # 责任单位
leader: 魏书全
deadline: 2020-06-30

items:
  - id: YT2-1
    title: 配套项目全面开工
    due: 2018-03-31   # 3月份全面开工
    closed:
      date: 2018-03-28
      by: 魏书全
  - id: YT2-2
    title: '主体项目桩基施工'
    due: 2018-06-10
    owner: 李四
    unit: 区建设局

  # 问题台账
  - id: YT2-3
    kind: problem
    title: 六个村拆迁进度滞后
    measures: 包村干部驻村推进
    due: 2018-06-20
    notes:
      - {date: 2018-05-02, by: 赵红彬, text: 已签约四个村}
  - id: YT2-4
    title: "主体施工"
    due: 2019-08-31
"""


def refusing(monkeypatch, folder: Path, error: int, spare: tuple[str, ...] = ()) -> None:
    """Under `folder`, the file system refuses as a read-only one does (every change: making,
    removing, renaming, opening to write; `error` EROFS) or as a full one does (writing data:
    `error` ENOSPC); a full disk spares the files whose path holds one of `spare`."""
    inside = lambda path: os.path.abspath(os.fspath(path)).startswith(str(folder))  # noqa: E731

    def refuse(path):
        raise OSError(error, os.strerror(error), os.fspath(path))

    if error == errno.EROFS:
        for name, paths in (("mkdir", 1), ("unlink", 1), ("rmdir", 1), ("replace", 2), ("rename", 2)):
            def call(*args, _real=getattr(os, name), _paths=paths, **kwargs):
                if any(isinstance(a, (str, os.PathLike)) and inside(a) for a in args[:_paths]):
                    refuse(args[0])
                return _real(*args, **kwargs)
            monkeypatch.setattr(os, name, call)
        real_open = os.open

        def open_(path, flags, *args, **kwargs):
            if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                refuse(path)
            return real_open(path, flags, *args, **kwargs)
        monkeypatch.setattr(os, "open", open_)
        return
    real_fdopen = os.fdopen

    class Full:
        """A file whose every write fails as on a full disk."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(error, os.strerror(error))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return handle
        return Full(handle) if inside(path) and not any(s in path for s in spare) else handle
    monkeypatch.setattr(os, "fdopen", fdopen)
