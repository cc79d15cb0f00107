"""Score extracted entities and relations against the gold annotations.

This module is a library: pure functions and typed records, no printing. It implements the
matching rules of ``gold/README.md``.

Entities
--------
An extracted entity matches a gold entity when one of its names (``name`` or an alias) equals the
gold name or one of the gold aliases after :func:`normalize_name`. Per article a one-to-one
assignment is computed greedily and deterministically; candidate pairs are taken in this order
of preference: exact name-to-name match, same type, non-doubtful gold entity, the extracted
*name* (not only an alias) hits the gold entity, the gold *name* hits the extracted entity, then
document order.

* A matched pair with a non-doubtful gold entity is a true positive for the type-agnostic
  scores; for the strict scores it is a true positive only when the types agree, otherwise it
  is a false positive of the extracted type and a false negative of the gold type (and it is
  listed as a wrong-type match).
* Doubtful gold entities (``note`` starting with ``[embedded]`` or ``[generic]``, or containing
  ``borderline``) never count: finding one is neither a true nor a false positive, missing one
  is not a false negative. An unmatched extracted entity whose names hit a doubtful gold entity
  is ignored as well.
* An unmatched extracted entity whose names hit an already matched (non-doubtful) gold entity
  is a *duplicate* and a false positive; one that hits nothing is *spurious*.
* Per-type scores: strict scores attribute an extracted entity to its own type (precision) and
  a gold entity to its type (recall). Type-agnostic per-type scores attribute a matched pair to
  the *gold* type and an unmatched extracted entity to its own type, so that per-type counts
  add up to the totals. "core" sums the rows of :data:`kg.model.CORE_TYPES`, "all" every row.

Relations
---------
Endpoints are resolved to gold entities. An extracted endpoint name leads to the extracted
entity carrying that name (or alias) and from there to its matched gold entity; failing that,
a name equal to a gold name or alias resolves to that gold entity directly; anything else is a
literal compared as a normalised string. Gold endpoints resolve by gold name (preferred) or
alias, else they are literals. Identical triples are deduplicated on both sides.

* Labeled match: same predicate and same (s, o); (o, s) is accepted for symmetric predicates.
* Unlabeled match: same unordered pair of endpoints, any predicate (pairs with the same
  predicate are preferred). Object relations are only paired with object relations and
  ``metric`` relations only with ``metric`` relations.
* ``metric`` (literal objects), lenient rule: the subjects must resolve to the same endpoint
  and the normalised literals must be equal or one must contain the other (equal literals are
  preferred when assigning).
* Each gold relation is matched at most once and each extracted relation at most once.
* Gold relations with a doubtful endpoint: finding them is a true positive, missing them is not
  a false negative.

Scores are micro-averaged over articles (counts are summed, then P/R/F1 computed).
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model import CORE_TYPES, ENTITY_TYPES, PREDICATES, SYMMETRIC_PREDICATES

__all__ = [
    "METRIC",
    "ArticleEval",
    "DuplicateEntity",
    "EntityRef",
    "EntityScores",
    "EvalReport",
    "GoldDoc",
    "GoldEntity",
    "GoldRelation",
    "RelationRef",
    "RelationScores",
    "Score",
    "TypeMismatch",
    "evaluate",
    "format_text",
    "is_doubtful_note",
    "load_extracted",
    "load_gold",
    "normalize_name",
]

#: The literal-valued predicate.
METRIC = "metric"

_STRIP_CHARS = frozenset(
    "\"'“”‘’「」《》·・･"  # quotes, book-title marks, middle dots (NFKC forms included)
)


# --------------------------------------------------------------------------------------------
# normalisation and loading
# --------------------------------------------------------------------------------------------


def normalize_name(s: str) -> str:
    """Normalise a name for matching.

    Parameters
    ----------
    s
        A surface form.

    Returns
    -------
    str
        ``s`` after NFKC normalisation with whitespace, quotes (“ ” " ' ‘ ’ 「 」), book-title
        marks (《 》) and middle dots (· ・) removed.
    """
    t = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in t if not ch.isspace() and ch not in _STRIP_CHARS)


def is_doubtful_note(note: str | None) -> bool:
    """Tell whether a gold ``note`` marks a doubtful entity.

    A note is doubtful when it starts with ``[embedded]`` or ``[generic]`` or contains
    ``borderline`` (case-insensitive).
    """
    if not note:
        return False
    n = note.strip().lower()
    return n.startswith(("[embedded]", "[generic]")) or "borderline" in n


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """One gold entity."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    note: str = ""
    role: str | None = None

    @property
    def doubtful(self) -> bool:
        """True when the note marks the entity as doubtful (optional to find)."""
        return is_doubtful_note(self.note)

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """One gold relation; ``s`` and ``o`` are names (or, for ``metric``, ``o`` is a literal)."""

    s: str
    p: str
    o: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """The gold annotation of one article file."""

    article: str
    date: str = ""
    entities: tuple[GoldEntity, ...] = ()
    relations: tuple[GoldRelation, ...] = ()

    def to_extraction(self) -> dict[str, Any]:
        """Convert to the extraction format (useful to sanity-check the scorer)."""
        return {
            "article": self.article,
            "entities": [
                {"name": e.name, "type": e.type, "aliases": list(e.aliases), "mentions": []}
                for e in self.entities
            ],
            "relations": [
                {"s": r.s, "p": r.p, "o": r.o, "evidence": r.evidence, "start": 0, "end": 0}
                for r in self.relations
            ],
        }


def _gold_doc_from_json(data: Mapping[str, Any], source: str) -> GoldDoc:
    if not isinstance(data, Mapping) or "article" not in data:
        raise ValueError(f"{source}: not a gold document (no 'article' field)")
    ents = []
    for e in data.get("entities") or []:
        ents.append(
            GoldEntity(
                name=str(e["name"]),
                type=str(e["type"]),
                aliases=tuple(str(a) for a in e.get("aliases") or ()),
                note=str(e.get("note") or ""),
                role=e.get("role"),
            )
        )
    rels = [
        GoldRelation(
            s=str(r["s"]), p=str(r["p"]), o=str(r["o"]), evidence=str(r.get("evidence", ""))
        )
        for r in data.get("relations") or []
    ]
    return GoldDoc(
        article=str(data["article"]),
        date=str(data.get("date") or ""),
        entities=tuple(ents),
        relations=tuple(rels),
    )


def load_gold(directory: str | os.PathLike[str]) -> dict[str, GoldDoc]:
    """Load the gold files of a directory (or a single gold JSON file).

    Parameters
    ----------
    directory
        A directory holding ``*.json`` gold files, or one such file.

    Returns
    -------
    dict[str, GoldDoc]
        Gold documents keyed by article file name (the gold ``article`` field), sorted.

    Raises
    ------
    ValueError
        On an unreadable file or two files for the same article.
    """
    root = Path(directory)
    files = [root] if root.is_file() else sorted(root.glob("*.json"))
    out: dict[str, GoldDoc] = {}
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{f}: invalid JSON: {exc}") from exc
        try:
            doc = _gold_doc_from_json(data, str(f))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{f}: malformed gold document: {exc!r}") from exc
        if doc.article in out:
            raise ValueError(f"{f}: duplicate gold for article {doc.article!r}")
        out[doc.article] = doc
    return dict(sorted(out.items()))


def load_extracted(
    path_or_lines: str | os.PathLike[str] | Iterable[str],
) -> dict[str, dict[str, Any]]:
    """Read extraction output (JSON Lines, one object per article file).

    Parameters
    ----------
    path_or_lines
        A path to a ``.jsonl`` file, or an iterable of lines.

    Returns
    -------
    dict[str, dict]
        Extraction records keyed by their ``article`` field (sorted). Should an article occur on
        several lines, their entities and relations are concatenated.

    Raises
    ------
    ValueError
        On a line that is not a JSON object with an ``article`` field; the message names the
        1-based line number.
    """
    if isinstance(path_or_lines, (str, os.PathLike)):
        name = str(path_or_lines)
        lines: Iterable[str] = Path(path_or_lines).read_text(encoding="utf-8").splitlines()
    else:
        name = "<lines>"
        lines = path_or_lines
    out: dict[str, dict[str, Any]] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}: line {lineno}: invalid JSON: {exc.msg}") from exc
        if not isinstance(rec, dict):
            raise ValueError(f"{name}: line {lineno}: expected a JSON object")
        article = rec.get("article")
        if not isinstance(article, str) or not article:
            raise ValueError(f"{name}: line {lineno}: missing 'article' field")
        if article in out:
            prev = out[article]
            prev["entities"] = list(prev.get("entities") or []) + list(rec.get("entities") or [])
            prev["relations"] = list(prev.get("relations") or []) + list(rec.get("relations") or [])
        else:
            out[article] = rec
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------------------------
# result records
# --------------------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    """True/false positive and false negative counts with derived P/R/F1.

    An undefined ratio (zero denominator) is reported as 0.0.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }


def _sum(scores: Iterable[Score]) -> Score:
    total = Score()
    for s in scores:
        total = total + s
    return total


def _ordered_keys(keys: Iterable[str], canonical: tuple[str, ...]) -> list[str]:
    ks = set(keys)
    return [k for k in canonical if k in ks] + sorted(ks - set(canonical))


_ENTITY_ROWS: tuple[str, ...] = ENTITY_TYPES
_RELATION_ROWS: tuple[str, ...] = (*PREDICATES, METRIC)


def _table(counts: Mapping[str, list[int]], canonical: tuple[str, ...]) -> dict[str, Score]:
    keys = _ordered_keys([*canonical, *counts], canonical)
    return {k: Score(*counts[k]) if k in counts else Score() for k in keys}


def _merge_tables(
    tables: Iterable[Mapping[str, Score]], canonical: tuple[str, ...]
) -> dict[str, Score]:
    acc: dict[str, Score] = {}
    for t in tables:
        for k, s in t.items():
            acc[k] = acc.get(k, Score()) + s
    keys = _ordered_keys([*canonical, *acc], canonical)
    return {k: acc.get(k, Score()) for k in keys}


@dataclass(frozen=True, slots=True)
class EntityScores:
    """Entity scores: per type, core types and all types; strict and type-agnostic."""

    strict: dict[str, Score]
    agnostic: dict[str, Score]

    @property
    def strict_core(self) -> Score:
        return _sum(s for t, s in self.strict.items() if t in CORE_TYPES)

    @property
    def agnostic_core(self) -> Score:
        return _sum(s for t, s in self.agnostic.items() if t in CORE_TYPES)

    @property
    def strict_all(self) -> Score:
        return _sum(self.strict.values())

    @property
    def agnostic_all(self) -> Score:
        return _sum(self.agnostic.values())

    @staticmethod
    def merge(items: Iterable[EntityScores]) -> EntityScores:
        """Micro-average: sum the counts of several articles."""
        items = list(items)
        return EntityScores(
            strict=_merge_tables((i.strict for i in items), _ENTITY_ROWS),
            agnostic=_merge_tables((i.agnostic for i in items), _ENTITY_ROWS),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "strict": {
                "by_type": {k: v.to_dict() for k, v in self.strict.items()},
                "core": self.strict_core.to_dict(),
                "all": self.strict_all.to_dict(),
            },
            "agnostic": {
                "by_type": {k: v.to_dict() for k, v in self.agnostic.items()},
                "core": self.agnostic_core.to_dict(),
                "all": self.agnostic_all.to_dict(),
            },
        }


@dataclass(frozen=True, slots=True)
class RelationScores:
    """Relation scores per predicate, labeled and unlabeled.

    ``*_object`` sum every predicate except ``metric``; ``*_all`` include ``metric``.
    Unlabeled per-predicate rows attribute a matched pair to the gold predicate and an
    unmatched extracted relation to its own predicate.
    """

    labeled: dict[str, Score]
    unlabeled: dict[str, Score]

    @property
    def labeled_object(self) -> Score:
        return _sum(s for p, s in self.labeled.items() if p != METRIC)

    @property
    def unlabeled_object(self) -> Score:
        return _sum(s for p, s in self.unlabeled.items() if p != METRIC)

    @property
    def labeled_all(self) -> Score:
        return _sum(self.labeled.values())

    @property
    def unlabeled_all(self) -> Score:
        return _sum(self.unlabeled.values())

    @staticmethod
    def merge(items: Iterable[RelationScores]) -> RelationScores:
        """Micro-average: sum the counts of several articles."""
        items = list(items)
        return RelationScores(
            labeled=_merge_tables((i.labeled for i in items), _RELATION_ROWS),
            unlabeled=_merge_tables((i.unlabeled for i in items), _RELATION_ROWS),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "labeled": {
                "by_predicate": {k: v.to_dict() for k, v in self.labeled.items()},
                "object": self.labeled_object.to_dict(),
                "all": self.labeled_all.to_dict(),
            },
            "unlabeled": {
                "by_predicate": {k: v.to_dict() for k, v in self.unlabeled.items()},
                "object": self.unlabeled_object.to_dict(),
                "all": self.unlabeled_all.to_dict(),
            },
        }


@dataclass(frozen=True, slots=True, order=True)
class EntityRef:
    """An entity name with its type (for missed / spurious lists)."""

    name: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True, slots=True, order=True)
class DuplicateEntity:
    """An extracted entity that hits a gold entity already matched by another extraction."""

    name: str
    type: str
    gold_name: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "gold_name": self.gold_name}


@dataclass(frozen=True, slots=True, order=True)
class TypeMismatch:
    """A matched pair whose types differ."""

    gold_name: str
    gold_type: str
    extracted_name: str
    extracted_type: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold_name": self.gold_name,
            "gold_type": self.gold_type,
            "extracted_name": self.extracted_name,
            "extracted_type": self.extracted_type,
        }


@dataclass(frozen=True, slots=True, order=True)
class RelationRef:
    """A relation as written (names, not resolved keys)."""

    s: str
    p: str
    o: str

    def to_dict(self) -> dict[str, Any]:
        return {"s": self.s, "p": self.p, "o": self.o}

    def __str__(self) -> str:
        return f"{self.s} -{self.p}-> {self.o}"


@dataclass(frozen=True, slots=True)
class ArticleEval:
    """Scores and error lists of one article."""

    article: str
    extracted: bool  # False when the article is missing from the extraction
    entities: EntityScores
    relations: RelationScores
    missed_entities: tuple[EntityRef, ...] = ()
    spurious_entities: tuple[EntityRef, ...] = ()
    duplicate_entities: tuple[DuplicateEntity, ...] = ()
    wrong_type: tuple[TypeMismatch, ...] = ()
    doubtful_found: tuple[EntityRef, ...] = ()  # doubtful gold entities that were found
    missed_relations: tuple[RelationRef, ...] = ()
    spurious_relations: tuple[RelationRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "extracted": self.extracted,
            "entities": self.entities.to_dict(),
            "relations": self.relations.to_dict(),
            "missed_entities": [x.to_dict() for x in self.missed_entities],
            "spurious_entities": [x.to_dict() for x in self.spurious_entities],
            "duplicate_entities": [x.to_dict() for x in self.duplicate_entities],
            "wrong_type": [x.to_dict() for x in self.wrong_type],
            "doubtful_found": [x.to_dict() for x in self.doubtful_found],
            "missed_relations": [x.to_dict() for x in self.missed_relations],
            "spurious_relations": [x.to_dict() for x in self.spurious_relations],
        }


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The result of :func:`evaluate`: micro-averaged scores plus per-article results."""

    entities: EntityScores
    relations: RelationScores
    articles: dict[str, ArticleEval] = field(default_factory=dict)
    ignored_articles: tuple[str, ...] = ()  # extracted articles without gold (not scored)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable, deterministically ordered view of the report."""
        return {
            "n_articles": len(self.articles),
            "n_extracted": sum(1 for a in self.articles.values() if a.extracted),
            "entities": self.entities.to_dict(),
            "relations": self.relations.to_dict(),
            "articles": {k: self.articles[k].to_dict() for k in sorted(self.articles)},
            "ignored_articles": sorted(self.ignored_articles),
        }

    def format_text(self, *, details: bool = True) -> str:
        """Shortcut for :func:`format_text`."""
        return format_text(self, details=details)


# --------------------------------------------------------------------------------------------
# entity matching
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ent:
    index: int
    name: str
    type: str
    norm_name: str
    norms: frozenset[str]
    doubtful: bool = False


def _prep_gold_entities(doc: GoldDoc) -> list[_Ent]:
    out = []
    for i, e in enumerate(doc.entities):
        norms = frozenset(n for n in (normalize_name(x) for x in e.names) if n)
        out.append(_Ent(i, e.name, e.type, normalize_name(e.name), norms, e.doubtful))
    return out


def _prep_extracted_entities(rec: Mapping[str, Any]) -> list[_Ent]:
    out = []
    for raw in rec.get("entities") or []:
        if not isinstance(raw, Mapping):
            continue
        name = str(raw.get("name") or "")
        aliases = [str(a) for a in raw.get("aliases") or () if a]
        norms = frozenset(n for n in (normalize_name(x) for x in [name, *aliases]) if n)
        if not norms:
            continue
        out.append(_Ent(len(out), name, str(raw.get("type") or ""), normalize_name(name), norms))
    return out


class _GoldIndex:
    """Normalised name -> gold entity indices (name hits preferred over alias hits)."""

    def __init__(self, gold: list[_Ent]) -> None:
        self.gold = gold
        self.by_norm: dict[str, list[int]] = {}
        for g in gold:
            for n in sorted(g.norms):
                self.by_norm.setdefault(n, []).append(g.index)

    def candidates(self, norm: str) -> list[int]:
        return self.by_norm.get(norm, [])

    def resolve(self, norm: str) -> int | None:
        cands = self.candidates(norm)
        if not cands:
            return None
        return min(cands, key=lambda gi: (self.gold[gi].norm_name != norm, gi))


@dataclass(slots=True)
class _EntityMatch:
    pairs: dict[int, int]  # extracted index -> gold index
    candidates: dict[int, list[int]]  # extracted index -> gold indices hit by its names


def _match_entities(gold: list[_Ent], ext: list[_Ent], index: _GoldIndex) -> _EntityMatch:
    cands: list[tuple[tuple[Any, ...], int, int]] = []
    hits: dict[int, list[int]] = {}
    for x in ext:
        gis = sorted({gi for n in x.norms for gi in index.candidates(n)})
        hits[x.index] = gis
        for gi in gis:
            g = gold[gi]
            key = (
                x.norm_name != g.norm_name,
                x.type != g.type,
                g.doubtful,
                x.norm_name not in g.norms,
                g.norm_name not in x.norms,
                gi,
                x.index,
            )
            cands.append((key, gi, x.index))
    cands.sort()
    pairs: dict[int, int] = {}
    used_gold: set[int] = set()
    for _, gi, xi in cands:
        if xi in pairs or gi in used_gold:
            continue
        pairs[xi] = gi
        used_gold.add(gi)
    return _EntityMatch(pairs, hits)


def _bump(counts: dict[str, list[int]], key: str, slot: int) -> None:
    counts.setdefault(key, [0, 0, 0])[slot] += 1


_TP, _FP, _FN = 0, 1, 2


def _score_entities(
    gold: list[_Ent], ext: list[_Ent], m: _EntityMatch
) -> tuple[EntityScores, dict[str, tuple[Any, ...]]]:
    strict: dict[str, list[int]] = {}
    agn: dict[str, list[int]] = {}
    wrong: list[TypeMismatch] = []
    found_doubtful: list[EntityRef] = []
    for xi, gi in m.pairs.items():
        g, x = gold[gi], ext[xi]
        if g.doubtful:
            found_doubtful.append(EntityRef(g.name, g.type))
            continue
        _bump(agn, g.type, _TP)
        if g.type == x.type:
            _bump(strict, g.type, _TP)
        else:
            _bump(strict, x.type, _FP)
            _bump(strict, g.type, _FN)
            wrong.append(TypeMismatch(g.name, g.type, x.name, x.type))
    matched_gold = set(m.pairs.values())
    spurious: list[EntityRef] = []
    dups: list[DuplicateEntity] = []
    for x in ext:
        if x.index in m.pairs:
            continue
        hit = m.candidates.get(x.index, [])
        if any(gold[gi].doubtful for gi in hit):
            continue
        if hit:
            gi = next((gi for gi in hit if gi in matched_gold), hit[0])
            dups.append(DuplicateEntity(x.name, x.type, gold[gi].name))
        else:
            spurious.append(EntityRef(x.name, x.type))
        _bump(strict, x.type, _FP)
        _bump(agn, x.type, _FP)
    missed: list[EntityRef] = []
    for g in gold:
        if g.index in matched_gold or g.doubtful:
            continue
        missed.append(EntityRef(g.name, g.type))
        _bump(strict, g.type, _FN)
        _bump(agn, g.type, _FN)
    scores = EntityScores(_table(strict, _ENTITY_ROWS), _table(agn, _ENTITY_ROWS))
    lists = {
        "missed_entities": tuple(sorted(missed)),
        "spurious_entities": tuple(sorted(spurious)),
        "duplicate_entities": tuple(sorted(dups)),
        "wrong_type": tuple(sorted(wrong)),
        "doubtful_found": tuple(sorted(set(found_doubtful))),
    }
    return scores, lists


# --------------------------------------------------------------------------------------------
# relation matching
# --------------------------------------------------------------------------------------------

# An endpoint key: ("e", gold index) or ("l", normalised literal).
_Key = tuple[str, Any]


@dataclass(frozen=True, slots=True)
class _Rel:
    ref: RelationRef
    p: str
    s: _Key
    o: _Key
    doubtful: bool = False


def _lit(text: str) -> _Key:
    return ("l", normalize_name(text))


def _canonical(s: _Key, p: str, o: _Key) -> tuple[Any, ...]:
    if p in SYMMETRIC_PREDICATES:
        a, b = sorted([s, o])
        return (a, p, b)
    return (s, p, o)


def _dedupe(rels: Iterable[_Rel]) -> list[_Rel]:
    seen: set[tuple[Any, ...]] = set()
    out: list[_Rel] = []
    for r in rels:
        k = _canonical(r.s, r.p, r.o)
        if k in seen:
            continue
        seen.add(k)
        out.append(r)
    return out


def _gold_relations(doc: GoldDoc, gold: list[_Ent], index: _GoldIndex) -> list[_Rel]:
    def res(name: str) -> _Key:
        gi = index.resolve(normalize_name(name))
        return ("e", gi) if gi is not None else _lit(name)

    out = []
    for r in doc.relations:
        s = res(r.s)
        o = _lit(r.o) if r.p == METRIC else res(r.o)
        doubtful = any(k[0] == "e" and gold[k[1]].doubtful for k in (s, o))
        out.append(_Rel(RelationRef(r.s, r.p, r.o), r.p, s, o, doubtful))
    return _dedupe(out)


def _extracted_relations(
    rec: Mapping[str, Any], ext: list[_Ent], m: _EntityMatch, index: _GoldIndex
) -> list[_Rel]:
    by_norm: dict[str, list[int]] = {}
    for x in ext:
        for n in x.norms:
            by_norm.setdefault(n, []).append(x.index)

    def res(name: str) -> _Key:
        n = normalize_name(name)
        xs = by_norm.get(n, [])
        if xs:
            xi = min(xs, key=lambda i: (ext[i].norm_name != n, i not in m.pairs, i))
            if xi in m.pairs:
                return ("e", m.pairs[xi])
        gi = index.resolve(n)
        return ("e", gi) if gi is not None else ("l", n)

    out = []
    for raw in rec.get("relations") or []:
        if not isinstance(raw, Mapping):
            continue
        s_name, p, o_name = (str(raw.get(k) or "") for k in ("s", "p", "o"))
        if not p:
            continue
        s = res(s_name)
        o = _lit(o_name) if p == METRIC else res(o_name)
        out.append(_Rel(RelationRef(s_name, p, o_name), p, s, o))
    return _dedupe(out)


def _key_match(a: _Key, b: _Key, lenient: bool) -> int | None:
    """0 = equal, 1 = lenient literal containment, None = no match."""
    if a == b:
        return 0
    if lenient and a[0] == "l" and b[0] == "l" and a[1] and b[1]:
        if a[1] in b[1] or b[1] in a[1]:
            return 1
    return None


def _ends_quality(g: _Rel, x: _Rel, swapped: bool, lenient: bool) -> int | None:
    xs, xo = (x.o, x.s) if swapped else (x.s, x.o)
    qs = _key_match(g.s, xs, False)
    qo = _key_match(g.o, xo, lenient)
    if qs is None or qo is None:
        return None
    return max(qs, qo)


def _match_relations(gold: list[_Rel], ext: list[_Rel], labeled: bool) -> dict[int, int]:
    """Greedy one-to-one matching; returns extracted index -> gold index."""
    cands: list[tuple[tuple[Any, ...], int, int]] = []
    for gi, g in enumerate(gold):
        for xi, x in enumerate(ext):
            if labeled and g.p != x.p:
                continue
            lenient = g.p == METRIC and x.p == METRIC
            if labeled:
                swaps = (False, True) if g.p in SYMMETRIC_PREDICATES else (False,)
            else:
                swaps = (False, True)
            qs = [q for q in (_ends_quality(g, x, sw, lenient) for sw in swaps) if q is not None]
            if not qs:
                continue
            cands.append(((g.p != x.p, min(qs), gi, xi), gi, xi))
    cands.sort()
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, gi, xi in cands:
        if xi in pairs or gi in used:
            continue
        pairs[xi] = gi
        used.add(gi)
    return pairs


def _count_relations(
    gold: list[_Rel], ext: list[_Rel], pairs: dict[int, int], counts: dict[str, list[int]]
) -> tuple[list[RelationRef], list[RelationRef]]:
    matched_gold = set(pairs.values())
    for gi in pairs.values():
        _bump(counts, gold[gi].p, _TP)
    spurious = []
    for xi, x in enumerate(ext):
        if xi not in pairs:
            _bump(counts, x.p, _FP)
            spurious.append(x.ref)
    missed = []
    for gi, g in enumerate(gold):
        if gi not in matched_gold and not g.doubtful:
            _bump(counts, g.p, _FN)
            missed.append(g.ref)
    return missed, spurious


def _score_relations(
    gold: list[_Rel], ext: list[_Rel]
) -> tuple[RelationScores, dict[str, tuple[Any, ...]]]:
    labeled: dict[str, list[int]] = {}
    unlabeled: dict[str, list[int]] = {}
    missed: list[RelationRef] = []
    spurious: list[RelationRef] = []
    for want_metric in (False, True):
        g_part = [r for r in gold if (r.p == METRIC) == want_metric]
        x_part = [r for r in ext if (r.p == METRIC) == want_metric]
        lab = _match_relations(g_part, x_part, labeled=True)
        ms, sp = _count_relations(g_part, x_part, lab, labeled)
        missed += ms
        spurious += sp
        unl = lab if want_metric else _match_relations(g_part, x_part, labeled=False)
        _count_relations(g_part, x_part, unl, unlabeled)
    scores = RelationScores(_table(labeled, _RELATION_ROWS), _table(unlabeled, _RELATION_ROWS))
    lists = {
        "missed_relations": tuple(sorted(set(missed))),
        "spurious_relations": tuple(sorted(set(spurious))),
    }
    return scores, lists


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------


def _evaluate_article(doc: GoldDoc, rec: Mapping[str, Any] | None) -> ArticleEval:
    rec = rec or {}
    gold = _prep_gold_entities(doc)
    index = _GoldIndex(gold)
    ext = _prep_extracted_entities(rec)
    m = _match_entities(gold, ext, index)
    ent_scores, ent_lists = _score_entities(gold, ext, m)
    g_rels = _gold_relations(doc, gold, index)
    x_rels = _extracted_relations(rec, ext, m, index)
    rel_scores, rel_lists = _score_relations(g_rels, x_rels)
    return ArticleEval(
        article=doc.article,
        extracted=bool(rec),
        entities=ent_scores,
        relations=rel_scores,
        **ent_lists,
        **rel_lists,
    )


def evaluate(
    extracted: Mapping[str, Mapping[str, Any]],
    gold: Mapping[str, GoldDoc],
    articles: set[str] | None = None,
) -> EvalReport:
    """Score an extraction against gold annotations.

    Parameters
    ----------
    extracted
        Extraction records keyed by article file name (see :func:`load_extracted`).
    gold
        Gold documents keyed by article file name (see :func:`load_gold`).
    articles
        Restrict scoring to these article file names (default: every gold article). Articles
        absent from ``extracted`` count as entirely missed.

    Returns
    -------
    EvalReport
        Micro-averaged scores and per-article results.

    Raises
    ------
    ValueError
        When ``articles`` names an article that has no gold annotation.
    """
    names = set(gold) if articles is None else set(articles)
    unknown = sorted(names - set(gold))
    if unknown:
        raise ValueError(f"no gold annotation for: {', '.join(unknown)}")
    per_article = {a: _evaluate_article(gold[a], extracted.get(a)) for a in sorted(names)}
    ignored = tuple(sorted(set(extracted) - set(gold)))
    return EvalReport(
        entities=EntityScores.merge(a.entities for a in per_article.values()),
        relations=RelationScores.merge(a.relations for a in per_article.values()),
        articles=per_article,
        ignored_articles=ignored,
    )


# --------------------------------------------------------------------------------------------
# text report
# --------------------------------------------------------------------------------------------


def _fmt_ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def _score_cells(s: Score) -> list[str]:
    return [
        _fmt_ratio(s.tp, s.tp + s.fp),
        _fmt_ratio(s.tp, s.tp + s.fn),
        _fmt_ratio(2 * s.tp, 2 * s.tp + s.fp + s.fn),
        str(s.tp),
        str(s.fp),
        str(s.fn),
    ]


def _render_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0])]
        parts += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(r) for r in rows)]


_SCORE_HEAD = ["P", "R", "F1", "tp", "fp", "fn"]


def _entity_table(es: EntityScores, *, skip_empty: bool) -> list[str]:
    head = ["type", *(f"s.{h}" for h in _SCORE_HEAD), *(f"a.{h}" for h in _SCORE_HEAD)]
    rows = []
    for t in es.strict:
        st, ag = es.strict[t], es.agnostic.get(t, Score())
        if skip_empty and st == Score() and ag == Score():
            continue
        rows.append([t, *_score_cells(st), *_score_cells(ag)])
    rows.append(["CORE", *_score_cells(es.strict_core), *_score_cells(es.agnostic_core)])
    rows.append(["ALL", *_score_cells(es.strict_all), *_score_cells(es.agnostic_all)])
    return _render_table(head, rows)


def _relation_table(rs: RelationScores, *, skip_empty: bool) -> list[str]:
    head = ["predicate", *(f"l.{h}" for h in _SCORE_HEAD), *(f"u.{h}" for h in _SCORE_HEAD)]
    rows = []
    for p in rs.labeled:
        lab, unl = rs.labeled[p], rs.unlabeled.get(p, Score())
        if skip_empty and lab == Score() and unl == Score():
            continue
        rows.append([p, *_score_cells(lab), *_score_cells(unl)])
    rows.append(["OBJECT", *_score_cells(rs.labeled_object), *_score_cells(rs.unlabeled_object)])
    rows.append(["ALL+metric", *_score_cells(rs.labeled_all), *_score_cells(rs.unlabeled_all)])
    return _render_table(head, rows)


def _brief(label: str, s: Score) -> str:
    return f"{label} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}"


def format_text(report: EvalReport, *, details: bool = True) -> str:
    """Render a report as plain text.

    Parameters
    ----------
    report
        The result of :func:`evaluate`.
    details
        Also list, per article, missed / spurious / duplicate / wrong-type entities and missed /
        spurious relations.

    Returns
    -------
    str
        Aligned tables: entities per type (``s.`` strict, ``a.`` type-agnostic) with CORE and ALL
        totals; relations per predicate (``l.`` labeled, ``u.`` unlabeled) with OBJECT (without
        metric) and ALL+metric totals; then the per-article lists.
    """
    n = len(report.articles)
    n_ext = sum(1 for a in report.articles.values() if a.extracted)
    out = [f"Evaluated {n} article(s), {n_ext} with extraction output.", ""]
    if report.ignored_articles:
        out += [f"Not scored (no gold): {', '.join(report.ignored_articles)}", ""]
    out.append("Entities (s. = strict, a. = type-agnostic; doubtful gold entities excluded)")
    out += _entity_table(report.entities, skip_empty=False)
    out += ["", "Relations (l. = labeled, u. = unlabeled; OBJECT = without metric)"]
    out += _relation_table(report.relations, skip_empty=False)
    if details:
        for name in sorted(report.articles):
            a = report.articles[name]
            out += ["", f"== {name}" + ("" if a.extracted else " (no extraction output)")]
            out.append(
                "  "
                + "; ".join(
                    [
                        _brief("entities strict", a.entities.strict_all),
                        _brief("agnostic", a.entities.agnostic_all),
                    ]
                )
            )
            out.append(
                "  "
                + "; ".join(
                    [
                        _brief("relations labeled", a.relations.labeled_all),
                        _brief("unlabeled", a.relations.unlabeled_all),
                    ]
                )
            )
            sections: list[tuple[str, list[str]]] = [
                ("missed entities", [f"{e.name} [{e.type}]" for e in a.missed_entities]),
                ("spurious entities", [f"{e.name} [{e.type}]" for e in a.spurious_entities]),
                (
                    "duplicate entities",
                    [f"{d.name} [{d.type}] = {d.gold_name}" for d in a.duplicate_entities],
                ),
                (
                    "wrong type",
                    [
                        f"{w.extracted_name} [{w.extracted_type}] gold {w.gold_name} "
                        f"[{w.gold_type}]"
                        for w in a.wrong_type
                    ],
                ),
                ("missed relations", [str(r) for r in a.missed_relations]),
                ("spurious relations", [str(r) for r in a.spurious_relations]),
            ]
            for title, items in sections:
                if not items:
                    continue
                out.append(f"  {title} ({len(items)}):")
                out += [f"    {it}" for it in items]
    return "\n".join(out) + "\n"
