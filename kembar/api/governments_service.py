"""Rules for registering and changing local governments that the API needs and
`kembar.partnerships.services` / `kembar.accounts.permissions` do not have yet.

Kept in one small module so they can move there unchanged (and the pages can use them):
`can_register_government` belongs in permissions, the rest in partnerships.services.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key, prefix_upper_bound
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.services import default_level

CHANGEABLE = ["name", "traits", "sdg_priorities", "contact_email", "contact_phone", "website", "address"]


def can_register_government(user) -> bool:
    """Platform admins, and editors of any local government office, may register a government.

    Registering one is how a future partner enters the registry before it has an office of
    its own on the platform, so it is not limited to the editor's own government; viewers
    and oversight bodies (read-only) may not.
    """
    a = permissions.access(user)
    return a.superuser or bool(a.edit_governments)


def search_governments(*, q: str = "", country: str = "", level: str = "") -> QuerySet[LocalGovernment]:
    """Governments by name (or any spelling of their place's name, in any script)."""
    qs = LocalGovernment.objects.select_related("place").order_by("name", "id")
    if country:
        qs = qs.filter(country_code=country.upper())
    if level:
        qs = qs.filter(level=level)
    for word in q.split():
        key = name_key(word)
        match = Q(name__icontains=word)
        if key:
            match |= Q(place__in=PlaceName.objects.filter(
                key__gte=key, key__lt=prefix_upper_bound(key)).values("place_id"))
        qs = qs.filter(match)
    return qs


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def register_government(user, place: Place, *, level: str | None = None, name: str | None = None,
                        **data) -> LocalGovernment:
    """Create the government of a place at a level; refuse a second one at the same level."""
    if not can_register_government(user):
        raise PermissionDenied(_("Only editors of a local government office may register a government."))
    level = level or default_level(place)
    government = LocalGovernment(place=place, level=level, name=(name or "").strip() or place.name,
                                 country_code=place.country_code,
                                 **{k: v for k, v in data.items() if k in CHANGEABLE})
    government.traits = _unique(government.traits)
    government.sdg_priorities = _unique(government.sdg_priorities)
    errors: dict[str, list[str]] = {}
    try:
        government.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    taken = _("%(place)s already has a government at this level.") % {"place": place}
    if LocalGovernment.objects.filter(place=place, level=level).exists():
        errors.setdefault("level", []).append(taken)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            government.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({"level": [taken]})
    return government


def update_government(user, government: LocalGovernment, **data) -> LocalGovernment:
    if not permissions.can_edit_government(user, government):
        raise PermissionDenied(_("Only editors of this government's office may change it."))
    for key, value in data.items():
        if key in CHANGEABLE:
            setattr(government, key, _unique(value) if isinstance(value, list) else value)
    if "name" in data:
        government.name = (government.name or "").strip()
    with transaction.atomic():
        government.full_clean(validate_constraints=False)
        government.save()
    return government
