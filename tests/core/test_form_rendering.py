"""The site's form components: the field template behind `as_field_group` (FORM_RENDERER) and
the errors of a form as a whole."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.test.html import parse_html


class Sample(forms.Form):
    name = forms.CharField(label="Name", help_text="Who writes")
    public = forms.BooleanField(label="Public", required=False, help_text="Shown to everyone")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Saved by someone else meanwhile.")


def same_html(a: str, b: str) -> bool:
    return parse_html(a) == parse_html(b)


def test_a_field_group_is_label_widget_help_and_errors_in_a_paragraph():
    form = Sample(data={"version": "3"})
    assert not form.is_valid()
    assert same_html(
        form["name"].as_field_group(),
        '<p><label for="id_name">Name:</label>'
        '<input type="text" name="name" required aria-invalid="true"'
        ' aria-describedby="id_name_helptext id_name_error" id="id_name">'
        '<span class="helptext" id="id_name_helptext">Who writes</span>'
        '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul></p>',
    )


def test_a_checkbox_stands_inside_its_label_and_a_hidden_field_alone():
    form = Sample(initial={"public": True, "version": 3})
    assert same_html(
        form["public"].as_field_group(),
        '<p><label><input type="checkbox" name="public" aria-describedby="id_public_helptext"'
        ' id="id_public" checked> Public</label>'
        '<span class="helptext" id="id_public_helptext">Shown to everyone</span></p>',
    )
    assert same_html(form["version"].as_field_group(), '<input type="hidden" name="version" value="3" id="id_version">')


def test_errors_of_the_form_as_a_whole_are_announced():
    form = Sample(data={"name": "Ana", "version": "3"})
    assert not form.is_valid()
    html = render_to_string("components/form_errors.html", {"form": form})
    assert same_html(html, '<ul class="errorlist nonfield" role="alert"><li>Saved by someone else meanwhile.</li></ul>')
    assert render_to_string("components/form_errors.html", {"form": Sample()}).strip() == ""


def test_date_and_time_pickers_get_iso_values_in_indonesian_too(client, users, governments):
    """A walk through the pages in Bahasa Indonesia found edit forms showing an empty date (the
    browser rejects "01-01-1960"), so saving unchanged erased it; office hours could not be saved."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import translation

    from kembar.meetings.forms import OfficeHoursForm
    from kembar.partnerships.services import create_partnership

    partnership = create_partnership(
        users["platform_admin"], governments["bandung"], governments["surabaya"], since=dt.date(1960, 1, 1)
    )
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("partnerships:edit", args=[partnership.pk]), HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert 'lang="id"' in html
    assert 'type="date" name="since" value="1960-01-01"' in html
    with translation.override("id"):
        form = OfficeHoursForm(initial={"start": dt.time(8), "end": dt.time(16)})
        assert 'value="08:00"' in str(form["start"]) and 'value="16:00"' in str(form["end"])


def test_the_fast_select_writes_djangos_markup():
    """kembar.core.widgets.Select writes its options in Python: the same HTML as Django's
    template-rendered select, with the choice selected, groups, escaping and lazy labels."""
    from django.utils.translation import gettext_lazy

    from kembar.core.widgets import Select

    choices = [
        ("", gettext_lazy("All countries")),
        ("ID", "Indonesia"),
        ("X&Y", 'Trinidad & "Tobago" <b>'),
        ("Asia", [("JP", "Japan"), ("KR", "Korea")]),
    ]
    for value in ("", "ID", "KR", "X&Y", None):
        attrs = {"id": "id_country", "required": True, "data-off": False}
        expected = forms.Select(choices=choices).render("country", value, attrs=dict(attrs))
        assert same_html(Select(choices=choices).render("country", value, attrs=dict(attrs)), expected), value
    field = forms.ChoiceField(choices=choices, widget=Select)
    assert '<option value="KR" selected>Korea</option>' in field.widget.render("country", "KR")
