"""Who may read and change what: the one place pages, API and CLI ask.

Rules (DESIGN.md): members of either partner's organisation with an editor or admin role may
change a partnership; viewers read; oversight bodies read what is in their scope (a national
body its country, a provincial bureau its province) and act only on the procedure stages their
party owns; platform administrators do everything; anyone, logged in or not, reads what is
public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from .models import Membership, Organisation
from .vocab import OversightParty


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
    # An oversight body's scope: the governments it reads (None: no scope, the whole platform,
    # as the operator's console reader), the parties it is (kemendagri, kemlu, province), and
    # what it covers as a key: (country, province's admin1 code or "").
    scope_governments: frozenset[int] | None = None
    parties: frozenset[str] = frozenset()
    # Each oversight membership's party and the governments of its scope, kept together so a
    # person in two bodies acts for each only within its own scope.
    party_scopes: tuple[tuple[str, frozenset[int]], ...] = ()
    scope_key: tuple[tuple[str, str], ...] = ()

    @property
    def reads_everything(self) -> bool:
        return self.superuser or (self.oversight and self.scope_governments is None)

    @property
    def reads(self) -> frozenset[int]:
        """The governments whose partnerships the user reads beyond what is public: the own
        offices' and, for an oversight body, those in its scope."""
        return self.read_governments | (self.scope_governments or frozenset())


ANONYMOUS = Access(False, False, frozenset(), frozenset())


def access(user) -> Access:
    """The user's access, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kembar_access", None)
    if cached is not None:
        return cached
    read, edit, oversight, administers = set(), set(), False, False
    parties: set[str] = set()
    scopes: set[tuple[str, str]] = set()
    bodies: list[tuple[str, tuple[str, str]]] = []
    for m in Membership.objects.filter(user=user).select_related("organisation__province"):
        org = m.organisation
        if org.kind == Organisation.Kind.OVERSIGHT:
            oversight = True
            scope = _scope_of(org)
            if scope is not None:
                scopes.add(scope)
                if org.party and m.can_edit:  # an oversight body's viewers read; its editors act
                    parties.add(org.party)
                    bodies.append((org.party, scope))
        elif org.local_government_id:
            read.add(org.local_government_id)
            if m.can_edit:
                edit.add(org.local_government_id)
            administers = administers or m.role == Membership.Role.ADMIN
    scope_governments = _governments_in(scopes) if oversight else None
    party_scopes: tuple[tuple[str, frozenset[int]], ...]
    if len(bodies) == 1 and len(scopes) == 1:  # the usual case: one body, its scope is the whole scope
        party_scopes = ((bodies[0][0], scope_governments or frozenset()),)
    else:
        party_scopes = tuple((party, _governments_in({scope})) for party, scope in bodies)
    result = Access(
        user.is_superuser,
        oversight,
        frozenset(read),
        frozenset(edit),
        administers,
        scope_governments=scope_governments,
        parties=frozenset(parties),
        party_scopes=party_scopes,
        scope_key=tuple(sorted(scopes)),
    )
    user._kembar_access = result
    return result


def _scope_of(org: Organisation) -> tuple[str, str] | None:
    """What an oversight body covers: (country, "") for a national body, (country, admin1 code)
    for a provincial bureau; None when it covers nothing (no country given)."""
    if org.party == Organisation.Party.PROVINCE:
        place = org.province
        if place is None or not place.admin1_code:
            return None
        return (place.country_code, place.admin1_code)
    return (org.country_code, "") if org.country_code else None


def _scope_q(scopes, prefix: str = "") -> Q:
    """Governments (`prefix` leads to one) in any of `scopes`; none for no scope."""
    rule = Q(pk__in=[])
    for country, admin1 in scopes:
        part = Q(**{f"{prefix}country_code": country})
        if admin1:
            part &= Q(**{f"{prefix}place__admin1_code": admin1})
        rule |= part
    return rule


def _governments_in(scopes: set[tuple[str, str]]) -> frozenset[int]:
    """The governments an oversight body reads (one query; none without a scope)."""
    if not scopes:
        return frozenset()
    governments = apps.get_model("partnerships", "LocalGovernment").objects
    return frozenset(governments.filter(_scope_q(scopes)).values_list("pk", flat=True))


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
    """Platform administrators (and the operator's console reader) read everything (and their
    pages show the whole platform rather than one office's part of it). An oversight body reads
    its scope: see `readable_government_ids`."""
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


def readable_government_ids(user) -> frozenset[int]:
    """The governments whose partnerships (and what hangs under them) the user reads beyond
    what is public: the own offices' and, for an oversight body, those in its scope (a national
    body: its country's; a provincial bureau: its province and the regencies and cities in it).
    Meaningless for those who read everything (`reads_everything`)."""
    return access(user).reads


def office_view_government_ids(user) -> frozenset[int]:
    """The governments an office's own view of a page narrows to (its agreements, its
    partnerships' health, its dashboard list): the user's own governments. Empty, meaning
    "do not narrow", for oversight bodies (their scope narrows what they read) and platform
    administrators, even when also members of an office, and for visitors."""
    a = access(user)
    return frozenset() if a.reads_everything or a.oversight else a.read_governments


def reads_beyond_public(user) -> bool:
    """The user reads more than what is public: a member of some government's office (any
    role), an oversight body or a platform administrator."""
    a = access(user)
    return bool(a.read_governments) or a.reads_everything or a.oversight


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


def reader_key(user) -> tuple:
    """What decides what the user may read, as a value for cache keys: users with equal keys
    read the same (platform administrator, oversight, the own governments in order, the
    oversight scope)."""
    a = access(user)
    return (a.superuser, a.oversight, sorted(a.read_governments), a.scope_key)


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
    own = list(a.reads)
    return queryset.filter(Q(public=True) | Q(government_a__in=own) | Q(government_b__in=own))


def can_view_partnership(user, partnership) -> bool:
    a = access(user)
    return (
        partnership.public
        or a.reads_everything
        or bool({partnership.government_a_id, partnership.government_b_id} & a.reads)
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
    own = list(a.reads)
    return queryset.filter(
        Q(partnership__public=True) | Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own)
    )


def can_view_agreement(user, agreement) -> bool:
    return can_view_partnership(user, agreement.partnership)


def can_edit_agreement(user, agreement) -> bool:
    return can_edit_partnership(user, agreement.partnership)


def can_download_agreement_drafts(user, agreement) -> bool:
    """The drafts, terms of reference and stage checklist made from an agreement: for signed-in
    users who may read the agreement (its partners' offices, oversight bodies, platform
    administrators, and on a public partnership other offices too); not for visitors, who
    read the page but have no office to draft for (each document is made on request)."""
    return bool(user and user.is_authenticated) and can_view_agreement(user, agreement)


# Activities, calls and aid shipments: they hang under a partnership. Whoever reads the
# partnership reads what of it is public; its partners, oversight and platform admins also
# read what is not; editors of either partner change it (can_edit_partnership).


def visible_under_partnership(user, queryset: QuerySet) -> QuerySet:
    """Activities (or calls, shipments) the user may read: partnership visible, and the item
    public or the reader a partner (or oversight, or a platform admin)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.reads)
    partner = Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own)
    return queryset.filter(partner | Q(public=True, partnership__public=True))


def can_view_under_partnership(user, item) -> bool:
    a = access(user)
    p = item.partnership
    if a.reads_everything or {p.government_a_id, p.government_b_id} & a.reads:
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
    own = list(a.reads)
    return queryset.filter(
        Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own) | Q(extra_governments__in=own)
    ).distinct()


def can_view_meeting(user, meeting) -> bool:
    a = access(user)
    return a.reads_everything or bool(meeting_government_ids(meeting) & a.reads)


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
    own = list(a.reads)
    return queryset.filter(
        Q(public=True)
        | Q(government__in=own)
        | Q(partnership__government_a__in=own)
        | Q(partnership__government_b__in=own)
    )


def can_view_library_item(user, item) -> bool:
    a = access(user)
    if item.public or a.reads_everything or item.government_id in a.reads:
        return True
    p = item.partnership
    return p is not None and bool({p.government_a_id, p.government_b_id} & a.reads)


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
    return access(user).reads | partner_government_ids(user)


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
    return pilot.public or a.reads_everything or bool({pilot.government_id, pilot.solution.government_id} & a.reads)


def visible_pilots(user, queryset: QuerySet) -> QuerySet:
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.reads)
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
    own = list(a.reads)
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
    return a.reads_everything or partner_request.government_id in a.reads


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
    """A government's report: its own office and the oversight bodies whose scope holds it; a
    roll-up (no government): oversight bodies (its figures are what they read)."""
    a = access(user)
    if a.reads_everything or (government is None and a.oversight):
        return True
    return government is not None and government.pk in a.reads


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
        shared = Q(conversation__shared_with_oversight=True)
        if not a.reads_everything:
            scope = list(a.scope_governments or ())
            shared &= Q(government_a__in=scope) | Q(government_b__in=scope)
        rule |= shared
    if not own and not a.oversight:
        return queryset.none()
    return queryset.filter(rule)


def can_read_conversation(user, partnership) -> bool:
    """Members of either office (any role) and platform administrators; an oversight body while
    the conversation is shared with oversight."""
    a = access(user)
    if a.superuser or {partnership.government_a_id, partnership.government_b_id} & a.read_governments:
        return True
    in_scope = a.reads_everything or bool({partnership.government_a_id, partnership.government_b_id} & a.reads)
    return a.oversight and in_scope and _shared_conversation(partnership)


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


# Proposals from outside (kembar.proposals): anyone, without an account, proposes cooperation to
# a government that has an office on the platform; only that office reads its inbox.


def can_read_proposals(user, government_id: int | None) -> bool:
    """A government's inbox of proposals from outside: the members of its office, in any role,
    and platform administrators. Oversight bodies and other offices do not read it."""
    a = access(user)
    return a.superuser or (government_id is not None and government_id in a.read_governments)


def can_decide_proposal(user, proposal) -> bool:
    """Accept, ask for more or decline a proposal: the editors (and administrators) of the office
    it was sent to, and platform administrators (`can_act_for` its government)."""
    return can_act_for(user, proposal.government_id)


def proposal_government_ids(user) -> frozenset[int] | None:
    """The governments whose proposals the user reads: their own offices' (any role); None for a
    platform administrator, who reads every office's."""
    a = access(user)
    return None if a.superuser else a.read_governments


# The national procedure's stages (kembar.agreements): each stage names the party that acts on
# it. The office's own stages (and the DPRD's, which the office records, and the partner's) are
# done by editors of either partner's office, as the rest of the agreement. A stage of the
# provincial government, Kemendagri or Kemlu is done by an editor (or admin) of that party's
# oversight body whose scope holds one of the partnership's governments; where no such body has an account on
# the platform, the office records the stage for it (with the body's documents), as before.

OVERSIGHT_PARTIES = frozenset(OversightParty.values)


def _bodies_cover(party: str, partnership) -> bool:
    """Does an oversight body of `party` on the platform cover one of the partnership's
    governments? Asked for every party at once (two queries), kept on the partnership object
    for the request."""
    covered = getattr(partnership, "_kembar_covered_parties", None)
    if covered is None:
        places = _places(partnership)
        covered = set(
            Organisation.objects.filter(kind=Organisation.Kind.OVERSIGHT)
            .filter(_covering(OversightParty.PROVINCE, places) | _covering("national", places))
            .values_list("party", flat=True)
        )
        partnership._kembar_covered_parties = covered
    return party in covered


def _covering(party: str, places: list[tuple[str, str]]) -> Q:
    """Oversight bodies of `party` ("national": Kemendagri or Kemlu) covering one of `places`
    (country, admin1 code)."""
    if party == OversightParty.PROVINCE:
        rule = Q(pk__in=[])
        for country, admin1 in places:
            if admin1:
                rule |= Q(province__country_code=country, province__admin1_code=admin1)
        return Q(party=party) & rule
    parties = OversightParty.national() if party == "national" else (party,)
    return Q(party__in=parties, country_code__in=[country for country, _admin1 in places])


def _places(partnership) -> list[tuple[str, str]]:
    governments = apps.get_model("partnerships", "LocalGovernment").objects
    return list(
        governments.filter(pk__in=[partnership.government_a_id, partnership.government_b_id]).values_list(
            "country_code", "place__admin1_code"
        )
    )


def party_bodies(party: str, partnership, places: list[tuple[str, str]] | None = None) -> QuerySet[Organisation]:
    """The oversight bodies of `party` whose scope holds one of the partnership's governments:
    those a stage of that party waits for (its queue, its reminders)."""
    places = places if places is not None else _places(partnership)
    return Organisation.objects.filter(kind=Organisation.Kind.OVERSIGHT).filter(_covering(party, places))


def acts_as_party(user, partnership, party: str) -> bool:
    """Is the user an editor of an oversight body of `party` whose scope holds one of the
    partnership's governments? (No query beyond the access object.)"""
    sides = {partnership.government_a_id, partnership.government_b_id}
    return any(p == party and sides & governments for p, governments in access(user).party_scopes)


def can_act_on_stage(user, agreement, owner: str) -> bool:
    """May the user do a stage owned by `owner` of this agreement (upload its documents, decide
    it: approve, return with notes, reject)? The office's stages: editors of either partner's
    office. A stage of the province, Kemendagri or Kemlu: editors of that party's oversight body
    covering the partnership (its viewers only read); where no such body is on the platform, the office's editors record
    it. Platform administrators: every stage."""
    a = access(user)
    if a.superuser:
        return True
    partnership = agreement.partnership
    if owner not in OVERSIGHT_PARTIES:
        return can_edit_partnership(user, partnership)
    if acts_as_party(user, partnership, owner):
        return True
    return can_edit_partnership(user, partnership) and not _bodies_cover(owner, partnership)


def waiting_stage_rule(user, prefix: str = "") -> Q | None:
    """The stages in progress that wait for the user to act, as a filter on AgreementStage
    (`prefix` leads to one): for an oversight body, its party's stages of agreements in its
    scope; for an office's editors, its own stages (office, DPRD, partner) of its agreements.
    None: nothing waits for this user (visitors, viewers). Platform administrators: every
    stage in progress (they may act on any)."""
    a = access(user)
    if a.superuser:
        return Q()
    rule = Q(pk__in=[])
    for party, governments in a.party_scopes:
        ids = list(governments)
        rule |= Q(**{f"{prefix}template_stage__owner": party}) & (
            Q(**{f"{prefix}agreement__partnership__government_a__in": ids})
            | Q(**{f"{prefix}agreement__partnership__government_b__in": ids})
        )
    if a.edit_governments:
        own = list(a.edit_governments)
        rule |= Q(**{f"{prefix}template_stage__owner__in": ["office", "dprd", "partner"]}) & (
            Q(**{f"{prefix}agreement__partnership__government_a__in": own})
            | Q(**{f"{prefix}agreement__partnership__government_b__in": own})
        )
    if not a.party_scopes and not a.edit_governments:
        return None
    return rule


def has_stage_queue(user) -> bool:
    """The user has a queue of procedure stages (the header links it): oversight bodies, editors
    of an office, platform administrators."""
    a = access(user)
    return a.superuser or a.oversight or bool(a.edit_governments)


# The oversight roll-up (/oversight/): an oversight body's figures for its whole scope.


def rollup_scope(user) -> tuple[tuple[str, str], ...] | None:
    """What the user's roll-up (/oversight/) covers, as ((country, province's admin1 code or
    ""), …): the scopes of the oversight bodies the user is a member of (any role: a body's
    viewers read its figures too). () for a platform administrator: the whole platform (the page
    lets them narrow it). None for everyone else, who has no roll-up (the page answers 404)."""
    a = access(user)
    if a.superuser:
        return ()
    if a.oversight and a.scope_key:
        return a.scope_key
    return None


def organisation_scope(org: Organisation) -> tuple[tuple[str, str], ...] | None:
    """What an oversight body covers as a roll-up scope (`rollup_scope`), for the operator's
    command line; None for an organisation that is not an oversight body with a scope."""
    if org.kind != Organisation.Kind.OVERSIGHT:
        return None
    scope = _scope_of(org)
    return (scope,) if scope is not None else None


def scope_rule(scopes: tuple[tuple[str, str], ...], prefix: str = "") -> Q:
    """Governments (`prefix` leads to one) in any of `scopes` (`rollup_scope`); every government
    for () (the whole platform)."""
    return _scope_q(scopes, prefix) if scopes else Q()


# Plans of action and money (kembar.plans): internal to a partnership's two offices. Members of
# either office (any role), oversight bodies and platform administrators read them; the public
# and other offices never. Each office edits its own side: the objectives it leads (with their
# targets), the planned activities and money lines it carries; a platform administrator edits
# either side. A pilot's two sides are the offering and the adopting government.


def can_read_plans(user, government_ids) -> bool:
    """Members of either side's office (any role), oversight bodies whose scope holds a side and
    platform administrators read the plans and money of a partnership (or pilot) between
    `government_ids`."""
    a = access(user)
    return a.reads_everything or bool(set(government_ids) & a.reads)


def visible_plan_partnerships(user, queryset: QuerySet) -> QuerySet:
    """The partnerships of `queryset` whose plans and money the user reads (`can_read_plans`)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.reads)
    return queryset.filter(Q(government_a__in=own) | Q(government_b__in=own))


def plan_sides(user, government_ids) -> frozenset[int]:
    """The sides among `government_ids` the user edits plans and money for: those whose office the
    user edits for; both for a platform administrator; none for viewers and oversight bodies."""
    a = access(user)
    ids = frozenset(i for i in government_ids if i is not None)
    return ids if a.superuser else ids & a.edit_governments


def can_edit_plan_side(user, government_ids, side_id: int | None) -> bool:
    """May the user edit what `side_id` (one of `government_ids`) carries in a plan or its money."""
    return side_id in plan_sides(user, government_ids)


def can_read_office_money(user, government) -> bool:
    """An office's money totals: its own members (any role), oversight bodies whose scope holds it
    and platform administrators."""
    a = access(user)
    return a.reads_everything or government.pk in a.reads


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
    """Both sides' self-assessments: members of either office (any role), oversight bodies whose
    scope holds a side and platform administrators. Nobody else, even of a public partnership."""
    a = access(user)
    return a.reads_everything or bool({partnership.government_a_id, partnership.government_b_id} & a.reads)


def visible_assessments(user, queryset: QuerySet) -> QuerySet:
    """The self-assessments of `queryset` the user reads (`can_view_assessments`)."""
    a = access(user)
    if a.reads_everything:
        return queryset
    own = list(a.reads)
    return queryset.filter(Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own))
