"""Reports are built by the job queue, not inside the request (kembar/insights/analytics/report_files.py).

A page or API request writes a ReportFile row and hands a job to the queue; the status page (htmx
every 2 s, a Refresh link without script) and the status endpoint follow it; the file is for
whoever asked for it only. An identical request within the hour gets the same report; a failure
says why; reports older than a week go, files and all.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from kembar.accounts.models import Membership
from kembar.activities import services as activities
from kembar.insights.analytics import report_files, reports
from kembar.insights.models import ReportFile
from kembar.insights.tasks import build_report
from kembar.partnerships import services as registry
from tests.support.paths import PROJECT

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.fixture
def year_of_work(governments, users):
    admin = users["platform_admin"]
    partnership = registry.create_partnership(admin, governments["bandung"], governments["braunschweig"], public=True)
    start = dt.datetime(2026, 5, 10, 2, tzinfo=dt.UTC)
    activities.create_activity(
        admin,
        partnership,
        title="Youth orchestra",
        type="work_visit",
        field="culture",
        modality="virtual",
        status="held",
        host=governments["bandung"],
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    return partnership


@pytest.fixture
def queue(settings):
    """A job queue that keeps its jobs without running them: what a request leaves for the worker."""
    settings.TASKS = DUMMY
    backend = build_report.get_backend()
    backend.clear()
    return backend


def queued_ids(queue) -> list[int]:
    return [result.args[0] for result in queue.results if result.task.name == "build_report"]


def ask(client, django_capture_on_commit_callbacks, **body):
    """POST the report form as the pivot page's buttons do; the jobs are handed out at the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/insights/reports/", {"year": 2026, "format": "pdf", "language": "en", **body})


def content(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the page flow ---------------------------------------------------------------------------------


def test_the_report_waits_for_the_worker_and_the_status_page_follows_it(
    year_of_work, users, governments, client, queue, django_capture_on_commit_callbacks
):
    client.force_login(users["bandung_viewer"])
    response = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)
    report = ReportFile.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insights/reports/{report.pk}/"
    # Nothing was built in the request: the row waits, with its job in the queue.
    assert (report.status, report.file.name, report.requester) == ("queued", "", users["bandung_viewer"])
    assert queued_ids(queue) == [report.pk]

    page = client.get(response["Location"]).content.decode()
    assert "The report is being prepared…" in page
    assert 'hx-trigger="every 2s"' in page  # htmx asks again every 2 seconds
    assert f'<a href="/insights/reports/{report.pk}/">Refresh</a>' in page  # and without script, a link
    assert "Download the report" not in page
    # Asked for the file too early: back to the status page.
    assert client.get(f"/insights/reports/{report.pk}/file")["Location"] == f"/insights/reports/{report.pk}/"

    assert report_files.build(report.pk) == "ready"  # what the worker runs

    # htmx's request gets the status alone, now without the trigger: the polling stops.
    part = client.get(response["Location"], headers={"HX-Request": "true"})
    text = part.content.decode()
    assert text.lstrip().startswith("<section") and "<html" not in text
    assert "The report is ready." in text and "hx-trigger" not in text
    assert f'href="/insights/reports/{report.pk}/file"' in text
    assert "HX-Request" in part["Vary"]
    download = client.get(f"/insights/reports/{report.pk}/file")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert content(download).startswith(b"%PDF")
    assert download["Content-Disposition"] == 'attachment; filename="kembar-bandung-id-2026.pdf"'
    report.refresh_from_db()
    stored = Path(django_settings.MEDIA_ROOT) / report.file.name
    assert report.file.name.startswith("reports/") and stored.stat().st_size == report.size > 1000
    assert report.finished is not None and report.finished >= report.created


def test_the_status_page_speaks_indonesian(year_of_work, users, governments, client, queue, settings):
    settings.LANGUAGE_CODE = "id"
    report = ReportFile.objects.create(
        requester=users["bandung_viewer"], government=governments["bandung"], year=2026, format="pdf", language="id"
    )
    client.force_login(users["bandung_viewer"])
    page = client.get(f"/insights/reports/{report.pk}/").content.decode()
    assert "Laporan sedang disiapkan…" in page and "Muat ulang" in page
    # Times in the office's zone, named.
    local = timezone.localtime(report.created, timezone.get_fixed_timezone(7 * 60))
    assert f"{local:%H:%M} WIB" in page


def test_the_status_page_names_a_japanese_report_in_japanese(year_of_work, users, governments, client, queue):
    report = ReportFile.objects.create(
        requester=users["bandung_viewer"], government=governments["bandung"], year=2026, format="pdf", language="ja"
    )
    client.force_login(users["bandung_viewer"])
    assert "PDF · 日本語 ·" in client.get(f"/insights/reports/{report.pk}/").content.decode()


def test_a_worker_process_builds_what_a_request_queued(tmp_path):
    """Queued by one process (as a request does), built by `kembar worker --batch` in another, through
    the database queue of production."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
    }
    kembar = [sys.executable, "-m", "kembar.cli"]
    run = dict(env=env, cwd=PROJECT, capture_output=True, text=True, timeout=300)

    def shell(code: str) -> str:
        return subprocess.run(kembar + ["shell", "--no-imports", "-c", code], check=True, **run).stdout.strip()

    subprocess.run(kembar + ["migrate", "-v0"], check=True, **run)
    report_id = shell(
        "from django.contrib.auth import get_user_model\n"
        "from kembar.accounts.models import Membership, Organisation\n"
        "from kembar.insights.analytics import report_files\n"
        "user = get_user_model().objects.create_user('kemendagri')\n"
        "office = Organisation.objects.create(name='Kemendagri', kind='oversight')\n"
        "Membership.objects.create(user=user, organisation=office, role='viewer')\n"
        "print(report_files.request_report(user, report_files.resolve_scope(user), 2026, 'pdf', 'en').pk)"
    )
    status = f"from kembar.insights.models import ReportFile as R; r = R.objects.get(pk={report_id}); print(r.status)"
    assert shell(status) == "queued"  # nothing built it in the requesting process
    done = subprocess.run(kembar + ["worker", "--batch"], **run)
    assert done.returncode == 0, done.stderr
    assert shell(status) == "ready"
    stored = shell(
        f"from kembar.insights.models import ReportFile as R; print(R.objects.get(pk={report_id}).file.path)"
    )
    assert Path(stored).read_bytes().startswith(b"%PDF") and stored.startswith(str(tmp_path / "media" / "reports"))


# --- reuse ---------------------------------------------------------------------------------------------


def test_the_same_request_within_the_hour_gets_the_same_report(
    year_of_work, users, governments, client, queue, django_capture_on_commit_callbacks
):
    client.force_login(users["bandung_viewer"])
    bandung = governments["bandung"].pk
    first = ask(client, django_capture_on_commit_callbacks, government=bandung)["Location"]
    assert ask(client, django_capture_on_commit_callbacks, government=bandung)["Location"] == first  # waiting
    report = ReportFile.objects.get()
    report_files.build(report.pk)
    assert ask(client, django_capture_on_commit_callbacks, government=bandung)["Location"] == first  # ready
    assert queued_ids(queue) == [report.pk]  # one job
    # Another format, or another user, is another report.
    other_format = ask(client, django_capture_on_commit_callbacks, government=bandung, format="xlsx")["Location"]
    assert other_format != first
    client.force_login(users["bandung_editor"])
    assert ask(client, django_capture_on_commit_callbacks, government=bandung)["Location"] not in (first, other_format)
    # An hour later the figures may have changed: a new report.
    client.force_login(users["bandung_viewer"])
    ReportFile.objects.update(created=timezone.now() - dt.timedelta(minutes=61))
    assert ask(client, django_capture_on_commit_callbacks, government=bandung)["Location"] != first
    assert ReportFile.objects.count() == 4


def test_a_failed_report_is_not_reused(year_of_work, users, governments, queue, django_capture_on_commit_callbacks):
    scope = report_files.resolve_scope(users["oversight"])
    with django_capture_on_commit_callbacks(execute=True):
        failed = report_files.request_report(users["oversight"], scope, 2026, "pdf", "en")
    ReportFile.objects.filter(pk=failed.pk).update(status="failed", failure="error", error="disk full")
    with django_capture_on_commit_callbacks(execute=True):
        again = report_files.request_report(users["oversight"], scope, 2026, "pdf", "en")
    assert again.pk != failed.pk and again.status == "queued"


# --- who sees it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", [None, "bandung_editor", "surabaya_editor", "oversight", "platform_admin"])
def test_a_report_is_for_whoever_asked_for_it(
    year_of_work, users, governments, client, other, django_capture_on_commit_callbacks
):
    """Even a colleague of the same office or a platform administrator gets a 404."""
    client.force_login(users["bandung_viewer"])
    ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)
    report = ReportFile.objects.get()
    assert report.status == "ready"
    client.logout()
    if other:
        client.force_login(users[other])
    for url in (f"/insights/reports/{report.pk}/", f"/insights/reports/{report.pk}/file"):
        assert client.get(url).status_code == (404 if other else 302)
    for url in (f"/api/insights/reports/{report.pk}", f"/api/insights/reports/{report.pk}/file"):
        answer = client.get(url)
        assert answer.status_code == (404 if other else 401)
        assert "detail" in answer.json()


def test_a_requester_who_lost_access_no_longer_gets_the_report(
    year_of_work, users, governments, client, queue, django_capture_on_commit_callbacks
):
    viewer = users["bandung_viewer"]
    client.force_login(viewer)
    waiting = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)["Location"]
    built = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk, format="xlsx")
    report_files.build(ReportFile.objects.get(format="xlsx").pk)
    Membership.objects.filter(user=viewer).delete()  # they left Bandung's office
    # The job checks again, as the requester is now: the report fails and says why.
    assert report_files.build(ReportFile.objects.get(format="pdf").pk) == "failed"
    failed = ReportFile.objects.get(format="pdf")
    assert (failed.status, failed.failure, failed.file.name) == ("failed", "access", "")
    # The one built before they left is not theirs to download any more.
    assert client.get(built["Location"] + "file").status_code == 404
    assert client.get(waiting).status_code == 404


# --- failures ------------------------------------------------------------------------------------------------


def test_a_failure_shows_its_message_not_a_traceback(
    year_of_work, users, governments, client, queue, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise MemoryError("the chart library ran out of memory")

    monkeypatch.setattr(reports, "write_report", broken)
    client.force_login(users["bandung_viewer"])
    status_url = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)["Location"]
    report = ReportFile.objects.get()
    with caplog.at_level(logging.ERROR, logger="kembar.insights.analytics.report_files"):
        assert build_report.call(report.pk) == "failed"
    report.refresh_from_db()
    assert (report.status, report.failure, report.error) == ("failed", "error", "the chart library ran out of memory")
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)  # the log has the traceback

    page = client.get(status_url).content.decode()
    assert "The report could not be made: the chart library ran out of memory" in page
    assert "Traceback" not in page and 'role="alert"' in page and "hx-trigger" not in page
    assert "Ask for the report again" in page
    api = client.get(f"/api/insights/reports/{report.pk}").json()
    assert api["status"] == "failed" and api["failure"] == "error"
    assert api["error"] == "The report could not be made: the chart library ran out of memory"
    download = client.get(f"/api/insights/reports/{report.pk}/file")
    assert download.status_code == 409 and "ran out of memory" in download.json()["detail"]
    # Asking again makes a new report (a failed one is never reused).
    monkeypatch.undo()
    again = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)["Location"]
    assert again != status_url


def test_an_unreachable_queue_fails_the_report_at_once(
    year_of_work, users, governments, client, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(type(build_report), "enqueue", unreachable)
    client.force_login(users["bandung_viewer"])
    status_url = ask(client, django_capture_on_commit_callbacks, government=governments["bandung"].pk)["Location"]
    assert ReportFile.objects.get().failure == "queue"
    assert "The job queue could not be reached" in client.get(status_url).content.decode()


def test_a_job_builds_its_report_once(year_of_work, users, queue, django_capture_on_commit_callbacks):
    scope = report_files.resolve_scope(users["oversight"])
    with django_capture_on_commit_callbacks(execute=True):
        report = report_files.request_report(users["oversight"], scope, 2026, "xlsx", "en")
    assert report_files.build(report.pk) == "ready"
    assert report_files.build(report.pk) == "skipped"  # a second job for the same report
    assert report_files.build(report.pk + 1000) == "skipped"  # a deleted report


# --- pruning ---------------------------------------------------------------------------------------------------


def test_reports_older_than_a_week_go_with_their_files(
    year_of_work, users, governments, queue, django_capture_on_commit_callbacks
):
    viewer = users["bandung_viewer"]
    scope = report_files.resolve_scope(viewer, government=governments["bandung"].pk)
    made = {}
    for fmt in ("pdf", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            made[fmt] = report_files.request_report(viewer, scope, 2026, fmt, "en")
        report_files.build(made[fmt].pk)
    stuck = ReportFile.objects.create(requester=viewer, government=governments["bandung"], year=2025, format="pdf")
    now = timezone.now()
    ReportFile.objects.filter(pk=made["pdf"].pk).update(created=now - dt.timedelta(days=7, minutes=1))
    ReportFile.objects.filter(pk=stuck.pk).update(created=now - dt.timedelta(minutes=61))
    old_file = Path(django_settings.MEDIA_ROOT) / ReportFile.objects.get(pk=made["pdf"].pk).file.name
    kept_file = Path(django_settings.MEDIA_ROOT) / ReportFile.objects.get(pk=made["xlsx"].pk).file.name
    assert old_file.exists() and kept_file.exists()

    with django_capture_on_commit_callbacks(execute=True):  # files are removed after the commit
        assert report_files.prune(now) == (1, 1)
    assert set(ReportFile.objects.values_list("pk", "status")) == {(made["xlsx"].pk, "ready"), (stuck.pk, "failed")}
    assert not old_file.exists() and not old_file.parent.exists() and kept_file.exists()
    assert ReportFile.objects.get(pk=stuck.pk).failure == "stale"


def test_kembar_remind_prunes_the_reports(year_of_work, users, capsys):
    old = ReportFile.objects.create(requester=users["oversight"], year=2026, format="pdf", status="ready")
    ReportFile.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=8))
    call_command("remind")
    assert "1 report file(s) older than a week deleted" in capsys.readouterr().out
    assert not ReportFile.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_answers_202_then_the_status_then_the_file(
    year_of_work, users, governments, client, queue, django_capture_on_commit_callbacks
):
    from tests.support.clients import bearer

    auth = bearer(users["bandung_editor"])
    body = {"government_id": governments["bandung"].pk, "year": 2026, "format": "pdf", "language": "en"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/insights/reports", body, content_type="application/json", **auth)
    assert response.status_code == 202, response.content
    answer = response.json()
    report = ReportFile.objects.get()
    assert answer["id"] == report.pk and answer["status"] == "queued" and answer["file"] is None
    assert answer["url"] == f"/api/insights/reports/{report.pk}" == response["Location"]
    assert answer["page"] == f"/insights/reports/{report.pk}/"
    assert answer["scope"] == str(governments["bandung"]) and answer["year"] == 2026
    waiting = client.get(f"/api/insights/reports/{report.pk}/file", **auth)
    assert waiting.status_code == 409 and "not ready yet" in waiting.json()["detail"]

    report_files.build(report.pk)
    status = client.get(answer["url"], **auth).json()
    assert status["status"] == "ready" and status["file"] == f"/api/insights/reports/{report.pk}/file"
    assert status["size"] == ReportFile.objects.get().size and status["finished"] is not None
    download = client.get(status["file"], **auth)
    assert download.status_code == 200 and content(download).startswith(b"%PDF")
    # The same request again: the same report, no second job.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/api/insights/reports", body, content_type="application/json", **auth)
    assert again.status_code == 202 and again.json()["id"] == report.pk and again.json()["status"] == "ready"
    assert queued_ids(queue) == [report.pk]


def test_the_old_report_endpoint_is_gone(client):
    response = client.get("/api/insights/report", {"government_id": 1, "format": "pdf"})
    assert response.status_code == 410
    assert "POST /api/insights/reports" in response.json()["detail"]
