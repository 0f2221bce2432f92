"""Partner recommendation: candidates, features of (query, candidate) pairs, learned ranking, reasons.

Plain Python + numpy/scipy/scikit-learn, no Django, so the evaluation, the CLI, the API and the
pages all run this one code.

How a query is answered (`Recommender.scores`), in two steps:

1. *Candidates.* A few cheap scores are computed for every place at once (sparse products and
   precomputed per-place arrays): Adamic-Adar, resource allocation and 3-paths through the
   query's partners; a low-rank (truncated SVD) embedding of the network, from the query's own
   links and from the links of the places around it; the country-pair prior × popularity, also
   less a penalty for distance; the candidate's partners in the query's country and around the
   query; the query's partners around the candidate; the nearest places across a border;
   namesakes. The union of the top of each is the *shortlist* (of places with equal scores at
   the edge of a top, the first in the network's order).
2. *Ranking.* Every feature (`FEATURES`) is computed for the shortlist only, and
   gradient-boosted trees order it. Places outside the shortlist keep the country prior ×
   popularity, below every shortlisted one.

How a model is learned (`train`): some links of the network are hidden, everything is computed
on what is left (the embedding too), and the trees learn to tell the hidden links from the other
shortlisted candidates of the same query: training mirrors the evaluation exactly. Two rankers
are learned: *warm* (the query has partners: hidden links are 10 % of the links whose both ends
keep another; 3 such splits of up to 3,000 queries) and *cold* (the query has none: all links
of 5 % of the linked places are hidden; 2 such splits); each query keeps 100 of its other
shortlisted candidates.
The rounds are sampled in parallel processes (one per core, at most 2; each warm round in two
halves, so that both processes finish together) and only the sampled rows' features are computed.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import lightgbm
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree
from sklearn.utils.extmath import randomized_svd
from threadpoolctl import threadpool_limits

from .network import Network

FEATURES = (
    "common_partners",
    "adamic_adar",
    "resource_allocation",
    "paths3",
    "paths3_per_degree",
    "latent",
    "latent_near",
    "candidate_degree",
    "query_degree",
    "country_pair_logp",
    "country_pair_lift",
    "country_pair_links",
    "same_country",
    "query_country_share",
    "candidate_partners_in_query_country",
    "candidate_share_in_query_country",
    "profile_similarity",
    "country_profile_similarity",
    "country_prior_popularity",
    "region_pair_links",
    "candidate_partners_in_query_region",
    "alias_of_partner",
    "twinned_with_alias",
    "candidate_partners_near_query",
    "candidate_partners_in_region",
    "query_partners_near_candidate",
    "distance",
    "office_hours",
    "same_name",
    "same_first_word",
    "candidate_population",
    "population_ratio",
    "shared_tags",
    "candidate_country_rank",
    "query_country_rank",
    "country_rank_ratio",
    "candidate_region_rank",
    "query_region_rank",
    "candidate_region_to_query_country",
    "candidate_region_lift",
    "query_region_to_candidate_country",
    "query_region_lift",
    "km_to_partner",
    "name_overlap_with_partner",
    "km_from_query_to_its_partner",
    "name_overlap_query_partner",
    "countries_like_yours",
    "countries_like_yours_here",
    "countries_like_yours_lift",
    "rank_adamic_adar",
    "rank_latent",
    "rank_latent_near",
    "rank_country_prior_popularity",
    "rank_paths3_per_degree",
    "rank_partners_near_query",
)
F = {name: i for i, name in enumerate(FEATURES)}
SHORTLIST = 150  # candidates taken from the top of each cheap score (see `CANDIDATE_SCORES`)
RANK = 32  # dimensions of the network embedding
NEAR_KM = 150.0
ALIAS_KM = 10.0  # two entries this close are often one place under two names ("Leichlingen (Rheinland)")
REGION_KM = 600.0
CPP_KM = 1500.0  # the country prior × popularity loses 1 for every 1,500 km
NAME_KM = 50.0  # names are compared with the nearest partner's only that close
OFFICE_HOURS = 8.0  # 08:00-16:00 local
EARTH_KM = 6371.0

# The products here are small (a few thousand × 32): one BLAS thread does them in well under a
# millisecond, while several threads fighting over two busy cores take tens of milliseconds.
threadpool_limits(1, user_api="blas")


def office_overlap(offset_q: float, offsets: np.ndarray) -> np.ndarray:
    """Hours when both offices are open (08:00-16:00 local each, standard time)."""
    delta = np.abs(offsets - offset_q) % 24
    delta = np.minimum(delta, 24 - delta)
    return np.maximum(0.0, OFFICE_HOURS - delta)


def embedding(net: Network, rank: int = RANK) -> tuple[np.ndarray, np.ndarray]:
    """Left (scaled by the singular values) and right factors of a truncated SVD of the
    regularised adjacency (D + t)^-1/2 A (D + t)^-1/2, t the mean degree (without t, the many
    tiny components of the network take all the top factors), for the linked places only."""
    linked = np.flatnonzero(net.degree > 0)
    k = min(rank, len(linked) // 4)
    if k < 2:
        return np.zeros((len(linked), 0)), np.zeros((len(linked), 0))
    deg = net.degree[linked]
    inv = sparse.diags(1.0 / np.sqrt(deg + deg.mean()))
    norm = (inv @ net.adj[linked][:, linked] @ inv).tocsr()
    u, s, vt = randomized_svd(norm, k, n_iter=4, random_state=0)
    return u * s, np.ascontiguousarray(vt.T)


def _column(matrix: sparse.csc_matrix, j: int) -> np.ndarray:
    """Column j of a CSC matrix as a dense vector (scipy's slicing costs ~0.6 ms at 178k rows)."""
    if not (sparse.isspmatrix_csc(matrix) and matrix.has_canonical_format):
        return matrix[:, j].toarray().ravel()
    start, end = matrix.indptr[j], matrix.indptr[j + 1]
    out = np.zeros(matrix.shape[0], dtype=matrix.dtype)
    out[matrix.indices[start:end]] = matrix.data[start:end]
    return out


def _row(matrix: sparse.csr_matrix, i: int) -> np.ndarray:
    """Row i of a CSR matrix as a dense vector: a sparse matrix times it sums in the same order
    as times the sparse row, without building a sparse product."""
    return matrix[i].toarray().ravel()


class Query:
    """The cheap scores of one query against every node (vectors of length n)."""

    __slots__ = (
        "q",
        "partners",
        "cn",
        "aa",
        "ra",
        "p3",
        "p3n",
        "logp",
        "cpp",
        "inq",
        "near",
        "region",
        "qnear",
        "latent",
        "latent_near",
        "share",
        "cold",
        "rpair",
        "inr",
        "alias",
        "alias_of",
        "fnear",
        "cppd",
        "like",
        "like_here",
        "linked",
    )


class FeatureBuilder:
    """Precomputed per-node arrays of a network; cheap scores and features of one query."""

    def __init__(self, net: Network, prior_strength: float = 5.0):
        self.net = net
        nodes = net.nodes
        deg = net.degree
        n = len(nodes)
        self.log_deg = np.log1p(deg).astype(np.float32)
        self.aa_weight = np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2)), 0.0)
        self.ra_weight = np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0)
        total = max(net.country_links.sum(), 1.0)
        self.country_share = (net.country_links + 1.0) / (total + len(net.country_links))
        self.prior_strength = prior_strength
        self.log_pop = np.where(nodes.population > 0, np.log10(np.maximum(nodes.population, 1)), np.nan)
        lat, lng = np.radians(nodes.lat), np.radians(nodes.lng)
        self.xyz = np.nan_to_num(
            np.stack([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)], axis=1)
        ).astype(np.float64)
        self.xyz_t = np.ascontiguousarray(self.xyz.T)  # 3 × n: `q @ xyz_t` reads it in one pass, 3× faster
        self.located = ~np.isnan(nodes.lat) & ~np.isnan(nodes.lng)
        # 1-degree grid cells, for "your partners' neighbourhood" without n distances per partner.
        self.cell = np.full(n, -1, dtype=np.int64)
        known = self.located
        self.cell[known] = (np.floor(nodes.lat[known]) + 90).astype(np.int64).clip(0, 179) * 360 + (
            np.floor(nodes.lng[known]) + 180
        ).astype(np.int64) % 360
        self.has_tags = nodes.tags.shape[1] > 0
        # Words of each name ("Neukölln (Berlin)" → {neukolln, berlin}), to tell one place listed
        # under two names ("Berlin – Neukölln") from two neighbouring places.
        self.words = [frozenset(key.split()) for key in nodes.name_keys]
        # Each name and its first word as a number, to compare a query's with its candidates' at once.
        ids: dict[str, int] = {}
        self.name_id = np.array([ids.setdefault(key, len(ids)) for key in nodes.name_keys], dtype=np.int64)
        self.first_id = np.array(
            [ids.setdefault(key.split(" ")[0], len(ids)) for key in nodes.name_keys], dtype=np.int64
        )
        # Linked places only: the network's embedding, positions, adjacency between them.
        self.linked = np.flatnonzero(deg > 0)
        self.linked_pos = np.full(n, -1, dtype=np.int64)
        self.linked_pos[self.linked] = np.arange(len(self.linked))
        self.emb_left, self.emb_right = embedding(net)
        self.linked_located = self.located[self.linked]
        # Between linked places only: every partner of a place is linked, so the products over
        # this block give a linked place's sums (in the same order) and leave the rest 0.
        self.adj_ll = net.adj[self.linked][:, self.linked].tocsr()
        self.located_idx = np.flatnonzero(self.located)
        self.tree = cKDTree(self.xyz[self.located_idx]) if len(self.located_idx) else None
        # Share of each place's partners per country (rows) and of each country's (country rows).
        pic = net.partners_in_country.tocsr()
        self.profile = sparse.diags(1.0 / np.maximum(np.sqrt(pic.multiply(pic).sum(axis=1).A.ravel()), 1e-9)) @ pic
        # Which countries each linked place is twinned with (0/1), for "places twinned with the
        # countries you are twinned with are also twinned with k".
        self.twinned_with = (pic[self.linked] > 0).astype(np.float32).tocsr()
        self.twinned_with_t = self.twinned_with.T.tocsr()
        self.linked_country = nodes.countries[self.linked]
        cp = net.country_pairs
        self.country_profile = cp / np.maximum(np.sqrt((cp**2).sum(axis=1, keepdims=True)), 1e-9)

    def country_logp(self, cq: int) -> np.ndarray:
        """log P(partner's country | query's country), smoothed towards the global shares."""
        row = self.net.country_pairs[cq]
        a = self.prior_strength
        return np.log((row + a * self.country_share) / (row.sum() + a))

    def countries_like(self, q: int, mine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shares of the countries that places with partners in q's countries (`mine`) also
        have partners in, weighted by how many of q's countries each shares: over all places,
        and over the places of q's own country (q left out)."""
        overlap = self.twinned_with @ mine.astype(np.float32)
        pos = self.linked_pos[q]
        if pos >= 0:
            overlap[pos] = 0.0
        here = np.where(self.linked_country == self.net.nodes.countries[q], overlap, 0.0)
        out = [self.twinned_with_t @ o for o in (overlap, here)]
        return out[0] / max(out[0].sum(), 1e-9), out[1] / max(out[1].sum(), 1e-9)

    def distances(self, q: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Great-circle km from q to `rows` (all nodes by default); NaN where unknown."""
        xyz = self.xyz if rows is None else self.xyz[rows]
        d = EARTH_KM * np.arccos(np.clip(xyz @ self.xyz[q], -1.0, 1.0))
        if not self.located[q]:
            return np.full(len(d), np.nan)
        return np.where(self.located if rows is None else self.located[rows], d, np.nan)

    def _on_linked(self, values: np.ndarray, dtype=None) -> np.ndarray:
        """A vector over the linked places spread over every node (0 elsewhere)."""
        out = np.zeros(len(self.net.nodes), dtype=dtype or values.dtype)
        out[self.linked] = values
        return out

    def query(self, q: int) -> Query:
        net, nodes = self.net, self.net.nodes
        n = len(nodes)
        c = Query()
        c.q = q
        c.linked = self.linked
        c.partners = partners = net.partners(q)
        c.cold = len(partners) == 0
        cq = nodes.countries[q]
        zeros = np.zeros(n, dtype=np.float64)
        if len(partners):
            rows = net.adj[partners]
            c.cn = np.asarray(rows.sum(axis=0)).ravel()
            c.aa = self.aa_weight[partners] @ rows
            c.ra = self.ra_weight[partners] @ rows
            c.p3 = self._on_linked(self.adj_ll @ c.cn[self.linked], c.cn.dtype)
            c.p3n = c.p3 / np.maximum(net.degree, 1)
            c.share = np.bincount(nodes.countries[partners], minlength=len(nodes.country_names)) / len(partners)
            c.like, c.like_here = self.countries_like(q, c.share > 0)
        else:
            c.cn = c.aa = c.ra = c.p3 = c.p3n = zeros
            c.share = np.zeros(len(nodes.country_names))
            c.like = c.like_here = None
        c.logp = self.country_logp(cq)
        c.cpp = c.logp[nodes.countries] + self.log_deg
        if self.located[q]:
            # Nearer is larger: 1 + the cosine of the angle between the two places (no arccos
            # over every place); the straight-line (chord) km for the prior's distance penalty.
            # A place without a position counts as 90° away (its vector is 0).
            cos = self.xyz[q] @ self.xyz_t
            c.fnear = np.where(self.located & (nodes.countries != cq), 1.0 + cos, 0.0)
            c.cppd = c.cpp - (EARTH_KM / CPP_KM) * np.sqrt(np.maximum(2.0 - 2.0 * cos, 0.0))
        else:
            cos = None
            c.fnear = zeros
            c.cppd = c.cpp - 1e3
        c.inq = _column(net.partners_in_country, cq)
        rq = nodes.regions[q]
        if rq >= 0:
            row = np.r_[net.region_pairs[rq].toarray().ravel(), 0.0]
            c.rpair = row[nodes.regions]  # region -1 → the last, 0
            c.inr = _column(net.partners_in_region, rq)
        else:
            c.rpair = c.inr = zeros
        # Linked places near the query: their partners, and their place in the embedding.
        near = region = c.alias = c.alias_of = zeros
        located_partners = partners[self.located[partners]]
        if len(located_partners) and self.tree is not None:
            # Places at (almost) the same point as one of the query's partners.
            hits = self.tree.query_ball_point(self.xyz[located_partners], 2 * math.sin(ALIAS_KM / EARTH_KM / 2))
            found = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
            if len(found):
                c.alias_of = np.bincount(self.located_idx[found], minlength=n).astype(np.float64)
        latent = latent_near = zeros
        k = self.emb_left.shape[1]
        if self.located[q] and len(self.linked):
            d = EARTH_KM * np.arccos(np.clip(cos[self.linked], -1.0, 1.0))
            w_near = np.where(self.linked_located, np.exp(-d / NEAR_KM), 0.0)
            w_region = np.where(self.linked_located, np.exp(-d / REGION_KM), 0.0)
            pos = self.linked_pos[q]
            if pos >= 0:
                w_near[pos] = w_region[pos] = 0.0
            # One pass over the linked block for the three sums (the same sums, column by column).
            sums = self.adj_ll @ np.column_stack([w_near, self.linked_located & (d < ALIAS_KM), w_region])
            near, c.alias, region = (self._on_linked(sums[:, j]) for j in range(3))
            if k and w_near.sum() > 1e-6:
                # float32 like the embedding: a mixed product would leave BLAS (~10× slower).
                v = (w_near.astype(np.float32) @ self.emb_left) / np.float32(w_near.sum())
                latent_near = zeros.copy()
                latent_near[self.linked] = self.emb_right @ v
        pos = self.linked_pos[q]
        if k and pos >= 0:
            latent = zeros.copy()
            latent[self.linked] = self.emb_right @ self.emb_left[pos]
        c.near, c.region, c.latent, c.latent_near = near, region, latent, latent_near
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
            c.qnear = grid[self.cell]  # cell -1 → the last, always 0
        else:
            c.qnear = zeros
        return c

    def features(self, c: Query, rows: np.ndarray, pick: np.ndarray | None = None) -> np.ndarray:
        """The feature matrix of the candidates `rows` for the query `c` (of `rows[pick]` only
        if `pick` is given: the ranks among the candidates still count every one of `rows`)."""
        net, nodes = self.net, self.net.nodes
        q = c.q
        # Where the candidate stands among this query's candidates, by a few scores.
        ranks = {}
        for name, v in (
            ("rank_adamic_adar", c.aa),
            ("rank_latent", c.latent),
            ("rank_latent_near", c.latent_near),
            ("rank_country_prior_popularity", c.cpp),
            ("rank_paths3_per_degree", c.p3n),
            ("rank_partners_near_query", c.near),
        ):
            order = np.argsort(-v[rows], kind="stable")
            rank = np.empty(len(rows), dtype=np.float32)
            rank[order] = np.arange(len(rows))
            ranks[name] = np.log1p(rank if pick is None else rank[pick])
        if pick is not None:
            rows = rows[pick]
        X = np.zeros((len(rows), len(FEATURES)), dtype=np.float32)
        for name, v in ranks.items():
            X[:, F[name]] = v
        cand_country = nodes.countries[rows]
        cq = nodes.countries[q]
        X[:, F["common_partners"]] = np.log1p(c.cn[rows])
        X[:, F["adamic_adar"]] = c.aa[rows]
        X[:, F["resource_allocation"]] = c.ra[rows]
        X[:, F["paths3"]] = np.log1p(c.p3[rows])
        X[:, F["paths3_per_degree"]] = np.log1p(c.p3n[rows])
        X[:, F["latent"]] = c.latent[rows]
        X[:, F["latent_near"]] = c.latent_near[rows]
        X[:, F["candidate_degree"]] = self.log_deg[rows]
        X[:, F["query_degree"]] = self.log_deg[q]
        X[:, F["country_pair_logp"]] = c.logp[cand_country]
        X[:, F["country_pair_lift"]] = (c.logp - np.log(self.country_share))[cand_country]
        X[:, F["country_prior_popularity"]] = c.cpp[rows]
        X[:, F["country_pair_links"]] = np.log1p(net.country_pairs[cq])[cand_country]
        X[:, F["same_country"]] = cand_country == cq
        X[:, F["query_country_share"]] = c.share[cand_country]
        X[:, F["candidate_partners_in_query_country"]] = np.log1p(c.inq[rows])
        X[:, F["candidate_share_in_query_country"]] = c.inq[rows] / np.maximum(net.degree[rows], 1)
        profile = self.profile[rows]
        if not c.cold:
            X[:, F["profile_similarity"]] = profile @ _row(self.profile, q)
        X[:, F["country_profile_similarity"]] = profile @ self.country_profile[cq]
        X[:, F["region_pair_links"]] = np.log1p(c.rpair[rows])
        X[:, F["candidate_partners_in_query_region"]] = np.log1p(c.inr[rows])
        X[:, F["alias_of_partner"]] = c.alias_of[rows]
        X[:, F["twinned_with_alias"]] = c.alias[rows]
        X[:, F["candidate_partners_near_query"]] = np.log1p(c.near[rows])
        X[:, F["candidate_partners_in_region"]] = np.log1p(c.region[rows])
        X[:, F["query_partners_near_candidate"]] = np.log1p(c.qnear[rows])
        X[:, F["distance"]] = np.log1p(self.distances(q, rows))
        if math.isnan(nodes.utc_offset[q]):
            X[:, F["office_hours"]] = np.nan
        else:
            X[:, F["office_hours"]] = office_overlap(nodes.utc_offset[q], nodes.utc_offset[rows])
        key = nodes.name_keys[q]
        if key:
            X[:, F["same_name"]] = self.name_id[rows] == self.name_id[q]
            if len(key.split(" ")[0]) >= 4:
                X[:, F["same_first_word"]] = self.first_id[rows] == self.first_id[q]
        X[:, F["candidate_population"]] = self.log_pop[rows]
        X[:, F["population_ratio"]] = np.abs(self.log_pop[rows] - self.log_pop[q])
        X[:, F["candidate_country_rank"]] = np.log(nodes.country_rank[rows])
        X[:, F["query_country_rank"]] = math.log(nodes.country_rank[q])
        X[:, F["country_rank_ratio"]] = np.abs(np.log(nodes.country_rank[rows]) - math.log(nodes.country_rank[q]))
        X[:, F["candidate_region_rank"]] = np.log(nodes.region_rank[rows])
        X[:, F["query_region_rank"]] = math.log(nodes.region_rank[q])
        regions = nodes.regions[rows]
        known = regions >= 0
        rc = np.zeros(len(rows))
        rc[known] = net.region_country[regions[known], cq]
        X[:, F["candidate_region_to_query_country"]] = np.log1p(rc)
        lift = np.full(len(rows), np.nan)
        lift[known] = np.log((rc[known] + 1) / (net.region_links[regions[known]] + 1) / self.country_share[cq])
        X[:, F["candidate_region_lift"]] = lift
        rq = nodes.regions[q]
        if rq >= 0:
            row = net.region_country[rq]
            X[:, F["query_region_to_candidate_country"]] = np.log1p(row[cand_country])
            X[:, F["query_region_lift"]] = np.log(
                (row[cand_country] + 1) / (net.region_links[rq] + 1) / self.country_share[cand_country]
            )
        else:
            X[:, F["query_region_to_candidate_country"]] = np.nan
            X[:, F["query_region_lift"]] = np.nan
        if c.like is not None:
            X[:, F["countries_like_yours"]] = c.like[cand_country]
            X[:, F["countries_like_yours_here"]] = c.like_here[cand_country]
            X[:, F["countries_like_yours_lift"]] = np.log(
                (c.like_here[cand_country] + 1e-3) / np.exp(c.logp[cand_country])
            )
        self._alias_features(c, rows, X)
        if self.has_tags:
            X[:, F["shared_tags"]] = nodes.tags[rows] @ _row(nodes.tags, q)
        return X

    def _overlap(self, a: list[int], b: list[int]) -> np.ndarray:
        """Shared words of the names of a[i] and b[i], over the shorter name's words."""
        words = self.words
        return np.array(
            [len(words[i] & words[j]) / max(1, min(len(words[i]), len(words[j]))) for i, j in zip(a, b)],
            dtype=np.float32,
        )

    def _alias_features(self, c: Query, rows: np.ndarray, X: np.ndarray) -> None:
        """How close (km, words of the name) the candidate is to the query's nearest partner, and
        the query to the candidate's nearest partner: the same pair listed twice under two names
        is a candidate at 0 km from a partner, with a name sharing its words."""
        q, partners = c.q, c.partners
        X[:, F["km_to_partner"]] = X[:, F["km_from_query_to_its_partner"]] = np.nan
        located = self.located
        known = partners[located[partners]]
        if len(known) and len(rows):
            cos = self.xyz[rows] @ self.xyz[known].T
            j = np.argmax(cos, axis=1)
            km = EARTH_KM * np.arccos(np.clip(cos[np.arange(len(rows)), j], -1.0, 1.0))
            X[:, F["km_to_partner"]] = np.where(located[rows], np.log1p(km), np.nan)
            close = np.flatnonzero(km < NAME_KM)
            X[close, F["name_overlap_with_partner"]] = self._overlap(rows[close].tolist(), known[j[close]].tolist())
        if not located[q] or not len(rows):
            return
        adj = self.net.adj
        starts, ends = adj.indptr[rows], adj.indptr[rows + 1]
        has = ends > starts
        if not has.any():
            return
        theirs = np.concatenate([adj.indices[a:b] for a, b in zip(starts[has], ends[has])])
        cos = np.where(located[theirs], self.xyz[theirs] @ self.xyz[q], -2.0)
        offsets = np.r_[0, np.cumsum((ends - starts)[has])[:-1]]
        best = np.maximum.reduceat(cos, offsets)
        # The partner reaching it: the first position in each segment holding the maximum.
        is_best = cos == np.repeat(best, (ends - starts)[has])
        seg = np.repeat(np.arange(has.sum()), (ends - starts)[has])
        first = np.full(has.sum(), -1)
        hits = np.flatnonzero(is_best)
        first[seg[hits][::-1]] = hits[::-1]
        km = np.where(best > -2.0, EARTH_KM * np.arccos(np.clip(best, -1.0, 1.0)), np.nan)
        X[np.flatnonzero(has), F["km_from_query_to_its_partner"]] = np.log1p(km)
        close = np.flatnonzero(km < NAME_KM)
        X[np.flatnonzero(has)[close], F["name_overlap_query_partner"]] = self._overlap(
            [q] * len(close), theirs[first[close]].tolist()
        )

    def build(self, q: int) -> np.ndarray:
        """Every feature of q against every node (tests and diagnostics; slow on big networks)."""
        return self.features(self.query(q), np.arange(len(self.net.nodes)))


CANDIDATE_SCORES = (
    # (score, tie-breaker or None, share of SHORTLIST): the cheap scores whose tops are unioned.
    ("aa", "cpp", 1.0),
    ("ra", "cpp", 0.5),
    ("p3n", None, 1.0),
    ("p3", None, 0.5),
    ("latent", None, 1.0),
    ("latent_near", None, 0.5),
    ("cpp", None, 1.0),
    ("inq", "cpp", 0.5),
    ("near", "cpp", 0.5),
    ("region", "cpp", 0.3),
    ("rpair", "cpp", 0.5),
    ("inr", "cpp", 0.3),
    ("alias", "cpp", 0.1),
    ("alias_of", "cpp", 0.1),
    ("qnear", "cpp", 0.3),
    ("fnear", "cpp", 0.3),
    ("cppd", None, 0.5),
)


def smallest(v: np.ndarray, m: int) -> np.ndarray:
    """The indices of the m smallest values of v; of equal values at the boundary, the lowest
    indices. A threshold taken from a sample of v leaves a few hundred candidates and only they
    are partitioned: a fraction of a partition of all n (1-2 ms at 178k places, 15 per query),
    which would also settle the many equal scores (places of one country without partners) by
    its own algorithm's order."""
    n = len(v)
    if m >= n:
        return np.arange(n)
    step = max(1, n // 4096)
    sample = v[::step]
    r = min(len(sample) - 1, 2 * (m // step + 1) + 8)
    candidates = np.flatnonzero(v <= np.partition(sample, r)[r])
    if len(candidates) < m:
        candidates = np.arange(n)
    values = v[candidates]
    bound = np.partition(values, m - 1)[m - 1]  # the m-th smallest of all: every one below it is a candidate
    better = candidates[values < bound]
    return np.concatenate([better, candidates[values == bound][: m - len(better)]])


# Cheap scores that are 0 outside the linked places (sums over partners, the embedding): their
# top is read from the ~17k linked places and the best of the rest, which all score 0.
LINKED_ONLY = frozenset({"aa", "ra", "p3n", "p3", "latent", "latent_near", "inq", "near", "region", "inr", "alias"})


def shortlist(c: Query, allowed: np.ndarray, k: int = SHORTLIST, names=None) -> np.ndarray:
    """Candidates worth ranking with the trees: the union of the top of several cheap scores,
    plus the query's namesakes."""
    n_allowed = int(allowed.sum())
    if n_allowed == 0:
        return np.zeros(0, dtype=np.int64)
    picked = []
    disallowed = np.flatnonzero(~allowed) if n_allowed > len(allowed) // 2 else ~allowed  # indices when few
    ties: dict[str, np.ndarray] = {}  # each tie-breaker scaled to [0, 1], once per query
    linked = c.linked[allowed[c.linked]]
    rest: dict[str | None, np.ndarray] = {}  # the best of the places outside `linked`, by tie-breaker

    def key(v: np.ndarray, tie: str | None, at=slice(None)) -> np.ndarray:
        """What `smallest` orders: minus the score, its tie-breaker a thousandth of a point
        (-1e3·v - t is exactly -(1e3·v + t), in two passes over v instead of three)."""
        if tie is None:
            return np.negative(v)
        out = np.multiply(v, -1e3).astype(np.float64, copy=False)
        out -= ties[tie][at]
        return out

    for name, tie, share in CANDIDATE_SCORES:
        v = getattr(c, name)
        m = min(n_allowed, max(1, int(k * share)))
        if tie is not None and tie not in ties:
            t = getattr(c, tie)
            low = t.min()
            ties[tie] = (t - low) / (t.max() - low + 1e-9)  # np.ptp would take the minimum again
        if name in LINKED_ONLY:
            values = v[linked]
            if not (values > 0).any():
                continue  # the score says nothing for this query (e.g. no partners)
            if tie not in rest:
                # Outside the linked places the score is 0: their order is the tie-breaker's (or
                # the network's, without one). The best k of them serve every such score.
                others = allowed.copy()
                others[c.linked] = False
                if not others.any():
                    rest[tie] = np.zeros(0, dtype=np.int64)
                elif tie is None:
                    rest[tie] = np.flatnonzero(others)[:k]
                else:
                    w = np.where(others, -ties[tie], np.inf)
                    best = smallest(w, min(k, int(others.sum())))
                    rest[tie] = best[np.lexsort((best, w[best]))]
            pool = np.r_[linked[smallest(key(values, tie, linked), min(m, len(linked)))], rest[tie][:m]]
            pool.sort()
            pool_key = key(v[pool], tie, pool)
            picked.append(pool[smallest(pool_key, min(m, len(pool)))])
            continue
        if name not in ("cpp", "cppd") and not (v > 0).any():
            continue
        v = key(v, tie)
        v[disallowed] = np.inf  # -v of the allowed, +inf elsewhere
        picked.append(smallest(v, m))
    if names is not None:
        picked.append(np.asarray(names, dtype=np.int64))
    top = np.unique(np.concatenate(picked))
    return top[allowed[top]]


@dataclass
class Stage:
    """One learned ranker: LambdaRank trees (lightgbm) over a query's shortlist."""

    trees: lightgbm.Booster

    def rank(self, X: np.ndarray) -> np.ndarray:
        """Higher is better; comparable only within one query. One thread: a query's few
        hundred rows are done before several threads would have started."""
        return self.trees.predict(X, num_threads=1)


def fit_stage(X: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int) -> Stage:
    """Trees that order each query's shortlist, learned listwise (LambdaRank: what counts is
    where the hidden partner lands among the query's other candidates, top ones most)."""
    _, sizes = np.unique(groups, return_counts=True)
    booster = lightgbm.train(
        {
            "objective": "lambdarank",
            "lambdarank_truncation_level": 30,
            "learning_rate": 0.1,
            "num_leaves": 15,
            "min_data_in_leaf": 40,
            "lambda_l2": 1.0,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "seed": seed,
            "num_threads": 2,
            "verbose": -1,
        },
        lightgbm.Dataset(X, y, group=sizes),
        num_boost_round=200,
    )
    return Stage(booster)


def _remove_edges(net: Network, drop: np.ndarray) -> Network:
    keep = np.ones(len(net.edges), dtype=bool)
    keep[drop] = False
    return Network(net.nodes, net.edges[keep])


def namesakes(net: Network, q: int) -> list[int]:
    key = net.nodes.name_keys[q]
    return net.nodes.by_key.get(key, []) if key else []


def _sample(
    builder: FeatureBuilder,
    queries: dict[int, list[int]],
    rng: np.random.Generator,
    n_hard: int,
    progress: Callable[[int, int], None] | None,
    group_base: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Feature rows of hidden links (1) and of other candidates (0) from the same shortlist,
    drawn the way a query sees them. Returns rows, labels, query groups and the shortlist's
    recall of the hidden links."""
    net = builder.net
    n = len(net.nodes)
    rows, labels, groups = [], [], []
    found = total = 0
    items = list(queries.items())
    for done, (q, targets) in enumerate(items):
        c = builder.query(q)
        allowed = np.ones(n, dtype=bool)
        allowed[q] = False
        allowed[c.partners] = False
        short = shortlist(c, allowed, names=namesakes(net, q))
        is_target = np.zeros(n, dtype=bool)
        is_target[np.asarray(targets, dtype=np.int64)] = True
        hit = is_target[short]
        found += int(hit.sum())
        total += len(targets)
        if progress and done % 200 == 0:
            progress(done, len(items))
        if not hit.any():
            continue
        negatives = np.flatnonzero(~hit)
        pick = np.r_[np.flatnonzero(hit), rng.choice(negatives, size=min(n_hard, len(negatives)), replace=False)]
        rows.append(builder.features(c, short, pick))
        labels.append(hit[pick].astype(np.float32))
        groups.append(np.full(len(pick), group_base + done))
    if progress:
        progress(len(items), len(items))
    if not rows:
        return np.zeros((0, len(FEATURES)), np.float32), np.zeros(0), np.zeros(0, np.int64), 0.0
    return np.vstack(rows), np.concatenate(labels), np.concatenate(groups), found / max(total, 1)


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
    features: tuple = FEATURES  # what the trees were learned on (a file from other code differs)

    def __post_init__(self) -> None:
        self.builder = FeatureBuilder(self.net)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("builder", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.builder = FeatureBuilder(self.net)

    def _allowed(self, q: int, allowed: np.ndarray | None, exclude: np.ndarray | None) -> np.ndarray:
        allowed = np.ones(len(self.net.nodes), dtype=bool) if allowed is None else allowed.copy()
        allowed[q] = False
        allowed[self.net.partners(q)] = False
        if exclude is not None and len(exclude):
            allowed[exclude] = False
        return allowed

    def _ranked(
        self,
        q: int,
        allowed: np.ndarray | None,
        exclude: np.ndarray | None,
    ) -> tuple[np.ndarray, Query, np.ndarray, np.ndarray, np.ndarray]:
        """The allowed mask, the query, its shortlist, the shortlist's features and its scores."""
        allowed = self._allowed(q, allowed, exclude)
        c = self.builder.query(q)
        stage = self.cold if c.cold and self.cold is not None else (self.warm or self.cold)
        short = shortlist(c, allowed, names=namesakes(self.net, q))
        X = self.builder.features(c, short)
        scores = (2.0 + 1.0 / (1.0 + np.exp(-np.clip(stage.rank(X), -30, 30)))) if len(short) else np.zeros(0)
        return allowed, c, short, X, scores

    def _everyone(self, c: Query, allowed: np.ndarray, short: np.ndarray, scores: np.ndarray) -> np.ndarray:
        # Outside the shortlist: the country prior × popularity, in (0, 1).
        s = 1.0 / (1.0 + np.exp(-np.clip(c.cpp, -30, 30)))
        s[~allowed] = -np.inf
        if len(short):
            s[short] = scores
        return s

    def rank(
        self,
        q: int,
        allowed: np.ndarray | None = None,
        exclude: np.ndarray | None = None,
    ) -> tuple[np.ndarray, Query, np.ndarray, np.ndarray]:
        """Scores of every node as a partner for q (-inf for q, its partners, `exclude` and
        what `allowed` leaves out), with the query, its shortlist and the shortlist's features."""
        allowed, c, short, X, scores = self._ranked(q, allowed, exclude)
        return self._everyone(c, allowed, short, scores), c, short, X

    def scores(self, q: int, allowed: np.ndarray | None = None, exclude: np.ndarray | None = None) -> np.ndarray:
        return self.rank(q, allowed, exclude)[0]

    def shortlist(self, q: int) -> np.ndarray:
        """The candidates the trees order for q (diagnostics: the shortlist's recall)."""
        c = self.builder.query(q)
        return shortlist(c, self._allowed(q, None, None), names=namesakes(self.net, q))

    def top(
        self, q: int, k: int = 10, allowed: np.ndarray | None = None, exclude: np.ndarray | None = None
    ) -> list[tuple[int, float, np.ndarray]]:
        """The k best candidates, each with its score and feature row."""
        allowed, c, short, X, scores = self._ranked(q, allowed, exclude)
        if 0 < k < len(short):
            # Every shortlisted score (> 2) beats every other (< 1): when the k + 1 best of the
            # shortlist are all different, they are the k best of all in one order, without the
            # n-long scores and their partition (which settles ties its own way: then below).
            order = np.argsort(-scores, kind="stable")[: k + 1]
            if len(np.unique(scores[order])) == len(order):
                return [(int(short[j]), float(scores[j]), X[j]) for j in order[:k].tolist()]
        s = self._everyone(c, allowed, short, scores)
        k = min(k, int(np.isfinite(s).sum()))
        if k == 0:
            return []
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        where = {int(i): j for j, i in enumerate(short.tolist())}
        rest = np.array([i for i in idx.tolist() if i not in where], dtype=np.int64)
        extra = dict(zip(rest.tolist(), self.builder.features(c, rest))) if len(rest) else {}
        return [(int(i), float(s[i]), X[where[i]] if i in where else extra[i]) for i in idx.tolist()]


WARM_ROUNDS = 3  # warm splits of a big network (each hides 10 % of the links)
WARM_QUERIES = 3000  # queries drawn from each warm split
# Other shortlisted candidates kept per query, drawn at random so the trees see the whole range
# (30 per warm query did 0.004 worse in hit@10 on two development splits; all of them, worse too).
NEGATIVES = 100
WARM_PARTS = 2  # tasks each warm round's queries are shared out over
COLD_ROUNDS = 2  # cold splits (each hides every link of 5 % of the linked places)
_TASK_NET: Network | None = None  # the network the sampling processes read (inherited by fork)


def _task(kind: str, seed: int, r: int, part: int, parts: int, max_queries: int, n_hard: int):
    """The training rows of one part of a round: `warm` hides 10 % of the links whose ends keep
    another and queries each end; `cold` hides every link of 5 % of the linked places and
    queries them. A round's `parts` tasks hide the same links and share its queries out, so the
    processes finish together. Each round and part has its own random stream: the result does
    not depend on which process ran it."""
    net = _TASK_NET
    rng = np.random.default_rng([seed, 0 if kind == "warm" else 1, r])
    queries: dict[int, list[int]] = {}
    if kind == "warm":
        hidden = warm_split(net, rng)
        if not len(hidden):
            return None
        rest = _remove_edges(net, hidden)
        for a, b in net.edges[hidden]:
            queries.setdefault(int(a), []).append(int(b))
            queries.setdefault(int(b), []).append(int(a))
        keys = list(queries)
        if len(keys) > max_queries:
            keys = [keys[i] for i in rng.choice(len(keys), max_queries, replace=False)]
        queries = {k: queries[k] for k in keys}
    else:
        linked = np.flatnonzero(net.degree > 0)
        chosen = rng.choice(linked, size=max(5, int(len(linked) * 0.05)), replace=False)
        mask = np.zeros(len(net.nodes), dtype=bool)
        mask[chosen] = True
        rest = _remove_edges(net, np.flatnonzero(mask[net.edges[:, 0]] | mask[net.edges[:, 1]]))
        queries = {int(q): [int(p) for p in net.partners(q) if not mask[p]] for q in chosen}
        queries = {q: t for q, t in queries.items() if t}
        if not queries:
            return None
    keys = list(queries)[part::parts]
    rng = np.random.default_rng([seed, 0 if kind == "warm" else 1, r, part])
    return kind, r, part, _sample(FeatureBuilder(rest), {k: queries[k] for k in keys}, rng, n_hard, None)


def train(
    net: Network,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
    max_queries: int = WARM_QUERIES,
    n_hard: int = NEGATIVES,
    warm_rounds: int = WARM_ROUNDS,
    processes: int | None = None,
) -> Recommender:
    """Learn the warm and cold rankers from the links of `net` (see the module docstring).

    The rounds are sampled by `processes` worker processes (default: up to 2, one per core;
    1 on small networks, where starting processes costs more than it saves)."""
    global _TASK_NET
    started = time.perf_counter()
    warm = cold = None
    linked = np.flatnonzero(net.degree > 0)
    # Small networks hide links several times over, so there are enough examples to learn from.
    rounds = int(min(8, max(1, math.ceil(400 / max(1, 0.1 * len(net.edges))))))
    tasks = [("warm", r) for r in range(max(rounds, warm_rounds))]
    if len(linked) >= 20:
        tasks += [("cold", r) for r in range(max(rounds, COLD_ROUNDS))]
    if processes is None:
        processes = min(2, os.cpu_count() or 1) if len(net.edges) >= 5000 else 1
    # A warm round takes about four times a cold one: in halves, the longest first, two
    # processes get equal shares (three whole warm rounds would leave one process a round
    # behind). The same halves with one process: the model does not depend on the processes.
    parts = {"warm": WARM_PARTS, "cold": 1}
    args = [(kind, seed, r, part, parts[kind], max_queries, n_hard) for kind, r in tasks for part in range(parts[kind])]
    _TASK_NET = net
    try:
        if processes > 1:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                results = []
                for done, result in enumerate(pool.imap_unordered(_task_star, args), 1):
                    results.append(result)
                    if progress:
                        progress("sampling", done, len(args))
        else:
            results = []
            for done, a in enumerate(args, 1):
                results.append(_task(*a))
                if progress:
                    progress("sampling", done, len(args))
    finally:
        _TASK_NET = None
    recall = {}
    for kind in ("warm", "cold"):
        parts = [
            p
            for k, _, _, p in sorted((r for r in results if r is not None), key=lambda r: r[:3])
            if k == kind and len(p[1])
        ]
        if not parts:
            continue
        recall[kind] = float(np.mean([p[3] for p in parts]))
        X, y, g = (
            np.vstack([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )
        # Groups of different rounds may share a number (same query node): keep them apart.
        _, g = np.unique(
            np.c_[np.repeat(np.arange(len(parts)), [len(p[1]) for p in parts]), g], axis=0, return_inverse=True
        )
        if y.sum() >= 5:
            stage = fit_stage(X, y, g.ravel(), seed)
            if kind == "warm":
                warm = stage
            else:
                cold = stage
        if progress:
            progress(kind, 1, 1)
    if warm is None and cold is None:
        raise ValueError("too few links to learn from: at least 20 linked places are needed")
    return Recommender(net, warm, cold, time.perf_counter() - started, len(net.edges), recall)


def _task_star(args):
    return _task(*args)
