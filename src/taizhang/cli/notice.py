"""The commands of a 督查 round (SPEC §7): apply (申请销号) and reject, notice (督办通知单) and
reply (反馈). Each resolves its options, makes one call on the repository, says what was done."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.common import CommitOpt, Env, commit, committing, csv_list, run, say, write_bytes, write_out
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
