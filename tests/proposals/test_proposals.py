"""Proposals from outside: an anonymous proposal reaches its office's inbox and nobody else's, the
limits by address and by target, the honeypot, refused documents writing nothing, the office's
decisions (each mailed to the proposer) and what accepting creates; the API of the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kembar.conversations.models import Message
from kembar.core.models import OutgoingMail
from kembar.offices.models import Invitation
from kembar.partnerships.models import Partnership
from kembar.proposals import services
from kembar.proposals.models import Decision, Proposal, ProposalDocument
from tests.support.builders import government
from tests.support.files import pdf_bytes, png_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def form(**extra) -> dict:
    data = {
        "organisation_name": "Suwon",
        "country_code": "KR",
        "contact_name": "Kim Min-ji",
        "email": "minji@suwon.go.kr",
        "website": "https://www.suwon.go.kr",
        "fields": ["smart_city", "culture"],
        "plan": "A smart-city exchange: two study visits a year and a joint pilot of flood sensors.",
    }
    data.update(extra)
    return data


def propose_url(gov) -> str:
    return reverse("proposals:propose", args=[gov.pk])


def post(client, gov, address="203.0.113.7", **extra):
    return client.post(propose_url(gov), form(**extra), REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def inbox_url(org) -> str:
    return reverse("proposals:inbox", args=[org.pk])


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def suwon(governments):
    return government("Suwon", "KR")


def submitted(governments, **extra) -> Proposal:
    data = form(**extra)
    return services.submit(governments["bandung"], address="198.51.100.1", language="en", **data)


# --- the public page ---------------------------------------------------------------------------


def test_the_government_page_links_the_proposal_page_only_where_an_office_takes_them(client, governments, orgs):
    page = client.get(reverse("partnerships:government", args=[governments["bandung"].pk])).content.decode()
    assert propose_url(governments["bandung"]) in page
    # Busan has no office on the platform: nobody would read a proposal.
    page = client.get(reverse("partnerships:government", args=[governments["busan"].pk])).content.decode()
    assert "/propose/" not in page
    assert client.get(propose_url(governments["busan"])).status_code == 404


def test_an_anonymous_proposal_reaches_bandungs_inbox_and_nobody_elses(client, governments, orgs, users, settings):
    for role, address in (("bandung_editor", "ks@bandung.go.id"), ("surabaya_editor", "ks@surabaya.go.id")):
        users[role].email = address
        users[role].save()
    response = post(client, governments["bandung"], terms=upload("kak.pdf", pdf_bytes("KAK")))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:sent", args=[governments["bandung"].pk])
    sent = client.get(response["Location"]).content.decode()
    assert "What happens next" in sent

    proposal = Proposal.objects.get()
    assert proposal.government == governments["bandung"] and proposal.state == "new"
    assert proposal.fields == ["smart_city", "culture"] and proposal.language == "en"
    assert proposal.documents.get().kind == "terms"
    assert "203.0.113.7" not in proposal.address_digest
    # The proposer has a receipt; Bandung's editors hear of it.
    receipt = OutgoingMail.objects.get(to=["minji@suwon.go.kr"])
    assert "received" in receipt.subject and "flood sensors" in receipt.body
    # Bandung's editors hear of it in their office's language; Surabaya's hear nothing.
    office_mail = OutgoingMail.objects.exclude(to=["minji@suwon.go.kr"]).get()
    assert office_mail.to == ["ks@bandung.go.id"]
    assert office_mail.subject == "Usulan baru dari Suwon" and "flood sensors" in office_mail.body

    detail = reverse("proposals:detail", args=[orgs["bandung"].pk, proposal.pk])
    for role in ("bandung_editor", "bandung_viewer"):
        client.force_login(users[role])
        assert "Suwon" in client.get(inbox_url(orgs["bandung"])).content.decode()
        assert client.get(detail).status_code == 200
    # Surabaya's editor, an oversight body: not their inbox, not their proposal.
    for role in ("surabaya_editor", "oversight"):
        client.force_login(users[role])
        assert client.get(inbox_url(orgs["bandung"])).status_code == 404
        assert client.get(detail).status_code == 404
    # Nor in Surabaya's own inbox, through Surabaya's office path.
    client.force_login(users["surabaya_editor"])
    assert "Suwon" not in client.get(inbox_url(orgs["surabaya"])).content.decode()
    assert client.get(reverse("proposals:detail", args=[orgs["surabaya"].pk, proposal.pk])).status_code == 404
    client.logout()
    assert client.get(inbox_url(orgs["bandung"])).status_code == 302  # to the login page


def test_a_burst_of_fifty_from_one_address_is_cut_off(client, governments, orgs, settings):
    settings.KEMBAR_PROPOSALS_PER_ADDRESS = 5
    statuses = [post(client, governments["bandung"], address="203.0.113.9").status_code for _ in range(50)]
    assert statuses[:5] == [302] * 5
    assert set(statuses[5:]) == {429}
    assert Proposal.objects.count() == 5
    refused = post(client, governments["bandung"], address="203.0.113.9").content.decode()
    assert "Too many proposals were sent from your network address" in refused
    # Another address still gets through.
    assert post(client, governments["bandung"], address="203.0.113.10").status_code == 302


def test_a_burst_to_one_target_from_many_addresses_is_cut_off(client, governments, orgs, settings):
    settings.KEMBAR_PROPOSALS_PER_TARGET = 10
    statuses = [post(client, governments["bandung"], address=f"198.51.100.{n}").status_code for n in range(30)]
    assert statuses[:10] == [302] * 10
    assert set(statuses[10:]) == {429}
    assert Proposal.objects.filter(government=governments["bandung"]).count() == 10
    # Surabaya's office still takes proposals.
    assert post(client, governments["surabaya"], address="198.51.100.200").status_code == 302


def test_the_limit_forgets_what_is_older_than_its_window(client, governments, orgs, settings):
    settings.KEMBAR_PROPOSALS_PER_ADDRESS = 2
    for _ in range(2):
        assert post(client, governments["bandung"]).status_code == 302
    assert post(client, governments["bandung"]).status_code == 429
    from django.utils import timezone

    Proposal.objects.update(created=timezone.now() - services.limits().window)
    assert post(client, governments["bandung"]).status_code == 302


def test_the_honeypot_keeps_nothing_and_tells_the_robot_all_went_well(client, governments, orgs):
    response = post(client, governments["bandung"], homepage="http://spam.example")
    assert response.status_code == 302
    assert not Proposal.objects.exists() and not OutgoingMail.objects.exists()


@pytest.mark.parametrize(
    "document, message",
    [
        (lambda: upload("kak.pdf", png_bytes()), "its content is"),
        (lambda: upload("kak.exe", b"MZ" + b"\0" * 100), "not an accepted document type"),
        (lambda: upload("kak.pdf", pdf_bytes() + b"\0" * (2 * 1024 * 1024)), "at most 1 MB each"),
    ],
)
def test_a_bad_or_oversize_document_is_refused_with_nothing_written(
    client, governments, orgs, settings, document, message
):
    settings.KEMBAR_PROPOSAL_MAX_DOCUMENT_MB = 1
    response = post(client, governments["bandung"], letter=upload("letter.pdf", pdf_bytes()), terms=document())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.exists() and not ProposalDocument.objects.exists()
    assert not OutgoingMail.objects.exists() and media_files(settings) == []


def test_bad_fields_are_named_and_nothing_is_written(client, governments, orgs):
    response = post(client, governments["bandung"], email="not-an-address", website="javascript:alert(1)", plan="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "website", "plan"} <= set(errors)
    assert not Proposal.objects.exists()


def test_control_characters_are_refused_by_the_service(governments, orgs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        submitted(governments, contact_name="Kim\x1bMin-ji")
    assert "contact_name" in refused.value.message_dict
    assert not Proposal.objects.exists()


# --- deciding ----------------------------------------------------------------------------------


def detail_url(orgs, proposal) -> str:
    return reverse("proposals:detail", args=[orgs["bandung"].pk, proposal.pk])


def decide(client, orgs, proposal, action: str, **data):
    url = reverse(f"proposals:{action}", args=[orgs["bandung"].pk, proposal.pk])
    body = {f"{action}-{k}": v for k, v in {"version": proposal.version, **data}.items()}
    return client.post(url, body)


def test_accepting_makes_the_partnership_its_conversation_and_the_invitation(client, governments, orgs, users, suwon):
    proposal = submitted(governments)
    OutgoingMail.objects.all().delete()
    client.force_login(users["bandung_editor"])
    response = decide(client, orgs, proposal, "accept", message="Welcome! We look forward to it.")
    assert response.status_code == 302, response.content
    proposal.refresh_from_db()
    assert proposal.state == "accepted" and proposal.proposer_government == suwon

    partnership = Partnership.objects.get()
    assert {partnership.government_a, partnership.government_b} == {governments["bandung"], suwon}
    assert partnership.status == "proposed" and not partnership.public
    assert {f.code for f in partnership.fields.all()} == {"smart_city", "culture"}
    assert proposal.partnership == partnership
    opening = Message.objects.get(partnership=partnership)
    assert "flood sensors" in opening.body and opening.author == users["bandung_editor"]

    invitation = Invitation.objects.get()
    assert proposal.invitation == invitation
    assert invitation.email == "minji@suwon.go.kr" and invitation.government == suwon
    assert invitation.partnership == partnership and invitation.role == "admin" and invitation.language == "en"
    mails = OutgoingMail.objects.filter(to=["minji@suwon.go.kr"])
    subjects = sorted(m.subject for m in mails)
    assert any("accepted your proposal" in s for s in subjects)
    assert any("Invitation to kembar" in s for s in subjects)
    decision = Decision.objects.get()
    assert decision.kind == "accept" and decision.decided_by == users["bandung_editor"]
    page = client.get(detail_url(orgs, proposal)).content.decode()
    assert "Welcome! We look forward to it." in page and "Accept the proposal" not in page


def test_a_proposal_sent_in_indonesian_is_answered_in_indonesian(client, governments, orgs, users, suwon):
    proposal = services.submit(governments["bandung"], address="198.51.100.2", language="id", **form())
    client.force_login(users["bandung_editor"])
    assert decide(client, orgs, proposal, "decline", reason="Tidak sesuai prioritas.").status_code == 302
    mail = OutgoingMail.objects.filter(to=["minji@suwon.go.kr"]).order_by("-id").first()
    assert "menolak usulan" in mail.subject and "Tidak sesuai prioritas." in mail.body


def test_asking_for_more_and_declining_mail_the_proposer(client, governments, orgs, users):
    proposal = submitted(governments)
    client.force_login(users["bandung_editor"])
    assert decide(client, orgs, proposal, "ask", message="Please send the draft MoU.").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "more_asked"
    asked = OutgoingMail.objects.filter(to=["minji@suwon.go.kr"], subject__contains="asks for more").get()
    assert "Please send the draft MoU." in asked.body

    assert decide(client, orgs, proposal, "decline", reason="Not a priority this year.").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "declined"
    declined = OutgoingMail.objects.filter(to=["minji@suwon.go.kr"], subject__contains="declined").get()
    assert "Not a priority this year." in declined.body
    assert [d.kind for d in proposal.decisions.all()] == ["ask_more", "decline"]
    assert proposal.history.count() == 3  # received, asked, declined
    # Decided: no further decision, and the form says why.
    response = decide(client, orgs, proposal, "ask", message="Again?")
    assert response.status_code == 400 and "decided already" in response.content.decode()


def test_a_decline_needs_a_reason(client, governments, orgs, users):
    proposal = submitted(governments)
    client.force_login(users["bandung_editor"])
    response = decide(client, orgs, proposal, "decline", reason="")
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.state == "new" and not Decision.objects.exists()


def test_viewers_read_but_do_not_decide_and_others_cannot_reach_it(client, governments, orgs, users):
    proposal = submitted(governments)
    client.force_login(users["bandung_viewer"])
    assert "Accept the proposal" not in client.get(detail_url(orgs, proposal)).content.decode()
    assert decide(client, orgs, proposal, "decline", reason="No").status_code == 403
    client.force_login(users["surabaya_editor"])
    assert decide(client, orgs, proposal, "decline", reason="No").status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == "new"


def test_a_stale_decision_is_refused(client, governments, orgs, users):
    proposal = submitted(governments)
    stale = proposal.version
    services.ask_more(users["bandung_editor"], proposal, expected_version=stale, message="More?")
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("proposals:decline", args=[orgs["bandung"].pk, proposal.pk]),
        {"decline-version": stale, "decline-reason": "No"},
    )
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.state == "more_asked"


def test_accepting_a_proposer_unknown_to_registry_and_gazetteer_asks_to_choose(client, governments, orgs, users):
    proposal = submitted(governments, organisation_name="Nowhere Institute of Things")
    client.force_login(users["bandung_editor"])
    response = decide(client, orgs, proposal, "accept")
    assert response.status_code == 400
    assert "names no government known in" in response.content.decode()
    assert not Partnership.objects.exists() and not Invitation.objects.exists()
    # The office chooses it: Busan.
    response = decide(client, orgs, proposal, "accept", government=governments["busan"].pk)
    assert response.status_code == 302
    assert governments["busan"] in Partnership.objects.get().governments


def test_a_proposer_whose_government_has_an_office_gets_no_invitation(client, governments, orgs, users):
    proposal = submitted(governments, organisation_name="Braunschweig", country_code="DE")
    client.force_login(users["bandung_editor"])
    assert decide(client, orgs, proposal, "accept").status_code == 302
    assert not Invitation.objects.exists()
    proposal.refresh_from_db()
    assert proposal.proposer_government == governments["braunschweig"]
    mail = OutgoingMail.objects.filter(to=["minji@suwon.go.kr"], subject__contains="accepted").get()
    assert "has an office on kembar already" in mail.body


# --- documents, the inbox's query budget -------------------------------------------------------


def test_documents_download_for_the_office_only(client, governments, orgs, users, settings):
    proposal = services.submit(
        governments["bandung"], address="198.51.100.3", language="en", letter=upload("surat.pdf", pdf_bytes()), **form()
    )
    document = proposal.documents.get()
    url = reverse("proposals:document", args=[orgs["bandung"].pk, proposal.pk, document.pk])
    client.force_login(users["bandung_viewer"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(users["surabaya_editor"])
    assert client.get(url).status_code == 404


def test_the_inbox_costs_the_same_queries_for_few_and_many(client, governments, orgs, users):
    client.force_login(users["bandung_viewer"])
    url = inbox_url(orgs["bandung"])
    with assert_constant_queries() as queries:
        submitted(governments)
        client.get(url)
        with queries.few():
            assert client.get(url).status_code == 200
        for n in range(20):
            services.submit(
                governments["bandung"],
                address=f"192.0.2.{n}",
                language="en",
                letter=upload("surat.pdf", pdf_bytes()),
                **form(organisation_name=f"City {n}"),
            )
        with queries.many():
            assert client.get(url).status_code == 200


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_and_decides_for_the_office_only(api, governments, orgs, users):
    proposal = submitted(governments)
    listed = api("get", "/api/proposals", as_="bandung_viewer")
    assert listed.status_code == 200 and [p["id"] for p in listed.json()["items"]] == [proposal.pk]
    assert api("get", "/api/proposals", as_="surabaya_editor").json()["items"] == []
    assert api("get", f"/api/proposals/{proposal.pk}", as_="surabaya_editor").status_code == 404
    assert api("get", f"/api/proposals/{proposal.pk}", as_="oversight").status_code == 404
    body = {"version": proposal.version, "reason": "No."}
    assert api("post", f"/api/proposals/{proposal.pk}/decline", as_="bandung_viewer", body=body).status_code == 403
    assert api("post", f"/api/proposals/{proposal.pk}/decline", as_="surabaya_editor", body=body).status_code == 404
    asked = api(
        "post",
        f"/api/proposals/{proposal.pk}/ask",
        as_="bandung_editor",
        body={"version": proposal.version, "message": "More?"},
    )
    assert asked.status_code == 200 and asked.json()["state"] == "more_asked"
    assert asked.json()["decisions"][0]["kind"] == "ask_more"
    stale = api("post", f"/api/proposals/{proposal.pk}/decline", as_="bandung_editor", body=body)
    assert stale.status_code == 409
    accepted = api(
        "post",
        f"/api/proposals/{proposal.pk}/accept",
        as_="bandung_editor",
        body={"version": asked.json()["version"], "government_id": governments["busan"].pk},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["partnership_id"] and accepted.json()["invitation_id"]


def test_the_api_inbox_costs_the_same_queries_for_few_and_many(api, governments, orgs, users):
    with assert_constant_queries() as queries:
        submitted(governments)
        api("get", "/api/proposals", as_="bandung_viewer")
        with queries.few():
            assert api("get", "/api/proposals", as_="bandung_viewer").status_code == 200
        for n in range(15):
            services.submit(governments["bandung"], address=f"192.0.2.{n}", language="en", **form())
        with queries.many():
            assert api("get", "/api/proposals", as_="bandung_viewer").status_code == 200


@pytest.mark.parametrize(
    "role, reads, decides",
    [
        ("anonymous", False, False),
        ("bandung_viewer", True, False),
        ("bandung_editor", True, True),
        ("surabaya_editor", False, False),
        ("oversight", False, False),
        ("platform_admin", True, True),
    ],
)
def test_who_reads_and_decides_on_bandungs_proposals(governments, orgs, users, role, reads, decides):
    from django.contrib.auth.models import AnonymousUser

    from kembar.accounts import permissions

    proposal = submitted(governments)
    user = AnonymousUser() if role == "anonymous" else users[role]
    assert permissions.can_read_proposals(user, governments["bandung"].pk) is reads
    assert permissions.can_decide_proposal(user, proposal) is decides
    assert (services.proposal_for(user, proposal.pk) is not None) is reads
    assert services.readable(user).filter(pk=proposal.pk).exists() is reads
