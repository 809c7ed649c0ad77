"""Benchmark `trend` on a long git history.

    python benchmarks/trend_history.py                 # 1,000 commits, 5 runs
    python benchmarks/trend_history.py --commits 3000 --runs 3

Builds a repository of 20 ledgers × 50 items whose history is `--commits` commits through 2018
(each closes an item or adds a note, one ledger at a time, committed on its own day), written
with `git fast-import` so building it takes a second. Then times whole `taizhang trend`
processes (start-up included), by week and by month over the year: the median of the runs,
without the cache (every ledger version parsed) and with it (the versions read last time kept).
Nothing here is a test: these machines are shared, so read medians.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

LEDGERS, ITEMS = 20, 50
UNITS = ["区建设局", "区城市管理局", "区教体局", "区社区局", "京航办事处", "区经发局"]


def ledger(code: str, closed: dict[int, date], notes: dict[int, list[date]], completed: dict[int, int]) -> str:
    lines = [f"code: {code}", f"name: 重点项目{code}", f"unit: {UNITS[int(code[1:]) % len(UNITS)]}",
             "investment:", "  planned: {2018: 12000}",
             "  completed: {" + ", ".join(f"2018-{m:02d}: {v}" for m, v in sorted(completed.items())) + "}",
             "items:"]
    for k in range(1, ITEMS + 1):
        due = date(2018, 1, 1) + timedelta(days=7 * k)
        lines += [f"  - id: {code}-{k}", f"    title: 第{k}项工作", f"    due: {due.isoformat()}"]
        if k in notes:
            lines.append("    notes:")
            lines += [f"      - {{date: {d.isoformat()}, by: 张三, text: 推进中}}" for d in notes[k]]
        if k in closed:
            lines.append(f"    closed: {{date: {closed[k].isoformat()}, by: 张三}}")
    return "\n".join(lines) + "\n"


def build(root: Path, commits: int, seed: int = 2018) -> None:
    rng = random.Random(seed)
    codes = [f"P{i}" for i in range(LEDGERS)]
    state = {c: ({}, {}, {}) for c in codes}  # closed, notes, completed per ledger
    stream: list[bytes] = []

    def blob_commit(day: date, files: dict[str, str], message: str) -> None:
        when = int(time.mktime((day.year, day.month, day.day, 10, 0, 0, 0, 0, -1)))
        stream.append(f"commit refs/heads/main\ncommitter 张三 <clerk@example.org> {when} +0800\n".encode())
        data = message.encode()
        stream.append(b"data %d\n%s\n" % (len(data), data))
        for path, text in files.items():
            body = text.encode()
            stream.append(f"M 100644 inline {path}\n".encode() + b"data %d\n%s\n" % (len(body), body))

    blob_commit(date(2018, 1, 1), {f"ledgers/{c}.yaml": ledger(c, *state[c]) for c in codes}, "台账")
    days = 364
    for n in range(2, commits + 1):
        day = date(2018, 1, 1) + timedelta(days=(n * days) // commits)
        code = rng.choice(codes)
        closed, notes, completed = state[code]
        k = rng.randint(1, ITEMS)
        if rng.random() < 0.3 and k not in closed:
            closed[k] = day
        elif rng.random() < 0.1:
            completed[day.month] = completed.get(day.month, 0) + rng.randint(50, 300)
        else:
            notes.setdefault(k, []).append(day)
        blob_commit(day, {f"ledgers/{code}.yaml": ledger(code, closed, notes, completed)}, f"{code}-{k}")
    root.mkdir(parents=True, exist_ok=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


def median_seconds(cmd: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env_cmd = [sys.executable, "-c", "from taizhang.cli import main; main()", "--as-of", "2018-12-31"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "history"
        start = time.perf_counter()
        build(root, args.commits)
        built = time.perf_counter() - start
        count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
        print(f"history: {count} commits, {LEDGERS} ledgers × {ITEMS} items, built in {built:.1f} s")
        for by in ("week", "month"):
            cmd = [*env_cmd, "trend", "--by", by, "--from", "2018-01-01"]
            os.environ["TAIZHANG_NO_CACHE"] = "1"  # every ledger version parsed
            cold = median_seconds(cmd, root, args.runs)
            os.environ.pop("TAIZHANG_NO_CACHE")
            subprocess.run(cmd, cwd=root, stdout=subprocess.DEVNULL, check=True)  # fills the cache
            warm = median_seconds(cmd, root, args.runs)
            print(f"trend --by {by:5}  median of {args.runs}: {cold:.2f} s without the cache, {warm:.2f} s with it")


if __name__ == "__main__":
    main()
