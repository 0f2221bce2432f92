from django.shortcuts import render
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.activities.queries import dashboard_events
from kembar.agreements.reminders import dashboard_context as agreements_dashboard
from kembar.conversations.services import dashboard_unread
from kembar.core.caching import for_visitors
from kembar.core.mail import backlog
from kembar.grants.services import dashboard_assessments, dashboard_fits
from kembar.matching.services import dashboard_requests
from kembar.partnerships import claims
from kembar.partnerships import services as partnership_services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.services import dashboard_summary

from . import services


@require_safe
@for_visitors
def dashboard(request):
    """Home. An office: what is overdue, what is coming, what waits for it, which of its
    partnerships slip (services.office_day). Everyone else: the platform's figures, the
    agreements they oversee and the public events."""
    own_ids = permissions.read_government_ids(request.user)
    own = list(LocalGovernment.objects.filter(pk__in=own_ids).select_related("place").order_by("name", "pk"))
    context = {
        "own_governments": own,
        "solution_exchange": dashboard_summary(g.pk for g in own),
        "partner_requests": dashboard_requests(g.pk for g in own),
    }
    if own:
        counted = Partnership.objects.filter(partnership_services.involving_any([g.pk for g in own]))
        context["day"] = services.office_day(request.user, own)
        context["to_confirm"] = claims.unclaimed(request.user).count()
        context["conversations"] = dashboard_unread(request.user)
        context["grant_fits"] = dashboard_fits(request.user)
        context["assessments_due"] = dashboard_assessments(request.user)
    else:
        counted = permissions.visible_partnerships(request.user, Partnership.objects.all())
        context["agreements"] = agreements_dashboard(request.user)
        context["upcoming_activities"] = dashboard_events(request.user, [])
    counts = partnership_services.status_counts(counted)
    context.update(counts=counts, total=sum(n for _, _, n in counts))
    if request.user.is_superuser:  # mails waiting for the mail server (kembar.core.mail)
        context["mail_backlog"] = backlog()
    return render(request, "dashboard/dashboard.html", context)
