"""`dashboard --out DIR`: a static site that opens from disk — checked as files (links, nothing
fetched, where it may be written) and in a real headless Chromium (Debian's package: no console
error, a printed PDF of the expected pages with no text past the right margin)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from test_trend import make_history

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PDFTOTEXT = shutil.which("pdftotext")
AS_OF = "2018-02-11"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.refs.append((name, value))
            if name == "id" and value:
                self.ids.add(value)


def _parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def site(cli, tmp_path) -> Path:
    root = make_history(tmp_path / "office")
    out = tmp_path / "看板"
    result = cli("--dir", root, "--as-of", AS_OF, "dashboard", "--out", out)
    assert result.exit_code == 0, result
    assert "已写入 3 个页面" in result.stdout
    return out


def test_dashboard__pages_links_and_nothing_fetched(site):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == ["gantt.html", "index.html", "projects/A.html"]
    for page in pages:
        path = site / page
        parsed = _parse(path)
        assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags, page
        for _attr, ref in parsed.refs:
            assert not re.match(r"[a-z]+:", ref), f"{page} fetches {ref}"  # no http:, file:, data: …
            target, _, fragment = ref.partition("#")
            file = (path.parent / target).resolve() if target else path
            assert file.is_file(), f"{page}: {ref} leads nowhere"
            if fragment:
                assert fragment in _parse(file).ids, f"{page}: {ref} has no anchor"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 3 and "单位排名" in index and 'href="projects/A.html"' in index
    assert "@page" in index and "break-before: page" in index and "max-width: 640px" in index
    assert 'href="../index.html"' in (site / "projects" / "A.html").read_text(encoding="utf-8")


def test_dashboard__refuses_to_write_through_links_or_into_the_data(cli, tmp_path):
    root = make_history(tmp_path / "office")
    base = ("--dir", root, "--as-of", AS_OF, "dashboard", "--out")
    for inside in ("ledgers/site", "calendars", ".git/site", "evidence/x"):
        result = cli(*base, root / inside)
        assert result.exit_code == 1 and "不能写入" in result.stderr, (inside, result)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = cli(*base, tmp_path / "link" / "site")
    assert result.exit_code == 1 and "符号链接" in result.stderr
    assert not (tmp_path / "real" / "site").exists()
    (tmp_path / "file").write_text("x")
    assert cli(*base, tmp_path / "file").exit_code == 1
    # A page that is a link to elsewhere is refused before anything is written.
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").symlink_to(tmp_path / "elsewhere.html")
    result = cli(*base, out)
    assert result.exit_code == 1 and not (tmp_path / "elsewhere.html").exists() and not (out / "gantt.html").exists()


def test_dashboard__the_sample_repository_outside_git_history_still_builds(cli, tmp_path):
    ledgers = tmp_path / "plain"
    shutil.copytree(REPO_ROOT / "ledgers", ledgers / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", ledgers / "taizhang.yaml")
    out = tmp_path / "site"
    result = cli("--dir", ledgers, "--as-of", "2018-06-15", "dashboard", "--out", out)
    assert result.exit_code == 0, result
    assert len(list((out / "projects").glob("*.html"))) == len(list((ledgers / "ledgers").glob("*.yaml")))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "没有趋势" in index and "<svg" not in index


# --- in Chromium ------------------------------------------------------------------------------

def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def _pages(pdf: Path) -> list[str]:
    """The text of each printed page (pdftotext: form feeds between pages)."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _words_past_margin(pdf: Path, margin_pt: float) -> list[str]:
    """Words whose box ends right of the page's printable area (pdftotext -bbox)."""
    html = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    bad = []
    for page in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, re.S):
        width = float(page[0])
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page[1]):
            if float(x_max) > width - margin_pt + 1:
                bad.append(f"{word} ends at {x_max} of {width}")
    return bad


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                    "(.ci/run installs Debian's chromium)")


@needs_chromium
def test_dashboard__every_page_loads_without_a_console_message(site, tmp_path):
    for page in ("index.html", "gantt.html", "projects/A.html"):
        result = _chromium(tmp_path, "--dump-dom", (site / page).as_uri())
        assert "</html>" in result.stdout, result.stderr[-2000:]
        console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], (page, console)
    # The check does see a page's errors.
    broken = site / "broken.html"
    broken.write_text("<html><body><script>undefined_function();</script></body></html>", encoding="utf-8")
    assert ":CONSOLE" in _chromium(tmp_path, "--dump-dom", broken.as_uri()).stderr


@needs_chromium
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_dashboard__prints_on_a4_with_parts_on_their_own_pages_and_nothing_cut(site, tmp_path):
    pdf = tmp_path / "index.pdf"
    result = _chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (site / "index.html").as_uri())
    assert pdf.is_file(), result.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        assert abs((x1 - x0) - 595) <= 2 and abs((y1 - y0) - 842) <= 2, box  # A4 portrait, in points
    pages = _pages(pdf)
    # The lights on the first page, the trend from the second (one page or two, as its table runs),
    # the league table on a page of its own, the last.
    assert len(pages) in (3, 4), [p[:80] for p in pages]
    assert "亮灯表" in pages[0] and "趋势" not in pages[0]
    assert pages[1].lstrip().startswith("趋势")
    assert pages[-1].lstrip().startswith("单位排名") and "单位排名" not in "".join(pages[:-1])
    assert _words_past_margin(pdf, 12 / 25.4 * 72) == []

    gantt = tmp_path / "gantt.pdf"
    _chromium(tmp_path, f"--print-to-pdf={gantt}", "--no-pdf-header-footer", (site / "gantt.html").as_uri())
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", gantt.read_bytes())
    assert boxes and all(abs(float(b[2]) - 842) <= 2 and abs(float(b[3]) - 595) <= 2 for b in boxes)  # landscape


@needs_chromium
def test_dashboard__at_a_phone_width_nothing_but_the_tables_scroll(site, tmp_path):
    script = """<script>
    (function () {
      var width = document.documentElement.clientWidth, bad = [];
      document.querySelectorAll('body *').forEach(function (e) {
        if (e.closest('.scroll') || e.closest('svg')) return;
        var box = e.getBoundingClientRect();
        if (box.right > width + 0.5) bad.push(e.tagName + ' ' + Math.round(box.right));
      });
      document.body.setAttribute('data-bad', JSON.stringify({width: width, bad: bad,
        scroll: document.documentElement.scrollWidth}));
    })();
    </script>"""
    for page in ("index.html", "projects/A.html"):
        path = site / page
        probe = path.with_name("probe-" + path.name)
        probe.write_text(path.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
        result = _chromium(tmp_path, "--window-size=390,800", "--dump-dom", probe.as_uri())
        found = re.search(r'data-bad="([^"]*)"', result.stdout)
        assert found, result.stderr[-2000:]
        import html
        import json

        data = json.loads(html.unescape(found.group(1)))
        assert data["bad"] == [] and data["scroll"] <= data["width"], (page, data)


def test_dashboard__is_in_the_command_table():
    from taizhang.cli.app import COMMANDS

    assert COMMANDS["dashboard"][0] == COMMANDS["trend"][0] == "trend"
    assert os.path.exists(REPO_ROOT / "src" / "taizhang" / "render" / "templates" / "dashboard_base.html")


def test_dashboard__a_new_repository_without_commits_or_ledgers(cli, tmp_path):
    root = tmp_path / "new"
    (root / "ledgers").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert cli("--dir", root, "dashboard", "--out", tmp_path / "site").exit_code == 0
    assert "没有趋势" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    result = cli("--dir", root, "trend")
    assert result.exit_code == 1 and "没有提交过的台账" in result.stderr


def test_dashboard__a_projects_page_says_of_each_item_what_status_says(cli, tmp_path):
    """The marks beside a title (久未汇报, 进度滞后, 已调整, 〔督办1次〕…) are on the printed page
    too: a supervisor reading it at the meeting sees what the 亮灯表 says."""
    import json

    root = tmp_path / "plain"
    shutil.copytree(REPO_ROOT / "ledgers", root / "ledgers")
    shutil.copy(REPO_ROOT / "taizhang.yaml", root / "taizhang.yaml")
    assert cli("--dir", root, "--as-of", "2018-06-15", "notice", "--unit", "建设").exit_code == 0
    items = json.loads(cli("--dir", root, "--as-of", "2018-06-15", "status", "--all", "--json").stdout)["items"]
    out = tmp_path / "site"
    assert cli("--dir", root, "--as-of", "2018-06-15", "dashboard", "--out", out).exit_code == 0
    text = cli("--dir", root, "--as-of", "2018-06-15", "status", "--all", "--no-color").stdout
    rows = {}
    for page in (out / "projects").glob("*.html"):
        for row in re.findall(r"<tr><td>([A-Z0-9]+-\d+)</td><td[^>]*>(.*?)</td>", page.read_text(encoding="utf-8")):
            rows[row[0]] = row[1]
    assert len(rows) == len(items)
    stale = [i["id"] for i in items if i["stale"]]
    assert stale and all("久未汇报" in rows[i] for i in stale)
    noticed = [i for i, title in rows.items() if "〔督办" in title]
    assert noticed and all("〔督办" in next(line for line in text.splitlines() if f" {i} " in line + " ")
                           for i in noticed)
    quiet = [i["id"] for i in items if not i["stale"] and not i["moved"] and not i["pending"]
             and i["id"] not in noticed and i["light"] in ("green", "done")]
    assert quiet and any(rows[i] == next(x["title"] for x in items if x["id"] == i) for i in quiet)
