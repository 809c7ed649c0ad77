"""Every exit code the command line gives, and the one way out with one (`leave`).

A command: 0 success, 1 the user's data or input is wrong (one stderr line per problem), 2 wrong
usage (click's own). The merge driver, run by git, speaks git's language instead: 0 merged
cleanly, 1 conflicts left in the file, 2 the inputs could not be read (git stops the merge).
"""

from __future__ import annotations

from typing import NoReturn

import typer

OK = 0
PROBLEMS = 1  # the data or the input is wrong: the problems were printed on stderr
USAGE = 2  # click's code for a wrong command line (raised by click itself)

MERGE_CLEAN = 0
MERGE_CONFLICTS = 1
MERGE_UNREADABLE = 2


def leave(code: int) -> NoReturn:
    """End the command with `code` (typer unwinds to its caller, which exits)."""
    raise typer.Exit(code)


def problems_if(found: object) -> int:
    """PROBLEMS when anything was found, else OK."""
    return PROBLEMS if found else OK
