"""`report`: the 简报 of a day, week or month in text, Markdown, HTML, xlsx or docx."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from taizhang.cli.common import Env, out_format, read_trend, report_problems, run, terminal, write_bytes, write_out
from taizhang.errors import TaizhangError, input_error

if TYPE_CHECKING:
    from taizhang.domain.trend import Trend


class PeriodKind(str, Enum):
    day = "day"
    week = "week"
    month = "month"


class ReportFormat(str, Enum):
    text = "text"
    md = "md"
    html = "html"
    xlsx = "xlsx"
    docx = "docx"


_BINARY = (ReportFormat.xlsx, ReportFormat.docx)
commands = typer.Typer()



@commands.command()
def report(ctx: typer.Context,
           kind: Annotated[PeriodKind, typer.Argument(
               metavar="day|week|month", show_default=False,
               help="day：当日（日汇报）| week：周一至周日（周例会）| month：自然月（月点评）")],
           fmt: Annotated[Optional[ReportFormat], typer.Option(
               "--format", help="text | md | html | xlsx | docx（默认按 --out 的扩展名，否则 text）")] = None,
           out: Annotated[Optional[Path], typer.Option(
               "--out", help="写入文件；xlsx、docx 必须指定（如 --out 周报.xlsx）")] = None) -> None:
    """简报：--as-of 所在日/周/月的销号、逾期销号、进展、红灯、到期、问题台账、投资与亮灯合计；月报另有月点评。

    xlsx 和 docx 是二进制文件，须用 --out 指定文件名；不指定 --format 时按 --out 的扩展名
    （.txt .md .html .xlsx .docx）决定格式。有错误的台账不出简报（退出码 1）。
    """
    run(ctx, lambda env: write_report(env, kind.value, fmt, out))


def write_report(env: Env, kind: str, fmt: Optional[ReportFormat], out: Optional[Path]) -> None:
    from taizhang.domain.reports import briefing_of
    from taizhang.render.briefing import layout, to_docx, to_html, to_markdown, to_text, to_xlsx

    fmt = ReportFormat(out_format(fmt.value if fmt else None, out, [f.value for f in ReportFormat],
                                  ReportFormat.text.value))
    if fmt in _BINARY and out is None:
        raise input_error("report_needs_out", format=fmt.value)
    # The lit rows of `status` (views.py) carry what a briefing says of each item.
    found = env.repository.status(env.as_of)
    env.settled_lang = found.lang
    # A briefing is handed out: one that silently left out a broken ledger would mislead.
    if found.problems:
        raise TaizhangError(found.problems)
    # The month's league table counts the 督办通知单 each unit received (notices.yaml; a broken
    # file is already among the problems above).
    notices = env.repository.notices() if kind == "month" else []
    briefing = briefing_of(found.projects, found.findings, env.as_of, kind, env.settings,  # type: ignore[arg-type]  # (a PeriodKind value)
                           notices)
    page = layout(briefing, env.lang, month_trend(env) if kind == "month" else None)
    if fmt in _BINARY:
        assert out is not None  # refused above
        write_bytes(env, to_xlsx(page) if fmt == ReportFormat.xlsx else to_docx(page), out)
    elif fmt == ReportFormat.md:
        write_out(env, to_markdown(page), out)
    elif fmt == ReportFormat.html:
        write_out(env, to_html(page), out)
    else:
        width, color = terminal(env)
        write_out(env, to_text(page, width, color and out is None), out)
    report_problems(env, found.warnings)  # (a notice number borne twice: said, as status says it)


def month_trend(env: Env) -> Optional[Trend]:
    """The month report's trend: week by week from the ledgers' git history (as `trend`), None
    when the repository is not in git, has no committed ledger, or git cannot read it — the
    report still comes out, and says there is no trend to draw."""
    try:
        return read_trend(env, "week", None, [])
    except TaizhangError as e:
        if all(p.key in ("git_not_repo", "trend_no_history", "git_failed") for p in e.problems):
            return None
        raise
