"""The month report's trend (SPEC §7, issue 18): the weekly trend from the git history as a table
in every format, as SVG charts in HTML and as native charts in xlsx (reading the trend sheet's
cells) and docx (chart parts with their numbers and an embedded workbook); a repository with no
history to speak of gets a sentence, not an empty chart."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.shape import WD_INLINE_SHAPE
from openpyxl import load_workbook
from openpyxl.chart.chartspace import ChartSpace
from openpyxl.chart.reader import read_chart
from openpyxl.xml.functions import fromstring
from test_trend import _commit, _git, _ledger, make_history

AS_OF = "2018-02-11"  # six weeks of make_history's office: 01-07 … 02-11
CLOSED = [0, 1, 1, 1, 1, 3]
WEEKS = ["01-07", "01-14", "01-21", "01-28", "02-04", "02-11"]
NONE = "没有可画的趋势"


def _title(chart) -> str:
    return "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))


def _report(cli, root: Path, out: Path, as_of: str = AS_OF) -> Path:
    result = cli("--dir", root, "--as-of", as_of, "report", "month", "--out", out)
    assert result.exit_code == 0, result
    return out


def test_month_xlsx__native_charts_read_the_trend_sheet(cli, tmp_path):
    root = make_history(tmp_path / "office")
    wb = load_workbook(_report(cli, root, tmp_path / "月报.xlsx"))
    assert wb.sheetnames[-1] == "趋势"
    ws = wb["趋势"]
    headers = [c.value for c in ws[3]]
    assert headers[:6] == ["周期", "红灯", "黄灯", "绿灯", "无时限", "已销号"]
    assert [ws.cell(r, 1).value for r in range(4, 10)] == WEEKS
    closed = headers.index("累计销号") + 1
    assert [ws.cell(r, closed).value for r in range(4, 10)] == CLOSED
    charts = ws._charts
    assert [type(c).__name__ for c in charts] == ["BarChart", "LineChart", "LineChart"]
    assert [_title(c) for c in charts] == ["各期末亮灯（事项数）", "到期与销号（累计）", "本年完成投资与序时进度（万元）"]
    assert [len(c.series) for c in charts] == [5, 4, 2]
    lights, burnup, invest = charts
    assert lights.grouping == "stacked"
    # each series reads its column of the table, named by its header, over the weeks
    assert [s.val.numRef.f for s in lights.series] == [f"'趋势'!${c}$4:${c}$9" for c in "BCDEF"]
    assert [s.tx.strRef.f for s in lights.series] == [f"'趋势'!${c}$3:${c}$3" for c in "BCDEF"]
    assert all(s.cat.strRef.f == "'趋势'!$A$4:$A$9" for c in charts for s in c.series)
    letter = "ABCDEFGHIJKLM"[closed - 1]
    assert f"'趋势'!${letter}$4:${letter}$9" in [s.val.numRef.f for s in burnup.series]
    assert {s.tx.strRef.strCache.pt[0].v for s in invest.series} == {"完成投资（万元）", "序时进度（万元）"}
    # the charts sit under the table, one after another
    rows = [c.anchor._from.row for c in charts]
    assert rows == sorted(rows) and rows[0] > 9


def _trend_section(doc) -> list:
    """The body's elements from the trend's heading to the end."""
    body = list(doc.element.body)
    start = next(i for i, el in enumerate(body) if el.tag.endswith("}p") and "".join(el.itertext()).endswith("趋势"))
    return body[start:]


def _without_external_data(part):
    """The chart's XML less c:externalData (openpyxl's reader does not know its r:id), once checked
    that it names the part's embedded workbook."""
    tree = fromstring(part.blob)
    external = tree.find("{http://schemas.openxmlformats.org/drawingml/2006/chart}externalData")
    rid = external.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    assert part.rels[rid].reltype.endswith("/package")
    assert part.related_parts[rid].content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    tree.remove(external)
    return tree


def test_month_docx__native_chart_parts_with_their_data_in_the_trend_section(cli, tmp_path):
    root = make_history(tmp_path / "office")
    doc = Document(str(_report(cli, root, tmp_path / "月报.docx")))
    assert [shape.type for shape in doc.inline_shapes] == [WD_INLINE_SHAPE.CHART] * 3
    section = _trend_section(doc)
    assert sum(len(el.findall(".//{*}drawing")) for el in section) == 3  # all three in the trend section
    rids = [c.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for el in section for c in el.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/chart}chart")]
    parts = [doc.part.related_parts[rid] for rid in rids]
    assert all(p.content_type == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml" for p in parts)
    charts = [read_chart(ChartSpace.from_tree(_without_external_data(p))) for p in parts]
    assert [_title(c) for c in charts] == ["各期末亮灯（事项数）", "到期与销号（累计）", "本年完成投资与序时进度（万元）"]
    assert [len(c.series) for c in charts] == [5, 4, 2]
    # the numbers travel in the chart (what Word and WPS draw) …
    burnup = {s.tx.strRef.strCache.pt[0].v: [pt.v for pt in s.val.numRef.numCache.pt] for s in charts[1].series}
    assert burnup["累计销号"] == CLOSED
    assert [pt.v for pt in charts[0].series[0].cat.strRef.strCache.pt] == WEEKS
    # … and as the workbook "edit data" opens, which the references point into
    workbook_part = next(iter(parts[1].related_parts.values()))
    data = load_workbook(io.BytesIO(workbook_part.blob))["Sheet1"]
    closed = [c.value for c in data[1]].index("累计销号") + 1
    assert [data.cell(r, closed).value for r in range(2, 8)] == CLOSED
    letter = "ABCDEFGHIJKLM"[closed - 1]
    assert f"'Sheet1'!${letter}$2:${letter}$7" in [s.val.numRef.f for s in charts[1].series]


def test_month_html_text_md__the_trend_table_and_the_svg_charts(cli, tmp_path):
    root = make_history(tmp_path / "office")
    base = ("--dir", root, "--as-of", AS_OF, "report", "month")
    html = cli(*base, "--format", "html").stdout.split("十一、趋势")[-1]
    assert html.count("<svg") == 3 and "到期与销号（累计）" in html and "<script" not in html
    md = cli(*base, "--format", "md").stdout.split("## 十一、趋势")[-1]
    rows = [line for line in md.splitlines() if line.startswith("| 0") or line.startswith("| 02")]
    assert [r.split("|")[1].strip() for r in rows] == WEEKS
    text = cli(*base).stdout.split("十一、趋势")[-1]
    assert text.splitlines()[-1].split()[:1] == ["02-11"] and "300" in text.splitlines()[-1]


def test_month_report__no_history_or_one_week_says_so_and_draws_nothing(cli, repo, tmp_path):
    plain = repo("year: 2018\n", A=_ledger())  # not in git
    one_week = make_history(tmp_path / "office")
    for root, as_of in ((plain, AS_OF), (one_week, "2018-01-05")):  # 01-05: the first week only
        md = cli("--dir", root, "--as-of", as_of, "report", "month", "--format", "md").stdout
        assert md.rstrip().endswith(NONE + "：台账不在 git 仓库中，或 git 历史中的台账还不足两周。")
        book = load_workbook(_report(cli, root, tmp_path / "m.xlsx", as_of))
        assert "趋势" not in book.sheetnames and not any(ws._charts for ws in book.worksheets)
        doc = Document(str(_report(cli, root, tmp_path / "m.docx", as_of)))
        assert not doc.inline_shapes
        assert NONE in "".join(_trend_section(doc)[1].itertext())
    week = cli("--dir", one_week, "--as-of", AS_OF, "report", "week", "--format", "md").stdout
    assert "趋势" not in week  # the trend belongs to the month's review


def test_month_report__without_investment_there_is_no_investment_chart(cli, tmp_path):
    root = tmp_path / "office"
    (root / "ledgers").mkdir(parents=True)
    (root / "taizhang.yaml").write_text("year: 2018\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "张三")
    _git(root, "config", "user.email", "clerk@example.org")

    def plain(text: str) -> str:
        return "".join(line for line in text.splitlines(keepends=True)
                       if not line.startswith(("investment:", "  planned:", "  completed:")))

    _commit(root, "2018-01-03", plain(_ledger()), "台账")
    _commit(root, "2018-01-12", plain(_ledger("{}", "2018-01-09")), "A-1 销号")
    wb = load_workbook(_report(cli, root, tmp_path / "m.xlsx"))
    assert [_title(c) for c in wb["趋势"]._charts] == ["各期末亮灯（事项数）", "到期与销号（累计）"]
    assert "完成投资（万元）" not in [c.value for c in wb["趋势"][3]]
    doc = Document(str(_report(cli, root, tmp_path / "m.docx")))
    assert len(doc.inline_shapes) == 2
