"""Reports built by the job queue, never inside a request: writing a report takes seconds (a
province's PDF with its charts more), and nothing slow runs in a request.

`request_report` checks who asks first (the rule of the download: `can_download_report`), then
reuses an identical request of the same user made within the last hour that is waiting or ready;
otherwise it writes a `ReportFile` row and, once that row is committed, asks the job queue to
build it (`kembar.insights.tasks.build_report`). The job (`build`) claims the row, checks the
requester's permission again (they may have lost it while the report waited), writes the file
under MEDIA_ROOT/reports/ and marks it ready; an error marks it failed with its message (the
traceback goes to the log, never to the user). `visible_report` shows a report to its requester
only. `prune` (run by `kembar remind`) deletes reports older than a week with their files, and
fails those that waited more than an hour (no worker ran them).

The oversight roll-up's tables (kembar.insights.oversight) go the same way (`request_rollup`): a
row of kind "rollup" whose scope is the requester's own when the job runs.

`kembar report` writes its file directly (reports.write_report): it is not a request.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core.queue import enqueue_with_commit
from kembar.insights.models import ReportFile

from . import reports
from .pivot import Scope, resolve_scope

log = logging.getLogger(__name__)

Status = ReportFile.Status
Failure = ReportFile.Failure

# An identical request within this time gets the report already asked for (waiting or ready).
REUSE_WITHIN = dt.timedelta(hours=1)
# A report (row and file) is deleted after this time.
KEEP_FOR = dt.timedelta(days=7)
# A report still waiting after this time is failed: no worker took it (or it died building it).
STALE_AFTER = dt.timedelta(hours=1)
ERROR_LENGTH = 1000
MAX_ID = 2**63 - 1  # the database's largest key: a larger id is no report, not an overflow
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refusal() -> str:
    return _("Only the government's own office, oversight bodies and platform administrators may download this report.")


def request_report(user, scope: Scope, year: int, fmt: str, language: str | None) -> ReportFile:
    """The report of `scope` for `year` that `user` asks for, as a row the job queue builds (or
    the same request made within the hour). PermissionDenied when the user may not have it,
    reports.ReportError (naming the field) for a bad format or language."""
    if not permissions.can_download_report(user, scope.government):
        raise PermissionDenied(refusal())
    if scope.kind == "partnership":
        raise reports.ReportError(
            _("A report is made for a government, a province or the whole platform, not for one partnership."),
            "partnership",
        )
    fmt, language = reports.check_options(fmt, language)
    return _queue(
        {
            "requester": user,
            "government": scope.government,
            "province": scope.province,
            "year": year,
            "format": fmt,
            "language": language,
        }
    )


def request_rollup(user, country: str, fmt: str, language: str | None) -> ReportFile:
    """The oversight roll-up's tables as CSV, XLSX or PDF, built by the job queue like a report.
    Http404 for anyone without a roll-up (as its page), ReportError for a bad format or language."""
    from kembar.insights.oversight import files, rollup

    if rollup.scope_for(user, country) is None:
        raise Http404(_("Only oversight bodies and platform administrators have a roll-up."))
    fmt = (fmt or "").lower()
    if fmt not in files.FORMATS:
        raise reports.ReportError(_("The format must be csv, xlsx or pdf, not “%(value)s”.") % {"value": fmt}, "format")
    return _queue(
        {
            "requester": user,
            "kind": ReportFile.Kind.ROLLUP,
            "country": country if not permissions.rollup_scope(user) else "",
            "year": timezone.localdate().year,
            "format": fmt,
            "language": reports.check_language(language),
        }
    )


def _queue(wanted: dict) -> ReportFile:
    """The same request made within the hour (waiting or ready), else a new row and its job."""
    earlier = (
        ReportFile.objects.filter(
            **wanted,
            status__in=[Status.QUEUED, Status.BUILDING, Status.READY],
            created__gte=timezone.now() - REUSE_WITHIN,
        )
        .order_by("-created", "-id")
        .first()
    )
    if earlier is not None:
        return earlier
    from kembar.insights.tasks import build_report

    with transaction.atomic():
        report = ReportFile.objects.create(**wanted)
        # The row and its job commit together (a queue in the database) or the job follows the
        # commit (Redis), so a worker always finds the row.
        enqueue_with_commit(build_report, report.pk, enqueue=enqueue)
    return report


def enqueue(report_id: int) -> bool:
    """Ask the job queue to build the report; when the queue cannot be reached the report fails
    at once with that reason (asking again later works), rather than waiting for nothing."""
    from kembar.insights.tasks import build_report

    try:
        build_report.enqueue(report_id)
    except Exception:  # Redis down, a database error: say so on the report
        log.warning("report %s could not be queued", report_id, exc_info=True)
        _fail(report_id, Failure.QUEUE, "")
        return False
    return True


def scope_of(report: ReportFile) -> Scope:
    """The report's scope as the requester sees it (the figures count only what they may read)."""
    return resolve_scope(
        report.requester,
        government=report.government_id,
        province=report.province.subdivision_code if report.province_id else None,
    )


def build(report_id: int) -> str:
    """Build one report (the job); returns "ready", "failed" or "skipped" (built or being built
    by another job, or deleted)."""
    # Claiming the row first means two jobs for the same report never both build it.
    if not ReportFile.objects.filter(pk=report_id, status=Status.QUEUED).update(status=Status.BUILDING):
        return "skipped"
    report = ReportFile.objects.select_related("requester", "government", "province").get(pk=report_id)
    # Under the requester's permissions, as they are now: an office left, a membership ended.
    if not permissions.can_download_report(report.requester, report.government):
        _fail(report_id, Failure.ACCESS, "")
        return "failed"
    try:
        written = _write(report)
        if written is None:
            _fail(report_id, Failure.ACCESS, "")
            return "failed"
        content, name = written
        report.file.save(name, ContentFile(content), save=False)
        report.size = len(content)
        report.status = Status.READY
        report.finished = timezone.now()
        report.save(update_fields=["file", "size", "status", "finished"])
    except Exception as error:  # whatever broke, the report says so and the log keeps the traceback
        log.exception("report %s could not be built", report_id)
        if report.file.name:
            report.file.delete(save=False)
        _fail(report_id, Failure.ERROR, str(error) or type(error).__name__)
        return "failed"
    return "ready"


def _write(report: ReportFile) -> tuple[bytes, str] | None:
    """The file's content and name; None when the requester no longer has a roll-up."""
    if report.kind == ReportFile.Kind.ROLLUP:
        from kembar.insights.oversight import files, rollup

        scope = rollup.scope_for(report.requester, report.country)
        if scope is None:
            return None
        with translation.override(report.language):
            data = rollup.build(report.requester, scope)
            return files.write(data, report.format), files.filename(data, report.format)
    scope = scope_of(report)
    content = reports.write_report(report.requester, scope, report.year, report.format, report.language)
    return content, reports.filename(scope, report.year, report.format)


def _fail(report_id: int, failure: str, error: str) -> None:
    ReportFile.objects.filter(pk=report_id).update(
        status=Status.FAILED,
        failure=failure,
        error=CONTROL.sub(" ", error)[:ERROR_LENGTH],
        finished=timezone.now(),
    )


def failure_message(report: ReportFile) -> str:
    """Why the report could not be made, in the reader's language."""
    if report.failure == Failure.ACCESS:
        return _(
            "You may no longer download this report: only the government's own office, oversight bodies "
            "and platform administrators may."
        )
    if report.failure == Failure.STALE:
        return _(
            "The report was not made within an hour: the job queue may not be running. Ask for it again, "
            "or tell the platform administrator."
        )
    if report.failure == Failure.QUEUE:
        return _("The job queue could not be reached. Ask for the report again in a few minutes.")
    return _("The report could not be made: %(error)s") % {"error": report.error or "?"}


def visible_report(user, report_id) -> ReportFile:
    """The report `report_id` for its requester, as long as they may still download it; a 404
    for everyone else (a report is private to whoever asked for it)."""
    report = (
        ReportFile.objects.select_related("government", "province").filter(pk=int(report_id)).first()
        if str(report_id).isdigit() and int(report_id) <= MAX_ID
        else None
    )
    if (
        report is None
        or not getattr(user, "is_authenticated", False)
        or report.requester_id != user.pk
        or not permissions.can_download_report(user, report.government)
    ):
        raise Http404(_("No report with id %(id)s.") % {"id": report_id})
    return report


def prune(now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete the reports older than a week (their files go with them, after the commit) and fail
    those still waiting after an hour. Returns (deleted, failed)."""
    now = now or timezone.now()
    stale = ReportFile.objects.filter(status__in=[Status.QUEUED, Status.BUILDING], created__lt=now - STALE_AFTER)
    failed = stale.update(status=Status.FAILED, failure=Failure.STALE, finished=now)
    # The delete signals each row, so django-cleanup removes its file (and folder) after the commit.
    deleted, _counts = ReportFile.objects.filter(created__lt=now - KEEP_FOR).delete()
    return deleted, failed
