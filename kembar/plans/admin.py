from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExchangeRate, MoneyLine, Objective, Plan, PlannedActivity, Target, TargetLink


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partnership", "first_year", "last_year"]
    raw_id_fields = ["partnership", "agreement"]
    search_fields = ["title"]
    list_select_related = ["partnership__government_a", "partnership__government_b"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "side"]
    raw_id_fields = ["plan", "side"]
    list_select_related = ["plan", "side"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["title", "indicator", "target_value", "unit", "sdg_target"]
    raw_id_fields = ["objective"]


@admin.register(TargetLink)
class TargetLinkAdmin(SimpleHistoryAdmin):
    list_display = ["target", "activity", "aid", "pilot"]
    raw_id_fields = ["target", "activity", "aid", "pilot"]


@admin.register(PlannedActivity)
class PlannedActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "side"]
    raw_id_fields = ["objective", "side"]


@admin.register(MoneyLine)
class MoneyLineAdmin(SimpleHistoryAdmin):
    list_display = ["on", "kind", "funder", "funder_name", "amount", "currency", "side"]
    list_filter = ["kind", "funder", "currency"]
    raw_id_fields = ["plan", "activity", "aid", "pilot", "partnership", "side"]
    list_select_related = ["side"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    """The rate table the platform administrator keeps: one row per pair and day it takes effect."""

    list_display = ["currency", "quote", "rate", "valid_from", "source"]
    list_filter = ["currency", "quote"]
    search_fields = ["currency", "quote", "source"]
    ordering = ["currency", "quote", "-valid_from"]
