"""`make load`: the load scenario end to end, on a scratch PostgreSQL database.

1. create the database LOAD_DATABASE_NAME (default `kembar_load`) on the PostgreSQL server of
   DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrate, gazetteer
   (ID, JP), demo, and the load offices (`loadtest.setup`). With LOAD_TEMPLATE_DATABASE=NAME the
   scratch database is a copy of that one instead (e.g. one `kembar generate` filled with a
   realistic volume): migrated, given the load offices, and dropped afterwards; NAME stays as it was;
2. start the production server (`make serve`, else gunicorn) with LOAD_SERVER_WORKERS workers
   (default 4) on 127.0.0.1:LOAD_PORT (default 8150), DEBUG off, the cache in Redis as in
   production (LOAD_CACHE_URL, default redis://127.0.0.1:6379/10, emptied first: the load's
   own database); or, with LOAD_CLUSTER=1
   (`make cluster-load`), the cluster of `loadtest.cluster`: two app servers, a worker on the
   Redis queue and nginx with TLS in front, the load going through nginx;
3. Locust, headless, on 127.0.0.1 only: LOAD_USERS users (default 50, at most 200) for
   LOAD_SECONDS seconds (default 120, at most 900);
4. (cluster) wait for the worker to deliver the queued mails (at most 120 s); stop the
   servers, check the database (`loadtest.verify`), drop the database.

Prints requests/s, p50/p95/p99 latency, errors (5xx, connection errors and unexpected
answers; 409s are counted apart as the expected refusals), lost and overwritten writes, and
(cluster) notification jobs run more than once and stale reads on the other server.
Exits non-zero on any error, lost or overwritten write, job run twice or stale read.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from hardening import live

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_CACHE = "redis://127.0.0.1:6379/10"  # LOAD_CACHE_URL: the load's own Redis database


def bounded(name: str, default: int, low: int, high: int) -> int:
    value = int(os.environ.get(name) or default)
    if not low <= value <= high:
        raise SystemExit(f"{name} must be between {low} and {high}")
    return value


def python(module: str, *args: str, env: dict, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=live.ROOT,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )


def locust(base: str, users: int, seconds: int, work: Path, env: dict) -> subprocess.CompletedProcess:
    live.say(f"locust: {users} users for {seconds} s against {base}")
    return subprocess.run(
        [
            str(live.BIN / "locust"),
            "-f",
            str(live.ROOT / "loadtest" / "locustfile.py"),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(work / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=work,
    )


def wait_for_mails(env: dict, seconds: int = 120) -> None:
    """Until the worker has delivered every queued mail (or `seconds` have passed)."""
    code = (
        "from kembar.core.models import OutgoingMail as M; "
        "print(M.objects.exclude(status__in=[M.Status.SENT, M.Status.FAILED]).count())"
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = int(live.kembar("shell", "-c", code, env=env, capture=True).splitlines()[-1])
        if not left:
            return
        live.say(f"{left} mail(s) still to deliver")
        time.sleep(3)


def server_time(logs: list[Path], top: int = 10) -> list[str]:
    """Where the app servers spent their time: per kind of request (ids folded), from kembar's
    own request log lines (duration in the app, without the wait in gunicorn's queue)."""
    durations: dict[str, list[float]] = {}
    for log in logs:
        for line in log.read_text().splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("logger") != "kembar.request" or "duration_ms" not in entry:
                continue
            path = re.sub(r"/\d+", "/<id>", str(entry.get("path", "")))
            durations.setdefault(f"{entry.get('method')} {path}", []).append(float(entry["duration_ms"]))
    rows = sorted(durations.items(), key=lambda item: -sum(item[1]))[:top]
    total = sum(sum(v) for v in durations.values()) or 1
    lines = []
    for name, values in rows:
        values.sort()
        p50, p95 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))]
        lines.append(
            f"  {sum(values) / total:5.1%} of server time  {len(values):6d} × p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {name}"
        )
    return lines


def main() -> int:
    users = bounded("LOAD_USERS", 50, 1, 200)
    seconds = bounded("LOAD_SECONDS", 120, 10, 900)
    workers = bounded("LOAD_SERVER_WORKERS", 4, 1, 16)
    port = bounded("LOAD_PORT", 8150, 1025, 65535)
    clustered = os.environ.get("LOAD_CLUSTER", "") not in ("", "0")
    work = Path(tempfile.mkdtemp(prefix="kembar-load-"))
    plan, acks, mails = work / "plan.json", work / "acks.jsonl", work / "mails"
    acks.touch()
    mails.mkdir()
    name = os.environ.get("LOAD_DATABASE_NAME") or "kembar_load"
    template = os.environ.get("LOAD_TEMPLATE_DATABASE") or None
    with live.scratch_database(name, os.environ.get("DATABASE_URL") or DEFAULT_SERVER, template) as database_url:
        env = live.base_env(database_url)
        # As in production (docs/operations.md), every process shares one Redis cache: the load's
        # own database, emptied first (a page kept by an earlier run must not be served).
        env["CACHE_URL"] = os.environ.get("LOAD_CACHE_URL") or DEFAULT_CACHE
        redis.Redis.from_url(env["CACHE_URL"]).flushdb()
        if template:
            live.say(f"a copy of {template}: migrate")
            live.kembar("migrate", "--no-input", "-v0", env=env)
        else:
            live.prepare(env)
        if python("loadtest.setup", str(plan), env=env).returncode:
            raise SystemExit("the load offices could not be set up")
        locust_env = {**env, "LOAD_PLAN": str(plan), "LOAD_ACKS": str(acks)}
        if clustered:
            from loadtest import cluster

            env["EMAIL_FILE_PATH"] = str(mails)
            with cluster.running(env, work / "cluster", workers=int(os.environ.get("CLUSTER_WORKERS") or 2)) as running:
                result = locust(
                    running.base, users, seconds, work, {**locust_env, "LOAD_SERVERS": ",".join(running.servers)}
                )
                live.say("waiting for the worker to deliver the notifications")
                wait_for_mails(env)
            logs = [running.logs["app1"], running.logs["app2"]]
        else:
            with live.server(env, production=True, workers=workers, log_path=work / "server.log", port=port) as base:
                result = locust(base, users, seconds, work, locust_env)
            logs = [work / "server.log"]
        live.say("verifying the acknowledged writes in the database")
        verify = python(
            "loadtest.verify", str(plan), str(acks), *([str(mails)] if clustered else []), env=env, capture=True
        )
        print(verify.stdout, end="")
    checked = json.loads(verify.stdout.strip().splitlines()[-1]) if verify.stdout.strip() else {}
    stats = {row["Name"]: row for row in csv.DictReader(open(work / "locust_stats.csv"))}
    total = stats["Aggregated"]
    errors = int(total["Failure Count"])
    requests = int(total["Request Count"])
    server_errors = sum(live.server_errors(live.response_statuses(log.read_text())) for log in logs)
    ok = result.returncode == 0 and verify.returncode == 0 and errors == 0 and server_errors == 0 and requests > 0
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(
        f"load {'passed' if ok else 'FAILED'}: {users} users, {seconds} s, "
        f"{'cluster (2 app servers, worker, nginx TLS)' if clustered else f'one server, {workers} workers'}, "
        f"{requests} requests, "
        f"{float(total['Requests/s']):.1f} requests/s, latency p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms; errors {errors} (server 5xx {server_errors}); "
        f"writes acknowledged: {checked.get('acknowledged_creates', '?')} creates, "
        f"{checked.get('acknowledged_updates', '?')} edits, {checked.get('refused_updates_409', '?')} edits "
        f"refused with 409 (expected), records {checked.get('acknowledged_records', '?')}; "
        f"lost {checked.get('lost_writes', '?')}, overwritten {checked.get('overwritten_writes', '?')}"
        + (
            f"; notification jobs twice {checked.get('jobs_run_twice', '?')}, "
            f"stale reads {checked.get('stale_reads', '?')} of {checked.get('cache_checks', '?')}"
            if clustered
            else ""
        )
        + f"; load average {load}"
    )
    print("where the app servers spent their time (in the app, per request):")
    print("\n".join(server_time(logs)))
    if os.environ.get("LOAD_KEEP", "") not in ("", "0"):
        print(f"Details kept in {work} (LOAD_KEEP)")
        return 0 if ok else 1
    return live.verdict(ok, work)


if __name__ == "__main__":
    sys.exit(main())
