"""Offices adopt the partnerships the registry imported: confirm, correct, or close them.

The twinning import brings every known link of a government, with little more than the pair.
The office of either partner *claims* such a link: it confirms it as recorded (one or many at
once), corrects it (the partnership's edit form: an office's save is its confirmation), or
closes it as ended or as never formalised, with a note. Each of these records which office
stands behind the partnership and when (`confirmed_by`, `confirmed_at`), so every page, the
API and the open data can say where a partnership's facts come from: an office, or a public
list nobody has confirmed yet (`facts_source`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.core.versioning import save_changes

from .models import Partnership
from .vocab import EndReason, Source, Status

MAX_NOTE = 500


def confirming_office(user, partnership: Partnership) -> Organisation | None:
    """The office in whose name `user` confirms `partnership`: the office of a side the user
    edits for (the first side when both); None for anyone else, platform admins included (a
    confirmation is an office's word)."""
    own = permissions.edited_government_ids(user)
    for government_id in (partnership.government_a_id, partnership.government_b_id):
        if government_id in own:
            return Organisation.objects.filter(local_government_id=government_id).order_by("pk").first()
    return None


def confirmation(user, partnership: Partnership) -> dict:
    """The fields an office's save sets on `partnership` (none when the user is no partner's office)."""
    office = confirming_office(user, partnership)
    return {"confirmed_by": office, "confirmed_at": timezone.now()} if office else {}


def unclaimed(user) -> QuerySet[Partnership]:
    """Imported partnerships of the user's own governments (any role) that no office has
    confirmed or closed yet, the most recently imported first."""
    own = list(permissions.read_government_ids(user))
    return (
        Partnership.objects.filter(Q(government_a__in=own) | Q(government_b__in=own))
        .filter(source=Source.IMPORT, confirmed_at__isnull=True)
        .select_related("government_a__place", "government_b__place")
        .prefetch_related("fields")
        .order_by("-created", "-pk")
    )


def _office_or_refuse(user, partnership: Partnership) -> Organisation | None:
    """The office confirming (None for a platform administrator outside the partners' offices,
    who may confirm for the platform); PermissionDenied for anyone else."""
    if not permissions.can_edit_partnership(user, partnership):
        raise PermissionDenied(_("Only an editor of either partner's office can confirm or close this partnership."))
    return confirming_office(user, partnership)


def confirm(user, partnership: Partnership, *, expected_version: int | None) -> Partnership:
    """Confirm one partnership as recorded; ConcurrentEdit when someone saved in between."""
    office = _office_or_refuse(user, partnership)
    with transaction.atomic():
        return save_changes(
            Partnership,
            partnership.pk,
            expected_version,
            user,
            {"confirmed_by": office, "confirmed_at": timezone.now()},
        )


def confirm_many(user, partnership_ids: Iterable[int]) -> int:
    """Confirm several at once (the office's list of imported links), all or none: a
    partnership the user's office is not part of refuses the whole set."""
    chosen = list(Partnership.objects.filter(pk__in=list(partnership_ids)).order_by("pk"))
    with transaction.atomic():
        for partnership in chosen:
            confirm(user, partnership, expected_version=None)
    return len(chosen)


def close(user, partnership: Partnership, *, reason: str, note: str = "", expected_version: int | None) -> Partnership:
    """Record that the partnership ended, or was never formalised, with the office's note."""
    office = _office_or_refuse(user, partnership)
    if reason not in EndReason.values:
        raise ValidationError({"end_reason": [_("Say why it is closed: it ended, or it was never formalised.")]})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"end_note": [_("At most %(n)d characters.") % {"n": MAX_NOTE}]})
    changes = {
        "status": Status.ENDED,
        "end_reason": reason,
        "end_note": note,
        "confirmed_by": office,
        "confirmed_at": timezone.now(),
    }
    with transaction.atomic():
        return save_changes(Partnership, partnership.pk, expected_version, user, changes)


def facts_source(partnership: Partnership) -> str:
    """Where the recorded facts come from, in words for its page."""
    if partnership.confirmed_at is not None:
        date = formats.date_format(timezone.localtime(partnership.confirmed_at), "SHORT_DATE_FORMAT")
        if partnership.confirmed_by is None:
            return _("Confirmed by the platform's administrators on %(date)s.") % {"date": date}
        return _("Confirmed by %(office)s on %(date)s.") % {"office": partnership.confirmed_by.name, "date": date}
    if partnership.source == Source.IMPORT:
        return _(
            "From a public list (the Wikipedia lists of twin towns and sister cities); not yet confirmed by "
            "either partner's office."
        )
    return _("Entered by a partner's office.")
