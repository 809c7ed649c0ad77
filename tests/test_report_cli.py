"""`taizhang report day|week|month` through the CLI: every format, read back with the library
that reads it (openpyxl, python-docx), golden text and Markdown, and the printed HTML checked in
headless Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("TAIZHANG_REGEN_GOLDEN") == "1"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (TAIZHANG_REGEN_GOLDEN=1 to accept)"


def _sample(cli, *args):
    return cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", "report", *args)


@pytest.mark.parametrize("args, golden", [
    (("week",), "report_week.txt"),
    (("month", "--format", "md"), "report_month.md"),
    (("day", "--lang", "en"), "report_day_en.txt"),
])
def test_report__sample_repository_golden(cli, args, golden):
    result = _sample(cli, *args)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    _check_golden(golden, result.stdout)


def test_report__week_text_says_what_the_week_holds(cli):
    out = _sample(cli, "week").stdout
    assert out.startswith('经开区2018年重点项目"双十工程"\n重点项目周例会简报\n')
    assert "报告期：2018年6月11日至6月17日（第24周）" in out and "截至：2018年6月15日" in out
    assert "本期（2018年6月11日至6月15日）销号任务、节点 3 项，其中逾期销号 3 项" in out
    assert "问题台账未销号 9 个（其中逾期 7 个）" in out.replace("\n", "")   # the paragraph folds at the width
    assert "月点评" not in out                       # only the month report reviews the units
    assert "\x1b[" not in out


def test_report__month_adds_the_review(cli):
    out = _sample(cli, "month").stdout
    assert "九、月点评" in out and "按期销号率排名" in out and "红灯数排名" in out
    assert "6月完成" in out                           # the month's own investment figure


def test_report__cjk_columns_align(cli):
    from taizhang.render.table import width

    lines = _sample(cli, "week").stdout.splitlines()
    head = next(line for line in lines if line.startswith("亮灯  代码  项目"))
    column = width(head[:head.index("责任单位")])
    rows = [line for line in lines if re.match(r"(逾期|临期|正常) +[A-Z0-9]+ ", line)]
    assert len(rows) == 19
    from taizhang.repo.cache import Cache
    from taizhang.repo.load import load_repo

    units = {ledger.code: ledger.unit for ledger in load_repo(Cache(REPO_ROOT)).ledgers}
    # The unit is the last text before the leader (a long one folds: its first characters suffice).
    starts = {width(line[:line.rindex(units[line.split()[1]][:3])]) for line in rows}
    assert starts == {column}
    # Right-aligned counts end where their header ends.
    end = width(head)
    assert {width(line) for line in rows} == {end}


def test_report__markdown_escapes_pipes_and_markup(cli, repo):
    root = repo(settings="title: 'A|B <b>'\n", P="code: P\nname: 'x|y'\nitems:\n"
                "  - {id: P-1, title: 'a|b*c*', due: 2018-06-10}\n")
    out = cli("--dir", root, "--as-of", AS_OF, "report", "week", "--format", "md").stdout
    assert "**A\\|B \\<b\\>**" in out
    assert "| x\\|y | P-1 | a\\|b\\*c\\* |" in out


# --- html ------------------------------------------------------------------------------------------

def test_report__html_escapes_user_text(cli, repo):
    root = repo(settings="title: '<script>alert(1)</script>'\n",
                P="code: P\nname: '<img src=x onerror=alert(1)>'\nunit: 'A&B'\nitems:\n"
                  "  - {id: P-1, title: '<b>粗</b>', due: 2018-06-10}\n")
    out = cli("--dir", root, "--as-of", AS_OF, "report", "week", "--format", "html").stdout
    assert "<script>" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "A&amp;B" in out and "&lt;b&gt;粗&lt;/b&gt;" in out


def test_report__html_is_made_for_print(cli):
    out = _sample(cli, "week", "--format", "html").stdout
    assert "@page { size: A4 landscape;" in out
    assert "table-layout: fixed" in out and "word-break: break-all" in out
    assert "thead { display: table-header-group; }" in out
    assert re.search(r'font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋"', out)
    assert '"SimHei", "黑体"' in out
    # Lights in colour and in words.
    assert '<td class="light l-red">逾期</td>' in out and '<td class="light l-yellow">临期</td>' in out
    assert out.count("<thead>") == 8


# --- xlsx ------------------------------------------------------------------------------------------

def _xlsx(path: Path):
    import openpyxl

    return openpyxl.load_workbook(path)


def test_report__xlsx_cells(cli, tmp_path):
    out = tmp_path / "周报.xlsx"
    result = _sample(cli, "week", "--out", out)           # the format from the file's extension
    assert result.exit_code == 0, result
    assert result.stdout.strip() == f"已写入 {out}"
    wb = _xlsx(out)
    assert wb.sheetnames == ["总体情况", "分项目情况", "本期销号", "本期进展", "红灯督办（逾期事项）", "到期提醒",
                             "问题台账", "投资完成"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A4"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9          # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)   # one page wide
        assert ws.print_title_rows == "$3:$3"             # the header on every printed page
        assert ws["A1"].value.startswith('经开区2018年重点项目"双十工程" 重点项目周例会简报')
        assert ws["A2"].value == "报告期：2018年6月11日至6月17日（第24周）    截至：2018年6月15日"

    closed = wb["本期销号"]
    assert [c.value for c in closed[3]] == ["项目", "编号", "事项", "时间节点", "销号日期", "逾期天数", "销号人", "销号说明"]
    row = [c for c in closed[4]]
    assert [c.value for c in row[:3]] == ["安置房建设工程（48个项目）", "AZF-3", "已清场地块建筑垃圾清运"]
    assert row[3].value == datetime(2018, 6, 5) and row[3].is_date and row[3].number_format == "yyyy-mm-dd"
    assert row[4].value == datetime(2018, 6, 11) and row[4].is_date
    assert row[5].value == 6 and row[5].data_type == "n"
    assert row[5].fill.fgColor.rgb.endswith("FFC7CE") and row[5].font.color.rgb.endswith("9C0006")
    assert row[6].value == "韩立新" and row[7].value == "清运车辆受限行影响，逾期6天完成"
    assert closed.max_row >= 6 and closed["B6"].value == "JDYH-3"

    overview = wb["总体情况"]
    assert [c.value for c in overview[6]] == ["合计", 11, 7, 49, 0, 55, 122]
    assert overview["B4"].fill.fgColor.rgb.endswith("FFC7CE")          # 4 red tasks, filled red
    assert overview["A8"].value.startswith("本期（2018年6月11日至6月15日）销号任务、节点 3 项")   # the paragraph below

    invest = wb["投资完成"]
    assert [c.value for c in invest[3]] == ["亮灯", "代码", "项目", "年度计划（万元）", "累计完成（万元）", "完成率",
                                           "滞后（百分点）"]
    first = [c for c in invest[4]]
    assert [c.value for c in first[:2]] == ["红灯", "PTSS"]
    assert first[0].fill.fgColor.rgb.endswith("FFC7CE")
    assert first[3].value == 100000 and first[3].data_type == "n" and first[3].number_format == "#,##0.00"
    assert first[4].value == 14000
    assert first[5].value == pytest.approx(0.14) and first[5].number_format == "0.00%"
    assert first[6].value == pytest.approx(31.48) and first[6].number_format == "0.00"
    assert invest["A11"].value == "绿灯" and invest["A11"].fill.fgColor.rgb.endswith("C6EFCE")
    total = [c.value for c in invest[12]]
    assert total[2] == "合计 全部项目" and total[3] == 1547000 and total[4] == 601000

    due = wb["到期提醒"]
    assert due["F4"].value == "临期" and due["F4"].fill.fgColor.rgb.endswith("FFEB9C")
    assert due["E6"].value == 0 and due["E4"].value == 7


EVIL = """\
code: EVIL
name: '=HYPERLINK("http://example.invalid","点我")'
unit: '@区建设局'
items:
  - id: EVIL-1
    title: '=1+1'
    due: 2018-06-10
    owner: '-李四'
  - id: EVIL-2
    title: '+86 电话'
    due: 2018-06-14
    closed: {date: 2018-06-12, by: '=by', note: '-note'}
    notes:
      - {date: 2018-06-13, text: '@进展'}
"""


def test_report__xlsx_neutralises_formulas(cli, repo, tmp_path):
    root = repo(settings="title: '=cmd|'' /C calc''!A0'\n", EVIL=EVIL)
    out = tmp_path / "r.xlsx"
    result = cli("--dir", root, "--as-of", AS_OF, "report", "week", "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result
    wb = _xlsx(out)
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    risky.append(cell.value)
    assert {'=HYPERLINK("http://example.invalid","点我")', "@区建设局", "=1+1", "-李四", "+86 电话", "=by",
            "-note", "@进展"} <= set(risky)
    assert any(v.startswith("=cmd|' /C calc'!A0") for v in risky)      # the title row too
    with zipfile.ZipFile(out) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)             # no formula anywhere


def test_report__binary_formats_need_out(cli):
    for fmt in ("xlsx", "docx"):
        result = _sample(cli, "week", "--format", fmt)
        assert result.exit_code == 1
        assert result.stderr == f"taizhang: {fmt} 是二进制文件，请用 --out 指定要写入的文件，如 --out 周报.{fmt}\n"
        assert result.stdout == ""


def test_report__out_writes_text_formats(cli, tmp_path):
    out = tmp_path / "sub" / "week.md"
    result = _sample(cli, "week", "--out", out)
    assert result.exit_code == 0 and result.stdout.strip() == f"已写入 {out}"
    assert out.read_text(encoding="utf-8").startswith("# 重点项目周例会简报\n")
    html_out = tmp_path / "week.html"
    assert _sample(cli, "week", "--out", html_out).exit_code == 0
    assert html_out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    forced = tmp_path / "week.html.txt"
    assert _sample(cli, "week", "--format", "text", "--out", forced).exit_code == 0
    assert forced.read_text(encoding="utf-8") == _sample(cli, "week").stdout


def test_report__unwritable_out_is_a_user_error(cli, tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    result = _sample(cli, "week", "--out", tmp_path / "dir.xlsx")
    assert result.exit_code == 1 and result.stderr.startswith(f"taizhang: 不写入 {tmp_path / 'dir.xlsx'}：它是一个文件夹")
    assert "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["dir.xlsx"]          # no temporary file left


def test_report__broken_ledger_gives_no_report(cli, repo, tmp_path):
    root = repo(P="code: P\nname: x\nitems:\n  - {id: P-1, title: a, deu: 2018-06-10}\n")
    out = tmp_path / "r.xlsx"
    result = cli("--dir", root, "--as-of", AS_OF, "report", "week", "--out", out)
    assert result.exit_code == 1 and "deu" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_report__wrong_period_is_usage_error(cli):
    assert _sample(cli, "year").exit_code == 2


def test_report__english_headers(cli):
    out = _sample(cli, "month", "--lang", "en").stdout
    assert "Key projects: monthly review" in out and "Period: June 2018 (2018-06-01 to 2018-06-30)" in out
    assert "9. Monthly review" in out and "Units by on-time closing rate" in out


# --- docx ------------------------------------------------------------------------------------------

def test_report__docx_title_period_and_tables(cli, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    out = tmp_path / "月报.docx"
    result = _sample(cli, "month", "--out", out)
    assert result.exit_code == 0, result
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["重点项目月点评简报", '经开区2018年重点项目"双十工程"',
                         "报告期：2018年6月（2018年6月1日至6月30日）    截至：2018年6月15日"]
    assert "一、总体情况" in texts and "九、月点评" in texts
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    assert abs(section.page_width.mm - 297) < 1 and abs(section.page_height.mm - 210) < 1
    tables = document.tables
    assert len(tables) == 11          # tally, projects, closed, notes, red, due, problems, invest, 2 rankings, league
    closed = tables[2]
    assert [c.text for c in closed.rows[0].cells] == ["项目", "编号", "事项", "时间节点", "销号日期", "逾期天数",
                                                      "销号人", "销号说明"]
    assert [c.text for c in closed.rows[1].cells][:6] == ["安置房建设工程（48个项目）", "AZF-3", "已清场地块建筑垃圾清运",
                                                          "2018-06-05", "2018-06-11", "6"]
    assert len(closed.rows) == 1 + 7
    # The header row repeats on each page; a light is shaded as well as written.
    assert closed.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    light = tables[1].rows[1].cells[0]
    assert light.text == "逾期"
    assert light._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "FFC7CE"
    assert [c.text for c in tables[8].rows[1].cells] == ["1", "区农经委", "1", "1", "0", "0", "100.00%"]
    assert document.core_properties.title == '经开区2018年重点项目"双十工程" 重点项目月点评简报'


# --- printed in Chromium ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
# The width the page gives a table: A4 landscape less the @page margins, 297 − 2 × 10 mm, in CSS px.
PRINTABLE_PX = round((297 - 20) / 25.4 * 96)

CHECK_SCRIPT = """
<script>
(function () {
  var width = document.documentElement.clientWidth, bad = [], tables = document.querySelectorAll('table');
  tables.forEach(function (t, i) {
    var box = t.getBoundingClientRect();
    if (box.left < -0.5 || box.right > width + 0.5 || t.scrollWidth > t.clientWidth + 1)
      bad.push('table ' + i + ' is ' + Math.round(box.width) + 'px wide on a ' + width + 'px page');
    t.querySelectorAll('th, td').forEach(function (c) {
      if (c.scrollWidth > c.clientWidth + 1) bad.push('table ' + i + ' cell overflows: ' + c.textContent.slice(0, 30));
    });
  });
  document.body.setAttribute('data-layout', JSON.stringify({width: width, tables: tables.length, bad: bad}));
})();
</script>
"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def _layout(tmp_path: Path, page: str, name: str) -> dict:
    """Lay the page out at the printable width and ask the browser whether any table or cell is
    wider than its room."""
    path = tmp_path / name
    path.write_text(page.replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8")
    result = _chromium(tmp_path, f"--window-size={PRINTABLE_PX},1200", "--dump-dom", path.as_uri())
    found = re.search(r'data-layout="([^"]*)"', result.stdout)
    assert found, result.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs Debian's chromium)")
def test_report__printed_week_is_a4_landscape_and_no_table_is_clipped(cli, tmp_path):
    page = _sample(cli, "week", "--format", "html").stdout
    source = tmp_path / "week.html"
    source.write_text(page, encoding="utf-8")
    pdf = tmp_path / "week.pdf"
    result = _chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", source.as_uri())
    assert pdf.is_file() and pdf.stat().st_size > 0, result.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 2                                   # the week's tables take several pages
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        assert abs((x1 - x0) - 842) <= 2 and abs((y1 - y0) - 595) <= 2, box   # A4 landscape, in points

    layout = _layout(tmp_path, page, "check.html")
    assert abs(layout["width"] - PRINTABLE_PX) <= 2, layout  # laid out at the printed width
    assert layout["tables"] == 8 and layout["bad"] == [], layout

    # The check does fail when a table is wider than the page: the same page, one table forced wide.
    too_wide = page.replace("<table>", '<table style="min-width: 300mm">', 1)
    assert too_wide != page
    assert _layout(tmp_path, too_wide, "too-wide.html")["bad"]
