"""``kg serve`` (read-only SPARQL endpoint) and ``kg push`` (load the graph into a store)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from ..cli import Failed, InputProblem


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--store", "store_path", default="output/store", show_default=True,
              type=click.Path(path_type=Path), help="The Oxigraph store built by `kg build`.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback only unless you say otherwise).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may take before it is cancelled (503).")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Most solutions (or triples) returned by one query.")
@click.option("--max-request-bytes", default=64 * 1024, show_default=True,
              type=click.IntRange(min=256), help="Largest request body or query string (413).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes (queries running at the same time).")
@click.option("--quiet", is_flag=True, help="Do not log requests to stderr.")
def serve(store_path: Path, host: str, port: int, timeout: float, max_rows: int,
          max_request_bytes: int, workers: int, quiet: bool) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page and entity pages."""
    import signal
    import threading

    from ..server import ServerConfig, ServerError, make_server
    from ..store import StoreError

    config = ServerConfig(
        store=store_path, host=host, port=port, timeout=timeout, max_rows=max_rows,
        max_request_bytes=max_request_bytes, workers=workers,
        log=None if quiet else (lambda line: click.echo(line, err=True)),
    )
    try:
        server = make_server(config)
    except StoreError as exc:
        raise InputProblem(str(exc)) from None
    except ServerError as exc:
        raise Failed(str(exc)) from None
    except OSError as exc:
        raise InputProblem(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach it can query the graph",
                   err=True)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    click.echo(f"SPARQL endpoint {server.url}/sparql · query page {server.url}/ · "
               f"entities {server.url}/entity/… (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("stopped", err=True)


@click.command()
@click.option("--endpoint", required=True,
              help="Graph Store URL (gsp, e.g. http://localhost:7878/store) or SPARQL Update "
                   "URL (update, e.g. http://localhost:7878/update).")
@click.option("--graph", "graph", default=None,
              help="Put every triple into this named graph IRI, or `default` for the default "
                   "graph; without it each article keeps its own named graph.")
@click.option("--method", type=click.Choice(["gsp", "update"]), default="gsp",
              show_default=True, help="Graph Store Protocol or SPARQL Update (INSERT DATA).")
@click.option("--source", default="output/pinghu.nq", show_default=True,
              type=click.Path(path_type=Path), help="N-Quads, TriG, Turtle or N-Triples file.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Triples per request.")
@click.option("--append", is_flag=True,
              help="Add to the target graphs instead of replacing them.")
@click.option("--content-type", type=click.Choice(["ntriples", "turtle"]), default="ntriples",
              show_default=True, help="Media type of GSP bodies (N-Triples is valid Turtle).")
@click.option("--user", default=None, help="User for HTTP Basic or Digest authentication.")
@click.option("--password", default=None, envvar="KG_PUSH_PASSWORD",
              help="Password (or set KG_PUSH_PASSWORD).")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds per HTTP request.")
def push(endpoint: str, graph: str | None, method: str, source: Path, batch: int, append: bool,
         content_type: str, user: str | None, password: str | None, timeout: float) -> None:
    """Load the built graph into any SPARQL 1.1 store (Oxigraph, Fuseki, Virtuoso, …)."""
    from ..export import PushError, read_quads
    from ..export import push as push_quads

    if not source.is_file():
        raise InputProblem(f"{source}: no such file; run `kg build` first")
    if user and password is None:
        password = os.environ.get("KG_PUSH_PASSWORD") or click.prompt(
            "password", hide_input=True, default="", show_default=False)
    try:
        quads = read_quads(source)
        report = push_quads(
            quads, endpoint, graph=graph, method=method, batch=batch, append=append,
            content_type="text/turtle" if content_type == "turtle" else "application/n-triples",
            user=user, password=password, timeout=timeout,
        )
    except ValueError as exc:
        raise InputProblem(str(exc)) from None
    except PushError as exc:
        raise Failed(str(exc)) from None
    where = (f"{len(report.graphs)} named graphs" if graph is None
             else f"graph {report.graphs[0] if report.graphs else graph}")
    click.echo(f"pushed {report.triples} triples ({where}) to {endpoint} with "
               f"{report.requests} {method.upper()} request(s)")


COMMANDS = [serve, push]
