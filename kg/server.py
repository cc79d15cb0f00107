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

Limits: SPARQL Update and ``SERVICE`` are refused (403); a request body or query string larger
than ``max_request_bytes`` gets 413; at most ``max_rows`` solutions (or triples) are returned,
and a truncated result carries the header ``X-KG-Truncated: <max_rows>``. Queries run in a pool
of worker processes (Oxigraph cannot interrupt a running query from Python): the request waits
at most ``timeout`` seconds — for a free worker and for the answer together — and then the
worker is killed and replaced, and the client gets ``503`` with the message
``query cancelled: it exceeded the time limit of S s``.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

ENTITY_BASE = "https://w3id.org/pinghu-kg/id/entity/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = RDF + "langString"

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

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


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
    workers: int = 2
    log: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Reply:
    """An HTTP answer built by a worker or the handler."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


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


@dataclass(frozen=True)
class EntityJob:
    candidates: tuple[str, ...]
    rdf_format: str | None  # None: HTML


# --- query text checks (no execution) --------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<string>"{3}.*?"{3}|'{3}.*?'{3}|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n]*)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>[\w.\-]*:[\w.\-:%\\]*)
    | (?P<word>[A-Za-z_]\w*)
    """,
    re.VERBOSE | re.DOTALL,
)


def keywords(sparql: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased (strings, IRIs, comments, variables and
    prefixed names are skipped).

    Examples
    --------
    >>> keywords('PREFIX s: <http://x/SERVICE> SELECT * { ?service s:SERVICE "SERVICE" }')
    ['PREFIX', 'SELECT']
    """
    return [m.group("word").upper() for m in _TOKEN.finditer(sparql) if m.group("word")]


def refusal(sparql: str) -> str | None:
    """Why a query text is refused by this read-only endpoint, or ``None``."""
    words = keywords(sparql)
    first = next((w for w in words if w not in ("PREFIX", "BASE")), "")
    if first in UPDATE_KEYWORDS:
        return "this endpoint is read-only: SPARQL Update is refused"
    if "SERVICE" in words:
        return "federated queries (SERVICE) are refused by this endpoint"
    return None


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


def run_query_job(store: Any, job: QueryJob) -> Reply:
    """Run one query on ``store`` and serialise the (row-limited) answer."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    kwargs: dict[str, Any] = {"prefixes": PREFIX_MAP}
    try:
        if job.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        return text_reply(400, f"bad graph IRI: {exc}")
    try:
        res = store.query(job.text, **kwargs)
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
        truncated = len(limited) > job.max_rows
        limited = limited[: job.max_rows]
        headers = (("X-KG-Truncated", str(job.max_rows)),) if truncated else ()
        if isinstance(res, ox.QuerySolutions):
            if job.result_format is None:
                return _not_acceptable("SELECT", RESULT_TYPES)
            names = [v.value for v in res.variables]
            rows = [[sol[n] for n in names] for sol in limited]
            body = write_solutions(names, rows, job.result_format)
            return Reply(200, CONTENT_TYPES[job.result_format], body, headers)
        if job.rdf_format is None:
            return _not_acceptable("CONSTRUCT/DESCRIBE", RDF_TYPES)
        body = write_triples(limited, job.rdf_format)
        return Reply(200, CONTENT_TYPES[job.rdf_format], body, headers)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return text_reply(400, f"query failed: {exc}")


# --- entity pages ----------------------------------------------------------------------------


@dataclass
class EntityData:
    """What an entity page shows."""

    iri: str
    label: str
    types: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    properties: list[tuple[str, str, bool]] = field(default_factory=list)  # p, value, is IRI
    outgoing: list[dict[str, str]] = field(default_factory=list)
    incoming: list[dict[str, str]] = field(default_factory=list)


_ENTITY_FACTS = "SELECT ?e ?p ?o WHERE { ?e ?p ?o }"
_ENTITY_REL = """
SELECT ?e ?p ?other ?otherLabel ?evidence ?article ?title ?date WHERE {{
  ?a a kg:Assertion ; rdf:{me} ?e ; rdf:{them} ?other ; rdf:predicate ?p ;
     kg:evidence ?evidence ; kg:assertedIn ?article .
  OPTIONAL {{ ?article dcterms:title ?title }}
  OPTIONAL {{ ?article schema:datePublished ?date }}
  OPTIONAL {{ ?other rdfs:label ?otherLabel }}
}}
"""
_ENTITY_GRAPH = """
CONSTRUCT { ?e ?p ?o . ?s ?q ?e . ?a ?ap ?ao }
WHERE { { ?e ?p ?o } UNION { ?s ?q ?e } UNION { ?a rdf:subject|rdf:object ?e ; ?ap ?ao } }
"""


def _value_str(t: Any) -> str:
    if t is None:
        return ""
    value = getattr(t, "value", None)
    return value if isinstance(value, str) else str(t)


def entity_data(store: Any, node: Any) -> EntityData:
    """The facts about one entity IRI (queries use bound variables, never string splicing)."""
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    subst = {ox.Variable("e"): node}

    def q(text: str) -> Any:
        return store.query(text, prefixes=PREFIX_MAP, use_default_graph_as_union=True,
                           substitutions=subst)

    data = EntityData(iri=node.value, label="")
    props = set()
    for sol in q(_ENTITY_FACTS):
        p, o = sol["p"].value, sol["o"]
        if p == RDFS_LABEL and not data.label:
            data.label = o.value
        elif p == RDF + "type":
            data.types.append(o.value)
        elif p == SKOS_ALT:
            data.aliases.append(o.value)
        props.add((p, _value_str(o), isinstance(o, ox.NamedNode)))
    data.types.sort()
    data.aliases.sort()
    data.properties = sorted(props)
    for me, them, target in (("subject", "object", data.outgoing),
                             ("object", "subject", data.incoming)):
        rows = set()
        for sol in q(_ENTITY_REL.format(me=me, them=them)):
            other = sol["other"]
            rows.add((
                ("predicate", _value_str(sol["p"])),
                ("other", _value_str(other)),
                ("other_is_iri", "1" if isinstance(other, ox.NamedNode) else ""),
                ("other_label", _value_str(sol["otherLabel"])),
                ("evidence", _value_str(sol["evidence"])),
                ("article", _value_str(sol["article"])),
                ("title", _value_str(sol["title"])),
                ("date", _value_str(sol["date"])),
            ))
        target.extend(dict(r) for r in sorted(rows, key=lambda r: (r[7][1], r[0][1], r[1][1],
                                                                   r[5][1], r[4][1])))
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
    return "/entity/" + quote(iri[len(ENTITY_BASE):], safe="/%-._~!$&'()*+,;=:@")


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
"""


def _link(value: str, label: str | None = None) -> str:
    path = entity_path(value)
    text = html.escape(label or value)
    if path is None:
        return text
    return f'<a href="{html.escape(path, quote=True)}">{text}</a>'


def render_entity_html(data: EntityData) -> str:
    """An entity page; every value from the graph is HTML-escaped."""
    e = html.escape
    types = ", ".join(e(_short(t)) for t in data.types) or "—"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{e(data.label)}</title><style>{_STYLE}</style></head><body>",
        '<p class="muted"><a href="/">SPARQL query page</a></p>',
        f"<h1>{e(data.label)}</h1>",
        f'<p class="muted">{types} · <code>{e(data.iri)}</code></p>',
    ]
    if data.aliases:
        parts.append(f"<p>Aliases: {e('、'.join(data.aliases))}</p>")

    def rel_table(title: str, rows: list[dict[str, str]], other_head: str) -> None:
        parts.append(f"<h2>{e(title)} ({len(rows)})</h2>")
        if not rows:
            parts.append('<p class="muted">none</p>')
            return
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

    rel_table("Relations", data.outgoing, "object")
    rel_table("Mentioned as object", data.incoming, "subject")
    parts.append(f"<h2>All statements ({len(data.properties)})</h2><table>"
                 "<tr><th>property</th><th>value</th></tr>")
    for p, v, is_iri in data.properties:
        val = _link(v, _short(v)) if is_iri else e(v)
        parts.append(f"<tr><td>{e(_short(p))}</td><td>{val}</td></tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)


def run_entity_job(store: Any, job: EntityJob) -> Reply:
    import pyoxigraph as ox

    from .store import PREFIX_MAP

    for cand in job.candidates:
        if not cand.startswith(ENTITY_BASE):
            continue
        try:
            node = ox.NamedNode(cand)
        except ValueError:
            continue
        if next(iter(store.quads_for_pattern(node, None, None, None)), None) is None:
            continue
        if job.rdf_format is None:
            page = render_entity_html(entity_data(store, node))
            return Reply(200, "text/html; charset=utf-8", page.encode("utf-8"))
        triples = list(store.query(_ENTITY_GRAPH, prefixes=PREFIX_MAP,
                                   use_default_graph_as_union=True,
                                   substitutions={ox.Variable("e"): node}))
        return Reply(200, CONTENT_TYPES[job.rdf_format], write_triples(triples, job.rdf_format))
    return text_reply(404, "no such entity in the graph")


# --- worker processes ------------------------------------------------------------------------


def _worker_main(store_path: str, conn: Any) -> None:  # pragma: no cover - child process
    from .store import StoreError, open_store

    try:
        store = open_store(Path(store_path))
    except StoreError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if isinstance(job, QueryJob):
                reply = run_query_job(store, job)
            else:
                reply = run_entity_job(store, job)
        except Exception as exc:  # noqa: BLE001 - report to the client, keep serving
            reply = text_reply(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _worker_entry(fd: int, store_path: str) -> None:  # pragma: no cover - child process
    """Entry point of a worker process started by :class:`_Worker`."""
    from multiprocessing.connection import Connection

    _worker_main(store_path, Connection(fd))


_WORKER_CODE = (
    "import sys; from kg.server import _worker_entry; "
    "_worker_entry(int(sys.argv[1]), sys.argv[2])"
)


class _Worker:
    """A child Python process (``python -c``, so the caller's ``__main__`` is never re-run)
    talking over a socket pair."""

    def __init__(self, store: Path) -> None:
        parent, child = socket.socketpair()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child.fileno()), str(store)],
                stdin=subprocess.DEVNULL, pass_fds=(child.fileno(),), env=env,
                close_fds=True,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())

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

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the store open read-only and run one job at a time."""

    def __init__(self, store: Path, size: int = 2, start_timeout: float = 60.0) -> None:
        self.store = Path(store)
        self.size = max(1, size)
        self.start_timeout = start_timeout
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
        for w in workers:
            self._idle.put(w)

    def _new(self) -> _Worker:
        w = _Worker(self.store)
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
            reply = w.conn.recv() if ready else None
        except (EOFError, OSError):
            reply, ready = text_reply(500, "the query worker crashed"), False
        if ready:
            self._idle.put(w)
            return reply
        self._discard(w)
        threading.Thread(target=self._replace, daemon=True).start()
        return reply or text_reply(503, limit_msg)

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


class KGServer(ThreadingHTTPServer):
    """The HTTP server; ``pool`` runs the queries, ``config`` holds the limits."""

    daemon_threads = True

    def __init__(self, config: ServerConfig, pool: WorkerPool) -> None:
        self.config = config
        self.pool = pool
        super().__init__((config.host, config.port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

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

    def _send(self, reply: Reply, head_only: bool = False) -> None:
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
        for k, v in reply.headers:
            self.send_header(k, v)
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)

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
        if n > limit:
            self.close_connection = True
            if n <= 16 * limit:  # drain it so that the client reads our answer, not a reset
                self.rfile.read(n)
            raise _Problem(text_reply(413, f"request too large: {n} bytes; the limit is "
                                           f"{limit} bytes"))
        return self.rfile.read(n)

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
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _route(self, method: str) -> Reply:
        url = urlsplit(self.path)
        raw_path = url.path
        if len(url.query.encode()) > self.server.config.max_request_bytes:
            raise _Problem(text_reply(413, "query string too large; the limit is "
                                           f"{self.server.config.max_request_bytes} bytes"))
        if raw_path in ("/sparql", "/query", "/sparql/"):
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
        text = queries[0]
        why = refusal(text)
        if why:
            return text_reply(403, why)
        result_fmt, rdf_fmt = self._formats(params)
        job = QueryJob(text=text, result_format=result_fmt, rdf_format=rdf_fmt,
                       max_rows=self.server.config.max_rows,
                       default_graphs=tuple(params.get("default-graph-uri", [])),
                       named_graphs=tuple(params.get("named-graph-uri", [])))
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
        segments = tail.split("/")
        if not tail or any(s in ("", ".", "..") or unquote(s) in (".", "..") for s in segments):
            return text_reply(404, "no such entity in the graph")
        try:
            decoded = unquote(tail, errors="strict") if "%" in tail else tail
        except UnicodeDecodeError:
            return text_reply(404, "no such entity in the graph")
        if any(ord(c) < 0x20 or c in '<>"{}|^`\\' for c in decoded):
            return text_reply(404, "no such entity in the graph")
        from .rdf import slug

        resluged = "/".join(slug(s) if i else s for i, s in enumerate(decoded.split("/")))
        candidates = tuple(dict.fromkeys(ENTITY_BASE + c for c in (tail, decoded, resluged)))
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
        job = EntityJob(candidates=candidates, rdf_format=None if choice == "html" else choice)
        return self.server.pool.run(job, self.server.config.timeout)


def make_server(config: ServerConfig) -> KGServer:
    """Start the worker pool and bind the HTTP server (call ``serve_forever`` to run it)."""
    from .store import open_store

    open_store(Path(config.store))  # StoreError early, with the usual message
    pool = WorkerPool(config.store, size=config.workers)
    pool.start()
    try:
        return KGServer(config, pool)
    except BaseException:
        pool.close()
        raise


def query_page() -> str:
    """The offline query page (inline CSS and JS; results are inserted with ``textContent``)."""
    return _PAGE.replace("/*STYLE*/", _STYLE)


_PAGE = r"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pinghu knowledge graph · SPARQL</title><style>/*STYLE*/</style></head><body>
<h1>平湖科创知识图谱 · SPARQL</h1>
<p class="muted">Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, read-only). Prefixes kg:,
rdf:, rdfs:, skos:, prov:, dcterms:, schema:, org:, xsd: are predeclared; the default graph is
the union of all graphs.</p>
<form id="f"><textarea id="q" rows="12" spellcheck="false">SELECT ?type (COUNT(?e) AS ?n) WHERE {
  ?e a ?type ; rdfs:label ?label .
} GROUP BY ?type ORDER BY DESC(?n)</textarea>
<p><button type="submit" id="run">Run query</button> <span id="status" class="muted"></span></p>
</form>
<div id="out"></div>
<script>
"use strict";
const ENTITY = "https://w3id.org/pinghu-kg/id/entity/";
const form = document.getElementById("f"), out = document.getElementById("out");
const statusEl = document.getElementById("status");
function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && term.value.startsWith(ENTITY)) {
    const a = document.createElement("a");
    a.href = "/entity/" + term.value.slice(ENTITY.length).split("/").map(
      s => encodeURIComponent(decodeURIComponentSafe(s))).join("/");
    a.textContent = term.value.slice(ENTITY.length);
    td.appendChild(a);
  } else {
    td.textContent = term.value + (term["xml:lang"] ? "@" + term["xml:lang"] : "");
  }
  return td;
}
function decodeURIComponentSafe(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  out.replaceChildren();
  statusEl.textContent = "running…";
  const t0 = performance.now();
  try {
    const resp = await fetch("/sparql", {method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: document.getElementById("q").value})});
    const type = resp.headers.get("Content-Type") || "";
    const ms = Math.round(performance.now() - t0);
    if (!resp.ok) {
      const p = document.createElement("p"); p.className = "err";
      p.textContent = resp.status + ": " + await resp.text();
      out.appendChild(p); statusEl.textContent = ""; return;
    }
    const cut = resp.headers.get("X-KG-Truncated");
    if (type.startsWith("application/sparql-results+json")) {
      const data = await resp.json();
      if ("boolean" in data) {
        const p = document.createElement("p"); p.textContent = String(data.boolean);
        out.appendChild(p); statusEl.textContent = ms + " ms"; return;
      }
      const vars = data.head.vars, rows = data.results.bindings;
      const table = document.createElement("table"), head = document.createElement("tr");
      for (const v of vars) { const th = document.createElement("th"); th.textContent = v;
        head.appendChild(th); }
      table.appendChild(head);
      for (const b of rows) { const tr = document.createElement("tr");
        for (const v of vars) tr.appendChild(cell(b[v])); table.appendChild(tr); }
      out.appendChild(table);
      statusEl.textContent = rows.length + " row(s), " + ms + " ms" +
        (cut ? " — cut at the limit of " + cut + " rows" : "");
    } else {
      const pre = document.createElement("pre"); pre.textContent = await resp.text();
      out.appendChild(pre); statusEl.textContent = ms + " ms" + (cut ? " — cut at " + cut : "");
    }
  } catch (e) {
    const p = document.createElement("p"); p.className = "err"; p.textContent = String(e);
    out.appendChild(p); statusEl.textContent = "";
  }
});
</script>
</body></html>
"""
