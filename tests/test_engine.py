"""Engines and the extraction cache: every way of running gives the same graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from kg.build import extract_corpus, nquads_shards
from kg.cli import main
from kg.engine import Cache, EngineError, Job, extract_job, fingerprint, run


def _small_corpus(tmp_path: Path, n: int = 2) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:n]:
        shutil.copy(f, d / f.name)
    return d


def _records(corpus) -> list[tuple[str, int, int]]:
    return [(ex.page.name, len(ex.mentions), len(ex.relations)) for ex in corpus.extractions]


def test_bad_bytes_become_a_skip_not_an_exception() -> None:
    done = extract_job(Job("x.txt", b"\x00\x01\x02" * 100), "平湖市")
    assert done.extraction is None and "x.txt" in done.error


def test_processes_give_the_same_result_in_the_same_order(tmp_path: Path) -> None:
    src = _small_corpus(tmp_path, 3)
    one = extract_corpus([src])
    two = extract_corpus([src], workers=2)
    assert _records(one) == _records(two)
    assert [ex.relations for ex in one.extractions] == [ex.relations for ex in two.extractions]


def test_cache_hits_and_invalidation(tmp_path: Path) -> None:
    src = _small_corpus(tmp_path, 2)
    cache_dir = tmp_path / "cache"
    first = extract_corpus([src], cache_dir=cache_dir)
    cached = extract_corpus([src], cache_dir=cache_dir)
    assert _records(first) == _records(cached)
    assert [ex.relations for ex in first.extractions] == [ex.relations for ex in cached.extractions]
    # the whole records come back, pages and mentions included
    assert [(ex.page, ex.mentions) for ex in first.extractions] == [
        (ex.page, ex.mentions) for ex in cached.extractions
    ]
    # one changed file: only it is extracted again
    f = sorted(src.glob("*.txt"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\n近日，市科技局召开会议。\n", encoding="utf-8")
    jobs = [Job(p.name, p.read_bytes()) for p in sorted(src.glob("*.txt"))]
    cache = Cache(cache_dir, "平湖市")
    run(jobs, "平湖市", cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)


def test_a_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    src = _small_corpus(tmp_path, 1)
    cache_dir = tmp_path / "cache"
    extract_corpus([src], cache_dir=cache_dir)
    for p in cache_dir.rglob("*.kgx"):
        p.write_bytes(b"not an entry")
    again = extract_corpus([src], cache_dir=cache_dir)
    assert len(again.extractions) == 1


def test_a_changed_byte_in_a_cache_entry_is_a_miss_never_a_changed_graph(tmp_path: Path) -> None:
    """#17 (9): the cache was pickle without a checksum: a changed byte gave a traceback on
    every build or silently changed the graph (a name with one character swapped went in).
    Entries are data behind a SHA-256 checksum: any damage is a miss and the file is
    extracted again."""
    from kg.engine import decode_extraction, encode_extraction

    src = _small_corpus(tmp_path, 1)
    cache_dir = tmp_path / "cache"
    fresh = extract_corpus([src], cache_dir=cache_dir)
    (entry,) = list(cache_dir.rglob("*.kgx"))
    good = entry.read_bytes()
    assert decode_extraction(good) is not None
    assert b"\x80\x04" not in good[:2]  # not a pickle
    name = "科技局".encode()
    at = good.index(name)
    damaged = [
        good[:at] + bytes([good[at] ^ 1]) + good[at + 1 :],  # one character of a name
        good[:-1] + bytes([good[-1] ^ 0x40]),  # the last byte
        good[: len(good) // 2],  # truncated
        b"",
        good[:4] + bytes(32) + good[36:],  # the checksum zeroed
    ]
    for bad in damaged:
        assert decode_extraction(bad) is None
        entry.write_bytes(bad)
        cache = Cache(cache_dir, "平湖市")
        again = run([Job(p.name, p.read_bytes()) for p in sorted(src.glob("*.txt"))], "平湖市",
                    cache=cache)
        assert (cache.hits, cache.misses) == (0, 1)
        assert [d.extraction.mentions for d in again] == [ex.mentions for ex in fresh.extractions]
    # a checksummed payload of the wrong shape is a miss too
    import hashlib

    import msgpack

    payload = msgpack.packb([1, 2, 3])
    assert decode_extraction(b"KGX1" + hashlib.sha256(payload).digest() + payload) is None
    ex = fresh.extractions[0]
    back = decode_extraction(encode_extraction(ex))
    assert back is not None and (back.page, back.mentions, back.relations) == (
        ex.page, ex.mentions, ex.relations)


def test_fingerprint_is_stable() -> None:
    assert fingerprint() == fingerprint() and len(fingerprint()) == 16


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(EngineError):
        run([], "平湖市", engine="spark")


def test_shards_cover_every_quad_once() -> None:
    nq = (
        '<a> <p> "x" <https://w3id.org/pinghu-kg/id/graph/p/0> .\n'
        '<a> <p> "y"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
        "<a> <p> <b> <https://w3id.org/pinghu-kg/id/graph/p/1> .\n"
    )
    shards = nquads_shards(nq)
    assert set(shards) == {"graph_p_0", "graph_p_1", "default"}
    assert sum(v.count("\n") for v in shards.values()) == 3


def test_cli_incremental_and_dask_builds_match(tmp_path: Path) -> None:
    """A cached rebuild, a 2-process build and a Dask LocalCluster build with shards are
    byte-identical to a plain build."""
    src = _small_corpus(tmp_path, 2)
    runner = CliRunner()
    outs = {}
    for name, extra in (
        ("plain", ["--no-cache"]),
        ("cached", []),
        ("jobs", ["--jobs", "2", "--no-cache"]),
        ("dask", ["--engine", "dask", "--jobs", "2", "--no-cache"]),
    ):
        out = tmp_path / ("cached" if name == "cached" else name)
        args = ["build", "--seeds", str(src), "--out", str(out), "--no-html", *extra]
        if name == "cached":  # twice: the second run reads everything from the cache
            assert runner.invoke(main, args).exit_code == 0
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output
        outs[name] = (out / "pinghu.nq").read_bytes()
    assert outs["plain"] == outs["cached"] == outs["jobs"] == outs["dask"]
    assert any((tmp_path / "dask" / "shards").glob("*.nq"))


def test_cli_unreachable_scheduler_is_a_clear_failure(tmp_path: Path) -> None:
    src = _small_corpus(tmp_path, 1)
    res = CliRunner().invoke(
        main,
        [
            "build",
            "--seeds",
            str(src),
            "--out",
            str(tmp_path / "o"),
            "--no-html",
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert res.exit_code == 1
    assert "Dask scheduler" in res.output


def test_cli_scheduler_needs_dask(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["build", "--seeds", str(SEEDS), "--out", str(tmp_path), "--scheduler", "x"]
    )
    assert res.exit_code == 2


def test_an_extractor_crash_skips_that_file_only(monkeypatch) -> None:
    import kg.extract

    def boom(page, nlp):
        raise RuntimeError("bug")

    monkeypatch.setattr(kg.extract, "extract_page", boom)
    done = extract_job(Job("odd.txt", "近日，市科技局召开会议。".encode()), "平湖市", nlp=object())
    assert done.extraction is None and "extraction failed" in done.error


def test_paused_gc_restores_the_collector() -> None:
    import gc

    from kg.engine import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with paused_gc():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()
