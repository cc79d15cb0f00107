"""``kg export``: JSON-LD, GraphML, GEXF and CSV files of the built graph, and the Turtle, TriG
and N-Quads files a build writes only for small corpora."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import InputProblem


@click.command(name="export")
@click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
              type=click.Choice(["jsonld", "graphml", "gexf", "csv", "all",
                                 "nquads", "turtle", "trig", "rdf"]),
              help="What to write (repeatable): pinghu.jsonld, pinghu.graphml, pinghu.gexf, "
                   "entities.csv + relations.csv (all: these four); pinghu.nq, pinghu.ttl, "
                   "pinghu.trig (rdf: these three), the bytes the build would have written.")
@click.option("--out", "out", default="output", show_default=True,
              type=click.Path(path_type=Path), help="Folder to write into.")
@click.option("--store", "store_path", default=None, type=click.Path(path_type=Path),
              help="The store to export  [default: OUT/store]")
def export_cmd(formats: tuple[str, ...], out: Path, store_path: Path | None) -> None:
    """Export the graph for Gephi, Cytoscape, spreadsheets, JSON-LD and RDF tools."""
    from ..export import FORMATS, write_exports
    from ..outputs import RDF_FORMATS, write_rdf_exports
    from ..store import StoreError, open_store

    chosen = {f for f in formats if f not in ("all", "rdf")}
    chosen |= set(FORMATS) if "all" in formats else set()
    chosen |= set(RDF_FORMATS) if "rdf" in formats else set()
    store_path = store_path or out / "store"
    try:
        store = open_store(store_path)
        rdf = [f for f in RDF_FORMATS if f in chosen]
        written = write_rdf_exports(out, rdf, source=store_path.parent) if rdf else []
    except StoreError as exc:
        raise InputProblem(str(exc)) from None
    written += write_exports(store, out, [f for f in FORMATS if f in chosen])
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


COMMANDS = [export_cmd]
