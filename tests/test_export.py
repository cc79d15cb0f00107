"""`kg export`: JSON-LD with a context, GraphML, GEXF and CSV — complete and deterministic."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import flat_graph, jsonld_document, jsonld_text

FILES = ["pinghu.jsonld", "pinghu.graphml", "pinghu.gexf", "entities.csv", "relations.csv"]


@pytest.fixture(scope="module")
def exported(built_output, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--store",
                                       str(built_output / "store")])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def store(built_output):
    from kg.store import open_store

    return open_store(built_output / "store")


@pytest.fixture(scope="module")
def projection(store):
    from kg.analysis import project

    return project(store)


def test_all_files_written(exported):
    for name in FILES:
        assert (exported / name).stat().st_size > 0, name


def test_exports_are_deterministic(exported, built_output, tmp_path):
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path), "--store",
                                       str(built_output / "store")])
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes(), name


def test_jsonld_has_a_context_and_round_trips(exported, store):
    text = (exported / "pinghu.jsonld").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["@context"]["kg"] == "https://w3id.org/pinghu-kg/ontology#"
    assert doc["@context"]["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert '"kg:Enterprise"' in text  # compacted with the context
    from kg.store import ONTOLOGY_GRAPH

    parsed = set(ox.parse(text.encode(), format=ox.RdfFormat.JSON_LD))
    assert parsed == {q for q in store.quads_for_pattern(None, None, None, None)
                      if q.graph_name.value != ONTOLOGY_GRAPH}


def test_jsonld_is_understood_by_rdflib(exported, built_output):
    from rdflib import Dataset

    ours, theirs = Dataset(), Dataset()
    ours.parse(exported / "pinghu.jsonld", format="json-ld")
    theirs.parse(built_output / "pinghu.nq", format="nquads")
    quads = set(ours.quads())
    assert len(quads) > 1000 and quads == set(theirs.quads())


def test_jsonld_document_terms():
    ex = "http://e.org/"
    a, p = ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p")
    xsd_int = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    quads = [
        ox.Quad(a, p, ox.Literal("5", datatype=xsd_int), ox.DefaultGraph()),
        ox.Quad(a, p, ox.BlankNode("b1"), ox.NamedNode(ex + "g")),
        ox.Quad(a, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(ex + "C"), ox.DefaultGraph()),
    ]
    prefixes = {"ex": ex, "xsd": "http://www.w3.org/2001/XMLSchema#"}
    doc = jsonld_document(quads, prefixes)
    assert doc["@graph"][0] == {"@id": "ex:a", "@type": ["ex:C"],
                                "ex:p": [{"@value": "5", "@type": "xsd:integer"}]}
    assert doc["@graph"][1] == {"@id": "ex:g", "@graph": [{"@id": "ex:a",
                                                            "ex:p": [{"@id": "_:b1"}]}]}
    back = list(ox.parse(jsonld_text(quads, prefixes).encode(), format=ox.RdfFormat.JSON_LD))
    assert len(back) == 3


def test_graphml_and_gexf_hold_the_projection(exported, projection):
    for name, reader in (("pinghu.graphml", nx.read_graphml), ("pinghu.gexf", nx.read_gexf)):
        g = reader(exported / name)
        assert g.number_of_nodes() == projection.number_of_nodes(), name
        assert g.number_of_edges() == projection.number_of_edges(), name
    g = nx.read_graphml(exported / "pinghu.graphml")
    for _u, _v, d in g.edges(data=True):
        ev = json.loads(d["evidence"])
        assert ev and all("sentence" in e and "article" in e for e in ev)
        assert isinstance(d["weight"], int) and d["label"] == d["predicate"]
    assert "lastmodifieddate" not in (exported / "pinghu.gexf").read_text(encoding="utf-8")


def test_gexf_is_dynamic_with_measures(exported, projection):
    from kg.analysis import CONTEXT_TYPES

    text = (exported / "pinghu.gexf").read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="integer"' in text
    g = nx.read_gexf(exported / "pinghu.gexf")
    for u, v, d in g.edges(data=True):  # every edge starts in its first reported year
        assert isinstance(d["start"], int) and 1990 < d["start"] < 2100
        assert g.nodes[u]["start"] <= d["start"] and g.nodes[v]["start"] <= d["start"]
    actors = [n for n, d in g.nodes(data=True) if d["type"] not in CONTEXT_TYPES]
    assert actors and all("pagerank" in g.nodes[n] and "community" in g.nodes[n]
                          for n in actors)
    assert all(not g.nodes[n]["context"] for n in actors)
    places = [n for n, d in g.nodes(data=True) if d["type"] == "Place"]
    assert places and all(g.nodes[n]["context"] and "pagerank" not in g.nodes[n]
                          for n in places)
    top = max(actors, key=lambda n: (g.nodes[n]["degree"], n))
    assert g.nodes[top]["type"] != "Place" and g.nodes[top]["community"] >= 0


def test_gexf_time_and_measures_on_invented_graph():
    from kg.export import gexf_text

    g = nx.MultiDiGraph()
    for n, t in (("甲", "Enterprise"), ("乙", "University"), ("某市", "Place")):
        g.add_node(n, label=n, type=t, years=["2019"])
    g.add_edge("甲", "乙", key="cooperatesWith", predicate="cooperatesWith", weight=2,
               evidence=[], years=["2022", "2021"])
    g.add_edge("甲", "某市", key="locatedIn", predicate="locatedIn", weight=1, evidence=[],
               years=["2023"])
    text = gexf_text(g)
    assert text == gexf_text(g)  # deterministic
    back = nx.read_gexf(_tmp_gexf(text))
    assert back.nodes["甲"]["start"] == 2021 and back.nodes["某市"]["start"] == 2023
    assert sorted(d["start"] for *_, d in back.edges(data=True)) == [2021, 2023]
    assert back.nodes["甲"]["degree"] == 1 and back.nodes["甲"]["community"] == 0
    assert "degree" not in back.nodes["某市"]


def _tmp_gexf(text: str):
    return io.BytesIO(text.encode("utf-8"))


def test_flat_graph_has_only_scalars(projection):
    flat = flat_graph(projection)
    scalar = (str, int, float, bool)
    assert all(isinstance(v, scalar) for _, d in flat.nodes(data=True) for v in d.values())
    assert all(isinstance(v, scalar) for *_, d in flat.edges(data=True) for v in d.values())


def test_entities_csv(exported, projection):
    rows = list(csv.DictReader(io.StringIO((exported / "entities.csv").read_text("utf-8"))))
    assert list(rows[0]) == ["iri", "name", "type", "aliases"]
    assert len(rows) == projection.number_of_nodes()
    assert [r["iri"] for r in rows] == sorted(r["iri"] for r in rows)
    with_aliases = [r for r in rows if r["aliases"]]
    assert with_aliases
    r = with_aliases[0]
    assert r["aliases"].split("|") == projection.nodes[r["iri"]]["aliases"]


def test_relations_csv(exported, store):
    from kg.store import run_query

    text = (exported / "relations.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:9] == ["s", "p", "o", "evidence", "article", "start", "end", "rule",
                                 "confidence"]
    n = run_query(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Assertion }")
    assert len(rows) == int(n.rows[0][0])
    for r in rows:
        assert r["evidence"] and r["article"].startswith("https://w3id.org/pinghu-kg/id/article/")
        assert int(r["end"]) > int(r["start"]) >= 0
        assert 0 < float(r["confidence"]) <= 1 and r["rule"]


def test_single_format_and_missing_store(built_output, tmp_path):
    result = CliRunner().invoke(main, ["export", "--format", "gexf", "--out", str(tmp_path),
                                       "--store", str(built_output / "store")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["pinghu.gexf"]
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "kg build" in result.output
    result = CliRunner().invoke(main, ["export", "--format", "xlsx"])
    assert result.exit_code == 2


def test_csv_cells_that_look_like_formulas_become_text():
    from kg.export import entities_csv

    graph = nx.MultiDiGraph()
    names = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "平湖", "a=b"]
    for i, name in enumerate(names):
        graph.add_node(f"https://w3id.org/pinghu-kg/id/entity/Enterprise/{i}", label=name,
                       type="Enterprise", aliases=[name])
    rows = list(csv.DictReader(io.StringIO(entities_csv(graph))))
    assert [r["name"] for r in rows] == ["'" + n for n in names[:6]] + names[6:]
    assert [r["aliases"] for r in rows] == [r["name"] for r in rows]
