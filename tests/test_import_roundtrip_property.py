"""Lossless exchange (SPEC §8): `export --format xlsx` or `--format csv` then `import` into an empty
repository gives back every field of every ledger — ids, titles byte for byte, kinds, time nodes,
durations, predecessors, owners, units (joint ones as lists), leaders, targets, terms and their
`from`, measures, applications for 销号, closes and who verified them, moved nodes and deadlines with
their reasons, every note and its quantity done, the project's fields, calendar rule and every
amount of its investment — on ledgers hypothesis makes up. An xlsx carries what one row per item
cannot hold in companion sheets, a CSV (one sheet) in companion columns."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF

from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

pytest.importorskip("openpyxl")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TODAY = date.fromisoformat(AS_OF)
_CJK = "宇通二期项目主体施工征收拆迁验收区建设局住建财政魏书全张三李四"
# Plain words: what clerks type in the cells taizhang reads as trimmed text (names, units…).
words = st.text(alphabet=_CJK + "ABCxyz123（）、", min_size=1, max_size=8)
# Titles and notes: anything a cell can hold — spaces anywhere, tabs, line breaks, apostrophes,
# formula-like starts, CJK punctuation.
free = st.text(alphabet=_CJK + " \t\n'=+-@\"“”：，。、；（）ab1", min_size=1, max_size=14).filter(lambda t: t.strip())
days = st.dates(min_value=date(2017, 1, 1), max_value=TODAY)
amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def ledgers(draw, code: str) -> dict:
    unit, owner = draw(st.none() | words | st.lists(words, min_size=1, max_size=3)), draw(st.none() | words)
    data: dict = {"code": code, "name": draw(free), "program": draw(st.none() | words),
                  "stage": draw(st.none() | st.sampled_from(["新建", "续建", "前期"])), "unit": unit,
                  "leader": draw(st.none() | words), "owner": owner,
                  "deadline": draw(st.none() | st.dates(min_value=date(2018, 1, 1), max_value=date(2020, 12, 31))),
                  "calendar": draw(st.none() | st.sampled_from(["natural", "workdays", "weekdays"]) | st.fixed_dictionaries(
                      {"base": st.sampled_from(["natural", "weekdays"])},
                      optional={"days_off": st.lists(days, max_size=2), "work_days": st.lists(days, max_size=2)}))}
    if data["deadline"] is not None and draw(st.booleans()):
        data["changes"] = [{"date": draw(days), "field": "deadline", "from": draw(days), "to": data["deadline"],
                            "reason": draw(free)}]
    if draw(st.booleans()):
        data["investment"] = {
            "total": draw(amounts),
            "planned": draw(st.dictionaries(st.integers(2017, 2019), amounts, max_size=2)),
            "completed": draw(st.dictionaries(st.sampled_from(["2018-01", "2018-03", "2018-05"]), amounts, max_size=2))}
    titles = draw(st.lists(free, max_size=5, unique=True))
    items, number = [], 0
    for title in titles:
        number += draw(st.integers(1, 3))  # ids with the gaps deletions leave
        item: dict = {"id": f"{code}-{number}", "title": title,
                      "kind": draw(st.sampled_from(["task", "milestone", "problem"]))}
        if draw(st.booleans()):
            item["due"] = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2019, 12, 31)))
        elif draw(st.booleans()):
            item["duration"] = draw(st.integers(1, 60))
        earlier = [i["id"] for i in items]
        if earlier and draw(st.booleans()):
            item["after"] = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
        # An item's own owner and unit, the project's repeated as its own included.
        other = draw(st.none() | words | st.just(owner))
        if other is not None:
            item["owner"] = other
        other = draw(st.none() | words | st.just(unit) | st.lists(words, min_size=1, max_size=2))
        if other is not None:
            item["unit"] = other
        if draw(st.booleans()):
            item["leader"] = draw(words)
        if draw(st.booleans()):
            item["target"] = f"{draw(st.integers(1, 9999))}{draw(st.sampled_from(['户', '公里', '个']))}"
        if "due" not in item and "duration" not in item and draw(st.booleans()):
            item["due"] = draw(st.sampled_from(["长期坚持", "每月25日前", "每季度末月20日前"]))
            if draw(st.booleans()):
                item["from"] = draw(days)
        if "due" in item and not isinstance(item["due"], str) and draw(st.booleans()):
            item["changes"] = [{"date": draw(days), "by": draw(words), "field": "due", "from": draw(days),
                                "to": item["due"], "reason": draw(free)}]
        if draw(st.booleans()):
            item["measures"] = draw(words)
        if draw(st.booleans()):
            item["closed"] = {k: v for k, v in {"date": draw(days), "by": draw(st.none() | words),
                                                "note": draw(st.none() | words),
                                                "evidence": draw(st.none() | words),
                                                "verified_by": draw(st.none() | words)}.items() if v is not None}
        elif draw(st.booleans()):
            item["apply"] = {k: v for k, v in {"date": draw(days), "by": draw(st.none() | words),
                                               "evidence": draw(st.none() | free),
                                               "note": draw(st.none() | free)}.items() if v is not None}
        notes = draw(st.lists(st.fixed_dictionaries({"date": days, "text": free},
                                                    optional={"by": words, "done": st.integers(0, 5000)}), max_size=3))
        if notes:
            item["notes"] = notes
        items.append(item)
    data["items"] = items
    return {k: v for k, v in data.items() if v is not None}


def _text(value) -> str:
    def plain(v):
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return str(v) if not isinstance(v, (str, int)) else v
    # JSON is YAML: the ledger written as one flow mapping, every string quoted.
    return json.dumps(plain(value), ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["A", "B2", "YT", "Q9"]), min_size=1, max_size=3, unique=True).flatmap(
    lambda codes: st.tuples(*[ledgers(code) for code in codes])))
def test_export_then_import_gives_back_every_field(cli, fmt, generated):
    with tempfile.TemporaryDirectory() as tmp:
        source, target, out = Path(tmp) / "source", Path(tmp) / "target", Path(tmp) / f"台账.{fmt}"
        (source / "ledgers").mkdir(parents=True)
        (source / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
        for ledger in generated:
            (source / "ledgers" / f"{ledger['code']}.yaml").write_text(_text(ledger), encoding="utf-8")
        original = load_repo(Cache(source))
        assert not original.errors, original.errors
        exported = cli("--dir", source, "--as-of", AS_OF, "export", "--format", fmt, "--out", out)
        assert exported.exit_code == 0, exported
        assert cli("init", target).exit_code == 0
        (target / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
        result = cli("--dir", target, "--as-of", AS_OF, "import", out)
        assert result.exit_code == 0, result
        back = load_repo(Cache(target))
        assert not back.errors
        assert {l.code: l.model_dump() for l in back.ledgers} == {l.code: l.model_dump() for l in original.ledgers}
