"""`make cluster` and `make cluster-load` without starting them: the proxy's configuration, and
the verifier's count of delivered mails (a job run twice must show)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend

from loadtest import cluster, verify


def test_the_proxy_configuration_names_both_app_servers_and_passes_the_scheme(tmp_path):
    config = cluster.nginx_config(tmp_path, [8151, 8152], 8443, 8180, tmp_path / "static")
    text = config.read_text()
    assert "server 127.0.0.1:8151" in text and "server 127.0.0.1:8152" in text
    assert "listen 127.0.0.1:8443 ssl" in text and "listen 127.0.0.1:8180;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert f"alias {tmp_path / 'static'}/;" in text
    assert not re.search(r"@[A-Z_]+@", text)  # every placeholder filled in
    assert (tmp_path / "tls.crt").exists() and (tmp_path / "tls.key").stat().st_mode & 0o077 == 0
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (make cluster installs it)")
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_the_verifier_counts_each_delivery_of_a_notification(tmp_path):
    marker = "load message by load-0-1 " + "ab" * 16
    backend = EmailBackend(file_path=str(tmp_path))
    mail = EmailMessage("Pesan baru: Kota A – Kota B", f"load-0-1 wrote:\n\n{marker}\n", "k@x.org", ["a@x.org"])
    backend.send_messages([mail])
    assert verify.read_deliveries(str(tmp_path)) == {("a@x.org", marker): 1}
    EmailBackend(file_path=str(tmp_path)).send_messages([mail])  # the same job run again
    assert verify.read_deliveries(str(tmp_path)) == {("a@x.org", marker): 2}


def test_sessions_use_the_shared_cache_only_when_there_is_one():
    from tests.dashboard.test_production import manage, production_env

    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    shared = manage("shell", "-v", "0", "-c", code, env=production_env(CACHE_URL="redis://127.0.0.1:6379/12"))
    assert shared.stdout.strip() == "django.contrib.sessions.backends.cached_db", shared.stderr
    # Without a shared cache, even when the shell running the suite sets one (CACHE_URL).
    env = production_env()
    env.pop("CACHE_URL", None)
    alone = manage("shell", "-v", "0", "-c", code, env=env)
    assert alone.stdout.strip() == "django.contrib.sessions.backends.db", alone.stderr
