"""The view cache keeps what the day does not change (repo/views.py): a cache made on one day,
used on another (the next, one far later, an earlier one), gives exactly the lights, JSON and
text of a run without cache; `check` from cached verdicts finds exactly what `check` without
cache finds, after a ledger turns invalid, after the settings or a calendar change."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from conftest import AS_OF, REPO_ROOT, YT2, dedent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Items of every kind whose light moves with the day: terms (recurring and ongoing), quantities,
# closes and 销号 applications before and after the day, 倒排工期 (durations, predecessors,
# natural and working-day spans), festival phrases read with the repository's year, notes.
ITEMS = [
    """\
  - id: {c}-{n}
    title: 月报
    due: 每月25日前
    notes:
      - {{date: {d1}, text: 已报}}""",
    """\
  - id: {c}-{n}
    title: 长期工作
    due: 长期坚持
    from: {d1}""",
    """\
  - id: {c}-{n}
    title: 季报
    due: 每季度末月20日前""",
    """\
  - id: {c}-{n}
    title: 征收
    due: {d2}
    target: 2836户
    notes:
      - {{date: {d1}, text: 已签约, done: 1120}}""",
    """\
  - id: {c}-{n}
    title: 已销号
    due: {d1}
    closed: {{date: {d2}, by: 魏书全, note: 完成}}""",
    """\
  - id: {c}-{n}
    title: 申请销号
    due: {d2}
    apply: {{date: {d1}, evidence: 验收单}}""",
    """\
  - id: {c}-{n}
    title: 施工
    duration: 30""",
    """\
  - id: {c}-{n}
    title: 设备安装
    duration: 3周
    after: {c}-1""",
    """\
  - id: {c}-{n}
    title: 审批
    duration: 15个工作日""",
    """\
  - id: {c}-{n}
    title: 节前完工
    due: 国庆节前""",
    """\
  - id: {c}-{n}
    title: 按计划销号
    duration: 10
    closed: {{date: {d1}}}""",
    """\
  - id: {c}-{n}
    title: 节点
    due: {d1}
    notes:
      - {{date: {d2}, by: 李四, text: 推进中}}
      - {{date: {d1}, text: 开工}}""",
]

DAYS = st.dates(min_value=date(2017, 10, 1), max_value=date(2020, 3, 1))


def _ledger(code: str, picks: list[int], d1: date, d2: date, calendar: str | None) -> str:
    head = f"code: {code}\nname: 项目{code}\nunit: 区建设局、区财政局\ndeadline: 2020-06-30\n"
    if calendar:
        head += f"calendar: {calendar}\n"
    head += "investment:\n  planned: {2018: 16亿}\n  completed: {2018-03: 1.2亿, 2018-07: 2亿}\nitems:\n"
    # The first item is a plain one, so that `after: X-1` always names an item.
    body = [f"  - id: {code}-1\n    title: 开工\n    due: {d2.isoformat()}"]
    body += [ITEMS[k].format(c=code, n=n, d1=d1.isoformat(), d2=d2.isoformat())
             for n, k in enumerate(picks, start=2)]
    return head + "\n".join(body) + "\n"


def _run(cli, monkeypatch, root: Path, day: str, *args: str, cache: bool = True):
    if not cache:
        monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    try:
        result = cli("--dir", root, "--as-of", day, *args)
    finally:
        monkeypatch.delenv("TAIZHANG_NO_CACHE", raising=False)
    return result.exit_code, result.stdout, result.stderr


VIEWS = [("status", "--json"), ("status",), ("status", "--all", "--notes"), ("status", "--all", "--by", "unit"),
         ("check",), ("remind",), ("report", "week", "--format", "md")]


def _same_on(cli, monkeypatch, root: Path, day: str, views=VIEWS) -> None:
    for view in views:
        assert _run(cli, monkeypatch, root, day, *view) == _run(cli, monkeypatch, root, day, *view, cache=False), \
            (day, view)


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=DAYS, shifts=st.lists(st.integers(-400, 800), min_size=1, max_size=3),
       picks=st.lists(st.lists(st.integers(0, len(ITEMS) - 1), min_size=1, max_size=6), min_size=1, max_size=3),
       d1=DAYS, d2=DAYS, calendar=st.sampled_from([None, "workdays", "weekdays"]),
       year=st.sampled_from([None, 2018, 2019]))
def test_a_cache_made_on_one_day_lights_any_other_day_as_no_cache_does(cli, monkeypatch, made, shifts, picks,
                                                                       d1, d2, calendar, year):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "ledgers").mkdir()
        (root / "taizhang.yaml").write_text(f"year: {year or 2018}\nwarn_days: 5\nstale_days: 20\n",
                                            encoding="utf-8")
        for n, chosen in enumerate(picks):
            code = "P" + "ABC"[n]
            (root / "ledgers" / f"{code}.yaml").write_text(_ledger(code, chosen, d1, d2, calendar), encoding="utf-8")
        _run(cli, monkeypatch, root, made.isoformat(), "status")  # the cache, made on that day
        for shift in (1, *shifts):
            day = (made + timedelta(days=shift)).isoformat()
            _same_on(cli, monkeypatch, root, day, VIEWS[:5])


def _sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    return root


def test_the_sample_repository_on_the_next_day_a_day_far_later_and_an_earlier_day(cli, monkeypatch, tmp_path):
    root = _sample(tmp_path)
    _run(cli, monkeypatch, root, AS_OF, "status")
    for day in ("2018-06-16", "2019-11-30", "2018-01-02", "2018-10-01"):
        _same_on(cli, monkeypatch, root, day)


def test_a_new_day_reads_no_ledger_and_writes_no_entry(cli, monkeypatch, tmp_path):
    """The first status of a day relights the cached facts: nothing is parsed, no ledger's
    entry rewritten (only the one day entry is)."""
    from taizhang.repo import load

    root = _sample(tmp_path)
    _run(cli, monkeypatch, root, AS_OF, "status")
    entries = {p: p.read_bytes() for p in (root / ".taizhang" / "cache" / "views").glob("ledgers__*.json")}
    assert len(entries) == len(list((root / "ledgers").glob("*.yaml")))
    parsed: list[str] = []
    real = load.parse_ledger
    monkeypatch.setattr(load, "parse_ledger", lambda raw, rel, s: parsed.append(rel) or real(raw, rel, s))
    for day in ("2018-06-16", "2018-12-31"):
        assert _run(cli, monkeypatch, root, day, "status")[0] == 0
    assert parsed == []
    for day in ("2018-06-16", "2018-12-31"):  # (a finding is placed at its line: that parses)
        assert _run(cli, monkeypatch, root, day, "check")[0] == 0
    assert {p: p.read_bytes() for p in entries} == entries
    assert not list((root / ".taizhang" / "cache").glob("ledgers__*.json"))  # one entry per ledger


def test_check_from_cached_verdicts_after_a_ledger_turns_invalid(cli, monkeypatch, repo):
    other = YT2.replace("YT2", "YT3")
    root = repo(YT2=YT2, YT3=other)
    for day in (AS_OF, "2018-06-16"):
        _same_on(cli, monkeypatch, root, day, [("check",), ("--lang", "en", "check")])
    path = root / "ledgers" / "YT3.yaml"
    path.write_text(other.replace("    due: 2019-08-31", "    due: 2019-08-31\n    deu: 2019-01-01")
                    .replace("after: []", ""), encoding="utf-8")
    for day in ("2018-06-16", "2018-06-17"):
        _same_on(cli, monkeypatch, root, day, [("check",), ("status",)])
        code, out, err = _run(cli, monkeypatch, root, day, "check")
        assert code == 1 and "YT3.yaml" in err and "deu" in err
    path.write_text(other, encoding="utf-8")  # mended
    assert _run(cli, monkeypatch, root, "2018-06-17", "check")[0] == 0
    _same_on(cli, monkeypatch, root, "2018-06-17", [("check",)])


def test_check_from_cached_verdicts_after_the_settings_or_a_calendar_change(cli, monkeypatch, repo):
    """A plan's findings depend on the day, the settings and the calendars: they are found
    afresh from the cached facts every time; a year change reads the ledgers again."""
    ledger = YT2.replace("deadline: 2020-06-30", "deadline: 2018-07-02\ncalendar: workdays") \
        .replace("    due: 2019-08-31", "    duration: 12\n    after: YT2-2")
    root = repo(settings="warn_days: 7\n", YT2=ledger.replace("due: 2018-06-10", "due: 国庆节前"))
    days = ("2018-06-15", "2018-06-16", "2018-06-29")
    for day in days:
        _same_on(cli, monkeypatch, root, day, [("check",), ("status", "--json")])
    assert "schedule_infeasible" not in _run(cli, monkeypatch, root, "2018-06-15", "--lang", "en", "check")[2]
    (root / "taizhang.yaml").write_text("warn_days: 3\nyear: 2019\n", encoding="utf-8")
    for day in days:
        _same_on(cli, monkeypatch, root, day, [("check",), ("status", "--json")])
    (root / "calendars").mkdir()
    (root / "calendars" / "extra.yaml").write_text("days_off: [2018-06-19, 2018-06-20]\n", encoding="utf-8")
    for day in days:
        _same_on(cli, monkeypatch, root, day, [("check",), ("status", "--json")])
    (root / "calendars" / "extra.yaml").write_text("days_off: [2018-02-30]\n", encoding="utf-8")  # broken
    for day in days:
        _same_on(cli, monkeypatch, root, day, [("check",), ("status",)])
        assert _run(cli, monkeypatch, root, day, "check")[0] == 1


def test_a_foreign_or_torn_entry_is_rejected(cli, monkeypatch, repo):
    """An entry cut short (a crash while writing in place), another repository's entry copied
    over this one, or an entry of this ledger's other content: none is believed."""
    root = repo(YT2=YT2, YT3=YT2.replace("YT2", "YT3").replace("区建设局", "区财政局"))
    good = [_run(cli, monkeypatch, root, AS_OF, *v, cache=False) for v in VIEWS[:5]]
    _run(cli, monkeypatch, root, AS_OF, "status")
    folder = root / ".taizhang" / "cache" / "views"
    two, three = folder / "ledgers__YT2.yaml.json", folder / "ledgers__YT3.yaml.json"
    whole = two.read_bytes()
    for bad in (whole[: len(whole) - 1], whole[: whole.index(b"\n") + 5], three.read_bytes()):
        two.write_bytes(bad)
        (folder / "_day.json").unlink()  # (else the day's lit ledgers serve this day, unread)
        assert [_run(cli, monkeypatch, root, AS_OF, *v) for v in VIEWS[:5]] == good
        assert two.read_bytes() == whole
    old = whole
    (root / "ledgers" / "YT2.yaml").write_text(dedent(YT2).replace("李四", "王五"), encoding="utf-8")
    _run(cli, monkeypatch, root, AS_OF, "status")
    (root / "ledgers" / "YT2.yaml").write_text(dedent(YT2), encoding="utf-8")
    changed = two.read_bytes()
    assert changed != old
    assert [_run(cli, monkeypatch, root, AS_OF, *v) for v in VIEWS[:5]] == good


# --- the day entry: the ledgers lit on the last day, for the other runs of that day ---------


def _counting_lights(monkeypatch) -> list[str]:
    """The codes of the ledgers lit afresh from here on (views.light_project's calls)."""
    from taizhang.repo import views

    lit: list[str] = []
    real = views.light_project
    monkeypatch.setattr(views, "light_project", lambda facts, *a, **k: lit.append(facts.code) or real(facts, *a, **k))
    return lit


def _three(repo) -> Path:
    return repo(YT2=YT2, YT3=YT2.replace("YT2", "YT3").replace("区建设局", "区财政局"),
                YT4=YT2.replace("YT2", "YT4").replace("due: 2018-06-10", "due: 2018-06-20"))


def test_the_other_runs_of_a_day_light_only_the_ledgers_that_changed(cli, monkeypatch, repo):
    """After the first run of a day, every view of that day takes the unchanged ledgers as they
    were lit; a ledger edited since is lit afresh, alone, and every view is as without cache."""
    root = _three(repo)
    lit = _counting_lights(monkeypatch)
    _run(cli, monkeypatch, root, AS_OF, "status")
    assert sorted(lit) == ["YT2", "YT3", "YT4"]
    lit.clear()
    for view in VIEWS[:5]:
        _run(cli, monkeypatch, root, AS_OF, *view)
    assert lit == []
    path = root / "ledgers" / "YT3.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("李四", "王五"), encoding="utf-8")
    for view in VIEWS[:5]:
        _run(cli, monkeypatch, root, AS_OF, *view)
    assert lit == ["YT3"]  # by the first view of the five
    _same_on(cli, monkeypatch, root, AS_OF, VIEWS[:5])
    lit.clear()
    _run(cli, monkeypatch, root, "2018-06-16", "status")  # another day: every ledger lit
    assert sorted(lit) == ["YT2", "YT3", "YT4"]


def test_a_run_over_some_ledgers_keeps_the_others_of_the_day(cli, monkeypatch, repo):
    root = _three(repo)
    _run(cli, monkeypatch, root, AS_OF, "status")
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("李四", "王五"), encoding="utf-8")
    lit = _counting_lights(monkeypatch)
    _run(cli, monkeypatch, root, AS_OF, "status", "YT2")
    _run(cli, monkeypatch, root, AS_OF, "status", "--all")
    assert lit == ["YT2"]
    (root / "ledgers" / "YT4.yaml").unlink()  # a ledger gone: the day entry forgets it too
    _same_on(cli, monkeypatch, root, AS_OF, VIEWS[:5])
    from taizhang.repo.cache import Cache
    from taizhang.repo.views import _DAY_FILE, DAY_ENTRY

    content = Cache(root).read(DAY_ENTRY)
    assert content is not None and sorted(_DAY_FILE.decode(content).ledgers) == ["YT2.yaml", "YT3.yaml"]


def test_a_damaged_or_foreign_day_entry_is_not_believed(cli, monkeypatch, repo, tmp_path):
    """The day entry is sealed whole like every entry: a byte changed (the length kept), one cut
    short, another repository's: the ledgers are lit from their facts, as without cache."""
    root = _three(repo)
    good = [_run(cli, monkeypatch, root, AS_OF, *v, cache=False) for v in VIEWS[:5]]
    _run(cli, monkeypatch, root, AS_OF, "status")
    day = root / ".taizhang" / "cache" / "views" / "_day.json"
    whole = day.read_bytes()
    other = tmp_path / "other"  # the same ledgers in another folder: its entries are not this one's
    shutil.copytree(root / "ledgers", other / "ledgers")
    _run(cli, monkeypatch, other, AS_OF, "status")
    foreign = (other / ".taizhang" / "cache" / "views" / "_day.json").read_bytes()
    title = "配套项目全面开工".encode()
    assert title in whole
    lied = whole.replace(title, "假的项目全面开工".encode())
    for bad in (lied, whole[: len(whole) // 2], foreign, b""):
        day.write_bytes(bad)
        assert [_run(cli, monkeypatch, root, AS_OF, *v) for v in VIEWS[:5]] == good


def test_kept_items_that_do_not_decode_are_lit_again(cli, monkeypatch, repo):
    """A day entry sealed by this machine whose items no longer decode as this build's views
    (as after an upgrade that kept the format number): the ledger is lit afresh."""
    from taizhang.repo.cache import Cache
    from taizhang.repo.views import DAY_ENTRY

    root = _three(repo)
    good = [_run(cli, monkeypatch, root, AS_OF, *v, cache=False) for v in VIEWS[:5]]
    _run(cli, monkeypatch, root, AS_OF, "status")
    cache = Cache(root)
    content = cache.read(DAY_ENTRY)
    assert content is not None
    broken = re.sub(rb'\[\["YT2-\d+","YT2"', b'[[1,"YT2"', content, count=1)  # an item's id a number
    assert broken != content
    cache.write(DAY_ENTRY, broken)
    lit = _counting_lights(monkeypatch)
    assert [_run(cli, monkeypatch, root, AS_OF, *v) for v in VIEWS[:5]] == good
    assert "YT2" in lit


def test_another_days_entry_is_not_sealed_over(cli, monkeypatch, repo):
    """A new day's first run sees from its first bytes that the day entry is another day's, and
    does not compute the seal of the whole (15 MB at 50,000 items) to throw it away."""
    from taizhang.repo.cache import Cache

    root = _three(repo)
    _run(cli, monkeypatch, root, AS_OF, "status")
    old = (root / ".taizhang" / "cache" / "views" / "_day.json").read_bytes().partition(b"\n")[2]
    sealed: list[bytes] = []
    real = Cache.mac
    monkeypatch.setattr(Cache, "mac", lambda self, data: sealed.append(bytes(data)) or real(self, data))
    _run(cli, monkeypatch, root, "2018-06-16", "status")
    assert old not in sealed and sealed  # (the ledgers' entries were)
    sealed.clear()
    _run(cli, monkeypatch, root, "2018-06-16", "status", "--all")
    assert (root / ".taizhang" / "cache" / "views" / "_day.json").read_bytes().partition(b"\n")[2] in sealed


STALE_AND_NOT = """\
code: ST
name: 久未汇报的项目
items:
  - id: ST-1
    title: 按期推进
    due: 2018-12-31
    notes:
      - {date: 2018-06-14, text: 已开工}
  - id: ST-2
    title: 久未汇报
    due: 2018-12-30
    notes:
      - {date: 2018-03-01, text: 已立项}
  - id: ST-3
    title: 又一项按期推进
    due: 2018-12-29
    notes:
      - {date: 2018-06-10, text: 已招标}
  - id: ST-4
    title: 逾期
    due: 2018-06-01
"""


def test_the_overview_decodes_of_a_green_light_only_its_stale_items(cli, monkeypatch, repo):
    """The day entry keeps a light's 久未汇报 items apart: a cached overview shows the green stale
    item without decoding the green ones it does not show (at 50,000 items, 4,807 of 29,613
    green ones), and shows exactly what a run without cache shows, in the project's order."""
    from taizhang.repo import views

    root = repo(ST=STALE_AND_NOT)
    fresh = _run(cli, monkeypatch, root, AS_OF, "status", cache=False)
    assert fresh[0] == 0 and "久未汇报" in fresh[1] and "ST-2" in fresh[1] and "ST-1" not in fresh[1]
    _run(cli, monkeypatch, root, AS_OF, "status", "--all")  # the day entry
    decoded: list[str] = []

    class Counting:
        def __init__(self, real):
            self.real = real

        def decode(self, raw):
            items = self.real.decode(raw)
            decoded.extend(i.id for i in items)
            return items

    monkeypatch.setattr(views, "_ITEMS", Counting(views._ITEMS))
    assert _run(cli, monkeypatch, root, AS_OF, "status") == fresh
    assert sorted(decoded) == ["ST-2", "ST-4"]
    decoded.clear()
    for view in (("status", "--all"), ("status", "--json"), ("status", "--light", "green")):
        assert _run(cli, monkeypatch, root, AS_OF, *view) == _run(cli, monkeypatch, root, AS_OF, *view, cache=False)
    assert "ST-1" in decoded and "ST-3" in decoded


def test_settings_changed_while_a_status_read_them_are_not_kept_under_the_old_bytes(tmp_path):
    """taizhang.yaml replaced between the view cache taking its key (its bytes) and reading it:
    the context entry was kept under the old bytes' key with the new settings, so once the old
    bytes came back (an undo, a checkout back) every status showed the other title and rules."""
    import os
    import subprocess
    import sys

    root = tmp_path / "office"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    old = (root / "taizhang.yaml").read_text(encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(re.sub(r"(?m)^title:.*$", "title: 另一个标题", old).replace("warn_days: 7", "warn_days: 60"),
                     encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_")}
    env.update({"XDG_CACHE_HOME": str(tmp_path / "user-cache"), "TAIZHANG_TODAY": AS_OF, "COLUMNS": "120"})
    script = "\n".join([
        "import os, sys",
        "opened = []",
        "def hook(event, args):",
        "    if event == 'open' and isinstance(args[0], str) and args[0].endswith('taizhang.yaml'):",
        "        opened.append(1)",
        "        if len(opened) == 2:  # read for the key, then to be read: replaced between",
        f"            os.rename({str(other)!r}, 'taizhang.yaml')",
        "sys.addaudithook(hook)",
        "sys.argv = ['taizhang', 'status']",
        "from taizhang.launch import main",
        "main()",
    ])
    subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, timeout=120, check=True)
    (root / "taizhang.yaml").write_text(old, encoding="utf-8")  # the old bytes back
    runs = [subprocess.run([sys.executable, "-m", "taizhang", "status", *args], cwd=root, env={**env, **extra},
                           capture_output=True, timeout=120).stdout
            for extra in ({}, {"TAIZHANG_NO_CACHE": "1"}) for args in ([], ["--json"])]
    assert "另一个标题" not in runs[0].decode()
    assert runs[:2] == runs[2:]
