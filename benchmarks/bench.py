"""Benchmark taizhang side by side with Taskwarrior, row by row, on realistic repositories.

    python benchmarks/bench.py                                   # 5,000, 50,000, 100,000 items; 7 runs
    python benchmarks/bench.py --sizes 5000,50000 --runs 5 --out results.md --json results.json

Repositories come from gen.py (deterministic by --seed): hundreds of small ledgers of 10–60 items
and a few large ones of 2,000–5,000, in a git repository, as of 2018-06-15. Taskwarrior (`task`,
2.6) gets the same items as tasks (closed ones completed, notes as annotations) in its own data
folder with its own taskrc, imported with `task import`.

Every row pairs a taizhang command with its counterpart and interleaves them: one warm-up run of
each, then A B A B … --runs times; each side's median, and the ratio of the two medians, come
from that same run (a shared machine drifts, so ratios measured apart mean little). What a row
needs between runs (a new day, a changed ledger, a deleted cache) is done outside the timing.
Every process must exit 0. Times are wall-clock times of whole processes, start-up included;
memory is `wait4`'s ru_maxrss. Targets are issue 17's, set for 50,000 and 100,000 items.
(hyperfine cannot interleave two commands, hence the loop here.) Nothing here is a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen  # noqa: E402

AS_OF = gen.AS_OF.isoformat()
NEW_DAYS_FROM = date(2018, 6, 20)  # first-of-day runs: prepare day D, measure D+1, D moving on
SMALL = gen.code_of(0)  # the 20-item ledger
BIG = "L1"  # the 2,000-item ledger
IMPORT_TYPER_RICH = "import typer, rich.console"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, int]:
    """(seconds, peak RSS in KB) of one process; it must exit 0."""
    # stderr goes to a file, not a pipe: a pipe nobody reads until the end fills up (64 KB of
    # `check` warnings) and the process waits forever.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{shlex.join(cmd)} exited {code}:\n{err.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss


def output(cmd: list[str], env: dict | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return done.stdout.decode()


@dataclass
class Side:
    """One side of a row: the command of run i (i = -1 is the warm-up) and what precedes it."""

    label: str
    cmd: Callable[[int], list[str]]
    env: dict | None = None
    before: Callable[[int], None] | None = None
    times: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)

    def once(self, i: int) -> tuple[float, int]:
        if self.before:
            self.before(i)
        return run(self.cmd(i), self.env)


@dataclass
class Row:
    name: str
    ours: Side
    theirs: Side
    target: float | None = None  # the ratio issue 17 asks for (ours / theirs ≤ target)
    after: Callable[[], None] | None = None

    def measure(self, runs: int) -> dict:
        log(f"  {self.name}  vs  {self.theirs.label}")
        load = os.getloadavg()[0]
        for side in (self.ours, self.theirs):
            side.once(-1)  # warm-up
        for i in range(runs):
            for side in (self.ours, self.theirs):
                t, kb = side.once(i)
                side.times.append(t)
                side.peaks_kb.append(kb)
        if self.after:
            self.after()
        a, b = statistics.median(self.ours.times), statistics.median(self.theirs.times)
        ratio = a / b
        log(f"    {a:.3f} s / {b:.3f} s = {ratio:.2f}  (load {load:.1f} → {os.getloadavg()[0]:.1f})")
        return {"name": self.name, "ours": self.ours.label, "counterpart": self.theirs.label,
                "ours_s": self.ours.times, "counterpart_s": self.theirs.times,
                "ours_median": a, "counterpart_median": b, "ratio": ratio,
                "pair_ratios": [x / y for x, y in zip(self.ours.times, self.theirs.times)],
                "ours_peak_kb": self.ours.peaks_kb, "counterpart_peak_kb": self.theirs.peaks_kb,
                "target": self.target, "met": None if self.target is None else ratio <= self.target,
                "load_average": [load, os.getloadavg()[0]]}


def taizhang_exe() -> list[str]:
    """The console script installed beside this interpreter (not a version-manager shim)."""
    exe = Path(sys.executable).parent / ("taizhang.exe" if os.name == "nt" else "taizhang")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "taizhang"]


def clean_env() -> dict:
    """The environment of every process: no taizhang variable leaks in from the caller's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_") and k != "TASKRC"}


def make_repository(root: Path, n: int, seed: int) -> list[tuple[str, int]]:
    shutil.rmtree(root, ignore_errors=True)
    layout = gen.generate(root, n, seed)
    git = ["git", "-C", str(root)]
    env = {**clean_env(), "GIT_AUTHOR_DATE": "2018-06-14T18:00:00+08:00",
           "GIT_COMMITTER_DATE": "2018-06-14T18:00:00+08:00"}
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True, env=env)
    subprocess.run(git + ["config", "user.name", "督查室"], check=True, env=env)
    subprocess.run(git + ["config", "user.email", "duchashi@example.org"], check=True, env=env)
    subprocess.run(git + ["add", "-A"], check=True, env=env)
    subprocess.run(git + ["commit", "-q", "-m", "台账"], check=True, env=env)
    return layout


def make_taskwarrior(folder: Path, n: int, seed: int) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    data = folder / "data"
    data.mkdir(parents=True)
    rc = folder / "taskrc"
    # gc=off keeps task ids stable between runs (`task N done` on a new N each run); the import
    # already put completed tasks in completed.data, where gc would.
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=off\nhooks=off\n"
                  "recurrence=off\n", encoding="utf-8")
    env = {**clean_env(), "TASKRC": str(rc)}
    tasks = folder / "tasks.json"
    tasks.write_text(json.dumps(gen.tasks(n, seed), ensure_ascii=False), encoding="utf-8")
    subprocess.run(["task", "import", str(tasks)], env=env, stdout=subprocess.DEVNULL, check=True)
    tasks.unlink()
    count = int(output(["task", "count"], env).strip())  # pending and completed
    if count != n:
        raise SystemExit(f"Taskwarrior holds {count} tasks, not {n}")
    return env


def open_items(tz: list[str], code: str) -> list[str]:
    """Ids of the items of `code` that can be closed as of AS_OF (open, not applied for)."""
    view = json.loads(output(tz + ["--as-of", AS_OF, "status", code, "--all", "--json"]))
    return [item["id"] for item in view["items"] if item["light"] != "done" and not item["pending"]]


def rows_for(n: int, work: Path, seed: int) -> tuple[list[Row], dict]:
    root = work / f"tz{n}"
    log(f"{n:,} items: generating {root}")
    layout = make_repository(root, n, seed)
    log(f"  {len(layout):,} ledgers ({sum(1 for c, _ in layout if c.startswith('L'))} large); Taskwarrior import")
    task_env = make_taskwarrior(work / f"task{n}", n, seed)
    tz = taizhang_exe() + ["--dir", str(root)]
    # The user's cache folder (where replayed outputs are kept, repo/replay.py) is the run's own,
    # so that "cold" can delete it with the repository's cache.
    user_cache = work / f"user-cache{n}"
    env = {**clean_env(), "XDG_CACHE_HOME": str(user_cache), "LOCALAPPDATA": str(user_cache)}
    no_cache = {**env, "TAIZHANG_NO_CACHE": "1"}
    cache = root / ".taizhang" / "cache"

    def forget_caches(i: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(user_cache / "taizhang" / "replay", ignore_errors=True)

    # The whole repository must read without errors (warnings are fine): a benchmark of
    # refusals would measure nothing.
    output(tz + ["--as-of", AS_OF, "check"], env)

    def status(*extra: str) -> Callable[[int], list[str]]:
        return lambda i: tz + ["--as-of", AS_OF, "status", *extra]

    def task(*words: str) -> Side:
        return Side("task " + " ".join(words), lambda i: ["task", *words], task_env)

    # First of a new day: the cache was made on day D (outside the timing), D+1 is measured.
    def day(i: int) -> date:
        return NEW_DAYS_FROM + timedelta(days=2 * (i + 1))

    def prepare_day(i: int) -> None:
        output(tz + ["--as-of", day(i).isoformat(), "status"], env)

    # One ledger changed by hand between runs: a red item's title, in a small ledger that
    # status shows. Each run writes a title it never had; the file's hash must change.
    changed_code, changed_id = next((c, i) for c, size in layout if not c.startswith("L") and c != SMALL
                                    for i in red_items(tz, c)[:1])
    changed = root / "ledgers" / f"{changed_code}.yaml"
    original = changed.read_bytes()
    lines = original.decode().split("\n")
    at = _title_line(lines, changed_id)
    seen: set[str] = {hashlib.sha256(original).hexdigest()}
    last_title = [""]

    def edit(i: int) -> None:
        last_title[0] = f"{lines[at][len('    title: '):]}（第{i + 2}次修订）"
        text = "\n".join([*lines[:at], f"    title: {last_title[0]}", *lines[at + 1:]])
        changed.write_bytes(text.encode())
        digest = hashlib.sha256(changed.read_bytes()).hexdigest()
        if digest in seen:
            raise SystemExit(f"{changed} did not change")
        seen.add(digest)

    def edited_shows() -> None:
        view = json.loads(output(tz + ["--as-of", AS_OF, "status", "--json"], env))
        title = next(item["title"] for item in view["items"] if item["id"] == changed_id)
        if title != last_title[0]:
            raise SystemExit(f"status shows {changed_id} as {title!r}, not the edited {last_title[0]!r}")
        changed.write_bytes(original)

    small_open = open_items(tz, SMALL)
    big_open = open_items(tz, BIG)
    task_ids = [int(x) for x in output(["task", "_ids"], task_env).split()]
    step = max(len(task_ids) // 64, 1)
    done_ids = task_ids[::step]

    def close(code: str, ids: list[str]) -> Callable[[int], list[str]]:
        # Open items first; past them, the items `add` appended (numbered after the original ones).
        size = dict(layout)[code]
        return lambda i: tz + ["--as-of", AS_OF, "close",
                               ids[i + 1] if i + 1 < len(ids) else f"{code}-{size + i + 2 - len(ids)}"]

    def unreplayed(i: int) -> list[str]:
        return ["env", f"TAIZHANG_BENCH_RUN={i}", *tz, "--as-of", AS_OF]

    python = sys.executable
    rows = [
        Row("status (warm)", Side("status", status()), task("next"), 0.15),
        Row("status, first of a new day", Side(
            "status --as-of D+1", lambda i: tz + ["--as-of", (day(i) + timedelta(days=1)).isoformat(), "status"],
            before=prepare_day), task("next"), 0.5),
        Row(f"status after one ledger changed ({dict(layout)[changed_code]}-item {changed_code})",
            Side("status", status(), before=edit), task("next"), 0.3, after=edited_shows),
        Row("status, no cache (TAIZHANG_NO_CACHE=1)", Side("status", status(), no_cache), task("next"), 1.5),
        Row("status, cold (.taizhang/cache and replays deleted first)", Side(
            "status", status(), before=forget_caches), task("next"), 1.5),
        Row("status --json", Side("status --json", status("--json")), task("export"), 0.4),
        Row("check (unchanged)", Side("check", lambda i: tz + ["--as-of", AS_OF, "check"]), task("next"), 0.4),
        # The same, when the last output cannot be written back (another terminal, another
        # environment: each run here has a variable of its own): the view cache's own speed.
        Row("status (warm, output not replayed)", Side("status", lambda i: unreplayed(i) + ["status"]), task("next"), 0.15),
        Row("check (unchanged, output not replayed)", Side("check", lambda i: unreplayed(i) + ["check"]),
            task("next"), 0.4),
        Row(f"add ({gen.SMALL_WRITE}-item ledger)", Side(
            "add", lambda i: tz + ["--as-of", AS_OF, "add", SMALL, f"新增节点{i + 2}", "--due", "2018-09-30"]),
            Side(f'python -c "{IMPORT_TYPER_RICH}"', lambda i: [python, "-c", IMPORT_TYPER_RICH]), 1.0),
        Row(f"close ({gen.SMALL_WRITE}-item ledger)", Side("close", close(SMALL, small_open)),
            Side(f'python -c "{IMPORT_TYPER_RICH}"', lambda i: [python, "-c", IMPORT_TYPER_RICH]), 1.0),
        Row(f"add ({gen.BIG_WRITE:,}-item ledger)", Side(
            "add", lambda i: tz + ["--as-of", AS_OF, "add", BIG, f"新增节点{i + 2}", "--due", "2018-09-30"]),
            Side("task add", lambda i: ["task", "add", f"新增节点{i + 2}", "due:2018-09-30"], task_env), 0.3),
        Row(f"close ({gen.BIG_WRITE:,}-item ledger)", Side("close", close(BIG, big_open)),
            Side("task N done", lambda i: ["task", str(done_ids[i + 1]), "done"], task_env), 0.3),
    ]
    for row in rows:  # taizhang's runs see the run's own user cache folder
        if row.ours.env is None:
            row.ours.env = env
    info = {"items": n, "ledgers": len(layout), "large_ledgers": [(c, s) for c, s in layout if c.startswith("L")],
            "small_ledger_items": sum(s for c, s in layout if not c.startswith("L")),
            "changed_ledger": changed_code, "changed_item": changed_id}
    return rows, info


def red_items(tz: list[str], code: str) -> list[str]:
    view = json.loads(output(tz + ["--as-of", AS_OF, "status", code, "--all", "--json"]))
    return [item["id"] for item in view["items"] if item["light"] == "red"]


def _title_line(lines: list[str], item_id: str) -> int:
    """The index of the `title:` line of item `item_id` (gen.py writes it that way)."""
    k = lines.index(f"  - id: {item_id}") + 1
    while not lines[k].startswith("    title: "):
        k += 1
    return k


def startup_rows() -> list[Row]:
    tz = taizhang_exe()
    python = sys.executable
    return [
        Row("taizhang --version", Side("--version", lambda i: tz + ["--version"]),
            Side('python -c "pass"', lambda i: [python, "-c", "pass"])),
        Row("taizhang --help", Side("--help", lambda i: tz + ["--help"]),
            Side(f'python -c "{IMPORT_TYPER_RICH}"', lambda i: [python, "-c", IMPORT_TYPER_RICH])),
    ]


def machine(runs: int) -> str:
    import taizhang

    task = output(["task", "--version"]).strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.platform()}; taizhang {taizhang.__version__} ({Path(taizhang.__file__).parent}), "
            f"Taskwarrior {task}; medians of {runs} interleaved runs after a warm-up; load average {load}")


def markdown(report: dict) -> str:
    out = [f"machine: {report['machine']}", "", f"command: `{report['command']}`", "",
           f"started {report['started']}, finished {report.get('finished', '(still running)')}", ""]
    for n, size in report["sizes"].items():
        info = size["info"]
        big = ", ".join(f"{c} {s:,}" for c, s in info["large_ledgers"])
        out += [f"### {int(n):,} items ({info['ledgers']:,} ledgers; large: {big})", "",
                "| command | taizhang s | counterpart s | ratio | target | met? |", "|---|---|---|---|---|---|"]
        out += [_row(r) for r in size["rows"]]
        out.append("")
    if report.get("startup"):
        out += ["### start-up (no repository)", "",
                "| command | taizhang s | counterpart s | ratio | target | met? |", "|---|---|---|---|---|---|"]
        out += [_row(r) for r in report["startup"]]
        out.append("")
    memory = report.get("memory")
    if memory:
        out += ["### peak memory of a cold `status` (ru_maxrss, largest of the runs)", "",
                "| items | taizhang MB | task next MB |", "|---|---|---|"]
        out += [f"| {int(n):,} | {m['ours_mb']:.0f} | {m['counterpart_mb']:.0f} |" for n, m in memory["sizes"].items()]
        out.append("")
        for line in memory.get("verdicts", []):
            out.append(line)
        out.append("")
    return "\n".join(out)


def _row(r: dict) -> str:
    target = "—" if r["target"] is None else f"≤ {r['target']:g}×"
    met = "—" if r["met"] is None else ("yes" if r["met"] else "no")
    return (f"| {r['name']} vs `{r['counterpart']}` | {r['ours_median']:.3f} | {r['counterpart_median']:.3f} "
            f"| {r['ratio']:.2f} | {target} | {met} |")


def memory_summary(report: dict) -> dict:
    sizes = {}
    for n, size in report["sizes"].items():
        cold = next((r for r in size["rows"] if r["name"].startswith("status, cold")), None)
        if cold is None:
            continue
        sizes[n] = {"ours_mb": max(cold["ours_peak_kb"]) / 1024, "counterpart_mb": max(cold["counterpart_peak_kb"]) / 1024}
    verdicts = []
    if "50000" in sizes:
        mb = sizes["50000"]["ours_mb"]
        verdicts.append(f"At 50,000 items: {mb:.0f} MB (target ≤ 200 MB: {'met' if mb <= 200 else 'not met'}).")
        if "5000" in sizes:
            growth = mb / sizes["5000"]["ours_mb"]
            verdicts.append(f"Growth from 5,000 to 50,000 items: {growth:.2f}× for 10× the items "
                            f"(target linear or better, ≤ 10×: {'met' if growth <= 10 else 'not met'}).")
    return {"sizes": sizes, "verdicts": verdicts}


def save(report: dict, out: Path | None, json_out: Path | None) -> None:
    if report["sizes"]:
        report["memory"] = memory_summary(report)
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if out:
        out.write_text(markdown(report) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000,100000", help="total items, comma-separated")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each side per row (at least 5)")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--work", type=Path, help="where repositories are generated (default: a temporary folder)")
    parser.add_argument("--out", type=Path, help="also write the markdown here (rewritten after each size)")
    parser.add_argument("--json", type=Path, help="save the raw numbers here (rewritten after each size)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs: at least 5 (a median of fewer says little on a shared machine)")
    if not shutil.which("task"):
        parser.error("Taskwarrior (`task`) is not installed: every row needs its counterpart")
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="taizhang-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if any((folder / ".git").exists() for folder in (work.resolve(), *work.resolve().parents)):
        parser.error("--work must not be inside a git repository (the cache's secret would be kept there)")

    report: dict = {"machine": machine(args.runs), "command": shlex.join(["python", "benchmarks/bench.py", *sys.argv[1:]]),
                    "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "runs": args.runs,
                    "seed": args.seed, "sizes": {}, "startup": []}
    log("start-up")
    report["startup"] = [row.measure(args.runs) for row in startup_rows()]
    save(report, args.out, args.json)
    for n in sizes:
        rows, info = rows_for(n, work, args.seed)
        report["sizes"][str(n)] = {"info": info, "rows": []}
        for row in rows:
            report["sizes"][str(n)]["rows"].append(row.measure(args.runs))
            save(report, args.out, args.json)
        shutil.rmtree(work / f"tz{n}", ignore_errors=True)
        shutil.rmtree(work / f"task{n}", ignore_errors=True)
    report["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report["machine"] += f" (at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())})"
    save(report, args.out, args.json)
    print(markdown(report))


if __name__ == "__main__":
    main()
