"""The command line: options, environment and clock → one core call → render → exit code.

Only this module reads argv, the environment and today's date, prints, and chooses exit codes:
0 success, 1 the user's data or input is wrong (one stderr line per problem), 2 wrong usage.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer
from typer.core import TyperGroup

from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.i18n import message

# Global options may stand before or after the command: `taizhang status --as-of D` too.
_GLOBAL_VALUE = ("--dir", "--as-of", "--lang")
_GLOBAL_FLAG = ("--no-color",)


class _HoistingGroup(TyperGroup):
    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options found after the command name to the front, so click sees them."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in _GLOBAL_VALUE:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i:i + 2])
                i += 1
        elif arg in _GLOBAL_FLAG:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


app = typer.Typer(cls=_HoistingGroup, add_completion=False, no_args_is_help=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="台账 taizhang：重点项目台账——时间节点、倒排工期、销号、亮灯督办。")


class Lang(str, Enum):
    zh = "zh"
    en = "en"


@dataclass
class Env:
    """What every command needs from the edge: the repository, the day, the language."""

    dir: Optional[Path]
    as_of_text: Optional[str]
    lang_opt: Optional[str]
    no_color: bool
    _root: Optional[Path] = None
    _settings: Any = None
    _cache: Any = None
    _as_of: Optional[date] = None
    settled_lang: Optional[str] = None  # the settings' language, when a view read it without them

    @property
    def root(self) -> Path:
        if self._root is None:
            from taizhang.repo.layout import find_root

            explicit = self.dir or (Path(os.environ["TAIZHANG_DIR"]) if os.environ.get("TAIZHANG_DIR") else None)
            if explicit is not None:
                if not explicit.is_dir():
                    raise input_error("dir_missing", path=str(explicit))
                self._root = explicit.resolve()
            else:
                found = find_root(Path.cwd())
                if found is None:
                    raise input_error("not_a_repo", start=str(Path.cwd()))
                self._root = found
        return self._root

    @property
    def settings(self):
        if self._settings is None:
            from taizhang.repo.load import load_settings

            settings, problems = load_settings(self.cache)
            if [p for p in problems if p.is_error]:
                raise TaizhangError(problems)
            self._settings = settings
        return self._settings

    @property
    def lang(self) -> str:
        if self.lang_opt:
            return self.lang_opt
        if self.settled_lang and self._settings is None:
            return self.settled_lang
        try:
            return self.settings.lang
        except TaizhangError:
            return "zh"

    @property
    def as_of(self) -> date:
        if self._as_of is None:
            text = self.as_of_text or os.environ.get("TAIZHANG_TODAY")
            if not text:
                self._as_of = date.today()
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and _iso_or_none(text):
                self._as_of = _iso_or_none(text)  # ISO needs no phrase grammar (nor its import)
            else:
                from taizhang.domain.dates import DateError, parse_date

                try:
                    self._as_of = parse_date(text, as_of=date.today(), year=date.today().year)
                except DateError as e:
                    raise input_error("option_date", option="--as-of",
                                      detail=message(e.key, self.lang_opt or "zh", **e.args_)) from None
        return self._as_of

    def date_option(self, text: Optional[str], option: str) -> tuple[Optional[date], Optional[str]]:
        """A date option as the clerk typed it → (the date, the wording to keep as a comment)."""
        if text is None:
            return None, None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) and _iso_or_none(text.strip()):
            return _iso_or_none(text.strip()), None  # ISO needs no phrase grammar (nor its import)
        from taizhang.domain.dates import DateError, parse_date

        year = self.settings.year or self.as_of.year
        try:
            value = parse_date(text, as_of=self.as_of, year=year, workdays=self.workdays())
        except DateError as e:
            raise input_error("option_date", option=option, detail=message(e.key, self.lang, **e.args_)) from None
        wording = None if text.strip() in (value.isoformat(),) else text.strip()
        return value, wording

    @property
    def use_cache(self) -> bool:
        """$TAIZHANG_NO_CACHE=1 (or true, yes, on) reads every file afresh and writes no cache
        entry (the cache never changes a result); 0, false or empty keep the cache."""
        return os.environ.get("TAIZHANG_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")

    @property
    def cache(self):
        """The one cache every read and write of this command goes through (repo/cache.py)."""
        if self._cache is None:
            from taizhang.repo.cache import Cache

            self._cache = Cache(self.root, enabled=self.use_cache)
        return self._cache

    def workdays(self):
        """The official working-day calendar with the repository's `calendars/*.yaml`."""
        from taizhang.domain.calendars import Calendar
        from taizhang.repo.load import load_calendars

        extra, problems, _ = load_calendars(self.cache, self.settings)
        if [p for p in problems if p.is_error]:
            raise TaizhangError(problems)
        return Calendar("workdays", extra=extra)

    def user(self) -> str | None:
        from taizhang.gitops.git import user_name

        return user_name(self.root) or os.environ.get("USER") or os.environ.get("USERNAME")


def _iso_or_none(text: str) -> Optional[date]:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _env(ctx: typer.Context) -> Env:
    return ctx.find_root().obj


def _terminal(env: Env) -> tuple[int, bool]:
    """(width, colour?) of standard output: colour only on a terminal, and never with --no-color
    or $NO_COLOR; off a terminal the width is $COLUMNS, else 140."""
    tty = sys.stdout.isatty()
    color = tty and not env.no_color and not os.environ.get("NO_COLOR")
    if tty:
        import shutil

        return shutil.get_terminal_size((140, 24)).columns, color
    return int(os.environ.get("COLUMNS") or 140), color


def _display_path(env: Env, problem: Problem) -> Problem:
    if not problem.path or env._root is None:
        return problem
    full = env._root / problem.path
    try:
        rel = os.path.relpath(full)
    except ValueError:  # another drive on Windows
        rel = str(full)
    from dataclasses import replace

    return replace(problem, path=str(full) if rel.startswith("..") else rel)


def report_problems(env: Env, problems: list[Problem]) -> None:
    for problem in sorted(problems, key=Problem.sort_key):
        typer.echo(_display_path(env, problem).render(env.lang), err=True)


def run(ctx: typer.Context, action: Callable[[Env], Any]) -> Any:
    """The one place that maps the core's errors to exit code 1."""
    env = _env(ctx)
    try:
        return action(env)
    except TaizhangError as e:
        report_problems(env, e.problems)
        raise typer.Exit(1) from None


def _print_json(data: Any) -> None:
    """Indented for a person at a terminal; compact for programs (CPython's C encoder handles
    only the compact form: 100,000 items print in a fraction of the time and memory)."""
    if sys.stdout.isatty():
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(text + "\n")


def _say(env: Env, key: str, **args: Any) -> None:
    typer.echo(message(key, env.lang, **args))


def _commit(env: Env, commit: bool, paths: list[Path], text: str) -> None:
    if not (commit or env.settings.git.commit):
        return
    from taizhang.gitops.git import commit as git_commit

    if not git_commit(env.root, paths, text):
        typer.echo(message("warning_prefix", env.lang) + ("不在 git 仓库中，已写入但未提交" if env.lang != "en"
                   else "not in a git repository: written, not committed"), err=True)


DirOpt = Annotated[Optional[Path], typer.Option("--dir", help="台账仓库目录（默认：$TAIZHANG_DIR，或向上查找 taizhang.yaml / ledgers/）")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="按哪一天看台账（默认 $TAIZHANG_TODAY 或今天）")]
LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help="语言：zh（默认）| en")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="不用颜色（亮灯仍有文字）")]
CommitOpt = Annotated[bool, typer.Option("--commit", help="把改动提交到 git")]


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, dir: DirOpt = None, as_of: AsOfOpt = None,
                  lang: LangOpt = None, no_color: NoColorOpt = False) -> None:
    """台账 taizhang：重点项目台账。不带命令时显示亮灯表（status）。"""
    ctx.obj = Env(dir=dir, as_of_text=as_of, lang_opt=lang.value if lang else None, no_color=no_color)
    if ctx.invoked_subcommand is None:
        run(ctx, lambda env: show_status(env))


# --- repository ------------------------------------------------------------------------------

@app.command()
def init(ctx: typer.Context,
         path: Annotated[Optional[Path], typer.Argument(help="新仓库的目录（默认当前目录）")] = None) -> None:
    """创建空的台账仓库：taizhang.yaml、ledgers/、schemas/。"""
    def action(env: Env) -> None:
        from taizhang.repo.create import init_repo

        target = (path or env.dir or Path.cwd()).resolve()
        for name, created in init_repo(target):
            if not created:
                _say(env, "init_exists", path=name)
        _say(env, "init_ok", path=str(target))
        from taizhang.cli.git import offer_merge_driver

        offer_merge_driver(env, target)
    run(ctx, action)


@app.command()
def schema(ctx: typer.Context) -> None:
    """（重新）生成 schemas/ledger.schema.json。"""
    def action(env: Env) -> None:
        from taizhang.repo.create import write_schema

        path = write_schema(env.root)
        _say(env, "schema_ok", path=str(path.relative_to(env.root)))
    run(ctx, action)


@app.command()
def check(ctx: typer.Context,
          files: Annotated[Optional[list[Path]], typer.Argument(help="要检查的文件（默认全部）")] = None) -> None:
    """校验台账：每个问题一行 path:line:col: message；有错误时退出码为 1。"""
    def action(env: Env) -> None:
        from taizhang.repo.load import check_files, load_repo

        from taizhang.domain.lights import evaluate

        repo = check_files(env.cache, files) if files else load_repo(env.cache)
        findings: list = []
        evaluate(repo.ledgers, env.as_of, repo.settings, repo.extra, findings)
        repo.problems.extend(finding_problems(repo, findings))
        report_problems(env, repo.problems)
        errors = len(repo.errors)
        _say(env, "check_ok", files=repo.files, errors=errors, warnings=len(repo.problems) - errors)
        if errors:
            raise typer.Exit(1)
    run(ctx, action)


# --- writing ---------------------------------------------------------------------------------

@app.command()
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
        commit: CommitOpt = False) -> None:
    """新建项目台账 ledgers/CODE.yaml。"""
    def action(env: Env) -> None:
        from taizhang.repo.create import new_ledger

        when, wording = env.date_option(deadline, "--deadline")
        fields = {"name": name, "program": program, "stage": stage, "unit": unit, "leader": leader,
                  "owner": owner, "deadline": when, "calendar": calendar}
        path = new_ledger(env.root, env.settings, code, fields, {"deadline": wording} if wording else None)
        _say(env, "new_ok", code=code, path=str(path.relative_to(env.root)))
        _commit(env, commit, [path], f"新建项目 {code} {name}")
    run(ctx, action)


def _kind(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in ("task", "milestone", "problem"):
        raise input_error("kind_invalid", kind=value)
    return value


def _add(env: Env, code: str, title: str, *, due: Optional[str], duration: Optional[str],
         after: Optional[str], owner: Optional[str], unit: Optional[str], kind: Optional[str],
         measures: Optional[str], commit: bool) -> None:
    from taizhang.repo.edits import add_item_edit
    from taizhang.repo.write import edit_ledgers
    from taizhang.repo.layout import ledger_path

    when, wording = env.date_option(due, "--due")
    days = None
    if duration is not None:
        from taizhang.domain.dates import DateError, parse_duration

        try:
            days = parse_duration(duration.strip())
        except DateError as e:
            raise input_error("option_date", option="--duration", detail=message(e.key, env.lang, **e.args_)) from None
    refs = [r.strip() for r in (after or "").replace("，", ",").split(",") if r.strip()]
    fields = {"title": title, "kind": kind if kind != "task" else None, "due": when, "duration": days,
              "after": refs, "owner": owner, "unit": unit, "measures": measures}
    result = edit_ledgers(env.cache, env.settings,
                          {code: add_item_edit(fields, {"due": wording} if wording else None)})
    new_id = result[code]
    typer.echo(new_id)
    _commit(env, commit, [ledger_path(env.root, code)],
            f"{'新增问题' if kind == 'problem' else '新增事项'} {new_id} {title}")


@app.command()
def add(ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="项目代码")],
        title: Annotated[str, typer.Argument(help="事项")],
        due: Annotated[Optional[str], typer.Option(help="时间节点，如 2018-04-30")] = None,
        duration: Annotated[Optional[str], typer.Option(help="工期：120、120天、3周")] = None,
        after: Annotated[Optional[str], typer.Option(help="前置事项编号，逗号分隔")] = None,
        owner: Annotated[Optional[str], typer.Option(help="责任人")] = None,
        unit: Annotated[Optional[str], typer.Option(help="责任单位（不填用项目的）")] = None,
        kind: Annotated[Optional[str], typer.Option(help="task | milestone | problem")] = None,
        measures: Annotated[Optional[str], typer.Option(help="整改措施（问题）")] = None,
        commit: CommitOpt = False) -> None:
    """新增事项，输出其编号。"""
    run(ctx, lambda env: _add(env, code, title, due=due, duration=duration, after=after, owner=owner,
                              unit=unit, kind=_kind(kind), measures=measures, commit=commit))


@app.command()
def problem(ctx: typer.Context,
            code: Annotated[str, typer.Argument(help="项目代码")],
            text: Annotated[str, typer.Argument(help="问题")],
            unit: Annotated[Optional[str], typer.Option(help="责任单位")] = None,
            due: Annotated[Optional[str], typer.Option(help="整改时限")] = None,
            measures: Annotated[Optional[str], typer.Option(help="整改措施")] = None,
            owner: Annotated[Optional[str], typer.Option(help="责任人")] = None,
            commit: CommitOpt = False) -> None:
    """问题台账：新增一个问题（add --kind problem），输出其编号。"""
    run(ctx, lambda env: _add(env, code, text, due=due, duration=None, after=None, owner=owner,
                              unit=unit, kind="problem", measures=measures, commit=commit))


def _by_project(ids: list[str]) -> dict[str, list[str]]:
    from taizhang.domain.ids import split_item_id

    grouped: dict[str, list[str]] = {}
    for item_id in ids:
        grouped.setdefault(split_item_id(item_id), [])
        if item_id not in grouped[split_item_id(item_id)]:
            grouped[split_item_id(item_id)].append(item_id)
    return grouped


@app.command()
def close(ctx: typer.Context,
          ids: Annotated[list[str], typer.Argument(help="事项编号，可多个")],
          on: Annotated[Optional[str], typer.Option("--on", help="销号日期（默认 --as-of 当天）")] = None,
          by: Annotated[Optional[str], typer.Option(help="销号人（默认 git user.name，否则 $USER）")] = None,
          note: Annotated[Optional[str], typer.Option(help="销号说明")] = None,
          evidence: Annotated[Optional[str], typer.Option(help="佐证材料，如归档号")] = None,
          commit: CommitOpt = False) -> None:
    """销号：把事项标记为完成。"""
    def action(env: Env) -> None:
        from taizhang.repo.edits import close_edit
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.layout import ledger_path

        when, _ = env.date_option(on, "--on")
        closed = {"date": when or env.as_of, "by": by or env.user(), "note": note, "evidence": evidence}
        plans = {code: close_edit(item_ids, closed) for code, item_ids in _by_project(ids).items()}
        results = edit_ledgers(env.cache, env.settings, plans)
        done = [pair for code in plans for pair in results[code]]
        for item_id, title in done:
            _say(env, "closed_ok", id=item_id, title=title)
        _commit(env, commit, [ledger_path(env.root, c) for c in plans],
                "销号 " + "、".join(f"{i} {t}" for i, t in done))
    run(ctx, action)


@app.command()
def reopen(ctx: typer.Context,
           item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
           reason: Annotated[str, typer.Option(help="重新打开的原因（记入进展）")],
           by: Annotated[Optional[str], typer.Option(help="操作人（默认 git user.name）")] = None,
           commit: CommitOpt = False) -> None:
    """撤销销号，原因记入事项的进展。"""
    def action(env: Env) -> None:
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.edits import reopen_edit
        from taizhang.domain.ids import split_item_id

        code = split_item_id(item_id)
        note = {"date": env.as_of, "by": by or env.user(), "text": ""}

        def reason_text(closed) -> str:
            # What the undone close said is kept with the reason: the 督查 trail stays whole.
            text = message("reopen_note", env.lang, reason=reason, date=closed.date.isoformat(),
                           by=closed.by or "?")
            for key, value in (("reopen_old_note", closed.note), ("reopen_old_evidence", closed.evidence)):
                if value:
                    text += message(key, env.lang, value=value)
            return text
        result = edit_ledgers(env.cache, env.settings, {code: reopen_edit(item_id, note, reason_text)})
        _say(env, "reopened_ok", id=item_id, title=result[code][1])
        _commit(env, commit, [ledger_path(env.root, code)], f"重新打开 {item_id} {result[code][1]}：{reason}")
    run(ctx, action)


@app.command()
def note(ctx: typer.Context,
         item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
         text: Annotated[str, typer.Argument(help="进展情况")],
         on: Annotated[Optional[str], typer.Option("--on", help="汇报日期（默认 --as-of 当天）")] = None,
         by: Annotated[Optional[str], typer.Option(help="汇报人（默认 git user.name）")] = None,
         commit: CommitOpt = False) -> None:
    """记录一条进展（日汇报）。"""
    def action(env: Env) -> None:
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.edits import note_edit
        from taizhang.domain.ids import split_item_id

        code = split_item_id(item_id)
        when, _ = env.date_option(on, "--on")
        result = edit_ledgers(env.cache, env.settings,
                              {code: note_edit(item_id, {"date": when or env.as_of, "by": by or env.user(), "text": text})})
        _say(env, "noted_ok", id=item_id)
        _commit(env, commit, [ledger_path(env.root, code)], f"进展 {item_id} {result[code][1]}：{text}")
    run(ctx, action)


@app.command(name="set")
def set_(ctx: typer.Context,
         target: Annotated[str, typer.Argument(metavar="ID", help="事项编号或项目代码")],
         assignments: Annotated[list[str], typer.Argument(metavar="FIELD=VALUE...", help="如 due=2018-09-30；值为空则删除该字段")],
         commit: CommitOpt = False) -> None:
    """修改事项或项目的字段：set YT2-3 due=2018-09-30，set YT2 deadline=2020-09-30。"""
    def action(env: Env) -> None:
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.edits import set_edit
        from taizhang.domain.ids import split_item_id

        is_item = "-" in target
        code = split_item_id(target) if is_item else target
        ledger_path(env.root, code)
        changes = [_parse_assignment(env, a, is_item, target) for a in assignments]
        edit_ledgers(env.cache, env.settings, {code: set_edit(target, changes)})
        summary = "，".join(f"{f}={v if v is not None else ''}" for f, v, _ in
                           [(f, _show(v), c) for f, v, c in changes])
        _say(env, "set_ok", target=target, changes=summary)
        _commit(env, commit, [ledger_path(env.root, code)], f"修改 {target}：{summary}")
    run(ctx, action)


def _show(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(value)
    return value


def _parse_assignment(env: Env, text: str, is_item: bool, target: str) -> tuple[str, Any, Optional[str]]:
    from taizhang.domain.vocab import ITEM_SETTABLE, PROJECT_SETTABLE, REQUIRED

    if "=" not in text:
        raise input_error("set_syntax", arg=text)
    name, raw = (part.strip() for part in text.split("=", 1))
    allowed = ITEM_SETTABLE if is_item else PROJECT_SETTABLE
    if name not in allowed:
        raise input_error("set_unknown_field", target=target, field=name, allowed=", ".join(allowed))
    if raw == "":
        if name in REQUIRED:
            raise input_error("set_required", field=name)
        return name, None, None
    if name in ("due", "deadline"):
        value, wording = env.date_option(raw, name)
        return name, value, wording
    if name == "duration":
        from taizhang.domain.dates import DateError, parse_duration

        try:
            return name, parse_duration(raw), None
        except DateError as e:
            raise input_error("set_invalid", field=name, value=raw, detail=message(e.key, env.lang, **e.args_)) from None
    if name == "after":
        return name, [r.strip() for r in raw.replace("，", ",").split(",") if r.strip()], None
    choices = {"kind": ("task", "milestone", "problem"), "stage": ("新建", "续建", "前期"),
               "calendar": ("natural", "workdays", "weekdays")}.get(name)
    if choices and raw not in choices:
        raise input_error("set_invalid", field=name, value=raw, detail=" | ".join(choices))
    return name, raw, None


# --- reading ---------------------------------------------------------------------------------

class By(str, Enum):
    project = "project"
    unit = "unit"
    owner = "owner"


def _csv(value: Optional[str]) -> list[str]:
    return [v.strip() for v in (value or "").replace("，", ",").split(",") if v.strip()]


@app.command()
def status(ctx: typer.Context,
           codes: Annotated[Optional[list[str]], typer.Argument(metavar="[CODE]...", help="只看这些项目（列出全部事项）")] = None,
           program: Annotated[Optional[str], typer.Option(help="按所属工程筛选")] = None,
           unit: Annotated[Optional[str], typer.Option(help="按责任单位筛选（含该文字即可）")] = None,
           owner: Annotated[Optional[str], typer.Option(help="按责任人筛选")] = None,
           kind: Annotated[Optional[str], typer.Option(help="按类型筛选：task,milestone,problem")] = None,
           light: Annotated[Optional[str], typer.Option(help="按亮灯筛选：red,yellow,green,none,done")] = None,
           by: Annotated[By, typer.Option(help="分组：project | unit | owner")] = By.project,
           all_items: Annotated[bool, typer.Option("--all", help="列出每个事项")] = False,
           limit: Annotated[int, typer.Option(min=1, help="每个项目/分组最多列几项")] = 20,
           notes: Annotated[bool, typer.Option("--notes", help="列出每项最新进展及其天数，标出久未汇报")] = False,
           invest: Annotated[bool, typer.Option("--invest", help="投资：年度计划、累计完成、完成率与序时进度")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（含筛选后的全部事项）")] = False) -> None:
    """亮灯表：每个项目一行，其下列出红灯、黄灯事项。"""
    if invest:
        run(ctx, lambda env: show_invest(env, codes=codes or [], program=program, unit=unit, as_json=as_json))
        return
    run(ctx, lambda env: show_status(env, codes=codes or [], program=program, unit=unit, owner=owner,
                                     kind=kind, light=light, by=by, all_items=all_items, limit=limit,
                                     as_json=as_json, notes=notes))


def show_status(env: Env, *, codes: list[str] = [], program: Optional[str] = None,  # noqa: B006
                unit: Optional[str] = None, owner: Optional[str] = None, kind: Optional[str] = None,
                light: Optional[str] = None, by: By = By.project, all_items: bool = False,
                limit: int = 20, as_json: bool = False, notes: bool = False) -> None:
    from taizhang.repo.layout import ledger_path
    from taizhang.domain.lights import Query, group_items, select, status_json, totals
    from taizhang.repo.views import lit_projects

    kinds = _csv(kind)
    for k in kinds:
        _kind(k)
    lights = _csv(light)
    for lt in lights:
        if lt not in ("red", "yellow", "green", "none", "done"):
            raise input_error("light_invalid", light=lt)
    for code in codes:
        ledger_path(env.root, code)
    # Lit rows come from the second cache level when nothing they depend on changed (views.py).
    lit = lit_projects(env.cache, codes or None, env.as_of)
    env.settled_lang = lit.lang
    projects = select(lit.projects,
                      Query(codes=codes, program=program, unit=unit, owner=owner, kinds=kinds, lights=lights))
    if as_json:
        _print_json(status_json(projects, env.as_of))
    else:
        from taizhang.render.status import group_table, project_table, status_view

        # The overview lists what needs attention; a project, --all or --light lists more.
        shown = None if (codes or all_items or lights) else ("red", "yellow")
        width, color = _terminal(env)
        notes_as_of = env.as_of if notes else None
        if by == By.project:
            table = project_table(projects, lang=env.lang, shown_lights=shown, limit=limit, width=width,
                                  color=color, notes_as_of=notes_as_of)
        else:
            table = group_table(group_items(projects, by.value), by=by.value, lang=env.lang,
                                shown_lights=shown, limit=limit, width=width, color=color, notes_as_of=notes_as_of)
        sys.stdout.write(status_view(lit.title, table, totals(projects), env.as_of, env.lang, color))
    errors = lit.errors()
    if errors:
        report_problems(env, errors)
        raise typer.Exit(1)


def show_invest(env: Env, *, codes: list[str], program: Optional[str], unit: Optional[str],
                as_json: bool) -> None:
    """`status --invest`: each project's year plan against 序时进度."""
    from taizhang.domain.invest import invest_json, invest_rows, time_progress, totals
    from taizhang.repo.layout import ledger_path
    from taizhang.repo.load import load_repo

    for code in codes:
        ledger_path(env.root, code)
    repo = load_repo(env.cache, codes or None)
    ledgers = [l for l in repo.ledgers if (program is None or program in (l.program or ""))
               and (unit is None or unit in (l.unit or ""))]
    rows = invest_rows(ledgers, env.as_of, repo.settings)
    if as_json:
        _print_json(invest_json(rows, env.as_of))
    else:
        from taizhang.render.status import invest_view

        program_totals, total = totals(rows)
        width, color = _terminal(env)
        sys.stdout.write(invest_view(rows, program_totals, total, time_progress(env.as_of), env.as_of,
                                     repo.settings.title, env.lang, width=width, color=color))
    if repo.errors:
        report_problems(env, repo.errors)
        raise typer.Exit(1)


@app.command()
def invest(ctx: typer.Context,
           code: Annotated[str, typer.Argument(help="项目代码")],
           amount: Annotated[str, typer.Argument(help="完成投资：1.2亿、3000万元、1200（万元）")],
           month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
           commit: CommitOpt = False) -> None:
    """记录某月完成投资（万元；已有该月数据时改为新数）。"""
    def action(env: Env) -> None:
        from taizhang.domain.amounts import AmountError, format_wan, parse_amount
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.edits import invest_edit
        from taizhang.repo.layout import ledger_path

        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", month):
            raise input_error("month_pattern", input=month)
        try:
            value = parse_amount(amount.strip())
        except AmountError as e:
            raise input_error(e.key, **e.args_) from None
        edit_ledgers(env.cache, env.settings, {code: invest_edit(month, value, amount.strip())})
        _say(env, "invest_ok", code=code, month=month, amount=format_wan(value))
        _commit(env, commit, [ledger_path(env.root, code)], f"完成投资 {code} {month}：{amount.strip()}")
    run(ctx, action)


class Format(str, Enum):
    text = "text"
    md = "md"
    html = "html"


def _write_out(env: Env, text: str, out: Optional[Path]) -> None:
    """Print, or write to --out (UTF-8, the file replaced whole)."""
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8", newline="\n")
    except OSError as e:
        raise input_error("out_unwritable", path=str(out), detail=e.strerror or str(e)) from None
    _say(env, "written", path=str(out))


@app.command()
def remind(ctx: typer.Context,
           unit: Annotated[Optional[str], typer.Option(help="只看该责任单位（含该文字即可）")] = None,
           light: Annotated[str, typer.Option(help="哪些亮灯要督办：red,yellow,green,none")] = "red,yellow",
           fmt: Annotated[Format, typer.Option("--format", help="text | md | html")] = Format.text,
           out: Annotated[Optional[Path], typer.Option("--out", help="写入文件")] = None) -> None:
    """督办通知：按责任单位列出事项、项目、时间节点、逾期天数、责任人。"""
    def action(env: Env) -> None:
        from taizhang.render import remind as notices
        from taizhang.domain.lights import Query, group_items, select
        from taizhang.repo.views import lit_projects

        lights = _csv(light)
        for lt in lights:
            if lt not in ("red", "yellow", "green", "none"):
                raise input_error("light_invalid", light=lt)
        # The same lit rows as `status` (views.py): only the lights asked for are decoded.
        lit = lit_projects(env.cache, None, env.as_of)
        env.settled_lang = lit.lang
        projects = select(lit.projects, Query(unit=unit, lights=lights))
        # Only the items whose own unit matches go on that unit's notice.
        groups = [g for g in group_items(projects, "unit") if unit is None or unit in (g.name or "")]
        notice = notices.Notice(lit.title, env.as_of, notices.open_groups(groups))
        if fmt == Format.md:
            text = notices.to_markdown(notice, env.lang)
        elif fmt == Format.html:
            text = notices.to_html(notice, env.lang)
        else:
            width, color = _terminal(env)
            text = notices.to_text(notice, env.lang, width, color and out is None)
        _write_out(env, text, out)
        errors = lit.errors()
        if errors:
            report_problems(env, errors)
            raise typer.Exit(1)
    run(ctx, action)


@app.command()
def why(ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")]) -> None:
    """解释一个事项为什么亮这个灯：时间节点及其来源、剩余天数、触发的规则与阈值。"""
    def action(env: Env) -> None:
        from taizhang.render.why import explain
        from taizhang.domain.lights import project_plan
        from taizhang.repo.load import load_repo
        from taizhang.domain.ids import split_item_id

        code = split_item_id(item_id)
        repo = load_repo(env.cache, [code])
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledger = repo.ledgers[0]
        item = next((i for i in ledger.items if i.id == item_id), None)
        if item is None:
            raise input_error("unknown_item", id=item_id)
        plan = project_plan(ledger, env.as_of, repo.settings, repo.extra)
        typer.echo(explain(ledger, item, plan.by_id[item_id], env.as_of, repo.settings, env.lang))
    run(ctx, action)


def finding_problems(repo, findings) -> list[Problem]:
    """The plan's findings (infeasible items, unknown years) as problems at their ledger's lines."""
    return [Problem(*repo.place(f.code, f.item), f.key, f.args, f.severity) for f in findings]


@app.command()
def schedule(ctx: typer.Context,
             code: Annotated[str, typer.Argument(help="项目代码")],
             as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
             write: Annotated[bool, typer.Option("--write", help="把算出的时间节点写入没有 due 的事项")] = False,
             commit: CommitOpt = False) -> None:
    """倒排工期：从最终节点倒推每个事项的最晚开始、完成，浮动天数与关键路径。"""
    def action(env: Env) -> None:
        from taizhang.domain.calendars import CalendarError
        from taizhang.domain.schedule import CycleError
        from taizhang.domain.lights import project_plan
        from taizhang.repo.write import edit_ledgers
        from taizhang.repo.layout import ledger_path
        from taizhang.repo.load import load_repo
        from taizhang.repo.edits import set_many_edit

        repo = load_repo(env.cache, [code])
        if repo.errors:
            raise TaizhangError(repo.errors)
        ledger = repo.ledgers[0]
        try:
            plan = project_plan(ledger, env.as_of, repo.settings, repo.extra)
        except (CalendarError, CycleError) as e:
            raise TaizhangError(Problem(*repo.place(code, None), getattr(e, "key", "after_cycle"),
                                        getattr(e, "args_", {"cycle": str(e)}))) from None
        if as_json:
            _print_json(plan.to_json())
        else:
            from taizhang.render.status import schedule_view

            width, color = _terminal(env)
            typer.echo(schedule_view(ledger, plan, env.as_of, repo.settings, env.lang, width=width, color=color), nl=False)
        if write:
            dues = {p.id: [("due", p.finish, "倒排工期")] for p, item in zip(plan.items, ledger.items)
                    if item.due is None and not p.fixed and p.finish is not None}
            if dues:
                edit_ledgers(env.cache, repo.settings, {code: set_many_edit(dues)})
                _commit(env, commit, [ledger_path(env.root, code)], f"倒排工期 {code}：写入 {len(dues)} 个时间节点")
            typer.echo(message("schedule_written", env.lang, n=len(dues)), err=True)
    run(ctx, action)


@app.command(name="date")
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
        if problems:
            raise TaizhangError(problems)
    run(ctx, action)


# Commands kept in modules of their own register on `app` when imported here.
from taizhang.cli import exchange as cli_exchange
from taizhang.cli import git as cli_git
from taizhang.cli import report as cli_report  # noqa: E402,F401


def command_name(info) -> str:
    """The name typer gives a registered command."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


def only_command(commands: list, argv: list[str]) -> list:
    """Just the command `argv` runs, when it names one: typer turns every registered command
    into a click command on every call (~18 ms for all of them), and one is enough. Without a
    known command name (`taizhang`, `--help`, a typo) all of them, for the listing."""
    args = hoist_global_options(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _GLOBAL_FLAG:
            i += 1
        elif arg.split("=", 1)[0] in _GLOBAL_VALUE:
            i += 1 if "=" in arg else 2
        else:
            break
    if i >= len(args):
        return commands
    chosen = [info for info in commands if command_name(info) == args[i]]
    return chosen or commands


def main() -> None:
    """Console-script entry point."""
    import gc

    # A command lives for a moment and builds no garbage cycles worth collecting; the cyclic
    # collector would otherwise rescan every ledger object again and again while they load.
    gc.disable()
    commands = app.registered_commands
    try:
        app.registered_commands = only_command(commands, sys.argv[1:])
        app()
    finally:
        app.registered_commands = commands
        # At exit CPython still collects every object once, collector off or not; frozen objects
        # are left out. On a 2,000-item ledger that final sweep alone took 0.14 s.
        gc.freeze()
