"""The graph store: a later build brings the previous store up to date in place (a delta in one
transaction) and the result is the store a fresh build makes."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import store_quads

from kg.cli import main
from kg.store import (
    STORE_GRAPHS,
    GraphText,
    _sorted_delta,
    graph_delta,
    open_store,
    record_store_graphs,
    save_graph_texts,
    update_store,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

A = "<http://x/a> <http://x/p> \"一\"@zh <http://x/g1> ."
B = "<http://x/b> <http://x/p> <http://x/c> <http://x/g1> ."
C = "<http://x/c> <http://x/p> \"三\" <http://x/g2> ."
D = "<http://x/d> <http://x/p> \"4\"^^<http://www.w3.org/2001/XMLSchema#integer> ."


def _lines(*lines: str) -> io.BytesIO:
    return io.BytesIO(_text(*lines))


def _text(*lines: str) -> bytes:
    return "".join(f"{ln}\n" for ln in lines).encode()


@pytest.mark.parametrize("block", [1, 7, 60, 1 << 16])
def test_sorted_delta_finds_what_went_and_came(block: int) -> None:
    """Read in blocks of any size (lines cut across blocks, longer than a block)."""
    gone, came, digest, lines = _sorted_delta(_lines(A, B, D), _text(A, C, D), block)
    assert (gone, came, lines) == ([B], [C], 3)
    assert digest == hashlib.sha256(_text(A, B, D)).hexdigest()
    assert _sorted_delta(io.BytesIO(f"{A}\n{B}".encode()), _text(A, B), block)[3] == 2
    assert _sorted_delta(_lines(A, B), _text(A, B, C, D), block)[:2] == ([], [C, D])
    assert _sorted_delta(_lines(A, B, C, D), _text(B), block)[:2] == ([A, C, D], [])
    assert _sorted_delta(_lines(A, B, C, D), _text(A, B, C, D), block)[:2] == ([], [])
    assert _sorted_delta(io.BytesIO(f"{A}\n{B}".encode()), _text(A, B), block)[:2] == ([], [])
    assert _sorted_delta(io.BytesIO(b""), _text(A), block)[:2] == ([], [A])
    assert _sorted_delta(_lines(A), b"", block)[:2] == ([A], [])


@pytest.mark.parametrize("block", [1, 60, 1 << 16])
def test_sorted_delta_refuses_unsorted_input(block: int) -> None:
    assert _sorted_delta(_lines(B, A), _text(A, B), block) is None
    assert _sorted_delta(_lines(A, C), _text(B, A), block) is None


@pytest.mark.parametrize("block", [64, 4096, 1 << 16])
def test_sorted_delta_matches_set_difference_on_many_lines(block: int) -> None:
    """Thousands of lines over many blocks, a few or many of them changed: exactly the set
    differences, in order."""
    rng = random.Random(3)
    universe = [f"<http://x/s{i:05d}> <http://x/p> \"{i}\" <http://x/g> ." for i in range(5000)]
    old = sorted(rng.sample(universe, 3000))
    for new in (
        sorted(rng.sample(universe, 3000)),
        sorted(set(old) - {old[5], old[2000]} | {universe[4999]}),
        old[:-1] + ["<http://y/a> <http://x/p> <http://x/o> <http://x/g> ."],
    ):
        gone, came, _, n = _sorted_delta(_lines(*old), _text(*new), block)
        assert gone == sorted(set(old) - set(new)) and came == sorted(set(new) - set(old))
        assert n == len(old)


def _dump(path: Path) -> tuple[list[str], list[str]]:
    """Statements and named graphs (a graph emptied by a delta must be gone too)."""
    store = open_store(path)
    graphs = sorted(g.value for g in store.named_graphs())
    del store
    return store_quads(path), graphs


def _graphs(*lines: str) -> dict[str, GraphText]:
    """Sorted N-Quads lines by graph IRI, as a build keeps them."""
    by: dict[str, list[str]] = {}
    for ln in sorted(lines):
        by.setdefault(ln.rsplit(" ", 2)[-2].strip("<>"), []).append(ln)  # all in named graphs
    return {g: GraphText.of(g, _text(*ls)) for g, ls in by.items()}


def test_update_store_in_place(tmp_path: Path) -> None:
    old, new = _graphs(A, B, C), _graphs(A, C.replace("三", "四"), B.replace("g1", "g3"))
    store = tmp_path / "store"
    s = ox.Store(str(store))
    s.bulk_load(b"".join(g.data for g in old.values()), format=ox.RdfFormat.N_QUADS)
    s.add(ox.Quad(ox.NamedNode("http://x/m"), ox.NamedNode("http://x/p"), ox.Literal("1"),
                  ox.NamedNode("http://x/measures")))
    del s
    assert graph_delta(store, new) is None  # no record: not known
    save_graph_texts(tmp_path, old)
    record_store_graphs(tmp_path, old)
    assert graph_delta(store, old) == ("", "")
    delta = graph_delta(store, new)
    assert delta is not None
    gone, came = delta
    # g1 lost B (its only other line, A, stays), g2 changed, g3 is new
    assert gone == "".join(sorted(f"{x}\n" for x in (B, C)))
    assert came == "".join(sorted(f"{x}\n" for x in (C.replace("三", "四"), B.replace("g1", "g3"))))
    update_store(store, delta, new)
    save_graph_texts(tmp_path, new)
    record_store_graphs(tmp_path, new)
    fresh = tmp_path / "fresh"
    f = ox.Store(str(fresh))
    f.bulk_load(b"".join(g.data for g in new.values()), format=ox.RdfFormat.N_QUADS)
    del f
    assert _dump(store) == _dump(fresh)  # the measures graph (not in the build) is gone
    assert graph_delta(store, new) == ("", "")
    # only the texts of the graphs the store holds are kept
    kept = sorted(p.name for p in (tmp_path / ".graphs").iterdir())
    assert kept == sorted(f"{g.digest}.nq" for g in new.values())
    # a kept text that is not what the record says: a fresh load
    text = tmp_path / ".graphs" / f"{new['http://x/g2'].digest}.nq"
    text.write_bytes(text.read_bytes().replace("四".encode(), "五".encode()))
    assert graph_delta(store, _graphs(A, C, B.replace("g1", "g3"))) is None
    text.unlink()
    assert graph_delta(store, _graphs(A, C, B.replace("g1", "g3"))) is None
    # a graph that went is dropped, not compared
    assert graph_delta(store, _graphs(A, B.replace("g1", "g3"))) == ("", "")


def _build(src: Path, out: Path) -> None:
    res = CliRunner().invoke(main, ["build", "--seeds", str(src), "--out", str(out), "--no-html"])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("delta")
    pages = sorted(SEEDS.glob("*.txt"))
    small, big = base / "small", base / "big"
    for d, chosen in ((small, pages[:2]), (big, pages[:3])):
        d.mkdir()
        for p in chosen:
            shutil.copy(p, d / p.name)
        shutil.copy(SEEDS / "articles.toml", d / "articles.toml")
    return small, big


def test_a_later_build_updates_the_store_in_place(two_inputs, tmp_path: Path) -> None:
    small, big = two_inputs
    out, ref = tmp_path / "out", tmp_path / "ref"
    _build(small, out)
    assert (out / STORE_GRAPHS).is_file()
    before = (out / "store").stat().st_ino
    from kg.analysis import measure_quads, write_measures

    rw = open_store(out / "store", read_only=False)  # as `kg analyze` does
    write_measures(rw, measure_quads({"nodes": {"http://x/a": {"degree": 1}}}))
    del rw
    _build(big, out)
    assert (out / "store").stat().st_ino == before  # updated, not replaced
    _build(big, ref)
    assert _dump(out / "store") == _dump(ref / "store")
    for f in ("pinghu.nq", "pinghu.trig", "pinghu.ttl", STORE_GRAPHS):
        assert (out / f).read_bytes() == (ref / f).read_bytes()
    _build(small, out)  # and back: statements removed
    _build(small, ref)
    assert _dump(out / "store") == _dump(ref / "store")


@pytest.mark.parametrize("damage", ["no record", "wrong record", "text changed"])
def test_a_store_that_is_not_what_its_record_says_is_loaded_afresh(
    two_inputs, tmp_path: Path, damage: str
) -> None:
    small, big = two_inputs
    out = tmp_path / "out"
    _build(small, out)
    record = out / STORE_GRAPHS
    if damage == "no record":  # a build killed while it changed the store
        record.unlink()
    elif damage == "wrong record":
        record.write_text(record.read_text(encoding="utf-8").replace("\t", "0\t", 1)[1:],
                          encoding="utf-8")
    else:  # the kept text of the entities graph (it changes with the new page) was edited
        digest = next(ln.split("\t")[0] for ln in record.read_text().splitlines()
                      if ln.endswith("/graph/entities"))
        kept = out / ".graphs" / f"{digest}.nq"
        kept.write_bytes(kept.read_bytes()[:-200])
    before = (out / "store").stat().st_ino
    _build(big, out)
    assert (out / "store").stat().st_ino != before
    ref = tmp_path / "ref"
    _build(big, ref)
    assert _dump(out / "store") == _dump(ref / "store")


@pytest.mark.parametrize("block", [1, 3, 1 << 16])
def test_sorted_delta_edge_cases(block: int) -> None:
    """The last line of a file without a final newline is a whole line, not a prefix of a
    longer one; new lines out of order past the old file's end are refused."""
    assert _sorted_delta(io.BytesIO(b"a\nb"), b"a\nbc\n", block)[:2] == (["b"], ["bc"])
    assert _sorted_delta(io.BytesIO(b"a\nb"), b"a\nb", block)[:2] == ([], [])
    assert _sorted_delta(io.BytesIO(b"a\n"), b"a\nc\nb\n", block) is None


# ---------------------------------------------------------------------------------------------
# #17 (5, 10): one writer per folder, a store checked against what it claims to hold


def _count(path: Path) -> int:
    """Statements in the store but the ontology's (installed beside the build's)."""
    from kg.store import ONTOLOGY_GRAPH

    s = open_store(path)
    n = len(s) - sum(1 for _ in s.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH)))
    del s
    return n


def _lines_of(out: Path) -> int:
    return (out / "pinghu.nq").read_bytes().count(b"\n")


def test_a_second_build_into_a_busy_folder_is_refused(two_inputs, tmp_path: Path) -> None:
    """Two builds into one --out interleaved and left a store that disagreed with pinghu.nq
    while its digest matched. A build now holds the folder; a second one stops at once with a
    clear message (exit 1) and changes nothing."""
    from kg.io import output_lock

    small, big = two_inputs
    out = tmp_path / "out"
    _build(small, out)
    before = {f: (out / f).read_bytes() for f in ("pinghu.nq", STORE_GRAPHS)}
    with output_lock(out):  # another build at work
        res = CliRunner().invoke(main, ["build", "--seeds", str(big), "--out", str(out),
                                        "--no-html"])
        assert res.exit_code == 1, res.output
        assert "another kg process is writing into this folder" in res.output
        assert f"pid {os.getpid()}" in res.output
    assert {f: (out / f).read_bytes() for f in before} == before
    _build(big, out)  # the lock is gone with its holder
    assert _count(out / "store") == _lines_of(out)


def test_an_emptied_store_is_loaded_again(two_inputs, tmp_path: Path) -> None:
    """An emptied store/ stayed empty forever: the digest was trusted, the store never
    checked. The store must hold as many statements as the N-Quads it claims."""
    small, _ = two_inputs
    out = tmp_path / "out"
    _build(small, out)
    for f in (out / "store").iterdir():
        f.unlink()
    _build(small, out)
    assert _count(out / "store") == _lines_of(out) > 0


def test_a_store_changed_behind_its_digest_is_loaded_again(two_inputs, tmp_path: Path) -> None:
    """A store that disagrees with pinghu.nq while its digest still matches (what the
    interleaved builds left) is not patched but loaded afresh."""
    small, big = two_inputs
    out, ref = tmp_path / "out", tmp_path / "ref"
    _build(small, out)
    s = open_store(out / "store", read_only=False)
    some = list(itertools.islice(s.quads_for_pattern(None, None, None, None), 50))
    for q in some:
        s.remove(q)
    del s
    _build(big, out)
    _build(big, ref)
    assert _dump(out / "store") == _dump(ref / "store")


def test_a_damaged_store_is_rebuilt_and_never_a_traceback(two_inputs, tmp_path: Path) -> None:
    """A corrupt store file gave a traceback on the next build and on every query. The
    build loads a fresh store; queries on a damaged store are a clear usage error."""
    small, _ = two_inputs
    out = tmp_path / "out"
    _build(small, out)
    (out / "store" / "CURRENT").write_bytes(b"garbage")
    res = CliRunner().invoke(main, ["query", "--store", str(out / "store"),
                                    "SELECT * { ?s ?p ?o } LIMIT 1"])
    assert res.exit_code == 2 and "damaged" in res.output and res.exception is not None
    assert isinstance(res.exception, SystemExit)
    _build(small, out)
    assert _count(out / "store") == _lines_of(out)
    for sst in sorted((out / "store").glob("*.sst")):  # damage inside the data files
        data = bytearray(sst.read_bytes())
        for i in range(100, len(data), 997):
            data[i] ^= 0xFF
        sst.write_bytes(bytes(data))
    _build(small, out)
    assert _count(out / "store") == _lines_of(out)


def test_the_ontology_is_in_the_store_so_queries_can_follow_subclasses(built_output) -> None:
    """#22: the TBox is loaded in its own named graph: `a/rdfs:subClassOf*` reaches
    org:Organization from every organisation type, and the data graphs are untouched."""
    from kg.store import ONTOLOGY_GRAPH, run_query

    store = open_store(built_output / "store")
    orgs = run_query(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE "
                            "{ ?x a/rdfs:subClassOf* org:Organization }")
    direct = run_query(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE "
                              "{ ?x a ?c . FILTER(?c IN (kg:Enterprise, kg:University)) }")
    assert int(orgs.rows[0][0]) > int(direct.rows[0][0]) > 0
    tbox = run_query(store, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ kg:Enterprise a owl:Class }} }}")
    assert tbox.boolean
