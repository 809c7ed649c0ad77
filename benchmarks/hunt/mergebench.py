"""The merge driver on generated ledgers: python mergebench.py CASE N[,N...] [REPEATS]

Prints the median wall seconds of merge_ledger (the driver's work, without git) per size.
  conflicts       both sides set the owner of all N items differently (N conflicts)
  conflicts_unit  the same, every item also holding the same unit line
  addboth         both sides append N items under the same ids (theirs renumbered)
  theirs_delete   they delete every other item of N, we change the others
  deleted_changed we change every item of N, they delete them all (N conflicts)
"""
import statistics
import sys
import time

from taizhang.gitops.merge import merge_ledger

HEAD = "code: CH\nname: 测试项目CH\nunit: 区建设局\nleader: 张三\nitems:\n"


def _items(n, more=lambda i: ""):
    return HEAD + "".join(f"  - id: CH-{i}\n    title: 事项{i}\n{more(i)}" for i in range(1, n + 1))


def conflicts(n):
    return tuple(_items(n, lambda i, who=who: f"    owner: {who}{i}\n") for who in ("原", "甲", "乙"))


def conflicts_unit(n):
    return tuple(_items(n, lambda i, who=who: f"    unit: 区建设局\n    owner: {who}{i}\n") for who in ("原", "甲", "乙"))


def addboth(n):
    base = _items(3)

    def side(who):
        return base + "".join(f"  - id: CH-{i}\n    title: {who}{i}\n    after: [CH-{i - 1}]\n" for i in range(4, n + 4))
    return base, side("甲"), side("乙")


def theirs_delete(n):
    theirs = HEAD + "".join(f"  - id: CH-{i}\n    title: 事项{i}\n" for i in range(1, n + 1) if i % 2)
    return _items(n), _items(n, lambda i: "    owner: 甲\n" if i % 2 else ""), theirs


def deleted_changed(n):
    return _items(n), _items(n, lambda i: "    owner: 甲\n"), HEAD


def main():
    case, sizes = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    for n in sizes:
        texts = globals()[case](n)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = merge_ledger(*texts, path="ledgers/CH.yaml")
            times.append(time.perf_counter() - start)
        print(f"{case} n={n}: {statistics.median(times):.2f} s (conflicts {len(result.conflicts)}, "
              f"messages {len(result.messages)}, item level {result.item_level})", flush=True)


main()
