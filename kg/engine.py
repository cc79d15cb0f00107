"""Where extraction runs: in this process, in a pool of processes (``--jobs N``) or on a Dask
cluster (``--engine dask``), with a content-hash cache so unchanged files are not extracted
again.

Extraction is per file and independent; everything after it (resolution across articles, RDF,
the store) needs all files and runs in the calling process. Results come back in input order,
so every engine produces the same output.

The cache holds :class:`~kg.extract.pipeline.PageExtraction` records under ``output/cache/``
keyed by SHA-256 of (extractor fingerprint, file name, file bytes), as MessagePack (data only:
reading an entry never runs code) behind a SHA-256 checksum of its bytes. The fingerprint
hashes the extractor's code and rule data, so editing a rule invalidates every entry. An entry
that is damaged, truncated, of another format or not shaped like a record is a miss, always.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgpack

from .extract.pipeline import PageExtraction
from .ingest import InputError
from .memory import paused_gc
from .model import Article, Mention, Page, Relation, Sentence

Progress = Callable[[str, int, int], None]
ENGINES = ("local", "dask")


class EngineError(Exception):
    """The requested engine cannot run (missing package, unreachable scheduler)."""


@dataclass(frozen=True)
class Job:
    """One file to extract: its display name and bytes (read by the caller)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Done:
    """A job's result: the extraction, or the reason the file was skipped."""

    name: str
    extraction: PageExtraction | None
    error: str = ""


# ---------------------------------------------------------------------------------------------
# the unit of work (module-level so that process pools and Dask workers can import it)

_NLP: dict[str, Any] = {}  # per-process model cache, filled on first use (never at import)


def _nlp(home: str, lac: bool = False) -> Any:
    key = f"{home}|lac" if lac else home
    if key not in _NLP:
        from .extract import build_nlp

        _NLP[key] = build_nlp(home=home, lac=lac)
    return _NLP[key]


def extract_job(job: Job, home: str, nlp: Any = None, lac: bool = False) -> Done:
    """Ingest and extract one file's bytes. Never raises for bad input."""
    from .extract import extract_page
    from .ingest import ingest_bytes

    try:
        page = ingest_bytes(job.name, job.data)
    except InputError as exc:
        return Done(job.name, None, str(exc))
    try:
        return Done(job.name, extract_page(page, nlp if nlp is not None else _nlp(home, lac)))
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
        return Done(
            job.name,
            None,
            f"{job.name}: extraction failed ({type(exc).__name__}: {exc}); the other files "
            "were built — please report this file",
        )


def extract_jobs(jobs: Sequence[Job], home: str, nlp: Any = None, lac: bool = False
                 ) -> list[Done]:
    """:func:`extract_job` of several files, their sentences through the pipeline together
    (:func:`kg.extract.pipeline.extract_pages`); if that fails, file by file, so that one odd
    file costs only itself."""
    from .extract.pipeline import extract_pages
    from .ingest import ingest_bytes

    pages, done = [], {}
    for i, job in enumerate(jobs):
        try:
            pages.append((i, ingest_bytes(job.name, job.data)))
        except InputError as exc:
            done[i] = Done(job.name, None, str(exc))
    try:
        got = extract_pages([p for _, p in pages], nlp if nlp is not None else _nlp(home, lac))
        for (i, _), ex in zip(pages, got):
            done[i] = Done(jobs[i].name, ex)
    except Exception:  # noqa: BLE001 - find the file that fails, extract the others
        for i, _ in pages:
            done[i] = extract_job(jobs[i], home, nlp, lac)
    return [done[i] for i in range(len(jobs))]


#: Files extracted together (their sentences decoded in one batch by the tagger).
CHUNK = 16


def _chunks(jobs: Sequence[Job], size: int = CHUNK) -> Iterator[Sequence[Job]]:
    for k in range(0, len(jobs), size):
        yield jobs[k : k + size]


def _extract_star(args: tuple[Sequence[Job], str, bool]) -> list[Done]:
    jobs, home, lac = args
    return extract_jobs(jobs, home, lac=lac)


# ---------------------------------------------------------------------------------------------
# cache


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of the extractor's code and rule data: a change to either invalidates the cache."""
    root = Path(__file__).parent
    from .extract.text import segmenter_name

    h = hashlib.sha256(segmenter_name().encode())
    files = sorted(
        [*root.joinpath("extract").rglob("*.py"), *root.joinpath("extract", "data").glob("*")]
        + [root / "ingest.py", root / "model.py"]
    )
    for f in files:
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


class Cache:
    """Extractions on disk, keyed by content hash. ``Cache(None)`` caches nothing."""

    def __init__(self, directory: Path | None, home: str, lac: bool = False) -> None:
        self.dir = Path(directory) if directory else None
        self.home = home
        self.lac = lac
        self.hits = 0
        self.misses = 0

    def key(self, job: Job) -> str:
        h = hashlib.sha256()
        for part in (fingerprint() + ("+lac" if self.lac else ""), self.home, job.name):
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        h.update(job.data)
        return h.hexdigest()

    def holds(self, key: str) -> bool:
        """Whether an entry of ``key`` is there (it may still be damaged: a miss when read)."""
        return self.dir is not None and self._path(key).is_file()

    def _path(self, key: str) -> Path:
        assert self.dir is not None
        return self.dir / key[:2] / f"{key}{CACHE_SUFFIX}"

    def get(self, job: Job) -> PageExtraction | None:
        if self.dir is None:
            return None
        try:
            value = decode_extraction(self._path(self.key(job)).read_bytes())
        except OSError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, job: Job, value: PageExtraction) -> None:
        if self.dir is None:
            return
        target = self._path(self.key(job))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp.")
        except OSError:
            return  # a full disk or a read-only folder costs the cache, not the build
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(encode_extraction(value))
            os.replace(tmp, target)
        except OSError:
            Path(tmp).unlink(missing_ok=True)


#: Cache entry: this magic, the SHA-256 of the payload, the MessagePack payload.
CACHE_MAGIC = b"KGX1"
CACHE_SUFFIX = ".kgx"


def encode_extraction(ex: PageExtraction) -> bytes:
    """A cache entry for ``ex``: data only (strings, numbers, arrays), with a checksum."""
    p = ex.page
    page = [p.name, p.original, p.text, p.offsets, p.encoding,
            [[a.page, a.index, a.title, a.bylines, a.nstart, a.nend,
              [[s.index, s.text, s.nstart, s.nend] for s in a.sentences]]
             for a in p.articles]]
    mentions = [[m.text, m.type, m.start, m.end, m.article, m.sentence, m.rule, m.parts]
                for m in ex.mentions]
    relations = [[r.s, r.p, r.o, r.article, r.sentence, r.evidence, r.start, r.end, r.rule,
                  r.confidence, r.literal, r.qualifiers] for r in ex.relations]
    payload = msgpack.packb([page, mentions, relations], use_bin_type=True)
    return CACHE_MAGIC + hashlib.sha256(payload).digest() + payload


def decode_extraction(data: bytes) -> PageExtraction | None:
    """The record of a cache entry, or ``None`` when the entry is not one we wrote whole: a
    wrong magic or checksum (a changed or missing byte), or a payload of another shape."""
    head = len(CACHE_MAGIC) + 32
    if len(data) < head or not data.startswith(CACHE_MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.sha256(payload).digest() != data[len(CACHE_MAGIC) : head]:
        return None
    try:
        page, mentions, relations = msgpack.unpackb(payload, use_list=False, raw=False)
        name, original, text, offsets, encoding, articles = page
        arts = tuple(
            Article(pg, i, title, bylines, ns, ne, tuple(Sentence(*s) for s in sents))
            for pg, i, title, bylines, ns, ne, sents in articles
        )
        return PageExtraction(
            Page(name, original, text, offsets, encoding, arts),
            [Mention(*m) for m in mentions],
            [Relation(*r) for r in relations],
        )
    except (ValueError, TypeError, msgpack.UnpackException):
        return None


# ---------------------------------------------------------------------------------------------
# engines


def run(
    jobs: Sequence[Job],
    home: str,
    *,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    nlp: Any = None,
    lac: bool = False,
) -> list[Done]:
    """Extract every job, in input order. Cached jobs are not sent to any worker.

    ``nlp``: a pipeline to use in this process (local engine, one worker) instead of building
    one; ``lac``: add the optional LAC model (:mod:`kg.extract.lac`)."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    cache = cache or Cache(None, home, lac)
    results: list[Done | None] = [None] * len(jobs)
    todo: list[int] = []
    with paused_gc():
        for i, job in enumerate(jobs):
            hit = cache.get(job)
            if hit is not None:
                results[i] = Done(job.name, hit)
            else:
                todo.append(i)
    total, done = len(jobs), len(jobs) - len(todo)
    if progress:
        progress("", done, total)
    pending = [jobs[i] for i in todo]
    if engine == "dask":
        stream = _dask(pending, home, workers, scheduler, lac)
    elif workers > 1 and len(pending) > 1:
        stream = _processes(pending, home, workers, lac)
    else:
        stream = (d for chunk in _chunks(pending) for d in extract_jobs(chunk, home, nlp, lac))
    for i, res in zip(todo, stream, strict=True):
        results[i] = res
        if res.extraction is not None:
            cache.put(jobs[i], res.extraction)
        done += 1
        if progress:
            progress(res.name, done, total)
    return [r for r in results if r is not None]


def _processes(jobs: Sequence[Job], home: str, workers: int, lac: bool = False
               ) -> Iterator[Done]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    size = max(1, min(CHUNK, len(jobs) // (workers * 4) or 1))
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        for done in ex.map(_extract_star, ((c, home, lac) for c in _chunks(jobs, size))):
            yield from done


def _dask(
    jobs: Sequence[Job], home: str, workers: int, scheduler: str | None, lac: bool = False
) -> Iterator[Done]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(
            "the dask engine needs dask.distributed: pip install 'pinghu-kg[scale]' "
            "(or dask[distributed])"
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise EngineError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        futures = client.map(extract_job, list(jobs), home=home, lac=lac, pure=False)
        for fut in futures:  # in input order
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
