"""The commands of a 督查 round (SPEC §7): apply (申请销号) and reject, notice (督办通知单) and
reply (反馈). Each resolves its options, makes one call on the repository, says what was done."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.common import (
    CommitOpt,
    Env,
    commit,
    committing,
    light_list,
    report_problems,
    run,
    say,
    write_out,
)
from taizhang.cli.ledger import evidence_arg
from taizhang.errors import input_error

commands = typer.Typer()


@commands.command()
def apply(ctx: typer.Context,
          ids: Annotated[list[str], typer.Argument(help="事项编号，可多个")],
          evidence: Annotated[str, typer.Option(help="佐证材料：文字（如归档号），或文件（复制到 evidence/<ID>/）")],
          on: Annotated[Optional[str], typer.Option("--on", help="申请日期（默认 --as-of 当天）")] = None,
          by: Annotated[Optional[str], typer.Option(help="申请人（默认 git user.name，否则 $USER）")] = None,
          note: Annotated[Optional[str], typer.Option(help="申请说明")] = None,
          commit_: CommitOpt = False) -> None:
    """申请销号：记录佐证材料，事项待审核，直到 close 审核通过或 reject 退回。"""
    def action(env: Env) -> None:
        when, _ = env.date_option(on, "--on")
        done = env.repository.apply(ids, on=when or env.as_of, evidence=evidence_arg(evidence) or "",
                                    by=by or env.user(), note=note, as_of=env.as_of)
        for item_id, title in done:
            say(env, "applied_ok", id=item_id, title=title)
        commit(env, commit_, env.repository.written, "申请销号 " + "、".join(f"{i} {t}" for i, t in done))
    run(ctx, committing(commit_, action))


@commands.command()
def reject(ctx: typer.Context,
           item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
           reason: Annotated[str, typer.Option(help="退回的原因（记入进展）")],
           by: Annotated[Optional[str], typer.Option(help="审核人（默认 git user.name）")] = None,
           commit_: CommitOpt = False) -> None:
    """退回销号申请，原因记入事项的进展。"""
    def action(env: Env) -> None:
        title = env.repository.reject(item_id, reason, on=env.as_of, by=by or env.user(), lang=env.lang)
        say(env, "rejected_ok", id=item_id, title=title)
        commit(env, commit_, env.repository.written, f"退回销号申请 {item_id} {title}：{reason}")
    run(ctx, committing(commit_, action))


class NoticeFormat(str, Enum):
    docx = "docx"
    html = "html"
    md = "md"
    pdf = "pdf"


@commands.command()
def notice(ctx: typer.Context,
           unit: Annotated[Optional[str], typer.Option(help="只发给该责任单位（含该文字即可）")] = None,
           light: Annotated[str, typer.Option(help="哪些亮灯要督办：红,黄,绿,无时限（或 red,yellow,green,none）")] = "red,yellow",
           number: Annotated[Optional[str], typer.Option(help="文号模板，如 四铁西政督字〔{year}〕{n}号（默认取 taizhang.yaml 的 notice.number）")] = None,
           signer: Annotated[Optional[str], typer.Option(help="签发人（默认取 notice.signer）")] = None,
           reply_by: Annotated[Optional[str], typer.Option("--reply-by", help="办理时限（反馈截止日期）")] = None,
           fmt: Annotated[Optional[NoticeFormat], typer.Option("--format", help="docx | html | md | pdf（默认按 --out 的扩展名，否则 md）")] = None,
           out: Annotated[Optional[Path], typer.Option("--out", help="写入文件（docx、pdf 必须）")] = None,
           commit_: CommitOpt = False) -> None:
    """督办通知单：每个责任单位一份编号通知（一单位一页），记入 notices.yaml，文号不重复。"""
    def action(env: Env) -> None:
        from taizhang.domain.lights import OPEN_LIGHTS
        from taizhang.render import notice as paper

        chosen = fmt.value if fmt else (out.suffix.lstrip(".").lower() if out is not None else "md")
        if chosen not in {f.value for f in NoticeFormat}:
            chosen = "md"
        if chosen in ("docx", "pdf") and out is None:
            raise input_error("notice_needs_out", format=chosen)
        lights = light_list(env, light, allowed=OPEN_LIGHTS)
        due, _ = env.date_option(reply_by, "--reply-by")

        def render(pages: list) -> bytes:
            if chosen == "docx":
                return paper.to_docx(pages)
            if chosen == "pdf":
                try:
                    return paper.to_pdf(pages)
                except paper.PrintError as e:
                    raise input_error(e.key, **e.args_) from None
            return (paper.to_html(pages) if chosen == "html" else paper.to_markdown(pages)).encode("utf-8")

        # With --out, the paper is written beside its place before the notices are recorded and
        # put there after (a full disk leaves neither), an --out that will be refused refused
        # first: no number is used up by a notice never written.
        pages, data, warnings = env.repository.notice(env.as_of, unit=unit, lights=lights, template=number,
                                                      signer=signer, reply_by=due, render=render, out=out)
        report_problems(env, warnings)  # (a number two notices bear: said, as status says it)
        if not pages:
            say(env, "notice_none", lights=",".join(lights))
            return
        if out is None:
            write_out(env, data.decode("utf-8"), None)
        else:
            say(env, "written", path=os.path.abspath(out))
        for page in pages:
            say(env, "notice_ok", number=page.number, unit=page.unit, n=len(page.items))
        commit(env, commit_, env.repository.written,
               "督办通知单 " + "、".join(f"{p.number} {p.unit}" for p in pages))
    run(ctx, committing(commit_, action))


@commands.command()
def reply(ctx: typer.Context,
          number: Annotated[str, typer.Argument(metavar="NUMBER", help="督办通知单的文号")],
          text: Annotated[str, typer.Argument(help="反馈内容")],
          on: Annotated[Optional[str], typer.Option("--on", help="反馈日期（默认 --as-of 当天）")] = None,
          by: Annotated[Optional[str], typer.Option(help="反馈人")] = None,
          commit_: CommitOpt = False) -> None:
    """记录责任单位对督办通知单的反馈。"""
    def action(env: Env) -> None:
        when, _ = env.date_option(on, "--on")
        entry = env.repository.reply(number, text, on=when or env.as_of, by=by, as_of=env.as_of)
        say(env, "reply_ok", number=entry["number"], unit=entry["unit"])
        commit(env, commit_, env.repository.written, f"督办反馈 {entry['number']}：{text}")
    run(ctx, committing(commit_, action))
