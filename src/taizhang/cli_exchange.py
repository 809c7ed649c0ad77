"""Commands registered on the CLI app from their own module (imported at the end of cli.py)."""

from __future__ import annotations
