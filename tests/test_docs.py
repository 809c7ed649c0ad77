"""What is generated and documented stays true: every command has help and is in the README,
and the README's commands work."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from taizhang.cli.app import COMMANDS
from taizhang.cli.reference import REGENERATE, cli_group, reference

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group, ctx = cli_group()
    return sorted(group.list_commands(ctx))


def test_every_command_has_help_text():
    group, ctx = cli_group()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command.help and command.help.strip(), f"`taizhang {name}` has no help"


def test_the_listing_table_is_the_commands_own():
    """`taizhang --help` lists COMMANDS without importing the modules: each entry names the module
    that defines the command, its help's first paragraph, and whether it is hidden."""
    from importlib import import_module

    from taizhang.cli.app import command_name

    defined = {}
    for module in {m for m, _, _ in COMMANDS.values()}:
        for info in import_module(f"taizhang.cli.{module}").commands.registered_commands:
            defined[command_name(info)] = module
    assert defined == {name: module for name, (module, _, _) in COMMANDS.items()}
    group, ctx = cli_group()
    for name, (_, first, hidden) in COMMANDS.items():
        command = group.get_command(ctx, name)
        assert (command.help.split("\n\n")[0].strip(), command.hidden) == (first, hidden), name


def test_cli_reference_is_current():
    stored = (REPO_ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert stored == reference(), f"docs/cli-reference.md is stale: regenerate it with `{REGENERATE}`"


def test_help_lists_every_shown_command_as_click_would():
    """The listing written from COMMANDS is the one click writes from the built commands."""
    from typer.core import TyperGroup

    group, ctx = cli_group()
    for name in COMMANDS:
        group.get_command(ctx, name)
    formatter, plain = ctx.make_formatter(), ctx.make_formatter()
    group.format_commands(ctx, formatter)
    TyperGroup.format_commands(group, ctx, plain)
    assert formatter.getvalue() == plain.getvalue()


@pytest.mark.parametrize("name", _commands())
def test_every_command_is_in_the_readme(name):
    assert re.search(rf"`taizhang {name}\b", README), f"README does not document `taizhang {name}`"


@pytest.mark.parametrize("name", _commands())
def test_every_command_answers_help(cli, name):
    result = cli("--lang", "zh", name, "--help")  # Chinese whatever the locale
    assert result.exit_code == 0 and "用法" in result.stdout


def test_readme_names_the_two_commands():
    assert 'pip install . && taizhang status --as-of 2018-06-15' in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest' in ci


def test_readme_main_command_runs_on_the_sample_repository():
    """The README's first command, after its install step, in a real process from the checkout."""
    result = subprocess.run([sys.executable, "-m", "taizhang.cli", "status", "--as-of", "2018-06-15"],
                            cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "160", "PYTHONPATH": str(REPO_ROOT / "src")})
    assert result.returncode == 0, result.stderr
    assert "宇通二期项目" in result.stdout and "合计" in result.stdout
    assert "Traceback" not in result.stderr


def test_sample_repository_checks_clean(cli):
    result = cli("--dir", REPO_ROOT, "--as-of", "2018-06-15", "check")
    assert result.exit_code == 0, result
    assert result.stderr == ""
