"""`make load`: the load scenario end to end, on a scratch PostgreSQL database.

1. create the database `kembar_load` on the PostgreSQL server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/postgres), migrate, gazetteer (ID, JP), demo, and the
   load offices (`loadtest.setup`);
2. start the production server (`make serve`, else gunicorn) with 4 workers, DEBUG off;
3. Locust, headless, on 127.0.0.1 only: LOAD_USERS users (default 50, at most 200) for
   LOAD_SECONDS seconds (default 120, at most 900);
4. stop the server, check the database (`loadtest.verify`), drop the database.

Prints requests/s, p50/p95/p99 latency, errors (5xx, connection errors and unexpected
answers; 409s are counted apart as the expected refusals), lost and overwritten writes.
Exits non-zero on any error, lost or overwritten write.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hardening import live

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


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


def main() -> int:
    users = bounded("LOAD_USERS", 50, 1, 200)
    seconds = bounded("LOAD_SECONDS", 120, 10, 900)
    work = Path(tempfile.mkdtemp(prefix="kembar-load-"))
    plan, acks = work / "plan.json", work / "acks.jsonl"
    acks.touch()
    with live.scratch_database("kembar_load", os.environ.get("DATABASE_URL") or DEFAULT_SERVER) as database_url:
        env = live.base_env(database_url)
        live.prepare(env)
        if python("loadtest.setup", str(plan), env=env).returncode:
            raise SystemExit("the load offices could not be set up")
        with live.server(env, production=True, workers=4, log_path=work / "server.log") as base:
            live.say(f"locust: {users} users for {seconds} s against {base}")
            locust = subprocess.run(
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
                env={**env, "LOAD_PLAN": str(plan), "LOAD_ACKS": str(acks)},
                cwd=work,
            )
        live.say("verifying the acknowledged writes in the database")
        verify = python("loadtest.verify", str(plan), str(acks), env=env, capture=True)
        print(verify.stdout, end="")
    checked = json.loads(verify.stdout.strip().splitlines()[-1]) if verify.stdout.strip() else {}
    stats = {row["Name"]: row for row in csv.DictReader(open(work / "locust_stats.csv"))}
    total = stats["Aggregated"]
    errors = int(total["Failure Count"])
    requests = int(total["Request Count"])
    log = (work / "server.log").read_text()
    server_errors = live.server_errors(live.response_statuses(log))
    ok = locust.returncode == 0 and verify.returncode == 0 and errors == 0 and server_errors == 0 and requests > 0
    print(
        f"load {'passed' if ok else 'FAILED'}: {users} users, {seconds} s, {requests} requests, "
        f"{float(total['Requests/s']):.1f} requests/s, latency p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms; errors {errors} (server 5xx {server_errors}); "
        f"writes acknowledged: {checked.get('acknowledged_creates', '?')} creates, "
        f"{checked.get('acknowledged_updates', '?')} edits, {checked.get('refused_updates_409', '?')} edits "
        f"refused with 409 (expected); lost {checked.get('lost_writes', '?')}, "
        f"overwritten {checked.get('overwritten_writes', '?')}"
    )
    return live.verdict(ok, work)


if __name__ == "__main__":
    sys.exit(main())
