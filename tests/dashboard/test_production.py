"""Production setup: security headers, the deployment checklist, the production server, and a
Content-Security-Policy that the pages really satisfy in Chromium.

Production settings are read once at import, so tests that need DEBUG off start a fresh process
(`manage.py check`, `make serve`) with a production environment.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from kembar.partnerships.services import create_partnership
from tests.support.builders import government, office_member, reload_flushed_data
from tests.support.paths import PROJECT

BIN = Path(sys.executable).parent


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_SSL_REDIRECT",
            "SECURE_PROXY_SSL_HEADER",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "KEMBAR_SITE_URL",
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kembar.example.org",
        KEMBAR_SITE_URL="https://kembar.example.org",
        DJANGO_SETTINGS_MODULE="kembar.settings",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- headers -------------------------------------------------------------------------------------


def assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_and_api_responses_carry_security_headers(client):
    for url in ["/", reverse("partnerships:list"), reverse("login"), "/api/partnerships", "/api/docs"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_map_tile_host_is_allowed_for_images_only():
    from kembar.settings import _origin

    assert _origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert _origin("https://tiles.example.org:8443/{z}/{x}/{y}.png") == "https://tiles.example.org:8443"
    assert _origin("") == ""


def test_templates_have_no_inline_script_style_or_handlers():
    """What the CSP forbids is not written in the first place (JSON data blocks are fine)."""
    offending = []
    for template in (PROJECT / "kembar").rglob("templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            attrs, body = match.groups()
            if body.strip() and "application/json" not in attrs:
                offending.append(f"{template}: inline script")
        if re.search(r"<style\b|\sstyle=", text):
            offending.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+\s*=", text):
            offending.append(f"{template}: inline event handler")
    assert offending == []


# --- deployment checklist and settings -----------------------------------------------------------


def test_deployment_checklist_passes_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "value, problem",
    [
        ("", "KEMBAR_SITE_URL is not set"),
        ("kembar.example.org", "is not a site address"),
        ("https://kembar.example.org/app/", "is not a site address"),
    ],
)
def test_deployment_checklist_asks_for_the_address_e_mails_link_to(value, problem):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(KEMBAR_SITE_URL=value))
    assert result.returncode != 0
    assert "kembar.W00" in result.stderr and problem in result.stderr


def test_debug_off_without_secret_key_refuses_to_start():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DEBUG is off" in result.stderr


def test_production_settings_harden_cookies_and_transport():
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage("shell", "-v", "0", "-c", code, env=production_env(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(None, 7) == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ]


def test_cache_url_shares_the_health_ranking_version_between_processes():
    """With CACHE_URL (Redis, running on every machine) a change seen by one app server process drops
    the cached health rankings of every other process too."""
    env = production_env(CACHE_URL="redis://127.0.0.1:6379/15")
    changed = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.cache import cache; from kembar.insights.health import "
        "score; score.evidence_changed(); print(cache.get(score.CACHE_VERSION_KEY))",
        env=env,
    )
    assert changed.returncode == 0, changed.stderr
    seen = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.cache import cache; from kembar.insights.health import "
        "score; print(cache.get(score.CACHE_VERSION_KEY))",
        env=env,
    )
    assert seen.returncode == 0, seen.stderr
    assert len(changed.stdout.strip()) == 32 and seen.stdout == changed.stdout


def test_cache_url_must_be_redis():
    result = manage("check", env=production_env(CACHE_URL="memcached://127.0.0.1:11211"))
    assert result.returncode != 0
    assert "CACHE_URL must be a redis:// or rediss:// URL" in result.stderr


# --- the production server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_make_serve_runs_gunicorn_with_hashed_static_files_from_whitenoise(tmp_path):
    port = free_port()
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    migrated = manage("migrate", "--no-input", env=env, timeout=180)
    assert migrated.returncode == 0, migrated.stderr
    # -o: the venv is installed already; do not let make reinstall it from here.
    server = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "serve"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                status, headers, body = fetch(base + "/", https)
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert_security_headers(type("R", (), {"headers": headers})())
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"

        # Plain HTTP (no proxy header) is sent to HTTPS.
        status, headers, _ = fetch(base + "/")
        assert status == 301 and headers["Location"] == f"https://127.0.0.1:{port}/"

        # The page links hashed static files, which whitenoise serves with a far-future cache.
        match = re.search(rb"/static/kembar/app\.[0-9a-f]{12}\.js", body)
        assert match, "the page does not link a hashed app.js"
        status, headers, script = fetch(base + match.group().decode(), https)
        assert status == 200
        assert b"Content-Security-Policy" in script
        assert "immutable" in headers["Cache-Control"]
        status, headers, _ = fetch(base + match.group().decode(), {**https, "Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


# --- Content-Security-Policy in a real browser ---------------------------------------------------


@pytest.fixture
def csp_data(live_server):
    """A Bandung editor and a Bandung–Braunschweig partnership, in the flushed live-server database."""
    reload_flushed_data(["ID", "DE"])
    bandung = government("Bandung", "ID")
    braunschweig = government("Braunschweig", "DE")
    user = office_member("siti", bandung)
    partnership = create_partnership(user, bandung, braunschweig, fields=["culture"], public=True)
    return {"user": user, "partnership": partnership}


@pytest.mark.browser
def test_pages_satisfy_the_content_security_policy_in_chromium(live_server, browser, csp_data):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    # Every violation also fires a DOM event; record it in the page so none slips past the console.
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener("securitypolicyviolation",
            e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile));
    """)

    def visit(path: str, ready: str) -> None:
        page.goto(live_server.url + path)
        page.locator(ready).first.wait_for(state="attached")
        page.wait_for_load_state("load")
        violations.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))

    try:
        page.goto(live_server.url + "/accounts/login/")
        page.locator("main #id_username").fill("siti")
        page.locator("main #id_password").fill("pw-siti-123")
        page.locator("main button[type=submit]").click()
        page.locator("header .who").wait_for()
        violations.extend(f"login: {v}" for v in page.evaluate("window.__csp"))

        visit("/", "main")
        visit(reverse("partnerships:list"), "main table")
        visit(reverse("partnerships:detail", args=[csp_data["partnership"].pk]), "#map .leaflet-interactive")
        visit(reverse("partnerships:create"), "#partner-search")
        with page.expect_response(re.compile(r"/places/.*\?.*q=")):
            page.locator("#partner-search").fill("Braunschweig")
        page.locator(".suggestions-box button[data-pick]").first.wait_for()
        violations.extend(f"autocomplete: {v}" for v in page.evaluate("window.__csp"))
        visit("/api/docs", "#swagger-ui .opblock")
        page.locator("#swagger-ui .opblock-summary").first.click()
        page.locator("#swagger-ui .opblock-body").first.wait_for()
        violations.extend(f"docs expanded: {v}" for v in page.evaluate("window.__csp"))
    finally:
        context.close()
    assert violations == []
