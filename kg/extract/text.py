"""Word segmentation: jieba's algorithm and dictionary, through its fastest installed build.

``jieba_next`` is a compiled (Rust) build of jieba with the same dictionary, the same
algorithm (prefix DAG, best route, HMM for unknown words) and the same cut on every sentence
we have compared (the seeds and generated corpora; ``tests/test_extract_text.py``). It
segments about 3.5× faster than jieba's pure Python. When it is not installed, jieba itself
does the work and the output is the same.

The tokenizer also keeps the sentence on ``doc.user_data["kg_text"]``: spaCy's ``Doc.text``
rebuilds the string from Token objects on every access, which cost our components a quarter
of their time.
"""

from __future__ import annotations

import importlib
import logging
import re
from functools import lru_cache
from itertools import accumulate
from types import ModuleType
from typing import Any

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

_WHITESPACE = re.compile(r"\s")


@lru_cache(maxsize=1)
def segmenter() -> ModuleType:
    """The jieba module that segments (``jieba_next`` when installed, else ``jieba``),
    with its dictionary loaded. Its ``dt.FREQ`` is jieba's word-frequency table."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("jieba_next").setLevel(logging.WARNING)
    module: ModuleType
    try:
        import jieba_next as module
    except ImportError:  # pragma: no cover - the pure-Python fallback
        import jieba as module

        module.setLogLevel(logging.WARNING)
    module.dt.check_initialized()
    return module


def segmenter_name() -> str:
    """``name version`` of the segmenter, for cache keys and reports."""
    module = segmenter()
    return f"{module.__name__} {getattr(module, '__version__', '?')}"


def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each dictionary word."""
    posseg = importlib.import_module(f"{segmenter().__name__}.posseg")
    return posseg.dt.word_tag_tab  # type: ignore[no-any-return]


class JiebaTokenizer:
    """spaCy's ``zh`` tokenizer with the jieba segmenter (the same words and spaces), made
    with :func:`segmenter`, keeping the sentence text on the doc."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._cut = segmenter().cut

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces([w for w in self._cut(text, cut_all=False) if w], text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data["kg_text"] = text
        doc.user_data["kg_words"] = words, spaces
        return doc

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """spaCy's ``get_words_and_spaces`` (the same words and spaces), in linear time: a
    whitespace token becomes the trailing space of the word before it when it is one space,
    else a token of its own.

    >>> words_and_spaces(["A", " ", "B", "  ", "C"], "A B  C")
    (['A', 'B', ' ', 'C'], [True, True, False, False])
    """
    if not _WHITESPACE.search(text) and "".join(words) == text:
        return words, [False] * len(words)  # the usual sentence: no space to place
    out: list[str] = []
    spaces: list[bool] = []
    pos = 0
    n = len(text)
    for word in words:
        if word.isspace():
            continue
        start = text.find(word, pos)
        if start < 0:  # not the text's own words: spaCy's function raises the error
            return get_words_and_spaces(words, text)
        if start > pos:
            out.append(text[pos:start])
            spaces.append(False)
        out.append(word)
        pos = start + len(word)
        if pos < n and text[pos] == " ":
            spaces.append(True)
            pos += 1
        else:
            spaces.append(False)
    if pos < n:
        out.append(text[pos:])
        spaces.append(False)
    return out, spaces


def doc_text(doc: Any) -> str:
    """The doc's text, from the tokenizer's copy when it is still the doc's."""
    text = doc.user_data.get("kg_text")
    kept = doc.user_data.get("kg_words")
    if isinstance(text, str) and kept is not None and len(kept[0]) == len(doc):
        return text  # the tokenizer's words are still the doc's: so is its text
    if isinstance(text, str) and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return text
    return doc.text


# The components' results on a doc, read and written where spaCy's ``doc._`` keeps them
# (``doc.user_data``), without making an ``Underscore`` object on every access: the
# pipeline reads them several times per sentence.
_MENTIONS = ("._.", "kg_mentions", None, None)
_RELATIONS = ("._.", "kg_relations", None, None)


def mentions_of(doc: Any) -> list[Any]:
    """``doc._.kg_mentions`` (``[]`` when the entity component has not run)."""
    return doc.user_data.get(_MENTIONS) or []


def set_mentions(doc: Any, value: list[Any]) -> None:
    """``doc._.kg_mentions = value``."""
    doc.user_data[_MENTIONS] = value


def set_relations(doc: Any, value: list[Any]) -> None:
    """``doc._.kg_relations = value``."""
    doc.user_data[_RELATIONS] = value


def relations_of(doc: Any) -> list[Any]:
    """``doc._.kg_relations`` (``[]`` when the relation component has not run)."""
    return doc.user_data.get(_RELATIONS) or []


def words_of(doc: Any) -> tuple[list[str], list[int]]:
    """The doc's words and their start offsets, from the tokenizer's copy when it is still
    the doc's (no Token objects), else from the doc."""
    kept = doc.user_data.get("kg_words")
    if kept is not None and len(kept[0]) == len(doc):
        words, spaces = kept
        starts = doc.user_data.get("kg_starts")
        if starts is None or len(starts) != len(words):
            # each word starts where the one before ends (and its space, if it has one)
            widths = map(len, words) if not any(spaces) else map(int.__add__, map(len, words),
                                                                  spaces)
            starts = list(accumulate(widths, initial=0))
            starts.pop()
            doc.user_data["kg_starts"] = starts  # the components ask several times
        return words, starts
    text = doc_text(doc)
    arr = doc.to_array([IDX, LENGTH]).tolist()
    return [text[s : s + n] for s, n in arr], [s for s, _ in arr]
