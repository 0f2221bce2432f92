"""`make bench`: figures printed, never asserted.

1. Gazetteer load into a fresh SQLite file (seconds).
2. Import of the real ../shared/data/twin_cities.csv on SQLite (seconds, link rate, report).
0. Meeting slot finder: 90 days, 4 cities in 4 time zones, 15-minute granularity (median).
3. Partner matchmaking: the issue-6 evaluation on a fixed split of the real file (warm and
   cold, with the baselines computed in the same run), `match-train` on the imported real
   network, and the p95 of one recommendation over every gazetteer place.
4. Server time of the partnership list page at 25,000 partnerships (median, p95) next to a
   bare Django view measured in the same run, with the page's SQL query count.
5. Partnership health (benchmarks/insights_health.py): 100,000 activities on those partnerships.
6. The page table (benchmarks/pages.py): requests per second of the main pages under gunicorn
   with the real registry and `kembar generate`'s volume, × a bare view, SQL queries.

Runs in a scratch SQLite file under var/bench/ (or the DATABASE_URL given as BENCH_DATABASE_URL).

`python -m benchmarks.run pages` prints only the page table. `python -m benchmarks.run matching` prints only the recommendation figures (the model's first load
and 200 recommendations), on the configured database and model: e.g. after `make run`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import perf_paths

ROOT = Path(__file__).resolve().parent.parent
KEMBAR = [sys.executable, "-m", "kembar.cli"]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
TARGET_PARTNERSHIPS = 25_000


def run(args: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(KEMBAR + args, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"kembar {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def load() -> str:
    """The machine's 1-minute load average: the figures above mean little without it."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def slot_finder(runs: int = 7) -> None:
    """The slot finder alone (plain Python, no database): holidays, time zones, ranking."""
    import datetime as dt

    from kembar.meetings.slots import Side, find_slots

    sides = [
        Side("Bandung", "Asia/Jakarta", "ID"),
        Side("Fort Worth", "America/Chicago", "US", "TX"),
        Side("Braunschweig", "Europe/Berlin", "DE", "NI"),
        Side("Kyoto", "Asia/Tokyo", "JP"),
    ]
    start = dt.date(2026, 1, 5)
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        result = find_slots(sides, start, start + dt.timedelta(days=89), 60)
        samples.append(time.perf_counter() - began)
    print(
        f"slot finder, 90 days, 4 cities in 4 time zones, {result.candidates:,} candidate starts: "
        f"median {statistics.median(samples) * 1000:.0f} ms over {runs} runs"
    )


def main() -> None:
    if "--slots" in sys.argv:
        slot_finder()
        return
    if "pages" in sys.argv[1:]:
        # The page table alone (benchmarks/pages.py): its own prepared database under var/bench/.
        __import__("benchmarks.pages", fromlist=["main"]).main()
        return
    if "matching" in sys.argv[1:]:
        # Only the recommendation latency, on the configured database (DATABASE_URL, default
        # var/kembar.sqlite3) and model (MATCHING_MODEL_PATH): a model built by `make run` or
        # `kembar match-train` on the imported real network.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
        import django

        django.setup()
        recommendation_latency()
        return
    slot_finder()
    url = perf_paths.fresh_database_url("bench.sqlite3")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "kembar.settings"}
    print(f"database: {url.split('@')[-1]}")

    run(["migrate", "--no-input", "-v0"], env)
    seconds, _ = run(["load-gazetteer", "--no-progress"], env)
    print(f"gazetteer load (fresh): {seconds:.1f} s")
    seconds, _ = run(["load-gazetteer", "--no-progress"], env)
    print(f"gazetteer load (again, nothing to do): {seconds:.1f} s")

    data = Path(os.environ.get("KEMBAR_SHARED_DATA", ROOT.parent / "shared" / "data")) / "twin_cities.csv"
    if data.exists():
        seconds, out = run(["import-links", str(data), "--json", "--no-progress"], env)
        report = json.loads(out.strip().splitlines()[-1])
        print(
            f"import of {data.name}: {seconds:.1f} s; rows {report['rows_read']}, pairs created "
            f"{report['pairs_created']}, duplicates merged {report['duplicates_merged']}, rejected "
            f"{report['rows_rejected']}, places linked {report['places_linked']}, unverified "
            f"{report['places_unverified']}, link rate {report['link_rate']:.1%}"
        )
        seconds, out = run(["import-links", str(data), "--json", "--no-progress"], env)
        again = json.loads(out.strip().splitlines()[-1])
        print(f"import again: {seconds:.1f} s; pairs created {again['pairs_created']}")
    else:
        print(f"import: skipped, {data} not found")

    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kembar.settings")
    import django

    django.setup()
    if data.exists():
        matching(data, env, perf_paths.SCRATCH)
    list_page(url)
    perf_paths.measure()  # the events portal, a need's page and the dashboard at 1,000 rows
    __import__("benchmarks.insights_health", fromlist=["measure"]).measure()  # issue 7: partnership health


def matching(data: Path, env: dict, scratch: Path) -> None:
    """Issue 6 figures: evaluation on a fixed split, training time, recommendation latency."""
    from kembar.matching.evaluation import hash_split, read_links, write_links

    links = read_links(data)
    for mode, fraction in (("warm", 0.10), ("cold", 0.05)):
        train, test = hash_split(links, mode, "kembar-bench-2026", fraction)
        write_links(train, scratch / f"{mode}-train.csv")
        write_links(test, scratch / f"{mode}-test.csv")
        _, out = run(
            [
                "match-eval",
                "--train",
                str(scratch / f"{mode}-train.csv"),
                "--test",
                str(scratch / f"{mode}-test.csv"),
                "--mode",
                mode,
                "--baselines",
            ],
            env,
        )
        print(
            f"matchmaking evaluation, {mode} ({len(train):,} train / {len(test):,} test links; load average {load()}):"
        )
        for line in out.strip().splitlines():
            print("  " + line)
    model_env = {**env, "MATCHING_MODEL_PATH": str(scratch / "matching-model.pkl")}
    seconds, out = run(["match-train"], model_env)
    print(f"match-train on the imported real network: {seconds:.1f} s ({out.strip()}; load average {load()})")
    os.environ["MATCHING_MODEL_PATH"] = model_env["MATCHING_MODEL_PATH"]
    from django.conf import settings

    settings.MATCHING_MODEL_PATH = model_env["MATCHING_MODEL_PATH"]
    recommendation_latency()


def recommendation_latency(runs: int = 200) -> None:
    """The model's first load in this process (unpickling and the per-place arrays built from
    it), then `services.suggest(top=10)` for `runs` random governments: median and p95."""
    from kembar.matching import services
    from kembar.partnerships.models import LocalGovernment

    started = time.perf_counter()
    model = services.load_model()
    loaded = time.perf_counter() - started
    print(
        f"matchmaking model load ({services.model_path().stat().st_size / 1e6:.0f} MB file): "
        f"{loaded:.2f} s (load average {load()})"
    )
    rng = random.Random(6)
    ids = list(LocalGovernment.objects.values_list("id", flat=True))
    times = []
    for pk in rng.sample(ids, min(runs, len(ids))):
        government = LocalGovernment.objects.select_related("place").get(pk=pk)
        started = time.perf_counter()
        services.suggest(government, top=10)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"one recommendation over {len(model.net.nodes):,} places (top 10, with reasons and its 3 SQL "
        f"queries), {len(times)} governments: median {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms (load average {load()})"
    )


def list_page(url: str) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment, Partnership

    top_up(Partnership, LocalGovernment, Place)
    total = Partnership.objects.count()
    client = Client()
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        pages = {
            "bare Django view": "/bench/bare/",
            "partnership list": "/partnerships/",
            "partnership list, page 400": "/partnerships/?page=400",
            "partnership list, country=JP": "/partnerships/?country=JP",
            "partnership list, search": "/partnerships/?q=Bandung",
        }
        timings: dict[str, list[float]] = {}
        for label, path in pages.items():
            assert client.get(path).status_code == 200, path
            samples = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            timings[label] = samples
        with CaptureQueriesContext(connection) as queries:
            client.get("/partnerships/")
    base = statistics.median(timings["bare Django view"])
    print(f"server time at {total:,} partnerships, {REQUESTS} requests each (anonymous):")
    for label, samples in timings.items():
        median = statistics.median(samples)
        print(
            f"  {label:32s} median {median:7.2f} ms   p95 {percentile(samples, 0.95):7.2f} ms"
            f"   ×{median / base:6.1f} bare"
        )
    print(f"  partnership list SQL queries: {len(queries)}")


def top_up(Partnership, LocalGovernment, Place) -> None:
    """Bring the registry to 25,000 partnerships with random pairs of real places."""
    missing = TARGET_PARTNERSHIPS - Partnership.objects.count()
    if missing <= 0:
        return
    rng = random.Random(2026)
    governments = list(LocalGovernment.objects.values_list("id", flat=True))
    if len(governments) < 2000:
        existing = set(LocalGovernment.objects.values_list("place_id", flat=True))
        places = [
            p
            for p in Place.objects.filter(kind="city")
            .order_by("-population")
            .values_list("id", "name", "country_code")[:5000]
            if p[0] not in existing
        ]
        LocalGovernment.objects.bulk_create(
            [LocalGovernment(place_id=i, name=n, country_code=c) for i, n, c in places], batch_size=2000
        )
        governments = list(LocalGovernment.objects.values_list("id", flat=True))
    pairs = set(Partnership.objects.values_list("government_a_id", "government_b_id"))
    new = []
    while len(new) < missing:
        a, b = sorted(rng.sample(governments, 2))
        if (a, b) not in pairs:
            pairs.add((a, b))
            new.append(Partnership(government_a_id=a, government_b_id=b, public=rng.random() > 0.1))
    Partnership.objects.bulk_create(new, batch_size=2000)
    print(f"added {len(new):,} random partnerships to reach {TARGET_PARTNERSHIPS:,}")


if __name__ == "__main__":
    main()
    if not ("--slots" in sys.argv or {"matching", "pages"} & set(sys.argv[1:])):
        __import__("benchmarks.insights_analytics", fromlist=["main"]).main()
        # Last: the page table under gunicorn, in a fresh process (its own database and settings).
        subprocess.run([sys.executable, "-m", "benchmarks.run", "pages"], cwd=ROOT, check=True)
