"""The twinning network as arrays: who the candidates are and who is linked to whom.

Plain numpy/scipy, no Django: the same structure is built from the registry (`match-train`)
and from a CSV of links (`match-eval`), so the recommender and its evaluation are one code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from scipy import sparse


def utc_offset(tz: str, cache: dict) -> float:
    """A zone's offset from UTC in hours (mid-January, so without summer time), NaN for an unknown
    or empty zone name; `cache` keeps what was computed."""
    if tz not in cache:
        try:
            offset = ZoneInfo(tz).utcoffset(datetime(2025, 1, 15, 12))
            cache[tz] = offset.total_seconds() / 3600 if offset is not None else float("nan")
        except Exception:  # unknown or empty zone name
            cache[tz] = float("nan")
    return cache[tz]


@dataclass
class Nodes:
    """Candidate places. Unknown numbers are NaN; `tags` is a (n × t) 0/1 matrix of traits,
    fields and SDG priorities, with `tag_names` naming its columns."""

    names: list[str]
    name_keys: list[str]
    countries: np.ndarray  # int index into `country_names`
    country_names: list[str]
    lat: np.ndarray
    lng: np.ndarray
    population: np.ndarray
    utc_offset: np.ndarray  # hours, standard time
    tags: sparse.csr_matrix | None = None
    tag_names: list[str] = field(default_factory=list)
    ids: np.ndarray | None = None  # outside identifiers (Place ids), or None
    regions: np.ndarray | None = None  # first-level division (index into `region_names`), -1 unknown
    region_names: list[str] = field(default_factory=list)
    # Province-level places (first-level divisions: provinces, prefectures, states), the others
    # local (cities, regencies, municipalities): see kembar.gazetteer.levels. All local when None.
    first_level: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.names)
        if self.first_level is None:
            self.first_level = np.zeros(n, dtype=bool)
        if self.tags is None:
            self.tags = sparse.csr_matrix((n, 0), dtype=np.float32)
        if self.regions is None:
            self.regions = np.full(n, -1, dtype=np.int64)
        self.by_key: dict[str, list[int]] = {}
        self.by_first_word: dict[str, list[int]] = {}
        for i, key in enumerate(self.name_keys):
            self.by_key.setdefault(key, []).append(i)
            first = key.split(" ")[0] if key else ""
            if len(first) >= 4:
                self.by_first_word.setdefault(first, []).append(i)
        self.country_rank = _size_rank(self.population, self.countries)
        self.region_rank = _size_rank(self.population, np.where(self.regions >= 0, self.regions, -1 - self.countries))

    def __len__(self) -> int:
        return len(self.names)


def _size_rank(population: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """1 for the most populous place of its group, 2 for the next...; NaN where unknown."""
    rank = np.full(len(population), np.nan)
    known = np.flatnonzero(~np.isnan(population))
    order = known[np.lexsort((-population[known], groups[known]))]
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank[order] = np.arange(len(order)) - first + 1
    return rank


class Network:
    """Undirected links between nodes, with the counts the features need."""

    def __init__(self, nodes: Nodes, edges: np.ndarray):
        self.nodes = nodes
        n = len(nodes)
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        edges = edges[edges[:, 0] != edges[:, 1]]
        edges = np.unique(np.sort(edges, axis=1), axis=0)
        self.edges = edges
        rows = np.concatenate([edges[:, 0], edges[:, 1]])
        cols = np.concatenate([edges[:, 1], edges[:, 0]])
        self.adj = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
        self.degree = np.asarray(self.adj.sum(axis=1)).ravel()
        k = len(nodes.country_names)
        c = nodes.countries
        self.country_pairs = np.zeros((k, k), dtype=np.float64)
        np.add.at(self.country_pairs, (c[edges[:, 0]], c[edges[:, 1]]), 1)
        np.add.at(self.country_pairs, (c[edges[:, 1]], c[edges[:, 0]]), 1)
        self.country_links = self.country_pairs.sum(axis=1)
        onehot = sparse.csr_matrix((np.ones(n, dtype=np.float32), (np.arange(n), c)), shape=(n, k))
        # partners_in_country[i, k]: how many of i's partners lie in country k.
        self.partners_in_country = (self.adj @ onehot).tocsc()
        # The same by first-level division (region): region_pairs[r, s] links between r and s,
        # partners_in_region[i, r] how many of i's partners lie in region r.
        r = nodes.regions
        m = max(len(nodes.region_names), 1)
        both = (r[edges[:, 0]] >= 0) & (r[edges[:, 1]] >= 0)
        ra, rb = r[edges[both, 0]], r[edges[both, 1]]
        self.region_pairs = sparse.csr_matrix((np.ones(2 * len(ra)), (np.r_[ra, rb], np.r_[rb, ra])), shape=(m, m))
        known = np.flatnonzero(r >= 0)
        onehot = sparse.csr_matrix((np.ones(len(known), dtype=np.float32), (known, r[known])), shape=(n, m))
        self.partners_in_region = (self.adj @ onehot).tocsc()
        # region_country[r, k]: links between places of region r and places of country k.
        self.region_country = np.asarray((onehot.T @ self.partners_in_country.tocsr()).todense())
        self.region_links = self.region_country.sum(axis=1)

    def partners(self, i: int) -> np.ndarray:
        return self.adj.indices[self.adj.indptr[i] : self.adj.indptr[i + 1]]
