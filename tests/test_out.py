"""`--out` (SPEC §3): every file-writing option refuses to write through a symlink, into
`ledgers/`, `calendars/`, `evidence/` or `.git/`, onto a folder; and writes nothing then."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import AS_OF, YT2, refusing

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
                                    "evidence/YT2-1/a", ".git/config", "ledgers/sub/x"])
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


# --- a file system that refuses (SPEC §9: one line, in Chinese, never a traceback, no file changed) --

# Every command that writes a file or a folder the user named; (dashboard writes a folder.)
WRITERS = [*COMMANDS, ("dashboard",), ("notice", "--format", "md")]
WRITER_IDS = [*IDS, "dashboard", "notice-md"]


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("command", WRITERS, ids=WRITER_IDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_out__a_read_only_file_system_is_one_line_in_the_runs_language(cli, office, tmp_path, monkeypatch,
                                                                       command, lang):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "old.md").write_text("旧的\n", encoding="utf-8")
    refusing(monkeypatch, ro, 30)  # EROFS
    done = cli("--dir", office, "--as-of", AS_OF, "--lang", lang, *command, "--out", ro / "sub" / "表.dat")
    assert done.exit_code == 1, done
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    said = "只读文件系统" if lang == "zh" else "read-only file system"
    assert said in done.stderr and "Read-only" not in done.stderr, done.stderr
    assert _tree(ro) == ["old.md"]


@pytest.mark.parametrize("command", WRITERS, ids=WRITER_IDS)
def test_out__a_full_disk_is_one_line_and_leaves_no_folder_nor_file(cli, office, tmp_path, monkeypatch, command):
    if not os.path.exists("/proc/self/fd"):
        pytest.skip("no /proc to tell which file is written")
    full = tmp_path / "full"
    full.mkdir()
    refusing(monkeypatch, full, 28)  # ENOSPC
    done = cli("--dir", office, "--as-of", AS_OF, *command, "--out", full / "看板" / "表.dat")
    assert done.exit_code == 1, done
    assert done.stderr.count("\n") == 1 and "磁盘已满" in done.stderr, done.stderr
    assert _tree(full) == []


def test_out__the_site_is_written_whole_or_not_at_all(cli, office, tmp_path, monkeypatch):
    site = tmp_path / "site"
    assert cli("--dir", office, "--as-of", AS_OF, "dashboard", "--out", site).exit_code == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert len(before) > 2
    real = os.replace
    calls = []

    def replace(src, dst):  # a later page fails to be written: the first is not renamed either
        if str(dst).startswith(str(site)):
            calls.append(dst)
        return real(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    refusing(monkeypatch, site / "projects", 28)
    done = cli("--dir", office, "--as-of", "2018-07-15", "dashboard", "--out", site)
    assert done.exit_code == 1 and "磁盘已满" in done.stderr, done
    assert calls == [] and {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


# --- names near the file system's limit (255 bytes) --------------------------------------------

@pytest.mark.parametrize("command", WRITERS, ids=WRITER_IDS)
@pytest.mark.parametrize("stem", ["r" * 252, "报" * 84], ids=["ascii", "chinese"])
def test_out__a_name_the_file_system_takes_is_written(cli, office, tmp_path, command, stem):
    # The suffix of the format written (a name that belies it is refused: cli.common.out_format).
    suffix = {"text": ".txt", "html": ".html", "svg": ".svg", "xlsx": ".xlsx", "docx": ".docx",
              "csv": ".csv"}.get(command[-1], ".md")
    while len((stem + suffix).encode("utf-8")) > 255:
        stem = stem[:-1]
    name = stem + suffix
    if command[0] == "dashboard":
        name = stem  # a folder
    assert 250 <= len(name.encode("utf-8")) <= 255
    target = tmp_path / name
    done = cli("--dir", office, "--as-of", AS_OF, *command, "--out", target)
    assert done.exit_code == 0, done
    assert target.exists() and [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_temporary_names_are_short_whatever_the_target():
    from taizhang.repo.temps import create_temp, temp_prefix

    for name in ("x", "r" * 255, "报" * 85, ".hidden"):
        prefix = temp_prefix(name)
        assert prefix.startswith(".") and len(prefix.encode("utf-8")) <= 2 + 16 * 4
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    fd, path = create_temp(folder, temp_prefix("报" * 85))
    try:
        os.close(fd)
        assert len(path.name.encode("utf-8")) < 80 and path.name.endswith(".tmp")
    finally:
        path.unlink()


@pytest.mark.parametrize("mask", [0o022, 0o002])
def test_out__a_new_file_gets_the_mode_any_new_file_gets(cli, office, tmp_path, mask):
    old = os.umask(mask)
    try:
        assert cli("--dir", office, "--as-of", AS_OF, "remind", "--out", tmp_path / "r.md").exit_code == 0
        assert cli("--dir", office, "--as-of", AS_OF, "export", "--out", tmp_path / "e.xlsx").exit_code == 0
    finally:
        os.umask(old)
    for name in ("r.md", "e.xlsx"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask


# --- a real read-only mount and a real full disk (as root, where unshare can mount) ---------------

def _can_mount() -> bool:
    import shutil
    import subprocess

    if os.name != "posix" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


def _taizhang() -> str:
    import shutil
    import sys

    found = shutil.which("taizhang", path=os.path.dirname(sys.executable))
    return found or "taizhang"


@pytest.mark.skipif(not _can_mount(), reason="needs root and unshare to mount")
def test_out__on_a_real_read_only_mount_and_a_real_full_disk(office, tmp_path):
    import shlex
    import subprocess

    (office / ".git").rmdir()
    subprocess.run(["git", "init", "-q", str(office)], check=True)
    tz = shlex.quote(_taizhang())
    commands = [f"{tz} remind --out x.md", f"{tz} report week --out sub/w.md", f"{tz} gantt --out g.txt",
                f"{tz} git-setup", f"{tz} export --out e.xlsx", f"{tz} export --format csv --out e.csv",
                f"{tz} dashboard --out site", f"{tz} close YT2-2 --evidence taizhang.yaml"]
    env = {**os.environ, "TAIZHANG_TODAY": AS_OF, "LANG": "C.UTF-8", "GIT_CONFIG_GLOBAL": "/dev/null"}
    env.pop("TAIZHANG_DIR", None)
    r = shlex.quote(str(office))
    listing = "find . -path ./.git -prune -o -path ./.taizhang -prune -o -print | sort"
    before = subprocess.run(listing, shell=True, cwd=office, capture_output=True, text=True).stdout
    for command in commands:
        ro = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {r} {r} && mount -o remount,ro,bind {r} {r}"
                             f" && cd {r} && {command}"], capture_output=True, text=True, env=env)
        assert ro.returncode == 1, (command, ro.stderr)
        assert ro.stderr.count("\n") == 1 and "只读文件系统" in ro.stderr, (command, ro.stderr)
    full = tmp_path / "full"
    full.mkdir()
    f = shlex.quote(str(full))
    for command in commands[:3] + commands[4:]:
        done = subprocess.run(["unshare", "-m", "sh", "-c",
                               f"mount -t tmpfs -o size=1200k tmpfs {f} && cp -a {r} {f}/repo && "
                               f"(head -c 3000000 /dev/zero > {f}/fill 2>/dev/null; true) && cd {f}/repo && "
                               f"{command}; echo \"rc=$?\"; {listing}"],
                              capture_output=True, text=True, env=env)
        assert "rc=1" in done.stdout, (command, done)
        assert done.stderr.count("\n") == 1 and "磁盘已满" in done.stderr, (command, done.stderr)  # no "Exception ignored"
        assert done.stdout.split("rc=1\n", 1)[1] == before, (command, done.stdout)
