"""Shared fixtures: the pipeline and the seed build are made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = Path(__file__).resolve().parent / "data" / "gold"


@pytest.fixture(scope="session")
def nlp():
    from kg.extract import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def seed_corpus(nlp):
    from kg.build import extract_corpus

    return extract_corpus([SEEDS], nlp=nlp)


@pytest.fixture(scope="session")
def seed_build(seed_corpus):
    from kg.build import build_graph

    return build_graph(seed_corpus)


@pytest.fixture(scope="session")
def built_output(tmp_path_factory):
    """`kg build` run once on the seeds through the CLI."""
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path_factory.mktemp("output")
    result = CliRunner().invoke(main, ["build", "--seeds", str(SEEDS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def store_quads(store_path: Path) -> list[str]:
    """The statements of the store at ``store_path`` as sorted N-Quads lines."""
    import pyoxigraph as ox

    from kg.store import open_store

    store = open_store(store_path)
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    lines = sorted(ln for ln in data.decode("utf-8").splitlines() if ln.strip())
    del store
    return lines
