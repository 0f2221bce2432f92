"""Duplicates in the registry: finding them and merging them, each merge in one transaction.

A government can be registered twice (an office registered its partner before the twinning
import named it, or the import met two spellings), and an imported place the gazetteer did not
know is an *unverified* place beside the real one ("Leichlingen (Rheinland)" beside
Leichlingen). A platform administrator reviews the candidates and merges:

- **two governments** (`merge_governments(keep, drop)`): everything that names the dropped one
  (partnerships, activities it hosts, meetings, action items, solutions, requests, its office…)
  is re-pointed to the kept one. Two partnerships that become the same pair are merged into the
  older one (what hangs under the other — agreements, activities, meetings — moves with it; the
  fields of cooperation are joined; an empty since-date or basis is filled); a partnership
  between the two duplicates themselves is removed when nothing hangs under it and refuses the
  merge otherwise. Rows found by the database's relations, so a new model that names a
  government is merged without changes here; a row whose move would break a uniqueness rule
  (the same pilot twice) refuses the whole merge, naming it. A `GovernmentMerge` row records
  who merged what and what moved; the dropped government's history stays in its historical
  records.
- **an unverified place into a gazetteer place** (`merge_place`): its governments move to the
  gazetteer place (merged with the one already there at the same level), and its name becomes
  one of the gazetteer place's names, so a re-import of the same file finds the gazetteer place
  and creates nothing.

Nothing is half-written: a refusal rolls the whole merge back. `preview=True` does the merge
and rolls it back, to show what it would move.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key
from kembar.gazetteer.resolver import distance_km

from .models import GovernmentMerge, LocalGovernment, Partnership
from .services import involving

NEAR_KM = 25  # an unverified place this close to a gazetteer place of the same name is a candidate
SAME_GOVERNMENT_KM = 10  # two governments of the same name and level this close are a candidate
_QUALIFIER = re.compile(r"\s*\([^)]*\)")


@dataclass
class MergeReport:
    kept: str
    dropped: str
    moved: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        if count:
            self.moved[what] = self.moved.get(what, 0) + count


class _Preview(Exception):
    def __init__(self, report: MergeReport):
        self.report = report


def _is_history(model) -> bool:
    return model.__name__.startswith("Historical")


def _links_to(target, *, skip: tuple = ()) -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every concrete foreign key or many-to-many field of another model that points at `target`
    (historical models left out: they keep what was)."""
    for model in apps.get_models():
        if _is_history(model) or model in skip:
            continue
        for f in model._meta.get_fields():
            if f.concrete and f.is_relation and f.related_model is target:
                yield model, f


def _repoint(model, f, old, new, report: MergeReport) -> None:
    """Rows of `model` whose `f` names `old` now name `new`; a uniqueness clash refuses."""
    label = f"{model._meta.verbose_name_plural} ({f.verbose_name})"
    if f.many_to_many:
        through = f.remote_field.through
        target, owner = f.m2m_reverse_field_name(), f.m2m_field_name()
        already = through.objects.filter(**{target: new}).values(owner)
        through.objects.filter(**{target: old, f"{owner}__in": already}).delete()
        report.add(str(label), through.objects.filter(**{target: old}).update(**{target: new}))
        return
    try:
        with transaction.atomic():
            report.add(str(label), model._default_manager.filter(**{f.name: old}).update(**{f.name: new}))
    except IntegrityError:
        raise ValidationError(
            _("Both hold the same %(what)s: merge or remove one of them first.") % {"what": model._meta.verbose_name}
        ) from None


def _merge_partnership(duplicate: Partnership, into: Partnership, report: MergeReport) -> None:
    """Move what hangs under `duplicate` to `into`, join their facts, remove `duplicate`."""
    for model, f in _links_to(Partnership):
        _repoint(model, f, duplicate, into, report)
    into.fields.add(*duplicate.fields.all())
    if duplicate.since and (into.since is None or duplicate.since < into.since):
        into.since = duplicate.since
    into.basis = into.basis or duplicate.basis
    into.notes = "\n\n".join(n for n in (into.notes, duplicate.notes) if n)
    into.public = into.public or duplicate.public
    into.save()
    duplicate.delete()
    report.add(_("partnerships merged with the same pair"), 1)


def _hangs_under(partnership: Partnership) -> bool:
    return any(model._default_manager.filter(**{f.name: partnership}).exists() for model, f in _links_to(Partnership))


def _move_partnerships(keep: LocalGovernment, drop: LocalGovernment, report: MergeReport) -> None:
    for p in Partnership.objects.filter(involving(drop)).select_related("government_a", "government_b"):
        other = p.other(drop)
        if other.pk == keep.pk:
            if _hangs_under(p):
                raise ValidationError(
                    _(
                        "%(partnership)s is a partnership between the two: move or remove what is recorded under it first."
                    )
                    % {"partnership": p}
                )
            p.delete()
            report.add(_("partnerships between the two removed"), 1)
            continue
        a, b = sorted((keep.pk, other.pk))
        existing = Partnership.objects.filter(government_a_id=a, government_b_id=b).first()
        if existing is not None:
            older, newer = sorted((existing, p), key=lambda x: x.pk)
            _merge_partnership(newer, older, report)
            if older.pk == p.pk:  # the dropped side's partnership was the older one: it names keep now
                Partnership.objects.filter(pk=p.pk).update(government_a_id=a, government_b_id=b)
            continue
        p.government_a_id, p.government_b_id = a, b
        p.save()
        report.add(_("partnerships moved"), 1)


def _absorb_names(place: Place, into: Place) -> None:
    """`place`'s names become names of `into` (so the resolver finds `into` by them)."""
    known = set(into.names.values_list("key", flat=True))
    spellings = {place.name, *place.names.values_list("name", flat=True)}
    new = {name_key(n): n for n in spellings if name_key(n) and name_key(n) not in known}
    PlaceName.objects.bulk_create([PlaceName(place=into, name=n, key=k) for k, n in new.items()])


def _drop_unverified_place(place: Place, into: Place) -> None:
    if not place.verified and into.verified and not place.governments.exists():
        _absorb_names(place, into)
        place.delete()


def _merge_governments(keep: LocalGovernment, drop: LocalGovernment, user) -> MergeReport:
    if keep.pk == drop.pk:
        raise ValidationError(_("A government cannot be merged into itself."))
    if keep.country_code != drop.country_code:
        raise ValidationError(_("Only governments of the same country can be merged."))
    report = MergeReport(str(keep), str(drop))
    _move_partnerships(keep, drop, report)
    for model, f in _links_to(LocalGovernment, skip=(Partnership, GovernmentMerge)):
        _repoint(model, f, drop, keep, report)
    GovernmentMerge.objects.create(
        kept=keep,
        dropped_id=drop.pk,
        dropped_name=drop.name,
        dropped_place=str(drop.place),
        moved=report.moved,
        merged_by=user,
    )
    place = drop.place
    drop.delete()
    _drop_unverified_place(place, keep.place)
    return report


def merge_governments(keep: LocalGovernment, drop: LocalGovernment, *, user=None, preview=False) -> MergeReport:
    """Merge `drop` into `keep` (see the module's docstring); ValidationError when refused."""
    try:
        with transaction.atomic():
            keep = LocalGovernment.objects.select_for_update().select_related("place").get(pk=keep.pk)
            drop = LocalGovernment.objects.select_for_update().select_related("place").get(pk=drop.pk)
            report = _merge_governments(keep, drop, user)
            if preview:
                raise _Preview(report)
    except _Preview as done:
        return done.report
    return report


def merge_place(place: Place, into: Place, *, user=None, preview=False) -> MergeReport:
    """Merge the unverified `place` into the gazetteer place `into`; ValidationError when refused."""
    if place.verified:
        raise ValidationError(_("Only an unverified place can be merged into a gazetteer place."))
    if not into.verified:
        raise ValidationError(_("Merge into a gazetteer place, not into another unverified one."))
    if place.country_code != into.country_code:
        raise ValidationError(_("Only places of the same country can be merged."))
    report = MergeReport(str(into), str(place))
    try:
        with transaction.atomic():
            for government in LocalGovernment.objects.filter(place=place).select_related("place"):
                twin = LocalGovernment.objects.filter(place=into, level=government.level).first()
                if twin is not None:
                    inner = _merge_governments(twin, government, user)
                    for what, count in inner.moved.items():
                        report.add(what, count)
                    report.add(_("governments merged"), 1)
                else:
                    government.place = into
                    government.save()
                    report.add(_("governments moved to the gazetteer place"), 1)
            _absorb_names(place, into)
            Place.objects.filter(pk=place.pk).delete()
            if preview:
                raise _Preview(report)
    except _Preview as done:
        return done.report
    return report


def merge_pair(kind: str, keep, drop, *, user=None, preview=False) -> MergeReport:
    """Merge `drop` into `keep`: two governments (kind "government"), or an unverified place into a
    gazetteer place (kind "place")."""
    if kind == "place":
        return merge_place(drop, keep, user=user, preview=preview)
    return merge_governments(keep, drop, user=user, preview=preview)


# --- candidates -------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A pair an administrator may want to merge: `drop` into `keep` (governments or places)."""

    kind: str  # "place" or "government"
    keep: Place | LocalGovernment
    drop: Place | LocalGovernment
    distance_km: float | None


def base_key(name: str) -> str:
    """A name's key without its qualifiers: "Leichlingen (Rheinland)" → "leichlingen"."""
    return name_key(_QUALIFIER.sub("", name)) or name_key(name)


def _near(a, b, km: float) -> tuple[bool, float | None]:
    if a.has_coordinates and b.has_coordinates:
        d = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
        return d <= km, round(d, 1)
    return True, None


def place_candidates() -> list[Candidate]:
    """Unverified places with a gazetteer place of the same name (qualifiers left out) in their
    country, within NEAR_KM where both have coordinates (three queries)."""
    unverified = list(Place.objects.filter(kind=Place.Kind.UNVERIFIED))
    keys = {base_key(p.name) for p in unverified}
    by_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    for key, place_id, cc in (
        PlaceName.objects.filter(key__in=keys)
        .exclude(place__kind=Place.Kind.UNVERIFIED)
        .values_list("key", "place_id", "place__country_code")
    ):
        by_key[(key, cc)].add(place_id)
    places = Place.objects.in_bulk({pid for ids in by_key.values() for pid in ids})
    found = []
    for place in unverified:
        for pid in by_key.get((base_key(place.name), place.country_code), ()):
            near, km = _near(place, places[pid], NEAR_KM)
            if near:
                found.append(Candidate("place", places[pid], place, km))
    return found


def government_candidates() -> list[Candidate]:
    """Two governments of the same name (qualifiers left out), country and level on different
    places within SAME_GOVERNMENT_KM (one query)."""
    groups: dict[tuple[str, str, str], list[LocalGovernment]] = defaultdict(list)
    for government in LocalGovernment.objects.select_related("place").order_by("pk"):
        groups[(base_key(government.name), government.country_code, government.level)].append(government)
    found = []
    for group in groups.values():
        for i, keep in enumerate(group):
            for drop in group[i + 1 :]:
                near, km = _near(keep.place, drop.place, SAME_GOVERNMENT_KM)
                if near and keep.place_id != drop.place_id:
                    found.append(Candidate("government", keep, drop, km))
    return found


def candidates() -> list[Candidate]:
    """Both kinds, nearest first."""
    found = government_candidates() + place_candidates()
    return sorted(found, key=lambda c: (c.distance_km is None, c.distance_km or 0, str(c.drop)))


# --- the review queue of unverified places ------------------------------------------------------

REVIEW_NEAR_KM = 30  # gazetteer places this close to an unverified place are candidates by place
REVIEW_CANDIDATES = 3


@dataclass
class Ranked:
    """A gazetteer place an unverified place may be, with what speaks for it."""

    place: Place
    similarity: int  # 0-100, the names' keys compared
    distance_km: float | None
    score: float


def rank_candidates(place: Place, found: list[Place]) -> list[Ranked]:
    """Candidates for one unverified place, best first: a like name counts most, then nearness,
    then size; a town before a division when the rest is equal. No query."""
    key = base_key(place.name)
    ranked = []
    for candidate in found:
        similarity = round(fuzz.token_sort_ratio(key, name_key(candidate.name)))
        km = None
        if place.has_coordinates and candidate.has_coordinates:
            km = round(distance_km(place.latitude, place.longitude, candidate.latitude, candidate.longitude), 1)
        score = (
            similarity
            - (min(km, 200) / 2 if km is not None else 25)
            + math.log10(candidate.population + 1) * 2
            + (1 if candidate.kind == Place.Kind.CITY else 0)
        )
        ranked.append(Ranked(candidate, similarity, km, round(score, 1)))
    ranked.sort(key=lambda r: (-r.score, r.place.pk))
    return ranked


def review_queue(places: list[Place], *, limit: int = REVIEW_CANDIDATES) -> dict[int, list[Ranked]]:
    """Ranked gazetteer candidates for a page of unverified places: those of the same country
    bearing the name (qualifiers left out) or lying within REVIEW_NEAR_KM. Two queries, whatever
    the page's size."""
    if not places:
        return {}
    near = Q()
    for p in places:
        if p.has_coordinates:
            dlat = REVIEW_NEAR_KM / 111
            dlng = REVIEW_NEAR_KM / (111 * max(0.1, math.cos(math.radians(p.latitude))))
            near |= Q(
                country_code=p.country_code,
                latitude__range=(p.latitude - dlat, p.latitude + dlat),
                longitude__range=(p.longitude - dlng, p.longitude + dlng),
            )
    keys = {base_key(p.name) for p in places}
    named = PlaceName.objects.filter(key__in=keys).values("place_id")
    found = list(
        Place.objects.exclude(kind=Place.Kind.UNVERIFIED).filter(
            Q(id__in=named, country_code__in={p.country_code for p in places}) | near
        )
    )
    names: dict[int, set[str]] = defaultdict(set)
    for place_id, key in PlaceName.objects.filter(place__in=[f.pk for f in found], key__in=keys).values_list(
        "place_id", "key"
    ):
        names[place_id].add(key)
    out = {}
    for p in places:
        key = base_key(p.name)
        mine = []
        for f in found:
            if f.country_code != p.country_code:
                continue
            close = p.has_coordinates and f.has_coordinates and _near(p, f, REVIEW_NEAR_KM)[0]
            if key in names[f.pk] or close:
                mine.append(f)
        out[p.pk] = rank_candidates(p, mine)[:limit]
    return out
