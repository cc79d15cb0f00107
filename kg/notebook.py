"""Small helpers the notebooks in ``notebooks/`` call, so the notebooks hold no logic.

Everything returns data (pandas DataFrames, networkx graphs) or a displayable object
(a matplotlib ``Axes``, an IPython ``HTML`` with the interactive page in a sandboxed iframe).
pandas, matplotlib and IPython are imported inside the functions that need them.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_STORE",
    "centrality_chart",
    "centrality_table",
    "chain_table",
    "cjk_font",
    "community_table",
    "connected_pair",
    "entities_per_year",
    "inline_graph",
    "load_graph",
    "load_store",
    "neighbour_table",
    "posts_by_year",
    "setup_matplotlib",
    "sparql_df",
    "store_path",
]

#: Where the notebooks look for the store when ``KG_STORE`` is not set (relative to notebooks/).
DEFAULT_STORE = "../output/store"

_CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"]


def store_path(default: str = DEFAULT_STORE) -> Path:
    """The store to use: ``$KG_STORE`` if set, else ``default``."""
    return Path(os.environ.get("KG_STORE") or default)


def load_store(path: str | Path | None = None) -> ox.Store:
    """Open the Oxigraph store read-only (default: :func:`store_path`)."""
    from .store import open_store

    return open_store(Path(path) if path is not None else store_path())


def load_graph(store: ox.Store) -> nx.MultiDiGraph:
    """The entity graph projected from the store (see :func:`kg.analysis.project`)."""
    from .analysis import project

    return project(store)


def _short(value: str | None) -> str | None:
    from .store import PREFIX_MAP

    if value is None:
        return None
    for prefix, ns in sorted(PREFIX_MAP.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def sparql_df(store: ox.Store, query: str, *, shorten: bool = True) -> pd.DataFrame:
    """Run a SELECT query; the solutions as a DataFrame (IRIs shortened to prefixed names)."""
    import pandas as pd

    from .store import run_query

    result = run_query(store, query)
    if result.kind != "select":
        raise ValueError("sparql_df needs a SELECT query")
    rows = [[_short(v) if shorten else v for v in row] for row in result.rows]
    return pd.DataFrame(rows, columns=result.variables)


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label") or node)


def _round4(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def centrality_table(
    graph: nx.MultiDiGraph,
    measures: tuple[str, ...] = ("degree", "weighted_degree", "betweenness", "pagerank"),
    *,
    top: int = 15,
    sort_by: str | None = None,
    all_types: bool = False,
) -> pd.DataFrame:
    """Top ``top`` actors by ``sort_by`` (default: the first measure), one column per measure
    of :func:`kg.analysis.measures` on the actor graph (:func:`kg.analysis.actor_graph`;
    ``all_types=True`` measures places, industries, … too)."""
    import pandas as pd

    from .analysis import actor_graph
    from .analysis import measures as compute

    measured = graph if all_types else actor_graph(graph)
    values = compute(measured)
    key = sort_by or measures[0]
    rows = [
        {"label": _label(measured, n), "type": measured.nodes[n].get("type", ""),
         **{m: _round4(values.get(n, {}).get(m)) for m in measures}}
        for n in measured.nodes
    ]
    rows.sort(key=lambda r: (r[key] is None, -(r[key] or 0.0), r["label"]))
    return pd.DataFrame(rows[:top], columns=["label", "type", *measures])


#: Font file names of CJK fonts looked for among the system's fonts when matplotlib's cache
#: does not know one (it may predate the font's installation).
_CJK_FILES = ("wqy", "notosanscjk", "notoserifcjk", "sourcehansans", "droidsansfallback")


def cjk_font() -> str | None:
    """The name of an installed font that draws Chinese, found at run time (``None`` if none).

    matplotlib's font list is tried first; failing that, the system's font files whose names
    mark a CJK font are added to it.
    """
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        hit = next((f for f in _CJK_FONTS if f in names), None)
        if hit:
            return hit
        return next((n for n in sorted(names) if "CJK" in n or "Hei" in n or "Han" in n), None)

    found = known()
    if found:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if any(k in Path(path).name.lower().replace("-", "").replace("_", "")
               for k in _CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return known()


def setup_matplotlib() -> str | None:
    """Make matplotlib draw Chinese: the CJK font of :func:`cjk_font` first in
    ``font.sans-serif`` (for every later chart of the session); returns its name."""
    import matplotlib

    font = cjk_font()
    fonts = [font] if font else []
    rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f not in fonts]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = fonts + rest
    matplotlib.rcParams["axes.unicode_minus"] = False
    return font


def centrality_chart(table: pd.DataFrame, measure: str = "degree") -> Any:
    """Horizontal bar chart of ``table[measure]`` by label (Chinese drawn, see
    :func:`setup_matplotlib`)."""
    import matplotlib.pyplot as plt

    setup_matplotlib()
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(table) + 1))
    data = table.iloc[::-1]
    ax.barh(data["label"], data[measure], color="#1f77b4")
    ax.set_xlabel(measure)
    ax.set_title(f"前 {len(table)} 名 Top {len(table)} by {measure}")
    fig.tight_layout()
    return ax


def community_table(graph: nx.MultiDiGraph, *, top: int = 10, seed: int = 0) -> pd.DataFrame:
    """The ``top`` largest communities of the actor graph, as ``report.md`` describes them:
    leading actors, industries, places, years and the sentences written from their facts."""
    import pandas as pd

    from .analysis import actor_graph, communities, describe_communities, measures

    actors = actor_graph(graph)
    comms = communities(actors, seed=seed)
    rows = [
        {"community": c["index"], "size": c["size"],
         "leading actors": "、".join(m["label"] for m in c["members"]),
         "industries": "、".join(i["label"] for i in c["industries"]),
         "places": "、".join(i["label"] for i in c["places"]),
         "years": "–".join(dict.fromkeys(c["years"])),
         "summary": " ".join(c["sentences"])}
        for c in describe_communities(actors, comms, measures(actors, seed=seed))[:top]
    ]
    return pd.DataFrame(rows, columns=["community", "size", "leading actors", "industries",
                                       "places", "years", "summary"])


def connected_pair(graph: nx.MultiDiGraph, labels: Any, *, max_hops: int = 4) -> tuple[str, str]:
    """The first two of ``labels`` (in order) that are not tied directly but linked by a chain
    of at most ``max_hops`` through actors; else the first two linked at all."""
    from .analysis import actor_graph, find_entity, weighted_projection

    names = [str(x) for x in labels]
    ug = weighted_projection(actor_graph(graph))
    ids = [find_entity(graph, n) for n in names]
    fallback: tuple[str, str] | None = None
    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            b = ids[j]
            if a not in ug or b not in ug or not nx.has_path(ug, a, b):
                continue
            hops = nx.shortest_path_length(ug, a, b)
            if 2 <= hops <= max_hops:
                return names[i], names[j]
            fallback = fallback or (names[i], names[j])
    if fallback is None:
        raise LookupError("no two of these entities are linked")
    return fallback


def inline_graph(
    graph: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    hops: int = 2,
    title: str = "平湖科创知识图谱",
    size_by: str = "degree",
    height: int = 600,
) -> Any:
    """The interactive page inside a sandboxed ``<iframe srcdoc>`` (an IPython ``HTML``).

    With ``focus`` (a name or alias), only that entity's ``hops`` neighbourhood is shown.
    """
    from IPython.display import HTML

    from .analysis import find_entity
    from .viz import neighbourhood, render_html, with_measure

    center = None
    if focus is not None:
        center = find_entity(graph, focus)
        graph = neighbourhood(graph, center, hops)
        title = f"{_label(graph, center)} · {hops} hops"
    page = render_html(with_measure(graph, size_by), title=title, size_by=size_by,
                       focus=None if center is None else str(center))
    return HTML(
        f'<div class="kg-graph"><iframe sandbox="allow-scripts" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe></div>'
    )


_LINK_COLUMNS = ["from", "predicate", "to", "direction", "articles", "sentence", "title",
                 "date"]


def _relation_rows(relations: list[dict[str, Any]], evidence: int) -> list[dict[str, Any]]:
    """Rows for :func:`kg.analysis` relation dicts, one per evidence sentence (at least one)."""
    rows = []
    for rel in relations:
        for ev in (rel.get("evidence") or [{}])[: max(evidence, 1)]:
            rows.append({
                "from": rel["subject"], "predicate": rel["predicate"], "to": rel["object"],
                "direction": "→" if rel["direction"] == "forward" else "←",
                "articles": rel.get("weight", 1), "sentence": ev.get("sentence"),
                "title": ev.get("title"), "date": ev.get("date"),
            })
    return rows


def neighbour_table(graph: nx.MultiDiGraph, name: str, *, hops: int = 1,
                    evidence: int = 1) -> pd.DataFrame:
    """Entities within ``hops`` of the one called ``name`` (:func:`kg.analysis.neighbors`),
    one row per relation with its evidence sentence."""
    import pandas as pd

    from .analysis import find_entity, neighbors

    rows = []
    for row in neighbors(graph, find_entity(graph, name), hops=hops):
        for rel in _relation_rows(row["relations"], evidence):
            rows.append({"distance": row["distance"], "entity": row["label"],
                         "type": row.get("type", ""), **rel})
    return pd.DataFrame(rows, columns=["distance", "entity", "type", *_LINK_COLUMNS])


def chain_table(graph: nx.MultiDiGraph, source: str, target: str, *, k: int = 1,
                max_hops: int = 4, evidence: int = 1) -> pd.DataFrame:
    """The ``k`` shortest chains linking two entities (:func:`kg.analysis.paths`), one row per
    relation of each hop with its evidence.  Empty when they are not connected."""
    import pandas as pd

    from .analysis import find_entity, paths

    a, b = find_entity(graph, source), find_entity(graph, target)
    rows = []
    for i, chain in enumerate(paths(graph, a, b, k=k, max_hops=max_hops), start=1):
        for hop, step in enumerate(chain["steps"], start=1):
            rows += [{"chain": i, "hop": hop, **r}
                     for r in _relation_rows(step["relations"], evidence)]
    return pd.DataFrame(rows, columns=["chain", "hop", *_LINK_COLUMNS])


_ENTITIES_PER_YEAR = """
SELECT ?year (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?article) AS ?articles) WHERE {
  ?e prov:wasDerivedFrom ?article .
  ?article a kg:Article ; schema:datePublished ?date .
  BIND(SUBSTR(STR(?date), 1, 4) AS ?year)
} GROUP BY ?year ORDER BY ?year
"""

_TIES_PER_YEAR = """
SELECT ?year (COUNT(DISTINCT ?tie) AS ?ties) WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:assertedIn ?article .
  FILTER(isIRI(?o))
  ?article schema:datePublished ?date .
  BIND(SUBSTR(STR(?date), 1, 4) AS ?year)
  BIND(CONCAT(STR(?s), " ", STR(?p), " ", STR(?o)) AS ?tie)
} GROUP BY ?year ORDER BY ?year
"""


def entities_per_year(store: ox.Store) -> pd.DataFrame:
    """Per article year: entities mentioned, articles, ties (entity–entity facts) asserted,
    and how many of the entities and ties appear for the first time that year."""
    import pandas as pd

    from .store import run_query

    ents = sparql_df(store, _ENTITIES_PER_YEAR)
    ties = sparql_df(store, _TIES_PER_YEAR)
    table = ents.merge(ties, on="year", how="outer").fillna(0)
    first_e: dict[str, str] = {}
    for e, y in run_query(store, """SELECT ?e (MIN(SUBSTR(STR(?d), 1, 4)) AS ?y) WHERE {
            ?e prov:wasDerivedFrom ?a . ?a a kg:Article ; schema:datePublished ?d } GROUP BY ?e
            """).rows:
        first_e[str(e)] = str(y)
    first_t: dict[str, str] = {}
    for t, y in run_query(store, """SELECT ?t (MIN(SUBSTR(STR(?d), 1, 4)) AS ?y) WHERE {
            ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               kg:assertedIn ?art . FILTER(isIRI(?o)) ?art schema:datePublished ?d .
            BIND(CONCAT(STR(?s), " ", STR(?p), " ", STR(?o)) AS ?t) } GROUP BY ?t""").rows:
        first_t[str(t)] = str(y)
    table["new_entities"] = [sum(1 for y in first_e.values() if y == yr) for yr in table["year"]]
    table["new_ties"] = [sum(1 for y in first_t.values() if y == yr) for yr in table["year"]]
    for col in ("entities", "articles", "ties"):
        table[col] = pd.to_numeric(table[col]).astype(int)
    return table.sort_values("year").reset_index(drop=True)


def posts_by_year(store: ox.Store) -> pd.DataFrame:
    """Who held a post in which organisation, per year (:func:`kg.analysis.posts_by_year`),
    with the roles, the number of articles and one evidence sentence."""
    import pandas as pd

    from .analysis import posts_by_year as rows

    table = [
        {"year": r["year"], "person": r["person"], "organisation": r["organisation"],
         "roles": "、".join(r["roles"]), "articles": len(r["articles"]),
         "evidence": r["articles"][0]["sentence"] if r["articles"] else None}
        for r in rows(store)
    ]
    return pd.DataFrame(table, columns=["year", "person", "organisation", "roles", "articles",
                                        "evidence"])
