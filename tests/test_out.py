"""`--out` (SPEC §3): every file-writing option refuses to write through a symlink, into
`ledgers/`, `calendars/`, `evidence/` or `.git/`, onto a folder; and writes nothing then."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import AS_OF, YT2

# Every command that takes --out, in every format it writes.
COMMANDS = [
    ("remind", "--format", "text"), ("remind", "--format", "md"), ("remind", "--format", "html"),
    ("gantt", "--format", "text"), ("gantt", "--format", "svg"), ("gantt", "--format", "html"),
    ("report", "week", "--format", "text"), ("report", "week", "--format", "md"),
    ("report", "week", "--format", "html"), ("report", "week", "--format", "xlsx"),
    ("report", "week", "--format", "docx"),
    ("export", "--format", "csv"), ("export", "--format", "md"), ("export", "--format", "xlsx"),
]
IDS = ["-".join(c[0:1] + c[-1:]) for c in COMMANDS]


@pytest.fixture
def office(repo, tmp_path) -> Path:
    root = repo(YT2=YT2)
    (root / "calendars").mkdir()
    (root / "evidence").mkdir()
    (root / ".git").mkdir()
    return root


def _data(root: Path) -> dict:
    """Every file but the machine-local cache (which reading refreshes)."""
    # (machine-local state aside: .taizhang/ and the cache's key that git's folder keeps)
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".taizhang" not in p.parts
            and p.name != "taizhang-cache.key"}


def _run(cli, root: Path, command: tuple, out: Path | str):
    return cli("--dir", root, "--as-of", AS_OF, *command, "--out", out)


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__writes_a_plain_file(cli, office, command):
    target = office / "out" / "表.dat"
    done = _run(cli, office, command, target)
    assert done.exit_code == 0, done.stderr
    assert target.stat().st_size > 0


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__never_writes_through_a_symlink(cli, office, tmp_path, command):
    outside = tmp_path / "outside.txt"
    outside.write_text("别人的文件\n", encoding="utf-8")
    link = office / "link.out"
    link.symlink_to(outside)
    done = _run(cli, office, command, link)
    assert done.exit_code == 1 and "link.out" in done.stderr and "Traceback" not in done.stderr
    assert "符号链接" in done.stderr
    assert outside.read_text(encoding="utf-8") == "别人的文件\n" and link.is_symlink()


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__a_dangling_symlink_is_refused_and_nothing_is_created(cli, office, tmp_path, command):
    link = office / "dangling.out"
    link.symlink_to(tmp_path / "nowhere" / "x.txt")
    assert _run(cli, office, command, link).exit_code == 1
    assert not (tmp_path / "nowhere").exists() and link.is_symlink()


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize("target", ["ledgers/YT2.yaml", "ledgers/NEW.yaml", "calendars/x.yaml",
                                    "evidence/YT2-1/a.txt", ".git/config", "ledgers/sub/x"])
def test_out__never_writes_into_the_repositorys_data(cli, office, command, target):
    before = _data(office)
    done = _run(cli, office, command, office / target)
    assert done.exit_code == 1 and "Traceback" not in done.stderr, done.stderr
    assert "不能写入" in done.stderr
    assert _data(office) == before


def test_out__relative_paths_are_the_current_folders(cli, office, monkeypatch):
    monkeypatch.chdir(office)
    before = (office / "ledgers" / "YT2.yaml").read_bytes()
    assert cli("--as-of", AS_OF, "remind", "--out", "ledgers/YT2.yaml").exit_code == 1
    assert cli("--as-of", AS_OF, "remind", "--out", "./ledgers/../ledgers/YT2.yaml").exit_code == 1
    assert (office / "ledgers" / "YT2.yaml").read_bytes() == before
    assert cli("--as-of", AS_OF, "remind", "--out", "督办.txt").exit_code == 0
    assert (office / "督办.txt").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__a_parent_that_links_into_ledgers_is_refused(cli, office, command):
    (office / "shortcut").symlink_to(office / "ledgers")
    before = (office / "ledgers" / "YT2.yaml").read_bytes()
    for target in ("shortcut/YT2.yaml", "shortcut/x.md"):
        assert _run(cli, office, command, office / target).exit_code == 1
    assert (office / "ledgers" / "YT2.yaml").read_bytes() == before
    assert sorted(os.listdir(office / "ledgers")) == ["YT2.yaml"]


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__a_folder_is_refused(cli, office, command):
    folder = office / "报表"
    folder.mkdir()
    done = _run(cli, office, command, folder)
    assert done.exit_code == 1 and "文件夹" in done.stderr and "Traceback" not in done.stderr
    assert list(folder.iterdir()) == []


def test_out__messages_in_english(cli, office, tmp_path):
    link = office / "link.out"
    link.symlink_to(tmp_path / "x")
    assert "symbolic link" in cli("--dir", office, "--lang", "en", "remind", "--out", link).stderr
    assert "repository's data" in cli("--dir", office, "--lang", "en", "remind", "--out",
                                      office / "ledgers" / "YT2.yaml").stderr
    assert "folder" in cli("--dir", office, "--lang", "en", "remind", "--out", office).stderr


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_out__never_writes_what_is_not_a_pdf_into_a_pdf(cli, office, command):
    target = office / "简报.PDF"
    done = _run(cli, office, command, target)
    assert done.exit_code == 1 and "PDF" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()
    assert "PDF" in cli("--dir", office, "--lang", "en", "remind", "--out", target).stderr
