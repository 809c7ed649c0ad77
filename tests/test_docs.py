"""What is generated and documented stays true: every command has help and is in the README,
and the README's commands work."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from taizhang.cli.app import app

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_text():
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help and command.help.strip(), f"`taizhang {name}` has no help"


@pytest.mark.parametrize("name", _commands())
def test_every_command_is_in_the_readme(name):
    assert re.search(rf"`taizhang {name}\b", README), f"README does not document `taizhang {name}`"


@pytest.mark.parametrize("name", _commands())
def test_every_command_answers_help(cli, name):
    result = cli(name, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout


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
