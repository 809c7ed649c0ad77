"""The command line: typer over the library. Nothing imports this package."""

from taizhang.cli.app import app, main

__all__ = ["app", "main"]
