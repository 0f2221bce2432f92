"""Rows of grant calls and self-assessments for the permission sweep's world
(tests/test_permission_sweep.py).

A call entered by Bandung's office and one of the platform; Bandung's self-assessment of the
private partnership, whose comment carries the private marker: the partner's viewer and oversight
read it, the unrelated editor does not. Any office's editor may enter a call (by design).
"""

from __future__ import annotations

import datetime as dt
import re

from kembar.grants import services
from kembar.grants.models import GrantCall, SelfAssessment
from kembar.grants.vocab import QUESTION_CODES


def sweep_world(w, private_note: str) -> None:
    admin = w.users["platform_admin"]
    common = dict(
        funder_type="eu",
        description="Sweep call.",
        link="https://example.org/call",
        deadline=dt.date.today() + dt.timedelta(days=40),
        fields=["education"],
    )
    w.grant_calls = [
        services.create_call(admin, office=w.orgs["bandung"], title="Bandung's call", funder_name="EU", **common),
        services.create_call(admin, title="Platform call", funder_name="JICA", **common),
    ]
    answers = {code: {"score": 3} for code in QUESTION_CODES}
    answers["goals_agreed"] = {"score": 2, "comment": f"Only a draft. {private_note}"}
    w.assessment = services.answer_assessment(admin, w.private, w.governments["bandung"].pk, answers)


def _call_version(url: str) -> int:
    return GrantCall.objects.get(pk=int(re.search(r"/grants/(\d+)/", url).group(1))).version


def _call_form(w, url):
    return {
        "title": "SWEEP-OVERWRITE",
        "funder_name": "Sweep Fund",
        "funder_type": "foundation",
        "description": "d",
        "link": "https://example.org/sweep",
        "deadline": "2030-01-01",
        "deadline_zone": "UTC",
        "fields": ["culture"],
        "version": _call_version(url) if "/edit/" in url else "",
    }


def _answer_form(w, url):
    pk = int(re.search(r"/partnerships/(\d+)/", url).group(1))
    government_id = int(re.search(r"/assessment/(\d+)/", url).group(1))
    current = SelfAssessment.objects.filter(partnership_id=pk, government_id=government_id).first()
    body = {f"{code}__score": "5" for code in QUESTION_CODES}
    body["goals_agreed__comment"] = "SWEEP-OVERWRITE"
    body["version"] = current.version if current else ""
    return body


PATH_VALUES = {
    ("grants", "pk"): lambda w: [c.pk for c in w.grant_calls],
    ("calls", "call_id"): lambda w: [c.pk for c in w.grant_calls],
    ("assessment", "government_id"): lambda w: [w.governments["bandung"].pk, w.governments["busan"].pk],
    ("assessments", "assessment_id"): lambda w: [w.assessment.pk],
}

PAGE_BODIES = {
    "grants/new/": _call_form,
    "grants/<int:pk>/edit/": _call_form,
    "grants/partnerships/<int:partnership_id>/assessment/<int:government_id>/": _answer_form,
}


def _other_side(w, kw) -> int:
    """The side of the partnership without an assessment yet (a second one for a side is refused)."""
    p = type(w.private).objects.get(pk=kw["partnership_id"])
    return p.government_b_id if p.government_a_id == w.governments["bandung"].pk else p.government_a_id


API_BODIES = {
    ("post", "/api/grants/calls"): lambda w, kw: {
        "title": "Sweep call",
        "funder_name": "Sweep Fund",
        "funder_type": "foundation",
        "description": "d",
        "link": "https://example.org/sweep",
        "deadline": "2030-01-01",
        "fields": ["culture"],
    },
    ("patch", "/api/grants/calls/{call_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "version": GrantCall.objects.get(pk=kw["call_id"]).version,
    },
    ("post", "/api/grants/partnerships/{partnership_id}/assessments"): lambda w, kw: {
        "government_id": _other_side(w, kw),
        "answers": {code: {"score": 4} for code in QUESTION_CODES},
    },
    ("patch", "/api/grants/assessments/{assessment_id}"): lambda w, kw: {
        "version": SelfAssessment.objects.get(pk=kw["assessment_id"]).version,
        "answers": {code: {"score": 1, "comment": "SWEEP-OVERWRITE"} for code in QUESTION_CODES},
    },
}

# Any office's editor enters a grant call in its office's name (permissions.can_enter_grant_call).
NEW_CALL_PAGE = ("post", "grants/new/")
NEW_CALL_API = ("post", "/api/grants/calls")
WHY = "an editor of any office enters a grant call for its office (permissions.can_enter_grant_call)"
ALLOWED_BY_DESIGN = {
    ("unrelated_editor", *NEW_CALL_PAGE): WHY,
    ("unrelated_editor", *NEW_CALL_API): WHY,
    ("unrelated_editor_token", *NEW_CALL_API): WHY,
}
CALL_TABLES = {
    "grants.GrantCall",
    "grants.GrantCall_fields",
    "grants.HistoricalGrantCall",
    "grants.HistoricalGrantCall_fields",
}
ALLOWED_BY_DESIGN_CHANGES = {NEW_CALL_PAGE: CALL_TABLES, NEW_CALL_API: CALL_TABLES}
