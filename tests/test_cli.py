"""The commands as a user drives them: init/new/add/close/reopen/note/set/status/schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT, YT2

from taizhang.domain.models import Settings
from taizhang.repo import create, load


def _ledger(root: Path, code: str = "YT2"):
    loaded = load.parse_ledger((root / "ledgers" / f"{code}.yaml").read_bytes(), f"ledgers/{code}.yaml", Settings())
    assert not loaded.has_errors, loaded.problems
    return loaded.ledger


def _item(root: Path, item_id: str):
    return next(i for i in _ledger(root, item_id.rsplit("-", 1)[0]).items if i.id == item_id)


def test_init__creates_repository_and_new_add_close_work_in_it(cli, tmp_path):
    target = tmp_path / "office"
    result = cli("init", target)
    assert result.exit_code == 0, result
    assert (target / "taizhang.yaml").is_file()
    assert (target / "ledgers").is_dir()
    assert (target / "schemas" / "ledger.schema.json").is_file()
    assert (target / ".taizhang" / ".gitignore").read_text(encoding="utf-8") == "*\n"

    assert cli("--dir", target, "new", "ZTCY", "中铁产业园项目", "--unit", "区经发局", "--leader", "赵凯",
               "--deadline", "2018-12-31", "--program", "双十工程").exit_code == 0
    text = (target / "ledgers" / "ZTCY.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/ledger.schema.json\n")
    assert "code: ZTCY\nname: 中铁产业园项目\nprogram: 双十工程\nunit: 区经发局\nleader: 赵凯\ndeadline: 2018-12-31\n" in text

    added = cli("--dir", target, "add", "ZTCY", "盾构装备产业园主体开工", "--due", "2018-05-31")
    assert added.exit_code == 0, added
    assert added.stdout.strip() == "ZTCY-1"
    assert cli("--dir", target, "add", "ZTCY", "第二项").stdout.strip() == "ZTCY-2"
    assert cli("--dir", target, "--as-of", AS_OF, "close", "ZTCY-1").exit_code == 0
    item = _item(target, "ZTCY-1")
    assert item.closed.date.isoformat() == AS_OF and item.closed.by == "测试员"


def test_init__leaves_existing_settings_alone(cli, repo):
    root = repo(settings="title: 我的标题\n")
    result = cli("init", root)
    assert result.exit_code == 0
    assert (root / "taizhang.yaml").read_text(encoding="utf-8") == "title: 我的标题\n"
    assert "已存在" in result.stdout


def test_add__prints_next_id_and_stores_fields(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "add", "YT2", "设备安装调试", "--due", "2020-06-30", "--owner", "张三",
                 "--unit", "区建设局", "--after", "YT2-2,YT2-4", "--duration", "3周", "--kind", "milestone")
    assert result.exit_code == 0, result
    assert result.stdout == "YT2-5\n"
    item = _item(root, "YT2-5")
    assert (item.title, item.owner, item.unit, item.after, item.duration, item.kind) == (
        "设备安装调试", "张三", "区建设局", ["YT2-2", "YT2-4"], 21, "milestone")
    assert item.due.isoformat() == "2020-06-30"


def test_add__never_reuses_a_higher_id_left_by_a_gap(cli, repo):
    root = repo(YT2=YT2.replace("id: YT2-4", "id: YT2-9"))
    assert cli("--dir", root, "add", "YT2", "新事项").stdout.strip() == "YT2-10"


def test_problem__is_an_item_of_kind_problem(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "problem", "YT2", "土方外运消纳场地不足", "--unit", "区城市管理局",
                 "--due", "2018-06-30", "--measures", "新增临时消纳场")
    assert result.stdout.strip() == "YT2-5"
    item = _item(root, "YT2-5")
    assert (item.kind, item.unit, item.measures) == ("problem", "区城市管理局", "新增临时消纳场")


def test_close__several_ids_with_note_and_evidence(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "close", "YT2-2", "YT2-3", "--on", "2018-06-12", "--by", "赵红彬",
                 "--note", "已全部签约", "--evidence", "归档号 2018-117")
    assert result.exit_code == 0, result
    assert "已销号 YT2-2 主体项目桩基施工" in result.stdout
    for item_id in ("YT2-2", "YT2-3"):
        closed = _item(root, item_id).closed
        assert (closed.date.isoformat(), closed.by, closed.note, closed.evidence) == (
            "2018-06-12", "赵红彬", "已全部签约", "归档号 2018-117")


def test_close__defaults_to_as_of_day_and_user(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    monkeypatch.setenv("TAIZHANG_TODAY", "2018-06-14")
    assert cli("--dir", root, "close", "YT2-2").exit_code == 0
    closed = _item(root, "YT2-2").closed
    assert closed.date.isoformat() == "2018-06-14" and closed.by == "测试员"


def test_reopen__removes_close_and_keeps_reason_in_notes(cli, repo):
    root = repo(YT2=YT2)
    result = cli("--dir", root, "--as-of", AS_OF, "reopen", "YT2-1", "--reason", "验收不合格", "--by", "督查组")
    assert result.exit_code == 0, result
    item = _item(root, "YT2-1")
    assert item.closed is None
    assert item.notes[-1].by == "督查组" and item.notes[-1].date.isoformat() == AS_OF
    assert "验收不合格" in item.notes[-1].text and "2018-03-28" in item.notes[-1].text


def test_note__appends_in_the_style_of_existing_notes(cli, repo):
    root = repo(YT2=YT2)
    assert cli("--dir", root, "note", "YT2-3", "已签约五个村", "--on", "2018-06-01", "--by", "赵红彬").exit_code == 0
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    assert ("      - {date: 2018-05-02, by: 赵红彬, text: 已签约四个村}\n"
            "      - {date: 2018-06-01, by: 赵红彬, text: 已签约五个村}\n") in text
    assert [n.text for n in _item(root, "YT2-3").notes] == ["已签约四个村", "已签约五个村"]


def test_set__item_and_project_fields(cli, repo):
    root = repo(YT2=YT2)
    assert cli("--dir", root, "set", "YT2-2", "due=2018-07-31", "owner=", "title=桩基施工完成",
               "--reason", "桩基设计变更").exit_code == 0
    item = _item(root, "YT2-2")
    assert (item.due.isoformat(), item.owner, item.title) == ("2018-07-31", None, "桩基施工完成")
    assert cli("--dir", root, "set", "YT2", "deadline=2020-09-30", "stage=续建", "--reason", "资金延后").exit_code == 0
    ledger = _ledger(root)
    assert (ledger.deadline.isoformat(), ledger.stage) == ("2020-09-30", "续建")
    text = (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    # A new project key goes with the project's keys, above the items.
    assert text.index("stage: 续建") < text.index("items:")


def test_global_options_work_before_or_after_the_command(cli, repo):
    root = repo(YT2=YT2)
    before = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "status", "--json")
    after = cli("status", "--json", "--as-of", AS_OF, "--dir", root, "--lang", "en")
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout


def test_environment_gives_dir_and_day(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    monkeypatch.setenv("TAIZHANG_DIR", str(root))
    monkeypatch.setenv("TAIZHANG_TODAY", AS_OF)
    data = json.loads(cli("status", "--json").stdout)
    assert data["as_of"] == AS_OF


def test_root_is_found_from_a_subfolder(cli, repo, monkeypatch):
    root = repo(YT2=YT2)
    sub = root / "ledgers"
    monkeypatch.chdir(sub)
    assert json.loads(cli("--as-of", AS_OF, "status", "--json").stdout)["projects"][0]["code"] == "YT2"


def test_no_command_runs_status(cli, repo):
    root = repo(YT2=YT2)
    assert cli("--dir", root, "--as-of", AS_OF).stdout == cli("--dir", root, "--as-of", AS_OF, "status").stdout


def test_schema__writes_the_models_schema(cli, repo):
    root = repo(YT2=YT2)
    assert cli("--dir", root, "schema").exit_code == 0
    assert (root / "schemas" / "ledger.schema.json").read_text(encoding="utf-8") == create.schema_text()


def test_schema__checked_in_file_is_current():
    checked_in = (Path(__file__).parent.parent / "schemas" / "ledger.schema.json").read_text(encoding="utf-8")
    assert checked_in == create.schema_text(), "run `taizhang schema` and commit schemas/ledger.schema.json"


def test_schema__has_chinese_titles_and_forbids_unknown_keys():
    schema = json.loads(create.schema_text())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["deadline"]["title"] == "最终时间节点"
    assert schema["$defs"]["Item"]["additionalProperties"] is False


def test_commit__commits_exactly_the_changed_ledger(cli, repo):
    import subprocess

    root = repo(YT2=YT2)
    git = ["git", "-c", "user.name=测试员", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "init"], cwd=root, check=True)
    (root / "unrelated.txt").write_text("x", encoding="utf-8")
    subprocess.run(["git", "config", "user.name", "测试员"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "t@example.org"], cwd=root, check=True)
    assert cli("--dir", root, "--as-of", AS_OF, "close", "YT2-3", "--commit").exit_code == 0
    log = subprocess.run(["git", "log", "-1", "--format=%s%n%an", "--name-only"], cwd=root,
                         capture_output=True, text=True, encoding="utf-8").stdout
    assert log.splitlines()[:2] == ["销号 YT2-3 六个村拆迁进度滞后", "测试员"]
    assert "ledgers/YT2.yaml" in log and "unrelated.txt" not in log


def test_note__without_any_known_user(cli, repo, monkeypatch):
    """No --by, no git user, no $USER: the note is written without `by`, not refused."""
    monkeypatch.delenv("USER", raising=False)
    monkeypatch.delenv("USERNAME", raising=False)
    root = repo(YT2=YT2)
    assert cli("--dir", root, "note", "YT2-2", "已进场", "--on", "2018-06-01").exit_code == 0
    note = _item(root, "YT2-2").notes[-1]
    assert (note.text, note.by) == ("已进场", None)


def test_lazy_group_builds_only_the_command_it_runs():
    """The app's group builds a command from its module when it is named (building all costs
    ~18 ms a run); global options may stand on either side; the listing needs no module."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from taizhang.cli import app\n"
            "try:\n"
            "    app(sys.argv[1:], standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(' '.join(m for m in sys.modules if m.startswith('taizhang.cli.')), file=sys.stderr)\n")
    def loaded(*argv: str) -> set[str]:
        result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=REPO_ROOT)
        return {m.rsplit(".", 1)[1] for m in result.stderr.split()} - {"app", "common", "exits", "usage"}
    assert loaded("--help") == set()
    assert loaded("note", "--help") == {"ledger"}
    assert loaded("--lang", "en", "merge-driver", "--help") == {"git"}
    assert loaded("git-setup", "--help", "--lang", "en") == {"git"}


def test_main_runs_a_command_as_the_full_app_does(tmp_path):
    import shutil
    import subprocess
    import sys

    root = tmp_path / "sample"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    run = lambda *args: subprocess.run([sys.executable, "-m", "taizhang.cli", "--dir", str(root), *args],  # noqa: E731
                                       capture_output=True, text=True, env={**os.environ, "COLUMNS": "160"})
    assert run("--as-of", AS_OF, "why", "YT2-3").stdout.strip()
    assert "taizhang.cli note [OPTIONS]" in run("note", "--help").stdout
    listing = run("--help").stdout
    assert all(name in listing for name in ("status", "note", "git-setup", "report", "export"))
    assert run("--as-of", AS_OF, "status", "--json").stdout.startswith('{"as_of":"2018-06-15"')


def test_cli_modules_form_no_cycle():
    """The command modules import only cli.common and cli.exits of the cli package (also inside
    functions); common and exits import no command module; only app names them (by string)."""
    import ast

    folder = REPO_ROOT / "src" / "taizhang" / "cli"
    uses: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found |= {n.split(".")[2] for n in names if n.startswith("taizhang.cli.") and n.count(".") >= 2}
        uses[path.stem] = found - {path.stem}
    shared = {"common", "exits"}
    assert uses["exits"] == set() and uses["common"] <= {"exits"}
    for module in ("ledger", "views", "exchange", "git", "report"):
        assert uses[module] <= shared, (module, uses[module])
    assert uses["app"] <= shared | {"views", "usage"}  # `taizhang` alone runs status; usage: click's words
    assert uses["usage"] == set()


@pytest.mark.parametrize("items", ["", "items:\n", "items: []\n"])
def test_project_edits__work_on_a_ledger_with_no_items_yet(cli, repo, items):
    """A project just made by `new` has no `items:` key: its own fields (deadline, leader, the
    investment) are edited all the same (an edit expected `items: []` back and refused)."""
    root = repo(Q3="code: Q3\nname: 甲\ndeadline: 2018-12-31\n" + items)
    for args in (["set", "Q3", "deadline=2019-01-31", "--reason", "延期"], ["set", "Q3", "leader=王五"],
                 ["invest", "Q3", "5", "--month", "2018-05"]):
        result = cli("--dir", root, "--as-of", AS_OF, *args)
        assert result.exit_code == 0, (args, result)
    text = (root / "ledgers" / "Q3.yaml").read_text(encoding="utf-8")
    assert "deadline: 2019-01-31" in text and "leader: 王五" in text and "2018-05: 5" in text, text
    assert text.endswith(items) if items else "items" not in text, text
    assert cli("--dir", root, "--as-of", AS_OF, "check").exit_code == 0


def test_project_edits__work_right_after_new(cli, tmp_path):
    root = tmp_path / "r"
    assert cli("init", root).exit_code == 0
    assert cli("--dir", root, "--as-of", AS_OF, "new", "Q5", "乙项目", "--deadline", "2018-12-31").exit_code == 0
    result = cli("--dir", root, "--as-of", AS_OF, "set", "Q5", "deadline=2019-03-31", "--reason", "调整")
    assert result.exit_code == 0, result
    assert "changes:" in (root / "ledgers" / "Q5.yaml").read_text(encoding="utf-8")
