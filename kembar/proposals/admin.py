from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Decision, Proposal, ProposalDocument


class DocumentInline(admin.TabularInline):
    model = ProposalDocument
    extra = 0
    fields = ["kind", "name", "content_type", "size", "uploaded"]
    readonly_fields = fields
    can_delete = False


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["kind", "message", "decided_by", "created"]
    readonly_fields = fields
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    """Read, and remove spam; proposals come from the public page and are decided in the office's
    inbox (the decisions mail the proposer)."""

    list_display = ["organisation_name", "country_code", "government", "state", "created"]
    list_filter = ["state", "country_code"]
    search_fields = ["organisation_name", "contact_name", "email", "government__name"]
    raw_id_fields = ["government", "proposer_government", "partnership", "invitation"]
    readonly_fields = ["state", "created", "updated", "proposer_government", "partnership", "invitation"]
    inlines = [DocumentInline, DecisionInline]

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["proposal", "kind", "decided_by", "created"]
    list_filter = ["kind"]
    raw_id_fields = ["proposal", "decided_by"]
    readonly_fields = ["proposal", "kind", "message", "decided_by", "created"]

    def has_add_permission(self, request):
        return False
