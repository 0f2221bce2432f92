"""/insights/: health and the map (urls_health), pivot analytics, the SDG report and reports
(urls_analytics)."""

from .urls_analytics import urlpatterns as analytics_urlpatterns
from .urls_health import urlpatterns as health_urlpatterns

app_name = "insights"
urlpatterns = health_urlpatterns + analytics_urlpatterns
