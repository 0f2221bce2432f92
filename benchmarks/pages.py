"""The page table of `make bench` (issue 26): requests per second of the main pages under gunicorn,
next to a bare Django view measured in the same run, with each page's SQL query count.

One prepared SQLite database: the real registry (`load-gazetteer`, `import-links` of
../shared/data/twin_cities.csv), the demo and `kembar generate` (100,000 activities, 10,000
agreements, 20,000 meetings, seed 2026). It is built once and kept under var/bench/ with a name
made from the data file, the migrations and the generator, so a rerun starts at once; each run
works on a copy.

1. Query counts: each page once through Django's test client (after one request that fills the
   caches), counted with CaptureQueriesContext.
2. Throughput: gunicorn as `make serve` runs it (kembar/gunicorn_conf.py, 4 workers, DEBUG off,
   the cache in Redis), and for each page BENCH_PAGE_REQUESTS requests (default 300) at
   concurrency 8 from a small threaded client, stopped after BENCH_PAGE_SECONDS (default 30)
   so `make bench` stays bounded; logged in where the page needs it.

Alone: `.venv/bin/python -m benchmarks.run pages`. BENCH_PAGES_PORT (default 8143),
BENCH_CACHE_URL (default redis://127.0.0.1:6379/9; "" for each worker's own memory).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA = Path(os.environ.get("KEMBAR_SHARED_DATA", ROOT.parent / "shared" / "data")) / "twin_cities.csv"
REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "300"))
SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "30"))
CONCURRENCY = 8
PORT = int(os.environ.get("BENCH_PAGES_PORT", "8143"))
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9")
SEED = "2026"


@dataclass
class Page:
    label: str
    path: str
    user: str = ""  # a demo login, or anonymous
    queries: int | None = None
    rate: float | None = None
    done: int = 0
    failed: int = 0


def _key() -> str:
    """What the prepared database depends on: the data file, the migrations, the generator."""
    digest = hashlib.sha256(DATA.read_bytes() if DATA.exists() else b"")
    sources = sorted((ROOT / "kembar").glob("*/migrations/*.py")) + [ROOT / "kembar" / "dashboard" / "generate.py"]
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _kembar(args: list[str], env: dict) -> None:
    done = subprocess.run([str(BIN / "kembar"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"kembar {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def prepared_database() -> Path:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"pages-{_key()}.sqlite3"
    if kept.exists():
        print(f"prepared database: {kept.name} (kept from an earlier run)")
        return kept
    if not DATA.exists():
        sys.exit(f"the page table needs the real registry: {DATA} not found")
    building = folder / "pages-building.sqlite3"
    building.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{building}",
        "MEDIA_ROOT": str(folder / "pages-media"),
        "DJANGO_SETTINGS_MODULE": "kembar.settings",
    }
    started = time.perf_counter()
    for step in (
        ["migrate", "--no-input", "-v0"],
        ["load-gazetteer", "--no-progress"],
        ["import-links", str(DATA), "--no-progress"],
        ["demo"],
        ["generate", "--seed", SEED],
    ):
        print(f"  kembar {' '.join(step[:2])}…", flush=True)
        _kembar(step, env)
    building.rename(kept)
    print(f"prepared database built in {time.perf_counter() - started:.0f} s: {kept.name}")
    return kept


def _pages() -> list[Page]:
    """The pages of issue 26 on the prepared data: Bandung's office (the demo's `bandung`) on
    its busiest partnership, the national oversight (`kemendagri`) for health and insights."""
    from django.db.models import Count, Q

    from kembar.activities.models import Activity
    from kembar.meetings.models import Meeting
    from kembar.partnerships.models import LocalGovernment, Partnership

    bandung = LocalGovernment.objects.filter(name="Bandung", country_code="ID").order_by("id").first()
    busiest = (
        Partnership.objects.filter(Q(government_a=bandung) | Q(government_b=bandung))
        .annotate(n=Count("activities"))
        .order_by("-n", "id")
        .first()
    )
    detail = Partnership.objects.filter(pk=5, public=True).first() or Partnership.objects.filter(public=True).first()
    activity = Activity.objects.filter(partnership=busiest).order_by("-start", "id").first()
    meeting = Meeting.objects.filter(partnership=busiest).order_by("-start", "-id").first()
    return [
        Page("bare Django view", "/bench/bare/"),
        Page("landing /", "/"),
        Page("partnership list", "/partnerships/"),
        Page(f"partnership detail #{detail.pk}", f"/partnerships/{detail.pk}/"),
        Page("API partnerships, limit 25", "/api/partnerships?limit=25"),
        Page("events portal", "/events/"),
        Page("dashboard (bandung)", "/", "bandung"),
        Page(
            f"activity list ({busiest.activities.count()} activities)",
            f"/partnerships/{busiest.pk}/activities/",
            "bandung",
        ),
        Page("activity detail", f"/activities/{activity.pk}/", "bandung"),
        Page("meeting page", f"/meetings/{meeting.pk}/", "bandung"),
        Page("health list (kemendagri)", "/insights/", "kemendagri"),
        Page("pivot (kemendagri)", "/insights/pivot/", "kemendagri"),
        Page("SDG report (kemendagri)", "/insights/sdg/", "kemendagri"),
    ]


def _sessions(users: set[str]) -> dict[str, str]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for username in users:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookies[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def count_queries(pages: list[Page], cookies: dict[str, str]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    # DEBUG off as in the server, the static files' names unhashed (no collectstatic here).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, STORAGES=storages
    ):
        for page in pages:
            client = Client()
            if page.user:
                client.cookies[settings.SESSION_COOKIE_NAME] = cookies[page.user]
            response = client.get(page.path)
            if response.status_code != 200:
                sys.exit(f"{page.path} as {page.user or 'anonymous'}: HTTP {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(page.path)
            page.queries = len(queries)


def _hammer(page: Page, cookie: str, requests: int = REQUESTS) -> None:
    """`requests` requests at concurrency 8 (or as many as SECONDS allows); requests per second."""
    from django.conf import settings

    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "failed": 0}
    deadline = time.perf_counter() + SECONDS

    def worker() -> None:
        while True:
            with lock:
                if state["sent"] >= requests or time.perf_counter() > deadline:
                    return
                state["sent"] += 1
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            try:
                connection.request("GET", page.path, headers=headers)
                response = connection.getresponse()
                response.read()
                good = response.status == 200
            except OSError:
                good = False
            finally:
                connection.close()
            with lock:
                state["ok" if good else "failed"] += 1

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    page.done, page.failed = state["ok"], state["failed"]
    page.rate = (state["ok"] + state["failed"]) / elapsed


def _wait(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/bench/bare/", headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer within 2 minutes")


def measure(pages: list[Page], cookies: dict[str, str], database: Path, media: Path) -> None:
    static_root = Path(tempfile.mkdtemp(prefix="kembar-bench-static-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "4",
        # A loaded machine boots a worker slowly, and a slow page must be measured, not killed.
        "GUNICORN_TIMEOUT": "300",
        "STATIC_ROOT": str(static_root),
        "CACHE_URL": CACHE_URL,
        "KEMBAR_DEMO": "1",  # the demo's oversight login without a second factor
    }
    _kembar(["collectstatic", "--no-input", "-v0"], env)
    log = database.with_suffix(".gunicorn.log")
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "python:kembar.gunicorn_conf", "kembar.wsgi:application"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait(process, log)
        for page in pages:
            _hammer(page, cookies.get(page.user, ""), 4 * CONCURRENCY)  # warm-up: every worker's caches
            _hammer(page, cookies.get(page.user, ""))
            print(f"  {page.label}: {page.rate:.1f} requests/s", file=sys.stderr, flush=True)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


def main() -> None:
    kept = prepared_database()
    run_db = kept.with_name("pages-run.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run_db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(kept, run_db)
    media = kept.parent / "pages-media"
    import secrets

    # The sessions made here must hold in the server: the same key signs them.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(
        DEBUG="0",
        DATABASE_URL=f"sqlite:///{run_db}",
        MEDIA_ROOT=str(media),
        DJANGO_SETTINGS_MODULE="kembar.settings",
        CACHE_URL=CACHE_URL,
        KEMBAR_DEMO="1",
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # one line per request and login is noise in a table
    if CACHE_URL:
        from django.core.cache import cache

        cache.clear()  # this benchmark's own Redis database only
    pages = _pages()
    cookies = _sessions({p.user for p in pages if p.user})
    count_queries(pages, cookies)
    load_before = os.getloadavg()[0]
    measure(pages, cookies, run_db, media)
    bare = pages[0].rate or 1
    from kembar.activities.models import Activity
    from kembar.partnerships.models import Partnership

    print(
        f"pages under gunicorn (4 workers, DEBUG off), {Partnership.objects.count():,} partnerships, "
        f"{Activity.objects.count():,} activities; up to {REQUESTS} requests or {SECONDS:.0f} s per page at "
        f"concurrency {CONCURRENCY}, after a warm-up pass; load average {load_before:.1f} → "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  {'page':44s} {'req/s':>8s} {'× bare':>8s} {'queries':>8s}")
    for page in pages:
        rate = page.rate or 0
        note = f"  ({page.failed} failed)" if page.failed else ""
        times = bare / rate if rate else float("inf")
        print(f"  {page.label:44s} {rate:8.1f} {times:8.1f} {page.queries:8d}{note}")


if __name__ == "__main__":
    main()
