"""Who may read and change what: the one place pages, API and CLI ask.

Rules (DESIGN.md): members of either partner's organisation with an editor or admin role may
change a partnership; viewers and oversight bodies read; platform administrators do
everything; anyone, logged in or not, reads what is public.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Membership, Organisation


@dataclass(frozen=True)
class Access:
    superuser: bool
    oversight: bool
    read_governments: frozenset[int]
    edit_governments: frozenset[int]

    @property
    def reads_everything(self) -> bool:
        return self.superuser or self.oversight


ANONYMOUS = Access(False, False, frozenset(), frozenset())


def access(user) -> Access:
    """The user's access, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kembar_access", None)
    if cached is not None:
        return cached
    read, edit, oversight = set(), set(), False
    for m in Membership.objects.filter(user=user).select_related("organisation"):
        org = m.organisation
        if org.kind == Organisation.Kind.OVERSIGHT:
            oversight = True
        elif org.local_government_id:
            read.add(org.local_government_id)
            if m.can_edit:
                edit.add(org.local_government_id)
    result = Access(user.is_superuser, oversight, frozenset(read), frozenset(edit))
    user._kembar_access = result
    return result


def forget(user) -> None:
    """Drop the cached access after memberships change."""
    if hasattr(user, "_kembar_access"):
        del user._kembar_access


def visible_partnerships(user, queryset: QuerySet) -> QuerySet:
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(Q(public=True) | Q(government_a__in=own) | Q(government_b__in=own))


def can_view_partnership(user, partnership) -> bool:
    a = access(user)
    return (partnership.public or a.reads_everything
            or bool({partnership.government_a_id, partnership.government_b_id} & a.read_governments))


def can_edit_partnership(user, partnership) -> bool:
    a = access(user)
    return a.superuser or bool({partnership.government_a_id, partnership.government_b_id} & a.edit_governments)


def can_create_partnership(user, government_a_id: int | None = None, government_b_id: int | None = None) -> bool:
    """Without arguments: may the user create any partnership at all (shows the button)."""
    a = access(user)
    if a.superuser:
        return True
    if government_a_id is None and government_b_id is None:
        return bool(a.edit_governments)
    return bool({government_a_id, government_b_id} & a.edit_governments)


def can_edit_government(user, government) -> bool:
    a = access(user)
    return a.superuser or government.pk in a.edit_governments


def can_register_government(user) -> bool:
    """Platform admins, and editors of any local government office, may register a government.

    Registering one is how a future partner enters the registry before it has an office of
    its own on the platform, so it is not limited to the editor's own government; viewers
    and oversight bodies (read-only) may not.
    """
    a = access(user)
    return a.superuser or bool(a.edit_governments)


# Partner requests (matching)


def visible_partner_requests(user, queryset: QuerySet) -> QuerySet:
    """Published requests for everyone; drafts and closed ones for the requester's office and readers of all."""
    a = access(user)
    if a.reads_everything:
        return queryset
    return queryset.filter(Q(status="published") | Q(government__in=list(a.read_governments)))


def can_create_partner_request(user, government_id: int | None = None) -> bool:
    """Editors of a government's office (for that government), platform admins (for any)."""
    a = access(user)
    if a.superuser:
        return True
    return bool(a.edit_governments) if government_id is None else government_id in a.edit_governments


def can_edit_partner_request(user, partner_request) -> bool:
    a = access(user)
    return a.superuser or partner_request.government_id in a.edit_governments


def interest_governments(user, partner_request) -> list[int]:
    """The governments in whose name the user may express interest: those they edit (any, for a
    platform admin), never the requester itself, and only in a published request."""
    a = access(user)
    if partner_request.status != "published":
        return []
    if a.superuser:
        from kembar.partnerships.models import LocalGovernment

        return list(LocalGovernment.objects.exclude(pk=partner_request.government_id).values_list("pk", flat=True))
    return sorted(g for g in a.edit_governments if g != partner_request.government_id)
