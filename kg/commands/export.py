"""``kg export``: JSON-LD, GraphML, GEXF and CSV files of the built graph."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import InputProblem


@click.command(name="export")
@click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
              type=click.Choice(["jsonld", "graphml", "gexf", "csv", "all"]),
              help="What to write (repeatable): pinghu.jsonld, pinghu.graphml, pinghu.gexf, "
                   "entities.csv + relations.csv.")
@click.option("--out", "out", default="output", show_default=True,
              type=click.Path(path_type=Path), help="Folder to write into.")
@click.option("--store", "store_path", default=None, type=click.Path(path_type=Path),
              help="The store to export  [default: OUT/store]")
def export_cmd(formats: tuple[str, ...], out: Path, store_path: Path | None) -> None:
    """Export the graph for Gephi, Cytoscape, spreadsheets and JSON-LD tools."""
    from ..export import FORMATS, write_exports
    from ..store import StoreError, open_store

    wanted = list(FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    try:
        store = open_store(store_path or out / "store")
    except StoreError as exc:
        raise InputProblem(str(exc)) from None
    for path in write_exports(store, out, wanted):
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


COMMANDS = [export_cmd]
