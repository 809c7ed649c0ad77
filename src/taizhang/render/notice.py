"""督办通知单 (SPEC §7): one numbered notice per unit, one unit per page, laid out as official
paper is (GB/T 9704-2012): the issuer's name in red as the title, 文号 under it, a red line,
the title 督办通知单, 主送 the unit, the body in 仿宋 三号 (16 pt) with 黑体 headings, 签发人, the
issuer and the date written 2019年3月5日, right-aligned.

Formats: docx (python-docx: what offices print and stamp), html (jinja2, autoescape), md, and
pdf printed from the html by a Chromium-family browser or from the docx by LibreOffice.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Sequence

from taizhang.domain.notices import NoticeItem, NoticePage
from taizhang.i18n import os_reason

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
RED = "C00000"


def gb_date(day: date) -> str:
    """A date as GB/T 9704-2012 writes it: 2019年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def state(item: NoticeItem) -> str:
    """逾期12天 / 剩3天 / 今日到期 / 无时间节点."""
    if item.days_left is None:
        return "无时间节点"
    if item.days_left < 0:
        return f"逾期{-item.days_left}天"
    return "今日到期" if item.days_left == 0 else f"剩{item.days_left}天"


def intro(page: NoticePage) -> str:
    return "经督查，你单位牵头或配合的下列事项未按时间节点完成或临近时间节点，现予督办。"


def reply_text(page: NoticePage) -> str:
    """办理时限 and how to reply."""
    when = f"请于{gb_date(page.reply_by)}前" if page.reply_by else "请及时"
    # As 督查 rules have it: a written reply under the unit's seal; a joint item is reported by its lead.
    return (f"{when}将办理情况书面反馈{page.issuer}（注明文号{page.number}，加盖单位公章）：已完成的附佐证材料，"
            "未完成的说明原因、整改措施和完成时限；配合事项由牵头单位汇总报告。逾期未反馈的，予以通报。")


def item_lines(item: NoticeItem) -> list[str]:
    """The facts of one item: what it is, its project and 责任领导, its node, the last report."""
    role = "（配合）" if item.assisting else ""
    due = gb_date(item.due) if item.due else "无"
    project = f"所属项目：{item.project}（{item.id}）" + (f"；责任领导：{item.leader}" if item.leader else "")
    last = (f"最近汇报：{gb_date(item.last_note_on)} {item.last_note}" if item.last_note and item.last_note_on
            else "最近汇报：无")
    return [f"{item.title}{role}", project, f"时间节点：{due}，{state(item)}", last]


# --- Markdown ------------------------------------------------------------------------------------

def to_markdown(pages: Sequence[NoticePage]) -> str:
    parts = []
    for page in pages:
        lines = [f"# {page.issuer}", "", f"**{page.number}**", "", "---", "", "## 督办通知单", "",
                 f"{page.unit}：", "", intro(page), "", "### 一、督办事项", ""]
        for n, item in enumerate(page.items, 1):
            first, *rest = item_lines(item)
            lines.append(f"{n}. {_md(first)}")
            lines += [f"   - {_md(fact)}" for fact in rest]
        lines += ["", "### 二、办理时限与反馈要求", "", _md(reply_text(page)), ""]
        if page.signer:
            lines += [f"签发人：{_md(page.signer)}", ""]
        lines += [f"<div align=\"right\">{_md(page.issuer)}<br>{gb_date(page.date)}</div>", ""]
        parts.append("\n".join(lines))
    return "\n<div style=\"page-break-after: always\"></div>\n\n".join(parts)


def _md(text: str) -> str:
    """Text that Markdown shows as typed (`*`, `_`, `<`… are not markup)."""
    out = []
    for ch in text:
        if ch in "\\`*_[]|<>~":
            out.append("&lt;" if ch == "<" else "&gt;" if ch == ">" else "\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


# --- HTML ------------------------------------------------------------------------------------------

def to_html(pages: Sequence[NoticePage]) -> str:
    """Printable A4 HTML, one unit per page; every value escaped by the template (autoescape)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("taizhang.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.get_template("notice.html")
    return template.render(pages=[{
        "number": p.number, "unit": p.unit, "issuer": p.issuer, "date": gb_date(p.date),
        "signer": p.signer, "intro": intro(p), "reply": reply_text(p),
        "items": [item_lines(i) for i in p.items]} for p in pages])


# --- docx ------------------------------------------------------------------------------------------

def to_docx(pages: Sequence[NoticePage]) -> bytes:
    """A Word document as GB/T 9704-2012 lays one out: A4, margins 37/35/28/26 mm, one unit per page."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    def run(paragraph, text: str, font: str, size: float, *, bold: bool = False, color: str | None = None):
        r = paragraph.add_run(text)
        r.font.name = font
        r.font.size = Pt(size)
        r.bold = bold
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
        return r

    def para(align=None, *, indent: bool = False, before: float = 0, after: float = 0):
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            p.alignment = align
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.line_spacing = Pt(28)  # 22 lines of 28 pt a page (GB/T 9704 7.2)
        if indent:
            fmt.first_line_indent = Pt(32)  # two characters of 三号
        return p

    def red_line(p) -> None:
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", RED)):
            bottom.set(qn(key), value)
        border.append(bottom)
        p._p.get_or_add_pPr().append(border)

    for index, page in enumerate(pages):
        p = para(WD_ALIGN_PARAGRAPH.CENTER, after=12)
        p.paragraph_format.line_spacing = None
        run(p, page.issuer, XIAOBIAOSONG, 26, color=RED)  # 发文机关标志: red, centred
        p = para(WD_ALIGN_PARAGRAPH.CENTER)
        run(p, page.number, FANGSONG, 16)  # 发文字号 under it
        red_line(p)  # 版头中的分隔线: red
        p = para(WD_ALIGN_PARAGRAPH.CENTER, before=24, after=12)
        run(p, "督办通知单", XIAOBIAOSONG, 22)  # 标题: 二号
        run(para(), f"{page.unit}：", FANGSONG, 16)  # 主送机关
        run(para(indent=True), intro(page), FANGSONG, 16)
        run(para(indent=True), "一、督办事项", HEITI, 16)  # 一级标题: 黑体
        for n, item in enumerate(page.items, 1):
            first, *rest = item_lines(item)
            run(para(indent=True), f"{n}. {first}", FANGSONG, 16, bold=True)
            for fact in rest:
                run(para(indent=True), fact, FANGSONG, 16)
        run(para(indent=True), "二、办理时限与反馈要求", HEITI, 16)
        run(para(indent=True), reply_text(page), FANGSONG, 16)
        if page.signer:
            run(para(WD_ALIGN_PARAGRAPH.RIGHT, before=28), f"签发人：{page.signer}", FANGSONG, 16)
        run(para(WD_ALIGN_PARAGRAPH.RIGHT, before=0 if page.signer else 28), page.issuer, FANGSONG, 16)
        run(para(WD_ALIGN_PARAGRAPH.RIGHT), gb_date(page.date), FANGSONG, 16)  # 成文日期, 阿拉伯数字
        if index < len(pages) - 1:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)  # one unit per page
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "msedge", "microsoft-edge")
OFFICE = ("soffice", "libreoffice")


class PrintError(Exception):
    """No program to print a PDF with, or it failed: `key` and `args_` say which (i18n)."""

    def __init__(self, key: str, **args: str):
        super().__init__(key)
        self.key, self.args_ = key, args


def to_pdf(pages: Sequence[NoticePage]) -> bytes:
    """The notices as PDF, printed by a Chromium-family browser (from the html) or LibreOffice
    (from the docx), whichever is found; PrintError when none is or it fails. Never text."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    office = next((found for name in OFFICE if (found := shutil.which(name))), None)
    if browser is None and office is None:
        raise PrintError("pdf_no_tool")
    with tempfile.TemporaryDirectory(prefix="taizhang-pdf-") as folder:
        work = Path(folder)
        if browser is not None:
            source = work / "notice.html"
            source.write_text(to_html(pages), encoding="utf-8")
            target = work / "notice.pdf"
            command = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-pdf-header-footer",
                       f"--user-data-dir={work / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
            tool = Path(browser).name
        else:
            source = work / "notice.docx"
            source.write_bytes(to_docx(pages))
            target = work / "notice.pdf"
            command = [str(office), "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                       "--convert-to", "pdf", "--outdir", str(work), str(source)]
            tool = Path(office).name  # type: ignore[arg-type]
        try:
            done = subprocess.run(command, capture_output=True, timeout=180, env={**os.environ, "HOME": folder})
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PrintError("pdf_failed", tool=tool, detail=os_reason(e)) from None
        data = target.read_bytes() if target.is_file() else b""
        if not data.startswith(b"%PDF"):
            detail = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            raise PrintError("pdf_failed", tool=tool, detail=detail[-1] if detail else f"exit {done.returncode}")
        return data
