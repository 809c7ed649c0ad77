"""The console script: `taizhang`. A view run again over unchanged files is written back from
its last run (repo/replay.py) before the command line is even parsed; anything else goes to
the CLI (cli/app.py)."""

from __future__ import annotations

import sys


def main() -> None:
    from taizhang.repo.replay import run

    run(_cli, sys.argv[1:])


def _cli() -> None:
    from taizhang.cli.app import main as cli_main

    cli_main()
