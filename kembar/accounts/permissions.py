"""Who may read and change what: the one place pages, API and CLI ask.

Rules (DESIGN.md): members of either partner's organisation with an editor or admin role may
change a partnership; viewers and oversight bodies read; platform administrators do
everything; anyone, logged in or not, reads what is public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from .models import Membership, Organisation


@dataclass(frozen=True)
class Access:
    """What `access(user)` found. Read only in this module: elsewhere code asks the named rules
    below (tests/test_permission_rules.py fails on a read of these fields outside it)."""

    superuser: bool
    oversight: bool
    read_governments: frozenset[int]
    edit_governments: frozenset[int]
    # An administrator of a government's office (the role that manages its people).
    administers_office: bool = False

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
    read, edit, oversight, administers = set(), set(), False, False
    for m in Membership.objects.filter(user=user).select_related("organisation"):
        org = m.organisation
        if org.kind == Organisation.Kind.OVERSIGHT:
            oversight = True
        elif org.local_government_id:
            read.add(org.local_government_id)
            if m.can_edit:
                edit.add(org.local_government_id)
            administers = administers or m.role == Membership.Role.ADMIN
    result = Access(user.is_superuser, oversight, frozenset(read), frozenset(edit), administers)
    user._kembar_access = result
    return result


def forget(user) -> None:
    """Drop the cached access after memberships change."""
    if hasattr(user, "_kembar_access"):
        del user._kembar_access


class ConsoleUser:
    """Who acts at the command line: the server's operator, trusted without a user row (no
    pk) and without memberships. Get one from `console_reader` or `console_administrator`."""

    is_authenticated = True
    is_active = True
    pk = None

    def __init__(self, *, superuser: bool, oversight: bool):
        self.is_superuser = superuser
        self._kembar_access = Access(superuser, oversight, frozenset(), frozenset())


def console_reader() -> ConsoleUser:
    """The operator as a reader: reads everything and changes nothing, as an oversight body
    does (`kembar report`)."""
    return ConsoleUser(superuser=False, oversight=True)


def console_administrator() -> ConsoleUser:
    """The operator as a platform administrator: reads and may change everything (`kembar
    solutions`)."""
    return ConsoleUser(superuser=True, oversight=False)


# Who the user is, in the words the rules below use. Code outside this module asks these (or
# the `can_…` / `visible_…` rules) and never reads the access object itself; the guard test
# tests/test_permission_rules.py fails when it does.


def reads_everything(user) -> bool:
    """Oversight bodies and platform administrators read everything (and their pages show the
    whole platform rather than one office's part of it)."""
    return access(user).reads_everything


def requires_second_factor(user) -> bool:
    """Who must sign in with a second factor (a code from an authenticator app) besides the
    password: office administrators, members of an oversight body and platform administrators,
    whose accounts reach the most. Everyone else may turn one on."""
    a = access(user)
    return a.superuser or a.oversight or a.administers_office


def read_government_ids(user) -> frozenset[int]:
    """The governments whose office the user is a member of, in any role (viewer, editor,
    admin): the user's own governments. Empty for visitors, oversight bodies, and platform
    administrators without an office."""
    return access(user).read_governments


def edited_government_ids(user) -> frozenset[int]:
    """The governments whose office the user edits for (editor or admin role). Being a
    platform administrator adds none: see `can_act_for` for what an administrator may do."""
    return access(user).edit_governments


def office_view_government_ids(user) -> frozenset[int]:
    """The governments an office's own view of a page narrows to (its agreements, its
    partnerships' health, its dashboard list): the user's own governments. Empty, meaning
    "do not narrow", for those who read everything (oversight bodies, platform
    administrators, even when also members of an office) and for visitors."""
    a = access(user)
    return frozenset() if a.reads_everything else a.read_governments


def reads_beyond_public(user) -> bool:
    """The user reads more than what is public: a member of some government's office (any
    role), an oversight body or a platform administrator."""
    a = access(user)
    return bool(a.read_governments) or a.reads_everything


def edits_an_office(user) -> bool:
    """The user is an editor (or admin) of at least one government's office. Being a platform
    administrator does not count: this is about the user's own offices (the dashboard offers
    "New partnership" to them)."""
    return bool(access(user).edit_governments)


def can_act_for(user, government_id: int | None) -> bool:
    """May the user act in the name of this government (share in the library for it, set its
    office's hours): editors of its office, and platform administrators for any government."""
    a = access(user)
    return a.superuser or government_id in a.edit_governments


def can_schedule_meetings(user) -> bool:
    """Editors of any government's office and platform administrators schedule meetings (and
    use the slot finder); viewers, oversight bodies and visitors do not."""
    a = access(user)
    return a.superuser or bool(a.edit_governments)


def reader_key(user) -> tuple[bool, bool, list[int]]:
    """What decides what the user may read, as a value for cache keys: users with equal keys
    read the same (platform administrator, oversight, the own governments in order)."""
    a = access(user)
    return (a.superuser, a.oversight, sorted(a.read_governments))


def edited_offices(user) -> QuerySet[Organisation]:
    """The offices of the governments the user edits for (not ordered)."""
    return Organisation.objects.filter(local_government__in=list(access(user).edit_governments))


def editable_partnerships(user, queryset: QuerySet) -> QuerySet:
    """The partnerships of `queryset` the user may change (`can_edit_partnership`): all of them
    for a platform administrator; else those with a government whose office the user edits."""
    a = access(user)
    if a.superuser:
        return queryset
    own = list(a.edit_governments)
    return queryset.filter(Q(government_a__in=own) | Q(government_b__in=own))


def library_governments(user) -> QuerySet:
    """The governments in whose name the user may share in the library (`can_act_for`): every
    government for a platform administrator; else those whose office the user edits."""
    a = access(user)
    governments = apps.get_model("partnerships", "LocalGovernment").objects
    return governments.all() if a.superuser else governments.filter(pk__in=list(a.edit_governments))


def new_partnership_governments(user) -> QuerySet:
    """The governments a user may pick as the own side of a new partnership: those whose office
    the user edits; for a platform administrator every government with an office on the
    platform."""
    a = access(user)
    governments = apps.get_model("partnerships", "LocalGovernment").objects
    if a.superuser:
        return governments.filter(organisations__isnull=False).distinct()
    return governments.filter(pk__in=a.edit_governments)


def visible_partnerships(user, queryset: QuerySet) -> QuerySet:
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(Q(public=True) | Q(government_a__in=own) | Q(government_b__in=own))


def can_view_partnership(user, partnership) -> bool:
    a = access(user)
    return (
        partnership.public
        or a.reads_everything
        or bool({partnership.government_a_id, partnership.government_b_id} & a.read_governments)
    )


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
    return can_act_for(user, government.pk)


def can_merge_duplicates(user) -> bool:
    """Merging governments or places re-points every office's records: platform admins only."""
    return access(user).superuser


def can_register_government(user) -> bool:
    """Platform admins, and editors of any local government office, may register a government.

    Registering one is how a future partner enters the registry before it has an office of
    its own on the platform, so it is not limited to the editor's own government; viewers
    and oversight bodies (read-only) may not.
    """
    a = access(user)
    return a.superuser or bool(a.edit_governments)


# Agreements hang under a partnership: who reads or changes the partnership reads or changes
# its agreements, their stages and documents.


def visible_agreements(user, queryset: QuerySet) -> QuerySet:
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(
        Q(partnership__public=True) | Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own)
    )


def can_view_agreement(user, agreement) -> bool:
    return can_view_partnership(user, agreement.partnership)


def can_edit_agreement(user, agreement) -> bool:
    return can_edit_partnership(user, agreement.partnership)


# Activities, calls and aid shipments: they hang under a partnership. Whoever reads the
# partnership reads what of it is public; its partners, oversight and platform admins also
# read what is not; editors of either partner change it (can_edit_partnership).


def visible_under_partnership(user, queryset: QuerySet) -> QuerySet:
    """Activities (or calls, shipments) the user may read: partnership visible, and the item
    public or the reader a partner (or oversight, or a platform admin)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    partner = Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own)
    return queryset.filter(partner | Q(public=True, partnership__public=True))


def can_view_under_partnership(user, item) -> bool:
    a = access(user)
    p = item.partnership
    if a.reads_everything or {p.government_a_id, p.government_b_id} & a.read_governments:
        return True
    return bool(item.public and p.public)


def can_edit_under_partnership(user, item) -> bool:
    return can_edit_partnership(user, item.partnership)


# --- meetings and the library (kembar.meetings) ---------------------------------------------


def meeting_government_ids(meeting) -> set[int]:
    """The partnership's two governments and any further partner of a multilateral meeting."""
    ids = {meeting.partnership.government_a_id, meeting.partnership.government_b_id}
    ids.update(g.pk for g in meeting.extra_governments.all())
    return ids


def visible_meetings(user, queryset: QuerySet) -> QuerySet:
    """Meetings are internal to the partners: their offices, oversight and administrators."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(
        Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own) | Q(extra_governments__in=own)
    ).distinct()


def can_view_meeting(user, meeting) -> bool:
    a = access(user)
    return a.reads_everything or bool(meeting_government_ids(meeting) & a.read_governments)


def can_edit_meeting(user, meeting) -> bool:
    a = access(user)
    return a.superuser or bool(meeting_government_ids(meeting) & a.edit_governments)


def can_schedule_meeting(user, partnership) -> bool:
    return can_edit_partnership(user, partnership)


def visible_library(user, queryset: QuerySet) -> QuerySet:
    """Public items for everyone; a partnership's items also for its offices; all for oversight."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(
        Q(public=True)
        | Q(government__in=own)
        | Q(partnership__government_a__in=own)
        | Q(partnership__government_b__in=own)
    )


def can_view_library_item(user, item) -> bool:
    a = access(user)
    if item.public or a.reads_everything or item.government_id in a.read_governments:
        return True
    p = item.partnership
    return p is not None and bool({p.government_a_id, p.government_b_id} & a.read_governments)


def can_edit_library_item(user, item) -> bool:
    a = access(user)
    return a.superuser or item.government_id in a.edit_governments


def can_share_in_library(user) -> bool:
    a = access(user)
    return a.superuser or bool(a.edit_governments)


# Solution exchange (kembar.solutions): solutions, needs and adoption pilots.
#
# A solution or need is read by everyone when public; otherwise by its government's office,
# the offices of that government's partners, oversight bodies and platform administrators.
# Editors of the government's own office (and platform administrators) change it. A pilot is
# read by those who may read its solution and are the offering or adopting office (or
# oversight, or anyone when the pilot is public); editors of either office change it.


def partner_government_ids(user) -> frozenset[int]:
    """The partners of the user's governments (one query, cached on the user object)."""
    a = access(user)
    if not a.read_governments:
        return frozenset()
    cached = getattr(user, "_kembar_partner_ids", None)
    if cached is not None:
        return cached
    own = list(a.read_governments)
    pairs = (
        apps.get_model("partnerships", "Partnership")
        .objects.filter(Q(government_a__in=own) | Q(government_b__in=own))
        .values_list("government_a_id", "government_b_id")
    )
    result = frozenset(g for pair in pairs for g in pair) - a.read_governments
    user._kembar_partner_ids = result
    return result


def _exchange_readers(user) -> frozenset[int]:
    return access(user).read_governments | partner_government_ids(user)


def visible_offers(user, queryset: QuerySet) -> QuerySet:
    """Solutions or needs (anything with `government` and `public`) the user may read."""
    a = access(user)
    if a.reads_everything:
        return queryset
    return queryset.filter(Q(public=True) | Q(government__in=list(_exchange_readers(user))))


def can_view_offer(user, item) -> bool:
    a = access(user)
    return item.public or a.reads_everything or item.government_id in _exchange_readers(user)


def can_edit_offer(user, item) -> bool:
    a = access(user)
    return a.superuser or item.government_id in a.edit_governments


def can_create_in_name_of(user, government_id: int | None = None) -> bool:
    """Who may create something in a government's name (a solution, a need, a partner request):
    editors of that government's office, platform admins for any; without `government_id`, whether
    the user may do so for some government."""
    a = access(user)
    if a.superuser:
        return True
    return bool(a.edit_governments) if government_id is None else government_id in a.edit_governments


can_create_offer = can_create_in_name_of


def can_view_pilot(user, pilot) -> bool:
    a = access(user)
    if not can_view_offer(user, pilot.solution):
        return False
    return (
        pilot.public
        or a.reads_everything
        or bool({pilot.government_id, pilot.solution.government_id} & a.read_governments)
    )


def visible_pilots(user, queryset: QuerySet) -> QuerySet:
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    readers = list(_exchange_readers(user))
    return queryset.filter(Q(solution__public=True) | Q(solution__government__in=readers)).filter(
        Q(public=True) | Q(government__in=own) | Q(solution__government__in=own)
    )


def can_edit_pilot(user, pilot) -> bool:
    a = access(user)
    return a.superuser or bool({pilot.government_id, pilot.solution.government_id} & a.edit_governments)


def can_express_interest(user, solution, government_id: int | None = None) -> bool:
    """Editors of another government's office who can see the solution may ask to adopt it."""
    a = access(user)
    if not can_view_offer(user, solution):
        return False
    if government_id is None:
        return bool(a.edit_governments - {solution.government_id}) or a.superuser
    if government_id == solution.government_id:
        return False
    return a.superuser or government_id in a.edit_governments


# Partner requests (matching)


def visible_partner_requests(user, queryset: QuerySet) -> QuerySet:
    """Published requests for everyone; drafts and closed ones for the requester's office and
    readers of all; a closed one also for the offices that expressed interest in it (it stays in
    their history, marked closed)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    interests = apps.get_model("matching", "Interest").objects
    return queryset.filter(
        Q(status="published")
        | Q(government__in=own)
        | Q(status="closed", pk__in=interests.filter(government__in=own).values("request"))
    )


can_create_partner_request = can_create_in_name_of


def can_edit_partner_request(user, partner_request) -> bool:
    a = access(user)
    return a.superuser or partner_request.government_id in a.edit_governments


def can_see_interests(user, partner_request) -> bool:
    """Who expressed interest: readers of the requester's office (viewers too) and readers of all."""
    a = access(user)
    return a.reads_everything or partner_request.government_id in a.read_governments


def acting_governments(user) -> list[int]:
    """The governments in whose name the user acts (a partner request, an interest in one, a
    solution or a need): those they edit; for a platform admin, every government with an office
    on the platform (an office answers; a select of all ~17,000 governments of an imported
    network would be no use)."""
    a = access(user)
    if a.superuser:
        return sorted(
            set(
                Organisation.objects.filter(
                    kind=Organisation.Kind.GOVERNMENT, local_government__isnull=False
                ).values_list("local_government_id", flat=True)
            )
            | a.edit_governments
        )
    return sorted(a.edit_governments)


def interest_governments(user, partner_request) -> list[int]:
    """The governments in whose name the user may express interest (`acting_governments`), never
    the requester itself, and only in a published request."""
    if partner_request.status != "published":
        return []
    return [g for g in acting_governments(user) if g != partner_request.government_id]


# Insights reports (kembar.insights.analytics.reports): a government's periodic report is for its own
# office, oversight bodies and platform administrators; a roll-up (a province, the platform) for
# oversight bodies and platform administrators. The figures inside are always only what the
# reader may see (visible_under_partnership).


def can_download_report(user, government=None) -> bool:
    a = access(user)
    if a.reads_everything:
        return True
    return government is not None and government.pk in a.read_governments


# Conversations (kembar.conversations): the messages of a partnership's two offices. Members of
# either office (any role) read them, and platform administrators; an oversight body reads them
# only while an office of the partnership shares the conversation with oversight; the public
# never. Editors of either office (and platform administrators) write, and set the sharing.


def _shared_conversation(partnership) -> bool:
    try:
        return partnership.conversation.shared_with_oversight
    except ObjectDoesNotExist:  # no Conversation row: nothing was ever shared
        return False


def visible_conversations(user, queryset: QuerySet) -> QuerySet:
    """The partnerships of `queryset` whose conversation the user reads: those of the user's own
    offices; every one for a platform administrator; for an oversight body those an office
    shares with oversight; none for a visitor."""
    a = access(user)
    if a.superuser:
        return queryset
    own = list(a.read_governments)
    rule = Q(government_a__in=own) | Q(government_b__in=own)
    if a.oversight:
        rule |= Q(conversation__shared_with_oversight=True)
    if not own and not a.oversight:
        return queryset.none()
    return queryset.filter(rule)


def can_read_conversation(user, partnership) -> bool:
    """Members of either office (any role) and platform administrators; an oversight body while
    the conversation is shared with oversight."""
    a = access(user)
    if a.superuser or {partnership.government_a_id, partnership.government_b_id} & a.read_governments:
        return True
    return a.oversight and _shared_conversation(partnership)


def can_write_in_conversation(user, partnership) -> bool:
    """Editors (and admins) of either office post messages and set the sharing with oversight,
    and so do platform administrators; viewers and oversight bodies only read."""
    a = access(user)
    return a.superuser or bool({partnership.government_a_id, partnership.government_b_id} & a.edit_governments)


def conversation_side(user, partnership) -> int | None:
    """The government in whose name the user writes in this conversation: the user's own side
    (the first, should the user edit for both); None for a platform administrator without one."""
    own = sorted({partnership.government_a_id, partnership.government_b_id} & access(user).edit_governments)
    return own[0] if own else None


def has_conversations(user) -> bool:
    """The user takes part in conversations (and chooses how to hear of new messages): a member
    of some government's office, or a platform administrator."""
    a = access(user)
    return a.superuser or bool(a.read_governments)


# Offices and invitations (kembar.offices): an office's administrators manage its members and
# invite colleagues; an editor of one side of a partnership invites the other side's office
# when that government has none on the platform yet. Oversight bodies invite nobody.


def administered_office_ids(user) -> frozenset[int]:
    """The government offices the user administers (admin role). Platform administrators
    administer every office without being listed here (see `can_administer_office`)."""
    if access(user) is ANONYMOUS or getattr(user, "pk", None) is None:
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, role=Membership.Role.ADMIN, organisation__kind=Organisation.Kind.GOVERNMENT
        ).values_list("organisation_id", flat=True)
    )


def can_onboard_office(user) -> bool:
    """Invite the first member of a government's office that is not on the platform yet (it
    becomes its administrator): platform administrators, and the operator at the command line
    (`kembar invite`). Editors invite a partner's office through their partnership instead
    (`can_invite_partner_office`)."""
    return access(user).superuser


def can_view_office(user, office) -> bool:
    """An office's page (members, pending invitations, profile) is for its own members, in any
    role, and platform administrators."""
    a = access(user)
    if a.superuser:
        return True
    if getattr(user, "pk", None) is None or a is ANONYMOUS:
        return False
    return Membership.objects.filter(user=user, organisation=office).exists()


def can_administer_office(user, office) -> bool:
    """Change members' roles, remove members and invite colleagues: the administrators of a
    government's office and platform administrators. An oversight body's members are managed in
    the Django admin."""
    if office.kind != Organisation.Kind.GOVERNMENT:
        return access(user).superuser
    return access(user).superuser or office.pk in administered_office_ids(user)


def can_edit_office_profile(user, office) -> bool:
    """The office's contact, working languages and office hours: its editors and administrators
    (they act for its government, `can_act_for`) and platform administrators."""
    return office.kind == Organisation.Kind.GOVERNMENT and can_act_for(user, office.local_government_id)


def can_invite_partner_office(user, partnership, government_id: int | None = None) -> bool:
    """Invite the office of a partnership's other government: editors of one side's office (for
    the other side, never their own), platform administrators for either. Without
    `government_id`, whether the user may invite for some side of this partnership."""
    a = access(user)
    sides = {partnership.government_a_id, partnership.government_b_id}
    if government_id is not None and government_id not in sides:
        return False
    if a.superuser:
        return True
    own = sides & a.edit_governments
    if not own:
        return False
    targets = sides - a.edit_governments
    return bool(targets) if government_id is None else government_id in targets


def can_revoke_invitation(user, invitation) -> bool:
    """Withdraw (or renew) a pending invitation: whoever may invite into that office: its
    administrators, for a partner's invitation the editors of the inviting side's office; and the
    platform administrators."""
    a = access(user)
    if a.superuser:
        return True
    if invitation.office_id is not None and invitation.office_id in administered_office_ids(user):
        return True
    if invitation.partnership_id is not None:
        return can_invite_partner_office(user, invitation.partnership, invitation.government_id)
    return False


# Grant calls and the yearly self-assessment (kembar.grants).
#
# Every signed-in user reads every grant call; platform administrators enter calls for the
# platform, editors of a government's office for their office; a call is changed by whoever may
# enter it in that name. A partnership's self-assessment is answered by each side's office for
# its own side (editors; a platform administrator for either); both sides' answers are read by
# members of the two offices (any role), oversight bodies and platform administrators, and by
# nobody else, whether the partnership is public or not.


def can_read_grant_calls(user) -> bool:
    """Signed-in users (any role, any office, or none) read the catalogue of grant calls."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_enter_grant_call(user) -> bool:
    """Platform administrators and editors of any government's office enter grant calls."""
    a = access(user)
    return a.superuser or bool(a.edit_governments)


def grant_call_offices(user) -> QuerySet[Organisation]:
    """The offices in whose name the user enters a grant call: those whose government the user
    edits for (a platform administrator may also enter one for the platform, with no office)."""
    return edited_offices(user).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")


def can_edit_grant_call(user, call) -> bool:
    """The platform's calls: platform administrators. An office's calls: its editors (and
    platform administrators)."""
    a = access(user)
    if a.superuser:
        return True
    if call.office_id is None:
        return False
    government_id = Organisation.objects.filter(pk=call.office_id).values_list("local_government_id", flat=True).first()
    return government_id in a.edit_governments


def can_answer_assessment(user, partnership, government_id: int) -> bool:
    """A side's self-assessment is answered by editors of that side's office (a platform
    administrator for either side)."""
    if government_id not in (partnership.government_a_id, partnership.government_b_id):
        return False
    a = access(user)
    return a.superuser or government_id in a.edit_governments


def assessment_sides(user, partnership) -> list[int]:
    """The sides of the partnership whose self-assessment the user answers (`can_answer_assessment`)."""
    return [
        g
        for g in (partnership.government_a_id, partnership.government_b_id)
        if can_answer_assessment(user, partnership, g)
    ]


def can_view_assessments(user, partnership) -> bool:
    """Both sides' self-assessments: members of either office (any role), oversight bodies and
    platform administrators. Nobody else, even of a public partnership."""
    a = access(user)
    return a.reads_everything or bool({partnership.government_a_id, partnership.government_b_id} & a.read_governments)


def visible_assessments(user, queryset: QuerySet) -> QuerySet:
    """The self-assessments of `queryset` the user reads (`can_view_assessments`)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.read_governments)
    return queryset.filter(Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own))
