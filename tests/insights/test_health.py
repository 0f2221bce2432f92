"""Partnership health (kembar.insights.health): the score, dormancy, next steps, who sees what,
and the pages and API that show it. The clock is passed in (`now`), so the boundaries are exact."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kembar.agreements import services as agreement_services
from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate
from kembar.insights.health import score
from kembar.meetings.models import ActionItem, Meeting
from kembar.partnerships import services
from tests.support.builders import held_activity as held
from tests.support.builders import make_user
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rankings are cached (per process); a rolled-back test must not leave one behind."""
    from django.core.cache import cache

    cache.clear()


def mou(p, signed: dt.date, years: int | None = 5, **extra) -> Agreement:
    ends = signed.replace(year=signed.year + years) if years else None
    return Agreement.objects.create(
        partnership=p,
        template=ProcedureTemplate.objects.get(code="generic"),
        title="MoU",
        kind="mou",
        status="signed",
        signed_on=signed,
        validity_years=years,
        ends_on=ends,
        **extra,
    )


def overdue_items(p, government, n: int, due: dt.date) -> None:
    meeting = Meeting.objects.create(
        partnership=p, title="Coordination", start=NOW - dt.timedelta(days=90), status="held"
    )
    for i in range(n):
        ActionItem.objects.create(meeting=meeting, text=f"Follow-up {i}", owner="KS", government=government, due=due)


@pytest.fixture
def three(governments, users):
    """Bandung's three partnerships: lively (Kyoto), quiet (Braunschweig), asleep (Busan)."""
    admin = users["platform_admin"]
    g = governments
    lively = services.create_partnership(admin, g["bandung"], g["kyoto"])
    quiet = services.create_partnership(admin, g["bandung"], g["braunschweig"])
    asleep = services.create_partnership(admin, g["bandung"], g["busan"])
    for months, host in ((1, g["bandung"]), (3, g["kyoto"]), (7, g["bandung"]), (14, g["kyoto"])):
        held(admin, lively, host, NOW - relativedelta(months=months))
    mou(lively, dt.date(2025, 1, 10))
    held(admin, quiet, g["bandung"], NOW - relativedelta(months=18))
    held(admin, asleep, g["busan"], dt.datetime(2019, 3, 2, 3, 0, tzinfo=dt.UTC))
    mou(asleep, dt.date(2015, 1, 1))  # ended 1 January 2020
    overdue_items(asleep, g["bandung"], 3, dt.date(2026, 3, 1))
    return {"lively": lively, "quiet": quiet, "asleep": asleep}


def report(user, **filters):
    return score.HealthReport(user, score.Filters(**filters), now=NOW)


def by_code(h: score.Health) -> dict[str, score.Factor]:
    return {f.code: f for f in h.factors}


def test_obvious_ranking_worst_first_with_each_factor(three, users):
    rows = report(users["bandung_editor"]).rows()
    assert [h.partnership for h in rows] == [three["asleep"], three["quiet"], three["lively"]]
    asleep, quiet, lively = rows

    assert lively.score == 100 and not lively.dormant and lively.level == "good"
    assert {c: f.points for c, f in by_code(lively).items()} == {
        "recency": 35,
        "frequency": 15,
        "agreement": 20,
        "procedure": 10,
        "actions": 10,
        "two_sided": 10,
    }
    assert by_code(lively)["two_sided"].text == "Both partners hosted activities"
    assert by_code(lively)["agreement"].text == "In force until 10 January 2030"

    # One activity 18 months ago, by Bandung only, no agreement.
    assert {c: f.points for c, f in by_code(quiet).items()} == {
        "recency": 12,
        "frequency": 5,
        "agreement": 5,
        "procedure": 10,
        "actions": 10,
        "two_sided": 4,
    }
    assert quiet.score == 46 and not quiet.dormant
    assert by_code(quiet)["two_sided"].text == "Only Bandung hosted activities"

    assert asleep.dormant and asleep.score == 10 and asleep.level == "poor"
    assert by_code(asleep)["recency"].text == "Last held activity: March 2019"
    assert by_code(asleep)["agreement"].text == "Expired on 1 January 2020"
    assert by_code(asleep)["actions"].text == "3 action items overdue"
    assert sum(f.points for f in asleep.factors) == asleep.score


def test_next_steps_say_what_to_do_and_link_for_editors_only(three, users):
    editor = {h.partnership.pk: h for h in report(users["bandung_editor"]).rows()}
    asleep = editor[three["asleep"].pk]
    assert [s.text for s in asleep.steps] == [
        "No activity since March 2019: look for a meeting slot",
        "The agreement ended on 1 January 2020: start the renewal",
        "3 action items overdue",
    ]
    assert asleep.next_step.url == f"/meetings/slots/?partnership={three['asleep'].pk}"
    assert asleep.steps[1].url == f"/agreements/partnerships/{three['asleep'].pk}/new/"
    quiet = editor[three["quiet"].pk]
    assert [s.text for s in quiet.steps] == [
        "Invite Braunschweig to host the next activity",
        "No agreement recorded: prepare a Letter of Intent or an MoU",
    ]
    viewer = {h.partnership.pk: h for h in report(users["bandung_viewer"]).rows()}
    assert viewer[three["asleep"].pk].next_step.url == ""  # a viewer cannot find a slot
    assert editor[three["lively"].pk].next_step == score.Step("In good health: keep the rhythm")


@pytest.mark.parametrize(
    "offset, dormant",
    [
        (relativedelta(months=24), False),  # exactly 24 months ago: still within
        (relativedelta(months=24) - relativedelta(days=1), False),  # a day less
        (relativedelta(months=24) + relativedelta(days=1), True),  # a day more: dormant
    ],
)
def test_dormancy_boundary_at_24_months(governments, users, offset, dormant):
    p = services.create_partnership(users["platform_admin"], governments["bandung"], governments["kyoto"])
    held(users["platform_admin"], p, governments["kyoto"], NOW - offset)
    h = score.health_of(users["bandung_editor"], p, now=NOW)
    assert h.dormant is dormant
    assert (h.next_step.text.startswith("No activity since")) is dormant
    assert report(users["bandung_editor"], dormant_only=True).count() == (1 if dormant else 0)


def test_dormancy_period_is_a_setting(governments, users, settings):
    p = services.create_partnership(users["platform_admin"], governments["bandung"], governments["kyoto"])
    held(users["platform_admin"], p, governments["kyoto"], NOW - relativedelta(months=13))
    assert not score.health_of(users["bandung_editor"], p, now=NOW).dormant
    settings.KEMBAR_DORMANT_MONTHS = 12
    h = score.health_of(users["bandung_editor"], p, now=NOW)
    assert h.dormant
    assert by_code(h)["frequency"].text == "0 activities held in the last 12 months"


def test_a_recurring_series_counts_its_held_occurrences(governments, users):
    """A biennial festival entered once in 2016 as held: its 2024 occurrence keeps it awake."""
    p = services.create_partnership(users["platform_admin"], governments["bandung"], governments["kyoto"])
    held(
        users["platform_admin"],
        p,
        governments["kyoto"],
        dt.datetime(2016, 10, 1, 1, 0, tzinfo=dt.UTC),
        recurrence="FREQ=YEARLY;INTERVAL=2",
    )
    h = score.health_of(users["bandung_editor"], p, now=NOW)
    assert not h.dormant
    assert h.last_held.date() == dt.date(2024, 10, 1)
    assert by_code(h)["frequency"].text == "1 activity held in the last 24 months"
    assert by_code(h)["two_sided"].text == "Only Kyoto hosted activities"
    assert [x.partnership for x in report(users["bandung_editor"], dormant_only=True).rows()] == []


def test_agreement_ending_soon_and_stuck_procedure(governments, users):
    admin = users["platform_admin"]
    p = services.create_partnership(admin, governments["bandung"], governments["kyoto"])
    held(admin, p, governments["kyoto"], NOW - relativedelta(months=2))
    mou(p, dt.date(2021, 9, 1))  # ends 1 September 2026, within 180 days
    draft = agreement_services.create_agreement(
        admin, p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="Addendum"
    )
    draft = agreement_services.advance(admin, draft)
    stage = draft.stages.get(status="active")
    AgreementStage.objects.filter(pk=stage.pk).update(started_at=NOW - dt.timedelta(days=150))
    h = score.health_of(users["bandung_editor"], p, now=NOW)
    assert by_code(h)["agreement"].points == 12
    assert by_code(h)["agreement"].text == "In force, ends on 1 September 2026"
    assert by_code(h)["procedure"].points == 0
    assert [s.text for s in h.steps][:2] == [
        "The agreement ends on 1 September 2026: start the renewal",
        f"Stage “{stage.name}” has waited 150 days",
    ]
    assert h.steps[1].url == draft.get_absolute_url()


def test_one_partnerships_health_reads_series_and_stages_only_when_it_has_them(governments, users):
    """The partnership page's health card: a partnership with no recurring series and no agreement
    under way costs two queries fewer; with them, the series counts and the stuck stage shows."""
    admin, editor = users["platform_admin"], users["bandung_editor"]
    p = services.create_partnership(admin, governments["bandung"], governments["kyoto"])
    held(admin, p, governments["kyoto"], NOW - relativedelta(months=2))
    terminated = agreement_services.create_agreement(
        admin, p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="Old draft"
    )
    Agreement.objects.filter(pk=terminated.pk).update(status="terminated")

    def health():
        score.health_of(editor, p, now=NOW)  # what the reader may see, read once
        with CaptureQueriesContext(connection) as queries:
            h = score.health_of(editor, p, now=NOW)
        return h, len(queries.captured_queries)

    plain, plain_queries = health()
    assert by_code(plain)["frequency"].text == "1 activity held in the last 24 months"
    assert by_code(plain)["procedure"].text == "No procedure stage waiting too long"

    held(admin, p, governments["bandung"], dt.datetime(2016, 10, 1, 1, 0, tzinfo=dt.UTC), recurrence="FREQ=YEARLY")
    draft = agreement_services.advance(
        admin,
        agreement_services.create_agreement(
            admin, p, template=ProcedureTemplate.objects.get(code="ksdpl"), title="Addendum"
        ),
    )
    stage = draft.stages.get(status="active")
    AgreementStage.objects.filter(pk=stage.pk).update(started_at=NOW - dt.timedelta(days=150))
    busy, busy_queries = health()
    assert busy_queries == plain_queries + 2
    assert by_code(busy)["frequency"].text == "3 activities held in the last 24 months"  # 2024, 2025 and the one
    assert by_code(busy)["procedure"].text.startswith(f"“{stage.name}” has waited 150 days")


def test_who_sees_which_health(three, governments, users, orgs):
    """An office its own; visitors and other offices public ones from public evidence only;
    oversight all, including the internal action items."""
    admin = users["platform_admin"]
    hidden = services.create_partnership(admin, governments["surabaya"], governments["kyoto"], public=False)
    held(admin, three["quiet"], governments["braunschweig"], NOW - relativedelta(months=1), public=False)
    ids = lambda user: {h.partnership.pk for h in report(user).rows()}  # noqa: E731
    assert ids(users["bandung_viewer"]) == {three["lively"].pk, three["quiet"].pk, three["asleep"].pk}
    assert ids(users["surabaya_editor"]) == {hidden.pk}
    assert hidden.pk not in ids(None) and three["quiet"].pk in ids(None)
    assert hidden.pk in ids(users["oversight"])
    # The non-public activity counts for Bandung's office, not for a visitor.
    office = score.health_of(users["bandung_viewer"], three["quiet"], now=NOW)
    visitor = score.health_of(None, three["quiet"], now=NOW)
    assert by_code(office)["two_sided"].points == 10 and by_code(visitor)["two_sided"].points == 4
    # Overdue action items belong to internal meetings: oversight sees them, a visitor does not.
    assert by_code(score.health_of(users["oversight"], three["asleep"], now=NOW))["actions"].points == 0
    assert by_code(score.health_of(None, three["asleep"], now=NOW))["actions"].points == 10


def test_a_cached_ranking_is_reused_and_a_change_shows_at_once(
    client, three, governments, users, settings, committed, django_capture_on_commit_callbacks
):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    client.force_login(users["bandung_editor"])
    with CaptureQueriesContext(connection) as first:
        assert f'data-partnership="{three["asleep"].pk}"' in client.get("/insights/?dormant=on").content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get("/insights/?dormant=on&page=1")
    ranking = lambda queries: [q for q in queries if q["sql"].endswith("ORDER BY 2 ASC, 1 ASC")]  # noqa: E731
    assert len(ranking(first)) == 1 and ranking(again) == []  # the second page view reused the ranking
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):  # the kept page's data version: on commit
        held(users["bandung_editor"], three["asleep"], governments["busan"], now - dt.timedelta(days=3))
    after = client.get("/insights/?dormant=on").content.decode()
    assert f'data-partnership="{three["asleep"].pk}"' not in after


ROOT = Path(__file__).resolve().parent.parent
FRESH_SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from kembar.gazetteer.models import Place
from kembar.partnerships.services import create_partnership, government_for_place
bandung = Place.objects.create(name="Bandung", country_code="ID", latitude=-6.92, longitude=107.61,
                               timezone="Asia/Jakarta", population=1_800_000)
braunschweig = Place.objects.create(name="Braunschweig", country_code="DE", latitude=52.27, longitude=10.52,
                                    timezone="Europe/Berlin", population=250_000)
p = create_partnership(None, government_for_place(bandung), government_for_place(braunschweig),
                       check_permission=False)
print(p.pk)
"""
# What a scheduled job does: call the command in a process that never loads the URLs or views.
FRESH_IMPORT = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("import_activities", sys.argv[1])
"""


def test_a_write_by_a_command_in_a_fresh_process_invalidates_the_shared_caches(tmp_path, settings):
    """Another process (here a command run from a script, which loads no page and so imports no
    insights module) writes activities: the health and pivot caches it shares with the app
    servers learn of the change, because the signals are connected when the app is ready."""
    from django.core.cache import cache

    from kembar.insights.analytics import pivot

    shared_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    (tmp_path / "fresh_settings.py").write_text(f"from kembar.settings import *  # noqa\nCACHES = {shared_cache!r}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="fresh_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        LANGUAGE_CODE="en",
    )

    def fresh(script: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    partnership_id = int(fresh(FRESH_SETUP).split()[-1])
    settings.CACHES = shared_cache  # this process reads the cache the other processes write
    version, health_seen, pivot_seen = (
        cache.get(score.CACHE_VERSION_KEY),
        score.CHANGES.latest(),
        pivot.CHANGES.latest(),
    )
    csv_file = tmp_path / "activities.csv"
    csv_file.write_text(
        "partnership_id,title,type,modality,status,host,start,end,public\n"
        f'{partnership_id},Joint workshop,work_visit,in_person,held,"Bandung,ID",'
        "2026-03-02T02:00:00Z,2026-03-02T05:00:00Z,yes\n"
    )
    assert "1 rows read: 1 created" in fresh(FRESH_IMPORT, str(csv_file))
    assert cache.get(score.CACHE_VERSION_KEY) != version  # every cached health figure is stale
    health_changes = score.CHANGES.since(health_seen, score.CHANGES.latest())
    assert health_changes is not None and partnership_id in health_changes  # a ranking re-scores it
    assert pivot.CHANGES.latest() > pivot_seen  # the pivot recounts the activity's quarter


def test_filters(three, governments, users):
    oversight = users["oversight"]
    assert report(oversight, country="JP").count() == 1
    assert report(oversight, government=governments["busan"].pk).rows()[0].partnership == three["asleep"]
    assert report(oversight, dormant_only=True).count() == 1
    kyoto = governments["kyoto"].place
    assert [h.partnership for h in report(oversight, province=f"JP.{kyoto.admin1_code}").rows()] == [three["lively"]]


def test_province_filter_takes_the_iso_code_and_holds_the_province_itself(three, governments, users, client):
    from kembar.gazetteer.models import Place
    from kembar.partnerships.services import government_for_place

    oversight = users["oversight"]
    assert [h.partnership for h in report(oversight, province="JP-26").rows()] == [three["lively"]]
    assert [h.partnership for h in report(oversight, province="KR-26").rows()] == [three["asleep"]]  # Busan
    assert [h.partnership for h in report(oversight, province="DE-NI").rows()] == [three["quiet"]]  # Braunschweig
    jawa_barat = government_for_place(Place.objects.get(subdivision_code="ID-JB"))
    provincial = services.create_partnership(users["platform_admin"], jawa_barat, governments["busan"])
    assert {h.partnership for h in report(oversight, province="ID-JB").rows()} == {*three.values(), provincial}
    assert report(oversight, province="ID-JI").count() == 0  # Jawa Timur: Surabaya has none here
    # The page names the provinces and filters by the chosen one.
    client.force_login(oversight)
    page = client.get("/insights/", {"country": "ID", "province": "ID-JB"}).content.decode()
    assert '<option value="ID-JB" selected>Jawa Barat</option>' in page
    assert '<option value="ID-JI">Jawa Timur</option>' in page
    assert f'data-partnership="{provincial.pk}"' in page
    assert (
        f'data-partnership="{provincial.pk}"'
        not in client.get("/insights/", {"country": "ID", "province": "ID-JI"}).content.decode()
    )


# --- pages and API ------------------------------------------------------------------------------


def test_overview_page_worst_first_with_factors_and_next_step(client, three, users):
    client.force_login(users["bandung_editor"])
    page = client.get("/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Busan") < html.index("Braunschweig") < html.index("Kyoto")
    assert "data-dormant" in html and "look for a meeting slot" in html
    assert "Recent activity" in html and "/35" in html
    assert "in force 20, in force but ending within 180 days 12" in html  # how the score is made, from WEIGHTS
    dormant = client.get("/insights/?dormant=on").content.decode()
    assert "Busan" in dormant and "Kyoto" not in dormant


def test_partnership_page_and_dashboard_show_health(client, three, users):
    client.force_login(users["bandung_editor"])
    detail = client.get(three["asleep"].get_absolute_url()).content.decode()
    assert "data-health=" in detail and "look for a meeting slot" in detail
    dashboard = client.get("/").content.decode()
    assert "Our partnerships slipping" in dashboard
    attention = dashboard[dashboard.index("data-slipping") :]
    assert attention.index("Busan") < attention.index("Braunschweig")
    assert "Kyoto" not in attention[: attention.index("</ul>")]  # in good health: not listed


def test_api_health_list_one_and_map(client, three, users, governments):
    admin = users["platform_admin"]
    hidden = services.create_partnership(admin, governments["surabaya"], governments["kyoto"], public=False)
    data = client.get("/api/insights/health?limit=2").json()
    assert data["count"] == 3 and len(data["items"]) == 2
    assert {f["code"] for f in data["items"][0]["factors"]} == set(score.WEIGHTS)
    assert client.get(f"/api/insights/health/{hidden.pk}").status_code == 404
    assert client.get("/api/insights/health?country=Atlantis").status_code == 422
    client.force_login(users["oversight"])
    one = client.get(f"/api/insights/health/{three['asleep'].pk}").json()
    assert one["dormant"] is True and one["next_step"]["text"].startswith("No activity since")
    lines = client.get(f"/api/insights/map?government={governments['bandung'].pk}").json()["lines"]
    assert len(lines) == 3 and {int(line[5]) for line in lines} == {p.pk for p in three.values()}


def test_map_page_and_data(client, three, users, governments):
    client.force_login(users["bandung_viewer"])
    page = client.get(f"/insights/map/?government={governments['bandung'].pk}")
    assert page.status_code == 200 and "data-health-map" in page.content.decode()
    assert page.content.decode().count('<tr><td><a href="/partnerships/') == 3
    data = client.get(f"/insights/map/data.json?government={governments['bandung'].pk}").json()
    levels = {int(line[5]): data["levels"][line[4]] for line in data["lines"]}
    assert levels == {three["lively"].pk: "good", three["quiet"].pk: "fair", three["asleep"].pk: "poor"}
    states = {int(line[5]): data["states"][line[6]] for line in data["lines"]}
    assert states == {three["lively"].pk: "thriving", three["quiet"].pk: "slowing", three["asleep"].pk: "dormant"}
    whole = client.get("/insights/map/").content.decode()
    assert 'data-state="dormant"' in whole and 'data-state="no_record"' in whole


def _many(governments, users, n: int):
    """n partnerships of Bandung with activities, agreements and action items."""
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment

    admin = users["platform_admin"]
    places = (
        Place.objects.filter(country_code="JP", kind="city")
        .exclude(governments__isnull=False)
        .order_by("-population")[:n]
    )
    made = []
    for i, place in enumerate(places):
        partner = LocalGovernment.objects.create(place=place, name=place.name)
        p = services.create_partnership(admin, governments["bandung"], partner)
        months = 30 if i % 3 == 0 else i % 20  # every third one dormant
        held(admin, p, partner, NOW - relativedelta(months=months), recurrence="FREQ=YEARLY" if i % 5 == 1 else "")
        mou(p, dt.date(2020 + i % 6, 1, 1))
        overdue_items(p, partner, i % 4, dt.date(2026, 1, 1))
        made.append(p)
    return made


@pytest.mark.parametrize(
    "url",
    [
        "/insights/",
        "/insights/?dormant=on",
        "/",
        "/api/insights/health",
        "/insights/map/data.json",
        "/insights/map/?government={bandung}",
    ],
)
def test_query_count_does_not_grow_with_partnerships(client, governments, users, url):
    client.force_login(users["bandung_editor"])
    url = url.format(bandung=governments["bandung"].pk)
    with assert_constant_queries() as queries:
        for n, measure in ((3, queries.few), (27, queries.many)):  # 3, then 30
            _many(governments, users, n)
            client.get(url)  # warm the per-process caches (series expansion) as a running server would
            with measure():
                assert client.get(url).status_code == 200


def test_demo_shows_a_spread(db, settings):
    """`kembar demo`: Bandung's office sees a dormant partnership and a healthy one."""
    from django.contrib.auth import get_user_model

    from kembar.dashboard.demo import load_demo

    load_demo()
    rows = score.HealthReport(get_user_model().objects.get(username="bandung")).rows()
    levels = {h.level for h in rows}
    assert any(h.dormant for h in rows) and "good" in levels and "poor" in levels


def test_permission_matrix_for_one_partnerships_health(client, governments, users):
    private = services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"], public=False
    )
    expected = {
        None: 404,
        "bandung_viewer": 200,
        "bandung_editor": 200,
        "braunschweig_editor": 404,
        "surabaya_editor": 404,
        "oversight": 200,
        "platform_admin": 200,
    }
    for who, status in expected.items():
        client.logout()
        if who:
            client.force_login(users[who])
        assert client.get(f"/api/insights/health/{private.pk}").status_code == status, who
        page = client.get(private.get_absolute_url())
        assert page.status_code == status, who
        listed = client.get("/insights/").content.decode()
        assert (f'data-partnership="{private.pk}"' in listed) is (status == 200), who
    make_user("nobody")  # a logged-in user without an office sees public ones only
    client.force_login(type(users["oversight"]).objects.get(username="nobody"))
    assert client.get(f"/api/insights/health/{private.pk}").status_code == 404


def test_a_cached_ranking_rescores_only_the_changed_partnerships_and_equals_a_full_ranking(
    three, governments, users, settings
):
    """After each kind of change the cached ranking is brought up to date by re-scoring the
    partnerships concerned (no full ranking query) and is exactly the ranking made from scratch;
    a change of unknown reach (a procedure template's stage) ranks everything again."""
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    g, admin = governments, users["platform_admin"]
    readers = [
        (users["oversight"], {}),
        (users["bandung_editor"], {}),
        (None, {}),
        (users["oversight"], {"dormant_only": True}),
        (users["bandung_editor"], {"country": "JP"}),
    ]

    def full_ranking_queries(queries):
        return [q for q in queries if q["sql"].endswith("ORDER BY 2 ASC, 1 ASC")]

    def check(expect_full=False):
        for user, filters in readers:
            with CaptureQueriesContext(connection) as queries:
                cached = report(user, **filters).ranking()
            assert bool(full_ranking_queries(queries)) == expect_full, (user, filters)
            assert cached == report(user, **filters)._rank_all(), (user, filters)

    check(expect_full=True)
    check()  # nothing changed: from the cache as it is
    held(admin, three["asleep"], g["bandung"], NOW - relativedelta(months=2))  # wakes up, leaves "dormant only"
    check()
    overdue_items(three["lively"], g["bandung"], 3, dt.date(2026, 1, 5))  # a meeting and its action items
    check()
    mou(three["quiet"], dt.date(2026, 1, 1))
    check()
    stage = AgreementStage.objects.filter(agreement__partnership=three["lively"]).first()
    if stage is not None:
        stage.save()
        check()
    newcomer = services.create_partnership(admin, g["kyoto"], g["busan"])
    check()
    assert newcomer.pk in [pk for pk, _score in report(users["oversight"]).ranking()]
    three["quiet"].status = "ended"
    three["quiet"].save()
    check()
    three["lively"].activities.order_by("start").first().delete()
    check()
    from kembar.agreements.models import TemplateStage

    TemplateStage.objects.first().save()
    check(expect_full=True)


# --- the kept health of one partnership (the partnership page's card, the list's rows) --------


def _card(page) -> str:
    return re.search(r'<section class="card health-card".*?</section>', page.content.decode(), re.S).group(0)


def _rows(page) -> dict[int, str]:
    """{partnership id: its row}, in the list's order."""
    rows = re.finditer(r'<tr data-partnership="(\d+)">.*?</tr>', page.content.decode(), re.S)
    return {int(row.group(1)): row.group(0) for row in rows}


@pytest.fixture
def described(monkeypatch):
    """The ids each health computation described from the database (rather than the cache)."""
    calls: list[list[int]] = []
    original = score.HealthReport._describe

    def spy(self, ids, read=()):
        calls.append(sorted(ids))
        return original(self, ids, read)

    monkeypatch.setattr(score.HealthReport, "_describe", spy)
    return calls


def test_a_kept_health_card_changes_at_once_for_its_partnership_only(
    client, three, governments, users, settings, described
):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    client.force_login(users["bandung_editor"])
    urls = {name: three[name].get_absolute_url() for name in ("quiet", "lively")}
    before = {name: _card(client.get(url)) for name, url in urls.items()}
    assert described == [[three["quiet"].pk], [three["lively"].pk]]
    described.clear()
    assert {name: _card(client.get(url)) for name, url in urls.items()} == before and described == []  # kept
    held(
        users["bandung_editor"],
        three["quiet"],
        governments["braunschweig"],
        dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
    )
    after = {name: _card(client.get(url)) for name, url in urls.items()}
    assert described == [[three["quiet"].pk]]  # the other partnership's card stayed kept
    assert after["quiet"] != before["quiet"] and after["lively"] == before["lively"]
    assert "Both partners hosted activities" in after["quiet"]  # Braunschweig hosted now, Bandung before
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 0
    assert {name: _card(client.get(url)) for name, url in urls.items()} == after  # as computed afresh


def test_a_kept_health_is_kept_per_reader_and_language(three, users, settings, described):
    """What differs per reader (the editor's links, the internal action items) and per language
    never comes from another reader's or language's kept health."""
    from django.utils import translation

    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    asleep = three["asleep"]
    editor = score.health_of(users["bandung_editor"], asleep)
    viewer = score.health_of(users["bandung_viewer"], asleep)
    visitor = score.health_of(None, asleep)
    assert editor.next_step.url and not viewer.next_step.url  # only an editor gets the link
    assert by_code(editor)["actions"].points == 0 and by_code(visitor)["actions"].points == 10
    with translation.override("id"):
        indonesian = score.health_of(users["bandung_editor"], asleep)
    with translation.override("en"):
        english = score.health_of(users["bandung_editor"], asleep)
    assert by_code(indonesian)["actions"].text != by_code(english)["actions"].text
    described.clear()
    again = score.health_of(users["bandung_editor"], asleep)  # kept: nothing described
    assert described == [] and again.steps == editor.steps and again.factors == editor.factors


def test_kept_list_rows_change_at_once_for_the_changed_partnership_only(
    client, three, governments, users, settings, described, committed, django_capture_on_commit_callbacks
):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    client.force_login(users["oversight"])
    first = _rows(client.get("/insights/"))
    assert set(first) >= {p.pk for p in three.values()}
    described.clear()
    assert _rows(client.get("/insights/")) == first and described == []  # ranking and rows kept
    asleep = three["asleep"]
    with django_capture_on_commit_callbacks(execute=True):  # the kept page's data version: on commit
        held(users["platform_admin"], asleep, governments["bandung"], dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    after = _rows(client.get("/insights/"))
    assert described == [[asleep.pk]]
    assert after[asleep.pk] != first[asleep.pk] and "data-dormant" in first[asleep.pk]
    assert "data-dormant" not in after[asleep.pk]
    assert {pk: row for pk, row in after.items() if pk != asleep.pk} == {
        pk: row for pk, row in first.items() if pk != asleep.pk
    }
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 0
    fresh = client.get("/insights/")
    assert _rows(fresh) == after and list(_rows(fresh)) == list(after)  # the same rows in the same order


@pytest.mark.parametrize("page", ["detail", "list"])
def test_kept_pages_make_as_many_queries_with_many_activities(
    client, three, governments, users, settings, page, committed, django_capture_on_commit_callbacks
):
    """With the caches on: the first request after a change and the next one (kept) each make
    as many queries with 30 activities as with 3, and the kept one makes fewer."""
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    client.force_login(users["bandung_editor"])
    url = three["quiet"].get_absolute_url() if page == "detail" else "/insights/"
    now = dt.datetime.now(dt.UTC)
    client.get(url)  # the ranking and the filter's choices, kept from now on
    with assert_constant_queries() as queries:
        for n, measure in ((3, queries.few), (27, queries.many)):
            with django_capture_on_commit_callbacks(execute=True):  # a kept page's version: on commit
                for i in range(n):
                    held(
                        users["bandung_editor"],
                        three["quiet"],
                        governments["braunschweig"],
                        now - dt.timedelta(days=5 + i),
                    )
            with measure("changed") as changed:
                assert client.get(url).status_code == 200
            with measure("kept") as kept:
                assert client.get(url).status_code == 200
            assert len(kept) < len(changed)
