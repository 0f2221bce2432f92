from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, AidItem, AidShipment, Call


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "type", "modality", "status", "start", "public"]
    list_filter = ["type", "modality", "status", "public"]
    search_fields = ["title"]
    raw_id_fields = ["partnership", "host"]
    list_select_related = ["partnership"]
    show_full_result_count = False


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "deadline", "public"]
    list_filter = ["kind", "status", "public"]
    raw_id_fields = ["partnership", "host"]


class AidItemInline(admin.TabularInline):
    model = AidItem
    extra = 0


@admin.register(AidShipment)
class AidShipmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "donor", "recipient", "status", "public"]
    list_filter = ["status", "public"]
    raw_id_fields = ["partnership", "donor", "recipient"]
    inlines = [AidItemInline]
