"""``kg serve`` (read-only SPARQL endpoint) and ``kg push`` (load the graph into a store)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from ..cli import Failed, InputProblem

_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20,
          "mib": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30}


class ByteSize(click.ParamType):
    """A size in bytes: ``1048576``, ``512M``, ``2GiB`` (K, M, G are powers of 1024)."""

    name = "size"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().replace(" ", "")
        digits = text.rstrip("kmgib")
        unit = text[len(digits):]
        try:
            number = float(digits)
        except ValueError:
            number = -1.0
        if unit not in _UNITS or number < 0:
            self.fail(f"{value!r} is not a size such as 512M or 2G", param, ctx)
        return int(number * _UNITS[unit])


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
@click.option("--max-result-bytes", default="16M", show_default=True, type=ByteSize(),
              help="Largest answer; a longer one is cut (X-KG-Truncated).")
@click.option("--max-memory", default="2G", show_default=True, type=ByteSize(),
              help="Memory a query worker may add after opening the store; a query that needs "
                   "more is cancelled (503) and the worker replaced. 0: no limit.")
@click.option("--client-timeout", default=10.0, show_default=True,
              type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's line and headers (and again its "
                   "body); slower connections are closed.")
@click.option("--max-connections", default=64, show_default=True,
              type=click.IntRange(1, 10_000), help="Connections served at once (more: 503).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host header is NAME (repeatable); by default "
                   "only the address the server is bound to (and loopback names on loopback).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes (queries running at the same time).")
@click.option("--quiet", is_flag=True, help="Do not log requests to stderr.")
def serve(store_path: Path, host: str, port: int, timeout: float, max_rows: int,
          max_request_bytes: int, max_result_bytes: int, max_memory: int,
          client_timeout: float, max_connections: int, allowed_hosts: tuple[str, ...],
          workers: int, quiet: bool) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page and entity pages."""
    import signal
    import threading

    from ..server import ServerConfig, ServerError, make_server
    from ..store import StoreError

    config = ServerConfig(
        store=store_path, host=host, port=port, timeout=timeout, max_rows=max_rows,
        max_request_bytes=max_request_bytes, max_result_bytes=max_result_bytes,
        max_memory=max_memory, client_timeout=client_timeout,
        max_connections=max_connections, allowed_hosts=allowed_hosts, workers=workers,
        log=None if quiet else (lambda line: click.echo(line, err=True)),
        warn=lambda line: click.echo(f"warning: {line}", err=True),
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
