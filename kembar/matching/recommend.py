"""Partner recommendation: features of (query, candidate) pairs, learned weights, reasons.

Plain Python + numpy/scipy/scikit-learn, no Django, so the evaluation, the CLI, the API and the
pages all run this one code.

How a model is learned (`train`): some links of the network are hidden, the features are
computed on what is left, and a classifier learns to tell the hidden links from candidates
that are not linked: training mirrors the evaluation exactly. Two models are learned:
*warm* (the query has partners: hidden links are 10 % of the links whose both ends keep
another) and *cold* (the query has none: all links of 5 % of the linked places are hidden).

How a query is answered (`Recommender.scores`): every feature is computed for every candidate
at once (vectors over all places); gradient-boosted trees score a shortlist, the union of the
top `SHORTLIST` of several cheap scores (`SHORTLIST_SCORES`), and were trained on negatives
drawn from those same shortlists. Candidates outside the shortlist keep the score of a logistic
regression (hidden links against random non-links), below every shortlisted one.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from .network import Network, Nodes

FEATURES = (
    "common_partners", "adamic_adar", "resource_allocation", "paths3",
    "candidate_degree", "query_degree",
    "country_pair_logp", "country_pair_lift", "country_pair_links", "same_country",
    "query_country_share", "candidate_partners_in_query_country", "candidate_share_in_query_country",
    "candidate_partners_near_query", "query_partners_near_candidate",
    "distance", "office_hours", "same_name", "same_first_word",
    "candidate_population", "population_ratio", "shared_tags",
    "paths3_per_degree", "country_prior_popularity",
)
F = {name: i for i, name in enumerate(FEATURES)}
SHORTLIST = 150  # candidates taken from the top of each cheap score (see `shortlist`)
NEAR_KM = 150.0
OFFICE_HOURS = 8.0  # 08:00-16:00 local
MAX_PARTNERS_FOR_GEO = 60
EARTH_KM = 6371.0


def haversine(lat1: float, lng1: float, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    p1, l1 = math.radians(lat1), math.radians(lng1)
    p, lam = np.radians(lat), np.radians(lng)
    a = np.sin((p - p1) / 2) ** 2 + math.cos(p1) * np.cos(p) * np.sin((lam - l1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def office_overlap(offset_q: float, offsets: np.ndarray) -> np.ndarray:
    """Hours when both offices are open (08:00-16:00 local each, standard time)."""
    delta = np.abs(offsets - offset_q) % 24
    delta = np.minimum(delta, 24 - delta)
    return np.maximum(0.0, OFFICE_HOURS - delta)


class FeatureBuilder:
    """Computes the feature matrix of one query against every node of a network."""

    def __init__(self, net: Network, prior_strength: float = 5.0):
        self.net = net
        nodes = net.nodes
        deg = net.degree
        self.log_deg = np.log1p(deg).astype(np.float32)
        self.aa_weight = np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2)), 0.0)
        self.ra_weight = np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0)
        total = max(net.country_links.sum(), 1.0)
        self.country_share = (net.country_links + 1.0) / (total + len(net.country_links))
        self.prior_strength = prior_strength
        self.log_pop = np.where(nodes.population > 0, np.log10(np.maximum(nodes.population, 1)), np.nan)
        self.adj_t = net.adj.T.tocsr()
        lat, lng = np.radians(nodes.lat), np.radians(nodes.lng)
        self.xyz = np.stack([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)], axis=1)
        # 1-degree grid cells, for "your partners' neighbourhood" without n distances per partner.
        known = ~np.isnan(nodes.lat) & ~np.isnan(nodes.lng)
        self.cell = np.full(len(nodes), -1, dtype=np.int64)
        self.cell[known] = (np.floor(nodes.lat[known]) + 90).astype(np.int64) * 360 + (
            np.floor(nodes.lng[known]) + 180).astype(np.int64) % 360
        self.has_tags = nodes.tags.shape[1] > 0
        self.tags_t = nodes.tags.T.tocsr() if self.has_tags else None

    def distances(self, q: int) -> np.ndarray:
        """Great-circle km from q to every node (NaN where a point is unknown)."""
        dot = np.clip(self.xyz @ self.xyz[q], -1.0, 1.0)
        return EARTH_KM * np.arccos(dot)

    def country_logp(self, cq: int) -> np.ndarray:
        """log P(partner's country | query's country), smoothed towards the global shares."""
        row = self.net.country_pairs[cq]
        a = self.prior_strength
        return np.log((row + a * self.country_share) / (row.sum() + a))

    def build(self, q: int) -> np.ndarray:
        net, nodes = self.net, self.net.nodes
        n = len(nodes)
        X = np.zeros((n, len(FEATURES)), dtype=np.float32, order="F")
        partners = net.partners(q)
        cq = nodes.countries[q]
        cand_country = nodes.countries
        if len(partners):
            rows = net.adj[partners]
            X[:, F["common_partners"]] = np.log1p(np.asarray(rows.sum(axis=0)).ravel())
            X[:, F["adamic_adar"]] = self.aa_weight[partners] @ rows
            X[:, F["resource_allocation"]] = self.ra_weight[partners] @ rows
            cn = np.asarray(rows.sum(axis=0)).ravel()
            p3 = self.adj_t @ cn
            X[:, F["paths3"]] = np.log1p(p3)
            X[:, F["paths3_per_degree"]] = np.log1p(p3 / np.maximum(net.degree, 1))
            share = np.bincount(cand_country[partners], minlength=len(nodes.country_names)) / len(partners)
            X[:, F["query_country_share"]] = share[cand_country]
        X[:, F["candidate_degree"]] = self.log_deg
        X[:, F["query_degree"]] = self.log_deg[q]
        logp = self.country_logp(cq)
        X[:, F["country_pair_logp"]] = logp[cand_country]
        X[:, F["country_pair_lift"]] = (logp - np.log(self.country_share))[cand_country]
        X[:, F["country_prior_popularity"]] = logp[cand_country] + self.log_deg
        X[:, F["country_pair_links"]] = np.log1p(net.country_pairs[cq])[cand_country]
        X[:, F["same_country"]] = cand_country == cq
        in_q_country = net.partners_in_country[:, cq].toarray().ravel()
        X[:, F["candidate_partners_in_query_country"]] = np.log1p(in_q_country)
        X[:, F["candidate_share_in_query_country"]] = in_q_country / np.maximum(net.degree, 1)
        lat, lng = nodes.lat, nodes.lng
        if not math.isnan(lat[q]) and not math.isnan(lng[q]):
            dist = self.distances(q)
            X[:, F["distance"]] = np.log1p(dist)
            near = np.nan_to_num(np.exp(-dist / NEAR_KM))
            X[:, F["candidate_partners_near_query"]] = np.log1p(net.adj @ near)
        else:
            X[:, F["distance"]] = np.nan
        cells = self.cell[partners]
        cells = cells[cells >= 0]
        if len(cells):
            # Each partner counts in its own grid cell and, half, in the 8 around it.
            grid = np.zeros(180 * 360 + 1)
            for dlat in (-1, 0, 1):
                for dlng in (-1, 0, 1):
                    row, col = cells // 360 + dlat, (cells % 360 + dlng) % 360
                    ok = (row >= 0) & (row < 180)
                    np.add.at(grid, row[ok] * 360 + col[ok], 1.0 if dlat == dlng == 0 else 0.5)
            X[:, F["query_partners_near_candidate"]] = np.log1p(grid[self.cell])  # cell -1 → last, 0
        if math.isnan(nodes.utc_offset[q]):
            X[:, F["office_hours"]] = np.nan
        else:
            X[:, F["office_hours"]] = office_overlap(nodes.utc_offset[q], nodes.utc_offset)
        key = nodes.name_keys[q]
        if key:
            X[nodes.by_key.get(key, []), F["same_name"]] = 1
            first = key.split(" ")[0]
            X[nodes.by_first_word.get(first, []), F["same_first_word"]] = 1
        X[:, F["candidate_population"]] = self.log_pop
        X[:, F["population_ratio"]] = np.abs(self.log_pop - self.log_pop[q])
        if self.has_tags:
            X[:, F["shared_tags"]] = np.asarray((nodes.tags @ nodes.tags[q].T).todense()).ravel()
        return X


SHORTLIST_SCORES = (
    # (feature, tie-breaker or None, share of SHORTLIST): the cheap scores whose tops are unioned.
    ("adamic_adar", "country_prior_popularity", 1.0),
    ("resource_allocation", "country_prior_popularity", 0.5),
    ("paths3_per_degree", None, 1.0),
    ("paths3", None, 0.5),
    ("country_prior_popularity", None, 1.0),
    ("candidate_partners_in_query_country", "country_prior_popularity", 0.5),
    ("query_partners_near_candidate", "country_prior_popularity", 0.3),
    ("same_name", "candidate_degree", 0.1),
)


def shortlist(X: np.ndarray, allowed: np.ndarray, k: int = SHORTLIST) -> np.ndarray:
    """Candidates worth scoring with the trees: the union of the top of several cheap scores
    (2-hop Adamic-Adar and resource allocation, 3-paths, country prior × popularity, the
    candidate's partners in the query's country, the query's partners' neighbourhoods)."""
    n_allowed = int(allowed.sum())
    if n_allowed == 0:
        return np.zeros(0, dtype=np.int64)
    picked = []
    for name, tie, share in SHORTLIST_SCORES:
        m = min(n_allowed, max(1, int(k * share)))
        v = np.nan_to_num(X[:, F[name]].astype(np.float64), nan=-1e9)
        if tie is not None:
            t = np.nan_to_num(X[:, F[tie]].astype(np.float64), nan=-1e9)
            v = v * 1e3 + (t - np.nanmin(t)) / (np.ptp(t) + 1e-9)
        if name != "country_prior_popularity" and not (v > v.min()).any():
            continue  # the score says nothing for this query (e.g. no partners)
        v[~allowed] = -np.inf
        picked.append(np.argpartition(-v, m - 1)[:m])
    top = np.unique(np.concatenate(picked))
    return top[allowed[top]]


@dataclass
class Stage:
    """One learned scorer: gradient-boosted trees over the shortlist, a logistic regression
    ordering the rest (below every shortlisted candidate)."""

    fill: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    linear: LogisticRegression
    trees: HistGradientBoostingClassifier | None

    def linear_scores(self, X: np.ndarray) -> np.ndarray:
        Z = np.where(np.isnan(X), self.fill, X)
        Z = (Z - self.mean) / self.scale
        return Z @ self.linear.coef_.ravel().astype(np.float32) + np.float32(self.linear.intercept_[0])

    def scores(self, X: np.ndarray, allowed: np.ndarray, shortlist_size: int = SHORTLIST) -> np.ndarray:
        """Scores for all rows; rows not allowed get -inf. Higher is better."""
        s = self.linear_scores(X).astype(np.float64)
        if self.trees is None:
            s[~allowed] = -np.inf
            return s
        top = shortlist(X, allowed, shortlist_size)
        # Shortlisted rows sit above every other row; their order is the trees'.
        s = 1.0 / (1.0 + np.exp(-np.clip(s, -30, 30)))
        s[~allowed] = -np.inf
        if len(top):
            s[top] = 2.0 + self.trees.predict_proba(X[top])[:, 1]
        return s


def fit_stage(X: np.ndarray, y: np.ndarray, seed: int, trees: bool,
              in_shortlist: np.ndarray | None = None) -> Stage:
    """Logistic regression on the hidden links and the random non-links (it orders every
    candidate); trees on the rows drawn from the shortlist (the only rows they score)."""
    unknown = np.isnan(X).all(axis=0)  # e.g. population when the links carry none
    X = X.copy()
    X[:, unknown] = 0
    fill = np.nan_to_num(np.nanmedian(X, axis=0))
    Z = np.where(np.isnan(X), fill, X)
    mean, scale = Z.mean(axis=0), Z.std(axis=0)
    scale[scale == 0] = 1.0
    linear = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    broad = np.ones(len(y), dtype=bool) if in_shortlist is None else (y == 1) | ~in_shortlist
    if len(np.unique(y[broad])) < 2:
        broad[:] = True
    linear.fit((Z[broad] - mean) / scale, y[broad])
    booster = None
    if trees:
        rows = np.ones(len(y), dtype=bool) if in_shortlist is None else in_shortlist
        booster = HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.08, max_leaf_nodes=31, min_samples_leaf=40,
            l2_regularization=1.0, random_state=seed,
        )
        booster.fit(X[rows], y[rows])
    return Stage(fill.astype(np.float32), mean.astype(np.float32), scale.astype(np.float32), linear, booster)


def _remove_edges(net: Network, drop: np.ndarray) -> Network:
    keep = np.ones(len(net.edges), dtype=bool)
    keep[drop] = False
    return Network(net.nodes, net.edges[keep])


def _sample(builder: FeatureBuilder, queries: dict[int, list[int]], rng: np.random.Generator,
            n_random: int, n_hard: int, progress: Callable[[int, int], None] | None,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Feature rows of hidden links (1) and of candidates that are not linked (0), drawn the
    way a query sees them: hard negatives from the query's shortlist, a few random ones.
    Returns rows, labels, whether each row is in its query's shortlist, and the shortlist's
    recall of the hidden links."""
    net = builder.net
    n = len(net.nodes)
    rows, labels, inside = [], [], []
    found = total = 0
    items = list(queries.items())
    for done, (q, targets) in enumerate(items):
        X = builder.build(q)
        allowed = np.ones(n, dtype=bool)
        allowed[q] = False
        allowed[net.partners(q)] = False
        short = shortlist(X, allowed)
        mark = np.zeros(n, dtype=bool)
        mark[short] = True
        targets = np.asarray(targets, dtype=np.int64)
        found += int(mark[targets].sum())
        total += len(targets)
        negative = allowed.copy()
        negative[targets] = False
        hard_pool = short[negative[short]]
        hard_neg = rng.choice(hard_pool, size=min(n_hard, len(hard_pool)), replace=False)
        pool = np.flatnonzero(negative & ~mark)
        random_neg = rng.choice(pool, size=min(n_random, len(pool)), replace=False)
        pick = np.concatenate([targets, hard_neg, random_neg])
        rows.append(X[pick])
        labels.append(np.r_[np.ones(len(targets)), np.zeros(len(hard_neg) + len(random_neg))])
        inside.append(mark[pick])
        if progress and done % 200 == 0:
            progress(done, len(items))
    if progress:
        progress(len(items), len(items))
    return np.vstack(rows), np.concatenate(labels), np.concatenate(inside), found / max(total, 1)


def warm_split(net: Network, rng: np.random.Generator, fraction: float = 0.1) -> np.ndarray:
    """Indices of links to hide whose both ends keep at least one other link."""
    deg = net.degree.copy()
    hidden = []
    for e in rng.permutation(len(net.edges))[: int(len(net.edges) * fraction * 1.6)]:
        a, b = net.edges[e]
        if deg[a] > 1 and deg[b] > 1:
            deg[a] -= 1
            deg[b] -= 1
            hidden.append(e)
            if len(hidden) >= fraction * len(net.edges):
                break
    return np.array(hidden, dtype=np.int64)


@dataclass
class Recommender:
    """A learned model over a fixed set of nodes and links."""

    net: Network
    warm: Stage | None
    cold: Stage | None
    trained_seconds: float = 0.0
    training_links: int = 0
    shortlist_recall: dict | None = None  # share of hidden links the shortlist held in training

    def __post_init__(self) -> None:
        self.builder = FeatureBuilder(self.net)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("builder", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.builder = FeatureBuilder(self.net)

    def features(self, q: int) -> np.ndarray:
        return self.builder.build(q)

    def scores(self, q: int, X: np.ndarray | None = None, allowed: np.ndarray | None = None,
               exclude: np.ndarray | None = None) -> np.ndarray:
        """Scores of every node as a partner for node q (-inf for q, its partners, `exclude`)."""
        if X is None:
            X = self.features(q)
        n = len(self.net.nodes)
        if allowed is None:
            allowed = np.ones(n, dtype=bool)
        else:
            allowed = allowed.copy()
        allowed[q] = False
        allowed[self.net.partners(q)] = False
        if exclude is not None and len(exclude):
            allowed[exclude] = False
        stage = self.warm if self.net.degree[q] > 0 and self.warm is not None else self.cold
        if stage is None:
            stage = self.warm
        return stage.scores(X, allowed)

    def shortlist(self, q: int, X: np.ndarray | None = None) -> np.ndarray:
        """The candidates the trees score for q (diagnostics: the shortlist's recall)."""
        X = self.features(q) if X is None else X
        allowed = np.ones(len(self.net.nodes), dtype=bool)
        allowed[q] = False
        allowed[self.net.partners(q)] = False
        return shortlist(X, allowed)

    def top(self, q: int, k: int = 10, allowed: np.ndarray | None = None,
            exclude: np.ndarray | None = None) -> list[tuple[int, float, np.ndarray]]:
        X = self.features(q)
        s = self.scores(q, X, allowed, exclude)
        finite = np.isfinite(s)
        k = min(k, int(finite.sum()))
        if k == 0:
            return []
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return [(int(i), float(s[i]), X[i]) for i in idx if np.isfinite(s[i])]


def train(net: Network, seed: int = 0, progress: Callable[[str, int, int], None] | None = None,
          max_queries: int = 3000, n_random: int = 25, n_hard: int = 60) -> Recommender:
    """Learn the warm and cold models from the links of `net` (see the module docstring)."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    warm = cold = None
    linked = np.flatnonzero(net.degree > 0)
    # Small networks hide links several times over, so there are enough examples to learn from.
    rounds = int(min(8, max(1, math.ceil(400 / max(1, 0.1 * len(net.edges))))))
    # Warm: hide 10 % of links whose ends keep another; query each end, rank the other.
    parts = []
    for r in range(rounds):
        hidden = warm_split(net, rng)
        if not len(hidden):
            continue
        rest = _remove_edges(net, hidden)
        queries: dict[int, list[int]] = {}
        for a, b in net.edges[hidden]:
            queries.setdefault(int(a), []).append(int(b))
            queries.setdefault(int(b), []).append(int(a))
        keys = list(queries)
        if len(keys) > max_queries:
            keys = [keys[i] for i in rng.choice(len(keys), max_queries, replace=False)]
        parts.append(_sample(FeatureBuilder(rest), {k: queries[k] for k in keys}, rng, n_random, n_hard,
                            (lambda d, t: progress("warm", d, t)) if progress else None))
    recall = {}
    if parts and sum(p[1].sum() for p in parts) >= 5:
        X, y, inside = (np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                        np.concatenate([p[2] for p in parts]))
        recall["warm"] = float(np.mean([p[3] for p in parts]))
        warm = fit_stage(X, y, seed, trees=y[inside].sum() >= 200, in_shortlist=inside)
    # Cold: hide every link of 5 % of the linked nodes; query them.
    parts = []
    if len(linked) >= 20:
        for r in range(rounds):
            chosen = rng.choice(linked, size=max(5, int(len(linked) * 0.05)), replace=False)
            mask = np.zeros(len(net.nodes), dtype=bool)
            mask[chosen] = True
            drop = np.flatnonzero(mask[net.edges[:, 0]] | mask[net.edges[:, 1]])
            rest = _remove_edges(net, drop)
            queries = {int(q): [int(p) for p in net.partners(q) if not mask[p]] for q in chosen}
            queries = {q: t for q, t in queries.items() if t}
            if queries:
                parts.append(_sample(FeatureBuilder(rest), queries, rng, n_random, n_hard,
                                     (lambda d, t: progress("cold", d, t)) if progress else None))
    if parts:
        X, y, inside = (np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                        np.concatenate([p[2] for p in parts]))
        recall["cold"] = float(np.mean([p[3] for p in parts]))
        cold = fit_stage(X, y, seed, trees=y[inside].sum() >= 200, in_shortlist=inside)
    if warm is None and cold is None:
        raise ValueError("too few links to learn from: at least 20 linked places are needed")
    return Recommender(net, warm, cold, time.perf_counter() - started, len(net.edges), recall)
