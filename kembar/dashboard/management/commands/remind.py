from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from kembar.core import mail, reminders
from kembar.insights.analytics import report_files


class Command(BaseCommand):
    help = (
        "Queue the reminder e-mails that are due (agreements ending, procedures stuck, overdue "
        "action items), each event once, hand waiting e-mails that lost their job back to the "
        "queue, and delete report files older than a week. Meant for cron, e.g. every hour; "
        "`kembar worker` sends the mails and builds the reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print one line per mail that would be sent now (one per language of a reminder's readers); send nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        with translation.override(settings.LANGUAGE_CODE):
            due = reminders.collect(now)
        if dry_run:
            for reminder in due:
                self.stdout.write(reminder.line())
            return
        queued = reminders.send(due, now)
        skipped = len(due) - queued
        self.stdout.write(f"{queued} reminder(s) queued" + (f", {skipped} without a recipient" if skipped else ""))
        requeued = mail.sweep(now)
        if requeued:
            self.stdout.write(f"{requeued} waiting e-mail(s) queued again")
        deleted, stale = report_files.prune(now)
        if deleted:
            self.stdout.write(f"{deleted} report file(s) older than a week deleted")
        if stale:
            self.stdout.write(f"{stale} report(s) not built within an hour marked failed")
