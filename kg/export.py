"""Exports of the built graph for other tools: JSON-LD, GraphML, GEXF and CSV.

* ``pinghu.jsonld`` — the whole dataset (one ``@graph`` per named graph) in compacted JSON-LD
  with an inline ``@context`` of the project prefixes; any JSON-LD processor expands it back to
  exactly the quads of the store;
* ``pinghu.graphml`` / ``pinghu.gexf`` — the entity network of :func:`kg.analysis.project`
  (for Gephi, Cytoscape, yEd); list attributes are joined with ``|`` and the evidence records
  are a JSON string, because both formats only hold scalars;
* ``entities.csv`` (iri, name, type, aliases) and ``relations.csv`` (one row per
  ``kg:Assertion``: s, p, o, evidence, article, start, end, rule, confidence, s_name, o_name).

Every function returns text; the same store always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

FORMATS: tuple[str, ...] = ("jsonld", "graphml", "gexf", "csv")

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
LIST_SEP = "|"


# --- JSON-LD ---------------------------------------------------------------------------------


def _compactor(prefixes: Mapping[str, str]):
    ordered = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def compact(iri: str) -> str:
        for prefix, ns in ordered:
            if iri.startswith(ns):
                rest = iri[len(ns):]
                if rest and not rest.startswith("//"):
                    return f"{prefix}:{rest}"
        return iri

    return compact


def _node_id(term: Any, compact) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)  # RDF-star triple terms are not used by the project


def _value(term: Any, compact) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        out = {"@value": term.value}
        if term.language:
            out["@language"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            out["@type"] = compact(term.datatype.value)
        return out
    return {"@id": _node_id(term, compact)}


def _nodes(triples: Iterable[tuple[Any, Any, Any]], compact) -> list[dict[str, Any]]:
    by_subject: dict[str, dict[str, Any]] = {}
    for s, p, o in triples:
        sid = _node_id(s, compact)
        node = by_subject.setdefault(sid, {"@id": sid})
        if p.value == RDF_TYPE and not isinstance(o, ox.Literal):
            node.setdefault("@type", []).append(_node_id(o, compact))
        else:
            node.setdefault(compact(p.value), []).append(_value(o, compact))
    out = []
    for sid in sorted(by_subject):
        node = by_subject[sid]
        for k, v in node.items():
            if k == "@type":
                node[k] = sorted(set(v))
            elif k != "@id":
                uniq = {json.dumps(x, sort_keys=True, ensure_ascii=False): x for x in v}
                node[k] = [uniq[x] for x in sorted(uniq)]
        out.append(node)
    return out


def jsonld_document(quads: Iterable[Any], prefixes: Mapping[str, str]) -> dict[str, Any]:
    """A compacted JSON-LD document (``@context`` + ``@graph``) of triples or quads.

    Triples of the default graph become top-level nodes; each named graph becomes a node with
    its own ``@graph``.

    Examples
    --------
    >>> t = ox.Triple(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"),
    ...               ox.Literal("x", language="zh"))
    >>> jsonld_document([t], {"ex": "http://e.org/"})["@graph"]
    [{'@id': 'ex:a', 'ex:p': [{'@value': 'x', '@language': 'zh'}]}]
    """
    compact = _compactor(prefixes)
    default: list[tuple[Any, Any, Any]] = []
    named: dict[str, list[tuple[Any, Any, Any]]] = defaultdict(list)
    for q in quads:
        g = getattr(q, "graph_name", None)
        spo = (q.subject, q.predicate, q.object)
        if g is None or isinstance(g, ox.DefaultGraph):
            default.append(spo)
        else:
            named[_node_id(g, compact)].append(spo)
    graph: list[dict[str, Any]] = _nodes(default, compact)
    for gid in sorted(named):
        graph.append({"@id": gid, "@graph": _nodes(named[gid], compact)})
    context = {k: prefixes[k] for k in sorted(prefixes)}
    return {"@context": context, "@graph": graph}


def jsonld_text(quads: Iterable[Any], prefixes: Mapping[str, str]) -> str:
    """:func:`jsonld_document` as deterministic, indented UTF-8 JSON text."""
    return json.dumps(jsonld_document(quads, prefixes), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"


def export_jsonld(store: ox.Store) -> str:
    """The built dataset of ``store`` (not the ontology the store also holds: it ships as
    ``kg/ontology/pinghu.ttl``) as compacted JSON-LD with the project context."""
    from .store import ONTOLOGY_GRAPH, PREFIX_MAP

    return jsonld_text((q for q in store.quads_for_pattern(None, None, None, None)
                        if getattr(q.graph_name, "value", None) != ONTOLOGY_GRAPH), PREFIX_MAP)


# --- networks --------------------------------------------------------------------------------


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(x, (str, int, float)) for x in value
    ):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return LIST_SEP.join(str(x) for x in items)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` in sorted order whose attributes are all scalars.

    Lists of strings are joined with ``|``; anything else (e.g. evidence records) becomes a
    JSON string. Edges get a ``label`` (the predicate) for Gephi.
    """
    out = nx.MultiDiGraph()
    for n in sorted(graph.nodes):
        out.add_node(n, **{k: _scalar(v) for k, v in sorted(graph.nodes[n].items())
                           if v is not None})
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    for u, v, k, d in edges:
        attrs = {a: _scalar(x) for a, x in sorted(d.items()) if x is not None}
        attrs.setdefault("label", str(d.get("predicate", k)))
        out.add_edge(u, v, key=k, **attrs)
    return out


def graphml_text(graph: nx.MultiDiGraph) -> str:
    """GraphML of :func:`flat_graph` (node ids are entity IRIs, edge ids the predicates)."""
    return "\n".join(nx.generate_graphml(flat_graph(graph))) + "\n"


_GEXF_DATE = re.compile(r'\s+lastmodifieddate="[^"]*"')


#: Measures of the actor graph written as node attributes of the GEXF.
GEXF_MEASURES: tuple[str, ...] = (
    "degree", "weighted_degree", "betweenness", "pagerank", "eigenvector", "constraint",
    "effective_size", "core_number",
)


def _first_year(years: Any) -> int | None:
    ys = sorted(str(y) for y in (years or []) if str(y)[:4].isdigit())
    return int(ys[0][:4]) if ys else None


def gexf_text(graph: nx.MultiDiGraph, *, seed: int = 0) -> str:
    """Dynamic GEXF 1.2 of :func:`flat_graph` for Gephi's timeline, deterministic.

    Each edge starts in the first year it was reported and each node in the first year of its
    ties (else of its articles), as integer years (``timeformat="integer"``), so that Gephi's
    timeline shows the graph as of a year. Actors carry the measures of the actor graph
    (:data:`GEXF_MEASURES`, :func:`kg.analysis.measures` of :func:`kg.analysis.actor_graph`)
    and their ``community`` (Louvain, ``seed``; -1 outside a community of two or more); every
    node has ``context`` (true for places, industries, programmes, awards and events). The
    writer's date stamp is left out.
    """
    from .analysis import CONTEXT_TYPES, actor_graph, communities, measures

    actors = actor_graph(graph)
    values = measures(actors, seed=seed)
    comm = {v: i for i, c in enumerate(communities(actors, seed=seed)) if len(c) > 1
            for v in c}
    flat = flat_graph(graph)
    starts: dict[Any, int] = {}
    for i, (u, v, _k, d) in enumerate(flat.edges(keys=True, data=True)):
        d["id"] = str(i)
        year = _first_year(graph.edges[u, v, _k].get("years"))
        if year is not None:
            d["start"] = year
            for n in (u, v):
                starts[n] = min(starts.get(n, year), year)
    for n, d in flat.nodes(data=True):
        year = starts.get(n, _first_year(graph.nodes[n].get("years")))
        if year is not None:
            d["start"] = year
        d["context"] = graph.nodes[n].get("type", "") in CONTEXT_TYPES
        if n in values:
            for m in GEXF_MEASURES:
                x = values[n].get(m)
                if x is not None:
                    d[m] = float(x) if m not in ("degree", "core_number") else int(x)
            d["community"] = comm.get(n, -1)
    flat.graph["mode"] = "dynamic"
    text = "\n".join(nx.generate_gexf(flat))
    # networkx names integer times "long"; GEXF 1.2 (and Gephi) call them "integer"
    text = text.replace('timeformat="long"', 'timeformat="integer"', 1)
    return _GEXF_DATE.sub("", text, count=1) + "\n"


# --- CSV ------------------------------------------------------------------------------------


#: First characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell as text that no spreadsheet runs: a leading ``'`` before a formula start.

    >>> csv_cell("=1+1"), csv_cell(-1), csv_cell(None), csv_cell("平湖")
    ("'=1+1", "'-1", '', '平湖')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    buf = io.StringIO()
    plain = csv.writer(buf, lineterminator="\n")
    # the writer quotes a cell with "\n" but not one with "\r" (not in its line terminator),
    # which a reader would then cut in two: rows with a "\r" have every cell quoted
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    plain.writerow(header)
    for row in rows:
        cells = [csv_cell(c) for c in row]
        (quoted if any("\r" in c for c in cells) else plain).writerow(cells)
    return buf.getvalue()


def entities_csv(graph: nx.MultiDiGraph) -> str:
    """One row per entity of the projection: iri, name, type, aliases (``|``-joined)."""
    rows = []
    for n in sorted(graph.nodes):
        d = graph.nodes[n]
        rows.append([n, d.get("label", ""), d.get("type", ""),
                     LIST_SEP.join(d.get("aliases") or [])])
    return _csv(["iri", "name", "type", "aliases"], rows)


_RELATIONS = """
SELECT ?s ?p ?o ?evidence ?article ?start ?end ?rule ?confidence ?sn ?on WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
     kg:evidence ?evidence ; kg:assertedIn ?article .
  OPTIONAL { ?a kg:startOffset ?start }
  OPTIONAL { ?a kg:endOffset ?end }
  OPTIONAL { ?a kg:rule ?rule }
  OPTIONAL { ?a kg:confidence ?confidence }
  OPTIONAL { ?s rdfs:label ?sn }
  OPTIONAL { ?o rdfs:label ?on }
}
"""

RELATION_COLUMNS = ["s", "p", "o", "evidence", "article", "start", "end", "rule", "confidence",
                    "s_name", "o_name"]


def relations_csv(store: ox.Store) -> str:
    """One row per ``kg:Assertion`` with its evidence sentence, offsets, rule and confidence."""
    from .store import run_query

    rows = {tuple("" if c is None else c for c in r) for r in run_query(store, _RELATIONS).rows}

    def key(r: tuple[str, ...]) -> tuple[Any, ...]:
        start = int(r[5]) if r[5].isdigit() else -1
        return (r[4], start, r[0], r[1], r[2], r)

    return _csv(RELATION_COLUMNS, sorted(rows, key=key))


# --- files -----------------------------------------------------------------------------------


def export_files(store: ox.Store, formats: Iterable[str]) -> dict[str, str]:
    """File name → text for each requested format (``jsonld``, ``graphml``, ``gexf``, ``csv``)."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s): {', '.join(unknown)}")
    out: dict[str, str] = {}
    graph = None
    if any(f in ("graphml", "gexf", "csv") for f in wanted):
        from .analysis import project

        graph = project(store)
    for f in wanted:
        if f == "jsonld":
            out["pinghu.jsonld"] = export_jsonld(store)
        elif f == "graphml":
            out["pinghu.graphml"] = graphml_text(graph)
        elif f == "gexf":
            out["pinghu.gexf"] = gexf_text(graph)
        elif f == "csv":
            out["entities.csv"] = entities_csv(graph)
            out["relations.csv"] = relations_csv(store)
    return out


def write_exports(store: ox.Store, out_dir: Path, formats: Iterable[str]) -> list[Path]:
    """Write the exports into ``out_dir`` atomically; returns the paths written."""
    from .io import atomic_write_text

    files = export_files(store, formats)
    return [atomic_write_text(Path(out_dir) / name, text) for name, text in files.items()]


# --- push to a SPARQL 1.1 store --------------------------------------------------------------


class PushError(Exception):
    """The remote store refused the data or could not be reached."""


@dataclass
class PushReport:
    """What :func:`push` sent."""

    endpoint: str
    method: str
    graphs: list[str]
    triples: int
    requests: int


_RDF_FORMATS = {".nq": "N_QUADS", ".trig": "TRIG", ".ttl": "TURTLE", ".nt": "N_TRIPLES"}


def read_quads(source: Path) -> list[ox.Quad]:
    """The quads of an N-Quads, TriG, Turtle or N-Triples file (by extension)."""
    source = Path(source)
    fmt = _RDF_FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise ValueError(f"{source}: unknown RDF file type; use .nq, .trig, .ttl or .nt")
    try:
        return list(ox.parse(path=str(source), format=getattr(ox.RdfFormat, fmt)))
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"{source}: cannot read ({exc})") from None


def _targets(quads: Iterable[ox.Quad], graph: str | None) -> dict[str, list[ox.Triple]]:
    """Target graph (``""`` = default graph) → sorted distinct triples."""
    acc: dict[str, set[ox.Triple]] = defaultdict(set)
    for q in quads:
        if graph is None:
            g = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        else:
            g = "" if graph == "default" else graph
        acc[g].add(ox.Triple(q.subject, q.predicate, q.object))
    return {g: sorted(ts, key=str) for g, ts in sorted(acc.items())}


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _with_param(endpoint: str, param: str) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + param


def _opener(user: str | None, password: str | None):
    import urllib.request

    handlers: list[Any] = []
    if user:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, "", user, password or "")
        handlers += [urllib.request.HTTPBasicAuthHandler(mgr),
                     urllib.request.HTTPDigestAuthHandler(mgr)]
    return urllib.request.build_opener(*handlers)


def _send(opener: Any, method: str, url: str, body: bytes, ctype: str, timeout: float) -> None:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": ctype})
    try:
        with opener.open(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace").strip()
        raise PushError(f"{method} {url}: HTTP {exc.code} {exc.reason}"
                        + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushError(f"cannot reach {url}: {reason}") from None


def push(
    quads: Iterable[ox.Quad],
    endpoint: str,
    *,
    graph: str | None = None,
    method: str = "gsp",
    batch: int = 5000,
    append: bool = False,
    content_type: str = "application/n-triples",
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120.0,
) -> PushReport:
    """Load quads into a SPARQL 1.1 store.

    ``graph``: ``None`` keeps each named graph; ``"default"`` merges everything into the default
    graph; an IRI merges everything into that named graph. ``method="gsp"`` uses the Graph Store
    Protocol (``endpoint`` is the graph store URL: the first batch of each graph is a ``PUT`` to
    ``?graph=IRI`` / ``?default`` — replacing it unless ``append`` — the rest are ``POST``);
    ``method="update"`` sends SPARQL Update (``endpoint`` is the update URL: ``DROP SILENT``
    of each target graph unless ``append``, then ``INSERT DATA`` in batches of ``batch``
    triples).
    """
    from urllib.parse import quote as urlquote

    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"endpoint must be an http(s) URL, not {endpoint!r}")
    if method not in ("gsp", "update"):
        raise ValueError(f"unknown push method {method!r}; use gsp or update")
    if graph not in (None, "default"):
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise ValueError(f"not an absolute IRI: {graph!r}") from None
    batch = max(1, batch)
    targets = _targets(quads, graph)
    opener = _opener(user, password)
    requests = 0
    triples = sum(len(ts) for ts in targets.values())
    if method == "gsp":
        for g, ts in targets.items():
            url = _with_param(endpoint, "default" if not g else "graph=" + urlquote(g, safe=""))
            for i, chunk in enumerate(_batches(ts, batch)):
                body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) if chunk else b""
                verb = "PUT" if i == 0 and not append else "POST"
                _send(opener, verb, url, body, content_type, timeout)
                requests += 1
    else:
        ops: list[str] = []
        if not append:
            ops += [f"DROP SILENT GRAPH <{g}>" if g else "CLEAR SILENT DEFAULT" for g in targets]
        flat = [(g, t) for g, ts in targets.items() for t in ts]
        for chunk in _batches(flat, batch):
            groups: dict[str, list[ox.Triple]] = defaultdict(list)
            for g, t in chunk:
                groups[g].append(t)
            blocks = []
            for g, ts in groups.items():
                nt = ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                blocks.append(f"GRAPH <{g}> {{\n{nt}}}" if g else nt)
            if blocks:
                ops.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
            if ops:
                body = " ;\n".join(ops).encode("utf-8")
                _send(opener, "POST", endpoint, body, "application/sparql-update", timeout)
                requests += 1
            ops = []
    graphs = [g or "default" for g in targets]
    return PushReport(endpoint=endpoint, method=method, graphs=graphs, triples=triples,
                      requests=requests)
