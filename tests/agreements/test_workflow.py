"""Agreements: the procedure as an enforced workflow, dates, concurrent edits, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kembar.agreements import services
from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate, StageDocument, StageTransition
from kembar.agreements.models import AgreementStatus as Status
from kembar.agreements.presenters import audit_trail
from kembar.core.versioning import ConcurrentEdit
from kembar.partnerships import services as partnership_services
from tests.support.files import docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

KSDPL_BEFORE_SIGNING = [
    "exploration",
    "cooperation_plan",
    "submission",
    "assessment",
    "dprd_approval",
    "drafting",
    "full_power",
]


@pytest.fixture
def partnership(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], public=True
    )


@pytest.fixture
def editor(users):
    return users["bandung_editor"]


@pytest.fixture
def agreement(partnership, editor):
    return services.create_agreement(
        editor,
        partnership,
        template=ProcedureTemplate.objects.get(code="ksdpl"),
        title="MoU Bandung–Braunschweig",
        kind="mou",
        fields=["education"],
        languages=["id", "de", "en"],
        validity_years=5,
    )


def active(agreement) -> AgreementStage:
    return agreement.stages.get(status="active")


def evidence(agreement, editor, name="bukti.pdf"):
    return services.upload_document(editor, active(agreement), upload(name, pdf_bytes()))


def walk_to_signing(agreement, editor) -> Agreement:
    agreement = services.advance(editor, agreement)
    for _ in KSDPL_BEFORE_SIGNING:
        evidence(agreement, editor)
        agreement = services.advance(editor, agreement, expected_version=agreement.version)
    return agreement


def test_the_shipped_procedures_are_data_in_both_languages():
    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    stages = list(ksdpl.stages.order_by("position"))
    assert [s.code for s in stages] == KSDPL_BEFORE_SIGNING + [
        "signing",
        "implementation",
        "reporting",
        "evaluation",
        "renewal_or_termination",
    ]
    assert all(s.name_en and s.name_id for s in stages)
    assert [s.code for s in stages if s.is_signing] == ["signing"]
    assert [s.code for s in stages if s.before_signing] == KSDPL_BEFORE_SIGNING
    generic = ProcedureTemplate.objects.get(code="generic")
    assert [s.code for s in generic.stages.order_by("position")] == ["council_approval", "signing", "implementation"]


def test_a_new_agreement_is_a_draft_with_the_stages_of_its_procedure(agreement):
    assert agreement.status == Status.DRAFT and agreement.current_status() == Status.DRAFT
    assert agreement.stages.count() == 12 and not agreement.stages.exclude(status="pending").exists()
    assert agreement.ends_on is None  # nothing to count from before signing


def test_walk_from_exploration_to_signed_then_in_force(agreement, editor):
    agreement = services.advance(editor, agreement)
    assert agreement.status == Status.IN_PROCEDURE and active(agreement).template_stage.code == "exploration"
    for code in KSDPL_BEFORE_SIGNING:
        assert active(agreement).template_stage.code == code
        evidence(agreement, editor)
        agreement = services.advance(editor, agreement, expected_version=agreement.version)
    assert active(agreement).template_stage.code == "signing"
    evidence(agreement, editor, "naskah_ditandatangani.pdf")
    signed = dt.date.today() - dt.timedelta(days=10)
    agreement = services.advance(editor, agreement, signed_on=signed, validity_years=5)
    assert agreement.status == Status.SIGNED and agreement.signed_on == signed
    assert agreement.ends_on == signed.replace(year=signed.year + 5)
    assert agreement.current_status() == Status.IN_FORCE
    assert agreement.current_status(agreement.ends_on + dt.timedelta(days=1)) == Status.EXPIRED
    assert active(agreement).template_stage.code == "implementation"
    # Every move recorded, with who and the evidence.
    transitions = list(agreement.transitions.order_by("at", "id"))
    assert [t.action for t in transitions] == ["start"] + ["advance"] * 8
    assert all(t.user == editor for t in transitions)
    assert all(t.evidence.count() == 1 for t in transitions[1:])


def test_a_stage_needing_evidence_cannot_be_completed_without_it(agreement, editor):
    agreement = services.advance(editor, agreement)
    with pytest.raises(ValidationError) as error:
        services.advance(editor, agreement, expected_version=agreement.version)
    assert "without its evidence" in str(error.value) and "Exploration" in str(error.value)
    assert active(agreement).template_stage.code == "exploration"
    assert agreement.transitions.count() == 1


def test_a_stage_without_required_evidence_advances(partnership, editor):
    agreement = services.create_agreement(
        editor, partnership, template=ProcedureTemplate.objects.get(code="generic"), title="MoU", kind="mou"
    )
    agreement = services.advance(editor, agreement)
    evidence(agreement, editor)
    agreement = services.advance(editor, agreement)
    evidence(agreement, editor)
    agreement = services.advance(editor, agreement, signed_on=dt.date.today(), validity_years=3)
    assert active(agreement).template_stage.code == "implementation"
    agreement = services.advance(editor, agreement)  # implementation needs no document
    assert not agreement.stages.filter(status="active").exists()
    with pytest.raises(ValidationError, match="Every stage"):
        services.advance(editor, agreement)


def test_signing_needs_a_date_that_is_not_in_the_future(agreement, editor):
    agreement = walk_to_signing(agreement, editor)
    evidence(agreement, editor)
    with pytest.raises(ValidationError) as error:
        services.advance(editor, agreement)
    assert error.value.message_dict == {"signed_on": ["Give the date the agreement was signed."]}
    with pytest.raises(ValidationError) as error:
        services.advance(editor, agreement, signed_on=dt.date.today() + dt.timedelta(days=30))
    assert error.value.message_dict == {"signed_on": ["The signing date cannot be in the future."]}
    agreement.refresh_from_db()
    assert agreement.status == Status.IN_PROCEDURE and agreement.signed_on is None
    assert active(agreement).template_stage.code == "signing"


def test_cannot_be_signed_before_the_stages_that_precede_signing(agreement, editor):
    agreement = walk_to_signing(agreement, editor)
    # Someone reopened a pre-signing stage behind the workflow's back (e.g. in the admin).
    AgreementStage.objects.filter(agreement=agreement, template_stage__code="dprd_approval").update(status="pending")
    evidence(agreement, editor)
    with pytest.raises(ValidationError, match="cannot be signed before.*DPRD"):
        services.advance(editor, agreement, signed_on=dt.date.today())
    agreement.refresh_from_db()
    assert agreement.status == Status.IN_PROCEDURE


def test_end_before_start_and_effective_before_signing_are_refused(agreement, editor):
    agreement = walk_to_signing(agreement, editor)
    evidence(agreement, editor)
    signed = dt.date(2024, 3, 1)
    agreement = services.advance(editor, agreement, signed_on=signed, validity_years=None)
    agreement = services.update_agreement(editor, agreement, validity_years=None, ends_on=dt.date(2029, 3, 1))
    assert agreement.ends_on == dt.date(2029, 3, 1)
    with pytest.raises(ValidationError) as error:
        services.update_agreement(editor, agreement, validity_years=None, ends_on=dt.date(2024, 1, 1))
    assert "end date must be after the start" in error.value.message_dict["ends_on"][0]
    with pytest.raises(ValidationError) as error:
        services.update_agreement(editor, agreement, effective_on=dt.date(2024, 2, 1))
    assert "effect before it is signed" in error.value.message_dict["effective_on"][0]
    agreement.refresh_from_db()
    assert agreement.ends_on == dt.date(2029, 3, 1) and agreement.effective_on is None


def test_a_signing_date_cannot_be_set_outside_the_procedure(agreement, editor):
    with pytest.raises(ValidationError) as error:
        services.update_agreement(editor, agreement, signed_on=dt.date(2024, 1, 1))
    assert "signing stage" in error.value.message_dict["signed_on"][0]


def test_going_back_needs_a_reason_and_is_recorded(agreement, editor):
    agreement = services.advance(editor, agreement)
    evidence(agreement, editor)
    agreement = services.advance(editor, agreement)
    with pytest.raises(ValidationError) as error:
        services.go_back(editor, agreement, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the procedure goes back a stage."]}
    agreement = services.go_back(editor, agreement, reason="The plan needs the DPRD's comments.")
    assert active(agreement).template_stage.code == "exploration"
    assert agreement.stages.get(template_stage__code="cooperation_plan").status == "pending"
    last = agreement.transitions.order_by("-at", "-id").first()
    assert (
        last.action,
        last.reason,
        last.from_stage.template_stage.code,
        last.to_stage.template_stage.code,
        last.user,
    ) == ("back", "The plan needs the DPRD's comments.", "cooperation_plan", "exploration", editor)
    with pytest.raises(ValidationError, match="first stage"):
        services.go_back(editor, agreement, reason="again")


def test_signing_cannot_be_undone_by_going_back(agreement, editor):
    agreement = walk_to_signing(agreement, editor)
    evidence(agreement, editor)
    agreement = services.advance(editor, agreement, signed_on=dt.date.today())
    with pytest.raises(ValidationError, match="signing cannot be undone"):
        services.go_back(editor, agreement, reason="mistake")


def test_a_stale_version_is_refused_and_changes_nothing(agreement, editor, users):
    other = users["braunschweig_editor"]
    seen = agreement.version
    services.update_agreement(other, agreement, expected_version=seen, title="MoU (Braunschweig's wording)")
    for attempt in (
        lambda: services.update_agreement(editor, agreement, expected_version=seen, title="Mine"),
        lambda: services.advance(editor, agreement, expected_version=seen),
        lambda: services.go_back(editor, agreement, expected_version=seen, reason="x"),
    ):
        with pytest.raises(ConcurrentEdit):
            attempt()
    agreement.refresh_from_db()
    assert agreement.title == "MoU (Braunschweig's wording)" and agreement.status == Status.DRAFT
    assert not StageTransition.objects.exists()


def test_only_editors_of_either_partner_change_agreements(agreement, users):
    for role in ("bandung_viewer", "surabaya_editor", "oversight"):
        with pytest.raises(PermissionDenied):
            services.advance(users[role], agreement)
        with pytest.raises(PermissionDenied):
            services.update_agreement(users[role], agreement, title="x")
    assert services.advance(users["braunschweig_editor"], agreement).status == Status.IN_PROCEDURE


def test_documents_have_versions_and_refuse_bad_files(agreement, editor):
    agreement = services.advance(editor, agreement)
    stage = active(agreement)
    first = services.upload_document(editor, stage, upload("LoI.pdf", pdf_bytes()), title="Letter of intent")
    second = services.upload_document(editor, stage, upload("LoI v2.docx", docx_bytes()), title="Letter of intent")
    assert (first.version, second.version) == (1, 2)
    assert second.filename == "LoI_v2.docx" and second.content_type.endswith("wordprocessingml.document")
    assert services.latest_documents(stage) == [second]
    for name, content, message in [
        ("surat.pdf", docx_bytes(), "its content is Word"),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "not a valid PDF"),
        ("script.sh", b"#!/bin/sh\n", "not an accepted document type"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.upload_document(editor, stage, upload(name, content))
    assert StageDocument.objects.count() == 2


def test_terminated_agreements_no_longer_change(agreement, editor):
    agreement = services.terminate(editor, agreement, reason="Partner withdrew")
    assert agreement.status == Status.TERMINATED
    with pytest.raises(ValidationError, match="terminated"):
        services.advance(editor, agreement)


def test_a_recorded_transition_cannot_be_changed(agreement, editor):
    agreement = services.advance(editor, agreement)
    transition = agreement.transitions.get()
    transition.reason = "rewritten"
    with pytest.raises(ValidationError):
        transition.save()
    with pytest.raises(ValidationError):
        transition.delete()


def test_the_audit_trail_shows_who_changed_what_before_and_after(agreement, editor, users):
    agreement = services.update_agreement(
        users["braunschweig_editor"], agreement, title="MoU, revised", fields=["education", "culture"]
    )
    agreement = services.advance(editor, agreement)
    services.upload_document(editor, active(agreement), upload("LoI.pdf", pdf_bytes()), title="Letter of intent")
    trail = audit_trail(agreement)
    title_change = next(e for e in trail if e["type"] == "changed" and any(c["field"] == "title" for c in e["changes"]))
    assert title_change["user"] == users["braunschweig_editor"] and title_change["object"] == "Agreement"
    assert {"field": "title", "old": "MoU Bandung–Braunschweig", "new": "MoU, revised"} in title_change["changes"]
    assert {"field": "fields of cooperation", "old": "Education", "new": "Culture, Education"} in [
        c for e in trail for c in e["changes"]
    ]
    status_change = next(
        e for e in trail if any(c["field"] == "status" for c in e["changes"]) and e["object"] == "Agreement"
    )
    assert {"field": "status", "old": "Draft", "new": "In procedure"} in status_change["changes"]
    stage = next(e for e in trail if e["object"] == "Stage: Exploration" and e["type"] == "changed")
    assert {"field": "status", "old": "Not started", "new": "In progress"} in stage["changes"]
    assert stage["user"] == editor
    document = next(e for e in trail if e["object"].startswith("Document: Letter of intent"))
    assert document["type"] == "created" and document["user"] == editor


# --- what the page may offer: exactly what the services accept --------------------------------


def _walk_to(user, agreement, code: str, signed_on=None):
    """Complete stages (each with a document) until `code` is in progress."""
    agreement = services.advance(user, agreement) if agreement.status == Status.DRAFT else agreement
    while active(agreement).template_stage.code != code:
        services.upload_document(user, active(agreement), upload("e.pdf", pdf_bytes()))
        agreement = services.advance(user, agreement, signed_on=signed_on)
    return agreement


def test_the_allowed_actions_are_the_ones_the_services_accept(agreement, editor, users):
    allowed = services.allowed(editor, agreement)
    assert (allowed.start, allowed.advance, allowed.back, allowed.upload) == (True, False, False, frozenset())
    agreement = services.advance(editor, agreement)
    allowed = services.allowed(editor, agreement)
    # At the first stage, without its evidence: neither forward nor back, and it says why.
    assert (allowed.start, allowed.advance, allowed.back) == (False, False, False)
    assert "cannot be completed without its evidence" in allowed.advance_refusal
    assert allowed.upload == {active(agreement).pk}
    with pytest.raises(ValidationError, match="first stage"):
        services.go_back(editor, agreement, reason="test")
    services.upload_document(editor, active(agreement), upload("LoI.pdf", pdf_bytes()))
    allowed = services.allowed(editor, agreement)
    assert allowed.advance and allowed.advance_refusal == "" and not allowed.back
    agreement = services.advance(editor, agreement)
    assert services.allowed(editor, agreement).back
    # A viewer and an outsider may do nothing.
    for who in (users["bandung_viewer"], users["surabaya_editor"], users["oversight"]):
        assert services.allowed(who, agreement) == services.Allowed()


def test_after_signing_going_back_is_not_offered_and_is_refused(agreement, editor):
    agreement = _walk_to(editor, agreement, "implementation", signed_on=dt.date(2026, 1, 5))
    allowed = services.allowed(editor, agreement)
    assert not allowed.back
    assert allowed.advance and allowed.advance_refusal == ""  # implementation needs no document
    with pytest.raises(ValidationError, match="signing cannot be undone"):
        services.go_back(editor, agreement, reason="changed our minds")


def test_a_terminated_agreement_offers_nothing(agreement, editor):
    agreement = services.advance(editor, agreement)
    agreement = services.terminate(editor, agreement, reason="the partner withdrew")
    assert services.allowed(editor, agreement) == services.Allowed()


# --- a signing makes the partnership active ---------------------------------------------------


@pytest.fixture
def proposed(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["kyoto"], status="proposed", public=True
    )


def _sign(user, agreement, day=dt.date(2026, 3, 2)):
    agreement = services.advance(user, agreement)
    while agreement.status != Status.SIGNED:
        services.upload_document(user, active(agreement), upload("e.pdf", pdf_bytes()))
        agreement = services.advance(user, agreement, signed_on=day)
    return agreement


def test_a_signed_loi_makes_a_proposed_partnership_active(proposed, editor):
    loi = services.create_agreement(
        editor, proposed, template=ProcedureTemplate.objects.get(code="generic"), title="LoI", kind="loi"
    )
    loi = services.advance(editor, loi)
    services.upload_document(editor, active(loi), upload("council.pdf", pdf_bytes()))
    loi = services.advance(editor, loi)  # council approval done: still only proposed
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and loi.activated_partnership is False
    services.upload_document(editor, active(loi), upload("signed.pdf", pdf_bytes()))
    loi = services.advance(editor, loi, signed_on=dt.date(2026, 3, 2))
    proposed.refresh_from_db()
    assert loi.status == Status.SIGNED and loi.activated_partnership is True
    assert proposed.status == "active"
    assert proposed.history.first().history_user == editor  # credited, in the partnership's history


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database, not rows")
def test_a_step_of_the_procedure_holds_its_partnership_until_it_is_saved(proposed, editor):
    """Signing activates a proposed partnership: the partnership is locked with the agreement, so
    an office's change of its status in between waits instead of being overwritten."""
    loi = services.create_agreement(
        editor, proposed, template=ProcedureTemplate.objects.get(code="generic"), title="LoI", kind="loi"
    )
    with CaptureQueriesContext(connection) as captured:
        services.advance(editor, loi)
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locks[0].endswith('FOR UPDATE OF "agreements_agreement", "partnerships_partnership"')


def test_a_signing_leaves_a_suspended_partnership_as_it_is(proposed, editor, users):
    partnership_services.update_partnership(users["platform_admin"], proposed, status="suspended")
    loi = services.create_agreement(
        editor, proposed, template=ProcedureTemplate.objects.get(code="generic"), title="LoI", kind="loi"
    )
    loi = _sign(editor, loi)
    proposed.refresh_from_db()
    assert proposed.status == "suspended" and loi.activated_partnership is False


# --- an MoU follows the LoI; a new MoU renews the old one ------------------------------------


def test_an_mou_follows_the_loi_and_a_later_mou_renews_it(partnership, editor):
    generic = ProcedureTemplate.objects.get(code="generic")
    loi = services.create_agreement(editor, partnership, template=generic, title="LoI", kind="loi")
    mou = services.create_agreement(
        editor, partnership, template=generic, title="MoU", kind="mou", previous=loi, relation="follows"
    )
    again = services.create_agreement(
        editor, partnership, template=generic, title="MoU 2031", kind="mou", previous=mou, relation="renews"
    )
    assert (mou.previous, mou.get_relation_display()) == (loi, "Follows")
    assert (again.previous, again.get_relation_display()) == (mou, "Renews")
    assert list(loi.successors.all()) == [mou]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"relation": ""}, "relation", "follows or renews the earlier one"),
        ({"relation": "replaces"}, "relation", "Unknown link"),
        ({"previous": None}, "previous", "Choose the earlier agreement"),
        ({"previous": "self"}, "previous", "cannot follow or renew itself"),
        ({"previous": "other"}, "previous", "same partnership"),
        ({"previous": "later"}, "previous", "already comes after this one"),
    ],
)
def test_a_bad_link_to_an_earlier_agreement_is_refused_naming_the_field(
    partnership, editor, governments, users, change, field, message
):
    generic = ProcedureTemplate.objects.get(code="generic")
    loi = services.create_agreement(editor, partnership, template=generic, title="LoI", kind="loi")
    mou = services.create_agreement(
        editor, partnership, template=generic, title="MoU", previous=loi, relation="follows"
    )
    elsewhere = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["kyoto"]
    )
    other = services.create_agreement(editor, elsewhere, template=generic, title="Kyoto LoI", kind="loi")
    data = {"previous": loi, "relation": "follows", **change}
    data["previous"] = {"self": loi, "other": other, "later": mou}.get(data["previous"], data["previous"])
    with pytest.raises(ValidationError) as refused:
        services.update_agreement(editor, loi, **data)
    assert field in refused.value.message_dict and message in refused.value.message_dict[field][0]
    loi.refresh_from_db()
    assert loi.previous is None and loi.relation == ""
