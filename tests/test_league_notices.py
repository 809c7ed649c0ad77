"""单位排名's 督办 columns (SPEC §7): the 督办通知单 each unit received by the as-of day and how many
it answered late, in every format the month report and the dashboard show the league in."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from test_notice import LEDGER, SETTINGS

from taizhang.domain.models import NoticeRecord, Settings
from taizhang.domain.reports import league, notice_answered_late


def _notice(unit: str, issued: str, reply_by: str | None, *replies: str) -> NoticeRecord:
    return NoticeRecord.model_validate({"number": f"{unit}{issued}", "unit": unit, "date": issued,
                                        "reply_by": reply_by, "items": ["A-1"],
                                        "replies": [{"date": d, "text": "已办理"} for d in replies]})


def test_answered_late__after_the_reply_by_day_or_unanswered_past_it():
    day = date(2018, 6, 30)
    assert not notice_answered_late(_notice("甲", "2018-06-01", "2018-06-10", "2018-06-10"), day)  # on the day
    assert notice_answered_late(_notice("甲", "2018-06-01", "2018-06-10", "2018-06-12"), day)
    # the first reply decides: a second one later does not make a punctual answer late
    assert not notice_answered_late(_notice("甲", "2018-06-01", "2018-06-10", "2018-06-05", "2018-06-20"), day)
    assert notice_answered_late(_notice("甲", "2018-06-01", "2018-06-10"), day)  # 督办超期
    assert not notice_answered_late(_notice("甲", "2018-06-01", "2018-06-30"), day)  # not past it yet
    assert not notice_answered_late(_notice("甲", "2018-06-01", None), day)  # no 办理时限: never late
    # a reply dated after the as-of day is not known on it: unanswered, and past the day
    assert notice_answered_late(_notice("甲", "2018-06-01", "2018-06-10", "2018-07-02"), day)


def test_league__notices_count_under_the_unit_they_name_and_leave_the_rank_alone():
    from taizhang.domain.lights import evaluate
    from taizhang.domain.models import Ledger

    ledger = Ledger.model_validate({"code": "A", "name": "甲", "unit": "区住建局", "items": [
        {"id": "A-1", "title": "一", "due": date(2018, 5, 1), "closed": {"date": date(2018, 4, 30)}},
        {"id": "A-2", "title": "二", "due": date(2018, 5, 1), "unit": "区财政局、区住建局"},
    ]})
    notices = [_notice("区财政局", "2018-05-02", "2018-05-09", "2018-05-08"),
               _notice("区住建局", "2018-05-02", "2018-05-09"),
               _notice("区住建局", "2018-06-01", "2018-06-08", "2018-06-11"),
               _notice("区住建局", "2018-06-20", "2018-06-25"),  # after the as-of day: not yet issued
               _notice("区国土局", "2018-06-01", None)]  # a unit with no item now still shows
    projects = evaluate([ledger], date(2018, 6, 15), Settings())
    without = league(projects, date(2018, 6, 15))
    rows = league(projects, date(2018, 6, 15), notices)
    by_unit = {r.unit: r for r in rows}
    assert (by_unit["区住建局"].notices, by_unit["区住建局"].answered_late) == (2, 2)
    assert (by_unit["区财政局"].notices, by_unit["区财政局"].answered_late) == (1, 0)
    assert (by_unit["区国土局"].items, by_unit["区国土局"].notices, by_unit["区国土局"].rank) == (0, 1, None)
    # the rank is the items' alone
    assert [(r.unit, r.rank) for r in rows if r.items] == [(r.unit, r.rank) for r in without]


def _office(cli, repo) -> Path:
    """Two notices issued on 06-15 (reply by 06-20): 区住建局's (1号) never answered,
    区财政局's (2号) answered on 06-19."""
    root = repo(SETTINGS, YT2=LEDGER)
    assert cli("--dir", root, "--as-of", "2018-06-15", "notice", "--reply-by", "2018-06-20").exit_code == 0
    out = cli("--dir", root, "--as-of", "2018-06-19", "reply", "四铁西政督字〔2018〕2号", "已拨付资金")
    assert out.exit_code == 0, out
    return root


def _league_cells(texts: list[list[str]], unit: str) -> list[str]:
    return next(row for row in texts if row and row[1].startswith(unit))


def test_league__notice_columns_in_every_month_report_format_and_the_dashboard(cli, repo, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    root = _office(cli, repo)
    base = ("--dir", root, "--as-of", "2018-06-30", "report", "month")
    expected = {"区住建局": ["1", "1"], "区财政局": ["1", "0"]}

    md = cli(*base, "--format", "md").stdout
    league_md = md.split("单位排名")[-1]
    assert "| 督办 | 逾期反馈 |" in league_md
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in league_md.splitlines() if line.startswith("| ")]
    for unit, cells in expected.items():
        assert _league_cells(rows, unit)[-2:] == cells

    text = cli(*base, "--format", "text").stdout.split("单位排名")[-1]
    assert "督办" in text and "逾期反馈" in text
    for unit, cells in expected.items():
        line = next(x for x in text.splitlines() if unit in x)
        assert line.split()[-2:] == cells

    html = cli(*base, "--format", "html").stdout.split("单位排名")[-1]
    for unit, cells in expected.items():
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if unit in r)
        assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)][-2:] == cells

    xlsx = tmp_path / "m.xlsx"
    assert cli(*base, "--out", xlsx).exit_code == 0
    sheet = load_workbook(xlsx)["单位排名"]
    assert [c.value for c in sheet[3]][-2:] == ["督办", "逾期反馈"]
    values = [[str(c.value) if c.value is not None else "" for c in row] for row in sheet.iter_rows(min_row=4)]
    for unit, cells in expected.items():
        assert _league_cells(values, unit)[-2:] == cells

    docx = tmp_path / "m.docx"
    assert cli(*base, "--out", docx).exit_code == 0
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[-1].text == "逾期反馈")
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    for unit, want in expected.items():
        assert _league_cells(cells, unit)[-2:] == want

    site = tmp_path / "看板"
    assert cli("--dir", root, "--as-of", "2018-06-30", "dashboard", "--out", site).exit_code == 0
    index = (site / "index.html").read_text(encoding="utf-8").split('id="league"')[-1]
    assert "督办" in index and "逾期反馈" in index
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", index, re.S) if "区住建局" in r)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)][-2:] == ["1", "1"]


def test_league__on_the_day_before_the_reply_by_nothing_is_late(cli, repo):
    root = _office(cli, repo)
    md = cli("--dir", root, "--as-of", "2018-06-20", "report", "month", "--format", "md").stdout
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in md.split("单位排名")[-1].splitlines()
            if line.startswith("| ")]
    assert _league_cells(rows, "区住建局")[-2:] == ["1", "0"]
