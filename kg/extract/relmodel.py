"""A learned relation classifier beside the relation rules: the spaCy component
``kg_relation_model`` (after ``kg_relations``).

Every pair of mentions in a sentence whose types the annotations ever relate, at most
:data:`MAX_GAP` characters apart, is a candidate; a maximum-entropy classifier (a log-linear
model: one weight per attribute and predicate, the probabilities by softmax) tells which of
the 17 predicates holds from the first mention to the second, or none. Each pair is described
by (:func:`pair_attributes`):

* the two types and their order, the distance in words, punctuation and other mentions
  between them;
* the words between them (each, and the first and last), the word before the first and the
  word after the second;
* the trigger words of the relation rules found between them (``relations.json``), and the
  predicate the rules gave the pair, if any (the rules as a feature).

The rules' relations stay; the model adds a relation between two mentions the rules left
unrelated when its probability passes the model's threshold. ``kg train`` fits it (with
python-crfsuite, each pair a sequence of one) on the same gold annotations as the entity
tagger, and writes ``data/relations.npz``; the build reads it with numpy only.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .entities import Candidate
from .lexicon import Lexicon
from .relations import RawRelation
from .text import doc_text, mentions_of, relations_of, set_relations, words_of

MODEL_PATH = Path(__file__).parent / "data" / "relations.npz"
NONE = "none"
#: Mentions further apart than this (characters between them) are not paired.
MAX_GAP = 40
#: Words between two mentions described one by one (the nearest ones at each end).
MAX_BETWEEN = 8
_PUNCT = frozenset("，、；：,;:（）()")
_START = attrgetter("start")
_PUNCT_RE = re.compile("[" + re.escape("".join(sorted(_PUNCT))) + "]")


@dataclass(frozen=True)
class Pair:
    """A candidate: two mentions of one sentence, ``a`` meant as subject, ``b`` as object."""

    a: Candidate
    b: Candidate


def candidate_pairs(mentions: Sequence[Candidate], allowed: frozenset[tuple[str, str]]
                    ) -> list[Pair]:
    """Ordered pairs of non-overlapping mentions within :data:`MAX_GAP` characters whose
    types some predicate relates (``allowed``), both directions."""
    return [Pair(a, b) for a, b in _candidates(mentions, allowed)]


def _candidates(mentions: Sequence[Candidate], allowed: frozenset[tuple[str, str]]
                ) -> list[tuple[Candidate, Candidate]]:
    """:func:`candidate_pairs` as ``(a, b)`` tuples (the component makes no :class:`Pair`)."""
    ms = sorted(mentions, key=lambda c: (c.start, -c.end))
    out = []
    n = len(ms)
    objects, subjects = _related_types(allowed)
    for i, a in enumerate(ms):
        a_end = a.end
        objs, subjs = objects.get(a.type, _NO_TYPES), subjects.get(a.type, _NO_TYPES)
        for j in range(i + 1, n):
            b = ms[j]
            if b.start - a_end > MAX_GAP:
                break
            if b.start < a_end:
                continue  # overlapping (a name inside another): the rules' structure
            if b.type in objs:
                out.append((a, b))
            if b.type in subjs:
                out.append((b, a))
    return out


_NO_TYPES: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=8)
def _related_types(allowed: frozenset[tuple[str, str]]
                   ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """``allowed`` by type: the types a subject of each type may have as object, and the
    types an object of each type may have as subject."""
    objects: dict[str, set[str]] = {}
    subjects: dict[str, set[str]] = {}
    for a, b in allowed:
        objects.setdefault(a, set()).add(b)
        subjects.setdefault(b, set()).add(a)
    return ({t: frozenset(v) for t, v in objects.items()},
            {t: frozenset(v) for t, v in subjects.items()})


@dataclass(frozen=True)
class Context:
    """What the attributes of a sentence's pairs are made from."""

    text: str
    words: Sequence[str]
    starts: Sequence[int]
    mentions: Sequence[Candidate]
    rules: dict[tuple[str, str], str]  # (subject text, object text) -> the rules' predicate
    triggers: dict[str, str]  # trigger word -> predicate

    @property
    def by_start(self) -> tuple[list[Candidate], list[int]]:
        """The mentions in order of their start, and those starts (for bisection); worked
        out once (kept in the instance's dict: no lock, unlike a cached property)."""
        got = self.__dict__.get("_by_start")
        if got is None:
            ms = sorted(self.mentions, key=_START)  # stable: ties keep their order
            got = ms, [m.start for m in ms]
            object.__setattr__(self, "_by_start", got)
        return got

    def between(self, start: int, end: int, limit: int = 3) -> list[Candidate]:
        """Up to ``limit`` mentions inside ``[start, end)``, in order."""
        ms, starts = self.by_start
        out: list[Candidate] = []
        for m in ms[bisect_left(starts, start) :]:
            if m.start >= end or len(out) >= limit:
                break
            if m.end <= end:
                out.append(m)
        return out


def pair_attributes(pair: Pair, ctx: Context) -> list[str]:
    """The attributes of a candidate pair (the training view; the component computes the
    same list)."""
    return _attributes(pair.a, pair.b, ctx, None, _STRINGS)


class _Strings:
    """How :func:`_attributes` writes a pair's attributes: as strings (the training view).
    Each method writes one group of them, in their order."""

    def types(self, a: str, order: str, b: str, dist: str) -> list[Any]:
        """The pair's types, their order and its distance in words."""
        types = f"{a}{order}{b}"
        return [f"T={types}", f"Ta={a}", f"Tb={b}", f"d={dist}", f"dT={dist}|{types}"]

    def words(self, near: list[str], between: list[str]) -> list[Any]:
        """The words between (the nearest ones at each end), the first and the last."""
        out = [f"b={w}" for w in near]
        if between:
            out += [f"b0={between[0]}", f"bl={between[-1]}"]
        return out

    def around(self, before: str, after: str, puncts: Iterable[str], others: list[Candidate]
               ) -> list[Any]:
        """The word before and after the pair, the punctuation and mentions between."""
        out = [f"l={before}", f"r={after}"]
        out += [f"p={ch}" for ch in puncts]
        out.append(f"m={len(others)}")
        out += [f"mT={m.type}" for m in others]
        return out

    def first_word(self, word: str, order: str) -> list[Any]:
        """The first word between, with the pair's direction."""
        return [f"b0T={word}|{order}"]

    def triggers(self, preds: list[str], order: str) -> list[Any]:
        """The predicates of the trigger words between, with the pair's direction."""
        return [f"tr={p}{order}" for p in preds]

    def ruled(self, prefix: str, pred: str) -> list[Any]:
        """The predicate the rules gave the pair (``R=``) or the reverse pair (``Rback=``)."""
        return [f"{prefix}{pred}"]


_STRINGS = _Strings()


class _Rows(_Strings):
    """How the component writes a pair's attributes: as their rows in the model's weights,
    an unknown one not at all (what :meth:`RelationModel.probabilities` makes of the
    strings). The row of each attribute is looked up once, by the word, type or count it is
    made of, and kept: sentences hold the same few thousand again and again."""

    def __init__(self, attributes: dict[str, int]) -> None:
        self._get = attributes.get
        self._types: dict[tuple[str, str, str, str], list[Any]] = {}
        #: a word's rows as b=, b0=, bl=, l=, r=, b0T=…|>, b0T=…|<
        self._words: dict[str, tuple[int | None, ...]] = {}
        self._puncts: dict[str, int | None] = {}
        self._counts: dict[int, int | None] = {}
        self._kinds: dict[str, int | None] = {}
        self._triggers: dict[tuple[str, str], int | None] = {}
        self._ruled: dict[tuple[str, str], int | None] = {}

    def types(self, a: str, order: str, b: str, dist: str) -> list[Any]:
        key = (a, order, b, dist)
        got = self._types.get(key)
        if got is None:
            get = self._get
            got = self._types[key] = [
                i for s in super().types(a, order, b, dist) if (i := get(s)) is not None
            ]
        return got

    def _word(self, w: str) -> tuple[int | None, ...]:
        get = self._get
        got = self._words[w] = (get(f"b={w}"), get(f"b0={w}"), get(f"bl={w}"), get(f"l={w}"),
                                get(f"r={w}"), get(f"b0T={w}|>"), get(f"b0T={w}|<"))
        return got

    def words(self, near: list[str], between: list[str]) -> list[Any]:
        memo = self._words
        word = self._word
        out = []
        for w in near:
            i = (memo.get(w) or word(w))[0]
            if i is not None:
                out.append(i)
        if between:
            i = (memo.get(between[0]) or word(between[0]))[1]
            if i is not None:
                out.append(i)
            i = (memo.get(between[-1]) or word(between[-1]))[2]
            if i is not None:
                out.append(i)
        return out

    def around(self, before: str, after: str, puncts: Iterable[str], others: list[Candidate]
               ) -> list[Any]:
        memo = self._words
        i = (memo.get(before) or self._word(before))[3]
        out = [] if i is None else [i]
        i = (memo.get(after) or self._word(after))[4]
        if i is not None:
            out.append(i)
        row = self._row
        for ch in puncts:
            i = row(self._puncts, "p={}", ch)
            if i is not None:
                out.append(i)
        i = row(self._counts, "m={}", len(others))
        if i is not None:
            out.append(i)
        for m in others:
            i = row(self._kinds, "mT={}", m.type)
            if i is not None:
                out.append(i)
        return out

    def first_word(self, word: str, order: str) -> list[Any]:
        i = (self._words.get(word) or self._word(word))[5 if order == ">" else 6]
        return [] if i is None else [i]

    def triggers(self, preds: list[str], order: str) -> list[Any]:
        out = []
        for p in preds:
            i = self._row(self._triggers, "tr={}{}", p, order)
            if i is not None:
                out.append(i)
        return out

    def ruled(self, prefix: str, pred: str) -> list[Any]:
        i = self._row(self._ruled, "{}{}", prefix, pred)
        return [] if i is None else [i]

    def _row(self, memo: dict[Any, int | None], form: str, *parts: Any) -> int | None:
        """The row of the attribute ``form`` makes of ``parts`` (``None``: the model has no
        such attribute), kept in ``memo`` by its parts."""
        key = parts[0] if len(parts) == 1 else parts
        i = memo.get(key, -1)
        if i == -1:
            i = memo[key] = self._get(form.format(*parts))
        return i


#: What the attributes of a pair owe to the stretch from its first mention to its second
#: alone (the same for both directions): the dist bucket, the b=/b0=/bl= attributes, the
#: first word between (``None``: no word), the l=/r=/p=/m=/mT= attributes, and the
#: predicates of the trigger words between.
_Stretch = tuple[str, list[Any], str | None, list[Any], list[str]]


def _stretch(first: Candidate, second: Candidate, ctx: Context, how: _Strings) -> _Stretch:
    """The part of :func:`pair_attributes` that does not depend on the pair's direction."""
    words, starts = ctx.words, ctx.starts
    lo = bisect_left(starts, first.end)  # the first word after the first mention
    hi = bisect_right(starts, second.start - 1)  # words starting before the second
    between = words[lo:hi]
    if any(map(str.isspace, between)):
        between = [w for w in between if not w.isspace()]
    gap_text = ctx.text[first.end : second.start]
    n = len(between)
    dist = "0" if n == 0 else "1" if n == 1 else "2" if n == 2 else "3-5" if n <= 5 else (
        "6-10" if n <= 10 else "11+")
    near = between[:MAX_BETWEEN // 2] + between[-(MAX_BETWEEN // 2):] if n > MAX_BETWEEN else (
        between)
    before = words[bisect_right(starts, first.start - 1) - 1] if first.start else "^"
    after_i = bisect_left(starts, second.end)
    after = words[after_i] if after_i < len(words) else "$"
    found = _PUNCT_RE.findall(gap_text)
    # the punctuation between, in the order of the set of it (as the model was trained);
    # one kind or none needs no set
    puncts = _PUNCT & set(gap_text) if found and found.count(found[0]) < len(found) else (
        found[:1])
    rest = how.around(before, after, puncts, ctx.between(first.end, second.start))
    get = ctx.triggers.get
    return (dist, how.words(near, between), between[0] if between else None, rest,
            [p for w in between if (p := get(w))])


def _attributes(a: Candidate, b: Candidate, ctx: Context,
                stretches: dict[tuple[int, int, int, int], _Stretch] | None,
                how: _Strings, unruled: bool = False) -> list[Any]:
    """:func:`pair_attributes` of ``a`` and ``b``, written ``how`` (strings or rows);
    ``stretches`` keeps the direction-free part of the sentence's pairs for the reverse pair
    (``None``: no keeping); ``unruled``: the caller knows the rules related the two names
    neither way (no ``R=`` nor ``Rback=`` attribute)."""
    first, second = (a, b) if a.start < b.start else (b, a)
    if stretches is None:
        dist, words_attrs, b0, rest, preds = _stretch(first, second, ctx, how)
    else:
        key = (first.start, first.end, second.start, second.end)
        st = stretches.get(key)
        if st is None:
            st = stretches[key] = _stretch(first, second, ctx, how)
        dist, words_attrs, b0, rest, preds = st
    order = ">" if a is first else "<"
    attrs = how.types(a.type, order, b.type, dist) + words_attrs
    if b0 is not None:
        attrs += how.first_word(b0, order)
    attrs += rest
    if preds:
        attrs += how.triggers(preds, order)
    if unruled:
        return attrs
    text = ctx.text
    an, bn = text[a.start : a.end], text[b.start : b.end]
    ruled = ctx.rules.get((an, bn))
    if ruled:
        attrs += how.ruled("R=", ruled)
    back = ctx.rules.get((bn, an))
    if back:
        attrs += how.ruled("Rback=", back)
    return attrs


@dataclass
class RelationModel:
    """A log-linear classifier of pairs: weights per (attribute, label)."""

    labels: list[str]
    attributes: dict[str, int]
    weights: np.ndarray  # (attributes, labels) float32
    allowed: frozenset[tuple[str, str]]
    threshold: float = 0.5
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def predicates(self) -> frozenset[str] | None:
        """The predicates the model may add (``None``: all it knows): those it was right on
        in cross-validation (``meta["predicates"]``, written by ``kg train``)."""
        kept = self.meta.get("predicates")
        return frozenset(kept.split(",")) if kept else None

    @functools.cached_property
    def scored(self) -> frozenset[tuple[str, str]]:
        """The type pairs worth scoring: those a kept predicate related in training
        (``meta["scored"]``, written by ``kg train``; default every allowed pair). The others
        could only be labelled with predicates the model does not add."""
        kept = self.meta.get("scored")
        if not kept:
            return self.allowed
        return frozenset(tuple(x.split(">", 1)) for x in kept.split(","))  # type: ignore[misc]

    def probabilities(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Label probabilities (softmax) of each pair's attributes."""
        if not rows:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        get = self.attributes.get
        return self._softmax([[i for a in row if (i := get(a)) is not None] for row in rows])

    def _softmax(self, rows: Sequence[Sequence[int]]) -> np.ndarray:
        """:meth:`probabilities` of pairs whose attributes are given as their rows in
        ``weights`` (the unknown ones left out); ``rows`` is not empty."""
        ids: list[int] = []
        bounds: list[int] = []
        for row in rows:
            bounds.append(len(ids))
            ids += row
        ids.append(len(self.weights) - 1)  # a zero row: every pair sums at least one row
        scores = np.add.reduceat(self.weights[ids], bounds, axis=0)
        # a pair with no known attribute (its row starts where the next one does): zero scores
        starts = np.array(bounds)
        scores[starts == np.append(starts[1:], len(ids) - 1)] = 0
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """A compressed ``.npz`` with fixed member dates (the same model: the same bytes)."""
        from ..io import save_arrays

        names = sorted(self.attributes, key=self.attributes.__getitem__)
        arrays = {
            "labels": np.array(self.labels),
            "attributes": np.array(names),
            "weights": self.weights[: len(names)].astype(np.float32),
            "allowed": np.array(sorted(f"{a}>{b}" for a, b in self.allowed)),
            "meta": np.array(sorted(f"{k}={v}" for k, v in
                                    {**self.meta, "threshold": str(self.threshold)}.items())),
        }
        save_arrays(path, arrays)

    @classmethod
    def load(cls, path: Path) -> RelationModel:
        with np.load(path, allow_pickle=False) as z:
            names = [str(a) for a in z["attributes"]]
            meta = dict(str(m).split("=", 1) for m in z["meta"])
            weights = z["weights"].astype(np.float32)
            return cls(
                labels=[str(x) for x in z["labels"]],
                attributes={a: i for i, a in enumerate(names)},
                weights=np.vstack([weights, np.zeros((1, weights.shape[1]), np.float32)]),
                allowed=frozenset(tuple(x.split(">", 1)) for x in (str(y) for y in z["allowed"])),
                threshold=float(meta.pop("threshold", "0.5")),
                meta=meta,
            )


def sentence_context(doc: Doc, triggers: dict[str, str]) -> Context:
    """The sentence's words, mentions and the rules' relations between its mentions."""
    words, starts = words_of(doc)
    rules = {(r.s, r.o): r.p for r in relations_of(doc) if r.s and r.o and not r.literal}
    return Context(doc_text(doc), words, starts, mentions_of(doc), rules, triggers)


def trigger_words(lexicon: Lexicon) -> dict[str, str]:
    """Trigger word -> predicate, from the relation rules' data."""
    out: dict[str, str] = {}
    for rule in lexicon.relations.get("rules", []):
        for t in rule.get("triggers", []):
            out.setdefault(t, rule["p"])
    return out


class RelationClassifier:
    """spaCy component: the model's relations between mentions the rules left unrelated."""

    def __init__(self, nlp: Language, name: str, model: RelationModel | None,
                 lexicon: Lexicon) -> None:
        self.name = name
        self.model = model
        self.triggers = trigger_words(lexicon)
        self._rows: tuple[RelationModel, _Rows] | None = None  # its rows of attributes, as met

    def use(self, model: RelationModel | None) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        return self._classify([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._classify(batch)
                batch = []
        yield from self._classify(batch)

    def _classify(self, docs: list[Doc]) -> list[Doc]:
        """The candidate pairs of every sentence of the batch, scored together."""
        model = self.model
        if model is None:
            return docs
        found: list[tuple[Doc, str, Candidate, Candidate]] = []
        rows: list[list[int]] = []
        scored = model.scored
        if self._rows is None or self._rows[0] is not model:
            self._rows = (model, _Rows(model.attributes))
        how = self._rows[1]
        for doc in docs:
            ms = mentions_of(doc)
            if len(ms) < 2:
                continue
            pairs = _candidates(ms, scored)
            if not pairs:
                continue
            ctx = sentence_context(doc, self.triggers)
            text = ctx.text
            rules = ctx.rules  # (related either way: the rules' pair)
            stretches: dict[tuple[int, int, int, int], _Stretch] = {}
            for a, b in pairs:
                if not rules or ((an := text[a.start : a.end]), (bn := text[b.start : b.end])
                                 ) not in rules and (bn, an) not in rules:
                    found.append((doc, text, a, b))
                    rows.append(_attributes(a, b, ctx, stretches, how, True))
        if not rows:
            return docs
        probs = model._softmax(rows)
        best = probs.argmax(axis=1)
        chosen = probs[np.arange(len(best)), best]
        added: dict[int, list[RawRelation]] = {}
        keep = model.predicates
        # the pairs given a label other than none (that the model may add) over the threshold
        wanted = [k for k, label in enumerate(model.labels)
                  if label != NONE and not (keep and label not in keep)]
        # (the probabilities compared as Python floats: in double precision)
        low = chosen.astype(np.float64) < model.threshold
        kept = np.flatnonzero(np.isin(best, wanted) & ~low).tolist()
        for n, k, prob in zip(kept, best[kept].tolist(), chosen[kept].tolist()):
            doc, text, a, b = found[n]
            label = model.labels[k]
            added.setdefault(id(doc), []).append(RawRelation(
                text[a.start : a.end], label, text[b.start : b.end], "model:relation",
                round(prob, 3)))
        for doc in docs:
            if id(doc) in added:
                set_relations(doc, [*relations_of(doc), *added[id(doc)]])
        return docs


@functools.lru_cache(maxsize=8)
def load_model(path: str | None = None) -> RelationModel | None:
    """The model at ``path`` (default :data:`MODEL_PATH`), or ``None`` if there is none."""
    p = Path(path) if path else MODEL_PATH
    return RelationModel.load(p) if p.is_file() else None


@Language.factory("kg_relation_model", default_config={"data_dir": None, "model_path": None})
def make_relation_classifier(nlp: Language, name: str, data_dir: str | None,
                             model_path: str | None) -> RelationClassifier:
    return RelationClassifier(nlp, name, load_model(model_path), Lexicon.load(data_dir))
