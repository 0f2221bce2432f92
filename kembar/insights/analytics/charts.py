"""Charts from one `Chart` (the data) used three ways: as SVG in the pages (an <img> with a
data: URI, which the Content-Security-Policy allows and which needs no script; written directly
by `svg`), as reportlab vector drawings in the PDF report (`drawing`), and as the data of
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


def drawing(chart: Chart, width: int = 640, height: int = 300) -> Drawing:
    """The chart as a reportlab Drawing (a PDF flowable, or SVG through `svg`)."""
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
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = FONT
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
        legend.fontName, legend.fontSize = FONT, 9
        legend.alignment = "right"
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), _short(label, 24))
            for i, (label, _values) in enumerate(chart.series)
        ]
        d.add(legend)
    return d


def svg(chart: Chart, width: int = 640, height: int = 300) -> str:
    """The chart as SVG text for the pages, written directly from the data (about a millisecond;
    reportlab's renderSVG took ~0.1 s a chart). The same layout as `drawing` (the PDF's): bars
    stacked or side by side, vertical or horizontal, a value axis from 0 with round steps, and a
    legend when there is more than one series."""
    n = max(len(chart.categories), 1)
    if chart.horizontal:
        height = int(50 + 26 * n * (len(chart.series) if not chart.stacked else 1) ** 0.5)
    legend_width = 150 if len(chart.series) > 1 else 0
    left = 240 if chart.horizontal else 50
    x0, y0 = left, (30 if chart.horizontal else 50)  # from the bottom, as in reportlab
    plot_w = width - left - legend_width - 20
    plot_h = height - y0 - 10
    data = [list(values) for _label, values in chart.series] or [[0]]
    columns = list(zip(*data)) if data[0] else []
    stacked = chart.stacked and len(chart.series) > 1
    top = max(max(((sum(col) if stacked else max(col)) for col in columns), default=0), 4)
    step = max(1, _nice_step(top))
    names = [_short(c, 40 if chart.horizontal else 24 if n <= 4 else 12) for c in chart.categories]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>{escape(chart.title)}</title>",
        f'<g font-family="{FONT}, Arial, \'DejaVu Sans\', sans-serif" font-size="9" fill="#000">',
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
                f'<text x="{num(x)}" y="{num(Y(y0) + 15)}" text-anchor="middle">{t}</text>'
            )
        else:
            y = Y(y0 + scale(t))
            out.append(
                f'<line x1="{num(x0 - 5)}" y1="{num(y)}" x2="{x0}" y2="{num(y)}" stroke="#000"/>'
                f'<text x="{num(x0 - 8)}" y="{num(y + 3)}" text-anchor="end">{t}</text>'
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
            y = Y(y0 + plot_h) + (i + 0.5) * band + 3
            out.append(f'<text x="{num(x0 - 5)}" y="{num(y)}" text-anchor="end">{escape(name)}</text>')
        else:
            x = x0 + (i + 0.5) * band
            if n > 8:
                out.append(
                    f'<text x="{num(x)}" y="{num(Y(y0) + 12)}" text-anchor="end" '
                    f'transform="rotate(-45 {num(x)} {num(Y(y0) + 12)})">{escape(name)}</text>'
                )
            else:
                out.append(f'<text x="{num(x)}" y="{num(Y(y0) + 14)}" text-anchor="middle">{escape(name)}</text>')
    # axes
    out.append(f'<path d="M{x0} {num(Y(y0 + plot_h))}V{num(Y(y0))}H{num(x0 + plot_w)}" fill="none" stroke="#000"/>')
    if legend_width:
        lx = width - legend_width + 5
        for s, (label, _values) in enumerate(chart.series):
            y = 10 + s * 15
            out.append(
                f'<rect x="{lx}" y="{y}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
                f'<text x="{lx + 15}" y="{y + 8}">{escape(_short(label, 24))}</text>'
            )
    out.append("</g></svg>")
    return "\n".join(out)


def svg_data_uri(chart: Chart) -> str:
    """The chart as an <img src> value: no script, no inline style in the page. Each process
    remembers the last charts it wrote, by their data (title, labels and values: the same data
    always gives the same picture)."""
    key = (
        chart.title,
        tuple(chart.categories),
        tuple((label, tuple(values)) for label, values in chart.series),
        chart.stacked,
        chart.horizontal,
    )
    return _svg_data_uri(key)


@lru_cache(maxsize=256)
def _svg_data_uri(key: tuple) -> str:
    title, categories, series, stacked, horizontal = key
    chart = Chart(title, list(categories), [(label, list(values)) for label, values in series], stacked, horizontal)
    return "data:image/svg+xml;base64," + base64.b64encode(svg(chart).encode("utf-8")).decode("ascii")


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
