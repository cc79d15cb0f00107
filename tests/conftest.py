"""Shared fixtures: the pipeline and the seed build are made once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = Path(__file__).resolve().parent / "data" / "gold"
SHARED = ROOT.parent / "shared"
DEV_GOLD = SHARED / "dev"
#: The dev corpus's texts: third-party pages, gathered (never committed) as
#: ../shared/dev/README.md says, into dev-texts/ or the folder named by KG_DEV_TEXTS.
DEV_TEXTS = Path(os.environ.get("KG_DEV_TEXTS") or ROOT / "dev-texts")


@pytest.fixture(scope="session")
def dev_texts() -> Path:
    """The folder of gathered dev texts; the test is skipped when they are not there."""
    import json

    if not DEV_GOLD.is_dir():
        pytest.skip(f"no dev corpus at {DEV_GOLD}")
    wanted = [json.loads(f.read_text(encoding="utf-8"))["article"]
              for f in sorted(DEV_GOLD.glob("*.json"))]
    missing = [a for a in wanted if not (DEV_TEXTS / a).is_file()]
    if missing:
        pytest.skip(f"dev texts not gathered ({len(missing)} of {len(wanted)} missing in "
                    f"{DEV_TEXTS}; see ../shared/dev/README.md, or set KG_DEV_TEXTS)")
    return DEV_TEXTS


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


def fold_char(ch: str) -> str:
    """What a normalised character must equal in the original, up to width, quote style and
    simplification (both sides go through this, so a phrase-dependent simplification such as
    乾 → 干 compares equal to its character's own)."""
    import unicodedata

    from kg.ingest import simplified

    return simplified(unicodedata.normalize("NFKC", ch)).replace("“", '"').replace("”", '"')
