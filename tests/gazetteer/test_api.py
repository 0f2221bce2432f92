"""/api/places: the gazetteer through the API, found by any name in any script."""

from __future__ import annotations

import pytest

from tests.support.builders import city

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["京都市", "京都", "Kyōto", "kyoto, JP", "KYOTO"])
def test_places_are_found_by_any_name_in_any_script(api, query):
    response = api("get", "/api/places", query={"q": query})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"]) > 0
    assert any(p["name"] == "Kyoto" and p["country_code"] == "JP" for p in body["items"]), body


def test_place_search_filters_by_country_and_limits(api):
    body = api("get", "/api/places?q=Ba&country=Indonesia&limit=3").json()
    assert body["count"] == 3
    assert {p["country_code"] for p in body["items"]} == {"ID"}


def test_a_place_lists_its_names_in_other_scripts(api):
    kyoto = city("Kyoto", "JP")
    body = api("get", f"/api/places/{kyoto.pk}").json()
    assert body["name"] == "Kyoto" and body["timezone"] == "Asia/Tokyo"
    assert "京都市" in body["names"]


def test_an_unknown_place_is_404(api):
    response = api("get", "/api/places/999999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No place with id 999999999."}
