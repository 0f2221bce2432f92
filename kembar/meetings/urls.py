from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("slots/", views.slot_finder, name="slots"),
    path("new/", views.meeting_create, name="create"),
    path("times/", views.meeting_times, name="times"),
    path("office-hours/", views.office_hours_home, name="office_hours_home"),
    path("office-hours/<int:organisation_id>/", views.office_hours, name="office_hours"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/participants/", views.participant_add, name="participant_add"),
    path("participants/<int:participant_id>/invitation.ics", views.invitation, name="invitation"),
    path("<int:pk>/invitations/", views.send_invitations, name="send_invitations"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:action_id>/status/", views.action_status, name="action_status"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("library/", views.library, name="library"),
    path("library/share/", views.library_share, name="library_share"),
    path("library/<int:pk>/", views.library_item, name="library_item"),
    path("library/<int:pk>/download/", views.library_download, name="library_download"),
    path("library/<int:pk>/delete/", views.library_delete, name="library_delete"),
]
