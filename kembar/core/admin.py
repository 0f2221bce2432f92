from django.contrib import admin

from .models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """Read-only: the record that keeps `kembar remind` from sending an event twice."""

    list_display = ["key", "sent_at", "subject"]
    search_fields = ["key", "subject", "recipients"]
    date_hierarchy = "sent_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
