"""The annual report's plan versus actual, money by funder and self-assessment (issue 25 item 5):
the same figures as `kembar plan --json`, in the PDF and the XLSX, for the readers of the
government's report only."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from kembar.grants import services as grants
from kembar.grants.vocab import QUESTION_CODES
from kembar.insights.analytics import reports
from kembar.insights.analytics.pivot import resolve_scope
from kembar.partnerships.models import Partnership
from kembar.plans import services as plans
from tests.insights.test_analytics import pdf_text
from tests.support.builders import held_activity, sister_cities

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes, title: str) -> list[list]:
    sheet = load_workbook(io.BytesIO(content))[title]
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]


@pytest.fixture
def demo():
    from kembar.dashboard.demo import load_demo

    load_demo()
    out = io.StringIO()
    call_command("plan", "Bandung,ID", "Fort Worth,US", "--json", stdout=out)
    found = json.loads(out.getvalue())
    pair = Partnership.objects.select_related("government_a", "government_b").get(pk=found["plan"]["partnership"])
    bandung, fort_worth = sorted((pair.government_a, pair.government_b), key=lambda g: g.country_code != "ID")
    return bandung, fort_worth, found


def test_the_report_shows_the_same_plan_and_money_as_kembar_plan_on_the_demo(demo):
    """Done when: `kembar plan "Bandung,ID" "Fort Worth,US" --json` shows a target with progress
    and a funded line; Bandung's annual report shows the same figures."""
    bandung, fort_worth, plan = demo
    assert any(t["percent"] > 0 for t in plan["targets"])
    scope = resolve_scope(reports.OPERATOR, government=bandung.pk)
    data = reports.build_report(reports.OPERATOR, scope, 2026, "en")
    c = data.cooperation
    title = plan["plan"]["title"]
    mine = [t for t in c.targets if t.plan == title]
    assert [(t.target, str(t.target_value), str(t.achieved), t.percent) for t in mine] == [
        (t["title"], t["target"], t["achieved"], t["percent"]) for t in plan["targets"]
    ]
    # Money of 2026: the plan's budget by funder, and each funded line with its converted figure.
    assert c.currency == plan["budget"]["currency"] == "IDR"
    assert sum(f.plan_budget for f in c.funders) == Decimal(plan["budget"]["by_year"]["2026"])
    funded = {(f["for"], f["funder"], f["amount"], f["converted"]) for f in plan["funding"] if f["on"][:4] == "2026"}
    assert funded
    shown = {
        (x.what, code, str(x.amount), str(x.converted))
        for x in c.lines
        for code in [f["funder"] for f in plan["funding"] if f["for"] == x.what]
        if not x.what.startswith("Plan budget")
    }
    assert funded <= shown
    usd = next(x for x in c.lines if x.currency == "USD")
    assert usd.converted == Decimal("12000") * Decimal("16700") and "1 USD = 16,700 IDR" in usd.rate

    # The XLSX carries the same numbers, as numbers.
    xlsx = reports.render_xlsx(data)
    rows = sheet_rows(xlsx, "Plan vs actual")
    assert [(r[0].split(" (")[0], Decimal(str(r[2])), Decimal(str(r[3])), r[4]) for r in rows] == [
        (t["title"], Decimal(t["target"]), Decimal(t["achieved"]), f"{t['percent']}%") for t in plan["targets"]
    ]
    money = sheet_rows(xlsx, "Money by funder")
    assert money[-1][0] == "Total" and Decimal(str(money[-1][1])) == Decimal(plan["budget"]["by_year"]["2026"])

    # The PDF names the rate and the progress (the demo is built once: these checks share it).
    english = " ".join(pdf_text(reports.write_report(reports.OPERATOR, scope, 2026, "pdf", "en")).split())
    assert "plan versus actual" in english and "Exchange meetings held" in english
    assert "1 USD = 16,700 IDR" in english and "Money by funder in 2026" in english
    assert "Progress of the plans of action in force" in english
    indonesian = pdf_text(reports.write_report(reports.OPERATOR, scope, 2026, "pdf", "id"))
    assert "16.700" in indonesian  # numbers as Indonesian writes them

    # Last year's self-assessment: both sides answered it in the demo.
    last_year = timezone.now().year - 1
    scope = resolve_scope(reports.OPERATOR, government=bandung.pk)
    c = reports.build_report(reports.OPERATOR, scope, last_year, "en").cooperation
    sides = {a.side for a in c.assessments if fort_worth.name in a.partnership}
    assert sides == {bandung.name, fort_worth.name}
    assert all(all(s is not None and 1 <= s <= 5 for s in a.scores) for a in c.assessments)


@pytest.fixture
def year_2026(governments, users):
    """Bandung–Braunschweig: a plan 2025–2027 with one target met half, a spent line in EUR, both
    sides' self-assessments of 2026; Surabaya's office has nothing to do with it."""
    pair = sister_cities(governments)
    admin = users["platform_admin"]
    plans.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2026, 1, 1))
    plan = plans.create_plan(admin, pair, title="Plan 2025–2027", first_year=2025, last_year=2027)
    o = plans.add_objective(admin, plan, side=governments["bandung"], title="Education")
    t = plans.add_target(admin, o, title="Two exchanges", indicator="activities_held", target_value=2)
    when = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)
    activity = held_activity(admin, pair, governments["bandung"], when)
    plans.link(admin, t, activity=activity)
    plans.add_line(
        admin,
        activity,
        side=governments["braunschweig"],
        kind="spent",
        funder="eu",
        amount=Decimal(100),
        currency="EUR",
        on=dt.date(2026, 3, 2),
    )
    plans.add_line(
        admin,
        activity,
        side=governments["bandung"],
        kind="spent",
        funder="apbd",
        amount=Decimal(100),
        currency="EUR",
        on=dt.date(2025, 3, 2),
    )  # another year: not in 2026's report
    for side, score in ((governments["bandung"], 4), (governments["braunschweig"], 2)):
        answers = {code: {"score": score} for code in QUESTION_CODES}
        grants.answer_assessment(admin, pair, side.pk, answers, year=2026, now=when)
    return pair


def test_a_government_report_has_its_plans_money_and_self_assessment(year_2026, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    data = reports.build_report(users["bandung_viewer"], scope, 2026, "en")
    c = data.cooperation
    [target] = c.targets
    assert (target.target, target.target_value, target.achieved, target.percent) == ("Two exchanges", 2, 1, 50)
    [eu] = c.funders
    assert (eu.funder, eu.spent, eu.budget, eu.plan_budget) == ("European Union", Decimal("1700000.00"), 0, 0)
    [line] = c.lines
    assert line.amount == 100 and line.currency == "EUR" and "1 EUR = 17,000 IDR" in line.rate
    assert {(a.side, a.scores[-1]) for a in c.assessments} == {("Braunschweig", 2.0), ("Bandung", 4.0)}
    headings = [h for h, *_rest in reports.tables(data)]
    assert "Plans of action in force in 2026: plan versus actual" in headings
    rows = sheet_rows(reports.render_xlsx(data), "Self-assessment")
    assert {r[0].split(" (")[0] for r in rows} == {"Bandung", "Braunschweig"} and {r[-1] for r in rows} == {4, 2}


def test_a_line_without_a_rate_is_named_and_left_out(year_2026, users, governments):
    activity = year_2026.activities.get()
    plans.add_line(
        users["platform_admin"],
        activity,
        side=governments["bandung"],
        kind="budget",
        funder="jica",
        amount=Decimal(5),
        currency="CHF",
        on=dt.date(2026, 5, 1),
    )
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    data = reports.build_report(users["bandung_viewer"], scope, 2026, "en")
    chf = next(x for x in data.cooperation.lines if x.currency == "CHF")
    assert chf.converted is None and "no rate" in chf.rate
    assert [f.funder for f in data.cooperation.funders] == ["European Union"]
    assert any("1 lines without a rate left out" in h for h, *_rest in reports.tables(data))


def test_roll_ups_carry_no_plan_section(year_2026, users):
    scope = resolve_scope(users["oversight"])
    assert reports.build_report(users["oversight"], scope, 2026, "en").cooperation is None


def test_the_report_asks_a_constant_number_of_queries_for_the_plans(year_2026, users, governments):
    """One plan or three: the sections cost the same number of queries per plan, whatever its
    targets, links and lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kembar.insights.analytics import cooperation

    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            cooperation.build(users["bandung_viewer"], scope, 2026)
        return len(ctx.captured_queries)

    count()  # the reader's memberships, read once and kept
    before = count()
    admin = users["platform_admin"]
    plan = Partnership.objects.get(pk=year_2026.pk).plans.get()
    o = plans.add_objective(admin, plan, side=governments["bandung"], title="More")
    for n in range(3):
        plans.add_target(admin, o, title=f"Target {n}", indicator="participants", target_value=10)
    plans.add_line(
        admin,
        plan,
        side=governments["bandung"],
        funder="apbd",
        amount=Decimal(1),
        currency="IDR",
        on=dt.date(2026, 1, 1),
    )
    assert count() == before
