from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, AgreementStage, ProcedureTemplate, StageDocument, StageTransition, TemplateStage


class TemplateStageInline(admin.TabularInline):
    model = TemplateStage
    extra = 1
    fields = [
        "position",
        "code",
        "name_en",
        "name_id",
        "evidence_en",
        "evidence_id",
        "evidence_required",
        "expected_days",
        "before_signing",
        "owner",
        "is_signing",
    ]


@admin.register(ProcedureTemplate)
class ProcedureTemplateAdmin(admin.ModelAdmin):
    """Another country's procedure is added here: a template and its ordered stages."""

    list_display = ["code", "name_en", "name_id", "country_code"]
    inlines = [TemplateStageInline]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "signed_on", "ends_on", "partnership"]
    list_filter = ["kind", "status", "template"]
    search_fields = ["title"]
    raw_id_fields = ["partnership", "previous"]
    readonly_fields = ["status"]
    list_select_related = ["partnership__government_a", "partnership__government_b"]


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    """The audit trail of the procedure: read only."""

    list_display = ["agreement", "action", "from_stage", "to_stage", "user", "at"]
    list_select_related = ["agreement", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(AgreementStage, SimpleHistoryAdmin)
admin.site.register(StageDocument, SimpleHistoryAdmin)
