"""notices.yaml as trustworthy as the ledgers (SPEC §7, §9): `check` reads it and places every
problem at its line; a number given to two notices is found; `notice` and `reply` change nothing
when the file system refuses."""

from __future__ import annotations

import pytest
from conftest import AS_OF

from taizhang.domain.models import Ledger, NoticesFile, Settings, allowed_keys

SETTINGS = """\
    notice:
      issuer: 四平市铁西区人民政府督查室
      number: 四铁西政督字〔{year}〕{n}号
"""

LEDGER = """\
    code: YT2
    name: 宇通二期项目
    unit: 区住建局
    items:
      - id: YT2-1
        title: 棚户区改造
        unit: 区住建局、区财政局
        due: 2018-06-10
      - id: YT2-2
        title: 主体开工
        due: 2018-06-18
"""


# --- the keys an unknown key is told it may be, from the models themselves -----------------------

@pytest.mark.parametrize(("model", "names", "keys"), [
    (NoticesFile, [], ["notices"]),
    (NoticesFile, ["notices"], ["number", "unit", "date", "reply_by", "items", "replies"]),
    (NoticesFile, ["notices", "replies"], ["date", "text", "by"]),
    (Settings, ["notice"], ["issuer", "number", "signer"]),
    (Ledger, ["items", "changes"], ["date", "by", "field", "from", "to", "reason"]),
    (Ledger, ["items", "apply"], ["date", "by", "evidence", "note"]),
    (Ledger, ["investment", "completed"], ["total", "planned", "completed"]),
])
def test_allowed_keys__walk_the_models(model, names, keys):
    assert allowed_keys(model, names) == keys


def test_check__an_unknown_key_in_a_change_names_a_changes_keys(cli, repo, monkeypatch):
    # (a hand-kept table of nested models knew no `changes`: it offered an item's keys)
    changes = "        changes:\n          - {date: 2018-06-01, field: due, reason: 调整, becuase: x}\n"
    root = repo(YT2=LEDGER + changes)
    monkeypatch.chdir(root)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1
    assert out.stderr.startswith("ledgers/YT2.yaml:13:52: 未知字段 becuase（拼写错误？可用字段："
                                 "date, by, field, from, to, reason）\n"), out


def test_check__an_unknown_notice_setting_names_the_notice_settings(cli, repo, monkeypatch):
    root = repo(SETTINGS + "      singer: 王五\n", YT2=LEDGER)
    monkeypatch.chdir(root)
    out = cli("--as-of", AS_OF, "check")
    assert out.exit_code == 1
    assert out.stderr == "taizhang.yaml:4:3: 未知字段 singer（拼写错误？可用字段：issuer, number, signer）\n"
