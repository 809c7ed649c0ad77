"""Commands registered on the CLI app from their own module (imported at the end of cli.py):
`gantt` (挂图作战), `import` and `export` (the Excel 台账 offices send each other)."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from taizhang.cli.app import (
    CommitOpt,
    Env,
    _commit,
    _terminal,
    _write_out,
    app,
    report_problems,
    run,
)
from taizhang.errors import TaizhangError, input_error
from taizhang.i18n import message


class ChartFormat(str, Enum):
    text = "text"
    svg = "svg"
    html = "html"


class PaperSize(str, Enum):
    a3 = "a3"
    a4 = "a4"


@app.command()
def gantt(ctx: typer.Context,
          codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只画这些项目（按给出的顺序）")] = None,
          fmt: Annotated[ChartFormat, typer.Option("--format", help="text | svg | html")] = ChartFormat.text,
          out: Annotated[Optional[Path], typer.Option("--out", help="写入文件")] = None,
          paper: Annotated[PaperSize, typer.Option("--paper", help="svg/html 的纸张（横向）：a3 | a4")] = PaperSize.a3,
          program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None,
          unit: Annotated[Optional[str], typer.Option(help="只画该责任单位的事项（含该文字即可）")] = None,
          start: Annotated[Optional[str], typer.Option("--from", help="图幅起始日期（默认：最早的事项）")] = None,
          end: Annotated[Optional[str], typer.Option("--to", help="图幅结束日期（默认：最晚的事项）")] = None) -> None:
    """挂图作战：每个事项一条横道（开始—完成），节点为菱形，今天一条竖线，按亮灯着色。"""
    def action(env: Env) -> None:
        from taizhang.render import gantt as chart_mod
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.load import load_repo

        wanted = chart_mod.chart_codes(codes or [])
        for code in wanted:
            ledger_path(env.root, code)
        first, _ = env.date_option(start, "--from")
        last, _ = env.date_option(end, "--to")
        if first and last and last < first:
            raise input_error("gantt_window", start=first.isoformat(), end=last.isoformat())
        repo = load_repo(env.root, wanted or None, use_cache=env.use_cache)
        chart = chart_mod.build_chart(repo.ledgers, env.as_of, repo.settings, repo.extra, codes=wanted,
                                      program=program, unit=unit, window=(first, last))
        if fmt == ChartFormat.svg:
            text = chart_mod.to_svg(chart, env.lang, paper.value)
        elif fmt == ChartFormat.html:
            text = chart_mod.to_html(chart, env.lang, paper.value)
        else:
            width, color = _terminal(env)
            text = chart_mod.to_text(chart, env.lang, width, color and out is None)
        _write_out(env, text, out)
        if repo.errors:
            report_problems(env, repo.errors)
            raise typer.Exit(1)
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


@app.command(name="import")
def import_(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(metavar="FILE", help="台账：.xlsx、.xls、.csv（UTF-8 / GBK）或 Word 文档（.docx）中的表格")],
            sheet: Annotated[Optional[str], typer.Option(help="工作表名称（默认：打开时显示的那张）；Word 文档中第几个表格（如 2 或 表2，默认：行数最多的）")] = None,
            project: Annotated[Optional[str], typer.Option(help="整张表都属于这个已有项目（表中没有项目名称列时）")] = None,
            year: Annotated[Optional[int], typer.Option(help="不带年份的日期（如 4月底前）所用的年份（默认：仓库的 year）")] = None,
            dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要导入的内容，不写入")] = False,
            update: Annotated[bool, typer.Option("--update", help="同一张表的新版本：已有事项的新进展、销号和调整的时间节点记为修改，新事项照常新增")] = False,
            commit: CommitOpt = False) -> None:
    """导入 Excel/WPS/CSV/Word 台账：按列名和内容识别各列，逐行写入台账；有任何一格读不了时不写入任何文件。"""
    def action(env: Env) -> None:
        from taizhang import exchange
        from taizhang.repo.layout import ledger_files
        from taizhang.repo.load import load_repo

        repo = load_repo(env.root, use_cache=env.use_cache)
        if repo.errors:
            # Rows find their projects by name among all ledgers: every ledger must read.
            raise TaizhangError(repo.errors)
        shown = _shown(file)
        bar = _ProgressBar(env.lang)
        try:
            plan = exchange.plan_import(file, shown, repo.ledgers, [p.stem for p in ledger_files(env.root)],
                                        as_of=env.as_of, year=year or env.settings.year or env.as_of.year,
                                        sheet=sheet, project=project, update=update, progress=bar)
        except TaizhangError as e:
            bar.stop()
            report_problems(env, e.problems)
            if any(p.line for p in e.problems):
                typer.echo(message("import_nothing_written", env.lang, n=len(e.problems)), err=True)
            raise typer.Exit(1) from None
        bar.stop()
        fmt = plan.kind.upper() + (f", {plan.encoding}" if plan.encoding else "") + \
            (f", {plan.sheet}" if plan.sheet else "")
        say = lambda key, **args: typer.echo(message(key, env.lang, **args))  # noqa: E731
        say("import_read", path=str(file), format=fmt, row=plan.header_row, rows=plan.rows)
        if plan.ignored:
            typer.echo(message("warning_prefix", env.lang) +
                       message("import_ignored", env.lang, columns="、".join(plan.ignored)), err=True)
        if dry_run:
            from taizhang.exchange.columns import ROLE_WORDS

            say("import_plan_columns")
            for col, label, role in plan.columns:
                words = ROLE_WORDS[role][1 if env.lang == "en" else 0]
                say("import_plan_column", cell=plan.cell(plan.header_row, col), header=label, role=words)
        for p in plan.projects:
            if p.new:
                say("import_new_project", code=p.code, name=p.name, n=len(p.items))
            else:
                say("import_existing_project", code=p.code, name=p.name, n=len(p.items), skipped=len(p.skipped))
            if dry_run:
                if p.new:
                    say("import_plan_from", cell=plan.cell(p.row, p.col))
                for item in p.items:
                    due = item.fields.get("due")
                    say("import_plan_item", id=item.new_id, title=item.title.replace("\n", "⏎"),
                        cell=plan.cell(item.row, item.col), due=due.isoformat() if due else "—")
            for u in p.updates:
                if u.due:
                    say("import_update_due", id=u.id, title=u.title, before=u.due[0].isoformat() if u.due[0] else "—",
                        after=u.due[1].isoformat())
                if u.note:
                    say("import_update_note", id=u.id, title=u.title, text=u.note["text"])
                if u.closed:
                    say("import_update_close", id=u.id, title=u.title, date=u.closed["date"].isoformat())
        if update:
            say("import_updated", n=plan.updated)
        if dry_run:
            bar.stop()
            say("import_dry_run")
            return
        try:
            written = exchange.apply_import(env.root, env.settings, plan, progress=bar)
        finally:
            bar.stop()
        say("import_done", projects=len(plan.created), items=plan.added, skipped=plan.skipped)
        if written:
            _commit(env, commit, written, f"导入 {file.name}：新建 {len(plan.created)} 个项目，新增 {plan.added} 个事项"
                    + (f"，更新 {plan.updated} 个事项" if plan.updated else ""))
    run(ctx, action)


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    md = "md"


@app.command()
def export(ctx: typer.Context,
           codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只导出这些项目")] = None,
           fmt: Annotated[ExportFormat, typer.Option("--format", help="xlsx | csv | md")] = ExportFormat.xlsx,
           out: Annotated[Optional[Path], typer.Option("--out", help="写入文件（xlsx 必须指定）")] = None,
           program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None) -> None:
    """导出台账为一张表（xlsx / csv / Markdown），供其他单位用 Excel 打开；可再用 import 导入。"""
    def action(env: Env) -> None:
        from taizhang import exchange
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.load import load_repo

        wanted = list(dict.fromkeys(codes or []))
        for code in wanted:
            ledger_path(env.root, code)
        if fmt == ExportFormat.xlsx and out is None:
            raise input_error("export_needs_out")
        repo = load_repo(env.root, wanted or None, use_cache=env.use_cache)
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledgers = [l for l in repo.ledgers if program is None or program in (l.program or "")]
        table = exchange.export_table(ledgers, env.as_of, repo.settings, repo.extra, env.lang,
                                      codes=[c for c in wanted if any(l.code == c for l in ledgers)])
        if fmt == ExportFormat.xlsx:
            try:
                exchange.to_xlsx(table, out, env.lang)
            except OSError as e:
                raise input_error("out_unwritable", path=str(out), detail=e.strerror or str(e)) from None
            typer.echo(message("written", env.lang, path=str(out)))
        elif fmt == ExportFormat.csv:
            text = exchange.to_csv(table)
            # A file gets UTF-8's byte-order mark, by which Excel knows it is not GBK.
            _write_out(env, ("\ufeff" + text) if out is not None else text, out)
        else:
            _write_out(env, exchange.to_markdown(table, env.lang), out)
    run(ctx, action)
