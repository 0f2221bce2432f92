"""Grant calls and the yearly self-assessment: matching with reasons, who may do what, reminders,
the API and the query budgets of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kembar.core import reminders
from kembar.core.models import OutgoingMail
from kembar.grants import services
from kembar.grants.models import GrantCall, SelfAssessment
from kembar.grants.vocab import QUESTION_CODES
from kembar.partnerships import services as partnership_services
from tests.support.clients import errors_by_field
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


def answers(score=4, **comments):
    return {code: {"score": score, "comment": comments.get(code, "")} for code in QUESTION_CODES}


@pytest.fixture
def ties(governments, users):
    admin = users["platform_admin"]
    exchange = partnership_services.create_partnership(
        admin, governments["bandung"], governments["braunschweig"], fields=["education", "culture"], status="active"
    )
    smart = partnership_services.create_partnership(
        admin, governments["bandung"], governments["busan"], fields=["smart_city"], status="active", public=False
    )
    other = partnership_services.create_partnership(
        admin, governments["surabaya"], governments["liverpool"], fields=["education"], status="active"
    )
    return {"exchange": exchange, "smart": smart, "other": other}


def enter(user, days=40, **extra):
    data = dict(
        title="Youth exchange grants",
        funder_name="Demo Fund",
        funder_type="foundation",
        description="Exchanges of students.",
        link="https://example.org/call",
        deadline=(timezone.now() + dt.timedelta(days=days)).date(),
        countries=["DE", "FR"],
        fields=["education"],
        amount_max="50000",
        currency="eur",
    )
    data.update(extra)
    return services.create_call(user, **data)


# --- entering calls ----------------------------------------------------------------------------


def test_an_office_editor_enters_a_call_in_the_name_of_their_office(users, orgs, ties):
    call = enter(users["bandung_editor"])
    assert call.office == orgs["bandung"] and call.entered_by == users["bandung_editor"]
    assert call.currency == "EUR" and call.countries == ["DE", "FR"]
    assert call.history.exists()


def test_a_platform_administrator_enters_a_call_for_the_platform(users, ties):
    call = enter(users["platform_admin"])
    assert call.office is None


@pytest.mark.parametrize("who", ["bandung_viewer", "oversight"])
def test_viewers_and_oversight_do_not_enter_calls(users, who):
    with pytest.raises(PermissionDenied):
        enter(users[who])


def test_only_the_entering_office_or_an_administrator_changes_a_call(users, ties):
    call = enter(users["bandung_editor"])
    with pytest.raises(PermissionDenied):
        services.update_call(users["surabaya_editor"], call, expected_version=1, title="Mine now")
    services.update_call(users["platform_admin"], call, expected_version=1, title="Fixed by admin")
    platform = enter(users["platform_admin"], title="Platform call")
    with pytest.raises(PermissionDenied):
        services.update_call(users["bandung_editor"], platform, expected_version=1, title="x")


def test_bad_input_names_each_field_and_writes_nothing(users):
    with pytest.raises(ValidationError) as caught:
        enter(
            users["bandung_editor"],
            link="ftp://example.org",
            countries=["Atlantis"],
            amount_min="900",
            amount_max="100",
            deadline_zone="Mars/Olympus",
            fields=["astrology"],
        )
    assert set(caught.value.message_dict) == {"link", "countries", "amount_max", "deadline_zone", "fields"}
    assert not GrantCall.objects.exists()


def test_the_deadline_is_stored_in_utc_from_the_funders_zone(users):
    call = enter(
        users["platform_admin"],
        deadline=dt.date(2027, 3, 1),
        deadline_time=dt.time(12, 0),
        deadline_zone="Europe/Brussels",
    )
    assert call.closes_at == dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC)
    day_only = enter(users["platform_admin"], deadline=dt.date(2027, 3, 1), deadline_zone="Asia/Jakarta")
    assert day_only.closes_at == dt.datetime(2027, 3, 1, 16, 59, 59, tzinfo=dt.UTC)


def test_the_deadline_reads_as_every_moment_does(client, users):
    """In the funder's zone by its abbreviation, as every time on the pages, and in UTC."""
    call = enter(users["platform_admin"], deadline=dt.date(2027, 3, 1), deadline_zone="Asia/Jakarta")
    client.force_login(users["bandung_viewer"])
    page = client.get(call.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '1 Mar 2027 23:59 WIB</time> <span class="muted">(1 Mar 2027 16:59 UTC)</span>' in page


# --- matching ----------------------------------------------------------------------------------


def test_the_call_page_lists_the_viewers_partnerships_that_fit_with_reasons(client, users, ties):
    call = enter(users["platform_admin"])
    client.force_login(users["bandung_viewer"])
    page = client.get(call.get_absolute_url()).content.decode()
    assert "Bandung – Braunschweig" in page or "Braunschweig – Bandung" in page
    assert "eligible country: Germany" in page and "same field: Education" in page
    assert "Busan" not in page  # smart city only: shares nothing with the call
    assert "Liverpool" not in page  # not Bandung's


def test_the_partnership_page_lists_open_calls_that_fit(client, users, ties):
    enter(users["platform_admin"], title="Open call")
    enter(users["platform_admin"], title="Closed call", days=-3)
    enter(users["platform_admin"], title="Health call", fields=["health"])
    client.force_login(users["bandung_editor"])
    page = client.get(f"/grants/partnerships/{ties['exchange'].pk}/").content.decode()
    assert "Open call" in page and "Closed call" not in page and "Health call" not in page


def test_the_dashboard_shows_calls_that_fit_the_offices_partnerships(client, users, ties):
    enter(users["platform_admin"], title="Exchange grants for the dashboard")
    client.force_login(users["bandung_editor"])
    assert "Exchange grants for the dashboard" in client.get("/").content.decode()


def test_the_partnership_page_links_to_its_grants_and_assessment(client, users, ties):
    client.force_login(users["bandung_viewer"])
    page = client.get(ties["exchange"].get_absolute_url()).content.decode()
    assert f"/grants/partnerships/{ties['exchange'].pk}/" in page


def test_signed_out_visitors_see_no_grant_calls(client, users, ties):
    call = enter(users["platform_admin"])
    assert client.get("/grants/").status_code == 302
    assert client.get(call.get_absolute_url()).status_code == 302


# --- reminders ---------------------------------------------------------------------------------


def test_a_deadline_is_reminded_to_the_matching_offices_in_each_readers_language(users, ties, governments):
    from kembar.accounts.services import profile_of

    users["bandung_editor"].email = "ed@bandung.go.id"
    users["bandung_editor"].save()
    users["braunschweig_editor"].email = "ed@braunschweig.de"
    users["braunschweig_editor"].save()
    users["surabaya_editor"].email = "ed@surabaya.go.id"
    users["surabaya_editor"].save()
    profile = profile_of(users["bandung_editor"])
    profile.language = "id"
    profile.save()
    call = enter(users["platform_admin"], days=20)
    now = timezone.now()
    due = reminders.collect(now, ["kembar.grants.reminders.deadlines"])
    by_address = {r.recipients[0]: r for r in due}
    assert set(by_address) == {"ed@bandung.go.id", "ed@braunschweig.de"}  # Surabaya–Liverpool: not in DE/FR
    assert "Grant call closes in 30 days" in by_address["ed@braunschweig.de"].subject
    assert "Grant call closes" not in by_address["ed@bandung.go.id"].subject  # Indonesian
    assert call.get_absolute_url() in by_address["ed@bandung.go.id"].body
    assert reminders.send(due, now) == 2
    assert reminders.collect(now, ["kembar.grants.reminders.deadlines"]) == []
    # A week before it closes: once more.
    later = call.closes_at - dt.timedelta(days=6)
    again = reminders.collect(later, ["kembar.grants.reminders.deadlines"])
    assert len(again) == 2 and all("7" in r.key.split(":")[3] for r in again)


def test_no_reminder_for_a_call_nobody_fits_or_that_closed(users, ties):
    users["bandung_editor"].email = "ed@bandung.go.id"
    users["bandung_editor"].save()
    enter(users["platform_admin"], days=10, fields=["health"])
    enter(users["platform_admin"], days=-1)
    assert reminders.collect(timezone.now(), ["kembar.grants.reminders.deadlines"]) == []


# --- the self-assessment -----------------------------------------------------------------------


def test_each_side_answers_only_its_own_assessment(users, ties, governments):
    p = ties["exchange"]
    mine = services.answer_assessment(users["bandung_editor"], p, governments["bandung"].pk, answers(4))
    assert mine.year == timezone.now().year
    with pytest.raises(PermissionDenied):
        services.answer_assessment(users["bandung_editor"], p, governments["braunschweig"].pk, answers(2))
    with pytest.raises(PermissionDenied):
        services.answer_assessment(users["bandung_viewer"], p, governments["bandung"].pk, answers(2))
    with pytest.raises(PermissionDenied):
        services.answer_assessment(users["oversight"], p, governments["bandung"].pk, answers(2))
    services.answer_assessment(users["braunschweig_editor"], p, governments["braunschweig"].pk, answers(2))
    assert SelfAssessment.objects.filter(partnership=p).count() == 2


def test_one_answer_set_per_side_and_year_changed_until_the_year_ends(users, ties, governments):
    p, bandung = ties["exchange"], governments["bandung"].pk
    first = services.answer_assessment(users["bandung_editor"], p, bandung, answers(3), now=NOW)
    changed = services.answer_assessment(
        users["bandung_editor"], p, bandung, answers(5), expected_version=first.version, now=NOW
    )
    assert changed.pk == first.pk and changed.version == 2 and changed.history.count() == 2
    next_year = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as caught:
        services.update_assessment(users["bandung_editor"], changed, answers(1), expected_version=2, now=next_year)
    assert "year" in caught.value.message_dict


def test_answers_must_score_every_question_from_1_to_5(users, ties, governments):
    bad = answers(4)
    bad["goals_agreed"] = {"score": 7}
    del bad["results_measured"]
    bad["astrology"] = {"score": 3}
    with pytest.raises(ValidationError) as caught:
        services.answer_assessment(users["bandung_editor"], ties["exchange"], governments["bandung"].pk, bad)
    assert len(caught.value.message_dict["answers"]) == 3
    assert not SelfAssessment.objects.exists()


def test_both_offices_see_both_views_side_by_side_and_others_nothing(client, users, ties, governments):
    p = ties["exchange"]
    services.answer_assessment(users["bandung_editor"], p, governments["bandung"].pk, answers(4))
    services.answer_assessment(users["braunschweig_editor"], p, governments["braunschweig"].pk, answers(2))
    url = f"/grants/partnerships/{p.pk}/"
    for who in ("bandung_viewer", "braunschweig_editor", "oversight"):
        client.force_login(users[who])
        page = client.get(url).content.decode()
        assert "Yearly self-assessment" in page and "<strong>4.0</strong>" in page, who
        assert "<strong>2.0</strong>" in page, who
    client.force_login(users["surabaya_editor"])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Yearly self-assessment" not in page
    assert '<table class="assessment">' not in page


def test_the_answer_page_saves_the_own_side_and_refuses_the_other(client, users, ties, governments):
    p = ties["exchange"]
    client.force_login(users["bandung_editor"])
    own = f"/grants/partnerships/{p.pk}/assessment/{governments['bandung'].pk}/"
    assert client.get(own).status_code == 200
    body = {f"{c}__score": "3" for c in QUESTION_CODES} | {"goals_agreed__comment": "Signed MoU."}
    assert client.post(own, body).status_code == 302
    saved = SelfAssessment.objects.get()
    assert saved.answers["goals_agreed"] == {"score": 3, "comment": "Signed MoU."}
    other = f"/grants/partnerships/{p.pk}/assessment/{governments['braunschweig'].pk}/"
    assert client.post(other, body).status_code == 403
    client.force_login(users["bandung_viewer"])
    assert client.post(own, body).status_code == 403


# --- the API -----------------------------------------------------------------------------------


def call_body(**extra):
    body = {
        "title": "API call",
        "funder_name": "JICA (demo)",
        "funder_type": "bilateral",
        "description": "Technical cooperation.",
        "link": "https://example.org/jica",
        "deadline": "2030-01-31",
        "deadline_time": "17:00:00",
        "deadline_zone": "Asia/Tokyo",
        "countries": ["JP", "Indonesia"],
        "fields": ["education"],
        "amount_max": "1000000",
        "currency": "JPY",
    }
    body.update(extra)
    return body


def test_the_api_enters_lists_and_changes_calls(api, users, orgs, ties):
    made = api("post", "/api/grants/calls", "bandung_editor", call_body())
    assert made.status_code == 201, made.content
    call = made.json()
    assert call["office"]["id"] == orgs["bandung"].pk and call["countries"] == ["ID", "JP"]
    assert call["closes_at"].startswith("2030-01-31T08:00:00")
    listed = api("get", "/api/grants/calls", "surabaya_editor").json()
    assert [c["title"] for c in listed["items"]] == ["API call"]
    stale = api("patch", f"/api/grants/calls/{call['id']}", "bandung_editor", {"version": 9, "title": "x"})
    assert stale.status_code == 409
    refused = api("patch", f"/api/grants/calls/{call['id']}", "surabaya_editor", {"version": 1, "title": "x"})
    assert refused.status_code == 403
    ok = api("patch", f"/api/grants/calls/{call['id']}", "bandung_editor", {"version": 1, "title": "Renamed"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert errors_by_field(api("post", "/api/grants/calls", "bandung_editor", call_body(link="javascript:x")))
    assert api("get", "/api/grants/calls").status_code == 401
    fits = api("get", f"/api/grants/calls/{call['id']}/partnerships", "bandung_viewer").json()
    assert fits == [] or all("Bandung" in f["partnership"]["name"] for f in fits)


def test_the_api_answers_and_reads_self_assessments(api, users, ties, governments):
    p = ties["exchange"]
    body = {"government_id": governments["bandung"].pk, "answers": {c: {"score": 4} for c in QUESTION_CODES}}
    made = api("post", f"/api/grants/partnerships/{p.pk}/assessments", "bandung_editor", body)
    assert made.status_code == 201, made.content
    assert made.json()["scores"]["overall"] == 4.0
    again = api("post", f"/api/grants/partnerships/{p.pk}/assessments", "bandung_editor", body)
    assert again.status_code == 422
    other_side = dict(body, government_id=governments["braunschweig"].pk)
    assert api("post", f"/api/grants/partnerships/{p.pk}/assessments", "bandung_editor", other_side).status_code == 403
    read = api("get", f"/api/grants/partnerships/{p.pk}/assessments", "braunschweig_editor")
    assert read.status_code == 200 and len(read.json()) == 1
    assert api("get", f"/api/grants/partnerships/{p.pk}/assessments", "surabaya_editor").status_code == 404
    patch = {"version": 1, "answers": {c: {"score": 5} for c in QUESTION_CODES}}
    changed = api("patch", f"/api/grants/assessments/{made.json()['id']}", "bandung_editor", patch)
    assert changed.status_code == 200 and changed.json()["scores"]["overall"] == 5.0
    assert (
        api(
            "patch", f"/api/grants/assessments/{made.json()['id']}", "braunschweig_editor", dict(patch, version=2)
        ).status_code
        == 403
    )


# --- query budgets -----------------------------------------------------------------------------


def test_the_list_page_and_endpoint_cost_the_same_with_many_calls(client, api, users, ties):
    client.force_login(users["bandung_editor"])
    for n in range(2):
        enter(users["platform_admin"], title=f"Call {n}")
    with assert_constant_queries() as queries:
        client.get("/grants/")
        api("get", "/api/grants/calls", "bandung_editor")
        with queries.few("page"):
            assert client.get("/grants/").status_code == 200
        with queries.few("api"):
            assert api("get", "/api/grants/calls", "bandung_editor").status_code == 200
        for n in range(20):
            enter(users["platform_admin"], title=f"More {n}", fields=["education", "culture"])
        with queries.many("page"):
            assert client.get("/grants/").status_code == 200
        with queries.many("api"):
            assert api("get", "/api/grants/calls", "bandung_editor").status_code == 200


def test_fits_cost_the_same_with_many_calls_and_partnerships(client, users, ties, governments):
    from kembar.partnerships.services import government_for_place
    from tests.support.builders import cities_without_government

    client.force_login(users["bandung_editor"])
    call = enter(users["platform_admin"])
    urls = [call.get_absolute_url(), f"/grants/partnerships/{ties['exchange'].pk}/", "/"]
    with assert_constant_queries() as queries:
        for url in urls:
            client.get(url)
            with queries.few(url):
                assert client.get(url).status_code == 200
        for place in cities_without_government("DE", 5):
            partnership_services.create_partnership(
                users["platform_admin"],
                governments["bandung"],
                government_for_place(place),
                fields=["education"],
                status="active",
            )
        for n in range(10):
            enter(users["platform_admin"], title=f"More {n}")
        for url in urls:
            with queries.many(url):
                assert client.get(url).status_code == 200


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_call_fits_a_demo_partnership_and_bandung_fort_worth_has_an_assessment(governments, users):
    from tests.support.builders import government

    fort_worth = government("Fort Worth", "US")
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], fort_worth, fields=["education", "culture"], status="active"
    )
    from kembar.grants import demo

    made = demo.load({"bandung": governments["bandung"], "fort_worth": fort_worth})
    assert made == {"grant calls": 2, "self-assessments": 3}
    assert demo.load({"bandung": governments["bandung"], "fort_worth": fort_worth}) == {
        "grant calls": 0,
        "self-assessments": 0,
    }
    youth = GrantCall.objects.get(title__startswith="Demo: small grants")
    fits = services.match.partnerships_for_call(
        services.call_item(youth), list(services.partnership_items(type(p).objects.filter(pk=p.pk)).values())
    )
    assert fits and fits[0].partnership_id == p.pk
    years = {a.year for a in SelfAssessment.objects.filter(partnership=p)}
    assert len(years) == 2
    assert not mail.outbox and not OutgoingMail.objects.exists()


def test_the_dashboard_asks_for_the_new_years_assessment_at_the_offices_own_midnight(users, ties, governments):
    p, bandung = ties["exchange"], governments["bandung"]
    services.answer_assessment(
        users["bandung_editor"], p, bandung.pk, answers(4), now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    # 1 January 2027, 03:00 in Bandung (WIB), still 2026 in UTC: the 2026 answer no longer counts
    new_year_in_bandung = dt.datetime(2026, 12, 31, 20, tzinfo=dt.UTC)
    due = services.dashboard_assessments(users["bandung_editor"], now=new_year_in_bandung)
    assert p in due
    assert p not in services.dashboard_assessments(
        users["bandung_editor"], now=dt.datetime(2026, 12, 31, 16, tzinfo=dt.UTC)
    )


# --- plan targets ------------------------------------------------------------------------------


def test_a_call_fits_a_partnership_through_its_plan_target_and_names_it(client, users, ties, governments):
    """Bandung–Busan records smart city only, but its plan in force has a target served by a
    student exchange: a call for student exchanges fits it, naming the target."""
    from kembar.activities import services as activities
    from kembar.plans import services as plans

    admin, smart = users["platform_admin"], ties["smart"]
    year = timezone.now().year
    plan = plans.create_plan(admin, smart, title="Plan", first_year=year - 1, last_year=year + 1)
    o = plans.add_objective(admin, plan, side=governments["bandung"], title="Youth")
    target = plans.add_target(admin, o, title="Forty students exchanged", indicator="participants", target_value=40)
    when = timezone.now() + dt.timedelta(days=30)
    exchange = activities.create_activity(
        admin,
        smart,
        title="Summer school",
        type="student_exchange",
        host=governments["bandung"],
        start=when,
        end=when + dt.timedelta(hours=3),
    )
    call = enter(admin, countries=[], fields=["youth_sport"], activity_types=["student_exchange"])
    page_before = [f.item for f in services.partnerships_for_call(admin, call)]
    assert smart in page_before  # the activity alone already shares the kind
    plans.link(admin, target, activity=exchange)
    fits = {f.item.pk: f for f in services.calls_for_partnership(admin, smart)}
    assert "fits target: Forty students exchanged" in fits[call.pk].reasons
    client.force_login(users["bandung_viewer"])
    page = client.get(call.get_absolute_url()).content.decode()
    assert "fits target: Forty students exchanged" in page
    # A plan no longer in force counts no more.
    plans.update_plan(admin, plan, expected_version=plan.version, first_year=year - 3, last_year=year - 2)
    fits = {f.item.pk: f for f in services.calls_for_partnership(admin, smart)}
    assert not [r for r in fits[call.pk].reasons if r.startswith("fits target")]
