"""The shared caches (kembar/core/caching.py): visitors' pages kept and dropped on a change, each
visitor with their own form token, signed-in users never served a visitor's page; the data
version; the Redis backend against the machine's Redis."""

import datetime as dt
import re
import socket

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kembar.accounts import services as account
from kembar.activities import services as activities
from kembar.core import caching
from kembar.partnerships import services
from tests.support.builders import held_activity
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def public(governments, users):
    return services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], fields=["culture"], public=True
    )


@pytest.fixture
def private(governments, users):
    return services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"], public=False
    )


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize(
    "url, names_partners",
    [
        (lambda p: reverse("partnerships:list"), True),
        (lambda p: reverse("partnerships:detail", args=[p.pk]), True),
        (lambda p: reverse("partnerships:government", args=[p.government_a_id]), True),
        (lambda p: "/", False),
        (lambda p: reverse("activities:portal"), False),
    ],
    ids=["list", "detail", "government", "landing", "events"],
)
def test_a_visitors_page_is_kept_and_a_change_shows_at_once(
    pages_cached, public, committed, url, names_partners, django_capture_on_commit_callbacks
):
    path = url(public)
    first, _ = _get(Client(), path)
    again, queries = _get(Client(), path)
    assert queries == 0
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())

    with django_capture_on_commit_callbacks(execute=True):  # the version changes on commit
        public.government_b.name = "Braunschweig (renamed)"
        public.government_b.save()
    changed, queries = _get(Client(), path)
    assert queries > 0
    assert ("Braunschweig (renamed)" in changed.content.decode()) is names_partners


def test_each_visitor_gets_their_own_form_token(pages_cached, public):
    path = reverse("partnerships:list")
    _get(Client(), path)  # kept
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page, queries = _get(visitor, path)
        assert queries == 0
        token = TOKEN.search(page.content.decode()).group(1)
        tokens.append(token)
        # The header's language switch works with the token of the kept page.
        switched = visitor.post(reverse("set_language"), {"language": "id", "next": path, "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
        assert visitor.cookies["django_language"].value == "id"
    assert tokens[0] != tokens[1]


def test_language_has_its_own_page(pages_cached, public):
    path = reverse("partnerships:list")
    english = Client(headers={"accept-language": "en"}).get(path).content.decode()
    indonesian = Client(headers={"accept-language": "id"}).get(path).content.decode()
    assert 'lang="en"' in english and 'lang="id"' in indonesian


def test_signed_in_users_are_never_served_a_visitors_page(pages_cached, client, users, public, private):
    path = reverse("partnerships:list")
    visitor_page = Client().get(path).content.decode()
    assert "Busan" not in visitor_page  # not public
    member = logged_in(client, users, "bandung_editor")
    assert "Busan" in member.get(path).content.decode()
    # …and a signed-in user's page is not kept for visitors.
    assert "Busan" not in Client().get(path).content.decode()


@pytest.fixture
def activity(public, users):
    return held_activity(
        users["platform_admin"], public, public.government_a, dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    )


def test_a_signed_in_users_page_is_their_own_and_a_change_shows_at_once(
    pages_cached, activity, users, committed, django_capture_on_commit_callbacks
):
    path = reverse("activities:detail", args=[activity.pk])
    edit = reverse("activities:edit", args=[activity.pk])
    editor = logged_in(Client(), users, "bandung_editor")
    first, computed = _get(editor, path)
    again, kept = _get(editor, path)
    assert kept < computed and kept <= 3  # the session, the user, the activity's partnership
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
    assert edit in again.content.decode()

    # Another reader of the same office gets their own page: a viewer may not edit.
    viewer_page, queries = _get(logged_in(Client(), users, "bandung_viewer"), path)
    assert queries > kept and edit not in viewer_page.content.decode()
    # …and so does the same user in another time zone.
    user = users["bandung_editor"]
    account.update_preferences(user, email=user.email, language="en", time_zone="Europe/Berlin")
    berlin, queries = _get(editor, path)
    assert queries > kept and "Europe/Berlin" in berlin.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        activities.update_activity(users["bandung_editor"], activity, title="Kunjungan kerja (renamed)")
    changed, queries = _get(editor, path)
    assert queries > kept and "Kunjungan kerja (renamed)" in changed.content.decode()


def test_a_message_waiting_is_shown_not_a_kept_page(pages_cached, activity, users):
    path = reverse("activities:detail", args=[activity.pk])
    editor = logged_in(Client(), users, "bandung_editor")
    _get(editor, path)  # kept
    # A file form sent empty: nothing is written, the page comes back with the form's error.
    shown = editor.post(reverse("activities:attach", args=[activity.pk]), follow=True)
    assert shown.redirect_chain[-1][0] == path
    assert "Choose a file to upload." in shown.content.decode()
    assert "Choose a file to upload." not in editor.get(path).content.decode()  # shown once


def test_nothing_is_kept_when_caches_are_off(public):
    path = reverse("partnerships:list")
    Client().get(path)
    _, queries = _get(Client(), path)
    assert queries > 0


def test_one_new_data_version_per_transaction(pages_cached, governments, committed, django_capture_on_commit_callbacks):
    before = caching.data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for name in ("Busan", "Busan Metropolitan City", "Busan"):
            governments["busan"].name = name
            governments["busan"].save()
        assert caching.data_version() == before  # not before the commit
    assert callbacks.count(caching._bump) == 1
    assert caching.data_version() != before


def test_the_redis_backend_keeps_one_client(settings):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379 (every CI machine has one)")
    backend = caching.RedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": "kembar-test"})
    backend.clear()
    backend.set("k", {"a": 1}, 30)
    assert backend.get("k") == {"a": 1}
    assert backend.add("n", 1) and backend.incr("n") == 2
    assert backend._cache.get_client() is backend._cache.get_client(write=True)
    backend.clear()


def test_the_apis_public_lists_are_kept_for_visitors_not_for_tokens(pages_cached, users, public, private, committed):
    from tests.support.clients import bearer

    path = "/api/partnerships?limit=50"
    first, _ = _get(Client(), path)
    again, queries = _get(Client(), path)
    assert queries == 0 and again.json() == first.json()
    assert first.json()["count"] == 1  # the public one
    member = Client().get(path, **bearer(users["bandung_editor"]))
    assert member.json()["count"] == 2  # a token's own answer, with the private partnership
    _get(Client(), "/api/places?q=Bandung")
    assert _get(Client(), "/api/places?q=Bandung")[1] == 0


def test_the_lists_rows_are_kept_each_until_its_own_partnership_changes(pages_cached, client, users, public, private):
    """A signed-in reader's list is rendered afresh, its rows come from the cache: only a row whose
    partnership changed is read and rendered again, in the reader's language."""
    client.force_login(users["bandung_editor"])  # sees the private one too
    url = reverse("partnerships:list")
    _, cold = _get(client, url)
    page, warm = _get(client, url)
    assert warm == cold - 3  # neither the count (remembered) nor the rows and their fields read again
    assert page.content.decode().count("<tr>") == 3  # the header and both partnerships

    services.update_partnership(users["platform_admin"], private, fields=["culture", "education"])
    page, changed = _get(client, url)
    assert changed == warm + 2  # the changed row read again, with its fields
    html = page.content.decode()
    assert re.search(r"Busan.*?Culture, Education", html, re.S)  # the new fields at once
    assert re.search(r"Braunschweig.*?Culture<", html, re.S)  # the other row as it was kept

    indonesian = client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Kebudayaan" in indonesian and "Culture" not in indonesian


def test_the_apis_rows_are_kept_each_until_its_own_partnership_changes(pages_cached, users, public, private):
    """A token's list is answered afresh, its items come from the cache: only an item whose
    partnership changed is read again; the answer is the one the schema gives."""
    from tests.support.clients import bearer

    token = bearer(users["bandung_editor"])  # sees the private one too
    path = "/api/partnerships?limit=50"
    with CaptureQueriesContext(connection) as cold_queries:
        cold = Client().get(path, **token)
    with CaptureQueriesContext(connection) as warm_queries:
        warm = Client().get(path, **token)
    assert warm.json() == cold.json() and cold.json()["count"] == 2

    def rows_read(queries) -> int:  # the partnerships' rows and their fields (not the ids, the count)
        return sum('"basis"' in q["sql"] or "partnership_fields" in q["sql"] for q in queries.captured_queries)

    assert rows_read(cold_queries) == 2 and rows_read(warm_queries) == 0

    services.update_partnership(users["platform_admin"], private, fields=["culture", "education"], notes="Port")
    with CaptureQueriesContext(connection) as changed_queries:
        changed = Client().get(path, **token).json()
    assert rows_read(changed_queries) == 2 and len(changed_queries) == len(warm_queries) + 2  # the changed row
    by_id = {item["id"]: item for item in changed["items"]}
    assert by_id[private.pk]["fields"] == ["culture", "education"] and by_id[private.pk]["notes"] == "Port"
    assert by_id[private.pk]["version"] == private.version + 1
    assert by_id[public.pk] == {item["id"]: item for item in cold.json()["items"]}[public.pk]
    assert [item["id"] for item in changed["items"]] == [private.pk, public.pk]  # the latest change first


def test_the_landing_pages_events_are_kept_until_their_partnership_changes(pages_cached, users, public, private):
    """Under writes elsewhere the landing page is rendered again, but its next events are not read
    and rendered again; an edit of a shown event shows at once."""
    from tests.support.builders import planned_event

    admin = users["platform_admin"]
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    market = planned_event(admin, public, public.government_a, soon, title="Monthly market")
    visitor = Client()
    _, cold = _get(visitor, "/")
    services.update_partnership(admin, private, notes="An edit elsewhere")
    caching._bump()  # its commit's new data version: the page itself is rendered again
    page, warm = _get(visitor, "/")
    assert "Monthly market" in page.content.decode()
    assert warm == 1 < cold  # the page again with its status counts, not the events

    activities.update_activity(admin, market, title="Night market")
    caching._bump()
    page, changed = _get(visitor, "/")
    assert changed > warm
    assert "Night market" in page.content.decode() and "Monthly market" not in page.content.decode()
    indonesian = visitor.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Night market" in indonesian and "Akan datang" in indonesian


def test_the_landing_page_marks_an_event_under_way_once_it_has_begun(pages_cached, users, public, monkeypatch):
    """A two-day festival among the coming events says it is under way once it has begun, though
    nothing about it changed: its kept rendering is not shown past its start."""
    from django.utils import timezone

    from tests.support.builders import planned_event

    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=10)
    planned_event(users["platform_admin"], public, public.government_a, start, hours=48, title="Festival week")
    visitor = Client()
    page = visitor.get("/").content.decode()
    assert "Festival week" in page and "Under way" not in page
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(hours=1))
    caching._bump()  # the page itself is kept a while: another change renders it again
    page = visitor.get("/").content.decode()
    assert "Festival week" in page and "Under way" in page
    assert "Sedang berlangsung" in visitor.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()


@pytest.mark.skipif(bool(caching.settings.CACHE_URL), reason="the in-memory cache is used without CACHE_URL only")
def test_without_redis_a_process_keeps_thousands_of_values(pages_cached):
    """The pages keep a value per row they show (list rows, API items, healths): a process's own
    cache must hold thousands, or a few list pages push out the portal's events, which take
    seconds to work out again (Django's default keeps 300)."""
    from django.core.cache import cache

    cache.set("kembar:portal-events", "kept")
    cache.set_many({f"kembar:row:{i}": i for i in range(5000)})
    assert cache.get("kembar:portal-events") == "kept"
    assert cache.get("kembar:row:4999") == 4999
