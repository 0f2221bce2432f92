"""Server time and SQL queries of the pivot and SDG pages on the issue's dataset (25,000
partnerships, 100,000 activities): figures printed, never asserted.

    .venv/bin/python -m benchmarks.insights_analytics        # alone: a scratch SQLite file in var/bench/
    make bench                                                # after the other figures, on their database

Alone it migrates a scratch database (or BENCH_DATABASE_URL); called from benchmarks/run.py it
uses the database run.py built. The dataset is benchmarks/insights_data.py's (generated once,
with its two logins: an oversight body and the office of the government with the most
partnerships).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))


def measure(generated) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kembar.activities.models import Activity
    from kembar.partnerships.models import Partnership

    users = get_user_model().objects
    office = generated.office_government_id
    year = 2026
    pages = {
        "pivot, whole platform, all years": (generated.oversight_user, "/insights/pivot/"),
        f"pivot, whole platform, {year}": (generated.oversight_user, f"/insights/pivot/?year={year}"),
        f"pivot, the office's government, {year}": (
            generated.office_user,
            f"/insights/pivot/?government={office}&year={year}",
        ),
        "pivot, a province (ID-JK), all years": (generated.oversight_user, "/insights/pivot/?province=ID-JK"),
        "SDG, whole platform": (generated.oversight_user, "/insights/sdg/"),
        f"SDG, the office's government, {year}": (
            generated.office_user,
            f"/insights/sdg/?government={office}&year={year}",
        ),
    }
    from django.core.cache import cache

    from benchmarks.insights_health import figures, load, queries_of, timed
    from kembar.insights.analytics import charts
    from kembar.partnerships.vocab import Field

    rng = random.Random(11)
    activity_ids = list(Activity.objects.values_list("pk", flat=True))

    def change_one_activity() -> None:
        """An office edits one activity's field: its quarter is counted again, a chart drawn again."""
        activity = Activity.objects.get(pk=rng.choice(activity_ids))
        activity.field = rng.choice(Field.values)
        activity.save()

    def empty() -> None:
        cache.clear()
        charts._svg_data_uri.cache_clear()

    print(
        f"insights pages at {Partnership.objects.count():,} partnerships and {Activity.objects.count():,} "
        f"activities ({connection.vendor}; the platform as an oversight body, the government as its office; "
        f"load average {load()} at the start):"
    )
    print(f"  {'':40s} {'empty cache':>20s}   {'after a change':>22s}   {'unchanged':>22s}")
    print(f"  {'':40s} {'median    p95':>20s}   {'median    p95':>22s}   {'median    p95':>22s}")
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for label, (username, path) in pages.items():
            client = Client()
            client.force_login(users.get(username=username))
            assert client.get(path).status_code == 200, path
            cold = timed(client, path, max(3, REQUESTS // 8), before=empty)
            changed = timed(client, path, max(5, REQUESTS // 2), before=change_one_activity)
            warm = timed(client, path, REQUESTS)
            queries = queries_of(client, path)
            change_one_activity()
            changed_queries = queries_of(client, path)
            print(
                f"  {label:40s} {figures(cold)}   {figures(changed)}   {figures(warm)}   "
                f"{queries}/{changed_queries} SQL queries"
            )
    print(
        f"  ({max(3, REQUESTS // 8)} requests with an empty cache, {max(5, REQUESTS // 2)} each after one "
        f"activity's field was changed, {REQUESTS} unchanged; SQL queries unchanged/after a change; load average "
        f"{load()} at the end)"
    )


def main() -> None:
    if "DJANGO_SETTINGS_MODULE" not in os.environ or not _django_ready():
        from benchmarks.insights_health import setup_alone

        setup_alone()
    from benchmarks.insights_data import generate

    measure(generate())


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
