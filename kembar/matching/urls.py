from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("governments/<int:pk>/partners/", views.find_partners, name="find_partners"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/interest/", views.request_interest, name="request_interest"),
]
