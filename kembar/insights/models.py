from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.core import languages
from kembar.core.uploads import UploadPath


class ReportFile(models.Model):
    """A periodic report (kembar/insights/analytics/reports.py) asked for on a page or through the
    API and built by the job queue, not inside the request (analytics/report_files.py). The file
    is kept for a week, for its requester only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for its turn")
        BUILDING = "building", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be made")

    class Failure(models.TextChoices):
        ACCESS = "access", _("no access any more")
        STALE = "stale", _("not made in time")
        QUEUE = "queue", _("job queue unreachable")
        ERROR = "error", _("error while making it")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual report")
        ROLLUP = "rollup", _("oversight roll-up")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ANNUAL)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_files", verbose_name=_("requester")
    )
    # The scope: a government, a province (a roll-up), or neither (the whole platform's roll-up).
    government = models.ForeignKey(
        "partnerships.LocalGovernment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("government"),
    )
    province = models.ForeignKey(
        "gazetteer.Place",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("province"),
    )
    # A roll-up's country when a platform administrator narrowed the platform to one (an oversight
    # body's roll-up is always its own scope, read again when the file is built).
    country = models.CharField(_("country"), max_length=2, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # Any language of the interface (a report in Japanese says so on its status page).
    language = models.CharField(_("language"), max_length=2, choices=languages.interface_choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(_("reason of the failure"), max_length=10, choices=Failure.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Under MEDIA_ROOT/reports/, never served by URL: the download view checks the reader.
    file = models.FileField(_("file"), upload_to=UploadPath("reports"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    created = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["requester", "created"], name="insights_report_requester")]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.year} ({self.format.upper()}, {self.language})"

    @property
    def scope_label(self) -> str:
        """What the report is about, as the pages name the scope."""
        if self.kind == self.Kind.ROLLUP:
            return str(_("Oversight roll-up")) + (f" ({self.country})" if self.country else "")
        if self.government_id is not None:
            return str(self.government)
        if self.province_id is not None:
            return str(self.province)
        return str(_("The whole platform"))

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)
