"""Rows of the solution exchange for the permission sweep's world (tests/test_permission_sweep.py).

Bandung's viewer reads Busan's non-public solution (Busan is Bandung's partner through the
private partnership) and Bandung's own non-public need; Surabaya's editor (unrelated) reads
neither. The pilot is Bandung's, of Braunschweig's public solution, not public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kembar.solutions import services
from kembar.solutions.models import Milestone, Need, Pilot, Solution, SolutionAttachment
from tests.support.files import pdf_bytes, upload

PRIVATE_SOLUTION = "PRIVATE-SOLUTION-3391"


@dataclass
class ExchangeWorld:
    private_solution: Solution
    public_solution: Solution
    need: Need
    pilot: Pilot
    milestone: Milestone
    attachment: SolutionAttachment


def build(governments, users) -> ExchangeWorld:
    admin = users["platform_admin"]
    private_solution = services.create_solution(
        admin,
        governments["busan"],
        title="Smart bus stops",
        summary=PRIVATE_SOLUTION,
        problem="Waiting in heat.",
        fields=["smart_city"],
        public=False,
        attachments=[upload("brief.pdf", pdf_bytes())],
    )
    public_solution = services.create_solution(
        admin,
        governments["braunschweig"],
        title="Citizen reporting app",
        summary="Reports with photos.",
        problem="Lost complaints.",
        fields=["governance"],
        public=True,
    )
    need = services.create_need(
        admin,
        governments["bandung"],
        title="Aplikasi pengaduan warga",
        description="Pengaduan warga hilang.",
        fields=["governance"],
        public=False,
    )
    pilot = services.express_interest(admin, public_solution, governments["bandung"], need)
    milestone = services.add_milestone(admin, pilot, title="Kick-off", due=dt.date(2026, 3, 1))
    return ExchangeWorld(private_solution, public_solution, need, pilot, milestone, private_solution.attachments.get())
