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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy import sparse

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.core.reminders import mail_url
from kembar.core.versioning import locked, save_version
from kembar.gazetteer.countries import country_name
from kembar.gazetteer.models import Place
from kembar.gazetteer.normalise import name_key
from kembar.gazetteer.services import admin1_of, province_names
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import involving
from kembar.partnerships.vocab import Field, Trait

from .models import Interest, PartnerRequest
from .network import Network, Nodes
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


def _utc_offset(tz: str, cache: dict) -> float:
    if tz not in cache:
        try:
            offset = ZoneInfo(tz).utcoffset(datetime(2025, 1, 15, 12))
            cache[tz] = offset.total_seconds() / 3600 if offset is not None else float("nan")
        except Exception:  # unknown or empty zone name
            cache[tz] = float("nan")
    return cache[tz]


def registry_network(progress=None) -> Network:
    """Every place of the gazetteer as a node; every partnership as a link between places."""
    rows = list(
        Place.objects.order_by("pk").values_list(
            "pk", "name", "country_code", "latitude", "longitude", "population", "timezone", "admin1_code"
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
        utc_offset=np.array([_utc_offset(r[6], tz_cache) for r in rows], dtype=np.float64),
        tags=tags,
        tag_names=tag_names,
        ids=ids,
        regions=np.array([ridx[region_key(r[2], r[7])] if r[7] else -1 for r in rows], dtype=np.int64),
        region_names=region_names,
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
            if getattr(model, "features", None) != FEATURES:
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


@dataclass
class Suggestion:
    place: Place
    government: LocalGovernment | None
    score: float
    reasons: list[str]


def _allowed(model: Recommender, f: SuggestionFilter, q: int) -> np.ndarray:
    """The places the filters leave for the query q: abroad unless they ask for q's own country."""
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
    wanted = [f"trait:{t}" for t in f.traits] + ([f"field:{f.field}"] if f.field else [])
    for tag in wanted:
        if tag in nodes.tag_names:
            column = nodes.tags[:, nodes.tag_names.index(tag)].toarray().ravel() > 0
            allowed &= column
        else:
            allowed[:] = False
    return allowed


ACTIVE_TWINNER = (
    5  # partners from which "it is twinned with N places in all" is a reason (about the top 17 % of twinned places)
)
FREQUENT_PAIRING = 0.05  # share of a country's partnerships from which a partner country is "frequent"


def reasons(model: Recommender, q: int, c: int, x: np.ndarray) -> list[str]:
    """Why c is suggested to q, in words; each one a fact about the network or the places."""
    net, nodes = model.net, model.net.nodes
    out = []
    partners_of_c = net.partners(c)
    common = len(np.intersect1d(net.partners(q), partners_of_c))
    if common:
        out.append(
            ngettext("%(n)d of your partners is twinned with it", "%(n)d of your partners are twinned with it", common)
            % {"n": common}
        )
    if nodes.name_keys[q] and nodes.name_keys[q] == nodes.name_keys[c]:
        out.append(_("both are called %(name)s") % {"name": nodes.names[c]})
    cq, cc = nodes.countries[q], nodes.countries[c]
    in_country = int(np.count_nonzero(nodes.countries[partners_of_c] == cq))  # partners_in_country[c, cq]
    if in_country:
        out.append(
            ngettext(
                "it is twinned with %(n)d place in %(country)s",
                "it is twinned with %(n)d places in %(country)s",
                in_country,
            )
            % {"n": in_country, "country": country_name(nodes.country_names[cq])}
        )
    if len(partners_of_c) >= ACTIVE_TWINNER:
        out.append(_("it is twinned with %(n)d places in all") % {"n": len(partners_of_c)})
    pair_links = int(net.country_pairs[cq, cc])
    if pair_links >= 3 and x[F["country_pair_lift"]] > 0:  # more than the two countries' shares predict
        names = {
            "a": country_name(nodes.country_names[cq]),
            "b": country_name(nodes.country_names[cc]),
            "n": pair_links,
        }
        if pair_links >= FREQUENT_PAIRING * net.country_links[cq]:
            out.append(_("%(a)s–%(b)s is a frequent pairing (%(n)d partnerships)") % names)
        else:  # 3 of Indonesia's ~100 partnerships are with Russia: not "frequent", yet above chance
            out.append(_("%(a)s–%(b)s pairs more often than chance (%(n)d partnerships)") % names)
    tags = nodes.tags
    shared = np.intersect1d(
        tags.indices[tags.indptr[q] : tags.indptr[q + 1]], tags.indices[tags.indptr[c] : tags.indptr[c + 1]]
    )  # tag columns both have
    traits = [nodes.tag_names[i].split(":", 1)[1] for i in shared if nodes.tag_names[i].startswith("trait:")]
    if traits:
        out.append(_("both: %(traits)s") % {"traits": ", ".join(str(Trait(t).label).lower() for t in traits)})
    fields = [nodes.tag_names[i].split(":", 1)[1] for i in shared if nodes.tag_names[i].startswith("field:")]
    if fields:
        out.append(
            _("both cooperate in %(fields)s") % {"fields": ", ".join(str(Field(f).label).lower() for f in fields)}
        )
    hours = x[F["office_hours"]]
    if not np.isnan(hours) and hours >= 1:  # no shared hour is no reason
        out.append(ngettext("%(n)d shared office hour", "%(n)d shared office hours", int(hours)) % {"n": int(hours)})
    ratio = x[F["population_ratio"]]
    if not np.isnan(ratio) and ratio < 0.15:
        out.append(_("similar population"))
    return out


def government_node(model: Recommender, government: LocalGovernment) -> int:
    index = getattr(model, "place_index", None) or {}
    if government.place_id not in index:
        raise NotInModel(
            _("%(name)s is newer than the matchmaking model: run “kembar match-train” again.")
            % {"name": government.name}
        )
    return index[government.place_id]


def suggest(government: LocalGovernment, filters: SuggestionFilter | None = None, top: int = 10) -> list[Suggestion]:
    """The best `top` partner places for `government`, never one it is already partnered with,
    abroad unless the filters ask for its own country (`domestic`, or `country` naming it).

    Current partners are read from the registry at query time, so a partnership added since
    the model was built is excluded too. Three queries, whatever `top` is.
    """
    model = load_model()
    q = government_node(model, government)
    partner_places = set()
    for a, b in Partnership.objects.filter(involving(government)).values_list(
        "government_a__place_id", "government_b__place_id"
    ):
        partner_places.update((a, b))
    partner_places.discard(government.place_id)
    exclude = np.array([model.place_index[p] for p in partner_places if p in model.place_index], dtype=np.int64)
    allowed = _allowed(model, filters or SuggestionFilter(), q)
    picked = model.top(q, k=top, allowed=allowed, exclude=exclude)
    ids = [int(model.net.nodes.ids[i]) for i, _, _ in picked]
    places = Place.objects.in_bulk(ids)
    governments = {}
    for g in LocalGovernment.objects.filter(place_id__in=ids).order_by("pk"):
        governments.setdefault(g.place_id, g)
    return [
        Suggestion(places[pid], governments.get(pid), score, reasons(model, q, i, x))
        for (i, score, x), pid in zip(picked, ids)
        if pid in places
    ]


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


REQUEST_FIELDS = ["title", "offers", "seeks", "preferred_countries", "languages", "contact_email", "status"]


def create_request(user, government: LocalGovernment, *, fields=(), **data) -> PartnerRequest:
    if not permissions.can_create_partner_request(user, government.pk):
        raise PermissionDenied(
            _("Only editors of %(name)s’s office may publish its partner requests.") % {"name": government.name}
        )
    with transaction.atomic():
        request = PartnerRequest(government=government, **{k: v for k, v in data.items() if k in REQUEST_FIELDS})
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
        for key, value in data.items():
            if key in REQUEST_FIELDS:
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
    """Record the interest and tell the requester's office by e-mail (after the commit)."""
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
        recipients = sorted(
            {
                partner_request.contact_email,
                *Organisation.objects.filter(local_government=partner_request.government_id)
                .exclude(email="")
                .values_list("email", flat=True),
            }
            - {""}
        )
        subject = _("%(name)s is interested in your partner request “%(title)s”") % {
            "name": government.name,
            "title": partner_request.title,
        }
        # Replying to the e-mail writes to the interested office.
        contact = government.contact_email or (user.email if user else "")
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
        mail = EmailMessage(subject, body, None, recipients, reply_to=[contact] if contact else None)
        transaction.on_commit(lambda: mail.send(fail_silently=False))
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
