"""A live kembar on 127.0.0.1 for the fuzzing and load gates: a scratch database, the data to
act on, and a server process that is always stopped, whatever happens in between.

The production server (`make serve`: gunicorn, DEBUG off, whitenoise) is used when the
Makefile has it; otherwise gunicorn is started directly, or (fuzzing only) Django's
development server.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEMBAR = str(BIN / "kembar")
# A response's status in the server's log: gunicorn's or runserver's access line, or kembar's own
# JSON line per request (kembar.request, kembar/core/logs.py; gunicorn's access log is off).
STATUS = re.compile(r'HTTP/[\d.]+" (\d{3}) ')


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def response_statuses(log: str) -> collections.Counter[str]:
    """How many responses of each status code the server's log records."""
    statuses = collections.Counter(m.group(1) for m in STATUS.finditer(log))
    for line in log.splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("logger") == "kembar.request" and isinstance(entry.get("status"), int):
            statuses[str(entry["status"])] += 1
    return statuses


def server_errors(statuses: collections.Counter[str]) -> int:
    return sum(n for code, n in statuses.items() if code.startswith("5"))


def verdict(ok: bool, work: Path) -> int:
    """A gate's exit status; its working folder is removed when it passed, kept when it failed."""
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"Details kept in {work}", file=sys.stderr)
    return 0 if ok else 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kembar(*args: str, env: dict, capture: bool = False) -> str:
    """Run a `kembar` command; fail loudly with its output."""
    result = subprocess.run([KEMBAR, *args], env=env, cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None)
    if result.returncode:
        raise SystemExit(f"kembar {' '.join(args)} failed with exit code {result.returncode}")
    return (result.stdout or "").strip()


@contextlib.contextmanager
def scratch_database(name: str, server_url: str | None, template: str | None = None) -> Iterator[str]:
    """A DATABASE_URL for a new, empty database that is removed afterwards.

    With a PostgreSQL `server_url` the database `name` is created on that server (dropped
    first if a previous run was interrupted), as a copy of the database `template` when one is
    named; without one, a SQLite file in a temporary folder.
    """
    if not server_url:
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        try:
            yield f"sqlite:///{folder}/{name}.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL (or unset for SQLite), not {server_url!r}")
    import psycopg

    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{name}"))

    def execute(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if template and not re.fullmatch(r"[A-Za-z0-9_]+", template):
        raise SystemExit(f"Not a database name: {template!r}")
    execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield url
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DATABASE_URL=database_url, LANGUAGE_CODE="en", PYTHONUNBUFFERED="1")
    return env


def prepare(env: dict) -> None:
    """Migrate, a small gazetteer (the demo adds its own countries' places) and the demo."""
    say("migrate, gazetteer (ID, JP), demo")
    kembar("migrate", "--no-input", "-v0", env=env)
    kembar("load-gazetteer", "--country", "ID", "--country", "JP", "--no-progress", env=env)
    kembar("demo", env=env)


def has_make_serve() -> bool:
    makefile = (ROOT / "Makefile").read_text()
    return any(line.startswith("serve:") for line in makefile.splitlines())


def production_env(env: dict, port: int, workers: int, static_root: str) -> dict:
    """DEBUG off as in production. There is no TLS proxy on loopback: the clients send the
    header such a proxy sets (X-Forwarded-Proto: https) instead."""
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "BIND": f"127.0.0.1:{port}",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "STATIC_ROOT": static_root,
    }


@contextlib.contextmanager
def server(env: dict, *, production: bool, workers: int = 4, log_path: Path, port: int | None = None) -> Iterator[str]:
    """Start a server on a loopback port (a free one unless given); yield its base URL; stop it
    (its whole process group)."""
    port = port or free_port()
    static_root = tempfile.mkdtemp(prefix="kembar-static-")
    if production:
        env = production_env(env, port, workers, static_root)
        if has_make_serve():
            command, how = ["make", "--no-print-directory", "serve"], "make serve (gunicorn)"
        elif (BIN / "gunicorn").exists():
            command = [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "kembar.wsgi:application",
            ]
            how = "gunicorn"
        else:
            raise SystemExit("No production server: neither `make serve` nor gunicorn is available.")
    else:
        command, how = [KEMBAR, "runserver", "--noreload", f"127.0.0.1:{port}"], "runserver"
    base = f"http://127.0.0.1:{port}"
    say(f"starting {how} on {base} (log: {log_path})")
    log = open(log_path, "w")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # A light page: generating /api/openapi.json takes seconds on a busy machine.
        _wait_until_up(base + "/accounts/login/", process, log_path)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        shutil.rmtree(static_root, ignore_errors=True)


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"The server exited with code {process.returncode}; see {log_path}:\n"
                + Path(log_path).read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"The server did not answer {url} within {timeout:.0f} s; see {log_path}")
