"""What every command module shares: the environment of a run (`Env`), `run` (the core's errors
→ exit code), the option types, and the output helpers.

Only the cli package reads argv, the environment and today's date, prints, and chooses exit
codes (exits.py). The command modules import this one and nothing else of cli/.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Iterator, Optional, Sequence

import typer

from taizhang.cli import exits
from taizhang.errors import Problem, TaizhangError, input_error
from taizhang.i18n import message, os_reason

if TYPE_CHECKING:
    from taizhang.repo.cache import Cache
    from taizhang.repo.repository import Repository


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
    _repository: Optional["Repository"] = None
    _as_of: Optional[date] = None
    settled_lang: Optional[str] = None  # the settings' language, when a view read it without them
    usage_lang: str = "zh"  # the language of usage errors (click's, and `option_choices`')

    @property
    def root(self) -> Path:
        if self._root is None:
            from taizhang.repo.layout import find_root

            explicit = self.dir or (Path(os.environ["TAIZHANG_DIR"]) if os.environ.get("TAIZHANG_DIR") else None)
            if explicit is not None:
                self._root = _folder(explicit)
            else:
                found = find_root(Path.cwd())
                if found is None:
                    raise input_error("not_a_repo", start=str(Path.cwd()))
                self._root = found
        return self._root

    @property
    def repository(self) -> "Repository":
        """The library's view of the repository: every read and write goes through it."""
        if self._repository is None:
            from taizhang.repo.repository import Repository

            self._repository = Repository(self.root, use_cache=self.use_cache, workers=self.workers)
        return self._repository

    @property
    def workers(self) -> int | None:
        """$TAIZHANG_WORKERS=N: the processes that may light the ledgers of a view (1: this one
        alone); unset, or not a count from 1 to 64: as the machine allows (the result is the same)."""
        text = os.environ.get("TAIZHANG_WORKERS", "").strip()
        return int(text) if text.isdigit() and 1 <= int(text) <= 64 else None

    @property
    def use_cache(self) -> bool:
        """$TAIZHANG_NO_CACHE=1 (or true, yes, on) reads every file afresh and writes no cache
        entry (the cache never changes a result); 0, false or empty keep the cache."""
        return os.environ.get("TAIZHANG_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")

    @property
    def cache(self) -> "Cache":
        """The one cache every read and write of this command goes through (repo/cache.py),
        made once, by the repository."""
        return self.repository.cache

    @property
    def settings(self) -> Any:
        return self.repository.settings

    @property
    def lang(self) -> str:
        if self.lang_opt:
            return self.lang_opt
        if self.settled_lang and (self._repository is None or self._repository._settings is None):
            return self.settled_lang
        try:
            return self.repository.basics().lang
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
            day = self._as_of
            if day is not None and not AS_OF_FIRST <= day <= AS_OF_LAST:
                # Weeks, months, calendars and charts reach years around the day; near year 1
                # or 9999 that arithmetic leaves what `date` can hold.
                self._as_of = None
                raise input_error("as_of_range", option="--as-of", date=day.isoformat(),
                                  first=AS_OF_FIRST.isoformat(), last=AS_OF_LAST.isoformat())
        assert self._as_of is not None
        return self._as_of

    def date_option(self, text: Optional[str], option: str) -> tuple[Optional[date], Optional[str]]:
        """A date option as the clerk typed it → (the date, the wording to keep as a comment)."""
        if text is None:
            return None, None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) and _iso_or_none(text.strip()):
            value = _iso_or_none(text.strip())  # ISO needs no phrase grammar (nor its import)
            assert value is not None
            self.warn_if_passed(value, text, option)
            return value, None
        from taizhang.domain.dates import DateError, parse_date

        year = self.repository.basics().year or self.as_of.year
        try:
            value = parse_date(text, as_of=self.as_of, year=year, workdays=self.workdays())
        except DateError as e:
            raise input_error("option_date", option=option, detail=message(e.key, self.lang, **e.args_)) from None
        self.warn_if_passed(value, text, option)
        wording = None if text.strip() in (value.isoformat(),) else text.strip()
        return value, wording

    def due_option(self, text: Optional[str], option: str) -> tuple[date | str | None, Optional[str]]:
        """A `due` as typed: a term that is not one date (长期坚持, 每月25日前: SPEC §7) is kept
        as written; anything else is a date option."""
        if text is not None and not text.strip()[:1].isdigit():
            from taizhang.domain.terms import parse_term

            if parse_term(text) is not None:
                return text.strip(), None
        return self.date_option(text, option)

    def warn_if_passed(self, value: date, text: str, option: Optional[str]) -> None:
        """The one warning for a time node before the as-of day (SPEC §3): a clerk may record an
        old node, but a phrase read into the past (春节前 on 春节) is more often a slip: say so,
        once, on stderr. Only time nodes (`option` None: `date`, which reads a phrase as a node):
        a close or note dated in the past (--on) is the normal case."""
        if (option is None or option.lstrip("-") in ("due", "deadline", "reply-by")) and value < self.as_of:
            typer.echo(message("warning_prefix", self.lang)
                       + message("date_node_passed", self.lang, option=f"{option} " if option else "",
                                 text=text.strip(), date=value.isoformat(), as_of=self.as_of.isoformat()),
                       err=True)

    def duration_option(self, text: Optional[str], option: str) -> Optional[int | str]:
        """A duration as typed → what the ledger keeps: a bare number (120) as counted days, a
        span with its unit (120天、3周、2个月、15个工作日) as the clerk wrote it (SPEC §3)."""
        if text is None:
            return None
        from taizhang.domain.dates import DateError, parse_duration
        from taizhang.domain.durations import written_duration

        try:
            return written_duration(parse_duration(text.strip()))
        except DateError as e:
            raise input_error("option_date", option=option, detail=message(e.key, self.lang, **e.args_)) from None

    def workdays(self) -> Any:
        """The official working-day calendar with the repository's `calendars/*.yaml`."""
        return self.repository.workdays()

    def user(self) -> str | None:
        from taizhang.gitops.identity import user_name

        return user_name(self.root) or os.environ.get("USER") or os.environ.get("USERNAME")


AS_OF_FIRST, AS_OF_LAST = date(1900, 1, 1), date(2999, 12, 31)


def _folder(path: Path) -> Path:
    """The repository folder named by --dir or $TAIZHANG_DIR, or one clear line why not (a file,
    a FIFO, a name longer than the file system takes)."""
    try:
        if path.is_dir():
            return path.resolve()
        exists = os.path.lexists(path)
    except OSError as e:
        raise input_error("dir_unusable", path=_short_path(str(path)), detail=os_reason(e)) from None
    raise input_error("dir_not_folder" if exists else "dir_missing", path=str(path))


def _short_path(text: str) -> str:
    return text if len(text) <= 80 else text[:38] + "…" + text[-38:]


def _iso_or_none(text: str) -> Optional[date]:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def env_of(ctx: typer.Context) -> Env:
    return ctx.find_root().obj


def run(ctx: typer.Context, action: Callable[[Env], Optional[int]]) -> None:
    """Run a command's action and leave with its exit code (None: success); the core's errors
    are printed, one line each, and give exits.PROBLEMS. The one place that maps them."""
    env = env_of(ctx)
    try:
        code = action(env)
    except TaizhangError as e:
        report_problems(env, e.problems)
        exits.leave(exits.PROBLEMS)
    except OSError as e:
        if isinstance(e, BrokenPipeError):
            raise
        report_problems(env, os_problem(e).problems)
        exits.leave(exits.PROBLEMS)
    if code:
        exits.leave(code)


def os_problem(error: OSError) -> TaizhangError:
    """What the file system refused where no layer said it in a line of its own, as one line all
    the same (SPEC §9: never a traceback). A name the file system cannot hold (a 300-character
    `--out`, a file to import or check) fails wherever it is first used: it is the user's input."""
    shown = _short_path(str(error.filename)) if error.filename else ""
    if error.errno == errno.ENAMETOOLONG:
        return input_error("name_too_long", path=shown)
    if shown:
        return input_error("io_failed", path=shown, detail=os_reason(error))
    return input_error("io_failed_bare", detail=os_reason(error))


# --- output ---------------------------------------------------------------------------------

def terminal(env: Env) -> tuple[int, bool]:
    """(width, colour?) of standard output: colour only on a terminal, and never with --no-color
    or $NO_COLOR; off a terminal the width is $COLUMNS, else 140."""
    tty = sys.stdout.isatty()
    color = tty and not env.no_color and not os.environ.get("NO_COLOR")
    if tty:
        import shutil

        return _sane_width(shutil.get_terminal_size((140, 24)).columns), color
    try:
        width = int(os.environ.get("COLUMNS") or 140)
    except ValueError:  # $COLUMNS=abc: the default, as for no $COLUMNS
        width = 140
    return _sane_width(width if width > 0 else 140), color


def _sane_width(width: int) -> int:
    """A width tables can be laid out in: no narrower than a light and a title need, no wider
    than a page anyone reads (COLUMNS=99999999 would pad every line to 100 MB)."""
    return min(max(width, 40), 1000)


def display_path(env: Env, problem: Problem) -> Problem:
    """A problem's file as the user reaches it: relative to the current folder where it is below."""
    if not problem.path or env._root is None:
        return problem
    full = env._root / problem.path
    try:
        rel = os.path.relpath(full)
    except ValueError:  # another drive on Windows
        rel = str(full)
    return replace(problem, path=str(full) if rel.startswith("..") else rel)


def report_problems(env: Env, problems: list[Problem]) -> None:
    for problem in sorted(problems, key=Problem.sort_key):
        typer.echo(display_path(env, problem).render(env.lang), err=True)


def print_json(data: Any, floatless: bool = False) -> None:
    """Indented for a person at a terminal; compact for programs (CPython's C encoder handles
    only the compact form: 100,000 items print in a fraction of the time and memory).
    `floatless`: the data holds no float (status: text, counts, flags), so msgspec's encoder,
    ~5× faster, writes the very bytes json.dumps would (they differ only in how a float's
    exponent is written, 1e+16 or 1e16)."""
    if sys.stdout.isatty():
        text = json.dumps(data, ensure_ascii=False, indent=2)
    elif floatless:
        import msgspec

        try:
            text = msgspec.json.encode(data).decode("utf-8")  # (through the text layer: its encoding)
        except (TypeError, OverflowError, msgspec.EncodeError):
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # (an integer past 64 bits)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(text + "\n")


def say(env: Env, key: str, **args: Any) -> None:
    typer.echo(message(key, env.lang, **args))


def warn(env: Env, text: str) -> None:
    typer.echo(message("warning_prefix", env.lang) + text, err=True)


def out_path(env: Env, out: Path, data: Optional[bytes] = None) -> Path:
    """--out as a place a command may write `data` (never through a link, into the repository's
    data, onto a folder, nor what is not a PDF into a `.pdf`: repo.outputs)."""
    from taizhang.repo.outputs import output_path

    return output_path(env.root, out, data)


def write_out(env: Env, text: str, out: Optional[Path]) -> None:
    """Print, or write to --out (UTF-8, the file replaced whole)."""
    if out is None:
        sys.stdout.write(text)
        return
    write_bytes(env, text.encode("utf-8"), out)


def write_bytes(env: Env, data: bytes, out: Path) -> None:
    """Write a whole file: to a temporary file beside it, then renamed over it (repo.temps: a
    rename replaces a link that appeared meanwhile instead of writing through it); a failure is
    one line, with nothing left behind."""
    out = out_path(env, out, data)
    write_files([(out, data)])
    say(env, "written", path=str(out))


def write_files(writes: list[tuple[Path, bytes]]) -> None:
    """Write whole files, all of them or (a full disk, a read-only file system) none, as
    repo.temps does; a failure is one line naming the file it was writing."""
    from taizhang.repo import temps
    from taizhang.repo.outputs import out_unwritable

    try:
        temps.write_files(writes)
    except OSError as e:
        raise out_unwritable(e) from None


def commit(env: Env, wanted: bool, written: list, text: str) -> None:
    """Commit exactly the change recorded in `written` (repo.write.Written) when --commit or the
    settings' git.commit ask for it; the command runs inside `committing`, which holds the
    commit lock from before its write."""
    if not (wanted or env.repository.basics().git_commit):
        return
    from taizhang.gitops.git import commit as git_commit

    done = git_commit(env.root, written, text)
    if done is None:
        warn(env, message("git_outside", env.lang))
    elif done.held_back:
        warn(env, message("git_held_back", env.lang, paths=", ".join(done.held_back)))
    elif done.index_left:
        warn(env, message("git_index_left", env.lang, paths=" ".join(done.index_left)))


def committing(wanted: bool, action: Callable[[Env], Any]) -> Callable[[Env], Any]:
    """`action`, holding the commit lock when it will commit: a command's write and its commit
    come in one turn, so the commits of a ledger come in the order of its writes."""
    def locked_action(env: Env) -> Any:
        if not (wanted or env.repository.basics().git_commit):
            return action(env)
        from taizhang.gitops.git import commit_lock

        with commit_lock(env.root):
            return action(env)

    return locked_action


_LIST_SEPARATORS = re.compile("[,，、]")


def csv_list(value: Optional[str]) -> list[str]:
    """`a,b，c、d` (ASCII or full-width commas, or the 顿号 a clerk types between names) →
    ["a", "b", "c", "d"]."""
    return [v.strip() for v in _LIST_SEPARATORS.split(value or "") if v.strip()]


def option_choices(env: Env, value: Optional[str], option: str, words: dict[str, str],
                   allowed: Sequence[str], shown: Sequence[str]) -> list[str]:
    """The one reading of an option whose values are words of a vocabulary (`--light`, `--kind`):
    a list (`csv_list`), each value a code or any word the output uses for it (`words`, from
    i18n), → the codes (`option_choice`)."""
    return [option_choice(env, typed, option, words, allowed, shown) for typed in csv_list(value)]


def option_choice(env: Env, typed: str, option: str, words: dict[str, str], allowed: Sequence[str],
                  shown: Sequence[str]) -> str:
    """One value of such an option → its code. A value outside `allowed` is wrong usage, exit 2,
    as click says of `--by bogus` (SPEC §3), in the same language; `shown` names the allowed."""
    code = words.get(typed.strip().lower())
    if code is None or code not in allowed:
        en = env.usage_lang == "en"
        raise typer.BadParameter(message("option_choice", env.usage_lang, value=typed,
                                         allowed=(", " if en else "、").join(shown)),
                                 param_hint=f"'{option}'")
    return code


class _UsageError(typer.BadParameter):
    """Click's usage error (typer names no other), saying only its message."""

    def format_message(self) -> str:
        return self.message


def usage_error(env: Env, key: str, **args: Any) -> Exception:
    """Wrong usage of the command line that click cannot see (options that do not go together):
    its usage error, exit 2, in the language of click's own."""
    return _UsageError(message(key, env.usage_lang, **args))


def _named(codes: Sequence[str], words: dict[str, dict[str, str]], env: Env) -> list[str]:
    # How a usage error names the allowed values: the codes, in Chinese with their words.
    return list(codes) if env.usage_lang == "en" else [f"{c}（{words['zh'][c]}）" for c in codes]


def light_list(env: Env, value: Optional[str], allowed: Optional[Sequence[str]] = None,
               option: str = "--light") -> list[str]:
    """`--light 红、临期,done` → ["red", "yellow", "done"]: a light by its code or any word the
    output uses for it (SPEC §5); `allowed` (default: every light) narrows them."""
    from taizhang.domain.lights import ALL_LIGHTS
    from taizhang.i18n import LIGHT_WORDS, light_option_words

    allowed = allowed or ALL_LIGHTS
    return option_choices(env, value, option, light_option_words(ALL_LIGHTS), allowed,
                          _named(allowed, LIGHT_WORDS, env))


def kind_list(env: Env, value: Optional[str], option: str = "--kind") -> list[str]:
    """`--kind 问题,里程碑` → ["problem", "milestone"], as `light_list` does for lights."""
    if not value:  # the models (and pydantic) are not loaded by a status the view cache answers
        return []
    from taizhang.domain.keys import KINDS
    from taizhang.i18n import KIND_WORDS, kind_option_words

    return option_choices(env, value, option, kind_option_words(KINDS), KINDS, _named(KINDS, KIND_WORDS, env))


def kind_value(env: Env, value: Optional[str], option: str = "--kind") -> Optional[str]:
    """`add --kind 问题` → "problem": one kind, by its code or its word."""
    if value is None:
        return None
    from taizhang.domain.keys import KINDS
    from taizhang.i18n import KIND_WORDS, kind_option_words

    return option_choice(env, value, option, kind_option_words(KINDS), KINDS, _named(KINDS, KIND_WORDS, env))


def kind_word(value: str) -> str:
    """A kind as `set ID kind=问题` gives it: its code (an unknown word stays as typed, for the
    vocabulary check of `set` to refuse)."""
    from taizhang.domain.keys import KINDS
    from taizhang.i18n import kind_option_words

    return kind_option_words(KINDS).get(value.strip().lower(), value)


# --- the merge driver's registration (git-setup, and init inside a git repository) ------------

def setup_driver(env: Env, *, quiet: bool = False) -> list:
    """Register the driver (as `taizhang` found on PATH, per the SPEC) and say what was done."""
    import shutil

    from taizhang.gitops.git import setup_merge_driver

    steps = setup_merge_driver(env.root)
    if not quiet:
        for step in steps:
            if step.changed:
                typer.echo(message(step.what, env.lang, **step.args))
        if shutil.which("taizhang") is None:
            warn(env, message("git_setup_no_path", env.lang))
    return steps


def offer_merge_driver(env: Env, target: Path) -> None:
    """What `init` adds: in a git repository, the merge driver is registered at once (clerks who
    forget it meet line conflicts on every concurrent edit, and registering touches only
    `.gitattributes` and this clone's config); elsewhere, a hint that says how."""
    from taizhang.gitops.git import in_git

    if not in_git(target):
        typer.echo(message("git_setup_hint", env.lang))
        return
    try:
        setup_driver(Env(dir=target, as_of_text=env.as_of_text, lang_opt=env.lang_opt, no_color=env.no_color,
                         _root=target), quiet=True)
    except TaizhangError as e:
        for problem in e.problems:
            warn(env, problem.render(env.lang))
        return
    typer.echo(message("git_setup_by_init", env.lang))


# --- options shared by several commands -------------------------------------------------------

DirOpt = Annotated[Optional[Path], typer.Option("--dir", help="台账仓库目录（默认：$TAIZHANG_DIR，或向上查找 taizhang.yaml / ledgers/）")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="按哪一天看台账（默认 $TAIZHANG_TODAY 或今天）")]
LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help="语言：zh（默认）| en")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="不用颜色（亮灯仍有文字）")]
CommitOpt = Annotated[bool, typer.Option("--commit", help="把改动提交到 git")]


# A history read in fewer steps than this is over before a bar would be worth drawing.
PROGRESS_FROM = 24


@contextmanager
def progress_bar(env: Env) -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal and the history is long (started at
    the first step that says so: a short history draws nothing, not even a hidden cursor);
    off a terminal, no callback at all."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar: Any = None
    task: Any = None

    def step(done: int, total: int) -> None:
        nonlocal bar, task
        if total < PROGRESS_FROM:
            return
        if bar is None:
            bar = Progress(TextColumn("git"), BarColumn(), MofNCompleteColumn(),
                           console=Console(file=sys.stderr), transient=True)
            bar.start()
            task = bar.add_task("history", total=total)
        bar.update(task, completed=done)

    try:
        yield step
    finally:
        if bar is not None:
            bar.stop()


def read_trend(env: Env, by: str, start: Optional[date], codes: list[str]) -> Any:
    """The trend of the ledgers' git history (gitops/history.py) for `trend`, `dashboard` and the
    month report, with the progress bar on a terminal."""
    from taizhang.domain.ids import is_code
    from taizhang.gitops.history import build_trend
    from taizhang.repo.load import load_calendars

    for code in codes:  # a project may be in the history and gone now: only the spelling is checked
        if not is_code(code):
            raise input_error("bad_code", code=code)
    settings = env.settings
    extra, _, _ = load_calendars(env.cache, settings)
    with progress_bar(env) as step:
        return build_trend(env.root, by, env.as_of, settings, extra, first=start, codes=codes,  # type: ignore[arg-type]
                           progress=step, cache=env.cache)


# The suffixes of each format a command writes with --out: one table for every command, so that
# `--out x.csv` means CSV to export as `--out x.md` means Markdown to report (SPEC §3).
OUT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "text": (".txt",), "md": (".md", ".markdown"), "html": (".html", ".htm"), "svg": (".svg",),
    "json": (".json",), "csv": (".csv",), "xlsx": (".xlsx",), "docx": (".docx",), "pdf": (".pdf",),
    "xls": (".xls",), "doc": (".doc",), "tsv": (".tsv",),
}
_TEXTS = ("text", "md", "csv", "tsv", "json", "html", "svg")  # a .txt may hold any text


def out_format(fmt: Optional[str], out: Optional[Path], formats: Sequence[str], default: str, *,
               guess: bool = True) -> str:
    """The format of a command's output: --format when given, else the one the --out file's
    suffix names (`--out 周报.docx`), else `default`. A file is never written in a format its
    name belies: a suffix naming another format than an explicit --format (`--format csv --out
    a.xlsx`), or one of a format the command does not write, is refused; so is a suffix naming
    nothing when the command does not `guess` (export: what is a `.dat`?)."""
    suffix = out.suffix.lower() if out is not None else ""
    named = next((name for name, suffixes in OUT_SUFFIXES.items() if suffix in suffixes), None)
    if fmt is not None:
        if out is not None and named is not None and named != fmt and not (named == "text" and fmt in _TEXTS):
            raise input_error("out_suffix_mismatch", path=str(out), suffix=suffix, named=named, format=fmt)
        return fmt
    if out is None or named in formats:
        return named if named is not None and out is not None else default
    if named is None and guess:
        return default
    raise input_error("out_suffix_unknown", path=str(out),
                      suffixes="、".join(OUT_SUFFIXES[name][0] for name in formats))
