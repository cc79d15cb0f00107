"""`kg viz`: interactive pages for the whole graph, one entity's neighbourhood, or communities.

Pages are written by :mod:`kg.viz` (self-contained, offline, escaped). Entities are found by
name or alias with :func:`kg.analysis.find_entity`; communities are
:func:`kg.analysis.communities` of the actor graph (Louvain, fixed seed; places, industries,
programmes, awards and events are context, not members), numbered largest first from 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..cli import Failed, InputProblem

_TITLE = "平湖科创知识图谱 Pinghu innovation graph"


def resolve_entity(graph: Any, name: str) -> Any:
    """The node called ``name``; :class:`InputProblem` (exit 2) with suggestions if unknown."""
    from ..analysis import find_entity

    try:
        return find_entity(graph, name)
    except LookupError as exc:
        raise InputProblem(str(exc.args[0] if exc.args else exc)) from None


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
              help="Node size by this measure of kg.analysis.measures (degree, weighted_degree, "
                   "betweenness, pagerank, eigenvector, effective_size, core_number, ...).")
@click.option("--layout", type=click.Choice(["auto", "physics", "precomputed"]), default="auto",
              show_default=True, help="Physics that settles, or a layout computed in Python.")
def viz(store_path: Path, out: Path, focus: str | None, hops: int, communities: bool,
        min_size: int, size_by: str, layout: str) -> None:
    """Write interactive graph pages: graph.html, or --focus / --communities pages."""
    from ..analysis import actor_graph, project
    from ..analysis import communities as find_communities
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
    if communities:  # on the actor graph: places and industries are context, not hubs
        groups = [c for c in find_communities(actor_graph(graph)) if len(c) >= min_size]
        if not groups:
            click.echo(f"no community with {min_size} or more members", err=True)
        for i, members in enumerate(groups, start=1):
            sub = graph.subgraph(members).copy()
            pages.append((out / f"community-{i}.html", sub,
                          {"title": _community_title(graph, i, members)}))
    for path, sub, kw in pages:
        try:
            write_html(sub, path, size_by=size_by, layout=layout, **kw)
        except OSError as exc:
            raise Failed(f"cannot write {path}: {exc}") from None
        click.echo(f"wrote {path} ({sub.number_of_nodes()} nodes, "
                   f"{sub.number_of_edges()} edges)")


COMMANDS = [viz]
