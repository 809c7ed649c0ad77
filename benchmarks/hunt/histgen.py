"""A ledger's long git history, made by `git fast-import` (seconds for thousands of commits):
python histgen.py grow N DIR [--base B] — ledger CH with B items in the first commit, then N
commits each adding one item (CH-(B+1) … CH-(B+N)); every fifth commit also closes an earlier item."""
import os
import shutil
import subprocess
import sys

HEAD = "code: CH\nname: 测试项目CH\nunit: 区建设局\nleader: 张三\nitems:\n"


def item(i: int, closed: bool = False) -> str:
    text = f"  - id: CH-{i}\n    title: 事项{i}\n    due: 2018-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
    return text + (f"    closed: {{date: 2018-0{1 + i % 5}-10, by: 王五}}\n" if closed else "")


def grow(n: int, root: str, base: int = 0) -> None:
    if os.path.exists(root):
        shutil.rmtree(root)
    subprocess.run(["git", "init", "-q", root], check=True)
    items = {i: item(i) for i in range(1, base + 1)}
    out = []

    def commit(k: int, message: str, files: dict[str, str]) -> None:
        data = message.encode("utf-8")
        out.append(f"commit refs/heads/main\nmark :{k}\ncommitter t <t@t> {1500000000 + k * 60} +0800\n"
                   f"data {len(data)}\n".encode() + data + b"\n" + (f"from :{k - 1}\n".encode() if k > 1 else b""))
        for name, text in files.items():
            blob = text.encode("utf-8")
            out.append(f"M 100644 inline {name}\ndata {len(blob)}\n".encode() + blob + b"\n")

    commit(1, "init", {"taizhang.yaml": "year: 2018\n", "ledgers/CH.yaml": HEAD + "".join(items.values())})
    for k in range(1, n + 1):
        i = base + k
        items[i] = item(i)
        if k % 5 == 0 and i > 3:
            items[i - 3] = item(i - 3, closed=True)
        commit(k + 1, f"新增事项 CH-{i}", {"ledgers/CH.yaml": HEAD + "".join(items.values())})
    subprocess.run(["git", "-C", root, "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", root, "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", root, "reset", "-q", "--hard"], check=True)


if __name__ == "__main__":
    what, count, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    assert what == "grow", what
    grow(count, where, int(sys.argv[sys.argv.index("--base") + 1]) if "--base" in sys.argv else 0)
