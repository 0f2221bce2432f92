"""The background tasks of the registry (Django's tasks API, the django-tasks backport)."""

from django_tasks import task

from . import opendata


@task()
def publish_open_data() -> int:
    """Rebuild the published open data files (kembar.partnerships.opendata.publish)."""
    return opendata.publish().partnerships
