"""How a span of time reads in a place's zone (kembar/core/times.py): the one formatter behind
every activity date on pages, feeds and exports."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from kembar.core import times

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
JAKARTA = "Asia/Jakarta"
# The student exchange hosted by Fort Worth: 1 March is still standard time (CST), daylight
# saving starts on 14 March 2027 at 02:00, so the last day ends in CDT.
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=CHICAGO)
END = dt.datetime(2027, 3, 14, 17, 0, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    "language, host, office",
    [
        (
            "en",
            "1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)",
            "1–15 Mar 2027 (starts 22:00, ends 05:00 WIB)",
        ),
        (
            "id",
            "1–14 Mar 2027 (mulai 09:00 CST, selesai 17:00 CDT)",
            "1–15 Mar 2027 (mulai 22:00, selesai 05:00 WIB)",
        ),
    ],
)
def test_a_multi_day_span_keeps_both_dates_and_each_ends_own_zone(language, host, office):
    with translation.override(language):
        assert times.span(START, END, CHICAGO) == host
        assert times.span(START, END, JAKARTA) == office


@pytest.mark.parametrize(
    "language, text",
    [("en", "28 Oct – 10 Nov 2027"), ("id", "28 Okt – 10 Nov 2027")],
)
def test_whole_days_read_as_dates_with_the_month_names_of_the_language(language, text):
    # Midnight to midnight in Fort Worth, across the end of daylight saving (7 November 2027).
    start = dt.datetime(2027, 10, 28, tzinfo=CHICAGO)
    with translation.override(language):
        assert times.span(start, dt.datetime(2027, 11, 11, tzinfo=CHICAGO), CHICAGO) == text
        assert times.span(start, dt.datetime(2027, 11, 10, 23, 59, tzinfo=CHICAGO), CHICAGO) == text


@pytest.mark.parametrize(
    "start, end, text",
    [
        ((2027, 5, 28, 9), (2027, 5, 28, 17), "28 Mei 2027 09:00–17:00 CDT"),
        ((2026, 3, 8, 1), (2026, 3, 8, 4), "8 Mar 2026 01:00 CST – 04:00 CDT"),  # the night the clocks change
        ((2027, 12, 28, 9), (2028, 1, 3, 17), "28 Des 2027 – 3 Jan 2028 (mulai 09:00, selesai 17:00 CST)"),
        ((2027, 1, 5, 0), (2027, 1, 6, 0), "5 Jan 2027"),
    ],
)
def test_one_day_a_clock_change_and_a_new_year_in_indonesian(start, end, text):
    with translation.override("id"):
        assert times.span(dt.datetime(*start, tzinfo=CHICAGO), dt.datetime(*end, tzinfo=CHICAGO), CHICAGO) == text


def test_a_moment_and_an_unknown_zone():
    with translation.override("en"):
        assert times.moment(START, CHICAGO) == "1 Mar 2027 09:00 CST"
        assert times.moment(END, "Asia/Jakarta") == "15 Mar 2027 05:00 WIB"
        assert times.span(START, None, "Nowhere/Atlantis") == "1 Mar 2027 15:00 UTC"


def test_less_than_a_day_across_midnight_and_a_meeting_with_weekdays():
    start = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        assert times.span(start, start + dt.timedelta(hours=1), "UTC") == "23 Nov 2026 23:00 – 24 Nov 00:00 UTC"
        assert times.span(start, start + dt.timedelta(hours=1), CHICAGO, weekday=True) == (
            "Mon 23 Nov 2026 17:00–18:00 CST"
        )
        assert times.span(start, start + dt.timedelta(hours=1), "UTC", weekday=True) == (
            "Mon 23 Nov 2026 23:00 – Tue 24 Nov 00:00 UTC"
        )
    with translation.override("id"):
        assert times.span(start, start + dt.timedelta(hours=1), JAKARTA, weekday=True) == (
            "Sel 24 Nov 2026 06:00–07:00 WIB"
        )
        assert times.moment(start, JAKARTA, weekday=True) == "Sel 24 Nov 2026 06:00 WIB"


@pytest.mark.parametrize(
    "start, end, text",
    [
        ((2027, 3, 1), (2027, 3, 1), "2027年3月1日"),
        ((2027, 3, 1), (2027, 3, 14), "2027年3月1日～14日"),
        ((2027, 10, 28), (2027, 11, 10), "2027年10月28日～11月10日"),
        ((2027, 12, 28), (2028, 1, 3), "2027年12月28日～2028年1月3日"),
    ],
)
def test_japanese_dates_read_year_month_day(start, end, text):
    with translation.override("ja"):
        assert times.date_range(dt.date(*start), dt.date(*end)) == text


def test_japanese_moments_and_spans_put_the_weekday_after_the_date():
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    with translation.override("ja"):
        assert (
            times.moment(dt.datetime(2027, 3, 1, 9, 0, tzinfo=tokyo), tokyo, weekday=True)
            == "2027年3月1日(月) 09:00 JST"
        )
        assert times.span(START, END, CHICAGO) == "2027年3月1日～14日 (開始 09:00 CST、終了 17:00 CDT)"
        late = dt.datetime(2026, 11, 23, 23, 0, tzinfo=tokyo)
        assert times.span(late, late + dt.timedelta(hours=2), tokyo) == "2026年11月23日 23:00～11月24日 01:00 JST"


def test_every_language_has_the_patterns_of_the_site():
    """A language added to settings.LANGUAGES comes with its formats module (kembar/core/formats)."""
    from django.conf import settings

    from kembar.core.formats import pattern

    names = [
        "SHORT_DATE_FORMAT",
        "MOMENT_FORMAT",
        "MOMENT_WEEKDAY_FORMAT",
        "MONTH_DAY_TIME_FORMAT",
        "WEEKDAY_DATE_FORMAT",
    ]
    for code, _name in settings.LANGUAGES:
        module = __import__(f"kembar.core.formats.{code}.formats", fromlist=["*"])
        missing = [
            n for n in [*names, "RANGE_SAME_MONTH", "RANGE_SAME_YEAR", "RANGE_OTHER_YEAR"] if not hasattr(module, n)
        ]
        assert missing == [], f"kembar/core/formats/{code}/formats.py lacks {missing}"
        assert all("j" in pattern(n, code) for n in names)
