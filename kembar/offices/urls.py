from django.urls import path

from . import views

app_name = "offices"
urlpatterns = [
    path("office/", views.home, name="home"),
    path("office/<int:organisation_id>/", views.office, name="office"),
    path("office/<int:organisation_id>/invite/", views.invite, name="invite"),
    path("office/<int:organisation_id>/profile/", views.profile, name="profile"),
    path("office/<int:organisation_id>/members/<int:membership_id>/role/", views.change_role, name="change_role"),
    path("office/<int:organisation_id>/members/<int:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("office/<int:organisation_id>/invitations/<int:invitation_id>/revoke/", views.revoke, name="revoke"),
    path("office/<int:organisation_id>/invitations/<int:invitation_id>/renew/", views.renew, name="renew"),
    path("office/invitations/<int:invitation_id>/link/", views.issued, name="issued"),
    path("office/partnerships/<int:partnership_id>/invite/", views.invite_partner, name="invite_partner"),
    path("invitations/<str:token>/", views.accept, name="accept"),
]
