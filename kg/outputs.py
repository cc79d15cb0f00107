"""A build into an output folder: the one function behind ``kg build``, also for notebooks and
the bench (:func:`build_into`).

Extraction (:func:`kg.build.extract_corpus`) → resolution, curation and N-Quads
(:func:`kg.build.build_graph`) → SHACL while the store loads (or is brought up to date in
place) and Turtle and TriG are written in two forked children → atomic writes. One build per
output folder at a time (:func:`kg.io.output_lock`). Library code: it returns a
:class:`Built` and raises; only the CLI prints.
"""

from __future__ import annotations

import errno
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .build import (
    BuildResult,
    Corpus,
    Forked,
    Progress,
    ShaclMemory,
    Stopwatch,
    build_graph,
    extract_corpus,
    nquads_shards,
    validate_nquads,
)
from .curation import Curation
from .ingest import InputError
from .io import atomic_write_text, output_lock, staged
from .rdf import trig_of, turtle_of
from .store import (
    install_ontology,
    install_store,
    prepare_store,
    record_store_source,
    store_delta,
    update_store,
)


class NoInput(InputError):
    """No article file could be read; ``corpus.failures`` says why for each."""

    def __init__(self, message: str, corpus: Corpus) -> None:
        super().__init__(message)
        self.corpus = corpus


class ValidationFailed(Exception):
    """The graph does not conform to the SHACL shapes (the report is in ``validation.txt``)."""


class OutputError(Exception):
    """The outputs cannot be written (a full disk, no permission); the previous ones stay."""


@dataclass(frozen=True)
class BuildOptions:
    """How :func:`build_into` builds (the ``kg build`` options)."""

    curation: Curation | None = None
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    cache: bool = True
    shards: bool | None = None  # None: on with the dask engine
    html: bool = True
    lac: bool = False  # the optional LAC model (kg.extract.lac)


@dataclass
class Built:
    """What a build made."""

    out: Path
    corpus: Corpus
    result: BuildResult
    laps: dict[str, float] = field(default_factory=dict)
    shacl_checked: int = 0
    shacl_reused: int = 0
    store_in_place: bool = False


#: errno values that mean "this folder cannot take the outputs" rather than a bug.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG,
                 errno.EIO}


def build_into(
    seeds: Path, out: Path, options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> Built:
    """Build the graph of the article files under ``seeds`` into the folder ``out``.

    Raises :class:`NoInput` when no file is readable,
    :class:`~kg.io.OutputBusy` when another build writes into ``out``,
    :class:`ValidationFailed` when SHACL finds violations (``out/validation.txt``; the previous
    graph files stay), :class:`OutputError` when the folder cannot take the outputs, and
    :class:`~kg.engine.EngineError` when the extraction engine cannot run."""
    opts = options or BuildOptions()
    out = Path(out)
    try:
        with output_lock(out):
            return _build(Path(seeds), out, opts, progress)
    except OSError as exc:
        if exc.errno in _WRITE_ERRORS:
            raise OutputError(f"cannot write the outputs into {out}: "
                              f"{exc.strerror or exc}; the previous outputs are intact") from None
        raise
    except RuntimeError as exc:  # the store's engine (RocksDB) reports I/O errors this way
        if "IO error" in str(exc) or "No space" in str(exc):
            raise OutputError(f"cannot write the graph store into {out}: {exc}; the previous "
                              "outputs are intact") from None
        raise


def _build(seeds: Path, out: Path, opts: BuildOptions, progress: Progress | None) -> Built:
    clock = Stopwatch()
    corpus = extract_corpus(
        [seeds], progress=progress, workers=opts.workers, engine=opts.engine,
        scheduler=opts.scheduler, cache_dir=out / "cache" if opts.cache else None,
        lac=opts.lac,
    )
    if not corpus.extractions:
        raise NoInput(f"{seeds}: no readable article files", corpus)
    clock.lap("extract")
    result = build_graph(corpus, curation=opts.curation, validate=False, serialise=False)
    clock.add(result.timings)
    built = Built(out, corpus, result)
    nq_bytes = result.nquads.encode("utf-8")  # encoded once: loaded, compared, written, hashed
    source: bytes | list[Path] = nq_bytes
    shard_tmp = out / ".shards.tmp"
    if opts.shards if opts.shards is not None else opts.engine == "dask":
        shutil.rmtree(shard_tmp, ignore_errors=True)
        shard_tmp.mkdir(parents=True)
        source = []
        for key, text in (result.shards or nquads_shards(result.nquads)).items():
            atomic_write_text(shard_tmp / f"{key}.nq", text)
            source.append(shard_tmp / f"{key}.nq")
        clock.lap("shards")
    # Turtle and TriG are written in two child processes and the store loads in a thread
    # (Oxigraph releases the GIL) while SHACL runs here
    memory = ShaclMemory(out / "cache") if opts.cache else None
    jobs: list[Forked] = []
    new_store: Path | None = None
    try:
        jobs.append(turtle_job := Forked(turtle_of, result.nquads))
        jobs.append(trig_job := Forked(trig_of, result.nquads, result.shards))
        # a store that holds the previous N-Quads (checked) is brought up to date in place
        # when few statements differ (one transaction); otherwise a fresh store is loaded
        graphs = result.shards.graphs if result.shards is not None else None
        delta = store_delta(out / "store", out / "pinghu.nq", nq_bytes, graphs)
        clock.lap("store delta")
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(prepare_store, source, out) if delta is None else None
            conforms, report = validate_nquads(result.nquads, memory=memory,
                                               shards=result.shards)
            clock.lap("SHACL")
            new_store = loading.result() if loading is not None else None
            clock.lap("store (beyond SHACL)")
        if conforms:
            result.turtle, result.triples = turtle_job.result()
            result.trig = trig_job.result()
        clock.lap("Turtle and TriG (beyond SHACL and store)")
        if not conforms:
            atomic_write_text(out / "validation.txt", report)
            raise ValidationFailed(f"SHACL validation failed; see {out / 'validation.txt'}")
        with staged() as files:  # all written before any is renamed into place
            files.write(out / "validation.txt", report)
            files.write(out / "pinghu.ttl", result.turtle)
            files.write(out / "pinghu.trig", result.trig)
            files.write(out / "pinghu.nq", nq_bytes)
        if isinstance(source, list):
            shutil.rmtree(out / "shards", ignore_errors=True)
            shard_tmp.rename(out / "shards")
        store = out / "store"
        if delta is not None:
            try:
                update_store(store, delta, nq_bytes, graphs)
                built.store_in_place = True
            except (OSError, SyntaxError, ValueError, RuntimeError):  # locked, damaged, …
                delta = None  # load it afresh
        if delta is None:
            store = install_store(new_store or prepare_store(source, out), store)
            new_store = None
            record_store_source(store, nq_bytes)
        install_ontology(store)
        clock.lap("write")
    finally:
        for job in jobs:
            job.cancel()  # each only closes and kills what it still has
        if new_store is not None:
            shutil.rmtree(new_store, ignore_errors=True)
        shutil.rmtree(shard_tmp, ignore_errors=True)
    if opts.html:
        from .analysis import project
        from .store import open_store
        from .viz import write_html

        graph = project(open_store(store))
        write_html(graph, out / "graph.html", title="平湖科创知识图谱 Pinghu innovation graph")
        clock.lap("HTML")
    built.laps = clock.laps
    if memory is not None:
        built.shacl_checked, built.shacl_reused = memory.checked, memory.reused
    return built
