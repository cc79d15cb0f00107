"""`kg push` against a real Oxigraph server process started on loopback by the test."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main


def _oxigraph_binary() -> str | None:
    local = Path(sys.executable).with_name("oxigraph")
    if local.is_file():
        return str(local)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(tmp_path_factory, *flags: str):
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the `oxigraph` server CLI is not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
         "--bind", f"127.0.0.1:{port}", *flags],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if proc.poll() is not None:
                pytest.fail(f"oxigraph exited: {proc.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    yield from _server(tmp_path_factory)


@pytest.fixture(scope="module")
def union_server(tmp_path_factory):
    """A server that reads the union of the named graphs as the default graph, as `kg query`
    does."""
    yield from _server(tmp_path_factory, "--union-default-graph")


def _count(base: str, where: str) -> int:
    data = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"})
    req = urllib.request.Request(base + "/query", data=data.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"])


def _ours(source: Path) -> tuple[int, int, int]:
    quads = set(ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS))
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    graphs = {q.graph_name for q in quads}
    return len(quads), len(triples), len(graphs)


def _push(*args: str):
    return CliRunner().invoke(main, ["push", *args])


def test_push_named_graphs_with_gsp(oxigraph_server, built_output):
    source = built_output / "pinghu.nq"
    n_quads, _, n_graphs = _ours(source)
    for _ in range(2):  # pushing again replaces, it does not duplicate
        result = _push("--endpoint", oxigraph_server + "/store", "--source", str(source))
        assert result.exit_code == 0, result.output
        assert f"pushed {n_quads} triples ({n_graphs} named graphs)" in result.output
        assert _count(oxigraph_server, "GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
                                       '"https://w3id.org/pinghu-kg/id/graph/"))') == n_quads


def test_push_into_one_graph_with_update(oxigraph_server, built_output):
    source = built_output / "pinghu.nq"
    _, n_triples, _ = _ours(source)
    g = "https://example.org/pinghu"
    result = _push("--endpoint", oxigraph_server + "/update", "--method", "update",
                   "--graph", g, "--batch", "700", "--source", str(source))
    assert result.exit_code == 0, result.output
    assert f"pushed {n_triples} triples (graph {g})" in result.output
    assert _count(oxigraph_server, f"GRAPH <{g}> {{ ?s ?p ?o }}") == n_triples
    result = _push("--endpoint", oxigraph_server + "/update", "--method", "update",
                   "--graph", g, "--source", str(source))
    assert result.exit_code == 0, result.output
    assert _count(oxigraph_server, f"GRAPH <{g}> {{ ?s ?p ?o }}") == n_triples


def test_push_default_graph_with_gsp_turtle(oxigraph_server, built_output):
    source = built_output / "pinghu.nq"
    _, n_triples, _ = _ours(source)
    result = _push("--endpoint", oxigraph_server + "/store", "--graph", "default",
                   "--content-type", "turtle", "--batch", "4000", "--source", str(source))
    assert result.exit_code == 0, result.output
    assert _count(oxigraph_server, "?s ?p ?o") == n_triples


def test_push_errors(oxigraph_server, built_output, tmp_path):
    source = str(built_output / "pinghu.nq")
    result = _push("--endpoint", f"http://127.0.0.1:{_free_port()}/store", "--source", source)
    assert result.exit_code == 1 and "cannot reach" in result.output
    result = _push("--endpoint", oxigraph_server + "/no-such-service", "--source", source)
    assert result.exit_code == 1 and "HTTP 404" in result.output
    result = _push("--endpoint", "ftp://example.org/store", "--source", source)
    assert result.exit_code == 2 and "http(s)" in result.output
    result = _push("--endpoint", oxigraph_server + "/store", "--graph", "not an iri",
                   "--source", source)
    assert result.exit_code == 2
    result = _push("--endpoint", oxigraph_server + "/store", "--source",
                   str(tmp_path / "missing.nq"))
    assert result.exit_code == 2 and "kg build" in result.output


def _server_rows(base: str, sparql: str) -> set[tuple[str | None, ...]]:
    data = urllib.parse.urlencode({"query": sparql})
    req = urllib.request.Request(base + "/query", data=data.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        res = json.loads(r.read())
    names = res["head"]["vars"]
    return {tuple(b[v]["value"] if v in b else None for v in names)
            for b in res["results"]["bindings"]}


def test_named_queries_give_the_same_rows_on_the_oxigraph_server(union_server, built_output):
    """Every named query, sent as it is to the pushed Oxigraph server, answers the rows
    `kg query` gives on the embedded store."""
    from kg.store import open_store, run_query

    source = built_output / "pinghu.nq"
    assert _push("--endpoint", union_server + "/store", "--source", str(source)).exit_code == 0
    store = open_store(built_output / "store")
    queries = sorted((Path(__file__).resolve().parent.parent / "kg" / "queries").glob("*.rq"))
    assert queries
    for q in queries:
        sparql = q.read_text(encoding="utf-8")
        ours = {tuple(row) for row in run_query(store, sparql).rows}
        assert _server_rows(union_server, sparql) == ours, q.name
