"""Joint units and item leaders (SPEC §7): an item counts under every unit it names, the first
leads (牵头), the rest assist (配合); an item's `leader` overrides its project's."""

from __future__ import annotations

import json

from conftest import AS_OF

from taizhang.domain.models import Ledger

JOINT = """\
    code: PG
    name: 棚户区改造工程
    unit: 区住建局
    leader: 张三
    deadline: 2018-12-31
    items:
      - id: PG-1
        title: 棚户区改造
        unit: 区住建局、区财政局、各街道
        leader: 王五
        due: 2018-06-10
      - id: PG-2
        title: 征收补偿资金拨付
        unit: [区财政局, "各县、市、区政府"]
        due: 2018-06-20
      - id: PG-3
        title: 安置房建设
        due: 2018-09-30
    """


def _json(cli, root, *args):
    result = cli("--dir", root, "--as-of", AS_OF, "status", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_models__unit_is_text_or_a_list_and_leader_is_per_item():
    ledger = Ledger.model_validate({"code": "P", "name": "n", "unit": ["甲", "乙"],
                                    "items": [{"id": "P-1", "title": "t", "unit": "丙、丁", "leader": "王五"}]})
    assert ledger.unit == ["甲", "乙"] and ledger.items[0].unit == "丙、丁" and ledger.items[0].leader == "王五"


def test_status_json__units_lead_first_beside_the_lead_unit_and_the_item_leader(cli, repo):
    root = repo(PG=JOINT)
    items = {i["id"]: i for i in _json(cli, root)["items"]}
    assert (items["PG-1"]["unit"], items["PG-1"]["units"]) == ("区住建局", ["区住建局", "区财政局", "各街道"])
    # A list item is never cut at the separators inside a name.
    assert (items["PG-2"]["unit"], items["PG-2"]["units"]) == ("区财政局", ["区财政局", "各县、市、区政府"])
    assert (items["PG-3"]["unit"], items["PG-3"]["units"]) == ("区住建局", ["区住建局"])
    assert [items[i]["leader"] for i in ("PG-1", "PG-2", "PG-3")] == ["王五", "张三", "张三"]


def test_status_unit__an_assisting_unit_finds_the_item(cli, repo):
    root = repo(PG=JOINT)
    assert [i["id"] for i in _json(cli, root, "--unit", "各街道")["items"]] == ["PG-1"]
    assert sorted(i["id"] for i in _json(cli, root, "--unit", "区财政局")["items"]) == ["PG-1", "PG-2"]
    assert sorted(i["id"] for i in _json(cli, root, "--unit", "各县、市、区政府")["items"]) == ["PG-2"]


def test_status_leader__the_item_leader_overrides_the_project_one(cli, repo):
    root = repo(PG=JOINT)
    assert [i["id"] for i in _json(cli, root, "--leader", "王五")["items"]] == ["PG-1"]
    assert sorted(i["id"] for i in _json(cli, root, "--leader", "张三")["items"]) == ["PG-2", "PG-3"]


def test_status_by_unit__counted_under_every_unit_the_assisting_ones_marked(cli, repo):
    root = repo(PG=JOINT)
    out = cli("--dir", root, "--as-of", AS_OF, "status", "--by", "unit", "--all").stdout
    lines = out.splitlines()
    groups = [line for line in lines if line.split()[1:2] and not line.split()[1].startswith("PG-")]
    names = {line.split()[1] for line in groups}
    assert {"区住建局", "区财政局", "各街道", "各县、市、区政府"} <= names
    pg1 = [line for line in lines if "PG-1" in line]
    assert len(pg1) == 3  # under 区住建局 (lead), 区财政局 and 各街道 (配合)
    assert sum("（配合" in line for line in pg1) == 2
    assert sum("（配合" in line for line in lines if "PG-2" in line) == 1  # under 各县、市、区政府


def test_status_by_leader__包抓领导(cli, repo):
    root = repo(PG=JOINT)
    out = cli("--dir", root, "--as-of", AS_OF, "status", "--by", "leader", "--all").stdout
    assert "包抓领导" in out
    lines = out.splitlines()
    wang = next(n for n, line in enumerate(lines) if line.split()[1:2] == ["王五"])
    assert "PG-1" in lines[wang + 1]


def test_remind__every_unit_named_gets_the_item_assisting_ones_say_配合(cli, repo):
    root = repo(PG=JOINT)
    out = cli("--dir", root, "--as-of", AS_OF, "remind", "--format", "md").stdout
    sections = {s.split("\n", 1)[0].split("（")[0].strip(): s for s in out.split("## ")[1:]}
    assert "PG-1 | 棚户区改造 |" in sections["区住建局"]
    assert "PG-1 | 棚户区改造（配合） |" in sections["区财政局"]
    assert "PG-1 | 棚户区改造（配合） |" in sections["各街道"]
    only = cli("--dir", root, "--as-of", AS_OF, "remind", "--unit", "各街道", "--format", "md").stdout
    assert "棚户区改造（配合）" in only and "区住建局" not in only.split("## ", 1)[1].split("\n")[0]


def test_units_of__a_quoted_name_stays_whole_as_export_writes_it():
    from taizhang.domain.units import units_of
    from taizhang.exchange.export import unit_cell

    cell = unit_cell(["区财政局", "各县、市、区政府"])
    assert cell == "区财政局、“各县、市、区政府”"
    assert units_of(cell) == ["区财政局", "各县、市、区政府"]
    assert unit_cell(["区住建局", "区财政局"]) == "区住建局、区财政局" and unit_cell("甲、乙") == "甲、乙"
    assert units_of('甲，"乙、丙"；丁') == ["甲", "乙、丙", "丁"]


JOINT_LEADERS = """\
    code: JL
    name: 城市更新工程
    unit: 区住建局
    leader: 张三、李四
    deadline: 2018-12-31
    items:
      - id: JL-1
        title: 老旧小区改造
        due: 2018-06-10
      - id: JL-2
        title: 雨污分流
        leader: 王五，赵六
        due: 2018-06-20
    """


def test_joint_leaders__by_leader_counts_every_leader_named_the_assisting_ones_marked(cli, repo):
    """SPEC §7: `--leader` and `--by leader` work like `--unit`: leaders written `张三、李四` are
    two groups, the first leads, the rest assist (配合)."""
    root = repo(JL=JOINT_LEADERS)
    out = cli("--dir", root, "--as-of", AS_OF, "status", "--by", "leader", "--all").stdout
    lines = out.splitlines()[1:out.splitlines().index("")]  # the table's rows, past its header
    groups = [line.split()[1] for line in lines if not line.split()[1].startswith("JL-")]
    assert set(groups) == {"张三", "李四", "王五", "赵六"}, out
    assert "张三、李四" not in groups and "王五，赵六" not in groups
    jl1 = [line for line in lines if "JL-1" in line]
    assert len(jl1) == 2 and sum("（配合" in line for line in jl1) == 1  # under 张三 (lead) and 李四
    under = {}
    for line in lines:
        if line.split()[1] in groups:
            group = line.split()[1]
        elif "JL-" in line:
            under.setdefault(group, []).append(line)
    assert "（配合" not in under["张三"][0] and "（配合" in under["李四"][0]
    assert "（配合" in under["赵六"][0] and "（配合" not in under["王五"][0]
    # --leader finds an item by any leader it names, the assisting ones too.
    assert [i["id"] for i in _json(cli, root, "--leader", "李四")["items"]] == ["JL-1"]
    assert [i["id"] for i in _json(cli, root, "--leader", "赵六")["items"]] == ["JL-2"]
    assert sum(1 for line in lines if "JL-2" in line) == 2  # under 王五 and 赵六
