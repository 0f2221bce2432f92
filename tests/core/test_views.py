"""The views' shared step: a posted form handed to a service (kembar.core.views.submitted)."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from kembar.core.views import filter_values, page_and_query, submitted


class NameForm(forms.Form):
    name = forms.CharField()
    partner = forms.CharField(required=False)


def request(method: str = "post", data: dict | None = None):
    made = getattr(RequestFactory(), method)("/", data or {})
    made.session = SessionStore()
    made._messages = FallbackStorage(made)
    return made


def shown(req) -> list[str]:
    return [str(m) for m in get_messages(req)]


def test_a_valid_post_runs_the_action_and_tells_the_user():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)
    saved = submitted(req, form, lambda: {"saved": form.cleaned_data["name"]}, "Saved.")
    assert saved == {"saved": "Bandung"}
    assert shown(req) == ["Saved."]


def test_the_message_may_be_made_from_what_the_action_returned():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)
    submitted(req, form, lambda: form.cleaned_data["name"], lambda name: f"{name} created.")
    assert shown(req) == ["Bandung created."]


def test_a_refusal_goes_on_its_field_and_nothing_is_announced():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)

    def refuse():
        raise ValidationError({"name": ["Taken."], "elsewhere": ["Not on this form."]})

    assert submitted(req, form, refuse, "Saved.") is None
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not on this form."]
    assert shown(req) == []


def test_a_refusal_without_a_field_goes_on_the_form_as_a_whole():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)

    def refuse():
        raise ValidationError("Someone else changed it.")

    assert submitted(req, form, refuse, "Saved.") is None
    assert form.non_field_errors() == ["Someone else changed it."]


def test_the_service_field_names_map_to_the_form_s():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)

    def refuse():
        raise ValidationError({"partner_id": ["Unknown partner."]})

    assert submitted(req, form, refuse, fields={"partner_id": "partner"}) is None
    assert form.errors["partner"] == ["Unknown partner."]


def test_whole_form_puts_every_message_above_the_fields():
    req = request(data={"name": "Bandung"})
    form = NameForm(req.POST)

    def refuse():
        raise ValidationError({"name": ["Taken."]})

    assert submitted(req, form, refuse, whole_form=True) is None
    assert "name" not in form.errors
    assert form.non_field_errors() == ["Taken."]


def test_an_invalid_form_runs_nothing():
    req = request(data={"name": ""})
    ran = []
    assert submitted(req, NameForm(req.POST), lambda: ran.append(1), "Saved.") is None
    assert ran == [] and shown(req) == []


def test_a_get_shows_the_form_and_runs_nothing():
    req = request("get")
    form = NameForm(None)
    ran = []
    assert submitted(req, form, lambda: ran.append(1), "Saved.") is None
    assert ran == [] and shown(req) == []
    assert not form.is_bound


def test_a_page_of_a_list_and_the_other_parameters_for_its_links():
    req = RequestFactory().get("/", {"q": "kota", "page": "2", "field": "health"})
    page, query = page_and_query(req, list(range(30)), 25)
    assert list(page.object_list) == list(range(25, 30))
    assert query == "q=kota&field=health"


def test_a_filter_form_s_valid_values_apply_and_an_unasked_filter_is_none():
    class Filters(forms.Form):
        q = forms.CharField(required=False)
        year = forms.IntegerField(required=False)

    assert filter_values(Filters({"q": "kota", "year": "soon"})) == {"q": "kota"}
    assert filter_values(Filters(None)) == {}
