"""Shared fixtures. The builders behind them, and the other helpers, are in tests/support.

The test database gets a real slice of the gazetteer once per session (GeoNames cities and
ISO 3166-2 subdivisions of a few countries), so tests search and link real places.
Transactional tests (the browser tests) flush the database, and reload what they need; a
session of browser tests only does without the slice.
"""

from __future__ import annotations

import pytest

from kembar.accounts.models import Membership, Organisation
from tests.support.builders import BANDUNG_OFFICE, government, load_test_gazetteer, make_office, make_user
from tests.support.clients import ApiCaller, Tokens

# The Chromium harness: the `browser` and `officer` fixtures.
pytest_plugins = ["tests.support.browser"]


def pytest_collection_modifyitems(config, items):
    """Tests on a live server (transactional: they flush the database, gazetteer slice
    included, when they end) must be marked `browser`: `make test` runs them in a separate,
    single-process pass after the others, which run in parallel."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
            raise pytest.UsageError(f"{item.nodeid} uses live_server: mark it @pytest.mark.browser")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """The gazetteer slice, unless only browser tests run (`make test`'s second pass): each of
    those flushes the database and loads what it needs itself (`reload_flushed_data`), so the
    slice would serve only the first test of each worker (docs/development.md#tests)."""
    if all(item.get_closest_marker("browser") for item in request.session.items):
        return
    with django_db_blocker.unblock():
        load_test_gazetteer()


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background jobs run at once in the test's own process, after the commit (the tasks API's
    immediate backend); tests/core/test_mail.py also runs them through a real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path):
    """Uploads (the demo's agreement documents too) go to a fresh folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def second_factor_offered_only(settings):
    """Tests log users in with force_login, which asks no second factor: the requirement for
    administrators and oversight is off (as with KEMBAR_DEMO) except where a test turns it on
    (tests/accounts/test_second_factor.py, and its browser test)."""
    settings.KEMBAR_SECOND_FACTOR_REQUIRED = False


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Pages default to Bahasa Indonesia; tests read English unless they switch language."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def committed():
    """What the test's fixtures wrote, as if committed: a test runs in a transaction that never
    commits, so the hooks they left for the commit (a new data version, kembar.core.caching)
    would wait for ever, and a change the test makes in the same transaction would add none."""
    from django.db import connection

    for _, hook, _ in connection.run_on_commit:
        hook()
    connection.run_on_commit.clear()


@pytest.fixture(autouse=True)
def health_rankings_not_cached(settings):
    """Pages rank partnerships afresh (a cached ranking saves a query, which would make query
    counts depend on the order of requests); tests of the cache turn it back on."""
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 0


# --- the registry's cast --------------------------------------------------------------------------


@pytest.fixture
def governments(db):
    """Real local governments: Bandung, Surabaya, Kyoto, Braunschweig, Busan, Liverpool."""
    return {
        "bandung": government("Bandung", "ID"),
        "surabaya": government("Surabaya", "ID"),
        "kyoto": government("Kyoto", "JP"),
        "braunschweig": government("Braunschweig", "DE"),
        "busan": government("Busan", "KR"),
        "liverpool": government("Liverpool", "GB"),
    }


@pytest.fixture
def orgs(governments):
    return {
        "bandung": make_office(BANDUNG_OFFICE, governments["bandung"]),
        "surabaya": make_office("Bagian Kerja Sama Kota Surabaya", governments["surabaya"]),
        "braunschweig": make_office("Stadt Braunschweig", governments["braunschweig"]),
        # A national body: reads Indonesia's partnerships (its viewers read; editors act on its stages).
        "oversight": make_office("Kemendagri", kind=Organisation.Kind.OVERSIGHT, party="kemendagri", country_code="ID"),
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


# --- the API ----------------------------------------------------------------------------------------


@pytest.fixture
def tokens(users):
    """An API token of each user of `users`, by the same keys, issued when first asked for."""
    return Tokens(users)


@pytest.fixture
def api(client, tokens):
    """api(method, path, as_=username or None, body=None, query=None, **headers) -> response, in
    English (tests/support/clients.py: ApiCaller)."""
    return ApiCaller(client, tokens)
