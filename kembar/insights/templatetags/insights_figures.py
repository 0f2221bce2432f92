"""`{% chart_figure figure category_header open=True %}`: a chart of the analytics pages with the
table of its figures (insights/_figure.html), rendered once per process for the same data,
header and language. The whole-platform pivot's table has a row per quarter since the first
activity (~150 rows, ~1,200 numbers formatted one by one): rendering it was a third of the page."""

from collections import OrderedDict
from threading import Lock

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

register = template.Library()

KEPT = 256  # figures each process remembers, the least recently used dropped first
_rendered: OrderedDict[tuple, str] = OrderedDict()
_lock = Lock()


@register.simple_tag
def chart_figure(figure: dict, category_header, open: bool = False) -> str:
    key = (
        figure["key"],
        str(category_header),
        bool(open),
        translation.get_language(),
        settings.USE_THOUSAND_SEPARATOR,
    )
    with _lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    html = render_to_string(
        "insights/_figure.html", {"figure": figure, "category_header": category_header, "open": open}
    )
    with _lock:
        _rendered[key] = html
        while len(_rendered) > KEPT:
            _rendered.popitem(last=False)
    return html
