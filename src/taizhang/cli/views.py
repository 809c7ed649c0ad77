"""The commands that look at the ledgers on a day: status (亮灯表, also `taizhang` alone), remind
(督办通知), why, schedule (倒排工期), date."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, Sequence

import typer

from taizhang.cli import exits
from taizhang.cli.common import (
    CommitOpt,
    Env,
    commit,
    committing,
    kind_list,
    light_list,
    out_format,
    print_json,
    report_problems,
    run,
    terminal,
    usage_error,
    write_out,
)
from taizhang.errors import Problem, TaizhangError
from taizhang.i18n import message

commands = typer.Typer()


class By(str, Enum):
    project = "project"
    unit = "unit"
    owner = "owner"
    leader = "leader"


class Format(str, Enum):
    text = "text"
    md = "md"
    html = "html"


@commands.command()
def status(ctx: typer.Context,
           codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只看这些项目（列出全部事项）")] = None,
           program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None,
           unit: Annotated[Optional[str], typer.Option(help="按责任单位筛选（含该文字即可）")] = None,
           owner: Annotated[Optional[str], typer.Option(help="按责任人筛选")] = None,
           leader: Annotated[Optional[str], typer.Option(help="按责任领导（包抓领导）筛选（含该文字即可）")] = None,
           kind: Annotated[Optional[str], typer.Option(help="按类型筛选：任务,节点,问题（或 task,milestone,problem）")] = None,
           light: Annotated[Optional[str], typer.Option(help="按亮灯筛选：红,黄,绿,无时限,已销号（或 逾期/临期/正常，red,yellow,green,none,done）")] = None,
           by: Annotated[By, typer.Option(help="分组：project | unit | owner | leader")] = By.project,
           all_items: Annotated[bool, typer.Option("--all", help="列出每个事项")] = False,
           limit: Annotated[int, typer.Option(min=1, help="每个项目/分组最多列几项")] = 20,
           notes: Annotated[bool, typer.Option("--notes", help="列出每项最新进展及其天数，标出久未汇报")] = False,
           invest: Annotated[bool, typer.Option("--invest", help="投资：年度计划、累计完成、完成率与序时进度")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（含筛选后的全部事项）")] = False) -> None:
    """亮灯表：每个项目一行，其下列出红灯、黄灯事项。"""
    if invest:
        # Items' options do not choose projects: refused rather than ignored (a --kind that
        # narrowed nothing would pass for an answer).
        item_options = {"--kind": kind is not None, "--by": by != By.project, "--all": all_items, "--notes": notes}
        run(ctx, lambda env: show_invest(env, codes=codes or [], program=program, unit=unit, leader=leader,
                                         owner=owner, light=light, as_json=as_json,
                                         refused=[name for name, given in item_options.items() if given]))
        return
    run(ctx, lambda env: show_status(env, codes=codes or [], program=program, unit=unit, owner=owner,
                                     kind=kind, light=light, by=by, all_items=all_items, limit=limit,
                                     as_json=as_json, notes=notes, leader=leader))


def show_status(env: Env, *, codes: Optional[list[str]] = None, program: Optional[str] = None,
                unit: Optional[str] = None, owner: Optional[str] = None, kind: Optional[str] = None,
                light: Optional[str] = None, by: By = By.project, all_items: bool = False,
                limit: int = 20, as_json: bool = False, notes: bool = False, leader: Optional[str] = None) -> int:
    from taizhang.domain.lights import group_items, status_json, totals

    codes = codes or []
    lights = light_list(env, light)
    # Lit rows come from the second cache level when nothing they depend on changed (views.py).
    found = env.repository.status(env.as_of, codes=codes, program=program, unit=unit, owner=owner,
                                  kinds=kind_list(env, kind), lights=lights, leader=leader)
    env.settled_lang = found.lang
    if as_json:
        print_json(status_json(found.projects, env.as_of), floatless=True)
    else:
        from taizhang.render.status import group_table, project_table, status_view

        # The overview lists what needs attention; a project, --all or --light lists more.
        shown = None if (codes or all_items or lights) else ("red", "yellow")
        width, color = terminal(env)
        notes_as_of = env.as_of if notes else None
        if by == By.project:
            table = project_table(found.projects, lang=env.lang, shown_lights=shown, limit=limit, width=width,
                                  color=color, notes_as_of=notes_as_of, with_stale=shown is not None)
        else:
            table = group_table(group_items(found.projects, by.value), by=by.value, lang=env.lang,
                                shown_lights=shown, limit=limit, width=width, color=color, notes_as_of=notes_as_of,
                                with_stale=shown is not None)
        sys.stdout.write(status_view(found.title, table, totals(found.projects), env.as_of, env.lang, color))
    report_problems(env, found.problems + found.warnings)
    return exits.problems_if(found.problems)


def show_invest(env: Env, *, codes: list[str], program: Optional[str], unit: Optional[str],
                leader: Optional[str] = None, owner: Optional[str] = None, light: Optional[str] = None,
                as_json: bool = False, refused: Sequence[str] = ()) -> int:
    """`status --invest`: each project's year plan against 序时进度, of the projects the
    project-level filters keep (`--light`: the light of the project's investment)."""
    from taizhang.domain.invest import INVEST_LIGHTS, invest_json, time_progress, totals

    if refused:
        raise usage_error(env, "option_not_with_invest", option=refused[0])
    lights = light_list(env, light, allowed=INVEST_LIGHTS)
    found = env.repository.investments(env.as_of, codes=codes, program=program, unit=unit, leader=leader,
                                       owner=owner, lights=lights)
    if as_json:
        print_json(invest_json(found.rows, env.as_of))
    else:
        from taizhang.render.status import invest_view

        program_totals, total = totals(found.rows)
        width, color = terminal(env)
        sys.stdout.write(invest_view(found.rows, program_totals, total, time_progress(env.as_of), env.as_of,
                                     found.title, env.lang, width=width, color=color))
    report_problems(env, found.problems)
    return exits.problems_if(found.problems)


@commands.command()
def remind(ctx: typer.Context,
           unit: Annotated[Optional[str], typer.Option(help="只看该责任单位（含该文字即可）")] = None,
           light: Annotated[str, typer.Option(help="哪些亮灯要督办：红,黄,绿,无时限（或 red,yellow,green,none）")] = "red,yellow",
           fmt: Annotated[Optional[Format], typer.Option(
               "--format", help="text | md | html（默认按 --out 的扩展名，否则 text）")] = None,
           out: Annotated[Optional[Path], typer.Option("--out", help="写入文件")] = None) -> None:
    """督办通知：按责任单位列出事项、项目、时间节点、逾期天数、责任人。"""
    def action(env: Env) -> int:
        from taizhang.domain.lights import OPEN_LIGHTS, group_items
        from taizhang.render import remind as notices

        chosen = Format(out_format(fmt.value if fmt else None, out, [f.value for f in Format], Format.text.value))
        # The same lit rows as `status` (views.py): only the lights asked for are decoded.
        lights = light_list(env, light, allowed=OPEN_LIGHTS)  # read before the ledgers are
        found = env.repository.status(env.as_of, unit=unit, lights=lights, allowed_lights=OPEN_LIGHTS)
        env.settled_lang = found.lang
        # Only the items whose own unit matches go on that unit's notice.
        groups = [g for g in group_items(found.projects, "unit") if unit is None or unit in (g.name or "")]
        notice = notices.Notice(found.title, env.as_of, notices.open_groups(groups))
        if chosen == Format.md:
            text = notices.to_markdown(notice, env.lang)
        elif chosen == Format.html:
            text = notices.to_html(notice, env.lang)
        else:
            width, color = terminal(env)
            text = notices.to_text(notice, env.lang, width, color and out is None)
        write_out(env, text, out)
        report_problems(env, found.problems + found.warnings)
        return exits.problems_if(found.problems)
    run(ctx, action)


@commands.command()
def why(ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")]) -> None:
    """解释一个事项为什么亮这个灯：时间节点及其来源、剩余天数、触发的规则与阈值。"""
    def action(env: Env) -> None:
        from taizhang.render.why import explain

        ledger, item, planned, settings = env.repository.item(item_id, env.as_of)
        typer.echo(explain(ledger, item, planned, env.as_of, settings, env.lang))
    run(ctx, action)


@commands.command()
def schedule(ctx: typer.Context,
             code: Annotated[str, typer.Argument(help="项目代码")],
             as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
             write: Annotated[bool, typer.Option("--write", help="把算出的时间节点写入没有 due 的事项")] = False,
             commit_: CommitOpt = False) -> None:
    """倒排工期：从最终节点倒推每个事项的最晚开始、完成，浮动天数与关键路径。"""
    def action(env: Env) -> None:
        found = env.repository.schedule(code, env.as_of)
        if as_json:
            print_json(found.plan.to_json())
        else:
            from taizhang.render.status import schedule_view

            width, color = terminal(env)
            typer.echo(schedule_view(found.ledger, found.plan, env.as_of, found.settings, env.lang,
                                     width=width, color=color), nl=False)
        if write:
            n = env.repository.write_schedule(code, env.as_of, found)
            if n:
                commit(env, commit_, env.repository.written, f"倒排工期 {code}：写入 {n} 个时间节点")
            typer.echo(message("schedule_written", env.lang, n=n), err=True)
    run(ctx, committing(commit_, action))


@commands.command(name="date")
def date_(ctx: typer.Context,
          phrases: Annotated[list[str], typer.Argument(metavar="PHRASE...", help="日期短语，如 4月底、下周五、10个工作日内")],
          year: Annotated[Optional[int], typer.Option(help="不带年份的短语所用的年份")] = None) -> None:
    """显示每个日期短语会被读成哪一天：PHRASE<TAB>YYYY-MM-DD。"""
    def action(env: Env) -> None:
        from taizhang.domain.dates import DateError, parse_date

        try:  # `date` works outside a repository too: then without its settings and calendars
            default_year, workdays = env.settings.year, env.workdays()
        except TaizhangError:
            default_year, workdays = None, None
        problems = []
        for phrase in phrases:
            try:
                day = parse_date(phrase, as_of=env.as_of, year=year or default_year or env.as_of.year,
                                 workdays=workdays)
            except DateError as e:
                problems.append(Problem("", 0, 0, "date_refused", {"phrase": phrase,
                                        "detail": message(e.key, env.lang, **e.args_)}))
                continue
            typer.echo(f"{phrase}\t{day.isoformat()}")
            env.warn_if_passed(day, phrase, None)  # as `add --due` would say it
        if problems:
            raise TaizhangError(problems)
    run(ctx, action)
