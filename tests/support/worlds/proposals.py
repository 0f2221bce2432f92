"""Proposals of the permission sweep's world (tests/test_permission_sweep.py): one from outside
waiting in Bandung's inbox, with a letter; anyone, signed in or not, may send one more on
Bandung's public page (by design), and only Bandung's office reads its inbox."""

from __future__ import annotations

from kembar.proposals import services
from tests.support.files import pdf_bytes, upload


def _form() -> dict:
    return {
        "organisation_name": "Suwon",
        "country_code": "KR",
        "contact_name": "Kim Min-ji",
        "email": "minji@suwon.go.kr",
        "fields": ["smart_city"],
        "plan": "A smart-city exchange.",
    }


def sweep_world(w) -> None:
    w.proposal = services.submit(
        w.governments["bandung"], address="192.0.2.1", language="en", letter=upload("surat.pdf", pdf_bytes()), **_form()
    )
    w.proposal_document = w.proposal.documents.get()


def _version(w) -> int:
    return type(w.proposal).objects.get(pk=w.proposal.pk).version


PROPOSE = "governments/<int:government_id>/propose/"

PATH_VALUES = {
    ("proposals", "proposal_id"): lambda w: [w.proposal.pk],
}

# Bandung's office takes proposals; Busan has none, so its page is a 404 (a GET of the sent
# page covers it through the generic government_id).
ROUTE_URLS = {
    PROPOSE: lambda w: [f"/governments/{w.governments['bandung'].pk}/propose/"],
    "office/<int:organisation_id>/proposals/<int:proposal_id>/documents/<int:document_id>/": lambda w: [
        f"/office/{w.orgs['bandung'].pk}/proposals/{w.proposal.pk}/documents/{w.proposal_document.pk}/"
    ],
}

PAGE_BODIES = {
    PROPOSE: lambda w, url: _form(),
    "office/<int:organisation_id>/proposals/<int:proposal_id>/accept/": lambda w, url: {
        "accept-version": _version(w),
        "accept-government": w.governments["kyoto"].pk,
        "accept-message": "Welcome",
    },
    "office/<int:organisation_id>/proposals/<int:proposal_id>/ask/": lambda w, url: {
        "ask-version": _version(w),
        "ask-message": "More?",
    },
    "office/<int:organisation_id>/proposals/<int:proposal_id>/decline/": lambda w, url: {
        "decline-version": _version(w),
        "decline-reason": "No.",
    },
}

API_BODIES = {
    ("post", "/api/proposals/{proposal_id}/accept"): lambda w, kw: {
        "version": _version(w),
        "government_id": w.governments["kyoto"].pk,
    },
    ("post", "/api/proposals/{proposal_id}/ask"): lambda w, kw: {"version": _version(w), "message": "More?"},
    ("post", "/api/proposals/{proposal_id}/decline"): lambda w, kw: {"version": _version(w), "reason": "No."},
}

# Anyone may propose cooperation on a government's public page, without an account: the proposal
# and the two mails (the proposer's receipt, the office's notice).
ALLOWED_BY_DESIGN = {
    (principal, "post", PROPOSE): "anyone proposes cooperation on a government's public page (kembar.proposals)"
    for principal in ("anonymous", "partner_viewer", "unrelated_editor", "oversight", "other_province")
}
ALLOWED_BY_DESIGN_CHANGES = {
    ("post", PROPOSE): {"proposals.Proposal", "proposals.HistoricalProposal", "core.OutgoingMail"},
}
