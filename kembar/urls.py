from django.contrib import admin
from django.urls import include, path

from kembar.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kembar.accounts.urls")),
    path("places/", include("kembar.gazetteer.urls")),
    path("partnerships/", include("kembar.partnerships.urls")),
    path("agreements/", include("kembar.agreements.urls")),
    path("meetings/", include("kembar.meetings.urls")),
    path("solutions/", include("kembar.solutions.urls")),
    path("matching/", include("kembar.matching.urls")),
    path("insights/", include("kembar.insights.urls")),
    path("api/", api.urls),
    path("", include("kembar.activities.urls")),
    path("", include("kembar.dashboard.urls")),
]
