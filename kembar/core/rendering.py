"""How forms render: one field template for the whole site (settings.FORM_RENDERER)."""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _e(value) -> str:
    """What `{{ value }}` prints: escaped, unless marked safe (Django's escape is html.escape)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    """django/forms/widgets/select_option.html, with the template file's final newline."""
    return f'\n  <option value="{_e(option["value"])}"{_attrs(option["attrs"])}>{_e(option["label"])}</option>\n'


def render_select(widget: dict) -> str:
    """Django's select.html and select_option.html, the same markup built in Python: a country
    select has some 250 options, and one template include per option cost a list page more than
    its query (docs/benchmarks.md#page-table)."""
    parts = [f'<select name="{_e(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_e(group_name)}">')
        parts.extend(map(_option, options))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the site's field template: `{{ form.x.as_field_group }}`
    renders kembar/core/templates/components/field.html.

    DjangoTemplates rather than TemplatesSetting: its own engine reads django/forms/templates (the
    widgets, unchanged) and every installed app's templates/ folder, so kembar.core's components/
    is found without adding 'django.forms' to INSTALLED_APPS. Templates in the project folder
    (kembar/templates) are not seen by it: a form template belongs in an app's folder.
    """

    field_template_name = "components/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(
            option.get("template_name") == OPTION for _, options, _ in widget["optgroups"] for option in options
        ):
            return render_select(widget)
        return super().render(template_name, context, request)
