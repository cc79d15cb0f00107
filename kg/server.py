"""A read-only SPARQL 1.1 Protocol endpoint over the Oxigraph store, with entity pages.

Routes (``http.server.ThreadingHTTPServer``, standard library only):

* ``GET /sparql?query=…`` and ``POST /sparql`` (``application/x-www-form-urlencoded`` with
  ``query=…``, or ``application/sparql-query`` with the query as the body); optional
  ``default-graph-uri`` / ``named-graph-uri``; the result format comes from ``format=`` (or
  ``output=``) or else the ``Accept`` header: SELECT/ASK as SPARQL JSON, XML, CSV or TSV;
  CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML;
* ``GET /`` — an offline HTML query page;
* ``GET /entity/<Type>/<name>`` — an entity of the graph as HTML (names, type, relations with
  their evidence sentence, article title and date) or as Turtle by content negotiation.

Limits (all per request; ``kg serve --help`` names the options):

* SPARQL Update and ``SERVICE`` are refused (403) by :func:`kg.sparql_guard.check_query`, a
  linear tokenizer that runs in the query worker, never in the HTTP thread; the workers
  themselves cannot open network sockets (:func:`kg.sparql_guard.deny_network`, a seccomp
  filter), so federation is off in the engine too;
* a request body or query string larger than ``max_request_bytes`` gets 413; a client gets
  ``client_timeout`` seconds to send a request line and headers (and again for a body), else
  the connection is closed; at most ``max_connections`` connections are served at once;
* the ``Host`` header must name the address the server is bound to (loopback names when it is
  bound to loopback) or one of ``allowed_hosts``, else 421 (against DNS rebinding);
* at most ``max_rows`` solutions (or triples, or rows per table of an entity page) and
  ``max_result_bytes`` bytes are returned; a truncated result carries the header
  ``X-KG-Truncated: <rows returned>`` (and ``X-KG-Truncated-Reason: rows`` or ``bytes``);
* queries run in a pool of worker processes (Oxigraph cannot interrupt a running query from
  Python): the request waits at most ``timeout`` seconds — for a free worker and for the answer
  together — and then the worker is killed and replaced, and the client gets ``503`` with the
  message ``query cancelled: it exceeded the time limit of S s``; a worker may grow its address
  space by ``max_memory`` bytes after opening the store (``RLIMIT_AS``): a query that needs more
  ends that worker, which is replaced, and the client gets ``503`` with ``query cancelled: it
  exceeded the memory limit of N MiB``.

``FROM`` / ``FROM NAMED`` are honoured; ``default-graph-uri`` / ``named-graph-uri`` override
them; without either the default graph is the union of all graphs.
"""

from __future__ import annotations

import functools
import heapq
import html
import io
import ipaddress
import itertools
import json
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from .io import asset
from .sparql_guard import QueryRefused, check_query, dataset_options, deny_network, scan_query

ENTITY_BASE = "https://w3id.org/pinghu-kg/id/entity/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = RDF + "langString"

#: The paths of the SPARQL protocol endpoint.
SPARQL_PATHS = frozenset({"/sparql", "/query", "/sparql/"})
#: Cross-origin reads of the endpoint (no credentials: the data is public and the store
#: read-only; the Host check still keeps DNS-rebinding pages out).
CORS_HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, Accept"),
    ("Access-Control-Expose-Headers", "X-KG-Truncated, X-KG-Truncated-Reason"),
    ("Access-Control-Max-Age", "600"),
)

#: Result formats of SELECT/ASK: key → media type (first = default).
RESULT_TYPES: tuple[tuple[str, str], ...] = (
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("json", "application/json"),
    ("xml", "application/xml"),
)
#: Formats of CONSTRUCT/DESCRIBE results and entity descriptions.
RDF_TYPES: tuple[tuple[str, str], ...] = (
    ("turtle", "text/turtle"),
    ("ntriples", "application/n-triples"),
    ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"),
    ("jsonld", "application/json"),
    ("ntriples", "text/plain"),
)
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
#: ``format=`` values → (SELECT/ASK format, CONSTRUCT/DESCRIBE format).
FORMAT_PARAM: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
}
for _key, _mt in RESULT_TYPES:
    FORMAT_PARAM.setdefault(_mt, (_key, None))
for _key, _mt in RDF_TYPES:
    FORMAT_PARAM.setdefault(_mt, (None, _key))

class ServerError(Exception):
    """The endpoint cannot start (no store, workers do not come up)."""


@dataclass
class ServerConfig:
    """Settings of :func:`make_server` (all limits are per request)."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 30.0
    max_rows: int = 10_000
    max_request_bytes: int = 64 * 1024
    max_result_bytes: int = 16 * 1024 * 1024
    max_memory: int = 2 * 1024**3  # bytes a worker may add after opening the store
    client_timeout: float = 10.0
    max_connections: int = 64
    allowed_hosts: tuple[str, ...] = ()
    workers: int = 2
    log: Callable[[str], None] | None = None
    warn: Callable[[str], None] | None = None  # default: the ``kg.server`` logger


@dataclass(frozen=True)
class Reply:
    """An HTTP answer built by a worker or the handler."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    retire: bool = False  # the worker that built it exits (after a MemoryError)


def text_reply(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode(),
                 headers)


@dataclass(frozen=True)
class QueryJob:
    text: str
    result_format: str | None
    rdf_format: str | None
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = 16 * 1024 * 1024
    guard: bool = True  # False only in tests of the worker's sandbox


@dataclass(frozen=True)
class EntityJob:
    candidates: tuple[str, ...]
    rdf_format: str | None  # None: HTML
    max_rows: int = 10_000
    max_bytes: int = 16 * 1024 * 1024


# --- content negotiation ---------------------------------------------------------------------


def negotiate(accept: str | None, offers: Iterable[tuple[str, str]]) -> str | None:
    """The offer key the ``Accept`` header prefers (ties: offer order), ``None`` if none.

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    'xml'
    >>> negotiate("text/html", RESULT_TYPES) is None
    True
    """
    offers = list(offers)
    if not accept or not accept.strip():
        return offers[0][0] if offers else None
    ranges: list[tuple[str, str, float]] = []
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        mt = bits[0].lower()
        if "/" not in mt:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        main, _, sub = mt.partition("/")
        ranges.append((main, sub, q))
    best: tuple[float, int] | None = None
    choice = None
    for i, (key, mt) in enumerate(offers):
        main, _, sub = mt.partition("/")
        spec, q = -1, 0.0
        for rm, rs, rq in ranges:
            s = 2 if (rm, rs) == (main, sub) else 1 if (rm == main and rs == "*") else (
                0 if (rm, rs) == ("*", "*") else -1)
            if s > spec:
                spec, q = s, rq
        if spec >= 0 and q > 0 and (best is None or q > best[0]):
            best, choice = (q, i), key
    return choice


# --- SPARQL result writers (run in the workers) ----------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _json_term(t: Any) -> dict[str, Any]:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject),
                                       "predicate": _json_term(t.predicate),
                                       "object": _json_term(t.object)}}


def _xml_term(t: Any) -> str:
    import pyoxigraph as ox

    def esc(s: str) -> str:
        return xml_escape(_XML_BAD.sub("\ufffd", s))

    if isinstance(t, ox.NamedNode):
        return f"<uri>{esc(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{esc(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{esc(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{esc(t.value)}</literal>"
        return f"<literal>{esc(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>"
            f"{_xml_term(t.predicate)}</predicate><object>{_xml_term(t.object)}</object>"
            "</triple>")


def _csv_field(t: Any) -> str:
    import pyoxigraph as ox

    if t is None:
        return ""
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        v = t.value
    elif isinstance(t, ox.BlankNode):
        v = "_:" + t.value
    else:
        v = str(t)
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def write_solutions(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    """SELECT results in the SPARQL 1.1 JSON, XML, CSV or TSV result format."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(variables, row, strict=True) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_field(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown result format {fmt!r}")


def write_triples(triples: list[Any], fmt: str) -> bytes:
    """CONSTRUCT/DESCRIBE triples as Turtle, N-Triples, JSON-LD (compacted) or RDF/XML."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    # ``id:`` would turn entity IRIs into escaped local names (id:entity\/…): keep them whole.
    prefixes = {k: v for k, v in PREFIX_MAP.items() if k != "id"}
    triples = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "jsonld":
        from .export import jsonld_text

        return jsonld_text(triples, PREFIX_MAP).encode("utf-8")
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML}
    if fmt not in formats:
        raise ValueError(f"unknown RDF format {fmt!r}")
    use = prefixes if fmt != "ntriples" else None
    return ox.serialize(triples, format=formats[fmt], prefixes=use)


def _not_acceptable(kind: str, offers: Iterable[tuple[str, str]]) -> Reply:
    types = ", ".join(dict.fromkeys(mt for _, mt in offers))
    return text_reply(406, f"cannot return {kind} results in the requested format; "
                           f"available: {types}")


def fit_rows(rows: list[Any], render: Callable[[list[Any]], bytes], max_bytes: int,
             size: Callable[[Any], int]) -> tuple[bytes, int] | None:
    """The rendering of the longest head of ``rows`` that fits in ``max_bytes`` and its
    length (``size`` estimates a row's share first, so an oversized result is never rendered
    whole); ``None`` if not even an empty result fits."""
    n, total = 0, 0
    for row in rows:
        total += size(row)
        if total > max_bytes:
            break
        n += 1
    while True:
        body = render(rows[:n])
        if len(body) <= max_bytes:
            return body, n
        if n == 0:
            return None
        n = min(n - 1, n * max_bytes // len(body))


def _term_size(t: Any) -> int:
    return 0 if t is None else len(str(t))


def _truncation(returned: int, available: int, by_bytes: bool) -> tuple[tuple[str, str], ...]:
    if returned >= available:
        return ()
    return (("X-KG-Truncated", str(returned)),
            ("X-KG-Truncated-Reason", "bytes" if by_bytes else "rows"))


def _too_large(max_bytes: int) -> Reply:
    return text_reply(503, f"result too large: even a cut answer exceeds the limit of "
                           f"{max_bytes} bytes")


def _checked(job: QueryJob) -> dict[str, Any] | Reply:
    """The dataset options of ``job`` for ``Store.query``, or the reply that refuses it."""
    try:
        scan = check_query(job.text) if job.guard else scan_query(job.text)
    except QueryRefused as exc:
        return text_reply(exc.status, exc.message)
    try:
        return dataset_options(scan, job.default_graphs, job.named_graphs)
    except ValueError as exc:
        return text_reply(400, f"bad graph IRI: {exc}")


def run_query_job(store: Any, job: QueryJob) -> Reply:
    """Check and run one query on ``store`` and serialise the (row- and byte-limited) answer."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    options = _checked(job)
    if isinstance(options, Reply):
        return options
    try:
        res = store.query(job.text, prefixes=PREFIX_MAP, **options)
    except SyntaxError as exc:
        return text_reply(400, f"malformed SPARQL query: {exc}")
    except (OSError, ValueError, TypeError) as exc:
        return text_reply(400, f"query failed: {exc}")
    try:
        if isinstance(res, ox.QueryBoolean):
            if job.result_format is None:
                return _not_acceptable("ASK", RESULT_TYPES)
            fmts = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
            body = res.serialize(format=fmts[job.result_format])
            return Reply(200, CONTENT_TYPES[job.result_format], body)
        limited = list(itertools.islice(res, job.max_rows + 1))
        if isinstance(res, ox.QuerySolutions):
            return _solutions_reply(job, [v.value for v in res.variables], limited)
        return _triples_reply(job, limited)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return text_reply(400, f"query failed: {exc}")


def _solutions_reply(job: QueryJob, names: list[str], solutions: list[Any]) -> Reply:
    fmt = job.result_format
    if fmt is None:
        return _not_acceptable("SELECT", RESULT_TYPES)
    rows = [[sol[n] for n in names] for sol in solutions[: job.max_rows]]
    fitted = fit_rows(rows, lambda r: write_solutions(names, r, fmt), job.max_bytes,
                      lambda row: sum(_term_size(t) for t in row) + 1)
    if fitted is None:
        return _too_large(job.max_bytes)
    body, n = fitted
    headers = _truncation(n, len(solutions), by_bytes=n < len(rows))
    return Reply(200, CONTENT_TYPES[fmt], body, headers)


def _triples_reply(job: QueryJob, triples: list[Any]) -> Reply:
    fmt = job.rdf_format
    if fmt is None:
        return _not_acceptable("CONSTRUCT/DESCRIBE", RDF_TYPES)
    kept = triples[: job.max_rows]

    def render(part: list[Any]) -> bytes:
        body = write_triples(part, fmt)
        if len(part) < len(triples) and fmt in ("turtle", "ntriples"):
            note = f"# cut at {len(part)} triples: the limits of this server\n"
            body = note.encode() + body
        return body

    fitted = fit_rows(kept, render, job.max_bytes, lambda t: len(str(t)) + 1)
    if fitted is None:
        return _too_large(job.max_bytes)
    body, n = fitted
    return Reply(200, CONTENT_TYPES[fmt], body, _truncation(n, len(triples), n < len(kept)))


# --- entity pages ----------------------------------------------------------------------------


@dataclass
class EntityData:
    """What an entity page shows: each list holds at most ``max_rows`` items (the first in
    page order); ``totals`` says how many there were in the graph."""

    iri: str
    label: str
    types: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    properties: list[tuple[str, str, bool]] = field(default_factory=list)  # p, value, is IRI
    outgoing: list[dict[str, str]] = field(default_factory=list)
    incoming: list[dict[str, str]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


_ENTITY_LABEL = "SELECT ?e ?o WHERE { ?e rdfs:label ?o } LIMIT 1"
_ENTITY_VALUES = "SELECT DISTINCT ?e ?o WHERE {{ ?e {p} ?o }}"
_ENTITY_FACTS = "SELECT DISTINCT ?e ?p ?o WHERE { ?e ?p ?o }"
_ENTITY_REL = """
SELECT DISTINCT ?e ?p ?other ?otherLabel ?evidence ?article ?title ?date WHERE {{
  ?a a kg:Assertion ; rdf:{me} ?e ; rdf:{them} ?other ; rdf:predicate ?p ;
     kg:evidence ?evidence ; kg:assertedIn ?article .
  OPTIONAL {{ ?article dcterms:title ?title }}
  OPTIONAL {{ ?article schema:datePublished ?date }}
  OPTIONAL {{ ?other rdfs:label ?otherLabel }}
}}
"""
#: An entity's description in RDF, most telling first: its statements, those about it, and
#: the assertions (evidence, article, offsets) it is the subject or object of.
_ENTITY_GRAPHS = (
    "CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o }",
    "CONSTRUCT { ?s ?q ?e } WHERE { ?s ?q ?e }",
    "CONSTRUCT { ?a ?ap ?ao } WHERE { ?a rdf:subject|rdf:object ?e ; ?ap ?ao }",
)
_REL_FIELDS = ("predicate", "other", "other_is_iri", "other_label", "evidence", "article",
               "title", "date")


def _value_str(t: Any) -> str:
    if t is None:
        return ""
    value = getattr(t, "value", None)
    return value if isinstance(value, str) else str(t)


def smallest(items: Iterable[Any], n: int, key: Callable[[Any], Any]) -> tuple[list[Any], int]:
    """The ``n`` smallest of ``items`` by ``key``, sorted, and how many items there were
    (memory for ``n`` items, however many come)."""
    total = 0

    def counted() -> Iterable[Any]:
        nonlocal total
        for item in items:
            total += 1
            yield item

    return heapq.nsmallest(n, counted(), key=key), total


def first_distinct(items: Iterable[Any], n: int) -> list[Any]:
    """The first ``n`` distinct items, in order (reads no further)."""
    seen: dict[Any, None] = {}
    for item in items:
        seen.setdefault(item)
        if len(seen) >= n:
            break
    return list(seen)


def _relation_row(sol: Any) -> tuple[str, ...]:
    import pyoxigraph as ox

    other = sol["other"]
    return (_value_str(sol["p"]), _value_str(other), "1" if isinstance(other, ox.NamedNode)
            else "", _value_str(sol["otherLabel"]), _value_str(sol["evidence"]),
            _value_str(sol["article"]), _value_str(sol["title"]), _value_str(sol["date"]))


def entity_data(store: Any, node: Any, max_rows: int = 10_000) -> EntityData:
    """The facts about one entity IRI, at most ``max_rows`` per list (queries use bound
    variables, never string splicing)."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    subst = {ox.Variable("e"): node}

    def q(text: str) -> Any:
        return store.query(text, prefixes=PREFIX_MAP, use_default_graph_as_union=True,
                           substitutions=subst)

    label = next(iter(q(_ENTITY_LABEL)), None)
    data = EntityData(iri=node.value, label=label["o"].value if label else "")
    for name, prop in (("types", "rdf:type"), ("aliases", "skos:altLabel")):
        values = (sol["o"].value for sol in q(_ENTITY_VALUES.format(p=prop)))
        kept, data.totals[name] = smallest(values, max_rows, key=lambda v: v)
        setattr(data, name, kept)
    facts = ((sol["p"].value, _value_str(sol["o"]), isinstance(sol["o"], ox.NamedNode))
             for sol in q(_ENTITY_FACTS))
    data.properties, data.totals["properties"] = smallest(facts, max_rows, key=lambda r: r)
    for me, them, name in (("subject", "object", "outgoing"), ("object", "subject", "incoming")):
        rows = (_relation_row(sol) for sol in q(_ENTITY_REL.format(me=me, them=them)))
        # by date, relation, other side, article, evidence
        kept, data.totals[name] = smallest(rows, max_rows,
                                           key=lambda r: (r[7], r[0], r[1], r[5], r[4], r))
        setattr(data, name, [dict(zip(_REL_FIELDS, r)) for r in kept])
    if not data.label:
        data.label = node.value.rsplit("/", 1)[-1]
    return data


def entity_path(iri: str) -> str | None:
    """The server path of an entity IRI (``/entity/…``, non-ASCII percent-encoded), or ``None``.

    Examples
    --------
    >>> entity_path("https://w3id.org/pinghu-kg/id/entity/Place/平湖")
    '/entity/Place/%E5%B9%B3%E6%B9%96'
    """
    if not iri.startswith(ENTITY_BASE):
        return None
    segments = iri[len(ENTITY_BASE):].split("/")
    # "." and ".." would be removed by the browser: their dots travel percent-encoded
    return "/entity/" + "/".join(
        s.replace(".", "%2E") if s in (".", "..") else quote(s, safe="%-._~!$&'()*+,;=:@")
        for s in segments)


def entity_candidates(tail: str) -> tuple[str, ...]:
    """The entity IRIs a path ``/entity/<tail>`` may name: the IRI as :func:`entity_path`
    links it (percent-encoding kept), and the name typed by hand — decoded, then minted
    again with :func:`kg.rdf.slug` (``Type/any name``) or taken as it is. Empty for paths a
    browser would have normalised (empty, ``.`` or ``..`` segments)."""
    from .rdf import slug

    if not tail or any(s in ("", ".", "..") for s in tail.split("/")):
        return ()
    out = [tail]
    try:
        decoded = unquote(tail, errors="strict")
    except UnicodeDecodeError:
        decoded = ""
    typ, _, name = decoded.partition("/")
    if name:
        out.append(f"{typ}/{slug(name)}")
        out.append(decoded)
    return tuple(ENTITY_BASE + c for c in dict.fromkeys(out))


def _short(iri: str) -> str:
    from .store import PREFIX_MAP

    for prefix, ns in sorted(PREFIX_MAP.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


_STYLE = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code,textarea,pre{font-family:ui-monospace,Consolas,monospace}
.muted{color:#666;font-size:.9rem}.err{color:#a00;white-space:pre-wrap}
textarea{width:100%;box-sizing:border-box;font-size:.9rem}
.editor{position:relative}
.editor #layer,.editor textarea{margin:0;padding:.5rem;border:1px solid #bbb;font-size:.9rem;
line-height:1.4;white-space:pre-wrap;overflow-wrap:break-word;box-sizing:border-box;width:100%;
font-family:ui-monospace,Consolas,monospace;tab-size:2}
.editor #layer{position:absolute;inset:0;overflow:hidden;pointer-events:none;color:#222;
background:#fff}
.editor textarea{position:relative;background:transparent;color:transparent;caret-color:#000;
resize:vertical}
.tok-k{color:#7a1fa2;font-weight:600}.tok-v{color:#0b5394}.tok-i{color:#2e7d32}
.tok-p{color:#00695c}.tok-s{color:#b45309}.tok-c{color:#888;font-style:italic}
button.prefix{font-size:.8rem;margin:0 .15rem;padding:.05rem .35rem}
"""


def _link(value: str, label: str | None = None) -> str:
    path = entity_path(value)
    text = html.escape(label or value)
    if path is None:
        return text
    return f'<a href="{html.escape(path, quote=True)}">{text}</a>'


def _cut_note(shown: int, total: int) -> str:
    if shown >= total:
        return ""
    return f'<p class="muted">cut at {shown} rows (of {total}): the limits of this server</p>'


def render_entity_html(data: EntityData, limit: int | None = None) -> str:
    """An entity page, at most ``limit`` rows per table; every value from the graph is
    HTML-escaped."""
    e = html.escape
    types = ", ".join(e(_short(t)) for t in data.types[:limit]) or "—"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{e(data.label)}</title><style>{_STYLE}</style></head><body>",
        '<p class="muted"><a href="/">SPARQL query page</a></p>',
        f"<h1>{e(data.label)}</h1>",
        f'<p class="muted">{types} · <code>{e(data.iri)}</code></p>',
    ]
    aliases = data.aliases[:limit]
    if aliases:
        parts.append(f"<p>Aliases: {e('、'.join(aliases))}</p>")
        parts.append(_cut_note(len(aliases), data.totals.get("aliases", len(aliases))))

    def rel_table(title: str, name: str, other_head: str) -> None:
        rows: list[dict[str, str]] = getattr(data, name)[:limit]
        total = data.totals.get(name, len(rows))
        parts.append(f"<h2>{e(title)} ({total})</h2>")
        if not rows:
            parts.append('<p class="muted">none</p>')
            return
        parts.append(_cut_note(len(rows), total))
        parts.append(f"<table><tr><th>relation</th><th>{e(other_head)}</th><th>evidence</th>"
                     "<th>article</th><th>date</th></tr>")
        for r in rows:
            other = (_link(r["other"], r["other_label"] or None) if r["other_is_iri"]
                     else e(r["other"]))
            parts.append(
                f"<tr><td>{e(_short(r['predicate']))}</td><td>{other}</td>"
                f"<td>{e(r['evidence'])}</td><td>{e(r['title'] or r['article'])}</td>"
                f"<td>{e(r['date'])}</td></tr>"
            )
        parts.append("</table>")

    rel_table("Relations", "outgoing", "object")
    rel_table("Mentioned as object", "incoming", "subject")
    props = data.properties[:limit]
    total = data.totals.get("properties", len(props))
    parts.append(f"<h2>All statements ({total})</h2>{_cut_note(len(props), total)}<table>"
                 "<tr><th>property</th><th>value</th></tr>")
    for p, v, is_iri in props:
        val = _link(v, _short(v)) if is_iri else e(v)
        parts.append(f"<tr><td>{e(_short(p))}</td><td>{val}</td></tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(p for p in parts if p)


def _entity_node(store: Any, candidates: Iterable[str]) -> Any:
    """The first candidate IRI that is the subject of a statement, else ``None``."""
    import pyoxigraph as ox

    for cand in candidates:
        if not cand.startswith(ENTITY_BASE):
            continue
        try:
            node = ox.NamedNode(cand)
        except ValueError:
            continue
        if next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None:
            return node
    return None


def run_entity_job(store: Any, job: EntityJob) -> Reply:
    """An entity page (HTML or RDF), at most ``max_rows`` rows per table (or triples) and
    ``max_bytes`` bytes."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    node = _entity_node(store, job.candidates)
    if node is None:
        return text_reply(404, "no such entity in the graph")
    if job.rdf_format is None:
        data = entity_data(store, node, job.max_rows)
        longest = max([len(data.outgoing), len(data.incoming), len(data.properties),
                       len(data.aliases), len(data.types)])

        def page(rows: list[int]) -> bytes:
            return render_entity_html(data, len(rows)).encode("utf-8")

        fitted = fit_rows(list(range(longest)), page, job.max_bytes, lambda _: 0)
        if fitted is None:
            return _too_large(job.max_bytes)
        return Reply(200, "text/html; charset=utf-8", fitted[0])
    found = itertools.chain.from_iterable(
        store.query(q, prefixes=PREFIX_MAP, use_default_graph_as_union=True,
                    substitutions={ox.Variable("e"): node}) for q in _ENTITY_GRAPHS)
    triples = first_distinct(found, job.max_rows + 1)
    return _triples_reply(QueryJob(text="", result_format=None, rdf_format=job.rdf_format,
                                   max_rows=job.max_rows, max_bytes=job.max_bytes), triples)


# --- worker processes ------------------------------------------------------------------------


def address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), else ``None``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def limit_memory(budget: int) -> str | None:
    """Let this process grow its address space by ``budget`` bytes at most (``RLIMIT_AS``;
    beyond it allocations fail: ``MemoryError`` in Python, an abort in Oxigraph). Returns why
    no limit could be set, or ``None``."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return "no memory limit: no resource limits on this system"
    size = address_space()
    if size is None:
        return "no memory limit: cannot read this process's address space size"
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError) as exc:
        return f"no memory limit: {exc}"
    return None


def memory_message(budget: int) -> str:
    return (f"query cancelled: it exceeded the memory limit of {budget / 2**20:g} MiB "
            "per query worker")


def _worker_setup(store_path: str, max_memory: int) -> tuple[Any, list[str]]:
    """Sandbox this worker, open the store, then cap its memory: the store and what the
    worker could not do (warnings for the server's log)."""
    from .store import open_store

    notes = []
    why = deny_network()
    if why:
        notes.append(f"query workers can open network sockets ({why}); SERVICE is still "
                     "refused by the query check")
    store = open_store(Path(store_path))
    why = limit_memory(max_memory) if max_memory > 0 else None
    if why:
        notes.append(why)
    return store, notes


def _run_job(store: Any, job: QueryJob | EntityJob, max_memory: int) -> Reply:
    try:
        if isinstance(job, QueryJob):
            return run_query_job(store, job)
        return run_entity_job(store, job)
    except MemoryError:
        return replace(text_reply(503, memory_message(max_memory)), retire=True)
    except Exception as exc:  # noqa: BLE001 - report to the client, keep serving
        return text_reply(500, f"internal error: {type(exc).__name__}: {exc}")


def _worker_main(store_path: str, conn: Any, max_memory: int) -> None:  # pragma: no cover
    from .store import StoreError

    try:
        store, notes = _worker_setup(store_path, max_memory)
    except StoreError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", "\n".join(notes)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        reply = _run_job(store, job, max_memory)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply.retire:
            return


def _worker_entry(fd: int, store_path: str, max_memory: str = "0") -> None:  # pragma: no cover
    """Entry point of a worker process started by :class:`_Worker`."""
    from multiprocessing.connection import Connection

    _worker_main(store_path, Connection(fd), int(max_memory))


_WORKER_CODE = (
    "import sys; from kg.server import _worker_entry; "
    "_worker_entry(int(sys.argv[1]), sys.argv[2], sys.argv[3])"
)


class _Worker:
    """A child Python process (``python -c``, so the caller's ``__main__`` is never re-run)
    talking over a socket pair."""

    def __init__(self, store: Path, max_memory: int) -> None:
        parent, child = socket.socketpair()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child.fileno()), str(store),
                 str(max_memory)],
                stdin=subprocess.DEVNULL, pass_fds=(child.fileno(),), env=env,
                close_fds=True,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.notes = ""

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise ServerError(f"query worker did not start within {timeout:g} s")
        try:
            kind, msg = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise ServerError(f"query worker failed to start: {exc}") from None
        if kind != "ready":
            self.kill()
            raise ServerError(msg)
        self.notes = msg

    def exit_status(self, timeout: float = 2.0) -> int | None:
        """The worker's return code once it has ended (negative: killed by that signal)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the store open read-only and run one job at a time.

    ``max_memory``: bytes each worker may add to its address space after opening the store
    (0: no limit). ``notes``: what the workers could not set up (no sandbox, no memory limit).
    """

    def __init__(self, store: Path, size: int = 2, start_timeout: float = 60.0,
                 max_memory: int = 0) -> None:
        self.store = Path(store)
        self.size = max(1, size)
        self.start_timeout = start_timeout
        self.max_memory = max_memory
        self.notes: list[str] = []
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        workers = [self._new() for _ in range(self.size)]
        try:
            for w in workers:
                w.wait_ready(self.start_timeout)
        except ServerError:
            self.close()
            raise
        self.notes = list(dict.fromkeys(n for w in workers for n in w.notes.splitlines()))
        for w in workers:
            self._idle.put(w)

    @property
    def alive(self) -> int:
        """How many worker processes run now."""
        with self._lock:
            return sum(1 for w in self._all if w.proc.poll() is None)

    def _new(self) -> _Worker:
        w = _Worker(self.store, self.max_memory)
        with self._lock:
            self._all.add(w)
        return w

    def _discard(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def _replace(self) -> None:
        if self._closed:
            return
        w = self._new()
        try:
            w.wait_ready(self.start_timeout)
        except ServerError:
            self._discard(w)
            return
        if self._closed:
            self._discard(w)
        else:
            self._idle.put(w)

    def _lost(self, w: _Worker) -> Reply:
        """The answer when ``w`` died during a job: killed by SIGABRT (Oxigraph aborts when an
        allocation fails) or SIGKILL (the kernel's OOM killer), it ran out of memory."""
        code = w.exit_status()
        if code in (-signal.SIGABRT, -signal.SIGKILL):
            return text_reply(503, memory_message(self.max_memory))
        return text_reply(500, "the query worker crashed")

    def run(self, job: QueryJob | EntityJob, timeout: float) -> Reply:
        """Run ``job``; after ``timeout`` seconds (waiting included) the worker is killed."""
        deadline = time.monotonic() + timeout
        limit_msg = f"query cancelled: it exceeded the time limit of {timeout:g} s"
        try:
            w = self._idle.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return text_reply(503, "server busy: every query worker stayed occupied for the "
                                   f"whole time limit of {timeout:g} s; retry later",
                              (("Retry-After", "5"),))
        try:
            w.conn.send(job)
            ready = w.conn.poll(max(0.0, deadline - time.monotonic()))
            reply = w.conn.recv() if ready else text_reply(503, limit_msg)
        except (EOFError, OSError):
            reply, ready = self._lost(w), False
        if ready and not reply.retire:
            self._idle.put(w)
            return reply
        self._discard(w)
        threading.Thread(target=self._replace, daemon=True).start()
        return replace(reply, retire=False)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
            try:
                w.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            w.kill()


# --- HTTP ------------------------------------------------------------------------------------


def _host_name(value: str) -> str | None:
    """The host of a ``Host`` header value, lower-case, without port or IPv6 brackets;
    ``None`` if it is malformed.

    >>> _host_name("[::1]:7878"), _host_name("LocalHost"), _host_name("a:b")
    ('::1', 'localhost', None)
    """
    v = value.strip().lower()
    if v.startswith("["):
        name, close, rest = v[1:].partition("]")
        if not close or ":" not in name:
            return None
    else:
        name, colon, port = v.partition(":")
        rest = colon + port
    if rest and not (rest[0] == ":" and rest[1:].isdigit() and len(rest) <= 6):
        return None
    return name or None


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_allowed(value: str, bound: str, allowed: Iterable[str] = ()) -> bool:
    """Whether a request's ``Host`` header may reach a server bound to ``bound``.

    Bound to loopback: only ``127.0.0.1``, ``localhost``, ``[::1]`` and the bound address;
    bound to all addresses (``0.0.0.0``, ``::``): those and any IP address; bound to another
    address: that address. Names in ``allowed`` are accepted too; any port. A DNS-rebinding
    page sends its own host name, which is none of these.

    >>> host_allowed("localhost:7878", "127.0.0.1"), host_allowed("evil.example", "127.0.0.1")
    (True, False)
    """
    name = _host_name(value)
    if name is None:
        return False
    if name in {a.strip().lower().strip("[]") for a in allowed}:
        return True
    bound = bound.strip().lower().strip("[]")
    bound_ip, ip = _ip(bound), _ip(name)
    if name == bound or (ip is not None and ip == bound_ip):
        return True
    if bound == "localhost" or (bound_ip is not None and bound_ip.is_loopback):
        return name in LOOPBACK_HOSTS
    if bound_ip is not None and bound_ip.is_unspecified:
        return name in LOOPBACK_HOSTS or ip is not None
    return False


class _DeadlineReader(io.RawIOBase):
    """A socket's reading side that fails with ``TimeoutError`` once ``deadline`` (a
    ``time.monotonic()`` value) has passed, however slowly the bytes trickle in."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the client did not send its request in time")
            self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class KGServer(ThreadingHTTPServer):
    """The HTTP server; ``pool`` runs the queries, ``config`` holds the limits. Beyond
    ``config.max_connections`` connections at once, a new one gets a short 503 and is closed."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, config: ServerConfig, pool: WorkerPool) -> None:
        self.config = config
        self.pool = pool
        self._slots = threading.BoundedSemaphore(max(1, config.max_connections))
        super().__init__((config.host, config.port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        body = b"server busy: too many connections; retry later\n"
        head = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8"
                b"\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n")
        try:
            request.settimeout(1.0)
            request.sendall(head + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


class _Problem(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class Handler(BaseHTTPRequestHandler):
    server: KGServer
    server_version = "kg-sparql/0.1"
    protocol_version = "HTTP/1.1"

    # -- plumbing --
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log = self.server.config.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain socket file: reads go through the deadline instead
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def _read_within(self, seconds: float) -> None:
        """From now on the client has ``seconds`` to send what is read next."""
        self._reader.deadline = time.monotonic() + seconds

    def handle_one_request(self) -> None:
        # the request line and the headers (or the wait for the next request) are timed
        self._read_within(self.server.config.client_timeout)
        super().handle_one_request()

    def _write(self, data: bytes) -> None:
        """Send ``data`` within the client timeout plus a second per 64 KiB."""
        deadline = time.monotonic() + self.server.config.client_timeout + len(data) / 65536
        view = memoryview(data)
        for i in range(0, len(data), 65536):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the client did not read the answer in time")
            self.connection.settimeout(left)
            self.wfile.write(view[i:i + 65536])

    def _send(self, reply: Reply, head_only: bool = False) -> None:
        self.connection.settimeout(self.server.config.client_timeout)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Vary", "Accept")
        self.send_header("Cache-Control", "no-store")
        if reply.content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; "
                             "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'")
        if self.path.split("?", 1)[0] in SPARQL_PATHS:
            for k, v in CORS_HEADERS:  # a SPARQL editor on another origin may query it
                self.send_header(k, v)
        for k, v in reply.headers:
            self.send_header(k, v)
        if reply.status in (408, 421):
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head_only:
            self._write(reply.body)

    def _params(self, qs: str) -> dict[str, list[str]]:
        try:
            return parse_qs(qs, keep_blank_values=True, errors="strict", max_num_fields=200)
        except (UnicodeDecodeError, ValueError) as exc:
            raise _Problem(text_reply(400, f"bad request parameters: {exc}")) from None

    def _read_body(self) -> bytes:
        limit = self.server.config.max_request_bytes
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise _Problem(text_reply(411, "send the body with a Content-Length"))
        raw = self.headers.get("Content-Length")
        if raw is None:
            self.close_connection = True
            raise _Problem(text_reply(411, "POST needs a Content-Length header"))
        try:
            n = int(raw)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise _Problem(text_reply(400, "bad Content-Length")) from None
        self._read_within(self.server.config.client_timeout)
        try:
            if n > limit:
                self.close_connection = True
                if n <= 16 * limit:  # drain it so that the client reads our answer, not a reset
                    self.rfile.read(n)
                raise _Problem(text_reply(413, f"request too large: {n} bytes; the limit is "
                                               f"{limit} bytes"))
            body = self.rfile.read(n)
        except TimeoutError:
            self.close_connection = True
            raise _Problem(text_reply(408, "request body not received within "
                                           f"{self.server.config.client_timeout:g} s")) from None
        if len(body) < n:
            self.close_connection = True
            raise _Problem(text_reply(400, "request body shorter than its Content-Length"))
        return body

    # -- routes --
    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _not_allowed(self) -> None:
        self._send(text_reply(405, "this endpoint is read-only; use GET or POST",
                              (("Allow", "GET, HEAD, POST"),)))

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815

    def do_OPTIONS(self) -> None:  # noqa: N802 - a CORS preflight
        try:
            self._check_host()
            reply = (Reply(204, "text/plain; charset=utf-8", b"",
                           (("Allow", "GET, HEAD, POST, OPTIONS"),))
                     if self.path.split("?", 1)[0] in SPARQL_PATHS
                     else text_reply(404, "not found; the SPARQL endpoint is /sparql"))
        except _Problem as p:
            reply = p.reply
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _handle(self, method: str) -> None:
        try:
            reply = self._route(method)
        except _Problem as p:
            reply = p.reply
        except Exception as exc:  # noqa: BLE001 - never drop a request without an answer
            reply = text_reply(500, f"internal error: {type(exc).__name__}")
            self.log_error("internal error: %r", exc)
        try:
            self._send(reply, head_only=(method == "HEAD"))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _check_host(self) -> None:
        """421 unless the ``Host`` header names this server (see :func:`host_allowed`)."""
        hosts = self.headers.get_all("Host") or []
        if not hosts and self.request_version == "HTTP/1.0":
            return  # no Host: not a browser, so not DNS rebinding
        if len(hosts) != 1:
            raise _Problem(text_reply(400, "give exactly one Host header"))
        config = self.server.config
        bound = str(self.server.server_address[0])  # the address a host name resolved to
        if not host_allowed(hosts[0], config.host, (*config.allowed_hosts, bound)):
            raise _Problem(text_reply(
                421, f"this server does not answer to the host {hosts[0]!r} (it is bound to "
                     f"{config.host}); use its address, or start it with --allow-host NAME"))

    def _route(self, method: str) -> Reply:
        self._check_host()
        url = urlsplit(self.path)
        raw_path = url.path
        if len(url.query.encode()) > self.server.config.max_request_bytes:
            raise _Problem(text_reply(413, "query string too large; the limit is "
                                           f"{self.server.config.max_request_bytes} bytes"))
        if raw_path in SPARQL_PATHS:
            return self._sparql(method, url.query)
        if method == "POST":
            self._read_body()
            raise _Problem(text_reply(405, "POST only to /sparql", (("Allow", "GET, HEAD"),)))
        if raw_path in ("/", "/index.html"):
            return Reply(200, "text/html; charset=utf-8", query_page().encode("utf-8"))
        if raw_path.startswith("/entity/"):
            return self._entity(raw_path[len("/entity/"):], url.query)
        return text_reply(404, "not found; the SPARQL endpoint is /sparql, the query page /")

    def _sparql(self, method: str, qs: str) -> Reply:
        params = self._params(qs)
        if method == "POST":
            body = self._read_body()
            ctype = self.headers.get_content_type()
            charset = self.headers.get_content_charset() or "utf-8"
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = self._params(body.decode("ascii"))
                except UnicodeDecodeError:
                    raise _Problem(text_reply(400, "form body is not URL-encoded")) from None
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                try:
                    params.setdefault("query", []).append(body.decode(charset))
                except (UnicodeDecodeError, LookupError):
                    raise _Problem(text_reply(400, f"query body is not {charset}")) from None
            elif ctype == "application/sparql-update":
                return text_reply(403, "this endpoint is read-only: SPARQL Update is refused")
            else:
                return text_reply(415, "POST a query as application/x-www-form-urlencoded "
                                       "(query=…) or application/sparql-query")
        if "update" in params:
            return text_reply(403, "this endpoint is read-only: SPARQL Update is refused")
        queries = params.get("query", [])
        if not queries:
            if method in ("GET", "HEAD"):
                return Reply(200, "text/html; charset=utf-8", query_page().encode("utf-8"))
            return text_reply(400, "missing the query parameter")
        if len(queries) > 1:
            return text_reply(400, "give exactly one query parameter")
        # the query is checked in the worker (kg.sparql_guard), within the time limit
        result_fmt, rdf_fmt = self._formats(params)
        job = QueryJob(text=queries[0], result_format=result_fmt, rdf_format=rdf_fmt,
                       max_rows=self.server.config.max_rows,
                       default_graphs=tuple(params.get("default-graph-uri", [])),
                       named_graphs=tuple(params.get("named-graph-uri", [])),
                       max_bytes=self.server.config.max_result_bytes)
        return self.server.pool.run(job, self.server.config.timeout)

    def _formats(self, params: dict[str, list[str]]) -> tuple[str | None, str | None]:
        wanted = (params.get("format") or params.get("output") or [""])[0].strip().lower()
        if wanted:
            if wanted not in FORMAT_PARAM:
                names = ", ".join(sorted(k for k in FORMAT_PARAM if "/" not in k))
                raise _Problem(text_reply(400, f"unknown format {wanted!r}; use one of {names} "
                                               "or a media type"))
            return FORMAT_PARAM[wanted]
        accept = self.headers.get("Accept")
        return negotiate(accept, RESULT_TYPES), negotiate(accept, RDF_TYPES)

    def _entity(self, tail: str, qs: str) -> Reply:
        candidates = entity_candidates(tail)
        if not candidates:
            return text_reply(404, "no such entity in the graph")
        params = self._params(qs)
        wanted = (params.get("format") or [""])[0].strip().lower()
        if wanted in ("html", ""):
            accept = self.headers.get("Accept")
            offers = (("html", "text/html"),) + RDF_TYPES
            choice = "html" if wanted == "html" else negotiate(accept, offers)
            if choice is None:
                return _not_acceptable("entity", offers)
        else:
            choice = FORMAT_PARAM.get(wanted, (None, None))[1]
            if choice is None:
                return text_reply(400, f"unknown format {wanted!r} for an entity page")
        config = self.server.config
        job = EntityJob(candidates=candidates, rdf_format=None if choice == "html" else choice,
                        max_rows=config.max_rows, max_bytes=config.max_result_bytes)
        return self.server.pool.run(job, config.timeout)


def make_server(config: ServerConfig) -> KGServer:
    """Start the worker pool and bind the HTTP server (call ``serve_forever`` to run it)."""
    from .store import open_store

    open_store(Path(config.store))  # StoreError early, with the usual message
    pool = WorkerPool(config.store, size=config.workers, max_memory=config.max_memory)
    pool.start()
    warn = config.warn or logging.getLogger(__name__).warning
    for note in pool.notes:
        warn(note)
    try:
        return KGServer(config, pool)
    except BaseException:
        pool.close()
        raise


def query_page() -> str:
    """The offline query page (inline CSS and JS; results are inserted with ``textContent``):
    a SPARQL editor with highlighting, prefix buttons and the package's named queries as
    examples (:func:`editor_data`, embedded as JSON that cannot close its script element)."""
    data = json.dumps(editor_data(), ensure_ascii=False, sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (asset("query.html").replace("/*STYLE*/", _STYLE)
            .replace("/*EDITOR*/", asset("sparql-editor.js")).replace("/*DATA*/", data))


@functools.cache
def editor_data() -> dict[str, Any]:
    """The query page's examples (each named query: name, its English question, its text) and
    the prefixes the endpoint predeclares."""
    from .io import named_queries
    from .store import PREFIX_MAP

    queries = []
    for name, path in named_queries().items():
        text = path.read_text(encoding="utf-8")
        title = next((ln[len("# en:"):].strip() for ln in text.splitlines()
                      if ln.startswith("# en:")), "")
        queries.append({"name": name, "title": title, "text": text})
    return {"prefixes": dict(sorted(PREFIX_MAP.items())), "queries": queries}



