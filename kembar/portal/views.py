from django.shortcuts import render

from kembar.accounts import permissions
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Status


def dashboard(request):
    """Home: the user's own governments and their partnerships; the public figures for visitors."""
    access = permissions.access(request.user)
    own = list(LocalGovernment.objects.filter(pk__in=access.read_governments).select_related("place"))
    visible = permissions.visible_partnerships(request.user, Partnership.objects.all())
    own_partnerships = []
    if own:
        own_partnerships = list(services.partnership_queryset().filter(
            services.involving_any([g.pk for g in own])).order_by("status", "-since")[:50])
    return render(request, "portal/dashboard.html", {
        "own_governments": own,
        "own_partnerships": own_partnerships,
        "counts": services.status_counts(visible),
        "total": visible.count(),
        "Status": Status,
    })
