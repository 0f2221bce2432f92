from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.activities.queries import public_dashboard_events
from kembar.agreements.reminders import dashboard_context as agreements_dashboard
from kembar.conversations.services import dashboard_unread
from kembar.core.caching import cache_seconds, for_visitors
from kembar.core.mail import backlog
from kembar.matching.services import dashboard_requests
from kembar.partnerships import services as partnership_services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.services import dashboard_summary

from . import services


@require_safe
@for_visitors
def dashboard(request):
    """Home. An office: what is overdue, what is coming, what waits for it, which of its
    partnerships slip (services.office_blocks, cached until the office's data changes).
    Everyone else: the platform's figures, the agreements they oversee and the public events."""
    own_ids = permissions.read_government_ids(request.user)
    own = list(LocalGovernment.objects.filter(pk__in=own_ids).select_related("place").order_by("name", "pk"))
    context = {"own_governments": own}
    if own:
        context["conversations"] = dashboard_unread(request.user)
        context["office_html"] = _office_html(request, own)
    else:
        counted = permissions.visible_partnerships(request.user, Partnership.objects.all())
        counts = partnership_services.status_counts(counted)
        context.update(
            solution_exchange=dashboard_summary([]),
            partner_requests=dashboard_requests([]),
            agreements=agreements_dashboard(request.user),
            # the next public events, kept until they or their partnerships change
            upcoming_html=mark_safe(  # noqa: S308 - rendered by our own template, escaped there
                public_dashboard_events(
                    lambda events: render_to_string("activities/_dashboard.html", {"upcoming_activities": events}),
                    (get_language(), get_current_timezone_name()),
                )
            ),
            counts=counts,
            total=sum(n for _, _, n in counts),
        )
    if request.user.is_superuser:  # mails waiting for the mail server (kembar.core.mail)
        context["mail_backlog"] = backlog()
    return render(request, "dashboard/dashboard.html", context)


def _office_html(request, own) -> str:
    """The office's blocks rendered, from the cache while none of the office's data changed
    (services.office_key)."""
    key = services.office_key(request.user, own)
    html = cache.get(key) if key else None
    if html is None:
        context = {"own_governments": own, **services.office_blocks(request.user, own)}
        html = render_to_string("dashboard/_office_blocks.html", context, request)
        if key and "csrfmiddlewaretoken" not in html:  # a form's token is the session's own
            cache.set(key, html, cache_seconds())
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there
