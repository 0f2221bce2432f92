from django.contrib import admin
from django.urls import include, path

from kembar.accounts.views import set_language
from kembar.api.api import build_api

# Each app's API routers (`<app>/api.py`), in the order the API documentation lists them.
API_ROUTERS = [
    ("/places", "kembar.gazetteer.api.router"),
    ("/governments", "kembar.partnerships.api.governments_router"),
    ("/governments", "kembar.matching.api.router"),
    ("/partnerships", "kembar.partnerships.api.router"),
    ("/registry", "kembar.partnerships.api.registry_router"),
    ("/agreements", "kembar.agreements.api.router"),
    ("/oversight", "kembar.agreements.api.oversight_router"),
    ("/oversight", "kembar.insights.oversight.api.router"),
    ("", "kembar.activities.api.router"),
    ("/meetings", "kembar.meetings.api.router"),
    ("/library", "kembar.meetings.api.library_router"),
    ("/solutions", "kembar.solutions.api.router"),
    ("/grants", "kembar.grants.api.router"),
    ("/insights", "kembar.insights.analytics.api.router"),
    ("/insights", "kembar.insights.health.api.router"),
    ("/partner-requests", "kembar.matching.api.requests_router"),
    ("/conversations", "kembar.conversations.api.router"),
    ("/offices", "kembar.offices.api.router"),
    # One's own account (tokens, sessions): beside the token authentication it needs.
    ("/account", "kembar.api.account.router"),
    ("/proposals", "kembar.proposals.api.router"),
    ("/plans", "kembar.plans.api.router"),
]

api = build_api()
for prefix, router in API_ROUTERS:
    api.add_router(prefix, router)

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switch, which also keeps a signed-in user's choice as their preference.
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("kembar.accounts.urls")),
    path("places/", include("kembar.gazetteer.urls")),
    path("partnerships/", include("kembar.partnerships.urls")),
    path("agreements/", include("kembar.agreements.urls")),
    path("meetings/", include("kembar.meetings.urls")),
    path("solutions/", include("kembar.solutions.urls")),
    path("grants/", include("kembar.grants.urls")),
    path("matching/", include("kembar.matching.urls")),
    path("insights/", include("kembar.insights.urls")),
    path("oversight/", include("kembar.insights.oversight.urls")),
    path("api/", api.urls),
    path("", include("kembar.conversations.urls")),
    path("", include("kembar.plans.urls")),
    path("", include("kembar.offices.urls")),
    path("", include("kembar.proposals.urls")),
    path("", include("kembar.activities.urls")),
    path("", include("kembar.dashboard.urls")),
]
