"""A government's traits: those its place has from sourced data (`gazetteer.PlaceTrait`) and those
its office recorded (`LocalGovernment.traits`), and the office's corrections of the data ones.

Shared by the profile page, the API, `kembar place-traits` and the matching filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core.validation import check_values
from kembar.gazetteer.models import Place, PlaceTrait
from kembar.gazetteer.vocab import SOURCES, Trait, TraitSource

from .models import LocalGovernment

REASON_MAX = 300


@dataclass
class TraitLine:
    """One trait as shown: from data (with its source, licence and date) or from the office."""

    trait: str
    label: str
    from_data: bool
    source: str = ""  # TraitSource code; "" for the office's own
    source_label: str = ""
    licence: str = ""
    attribution: str = ""
    url: str = ""
    as_of: dt.date | None = None
    detail: str = ""
    id: int | None = None  # the PlaceTrait, for a correction
    withdrawn: bool = False
    withdrawn_reason: str = ""
    withdrawn_at: dt.datetime | None = None

    def as_dict(self) -> dict:
        out = {"trait": self.trait, "source": self.source or "office"}
        if self.from_data:
            out.update(
                {
                    "source_name": self.source_label,
                    "licence": self.licence,
                    "attribution": self.attribution,
                    "as_of": self.as_of.isoformat() if self.as_of else None,
                    "detail": self.detail,
                }
            )
            if self.withdrawn:
                out["withdrawn"] = {
                    "at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
                    "reason": self.withdrawn_reason,
                }
        return out


def _label(code: str) -> str:
    return str(Trait(code).label) if code in Trait.values else code


def place_trait_lines(place: Place, *, withdrawn: bool = True) -> list[TraitLine]:
    """The traits sourced data gives a place, each with its source (withdrawn ones flagged, or
    left out with `withdrawn=False`). One query."""
    lines = []
    for row in PlaceTrait.objects.filter(place=place).order_by("trait", "source"):
        if row.withdrawn and not withdrawn:
            continue
        info = SOURCES.get(row.source)
        lines.append(
            TraitLine(
                trait=row.trait,
                label=_label(row.trait),
                from_data=True,
                source=row.source,
                source_label=str(TraitSource(row.source).label) if row.source in TraitSource.values else row.source,
                licence=info.licence if info else "",
                attribution=info.attribution if info else "",
                url=info.url if info else "",
                as_of=row.as_of,
                detail=row.detail,
                id=row.pk,
                withdrawn=row.withdrawn,
                withdrawn_reason=row.withdrawn_reason,
                withdrawn_at=row.withdrawn_at,
            )
        )
    return lines


def government_trait_lines(government: LocalGovernment) -> list[TraitLine]:
    """The data traits of the government's place, then those its office recorded that the data
    does not give (a trait both give is shown once, from data)."""
    lines = place_trait_lines(government.place)
    from_data = {line.trait for line in lines if not line.withdrawn}
    lines += [
        TraitLine(trait=t, label=_label(t), from_data=False)
        for t in government.traits or []
        if t in Trait.values and t not in from_data
    ]
    return lines


def effective_traits(government: LocalGovernment) -> set[str]:
    """What the government is known for: its place's data traits less the withdrawn ones, and
    its office's."""
    return {line.trait for line in government_trait_lines(government) if not line.withdrawn}


def _data_traits(government: LocalGovernment, trait: str) -> list[PlaceTrait]:
    rows = list(PlaceTrait.objects.select_for_update().filter(trait=trait, place_id=government.place_id))
    if not rows:
        raise ValidationError({"trait": [_("This trait is not one the data gives this government's place.")]})
    return rows


def withdraw_trait(user, government: LocalGovernment, trait: str, reason: str) -> list[PlaceTrait]:
    """The office corrects the data: this trait does not hold for its place. Recorded (who, when,
    why) and kept when the traits are loaded again; only editors of an office of a government at
    the place (or a platform administrator) may."""
    if not permissions.can_edit_government(user, government):
        raise PermissionDenied(_("Only editors of this government's office may correct its traits."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the data is wrong for your place.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason to %(n)d characters or fewer.") % {"n": REASON_MAX}]})
    try:
        check_values(PlaceTrait, {"withdrawn_reason": reason})
    except ValidationError as e:
        raise ValidationError({"reason": e.message_dict["withdrawn_reason"]}) from e
    with transaction.atomic():
        rows = _data_traits(government, trait)
        for row in rows:
            row.withdrawn_at = timezone.now()
            row.withdrawn_by = user if getattr(user, "pk", None) else None
            row.withdrawn_reason = reason
            row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return rows


def restore_trait(user, government: LocalGovernment, trait: str) -> list[PlaceTrait]:
    """Undo a correction: the data trait holds again."""
    if not permissions.can_edit_government(user, government):
        raise PermissionDenied(_("Only editors of this government's office may correct its traits."))
    with transaction.atomic():
        rows = _data_traits(government, trait)
        for row in rows:
            row.withdrawn_at, row.withdrawn_by, row.withdrawn_reason = None, None, ""
            row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return rows


def resolve_place_or_government(text: str) -> LocalGovernment | Place:
    """What `kembar place-traits` is asked about: a registered government by its address
    ("#ID", "NAME (LEVEL),CC", or "NAME,CC" when that names one), else the gazetteer place
    "NAME,CC" names (the most populous city of that name, else a subdivision)."""
    from kembar.gazetteer.normalise import name_key
    from kembar.gazetteer.services import parse_place_query

    from . import services

    try:
        return services.resolve_government(text)
    except services.GovernmentLookupError:
        if services.is_government_address(text):
            raise
    name, country = parse_place_query(text)
    key = name_key(name)
    places = Place.objects.filter(names__key=key).distinct() if key else Place.objects.none()
    if country:
        places = places.filter(country_code=country)
    ranked = sorted(places[:50], key=lambda p: (p.kind != Place.Kind.CITY, -p.population, p.pk))
    if not ranked:
        raise LookupError(_("No place is called “%(name)s”; give it as NAME,CC, e.g. “Surabaya,ID”.") % {"name": text})
    return ranked[0]


def traits_report(target: LocalGovernment | Place) -> dict:
    """The JSON `kembar place-traits --json` prints: the place, the government if one was asked
    for, and every trait with its source."""
    if isinstance(target, LocalGovernment):
        place, lines = target.place, government_trait_lines(target)
        government = {"id": target.pk, "name": target.name, "level": target.level}
    else:
        place, lines, government = target, place_trait_lines(target), None
    return {
        "place": {
            "id": place.pk,
            "name": place.name,
            "country": place.country_code,
            "kind": place.kind,
            "geonameid": place.geonameid,
            "subdivision_code": place.subdivision_code,
        },
        "government": government,
        "traits": [line.as_dict() for line in lines],
    }
