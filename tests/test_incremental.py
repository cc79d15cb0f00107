"""#23: the store is the product. Above a size (or with --no-exports) a build writes no Turtle,
TriG or N-Quads; `kg export --format rdf` writes them from what the store holds, the same bytes
a build with exports writes; a later build brings the store up to date graph by graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import store_quads

from kg.cli import main
from kg.outputs import EXPORT_LIMIT, RDF_EXPORTS, exports_wanted
from kg.store import GRAPHS_DIR, STORE_GRAPHS, read_store_graphs

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _build(src: Path, out: Path, *extra: str) -> str:
    return _run("build", "--seeds", str(src), "--out", str(out), "--no-html", *extra)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("incremental")
    pages = sorted(SEEDS.glob("*.txt"))
    small, big = base / "small", base / "big"
    for d, chosen in ((small, pages[:2]), (big, pages[:3])):
        d.mkdir()
        for p in chosen:
            shutil.copy(p, d / p.name)
        shutil.copy(SEEDS / "articles.toml", d / "articles.toml")
    return small, big


def test_the_limit_decides_unless_told() -> None:
    assert exports_wanted(EXPORT_LIMIT, None) and not exports_wanted(EXPORT_LIMIT + 1, None)
    assert exports_wanted(10**6, True) and not exports_wanted(1, False)


def test_export_writes_what_the_build_would_have(inputs, tmp_path: Path) -> None:
    small, big = inputs
    ref, out = tmp_path / "ref", tmp_path / "out"
    _build(big, ref)  # small: exports written
    printed = _build(big, out, "--no-exports")
    assert "kg export --format rdf" in printed and "statements" in printed
    assert not any((out / f).exists() for f in RDF_EXPORTS)
    assert store_quads(out / "store") == store_quads(ref / "store")
    printed = _run("export", "--format", "rdf", "--out", str(out))
    for f in RDF_EXPORTS:
        assert (out / f).read_bytes() == (ref / f).read_bytes(), f
        assert f in printed
    # the same graph again: the exports stay (they are still this graph's)
    _build(big, out, "--no-exports")
    assert all((out / f).is_file() for f in RDF_EXPORTS)
    # another graph: exports of the earlier one would mislead, and go
    _build(small, out, "--no-exports")
    assert not any((out / f).exists() for f in RDF_EXPORTS)
    # one format, into another folder, from the store of this one
    other = tmp_path / "other"
    _run("export", "--format", "nquads", "--out", str(other), "--store", str(out / "store"))
    assert sorted(p.name for p in other.iterdir() if not p.name.startswith(".")) == ["pinghu.nq"]


def test_an_incremental_build_without_exports_equals_a_full_build(inputs, tmp_path: Path) -> None:
    """Pages added, then removed: the store is updated in place, graph by graph, and is the
    store (and gives the exports) of a fresh build of the same files."""
    small, big = inputs
    out = tmp_path / "out"
    _build(small, out, "--no-exports")
    before = (out / "store").stat().st_ino
    for src in (big, small):
        _build(src, out, "--no-exports")
        ref = tmp_path / f"ref-{src.name}"
        _build(src, ref, "--no-cache")
        assert (out / "store").stat().st_ino == before  # updated, not replaced
        assert store_quads(out / "store") == store_quads(ref / "store")
        assert (out / STORE_GRAPHS).read_bytes() == (ref / STORE_GRAPHS).read_bytes()
        _run("export", "--format", "rdf", "--out", str(out))
        for f in RDF_EXPORTS:
            assert (out / f).read_bytes() == (ref / f).read_bytes(), f
    # only the texts of the graphs the store holds are kept
    record = read_store_graphs(out)
    assert record is not None
    assert sorted(p.name for p in (out / GRAPHS_DIR).iterdir()) == sorted(
        f"{d}.nq" for d, _ in record.values())


def test_a_damaged_graph_text_is_a_fresh_load_and_export_refuses_it(
    inputs, tmp_path: Path
) -> None:
    small, big = inputs
    out, ref = tmp_path / "out", tmp_path / "ref"
    _build(small, out, "--no-exports")
    kept = sorted((out / GRAPHS_DIR).iterdir())
    data = kept[0].read_bytes()
    kept[0].write_bytes(data[:-3] + b"x .\n")  # the same size, another text
    for k in kept[1:]:
        k.write_bytes(k.read_bytes()[:-10])
    res = CliRunner().invoke(main, ["export", "--format", "turtle", "--out", str(out)])
    assert res.exit_code == 2 and "kg build" in res.output
    assert not kept[0].exists()  # found changed: removed, so the next build writes it again
    before = (out / "store").stat().st_ino
    _build(big, out, "--no-exports")
    assert (out / "store").stat().st_ino != before  # loaded afresh
    _build(big, ref)
    assert store_quads(out / "store") == store_quads(ref / "store")
    _run("export", "--format", "rdf", "--out", str(out))
    for f in RDF_EXPORTS:
        assert (out / f).read_bytes() == (ref / f).read_bytes(), f


def test_export_without_a_build_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", "--format", "rdf", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "kg build" in res.output
