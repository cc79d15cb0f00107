"""The distribution works outside this checkout: a wheel built from the project, installed
into a fresh virtual environment, builds a graph and answers a named query from an empty
folder (ontology, shapes, named queries, page assets and models are package data)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel installed into a new virtual environment whose only other packages are the
    dependencies already installed here (no network): returns the environment's bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work),
                  str(ROOT)], cwd=work)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(work.glob("pinghu_kg-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", purelib], cwd=work).stdout.strip())
    # the dependencies: this environment's packages, appended after the wheel's own
    (site / "deps_from_test.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                cwd=work)
    assert done.returncode == 0, done.stderr
    return bindir


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path) -> None:
    out = _run([str(installed / "python"), "-c", "import kg; print(kg.__file__)"], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert str(ROOT) not in out.stdout and str(installed.parent) in out.stdout


def test_build_and_named_query_from_an_empty_folder(installed: Path, tmp_path) -> None:
    seeds = tmp_path / "articles"
    seeds.mkdir()
    for f in sorted((ROOT / "seeds").glob("*.txt"))[:2]:
        shutil.copy(f, seeds / f.name)
    kg = str(installed / "kg")
    built = _run([kg, "build", "--seeds", "articles", "--out", "out", "--no-html"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (tmp_path / "out" / "pinghu.nq").is_file()
    assert "SHACL: conforms" in built.stdout
    q = _run([kg, "query", "--name", "entities_by_type", "--store", "out/store",
              "--format", "json"], cwd=tmp_path)
    assert q.returncode == 0, q.stderr[-2000:]
    assert json.loads(q.stdout)
    bad = _run([kg, "query", "--name", "no_such_query", "--store", "out/store"], cwd=tmp_path)
    assert bad.returncode == 2 and "fund_portfolio" in bad.stderr  # the packaged names listed
