"""The background tasks of the conversations (Django's tasks API, the django-tasks backport)."""

from django_tasks import task

from . import services


@task()
def notify_message(message_id: int) -> int:
    """Mail a new message to the members of both offices who want each one (services.notify)."""
    return services.notify(message_id)
