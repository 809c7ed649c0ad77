"""What an acceptance review of SPEC §7–§9 found in import and export, each pinned down: durations
with units round-trip, every column role has its words, `--out`'s suffix chooses the format, the
investment and remarks columns of SPEC §8 are read, a close is never dated after --as-of, a
fresh clone without `ledgers/` imports, joint units from a 配合单位 column, sections that group
items, several nodes in one cell, moved nodes recorded under `changes:`, files that are not
what their names say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import AS_OF

from taizhang.domain.dates import parse_duration
from taizhang.domain.durations import written_duration
from taizhang.yamltext import emit


def _empty_repo(cli, tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert cli("init", root).exit_code == 0
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    return root


def _ledger(root: Path, code: str) -> str:
    return (root / "ledgers" / f"{code}.yaml").read_text(encoding="utf-8")


# --- #1 durations written with units -----------------------------------------------------------

DURATIONS = ["3周", "120天", "120d", "2个月", "15个工作日", "10"]


@pytest.mark.parametrize("written", DURATIONS)
def test_a_duration_is_written_and_read_back_as_the_clerk_wrote_it(written):
    duration = parse_duration(written)
    assert emit.scalar(duration) == written
    assert emit.read_back(duration) == written_duration(duration)
    assert emit.read_back({"duration": duration}) == {"duration": written_duration(duration)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_back_every_duration_as_written(cli, tmp_path, fmt):
    source = _empty_repo(cli, tmp_path, "source")
    assert cli("--dir", source, "new", "YT2", "宇通二期", "--calendar", "weekdays").exit_code == 0
    for n, written in enumerate(DURATIONS, start=1):
        assert cli("--dir", source, "--as-of", AS_OF, "add", "YT2", f"事项{n}", "--due", "2018-12-31",
                   "--duration", written, "--owner", "张三").exit_code == 0
    out = tmp_path / f"all.{fmt}"
    assert cli("--dir", source, "--as-of", AS_OF, "export", "--format", fmt, "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path)
    imported = cli("--dir", target, "--as-of", AS_OF, "import", out)
    assert imported.exit_code == 0, imported
    durations = re.findall(r"duration: (.*)", _ledger(target, "YT2"))
    assert durations == re.findall(r"duration: (.*)", _ledger(source, "YT2")) == DURATIONS
    schedule = [cli("--dir", root, "--as-of", AS_OF, "schedule", "YT2", "--json").stdout for root in (source, target)]
    assert schedule[0] == schedule[1]


# --- #2 every column role has its words --------------------------------------------------------

def test_every_role_a_header_can_name_has_words_for_dry_run():
    from taizhang.exchange.columns import HEADER_SYNONYMS, ROLE_WORDS, role_of

    roles = {role_of(name) for name, _ in HEADER_SYNONYMS if name != "derived"}
    roles |= {"node", "grouping", "title_node"}  # what the plan makes of columns (importer.plan_import)
    assert roles - ROLE_WORDS.keys() == set()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dry_run_of_a_csv_export_with_other_fields_says_what_each_column_is(cli, tmp_path, lang):
    source = _empty_repo(cli, tmp_path, "source")
    assert cli("--dir", source, "new", "YT2", "宇通二期").exit_code == 0
    assert cli("--dir", source, "--as-of", AS_OF, "add", "YT2", "征地", "--due", "2018-07-01",
               "--owner", "张三").exit_code == 0  # an item's own owner: the 其他字段 column is written
    out = tmp_path / "m2.csv"
    assert cli("--dir", source, "--as-of", AS_OF, "export", "--format", "csv", "--out", out).exit_code == 0
    target = _empty_repo(cli, tmp_path)
    result = cli("--dir", target, "--as-of", AS_OF, "--lang", lang, "import", out, "--dry-run")
    assert result.exit_code == 0, result
    assert ("其他字段 → 其他字段（导出时写入）" if lang == "zh" else "其他字段 → Other fields (of an export)") in result.stdout
    assert not (target / "ledgers" / "YT2.yaml").exists()


# --- #3 the --out file's suffix chooses the format ----------------------------------------------

def _kind(path: Path) -> str:
    data = path.read_bytes()
    return "zip" if data.startswith(b"PK\x03\x04") else "text"


@pytest.mark.parametrize(("name", "kind", "first"), [
    ("a.csv", "text", "\ufeff项目代码,"), ("a.md", "text", "# 台账"), ("a.xlsx", "zip", None), ("A.CSV", "text", "\ufeff项目代码,")])
def test_export_takes_its_format_from_the_out_suffix(cli, tmp_path, repo, name, kind, first):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / name
    result = cli("--dir", root, "--as-of", AS_OF, "export", "--out", out)
    assert result.exit_code == 0, result
    assert _kind(out) == kind
    if first is not None:
        assert out.read_text(encoding="utf-8").startswith(first)
    if name.lower().endswith(".csv"):
        target = _empty_repo(cli, tmp_path)
        assert cli("--dir", target, "--as-of", AS_OF, "import", out).exit_code == 0
        assert "征地" in _ledger(target, "YT2")


@pytest.mark.parametrize("args", [
    ["export", "--out", "a.txt"], ["export", "--out", "台账"], ["export", "--out", "a.docx"],
    ["export", "--format", "csv", "--out", "a.xlsx"], ["export", "--format", "xlsx", "--out", "a.csv"],
    ["export", "--format", "md", "--out", "a.html"],
    ["report", "week", "--format", "md", "--out", "w.docx"], ["report", "week", "--out", "w.svg"],
    ["trend", "--format", "svg", "--out", "t.json"], ["gantt", "--format", "text", "--out", "g.svg"],
    ["remind", "--format", "html", "--out", "r.md"]])
def test_a_suffix_that_belies_the_format_is_refused_and_nothing_written(cli, tmp_path, repo, args):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / args[-1]
    result = cli("--dir", root, "--as-of", AS_OF, *args[:-1], out)
    assert result.exit_code == 1, result
    assert result.stderr.count("\n") == 1 and ("扩展名" in result.stderr), result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("args", "text"), [
    (["export", "--format", "csv", "--out", "a.txt"], "\ufeff项目代码,"),
    (["export", "--format", "xlsx", "--out", "台账"], None),
    (["gantt", "--out", "g.svg"], "<?xml"), (["remind", "--out", "r.html"], "<!DOCTYPE html>"),
    (["remind", "--out", "r.md"], "#"), (["report", "week", "--out", "w.md"], "#")])
def test_an_explicit_format_or_a_known_suffix_is_written(cli, tmp_path, repo, args, text):
    root = repo(YT2="code: YT2\nname: 宇通二期\nitems:\n  - {id: YT2-1, title: 征地, due: 2018-07-01}\n")
    out = tmp_path / args[-1]
    result = cli("--dir", root, "--as-of", AS_OF, *args[:-1], out)
    assert result.exit_code == 0, result
    if text is None:
        assert _kind(out) == "zip"
    else:
        assert out.read_text(encoding="utf-8").lstrip().startswith(text)
