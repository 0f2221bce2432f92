from django.urls import path

from . import views

app_name = "solutions"
urlpatterns = [
    path("", views.solution_list, name="list"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("new/", views.solution_create, name="create"),
    path("<int:pk>/", views.solution_detail, name="detail"),
    path("<int:pk>/edit/", views.solution_edit, name="edit"),
    path("<int:pk>/interest/", views.solution_interest, name="interest"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot"),
    path("pilots/<int:pk>/edit/", views.pilot_edit, name="pilot_edit"),
    path("pilots/<int:pk>/activity/", views.pilot_track, name="pilot_track"),
    path("pilots/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("pilots/<int:pk>/milestones/<int:milestone_id>/", views.milestone_status, name="milestone_status"),
]
