from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from kembar.core import reminders


class Command(BaseCommand):
    help = (
        "Send the reminder e-mails that are due (agreements ending, procedures stuck, overdue "
        "action items), each event once. Meant for cron, e.g. daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print one line per reminder that would be sent now; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        with translation.override(settings.LANGUAGE_CODE):
            due = reminders.collect(now)
        if dry_run:
            for reminder in due:
                self.stdout.write(reminder.line())
            return
        sent = reminders.send(due, now)
        skipped = len(due) - sent
        self.stdout.write(f"{sent} reminder(s) sent" + (f", {skipped} without a recipient" if skipped else ""))
