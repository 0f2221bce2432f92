from django.urls import path

from . import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", views.partnership_create, name="create"),
    path("suggestions/", views.partnership_suggestions, name="suggestions"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/<str:fmt>/", views.open_data_file, name="open_data_file"),
    path("<int:pk>/", views.partnership_detail, name="detail"),
    path("<int:pk>/edit/", views.partnership_edit, name="edit"),
    path("<int:pk>/delete/", views.partnership_delete, name="delete"),
    path("<int:pk>/confirm/", views.partnership_confirm, name="confirm"),
    path("<int:pk>/close/", views.partnership_close, name="close"),
    path("to-confirm/", views.to_confirm, name="to_confirm"),
    path("governments/suggestions/", views.government_suggestions, name="government_suggestions"),
    path("governments/duplicates/", views.duplicates, name="duplicates"),
    path("governments/merge/", views.merge_review, name="merge"),
    path("places/unverified/", views.unverified_places, name="unverified_places"),
    path("places/unverified/confirm/", views.confirm_place, name="confirm_place"),
    path("governments/<int:pk>/", views.government_detail, name="government"),
    path("governments/<int:pk>/edit/", views.government_edit, name="government_edit"),
    path(
        "governments/<int:pk>/traits/<slug:trait>/correction/",
        views.government_trait_correction,
        name="government_trait_correction",
    ),
]
