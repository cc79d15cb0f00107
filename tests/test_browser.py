"""The graph pages in a real headless Chromium (Debian's ``chromium``, driven by playwright).

`make test` installs chromium when it is missing; without it (or without playwright) these
tests are skipped with the reason.  Pages must work offline: any request other than the
page's own file fails the test.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import viz
from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EX = "http://example.org/pinghu/"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} missing: run `make test` (installs Debian's chromium) or "
    "`apt-get install chromium fonts-wqy-microhei`",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Loaded:
    page: Any
    seconds: float
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def offsite(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file://", "about:"))]


def load(browser: Any, path: Path, *, width: int = 1280, height: int = 800) -> Loaded:
    """Open ``path`` and wait until the layout has settled; record errors/requests/dialogs."""
    page = browser.new_page(viewport={"width": width, "height": height})
    rec = Loaded(page=page, seconds=0.0)
    page.on("console", lambda m: rec.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: rec.errors.append(f"pageerror: {e}"))
    page.on("request", lambda r: rec.requests.append(r.url))

    def on_dialog(d: Any) -> None:
        rec.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("#network[data-stabilized=true]", state="attached", timeout=120_000)
    rec.seconds = time.perf_counter() - start
    return rec


def drawn(page: Any) -> int:
    return int(page.evaluate("window.KG.drawnNodeCount()"))


def hover_tooltip(page: Any, node_id: str) -> str:
    """Bring ``node_id`` into view, hover it and return the tooltip's text."""
    page.evaluate(
        "id => window.KG.network.focus(id, {scale: 1.5, animation: false})", node_id
    )
    page.mouse.move(2, 2)
    pos = page.evaluate("id => window.KG.domPosition(id)", node_id)
    assert pos is not None, node_id
    at = page.evaluate(
        """([id, x, y]) => {
             const r = document.getElementById("network").getBoundingClientRect();
             return window.KG.network.getNodeAt({x: x - r.left, y: y - r.top});
           }""",
        [node_id, pos["x"], pos["y"]],
    )
    assert at == node_id, f"another node ({at}) covers {node_id}"
    page.mouse.move(pos["x"], pos["y"])
    page.mouse.move(pos["x"] + 1, pos["y"])
    tip = page.locator("div.vis-tooltip")
    page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.textContent.length > 0; }",
        timeout=5_000,
    )
    return tip.inner_text()


# --------------------------------------------------------------------------- seed graph


@pytest.fixture(scope="module")
def seed_graph(built_output: Path) -> nx.MultiDiGraph:
    from kg.analysis import project
    from kg.store import open_store

    return project(open_store(built_output / "store"))


@pytest.fixture(scope="module")
def seed_page(browser: Any, built_output: Path) -> Iterator[Loaded]:
    rec = load(browser, built_output / "graph.html", width=1400, height=900)
    yield rec
    rec.page.close()


def test_seed_page_loads_offline_without_errors(seed_page: Loaded) -> None:
    assert seed_page.errors == []
    assert seed_page.offsite() == []
    assert seed_page.dialogs == []
    assert seed_page.requests and seed_page.requests[0].startswith("file://")


def actors_with_ties(graph: nx.MultiDiGraph) -> set[str]:
    from kg.analysis import actor_graph

    a = actor_graph(graph)
    return {n for n in a if any(u != v for u, v in a.edges(n))
            or any(u != v for u, v in a.in_edges(n))}


def test_seed_first_view_shows_actors(seed_page: Loaded, seed_graph: nx.MultiDiGraph) -> None:
    page = seed_page.page
    from kg.analysis import CONTEXT_TYPES

    tied = actors_with_ties(seed_graph)
    assert 50 < len(tied) < seed_graph.number_of_nodes()
    assert set(page.evaluate("window.KG.drawnNodeIds()")) == tied  # no context, no isolated
    assert page.evaluate("window.KG.data.layout") == "physics"  # small enough to settle
    actors = [n for n, d in seed_graph.nodes(data=True) if d["type"] not in CONTEXT_TYPES]
    isolated = len(actors) - len(tied)
    assert int(page.get_attribute("#network", "data-isolated-hidden")) == isolated > 0
    assert f"isolated hidden: {isolated}" in page.inner_text("#stats")
    # Labels on the top actors by the chosen measure, drawn without zooming.
    labelled = page.evaluate("window.KG.labelled()")
    assert len(labelled) == viz.TOP_LABELS
    city = next(n for n, d in seed_graph.nodes(data=True)
                if d["type"] == "Place" and d["label"] == "平湖市")
    assert city not in labelled
    # The legend names communities by their leading actors, or the types.
    legend = page.locator("#legend li").all_inner_texts()
    assert "社区 0 (" in legend[0]
    page.select_option("#color-by", "type")
    legend = page.locator("#legend li").all_inner_texts()
    types = {d["type"] for _, d in seed_graph.nodes(data=True)}
    assert len(legend) == len(types)
    assert any("Enterprise" in t and "企业" in t for t in legend)
    page.select_option("#color-by", "community")
    # Context switches on and off.
    page.check("#show-context")
    assert drawn(page) > len(tied) and city in page.evaluate("window.KG.drawnNodeIds()")
    page.uncheck("#show-context")
    page.uncheck("#filter-isolated")
    assert drawn(page) == len(actors)
    page.check("#filter-isolated")
    assert drawn(page) == len(tied)


def test_controls_fit_1366x768(browser: Any, built_output: Path) -> None:
    rec = load(browser, built_output / "graph.html", width=1366, height=768)
    page = rec.page
    for sel in ("#search", "#color-by", "#label-by", "#show-context", "#filter-isolated",
                "#year-slider", "#stats", "#legend"):
        box = page.locator(sel).bounding_box()
        assert box is not None, sel
        assert box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1366, sel
    assert rec.errors == []
    page.close()


def test_search_finds_a_node(seed_page: Loaded, seed_graph: nx.MultiDiGraph) -> None:
    page = seed_page.page
    node = max(seed_graph.nodes, key=lambda n: (seed_graph.degree(n), str(n)))
    label = seed_graph.nodes[node]["label"]
    page.fill("#search", label)
    page.press("#search", "Enter")
    page.wait_for_function("() => document.getElementById('search-result').className", timeout=5000)
    assert label in page.inner_text("#search-result")
    assert page.evaluate("window.KG.network.getSelectedNodes()") == [node]
    # An alias (or a part of a name) also finds something; nonsense does not.
    page.fill("#search", "不存在的名字zzz")
    page.press("#search", "Enter")
    assert "not found" in page.inner_text("#search-result")
    page.fill("#search", "清华")
    page.click("#search-btn")
    assert "清华" in page.inner_text("#search-result")


def test_tooltip_shows_evidence(seed_page: Loaded, seed_graph: nx.MultiDiGraph) -> None:
    page = seed_page.page
    data = page.evaluate("window.KG.data.nodes.filter(n => n.evidence.length)")
    assert data, "no node with evidence"
    data.sort(key=lambda n: (-len(n["evidence"]), n["id"]))
    last_error: AssertionError | None = None
    for node in data[:5]:  # the first whose centre is not covered by another node
        try:
            text = hover_tooltip(page, node["id"])
        except AssertionError as exc:
            last_error = exc
            continue
        ev = node["evidence"][0]
        assert node["label"] in text
        assert node["type"] in text
        assert "证据 Evidence" in text
        assert ev["sentence"] in text.replace("\n", "")
        assert ev["title"] in text
        assert ev["date"] in text
        return
    raise AssertionError(f"could not hover any node: {last_error}")


def test_filters_hide_nodes(browser: Any, built_output: Path,
                            seed_graph: nx.MultiDiGraph) -> None:
    rec = load(browser, built_output / "graph.html")
    page = rec.page
    page.uncheck("#filter-isolated")
    page.check("#show-context")
    total = seed_graph.number_of_nodes()
    assert drawn(page) == total
    counts: dict[str, int] = {}
    for _, d in seed_graph.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    page.click("#filters summary")
    big = max(sorted(counts), key=lambda t: counts[t])
    box = page.locator(f"#filter-types input[value='{big}']")
    box.uncheck()
    assert drawn(page) == total - counts[big]
    box.check()
    assert drawn(page) == total
    page.locator("#filter-types button", has_text="none").click()
    assert drawn(page) == 0
    page.locator("#filter-types button", has_text="all").click()
    assert drawn(page) == total
    # Predicates hide edges.
    edges = seed_graph.number_of_edges()
    page.locator("#filter-predicates button", has_text="none").click()
    assert page.evaluate("window.KG.drawnEdgeCount()") == 0
    page.locator("#filter-predicates button", has_text="all").click()
    assert page.evaluate("window.KG.drawnEdgeCount()") == edges
    page.close()


def set_slider(page: Any, index: int) -> None:
    page.eval_on_selector(
        "#year-slider",
        "(s, i) => { s.value = String(i); s.dispatchEvent(new Event('input')); }", index)


def test_year_slider_shows_the_graph_as_of_a_year(
        browser: Any, built_output: Path, seed_graph: nx.MultiDiGraph) -> None:
    rec = load(browser, built_output / "graph.html")
    page = rec.page
    page.check("#show-context")
    years = page.evaluate("window.KG.data.years")
    assert len(years) >= 2
    all_edges = page.evaluate("window.KG.drawnEdgeCount()")
    first = years[0]
    set_slider(page, 0)
    assert page.inner_text("#year-label") == f"≤ {first}"
    by_first = sum(1 for _, _, d in seed_graph.edges(data=True)
                   if d["years"] and d["years"][0] <= first)
    assert page.evaluate("window.KG.drawnEdgeCount()") == by_first < all_edges
    counts = []
    for i in range(len(years) + 1):
        set_slider(page, i)
        counts.append(page.evaluate("window.KG.drawnEdgeCount()"))
    assert counts == sorted(counts) and counts[-1] == all_edges  # cumulative
    assert page.inner_text("#year-label") == "全部 all"
    assert rec.errors == []
    page.close()


def click_node(page: Any, node_id: str, *, double: bool = False) -> None:
    """Bring ``node_id`` into view and click (or double-click) its centre with the mouse."""
    page.evaluate("id => window.KG.network.focus(id, {scale: 1.5, animation: false})", node_id)
    pos = page.evaluate("id => window.KG.domPosition(id)", node_id)
    at = page.evaluate(
        """([x, y]) => { const r = document.getElementById("network").getBoundingClientRect();
             return window.KG.network.getNodeAt({x: x - r.left, y: y - r.top}); }""",
        [pos["x"], pos["y"]])
    assert at == node_id, f"another node ({at}) covers {node_id}"
    if double:
        page.mouse.dblclick(pos["x"], pos["y"])
    else:
        page.mouse.click(pos["x"], pos["y"])
    page.wait_for_timeout(400 if double else 100)


def test_click_opens_the_panel_with_every_fact(
        browser: Any, built_output: Path, seed_graph: nx.MultiDiGraph) -> None:
    rec = load(browser, built_output / "graph.html")
    page = rec.page
    bureau = next(n for n, d in seed_graph.nodes(data=True) if d["label"] == "平湖市科技局")
    click_node(page, bureau)
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert page.get_attribute("#panel", "data-node") == bureau
    assert page.inner_text(".panel-title") == "平湖市科技局"
    assert "GovernmentBody" in page.inner_text(".panel-type")
    assert "degree" in page.inner_text(".panel-measures")
    facts = page.locator("#panel .fact")
    n_facts = seed_graph.degree(bureau)
    assert facts.count() == n_facts
    edge = max(list(seed_graph.in_edges(bureau, data=True)) +
               list(seed_graph.out_edges(bureau, data=True)),
               key=lambda e: (e[2]["weight"], e[0], e[1]))
    ev = edge[2]["evidence"][0]
    text = page.inner_text("#panel")
    assert ev["sentence"][:30] in text and ev["title"][:20] in text and ev["date"] in text
    href = page.get_attribute("#panel .entity-link", "href")
    assert href and href.startswith("/entity/GovernmentBody/")
    page.click("#panel-close")
    assert not panel.is_visible()
    assert rec.errors == []
    page.close()


def test_double_click_expands_neighbours(
        browser: Any, built_output: Path, seed_graph: nx.MultiDiGraph) -> None:
    rec = load(browser, built_output / "graph.html")
    page = rec.page
    bureau = next(n for n, d in seed_graph.nodes(data=True) if d["label"] == "平湖市科技局")
    before = set(page.evaluate("window.KG.drawnNodeIds()"))
    neighbours = set(seed_graph.successors(bureau)) | set(seed_graph.predecessors(bureau))
    assert neighbours - before  # some (context) neighbours are hidden at first
    click_node(page, bureau, double=True)
    page.wait_for_function(f"() => window.KG.drawnNodeCount() > {len(before)}", timeout=10_000)
    after = set(page.evaluate("window.KG.drawnNodeIds()"))
    assert neighbours <= after and before <= after
    assert rec.errors == []
    page.close()


def test_path_between_two_picked_actors(
        browser: Any, built_output: Path, seed_graph: nx.MultiDiGraph) -> None:
    from kg.analysis import actor_graph, weighted_projection

    rec = load(browser, built_output / "graph.html")
    page = rec.page
    actors = weighted_projection(actor_graph(seed_graph))
    src = next(n for n, d in seed_graph.nodes(data=True) if d["label"] == "平湖市科技局")
    dst = next(n for n, d in seed_graph.nodes(data=True) if d["label"] == "清华大学")
    hops = nx.shortest_path_length(actors, src, dst)
    assert hops >= 2
    click_node(page, src)
    page.click("#panel .path-start")
    assert "平湖市科技局" in page.inner_text("#path")
    click_node(page, dst)
    assert page.get_attribute("#path", "data-from") == src
    assert page.get_attribute("#path", "data-to") == dst
    chains = page.locator("#path .chain")
    assert 1 <= chains.count() <= 3
    first = chains.first
    assert f"({hops} 跳 hops)" in first.locator(".chain-head").inner_text()
    hop_boxes = first.locator(".hop")
    assert hop_boxes.count() >= hops
    for i in range(hop_boxes.count()):  # evidence on every hop
        assert hop_boxes.nth(i).locator(".ev-sentence").inner_text().strip()
    selected = set(page.evaluate("window.KG.network.getSelectedNodes()"))
    assert {src, dst} <= selected
    assert rec.errors == []
    page.close()


def test_screenshot(browser: Any, built_output: Path) -> None:
    """The screenshot for the README: the first view of the seed graph at 1366x768 (actors
    coloured by community, top actors labelled, isolated actors hidden and counted)."""
    rec = load(browser, built_output / "graph.html", width=1366, height=768)
    page = rec.page
    assert len(page.evaluate("window.KG.labelled()")) == viz.TOP_LABELS
    target = ROOT / "output" / "screenshot.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target))
    page.close()
    assert target.stat().st_size > 20_000
    docs = ROOT / "docs" / "screenshot.png"
    if not docs.exists():  # the committed copy is refreshed by hand, not on every run
        shutil.copyfile(target, docs)


def test_focus_page_selects_its_entity(browser: Any, built_output: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["viz", "--store", str(built_output / "store"), "--out", str(tmp_path),
         "--focus", "浙江清华长三角研究院", "--hops", "1"],
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("focus-*.html")
    rec = load(browser, path)
    page = rec.page
    assert rec.errors == [] and rec.offsite() == []
    focus = page.get_attribute("#network", "data-focus")
    assert focus and focus.endswith("浙江清华长三角研究院")
    assert page.evaluate("window.KG.network.getSelectedNodes()") == [focus]
    assert drawn(page) == page.evaluate("window.KG.data.nodes.length") > 1
    page.close()


# --------------------------------------------------------------------------- hostile text

XSS_CORPUS = [
    "<script>window.__xss = 1; alert('script')</script>",
    '"><img src=x onerror="window.__xss=2;alert(2)">',
    "' onerror='window.__xss=3' x='",
    '" onmouseover="window.__xss=4" "',
    "javascript:window.__xss=5;alert(5)",
    "<a href=\"javascript:alert(6)\">click</a>",
    "<svg/onload=alert(7)>",
    "</script><script>alert(8)</script>",
    "<iframe src=\"javascript:alert(9)\"></iframe>",
    "\u202egnp.exe\u202c 平湖\u202e科技",  # RTL override
    "<!-- \u2028\u2029 ]]> {{constructor.constructor('alert(10)')()}}",
    "<style>body{display:none}</style>",
]


def hostile_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    ids = []
    for i, text in enumerate(XSS_CORPUS):
        node = f"{EX}x/{i}{text}"
        ids.append(node)
        g.add_node(
            node,
            label=text,
            type=list(viz.TYPE_STYLES)[i % 5] if i % 4 else text,
            aliases=[text[::-1], f"别名{i}"],
            figures=[text],
        )
    for i in range(len(ids)):
        text = XSS_CORPUS[i]
        g.add_edge(
            ids[i],
            ids[(i + 1) % len(ids)],
            key=text,
            predicate=text,
            weight=1,
            evidence=[
                {
                    "sentence": f"证据{i}：{text}",
                    "title": text,
                    "date": f"2023{text}",
                    "article": f"javascript:alert({i})//article/{text}",
                }
            ],
            years=["2023", text[:10]],
        )
    return g


def test_hostile_text_never_executes(browser: Any, tmp_path: Path) -> None:
    g = hostile_graph()
    path = viz.write_html(g, tmp_path / "xss.html", title=XSS_CORPUS[0] + XSS_CORPUS[1])
    rec = load(browser, path)
    page = rec.page
    page.check("#show-context")
    page.uncheck("#filter-isolated")
    assert drawn(page) == g.number_of_nodes()
    # Exercise every path that renders untrusted text: tooltips, search, filters, legend.
    for node in sorted(g.nodes):
        page.evaluate("id => window.KG.network.focus(id, {scale: 1.2, animation: false})", node)
        pos = page.evaluate("id => window.KG.domPosition(id)", node)
        page.mouse.move(pos["x"], pos["y"])
        page.mouse.move(pos["x"] + 1, pos["y"] + 1)
        page.wait_for_timeout(200)
    for text in XSS_CORPUS[:4]:
        page.fill("#search", text)
        page.press("#search", "Enter")
    set_slider(page, 0)
    set_slider(page, 1)
    page.evaluate("ids => ids.forEach(id => window.KG.select(id))", sorted(g.nodes))
    page.click("#filters summary")
    page.locator("#filter-types button", has_text="none").click()
    page.locator("#filter-types button", has_text="all").click()
    page.wait_for_timeout(300)
    assert rec.dialogs == []
    assert page.evaluate("window.__xss") is None
    injected = page.evaluate(
        """() => document.querySelectorAll(
             'img, iframe, svg, object, embed, frame, body style, [onerror], [onload]'
           ).length"""
    )
    assert injected == 0
    # The only links are the panel's own: names (#) and entity pages, never javascript:.
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    assert hrefs and all(h == "#" or h.startswith(("/entity/", "http://", "https://"))
                         for h in hrefs), hrefs
    last = g.nodes[sorted(g.nodes)[-1]]["label"]
    assert last in page.inner_text("#panel .panel-title")  # the last one selected, as text
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert rec.offsite() == []
    assert rec.errors == []
    # The text is shown as text.
    assert XSS_CORPUS[0] in page.inner_text("h1")
    page.select_option("#color-by", "type")
    legend = page.inner_text("#legend")
    assert XSS_CORPUS[0] in legend
    tip = page.evaluate("document.querySelector('div.vis-tooltip').textContent")
    assert "证据" in tip or "Type" in tip
    page.close()


# --------------------------------------------------------------------------- big graph


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
            evidence=[{"sentence": f"句子{i}", "title": "标题", "date": "2023-01-01",
                       "article": f"{EX}article/{i}"}],
            years=[str(2018 + i % 6)],
        )
    return g


def test_2000_node_page_is_responsive(browser: Any, tmp_path: Path) -> None:
    g = random_graph(2000)
    path = viz.write_html(g, tmp_path / "big.html", title="2000")
    rec = load(browser, path)
    page = rec.page
    assert rec.errors == [] and rec.offsite() == []
    assert page.evaluate("window.KG.data.layout") == "precomputed"
    page.check("#show-context")
    page.uncheck("#filter-isolated")
    assert drawn(page) == 2000
    # Interaction stays fast: a filter change redraws quickly.
    page.click("#filters summary")
    start = time.perf_counter()
    page.locator("#filter-types input[value='Enterprise']").uncheck()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
    filter_s = time.perf_counter() - start
    assert drawn(page) < 2000
    report = {"nodes": 2000, "edges": g.number_of_edges(), "load_s": round(rec.seconds, 2),
              "filter_s": round(filter_s, 3)}
    print("\nbig-graph timing:", json.dumps(report))
    (ROOT / "output").mkdir(exist_ok=True)
    (ROOT / "output" / "browser-timing.json").write_text(json.dumps(report) + "\n")
    assert rec.seconds < 10, report  # the bar is 3 s on an idle machine (0.9 s measured)
    assert filter_s < 5, report
    page.close()
