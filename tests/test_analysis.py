"""Tests for the network analysis (kg.analysis) and its commands (kg analyze/path/neighbors)."""

from __future__ import annotations

import doctest
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg.analysis
from kg import analysis as A
from kg.cli import main

ENTITY_NS = "https://w3id.org/pinghu-kg/id/entity/"
KG_NS = "https://w3id.org/pinghu-kg/ontology#"


def _graph(edges, types=None, weight=1, years=None):
    """A MultiDiGraph from (s, o) or (s, o, predicate) tuples."""
    g = nx.MultiDiGraph()
    for e in edges:
        s, o, p = (*e, "cooperatesWith") if len(e) == 2 else e
        for n in (s, o):
            if n not in g:
                g.add_node(n, label=n, type=(types or {}).get(n, "Enterprise"), aliases=[])
        g.add_edge(s, o, key=p, predicate=p, weight=weight,
                   evidence=[{"sentence": f"{s}与{o}合作。", "article": "art", "title": "标题",
                              "date": "2021"}],
                   years=years or ["2021"])
    return g


def _two_cliques() -> nx.MultiDiGraph:
    left, right = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    edges = [(x, y) for grp in (left, right) for i, x in enumerate(grp) for y in grp[i + 1:]]
    edges.append(("a1", "b1"))
    return _graph(edges)


# -- doctests ---------------------------------------------------------------------------------

def test_doctests():
    res = doctest.testmod(kg.analysis, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 20
    assert res.failed == 0


# -- known answers ----------------------------------------------------------------------------

def test_star_centre_has_max_degree_and_betweenness():
    g = _graph([("c", x) for x in ["l1", "l2", "l3", "l4", "l5"]])
    m = A.measures(g)
    assert m["c"]["degree"] == 5
    assert max(m, key=lambda v: (m[v]["degree"], v)) == "c"
    assert m["c"]["betweenness"] == pytest.approx(1.0)
    assert all(m[f"l{i}"]["betweenness"] == 0 for i in range(1, 6))
    assert A.rank(g, m, "betweenness", top=1)[0]["id"] == "c"
    assert A.rank(g, m, "pagerank", top=1)[0]["id"] == "c"  # cooperatesWith is symmetric
    out = _graph([("c", x, "supplies") for x in ["l1", "l2", "l3"]])
    assert A.rank(out, A.measures(out), "pagerank", top=1)[0]["id"] != "c"  # rank flows out
    assert A.rank(g, m, "eigenvector", top=1)[0]["id"] == "c"
    assert A.rank(g, m, "constraint", top=1)[0]["id"] == "c"  # least constrained broker
    assert m["c"]["effective_size"] == pytest.approx(5.0)


def test_path_middle_nodes_have_top_betweenness():
    g = _graph([("p1", "p2"), ("p2", "p3"), ("p3", "p4"), ("p4", "p5")])
    m = A.measures(g)
    bc = {v: m[v]["betweenness"] for v in m}
    assert bc["p3"] > bc["p2"] == bc["p4"] > bc["p1"] == bc["p5"] == 0
    assert [r["id"] for r in A.rank(g, m, "betweenness", top=3)] == ["p3", "p2", "p4"]
    assert {m[v]["core_number"] for v in m} == {1}


def test_two_cliques_bridge_and_communities():
    g = _two_cliques()
    m = A.measures(g)
    top2 = {r["id"] for r in A.rank(g, m, "betweenness", top=2)}
    assert top2 == {"a1", "b1"}
    assert A.communities(g, seed=0) == [["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]]
    assert m["a2"]["core_number"] == 3


def test_parallel_edge_counted_in_weighted_degree():
    g = _graph([("x", "y", "cooperatesWith"), ("x", "y", "supplies"), ("x", "z")])
    m = A.measures(g)
    assert m["x"]["degree"] == 2  # distinct neighbours
    assert m["x"]["weighted_degree"] == 3  # every edge, parallel ones included
    assert m["y"]["weighted_degree"] == 2
    u = A.weighted_projection(g)
    assert u["x"]["y"]["weight"] == 2 and u["x"]["y"]["predicates"] == ["cooperatesWith",
                                                                       "supplies"]


def test_weighted_degree_uses_article_weights():
    g = _graph([("x", "y")], weight=3)
    assert A.measures(g)["x"]["weighted_degree"] == 3


def test_isolated_and_disconnected_nodes():
    g = _graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")])
    g.add_node("lonely", label="lonely", type="Place", aliases=[])
    m = A.measures(g)
    assert m["lonely"]["degree"] == 0
    assert m["lonely"]["constraint"] is None and m["lonely"]["effective_size"] is None
    assert m["d"]["eigenvector"] is None  # outside the largest component
    assert m["a"]["eigenvector"] == pytest.approx(m["b"]["eigenvector"])
    comms = A.communities(g)
    assert ["lonely"] in comms and comms[0] == ["a", "b", "c"]


def test_eigenvector_non_convergence(monkeypatch):
    def fail(*a, **k):
        raise nx.PowerIterationFailedConvergence(1)

    monkeypatch.setattr(nx, "eigenvector_centrality", fail)
    m = A.measures(_graph([("a", "b"), ("b", "c")]))
    assert all(v["eigenvector"] is None for v in m.values())


def test_sampled_betweenness_is_seeded():
    g = nx.MultiDiGraph(nx.connected_watts_strogatz_graph(60, 4, 0.3, seed=1))
    for n in g.nodes:
        g.nodes[n].update(label=str(n), type="Enterprise")
    a = A.measures(g, seed=3, betweenness_k=10)
    b = A.measures(g, seed=3, betweenness_k=10)
    exact = A.measures(g)
    assert a == b
    assert a != exact


def test_functions_do_not_mutate():
    g = _two_cliques()
    before = nx.node_link_data(g, edges="links")
    A.analyze(g, seed=0)
    A.paths(g, "a2", "b2")
    A.neighbors(g, "a2", hops=2)
    A.collaboration_graph(g)
    assert nx.node_link_data(g, edges="links") == before


def test_determinism_same_seed_same_output():
    g = _two_cliques()
    r1 = json.dumps(A.analyze(g, seed=7), ensure_ascii=False, sort_keys=True)
    r2 = json.dumps(A.analyze(g, seed=7), ensure_ascii=False, sort_keys=True)
    assert r1 == r2
    assert A.report_markdown(A.analyze(g, seed=7)) == A.report_markdown(A.analyze(g, seed=7))


# -- helix, time, chains, lookup --------------------------------------------------------------

TYPES = {"gov": "GovernmentBody", "uni": "University", "ent": "Enterprise", "bank": "Fund",
         "park": "Platform", "boss": "Person", "ent2": "Enterprise"}


def test_triple_helix():
    g = _graph([("gov", "uni"), ("uni", "ent"), ("ent", "gov"), ("bank", "ent", "investedIn"),
                ("ent", "park", "incubatedBy")], types=TYPES)
    th = A.triple_helix(g)
    assert th["pairs"]["academia–industry"]["pairs"] == 1
    assert th["pairs"]["finance–industry"]["examples"][0]["predicate"] == "investedIn"
    assert th["triads"] == {"count": 1, "examples": [["gov", "uni", "ent"]]}
    assert th["bridges"][0]["id"] == "ent"
    assert set(th["bridges"][0]["sectors"]) == {"academia", "finance", "government", "industry",
                                                "platform"}
    assert "ent" in {b["id"] for b in th["helix_actors"]}


def test_collaboration_graph_interlocking_posts():
    g = _graph([("boss", "ent", "holdsPost"), ("boss", "ent2", "holdsPost"), ("uni", "ent")],
               types=TYPES)
    c = A.collaboration_graph(g)
    assert "boss" not in c
    assert c["ent"]["ent2"]["via"] == ["boss"]
    assert c["uni"]["ent"]["predicates"] == ["cooperatesWith"]


def test_timeline_cumulative():
    g = nx.MultiDiGraph()
    for s, o, y in [("a", "b", "2020"), ("a", "c", "2021"), ("d", "e", "2021"),
                    ("d", "a", "2023"), ("d", "f", "2023"), ("d", "g", "2023")]:
        for n in (s, o):
            g.add_node(n, label=n, type="Enterprise")
        g.add_edge(s, o, key="cooperatesWith", weight=1, evidence=[], years=[y])
    t = A.timeline(g, top=3)
    assert [y["year"] for y in t] == ["2020", "2021", "2023"]
    assert [y["new_actors"] for y in t] == [2, 3, 2]
    assert [y["nodes"] for y in t] == [2, 5, 7]
    assert t[2]["top"][0]["id"] == "d"
    assert t[2]["top"][0]["previous_rank"] is not None and t[2]["top"][0]["change"] > 0
    assert t[1]["top"][0] == {**t[1]["top"][0], "id": "a", "rank": 1, "previous_rank": 1,
                              "change": 0}


def test_paths_report_true_direction_and_evidence():
    g = _graph([("ent", "park", "incubatedBy"), ("uni", "park", "cofounded"),
                ("uni", "ent", "cooperatesWith"), ("gov", "ent", "supports")], types=TYPES)
    g.add_node("city", label="city", type="Place", aliases=[])
    g.add_edge("uni", "city", key="locatedIn", predicate="locatedIn", weight=1, evidence=[])
    g.add_edge("gov", "city", key="locatedIn", predicate="locatedIn", weight=1, evidence=[])
    ps = A.paths(g, "gov", "park", k=5)
    assert [p["hops"] for p in ps] == [2, 3]  # the route via the place is skipped
    step = ps[0]["steps"][0]
    assert step["relations"][0]["predicate"] == "supports"
    assert step["relations"][0]["direction"] == "forward"
    last = ps[0]["steps"][1]["relations"][0]
    assert last["predicate"] == "incubatedBy" and last["direction"] == "forward"
    assert last["evidence"][0]["sentence"] == "ent与park合作。"
    via_place = A.paths(g, "gov", "uni", k=5, avoid_types=())
    assert [n["id"] for n in via_place[0]["nodes"]] in (["gov", "city", "uni"],
                                                        ["gov", "ent", "uni"])
    assert A.paths(g, "gov", "park", max_hops=1) == []
    with pytest.raises(ValueError):
        A.paths(g, "gov", "gov")


def test_paths_backward_hop():
    g = _graph([("a", "b", "supplies"), ("c", "b", "supplies")])
    p = A.paths(g, "a", "c")[0]
    assert [s["relations"][0]["direction"] for s in p["steps"]] == ["forward", "backward"]


def test_neighbors_hops():
    g = _graph([("a", "b"), ("b", "c"), ("c", "d")])
    assert [(r["id"], r["distance"]) for r in A.neighbors(g, "b")] == [("a", 1), ("c", 1)]
    rows = A.neighbors(g, "a", hops=2)
    assert [(r["id"], r["distance"], r["via"]["id"]) for r in rows] == [("b", 1, "a"),
                                                                         ("c", 2, "b")]


def test_find_entity_names_aliases_and_suggestions():
    g = nx.MultiDiGraph()
    g.add_node("t", label="浙江清华长三角研究院", type="ResearchInstitute",
               aliases=["清华长三角研究院", "清华长三院"])
    g.add_node("b", label="平湖市科技局", type="GovernmentBody", aliases=["市科技局"])
    assert A.find_entity(g, "清华长三院") == "t"
    assert A.find_entity(g, "「浙江清华长三角研究院」") == "t"
    assert A.find_entity(g, "市 科技局") == "b"
    with pytest.raises(LookupError) as info:
        A.find_entity(g, "科技局")
    assert isinstance(info.value, A.EntityNotFound)
    assert "平湖市科技局" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(A.EntityNotFound) as info:
        A.find_entity(g, "zzzz")
    assert info.value.suggestions == [] and "did you mean" not in str(info.value)


def test_report_escapes_markdown_and_html():
    g = _graph([("a|b", "<script>x</script>")])
    md = A.report_markdown(A.analyze(g))
    assert "a\\|b" in md and "<script>" not in md


def _place_star() -> nx.MultiDiGraph:
    """Six firms in one city; two pairs of them work together; one firm won an award."""
    firms = ["甲乙科技有限公司", "丙丁材料有限公司", "戊己电子有限公司", "庚辛医药有限公司",
             "壬癸光电有限公司", "子丑机械有限公司"]
    edges = [(f, "某某市", "locatedIn") for f in firms]
    edges += [(firms[0], firms[1]), (firms[2], firms[3]), (firms[0], "寅卯大学"),
              (firms[4], "新材料", "focusIndustry"), (firms[4], "某某奖", "hasAward")]
    types = {"某某市": "Place", "新材料": "Industry", "某某奖": "Award",
             "寅卯大学": "University"}
    return _graph(edges, types=types)


def test_actor_graph_keeps_context_as_attributes():
    g = _place_star()
    a = A.actor_graph(g)
    assert not {"某某市", "新材料", "某某奖"} & set(a.nodes)
    assert a.nodes["壬癸光电有限公司"]["context"] == {
        "Award": ["某某奖"], "Industry": ["新材料"], "Place": ["某某市"]}
    assert a.number_of_edges() == 3 and g.number_of_nodes() == 10  # input untouched
    assert "context" not in g.nodes["甲乙科技有限公司"]


def test_analysis_is_on_actors_by_default():
    g = _place_star()
    r = A.analyze(g)
    assert r["summary"]["view"] == "actors"
    assert r["summary"]["context"] == {"Award": 1, "Industry": 1, "Place": 1}
    for rows in r["rankings"].values():
        assert all(row["type"] not in A.CONTEXT_TYPES for row in rows)
    assert r["rankings"]["degree"][0]["label"] == "甲乙科技有限公司"
    for c in r["communities"]:
        assert all(m["type"] not in A.CONTEXT_TYPES for m in c["members"])
        assert c["size"] < 6  # no star around the city
    old = A.analyze(g, all_types=True)
    assert old["summary"]["view"] == "all types"
    assert old["rankings"]["degree"][0]["label"] == "某某市"


def test_communities_are_described_by_their_facts():
    g = _place_star()
    r = A.analyze(g)
    c = next(c for c in r["communities"] if c["members"][0]["label"] == "甲乙科技有限公司")
    assert c["places"] == [{"label": "某某市", "count": 2}]
    assert c["years"] == ["2021", "2021"] and c["ties"] == 2
    assert c["top_tie"]["sentence"]
    text = " ".join(c["sentences"])
    assert "甲乙科技有限公司" in text and "某某市" in text and "2021" in text
    assert "“" in text  # the best-supported tie is quoted
    md = A.report_markdown(r)
    assert "### Community 0" in md and "actor graph" in md and "某某市" in md
    assert md == A.report_markdown(A.analyze(_place_star()))


# -- the seed graph ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_store(built_output):
    from kg.store import open_store

    return open_store(built_output / "store")


@pytest.fixture(scope="module")
def seed_graph(seed_store):
    return A.project(seed_store)


def test_projection_has_entities_only(seed_graph, seed_store):
    from kg.store import run_query

    assert seed_graph.number_of_nodes() > 100
    assert all(n.startswith(ENTITY_NS) for n in seed_graph.nodes)
    assert not {d["type"] for _, d in seed_graph.nodes(data=True)} & {
        "Article", "Assertion", "KeyFigure", "Class", "ObjectProperty"}
    props = {r[0].rsplit("#", 1)[1] for r in run_query(
        seed_store, "SELECT ?p WHERE { GRAPH ?g { ?a a kg:Assertion ; rdf:predicate ?p } }").rows}
    keys = {k for _, _, k in seed_graph.edges(keys=True)}
    assert keys <= props and "metric" not in keys and "type" not in keys
    for u, v, d in seed_graph.edges(data=True):
        assert d["weight"] >= 1 and d["evidence"] and d["years"]
        assert not u.startswith(KG_NS) and not v.startswith(KG_NS)


def test_seed_top_actors(seed_graph):
    m = A.measures(seed_graph)
    top10 = {r["id"] for r in A.rank(seed_graph, m, "degree", top=10)}
    try:
        bureau = A.find_entity(seed_graph, "平湖市科技局")
    except LookupError:
        bureau = A.find_entity(seed_graph, "市科技局")
    assert bureau in top10
    assert A.find_entity(seed_graph, "浙江清华长三角研究院") in top10


def test_seed_report_ranks_actors_not_places(seed_graph):
    r = A.analyze(seed_graph)
    city = A.find_entity(seed_graph, "平湖市")
    assert seed_graph.nodes[city]["type"] == "Place"
    for rows in r["rankings"].values():
        assert city not in {row["id"] for row in rows}
    assert city not in r["nodes"]
    md = A.report_markdown(r)
    top = md.split("## Top actors per type")[0]
    assert "| 平湖市 |" not in top
    actors = A.actor_graph(seed_graph)
    for comm in A.communities(actors):
        assert all(actors.nodes[v]["type"] not in A.CONTEXT_TYPES for v in comm)
    for c in r["communities"]:
        assert len(c["sentences"]) >= 1


def test_seed_posts_by_year(seed_store):
    posts = A.posts_by_year(seed_store)
    assert posts
    assert all(p["year"].isdigit() and p["articles"] for p in posts)
    assert any(p["roles"] for p in posts)
    assert posts == sorted(posts, key=lambda p: (p["year"], p["organisation"], p["person"],
                                                 p["organisation_id"], p["person_id"]))


def test_seed_analysis_deterministic(seed_graph):
    assert A.analyze(seed_graph, seed=0) == A.analyze(seed_graph, seed=0)
    assert A.communities(seed_graph, seed=0) == A.communities(seed_graph, seed=0)


# -- commands ---------------------------------------------------------------------------------

@pytest.fixture()
def store_copy(built_output, tmp_path) -> Path:
    dst = tmp_path / "store"
    shutil.copytree(built_output / "store", dst)
    return dst


def test_cli_analyze(store_copy, tmp_path):
    from kg.store import open_store, run_query

    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", "--store", str(store_copy), "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert set(data) >= {"summary", "rankings", "communities", "triple_helix", "timeline",
                         "posts_by_year", "chains", "nodes"}
    assert [y["year"] for y in data["timeline"]] == sorted(y["year"] for y in data["timeline"])
    md = (out / "report.md").read_text(encoding="utf-8")
    for sec in ("Top actors per measure", "Communities", "Triple helix", "Change over time",
                "Posts held per year", "Notable chains"):
        assert f"## {sec}" in md
    assert not list(out.glob(".*.tmp"))
    first = (out / "analysis.json").read_bytes(), md
    q = """SELECT ?e ?d WHERE { GRAPH <https://w3id.org/pinghu-kg/id/graph/measures> {
             ?e kgm:degree ?d } } ORDER BY DESC(?d) ?e"""
    n1 = len(run_query(open_store(store_copy), q).rows)
    r = CliRunner().invoke(main, ["analyze", "--store", str(store_copy), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert ((out / "analysis.json").read_bytes(), (out / "report.md").read_text("utf-8")) == first
    store = open_store(store_copy)
    rows = run_query(store, q).rows
    assert len(rows) == n1 == data["summary"]["nodes"]  # replaced, not duplicated
    assert int(rows[0][1]) == max(v["degree"] for v in data["nodes"].values())
    top = run_query(store, "SELECT ?l WHERE { ?e kgm:pagerank ?p ; rdfs:label ?l } "
                           "ORDER BY DESC(?p) LIMIT 1").rows
    assert top[0][0] == data["rankings"]["pagerank"][0]["label"]
    assert run_query(store, "ASK { ?e kgm:community 0 ; kgm:betweenness ?b }").boolean
    r = CliRunner().invoke(main, ["analyze", "--store", str(store_copy), "--out", str(out),
                                  "--all-types", "--no-store"])
    assert r.exit_code == 0, r.output
    every = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert every["summary"]["view"] == "all types"
    assert every["summary"]["nodes"] > data["summary"]["nodes"]


def test_cli_path(built_output):
    store = str(built_output / "store")
    r = CliRunner().invoke(main, ["path", "市科技局", "浙江清华长三角研究院", "--store", store])
    assert r.exit_code == 0, r.output
    assert "chain 1:" in r.output and "“" in r.output and "article" in r.output
    r = CliRunner().invoke(main, ["path", "市科技局", "浙江清华长三角研究院", "-k", "2",
                                  "--max-hops", "3", "--json", "--store", store])
    assert r.exit_code == 0, r.output
    chains = json.loads(r.output)
    assert 1 <= len(chains) <= 2
    assert all(rel["evidence"][0]["sentence"] for c in chains for s in c["steps"]
               for rel in s["relations"])


def test_cli_path_unknown_and_same(built_output):
    store = str(built_output / "store")
    r = CliRunner().invoke(main, ["path", "清华研究所", "浙江清华长三角研究院", "--store", store])
    assert r.exit_code == 2
    assert "did you mean" in r.output
    r = CliRunner().invoke(main, ["path", "市科技局", "平湖市科技局", "--store", store])
    assert r.exit_code == 2


def test_cli_path_none_exits_1(built_output, seed_graph):
    store = str(built_output / "store")
    ug = A.weighted_projection(seed_graph)
    iso = sorted(seed_graph.nodes[v]["label"] for v in ug.nodes if ug.degree(v) == 0)
    iso = [x for x in iso if sum(1 for v in seed_graph.nodes
                                 if seed_graph.nodes[v]["label"] == x) == 1]
    r = CliRunner().invoke(main, ["path", iso[0], iso[1], "--store", store])
    assert r.exit_code == 1
    assert "no chain" in r.output


def test_cli_neighbors(built_output):
    store = str(built_output / "store")
    r = CliRunner().invoke(main, ["neighbors", "浙江清华长三角研究院", "--store", store])
    assert r.exit_code == 0, r.output
    assert "浙江清华长三角研究院平湖创新中心" in r.output and "“" in r.output
    r2 = CliRunner().invoke(main, ["neighbors", "浙江清华长三角研究院", "--hops", "2", "--json",
                                   "--store", store])
    assert r2.exit_code == 0, r2.output
    rows = json.loads(r2.output)
    assert {r["distance"] for r in rows} == {1, 2}
    r = CliRunner().invoke(main, ["neighbors", "不存在的机构名", "--store", store])
    assert r.exit_code == 2


def test_cli_missing_store(tmp_path):
    for args in (["analyze"], ["path", "a", "b"], ["neighbors", "a"]):
        r = CliRunner().invoke(main, [*args, "--store", str(tmp_path / "none")])
        assert r.exit_code == 2, args
        assert "kg build" in r.output
