"""Activities: recurrence, time zones, postponing and converting, bad input, the iCalendar feed,
the public portal, permissions and query budgets."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import icalendar
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kembar.accounts.models import Profile
from kembar.activities import ical, queries, recurrence, services
from kembar.activities.models import Activity, AidShipment, Call
from kembar.core.versioning import ConcurrentEdit
from kembar.gazetteer.models import Place
from kembar.partnerships import services as partnership_services
from kembar.partnerships.services import government_for_place
from tests.support.builders import government, held_activity, planned_event
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
UTC = dt.UTC
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def local(zone, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def diy_kyoto(users):
    diy = government_for_place(Place.objects.get(subdivision_code="ID-YO"))
    kyoto = government_for_place(Place.objects.get(subdivision_code="JP-26"))
    return partnership_services.create_partnership(users["platform_admin"], diy, kyoto, fields=["culture"])


@pytest.fixture
def bandung_fort_worth(governments, users):
    fort_worth = government("Fort Worth", "US")
    return partnership_services.create_partnership(users["platform_admin"], governments["bandung"], fort_worth)


@pytest.fixture
def partnership(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], fields=["culture"]
    )


def festival(user, p, **extra) -> Activity:
    """Jogja-Japan Week: every two years from 2018, 19:00–21:00 in Yogyakarta."""
    host = p.government_a if p.government_a.place.subdivision_code == "ID-YO" else p.government_b
    data = dict(
        title="Jogja-Japan Week",
        type="cultural_event",
        field="culture",
        host=host,
        start=local(JAKARTA, 2018, 11, 10, 19, 0),
        end=local(JAKARTA, 2018, 11, 10, 21, 0),
        recurrence="FREQ=YEARLY;INTERVAL=2",
        public=True,
    )
    data.update(extra)
    return services.create_activity(user, p, **data)


# --- recurrence -------------------------------------------------------------------------------


def test_biennial_series_expands_every_two_years_at_the_same_local_time(users, diy_kyoto):
    a = festival(users["platform_admin"], diy_kyoto)
    occ = recurrence.occurrences(a, before=local(JAKARTA, 2026, 12, 31, 0, 0))
    assert [o.start.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M") for o in occ] == [
        "2018-11-10 19:00",
        "2020-11-10 19:00",
        "2022-11-10 19:00",
        "2024-11-10 19:00",
        "2026-11-10 19:00",
    ]
    assert all(o.end - o.start == dt.timedelta(hours=2) for o in occ)


def test_exception_leaves_out_one_edition_and_one_postponed_occurrence_does_not_move_the_series(users, diy_kyoto):
    admin = users["platform_admin"]
    a = festival(admin, diy_kyoto, exceptions=[local(JAKARTA, 2022, 11, 10, 19, 0)])
    a = services.postpone(
        admin,
        a,
        reason="COVID-19",
        occurrence=local(JAKARTA, 2020, 11, 10, 19, 0),
        new_start=local(JAKARTA, 2021, 3, 6, 19, 0),
    )
    occ = recurrence.occurrences(a, before=local(JAKARTA, 2025, 1, 1, 0, 0))
    assert [(o.start.astimezone(JAKARTA).strftime("%Y-%m-%d"), o.postponed) for o in occ] == [
        ("2018-11-10", False),
        ("2021-03-06", True),
        ("2024-11-10", False),
    ]
    assert occ[1].planned_start == local(JAKARTA, 2020, 11, 10, 19, 0) and occ[1].reason == "COVID-19"
    a.refresh_from_db()
    assert a.start == local(JAKARTA, 2018, 11, 10, 19, 0) and a.status == "planned"  # the series stays


def test_a_series_crosses_daylight_saving_at_the_same_wall_clock(users, bandung_fort_worth):
    fort_worth = (
        bandung_fort_worth.government_b
        if bandung_fort_worth.government_b.name == "Fort Worth"
        else bandung_fort_worth.government_a
    )
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    a = services.create_activity(
        users["platform_admin"],
        bandung_fort_worth,
        title="Monthly call",
        type="information_exchange",
        modality="virtual",
        host=fort_worth,
        start=local(chicago, 2026, 1, 15, 18, 0),
        end=local(chicago, 2026, 1, 15, 19, 0),
        recurrence="FREQ=MONTHLY;COUNT=8",
        public=True,
    )
    utc_hours = [o.start.hour for o in recurrence.occurrences(a)]
    assert utc_hours[0] == 0 and utc_hours[-1] == 23  # 18:00 CST is 00:00 UTC; 18:00 CDT is 23:00 UTC
    assert {o.start.astimezone(chicago).hour for o in recurrence.occurrences(a)} == {18}


# --- time zones on the page -------------------------------------------------------------------


@pytest.mark.parametrize("month, fort_worth_time", [(1, "06:00 CST"), (7, "07:00 CDT")])
def test_19h_in_bandung_shows_the_right_time_in_fort_worth_in_both_dst_seasons(
    client, users, bandung_fort_worth, month, fort_worth_time
):
    bandung = (
        bandung_fort_worth.government_a
        if "Bandung" in bandung_fort_worth.government_a.name
        else bandung_fort_worth.government_b
    )
    a = services.create_activity(
        users["platform_admin"],
        bandung_fort_worth,
        title="Virtual meeting",
        type="information_exchange",
        modality="virtual",
        host=bandung,
        start=local(JAKARTA, 2026, month, 15, 19, 0),
        end=local(JAKARTA, 2026, month, 15, 20, 0),
        public=True,
    )
    text = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert "15 Jan 2026 19:00" in text or "15 Jul 2026 19:00" in text
    assert "–20:00 WIB" in text
    assert f"15 {'Jan' if month == 1 else 'Jul'} 2026 {fort_worth_time[:5]}" in text
    assert fort_worth_time[6:] in text


def test_a_new_activity_is_private_until_the_office_ticks_public(client, users, partnership):
    client.force_login(users["bandung_editor"])
    form = client.get(reverse("activities:create", args=[partnership.pk])).context["form"]
    assert form["public"].value() is False
    bandung = partnership.government_a if "Bandung" in partnership.government_a.name else partnership.government_b
    start = local(JAKARTA, 2026, 9, 1, 19, 0)
    a = services.create_activity(
        users["bandung_editor"], partnership, title="Draft", type="other", host=bandung, start=start, end=start
    )
    assert a.public is False


def test_the_form_takes_the_hosts_local_time(client, users, partnership):
    client.force_login(users["bandung_editor"])
    bandung = partnership.government_a if "Bandung" in partnership.government_a.name else partnership.government_b
    response = client.post(
        reverse("activities:create", args=[partnership.pk]),
        {
            "title": "Language course",
            "type": "language_training",
            "modality": "in_person",
            "status": "planned",
            "host": bandung.pk,
            "start": "2026-09-01T19:00",
            "end": "2026-09-01T21:00",
            "public": "on",
            "budget": "15000000",
            "currency": "idr",
            "sdg_targets": ["4", "11.4"],
            "participants_a": "12",
            "participants_b": "3",
            "breakdown_a_female": "7",
            "breakdown_a_male": "5",
            "breakdown_a_18_29": "12",
            "recurrence": "YEARLY",
            "repeat_interval": "2",
            "repeat_until": "2030-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    a = Activity.objects.get()
    assert a.start == local(JAKARTA, 2026, 9, 1, 19, 0) and a.currency == "IDR"
    assert a.sdg_targets == ["4", "11.4"] and a.breakdown == {"a": {"female": 7, "male": 5, "18_29": 12}}
    assert a.recurrence == "FREQ=YEARLY;INTERVAL=2;UNTIL=20301231T235959"
    page = client.get(a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Every 2 years until 31 Dec 2030" in page and "FREQ=" not in page
    assert "Women 7, Men 5, 18–29 years 12" in page and "female" not in page
    assert "11.4 Protect the world&#x27;s cultural and natural heritage" in page
    assert "15.000.000,00 IDR" in page or "15,000,000.00 IDR" in page


def test_the_repeat_controls_give_the_rule_and_a_rule_they_cannot_show_is_kept(client, users, diy_kyoto):
    """Repeat every N years/months/weeks until a date or N times is the same RFC 5545 rule; the
    rule is read back into the controls, shown in words in both languages and on the portal; a
    rule given through the API that the controls cannot show survives an edit untouched."""
    from django.utils import translation

    assert recurrence.compose_rule("MONTHLY", 1, count=6) == "FREQ=MONTHLY;COUNT=6"
    assert recurrence.simple_repeat("FREQ=YEARLY;INTERVAL=2;UNTIL=20301231T235959") == recurrence.Repeat(
        "YEARLY", 2, dt.date(2030, 12, 31)
    )
    with translation.override("id"):
        assert (
            recurrence.describe("FREQ=YEARLY;INTERVAL=2;UNTIL=20301231T235959") == "Setiap 2 tahun, sampai 31 Des 2030"
        )
        assert recurrence.describe("FREQ=MONTHLY;COUNT=6") == "Setiap bulan, 6 kali seluruhnya"
    a = festival(users["platform_admin"], diy_kyoto, breakdown={"a": {"female": 70, "male": 50}})
    client.force_login(users["platform_admin"])
    form = client.get(reverse("activities:edit", args=[a.pk])).content.decode()
    assert '<option value="YEARLY" selected>' in form and 'name="repeat_interval" value="2"' in form
    assert 'name="breakdown_a_female" value="70"' in form and "female=" not in form
    portal = client.get(reverse("activities:portal_partnership", args=[diy_kyoto.pk])).content.decode()
    assert "Every 2 years" in portal and "FREQ=" not in portal
    indonesian = client.get(a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Setiap 2 tahun" in indonesian and "Perempuan 70, Laki-laki 50" in indonesian

    services.update_activity(users["platform_admin"], a, recurrence="FREQ=YEARLY;BYMONTH=10;BYDAY=1SA")
    a.refresh_from_db()
    form = client.get(reverse("activities:edit", args=[a.pk])).content.decode()
    assert 'value="custom" selected' in form and "Custom rule (RFC 5545): FREQ=YEARLY;BYMONTH=10;BYDAY=1SA" in form
    posted = dict(
        title=a.title,
        type=a.type,
        modality=a.modality,
        status=a.status,
        host=a.host_id,
        start=a.start.astimezone(a.zone).strftime("%Y-%m-%dT%H:%M"),
        end=a.end.astimezone(a.zone).strftime("%Y-%m-%dT%H:%M"),
        recurrence="custom",
        custom_rule=a.recurrence,
        version=a.version,
    )
    assert client.post(reverse("activities:edit", args=[a.pk]), posted).status_code == 302
    a.refresh_from_db()
    assert a.recurrence == "FREQ=YEARLY;BYMONTH=10;BYDAY=1SA" and a.breakdown == {}
    both = {**posted, "recurrence": "WEEKLY", "repeat_until": "2030-01-01", "repeat_count": "3", "version": a.version}
    refused = client.post(reverse("activities:edit", args=[a.pk]), both).content.decode()
    assert "Give an end date or a number of times, not both." in refused


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"end": local(JAKARTA, 2018, 11, 10, 18, 0)}, "end", "The end is before the start."),
        ({"recurrence": "FREQ=FORTNIGHTLY"}, "recurrence", "not a valid RFC 5545 rule"),
        ({"recurrence": "FREQ=YEARLY;UNTIL=20100101T000000"}, "recurrence", "yields no date"),
        ({"participants_a": -3}, "participants_a", "cannot be negative"),
        ({"budget": Decimal("-1")}, "budget", "budget cannot be negative"),
        ({"budget": Decimal("100"), "currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency"),
        ({"type": "party"}, "type", "Unknown activity type “party”"),
        ({"sdg_targets": ["11.9"]}, "sdg_targets", "Unknown SDG goal or target: 11.9"),
    ],
)
def test_bad_activity_input_is_refused_with_a_specific_error_and_nothing_written(
    users, diy_kyoto, change, field, message
):
    with pytest.raises(ValidationError) as exc:
        festival(users["platform_admin"], diy_kyoto, **change)
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not Activity.objects.exists() and not Activity.history.exists()


def test_a_bad_edit_changes_nothing_and_a_stale_version_is_refused(users, diy_kyoto):
    admin = users["platform_admin"]
    a = festival(admin, diy_kyoto)
    with pytest.raises(ValidationError):
        services.update_activity(admin, a, title="Renamed", currency="ZZZ", budget=Decimal(5))
    a.refresh_from_db()
    assert a.title == "Jogja-Japan Week" and a.version == 1
    services.update_activity(admin, a, expected_version=1, title="JJW")
    with pytest.raises(ConcurrentEdit):
        services.update_activity(admin, a, expected_version=1, title="Someone else's")
    a.refresh_from_db()
    assert a.title == "JJW" and a.version == 2


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"closed_on": dt.date(2026, 3, 1), "status": "closed"}, "deadline", "after the day the call closed"),
        ({"awarded": 12, "status": "awarded"}, "awarded", "More awarded (12) than places (10)"),
        ({"quota": -1}, "quota", "cannot be negative"),
        ({"how_to_apply": ""}, "how_to_apply", "Say how to apply"),
    ],
)
def test_bad_call_input(users, diy_kyoto, change, field, message):
    data = dict(
        title="Darmasiswa Kyoto",
        kind="scholarship",
        host=diy_kyoto.government_b,
        quota=10,
        deadline=dt.date(2026, 3, 31),
        how_to_apply="https://example.org/apply",
        status="open",
    )
    data.update(change)
    with pytest.raises(ValidationError) as exc:
        services.create_call(users["platform_admin"], diy_kyoto, **data)
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not Call.objects.exists()


def test_a_call_must_be_offered_by_one_of_the_two_partners(users, governments, diy_kyoto):
    admin = users["platform_admin"]
    data = dict(title="Darmasiswa", kind="scholarship", deadline=dt.date(2026, 3, 31), how_to_apply="x@kyoto.jp")
    with pytest.raises(ValidationError) as exc:
        services.create_call(admin, diy_kyoto, host=governments["busan"], **data)
    assert exc.value.message_dict == {"host": ["The call must be offered by one of the two partners."]}
    call = services.create_call(admin, diy_kyoto, host=diy_kyoto.government_b, **data)
    with pytest.raises(ValidationError) as exc:
        services.update_call(admin, call, host=governments["busan"])
    assert exc.value.message_dict == {"host": ["The call must be offered by one of the two partners."]}
    assert not Call.objects.exclude(host=diy_kyoto.government_b).exists()


def test_a_public_item_of_a_private_partnership_is_hidden_from_outsiders(client, api, users, governments):
    """Ticking an activity, call or aid shipment public publishes it only with its partnership:
    of a private partnership it stays with the partners' offices (and oversight)."""
    admin = users["platform_admin"]
    private = partnership_services.create_partnership(admin, governments["bandung"], governments["busan"], public=False)
    bandung = governments["bandung"]
    activity = meeting(admin, private, host=bandung, public=True)
    call = services.create_call(
        admin, private, title="Study visit", kind="exchange", host=bandung, deadline=dt.date(2026, 9, 1),
        how_to_apply="https://example.org/apply", public=True,
    )  # fmt: skip
    items = [{"quantity": Decimal(10), "unit": "boxes", "name": "masks"}]
    shipment = services.create_aid(admin, private, title="Masks", donor=bandung, items=items, public=True)
    pages = [activity.get_absolute_url(), call.get_absolute_url(), shipment.get_absolute_url()]
    for who in (None, "surabaya_editor"):
        if who:
            client.force_login(users[who])
        for url in pages:
            assert client.get(url).status_code == 404, (who, url)
        assert api("get", f"/api/activities/{activity.pk}", who).status_code == 404, who
        assert activity.title not in client.get(reverse("activities:portal")).content.decode()
    client.force_login(users["bandung_viewer"])
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert api("get", f"/api/activities/{activity.pk}", "bandung_viewer").status_code == 200


def test_aid_shipment_items_and_dates(users, diy_kyoto):
    admin = users["platform_admin"]
    kyoto = (
        diy_kyoto.government_b if diy_kyoto.government_b.place.subdivision_code == "JP-26" else diy_kyoto.government_a
    )
    with pytest.raises(ValidationError) as exc:
        services.create_aid(
            admin,
            diy_kyoto,
            title="Masks",
            donor=kyoto,
            status="received",
            pledged_on=dt.date(2020, 4, 1),
            shipped_on=dt.date(2020, 3, 1),
            received_on=dt.date(2020, 4, 20),
            items=[{"name": "surgical masks", "quantity": -5}],
        )
    assert set(exc.value.message_dict) == {"shipped_on", "items"}
    assert not AidShipment.objects.exists()
    s = services.create_aid(
        admin,
        diy_kyoto,
        title="Masks",
        donor=kyoto,
        status="shipped",
        pledged_on=dt.date(2020, 4, 1),
        shipped_on=dt.date(2020, 4, 10),
        items=[
            {"name": "surgical masks", "quantity": 50000, "unit": "pieces"},
            {"name": "ventilators", "quantity": 20, "unit": "units"},
        ],
    )
    assert s.recipient == diy_kyoto.other(kyoto)
    assert [(i.name, int(i.quantity)) for i in s.items.all()] == [("surgical masks", 50000), ("ventilators", 20)]


# --- postpone and convert -------------------------------------------------------------------------


def test_postponing_to_be_decided_and_converting_keep_the_original_plan(client, users, diy_kyoto):
    admin = users["platform_admin"]
    a = services.create_activity(
        admin,
        diy_kyoto,
        title="Work visit to Kyoto",
        type="work_visit",
        host=diy_kyoto.government_b if diy_kyoto.government_b.place.country_code == "JP" else diy_kyoto.government_a,
        start=local(TOKYO, 2020, 4, 20, 9, 0),
        end=local(TOKYO, 2020, 4, 22, 17, 0),
        public=True,
    )
    a = services.postpone(admin, a, reason="Travel restrictions")
    assert a.status == "postponed" and a.date_tbd and a.planned_start == local(TOKYO, 2020, 4, 20, 9, 0)
    a = services.convert(admin, a, modality="virtual", reason="Held online instead")
    a = services.postpone(
        admin,
        a,
        reason="New date agreed",
        new_start=local(TOKYO, 2020, 9, 1, 9, 0),
        new_end=local(TOKYO, 2020, 9, 1, 12, 0),
    )
    assert (a.start, a.modality, a.date_tbd) == (local(TOKYO, 2020, 9, 1, 9, 0), "virtual", False)
    assert a.planned_start == local(TOKYO, 2020, 4, 20, 9, 0) and a.planned_modality == "in_person"
    assert list(a.changes.values_list("kind", flat=True)) == ["postponed", "converted", "postponed"]
    page = client.get(a.get_absolute_url()).content.decode()
    assert "Original plan" in page and "20–22 Apr 2020 (starts 09:00, ends 17:00 JST)" in page and "In person" in page
    assert "Travel restrictions" in page and "new date to be decided" in page
    with pytest.raises(ValidationError, match="already virtual"):
        services.convert(admin, a, modality="virtual")


def test_an_activity_page_offers_what_fits_its_state(client, users, partnership, governments):
    """A coming virtual activity: "Virtual" said once, no change recorded yet, and it can be
    postponed; a single activity already held cannot (Edit corrects it)."""
    admin = users["platform_admin"]
    client.force_login(users["bandung_editor"])
    soon = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=9)
    online = planned_event(admin, partnership, governments["bandung"], soon, modality="virtual", title="Online")
    page = client.get(online.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Virtual") == 1 and "No postponement or change so far." in page
    assert reverse("activities:postpone", args=[online.pk]) in page
    done = held_activity(admin, partnership, governments["bandung"], local(JAKARTA, 2016, 7, 10, 9, 0))
    page = client.get(done.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert reverse("activities:postpone", args=[done.pk]) not in page
    assert reverse("activities:convert", args=[done.pk]) not in page
    assert reverse("activities:edit", args=[done.pk]) in page
    assert "Sejauh ini tidak ada penundaan atau perubahan." in page


def test_an_online_activity_gives_the_remote_partners_time_too(client, users, partnership, governments):
    """Bandung hosts a virtual exchange at 19:00 WIB: Braunschweig's people join from home at
    14:00 CEST, and the list says so; an in-person visit gives the host's time only."""
    admin = users["platform_admin"]
    online = planned_event(
        admin, partnership, governments["bandung"], local(JAKARTA, 2026, 7, 1, 19, 0), hours=2, modality="virtual"
    )
    planned_event(admin, partnership, governments["bandung"], local(JAKARTA, 2026, 8, 3, 9, 0), title="Visit")
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("activities:partnership", args=[partnership.pk])).content.decode()
    remote = re.findall(r'<span class="muted remote-time">(.*?)</span>', page)
    assert remote == ["Braunschweig: 1 Jul 2026 14:00–16:00 CEST"], remote
    assert online.title in page and "Visit" in page


def meeting(user, p, **extra) -> Activity:
    data = dict(
        title="Coordination meeting",
        type="information_exchange",
        host=p.government_a,
        start=dt.datetime(2026, 6, 2, 2, tzinfo=UTC),
        end=dt.datetime(2026, 6, 2, 4, tzinfo=UTC),
        public=True,
    )
    data.update(extra)
    return services.create_activity(user, p, **data)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database, not rows")
def test_an_edit_locks_its_own_row_only(users, diy_kyoto):
    """Editing an activity reads its host government with it but does not hold that row: other
    offices' edits of the same host's activities, and of the government, go on meanwhile."""
    admin = users["platform_admin"]
    a = festival(admin, diy_kyoto)
    with CaptureQueriesContext(connection) as captured:
        services.update_activity(admin, a, expected_version=1, title="JJW")
    (lock,) = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert lock.endswith('FOR UPDATE OF "activities_activity"')
    assert "partnerships_localgovernment" in lock  # read with it, not locked


def test_converting_with_a_stale_version_is_refused_and_changes_nothing(users, partnership):
    admin = users["platform_admin"]
    a = meeting(admin, partnership)
    services.update_activity(admin, a, expected_version=1, title="Coordination meeting II")
    with pytest.raises(ConcurrentEdit):
        services.convert(admin, a, modality="virtual", reason="Online", expected_version=1)
    a.refresh_from_db()
    assert (a.version, a.modality, a.title) == (2, "in_person", "Coordination meeting II")
    assert not a.changes.exists()
    assert services.convert(admin, a, modality="virtual", expected_version=2).version == 3


def test_updating_a_call_with_a_stale_version_is_refused_and_changes_nothing(users, diy_kyoto):
    admin = users["platform_admin"]
    call = services.create_call(
        admin,
        diy_kyoto,
        title="Darmasiswa Kyoto",
        kind="scholarship",
        host=diy_kyoto.government_b,
        quota=10,
        deadline=dt.date(2026, 3, 31),
        how_to_apply="https://example.org/apply",
    )
    services.update_call(admin, call, expected_version=1, quota=12)
    with pytest.raises(ConcurrentEdit):
        services.update_call(admin, call, expected_version=1, quota=5)
    call.refresh_from_db()
    assert (call.version, call.quota) == (2, 12)


def test_a_cancelled_activity_cannot_be_postponed(users, partnership):
    admin = users["platform_admin"]
    a = meeting(admin, partnership, status="cancelled")
    with pytest.raises(ValidationError) as exc:
        services.postpone(admin, a, reason="Rain", new_start=dt.datetime(2026, 7, 1, 2, tzinfo=UTC))
    assert exc.value.message_dict == {"reason": ["A cancelled activity cannot be postponed."]}
    a.refresh_from_db()
    assert (a.status, a.start, a.version) == ("cancelled", dt.datetime(2026, 6, 2, 2, tzinfo=UTC), 1)
    assert not a.changes.exists()


def test_the_host_must_be_one_of_the_two_partners(users, governments, partnership):
    admin = users["platform_admin"]
    with pytest.raises(ValidationError) as exc:
        meeting(admin, partnership, host=governments["busan"])
    assert exc.value.message_dict == {"host": ["The host must be one of the two partners."]}
    assert not Activity.objects.exists()
    a = meeting(admin, partnership)
    with pytest.raises(ValidationError) as exc:
        services.update_activity(admin, a, host=governments["busan"])
    assert exc.value.message_dict == {"host": ["The host must be one of the two partners."]}
    a.refresh_from_db()
    assert (a.host, a.version) == (partnership.government_a, 1)


def _edited_by_someone_else(admin, item):
    """Another office's save in between: the item's version moves on."""
    if isinstance(item, Call):
        return services.update_call(admin, item, quota=7)
    if isinstance(item, AidShipment):
        return services.update_aid(admin, item, notes="Counted again")
    return services.update_activity(admin, item, location="Gedung Sate")


def _page_form(name: str, admin, p, governments):
    """(item, page, a valid body without its version) of a form that changes a versioned item."""
    bandung = governments["bandung"]
    activity = services.create_activity(
        admin,
        p,
        title="Coordination meeting",
        type="information_exchange",
        host=bandung,
        start=local(JAKARTA, 2026, 6, 2, 9, 0),
        end=local(JAKARTA, 2026, 6, 2, 11, 0),
    )
    edit = {
        "title": "Mine",
        "type": "information_exchange",
        "modality": "in_person",
        "status": "confirmed",
        "host": bandung.pk,
        "start": "2026-06-02T09:00",
        "end": "2026-06-02T11:00",
    }
    call = services.create_call(
        admin,
        p,
        title="Summer school",
        kind="exchange",
        host=bandung,
        deadline=dt.date(2026, 6, 30),
        how_to_apply="https://example.org/apply",
    )
    call_body = {
        "title": "Mine",
        "kind": "exchange",
        "host": bandung.pk,
        "deadline": "2026-06-30",
        "status": "open",
        "how_to_apply": "https://example.org/apply",
    }
    items = [{"quantity": Decimal(100), "unit": "pieces", "name": "masks"}]
    shipment = services.create_aid(admin, p, title="Masks", donor=bandung, status="pledged", items=items)
    aid_body = {
        "title": "Mine",
        "donor": bandung.pk,
        "status": "pledged",
        "items_quantity": ["100"],
        "items_unit": ["pieces"],
        "items_name": ["masks"],
    }
    return {
        "edit": (activity, edit),
        "postpone": (activity, {"reason": "Rain", "to_be_decided": "on"}),
        "convert": (activity, {"modality": "virtual", "reason": "Online"}),
        "call_edit": (call, call_body),
        "aid_edit": (shipment, aid_body),
    }[name]


@pytest.mark.parametrize("form", ["edit", "postpone", "convert", "call_edit", "aid_edit"])
def test_a_page_form_without_its_version_or_with_a_stale_one_saves_nothing(
    client, users, governments, partnership, form
):
    """The hidden version is required: a form posted without it (or read before someone else
    saved) is refused with the form's message, never saved over the other change."""
    client.force_login(users["bandung_editor"])
    item, body = _page_form(form, users["platform_admin"], partnership, governments)
    url = reverse(f"activities:{form}", args=[item.pk])
    item.refresh_from_db()
    read = item.version

    missing = client.post(url, body, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 200
    assert "This form is out of date. Reload the page and make your changes again." in missing.content.decode()
    item.refresh_from_db()
    assert item.version == read

    _edited_by_someone_else(users["platform_admin"], item)
    stale = client.post(url, {**body, "version": read}, HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 200
    assert "Someone else changed this" in stale.content.decode()
    item.refresh_from_db()
    assert item.version == read + 1

    assert client.post(url, {**body, "version": read + 1}).status_code == 302
    item.refresh_from_db()
    assert item.version == read + 2


def test_postpone_form_requires_a_date_or_to_be_decided(client, users, partnership):
    client.force_login(users["braunschweig_editor"])
    a = services.create_activity(
        users["platform_admin"],
        partnership,
        title="Expert dispatch",
        type="expert_dispatch",
        host=partnership.government_a,
        start=dt.datetime(2026, 5, 1, 8, tzinfo=UTC),
        end=dt.datetime(2026, 5, 1, 9, tzinfo=UTC),
        public=True,
    )
    url = reverse("activities:postpone", args=[a.pk])
    response = client.post(url, {"reason": "Budget", "version": a.version})
    assert "Give the new date" in response.content.decode()
    response = client.post(url, {"reason": "Budget", "to_be_decided": "on", "version": a.version})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "postponed" and a.date_tbd


# --- iCalendar -------------------------------------------------------------------------------------


def test_the_ics_feed_parses_back_field_by_field(client, users, diy_kyoto):
    admin = users["platform_admin"]
    a = festival(admin, diy_kyoto, exceptions=[local(JAKARTA, 2022, 11, 10, 19, 0)], location="Yogyakarta")
    services.postpone(admin, a, reason="COVID-19", occurrence=local(JAKARTA, 2020, 11, 10, 19, 0))
    services.create_activity(
        admin, diy_kyoto, title="Internal planning", type="other", host=a.host, start=a.start, end=a.end, public=False
    )
    response = client.get(reverse("activities:feed_partnership", args=[diy_kyoto.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["version"]) == "2.0" and str(cal["prodid"]) == ical.PRODID
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    series, moved = cal.walk("VEVENT")
    assert str(series["uid"]) == str(moved["uid"]) == f"activity-{a.pk}@kembar"
    assert str(series["summary"]) == "Jogja-Japan Week"
    assert series.decoded("dtstart") == dt.datetime(2018, 11, 10, 19, 0, tzinfo=JAKARTA)
    assert series["dtstart"].params["TZID"] == "Asia/Jakarta"
    assert series.decoded("dtend") == dt.datetime(2018, 11, 10, 21, 0, tzinfo=JAKARTA)
    assert series["rrule"].to_ical() == b"FREQ=YEARLY;INTERVAL=2"
    assert [d.dt for d in series["exdate"].dts] == [dt.datetime(2022, 11, 10, 19, 0, tzinfo=JAKARTA)]
    assert str(series["location"]) == "Yogyakarta" and str(series["status"]) == "TENTATIVE"
    assert str(series["url"]).endswith(f"/activities/{a.pk}/")
    assert moved.decoded("recurrence-id") == dt.datetime(2020, 11, 10, 19, 0, tzinfo=JAKARTA)
    assert str(moved["summary"]) == "Jogja-Japan Week (Postponed, new date to be decided)"
    assert "Internal planning" not in response.content.decode()


def test_the_city_feed_has_only_public_activities_of_public_partnerships(client, users, governments, partnership):
    admin = users["platform_admin"]
    private = partnership_services.create_partnership(admin, governments["bandung"], governments["busan"], public=False)
    for p, title in ((partnership, "Open day"), (private, "Secret talks")):
        services.create_activity(
            admin,
            p,
            title=title,
            type="other",
            host=governments["bandung"],
            start=dt.datetime(2026, 5, 1, 8, tzinfo=UTC),
            end=dt.datetime(2026, 5, 1, 9, tzinfo=UTC),
            public=True,
        )
    cal = icalendar.Calendar.from_ical(
        client.get(reverse("activities:feed_government", args=[governments["bandung"].pk])).content
    )
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Open day"]


# --- the public portal ------------------------------------------------------------------------------


@pytest.fixture
def portal_world(users, governments, partnership, diy_kyoto):
    admin = users["platform_admin"]
    private = partnership_services.create_partnership(admin, governments["bandung"], governments["busan"], public=False)
    soon = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=20)
    made = {}
    for key, p, public in (
        ("public", partnership, True),
        ("hidden", partnership, False),
        ("private_partnership", private, True),
    ):
        made[key] = services.create_activity(
            admin,
            p,
            title=f"Event {key}",
            type="cultural_event",
            field="culture",
            host=governments["bandung"],
            start=soon,
            end=soon + dt.timedelta(hours=2),
            public=public,
        )
        services.create_call(
            admin,
            p,
            title=f"Call {key}",
            kind="exchange",
            host=governments["bandung"],
            deadline=soon.date(),
            how_to_apply="kerjasama@bandung.go.id",
            public=public,
        )
    made["virtual"] = services.create_activity(
        admin,
        partnership,
        title="Event virtual",
        type="information_exchange",
        modality="virtual",
        host=governments["braunschweig"],
        start=soon + dt.timedelta(days=1),
        end=soon + dt.timedelta(days=1, hours=1),
        public=True,
    )
    made["postponed"] = services.postpone(
        admin,
        services.create_activity(
            admin,
            partnership,
            title="Event postponed",
            type="competition",
            host=governments["bandung"],
            start=soon + dt.timedelta(days=2),
            end=soon + dt.timedelta(days=2, hours=1),
            public=True,
        ),
        reason="Rain",
    )
    made["series"] = festival(admin, diy_kyoto)
    past = dt.datetime(2020, 4, 1, 9, tzinfo=UTC)
    made["tbd_since_2020"] = services.postpone(
        admin,
        services.create_activity(
            admin,
            partnership,
            title="Event waiting since 2020",
            type="work_visit",
            host=governments["bandung"],
            start=past,
            end=past + dt.timedelta(hours=1),
            public=True,
        ),
        reason="COVID-19",
    )
    return made


def test_portal_shows_only_public_items_and_marks_postponed_and_virtual(client, portal_world):
    text = client.get(reverse("activities:portal")).content.decode()
    assert "Event public" in text and "Call public" in text and "Event virtual" in text
    for hidden in ("Event hidden", "Call hidden", "Event private_partnership", "Call private_partnership"):
        assert hidden not in text
    assert "Postponed — new date to be decided" in text and 'class="badge mark-virtual">Virtual' in text
    assert "Jogja-Japan Week" in text  # the next edition of a series begun in 2018
    assert "Event waiting since 2020" in text  # postponed, no new date yet: still news


def test_events_waiting_for_a_date_come_after_every_dated_event(portal_world, users, partnership, governments):
    """The landing page's five next events are the next five with a date, even when events
    postponed sine die years ago are waiting; those fill the list only when fewer are dated."""
    admin = users["platform_admin"]
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    for i in range(5):
        planned_event(admin, partnership, governments["bandung"], soon + dt.timedelta(days=i), title=f"Dated {i}")
    first_five = queries.dashboard_events(None, [], now=timezone.now())
    assert len(first_five) == 5 and not any(o.date_tbd and o.end < timezone.now() for o in first_five)
    assert [o.start for o in first_five] == sorted(o.start for o in first_five)
    everything = queries.upcoming_events(queries.PortalFilter(), now=timezone.now())
    titles = [o.activity.title for o in everything]
    assert titles[-1] == "Event waiting since 2020"  # after every dated event, series included
    assert "Dated 4" in titles and "Jogja-Japan Week" in titles


def test_portal_filters(client, portal_world, governments):
    url = reverse("activities:portal")
    by_country = client.get(url, {"country": "JP"}).content.decode()
    assert "Jogja-Japan Week" in by_country and "Event public" not in by_country
    by_city = client.get(url, {"city": governments["braunschweig"].pk}).content.decode()
    assert "Event public" in by_city and "Jogja-Japan Week" not in by_city
    assert reverse("activities:feed_government", args=[governments["braunschweig"].pk]) in by_city
    month = portal_world["public"].start.strftime("%Y-%m")
    by_month = client.get(url, {"month": month, "field": "culture"}).content.decode()
    assert "Event public" in by_month and "Event virtual" not in by_month  # no field on it
    assert "Give the month as YYYY-MM" in client.get(url, {"month": "May"}).content.decode()


def test_public_partnership_page(client, portal_world, partnership, governments):
    text = client.get(reverse("activities:portal_partnership", args=[partnership.pk])).content.decode()
    assert "Event public" in text and "Event hidden" not in text and "Call hidden" not in text
    private = portal_world["private_partnership"].partnership
    assert client.get(reverse("activities:portal_partnership", args=[private.pk])).status_code == 404
    assert client.get(reverse("activities:feed_partnership", args=[private.pk])).status_code == 404


def _ok(client, url) -> None:
    assert client.get(url).status_code == 200


def test_query_counts_do_not_grow_with_the_rows(client, users, portal_world, partnership, governments):
    client.force_login(users["bandung_editor"])
    urls = [
        reverse("activities:portal"),
        reverse("activities:partnership", args=[partnership.pk]),
        reverse("activities:portal_partnership", args=[partnership.pk]),
        reverse("activities:feed_government", args=[governments["bandung"].pk]),
        reverse("dashboard:dashboard"),
    ]
    admin = users["platform_admin"]
    services.create_aid(
        admin, partnership, title="First aid", donor=governments["bandung"], items=[{"name": "masks", "quantity": 10}]
    )
    for u in urls:  # warm the caches (country names)
        _ok(client, u)
    with assert_constant_queries() as queries:
        for u in urls:
            with queries.few(u):
                _ok(client, u)
        _more_series_calls_and_aid(admin, partnership, governments)
        for u in urls:
            _ok(client, u)  # the portal's events are worked out again after a change, then kept
            with queries.many(u):
                _ok(client, u)


def _more_series_calls_and_aid(admin, partnership, governments) -> None:
    start = dt.datetime.now(UTC) + dt.timedelta(days=5)
    for n in range(6):
        a = services.create_activity(
            admin,
            partnership,
            title=f"More {n}",
            type="other",
            host=governments["bandung"],
            start=start,
            end=start + dt.timedelta(hours=1),
            recurrence="FREQ=MONTHLY;COUNT=3",
            public=True,
        )
        services.postpone(admin, a, reason="x", occurrence=a.start)
        services.create_call(
            admin,
            partnership,
            title=f"Call {n}",
            kind="exchange",
            host=governments["bandung"],
            deadline=start.date(),
            how_to_apply="x@example.org",
        )
        services.create_aid(
            admin,
            partnership,
            title=f"Aid {n}",
            donor=governments["bandung"],
            items=[{"name": "masks", "quantity": 10}],
        )


# --- permissions ----------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "bandung_editor",
    "braunschweig_editor",
    "surabaya_editor",
    "bandung_viewer",
    "oversight",
    "platform_admin",
]
MAY_EDIT = {"bandung_editor", "braunschweig_editor", "platform_admin"}
READS_NON_PUBLIC = {"bandung_editor", "braunschweig_editor", "bandung_viewer", "oversight", "platform_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, users, partnership, governments, role):
    admin = users["platform_admin"]
    start = dt.datetime(2026, 6, 1, 8, tzinfo=UTC)
    public = services.create_activity(
        admin,
        partnership,
        title="Open",
        type="other",
        host=governments["bandung"],
        start=start,
        end=start,
        public=True,
    )
    hidden = services.create_activity(
        admin,
        partnership,
        title="Hidden",
        type="other",
        host=governments["bandung"],
        start=start,
        end=start,
        public=False,
    )
    if role != "anonymous":
        client.force_login(users[role])
    assert client.get(reverse("activities:detail", args=[public.pk])).status_code == 200
    assert client.get(reverse("activities:detail", args=[hidden.pk])).status_code == (
        200 if role in READS_NON_PUBLIC else 404
    )
    listing = client.get(reverse("activities:partnership", args=[partnership.pk])).content.decode()
    assert ("Hidden" in listing) == (role in READS_NON_PUBLIC) and "Open" in listing
    response = client.post(
        reverse("activities:convert", args=[public.pk]), {"modality": "virtual", "version": public.version}
    )
    public.refresh_from_db()
    assert (public.modality == "virtual") == (role in MAY_EDIT)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif role not in MAY_EDIT:
        assert response.status_code == 403
    create = client.post(
        reverse("activities:create", args=[partnership.pk]),
        {
            "title": "New",
            "type": "other",
            "modality": "in_person",
            "status": "planned",
            "host": governments["bandung"].pk,
            "start": "2026-07-01T10:00",
            "end": "2026-07-01T11:00",
        },
    )
    assert Activity.objects.filter(title="New").exists() == (role in MAY_EDIT), create.status_code
    if role not in MAY_EDIT:
        with pytest.raises(PermissionDenied):
            services.postpone(users[role] if role != "anonymous" else None, public, reason="no")


def test_reminders_a_week_ahead_once(users, orgs, partnership, governments, settings):
    from kembar.core.reminders import collect

    settings.KEMBAR_SITE_URL = "https://kerjasama.example.go.id"

    users["bandung_editor"].email = "editor@bandung.go.id"
    users["bandung_editor"].save()
    # Each reader gets it in their language: this editor of an Indonesian office reads English.
    Profile.objects.create(user=users["bandung_editor"], language="en")
    now = dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    a = services.create_activity(
        users["platform_admin"],
        partnership,
        title="Youth camp",
        type="student_exchange",
        host=governments["bandung"],
        start=now + dt.timedelta(days=5),
        end=now + dt.timedelta(days=6),
        public=True,
    )
    services.create_call(
        users["platform_admin"],
        partnership,
        title="Exchange 2026",
        kind="exchange",
        host=governments["bandung"],
        deadline=(now + dt.timedelta(days=3)).date(),
        how_to_apply="x@example.org",
    )
    due = collect(now, ["kembar.activities.reminders.due"])
    assert [r.subject for r in due] == [
        "In a week: Youth camp (6–7 Mar 2026)",
        "Deadline in a week: Exchange 2026 (4 Mar 2026)",
    ]
    assert due[0].recipients == ("editor@bandung.go.id",) and str(a.pk) in due[0].key
    # Each mail links its page, with the site's address.
    call = a.partnership.calls.get()
    assert due[0].body.endswith("\n\nhttps://kerjasama.example.go.id" + a.get_absolute_url())
    assert due[1].body.endswith("\n\nhttps://kerjasama.example.go.id" + call.get_absolute_url())


def test_an_activity_reminder_gives_the_whole_span_with_each_ends_zone(users, bandung_fort_worth, settings):
    """A two-week activity in Fort Worth reads as its days, and its times each with the zone of
    that day (the clocks change on 14 March 2027), not as its first moment alone."""
    from kembar.core.reminders import collect

    settings.KEMBAR_SITE_URL = "https://kerjasama.example.go.id"
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    fort_worth = (
        bandung_fort_worth.government_b
        if bandung_fort_worth.government_b.country_code == "US"
        else (bandung_fort_worth.government_a)
    )
    services.create_activity(
        users["platform_admin"],
        bandung_fort_worth,
        title="Sister Cities youth exhibition",
        type="cultural_event",
        host=fort_worth,
        start=dt.datetime(2027, 3, 1, 9, 0, tzinfo=chicago),
        end=dt.datetime(2027, 3, 14, 17, 0, tzinfo=chicago),
    )
    [reminder] = collect(dt.datetime(2027, 2, 25, 12, 0, tzinfo=UTC), ["kembar.activities.reminders.due"])
    assert reminder.subject == "In a week: Sister Cities youth exhibition (1–14 Mar 2027)"
    assert reminder.body.startswith(
        f"Sister Cities youth exhibition of {bandung_fort_worth}, in person: "
        "1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT).\n\n"
    )


def test_attachments_are_checked_and_downloaded_only_by_readers(
    client, users, partnership, governments, settings, tmp_path
):
    from tests.support.files import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path
    start = dt.datetime(2026, 6, 1, 8, tzinfo=UTC)
    hidden = services.create_activity(
        users["platform_admin"],
        partnership,
        title="Hidden",
        type="other",
        host=governments["bandung"],
        start=start,
        end=start,
        public=False,
    )
    client.force_login(users["bandung_editor"])
    url = reverse("activities:attach", args=[hidden.pk])
    renamed = client.post(url, {"file": upload("report.pdf", b"MZ\x90\x00 not a pdf")}, follow=True)
    assert "report.pdf is not a valid PDF file" in renamed.content.decode()
    client.post(url, {"file": upload("Laporan Kegiatan.pdf", pdf_bytes())})
    attachment = hidden.attachments.get()
    assert attachment.name == "Laporan_Kegiatan.pdf" and attachment.content_type == "application/pdf"
    download = reverse("activities:attachment", args=[attachment.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(users["surabaya_editor"])
    assert client.get(download).status_code == 404


@pytest.mark.parametrize(
    "rule, message",
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "yields no date"),  # dateutil would walk to the year 9999
        ("FREQ=HOURLY", "repeats yearly, monthly, weekly or daily"),
        ("FREQ=YEARLY;BYWEEKNO=20", "do not recur by BYWEEKNO"),
        ("DTSTART:19000101T000000\nRRULE:FREQ=DAILY", "Give one recurrence rule"),
        ("FREQ=YEARLY;INTERVAL=0", "interval of a recurrence rule is at least 1"),
    ],
)
def test_rules_that_would_run_away_are_refused_at_once(users, diy_kyoto, rule, message):
    import time

    started = time.perf_counter()
    with pytest.raises(ValidationError) as exc:
        festival(users["platform_admin"], diy_kyoto, recurrence=rule)
    assert time.perf_counter() - started < 2
    assert any(message in m for m in exc.value.message_dict["recurrence"]), exc.value.message_dict


def test_dates_and_numbers_out_of_range_are_refused(users, diy_kyoto):
    with pytest.raises(ValidationError) as exc:
        festival(
            users["platform_admin"],
            diy_kyoto,
            start=dt.datetime(1850, 1, 1, tzinfo=UTC),
            participants_b=10**12,
            budget=Decimal(10) ** 15,
            currency="IDR",
        )
    assert set(exc.value.message_dict) == {"start", "participants_b", "budget"}


def test_call_and_aid_pages(client, users, partnership, governments):
    client.force_login(users["bandung_editor"])
    bandung = governments["bandung"]
    url = reverse("activities:call_create", args=[partnership.pk])
    call = {
        "title": "Braunschweig summer school",
        "kind": "exchange",
        "host": bandung.pk,
        "quota": "4",
        "deadline": "2026-06-30",
        "closed_on": "2026-06-01",
        "status": "closed",
        "how_to_apply": "https://example.org/apply",
        "public": "on",
    }
    response = client.post(url, call)
    assert "The deadline is after the day the call closed (2026-06-01)." in response.content.decode()
    assert not Call.objects.exists()
    response = client.post(url, {**call, "closed_on": "", "status": "open"})
    created = Call.objects.get()
    assert response["Location"] == created.get_absolute_url()
    assert "https://example.org/apply" in client.get(created.get_absolute_url()).content.decode()

    url = reverse("activities:aid_create", args=[partnership.pk])
    aid = {
        "title": "Masks for Braunschweig",
        "donor": bandung.pk,
        "status": "pledged",
        "public": "on",
        "items_quantity": ["50000", "", "20"],
        "items_unit": ["pieces", "", "units"],
        "items_name": ["surgical masks", "", "ventilators"],
        "pledged_on": "2020-04-01",
    }
    bad = {**aid, "items_quantity": ["many"], "items_unit": [""], "items_name": ["masks"]}
    assert "Row 1: “many” is not a quantity." in client.post(url, bad).content.decode()
    empty = {**aid, "items_quantity": [""], "items_unit": [""], "items_name": [""]}
    assert "List at least one item with its quantity." in client.post(url, empty).content.decode()
    assert not AidShipment.objects.exists()
    client.post(url, aid)
    shipment = AidShipment.objects.get()
    assert shipment.recipient == governments["braunschweig"]
    assert [(i.name, int(i.quantity), i.unit) for i in shipment.items.all()] == [
        ("surgical masks", 50000, "pieces"),
        ("ventilators", 20, "units"),
    ]
    edit = reverse("activities:aid_edit", args=[shipment.pk])
    client.post(edit, {**aid, "status": "shipped", "shipped_on": "2020-04-10", "version": shipment.version})
    stale = client.post(edit, {**aid, "status": "received", "received_on": "2020-04-20", "version": shipment.version})
    assert "Someone else changed this aid shipment" in stale.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.version == 2
    page = client.get(shipment.get_absolute_url()).content.decode()
    assert "50,000" in page or "50.000" in page
    rows = client.get(edit).content.decode()  # the items come back as rows, a blank one after them
    assert 'name="items_quantity" value="50,000"' in rows and 'name="items_name" value="ventilators"' in rows
    assert rows.count('name="items_name"') == 4  # two items, one blank row, the template row


# --- the portal's expansion: the first events of many series, walked no further than needed --------


def _full_expansion(
    f: queries.PortalFilter, now: dt.datetime, limit: int, days: int = 3 * 366
) -> list[recurrence.Occurrence]:
    """The portal's list as it was made before: every public activity expanded over the whole window."""
    after, before = queries._month_bounds(f.month) if f.month else (now, now + dt.timedelta(days=days))
    everything = queries.public_activities().exclude(status="cancelled")
    out = [o for a in everything for o in recurrence.occurrences(a, after=after, before=before, limit=limit)]
    return sorted(out, key=lambda o: (o.start, o.activity.pk))[:limit]


def _shown(occurrences) -> list[tuple]:
    return [
        (o.activity.pk, o.activity.title, o.planned_start, o.start, o.end, o.postponed, o.date_tbd, o.reason)
        for o in occurrences
    ]


def test_the_portal_lists_the_same_first_events_as_a_full_expansion(users, governments, partnership):
    """Series begun long before the window and running past it, one running across its start, an
    occurrence moved from far ahead to the first days (and one the other way), exceptions, a series
    already over and one still to begin, among single events: with a short list, the walk stops
    early, and the list is the one a full expansion of every activity gives."""
    admin = users["platform_admin"]
    now = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    host = governments["bandung"]

    def add(title, start, hours=2, **extra):
        return services.create_activity(
            admin,
            partnership,
            title=title,
            type="other",
            host=host,
            start=start,
            end=start + dt.timedelta(hours=hours),
            public=True,
            **extra,
        )

    for k in range(6):
        add(f"Single {k}", now + dt.timedelta(days=3 * k + 1, hours=k))
    add("Single over", now - dt.timedelta(days=2))
    weekly = add("Weekly since 2024", dt.datetime(2024, 1, 3, 2, 0, tzinfo=UTC), recurrence="FREQ=WEEKLY")
    add(
        "Running across the start",
        dt.datetime(2025, 6, 1, 7, 0, tzinfo=UTC),
        hours=50,
        recurrence="FREQ=MONTHLY;BYMONTHDAY=1",
    )
    daily = add(
        "Every third day",
        dt.datetime(2025, 12, 30, 1, 0, tzinfo=UTC),
        recurrence="FREQ=DAILY;INTERVAL=3",
        exceptions=["2026-03-06T01:00:00Z"],
    )
    add("Over in 2025", dt.datetime(2025, 1, 1, 1, 0, tzinfo=UTC), recurrence="FREQ=WEEKLY;COUNT=5")
    add("From April", dt.datetime(2026, 4, 1, 1, 0, tzinfo=UTC), recurrence="FREQ=WEEKLY")
    far = dt.datetime(2026, 9, 2, 2, 0, tzinfo=UTC)
    services.postpone(
        admin,
        weekly,
        reason="Moved forward",
        occurrence=far,
        new_start=now + dt.timedelta(hours=3),
        new_end=now + dt.timedelta(hours=5),
    )
    services.postpone(
        admin,
        daily,
        reason="Moved away",
        occurrence=dt.datetime(2026, 3, 9, 1, 0, tzinfo=UTC),
        new_start=dt.datetime(2026, 8, 1, 1, 0, tzinfo=UTC),
        new_end=dt.datetime(2026, 8, 1, 3, tzinfo=UTC),
    )
    later = add("From late March", now + dt.timedelta(days=20), recurrence="FREQ=WEEKLY")
    services.postpone(
        admin,
        later,
        reason="Moved to the first day",
        occurrence=now + dt.timedelta(days=27),
        new_start=now + dt.timedelta(hours=1),
        new_end=now + dt.timedelta(hours=2),
    )
    for limit in (1, 4, 10, 30):
        expected = _full_expansion(queries.PortalFilter(), now, limit)
        assert _shown(queries.upcoming_events(queries.PortalFilter(), now, limit=limit)) == _shown(expected)
    first = _shown(queries.upcoming_events(queries.PortalFilter(), now, limit=30))
    titles = [row[1] for row in first]
    assert titles[:3] == ["Running across the start", "From late March", "Weekly since 2024"]
    assert first[1][5:] == (True, False, "Moved to the first day") and first[2][5:] == (True, False, "Moved forward")
    assert "Over in 2025" not in titles
    assert dt.datetime(2026, 3, 6, 1, 0, tzinfo=UTC) not in [row[2] for row in first if row[1] == "Every third day"]
    march = queries.PortalFilter(month="2026-03")
    assert _shown(queries.upcoming_events(march, now, limit=25)) == _shown(_full_expansion(march, now, 25))
    # The dashboard's next events, for everyone (public ones) and for the office (its own):
    coming = _shown(_full_expansion(queries.PortalFilter(), now, queries.DASHBOARD_SHOWN, days=2 * 366))
    assert _shown(queries.dashboard_events(AnonymousUser(), [], now)) == coming
    assert _shown(queries.dashboard_events(users["bandung_editor"], [host.pk], now)) == coming


def test_the_portal_reads_the_shown_activities_whole_at_a_constant_query_count(client, users, governments, partnership):
    start = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=3)

    def series(k: int) -> None:
        services.create_activity(
            users["platform_admin"],
            partnership,
            title=f"Series {k}",
            type="other",
            host=governments["bandung"],
            start=start,
            end=start + dt.timedelta(hours=1),
            recurrence="FREQ=WEEKLY",
            location=f"Balai Kota {k}",
            public=True,
        )

    for k in range(3):
        series(k)
    url = reverse("activities:portal")
    _ok(client, url)  # warm the caches (country names)
    with assert_constant_queries() as queries:
        with queries.few():
            _ok(client, url)
        for k in range(3, 25):
            series(k)
        _ok(client, url)  # worked out again after the change, then kept
        with queries.many():
            _ok(client, url)
    text = client.get(url).content.decode()
    assert "Balai Kota 24" in text and "Bandung – Braunschweig" in text.replace("Kota ", "")


def test_the_portal_keeps_its_events_until_an_activity_changes(client, users, governments, partnership):
    """The expansion of the public series is kept (a minute at most); publishing an event, or
    postponing one, shows at once."""
    start = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=3)
    url = reverse("activities:portal")

    def event(title: str):
        return services.create_activity(
            users["platform_admin"],
            partnership,
            title=title,
            type="other",
            host=governments["bandung"],
            start=start,
            end=start + dt.timedelta(hours=1),
            recurrence="FREQ=WEEKLY",
            public=True,
        )

    first = event("Weekly language class")
    assert "Weekly language class" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    assert "Weekly language class" in client.get(reverse("dashboard:dashboard")).content.decode()
    event("Monthly market")
    assert "Monthly market" in client.get(url).content.decode()
    assert "Monthly market" in client.get(reverse("dashboard:dashboard")).content.decode()  # a visitor's
    services.postpone(users["platform_admin"], first, reason="Hall closed", occurrence=first.start)
    postponed = [o for o in queries.upcoming_events(queries.PortalFilter()) if o.planned_start == first.start]
    assert postponed and postponed[0].postponed and postponed[0].reason == "Hall closed"
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) == len(cold)  # the same once the page is kept again


def test_the_portals_events_are_kept_through_changes_that_cannot_touch_them(users, governments, partnership):
    """Recording a past event, or editing a partnership without changing whether it is public,
    leaves the kept events (a busy platform records many reports); an event moved ahead, or a
    partnership made private, drops them."""
    from django.core.cache import cache

    def version():
        return cache.get(queries.PORTAL_VERSION_KEY)

    queries.portal_changed()
    kept = version()
    past = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=40)
    report = services.create_activity(
        users["platform_admin"],
        partnership,
        title="Youth exchange",
        type="other",
        host=governments["bandung"],
        start=past,
        end=past + dt.timedelta(hours=2),
        public=True,
    )
    partnership.notes = "Met in Bandung"
    partnership.save()
    assert version() == kept

    report.start, report.end = past + dt.timedelta(days=80), past + dt.timedelta(days=80, hours=2)
    report.save()
    assert version() != kept
    kept = version()
    partnership.public = not partnership.public
    partnership.save()
    assert version() != kept

    # The same through the services, which lock the row and compare with what they locked (no
    # second read of it): a note leaves the events, making the partnership private drops them.
    kept = version()
    editor = users["platform_admin"]
    partnership = partnership_services.update_partnership(editor, partnership, notes="Met again", public=True)
    assert version() != kept  # it was private after the plain save above
    report = services.update_activity(editor, report, start=past, end=past + dt.timedelta(hours=2))
    assert version() != kept  # back in the past: no longer ahead
    kept = version()
    partnership = partnership_services.update_partnership(editor, partnership, notes="And again")
    services.update_activity(editor, report, description="A report of it")
    assert version() == kept
    partnership_services.update_partnership(editor, partnership, public=False)
    assert version() != kept


def test_a_minute_old_events_list_is_renewed_by_one_process_while_the_others_show_it():
    """Past its minute the kept list is worked out again by the one process that takes the turn;
    the others show the list they have meanwhile instead of all expanding every series at once."""
    from django.core.cache import cache

    cache.clear()
    worked_out = []

    def compute(now):
        worked_out.append(now)
        return []

    queries._kept("renewal test", compute)
    queries._kept("renewal test", compute)
    assert len(worked_out) == 1  # kept
    key = queries.kept_key("renewal test")
    at, rows = cache.get(key)
    cache.set(key, (at - dt.timedelta(seconds=queries.PORTAL_CACHE_SECONDS + 1), rows))
    cache.add(key + ":renewing", 1)  # another process has taken the turn
    queries._kept("renewal test", compute)
    assert len(worked_out) == 1  # shown as kept meanwhile
    cache.delete(key + ":renewing")
    queries._kept("renewal test", compute)
    queries._kept("renewal test", compute)
    assert len(worked_out) == 2  # renewed once, then kept again
    assert cache.get(key + ":renewing") is None
