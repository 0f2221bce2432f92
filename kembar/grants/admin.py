from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import GrantCall, SelfAssessment


@admin.register(GrantCall)
class GrantCallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "funder_name", "funder_type", "closes_at", "office"]
    list_filter = ["funder_type"]
    search_fields = ["title", "funder_name"]
    raw_id_fields = ["office", "entered_by"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "government", "year", "updated"]
    list_filter = ["year"]
    raw_id_fields = ["partnership", "government", "answered_by"]
