"""Plans of action and money: progress computed from what was held, totals converted at the rate
in force on each line's date, each office editing its own side, the API, query budgets and
`kembar plan` on the demo."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from kembar.activities import services as activities
from kembar.plans import services
from kembar.plans.models import MoneyLine, Objective, Target
from tests.support.builders import held_activity, sister_cities
from tests.support.clients import errors_by_field
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)


@pytest.fixture
def pair(governments):
    """Bandung–Braunschweig (public): both offices on the platform; Surabaya's is unrelated."""
    return sister_cities(governments)


@pytest.fixture
def plan(pair, users, governments):
    admin = users["platform_admin"]
    plan = services.create_plan(admin, pair, title="Plan 2025–2027", first_year=2025, last_year=2027)
    services.add_objective(admin, plan, side=governments["bandung"], title="Education")
    services.add_objective(admin, plan, side=governments["braunschweig"], title="Culture")
    return plan


def objective(plan, government) -> Objective:
    return plan.objectives.get(side=government)


def planned_activity(user, pair, host, **extra):
    return activities.create_activity(
        user,
        pair,
        title="Planned exchange",
        type="student_exchange",
        host=host,
        start=WHEN,
        end=WHEN + dt.timedelta(hours=3),
        **extra,
    )


# --- progress ---------------------------------------------------------------------------------


def test_progress_comes_from_held_activities_their_participants_and_outcomes(plan, pair, users, governments):
    editor, bandung = users["bandung_editor"], governments["bandung"]
    education = objective(plan, bandung)
    held = services.add_target(editor, education, title="Exchanges", indicator="activities_held", target_value=2)
    people = services.add_target(editor, education, title="People", indicator="participants", target_value=Decimal(30))
    learned = services.add_target(editor, education, title="Lessons", indicator="outcomes", target_value=1)
    first = held_activity(editor, pair, bandung, WHEN, participants_a=10, participants_b=5)
    coming = planned_activity(editor, pair, bandung, participants_a=40)
    for target in (held, people, learned):
        services.link(editor, target, activity=first)
        services.link(editor, target, activity=coming)

    found = services.progress([held, people, learned])
    assert (found[held.pk].achieved, found[held.pk].percent) == (1, 50)
    assert (found[people.pk].achieved, found[people.pk].percent) == (15, 50)  # the planned one's 40 do not count
    assert found[learned.pk].percent == 0  # held, but no outcome recorded

    activities.update_activity(editor, first, outcomes="A joint curriculum.")
    activities.update_activity(editor, coming, status="held")
    found = services.progress([held, people, learned])
    assert found[held.pk].percent == 100
    assert found[people.pk].achieved == 55 and found[people.pk].percent == 100  # beyond the target: 100
    assert found[learned.pk].percent == 100
    assert services.plan_progress(plan) == 100


def test_only_records_of_the_partnership_serve_its_targets(plan, users, governments):
    editor = users["bandung_editor"]
    target = services.add_target(
        editor, objective(plan, governments["bandung"]), title="T", indicator="activities_held", target_value=1
    )
    other = sister_cities({"braunschweig": governments["kyoto"], "bandung": governments["bandung"]})
    elsewhere = held_activity(editor, other, governments["bandung"], WHEN)
    with pytest.raises(ValidationError) as error:
        services.link(editor, target, activity=elsewhere)
    assert "activity" in error.value.message_dict
    assert not target.links.exists()


# --- money ------------------------------------------------------------------------------------


def test_totals_convert_each_line_at_the_rate_in_force_on_its_date(plan, pair, users, governments, client):
    editor, bandung = users["bandung_editor"], governments["bandung"]
    services.set_rate("EUR", "IDR", Decimal("16000"), dt.date(2020, 1, 1))
    services.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2021, 1, 1))
    services.set_rate("USD", "IDR", Decimal("15000"), dt.date(2020, 1, 1))
    activity = held_activity(editor, pair, bandung, WHEN)
    line = dict(funder="eu", funder_name="", amount=Decimal("100"), currency="EUR")
    services.add_line(editor, activity, **line, on=dt.date(2020, 6, 1))
    services.add_line(editor, activity, **line, on=dt.date(2021, 2, 1), kind="spent")
    services.add_line(editor, activity, funder="apbd", amount=Decimal("500000"), currency="IDR", on=dt.date(2021, 3, 1))
    services.add_line(editor, activity, funder="jica", amount=Decimal("5"), currency="JPY", on=dt.date(2021, 3, 1))

    found = services.totals(services.lines_of(activity), "IDR")
    assert [x.converted for x in found.lines] == [
        Decimal("1600000.00"),
        Decimal("1700000.00"),
        Decimal("500000.00"),
        None,
    ]
    assert found.rows == {
        (2020, "eu", "budget"): Decimal("1600000.00"),
        (2021, "eu", "spent"): Decimal("1700000.00"),
        (2021, "apbd", "budget"): Decimal("500000.00"),
    }
    assert len(found.unconverted) == 1  # no JPY rate: left out, and said so
    assert found.lines[0].rate.dates == (dt.date(2020, 1, 1),)
    assert found.lines[1].rate.dates == (dt.date(2021, 1, 1),)

    # The other way round (the inverse), and between two foreign currencies through IDR.
    in_eur = services.totals(services.lines_of(activity), "EUR")
    assert in_eur.lines[2].converted == Decimal("29.41")  # 500,000 IDR / 17,000
    in_usd = services.totals(services.lines_of(activity), "USD")
    assert in_usd.lines[0].converted == Decimal("106.67")  # 100 EUR × 16,000 / 15,000
    assert in_usd.lines[0].rate.via == "IDR"

    client.force_login(users["braunschweig_editor"])
    page = client.get(reverse("plans:activity_money", args=[activity.pk])).content.decode()
    assert "1 EUR = 17,000 IDR (rate of 1 Jan 2021)" in page
    assert "1,700,000.00" in page
    assert "no rate" in page


def test_partnership_and_office_totals_by_funder_and_year(plan, pair, users, governments, api):
    editor, bandung = users["bandung_editor"], governments["bandung"]
    services.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2020, 1, 1))
    activity = held_activity(editor, pair, bandung, WHEN)
    services.add_line(editor, activity, funder="eu", amount=Decimal("10"), currency="EUR", on=dt.date(2026, 3, 1))
    services.add_line(
        users["braunschweig_editor"],
        activity,
        funder="partner_city",
        amount=Decimal("20"),
        currency="EUR",
        on=dt.date(2025, 3, 1),
    )
    by_partnership = api("get", "/api/plans/money/totals", "bandung_viewer", query={"partnership": pair.pk}).json()
    assert {(r["year"], r["funder"], r["budget"]) for r in by_partnership["rows"]} == {
        (2026, "eu", "170000.00"),
        (2025, "partner_city", "340000.00"),
    }
    assert all(x["rate"].startswith("1 EUR = 17,000 IDR") for x in by_partnership["lines"])
    office = api(
        "get", "/api/plans/money/totals", "oversight", query={"government": bandung.pk, "year": 2026, "currency": "EUR"}
    ).json()
    assert [(r["funder"], r["budget"]) for r in office["rows"]] == [("eu", "10.00")]
    refused = api("get", "/api/plans/money/totals", "surabaya_editor", query={"government": bandung.pk})
    assert refused.status_code == 403


def test_bad_money_input_names_the_field_and_writes_nothing(plan, pair, users, governments):
    editor = users["bandung_editor"]
    activity = held_activity(editor, pair, governments["bandung"], WHEN)
    for bad, field in (
        ({"currency": "XYZ"}, "currency"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"funder": "other"}, "funder_name"),
        ({"funder": "bank"}, "funder"),
    ):
        data = {"funder": "apbd", "amount": Decimal("1"), "currency": "IDR", "on": dt.date(2026, 1, 1), **bad}
        with pytest.raises(ValidationError) as error:
            services.add_line(editor, activity, **data)
        assert field in error.value.message_dict
    assert not MoneyLine.objects.exists()


# --- permissions ------------------------------------------------------------------------------


def test_each_office_edits_its_own_side(plan, users, governments):
    bandung, braunschweig = governments["bandung"], governments["braunschweig"]
    bandung_editor, braunschweig_editor = users["bandung_editor"], users["braunschweig_editor"]
    services.add_target(
        bandung_editor, objective(plan, bandung), title="Ours", indicator="activities_held", target_value=1
    )
    services.add_target(
        braunschweig_editor, objective(plan, braunschweig), title="Theirs", indicator="activities_held", target_value=1
    )
    with pytest.raises(PermissionDenied):
        services.add_target(
            bandung_editor, objective(plan, braunschweig), title="X", indicator="activities_held", target_value=1
        )
    with pytest.raises(PermissionDenied):
        services.add_objective(bandung_editor, plan, side=braunschweig, title="In their name")
    for outsider in ("bandung_viewer", "oversight", "surabaya_editor"):
        with pytest.raises(PermissionDenied):
            services.add_objective(users[outsider], plan, title="No")
    assert sorted(Target.objects.values_list("title", flat=True)) == ["Ours", "Theirs"]


def test_pages_both_offices_edit_their_side_oversight_reads_others_nothing(client, plan, users, governments):
    bandung, braunschweig = governments["bandung"], governments["braunschweig"]
    url = reverse("plans:detail", args=[plan.pk])
    theirs = reverse("plans:objective_edit", args=[objective(plan, braunschweig).pk])
    ours = reverse("plans:objective_edit", args=[objective(plan, bandung).pk])
    add_target = reverse("plans:target_add", args=[objective(plan, bandung).pk])
    body = {"title": "Festival visitors", "indicator": "participants", "target_value": "1,000", "unit": "people"}

    assert client.get(url).status_code == 302  # to the login
    for name, reads in (
        ("bandung_editor", 200),
        ("braunschweig_editor", 200),
        ("bandung_viewer", 200),
        ("oversight", 200),
        ("platform_admin", 200),
        ("surabaya_editor", 403),
    ):
        client.force_login(users[name])
        assert client.get(url).status_code == reads, name
    client.force_login(users["bandung_editor"])
    assert client.get(ours).status_code == 200
    assert client.get(theirs).status_code == 403
    assert client.post(add_target, body).status_code == 302
    assert Target.objects.get().target_value == 1000
    for name in ("bandung_viewer", "oversight", "surabaya_editor", "braunschweig_editor"):
        client.force_login(users[name])
        assert client.post(add_target, body).status_code == 403, name
    assert Target.objects.count() == 1

    client.force_login(users["braunschweig_editor"])
    response = client.post(
        reverse("plans:objective_add", args=[plan.pk]), {"side": braunschweig.pk, "title": "Music school exchange"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Music school exchange" in page and "Festival visitors" in page


def test_a_form_with_bad_input_shows_the_error_and_saves_nothing(client, plan, users, governments):
    client.force_login(users["bandung_editor"])
    url = reverse("plans:target_add", args=[objective(plan, governments["bandung"]).pk])
    response = client.post(url, {"title": "T", "indicator": "participants", "target_value": "many"})
    assert response.status_code == 422
    assert "is not a number" in response.content.decode()
    assert not Target.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_api_plan_with_progress_and_side_rules(api, plan, pair, users, governments):
    bandung = governments["bandung"]
    ours = objective(plan, bandung)
    created = api(
        "post",
        f"/api/plans/objectives/{ours.pk}/targets",
        "bandung_editor",
        {"title": "Exchanges", "indicator": "activities_held", "target_value": "2", "sdg_target": "4"},
    )
    assert created.status_code == 201
    target_id = created.json()["id"]
    activity = held_activity(users["bandung_editor"], pair, bandung, WHEN)
    linked = api("post", f"/api/plans/targets/{target_id}/links", "bandung_editor", {"activity_id": activity.pk})
    assert linked.status_code == 201

    read = api("get", f"/api/plans/{plan.pk}", "oversight")
    assert read.status_code == 200
    [target] = read.json()["targets"]
    assert (target["achieved"], target["target"], target["percent"], target["sdg_target"]) == ("1", "2", 50, "4")
    assert api("get", f"/api/plans/{plan.pk}", "surabaya_editor").status_code == 403  # public partnership
    assert api("get", f"/api/plans/{plan.pk}").status_code == 403  # a visitor reads the partnership, not its plan

    theirs = objective(plan, governments["braunschweig"])
    refused = api(
        "post",
        f"/api/plans/objectives/{theirs.pk}/targets",
        "bandung_editor",
        {"title": "X", "indicator": "activities_held", "target_value": "1"},
    )
    assert refused.status_code == 403

    no_version = api("patch", f"/api/plans/targets/{target_id}", "bandung_editor", {"target_value": "4"})
    assert "version" in errors_by_field(no_version)
    stale = api("patch", f"/api/plans/targets/{target_id}", "bandung_editor", {"target_value": "4", "version": 9})
    assert stale.status_code == 409
    changed = api("patch", f"/api/plans/targets/{target_id}", "bandung_editor", {"target_value": "4", "version": 1})
    assert changed.status_code == 200 and changed.json()["percent"] == 25

    line = api(
        "post",
        "/api/plans/money/lines",
        "braunschweig_editor",
        {"activity_id": activity.pk, "funder": "eu", "amount": "1000", "currency": "EUR", "on": "2026-03-01"},
    )
    assert line.status_code == 201 and line.json()["side"] == governments["braunschweig"].pk
    bad = api(
        "post",
        "/api/plans/money/lines",
        "braunschweig_editor",
        {"activity_id": activity.pk, "funder": "eu", "amount": "1000", "currency": "ABC", "on": "2026-03-01"},
    )
    assert "currency" in errors_by_field(bad)
    assert MoneyLine.objects.count() == 1


# --- query budgets ----------------------------------------------------------------------------


def test_plan_pages_and_lists_cost_the_same_queries_with_more_rows(client, api, plan, pair, users, governments):
    admin, bandung = users["platform_admin"], governments["bandung"]
    services.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2020, 1, 1))

    def add(n: int) -> None:
        for i in range(n):
            o = services.add_objective(admin, plan, side=bandung, title=f"Objective {i}")
            t = services.add_target(admin, o, title=f"Target {i}", indicator="participants", target_value=10)
            a = held_activity(admin, pair, bandung, WHEN + dt.timedelta(days=i), participants_a=i)
            services.link(admin, t, activity=a)
            services.add_planned(admin, o, year=2026, title=f"Planned {i}", side=bandung)
            services.add_line(admin, a, funder="eu", amount=Decimal(i + 1), currency="EUR", on=dt.date(2026, 1, 1))
            services.add_line(admin, plan, funder="apbd", amount=Decimal(i + 1), currency="IDR", on=dt.date(2026, 1, 1))

    client.force_login(users["bandung_editor"])
    pages = [
        reverse("plans:detail", args=[plan.pk]),
        reverse("plans:partnership", args=[pair.pk]),
        reverse("plans:partnership_totals", args=[pair.pk]),
        reverse("plans:government_totals", args=[bandung.pk]),
        f"/api/plans/{plan.pk}",
        f"/api/plans?partnership={pair.pk}",
        f"/api/plans/money/totals?partnership={pair.pk}",
    ]
    add(2)
    with assert_constant_queries() as queries:
        for url in pages:
            client.get(url)
            with queries.few(url):
                assert client.get(url).status_code == 200, url
        add(8)
        for url in pages:
            with queries.many(url):
                assert client.get(url).status_code == 200, url


# --- the command line on the demo ---------------------------------------------------------------


def test_kembar_plan_on_the_demo_shows_progress_and_funded_lines():
    from kembar.dashboard.demo import load_demo

    load_demo()
    out = io.StringIO()
    call_command("plan", "Bandung,ID", "Fort Worth,US", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"targets", "budget", "funding"} <= set(data)
    assert any(Decimal(t["achieved"]) > 0 and t["percent"] > 0 for t in data["targets"])
    funded = [f for f in data["funding"] if f["funder"] and Decimal(f["amount"]) > 0]
    assert funded and all(f["rate"] for f in funded if f["currency"] != data["budget"]["currency"])
    assert Decimal(data["budget"]["planned"]) > 0
    # Jakarta–Berlin's Smart Change is co-financed by the EU.
    assert MoneyLine.objects.filter(funder="eu", activity__title__startswith="Smart Change").exists()


# --- health -------------------------------------------------------------------------------------


def test_health_counts_the_plan_in_force_for_readers_of_the_plan(plan, pair, users, governments):
    from kembar.insights.health import score

    editor, bandung = users["bandung_editor"], governments["bandung"]
    now = dt.datetime.now(dt.UTC)
    this_year = services.create_plan(editor, pair, title="This year", first_year=now.year, last_year=now.year)
    o = services.add_objective(editor, this_year, title="Meet")
    t = services.add_target(editor, o, title="One meeting", indicator="activities_held", target_value=1)
    services.link(editor, t, activity=held_activity(editor, pair, bandung, now - dt.timedelta(days=400)))

    health = score.health_of(users["bandung_viewer"], pair)
    [factor] = [f for f in health.factors if f.code == "plan"]
    assert (factor.points, factor.max) == (score.PLAN_BONUS["max"], score.PLAN_BONUS["max"])
    assert "100%" in factor.text
    # A visitor reads the same (public) activities but not the plan: no plan factor, fewer points.
    visitor = score.health_of(None, pair)
    assert not [f for f in visitor.factors if f.code == "plan"]
    assert health.score == min(100, visitor.score + factor.points) > visitor.score


def test_health_api_names_the_plan_factor(api, plan, pair, users, governments):
    editor = users["bandung_editor"]
    now = dt.datetime.now(dt.UTC)
    current = services.create_plan(editor, pair, title="This year", first_year=now.year, last_year=now.year)
    o = services.add_objective(editor, current, title="Meet")
    services.add_target(editor, o, title="One meeting", indicator="activities_held", target_value=1)
    response = api("get", f"/api/insights/health/{pair.pk}", "bandung_viewer")
    assert response.status_code == 200
    assert "plan" in [f["code"] for f in response.json()["factors"]]
