"""Which offices' dashboards a change of data makes stale.

The office dashboard (`services.office_blocks`) is kept in Django's cache for `cache_seconds()`
under a key that holds a stamp of each of the office's governments: a saved or deleted object
that an office dashboard shows (an activity, a meeting or its action item, an agreement or its
stage, a plan, a partnership, a need, a request, a self-assessment) gives new stamps to the
governments of its partnership (or its own government), so their offices' next dashboard is
computed again at once, in whichever process; a change of unknown reach (a procedure
template's stage, a government's name, a grant call) gives a new stamp to every office.

As with `kembar.insights.changes.ChangeLog`, a stamp is renewed when the change is saved (the
writer's own next page) and again after the commit (another process may have read the data in
between, before the change was visible to it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

ALL_KEY = "kembar:dashboard:stamp:all"
GOVERNMENT_KEY = "kembar:dashboard:stamp:%d"


def stamps(government_ids: Iterable[int]) -> tuple[str, ...]:
    """The current stamps of the governments, and the stamp of "everything" first (one cache
    round trip; a stamp not in the cache, never set or evicted, gets a new one)."""
    keys = [ALL_KEY] + [GOVERNMENT_KEY % pk for pk in sorted(set(government_ids))]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return tuple(str(found[key]) for key in keys)


def _renew(government_ids: set[int] | None) -> None:
    if government_ids is None:
        cache.set(ALL_KEY, uuid.uuid4().hex, None)
    elif government_ids:
        cache.set_many({GOVERNMENT_KEY % pk: uuid.uuid4().hex for pk in government_ids}, None)


def renew(government_ids: set[int] | None) -> None:
    """New stamps for the governments (None: every office), now and after the commit."""
    _renew(government_ids)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _renew(government_ids))


def _sides(partnership_ids: Iterable[int | None]) -> set[int]:
    from kembar.partnerships.models import Partnership

    ids = {pk for pk in partnership_ids if pk is not None}
    if not ids:
        return set()
    pairs = Partnership.objects.filter(pk__in=ids).values_list("government_a_id", "government_b_id")
    return {g for pair in pairs for g in pair}


def governments_of(sender, instance) -> set[int] | None:
    """The governments whose office dashboard may show `instance`; None: possibly every one."""
    from kembar.activities.models import Activity, ActivityChange
    from kembar.agreements.models import Agreement, AgreementStage
    from kembar.grants.models import SelfAssessment
    from kembar.matching.models import Interest, PartnerRequest
    from kembar.meetings.models import ActionItem, Meeting
    from kembar.partnerships.models import Partnership
    from kembar.plans.models import Plan, Target, TargetLink
    from kembar.solutions.models import Need, Solution

    try:
        if sender is Partnership:
            return {instance.government_a_id, instance.government_b_id}
        if sender in (Activity, Agreement, Meeting, Plan):
            return _sides([instance.partnership_id])
        if sender is ActivityChange:
            return _sides([instance.activity.partnership_id])
        if sender is AgreementStage:
            return _sides([instance.agreement.partnership_id])
        if sender is ActionItem:
            return _sides([instance.meeting.partnership_id]) | {instance.government_id}
        if sender is Target:
            return _sides([instance.objective.plan.partnership_id])
        if sender is TargetLink:
            return _sides([instance.target.objective.plan.partnership_id])
        if sender in (Need, Solution, PartnerRequest, SelfAssessment):
            return {instance.government_id}
        if sender is Interest:
            return {instance.request.government_id}
    except Exception:  # noqa: BLE001 - a parent already gone in a cascade: every office
        return None
    return None


def changed(sender=None, instance=None, **kwargs) -> None:
    renew(governments_of(sender, instance))


def partnership_fields_changed(sender=None, instance=None, action="", reverse=False, **kwargs) -> None:
    """A partnership's fields decide which grant calls fit it."""
    if action.startswith("post_"):
        renew(None if reverse else {instance.government_a_id, instance.government_b_id})


def connect_signals() -> None:
    """Called by DashboardConfig.ready(): every process that writes renews the stamps."""
    from kembar.activities.models import Activity, ActivityChange
    from kembar.agreements.models import Agreement, AgreementStage, TemplateStage
    from kembar.grants.models import GrantCall, SelfAssessment
    from kembar.matching.models import Interest, PartnerRequest
    from kembar.meetings.models import ActionItem, Meeting
    from kembar.partnerships.models import LocalGovernment, Partnership
    from kembar.plans.models import Plan, Target, TargetLink
    from kembar.solutions.models import Need, Solution

    models = (
        Partnership,
        Activity,
        ActivityChange,
        Agreement,
        AgreementStage,
        TemplateStage,  # of every agreement under the template: every office
        Meeting,
        ActionItem,
        Plan,
        Target,
        TargetLink,
        Need,
        Solution,
        PartnerRequest,
        Interest,
        SelfAssessment,
        GrantCall,  # may fit any office's partnerships: every office
        LocalGovernment,  # a name or place shown on other offices' dashboards: every office
    )
    for model in models:
        post_save.connect(changed, sender=model, dispatch_uid=f"dashboard-save-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"dashboard-delete-{model._meta.label}")
    m2m_changed.connect(
        partnership_fields_changed, sender=Partnership.fields.through, dispatch_uid="dashboard-partnership-fields"
    )
