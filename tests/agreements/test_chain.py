"""The national chain: each stage is done by its party (Bandung's office, Jawa Barat's bureau,
Kemendagri, Kemlu), who approves, returns with notes or rejects; queues with days waiting;
oversight reads only its scope; an overdue stage reminds the party it waits for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kembar.accounts import permissions
from kembar.agreements import reminders, services
from kembar.agreements.models import Agreement, AgreementStage, ProcedureTemplate, StageTransition
from kembar.partnerships import services as partnership_services
from tests.support.clients import logged_in
from tests.support.files import pdf_bytes, upload
from tests.support.queries import assert_constant_queries
from tests.support.worlds import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_national_body_on_the_platform():
    """Here Kemendagri covers Indonesia (the conftest's fixture takes that away elsewhere)."""


@pytest.fixture
def cast(orgs, users):
    return chain.build(orgs, users)


@pytest.fixture
def partnership(governments, users):
    return partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], public=False, status="proposed"
    )


def new_mou(partnership, users, title="MoU Bandung–Braunschweig") -> Agreement:
    return services.create_agreement(
        users["bandung_editor"],
        partnership,
        template=ProcedureTemplate.objects.get(code="ksdpl"),
        title=title,
        kind="mou",
    )


def code(agreement) -> str:
    return AgreementStage.objects.get(agreement=agreement, status="active").template_stage.code


def complete(user, agreement, **extra) -> Agreement:
    """`user` uploads the active stage's evidence and approves it."""
    stage = AgreementStage.objects.get(agreement=agreement, status="active")
    services.upload_document(user, stage, upload(f"{stage.template_stage.code}.pdf", pdf_bytes()))
    return services.advance(user, Agreement.objects.get(pk=agreement.pk), **extra)


def walk_to(agreement, users, stage: str) -> Agreement:
    """Complete stages, each by its owner, until `stage` is in progress."""
    by_owner = {
        "office": "bandung_editor",
        "dprd": "bandung_editor",
        "province": "jabar_editor",
        "kemendagri": "kemendagri_editor",
        "kemlu": "kemlu_editor",
    }
    if agreement.status == "draft":
        agreement = services.advance(users["bandung_editor"], agreement)
    while code(agreement) != stage:
        owner = AgreementStage.objects.get(agreement=agreement, status="active").template_stage.owner
        agreement = complete(users[by_owner[owner]], agreement)
    return agreement


def test_the_shipped_ksdpl_stages_name_their_parties():
    owners = dict(ProcedureTemplate.objects.get(code="ksdpl").stages.values_list("code", "owner"))
    assert owners["submission"] == "province"
    assert owners["assessment"] == "kemendagri"
    assert owners["dprd_approval"] == "dprd"
    assert owners["full_power"] == "kemlu"
    assert owners["exploration"] == owners["signing"] == "office"


def test_each_party_acts_only_on_its_own_stage(cast, partnership):
    users = cast
    agreement = walk_to(new_mou(partnership, users), users, "submission")
    # The governor's stage: Jawa Barat's bureau, not the office, another province, or a ministry.
    for outsider in ("bandung_editor", "jatim_editor", "kemendagri_editor", "kemlu_editor", "oversight"):
        with pytest.raises(PermissionDenied):
            services.advance(users[outsider], agreement)
        stage = AgreementStage.objects.get(agreement=agreement, status="active")
        with pytest.raises(PermissionDenied):
            services.upload_document(users[outsider], stage, upload("x.pdf", pdf_bytes()))
    agreement = complete(users["jabar_editor"], agreement)
    assert code(agreement) == "assessment"
    for outsider in ("bandung_editor", "jabar_editor", "kemlu_editor"):
        with pytest.raises(PermissionDenied):
            services.advance(users[outsider], agreement)
    agreement = complete(users["kemendagri_editor"], agreement)
    agreement = walk_to(agreement, users, "full_power")
    with pytest.raises(PermissionDenied):
        services.advance(users["kemendagri_editor"], agreement)
    agreement = complete(users["kemlu_editor"], agreement)
    agreement = complete(users["bandung_editor"], agreement, signed_on=timezone.now().date(), validity_years=5)
    assert agreement.status == "signed"
    movers = list(
        StageTransition.objects.filter(agreement=agreement, action="advance")
        .order_by("at", "id")
        .values_list("from_stage__template_stage__code", "user__username")
    )
    assert ("submission", "jabar_editor") in movers
    assert ("assessment", "kemendagri_editor") in movers
    assert ("full_power", "kemlu_editor") in movers


def test_a_returned_stage_goes_back_to_the_previous_party_with_its_notes(cast, partnership, client):
    users = cast
    agreement = walk_to(new_mou(partnership, users), users, "assessment")
    with pytest.raises(PermissionDenied):
        services.go_back(users["bandung_editor"], agreement, reason="not yours")
    agreement = services.go_back(
        users["kemendagri_editor"], agreement, reason="The cooperation plan lacks a budget table."
    )
    assert code(agreement) == "submission"
    waiting = list(services.waiting_for(users["jabar_editor"]))
    assert [s.template_stage.code for s in waiting] == ["submission"]
    page = logged_in(client, users, "jabar_editor").get(agreement.get_absolute_url()).content.decode()
    assert "data-returned-notes" in page and "The cooperation plan lacks a budget table." in page
    # Sent on again, the assessment is Kemendagri's once more, and the notes are no longer shown.
    agreement = complete(users["jabar_editor"], agreement)
    assert code(agreement) == "assessment"
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "data-returned-notes" not in page


def test_the_party_of_the_stage_rejects_the_agreement(cast, partnership, api):
    users = cast
    agreement = walk_to(new_mou(partnership, users), users, "full_power")
    response = api(
        "post",
        f"/api/agreements/{agreement.pk}/reject",
        body={"version": agreement.version, "reason": "x"},
        as_="kemendagri_editor",
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    response = api(
        "post",
        f"/api/agreements/{agreement.pk}/reject",
        body={"version": agreement.version, "reason": "The partner is not a regional government."},
        as_="kemlu_editor",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    rejection = StageTransition.objects.get(agreement=agreement, action="reject")
    assert rejection.from_stage.template_stage.code == "full_power"
    assert rejection.reason == "The partner is not a regional government."


def test_queues_list_what_waits_with_days_waiting(cast, partnership, client):
    users = cast
    agreement = walk_to(new_mou(partnership, users), users, "submission")
    AgreementStage.objects.filter(agreement=agreement, status="active").update(
        started_at=timezone.now() - dt.timedelta(days=40)
    )
    [stage] = services.waiting_for(users["jabar_editor"])
    assert (services.days_waiting(stage), services.is_overdue(stage)) == (40, True)
    assert list(services.waiting_for(users["jatim_editor"])) == []
    assert list(services.waiting_for(users["kemendagri_editor"])) == []
    # The office sees where its agreement waits and for how long.
    [elsewhere] = services.waiting_elsewhere(users["bandung_editor"])
    assert elsewhere.pk == stage.pk
    page = logged_in(client, users, "bandung_editor").get("/agreements/queue/").content.decode()
    assert 'data-queue="elsewhere"' in page and "The provincial government (governor)" in page
    page = logged_in(client, users, "jabar_editor").get("/agreements/queue/").content.decode()
    assert 'data-queue="mine"' in page and agreement.title in page and ">40" in page


def test_the_oversight_queue_api(cast, partnership, api):
    users = cast
    agreement = walk_to(new_mou(partnership, users), users, "assessment")
    response = api("get", "/api/oversight/queue", as_="kemendagri_editor")
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert (row["agreement_id"], row["stage"], row["owner"], row["days_waiting"], row["expected_days"]) == (
        agreement.pk,
        "assessment",
        "kemendagri",
        0,
        60,
    )
    assert row["overdue"] is False
    # A city editor: empty by rule (its own stages are on its queue page); Kemlu: nothing yet.
    for caller in ("bandung_editor", "surabaya_editor", "kemlu_editor", "jabar_editor", "oversight"):
        assert api("get", "/api/oversight/queue", as_=caller).json()["items"] == [], caller
    assert api("get", "/api/oversight/queue").json()["items"] == []  # a visitor: empty by rule


def test_the_queue_pages_and_api_have_a_constant_query_count(cast, governments, client, api):
    users = cast
    partners = [governments[k] for k in ("braunschweig", "kyoto", "busan", "liverpool")]

    def waiting(partner, at: str):
        p = partnership_services.create_partnership(users["platform_admin"], governments["bandung"], partner)
        walk_to(new_mou(p, users, title=f"MoU Bandung–{partner.name}"), users, at)

    waiting(partners[0], "submission")
    waiting(partners[1], "assessment")
    with assert_constant_queries() as queries:
        for who in ("jabar_editor", "bandung_editor"):
            logged_in(client, users, who).get("/agreements/queue/")
            with queries.few(who):
                assert client.get("/agreements/queue/").status_code == 200
            with queries.few(f"{who} list"):
                assert client.get("/agreements/").status_code == 200
        api("get", "/api/oversight/queue", as_="kemendagri_editor")  # issues the token
        with queries.few("api"):
            assert api("get", "/api/oversight/queue", as_="kemendagri_editor").status_code == 200
        waiting(partners[2], "submission")
        waiting(partners[3], "assessment")
        for who in ("jabar_editor", "bandung_editor"):
            logged_in(client, users, who)
            with queries.many(who):
                assert client.get("/agreements/queue/").status_code == 200
            with queries.many(f"{who} list"):
                assert client.get("/agreements/").status_code == 200
        with queries.many("api"):
            assert api("get", "/api/oversight/queue", as_="kemendagri_editor").status_code == 200


def test_oversight_reads_only_its_scope(cast, governments, users, partnership):
    agreement = new_mou(partnership, users)
    abroad = partnership_services.create_partnership(
        users["platform_admin"], governments["kyoto"], governments["braunschweig"], public=False
    )
    visible = lambda who: set(services.visible_agreements(users[who]).values_list("pk", flat=True))  # noqa: E731
    assert agreement.pk in visible("jabar_editor") and agreement.pk in visible("oversight")
    assert agreement.pk not in visible("jatim_editor") and agreement.pk not in visible("surabaya_editor")
    assert permissions.can_view_partnership(users["kemlu_editor"], partnership)
    # Kemendagri reads Indonesia's partnerships, no longer the whole platform.
    assert not permissions.can_view_partnership(users["oversight"], abroad)
    assert permissions.can_view_partnership(users["platform_admin"], abroad)


def test_without_a_body_on_the_platform_the_office_records_its_stage(orgs, users, partnership):
    agreement = services.advance(users["bandung_editor"], new_mou(partnership, users))
    # No provincial bureau for Jawa Barat: the office records the governor's stage for it.
    for _ in ("exploration", "cooperation_plan", "submission"):
        agreement = complete(users["bandung_editor"], agreement)
    assert code(agreement) == "assessment"
    # Kemendagri is on the platform: its stage is its own.
    with pytest.raises(PermissionDenied):
        services.advance(users["bandung_editor"], agreement)


def test_an_overdue_stage_reminds_the_party_it_waits_for(cast, partnership):
    users = cast
    users["jabar_editor"].email = "kerjasama@jabarprov.go.id"
    users["jabar_editor"].save()
    users["bandung_editor"].email = "ks@bandung.go.id"
    users["bandung_editor"].save()
    agreement = walk_to(new_mou(partnership, users), users, "submission")
    AgreementStage.objects.filter(agreement=agreement, status="active").update(
        started_at=timezone.now() - dt.timedelta(days=31)
    )
    [stuck] = [r for r in reminders.agreement_reminders(timezone.now()) if r.key.startswith("agreement-stage:")]
    assert stuck.recipients == ("kerjasama@jabarprov.go.id",)


def test_the_agreement_list_says_where_each_file_waits_and_for_how_long(cast, users, partnership, client):
    agreement = walk_to(new_mou(partnership, users), users, "assessment")
    AgreementStage.objects.filter(agreement=agreement, status="active").update(
        started_at=timezone.now() - dt.timedelta(days=12)
    )
    logged_in(client, users, "bandung_editor")
    client.cookies["django_language"] = "en"
    page = client.get("/agreements/").content.decode()
    assert "(Kemendagri) · Assessment" in page and "12 days" in page
    page = client.get(f"/agreements/partnerships/{partnership.pk}/").content.decode()
    assert "12 days" in page
