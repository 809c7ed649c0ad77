"""The read cache never changes a result: every command is compared with and without it,
after hand edits, after `git checkout` of an older ledger of the same size, and with a corrupt
cache. Plus the start-up path's imports."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, REPO_ROOT, YT2


def _both(cli, monkeypatch, *args):
    """Output with the cache (run twice: filling it, then using it) and without it."""
    cached_first = cli(*args)
    cached = cli(*args)
    monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    fresh = cli(*args)
    monkeypatch.delenv("TAIZHANG_NO_CACHE")
    assert (cached_first.stdout, cached_first.stderr) == (fresh.stdout, fresh.stderr)
    assert (cached.stdout, cached.stderr, cached.exit_code) == (fresh.stdout, fresh.stderr, fresh.exit_code)
    return cached


VIEWS = [("status",), ("status", "--json"), ("status", "--all", "--by", "unit"), ("check",),
         ("schedule", "YT2", "--json"), ("status", "--light", "green,done"), ("status", "--unit", "发改"),
         ("remind",), ("remind", "--light", "red,yellow,green", "--format", "md"), ("remind", "--unit", "管委会"),
         ("report", "week"), ("report", "month", "--format", "md"), ("report", "day", "--format", "md")]


def test_cache__same_output_on_sample_repository(cli, monkeypatch, tmp_path):
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    for view in VIEWS:
        _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, *view)
    assert list((root / ".taizhang" / "cache").glob("*.json"))


def test_cache__hand_edit_is_seen(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    before = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json")
    path = root / "ledgers" / "YT2.yaml"
    # Same size, same second: only the content differs.
    text = path.read_text(encoding="utf-8").replace("due: 2018-06-10", "due: 2018-06-30")
    path.write_text(text, encoding="utf-8")
    after = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json")
    due = {i["id"]: i["due"] for i in json.loads(after.stdout)["items"]}
    assert due["YT2-2"] == "2018-06-30" and before.stdout != after.stdout


def test_cache__git_checkout_of_older_same_size_ledger(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "ledgers"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "v1"], cwd=root, check=True)
    old = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2018-06-20", "2018-06-29"), encoding="utf-8")
    new = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout
    assert new != old
    subprocess.run(["git", "checkout", "-q", "--", "ledgers/YT2.yaml"], cwd=root, check=True)
    assert _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout == old


def test_cache__settings_year_is_part_of_the_key(cli, repo, monkeypatch):
    root = repo(settings="year: 2018\n", YT2=YT2.replace("due: 2019-08-31", "due: 8月底"))
    first = json.loads(_both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout)
    (root / "taizhang.yaml").write_text("year: 2019\n", encoding="utf-8")
    second = json.loads(_both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout)
    assert first["items"][-1]["due"] == "2018-08-31" and second["items"][-1]["due"] == "2019-08-31"


def test_cache__corrupt_or_foreign_entries_are_ignored_and_rewritten(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    good = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--json").stdout
    entry, parts = _entry_parts(root)
    whole = entry.read_bytes()
    for junk in (b"", b"\x00\xff garbage", b'{"key": "x"}\n[]', whole[:-7], whole[:len(whole) // 2]):
        entry.write_bytes(junk)
        _forget_day(root)
        assert cli("--dir", root, "--as-of", AS_OF, "status", "--json").stdout == good
        assert entry.read_bytes() == whole  # seal, key, warnings, then facts: written anew
    assert len(parts) == 4 and re.fullmatch(rb"[0-9a-f]{40}", parts[1]) and parts[2] == b"[]"


def test_cache__broken_ledger_is_never_cached(cli, repo, monkeypatch):
    root = repo(YT2=YT2.replace("  - id: YT2-4", "  - id: YT2-4\n    deu: 2018-01-01"))
    result = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "check")
    assert result.exit_code == 1 and "deu" in result.stderr
    assert not list((root / ".taizhang" / "cache").glob("*.json"))


def _modules_after(*args: str) -> set[str]:
    code = ("import sys, io, contextlib\n"
            "from taizhang.cli import app\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    try:\n"
            f"        app({list(args)!r}, standalone_mode=False)\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    return set(result.stderr.split())


HEAVY = {"yaml", "chinese_calendar", "lunardate", "dateutil", "openpyxl", "docx", "jinja2", "rich.table"}


def test_startup__help_imports_nothing_heavy():
    modules = _modules_after("--help")
    assert not (HEAVY & modules), HEAVY & modules
    assert "pydantic" not in modules and "taizhang.domain.models" not in modules


def test_startup__warm_status_loads_neither_the_yaml_parser_nor_the_models():
    _modules_after("--as-of", AS_OF, "status")  # fills the cache
    modules = _modules_after("--as-of", AS_OF, "status")
    assert not ({"yaml", "lunardate", "dateutil", "openpyxl", "docx", "jinja2", "pydantic"} & modules)
    assert not ({"taizhang.domain.models", "taizhang.repo.load", "taizhang.domain.dates"} & modules)


def test_startup__a_write_with_iso_dates_does_not_load_the_phrase_grammar(tmp_path):
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    modules = _modules_after("--dir", str(root), "--as-of", AS_OF, "add", "YT2", "新节点", "--due", "2018-09-30")
    assert "taizhang.domain.models" in modules and "taizhang.domain.dates" not in modules


def test_view_cache__keyed_by_day_settings_and_calendars(cli, repo, monkeypatch):
    """Lit rows are reused only while the day, the settings and the calendars are the same."""
    root = repo(settings="warn_days: 7\n", YT2=YT2.replace("deadline: 2020-06-30", "deadline: 2020-06-30\ncalendar: workdays"))
    args = ("--dir", root, "status", "--json")
    day1 = _both(cli, monkeypatch, "--as-of", "2018-06-12", *args).stdout
    day2 = _both(cli, monkeypatch, "--as-of", "2018-06-15", *args).stdout
    assert day1 != day2
    assert list((root / ".taizhang" / "cache" / "views").glob("*.json"))
    (root / "taizhang.yaml").write_text("warn_days: 1\n", encoding="utf-8")
    narrow = json.loads(_both(cli, monkeypatch, "--as-of", "2018-06-15", *args).stdout)
    assert {i["id"]: i["light"] for i in narrow["items"]}["YT2-3"] == "green"   # 5 days left > 1
    (root / "calendars").mkdir()
    (root / "calendars" / "extra.yaml").write_text("days_off: [2018-06-19]\n", encoding="utf-8")
    _both(cli, monkeypatch, "--as-of", "2018-06-15", *args)


def _forget_day(root):
    """Delete the day entry (views.DAY_ENTRY), so that the next run on the same day reads the
    ledgers' entries (a damaged one is then found, and written anew)."""
    (root / ".taizhang" / "cache" / "views" / "_day.json").unlink(missing_ok=True)


def _entry_parts(root, code="YT2"):
    path = root / ".taizhang" / "cache" / "views" / f"ledgers__{code}.yaml.json"
    return path, path.read_bytes().split(b"\n")


def test_view_cache__the_seal_covers_the_whole_entry(cli, repo, monkeypatch):
    """One seal over the key and the body: a byte changed anywhere, the length kept (so that
    the entry looks whole), fails it; the ledger is read again and the entry written anew."""
    root = repo(YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status", "--all")
    everything = _both(cli, monkeypatch, *args).stdout
    path, parts = _entry_parts(root)
    whole = path.read_bytes()
    for at in (0, len(parts[0]) + 3, len(whole) // 2, len(whole) - 2):
        damaged = bytearray(whole)
        damaged[at] = ord("#") if damaged[at] != ord("#") else ord("$")
        path.write_bytes(bytes(damaged))
        _forget_day(root)
        assert cli(*args).stdout == everything
        assert path.read_bytes() == whole


def test_view_cache__damage_that_still_reads_as_json_is_not_believed(cli, repo, monkeypatch):
    """The body changed on disk to other JSON of the same length (a unit turned into a number,
    the project's name into another) fails the seal: the ledger is read again."""
    root = repo(YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status", "--all")
    good = _both(cli, monkeypatch, *args).stdout
    path, parts = _entry_parts(root)
    for old, new in (('"区建设局"'.encode(), b"12345678901234"), ("宇通".encode(), "假名".encode())):
        damaged = list(parts)
        assert old in damaged[3] and len(old) == len(new)
        damaged[3] = damaged[3].replace(old, new, 1)
        path.write_bytes(b"\n".join(damaged))
        _forget_day(root)
        result = cli(*args)
        assert result.exit_code == 0 and result.stdout == good
        assert _entry_parts(root)[1] == parts  # and rewritten


def test_read_cache__damaged_data_is_not_believed(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status", "--json")
    good = _both(cli, monkeypatch, *args).stdout
    assert cli("--dir", root, "--as-of", AS_OF, "schedule", "YT2").exit_code == 0  # a read entry
    entry = root / ".taizhang" / "cache" / "ledgers__YT2.yaml.json"
    raw = entry.read_bytes()
    assert "宇通".encode() in raw.split(b"\n")[2]
    entry.write_bytes(raw.replace("宇通".encode(), "假名".encode(), 1))
    shutil.rmtree(root / ".taizhang" / "cache" / "views")  # so that status reads the ledgers
    assert cli(*args).stdout == good
    assert cli("--dir", root, "--as-of", AS_OF, "schedule", "YT2").exit_code == 0
    assert entry.read_bytes() == raw


def test_view_cache__damaged_warnings_are_not_believed(cli, repo, monkeypatch):
    """The warnings `check` reports from the cache are sealed with the facts: a line number
    changed on disk is not shown."""
    root = repo(YT2=YT2.replace("due: 2018-06-10", "due: 2021-06-10"))  # after the deadline: a warning
    args = ("--dir", root, "--as-of", AS_OF, "--lang", "en", "check")
    good = _both(cli, monkeypatch, *args)
    [line] = re.findall(r"YT2\.yaml:(\d+):", good.stdout + good.stderr)
    entry, _ = _entry_parts(root)
    raw = entry.read_bytes()
    assert raw.count(f"[[{line},".encode()) == 1
    entry.write_bytes(raw.replace(f"[[{line},".encode(), f"[[{int(line) + 3},".encode(), 1))
    _forget_day(root)
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (good.exit_code, good.stdout, good.stderr)
    assert entry.read_bytes() == raw


def test_view_cache__a_damaged_context_is_not_believed(cli, repo, monkeypatch):
    """The settings' language and title kept for warm runs are sealed too."""
    root = repo(settings="title: 甲区重点项目\n", YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status")
    good = _both(cli, monkeypatch, *args).stdout
    context = root / ".taizhang" / "cache" / "views" / "_context.json"
    raw = context.read_bytes()
    context.write_bytes(raw.replace(b'"zh"', b'"en"').replace("甲区".encode(), "乙区".encode()))
    assert cli(*args).stdout == good


def test_view_cache__a_damaged_entry_in_a_read_only_cache_is_relit_without_it(cli, repo, monkeypatch):
    """An entry that fails its seal and cannot be written anew (a read-only checkout): the
    ledger is read again, the result the same."""
    root = repo(YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status", "--all")
    good = _both(cli, monkeypatch, *args).stdout
    path, parts = _entry_parts(root)
    parts[2] = parts[2].replace(b",-", b",+", 1) if b",-" in parts[2] else parts[2][:-2] + b"]]"
    path.write_bytes(b"\n".join(parts))
    monkeypatch.setattr("taizhang.repo.cache.write_entry", lambda *a: None)
    for _ in range(2):
        result = cli(*args)
        assert result.exit_code == 0 and result.stdout == good


def test_cache_entries_that_cannot_be_written_leave_nothing_behind(cli, repo, monkeypatch):
    """An entry is written whole through a temporary file; one whose write fails half way (a
    full disk) leaves neither the entry nor the temporary file."""
    import builtins

    root = repo(YT2=YT2)
    good = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--all").stdout

    class Full:
        def __init__(self, fd, mode):
            self.handle = builtins.open(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    for entry in (root / ".taizhang" / "cache").rglob("*.json"):
        entry.unlink()
    fdopen = os.fdopen
    monkeypatch.setattr("taizhang.repo.cache.os.fdopen", lambda fd, mode="r": Full(fd, mode) if "w" in mode
                        else fdopen(fd, mode))
    assert cli("--dir", root, "--as-of", AS_OF, "status", "--all").stdout == good
    assert not [p for p in (root / ".taizhang" / "cache").rglob("*") if p.is_file()]


def test_view_cache__a_cut_entry_is_not_used(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    args = ("--dir", root, "--as-of", AS_OF, "status", "--all")
    good = _both(cli, monkeypatch, *args).stdout
    path, parts = _entry_parts(root)
    path.write_bytes(b"\n".join(parts)[:-3])
    _forget_day(root)
    assert cli(*args).stdout == good
    assert _entry_parts(root)[1] == parts  # rewritten whole


def test_view_cache__settings_with_errors_are_reported_every_time(cli, repo, monkeypatch):
    root = repo(settings="warn_days: 7\n", YT2=YT2)
    _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status")
    (root / "taizhang.yaml").write_text("warn_days: 七天\n", encoding="utf-8")
    for _ in range(2):
        result = cli("--dir", root, "--as-of", AS_OF, "status")
        assert result.exit_code == 1 and "taizhang.yaml:1:" in result.stderr


def test_view_cache__a_plan_error_is_reported_every_time(cli, repo, monkeypatch):
    """An error of the plan (a year no calendar knows) is never taken from the cache."""
    root = repo(YT2=YT2.replace("deadline: 2020-06-30", "deadline: 2031-06-30\ncalendar: workdays")
                .replace("due: 2019-08-31", "duration: 5"))
    for _ in range(2):
        result = cli("--dir", root, "--as-of", AS_OF, "status")
        assert result.exit_code == 1 and "ledgers/YT2.yaml:" in result.stderr and "2031" in result.stderr


def test_view_cache__key_follows_the_official_holiday_data(tmp_path, monkeypatch):
    """A new chinese-calendar release (next year's notice) changes workday lights: the key too."""
    from taizhang.repo import views

    first = views.context_key(tmp_path)
    monkeypatch.setattr(views, "holiday_data_stamp", lambda: "another release")
    assert views.context_key(tmp_path) != first


def test_view_cache__official_calendar_stamp_is_found():
    from taizhang.version import holiday_data_stamp

    assert holiday_data_stamp() != "-"


def test_view_cache__briefings_read_from_views_say_what_the_ledgers_say(cli, monkeypatch, tmp_path):
    """A briefing built from cached views (closes, measures, the period's reports, investment)
    is the briefing built from the ledgers, on days across the sample's year."""
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    for day in ("2018-03-31", "2018-05-02", "2018-06-01", "2018-07-09", "2018-12-31"):
        for kind in ("day", "week", "month"):
            result = _both(cli, monkeypatch, "--dir", root, "--as-of", day, "report", kind, "--format", "md")
            assert result.exit_code == 0


def test_cache__a_change_is_paid_by_the_changed_file_only(cli, repo, monkeypatch):
    """After a hand edit of one ledger, the next status parses that file and works out the
    facts of that ledger only; after a write by taizhang, it parses nothing (the write cached
    what it verified)."""
    from taizhang.repo import load, views

    others = {code: YT2.replace("YT2", code) for code in ("YTA", "YTB", "YTC")}
    root = repo(YT2=YT2, **others)
    args = ("--dir", root, "--as-of", AS_OF, "status")
    cli(*args)
    parsed, made = [], []
    real_parse, real_facts = load.parse_ledger, views.ledger_facts
    monkeypatch.setattr(load, "parse_ledger", lambda raw, rel, settings: parsed.append(rel) or real_parse(raw, rel, settings))
    monkeypatch.setattr(views, "ledger_facts", lambda ledger: made.append(ledger.code) or real_facts(ledger))
    assert cli(*args).exit_code == 0 and (parsed, made) == ([], [])
    assert cli("--dir", root, "--as-of", "2018-07-01", "status").exit_code == 0 and (parsed, made) == ([], [])
    path = root / "ledgers" / "YTB.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("六个村", "七个村"), encoding="utf-8")
    assert cli(*args).exit_code == 0 and (parsed, made) == (["ledgers/YTB.yaml"], ["YTB"])
    parsed.clear(), made.clear()
    assert cli("--dir", root, "--as-of", AS_OF, "note", "YTC-3", "已签约五个村").exit_code == 0
    parsed.clear()
    assert cli(*args).exit_code == 0 and (parsed, made) == ([], ["YTC"])


def test_view_cache__language_and_title_of_the_settings_hold_when_served_from_the_cache(cli, repo, monkeypatch):
    root = repo(settings="lang: en\ntitle: Key projects 2018\n", YT2=YT2)
    for args in (("status",), ("report", "week")):
        result = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, *args)
        assert result.stdout.startswith("Key projects 2018")
    assert "Light" in _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status").stdout
    assert "亮灯" not in _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "remind").stdout
    (root / "taizhang.yaml").write_text("lang: zh\ntitle: 2018年重点项目\n", encoding="utf-8")
    result = _both(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status")
    assert "2018年重点项目" in result.stdout and "亮灯" in result.stdout


# --- A cache is a private copy (SPEC §9): only this machine's own run is believed -----------

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]


def _plant_lies(root, lie_read: str, lie_view: str) -> None:
    """Make the entries of YT2 say other titles than the ledger, sealed with `root`'s own key
    (as a run on that machine would have written them): the read entry, if any, and the view
    entry."""
    from taizhang.repo.cache import Cache

    cache = Cache(root)
    assert cache.folder is not None  # (opens the secret the seals are made with)
    read = root / ".taizhang" / "cache" / "ledgers__YT2.yaml.json"
    if read.exists():
        content = cache.read(read.name)
        assert content is not None and "配套项目全面开工".encode() in content
        cache.write(read.name, content.replace("配套项目全面开工".encode(), lie_read.encode()))
    view = root / ".taizhang" / "cache" / "views" / "ledgers__YT2.yaml.json"
    seal, _, content = view.read_bytes().partition(b"\n")
    assert seal == cache.mac(content).encode("ascii") and "配套项目全面开工".encode() in content
    content = content.replace("配套项目全面开工".encode(), lie_view.encode())
    view.write_bytes(cache.mac(content).encode("ascii") + b"\n" + content)
    day = root / ".taizhang" / "cache" / "views" / "_day.json"  # the day's lit items, too
    if day.exists():
        content = cache.read("views/_day.json")
        assert content is not None and "配套项目全面开工".encode() in content
        cache.write("views/_day.json", content.replace("配套项目全面开工".encode(), lie_view.encode()))


def _fresh(cli, monkeypatch, *args):
    monkeypatch.setenv("TAIZHANG_NO_CACHE", "1")
    try:
        return cli(*args)
    finally:
        monkeypatch.delenv("TAIZHANG_NO_CACHE")


def test_cache__a_committed_cache_is_not_believed_in_another_clone(cli, repo, monkeypatch, tmp_path):
    """Issue 13: a cache committed with `git add -f` came from another machine's run: a clone
    never believes it, whatever it says, and status says what the YAML says."""
    origin = repo(YT2=YT2)
    subprocess.run(GIT + ["init", "-q"], cwd=origin, check=True)
    args = ("--as-of", AS_OF, "status", "--all", "--json")
    truth = cli("--dir", origin, *args).stdout  # fills the cache
    _plant_lies(origin, "假的读取项目", "假的视图项目")
    assert "假的视图项目" in cli("--dir", origin, *args).stdout  # (the planted lie is well sealed)
    subprocess.run(GIT + ["add", "ledgers"], cwd=origin, check=True)
    subprocess.run(GIT + ["add", "-f", ".taizhang/cache"], cwd=origin, check=True)
    subprocess.run(GIT + ["commit", "-qm", "ledgers, and the cache by mistake"], cwd=origin, check=True)
    clone = tmp_path / "clone"
    subprocess.run(GIT + ["clone", "-q", str(origin), str(clone)], check=True)
    committed = clone / ".taizhang" / "cache" / "views" / "ledgers__YT2.yaml.json"
    planted = committed.read_bytes()
    assert "假的视图项目".encode() in planted
    result = cli("--dir", clone, *args)
    assert result.stdout == truth == _fresh(cli, monkeypatch, "--dir", clone, *args).stdout
    assert committed.read_bytes() != planted  # ignored, and written anew by this clone
    shutil.rmtree(clone / ".taizhang" / "cache" / "views")  # the read entries alone, too
    assert cli("--dir", clone, *args).stdout == truth
    # The ledger's status changed in the clone (other bytes): status says what the YAML says.
    path = clone / "ledgers" / "YT2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("due: 2018-06-10", "due: 2018-06-30"),
                    encoding="utf-8")
    edited = cli("--dir", clone, *args).stdout
    assert edited == _fresh(cli, monkeypatch, "--dir", clone, *args).stdout and edited != truth
    assert "假的" not in edited


def test_cache__a_cache_copied_from_another_folder_or_secret_is_not_believed(cli, repo, monkeypatch, tmp_path):
    """The same user, the same secret, another folder (a copy of the whole repository): the
    entries are bound to where they were written. A new secret disowns every entry."""
    first = repo(YT2=YT2)
    args = ("--as-of", AS_OF, "status", "--all")
    truth = cli("--dir", first, *args).stdout
    _plant_lies(first, "假的读取项目", "假的视图项目")
    assert "假的视图项目" in cli("--dir", first, *args).stdout
    second = tmp_path / "copy"
    shutil.copytree(first, second)
    assert cli("--dir", second, *args).stdout == truth
    from taizhang.repo.cache import secret_path

    secret = secret_path(first)
    assert secret.is_file() and secret.stat().st_mode & 0o777 == 0o600
    assert not secret.is_relative_to(first)  # kept outside the tree
    secret.unlink()  # another machine, or a secret made anew
    assert cli("--dir", first, *args).stdout == truth
    assert secret.is_file()


def test_cache__the_secret_lives_in_the_git_directory(cli, repo):
    root = repo(YT2=YT2)
    subprocess.run(GIT + ["init", "-q"], cwd=root, check=True)
    cli("--dir", root, "--as-of", AS_OF, "status")
    from taizhang.repo.cache import secret_path

    assert secret_path(root) == root / ".git" / "taizhang-cache.key"
    assert (root / ".git" / "taizhang-cache.key").stat().st_size == 32
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert ".taizhang" not in status.replace("!! .taizhang/", "")  # ignored by itself only


def _cache_files(root):
    folder = root / ".taizhang" / "cache"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_cache__only_a_true_no_cache_turns_it_off(cli, repo, monkeypatch):
    """TAIZHANG_NO_CACHE=1 (true, yes, on) writes nothing under .taizhang/cache — not the
    settings, not a write; =0 (false, empty) keeps caching."""
    commands = (("status",), ("check",), ("note", "YT2-3", "已签约"), ("status", "--all"))
    for value in ("1", "true", "YES", "on"):
        root = repo(settings="title: 甲区\n", YT2=YT2)
        monkeypatch.setenv("TAIZHANG_NO_CACHE", value)
        for command in commands:
            assert cli("--dir", root, "--as-of", AS_OF, *command).exit_code == 0
        assert _cache_files(root) == [], value
        shutil.rmtree(root)
    for value in ("0", "false", "no", ""):
        root = repo(settings="title: 甲区\n", YT2=YT2)
        monkeypatch.setenv("TAIZHANG_NO_CACHE", value)
        for command in commands:
            assert cli("--dir", root, "--as-of", AS_OF, *command).exit_code == 0
        names = {p.name for p in _cache_files(root)}
        assert {"taizhang.yaml.json", "ledgers__YT2.yaml.json", "_context.json"} <= names, value
        shutil.rmtree(root)


def test_cache__a_read_only_checkout_works_without_it(cli, repo, monkeypatch):
    """Where .taizhang/ cannot be made, reads go on without a cache (no crash, same output)."""
    import errno

    root = repo(YT2=YT2)
    good = _fresh(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status", "--all").stdout

    def refuse(self, *a, **k):
        raise OSError(errno.EROFS, "read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--all")
    assert (result.exit_code, result.stdout) == (0, good)
    assert not (root / ".taizhang").exists()


def test_state_dir__a_full_disk_leaves_no_empty_gitignore(cli, repo, monkeypatch):
    """Issue 13: after a full disk an empty .taizhang/.gitignore remained, and the cache was
    then committed. The self-ignoring file is written whole or not at all; no cache is kept
    while it is missing; an empty one found is written again."""
    import errno
    import os

    from taizhang.repo.files import state_dir

    root = repo(YT2=YT2)
    good = _fresh(cli, monkeypatch, "--dir", root, "--as-of", AS_OF, "status").stdout

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", full)
        try:
            state_dir(root)
            raise AssertionError("state_dir made .taizhang/ on a full disk")
        except OSError as e:
            assert e.errno == errno.ENOSPC
        assert not (root / ".taizhang" / ".gitignore").exists()
        result = cli("--dir", root, "--as-of", AS_OF, "status")
        assert (result.exit_code, result.stdout) == (0, good)
        assert not (root / ".taizhang" / ".gitignore").exists() and _cache_files(root) == []
        assert [p.name for p in (root / ".taizhang").iterdir()] == []  # no temporary file either
    (root / ".taizhang" / ".gitignore").write_bytes(b"")  # what the old code left behind
    assert cli("--dir", root, "--as-of", AS_OF, "status").stdout == good
    assert (root / ".taizhang" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_state_dir__a_write_that_fails_on_a_full_disk_leaves_no_empty_gitignore(repo):
    """The same with a real write failure: a process allowed to write no byte to any file
    (RLIMIT_FSIZE 0) runs status on a fresh repository."""
    resource = __import__("pytest").importorskip("resource")
    import signal

    root = repo(YT2=YT2)

    def no_bytes():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    code = "from taizhang.cli import app; app(['--dir', %r, '--as-of', %r, 'status'])" % (str(root), AS_OF)
    result = subprocess.run([sys.executable, "-B", "-c", code], preexec_fn=no_bytes, capture_output=True,
                            text=True, env={**__import__("os").environ, "XDG_CACHE_HOME": str(root.parent / "uc")})
    assert result.returncode == 0, result.stderr
    assert "YT2" in result.stdout
    ignore = root / ".taizhang" / ".gitignore"
    assert not ignore.exists() or ignore.read_text(encoding="utf-8") == "*\n"
    assert _cache_files(root) == []


def test_check__a_warm_check_places_the_plans_findings_without_reading_the_ledgers(cli, repo, monkeypatch):
    """The plan's findings (按计划无法在时间节点前完成) are placed at their items' lines from the
    bytes: a warm `check` composes no ledger (a city's check composed every ledger holding one,
    1.9 s at 50,000 items), and says the same lines as the reader's places. A ledger whose
    bytes cannot vouch (a flow-style item) is read to place it."""
    from taizhang.repo import load

    ledger = ("code: IF\nname: 来不及的项目\ndeadline: 2018-06-30\nitems:\n  - id: IF-1\n    title: 准备\n"
              "    duration: 5\n  # 一条注释\n  - id: IF-2\n    title: 来不及\n    duration: 300\n")
    flow = ("code: FL\nname: 流式\ndeadline: 2018-06-30\nitems:\n  - {id: FL-1, title: 来不及, duration: 300}\n")
    root = repo(IF=ledger, FL=flow)
    args = ("--dir", root, "--as-of", AS_OF, "check")
    first = cli(*args)
    assert "ledgers/IF.yaml:9:5: 警告：事项 IF-2 按计划无法在时间节点前完成" in first.stderr, first.stderr
    assert "ledgers/FL.yaml:5:5: 警告：事项 FL-1 按计划无法在时间节点前完成" in first.stderr, first.stderr
    parsed = []
    real_parse = load.parse_ledger
    monkeypatch.setattr(load, "parse_ledger", lambda raw, rel, settings: parsed.append(rel) or real_parse(raw, rel, settings))
    again = cli(*args)
    assert again.stderr == first.stderr and again.exit_code == first.exit_code
    assert parsed == ["ledgers/FL.yaml"]  # only the ledger whose bytes cannot say where its item is


def test_startup__a_warm_check_with_findings_loads_neither_the_models_nor_the_settings(tmp_path):
    """Placing the plan's findings from the bytes needs no settings: a warm `check` whose items
    the bytes vouch for loads no pydantic (reading the settings to place them cost 0.1 s at
    50,000 items, a third of the run)."""
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    (root / "ledgers" / "IF.yaml").write_text(
        "code: IF\nname: 来不及的项目\ndeadline: 2018-06-30\nitems:\n  - id: IF-1\n    title: 准备\n"
        "    duration: 5\n  - id: IF-2\n    title: 来不及\n    duration: 300\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache"), "TAIZHANG_DIR": str(root)}
    env.pop("TAIZHANG_NO_CACHE", None)
    code = ("import sys, io, contextlib\n"
            "from taizhang.cli import app\n"
            "err = io.StringIO()\n"
            "with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            f"        app(['--as-of', {AS_OF!r}, 'check'], standalone_mode=False)\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print(err.getvalue())\n"
            "print('\\n'.join(sorted(sys.modules)))\n")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)
            for _ in range(2)]
    assert "ledgers/IF.yaml:8:5: 警告：事项 IF-2 按计划无法在时间节点前完成" in runs[0].stdout, runs[0]
    assert runs[1].stdout.split("\n\n")[0] == runs[0].stdout.split("\n\n")[0]  # the same lines, warm
    modules = set(runs[1].stdout.split())
    assert "pydantic" not in modules and "taizhang.domain.models" not in modules and "yaml" not in modules
