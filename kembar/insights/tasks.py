"""The background tasks of insights (Django's tasks API, the django-tasks backport)."""

from django_tasks import task

from .analytics import report_files


@task()
def build_report(report_id: int) -> str:
    """Write one requested report file (kembar.insights.analytics.report_files.build)."""
    return report_files.build(report_id)
