"""Outputs: a killed build leaves the previous outputs intact; rebuilds are byte-identical.

Both run real ``python -m kg build`` processes:

* the kill test starts a build of different input over an existing output folder and sends
  SIGKILL at several moments (during extraction, as soon as the first output is being written,
  and a little after); every output file must then be either the complete previous version or
  the complete new one, and must parse;
* the determinism test builds the seeds twice with different ``PYTHONHASHSEED`` values from two
  copies of the seed folder created in opposite orders with different mtimes, and compares every
  output byte for byte (the Oxigraph store by its sorted contents).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import store_quads

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
FILES = ("pinghu.ttl", "pinghu.trig", "pinghu.nq", "validation.txt")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def _env(hashseed: str = "0") -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = hashseed
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("KG_MAX_FILE_MB", None)
    return env


def _cmd(seeds: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kg", "build", "--seeds", str(seeds), "--out", str(out), *extra]


def _build(seeds: Path, out: Path, *extra: str, hashseed: str = "0") -> None:
    proc = subprocess.run(_cmd(seeds, out, *extra), cwd=ROOT, env=_env(hashseed),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def _copy_seeds(dst: Path, files: list[Path]) -> Path:
    dst.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, dst / f.name)
    if (SEEDS / "articles.toml").is_file():
        shutil.copy2(SEEDS / "articles.toml", dst / "articles.toml")
    return dst


def _snapshot(out: Path) -> dict[str, bytes]:
    return {f: (out / f).read_bytes() for f in FILES}



def _assert_parses(out: Path) -> None:
    import pyoxigraph as ox

    nq = (out / "pinghu.nq").read_bytes()
    assert list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    assert list(ox.parse((out / "pinghu.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert list(ox.parse((out / "pinghu.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    assert b"Conforms: True" in (out / "validation.txt").read_bytes()
    assert store_quads(out / "store"), "the store must open and hold quads"


def _state(out: Path) -> tuple:
    """Names and mtimes in ``out``: any change means the build has started writing."""
    try:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in os.scandir(out)))
    except FileNotFoundError:
        return ()


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """An 'old' output (two pages) and the reference 'new' output (three pages)."""
    base = tmp_path_factory.mktemp("kill")
    old_in = _copy_seeds(base / "old-in", SEED_FILES[:2])
    new_in = _copy_seeds(base / "new-in", SEED_FILES[:3])
    old_out, new_out = base / "old-out", base / "new-out"
    _build(old_in, old_out, "--no-html")
    _build(new_in, new_out, "--no-html")
    old, new = _snapshot(old_out), _snapshot(new_out)
    assert all(old[f] != new[f] for f in FILES if f != "validation.txt")
    return old_in, new_in, old_out, old, new


# when to kill: ("start", s) = s seconds after launch (still extracting);
# ("write", s) = s seconds after the first change in the output folder (writing outputs)
KILLS = [("start", 1.0), ("write", 0.0), ("write", 0.003), ("write", 0.03), ("write", 0.15),
         ("write", 0.5)]


def _kill_during(cmd: list[str], out: Path, when: str, delay: float) -> tuple[bool, bool]:
    """Run ``cmd``, SIGKILL it at the given moment; returns (killed, had started writing)."""
    before = _state(out)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        if when == "start":
            time.sleep(delay)
        else:
            while proc.poll() is None and _state(out) == before and time.monotonic() - t0 < 120:
                time.sleep(0.0005)
            time.sleep(delay)
        writing = _state(out) != before
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    return killed, writing


def test_killed_build_leaves_outputs_intact(two_versions, tmp_path: Path) -> None:
    old_in, new_in, old_out, old, new = two_versions
    outcomes = []
    for when, delay in KILLS:
        out = tmp_path / f"out-{when}-{delay}"
        shutil.copytree(old_out, out)
        killed, writing = _kill_during(_cmd(new_in, out, "--no-html"), out, when, delay)
        snap = _snapshot(out)
        for f in FILES:
            assert snap[f] in (old[f], new[f]), f"{when}+{delay}s: {f} is neither old nor new"
        if when == "start" and killed and not writing:
            assert snap == old
        _assert_parses(out)
        outcomes.append((killed, writing, sum(snap[f] == new[f] for f in FILES)))
    print("kill outcomes (killed, writing, files already new):", outcomes)
    # the test must really have hit a build in the middle of writing its outputs
    assert any(k and w for k, w, _ in outcomes), outcomes
    # and a later build over a killed one repairs everything (stray temp files do no harm)
    out = tmp_path / f"out-{KILLS[-1][0]}-{KILLS[-1][1]}"
    _build(new_in, out, "--no-html")
    assert _snapshot(out) == new
    _assert_parses(out)


def test_rebuilds_identical_across_hash_seed_and_file_order(tmp_path: Path) -> None:
    a = _copy_seeds(tmp_path / "a", SEED_FILES)
    b = tmp_path / "b"
    b.mkdir()
    for i, f in enumerate(reversed(SEED_FILES)):  # opposite creation order and mtimes
        shutil.copyfile(f, b / f.name)
        os.utime(b / f.name, (1_000_000_000 + i, 1_000_000_000 + i))
    shutil.copyfile(SEEDS / "articles.toml", b / "articles.toml")
    assert [p.name for p in sorted(a.iterdir(), key=lambda p: p.stat().st_mtime_ns)] != [
        p.name for p in sorted(b.iterdir(), key=lambda p: p.stat().st_mtime_ns)]
    procs = [
        subprocess.Popen(_cmd(src, tmp_path / f"out-{seed}"), cwd=ROOT, env=_env(seed),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for src, seed in ((a, "1"), (b, "4242"))
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    out1, out2 = tmp_path / "out-1", tmp_path / "out-4242"
    for f in (*FILES, "graph.html"):
        b1, b2 = (out1 / f).read_bytes(), (out2 / f).read_bytes()
        assert b1 == b2, f"{f} differs between PYTHONHASHSEED=1 and 4242 / file orders"
    assert store_quads(out1 / "store") == store_quads(out2 / "store")
