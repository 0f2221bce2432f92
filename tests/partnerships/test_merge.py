"""Duplicates: candidates found, governments and places merged in one transaction (everything
re-pointed, same pairs joined, history kept), refusals that change nothing, a re-import after a
place merge that creates nothing, the review pages (platform admins only) and the command."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kembar.accounts.models import Organisation
from kembar.activities import services as activities
from kembar.gazetteer.models import Place, PlaceName
from kembar.partnerships import merge
from kembar.partnerships.importer import Importer
from kembar.partnerships.models import GovernmentMerge, LocalGovernment, Partnership
from kembar.partnerships.services import create_partnership, government_for_place
from kembar.partnerships.vocab import Source
from tests.support.builders import make_office, sister_cities

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 3, 1, 2, tzinfo=dt.UTC)


def unverified(name: str, near: Place, country: str = "DE") -> Place:
    """An imported place the gazetteer did not know, a few km from `near`."""
    return Place.objects.create(
        kind=Place.Kind.UNVERIFIED,
        name=name,
        country_code=country,
        latitude=near.latitude + 0.02,
        longitude=near.longitude + 0.02,
    )


def pair(a, b, **extra) -> Partnership:
    return create_partnership(None, a, b, check_permission=False, **extra)


@pytest.fixture
def duplicate(governments):
    """Braunschweig registered twice: the gazetteer's, and one on an imported unverified place,
    partner of Bandung (a pair Braunschweig already has) and of Kyoto, with an office."""
    place = unverified("Braunschweig (Niedersachsen)", governments["braunschweig"].place)
    twin = government_for_place(place, "city")
    return twin


def counts() -> dict:
    return {
        "partnerships": Partnership.objects.count(),
        "governments": LocalGovernment.objects.count(),
        "places": Place.objects.count(),
        "merges": GovernmentMerge.objects.count(),
    }


def test_merging_governments_repoints_everything_and_joins_the_same_pair(governments, duplicate):
    keep, bandung, kyoto = governments["braunschweig"], governments["bandung"], governments["kyoto"]
    original = sister_cities(governments)  # Bandung–Braunschweig since 1960
    copy = pair(bandung, duplicate, fields=["health"], basis="", since=dt.date(1955, 5, 1), source=Source.IMPORT)
    activity = activities.create_activity(
        None,
        copy,
        title="Angklung workshop",
        type="cultural_event",
        host=duplicate,
        start=START,
        end=START + dt.timedelta(hours=2),
        check_permission=False,
    )
    with_kyoto = pair(kyoto, duplicate)
    office = make_office("Stadt Braunschweig (alt)", duplicate)

    report = merge.merge_governments(keep, duplicate)

    assert not LocalGovernment.objects.filter(pk=duplicate.pk).exists()
    assert not Partnership.objects.filter(pk=copy.pk).exists()
    original.refresh_from_db()
    assert set(original.fields.values_list("code", flat=True)) == {"culture", "education", "health"}
    assert original.since == dt.date(1955, 5, 1)  # the earlier date of the two
    activity.refresh_from_db()
    assert (activity.partnership_id, activity.host_id) == (original.pk, keep.pk)
    with_kyoto.refresh_from_db()
    assert {with_kyoto.government_a_id, with_kyoto.government_b_id} == {kyoto.pk, keep.pk}
    assert with_kyoto.government_a_id < with_kyoto.government_b_id
    assert Organisation.objects.get(pk=office.pk).local_government_id == keep.pk
    record = GovernmentMerge.objects.get()
    assert (record.kept_id, record.dropped_id, record.dropped_name) == (keep.pk, duplicate.pk, duplicate.name)
    assert record.moved == report.moved and report.moved
    # The dropped government's history stays, ending with its deletion.
    assert LocalGovernment.history.filter(id=duplicate.pk).latest("history_date").history_type == "-"
    # Its unverified place is gone, its name now one of the kept place's names.
    assert not Place.objects.filter(name="Braunschweig (Niedersachsen)").exists()
    assert PlaceName.objects.filter(place=keep.place, name="Braunschweig (Niedersachsen)").exists()


def test_preview_reports_and_changes_nothing(governments, duplicate):
    pair(governments["kyoto"], duplicate)
    before = counts()
    report = merge.merge_governments(governments["braunschweig"], duplicate, preview=True)
    assert report.moved and counts() == before
    assert (
        Partnership.objects.filter(government_b=duplicate).exists()
        or Partnership.objects.filter(government_a=duplicate).exists()
    )


@pytest.mark.parametrize("case", ["itself", "other country", "link between them with records"])
def test_refusals_change_nothing(governments, duplicate, case):
    keep = governments["braunschweig"]
    if case == "itself":
        drop, message = keep, "itself"
    elif case == "other country":
        drop, message = governments["kyoto"], "same country"
    else:
        link = pair(keep, duplicate)
        activities.create_activity(
            None,
            link,
            title="Visit",
            type="work_visit",
            host=keep,
            start=START,
            end=START + dt.timedelta(hours=1),
            check_permission=False,
        )
        drop, message = duplicate, "between the two"
    before = counts()
    with pytest.raises(ValidationError, match=message):
        merge.merge_governments(keep, drop)
    assert counts() == before


def test_place_merge_then_the_same_import_creates_nothing(governments):
    bandung, braunschweig = governments["bandung"], governments["braunschweig"]
    b, d = bandung.place, braunschweig.place
    csv = (
        "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
        f"Bandung,Indonesia,{b.latitude},{b.longitude},Innenstadt Braunschweig,Germany,{d.latitude},{d.longitude}\n"
    )
    first = Importer(progress=False).run(io.StringIO(csv))
    assert (first.pairs_created, first.places_unverified) == (1, 1)
    typo = Place.objects.get(name="Innenstadt Braunschweig")
    sister_cities(governments)  # the office's own record of the same pair

    merge.merge_place(typo, d)

    assert not Place.objects.filter(pk=typo.pk).exists()
    assert (
        Partnership.objects.filter(
            government_a__in=[bandung, braunschweig], government_b__in=[bandung, braunschweig]
        ).count()
        == 1
    )
    before = counts()
    again = Importer(progress=False).run(io.StringIO(csv))
    assert (again.pairs_created, again.places_unverified, again.governments_created) == (0, 0, 0)
    assert counts() == before


def test_place_merge_refuses_a_gazetteer_place_as_the_duplicate(governments):
    with pytest.raises(ValidationError, match="unverified"):
        merge.merge_place(governments["braunschweig"].place, governments["bandung"].place)


def test_candidates_name_the_unverified_place_and_the_twin_government(governments, duplicate):
    far = Place.objects.create(
        kind=Place.Kind.UNVERIFIED, name="Braunschweig", country_code="DE", latitude=10.0, longitude=10.0
    )
    found = {(c.kind, c.keep.pk, c.drop.pk) for c in merge.candidates()}
    keep = governments["braunschweig"]
    assert ("place", keep.place_id, duplicate.place_id) in found
    assert ("government", keep.pk, duplicate.pk) in found
    assert not any(drop == far.pk for kind, _keep, drop in found if kind == "place")  # 5,000 km away


def test_review_pages_are_for_platform_admins_only(governments, duplicate, users, client):
    keep = governments["braunschweig"]
    pair(governments["kyoto"], duplicate)
    url = f"/partnerships/governments/merge/?kind=government&keep={keep.pk}&drop={duplicate.pk}"
    client.force_login(users["bandung_editor"])
    assert client.get("/partnerships/governments/duplicates/").status_code == 403
    assert (
        client.post(url.split("?")[0], {"kind": "government", "keep": keep.pk, "drop": duplicate.pk}).status_code == 403
    )
    assert LocalGovernment.objects.filter(pk=duplicate.pk).exists()

    client.force_login(users["platform_admin"])
    listing = client.get("/partnerships/governments/duplicates/").content.decode()
    assert f"drop={duplicate.pk}" in listing
    preview = client.get(url)
    assert preview.status_code == 200 and "partnerships moved" in preview.content.decode()
    assert LocalGovernment.objects.filter(pk=duplicate.pk).exists()
    done = client.post(url.split("?")[0], {"kind": "government", "keep": keep.pk, "drop": duplicate.pk})
    assert done.status_code == 302
    assert not LocalGovernment.objects.filter(pk=duplicate.pk).exists()
    refused = client.get(f"/partnerships/governments/merge/?kind=government&keep={keep.pk}&drop={keep.pk}")
    assert refused.status_code == 400 and "itself" in refused.content.decode()


def test_command_lists_previews_and_merges(governments, duplicate):
    out = io.StringIO()
    call_command("merge_governments", "--candidates", "--json", stdout=out)
    listed = json.loads(out.getvalue().strip().splitlines()[-1])["candidates"]
    assert {"kind": "place", "drop": duplicate.place_id} in [
        {"kind": c["kind"], "drop": c["drop"]["id"]} for c in listed
    ]

    out = io.StringIO()
    call_command(
        "merge_governments",
        "--place",
        str(duplicate.place_id),
        "--into",
        str(governments["braunschweig"].place_id),
        "--preview",
        stdout=out,
    )
    assert out.getvalue().startswith("would merge") and Place.objects.filter(pk=duplicate.place_id).exists()
    call_command(
        "merge_governments",
        "--place",
        str(duplicate.place_id),
        "--into",
        str(governments["braunschweig"].place_id),
        stdout=io.StringIO(),
    )
    assert not LocalGovernment.objects.filter(pk=duplicate.pk).exists()
    with pytest.raises(CommandError, match="both"):
        call_command("merge_governments", "--place", "1")
    with pytest.raises(CommandError, match="same country"):
        call_command("merge_governments", "Bandung,ID", "Kyoto,JP")
