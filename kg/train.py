"""Training the entity tagger (:mod:`kg.extract.tagger`) on gold annotations: ``kg train``.

Each gold article is ingested like any article; its sentences go through the rules
(``kg_entities``), so the model learns from the same rule view it gets in a build. The gold
names (and aliases) are found in each sentence after the scorer's normalisation (NFKC, no
spaces, quotes or middle dots, lower case), longest first and without overlaps, and give
every jieba word a B-/I- label (``[generic]`` gold entries, a class and not one body, stay
outside). python-crfsuite fits the CRF (L-BFGS with L1 and L2 penalties), whose weights are
written in our own format, so a build needs numpy only. The same inputs give the same model,
byte for byte.

:func:`cross_validate` scores the whole pipeline (rules, tagger, resolution) on held-out
articles, folds by article, with the reference scorer's figures.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .eval import GoldDoc, load_gold
from .evalref import Reference, is_blind, reference
from .extract.tagger import (
    OUTSIDE,
    CrfModel,
    Features,
    rule_views,
    word_attributes,
)
from .ingest import InputError, read_file
from .model import ENTITY_TYPES

Progress = Callable[[str, int, int], None]
_DROP = frozenset("“”\"'‘’「」『』《》〈〉·•")


class TrainError(Exception):
    """Training cannot run (no annotations, python-crfsuite missing)."""


@dataclass(frozen=True)
class Source:
    """Gold annotations and the folder of their articles' texts."""

    gold: Path
    texts: Path
    subset: str = "all"  # all | tune (the dev corpus's blind articles never train)


@dataclass
class Example:
    """One sentence: its words, their attributes and their gold labels."""

    article: str
    attributes: list[list[str]]
    labels: list[str]


@dataclass
class Settings:
    """How the model is fitted (``kg train`` options)."""

    types: tuple[str, ...] = ("Enterprise", "University", "ResearchInstitute", "GovernmentBody",
                              "Platform", "Fund", "FinancialInstitution", "Person")
    c1: float = 0.2
    c2: float = 0.05
    iterations: int = 150
    min_feature_freq: int = 1
    #: The relation classifier's penalties and the probability a relation needs.
    rel_c1: float = 0.1
    rel_c2: float = 0.01
    rel_threshold: float = 0.5
    #: The predicates the relation classifier may add: those whose additions were right on
    #: held-out articles (5-fold cross-validation on the seeds and tuning articles, session
    #: 8: holdsPost 0.73, locatedIn 0.29, focusIndustry 0.29, partOfProgram 0.20; cofounded 0
    #: of 19, cooperatesWith 0 of 10, supports 0 of 5 — the rules keep those).
    rel_predicates: tuple[str, ...] = ("holdsPost", "locatedIn", "focusIndustry", "partOfProgram")
    #: Share of sentences also learned without the rules' view (see make_examples).
    without_rules: float = 1.0
    #: Word labels: "IO" (a label per type and O: decoding costs a third of "BIO"'s) or "BIO".
    scheme: str = "IO"


@dataclass
class Article:
    name: str
    path: Path
    gold: GoldDoc
    examples: list[Example] = field(default_factory=list)


def load_articles(sources: Sequence[Source]) -> list[Article]:
    """The gold articles of every source whose text is there (blind dev articles never)."""
    out: list[Article] = []
    for src in sources:
        golds = load_gold(src.gold)
        for name, doc in golds.items():
            if src.subset == "tune" and is_blind(name):
                continue
            path = src.texts / name
            if not path.is_file():
                raise TrainError(f"{path}: the text of gold article {name} is not there (gather "
                                 "the dev texts as ../shared/dev/README.md says)")
            out.append(Article(name, path, doc))
    if not out:
        raise TrainError("no gold article to train on")
    return out


def gold_forms(doc: GoldDoc, types: Iterable[str]) -> list[tuple[str, str]]:
    """``(normalised form, type)`` of every gold name and alias, longest first; ``[generic]``
    entries as type ``""`` (they only block their span)."""
    keep = set(types)
    forms: set[tuple[str, str]] = set()
    for e in doc.entities:
        typ = e.type if e.type in keep and "[generic]" not in (e.note or "") else ""
        for name in (e.name, *e.aliases):
            f = _norm(name)
            if f:
                forms.add((f, typ))
    return sorted(forms, key=lambda x: (-len(x[0]), x[1] == "", x))


def _norm(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", s).lower()
                   if c not in _DROP and not c.isspace())


def char_labels(text: str, forms: Sequence[tuple[str, str]]) -> list[str]:
    """A label per character of ``text``: ``B-T``/``I-T`` where a gold form occurs (matched on
    the normalised view of the text), else ``O``."""
    view: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if c not in _DROP and not c.isspace():
                view.append(c)
                where.append(i)
    flat = "".join(view)
    labels = [OUTSIDE] * len(text)
    taken = [False] * len(text)
    for form, typ in forms:
        for m in re.finditer(re.escape(form), flat):
            s, e = where[m.start()], where[m.end() - 1] + 1
            if any(taken[s:e]):
                continue
            for k in range(s, e):
                taken[k] = True
            if typ:
                labels[s] = "B-" + typ
                for k in range(s + 1, e):
                    labels[k] = "I-" + typ
    return labels


def word_labels(chars: Sequence[str], starts: Sequence[int], scheme: str = "BIO") -> list[str]:
    """A word takes the label of its first character (a gold span that starts inside a word
    cannot be learned at word level; such spans are rare: about 4%). ``scheme="IO"`` writes
    every word of a name as ``I-Type`` (two names of one type side by side then merge; names
    in a list have a 、 between them)."""
    out = [chars[s] for s in starts]
    if scheme == "IO":
        out = ["I-" + lab[2:] if lab != OUTSIDE else lab for lab in out]
    return out


def make_examples(articles: Sequence[Article], settings: Settings, nlp: Any = None,
                  progress: Progress | None = None) -> None:
    """Fill each article's examples: ingest, run the rules, label the words."""
    from .extract import build_nlp
    from .extract.lexicon import Lexicon
    from .ingest import ingest_text

    nlp = nlp or build_nlp(tagger=False, relations=False)
    feats = Features.from_lexicon(Lexicon.load())
    for i, art in enumerate(articles):
        try:
            original, enc = read_file(art.path)
        except InputError as exc:
            raise TrainError(str(exc)) from None
        page = ingest_text(art.name, original, enc)
        forms = gold_forms(art.gold, settings.types)
        sents = [s.text for a in page.articles for s in a.sentences]
        art.examples = []
        for text, doc in zip(sents, nlp.pipe(sents)):
            words = [t.text for t in doc]
            if not words:
                continue
            starts = [t.idx for t in doc]
            q, big_q = rule_views(words, starts, doc._.kg_mentions or ())
            labels = word_labels(char_labels(text, forms), starts, settings.scheme)
            art.examples.append(Example(art.name, word_attributes(words, q, big_q, feats),
                                        labels))
            if settings.without_rules and _chosen(f"{art.name}:{text}", settings.without_rules):
                # the same sentence as the rules might have missed it: the model learns the
                # words and their context, not only to trust the rules (which were written
                # while reading these very articles)
                blank = [""] * len(words)
                art.examples.append(Example(art.name, word_attributes(words, blank, blank,
                                                                      feats), labels))
        if progress:
            progress(art.name, i + 1, len(articles))


def _chosen(key: str, share: float) -> bool:
    """A fixed pseudo-random choice of about ``share`` of the keys (the same on every run)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") < share * 2**32


def _crfsuite(sequences: Iterable[tuple[list[list[str]], list[str]]], params: dict[str, Any]
              ) -> tuple[list[str], dict[str, int], np.ndarray, np.ndarray]:
    """Fit python-crfsuite on (attributes per item, label per item) sequences; returns the
    labels (outside first, then by type), the attributes with a weight, the state weights
    (attributes × labels, plus a last row of zeros) and the transition weights."""
    try:
        import pycrfsuite
    except ImportError:
        raise TrainError("training needs python-crfsuite: pip install 'python-crfsuite>=0.9'"
                         ) from None
    import tempfile

    trainer = pycrfsuite.Trainer(verbose=False)
    for xs, ys in sequences:
        trainer.append(xs, ys)
    trainer.set_params(params)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "model.crfsuite")
        trainer.train(path)
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        info = tagger.info()
        labels = sorted(tagger.labels(), key=lambda x: (x not in (OUTSIDE, "none"),
                                                        x[2:] if x[1:2] == "-" else x, x))
        tagger.close()
    lab = {x: i for i, x in enumerate(labels)}
    names = sorted({a for a, _ in info.state_features})
    attrs = {a: i for i, a in enumerate(names)}
    state = np.zeros((len(names) + 1, len(labels)), dtype=np.float32)
    for (a, y), w in info.state_features.items():
        state[attrs[a], lab[y]] = w
    trans = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (y0, y1), w in info.transitions.items():
        trans[lab[y0], lab[y1]] = w
    return labels, attrs, state, trans


def fit(examples: Iterable[Example], settings: Settings) -> CrfModel:
    """Fit the CRF with python-crfsuite and return it in our format."""
    labels, attrs, state, trans = _crfsuite(
        ((ex.attributes, ex.labels) for ex in examples),
        {"c1": settings.c1, "c2": settings.c2, "max_iterations": settings.iterations,
         "feature.possible_transitions": True, "feature.minfreq": settings.min_feature_freq})
    meta = {"c1": str(settings.c1), "c2": str(settings.c2), "scheme": settings.scheme,
            "iterations": str(settings.iterations), "types": ",".join(settings.types)}
    return CrfModel(labels, attrs, state[:-1], trans, meta)


def train(sources: Sequence[Source], settings: Settings | None = None,
          progress: Progress | None = None) -> tuple[CrfModel, list[Article]]:
    """Train the entity tagger on every article of ``sources``; returns the model and the
    articles used (:func:`train_relations` then fits the relation classifier on them)."""
    settings = settings or Settings()
    articles = load_articles(sources)
    make_examples(articles, settings, progress=progress)
    model = fit((ex for a in articles for ex in a.examples), settings)
    model.meta["articles"] = str(len(articles))
    return model, articles


# ---------------------------------------------------------------------------------------------
# the relation classifier (kg.extract.relmodel)


@dataclass
class RelationExample:
    article: str
    attributes: list[str]
    label: str


def gold_relation_index(doc: GoldDoc) -> tuple[dict[str, set[int]], dict[tuple[int, int], str]]:
    """The gold names (normalised) → entity numbers, and (subject, object) numbers → the
    predicate (symmetric predicates both ways; ``metric`` facts left out)."""
    from .model import SYMMETRIC_PREDICATES

    by_form: dict[str, set[int]] = {}
    by_name: dict[str, int] = {}
    for i, e in enumerate(doc.entities):
        by_name.setdefault(e.name, i)
        for f in (_norm(x) for x in (e.name, *e.aliases)):
            if f:
                by_form.setdefault(f, set()).add(i)
    pairs: dict[tuple[int, int], str] = {}
    for r in sorted(doc.relations, key=lambda r: (r.s, r.p, r.o)):
        if r.p == "metric":
            continue
        s = by_name.get(r.s, next(iter(sorted(by_form.get(_norm(r.s), {-1}))), -1))
        o = by_name.get(r.o, next(iter(sorted(by_form.get(_norm(r.o), {-1}))), -1))
        if s < 0 or o < 0:
            continue
        pairs.setdefault((s, o), r.p)
        if r.p in SYMMETRIC_PREDICATES:
            pairs.setdefault((o, s), r.p)
    return by_form, pairs


#: A pair of types is a candidate only if this many gold facts in the training pairs relate it.
MIN_TYPE_PAIR = 3


def make_relation_examples(
    articles: Sequence[Article], nlp: Any, allowed: frozenset[tuple[str, str]] | None = None,
) -> tuple[list[RelationExample], frozenset[tuple[str, str]]]:
    """Every candidate pair of every sentence, labelled with the gold predicate between the
    gold entities its two mentions name (or ``none``). ``allowed``: the type pairs to consider
    (default: every pair first, then only the type pairs some gold fact relates)."""
    from .extract.lexicon import Lexicon
    from .extract.relmodel import (
        NONE,
        candidate_pairs,
        pair_attributes,
        sentence_context,
        trigger_words,
    )
    from .ingest import ingest_text

    triggers = trigger_words(Lexicon.load())
    every = frozenset((a, b) for a in ENTITY_TYPES for b in ENTITY_TYPES)
    rows: list[tuple[str, tuple[str, str], list[str], str]] = []
    for art in articles:
        original, enc = read_file(art.path)
        page = ingest_text(art.name, original, enc)
        by_form, gold_pairs = gold_relation_index(art.gold)
        sents = [s.text for a in page.articles for s in a.sentences]
        for doc in nlp.pipe(sents):
            ms = [m for m in doc._.kg_mentions or () if m.type in ENTITY_TYPES]
            pairs = candidate_pairs(ms, allowed or every)
            if not pairs:
                continue
            ctx = sentence_context(doc, triggers)
            for p in pairs:
                sa = by_form.get(_norm(ctx.text[p.a.start : p.a.end]), set())
                sb = by_form.get(_norm(ctx.text[p.b.start : p.b.end]), set())
                labels = sorted({gold_pairs[(i, j)] for i in sa for j in sb
                                 if (i, j) in gold_pairs})
                rows.append((art.name, (p.a.type, p.b.type), pair_attributes(p, ctx),
                             labels[0] if labels else NONE))
    if allowed is None:  # type pairs that enough gold facts relate
        counts = Counter(t for _, t, _, lab in rows if lab != NONE)
        allowed = frozenset(t for t, n in counts.items() if n >= MIN_TYPE_PAIR)
    return ([RelationExample(a, attrs, lab) for a, t, attrs, lab in rows if t in allowed],
            allowed)


def fit_relations(examples: Sequence[RelationExample], allowed: frozenset[tuple[str, str]],
                  settings: Settings) -> Any:
    """The pair classifier: python-crfsuite on sequences of one pair (a maximum-entropy
    model), its weights in our format."""
    from .extract.relmodel import RelationModel

    labels, attrs, weights, _ = _crfsuite(
        (([ex.attributes], [ex.label]) for ex in examples),
        {"c1": settings.rel_c1, "c2": settings.rel_c2, "max_iterations": settings.iterations})
    scored = sorted({  # the type pairs a kept predicate related: the only ones worth scoring
        f"{_attr(ex, 'Ta=')}>{_attr(ex, 'Tb=')}" for ex in examples
        if ex.label in settings.rel_predicates
    })
    return RelationModel(labels, attrs, weights, allowed, settings.rel_threshold,
                         {"c1": str(settings.rel_c1), "c2": str(settings.rel_c2),
                          "predicates": ",".join(sorted(settings.rel_predicates)),
                          "scored": ",".join(scored)})


def _attr(ex: RelationExample, prefix: str) -> str:
    """The value of an example's attribute ``prefix…`` (its mentions' types: ``Ta=``)."""
    return next((a[len(prefix):] for a in ex.attributes if a.startswith(prefix)), "")


def train_relations(articles: Sequence[Article], settings: Settings, tagger: CrfModel | None
                    ) -> Any:
    """The relation classifier on ``articles``, with mentions from the rules and ``tagger``."""
    from .extract import build_nlp

    nlp = build_nlp(relation_model=False)
    nlp.get_pipe("kg_tagger").use(tagger)
    examples, allowed = make_relation_examples(articles, nlp)
    return fit_relations(examples, allowed, settings)


@dataclass
class FoldScore:
    articles: list[str]
    with_model: Reference
    rules_only: Reference


@dataclass
class CrossValidation:
    """Pooled held-out figures with the model and with the rules alone, per fold, and the
    held-out records themselves (``kg extract`` records, by article)."""

    with_model: Reference
    rules_only: Reference
    folds: list[FoldScore]
    records: dict[str, dict[str, dict[str, Any]]]
    golds: dict[str, GoldDoc] = field(default_factory=dict)

    def on(self, names: Iterable[str]) -> tuple[Reference, Reference]:
        """The pooled held-out figures (with the model, rules alone) on some articles only."""
        chosen = {n: self.golds[n] for n in names if n in self.golds}
        return reference(self.records["model"], chosen), reference(self.records["rules"], chosen)


def cross_validate(
    sources: Sequence[Source], folds: int = 5, settings: Settings | None = None,
    progress: Progress | None = None, only: Iterable[str] | None = None,
) -> CrossValidation:
    """Folds by article (round robin over the sorted names): train on the other folds, run
    the whole pipeline on the held-out articles, score them with the reference figures.
    The pooled scores cover the articles ``only`` names (default all)."""
    from .build import extract_corpus, page_records, resolve_corpus
    from .extract import build_nlp

    settings = settings or Settings()
    articles = load_articles(sources)
    make_examples(articles, settings)
    names = sorted(a.name for a in articles)
    fold_of = {n: i % folds for i, n in enumerate(names)}
    rules_nlp = build_nlp(tagger=False, relation_model=False)
    scores: list[FoldScore] = []
    pooled: dict[str, dict[str, Any]] = {"model": {}, "rules": {}}
    golds = {a.name: a.gold for a in articles}
    for k in range(folds):
        held = [a for a in articles if fold_of[a.name] == k]
        if not held:
            continue
        model = fit((ex for a in articles if fold_of[a.name] != k for ex in a.examples), settings)
        rel = train_relations([a for a in articles if fold_of[a.name] != k], settings, model)
        nlp = build_nlp()
        nlp.get_pipe("kg_tagger").use(model)
        nlp.get_pipe("kg_relation_model").use(rel)
        got = {}
        for key, pipe in (("model", nlp), ("rules", rules_nlp)):
            corpus = extract_corpus([a.path for a in held], nlp=pipe)
            res = resolve_corpus(corpus)
            recs = {r["article"]: r for r in page_records(
                res, [ex.page.name for ex in corpus.extractions],
                {ex.page.name: ex.page.original for ex in corpus.extractions})}
            pooled[key].update(recs)
            got[key] = reference(recs, {a.name: a.gold for a in held})
        scores.append(FoldScore([a.name for a in held], got["model"], got["rules"]))
        if progress:
            progress(f"fold {k + 1}", k + 1, folds)
    keep = set(only) if only is not None else set(golds)
    chosen = {n: g for n, g in golds.items() if n in keep}
    return CrossValidation(reference(pooled["model"], chosen), reference(pooled["rules"], chosen),
                           scores, pooled, golds)
