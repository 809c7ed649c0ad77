"""`trend` (the ledgers' git history drawn per week or month) and `dashboard` (one static site)."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.common import (
    Env,
    out_format,
    print_json,
    read_trend,
    report_problems,
    run,
    say,
    write_files,
    write_out,
)
from taizhang.errors import TaizhangError as TaizhangErrorType

commands = typer.Typer()


class TrendFormat(str, Enum):
    text = "text"
    svg = "svg"
    html = "html"
    json = "json"


class TrendBy(str, Enum):
    week = "week"
    month = "month"




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
        chosen = TrendFormat(out_format(fmt.value if fmt else None, out, [f.value for f in TrendFormat],
                                        TrendFormat.text.value))
        first, _ = env.date_option(start, "--from")
        found = read_trend(env, by.value, first, codes or [])
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


# Folders of a repository a site must never be written into: the data, and git's own.
_GUARDED = ("ledgers", "calendars", "evidence", ".git")


def out_folder(root: Path, out: Path, lang: str = "zh") -> Path:
    """The folder `dashboard` may write: refused when it, or a folder on the way to it, is a
    symbolic link (writing would land wherever the link points), when it lies in the
    repository's ledgers/, calendars/, evidence/ or .git/, or when it is a file.
    (A minimal check of this command's own; the repository layer's general --out check, when it
    lands, should take its place.)"""
    from taizhang.errors import input_error
    from taizhang.i18n import message

    def refuse(reason: str) -> TaizhangErrorType:
        return input_error("dashboard_refused", path=str(out), reason=reason)

    absolute = Path(os.path.abspath(out))
    probe = absolute
    while True:
        if probe.is_symlink():
            raise refuse(message("dashboard_symlink", lang))
        if probe.parent == probe:
            break
        probe = probe.parent
    real_root = Path(os.path.realpath(root))
    for name in _GUARDED:
        guarded = real_root / name
        if absolute == guarded or guarded in absolute.parents:
            raise refuse(message("dashboard_inside", lang, folder=name))
    if absolute.exists() and not absolute.is_dir():
        raise refuse(message("dashboard_not_dir", lang))
    return absolute


def write_site(env: Env, folder: Path, pages: dict[str, str]) -> None:
    """The pages written all or none (common.write_files); a page that is a symbolic link is
    refused before anything is written."""
    from taizhang.errors import input_error
    from taizhang.i18n import message

    for rel in pages:
        if (folder / rel).is_symlink() or (folder / rel).parent.is_symlink():
            raise input_error("dashboard_refused", path=str(folder / rel), reason=message("dashboard_symlink", env.lang))
    write_files([(folder / rel, text.encode("utf-8")) for rel, text in pages.items()])


@commands.command()
def dashboard(ctx: typer.Context,
              out: Annotated[Path, typer.Option("--out", help="写入的文件夹（如 看板/）")]) -> None:
    """看板：把亮灯表、趋势图、单位排名、挂图作战和每个项目的页面写成一个静态网站，离线打开、可打印（A4）。

    不需要服务器和网络：样式和图都在页面中。不写入 ledgers/、calendars/、evidence/、.git/，不穿过符号链接。
    有错误的台账不出看板（退出码 1）。
    """
    def action(env: Env) -> None:
        from taizhang.domain.reports import league
        from taizhang.errors import TaizhangError
        from taizhang.render.dashboard import build_site
        from taizhang.render.gantt import build_chart

        folder = out_folder(env.root, out, env.lang)
        repo = env.repository.load()
        if repo.errors:
            raise TaizhangError(repo.errors)
        found = env.repository.status(env.as_of)
        env.settled_lang = found.lang
        if found.problems:
            raise TaizhangError(found.problems)
        try:
            trend_found = read_trend(env, "week", None, [])
        except TaizhangError as e:
            if not all(p.key in ("git_not_repo", "trend_no_history") for p in e.problems):
                raise
            trend_found = None
        chart = build_chart(repo.ledgers, env.as_of, repo.settings, repo.extra)
        project_charts = {ledger.code: build_chart([ledger], env.as_of, repo.settings, repo.extra)
                          for ledger in repo.ledgers}
        site = build_site(found.projects, found.title, env.as_of, env.lang, trend=trend_found,
                          league=league(found.projects, env.as_of, env.repository.notices()), chart=chart, project_charts=project_charts)
        write_site(env, folder, site.pages)
        say(env, "dashboard_written", n=len(site.pages), path=str(folder / "index.html"))
        # An item off the wall chart (or its project's), named once, as `gantt` names it.
        beyond = {f.item: f for c in (chart, *project_charts.values()) for f in c.beyond}
        report_problems(env, repo.placed(beyond.values()) + found.warnings)

    run(ctx, action)
