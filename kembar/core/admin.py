from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import mail
from .models import OutgoingMail, SentReminder


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


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The mail queue: what waits for the mail server, what failed and why; failed mails can be
    sent again (kembar.core.mail)."""

    list_display = ["subject", "recipients", "status", "attempts", "next_attempt_at", "created", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created"
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["send_again"]
    show_full_result_count = False

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.action(description=_("Send the selected failed e-mails again"))
    def send_again(self, request, queryset):
        count = mail.send_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d e-mail is back in the queue.", "%(count)d e-mails are back in the queue.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
