"""`kembar generate`: volume for benchmarks, marked as generated, on top of an imported registry."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kembar.activities.models import Activity, ActivityAttachment, ActivityChange
from kembar.agreements.models import Agreement, AgreementStage
from kembar.dashboard import generate
from kembar.dashboard.demo import load_demo
from kembar.gazetteer.models import Place
from kembar.meetings.models import ActionItem, Meeting, Participant
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import government_for_place
from tests.support.builders import imported_link

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _registry(n: int = 12) -> None:
    """n imported links along a chain of Indonesian and Japanese cities."""
    places = list(Place.objects.filter(kind="city", country_code__in=["ID", "JP"]).order_by("-population")[: n + 1])
    governments = [government_for_place(place) for place in places]
    for first, second in zip(governments, governments[1:], strict=False):
        imported_link(first, second)


def _make(seed: int = 7, activities: int = 3_000) -> generate.Created:
    return generate.generate(generate.Plan(activities, 60, 200, seed, TODAY))


def test_refuses_a_database_without_the_imported_registry():
    load_demo()
    # Only what offices entered: the demo's few links of the real list (for the roll-up) go.
    Partnership.objects.filter(source=Partnership.Source.IMPORT).delete()
    with pytest.raises(CommandError, match="import-links"):
        call_command("generate", "--activities", "10", stdout=StringIO())
    assert not Activity.objects.filter(title__startswith=generate.GENERATED).exists()


def test_dry_run_says_what_it_would_make_and_makes_nothing():
    load_demo()
    _registry()
    before = Activity.objects.count()
    out = StringIO()
    call_command("generate", "--activities", "500", "--meetings", "20", "--dry-run", stdout=out)
    assert "500" in out.getvalue() and "[generated]" in out.getvalue()
    assert Activity.objects.count() == before


def test_distributions_are_plausible_and_every_row_is_marked():
    _registry()
    created = _make()
    rows = Activity.objects.filter(title__startswith=generate.GENERATED)
    assert rows.count() == created.activities == 3_000
    assert all(d.startswith("Generated volume") for d in rows.values_list("description", flat=True))
    years = {d.year for d in rows.values_list("start", flat=True)}
    assert {2012, 2016, 2020, 2021, 2024, 2026, 2027} <= years
    # The pandemic: postponements recorded in 2020–21, mostly virtual then, in person before.
    pandemic = rows.filter(planned_start__date__range=generate.PANDEMIC)
    postponed = ActivityChange.objects.filter(activity__in=pandemic, kind="postponed")
    assert postponed.count() >= 20
    assert postponed.filter(new_start__isnull=True).exists() and postponed.filter(new_start__isnull=False).exists()
    assert pandemic.filter(modality="virtual").count() > pandemic.filter(modality="in_person").count()
    before = rows.filter(start__year__lt=2020)
    assert before.filter(modality="in_person").count() > 3 * before.filter(modality="virtual").count()
    assert rows.exclude(recurrence="").count() >= 30  # series
    assert rows.filter(status="held", participants_a__gt=0).count() > 1_000
    assert rows.filter(status="planned", start__date__gt=TODAY).exists()
    assert ActivityAttachment.objects.filter(activity__in=rows).count() == created.attachments > 50
    # Agreements in force, expired and stuck in their procedure, each with its stages.
    agreements = Agreement.objects.filter(title__startswith=generate.GENERATED)
    assert agreements.count() == 12  # at most one per partnership: the 12 there are
    assert AgreementStage.objects.filter(agreement__in=agreements).count() == created.agreement_stages > 0
    # Meetings with both sides' participants, and action items of held ones.
    meetings = Meeting.objects.filter(title__startswith=generate.GENERATED)
    assert meetings.count() == 200
    assert Participant.objects.filter(meeting__in=meetings).count() == created.participants >= 400
    assert ActionItem.objects.filter(meeting__in=meetings, status="open").exists()


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    _registry()

    def snapshot():
        return list(
            Activity.objects.filter(title__startswith=generate.GENERATED)
            .order_by("id")
            .values_list("partnership_id", "title", "type", "status", "modality", "start", "recurrence")
        )

    _make(seed=3, activities=400)
    first = snapshot()
    Activity.objects.all().delete()
    _make(seed=3, activities=400)
    assert snapshot() == first
    Activity.objects.all().delete()
    _make(seed=4, activities=400)
    assert snapshot() != first


def test_the_demo_is_left_as_it_was(client):
    load_demo()
    _registry()
    demo = {
        "activities": list(Activity.objects.values_list("id", "version", "title", "start").order_by("id")),
        "meetings": list(Meeting.objects.values_list("id", "version", "title").order_by("id")),
        "agreements": list(Agreement.objects.values_list("id", "version", "status").order_by("id")),
    }
    out = StringIO()
    call_command("generate", "--activities", "300", "--agreements", "30", "--meetings", "40", "--seed", "1", stdout=out)
    assert "activities 300" in out.getvalue()
    assert (
        list(
            Activity.objects.exclude(generate.generated_filter())
            .values_list("id", "version", "title", "start")
            .order_by("id")
        )
        == demo["activities"]
    )
    assert (
        list(Meeting.objects.exclude(generate.generated_filter()).values_list("id", "version", "title").order_by("id"))
        == demo["meetings"]
    )
    assert (
        list(
            Agreement.objects.exclude(generate.generated_filter()).values_list("id", "version", "status").order_by("id")
        )
        == demo["agreements"]
    )
