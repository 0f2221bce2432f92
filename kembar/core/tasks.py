"""The background tasks of the core layer (Django's tasks API, the django-tasks backport)."""

from django_tasks import task

from . import mail


@task()
def deliver_mail(mail_id: int) -> str:
    """Send one queued e-mail (kembar.core.mail.deliver); retries are enqueued by it."""
    return mail.deliver(mail_id)
