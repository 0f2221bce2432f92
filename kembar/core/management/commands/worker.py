from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kembar.core import mail
from kembar.core.tasks import deliver_mail


class Command(BaseCommand):
    help = (
        "Run the background jobs (e-mail, imports, reports) of the queue set by TASKS_BACKEND: "
        "the database (default) or Redis. Run one or more beside the web server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then stop (for cron or tests).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at the queue.")

    def handle(self, *args, batch=False, interval=1.0, **options):
        backend = type(deliver_mail.get_backend()).__name__
        # Mails left without a job (the queue was unreachable, a worker died) go back in first.
        requeued = mail.sweep()
        if requeued:
            self.stdout.write(f"{requeued} waiting e-mail(s) queued again")
        if backend == "DatabaseBackend":
            arguments = ["--interval", str(interval), "--no-reload"]
            call_command("db_worker", *arguments, *(["--batch"] if batch else []))
        elif backend == "RQBackend":
            # django-tasks-rq's job class runs the task; the scheduler runs deferred retries.
            options = ["--burst"] if batch else ["--with-scheduler"]
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *options)
        else:
            raise CommandError(
                f"TASKS_BACKEND uses {backend}, which runs each job when it is enqueued: there is no worker to run."
            )
