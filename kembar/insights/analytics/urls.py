from django.urls import path

from . import views

urlpatterns = [
    path("pivot/", views.pivot_page, name="pivot"),
    path("sdg/", views.sdg_page, name="sdg"),
    path("reports/", views.report_request, name="report_request"),
    path("reports/<int:pk>/", views.report_status, name="report_status"),
    path("reports/<int:pk>/file", views.report_file, name="report_file"),
]
