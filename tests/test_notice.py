"""督办通知单 (SPEC §7): numbered notices per unit, recorded in notices.yaml, never repeated;
`reply` records 反馈; status marks 督办超期 and counts 督办."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import AS_OF
from hypothesis import given
from hypothesis import strategies as st

from taizhang.domain.notices import NoticeItem, NoticePage
from taizhang.render import notice as paper

SETTINGS = """\
    notice:
      issuer: 四平市铁西区人民政府督查室
      number: 四铁西政督字〔{year}〕{n}号
      signer: 王五
"""

LEDGER = """\
    code: YT2
    name: 宇通二期项目
    unit: 区住建局
    leader: 魏书全
    items:
      - id: YT2-1
        title: 棚户区改造
        unit: 区住建局、区财政局
        due: 2018-06-10
        notes:
          - {date: 2018-06-01, text: 已完成征收公告}
      - id: YT2-2
        title: 主体开工
        due: 2018-06-18
      - id: YT2-3
        title: 远期事项
        due: 2018-12-31
"""


def _notices(root: Path) -> list[dict]:
    data = yaml.safe_load((root / "notices.yaml").read_text(encoding="utf-8"))["notices"]
    return json.loads(json.dumps(data, default=str))  # dates as written


def _status_item(cli, root: Path, item_id: str, as_of: str = AS_OF) -> dict:
    out = cli("--dir", root, "--as-of", as_of, "status", "YT2", "--json")
    return next(i for i in json.loads(out.stdout)["items"] if i["id"] == item_id)


def test_notice__one_numbered_notice_per_unit_lead_and_assisting(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--reply-by", "2018-06-22", "--format", "md")
    assert out.exit_code == 0, out
    notices = _notices(root)
    assert [(n["number"], n["unit"], n["items"]) for n in notices] == [
        ("四铁西政督字〔2018〕1号", "区住建局", ["YT2-1", "YT2-2"]),
        ("四铁西政督字〔2018〕2号", "区财政局", ["YT2-1"]),
    ]
    assert all(n["date"] == "2018-06-15" and n["reply_by"] == "2018-06-22" and n["replies"] == []
               for n in notices)
    text = out.stdout
    assert "四平市铁西区人民政府督查室" in text and "四铁西政督字〔2018〕1号" in text
    assert "棚户区改造（配合）" in text  # 区财政局 assists on YT2-1
    assert "逾期5天" in text and "剩3天" in text and "魏书全" in text and "已完成征收公告" in text
    assert "2018年6月22日" in text and "2018年6月15日" in text and "签发人：王五" in text
    assert "远期事项" not in text  # green is not notified by default


def test_notice__numbers_never_repeat(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局")
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局")
    cli("--dir", root, "--as-of", AS_OF, "notice", "--number", "督字{n}")
    numbers = [n["number"] for n in _notices(root)]
    assert numbers == ["四铁西政督字〔2018〕1号", "四铁西政督字〔2018〕2号", "督字1", "督字2"]
    assert len(set(numbers)) == len(numbers)


def test_notice__spliced_onto_the_file_keeping_comments(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局")
    path = root / "notices.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("replies: []", "replies: []  # 待反馈"),
                    encoding="utf-8")
    first = path.read_text(encoding="utf-8")
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区财政局")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(first) and "# 待反馈" in after


def test_notice__template_without_n_is_refused_and_nothing_recorded(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--number", "督字〔{year}〕")
    assert out.exit_code == 1 and len(out.stderr.strip().splitlines()) == 1
    assert not (root / "notices.yaml").exists()


def test_notice__no_items_issues_nothing(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区教育局")
    assert out.exit_code == 0 and not (root / "notices.yaml").exists()


def test_notice__docx_is_laid_out_as_official_paper(cli, repo, tmp_path):
    from docx import Document

    root = repo(SETTINGS, YT2=LEDGER)
    target = tmp_path / "notice.docx"
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--out", target)
    assert out.exit_code == 0, out
    doc = Document(io.BytesIO(target.read_bytes()))
    paragraphs = [p for p in doc.paragraphs if p.text]
    issuer = paragraphs[0]
    assert issuer.text == "四平市铁西区人民政府督查室"
    assert str(issuer.runs[0].font.color.rgb) == "C00000" and issuer.alignment == 1  # red, centred
    assert paragraphs[1].text == "四铁西政督字〔2018〕1号"
    assert "w:pBdr" in paragraphs[1]._p.xml  # the red line under the number
    body = next(p for p in paragraphs if p.text.startswith("经督查"))
    assert body.runs[0].font.size.pt == 16 and "仿宋" in body.runs[0].font.name  # 仿宋 三号
    heading = next(p for p in paragraphs if p.text == "一、督办事项")
    assert heading.runs[0].font.name == "黑体"
    date_line = [p for p in paragraphs if p.text == "2018年6月15日"]
    assert len(date_line) == 2 and all(p.alignment == 2 for p in date_line)  # right, one per unit
    assert sum("w:br" in p._p.xml and 'w:type="page"' in p._p.xml for p in doc.paragraphs) == 1  # 2 pages


def test_notice__docx_or_pdf_needs_out(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--format", "docx")
    assert out.exit_code == 1 and not (root / "notices.yaml").exists()


def test_notice__html_escapes_every_value(cli, repo, tmp_path):
    root = repo(SETTINGS, YT2=LEDGER.replace("title: 主体开工", "title: <script>x</script>"))
    target = tmp_path / "n.html"
    assert cli("--dir", root, "--as-of", AS_OF, "notice", "--out", target).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert html.count('class="page"') == 2 and "四铁西政督字〔2018〕2号" in html


def test_pdf__without_a_printer_says_what_to_install(cli, repo, tmp_path, monkeypatch):
    root = repo(SETTINGS, YT2=LEDGER)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "n.pdf"
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--out", target)
    assert out.exit_code == 1 and "Chromium" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not target.exists() and not (root / "notices.yaml").exists()


def test_pdf__printed_when_a_browser_or_office_is_found(tmp_path):
    if not any(paper.shutil.which(n) for n in paper.BROWSERS + paper.OFFICE):
        pytest.skip("no Chromium or LibreOffice on this machine")
    from datetime import date

    page = NoticePage("督字1号", "区住建局", "督查室", date(2018, 6, 15), None, None,
                      [NoticeItem("YT2-1", "棚户区改造", "宇通二期", date(2018, 6, 10), -5, None, None, None, False)])
    assert paper.to_pdf([page]).startswith(b"%PDF")


def test_gb_date_has_no_leading_zeros():
    from datetime import date

    assert paper.gb_date(date(2019, 3, 5)) == "2019年3月5日"


def test_reply_and_overdue_notice_in_status(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--reply-by", "2018-06-20")
    on_time = _status_item(cli, root, "YT2-1", "2018-06-20")
    assert on_time["notices"] == 2 and on_time["overdue_notice"] is False
    late = _status_item(cli, root, "YT2-1", "2018-06-21")
    assert late["overdue_notice"] is True
    assert _status_item(cli, root, "YT2-3", "2018-06-21") == {**_status_item(cli, root, "YT2-3", "2018-06-21"),
                                                             "notices": 0, "overdue_notice": False}
    table = cli("--dir", root, "--as-of", "2018-06-21", "status", "YT2")
    assert "督办超期" in table.stdout
    out = cli("--dir", root, "--as-of", "2018-06-19", "reply", "四铁西政督字〔2018〕2号", "已拨付资金", "--by", "区财政局")
    assert out.exit_code == 0, out
    assert _notices(root)[1]["replies"] == [{"date": "2018-06-19", "text": "已拨付资金", "by": "区财政局"}]
    # 区住建局's notice (also naming YT2-1) is still unanswered: still 督办超期
    assert _status_item(cli, root, "YT2-1", "2018-06-21")["overdue_notice"] is True
    cli("--dir", root, "--as-of", "2018-06-19", "reply", "四铁西政督字〔2018〕1号", "正在推进")
    cli("--dir", root, "--as-of", "2018-06-19", "reply", "四铁西政督字〔2018〕1号", "补充材料")
    assert len(_notices(root)[0]["replies"]) == 2
    assert _status_item(cli, root, "YT2-1", "2018-06-21")["overdue_notice"] is False


def test_reply__dated_after_as_of_says_it_of_a_reply(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--reply-by", "2018-06-20")
    before = (root / "notices.yaml").read_bytes()
    out = cli("--dir", root, "--as-of", AS_OF, "reply", "四铁西政督字〔2018〕1号", "已办", "--on", "2018-06-16")
    assert out.exit_code == 1
    assert out.stderr == "taizhang: 反馈日期 2018-06-16 晚于 --as-of 2018-06-15：不能记录尚未收到的反馈\n"
    out = cli("--dir", root, "--as-of", AS_OF, "--lang", "en", "reply", "四铁西政督字〔2018〕1号", "x", "--on", "2018-06-16")
    assert "销号" not in out.stderr and "close" not in out.stderr and "reply dated 2018-06-16" in out.stderr
    assert (root / "notices.yaml").read_bytes() == before


def test_reply__unknown_number_is_refused(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    out = cli("--dir", root, "--as-of", AS_OF, "reply", "督字99号", "x")
    assert out.exit_code == 1 and "督字99号" in out.stderr


def test_notice__a_broken_notices_file_is_one_line_per_problem(cli, repo, monkeypatch):
    root = repo(SETTINGS, YT2=LEDGER)
    (root / "notices.yaml").write_text("notices:\n  - number: 1\n    bogus: x\n", encoding="utf-8")
    monkeypatch.chdir(root)
    out = cli("--as-of", AS_OF, "notice")
    # One line per problem, each at its place (as check says them: tests/test_notices_check.py)
    assert out.exit_code == 1 and out.stderr.splitlines() == [
        "notices.yaml:2:5: 缺少必填字段 notices[0].unit", "notices.yaml:2:5: 缺少必填字段 notices[0].date",
        "notices.yaml:2:13: notices[0].number 应为文字",
        "notices.yaml:3:5: 未知字段 bogus（拼写错误？可用字段：number, unit, date, reply_by, items, replies）"], out


def test_notice__a_failed_write_leaves_no_temporary_file(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局")
    leftovers = [p for p in os.listdir(root) if p.endswith(".tmp")]
    assert leftovers == []


def test_reply__dated_before_the_notice_or_after_as_of_is_refused(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局")
    before = (root / "notices.yaml").read_bytes()
    early = cli("--dir", root, "--as-of", AS_OF, "reply", "四铁西政督字〔2018〕1号", "x", "--on", "2018-06-14")
    late = cli("--dir", root, "--as-of", AS_OF, "reply", "四铁西政督字〔2018〕1号", "x", "--on", "2018-06-16")
    assert early.exit_code == 1 and "2018-06-14" in early.stderr
    assert late.exit_code == 1
    assert (root / "notices.yaml").read_bytes() == before


def test_notice__commit_records_the_notices_file(cli, repo, monkeypatch):
    import subprocess

    for key in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{key}_NAME", "督查室")
        monkeypatch.setenv(f"{key}_EMAIL", "dc@example.org")
    root = repo(SETTINGS, YT2=LEDGER)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@x", "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "init"],
                   check=True)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--unit", "区住建局", "--commit")
    assert out.exit_code == 0, out
    shown = subprocess.run(["git", "-C", str(root), "show", "--stat", "--format=%s", "HEAD"], capture_output=True,
                           text=True, check=True).stdout
    assert "督办通知单" in shown and "notices.yaml" in shown


def test_status__a_broken_notices_file_is_reported_and_the_table_still_shown(cli, repo):
    root = repo(SETTINGS, YT2=LEDGER)
    (root / "notices.yaml").write_text("notices:\n  - number: [\n", encoding="utf-8")
    out = cli("--dir", root, "--as-of", AS_OF, "status", "YT2")
    assert out.exit_code == 1 and "棚户区改造" in out.stdout and "notices.yaml" in out.stderr
    assert "Traceback" not in out.stderr


# --- many notices (the super-linear hunt: 50 more onto 8,000 took 5.6 s) ------------------------

def _issued_as_it_was(text: str, entries: list[dict]) -> str:
    """notices.issue's splice as first written: each entry after the one before it, the grown
    text composed again per entry. What the one splice is held to, byte for byte."""
    from taizhang.yamltext import emit, splice
    from taizhang.yamltext.read import compose

    newline = "\r\n" if "\r\n" in text else "\n"
    seq = splice.mapping_get(compose(text), "notices")[1]
    first = seq.value[0]
    for e in entries:
        lines = emit.entry_lines(e, dash=seq.start_mark.column, key_col=first.start_mark.column)
        text = splice.append_block_entry(text, seq, lines, newline)
        seq = splice.mapping_get(compose(text), "notices")[1]
    return text


_ONE = "  - number: 督办〔2018〕1号\n    unit: 区住建局\n    date: 2018-06-01\n    items: [YT2-1]\n    replies: []\n"

NOTICES_AS_WRITTEN = {
    "as issued": "# 督办通知单\nnotices:\n" + _ONE,
    "crlf": ("# 督办通知单\nnotices:\n" + _ONE).replace("\n", "\r\n"),
    "no final line break": "notices:\n" + _ONE.rstrip("\n"),
    "comments after": "notices:\n" + _ONE.replace("[]\n", "[]  # 待反馈\n") + "\n# 以下手写\n\n",
    "dashes at the margin": "notices:\n" + "".join(line[2:] + "\n" for line in _ONE.splitlines()),
    "wide keys": "notices:\n" + _ONE.replace("  - number", "  -   number").replace("\n    ", "\n      "),
    "a block of replies last": "notices:\n" + _ONE.replace(
        "replies: []\n", "replies:\n      - {date: 2018-06-02, text: 已办结}\n\n"),
    "a hand-written reply text": "notices:\n" + _ONE.replace(
        "replies: []\n", "replies:\n      - date: 2018-06-02\n        text: |\n          已办结\n\n"),
}


@pytest.mark.parametrize("shape", sorted(NOTICES_AS_WRITTEN))
def test_notice__many_at_once_spliced_as_one_at_a_time_was(shape, tmp_path):
    from datetime import date

    from taizhang.repo import notices as records
    from taizhang.yamltext.read import encode

    text = NOTICES_AS_WRITTEN[shape]
    for bom in (False, True):
        (tmp_path / "notices.yaml").write_bytes(encode(text, bom))
        entries = [{"number": f"督办〔2018〕{k}号", "unit": unit, "date": date(2018, 6, 15),
                    "reply_by": date(2018, 6, 22) if k % 2 else None, "items": [f"YT2-{k}", "YT2-1"]}
                   for k, unit in enumerate(["区财政局", "各县、市、区政府", "*特殊: 单位", "区水务局"], start=2)]
        records.issue(tmp_path, lambda existing, entries=entries: entries)
        expected = _issued_as_it_was(text, [{**{k: v for k, v in e.items() if v is not None}, "replies": []}
                                            for e in entries])
        assert (tmp_path / "notices.yaml").read_bytes() == encode(expected, bom)


def test_notice__k_numbers_read_the_notices_once(monkeypatch):
    """Each number was chosen by reading every notice again (k x n); now the n are read once."""
    from taizhang.repo import notices as records

    reads = []

    class Issued:
        def __init__(self, number):
            self._number = number

        @property
        def number(self):
            reads.append(1)
            return self._number

    existing = [Issued(f"督办〔2018〕{k}号") for k in range(1, 2001)]
    numbers = records.numbers("督办〔{year}〕{n}号", 2018, existing)
    assert [next(numbers) for _ in range(2000)] == [f"督办〔2018〕{k}号" for k in range(2001, 4001)]
    assert len(reads) == 2 * 2000


def _numbers_as_they_were(template, year, existing, k):
    """next_number as first written, called k times with the numbers given so far taken."""
    import re

    taken: set[str] = set()
    head, _, tail = template.format(year=year, n="\0").partition("\0")
    pattern = re.compile(re.escape(head) + r"(\d+)" + re.escape(tail))
    for _ in range(k):
        used = [int(m.group(1)) for n in existing for m in [pattern.fullmatch(n)] if m]
        n = max(used, default=0) + 1
        while template.format(year=year, n=n) in set(existing) | taken:
            n += 1
        taken.add(template.format(year=year, n=n))
        yield template.format(year=year, n=n)


@given(used=st.lists(st.integers(0, 40), max_size=15), foreign=st.lists(st.sampled_from(
    ["督字7", "督字07", "督字", "督字〔2017〕3号", "督字x8"]), max_size=3), k=st.integers(0, 25),
    template=st.sampled_from(["督字{n}", "督字〔{year}〕{n}号", "{n}{year}"]))
def test_notice__numbers_are_the_ones_chosen_one_at_a_time(used, foreign, k, template):
    from types import SimpleNamespace

    from taizhang.repo import notices as records

    existing = [template.format(year=2018, n=n) for n in used] + foreign
    numbers = records.numbers(template, 2018, [SimpleNamespace(number=x) for x in existing])
    assert [next(numbers) for _ in range(k)] == list(_numbers_as_they_were(template, 2018, existing, k))


def test_notice__many_notices_compose_and_write_the_file_once(cli, repo, monkeypatch):
    """50 units onto 2,000 notices: notices.yaml is composed once for the splice (it was per new
    entry) and written once, every notice or none."""
    from taizhang.repo import notices as records

    units = [f"单位{k}" for k in range(50)]
    ledger = "code: CH\nname: 测试\nitems:\n" + "".join(
        f"  - id: CH-{k + 1}\n    title: 事项{k + 1}\n    due: 2018-06-20\n    unit: {u}\n" for k, u in enumerate(units))
    root = repo(SETTINGS, CH=ledger)
    (root / "notices.yaml").write_text("notices:\n" + "".join(
        f"  - number: 四铁西政督字〔2018〕{k}号\n    unit: 单位{k % 50}\n    date: 2018-06-01\n"
        f"    items: [CH-{1 + k % 50}]\n    replies: []\n" for k in range(1, 2001)), encoding="utf-8")
    composed, written = [], []
    compose, atomic_write = records.compose, records.atomic_write
    monkeypatch.setattr(records, "compose", lambda text: composed.append(1) or compose(text))
    monkeypatch.setattr(records, "atomic_write", lambda *a: written.append(1) or atomic_write(*a))
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--format", "md")
    assert out.exit_code == 0, out.stderr
    numbers = [n["number"] for n in _notices(root)]
    assert numbers[2000:] == [f"四铁西政督字〔2018〕{k}号" for k in range(2001, 2051)]
    assert (len(composed), len(written)) == (1, 1)


def test_notice__a_failed_check_records_none_of_many(cli, repo, monkeypatch):
    from taizhang.repo import write

    units = [f"单位{k}" for k in range(20)]
    ledger = "code: CH\nname: 测试\nitems:\n" + "".join(
        f"  - id: CH-{k + 1}\n    title: 事项{k + 1}\n    due: 2018-06-20\n    unit: {u}\n" for k, u in enumerate(units))
    root = repo(SETTINGS, CH=ledger)
    (root / "notices.yaml").write_text("notices:\n" + _ONE, encoding="utf-8")
    before = (root / "notices.yaml").read_bytes()
    monkeypatch.setattr(write, "same_data", lambda a, b: False)
    out = cli("--dir", root, "--as-of", AS_OF, "notice", "--format", "md")
    assert out.exit_code == 1 and len(out.stderr.strip().splitlines()) == 1
    assert (root / "notices.yaml").read_bytes() == before


@pytest.mark.parametrize("out", ["ledgers/n.md", "n.pdf", "evidence"])
def test_notice__an_out_refused_records_no_notice(cli, repo, out):
    """A notice is recorded in notices.yaml once rendered: an --out that will be refused is refused
    before, so no number is used up (nor counted as 督办) by a notice never written."""
    root = repo(settings=SETTINGS, YT2=LEDGER)
    (root / "evidence").mkdir()
    result = cli("--dir", root, "--as-of", AS_OF, "notice", "--format", "md", "--out", root / out)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1, result
    assert not (root / "notices.yaml").exists()
    assert cli("--dir", root, "--as-of", AS_OF, "notice", "--out", root / "ok.md").exit_code == 0
    assert [n["number"] for n in _notices(root)][:1] == ["四铁西政督字〔2018〕1号"]


@pytest.mark.parametrize("light", ["红,黄", "红灯", "逾期", "red,临期"])
def test_notice__light_takes_the_chinese_words_every_light_option_does(cli, repo, light):
    root = repo(settings=SETTINGS, YT2=LEDGER)
    result = cli("--dir", root, "--as-of", AS_OF, "notice", "--light", light)
    assert result.exit_code == 0, result
    assert _notices(root)


@pytest.mark.parametrize("template", ["督{year[0]}{n}号", "{n}{year.foo}", "{year.real}{n}", "{n}{x}", "{n}{0}"])
def test_notice__a_template_reaching_into_its_fields_is_one_line(cli, repo, template):
    root = repo(settings=SETTINGS, YT2=LEDGER)
    result = cli("--dir", root, "--as-of", AS_OF, "notice", "--number", template)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result
    assert not (root / "notices.yaml").exists()
