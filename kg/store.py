"""Graph store and SPARQL: a persistent Oxigraph store under ``output/store``.

The default graph is the union of all named graphs, so queries need no ``GRAPH`` clause; a
``GRAPH ?g`` clause still reaches each article's graph.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from .rdf import PREFIXES, Shards
from .sparql_guard import QueryRefused, check_query, dataset_options


class QueryError(Exception):
    """A SPARQL query is malformed or cannot run."""


class KeptTextError(Exception):
    """The kept text of a graph a build took as it was is missing or changed (the build is
    run again without taking any; :func:`kg.outputs.build_into`)."""


class StoreError(Exception):
    """The store is missing or unreadable."""


PREFIX_MAP = {k: str(v) for k, v in PREFIXES.items()}
PREFIX_MAP.update(
    {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "kgm": "https://w3id.org/pinghu-kg/measures#",
    }
)


@dataclass
class QueryResult:
    """A SELECT result (``variables``, ``rows``), an ASK result (``boolean``) or triples."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None


def build_store(nquads: str | bytes | Sequence[Path], path: Path) -> Path:
    """Create a fresh persistent store at ``path`` from N-Quads text or N-Quads shard files
    (bulk-loaded one by one), swapped in atomically."""
    return install_store(prepare_store(nquads, Path(path).parent), path)


def prepare_store(nquads: str | bytes | Sequence[Path], parent: Path) -> Path:
    """Load N-Quads into a new store in a hidden folder of ``parent``; returns that folder
    (for :func:`install_store`). Oxigraph loads without holding the GIL, so a caller can
    validate or write other outputs meanwhile."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store.", dir=parent))
    try:
        store = ox.Store(str(tmp))
        if isinstance(nquads, (str, bytes)):
            data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
            store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        else:
            for shard in nquads:
                store.bulk_load(path=str(shard), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def install_store(tmp: Path, path: Path) -> Path:
    """Swap a prepared store in at ``path`` (the previous one is removed only afterwards)."""
    path = Path(path)
    try:
        old = None
        if path.exists():
            old = path.with_name(path.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            path.rename(old)
        Path(tmp).rename(path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


#: The ontology (TBox) lives in the store in a named graph of its own, so that queries can ask
#: for ``?x a/rdfs:subClassOf* org:Organization``; every build installs the current one.
ONTOLOGY_GRAPH = "https://w3id.org/pinghu-kg/id/graph/ontology"


def ontology_quads(path: Path | None = None) -> list[ox.Quad]:
    """The ontology's statements in :data:`ONTOLOGY_GRAPH`, blank nodes named by their order
    of appearance (the same file gives the same quads, so stores stay comparable)."""
    from .vocab import ONTOLOGY_FILE

    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    names: dict[str, ox.BlankNode] = {}

    def fixed(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t.value, ox.BlankNode(f"tbox{len(names)}"))
        return t

    data = Path(path or ONTOLOGY_FILE).read_bytes()
    return [ox.Quad(fixed(t.subject), t.predicate, fixed(t.object), graph)
            for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]


def install_ontology(path: Path) -> None:
    """Replace the ontology graph of the store at ``path`` with the current ontology."""
    store = ox.Store(str(path))
    try:
        store.remove_graph(ox.NamedNode(ONTOLOGY_GRAPH))
        store.extend(ontology_quads())
        store.flush()
    finally:
        del store


#: Beside the store: the graphs it holds, one line each (SHA-256 of the graph's N-Quads, its
#: number of statements, its IRI; ``""`` is the default graph), sorted by IRI. Written after
#: the store was updated, removed before: without it the next build loads a fresh store.
STORE_GRAPHS = ".store-graphs.tsv"
#: Beside the store: each graph's sorted N-Quads text, in a file named by its SHA-256 (the
#: next build's delta and ``kg export`` read them; a file is checked against its name).
GRAPHS_DIR = ".graphs"
#: The file of earlier builds that named the N-Quads the store was made from (now removed).
LEGACY_DIGEST = ".store-nquads.sha256"
#: More changed statements than this, and a fresh bulk load is quicker than a delta.
DELTA_LIMIT = 200_000


@dataclass(frozen=True)
class GraphText:
    """One named graph's statements: sorted N-Quads lines (UTF-8), their digest and count.
    A graph an earlier build made the same (:class:`kg.rdf.GraphInputs`) has no text in
    memory: ``kept`` is the output folder whose :data:`GRAPHS_DIR` keeps it, read (and
    checked) when :attr:`data` is asked for."""

    iri: str
    text: bytes | None
    digest: str
    lines: int
    kept: Path | None = None

    @classmethod
    def of(cls, iri: str, data: bytes) -> GraphText:
        return cls(iri, data, hashlib.sha256(data).hexdigest(), data.count(b"\n"))

    @property
    def data(self) -> bytes:
        if self.text is not None:
            return self.text
        if self.kept is None:
            raise KeptTextError(f"no text for the graph {self.iri}")
        try:
            return stored_graph(self.kept, self.digest)
        except StoreError as exc:
            raise KeptTextError(str(exc)) from None


def graph_texts(shards: Shards, kept: Mapping[str, GraphText] | None = None
                ) -> dict[str, GraphText]:
    """The statements of a build by graph IRI (``shards`` must know its graphs); ``kept``:
    the graphs an earlier build made the same, whose texts are not in memory (they are in
    ``shards`` only as kept texts: not encoded or hashed again)."""
    keys = shards.graph_keys
    if set(keys.values()) != set(shards) or len(keys) != len(shards):
        raise ValueError("the shards do not say which graph each holds")
    kept = kept or {}
    return {iri: kept[iri] if iri in kept and not shards.loaded(key)
            else GraphText.of(iri, shards[key].encode("utf-8"))
            for iri, key in keys.items()}


#: Beside :data:`STORE_GRAPHS`: the digest of each article graph's inputs
#: (:class:`kg.rdf.GraphInputs`) and of its statements, as the build that made the store
#: wrote them; removed and written with :data:`STORE_GRAPHS`.
GRAPH_INPUTS = ".graph-inputs.tsv"


def kept_graphs(folder: Path) -> tuple[dict[str, str], dict[str, GraphText]]:
    """The article graphs of the store in ``folder`` that a build can take as they are when
    their inputs are the same: graph IRI -> the digest of their inputs, and the same graphs
    as :class:`GraphText` without text (read from :data:`GRAPHS_DIR` when needed). Only
    graphs whose record, inputs and kept text agree; none without a record."""
    folder = Path(folder)
    held = read_store_graphs(folder)
    try:
        text = (folder / GRAPH_INPUTS).read_text(encoding="utf-8")
        files = {p.name for p in (folder / GRAPHS_DIR).iterdir()}
    except (OSError, UnicodeDecodeError):
        return {}, {}
    if held is None:
        return {}, {}
    inputs: dict[str, str] = {}
    graphs: dict[str, GraphText] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            return {}, {}
        digest_in, digest, iri = parts
        prev = held.get(iri)
        if prev is None or prev[0] != digest or f"{digest}.nq" not in files:
            continue
        inputs[iri] = digest_in
        graphs[iri] = GraphText(iri, None, digest, prev[1], folder)
    return inputs, graphs


def record_graph_inputs(folder: Path, inputs: Mapping[str, str],
                        graphs: Mapping[str, GraphText]) -> None:
    """Note the digest of each article graph's inputs beside the store's record (after
    :func:`record_store_graphs`)."""
    from .io import atomic_write_text

    lines = [f"{d}\t{graphs[iri].digest}\t{iri}\n" for iri, d in sorted(inputs.items())
             if iri in graphs]
    atomic_write_text(Path(folder) / GRAPH_INPUTS, "".join(lines))


def graph_file(folder: Path, digest: str) -> Path:
    """Where the graph text of SHA-256 ``digest`` is kept in the output folder ``folder``."""
    return Path(folder) / GRAPHS_DIR / f"{digest}.nq"


def read_store_graphs(folder: Path) -> dict[str, tuple[str, int]] | None:
    """What the store in ``folder`` holds by its :data:`STORE_GRAPHS` file: graph IRI ->
    (digest, statements); ``None`` when the file is missing or malformed."""
    try:
        text = (Path(folder) / STORE_GRAPHS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    out: dict[str, tuple[str, int]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]) \
                or not parts[1].isdigit():
            return None
        out[parts[2]] = (parts[0], int(parts[1]))
    return out


def forget_store_graphs(folder: Path) -> None:
    """Remove the record of what the store holds (before the store changes: a build killed
    while it changes the store leaves no record, and the next build loads a fresh store)."""
    for name in (STORE_GRAPHS, LEGACY_DIGEST, GRAPH_INPUTS):
        (Path(folder) / name).unlink(missing_ok=True)


def save_graph_texts(folder: Path, graphs: Mapping[str, GraphText]) -> None:
    """Keep each graph's text in :data:`GRAPHS_DIR` (only those not kept yet, or kept with
    another size). Not synced one by one: a file is checked against the digest in its name
    whenever it is read, and removed if it does not match (the next build writes it again)."""
    d = Path(folder) / GRAPHS_DIR
    d.mkdir(parents=True, exist_ok=True)
    have = {p.name: p.stat().st_size for p in d.iterdir()}
    for g in graphs.values():
        name = f"{g.digest}.nq"
        if g.text is None and name in have:
            continue  # kept by an earlier build (checked whenever it is read)
        if have.get(name) != len(g.data):
            tmp = d / f".{name}.tmp"
            tmp.write_bytes(g.data)
            os.replace(tmp, d / name)
            have[name] = len(g.data)


def record_store_graphs(folder: Path, graphs: Mapping[str, GraphText]) -> None:
    """Note that the store in ``folder`` holds ``graphs`` (whose texts :func:`save_graph_texts`
    kept), and remove the texts of graphs it no longer holds."""
    from .io import atomic_write_text

    folder = Path(folder)
    lines = [f"{g.digest}\t{g.lines}\t{iri}\n" for iri, g in sorted(graphs.items())]
    atomic_write_text(folder / STORE_GRAPHS, "".join(lines))
    (folder / LEGACY_DIGEST).unlink(missing_ok=True)
    keep = {f"{g.digest}.nq" for g in graphs.values()}
    for p in (folder / GRAPHS_DIR).iterdir():
        if p.name not in keep:
            p.unlink(missing_ok=True)


def stored_graph(folder: Path, digest: str) -> bytes:
    """The kept text of a graph, checked against its digest (:class:`StoreError` if it is
    missing or changed; a changed one is removed, and the next build writes it again)."""
    try:
        data = graph_file(folder, digest).read_bytes()
    except OSError as exc:
        raise StoreError(f"the graph text {digest[:12]}… is missing from "
                         f"{Path(folder) / GRAPHS_DIR} ({exc}); run `kg build`") from None
    if hashlib.sha256(data).hexdigest() != digest:
        graph_file(folder, digest).unlink(missing_ok=True)  # the next build writes it again
        raise StoreError(f"the graph text {digest[:12]}… in {Path(folder) / GRAPHS_DIR} has "
                         "changed; run `kg build`")
    return data


def stored_shards(folder: Path) -> Shards:
    """The statements the store in ``folder`` holds (by its record, read from the kept graph
    texts), by graph: what the build that made the store had (:class:`StoreError` if the
    record or a text is missing or does not match)."""
    from .rdf import shard_key

    graphs = read_store_graphs(folder)
    if graphs is None:
        raise StoreError(f"{Path(folder) / STORE_GRAPHS} is missing or damaged; run `kg build`")
    rows: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    problem: StoreError | None = None
    for iri, (digest, _) in graphs.items():
        key = keys[iri] = shard_key(iri)
        try:
            text = stored_graph(folder, digest).decode("utf-8")
        except StoreError as exc:
            problem = problem or exc  # every text is checked (a changed one is removed)
            continue
        rows[key] = [f"{ln}\n" for ln in text.split("\n")[:-1]]  # lines end at "\n" only
    if problem is not None:
        raise problem
    return Shards(rows, keys)


def graph_delta(path: Path, graphs: Mapping[str, GraphText],
                known: Mapping[str, tuple[str, list[str], list[str]]] | None = None,
                check: bool = True) -> tuple[str, str] | None:
    """What to remove from and add to the store at ``path`` to make it hold ``graphs``, as two
    blocks of N-Quads lines; ``None`` when a fresh load is the way: no store or no record of
    what it holds (:data:`STORE_GRAPHS`), a kept graph text missing or changed, too many
    changes, blank nodes, or a store that does not hold as many statements as its record says
    (:func:`store_holds`). Graphs the store holds and ``graphs`` lacks are dropped by
    :func:`update_store`. ``known``: graph IRI -> (the digest of the graph it changes, the
    lines gone, the lines come), when the caller knows them (:func:`splice_subjects`).
    ``check=False``: the statements of the store are not counted (:func:`store_holds`, a pass
    over the whole store: 1.3 s at five million statements); the caller must then ask
    :func:`store_matches_record` before it applies the delta (a build asks it in a child
    process while SHACL runs).

    Only the graphs whose digest changed are compared, each with its kept text, by one pass
    over both (sorted; :func:`_sorted_delta`)."""
    path = Path(path)
    folder = path.parent
    old = read_store_graphs(folder)
    if old is None or not path.is_dir():
        return None
    gone: list[str] = []
    came: list[str] = []
    for iri, g in graphs.items():
        prev = old.get(iri)
        if prev is not None and prev[0] == g.digest:
            continue
        if prev is None:
            came.extend(g.data.decode("utf-8").split("\n")[:-1])
        elif known is not None and iri in known and known[iri][0] == prev[0]:
            gone.extend(known[iri][1])
            came.extend(known[iri][2])
        else:
            try:
                with graph_file(folder, prev[0]).open("rb") as fh:
                    delta = _sorted_delta(fh, g.data)
            except OSError:
                return None
            if delta is None or delta[2] != prev[0]:
                return None  # too many changes, or the kept text is not what the store holds
            gone.extend(delta[0])
            came.extend(delta[1])
        if len(gone) > DELTA_LIMIT or len(came) > DELTA_LIMIT:
            return None
    if any("_:" in ln for ln in (*gone, *came)):
        return None  # blank nodes cannot be named in an update
    if check and not store_holds(path, sum(n for _, n in old.values()), set(old)):
        return None  # emptied, damaged or changed behind the record's back
    return "".join(f"{ln}\n" for ln in gone), "".join(f"{ln}\n" for ln in came)


def store_matches_record(path: Path) -> bool:
    """Whether the store at ``path`` holds what the record beside it (:data:`STORE_GRAPHS`)
    says, as :func:`store_holds` counts it; ``False`` without a record."""
    old = read_store_graphs(Path(path).parent)
    return old is not None and store_holds(path, sum(n for _, n in old.values()), set(old))


def store_holds(path: Path, statements: int, graphs: Collection[str]) -> bool:
    """Whether the store at ``path`` opens, reads through, and holds ``statements`` statements
    outside the named graphs it may hold besides ``graphs`` (e.g. the measures ``kg analyze``
    adds). A store that cannot be opened or read (RocksDB reports damage as ``RuntimeError``)
    holds nothing."""
    try:
        store = ox.Store.read_only(str(path))
        total = len(store)
        others = sum(
            sum(1 for _ in store.quads_for_pattern(None, None, None, g))
            for g in store.named_graphs()
            if g.value not in graphs
        )
    except (OSError, RuntimeError, ValueError):
        return False
    finally:
        store = None
    return total - others == statements


def _sorted_delta(
    old: BinaryIO, new: bytes, block: int = 1 << 16
) -> tuple[list[str], list[str], str, int] | None:
    """Lines of ``old`` (a file of sorted N-Quads lines) missing from ``new`` (sorted N-Quads
    text), lines of ``new`` missing from ``old``, the SHA-256 of ``old`` and its number of
    lines; ``None`` when more than :data:`DELTA_LIMIT` lines differ or the lines compared are
    out of order.

    ``old`` is read in blocks of about ``block`` bytes (cut at line ends). A block that ``new``
    continues with byte for byte is passed over; only the others are split into lines and
    compared, as sets, with the lines of ``new`` up to the block's last line (found by binary
    search). A line-by-line merge in Python took 20 s at six million lines; adding one
    article to ten thousand changes one block in twenty."""
    h = hashlib.sha256()
    gone: list[bytes] = []
    came: list[bytes] = []
    pos = 0  # where ``new`` continues
    last = b""
    tail = b""
    lines = 0
    last_byte = b""
    while True:
        chunk = old.read(block)
        h.update(chunk)
        lines += chunk.count(b"\n")
        if chunk:
            last_byte = chunk[-1:]
        data = tail + chunk
        cut = data.rfind(b"\n") + 1 if chunk else len(data)  # at the end: all that is left
        if chunk and cut == 0:
            tail = data  # a line longer than a block: read on
            continue
        part, tail = data[:cut], data[cut:]
        olds = [] if part else None
        if part and new.startswith(part, pos) and (
            part.endswith(b"\n") or pos + len(part) == len(new)  # a whole line, not a prefix
        ):
            pos += len(part)  # the same bytes: passed over
            last = part[part.rfind(b"\n", 0, len(part) - 1) + 1 :].rstrip(b"\n")
        elif part:
            olds = [ln for ln in part.split(b"\n") if ln]
        if olds:
            end = _after(new, olds[-1], pos) if chunk else len(new)
            news = [ln for ln in new[pos:end].split(b"\n") if ln]
            if olds[0] < last or olds != sorted(olds) or news != sorted(news):
                return None
            last = olds[-1]
            o, n = set(olds), set(news)
            gone.extend(sorted(o - n))
            came.extend(sorted(n - o))
            if len(gone) > DELTA_LIMIT or len(came) > DELTA_LIMIT:
                return None
            pos = end
        if not chunk:
            break
    came.extend(ln for ln in new[pos:].split(b"\n") if ln)
    if len(came) > DELTA_LIMIT or came != sorted(came):
        return None
    if last_byte not in (b"", b"\n"):
        lines += 1  # a last line without its newline
    return ([ln.decode("utf-8") for ln in gone], [ln.decode("utf-8") for ln in came],
            h.hexdigest(), lines)


def splice_subjects(old: bytes, subjects: Collection[str], lines: Sequence[str]
                    ) -> tuple[bytes, list[str], list[str]]:
    """A graph's sorted N-Quads ``old`` with the statements of ``subjects`` (N-Triples terms,
    ``<iri>``) replaced by ``lines`` (theirs, sorted): the new text, the lines gone and the
    lines come. A subject's lines are together in sorted N-Quads; each is found by binary
    search, so the cost is in the subjects changed, not in the graph's size."""
    by_subject: dict[bytes, list[bytes]] = {}
    for ln in lines:
        b = ln.encode("utf-8")
        by_subject.setdefault(b[: b.index(b" ") + 1], []).append(b if b.endswith(b"\n")
                                                                   else b + b"\n")
    heads = sorted({f"{t} ".encode() for t in subjects} | set(by_subject))
    pieces: list[bytes] = []
    gone: list[bytes] = []
    came: list[bytes] = []
    pos = 0
    for head in heads:
        start = _after(old, head, pos)
        end = _after(old, head + b"\xff", start)  # (no UTF-8 byte is 0xff)
        pieces.append(old[pos:start])
        new = by_subject.get(head, [])
        pieces.extend(new)
        before = set(old[start:end].split(b"\n")[:-1])
        after = {ln[:-1] for ln in new}
        gone.extend(sorted(before - after))
        came.extend(sorted(after - before))
        pos = end
    pieces.append(old[pos:])
    return (b"".join(pieces), [ln.decode("utf-8") for ln in gone],
            [ln.decode("utf-8") for ln in came])


def _after(text: bytes, key: bytes, lo: int) -> int:
    """In sorted lines ``text``, the start of the first line at or after ``lo`` that sorts
    after ``key`` (``len(text)`` if none): a binary search over byte offsets."""
    hi = len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        start = text.rfind(b"\n", lo, mid) + 1 or lo
        end = text.find(b"\n", start)
        end = len(text) if end < 0 else end
        if text[start:end] <= key:
            lo = end + 1
        else:
            hi = start
    return min(lo, len(text))


def update_store(path: Path, delta: tuple[str, str], graphs: Collection[str]) -> Path:
    """Apply :func:`graph_delta`'s ``delta`` to the store at ``path`` in one transaction
    (all of it or nothing), and drop the named graphs but ``graphs`` (the IRIs of the new
    statements' graphs) and the ontology's: e.g. graphs of articles removed, or measures that
    ``kg analyze`` wrote (a fresh store would not have them either). The caller records
    what the store now holds (:func:`record_store_graphs`)."""
    path = Path(path)
    store = ox.Store(str(path))
    try:
        keep = set(graphs)
        stale = [g.value for g in store.named_graphs()
                 if g.value not in keep and g.value != ONTOLOGY_GRAPH]
        ops = [f"DROP SILENT GRAPH <{g}>" for g in stale]
        gone, came = delta
        if gone:
            ops.append("DELETE DATA {\n" + _update_block(gone) + "}")
        if came:
            ops.append("INSERT DATA {\n" + _update_block(came) + "}")
        if ops:
            store.update(" ;\n".join(ops))
        store.flush()
    finally:
        del store
    return path


def _update_block(lines: str) -> str:
    """N-Quads lines as the quad data of a SPARQL update (``GRAPH <g> { s p o }``)."""
    out = []
    for q in ox.parse(lines.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        triple = f"{q.subject} {q.predicate} {q.object} ."
        if isinstance(q.graph_name, ox.DefaultGraph):
            out.append(f"{triple}\n")
        else:
            out.append(f"GRAPH {q.graph_name} {{ {triple} }}\n")
    return "".join(out)


def open_store(path: Path, read_only: bool = True) -> ox.Store:
    path = Path(path)
    old = path.with_name(path.name + ".old")
    if not path.is_dir() and old.is_dir():
        path = old  # a build was killed between the two renames of build_store
    if not path.is_dir():
        raise StoreError(f"no graph store at {path}; run `kg build` first")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the graph store at {path}: {exc}") from None
    except RuntimeError as exc:  # RocksDB: "Corruption: …"
        raise StoreError(f"the graph store at {path} is damaged ({exc}); run `kg build` to "
                         "rebuild it") from None


def rdflib_dataset(path: Path) -> Any:
    """The persistent store seen through rdflib's API (``rdflib.Dataset`` on oxrdflib's
    Oxigraph store): rdflib code and SPARQL run on the same data without a copy, and
    without rdflib's in-memory limits. Read-only.

    >>> ds = rdflib_dataset(Path("output/store"))          # doctest: +SKIP
    >>> ds.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")  # doctest: +SKIP
    """
    import rdflib
    from oxrdflib import OxigraphStore

    return rdflib.Dataset(store=OxigraphStore(store=open_store(path)))


def memory_store(nquads: str) -> ox.Store:
    store = ox.Store()
    store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def _term(t: Any) -> str | None:
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        return t.value
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return str(t)


def run_query(store: ox.Store, sparql: str) -> QueryResult:
    """Run a read-only SPARQL query; :class:`QueryError` on syntax errors, on SPARQL Update and
    on federated queries (``SERVICE`` is refused before the query runs, by the same check as
    the endpoint's: :func:`kg.sparql_guard.check_query`). ``FROM`` / ``FROM NAMED`` are
    honoured; without them the default graph is the union of all graphs."""
    try:
        scan = check_query(sparql)
    except QueryRefused as exc:
        raise QueryError(exc.message) from None
    try:
        res = store.query(sparql, prefixes=PREFIX_MAP, **dataset_options(scan))
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {exc}") from None
    except (OSError, ValueError, TypeError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", [], [], bool(res))
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = [[_term(sol[n]) for n in names] for sol in res]
        return QueryResult("select", names, rows)
    rows = [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in res]
    return QueryResult("graph", ["subject", "predicate", "object"], rows)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render a result as ``table``, ``csv`` or ``json``. CSV cells that a spreadsheet would
    read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading
    ``'``."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"boolean": result.boolean})
        return "true" if result.boolean else "false"
    if fmt == "json":
        return json.dumps(
            [dict(zip(result.variables, row)) for row in result.rows],
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "csv":

        def cell(c: str | None) -> str:
            # a spreadsheet runs a cell that starts like a formula: make it text (as kg.export)
            if c is None:
                return ""
            return "'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c

        buf = io.StringIO()
        plain = csv.writer(buf, lineterminator="\n")
        quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # "\r" in a cell
        plain.writerow(result.variables)
        for row in result.rows:
            cells = [cell(c) for c in row]
            (quoted if any("\r" in c for c in cells) else plain).writerow(cells)
        return buf.getvalue()
    return _table(result)


def _shorten(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, ns in PREFIX_MAP.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns) :]}"
    return value


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _table(result: QueryResult) -> str:
    cols = result.variables
    rows = [[_shorten(c).replace("\n", " ") for c in row] for row in result.rows]
    widths = [_width(c) for c in cols]
    for row in rows:
        for i, c in enumerate(row):
            widths[i] = min(max(widths[i], _width(c)), 60)

    def fit(s: str, w: int) -> str:
        out, cur = "", 0
        for ch in s:
            cw = _width(ch)
            if cur + cw > w:
                out = out[:-1] + "…" if out else out
                cur = w
                break
            out += ch
            cur += cw
        return out + " " * max(0, w - _width(out))

    lines = [" | ".join(fit(c, w) for c, w in zip(cols, widths))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(fit(c, w) for c, w in zip(row, widths)) for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
