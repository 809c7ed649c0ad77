"""Native charts for the xlsx and docx reports (SPEC §7 "Trend"): the month report's trend charts
as DrawingML charts, built with openpyxl's chart model. In the workbook they read the trend
sheet's cells; in the document each is a chart part holding its numbers (the cache every viewer
draws from) with the same table embedded as a workbook, which Word's and WPS's "edit data" open.

Native charts rather than pictures of the SVG charts: vectors that print sharp at any size, text
in the reader's own fonts (Chinese included), charts an office can restyle or copy into its own
slides, and no new dependency — openpyxl writes the chart XML already, while a picture would need
a rasteriser (cairosvg needs the cairo C library, absent from an office's Windows machine; Pillow
cannot draw Chinese text without shipping a CJK font of ~10 MB).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Sequence

# A chart's size on the page: the width of A4 landscape less its margins, and a third of its height.
WIDTH_CM, HEIGHT_CM = 24.0, 8.0


@dataclass(frozen=True)
class SeriesSpec:
    column: int  # the column of the section's table holding the values
    color: str  # "#RRGGBB"
    dashed: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """A chart over one of a section's tables: the table's first column gives the categories
    (the periods), each series a column of numbers, named by its header."""

    title: str
    kind: Literal["stacked", "lines"]
    series: tuple[SeriesSpec, ...]
    svg: str  # the same chart drawn as SVG (the HTML report)
    table: int = 0  # which of the section's tables


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return None


def build(spec: ChartSpec, sheet: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
          header_row: int, first_row: int) -> Any:
    """The openpyxl chart of `spec` over a table written in `sheet` with its headers on
    `header_row` and `rows` (the cells' values, categories in column 0) from `first_row`:
    references to those cells, and their values cached in the chart."""
    from openpyxl.chart import BarChart, LineChart
    from openpyxl.chart.data_source import (
        AxDataSource,
        NumData,
        NumDataSource,
        NumRef,
        NumVal,
        StrData,
        StrRef,
        StrVal,
    )
    from openpyxl.chart.marker import Marker
    from openpyxl.chart.series import Series, SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.utils import get_column_letter, quote_sheetname

    last_row = first_row + len(rows) - 1

    def ref(column: int, top: int, bottom: int) -> str:
        letter = get_column_letter(column + 1)
        return f"{quote_sheetname(sheet)}!${letter}${top}:${letter}${bottom}"

    def strings(values: Sequence[str]) -> StrData:
        return StrData(ptCount=len(values), pt=[StrVal(idx=i, v=v) for i, v in enumerate(values)])

    chart: Any
    if spec.kind == "stacked":
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap, chart.gapWidth = "col", "stacked", 100, 60
    else:
        chart = LineChart()
    chart.title = spec.title
    chart.roundedCorners = False  # absent, Excel and Word round the frame's corners
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    chart.legend.position = "b"
    # openpyxl 3.1 marks both axes deleted unless told: Excel would draw no scale and no periods.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.numFmt = "#,##0"
    categories = [str(row[0]) for row in rows]
    for n, s in enumerate(spec.series):
        values = [_number(row[s.column]) for row in rows]
        cache = NumData(formatCode="General", ptCount=len(values),
                        pt=[NumVal(idx=i, v=v) for i, v in enumerate(values) if v is not None])
        series = Series(idx=n, order=n,
                        val=NumDataSource(numRef=NumRef(f=ref(s.column, first_row, last_row), numCache=cache)))
        series.tx = SeriesLabel(strRef=StrRef(f=ref(s.column, header_row, header_row),
                                              strCache=strings([headers[s.column]])))
        series.cat = AxDataSource(strRef=StrRef(f=ref(0, first_row, last_row), strCache=strings(categories)))
        color = s.color.lstrip("#").upper()
        if spec.kind == "stacked":
            series.graphicalProperties.solidFill = color
            series.graphicalProperties.line.solidFill = color
        else:
            series.smooth = False
            line = series.graphicalProperties.line
            line.solidFill = color
            line.width = 22225  # 1.75 pt in EMU
            if s.dashed:
                line.dashStyle = "dash"
            # The points in the line's colour (left to the viewer, they take the palette's).
            series.marker = Marker(symbol="circle", size=4, spPr=GraphicalProperties(solidFill=color))
            series.marker.spPr.line.solidFill = color
        chart.series.append(series)
    return chart


def chart_xml(chart: Any, workbook_rid: str | None = None) -> bytes:
    """The chart part's XML (c:chartSpace); with `workbook_rid`, it names the embedded workbook
    holding its data (c:externalData) after the elements the schema puts before it."""
    from openpyxl.xml.functions import Element, SubElement, tostring

    tree = chart._write()
    if workbook_rid is not None:
        c = "http://schemas.openxmlformats.org/drawingml/2006/chart"
        r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        external = Element(f"{{{c}}}externalData", {f"{{{r}}}id": workbook_rid})
        SubElement(external, f"{{{c}}}autoUpdate", {"val": "0"})
        later = [i for i, child in enumerate(tree) if child.tag in (f"{{{c}}}printSettings", f"{{{c}}}userShapes",
                                                                    f"{{{c}}}extLst")]
        tree.insert(later[0] if later else len(tree), external)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + tostring(tree)


def data_workbook(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The table as a one-sheet workbook (Sheet1, headers on row 1): the data of a docx chart."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(headers))
    for row in rows:
        ws.append([value if value is None or isinstance(value, (int, float, Decimal)) else str(value)
                   for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def add_to_docx(doc: Any, paragraph: Any, spec: ChartSpec, headers: Sequence[str],
                rows: Sequence[Sequence[Any]], width_emu: int) -> None:
    """The chart inline in `paragraph` of the python-docx Document `doc`: a chart part (its
    numbers cached) and its data as an embedded workbook."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    package = doc.part.package
    workbook = Part(package.next_partname("/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"), CT.SML_SHEET,
                    data_workbook(headers, rows), package)
    chart = build(spec, "Sheet1", headers, rows, header_row=1, first_row=2)
    # A new part's first relationship is rId1: the XML names it before the part exists.
    part = Part(package.next_partname("/word/charts/chart%d.xml"), CT.DML_CHART,
                chart_xml(chart, "rId1"), package)
    if part.relate_to(workbook, RT.PACKAGE) != "rId1":
        raise AssertionError("the chart's workbook is not its first relationship")
    rid = doc.part.relate_to(part, RT.CHART)
    height_emu = int(width_emu * HEIGHT_CM / WIDTH_CM)
    shape_id = doc.part.next_id
    drawing = parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a", "c", "r")}>'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width_emu}" cy="{height_emu}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {shape_id}"/>'
        f'<wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_CHART_URI}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic>'
        f'</wp:inline></w:drawing>')
    paragraph.add_run()._r.append(drawing)


_CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
