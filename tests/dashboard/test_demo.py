"""`kembar demo`: the demonstration registry, loaded again without changing anything."""

import pytest

from kembar.accounts.models import Membership, Organisation
from kembar.dashboard.demo import PARTNERSHIPS, load_demo
from kembar.partnerships.models import LocalGovernment, Partnership

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_creates_offices_and_users():
    first = load_demo()
    assert first["partnerships"] == len(PARTNERSHIPS)
    counts = (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    assert load_demo() == {"governments": 0, "partnerships": 0, "organisations": 0, "users": 0}
    assert counts == (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    bandung = Organisation.objects.get(name="Bagian Kerja Sama Kota Bandung")
    assert bandung.memberships.filter(user__username="bandung", role="admin").exists()
    kyoto = LocalGovernment.objects.get(place__subdivision_code="JP-26")
    assert (
        Partnership.objects.filter(government_a__place__subdivision_code="ID-YO", government_b=kyoto).exists()
        or Partnership.objects.filter(government_b__place__subdivision_code="ID-YO", government_a=kyoto).exists()
    )


def test_demo_history_shows_the_pandemic_pivot_and_says_where_each_event_comes_from(client):
    """Ten years of activities: in person before 2020, virtual in 2020–22, in person again after;
    every event either names its public source or says it is demo data."""
    from django.contrib.auth import get_user_model

    from kembar.activities.demo_history import EVENTS
    from kembar.activities.models import Activity

    load_demo()
    activities = Activity.objects.all()
    assert activities.count() >= 30
    years = {a.start.year for a in activities}
    assert {2016, 2020, 2021, 2024, 2025} <= years
    for activity in activities:
        assert "Source: " in activity.description or "Demo data" in activity.description, activity.title
    sourced = [e for e in EVENTS if e.source]
    assert len(sourced) >= 5
    expert = Activity.objects.get(title="Integrated expert from Berlin at Jakarta City Hall")
    assert "berlin.de" in expert.description and expert.host.place.subdivision_code == "ID-JK"
    jjw = Activity.objects.get(title="Jogja Japan Week 2023")
    assert jjw.start.date().isoformat() == "2023-09-01" and "transindonesia.co" in jjw.description
    # The platform's pivot (oversight reads everything): the shift to virtual and back.
    client.force_login(get_user_model().objects.get(username="kemendagri"))
    periods = {p["key"]: p for p in client.get("/api/insights/pivot").json()["periods"]}
    before, during, after = periods["before"], periods["during"], periods["after"]
    assert before["modality"]["in_person"] >= 10 and before["modality"]["virtual"] == 0
    assert during["modality"]["virtual"] >= 10 and during["modality"]["in_person"] == 0
    assert during["pivoted"] >= 5 and during["status"]["postponed"] >= 1
    assert after["modality"]["in_person"] > after["modality"]["virtual"]
    # Loading again adds nothing.
    assert "activities" not in load_demo()
    assert Activity.objects.count() == activities.count()


def test_a_fresh_demo_has_a_coming_week_on_bandungs_dashboard(client):
    """A meeting with Fort Worth in three days, an activity next week and an overdue action
    item, dated from the day the demo is loaded and saying they are demo data."""
    import datetime as dt
    import zoneinfo

    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from kembar.activities.demo import COMING_TITLE
    from kembar.activities.models import Activity
    from kembar.meetings.demo import COMING_MEETING, OVERDUE_ACTION
    from kembar.meetings.models import ActionItem, Meeting

    load_demo()
    load_demo()  # loaded again: nothing twice
    jakarta = zoneinfo.ZoneInfo("Asia/Jakarta")
    today = timezone.now().astimezone(jakarta).date()
    meeting = Meeting.objects.get(title=COMING_MEETING)
    activity = Activity.objects.get(title=COMING_TITLE)
    action = ActionItem.objects.get(text=OVERDUE_ACTION[0])
    assert meeting.start.astimezone(jakarta).date() == today + dt.timedelta(days=3)
    assert activity.start.astimezone(jakarta).date() == today + dt.timedelta(days=8)
    assert action.due == today - dt.timedelta(days=4) and action.status == "open"
    assert "Demo data" in meeting.agenda and "Demo data" in activity.description

    client.force_login(get_user_model().objects.get(username="bandung"))
    page = client.get(reverse("dashboard:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    coming = page.split("data-coming", 1)[1].split("</section>", 1)[0]
    overdue = page.split("data-overdue", 1)[1].split("</section>", 1)[0]
    assert COMING_MEETING in coming and COMING_TITLE in coming
    assert OVERDUE_ACTION[0] in overdue and "(4 days)" in overdue


def test_demo_agreements_carry_the_dates_of_their_procedure_not_the_load_day():
    import datetime as dt

    from django.utils import timezone

    from kembar.agreements.models import Agreement, StageTransition

    load_demo()
    fort_worth = Agreement.objects.get(title__startswith="MoU Bandung – Fort Worth")
    signed = dt.datetime.combine(fort_worth.signed_on, dt.time(23, 59), tzinfo=dt.UTC)
    stages = list(fort_worth.stages.exclude(completed_at=None).order_by("position"))
    assert stages and all(s.completed_at <= signed for s in stages)
    assert stages[0].started_at < signed - dt.timedelta(days=300)  # the exploration, months before
    assert [s.completed_at for s in stages] == sorted(s.completed_at for s in stages)
    assert not StageTransition.objects.filter(agreement=fort_worth, at__gt=signed).exists()
    assert not fort_worth.history.filter(history_date__gt=signed).exists()
    # Signed on its signing day, not a month before the date it gives (and the next stage began then).
    signing = fort_worth.stages.get(template_stage__is_signing=True)
    assert signing.completed_at.date() == fort_worth.signed_on
    assert fort_worth.stages.get(status="active").started_at.date() == fort_worth.signed_on
    suwon = Agreement.objects.get(title__startswith="MoU Bandung – Suwon")
    waiting = suwon.stages.get(status="active")
    assert (timezone.now() - waiting.started_at).days == 12
    assert all(s.completed_at <= waiting.started_at for s in suwon.stages.exclude(completed_at=None))
