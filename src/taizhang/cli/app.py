"""The command line's app: global options, and the commands found by name in their modules.

A command module is imported, and its command built, only when that command runs: `taizhang
--help` lists them from COMMANDS below without importing any (typer would otherwise turn every
registered command into a click command on every call). tests/test_docs.py keeps the table true.
"""

from __future__ import annotations

from importlib import import_module
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from taizhang.cli.common import AsOfOpt, DirOpt, Env, LangOpt, NoColorOpt, run
from taizhang.cli.usage import META_KEY as HELP_LANG
from taizhang.cli.usage import HelpContext, argv_lang, in_run_language, plain_arguments

# name → (module in taizhang.cli, the first paragraph of its help, hidden?), in the order `--help` lists them.
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "init": ("ledger", "创建空的台账仓库：taizhang.yaml、ledgers/、schemas/。", False),
    "schema": ("ledger", "（重新）生成 schemas/ledger.schema.json。", False),
    "check": ("ledger", "校验台账：每个问题一行 path:line:col: message；有错误时退出码为 1。", False),
    "new": ("ledger", "新建项目台账 ledgers/CODE.yaml。", False),
    "add": ("ledger", "新增事项，输出其编号。", False),
    "problem": ("ledger", "问题台账：新增一个问题（add --kind problem），输出其编号。", False),
    "close": ("ledger", "销号：把事项标记为完成。", False),
    "reopen": ("ledger", "撤销销号，原因记入事项的进展。", False),
    "note": ("ledger", "记录一条进展（日汇报）。", False),
    "set": ("ledger", "修改事项或项目的字段：set YT2-3 due=2018-09-30，set YT2 deadline=2020-09-30。", False),
    "status": ("views", "亮灯表：每个项目一行，其下列出红灯、黄灯事项。", False),
    "invest": ("ledger", "记录某月完成投资（万元；已有该月数据时改为新数）。", False),
    "remind": ("views", "督办通知：按责任单位列出事项、项目、时间节点、逾期天数、责任人。", False),
    "why": ("views", "解释一个事项为什么亮这个灯：时间节点及其来源、剩余天数、触发的规则与阈值。", False),
    "schedule": ("views", "倒排工期：从最终节点倒推每个事项的最晚开始、完成，浮动天数与关键路径。", False),
    "date": ("views", "显示每个日期短语会被读成哪一天：PHRASE<TAB>YYYY-MM-DD。", False),
    "gantt": ("exchange", "挂图作战：每个事项一条横道（开始—完成），节点为菱形，今天一条竖线，按亮灯着色。", False),
    "import": ("exchange", "导入 Excel/WPS/CSV/Word 台账：按列名和内容识别各列，逐行写入台账；有任何一格读不了时不写入任何文件。", False),
    "export": ("exchange", "导出台账为一张表（xlsx / csv / Markdown），供其他单位用 Excel 打开；可再用 import 导入。", False),
    "git-setup": ("git", "在本 git 仓库注册合并驱动：台账按事项、notices.yaml 按通知单合并（.gitattributes 与 git config）。", False),
    "merge-driver": ("git", "git 合并驱动（git-setup 注册，由 git 调用）：台账按事项、notices.yaml 按通知单合并，结果写回 OURS；有冲突时退出码为 1。", True),
    "log": ("git", "台账的变更历史（来自 git）：谁在何时销号、重新打开、调整时间节点、记录进展。", False),
    "report": ("report", "简报：--as-of 所在日/周/月的销号、逾期销号、进展、红灯、到期、问题台账、投资与亮灯合计；月报另有月点评。", False),
    "apply": ("notice", "申请销号：记录佐证材料，事项待审核，直到 close 审核通过或 reject 退回。", False),
    "reject": ("notice", "退回销号申请，原因记入事项的进展。", False),
    "notice": ("notice", "督办通知单：每个责任单位一份编号通知（一单位一页），记入 notices.yaml，文号不重复。", False),
    "reply": ("notice", "记录责任单位对督办通知单的反馈。", False),
    "dashboard": ("trend", "看板：把亮灯表、趋势图、单位排名、挂图作战和每个项目的页面写成一个静态网站，离线打开、可打印（A4）。", False),
    "trend": ("trend", "趋势：从 git 历史按周或按月画出亮灯数、到期与销号（累计）、逾期销号、完成投资与序时进度。", False),
}

# Global options may stand before or after the command: `taizhang status --as-of D` too.
_GLOBAL_VALUE = ("--dir", "--as-of", "--lang")
_GLOBAL_FLAG = ("--no-color",)


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options found after the command name to the front, so click sees them."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in _GLOBAL_VALUE:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i:i + 2])
                i += 1
        elif arg in _GLOBAL_FLAG:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def command_typer(name: str) -> typer.Typer:
    """The typer app of the module that holds command `name`."""
    return import_module(f"taizhang.cli.{COMMANDS[name][0]}").commands


def command_name(info: Any) -> str:
    """The name typer gives a registered command."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


class LazyGroup(TyperGroup):
    """A group whose commands are built from their modules when asked for by name."""

    context_class = HelpContext  # help and usage errors in the run's language (usage.py)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta.setdefault(HELP_LANG, argv_lang(args))
        return in_run_language(ctx, lambda: super(LazyGroup, self).parse_args(ctx, hoist_global_options(args)))

    def invoke(self, ctx: Any) -> Any:
        return in_run_language(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Optional[Any]:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            info = next(i for i in command_typer(cmd_name).registered_commands if command_name(i) == cmd_name)
            command = typer.main.get_command_from_info(info, pretty_exceptions_short=False, rich_markup_mode=None)
            command.context_class = HelpContext
            plain_arguments(command)
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The listing from COMMANDS, as click would write it from the commands themselves."""
        shown = [(name, text) for name, (_, text, hidden) in COMMANDS.items() if not hidden]
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _short_help(text, limit)) for name, text in shown])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as e:  # click's UsageError (typer vendors click: no stable name to catch)
            message = getattr(e, "message", None)
            if message is None or not args or "Did you mean" in message or args[0] in COMMANDS:
                raise
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(COMMANDS))
            if matches:
                e.message = f"{message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"  # type: ignore[attr-defined]
            raise


def _short_help(text: str, limit: int) -> str:
    """Click's shortening of a help text to fit the listing."""
    from typer._click import utils  # typer ≥ 0.28 carries its own click
    return utils.make_default_short_help(text, limit)


app = typer.Typer(cls=LazyGroup, add_completion=True, no_args_is_help=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="台账 taizhang：重点项目台账——时间节点、倒排工期、销号、亮灯督办。")


def _print_version(value: bool) -> None:
    if value:
        from taizhang.version import __version__

        typer.echo(f"taizhang {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, dir: DirOpt = None, as_of: AsOfOpt = None,
                  lang: LangOpt = None, no_color: NoColorOpt = False,
                  version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_print_version,
                                                        help="显示版本并退出。")] = False) -> None:
    """台账 taizhang：重点项目台账。不带命令时显示亮灯表（status）。"""
    ctx.obj = Env(dir=dir, as_of_text=as_of, lang_opt=lang.value if lang else None, no_color=no_color,
                  usage_lang=ctx.meta.get(HELP_LANG, "zh"))
    if ctx.invoked_subcommand is None:
        from taizhang.cli.views import show_status  # only when no command is named

        run(ctx, show_status)


def main() -> None:
    """Console-script entry point."""
    import gc

    # A command lives for a moment and builds no garbage cycles worth collecting; the cyclic
    # collector would otherwise rescan every ledger object again and again while they load.
    gc.disable()
    try:
        app()
    except UnicodeEncodeError as e:
        # Standard output that cannot hold Chinese (LC_ALL=C with Python's UTF-8 mode off, an
        # old code page): one line, in the words the stream can carry, instead of a traceback.
        import sys

        sys.stderr.write(f"taizhang: the output's encoding ({e.encoding}) cannot hold this text; "
                         "set PYTHONIOENCODING=utf-8 (输出编码无法显示中文)\n")
        raise SystemExit(1) from None
    finally:
        # At exit CPython still collects every object once, collector off or not; frozen objects
        # are left out. On a 2,000-item ledger that final sweep alone took 0.14 s.
        gc.freeze()
