from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("partnerships/<int:pk>/activities/", views.partnership_activities, name="partnership"),
    path("partnerships/<int:pk>/activities/new/", views.activity_create, name="create"),
    path("partnerships/<int:pk>/calls/new/", views.call_create, name="call_create"),
    path("partnerships/<int:pk>/aid/new/", views.aid_create, name="aid_create"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/postpone/", views.activity_postpone, name="postpone"),
    path("activities/<int:pk>/convert/", views.activity_convert, name="convert"),
    path("activities/<int:pk>/attach/", views.activity_attach, name="attach"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="delete"),
    path("activity-files/<int:file_id>/", views.attachment_download, name="attachment"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("aid/<int:pk>/", views.aid_detail, name="aid"),
    path("aid/<int:pk>/edit/", views.aid_edit, name="aid_edit"),
    path("aid/<int:pk>/attach/", views.aid_attach, name="aid_attach"),
    path("aid-documents/<int:document_id>/", views.aid_document_download, name="aid_document"),
    path("events/", views.portal, name="portal"),
    path("events/partnerships/<int:pk>/", views.portal_partnership, name="portal_partnership"),
    path("events/calendar/partnerships/<int:pk>.ics", views.feed_partnership, name="feed_partnership"),
    path("events/calendar/governments/<int:pk>.ics", views.feed_government, name="feed_government"),
]
