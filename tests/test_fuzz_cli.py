"""A fuzzer over the whole command line: random arguments, environment and file contents must
never give a traceback — one clear line and exit 1 or 2 at worst (SPEC §9).

Each example runs in a fresh copy of three sample ledgers, in-process through typer's runner,
with the working directory inside the copy, so that nothing the fuzzer writes (`init x`, `--out
y`) lands outside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from taizhang.cli.app import COMMANDS, app

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ("YT2", "AZF", "JDYH")

OPTIONS = ["--due", "--on", "--as-of", "--light", "--kind", "--by", "--limit", "--format", "--out",
           "--json", "--all", "--unit", "--after", "--duration", "--lang", "--evidence", "--reason",
           "--month", "--sheet", "--dry-run", "--year", "--program", "--owner", "--leader",
           "--commit", "--no-color", "--notes", "--invest", "--write", "--from", "--to", "--paper",
           "--measures", "--note", "--by", "--project", "--update", "--deadline", "--stage",
           "--calendar", "--done", "-h", "--", "--version"]
VALUES = ["YT2", "YT2-1", "YT2-3", "AZF-4", "YT2-999", "NUL", "yt2", "CON-1", "2018-06-15", "20180430",
          "4月底", "年底前", "下周五", "春节前", "节前", "2月30日", "0001-01-01", "9999-12-31",
          "10个工作日内", "长期坚持", "每月25日前", "立行立改", "red,yellow", "红,黄", "逾期", "问题",
          "milestone", "unit", "leader", "project", "owner", "0", "-1", "999999999999", "1e9", "abc",
          "text", "md", "html", "xlsx", "docx", "svg", "csv", "json", "a3", "a4", "week", "month",
          "day", "2018-13", "2018-06", "1.2亿", "¥5,000,000", "title=新标题", "due=2018-09-30",
          "deadline=", "kind=problem", "owner=", "unit=甲、乙", "out.html", "out.md", "out.svg",
          "ledgers/YT2.yaml", "ledgers", ".git/x", "calendars/x.yaml", "missing.xlsx", "t.csv",
          "", " ", "\t", "——", "<script>x</script>", "'\"", "#", "- a", "a: b", "{x", "\x1b[31m"]
ENV = {
    "COLUMNS": [None, "abc", "0", "-5", "80", "99999999", "40"],
    "TAIZHANG_TODAY": [None, "2018-06-15", "年底", "9999-12-31", "abc", "0001-01-01"],
    "TAIZHANG_NO_CACHE": [None, "0", "1", "yes"],
    "NO_COLOR": [None, "1"],
}


def _safe_text() -> st.SearchStrategy[str]:
    # Free text, but never a path that leads out of the copy.
    return st.text(min_size=0, max_size=12).filter(lambda t: not t.startswith(("/", "~")) and ".." not in t
                                                   and "\x00" not in t)


ARGS = st.lists(st.one_of(st.sampled_from(OPTIONS), st.sampled_from(VALUES), _safe_text()), max_size=6)
VALUE = st.one_of(st.sampled_from(VALUES), _safe_text())


def _signature(name: str) -> tuple[int, list[tuple[str, bool]]]:
    """(how many positional arguments, [(option, is a flag)]) of a command, from click itself."""
    import typer
    from typer._click import Context  # (typer's own click: the click installed may be another)

    group = typer.main.get_command(app)
    command = group.get_command(Context(group), name)
    positional = sum(1 for p in command.params if p.param_type_name == "argument")
    options = [(p.opts[0], bool(getattr(p, "is_flag", False))) for p in command.params
               if p.param_type_name == "option"]
    return positional, options


@st.composite
def command_line(draw) -> list[str]:
    """A command with plausible positional arguments and its own options, each with a value
    where it takes one — mostly well-formed, so that the fuzzer gets past click's own checks."""
    name = draw(st.sampled_from(sorted(COMMANDS)))
    positional, options = _signature(name)
    argv = [name] + [draw(VALUE) for _ in range(draw(st.integers(0, positional + 1)))]
    for option, flag in draw(st.lists(st.sampled_from(options), max_size=4)) if options else []:
        argv += [option] if flag else [option, draw(VALUE)]
    return argv


def _mutated(data: bytes, draw_bytes: bytes, at: float, cut: bool) -> bytes:
    i = int(at * len(data))
    return data[:i] + draw_bytes + (data[i + len(draw_bytes):] if cut else data[i:])


FILE_CHANGE = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(SAMPLE), st.binary(max_size=40), st.floats(0, 1), st.booleans()),
    st.tuples(st.sampled_from(SAMPLE), st.sampled_from([
        b"", b"\xff\xfe", b"<<<<<<< ours\n", b"\t", b"items: [", b"code: [", b"  - id: YT2-1\n",
        b"due: 2\xe6\x9c\x8830\xe6\x97\xa5\n", b"&a x\n*a\n", b"\x00", "\ufffe".encode(), b"\r"]),
        st.floats(0, 1), st.booleans()),
)


def _copy_repo(tmp: Path) -> Path:
    root = tmp / "repo"
    (root / "ledgers").mkdir(parents=True)
    for code in SAMPLE:
        shutil.copy(REPO_ROOT / "ledgers" / f"{code}.yaml", root / "ledgers" / f"{code}.yaml")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    return root


def _run(argv: list[str], env: dict, change, notices: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _copy_repo(Path(tmp))
        if notices is not None:
            (root / "notices.yaml").write_bytes(notices)
        if change is not None:
            code, piece, at, cut = change
            path = root / "ledgers" / f"{code}.yaml"
            path.write_bytes(_mutated(path.read_bytes(), piece, at, cut))
        full_env = {"XDG_CACHE_HOME": str(Path(tmp) / "cache"), "GIT_CONFIG_GLOBAL": "/dev/null",
                    "GIT_CONFIG_NOSYSTEM": "1", "USER": "测试员", "TAIZHANG_DIR": None, **env}
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(app, ["--dir", str(root), *argv], env=full_env, catch_exceptions=True)
        finally:
            os.chdir(cwd)
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            raise AssertionError(f"taizhang {argv!r} with {env!r} and {change!r} raised:\n"
                                 + "".join(traceback.format_exception(exc)))
        assert result.exit_code in (0, 1, 2), (argv, result.exit_code, result.output)
        assert "Traceback" not in result.output, (argv, result.output)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(sorted(COMMANDS)), args=ARGS,
       env=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ENV.items()}))
def test_fuzz__any_words_and_environment_never_give_a_traceback(command, args, env):
    _run([command, *args], env, None)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=command_line(), env=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ENV.items()}))
def test_fuzz__well_formed_commands_never_give_a_traceback(argv, env):
    _run(argv, env, None)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(["status", "check", "add", "close", "note", "why", "schedule", "remind",
                                "report", "export", "gantt", "set"]),
       args=st.lists(st.sampled_from(VALUES), max_size=3), change=FILE_CHANGE)
def test_fuzz__damaged_ledgers_never_give_a_traceback(command, args, change):
    _run([command, *args], {}, change)


NOTICES = """\
# 督办通知单：由 taizhang notice 写入，taizhang reply 记录反馈
notices:
  - number: 督办〔2018〕1号
    unit: 区建设局
    date: 2018-06-15
    reply_by: 2018-06-25
    items: [YT2-1, YT2-3]
    replies: [{date: 2018-06-16, text: 已完成招标, by: 张三}]
  - number: 督办〔2018〕2号
    unit: 区财政局
    date: 2018-06-15
    items:
      - AZF-4
    replies:
      - date: 2018-06-17
        text: 正在办理
""".encode()

NOTICE_CHANGE = st.one_of(
    st.none(),
    st.tuples(st.binary(max_size=40), st.floats(0, 1), st.booleans()),
    st.tuples(st.sampled_from([
        b"", b"\xff\xfe", b"<<<<<<< ours\n", b"=======\n", b">>>>>>> theirs\n", b"\t", b"notices: [",
        b"  - number: \xe7\x9d\xa3\xe5\x8a\x9e\xe3\x80\x942018\xe3\x80\x951\xe5\x8f\xb7\n", b"date: 2\xe6\x9c\x8830\xe6\x97\xa5",
        b"reply_by: 9999-12-31", b"&a x\n*a\n", b"\x00", b"\r", b"extra: 1\n", b"items: 5\n", b"replies: x\n"]),
        st.floats(0, 1), st.booleans()),
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(["status", "check", "notice", "reply", "report", "dashboard", "remind"]),
       args=st.lists(st.sampled_from(VALUES + ["督办〔2018〕1号", "督办〔2018〕2号", "notices.yaml", "month",
                                               "site"]), max_size=3),
       change=NOTICE_CHANGE)
def test_fuzz__damaged_notices_never_give_a_traceback(command, args, change):
    """notices.yaml as another office's merge, an editor or a full disk may leave it."""
    text = NOTICES
    if change is not None:
        piece, at, cut = change
        text = _mutated(text, piece, at, cut)
    _run([command, *args], {}, None, notices=text)
