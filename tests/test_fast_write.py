"""Writes the cache vouches for (repo.write `vouched`): the models are not loaded, and nothing is
accepted that the models would refuse or warn about.

- `vouched(old, new)` never says yes where the models find a problem in `new` (property test);
- an edit made with the cache (the direct check) and without it (the models) writes the same
  bytes and refuses with the same words (property test over edits, through the library);
- `add`, `close` and `note` on a ledger the cache holds load neither pydantic nor rich (a
  subprocess: a top-level import of either on the write path fails this);
- the plain words the write path uses (domain/keys.py) and the settings it reads from the cache
  (`Repository.basics`) equal what the models say.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import dedent
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain import keys, vocab
from taizhang.domain.models import Ledger
from taizhang.errors import TaizhangError
from taizhang.repo import write
from taizhang.repo.load import ledger_rules
from taizhang.repo.repository import Basics, Repository
from taizhang.yamltext.read import Document

# --- the plain words ------------------------------------------------------------------------


def test_keys_are_the_models_words():
    assert keys.ITEM_KEY_ORDER == vocab.ITEM_KEY_ORDER
    assert keys.PROJECT_KEY_ORDER == vocab.PROJECT_KEY_ORDER
    assert keys.DATE_FIELDS == vocab.DATE_FIELDS
    assert keys.KINDS == vocab.KINDS


@pytest.mark.parametrize("text", [
    None, "", "title: x\n", "year: 2018\n", "year: 2018\nlang: en\n", "git: {commit: true}\n",
    "git:\n  commit: false\nwarn_days: 3\n", "year: '2018'\n", "git: {commit: 'yes'}\n", "year: 2018.0\n",
])
def test_basics_from_the_cache_are_the_settings(tmp_path, monkeypatch, text):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    if text is not None:
        (root / "taizhang.yaml").write_text(text, encoding="utf-8")
    full = Repository(root).settings  # (reads the file, and leaves its entry in the cache)
    expected = Basics(full.year, full.lang, full.git.commit)
    fresh = Repository(root)
    assert fresh.basics() == expected
    assert Repository(root, use_cache=False).basics() == expected


def test_basics_of_broken_settings_raise_as_settings_do(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("lang: fr\n", encoding="utf-8")
    with pytest.raises(TaizhangError) as by_settings:
        _ = Repository(root).settings
    with pytest.raises(TaizhangError) as by_basics:
        Repository(root).basics()
    assert by_basics.value.problems == by_settings.value.problems


# --- vouched never says yes where the models say no ------------------------------------------

DAYS = ["2018-03-31", "2018-09-30", "2019-12-31", "2020-06-30", "2018-02-30", "2018-9-30", "4月底",
        "长期坚持", "每月25日前", "20180930", ""]
TEXTS = ["甲", "", " ", "a: b", "2018", "区建设局", "赵红彬"]


def _problems(data: Any) -> list:
    """Every problem the models and the ledger-wide rules find in `data` (errors and warnings)."""
    from pydantic import ValidationError

    doc = Document(path="ledgers/P.yaml", text="", data=data)
    try:
        ledger = Ledger.model_validate(data, context={"year": 2018})
    except ValidationError as e:
        return [str(e)]
    return ledger_rules(doc, ledger, "ledgers/P.yaml")


@st.composite
def ledgers(draw) -> dict:
    n = draw(st.integers(0, 5))
    items = []
    for k in range(1, n + 1):
        item: dict[str, Any] = {"id": f"P-{k}", "title": f"事项{k}"}
        due = draw(st.sampled_from([None, "2018-03-31", "2018-03-31", "2019-08-31", "2019-08-31", "2019-08-31",
                                    "2018-05-31", "长期坚持", "4月底"]))
        if due is not None:
            item["due"] = due
        if k > 1 and draw(st.booleans()):
            item["after"] = [f"P-{draw(st.integers(1, k - 1))}"]
        if draw(st.booleans()):
            item["closed"] = {"date": "2018-03-28", "by": "魏书全"}
        elif draw(st.booleans()):
            item["apply"] = {"date": "2018-03-28", "evidence": "验收单"}
        if draw(st.booleans()):
            item["notes"] = draw(st.sampled_from([None, [{"date": "2018-05-02", "text": "已签约"}]]))
        items.append(item)
    data: dict[str, Any] = {"code": "P", "name": "项目"}
    deadline = draw(st.sampled_from([None, "2019-12-31", "2019-12-31", "2019-12-31", "2018-06-30", "年底"]))
    if deadline is not None:
        data["deadline"] = deadline
    if items or draw(st.booleans()):
        data["items"] = items if items or draw(st.booleans()) else None
    return data


def _value(draw, kind: str) -> Any:
    # (mostly values the direct check takes, so that it is put to the test)
    if kind == "day":
        return draw(st.one_of(st.just("2018-06-15"), st.sampled_from(DAYS + [None, 20180930])))
    return draw(st.one_of(st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.none(), st.integers(-1, 3),
                          st.just(["甲", "乙"])))


# The values of a field: first those the direct check takes, then those it must not take alone.
GOOD = {"id": ["P-{n}"], "title": ["事项", "a: b"], "kind": ["task", "milestone", "problem"],
        "due": ["2018-09-30"], "duration": [0, 3], "after": [[], ["P-1"]], "owner": ["赵"], "unit": ["区建设局"],
        "measures": ["驻村"], "date": ["2018-06-15"], "by": ["魏", ""], "note": ["按期"], "evidence": ["验收单"],
        "verified_by": ["李"], "text": ["进展"]}
BAD = {"id": ["Q-{n}", "P-1", "P-0{n}", 5], "title": ["", None, 5], "kind": ["问题", "", None],
       "due": ["2018-02-30", "2018-9-30", "4月底", "长期坚持", "2020-09-30", None, 20180930],
       "duration": [-1, True, "3周", 2.5, None], "after": [["P-{n}"], ["P-9"], "P-1", ["x"], [5], None],
       "owner": [5, None, ["甲"]], "unit": [5, None, ["甲"]], "measures": [5, None],
       "date": ["2018-02-30", "4月底", None, 20180615], "by": [5, None], "note": [5, None], "evidence": [5, None],
       "verified_by": [5, None], "text": ["", None, 5], "target": ["2836户", 5], "leader": ["甲"],
       "notes": [[]], "when": ["x"], "done": [12, "12"]}


def _fields(draw, required: list[str], optional: list[str], extra: list[str], n: int) -> dict:
    """A mapping of good values, and at most one field made bad (or one key too many)."""
    chosen = required + draw(st.lists(st.sampled_from(optional), unique=True))
    value = {key: draw(st.sampled_from(GOOD[key])) for key in chosen}
    spoil = draw(st.sampled_from([None, *chosen, *chosen, *extra]))
    if spoil is not None:
        value[spoil] = draw(st.sampled_from(BAD[spoil]))
    return {k: v.format(n=n) if isinstance(v, str) else [x.format(n=n) if isinstance(x, str) else x for x in v]
            if isinstance(v, list) else v for k, v in value.items()}


@st.composite
def changes(draw, old: dict) -> dict:
    new = json.loads(json.dumps(old))  # (the old data as the cache holds them)
    items = new.get("items") or []
    what = draw(st.sampled_from(["add", "close", "note", "other"] if items else ["add", "other"]))
    if what == "add":
        n = len(items) + 1
        item = _fields(draw, ["id", "title"], ["kind", "due", "duration", "after", "owner", "unit", "measures"],
                       ["target", "leader", "notes", "when"], n)
        new["items"] = items + [item]
    elif what == "close":
        i = draw(st.integers(0, len(items) - 1))
        shape = draw(st.sampled_from(["mapping", "mapping", "mapping", "empty", "text"]))
        items[i]["closed"] = {"empty": None, "text": "done"}.get(shape) or _fields(
            draw, ["date"], ["by", "note", "evidence", "verified_by"], ["when"], 0)
        if draw(st.booleans()):
            items[i].pop("apply", None)
    elif what == "note":
        i = draw(st.integers(0, len(items) - 1))
        note = _fields(draw, ["date", "text"], ["by"], ["done", "when"], 0)
        items[i]["notes"] = list(items[i].get("notes") or []) + [note]
    else:
        target = draw(st.sampled_from(["deadline", "name", "item-title", "item-due", "item-id"]
                                      if items else ["deadline", "name"]))
        if target in ("deadline", "name"):
            new[target] = _value(draw, "day" if target == "deadline" else "text")
        else:
            items[draw(st.integers(0, len(items) - 1))][target[5:]] = _value(draw, "day" if target == "item-due" else "text")
    return new


VOUCHED = []


@settings(max_examples=1500)
@given(st.data())
def test_vouched_never_accepts_what_the_models_fault(data):
    old = data.draw(ledgers())
    if _problems(old):
        return  # (vouched is asked only of a ledger the cache holds without errors or warnings)
    new = data.draw(changes(old))
    if write.vouched(json.loads(json.dumps(old)), new):
        VOUCHED.append(new)
        assert _problems(new) == []


def test_the_property_above_put_the_direct_check_to_work():
    if not VOUCHED:  # (run alone, or first: draw examples of our own)
        test_vouched_never_accepts_what_the_models_fault()
    assert len(VOUCHED) >= 20


def test_vouched_takes_the_common_edits():
    old = {"code": "P", "name": "项目", "deadline": "2019-12-31",
           "items": [{"id": "P-1", "title": "甲", "due": "2018-09-30", "apply": {"date": "2018-05-01"}},
                     {"id": "P-2", "title": "乙", "due": "2018-10-31", "notes": None}]}
    added = json.loads(json.dumps(old))
    added["items"].append({"id": "P-3", "title": "丙", "kind": "problem", "due": "2019-01-31", "duration": 3,
                           "after": ["P-1"], "owner": "赵", "unit": "区建设局", "measures": "驻村"})
    assert write.vouched(old, added)
    closed = json.loads(json.dumps(old))
    closed["items"][0].pop("apply")
    closed["items"][0]["closed"] = {"date": "2018-05-01", "by": "魏", "verified_by": "李"}
    assert write.vouched(old, closed)
    noted = json.loads(json.dumps(old))
    noted["items"][1]["notes"] = [{"date": "2018-05-02", "by": "赵", "text": "已签约"}]
    assert write.vouched(old, noted)
    late = json.loads(json.dumps(added))
    late["items"][-1]["due"] = "2020-01-31"  # after the deadline: a warning, the models' to say
    assert not write.vouched(old, late)
    for key, value in [("id", "P-1"), ("id", "Q-3"), ("id", "P-03"), ("after", ["P-9"]), ("after", ["P-3"]),
                       ("after", "P-1"), ("kind", "问题"), ("title", ""), ("duration", True), ("unit", ["甲"]),
                       ("due", "长期坚持"), ("target", "5户")]:
        wrong = json.loads(json.dumps(added))
        wrong["items"][-1][key] = value
        assert not write.vouched(old, wrong), (key, value)  # (wrong, or valid but the models' to read)


# --- the same bytes and the same refusals, with the cache and without -------------------------

BASE = """\
code: P
name: 项目
deadline: 2019-12-31
items:
  - id: P-1
    title: 配套项目全面开工
    due: 2018-03-31   # 3月份
  - id: P-2
    title: 主体施工
    due: 2018-06-10
    notes:
      - {date: 2018-05-02, by: 赵红彬, text: 已签约四个村}
  - id: P-3
    title: 验收
    due: 2019-08-31
    apply:
      date: 2018-06-01
      evidence: 验收单
"""


def _outcome(root: Path, use_cache: bool, edit) -> tuple[Any, bytes]:
    repo = Repository(root, use_cache=use_cache)
    try:
        result = edit(repo)
    except TaizhangError as e:
        result = ("refused", sorted(p.render("zh") for p in e.problems))
    return result, (root / "ledgers" / "P.yaml").read_bytes()


EDITS = st.one_of(
    st.builds(lambda title, due, kind, after, duration: (
        lambda r: r.add("P", title, due=due, kind=kind, after=after, duration=duration)),
        st.sampled_from(["新事项", " ", "a: b", "'引号'", "x\ny"]),
        st.sampled_from([None, __import__("datetime").date(2018, 9, 30), __import__("datetime").date(2020, 9, 30),
                         "长期坚持"]),
        st.sampled_from([None, "task", "problem", "milestone"]),
        st.sampled_from([(), ("P-1",), ("P-9",)]),
        st.sampled_from([None, 5, "3周"])),
    st.builds(lambda ids, on, note: (lambda r: r.close(ids, on=on, by="魏书全", note=note)),
              st.sampled_from([["P-1"], ["P-2", "P-3"], ["P-3"], ["P-9"]]),
              st.sampled_from([None, __import__("datetime").date(2018, 6, 15)]),
              st.sampled_from([None, "按期完成", ""])),
    st.builds(lambda item, text, done: (lambda r: r.note(item, text, on=__import__("datetime").date(2018, 6, 15),
                                                          by="赵", done=done)),
              st.sampled_from(["P-1", "P-2", "P-9"]), st.sampled_from(["进展", "- 列表", ""]),
              st.sampled_from([None, "12"])),
)


@settings(max_examples=60)
@given(edits=st.lists(EDITS, min_size=1, max_size=3), base=st.sampled_from([BASE, BASE.replace("deadline: 2019-12-31\n", "")]))
def test_with_and_without_the_cache_the_same_write(tmp_path_factory, edits, base):
    roots = []
    for name in ("cached", "plain"):
        root = tmp_path_factory.mktemp(name)
        (root / "ledgers").mkdir()
        (root / "ledgers" / "P.yaml").write_text(base, encoding="utf-8")
        roots.append(root)
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    Repository(roots[0]).ledgers()  # the cache now vouches for the file
    for edit in edits:
        assert _outcome(roots[0], True, edit) == _outcome(roots[1], False, edit)


# --- the models are not loaded -----------------------------------------------------------------

PROBE = """
import sys
from taizhang.cli.app import main
sys.argv = ["taizhang", "--dir", sys.argv[1], "--as-of", "2018-06-15", *sys.argv[2:]]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
print(sorted(m for m in ("pydantic", "rich", "taizhang.domain.models", "taizhang.repo.load", "filelock", "_hashlib",
                         "taizhang.gitops.git", "taizhang.repo.views", "taizhang.domain.lights", "msgspec")
             if m in sys.modules))
"""


def _run(root: Path, *args: str) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "user-cache"), "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_NOSYSTEM": "1", "USER": "测试员"}
    env.pop("TAIZHANG_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(root), *args], capture_output=True, text=True,
                          env=env, check=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


def test_writes_on_a_cached_ledger_load_neither_pydantic_nor_rich(tmp_path):
    """Nor filelock (locks.py flocks) nor OpenSSL (digest.py), nor the lights and msgspec to ask
    the view cache's verdict (verdicts.py): a small write pays for none of them."""
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    (root / "ledgers" / "P.yaml").write_text(BASE, encoding="utf-8")
    _run(root, "check")  # reads everything, with the models: the cache now vouches for the files
    assert _run(root, "add", "P", "新事项", "--due", "2018-09-30") == "[]"
    assert _run(root, "close", "P-4", "--on", "2018-06-15", "--by", "魏书全") == "[]"
    assert _run(root, "note", "P-2", "进展顺利") == "[]"
    assert _run(root, "add", "P", "问题", "--kind", "problem", "--due", "2018-09-30", "--after", "P-1") == "[]"
    text = (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")
    assert "P-4" in text and "进展顺利" in text
    assert _run(root, "check").startswith("[")  # and the result reads without a problem
    plain = subprocess.run([sys.executable, "-m", "taizhang", "--dir", str(root), "check"], capture_output=True,
                           text=True, env={**os.environ, "TAIZHANG_NO_CACHE": "1"})
    assert plain.returncode == 0 and "0 个错误，0 个警告" in plain.stdout


def test_a_write_the_direct_check_cannot_vouch_for_goes_to_the_models(tmp_path):
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    (root / "ledgers" / "P.yaml").write_text(BASE, encoding="utf-8")
    _run(root, "check")
    # A term for a due date is the models' to read; so is the application a close settles.
    assert "pydantic" in _run(root, "add", "P", "长期事项", "--due", "长期坚持")
    assert "pydantic" in _run(root, "close", "P-3", "--by", "李")
    # Without a cache entry (the file edited by hand), the models read it.
    path = root / "ledgers" / "P.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "pydantic" in _run(root, "add", "P", "新事项", "--due", "2018-09-30")


def test_an_edit_the_models_refuse_is_refused_as_before(repo, cli):
    root = repo(P=BASE)
    assert cli("--dir", root, "check").exit_code == 0
    result = cli("--dir", root, "--as-of", "2018-06-15", "add", "P", "x", "--due", "2018-09-30", "--after", "P-9")
    assert result.exit_code == 1 and "P-9" in result.stderr
    result = cli("--dir", root, "--as-of", "2018-06-15", "close", "P-1", "--on", "2018-02-30")
    assert result.exit_code != 0
    assert dedent(BASE) == (root / "ledgers" / "P.yaml").read_text(encoding="utf-8")


# --- same_data's shortcut (Python and JSON equal) agrees with its definition -------------------

def _same_by_definition(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        b_by_text = {str(k): v for k, v in b.items()}
        return len(a) == len(b) and all(str(k) in b_by_text and _same_by_definition(v, b_by_text[str(k)])
                                        for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_by_definition(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


LEAVES = st.sampled_from([None, True, False, 0, 1, 1.0, 0.0, float("nan"), "1", "true", "null", "", "a"])
KEYS = st.sampled_from([True, 1, 1.0, "1", "True", "true", None, "null", "None", 2018, "2018", "a"])
DATA = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)


def _texts_collide(data: Any) -> bool:
    """A mapping with two keys of one text (2018 and "2018"): the definition above compares
    such a mapping wrongly even with itself (the shortcut calls it equal to itself)."""
    if isinstance(data, dict):
        return len({str(k) for k in data}) < len(data) or any(_texts_collide(v) for v in data.values())
    return isinstance(data, list) and any(_texts_collide(v) for v in data)


@settings(max_examples=500)
@given(DATA, DATA, st.booleans())
def test_same_data_is_its_definition(a, b, copy):
    if _texts_collide(a) or _texts_collide(b):
        return
    if copy:
        b = json.loads(json.dumps(a)) if write._json(a) is not None else a
    assert write.same_data(a, b) == _same_by_definition(a, b)


@settings(max_examples=500)
@given(DATA, DATA, st.booleans())
def test_same_data_is_its_definition_when_msgspec_encodes(a, b, copy):
    """The same with every list and ledger taken as large, so that msgspec encodes them."""
    if _texts_collide(a) or _texts_collide(b):
        return
    if copy:
        b = json.loads(json.dumps(a)) if write._json(a) is not None else a
    saved = write._LARGE
    write._LARGE = 0
    try:
        assert write.same_data(a, b) == _same_by_definition(a, b)
    finally:
        write._LARGE = saved


def test_large_data_is_encoded_by_msgspec_and_falls_back_to_json():
    items = [{"id": f"P-{n}", "title": "标题", "due": "2018-09-30"} for n in range(300)]
    assert isinstance(write._json({"code": "P", "items": items}), bytes)
    assert isinstance(write._json(items[:10]), str)  # (small: json)
    assert isinstance(write._json(items + [{"x": None}]), str)  # a null: json says
    assert write._json(items + [{"x": float("nan")}]) is None  # json refuses a NaN
    assert write._json(items + [{1: "a", "b": 2}]) is None  # keys of two types


# --- the history's answer kept by HEAD's commit ------------------------------------------------

def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@x"})


def test_the_history_is_read_once_per_head_and_says_the_same(tmp_path, monkeypatch):
    from taizhang.repo import history
    from taizhang.repo.cache import Cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    path = root / "ledgers" / "P.yaml"
    path.write_text(BASE, encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "id: P-99 in a message is no item")
    path.write_text(BASE.replace("  - id: P-3", "  - id: P-7"), encoding="utf-8")
    _git(root, "commit", "-qam", "P-3 becomes P-7")
    path.write_text(BASE.split("  - id: P-2")[0], encoding="utf-8")  # P-2 and P-7 deleted, not committed
    logs = []
    real = history._highest_removed
    monkeypatch.setattr(history, "_highest_removed", lambda *a: logs.append(a) or real(*a))
    cache = Cache(root)
    assert history.highest_committed_number(root, path, "P").number == 7  # HEAD's copy holds P-7
    assert history.highest_committed_number(root, path, "P", cache).number == 7
    assert history.highest_committed_number(root, path, "P", Cache(root)).number == 7
    assert len(logs) == 2  # (the third answered from the cache)
    _git(root, "commit", "-qam", "P-2 and P-7 deleted")  # now only the history knows P-7
    assert history.highest_committed_number(root, path, "P", Cache(root)).number == 7
    assert history.highest_committed_number(root, path, "P").number == 7
    assert len(logs) == 4
    assert history.highest_committed_number(root, path, "P", Cache(root)).number == 7
    assert len(logs) == 4
    assert Repository(root).add("P", "新事项") == "P-8"


def test_old_items_with_terms_do_not_stop_the_direct_check():
    # Only the new items are judged: the old ones read without warnings and can only lose one.
    old = {"code": "P", "name": "项目", "deadline": "2019-12-31",
           "items": [{"id": "P-1", "title": "安全生产", "due": "长期坚持"},
                     {"id": "P-2", "title": "月报", "due": "每月25日前"},
                     {"id": "P-3", "title": "征收", "due": "2018-09-30"}]}
    assert _problems(old) == []
    new = json.loads(json.dumps(old))
    new["items"].append({"id": "P-4", "title": "新节点", "due": "2018-10-30"})
    assert write.vouched(old, new) and _problems(new) == []
    late = json.loads(json.dumps(old))
    late["items"].append({"id": "P-4", "title": "新节点", "due": "2020-10-30"})  # after the deadline
    assert not write.vouched(old, late)
