"""The review queue of unverified places: ranked gazetteer candidates, one-click confirmation
(merge_place, with history), platform admins only, a constant number of queries a page."""

import pytest

from kembar.gazetteer.models import Place
from kembar.partnerships import merge
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.services import create_partnership, government_for_place
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

QUEUE = "/partnerships/places/unverified/"
CONFIRM = "/partnerships/places/unverified/confirm/"


def unverified(name: str, near: Place, dlat: float = 0.02) -> Place:
    return Place.objects.create(
        kind=Place.Kind.UNVERIFIED,
        name=name,
        country_code=near.country_code,
        latitude=near.latitude + dlat,
        longitude=near.longitude + 0.02,
    )


def test_candidates_rank_the_named_place_first_and_leave_other_countries_out(governments):
    braunschweig = governments["braunschweig"].place
    place = unverified("Braunschweig (Niedersachsen)", braunschweig)
    ranked = merge.review_queue([place])[place.pk]
    assert ranked[0].place == braunschweig
    assert ranked[0].similarity == 100 and ranked[0].distance_km < 5
    assert all(r.place.country_code == "DE" and r.place.verified for r in ranked)
    assert len(ranked) <= merge.REVIEW_CANDIDATES


def test_a_far_place_of_another_name_has_no_candidate(governments):
    place = unverified("Nirgendwo", governments["braunschweig"].place, dlat=-40)  # in the ocean
    assert merge.review_queue([place])[place.pk] == []


def test_the_queue_is_for_platform_admins_only(governments, users, client):
    place = unverified("Braunschweig (Niedersachsen)", governments["braunschweig"].place)
    government_for_place(place, "city")
    for name in ("bandung_editor", "oversight"):
        client.force_login(users[name])
        assert client.get(QUEUE).status_code == 403
        into = governments["braunschweig"].place_id
        assert client.post(CONFIRM, {"place": place.pk, "into": into}).status_code == 403
        assert Place.objects.filter(pk=place.pk).exists()
    client.logout()
    assert client.get(QUEUE).status_code == 302  # to the login page


def test_one_click_confirms_the_place_and_moves_its_partnerships(governments, users, client):
    keep = governments["braunschweig"]
    place = unverified("Braunschweig (Niedersachsen)", keep.place)
    twin = government_for_place(place, "city")
    partnership = create_partnership(None, governments["kyoto"], twin, check_permission=False)
    client.force_login(users["platform_admin"])

    page = client.get(QUEUE).content.decode()
    assert "Braunschweig (Niedersachsen)" in page
    assert f'name="into" value="{keep.place_id}"' in page

    response = client.post(CONFIRM, {"place": place.pk, "into": keep.place_id, "page": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"{QUEUE}?page=1")
    assert not Place.objects.filter(pk=place.pk).exists()
    partnership.refresh_from_db()
    assert keep.pk in (partnership.government_a_id, partnership.government_b_id)
    assert not LocalGovernment.objects.filter(pk=twin.pk).exists()
    assert keep.place.names.filter(name="Braunschweig (Niedersachsen)").exists()  # a re-import finds it
    assert f'name="place" value="{place.pk}"' not in client.get(QUEUE).content.decode()


def test_confirming_into_another_country_is_refused_and_changes_nothing(governments, users, client):
    place = unverified("Braunschweig (Niedersachsen)", governments["braunschweig"].place)
    client.force_login(users["platform_admin"])
    response = client.post(CONFIRM, {"place": place.pk, "into": governments["kyoto"].place_id}, follow=True)
    assert "same country" in response.content.decode()
    assert Place.objects.filter(pk=place.pk).exists()
    assert client.post(CONFIRM, {"place": "x", "into": "1"}).status_code == 404
    assert client.post(CONFIRM, {"place": governments["kyoto"].place_id, "into": place.pk}).status_code == 404


def test_the_queue_costs_as_many_queries_with_many_places(governments, users, client):
    client.force_login(users["platform_admin"])
    near = [g.place for g in governments.values()]
    unverified("Braunschweig (Niedersachsen)", near[3])
    client.get(QUEUE)
    with assert_constant_queries() as queries:
        with queries.few():
            assert client.get(QUEUE).status_code == 200
        for n in range(20):
            unverified(f"{near[n % len(near)].name} ({n})", near[n % len(near)], dlat=0.01 * n)
        with queries.many():
            assert client.get(QUEUE).status_code == 200
