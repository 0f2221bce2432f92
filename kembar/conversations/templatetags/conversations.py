"""The partnership page's link to its conversation, with the reader's unread count: the page
belongs to the partnerships app, below this one, so it asks here by template tag."""

from django import template

from kembar.accounts import permissions

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def conversation_link(context, partnership) -> dict:
    """{"readable": whether the reader reads the conversation, "unread": their unread messages}."""
    user = context["request"].user
    if not permissions.can_read_conversation(user, partnership):
        return {"readable": False, "unread": 0}
    return {"readable": True, "unread": services.unread_counts(user, [partnership.pk]).get(partnership.pk, 0)}
