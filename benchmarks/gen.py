"""Generate a synthetic ledger repository shaped like a real district's, deterministic by seed.

    python benchmarks/gen.py ROOT 50000            # 50,000 items; seed 2018
    python benchmarks/gen.py ROOT 5000 --seed 7

A real repository is hundreds of small ledgers (10–60 items: a project and its time nodes) and a
few very large ones (2,000–5,000 items: a 专项 that tracks every school, every village). So N items
are one large ledger per 10,000 items (at least one; the first has exactly 2,000 items, for the
write benchmarks), and small ledgers of 10–60 items for the rest (the first has exactly 20).

Ledgers use what the sample ledgers in ledgers/ use (SPEC §2): comments, stage, deadline,
calendars, investment, milestones and problems with measures, joint units (`unit: A、B`),
items without `due` scheduled backward from the deadline with `duration:` and `after:`, recurring
terms (每月25日前), closes with notes and evidence, applications for 销号, progress notes, moved
time nodes (`changes:`) and quantities (`target:` with `done:`), as of 2018-06-15.

The same items, as Taskwarrior tasks (`tasks()`), give the counterpart the same work: one task
per item, its project, title, due date, status (closed → completed) and notes as annotations.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2018, 6, 15)
BIG_PER = 10_000  # one large ledger per this many items
SMALL_WRITE = 20  # items of the first small ledger (the small writes)
BIG_WRITE = 2_000  # items of the first large ledger (the large writes)

UNITS = ["区建设局", "区城市管理局", "区教体局", "区社区局", "京航办事处", "区经发局", "区科技局", "区商务局",
         "区住建局", "区财政局", "区自然资源局", "区生态环境分局", "明湖办事处", "潮河办事处", "区交通运输局"]
NAMES = ["赵凯", "关希哲", "袁卫东", "张国际", "翁林先", "冀新富", "韩星", "李文君", "赵红彬", "司方博", "秦海涛",
         "魏书全", "陈磊", "孙丽", "周涛", "王伟", "刘洋", "杨帆"]
PROGRAMS = ["双十工程", "百城提质", "民生实事", "重点片区", "乡村振兴"]
PLACES = ["第五小学", "明湖片区", "潮河公园", "经开第二水厂", "国际物流园", "航海路", "滨河东路", "综合保税区",
          "人才公寓", "污水处理厂", "产业园三期", "城中村改造"]
VERBS = ["完成", "推进", "启动", "开展", "办理", "落实", "组织"]
OBJECTS = ["主体结构施工", "土地征收与补偿", "施工许可手续", "设备安装调试", "管网迁改", "绿化景观工程", "竣工验收",
           "拆迁安置", "环评批复", "招标采购", "桩基施工", "土方平衡", "道路黑化", "联合验收", "消防审查"]
TAILS = ["", "", "", "，形成形象进度", "并上报区指挥部", "，确保按期投用", "（含配套工程）"]
PROBLEMS = ["地块内有未拆迁厂房，影响开工", "架空高压线迁改影响桩基进场", "土方外运消纳场地不足", "征地手续未批复",
            "资金拨付滞后", "施工单位人员不足", "管线产权单位协调困难"]
MEASURES = ["联合办公，限期清场", "协调供电公司，停电窗口期集中迁改", "协调新增临时消纳场，夜间集中外运",
            "报区领导协调，专题会推进", "督促施工单位增加人手，倒排工期"]
NOTES = ["已完成百分之三十", "已完成百分之六十", "正在推进", "已签约四个村", "图审合格，等待批复", "施工单位已进场",
         "已报区领导协调", "本周完成土方二万方", "资金已到位一半", "材料已报送"]
REASONS = ["征地手续延后", "设计变更", "汛期停工", "资金调整", "上级批复延迟"]
TERMS = ["每月25日前", "长期坚持", "每季度末月20日前", "常态化"]


@dataclass
class Ledger:
    code: str
    size: int
    lines: list[str] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)


def code_of(i: int) -> str:
    """The i-th small ledger's code: PAAA, PAAB, …"""
    letters = ""
    n = i
    for _ in range(3):
        letters = chr(ord("A") + n % 26) + letters
        n //= 26
    return "P" + letters


def plan(items: int, seed: int = 2018) -> list[tuple[str, int]]:
    """(code, number of items) of every ledger: a few large ones, then small ones to the total."""
    if items < 2 * BIG_WRITE:
        raise ValueError(f"at least {2 * BIG_WRITE:,} items: the large ledger is never more than half of them")
    rng = random.Random(f"{seed}-plan-{items}")
    big = [BIG_WRITE] + [rng.randint(2_000, 5_000) for _ in range(max(items // BIG_PER, 1) - 1)]
    while sum(big) > items // 2 and len(big) > 1:  # the large ones never more than half the total
        big.pop()
    out = [(f"L{i + 1}", n) for i, n in enumerate(big)]
    left = items - sum(big)
    i = 0
    while left > 0:
        n = SMALL_WRITE if i == 0 else rng.randint(10, 60)
        n = left if left - n < 10 else n  # no ledger under 10 items: the last takes the rest
        out.append((code_of(i), n))
        left -= n
        i += 1
    return out


def _day(d: date) -> str:
    return d.isoformat()


def _epoch(d: date) -> str:
    return d.strftime("%Y%m%dT000000Z")


def ledger(code: str, size: int, seed: int = 2018) -> Ledger:
    """One ledger's text lines and its items as Taskwarrior tasks."""
    rng = random.Random(f"{seed}-{code}")
    out = Ledger(code, size)
    lines = out.lines
    place = rng.choice(PLACES)
    name = f"{place}{rng.choice(['建设', '改造', '提质', '综合整治'])}项目（{code}）"
    deadline = rng.choice([date(2018, 12, 31), date(2019, 6, 30), date(2019, 12, 31), date(2020, 6, 30)])
    lines += ["# yaml-language-server: $schema=../schemas/ledger.schema.json"]
    if rng.random() < 0.5:
        lines.append(f"# {name}：{rng.choice(TAILS[3:])[1:] or '年度重点'}，责任到人，倒排工期")
    lines += [f"code: {code}", f"name: {name}", f"program: {rng.choice(PROGRAMS)}"]
    if rng.random() < 0.7:
        lines.append(f"stage: {rng.choice(['新建', '续建', '前期'])}")
    unit = rng.choice(UNITS)
    lines += [f"unit: {unit}", f"leader: {rng.choice(NAMES)}"]
    if rng.random() < 0.6:
        lines.append(f"owner: {rng.choice(NAMES)}")
    lines.append(f"deadline: {_day(deadline)}" + ("  # 年底前建成投用" if rng.random() < 0.3 else ""))
    r = rng.random()
    if r < 0.2:
        lines.append("calendar: workdays")
    elif r < 0.25:
        lines.append("calendar: weekdays")
    if rng.random() < 0.4:
        months = ", ".join(f"2018-{m:02d}: {rng.randint(1, 30) / 10}亿" for m in range(1, rng.randint(2, 6)))
        lines += ["investment:", f"  total: {rng.randint(2, 80)}亿", f"  planned: {{2018: {rng.randint(2, 20)}亿}}",
                  f"  completed: {{{months}}}"]
    lines.append("items:")
    span = (deadline - date(2018, 1, 10)).days
    for k in range(1, size + 1):
        _item(out, code, k, rng, deadline, span)
    return out


def _item(out: Ledger, code: str, k: int, rng: random.Random, deadline: date, span: int) -> None:
    lines = out.lines
    iid = f"{code}-{k}"
    r = rng.random()
    kind = "problem" if r < 0.1 else "milestone" if r < 0.18 else "task"
    lines.append(f"  - id: {iid}")
    if kind != "task":
        lines.append(f"    kind: {kind}")
    if kind == "problem":
        title = f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}"
    else:
        title = f"{rng.choice(VERBS)}{rng.choice(PLACES)}{rng.choice(OBJECTS)}{rng.choice(TAILS)}"
    lines.append(f"    title: {title}")
    if kind == "problem":
        lines.append(f"    measures: {rng.choice(MEASURES)}")
    # The time node: a date (mostly), none (scheduled backward from the deadline), or a term.
    due: date | None = None
    r = rng.random()
    if r < 0.1 and k > 1 and kind == "task":
        duration = rng.choice([str(rng.randint(5, 60)), f"{rng.randint(1, 6)}周", "15个工作日"])
        lines += [f"    duration: {duration}", f"    after: [{code}-{rng.randint(max(1, k - 3), k - 1)}]"]
    elif r < 0.11 and kind == "task":
        lines.append(f"    due: {rng.choice(TERMS)}")
    else:
        due = date(2018, 1, 10) + timedelta(days=int(span * rng.random() ** 1.3))
        comment = rng.random()
        note = f"  # {due.month}月底前" if comment < 0.2 else "  # 节点" if comment < 0.3 else ""
        lines.append(f"    due: {_day(due)}{note}")
        if kind == "milestone" and k > 1 and rng.random() < 0.2:
            lines.append(f"    after: [{code}-{rng.randint(max(1, k - 3), k - 1)}]")
    if rng.random() < 0.7:
        lines.append(f"    owner: {rng.choice(NAMES)}")
    r = rng.random()
    if r < 0.08:
        lines.append(f"    unit: {'、'.join(rng.sample(UNITS, rng.randint(2, 3)))}")
    elif r < 0.25:
        lines.append(f"    unit: {rng.choice(UNITS)}")
    if rng.random() < 0.03:
        lines.append(f"    leader: {rng.choice(NAMES)}")
    target = rng.random() < 0.03
    if target:
        lines.append(f"    target: {rng.randint(10, 3000)}户")
    # Closed: most of what fell due before the as-of day, a few early ones.
    closed_on: date | None = None
    if due is not None and due < AS_OF and rng.random() < 0.85:
        closed_on = min(due + timedelta(days=rng.randint(-6, 9)), AS_OF - timedelta(days=1))
    elif (due is None or due >= AS_OF) and rng.random() < 0.05:
        closed_on = AS_OF - timedelta(days=rng.randint(1, 60))
    if closed_on is None and due is not None and due < AS_OF and rng.random() < 0.1:
        applied = AS_OF - timedelta(days=rng.randint(1, 10))
        lines += ["    apply:", f"      date: {_day(applied)}", f"      by: {rng.choice(NAMES)}",
                  f"      evidence: 验收资料{rng.randint(1, 999)}号"]
    if closed_on is not None:
        if rng.random() < 0.25:
            lines.append(f"    closed: {{date: {_day(closed_on)}, by: {rng.choice(NAMES)}}}")
        else:
            lines += ["    closed:", f"      date: {_day(closed_on)}", f"      by: {rng.choice(NAMES)}"]
            if rng.random() < 0.3:
                lines.append(f"      note: {rng.choice(NOTES)}")
            if rng.random() < 0.3:
                lines.append(f"      evidence: 归档号 2018-{rng.randint(1, 999)}")
    # Progress notes, oldest first; fewer on closed items.
    notes = rng.randint(1, 4) if rng.random() < (0.3 if closed_on else 0.55) else 0
    annotations = []
    if notes:
        lines.append("    notes:")
        # Reports come weekly: the last one mostly recent (an item unreported for 14 days is 久未汇报).
        last = rng.randint(1, 12) if rng.random() < 0.85 else rng.randint(13, 90)
        days = sorted([AS_OF - timedelta(days=last)] + [AS_OF - timedelta(days=rng.randint(last, 150))
                                                        for _ in range(notes - 1)])
        for n, d in enumerate(days):
            text = rng.choice(NOTES)
            done = f", done: {rng.randint(1, 9) * (n + 1)}" if target else ""
            lines.append(f"      - {{date: {_day(d)}, by: {rng.choice(NAMES)}, text: {text}{done}}}")
            annotations.append({"entry": _epoch(d), "description": text})
    if due is not None and rng.random() < 0.02:
        lines += ["    changes:", f"      - {{date: 2018-04-{rng.randint(10, 28)}, by: 督查室, field: due, "
                  f"from: {_day(due - timedelta(days=rng.randint(10, 60)))}, to: {_day(due)}, "
                  f"reason: {rng.choice(REASONS)}}}"]
    task: dict = {"uuid": _uuid(code, k), "description": title, "project": code, "entry": "20180101T000000Z",
                  "status": "completed" if closed_on else "pending"}
    if due is not None:
        task["due"] = _epoch(due)
    if closed_on is not None:
        task["end"] = _epoch(closed_on)
    if kind != "task":
        task["tags"] = [kind]
    if annotations:
        task["annotations"] = annotations
    out.tasks.append(task)


def _uuid(code: str, k: int) -> str:
    digest = __import__("hashlib").md5(f"{code}-{k}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def generate(root: Path, items: int, seed: int = 2018) -> list[tuple[str, int]]:
    """Write the repository at `root` (taizhang.yaml and ledgers/); return its plan()."""
    (root / "ledgers").mkdir(parents=True, exist_ok=True)
    (root / "taizhang.yaml").write_text("# 基准测试仓库\ntitle: 基准测试\nyear: 2018\nwarn_days: 7\n",
                                        encoding="utf-8")
    layout = plan(items, seed)
    for code, size in layout:
        text = "\n".join(ledger(code, size, seed).lines) + "\n"
        (root / "ledgers" / f"{code}.yaml").write_text(text, encoding="utf-8")
    return layout


def tasks(items: int, seed: int = 2018) -> list[dict]:
    """The same items as Taskwarrior tasks (for `task import`)."""
    return [t for code, size in plan(items, seed) for t in ledger(code, size, seed).tasks]


def ledger_text(code: str, n_items: int, rng: random.Random | None = None, seed: int = 2018) -> str:
    """The text of one generated ledger of `n_items` items (`rng` is accepted for older callers:
    the ledger is deterministic by `seed` and its code)."""
    return "\n".join(ledger(code, n_items, seed).lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("items", type=int)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    made = generate(args.root, args.items, args.seed)
    print(f"{sum(n for _, n in made):,} items in {len(made):,} ledgers "
          f"({sum(1 for c, _ in made if c.startswith('L'))} large)", file=sys.stderr)
