"""The oversight roll-up (/oversight/, GET /api/oversight/summary, `kembar oversight-summary`):
who sees it (oversight bodies within their scope, platform administrators; nobody else), and
what each figure counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from kembar.agreements import services as agreement_services
from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate
from kembar.insights.models import ReportFile
from kembar.insights.oversight import rollup
from kembar.partnerships.models import Partnership
from kembar.plans import services as plan_services
from tests.support.builders import government, held_activity, imported_link, sister_cities
from tests.support.clients import logged_in
from tests.support.queries import assert_constant_queries
from tests.support.worlds import chain

pytestmark = pytest.mark.django_db

URL = "/oversight/"


@pytest.fixture
def cast(orgs, users):
    return chain.build(orgs, users)


@pytest.fixture
def world(governments, users, cast):
    """Bandung (Jawa Barat)–Braunschweig, an office's record; Surabaya (Jawa Timur)–Busan, an
    imported link with nothing recorded; Kyoto–Liverpool, outside Indonesia."""
    admin = users["platform_admin"]
    bandung_braunschweig = sister_cities(governments)
    surabaya_busan = imported_link(governments["surabaya"], governments["busan"])
    kyoto_liverpool = imported_link(governments["kyoto"], governments["liverpool"])
    return {
        "admin": admin,
        "bandung": bandung_braunschweig,
        "surabaya": surabaya_busan,
        "kyoto": kyoto_liverpool,
    }


def figures(user, country: str = "") -> rollup.Rollup:
    scope = rollup.scope_for(user, country)
    assert scope is not None
    return rollup.build(user, scope)


def in_procedure(partnership, users, days: int, title: str = "MoU") -> Agreement:
    """An agreement whose first stage started `days` days ago."""
    agreement = agreement_services.create_agreement(
        users["platform_admin"], partnership, template=ProcedureTemplate.objects.get(code="ksdpl"), title=title
    )
    Agreement.objects.filter(pk=agreement.pk).update(status="in_procedure")
    first = AgreementStage.objects.filter(agreement=agreement).order_by("position").first()
    AgreementStage.objects.filter(pk=first.pk).update(
        status="active", started_at=timezone.now() - dt.timedelta(days=days, hours=1)
    )
    return agreement


def signed(partnership, users, ends_in_days: int, title: str) -> Agreement:
    agreement = agreement_services.create_agreement(
        users["platform_admin"], partnership, template=ProcedureTemplate.objects.get(code="ksdpl"), title=title
    )
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(
        status="in_force",
        signed_on=today - dt.timedelta(days=700),
        ends_on=today + dt.timedelta(days=ends_in_days),
    )
    return agreement


# --- who --------------------------------------------------------------------------------------------


def test_kemendagri_reads_the_whole_of_indonesia(client, users, world):
    r = figures(users["oversight"])
    assert r.totals.partnerships == 2  # Bandung's and Surabaya's, not Kyoto's
    provinces = {row.label: row.count for row in r.totals.by_province}
    assert provinces == {"Jawa Barat": 1, "Jawa Timur": 1}
    assert {row.code: row.count for row in r.totals.by_country} == {"DE": 1, "KR": 1}
    page = logged_in(client, users, "oversight").get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Roll-up of Indonesia" in text
    assert "Jawa Barat" in text and "Jawa Timur" in text
    assert len(page.content) < 300_000


def test_a_provincial_bureau_reads_its_province_only(client, users, world):
    r = figures(users["jabar_editor"])
    assert r.totals.partnerships == 1
    assert [row.label for row in r.totals.by_province] == ["Jawa Barat"]
    assert [row.code for row in r.totals.by_country] == ["DE"]
    text = logged_in(client, users, "jabar_editor").get(URL).content.decode()
    assert "Jawa Barat" in text
    assert "Jawa Timur" not in text and "Korea" not in text  # Surabaya–Busan is East Java's


def test_an_office_editor_and_viewer_get_404(client, users, world):
    for name in ("bandung_editor", "bandung_viewer", "braunschweig_editor"):
        c = logged_in(client, users, name)
        assert c.get(URL).status_code == 404
        assert c.post(URL + "export/", {"format": "csv"}).status_code == 404
        assert c.get(URL + "map.json").status_code == 404
        client.logout()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(URL + "export/", {"format": "pdf"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_platform_administrator_reads_everything_or_one_country(client, users, world):
    r = figures(users["platform_admin"])
    assert r.totals.partnerships == 3
    assert r.scope.label == "the whole platform"
    assert figures(users["platform_admin"], "JP").totals.partnerships == 1
    c = logged_in(client, users, "platform_admin")
    assert "Roll-up of Japan" in c.get(URL + "?country=JP").content.decode()
    # Only an administrator picks: an oversight body's ?country= changes nothing.
    assert "Roll-up of Indonesia" in logged_in(client, users, "oversight").get(URL + "?country=JP").content.decode()


def test_the_nav_and_the_dashboard_link_it_for_oversight_only(client, users, world):
    text = logged_in(client, users, "oversight").get("/").content.decode()
    assert 'href="/oversight/"' in text
    client.logout()
    assert 'href="/oversight/"' not in logged_in(client, users, "bandung_editor").get("/").content.decode()


# --- what each figure counts ---------------------------------------------------------------------------


def test_no_record_and_dormant_are_counted_apart(users, governments, world):
    # Bandung–Braunschweig had an activity three years ago: dormant. Surabaya–Busan: imported,
    # nothing recorded: no record, never dormant.
    held_activity(
        users["bandung_editor"],
        world["bandung"],
        governments["bandung"],
        timezone.now() - dt.timedelta(days=3 * 365),
    )
    r = figures(users["oversight"])
    assert r.dormant == 1
    assert r.no_record == 1
    assert sum(n for _code, _label, n in r.health) == 2
    assert r.years[3].held == 1  # three years ago


def test_agreements_at_each_stage_with_days_waiting(client, users, world):
    in_procedure(world["bandung"], users, 12, title="MoU Bandung")
    in_procedure(world["surabaya"], users, 40, title="MoU Surabaya")
    in_procedure(world["kyoto"], users, 90, title="MoU Kyoto")  # outside Indonesia
    r = figures(users["oversight"])
    assert r.waiting_count == 2
    assert [(w.title, w.days_waiting) for w in r.waiting] == [("MoU Surabaya", 40), ("MoU Bandung", 12)]
    assert len(r.stages) == 1 and r.stages[0].agreements == 2 and r.stages[0].longest_days == 40
    jabar = figures(users["jabar_editor"])
    assert [(w.title, w.days_waiting) for w in jabar.waiting] == [("MoU Bandung", 12)]
    text = logged_in(client, users, "oversight").get(URL).content.decode()
    assert "MoU Surabaya" in text and "MoU Kyoto" not in text
    assert f'href="/agreements/{r.waiting[0].agreement_id}/"' in text


def test_agreements_ending_within_six_months(users, world):
    signed(world["bandung"], users, 100, "Ends in 100 days")
    signed(world["bandung"], users, 300, "Ends in 300 days")
    signed(world["kyoto"], users, 30, "Japan's")
    r = figures(users["oversight"])
    assert r.expiring_count == 1
    assert [(e.title, e.days_left) for e in r.expiring] == [("Ends in 100 days", 100)]


def test_money_by_funder_is_converted_with_the_rate_named(users, governments, world):
    admin = users["platform_admin"]
    plan_services.set_rate("EUR", "IDR", Decimal("17000"), dt.date(2020, 1, 1))
    year = timezone.localdate().year
    plan = plan_services.create_plan(admin, world["bandung"], title="Plan", first_year=year, last_year=year + 1)
    on = dt.date(year, 1, 15)
    side = governments["bandung"]
    plan_services.add_line(admin, plan, side=side, funder="apbd", amount=Decimal(1000), currency="IDR", on=on)
    plan_services.add_line(admin, plan, side=side, funder="eu", amount=Decimal(10), currency="EUR", on=on)
    plan_services.add_line(admin, plan, side=side, funder="eu", amount=Decimal(5), currency="EUR", on=on)
    other = plan_services.create_plan(admin, world["kyoto"], title="Kyoto", first_year=year, last_year=year)
    plan_services.add_line(
        admin, other, side=governments["kyoto"], funder="eu", amount=Decimal(7), currency="EUR", on=on
    )
    r = figures(users["oversight"])
    by_funder = {row.funder: row.budget for row in r.money.rows}
    assert by_funder == {"apbd": Decimal("1000.00"), "eu": Decimal("255000.00")}
    assert r.money.total("budget") == Decimal("256000.00")
    assert r.money.rate_names() == ["1 EUR = 17,000 IDR (rate of 1 Jan 2020)"]
    assert r.plans.with_plan == 1


def test_self_assessment_averages_of_the_latest_year(users, governments, world):
    from kembar.grants.models import SelfAssessment

    answers = {"goals_agreed": {"score": 4, "comment": ""}, "goals_priorities": {"score": 2, "comment": ""}}
    SelfAssessment.objects.create(
        partnership=world["bandung"], government=governments["bandung"], year=2025, answers=answers
    )
    SelfAssessment.objects.create(
        partnership=world["bandung"],
        government=governments["braunschweig"],
        year=2025,
        answers={"goals_agreed": {"score": 5, "comment": ""}},
    )
    SelfAssessment.objects.create(
        partnership=world["bandung"],
        government=governments["bandung"],
        year=2024,
        answers={"results_targets": {"score": 1, "comment": ""}},
    )
    r = figures(users["oversight"])
    averages = {code: value for code, _label, value in r.assessment.averages}
    assert r.assessment.year == 2025 and r.assessment.answered == 2
    assert averages["goals"] == 4.0  # (3.0 + 5.0) / 2
    assert averages["results"] is None


# --- files, API, command line ----------------------------------------------------------------------------


def exported(c, fmt: str, **extra):
    """Ask for the tables as `fmt`: the job queue writes the file (at once in the tests), the
    status page follows it, the file link gives it."""
    asked = c.post(URL + "export/", {"format": fmt, **extra})
    assert asked.status_code == 302 and asked["Location"].startswith("/insights/reports/"), asked
    report = ReportFile.objects.get(pk=asked["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert report.kind == "rollup" and report.status == "ready", report.error
    return c.get(asked["Location"] + "file")


def test_exports_open_and_neutralise_formulas(client, users, world):
    signed(world["bandung"], users, 50, '=HYPERLINK("http://evil.example")')
    c = logged_in(client, users, "oversight")
    response = exported(c, "csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not any(cell.startswith("=") for cell in cells)
    workbook = load_workbook(io.BytesIO(b"".join(exported(c, "xlsx").streaming_content)))
    values = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert "Jawa Barat" in values
    assert all(cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row)
    pdf = PdfReader(io.BytesIO(b"".join(exported(c, "pdf").streaming_content)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Roll-up of Indonesia" in text and "Jawa Barat" in text
    assert c.post(URL + "export/", {"format": "doc"}).status_code == 400
    assert not ReportFile.objects.filter(format="doc").exists()


def test_the_map_has_the_scope_only(client, users, world):
    data = logged_in(client, users, "jabar_editor").get(URL + "map.json").json()
    assert [line[5] for line in data["lines"]] == [world["bandung"].pk]


def test_the_api_answers_the_same_figures(api, users, world):
    body = api("get", "/api/oversight/summary", as_="jabar_editor").json()
    assert body["partnerships"] == 1 and body["scope"]["places"] == [{"country": "ID", "province": "30"}]
    assert body["no_record"] == 0
    assert api("get", "/api/oversight/summary", as_="oversight").json()["no_record"] == 1
    assert api("get", "/api/oversight/summary", as_="bandung_editor").status_code == 404
    assert api("get", "/api/oversight/summary").status_code == 404
    assert (
        api("get", "/api/oversight/summary", as_="platform_admin", query={"country": "JP"}).json()["partnerships"] == 1
    )


def test_the_command_prints_a_body_s_roll_up(cast, world):
    out = io.StringIO()
    call_command(
        "oversight_summary",
        "--org",
        str(cast["jabar_editor"] and _org("Biro Pemerintahan Jawa Barat")),
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["partnerships"] == 1
    out = io.StringIO()
    call_command("oversight_summary", "--org", "Kemendagri", stdout=out)
    assert "Jawa Timur" in out.getvalue()


def _org(name: str) -> int:
    from kembar.accounts.models import Organisation

    return Organisation.objects.get(name=name).pk


# --- queries ---------------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_a_large_scope(client, users, governments, world):
    c = logged_in(client, users, "oversight")
    c.get(URL)  # warm-up: sessions, the access object's first query shapes
    with assert_constant_queries() as queries:
        with queries.few():
            assert c.get(URL).status_code == 200
        others = [government(name, "ID") for name in ("Medan", "Semarang", "Makassar", "Palembang")]
        foreign = [governments["kyoto"], governments["busan"], governments["liverpool"]]
        for g in others:
            for f in foreign:
                p = imported_link(g, f)
                held_activity(users["platform_admin"], p, g, timezone.now() - dt.timedelta(days=30))
                in_procedure(p, users, 5, title=f"MoU {p.pk}")
                signed(p, users, 60, f"Signed {p.pk}")
        assert Partnership.objects.count() > 12
        with queries.many():
            assert c.get(URL).status_code == 200
