"""Heavy network measures on large graphs, through igraph (C) and numpy.

networkx stays the graph users receive and the reference on small graphs; :mod:`kg.analysis`
sends a graph of :data:`FAST_MIN_NODES` nodes or more here. Every function takes the same
networkx graph the networkx path takes, converts it once (nodes in sorted order, so results
do not depend on insertion order), and returns plain ``{node: value}`` dicts with the
networkx definitions and normalisations:

* :func:`betweenness` — Brandes, normalised as networkx; with ``k`` pivots drawn exactly as
  networkx draws them (``random.Random(seed).sample(list(graph), k)``), so sampled values equal
  networkx's for the same seed;
* :func:`pagerank` — PRPACK (dangling mass spread uniformly, as :func:`kg.analysis.pagerank`);
* :func:`eigenvector` — the largest connected component's, unit Euclidean norm;
* :func:`burt` — Burt's constraint and effective size with normalised mutual weights
  (networkx's weighted definitions), from the graph's triangles in numpy;
* :func:`core_number` and :func:`communities` (Louvain, igraph's multilevel; its random
  choices come from Python's ``random`` seeded with ``seed``).

Measured on 2 cores (``bench/results.md``, Network analysis): every measure and the
communities of a 100,000-node graph in well under a minute, where networkx took 395 s for
sampled betweenness alone.

>>> g = nx.path_graph(["a", "b", "c"])
>>> betweenness(g)["b"], core_number(g)["a"]
(1.0, 1)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

#: From this many nodes on, :mod:`kg.analysis` uses this module (when igraph is installed).
FAST_MIN_NODES = 2000


def available() -> bool:
    """Is igraph installed?"""
    try:
        import igraph  # noqa: F401
    except ImportError:  # pragma: no cover - igraph is a dependency
        return False
    return True


def convert(graph: nx.Graph | nx.DiGraph) -> tuple[Any, list[str]]:
    """The graph as igraph and its node order, once, for several measures of one graph
    (pass it as ``converted=``)."""
    return _igraph(graph)


def _igraph(graph: nx.Graph | nx.DiGraph, weight: str = "weight") -> tuple[Any, list[str]]:
    """The graph as igraph (vertices in sorted node order, a ``weight`` per edge; no
    self-loops) and that node order."""
    import igraph as ig

    nodes = sorted(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges: list[tuple[int, int]] = []
    weights: list[float] = []
    for u, v, d in graph.edges(data=True):
        if u == v:
            continue
        edges.append((index[u], index[v]))
        weights.append(float(d.get(weight, 1)))
    g = ig.Graph(n=len(nodes), edges=edges, directed=graph.is_directed())
    g.es["weight"] = weights
    return g, nodes


def betweenness(graph: nx.Graph, *, k: int | None = None, seed: int = 0,
                converted: tuple[Any, list[str]] | None = None) -> dict[str, float]:
    """Normalised hop-count betweenness of an undirected graph, exact or from ``k`` pivots
    (networkx's estimator and pivots for the same ``seed``).

    >>> star = nx.star_graph(4)
    >>> round(betweenness(nx.relabel_nodes(star, str))["0"], 6)
    1.0
    """
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    g, nodes = converted or _igraph(graph)
    if k is None or k >= n:
        raw = g.betweenness(directed=False)
        factor = 2.0  # igraph counts each unordered pair once; networkx's Brandes twice
        scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    else:
        pivots = random.Random(seed).sample(list(graph), k)
        index = {v: i for i, v in enumerate(nodes)}
        raw = g.betweenness(directed=False, sources=[index[v] for v in pivots])
        factor = 2.0  # as above: networkx counts each (pivot, node) path both ways
        scale = (1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0) * n / k
    if n <= 2:
        scale = 1.0
    return {v: float(b) * factor * scale for v, b in zip(nodes, raw)}


def pagerank(graph: nx.DiGraph, *, alpha: float = 0.85) -> dict[str, float]:
    """Weighted PageRank of a directed graph (dangling mass spread uniformly).

    >>> d = nx.DiGraph([("a", "c"), ("b", "c")])
    >>> pr = pagerank(d)
    >>> max(pr, key=pr.get), round(sum(pr.values()), 6)
    ('c', 1.0)
    """
    if graph.number_of_nodes() == 0:
        return {}
    g, nodes = _igraph(graph)
    pr = g.pagerank(directed=True, damping=alpha, weights="weight")
    return {v: float(x) for v, x in zip(nodes, pr)}


def eigenvector(graph: nx.Graph, *, converted: tuple[Any, list[str]] | None = None
                ) -> dict[str, float]:
    """Weighted eigenvector centrality of the largest connected component (unit Euclidean
    norm, as networkx); nodes outside it are absent.

    >>> ev = eigenvector(nx.path_graph(["a", "b", "c"]))
    >>> max(ev, key=ev.get)
    'b'
    """
    if graph.number_of_nodes() == 0:
        return {}
    g, nodes = converted or _igraph(graph)
    comps = g.connected_components()
    best = max(comps, key=lambda c: (len(c), [-i for i in sorted(c)][:1]))
    if len(best) < 2:
        return {}
    first = min(nodes[i] for i in best)
    # the component networkx would pick: largest, then the one holding the smallest id
    sizes = sorted(((len(c), min(nodes[i] for i in c)) for c in comps),
                   key=lambda t: (-t[0], t[1]))
    if sizes[0][1] != first:
        best = next(c for c in comps if min(nodes[i] for i in c) == sizes[0][1])
    sub = g.induced_subgraph(sorted(best))
    vec = np.asarray(sub.eigenvector_centrality(weights="weight"), dtype=float)
    norm = float(np.linalg.norm(vec))
    if norm == 0 or not np.isfinite(norm):
        return {}
    vec = np.abs(vec) / norm
    return {nodes[i]: float(x) for i, x in zip(sorted(best), vec)}


def core_number(graph: nx.Graph, *, converted: tuple[Any, list[str]] | None = None
                ) -> dict[str, int]:
    """The k-core number of every node.

    >>> core_number(nx.complete_graph(["a", "b", "c"]))["a"]
    2
    """
    if graph.number_of_nodes() == 0:
        return {}
    g, nodes = converted or _igraph(graph)
    return {v: int(c) for v, c in zip(nodes, g.coreness())}


def burt(graph: nx.Graph, *, converted: tuple[Any, list[str]] | None = None
         ) -> tuple[dict[str, float], dict[str, float]]:
    """Burt's constraint and effective size of every node, with networkx's weighted
    definitions (normalised mutual weights: ``w(u,v) / Σ w(u,·)`` and ``w(v,x) / max w(v,·)``);
    ``nan`` for isolated nodes, as networkx.

    The indirect terms run over the graph's triangles (u, q, w): linear in their number.

    >>> c, e = burt(nx.star_graph(["h", "a", "b"]))
    >>> round(c["h"], 3), e["h"]
    (0.5, 2.0)
    """
    n = graph.number_of_nodes()
    if n == 0:
        return {}, {}
    g, nodes = converted or _igraph(graph)
    el = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = np.asarray(g.es["weight"], dtype=float) if len(el) else np.zeros(0)
    # both directions of every edge, sorted by (u, v) for look-ups
    src = np.concatenate([el[:, 0], el[:, 1]])
    dst = np.concatenate([el[:, 1], el[:, 0]])
    ww = np.concatenate([w, w])
    key = src * n + dst
    order = np.argsort(key, kind="stable")
    key, src, dst, ww = key[order], src[order], dst[order], ww[order]
    strength = np.bincount(src, weights=ww, minlength=n)
    deg = np.bincount(src, minlength=n).astype(float)
    maxw = np.zeros(n)
    np.maximum.at(maxw, src, ww)
    p = ww / strength[src]  # P[u,v] per directed edge
    m = ww / maxw[src]  # M[u,v] per directed edge

    def at(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.searchsorted(key, u * n + v)

    indirect = np.zeros(len(key))  # Σ_q P[u,q] P[q,w], per directed edge (u, w)
    redundancy = np.zeros(n)  # Σ_{v,w} P[u,w] M[v,w] over v, w neighbours of u
    tri = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
    for a, b, c in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        u, q, x = tri[:, a], tri[:, b], tri[:, c]
        for s, t in ((q, x), (x, q)):  # the other two, in both orders
            puq = p[at(u, s)]
            pqx = p[at(s, t)]
            np.add.at(indirect, at(u, t), puq * pqx)
            np.add.at(redundancy, u, p[at(u, t)] * m[at(s, t)])
    local = (p + indirect) ** 2
    constraint = np.bincount(src, weights=local, minlength=n)
    esize = deg - redundancy
    with np.errstate(invalid="ignore"):
        constraint = np.where(deg > 0, constraint, np.nan)
        esize = np.where(deg > 0, esize, np.nan)
    return ({v: float(x) for v, x in zip(nodes, constraint)},
            {v: float(x) for v, x in zip(nodes, esize)})


def communities(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0
                ) -> list[list[str]]:
    """Louvain communities (igraph's multilevel, weighted), each a sorted list of node ids,
    largest first, then by first id; isolated nodes are singletons.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"),
    ...               ("c", "x")])
    >>> communities(g)
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    if graph.number_of_nodes() == 0:
        return []
    g, nodes = _igraph(graph)
    state = random.getstate()
    random.seed(seed)  # igraph draws from Python's random module
    try:
        parts = g.community_multilevel(weights="weight", resolution=resolution)
    finally:
        random.setstate(state)
    comms = [sorted(nodes[i] for i in part) for part in parts]
    comms.sort(key=lambda c: (-len(c), c[0]))
    return comms


def ranking(values: dict[str, Any], top: int, digits: int = 9) -> list[str]:
    """The ``top`` nodes by value rounded to ``digits`` (float noise is no difference; ties
    by id): what rankings are compared by.

    >>> ranking({"a": 1.0, "b": 2.0, "c": 1.0 + 1e-15}, 3)
    ['b', 'a', 'c']
    """
    keep: Iterable[tuple[str, Any]] = ((v, x) for v, x in values.items() if x == x)
    return [v for v, _ in sorted(keep, key=lambda t: (-round(t[1], digits), t[0]))[:top]]
