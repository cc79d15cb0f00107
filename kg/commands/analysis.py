"""Network-analysis commands: ``kg analyze``, ``kg path`` and ``kg neighbors``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

_STORE = click.option("--store", "store_path", default="output/store", show_default=True,
                      type=click.Path(path_type=Path), help="The graph store built by `kg build`.")


def _errors() -> tuple[type[click.ClickException], type[click.ClickException]]:
    """``(InputProblem, Failed)`` from :mod:`kg.cli` (imported late: kg.cli imports us)."""
    from ..cli import Failed, InputProblem

    return InputProblem, Failed


def _load(store_path: Path) -> tuple[Any, Any]:
    from ..analysis import project
    from ..store import QueryError, StoreError, open_store

    try:
        store = open_store(store_path)
        return store, project(store)
    except (StoreError, QueryError) as exc:
        raise _errors()[0](str(exc)) from None


def _find(graph: Any, name: str) -> str:
    from ..analysis import EntityNotFound, find_entity

    try:
        return find_entity(graph, name)
    except EntityNotFound as exc:
        raise _errors()[0](str(exc)) from None


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


@click.command()
@_STORE
@click.option("--out", "out", default="output", show_default=True,
              type=click.Path(path_type=Path), help="Folder for analysis.json and report.md.")
@click.option("--seed", default=0, show_default=True, help="Seed for Louvain and sampling.")
@click.option("--top", default=10, show_default=True, help="Rows per ranking table.")
@click.option("--betweenness-k", "betweenness_k", type=int, default=None,
              help="Sample K pivots for betweenness (default: exact up to 5000 nodes).")
@click.option("--no-store", "no_store", is_flag=True,
              help="Do not write the measures into the store.")
@click.option("--all-types", "all_types", is_flag=True,
              help="Measure every entity (places, industries, programmes, awards, events too);"
                   " by default they are context of the actors.")
def analyze(store_path: Path, out: Path, seed: int, top: int, betweenness_k: int | None,
            no_store: bool, all_types: bool) -> None:
    """Measures, communities, triple helix, time and chains → OUT/analysis.json, report.md.

    The measures are also written into the store's named graph id/graph/measures (kgm:
    predicates) so that SPARQL can rank by them.
    """
    from ..analysis import analyze as run_analysis
    from ..analysis import measure_quads, posts_by_year, report_markdown, write_measures
    from ..io import OutputBusy, atomic_write_text, output_lock
    from ..store import QueryError, StoreError, open_store

    InputProblem, Failed = _errors()
    if top < 1:
        raise InputProblem("--top must be at least 1")
    store, graph = _load(store_path)
    try:
        posts = posts_by_year(store)
    except QueryError as exc:
        raise Failed(str(exc)) from None
    del store
    report = run_analysis(graph, seed=seed, top=top, posts=posts, betweenness_k=betweenness_k,
                          all_types=all_types)
    atomic_write_text(out / "analysis.json", _dump(report) + "\n")
    atomic_write_text(out / "report.md", report_markdown(report))
    written = 0
    if not no_store:
        try:  # the store's folder belongs to one writer at a time (a build, or this)
            with output_lock(Path(store_path).resolve().parent):
                rw = open_store(store_path, read_only=False)
                written = write_measures(rw, measure_quads(report))
                del rw
        except OutputBusy as exc:
            raise Failed(f"cannot write the measures now: {exc}") from None
        except (StoreError, OSError) as exc:
            raise Failed(f"cannot write the measures into {store_path}: {exc}") from None
    s = report["summary"]
    click.echo(f"analysed {s['nodes']} entities, {s['edges']} relations, "
               f"{s['communities']} communities; wrote {out / 'analysis.json'}, "
               f"{out / 'report.md'}"
               + (f"; {written} measure triples in the store" if not no_store else ""))


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-hops", "max_hops", default=4, show_default=True,
              type=click.IntRange(1, 12), help="Longest chain to report.")
@click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Number of chains.")
@click.option("--all-types", "all_types", is_flag=True,
              help="Also pass through places and industries (skipped by default).")
@click.option("--json", "as_json", is_flag=True, help="Print the chains as JSON.")
@_STORE
def path(source: str, target: str, max_hops: int, k: int, all_types: bool, as_json: bool,
         store_path: Path) -> None:
    """The K shortest chains between SOURCE and TARGET, each hop with its evidence."""
    from ..analysis import DEFAULT_AVOID, format_chain, paths

    InputProblem, Failed = _errors()
    _, graph = _load(store_path)
    a, b = _find(graph, source), _find(graph, target)
    if a == b:
        raise InputProblem(f"{source!r} and {target!r} are the same entity")
    chains = paths(graph, a, b, max_hops=max_hops, k=k,
                   avoid_types=() if all_types else DEFAULT_AVOID)
    if as_json:
        click.echo(_dump(chains))
    if not chains:
        la, lb = graph.nodes[a]["label"], graph.nodes[b]["label"]
        hint = "" if all_types else " (try --all-types or a larger --max-hops)"
        raise Failed(f"no chain between {la} and {lb} within {max_hops} hops{hint}")
    if as_json:
        return
    for i, chain in enumerate(chains, 1):
        lines = format_chain(chain)
        click.echo(f"chain {i}: {lines[0]}")
        for line in lines[1:]:
            click.echo(line)
        if i < len(chains):
            click.echo("")


@click.command()
@click.argument("name")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(1, 6))
@click.option("--json", "as_json", is_flag=True, help="Print the neighbours as JSON.")
@_STORE
def neighbors(name: str, hops: int, as_json: bool, store_path: Path) -> None:
    """Entities within HOPS of NAME, with the relation (and sentence) that links them."""
    from ..analysis import neighbors as find_neighbors

    _, graph = _load(store_path)
    node = _find(graph, name)
    rows = find_neighbors(graph, node, hops=hops)
    if as_json:
        click.echo(_dump(rows))
        return
    d = graph.nodes[node]
    click.echo(f"{d['label']}  [{d['type']}]  {len(rows)} entit{'y' if len(rows) == 1 else 'ies'}"
               f" within {hops} hop{'s' if hops != 1 else ''}")
    for r in rows:
        rels = r["relations"]
        rel = rels[0] if rels else None
        how = ""
        if rel:
            arrow = "—" if rel["symmetric"] else "→"
            how = f"{rel['subject']} {arrow}{rel['predicate']}{arrow} {rel['object']}"
            if len(rels) > 1:
                how += f" (+{len(rels) - 1})"
        indent = "  " * r["distance"]
        click.echo(f"{indent}{r['label']}  [{r['type']}]  {how}")
        if rel and rel["evidence"] and hops == 1:
            ev = rel["evidence"][0]
            click.echo(f"{indent}  “{ev.get('sentence', '')}” — {ev.get('title', '')} "
                       f"({ev.get('date', '')})")


COMMANDS = [analyze, path, neighbors]
