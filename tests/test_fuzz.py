"""Property-based fuzzing of ingest, extraction and the RDF output (hypothesis).

Quick profile (the normal suite): a few dozen derandomised cases per property, so CI is
deterministic. Long profile, opt-in: ``KG_FUZZ_LONG=1 python -m pytest tests/test_fuzz.py``
runs ``KG_FUZZ_EXAMPLES`` (default 10,000) random cases per property.

Properties:

* ``ingest_text`` and ``extract_page`` never raise on any Unicode text;
* every offset they report (sentences via ``Page.to_original``, mentions, relation evidence)
  lies inside the original text and maps back to the same characters: the original span,
  without whitespace and the control/format characters that normalisation drops, equals the
  normalised text without whitespace, up to NFKC width folding and quote style;
* a graph built from fuzzed pages passes SHACL and its N-Quads, Turtle and TriG parse.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from pathlib import Path

import pytest
from conftest import fold_char
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.ingest import InputError, decode, ingest_text
from kg.model import Page

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = "\n".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))
)
SEED_LINES = [ln for ln in SEED_TEXT.splitlines() if ln.strip()]

LONG = os.environ.get("KG_FUZZ_LONG") == "1"
LONG_EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "10000"))


def fuzz_settings(quick: int) -> settings:
    """``quick`` derandomised examples normally; the long profile when ``KG_FUZZ_LONG=1``."""
    return settings(
        max_examples=LONG_EXAMPLES if LONG else quick,
        deadline=None,
        derandomize=not LONG,
        database=None,  # no .hypothesis/ folder in the repository
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example],
        print_blob=True,
    )


# ---------------------------------------------------------------------------------------------
# strategies

#: Any Unicode text (surrogates cannot be in a valid ``str`` read from a file).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)))
SMALL_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
CJK_TEXT = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                   max_size=20)
#: What PDF extraction and scraping leave in articles: breaks and spaces inside words,
#: markdown, bullets, straight and curly quotes, full-width forms, control and bidi characters.
ARTEFACTS = st.sampled_from([
    "\n", " ", "  ", "\r\n", "\r", "\n\n", "\u3000", "\t", "\xa0", "\u2028", "\x85", "\x0c",
    "#", "# ", "#### ", "**", "■", "■记者 ", "■通讯员 ", "记者", "摄", '"', "“", "”", "'",
    "。", "，", ",", "(", ")", "（", "）", "、", "：", ":", ";", "!", "?", "…", "——",
    "ＡＢＣ", "１２３", "％", "\x00", "\x1b", "\u200b", "\ufeff", "\u202e", "\u0301", "ﬁ",
    "<script>alert(1)</script>", "有限公司", "研究院", "2021年", "12.5亿元", "平湖市",
])


def _mutate(block: str, edits: list[tuple[int, str]]) -> str:
    chars = list(block)
    for pos, ins in edits:
        p = pos % (len(chars) + 1)
        chars[p:p] = [ins]
    return "".join(chars)


#: A few consecutive seed lines with artefacts inserted at random places.
SEED_BLOCK = st.builds(
    lambda i, k: "\n".join(SEED_LINES[i:i + k]),
    st.integers(0, len(SEED_LINES) - 1), st.integers(1, 6),
)
MUTATED = st.builds(
    _mutate, SEED_BLOCK,
    st.lists(st.tuples(st.integers(0, 10**6), st.one_of(ARTEFACTS, SMALL_TEXT, CJK_TEXT)),
             max_size=12),
)
SNIPPET = st.builds(lambda ln, a, b: ln[a % len(ln): a % len(ln) + b],
                    st.sampled_from(SEED_LINES), st.integers(0, 500), st.integers(1, 80))
#: A page: seed-like text mixed with noise.
PAGE_TEXT = st.lists(st.one_of(MUTATED, SNIPPET, ARTEFACTS, SMALL_TEXT, CJK_TEXT),
                     min_size=1, max_size=20).map("".join)


# ---------------------------------------------------------------------------------------------
# the offset invariants


def _fold(ch: str) -> str:
    return fold_char(ch)


def _dropped(ch: str) -> bool:
    """Characters normalisation may drop: whitespace, control and format characters."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def _squash(text: str) -> str:
    return "".join(_fold(c) for c in text if not _dropped(c))


def assert_same_chars(page: Page, start: int, end: int, normalised: str, what: str) -> None:
    """``original[start:end]`` is in bounds and holds the characters of ``normalised``."""
    assert 0 <= start <= end <= len(page.original), (what, start, end, len(page.original))
    piece = page.original[start:end]
    assert _squash(piece) == _squash(normalised), (what, piece, normalised)


def assert_page_invariants(page: Page) -> None:
    text, orig, offs = page.text, page.original, page.offsets
    assert len(offs) == len(text) + 1
    assert offs[-1] == len(orig)
    assert all(offs[k] <= offs[k + 1] for k in range(len(text))), "offsets must be monotone"
    for i, ch in enumerate(text):
        if ch == "\n":
            continue
        src = orig[offs[i]]
        if ch == " ":
            assert src.isspace(), (i, ch, src)
        else:
            assert _fold(ch) == _fold(src), (i, ch, src)
    for art in page.articles:
        assert 0 <= art.nstart <= art.nend <= len(text)
        for s in art.sentences:
            assert art.nstart <= s.nstart < s.nend <= art.nend
            assert text[s.nstart:s.nend] == s.text
            assert_same_chars(page, *page.to_original(s.nstart, s.nend), s.text, "sentence")


# ---------------------------------------------------------------------------------------------
# ingest


@fuzz_settings(quick=150)
@given(ANY_TEXT)
def test_ingest_any_unicode(text: str) -> None:
    assert_page_invariants(ingest_text("fuzz.txt", text))


@fuzz_settings(quick=150)
@given(PAGE_TEXT)
def test_ingest_artefact_pages(text: str) -> None:
    assert_page_invariants(ingest_text("fuzz.txt", text))


@fuzz_settings(quick=100)
@given(ANY_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030"]))
def test_decode_round_trip_or_clean_error(text: str, encoding: str) -> None:
    """Encoded text decodes back to itself, or fails with an InputError (never another error)."""
    assume(not text.startswith("\ufeff"))
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    elif encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    try:
        got, _ = decode(data, "f.txt")
    except InputError as exc:
        assert str(exc).startswith("f.txt: ")
        return
    if encoding == "gb18030":  # GB18030 bytes can also be valid UTF-8: then UTF-8 wins
        assume(not _is_utf8(data) or data.decode("utf-8") == text)
    assert got == text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@fuzz_settings(quick=60)
@given(st.binary(max_size=2048))
def test_decode_any_bytes(data: bytes) -> None:
    try:
        text, enc = decode(data, "b.txt")
    except InputError as exc:
        assert str(exc).startswith("b.txt: ")
        return
    assert isinstance(text, str) and enc
    assert_page_invariants(ingest_text("b.txt", text, enc))


# ---------------------------------------------------------------------------------------------
# extraction


@pytest.fixture(scope="module")
def fuzz_nlp():
    from kg.extract import build_nlp

    return build_nlp()


def _check_extraction(page: Page, nlp) -> None:
    from kg.extract import extract_page
    from kg.model import ENTITY_TYPES, PREDICATES

    ex = extract_page(page, nlp)
    assert_page_invariants(page)
    ids = {a.id for a in page.articles}
    for m in ex.mentions:
        assert m.type in ENTITY_TYPES
        assert m.article in ids
        assert m.text
        assert_same_chars(page, m.start, m.end, m.text, "mention")
    for r in ex.relations:
        assert r.p in PREDICATES or r.p == "metric"
        assert r.article in ids
        assert_same_chars(page, r.start, r.end, r.evidence, "relation")


@fuzz_settings(quick=60)
@given(PAGE_TEXT)
def test_extract_artefact_pages(fuzz_nlp, text: str) -> None:
    _check_extraction(ingest_text("fuzz.txt", text), fuzz_nlp)


@fuzz_settings(quick=40)
@given(ANY_TEXT)
def test_extract_any_unicode(fuzz_nlp, text: str) -> None:
    _check_extraction(ingest_text("fuzz.txt", text), fuzz_nlp)


# ---------------------------------------------------------------------------------------------
# the graph


@fuzz_settings(quick=25)
@given(st.lists(PAGE_TEXT, min_size=1, max_size=3),
       st.sampled_from(["000_fuzz.txt", "p q<>\"{}|\\^`.txt", "页面#1%.txt", "a-a01.txt"]))
def test_fuzzed_pages_give_valid_graph(fuzz_nlp, texts: list[str], name: str) -> None:
    import pyoxigraph as ox

    from kg.build import Corpus, build_graph
    from kg.extract import extract_page

    exs = [extract_page(ingest_text(f"{i}{name}", t), fuzz_nlp) for i, t in enumerate(texts)]
    result = build_graph(Corpus(extractions=exs))
    assert result.conforms, result.validation_text[:4000]
    quads = list(ox.parse(result.nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len([ln for ln in result.nquads.splitlines() if ln.strip()])
    ox.parse(result.turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    trig = list(ox.parse(result.trig.encode("utf-8"), format=ox.RdfFormat.TRIG))
    assert len(trig) == len(quads)
