"""Commands registered on the CLI app from their own module (imported at the end of cli.py)."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.app import Env, _say, _terminal, _write_out, app, finding_problems, run
from taizhang.errors import TaizhangError, input_error


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
_SUFFIXES = {".txt": ReportFormat.text, ".md": ReportFormat.md, ".html": ReportFormat.html,
             ".htm": ReportFormat.html, ".xlsx": ReportFormat.xlsx, ".docx": ReportFormat.docx}


@app.command()
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
    from taizhang.render.briefing import layout, to_docx, to_html, to_markdown, to_text, to_xlsx
    from taizhang.domain.reports import briefing_of
    from taizhang.repo.views import lit_projects

    if fmt is None:
        fmt = _SUFFIXES.get(out.suffix.lower(), ReportFormat.text) if out is not None else ReportFormat.text
    if fmt in _BINARY and out is None:
        raise input_error("report_needs_out", format=fmt.value)
    # The lit rows of `status` (views.py) carry what a briefing says of each item.
    lit = lit_projects(env.cache, None, env.as_of)
    env.settled_lang = lit.lang
    # A briefing is handed out: one that silently left out a broken ledger would mislead.
    errors = lit.errors()
    if errors:
        raise TaizhangError(errors)
    briefing = briefing_of(lit.projects, lit.findings, env.as_of, kind, env.settings)
    page = layout(briefing, env.lang)
    if fmt == ReportFormat.xlsx:
        _write_bytes(env, to_xlsx(page), out)
    elif fmt == ReportFormat.docx:
        _write_bytes(env, to_docx(page), out)
    elif fmt == ReportFormat.md:
        _write_out(env, to_markdown(page), out)
    elif fmt == ReportFormat.html:
        _write_out(env, to_html(page), out)
    else:
        width, color = _terminal(env)
        _write_out(env, to_text(page, width, color and out is None), out)


def _write_bytes(env: Env, data: bytes, out: Path) -> None:
    """Write a whole file: to a temporary file beside it, then renamed over it."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise input_error("out_unwritable", path=str(out), detail=e.strerror or str(e)) from None
    _say(env, "written", path=str(out))
