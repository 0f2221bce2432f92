"""A repeating activity's exceptions: days picked with a date input each, in the host's own
time; each becomes the occurrence of that day at the series' local time of day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from kembar.activities import recurrence, services
from kembar.activities.models import Activity
from kembar.partnerships import services as partnership_services
from tests.support.builders import government

pytestmark = pytest.mark.django_db
UTC = dt.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def weekly(governments, users):
    """A weekly online class hosted by Fort Worth, 09:00 local, across the start of daylight
    saving time (14 March 2027)."""
    fort_worth = government("Fort Worth", "US")
    partnership = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], fort_worth)
    return services.create_activity(
        users["platform_admin"],
        partnership,
        title="English conversation class",
        type="language_training",
        host=fort_worth,
        modality="virtual",
        start=dt.datetime(2027, 3, 1, 9, 0, tzinfo=CHICAGO),
        end=dt.datetime(2027, 3, 1, 10, 0, tzinfo=CHICAGO),
        recurrence="FREQ=WEEKLY;COUNT=8",
    )


def posted(activity: Activity, **extra) -> dict:
    zone = activity.zone
    return {
        "title": activity.title,
        "type": activity.type,
        "modality": activity.modality,
        "status": activity.status,
        "host": activity.host_id,
        "start": activity.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "end": activity.end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "recurrence": "WEEKLY",
        "repeat_interval": "1",
        "repeat_count": "8",
        "version": activity.version,
        **extra,
    }


def test_exception_days_are_dates_in_the_host_time_at_the_series_time_of_day(client, users, weekly):
    client.force_login(users["platform_admin"])
    url = reverse("activities:edit", args=[weekly.pk])
    page = client.get(url).content.decode()
    assert '<input type="date" name="exceptions_day" value=""' in page
    assert "YYYY-MM-DD HH:MM" not in page

    # 15 March is after the clocks changed: 09:00 CDT is 14:00 UTC, not 15:00.
    saved = client.post(url, posted(weekly, exceptions_day=["2027-03-15", "", "2027-03-01"]))
    assert saved.status_code == 302
    weekly.refresh_from_db()
    assert weekly.exceptions == ["2027-03-01T15:00:00Z", "2027-03-15T14:00:00Z"]
    starts = [o.start for o in recurrence.occurrences(weekly)]
    assert dt.datetime(2027, 3, 15, 14, 0, tzinfo=UTC) not in starts
    assert dt.datetime(2027, 3, 8, 15, 0, tzinfo=UTC) in starts and len(starts) == 6

    # The edit page shows them back as the host's dates, one row each, and a blank row to add one.
    page = client.get(url).content.decode()
    assert 'name="exceptions_day" value="2027-03-01"' in page and 'name="exceptions_day" value="2027-03-15"' in page


@pytest.mark.parametrize(
    "days, message",
    [
        (["2027-03-16"], "The activity does not take place on 16 Mar 2027 anyway"),
        (["2027-05-03"], "The activity does not take place on 3 May 2027 anyway"),  # after the 8th time
        (["15/03/2027"], "Row 1: “15/03/2027” is not a date (YYYY-MM-DD)."),
    ],
)
def test_a_day_outside_the_series_or_not_a_date_is_refused_naming_it(client, users, weekly, days, message):
    client.force_login(users["platform_admin"])
    refused = client.post(reverse("activities:edit", args=[weekly.pk]), posted(weekly, exceptions_day=days))
    assert refused.status_code == 200 and message in refused.content.decode()
    weekly.refresh_from_db()
    assert weekly.exceptions == [] and weekly.version == 1


def test_an_activity_that_does_not_repeat_has_no_exceptions(client, users, weekly):
    client.force_login(users["platform_admin"])
    once = {**posted(weekly, exceptions_day=["2027-03-01"]), "recurrence": "", "repeat_count": ""}
    refused = client.post(reverse("activities:edit", args=[weekly.pk]), once)
    assert "Only a repeating activity has exceptions" in refused.content.decode()
    weekly.refresh_from_db()
    assert weekly.recurrence == "FREQ=WEEKLY;COUNT=8"
