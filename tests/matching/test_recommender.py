"""The recommender's core and the evaluation protocol, on tiny hand-made networks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kembar.gazetteer.normalise import name_key
from kembar.matching.evaluation import (
    COLUMNS,
    EvaluationError,
    Link,
    build_nodes,
    country_key,
    evaluate,
    expected_rank,
    queries_for,
    read_links,
    summarise,
)
from kembar.matching.network import Network, Nodes
from kembar.matching.recommend import F, FeatureBuilder, office_overlap, shortlist, smallest, train


def test_expected_rank_counts_ties_at_their_middle():
    scores = np.array([5.0, 3.0, 3.0, 3.0, 1.0, -np.inf])
    assert expected_rank(scores, 0) == 1
    # three tied at positions 2..4 → 2 + (3-1)/2 = 3
    assert expected_rank(scores, 2) == 3
    assert expected_rank(scores, 4) == 5
    assert expected_rank(scores, 5) == math.inf  # excluded candidates are never found


def test_summary_metrics_on_known_ranks():
    r = summarise([1, 3, 10, 10.5, 60, math.inf], [1.0] * 6)
    assert r["hit@10"] == round(3 / 6, 4)
    assert r["hit@50"] == round(4 / 6, 4)
    assert r["mrr"] == round((1 + 1 / 3 + 1 / 10 + 1 / 10.5 + 1 / 60) / 6, 4)
    assert r["queries"] == 6


def test_summary_without_queries_is_an_error():
    with pytest.raises(EvaluationError):
        summarise([], [])


def test_country_names_are_normalised():
    assert country_key("England, United Kingdom") == country_key("Wales") == "united kingdom"
    assert country_key("Georgia (country)") == "georgia"


def _link(a, ca, b, cb, pa=(0.0, 0.0), pb=(0.0, 0.0)):
    return Link((a, ca), (b, cb), pa, pb, a, b)


def test_warm_and_cold_queries_follow_the_protocol():
    train_links = [_link("a", "x", "b", "y"), _link("b", "y", "c", "x")]
    nodes, index = build_nodes(
        train_links + [_link("a", "x", "c", "x"), _link("d", "z", "b", "y"), _link("d", "z", "e", "z")]
    )
    net = Network(nodes, np.array([(index[link.a], index[link.b]) for link in train_links]))
    a, b, c, d, e = (index[(k, cc)] for k, cc in [("a", "x"), ("b", "y"), ("c", "x"), ("d", "z"), ("e", "z")])
    assert queries_for(net, [(a, c)], "warm") == [(a, c), (c, a)]
    # cold: only the side without training links asks; a pair of two unknowns is skipped
    assert queries_for(net, [(d, b), (d, e)], "cold") == [(d, b)]


def _toy_network(n_hubs=6, n_leaves=40, seed=1):
    """Two countries; leaves of country 0 twin with hubs of country 1; some leaves share a hub."""
    rng = np.random.default_rng(seed)
    names = [f"hub{i}" for i in range(n_hubs)] + [f"leaf{i}" for i in range(n_leaves)]
    countries = np.array([1] * n_hubs + [0] * n_leaves)
    lat = rng.uniform(-10, 10, len(names))
    lng = rng.uniform(100, 140, len(names))
    nodes = Nodes(
        names=names,
        name_keys=names,
        countries=countries,
        country_names=["id", "jp"],
        lat=lat,
        lng=lng,
        population=np.full(len(names), np.nan),
        utc_offset=np.round(lng / 15),
    )
    edges = []
    for leaf in range(n_hubs, n_hubs + n_leaves):
        for hub in rng.choice(n_hubs, size=2, replace=False):
            edges.append((leaf, hub))
    return Network(nodes, np.array(edges))


def test_existing_partners_and_the_query_are_never_suggested():
    net = _toy_network()
    model = train(net, seed=0)
    for q in range(len(net.nodes)):
        suggested = {i for i, _, _ in model.top(q, k=len(net.nodes))}
        assert q not in suggested
        assert not suggested & set(net.partners(q).tolist())


def test_the_learned_model_prefers_what_the_network_shows():
    """A leaf of country 0 should be offered the hubs of country 1 before other leaves."""
    net = _toy_network()
    model = train(net, seed=0)
    q = 10
    top = [i for i, _, _ in model.top(q, k=3)]
    hubs = set(range(6)) - set(net.partners(q).tolist())
    assert set(top) <= hubs | set(range(6))
    assert top[0] in hubs


def test_cold_start_uses_country_patterns():
    """A place without links, in country 0, gets the hubs that country 0 twins with."""
    net = _toy_network()
    nodes = net.nodes
    new = Nodes(
        names=nodes.names + ["newcomer"],
        name_keys=nodes.name_keys + ["newcomer"],
        countries=np.r_[nodes.countries, 0],
        country_names=nodes.country_names,
        lat=np.r_[nodes.lat, 0.0],
        lng=np.r_[nodes.lng, 120.0],
        population=np.r_[nodes.population, np.nan],
        utc_offset=np.r_[nodes.utc_offset, 8.0],
    )
    net2 = Network(new, net.edges)
    model = train(net2, seed=0)
    q = len(new) - 1
    assert net2.degree[q] == 0
    top = [i for i, _, _ in model.top(q, k=3)]
    assert all(i < 6 for i in top)  # all hubs


def test_features_are_true_statements():
    net = _toy_network()
    X = FeatureBuilder(net).build(10)
    partners_of_q = set(net.partners(10).tolist())
    for c in range(len(net.nodes)):
        common = len(partners_of_q & set(net.partners(c).tolist()))
        assert math.isclose(X[c, F["common_partners"]], math.log1p(common), rel_tol=1e-5)


def test_top_is_the_best_of_all_scores_in_order():
    """`top` reads the best from the shortlist alone when it can: the same places, scores and
    order as sorting the scores of every node."""
    net = _toy_network()
    model = train(net, seed=0)
    for q in range(len(net.nodes)):
        for k in (1, 3, 10, len(net.nodes)):
            s = model.scores(q)
            best = [i for i in np.argsort(-s, kind="stable") if np.isfinite(s[i])][:k]
            got = model.top(q, k=k)
            assert sorted(s[best].tolist(), reverse=True) == [score for _, score, _ in got]
            assert {i for i, _, _ in got} == set(best) or len(set(s[best].tolist())) < len(best)


def test_query_sums_match_the_network_everywhere():
    """The per-node sums taken over the linked places only are those of the whole network."""
    net = _toy_network()
    builder = FeatureBuilder(net)
    adj = net.adj.toarray()
    for q in (0, 10, 25):
        c = builder.query(q)
        partners = net.partners(q)
        cn = adj[partners].sum(axis=0)
        np.testing.assert_allclose(c.cn, cn)
        np.testing.assert_allclose(c.p3, adj @ cn, rtol=1e-6)
        np.testing.assert_allclose(c.inq, net.partners_in_country.toarray()[:, net.nodes.countries[q]])


@pytest.mark.parametrize("n", [1, 7, 500, 20_000])
def test_smallest_takes_the_lowest_indices_among_equal_values(n):
    rng = np.random.default_rng(n)
    for trial in range(20):
        v = rng.integers(0, 4 if trial % 2 else 1000, n).astype(np.float64)  # many ties, or few
        v[rng.random(n) < 0.3] = np.inf  # left out
        for m in {1, min(n, 3), min(n, 150), n}:
            expected = np.lexsort((np.arange(n), v))[:m]  # by value, then by index
            assert sorted(smallest(v, m).tolist()) == sorted(expected.tolist())


def test_office_overlap_wraps_around_the_date_line():
    assert list(office_overlap(7.0, np.array([7.0, 9.0, -6.0, 12.0, -12.0]))) == [8.0, 6.0, 0.0, 3.0, 3.0]
    assert office_overlap(11.0, np.array([-12.0]))[0] == 7.0  # 11:00 at UTC+11 is 12:00 the day before at UTC-12


def test_wrong_columns_and_empty_test_are_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(EvaluationError, match="wrong columns"):
        read_links(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(COLUMNS) + "\n")
    good = tmp_path / "good.csv"
    good.write_text(",".join(COLUMNS) + "\nA,X,0,0,B,Y,1,1\n")
    with pytest.raises(EvaluationError, match="empty"):
        evaluate(read_links(good), read_links(empty))
    with pytest.raises(EvaluationError, match="no such file"):
        read_links(tmp_path / "missing.csv")


def test_features_of_a_subset_match_the_full_matrix():
    """Training computes only the sampled rows' features; the ranks among candidates still
    count the whole candidate list, so the rows equal those of the full matrix."""
    net = _toy_network()
    builder = FeatureBuilder(net)
    c = builder.query(10)
    rows = np.arange(len(net.nodes))
    pick = np.array([3, 0, 17, 40])
    np.testing.assert_array_equal(builder.features(c, rows, pick), builder.features(c, rows)[pick])


def test_training_does_not_depend_on_the_number_of_processes():
    net = _toy_network()
    one, two = train(net, seed=3, processes=1), train(net, seed=3, processes=2)
    assert one.shortlist_recall == two.shortlist_recall
    for q in (0, 10, 40):
        np.testing.assert_array_equal(one.scores(q), two.scores(q))


def test_one_country_under_two_spellings_counts_as_one_but_keeps_both_places():
    """'Republic of Ireland' and 'Ireland' are one country for the statistics (the gazetteer's
    table of spellings), while a town listed under both stays two places (a pair listed from both
    sides is two rows); Northern Cyprus, filed under Cyprus's code, stays its own."""
    links = [
        _link("bundoran", country_key("Republic of Ireland"), "holstebro", "denmark"),
        _link("bundoran", country_key("Ireland"), "oxelosund", "sweden"),
        _link("kyrenia", country_key("Northern Cyprus"), "limassol", country_key("Cyprus")),
    ]
    nodes, index = build_nodes(links)
    a, b = index[("bundoran", "republic of ireland")], index[("bundoran", "ireland")]
    assert a != b
    assert nodes.countries[a] == nodes.countries[b]
    assert nodes.country_names[nodes.countries[a]] == "IE"
    north, south = index[("kyrenia", "northern cyprus")], index[("limassol", "cyprus")]
    assert nodes.country_names[nodes.countries[south]] == "CY"
    assert nodes.countries[north] != nodes.countries[south]


def _places(names, countries, points, population=None, regions=None):
    n = len(names)
    return Nodes(
        names=names,
        name_keys=[name_key(x) for x in names],
        countries=np.array(countries),
        country_names=["de", "fr", "pl", "cz"],
        lat=np.array([p[0] for p in points], dtype=float),
        lng=np.array([p[1] for p in points], dtype=float),
        population=np.full(n, np.nan) if population is None else np.array(population, dtype=float),
        utc_offset=np.ones(n),
        regions=None if regions is None else np.array(regions),
        region_names=[] if regions is None else [f"r{i}" for i in range(max(regions) + 1)],
    )


def test_size_ranks_count_within_the_country_and_the_region():
    nodes = _places(
        ["a", "b", "c", "d", "e"],
        [0, 0, 0, 1, 0],
        [(0, 0)] * 5,
        population=[500, 2000, np.nan, 10, 900],
        regions=[0, 1, 0, 2, 0],
    )
    assert nodes.country_rank[[0, 1, 3, 4]].tolist() == [3, 1, 1, 2]
    assert nodes.region_rank[[0, 1, 3, 4]].tolist() == [2, 1, 1, 1]
    assert np.isnan(nodes.country_rank[2]) and np.isnan(nodes.region_rank[2])


def test_nearest_partner_distance_and_shared_name_words():
    """The same district listed as 'Berlin – Neukölln' (a partner) and 'Neukölln (Berlin)' is a
    candidate at 0 km from a partner with every word of its name shared; Potsdam is 27 km away
    and shares none."""
    names = ["Ústí nad Orlicí", "Berlin – Neukölln", "Neukölln (Berlin)", "Potsdam", "Lyon"]
    points = [(49.97, 16.39), (52.48, 13.43), (52.48, 13.43), (52.40, 13.07), (45.76, 4.84)]
    nodes = _places(names, [3, 0, 0, 0, 1], points)
    net = Network(nodes, np.array([(0, 1), (3, 4)]))
    builder = FeatureBuilder(net)
    X = builder.features(builder.query(0), np.array([2, 3, 4]))
    assert X[0, F["km_to_partner"]] < 1e-3  # log1p(km), one point
    assert X[0, F["name_overlap_with_partner"]] == 1.0
    km = builder.distances(1, np.array([3]))[0]
    assert 20 < km < 30
    assert math.isclose(X[1, F["km_to_partner"]], math.log1p(km), rel_tol=1e-5)
    assert X[1, F["name_overlap_with_partner"]] == 0.0
    # Seen from Lyon (twinned with Potsdam): Ústí's nearest partner, Berlin – Neukölln, is its
    # distance from Lyon; Neukölln (Berlin) has no partner at all.
    Y = builder.features(builder.query(4), np.array([0, 2]))
    assert math.isclose(
        Y[0, F["km_from_query_to_its_partner"]], math.log1p(builder.distances(4, np.array([1]))[0]), rel_tol=1e-5
    )
    assert np.isnan(Y[1, F["km_from_query_to_its_partner"]])


def test_countries_places_like_the_query_are_twinned_with():
    """q (de) is twinned with pl. Another German place twinned with pl is also twinned with cz;
    a German place twinned with fr only does not count: cz is what places like q also chose."""
    names = ["q", "like", "unlike", "p1", "p2", "c1", "f1"]
    nodes = _places(names, [0, 0, 0, 2, 2, 3, 1], [(50, 10), (51, 11), (52, 12), (52, 20), (51, 19), (50, 15), (48, 2)])
    net = Network(nodes, np.array([(0, 3), (1, 4), (1, 5), (2, 6)]))
    builder = FeatureBuilder(net)
    c = builder.query(0)
    # "like" shares 1 country with q and is twinned with pl and cz: half each.
    np.testing.assert_allclose(c.like_here, [0, 0, 0.5, 0.5])
    X = builder.features(c, np.array([5, 6]))
    assert X[0, F["countries_like_yours_here"]] == 0.5
    assert X[1, F["countries_like_yours_here"]] == 0.0


def test_a_foreign_place_next_door_is_a_candidate_without_any_other_signal():
    """Besançon's only partner, Lyon, has no other partner; 300 places far away are twinned with
    Ulm, as is Neuchâtel, 70 km from Besançon across the border: it is on the shortlist (it is
    last in the network's order, so no tie among empty scores brings it in)."""
    rng = np.random.default_rng(0)
    names = ["Besançon"] + [f"far{i}" for i in range(300)] + ["Ulm", "Lyon", "Neuchâtel"]
    points = [(47.24, 6.02)] + [(float(x), float(y)) for x, y in rng.uniform(-40, 40, (300, 2))]
    points += [(48.40, 9.99), (45.76, 4.84), (46.99, 6.93)]
    nodes = _places(names, [1] + [2] * 300 + [0, 1, 3], points)
    ulm, lyon, neuchatel = 301, 302, 303
    net = Network(nodes, np.array([(1 + i, ulm) for i in range(300)] + [(0, lyon), (neuchatel, ulm)]))
    builder = FeatureBuilder(net)
    c = builder.query(0)
    allowed = np.ones(len(names), dtype=bool)
    allowed[[0, lyon]] = False
    assert neuchatel in shortlist(c, allowed, k=5).tolist()


def _shortlist_everywhere(c, allowed, k=150):
    """The shortlist's definition, every score ordered over every place."""
    from kembar.matching.recommend import CANDIDATE_SCORES

    picked = []
    for name, tie, share in CANDIDATE_SCORES:
        v = getattr(c, name)
        m = min(int(allowed.sum()), max(1, int(k * share)))
        if name not in ("cpp", "cppd") and not (v > 0).any():
            continue
        if tie is not None:
            t = getattr(c, tie)
            v = v * 1e3 + (t - t.min()) / (np.ptp(t) + 1e-9)
        key = np.where(allowed, -v, np.inf)
        picked.append(np.lexsort((np.arange(len(v)), key))[:m])
    return np.unique(np.concatenate(picked))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shortlist_read_from_the_linked_places_is_the_one_over_every_place(seed):
    """Scores that are 0 outside the linked places are ordered over the linked ones and the best
    of the rest: the same shortlist as ordering every place (many unlinked places, equal scores)."""
    rng = np.random.default_rng(seed)
    n = 3000
    names = [f"p{i}" for i in range(n)]
    nodes = Nodes(
        names=names,
        name_keys=names,
        countries=rng.integers(0, 4, n),
        country_names=["a", "b", "c", "d"],
        lat=rng.uniform(-60, 60, n),
        lng=rng.uniform(-180, 180, n),
        population=np.full(n, np.nan),
        utc_offset=np.zeros(n),
    )
    linked = rng.choice(n, 400, replace=False)
    edges = rng.choice(linked, (900, 2))
    net = Network(nodes, edges)
    builder = FeatureBuilder(net)
    for q in rng.choice(np.flatnonzero(net.degree > 0), 15, replace=False):
        c = builder.query(int(q))
        allowed = np.ones(n, dtype=bool)
        allowed[q] = False
        allowed[c.partners] = False
        for k in (5, 40, 150):
            assert shortlist(c, allowed, k=k).tolist() == _shortlist_everywhere(c, allowed, k=k).tolist()
