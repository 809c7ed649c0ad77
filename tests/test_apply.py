"""销号 in two steps (SPEC §7): `apply` with evidence → 待审核 → `close` verifies, or `reject`;
evidence files copied to `evidence/<ID>/`, all or nothing with the ledger write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import AS_OF

from taizhang import open_repository

LEDGER = """\
    code: YT2
    name: 宇通二期项目
    unit: 区住建局
    items:
      - id: YT2-1
        title: 配套项目全面开工
        due: 2018-06-30
      - id: YT2-2
        title: 六个村拆迁
        due: 2018-05-31
"""


def _item(root: Path, item_id: str):
    ledger = open_repository(root).ledgers(["YT2"])[0]
    return next(i for i in ledger.items if i.id == item_id)


def _json_item(cli, root: Path, item_id: str) -> dict:
    out = cli("--dir", root, "--as-of", AS_OF, "status", "YT2", "--json")
    return next(i for i in json.loads(out.stdout)["items"] if i["id"] == item_id)


def test_apply__records_application_item_pending_and_open(cli, repo):
    root = repo(YT2=LEDGER)
    before = (root / "ledgers/YT2.yaml").read_text(encoding="utf-8")
    out = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "开工令 2018-33",
              "--on", "2018-06-14", "--by", "区住建局", "--note", "已全面开工")
    assert out.exit_code == 0, out
    assert "待审核" in out.stdout
    item = _item(root, "YT2-1")
    assert item.closed is None
    assert (item.apply.date.isoformat(), item.apply.by, item.apply.evidence, item.apply.note) == \
        ("2018-06-14", "区住建局", "开工令 2018-33", "已全面开工")
    after = (root / "ledgers/YT2.yaml").read_text(encoding="utf-8")
    assert "apply:" in after and after.count("\n") == before.count("\n") + 5  # only the new lines
    row = _json_item(cli, root, "YT2-1")
    assert row["pending"] is True and row["light"] != "done" and row["closed_on"] is None
    assert _json_item(cli, root, "YT2-2")["pending"] is False
    table = cli("--dir", root, "--as-of", AS_OF, "status", "YT2")
    assert "待审核" in table.stdout


def test_apply__twice_or_on_a_closed_item_is_refused(cli, repo):
    root = repo(YT2=LEDGER)
    assert cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "x").exit_code == 0
    again = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "y")
    assert again.exit_code == 1 and "待审核" in again.stderr
    assert cli("--dir", root, "--as-of", AS_OF, "close", "YT2-2").exit_code == 0
    closed = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-2", "--evidence", "y")
    assert closed.exit_code == 1 and "已于" in closed.stderr


def test_apply__needs_evidence(cli, repo):
    root = repo(YT2=LEDGER)
    assert cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1").exit_code == 2
    blank = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", " ")
    assert blank.exit_code == 1 and _item(root, "YT2-1").apply is None


def test_close__on_an_application_takes_its_date_and_evidence_and_records_verifier(cli, repo):
    root = repo(YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "开工令", "--on", "2018-06-10",
        "--by", "李四", "--note", "已开工")
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--by", "督查室王五")
    assert out.exit_code == 0, out
    item = _item(root, "YT2-1")
    assert item.apply is None
    assert item.closed.model_dump(mode="json") == {
        "date": "2018-06-10", "by": "李四", "note": "已开工", "evidence": "开工令", "verified_by": "督查室王五"}
    assert _json_item(cli, root, "YT2-1")["pending"] is False
    assert "apply:" not in (root / "ledgers/YT2.yaml").read_text(encoding="utf-8")


def test_close__given_date_and_evidence_override_the_application(cli, repo):
    root = repo(YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "开工令", "--on", "2018-06-10")
    cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--on", "2018-06-12", "--evidence", "验收单",
        "--by", "王五")
    closed = _item(root, "YT2-1").closed
    assert (closed.date.isoformat(), closed.evidence, closed.verified_by) == ("2018-06-12", "验收单", "王五")


def test_close__without_application_records_no_verifier(cli, repo):
    root = repo(YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--by", "王五")
    closed = _item(root, "YT2-1").closed
    assert (closed.date.isoformat(), closed.by, closed.verified_by) == (AS_OF, "王五", None)


def test_close__dated_after_as_of_is_refused(cli, repo):
    root = repo(YT2=LEDGER)
    before = (root / "ledgers/YT2.yaml").read_bytes()
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--on", "2018-06-16")
    assert out.exit_code == 1 and "2018-06-16" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    applied = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "x", "--on", "2018-07-01")
    assert applied.exit_code == 1
    assert (root / "ledgers/YT2.yaml").read_bytes() == before


def test_note__dated_after_as_of_is_refused_as_a_close_is(cli, repo):
    root = repo(YT2=LEDGER)
    before = (root / "ledgers/YT2.yaml").read_bytes()
    noted = cli("--dir", root, "--as-of", AS_OF, "note", "YT2-1", "已进场", "--on", "2018-06-20")
    closed = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--on", "2018-06-20")
    assert noted.exit_code == closed.exit_code == 1 and noted.stdout == ""
    assert noted.stderr.strip().splitlines() == ["taizhang: 进展日期 2018-06-20 晚于 --as-of 2018-06-15：不能记录尚未发生的进展"]
    assert "2018-06-20 晚于 --as-of 2018-06-15" in closed.stderr
    assert (root / "ledgers/YT2.yaml").read_bytes() == before
    # On the as-of day itself, or before it, a report is the normal case.
    assert cli("--dir", root, "--as-of", AS_OF, "note", "YT2-1", "已进场", "--on", AS_OF).exit_code == 0


def test_close__already_closed_is_still_an_error(cli, repo):
    root = repo(YT2=LEDGER)
    assert cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1").exit_code == 0
    assert cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1").exit_code == 1


def test_reject__removes_application_and_notes_reason(cli, repo):
    root = repo(YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", "开工令", "--on", "2018-06-10",
        "--by", "李四")
    out = cli("--dir", root, "--as-of", AS_OF, "reject", "YT2-1", "--reason", "佐证不全", "--by", "王五")
    assert out.exit_code == 0, out
    item = _item(root, "YT2-1")
    assert item.apply is None and item.closed is None
    assert "佐证不全" in item.notes[-1].text and "开工令" in item.notes[-1].text
    assert item.notes[-1].by == "王五"
    assert _json_item(cli, root, "YT2-1")["pending"] is False
    again = cli("--dir", root, "--as-of", AS_OF, "reject", "YT2-1", "--reason", "x")
    assert again.exit_code == 1


def test_set_cannot_write_an_application(cli, repo):
    root = repo(YT2=LEDGER)
    assert cli("--dir", root, "set", "YT2-1", "apply=x").exit_code == 1


# --- evidence files ------------------------------------------------------------------------------

def test_close__evidence_file_is_copied_and_its_path_recorded(cli, repo, tmp_path):
    root = repo(YT2=LEDGER)
    scan = tmp_path / "验收单.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "YT2-2", "--evidence", scan)
    assert out.exit_code == 0, out
    for item_id in ("YT2-1", "YT2-2"):
        assert _item(root, item_id).closed.evidence == f"evidence/{item_id}/验收单.pdf"
        assert (root / "evidence" / item_id / "验收单.pdf").read_bytes() == b"%PDF-1.4 scan"
    assert os.listdir(root / "evidence/YT2-1") == ["验收单.pdf"]  # no temporary copy left


def test_apply__evidence_file_name_clash_gets_a_suffix(cli, repo, tmp_path):
    root = repo(YT2=LEDGER)
    (root / "evidence/YT2-1").mkdir(parents=True)
    (root / "evidence/YT2-1/照片.jpg").write_bytes(b"old")
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"new")
    assert cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", photo).exit_code == 0
    assert _item(root, "YT2-1").apply.evidence == "evidence/YT2-1/照片-2.jpg"
    assert (root / "evidence/YT2-1/照片.jpg").read_bytes() == b"old"
    assert (root / "evidence/YT2-1/照片-2.jpg").read_bytes() == b"new"
    # close takes the application's file
    cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1")
    assert _item(root, "YT2-1").closed.evidence == "evidence/YT2-1/照片-2.jpg"


def test_evidence_text_that_is_no_file_is_recorded_as_text(cli, repo):
    root = repo(YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--evidence", "归档号 2018-117")
    assert _item(root, "YT2-1").closed.evidence == "归档号 2018-117"
    assert not (root / "evidence").exists()


def test_evidence_file_left_nowhere_when_the_write_fails(cli, repo, tmp_path):
    root = repo(YT2=LEDGER)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1")
    before = (root / "ledgers/YT2.yaml").read_bytes()
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-2", "YT2-1", "--evidence", scan)
    assert out.exit_code == 1
    assert (root / "ledgers/YT2.yaml").read_bytes() == before
    assert not (root / "evidence").exists()  # not even an empty folder: no file changed


def test_evidence_folders_of_a_failed_write_are_taken_away_and_others_kept(cli, repo, tmp_path):
    root = repo(YT2=LEDGER)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    (root / "evidence" / "YT2-2").mkdir(parents=True)  # made by the clerk: stays
    out = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "YT2-2", "YT2-99", "--evidence", scan)
    assert out.exit_code == 1 and "YT2-99" in out.stderr, out
    assert sorted(p.relative_to(root).as_posix() for p in (root / "evidence").rglob("*")) == ["evidence/YT2-2"]


def test_evidence_on_a_full_disk_is_one_line_and_leaves_nothing(cli, repo, tmp_path, monkeypatch):
    import errno

    root = repo(YT2=LEDGER)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    before = (root / "ledgers/YT2.yaml").read_bytes()
    real = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(root / "evidence")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("no /proc")
    monkeypatch.setattr(os, "fsync", fsync)
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "YT2-2", "--evidence", scan)
    assert out.exit_code == 1, out
    assert out.stderr == f"{root}/evidence/YT2-1/scan.pdf:1:1: 无法写入：磁盘已满（未改动任何文件）\n"
    assert not (root / "evidence").exists() and (root / "ledgers/YT2.yaml").read_bytes() == before


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_evidence_copy_gets_the_mode_a_new_file_gets(cli, repo, tmp_path, mask):
    root = repo(YT2=LEDGER)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    old = os.umask(mask)
    try:
        out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--evidence", scan)
    finally:
        os.umask(old)
    assert out.exit_code == 0, out
    assert (root / "evidence/YT2-1/scan.pdf").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("make", ["dir", "fifo", "device"])
def test_evidence_that_is_not_a_regular_file_is_refused(cli, repo, tmp_path, make):
    root = repo(YT2=LEDGER)
    if make == "dir":
        source = tmp_path / "folder"
        source.mkdir()
    elif make == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        source = tmp_path / "pipe"
        os.mkfifo(source)
    else:
        if not Path("/dev/null").exists():
            pytest.skip("no /dev/null on this system")
        source = Path("/dev/null")
    before = (root / "ledgers/YT2.yaml").read_bytes()
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--evidence", source)
    assert out.exit_code == 1 and len(out.stderr.strip().splitlines()) == 1, out
    assert "不是普通文件" in out.stderr
    assert (root / "ledgers/YT2.yaml").read_bytes() == before


def test_evidence_folder_that_is_a_symlink_is_refused(cli, repo, tmp_path):
    root = repo(YT2=LEDGER)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "evidence").symlink_to(outside)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    out = cli("--dir", root, "--as-of", AS_OF, "close", "YT2-1", "--evidence", scan)
    assert out.exit_code == 1
    assert list(outside.iterdir()) == []


def test_apply__commit_takes_the_evidence_file_with_the_ledger(cli, repo, tmp_path, monkeypatch):
    import subprocess

    for key in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{key}_NAME", "督查室")
        monkeypatch.setenv(f"{key}_EMAIL", "dc@example.org")
    root = repo(YT2=LEDGER)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "init"], check=True)
    scan = tmp_path / "开工令.pdf"
    scan.write_bytes(b"%PDF scan")
    out = cli("--dir", root, "--as-of", AS_OF, "apply", "YT2-1", "--evidence", scan, "--commit")
    assert out.exit_code == 0, out
    files = subprocess.run(["git", "-C", str(root), "show", "--name-only", "--format=%s", "HEAD"],
                           capture_output=True, text=True, check=True).stdout
    assert "申请销号 YT2-1" in files and "ledgers/YT2.yaml" in files and "evidence/YT2-1/" in files
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True,
                            check=True).stdout
    assert status == ""
