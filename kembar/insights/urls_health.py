from django.urls import path

from . import views_health

urlpatterns = [
    path("", views_health.health_overview, name="health"),
    path("map/", views_health.health_map, name="map"),
    path("map/data.json", views_health.map_json, name="map_data"),
]
