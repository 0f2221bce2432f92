"""`make cluster`: several app servers and a worker behind nginx, on loopback only.

Starts, all on 127.0.0.1:
- two app servers (`make serve`: gunicorn, DEBUG off) on CLUSTER_PORTS (default 8151,8152),
  each with CLUSTER_WORKERS processes (default 2);
- one `kembar worker` on the Redis job queue (TASKS_BACKEND=rq);
- nginx from Debian's packages (installed with apt-get when missing) with deploy/nginx/kembar.conf
  filled in: HTTPS on CLUSTER_HTTPS_PORT (default 8443) with a self-signed certificate that
  openssl makes in var/cluster/, HTTP on CLUSTER_HTTP_PORT (default 8180) redirecting to it,
  /static/ from disk, everything else to the app servers with X-Forwarded-Proto.

They share PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kembar_cluster),
the Redis cache (CACHE_URL, default redis://127.0.0.1:6379/10), the Redis job queue
(TASKS_REDIS_URL, default redis://127.0.0.1:6379/11) and one media folder (MEDIA_ROOT, default
var/cluster/media; or MEDIA_STORAGE=s3). PostgreSQL and Redis must be running already. The
database is migrated; an empty one gets the demo (gazetteer of ID and JP, `kembar demo`).

Ctrl-C (or SIGTERM) stops everything it started: nginx first, the worker last.
`loadtest.run` (LOAD_CLUSTER=1) uses `running()` to put the load scenario through the proxy.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hardening import live

ROOT = live.ROOT
VAR = ROOT / "var" / "cluster"
TEMPLATE = ROOT / "deploy" / "nginx" / "kembar.conf"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/kembar_cluster"


@dataclass
class Cluster:
    """What `running()` started: the proxy's address and each app server's own."""

    base: str
    servers: list[str]
    logs: dict[str, Path] = field(default_factory=dict)


def ports(name: str, default: str) -> list[int]:
    values = [int(p) for p in (os.environ.get(name) or default).split(",") if p.strip()]
    if not values or any(not 1024 < p < 65536 for p in values):
        raise SystemExit(f"{name} must be ports above 1024, comma-separated")
    return values


def nginx_binary() -> str:
    """nginx from Debian's packages; installed (without starting any service) when missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("nginx is missing: install Debian's nginx-light (or nginx) package.")
    live.say("installing nginx-light from Debian's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    for package in ("nginx-light", "nginx"):
        if (
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], env=env, check=False
            ).returncode
            == 0
        ):
            break
    # Debian's package enables and starts a system service; this cluster runs its own nginx.
    if shutil.which("systemctl"):
        subprocess.run(["systemctl", "disable", "--now", "nginx"], check=False, capture_output=True)
    elif Path("/etc/init.d/nginx").exists():
        subprocess.run(["/etc/init.d/nginx", "stop"], check=False, capture_output=True)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx could not be installed.")
    return found


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made once by openssl."""
    cert, key = folder / "tls.crt", folder / "tls.key"
    if cert.exists() and key.exists():
        return cert, key
    live.say(f"making a self-signed TLS certificate in {folder}")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "365",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def nginx_config(folder: Path, upstreams: list[int], https_port: int, http_port: int, static_root: Path) -> Path:
    cert, key = certificate(folder)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text()
    values = {
        "@VAR@": str(folder),
        "@UPSTREAMS@": "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;" for p in upstreams),
        "@HTTPS_LISTEN@": f"127.0.0.1:{https_port}",
        "@HTTP_LISTEN@": f"127.0.0.1:{http_port}",
        "@HTTPS_PORT@": str(https_port),
        "@CERT@": str(cert),
        "@KEY@": str(key),
        "@STATIC_ROOT@": str(static_root),
    }
    for name, value in values.items():
        text = text.replace(name, value)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def cluster_env(env: dict, *, https_port: int, static_root: Path, media_root: Path) -> dict:
    """The environment every process of the cluster shares."""
    origin = f"https://127.0.0.1:{https_port}"
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # nginx overwrites the header (deploy/nginx/kembar.conf), so Django may trust it.
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "CSRF_TRUSTED_ORIGINS": f"{origin},https://localhost:{https_port}",
        "KEMBAR_SITE_URL": env.get("KEMBAR_SITE_URL") or origin,
        "CACHE_URL": env.get("CACHE_URL") or "redis://127.0.0.1:6379/10",
        "TASKS_BACKEND": "rq",
        "TASKS_REDIS_URL": env.get("TASKS_REDIS_URL") or "redis://127.0.0.1:6379/11",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(media_root),
        "PYTHONUNBUFFERED": "1",
    }


def _secret_key() -> str:
    path = ROOT / "var" / "secret_key"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    return secrets.token_urlsafe(50)


def _start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen, timeout: float = 30, how: int = signal.SIGTERM) -> None:
    """Ask the process (its whole group) to finish gracefully; kill it after `timeout` s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, how)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait(url: str, processes: list[subprocess.Popen], timeout: float = 300, context=None) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(map(str, process.args))} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5, context=context) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def client_tls_context() -> ssl.SSLContext:
    """For this machine's own clients only: the certificate is self-signed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@contextlib.contextmanager
def running(env: dict, folder: Path = VAR, *, workers: int | None = None) -> Iterator[Cluster]:
    """Start the app servers, the worker and nginx with `env` (DATABASE_URL of a migrated
    database); yield the addresses; stop everything, whatever happens in between."""
    app_ports = ports("CLUSTER_PORTS", "8151,8152")
    (https_port,) = ports("CLUSTER_HTTPS_PORT", "8443")
    (http_port,) = ports("CLUSTER_HTTP_PORT", "8180")
    workers = workers or int(os.environ.get("CLUSTER_WORKERS") or 2)
    folder.mkdir(parents=True, exist_ok=True)
    static_root, media_root = folder / "static", folder / "media"
    media_root.mkdir(exist_ok=True)
    env = cluster_env(env, https_port=https_port, static_root=static_root, media_root=media_root)
    nginx = nginx_binary()
    config = nginx_config(folder, app_ports, https_port, http_port, static_root)
    live.say("collecting static files for nginx")
    live.kembar("collectstatic", "--no-input", "-v0", env=env)
    check = subprocess.run(
        [nginx, "-t", "-q", "-p", str(folder), "-e", str(folder / "nginx-error.log"), "-c", str(config)]
    )
    if check.returncode:
        raise SystemExit(f"nginx refused {config}; see {folder / 'nginx-error.log'}")

    started: list[subprocess.Popen] = []
    proxy: subprocess.Popen | None = None
    logs: dict[str, Path] = {}
    try:
        for i, port in enumerate(app_ports, 1):
            logs[f"app{i}"] = folder / f"app{i}.log"
            server_env = {**env, "BIND": f"127.0.0.1:{port}", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
            command = [str(live.BIN / "gunicorn"), "--config", "python:kembar.gunicorn_conf", "kembar.wsgi:application"]
            live.say(f"app server {i}: gunicorn, {workers} workers, on http://127.0.0.1:{port}")
            started.append(_start(command, server_env, logs[f"app{i}"]))
        logs["worker"] = folder / "worker.log"
        live.say("worker: kembar worker on the Redis job queue")
        started.append(_start([live.KEMBAR, "worker"], env, logs["worker"]))
        logs["nginx"] = folder / "nginx-error.log"
        live.say(f"nginx: https://127.0.0.1:{https_port} (self-signed), http://127.0.0.1:{http_port} redirects")
        proxy = _start(
            [nginx, "-p", str(folder), "-e", str(logs["nginx"]), "-c", str(config), "-g", "daemon off;"],
            env,
            folder / "nginx.out",
        )
        servers = [f"http://127.0.0.1:{p}" for p in app_ports]
        for server in servers:
            _wait(server + "/accounts/login/", [*started, proxy])
        base = f"https://127.0.0.1:{https_port}"
        _wait(base + "/accounts/login/", [*started, proxy], context=client_tls_context())
        yield Cluster(base=base, servers=servers, logs=logs)
    finally:
        # A second Ctrl-C must not leave half of them running.
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            # nginx first (SIGQUIT: it takes no new request and finishes the ones in flight), then
            # the app servers (SIGTERM: gunicorn finishes its requests), then the worker (it
            # finishes its job; what is still queued waits in Redis for the next start).
            if proxy is not None:
                _stop(proxy, how=signal.SIGQUIT)
            for process in started:
                _stop(process)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def main() -> int:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The cluster runs on PostgreSQL: DATABASE_URL=postgres://…")
    _create_database(database_url)
    env = live.base_env(database_url)
    env["LANGUAGE_CODE"] = os.environ.get("LANGUAGE_CODE", "id")
    live.kembar("migrate", "--no-input", "-v0", env=env)
    has_data = live.kembar(
        "shell",
        "-c",
        "from kembar.partnerships.models import Partnership; print(Partnership.objects.exists())",
        env=env,
        capture=True,
    )
    if has_data.endswith("False") and os.environ.get("CLUSTER_DEMO", "1") != "0":
        live.kembar("load-gazetteer", "--country", "ID", "--country", "JP", "--no-progress", env=env)
        live.kembar("demo", env={**env, "KEMBAR_DEMO": "1"})
    env.setdefault("KEMBAR_DEMO", "1")
    stop = {"now": False}

    def ask_to_stop(*_args) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, ask_to_stop)
    with running(env) as cluster:
        live.say(f"kembar runs at {cluster.base}/ (app servers {', '.join(cluster.servers)}); Ctrl-C stops it")
        try:
            while not stop["now"]:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        live.say("stopping")
    return 0


def _create_database(url: str) -> None:
    """Create the database of DATABASE_URL when it does not exist yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
