from django import template

from kembar.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def plans_readable(context, partnership) -> bool:
    """Does the page's user read this partnership's plans and money (its offices, oversight)."""
    user = context.get("user")
    return permissions.can_read_plans(user, (partnership.government_a_id, partnership.government_b_id))


@register.simple_tag(takes_context=True)
def money_url(context, record) -> str:
    """The money page of an activity, aid shipment or pilot, for those who read its money; else ""."""
    from django.urls import reverse

    from kembar.plans import services

    if not services.can_read(context.get("user"), record):
        return ""
    name = {"Activity": "activity_money", "AidShipment": "aid_money", "Pilot": "pilot_money"}[type(record).__name__]
    return reverse(f"plans:{name}", args=[record.pk])
