"""`kembar health --json`: the registry's partnerships by health state, in one JSON object, with
"no record yet" kept apart from "dormant"."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef, Q

from kembar.accounts import permissions
from kembar.activities import services as activities
from kembar.activities.models import Activity
from kembar.agreements.models import Agreement
from kembar.dashboard.demo import load_demo
from kembar.insights.health import score
from kembar.meetings.models import Meeting
from kembar.partnerships import services
from kembar.partnerships.importer import import_links
from kembar.partnerships.models import Partnership
from tests.support.builders import imported_link as imported
from tests.support.builders import make_user

pytestmark = pytest.mark.django_db

STATES = {"thriving", "slowing", "struggling", "dormant", "no_record"}


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


def health(*args) -> dict[str, int]:
    out = io.StringIO()
    call_command("health", "--json", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # one JSON object, nothing else
    data = json.loads(lines[0])
    assert set(data) == {"by_state"} and set(data["by_state"]) == STATES
    return data["by_state"]


def test_an_empty_registry_still_names_every_state():
    assert health() == dict.fromkeys(STATES, 0)


def test_counts_by_state_over_the_registry_a_country_or_a_government(governments, users):
    g = governments
    admin = users["platform_admin"]
    alive = services.create_partnership(admin, g["bandung"], g["kyoto"])
    now = dt.datetime.now(dt.UTC)
    activities.create_activity(
        admin, alive, title="Visit", type="work_visit", host=g["kyoto"], start=now - dt.timedelta(days=20),
        end=now - dt.timedelta(days=19), status="held",
    )  # fmt: skip
    services.create_partnership(admin, g["surabaya"], g["liverpool"], status="active")  # nothing held: dormant
    services.create_partnership(admin, g["kyoto"], g["braunschweig"])  # a proposal, nothing held: no record
    imported(g["bandung"], g["busan"])
    imported(g["surabaya"], g["braunschweig"])
    imported(g["busan"], g["liverpool"])
    services.create_partnership(admin, g["kyoto"], g["busan"], status="ended")  # no health: left out

    everything = health()
    assert everything == {"thriving": 0, "slowing": 1, "struggling": 0, "dormant": 1, "no_record": 4}
    assert health("--country", "GB") == {"thriving": 0, "slowing": 0, "struggling": 0, "dormant": 1, "no_record": 1}
    assert health("--government", "Bandung,ID")["no_record"] == 1
    assert health("--government", f"#{g['busan'].pk}")["no_record"] == 2

    readable = io.StringIO()
    call_command("health", stdout=readable)
    assert "6 partnerships (not ended) by health:" in readable.getvalue()
    assert "no record yet (no_record): 4" in readable.getvalue()
    with pytest.raises(CommandError, match="Unknown country"):
        call_command("health", "--country", "Atlantis")
    with pytest.raises(CommandError, match="No registered local government"):
        call_command("health", "--government", "Atlantis,GR")


REAL_LIST = Path(settings.SHARED_DATA_DIR) / "twin_cities.csv"


def with_life() -> Q:
    """What the registry holds a record of, said without the health module: entered or edited by
    an office past the proposal, or with an activity, an agreement or a meeting."""
    pk = OuterRef("pk")
    return (
        ((Q(source=Partnership.Source.MANUAL) | Q(version__gt=1)) & ~Q(status="proposed"))
        | Exists(Activity.objects.filter(partnership=pk))
        | Exists(Agreement.objects.filter(partnership=pk))
        | Exists(Meeting.objects.filter(partnership=pk))
    )


@pytest.mark.realdata
def test_on_the_real_registry_imported_links_have_no_record_and_dormant_means_life_gone_quiet():
    if not REAL_LIST.exists():
        pytest.skip(f"real twinning list not found at {REAL_LIST} (set KEMBAR_SHARED_DATA)")
    load_demo()
    report = import_links(REAL_LIST, progress=False)
    assert report.pairs_created > 24_000

    counts = health()
    assert counts["no_record"] >= 24_000
    alive = Partnership.objects.exclude(status="ended").filter(with_life())
    assert counts["no_record"] == Partnership.objects.exclude(status="ended").count() - alive.count()
    states = score.HealthReport(permissions.console_reader()).states()
    dormant = {pk for pk, (_score, state) in states.items() if state == "dormant"}
    assert len(dormant) == counts["dormant"] and dormant <= set(alive.values_list("pk", flat=True))
    assert sum(counts.values()) == len(states)

    # An office records an old visit on one imported link: it had life, and it went quiet.
    link = Partnership.objects.filter(source=Partnership.Source.IMPORT).order_by("pk").first()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=4 * 365)
    office = make_user("registry_admin", is_superuser=True)
    activities.create_activity(
        office, link, title="Mayor's visit", type="work_visit", host=link.government_a,
        start=long_ago, end=long_ago + dt.timedelta(hours=3), status="held",
    )  # fmt: skip
    after = health()
    assert (after["dormant"], after["no_record"]) == (counts["dormant"] + 1, counts["no_record"] - 1)
