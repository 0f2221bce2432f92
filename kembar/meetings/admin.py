from django.contrib import admin
from django.db import models

from .models import ActionItem, LibraryItem, Meeting, OfficeHours, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    raw_id_fields = ["government"]
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    raw_id_fields = ["government"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "start", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["partnership", "extra_governments", "created_by"]
    list_select_related = ["partnership__government_a", "partnership__government_b"]
    inlines = [ParticipantInline, ActionItemInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    list_display = ["title", "government", "partnership", "language", "public"]
    list_filter = ["public", "language"]
    search_fields = ["title"]
    raw_id_fields = ["partnership", "government", "created_by"]
    exclude = ["file"]  # uploads go through the library page, where they are checked
    show_full_result_count = False


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["organisation", "start", "end"]
    raw_id_fields = ["organisation"]
