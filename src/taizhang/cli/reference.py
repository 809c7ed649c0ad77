"""docs/cli-reference.md from the command line itself: every command with its help, arguments and
options. `python -m taizhang.cli.reference > docs/cli-reference.md` (tests/test_docs.py fails
when the file is stale)."""

from __future__ import annotations

import inspect
from typing import Any

import typer

from taizhang.cli.app import COMMANDS, app
from taizhang.cli.usage import argument_metavar, argument_usage

REGENERATE = "python -m taizhang.cli.reference > docs/cli-reference.md"


def cli_group() -> Any:
    """The app's click group and a context for it."""
    group = typer.main.get_command(app)
    return group, group.make_context("taizhang", [], resilient_parsing=True)


def _usage(command: Any) -> str:
    """`[OPTIONS] ID FIELD=VALUE...`: arguments as the usage line names them."""
    return " ".join(["[OPTIONS]", *(argument_usage(p) for p in command.params if p.param_type_name == "argument")])


def _params(command: Any, ctx: Any) -> list[str]:
    lines = []
    for param in command.params:
        if param.param_type_name == "argument":  # written here: typer versions word them differently
            text = (getattr(param, "help", None) or "") + ("  [required]" if param.required else "")
            lines.append(f"- `{argument_metavar(param)}`" + (f": {text}" if text else ""))
            continue
        record = param.get_help_record(ctx)
        if record is not None:
            names, text = record
            lines.append(f"- `{names}`" + (f": {text}" if text else ""))
    return lines


def reference() -> str:
    group, ctx = cli_group()
    out = ["# taizhang command reference", "",
           f"Generated from the command line by `{REGENERATE}`; do not edit by hand.", "",
           "## Global options", "",
           "They may stand before or after the command (`taizhang status --as-of 2018-06-15`).", ""]
    out += [line for line in _params(group, ctx) if "--help" not in line]
    out.append("")
    for name in COMMANDS:
        command = group.get_command(ctx, name)
        sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        out += [f"## taizhang {name}", "", f"`taizhang {name} {_usage(command)}`", ""]
        if command.hidden:
            out += ["(Run by git, not listed by `taizhang --help`.)", ""]
        out += [inspect.cleandoc(command.help or ""), ""]
        params = [line for line in _params(command, sub) if "--help" not in line]
        if params:
            out += params + [""]
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference())
