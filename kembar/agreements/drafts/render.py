"""A draft set as a Word file (python-docx) and as PDF (reportlab, the project's PDF engine).

The LoI, MoU and terms of reference are set in two columns, Indonesian on the left and the
other language on the right, one row per paragraph, so each clause faces its translation as
bilingual agreements are drafted. The stage checklist is a table (A4 landscape) whose cells
give the Indonesian text with the other language's below it in italics.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import pgettext

from kembar.core import pdf
from kembar.core.pdf import latin_fonts

from .content import Block, Draft

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


def _marks(draft: Draft) -> str:
    """The running header: "RANCANGAN / DRAFT" (a checklist is a record, not a draft)."""
    words = []
    for code in draft.languages:
        with translation.override(code):
            words.append(
                pgettext("agreement draft", "STAGE CHECKLIST")
                if draft.checklist
                else pgettext("agreement draft", "DRAFT")
            )
    return " / ".join(dict.fromkeys(words))


def _page_words(draft: Draft) -> str:
    words = []
    for code in draft.languages:
        with translation.override(code):
            words.append(pgettext("agreement draft", "Page"))
    return " / ".join(dict.fromkeys(words))


def _cell_lines(texts: dict[str, str], languages: tuple[str, str]) -> list[tuple[str, bool]]:
    """The first language's text, then the other's (in italics) when it differs."""
    first, second = texts[languages[0]], texts[languages[1]]
    return [(first, False)] + ([(second, True)] if second != first else [])


# --- Word ----------------------------------------------------------------------------------------


def to_docx(draft: Draft) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    if draft.checklist:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10)
    header = section.header.paragraphs[0]
    header.text = _marks(draft)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    props = doc.core_properties
    props.title = draft.title
    props.author = "kembar"
    props.language = "-".join(draft.languages)

    def fill(paragraph, block: Block, text: str, italic: bool = False) -> None:
        run = paragraph.add_run(text)
        run.italic = italic or block.style == "note"
        if block.style in ("title", "subtitle", "heading"):
            run.bold = True
        if block.style == "title":
            run.font.size = Pt(14)
        if block.style == "note":
            run.font.size = Pt(8)
            run.font.color.rgb = RGBColor(0x60, 0x60, 0x60)
        if block.style in ("title", "subtitle"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if block.style == "item":
            paragraph.paragraph_format.left_indent = Cm(0.5)
        paragraph.paragraph_format.space_after = Pt(4)

    if draft.checklist:
        for block in draft.blocks:
            paragraph = doc.add_paragraph()
            for n, (text, italic) in enumerate(_cell_lines(block.texts, draft.languages)):
                if n:
                    paragraph = doc.add_paragraph()
                fill(paragraph, block, text, italic)
        table = doc.add_table(rows=1, cols=len(draft.checklist.header))
        table.style = "Table Grid"
        for cell, texts in zip(table.rows[0].cells, draft.checklist.header, strict=True):
            _docx_cell(cell, texts, draft.languages, bold=True)
        for row in draft.checklist.rows:
            cells = table.add_row().cells
            for cell, texts in zip(cells, row, strict=True):
                _docx_cell(cell, texts, draft.languages)
    else:
        table = doc.add_table(rows=1, cols=2)
        for cell, code in zip(table.rows[0].cells, draft.languages, strict=True):
            run = cell.paragraphs[0].add_run(draft.language_names[code])
            run.bold = True
            run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        for block in draft.blocks:
            cells = table.add_row().cells
            for cell, code in zip(cells, draft.languages, strict=True):
                fill(cell.paragraphs[0], block, block.texts[code])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_cell(cell, texts: dict[str, str], languages: tuple[str, str], bold: bool = False) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    for n, (text, italic) in enumerate(_cell_lines(texts, languages)):
        if n:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(8)


# --- PDF -----------------------------------------------------------------------------------------


def to_pdf(draft: Draft) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    regular, bold = latin_fonts()
    base = getSampleStyleSheet()["Normal"].clone("draft", fontName=regular, fontSize=9.5, leading=12.5)
    styles = {
        "text": base.clone("text"),
        "item": base.clone("item", leftIndent=10),
        "title": base.clone("title", fontName=bold, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": base.clone("subtitle", fontName=bold, alignment=TA_CENTER),
        "heading": base.clone("heading", fontName=bold, spaceBefore=4),
        "note": base.clone("note", fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")),
        "signature": base.clone("signature"),
    }
    cell = base.clone("cell", fontSize=7.5, leading=9.5)
    head = cell.clone("head", fontName=bold)
    italic_cell = cell.clone("italic-cell", textColor=colors.HexColor("#444444"))
    pagesize = landscape(A4) if draft.checklist else A4
    margin = 2 * cm
    buffer = io.BytesIO()
    doc = pdf.document(buffer, title=draft.title, language=draft.languages[0], margin=margin, pagesize=pagesize)
    width = pagesize[0] - 2 * margin
    mark, page_word = _marks(draft), _page_words(draft)

    def frame(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(pagesize[0] - margin, pagesize[1] - margin / 2, mark)
        canvas.drawString(margin, margin / 2, "kembar")
        canvas.drawRightString(pagesize[0] - margin, margin / 2, f"{page_word} {doc.page}")
        canvas.restoreState()

    def para(text: str, style) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def both(texts: dict[str, str], style, italic_style) -> list[Paragraph]:
        return [para(t, italic_style if i else style) for t, i in _cell_lines(texts, draft.languages)]

    story: list = []
    if draft.checklist:
        for block in draft.blocks:
            story += both(block.texts, styles[block.style], styles[block.style].clone("i", textColor=colors.grey))
        story.append(Spacer(1, 8))
        header = [both(t, head, head) for t in draft.checklist.header]
        rows = [[both(t, cell, italic_cell) for t in row] for row in draft.checklist.rows]
        fractions = [0.04, 0.22, 0.22, 0.08, 0.14, 0.1, 0.1, 0.1]
        table = Table([header, *rows], colWidths=[width * f for f in fractions], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        first, second = draft.languages
        rows = [
            [
                para(draft.language_names[first], styles["heading"]),
                para(draft.language_names[second], styles["heading"]),
            ]
        ]
        rows += [[para(b.texts[first], styles[b.style]), para(b.texts[second], styles[b.style])] for b in draft.blocks]
        table = Table(rows, colWidths=[width / 2, width / 2], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                    ("LINEAFTER", (0, 0), (0, -1), 0.25, colors.lightgrey),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story.append(table)
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()
