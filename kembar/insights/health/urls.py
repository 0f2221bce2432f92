from django.urls import path

from . import views

urlpatterns = [
    path("", views.health_overview, name="health"),
    path("map/", views.health_map, name="map"),
    path("map/data.json", views.map_json, name="map_data"),
]
