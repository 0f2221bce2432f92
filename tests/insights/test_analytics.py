"""Pivot analytics and the SDG report against a hand-counted fixture.

The fixture (`analytics_world`), Bandung's zone is Asia/Jakarta (UTC+7), Braunschweig's
Europe/Berlin:

| # | partnership | start (UTC) | status | modality (planned → now) | field | SDG | public |
| --- | --- | --- | --- | --- | --- | --- | --- |
| a1 | Bandung–Braunschweig | 2019-06-10 | held | in person | culture | 11, 11.4 (15 people, outcomes) | yes |
| a2 | Bandung–Braunschweig | 2020-05-05 | held | in person → virtual | education | 4 | yes |
| a3 | Bandung–Braunschweig | 2020-09-01 → 2021-08-01 | postponed | in person | culture | | yes |
| a4 | Bandung–Braunschweig | 2020-04-01 | cancelled | in person | tourism | | yes |
| a5 | Bandung–Braunschweig | 2026-03-31 20:00 (Bandung: 1 April) | held | hybrid | education | 11.3 (outcomes) | yes |
| a6 | Bandung–Braunschweig | 2026-11-10, yearly | planned | virtual | smart city | 11, 9 | yes |
| a7 | Bandung–Kyoto | 2026-02-01 | held | in person | culture | | no |
| a8 | Bandung–Busan (private) | 2026-05-01 | held | virtual | education | | yes |
| a9 | Surabaya–Busan | 2026-07-01 | held | in person | trade | | yes |
"""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.http import Http404

from kembar.accounts import permissions
from kembar.activities import services as activities
from kembar.insights.analytics import pivot as pivot_module
from kembar.insights.analytics.pivot import ScopeError, parse_year, pivot, resolve_scope
from kembar.insights.analytics.sdg import sdg_report
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment
from tests.support.builders import planned_event
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def analytics_world(governments, users):
    admin = users["platform_admin"]
    bandung, braunschweig, kyoto, busan, surabaya = (
        governments[k] for k in ("bandung", "braunschweig", "kyoto", "busan", "surabaya")
    )
    bb = registry.create_partnership(admin, bandung, braunschweig, public=True)
    bk = registry.create_partnership(admin, bandung, kyoto, public=True)
    private = registry.create_partnership(admin, bandung, busan, public=False)
    sb = registry.create_partnership(admin, surabaya, busan, public=True)

    def make(partnership, title, start, host=bandung, **data):
        return activities.create_activity(
            admin,
            partnership,
            title=title,
            type="work_visit",
            host=host,
            start=start,
            end=start + dt.timedelta(hours=3),
            **{"public": True, **data},
        )

    made = {
        "a1": make(
            bb,
            "a1",
            at(2019, 6, 10, 2),
            status="held",
            field="culture",
            sdg_targets=["11", "11.4"],
            outcomes="Heritage plan",
            participants_a=10,
            participants_b=5,
        ),
        "a2": make(bb, "a2", at(2020, 5, 5, 2), status="held", field="education", sdg_targets=["4"]),
        "a3": make(bb, "a3", at(2020, 9, 1, 2), field="culture"),
        "a4": make(bb, "a4", at(2020, 4, 1, 2), status="cancelled", field="tourism"),
        "a5": make(
            bb,
            "a5",
            at(2026, 3, 31, 20),
            status="held",
            modality="hybrid",
            field="education",
            sdg_targets=["11.3"],
            outcomes="Joint report",
        ),
        "a6": make(
            bb,
            "a6",
            at(2026, 11, 10, 2),
            modality="virtual",
            field="smart_city",
            sdg_targets=["11", "9"],
            recurrence="FREQ=YEARLY",
        ),
        "a7": make(bk, "a7", at(2026, 2, 1, 2), status="held", field="culture", public=False),
        "a8": make(private, "a8", at(2026, 5, 1, 2), status="held", modality="virtual", field="education"),
        "a9": make(sb, "a9", at(2026, 7, 1, 2), host=surabaya, status="held", field="trade"),
    }
    made["a2"] = activities.convert(admin, made["a2"], modality="virtual", reason="Travel ban")
    made["a3"] = activities.postpone(admin, made["a3"], reason="Pandemic", new_start=at(2021, 8, 1, 2))
    return made


def quarters(result) -> dict[str, int]:
    return {q.label: q.tally.total for q in result.quarters}


def periods(result) -> dict:
    return {p.key: p.tally for p in result.periods}


def test_a_government_counts_per_quarter_in_its_own_time_zone(analytics_world, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    result = pivot(users["bandung_viewer"], scope, year=2026)
    # a5 starts 31 March 20:00 UTC, already 1 April in Bandung: Q2 with a8; a7 in Q1; a6 in Q4.
    assert quarters(result) == {"2026 Q1": 1, "2026 Q2": 2, "2026 Q3": 0, "2026 Q4": 1}
    q2 = result.quarters[1].tally
    assert q2.modality == {"in_person": 0, "virtual": 1, "hybrid": 1}
    assert result.total == 4


def test_the_same_activity_falls_in_q1_for_the_partner_in_europe(analytics_world, users, governments):
    scope = resolve_scope(users["oversight"], government=f"{governments['braunschweig'].name},DE")
    result = pivot(users["oversight"], scope, year=2026)
    assert quarters(result) == {"2026 Q1": 1, "2026 Q2": 0, "2026 Q3": 0, "2026 Q4": 1}


def test_periods_show_the_pandemic_pivot_postponements_and_cancellations(analytics_world, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    by = periods(pivot(users["bandung_viewer"], scope))
    assert (by["before"].total, by["during"].total, by["after"].total) == (1, 3, 4)
    during = by["during"]
    assert during.pivoted == 1  # a2: planned in person, held virtually
    assert during.status["postponed"] == 1 and during.status["cancelled"] == 1 and during.status["held"] == 1
    assert during.modality == {"in_person": 0, "virtual": 1, "hybrid": 0}
    assert by["after"].modality == {"in_person": 1, "virtual": 2, "hybrid": 1}
    assert by["before"].modality == {"in_person": 1, "virtual": 0, "hybrid": 0}
    assert by["after"].remote_share == 75


def test_a_postponed_activity_counts_where_its_new_date_is(analytics_world, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    assert quarters(pivot(users["bandung_viewer"], scope, year=2021)) == {
        "2021 Q1": 0,
        "2021 Q2": 0,
        "2021 Q3": 1,
        "2021 Q4": 0,
    }


def test_pandemic_dates_come_from_the_settings(analytics_world, users, governments, settings):
    settings.KEMBAR_PANDEMIC_START, settings.KEMBAR_PANDEMIC_END = "2020-06-01", "2020-12-31"
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    by = periods(pivot(users["bandung_viewer"], scope))
    # a2 (May 2020) and a4 (April 2020) are now before; a3 (August 2021) after.
    assert (by["before"].total, by["during"].total, by["after"].total) == (3, 0, 5)


def test_outsiders_see_only_public_activities_of_public_partnerships(analytics_world, users, governments):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), users["surabaya_editor"]):
        scope = resolve_scope(user, government=governments["bandung"].pk)
        # a7 is not public, a8's partnership is private.
        assert quarters(pivot(user, scope, year=2026)) == {"2026 Q1": 0, "2026 Q2": 1, "2026 Q3": 0, "2026 Q4": 1}


def test_a_private_partnership_does_not_exist_for_outsiders(analytics_world, users):
    private = analytics_world["a8"].partnership
    with pytest.raises(Http404):
        resolve_scope(users["surabaya_editor"], partnership=private.pk)
    scope = resolve_scope(users["bandung_viewer"], partnership=private.pk)
    assert pivot(users["bandung_viewer"], scope).total == 1


def test_the_platform_and_a_province(analytics_world, users, governments):
    platform = pivot(users["oversight"], resolve_scope(users["oversight"]), year=2026)
    assert platform.total == 5  # a5 a6 a7 a8 a9
    # Kyoto Prefecture holds the city of Kyoto: a7 only.
    kyoto = resolve_scope(users["oversight"], province="jp-26")
    assert kyoto.kind == "province" and governments["kyoto"].pk in kyoto.government_ids
    assert pivot(users["oversight"], kyoto, year=2026).total == 1
    with pytest.raises(ScopeError) as error:
        resolve_scope(users["oversight"], province="XX-99")
    assert error.value.field == "province"


def test_jawa_barat_holds_bandungs_activities(analytics_world, users, governments):
    """No city is called Jawa Barat: the province reaches Bandung through GeoNames' division ID.30."""
    for text in ("ID-JB", "Jawa Barat", "West Java, ID", "ID.30"):
        scope = resolve_scope(users["oversight"], province=text)
        assert scope.province.subdivision_code == "ID-JB", text
        assert governments["bandung"].pk in scope.government_ids
        assert governments["surabaya"].pk not in scope.government_ids  # Jawa Timur
    result = pivot(users["oversight"], scope, year=2026)
    assert result.total == 4  # Bandung's a5 a6 a7 a8; not Surabaya's a9
    east = pivot(users["oversight"], resolve_scope(users["oversight"], province="ID-JI"), year=2026)
    assert east.total == 1  # a9, Surabaya's
    with pytest.raises(ScopeError, match="No province is called"):
        resolve_scope(users["oversight"], province="Atlantis")


def test_fields_are_counted_per_period(analytics_world, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    result = pivot(users["bandung_viewer"], scope)
    assert dict(result.fields)["education"] == "Education"
    fields = {p.key: p.tally.field for p in result.periods}
    assert fields["during"] == {"education": 1, "culture": 1, "tourism": 1}
    assert fields["after"] == {"education": 2, "smart_city": 1, "culture": 1}


def test_unknown_and_ambiguous_governments_and_bad_years_are_refused(analytics_world, users):
    with pytest.raises(ScopeError, match="No registered local government"):
        resolve_scope(users["oversight"], government="Atlantis,ID")
    with pytest.raises(ScopeError, match="No local government with id"):
        resolve_scope(users["oversight"], government="999999")
    for bad in ("20x6", "99999", "-1"):
        with pytest.raises(ScopeError):
            parse_year(bad)
    assert parse_year("2026") == 2026 and parse_year("") is None


def test_the_pivot_is_two_queries_whatever_the_number_of_activities(
    analytics_world, users, governments, django_assert_num_queries
):
    scope = resolve_scope(users["oversight"], government=governments["bandung"].pk)
    permissions.access(users["oversight"])  # one query per request, before any figure
    with django_assert_num_queries(2):  # the years of the data, the grouped counts
        before = pivot(users["oversight"], scope).total
    admin = users["platform_admin"]
    partnership = analytics_world["a1"].partnership
    for day in range(1, 20):
        planned_event(
            admin, partnership, governments["bandung"], at(2027, 1, day), 2, title=f"more {day}", type="other"
        )
    with django_assert_num_queries(2):
        assert pivot(users["oversight"], scope).total == before + 19
    with django_assert_num_queries(1):  # a year's quarters need no span
        pivot(users["oversight"], scope, year=2027)


# --- SDG ------------------------------------------------------------------------------------------


def goal(report, code):
    return next(row for row in report.goals + report.targets if row.code == code)


def test_sdg_counts_each_activity_once_per_goal(analytics_world, users, governments):
    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    report = sdg_report(users["bandung_viewer"], scope)
    eleven = goal(report, "11")
    # a1 (11 and 11.4: once), a5 (11.3), a6 (11)
    assert (eleven.activities, eleven.held, eleven.with_outcomes, eleven.participants) == (3, 2, 2, 15)
    assert (goal(report, "4").activities, goal(report, "9").activities, goal(report, "1").activities) == (1, 1, 0)
    assert goal(report, "11.4").activities == 1 and goal(report, "11.3").activities == 1
    assert goal(report, "11.1").activities == 0
    assert (report.activities, report.with_sdg) == (8, 4)
    assert [row.code for row in report.contributing_goals] == ["4", "9", "11"]


def test_sdg_for_a_year_and_the_governments_priorities(analytics_world, users, governments):
    bandung = governments["bandung"]
    LocalGovernment.objects.filter(pk=bandung.pk).update(sdg_priorities=[4, 11])
    LocalGovernment.objects.filter(pk=governments["braunschweig"].pk).update(sdg_priorities=[11, 13])
    report = sdg_report(users["oversight"], resolve_scope(users["oversight"]), year=2026)
    assert goal(report, "11").activities == 2  # a5, a6
    assert goal(report, "11").priority_of == 2 and goal(report, "13").priority_of == 1
    assert goal(report, "4").priority_of == 1 and goal(report, "4").activities == 0
    mine = sdg_report(users["oversight"], resolve_scope(users["oversight"], government=bandung.pk))
    assert mine.governments == 1 and goal(mine, "13").priority_of == 0 and goal(mine, "4").priority_of == 1


def test_sdg_names_in_both_languages(analytics_world, users):
    from django.utils import translation

    with translation.override("id"):
        report = sdg_report(users["oversight"], resolve_scope(users["oversight"]))
        assert goal(report, "11").label == "Kota dan permukiman yang berkelanjutan"
    report = sdg_report(users["oversight"], resolve_scope(users["oversight"]))
    assert goal(report, "11").label == "Sustainable cities and communities"


def test_sdg_report_is_a_constant_number_of_queries(analytics_world, users, django_assert_num_queries):
    scope = resolve_scope(users["oversight"])
    permissions.access(users["oversight"])
    with django_assert_num_queries(3):
        sdg_report(users["oversight"], scope)


@pytest.mark.parametrize("cached", [False, True])
def test_the_sdg_report_of_a_province_without_governments_is_empty_not_an_error(
    analytics_world, users, settings, cached
):
    """A province where no government of the registry lies (its scope's query cannot match any
    row, which Django reports as EmptyResultSet) has a report of zeros."""
    from django.core.cache import cache

    cache.clear()
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60 if cached else 0
    scope = pivot_module.Scope("province", "empty", pivot_module.platform_zone(), government_ids=[])
    report = sdg_report(users["oversight"], scope)
    assert (report.activities, report.with_sdg, report.governments) == (0, 0, 0)
    assert not report.contributing_goals and all(row.activities == 0 for row in report.targets)


def test_a_cached_sdg_report_shows_each_change_at_once_and_equals_a_fresh_count(
    analytics_world, users, governments, settings, django_assert_num_queries
):
    """With the insights' cache on, a second report is read from the cache (no query), and after
    each change (an activity recorded, re-statused, made private, deleted; a partnership made
    private; a government's priorities) every reader and scope gets at once exactly the figures
    counted from scratch."""
    from django.core.cache import cache

    cache.clear()
    admin, g = users["platform_admin"], governments
    readers = [users["oversight"], users["bandung_viewer"], None]
    scopes = [{}, {"government": g["bandung"].pk}, {"partnership": analytics_world["a1"].partnership.pk}]

    def figures(user, where, year, cached):
        settings.KEMBAR_HEALTH_CACHE_SECONDS = 60 if cached else 0
        r = sdg_report(user, resolve_scope(users["oversight"], **where), year=year)
        return r.goals, r.targets, r.activities, r.with_sdg, r.governments

    def check():
        for user in readers:
            for where in scopes:
                for year in (None, 2026):
                    assert figures(user, where, year, True) == figures(user, where, year, False), (user, where, year)

    check()
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    scope = resolve_scope(users["oversight"])
    before = sdg_report(users["oversight"], scope)
    permissions.access(users["oversight"])
    with django_assert_num_queries(0):
        assert sdg_report(users["oversight"], scope) == before
    bb = analytics_world["a1"].partnership
    new = activities.create_activity(
        admin,
        bb,
        title="new",
        type="other",
        host=g["bandung"],
        start=at(2026, 6, 30, 20),
        end=at(2026, 6, 30, 22),
        status="held",
        field="culture",
        sdg_targets=["11.5"],
    )
    after = sdg_report(users["oversight"], scope)
    assert (goal(after, "11").activities, goal(after, "11.5").activities) == (
        goal(before, "11").activities + 1,
        goal(before, "11.5").activities + 1,
    )
    assert after.with_sdg == before.with_sdg + 1
    check()
    activities.update_activity(admin, new, status="cancelled", sdg_targets=["4"])
    check()
    activities.update_activity(admin, analytics_world["a1"], public=False)
    check()
    activities.delete_activity(admin, analytics_world["a6"])
    check()
    bandung = LocalGovernment.objects.get(pk=g["bandung"].pk)
    bandung.sdg_priorities = [13]
    bandung.save()
    assert goal(sdg_report(users["oversight"], scope), "13").priority_of == 1
    check()
    bb.public = False
    bb.save()
    check()


def test_the_quarter_zone_of_the_platform_is_a_setting(analytics_world, users, settings):
    settings.KEMBAR_INSIGHTS_TIME_ZONE = "UTC"
    result = pivot(users["oversight"], resolve_scope(users["oversight"]), year=2026)
    assert quarters(result)["2026 Q1"] == 2  # a7 and, in UTC, a5
    assert pivot_module.platform_zone().key == "UTC"


# --- reports --------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_report_of_a_government_in_both_languages(analytics_world, users, governments):
    from kembar.insights.analytics.reports import write_report

    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    english = pdf_text(write_report(users["bandung_viewer"], scope, 2026, "pdf", "en"))
    assert "Sister-city cooperation report" in english and "Partnerships and their state" in english
    assert "Braunschweig, DE" in english and "Kyoto, JP" in english
    assert "2026 Q2" in english and "Contribution to the Sustainable Development Goals" in english
    indonesian = pdf_text(write_report(users["bandung_viewer"], scope, 2026, "pdf", "id"))
    assert "Laporan kerja sama kota kembar" in indonesian and "Kemitraan dan keadaannya" in indonesian
    assert "Tujuan Pembangunan Berkelanjutan" in indonesian
    assert "Kota dan permukiman yang berkelanjutan" in indonesian


def test_the_pdf_report_opens_with_a_cover_and_a_one_page_summary(analytics_world, users, governments):
    """A report a mayor reads: a cover with what, whose and which year; a summary page with the
    key numbers and the partnerships; then the tables, whose headers never break a word."""
    import io

    from pypdf import PdfReader

    from kembar.insights.analytics.reports import write_report

    scope = resolve_scope(users["bandung_viewer"], government=governments["bandung"].pk)
    pages = [
        p.extract_text()
        for p in PdfReader(io.BytesIO(write_report(users["bandung_viewer"], scope, 2026, "pdf", "en"))).pages
    ]
    cover, summary = pages[0], pages[1]
    assert "Sister-city cooperation report" in cover and "Bandung, ID" in cover and "2026" in cover
    assert "Partnerships and their state" not in cover  # the tables start after the summary
    assert "\nSummary\nKey numbers" in summary
    assert "Activities starting in 2026" in summary and "of which virtual or hybrid" in summary
    assert "Most active partnerships in 2026" in summary and "Needing attention first" in summary
    assert "Braunschweig" in summary
    assert "Partnerships and their state" not in summary and "Page 2" in summary
    indonesian = pdf_text(write_report(users["bandung_viewer"], scope, 2026, "pdf", "id"))
    words = set(indonesian.split())
    assert {"Ditunda", "Dibatalkan", "Hibrida", "Ringkasan"} <= words  # "Ditund a" before


# --- pages --------------------------------------------------------------------------------------


def test_the_pivot_page_shows_charts_and_tables(analytics_world, users, governments, client):
    client.force_login(users["bandung_viewer"])
    response = client.get("/insights/pivot/", {"government": governments["bandung"].pk, "year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert "2026 Q2" in html and "Before the pandemic" in html
    assert 'data-download="pdf"' in html and 'data-download="xlsx"' in html


def test_a_figure_rendered_once_is_shown_again_only_for_the_same_figures_and_language(
    analytics_world, users, governments, client
):
    """The analytics pages' figures (chart and table) are rendered once per process: the same
    page in another language, or after a change of the data, is rendered anew."""
    import re

    def figures(language):
        client.cookies["django_language"] = language
        html = client.get("/insights/pivot/", {"government": governments["bandung"].pk, "year": 2026}).content
        return re.findall(r"<figure.*?</details>", html.decode(), re.S)

    english = figures("en")
    assert len(english) == 3 and figures("en") == english
    indonesian = figures("id")
    assert "Tabel angka" in indonesian[0] and "Table of the figures" not in "".join(indonesian)
    activities.update_activity(users["platform_admin"], analytics_world["a5"], status="cancelled")
    changed = figures("en")
    assert "Table of the figures" in changed[0] and changed != english


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_pivot_page_gives_period_dates_that_read_one_way(analytics_world, users, governments, client, language):
    """The periods' first and last days as "29 Feb 2020" in both languages, never "02/29/2020"
    (2 September to most readers abroad) nor "29-02-2020"."""
    client.force_login(users["bandung_viewer"])
    client.cookies["django_language"] = language
    html = client.get("/insights/pivot/", {"government": governments["bandung"].pk}).content.decode()
    last_day = "31 Des 2022" if language == "id" else "31 Dec 2022"
    assert "29 Feb 2020" in html and "1 Mar 2020" in html and last_day in html
    assert "02/29/2020" not in html and "29-02-2020" not in html and "29/02/2020" not in html


def test_the_scope_is_picked_in_autocompletes_and_shown_by_name(analytics_world, users, governments, client):
    """Government and province are search boxes (their picked id or ISO code in a hidden input);
    the page names the picked scope in the box, and a name typed without picking still works."""
    client.force_login(users["oversight"])
    html = client.get("/insights/pivot/", {"government": governments["bandung"].pk}).content.decode()
    assert 'name="government_q" value="Bandung, ID"' in html and "NAME,CC" not in html
    assert f'name="government" value="{governments["bandung"].pk}"' in html
    html = client.get("/insights/pivot/", {"province": "ID-JB"}).content.decode()
    assert 'name="province_q" value="Jawa Barat, ID"' in html and "ISO 3166-2" not in html
    typed = client.get("/insights/pivot/", {"government": "", "government_q": "Bandung, ID"}).content.decode()
    assert "<strong>For:</strong> Bandung, ID" in typed
    suggestions = client.get("/places/provinces/", {"province_q": "jawa bar"}).content.decode()
    assert 'data-pick="ID-JB"' in suggestions


# --- kembar report ---------------------------------------------------------------------------------


def test_kembar_report_writes_the_pdf_and_the_xlsx(analytics_world, governments, tmp_path):
    from django.core.management import call_command
    from openpyxl import load_workbook

    pdf = tmp_path / "bandung.pdf"
    call_command(
        "report",
        "--government",
        "Bandung,ID",
        "--year",
        "2026",
        "--format",
        "pdf",
        "--output",
        str(pdf),
        "--language",
        "en",
    )
    text = pdf_text(pdf.read_bytes())
    assert "Sister-city cooperation report" in text and "2026 Q2" in text
    xlsx = tmp_path / "bandung.xlsx"
    call_command(
        "report",
        "--government",
        "Bandung,ID",
        "--year",
        "2026",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        "--language",
        "en",
    )
    book = load_workbook(xlsx)
    quarters = book["Quarters"]
    header = [c.value for c in quarters[2]]
    assert header[:4] == ["Quarter", "In person", "Virtual", "Hybrid"]
    rows = {row[0]: row for row in quarters.iter_rows(min_row=3, values_only=True)}
    # The CLI reads everything: a7 (not public) and a8 (private partnership) count too.
    assert rows["2026 Q1"][header.index("Total")] == 1  # a7
    assert rows["2026 Q2"][header.index("Virtual")] == 1 and rows["2026 Q2"][header.index("Hybrid")] == 1
    assert rows["2026 Q2"][header.index("Total")] == 2
    assert quarters._charts, "the quarter sheet has its chart"
    partners = {row[0]: row for row in book["Partnerships"].iter_rows(min_row=3, values_only=True)}
    assert partners["Braunschweig, DE"][4] == 2  # a5, a6 in 2026
    pandemic = list(book["Pandemic"].iter_rows(min_row=3, values_only=True))
    assert [row[header.index("Pivoted to virtual or hybrid")] for row in pandemic] == [0, 1, 0]
    sdg = {row[0]: row for row in book["SDG"].iter_rows(min_row=3, values_only=True)}
    assert sdg["11. Sustainable cities and communities"][1] == 2  # a5 (11.3), a6 (11)
    # Health (part 1): Bandung's three partnerships, the worst first with its next step.
    assert sum(row[1] for row in book["Health"].iter_rows(min_row=3, values_only=True)) == 3
    attention = list(book["Attention"].iter_rows(min_row=3, values_only=True))
    assert len(attention) == 3 and attention[0][1] <= attention[-1][1]
    # Bandung hosted everything: the partner is invited to host next.
    assert all(row[3].startswith("Invite ") and row[3].endswith(" to host the next activity") for row in attention)


def test_kembar_report_in_indonesian(analytics_world, tmp_path):
    from django.core.management import call_command
    from openpyxl import load_workbook

    xlsx = tmp_path / "laporan.xlsx"
    call_command("report", "--government", "Bandung,ID", "--year", "2026", "--format", "xlsx", "--output", str(xlsx))
    book = load_workbook(xlsx)
    assert "Triwulan" in book.sheetnames
    assert book["Triwulan"]["A2"].value == "Triwulan"


@pytest.mark.parametrize("province", ["ID-JB", "Jawa Barat"])
def test_kembar_report_of_a_province_counts_its_cities(analytics_world, tmp_path, province):
    """Jawa Barat's roll-up holds Bandung (a city GeoNames files under ID.30), not Surabaya."""
    from django.core.management import call_command
    from openpyxl import load_workbook

    xlsx, out = tmp_path / "jabar.xlsx", io.StringIO()
    call_command(
        "report",
        "--province",
        province,
        "--year",
        "2026",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        "--language",
        "en",
        stdout=out,
    )
    assert "Jawa Barat, ID, 2026, XLSX" in out.getvalue()
    book = load_workbook(xlsx)
    quarters = book["Quarters"]
    header = [c.value for c in quarters[2]]
    totals = {row[0]: row[header.index("Total")] for row in quarters.iter_rows(min_row=3, values_only=True)}
    assert [totals[f"2026 Q{q}"] for q in (1, 2, 3, 4)] == [1, 2, 0, 1]  # a7; a5 a8; -; a6 (a9 is Surabaya's)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--province", "Atlantis"], "No province is called “Atlantis”"),
        (["--government", "Atlantis,ID"], "No registered local government is called “Atlantis,ID”"),
        (["--government", "Bandung,ID", "--year", "20x6"], "is not a year"),
        (["--government", "Bandung,ID", "--year", "2150"], "has not begun yet"),
        (["--government", "Bandung,ID", "--format", "docx"], "The format must be pdf or xlsx"),
        (["--government", "Bandung,ID", "--language", "fr"], "The language must be one of id, en, ja"),
        (["--government", "Bandung,ID", "--output", "/no/such/folder/r.pdf"], "does not exist"),
        (["--province", "XX-99"], "No province"),
    ],
)
def test_kembar_report_refuses_bad_input_with_a_clear_message(analytics_world, tmp_path, args, message):
    from django.core.management import CommandError, call_command

    defaults = {"--year": "2026", "--output": str(tmp_path / "r.pdf")}
    for key, value in defaults.items():
        if key not in args:
            args = [*args, key, value]
    with pytest.raises(CommandError, match=message):
        call_command(
            "report",
            *args,
            "--language" if "--language" not in args else "--format",
            "en" if "--language" not in args else "pdf",
        )
    assert not (tmp_path / "r.pdf").exists()


def test_kembar_report_refuses_an_ambiguous_government(analytics_world, governments, users):
    from django.core.management import CommandError, call_command

    from tests.support.builders import government

    # A second government of the same name in the same country (a regency next to the city).
    government("Bandung", "ID", "regency")
    with pytest.raises(CommandError, match="ambiguous"):
        call_command("report", "--government", "Bandung,ID", "--year", "2026", "--output", "/tmp/never.pdf")


def test_kembar_report_refuses_an_unwritable_output(analytics_world, tmp_path):
    from django.core.management import CommandError, call_command

    folder = tmp_path / "a-folder"
    folder.mkdir()
    for output, message in ((folder, "it is a folder"), ("/proc/kembar-report.pdf", "Cannot write")):
        with pytest.raises(CommandError, match=message):
            call_command("report", "--government", "Bandung,ID", "--year", "2026", "--output", str(output))
    assert list(folder.iterdir()) == []


# --- API ------------------------------------------------------------------------------------------


def test_the_api_gives_the_pivot_and_the_sdg_figures(analytics_world, users, governments, client):
    client.force_login(users["bandung_viewer"])
    response = client.get("/api/insights/pivot", {"government_id": governments["bandung"].pk, "year": 2026})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == {"kind": "government", "label": "Bandung, ID", "time_zone": "Asia/Jakarta"}
    assert [(q["quarter"], q["total"]) for q in body["quarters"]] == [(1, 1), (2, 2), (3, 0), (4, 1)]
    assert [p["pivoted"] for p in body["periods"]] == [0, 1, 0]
    sdg = client.get("/api/insights/sdg", {"government_id": governments["bandung"].pk}).json()
    assert next(g for g in sdg["goals"] if g["code"] == "11")["activities"] == 3
    anonymous = (
        client.__class__().get("/api/insights/pivot", {"government_id": governments["bandung"].pk, "year": 2026}).json()
    )
    assert [q["total"] for q in anonymous["quarters"]] == [0, 1, 0, 1]


def test_the_api_refuses_bad_scopes_naming_the_parameter(analytics_world, users, client):
    assert client.get("/api/insights/pivot", {"province": "XX-99"}).json()["detail"][0]["field"] == "province"
    assert client.get("/api/insights/pivot", {"year": 20260}).status_code == 422
    private = analytics_world["a8"].partnership
    assert client.get("/api/insights/sdg", {"partnership_id": private.pk}).status_code == 404


@pytest.mark.parametrize(
    "user, government, status",
    [
        (None, "bandung", 401),
        ("surabaya_editor", "bandung", 403),
        ("bandung_viewer", "bandung", 202),
        ("bandung_viewer", None, 403),  # the platform's roll-up
        ("oversight", None, 202),
        ("oversight", "surabaya", 202),
        ("platform_admin", "bandung", 202),
    ],
)
def test_who_may_download_a_report_through_the_api(
    analytics_world, users, governments, client, django_capture_on_commit_callbacks, user, government, status
):
    """Asked for with a POST, built by the job queue (here at once, after the commit), then
    downloaded by whoever asked for it."""
    from openpyxl import load_workbook

    if user:
        client.force_login(users[user])
    body = {"year": 2026, "format": "xlsx", "language": "en"}
    if government:
        body["government_id"] = governments[government].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/insights/reports", body, content_type="application/json")
    assert response.status_code == status, response.content[:300]
    if status == 202:
        report = client.get(response.json()["url"]).json()
        assert report["status"] == "ready", report
        download = client.get(report["file"])
        assert download.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        assert "Quarters" in book.sheetnames
        assert download["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize(
    "user, government, status",
    [
        (None, "bandung", 302),
        ("surabaya_editor", "bandung", 403),
        ("bandung_viewer", "bandung", 200),
        ("bandung_editor", None, 403),
        ("oversight", None, 200),
        ("platform_admin", "surabaya", 200),
    ],
)
def test_who_may_download_a_report_from_the_pages(
    analytics_world, users, governments, client, django_capture_on_commit_callbacks, user, government, status
):
    if user:
        client.force_login(users[user])
    body = {"year": 2026, "format": "pdf", "language": "en"}
    if government:
        body["government"] = governments[government].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/insights/reports/", body)
    if status != 200:
        assert response.status_code == status
        if status == 302:
            assert response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == 302 and response["Location"].startswith("/insights/reports/")
    page = client.get(response["Location"])
    assert "The report is ready." in page.content.decode()
    download = client.get(response["Location"] + "file")
    assert download["Content-Type"] == "application/pdf"
    assert "2026 Q1" in pdf_text(b"".join(download.streaming_content))


def test_the_download_buttons_show_only_to_who_may_download(analytics_world, users, governments, client):
    query = {"government": governments["bandung"].pk}
    assert b"data-download" not in client.get("/insights/pivot/", query).content
    client.force_login(users["surabaya_editor"])
    assert b"data-download" not in client.get("/insights/pivot/", query).content
    assert b"data-download" not in client.get("/insights/sdg/").content
    client.force_login(users["oversight"])
    assert b'data-download="pdf"' in client.get("/insights/sdg/").content


def test_a_bad_report_request_says_what_is_wrong(analytics_world, users, client):
    client.force_login(users["oversight"])
    response = client.post("/insights/reports/", {"government": "Atlantis,ID", "year": 2026})
    assert response.status_code == 400 and "No registered local government" in response.content.decode()
    response = client.post("/insights/reports/", {"year": 2026, "format": "doc"})
    assert response.status_code == 400 and "pdf or xlsx" in response.content.decode()
    response = client.post("/insights/reports/", {"year": 20260, "format": "pdf"})
    assert response.status_code == 400 and "is not a year" in response.content.decode()
    api = client.post("/api/insights/reports", {"year": 2026, "format": "doc"}, content_type="application/json")
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "format"
    api = client.post("/api/insights/reports", {"province": "XX-99"}, content_type="application/json")
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "province"


@pytest.mark.parametrize("path", ["/insights/pivot/", "/insights/sdg/"])
def test_the_pages_make_a_constant_number_of_queries(analytics_world, users, governments, client, path):
    client.force_login(users["oversight"])
    with assert_constant_queries(allow_fewer=True) as queries:
        with queries.few() as first:
            client.get(path, {"year": 2026})
        assert len(first) <= 10, first.captured_queries  # session, user, access, the figures
        admin = users["platform_admin"]
        partnership = analytics_world["a1"].partnership
        for day in range(1, 25):
            activities.create_activity(
                admin,
                partnership,
                title=f"more {day}",
                type="other",
                field="health",
                sdg_targets=["3", "11.2"],
                host=governments["bandung"],
                start=at(2026, 1, day),
                end=at(2026, 1, day, 2),
            )
        with queries.many():
            client.get(path, {"year": 2026})


@pytest.mark.parametrize("code, city_name", [("ID-JK", "Jakarta"), ("ID-YO", "Yogyakarta"), ("JP-26", "Kyoto")])
def test_a_province_holds_the_governments_of_its_cities(db, code, city_name):
    from kembar.gazetteer.models import Place
    from kembar.partnerships.services import government_for_place
    from tests.support.builders import government

    inside = government(city_name, code[:2])
    province = government_for_place(Place.objects.get(subdivision_code=code))
    elsewhere = government("Surabaya", "ID")
    ids = pivot_module.province_government_ids(Place.objects.get(subdivision_code=code))
    assert inside.pk in ids and province.pk in ids and elsewhere.pk not in ids


def test_a_province_with_numeric_codes_does_not_take_another_prefectures_cities(db):
    from kembar.gazetteer.models import Place
    from kembar.partnerships.services import government_for_place
    from tests.support.builders import city

    # GeoNames' admin1 "26" is not Kyoto (ISO JP-26): a city there is not in Kyoto Prefecture.
    other = Place.objects.filter(kind="city", country_code="JP", admin1_code="26").order_by("-population").first()
    assert other is not None and other.admin1_code != city("Kyoto", "JP").admin1_code
    outside = government_for_place(other)
    assert outside.pk not in pivot_module.province_government_ids(Place.objects.get(subdivision_code="JP-26"))


def test_a_chart_is_drawn_once_per_process_for_the_same_data(monkeypatch):
    """The pages' SVG is remembered by the chart's data: the same figures are not drawn again, and
    any changed value, label or title gives a new picture."""
    from kembar.insights.analytics import charts

    drawn = []
    real = charts.svg
    monkeypatch.setattr(charts, "svg", lambda chart: drawn.append(chart) or real(chart))
    chart = charts.Chart("Cached chart test", ["2026 Q1", "2026 Q2"], [("Virtual", [3, 5]), ("In person", [1, 0])])
    first = charts.svg_data_uri(chart)
    again = charts.svg_data_uri(
        charts.Chart("Cached chart test", ["2026 Q1", "2026 Q2"], [("Virtual", [3, 5]), ("In person", [1, 0])])
    )
    changed = charts.svg_data_uri(
        charts.Chart("Cached chart test", ["2026 Q1", "2026 Q2"], [("Virtual", [3, 6]), ("In person", [1, 0])])
    )
    assert first == again and changed != first
    assert len(drawn) == 2
    assert "Cached chart test" in base64.b64decode(first.split(",", 1)[1]).decode()


def test_a_cached_pivot_recounts_only_the_changed_quarters_and_equals_a_fresh_count(
    analytics_world, users, governments, settings, django_assert_max_num_queries
):
    """With the insights' cache on, each change (new, moved, re-statused, made private, deleted
    activity; a partnership made private) is counted again in the quarters it touches, and every
    scope and reader gets exactly the figures counted from scratch; an unchanged table is read
    with one query (the years of the data)."""
    from django.core.cache import cache

    cache.clear()
    admin, g = users["platform_admin"], governments
    readers = [users["oversight"], users["bandung_viewer"], None]
    scopes = [
        {},
        {"government": g["bandung"].pk},
        {"province": "JP-26"},
        {"partnership": analytics_world["a1"].partnership.pk},
    ]

    def figures(user, where, year, cached):
        settings.KEMBAR_HEALTH_CACHE_SECONDS = 60 if cached else 0
        result = pivot(user, resolve_scope(users["oversight"], **where), year=year)
        return (
            [(q.label, q.tally) for q in result.quarters],
            [(p.key, p.tally) for p in result.periods],
            result.fields,
        )

    def check():
        for user in readers:
            for where in scopes:
                for year in (None, 2020, 2026):
                    assert figures(user, where, year, True) == figures(user, where, year, False), (user, where, year)

    check()
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    scope = resolve_scope(users["oversight"])
    permissions.access(users["oversight"])
    with django_assert_max_num_queries(1):  # the years of the data; the counts from the cache
        pivot(users["oversight"], scope)
    bb = analytics_world["a1"].partnership
    activities.create_activity(
        admin,
        bb,
        title="new",
        type="other",
        host=g["bandung"],
        start=at(2026, 6, 30, 20),
        end=at(2026, 6, 30, 22),
        status="held",
        field="culture",
    )  # Q3 in Bandung, Q2 in Berlin
    check()
    activities.update_activity(admin, analytics_world["a9"], start=at(2020, 12, 1, 2), end=at(2020, 12, 1, 4))
    check()
    activities.update_activity(admin, analytics_world["a1"], status="cancelled", public=False)
    check()
    activities.delete_activity(admin, analytics_world["a7"])
    check()
    bb.public = False
    bb.save()
    check()


def test_the_xlsx_report_holds_hostile_names_as_text(analytics_world, governments, tmp_path):
    """An outside test: a partner named with \x0b made the XLSX report fail, and one named
    `=HYPERLINK(...)` became a live formula in every partner's report."""
    from django.core.management import call_command
    from openpyxl import load_workbook

    braunschweig = governments["braunschweig"]
    braunschweig.name = '=HYPERLINK("http://evil.example","Braunschweig")'
    braunschweig.save()
    # Stored before inputs refused control characters (an update bypasses save()).
    LocalGovernment.objects.filter(pk=governments["kyoto"].pk).update(name="Kyoto\x0b\x01")
    xlsx = tmp_path / "bandung.xlsx"
    options = ["--government", "Bandung,ID", "--year", "2026", "--format", "xlsx", "--language", "en"]
    call_command("report", *options, "--output", str(xlsx))
    cells = [c for row in load_workbook(xlsx)["Partnerships"].iter_rows(min_row=3) for c in row]
    names = {c.value: c.data_type for c in cells if isinstance(c.value, str)}
    assert names['=HYPERLINK("http://evil.example","Braunschweig"), DE'] == "s"
    assert "Kyoto, JP" in names
