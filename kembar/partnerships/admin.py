from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CooperationField, LocalGovernment, Partnership


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


admin.site.register(CooperationField)
