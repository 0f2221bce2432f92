from zoneinfo import ZoneInfo

from django.apps import apps
from django.utils import timezone

from .permissions import read_government_ids

SESSION_KEY = "kembar_timezone"


class OfficeTimezoneMiddleware:
    """Show times in the time zone of the user's own government (Asia/Jakarta for Bandung).

    Times are stored in UTC; visitors and oversight bodies without a government see UTC.
    The zone is looked up once per session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = "UTC"
        if request.user.is_authenticated:
            zone = request.session.get(SESSION_KEY)
            if zone is None:
                ids = sorted(read_government_ids(request.user))
                zone = (
                    apps.get_model("partnerships", "LocalGovernment")
                    .objects.filter(pk__in=ids)
                    .order_by("pk")
                    .values_list("place__timezone", flat=True)
                    .first()
                ) or "UTC"
                request.session[SESSION_KEY] = zone
        timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
