"""Find partners offers governments of the equivalent level: provinces to a province, cities to a
city, and never a place already linked through a partner at another level."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kembar.gazetteer import levels
from kembar.gazetteer.models import Place
from kembar.matching import services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import government_for_place
from kembar.partnerships.vocab import Level
from tests.matching.test_find_partners import LINKS
from tests.support.builders import government
from tests.support.queries import assert_constant_queries

# Province-level links beside the city links of test_find_partners: DI Yogyakarta–Kyoto
# Prefecture (sister provinces since 1985) and other Indonesian provinces with Japanese
# prefectures, so that the network knows prefectures as partners of provinces. Kyoto city, with
# four Indonesian partner cities, is what the model put first for DI Yogyakarta before.
PROVINCE_LINKS = [
    ("ID-YO", "JP-26"),  # Daerah Istimewa Yogyakarta – Kyoto Prefecture
    ("ID-JI", "JP-27"),  # Jawa Timur – Osaka Prefecture
    ("ID-JB", "JP-27"),
    ("ID-JB", "JP-40"),  # Jawa Barat – Fukuoka Prefecture
    ("ID-JT", "JP-40"),
    ("ID-JT", "JP-01"),  # Jawa Tengah – Hokkaido
    ("ID-BA", "JP-01"),
    ("ID-BA", "JP-28"),  # Bali – Hyogo Prefecture
    ("ID-JI", "JP-28"),
    ("ID-YO", "KR-26"),  # DI Yogyakarta – Busan (the metropolitan city as a province)
]


def province(code: str) -> LocalGovernment:
    return government_for_place(Place.objects.get(subdivision_code=code))


def link(a: LocalGovernment, b: LocalGovernment) -> None:
    lo, hi = sorted([a, b], key=lambda g: g.pk)
    Partnership.objects.get_or_create(government_a=lo, government_b=hi)


@pytest.fixture
def registry(db):
    govs = {}
    for (a, ca), (b, cb) in LINKS:
        link(govs.setdefault(a, government(a, ca)), govs.setdefault(b, government(b, cb)))
    for a, b in PROVINCE_LINKS:
        link(govs.setdefault(a, province(a)), govs.setdefault(b, province(b)))
    diy = govs["ID-YO"]
    diy.name = "Daerah Istimewa Yogyakarta"
    diy.save()
    return govs


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("levels")


@pytest.fixture
def model_file(settings, model_dir, registry):
    """The model learned from `registry`, once per module (the places and links never change)."""
    path = model_dir / "model.pkl"
    settings.MATCHING_MODEL_PATH = str(path)
    if not path.exists():
        call_command("match_train", stdout=io.StringIO(), stderr=io.StringIO())
    return registry


def kyoto_prefecture_places() -> set[int]:
    kyoto = Place.objects.get(subdivision_code="JP-26")
    return set(Place.objects.filter(country_code="JP", admin1_code=kyoto.admin1_code).values_list("pk", flat=True))


def test_every_government_level_has_a_tier():
    assert set(levels.GOVERNMENT_LEVELS) == set(Level.values)
    assert levels.government_tier(Level.SPECIAL_REGION, levels.LOCAL) == levels.PROVINCE
    assert levels.government_tier(Level.REGENCY, levels.PROVINCE) == levels.LOCAL
    # A county is a first-level division in some countries, a local government in others.
    assert levels.government_tier(Level.COUNTY, levels.PROVINCE) == levels.PROVINCE
    assert levels.government_tier(Level.COUNTY, levels.LOCAL) == levels.LOCAL


def test_a_place_is_province_level_when_it_is_a_first_level_division(db):
    assert levels.place_tier("subdivision", "22", "JP-26") == levels.PROVINCE  # Kyoto Prefecture
    assert levels.place_tier("city", "22", None) == levels.LOCAL  # Kyoto city
    # A second-level division (GeoNames' admin2: Kota Surabaya) carries its province's code.
    assert levels.place_tier("subdivision", "08", None) == levels.LOCAL
    # Liverpool as an English metropolitan district: a subdivision below the first level.
    liverpool = Place.objects.get(subdivision_code="GB-LIV")
    assert not liverpool.admin1_code
    assert levels.place_tier(liverpool.kind, liverpool.admin1_code, liverpool.subdivision_code) == levels.LOCAL


def test_a_province_is_offered_prefectures_and_never_its_partners_cities(model_file):
    diy = model_file["ID-YO"]
    found = services.suggest(diy, services.SuggestionFilter(country="JP"), top=10)
    assert len(found) == 10
    assert all(s.place.kind == Place.Kind.SUBDIVISION and s.place.admin1_code for s in found)
    assert all(s.reasons[0] == "both: province-level" for s in found)
    assert "Osaka" in [s.place.name for s in found[:3]]  # the prefecture twinned with two provinces
    # Asked for every level: cities too, but not Kyoto city nor another city of Kyoto Prefecture,
    # already linked through the partner prefecture.
    everyone = services.suggest(diy, services.SuggestionFilter(country="JP", all_levels=True), top=50)
    assert any(s.place.kind == Place.Kind.CITY for s in everyone)
    assert not {s.place.pk for s in everyone} & kyoto_prefecture_places()
    cities = [s for s in everyone if s.place.kind == Place.Kind.CITY]
    assert all("both: province-level" not in s.reasons for s in cities)


def test_a_partner_city_links_its_namesake_province(model_file):
    # Bandung's partner is Kyoto city: Kyoto Prefecture is the same place at another level.
    bandung = model_file["Bandung"]
    found = services.suggest(bandung, services.SuggestionFilter(country="JP", all_levels=True), top=100)
    codes = {s.place.subdivision_code for s in found}
    assert "JP-27" in codes and "JP-26" not in codes
    # And by default a city is offered city-level places only: cities, or municipalities that
    # GeoNames has as second-level divisions (Tanba-shi), never a prefecture.
    default = services.suggest(bandung, services.SuggestionFilter(country="JP"), top=20)
    tiers = {levels.place_tier(s.place.kind, s.place.admin1_code, s.place.subdivision_code) for s in default}
    assert default and tiers == {levels.LOCAL}
    assert all(s.reasons[0] == "both: city-level" for s in default)


def test_recommend_gives_prefectures_first_for_daerah_istimewa_yogyakarta(model_file):
    out = io.StringIO()
    call_command(
        "recommend",
        "Daerah Istimewa Yogyakarta",
        "--country",
        "ID",
        "--partner-country",
        "JP",
        "--top",
        "5",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    firsts = [line for line in lines if line[:3].strip().rstrip(".").isdigit()]
    assert len(firsts) == 5
    prefectures = set(Place.objects.filter(subdivision_code__startswith="JP-").values_list("name", flat=True))
    assert all(line.split(". ", 1)[1].split(", JP")[0] in prefectures for line in firsts), lines
    assert "      - both: province-level" in lines
    assert not any(line.split(". ", 1)[1].startswith("Kyoto,") for line in firsts)
    everyone = io.StringIO()
    call_command(
        "recommend",
        "Daerah Istimewa Yogyakarta",
        "--country",
        "ID",
        "--partner-country",
        "JP",
        "--all-levels",
        "--top",
        "40",
        stdout=everyone,
    )
    assert "Kyoto, JP" not in everyone.getvalue()


def test_api_and_page_offer_every_level_on_request(client, model_file):
    diy = model_file["ID-YO"]
    url = f"/api/governments/{diy.pk}/recommendations"
    items = client.get(url, {"country": "JP", "top": 5}).json()
    assert all(i["reasons"][0] == "both: province-level" for i in items)
    every = client.get(url, {"country": "JP", "top": 50, "all_levels": "true"}).json()
    assert any(not i["reasons"] or i["reasons"][0] != "both: province-level" for i in every)
    page = client.get(f"/matching/governments/{diy.pk}/partners/", {"country": "JP"})
    html = page.content.decode()
    assert 'name="all_levels"' in html and "Also other levels of government" in html
    assert "both: province-level" in html  # said once above the list: every card shares it
    page = client.get(f"/matching/governments/{diy.pk}/partners/", {"country": "JP", "all_levels": "on"})
    assert any(s.place.kind == Place.Kind.CITY for s in page.context["suggestions"])


@pytest.mark.parametrize("all_levels", ["", "on"])
def test_find_partners_page_of_a_province_in_constant_queries(client, model_file, all_levels):
    diy = model_file["ID-YO"]
    url = f"/matching/governments/{diy.pk}/partners/"
    query = {"all_levels": all_levels} if all_levels else {}
    with assert_constant_queries() as queries:
        client.get(url, query)  # the model's first load
        with queries.few():
            assert client.get(url, query).status_code == 200
        for code in ("JP-13", "JP-14", "JP-23", "JP-11", "JP-12"):  # more partner prefectures
            link(diy, province(code))
        with queries.many():
            assert client.get(url, query).status_code == 200


def test_indonesian_level_reason(client, model_file):
    diy = model_file["ID-YO"]
    client.cookies["django_language"] = "id"
    html = client.get(f"/matching/governments/{diy.pk}/partners/", {"country": "JP"}).content.decode()
    assert "sama-sama setingkat provinsi" in html
    assert "Juga tingkat pemerintahan lain" in html
