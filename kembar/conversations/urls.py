from django.urls import path

from . import views

app_name = "conversations"
urlpatterns = [
    path("partnerships/<int:pk>/conversation/", views.thread, name="thread"),
    path("partnerships/<int:pk>/conversation/read/", views.mark_read, name="read"),
    path("partnerships/<int:pk>/conversation/sharing/", views.sharing, name="sharing"),
    path("conversations/", views.inbox, name="inbox"),
    path("conversations/notifications/", views.notifications, name="notifications"),
    path("conversations/files/<int:file_id>/", views.attachment, name="attachment"),
]
