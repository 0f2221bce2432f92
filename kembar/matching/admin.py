from django.contrib import admin

from .models import Interest, PartnerRequest


class InterestInline(admin.TabularInline):
    model = Interest
    raw_id_fields = ["government", "created_by"]
    extra = 0


@admin.register(PartnerRequest)
class PartnerRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "government", "status", "updated"]
    list_filter = ["status"]
    search_fields = ["title", "government__name"]
    raw_id_fields = ["government"]
    list_select_related = ["government"]
    filter_horizontal = ["fields"]
    inlines = [InterestInline]
    show_full_result_count = False
