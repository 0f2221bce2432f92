from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("partnerships/<int:pk>/plans/", views.partnership_plans, name="partnership"),
    path("partnerships/<int:pk>/plans/new/", views.plan_create, name="create"),
    path("plans/<int:pk>/", views.plan_detail, name="detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:pk>/objectives/", views.objective_add, name="objective_add"),
    path("plans/<int:pk>/planned/", views.planned_add, name="planned_add"),
    path("plans/<int:pk>/budget/", views.plan_line_add, name="line_add"),
    path("plans/objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("plans/objectives/<int:pk>/targets/", views.target_add, name="target_add"),
    path("plans/targets/<int:pk>/", views.target_detail, name="target"),
    path("plans/targets/<int:pk>/links/", views.link_add, name="link_add"),
    path("plans/links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("plans/planned/<int:pk>/delete/", views.planned_delete, name="planned_delete"),
    path("plans/money/activities/<int:pk>/", views.activity_money, name="activity_money"),
    path("plans/money/aid/<int:pk>/", views.aid_money, name="aid_money"),
    path("plans/money/pilots/<int:pk>/", views.pilot_money, name="pilot_money"),
    path("plans/money/lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("plans/money/partnerships/<int:pk>/", views.partnership_totals, name="partnership_totals"),
    path("plans/money/governments/<int:pk>/", views.government_totals, name="government_totals"),
]
