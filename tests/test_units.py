"""Joint units: the first named leads, the rest assist (SPEC §7)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain.units import SEPARATORS, lead_unit, role_of, roles_of, units_of


@pytest.mark.parametrize("value, expected", [
    (None, []),
    ("", []),
    ("区住建局", ["区住建局"]),
    ("区住建局、区财政局、各街道", ["区住建局", "区财政局", "各街道"]),
    ("区住建局，区财政局;区水务局；区城管局,区交通局", ["区住建局", "区财政局", "区水务局", "区城管局", "区交通局"]),
    ("区住建局\n区财政局\r\n", ["区住建局", "区财政局"]),
    (" 区住建局 、、 区住建局 ", ["区住建局"]),
    (["各县、市、区政府", "市财政局"], ["各县、市、区政府", "市财政局"]),
])
def test_units_of__separators_and_lists(value, expected):
    assert units_of(value) == expected


def test_lead_and_roles():
    value = "区住建局、区财政局、各街道"
    assert lead_unit(value) == "区住建局" and lead_unit(None) is None
    assert role_of(value, "区住建局") == "lead"
    assert role_of(value, "各街道") == "assist"
    assert role_of(value, "区教育局") is None



# --- one item naming thousands of units (the super-linear hunt: 2,000 names, 37 s a command) --

def _units_as_they_were(value):
    """units_of as first written (a list's `in` per name): what its results are held to."""
    if value is None:
        return []
    parts = SEPARATORS.split(value) if isinstance(value, str) else [str(v) for v in value]
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen


def _role_as_it_was(value, unit):
    units = _units_as_they_were(value)
    if not units or unit not in units:
        return None
    return "lead" if units[0] == unit else "assist"


_NAMES = st.lists(st.sampled_from(["甲", "乙", " 乙 ", "丙", "", "  ", "丁局"]), max_size=12)


@settings(max_examples=300)
@given(names=_NAMES, separators=st.lists(st.sampled_from(["、", "，", ",", ";", "；", "\n", "\r\n", "、、"]),
                                          min_size=12, max_size=12),
       as_text=st.booleans())
def test_units_and_roles__the_same_as_the_list_dedupe_they_replace(names, separators, as_text):
    value = "".join(n + s for n, s in zip(names, separators)) if as_text else names
    assert units_of(value) == _units_as_they_were(value)
    roles = roles_of(value)
    assert list(roles) == units_of(value)
    for unit in ["甲", "乙", " 乙 ", "丙", "丁局", "戊", ""]:
        assert role_of(value, unit) == roles.get(unit) == _role_as_it_was(value, unit)
    view = _view(units_of(value))
    assert all(view.role(unit) == _role_as_it_was(value, unit) for unit in ["甲", "乙", "丙", "丁局", "戊"])


def _view(units, unit=None):
    from datetime import date

    from taizhang.domain.lights import ItemView

    lead = units[0] if units else unit
    return ItemView("P-1", "P", "项目", "事项", "task", lead, None, None, date(2018, 6, 20), "yellow", 5, None,
                    1, None, False, units=list(units))


def test_role__an_item_works_its_roles_out_once_however_many_units_ask(monkeypatch):
    """`status --by unit`, remind and notice ask an item's role under each unit it names: asked
    2,000 times, the names are read once (they were read, and deduplicated, per question)."""
    from taizhang.domain import lights

    calls = []
    monkeypatch.setattr(lights, "roles_of", lambda value: calls.append(1) or roles_of(value))
    names = [f"单位{k}" for k in range(2000)]
    view = _view(names)
    assert [view.role(name) for name in names] == ["lead"] + ["assist"] * 1999
    assert view.role("单位2000") is None and view.roles == dict(zip(names, ["lead"] + ["assist"] * 1999))
    assert len(calls) == 1


def test_role__a_view_without_its_units_falls_back_to_its_unit():
    assert _view([], unit="区住建局").role("区住建局") == "lead" and _view([]).role("区住建局") is None


def test_units_of__two_hundred_thousand_names_once_each_in_order():
    import time

    names = [f"单位{k}" for k in range(200_000)]
    started = time.perf_counter()
    # A list's `in` per name: 2 x 10^10 comparisons here (20,000 names took 2.9 s, this some
    # 300 s); a dict: 400,000 lookups (0.1 s).
    assert units_of("、".join(names + names[::-1])) == names
    assert time.perf_counter() - started < 20
