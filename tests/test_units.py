"""Joint units: the first named leads, the rest assist (SPEC §7)."""

import pytest

from taizhang.domain.units import lead_unit, role_of, units_of


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
