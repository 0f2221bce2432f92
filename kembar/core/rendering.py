"""How forms render: one field template for the whole site (settings.FORM_RENDERER)."""

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the site's field template: `{{ form.x.as_field_group }}`
    renders kembar/core/templates/components/field.html.

    DjangoTemplates rather than TemplatesSetting: its own engine reads django/forms/templates (the
    widgets, unchanged) and every installed app's templates/ folder, so kembar.core's components/
    is found without adding 'django.forms' to INSTALLED_APPS. Templates in the project folder
    (kembar/templates) are not seen by it: a form template belongs in an app's folder.
    """

    field_template_name = "components/field.html"
