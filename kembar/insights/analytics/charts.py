"""Charts from one `Chart` (the data) used three ways: as SVG in the pages (an <img> with a
data: URI, which the Content-Security-Policy allows and which needs no script; written directly
by `svg` for a wide screen and by `svg_narrow` for a phone, chosen by a <picture>), as reportlab vector drawings in the PDF report (`drawing`), and as the data of
openpyxl's native charts in the XLSX report.

A `Chart` is the data (categories, series); every page shows the same data as a table under the
image, for screen readers and for copying.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

FONT = "Helvetica"
FONT_SIZE = 12  # the pages' SVG: shown at its own size on a wide screen, so 12 px on screen
CHAR = 7  # about the width of a character at that size, to make room for labels
WIDE, NARROW = 960, 360  # the pages' two pictures: a wide screen's, a phone's
# Colour-blind-safe palette (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


@dataclass
class Chart:
    title: str
    categories: list[str]
    series: list[tuple[str, list[int]]]  # (label, one value per category)
    stacked: bool = True
    horizontal: bool = False

    @property
    def empty(self) -> bool:
        return not self.categories or not any(any(values) for _label, values in self.series)

    def rows(self) -> list[tuple[str, list[int]]]:
        """The table behind the chart: one row per category, one column per series."""
        return [(category, [values[i] for _label, values in self.series]) for i, category in enumerate(self.categories)]


def drawing(chart: Chart, width: int = 640, height: int = 300, font: str = FONT) -> Drawing:
    """The chart as a reportlab Drawing (a PDF flowable, or SVG through `svg`), its words in
    `font` (a registered one: the report's, with the glyphs of its language)."""
    n = max(len(chart.categories), 1)
    if chart.horizontal:
        height = max(height, 40 + 22 * n)
    if chart.horizontal:
        height = 50 + 26 * n * (len(chart.series) if not chart.stacked else 1) ** 0.5
    d = Drawing(width, height)
    bars = HorizontalBarChart() if chart.horizontal else VerticalBarChart()
    legend_width = 150 if len(chart.series) > 1 else 0
    left = 240 if chart.horizontal else 50
    bars.x, bars.y = left, 50 if not chart.horizontal else 30
    bars.width = width - left - legend_width - 20
    bars.height = height - bars.y - 10
    bars.data = [list(values) or [0] for _label, values in chart.series] or [[0]]
    bars.categoryAxis.categoryNames = [
        _short(c, 40 if chart.horizontal else 24 if n <= 4 else 12) for c in chart.categories
    ] or [""]
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 9
    if not chart.horizontal:
        bars.categoryAxis.labels.angle = 45 if n > 8 else 0
        bars.categoryAxis.labels.boxAnchor = "ne" if n > 8 else "n"
    else:
        bars.categoryAxis.reverseDirection = 1
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 9
    bars.valueAxis.forceZero = 1
    top = max((sum(col) if chart.stacked else max(col)) for col in zip(*bars.data)) if bars.data[0] else 0
    bars.valueAxis.valueMax = max(top, 4)
    bars.valueAxis.valueStep = max(1, _nice_step(max(top, 4)))
    if chart.stacked and len(chart.series) > 1:
        bars.categoryAxis.style = "stacked"
    for i in range(len(bars.data)):
        bars.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        bars.bars[i].strokeColor = None
    d.add(bars)
    if legend_width:
        legend = Legend()
        legend.x, legend.y = width - legend_width + 5, height - 10
        legend.fontName, legend.fontSize = font, 9
        legend.alignment = "right"
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), _short(label, 24))
            for i, (label, _values) in enumerate(chart.series)
        ]
        d.add(legend)
    return d


def svg(chart: Chart, width: int = WIDE, height: int = 320) -> str:
    """The chart as SVG text for the pages, written directly from the data (about a millisecond;
    reportlab's renderSVG took ~0.1 s a chart). The same layout as `drawing` (the PDF's): bars
    stacked or side by side, vertical or horizontal, a value axis from 0 with round steps, and a
    legend when there is more than one series."""
    n = max(len(chart.categories), 1)
    if chart.horizontal:
        height = int(50 + 30 * n * (len(chart.series) if not chart.stacked else 1) ** 0.5)
    legend_width = (
        min(220, 30 + CHAR * max((len(label) for label, _v in chart.series), default=0)) if len(chart.series) > 1 else 0
    )
    names = [_short(c, 48 if chart.horizontal else 24 if n <= 6 else 14) for c in chart.categories]
    # Horizontal bars: room on the left for the longest label, at most two fifths of the width.
    left = min(int(width * 0.4), 16 + CHAR * max((len(c) for c in names), default=4)) if chart.horizontal else 50
    bottom = (
        30 if chart.horizontal else (24 if n <= 8 else 20 + int(CHAR * 0.72 * max((len(c) for c in names), default=4)))
    )
    height = max(height, bottom + 160)
    x0, y0 = left, bottom  # from the bottom, as in reportlab
    plot_w = width - left - legend_width - 20
    plot_h = height - y0 - 10
    data = [list(values) for _label, values in chart.series] or [[0]]
    columns = list(zip(*data)) if data[0] else []
    stacked = chart.stacked and len(chart.series) > 1
    top = max(max(((sum(col) if stacked else max(col)) for col in columns), default=0), 4)
    step = max(1, _nice_step(top))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>{escape(chart.title)}</title>",
        f'<g font-family="{FONT}, Arial, \'DejaVu Sans\', sans-serif" font-size="{FONT_SIZE}" fill="#000">',
    ]

    def Y(v: float) -> float:  # the SVG's y of a height v above the bottom
        return height - v

    def num(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    def scale(v: float) -> float:
        return v / top * (plot_w if chart.horizontal else plot_h)

    # value axis, its ticks and grid
    ticks = range(0, int(top) + 1, step)
    for t in ticks:
        if chart.horizontal:
            x = x0 + scale(t)
            out.append(
                f'<line x1="{num(x)}" y1="{num(Y(y0))}" x2="{num(x)}" y2="{num(Y(y0) + 5)}" stroke="#000"/>'
                f'<text x="{num(x)}" y="{num(Y(y0) + 18)}" text-anchor="middle">{t}</text>'
            )
        else:
            y = Y(y0 + scale(t))
            out.append(
                f'<line x1="{num(x0 - 5)}" y1="{num(y)}" x2="{x0}" y2="{num(y)}" stroke="#000"/>'
                f'<text x="{num(x0 - 8)}" y="{num(y + 4)}" text-anchor="end">{t}</text>'
            )
    # bars
    band = (plot_h if chart.horizontal else plot_w) / n
    groups = 1 if stacked else len(data)
    bar = band * 0.8 / groups
    for i in range(len(chart.categories)):
        base = 0.0
        for s, values in enumerate(data):
            value = values[i] if i < len(values) else 0
            colour = PALETTE[s % len(PALETTE)]
            offset = band * 0.1 + (0 if stacked else s * bar)
            if value:
                length = scale(value)
                if chart.horizontal:  # categories from the top down
                    top_y = Y(y0 + plot_h) + i * band + offset
                    out.append(
                        f'<rect x="{num(x0 + scale(base))}" y="{num(top_y)}" width="{num(length)}" '
                        f'height="{num(bar)}" fill="{colour}"><title>{escape(names[i])}: {value}</title></rect>'
                    )
                else:
                    x = x0 + i * band + offset
                    out.append(
                        f'<rect x="{num(x)}" y="{num(Y(y0 + scale(base) + length))}" width="{num(bar)}" '
                        f'height="{num(length)}" fill="{colour}"><title>{escape(names[i])}: {value}</title></rect>'
                    )
            if stacked:
                base += value
    # category labels
    for i, name in enumerate(names):
        if chart.horizontal:
            y = Y(y0 + plot_h) + (i + 0.5) * band + 4
            out.append(f'<text x="{num(x0 - 5)}" y="{num(y)}" text-anchor="end">{escape(name)}</text>')
        else:
            x = x0 + (i + 0.5) * band
            if n > 8:
                out.append(
                    f'<text x="{num(x)}" y="{num(Y(y0) + 12)}" text-anchor="end" '
                    f'transform="rotate(-45 {num(x)} {num(Y(y0) + 12)})">{escape(name)}</text>'
                )
            else:
                out.append(f'<text x="{num(x)}" y="{num(Y(y0) + 17)}" text-anchor="middle">{escape(name)}</text>')
    # axes
    out.append(f'<path d="M{x0} {num(Y(y0 + plot_h))}V{num(Y(y0))}H{num(x0 + plot_w)}" fill="none" stroke="#000"/>')
    if legend_width:
        lx = width - legend_width + 5
        for s, (label, _values) in enumerate(chart.series):
            y = 10 + s * 19
            out.append(
                f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                f'<text x="{lx + 18}" y="{y + 10}">{escape(_short(label, 28))}</text>'
            )
    out.append("</g></svg>")
    return "\n".join(out)


def svg_narrow(chart: Chart, width: int = NARROW) -> str:
    """The chart for a phone, where the wide picture would shrink its labels to a few pixels:
    always bars across, each category's full label above its bars, the value at each bar's end
    and the legend on top, at the font size of the text around it."""
    font, bar, gap = 13, 14, 3
    data = [list(values) for _label, values in chart.series] or [[0]]
    stacked = chart.stacked and len(chart.series) > 1
    columns = list(zip(*data)) if data[0] else []
    top = max(max(((sum(col) if stacked else max(col)) for col in columns), default=0), 1)
    room = width - 36  # the value is written after the longest bar

    def num(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    out: list[str] = []
    y = 4.0
    if len(chart.series) > 1:  # the legend, wrapped into rows
        x = 0.0
        for s, (label, _values) in enumerate(chart.series):
            text = _short(label, 30)
            advance = 18 + CHAR * len(text) + 14
            if x and x + advance > width:
                x, y = 0.0, y + font + 8
            out.append(
                f'<rect x="{num(x)}" y="{num(y)}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                f'<text x="{num(x + 17)}" y="{num(y + 11)}">{escape(text)}</text>'
            )
            x += advance
        y += font + 14
    per_line = int(width / (CHAR * 1.05))
    for i, category in enumerate(chart.categories):
        y += font
        out.append(f'<text x="0" y="{num(y)}" font-weight="bold">{escape(_short(category, per_line))}</text>')
        y += 5
        values = [values[i] if i < len(values) else 0 for values in data]
        rows = [values] if stacked else [[v] for v in values]
        for r, row in enumerate(rows):
            if not stacked and not row[0] and any(values):
                continue  # a series with nothing here: its colour is simply absent
            x = 0.0
            for s, value in enumerate(row):
                if not value:
                    continue
                length = value / top * room
                colour = PALETTE[(s if stacked else r) % len(PALETTE)]
                out.append(
                    f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(length, 1))}" height="{bar}" fill="{colour}">'
                    f"<title>{escape(category)}: {value}</title></rect>"
                )
                x += length
            out.append(f'<text x="{num(x + 5)}" y="{num(y + bar - 3)}">{sum(row)}</text>')
            y += bar + gap
        y += 10
    height = int(y + 4)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">',
            f"<title>{escape(chart.title)}</title>",
            f'<g font-family="{FONT}, Arial, \'DejaVu Sans\', sans-serif" font-size="{font}" fill="#000">',
            *out,
            "</g></svg>",
        ]
    )


def svg_data_uri(chart: Chart, narrow: bool = False) -> str:
    """The chart as an <img src> value: no script, no inline style in the page. Each process
    remembers the last charts it wrote, by their data (title, labels and values: the same data
    always gives the same picture)."""
    return _svg_data_uri((*chart_key(chart), narrow))


def chart_key(chart: Chart) -> tuple:
    """The chart's data as a hashable value: equal keys, equal pictures and tables."""
    return (
        chart.title,
        tuple(chart.categories),
        tuple((label, tuple(values)) for label, values in chart.series),
        chart.stacked,
        chart.horizontal,
    )


@lru_cache(maxsize=256)
def _svg_data_uri(key: tuple) -> str:
    title, categories, series, stacked, horizontal, narrow = key
    chart = Chart(title, list(categories), [(label, list(values)) for label, values in series], stacked, horizontal)
    text = svg_narrow(chart) if narrow else svg(chart)
    return "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def _nice_step(top: float) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if top / step <= 8:
            return step
    return int(top / 8) or 1


def _short(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the charts of the pivot and the SDG report ---------------------------------------------------


def _modality_status_series(tallies) -> list[tuple[str, list[int]]]:
    from kembar.activities.vocab import ActivityStatus, Modality

    series = [(str(m.label), [t.modality.get(m.value, 0) for t in tallies]) for m in Modality]
    series += [
        (str(s.label), [t.status.get(s.value, 0) for t in tallies])
        for s in (ActivityStatus.POSTPONED, ActivityStatus.CANCELLED)
    ]
    return series


def pivot_charts(pivot) -> dict[str, Chart]:
    """quarters: per quarter by modality (what takes place) and postponed/cancelled;
    periods: the same before, during and after the pandemic; fields: per field and period."""
    from django.utils.translation import gettext as _

    quarters = [q.tally for q in pivot.quarters]
    periods = [p.tally for p in pivot.periods]
    return {
        "quarters": Chart(
            _("Activities per quarter"), [q.label for q in pivot.quarters], _modality_status_series(quarters)
        ),
        "periods": Chart(
            _("Before, during and after the pandemic"),
            [p.label for p in pivot.periods],
            _modality_status_series(periods),
        ),
        "fields": Chart(
            _("Activities by field of cooperation"),
            [label for _code, label in pivot.fields],
            [(p.label, [p.tally.field.get(code, 0) for code, _label in pivot.fields]) for p in pivot.periods],
            stacked=False,
            horizontal=True,
        ),
    }


def sdg_charts(report) -> dict[str, Chart]:
    from django.utils.translation import gettext as _

    goals = report.contributing_goals
    return {
        "goals": Chart(
            _("Activities per Sustainable Development Goal"),
            [row.label_with_code for row in goals],
            [
                (_("Activities"), [row.activities for row in goals]),
                (_("With recorded outcomes"), [row.with_outcomes for row in goals]),
            ],
            stacked=False,
            horizontal=True,
        ),
        "targets": Chart(
            _("Activities per SDG 11 target"),
            [row.label_with_code for row in report.targets],
            [
                (_("Activities"), [row.activities for row in report.targets]),
                (_("With recorded outcomes"), [row.with_outcomes for row in report.targets]),
            ],
            stacked=False,
            horizontal=True,
        ),
    }
