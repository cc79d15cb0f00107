"""`kg viz`: interactive pages for the whole graph, one entity's neighbourhood, or communities.

Pages are written by :mod:`kg.viz` (self-contained, offline, escaped). Entities are found by
name or alias through ``kg.analysis.find_entity`` and communities come from
``kg.analysis.communities``; small private fallbacks stand in while those are missing.
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path
from typing import Any

import click

from ..cli import Failed, InputProblem

_TITLE = "平湖科创知识图谱 Pinghu innovation graph"


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _names(graph: Any, node: Any) -> list[str]:
    data = graph.nodes[node]
    names = [str(data.get("label") or node)]
    aliases = data.get("aliases") or []
    names += [str(a) for a in ([aliases] if isinstance(aliases, str) else aliases) if a]
    return names


def suggestions(graph: Any, name: str, limit: int = 8) -> list[str]:
    """Labels close to ``name`` (edit similarity first, then substring matches)."""
    labels = sorted({str(d.get("label") or n) for n, d in graph.nodes(data=True)})
    close = difflib.get_close_matches(name, labels, n=limit, cutoff=0.4)
    key = _norm(name)
    if key:
        close += [x for x in labels if x not in close and (key in _norm(x) or _norm(x) in key)]
    return close[:limit]


def _fallback_find(graph: Any, name: str) -> Any | None:
    """Node whose label or alias equals ``name`` (normalised); ties: highest degree, then id."""
    key = _norm(name)
    hits = [n for n in graph.nodes if key and key in {_norm(x) for x in _names(graph, n)}]
    if not hits:
        return None
    return sorted(hits, key=lambda n: (-graph.degree(n), str(n)))[0]


def resolve_entity(graph: Any, name: str) -> Any:
    """The node called ``name``; raises :class:`InputProblem` with suggestions if unknown."""
    from .. import analysis

    finder = getattr(analysis, "find_entity", None)
    node = None
    try:
        node = finder(graph, name) if finder is not None else _fallback_find(graph, name)
    except (LookupError, ValueError):
        node = None
    if isinstance(node, (list, tuple)):  # a ranked list of candidates
        node = node[0] if node else None
    if node is None or node not in graph:
        close = suggestions(graph, name)
        hint = f"; did you mean: {'、'.join(close)}" if close else ""
        raise InputProblem(f"no entity named {name!r}{hint}")
    return node


def _communities(graph: Any, seed: int = 0) -> list[list[str]]:
    from .. import analysis

    fn = getattr(analysis, "communities", None)
    if fn is not None:
        return [list(c) for c in fn(graph, seed=seed)]
    import networkx as nx

    from ..viz import _simple_undirected

    found = nx.community.louvain_communities(_simple_undirected(graph), weight="weight",
                                             seed=seed)
    groups = [sorted(map(str, c)) for c in found]
    return sorted(groups, key=lambda c: (-len(c), c))


def _community_title(graph: Any, index: int, members: list[str]) -> str:
    top = sorted(members, key=lambda n: (-graph.degree(n), str(n)))[:3]
    names = "、".join(str(graph.nodes[n].get("label") or n) for n in top)
    return f"社区 Community {index} ({len(members)}): {names}"


@click.command("viz")
@click.option("--store", "store_path", default="output/store", show_default=True,
              type=click.Path(path_type=Path), help="Graph store made by `kg build`.")
@click.option("--out", "out", default="output", show_default=True,
              type=click.Path(path_type=Path), help="Folder for the pages.")
@click.option("--focus", "focus", metavar="NAME",
              help="Only the neighbourhood of this entity (name or alias): focus-<slug>.html.")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 10),
              help="Neighbourhood radius for --focus.")
@click.option("--communities", "communities", is_flag=True,
              help="One page per community: community-<n>.html.")
@click.option("--min-size", default=3, show_default=True, type=click.IntRange(1),
              help="Smallest community that gets a page.")
@click.option("--size-by", "size_by", default="degree", show_default=True, metavar="MEASURE",
              help="Node size by this measure (degree, weighted_degree, betweenness, pagerank, "
                   "core, or any measure the nodes carry).")
@click.option("--layout", type=click.Choice(["auto", "physics", "precomputed"]), default="auto",
              show_default=True, help="Physics that settles, or a layout computed in Python.")
def viz(store_path: Path, out: Path, focus: str | None, hops: int, communities: bool,
        min_size: int, size_by: str, layout: str) -> None:
    """Write interactive graph pages: graph.html, or --focus / --communities pages."""
    from ..analysis import project
    from ..store import StoreError, open_store
    from ..viz import neighbourhood, slugify, with_measure, write_html

    try:
        graph = project(open_store(store_path))
    except StoreError as exc:
        raise InputProblem(str(exc)) from None
    center = resolve_entity(graph, focus) if focus else None
    try:
        graph = with_measure(graph, size_by)
    except ValueError as exc:
        raise InputProblem(str(exc)) from None

    pages: list[tuple[Path, Any, dict[str, Any]]] = []
    if center is None and not communities:
        pages.append((out / "graph.html", graph, {"title": _TITLE}))
    if center is not None:
        label = str(graph.nodes[center].get("label") or center)
        sub = neighbourhood(graph, center, hops)
        pages.append((out / f"focus-{slugify(label)}.html", sub,
                      {"title": f"{label} · {hops} 跳 hops", "focus": str(center)}))
    if communities:
        groups = [c for c in _communities(graph) if len(c) >= min_size]
        if not groups:
            click.echo(f"no community with {min_size} or more members", err=True)
        for i, members in enumerate(groups, start=1):
            sub = graph.subgraph(members).copy()
            pages.append((out / f"community-{i}.html", sub,
                          {"title": _community_title(graph, i, members)}))
    try:
        for path, sub, kw in pages:
            write_html(sub, path, size_by=size_by, layout=layout, **kw)
            click.echo(f"wrote {path} ({sub.number_of_nodes()} nodes, "
                       f"{sub.number_of_edges()} edges)")
    except OSError as exc:
        raise Failed(f"cannot write pages to {out}: {exc}") from None


COMMANDS = [viz]
