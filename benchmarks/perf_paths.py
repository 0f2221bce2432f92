"""The three pages that used to do costly work on every request: median server time and SQL queries.

1. The events portal (/events/) with 1,000 public activities, 200 of them recurring series.
2. A need's page against 100 and then 1,000 solutions: the first page after start-up (the
   solutions' texts analysed) and the following ones.
3. The dashboard of an office with 1,000 stuck procedures (stages past their expected days).

Part of `make bench` (benchmarks/run.py calls `measure()` on its database); alone:
`.venv/bin/python -m benchmarks.perf_paths` in a scratch SQLite file under var/bench/ (or the
DATABASE_URL given as BENCH_DATABASE_URL). Figures are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "var" / "bench"  # the benchmarks' scratch files
REQUESTS = int(os.environ.get("BENCH_PERF_REQUESTS", "15"))
ACTIVITIES, SERIES = 1000, 200
STUCK = 1000
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def timed(client, path: str, runs: int = REQUESTS) -> tuple[float, int]:
    """Median milliseconds of `runs` requests (after one not counted) and the SQL queries of one."""
    with counted() as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), len(queries)


@contextlib.contextmanager
def counted():
    """The SQL statements run inside the block (a list that fills up)."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield queries


def report(label: str, median: float, queries: int | None = None) -> None:
    extra = f"   {queries} SQL queries" if queries is not None else ""
    print(f"  {label:58s} median {median:8.1f} ms{extra}")


def world():
    """Eight governments (four Indonesian, four abroad) in public partnerships, an office for the first."""
    from kembar.accounts.models import Membership, Organisation
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment, Partnership

    cities = [
        ("Bench Bandung", "ID", "Asia/Jakarta"),
        ("Bench Surabaya", "ID", "Asia/Jakarta"),
        ("Bench Makassar", "ID", "Asia/Makassar"),
        ("Bench Jayapura", "ID", "Asia/Jayapura"),
        ("Bench Kyoto", "JP", "Asia/Tokyo"),
        ("Bench Braunschweig", "DE", "Europe/Berlin"),
        ("Bench Fort Worth", "US", "America/Chicago"),
        ("Bench Busan", "KR", "Asia/Seoul"),
    ]
    governments = []
    for name, country, zone in cities:
        place, _ = Place.objects.get_or_create(name=name, country_code=country, defaults={"timezone": zone})
        government, _ = LocalGovernment.objects.get_or_create(
            place=place, defaults={"name": name, "country_code": country}
        )
        governments.append(government)
    pairs = []
    for a in governments[:4]:
        for b in governments[4:]:
            x, y = sorted((a, b), key=lambda g: g.pk)
            p, _ = Partnership.objects.get_or_create(government_a=x, government_b=y, defaults={"public": True})
            pairs.append(p)
    office, _ = Organisation.objects.get_or_create(name="Bench office", defaults={"local_government": governments[0]})
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="bench-officer")
    if created:
        Membership.objects.create(user=user, organisation=office, role=Membership.Role.EDITOR)
    return governments, pairs, user


def events(client, pairs) -> None:
    from kembar.activities.models import Activity

    rng = random.Random(1)
    rules = [
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=YEARLY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;COUNT=40",
        "FREQ=MONTHLY;UNTIL=20300101",
    ]
    rows = []
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for k in range(ACTIVITIES - Activity.objects.count()):
        p = rng.choice(pairs)
        series = k < SERIES
        start = now + dt.timedelta(days=rng.randint(-900 if series else -400, 400), hours=rng.randint(0, 23))
        rows.append(
            Activity(
                partnership=p,
                host=p.government_a,
                title=f"Bench activity {k}",
                type="festival",
                start=start,
                end=start + dt.timedelta(hours=rng.randint(1, 30)),
                public=True,
                recurrence=rng.choice(rules) if series else "",
                planned_start=start,
                planned_end=start,
            )
        )
    Activity.objects.bulk_create(rows, batch_size=500)
    total, recurring = Activity.objects.count(), Activity.objects.exclude(recurrence="").count()
    print(f"events portal, {total:,} public activities ({recurring} recurring series), {REQUESTS} requests each:")
    for label, path in (
        ("/events/", "/events/"),
        ("/events/ one month", f"/events/?month={now:%Y-%m}"),
        ("/events/ one country", "/events/?country=JP"),
    ):
        report(label, *timed(client, path))


def solutions(client, governments, user) -> None:
    from django.urls import reverse

    from kembar.solutions import demo, match
    from kembar.solutions.models import Need, Solution

    need = Need.objects.filter(title="Bench need").first() or Need.objects.create(
        government=governments[0],
        title="Bench need",
        description=(
            "Sistem peringatan dini banjir. Sungai meluap saat hujan deras; warga perlu peringatan lewat pesan "
            "singkat dan sensor tinggi muka air."
        ),
        sdg_targets=["11.5"],
        languages=["id", "en"],
    )
    words = " ".join(f"{d['title']} {d['summary']} {d['problem']}" for _, d in demo.SOLUTIONS).split()
    rng = random.Random(2)
    url = reverse("solutions:need", args=[need.pk])
    client.force_login(user)
    print(f"need page (one need, partner and platform matches), {REQUESTS} requests each:")
    for size in (100, 1000):
        missing = size - Solution.objects.count()
        Solution.objects.bulk_create(
            [
                Solution(
                    government=governments[4 + k % 4] if k % 3 else governments[1 + k % 3],
                    title=" ".join(rng.choice(words) for _ in range(rng.randint(3, 8))),
                    summary=" ".join(rng.choice(words) for _ in range(rng.randint(15, 40))),
                    problem=" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))),
                    sdg_targets=rng.sample(["11.5", "11.6", "13", "3", "6"], 2),
                    maturity=rng.choice(list(match.MATURITY_SCORE)),
                    languages=["en"],
                )
                for k in range(missing)
            ],
            batch_size=500,
        )
        match.SOLUTION_TEXTS._empty()  # as after a start-up
        started = time.perf_counter()
        client.get(url)
        report(f"{size:,} solutions, first page after start-up", (time.perf_counter() - started) * 1000)
        report(f"{size:,} solutions, next pages", *timed(client, url))
    client.logout()


def dashboard(client, pairs, user) -> None:
    from kembar.agreements.models import Agreement, AgreementStage, AgreementStatus, ProcedureTemplate
    from kembar.agreements.reminders import dashboard_context

    own = [
        p
        for p in pairs
        if user.memberships.get().organisation.local_government_id in (p.government_a_id, p.government_b_id)
    ]
    templates = list(ProcedureTemplate.objects.prefetch_related("stages"))
    rng = random.Random(3)
    missing = STUCK - Agreement.objects.filter(title__startswith="Bench procedure").count()
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                partnership=rng.choice(own),
                template=rng.choice(templates),
                title=f"Bench procedure {k}",
                status=AgreementStatus.IN_PROCEDURE,
            )
            for k in range(missing)
        ],
        batch_size=500,
    )
    stages = []
    for a in agreements:
        timed_stages = [s for s in a.template.stages.all() if s.expected_days]
        stage = rng.choice(timed_stages)
        stages.append(
            AgreementStage(
                agreement=a,
                template_stage=stage,
                position=stage.position,
                status="active",
                started_at=NOW
                - dt.timedelta(days=stage.expected_days + rng.randint(1, 500), minutes=rng.randint(0, 1440)),
            )
        )
    AgreementStage.objects.bulk_create(stages, batch_size=500)

    def context():
        fresh = type(user).objects.get(pk=user.pk)
        return dashboard_context(fresh, NOW)

    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        context()
        samples.append((time.perf_counter() - started) * 1000)
    with counted() as queries:
        block = context()
    stuck = AgreementStage.objects.filter(agreement__title__startswith="Bench procedure").count()
    print(
        f"dashboard of an office with {stuck:,} stuck procedures, {REQUESTS} runs each "
        f"({len(block['procedures_stuck'])} shown):"
    )
    report("agreements block (dashboard_context)", statistics.median(samples), len(queries))
    client.force_login(user)
    report("dashboard page", *timed(client, "/"))
    client.logout()


def measure() -> None:
    """The three pages on the database Django is set up with (data added if missing)."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    governments, pairs, user = world()
    client = Client()
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        events(client, pairs)
        solutions(client, governments, user)
        dashboard(client, pairs, user)


def fresh_database_url(name: str) -> str:
    """BENCH_DATABASE_URL, or else a new SQLite file var/bench/<name>; the last run's file goes either way."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    db = SCRATCH / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{db}")


def main() -> None:
    url = fresh_database_url("perf.sqlite3")
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kembar.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", verbosity=0)
    print(f"database: {url.split('@')[-1]}")
    measure()


if __name__ == "__main__":
    main()
