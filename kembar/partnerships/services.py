"""Registry logic: creating and changing partnerships, finding governments.

Views, the API, the CLI and the importer all call these functions, so the rules (an
unordered pair exists once, nobody partners itself, concurrent edits are refused) hold
everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.functional import Promise as StrOrPromise
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core.versioning import create_with_relations, locked, record_author, save_changes, save_version
from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key, prefix_upper_bound
from kembar.gazetteer.services import parse_place_query

from .claims import confirmation
from .models import CooperationField, LocalGovernment, Partnership
from .vocab import Field, Kind, Level, Status, level_for_subdivision

EDITABLE_FIELDS = ["kind", "status", "since", "basis", "public", "notes"]


def default_level(place: Place) -> str:
    if place.kind == Place.Kind.SUBDIVISION:
        return level_for_subdivision(place.subdivision_type)
    return Level.CITY


CITY_LEVELS = [Level.CITY, Level.REGENCY, Level.MUNICIPALITY, Level.DISTRICT, Level.COUNTY]
SUBDIVISION_LEVELS = [
    Level.PROVINCE,
    Level.SPECIAL_REGION,
    Level.PREFECTURE,
    Level.STATE,
    Level.REGION,
    Level.COUNTY,
    Level.DISTRICT,
    Level.MUNICIPALITY,
    Level.CITY,
]


def allowed_levels(place: Place) -> list[Level]:
    """The levels a government of this place can have: a city is not a prefecture."""
    return SUBDIVISION_LEVELS if place.kind == Place.Kind.SUBDIVISION else CITY_LEVELS


def _level_refused(place: Place, level: str) -> str:
    return _("%(place)s is a %(kind)s; its government cannot be at the level “%(level)s”.") % {
        "place": place.name,
        "kind": place.get_kind_display().lower(),
        "level": Level(level).label if level in Level.values else level,
    }


def government_for_place(place: Place, level: str | None = None) -> LocalGovernment:
    """The government of a place at a level, created on first use."""
    level = level or default_level(place)
    if level not in allowed_levels(place):
        raise ValidationError({"level": [_level_refused(place, level)]})
    government, _created = LocalGovernment.objects.get_or_create(
        place=place, level=level, defaults={"name": place.name, "country_code": place.country_code}
    )
    return government


def partnership_queryset() -> QuerySet[Partnership]:
    """Partnerships with everything a list or detail shows, in a fixed number of queries."""
    return Partnership.objects.select_related(
        "government_a__place", "government_b__place", "confirmed_by"
    ).prefetch_related(fields_in_order())


def fields_in_order() -> Prefetch:
    """A partnership's fields of cooperation by code, read for many rows in one query."""
    return Prefetch("fields", queryset=CooperationField.objects.order_by("code"))


@dataclass
class PartnershipFilter:
    q: str = ""
    country: str = ""
    kind: str = ""
    status: str = ""
    field: str = ""
    government: int | None = None


MAX_SEARCH_WORDS = 8  # each word is one more OR clause; a pasted paragraph must not build a huge query


def involving(government: LocalGovernment | int) -> Q:
    """Partnerships where the government is on either side."""
    return Q(government_a=government) | Q(government_b=government)


def involving_any(government_ids) -> Q:
    """Partnerships where one of `government_ids` (a list, or a query of ids) is on either side."""
    return Q(government_a__in=government_ids) | Q(government_b__in=government_ids)


def status_counts(queryset: QuerySet[Partnership]) -> list[tuple[str, StrOrPromise, int]]:
    """(code, label, count) for every status, zeros included, in one query."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return [(code, label, counts.get(code, 0)) for code, label in Status.choices]


def filter_partnerships(queryset: QuerySet[Partnership], f: PartnershipFilter) -> QuerySet[Partnership]:
    if f.country:
        # As two IN lists of governments, not joins: PostgreSQL then reads the partnerships by
        # their government indexes instead of joining the whole registry twice (4× faster).
        in_country = LocalGovernment.objects.filter(country_code=f.country.upper()).values("pk")
        queryset = queryset.filter(involving_any(in_country))
    if f.kind:
        queryset = queryset.filter(kind=f.kind)
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.field:
        queryset = queryset.filter(fields__code=f.field)
    if f.government:
        queryset = queryset.filter(involving(f.government))
    if f.q:
        for word in f.q.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(pk__in=_mentioning(word))
    return queryset


def _mentioning(word: str) -> QuerySet:
    """The ids of the partnerships with `word` in either government's name, the basis or the
    notes: four queries joined by UNION, each of which PostgreSQL answers from an index (the
    trigram indexes, where the server has pg_trgm: migration 0010) instead of testing every
    row of the registry for the four at once."""
    named = LocalGovernment.objects.filter(name__icontains=word).values("pk")
    ids = Partnership.objects.order_by().values("pk")
    return ids.filter(government_a__in=named).union(
        ids.filter(government_b__in=named), ids.filter(basis__icontains=word), ids.filter(notes__icontains=word)
    )


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if "kind" in data and data["kind"] not in Kind.values:
        errors["kind"] = [_("Unknown kind “%(value)s”.") % {"value": data["kind"]}]
    if "status" in data and data["status"] not in Status.values:
        errors["status"] = [_("Unknown status “%(value)s”.") % {"value": data["status"]}]
    # Tomorrow in UTC is already today east of Greenwich (07:00 in Bandung is 00:00 UTC).
    if data.get("since") and data["since"] > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        errors["since"] = [_("The start date cannot be in the future.")]
    if "fields" in data:
        unknown = [f for f in data["fields"] if f not in Field.values]
        if unknown:
            errors["fields"] = [_("Unknown field of cooperation: %(codes)s.") % {"codes": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    return data


def create_partnership(
    user,
    government_a: LocalGovernment,
    government_b: LocalGovernment,
    *,
    fields: Iterable[str] = (),
    check_permission: bool = True,
    **data,
) -> Partnership:
    """Create a partnership between two governments (in either order).

    Raises ValidationError (keyed by field) for a self-partnership, an existing pair or bad
    values, and PermissionDenied when the user acts for neither government.
    """
    if government_a.pk == government_b.pk:
        raise ValidationError({"government_b": [_("A government cannot partner itself.")]})
    if check_permission and not permissions.can_create_partnership(user, government_a.pk, government_b.pk):
        raise PermissionDenied(_("You can only create partnerships of a government your organisation acts for."))
    fields = list(fields)
    _clean({**data, "fields": fields})
    a, b = sorted([government_a, government_b], key=lambda g: g.pk)
    if Partnership.objects.filter(government_a=a, government_b=b).exists():
        raise ValidationError(
            {"government_b": [_("%(a)s and %(b)s are already partners.") % {"a": a.name, "b": b.name}]}
        )
    try:
        with transaction.atomic():
            partnership = Partnership(
                government_a=a, government_b=b, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS + ["source"]}
            )
            create_with_relations(partnership, user, fields=fields)
    except IntegrityError:
        raise ValidationError(
            {"government_b": [_("%(a)s and %(b)s are already partners.") % {"a": a.name, "b": b.name}]}
        )
    return partnership


def update_partnership(
    user, partnership: Partnership, *, expected_version: int | None = None, fields: Iterable[str] | None = None, **data
) -> Partnership:
    """Change a partnership. With expected_version, refuse when someone saved in between. The
    partnership returned has its governments and their places."""
    if not permissions.can_edit_partnership(user, partnership):
        raise PermissionDenied(_("You may not change this partnership."))
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    _clean({**data, **({"fields": list(fields)} if fields is not None else {})})
    with transaction.atomic():
        # An office's save is its confirmation of what it saved (kembar.partnerships.claims).
        current = save_changes(
            Partnership.objects.select_related("government_a__place", "government_b__place"),
            partnership.pk,
            expected_version,
            user,
            {**data, **confirmation(user, partnership)},
        )
        if fields is not None:
            current.fields.set(list(fields))  # type: ignore[arg-type]  # CooperationField's key is its code
    return current


def delete_partnership(user, partnership: Partnership) -> None:
    if not permissions.can_edit_partnership(user, partnership):
        raise PermissionDenied(_("You may not delete this partnership."))
    record_author(partnership, user)
    partnership.delete()


class GovernmentLookupError(LookupError):
    """An unknown or ambiguous government name; `candidates` lists what might have been meant,
    `name` is the name as typed (without country and level), for the candidates' address forms."""

    def __init__(self, message: str, candidates: list[LocalGovernment], name: str = ""):
        super().__init__(message)
        self.candidates = candidates
        self.name = name


# A government's address (docs/registry.md#addressing-a-government): "NAME,CC" when that names one
# government, "NAME (LEVEL),CC" with a level word in English or Indonesian, "#ID" always.
_BY_ID = re.compile(r"^#\s*(\d{1,18})$")
_QUALIFIED = re.compile(r"^(?P<name>.*\S)\s*\((?P<level>[^()]+)\)$")
MAX_ADDRESSED = 10  # candidates given with their address forms (each costs a few queries)


@lru_cache(maxsize=1)
def level_words() -> dict[str, str]:
    """Every word that names a government level, by its name key: the code ("special_region"),
    the English and the Indonesian label ("Special region", "Daerah istimewa", "Kabupaten")."""
    words: dict[str, str] = {}
    for level in Level:
        names = [level.value]
        for language in ("en", "id"):
            with translation.override(language):
                names.append(str(level.label))
        for name in names:
            words[name_key(name)] = level.value
    return words


def split_level(name: str) -> tuple[str, str | None]:
    """("Kyoto", "prefecture") from "Kyoto (Prefecture)" or "Kyoto (prefektur)"; a bracket that
    names no level stays part of the name ("Gangnam (Seoul)")."""
    match = _QUALIFIED.match(name.strip())
    if match:
        level = level_words().get(name_key(match["level"]))
        if level:
            return match["name"].strip(), level
    return name.strip(), None


def is_government_address(text: str) -> bool:
    """Whether `text` can only mean a registered government: "#ID" or a name with a level."""
    name, _country = parse_place_query(text)
    return bool(_BY_ID.match(name.strip())) or split_level(name)[1] is not None


def resolve_government(text: str) -> LocalGovernment:
    """The registered local government `text` addresses: "NAME,CC" (or NAME alone if it is
    unique), "NAME (LEVEL),CC" (or without the country), or "#ID" (optionally ",CC").

    NAME matches the government's name or any name of its place, case- and accent-insensitive;
    LEVEL is a level's code or its English or Indonesian word, in any case. Every command, page
    field and import that takes a government by name comes here.
    """
    name, country = parse_place_query(text)
    if by_id := _BY_ID.match(name):
        found = LocalGovernment.objects.select_related("place").filter(pk=int(by_id[1])).first()
        if found is None or (country and found.country_code != country):
            raise GovernmentLookupError(
                _("No registered local government has the address “%(name)s”.") % {"name": text.strip()}, []
            )
        return found
    name, level = split_level(name)
    key = name_key(name)
    if not key:
        raise GovernmentLookupError(_("Give a government as NAME,CC, e.g. “Bandung,ID”."), [])
    in_country = LocalGovernment.objects.select_related("place").order_by("country_code", "level", "name", "id")
    if country:
        in_country = in_country.filter(country_code=country)
    qs = in_country.filter(level=level) if level else in_country
    matches = list(qs.filter(Q(place__names__key=key)).distinct()[:20])
    matches += [g for g in qs.filter(name__iexact=name) if g not in matches]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        # What might have been meant, at any level (a wrong level word is a likely mistake).
        near = list(in_country.filter(Q(place__names__key=key) | Q(name__iexact=name)).distinct()[:10])
        if not near and name.split():
            near = list(in_country.filter(name__icontains=name.split()[0])[:10])
        raise GovernmentLookupError(
            _("No registered local government is called “%(name)s”.") % {"name": text.strip()}, near, name
        )
    raise GovernmentLookupError(_("“%(name)s” is ambiguous.") % {"name": text.strip()}, matches, name)


def _addresses(government: LocalGovernment, form: str) -> bool:
    try:
        return resolve_government(form) == government
    except GovernmentLookupError:
        return False


def government_address(government: LocalGovernment, name: str = "") -> str:
    """The shortest form that addresses this government alone, starting from `name` (what
    someone typed; else the government's own name): "NAME,CC", then "NAME (LEVEL),CC" with the
    level's English word, else "#ID", which always does."""
    cc = government.country_code
    level = government.level.replace("_", " ")
    for base in dict.fromkeys(n for n in (name.strip(), government.name) if n):
        for form in (f"{base},{cc}", f"{base} ({level}),{cc}"):
            if _addresses(government, form):
                return form
    return f"#{government.pk}"


def candidate_lines(error: GovernmentLookupError) -> list[str]:
    """Each candidate in its unambiguous form, with its name, level and id."""
    return [
        f"{government_address(g, error.name)}  — {g.name} ({g.get_level_display()}, {g.country_code}, #{g.pk})"
        for g in error.candidates[:MAX_ADDRESSED]
    ]


def government_lookup_message(error: GovernmentLookupError, *, inline: bool = False) -> str:
    """The error and its candidates in their unambiguous forms: one line each for the command
    line, or one sentence ("Did you mean: …?") for a form or an import report."""
    if not error.candidates:
        return str(error)
    if inline:
        forms = "; ".join(government_address(g, error.name) for g in error.candidates[:MAX_ADDRESSED])
        return f"{error} " + _("Did you mean: %(names)s?") % {"names": forms}
    return "\n".join([str(error), _("Candidates:"), *(f"  {line}" for line in candidate_lines(error))])


# Local governments

GOVERNMENT_FIELDS = ["name", "traits", "sdg_priorities", "contact_email", "contact_phone", "website", "address"]


def search_governments(*, q: str = "", country: str = "", level: str = "") -> QuerySet[LocalGovernment]:
    """Governments by name (or any spelling of their place's name, in any script)."""
    qs = LocalGovernment.objects.select_related("place").order_by("name", "id")
    if country:
        qs = qs.filter(country_code=country.upper())
    if level:
        qs = qs.filter(level=level)
    for word in q.split()[:MAX_SEARCH_WORDS]:
        key = name_key(word)
        match = Q(name__icontains=word)
        if key:
            match |= Q(
                place__in=PlaceName.objects.filter(key__gte=key, key__lt=prefix_upper_bound(key)).values("place_id")
            )
        qs = qs.filter(match)
    return qs


SUGGESTIONS = 10


def in_public_partnerships(governments: QuerySet[LocalGovernment]) -> QuerySet[LocalGovernment]:
    """Those of the governments that are a side of at least one public partnership."""
    public = Partnership.objects.filter(public=True)
    return governments.filter(Q(pk__in=public.values("government_a")) | Q(pk__in=public.values("government_b")))


def suggest_governments(
    text: str, *, limit: int = SUGGESTIONS, in_public_partnership: bool = False, ids=None
) -> list[LocalGovernment]:
    """The governments an autocomplete offers for what was typed ("Bandung", "Kyoto, JP",
    "京都"): by their name or any name of their place, those whose own name matches first, the
    biggest places first. With
    `in_public_partnership`, only governments of a public partnership (the public portal's
    filter); with `ids`, only those governments (a user's own)."""
    name, country = parse_place_query(text)
    if len(name_key(name)) < 2:
        return []
    qs = search_governments(q=name, country=country or "")
    if in_public_partnership:
        qs = in_public_partnerships(qs)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    # A government whose own name has a word starting so ("Band" -> Kota Bandung) comes before one
    # found by another spelling of its place (Malay "Bandar Melaka"), each biggest first.
    typed = " ".join(name.split())
    by_name = Q(name__istartswith=typed) | Q(name__icontains=" " + typed)
    ordered = qs.order_by("-place__population", "name", "id")
    found = list(ordered.filter(by_name)[:limit])
    if len(found) < limit:
        found += list(ordered.exclude(by_name)[: limit - len(found)])
    return found


def suggest_partnerships(user, text: str, *, limit: int = SUGGESTIONS) -> list[Partnership]:
    """The partnerships the user may read whose either side is called what was typed."""
    name, country = parse_place_query(text)
    if len(name_key(name)) < 2:
        return []
    governments = search_governments(q=name, country=country or "").values("pk")
    qs = permissions.visible_partnerships(user, partnership_queryset()).filter(
        Q(government_a__in=governments) | Q(government_b__in=governments)
    )
    return list(qs.order_by("government_a__name", "government_b__name", "id")[:limit])


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def register_government(
    user, place: Place, *, level: str | None = None, name: str | None = None, **data
) -> LocalGovernment:
    """Create the government of a place at a level; refuse a second one at the same level."""
    if not permissions.can_register_government(user):
        raise PermissionDenied(_("Only editors of a local government office may register a government."))
    level = level or default_level(place)
    government = LocalGovernment(
        place=place,
        level=level,
        name=(name or "").strip() or place.name,
        country_code=place.country_code,
        **{k: v for k, v in data.items() if k in GOVERNMENT_FIELDS},
    )
    government.traits = _unique(government.traits)
    government.sdg_priorities = _unique(government.sdg_priorities)
    errors: dict[str, list[str]] = {}
    try:
        government.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    taken = _("%(place)s already has a government at this level.") % {"place": place}
    if level not in allowed_levels(place):
        errors.setdefault("level", []).append(_level_refused(place, level))
    elif LocalGovernment.objects.filter(place=place, level=level).exists():
        errors.setdefault("level", []).append(taken)
    if errors:
        raise ValidationError(errors)
    record_author(government, user)
    try:
        with transaction.atomic():
            government.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({"level": [taken]})
    return government


def update_government(
    user, government: LocalGovernment, *, expected_version: int | None = None, **data
) -> LocalGovernment:
    """Change a government's profile. With expected_version, refuse when someone saved in between."""
    if not permissions.can_edit_government(user, government):
        raise PermissionDenied(_("Only editors of this government's office may change it."))
    with transaction.atomic():
        current = locked(LocalGovernment, government.pk, expected_version)
        for key, value in data.items():
            if key in GOVERNMENT_FIELDS:
                setattr(current, key, _unique(value) if isinstance(value, list) else value)
        if "name" in data:
            current.name = (current.name or "").strip()
        current.full_clean(validate_constraints=False)
        return save_version(current, user)
