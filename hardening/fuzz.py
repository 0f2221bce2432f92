"""`make fuzz` / `make fuzz-short`: schemathesis against the OpenAPI of a live kembar.

A fresh database (SQLite, or a scratch database on the PostgreSQL server of DATABASE_URL),
the demo, a token of the editor `bandung`; then schemathesis runs every phase (coverage,
fuzzing, stateful) bounded in examples per operation and in time, with every check except
`positive_data_acceptance` (a well-formed request may still break a rule of the registry:
two governments that are already partners, a place without that level). Ids in paths and
bodies are drawn half the time from the rows that exist, so writes reach the registry's
rules instead of stopping at 404.

The server mails through a local SMTP sink (aiosmtpd), so sending meeting invitations is fuzzed
like any other write instead of failing for want of a mail server.

Fails on any failed check, and on any 5xx in the server's log. The last line is a summary.

    python -m hardening.fuzz [--short]   (FUZZ_MAX_EXAMPLES, FUZZ_SECONDS, FUZZ_SEED override)
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import live

FULL = {"examples": 100, "seconds": 420}
SHORT = {"examples": 15, "seconds": 60}
CHECKS = "all"
EXCLUDED_CHECKS = "positive_data_acceptance"


def existing_ids(env: dict) -> dict[str, list[int]]:
    script = (
        "import json;"
        "from kembar.partnerships.models import LocalGovernment as G, Partnership as P;"
        "from kembar.meetings.models import Meeting as M, Participant as MP, LibraryItem as L;"
        "from kembar.agreements.models import AgreementStage as S;"
        "from kembar.activities.models import Activity as A, AidShipment as AS;"
        "from kembar.solutions.models import Solution as SO;"
        "ids = lambda m: list(m.objects.values_list('id', flat=True)[:200]);"
        "print(json.dumps({'partnership': list(P.objects.values_list('id', flat=True)),"
        "'government': list(G.objects.values_list('id', flat=True)),"
        "'place': list(G.objects.values_list('place_id', flat=True)),"
        "'meeting': ids(M), 'participant': ids(MP), 'library_item': ids(L), 'stage': ids(S),"
        "'activity': ids(A), 'shipment': ids(AS), 'solution': ids(SO)}))"
    )
    return json.loads(live.kembar("shell", "-c", script, env=env, capture=True).splitlines()[-1])


def config(ids: dict[str, list[int]]) -> str:
    """schemathesis.toml: dictionaries of real ids, bound to the parameters that take them."""
    lines = []
    for name, values in ids.items():
        if not values:
            continue  # schemathesis refuses an empty dictionary
        lines += [f"[dictionaries.{name}]", f"values = {sorted(set(values))}", ""]
    lines.append("[parameters]")
    bindings = {
        "path.partnership_id": "partnership",
        "path.government_id": "government",
        "path.place_id": "place",
        "query.government": "government",
        "body.government_a_id": "government",
        "body.government_b_id": "government",
        "body.place_id": "place",
        # Documents and participants: reach the upload check and the meeting's rules, not a 404.
        "path.meeting_id": "meeting",
        "path.participant_id": "participant",
        "path.item_id": "library_item",
        "path.stage_id": "stage",
        "path.activity_id": "activity",
        "path.shipment_id": "shipment",
        "path.solution_id": "solution",
    }
    for key, name in bindings.items():
        if not ids.get(name):
            continue
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
    return "\n".join(lines) + "\n"


class MailSink:
    """An SMTP server that accepts every message and counts them."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        return "250 Message accepted"


@contextlib.contextmanager
def mail_sink() -> Iterator[tuple[int, MailSink]]:
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = live.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, sink
    finally:
        controller.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the bounded form CI runs")
    args = parser.parse_args()
    bounds = SHORT if args.short else FULL
    examples = int(os.environ.get("FUZZ_MAX_EXAMPLES", bounds["examples"]))
    seconds = int(os.environ.get("FUZZ_SECONDS", bounds["seconds"]))
    if not (1 <= examples <= 1000 and 10 <= seconds <= 3600):
        raise SystemExit("FUZZ_MAX_EXAMPLES must be 1–1000 and FUZZ_SECONDS 10–3600")
    work = Path(tempfile.mkdtemp(prefix="kembar-fuzz-"))
    with live.scratch_database("kembar_fuzz", os.environ.get("DATABASE_URL")) as database_url:
        env = live.base_env(database_url)
        live.prepare(env)
        token = live.kembar("create-token", "bandung", "fuzzing", "-v0", env=env, capture=True).splitlines()[-1]
        (work / "schemathesis.toml").write_text(config(existing_ids(env)))
        log_path = work / "server.log"
        # Two writers at once on SQLite get "database is locked" (a 500) as long as its
        # transactions start deferred; on SQLite the requests go one at a time, concurrency is
        # `make load`'s business, on PostgreSQL.
        workers = 1 if database_url.startswith("sqlite") else 2
        # gunicorn answers a request line over 4,094 bytes with its own 414 before the application
        # sees it (schemathesis gets there with a list of random values for one query parameter);
        # the fuzzing is about the application, so the limit is lifted here.
        env["GUNICORN_CMD_ARGS"] = "--limit-request-line 0"
        with (
            mail_sink() as (smtp_port, sink),
            live.server(
                {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)},
                production=live.has_make_serve(),
                workers=4,
                log_path=log_path,
            ) as base,
        ):
            command = [
                str(live.BIN / "schemathesis"),
                "--config-file",
                str(work / "schemathesis.toml"),
                "run",
                f"{base}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--header",
                "X-Forwarded-Proto: https",
                "--checks",
                CHECKS,
                "--exclude-checks",
                EXCLUDED_CHECKS,
                # Revoking one's own token or session would end the run's authentication.
                "--exclude-path-regex",
                r"/account/(tokens|sessions)/\{",
                "--max-examples",
                str(examples),
                "--max-time",
                str(seconds),
                "--workers",
                str(workers),
                "--request-timeout",
                "30",
                "--report",
                "json",
                "--report-json-path",
                str(work / "report.json"),
                "--report-dir",
                str(work),
            ]
            if os.environ.get("FUZZ_SEED"):
                command += ["--seed", os.environ["FUZZ_SEED"]]
            live.say(f"schemathesis: at most {examples} examples per operation, {seconds} s")
            exit_code = subprocess.run(command, cwd=work).returncode
    report = json.loads((work / "report.json").read_text()) if (work / "report.json").exists() else {}
    statuses = live.response_statuses(log_path.read_text())
    server_errors = live.server_errors(statuses)
    failures = collections.Counter(f.get("check") or f.get("title") or "failure" for f in report.get("failures", []))
    cases = report.get("test_cases", {})
    ok = exit_code == 0 and server_errors == 0 and not failures and not report.get("errors")
    responses = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    print(
        f"fuzz {'passed' if ok else 'FAILED'}: {cases.get('generated', 0)} test cases on "
        f"{report.get('operations', {}).get('tested', 0)} operations in {report.get('running_time', 0):.0f} s, "
        f"{server_errors} server errors (5xx), {sum(failures.values())} failed checks"
        f"{' (' + ', '.join(f'{k}: {n}' for k, n in failures.items()) + ')' if failures else ''}, "
        f"{len(report.get('errors', []))} errors; responses {responses}; {sink.received} e-mails; "
        f"seed {report.get('seed')}"
    )
    return live.verdict(ok, work)


if __name__ == "__main__":
    sys.exit(main())
