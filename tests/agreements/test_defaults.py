"""What a new agreement starts with: the procedure of the office's country (for an Indonesian
office a Letter of Intent on KSDPL's lighter LoI path, then MoUs on the full KSDPL procedure), in
the form and in the API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kembar.agreements import services
from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate
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
    assert (template.code, kind) == ("ksdpl-loi", "loi")
    template, kind = services.default_procedure(users["braunschweig_editor"], partnership)
    assert (template.code, kind) == ("generic", "mou")


def test_once_there_is_a_letter_of_intent_the_next_agreement_is_an_mou(partnership, users):
    editor = users["bandung_editor"]
    first = services.create_agreement(editor, partnership, title="LoI Bandung–Braunschweig")
    assert (first.template.code, first.kind) == ("ksdpl-loi", "loi")
    template, kind = services.default_procedure(editor, partnership)
    assert (template.code, kind) == ("ksdpl", "mou")


def test_the_form_preselects_the_office_procedure(client, partnership, users):
    url = reverse("agreements:create", args=[partnership.pk])
    form = logged_in(client, users, "bandung_editor").get(url).context["form"]
    loi_path = ProcedureTemplate.objects.get(code="ksdpl-loi")
    assert form["template"].value() == loi_path.pk and form["kind"].value() == "loi"
    form = logged_in(client, users, "braunschweig_editor").get(url).context["form"]
    assert form["template"].value() == ProcedureTemplate.objects.get(code="generic").pk
    assert form["kind"].value() == "mou"


def test_the_api_uses_the_same_defaults_and_still_takes_a_choice(api, partnership):
    body = {"partnership_id": partnership.pk, "title": "LoI Bandung–Braunschweig"}
    response = api("post", "/api/agreements", body=body, as_="bandung_editor")
    assert response.status_code == 201, response.content
    assert (response.json()["procedure"], response.json()["kind"]) == ("ksdpl-loi", "loi")
    response = api("post", "/api/agreements", body={**body, "title": "MoU"}, as_="braunschweig_editor")
    assert (response.json()["procedure"], response.json()["kind"]) == ("generic", "mou")
    response = api(
        "post", "/api/agreements", body={**body, "procedure": "generic", "kind": "mou"}, as_="bandung_editor"
    )
    assert (response.json()["procedure"], response.json()["kind"]) == ("generic", "mou")
    assert Agreement.objects.count() == 3


def test_the_letter_of_intent_path_skips_the_dprd_and_the_full_power():
    loi = [s.code for s in ProcedureTemplate.objects.get(code="ksdpl-loi").stages.order_by("position")]
    mou = [s.code for s in ProcedureTemplate.objects.get(code="ksdpl").stages.order_by("position")]
    assert "dprd_approval" in mou and "full_power" in mou
    assert loi == ["exploration", "submission", "consideration", "signing", "implementation"]


def test_a_new_agreement_has_every_stage_of_its_procedure_each_in_the_history_by_its_author(partnership, users):
    editor = users["bandung_editor"]
    agreement = services.create_agreement(editor, partnership, title="LoI Bandung–Braunschweig")
    template_stages = list(agreement.template.stages.order_by("position").values_list("pk", "position"))
    stages = list(agreement.stages.order_by("position"))
    assert [(s.template_stage_id, s.position) for s in stages] == template_stages
    assert {s.status for s in stages} == {"pending"}
    history = AgreementStage.history.filter(agreement_id=agreement.pk)
    assert sorted(history.values_list("id", "history_type", "history_user")) == sorted(
        (s.pk, "+", editor.pk) for s in stages
    )


def test_a_new_agreement_is_written_and_answered_in_a_fixed_number_of_queries(
    api, partnership, django_assert_max_num_queries
):
    """One history record with its fields, its stages in one insert with their history in
    another; the partnership it was created for is not looked up again to know whose pages it
    concerns: the caller (2), the partnership, the procedure and its stages (2), whether an LoI
    exists, the agreement, its fields (2) and its record (3), the stages (2), the transaction (2)
    and the answer (4)."""
    api("get", f"/api/partnerships/{partnership.pk}", as_="bandung_editor")  # the token's first use
    body = {"partnership_id": partnership.pk, "title": "LoI Bandung–Braunschweig", "fields": ["culture"]}
    with django_assert_max_num_queries(20):
        response = api("post", "/api/agreements", body=body, as_="bandung_editor")
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get()
    assert len(response.json()["stages"]) == agreement.stages.count() == 5
    (created,) = agreement.history.all()
    assert created.version == 1 and [f.cooperationfield_id for f in created.fields.all()] == ["culture"]
