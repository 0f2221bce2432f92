from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Invitation


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """Read and withdraw; invitations are made on the office page, by the API or `kembar invite`
    (the link exists only when it is made)."""

    list_display = ["email", "government", "office", "role", "created", "expires", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "government__name"]
    raw_id_fields = ["government", "office", "partnership", "inviting_office", "invited_by", "accepted_by"]
    readonly_fields = ["created", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False
