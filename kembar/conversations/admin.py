from django.contrib import admin

from .models import Conversation, Message, MessageAttachment, NotificationChoice


class AttachmentInline(admin.TabularInline):
    model = MessageAttachment
    extra = 0
    fields = ["name", "content_type", "size", "uploaded"]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "partnership", "author", "government", "created"]
    list_select_related = ["partnership__government_a", "partnership__government_b", "author", "government"]
    raw_id_fields = ["partnership", "author", "government"]
    search_fields = ["body"]
    date_hierarchy = "created"
    inlines = [AttachmentInline]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["partnership", "shared_with_oversight", "shared_by", "shared_changed"]
    list_select_related = ["partnership__government_a", "partnership__government_b", "shared_by"]
    raw_id_fields = ["partnership", "shared_by"]


@admin.register(NotificationChoice)
class NotificationChoiceAdmin(admin.ModelAdmin):
    list_display = ["user", "delivery"]
    raw_id_fields = ["user"]
