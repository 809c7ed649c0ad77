"""The console script: `taizhang`. A view run again over unchanged files is written back from
its last run (repo/replay.py) before the command line is even parsed; anything else goes to
the CLI (cli/app.py)."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # The cyclic collector is off from the first import on (cli.app.main says why it stays off):
    # imports make objects by the thousand, and each pass of the collector rescans them all; a
    # small `add` spent ~7 ms of its ~0.09 s so, before the CLI was even reached.
    gc.disable()
    from taizhang.repo.replay import run

    run(_cli, sys.argv[1:])


def _cli() -> None:
    from taizhang.cli.app import main as cli_main

    cli_main()
