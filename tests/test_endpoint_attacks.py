"""The red team's attacks on `kg serve` and `kg query`, each replayed against a small store.

Every test is bounded in time by its own timeouts (sockets, HTTP clients, subprocesses) and
talks to loopback only. New names are imported inside the tests, so that the same file runs
(and fails test by test) against the code from before the fixes.
"""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import http.client
import io
import json
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/pinghu-kg/id/"
KG = "https://w3id.org/pinghu-kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
G1, G2, MISSING = ID + "graph/p/1", ID + "graph/p/2", ID + "graph/no-such-graph"
ENTITIES, FACTS = ID + "graph/entities", ID + "graph/p/3"
LONG, FILLER = ID + "graph/long", ID + "graph/filler"
MAX_ROWS = 20
MAX_RESULT = 64 * 1024
MAX_MEMORY = 192 * 2**20
CLIENT_TIMEOUT = 1.0
HOSTILE_NAMES = ["a/b", "<script>", 'say "hi"', "{x}", "a|b", "a^b", "back\\slash", "100%",
                 "%2F", "#1", "why?", "A B", "x/../y", ".", "..", "`tick`", "平湖/嘉兴", "~~"]
FILLERS = 15  # the hub's relations: HOSTILE_NAMES + FILLERS > MAX_ROWS
FORMULAS = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]


# --- the graph -------------------------------------------------------------------------------


def _entity(name: str, typ: str = "Enterprise") -> ox.NamedNode:
    from kg.model import Entity
    from kg.rdf import entity_iri

    return ox.NamedNode(str(entity_iri(Entity(key=name, name=name, type=typ))))


def _quads() -> list[ox.Quad]:
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: object, g: str) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, ox.NamedNode(g)))

    hub = _entity("Hub")
    names = HOSTILE_NAMES + [f"Filler {i}" for i in range(FILLERS)]
    article = ox.NamedNode(ID + "article/p/3")
    add(article, "http://purl.org/dc/terms/title", ox.Literal("=cmd|' /C calc'!A0"), FACTS)
    for i, name in enumerate(["Hub", *names]):
        e = _entity(name, "Place" if i % 3 == 2 else "Enterprise")
        add(e, RDF + "type", ox.NamedNode(KG + ("Place" if i % 3 == 2 else "Enterprise")),
            ENTITIES)
        add(e, LABEL, ox.Literal(name, language="zh"), ENTITIES)
        if e == hub:
            continue
        a = ox.NamedNode(f"{ID}assertion/{i}")
        add(hub, KG + "partnerOf", e, FACTS)
        add(a, RDF + "type", ox.NamedNode(KG + "Assertion"), FACTS)
        add(a, RDF + "subject", hub, FACTS)
        add(a, RDF + "predicate", ox.NamedNode(KG + "partnerOf"), FACTS)
        add(a, RDF + "object", e, FACTS)
        add(a, KG + "evidence", ox.Literal(f"=Hub works with {name}"), FACTS)
        add(a, KG + "assertedIn", article, FACTS)
    for graph, n in ((G1, 3), (G2, 5)):
        for i in range(n):
            add(ox.NamedNode(f"{graph}/s{i}"), KG + "n", ox.Literal(str(i)), graph)
    for i, text in enumerate(FORMULAS):
        add(ox.NamedNode(f"{ID}formula/{i}"), KG + "formula", ox.Literal(text), G1 + "/f")
    for i in range(30):
        add(ox.NamedNode(f"{ID}long/{i}"), KG + "text", ox.Literal(f"{i:03d}" + "长" * 2000),
            LONG)
    for i in range(2500):
        add(ox.NamedNode(f"{ID}filler/{i}"), KG + "n", ox.Literal(i), FILLER)
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.store import build_store

    nq = ox.serialize(_quads(), format=ox.RdfFormat.N_QUADS)
    return build_store(nq, tmp_path_factory.mktemp("attacks") / "store")


def _serve(store: Path, **limits: object) -> tuple[object, threading.Thread]:
    """A server with the limits the running code knows (the others are left out)."""
    from kg.server import ServerConfig, make_server

    known = {f.name for f in dataclasses.fields(ServerConfig)}
    config = ServerConfig(store=store, port=0, **{k: v for k, v in limits.items() if k in known})
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server: object, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[object]:
    srv, thread = _serve(store_path, timeout=12.0, max_rows=MAX_ROWS, max_request_bytes=70_000,
                         max_result_bytes=MAX_RESULT, max_memory=MAX_MEMORY,
                         client_timeout=CLIENT_TIMEOUT, workers=2)
    yield srv
    _stop(srv, thread)


@pytest.fixture(scope="module")
def endpoint(server: object) -> str:
    return server.url


# --- clients ---------------------------------------------------------------------------------


def _http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _get(base: str, query: str, timeout: float = 10.0, **params: str):
    qs = urllib.parse.urlencode({"query": query, **params})
    return _http(f"{base}/sparql?{qs}", timeout=timeout)


def _post_form(base: str, timeout: float = 10.0, **fields: str):
    return _http(f"{base}/sparql", data=urllib.parse.urlencode(fields).encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)


def _raw(base: str, path: str, host: str | None = "", timeout: float = 5.0) -> tuple[int, bytes]:
    """GET ``path`` exactly as given, with this Host header ("": the right one; None: none)."""
    url = urllib.parse.urlsplit(base)
    host_line = "" if host is None else f"Host: {host or url.netloc}\r\n"
    request = f"GET {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(request.encode("utf-8"))
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return resp.status, resp.read()


def _count(rows_json: bytes) -> int:
    return int(json.loads(rows_json)["results"]["bindings"][0]["n"]["value"])


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# --- 1. SSRF: SERVICE in every disguise ------------------------------------------------------


class _Recorder:
    """A tiny HTTP server on loopback that records every request and answers like a SPARQL
    endpoint (so a federated query that reached it would return its row)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
                    {"s": {"type": "literal", "value": "from the other service"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture()
def recorder() -> Iterator[_Recorder]:
    rec = _Recorder()
    yield rec
    rec.close()


def _service_attacks(url: str) -> dict[str, str]:
    pattern = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        # the old lexer read <…\u0041#> as no IRI, and "#" as a comment to the end of the line
        "iri_escape_hash": f"SELECT * WHERE {{ BIND(<http://example.org/\\u0041#> AS ?x) "
                           f"SERVICE <{url}> {pattern} }}",
        # '''x\'''' ends after the escaped quote; the old lexer ended it one quote early
        "escaped_quote": f"SELECT * WHERE {{ BIND('''x\\'''' AS ?x) SERVICE <{url}> {pattern} "
                         "FILTER(?s != '') }",
        "glued_keyword": f"SELECT * WHERE {{ BIND(1 AS ?x) SERVICESILENT<{url}>{pattern} }}",
        "prefixed_name": f"PREFIX : <{url}> SELECT * WHERE {{ BIND(1 AS ?x) "
                         f"SERVICE:sparql {pattern} }}",
        "comment_ends_at_cr": f"SELECT * WHERE {{ BIND(1 AS ?x) # note\r SERVICE <{url}> "
                              f"{pattern} }}",
        "lower_case": f"select * where {{ service <{url}> {pattern} }}",
    }


def test_service_is_refused_by_the_endpoint_in_every_disguise(endpoint, recorder):
    for name, query in _service_attacks(recorder.url).items():
        for status, _, body in (_get(endpoint, query), _post_form(endpoint, query=query)):
            assert status == 403, (name, status, body[:200])
            assert b"SERVICE" in body, name
    assert recorder.hits == []


def test_service_is_refused_by_kg_query(store_path, recorder):
    for name, query in _service_attacks(recorder.url).items():
        code, output = _cli("query", query, "--store", str(store_path), "--format", "json")
        assert code == 2, (name, output)
        assert "SERVICE" in output, name
    assert recorder.hits == []


def test_query_workers_cannot_reach_the_network(store_path, recorder):
    """A SERVICE query run in a worker without the query check: the engine tries, the
    sandbox refuses the socket, the other service is never contacted."""
    from kg.server import QueryJob, WorkerPool

    pool = WorkerPool(store_path, size=1, max_memory=MAX_MEMORY)
    pool.start()
    try:
        assert pool.notes == []  # sandbox and memory limit in place
        for query in (_service_attacks(recorder.url)["plain"],
                      f"SELECT * {{ SERVICE SILENT <{recorder.url}> {{ ?s ?p ?o }} }}"):
            job = QueryJob(text=query, result_format="json", rdf_format=None, max_rows=10,
                           guard=False)
            reply = pool.run(job, timeout=10)
            if reply.status == 200:  # SILENT: the failure is an empty answer
                assert b"from the other service" not in reply.body
            else:
                assert reply.status == 400 and b"not permitted" in reply.body, reply.body
    finally:
        pool.close()
    assert recorder.hits == []


def test_sandbox_denies_network_sockets_only(recorder):
    host, port = urllib.parse.urlsplit(recorder.url).netloc.split(":")
    code = f"""
import socket
from kg.sparql_guard import deny_network
assert deny_network() is None
for family in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family, socket.SOCK_STREAM)
    except PermissionError:
        pass
    else:
        raise SystemExit("a network socket was created")
try:
    socket.create_connection(("{host}", {port}), timeout=2)
except PermissionError:
    pass
else:
    raise SystemExit("connected")
a, b = socket.socketpair()
socket.socket(socket.AF_UNIX).close()
import ctypes, errno, platform
if platform.machine() == "x86_64":  # socket() through the x32 ABI: denied too
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(ctypes.c_long(0x40000000 + 41), 2, 1, 0) == -1
    assert ctypes.get_errno() == errno.EPERM, ctypes.get_errno()
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
    assert recorder.hits == []


_DIFFERENTIAL = r"""
import itertools, json
import pyoxigraph as ox
from kg.sparql_guard import deny_network, scan_query
assert deny_network() is None
U = "http://127.0.0.1:9999/x"  # never reached: the process has no network
opens = ["'x'", "'x\\''", "'''x\\''''", "'''x'", "'''x''", "'''", '\"\"\"', "'", '"', '"x\\"',
         "<http://x/\\u0041#>", "<http://x/\\u003E>", "<http://x/a", "e:a\\.b", "e:a.b", "e:a%41",
         "?a\u00b7b", "1", "true", "'x'@en", "'''a''b'''", "'\\u0027'", "\"\\u0022\"", "'x' #",
         "'''a\\\\'''", "'x'^^<http://x/>", "e:a\\#b", "_:b", "''", '\"\"', "'''''", "'\\\\'",
         "<http://x/'>"]
closes = ["1", "'", "'''", '"', '\"\"\"', "'x'", ">", "<http://y/>", "''", "e:b", "?zz", "# x"]
services = [f"SERVICE <{U}> {{ }}", "SERVICE:x { }", f"SeRvIcE<{U}>{{}}", "SERVICE?x {}"]
seps = [" ", "\n", "\r", " # c\n", " # c\r"]
forms = ["BIND({o} AS ?v){s}{sv}{s}BIND({c} AS ?w)", "?a ?b {o}{s}{sv}{s}{c}",
         "BIND({o}{s}AS ?v) {sv} {c}"]
store, missed, federated = ox.Store(), [], 0
for o, c, sv, s, form in itertools.product(opens, closes, services, seps, forms):
    q = (f"PREFIX e: <http://e/> PREFIX : <{U}> SELECT * {{ BIND(<{U}> AS ?x) "
         + form.format(o=o, c=c, sv=sv, s=s) + " }")
    try:
        list(store.query(q, use_default_graph_as_union=True))
        tried = False
    except Exception as exc:
        tried = "os error 1" in str(exc)  # the sandbox refused the engine's socket
    federated += tried
    if tried and not scan_query(q).service:
        missed.append(q)
print(json.dumps({"federated": federated, "missed": missed[:5]}))
"""


def test_the_check_flags_every_query_oxigraph_would_federate():
    """Differential test against the engine itself, in a sandboxed process: thousands of
    queries built to confuse a lexer about where strings, IRIs, comments and names end; each
    one that Oxigraph tried to send out must have been flagged by the check."""
    r = subprocess.run([sys.executable, "-c", _DIFFERENTIAL], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["federated"] > 1000  # the generator reaches the engine's SERVICE
    assert out["missed"] == []


# --- 2. one request freezes the server -------------------------------------------------------

HOSTILE_64K = {
    "digits": "1" * 65536, "dashes": "-" * 65536, "colons": ":" * 65536,
    "quotes": '"' * 65536, "squotes": "'" * 65536, "braces": "{" * 65536,
    "angles": "<a" * 32768, "prefixed": "a:" * 32768, "escapes": "'" + "\\n" * 32767 + "'",
    "long_quotes": "'''" + "''a" * 21844 + "'''", "dots": "e:a" + ".b" * 32766,
    "mixed": "<a:b'\"#\n?$_:1.-" * 4096,
}


def test_query_check_is_linear_on_hostile_64k_inputs():
    from kg.sparql_guard import refusal, scan_query

    for name, text in HOSTILE_64K.items():
        t0 = time.perf_counter()
        scan_query(text)
        refusal(text)
        assert time.perf_counter() - t0 < 0.5, name
    # linear: 8× the text, well under 64× the time (quadratic)
    small, big = "1-:'\"{<" * 1170, "1-:'\"{<" * 9362
    t_small = min(_timed(scan_query, small) for _ in range(3))
    t_big = min(_timed(scan_query, big) for _ in range(3))
    assert t_big < 20 * t_small + 0.01


def _timed(fn: object, arg: str) -> float:
    t0 = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0


def test_hostile_64k_query_does_not_freeze_other_clients(endpoint):
    """The old check ran in the HTTP thread with the GIL held: 64 KB of digits took 22 s and
    every other client waited. Now the check runs in the worker, linear."""
    answers: dict[str, tuple[int, float]] = {}

    def ask(name: str, body: bytes | None) -> None:
        t0 = time.monotonic()
        if body is None:
            status = _get(endpoint, "ASK { ?s ?p ?o }", timeout=5)[0]
        else:
            status = _http(f"{endpoint}/sparql", data=body, timeout=5,
                           headers={"Content-Type": "application/sparql-query"})[0]
        answers[name] = (status, time.monotonic() - t0)

    threads = [threading.Thread(target=ask, args=(n, HOSTILE_64K[n].encode()), daemon=True)
               for n in ("digits", "dashes")]
    threads.append(threading.Thread(target=ask, args=("other", None), daemon=True))
    for t in threads:
        t.start()
    deadline = time.monotonic() + 4
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert {n: s for n, (s, _) in answers.items()} == {"digits": 400, "dashes": 400,
                                                       "other": 200}
    assert all(seconds < 3 for _, seconds in answers.values())


def test_deep_nesting_is_refused_before_it_crashes_the_parser(endpoint):
    """3,000 nested braces overflow the engine parser's stack (the worker died: 500)."""
    status, _, body = _http(f"{endpoint}/sparql",
                            data=("SELECT * " + "{" * 3000 + "}" * 3000).encode(),
                            headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"nested too deeply" in body


# --- 3. memory -------------------------------------------------------------------------------


def test_runaway_memory_is_cancelled_and_others_are_served(server, endpoint):
    cartesian = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    result: dict[str, object] = {}

    def runaway() -> None:
        t0 = time.monotonic()
        result["reply"] = _get(endpoint, cartesian, timeout=10)
        result["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    status, _, body = _get(endpoint, "ASK { ?s ?p ?o }", timeout=5)
    assert status == 200 and json.loads(body)["boolean"] is True  # the other worker answers
    thread.join(15)
    status, _, body = result["reply"]
    assert status == 503, body[:300]
    assert b"memory limit" in body
    assert result["seconds"] < 8  # the memory limit, not the 12 s time limit
    deadline = time.monotonic() + 15
    while server.pool.alive < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.pool.alive == 2  # the dead worker was replaced
    for _ in range(3):
        assert _get(endpoint, "ASK { ?s ?p ?o }", timeout=5)[0] == 200


def test_result_size_is_capped_in_bytes(endpoint):
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{LONG}> {{ ?s ?p ?o }} }} ORDER BY ?s"
    status, headers, body = _get(endpoint, query)
    assert status == 200
    assert len(body) <= MAX_RESULT
    rows = json.loads(body)["results"]["bindings"]
    assert 0 < len(rows) < MAX_ROWS
    assert headers["X-KG-Truncated"] == str(len(rows))
    assert headers["X-KG-Truncated-Reason"] == "bytes"
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LONG}> {{ ?s ?p ?o }} }}"
    status, headers, body = _get(endpoint, construct, format="turtle")
    assert status == 200 and len(body) <= MAX_RESULT
    assert body.startswith(b"# cut at ")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == int(headers["X-KG-Truncated"])


# --- 8. FROM and FROM NAMED ------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"


def _union_total() -> int:
    return len(_quads())


def test_from_is_honoured_by_the_endpoint(endpoint):
    def n(dataset: str, **params: str) -> int:
        status, _, body = _get(endpoint, COUNT.format(dataset=dataset), **params)
        assert status == 200, body
        return _count(body)

    assert n(f"FROM <{G1}>") == 3
    assert n(f"FROM <{G2}>") == 5
    assert n(f"FROM <{G1}> FROM <{G2}>") == 8
    assert n(f"FROM <{MISSING}>") == 0
    assert n(f"FROM NAMED <{G1}>") == 0  # no FROM: an empty default graph
    assert n("") == _union_total()  # no dataset: the union of all graphs, as before
    # the protocol's dataset overrides the query's
    assert n(f"FROM <{G1}>", **{"default-graph-uri": G2}) == 5
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    status, _, body = _get(endpoint, named)
    assert _count(body) == 3
    status, _, body = _get(endpoint, named, **{"named-graph-uri": G2})
    assert _count(body) == 5


def test_from_is_honoured_by_kg_query(store_path):
    def n(dataset: str) -> int:
        code, output = _cli("query", COUNT.format(dataset=dataset), "--store", str(store_path),
                            "--format", "json")
        assert code == 0, output
        return int(json.loads(output)[0]["n"])

    assert n(f"FROM <{G1}>") == 3
    assert n(f"FROM <{G2}>") == 5
    assert n(f"FROM <{MISSING}>") == 0
    assert n("") == _union_total()


# --- 10. entity pages, CSV, slow clients, Host -----------------------------------------------


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def test_entity_pages_resolve_every_link_they_show(endpoint):
    from kg.server import entity_path

    pages = [entity_path(_entity(n, "Place" if i % 3 == 2 else "Enterprise").value)
             for i, n in enumerate(["Hub", *HOSTILE_NAMES])]
    seen: set[str] = set()
    for path in pages:
        status, body = _raw(endpoint, path)
        assert status == 200, (path, body[:200])
        links = _Links()
        links.feed(body.decode("utf-8"))
        entity_links = [h for h in links.hrefs if h.startswith("/entity/")]
        assert entity_links, path
        seen.update(entity_links)
    for href in sorted(seen):
        status, body = _raw(endpoint, href)
        assert status == 200, (href, body[:200])
        status, _ = _raw(endpoint, href + "?format=ttl")
        assert status == 200, href


def test_entity_pages_obey_the_row_limit(endpoint):
    from kg.server import entity_path

    path = entity_path(_entity("Hub").value)
    relations = len(HOSTILE_NAMES) + FILLERS
    status, body = _raw(endpoint, path)
    page = body.decode("utf-8")
    assert status == 200
    assert f"Relations ({relations})" in page
    assert f"cut at {MAX_ROWS} rows (of {relations})" in page
    table = page.split("<h2>Relations", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == MAX_ROWS + 1  # the heading row and MAX_ROWS relations
    status, headers, body = _http(endpoint + path, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["X-KG-Truncated"] == str(MAX_ROWS)
    assert body.startswith(f"# cut at {MAX_ROWS} triples".encode())
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == MAX_ROWS


def test_csv_cells_never_start_a_formula(store_path, endpoint):
    from kg.export import relations_csv
    from kg.store import open_store

    query = f"SELECT ?o WHERE {{ GRAPH <{G1}/f> {{ ?s ?p ?o }} }} ORDER BY ?o"
    code, output = _cli("query", query, "--store", str(store_path), "--format", "csv")
    assert code == 0, output
    rows = list(csv.reader(io.StringIO(output, newline="")))
    assert rows[0] == ["o"]
    assert sorted(r[0] for r in rows[1:] if r) == sorted("'" + f for f in FORMULAS)
    text = relations_csv(open_store(store_path))
    assert "=Hub works" in text and ",=Hub works" not in text and "\n=" not in text
    assert "'=Hub works with" in text
    # the endpoint's SPARQL CSV results are a machine protocol: values stay as they are
    status, _, body = _get(endpoint, query, format="csv")
    assert status == 200 and b"\r\n+1\r\n" in body and b"\r\n@SUM(A1)\r\n" in body


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> bool:
    """Whether the server closes ``sock`` within ``seconds`` while we send ``trickle`` one
    byte every 0.2 s."""
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.2)
        if readable:
            try:
                if sock.recv(4096) == b"":
                    return True
            except ConnectionResetError:
                return True
            continue
        if i < len(trickle):
            try:
                sock.sendall(trickle[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                return True
            i += 1
    return False


def test_slow_clients_are_cut(endpoint):
    host, port = urllib.parse.urlsplit(endpoint).netloc.split(":")
    addr = (host, int(port))
    with socket.create_connection(addr, timeout=5) as sock:  # half a request line, then nothing
        sock.sendall(b"GET /sparql?query=ASK")
        assert _closed_within(sock, CLIENT_TIMEOUT + 2)
    with socket.create_connection(addr, timeout=5) as sock:  # headers a byte at a time
        sock.sendall(b"GET / HTTP/1.1\r\n")
        assert _closed_within(sock, CLIENT_TIMEOUT + 2, b"X-Slow: " + b"a" * 100)
    with socket.create_connection(addr, timeout=5) as sock:  # a body a byte at a time
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: " + f"{host}:{port}".encode() +
                     b"\r\nContent-Type: application/sparql-query\r\nContent-Length: 100"
                     b"\r\n\r\nASK")
        t0 = time.monotonic()
        assert _closed_within(sock, CLIENT_TIMEOUT + 2, b"{" * 90)
        assert time.monotonic() - t0 < CLIENT_TIMEOUT + 2
    # the server still answers
    assert _get(endpoint, "ASK { ?s ?p ?o }", timeout=5)[0] == 200


def test_connections_beyond_the_limit_get_a_quick_503(store_path):
    srv, thread = _serve(store_path, workers=1, max_connections=2, client_timeout=3.0)
    host, port = urllib.parse.urlsplit(srv.url).netloc.split(":")
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        with socket.create_connection((host, int(port)), timeout=2) as extra:
            assert extra.recv(64).startswith(b"HTTP/1.1 503")
    finally:
        for s in idle:
            s.close()
        _stop(srv, thread)


def test_host_header_is_checked(endpoint, store_path):
    port = urllib.parse.urlsplit(endpoint).port
    ask = "/sparql?query=ASK%7B%7D"
    for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST",
                 "127.0.0.1"):
        assert _raw(endpoint, ask, host=good)[0] == 200, good
    for bad in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}",
                f"127.0.0.1.nip.io:{port}", "localhost:x", "[::1"):
        for path in (ask, "/", "/entity/Enterprise/Hub"):
            status, body = _raw(endpoint, path, host=bad)
            assert status == 421 and b"--allow-host" in body, (bad, path, status)
    assert _raw(endpoint, ask, host=None)[0] == 400  # HTTP/1.1 requires a Host header
    srv, thread = _serve(store_path, workers=1, allowed_hosts=("kg.example",))
    try:
        assert _raw(srv.url, ask, host="kg.example:8080")[0] == 200
        assert _raw(srv.url, ask, host="evil.example")[0] == 421
    finally:
        _stop(srv, thread)


def test_host_rules_for_other_bind_addresses():
    from kg.server import host_allowed

    assert host_allowed("10.1.2.3:7878", "10.1.2.3")
    assert not host_allowed("localhost", "10.1.2.3")
    assert not host_allowed("evil.example", "10.1.2.3")
    assert host_allowed("kg.example", "10.1.2.3", ["kg.example"])
    assert host_allowed("kg.example", "kg.example")  # bound by name
    for anything in ("192.168.1.5", "[fe80::1]:7878", "localhost", "127.0.0.1"):
        assert host_allowed(anything, "0.0.0.0"), anything
    assert not host_allowed("evil.example", "0.0.0.0")
    assert not host_allowed("evil.example", "::")


def test_without_a_sandbox_service_is_still_refused_and_the_server_warns(store_path,
                                                                         monkeypatch):
    """Where seccomp is missing (not Linux), a worker starts with a note for the log, and the
    query check alone refuses SERVICE."""
    code = f"""
import kg.sparql_guard, kg.server
kg.server.deny_network = lambda: "no seccomp on this test system"
store, notes = kg.server._worker_setup({str(store_path)!r}, 0)
print(notes[0])
job = kg.server.QueryJob(text="SELECT * {{ SERVICE <http://127.0.0.1:9999/> {{ ?s ?p ?o }} }}",
                         result_format="json", rdf_format=None, max_rows=1)
print(kg.server.run_query_job(store, job).status)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=30)
    assert r.returncode == 0, r.stderr[-2000:]
    note, status = r.stdout.splitlines()
    assert "can open network sockets (no seccomp on this test system)" in note
    assert status == "403"

    from kg.server import WorkerPool

    start = WorkerPool.start

    def start_with_a_note(pool: WorkerPool) -> None:
        start(pool)
        pool.notes.append("query workers can open network sockets (test)")

    monkeypatch.setattr(WorkerPool, "start", start_with_a_note)
    warnings: list[str] = []
    srv, thread = _serve(store_path, workers=1, warn=warnings.append)
    _stop(srv, thread)
    assert warnings == ["query workers can open network sockets (test)"]
