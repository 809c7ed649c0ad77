"""The git commands: `git-setup` (register the item-level merge driver), `merge-driver` (what git
runs, with git's exit codes: exits.MERGE_*), `log` (the history of an item or project for the
督查 audit)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli import exits
from taizhang.cli.common import CommitOpt, Env, commit, committing, env_of, print_json, run, setup_driver
from taizhang.errors import Problem, input_error
from taizhang.i18n import message, node_word, os_reason

commands = typer.Typer()


# --- git-setup ------------------------------------------------------------------------------

@commands.command(name="git-setup")
def git_setup(ctx: typer.Context, commit_: CommitOpt = False) -> None:
    """在本 git 仓库注册合并驱动：台账按事项、notices.yaml 按通知单合并（.gitattributes 与 git config）。"""
    def action(env: Env) -> None:
        steps = setup_driver(env)
        commit(env, commit_, [w for step in steps for w in step.written], "启用台账按事项合并（taizhang git-setup）")
        if not any(step.changed for step in steps):
            typer.echo(message("git_setup_done_before", env.lang))
    run(ctx, committing(commit_, action))


# --- merge-driver ---------------------------------------------------------------------------

@commands.command(name="merge-driver", hidden=True)
def merge_driver(ctx: typer.Context,
                 base: Annotated[Path, typer.Argument(help="共同祖先版本（git 的 %O）")],
                 ours: Annotated[Path, typer.Argument(help="本方版本，合并结果写回此文件（%A）")],
                 theirs: Annotated[Path, typer.Argument(help="对方版本（%B）")],
                 path: Annotated[Optional[str], typer.Argument(help="文件在仓库中的路径（%P）：notices.yaml 按通知单合并，其余按台账")] = None) -> None:
    """git 合并驱动（git-setup 注册，由 git 调用）：台账按事项、notices.yaml 按通知单合并，结果写回 OURS；有冲突时退出码为 1。"""
    env = env_of(ctx)
    try:
        raws = [base.read_bytes(), ours.read_bytes(), theirs.read_bytes()]
    except OSError as e:
        typer.echo(Problem("", 0, 0, "merge_unreadable", {"detail": os_reason(e)}).render(env.lang), err=True)
        exits.leave(exits.MERGE_UNREADABLE)
    label = path or ours.name
    lang = _driver_lang(env, path)
    data, conflicts, notes = _merge_bytes(*raws, label=label, settings=_driver_settings(path))
    from taizhang.repo.files import replace_in_place

    replace_in_place(ours, data)
    for problem in notes + conflicts:
        typer.echo(problem.render(lang), err=True)
    exits.leave(exits.MERGE_CONFLICTS if conflicts else exits.MERGE_CLEAN)


def _driver_root(path: Optional[str]) -> Optional[Path]:
    """The ledger repository the merged file belongs to (git runs drivers at the top level)."""
    from taizhang.repo.layout import find_root

    start = (Path.cwd() / path).parent if path else Path.cwd()
    try:
        return find_root(start)
    except OSError:
        return None


def _driver_settings(path: Optional[str]):
    from taizhang.domain.models import Settings
    from taizhang.repo.repository import Repository

    root = _driver_root(path)
    if root is None:
        return Settings()
    try:
        # (git runs the driver mid-merge: it leaves no cache entry behind)
        settings, _ = Repository(root, use_cache=False).read_settings()
    except OSError:
        return Settings()
    return settings


def _driver_lang(env: Env, path: Optional[str]) -> str:
    if env.lang_opt:
        return env.lang_opt
    return _driver_settings(path).lang


def _merge_bytes(base: bytes, ours: bytes, theirs: bytes, *, label: str, settings) -> tuple[bytes, list, list]:
    """(merged bytes, conflicts, messages). Anything unexpected falls back to git's line merge:
    a merge never loses either side."""
    from taizhang.gitops.driver import merge_file
    from taizhang.gitops.merge import line_merge_bytes, line_merge_problems

    try:
        texts = [raw.decode("utf-8") for raw in (base, ours, theirs)]
    except UnicodeDecodeError:
        data, n = line_merge_bytes(base, ours, theirs)
        return data, line_merge_problems(label, n), [Problem(label, 0, 0, "merge_line_fallback", {}, "warning"),
                                                     Problem(label, 0, 0, "encoding_not_utf8")]
    try:
        result = merge_file(*texts, path=label, settings=settings)
    except Exception as e:  # a bug must not cost anyone their work: git's line merge instead
        data, n = line_merge_bytes(base, ours, theirs)
        return data, line_merge_problems(label, n), [Problem(label, 0, 0, "merge_line_fallback", {}, "warning"),
                                                     Problem(label, 0, 0, "merge_internal", {"where": type(e).__name__})]
    return result.text.encode("utf-8"), result.conflicts, result.messages


# --- log ------------------------------------------------------------------------------------

@commands.command(name="log")
def log(ctx: typer.Context,
        target: Annotated[Optional[str], typer.Argument(metavar="[ID|CODE]", help="事项编号或项目代码（默认全部台账）")] = None,
        limit: Annotated[Optional[int], typer.Option(min=1, help="只看最近的 N 次提交（不指定事项/项目时默认 20）")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """台账的变更历史（来自 git）：谁在何时销号、重新打开、调整时间节点、记录进展。"""
    def action(env: Env) -> None:
        from taizhang.domain.ids import CODE_PATTERN, ITEM_ID_PATTERN
        from taizhang.gitops.git import history

        item: Optional[str] = None
        count: Optional[int] = limit
        if target is None:
            specs, count = ["ledgers/"], limit or 20
        elif re.match(ITEM_ID_PATTERN, target):
            item = target
            specs = [f"ledgers/{target.rsplit('-', 1)[0]}.yaml"]
        elif re.match(CODE_PATTERN, target):
            specs = [f"ledgers/{target}.yaml"]
        else:
            raise input_error("log_target", target=target)
        events = history(env.root, specs, count, item)
        if item is None:  # a new ledger is one line, not one per item it came with
            created = {(e.commit, e.change.code) for e in events if e.change.kind == "project_added"}
            events = [e for e in events if e.change.item is None or (e.commit, e.change.code) not in created]
        if as_json:
            print_json([{"commit": e.commit, "date": e.date, "author": e.author, "email": e.email,
                          "project": e.change.code, "id": e.change.item, "event": e.change.kind,
                          **{k: v for k, v in e.change.args}, "text": describe(e.change, env.lang)}
                         for e in events])
            return
        if not events:
            if target is not None:  # what never was (NOPE-1) is a wrong id, not a quiet history
                env.repository.require(target)
            typer.echo(message("log_none", env.lang, target=target or "ledgers/"))
            return
        for e in events:
            when = e.date[:16].replace("T", " ")
            typer.echo(escaped(f"{when}  {e.commit[:7]}  {e.author}  {describe(e.change, env.lang)}"))
    run(ctx, action)



_BIDI = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def escaped(text: str) -> str:
    """`text` for a terminal: control characters (a title's ESC, BEL; a line or paragraph
    separator; bidi overrides) written as `\\x1b` or `\\u202e`, so that history cannot ring,
    recolour, clear or reorder the clerk's screen. `--json` keeps them exact."""
    import unicodedata

    def shown(ch: str) -> str:
        code = ord(ch)
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or code in _BIDI:
            return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        return ch

    return "".join(shown(ch) for ch in text) if not text.isprintable() else text


def _field_title(name: str, *, item: bool) -> str:
    """A field's Chinese name from the models (owner → 责任人), the key itself where none."""
    from taizhang.domain.models import Investment, Item, Ledger

    model = Item if item else Ledger
    parts = name.split(".")
    if not item and parts[0] == "investment" and len(parts) == 2 and parts[1] in Investment.model_fields:
        return Investment.model_fields[parts[1]].title or name
    info = model.model_fields.get(name)
    return (info.title if info is not None and info.title else name)


def describe(change, lang: str) -> str:
    """One change in words: `销号 YT2-3 六个村拆迁进度滞后（2018-05-28，赵红彬）`."""
    args = dict(change.values)
    args.setdefault("id", change.item or "")
    args.setdefault("code", change.code)
    if change.kind in ("due_moved", "deadline_moved"):  # a node removed: 调整为 无时限
        args["new"] = node_word(args.get("new"), lang)
    none = message("log_empty", lang)
    for key in ("old", "new", "by", "date"):
        if key in args and args[key] == "":
            args[key] = none
    if "field" in args and lang != "en":
        args["field"] = _field_title(args["field"], item=change.item is not None)
    text = message("log_" + change.kind, lang, **args)
    extra = []
    if change.kind == "closed":
        for key in ("note", "evidence"):
            if args.get(key):
                extra.append(message("log_closed_" + key, lang, value=args[key]))
    if change.kind == "item_added" and args.get("due"):
        extra.append(message("log_item_due", lang, due=args["due"]))
    return text + "".join(extra)

