"""`{% partnership_health partnership as h %}`: a partnership's health for the page's reader
(the partnership page includes it without its view knowing about insights)."""

from django import template

from kembar.insights.health import score

register = template.Library()


@register.simple_tag(takes_context=True)
def partnership_health(context, partnership):
    return score.health_of(context["request"].user, partnership)
