"""The commands that hand ledgers to others and take them back: `gantt` (挂图作战), `import` and
`export` (the Excel 台账 offices send each other)."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from taizhang.cli import exits
from taizhang.cli.common import (
    CommitOpt,
    Env,
    commit,
    committing,
    out_format,
    report_problems,
    run,
    say,
    terminal,
    warn,
    write_bytes,
    write_out,
)
from taizhang.errors import TaizhangError, input_error
from taizhang.i18n import message

commands = typer.Typer()


class ChartFormat(str, Enum):
    text = "text"
    svg = "svg"
    html = "html"


class PaperSize(str, Enum):
    a3 = "a3"
    a4 = "a4"


@commands.command()
def gantt(ctx: typer.Context,
          codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只画这些项目（按给出的顺序）")] = None,
          fmt: Annotated[Optional[ChartFormat], typer.Option(
              "--format", help="text | svg | html（默认按 --out 的扩展名，否则 text）")] = None,
          out: Annotated[Optional[Path], typer.Option("--out", help="写入文件")] = None,
          paper: Annotated[PaperSize, typer.Option("--paper", help="svg/html 的纸张（横向）：a3 | a4")] = PaperSize.a3,
          program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None,
          unit: Annotated[Optional[str], typer.Option(help="只画该责任单位的事项（含该文字即可）")] = None,
          start: Annotated[Optional[str], typer.Option("--from", help="图幅起始日期（默认：最早的事项）")] = None,
          end: Annotated[Optional[str], typer.Option("--to", help="图幅结束日期（默认：最晚的事项）")] = None) -> None:
    """挂图作战：每个事项一条横道（开始—完成），节点为菱形，今天一条竖线，按亮灯着色。"""
    def action(env: Env) -> int:
        from taizhang.render import gantt as chart_mod

        chosen = ChartFormat(out_format(fmt.value if fmt else None, out, [f.value for f in ChartFormat],
                                        ChartFormat.text.value))
        wanted = chart_mod.chart_codes(codes or [])
        for code in wanted:
            env.repository.ledger_path(code)
        first, _ = env.date_option(start, "--from")
        last, _ = env.date_option(end, "--to")
        if first and last and last < first:
            raise input_error("gantt_window", start=first.isoformat(), end=last.isoformat())
        repo = env.repository.load(wanted)
        chart = chart_mod.build_chart(repo.ledgers, env.as_of, repo.settings, repo.extra, codes=wanted,
                                      program=program, unit=unit, window=(first, last))
        if chosen == ChartFormat.svg:
            text = chart_mod.to_svg(chart, env.lang, paper.value)
        elif chosen == ChartFormat.html:
            text = chart_mod.to_html(chart, env.lang, paper.value)
        else:
            width, color = terminal(env)
            text = chart_mod.to_text(chart, env.lang, width, color and out is None)
        write_out(env, text, out)
        report_problems(env, repo.errors + repo.placed(chart.beyond))
        return exits.problems_if(repo.errors)
    run(ctx, action)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class _ProgressBar:
    """A progress bar on stderr (rich.progress), drawn only in a terminal and only once an
    import has taken a second: quick imports and pipes see nothing."""

    delay = 1.0  # seconds an import runs before the bar appears

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.start = time.monotonic()
        self.shown = _stderr_is_terminal()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.shown:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True, force_terminal=True), transient=True)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(message(f"import_progress_{stage}", self.lang), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def stop(self) -> None:
        """Take the bar away (before the plan is printed); a later stage draws a new one."""
        if self.bar is not None:
            self.bar.stop()
        self.bar, self.tasks = None, {}


def _shown(path: Path) -> str:
    """A file as messages name it: absolute (the CLI shows it relative to the current folder)."""
    return str(path.resolve()) if path.exists() else str(path)


@commands.command(name="import")
def import_(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(metavar="FILE", help="台账：.xlsx、.xls、.csv（UTF-8 / GBK）或 Word 文档（.docx）中的表格")],
            sheet: Annotated[Optional[str], typer.Option(help="工作表名称（默认：打开时显示的那张）；Word 文档中第几个表格（如 2 或 表2，默认：行数最多的）")] = None,
            project: Annotated[Optional[str], typer.Option(help="整张表都属于这个已有项目（表中没有项目名称列时）")] = None,
            year: Annotated[Optional[int], typer.Option(help="不带年份的日期（如 4月底前）所用的年份（默认：仓库的 year）")] = None,
            dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要导入的内容，不写入")] = False,
            update: Annotated[bool, typer.Option("--update", help="同一张表的新版本：已有事项的新进展、销号和调整的时间节点记为修改，新事项照常新增")] = False,
            commit_: CommitOpt = False) -> None:
    """导入 Excel/WPS/CSV/Word 台账：按列名和内容识别各列，逐行写入台账；有任何一格读不了时不写入任何文件。"""
    def action(env: Env) -> Optional[int]:
        from taizhang import exchange
        from taizhang.repo.layout import ledger_files

        # Rows find their projects by name among all ledgers: every ledger must read.
        ledgers = env.repository.ledgers()
        shown = _shown(file)
        bar = _ProgressBar(env.lang)
        unread: list = []  # (a ledger's git history git could not read: said, not hidden)
        try:
            plan = exchange.plan_import(file, shown, ledgers, [p.stem for p in ledger_files(env.root)],
                                        as_of=env.as_of, year=year or env.settings.year or env.as_of.year,
                                        sheet=sheet, project=project, update=update, progress=bar,
                                        committed=exchange.committed_numbers(env.root, env.cache, unread))
        except TaizhangError as e:
            bar.stop()
            report_problems(env, unread)
            report_problems(env, e.problems)
            if any(p.line for p in e.problems):
                typer.echo(message("import_nothing_written", env.lang, n=len(e.problems)), err=True)
            return exits.PROBLEMS
        bar.stop()
        report_problems(env, unread)
        fmt = plan.kind.upper() + (f", {plan.encoding}" if plan.encoding else "") + \
            (f", {plan.sheet}" if plan.sheet else "")
        say(env, "import_read", path=str(file), format=fmt, row=plan.header_row, rows=plan.rows)
        if plan.ignored:
            warn(env, message("import_ignored", env.lang, columns="、".join(plan.ignored)))
        if dry_run:
            from taizhang.exchange.columns import ROLE_WORDS

            say(env, "import_plan_columns")
            for col, label, role in plan.columns:
                words = ROLE_WORDS[role][1 if env.lang == "en" else 0]
                say(env, "import_plan_column", cell=plan.cell(plan.header_row, col), header=label, role=words)
        for p in plan.projects:
            if p.new:
                say(env, "import_new_project", code=p.code, name=p.name, n=len(p.items))
            else:
                say(env, "import_existing_project", code=p.code, name=p.name, n=len(p.items), skipped=len(p.skipped))
            if p.sections:
                warn(env, message("import_sections_items", env.lang, code=p.code, sections="、".join(p.sections)))
            if dry_run:
                if p.new:
                    _say_name_from(env, plan, p)
                for item in p.items:
                    say(env, "import_plan_item", id=item.new_id, title=item.title.replace("\n", "⏎"),
                        cell=plan.cell(item.row, item.col), due=exchange.due_text(item.fields.get("due")))
            for u in p.updates:
                if u.title_to:
                    say(env, "import_update_title", id=u.id, before=u.title, after=u.title_to)
                if u.due:
                    say(env, "import_update_moved" if u.moved else "import_update_due", id=u.id, title=u.title,
                        before=exchange.due_text(u.due[0]), after=exchange.due_text(u.due[1]),
                        reason=exchange.moved_reason(plan.path))
                for note in u.notes:
                    say(env, "import_update_note", id=u.id, title=u.title, text=note["text"])
                if u.closed:
                    say(env, "import_update_close", id=u.id, title=u.title, date=u.closed["date"].isoformat())
        if update:
            say(env, "import_updated", n=plan.updated)
        if dry_run:
            bar.stop()
            say(env, "import_dry_run")
            return None
        # The files written, with their bytes before and after (taken under their locks).
        try:
            written = exchange.apply_import(env.cache, env.settings, plan, progress=bar, by=env.user())
        finally:
            bar.stop()
        say(env, "import_done", projects=len(plan.created), items=plan.added, skipped=plan.skipped)
        if written:
            commit(env, commit_, written, f"导入 {file.name}：新建 {len(plan.created)} 个项目，新增 {plan.added} 个事项"
                   + (f"，更新 {plan.updated} 个事项" if plan.updated else ""))
        return None
    run(ctx, committing(commit_, action))


def _say_name_from(env: Env, plan: Any, project: Any) -> None:
    """Where a new project's name was read: its cell, the table's title, the file's name."""
    if plan.name_from is None:
        say(env, "import_plan_from", cell=plan.cell(project.row, project.col))
    elif plan.name_from == "file":
        say(env, "import_plan_from_file")
    elif isinstance(plan.name_from, tuple):
        say(env, "import_plan_from_title", cell=plan.cell(plan.name_from[0] + 1, plan.name_from[1]))
    else:
        say(env, "import_plan_from_above", title=project.name)


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    md = "md"


@commands.command()
def export(ctx: typer.Context,
           codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只导出这些项目")] = None,
           fmt: Annotated[Optional[ExportFormat], typer.Option(
               "--format", help="xlsx | csv | md（默认按 --out 的扩展名，否则 xlsx）")] = None,
           out: Annotated[Optional[Path], typer.Option("--out", help="写入文件（xlsx 必须指定）")] = None,
           program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None) -> None:
    """导出台账为一张表（xlsx / csv / Markdown），供其他单位用 Excel 打开；可再用 import 导入。"""
    def action(env: Env) -> None:
        from taizhang import exchange

        wanted = list(dict.fromkeys(codes or []))
        for code in wanted:
            env.repository.ledger_path(code)
        chosen = ExportFormat(out_format(fmt.value if fmt else None, out, [f.value for f in ExportFormat],
                                         ExportFormat.xlsx.value, guess=False))
        if chosen == ExportFormat.xlsx and out is None:
            raise input_error("export_needs_out")
        repo = env.repository.load(wanted)
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledgers = [l for l in repo.ledgers if program is None or program in (l.program or "")]
        table = exchange.export_table(ledgers, env.as_of, repo.settings, repo.extra, env.lang,
                                      codes=[c for c in wanted if any(l.code == c for l in ledgers)])
        if chosen == ExportFormat.xlsx:
            assert out is not None  # refused above
            write_bytes(env, exchange.to_xlsx(table, env.lang), out)
        elif chosen == ExportFormat.csv:
            text = exchange.to_csv(table)
            # A file gets UTF-8's byte-order mark, by which Excel knows it is not GBK.
            write_out(env, ("\ufeff" + text) if out is not None else text, out)
        else:
            write_out(env, exchange.to_markdown(table, env.lang), out)
    run(ctx, action)
