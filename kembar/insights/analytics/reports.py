"""The periodic report of a government for a year (or a roll-up of a province or the platform for
oversight bodies), as PDF (reportlab) or XLSX (openpyxl), in any language of the interface.

`build_report` gathers the figures (pivot, SDG report, partnerships, health) with a constant
number of queries; `render_pdf` and `render_xlsx` lay them out. Pages, the API and
`kembar report` all call `write_report`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core import pdf
from kembar.core.spreadsheets import xlsx_row
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Status

from . import charts, cooperation
from .pivot import Pivot, Scope, pivot, year_range
from .sdg import SdgReport, sdg_report

FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",  # the oversight roll-up's tables
}
MAX_LISTED_PARTNERSHIPS = 500  # a roll-up lists its partnerships' counts by status; a government every one
HEALTH_LISTED = 25  # the partnerships needing attention first, in the health section


# Who reads for `kembar report`: the server's operator, who reads everything and changes nothing
# (as an oversight body does).
OPERATOR = permissions.console_reader()


class ReportError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class PartnershipLine:
    partner: str
    kind: str
    status: str
    since: str
    activities: int


@dataclass
class TopPartnership:
    name: str
    activities: int  # in the year
    status: str


@dataclass
class HealthSection:
    states: list[tuple[str, int]]  # (state label, partnerships), best first, no record yet last
    worst: list[tuple[str, int, str, str]]  # (partnership, score, state label, next step), worst first
    attention: list[tuple[str, int, str]]  # (partnership, score, next step): the worst not thriving
    dormant_months: int


@dataclass
class ReportData:
    scope: Scope
    year: int
    language: str
    generated: dt.datetime
    pivot: Pivot
    sdg: SdgReport
    partnerships: list[PartnershipLine]
    partnership_status: list[tuple[str, int]]  # (status label, count)
    partnerships_total: int
    health: HealthSection
    top: list[TopPartnership]
    # Plan versus actual, money by funder, self-assessment: a government's or a partnership's report.
    cooperation: cooperation.CooperationSection | None = None

    @property
    def title(self) -> str:
        return _("Sister-city cooperation report %(year)s: %(scope)s") % {"year": self.year, "scope": self.scope.label}


def check_options(fmt: str, language: str | None) -> tuple[str, str]:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise ReportError(_("The format must be pdf or xlsx, not “%(value)s”.") % {"value": fmt}, "format")
    return fmt, check_language(language)


def check_language(language: str | None) -> str:
    """The report's language: the one asked for, else the reader's; ReportError if the interface
    does not speak it."""
    language = (language or translation.get_language() or "id")[:2].lower()
    if language not in languages():
        raise ReportError(
            _("The language must be one of %(languages)s, not “%(value)s”.")
            % {"languages": ", ".join(languages()), "value": language},
            "language",
        )
    return language


def languages() -> list[str]:
    """The codes a report can be written in: the interface's (settings.LANGUAGES)."""
    return [code for code, _name in settings.LANGUAGES]


def _scope_partnerships(user, scope: Scope):
    qs = permissions.visible_partnerships(user, Partnership.objects.all())
    if scope.partnership is not None:
        qs = qs.filter(pk=scope.partnership.pk)
    elif scope.government is not None:
        qs = qs.filter(Q(government_a=scope.government) | Q(government_b=scope.government))
    elif scope.government_ids is not None:
        qs = qs.filter(Q(government_a__in=scope.government_ids) | Q(government_b__in=scope.government_ids))
    return qs


TOP_SHOWN = 5  # the summary's most active partnerships


def _top_partnerships(user, scope: Scope, year: int) -> list[TopPartnership]:
    """The partnerships with the most activities starting in the year, most first (one query)."""
    start, end = year_range(year, scope.zone)
    rows = (
        _scope_partnerships(user, scope)
        .select_related("government_a", "government_b")
        .annotate(n=Count("activities", filter=Q(activities__start__gte=start, activities__start__lt=end)))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:TOP_SHOWN]
    )
    return [TopPartnership(f"{p.government_a.name} – {p.government_b.name}", p.n, p.get_status_display()) for p in rows]


def _partnerships(user, scope: Scope, year: int):
    qs = _scope_partnerships(user, scope)
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    status = [(str(s.label), by_status.get(s.value, 0)) for s in Status]
    lines = []
    if scope.kind in ("government", "partnership"):
        start, end = year_range(year, scope.zone)
        rows = (
            qs.select_related("government_a", "government_b")
            .annotate(n=Count("activities", filter=Q(activities__start__gte=start, activities__start__lt=end)))
            .order_by("pk")[:MAX_LISTED_PARTNERSHIPS]
        )
        for p in rows:
            other = p.other(scope.government) if scope.government is not None else p.government_b
            lines.append(
                PartnershipLine(
                    str(other), p.get_kind_display(), p.get_status_display(), str(p.since.year) if p.since else "—", p.n
                )
            )
    return sorted(lines, key=lambda line: line.partner), status, sum(by_status.values())


def health_section(user, scope: Scope) -> HealthSection:
    """Partnership health (kembar/insights/health/score.py) of the scope's partnerships that are not
    ended: how many are in each state, and the worst of those with a record with their next step
    (a partnership with no record yet needs a first record, not attention)."""
    from kembar.insights.health import score

    queryset = _scope_partnerships(user, scope).exclude(status=Status.ENDED)
    report = score.HealthReport(user, queryset=queryset)
    rows = [h for h in report.rows(limit=HEALTH_LISTED) if not h.no_record]
    return HealthSection(
        states=[(label, n) for _name, label, n in score.state_counts(report)],
        worst=[(str(h.partnership), h.score, h.state_label, h.next_step.text) for h in rows],
        attention=[(str(h.partnership), h.score, h.next_step.text) for h in rows if h.state != "thriving"][:5],
        dormant_months=score.dormant_months(),
    )


def build_report(user, scope: Scope, year: int, language: str) -> ReportData:
    with translation.override(language):
        lines, status, total = _partnerships(user, scope, year)
        data = ReportData(
            scope=scope,
            year=year,
            language=language,
            generated=timezone.now(),
            pivot=pivot(user, scope, year=year),
            sdg=sdg_report(user, scope, year=year),
            partnerships=lines,
            partnership_status=status,
            partnerships_total=total,
            health=health_section(user, scope),
            top=_top_partnerships(user, scope, year),
            cooperation=cooperation.build(user, scope, year),
        )
    return data


def write_report(user, scope: Scope, year: int, fmt: str, language: str | None) -> bytes:
    fmt, language = check_options(fmt, language)
    data = build_report(user, scope, year, language)
    with translation.override(language):
        return render_pdf(data) if fmt == "pdf" else render_xlsx(data)


def filename(scope: Scope, year: int, fmt: str) -> str:
    from django.utils.text import slugify

    return f"kembar-{slugify(scope.label) or 'report'}-{year}.{fmt}"


# --- the tables both formats show ----------------------------------------------------------------


def tables(data: ReportData) -> list[tuple[str, list[str], list[list], charts.Chart | None, str]]:
    """(heading, header row, rows, chart, sheet name) for each section, in the active language."""
    p = data.pivot
    chart = charts.pivot_charts(p)
    sdg_chart = charts.sdg_charts(data.sdg)
    measures = [
        _("Quarter"),
        _("In person"),
        _("Virtual"),
        _("Hybrid"),
        _("Postponed"),
        _("Cancelled"),
        _("Pivoted to virtual or hybrid"),
        _("Total"),
    ]

    def measure_row(t):
        return [
            t.modality["in_person"],
            t.modality["virtual"],
            t.modality["hybrid"],
            t.status["postponed"],
            t.status["cancelled"],
            t.pivoted,
            t.total,
        ]

    out = []
    if data.scope.kind in ("government", "partnership"):
        out.append(
            (
                _("Partnerships and their state"),
                [_("Partner"), _("Kind"), _("Status"), _("Since"), _("Activities in %(year)s") % {"year": data.year}],
                [[x.partner, x.kind, x.status, x.since, x.activities] for x in data.partnerships],
                None,
                _("Partnerships"),
            )
        )
    else:
        out.append(
            (
                _("Partnerships and their state"),
                [_("Status"), _("Partnerships")],
                [[label, n] for label, n in data.partnership_status] + [[_("Total"), data.partnerships_total]],
                None,
                _("Partnerships"),
            )
        )
    out.append(
        (
            _("Activities of %(year)s by quarter and modality") % {"year": data.year},
            measures,
            [[q.label, *measure_row(q.tally)] for q in p.quarters],
            chart["quarters"],
            _("Quarters"),
        )
    )
    out.append(
        (
            _("Activities of %(year)s by field of cooperation") % {"year": data.year},
            [_("Field"), _("Activities")],
            [[label, sum(q.tally.field.get(code, 0) for q in p.quarters)] for code, label in p.fields],
            None,
            _("Fields"),
        )
    )
    out.append(
        (
            _("The pandemic pivot: before, during and after the pandemic (all years)"),
            [_("Period"), *measures[1:]],
            [[_period_label(x), *measure_row(x.tally)] for x in p.periods],
            chart["periods"],
            _("Pandemic"),
        )
    )
    out.append(
        (
            _("Contribution to the Sustainable Development Goals"),
            [
                _("Goal"),
                _("Activities"),
                _("Held"),
                _("With recorded outcomes"),
                _("Participants"),
                _("Governments with this priority"),
            ],
            [
                [r.label_with_code, r.activities, r.held, r.with_outcomes, r.participants, r.priority_of]
                for r in data.sdg.goals
            ],
            sdg_chart["goals"] if not sdg_chart["goals"].empty else None,
            _("SDG"),
        )
    )
    out.append(
        (
            _("SDG 11 targets"),
            [_("Target"), _("Activities"), _("Held"), _("With recorded outcomes"), _("Participants")],
            [[r.label_with_code, r.activities, r.held, r.with_outcomes, r.participants] for r in data.sdg.targets],
            None,
            _("SDG 11"),
        )
    )
    h = data.health
    out.append(
        (
            _(
                "Partnership health (a partnership is dormant after %(months)s months without a held activity; "
                "one with no record yet has nothing recorded by anyone)"
            )
            % {"months": h.dormant_months},
            [_("Health"), _("Partnerships")],
            [[label, n] for label, n in h.states],
            None,
            _("Health"),
        )
    )
    out.append(
        (
            _("Partnerships needing attention first"),
            [_("Partnership"), _("Score"), _("Health"), _("Next step")],
            [list(row) for row in h.worst],
            None,
            _("Attention"),
        )
    )
    if data.cooperation is not None:
        out += cooperation_tables(data.cooperation)
    return out


def cooperation_tables(c: cooperation.CooperationSection) -> list[tuple[str, list[str], list[list], None, str]]:
    """Plan versus actual, money by funder (with every line and the rate that converted it) and
    the self-assessment, as (heading, header, rows, chart, sheet name)."""
    y = {"year": c.year, "currency": c.currency}
    targets = [
        [
            f"{t.target} ({t.partnership}: {t.objective})",
            f"{t.indicator} ({t.unit})" if t.unit else t.indicator,
            t.target_value,
            t.achieved,
            f"{t.percent}%",
        ]
        for t in c.targets
    ]
    funders = [[f.funder, f.plan_budget, f.budget, f.spent] for f in c.funders]
    if funders:
        funders.append(
            [
                _("Total"),
                sum((f.plan_budget for f in c.funders), Decimal(0)),
                sum((f.budget for f in c.funders), Decimal(0)),
                sum((f.spent for f in c.funders), Decimal(0)),
            ]
        )
    lines = [
        [
            f"{x.partnership}: {x.what} ({x.kind.lower()}) · {x.funder}",
            f"{_cell_text(x.amount)} {x.currency}",
            x.converted if x.converted is not None else "—",
            x.rate,
        ]
        for x in c.lines
    ]
    money_heading = _("Money by funder in %(year)s, converted to %(currency)s") % y
    if c.unconverted:
        money_heading += " " + _("(%(n)s lines without a rate left out)") % {"n": c.unconverted}
    return [
        (
            _("Plans of action in force in %(year)s: plan versus actual") % y,
            [_("Target (partnership: objective)"), _("Indicator"), _("Target"), _("Achieved"), "%"],
            targets,
            None,
            _("Plan vs actual"),
        ),
        (
            money_heading,
            [_("Funder"), _("Plans' budget"), _("Budget of activities"), _("Spent")],
            funders,
            None,
            _("Money by funder"),
        ),
        (
            _("Money lines of %(year)s and the rate that converted each") % y,
            [
                _("Partnership: what (budget or spent) · funder"),
                _("Amount"),
                _("In %(currency)s") % y,
                _("Rate used"),
            ],
            lines,
            None,
            _("Money lines"),
        ),
        (
            _("Self-assessment %(year)s: each side's scores, 1 (not at all) to 5 (fully)") % y,
            [_("Side (partnership)"), *(label for _code, label in c.dimensions), _("Overall")],
            [[f"{a.side} ({a.partnership})", *(s if s is not None else "—" for s in a.scores)] for a in c.assessments],
            None,
            _("Self-assessment"),
        ),
    ]


def key_figures(data: ReportData) -> list[tuple[str, str]]:
    """The summary's key numbers, each with the words that say what it counts."""
    quarters = [q.tally for q in data.pivot.quarters]
    total = sum(t.total for t in quarters)
    remote = sum(t.modality.get("virtual", 0) + t.modality.get("hybrid", 0) for t in quarters)
    postponed = sum(t.status.get("postponed", 0) for t in quarters)
    cancelled = sum(t.status.get("cancelled", 0) for t in quarters)
    goals = sum(1 for r in data.sdg.goals if r.activities)
    y = {"year": data.year}
    figures = [
        (_("Partnerships"), str(data.partnerships_total)),
        *((_("of which: %(status)s") % {"status": label.lower()}, str(n)) for label, n in data.partnership_status if n),
        (_("Activities starting in %(year)s") % y, str(total)),
        (_("of which virtual or hybrid"), f"{remote} ({round(100 * remote / total)}%)" if total else "0"),
        (_("of which postponed or cancelled"), str(postponed + cancelled)),
        (_("Sustainable Development Goals served by activities"), str(goals)),
    ]
    figures += [
        (_("Partnerships with health “%(state)s”") % {"state": label}, str(n)) for label, n in data.health.states
    ]
    c = data.cooperation
    if c is not None and c.progress is not None:
        figures.append((_("Progress of the plans of action in force (mean of their targets)"), f"{c.progress}%"))
    if c is not None and c.funders:
        spent = sum((f.spent for f in c.funders), Decimal(0))
        figures.append(
            (
                _("Money spent in %(year)s (%(currency)s)") % {"year": data.year, "currency": c.currency},
                number_format(spent, force_grouping=True),
            )
        )
    return figures


def _cell_text(value) -> str:
    """A cell as the PDF writes it: amounts grouped as the report's language writes numbers."""
    if isinstance(value, Decimal):
        return number_format(value, force_grouping=True)
    return str(value)


def _period_label(period) -> str:
    first = date_format(period.first, "SHORT_DATE_FORMAT") if period.first else "…"
    last = date_format(period.last, "SHORT_DATE_FORMAT") if period.last else "…"
    return f"{period.label} ({first} – {last})"


def _subtitle(data: ReportData) -> str:
    return _(
        "Generated on %(date)s by kembar. Quarters in the time zone %(zone)s. Counts only what the reader may see."
    ) % {
        "date": date_format(timezone.localtime(data.generated, data.scope.zone), "DATE_FORMAT"),
        "zone": data.scope.zone.key,
    }


# --- PDF ---------------------------------------------------------------------------------------------


# Japanese, Chinese and Korean glyphs: reportlab's Adobe CID fonts for each script (regular, bold),
# which need no font file: the PDF names the font and the reader supplies it (Acrobat, pdf.js,
# macOS Preview, poppler with poppler-data). Vera has no CJK glyph; a CJK font to embed (Noto
# CJK, IPAex) is 8-20 MB and not on PyPI. A language not listed here is written in Vera.
CID_FONTS = {
    "ja": ("HeiseiMin-W3", "HeiseiKakuGo-W5"),
    "ko": ("HYSMyeongJo-Medium", "HYGothic-Medium"),
    "zh": ("STSong-Light", "STSong-Light"),
}


def _fonts(language: str = "en") -> tuple[str, str]:
    """(regular, bold) for a report in `language`: a CID font for Japanese (CID_FONTS), else
    Bitstream Vera (shipped with reportlab): Latin text with the accents Helvetica lacks."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if language in CID_FONTS:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        for name in set(CID_FONTS[language]) - set(pdfmetrics.getRegisteredFontNames()):
            pdfmetrics.registerFont(UnicodeCIDFont(name))
        return CID_FONTS[language]
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
        pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
    return "Vera", "VeraBd"


def _column_widths(header: list[str], rows: list[list], width: float, font: str, bold: str, size: float) -> list[float]:
    """Widths that never break a word of the header or a number: every column but the first gets
    what its longest word (header) or value needs, the first (the names) the rest."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 8  # the cell's padding, left and right
    need = []
    for c, title in enumerate(header[1:], start=1):
        words = max((stringWidth(w, bold, size) for w in str(title).split()), default=0)
        values = max((stringWidth(str(row[c]), font, size) for row in rows if c < len(row)), default=0)
        need.append(max(words, min(values, width / 4)) + pad)
    first = width - sum(need)
    least = width * 0.3
    if first < least:  # too many columns: they share what is left in proportion
        scale = (width - least) / sum(need)
        need, first = [n * scale for n in need], least
    return [first, *need]


def render_pdf(data: ReportData) -> bytes:
    """A cover, a one-page summary (the key numbers, the most active partnerships, those needing
    attention first), then a section per table, each heading kept with what follows it."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    regular, bold = _fonts(data.language)
    chart_font = regular if data.language in CID_FONTS else charts.FONT
    styles = getSampleStyleSheet()
    for name in ("Normal", "Title", "Heading1", "Heading2"):
        styles[name].fontName = bold if name != "Normal" else regular
        if data.language in CID_FONTS:  # lines break between any two characters, not at spaces only
            styles[name].wordWrap = "CJK"
    styles["Heading2"].keepWithNext = 1
    cell = styles["Normal"].clone("cell", fontSize=8, leading=10)
    head = cell.clone("head", fontName=bold)
    cover_title = styles["Title"].clone("cover-title", fontSize=26, leading=32, spaceAfter=18)
    cover_scope = styles["Title"].clone("cover-scope", fontSize=18, leading=24, textColor=colors.HexColor("#1d2733"))
    big = styles["Normal"].clone("big", fontSize=11, leading=15)
    buffer = io.BytesIO()
    margin = 1.6 * cm
    doc = pdf.document(buffer, title=data.title, language=data.language, margin=margin)
    width = A4[0] - 2 * margin
    footer = f"{data.scope.label} · {data.year} · kembar"

    def page_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(margin, margin / 2, footer)
        canvas.drawRightString(A4[0] - margin, margin / 2, _("Page %(page)s") % {"page": doc.page})
        canvas.restoreState()

    def table(header: list, rows: list[list], widths: list[float] | None = None) -> Table:
        rows = [[_cell_text(c) for c in row] for row in rows]
        body = [[Paragraph(escape(str(c)), head) for c in header]]
        body += [[Paragraph(escape(str(c)), cell) for c in row] for row in rows] or [
            [Paragraph(escape(_("Nothing recorded.")), cell)] + [""] * (len(header) - 1)
        ]
        plain = [[str(c) for c in row] for row in rows]
        t = Table(body, colWidths=widths or _column_widths(header, plain, width, regular, bold, 8), repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return t

    # The cover.
    story = [
        Spacer(1, 6 * cm),
        Paragraph(escape(_("Sister-city cooperation report")), cover_title),
        Paragraph(escape(data.scope.label), cover_scope),
        Paragraph(escape(str(data.year)), cover_scope),
        Spacer(1, 4 * cm),
        Paragraph(escape(_subtitle(data)), big),
        PageBreak(),
    ]
    # The summary, on one page.
    story += [
        Paragraph(escape(_("Summary")), styles["Heading1"]),
        Paragraph(escape(_("Key numbers")), styles["Heading2"]),
        table([_("What"), _("Number")], key_figures(data), [width * 0.75, width * 0.25]),
        Paragraph(escape(_("Most active partnerships in %(year)s") % {"year": data.year}), styles["Heading2"]),
        table(
            [_("Partnership"), _("Activities"), _("Status")],
            [[t.name, t.activities, t.status] for t in data.top],
            [width * 0.6, width * 0.15, width * 0.25],
        ),
        Paragraph(escape(_("Needing attention first")), styles["Heading2"]),
        table(
            [_("Partnership"), _("Health (of 100)"), _("Next step")],
            [list(row) for row in data.health.attention],
            [width * 0.4, width * 0.12, width * 0.48],
        ),
        PageBreak(),
    ]
    for heading, header, rows, chart, _sheet in tables(data):
        story.append(Paragraph(escape(heading), styles["Heading2"]))
        if chart is not None and not chart.empty:
            story.append(charts.drawing(chart, width=int(width), height=220, font=chart_font))
        story += [table(header, rows), Spacer(1, 0.4 * cm)]
    doc.build(story, onLaterPages=page_footer)
    return buffer.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------


def render_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append(xlsx_row(summary, [data.title]))
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(xlsx_row(summary, [_subtitle(data)]))
    summary.append([])
    for label, value in key_figures(data):
        summary.append(xlsx_row(summary, [label, value]))
    summary.append([])
    used = {summary.title}
    for heading, header, rows, chart, sheet_name in tables(data):
        summary.append(xlsx_row(summary, [heading, _("sheet %(name)s") % {"name": sheet_name}]))
        name = sheet_name[:31]
        while name in used:
            name = name[:28] + "_"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(xlsx_row(sheet, [heading]))
        sheet["A1"].font = Font(bold=True)
        sheet.append(xlsx_row(sheet, header))
        for c in sheet[2]:
            c.font = Font(bold=True)
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        sheet.column_dimensions["A"].width = 48
        if chart is not None and not chart.empty and rows:
            # Chart over the table: one series per numeric column the chart shows.
            bar = BarChart()
            bar.title = chart.title
            bar.type = "bar" if chart.horizontal else "col"
            if chart.stacked and len(chart.series) > 1:
                bar.grouping, bar.overlap = "stacked", 100
            columns = [header.index(label) + 1 for label, _values in chart.series if label in header]
            for column in columns:
                bar.add_data(Reference(sheet, min_col=column, min_row=2, max_row=2 + len(rows)), titles_from_data=True)
            bar.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + len(rows)))
            bar.width, bar.height = 22, 10
            sheet.add_chart(bar, f"A{len(rows) + 5}")
    summary.column_dimensions["A"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
