"""A writer killed with SIGKILL at random moments never leaves a torn, empty or invalid ledger,
and the next command is not blocked by what the dead process left behind."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import YT2

from taizhang.repo import edits
from taizhang.repo import load
from taizhang.repo import write
from taizhang.repo.cache import Cache
from taizhang.domain.models import Settings

ROUNDS = int(os.environ.get("TAIZHANG_KILL_ROUNDS", "200"))

WRITER = textwrap.dedent("""
    import sys, itertools
    from pathlib import Path
    from taizhang.repo import edits
    from taizhang.repo import load
    from taizhang.repo import write
    from taizhang.repo.cache import Cache
    from taizhang.domain.models import Settings
    root = Path(sys.argv[1])
    settings = Settings()
    # One edit of a scratch copy first: the kills should land among writes, not imports
    # (on a loaded machine, importing alone can outlast the longest wait).
    write.edit_ledgers(Cache(Path(sys.argv[2])), settings, {"YT2": edits.add_item_edit({"title": "预热"})})
    print("ready", flush=True)
    for n in itertools.count():
        step = n % 3
        if step == 0:
            plan = edits.add_item_edit({"title": f"新增{n}", "due": None, "after": []})
        elif step == 1:
            plan = edits.note_edit("YT2-3", {"date": "2018-06-01", "by": "测试员", "text": f"进展{n}"})
        else:
            plan = edits.set_edit("YT2-4", [("owner", f"责任人{n}", None)])
        write.edit_ledgers(Cache(root), settings, {"YT2": plan})
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_kill_during_writes_never_tears_a_ledger(tmp_path):
    root = tmp_path / "repo"
    (root / "ledgers").mkdir(parents=True)
    path = root / "ledgers" / "YT2.yaml"
    path.write_text(YT2, encoding="utf-8")
    scratch = tmp_path / "scratch"
    (scratch / "ledgers").mkdir(parents=True)
    (scratch / "ledgers" / "YT2.yaml").write_text(YT2, encoding="utf-8")
    rng = random.Random(2018)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    previous_items = 4
    killed_mid_run = 0
    for _ in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(scratch)], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        raw = path.read_bytes()
        assert raw, "the ledger is empty"
        loaded = load.parse_ledger(raw, "ledgers/YT2.yaml", Settings())
        assert not loaded.has_errors, loaded.problems
        items = len(loaded.ledger.items)
        assert items >= previous_items, "items were lost"
        killed_mid_run += items > previous_items
        previous_items = items
        # Nothing the dead writer left may stand in ledgers/.
        assert sorted(p.name for p in (root / "ledgers").iterdir()) == ["YT2.yaml"]
    assert killed_mid_run > ROUNDS // 4, "the writer was killed before it wrote anything too often"
    # The next command after all this works at once and cleans the orphans up.
    result = subprocess.run([sys.executable, "-m", "taizhang.cli", "--dir", str(root), "add", "YT2", "最后"],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert not list((root / ".taizhang" / "tmp").glob("YT2.yaml.*"))
