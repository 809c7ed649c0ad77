"""Build an absurd-but-valid taizhang repository: python gen.py SCENARIO N DIR [--git]."""
import os
import shutil
import subprocess
import sys

HEAD = "code: {code}\nname: 测试项目{code}\nunit: 区建设局\nleader: 张三\n"


def item(code, i, extra=""):
    return f"  - id: {code}-{i}\n    title: 事项{i}\n{extra}"


extra_files = {}


def build(scen, n, root):
    code = "CH"
    files = {}
    extra_files.clear()
    settings = "year: 2018\n"
    head = HEAD.format(code=code)
    body = []
    if scen == "chain":  # no deadline, no due, chain of after
        body = [item(code, 1)] + [item(code, i, f"    after: [{code}-{i-1}]\n") for i in range(2, n + 1)]
    elif scen == "chain_dl":  # same with a deadline (plan has bounds)
        head += "deadline: 2018-12-31\n"
        body = [item(code, 1)] + [item(code, i, f"    after: [{code}-{i-1}]\n") for i in range(2, n + 1)]
    elif scen == "fanin":  # every item after CH-1
        body = [item(code, 1)] + [item(code, i, f"    after: [{code}-1]\n") for i in range(2, n + 1)]
    elif scen == "fanout":  # CH-n after every other (one item with n preds)
        body = [item(code, i) for i in range(1, n)]
        refs = ", ".join(f"{code}-{i}" for i in range(1, n))
        body.append(item(code, n, f"    after: [{refs}]\n"))
    elif scen == "dense":  # each after all previous
        body = [item(code, 1)]
        for i in range(2, n + 1):
            refs = ", ".join(f"{code}-{j}" for j in range(1, i))
            body.append(item(code, i, f"    after: [{refs}]\n"))
    elif scen in ("dur_natural", "dur_weekdays", "dur_workdays", "dur_mixed"):
        cal = {"dur_natural": "natural", "dur_weekdays": "weekdays", "dur_workdays": "workdays",
               "dur_mixed": "weekdays"}[scen]
        head += f"deadline: 2018-12-31\ncalendar: {cal}\n"
        durs = ["5周", "10个工作日", "3", "2个月", "20天"] if scen == "dur_mixed" else ["3"]
        body = [item(code, 1, f"    duration: {durs[0]}\n")]
        for i in range(2, n + 1):
            body.append(item(code, i, f"    duration: {durs[(i-1) % len(durs)]}\n    after: [{code}-{i-1}]\n"))
    elif scen == "dur_fwd":  # chain, durations, deadline far in future: forward pass long
        head += "deadline: 2500-12-31\ncalendar: weekdays\n"
        body = [item(code, 1, "    duration: 5\n")] + [
            item(code, i, f"    duration: 5\n    after: [{code}-{i-1}]\n") for i in range(2, n + 1)]
    elif scen == "notes":
        head += "deadline: 2018-12-31\n"
        notes = "".join(f"      - {{date: 2018-0{1 + k % 5}-{1 + k % 28:02d}, by: 李四, text: 进展{k}}}\n"
                        for k in range(n))
        body = [item(code, 1, "    due: 2018-06-30\n    notes:\n" + notes)]
    elif scen == "changes":
        head += "deadline: 2019-12-31\n"
        ch = []
        for k in range(n):
            a = f"2018-{1 + k % 12:02d}-{1 + k % 28:02d}"
            b = f"2018-{1 + (k + 1) % 12:02d}-{1 + (k + 1) % 28:02d}"
            ch.append(f"      - {{date: 2018-01-01, by: 督查室, field: due, from: {a}, to: {b}, reason: 调整{k}}}\n")
        body = [item(code, 1, "    due: 2018-06-30\n    changes:\n" + "".join(ch))]
    elif scen == "units":
        units = "、".join(f"单位{k}" for k in range(n))
        body = [item(code, 1, f"    due: 2018-06-20\n    unit: {units}\n")]
    elif scen == "units_list":
        units = "".join(f"      - 单位{k}\n" for k in range(n))
        body = [item(code, 1, f"    due: 2018-06-20\n    unit:\n{units}")]
    elif scen == "title":
        t = ("很长的标题" * 20) * n
        body = [f"  - id: {code}-1\n    title: {t}\n    due: 2018-06-20\n"]
    elif scen == "items_units":  # n items, each a different unit (for --by unit / remind)
        body = [item(code, i, f"    due: 2018-06-{1 + i % 28:02d}\n    unit: 单位{i}、配合{i % 7}\n") for i in range(1, n + 1)]
    elif scen == "flat":  # n items with due, some closed, notes
        head += "deadline: 2018-12-31\n"
        body = []
        for i in range(1, n + 1):
            ex = f"    due: 2018-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            if i % 3 == 0:
                ex += f"    closed: {{date: 2018-0{1 + i % 5}-10, by: 王五}}\n"
            if i % 4 == 0:
                ex += f"    notes:\n      - {{date: 2018-06-0{1 + i % 9}, by: 李四, text: 进展{i}}}\n"
            body.append(item(code, i, ex))
    elif scen in ("typo", "typo9999"):  # n items in 2018, one due typed 2918 (or 9999)
        far = "2918-06-30" if scen == "typo" else "9999-12-31"
        body = [item(code, i, f"    due: 2018-{1 + i % 12:02d}-{1 + i % 28:02d}\n") for i in range(1, n)]
        body.append(item(code, n, f"    due: {far}\n"))
    elif scen == "notices":  # n notices already issued; 50 yellow items of 50 units
        body = [item(code, i, f"    due: 2018-06-20\n    unit: 单位{i}\n") for i in range(1, 51)]
        extra_files["notices.yaml"] = "notices:\n" + "".join(
            f"  - number: 督办〔2018〕{k}号\n    unit: 单位{k % 50}\n    date: 2018-0{1 + k % 5}-01\n"
            f"    items: [CH-{1 + k % 50}]\n    replies: []\n" for k in range(1, n + 1))
    elif scen == "manyfiles":
        for k in range(n):
            c = f"P{k}"
            files[c] = HEAD.format(code=c) + "items:\n" + item(c, 1, f"    due: 2018-06-{1 + k % 28:02d}\n")
    else:
        raise SystemExit(f"unknown {scen}")
    if not files:
        files[code] = head + "items:\n" + "".join(body)
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "ledgers"))
    with open(os.path.join(root, "taizhang.yaml"), "w") as f:
        f.write(settings)
    for name, text in extra_files.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    for c, text in files.items():
        with open(os.path.join(root, "ledgers", c + ".yaml"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    scen, n, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    build(scen, n, root)
    if "--git" in sys.argv:
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@t")
        subprocess.run(["git", "init", "-q", root], check=True)
        subprocess.run(["git", "-C", root, "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", root, "commit", "-qm", "init"], check=True, env=env)
