"""Every registered government can be named: "NAME,CC" when that is unique, "NAME (LEVEL),CC"
with a level word in English or Indonesian, "#ID" always; an ambiguous name is answered with
each candidate in a form that names it alone. One resolver serves every command and form."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from kembar.activities import exchange
from kembar.dashboard.demo import load_demo
from kembar.insights.analytics.pivot import ScopeError, find_government
from kembar.meetings import services as meetings
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment
from tests.support.builders import government

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(db):
    """The demo's Kyoto Prefecture, DKI Jakarta and Land Berlin, and the cities of the same names,
    as a real import registers them."""
    load_demo()
    return {
        "kyoto_prefecture": LocalGovernment.objects.get(name="Kyoto Prefecture"),
        "kyoto_city": government("Kyoto", "JP"),
        "jakarta_province": LocalGovernment.objects.get(name="Provinsi DKI Jakarta"),
        "jakarta_city": government("Jakarta", "ID"),
        "berlin_state": LocalGovernment.objects.get(name="Land Berlin"),
        "berlin_city": government("Berlin", "DE"),
    }


@pytest.mark.parametrize(
    "plain, forms",
    [
        ("Kyoto,JP", {"kyoto_city": "Kyoto (city),JP", "kyoto_prefecture": "Kyoto (prefecture),JP"}),
        ("Jakarta,ID", {"jakarta_city": "Jakarta (city),ID", "jakarta_province": "Jakarta (province),ID"}),
        ("Berlin,DE", {"berlin_city": "Berlin (city),DE", "berlin_state": "Berlin (state),DE"}),
    ],
)
def test_a_name_a_city_and_a_province_share_is_ambiguous_and_the_message_gives_each_form(namesakes, plain, forms):
    with pytest.raises(services.GovernmentLookupError) as error:
        services.resolve_government(plain)
    assert set(error.value.candidates) == {namesakes[key] for key in forms}
    message = services.government_lookup_message(error.value)
    for key, form in forms.items():
        assert form in message
        assert services.resolve_government(form) == namesakes[key]  # the form given works


@pytest.mark.parametrize(
    "text, key",
    [
        ("Kyoto (prefecture),JP", "kyoto_prefecture"),
        ("kyoto (PREFECTURE), jp", "kyoto_prefecture"),
        ("Kyoto (Prefektur),JP", "kyoto_prefecture"),  # the Indonesian level word
        ("Kyoto (prefecture)", "kyoto_prefecture"),  # without the country, when that is enough
        ("Kyoto (city),JP", "kyoto_city"),
        ("Kyoto (kota),Japan", "kyoto_city"),
        ("Jakarta (provinsi),ID", "jakarta_province"),
        ("Berlin (Negara bagian),DE", "berlin_state"),
        ("Berlin (city),DE", "berlin_city"),
    ],
)
def test_the_level_form_in_english_or_indonesian_in_any_case(namesakes, text, key):
    assert services.resolve_government(text) == namesakes[key]


def test_the_id_form_always_names_one_government(namesakes):
    kyoto = namesakes["kyoto_prefecture"]
    assert services.resolve_government(f"#{kyoto.pk}") == kyoto
    assert services.resolve_government(f"# {kyoto.pk}, JP") == kyoto
    for wrong in (f"#{kyoto.pk},ID", "#987654321"):
        with pytest.raises(services.GovernmentLookupError, match="No registered local government has the address"):
            services.resolve_government(wrong)


def test_a_bracket_that_is_no_level_stays_part_of_the_name(namesakes):
    seoul = government("Seoul", "KR")
    district = LocalGovernment.objects.create(place=seoul.place, level="district", name="Gangnam (Seoul)")
    assert services.resolve_government("Gangnam (Seoul),KR") == district
    assert services.split_level("Gangnam (Seoul)") == ("Gangnam (Seoul)", None)
    assert services.split_level("Daerah Istimewa Yogyakarta (Daerah istimewa)") == (
        "Daerah Istimewa Yogyakarta",
        "special_region",
    )


def test_a_wrong_level_names_what_there_is(namesakes):
    with pytest.raises(services.GovernmentLookupError) as error:
        services.resolve_government("Kyoto (state),JP")
    assert "No registered local government is called “Kyoto (state),JP”." in str(error.value)
    message = services.government_lookup_message(error.value)
    assert "Kyoto (city),JP" in message and "Kyoto (prefecture),JP" in message


def test_every_registered_government_has_an_address_that_names_it_alone(namesakes):
    """Even a second registration of a city under an unverified place of the same name (a
    duplicate awaiting a merge): "#ID"."""
    from kembar.gazetteer.models import Place

    stray = Place.objects.create(kind=Place.Kind.UNVERIFIED, name="Kyoto", country_code="JP", timezone="Asia/Tokyo")
    twin = LocalGovernment.objects.create(place=stray, level="city", name="Kyoto")
    for g in LocalGovernment.objects.all():
        address = services.government_address(g)
        assert services.resolve_government(address) == g, address
    assert services.government_address(twin) == f"#{twin.pk}"
    assert services.government_address(namesakes["kyoto_prefecture"], "Kyoto") == "Kyoto (prefecture),JP"
    assert services.government_address(LocalGovernment.objects.get(name="Kota Bandung")) == "Kota Bandung,ID"


def _partners(text, capsys):
    call_command("partners", text)
    return capsys.readouterr().out


def test_commands_take_every_form(namesakes, capsys, tmp_path):
    kyoto = namesakes["kyoto_prefecture"]
    assert _partners("Kyoto (prefecture),JP", capsys).startswith("Kyoto Prefecture,JP")
    assert _partners(f"#{kyoto.pk}", capsys).startswith("Kyoto Prefecture,JP")
    with pytest.raises(CommandError) as error:
        call_command("partners", "Kyoto,JP")
    assert "Kyoto (city),JP" in str(error.value) and "Kyoto (prefecture),JP" in str(error.value)

    call_command("health", "--json", "--government", "Kyoto (prefecture),JP")
    assert sum(json.loads(capsys.readouterr().out)["by_state"].values()) == 1  # DIY – Kyoto Prefecture

    call_command("solutions", "match", "--government", "Jakarta (province),ID")
    assert "Provinsi DKI Jakarta" in capsys.readouterr().out

    output = tmp_path / "berlin.xlsx"
    call_command(
        "report", "--government", "Berlin (state),DE", "--year", "2025", "--format", "xlsx", "--output", str(output)
    )
    assert "Land Berlin" in capsys.readouterr().out and output.stat().st_size > 0

    with pytest.raises(CommandError) as error:  # no model trained: past the name, the recommender speaks
        call_command("recommend", "Kyoto (prefecture)", "--country", "JP")
    assert "ambiguous" not in str(error.value) and "No registered" not in str(error.value)

    call_command("export_activities", "--government", f"#{kyoto.pk}", "--format", "csv", "--output", "-")
    assert capsys.readouterr().out.startswith("id,partnership_id")

    call_command(
        "slots",
        "--place", "Kyoto (prefecture),JP",
        "--place", f"#{namesakes['jakarta_province'].pk}",
        "--from", "2026-11-23", "--to", "2026-11-27", "--duration", "60", "--json",
    )  # fmt: skip
    assert json.loads(capsys.readouterr().out)


def test_the_slot_finder_still_takes_plain_places(namesakes):
    assert meetings.resolve_place("Kyoto,JP") == namesakes["kyoto_city"].place
    assert meetings.resolve_place("Kyoto (prefecture),JP") == namesakes["kyoto_prefecture"].place
    with pytest.raises(meetings.PlaceLookupError, match="Kyoto \\(city\\),JP"):
        meetings.resolve_place("Kyoto (region),JP")


def test_pages_and_imports_answer_an_ambiguous_name_with_the_forms(namesakes):
    with pytest.raises(ScopeError) as error:
        find_government("Berlin,DE")
    assert "Did you mean: Berlin (city),DE; Berlin (state),DE?" in str(error.value)
    assert find_government("Berlin (state),DE") == namesakes["berlin_state"]
    row = {"government_a": "Kyoto,JP", "government_b": "Daerah Istimewa Yogyakarta,ID"}
    with pytest.raises(exchange.ValidationError) as refused:
        exchange._partnership(row)
    assert "Kyoto (prefecture),JP" in str(refused.value)
    row["government_a"] = "Kyoto (prefecture),JP"
    assert exchange._partnership(row).government_a.name in ("Kyoto Prefecture", "Daerah Istimewa Yogyakarta")


def test_the_registry_form_field_takes_a_typed_address(namesakes):
    from django import forms

    from kembar.core.widgets import Typed
    from kembar.partnerships.forms import GovernmentField

    field = GovernmentField()
    assert field.clean(Typed("", "Jakarta (province),ID")) == namesakes["jakarta_province"]
    with pytest.raises(forms.ValidationError) as error:
        field.clean(Typed("", "Jakarta,ID"))
    assert "Did you mean: Jakarta (city),ID; Jakarta (province),ID?" in error.value.messages[0]
