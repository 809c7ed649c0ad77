"""taizhang (台账): the ledgers of key projects as YAML files in git."""

__version__ = "0.1.0"
