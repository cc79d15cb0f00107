"""Tests for the self-contained HTML visualisation (kg.viz)."""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg import viz
from kg.io import asset

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
EX = "http://example.org/pinghu/"


def _evidence(sentence: str, title: str = "平湖日报", date: str = "2023-05-01") -> dict[str, str]:
    return {"sentence": sentence, "article": f"{EX}article/1", "title": title, "date": date}


def small_graph() -> nx.MultiDiGraph:
    """Three entities, a parallel edge pair, Chinese labels and hostile text everywhere."""
    g = nx.MultiDiGraph()
    g.add_node(
        f"{EX}e/1",
        label="平湖科技股份有限公司",
        type="Enterprise",
        aliases=["平湖科技"],
        figures=["营业收入3900万余元"],
        measures={"degree": 3, "pagerank": 0.05},
    )
    g.add_node(
        f"{EX}u/1",
        label=XSS_SCRIPT,
        type="University",
        aliases=[XSS_IMG],
        figures=[XSS_IMG],
        measures={"degree": 2, "pagerank": 0.6},
    )
    g.add_node(f"{EX}p/1", label="嘉兴市", type="Place", aliases=[], measures={"degree": 1})
    g.add_edge(
        f"{EX}e/1",
        f"{EX}u/1",
        key="cofounded",
        predicate="cofounded",
        weight=2,
        evidence=[
            _evidence(f"双方共建研究院{XSS_SCRIPT}</script><!-- \u2028\u2029", title=XSS_IMG),
            _evidence("平湖科技与浙江大学签约。", date="2022-11-30"),
        ],
        years=["2023", "2022"],
    )
    g.add_edge(  # parallel edge between the same pair
        f"{EX}e/1",
        f"{EX}u/1",
        key="partnerOf",
        predicate="partnerOf",
        weight=1,
        evidence=[_evidence(XSS_IMG)],
        years=[],
    )
    g.add_edge(
        f"{EX}e/1",
        f"{EX}p/1",
        key="locatedIn",
        predicate="locatedIn",
        weight=1,
        evidence=[],
        years=["2021"],
    )
    return g


def embedded_data(page: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "embedded JSON block missing"
    return json.loads(m.group(1))


def random_graph(n: int, seed: int = 0) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    types = list(viz.TYPE_STYLES)
    g = nx.MultiDiGraph()
    for i in range(n):
        g.add_node(f"{EX}n/{i}", label=f"实体{i}", type=types[i % len(types)], aliases=[])
    for i in range(2 * n):
        a, b = rng.randrange(n), rng.randrange(n)
        g.add_edge(
            f"{EX}n/{a}",
            f"{EX}n/{b}",
            key=f"p{i % 5}",
            predicate=f"p{i % 5}",
            weight=1,
            evidence=[_evidence(f"句子{i}")],
            years=[str(2018 + i % 6)],
        )
    return g


@pytest.fixture(scope="module")
def page() -> str:
    return viz.render_html(small_graph(), title="平湖创新图谱")


def test_vis_network_inlined_and_no_remote_resources(page: str) -> None:
    js, css = viz._vis_assets()
    assert len(js) > 100_000
    assert js[-2000:] in page  # the bundled library itself is inlined
    assert "vis.Network" in page
    assert css[:2000] in page
    assert "sourceMappingURL" not in page
    remote = re.compile(
        r"""(?:\b(?:src|href)\s*=\s*["']?\s*|@import\s+(?:url\()?["']?)(?:https?:)?//""", re.I
    )
    assert not remote.search(page)
    assert "<link" not in page.lower()
    assert "default-src 'none'" in page  # CSP forbids fetches


def test_page_structure(page: str) -> None:
    for ident in ("search", "search-result", "legend", "filters", "network", "year-slider",
                  "color-by", "label-by", "show-context", "filter-isolated", "panel"):
        assert f'id="{ident}"' in page
    assert "<title>平湖创新图谱</title>" in page
    assert "WenQuanYi Micro Hei" in page and "Noto Sans CJK SC" in page
    assert "window.KG" in page
    assert "stabilizationIterationsDone" in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_embedded_json_counts_and_content(page: str) -> None:
    g = small_graph()
    data = embedded_data(page)
    assert len(data["nodes"]) == g.number_of_nodes()
    assert len(data["edges"]) == g.number_of_edges() == 3
    assert 'data-node-count="3"' in page
    pairs = [(e["from"], e["to"], e["predicate"]) for e in data["edges"]]
    assert (f"{EX}e/1", f"{EX}u/1", "cofounded") in pairs
    assert (f"{EX}e/1", f"{EX}u/1", "partnerOf") in pairs  # parallel edge kept
    assert sorted(e["curve"] for e in data["edges"]) == [0, 0, 1]
    assert data["years"] == ["2021", "2022", "2023"]
    assert data["predicates"] == ["cofounded", "locatedIn", "partnerOf"]
    assert [t["type"] for t in data["types"]] == ["Enterprise", "University", "Place"]
    by_id = {n["id"]: n for n in data["nodes"]}
    ent = by_id[f"{EX}e/1"]
    assert ent["label"] == "平湖科技股份有限公司"
    assert ent["aliases"] == ["平湖科技"]
    assert ent["figures"] == ["营业收入3900万余元"]
    assert 1 <= len(ent["evidence"]) <= viz.MAX_TOOLTIP_EVIDENCE
    assert ent["evidence"][0]["title"] == XSS_IMG  # strongest edge's evidence first, intact
    # Untrusted text survives the round trip exactly (escaping is lossless).
    assert by_id[f"{EX}u/1"]["label"] == XSS_SCRIPT
    assert data["layout"] == "physics"
    assert data["options"]["physics"]["enabled"] is True
    assert data["options"]["physics"]["solver"] == "forceAtlas2Based"


def test_untrusted_text_never_raw(page: str) -> None:
    assert XSS_SCRIPT not in page
    assert XSS_IMG not in page
    assert "<img" not in page
    assert "\u2028" not in page and "\u2029" not in page
    # Only our three script elements; the JSON block cannot be closed early.
    assert page.lower().count("</script") == 3
    assert page.count("<!--") == 0
    # Hostile titles are escaped too.
    hostile = viz.render_html(nx.MultiDiGraph(), title=XSS_IMG + XSS_SCRIPT)
    assert XSS_IMG not in hostile and XSS_SCRIPT not in hostile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    # Tooltips are built with textContent, never parsed as HTML.
    assert "innerHTML" not in asset("graph.js")
    assert "textContent" in asset("graph.js")


def test_deterministic_output() -> None:
    g1 = small_graph()
    # Same graph built in a different insertion order.
    g2 = nx.MultiDiGraph()
    for n in reversed(list(g1.nodes)):
        g2.add_node(n, **g1.nodes[n])
    for u, v, k, d in reversed(list(g1.edges(keys=True, data=True))):
        g2.add_edge(u, v, key=k, **d)
    a = viz.render_html(g1, title="t")
    assert a == viz.render_html(g1, title="t")
    assert a == viz.render_html(g2, title="t")
    pa = viz.render_html(g1, title="t", layout="precomputed", seed=3)
    assert pa == viz.render_html(g2, title="t", layout="precomputed", seed=3)


def test_size_by_measure() -> None:
    g = small_graph()
    by_pr = {
        n["id"]: n
        for n in embedded_data(viz.render_html(g, title="t", size_by="pagerank"))["nodes"]
    }
    by_deg = {n["id"]: n for n in embedded_data(viz.render_html(g, title="t"))["nodes"]}
    ent, uni, place = f"{EX}e/1", f"{EX}u/1", f"{EX}p/1"
    assert by_pr[uni]["size"] > by_pr[ent]["size"]  # pagerank 0.6 > 0.05
    assert by_pr[uni]["size"] == viz.MAX_NODE_SIZE
    assert by_pr[uni]["measure"] == pytest.approx(0.6)
    assert by_pr[place]["size"] == viz.MIN_NODE_SIZE  # missing measure -> smallest
    assert by_deg[ent]["size"] > by_deg[uni]["size"] > by_deg[place]["size"]  # default degree
    for n in by_deg.values():
        assert viz.MIN_NODE_SIZE <= n["size"] <= viz.MAX_NODE_SIZE


def test_degree_fallback_without_measures() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", label="甲", type="Person", aliases=[])
    g.add_node("b", label="乙", type="Person", aliases=[])
    g.add_node("c", label="丙", type="Mystery", aliases=None)
    g.add_edge("a", "b", key="knows", predicate="knows", weight=1, evidence=[], years=[])
    g.add_edge("a", "c", key="knows", predicate="knows", weight=1, evidence=[], years=[])
    data = embedded_data(viz.render_html(g, title="t"))
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    assert sizes["a"] > sizes["b"] == sizes["c"]
    assert data["types"][-1]["type"] == "Mystery"  # unknown types get the fallback style


def test_large_graph_precomputed_without_physics() -> None:
    g = random_graph(2500)
    start = time.perf_counter()
    page = viz.render_html(g, title="大图")
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"rendering 2500 nodes took {elapsed:.1f}s"
    data = embedded_data(page)
    assert len(data["nodes"]) == 2500
    assert len(data["edges"]) == g.number_of_edges()
    assert data["layout"] == "precomputed"
    assert data["options"]["physics"] == {"enabled": False}
    assert 'data-physics="false"' in page
    xs = [n["x"] for n in data["nodes"]]
    ys = [n["y"] for n in data["nodes"]]
    assert all(isinstance(v, int) for v in xs + ys)
    assert len(set(zip(xs, ys, strict=True))) > 2400  # nodes are spread out


def test_layout_modes() -> None:
    g = small_graph()
    pre = embedded_data(viz.render_html(g, title="t", layout="precomputed"))
    assert pre["layout"] == "precomputed"
    assert pre["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in pre["nodes"])
    phys = embedded_data(viz.render_html(g, title="t", layout="physics"))
    assert all("x" not in n for n in phys["nodes"])
    with pytest.raises(ValueError):
        viz.render_html(g, title="t", layout="spiral")


def test_empty_graph() -> None:
    data = embedded_data(viz.render_html(nx.MultiDiGraph(), title="空"))
    assert data["nodes"] == [] and data["edges"] == []


def test_write_html_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.html"
    result = viz.write_html(small_graph(), target, title="平湖", size_by="pagerank")
    assert result == target
    text = target.read_text(encoding="utf-8")
    assert text == viz.render_html(small_graph(), title="平湖", size_by="pagerank")
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]  # no temp files left
    viz.write_html(small_graph(), target, title="再次")
    assert "<title>再次</title>" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


# --------------------------------------------------------------------------- pages and `kg viz`


def test_tooltip_data_caps_figures_and_refs_articles() -> None:
    g = small_graph()
    g.nodes[f"{EX}e/1"]["figures"] = [f"数字{i}" for i in range(9)]
    data = embedded_data(viz.render_html(g, title="t", focus=f"{EX}e/1"))
    ent = {n["id"]: n for n in data["nodes"]}[f"{EX}e/1"]
    assert len(ent["figures"]) == viz.MAX_TOOLTIP_FIGURES and ent["figure_count"] == 9
    assert ent["evidence"][0]["ref"] == "1"  # the part after /article/
    assert data["focus"] == f"{EX}e/1"
    assert embedded_data(viz.render_html(g, title="t", focus="nope"))["focus"] == ""


def test_neighbourhood_slug_measures() -> None:
    g = random_graph(60, seed=1)
    center = f"{EX}n/0"
    one = viz.neighbourhood(g, center, 1)
    assert set(one) == {center} | set(g.successors(center)) | set(g.predecessors(center))
    assert set(viz.neighbourhood(g, center, 0)) == {center}
    assert set(one) <= set(viz.neighbourhood(g, center, 2))
    assert viz.slugify("a/b c") == "a-b-c" and viz.slugify("<>") == "x"
    for m in ("degree", "weighted_degree", "betweenness", "pagerank", "core_number"):
        values = viz.measure_values(g, m)
        assert set(values) == set(g) and all(v is not None and v >= 0 for v in values.values())
    assert sum(viz.measure_values(g, "pagerank").values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown measure"):
        viz.measure_values(g, "nonsense")
    sized = viz.with_measure(g, "betweenness")
    assert all("betweenness" in sized.nodes[n]["measures"] for n in sized)
    # Measures the nodes already carry win.
    for n in sized:
        sized.nodes[n]["measures"]["betweenness"] = 7.0
    assert set(viz.measure_values(sized, "betweenness").values()) == {7.0}


def _run(*args: str) -> Any:
    from click.testing import CliRunner

    from kg.cli import main

    return CliRunner().invoke(main, ["viz", *args])


def test_cli_viz_pages(built_output: Path, tmp_path: Path) -> None:
    store = str(built_output / "store")
    res = _run("--store", store, "--out", str(tmp_path / "a"), "--size-by", "pagerank")
    assert res.exit_code == 0, res.output
    page = (tmp_path / "a" / "graph.html").read_text(encoding="utf-8")
    assert embedded_data(page)["size_by"] == "pagerank"
    again = _run("--store", store, "--out", str(tmp_path / "b"), "--size-by", "pagerank")
    assert again.exit_code == 0
    assert (tmp_path / "b" / "graph.html").read_text(encoding="utf-8") == page  # deterministic

    res = _run("--store", store, "--out", str(tmp_path / "f"), "--focus", "清华大学",
               "--hops", "1")
    assert res.exit_code == 0, res.output
    (focus,) = (tmp_path / "f").glob("focus-*.html")
    assert focus.name == "focus-清华大学.html"
    data = embedded_data(focus.read_text(encoding="utf-8"))
    assert data["focus"].endswith("清华大学") and 1 < len(data["nodes"]) < 100
    assert not (tmp_path / "f" / "graph.html").exists()

    res = _run("--store", store, "--out", str(tmp_path / "c"), "--communities")
    assert res.exit_code == 0, res.output
    pages = sorted((tmp_path / "c").glob("community-*.html"))
    assert len(pages) >= 2 and (tmp_path / "c" / "community-1.html") in pages
    sizes = [len(embedded_data(p.read_text(encoding="utf-8"))["nodes"]) for p in pages]
    assert min(sizes) >= 3
    assert "社区 Community 1" in pages[0].read_text(encoding="utf-8")
    from kg.analysis import CONTEXT_TYPES

    for p in pages:  # communities of actors: no star around a place
        assert not {n["type"] for n in embedded_data(p.read_text("utf-8"))["nodes"]} & \
            CONTEXT_TYPES


def test_cli_viz_errors(built_output: Path, tmp_path: Path) -> None:
    store = str(built_output / "store")
    res = _run("--store", store, "--out", str(tmp_path), "--focus", "清华大")
    assert res.exit_code == 2
    assert "no entity named" in res.output and "did you mean" in res.output
    assert "清华大学" in res.output
    res = _run("--store", store, "--out", str(tmp_path), "--size-by", "nonsense")
    assert res.exit_code == 2 and "unknown measure" in res.output
    res = _run("--store", str(tmp_path / "missing"), "--out", str(tmp_path))
    assert res.exit_code == 2 and "kg build" in res.output
    assert list(tmp_path.glob("*.html")) == []


def actor_star() -> nx.MultiDiGraph:
    """Two pairs of working firms and a university, all in one city (a context node)."""
    ent = "https://w3id.org/pinghu-kg/id/entity/"
    g = nx.MultiDiGraph()
    names = {"a": ("甲乙科技有限公司", "Enterprise"), "b": ("丙丁材料有限公司", "Enterprise"),
             "c": ("戊己电子有限公司", "Enterprise"), "d": ("庚辛大学", "University"),
             "p": ("某某市", "Place"), "x": ("孤单科技有限公司", "Enterprise")}
    for label, typ in names.values():
        g.add_node(f"{ent}{typ}/{label}", label=label, type=typ, aliases=[])
    iri = {k: f"{ent}{typ}/{label}" for k, (label, typ) in names.items()}
    for s, o, pred in [("a", "b", "cooperatesWith"), ("c", "d", "cooperatesWith"),
                       ("a", "p", "locatedIn"), ("b", "p", "locatedIn"), ("c", "p", "locatedIn"),
                       ("d", "p", "locatedIn"), ("x", "p", "locatedIn")]:
        g.add_edge(iri[s], iri[o], key=pred, predicate=pred, weight=1,
                   evidence=[_evidence(f"{names[s][0]}与{names[o][0]}。")], years=["2022"])
    return g


def test_actor_view_payload() -> None:
    g = actor_star()
    data = embedded_data(viz.render_html(g, title="t"))
    by_label = {n["label"]: n for n in data["nodes"]}
    assert data["context_types"] == ["Place"]
    assert by_label["某某市"]["context"] is True and by_label["某某市"]["m"] == {}
    firm = by_label["甲乙科技有限公司"]
    assert firm["context"] is False
    assert set(firm["m"]) == set(viz.PAGE_MEASURES) and firm["m"]["degree"] == 1
    assert by_label["孤单科技有限公司"]["m"]["degree"] == 0  # isolated among actors
    # Communities of the actors only: two pairs, never a star around the city.
    assert data["communities"] == 2
    assert firm["community"] == by_label["丙丁材料有限公司"]["community"]
    assert firm["community"] != by_label["庚辛大学"]["community"]
    assert by_label["某某市"]["community"] is None
    assert by_label["孤单科技有限公司"]["community"] is None
    assert firm["entity"].startswith("/entity/Enterprise/")
    assert data["measures"] == list(viz.PAGE_MEASURES)
    assert data["top_labels"] == viz.TOP_LABELS


def test_page_assets_have_the_analyst_flows() -> None:
    js = asset("graph.js")
    for hook in ("doubleClick", "shortestPaths", "year-slider", "show-context", "panel",
                 "isolated hidden"):
        assert hook in js
    assert "innerHTML" not in js and "eval(" not in js


def test_to_pyvis_is_a_configured_network() -> None:
    pytest.importorskip("pyvis")
    from pyvis.network import Network

    net = viz.to_pyvis(actor_star())
    assert isinstance(net, Network)
    labels = {n["label"] for n in net.nodes}
    assert "甲乙科技有限公司" in labels and "某某市" not in labels  # actors only
    assert len(net.edges) == 2
    assert "forceAtlas2Based" in net.options if isinstance(net.options, str) else True
    html = net.generate_html()
    assert "<script src=" not in html  # vis-network inlined
    every = viz.to_pyvis(actor_star(), all_types=True)
    assert "某某市" in {n["label"] for n in every.nodes}
