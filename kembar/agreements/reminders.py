"""Reminders of agreements for `kembar remind` (listed in kembar.core.reminders.SOURCES).

* An agreement ending: 180, 90 and 30 days before its end date, to the editors of both
  partners. Only the nearest threshold already reached is due, so an agreement entered with
  20 days left gets the 30-day reminder, not three at once. Key: agreement:<id>:ends:<days>.
* A stage waiting longer than its expected duration, to the party it waits for: the editors of
  the provincial bureau, Kemendagri or Kemlu covering the partnership for their stages (the
  partners' editors when no such body is on the platform: they record it for it), the editors
  of both partners for the office's own. Key: agreement-stage:<id>:<start>:stuck, so a stage
  sent back and started again is a new event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.services import editors_by_language, members_by_language
from kembar.core.reminders import Reminder, mail_url, translated

from . import services

THRESHOLDS = (30, 90, 180)
SHOWN = 20  # rows of each dashboard list


def agreement_reminders(now: dt.datetime) -> Iterable[Reminder]:
    today = now.date()
    recipients: dict[tuple[int, int], dict[str, tuple[str, ...]]] = {}

    def to(p) -> dict[str, tuple[str, ...]]:
        """The partners' editors, by the language each reads."""
        key = (p.government_a_id, p.government_b_id)
        if key not in recipients:
            recipients[key] = editors_by_language(key)
        return recipients[key]

    for agreement in services.ending_soon(today, max(THRESHOLDS)):
        days = (agreement.ends_on - today).days
        threshold = min(t for t in THRESHOLDS if days <= t)
        yield translated(
            f"agreement:{agreement.pk}:ends:{threshold}",
            to(agreement.partnership),
            lambda agreement=agreement, days=days: _ending_mail(agreement, days),
        )
    bodies: dict[tuple[str, int, int], dict[str, tuple[str, ...]]] = {}

    def owner_to(p, owner: str) -> dict[str, tuple[str, ...]]:
        """The party the stage waits for: its oversight bodies on the platform, else the office."""
        if owner not in permissions.OVERSIGHT_PARTIES:
            return to(p)
        key = (owner, p.government_a_id, p.government_b_id)
        if key not in bodies:
            bodies[key] = members_by_language(permissions.party_bodies(owner, p))
        return bodies[key] or to(p)

    for stage in services.stuck_stages(now):
        yield translated(
            f"agreement-stage:{stage.pk}:{stage.started_at:%Y%m%d%H%M%S}:stuck",
            owner_to(stage.agreement.partnership, stage.template_stage.owner),
            lambda stage=stage: _stuck_mail(stage, now),
        )


def _ending_mail(agreement, days: int) -> tuple[str, str]:
    p = agreement.partnership
    subject = _("%(title)s (%(partners)s) ends in %(days)d days, on %(date)s") % {
        "title": agreement.title,
        "partners": p,
        "days": days,
        "date": agreement.ends_on.isoformat(),
    }
    body = _(
        "The agreement “%(title)s” between %(a)s and %(b)s ends on %(date)s. If the partnership "
        "continues, start its renewal now: the procedure takes months.\n\n%(url)s"
    ) % {
        "title": agreement.title,
        "a": p.government_a.name,
        "b": p.government_b.name,
        "date": agreement.ends_on.isoformat(),
        "url": mail_url(agreement),
    }
    return subject, body


def _stuck_mail(stage, now: dt.datetime) -> tuple[str, str]:
    agreement = stage.agreement
    p = agreement.partnership
    waited = (now - stage.started_at).days
    subject = _("%(title)s: “%(stage)s” has waited %(days)d days (usually %(expected)d)") % {
        "title": agreement.title,
        "stage": stage.name,
        "days": waited,
        "expected": stage.template_stage.expected_days,
    }
    body = _(
        "The procedure of “%(title)s” (%(partners)s) has been at the stage “%(stage)s” since "
        "%(since)s. Find out where the file is stuck, or record its progress.\n\n%(url)s"
    ) % {
        "title": agreement.title,
        "partners": p,
        "stage": stage.name,
        "since": stage.started_at.date().isoformat(),
        "url": mail_url(agreement),
    }
    return subject, body


def dashboard_context(user, now: dt.datetime | None = None) -> dict:
    """The dashboard's block: the office's agreements ending within 180 days and its stuck
    procedures, worst first (soonest end; longest overdue). An oversight body sees those of
    its scope (Kemendagri: every Indonesian government's, not a public agreement between two
    foreign cities); a platform administrator all.

    On the page (no `now` given) the clock is the current minute and the block is remembered
    under the reader's agreements and that minute until the data changes (`caching.remembered`):
    for a national body, ordering every overdue stage of the country costs more than the rest
    of its home page."""
    from django.utils import timezone

    from kembar.accounts import permissions
    from kembar.core import caching

    from .models import AgreementStage

    if not permissions.reads_beyond_public(user):
        return {"agreements_ending": [], "procedures_stuck": []}
    agreements = services.office_agreements(user)
    if scopes := permissions.rollup_scope(user):
        agreements = agreements.filter(
            permissions.scope_rule(scopes, "partnership__government_a__")
            | permissions.scope_rule(scopes, "partnership__government_b__")
        )
    page = now is None
    now = now or timezone.now().replace(second=0, microsecond=0)

    def block() -> dict:
        ending = services.ending_soon(now.date(), max(THRESHOLDS), agreements, limit=SHOWN)
        stuck = services.stuck_stages(
            now, AgreementStage.objects.filter(agreement__in=agreements.values("pk")), limit=SHOWN
        )
        for agreement in ending:
            agreement.days_left = (agreement.ends_on - now.date()).days
        for stage in stuck:
            stage.days_overdue = (now - stage.due_at()).days
        return {"agreements_ending": ending, "procedures_stuck": stuck}

    if not page:
        return block()
    try:
        signature = (agreements.db, agreements.query.sql_with_params(), now.isoformat())
    except EmptyResultSet:  # no agreement can be the reader's
        return block()
    return caching.remembered("agreements:dashboard", signature, block)
