"""Pages: what each kind of user can see and do, validation errors, query budgets, language."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kembar.gazetteer.models import Place
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment, Partnership
from tests.support.builders import cities_without_government, make_user
from tests.support.clients import logged_in
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "bandung_editor",
    "braunschweig_editor",
    "surabaya_editor",
    "bandung_viewer",
    "oversight",
    "platform_admin",
]
# Who may change the Bandung–Braunschweig partnership: an editor of either side, or a platform admin.
MAY_EDIT = {"bandung_editor", "braunschweig_editor", "platform_admin"}


@pytest.fixture
def partnership(governments, users):
    return services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], fields=["culture"], public=True
    )


@pytest.fixture
def private(governments, users):
    return services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"], public=False, notes="exploration"
    )


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_matrix(client, users, partnership, role):
    c = logged_in(client, users, role)
    url = reverse("partnerships:edit", args=[partnership.pk])
    response = c.post(url, {"kind": "friendship", "status": "active", "version": partnership.version, "public": "on"})
    partnership.refresh_from_db()
    if role in MAY_EDIT:
        assert response.status_code == 302 and partnership.kind == "friendship"
    else:
        assert response.status_code in (302, 403) and partnership.kind == "sister_city"
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_delete_matrix(client, users, partnership, role):
    c = logged_in(client, users, role)
    response = c.post(reverse("partnerships:delete", args=[partnership.pk]))
    exists = Partnership.objects.filter(pk=partnership.pk).exists()
    assert exists == (role not in MAY_EDIT)
    if role not in MAY_EDIT and role != "anonymous":
        assert response.status_code == 403


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("anonymous", False),
        ("bandung_editor", True),
        ("bandung_viewer", False),
        ("surabaya_editor", False),
        ("oversight", False),
        ("platform_admin", True),
    ],
)
def test_create_matrix(client, users, governments, role, allowed):
    c = logged_in(client, users, role)
    kyoto_place = governments["kyoto"].place
    response = c.post(
        reverse("partnerships:create"),
        {
            "government": governments["bandung"].pk,
            "partner_place": kyoto_place.pk,
            "kind": "sister_city",
            "status": "active",
            "fields": ["education", "culture"],
            "public": "on",
        },
    )
    created = (
        Partnership.objects.filter(government_b=governments["kyoto"]).exists()
        or Partnership.objects.filter(government_a=governments["kyoto"]).exists()
    )
    assert created == allowed
    if role in ("bandung_viewer", "oversight"):
        assert response.status_code == 403
    if role == "surabaya_editor":  # may create partnerships, but only for Surabaya
        assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("anonymous", False),
        ("bandung_editor", True),
        ("bandung_viewer", False),
        ("braunschweig_editor", False),
        ("oversight", False),
        ("platform_admin", True),
    ],
)
def test_government_edit_matrix(client, users, governments, role, allowed):
    c = logged_in(client, users, role)
    bandung = governments["bandung"]
    c.post(
        reverse("partnerships:government_edit", args=[bandung.pk]),
        {"name": "Kota Bandung", "level": "city", "traits": ["university"], "sdg_priorities": ["11"], "version": 1},
    )
    bandung.refresh_from_db()
    assert (bandung.name == "Kota Bandung") == allowed
    if allowed:
        assert bandung.traits == ["university"] and bandung.sdg_priorities == [11] and bandung.version == 2


def _open_profile_form(client, user, government) -> dict:
    """What an editor's browser would send back from the profile page as it came."""
    client.force_login(user)
    page = client.get(reverse("partnerships:government_edit", args=[government.pk]))
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    form = page.context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_two_editors_edit_the_same_profile_the_second_save_is_refused(users, orgs, governments):
    bandung = governments["bandung"]
    first, second = Client(), Client()
    mine = _open_profile_form(first, users["bandung_editor"], bandung)
    theirs = _open_profile_form(second, make_user("bandung_editor_2", orgs["bandung"]), bandung)
    url = reverse("partnerships:government_edit", args=[bandung.pk])
    assert first.post(url, {**mine, "contact_phone": "+62 22 4234793"}).status_code == 302
    refused = second.post(url, {**theirs, "name": "Kota Bandung (overwritten)", "contact_phone": ""})
    assert refused.status_code == 200
    assert "Someone else changed this local government while you were editing it" in refused.content.decode()
    bandung.refresh_from_db()
    assert (bandung.name, bandung.contact_phone, bandung.version) == ("Bandung", "+62 22 4234793", 2)
    assert bandung.history.count() == 2  # created, and the first editor's change


def test_the_api_refuses_a_change_based_on_a_stale_profile(api, governments):
    bandung = governments["bandung"]
    url = f"/api/governments/{bandung.pk}"
    read_by_both = api("get", url, "bandung_editor").json()["version"]
    first = api("patch", url, "bandung_editor", {"contact_phone": "+62 22 4234793", "version": read_by_both})
    assert first.status_code == 200 and first.json()["version"] == read_by_both + 1
    second = api("patch", url, "platform_admin", {"name": "Overwritten", "version": read_by_both})
    assert second.status_code == 409 and "Someone else changed this local government" in second.json()["detail"]
    bandung.refresh_from_db()
    assert (bandung.name, bandung.contact_phone, bandung.version) == ("Bandung", "+62 22 4234793", 2)


@pytest.mark.parametrize(
    "role, sees",
    [
        ("anonymous", False),
        ("bandung_viewer", True),
        ("surabaya_editor", False),
        ("oversight", True),
        ("platform_admin", True),
        ("braunschweig_editor", False),
    ],
)
def test_non_public_partnership_visibility(client, users, partnership, private, role, sees):
    c = logged_in(client, users, role)
    listing = c.get(reverse("partnerships:list")).content.decode()
    assert ("Busan" in listing) == sees
    assert "Braunschweig" in listing  # public partnerships are listed for everyone
    assert c.get(reverse("partnerships:detail", args=[private.pk])).status_code == (200 if sees else 404)


def test_creating_through_the_form_adds_the_partner_government(client, users, governments):
    client.force_login(users["bandung_editor"])
    hamamatsu = Place.objects.filter(name="Hamamatsu", country_code="JP").order_by("-population").first()
    response = client.post(
        reverse("partnerships:create"),
        {
            "government": governments["bandung"].pk,
            "partner_place": hamamatsu.pk,
            "kind": "sister_city",
            "status": "active",
            "fields": ["education"],
            "public": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Hamamatsu" in response.content.decode()
    government = LocalGovernment.objects.get(place=hamamatsu)
    assert (
        Partnership.objects.filter(
            government_a__in=[government, governments["bandung"]], government_b__in=[government, governments["bandung"]]
        ).count()
        == 1
    )


def test_form_shows_clear_errors_and_writes_nothing(client, users, governments, partnership):
    client.force_login(users["bandung_editor"])
    url = reverse("partnerships:create")
    missing = client.post(url, {"government": governments["bandung"].pk, "kind": "sister_city", "status": "active"})
    assert "Choose the partner from the list of places." in missing.content.decode()
    again = client.post(
        url,
        {
            "government": governments["bandung"].pk,
            "partner_place": governments["braunschweig"].place.pk,
            "kind": "sister_city",
            "status": "active",
        },
    )
    assert "already partners" in again.content.decode()
    itself = client.post(
        url,
        {
            "government": governments["bandung"].pk,
            "partner_place": governments["bandung"].place.pk,
            "kind": "sister_city",
            "status": "active",
        },
    )
    assert "cannot partner itself" in itself.content.decode()
    assert Partnership.objects.count() == 1


def test_stale_edit_is_refused_with_a_message(client, users, partnership):
    client.force_login(users["bandung_editor"])
    services.update_partnership(users["braunschweig_editor"], partnership, notes="changed meanwhile")
    response = client.post(
        reverse("partnerships:edit", args=[partnership.pk]),
        {"kind": "friendship", "status": "active", "version": 1, "public": "on"},
    )
    assert "Someone else changed this partnership" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.kind == "sister_city" and partnership.notes == "changed meanwhile"


def test_detail_shows_history_of_changes(client, users, partnership):
    services.update_partnership(users["bandung_editor"], partnership, status="suspended")
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    assert "Proposed → Suspended" in page and "bandung_editor" in page


def test_list_filters(client, users, partnership, governments):
    services.create_partnership(
        users["platform_admin"], governments["surabaya"], governments["busan"], fields=["trade"], status="suspended"
    )
    page = lambda **q: client.get(reverse("partnerships:list"), q).content.decode()  # noqa: E731
    assert "Busan" in page(country="KR") and "Braunschweig" not in page(country="KR")
    assert "Busan" in page(status="suspended") and "Braunschweig" not in page(status="suspended")
    assert "Braunschweig" in page(field="culture") and "Busan" not in page(field="culture")
    assert "Busan" in page(q="Surabaya") and "Braunschweig" not in page(q="Surabaya")


def test_each_word_is_found_in_either_name_the_basis_or_the_notes(client, users, partnership, governments):
    """Every word must be somewhere: in either government's name (either side), the basis or
    the notes, in any case."""
    admin = users["platform_admin"]
    services.update_partnership(admin, partnership, basis="Letter of intent 2019", notes="Harbour twinning")
    services.create_partnership(admin, governments["surabaya"], governments["busan"], notes="Port of Surabaya")
    found = lambda q: {  # noqa: E731
        p.pk for p in services.filter_partnerships(Partnership.objects.all(), services.PartnershipFilter(q=q))
    }
    busan = Partnership.objects.get(government_b=governments["busan"]).pk
    assert found("braunschweig") == found("BANDUNG braunschweig") == {partnership.pk}
    assert found("busan") == found("surabaya") == {busan}  # either side
    assert found("INTENT") == found("harbour twinning") == {partnership.pk}
    assert found("port") == {busan}
    assert found("port harbour") == set()
    page = client.get(reverse("partnerships:list"), {"q": "Port  SURABAYA"}).content.decode()
    assert "Busan" in page and "Braunschweig" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (pg_trgm)")
def test_the_word_search_can_be_answered_from_trigram_indexes(governments, partnership):
    """Each of a word's lookups, as Django writes it, matches its index (migration 0010): the
    planner may answer it without reading the whole table."""
    lookups = {
        "partnerships_gov_name_trgm": LocalGovernment.objects.filter(name__icontains="port"),
        "partnerships_basis_trgm": Partnership.objects.filter(basis__icontains="port"),
        "partnerships_notes_trgm": Partnership.objects.filter(notes__icontains="port"),
    }
    for index, lookup in lookups.items():
        sql, params = lookup.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # not the primary key's, read whole
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan


def _many_partnerships(n: int):
    places = cities_without_government("DE", n + 1)
    governments = LocalGovernment.objects.bulk_create(
        [LocalGovernment(place=p, name=p.name, country_code=p.country_code) for p in places]
    )
    hub = governments[0]
    Partnership.objects.bulk_create([Partnership(government_a=hub, government_b=g) for g in governments[1:]])


@pytest.mark.parametrize("role", ["anonymous", "bandung_editor"])
def test_list_page_query_count_does_not_grow_with_rows(client, users, role):
    c = logged_in(client, users, role)
    url = reverse("partnerships:list")
    _many_partnerships(5)
    c.get(url)  # warm caches (session, content types)
    with assert_constant_queries() as queries:
        with queries.few():
            assert c.get(url).status_code == 200
        _many_partnerships(500)
        with queries.many():
            assert c.get(url).status_code == 200


def test_autocomplete_finds_non_latin_names(client):
    html = client.get(reverse("gazetteer:autocomplete"), {"q": "京都"}).content.decode()
    assert "Kyoto" in html and "data-pick=" in html


def test_language_switch(client):
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert "Kemitraan" in client.get(reverse("partnerships:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Partnerships" in client.get(reverse("partnerships:list")).content.decode()


def test_dashboard_for_an_office_and_for_visitors(client, users, partnership, private):
    assert "Braunschweig" not in client.get("/").content.decode()  # visitors see figures, not the office list
    client.force_login(users["bandung_editor"])
    page = client.get("/").content.decode()
    assert "Braunschweig" in page and "Busan" in page


def test_history_is_shown_in_the_offices_time_zone_without_names_for_visitors(client, users, partnership):
    services.update_partnership(users["braunschweig_editor"], partnership, status="suspended")
    visitor_page = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    assert "UTC" in visitor_page and "braunschweig_editor" not in visitor_page
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).content.decode()
    assert "WIB" in page and "braunschweig_editor" in page  # Asia/Jakarta


def test_one_save_is_one_history_entry_and_the_page_reads_a_bounded_history(client, users, partnership):
    editor = users["bandung_editor"]
    for n in range(3):
        services.update_partnership(editor, partnership, notes=f"edit {n}", fields=["education", "trade"][: n % 2 + 1])
    client.force_login(editor)
    url = reverse("partnerships:detail", args=[partnership.pk])
    page = client.get(url).content.decode()
    assert page.count("<strong>Changed</strong>") == 3 and page.count("<strong>Created</strong>") == 1
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        services.update_partnership(editor, partnership, notes=f"more {n}", fields=["culture"] if n % 2 else [])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) <= len(few) + 20 * 2  # at most the shown entries' diffs, never the whole history


@pytest.mark.parametrize("path", ["/", "government"])
def test_dashboard_and_government_page_query_count_does_not_grow(client, users, governments, path):
    client.force_login(users["bandung_editor"])
    url = "/" if path == "/" else reverse("partnerships:government", args=[governments["bandung"].pk])

    def partners(n):
        places = cities_without_government("KR", n)
        for p in places:
            g = LocalGovernment.objects.create(place=p, name=p.name)
            a, b = sorted([g, governments["bandung"]], key=lambda x: x.pk)
            Partnership.objects.create(government_a=a, government_b=b)

    partners(3)
    client.get(url)
    with assert_constant_queries() as queries:
        with queries.few():
            client.get(url)
        partners(60)
        with queries.many():
            client.get(url)


def test_refused_partnership_leaves_no_partner_government_behind(client, users, governments):
    client.force_login(users["bandung_editor"])
    osaka = Place.objects.filter(name="Osaka", country_code="JP", kind=Place.Kind.CITY).first()
    before = LocalGovernment.objects.count()
    response = client.post(
        reverse("partnerships:create"),
        {
            "government": governments["bandung"].pk,
            "partner_place": osaka.pk,
            "kind": "sister_city",
            "status": "active",
            "since": "2999-01-01",
        },
    )
    assert "cannot be in the future" in response.content.decode()
    assert LocalGovernment.objects.count() == before


def test_a_city_cannot_be_registered_as_a_prefecture(client, users, governments):
    client.force_login(users["bandung_editor"])
    osaka = Place.objects.filter(name="Osaka", country_code="JP", kind=Place.Kind.CITY).first()
    response = client.post(
        reverse("partnerships:create"),
        {
            "government": governments["bandung"].pk,
            "partner_place": osaka.pk,
            "partner_level": "prefecture",
            "kind": "sister_city",
            "status": "active",
        },
    )
    assert "cannot be at the level" in response.content.decode()
    assert not LocalGovernment.objects.filter(place=osaka).exists()


def test_one_bad_filter_is_reported_and_the_others_still_apply(client, users, partnership, governments):
    services.create_partnership(users["platform_admin"], governments["surabaya"], governments["busan"])
    page = client.get(reverse("partnerships:list"), {"q": "Surabaya", "status": "bogus"}).content.decode()
    assert "Busan" in page and "Braunschweig" not in page and "errorlist" in page
    assert client.get(reverse("partnerships:list"), {"q": "word " * 1000}).status_code == 200


def test_government_suggestions_find_any_spelling_and_the_portal_only_public_partners(client, governments):
    from tests.support.builders import private_friendship, sister_cities

    sister_cities(governments)  # Bandung–Braunschweig, public
    private_friendship(governments)
    url = reverse("partnerships:government_suggestions")
    html = client.get(url, {"q": "braunsch"}).content.decode()
    assert f'data-pick="{governments["braunschweig"].pk}"' in html and "Germany" in html
    # The portal's filter sends its box as city_q and asks only for governments of a public partnership.
    assert f'data-pick="{governments["busan"].pk}"' in client.get(url, {"q": "Busan"}).content.decode()
    portal = client.get(url, {"city_q": "Busan", "public": "1"}).content.decode()
    assert "data-pick" not in portal and "No registered government found" in portal


def test_partnership_suggestions_never_name_a_partnership_the_user_may_not_read(client, users, governments):
    from tests.support.builders import private_friendship

    private = private_friendship(governments)
    url = reverse("partnerships:suggestions")
    other = private.government_b if private.government_a == governments["bandung"] else private.government_a
    assert "data-pick" not in client.get(url, {"q": other.name}).content.decode()
    client.force_login(users["oversight"])
    assert f'data-pick="{private.pk}"' in client.get(url, {"q": other.name}).content.decode()


def test_the_portal_resolves_a_typed_city_and_names_what_it_cannot(client, governments):
    from tests.support.builders import sister_cities

    sister_cities(governments)
    url = reverse("activities:portal")
    typed = client.get(url, {"city_q": "Braunschweig, DE", "city": ""}).content.decode()
    assert "Subscribe to the calendar of Braunschweig" in typed
    unknown = client.get(url, {"city_q": "Atlantis", "city": ""}).content.decode()
    assert "No registered local government is called “Atlantis”." in unknown
    assert "Choose a government from the suggestions." in client.get(url, {"city": "999999"}).content.decode()


def test_a_new_partnership_is_proposed_until_the_office_says_otherwise(client, users):
    client.force_login(users["bandung_editor"])
    form = client.get(reverse("partnerships:create")).context["form"]
    assert form["status"].value() == "proposed"


def test_history_shows_moments_and_dates_as_a_person_reads_them(client, users, partnership):
    """An office's save confirms the partnership: its moment is shown in the reader's zone with the
    zone named, and a date in the language's pattern, never as the database's ISO text."""
    import datetime as dt

    services.update_partnership(users["bandung_editor"], partnership, since=dt.date(2019, 3, 4))
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("partnerships:detail", args=[partnership.pk]), HTTP_ACCEPT_LANGUAGE="en")
    history = page.content.decode().split("History", 1)[-1]
    assert "+00:00" not in history and "2019-03-04" not in history
    assert re.search(r"\d{2}:\d{2} WIB", history)  # the confirmation, in Bandung's zone
    assert "4 March 2019" in history or "March 4, 2019" in history
    office = users["bandung_editor"].memberships.get().organisation
    assert f"— → {office.name}" in history  # the confirming office by name, not its id
