"""Account rules other apps ask for: who hears about a government's business."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Membership, Organisation


def editor_emails(government_ids: Iterable[int]) -> tuple[str, ...]:
    """Where reminders for these governments go: each acting office's own address and the
    addresses of its editors and administrators (active users with an address)."""
    ids = list(government_ids)
    offices = Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id__in=ids)
    addresses = {email for email in offices.values_list("email", flat=True) if email}
    members = Membership.objects.filter(
        organisation__in=offices, role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN], user__is_active=True
    ).exclude(Q(user__email="") | Q(user__email__isnull=True))
    addresses.update(members.values_list("user__email", flat=True))
    return tuple(sorted(addresses))
