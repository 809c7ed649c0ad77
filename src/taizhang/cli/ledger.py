"""The commands that make and change ledgers: init, schema, check, new, add, problem, close,
reopen, note, set, invest. Each resolves its options, makes one call on the repository
(repo/repository.py), says what was done and commits when asked."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from taizhang.cli import exits
from taizhang.cli.common import (
    CommitOpt,
    Env,
    commit,
    committing,
    csv_list,
    kind_value,
    kind_word,
    offer_merge_driver,
    report_problems,
    run,
    say,
    warn,
)
from taizhang.errors import input_error
from taizhang.i18n import message
from taizhang.repo.repository import check_settable, init_repository, target_code

# The models (pydantic), the date grammar and the YAML reader are imported by the commands that
# need them: `taizhang note --help` or a write with ISO dates does not load the phrase grammar.

commands = typer.Typer()


@commands.command()
def init(ctx: typer.Context,
         path: Annotated[Optional[Path], typer.Argument(help="新仓库的目录（默认当前目录）")] = None) -> None:
    """创建空的台账仓库：taizhang.yaml、ledgers/、schemas/。"""
    def action(env: Env) -> None:
        target = (path or env.dir or Path.cwd()).resolve()
        for name, created in init_repository(target):
            if not created:
                say(env, "init_exists", path=name)
        say(env, "init_ok", path=str(target))
        offer_merge_driver(env, target)
    run(ctx, action)


@commands.command()
def schema(ctx: typer.Context) -> None:
    """（重新）生成 schemas/ledger.schema.json。"""
    def action(env: Env) -> None:
        path = env.repository.write_schema()
        say(env, "schema_ok", path=str(path.relative_to(env.root)))
    run(ctx, action)


@commands.command()
def check(ctx: typer.Context,
          files: Annotated[Optional[list[Path]], typer.Argument(help="要检查的文件（默认全部）")] = None) -> None:
    """校验台账：每个问题一行 path:line:col: message；有错误时退出码为 1。"""
    def action(env: Env) -> int:
        repo = env.repository.check(env.as_of, files)
        report_problems(env, repo.problems)
        errors = len(repo.errors)
        say(env, "check_ok", files=repo.files, errors=errors, warnings=len(repo.problems) - errors)
        return exits.problems_if(errors)
    run(ctx, action)


@commands.command()
def new(ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="项目代码，如 YT2（大写字母开头，至多 12 位）")],
        name: Annotated[str, typer.Argument(help="项目名称")],
        deadline: Annotated[Optional[str], typer.Option(help="最终时间节点")] = None,
        unit: Annotated[Optional[str], typer.Option(help="责任单位")] = None,
        leader: Annotated[Optional[str], typer.Option(help="责任领导")] = None,
        owner: Annotated[Optional[str], typer.Option(help="责任人")] = None,
        program: Annotated[Optional[str], typer.Option(help="所属工程/专项")] = None,
        stage: Annotated[Optional[str], typer.Option(help="新建 | 续建 | 前期")] = None,
        calendar: Annotated[Optional[str], typer.Option(help="natural | workdays | weekdays")] = None,
        commit_: CommitOpt = False) -> None:
    """新建项目台账 ledgers/CODE.yaml。"""
    def action(env: Env) -> None:
        when, wording = env.date_option(deadline, "--deadline")
        path = env.repository.new(code, name, deadline=when, unit=unit, leader=leader, owner=owner,
                                  program=program, stage=stage, calendar=calendar,
                                  wordings={"deadline": wording} if wording else None)
        say(env, "new_ok", code=code, path=str(path.relative_to(env.root)))
        commit(env, commit_, env.repository.written, f"新建项目 {code} {name}")
    run(ctx, committing(commit_, action))


def _add(env: Env, code: str, title: str, *, due: Optional[str], duration: Optional[str],
         after: Optional[str], owner: Optional[str], unit: Optional[str], kind: Optional[str],
         measures: Optional[str], commit_: bool) -> None:
    kind = kind_value(env, kind)  # 问题, 节点, 里程碑 … as well as the codes (SPEC §5), before the dates
    when, wording = env.due_option(due, "--due")
    days = env.duration_option(duration, "--duration")
    new_id = env.repository.add(code, title, kind=kind, due=when, duration=days, after=csv_list(after),
                                owner=owner, unit=unit, measures=measures,
                                wordings={"due": wording} if wording else None)
    typer.echo(new_id)
    report_problems(env, env.repository.warnings)
    commit(env, commit_, env.repository.written,
           f"{'新增问题' if kind == 'problem' else '新增事项'} {new_id} {title}")


@commands.command()
def add(ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="项目代码")],
        title: Annotated[str, typer.Argument(help="事项")],
        due: Annotated[Optional[str], typer.Option(help="时间节点，如 2018-04-30")] = None,
        duration: Annotated[Optional[str], typer.Option(help="工期：120、120天、3周")] = None,
        after: Annotated[Optional[str], typer.Option(help="前置事项编号，逗号分隔")] = None,
        owner: Annotated[Optional[str], typer.Option(help="责任人")] = None,
        unit: Annotated[Optional[str], typer.Option(help="责任单位（不填用项目的）")] = None,
        kind: Annotated[Optional[str], typer.Option(help="任务 | 节点 | 问题（或 task | milestone | problem）")] = None,
        measures: Annotated[Optional[str], typer.Option(help="整改措施（问题）")] = None,
        commit_: CommitOpt = False) -> None:
    """新增事项，输出其编号。"""
    run(ctx, committing(commit_, lambda env: _add(env, code, title, due=due, duration=duration, after=after, owner=owner,
                              unit=unit, kind=kind, measures=measures, commit_=commit_)))


@commands.command()
def problem(ctx: typer.Context,
            code: Annotated[str, typer.Argument(help="项目代码")],
            text: Annotated[str, typer.Argument(help="问题")],
            unit: Annotated[Optional[str], typer.Option(help="责任单位")] = None,
            due: Annotated[Optional[str], typer.Option(help="整改时限")] = None,
            measures: Annotated[Optional[str], typer.Option(help="整改措施")] = None,
            owner: Annotated[Optional[str], typer.Option(help="责任人")] = None,
            commit_: CommitOpt = False) -> None:
    """问题台账：新增一个问题（add --kind problem），输出其编号。"""
    run(ctx, committing(commit_, lambda env: _add(env, code, text, due=due, duration=None, after=None, owner=owner,
                              unit=unit, kind="problem", measures=measures, commit_=commit_)))


@commands.command()
def close(ctx: typer.Context,
          ids: Annotated[list[str], typer.Argument(help="事项编号，可多个")],
          on: Annotated[Optional[str], typer.Option("--on", help="销号日期（默认 --as-of 当天）")] = None,
          by: Annotated[Optional[str], typer.Option(help="销号人（默认 git user.name，否则 $USER）")] = None,
          note: Annotated[Optional[str], typer.Option(help="销号说明")] = None,
          evidence: Annotated[Optional[str], typer.Option(help="佐证材料：文字（如归档号），或文件（复制到 evidence/<ID>/）")] = None,
          commit_: CommitOpt = False) -> None:
    """销号：把事项标记为完成。"""
    def action(env: Env) -> None:
        when, _ = env.date_option(on, "--on")
        # On an item applied for (§7) the application's day stands unless --on gives another.
        done = env.repository.close(ids, on=when, by=by or env.user(), note=note,
                                    evidence=evidence_arg(evidence), as_of=env.as_of)
        for item_id, title in done:
            say(env, "closed_ok", id=item_id, title=title)
        commit(env, commit_, env.repository.written,
               "销号 " + "、".join(f"{i} {t}" for i, t in done))
    run(ctx, committing(commit_, action))


@commands.command()
def reopen(ctx: typer.Context,
           item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
           reason: Annotated[str, typer.Option(help="重新打开的原因（记入进展）")],
           by: Annotated[Optional[str], typer.Option(help="操作人（默认 git user.name）")] = None,
           commit_: CommitOpt = False) -> None:
    """撤销销号，原因记入事项的进展。"""
    def action(env: Env) -> None:
        title = env.repository.reopen(item_id, reason, on=env.as_of, by=by or env.user(), lang=env.lang)
        say(env, "reopened_ok", id=item_id, title=title)
        commit(env, commit_, env.repository.written, f"重新打开 {item_id} {title}：{reason}")
    run(ctx, committing(commit_, action))


def evidence_arg(text: Optional[str]) -> "str | Path | None":
    """`--evidence T|FILE`: a path that exists is a file to copy (the repository refuses one
    that is not a regular file); any other text is recorded as written."""
    if text is None or not text.strip():
        return text
    path = Path(text)
    return path if os.path.lexists(path) else text


def _ledger_of(env: Env, target: str) -> Path:
    return env.repository.ledger_path(target_code(target))


@commands.command()
def note(ctx: typer.Context,
         item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
         text: Annotated[str, typer.Argument(help="进展情况")],
         on: Annotated[Optional[str], typer.Option("--on", help="汇报日期（默认 --as-of 当天）")] = None,
         by: Annotated[Optional[str], typer.Option(help="汇报人（默认 git user.name）")] = None,
         done: Annotated[Optional[str], typer.Option("--done", help="已完成量（对照事项的目标数量 target），如 1120")] = None,
         commit_: CommitOpt = False) -> None:
    """记录一条进展（日汇报）。"""
    def action(env: Env) -> None:
        when, _ = env.date_option(on, "--on")
        title = env.repository.note(item_id, text, on=when or env.as_of, by=by or env.user(), done=done,
                                    as_of=env.as_of)
        say(env, "noted_ok", id=item_id)
        commit(env, commit_, env.repository.written, f"进展 {item_id} {title}：{text}")
    run(ctx, committing(commit_, action))


@commands.command(name="set")
def set_(ctx: typer.Context,
         target: Annotated[str, typer.Argument(metavar="ID", help="事项编号或项目代码")],
         assignments: Annotated[list[str], typer.Argument(metavar="FIELD=VALUE...", help="如 due=2018-09-30；值为空则删除该字段")],
         reason: Annotated[Optional[str], typer.Option(help="调整原因：改动已有的时间节点（due、deadline）时必填，记入 changes")] = None,
         by: Annotated[Optional[str], typer.Option(help="调整人（默认 git user.name）")] = None,
         commit_: CommitOpt = False) -> None:
    """修改事项或项目的字段：set YT2-3 due=2018-09-30，set YT2 deadline=2020-09-30。"""
    def action(env: Env) -> None:
        _ledger_of(env, target)  # an unknown target is refused before its values are read
        changes = [_parse_assignment(env, a, target) for a in assignments]
        moved = env.repository.set(target, changes, reason=(reason or "").strip() or None, on=env.as_of,
                                   by=by or env.user())
        if reason and not moved:
            warn(env, message("reason_unused", env.lang))
        summary = "，".join(f"{f}={_show(v) if v is not None else ''}" for f, v, _ in changes)
        say(env, "set_ok", target=target, changes=summary)
        commit(env, commit_, env.repository.written,
               f"修改 {target}：{summary}" + (f"（原因：{reason}）" if moved else ""))
    run(ctx, committing(commit_, action))


def _show(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(value)
    return value


def _parse_assignment(env: Env, text: str, target: str) -> tuple[str, Any, Optional[str]]:
    """`FIELD=VALUE` → (field, value typed, the clerk's wording of a date); the field checked
    before its value is read."""
    if "=" not in text:
        raise input_error("set_syntax", arg=text)
    name, raw = text.split("=", 1)
    name = name.strip()
    # A title is kept as typed, as `add` keeps it; blank, it is refused like an empty one.
    raw = raw if name == "title" else raw.strip()
    if name == "kind" and raw:  # the words of `add --kind` (问题, 节点 …) as well as the codes
        raw = kind_word(raw)
    check_settable(target, name, None if raw.strip() == "" else raw)
    if raw == "":
        return name, None, None
    if name in ("due", "deadline", "from"):
        value, wording = env.due_option(raw, name) if name == "due" else env.date_option(raw, name)
        return name, value, wording
    if name == "duration":
        from taizhang.domain.dates import DateError, parse_duration
        from taizhang.domain.durations import written_duration

        try:
            # A span keeps its wording (3周), a bare number is counted days.
            return name, written_duration(parse_duration(raw)), None
        except DateError as e:
            raise input_error("set_invalid", field=name, value=raw, detail=message(e.key, env.lang, **e.args_)) from None
    if name == "after":
        return name, csv_list(raw), None
    return name, raw, None


@commands.command()
def invest(ctx: typer.Context,
           code: Annotated[str, typer.Argument(help="项目代码")],
           amount: Annotated[str, typer.Argument(help="完成投资：1.2亿、3000万元、1200（万元）")],
           month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
           commit_: CommitOpt = False) -> None:
    """记录某月完成投资（万元；已有该月数据时改为新数）。"""
    def action(env: Env) -> None:
        from taizhang.domain.amounts import format_wan

        value = env.repository.record_investment(code, month, amount)
        say(env, "invest_ok", code=code, month=month, amount=format_wan(value))
        commit(env, commit_, env.repository.written, f"完成投资 {code} {month}：{amount.strip()}")
    run(ctx, committing(commit_, action))
