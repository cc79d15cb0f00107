"""Broken and hostile input files through `kg build` (and the ingest functions under it).

What is checked: odd but valid files (GBK/GB18030, UTF-16 with BOM, mixed line endings, stray NUL
bytes) build like their UTF-8 twins; unusable files (binary, empty, too large, FIFOs, folders
named *.txt, symlink loops, broken links, unreadable files) are skipped with one clear message
each, never stop the other files, and are reported again at the end; ``--strict`` makes them
fatal (exit 1); a run with nothing readable exits 2. Pathological texts stay fast.

Exit codes of ``kg build``: 0 built (skipped files are warnings), 1 failure (``--strict`` with
skipped files, SHACL violation), 2 usage or input error (no such folder, nothing readable).
"""

from __future__ import annotations

import codecs
import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.ingest import (
    MAX_SENTENCE_CHARS,
    InputError,
    display_name,
    ingest_file,
    ingest_text,
    read_file,
    split_sentences,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_76c65054079745a2.txt"
SEED2 = SEEDS / "001_74e014f75807bf88.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run_build(seeds: Path, out: Path, *extra: str):
    result = CliRunner().invoke(
        main, ["build", "--seeds", str(seeds), "--out", str(out), "--no-html", *extra]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    return result


def sources(out: Path) -> set[str]:
    """The ``kg:sourceFile`` values in the built N-Quads."""
    nq = (out / "pinghu.nq").read_text(encoding="utf-8")
    return {v.replace("\\\\", "\\") for v in re.findall(r'#sourceFile> "([^"]*)"', nq)}


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# odd but valid encodings and line endings


def _variants() -> dict[str, bytes]:
    text = seed_text()
    lines = text.splitlines()
    # CR, LF and CRLF in turn (a lone CR is never followed by an empty line's LF: that is CRLF)
    ends = [("\r\n", "\r", "\n")[i % 3] for i in range(len(lines))]
    for i in range(len(lines) - 1):
        if ends[i] == "\r" and not lines[i + 1]:
            ends[i] = "\r\n"
    mixed = "".join(ln + end for ln, end in zip(lines, ends))
    utf8 = text.encode("utf-8")
    cut = [utf8.index("。".encode()) + 3, len(utf8) // 2, len(utf8) - 10]
    nul = bytearray(utf8)
    for c in sorted(cut, reverse=True):  # NULs between characters, not inside one
        while c < len(nul) and (nul[c] & 0xC0) == 0x80:
            c += 1
        nul[c:c] = b"\x00"
    return {
        "gbk.txt": text.encode("gbk"),
        "gb18030.txt": text.encode("gb18030"),
        "utf16le.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf16be.txt": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "utf8bom.txt": codecs.BOM_UTF8 + utf8,
        "mixed-eol.txt": mixed.encode("utf-8"),
        "cr-only.txt": "\r".join(lines).encode("utf-8"),
        "nul-bytes.txt": bytes(nul),
    }


@pytest.mark.parametrize("name", list(_variants()))
def test_variant_normalises_like_utf8(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(_variants()[name])
    page, ref = ingest_file(f), ingest_file(SEED)
    assert page.text == ref.text
    assert [a.title for a in page.articles] == [a.title for a in ref.articles]
    assert [len(a.sentences) for a in page.articles] == [len(a.sentences) for a in ref.articles]


# ---------------------------------------------------------------------------------------------
# one folder with everything wrong at once


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Good variants plus one file of each broken kind; returns (folder, bad name → message)."""
    d = tmp_path_factory.mktemp("hostile")
    for name, data in _variants().items():
        (d / name).write_bytes(data)
    (d / "plain.txt").write_text(SEED2.read_text(encoding="utf-8"), encoding="utf-8")
    # a name that is not UTF-8: builds, and shows up as \xff
    (d / os.fsdecode(b"bad\xffname.txt")).write_bytes(SEED2.read_bytes())
    bad: dict[str, str] = {}
    (d / "binary.txt").write_bytes(bytes(range(256)) * 16)
    bad["binary.txt"] = "binary file"
    (d / "empty.txt").write_bytes(b"")
    bad["empty.txt"] = "empty file"
    (d / "blank.txt").write_bytes(b" \r\n\t\n" * 10)
    bad["blank.txt"] = "empty file"
    (d / "utf16-no-bom.txt").write_bytes(seed_text().encode("utf-16-le"))
    bad["utf16-no-bom.txt"] = "binary file"
    (d / "self-loop.txt").symlink_to("self-loop.txt")
    bad["self-loop.txt"] = "cannot read (Too many levels of symbolic links)"
    (d / "broken-link.txt").symlink_to("does-not-exist.txt")
    bad["broken-link.txt"] = "broken symbolic link"
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "fifo.txt")  # reading it would block forever
        bad["fifo.txt"] = "not a regular file (a FIFO)"
    big = d / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024)  # sparse: over the 4 MB limit without writing it
    bad["huge.txt"] = "too large (5.0 MB > limit 4.0 MB"
    # folders: a directory named *.txt is walked (not an article), loops are walked once
    (d / "folder.txt").mkdir()
    (d / "folder.txt" / "inner-ok.txt").write_text("浙江大学与平湖市签订合作协议。",
                                                   encoding="utf-8")
    (d / "sub").mkdir()
    (d / "sub" / "up").symlink_to(d, target_is_directory=True)
    (d / "sub" / "self").symlink_to(d / "sub", target_is_directory=True)
    return d, bad


def test_hostile_folder_builds_the_good_files(hostile_dir, tmp_path: Path) -> None:
    d, bad = hostile_dir
    t0 = time.monotonic()
    result = run_build(d, tmp_path / "out")
    elapsed = time.monotonic() - t0
    assert result.exit_code == 0, result.output
    good = set(_variants()) | {"plain.txt", "bad\\xffname.txt", "inner-ok.txt"}
    assert f"{len(good)} files" in result.stdout
    assert sources(tmp_path / "out") == good
    # each bad file: exactly one warning naming it and saying why; a summary at the end
    for name, why in bad.items():
        lines = [ln for ln in result.stderr.splitlines() if f"skipped {name}:" in ln]
        assert len(lines) == 1, (name, result.stderr)
        assert why in lines[0], (name, lines[0])
    assert f"{len(bad)} file(s) skipped" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.output
    assert elapsed < 60
    for f in ("pinghu.ttl", "pinghu.trig", "pinghu.nq", "validation.txt"):
        assert (tmp_path / "out" / f).stat().st_size > 0


def test_strict_makes_skipped_files_fatal(hostile_dir, tmp_path: Path) -> None:
    d, bad = hostile_dir
    result = run_build(d, tmp_path / "out", "--strict")
    assert result.exit_code == 1, result.output
    assert "unreadable input files (--strict)" in result.stderr
    assert f"{len(bad)} file(s) skipped" in result.stderr


def test_nothing_readable_exits_2(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "a.txt").write_bytes(b"")
    (d / "b.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run_build(d, tmp_path / "out")
    assert result.exit_code == 2
    assert "no readable article files" in result.stderr
    assert "skipped a.txt: empty file" in result.stderr
    assert not (tmp_path / "out" / "pinghu.nq").exists()


def test_missing_seeds_exits_2(tmp_path: Path) -> None:
    result = run_build(tmp_path / "nope", tmp_path / "out")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_fifo_given_directly_does_not_hang(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = run_build(fifo, tmp_path / "out")
    assert result.exit_code == 2
    assert "pipe.txt: not a regular file (a FIFO)" in result.stderr


@pytest.mark.skipif(IS_ROOT, reason="root reads chmod 000 files; FIFO/folder cases cover it")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.txt").write_bytes(SEED.read_bytes())
    locked = d / "locked.txt"
    locked.write_bytes(SEED2.read_bytes())
    locked.chmod(0)
    try:
        result = run_build(d, tmp_path / "out")
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 0
    assert "skipped locked.txt: permission denied" in result.stderr
    assert sources(tmp_path / "out") == {"ok.txt"}


def test_unreadable_file_read_error_is_input_error(tmp_path: Path) -> None:
    """Works as root too: a folder named *.txt and a loop given directly."""
    d = tmp_path / "dir.txt"
    d.mkdir()
    with pytest.raises(InputError, match=r"^dir\.txt: is a directory$"):
        read_file(d)
    loop = tmp_path / "a.txt"
    loop.symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(loop)
    with pytest.raises(InputError, match=r"^a\.txt: cannot read"):
        read_file(loop)


# ---------------------------------------------------------------------------------------------
# big inputs


def test_file_size_limit_and_override(tmp_path: Path, monkeypatch) -> None:
    f = tmp_path / "big.txt"
    f.write_bytes(SEED.read_bytes() * 3)  # ~60 KB
    with pytest.raises(InputError, match=r"big\.txt: too large .*KG_MAX_FILE_MB"):
        read_file(f, max_bytes=1000)
    monkeypatch.setenv("KG_MAX_FILE_MB", "0.01")
    with pytest.raises(InputError, match="too large"):
        read_file(f)
    monkeypatch.setenv("KG_MAX_FILE_MB", "1")
    assert read_file(f)[0].startswith(seed_text()[:20])
    monkeypatch.setenv("KG_MAX_FILE_MB", "junk")  # ignored: the default applies
    assert read_file(f)[1] == "utf-8"


def test_50mb_file_is_refused_fast_and_others_build(tmp_path: Path) -> None:
    """A 50 MB page (seed text repeated) is refused before it is read; the rest builds."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.txt").write_bytes(SEED2.read_bytes())
    chunk = (seed_text() + "\n").encode("utf-8")
    with (d / "huge.txt").open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    assert (d / "huge.txt").stat().st_size >= 50 * 1024 * 1024
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"huge\.txt: too large \(50\.\d MB > limit 4\.0 MB"):
        read_file(d / "huge.txt")
    assert time.monotonic() - t0 < 1
    result = run_build(d, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "skipped huge.txt: too large" in result.stderr
    assert sources(tmp_path / "out") == {"ok.txt"}


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KG_SLOW") != "1", reason="slow: set KG_SLOW=1")
def test_50mb_text_ingests(tmp_path: Path) -> None:
    """Opt-in: normalising and splitting 50 MB of text is linear (no quadratic step)."""
    text = (seed_text() + "\n") * (50 * 1024 * 1024 // len((seed_text() + "\n").encode()) + 1)
    t0 = time.monotonic()
    page = ingest_text("huge.txt", text)
    elapsed = time.monotonic() - t0
    assert len(page.articles) > 1000
    assert elapsed < 300, elapsed


def test_two_thousand_tiny_files(tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(2000):
        (d / f"p{i:04d}.txt").write_text(f"简讯{i}\n今天天气很好。\n", encoding="utf-8")
    for i in (7, 1000, 1999):  # a few broken ones among them
        (d / f"p{i:04d}.txt").write_bytes(b"")
    t0 = time.monotonic()
    result = run_build(d, tmp_path / "out")
    elapsed = time.monotonic() - t0
    assert result.exit_code == 0, result.output
    assert "1997 files" in result.stdout
    assert "3 file(s) skipped" in result.stderr
    assert len(sources(tmp_path / "out")) == 1997
    assert elapsed < 90, elapsed


def test_symlink_loop_folder_is_walked_once(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "a" / "b").mkdir(parents=True)
    (d / "a" / "b" / "x.txt").write_bytes(SEED.read_bytes())
    (d / "a" / "b" / "back").symlink_to(d, target_is_directory=True)
    (d / "a" / "loop").symlink_to(d / "a", target_is_directory=True)
    result = run_build(d, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 files" in result.stdout
    assert sources(tmp_path / "out") == {"x.txt"}


def test_same_file_name_in_two_folders_is_reported(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "a").mkdir(parents=True)
    (d / "b").mkdir()
    (d / "a" / "x.txt").write_bytes(SEED.read_bytes())
    (d / "b" / "x.txt").write_bytes(SEED2.read_bytes())
    result = run_build(d, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 files" in result.stdout
    assert "skipped x.txt: same file name as" in result.stderr


# ---------------------------------------------------------------------------------------------
# names and pathological texts


def test_display_name_of_undecodable_file_name() -> None:
    assert display_name(os.fsdecode(b"a\xff\xfeb.txt")) == "a\\xff\\xfeb.txt"
    assert display_name("正常.txt") == "正常.txt"
    assert display_name(Path("/x/y/z.txt")) == "z.txt"


def test_long_sentences_are_cut_at_clause_marks() -> None:
    clause = "浙江大学与平湖市签订了合作协议，"  # 16 characters
    text = clause * 100 + "结束。"
    spans = split_sentences(text)
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text  # nothing lost, nothing repeated
    assert all(text[e - 1] == "，" for s, e in spans[:-1])
    hard = "浙" * (MAX_SENTENCE_CHARS * 2 + 5)
    assert [e - s for s, e in split_sentences(hard)] == [MAX_SENTENCE_CHARS] * 2 + [5]


PATHOLOGICAL = {
    "spaces-in-word": "甲" + " " * 50_000 + "乙。",
    "latin-spaces": "a" + " " * 50_000 + "b。",
    "leading-bold-spaces": "**" + " " * 50_000 + "x**",
    "merged-broken-lines": ("没有句号的一段很长的正文内容在这里继续写下去\n\n" * 3_000),
    "repeated-org-name": "浙江清华长三角研究院" * 2_000,
    "byline-of-singletons": "■记者 " + "张 " * 10_000,
    "hashes": "#" * 50_000 + "标题",
    "quotes": '"' * 50_000,
    "newlines": "甲\n" * 20_000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_text_is_fast(nlp, name: str) -> None:
    from kg.extract import extract_page

    text = PATHOLOGICAL[name]
    t0 = time.monotonic()
    page = ingest_text("p.txt", text)
    t1 = time.monotonic()
    ex = extract_page(page, nlp)
    t2 = time.monotonic()
    assert t1 - t0 < 5, f"ingest {t1 - t0:.1f}s"
    assert t2 - t1 < 30, f"extract {t2 - t1:.1f}s"
    assert len(ex.relations) < 100_000


def test_impossible_date_in_a_page_header_is_dropped_with_a_warning(tmp_path: Path) -> None:
    """#17 (6): an impossible date in a page header (2023年2月30日) made SHACL fail the whole
    build. It is dropped with a warning; the page is still built, with no date."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad_date.txt").write_text(
        "平湖日报 2023年2月30日 星期四\n\n科技新闻\n\n平湖市科技局与浙江大学签订合作协议。\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = run_build(src, out)
    assert res.exit_code == 0, res.output
    assert "2023年2月30日" in res.output and "not a real date" in res.output
    nq = (out / "pinghu.nq").read_text(encoding="utf-8")
    assert "2023-02-30" not in nq and "浙江大学" in nq


def test_links_out_of_the_corpus_folder_are_skipped(tmp_path: Path) -> None:
    """#17 (4): a symbolic link to a file or a folder outside the corpus folder was ingested
    (its text ended up on the served pages). Only files inside the folder are read; links
    out are skipped with a warning, and ``--strict`` makes them fatal. Links that stay
    inside are followed."""
    secret = tmp_path / "elsewhere"
    (secret / "deep").mkdir(parents=True)
    (secret / "private.txt").write_text("机密：内部人员名单。", encoding="utf-8")
    (secret / "deep" / "other.txt").write_text("机密二。", encoding="utf-8")
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "page.txt").write_bytes(SEED2.read_bytes())
    (src / "sub" / "inner.txt").write_text("标题\n\n浙江大学与平湖市签订合作协议。\n",
                                           encoding="utf-8")
    (src / "leak.txt").symlink_to(secret / "private.txt")
    (src / "leakdir").symlink_to(secret / "deep", target_is_directory=True)
    (src / "passwd.txt").symlink_to("/etc/passwd")
    (src / "inside.txt").symlink_to(src / "sub" / "inner.txt")  # inside: read
    out = tmp_path / "out"
    res = run_build(src, out)
    assert res.exit_code == 0, res.output
    assert sources(out) == {"page.txt", "inner.txt", "inside.txt"}
    nq = (out / "pinghu.nq").read_text(encoding="utf-8")
    assert "机密" not in nq and "root:" not in nq
    for name in ("leak.txt", "leakdir", "passwd.txt"):
        assert f"skipped {name}: symbolic link to a" in res.stderr, res.stderr
    strict = run_build(src, tmp_path / "out2", "--strict")
    assert strict.exit_code == 1


def test_deep_nesting_is_reported_not_silently_skipped(tmp_path: Path) -> None:
    """#17 (10): folders nested deeper than the walk goes were skipped without a word."""
    from kg.ingest import MAX_FOLDER_DEPTH

    src = tmp_path / "in"
    src.mkdir()
    (src / "top.txt").write_bytes(SEED2.read_bytes())
    deep = src
    for _ in range(MAX_FOLDER_DEPTH + 3):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("标题\n\n浙江大学与平湖市签订合作协议。\n", encoding="utf-8")
    res = run_build(src, tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert f"nested more than {MAX_FOLDER_DEPTH} levels deep" in res.stderr
    assert "1 file(s) skipped" in res.stderr


def test_file_names_cannot_drive_the_terminal(tmp_path: Path) -> None:
    """#17 (10): file names wrote terminal escape sequences and fake log lines into the
    warnings. Control, line-break and bidi characters in names are printed escaped."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_bytes(SEED2.read_bytes())
    evil = "x\x1b[2J\x1b[31mred\rbuilt ok\nwarning: all fine\u202e.txt"
    (src / evil).write_bytes(b"")
    res = run_build(src, tmp_path / "out")
    assert res.exit_code == 0, res.output
    for stream in (res.stdout, res.stderr):
        assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream
    assert "\nwarning: all fine" not in res.stderr
    assert "x\\x1b[2J\\x1b[31mred\\rbuilt ok\\nwarning: all fine\\u202e.txt: empty file" in (
        res.stderr)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX resource limits")
def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_outputs(tmp_path: Path) -> None:
    """#17 (10): a full disk gave a traceback. Here the disk "fills" at 1 MB per file (a
    file-size limit on the build process, so writes fail as on a full disk): the build stops
    with one line and exit 1, and the previous outputs stay whole, none half-replaced."""
    import resource
    import shutil
    import signal
    import subprocess
    import sys

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(f, src / f.name)
    first = run_build(src, out)
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    page = sorted(src.glob("*.txt"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n平湖市科技局与浙江大学签订合作协议。\n",
                    encoding="utf-8")

    def small_disk() -> None:  # pragma: no cover - in the child
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    kg = Path(sys.executable).with_name("kg")
    res = subprocess.run([str(kg), "build", "--seeds", str(src), "--out", str(out), "--no-html"],
                         preexec_fn=small_disk, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert "cannot write the outputs" in res.stderr and "previous outputs are intact" in res.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    for name in ("pinghu.nq", "pinghu.ttl", "pinghu.trig", "validation.txt"):
        assert after[name] == before[name], name
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
