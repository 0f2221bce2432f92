"""Server time and SQL queries of the pivot and SDG pages on the issue's dataset (25,000
partnerships, 100,000 activities): figures printed, never asserted.

    .venv/bin/python -m benchmarks.insights_analytics        # alone: a scratch SQLite file in var/bench/
    make bench                                                # after the other figures, on their database

Alone it migrates a scratch database (or BENCH_DATABASE_URL), loads the gazetteer of a few
countries and generates the dataset; called from benchmarks/run.py it tops up the database
that run.py built. The dataset comes from benchmarks/insights_data.py when that generator is
there, else from `top_up` below (random pairs of real places, activities spread over 2015–2027
with every status, modality, field and SDG target).
"""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
PARTNERSHIPS = 25_000
ACTIVITIES = 100_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup_alone() -> None:
    """A scratch database with the gazetteer of a few countries, when run on its own."""
    scratch = ROOT / "var" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch / 'insights.sqlite3'}")
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kembar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kembar.gazetteer.models import Place
    from kembar.gazetteer.services import load_gazetteer

    call_command("migrate", "--no-input", verbosity=0)
    if not Place.objects.exists():
        load_gazetteer(countries=["ID", "JP", "DE", "KR", "GB", "US", "FR", "NL", "AU", "CN"], progress=False)
    print(f"database: {url.split('@')[-1]}")


def dataset() -> None:
    try:
        from benchmarks import insights_data
    except ImportError:
        insights_data = None
    if insights_data is not None and hasattr(insights_data, "generate"):
        insights_data.generate()
    top_up()


def top_up() -> None:
    from kembar.activities.models import Activity
    from kembar.activities.vocab import SDG_CODES, ActivityStatus, ActivityType, Modality
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment, Partnership
    from kembar.partnerships.vocab import Field

    rng = random.Random(2026)
    missing = PARTNERSHIPS - Partnership.objects.count()
    if missing > 0:
        governments = list(LocalGovernment.objects.values_list("id", flat=True))
        if len(governments) < 2000:
            existing = set(LocalGovernment.objects.values_list("place_id", flat=True))
            places = [p for p in Place.objects.filter(kind="city").order_by("-population")
                      .values_list("id", "name", "country_code")[:5000] if p[0] not in existing]
            LocalGovernment.objects.bulk_create(
                [LocalGovernment(place_id=i, name=n, country_code=c) for i, n, c in places], batch_size=2000)
            governments = list(LocalGovernment.objects.values_list("id", flat=True))
        pairs = set(Partnership.objects.values_list("government_a_id", "government_b_id"))
        new = []
        while len(new) < missing:
            a, b = sorted(rng.sample(governments, 2))
            if (a, b) not in pairs:
                pairs.add((a, b))
                new.append(Partnership(government_a_id=a, government_b_id=b, public=rng.random() > 0.1))
        Partnership.objects.bulk_create(new, batch_size=2000)
        print(f"added {len(new):,} partnerships to reach {PARTNERSHIPS:,}")
    missing = ACTIVITIES - Activity.objects.count()
    if missing > 0:
        pairs = list(Partnership.objects.values_list("id", "government_a_id", "government_b_id"))
        codes = sorted(SDG_CODES)
        first = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)
        span = (dt.datetime(2027, 12, 31, tzinfo=dt.timezone.utc) - first).total_seconds()
        statuses, modalities, types, fields = (ActivityStatus.values, Modality.values, ActivityType.values,
                                               Field.values + [""])
        batch = []
        for i in range(missing):
            pk, a, b = rng.choice(pairs)
            start = first + dt.timedelta(seconds=int(rng.random() * span))
            modality = rng.choice(modalities)
            planned = "in_person" if rng.random() < 0.4 else modality
            batch.append(Activity(
                partnership_id=pk, title=f"Activity {i}", type=rng.choice(types), field=rng.choice(fields),
                modality=modality, planned_modality=planned, status=rng.choice(statuses), host_id=rng.choice((a, b)),
                start=start, end=start + dt.timedelta(hours=3), planned_start=start,
                planned_end=start + dt.timedelta(hours=3), public=rng.random() > 0.2,
                sdg_targets=rng.sample(codes, rng.randint(0, 3)), outcomes="Report" if rng.random() < 0.3 else "",
                participants_a=rng.randint(0, 40), participants_b=rng.randint(0, 40)))
            if len(batch) == 5000:
                Activity.objects.bulk_create(batch)
                batch = []
        Activity.objects.bulk_create(batch)
        print(f"added {missing:,} activities to reach {ACTIVITIES:,}")


def measure() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from kembar.accounts.models import Membership, Organisation
    from kembar.activities.models import Activity
    from kembar.partnerships.models import Partnership

    User = get_user_model()
    oversight_org, _ = Organisation.objects.get_or_create(name="Bench oversight", kind=Organisation.Kind.OVERSIGHT)
    reader, created = User.objects.get_or_create(username="bench-oversight")
    if created:
        Membership.objects.create(user=reader, organisation=oversight_org, role=Membership.Role.VIEWER)
    busiest = (Partnership.objects.values("government_a").annotate(n=Count("id")).order_by("-n")
               .values_list("government_a", flat=True).first())
    year = 2026
    pages = {"pivot, whole platform, all years": "/insights/pivot/",
             f"pivot, whole platform, {year}": f"/insights/pivot/?year={year}",
             f"pivot, one government, {year}": f"/insights/pivot/?government={busiest}&year={year}",
             "SDG, whole platform": "/insights/sdg/",
             f"SDG, one government, {year}": f"/insights/sdg/?government={busiest}&year={year}"}
    client = Client()
    client.force_login(reader)
    timings, queries = {}, {}
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for label, path in pages.items():
            assert client.get(path).status_code == 200, path
            samples = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            timings[label] = samples
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries[label] = len(captured)
    print(f"insights pages at {Partnership.objects.count():,} partnerships and {Activity.objects.count():,} "
          f"activities, {REQUESTS} requests each (oversight reader, {connection.vendor}):")
    for label, samples in timings.items():
        print(f"  {label:36s} median {statistics.median(samples):7.1f} ms   p95 {percentile(samples, 0.95):7.1f} ms"
              f"   {queries[label]} SQL queries")


def main() -> None:
    if "DJANGO_SETTINGS_MODULE" not in os.environ or not _django_ready():
        setup_alone()
    dataset()
    measure()


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
