"""Registry rules that hold for every caller: unordered pairs, no self-partnership, history,
concurrent edits, government lookup by NAME,CC."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kembar.core.versioning import ConcurrentEdit
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment, Partnership

pytestmark = pytest.mark.django_db


def test_pair_is_stored_once_whatever_the_order(governments, users):
    editor = users["bandung_editor"]
    p = services.create_partnership(
        editor, governments["braunschweig"], governments["bandung"], fields=["culture"], since=dt.date(1960, 1, 1)
    )
    assert p.government_a_id < p.government_b_id
    with pytest.raises(ValidationError) as error:
        services.create_partnership(editor, governments["bandung"], governments["braunschweig"])
    assert "already partners" in str(error.value.message_dict["government_b"])
    assert Partnership.objects.count() == 1


def test_database_refuses_reversed_or_duplicate_pairs(governments):
    a, b = sorted([governments["bandung"], governments["kyoto"]], key=lambda g: g.pk)
    Partnership.objects.create(government_a=a, government_b=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(government_a=b, government_b=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(government_a=a, government_b=b)


def test_a_government_cannot_partner_itself(governments, users):
    with pytest.raises(ValidationError) as error:
        services.create_partnership(users["bandung_editor"], governments["bandung"], governments["bandung"])
    # the service's own rule, not the database's pair constraint ("already partners") under the same field
    assert error.value.message_dict == {"government_b": ["A government cannot partner itself."]}
    assert not Partnership.objects.exists()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"kind": "marriage"}, "kind"),
        ({"status": "asleep"}, "status"),
        ({"since": dt.date.today() + dt.timedelta(days=30)}, "since"),
        ({"fields": ["space_travel"]}, "fields"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_nothing_written(governments, users, bad, field):
    with pytest.raises(ValidationError) as error:
        services.create_partnership(users["bandung_editor"], governments["bandung"], governments["kyoto"], **bad)
    assert field in error.value.message_dict
    assert Partnership.objects.count() == 0


def test_only_an_office_of_either_side_may_create(governments, users):
    with pytest.raises(PermissionDenied):
        services.create_partnership(users["surabaya_editor"], governments["bandung"], governments["kyoto"])
    with pytest.raises(PermissionDenied):
        services.create_partnership(users["bandung_viewer"], governments["bandung"], governments["kyoto"])
    assert services.create_partnership(users["platform_admin"], governments["bandung"], governments["kyoto"])


def test_update_records_history_and_refuses_a_stale_version(governments, users):
    editor = users["bandung_editor"]
    p = services.create_partnership(editor, governments["bandung"], governments["kyoto"])
    p = services.update_partnership(editor, p, expected_version=p.version, status="suspended", fields=["education"])
    assert p.version == 2 and p.status == "suspended"
    assert [f.code for f in p.fields.all()] == ["education"]
    with pytest.raises(ConcurrentEdit):
        services.update_partnership(users["platform_admin"], p, expected_version=1, status="active")
    p.refresh_from_db()
    assert p.status == "suspended"
    assert p.history.count() >= 2
    assert p.history.earliest().status == "proposed"  # a new partnership starts as proposed


def test_a_partnership_created_with_its_fields_is_one_entry_of_its_history(client, governments, users):
    editor = users["bandung_editor"]
    p = services.create_partnership(editor, governments["bandung"], governments["kyoto"], fields=["trade", "culture"])
    (created,) = p.history.all()
    assert created.history_type == "+" and created.history_user == editor
    assert sorted(f.cooperationfield_id for f in created.fields.all()) == ["culture", "trade"]
    assert sorted(p.fields.values_list("code", flat=True)) == ["culture", "trade"]
    services.update_partnership(editor, p, fields=["education"])
    page = client.get(p.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        page.count("<strong>Created</strong>") == 1
        and "fields of cooperation: Culture, Trade and investment → Education" in page
    )


def test_partner_office_may_edit_unrelated_office_may_not(governments, users):
    p = services.create_partnership(users["bandung_editor"], governments["bandung"], governments["braunschweig"])
    services.update_partnership(users["braunschweig_editor"], p, notes="Seen from Braunschweig")
    for who in ["surabaya_editor", "bandung_viewer", "oversight"]:
        with pytest.raises(PermissionDenied):
            services.update_partnership(users[who], p, notes="no")
        with pytest.raises(PermissionDenied):
            services.delete_partnership(users[who], p)
    services.delete_partnership(users["braunschweig_editor"], p)
    assert not Partnership.objects.exists()


def test_resolve_government_by_name_and_country(governments):
    assert services.resolve_government("Bandung,ID") == governments["bandung"]
    assert services.resolve_government("京都, JP") == governments["kyoto"]
    assert services.resolve_government("kyoto") == governments["kyoto"]
    with pytest.raises(services.GovernmentLookupError):
        services.resolve_government("Atlantis,GR")


def test_ambiguous_government_lists_candidates(governments):
    other = LocalGovernment.objects.create(
        place=governments["bandung"].place, level="regency", name="Kabupaten Bandung"
    )
    with pytest.raises(services.GovernmentLookupError) as error:
        services.resolve_government("Bandung,ID")
    assert set(error.value.candidates) == {governments["bandung"], other}
