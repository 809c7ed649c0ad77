"""Time `taizhang import` of a generated district sheet of N rows into an empty repository.

    python benchmarks/import_bench.py 2000 20000            # xlsx
    python benchmarks/import_bench.py --csv 2000 20000
    python benchmarks/import_bench.py --per-project 2000 2000 20000   # 10 big projects of 20,000 rows

Then the same sheet a week later (every node moved, a new report on every row, every fourth
closed) is read with `import --update`, and timed too.

Each sheet has a title row, a header, 序号, projects of 20 items each (or --per-project N) (names repeated on each
row), a 时间节点 of phrases, units, progress and a 是否销号 column: the work of a real import
(reading, planning, writing every ledger all or nothing). Prints rows, seconds and rows/s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNITS = ["区建设局", "区城市管理局", "区教体局", "区住建局、区财政局", "京航办事处"]
HEADER = ["序号", "项目名称", "工作任务", "责任单位", "责任领导", "完成时限", "进展情况", "是否销号"]


def rows(n: int, per_project: int = 20, week: int = 0) -> list[list[object]]:
    """The sheet's rows; `week` 1 is the same sheet a week later: every node a month later,
    every row with a new progress report, every fourth row 销号."""
    out = []
    for k in range(n):
        project = f"重点项目{k // per_project + 1:05d}"
        month = min(12, k % 12 + 1 + week)
        if week:
            out.append([k + 1, project, f"第{k + 1}项工作：主体施工节点推进", UNITS[k % len(UNITS)], "王伟",
                        f"{month}月底前", f"第{week}周：已完成百分之七十", "是" if k % 4 == 0 else "否"])
            continue
        out.append([k + 1, project, f"第{k + 1}项工作：主体施工节点推进", UNITS[k % len(UNITS)], "王伟",
                    f"{month}月底前", "已完成百分之六十" if k % 3 == 0 else None, "是" if k % 5 == 0 else "否"])
    return out


def write_xlsx(path: Path, n: int, per_project: int, week: int = 0) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("重点项目")
    ws.append(["经开区2018年重点项目推进台账"])
    ws.append(HEADER)
    for row in rows(n, per_project, week):
        ws.append(row)
    book.save(path)


def write_csv(path: Path, n: int, per_project: int, week: int = 0) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(["" if v is None else v for v in row] for row in rows(n, per_project, week))


def main(argv: list[str]) -> None:
    as_csv = "--csv" in argv
    per_project = 20
    if "--per-project" in argv:
        at = argv.index("--per-project")
        per_project = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    sizes = [int(a) for a in argv if a.isdigit()] or [2000, 20000]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            subprocess.run(["taizhang", "init", str(root)], check=True, capture_output=True)
            (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
            sheet = Path(tmp) / ("台账.csv" if as_csv else "台账.xlsx")
            (write_csv if as_csv else write_xlsx)(sheet, n, per_project)
            start = time.perf_counter()
            done = subprocess.run(["taizhang", "--dir", str(root), "--as-of", "2018-06-15", "import", str(sheet)], check=False,
                                  capture_output=True, text=True)
            took = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(f"import of {n} rows failed:\n{done.stderr[-2000:]}")
            print(f"{sheet.suffix[1:]:>4} {n:>7} rows ({per_project} a project)  {took:8.2f} s  {n / took:9.0f} rows/s")
            # The same sheet a week later, read with --update: every item changes.
            later = sheet.with_name("台账（下周）" + sheet.suffix)
            (write_csv if as_csv else write_xlsx)(later, n, per_project, 1)
            start = time.perf_counter()
            done = subprocess.run(["taizhang", "--dir", str(root), "--as-of", "2018-06-22", "import", str(later),
                                   "--update"], check=False, capture_output=True, text=True)
            took = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(f"update of {n} rows failed:\n{done.stderr[-2000:]}")
            print(f"{'':>4} {n:>7} rows --update        {took:8.2f} s  {n / took:9.0f} rows/s")


if __name__ == "__main__":
    main(sys.argv[1:])
