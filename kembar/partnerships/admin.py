from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CooperationField, GovernmentMerge, LocalGovernment, Partnership


@admin.register(LocalGovernment)
class LocalGovernmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "country_code", "place"]
    list_filter = ["level"]
    search_fields = ["name", "place__name"]
    raw_id_fields = ["place"]
    show_full_result_count = False


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "status", "since", "public", "source"]
    list_filter = ["kind", "status", "public", "source"]
    search_fields = ["government_a__name", "government_b__name"]
    raw_id_fields = ["government_a", "government_b"]
    list_select_related = ["government_a", "government_b"]
    filter_horizontal = ["fields"]
    show_full_result_count = False


@admin.register(GovernmentMerge)
class GovernmentMergeAdmin(admin.ModelAdmin):
    """The record of merges (made on Possible duplicates or with `kembar merge-governments`)."""

    list_display = ["dropped_name", "kept", "merged_by", "merged_at"]
    list_select_related = ["kept", "merged_by"]
    search_fields = ["dropped_name", "kept__name"]
    readonly_fields = ["kept", "dropped_id", "dropped_name", "dropped_place", "moved", "merged_by", "merged_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(CooperationField)
