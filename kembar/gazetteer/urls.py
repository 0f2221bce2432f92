from django.urls import path

from . import views

app_name = "gazetteer"
urlpatterns = [
    path("", views.search, name="search"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("provinces/", views.province_suggestions, name="provinces"),
]
