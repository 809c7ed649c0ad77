"""Where an item of a ledger stands, from the ledger's bytes where they vouch for it
(yamltext.itembytes.item_spot), each ledger read once: what places a plan's finding about an
item without the YAML parser, the models or the settings (`check` of an unchanged repository
places its findings so: loading the models to read the settings cost it 0.1 s)."""

from __future__ import annotations

from pathlib import Path

from taizhang.repo.layout import LEDGER_DIR
from taizhang.yamltext.itembytes import item_spot


class ItemSpots:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._raw: dict[str, bytes] = {}  # ledgers' bytes, read to place

    def spot(self, code: str, item_id: str) -> tuple[str, int, int] | None:
        """(the ledger's path, line, column) of item `item_id`'s id, None where the bytes cannot
        vouch for it (a flow-style item, an escape, conflict markers…: the ledger is read)."""
        rel = f"{LEDGER_DIR}/{code}.yaml"
        if code not in self._raw:
            try:
                self._raw[code] = (self.root / rel).read_bytes()
            except OSError:
                self._raw[code] = b""
        found = item_spot(self._raw[code], item_id)
        return (rel, *found) if found is not None else None
