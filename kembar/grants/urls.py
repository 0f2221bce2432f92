from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/edit/", views.call_edit, name="edit"),
    path("partnerships/<int:partnership_id>/", views.partnership_page, name="assessments"),
    path(
        "partnerships/<int:partnership_id>/assessment/<int:government_id>/",
        views.assessment_answer,
        name="answer",
    ),
]
