"""Typed records that flow through the pipeline.

Offsets
-------
Every record that points into text carries *original* character offsets: indexes into the
decoded text of the source file (``str`` indexes, not bytes), half-open ``[start, end)``.
Normalised text lives only inside :class:`Page`; :meth:`Page.to_original` maps a normalised span
back to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

_T = TypeVar("_T")


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a frozen slotted record as its class and field values (unpickling calls the
    constructor). The dataclass default asks :func:`dataclasses.fields` again for every object
    it restores, which made reading the extraction cache 2.5× slower."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, n) for n in names)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls

#: Entity types of the ontology (local names of ``kg:`` classes).
ENTITY_TYPES: tuple[str, ...] = (
    "Enterprise",
    "University",
    "ResearchInstitute",
    "GovernmentBody",
    "Platform",
    "Fund",
    "FinancialInstitution",
    "Person",
    "Event",
    "Program",
    "Award",
    "Place",
    "Industry",
    "Media",
)

#: The core types scored together by ``kg eval``.
CORE_TYPES: tuple[str, ...] = ENTITY_TYPES[:8]

#: Organisation types (subclasses of ``kg:Organization``).
ORG_TYPES: frozenset[str] = frozenset(CORE_TYPES[:7]) | {"Media"}

#: Relation predicates of the ontology (local names of ``kg:`` object properties).
PREDICATES: tuple[str, ...] = (
    "cofounded",
    "founded",
    "locatedIn",
    "investedIn",
    "incubatedBy",
    "cooperatesWith",
    "signedAgreementWith",
    "introducedBy",
    "subOrganizationOf",
    "holdsPost",
    "hasAward",
    "participatedIn",
    "supports",
    "servesClient",
    "focusIndustry",
    "partOfProgram",
    "supplies",
)

#: Predicates whose two ends are interchangeable.
SYMMETRIC_PREDICATES: frozenset[str] = frozenset(
    {"cooperatesWith", "signedAgreementWith", "cofounded"}
)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article: normalised text and its span in the page's normalised text."""

    index: int
    text: str
    nstart: int
    nend: int


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One article of a page (a page holds several)."""

    page: str  # file name of the page, e.g. "000_76c65054079745a2.txt"
    index: int  # 0-based position on the page
    title: str
    bylines: tuple[tuple[str, str], ...]  # (role word, person name), e.g. ("记者", "王小明")
    nstart: int  # span of the whole article (title included) in normalised page text
    nend: int
    sentences: tuple[Sentence, ...]

    @property
    def id(self) -> str:
        stem = self.page.rsplit(".", 1)[0]
        return f"{stem}-a{self.index:02d}"


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Page:
    """A decoded, normalised source file and its articles."""

    name: str  # file name
    original: str  # decoded original text
    text: str  # normalised text
    offsets: tuple[int, ...]  # offsets[i] = original index of normalised char i; len(text)+1 items
    encoding: str
    articles: tuple[Article, ...] = ()

    def to_original(self, nstart: int, nend: int) -> tuple[int, int]:
        """Map a normalised half-open span to the original file's half-open span."""
        if nend <= nstart:
            o = self.offsets[nstart]
            return o, o
        return self.offsets[nstart], self.offsets[nend - 1] + 1


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity name in the text."""

    text: str  # normalised surface form
    type: str  # ontology class local name
    start: int  # original offsets
    end: int
    article: str  # Article.id
    sentence: int  # Sentence.index within the article
    rule: str  # which rule found it
    parts: tuple[tuple[str, str], ...] = ()  # anatomy, e.g. (("place","浙江"),("trade","天极"))


@dataclass(slots=True)
class Entity:
    """A resolved real-world thing with all its names."""

    key: str  # stable identity key (used to mint the IRI)
    name: str  # canonical (fullest) name
    type: str
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)  # anatomy of the canonical name
    merged_by: list[tuple[str, str]] = field(default_factory=list)  # (alias, rule) explanations


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Relation:
    """A relation assertion with its evidence.

    ``s`` and ``o`` are entity keys (or, for literal-valued facts, ``o`` is the literal and
    ``literal`` is True).
    """

    s: str
    p: str
    o: str
    article: str  # Article.id
    sentence: int
    evidence: str  # normalised sentence text (or the clause)
    start: int  # original offsets of the evidence
    end: int
    rule: str
    confidence: float
    literal: bool = False
    qualifiers: tuple[tuple[str, str], ...] = ()  # e.g. (("year","2021"),("role","局长"))
