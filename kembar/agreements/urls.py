from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("partnerships/<int:partnership_id>/", views.partnership_agreements, name="partnership"),
    path("partnerships/<int:partnership_id>/new/", views.agreement_create, name="create"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/advance/", views.agreement_advance, name="advance"),
    path("<int:pk>/back/", views.agreement_back, name="back"),
    path("<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("<int:pk>/template/", views.agreement_template, name="template"),
    path("<int:pk>/reject/", views.agreement_reject, name="reject"),
    path("stages/<int:stage_id>/upload/", views.document_upload, name="upload"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
]
