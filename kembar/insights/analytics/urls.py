from django.urls import path

from . import views

urlpatterns = [
    path("pivot/", views.pivot_page, name="pivot"),
    path("sdg/", views.sdg_page, name="sdg"),
    path("report/", views.report_download, name="report"),
]
