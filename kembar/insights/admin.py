from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ReportFile


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    """Read-only: the reports the job queue built or is building, who asked for them and why one
    failed (kembar.insights.analytics.report_files). The files themselves are for their requester."""

    list_display = ["id", "requester", "scope", "year", "format", "language", "status", "size", "created", "finished"]
    list_filter = ["status", "format", "language"]
    list_select_related = ["requester", "government", "province"]
    search_fields = ["requester__username", "government__name", "province__name"]
    date_hierarchy = "created"
    readonly_fields = [f.name for f in ReportFile._meta.fields if f.name != "file"]
    exclude = ["file"]
    show_full_result_count = False

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.scope_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
