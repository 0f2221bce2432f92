"""Selects are built in Python (kembar/core/rendering.py) with exactly the markup of Django's own
widget templates, which a country select with 250 options made slow to render."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from kembar.core.rendering import FormRenderer

COUNTRIES = [("", "All countries"), ("ID", "Indonesia"), ("JP", "Japan"), ("X&Y", 'A "quoted" <name>')]
GROUPED = [("Asia", [("ID", "Indonesia"), ("JP", "Japan")]), ("Europe", [("DE", "Germany")]), ("", "None")]


class Example(forms.Form):
    country = forms.ChoiceField(choices=COUNTRIES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED, widget=forms.Select(attrs={"data-x": "1", "disabled": True}))
    many = forms.MultipleChoiceField(choices=COUNTRIES[1:], required=False)
    number = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int)


@pytest.mark.parametrize("data", [{}, {"country": "X&Y", "grouped": "JP", "many": ["ID", "JP"], "number": "2"}])
@pytest.mark.parametrize("field", ["country", "grouped", "many", "number"])
def test_same_markup_as_djangos_templates(field, data):
    ours = Example(data or None, renderer=FormRenderer())[field].as_widget()
    django = Example(data or None, renderer=DjangoTemplates())[field].as_widget()
    assert ours == django
    assert "<option" in ours


def test_an_option_label_is_escaped():
    html = Example(renderer=FormRenderer())["country"].as_widget()
    assert "A &quot;quoted&quot; &lt;name&gt;" in html and 'value="X&amp;Y"' in html


def test_the_site_renderer_builds_selects_without_templates(monkeypatch):
    from kembar.core import rendering

    built = []
    monkeypatch.setattr(rendering, "render_select", lambda widget: built.append(widget["name"]) or "<select>")
    assert Example(renderer=FormRenderer())["country"].as_widget() == "<select>"
    assert built == ["country"]
