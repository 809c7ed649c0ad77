"""挂图作战: the chart's layout, its terminal text, SVG and printable HTML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.dom.minidom
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF, REPO_ROOT, dedent

from taizhang.domain.models import Ledger, Settings
from taizhang.i18n import light_word
from taizhang.render import table as textable
from taizhang.render.gantt import (
    build_chart,
    to_html,
    to_svg,
    to_svg_pages,
    to_text,
)
from taizhang.render.gantt import (
    xml as xml_escape,
)
from taizhang.repo.cache import Cache
from taizhang.repo.load import load_repo

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("TAIZHANG_REGEN_GOLDEN") == "1"
D = date.fromisoformat


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (TAIZHANG_REGEN_GOLDEN=1 to accept)"


def _ledger(text: str) -> Ledger:
    import yaml

    return Ledger.model_validate(yaml.safe_load(dedent(text)))


PLAN = """\
code: P
name: 城东污水处理厂
unit: 区建设局
leader: 王伟
deadline: 2018-12-31
items:
  - id: P-1
    title: 土地征收
    due: 2018-04-30
    closed: {date: 2018-05-03}
  - id: P-2
    kind: milestone
    title: 开工
    due: 2018-06-30
  - id: P-3
    title: 主体施工
    duration: 90
    after: [P-2]
  - id: P-4
    title: 设备安装
    duration: 30
    after: [P-3]
  - id: P-5
    kind: problem
    title: 渣土外运受限
    due: 2018-06-10
  - id: P-6
    title: 无时限的事
"""


def _chart(text: str = PLAN, **kwargs):
    ledger = _ledger(text)
    settings = Settings(title="测试<台账>")
    return build_chart([ledger], D(AS_OF), settings, **kwargs)


def test_build_chart__shapes_from_the_plan():
    chart = _chart(PLAN.replace("deadline: 2018-12-31\n", ""))
    rows = {r.id: r for r in chart.groups[0].rows}
    # Closed: at its close date, a one-day node, done.
    assert (rows["P-1"].shape, rows["P-1"].start, rows["P-1"].finish, rows["P-1"].light) == \
        ("node", D("2018-05-03"), D("2018-05-03"), "done")
    assert (rows["P-2"].shape, rows["P-2"].finish) == ("milestone", D("2018-06-30"))
    assert rows["P-5"].shape == "node" and rows["P-5"].light == "red"
    assert rows["P-6"].shape == "none" and rows["P-6"].light == "none"


def test_build_chart__bars_run_from_the_computed_start_to_finish():
    chart = _chart()
    rows = {r.id: r for r in chart.groups[0].rows}
    # 倒排: 设备安装 ends on the deadline and takes 30 days; 主体施工 ends the day before it starts.
    assert (rows["P-4"].shape, rows["P-4"].start, rows["P-4"].finish) == ("bar", D("2018-12-02"), D("2018-12-31"))
    assert (rows["P-3"].start, rows["P-3"].finish) == (D("2018-09-03"), D("2018-12-01"))
    assert rows["P-3"].computed and rows["P-3"].node == D("2018-12-01")
    # Rows read in time order; the chart spans whole months around the items and today.
    assert [r.id for r in chart.groups[0].rows] == ["P-1", "P-5", "P-2", "P-3", "P-4", "P-6"]
    assert (chart.start, chart.end) == (D("2018-04-01"), D("2019-01-31"))


def test_build_chart__codes_keep_their_order_and_filters_apply():
    repo = load_repo(Cache(REPO_ROOT), ["YT2", "JDYH", "SQJD"])
    chart = build_chart(repo.ledgers, D(AS_OF), repo.settings, repo.extra, codes=["SQJD", "YT2"])
    assert [g.code for g in chart.groups] == ["SQJD", "YT2"]
    chart = build_chart(repo.ledgers, D(AS_OF), repo.settings, repo.extra, unit="区建设局")
    assert [(g.code, [r.id for r in g.rows]) for g in chart.groups] == [("YT2", ["YT2-3"])]


def test_text__labels_align_and_only_ascii_marks():
    chart = _chart()
    text = to_text(chart, "zh", width=120)
    lines = text.splitlines()
    header = lines[2]
    # The chart starts after the light column (as wide as the widest light word) and a space.
    light_w = max(textable.width(light_word(r.light)) for g in chart.groups for r in g.rows)
    label_w = textable.width(header[:header.index("亮灯")]) + light_w + 1
    item_lines = [l for l in lines if re.match(r"^P-\d", l)]
    assert len(item_lines) == 6
    marks = {l.split()[0]: _chart_part(l, label_w) for l in item_lines}
    for line, part in zip(item_lines, marks.values()):
        assert set(part) <= set(" .#=|*<>"), line
    # Today's line stands in the same terminal column on every row, whatever the CJK labels.
    today = {textable.width(l[:l.index("|")]) for l in item_lines if "|" in _chart_part(l, label_w)}
    assert len(today) == 1
    assert "<>" in marks["P-2"] and "#" in marks["P-4"] and "*" in marks["P-5"]
    assert "逾期" in next(l for l in item_lines if l.startswith("P-5"))
    assert max(textable.width(l) for l in lines) <= 120


def _chart_part(line: str, label_w: int) -> str:
    used, i = 0, 0
    while used < label_w and i < len(line):
        used += textable.width(line[i])
        i += 1
    return line[i:]


def test_text__window_clips_with_arrows():
    text = to_text(_chart(window=(D("2018-06-01"), D("2018-08-31"))), "zh", width=120)
    p1 = next(l for l in text.splitlines() if l.startswith("P-1"))
    p4 = next(l for l in text.splitlines() if l.startswith("P-4"))
    assert re.search(r"已销号 <", p1)  # closed in May: before the window, an arrow at its left edge
    assert p4.rstrip().endswith(">")  # runs past August: an arrow at its right edge


def test_text__colour_only_when_asked():
    assert "\x1b[" not in to_text(_chart(), "zh", width=120, color=False)
    assert "\x1b[1;31m" in to_text(_chart(), "zh", width=120, color=True)


@pytest.mark.parametrize("args, golden", [
    (("YT2", "JDYH", "SQJD"), "gantt_sample.txt"),
    (("YT2", "--lang", "en"), "gantt_sample_YT2_en.txt"),
    (("SQJD", "--from", "2018-03-01", "--to", "2018-08-31"), "gantt_sample_SQJD_window.txt"),
])
def test_gantt__sample_repository_text_golden(cli, args, golden):
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "--no-color", "gantt", *args)
    assert result.exit_code == 0, result
    _golden(golden, result.stdout)


def test_gantt__sample_repository_svg_golden(cli, tmp_path):
    out = tmp_path / "g.svg"
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "SQJD", "--format", "svg", "--out", out)
    assert result.exit_code == 0, result
    text = out.read_text(encoding="utf-8")
    _golden("gantt_sample_SQJD.svg", text)
    xml.dom.minidom.parseString(text.encode("utf-8"))


def test_svg__sized_in_mm_for_a3_landscape_with_cjk_fonts():
    svg = to_svg(_chart())
    root = xml.dom.minidom.parseString(svg.encode("utf-8")).documentElement
    assert (root.getAttribute("width"), root.getAttribute("height")) == ("420mm", "297mm")
    assert root.getAttribute("viewBox") == "0 0 420 297"
    assert root.getAttribute("font-family") == "SimHei, 黑体, 'Noto Sans CJK SC', sans-serif"
    a4 = xml.dom.minidom.parseString(to_svg(_chart(), paper="a4").encode("utf-8")).documentElement
    assert (a4.getAttribute("width"), a4.getAttribute("height")) == ("297mm", "210mm")
    # Lights in colour and in words; today's line; a diamond for the milestone.
    assert "逾期" in svg and "已销号" in svg and "#d7301f" in svg and "今天 6-15" in svg


def test_svg__every_user_string_is_escaped():
    evil = PLAN.replace("城东污水处理厂", "\"<script>alert('x')</script>&amp;\"").replace(
        "土地征收", "\"</text><text>注入 & 'q'\"")
    svg = to_svg(_chart(evil))
    xml.dom.minidom.parseString(svg.encode("utf-8"))
    assert "<script>" not in svg and "</text><text>注入" not in svg
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;" in svg
    assert "测试&lt;台账&gt;" in svg
    assert xml_escape("a\x01b<") == "ab&lt;"


def test_svg__long_charts_go_on_several_sheets_with_the_project_carried_over():
    items = "\n".join(f"  - id: P-{i}\n    title: 事项{i}\n    due: 2018-{1 + i % 12:02d}-15" for i in range(1, 80))
    chart = _chart(f"code: P\nname: 大项目\nitems:\n{items}\n")
    sheets = to_svg_pages(chart, "zh", "a3")
    assert len(sheets) >= 2
    assert "大项目（续）" in sheets[1] and "第 2/" in sheets[1]
    single = to_svg(chart)  # --format svg: one sheet as tall as it needs
    height = float(re.search(r'height="([\d.]+)mm"', single).group(1))
    assert height > 297


def test_html__printable_page_escaped_by_the_template():
    html = to_html(_chart(), "zh", "a3")
    assert "@page { size: A3 landscape; margin: 0; }" in html
    assert "<title>挂图作战 测试&lt;台账&gt;" in html
    assert html.count('<div class="sheet">') == 1 and "<svg" in html


def test_gantt__cli_errors(cli):
    bad = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "NOPE")
    assert bad.exit_code == 1 and "没有项目 NOPE" in bad.stderr
    window = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "--from", "2018-09-01", "--to", "2018-03-01")
    assert window.exit_code == 1 and "--to 2018-03-01 早于 --from 2018-09-01" in window.stderr
    phrase = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "SQJD", "--from", "3月", "--to", "年底")
    assert phrase.exit_code == 0 and "12月" in phrase.stdout


def test_gantt__html_out_file(cli, tmp_path):
    out = tmp_path / "wall.html"
    result = cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "--format", "html", "--paper", "a4", "--out", out)
    assert result.exit_code == 0, result
    html = out.read_text(encoding="utf-8")
    assert "size: A4 landscape" in html and html.count('<div class="sheet">') >= 2


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs headless Chromium")
def test_html__prints_on_a3_landscape_sheets(cli, tmp_path):
    """As a person would print it: Chromium's PDF has one A3 landscape page per sheet."""
    out = tmp_path / "wall.html"
    assert cli("--dir", REPO_ROOT, "--as-of", AS_OF, "gantt", "YT2", "JDYH", "SQJD", "--format", "html",
               "--out", out).exit_code == 0
    pdf = tmp_path / "wall.pdf"
    profile = tmp_path / "profile"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    out.as_uri()], capture_output=True, timeout=120)
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == 1  # one sheet, one page
    width, height = (float(v) for v in boxes[0])
    assert abs(width - 1190.55) < 2 and abs(height - 841.89) < 2  # A3 landscape in points


# --- the time axis: the ends of Python's dates, a typo far off, long windows ---------------

def _items(*dues: str, extra: str = "") -> str:
    body = "".join(f"  - id: P-{i}\n    title: 事项{i}\n    due: {due}\n{extra}" for i, due in enumerate(dues, 1))
    return f"code: P\nname: 远近\nitems:\n{body}"


def _every_format(chart) -> None:
    for lang in ("zh", "en"):
        for width in (60, 140):
            text = to_text(chart, lang, width=width)
            assert all(textable.width(line) <= width for line in text.splitlines()[1:-1]), text
        for paper in ("a3", "a4"):
            for sheet in to_svg_pages(chart, lang, paper):
                xml.dom.minidom.parseString(sheet.encode("utf-8"))
        xml.dom.minidom.parseString(to_svg(chart, lang).encode("utf-8"))
        assert "<svg" in to_html(chart, lang)


@pytest.mark.parametrize("dues", [("9999-12-31",), ("0001-01-01",), ("0001-01-01", "9999-12-31"),
                                  ("2018-05-01", "9999-12-31"), ("0001-01-01", "2018-07-01")])
@pytest.mark.parametrize("window", [(None, None), ("0001-01-01", "9999-12-31"), ("0001-01-01", None),
                                    (None, "9999-12-31"), ("9999-12-01", None), (None, "0001-01-31"),
                                    ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")])
def test_chart__draws_any_date_python_has_in_every_format(dues, window):
    chart = _chart(_items(*dues), window=tuple(D(d) if d else None for d in window))
    assert date.min <= chart.start <= chart.end <= date.max
    _every_format(chart)


def test_chart__a_milestone_and_a_bar_at_the_last_day():
    chart = _chart(_items("9999-12-31", "9999-12-31", extra="    duration: 20\n").replace(
        "  - id: P-1\n", "  - id: P-1\n    kind: milestone\n"), window=(D("9999-11-01"), None))
    assert [r.shape for r in chart.groups[0].rows] == ["bar", "milestone"]
    _every_format(chart)


def test_axis__a_typo_far_off_leaves_the_chart_as_it_was_with_the_item_at_the_edge():
    dues = [f"2018-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(300)]
    plain, typo = _chart(_items(*dues)), _chart(_items(*dues, "2918-06-30"))
    assert (typo.start, typo.end) == (plain.start, plain.end) == (D("2017-12-01"), D("2019-01-31"))
    assert [(f.code, f.item, f.key, f.args) for f in typo.beyond] == [("P", "P-301", "gantt_beyond", {
        "id": "P-301", "dates": "2918-06-30", "start": "2017-12", "end": "2019-01"})]
    assert plain.beyond == []
    # Every other row reads as before; the typo is an arrow at the right edge.
    before, after = to_text(plain, width=120).splitlines(), to_text(typo, width=120).splitlines()
    row = next(line for line in after if line.startswith("P-301 "))
    assert after == before[:-2] + [row] + before[-2:] and row.endswith(">")
    # The sheets: as many, and about as large (the typo spanned 900 years of months on each).
    assert len(to_svg_pages(typo)) == len(to_svg_pages(plain))
    assert len(to_html(typo)) < 1.05 * len(to_html(plain))


def test_axis__the_ten_years_with_the_most_dates_and_today_if_they_can():
    # A lone far date: its chart (today only breaks ties); beside a nearer one, today's.
    chart = _chart(_items("9999-12-31"))
    assert (chart.start, chart.end, chart.beyond) == (D("9999-12-01"), D("9999-12-31"), [])
    chart = _chart(_items("0001-01-01", "2025-01-01"))
    assert (chart.start, chart.end) == (D("2018-06-01"), D("2025-01-31")) and [f.item for f in chart.beyond] == ["P-1"]
    # Ledgers of long ago read today: their years, today off the chart (nothing is beyond).
    old = build_chart([_ledger(_items("2005-03-01", "2006-06-30", "2007-09-30"))], D("2026-06-15"), Settings())
    assert (old.start, old.end, old.beyond) == (D("2005-02-01"), D("2007-10-31"), [])
    # More dates far off than near: the far ones win.
    many = _chart(_items("2018-07-01", *["2950-01-01"] * 3))
    assert many.start.year == 2949 and [f.item for f in many.beyond] == ["P-1"]
    # A bar of twenty-five years (back from its due) is cut at the edge, and named.
    long = _chart(_items("2018-07-01", "2018-08-01") + "    duration: 9000\n    after: [P-1]\n  - id: P-4\n"
                  "    title: 事项4\n    due: 2018-09-01\n")
    assert (long.start, long.end) == (D("2018-06-01"), D("2018-09-30"))
    assert [f.args["dates"] for f in long.beyond] == ["1993-12-10", "1993-12-11 – 2018-08-01"]  # P-1 before P-2
    assert re.search(r"^P-2 .* <#+$", to_text(long, width=100), re.M)  # cut at the left edge


def test_axis__one_side_given_bounds_the_other():
    dues = ("2018-03-01", "2018-09-01", "2918-06-30")
    chart = _chart(_items(*dues), window=(D("2018-01-01"), None))
    assert (chart.start, chart.end) == (D("2018-01-01"), D("2018-09-30"))
    assert [f.item for f in chart.beyond] == ["P-3"]
    chart = _chart(_items(*dues), window=(None, D("2918-12-31")))
    assert (chart.start, chart.end) == (D("2918-06-01"), D("2918-12-31"))
    assert [f.item for f in chart.beyond] == ["P-1", "P-2"]
    # Both sides given: the window asked for, however long; nothing is named.
    chart = _chart(_items(*dues), window=(D("2000-01-01"), D("2999-12-31")))
    assert (chart.start, chart.end, chart.beyond) == (D("2000-01-01"), D("2999-12-31"), [])


def test_text__a_long_window_in_quarters_years_or_decades_within_the_width():
    for last, labels in (("2025-12-31", ["2010", "2012"]), ("2060-12-31", ["2010", "2020"]),
                         ("9999-12-31", ["4000", "6000"])):
        chart = _chart(_items("2018-06-30"), window=(D("2010-01-01"), D(last)))
        text = to_text(chart, "zh", width=80)
        assert max(textable.width(line) for line in text.splitlines()[1:-1]) <= 80, text
        assert all(label in text.splitlines()[1] for label in labels), text


def _walked_col(scale, day: date) -> int:
    """A day's column as the chart once found it: walking the units to the first that ends on
    or after it."""
    if day < scale.units[0][0]:
        return 0
    for i, (first, last) in enumerate(scale.units):
        if day <= last:
            return i * scale.cells + ((day - first).days * scale.cells) // ((last - first).days + 1)
    return scale.width - 1


def test_text__scale_columns_by_bisection_as_by_walking_the_units():
    from taizhang.render.gantt import _scale

    chart = _chart(window=(D("2017-11-15"), D("2019-02-10")))
    days = [date.fromordinal(n) for n in range(D("2017-10-01").toordinal(), D("2019-04-01").toordinal())]
    for room in (20, 60, 200):
        scale = _scale(chart, room)
        assert [scale.col(d) for d in days] == [_walked_col(scale, d) for d in days]


def test_svg__a_window_of_ten_thousand_years_has_a_sheet_of_lines_not_of_months():
    chart = _chart(_items("2018-06-30"), window=(D("0001-01-01"), D("9999-12-31")))
    sheet = to_svg(chart)
    assert sheet.count("<line") + sheet.count("<rect") < 1000  # one per month: 240,000
    assert ">5000<" in sheet


def test_gantt__an_item_beyond_the_automatic_chart_is_a_warning_at_its_line(cli, repo, tmp_path):
    root = repo(CH="code: CH\nname: 远\nitems:\n  - id: CH-1\n    title: 近\n    due: 2018-06-20\n"
                   "  - id: CH-2\n    title: 远\n    due: 9999-12-31\n")
    for args, said in ((["gantt"], "ledgers/CH.yaml:7:5: 警告：CH-2 的日期 9999-12-31 超出挂图的图幅（2018-06 至 2018-06；"),
                       (["--lang", "en", "gantt", "--format", "html", "--out", tmp_path / "g.html"],
                        "ledgers/CH.yaml:7:5: warning: CH-2 (9999-12-31) lies beyond the chart (2018-06 to 2018-06;"),
                       (["dashboard", "--out", tmp_path / "site"], "ledgers/CH.yaml:7:5: 警告：CH-2 的日期 9999-12-31")):
        result = cli("--dir", root, "--as-of", AS_OF, *args)
        assert result.exit_code == 0, result
        assert [line for line in result.stderr.splitlines() if "CH-2" in line] == [
            line for line in result.stderr.splitlines() if said in line] and said in result.stderr, result.stderr
    # --from/--to clip by request: nothing to warn of.
    result = cli("--dir", root, "--as-of", AS_OF, "gantt", "--from", "2018-01-01", "--to", "2018-12-31")
    assert result.exit_code == 0 and result.stderr == ""
