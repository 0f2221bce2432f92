"""Partner matchmaking for the platform: the model built from the registry, and suggestions.

The learning and scoring live in `recommend.py` (no Django); here the registry becomes a
network (every gazetteer place is a candidate, every partnership a link between the places of
its two governments) and answers become places, governments and reasons in words.

The model is built by `kembar match-train` and saved to `settings.MATCHING_MODEL_PATH`
(default `var/matching-model.pkl`); each process loads it once and reloads it when the file
changes. Without a model file, suggestions are not available and pages and the API say so
(training takes tens of seconds, too long for a request).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy import sparse

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.accounts.services import by_language, government_language
from kembar.core.mail import queue_translated
from kembar.core.reminders import mail_url
from kembar.core.versioning import locked, save_version
from kembar.gazetteer import levels
from kembar.gazetteer.countries import country_name
from kembar.gazetteer.models import Place
from kembar.gazetteer.normalise import name_key
from kembar.gazetteer.services import admin1_of, province_names
from kembar.gazetteer.traits import TRAITS_DATA_SPEAKS_FOR_EVERY_PLACE, data_traits
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import involving
from kembar.partnerships.vocab import Field, Trait

from .models import Interest, PartnerRequest
from .network import Network, Nodes, utc_offset
from .recommend import FEATURES, F, Recommender, train


class ModelMissing(RuntimeError):
    """No model file yet: run `kembar match-train`."""


class NotInModel(LookupError):
    """The government's place was added after the model was built."""


def model_path() -> Path:
    configured = getattr(settings, "MATCHING_MODEL_PATH", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "matching-model.pkl"


# Building from the registry


def region_key(country_code: str, admin1_code: str) -> str:
    """A first-level division as the model names it: "ID.30" (GeoNames' admin1 code in its country)."""
    return f"{country_code}.{admin1_code}"


def registry_network(progress=None) -> Network:
    """Every place of the gazetteer as a node; every partnership as a link between places."""
    rows = list(
        Place.objects.order_by("pk").values_list(
            "pk",
            "name",
            "country_code",
            "latitude",
            "longitude",
            "population",
            "timezone",
            "admin1_code",
            "kind",
            "subdivision_code",
        )
    )
    if progress:
        progress(_("places read: %(n)d") % {"n": len(rows)})
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    index = {pk: i for i, pk in enumerate(ids.tolist())}
    countries = sorted({r[2] for r in rows})
    cidx = {c: i for i, c in enumerate(countries)}
    region_names = sorted({region_key(r[2], r[7]) for r in rows if r[7]})
    ridx = {r: i for i, r in enumerate(region_names)}
    tz_cache: dict = {}
    tag_names = (
        [f"trait:{t}" for t in Trait.values] + [f"field:{f}" for f in Field.values] + [f"sdg:{n}" for n in range(1, 18)]
    )
    tag_index = {t: i for i, t in enumerate(tag_names)}
    tag_rows, tag_cols = [], []

    def tag(place_id, name):
        if place_id in index and name in tag_index:
            tag_rows.append(index[place_id])
            tag_cols.append(tag_index[name])

    for place_id, traits in data_traits().items():  # from sourced data: ports, capitals, coast...
        for t in traits:
            tag(place_id, f"trait:{t}")
    for place_id, traits, sdgs in LocalGovernment.objects.values_list("place_id", "traits", "sdg_priorities"):
        for t in traits or []:
            tag(place_id, f"trait:{t}")
        for s in sdgs or []:
            tag(place_id, f"sdg:{s}")
    edges = []
    # Only public partnerships teach the model: its reasons ("3 of your partners...") are shown to anyone.
    for a, b in Partnership.objects.filter(public=True).values_list("government_a__place_id", "government_b__place_id"):
        if a in index and b in index:
            edges.append((index[a], index[b]))
    for a, b, f in Partnership.fields.through.objects.filter(partnership__public=True).values_list(
        "partnership__government_a__place_id", "partnership__government_b__place_id", "cooperationfield_id"
    ):
        tag(a, f"field:{f}")
        tag(b, f"field:{f}")
    tags = sparse.csr_matrix(
        (np.ones(len(tag_rows), dtype=np.float32), (tag_rows, tag_cols)), shape=(len(rows), len(tag_names))
    )
    tags.data[:] = 1.0  # duplicates summed above count once
    nodes = Nodes(
        names=[r[1] for r in rows],
        name_keys=[name_key(r[1]) for r in rows],
        countries=np.array([cidx[r[2]] for r in rows], dtype=np.int64),
        country_names=countries,
        lat=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=np.float64),
        lng=np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float64),
        population=np.array([r[5] if r[5] else np.nan for r in rows], dtype=np.float64),
        utc_offset=np.array([utc_offset(r[6], tz_cache) for r in rows], dtype=np.float64),
        tags=tags,
        tag_names=tag_names,
        ids=ids,
        regions=np.array([ridx[region_key(r[2], r[7])] if r[7] else -1 for r in rows], dtype=np.int64),
        region_names=region_names,
        first_level=np.array([levels.place_tier(r[8], r[7], r[9]) == levels.PROVINCE for r in rows], dtype=bool),
    )
    if progress:
        progress(_("links read: %(n)d") % {"n": len(edges)})
    return Network(nodes, np.array(edges, dtype=np.int64).reshape(-1, 2))


def build_model(progress=None, seed: int = 0) -> Recommender:
    """Learn a model from the registry (ValueError when there are too few links)."""
    net = registry_network(progress)
    step = None
    if progress:

        def step(stage, done, total):
            progress(_("learning (%(stage)s): %(done)d/%(total)d") % {"stage": stage, "done": done, "total": total})

    return train(net, seed=seed, progress=step)


def save_model(model: Recommender, path: Path | None = None) -> Path:
    """Write atomically: a process loading meanwhile sees the old file or the new, never half."""
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, path)
    return path


_loaded: dict = {}
_lock = threading.Lock()


def load_model() -> Recommender:
    """The saved model, loaded once per process and again when the file changes."""
    path = model_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise ModelMissing(_("No matchmaking model has been built yet: run “kembar match-train”.")) from None
    with _lock:
        if _loaded.get("key") != (str(path), stamp):
            with path.open("rb") as handle:
                model = pickle.load(handle)
            if getattr(model, "features", None) != FEATURES or getattr(model.net.nodes, "first_level", None) is None:
                raise ModelMissing(
                    _(
                        "The matchmaking model was built by an earlier version of kembar: "
                        "run “kembar match-train” again."
                    )
                )
            model.place_index = {int(pk): i for i, pk in enumerate(model.net.nodes.ids.tolist())}
            _loaded.update(key=(str(path), stamp), model=model)
        return _loaded["model"]


# Suggestions


def region_choices(country_code: str, examples: int = 3) -> list[tuple[str, str]]:
    """The first-level divisions of a country as (admin1 code, label): the province's name
    ("Jawa Barat") where the gazetteer knows the division's ISO 3166-2 subdivision, else
    "code: its largest towns". Sorted by label; two queries."""
    country_code = (country_code or "").upper()
    provinces = province_names(country_code)
    towns: dict[str, list[str]] = {}
    for code, name in (
        Place.objects.filter(country_code=country_code, kind=Place.Kind.CITY)
        .exclude(admin1_code="")
        .order_by("-population", "name")
        .values_list("admin1_code", "name")
    ):
        towns.setdefault(code, [])
        if len(towns[code]) < examples:
            towns[code].append(name)
    labels = {
        code: provinces[code].name if code in provinces else f"{code}: {', '.join(names)}"
        for code, names in towns.items()
    }
    return sorted(labels.items(), key=lambda item: (item[0] not in provinces, name_key(item[1])))


@dataclass
class SuggestionFilter:
    country: str = ""
    region: str = ""  # GeoNames admin1 code within `country` ("30"), or the ISO 3166-2 code ("ID-JB")
    population_min: int | None = None
    population_max: int | None = None
    traits: list[str] = field(default_factory=list)
    field: str = ""
    # Places in the government's own country too: a sister city is a partner abroad, so without
    # this (or a `country` filter naming that country) only places abroad are suggested.
    domestic: bool = False
    # Places of every level of government; without it only those of the government's own tier
    # (kembar.gazetteer.levels: a province is offered provinces, prefectures, states).
    all_levels: bool = False


class Reason(str):
    """A reason in words, with what it is about: "" the candidate itself; `COUNTRY` its
    country (the pairing of the two countries); `ZONE` its time zone (shared office hours).
    The page states a country's or a zone's reason once for every suggestion it holds for."""

    COUNTRY = "country"
    ZONE = "zone"
    about: str

    def __new__(cls, text: str, about: str = "") -> Reason:
        reason = super().__new__(cls, text)
        reason.about = about
        return reason


@dataclass
class Suggestion:
    place: Place
    government: LocalGovernment | None
    score: float
    reasons: list[Reason]
    # The traits or field the filters asked for that nobody has recorded for this place: it is
    # neither known to have them nor known not to (listed after the places known to have them).
    unrecorded: list[str] = field(default_factory=list)
    shown_reasons: list[Reason] = field(default_factory=list)  # the card's, see `shared_reasons`
    office: Organisation | None = None  # its government's office on the platform, see `contacts`
    contact_email: str = ""  # the office's e-mail, else its government's
    open_request: PartnerRequest | None = None  # its government's published partner request


def _allowed(model: Recommender, f: SuggestionFilter, q: int) -> np.ndarray:
    """The places the place filters (country, region, population) leave for the query q:
    abroad unless they ask for q's own country. Traits and field: `recorded_filters`."""
    nodes = model.net.nodes
    allowed = np.ones(len(nodes), dtype=bool)
    if not (f.domestic or f.country):
        allowed &= nodes.countries != nodes.countries[q]
    if f.country:
        code = f.country.upper()
        allowed &= nodes.countries == (nodes.country_names.index(code) if code in nodes.country_names else -1)
        if f.region:
            key = region_key(code, admin1_of(code, f.region))
            allowed &= nodes.regions == (nodes.region_names.index(key) if key in nodes.region_names else -2)
    if f.population_min is not None:
        allowed &= nodes.population >= f.population_min
    if f.population_max is not None:
        allowed &= nodes.population <= f.population_max
    return allowed


@dataclass
class Recorded:
    """What is known of one trait or field the filters ask for: the places known to have it and
    those known not to (every other place: nobody has recorded it either way)."""

    label: str
    has: np.ndarray
    lacks: np.ndarray


def recorded_filters(model: Recommender, f: SuggestionFilter) -> list[Recorded]:
    """Traits and fields are known only where someone recorded them: a government's traits on
    its profile, the traits sourced data gives a place (a port, a capital, on the coast: see
    `gazetteer.traits`; less those its office withdrew), a field on a public partnership. A
    place whose government recorded traits without this one lacks it, and so does every place
    with coordinates for a trait the data gives wherever it speaks (coastal, island); a place in
    public partnerships with fields, none of them this one, lacks the field; of all the other
    places nothing is known. At most four queries, read now (a trait recorded after the model
    was built counts)."""
    if not (f.traits or f.field):
        return []
    index, n = model.place_index, len(model.net.nodes)

    def mask(place_ids) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[[index[p] for p in place_ids if p in index]] = True
        return out

    found = []
    if f.traits:
        traits: dict[int, set[str]] = {}
        for place_id, values in LocalGovernment.objects.exclude(traits=[]).values_list("place_id", "traits"):
            traits.setdefault(place_id, set()).update(values or [])
        from_data = data_traits()
        everywhere = [t for t in f.traits if t in TRAITS_DATA_SPEAKS_FOR_EVERY_PLACE]
        located = None  # the places the coast table covers: GeoNames cities with coordinates
        if everywhere and any(set(everywhere) & values for values in from_data.values()):
            located = mask(
                Place.objects.filter(kind=Place.Kind.CITY, geonameid__isnull=False, latitude__isnull=False)
                .values_list("id", flat=True)
                .iterator(chunk_size=20000)
            )
        for trait in f.traits:
            has = {p for p, values in traits.items() if trait in values}
            has |= {p for p, values in from_data.items() if trait in values}
            lacks = mask(set(traits) - has)
            if located is not None and trait in everywhere:
                lacks |= located & ~mask(has)
            found.append(Recorded(str(Trait(trait).label), mask(has), lacks))
    if f.field:
        with_field, with_any = set(), set()
        for a, b, code in Partnership.fields.through.objects.filter(partnership__public=True).values_list(
            "partnership__government_a__place_id", "partnership__government_b__place_id", "cooperationfield_id"
        ):
            with_any.update((a, b))
            if code == f.field:
                with_field.update((a, b))
        found.append(Recorded(str(Field(f.field).label), mask(with_field), mask(with_any - with_field)))
    return found


ACTIVE_TWINNER = (
    5  # partners from which "it is twinned with N places in all" is a reason (about the top 17 % of twinned places)
)
FREQUENT_PAIRING = 0.05  # share of a country's partnerships from which a partner country is "frequent"
NAMED = 3  # places a reason names before it counts the rest


def join_names(names: list[str]) -> str:
    """ "Kyoto", "Kyoto and Busan", "Kyoto, Busan and Kochi" in the reader's language."""
    if len(names) < 2:
        return "".join(names)
    return _("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def reasons(model: Recommender, q: int, c: int, x: np.ndarray) -> list[Reason]:
    """Why c is suggested to q, in words; each one a fact about the network or the places. The
    places a reason speaks of are named (the nearest to q first), up to `NAMED` of them."""
    net, nodes = model.net, model.net.nodes
    out = []
    partners_of_c = net.partners(c)

    def named(rows: np.ndarray) -> list[str]:
        km = model.builder.distances(q, rows)
        order = np.lexsort((rows, np.nan_to_num(km, nan=np.inf)))
        return [nodes.names[int(rows[i])] for i in order[:NAMED]]

    common = np.intersect1d(net.partners(q), partners_of_c)
    if len(common):
        names, more = named(common), len(common) - NAMED
        if more > 0:
            text = ngettext(
                "%(names)s and %(more)d more of your partners are twinned with it",
                "%(names)s and %(more)d more of your partners are twinned with it",
                more,
            ) % {"names": ", ".join(names), "more": more}
        else:
            text = ngettext(
                "%(names)s, your partner, is twinned with it",
                "%(names)s, your partners, are twinned with it",
                len(common),
            ) % {"names": join_names(names)}
        out.append(Reason(text))
    if nodes.name_keys[q] and nodes.name_keys[q] == nodes.name_keys[c]:
        out.append(Reason(_("both are called %(name)s") % {"name": nodes.names[c]}))
    cq, cc = nodes.countries[q], nodes.countries[c]
    in_country = partners_of_c[nodes.countries[partners_of_c] == cq]  # partners_in_country[c, cq]
    if len(in_country):
        country = country_name(nodes.country_names[cq])
        if len(in_country) > NAMED:
            text = _("it is twinned with %(n)d places in %(country)s, among them %(names)s") % {
                "n": len(in_country),
                "country": country,
                "names": join_names(named(in_country)),
            }
        else:
            text = _("it is twinned with %(names)s in %(country)s") % {
                "names": join_names(named(in_country)),
                "country": country,
            }
        out.append(Reason(text))
    if len(partners_of_c) >= ACTIVE_TWINNER:
        out.append(Reason(_("it is twinned with %(n)d places in all") % {"n": len(partners_of_c)}))
    pair_links = int(net.country_pairs[cq, cc])
    if pair_links >= 3 and x[F["country_pair_lift"]] > 0:  # more than the two countries' shares predict
        names = {
            "a": country_name(nodes.country_names[cq]),
            "b": country_name(nodes.country_names[cc]),
            "n": pair_links,
        }
        if pair_links >= FREQUENT_PAIRING * net.country_links[cq]:
            out.append(Reason(_("%(a)s–%(b)s is a frequent pairing (%(n)d partnerships)") % names, Reason.COUNTRY))
        else:  # 3 of Indonesia's ~100 partnerships are with Russia: not "frequent", yet above chance
            out.append(
                Reason(_("%(a)s–%(b)s pairs more often than chance (%(n)d partnerships)") % names, Reason.COUNTRY)
            )
    tags = nodes.tags
    shared = np.intersect1d(
        tags.indices[tags.indptr[q] : tags.indptr[q + 1]], tags.indices[tags.indptr[c] : tags.indptr[c + 1]]
    )  # tag columns both have
    traits = [nodes.tag_names[i].split(":", 1)[1] for i in shared if nodes.tag_names[i].startswith("trait:")]
    if traits:
        out.append(Reason(_("both: %(traits)s") % {"traits": ", ".join(str(Trait(t).label).lower() for t in traits)}))
    fields = [nodes.tag_names[i].split(":", 1)[1] for i in shared if nodes.tag_names[i].startswith("field:")]
    if fields:
        out.append(
            Reason(
                _("both cooperate in %(fields)s") % {"fields": ", ".join(str(Field(f).label).lower() for f in fields)}
            )
        )
    hours = x[F["office_hours"]]
    if not np.isnan(hours) and hours >= 1:  # no shared hour is no reason
        out.append(
            Reason(
                ngettext("%(n)d shared office hour", "%(n)d shared office hours", int(hours)) % {"n": int(hours)},
                Reason.ZONE,
            )
        )
    ratio = x[F["population_ratio"]]
    if not np.isnan(ratio) and ratio < 0.15:
        out.append(Reason(_("similar population")))
    return out


def level_reason(tier: str) -> Reason:
    """ "both: province-level" (or city-level): the candidate is of the government's tier."""
    return Reason(_("both: province-level") if tier == levels.PROVINCE else _("both: city-level"))


def tier_of(model: Recommender, government: LocalGovernment, q: int) -> str:
    """The government's tier (kembar.gazetteer.levels): its level's, or its place's (node q)."""
    nodes = model.net.nodes
    return levels.government_tier(government.level, levels.PROVINCE if nodes.first_level[q] else levels.LOCAL)


def linked_through(model: Recommender, partners: np.ndarray) -> np.ndarray:
    """The places already linked to a government through a partner at another level, which
    are not suggested as if they were new: every place of a partner province, prefecture or
    state (Kyoto city and the other cities of Kyoto Prefecture, when Kyoto Prefecture is a
    partner), and the first-level division named like a partner city in it (Kyoto Prefecture
    when Kyoto city is the partner; Land Berlin for Berlin). No query."""
    nodes = model.net.nodes
    out = np.zeros(len(nodes), dtype=bool)
    if not len(partners):
        return out
    provinces = partners[nodes.first_level[partners]]
    regions = nodes.regions[provinces]
    if (regions >= 0).any():
        out |= np.isin(nodes.regions, regions[regions >= 0])
    for p in partners[~nodes.first_level[partners]].tolist():
        region = nodes.regions[p]
        if region < 0:
            continue
        for i in nodes.by_key.get(nodes.name_keys[p], []):
            if nodes.first_level[i] and nodes.regions[i] == region:
                out[i] = True
    return out


def same_level(model: Recommender, tier: str, c: int) -> list[Reason]:
    """The level reason when candidate c is of the government's tier (said first), else none."""
    return [level_reason(tier)] if bool(model.net.nodes.first_level[c]) == (tier == levels.PROVINCE) else []


def government_node(model: Recommender, government: LocalGovernment) -> int:
    index = getattr(model, "place_index", None) or {}
    if government.place_id not in index:
        raise NotInModel(
            _("%(name)s is newer than the matchmaking model: run “kembar match-train” again.")
            % {"name": government.name}
        )
    return index[government.place_id]


def suggest(government: LocalGovernment, filters: SuggestionFilter | None = None, top: int = 10) -> list[Suggestion]:
    """The best `top` partner places for `government`, never one it is already partnered with
    nor one linked to it through a partner at another level (`linked_through`), abroad unless
    the filters ask for its own country (`domestic`, or `country` naming it), of its own tier
    (kembar.gazetteer.levels: provinces for a province, cities for a city or regency) unless
    they ask for all levels; a candidate of its tier says so first ("both: province-level").

    Traits and a field (see `recorded_filters`) leave out the places known to lack them; the
    places known to have them come first, then those of which nothing is recorded, each with
    what is not (`Suggestion.unrecorded`).

    Current partners are read from the registry at query time, so a partnership added since
    the model was built is excluded too. Three queries, whatever `top` is (and those of
    `recorded_filters`).
    """
    filters = filters or SuggestionFilter()
    model = load_model()
    q = government_node(model, government)
    partner_places = set()
    for a, b in Partnership.objects.filter(involving(government)).values_list(
        "government_a__place_id", "government_b__place_id"
    ):
        partner_places.update((a, b))
    partner_places.discard(government.place_id)
    exclude = np.array([model.place_index[p] for p in partner_places if p in model.place_index], dtype=np.int64)
    allowed = _allowed(model, filters, q)
    tier = tier_of(model, government, q)
    if not filters.all_levels:
        allowed &= model.net.nodes.first_level == (tier == levels.PROVINCE)
    allowed &= ~linked_through(model, exclude)
    asked = recorded_filters(model, filters)
    for known in asked:
        allowed &= ~known.lacks
    confirmed = allowed.copy()
    for known in asked:
        confirmed &= known.has
    picked = model.top(q, k=top, allowed=confirmed, exclude=exclude) if confirmed.any() else []
    if asked and len(picked) < top:
        unknown = allowed & ~confirmed
        if unknown.any():
            picked += model.top(q, k=top - len(picked), allowed=unknown, exclude=exclude)
    ids = [int(model.net.nodes.ids[i]) for i, _, _ in picked]
    places = Place.objects.in_bulk(ids)
    governments = {}
    for g in LocalGovernment.objects.filter(place_id__in=ids).order_by("pk"):
        governments.setdefault(g.place_id, g)
    return [
        Suggestion(
            places[pid],
            governments.get(pid),
            score,
            same_level(model, tier, i) + reasons(model, q, i, x),
            unrecorded=[known.label for known in asked if not known.has[i]],
        )
        for (i, score, x), pid in zip(picked, ids)
        if pid in places
    ]


@dataclass
class SharedReasons:
    """Reasons that several suggestions share, said once above the list: those of every
    suggestion (`country` empty), or those of the suggestions in one country (its name; `count`
    of them)."""

    country: str
    count: int
    reasons: list[Reason]


def shared_reasons(suggestions: list[Suggestion]) -> list[SharedReasons]:
    """Take out of the cards what does not tell them apart, into lines above the list: a
    reason every suggestion has, and a country's reason (its pairing with yours) or zone's
    (shared office hours) that all its suggestions share, when it has two or more. Sets each
    suggestion's `shown_reasons` to the rest."""
    lines: list[SharedReasons] = []
    moved: dict[int, set[str]] = {id(s): set() for s in suggestions}
    if len(suggestions) >= 2:
        everyone = set.intersection(*(set(s.reasons) for s in suggestions))
        if everyone:
            lines.append(SharedReasons("", len(suggestions), [r for r in suggestions[0].reasons if r in everyone]))
            for s in suggestions:
                moved[id(s)] |= everyone
        by_country: dict[str, list[Suggestion]] = {}
        for s in suggestions:
            by_country.setdefault(s.place.country_code, []).append(s)
        if len(by_country) > 1:
            for code, cards in by_country.items():
                if len(cards) < 2:
                    continue
                theirs = set.intersection(*({r for r in s.reasons if r.about} for s in cards)) - everyone
                if theirs:
                    lines.append(
                        SharedReasons(country_name(code), len(cards), [r for r in cards[0].reasons if r in theirs])
                    )
                    for s in cards:
                        moved[id(s)] |= theirs
    for s in suggestions:
        s.shown_reasons = [r for r in s.reasons if r not in moved[id(s)]]
    return lines


def may_propose(user, government: LocalGovernment) -> bool:
    """May the user start a partnership in the name of `government` (the suggestions' cards
    then offer to propose one): the same governments the new-partnership form offers."""
    return permissions.new_partnership_governments(user).filter(pk=government.pk).exists()


def contacts(suggestions: list[Suggestion]) -> None:
    """Set each suggestion's office on the platform and its latest published partner request,
    where its government has them (two queries)."""
    ids = [s.government.pk for s in suggestions if s.government]
    offices: dict[int, Organisation] = {}
    for office in Organisation.objects.filter(local_government__in=ids).order_by("pk"):
        offices.setdefault(office.local_government_id, office)
    open_requests: dict[int, PartnerRequest] = {}
    for r in PartnerRequest.objects.filter(government__in=ids, status=PartnerRequest.Status.PUBLISHED).order_by(
        "-created", "-id"
    ):
        open_requests.setdefault(r.government_id, r)
    for s in suggestions:
        if s.government:
            s.office = offices.get(s.government.pk)
            if s.office:
                s.contact_email = s.office.email or s.government.contact_email
            s.open_request = open_requests.get(s.government.pk)


# Partner request board


def request_queryset():
    return PartnerRequest.objects.select_related("government__place").prefetch_related("fields")


def filter_requests(queryset, *, country: str = "", seeking: str = "", field: str = "", q: str = ""):
    """`country`: the requester's; `seeking`: a country the request is open to (it names it
    among its preferred countries, or names none)."""
    if country:
        queryset = queryset.filter(government__country_code=country)
    if seeking:
        # The codes are stored as a JSON list: '"JP"' occurs in it exactly when JP is listed.
        queryset = queryset.filter(Q(preferred_countries=[]) | Q(preferred_countries__icontains=f'"{seeking}"'))
    if field:
        queryset = queryset.filter(fields__code=field)
    if q:
        queryset = queryset.filter(
            Q(title__icontains=q) | Q(offers__icontains=q) | Q(seeks__icontains=q) | Q(government__name__icontains=q)
        )
    return queryset.distinct()


REQUEST_FIELDS = [
    "title",
    "offers",
    "seeks",
    "preferred_countries",
    "languages",
    "languages_note",
    "contact_email",
    "status",
]


def _request_values(data: dict) -> dict:
    """The request's own values of `data`; working languages as plain codes, each once (the
    model's validator refuses a code outside kembar.core.languages)."""
    values = {k: v for k, v in data.items() if k in REQUEST_FIELDS}
    if isinstance(values.get("languages"), list | tuple):
        values["languages"] = list(dict.fromkeys(str(code) for code in values["languages"]))
    return values


def create_request(user, government: LocalGovernment, *, fields=(), **data) -> PartnerRequest:
    if not permissions.can_create_partner_request(user, government.pk):
        raise PermissionDenied(
            _("Only editors of %(name)s’s office may publish its partner requests.") % {"name": government.name}
        )
    with transaction.atomic():
        request = PartnerRequest(government=government, **_request_values(data))
        request.full_clean()
        request.save()
        request.fields.set(list(fields))
    return request


def update_request(
    user, partner_request: PartnerRequest, *, expected_version: int | None = None, fields=None, **data
) -> PartnerRequest:
    """Change a request (its status too: draft, published, closed); all or nothing. With
    expected_version, refuse when someone saved in between."""
    if not permissions.can_edit_partner_request(user, partner_request):
        raise PermissionDenied(
            _("Only editors of %(name)s’s office may change its partner requests.")
            % {"name": partner_request.government.name}
        )
    with transaction.atomic():
        current = locked(PartnerRequest, partner_request.pk, expected_version)
        for key, value in _request_values(data).items():
            setattr(current, key, value)
        current.full_clean()
        save_version(current, user)
        if fields is not None:
            current.fields.set(list(fields))
    return current


def interest_state(user, partner_request: PartnerRequest) -> tuple[list[Interest], list[int]]:
    """The interests the user's own governments sent (the page shows them instead of the form),
    and the governments in whose name the user may still write (none that already wrote)."""
    allowed = permissions.interest_governments(user, partner_request)
    own = permissions.read_government_ids(user)
    sent = list(partner_request.interests.select_related("government")) if allowed or own else []
    wrote = {i.government_id for i in sent}
    return [i for i in sent if i.government_id in own], [g for g in allowed if g not in wrote]


def express_interest(user, partner_request: PartnerRequest, government: LocalGovernment, message: str = "") -> Interest:
    """Record the interest and queue an e-mail to the requester's office (kembar.core.mail)."""
    if government.pk not in permissions.interest_governments(user, partner_request):
        raise PermissionDenied(
            _(
                "You may express interest only for a government whose office you edit, "
                "in a published request of another government."
            )
        )
    with transaction.atomic():
        if Interest.objects.filter(request=partner_request, government=government).exists():
            raise ValidationError(
                _("%(name)s has already expressed interest in this request.") % {"name": government.name}
            )
        interest = Interest.objects.create(
            request=partner_request, government=government, message=message, created_by=user
        )
        recipients = [
            partner_request.contact_email,
            *Organisation.objects.filter(local_government=partner_request.government_id)
            .exclude(email="")
            .values_list("email", flat=True),
        ]
        # Replying to the e-mail writes to the interested office.
        contact = government.contact_email or (user.email if user else "")

        # Written in each reader's language, not the sender's: a person on the platform in their
        # own, the office's address and an outside contact in the requesting office's.
        def render() -> tuple[str, str]:
            subject = _("%(name)s is interested in your partner request “%(title)s”") % {
                "name": government.name,
                "title": partner_request.title,
            }
            body = _(
                "%(name)s (%(country)s) expressed interest in your partner request “%(title)s”.\n\n"
                "%(message)s\n\nContact: %(contact)s\nThe request: %(url)s"
            ) % {
                "name": government.name,
                "country": country_name(government.country_code),
                "title": partner_request.title,
                "message": message or "—",
                "contact": contact or "—",
                "url": mail_url(partner_request),
            }
            return subject, body

        queue_translated(
            by_language(recipients, government_language(partner_request.government_id)), render, reply_to=[contact]
        )
    return interest


DASHBOARD_REQUESTS = 5


def dashboard_requests(government_ids) -> list[PartnerRequest]:
    """The dashboard's panel: the offices' open requests (published or draft), newest first,
    each with the governments that expressed interest, newest first (two queries)."""
    ids = list(government_ids)
    if not ids:
        return []
    return list(
        PartnerRequest.objects.filter(government__in=ids)
        .exclude(status=PartnerRequest.Status.CLOSED)
        .select_related("government")
        .prefetch_related(
            Prefetch("interests", queryset=Interest.objects.select_related("government").order_by("-created", "-id"))
        )
        .order_by("-created", "-id")[:DASHBOARD_REQUESTS]
    )


def matching_requests(government: LocalGovernment, limit: int = 5) -> list[PartnerRequest]:
    """Published requests of other governments that fit this one, best first.

    A request fits when it names no preferred country or names this government's; among them the
    matchmaking model's score of the requester for this government decides (newest first when
    no model is built). Two queries.
    """
    candidates = list(
        request_queryset()
        .filter(status=PartnerRequest.Status.PUBLISHED)
        .exclude(government=government)
        .order_by("-created", "-id")[:200]
    )
    candidates = [
        r for r in candidates if not r.preferred_countries or government.country_code in r.preferred_countries
    ]
    try:
        model = load_model()
        q = government_node(model, government)
    except (ModelMissing, NotInModel):
        return candidates[:limit]
    scores = model.scores(q)
    index = model.place_index

    def score(r):
        i = index.get(r.government.place_id)
        return scores[i] if i is not None and np.isfinite(scores[i]) else -1e9

    return sorted(candidates, key=score, reverse=True)[:limit]
