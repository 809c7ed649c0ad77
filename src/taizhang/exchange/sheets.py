"""What every spreadsheet taizhang writes or reads must respect, whichever module makes it: texts a
spreadsheet would run as formulas, characters an xlsx cannot hold, the print setup of a 台账 sheet.
The export (`exchange.export`) and the briefing (`render.briefing`) share these, so a rule is kept
in one place. openpyxl is not imported here: the functions take its objects."""

from __future__ import annotations

import re
from typing import Any

# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@")

# Control characters that the XML of an xlsx cannot hold (openpyxl refuses them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (the one rule for every export)."""
    return bool(text) and (text[0] in "\t\r" or text.lstrip(" \t\r\n")[:1] in FORMULA_START)


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, also after spaces,
    tabs or line breaks; or a leading tab or carriage return) gets a leading apostrophe, as
    OWASP recommends for CSV ("CSV injection"): spreadsheets show it as the text it is. So that
    `unmark` gives back every text as it was, a text that is such a one behind apostrophes of
    its own (`'=A1`) gets one more."""
    return "'" + text if is_formula_like(text.lstrip("'")) else text


def unmark(text: str) -> str:
    """`neutralise` undone: the apostrophe it put before a text is taken off, and only that one."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:].lstrip("'")) else text


def xlsx_safe(text: str) -> str:
    """`text` without the control characters an xlsx cell cannot hold."""
    return _ILLEGAL.sub("", text)


def print_landscape_one_page_wide(ws: Any, paper: str, title_rows: str) -> None:
    """The print setup offices expect of a 台账 sheet: landscape, as many pages down as needed
    but one page wide, the header rows repeated on every page."""
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
