"""What a new agreement starts with: the procedure of the office's country (KSDPL and a Letter
of Intent for an Indonesian office), in the form and in the API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kembar.agreements import services
from kembar.agreements.models import Agreement, ProcedureTemplate
from kembar.partnerships import services as partnership_services
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], status="active"
    )


def test_an_indonesian_office_starts_with_ksdpl_and_a_letter_of_intent(partnership, users):
    template, kind = services.default_procedure(users["bandung_editor"], partnership)
    assert (template.code, kind) == ("ksdpl", "loi")
    template, kind = services.default_procedure(users["braunschweig_editor"], partnership)
    assert (template.code, kind) == ("generic", "mou")


def test_once_there_is_a_letter_of_intent_the_next_agreement_is_an_mou(partnership, users):
    editor = users["bandung_editor"]
    first = services.create_agreement(editor, partnership, title="LoI Bandung–Braunschweig")
    assert (first.template.code, first.kind) == ("ksdpl", "loi")
    template, kind = services.default_procedure(editor, partnership)
    assert (template.code, kind) == ("ksdpl", "mou")


def test_the_form_preselects_the_office_procedure(client, partnership, users):
    url = reverse("agreements:create", args=[partnership.pk])
    form = logged_in(client, users, "bandung_editor").get(url).context["form"]
    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    assert form["template"].value() == ksdpl.pk and form["kind"].value() == "loi"
    form = logged_in(client, users, "braunschweig_editor").get(url).context["form"]
    assert form["template"].value() == ProcedureTemplate.objects.get(code="generic").pk
    assert form["kind"].value() == "mou"


def test_the_api_uses_the_same_defaults_and_still_takes_a_choice(api, partnership):
    body = {"partnership_id": partnership.pk, "title": "LoI Bandung–Braunschweig"}
    response = api("post", "/api/agreements", body=body, as_="bandung_editor")
    assert response.status_code == 201, response.content
    assert (response.json()["procedure"], response.json()["kind"]) == ("ksdpl", "loi")
    response = api("post", "/api/agreements", body={**body, "title": "MoU"}, as_="braunschweig_editor")
    assert (response.json()["procedure"], response.json()["kind"]) == ("generic", "mou")
    response = api(
        "post", "/api/agreements", body={**body, "procedure": "generic", "kind": "mou"}, as_="bandung_editor"
    )
    assert (response.json()["procedure"], response.json()["kind"]) == ("generic", "mou")
    assert Agreement.objects.count() == 3
