"""Generate a synthetic ledger repository: N items over M ledgers, shaped like the sample."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

UNITS = ["区建设局", "区城市管理局", "区教体局", "区社区局", "京航办事处", "区经发局", "区科技局", "区商务局"]
NAMES = ["赵凯", "关希哲", "袁卫东", "张国际", "翁林先", "冀新富", "韩星", "李文君", "赵红彬"]


def code_of(i: int) -> str:
    letters = ""
    n = i
    for _ in range(3):
        letters = chr(ord("A") + n % 26) + letters
        n //= 26
    return "P" + letters


def ledger_text(code: str, n_items: int, rng: random.Random) -> str:
    lines = ["# yaml-language-server: $schema=../schemas/ledger.schema.json",
             f"code: {code}", f"name: 重点项目{code}", "program: 双十工程",
             f"unit: {rng.choice(UNITS)}", f"leader: {rng.choice(NAMES)}", "deadline: 2019-12-31",
             "investment:", "  total: 30亿", "  planned: {2018: 16亿}",
             "  completed: {2018-03: 1.2亿, 2018-04: 2亿}", "items:"]
    start = date(2018, 1, 1)
    for k in range(1, n_items + 1):
        due = start + timedelta(days=rng.randrange(700))
        lines += [f"  - id: {code}-{k}", f"    title: 第{k}项工作：主体施工节点推进", f"    due: {due.isoformat()}  # 节点",
                  f"    owner: {rng.choice(NAMES)}"]
        if k % 4 == 0:
            lines.append(f"    unit: {rng.choice(UNITS)}")
        if due < date(2018, 6, 1) and rng.random() < 0.8:
            closed = due + timedelta(days=rng.randrange(-5, 10))
            lines += ["    closed:", f"      date: {closed.isoformat()}", f"      by: {rng.choice(NAMES)}"]
        if rng.random() < 0.3:
            lines += ["    notes:", f"      - {{date: 2018-05-02, by: {rng.choice(NAMES)}, text: 已完成百分之六十}}"]
    return "\n".join(lines) + "\n"


def generate(root: Path, items: int, ledgers: int, seed: int = 2018) -> Path:
    rng = random.Random(seed)
    (root / "ledgers").mkdir(parents=True, exist_ok=True)
    (root / "taizhang.yaml").write_text('title: 基准测试\nyear: 2018\n', encoding="utf-8")
    per = items // ledgers
    for i in range(ledgers):
        code = code_of(i)
        (root / "ledgers" / f"{code}.yaml").write_text(ledger_text(code, per, rng), encoding="utf-8")
    return root


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
