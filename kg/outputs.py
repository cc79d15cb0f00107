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
import functools
import gc
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import incremental
from .build import (
    BuildResult,
    Corpus,
    Forked,
    Progress,
    ShaclMemory,
    Stopwatch,
    article_metas,
    build_graph,
    extract_corpus,
    nquads_shards,
    validate_nquads,
)
from .curation import Curation
from .extract.pipeline import PageExtraction
from .ingest import InputError
from .io import atomic_write_text, output_lock, staged
from .memory import paused_gc
from .rdf import ENTITIES_GRAPH, ArticleMeta, GraphInputs, Shards, shard_key, trig_of, turtle_of
from .resolve import Resolution
from .store import (
    GraphText,
    KeptTextError,
    forget_store_graphs,
    graph_delta,
    graph_texts,
    install_ontology,
    install_store,
    kept_graphs,
    prepare_store,
    read_store_graphs,
    record_graph_inputs,
    record_store_graphs,
    save_graph_texts,
    store_matches_record,
    update_store,
)

#: Above this many statements (about 500 news articles; the five seeds have 13,000) a build
#: does not write ``pinghu.ttl``, ``pinghu.trig`` and ``pinghu.nq`` (2.5 GB at 10,000
#: articles): the store is the product, and ``kg export --format rdf`` writes the three from
#: it on request, the same bytes. ``kg build --exports`` / ``--no-exports`` decide otherwise.
EXPORT_LIMIT = 250_000
#: The RDF files a build writes with its exports, by ``kg export`` format.
RDF_FILES = {"nquads": "pinghu.nq", "trig": "pinghu.trig", "turtle": "pinghu.ttl"}
RDF_FORMATS: tuple[str, ...] = tuple(RDF_FILES)
RDF_EXPORTS: tuple[str, ...] = tuple(RDF_FILES.values())


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
    exports: bool | None = None  # Turtle, TriG, N-Quads; None: up to EXPORT_LIMIT statements


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
    exports: bool = True  # pinghu.ttl, pinghu.trig and pinghu.nq were written
    graphs_passed: int = 0  # article graphs taken as they were (their inputs unchanged)
    #: why the pages added to the last build's could not be resolved against it (none: they
    #: were, or there was no such build)
    resolved_again: list[str] = field(default_factory=list)


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
            try:
                return _build(Path(seeds), out, opts, progress)
            except KeptTextError:  # a kept graph text changed behind our back: take none
                return _build(Path(seeds), out, opts, progress, reuse=False)
            finally:
                gc.unfreeze()  # what _build froze (see there)
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


def exports_wanted(statements: int, option: bool | None) -> bool:
    """Whether a build of ``statements`` statements writes Turtle, TriG and N-Quads: as
    ``--exports``/``--no-exports`` say, else up to :data:`EXPORT_LIMIT` statements."""
    return option if option is not None else statements <= EXPORT_LIMIT


def _build(seeds: Path, out: Path, opts: BuildOptions, progress: Progress | None,
           reuse: bool = True) -> Built:
    clock = Stopwatch()
    curated = opts.curation is not None and not opts.curation.empty
    last: incremental.Kept | None = None

    def kept_files() -> list[tuple[str, str]] | None:
        """The pages the kept resolution was made of (read while new pages are extracted)."""
        nonlocal last
        last = incremental.load(out / incremental.KEPT_FILE, _kept_salt(opts)) if (
            opts.cache and reuse and not curated) else None
        return last.files if last is not None else None

    def extract(files: Callable[[], list[tuple[str, str]] | None] | None) -> Corpus:
        return extract_corpus(
            [seeds], progress=progress, workers=opts.workers, engine=opts.engine,
            scheduler=opts.scheduler, cache_dir=out / "cache" if opts.cache else None,
            lac=opts.lac, kept=files,
        )

    corpus = extract(kept_files)
    clock.lap("extract")
    resolved = None
    built_why: list[str] = []
    if corpus.kept and last is not None:  # pages added after the kept ones: resolve them only
        resolved = _extend(last, corpus, built_why, out / "cache")
        clock.lap("resolve (incremental)")
        if resolved is None:  # they could change an earlier decision: resolve everything
            last = None
            corpus = extract(None)
            clock.lap("extract")
    if not corpus.extractions:
        raise NoInput(f"{seeds}: no readable article files", corpus)
    # the records live to the end of the build and hold no reference cycles: frozen, the
    # collector's full passes do not walk them again (at 10,000 articles one pass took 1.7 s)
    gc.freeze()
    # the article graphs whose inputs are those of the graph the store holds are not written
    # again: their statements are the kept ones (the same, since made from the same inputs)
    known, kept = kept_graphs(out) if opts.cache and reuse else ({}, {})
    inputs = GraphInputs(known)
    keep: dict[str, Any] | None = {} if opts.cache and resolved is None else None
    fast = None
    if resolved is not None and last is not None and not opts.shards and opts.engine != "dask":
        # pages added and resolved against the kept index: the statements of the entities
        # they changed and of their articles only, the rest as the store holds it
        with paused_gc():
            fast = _fast_statements(out, last, corpus, resolved, known, kept)
        clock.lap("N-Quads (changed only)")
    if fast is not None:
        shards, inputs, passed, known_delta = fast
        result = BuildResult(corpus, resolved[0], "", "", "", True, "", 0, shards=shards)
    else:
        result = build_graph(corpus, curation=opts.curation, validate=False, serialise=False,
                             whole=False, inputs=inputs, resolved=resolved, keep=keep)
        clock.add(result.timings)
        known_delta = None
    # the resolution kept for the next build is written by a forked child meanwhile
    saving = Forked(_keep_resolution, out, opts, corpus, result, last, keep) if (
        opts.cache and not curated) else None
    gc.freeze()  # the resolution and the statements, likewise
    if fast is None:
        shards = result.shards if result.shards is not None else nquads_shards(result.nquads)
        passed = {iri: kept[iri] for iri in inputs.passed}
    if passed:
        shards = shards.with_kept({
            iri: (shard_key(iri), g.lines, functools.partial(_text_of, g))
            for iri, g in passed.items()})
    graphs = graph_texts(shards, passed)  # each graph's text, encoded once: compared, kept,
    # loaded
    result.statements = sum(g.lines for g in graphs.values())
    exports = exports_wanted(result.statements, opts.exports)
    built = Built(out, corpus, result, exports=exports,
                  graphs_passed=len(passed) - (str(ENTITIES_GRAPH) in passed),
                  resolved_again=built_why)
    clock.lap("graph digests")
    nq_bytes = b""
    if exports:
        result.nquads = shards.nquads()
        nq_bytes = result.nquads.encode("utf-8")
        clock.lap("N-Quads text")
    shard_tmp = out / ".shards.tmp"
    shard_files: list[Path] | None = None
    if opts.shards if opts.shards is not None else opts.engine == "dask":
        shutil.rmtree(shard_tmp, ignore_errors=True)
        shard_tmp.mkdir(parents=True)
        shard_files = []
        for key, text in shards.items():
            atomic_write_text(shard_tmp / f"{key}.nq", text)
            shard_files.append(shard_tmp / f"{key}.nq")
        clock.lap("shards")
    # with exports, Turtle and TriG are written in two child processes and the store loads
    # in a thread (Oxigraph releases the GIL) while SHACL runs here
    memory = ShaclMemory(out / "cache") if opts.cache else None
    jobs: list[Forked] = []
    holding: Forked | None = None
    new_store: Path | None = None
    try:
        if exports:
            jobs.append(turtle_job := Forked(turtle_of, result.nquads))
            jobs.append(trig_job := Forked(trig_of, result.nquads, shards))
        # a store whose record says which graphs it holds is brought up to date in place,
        # graph by graph, when few statements differ (one transaction); else a fresh load.
        # Whether it holds what its record says (a pass over all its statements) is asked
        # in a child process while SHACL runs (Oxigraph's count holds the GIL)
        delta = graph_delta(out / "store", graphs, known_delta, check=False)
        holding = Forked(store_matches_record, out / "store") if delta is not None else None
        clock.lap("store delta")
        source: bytes | list[Path] = b""
        if delta is None:
            source = shard_files if shard_files is not None else (
                nq_bytes or b"".join(g.data for g in graphs.values()))
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(prepare_store, source, out) if delta is None else None
            conforms, report = validate_nquads(result.nquads, memory=memory, shards=shards)
            clock.lap("SHACL")
            new_store = loading.result() if loading is not None else None
            if holding is not None and not holding.result():
                delta = None  # emptied, damaged or changed behind its record: load afresh
            clock.lap("store (beyond SHACL)")
        if conforms and exports:
            result.turtle, result.triples = turtle_job.result()
            result.trig = trig_job.result()
            clock.lap("Turtle and TriG (beyond SHACL and store)")
        if not conforms:
            atomic_write_text(out / "validation.txt", report)
            raise ValidationFailed(f"SHACL validation failed; see {out / 'validation.txt'}")
        # exports of an earlier build are this graph's if the store held this graph already
        same_graph = read_store_graphs(out) == {i: (g.digest, g.lines) for i, g in graphs.items()}
        save_graph_texts(out, graphs)  # before the store changes: the record names them
        clock.lap("graph texts")
        with staged() as files:  # all written before any is renamed into place
            files.write(out / "validation.txt", report)
            if exports:
                files.write(out / "pinghu.ttl", result.turtle)
                files.write(out / "pinghu.trig", result.trig)
                files.write(out / "pinghu.nq", nq_bytes)
        if not exports and not same_graph:  # an earlier build's files: not this graph
            for name in RDF_EXPORTS:
                (out / name).unlink(missing_ok=True)
        if shard_files is not None:
            shutil.rmtree(out / "shards", ignore_errors=True)
            shard_tmp.rename(out / "shards")
        store = out / "store"
        forget_store_graphs(out)  # a build killed while the store changes leaves no record
        if delta is not None:
            try:
                update_store(store, delta, graphs)
                built.store_in_place = True
            except (OSError, SyntaxError, ValueError, RuntimeError):  # locked, damaged, …
                delta = None  # load it afresh
        if delta is None:
            if new_store is None:
                new_store = prepare_store(
                    nq_bytes or b"".join(g.data for g in graphs.values()), out)
            store = install_store(new_store, store)
            new_store = None
        record_store_graphs(out, graphs)
        record_graph_inputs(out, inputs.digests, graphs)
        install_ontology(store)
        clock.lap("write")
        if saving is not None:
            saving.result()
            clock.lap("entity index (beyond the rest)")
    finally:
        for job in jobs:
            job.cancel()  # each only closes and kills what it still has
        if holding is not None:
            holding.cancel()
        if saving is not None:
            saving.cancel()
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


def _kept_salt(opts: BuildOptions) -> str:
    """What a kept resolution must have been made with: this code, this extractor."""
    from .engine import fingerprint

    return f"{incremental.code_salt()}|{fingerprint()}|{'lac' if opts.lac else ''}"


def _fast_statements(
    out: Path, kept: incremental.Kept, corpus: Corpus,
    resolved: tuple[Resolution, list[ArticleMeta]], known: dict[str, str],
    graphs: dict[str, GraphText],
) -> tuple[Shards, GraphInputs, dict[str, GraphText],
           dict[str, tuple[str, list[str], list[str]]]] | None:
    """After pages were added and resolved against the kept index (:mod:`kg.incremental`),
    the statements that differ from those the store holds, made without going over the
    corpus: the new articles' graphs, and the entities graph as the store holds it with the
    statements of the entities the pages changed (``kept.changed``) made again. Every other
    article graph is the same (the pages change no entity's IRI, and a record they share with
    an earlier article sends the build the long way). Returns the shards of the new graphs,
    the article graphs' inputs (the kept ones and the new), the graphs taken as they are (the
    entities graph among them, with its new text) and the entities graph's delta for the
    store; ``None``: the whole way (no record of the store, a kept text missing, a shared
    record)."""
    from rdflib import URIRef

    from .rdf import ENTITIES_GRAPH, MixedRecord, build_partial, entity_iris, graph_iri
    from .store import StoreError, read_store_graphs, splice_subjects, stored_graph

    res, metas = resolved
    held = read_store_graphs(out)
    ent_iri = str(ENTITIES_GRAPH)
    if held is None or ent_iri not in held:
        return None
    new_ids = {a.id for ex in corpus.extractions for a in ex.page.articles}
    old = {str(graph_iri(m.article.id)) for m in metas if m.article.id not in new_ids}
    if any(g not in graphs or g not in known for g in old):
        return None
    changed = kept.changed
    ents = [res.entities[k] for k in sorted(changed) if k in res.entities]
    # the earlier facts the changed entities' statements are made from (kept.relations
    # indexes them by key: the others are not read), then the new pages' facts
    rels = kept.relations.naming(changed, {e.key for e in ents if e.type == "Event"},
                                 kept.new_from)
    rels += kept.relations[kept.new_from:]
    wanted = new_ids | {r.article for r in rels} | {
        m.article for e in ents if e.type == "Event" for m in e.mentions}
    if kept.iri_of.keys() == res.entities.keys():  # (the IRIs kept, and those of new keys)
        iris = {k: URIRef(v) for k, v in kept.iri_of.items()}
    else:
        iris = entity_iris(res.entities.values())
    try:
        lines, shards, digests = build_partial(
            ents, rels, [m for m in metas if m.article.id in wanted], iris, new_ids)
    except MixedRecord:
        return None
    try:
        before = stored_graph(out, held[ent_iri][0])
    except StoreError:
        return None
    subjects = {iris[k].n3() for k in changed if k in iris}
    text, gone, came = splice_subjects(before, subjects, lines)
    entities = GraphText.of(ent_iri, text)
    inputs = GraphInputs(known, {g: known[g] for g in old} | digests, set(old))
    passed = {g: graphs[g] for g in old}
    passed[ent_iri] = entities
    return shards, inputs, passed, {ent_iri: (held[ent_iri][0], gone, came)}


def _cached_page(cache: Path, files: list[tuple[str, str]], i: int) -> PageExtraction | None:
    """The extraction of the ``i``-th kept page from the cache (``None``: not there)."""
    from .engine import CACHE_SUFFIX, decode_extraction

    key = files[i][1]
    if not key:
        return None
    try:
        return decode_extraction((cache / key[:2] / f"{key}{CACHE_SUFFIX}").read_bytes())
    except OSError:
        return None


def _extend(kept: incremental.Kept, corpus: Corpus, why: list[str], cache: Path
            ) -> tuple[Resolution, list[ArticleMeta]] | None:
    """The resolution of the kept pages and the new ones of ``corpus``
    (:func:`kg.incremental.extend`), with every article's metadata; ``None`` when everything
    must be resolved again."""
    from .extract.lexicon import Lexicon

    if kept.metadata != corpus.metadata or kept.home != corpus.home:
        why.append("articles.toml changed")
        return None
    with paused_gc():
        res = incremental.extend(kept, corpus.extractions, Lexicon.load(), why,
                                 read_page=functools.partial(_cached_page, cache, kept.files))
    if res is None:
        return None
    warnings = list(kept.warnings)
    new = article_metas(corpus)
    corpus.warnings[:0] = [w for w in warnings if w not in corpus.warnings]
    kept.metas += [incremental.light_meta(m) for m in new]
    return res, kept.metas


def _keep_resolution(out: Path, opts: BuildOptions, corpus: Corpus, result: BuildResult,
                     kept: incremental.Kept | None, keep: dict[str, Any] | None) -> None:
    """Keep this build's resolution beside the output for the next (:mod:`kg.incremental`)."""
    if kept is None:
        if keep is None or "index" not in keep:
            return
        from .rdf import entity_iris

        res = result.resolution
        kept = incremental.Kept(
            salt=_kept_salt(opts), home=corpus.home, metadata=dict(corpus.metadata),
            files=[], learned=keep["learned"], declared_names=keep["declared_names"],
            index=keep["index"], entities=incremental.PackedEntities(res.entities),
            relations=incremental.PackedRelations(res.relations),
            metas=[incremental.light_meta(m) for m in keep["metas"]], warnings=[],
            iris=incremental.entity_iris(res.entities.values()),
            iri_of={k: str(v) for k, v in entity_iris(res.entities.values()).items()},
            made=incremental.made_bodies(res.entities),
            split_made={k for k, e in res.entities.items() if e.merged_by
                        and e.merged_by[0][1].startswith("namesake-split:")},
            text="\n".join(ex.page.text for ex in corpus.extractions),
            starts=incremental.page_starts(ex.page.text for ex in corpus.extractions),
        )
    kept.files = list(corpus.files)
    kept.warnings = list(corpus.warnings)
    incremental.save(out / incremental.KEPT_FILE, kept)


def _text_of(g: GraphText) -> str:
    return g.data.decode("utf-8")


def write_rdf_exports(out: Path, formats: Iterable[str] = RDF_FORMATS,
                      source: Path | None = None) -> list[Path]:
    """Write ``pinghu.nq``, ``pinghu.trig`` and/or ``pinghu.ttl`` (``formats``: ``nquads``,
    ``trig``, ``turtle``) into ``out`` from the statements the store of the build folder
    ``source`` (default: ``out``) holds, as the build kept them beside it
    (:func:`kg.store.stored_shards`): the same bytes the build would have written. Raises
    :class:`~kg.store.StoreError` when there is no build in ``source``. One writer at a time
    (:func:`kg.io.output_lock`); the files are written atomically, all together."""
    from .store import stored_shards

    wanted = [f for f in RDF_FORMATS if f in set(formats)]
    out = Path(out)
    with output_lock(out):
        shards = stored_shards(Path(source) if source is not None else out)
        nquads = shards.nquads()
        written = []
        with staged() as files:
            for fmt in wanted:
                name = RDF_FILES[fmt]
                if fmt == "nquads":
                    files.write(out / name, nquads)
                elif fmt == "turtle":
                    files.write(out / name, turtle_of(nquads)[0])
                else:
                    files.write(out / name, trig_of(nquads, shards))
                written.append(out / name)
    return written
