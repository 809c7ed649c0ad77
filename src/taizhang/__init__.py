"""taizhang (台账): the ledgers of key projects as YAML files in git.

The library for scripts (the command line uses the same calls):

    import taizhang
    repo = taizhang.open_repository("path/to/repo")
    new_id = repo.add("YT2", "完成拆迁", due=taizhang.parse_date("2018-09-30"))

Names are imported when first used (module `__getattr__`): `import taizhang.cli` and
`taizhang --help` stay as cheap as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from taizhang.version import __version__

if TYPE_CHECKING:
    from taizhang.domain.dates import parse_date
    from taizhang.errors import Problem, TaizhangError
    from taizhang.repo.repository import Repository, init_repository, open_repository

# public name → the module that defines it
_API = {
    "open_repository": "taizhang.repo.repository",
    "init_repository": "taizhang.repo.repository",
    "Repository": "taizhang.repo.repository",
    "Problem": "taizhang.errors",
    "TaizhangError": "taizhang.errors",
    "parse_date": "taizhang.domain.dates",
}

__all__ = ["__version__", "open_repository", "init_repository", "Repository", "Problem", "TaizhangError",
           "parse_date"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'taizhang' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
