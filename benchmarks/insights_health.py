"""Issue 7's benchmark for partnership health: on 25,000 partnerships and 100,000 activities
(benchmarks/insights_data.py), the server time (median, p95) and SQL query count of

* the national health page (/insights/ as an oversight body: every partnership, worst first),
* the same with the "dormant only" filter, and an office's own health page,
* the office's dashboard (with its "needs attention" list),
* the API's health list, and the health map's JSON for the whole platform (with its size).

    python -m benchmarks.insights_health     # alone: a scratch SQLite file var/bench/insights.sqlite3
                                             # (or BENCH_DATABASE_URL), generated on first use
    make bench                               # benchmarks/run.py calls measure() on its own database

Figures are printed, never asserted, with the load average. Three kinds of request per page:
"empty cache" ranks every partnership of the scope in the database (the recurring series are
expanded once a day per process, `score._EXPANDED`, and stay expanded here); "after a change"
follows the edit of one random activity, as an office's day goes (the cached ranking re-scores
that activity's partnership); "unchanged" reuses the ranking within KEMBAR_HEALTH_CACHE_SECONDS
and reads the evidence of the shown rows only.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
CHANGED_REQUESTS = max(5, REQUESTS // 2)
EMPTY_REQUESTS = max(3, REQUESTS // 8)


def load() -> str:
    """The machine's 1-minute load average: the figures mean little without it."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def timed(client, path: str, n: int, before=None) -> list[float]:
    """Server time in ms of n requests, `before()` run (untimed) ahead of each one."""
    samples = []
    for _ in range(n):
        if before is not None:
            before()
        began = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def figures(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.1f} {percentile(samples, 0.95):7.1f} ms"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def queries_of(client, path: str) -> int:
    """How many SQL queries one request makes."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # with DEBUG on every query is logged, and the log stops at 9,000
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)  # now: the captured queries are read from the log, which the next call resets


def measure() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    from benchmarks.insights_data import generate
    from kembar.activities.models import Activity
    from kembar.partnerships.models import Partnership

    started = time.perf_counter()
    made = generate(log=lambda line: print("  " + line))
    print(
        f"insights dataset: {Partnership.objects.count():,} partnerships, {Activity.objects.count():,} "
        f"activities, {made.agreements:,} agreements, {made.action_items:,} action items "
        f"({time.perf_counter() - started:.0f} s to make or find)"
    )
    User = get_user_model()
    oversight, office = (User.objects.get(username=made.oversight_user), User.objects.get(username=made.office_user))
    pages = [
        ("national health page (oversight)", oversight, "/insights/"),
        ("national health page, dormant only", oversight, "/insights/?dormant=on"),
        ("national health page, page 100", oversight, "/insights/?page=100"),
        ("office health page", office, "/insights/"),
        ("office dashboard (needs attention)", office, "/"),
        ("API health list (oversight)", oversight, "/api/insights/health"),
        ("health map JSON, whole platform", oversight, "/insights/map/data.json"),
        ("bare Django view", None, "/bench/bare/"),
    ]
    rng = random.Random(7)
    activity_ids = list(Activity.objects.values_list("pk", flat=True))

    def change_one_activity() -> None:
        """What an office does all day: one activity edited (its signals note the change)."""
        activity = Activity.objects.get(pk=rng.choice(activity_ids))
        activity.description = f"{activity.description[:200]} (edited {time.time():.0f})"
        activity.save()

    print(f"server time (load average {load()} at the start):")
    print(f"  {'':38s} {'empty cache':>20s}   {'after a change':>22s}   {'unchanged':>22s}")
    print(f"  {'':38s} {'median    p95':>20s}   {'median    p95':>22s}   {'median    p95':>22s}")
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for label, user, path in pages:
            client = Client()
            if user is not None:
                client.force_login(user)
            first = client.get(path)
            assert first.status_code == 200, (path, first.status_code)
            empty = timed(client, path, EMPTY_REQUESTS, before=cache.clear)  # every partnership ranked
            changed = timed(client, path, CHANGED_REQUESTS, before=change_one_activity)  # re-scored
            queries = queries_of(client, path)
            change_one_activity()
            changed_queries = queries_of(client, path)
            unchanged = timed(client, path, REQUESTS)
            size = f"   {len(first.content) / 1024:,.0f} KiB" if path.endswith(".json") else ""
            print(
                f"  {label:38s} {figures(empty)}   {figures(changed)}   {figures(unchanged)}   "
                f"{queries:2d}/{changed_queries:2d} SQL queries{size}"
            )
    print(
        f"  ({EMPTY_REQUESTS} requests with an empty cache, {CHANGED_REQUESTS} each after one activity was "
        f"edited, {REQUESTS} unchanged; SQL queries unchanged/after a change; load average {load()} at the end)"
    )
    map_in_chromium()


def map_in_chromium() -> None:
    """The whole platform's health map in Chromium (/usr/bin/chromium, if there): the time from
    navigation to the last line drawn, and the drawing alone (app.js's data-draw-ms)."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if not chromium.exists() or sync_playwright is None:
        print("health map in Chromium: skipped (no /usr/bin/chromium or playwright)")
        return
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test import Client
    from django.test.testcases import LiveServerThread

    from benchmarks.insights_data import Generated

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    url = f"http://127.0.0.1:{server.port}"
    client = Client()
    client.force_login(get_user_model().objects.get(username=Generated.oversight_user))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])
            page = context.new_page()
            samples = []
            for _ in range(3):
                began = time.perf_counter()
                page.goto(url + "/insights/map/")
                page.wait_for_selector("[data-health-map][data-lines]", timeout=120_000)
                total = (time.perf_counter() - began) * 1000
                the_map = page.locator("[data-health-map]")
                samples.append(
                    (total, int(the_map.get_attribute("data-draw-ms")), int(the_map.get_attribute("data-lines")))
                )
            browser.close()
    finally:
        server.terminate()
    total, draw, lines = sorted(samples)[1]
    print(
        f"health map in Chromium, whole platform: {lines:,} lines; page to last line {total:,.0f} ms, "
        f"of which drawing on the canvas {draw:,} ms (median of 3)"
    )


def setup_alone() -> None:
    """A scratch database (the dataset generator loads the gazetteer it needs), when run on its own."""
    scratch = ROOT / "var" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch / 'insights.sqlite3'}")
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kembar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    print(f"database: {url.split('@')[-1]}")


def main() -> None:
    setup_alone()
    measure()


if __name__ == "__main__":
    sys.exit(main())
