from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Milestone, Need, Pilot, Solution, SolutionAttachment


class SolutionAttachmentInline(admin.TabularInline):
    model = SolutionAttachment
    raw_id_fields = ["uploaded_by"]
    extra = 0


class OfferAdmin(SimpleHistoryAdmin):
    """What solutions and needs share: a government's title with fields of cooperation."""

    search_fields = ["title", "government__name"]
    raw_id_fields = ["government"]
    list_select_related = ["government"]
    filter_horizontal = ["fields"]
    show_full_result_count = False


@admin.register(Solution)
class SolutionAdmin(OfferAdmin):
    list_display = ["title", "government", "maturity", "public", "updated"]
    list_filter = ["maturity", "public"]
    inlines = [SolutionAttachmentInline]


@admin.register(Need)
class NeedAdmin(OfferAdmin):
    list_display = ["title", "government", "updated"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Pilot)
class PilotAdmin(SimpleHistoryAdmin):
    list_display = ["solution", "government", "status", "public", "updated"]
    list_filter = ["status", "public"]
    search_fields = ["solution__title", "government__name"]
    raw_id_fields = ["solution", "need", "government", "activity"]
    list_select_related = ["solution", "government"]
    inlines = [MilestoneInline]
    show_full_result_count = False
