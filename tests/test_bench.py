"""The benchmark code runs (on a tiny corpus); the figures come from `make bench`."""

from __future__ import annotations

from pathlib import Path

from conftest import SEEDS

from bench import corpus as bench_corpus
from bench import run as bench_run


def test_generated_corpus_is_deterministic_and_substitutes_names(tmp_path: Path) -> None:
    a = bench_corpus.generate(SEEDS, tmp_path / "a", 4, seed=3, chars=600)
    b = bench_corpus.generate(SEEDS, tmp_path / "b", 4, seed=3, chars=600)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    text = "".join(p.read_text(encoding="utf-8") for p in a)
    assert len(text) > 4 * 600
    assert any(suffix in text for suffix in ("科技有限公司", "研究院", "孵化器"))


def test_benchmark_runner_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    rc = bench_run.main(
        [
            "--sizes",
            "2",
            "--quick",
            "--no-browser",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "w"),
        ]
    )
    assert rc == 0
    md = out.read_text(encoding="utf-8")
    for title in (
        "Extraction throughput",
        "The five seed pages",
        "Build",
        "SPARQL",
        "Network",
        "Graph pages",
        "Resolution of one file",
    ):
        assert f"## {title}" in md
    assert "| yes |" in md  # the incremental build equals a full build
