from django.shortcuts import render
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.activities.queries import dashboard_events
from kembar.agreements.reminders import dashboard_context as agreements_dashboard
from kembar.core.mail import backlog
from kembar.insights.health.score import needs_attention
from kembar.matching.services import dashboard_requests
from kembar.meetings.services import dashboard_context as meetings_dashboard
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.services import dashboard_summary

OWN_SHOWN = 50


@require_safe
def dashboard(request):
    """Home: the user's own governments and their partnerships; the public figures for visitors."""
    own_ids = permissions.read_government_ids(request.user)
    own = list(LocalGovernment.objects.filter(pk__in=own_ids).select_related("place"))
    own_partnerships = []
    if own:  # an office sees its own partnerships' figures; everyone else the platform's
        ours = services.involving_any([g.pk for g in own])
        counted = Partnership.objects.filter(ours)
        own_partnerships = list(services.partnership_queryset().filter(ours).order_by("status", "-since")[:OWN_SHOWN])
    else:
        counted = permissions.visible_partnerships(request.user, Partnership.objects.all())
    counts = services.status_counts(counted)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "own_governments": own,
            "own_partnerships": own_partnerships,
            "more_partnerships": len(own_partnerships) == OWN_SHOWN,
            "counts": counts,
            "total": sum(n for _, _, n in counts),
            "agreements": agreements_dashboard(request.user),
            "upcoming_activities": dashboard_events(request.user, [g.pk for g in own]),
            **meetings_dashboard(request.user),
            "solution_exchange": dashboard_summary(g.pk for g in own),
            "partner_requests": dashboard_requests(g.pk for g in own),
            "needs_attention": needs_attention(request.user),
            "mail_backlog": backlog() if request.user.is_superuser else None,
        },
    )
