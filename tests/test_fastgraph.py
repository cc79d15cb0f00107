"""kg/fastgraph.py: the igraph engine gives networkx's values and rankings (generated graphs;
invented node ids)."""

from __future__ import annotations

import os
import random

import networkx as nx
import pytest

from kg import analysis, fastgraph


def _graph(n: int, seed: int = 1) -> nx.Graph:
    g = nx.relabel_nodes(nx.barabasi_albert_graph(n, 3, seed=seed), lambda i: f"n{i:05d}")
    rng = random.Random(seed)
    for u, v in g.edges:
        g[u][v]["weight"] = rng.randint(1, 4)
    g.add_node("z-isolated")
    return g


def _multi(g: nx.Graph) -> nx.MultiDiGraph:
    m = nx.MultiDiGraph()
    m.add_nodes_from(g)
    for u, v, w in g.edges(data="weight"):
        m.add_edge(u, v, key="cooperatesWith", predicate="cooperatesWith", weight=w)
    return m


def _close(a: dict, b: dict, tol: float) -> bool:
    return set(a) == set(b) and all(
        (x != x and y != y) or abs(x - y) <= tol for x, y in ((a[k], b[k]) for k in a))


@pytest.mark.parametrize("n", [300, 900])
def test_the_engine_gives_networkx_values(n: int) -> None:
    g = _graph(n)
    assert _close(fastgraph.betweenness(g), nx.betweenness_centrality(g, normalized=True), 1e-12)
    con, eff = fastgraph.burt(g)
    assert _close(con, nx.constraint(g, weight="weight"), 1e-9)
    assert _close(eff, nx.effective_size(g, weight="weight"), 1e-9)
    assert fastgraph.core_number(g) == nx.core_number(g)
    main = g.subgraph(max(nx.connected_components(g), key=len))
    ev = nx.eigenvector_centrality(main, max_iter=1000, tol=1e-9, weight="weight")
    assert _close(fastgraph.eigenvector(g), ev, 1e-6)
    d = nx.DiGraph(g)
    assert _close(fastgraph.pagerank(d), analysis.pagerank(d), 1e-9)


def test_sampled_betweenness_uses_networkx_pivots() -> None:
    """The same k pivots as networkx for a seed: nearly the same values (igraph counts the
    paths between two pivots a little differently) and the same top 20."""
    g = _graph(1000)
    ours = fastgraph.betweenness(g, k=100, seed=3)
    ref = nx.betweenness_centrality(g, k=100, normalized=True, seed=3)
    assert max(abs(ours[v] - ref[v]) for v in g) < 0.01
    assert fastgraph.ranking(ours, 20) == fastgraph.ranking(ref, 20)


def test_measures_rank_the_same_with_either_engine(monkeypatch) -> None:
    """kg.analysis.measures through the engine (threshold lowered) and through networkx: the
    same top 20 for every measure, and the same values."""
    graph = _multi(_graph(700, seed=5))
    monkeypatch.setattr(fastgraph, "FAST_MIN_NODES", 10**9)
    slow = analysis.measures(graph)
    monkeypatch.setattr(fastgraph, "FAST_MIN_NODES", 1)
    fast = analysis.measures(graph)
    for m in analysis.MEASURES:
        a = {v: r[m] for v, r in slow.items() if r[m] is not None}
        b = {v: r[m] for v, r in fast.items() if r[m] is not None}
        assert fastgraph.ranking(a, 20) == fastgraph.ranking(b, 20), m
        assert _close(a, b, 1e-6), m


def test_communities_recover_a_planted_partition_and_are_seeded() -> None:
    g = nx.relabel_nodes(nx.planted_partition_graph(5, 40, 0.5, 0.01, seed=2),
                         lambda i: f"v{i:03d}")
    for u, v in g.edges:
        g[u][v]["weight"] = 1
    got = fastgraph.communities(g, seed=1)
    truth = [sorted(f"v{i:03d}" for i in range(k * 40, (k + 1) * 40)) for k in range(5)]
    assert sorted(got) == sorted(truth)
    assert got == fastgraph.communities(g, seed=1)
    assert fastgraph.communities(nx.Graph()) == []


def test_isolated_nodes_and_empty_graphs() -> None:
    g = _graph(50)
    con, eff = fastgraph.burt(g)
    assert con["z-isolated"] != con["z-isolated"] and eff["z-isolated"] != eff["z-isolated"]
    assert "z-isolated" not in fastgraph.eigenvector(g)
    assert fastgraph.betweenness(nx.Graph()) == {} and fastgraph.burt(nx.Graph()) == ({}, {})


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("KG_SLOW"), reason="opt-in: KG_SLOW=1 (about a minute)")
def test_rankings_at_five_thousand_nodes() -> None:  # pragma: no cover - opt-in
    g = _graph(5000)
    assert fastgraph.ranking(fastgraph.betweenness(g), 20) == fastgraph.ranking(
        nx.betweenness_centrality(g, normalized=True), 20)
    con, _ = fastgraph.burt(g)
    assert fastgraph.ranking(con, 20) == fastgraph.ranking(nx.constraint(g, weight="weight"), 20)
