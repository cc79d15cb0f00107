"""Network analysis over a projection of the RDF graph into networkx.

The projection keeps entities only (no literals, no ``rdf:type``, no ontology terms): one node
per entity, one edge per (subject, predicate, object) keyed by the predicate, with
``weight`` = the number of distinct articles that support it and ``evidence`` = the supporting
sentences with their article and date. Everything else here is a pure function of such a
graph (or of the store, for the posts held per year): it returns plain dicts and lists, never
mutates its input, and takes a ``seed`` wherever randomness is involved.

See ``docs/analysis.md`` for the projection choices and the definition of each measure.
"""

from __future__ import annotations

import difflib
import heapq
import math
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from itertools import islice, pairwise
from typing import Any

import networkx as nx
import pyoxigraph as ox

from . import fastgraph
from .resolve import norm
from .store import run_query

_NODES = """
SELECT ?e ?type ?label (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alts) WHERE {
  ?e a ?cls ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?cls), STR(kg:)) && ?cls NOT IN (kg:Article, kg:Assertion, kg:KeyFigure))
  FILTER NOT EXISTS { ?e kg:newsStaff true }  # reporters and editors are not actors
  BIND(STRAFTER(STR(?cls), "#") AS ?type)
  OPTIONAL { ?e skos:altLabel ?alt }
} GROUP BY ?e ?type ?label
"""

_EDGES = """
SELECT ?s ?p ?o ?evidence ?article ?title ?date ?year WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
     kg:evidence ?evidence ; kg:assertedIn ?article .
  FILTER(isIRI(?o))
  OPTIONAL { ?a kg:year ?year }
  ?article dcterms:title ?title ; schema:datePublished ?date .
}
"""

_FIGURES = """
SELECT ?e ?text WHERE { ?e kg:metric ?f . ?f kg:figureText ?text . }
"""

_NODE_YEARS = """
SELECT DISTINCT ?e ?date WHERE {
  ?e prov:wasDerivedFrom ?article . ?article schema:datePublished ?date .
}
"""

_POSTS = """
SELECT ?person ?plabel ?org ?olabel ?role ?year ?date ?article ?title ?evidence WHERE {
  ?a a kg:Assertion ; rdf:predicate kg:holdsPost ; rdf:subject ?person ; rdf:object ?org ;
     kg:assertedIn ?article ; kg:evidence ?evidence .
  OPTIONAL { ?a kg:role ?role }
  OPTIONAL { ?a kg:year ?year }
  ?article schema:datePublished ?date ; dcterms:title ?title .
  ?person rdfs:label ?plabel . ?org rdfs:label ?olabel .
}
"""

#: Predicates the ontology declares ``owl:SymmetricProperty``: their direction carries no meaning.
SYMMETRIC: frozenset[str] = frozenset({"cooperatesWith", "signedAgreementWith"})

#: Organisation types (``kg:Organization`` subclasses) for the collaboration projection.
ORG_TYPES: frozenset[str] = frozenset({
    "Enterprise", "University", "ResearchInstitute", "GovernmentBody", "Platform", "Fund",
    "FinancialInstitution", "Media",
})

#: Types that can act (organisations and people): the candidates for bridging sectors.
ACTOR_TYPES: frozenset[str] = ORG_TYPES | {"Person"}

#: Triple-helix sectors (plus finance and platforms) of the entity types.
SECTORS: dict[str, str] = {
    "GovernmentBody": "government",
    "University": "academia",
    "ResearchInstitute": "academia",
    "Enterprise": "industry",
    "Fund": "finance",
    "FinancialInstitution": "finance",
    "Platform": "platform",
}

#: Entity types that are skipped as *intermediate* nodes of chains by default: everything in
#: one city is "located in" the city and many firms share an industry, so paths through them
#: say nothing about who works with whom.
DEFAULT_AVOID: tuple[str, ...] = ("Place", "Industry")

#: Entity types that are context for the actors (node attributes in the actor view), not
#: actors: everything in one city is located in it, many firms share an industry, and
#: programmes, awards and events are what actors take part in, not who acts.
CONTEXT_TYPES: frozenset[str] = frozenset({"Place", "Industry", "Program", "Award", "Event"})

#: The measures computed by :func:`measures`, in report order.
MEASURES: tuple[str, ...] = (
    "degree", "weighted_degree", "in_degree", "out_degree", "betweenness", "pagerank",
    "eigenvector", "constraint", "effective_size", "core_number",
)

#: Measures where a *low* value is notable (Burt's constraint: low = broker).
LOW_IS_TOP: frozenset[str] = frozenset({"constraint"})

#: Above this many nodes betweenness is sampled (``k`` pivots) unless ``betweenness_k`` is given.
BETWEENNESS_EXACT_MAX = 5000


class EntityNotFound(LookupError):
    """No entity has the given name; ``suggestions`` holds close names ("did you mean")."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {'、'.join(suggestions)}" if suggestions else ""
        super().__init__(f"no entity named {name!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------------------------
# projection


def project(store: ox.Store) -> nx.MultiDiGraph:
    """Project the store's graph into a MultiDiGraph of entities.

    Nodes are entity IRIs with ``label``, ``type``, ``aliases``, ``figures`` (key-figure
    texts) and ``years`` (publication years of the articles that mention them). Edges are keyed
    by the predicate's local name, with ``predicate``, ``weight`` (distinct supporting
    articles), ``evidence`` (sentence, article, title, date) and ``years`` (the years the
    facts' sentences state, ``kg:year``, else the articles' publication years).

    Examples
    --------
    >>> from kg.store import memory_store
    >>> g = project(memory_store(""))
    >>> g.number_of_nodes()
    0
    """
    g = nx.MultiDiGraph()
    for e, typ, label, alts in sorted(run_query(store, _NODES).rows, key=lambda r: r[0] or ""):
        aliases = sorted(a for a in (alts or "").split("\u001f") if a)
        g.add_node(e, label=label, type=typ, aliases=aliases, figures=[], years=[])
    for e, text in run_query(store, _FIGURES).rows:
        if e in g:
            g.nodes[e]["figures"].append(text)
    for e, date in run_query(store, _NODE_YEARS).rows:
        if e in g and date and date[:4].isdigit() and date[:4] not in g.nodes[e]["years"]:
            g.nodes[e]["years"].append(date[:4])
    for n in g.nodes:
        g.nodes[n]["figures"].sort()
        g.nodes[n]["years"].sort()
    acc: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(
        lambda: {"evidence": [], "articles": set(), "years": set()}
    )
    for s, p, o, ev, art, title, date, year in run_query(store, _EDGES).rows:
        if s not in g or o not in g:
            continue
        pred = p.rsplit("#", 1)[-1]
        rec = acc[(s, o, pred)]
        rec["articles"].add(art)
        stated = year if year and year[:4].isdigit() else date  # the fact's year, else the
        if stated and stated[:4].isdigit():                       # article's publication
            rec["years"].add(stated[:4])
        rec["evidence"].append({"sentence": ev, "article": art, "title": title, "date": date})
    for (s, o, pred), rec in sorted(acc.items()):
        ev = sorted(rec["evidence"], key=lambda d: (d["article"], d["sentence"]))
        g.add_edge(s, o, key=pred, predicate=pred, weight=len(rec["articles"]), evidence=ev,
                   years=sorted(rec["years"]))
    return g


def actor_graph(graph: nx.MultiDiGraph,
                context: Iterable[str] = CONTEXT_TYPES) -> nx.MultiDiGraph:
    """The actor view: nodes of ``context`` types become attributes of the actors they touch.

    Every node whose type is not in ``context`` is kept with its edges to other kept nodes.
    Each kept node gets ``context``: ``{type: [labels]}`` (sorted, distinct) of the context
    nodes it is linked to in either direction, and ``context_years``: the years of those links.
    The input is not modified.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="甲乙科技", type="Enterprise")
    >>> g.add_node("u", label="丙大学", type="University")
    >>> g.add_node("p", label="丁市", type="Place")
    >>> _ = g.add_edge("e", "p", key="locatedIn", weight=1, years=["2020"])
    >>> _ = g.add_edge("u", "p", key="locatedIn", weight=1, years=["2021"])
    >>> _ = g.add_edge("e", "u", key="cooperatesWith", weight=1, years=["2021"])
    >>> a = actor_graph(g)
    >>> sorted(a.nodes), a.nodes["e"]["context"], a.number_of_edges()
    (['e', 'u'], {'Place': ['丁市']}, 1)
    """
    drop = set(context)
    keep = sorted(v for v, d in graph.nodes(data=True) if d.get("type", "") not in drop)
    a = nx.MultiDiGraph()
    ctx: dict[str, dict[str, set[str]]] = {v: defaultdict(set) for v in keep}
    ctx_years: dict[str, set[str]] = {v: set() for v in keep}
    for s, o, d in graph.edges(data=True):
        for actor, other in ((s, o), (o, s)):
            if actor in ctx and other not in ctx:
                od = graph.nodes[other]
                ctx[actor][od.get("type", "")].add(od.get("label", other))
                ctx_years[actor].update(d.get("years", []))
    for v in keep:
        a.add_node(v, **graph.nodes[v])
        a.nodes[v]["context"] = {t: sorted(ls) for t, ls in sorted(ctx[v].items())}
        a.nodes[v]["context_years"] = sorted(ctx_years[v])
    for s, o, k, d in graph.edges(keys=True, data=True):
        if s in ctx and o in ctx:
            a.add_edge(s, o, key=k, **d)
    return a


def weighted_projection(graph: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph: one edge per linked pair, weight = sum of the edge weights.

    All predicates and both directions between two entities collapse into one edge whose
    ``weight`` is the sum of the multigraph edges' weights (supporting articles per predicate)
    and whose ``predicates`` lists them. Self-loops are dropped; every node is kept.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="cooperatesWith", weight=2)
    >>> _ = g.add_edge("b", "a", key="supplies", weight=1)
    >>> u = weighted_projection(g)
    >>> u["a"]["b"]["weight"], u["a"]["b"]["predicates"]
    (3, ['cooperatesWith', 'supplies'])
    """
    u = nx.Graph()
    for n in sorted(graph.nodes):
        d = graph.nodes[n]
        u.add_node(n, label=d.get("label", n), type=d.get("type", ""))
    acc: dict[tuple[str, str], list[Any]] = {}
    for s, o, k, d in graph.edges(keys=True, data=True):
        if s == o:
            continue
        a, b = (s, o) if s <= o else (o, s)
        rec = acc.setdefault((a, b), [0, set()])
        rec[0] += d.get("weight", 1)
        rec[1].add(d.get("predicate", k))
    for (a, b), (w, preds) in sorted(acc.items()):
        u.add_edge(a, b, weight=w, predicates=sorted(preds))
    return u


def collaboration_graph(graph: nx.MultiDiGraph,
                        types: Iterable[str] = ORG_TYPES) -> nx.Graph:
    """Undirected organisation collaboration projection.

    Organisations (``types``) are linked when a relation joins them directly, or when one
    person holds posts in both (an interlocking post; ``via`` names the people). ``weight``
    sums the supporting articles of the direct relations plus one per interlocking person.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("u", type="University"); g.add_node("e", type="Enterprise")
    >>> g.add_node("f", type="Enterprise"); g.add_node("p", type="Person")
    >>> _ = g.add_edge("u", "e", key="cooperatesWith", weight=2)
    >>> _ = g.add_edge("p", "e", key="holdsPost", weight=1)
    >>> _ = g.add_edge("p", "f", key="holdsPost", weight=1)
    >>> c = collaboration_graph(g)
    >>> sorted(c.nodes), c["u"]["e"]["weight"], c["e"]["f"]["via"]
    (['e', 'f', 'u'], 2, ['p'])
    """
    keep = set(types)
    c = nx.Graph()
    orgs = sorted(n for n, d in graph.nodes(data=True) if d.get("type") in keep)
    for n in orgs:
        d = graph.nodes[n]
        c.add_node(n, label=d.get("label", n), type=d.get("type", ""))
    acc: dict[tuple[str, str], dict[str, Any]] = {}

    def rec(a: str, b: str) -> dict[str, Any]:
        key = (a, b) if a <= b else (b, a)
        return acc.setdefault(key, {"weight": 0, "predicates": set(), "via": set()})

    for s, o, k, d in graph.edges(keys=True, data=True):
        if s != o and s in c and o in c:
            r = rec(s, o)
            r["weight"] += d.get("weight", 1)
            r["predicates"].add(d.get("predicate", k))
    for p, d in graph.nodes(data=True):
        if d.get("type") != "Person":
            continue
        posts = sorted({o for _, o, k in graph.out_edges(p, keys=True)
                        if k == "holdsPost" and o in c})
        for i, a in enumerate(posts):
            for b in posts[i + 1:]:
                r = rec(a, b)
                r["weight"] += 1
                r["via"].add(p)
    for (a, b), r in sorted(acc.items()):
        c.add_edge(a, b, weight=r["weight"], predicates=sorted(r["predicates"]),
                   via=sorted(r["via"]))
    return c


def _directed_weighted(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """Simple DiGraph for PageRank; symmetric predicates point both ways; no self-loops."""
    dg = nx.DiGraph()
    dg.add_nodes_from(sorted(graph.nodes))
    acc: Counter[tuple[str, str]] = Counter()
    for s, o, k, d in graph.edges(keys=True, data=True):
        if s == o:
            continue
        w = d.get("weight", 1)
        acc[(s, o)] += w
        if d.get("predicate", k) in SYMMETRIC:
            acc[(o, s)] += w
    for (s, o), w in sorted(acc.items()):
        dg.add_edge(s, o, weight=w)
    return dg


# --------------------------------------------------------------------------------------------
# measures


def pagerank(graph: nx.DiGraph, *, alpha: float = 0.85, tol: float = 1e-12,
             max_iter: int = 1000) -> dict[str, float]:
    """Weighted PageRank by power iteration (pure Python; dangling mass spread uniformly).

    Examples
    --------
    >>> d = nx.DiGraph([("a", "c"), ("b", "c")])
    >>> pr = pagerank(d)
    >>> max(pr, key=pr.get), round(sum(pr.values()), 6)
    ('c', 1.0)
    """
    nodes = sorted(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    out_w = {u: sum(d.get("weight", 1) for d in graph[u].values()) for u in nodes}
    x = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(x[u] for u in nodes if not out_w[u]) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u in nodes:
            if out_w[u]:
                share = alpha * x[u] / out_w[u]
                for v in sorted(graph[u]):
                    new[v] += share * graph[u][v].get("weight", 1)
        err = sum(abs(new[u] - x[u]) for u in nodes)
        x = new
        if err < n * tol:
            break
    return x


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else float(value)


def measures(graph: nx.MultiDiGraph, *, seed: int = 0, betweenness_k: int | None = None,
             only: Iterable[str] | None = None,
             projection: nx.Graph | None = None) -> dict[str, dict[str, Any]]:
    """Centrality and brokerage measures per node: ``{node: {measure: value}}``.

    ``degree`` counts distinct neighbours; ``weighted_degree`` sums the weights (supporting
    articles) of every edge, parallel edges included; ``in_degree``/``out_degree`` count
    edges. ``betweenness`` (normalised, hop distances) is exact unless ``betweenness_k`` is
    given or the graph has more than :data:`BETWEENNESS_EXACT_MAX` nodes (then ``k`` pivots
    sampled with ``seed``). ``pagerank`` runs on the weighted directed graph (symmetric
    predicates both ways); ``eigenvector`` on the largest connected component (``None`` outside
    it, or everywhere if the iteration does not converge); ``constraint`` and
    ``effective_size`` are Burt's (``None`` for isolated nodes); ``core_number`` is the k-core.
    ``only``: compute just these measures besides the degrees (a page needs four of ten;
    Burt's measures cost the most on large graphs). ``projection``: the graph's
    :func:`weighted_projection`, when the caller has it already (it is not changed). From
    :data:`kg.fastgraph.FAST_MIN_NODES` nodes on, the heavy measures run in igraph
    (:mod:`kg.fastgraph`: the same definitions and values).

    Examples
    --------
    >>> star = nx.MultiDiGraph([("c", x) for x in "abde"])
    >>> m = measures(star)
    >>> m["c"]["degree"], m["c"]["betweenness"], m["a"]["betweenness"]
    (4, 1.0, 0.0)
    """
    ug = projection if projection is not None else weighted_projection(graph)
    n = ug.number_of_nodes()
    out: dict[str, dict[str, Any]] = {v: {} for v in ug.nodes}
    if n == 0:
        return out
    for v in ug.nodes:
        rec = out[v]
        rec["degree"] = ug.degree(v)
        rec["weighted_degree"] = sum(
            d.get("weight", 1) for _, _, d in graph.out_edges(v, data=True)) + sum(
            d.get("weight", 1) for s, _, d in graph.in_edges(v, data=True) if s != v)
        rec["in_degree"] = graph.in_degree(v)
        rec["out_degree"] = graph.out_degree(v)
    k = betweenness_k
    if k is None and n > BETWEENNESS_EXACT_MAX:
        k = 500
    if k is not None and k >= n:
        k = None
    want = set(MEASURES if only is None else only)
    fast = n >= fastgraph.FAST_MIN_NODES and fastgraph.available()
    conv = fastgraph.convert(ug) if fast else None  # once, for every heavy measure
    if "betweenness" in want:
        bc = (fastgraph.betweenness(ug, k=k, seed=seed, converted=conv) if fast
              else nx.betweenness_centrality(ug, k=k, normalized=True, seed=seed))
        for v, rec in out.items():
            rec["betweenness"] = float(bc[v])
    if "pagerank" in want:
        dg = _directed_weighted(graph)
        pr = fastgraph.pagerank(dg) if fast else pagerank(dg)
        for v, rec in out.items():
            rec["pagerank"] = float(pr[v])
    if "eigenvector" in want:
        ev: dict[str, float] = {}
        if fast:
            ev = fastgraph.eigenvector(ug, converted=conv)
        else:
            comps = sorted(nx.connected_components(ug), key=lambda c: (-len(c), min(c)))
            if comps and len(comps[0]) > 1:
                sub = ug.subgraph(sorted(comps[0]))
                try:
                    ev = nx.eigenvector_centrality(sub, max_iter=1000, tol=1e-9,
                                                   weight="weight")
                except nx.PowerIterationFailedConvergence:
                    ev = {}
        for v, rec in out.items():
            rec["eigenvector"] = _clean(ev[v]) if v in ev else None
    if "constraint" in want or "effective_size" in want:
        if fast:
            con, eff = fastgraph.burt(ug, converted=conv)
        else:
            con = nx.constraint(ug, weight="weight") if "constraint" in want else {}
            eff = nx.effective_size(ug, weight="weight") if "effective_size" in want else {}
        for v, rec in out.items():
            if "constraint" in want:
                rec["constraint"] = _clean(con[v])
            if "effective_size" in want:
                rec["effective_size"] = _clean(eff[v])
    if "core_number" in want:
        core = fastgraph.core_number(ug, converted=conv) if fast else nx.core_number(ug)
        for v, rec in out.items():
            rec["core_number"] = int(core[v])
    return out


def _rank_key(measure: str, value: Any, label: str, node: str) -> tuple[Any, ...]:
    if value is None:
        return (1, 0.0, label, node)
    sign = 1 if measure in LOW_IS_TOP else -1
    return (0, sign * value, label, node)


def rank(graph: nx.MultiDiGraph, values: Mapping[str, Mapping[str, Any]], measure: str, *,
         top: int = 10, types: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The ``top`` nodes by ``measure`` (optionally only of ``types``), as plain dicts.

    Higher is better except for :data:`LOW_IS_TOP` measures; nodes without a value come last;
    ties go by label, then id. Burt's constraint is ranked only among nodes with degree > 1
    (a single tie is trivially fully constrained).

    Examples
    --------
    >>> g = nx.MultiDiGraph([("c", "a"), ("c", "b")])
    >>> [r["id"] for r in rank(g, measures(g), "degree", top=2)]
    ['c', 'a']
    """
    keep = set(types) if types is not None else None
    nodes = graph.nodes
    cands = []
    for v, rec in values.items():
        d = nodes[v] if v in graph else {}
        if keep is not None and d.get("type") not in keep:
            continue
        if measure in LOW_IS_TOP and (rec.get("degree") or 0) < 2:
            continue
        cands.append((_rank_key(measure, rec.get(measure), d.get("label", v), v), v))
    rows = []
    for i, (_, v) in enumerate(heapq.nsmallest(top, cands), 1):  # the top only, not a sort
        d = nodes[v] if v in graph else {}
        rows.append({"id": v, "label": d.get("label", v), "type": d.get("type", ""),
                     "value": values[v].get(measure), "rank": i})
    return rows


def degree_table(graph: nx.MultiDiGraph, top: int = 20) -> list[dict[str, Any]]:
    """Entities ranked by degree (ties by label), as plain dicts.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="甲", type="Enterprise"); g.add_node("b", label="乙", type="Place")
    >>> _ = g.add_edge("a", "b", key="locatedIn")
    >>> degree_table(g)[0]["degree"]
    1
    """
    rows = [
        {"id": n, "label": d.get("label", n), "type": d.get("type", ""),
         "degree": graph.degree(n)}
        for n, d in graph.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["degree"], r["label"]))
    return rows[:top]


def with_measures(graph: nx.MultiDiGraph,
                  values: Mapping[str, Mapping[str, Any]]) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose nodes carry ``measures`` (for :func:`kg.viz.render_html`).

    Examples
    --------
    >>> g = nx.MultiDiGraph([("a", "b")])
    >>> h = with_measures(g, measures(g))
    >>> h.nodes["a"]["measures"]["degree"], "measures" in g.nodes["a"]
    (1, False)
    """
    h = graph.copy()
    for v in h.nodes:
        h.nodes[v]["measures"] = dict(values.get(v, {}))
    return h


# --------------------------------------------------------------------------------------------
# communities


def communities(graph: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0,
                projection: nx.Graph | None = None) -> list[list[str]]:
    """Louvain communities of the undirected weighted projection.

    Each community is a sorted list of node ids; communities are sorted largest first, then
    by their first id. Isolated nodes are singleton communities.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b in [("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"),
    ...              ("c", "x")]:
    ...     _ = g.add_edge(a, b, key="cooperatesWith", weight=1)
    >>> communities(g)
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    ug = projection if projection is not None else weighted_projection(graph)
    if ug.number_of_nodes() == 0:
        return []
    if ug.number_of_nodes() >= fastgraph.FAST_MIN_NODES and fastgraph.available():
        return fastgraph.communities(ug, seed=seed, resolution=resolution)
    found = nx.community.louvain_communities(ug, weight="weight", resolution=resolution,
                                             seed=seed)
    comms = [sorted(c) for c in found]
    comms.sort(key=lambda c: (-len(c), c[0]))
    return comms


#: How a predicate reads in the generated community sentences.
_PHRASES: dict[str, str] = {
    "cooperatesWith": "cooperates with", "signedAgreementWith": "signed an agreement with",
    "holdsPost": "holds a post at", "investedIn": "invested in", "cofounded": "co-founded",
    "founded": "founded", "incubatedBy": "is incubated by", "introducedBy": "was introduced by",
    "subOrganizationOf": "is part of", "supplies": "supplies", "supports": "supports",
    "servesClient": "serves", "hasAward": "won", "participatedIn": "took part in",
    "partOfProgram": "is part of the programme", "locatedIn": "is located in",
    "focusIndustry": "works in",
}


def _counted(counter: Mapping[str, int], limit: int = 3) -> list[dict[str, Any]]:
    return [{"label": k, "count": c}
            for k, c in sorted(counter.items(), key=lambda x: (-x[1], x[0]))[:limit]]


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return "、".join(labels[:-1]) + " and " + labels[-1]


def describe_communities(graph: nx.MultiDiGraph, comms: list[list[str]],
                         values: Mapping[str, Mapping[str, Any]] | None = None, *,
                         top: int = 5, min_size: int = 2) -> list[dict[str, Any]]:
    """Describe each community of at least ``min_size`` members.

    ``members`` are the leading members by weighted degree; ``types`` the dominant entity
    types; ``industries`` and ``places`` the industries and places that are members, that
    members focus on or are located in, or that the actor view keeps as their ``context``,
    with the number of members naming each; ``years`` the first and last year of the ties
    inside; ``ties`` their number; ``top_tie`` the best-supported tie with a sentence; and
    ``sentences`` one or two sentences written from these facts.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="E", type="Enterprise"); g.add_node("i", label="I", type="Industry")
    >>> _ = g.add_edge("e", "i", key="focusIndustry", weight=1, years=["2021"])
    >>> d = describe_communities(g, [["e", "i"]])[0]
    >>> d["size"], d["industries"], d["years"]
    (2, [{'label': 'I', 'count': 1}], ['2021', '2021'])
    """
    values = values if values is not None else measures(graph)
    # the ties inside each community, in one pass over the edges (communities partition)
    comm_of = {v: i for i, comm in enumerate(comms) if len(comm) >= min_size for v in comm}
    ties_of: dict[int, list[tuple[str, str, str, dict[str, Any]]]] = defaultdict(list)
    for s, o, k, d in graph.edges(keys=True, data=True):
        c = comm_of.get(s)
        if c is not None and s != o and comm_of.get(o) == c:
            ties_of[c].append((s, o, k, d))
    out = []
    for i, comm in enumerate(comms):
        if len(comm) < min_size:
            continue
        members = sorted(comm, key=lambda v: (-(values.get(v, {}).get("weighted_degree") or 0),
                                              graph.nodes[v].get("label", v), v))
        types = Counter(graph.nodes[v].get("type", "") for v in comm)
        linked: dict[str, dict[str, set[str]]] = {"Industry": defaultdict(set),
                                                  "Place": defaultdict(set)}
        for v in comm:
            nd = graph.nodes[v]
            for t, labels in (nd.get("context") or {}).items():
                if t in linked:
                    for label in labels:
                        linked[t][label].add(v)
            for _, o in graph.out_edges(v):
                od = graph.nodes[o]
                if od.get("type") in linked:
                    linked[od["type"]][od.get("label", o)].add(v)
        for v in comm:  # a context member no other member names counts itself
            nd = graph.nodes[v]
            if nd.get("type") in linked and nd.get("label", v) not in linked[nd["type"]]:
                linked[nd["type"]][nd.get("label", v)].add(v)
        ties = list(ties_of.get(i, ()))
        years: set[str] = {y for *_, d in ties for y in d.get("years", [])}
        ties.sort(key=lambda e: (-e[3].get("weight", 1), graph.nodes[e[0]].get("label", e[0]),
                                 e[2], graph.nodes[e[1]].get("label", e[1])))
        top_tie = None
        if ties:
            s, o, k, d = ties[0]
            ev = (d.get("evidence") or [{}])[0]
            top_tie = {"subject": graph.nodes[s].get("label", s), "predicate": k,
                       "object": graph.nodes[o].get("label", o), "weight": d.get("weight", 1),
                       "sentence": ev.get("sentence", ""), "title": ev.get("title", ""),
                       "date": ev.get("date", "")}
        rec = {
            "index": i,
            "size": len(comm),
            "members": [_node_ref(graph, v) for v in members[:top]],
            "types": [{"type": t, "count": c}
                      for t, c in sorted(types.items(), key=lambda x: (-x[1], x[0]))[:3]],
            "industries": _counted({k: len(v) for k, v in linked["Industry"].items()}),
            "places": _counted({k: len(v) for k, v in linked["Place"].items()}),
            "years": [min(years), max(years)] if years else [],
            "ties": len(ties),
            "top_tie": top_tie,
        }
        rec["sentences"] = _community_sentences(rec)
        out.append(rec)
    return out


def _community_sentences(c: Mapping[str, Any]) -> list[str]:
    """One or two sentences from a community's description (see describe_communities)."""
    lead = [m["label"] for m in c["members"][:3]]
    kind = c["types"][0]["type"] if c["types"] else "entity"
    first = (f"{c['size']} members, mostly {kind} ({c['types'][0]['count']})" if c["types"]
             else f"{c['size']} members")
    first += f", around {_join(lead)}"
    if c["industries"]:
        first += f", working in {_join([x['label'] for x in c['industries'][:2]])}"
    if c["places"]:
        first += f", located in {_join([x['label'] for x in c['places'][:2]])}"
    if c["years"]:
        y0, y1 = c["years"]
        first += f"; ties reported {y0}" + (f"–{y1}" if y1 != y0 else "")
    out = [first + "."]
    t = c.get("top_tie")
    if t:
        verb = _PHRASES.get(t["predicate"], t["predicate"])
        n = t["weight"]
        second = (f"Best-supported tie: {t['subject']} {verb} {t['object']} "
                  f"({n} article{'s' if n != 1 else ''})")
        if t["sentence"]:
            sent = t["sentence"]
            sent = sent if len(sent) <= 120 else sent[:119] + "…"
            second += f": “{sent}”"
            if t["title"]:
                second += f" ({t['title']}, {t['date']})" if t["date"] else f" ({t['title']})"
        out.append(second + ".")
    return out


def _node_ref(graph: nx.MultiDiGraph, v: str) -> dict[str, str]:
    d = graph.nodes[v]
    return {"id": v, "label": d.get("label", v), "type": d.get("type", "")}


# --------------------------------------------------------------------------------------------
# triple helix


def triple_helix(graph: nx.MultiDiGraph, *, top: int = 10, examples: int = 3,
                 projection: nx.Graph | None = None) -> dict[str, Any]:
    """Government–academia–industry links (plus finance and platforms) and who bridges them.

    ``pairs``: per sector pair (sorted, e.g. ``academia–industry``) the number of linked entity
    pairs, the number of relations and the best-supported examples with a sentence.
    ``bridges``: actors (organisations, people) whose neighbours (and themselves) span at least
    two sectors, ranked by sectors spanned, then cross-sector neighbours. ``triads``:
    government–academia–industry triangles. ``helix_actors``: actors in touch with all three
    core sectors.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, t in [("g", "GovernmentBody"), ("u", "University"), ("e", "Enterprise")]:
    ...     g.add_node(n, label=n, type=t)
    >>> for a, b in [("g", "u"), ("u", "e"), ("e", "g")]:
    ...     _ = g.add_edge(a, b, key="cooperatesWith", weight=1, evidence=[])
    >>> th = triple_helix(g)
    >>> th["pairs"]["academia–industry"]["pairs"], th["triads"]["count"]
    (1, 1)
    """
    ug = projection if projection is not None else weighted_projection(graph)

    def sector(v: str) -> str | None:
        return SECTORS.get(ug.nodes[v].get("type", ""))

    pairs: dict[str, dict[str, Any]] = {}
    for a, b, d in ug.edges(data=True):
        sa, sb = sector(a), sector(b)
        if not sa or not sb:
            continue
        key = "–".join(sorted((sa, sb)))
        rec = pairs.setdefault(key, {"pairs": 0, "relations": 0, "_ex": []})
        rec["pairs"] += 1
        rec["relations"] += sum(len(graph[x][y]) for x, y in ((a, b), (b, a))
                                if graph.has_edge(x, y))
        rec["_ex"].append((-d["weight"], ug.nodes[a]["label"], ug.nodes[b]["label"], a, b))
    for rec in pairs.values():
        best = sorted(rec["_ex"], key=lambda x: x[:3])[:examples]  # relations of these only
        rec["examples"] = [r for *_, a, b in best
                           for r in _relations_between(graph, a, b, max_evidence=1)[:1]]
        del rec["_ex"]
    bridges = []
    for v in ug.nodes:
        if ug.nodes[v].get("type") not in ACTOR_TYPES:
            continue
        own = sector(v)
        by_sector: Counter[str] = Counter(s for u in ug[v] if (s := sector(u)))
        spanned = set(by_sector) | ({own} if own else set())
        cross = sum(c for s, c in by_sector.items() if s != own)
        if len(spanned) >= 2 and cross:
            bridges.append({**_node_ref(graph, v), "sector": own or "",
                            "sectors": sorted(spanned), "cross_sector_ties": cross,
                            "neighbours_by_sector": dict(sorted(by_sector.items()))})
    bridges.sort(key=lambda r: (-len(r["sectors"]), -r["cross_sector_ties"], r["label"], r["id"]))
    core = {"government", "academia", "industry"}
    helix = [b for b in bridges if core <= set(b["sectors"])]
    triads = []
    for a, b in ug.edges():
        if {sector(a), sector(b)} != {"government", "academia"}:
            continue
        for c in sorted(set(ug[a]) & set(ug[b])):
            if sector(c) == "industry":
                g_, u_ = (a, b) if sector(a) == "government" else (b, a)
                triads.append([ug.nodes[x]["label"] for x in (g_, u_, c)])
    triads.sort()
    return {
        "pairs": dict(sorted(pairs.items())),
        "bridges": bridges[:top],
        "helix_actors": helix[:top],
        "triads": {"count": len(triads), "examples": triads[:examples]},
    }


# --------------------------------------------------------------------------------------------
# time


def first_year(years: Iterable[str]) -> str | None:
    """The earliest of a list of ``YYYY`` strings, or ``None``.

    Examples
    --------
    >>> first_year(["2022", "2020"]), first_year([])
    ('2020', None)
    """
    ys = sorted(y for y in years if y)
    return ys[0] if ys else None


def snapshot(graph: nx.MultiDiGraph, year: str) -> nx.MultiDiGraph:
    """The graph as of ``year``: edges first reported in or before it, and their endpoints.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="p", years=["2020"])
    >>> _ = g.add_edge("b", "c", key="p", years=["2022", "2023"])
    >>> sorted(snapshot(g, "2021").nodes), snapshot(g, "2022").number_of_edges()
    (['a', 'b'], 2)
    """
    s = nx.MultiDiGraph()
    for u, v, k, d in graph.edges(keys=True, data=True):
        fy = first_year(d.get("years", []))
        if fy is not None and fy <= year:
            for n in (u, v):
                if n not in s:
                    s.add_node(n, **graph.nodes[n])
            s.add_edge(u, v, key=k, **d)
    return s


def timeline(graph: nx.MultiDiGraph, *, top: int = 10,
             examples: int = 5) -> list[dict[str, Any]]:
    """Per year in the edges' ``years``: the cumulative graph, new actors and ties, rank moves.

    ``top`` lists the highest-degree actors of the cumulative graph with their ``rank``,
    ``previous_rank`` (``None`` if not ranked the year before) and ``change`` (positive = up).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="p", years=["2020"])
    >>> _ = g.add_edge("c", "b", key="p", years=["2021"])
    >>> t = timeline(g)
    >>> [(y["year"], y["new_actors"], y["new_ties"], y["nodes"]) for y in t]
    [('2020', 2, 1, 2), ('2021', 1, 1, 3)]
    """
    years = sorted({y for _, _, d in graph.edges(data=True) for y in d.get("years", [])})
    # one pass: the edges by the year they were first reported; each year's cumulative graph
    # (its nodes, edge count and distinct neighbours) grows from the year before
    by_year: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = defaultdict(list)
    for u, v, k, d in graph.edges(keys=True, data=True):
        fy = first_year(d.get("years", []))
        if fy is not None:
            by_year[fy].append((u, v, k, d))
    nodes: set[str] = set()
    nbrs: dict[str, set[str]] = defaultdict(set)
    n_edges = 0
    out = []
    prev_nodes: set[str] = set()
    prev_rank: dict[str, int] = {}
    label = {v: graph.nodes[v].get("label", v) for v in graph.nodes}
    for year in years:
        fresh = by_year.get(year, [])
        for u, v, _, _ in fresh:
            nodes.update((u, v))
            if u != v:
                nbrs[u].add(v)
                nbrs[v].add(u)
        n_edges += len(fresh)

        def degree(v: str) -> int:
            return len(nbrs[v]) if v in nbrs else 0

        new_nodes = sorted(nodes - prev_nodes, key=lambda v: (-degree(v), label[v], v))
        new_edges = sorted(fresh, key=lambda e: (-e[3].get("weight", 1), e[0], e[2], e[1]))
        ranked = sorted(nodes, key=lambda v: (-degree(v), label[v], v))
        ranks = {v: i for i, v in enumerate(ranked, 1)}
        tops = []
        for v in ranked[:top]:
            p = prev_rank.get(v)
            tops.append({**_node_ref(graph, v), "degree": degree(v), "rank": ranks[v],
                         "previous_rank": p, "change": (p - ranks[v]) if p else None})
        out.append({
            "year": year,
            "nodes": len(nodes),
            "edges": n_edges,
            "new_actors": len(new_nodes),
            "new_ties": len(new_edges),
            "new_actor_examples": [_node_ref(graph, v) for v in new_nodes[:examples]],
            "new_tie_examples": [
                {"subject": graph.nodes[u].get("label", u), "predicate": k,
                 "object": graph.nodes[v].get("label", v)}
                for u, v, k, _ in new_edges[:examples]],
            "top": tops,
        })
        prev_nodes = set(nodes)
        prev_rank = ranks
    return out


def posts_by_year(store: ox.Store) -> list[dict[str, Any]]:
    """Posts held per year, from the ``holdsPost`` assertions (role as printed, article date).

    The year is the assertion's ``kg:year`` if stated, else the article's publication year.
    One row per (year, person, organisation) with the roles and the articles, sorted by year,
    organisation and person.

    Examples
    --------
    >>> from kg.store import memory_store
    >>> posts_by_year(memory_store(""))
    []
    """
    acc: dict[tuple[str, str, str], dict[str, Any]] = {}
    for person, plabel, org, olabel, role, year, date, art, title, ev in run_query(
            store, _POSTS).rows:
        y = year[:4] if year and year[:4].isdigit() else (date or "")[:4]
        rec = acc.setdefault((y, org, person), {
            "year": y, "person": plabel, "person_id": person, "organisation": olabel,
            "organisation_id": org, "roles": set(), "articles": {}})
        if role:
            rec["roles"].add(role)
        rec["articles"].setdefault(art, {"article": art, "title": title, "date": date,
                                         "sentence": ev})
    rows = []
    for key in sorted(acc, key=lambda k: (k[0], acc[k]["organisation"], acc[k]["person"], k)):
        rec = acc[key]
        rows.append({**rec, "roles": sorted(rec["roles"]),
                     "articles": [rec["articles"][a] for a in sorted(rec["articles"])]})
    return rows


# --------------------------------------------------------------------------------------------
# entities, chains and neighbourhoods


def find_entity(graph: nx.MultiDiGraph, name: str) -> str:
    """The node whose label or an alias equals ``name`` (after :func:`kg.resolve.norm`).

    An exact label match wins over an alias match; among several, the best-connected one.
    Raises :class:`EntityNotFound` (a :class:`LookupError`) with "did you mean" suggestions.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", label="浙江明远长三角研究院", aliases=["明远长三角研究院"])
    >>> find_entity(g, " “明远长三角研究院” ")
    'x'
    >>> find_entity(g, "明远研究院")
    Traceback (most recent call last):
    ...
    kg.analysis.EntityNotFound: no entity named '明远研究院'; did you mean: 浙江明远长三角研究院
    """
    n = norm(name).strip()
    label_hits, alias_hits = [], []
    names: dict[str, str] = {}
    for v, d in graph.nodes(data=True):
        label = d.get("label", v)
        names.setdefault(label, label)
        for a in d.get("aliases", []) or []:
            names.setdefault(a, label)
        if n and norm(label) == n:
            label_hits.append(v)
        elif n and any(norm(a) == n for a in d.get("aliases", []) or []):
            alias_hits.append(v)
    hits = label_hits or alias_hits
    if hits:
        return sorted(hits, key=lambda v: (-graph.degree(v), v))[0]
    raise EntityNotFound(name, _suggest(n, names))


def _suggest(n: str, names: Mapping[str, str], limit: int = 8) -> list[str]:
    """Labels whose label or alias is close to ``n`` (difflib) or contains it / is in it."""
    if not n:
        return []
    normed = {norm(k): v for k, v in sorted(names.items())}
    out: list[str] = []
    for m in difflib.get_close_matches(n, list(normed), n=limit, cutoff=0.5):
        out.append(normed[m])
    subs = sorted((k for k in normed if len(k) >= 2 and (n in k or k in n)),
                  key=lambda k: (abs(len(k) - len(n)), k))
    out += [normed[k] for k in subs]
    seen: list[str] = []
    for x in out:
        if x not in seen:
            seen.append(x)
    return seen[:limit]


def _relations_between(graph: nx.MultiDiGraph, a: str, b: str, *,
                       max_evidence: int = 3) -> list[dict[str, Any]]:
    """Every relation between ``a`` and ``b`` with its true direction, as seen from ``a``."""
    rels = []
    for s, o in ((a, b), (b, a)):
        if not graph.has_edge(s, o):
            continue
        for k, d in sorted(graph[s][o].items()):
            pred = d.get("predicate", k)
            rels.append({
                "predicate": pred,
                "subject": graph.nodes[s].get("label", s),
                "object": graph.nodes[o].get("label", o),
                "direction": "forward" if s == a else "backward",
                "symmetric": pred in SYMMETRIC,
                "weight": d.get("weight", 1),
                "evidence": list(d.get("evidence", []))[:max_evidence],
            })
    rels.sort(key=lambda r: (-r["weight"], r["predicate"], r["direction"]))
    return rels


def _reach_graph(graph: nx.MultiDiGraph, keep: Iterable[str],
                 avoid_types: Iterable[str], projection: nx.Graph | None = None) -> nx.Graph:
    """The projection without the nodes of ``avoid_types`` (but ``keep``): a read-only view."""
    ug = projection if projection is not None else weighted_projection(graph)
    avoid = set(avoid_types)
    keep = set(keep)
    return nx.subgraph_view(
        ug, filter_node=lambda v: v in keep or ug.nodes[v].get("type") not in avoid)


def paths(graph: nx.MultiDiGraph, source: str, target: str, *, max_hops: int = 4, k: int = 3,
          avoid_types: Iterable[str] = DEFAULT_AVOID,
          projection: nx.Graph | None = None) -> list[dict[str, Any]]:
    """The ``k`` shortest simple chains (at most ``max_hops``) between two nodes.

    Reachability ignores direction; each hop reports every relation between its two ends with
    the predicate, its true direction, and evidence (sentence, article title and date).
    Intermediate nodes of ``avoid_types`` are skipped. Among chains of equal length, better
    supported ones (higher minimum hop weight, then total weight) come first.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="cooperatesWith", weight=1, evidence=[])
    >>> _ = g.add_edge("c", "b", key="supplies", weight=1, evidence=[])
    >>> p = paths(g, "a", "c")[0]
    >>> p["hops"], [s["relations"][0]["direction"] for s in p["steps"]]
    (2, ['forward', 'backward'])
    """
    if source == target:
        raise ValueError("source and target are the same entity")
    ug = _reach_graph(graph, (source, target), avoid_types, projection)
    found: list[list[str]] = []
    try:
        for p in islice(nx.shortest_simple_paths(ug, source, target), max(k, 1) * 5):
            if len(p) - 1 > max_hops:
                break
            found.append(p)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        found = []

    def key(p: list[str]) -> tuple[Any, ...]:
        ws = [ug[a][b]["weight"] for a, b in pairwise(p)]
        return (len(p), -min(ws), -sum(ws), [ug.nodes[v].get("label", v) for v in p], p)

    found.sort(key=key)
    out = []
    for p in found[:k]:
        out.append({
            "hops": len(p) - 1,
            "nodes": [_node_ref(graph, v) for v in p],
            "steps": [{"from": _node_ref(graph, a), "to": _node_ref(graph, b),
                       "relations": _relations_between(graph, a, b)}
                      for a, b in pairwise(p)],
        })
    return out


def neighbors(graph: nx.MultiDiGraph, node: str, *, hops: int = 1,
              avoid_types: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Entities within ``hops`` of ``node`` (direction ignored), nearest first.

    Each row names the entity, its ``distance``, the neighbour it was reached ``via`` and the
    relations between the two (predicate, true direction, evidence). Nodes of ``avoid_types``
    are listed but not expanded.

    Examples
    --------
    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> [(r["id"], r["distance"]) for r in neighbors(g, "a", hops=2)]
    [('b', 1), ('c', 2)]
    """
    ug = weighted_projection(graph)
    avoid = set(avoid_types)
    dist = {node: 0}
    via: dict[str, str] = {}
    queue = deque([node])
    while queue:
        v = queue.popleft()
        if dist[v] >= hops or (v != node and ug.nodes[v].get("type") in avoid):
            continue
        for u in sorted(ug[v], key=lambda x: (ug.nodes[x].get("label", x), x)):
            if u not in dist:
                dist[u] = dist[v] + 1
                via[u] = v
                queue.append(u)
    rows = []
    for u in dist:
        if u == node:
            continue
        rows.append({**_node_ref(graph, u), "distance": dist[u],
                     "via": _node_ref(graph, via[u]),
                     "relations": _relations_between(graph, via[u], u, max_evidence=1)})
    rows.sort(key=lambda r: (r["distance"], r["via"]["label"], r["label"], r["id"]))
    return rows


# --------------------------------------------------------------------------------------------
# the whole analysis


def _round(x: Any, nd: int = 6) -> Any:
    if isinstance(x, float):
        return round(x, nd)
    if isinstance(x, dict):
        return {k: _round(v, nd) for k, v in x.items()}
    if isinstance(x, list):
        return [_round(v, nd) for v in x]
    return x


def notable_chains(graph: nx.MultiDiGraph, values: Mapping[str, Mapping[str, Any]], *,
                   max_hops: int = 4, projection: nx.Graph | None = None) -> list[dict[str, Any]]:
    """The shortest chain between the best-connected actors of complementary sectors.

    For each sector pair (academia→industry, government→academia, government→industry,
    finance→industry, platform→industry) the top actor by degree of each sector is linked by
    its shortest chain; pairs already tied directly are skipped in favour of the next actor.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, t in [("u", "University"), ("p", "Platform"), ("e", "Enterprise")]:
    ...     g.add_node(n, label=n, type=t)
    >>> _ = g.add_edge("u", "p", key="cofounded", weight=1, evidence=[])
    >>> _ = g.add_edge("e", "p", key="incubatedBy", weight=1, evidence=[])
    >>> [c["pair"] for c in notable_chains(g, measures(g))]
    ['academia→industry']
    """
    by_sector: dict[str, list[str]] = defaultdict(list)
    for v in sorted(values, key=lambda v: (-(values[v].get("degree") or 0),
                                           graph.nodes[v].get("label", v), v)):
        s = SECTORS.get(graph.nodes[v].get("type", ""))
        if s and (values[v].get("degree") or 0) > 0:
            by_sector[s].append(v)
    ug = projection if projection is not None else weighted_projection(graph)
    out = []
    for a_s, b_s in (("academia", "industry"), ("government", "academia"),
                     ("government", "industry"), ("finance", "industry"),
                     ("platform", "industry")):
        done = False
        for a in by_sector.get(a_s, [])[:3]:
            for b in by_sector.get(b_s, [])[:5]:
                if ug.has_edge(a, b):
                    continue
                ps = paths(graph, a, b, max_hops=max_hops, k=1, projection=ug)
                if ps:
                    out.append({"pair": f"{a_s}→{b_s}", **ps[0]})
                    done = True
                    break
            if done:
                break
    return out


def analyze(graph: nx.MultiDiGraph, *, seed: int = 0, top: int = 10,
            posts: list[dict[str, Any]] | None = None,
            betweenness_k: int | None = None, all_types: bool = False) -> dict[str, Any]:
    """The whole analysis as one JSON-ready dict (floats rounded to 6 decimals).

    By default everything is computed on the actor view (:func:`actor_graph`: places,
    industries, programmes, awards and events are attributes of the actors, not nodes);
    ``all_types=True`` measures every entity as a node.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="A", type="Enterprise"); g.add_node("b", label="B", type="Place")
    >>> g.add_node("c", label="C", type="University")
    >>> _ = g.add_edge("a", "b", key="locatedIn", weight=1, evidence=[], years=["2020"])
    >>> _ = g.add_edge("a", "c", key="cooperatesWith", weight=1, evidence=[], years=["2021"])
    >>> r = analyze(g)
    >>> r["summary"]["nodes"], r["summary"]["context"], r["timeline"][0]["year"]
    (2, {'Place': 1}, '2021')
    >>> analyze(g, all_types=True)["rankings"]["degree"][0]["label"]
    'A'
    """
    context = Counter(d.get("type", "") for _, d in graph.nodes(data=True)
                      if d.get("type", "") in CONTEXT_TYPES)
    if not all_types:
        graph = actor_graph(graph)
    ug = weighted_projection(graph)  # once: every measure below reads it
    values = measures(graph, seed=seed, betweenness_k=betweenness_k, projection=ug)
    comms = communities(graph, seed=seed, projection=ug)
    comm_of = {v: i for i, c in enumerate(comms) for v in c}
    n = graph.number_of_nodes()
    types = sorted({d.get("type", "") for _, d in graph.nodes(data=True)})
    by_type = {}
    for t in types:
        members = [v for v, d in graph.nodes(data=True) if d.get("type", "") == t]
        degs = [values[v]["degree"] for v in members]
        by_type[t] = {
            "count": len(members),
            "mean_degree": sum(degs) / len(degs) if degs else 0.0,
            "top": {m: rank(graph, values, m, top=3, types=[t])
                    for m in ("degree", "betweenness", "pagerank")},
        }
    bk = betweenness_k
    exact = not ((bk is not None and bk < n) or (bk is None and n > BETWEENNESS_EXACT_MAX))
    report = {
        "summary": {
            "nodes": n,
            "edges": graph.number_of_edges(),
            "linked_pairs": ug.number_of_edges(),
            "isolated": sum(1 for v in ug.nodes if ug.degree(v) == 0),
            "components": nx.number_connected_components(ug) if n else 0,
            "largest_component": max((len(c) for c in nx.connected_components(ug)), default=0),
            "communities": sum(1 for c in comms if len(c) > 1),
            "predicates": dict(sorted(Counter(k for _, _, k in graph.edges(keys=True)).items())),
            "types": {t: by_type[t]["count"] for t in types},
            "seed": seed,
            "betweenness": "exact" if exact else f"sampled (k={bk or 500}, seed={seed})",
            "view": "all types" if all_types else "actors",
            "context": {} if all_types else dict(sorted(context.items())),
        },
        "rankings": {m: rank(graph, values, m, top=top) for m in MEASURES},
        "by_type": by_type,
        "communities": describe_communities(graph, comms, values),
        "triple_helix": triple_helix(graph, top=top, projection=ug),
        "timeline": timeline(graph, top=top),
        "posts_by_year": posts or [],
        "chains": notable_chains(graph, values, projection=ug),
        "nodes": {v: {**_node_ref(graph, v), "community": comm_of.get(v), **values[v]}
                  for v in sorted(values)},
    }
    return _round(report)


def _md(text: Any) -> str:
    s = "" if text is None else str(text)
    return (s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return lines + [""]


def _rel_text(rel: Mapping[str, Any]) -> str:
    arrow = "—" if rel["symmetric"] else "→"
    return f"{rel['subject']} {arrow}{rel['predicate']}{arrow} {rel['object']}"


def format_chain(chain: Mapping[str, Any]) -> list[str]:
    """Plain-text lines for one chain (used by ``kg path`` and the report).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> ev = [{"sentence": "甲与乙合作。", "title": "新闻", "date": "2021", "article": "x"}]
    >>> _ = g.add_edge("甲", "乙", key="cooperatesWith", weight=1, evidence=ev)
    >>> print("\\n".join(format_chain(paths(g, "甲", "乙")[0])))
    甲 — 乙  (1 hop)
      1. 甲 —cooperatesWith— 乙  [1 article]
         “甲与乙合作。” — 新闻 (2021)
    """
    hops = chain["hops"]
    lines = [" — ".join(n["label"] for n in chain["nodes"])
             + f"  ({hops} hop{'s' if hops != 1 else ''})"]
    for i, step in enumerate(chain["steps"], 1):
        for j, rel in enumerate(step["relations"]):
            num = f"{i}." if j == 0 else "  "
            w = rel["weight"]
            lines.append(f"  {num} {_rel_text(rel)}  [{w} article{'s' if w != 1 else ''}]")
            for ev in rel["evidence"][:1]:
                lines.append(f"     “{ev.get('sentence', '')}” — {ev.get('title', '')} "
                             f"({ev.get('date', '')})")
    return lines


def report_markdown(report: Mapping[str, Any]) -> str:
    """The analysis as a Markdown report (tables; article text escaped).

    Examples
    --------
    >>> g = nx.MultiDiGraph([("a", "b")])
    >>> report_markdown(analyze(g)).splitlines()[0]
    '# Network analysis'
    """
    s = report["summary"]
    out = ["# Network analysis", ""]
    if s.get("view", "actors") == "actors":
        ctx = s.get("context") or {}
        out.append("Measured on the actor graph (organisations and people; page staff left "
                   "out). Context kept as attributes of the actors, not measured: "
                   + (", ".join(f"{c} {t}" for t, c in ctx.items()) if ctx else "none")
                   + ". `kg analyze --all-types` measures every entity.")
        out.append("")
    out.append(f"{s['nodes']} entities, {s['edges']} relations ({s['linked_pairs']} linked "
               f"pairs), {s['components']} components (largest {s['largest_component']}), "
               f"{s['isolated']} isolated, {s['communities']} communities (Louvain, seed "
               f"{s['seed']}); betweenness {s['betweenness']}. See `docs/analysis.md` for the "
               "definitions.")
    out.append("")
    out += ["## Top actors per measure", ""]
    for m, rows in report["rankings"].items():
        note = " (low = broker; degree ≥ 2)" if m in LOW_IS_TOP else ""
        out.append(f"### {m}{note}")
        out.append("")
        out += _table(["#", "entity", "type", m],
                      [[r["rank"], r["label"], r["type"], _fmt(r["value"])] for r in rows])
    out += ["## Top actors per type", ""]
    rows = []
    for t, rec in report["by_type"].items():
        rows.append([t, rec["count"], _fmt(rec["mean_degree"]),
                     "、".join(f"{r['label']} ({r['value']})" for r in rec["top"]["degree"]),
                     "、".join(r["label"] for r in rec["top"]["betweenness"]
                              if r["value"])])
    out += _table(["type", "count", "mean degree", "top by degree", "top by betweenness"], rows)
    out += ["## Communities", ""]
    out += _table(
        ["#", "size", "leading actors", "dominant types", "industries", "places", "years"],
        [[c["index"], c["size"], "、".join(m["label"] for m in c["members"]),
          ", ".join(f"{t['type']} {t['count']}" for t in c["types"]),
          "、".join(f"{i['label']} {i['count']}" for i in c["industries"]),
          "、".join(f"{i['label']} {i['count']}" for i in c.get("places", [])),
          "–".join(dict.fromkeys(c.get("years", [])))]
         for c in report["communities"][:15]])
    for c in report["communities"][:15]:
        lead = "、".join(m["label"] for m in c["members"][:3])
        out += [f"### Community {c['index']}: {_md(lead)}", ""]
        out += [_md(" ".join(c.get("sentences", []))), ""]
    th = report["triple_helix"]
    out += ["## Triple helix", "", "### Links between sectors", ""]
    out += _table(
        ["sectors", "linked pairs", "relations", "example"],
        [[k, v["pairs"], v["relations"],
          (_rel_text(v["examples"][0]) + (f" — “{v['examples'][0]['evidence'][0]['sentence']}”"
                                          if v["examples"][0]["evidence"] else ""))
          if v["examples"] else ""]
         for k, v in th["pairs"].items()])
    out += [f"Government–academia–industry triangles: {th['triads']['count']}"
            + (" (e.g. " + "; ".join(" – ".join(t) for t in th["triads"]["examples"]) + ")"
               if th["triads"]["examples"] else ""), ""]
    out += ["### Bridging actors", ""]
    out += _table(
        ["entity", "type", "sectors spanned", "cross-sector ties", "neighbours by sector"],
        [[b["label"], b["type"], ", ".join(b["sectors"]), b["cross_sector_ties"],
          ", ".join(f"{k} {v}" for k, v in b["neighbours_by_sector"].items())]
         for b in th["bridges"]])
    out += ["## Change over time", "", "The graph as of each year (ties first reported in or "
            "before it).", ""]
    out += _table(
        ["year", "entities", "relations", "new actors", "new ties", "e.g. new actors"],
        [[y["year"], y["nodes"], y["edges"], y["new_actors"], y["new_ties"],
          "、".join(a["label"] for a in y["new_actor_examples"])]
         for y in report["timeline"]])
    for y in report["timeline"]:
        out += [f"### Top actors by degree, {y['year']}", ""]
        out += _table(
            ["#", "entity", "type", "degree", "previous rank", "change"],
            [[r["rank"], r["label"], r["type"], r["degree"], _fmt(r["previous_rank"]),
              "new" if r["previous_rank"] is None else f"{r['change']:+d}"]
             for r in y["top"]])
    out += ["## Posts held per year", ""]
    out += _table(["year", "person", "role", "organisation", "article"],
                  [[p["year"], p["person"], "、".join(p["roles"]), p["organisation"],
                    p["articles"][0]["title"] if p["articles"] else ""]
                   for p in report["posts_by_year"]])
    out += ["## Notable chains", ""]
    for c in report["chains"]:
        out.append(f"### {c['pair']}")
        out.append("")
        out.append("```text")
        out += [line.replace("```", "'''") for line in format_chain(c)]
        out.append("```")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# measures back into RDF

_MEASURE_PREDICATES = {
    "degree": "degree",
    "weighted_degree": "weightedDegree",
    "in_degree": "inDegree",
    "out_degree": "outDegree",
    "betweenness": "betweenness",
    "pagerank": "pagerank",
    "eigenvector": "eigenvector",
    "constraint": "constraint",
    "effective_size": "effectiveSize",
    "core_number": "coreNumber",
}


def measures_graph_iri() -> str:
    """IRI of the named graph that holds the measures."""

    from .rdf import MEASURES_GRAPH

    return str(MEASURES_GRAPH)


def measure_quads(report: Mapping[str, Any]) -> list[ox.Quad]:
    """The measures of :func:`analyze`'s ``nodes`` as quads in the measures graph.

    Predicates are ``kgm:degree``, ``kgm:weightedDegree``, ``kgm:inDegree``, ``kgm:outDegree``
    (``xsd:integer``), ``kgm:betweenness``, ``kgm:pagerank``, ``kgm:eigenvector``,
    ``kgm:constraint``, ``kgm:effectiveSize`` (``xsd:double``), ``kgm:coreNumber`` and
    ``kgm:community`` (``xsd:integer``, 0 = the largest community). Undefined values are left
    out.

    Examples
    --------
    >>> g = nx.MultiDiGraph([("http://x/a", "http://x/b")])
    >>> qs = measure_quads(analyze(g))
    >>> sorted({q.predicate.value.rsplit("#")[1] for q in qs})[:3]
    ['betweenness', 'community', 'constraint']
    """
    from .rdf import KGM

    xsd = "http://www.w3.org/2001/XMLSchema#"
    integer, double = ox.NamedNode(xsd + "integer"), ox.NamedNode(xsd + "double")
    graph = ox.NamedNode(measures_graph_iri())
    quads = []
    for v, rec in sorted(report["nodes"].items()):
        s = ox.NamedNode(v)
        items = [(p, rec.get(m)) for m, p in _MEASURE_PREDICATES.items()]
        items.append(("community", rec.get("community")))
        for p, val in items:
            if val is None:
                continue
            if isinstance(val, bool) or not isinstance(val, int | float):
                continue
            lit = (ox.Literal(str(val), datatype=integer) if isinstance(val, int)
                   else ox.Literal(repr(float(val)), datatype=double))
            quads.append(ox.Quad(s, ox.NamedNode(str(KGM[p])), lit, graph))
    return quads


def write_measures(store: ox.Store, quads: Iterable[ox.Quad]) -> int:
    """Replace the measures graph's content in a writable ``store``; returns the quad count."""
    graph = ox.NamedNode(measures_graph_iri())
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    qs = list(quads)
    store.add_graph(graph)
    store.extend(qs)
    store.flush()
    return len(qs)
