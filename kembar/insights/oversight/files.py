"""The roll-up's tables (`rollup.tables`) as a CSV, XLSX or PDF file.

The tables are compact aggregates (a few hundred rows at most, whatever the scope's size); the
job queue writes the file (kembar.insights.analytics.report_files.request_rollup), never the
request. Text cells that could start a formula are neutralised (kembar.core.spreadsheets).
"""

from __future__ import annotations

import csv
import io

from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kembar.core import pdf
from kembar.core.spreadsheets import csv_cell, xlsx_row

from . import rollup

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(r: rollup.Rollup, fmt: str) -> str:
    scope = slugify(r.scope.label) or "scope"
    return f"kembar-oversight-{scope}-{r.today.isoformat()}.{fmt}"


def title(r: rollup.Rollup) -> str:
    return _("Roll-up of %(scope)s") % {"scope": r.scope.label}


def subtitle(r: rollup.Rollup) -> str:
    return _("As of %(day)s. Money in %(currency)s at the rates named.") % {
        "day": r.today.isoformat(),
        "currency": r.currency,
    }


def write(r: rollup.Rollup, fmt: str) -> bytes:
    return {"csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf}[fmt](r)


def render_csv(r: rollup.Rollup) -> bytes:
    """One file, the tables one after another: a heading row, the header, the rows, an empty row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(title(r))])
    writer.writerow([csv_cell(subtitle(r))])
    writer.writerow([])
    for heading, header, rows in rollup.tables(r):
        writer.writerow([csv_cell(heading)])
        writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            writer.writerow([csv_cell(c) for c in row])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the mark: spreadsheet programs read UTF-8


def render_xlsx(r: rollup.Rollup) -> bytes:
    """A sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for number, (heading, header, rows) in enumerate(rollup.tables(r), start=1):
        name = f"{number} {heading}"[:31].replace("/", "-").replace(":", " ")
        for bad in "[]*?\\":
            name = name.replace(bad, " ")
        while name in used:
            name = name[:28] + "_"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(xlsx_row(sheet, [heading]))
        sheet["A1"].font = Font(bold=True)
        if number == 1:
            sheet.append(xlsx_row(sheet, [title(r)]))
            sheet.append(xlsx_row(sheet, [subtitle(r)]))
        sheet.append(xlsx_row(sheet, header))
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        sheet.column_dimensions["A"].width = 52
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(r: rollup.Rollup) -> bytes:
    """A4, a heading and a table per section."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from kembar.insights.analytics.reports import _column_widths, _fonts

    language = (get_language() or "en").split("-")[0]
    regular, bold = _fonts(language)
    styles = getSampleStyleSheet()
    for name in ("Normal", "Title", "Heading2"):
        styles[name].fontName = bold if name != "Normal" else regular
        if language == "ja":
            styles[name].wordWrap = "CJK"
    styles["Heading2"].keepWithNext = 1
    cell = styles["Normal"].clone("cell", fontSize=8, leading=10)
    head = cell.clone("head", fontName=bold)
    margin = 1.6 * cm
    width = A4[0] - 2 * margin
    buffer = io.BytesIO()
    doc = pdf.document(buffer, title=title(r), language=language, margin=margin)
    story = [Paragraph(escape(title(r)), styles["Title"]), Paragraph(escape(subtitle(r)), styles["Normal"])]
    for heading, header, rows in rollup.tables(r):
        story.append(Paragraph(escape(heading), styles["Heading2"]))
        body = [[Paragraph(escape(str(c)), head) for c in header]]
        body += [[Paragraph(escape(str(c)), cell) for c in row] for row in rows] or [
            [Paragraph(escape(_("Nothing recorded.")), cell)] + [""] * (len(header) - 1)
        ]
        plain = [[str(c) for c in row] for row in rows]
        table = Table(body, colWidths=_column_widths(header, plain, width, regular, bold, 8), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 0.3 * cm)]
    doc.build(story)
    return buffer.getvalue()
