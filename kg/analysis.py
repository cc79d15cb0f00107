"""Network analysis over a projection of the RDF graph into networkx.

The projection keeps entities only (no literals, no ``rdf:type``, no ontology terms): one node
per entity, one edge per (subject, predicate, object) keyed by the predicate, with
``weight`` = the number of distinct articles that support it and ``evidence`` = the supporting
sentences with their article and date.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from .store import run_query

_NODES = """
SELECT ?e ?type ?label (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alts) WHERE {
  ?e a ?cls ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?cls), STR(kg:)) && ?cls NOT IN (kg:Article, kg:Assertion, kg:KeyFigure))
  BIND(STRAFTER(STR(?cls), "#") AS ?type)
  OPTIONAL { ?e skos:altLabel ?alt }
} GROUP BY ?e ?type ?label
"""

_EDGES = """
SELECT ?s ?p ?o ?evidence ?article ?title ?date WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
     kg:evidence ?evidence ; kg:assertedIn ?article .
  FILTER(isIRI(?o))
  ?article dcterms:title ?title ; schema:datePublished ?date .
}
"""

_FIGURES = """
SELECT ?e ?text WHERE { ?e kg:metric ?f . ?f kg:figureText ?text . }
"""


def project(store: ox.Store) -> nx.MultiDiGraph:
    """Project the store's graph into a MultiDiGraph of entities.

    Examples
    --------
    >>> from kg.store import memory_store
    >>> g = project(memory_store(""))
    >>> g.number_of_nodes()
    0
    """
    g = nx.MultiDiGraph()
    for e, typ, label, alts in run_query(store, _NODES).rows:
        aliases = sorted(a for a in (alts or "").split("\u001f") if a)
        g.add_node(e, label=label, type=typ, aliases=aliases, figures=[])
    for e, text in run_query(store, _FIGURES).rows:
        if e in g:
            g.nodes[e]["figures"].append(text)
    for n in g.nodes:
        g.nodes[n]["figures"].sort()
    acc: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(
        lambda: {"evidence": [], "articles": set(), "years": set()}
    )
    for s, p, o, ev, art, title, date in run_query(store, _EDGES).rows:
        if s not in g or o not in g:
            continue
        pred = p.rsplit("#", 1)[-1]
        rec = acc[(s, o, pred)]
        rec["articles"].add(art)
        if date and date[:4].isdigit():
            rec["years"].add(date[:4])
        rec["evidence"].append({"sentence": ev, "article": art, "title": title, "date": date})
    for (s, o, pred), rec in sorted(acc.items()):
        ev = sorted(rec["evidence"], key=lambda d: (d["article"], d["sentence"]))
        g.add_edge(s, o, key=pred, predicate=pred, weight=len(rec["articles"]), evidence=ev,
                   years=sorted(rec["years"]))
    return g


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
