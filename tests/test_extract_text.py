"""The segmenter and tokenizer: the compiled jieba build cuts as jieba does, and our tokenizer
gives the words and spaces of spaCy's ``zh`` tokenizer with the jieba segmenter."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.util import get_words_and_spaces

from kg.extract.text import JiebaTokenizer, doc_text, segmenter, segmenter_name, words_and_spaces
from kg.ingest import discover, ingest_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seed_sentences() -> list[str]:
    return [
        s.text for f in discover([SEEDS]) for a in ingest_file(f).articles for s in a.sentences
    ]


@pytest.fixture(scope="module")
def spacy_zh():
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def test_segmenter_is_named() -> None:
    name = segmenter_name()
    assert name.split()[0] in ("jieba", "jieba_next")
    assert segmenter().dt.FREQ  # the dictionary is loaded


def test_same_cut_as_jieba_on_the_seeds(seed_sentences: list[str]) -> None:
    import jieba

    ours = segmenter()
    assert len(seed_sentences) > 300
    for s in seed_sentences:
        assert list(ours.cut(s)) == jieba.lcut(s), s


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("平湖市科技局有限公司研究院浙江大学与和、，。 AB12“”\n\t")),
        max_size=40,
    )
)
def test_same_cut_as_jieba_on_any_mix(text: str) -> None:
    import jieba

    assert list(segmenter().cut(text)) == jieba.lcut(text)


def test_tokenizer_matches_spacy_zh(nlp, spacy_zh, seed_sentences: list[str]) -> None:
    extra = ["A B  C", " 前导空格", "结尾 ", "两个  空格和\n换行", ""]
    for s in seed_sentences + extra:
        ours, theirs = nlp.make_doc(s), spacy_zh.make_doc(s)
        assert [(t.text, t.whitespace_) for t in ours] == [
            (t.text, t.whitespace_) for t in theirs
        ], s
        assert doc_text(ours) == s


def test_tokenizer_is_ours(nlp) -> None:
    assert isinstance(nlp.tokenizer, JiebaTokenizer)
    doc = nlp.make_doc("平湖市科技局")
    assert doc.user_data["kg_text"] == "平湖市科技局"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("AB 中文\n\t")), max_size=14), st.data())
def test_words_and_spaces_equals_spacy(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=6)))
    bounds = [0, *[c for c in cuts if c < len(text)], len(text)]
    words = [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    assert _outcome(words_and_spaces, words, text) == _outcome(get_words_and_spaces, words, text)


def _outcome(fn, words: list[str], text: str):
    try:
        return fn(words, text)
    except ValueError:
        return "ValueError"


def test_words_and_spaces_rejects_foreign_words() -> None:
    with pytest.raises(ValueError):
        words_and_spaces(["甲", "丙"], "甲乙")
