from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("governments/<int:government_id>/propose/", views.propose, name="propose"),
    path("governments/<int:government_id>/propose/sent/", views.sent, name="sent"),
    path("office/<int:organisation_id>/proposals/", views.inbox, name="inbox"),
    path("office/<int:organisation_id>/proposals/<int:proposal_id>/", views.detail, name="detail"),
    path("office/<int:organisation_id>/proposals/<int:proposal_id>/accept/", views.accept, name="accept"),
    path("office/<int:organisation_id>/proposals/<int:proposal_id>/ask/", views.ask, name="ask"),
    path("office/<int:organisation_id>/proposals/<int:proposal_id>/decline/", views.decline, name="decline"),
    path(
        "office/<int:organisation_id>/proposals/<int:proposal_id>/documents/<int:document_id>/",
        views.document,
        name="document",
    ),
]
