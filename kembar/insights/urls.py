"""/insights/: health and the map (health/urls.py), pivot analytics, the SDG report and reports
(analytics/urls.py)."""

from .analytics.urls import urlpatterns as analytics_urlpatterns
from .health.urls import urlpatterns as health_urlpatterns

app_name = "insights"
urlpatterns = health_urlpatterns + analytics_urlpatterns
