"""Self-contained interactive HTML view of the knowledge graph (vis-network, inlined).

The page produced by :func:`render_html` makes no network requests: the vis-network
JavaScript and CSS bundled with pyvis are inlined, the graph is embedded as escaped JSON
in a ``<script type="application/json">`` block, and a Content-Security-Policy meta tag
forbids any fetch.  All text coming from articles is treated as untrusted: it only ever
reaches the DOM through ``textContent`` (tooltips, legend, filters are built in JS), and
the page title is HTML-escaped in Python.

Output is deterministic: nodes and edges are sorted, layouts use fixed seeds and no
timestamps are written, so the same graph always renders to byte-identical HTML.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.io import asset, atomic_write_text

__all__ = [
    "PHYSICS_MAX_NODES",
    "TYPE_STYLES",
    "measure_values",
    "neighbourhood",
    "render_html",
    "slugify",
    "to_pyvis",
    "with_measure",
    "write_html",
]

#: Graphs with more nodes than this get a precomputed layout and no physics (``layout="auto"``).
PHYSICS_MAX_NODES = 1000
#: Physics pages with more nodes than this draw edges as static curves (no physics per edge).
DYNAMIC_EDGES_MAX_NODES = 300

#: Largest graph laid out with exact O(n²) repulsion in Python (grid approximation above).
EXACT_LAYOUT_MAX_NODES = 800

#: Pixel range for node sizes.
MIN_NODE_SIZE = 10.0
MAX_NODE_SIZE = 40.0

#: Actors labelled on the first view (the top ones by the chosen measure; the rest on hover).
TOP_LABELS = 20

#: Measures the page can label and size by (computed on the actor graph).
PAGE_MEASURES: tuple[str, ...] = ("degree", "weighted_degree", "betweenness", "pagerank")

#: Above this many actors the page's betweenness is sampled (fixed seed).
PAGE_BETWEENNESS_EXACT_MAX = 500

#: Colours of the largest communities (the rest share the last one).
COMMUNITY_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#ad494a", "#637939", "#aaaaaa",
)

#: Evidence sentences shown per tooltip, and the cap on each sentence's length.
MAX_TOOLTIP_EVIDENCE = 3
#: Key figures shown per tooltip (the rest are counted).
MAX_TOOLTIP_FIGURES = 5
MAX_SENTENCE_CHARS = 240

_FONT_FACE = (
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'
)

#: type -> (Chinese name, colour, vis-network shape).  Shapes all draw the label below the
#: node, so ``size`` applies to every one of them.
TYPE_STYLES: dict[str, tuple[str, str, str]] = {
    "Enterprise": ("企业", "#1f77b4", "dot"),
    "University": ("高校", "#ff7f0e", "triangle"),
    "ResearchInstitute": ("科研院所", "#2ca02c", "triangle"),
    "GovernmentBody": ("政府机构", "#d62728", "square"),
    "Platform": ("创新平台", "#9467bd", "hexagon"),
    "Fund": ("基金", "#8c564b", "diamond"),
    "FinancialInstitution": ("金融机构", "#e377c2", "diamond"),
    "Person": ("人物", "#17becf", "dot"),
    "Event": ("活动", "#bcbd22", "star"),
    "Program": ("计划/项目", "#7f7f7f", "triangleDown"),
    "Award": ("奖项", "#ffbb00", "star"),
    "Place": ("地点", "#393b79", "square"),
    "Industry": ("产业", "#637939", "hexagon"),
    "Media": ("媒体", "#ad494a", "triangleDown"),
}
_OTHER_STYLE = ("其他", "#aaaaaa", "dot")

_LAYOUTS = ("auto", "physics", "precomputed")

_VIS_DIR = ("lib", "vis-9.1.2")
_SOURCE_MAP_RE = re.compile(r"^[ \t]*//[#@] sourceMappingURL=[^\r\n]*", re.MULTILINE)
_CSS_SOURCE_MAP_RE = re.compile(r"/\*[#@] sourceMappingURL=[^*]*\*/")


# --------------------------------------------------------------------------- assets


@functools.lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """Return (javascript, css) of the vis-network build bundled with pyvis, made inline-safe."""
    base = resources.files("pyvis")
    for part in _VIS_DIR:
        base = base.joinpath(part)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    # A source-map comment would make dev tools fetch a file; drop it.
    js = _SOURCE_MAP_RE.sub("", js)
    css = _CSS_SOURCE_MAP_RE.sub("", css)
    # Defensive: these sequences would end/confuse the surrounding raw-text element.
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return js, css


def _script_json(value: Any) -> str:
    """JSON for embedding inside a ``<script>`` element: no ``<``, ``>``, ``&``, U+2028/9."""
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- data


def _str_list(value: Any) -> list[str]:
    """Coerce an attribute to a list of non-empty strings (tolerates None / a bare string)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v)]
    return [str(value)]


def _clip(text: Any, limit: int = MAX_SENTENCE_CHARS) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _evidence_items(evidence: Any) -> list[dict[str, str]]:
    """Normalise an edge's ``evidence`` list to dicts of clipped strings, dropping blanks."""
    items: list[dict[str, str]] = []
    if not isinstance(evidence, Iterable) or isinstance(evidence, (str, bytes)):
        return items
    for ev in evidence:
        if not isinstance(ev, Mapping):
            continue
        sentence = _clip(ev.get("sentence"))
        if not sentence:
            continue
        article = _clip(ev.get("article"), 300)
        items.append(
            {
                "sentence": sentence,
                "title": _clip(ev.get("title"), 120),
                "date": _clip(ev.get("date"), 40),
                "article": article,
                "ref": _article_ref(article),
            }
        )
    return items


def _article_ref(article: str) -> str:
    """Short, human-readable reference for an article IRI (the part after ``/article/``)."""
    _, sep, tail = article.rpartition("/article/")
    return tail if sep and tail else article


def _finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _node_sizes(
    graph: nx.MultiDiGraph, nodes: list[Any], size_by: str
) -> tuple[dict[Any, float], dict[Any, float | None]]:
    """Pixel size per node from ``measures[size_by]`` (sqrt-scaled, min-max), and raw values.

    For ``degree`` a missing measure falls back to the node's degree in ``graph``; any other
    missing measure counts as the smallest value present.
    """
    raw: dict[Any, float | None] = {}
    for n in nodes:
        measures = graph.nodes[n].get("measures") or {}
        value = _finite(measures.get(size_by)) if isinstance(measures, Mapping) else None
        if value is None and size_by == "degree":
            value = float(graph.degree(n))
        raw[n] = value
    present = [v for v in raw.values() if v is not None]
    lo = min(present) if present else 0.0
    hi = max(present) if present else 0.0
    sizes: dict[Any, float] = {}
    for n, v in raw.items():
        if hi <= lo:
            size = (MIN_NODE_SIZE + MAX_NODE_SIZE) / 2 if present else MIN_NODE_SIZE * 1.5
        else:
            norm = ((lo if v is None else v) - lo) / (hi - lo)
            size = MIN_NODE_SIZE + (MAX_NODE_SIZE - MIN_NODE_SIZE) * math.sqrt(norm)
        sizes[n] = round(size, 2)
    return sizes, raw


def _repulsion(np: Any, pos: Any, k: float, grid: int) -> Any:
    """Fruchterman-Reingold repulsion (``k²/d`` along each pair) felt by every node.

    ``grid == 0`` sums over all pairs (O(n²), chunked).  Otherwise the other nodes are lumped
    into the centroids of a ``grid`` x ``grid`` mesh over the bounding box (O(n·grid²)); a
    node's own cell is represented by the centroid of the *other* nodes in it.
    """
    n = len(pos)
    x, y = pos[:, 0], pos[:, 1]
    k2 = k * k
    if grid == 0:
        cx, cy, mass = x, y, np.ones(n)
    else:
        lo = pos.min(axis=0)
        span = np.maximum(pos.max(axis=0) - lo, 1e-9)
        cells = np.minimum((((pos - lo) / span) * grid).astype(np.intp), grid - 1)
        cell = cells[:, 0] * grid + cells[:, 1]
        count = np.bincount(cell, minlength=grid * grid).astype(float)
        sum_x = np.bincount(cell, weights=x, minlength=grid * grid)
        sum_y = np.bincount(cell, weights=y, minlength=grid * grid)
        used = np.flatnonzero(count)
        mass = count[used]
        cx, cy = sum_x[used] / mass, sum_y[used] / mass
    disp = np.zeros((n, 2))
    chunk = max(1, 1_000_000 // len(cx))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        dx = x[start:stop, None] - cx[None, :]
        dy = y[start:stop, None] - cy[None, :]
        w = k2 * mass / np.maximum(dx * dx + dy * dy, 1e-6)
        disp[start:stop, 0] = (dx * w).sum(axis=1)
        disp[start:stop, 1] = (dy * w).sum(axis=1)
    if grid:
        own = np.searchsorted(used, cell)
        # Remove the own-cell centroid term (it includes the node itself) ...
        dx, dy = x - cx[own], y - cy[own]
        w = k2 * mass[own] / np.maximum(dx * dx + dy * dy, 1e-6)
        disp[:, 0] -= dx * w
        disp[:, 1] -= dy * w
        # ... and add the centroid of the other nodes sharing the cell.
        others = mass[own] - 1
        has = others > 0
        safe = np.maximum(others, 1)
        dx = x - np.where(has, (sum_x[cell] - x) / safe, x)
        dy = y - np.where(has, (sum_y[cell] - y) / safe, y)
        w = np.where(has, k2 * others / np.maximum(dx * dx + dy * dy, 1e-6), 0.0)
        disp[:, 0] += dx * w
        disp[:, 1] += dy * w
    return disp


def _precomputed_positions(
    n: int, pairs: list[tuple[int, int]], seed: int
) -> list[tuple[int, int]]:
    """Fruchterman-Reingold positions in pixels for nodes ``0..n-1``, deterministic for ``seed``.

    A numpy implementation with few iterations (networkx's spring_layout needs scipy above
    500 nodes and is slow there): exact repulsion up to :data:`EXACT_LAYOUT_MAX_NODES`
    nodes, a grid approximation above.  Falls back to a golden-angle spiral without numpy.
    """
    if n == 0:
        return []
    spread = 60.0 * math.sqrt(n) + 200.0
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with the scientific stack
        golden = math.pi * (3 - math.sqrt(5))
        return [
            (
                round(spread * math.sqrt((i + 0.5) / n) * math.cos(i * golden)),
                round(spread * math.sqrt((i + 0.5) / n) * math.sin(i * golden)),
            )
            for i in range(n)
        ]

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = math.sqrt(1.0 / n)
    exact = n <= EXACT_LAYOUT_MAX_NODES
    grid = 0 if exact else min(32, max(8, int(math.sqrt(n) / 2)))
    iterations = 50 if exact else 40
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    edges = np.array(sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b}), dtype=np.intp)
    edges = edges.reshape(-1, 2)
    for _ in range(iterations):
        disp = _repulsion(np, pos, k, grid)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.sqrt(np.maximum((delta * delta).sum(axis=1), 1e-12))
            force = delta * (dist / k)[:, None]
            np.add.at(disp, edges[:, 0], -force)
            np.add.at(disp, edges[:, 1], force)
        length = np.sqrt(np.maximum((disp * disp).sum(axis=1), 1e-12))
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max()) or 1.0
    pos *= spread / extent
    return [(int(round(px)), int(round(py))) for px, py in pos.tolist()]


def _edge_sort_key(edge: tuple[Any, Any, Any, Mapping[str, Any]]) -> tuple[str, str, str]:
    u, v, key, _ = edge
    return (str(u), str(v), str(key))


def _graph_payload(
    graph: nx.MultiDiGraph, *, size_by: str, layout: str, seed: int, focus: str = ""
) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready plain data (sorted, deterministic)."""
    nodes = sorted(graph.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted(graph.edges(keys=True, data=True), key=_edge_sort_key)
    precomputed = layout == "precomputed" or (layout == "auto" and len(nodes) > PHYSICS_MAX_NODES)

    # Evidence per node, strongest edges first, de-duplicated by sentence.
    incident: dict[Any, list[tuple[int, str, dict[str, str]]]] = {n: [] for n in nodes}
    edge_rows: list[dict[str, Any]] = []
    predicates: set[str] = set()
    years: set[str] = set()
    pair_count: dict[frozenset[str], int] = {}
    for i, (u, v, key, data) in enumerate(edges):
        predicate = str(data.get("predicate") or key)
        weight = int(_finite(data.get("weight")) or 1)
        evidence = _evidence_items(data.get("evidence"))
        edge_years = sorted(set(_str_list(data.get("years"))))
        predicates.add(predicate)
        years.update(edge_years)
        pair = frozenset((str(u), str(v)))
        curve = pair_count.get(pair, 0)  # parallel / reciprocal edges get curved apart
        pair_count[pair] = curve + 1
        edge_rows.append(
            {
                "id": f"e{i}",
                "from": str(u),
                "to": str(v),
                "predicate": predicate,
                "weight": weight,
                "years": edge_years,
                "evidence": evidence[:MAX_TOOLTIP_EVIDENCE],
                "evidence_count": len(evidence),
                "curve": curve,
            }
        )
        for ev in evidence[:MAX_TOOLTIP_EVIDENCE]:
            for end in (u, v):
                incident[end].append((-weight, f"{i:09d}", ev))

    sizes, raw_measures = _node_sizes(graph, nodes, size_by)
    actor_measures, community_of, n_communities = _actor_view(graph, seed)
    positions: list[tuple[int, int]] | None = None
    if precomputed:
        pairs = [(index[u], index[v]) for u, v, _, _ in edges]
        positions = _precomputed_positions(len(nodes), pairs, seed)

    type_counts: dict[str, int] = {}
    node_rows: list[dict[str, Any]] = []
    for i, n in enumerate(nodes):
        data = graph.nodes[n]
        ntype = str(data.get("type") or "Other")
        type_counts[ntype] = type_counts.get(ntype, 0) + 1
        label = str(data.get("label") or str(n).rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        figures = _str_list(data.get("figures"))
        seen: set[str] = set()
        node_evidence: list[dict[str, str]] = []
        for _, _, ev in sorted(incident[n], key=lambda t: (t[0], t[1])):
            if ev["sentence"] in seen:
                continue
            seen.add(ev["sentence"])
            node_evidence.append(ev)
            if len(node_evidence) >= MAX_TOOLTIP_EVIDENCE:
                break
        row: dict[str, Any] = {
            "id": str(n),
            "label": label,
            "type": ntype,
            "aliases": _str_list(data.get("aliases")),
            "figures": [_clip(f, 120) for f in figures[:MAX_TOOLTIP_FIGURES]],
            "figure_count": len(figures),
            "evidence": node_evidence,
            "size": sizes[n],
            "measure": raw_measures[n],
            "context": ntype in _context_types(),
            "m": actor_measures.get(n, {}),
            "community": community_of.get(n),
            "entity": _entity_link(str(n)),
        }
        if positions is not None:
            row["x"], row["y"] = positions[i]
        node_rows.append(row)

    types = []
    order = {t: i for i, t in enumerate(TYPE_STYLES)}  # legend in canonical type order
    for ntype in sorted(type_counts, key=lambda t: (order.get(t, len(order)), t)):
        zh, color, shape = TYPE_STYLES.get(ntype, _OTHER_STYLE)
        types.append(
            {"type": ntype, "zh": zh, "color": color, "shape": shape, "count": type_counts[ntype]}
        )

    return {
        "nodes": node_rows,
        "edges": edge_rows,
        "types": types,
        "predicates": sorted(predicates),
        "years": sorted(years),
        "size_by": size_by,
        "measures": list(PAGE_MEASURES),
        "context_types": sorted(t["type"] for t in types if t["type"] in _context_types()),
        "communities": n_communities,
        "community_colours": list(COMMUNITY_COLOURS),
        "top_labels": TOP_LABELS,
        "focus": focus if focus in index else "",
        "layout": "precomputed" if precomputed else "physics",
        "options": _vis_options(precomputed, len(nodes), seed),
    }


def _context_types() -> frozenset[str]:
    from .analysis import CONTEXT_TYPES

    return CONTEXT_TYPES


def _entity_link(iri: str) -> str:
    """The entity page of ``iri`` as served by ``kg serve`` (``/entity/…``), else the IRI."""
    from .server import entity_path

    return entity_path(iri) or (iri if iri.startswith(("http://", "https://")) else "")


def _actor_view(
    graph: nx.MultiDiGraph, seed: int
) -> tuple[dict[Any, dict[str, float | None]], dict[Any, int], int]:
    """Measures and Louvain communities of the actors (context types are not measured).

    Returns per-actor :data:`PAGE_MEASURES` (rounded), the community index of each actor in
    a community of two or more (largest first, from 0) and the number of such communities.
    """
    from . import analysis

    actors = analysis.actor_graph(graph)
    if actors.number_of_nodes() == 0:
        return {}, {}, 0
    k = 200 if actors.number_of_nodes() > PAGE_BETWEENNESS_EXACT_MAX else None
    values = analysis.measures(actors, seed=seed, betweenness_k=k, only=PAGE_MEASURES)
    out: dict[Any, dict[str, float | None]] = {}
    for n, rec in values.items():
        out[n] = {}
        for m in PAGE_MEASURES:
            v = _finite(rec.get(m))
            out[n][m] = None if v is None else round(v, 6)
    community_of: dict[Any, int] = {}
    groups = [c for c in analysis.communities(actors, seed=seed) if len(c) > 1]
    for i, members in enumerate(groups):
        for n in members:
            community_of[n] = i
    return out, community_of, len(groups)


def _vis_options(precomputed: bool, n_nodes: int, seed: int) -> dict[str, Any]:
    """vis-network options: stabilise-then-stop physics, or no physics for precomputed layouts."""
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "font": {"face": _FONT_FACE, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "borderWidth": 1,
            "scaling": {"label": {"drawThreshold": 1}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "font": {
                "face": _FONT_FACE,
                "size": 10,
                "align": "middle",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "color": {"color": "#9aa5b1", "highlight": "#d9480f", "inherit": False},
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": False,
        },
        "layout": {"randomSeed": seed, "improvedLayout": n_nodes <= 200},
    }
    if precomputed:
        options["physics"] = {"enabled": False}
        options["edges"]["smooth"] = False
        options["interaction"]["hideEdgesOnDrag"] = True
        options["interaction"]["hideEdgesOnZoom"] = n_nodes > 2 * PHYSICS_MAX_NODES
    else:
        options["physics"] = {
            "enabled": True,
            # ForceAtlas2 spreads the hubs' stars apart (barnesHut packed the seed graph's core
            # so tightly that its labels overlapped)
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.02,
                "springLength": 120,
                "springConstant": 0.06,
                "damping": 0.4,
                "avoidOverlap": 0.6,
            },
            "stabilization": {
                "enabled": True,
                "iterations": 400,
                "updateInterval": 25,
                "fit": True,
            },
        }
        # "dynamic" curves add a physics body per edge: fine for a few hundred nodes, but a
        # 1,000-node page took 30 s to settle in headless Chromium (bench/results.md)
        curve = "dynamic" if n_nodes <= DYNAMIC_EDGES_MAX_NODES else "continuous"
        options["edges"]["smooth"] = {"enabled": True, "type": curve}
    return options


# --------------------------------------------------------------------------- page

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)



_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{vis_css}
</style>
<style>{page_css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div id="searchbar">
<input id="search" type="search" placeholder="搜索名称或别名 Search name / alias" \
autocomplete="off" aria-label="search">
<button id="search-btn" type="button">搜索</button>
<span id="search-result" role="status" aria-live="polite"></span>
</div>
<div id="controls">
<label>颜色 Colour <select id="color-by"><option value="community">社区 community</option>\
<option value="type">类型 type</option></select></label>
<label>标注 Labels <select id="label-by"></select></label>
<label id="context"><input id="show-context" type="checkbox"> 背景 context</label>
<label id="isolated"><input id="filter-isolated" type="checkbox" checked> 隐藏孤立 hide \
isolated</label>
<label id="year-box">年份 Year <input id="year-slider" type="range" min="0" max="0" value="0" \
aria-label="year"> <span id="year-label"></span></label>
</div>
<span id="stats"></span>
</header>
<main>
<aside>
<section id="legend"><h2>图例 Legend</h2><ul></ul></section>
<section id="filters"><details><summary>筛选 Filters</summary>
<fieldset id="filter-types"><legend>类型 Type</legend></fieldset>
<fieldset id="filter-predicates"><legend>关系 Predicate</legend></fieldset>
</details></section>
</aside>
<div id="network" data-node-count="{n_nodes}" data-edge-count="{n_edges}" \
data-layout="{layout}" data-physics="{physics}"></div>
<aside id="panel" hidden><button id="panel-close" type="button" aria-label="close">×</button>
<section id="path"></section><div id="panel-body"></div></aside>
</main>
<script type="application/json" id="kg-data">{data_json}</script>
<script>
{vis_js}
</script>
<script>{app_js}</script>
</body>
</html>
"""


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str,
    size_by: str | None = None,
    layout: str = "auto",
    seed: int = 0,
    focus: str | None = None,
    show_context: bool | None = None,
) -> str:
    """Render ``graph`` as a complete, self-contained interactive HTML page.

    Args:
        graph: knowledge graph (node attrs ``label``, ``type``, ``aliases``, optional
            ``figures`` / ``measures``; edge key = predicate, attrs ``predicate``,
            ``weight``, ``evidence``, ``years``).
        title: page title (HTML-escaped).
        size_by: key in each node's ``measures`` used for node size; default ``"degree"``
            (computed from the graph when a node has no such measure).
        layout: ``"auto"`` (physics up to :data:`PHYSICS_MAX_NODES` nodes, precomputed
            above), ``"physics"`` (ForceAtlas2, stabilise then stop) or ``"precomputed"``
            (positions computed in Python, physics disabled).
        seed: seed for the Python layout and vis-network's ``layout.randomSeed``.
        focus: id of a node to emphasise and select once the layout has settled.
        show_context: draw the context types (places, industries, programmes, awards,
            events) on the first view; by default only on a ``focus`` page.

    Returns:
        The HTML document; identical input gives byte-identical output.
    """
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be one of {_LAYOUTS}, got {layout!r}")
    payload = _graph_payload(
        graph, size_by=size_by or "degree", layout=layout, seed=seed, focus=focus or ""
    )
    payload["show_context"] = bool(focus) if show_context is None else show_context
    vis_js, vis_css = _vis_assets()
    safe_title = html.escape(title, quote=True)
    return _TEMPLATE.format(
        csp=_CSP,
        title=safe_title,
        vis_css=vis_css,
        page_css=asset("graph.css"),
        n_nodes=len(payload["nodes"]),
        n_edges=len(payload["edges"]),
        layout=payload["layout"],
        physics="true" if payload["options"]["physics"]["enabled"] else "false",
        data_json=_script_json(payload),
        vis_js=vis_js,
        app_js=asset("graph.js"),
    )


def write_html(graph: nx.MultiDiGraph, path: str | Path, **kw: Any) -> Path:
    """Render ``graph`` (see :func:`render_html` for keyword arguments) and write it atomically."""
    return atomic_write_text(path, render_html(graph, **kw))


# --------------------------------------------------------------------------- subgraphs

_SLUG_RE = re.compile(r"[^\w\u3400-\u9fff]+")


def slugify(text: str, limit: int = 40) -> str:
    """File-name-safe slug: letters, digits and CJK kept, everything else becomes ``-``.

    >>> slugify("平湖 科技/股份 (有限) 公司")
    '平湖-科技-股份-有限-公司'
    >>> slugify("../..")
    'x'
    """
    slug = _SLUG_RE.sub("-", unicodedata.normalize("NFKC", text)).strip("-_")[:limit]
    return slug.strip("-_") or "x"


def neighbourhood(graph: nx.MultiDiGraph, center: Any, hops: int = 2) -> nx.MultiDiGraph:
    """The subgraph of nodes within ``hops`` links of ``center`` (either direction), copied."""
    if center not in graph:
        raise KeyError(center)
    if hops < 0:
        raise ValueError("hops must be >= 0")
    seen = {center}
    frontier = [center]
    for _ in range(hops):
        nxt = []
        for n in frontier:
            for m in sorted(set(graph.successors(n)) | set(graph.predecessors(n)), key=str):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return graph.subgraph(seen).copy()


def measure_values(graph: nx.MultiDiGraph, measure: str) -> dict[Any, float | None]:
    """Per-node value of ``measure``: the nodes' own ``measures`` when every node has it, else
    computed by :func:`kg.analysis.measures` (``None`` where undefined).  Raises
    ``ValueError`` for a measure that :data:`kg.analysis.MEASURES` does not know."""
    stored: dict[Any, float | None] = {}
    for n, data in graph.nodes(data=True):
        m = data.get("measures")
        if not isinstance(m, Mapping) or measure not in m:
            break
        stored[n] = _finite(m[measure])
    else:
        return stored
    from . import analysis

    if measure not in analysis.MEASURES:
        choices = ", ".join(analysis.MEASURES)
        raise ValueError(f"unknown measure {measure!r}; choose from {choices}")
    values = analysis.measures(graph, only=(measure,))
    return {n: _finite(values.get(n, {}).get(measure)) for n in graph.nodes}


def with_measure(graph: nx.MultiDiGraph, measure: str) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose nodes carry ``measures[measure]`` (see :func:`measure_values`)."""
    values = measure_values(graph, measure)
    out = graph.copy()
    for n, value in values.items():
        old = out.nodes[n].get("measures")
        measures = dict(old) if isinstance(old, Mapping) else {}
        measures[measure] = None if value is None else round(value, 6)
        out.nodes[n]["measures"] = measures
    return out


def to_pyvis(
    graph: nx.MultiDiGraph,
    *,
    size_by: str = "degree",
    height: str = "650px",
    seed: int = 0,
    all_types: bool = False,
) -> Any:
    """A configured ``pyvis.network.Network`` of ``graph`` for notebook users who know pyvis.

    Actors only by default (context types are left out, as on the page's first view; pass
    ``all_types=True`` for every entity), coloured by type, sized by ``size_by`` (a measure of
    the nodes' ``measures`` or computed), with plain-text tooltips (pyvis renders ``title`` as
    text) and the same ForceAtlas2 physics as the page. Call ``.show("x.html")`` or
    ``.generate_html()`` on the result; pyvis's own template loads vis-network from a CDN
    unless ``cdn_resources="in_line"`` (the default here) is kept.
    """
    from pyvis.network import Network

    from . import analysis

    view = graph if all_types else analysis.actor_graph(graph)
    view = with_measure(view, size_by)
    nodes = sorted(view.nodes, key=str)
    sizes, _ = _node_sizes(view, nodes, size_by)
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line",
                  notebook=False)
    for n in nodes:
        d = view.nodes[n]
        ntype = str(d.get("type") or "Other")
        zh, color, shape = TYPE_STYLES.get(ntype, _OTHER_STYLE)
        label = str(d.get("label") or n)
        tip = "\n".join([label, f"{zh} {ntype}"] + [f"{size_by}: {d['measures'][size_by]}"])
        net.add_node(str(n), label=label, title=tip, color=color, shape=shape,
                     size=sizes[n], group=ntype)
    for u, v, key, d in sorted(view.edges(keys=True, data=True), key=_edge_sort_key):
        ev = _evidence_items(d.get("evidence"))
        tip = str(d.get("predicate") or key) + (f"\n{ev[0]['sentence']}" if ev else "")
        net.add_edge(str(u), str(v), title=tip, label=str(d.get("predicate") or key),
                     value=int(_finite(d.get("weight")) or 1))
    options = _vis_options(False, len(nodes), seed)
    options["edges"]["font"]["size"] = 0  # predicates in the tooltips, not on every edge
    net.set_options(json.dumps(options, ensure_ascii=False, sort_keys=True))
    return net
