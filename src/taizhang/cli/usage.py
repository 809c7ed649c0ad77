"""Click's own words — help headings, the help option, usage errors — in the run's language.

Click writes them in English, as literals (typer ≥ 0.28 carries a click without gettext), so they
are put into Chinese where they are written: the help formatter (headings, the usage line, the
help texts of click's and typer's own options) and a usage error's `show`. The language is known
before the commands are parsed, from argv (`--lang`), else from the locale ($LC_ALL, $LC_MESSAGES,
$LANG starting with "en"); Chinese otherwise. Exit code 2 for a usage error stays click's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import IO, Any

from typer._click import (  # typer ≥ 0.28 carries its own click (pyproject.toml says why)
    Context,
    HelpFormatter,
    echo,
)
from typer._click.exceptions import UsageError
from typer._click.utils import get_text_stream
from typer.core import TyperArgument

META_KEY = "taizhang.help_lang"

_HEADINGS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}

# Help texts of the options click and typer add themselves.
_OPTION_HELP = {
    "Show this message and exit.": "显示本帮助并退出。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全（bash、zsh、fish、PowerShell）。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的命令补全脚本，可复制或自行安装。",
}
# (The patterns here are compiled when first used, and then kept by `re`: a command that runs
# without an error or a help page never needs them, and compiling them took ~1 ms of its start.)
_OPTION_NOTES = ((r"\[default: (.*?)\]", r"[默认：\1]"),
                 (r"\[required\]", "[必填]"),
                 (r"\[env var: (.*?)\]", r"[环境变量：\1]"),
                 (r"\[(.*?)>=(.*?)\]", r"[\1≥\2]"))

# Click's usage errors, whole messages, most specific first; a Chinese template for each.
_ERRORS: tuple[tuple[str, str], ...] = (  # (matched with re.DOTALL, as _VALUE_ERRORS)
    (r"No such option: (\S+) Did you mean (.*)\?", r"没有选项 \1，是不是 \2？"),
    (r"No such option: (\S+) \(Possible options: (.*)\)", r"没有选项 \1（可能是：\2）"),
    (r"No such option: (.*)", r"没有选项 \1"),
    (r"No such command '(.*?)'\. Did you mean (.*)\?", r"没有命令 '\1'，是不是 \2？"),
    (r"No such command '(.*?)'\.", r"没有命令 '\1'"),
    (r"Missing command\.", "缺少命令"),
    (r"Missing argument '(.*?)'\.(.*)", r"缺少参数 \1\2"),
    (r"Missing option '(.*?)'\.(.*)", r"缺少选项 \1\2"),
    (r"Missing parameter '(.*?)'\.(.*)", r"缺少参数 \1\2"),
    (r"Option '(.*?)' requires an argument\.", r"选项 \1 需要一个值"),
    (r"Option '(.*?)' requires (\d+) arguments\.", r"选项 \1 需要 \2 个值"),
    (r"Option '(.*?)' does not take a value\.", r"选项 \1 不带值"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
    (r"Invalid value for '(.*?)': (.*)", r"\1 的值无效：\2"),
    (r"Invalid value: (.*)", r"值无效：\1"),
)
_VALUE_ERRORS: tuple[tuple[str, str], ...] = (
    (r"(.*?) is not one of (.*)\.$", r"\1 不是 \2 之一"),
    (r"(.*?) is not in the range (.*)\.$", r"\1 不在范围 \2 内"),
    (r"(.*?) is not a valid integer\.$", r"\1 不是整数"),
    (r"(.*?) is not a valid float\.$", r"\1 不是数"),
    (r"(.*?) is not a valid (.*)\.$", r"\1 不是有效的 \2"),
)


def argv_lang(args: list[str]) -> str:
    """The help's language: `--lang X` / `--lang=X` among the arguments, else the locale's."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "en" if locale.lower().startswith("en") else "zh"


def zh_error(text: str) -> str:
    """A click usage error's message in Chinese (unchanged when it is not one of click's)."""
    for pattern, zh in _ERRORS:
        match = re.fullmatch(pattern, text.strip(), re.DOTALL)
        if match:
            out = match.expand(zh)
            for value_pattern, value_zh in _VALUE_ERRORS:
                inner = re.search(value_pattern, out, re.DOTALL)
                if inner:
                    out = out[:inner.start()] + inner.expand(value_zh) + out[inner.end():]
                    break
            return out
    return text


def zh_option_help(text: str) -> str:
    text = _OPTION_HELP.get(text, text)
    for pattern, zh in _OPTION_NOTES:
        text = re.sub(pattern, zh, text)
    return text


class ZhHelpFormatter(HelpFormatter):
    """Click's help formatter, writing click's own words in Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(first, zh_option_help(second)) for first, second in rows], col_max, col_spacing)


def argument_metavar(param: Any) -> str:
    """An argument as the help names it: its metavar, else its name in capitals, with `...`
    when it takes many (`IDS...`, `FIELD=VALUE...`, `[CODE]...`)."""
    name = param.metavar or (param.name or "").upper()
    return name + ("..." if param.nargs == -1 and not name.endswith("...") else "")


def argument_usage(param: Any) -> str:
    """An argument in the usage line: as named, an optional one in brackets (`[PATH]`)."""
    name = argument_metavar(param)
    return name if param.required or name.startswith("[") else f"[{name}]"


class PlainArgument(TyperArgument):
    """An argument that names itself as click and docs/cli-reference.md do (`IDS...`), not as
    typer 0.28 does (`{ids}...`, whose braces read as part of what to type)."""

    def make_metavar(self, *args: Any, usage: bool = False, **kwargs: Any) -> str:
        return argument_usage(self) if usage else argument_metavar(self)

    @property
    def human_readable_name(self) -> str:  # (what "missing argument X" names)
        return self.metavar or (self.name or "").upper()


def plain_arguments(command: Any) -> None:
    """Give `command`'s arguments their plain names, where typer would write them in braces
    (typer before 0.28 writes them plainly itself)."""
    if "usage" not in TyperArgument.make_metavar.__code__.co_varnames:
        return
    for param in command.params:
        if type(param) is TyperArgument:
            param.__class__ = PlainArgument


class HelpContext(Context):
    """A context whose help and usage are written in the run's language (`META_KEY` in meta)."""

    def make_formatter(self) -> HelpFormatter:
        if self.meta.get(META_KEY, "zh") == "en":
            return super().make_formatter()
        return ZhHelpFormatter(width=self.terminal_width, max_width=self.max_content_width)


def show_in_chinese(error: UsageError) -> None:
    """Make `error.show` write click's usage error in Chinese: usage line, hint, message."""
    def show(file: IO[Any] | None = None) -> None:
        out = file if file is not None else get_text_stream("stderr")
        ctx = error.ctx
        color = ctx.color if ctx is not None else None
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = f"用 '{ctx.command_path} {ctx.help_option_names[0]}' 查看帮助。\n"
            echo(f"{ctx.get_usage()}\n{hint}", file=out, color=color)
        echo(f"错误：{zh_error(error.format_message())}", file=out, color=color)

    error.show = show  # type: ignore[method-assign]


def in_run_language(ctx: Context, call: Callable[[], Any]) -> Any:
    """`call()`, its usage errors shown in the run's language."""
    try:
        return call()
    except UsageError as e:
        if ctx.meta.get(META_KEY, "zh") != "en":
            show_in_chinese(e)
        raise
