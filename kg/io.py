"""Atomic output writes: a temp file in the target directory, fsync, then rename."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


class OutputBusy(Exception):
    """Another process is writing into the same output folder."""


#: The lock file of an output folder (see :func:`output_lock`).
LOCK_NAME = ".kg.lock"


@contextmanager
def output_lock(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the output folder for one writer at a time (``kg build``, ``kg analyze``).

    An advisory lock (``flock``) on ``folder/.kg.lock``: the kernel releases it when the
    holder exits, even after ``kill -9``, so a killed build never leaves a stale lock. A
    second writer gets :class:`OutputBusy` at once, with the holder's process id."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                raise OutputBusy(
                    f"{folder}: another kg process is writing into this folder ({holder}); "
                    "wait for it to finish, or use another output folder"
                ) from None
        os.ftruncate(fd, 0)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        os.pwrite(fd, f"pid {os.getpid()}, since {stamp}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see either the old or the new file."""
    target = Path(path)
    tmp = _temp_copy(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _temp_copy(target: Path, data: bytes) -> Path:
    """``data`` written and synced into a hidden temporary file beside ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


class Staged:
    """Files written together: each goes to a synced temporary file first, and only when all
    are written (:meth:`commit`) are they renamed into place, so a full disk halfway leaves
    every previous file as it was (a rename needs no space)."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def write(self, path: str | os.PathLike[str], data: bytes | str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._pending.append((_temp_copy(Path(path), raw), Path(path)))

    def commit(self) -> None:
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending.clear()

    def discard(self) -> None:
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()


@contextmanager
def staged() -> Iterator[Staged]:
    """A :class:`Staged` set of files, committed when the block ends normally, else
    discarded."""
    st = Staged()
    try:
        yield st
    except BaseException:
        st.discard()
        raise
    st.commit()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically (newlines are written as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@functools.cache
def asset(name: str) -> str:
    """A page asset shipped in the package (``kg/assets/<name>``: scripts, styles, HTML), read
    through importlib.resources so that it is found in an installed wheel too."""
    from importlib.resources import files

    return files("kg").joinpath("assets", name).read_text(encoding="utf-8")


def package_dir(name: str) -> Path:
    """A data folder shipped inside the package (``kg/<name>``: the ontology, the named
    queries), found through importlib.resources, in a checkout and in an installed wheel."""
    from importlib.resources import files

    return Path(str(files("kg").joinpath(name)))


def named_queries() -> dict[str, Path]:
    """The competency questions shipped with the package: name -> ``.rq`` file."""
    return {p.stem: p for p in sorted(package_dir("queries").glob("*.rq"))}


def save_arrays(path: str | os.PathLike[str], arrays: dict[str, Any]) -> Path:
    """numpy arrays as a compressed ``.npz``, written atomically, with fixed member dates
    (``np.savez`` stamps the current time): the same arrays give the same bytes."""
    import io
    import zipfile

    import numpy as np

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, arr, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
    return atomic_write_bytes(path, buf.getvalue())
