"""Proposals from outside: taking one without an account (bounded against abuse), the office's
inbox, and its decisions (accept, ask for more, decline), each mailed to the proposer in the
proposal's language. Pages, the API and tests call these; the rules of who may read or decide are
kembar.accounts.permissions' (`can_read_proposals`, `can_decide_proposal`).

Abuse bounds: at most KEMBAR_PROPOSALS_PER_ADDRESS proposals from one network address and
KEMBAR_PROPOSALS_PER_TARGET to one government within KEMBAR_PROPOSAL_WINDOW_MINUTES, counted in
the database (so the count holds across workers, as django-axes' login count does; the address is
resolved as axes resolves it, `kembar.core.security.client_address`, and kept only as a keyed
digest); documents through the one upload check and a smaller size cap; the page adds a honeypot
field. No outside captcha service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.accounts.services import editors_by_language
from kembar.conversations import services as conversations
from kembar.core.mail import queue_mail, recipient_language
from kembar.core.security import address_digest
from kembar.core.uploads import check_upload
from kembar.core.validation import check_values
from kembar.core.versioning import locked, save_version
from kembar.gazetteer.countries import country_name
from kembar.gazetteer.services import country_choices, search_places
from kembar.offices import services as offices
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Field, Status

from .models import MAX_MESSAGE, MAX_PLAN, Decision, Proposal, ProposalDocument
from .vocab import OPEN_STATES, DecisionKind, DocumentKind, ProposalState

RATE_PURPOSE = "proposals"
MAX_NAME = 200


class RateLimited(Exception):
    """Too many proposals from one address, or to one government, within the window."""


@dataclass(frozen=True)
class Limits:
    per_address: int
    per_target: int
    window: dt.timedelta


def limits() -> Limits:
    return Limits(
        settings.KEMBAR_PROPOSALS_PER_ADDRESS,
        settings.KEMBAR_PROPOSALS_PER_TARGET,
        dt.timedelta(minutes=settings.KEMBAR_PROPOSAL_WINDOW_MINUTES),
    )


def max_document_bytes() -> int:
    return settings.KEMBAR_PROPOSAL_MAX_DOCUMENT_MB * 1024 * 1024


# --- who takes proposals -----------------------------------------------------------------------


def receiving_office(government: LocalGovernment) -> Organisation | None:
    """The office whose inbox a proposal to `government` lands in (none: it takes no proposals)."""
    return offices.office_of(government)


def takes_proposals(government: LocalGovernment) -> bool:
    return receiving_office(government) is not None


# --- submitting ------------------------------------------------------------------------------


def _one_line(value: str, field: str, label: str, errors: dict, *, required: bool = True, limit: int = MAX_NAME) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        errors[field] = [_("Give %(what)s.") % {"what": label}]
    elif len(value) > limit:
        errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
    return value


def _clean(data: dict) -> dict:
    """The proposal's text fields as stored, or a ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = {
        "organisation_name": _one_line(
            data.get("organisation_name", ""), "organisation_name", _("the government or organisation"), errors
        ),
        "contact_name": _one_line(data.get("contact_name", ""), "contact_name", _("a contact person"), errors),
    }
    country = (data.get("country_code") or "").strip().upper()
    if country not in {code for code, _name in country_choices()}:
        errors["country_code"] = [_("Choose the country.")]
    cleaned["country_code"] = country
    email = (data.get("email") or "").strip()
    try:
        if len(email) > 254:
            raise ValidationError("")
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    cleaned["email"] = email
    website = (data.get("website") or "").strip()
    if website:
        try:
            if len(website) > 200 or not website.lower().startswith(("http://", "https://")):
                raise ValidationError("")
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = [_("Give the website as a link starting with http:// or https://.")]
    cleaned["website"] = website
    fields = list(dict.fromkeys(data.get("fields") or []))
    if unknown := [f for f in fields if f not in Field.values]:
        errors["fields"] = [_("Unknown field of cooperation: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}]
    cleaned["fields"] = fields
    plan = (data.get("plan") or "").replace("\r\n", "\n").strip()
    if not plan:
        errors["plan"] = [_("Describe the cooperation you propose.")]
    elif len(plan) > MAX_PLAN:
        errors["plan"] = [_("At most %(limit)d characters (this has %(n)d).") % {"limit": MAX_PLAN, "n": len(plan)}]
    cleaned["plan"] = plan
    language = data.get("language") or settings.LANGUAGE_CODE
    cleaned["language"] = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    if errors:
        raise ValidationError(errors)
    try:
        check_values(Proposal, cleaned)  # no control characters, whatever came in
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    return cleaned


def _check_document(upload, field: str):
    try:
        checked = getattr(upload, "checked", None) or check_upload(upload)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if checked.size > max_document_bytes():
        raise ValidationError(
            {
                field: [
                    _("%(name)s is %(size).1f MB; a proposal's documents may be at most %(limit)d MB each.")
                    % {
                        "name": upload.name,
                        "size": checked.size / 1024 / 1024,
                        "limit": settings.KEMBAR_PROPOSAL_MAX_DOCUMENT_MB,
                    }
                ]
            }
        )
    return checked


def check_limits(government: LocalGovernment, digest: str, now: dt.datetime | None = None) -> None:
    """Raise RateLimited when one more proposal from this address, or to this government, would
    go over its limit within the window."""
    bounds = limits()
    since = (now or timezone.now()) - bounds.window
    recent = Proposal.objects.filter(created__gte=since)
    if recent.filter(address_digest=digest).count() >= bounds.per_address:
        raise RateLimited(
            _(
                "Too many proposals were sent from your network address in a short time. Try again in "
                "%(minutes)d minutes, or write to the office by e-mail."
            )
            % {"minutes": settings.KEMBAR_PROPOSAL_WINDOW_MINUTES}
        )
    if recent.filter(government=government).count() >= bounds.per_target:
        raise RateLimited(
            _(
                "This office has received many proposals in a short time. Try again in %(minutes)d "
                "minutes, or write to the office by e-mail."
            )
            % {"minutes": settings.KEMBAR_PROPOSAL_WINDOW_MINUTES}
        )


def submit(
    government: LocalGovernment,
    *,
    address: str,
    terms=None,
    letter=None,
    **data,
) -> Proposal:
    """Take a proposal to `government` from the network `address`: checked (every field, each
    document), counted against the limits (RateLimited), then stored with its documents and its
    mails queued, in one transaction; a refusal writes nothing."""
    office = receiving_office(government)
    if office is None:
        raise PermissionDenied(_("%(government)s takes no proposals on kembar.") % {"government": government.name})
    cleaned = _clean(data)
    documents = [
        (kind, upload, field)
        for kind, upload, field in ((DocumentKind.TERMS, terms, "terms"), (DocumentKind.LETTER, letter, "letter"))
        if upload
    ]
    checked = [_check_document(upload, field) for _kind, upload, field in documents]
    digest = address_digest(address or "unknown", RATE_PURPOSE)
    with transaction.atomic():
        # One proposal to a government at a time: the count and the new row cannot race.
        LocalGovernment.objects.select_for_update().filter(pk=government.pk).first()
        check_limits(government, digest)
        proposal = Proposal.objects.create(government=government, address_digest=digest, **cleaned)
        for (kind, upload, _field), check in zip(documents, checked):
            ProposalDocument.objects.create(
                proposal=proposal,
                kind=kind,
                file=upload,
                name=check.name,
                content_type=check.content_type,
                size=check.size,
            )
        _mail_received(proposal)
        _mail_office(proposal)
    return proposal


# --- the inbox -------------------------------------------------------------------------------


def inbox(government: LocalGovernment | int, state: str = "") -> QuerySet[Proposal]:
    """A government's proposals, the open ones first, newest first; with their number of
    documents (one query for the page, whatever its length)."""
    qs = Proposal.objects.filter(government=government).annotate(document_count=Count("documents"))
    if state in ProposalState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created", "-id")


def inbox_all(state: str = "") -> QuerySet[Proposal]:
    """Every government's proposals (`readable` narrows them to a user's), newest first."""
    qs = Proposal.objects.all()
    if state in ProposalState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created", "-id")


def readable(user, queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """The proposals the user reads: those sent to their own offices' governments (all, for a
    platform administrator)."""
    queryset = Proposal.objects.all() if queryset is None else queryset
    ids = permissions.proposal_government_ids(user)
    return queryset if ids is None else queryset.filter(government_id__in=ids)


def proposal_for(user, proposal_id: int) -> Proposal | None:
    """The proposal with its documents and decisions, if the user reads it; None otherwise."""
    proposal = (
        Proposal.objects.select_related("government", "proposer_government", "partnership", "invitation")
        .prefetch_related("documents", "decisions__decided_by")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not permissions.can_read_proposals(user, proposal.government_id):
        return None
    return proposal


def open_count(government_ids: Iterable[int]) -> int:
    return Proposal.objects.filter(government_id__in=list(government_ids), state__in=OPEN_STATES).count()


def field_labels(proposal: Proposal) -> list[str]:
    return [str(Field(code).label) for code in proposal.fields if code in Field.values]


# --- deciding --------------------------------------------------------------------------------


def _decidable(user, proposal: Proposal, expected_version: int | None) -> Proposal:
    """The current proposal, locked, when the user may decide on it and it still waits."""
    if not permissions.can_decide_proposal(user, proposal):
        raise PermissionDenied(_("Only the editors of the office it was sent to decide on a proposal."))
    current = locked(Proposal, proposal.pk, expected_version)
    if current.state not in OPEN_STATES:
        raise ValidationError(
            _("This proposal was decided already: %(state)s.") % {"state": ProposalState(current.state).label}
        )
    return current


def _message(text: str, field: str, *, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: [_("Write the message the proposer receives.")]})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": MAX_MESSAGE}]})
    return text


def _decided(user, current: Proposal, kind: str, message: str, **changes) -> Proposal:
    for key, value in changes.items():
        setattr(current, key, value)
    current = save_version(current, user)
    Decision.objects.create(
        proposal=current, kind=kind, message=message, decided_by=user if getattr(user, "pk", None) else None
    )
    _mail_decision(current, kind, message)
    return current


def proposer_government(proposal: Proposal) -> LocalGovernment | None:
    """The proposer's government as the registry knows it ("NAME,CC"), else the government of the
    gazetteer's best place of that name in that country (created on first use); None when the
    name names no place there (an organisation, a misspelling): the office then chooses."""
    try:
        return registry.resolve_government(f"{proposal.organisation_name},{proposal.country_code}")
    except registry.GovernmentLookupError:
        pass
    name, _level = registry.split_level(proposal.organisation_name)
    places = search_places(name, country=proposal.country_code, limit=1)
    if not places:
        return None
    try:
        return registry.government_for_place(places[0])
    except ValidationError:
        return None


def _existing_partnership(a: LocalGovernment, b: LocalGovernment) -> Partnership | None:
    low, high = sorted([a.pk, b.pk])
    return Partnership.objects.filter(government_a_id=low, government_b_id=high).first()


def accept(
    user,
    proposal: Proposal,
    *,
    expected_version: int | None,
    government: LocalGovernment | None = None,
    message: str = "",
) -> Proposal:
    """Accept: a proposed partnership between the office's government and the proposer's
    (`government`, else `proposer_government`), its conversation opened with the proposal, and
    an invitation to the proposer's e-mail to join as that government's office (when it has none
    on the platform yet); the proposer is told. One transaction."""
    message = _message(message, "message", required=False)
    with transaction.atomic():
        current = _decidable(user, proposal, expected_version)
        partner = government or proposer_government(current)
        if partner is None:
            raise ValidationError(
                {
                    "government": [
                        _(
                            "“%(name)s” names no government known in %(country)s. Choose the proposer's "
                            "government (or register it first)."
                        )
                        % {"name": current.organisation_name, "country": country_name(current.country_code)}
                    ]
                }
            )
        own = current.government
        if partner.pk == own.pk:
            raise ValidationError({"government": [_("A government cannot partner itself.")]})
        partnership = _existing_partnership(own, partner) or registry.create_partnership(
            user,
            own,
            partner,
            status=Status.PROPOSED,
            fields=current.fields,
            public=False,
            notes=_("Proposed from outside by %(name)s (%(contact)s).")
            % {"name": current.organisation_name, "contact": current.contact_name},
        )
        conversations.post_message(user, partnership, _conversation_opening(current, message))
        invitation = None
        if offices.office_of(partner) is None:
            invitation = offices.invite_partner_office(
                user, partnership, email=current.email, language=current.language, government=partner
            ).invitation
        return _decided(
            user,
            current,
            DecisionKind.ACCEPT,
            message,
            state=ProposalState.ACCEPTED,
            proposer_government=partner,
            partnership=partnership,
            invitation=invitation,
        )


def ask_more(user, proposal: Proposal, *, expected_version: int | None, message: str) -> Proposal:
    """Ask the proposer for more (the message goes to them by e-mail; they answer by e-mail)."""
    message = _message(message, "message", required=True)
    with transaction.atomic():
        current = _decidable(user, proposal, expected_version)
        return _decided(user, current, DecisionKind.ASK_MORE, message, state=ProposalState.MORE_ASKED)


def decline(user, proposal: Proposal, *, expected_version: int | None, reason: str) -> Proposal:
    """Decline with a reason, which the proposer receives."""
    reason = _message(reason, "reason", required=True)
    with transaction.atomic():
        current = _decidable(user, proposal, expected_version)
        return _decided(user, current, DecisionKind.DECLINE, reason, state=ProposalState.DECLINED)


# --- mails -----------------------------------------------------------------------------------


def _summary(proposal: Proposal) -> list[str]:
    """The proposal in lines, in the active language."""
    fields = ", ".join(field_labels(proposal)) or "—"
    lines = [
        _("From: %(name)s (%(country)s)")
        % {"name": proposal.organisation_name, "country": country_name(proposal.country_code)},
        _("Contact: %(contact)s <%(email)s>") % {"contact": proposal.contact_name, "email": proposal.email},
    ]
    if proposal.website:
        lines.append(_("Website: %(url)s") % {"url": proposal.website})
    lines += [_("Fields of cooperation: %(fields)s") % {"fields": fields}, "", proposal.plan]
    return lines


def _conversation_opening(proposal: Proposal, message: str) -> str:
    with translation.override(recipient_language(proposal.government.country_code)):
        lines = [
            _("This partnership began with a proposal from outside, accepted on kembar."),
            "",
            *_summary(proposal),
        ]
    if message:
        lines += ["", message]
    return "\n".join(lines)[: conversations.MAX_BODY]


def _office_name(proposal: Proposal) -> str:
    return proposal.government.name


def _mail_received(proposal: Proposal) -> None:
    with translation.override(proposal.language):
        subject = _("Your proposal to %(government)s was received") % {"government": _office_name(proposal)}
        body = "\n".join(
            [
                _("Thank you: your proposal of cooperation reached the office of %(government)s on kembar.")
                % {"government": _office_name(proposal)},
                _(
                    "The office reads it and answers by e-mail to this address: it accepts it (and invites you "
                    "onto kembar to work on the partnership together), asks you for more, or declines it with "
                    "a reason."
                ),
                "",
                _("Your proposal:"),
                *_summary(proposal),
            ]
        )
    queue_mail(subject, body, [proposal.email])


def _mail_office(proposal: Proposal) -> None:
    """The office's editors hear of a new proposal, each in the language they read."""
    office = receiving_office(proposal.government)
    url = settings.KEMBAR_SITE_URL + reverse("proposals:detail", args=[office.pk, proposal.pk]) if office else ""
    for language, addresses in editors_by_language([proposal.government_id]).items():
        with translation.override(language):
            subject = _("New proposal from %(name)s") % {"name": proposal.organisation_name}
            body = "\n".join([*_summary(proposal), "", _("Read and decide: %(url)s") % {"url": url}])
        queue_mail(subject, body, addresses)


def _mail_decision(proposal: Proposal, kind: str, message: str) -> None:
    with translation.override(proposal.language):
        government = _office_name(proposal)
        if kind == DecisionKind.ACCEPT:
            subject = _("%(government)s accepted your proposal") % {"government": government}
            lines = [
                _("The office of %(government)s accepted your proposal of cooperation.") % {"government": government},
                _("A partnership between %(a)s and %(b)s is now proposed on kembar.")
                % {"a": government, "b": proposal.proposer_government.name if proposal.proposer_government else ""},
            ]
            if proposal.invitation_id:
                lines.append(
                    _(
                        "You receive a separate e-mail with an invitation to join kembar as the office of "
                        "%(partner)s, where the two offices talk and plan together."
                    )
                    % {"partner": proposal.proposer_government.name}
                )
            else:
                lines.append(
                    _("%(partner)s has an office on kembar already: its members find the partnership there.")
                    % {"partner": proposal.proposer_government.name}
                )
        elif kind == DecisionKind.ASK_MORE:
            subject = _("%(government)s asks for more about your proposal") % {"government": government}
            lines = [
                _("The office of %(government)s read your proposal and asks for more:") % {"government": government}
            ]
        else:
            subject = _("%(government)s declined your proposal") % {"government": government}
            lines = [
                _("The office of %(government)s declined your proposal of cooperation, for this reason:")
                % {"government": government}
            ]
        if message:
            lines += ["", message]
        if kind == DecisionKind.ASK_MORE:
            contact = proposal.government.contact_email
            lines += [
                "",
                _("Answer the office by e-mail: %(email)s") % {"email": contact}
                if contact
                else _("Answer by sending the proposal again with what the office asks for."),
            ]
        subject = str(subject)
    reply_to = [proposal.government.contact_email] if proposal.government.contact_email else []
    queue_mail(subject, "\n".join(lines), [proposal.email], reply_to=reply_to)
