"""What a change concerns (kembar/core/stamps.py and the apps' descriptions): a change of one
partnership's records drops that partnership's kept pages and its governments' dashboards, and
leaves other partnerships' pages kept; a change of unknown reach drops everything; every kembar
model is described, quiet or knowingly "everything"."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kembar.agreements.models import ProcedureTemplate
from kembar.core import stamps
from kembar.partnerships import services
from kembar.solutions import services as solutions
from tests.support.builders import government, held_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(governments, users):
    """Two public partnerships with no government in common."""
    admin = users["platform_admin"]
    return (
        services.create_partnership(admin, governments["bandung"], governments["braunschweig"], public=True),
        services.create_partnership(admin, governments["kyoto"], governments["busan"], public=True),
    )


def queries_for(path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_an_activity_drops_its_partnerships_page_only(
    pages_cached, two, users, committed, django_capture_on_commit_callbacks
):
    ours, theirs = two
    pages = [reverse("partnerships:detail", args=[p.pk]) for p in two] + [
        reverse("partnerships:government", args=[g]) for g in (ours.government_a_id, theirs.government_a_id)
    ]
    first = [queries_for(path)[1] for path in pages]  # kept now
    assert all(queries_for(path)[0] == 0 for path in pages)

    with django_capture_on_commit_callbacks(execute=True):
        held_activity(users["platform_admin"], ours, ours.government_a, dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))

    ours_page, theirs_page, our_government, their_government = (queries_for(path) for path in pages)
    assert ours_page[0] > 0 and ours_page[1] != first[0]  # the health card names the activity
    assert our_government[0] > 0
    assert theirs_page[0] == 0 and their_government[0] == 0  # still kept


def test_a_governments_own_record_drops_its_partnerships_and_partners(two, users, committed):
    ours, theirs = two
    before = stamps.each([("partnership", ours.pk), ("partnership", theirs.pk), ("government", ours.government_b_id)])
    solutions.create_need(
        users["platform_admin"], ours.government_a, title="Flood early warning", description="Sensors", fields=[]
    )
    after = stamps.each(before)
    assert after[("partnership", ours.pk)] != before[("partnership", ours.pk)]
    assert after[("government", ours.government_b_id)] != before[("government", ours.government_b_id)]  # a partner
    assert after[("partnership", theirs.pk)] == before[("partnership", theirs.pk)]


def test_a_change_of_unknown_reach_renews_everything(two, committed):
    ours, _ = two
    before = stamps.current([("partnership", ours.pk)])
    ProcedureTemplate.objects.create(code="described-by-none", name_en="A new procedure", country_code="ID")
    after = stamps.current([("partnership", ours.pk)])
    assert after[0] != before[0]  # the stamp of everything


def test_quiet_rows_and_history_records_renew_nothing(two, users, committed):
    from kembar.accounts.models import Profile

    ours, _ = two
    subject = [("partnership", ours.pk)]
    before = stamps.current(subject)
    Profile.objects.update_or_create(user=users["bandung_editor"], defaults={"language": "en"})
    ours.history.first().save()  # a history record on its own
    assert stamps.current(subject) == before


# Models whose rows concern everything: none of them is shown for one partnership or government
# only (or they are rare: a merge, a procedure, a place). A new model must be described, made
# quiet or added here knowingly.
EVERYTHING = {
    "accounts.Membership",
    "accounts.Organisation",
    "agreements.ProcedureTemplate",
    "agreements.TemplateStage",
    "gazetteer.Place",
    "gazetteer.PlaceName",
    "gazetteer.PlaceTrait",
    "meetings.OfficeHours",
    "grants.GrantCall",
    "partnerships.CooperationField",
    "partnerships.GovernmentMerge",
    "plans.ExchangeRate",
}


def test_every_model_is_described_quiet_or_knowingly_everything():
    undescribed = {
        model._meta.label
        for model in apps.get_models()
        if stamps.is_kembar_model(model)
        and model not in stamps._resolvers
        and model not in stamps._quiet
        and not hasattr(model, "instance_type")
    }
    assert undescribed == EVERYTHING


def test_a_place_search_is_kept_through_writes_elsewhere(
    pages_cached, two, users, committed, django_capture_on_commit_callbacks
):
    ours, _ = two
    path = "/api/places?q=Band"
    first, body = queries_for(path)
    assert first > 0 and "Bandung" in body
    with django_capture_on_commit_callbacks(execute=True):
        held_activity(users["platform_admin"], ours, ours.government_a, dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))
    assert queries_for(path)[0] == 0  # an activity is not in the gazetteer
    place = ours.government_a.place
    with django_capture_on_commit_callbacks(execute=True):
        place.population += 1
        place.save()
    assert queries_for(path)[0] > 0


def test_the_rows_one_service_saves_look_up_their_partnership_once(two, users):
    """An agreement and its procedure's stages are saved in one transaction: what they concern
    (the partnership's governments) is looked up at most once, not once for each row, and not at
    all when the service has the partnership at hand; a partnership saved in the transaction
    gives its governments as they are now."""
    from kembar.agreements import services as agreements
    from kembar.partnerships.concerns import of_partnerships

    first, _other = two
    with CaptureQueriesContext(connection) as queries:
        agreement = agreements.create_agreement(users["platform_admin"], first, title="MoU on culture")
    assert agreement.stages.count() > 2
    lookups = [q["sql"] for q in queries if q["sql"].startswith('SELECT "partnerships_partnership"."id" AS "pk"')]
    assert lookups == []

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            of_partnerships([first.pk])
    assert len(queries) == 1

    with transaction.atomic():
        assert ("government", first.government_b_id) in of_partnerships([first.pk])
        first.government_b = government("Semarang", "ID")  # a merge moves a side
        first.save()
        assert ("government", first.government_b_id) in of_partnerships([first.pk])
        transaction.set_rollback(True)
