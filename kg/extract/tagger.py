"""A statistical tagger of entity spans and types beside the rules: a linear-chain CRF over
jieba's words, as a spaCy pipeline component (``kg_tagger``, after ``kg_entities``).

The rules keep what they are sure of; the model brings recall and judges the rules' doubtful
mentions. Each word is described by (:func:`word_attributes`):

* the word itself, the words before and after it, their dictionary part-of-speech tags and
  the word's length with its tag;
* its first and last character and last two characters;
* the organisation or legal-form suffix it ends with (``org_suffixes.json``), whether it, the
  word before or the word after is a title word (局长, 董事长 …), and whether it starts with a
  surname (with its length);
* the rules' view: the type of the rule mention that starts or continues at the word, and the
  type of a rule mention that ends with it.

The model labels the core types (and any others it was trained for) as B-/I- word labels;
:class:`CrfModel` decodes whole batches of sentences at once (Viterbi in numpy) from weights
summed per word type, so the cost per word is a few dictionary look-ups. ``kg train``
(:mod:`kg.train`) fits the model with python-crfsuite on the gold annotations and writes it
to ``data/tagger.npz``; the build only reads it.

Merging (:func:`merge`): the rules' mentions stay, and the model adds the spans the rules
did not cover. ``kg train`` also shows the model each sentence without the rules' view, so
that it learns to find names from their words and context, not only to trust the rules.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .entities import Candidate
from .lexicon import Lexicon
from .text import doc_text, mentions_of, set_mentions, word_tags, words_of

#: jieba tags of words that may be part of a name the model adds: unknown (x), people (nr),
#: places (ns), organisations (nt), other proper nouns (nz), abbreviations (j).
_OPEN_TAGS = frozenset({"x", "nr", "ns", "nt", "nz", "j"})
#: Where ``kg train`` writes the model the build reads.
MODEL_PATH = Path(__file__).parent / "data" / "tagger.npz"
OUTSIDE = "O"


# ---------------------------------------------------------------------------------------------
# features


#: 在 inside a span, not as in 在线 (某某在线): a clause's preposition
_IN_CLAUSE_RE = re.compile("在(?!线)")


@dataclass(frozen=True)
class Features:
    """What :func:`word_attributes` knows of the language: general lexicons only."""

    tags: dict[str, str]
    suffix_types: dict[str, str]
    titles: frozenset[str]
    surnames: frozenset[str]
    max_suffix: int = 8
    stops: frozenset[str] = frozenset()  # words that end a name walking left (verbs: 赴, 启动)
    inner: frozenset[str] = frozenset()  # of those, the words that stand inside names (建设)
    places: frozenset[str] = frozenset()  # divisions and towns (张家港市: 张家港 is no person)
    # the dictionary words whose tag is not an open one (common words: no name's part)
    closed: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        closed = frozenset(w for w, t in self.tags.items() if t[:2] not in _OPEN_TAGS)
        object.__setattr__(self, "closed", closed)

    @classmethod
    def from_lexicon(cls, lex: Lexicon) -> Features:
        return cls(
            tags=word_tags(),
            suffix_types={s.suffix: s.type for s in lex.suffixes},
            titles=frozenset(lex.titles) | frozenset(lex.post_name_titles),
            surnames=frozenset(lex.surnames) | frozenset(lex.compound_surnames),
            max_suffix=max((len(s.suffix) for s in lex.suffixes), default=1),
            stops=frozenset(lex.left_stop),
            inner=frozenset(lex.name_verbs),
            places=frozenset(lex.places) | frozenset(lex.towns),
        )

    def spans_words(self, words: Sequence[str], starts: Sequence[int], start: int, end: int
                    ) -> bool:
        """Are the words of a model span ``[start, end)`` a name's? None but the last may be a
        one-character word that ends names (考察团|赴|高新区: a verb or a preposition inside
        is a clause, not a name; longer ones stand inside names unless they are verbs names do
        not hold (城市建设办; not 某某调研组考察某院)."""
        i = bisect_left(starts, start)
        inner = words[i : bisect_left(starts, end, i)][:-1]  # the words that start inside
        return not any(
            w in self.stops
            and (len(w) == 1 or w not in self.inner and self.tag(w).startswith("v"))
            for w in inner
        )

    def tag(self, word: str) -> str:
        return self.tags.get(word, "x")

    def open_words(self, words: Iterable[str]) -> set[str]:
        """The Chinese words jieba does not know, or knows as proper nouns: a name the model
        adds holds one (measured: 94% of them)."""
        return {w for w in set(words).difference(self.closed) if "\u4e00" <= w[0] <= "\u9fff"}

    def may_add(self, words: Sequence[str], q: Sequence[str],
                open_words: set[str] | None = None) -> bool:
        """Could the model add a name to this sentence? Only if one of its :meth:`open_words`
        stands outside the rules' mentions: a third of sentences have none, so they are not
        decoded at all. ``open_words``: the sentence's, when the caller has them."""
        found = self.open_words(words) if open_words is None else open_words
        return bool(found) and any(not lab and w in found for w, lab in zip(words, q))

    def names(self, span: str) -> bool:
        """Can ``span`` be a name the model adds? Not an anaphor (该局, 本公司), not a single
        common word (中心: jieba knows it and not as a proper noun), not a class noun made of a
        suffix and a common word (创新中心, 科创中心, 高新区)."""
        if len(span) < 2 or span[0] in "该本此这那其各我贵" or not span[0].isalnum():
            return False  # 该局, 本公司: anaphors; ）科技有限公司: a name's broken-off end
        if span.count("（") != span.count("）") or span.count("(") != span.count(")"):
            return False  # 上善院）嘉轩会议厅: across a bracket's end, not a name
        if "的" in span or _IN_CLAUSE_RE.search(span):
            return False  # 某所在区域…体系建设: a clause across a name's end, not a name
        if any(span[-k:] in self.titles for k in range(2, min(len(span), 6))):
            return False  # 某某公司董事长: a post-holder's title, not a body's name
        if self._common(span):
            return False
        for k in range(max(0, len(span) - self.max_suffix), len(span)):
            if span[k:] in self.suffix_types:
                return bool(span[:k]) and not self._common(span[:k])
        return True

    def person(self, span: str) -> bool:
        """Can ``span`` be a person's name the model adds? A surname and one or two
        characters (a compound surname and one or two): not 供图, not 某某来平 (121 of the 122
        gold people of the seeds and tuning articles are so; the other is a pen name), and not
        a place (张家港, which jieba knows as a person's name)."""
        if any(span + end in self.places for end in ("", "市", "县", "区", "镇")):
            return False
        if span[:2] in self.surnames and len(span[:2]) == 2 and 3 <= len(span) <= 4:
            return True
        return span[:1] in self.surnames and 2 <= len(span) <= 3

    def _common(self, word: str) -> bool:
        """A dictionary word that is not a proper noun (person, place, organisation)."""
        tag = self.tags.get(word)
        return tag is not None and tag[:2] not in ("nr", "ns", "nt", "nz")

    def suffix(self, word: str) -> str:
        """The type of the longest organisation suffix the word ends with, or ``""``."""
        for k in range(max(0, len(word) - self.max_suffix), len(word)):
            t = self.suffix_types.get(word[k:])
            if t:
                return t
        return ""

    def own(self, w: str) -> tuple[str, ...]:
        """Attributes of a word on its own."""
        t = self.tag(w)
        title = "T" if w in self.titles else ""
        sur = f"u{int(w[0] in self.surnames)}{len(w)}" if len(w) <= 3 else "u"
        return ("w" + w, "p" + t, f"g{min(len(w), 4)}{t}", "f" + w[0], "e" + w[-1],
                "E" + w[-2:], "s" + self.suffix(w), "t" + title, sur)

    def as_previous(self, w: str) -> tuple[str, ...]:
        """Attributes a word gives the word after it."""
        return ("l" + w, "P" + self.tag(w), "tl" + ("T" if w in self.titles else ""))

    def as_next(self, w: str) -> tuple[str, ...]:
        """Attributes a word gives the word before it."""
        return ("r" + w, "N" + self.tag(w), "tr" + ("T" if w in self.titles else ""))


#: The attributes the sentence's edges give its first and last word.
BOS = ("l^", "P^", "tl$")
EOS = ("r$", "N$", "tr$")


def rule_views(
    words: Sequence[str], starts: Sequence[int], mentions: Iterable[Candidate]
) -> tuple[list[str], list[str]]:
    """Per word: the rules' label at its first character (``B-Type``, ``I-Type`` or ``""``)
    and the type of a rule mention ending with it (``""`` if none). Longer mentions win;
    a mention that overlaps a longer one is left out."""
    n = len(words)
    q = [""] * n
    big_q = [""] * n
    if not n:
        return q, big_q
    taken: list[tuple[int, int]] = []
    for c in sorted(mentions, key=lambda c: (c.start - c.end, c.start)):
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        taken.append((c.start, c.end))
        i = bisect_left(starts, c.start)  # the first word starting in the mention
        if i == n or starts[i] >= c.end:
            continue  # no word starts inside it
        q[i] = ("B-" if starts[i] == c.start else "I-") + c.type
        j = i + 1
        while j < n and starts[j] < c.end:
            q[j] = "I-" + c.type
            j += 1
        if starts[j - 1] + len(words[j - 1]) == c.end:
            big_q[j - 1] = c.type
    return q, big_q


def word_attributes(
    words: Sequence[str], q: Sequence[str], big_q: Sequence[str], feats: Features
) -> list[list[str]]:
    """The attributes of every word of a sentence (the training view; :class:`CrfModel`
    sums the same attributes' weights per word type)."""
    out = []
    n = len(words)
    for i, w in enumerate(words):
        prev = feats.as_previous(words[i - 1]) if i else BOS
        nxt = feats.as_next(words[i + 1]) if i + 1 < n else EOS
        out.append([*feats.own(w), *prev, *nxt, "q" + q[i], "Q" + big_q[i]])
    return out


def word_starts(words: Sequence[str]) -> list[int]:
    starts, p = [], 0
    for w in words:
        starts.append(p)
        p += len(w)
    return starts


def spans_of(labels: Sequence[str], words: Sequence[str], starts: Sequence[int]
             ) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, type)`` of B-/I- word labels (an I- after another type
    starts a new span)."""
    out: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for lab, w, s in zip(labels, words, starts):
        if lab == OUTSIDE:
            cur = None
            continue
        kind, typ = lab[:1], lab[2:]
        if kind == "B" or cur is None or cur[2] != typ:
            cur = [s, s + len(w), typ]
            out.append(cur)  # type: ignore[arg-type]
        else:
            cur[1] = s + len(w)
    return [(s, e, t) for s, e, t in out]


# ---------------------------------------------------------------------------------------------
# the model


@dataclass
class CrfModel:
    """A linear-chain CRF: state weights per (attribute, label) and label transitions."""

    labels: list[str]
    attributes: dict[str, int]
    state: np.ndarray  # (attributes, labels) float32
    transitions: np.ndarray  # (labels, labels) float32: from row to column
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.labels or self.labels[0] != OUTSIDE:
            raise ValueError("the first label of a tagger model must be the outside label O")

    @functools.cached_property
    def types(self) -> frozenset[str]:
        """The entity types the model labels."""
        return frozenset(lab[2:] for lab in self.labels if lab != OUTSIDE)

    def save(self, path: Path) -> None:
        """Write the model as a compressed ``.npz`` (byte-identical for the same model)."""
        from ..io import save_arrays

        names = sorted(self.attributes, key=self.attributes.__getitem__)
        arrays = {
            "labels": np.array(self.labels),
            "attributes": np.array(names),
            "state": self.state.astype(np.float32),
            "transitions": self.transitions.astype(np.float32),
            "meta": np.array(sorted(f"{k}={v}" for k, v in self.meta.items())),
        }
        save_arrays(path, arrays)

    @classmethod
    def load(cls, path: Path) -> CrfModel:
        with np.load(path, allow_pickle=False) as z:
            names = [str(a) for a in z["attributes"]]
            meta = dict(str(m).split("=", 1) for m in z["meta"])
            return cls(
                labels=[str(x) for x in z["labels"]],
                attributes={a: i for i, a in enumerate(names)},
                state=z["state"].astype(np.float32),
                transitions=z["transitions"].astype(np.float32),
                meta=meta,
            )

    def decode(self, emissions: list[np.ndarray]) -> list[list[str]]:
        """The best label sequence of every sentence (Viterbi), all sentences at once."""
        return [[self.labels[k] for k in y] for y in self.decode_ids(emissions)]

    def decode_ids(self, emissions: list[np.ndarray]) -> list[list[int]]:
        """:meth:`decode` as label indexes."""
        if not emissions:
            return []
        return self._viterbi(emissions)

    def _viterbi(self, emissions: list[np.ndarray]) -> list[list[int]]:
        n_lab = len(self.labels)
        lengths = np.array([len(e) for e in emissions])
        order = np.argsort(-lengths, kind="stable")  # longest first: the active ones lead
        sorted_len = lengths[order]
        t_max, b = int(sorted_len[0]), len(emissions)
        em = np.zeros((b, t_max, n_lab), dtype=np.float32)
        for row, i in enumerate(order.tolist()):
            em[row, : lengths[i]] = emissions[i]
        # rows still running at step t: the first active[t] (lengths sorted, descending)
        active = np.searchsorted(-sorted_len, -np.arange(t_max), side="left").tolist()
        back = np.zeros((b, t_max, n_lab), dtype=np.int16)
        delta = em[:, 0].copy()
        trans = self.transitions[None, :, :]
        for t in range(1, t_max):
            a = active[t]
            scores = delta[:a, :, None] + trans
            best = scores.argmax(axis=1)
            back[:a, t] = best
            delta[:a] = np.take_along_axis(scores, best[:, None, :], axis=1)[:, 0] + em[:a, t]
        # backtrack every row at once: y[t - 1] = back[t, y[t]] where t < length
        y = np.zeros((b, t_max), dtype=np.int64)
        rows = np.arange(b)
        last = delta.argmax(axis=1)
        y[rows, sorted_len - 1] = last
        for t in range(t_max - 1, 0, -1):
            a = active[t]
            y[:a, t - 1] = back[rows[:a], t, y[:a, t]]
        out: list[list[int]] = [[] for _ in emissions]
        for row, i in enumerate(order.tolist()):
            out[i] = y[row, : lengths[i]].tolist()
        return out


class _Rows(dict[str, int]):
    """Row numbers by key; a missing key is given its row by ``make`` (which stores it)."""

    def __init__(self, make: Callable[[str], int]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> int:
        return self._make(key)


class EmissionCache:
    """State scores of every word type in its three roles (itself, as the word before, as the
    word after), summed once from the model's weights and kept: a sentence's scores are then
    rows gathered by word, plus the rules' view."""

    def __init__(self, model: CrfModel, feats: Features) -> None:
        self.model, self.feats = model, feats
        n_lab = len(model.labels)
        self._ids: dict[str, int] = _Rows(self._id)  # a new word gets its row when asked
        self._rows = np.zeros((1024, 3, n_lab), dtype=np.float32)
        # rows 0 and 1: the sentence's edges (BOS as the word before, EOS as the word after)
        self._rows[0, 1] = self._sum(BOS)
        self._rows[1, 2] = self._sum(EOS)
        self._q: dict[str, int] = _Rows(lambda x: self._view_id(self._q, "q", x))
        self._big_q: dict[str, int] = _Rows(lambda x: self._view_id(self._big_q, "Q", x))
        self._view_rows: list[np.ndarray] = [np.zeros(n_lab, dtype=np.float32)]
        self._views = np.stack(self._view_rows)

    def _sum(self, attrs: Iterable[str]) -> np.ndarray:
        idx = [i for a in attrs if (i := self.model.attributes.get(a)) is not None]
        if not idx:
            return np.zeros(len(self.model.labels), dtype=np.float32)
        return self.model.state[idx].sum(axis=0)

    def _id(self, w: str) -> int:
        i = self._ids.get(w)
        if i is None:
            i = len(self._ids) + 2
            self._grow(i + 1)
            f = self.feats
            self._rows[i] = (self._sum(f.own(w)), self._sum(f.as_previous(w)),
                             self._sum(f.as_next(w)))
            self._ids[w] = i
        return i

    def emissions(self, sentences: Sequence[tuple[Sequence[str], Sequence[str], Sequence[str]]]
                  ) -> list[np.ndarray]:
        """The state scores of each sentence given as (words, rule labels, rule ends): one
        gather over all the words of the batch, then split by sentence."""
        own: list[int] = []
        before: list[int] = []
        after: list[int] = []
        views: list[int] = []
        ends: list[int] = []
        sizes: list[int] = []
        known, qs, big_qs = self._ids, self._q, self._big_q
        for words, q, big_q in sentences:
            ids = list(map(known.__getitem__, words))
            own += ids
            before.append(0)  # the sentence's start (row 0: BOS as the word before)
            before += ids[:-1]
            after += ids[1:]
            after.append(1)  # its end (row 1: EOS as the word after)
            views += map(qs.__getitem__, q)
            ends += map(big_qs.__getitem__, big_q)
            sizes.append(len(ids))
        rows = self._rows
        em = rows[own, 0] + rows[before, 1] + rows[after, 2]
        em += self._views[views] + self._views[ends]
        return np.split(em, np.cumsum(sizes)[:-1])

    def _grow(self, size: int) -> None:
        while size > len(self._rows):
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])

    def _view_id(self, table: dict[str, int], prefix: str, value: str) -> int:
        i = table.get(value)
        if i is None:
            i = table[value] = len(self._view_rows)
            self._view_rows.append(self._sum((prefix + value,)))
            self._views = np.stack(self._view_rows)
        return i


# ---------------------------------------------------------------------------------------------
# the component


class EntityTagger:
    """spaCy component: model spans for the model's types, rule mentions for the others."""

    def __init__(self, nlp: Language, name: str, model: CrfModel | None, lexicon: Lexicon
                 ) -> None:
        self.name = name
        self.model = model
        self.feats = Features.from_lexicon(lexicon)
        self.cache = EmissionCache(model, self.feats) if model is not None else None

    def use(self, model: CrfModel | None) -> None:
        """Tag with ``model`` from now on (``None``: pass the rules' mentions through)."""
        self.model = model
        self.cache = EmissionCache(model, self.feats) if model is not None else None

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        yield from self._tag(batch)

    def _tag(self, docs: list[Doc]) -> list[Doc]:
        if self.model is None or self.cache is None or not docs:
            return docs
        todo = []
        for doc in docs:
            if not len(doc):
                continue
            words, starts = words_of(doc)
            found = self.feats.open_words(words)
            if not found:
                continue  # no word a name the model adds would hold: not even the rules' view
            text = doc_text(doc)
            q, big_q = rule_views(words, starts, mentions_of(doc))
            if self.feats.may_add(words, q, found):
                todo.append((doc, text, words, starts, q, big_q))
        if not todo:
            return docs
        emissions = self.cache.emissions([(w, q, bq) for _, _, w, _, q, bq in todo])
        types = self.model.types
        labels = self.model.labels
        decoded = self.model.decode_ids(emissions)
        for (doc, text, words, starts, _, _), y in zip(todo, decoded):
            spans = spans_of([labels[k] for k in y], words, starts) if any(y) else []
            spans = [sp for sp in spans if self.feats.names(text[sp[0] : sp[1]])
                     and self.feats.spans_words(words, starts, sp[0], sp[1])
                     and (sp[2] != "Person" or self.feats.person(text[sp[0] : sp[1]]))]
            set_mentions(doc, merge(text, mentions_of(doc), spans, types))
        return docs


#: How model spans and rule mentions combine (see :func:`merge`).
MERGE_POLICY = "add"


def merge(text: str, rules: Sequence[Candidate], spans: Sequence[tuple[int, int, str]],
          types: frozenset[str], policy: str | None = None, rule: str = "model:crf"
          ) -> list[Candidate]:
    """The mentions of a sentence: the model's spans for its ``types`` (keeping the rule
    mention of the same span and type, with its rule and anatomy; rule mentions of those
    types that the model does not confirm are dropped), and the rule mentions of other types.

    ``policy`` (default :data:`MERGE_POLICY`): ``"add"`` keeps every rule mention and adds
    the model spans that overlap none (measured best on the blind dev articles: the rules
    were written while reading the tuning articles, so a model trained there learns to trust
    them; on new text it is the words it finds where the rules found nothing that help).
    The other policies let the model judge its own types, and where a model span and a rule
    mention of another type overlap, ``"model"`` keeps the model span, ``"rules"`` the rule
    mention, ``"longer"`` the model span only when it covers more than the rule mention."""
    policy = policy or MERGE_POLICY
    if policy == "add":  # the rules' mentions all stay; the model only adds where they are not
        added = [Candidate(s, e, t, rule, priority=2) for s, e, t in spans
                 if t in types and not any(c.start < e and s < c.end for c in rules)]
        return sorted([*rules, *added], key=lambda c: (c.start, -c.end))  # as the rules order
    others = [c for c in rules if c.type not in types]
    by_span = {(c.start, c.end, c.type): c for c in rules}
    kept: list[Candidate] = []
    for s, e, t in spans:
        if t not in types or e <= s:
            continue
        clash = [c for c in others if c.start < e and s < c.end]
        if clash and (policy == "rules" or (
                policy == "longer" and any(e - s <= c.end - c.start for c in clash))):
            continue
        kept.append(by_span.get((s, e, t)) or Candidate(s, e, t, rule, priority=2))
    out = list(kept)
    for c in others:
        if not any(c.start < k.end and k.start < c.end for k in kept):
            out.append(c)
    out.sort(key=lambda c: (c.start, -c.end))
    return out


_MODELS: dict[str, CrfModel | None] = {}


def load_model(path: str | None = None) -> CrfModel | None:
    """The model at ``path`` (default :data:`MODEL_PATH`), or ``None`` if there is none."""
    p = Path(path) if path else MODEL_PATH
    key = str(p)
    if key not in _MODELS:
        _MODELS[key] = CrfModel.load(p) if p.is_file() else None
    return _MODELS[key]


@Language.factory("kg_tagger", default_config={"data_dir": None, "model_path": None})
def make_entity_tagger(
    nlp: Language, name: str, data_dir: str | None, model_path: str | None
) -> EntityTagger:
    return EntityTagger(nlp, name, load_model(model_path), Lexicon.load(data_dir))
