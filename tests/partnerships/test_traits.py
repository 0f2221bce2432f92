"""A government's traits: from data (with source) and from its office; corrections recorded."""

import pytest

from kembar.gazetteer.models import PlaceTrait
from kembar.gazetteer.vocab import Trait
from kembar.partnerships import traits

pytestmark = pytest.mark.django_db


def port_of(government) -> PlaceTrait:
    return PlaceTrait.objects.get(place=government.place, trait=Trait.PORT)


def correction_url(government, row) -> str:
    return f"/partnerships/governments/{government.pk}/traits/{row.trait}/correction/"


def test_profile_shows_data_traits_with_source_and_office_traits(client, governments):
    surabaya = governments["surabaya"]
    surabaya.traits = ["industrial", "port"]
    surabaya.save()
    page = client.get(f"/partnerships/governments/{surabaya.pk}/").content.decode()
    assert "from data: Natural Earth ports, as of 6 Dec 2026" in page
    assert "Public domain" in page
    assert "Industrial</strong>" in page and "recorded by the office" in page
    # "port" from both is shown once, from data.
    assert page.count("<strong>Port</strong>") == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("surabaya_editor", True),
        ("platform_admin", True),
        ("bandung_editor", False),
        ("bandung_viewer", False),
        ("oversight", False),
        (None, False),
    ],
)
def test_only_the_places_office_may_withdraw_a_data_trait(client, users, governments, who, allowed):
    surabaya = governments["surabaya"]
    row = port_of(surabaya)
    if who:
        client.force_login(users[who])
    response = client.post(correction_url(surabaya, row), {"reason": "Our port is in Gresik."})
    row.refresh_from_db()
    assert row.withdrawn is allowed
    if allowed:
        assert response.status_code == 302
        assert row.withdrawn_reason == "Our port is in Gresik." and row.withdrawn_at is not None
        assert Trait.PORT not in traits.effective_traits(surabaya)
    else:
        assert response.status_code in (302, 403)
        if who:
            assert response.status_code == 403


def test_an_office_cannot_withdraw_another_places_trait(client, users, governments):
    """Bandung's editor, through Bandung's own address, names Surabaya's port: refused, nothing written."""
    client.force_login(users["bandung_editor"])
    row = port_of(governments["surabaya"])
    response = client.post(correction_url(governments["bandung"], row), {"reason": "x"}, follow=True)
    row.refresh_from_db()
    assert not row.withdrawn
    assert "not one the data gives" in response.content.decode()


def test_a_correction_needs_a_reason_and_can_be_undone(client, users, governments):
    surabaya = governments["surabaya"]
    row = port_of(surabaya)
    client.force_login(users["surabaya_editor"])
    response = client.post(correction_url(surabaya, row), {"reason": "  "}, follow=True)
    row.refresh_from_db()
    assert not row.withdrawn and "Say why the data is wrong" in response.content.decode()
    response = client.post(correction_url(surabaya, row), {"reason": "bad\x07"}, follow=True)
    row.refresh_from_db()
    assert not row.withdrawn
    client.post(correction_url(surabaya, row), {"reason": "Our port is in Gresik."})
    row.refresh_from_db()
    assert row.withdrawn
    page = client.get(f"/partnerships/governments/{surabaya.pk}/").content.decode()
    assert "Withdrawn by the office on" in page and "Our port is in Gresik." in page
    client.post(correction_url(surabaya, row), {"action": "restore"})
    row.refresh_from_db()
    assert not row.withdrawn and row.withdrawn_reason == ""
    assert Trait.PORT in traits.effective_traits(surabaya)
