"""Health states that say what is known: a partnership nobody has recorded anything for (an
imported link, confirmed or not, with no activity, agreement or meeting) has "no record yet", never
"dormant"; dormancy is for partnerships that had life and went quiet. One vocabulary on every
page, the API, the map, the dashboard and the reports."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.urls import reverse

from kembar.activities import services as activities
from kembar.agreements.models import Agreement, ProcedureTemplate
from kembar.insights.analytics import reports
from kembar.insights.analytics.pivot import resolve_scope
from kembar.insights.health import score
from kembar.meetings.models import Meeting
from kembar.partnerships import claims, services
from kembar.partnerships.models import Partnership
from tests.support.builders import held_activity as held
from tests.support.builders import imported_link
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


def imported(a, b) -> Partnership:
    return imported_link(a, b, status="active")


@pytest.fixture
def world(governments, users):
    """Bandung's partnerships: one alive, one an office entered that went quiet, and two imported
    links nobody has touched (Busan, Liverpool)."""
    admin, g = users["platform_admin"], governments
    alive = services.create_partnership(admin, g["bandung"], g["kyoto"])
    held(admin, alive, g["kyoto"], NOW - relativedelta(months=2))
    quiet = services.create_partnership(admin, g["bandung"], g["braunschweig"])
    held(admin, quiet, g["bandung"], NOW - relativedelta(months=30))
    return {
        "alive": alive,
        "quiet": quiet,
        "busan": imported(g["bandung"], g["busan"]),
        "liverpool": imported(g["bandung"], g["liverpool"]),
    }


def states(user, **filters) -> dict[int, str]:
    return {
        pk: state
        for pk, (_score, state) in score.HealthReport(user, score.Filters(**filters), now=NOW).states().items()
    }


def test_an_untouched_imported_link_has_no_record_and_is_never_dormant(world, users):
    viewer = users["bandung_viewer"]
    found = states(viewer)
    assert found[world["busan"].pk] == "no_record" and found[world["liverpool"].pk] == "no_record"
    assert found[world["quiet"].pk] == "dormant" and found[world["alive"].pk] != "dormant"
    h = score.health_of(viewer, world["busan"], now=NOW)
    assert (h.state, h.dormant, h.no_record, h.state_label) == ("no_record", False, True, "no record yet")
    # Dormant only: the partnership that went quiet, not the links nobody ran.
    assert set(states(viewer, dormant_only=True)) == {world["quiet"].pk}
    # Ranked after every partnership with a record, whatever their scores.
    ranked = [h.partnership.pk for h in score.HealthReport(viewer, now=NOW).rows()]
    assert ranked[:2] == [world["quiet"].pk, world["alive"].pk]
    assert set(ranked[2:]) == {world["busan"].pk, world["liverpool"].pk}
    counts = {code: n for code, _label, n in score.state_counts(score.HealthReport(viewer, now=NOW))}
    assert counts == {"thriving": 0, "slowing": 1, "struggling": 0, "dormant": 1, "no_record": 2}


def test_a_partnership_an_office_entered_is_a_record_once_past_the_proposal(governments, users):
    """A proposal whose life has not begun has no record yet; once the office records it as
    active, its silence counts."""
    entered = services.create_partnership(users["platform_admin"], governments["surabaya"], governments["busan"])
    assert entered.status == "proposed"
    assert score.health_of(users["oversight"], entered, now=NOW).state == "no_record"
    active = services.update_partnership(users["platform_admin"], entered, status="active")
    assert score.health_of(users["oversight"], active, now=NOW).state == "dormant"


def _activity(p, g, user):
    activities.create_activity(
        user,
        p,
        title="Planned visit",
        type="work_visit",
        host=g["busan"],
        start=NOW + dt.timedelta(days=40),
        end=NOW + dt.timedelta(days=41),
        status="planned",
        public=True,
    )


def _agreement(p, g, user):
    Agreement.objects.create(
        partnership=p, template=ProcedureTemplate.objects.get(code="generic"), title="LoI", kind="loi", status="draft"
    )


def _meeting(p, g, user):
    Meeting.objects.create(partnership=p, title="First call", start=NOW - dt.timedelta(days=400), status="held")


def _edit(p, g, user):
    services.update_partnership(user, p, expected_version=p.version, since=dt.date(1994, 5, 1))


@pytest.mark.parametrize("record", [_activity, _agreement, _meeting], ids=["activity", "agreement", "meeting"])
def test_anything_recorded_by_anyone_gives_the_link_life(world, governments, users, record):
    """A planned activity, a draft agreement or a meeting: each is a record of cooperation, so the
    partnership is judged (here: nothing held in 24 months, dormant)."""
    p = world["busan"]
    record(p, governments, users["bandung_editor"])
    assert states(users["bandung_viewer"])[p.pk] == "dormant"
    assert states(users["bandung_viewer"])[world["liverpool"].pk] == "no_record"


def test_confirming_or_correcting_the_link_is_not_a_record_of_cooperation(world, governments, users):
    """An office adopting its imported links (kembar.partnerships.claims) says they exist, not
    that anything happened: a bulk confirmation must not fill the dashboard with dormant links."""
    busan, liverpool = world["busan"], world["liverpool"]
    _edit(busan, governments, users["bandung_editor"])
    claims.confirm(users["bandung_editor"], liverpool, expected_version=liverpool.version)
    assert states(users["bandung_viewer"])[busan.pk] == "no_record"
    assert states(users["bandung_viewer"])[liverpool.pk] == "no_record"


def test_what_counts_as_a_record_is_what_the_reader_may_see(world, governments, users):
    """Meetings are internal to the partnership's offices: a visitor does not learn of them."""
    _meeting(world["busan"], governments, users["bandung_editor"])
    Partnership.objects.filter(pk=world["busan"].pk).update(public=True)
    assert states(users["bandung_viewer"])[world["busan"].pk] == "dormant"
    assert states(users["oversight"])[world["busan"].pk] == "dormant"
    assert states(None)[world["busan"].pk] == "no_record"


def test_a_cached_ranking_learns_at_once_that_a_link_got_its_first_record(client, world, governments, users, settings):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    client.force_login(users["bandung_editor"])
    first = client.get("/api/insights/health?limit=50").json()["items"]
    assert {i["partnership_id"]: i["state"] for i in first}[world["busan"].pk] == "no_record"
    held(users["bandung_editor"], world["busan"], governments["busan"], dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    again = client.get("/api/insights/health?limit=50").json()["items"]
    assert {i["partnership_id"]: i["state"] for i in again}[world["busan"].pk] != "no_record"
    dormant = client.get("/api/insights/health?dormant=true").json()
    assert world["liverpool"].pk not in {i["partnership_id"] for i in dormant["items"]}


def test_the_api_says_the_state_and_keeps_dormant_for_life_that_went_quiet(client, world, users):
    client.force_login(users["bandung_editor"])
    one = client.get(f"/api/insights/health/{world['busan'].pk}").json()
    assert (one["state"], one["dormant"]) == ("no_record", False)
    assert "level" in one and "score" in one  # the existing fields keep working
    assert one["next_step"]["text"] == "No record yet — record the first activity or agreement"
    assert one["next_step"]["url"] == reverse("activities:create", args=[world["busan"].pk])
    quiet = client.get(f"/api/insights/health/{world['quiet'].pk}").json()
    assert (quiet["state"], quiet["dormant"]) == ("dormant", True)
    data = client.get("/api/insights/map").json()
    by_id = {int(line[5]): data["states"][int(line[6])] for line in data["lines"]}
    assert by_id[world["busan"].pk] == "no_record" and by_id[world["quiet"].pk] == "dormant"
    # Drawn first (beneath), the healthiest last.
    drawn = [data["states"][int(line[6])] for line in data["lines"]]
    assert drawn == sorted(drawn, key=score.MAP_STATES.index)


@pytest.mark.parametrize(
    "language, invitation, label",
    [
        ("id", "Belum ada catatan — catat kegiatan atau perjanjian pertama", "belum ada catatan"),
        ("en", "No record yet — record the first activity or agreement", "no record yet"),
    ],
)
def test_the_partnership_page_invites_the_office_to_record(client, world, users, language, invitation, label):
    client.force_login(users["bandung_editor"])
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(world["busan"].get_absolute_url()).content.decode()
    assert 'data-state="no_record"' in page and label in page
    assert f'<a href="{reverse("activities:create", args=[world["busan"].pk])}" data-next-step>{invitation}</a>' in page
    assert reverse("agreements:create", args=[world["busan"].pk]) in page
    assert "data-dormant" not in page and "data-factor=" not in page  # no score to explain yet
    # A reader who may not record sees the invitation without links.
    client.force_login(users["surabaya_editor"])
    Partnership.objects.filter(pk=world["busan"].pk).update(public=True)
    page = client.get(world["busan"].get_absolute_url()).content.decode()
    assert f"<span data-next-step>{invitation}</span>" in page


def test_the_health_list_and_the_map_keep_no_record_apart(client, world, users):
    client.force_login(users["bandung_editor"])
    page = client.get("/insights/").content.decode()
    assert page.index("Braunschweig") < page.index("Busan")  # the quiet one first, the link last
    busan = page[page.index(f'data-partnership="{world["busan"].pk}"') :]
    busan = busan[: busan.index("</tr>")]
    assert 'data-state="no_record"' in busan and "No record yet — record the first activity" in busan
    assert "data-dormant" not in busan
    client.force_login(users["oversight"])
    whole = client.get("/insights/map/").content.decode()
    summary = whole[whole.index("<caption>") :]
    assert (
        '<tr data-state="no_record"><td><span class="swatch state-no_record"></span>no record yet</td><td>2</td>'
        in summary
    )
    assert '<tr data-state="dormant"><td><span class="swatch state-dormant"></span>dormant</td><td>1</td>' in summary
    assert "no record yet (grey: listed, nothing recorded)" in whole


def test_the_dashboard_lists_neither_link_as_slipping(client, world, users):
    client.force_login(users["bandung_editor"])
    page = client.get("/").content.decode()
    slipping = page[page.index("data-slipping") :]
    slipping = slipping[: slipping.index("</section>")]
    assert "Braunschweig" in slipping and "Busan" not in slipping and "Liverpool" not in slipping
    ours = page[page.index('class="our-partnerships cards"') :]
    assert ours.index("Braunschweig") < ours.index("Busan")
    row = ours[ours.index("Busan") :]
    assert 'data-state="no_record">no record yet' in row[: row.index("</tr>")]


def test_the_report_counts_states_and_lists_only_partnerships_with_a_record(world, governments, users):
    scope = resolve_scope(reports.OPERATOR, government=str(governments["bandung"].pk))
    section = reports.health_section(reports.OPERATOR, scope)
    assert dict(section.states) == {"thriving": 0, "slowing": 1, "struggling": 0, "dormant": 1, "no record yet": 2}
    assert [name for name, *_ in section.worst] == [str(world["quiet"]), str(world["alive"])]
    assert [row[0] for row in section.attention] == [str(world["quiet"]), str(world["alive"])]


def test_query_count_does_not_grow_with_imported_links(client, governments, users):
    """The no-record rule is a few EXISTS in the ranking's one query: pages cost the same with 3
    or 30 imported links."""
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment

    client.force_login(users["bandung_editor"])
    places = iter(
        Place.objects.filter(country_code="JP", kind="city", governments__isnull=True).order_by("-population")[:30]
    )
    urls = ["/insights/", "/", "/insights/map/data.json", "/api/insights/health", "/partnerships/"]
    with assert_constant_queries() as queries:
        for n, measure in ((3, queries.few), (27, queries.many)):
            for _ in range(n):
                place = next(places)
                imported(governments["bandung"], LocalGovernment.objects.create(place=place, name=place.name))
            for url in urls:
                client.get(url)
            with measure():
                for url in urls:
                    assert client.get(url).status_code == 200
