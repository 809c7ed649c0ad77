"""`trend` (the ledgers' git history drawn per week or month) and `dashboard` (one static site)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer

from taizhang.cli.common import Env, print_json, run, write_out

commands = typer.Typer()

# A history read in fewer steps than this is over before a bar would be worth drawing.
PROGRESS_FROM = 24


class TrendFormat(str, Enum):
    text = "text"
    svg = "svg"
    html = "html"
    json = "json"


class TrendBy(str, Enum):
    week = "week"
    month = "month"


_SUFFIXES = {".txt": TrendFormat.text, ".svg": TrendFormat.svg, ".html": TrendFormat.html,
             ".htm": TrendFormat.html, ".json": TrendFormat.json}


@contextmanager
def progress_bar(env: Env) -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal and the history is long; else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("git"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = None

        def step(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_FROM:
                return
            if task is None:
                task = bar.add_task("history", total=total)
            bar.update(task, completed=done)

        yield step


def read_trend(env: Env, by: str, start: Optional[date], codes: list[str]) -> Any:
    from taizhang.gitops.history import build_trend
    from taizhang.repo.load import load_calendars

    from taizhang.domain.ids import is_code
    from taizhang.errors import input_error

    for code in codes:  # a project may be in the history and gone now: only the spelling is checked
        if not is_code(code):
            raise input_error("bad_code", code=code)
    settings = env.settings
    extra, _, _ = load_calendars(env.cache, settings)
    with progress_bar(env) as step:
        return build_trend(env.root, by, env.as_of, settings, extra, first=start, codes=codes,  # type: ignore[arg-type]
                           progress=step, cache=env.cache)


@commands.command()
def trend(ctx: typer.Context,
          codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只看这些项目")] = None,
          start: Annotated[Optional[str], typer.Option(
              "--from", help="从哪天起（默认：台账首次提交之日，但不早于 --as-of 当年 1 月 1 日）")] = None,
          by: Annotated[TrendBy, typer.Option(help="week：按周（周一至周日）| month：按月")] = TrendBy.week,
          fmt: Annotated[Optional[TrendFormat], typer.Option(
              "--format", help="text | svg | html | json（默认按 --out 的扩展名，否则 text）")] = None,
          out: Annotated[Optional[Path], typer.Option("--out", help="写入文件")] = None) -> None:
    """趋势：从 git 历史按周或按月画出亮灯数、到期与销号（累计）、逾期销号、完成投资与序时进度。

    每期按其最后一天、以当天及以前最后提交的台账评判：事后补录的销号不改写以前各期。
    """
    def action(env: Env) -> None:
        first, _ = env.date_option(start, "--from")
        found = read_trend(env, by.value, first, codes or [])
        chosen = fmt or (_SUFFIXES.get(out.suffix.lower(), TrendFormat.text) if out is not None else TrendFormat.text)
        if chosen == TrendFormat.json and out is None:
            print_json(found.to_json())
            return
        from taizhang.render import charts

        if chosen == TrendFormat.json:
            import json

            write_out(env, json.dumps(found.to_json(), ensure_ascii=False, indent=2) + "\n", out)
        elif chosen == TrendFormat.svg:
            write_out(env, charts.to_svg(found, env.lang), out)
        elif chosen == TrendFormat.html:
            write_out(env, charts.to_html(found, env.lang), out)
        else:
            write_out(env, charts.to_text(found, env.lang), out)

    run(ctx, action)
