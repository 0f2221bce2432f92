"""The slot finder (kembar/meetings/slots.py): plain Python, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kembar.meetings.slots import Side, SlotError, explain, find_slots

BANDUNG = Side("Bandung", "Asia/Jakarta", "ID")
FORT_WORTH = Side("Fort Worth", "America/Chicago", "US", "TX")
BERLIN = Side("Berlin", "Europe/Berlin", "DE", "BE")
KYOTO = Side("Kyoto", "Asia/Tokyo", "JP")
RIYADH = Side("Riyadh", "Asia/Riyadh", "SA")
LIVERPOOL = Side("Liverpool", "Europe/London", "GB", "ENG")
SEATTLE = Side("Seattle", "America/Los_Angeles", "US", "WA")
POOL = [BANDUNG, FORT_WORTH, BERLIN, KYOTO, RIYADH, LIVERPOOL, SEATTLE]


def days_off(side: Side, year: int) -> tuple[dict, set[int]]:
    table = holidays.country_holidays(side.country, subdiv=side.subdivision, years=[year - 1, year, year + 1])
    return dict(table.items()), set(table.weekend)


def local_minutes(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


# --- fixed cases -------------------------------------------------------------------------------


def test_bandung_fort_worth_thanksgiving_week_offers_least_bad_slots_with_their_cost():
    result = find_slots([BANDUNG, FORT_WORTH], dt.date(2026, 11, 23), dt.date(2026, 11, 29), 60)
    assert not result.inside_office_hours
    assert "No slot fits inside everyone's office hours" in result.notice()
    assert len(result.slots) == 5
    best = result.slots[0]
    # Neither side carries it all: two hours each (06:00 in Bandung, 17:00 in Fort Worth).
    assert best.cost_by_name() == {"Bandung": 120, "Fort Worth": 120}
    assert explain(best).startswith("06:00 in Bandung, 17:00 in Fort Worth")
    assert "2 h before office hours" in explain(best)
    for slot in result.slots:
        fort_worth = next(s for s in slot.sides if s.side.name == "Fort Worth")
        bandung = next(s for s in slot.sides if s.side.name == "Bandung")
        assert fort_worth.local_start.date() not in {dt.date(2026, 11, 26), dt.date(2026, 11, 27)}
        assert fort_worth.local_start.weekday() < 5 and bandung.local_start.weekday() < 5
    assert any("avoids Thanksgiving Day" in explain(slot) for slot in result.slots)
    # the slots do not overlap
    ordered = sorted(result.slots, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))


def test_us_daylight_saving_change_moves_the_common_hour_in_utc():
    """Fort Worth–Berlin: one common office hour (14:00 UTC) while the US is on standard time,
    two (13:00–15:00 UTC) after the US changes on 8 March 2026; Europe changes on 29 March."""
    result = find_slots([FORT_WORTH, BERLIN], dt.date(2026, 3, 2), dt.date(2026, 3, 13), 60, top=40)
    inside = [s for s in result.slots if s.inside_office_hours]
    before = {s.start.time() for s in inside if s.start.date() < dt.date(2026, 3, 8)}
    after = {s.start.time() for s in inside if s.start.date() > dt.date(2026, 3, 8)}
    assert before == {dt.time(14, 0)}
    assert dt.time(13, 0) in after
    for slot in inside:
        for side_time in slot.sides:
            assert 8 * 60 <= local_minutes(side_time.local_start) and local_minutes(side_time.local_end) <= 16 * 60
            assert (
                side_time.local_start.utcoffset()
                == slot.start.astimezone(ZoneInfo(side_time.side.timezone)).utcoffset()
            )


def test_european_daylight_saving_change_narrows_it_again():
    result = find_slots([BERLIN, FORT_WORTH], dt.date(2026, 3, 23), dt.date(2026, 4, 2), 60, top=40)
    inside = [s for s in result.slots if s.inside_office_hours]
    before = {s.start.time() for s in inside if s.start.date() < dt.date(2026, 3, 29)}
    after = {s.start.time() for s in inside if s.start.date() > dt.date(2026, 3, 29)}
    assert {dt.time(13, 0), dt.time(14, 0)} <= before
    assert after == {dt.time(13, 0)}  # 08:00 in Fort Worth (CDT) is 15:00 in Berlin (CEST)


def test_eid_al_fitr_is_avoided_and_named():
    result = find_slots([BANDUNG, KYOTO], dt.date(2025, 3, 27), dt.date(2025, 4, 4), 60, top=10)
    assert result.inside_office_hours
    eid = {dt.date(2025, 3, 31), dt.date(2025, 4, 1)}
    for slot in result.slots:
        bandung = slot.sides[0]
        assert bandung.local_start.date() not in eid
    assert any("Eid al-Fitr" in explain(slot) for slot in result.slots)
    assert any("Eid al-Fitr" in name for _day, name in result.skipped_days["Bandung"])


def test_a_slot_that_would_run_past_local_midnight_into_a_holiday_is_not_offered():
    """Bandung keeps night office hours (00:00–08:00), so 23:45–00:45 would cost it least; but
    17 August is Independence Day there. Ending exactly at midnight does not touch the holiday."""
    bandung = Side(
        "Bandung", "Asia/Jakarta", "ID", office_start=dt.time(0, 0), office_end=dt.time(8, 0), weekend=frozenset()
    )
    new_york = Side("New York", "America/New_York", "US", "NY", weekend=frozenset())
    independence_day = dt.date(2026, 8, 17)
    assert independence_day in holidays.country_holidays("ID", years=[2026])
    result = find_slots([bandung, new_york], dt.date(2026, 8, 16), dt.date(2026, 8, 16), 60, top=5)
    for slot in result.slots:
        here = slot.sides[0]
        assert (here.local_end - dt.timedelta(seconds=1)).date() != independence_day, here.local_start
    best = result.slots[0].sides[0]
    assert (best.local_start.strftime("%d %H:%M"), best.local_end.strftime("%d %H:%M")) == ("16 23:00", "17 00:00")
    assert best.cost == 60


def test_holiday_names_follow_the_language_where_known():
    result = find_slots([BANDUNG, KYOTO], dt.date(2025, 3, 27), dt.date(2025, 4, 4), 60, language="id")
    assert "Hari Raya Idul Fitri" in [name for _d, name in result.skipped_days["Bandung"]]


def test_friday_saturday_weekend_where_the_country_has_it():
    result = find_slots([RIYADH, BERLIN], dt.date(2026, 6, 1), dt.date(2026, 6, 14), 60, top=20)
    riyadh_days = {s.sides[0].local_start.weekday() for s in result.slots}
    assert not riyadh_days & {4, 5}
    berlin_days = {s.sides[1].local_start.weekday() for s in result.slots}
    assert not berlin_days & {5, 6}
    # Sunday works in Riyadh but not in Berlin; Friday in Berlin but not Riyadh: Mon–Thu only.
    assert riyadh_days <= {0, 1, 2, 3}


def test_office_hours_are_per_side():
    early_bird = Side(
        "Fort Worth", "America/Chicago", "US", "TX", office_start=dt.time(6, 0), office_end=dt.time(14, 0)
    )
    late = Side("Bandung", "Asia/Jakarta", "ID", office_start=dt.time(9, 0), office_end=dt.time(21, 0))
    result = find_slots([late, early_bird], dt.date(2026, 11, 23), dt.date(2026, 11, 25), 60)
    assert result.inside_office_hours
    best = result.slots[0]
    assert local_minutes(best.sides[1].local_start) >= 6 * 60
    assert local_minutes(best.sides[0].local_end) <= 21 * 60


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sides": [BANDUNG, Side("Atlantis", "Atlantis/Capital", "ID")]}, "unknown_timezone"),
        ({"start": dt.date(2026, 11, 29), "end": dt.date(2026, 11, 23)}, "reversed_range"),
        ({"start": None}, "empty_range"),
        ({"duration": 0}, "bad_duration"),
        ({"duration": 9 * 60}, "duration_too_long"),
        (
            {
                "sides": [
                    BANDUNG,
                    Side("Fort Worth", "America/Chicago", "US", office_start=dt.time(16, 0), office_end=dt.time(8, 0)),
                ]
            },
            "office_hours_reversed",
        ),
        ({"sides": [BANDUNG]}, "no_sides"),
        ({"start": dt.date(2026, 1, 1), "end": dt.date(2028, 1, 1)}, "range_too_long"),
        ({"start": dt.date(2026, 11, 28), "end": dt.date(2026, 11, 29)}, "no_common_day"),
    ],
)
def test_bad_input_gets_a_specific_error(kwargs, code):
    args = {
        "sides": [BANDUNG, FORT_WORTH],
        "start": dt.date(2026, 11, 23),
        "end": dt.date(2026, 11, 29),
        "duration": 60,
    } | kwargs
    with pytest.raises(SlotError) as error:
        find_slots(**args)
    assert error.value.code == code
    assert "%(" not in str(error.value)


def test_error_messages_name_the_problem():
    with pytest.raises(SlotError, match="Atlantis has an unknown time zone: Mars/Base"):
        find_slots([BANDUNG, Side("Atlantis", "Mars/Base", "ID")], dt.date(2026, 1, 5), dt.date(2026, 1, 6), 60)
    with pytest.raises(SlotError, match="longer than the office hours of Bandung"):
        find_slots([BANDUNG, KYOTO], dt.date(2026, 1, 5), dt.date(2026, 1, 6), 500)


# --- properties --------------------------------------------------------------------------------


@st.composite
def searches(draw):
    sides = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=4, unique_by=lambda s: s.name))
    hours = []
    for side in sides:
        start = draw(st.integers(min_value=6 * 4, max_value=10 * 4))
        length = draw(st.integers(min_value=6 * 4, max_value=10 * 4))
        hours.append(
            Side(
                side.name,
                side.timezone,
                side.country,
                side.subdivision,
                office_start=dt.time(start // 4, start % 4 * 15),
                office_end=dt.time((start + length) // 4, (start + length) % 4 * 15),
            )
        )
    first = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 1)))
    days = draw(st.integers(min_value=3, max_value=21))
    duration = draw(st.sampled_from([15, 30, 45, 60, 90, 120]))
    return hours, first, first + dt.timedelta(days=days), duration


def _run(sides, first, last, duration):
    try:
        return find_slots(sides, first, last, duration, top=6)
    except SlotError as error:
        assert error.code == "no_common_day"
        return None


@settings(max_examples=40, deadline=None)
@given(searches())
def test_no_slot_on_any_sides_weekend_or_holiday(search):
    sides, first, last, duration = search
    result = _run(*search)
    if result is None:
        return
    for slot in result.slots:
        for side_time in slot.sides:
            holidays_, weekend = days_off(side_time.side, side_time.local_start.year)
            for day in {side_time.local_start.date(), (side_time.local_end - dt.timedelta(seconds=1)).date()}:
                assert day not in holidays_, (side_time.side.name, day)
                assert day.weekday() not in weekend, (side_time.side.name, day)
            assert side_time.local_end.astimezone(dt.UTC) - side_time.local_start.astimezone(dt.UTC) == dt.timedelta(
                minutes=duration
            )
        if slot.inside_office_hours:
            for side_time in slot.sides:
                side = side_time.side
                assert side.office_start <= side_time.local_start.time()
                assert side_time.local_end.time() <= side.office_end or side_time.local_end.time() == dt.time(0)


@settings(max_examples=40, deadline=None)
@given(searches())
def test_ranking_never_prefers_a_slot_worse_for_every_side(search):
    result = _run(*search)
    if result is None:
        return
    for i, earlier in enumerate(result.slots):
        for later in result.slots[i + 1 :]:
            a, b = earlier.cost_by_name(), later.cost_by_name()
            assert not all(a[name] > b[name] for name in a)
            assert (earlier.worst, earlier.total) <= (later.worst, later.total)


@settings(max_examples=30, deadline=None)
@given(searches(), st.randoms(use_true_random=False))
def test_same_slots_in_any_input_order(search, rnd):
    sides, first, last, duration = search
    shuffled = list(sides)
    rnd.shuffle(shuffled)
    one, other = _run(sides, first, last, duration), _run(shuffled, first, last, duration)
    if one is None or other is None:
        assert one is None and other is None
        return
    assert [(s.start, s.end, s.cost_by_name()) for s in one.slots] == [
        (s.start, s.end, s.cost_by_name()) for s in other.slots
    ]
