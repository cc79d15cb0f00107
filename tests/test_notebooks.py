"""The notebooks run top to bottom against a fresh build, and hold no logic of their own."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EX = "http://example.org/pinghu/"

# Statements a notebook cell may contain: imports, assignments of call results, expressions.
_ALLOWED = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr)
_FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.If,
              ast.With, ast.Try, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)


def test_notebooks_present() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"explore.ipynb", "change_over_time.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_and_logic(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
        src = "".join(cell["source"])
        tree = ast.parse(src)
        for stmt in tree.body:
            assert isinstance(stmt, _ALLOWED), f"{path.name}: {type(stmt).__name__} in {src!r}"
        assert not [n for n in ast.walk(tree) if isinstance(n, _FORBIDDEN)], src
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
                    a.name for a in node.names]
                assert all(n.split(".")[0] in {"kg", "pandas"} for n in names), src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path: Path, built_output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("KG_STORE", str(built_output / "store"))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend shows charts
    # The kernel imports this checkout's kg even when it is not pip-installed.
    path_var = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), path_var])))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps([o.get("data", o.get("text", "")) for o in outputs], ensure_ascii=False)
    assert str(built_output / "store") in text  # it read the store it was given
    # Every cell shows something, and no table is empty.
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        shown = [o for o in cell.outputs if o.output_type != "stream" or o.name == "stdout"]
        assert shown, f"no output from {cell.source!r}"
        cell_text = json.dumps([o.get("data", o.get("text", "")) for o in shown],
                               ensure_ascii=False)
        assert "Empty DataFrame" not in cell_text, cell.source
    # Chinese is drawn: a CJK font was found and no glyph went missing.
    assert "font: None" not in text and "font: " in text
    stderr = " ".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "missing from" not in stderr and "Glyph" not in stderr
    if path.name == "explore.ipynb":
        assert "<iframe" in text and "srcdoc" in text  # the inline interactive graph
        assert "image/png" in text  # the chart
        chain = next(c for c in nb.cells if "chain_table" in c.source)
        html = chain.outputs[-1]["data"]["text/html"]
        assert html.count("<tr>") >= 2  # a chain of two hops or more (body rows)
        assert "<th>sentence</th>" in html  # with its evidence sentences
        assert len(re.findall(r"<td>[^<]*[\u4e00-\u9fff]{10}[^<]*</td>", html)) >= 2
        communities = next(c for c in nb.cells if "community_table" in c.source)
        assert "members, mostly" in json.dumps(communities.outputs[-1]["data"],
                                                  ensure_ascii=False)
        centrality = next(c for c in nb.cells if c.source.startswith("table = "))
        assert "平湖市</td>" not in centrality.outputs[-1]["data"]["text/html"]  # a place
        assert "Network" in text and "actors," in text  # the pyvis network
    else:
        assert "new_ties" in text and "organisation" in text


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def store(built_output: Path):
    from kg import notebook as kgnb

    return kgnb.load_store(built_output / "store")


def test_store_path_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg import notebook as kgnb

    monkeypatch.delenv("KG_STORE", raising=False)
    assert kgnb.store_path() == Path("../output/store")
    monkeypatch.setenv("KG_STORE", "/x/store")
    assert kgnb.store_path() == Path("/x/store")


def test_sparql_df(store) -> None:
    from kg import notebook as kgnb

    df = kgnb.sparql_df(store, "SELECT ?a WHERE { ?a a kg:Article } ORDER BY ?a LIMIT 3")
    assert list(df.columns) == ["a"] and len(df) == 3
    assert df["a"][0].startswith("id:article/")
    with pytest.raises(ValueError):
        kgnb.sparql_df(store, "ASK { ?s ?p ?o }")


def test_centrality_and_time_tables(store) -> None:
    from kg import notebook as kgnb

    graph = kgnb.load_graph(store)
    table = kgnb.centrality_table(graph, top=5)
    assert len(table) == 5
    assert list(table["degree"]) == sorted(table["degree"], reverse=True)
    years = kgnb.entities_per_year(store)
    assert list(years["year"]) == sorted(years["year"]) and len(years) >= 3
    assert (years["new_entities"] <= years["entities"]).all()
    distinct = kgnb.sparql_df(
        store,
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e prov:wasDerivedFrom ?a . ?a a kg:Article }",
    )
    assert years["new_entities"].sum() == int(distinct["n"][0])
    posts = kgnb.posts_by_year(store)
    assert {"year", "person", "organisation", "roles", "evidence"} <= set(posts.columns)
    assert len(posts) > 0


def _chain_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n, label in (("a", "甲公司"), ("b", "乙大学"), ("c", "丙基金"), ("d", "丁")):
        g.add_node(n, label=label, type="Enterprise", aliases=[f"{label}别名"])
    ev = [{"sentence": "甲乙合作。", "title": "报道", "date": "2021", "article": f"{EX}article/1"}]
    g.add_edge("a", "b", key="cooperatesWith", predicate="cooperatesWith", weight=1,
               evidence=ev, years=["2021"])
    g.add_edge("c", "b", key="investedIn", predicate="investedIn", weight=2, evidence=[],
               years=[])
    return g


def test_chain_and_neighbours() -> None:
    from kg import notebook as kgnb

    g = _chain_graph()
    chain = kgnb.chain_table(g, "甲公司", "丙基金别名")
    assert list(chain["hop"]) == [1, 2] and set(chain["chain"]) == {1}
    assert list(chain["predicate"]) == ["cooperatesWith", "investedIn"]
    assert list(chain["direction"]) == ["→", "←"]
    assert chain["sentence"][0] == "甲乙合作。"
    assert kgnb.chain_table(g, "甲公司", "丁").empty
    near = kgnb.neighbour_table(g, "乙大学")
    assert set(near["predicate"]) == {"cooperatesWith", "investedIn"}
    assert set(near["entity"]) == {"甲公司", "丙基金"} and set(near["distance"]) == {1}
    with pytest.raises(LookupError, match="did you mean"):
        kgnb.neighbour_table(g, "甲公")


def test_inline_graph_is_escaped_iframe() -> None:
    pytest.importorskip("IPython")
    from kg import notebook as kgnb

    g = _chain_graph()
    g.nodes["d"]["label"] = '"><script>alert(1)</script>'
    out = kgnb.inline_graph(g, height=300)
    assert out.data.startswith('<div class="kg-graph"><iframe sandbox="allow-scripts"')
    assert out.data.count("<script") == 0  # the whole page is an escaped attribute value
    assert "height:300px" in out.data
    focused = kgnb.inline_graph(g, focus="甲公司", hops=1)
    assert "乙大学" in focused.data and "丙基金" not in focused.data


def test_connected_pair_and_communities() -> None:
    from kg import notebook as kgnb

    g = _chain_graph()
    g.add_node("p", label="某某市", type="Place", aliases=[])
    for n in ("a", "b", "c", "d"):
        g.add_edge(n, "p", key="locatedIn", predicate="locatedIn", weight=1, evidence=[],
                   years=["2021"])
    # 甲 and 丁 share only the city (context): not linked; 甲 and 丙 are two hops apart.
    assert kgnb.connected_pair(g, ["甲公司", "丁", "丙基金"]) == ("甲公司", "丙基金")
    assert kgnb.connected_pair(g, ["甲公司", "乙大学"]) == ("甲公司", "乙大学")  # only a tie
    with pytest.raises(LookupError):
        kgnb.connected_pair(g, ["甲公司", "丁"])
    table = kgnb.community_table(g)
    assert len(table) == 1 and table["size"][0] == 3
    assert "某某市" in table["places"][0] and "某某市" not in table["leading actors"][0]
    assert table["summary"][0].startswith("3 members")
    ranked = kgnb.centrality_table(g, top=10)
    assert "某某市" not in set(ranked["label"])
    assert "某某市" in set(kgnb.centrality_table(g, top=10, all_types=True)["label"])


def test_matplotlib_draws_chinese() -> None:
    pytest.importorskip("matplotlib")
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kg import notebook as kgnb

    font = kgnb.setup_matplotlib()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    assert matplotlib.rcParams["font.sans-serif"][0] == font
    fig, ax = plt.subplots()
    ax.set_title("平湖科创知识图谱")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns
        fig.canvas.draw()
    plt.close(fig)
