"""Quantities and sums as the page's language writes them: "50.000" is fifty thousand in
Bahasa Indonesia, "50,000" in English; what reads two ways is refused, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kembar.activities.models import Activity, AidShipment
from kembar.core import numbers
from kembar.partnerships import services as partnership_services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, text, value",
    [
        ("id", "50.000", Decimal(50000)),
        ("id", "1.250.000", Decimal(1250000)),
        ("id", "2,5", Decimal("2.5")),
        ("id", "50 000", Decimal(50000)),
        ("id", "50000", Decimal(50000)),
        ("en", "50,000", Decimal(50000)),
        ("en", "2.5", Decimal("2.5")),
        ("en", "1,250,000.75", Decimal("1250000.75")),
        ("en", "", None),
    ],
)
def test_a_number_is_read_with_the_languages_separators(language, text, value):
    with translation.override(language):
        assert numbers.parse_decimal(text) == value


@pytest.mark.parametrize(
    "language, text",
    [("id", "2.5"), ("id", "50.00"), ("id", "5.0000"), ("en", "2,5"), ("en", "50,00"), ("en", "many"), ("en", "1e9")],
)
def test_a_number_that_reads_two_ways_or_none_is_refused(language, text):
    with translation.override(language), pytest.raises(numbers.NotANumber):
        numbers.parse_decimal(text)


@pytest.fixture
def partnership(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"]
    )


def aid(governments, quantity: str) -> dict:
    return {
        "title": "Masks for Braunschweig",
        "donor": governments["bandung"].pk,
        "status": "pledged",
        "items_quantity": [quantity],
        "items_unit": ["pieces"],
        "items_name": ["surgical masks"],
    }


def test_fifty_thousand_typed_in_indonesian_is_fifty_thousand_and_comes_back_so(
    client, users, governments, partnership
):
    client.force_login(users["bandung_editor"])
    client.cookies["django_language"] = "id"
    url = reverse("activities:aid_create", args=[partnership.pk])
    form = client.get(url).content.decode()
    assert 'name="items_quantity" value="" aria-label="Jumlah" placeholder="Jumlah" inputmode="decimal"' in form
    assert "mis. 50.000 · buah · masker bedah" in form

    assert client.post(url, aid(governments, "50.000")).status_code == 302
    shipment = AidShipment.objects.get()
    assert [i.quantity for i in shipment.items.all()] == [Decimal(50000)]
    edit = client.get(reverse("activities:aid_edit", args=[shipment.pk])).content.decode()
    assert 'name="items_quantity" value="50.000"' in edit

    client.cookies["django_language"] = "en"
    edit = client.get(reverse("activities:aid_edit", args=[shipment.pk])).content.decode()
    assert 'name="items_quantity" value="50,000"' in edit


def test_a_quantity_that_reads_two_ways_is_refused_with_how_to_write_it(client, users, governments, partnership):
    client.force_login(users["bandung_editor"])
    client.cookies["django_language"] = "id"
    url = reverse("activities:aid_create", args=[partnership.pk])
    page = client.post(url, aid(governments, "2.5")).content.decode()
    assert "Baris 1: “2.5” bukan jumlah. Tulis ribuan sebagai 50.000, desimal sebagai 2,5." in page
    client.cookies["django_language"] = "en"
    page = client.post(url, aid(governments, "2,5")).content.decode()
    assert "Row 1: “2,5” is not a quantity. Write thousands as 50,000, decimals as 2.5." in page
    assert not AidShipment.objects.exists()
    client.post(url, aid(governments, "2.5"))
    assert AidShipment.objects.get().items.get().quantity == Decimal("2.5")


def activity(governments, budget: str) -> dict:
    return {
        "title": "Youth exchange",
        "type": "other",
        "modality": "in_person",
        "status": "planned",
        "host": governments["bandung"].pk,
        "start": "2026-09-01T09:00",
        "end": "2026-09-01T17:00",
        "budget": budget,
        "currency": "IDR",
    }


def test_a_budget_typed_as_an_officer_writes_it_is_kept_whole(client, users, governments, partnership):
    """A number input dropped "15.000.000" and saved no budget at all; the field reads it in
    the page's language and shows it back the same way."""
    client.force_login(users["bandung_editor"])
    client.cookies["django_language"] = "id"
    url = reverse("activities:create", args=[partnership.pk])
    form = client.get(url).content.decode()
    assert 'type="text" name="budget"' in form and 'inputmode="decimal"' in form

    page = client.post(url, activity(governments, "2.5")).content.decode()
    assert "“2.5” bukan angka. Tulis ribuan sebagai 50.000, desimal sebagai 2,5." in page
    assert not Activity.objects.exists()

    assert client.post(url, activity(governments, "15.000.000")).status_code == 302
    saved = Activity.objects.get()
    assert saved.budget == Decimal(15_000_000)
    edit = client.get(reverse("activities:edit", args=[saved.pk])).content.decode()
    assert 'name="budget" value="15.000.000"' in edit
    client.cookies["django_language"] = "en"
    edit = client.get(reverse("activities:edit", args=[saved.pk])).content.decode()
    assert 'name="budget" value="15,000,000"' in edit
