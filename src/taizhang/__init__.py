"""taizhang (台账): the ledgers of key projects as YAML files in git."""

from taizhang.version import __version__

__all__ = ["__version__"]
