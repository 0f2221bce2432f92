from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("map.json", views.map_json, name="map_data"),
    path("export/", views.export, name="export"),
]
