from django import template

from kembar.matching import services

register = template.Library()


@register.inclusion_tag("matching/_government_requests.html")
def matching_requests(government):
    """Published partner requests that fit this government (see services.matching_requests)."""
    return {"requests": services.matching_requests(government), "government": government}
