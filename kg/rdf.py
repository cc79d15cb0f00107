"""RDF: the one place that mints IRIs and turns resolved records into named graphs.

Modelling (see ``docs/modelling.md``):

* each entity is ``id/entity/<Type>/<name>`` with ``rdf:type kg:<Type>``, ``rdfs:label`` and
  ``skos:prefLabel`` (``@zh``), every other surface form as ``skos:altLabel`` and the anatomy
  of an organisation name (``kg:tradeName`` …); entity descriptions live in the graph
  ``id/graph/entities``;
* each article is ``id/article/<page>/<n>`` (a ``kg:Article``/``prov:Entity``) with its title,
  source file, offsets and date, in its own named graph ``id/graph/<page>/<n>``;
* each relation is asserted twice in the article's graph: as the plain triple ``s p o`` (for
  simple SPARQL) and as a reified ``kg:Assertion`` carrying the evidence sentence, its
  original-file offsets, the rule, a confidence and ``kg:assertedIn`` the article.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.plugins.serializers.nt import _quoteLiteral

from .model import Article, Entity, Relation  # noqa: F401 (Relation used in annotations)
from .vocab import ID, KG

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
KGM = Namespace("https://w3id.org/pinghu-kg/measures#")

PREFIXES = {
    "kg": KG._NS,
    "id": ID,
    "rdfs": RDFS,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "xsd": XSD,
}

_UNSAFE = re.compile(r"[^0-9A-Za-z\-._~\u3400-\u9fff\uf900-\ufaff]")


def slug(text: str) -> str:
    """IRI-safe segment: keeps ASCII word characters and CJK, percent-encodes the rest."""
    out = []
    for ch in text:
        out.append(quote(ch, safe="") if _UNSAFE.match(ch) else ch)
    s = "".join(out)
    return s or "_"


def entity_iri(ent: Entity) -> URIRef:
    return ID[f"entity/{ent.type}/{slug(ent.name)}"]


@functools.lru_cache(maxsize=1 << 17)
def article_iri(article_id: str) -> URIRef:
    page, _, n = article_id.rpartition("-a")
    return ID[f"article/{slug(page)}/{int(n)}"]


@functools.lru_cache(maxsize=1 << 17)
def graph_iri(article_id: str) -> URIRef:
    page, _, n = article_id.rpartition("-a")
    return ID[f"graph/{slug(page)}/{int(n)}"]


ENTITIES_GRAPH = ID["graph/entities"]
#: Named graph of network measures written by ``kg analyze``.
MEASURES_GRAPH = ID["graph/measures"]


def assertion_iri(rel: Relation) -> URIRef:
    h = hashlib.sha1(
        "\x1f".join([rel.article, rel.s, rel.p, rel.o, str(rel.start), str(rel.end)]).encode()
    ).hexdigest()[:16]
    return ID[f"assertion/{h}"]


@functools.lru_cache(maxsize=256)
def term(name: str) -> URIRef:
    """The ontology class or property with this local name, looked up once (a
    :class:`~kg.vocab.KG` lookup checks the name: raises on unknown names)."""
    return getattr(KG, name)


@dataclass(frozen=True)
class ArticleMeta:
    article: Article
    date: str  # YYYY or YYYY-MM-DD
    basis: str
    start: int
    end: int


def _date_literal(date: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return Literal(date, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", date):
        return Literal(date, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", date):
        return Literal(date, datatype=XSD.gYear)
    return Literal("0001", datatype=XSD.gYear)


def shard_key(graph: str) -> str:
    """The file-safe name of a named graph's shard (``graph_p_0`` for ``…/id/graph/p/0``);
    ``""``, the default graph, is ``default``."""
    name = graph.split("/id/", 1)[-1] if graph else ""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", name) or "default"


class Shards(Mapping[str, str]):
    """Sorted N-Quads split by named graph, keyed by :func:`shard_key` in sorted order:
    ``shards[key]`` is the graph's N-Quads text (joined when asked for), :meth:`lines` its
    number of statements. The rows are shared with the whole text, not copied.

    A shard can also be kept elsewhere (:meth:`with_kept`: a graph an earlier build made the
    same): its text is read when first asked for, its number of statements is known, and it
    is kept whole until its rows are needed (splitting and joining the 735,000 lines of the
    entities graph again cost SHACL 0.75 s of an added article at 10,000)."""

    def __init__(self, rows: dict[str, list[str]], graphs: Mapping[str, str] | None = None) -> None:
        self._rows = dict(sorted(rows.items()))
        self._keys = dict(graphs or {})  # graph IRI ("" the default graph) -> shard key
        self._kept: dict[str, tuple[int, Callable[[], str]]] = {}
        self._text: dict[str, tuple[int, str]] = {}  # kept shards read: statements, text

    def with_kept(self, kept: Mapping[str, tuple[str, int, Callable[[], str]]]) -> Shards:
        """These shards and the graphs in ``kept`` (graph IRI -> (shard key, statements, a
        function that reads its text)) that they lack."""
        out = Shards({}, self._keys)
        out._rows = dict(self._rows)
        out._kept = dict(self._kept)
        out._text = dict(self._text)
        for iri, (key, lines, read) in kept.items():
            if key not in out._rows and key not in out._kept:
                out._kept[key] = (lines, read)
                out._keys[iri] = key
        if out._kept:
            out._rows = dict(sorted({**out._rows, **dict.fromkeys(out._kept, [])}.items()))
        return out

    def loaded(self, key: str) -> bool:
        """Is the shard's text in memory (not only kept elsewhere, unread)?"""
        return key not in self._kept

    def _rows_of(self, key: str) -> list[str]:
        if key in self._kept or key in self._text:
            text = self._whole(key)
            del self._text[key]
            self._rows[key] = [f"{ln}\n" for ln in text.split("\n")[:-1]]
        return self._rows[key]

    def _whole(self, key: str) -> str:
        """The text of a kept shard, read once."""
        kept = self._kept.pop(key, None)
        if kept is not None:
            text = kept[1]()
            if not text.endswith("\n"):  # (as its rows would give it)
                text = "".join(f"{ln}\n" for ln in text.split("\n")[:-1])
            self._text[key] = (kept[0], text)
        return self._text[key][1]

    @property
    def graphs(self) -> frozenset[str]:
        """The IRIs of the graphs the statements are in (``""``: the default graph)."""
        return frozenset(self._keys)

    @property
    def graph_keys(self) -> dict[str, str]:
        """Graph IRI (``""``: the default graph) -> shard key, when the graphs are known."""
        return dict(self._keys)

    def nquads(self) -> str:
        """All the statements as one sorted N-Quads text (what :meth:`QuadSink.finish`
        gives beside the shards)."""
        every = [r for key in list(self._rows) for r in self._rows_of(key)]
        every.sort()  # sorted runs, one per graph: the sort merges them
        return "".join(every)

    def __contains__(self, key: object) -> bool:
        return key in self._rows  # (the Mapping default would join the graph's text)

    def by_graph(self) -> list[str] | None:
        """The keys in the order of their graphs' N-Quads terms (``<iri>``, as
        :func:`trig_of` writes them); ``None`` when that order is not known (the graphs are
        not known, a shard holds two graphs, or the default graph has statements)."""
        keys = set(self._keys.values())
        if "" in self._keys or len(keys) != len(self._keys) or keys != set(self._rows):
            return None
        return [self._keys[g] for g in sorted(self._keys, key=lambda g: f"<{g}>")]

    def __getitem__(self, key: str) -> str:
        if key in self._kept or key in self._text:
            return self._whole(key)
        return "".join(self._rows_of(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def lines(self, key: str) -> int:
        """The number of statements in shard ``key``."""
        kept = self._kept.get(key) or self._text.get(key)
        return kept[0] if kept is not None else len(self._rows[key])


class QuadSink:
    """Collects quads as N-Quads lines without building an indexed graph: the same
    statements as :func:`build_dataset`, at a fraction of the cost for large corpora.

    Rows are formatted by rdflib's own N-Quads row writer, so :meth:`finish` gives N-Quads
    byte-identical to :func:`serialize_sorted_nquads` of the equivalent dataset. They are kept
    graph by graph, so that :meth:`finish` also gives the :class:`Shards` without parsing.
    """

    class _Graph:
        def __init__(self, rows: list[str], name: URIRef, key: str) -> None:
            self._rows = rows
            self._name = _n3(name)
            self.key = key

        def add(self, triple: tuple[Any, Any, Any]) -> None:
            s, p, o = triple
            obj = _nt_literal(o) if type(o) is Literal else _n3(o)
            self._rows.append(f"{_n3(s)} {_n3(p)} {obj} {self._name} .\n")

    def __init__(self) -> None:
        self._rows: dict[str, list[str]] = {}  # shard key -> rows
        self._graphs: dict[URIRef, QuadSink._Graph] = {}

    def bind(self, prefix: str, ns: Any) -> None:  # a dataset's API; nothing to do
        pass

    def graph(self, name: URIRef) -> QuadSink._Graph:
        g = self._graphs.get(name)
        if g is None:
            key = shard_key(str(name))
            rows = self._rows.setdefault(key, [])
            g = self._graphs[name] = QuadSink._Graph(rows, name, key)
        return g

    def finish(self, whole: bool = True) -> tuple[str, Shards]:
        """The sorted N-Quads without repeats, and the same rows by graph (the sink is
        emptied). ``whole=False``: only the shards (the text is ``""``)."""
        by_key: dict[str, list[str]] = {}
        for key, rows in self._rows.items():
            if not rows:
                continue  # a graph asked for but given nothing is not in the N-Quads
            rows.sort()  # a repeat can only be in its own graph: dropped here
            by_key[key] = [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]
        graphs = {str(n): g.key for n, g in self._graphs.items() if g.key in by_key}
        self._rows, self._graphs = {}, {}
        shards = Shards(by_key, graphs)
        return (shards.nquads() if whole else ""), shards


@functools.lru_cache(maxsize=1 << 16)
def _n3(term: Any) -> str:
    """``term.n3()`` (IRIs and blank nodes recur thousands of times: computed once each)."""
    return term.n3()


@functools.lru_cache(maxsize=1 << 16)
def _nt_literal(lit: Literal) -> str:
    """rdflib's N-Triples form of a literal (equal literals: same lexical form, language and
    datatype, so the same text)."""
    return _quoteLiteral(lit)


# Literals that recur across statements (rule names, offsets, years, confidences, the evidence
# sentence of several facts), made once each. Keyed by text or int, never by Decimal (1.0 == 1).
@functools.lru_cache(maxsize=1 << 16)
def _plain(text: str) -> Literal:
    return Literal(text)


@functools.lru_cache(maxsize=1 << 16)
def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


@functools.lru_cache(maxsize=1 << 16)
def _integer(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


@functools.lru_cache(maxsize=1 << 10)
def _year(year: str) -> Literal:
    return Literal(year, datatype=XSD.gYear)


@functools.lru_cache(maxsize=1 << 10)
def _decimal(text: str) -> Literal:
    return Literal(Decimal(text), datatype=XSD.decimal)


def build_quads(
    entities: Iterable[Entity],
    relations: Iterable[Relation],
    articles: Iterable[ArticleMeta],
) -> str:
    """Sorted N-Quads of the dataset, without building it in memory (see :class:`QuadSink`)."""
    return build_sharded_quads(entities, relations, articles)[0]


def build_sharded_quads(
    entities: Iterable[Entity],
    relations: Iterable[Relation],
    articles: Iterable[ArticleMeta],
    whole: bool = True,
    inputs: GraphInputs | None = None,
) -> tuple[str, Shards]:
    """:func:`build_quads` and the same statements by named graph (``whole=False``: only
    by graph; the text is ``""``). ``inputs``: see :func:`build_dataset` (the graphs it
    passes over are not in the shards)."""
    sink = QuadSink()
    build_dataset(entities, relations, articles, into=sink, inputs=inputs)
    return sink.finish(whole)


def _inputs_salt() -> bytes:
    """What an article graph's statements are made from is hashed (:class:`GraphInputs`)
    with the code of this module and of :mod:`kg.vocab` as they were imported (read once, at
    import: a file edited while a build runs does not count) and rdflib's version."""
    from importlib.metadata import version

    here = Path(__file__).parent
    h = hashlib.sha256((here / "rdf.py").read_bytes())
    h.update((here / "vocab.py").read_bytes())  # the namespaces of every term
    h.update(version("rdflib").encode())
    return h.digest()


_INPUTS_SALT = _inputs_salt()


@dataclass
class GraphInputs:
    """The inputs of each article graph, hashed, so that a build can pass over the article
    graphs whose inputs are those of an earlier build (their statements are the same).

    ``known``: graph IRI -> the digest of its inputs in the earlier build (whose statements
    the caller keeps); after :func:`build_dataset`, ``digests`` holds this build's digest of
    every article graph and ``passed`` the IRIs of those not written (the same digest as
    ``known``)."""

    known: Mapping[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    passed: set[str] = field(default_factory=set)


#: a fact as written: the record, its assertion's IRI (``None`` until needed: a SHA-1), the IRIs
#: of its subject and object (or the literal) as written, and its time
_Written = tuple[Relation, "URIRef | None", URIRef, Any, "FactTime"]


class _NoGraph:
    """A graph that drops what it is given (an article graph passed over)."""

    def add(self, triple: tuple[Any, Any, Any]) -> None:
        pass


def entity_iris(entities: Iterable[Entity]) -> dict[str, URIRef]:
    """Each entity's IRI by key: :func:`entity_iri`, with ``-2``, ``-3`` … after the first
    of a clash (in key order)."""
    iri_of: dict[str, URIRef] = {}
    used: set[URIRef] = set()
    for e in sorted(entities, key=lambda e: e.key):
        iri = entity_iri(e)
        n = 2
        while iri in used:
            iri = URIRef(f"{entity_iri(e)}-{n}")
            n += 1
        used.add(iri)
        iri_of[e.key] = iri
    return iri_of


class MixedRecord(Exception):
    """A partial build (:func:`build_partial`) met an n-ary record reported both in an
    article it writes and in one it does not."""


@dataclass
class Partial:
    """What :func:`build_dataset` writes in a partial build: the entities' IRIs (of every
    entity), the subjects whose entities-graph statements are kept (filtered by the caller)
    and the articles whose graphs are written."""

    iris: Mapping[str, URIRef]
    articles: Collection[str]


def build_partial(
    entities: Iterable[Entity],
    relations: Iterable[Relation],
    articles: Iterable[ArticleMeta],
    iris: Mapping[str, URIRef],
    written: Collection[str],
) -> tuple[list[str], Shards, dict[str, str]]:
    """The statements of a build that only ``entities`` and the article graphs of
    ``written`` (article ids) changed: the entities graph's lines of those entities (sorted;
    ``relations`` must hold every fact that names one of them, at an end or as an actor), the
    written articles' graphs by shard, and their inputs' digests (:class:`GraphInputs`), as
    :func:`build_sharded_quads` of the whole makes them. ``iris``: every entity's IRI
    (:func:`entity_iris`). Raises :class:`MixedRecord` when a shared record of a written
    article is also reported in another."""
    ents = list(entities)
    keep = {f"{_n3(iris[e.key])} " for e in ents}
    sink = QuadSink()
    inputs = GraphInputs()
    build_dataset(ents, relations, articles, into=sink, inputs=inputs,
                  partial=Partial(iris, set(written)))
    _, shards = sink.finish(whole=False)
    ent_key = shard_key(str(ENTITIES_GRAPH))
    lines = [ln for ln in (shards._rows.pop(ent_key, None) or [])
             if ln[: ln.index(" ") + 1] in keep]
    shards._keys = {g: k for g, k in shards._keys.items() if k != ent_key}
    digests = {str(graph_iri(a)): inputs.digests[str(graph_iri(a))] for a in written
               if str(graph_iri(a)) in inputs.digests}
    return lines, shards, digests


def build_dataset(
    entities: Iterable[Entity],
    relations: Iterable[Relation],
    articles: Iterable[ArticleMeta],
    into: Any = None,
    inputs: GraphInputs | None = None,
    partial: Partial | None = None,
) -> Dataset:
    """Build the dataset (one named graph per article plus the entities graph).

    ``into``: write the statements into this dataset-like object (e.g. a :class:`QuadSink`)
    instead of a new in-memory :class:`rdflib.Dataset`; it is returned. ``inputs``: hash what
    each article graph is made from (its article, its facts with the IRIs of their ends, the
    records they share with other articles) and leave out the article graphs whose hash is the
    one ``inputs.known`` gives (:class:`GraphInputs`); the entities graph is always written."""
    ds = Dataset() if into is None else into
    for k, v in PREFIXES.items():
        ds.bind(k, v)
        ds.bind(k, v)
    ents = sorted(entities, key=lambda e: e.key)
    iri_of = dict(partial.iris) if partial is not None else entity_iris(ents)
    eg = ds.graph(ENTITIES_GRAPH)
    name_parts = (
        ("place", KG.placeName),
        ("trade", KG.tradeName),
        ("industry", KG.industryWord),
        ("legal", KG.legalForm),
        ("suffix", KG.orgSuffix),
    )
    merge_rule = KG.mergeRule
    for e in ents:
        iri = iri_of[e.key]
        eg.add((iri, RDF.type, term(e.type)))
        eg.add((iri, RDFS.label, _zh(e.name)))
        eg.add((iri, SKOS.prefLabel, _zh(e.name)))
        for a in sorted(e.aliases):
            if a != e.name:
                eg.add((iri, SKOS.altLabel, _zh(a)))
        if e.parts:
            for part, prop in name_parts:
                if part in e.parts:
                    eg.add((iri, prop, _plain(e.parts[part])))
        for alias, rule in e.merged_by:
            eg.add((iri, merge_rule, _plain(f"{alias} ← {rule}")))
        if e.type == "Person" and e.mentions and all(
            m.rule.startswith("person:byline") for m in e.mentions
        ):
            eg.add((iri, KG.newsStaff, Literal(True)))  # named only in bylines and credits
        for art in sorted({m.article for m in e.mentions}):
            eg.add((iri, PROV.wasDerivedFrom, article_iri(art)))
    metas = {m.article.id: m for m in articles}
    start_offset, end_offset = KG.startOffset, KG.endOffset
    # the terms of the loop below, looked up once (a DefinedNamespace lookup checks the name)
    metric, assertion, asserted_in, evidence = KG.metric, KG.Assertion, KG.assertedIn, KG.evidence
    sentence_index, rule, confidence, role = KG.sentenceIndex, KG.rule, KG.confidence, KG.role
    kg_year, time_basis = KG.year, KG.timeBasis
    kg_scope, jurisdiction = KG.scope, KG.jurisdiction
    rdf_type, rdf_subject, rdf_predicate = RDF.type, RDF.subject, RDF.predicate
    rdf_object = RDF.object
    key_figure, about, figure_text = KG.KeyFigure, KG.about, KG.figureText
    # first what every fact is (its ends, scope, time), then the statements: an article graph
    # passed over (inputs) is known only once the records shared across articles are
    written: list[_Written] = []
    scopes: list[list[tuple[URIRef, Any]]] = []
    for r in sorted(relations, key=lambda r: (r.article, r.start, r.s, r.p, r.o)):
        if r.s not in iri_of or (not r.literal and r.o not in iri_of) or r.article not in metas:
            continue  # a fact that cannot say where it came from does not go in
        s = iri_of[r.s]
        o = _plain(r.o) if r.literal else iri_of[r.o]
        scope: list[tuple[URIRef, Any]] = []  # (government body, place it acted for)
        for q, v in r.qualifiers:
            # a place that acts: its government is the actor, the place the scope (resolve.py)
            if q == "s_actor" and v in iri_of:
                s = iri_of[v]
                scope.append((s, iri_of[r.s]))
            elif q == "o_actor" and v in iri_of:
                o = iri_of[v]
                scope.append((o, iri_of[r.o]))
        for body, place in scope:
            eg.add((body, jurisdiction, place))
        # the assertion's IRI (a SHA-1) when a record needs it now, else when it is written
        st = assertion_iri(r) if r.p in _RECORDS and not r.literal else None
        written.append((r, st, s, o, fact_time(r.qualifiers, metas[r.article].date)))
        scopes.append(scope)
    groups = _record_groups(written)
    skip: set[str] = set()
    if partial is not None:
        skip = set(metas) - set(partial.articles)
        for grp in groups.values():
            inside = {it[0].article in skip for it in grp.items}
            if len(inside) > 1:
                raise MixedRecord("a record reported in a written article and another")
    if inputs is not None:  # (a partial build hashes the articles it writes only)
        passed = _passed_over(inputs, metas, written, scopes, groups,
                              None if partial is None else set(metas) - skip)
        skip = skip if partial is not None else passed
    graphs: dict[str, Any] = {}

    def graph(aid: str) -> Any:
        g = graphs.get(aid)
        if g is None:
            g = graphs[aid] = _NoGraph() if aid in skip else ds.graph(graph_iri(aid))
        return g

    for aid, meta in sorted(metas.items()):
        if aid in skip:
            continue  # (its graph is not written: a partial build's metas are mostly these)
        g = graph(aid)
        a = article_iri(aid)
        g.add((a, RDF.type, KG.Article))
        g.add((a, DCTERMS.title, _zh(meta.article.title or aid)))
        g.add((a, KG.sourceFile, _plain(meta.article.page)))
        g.add((a, start_offset, _integer(meta.start)))
        g.add((a, end_offset, _integer(meta.end)))
        g.add((a, SCHEMA.datePublished, _date_literal(meta.date)))
        g.add((a, KG.dateBasis, _plain(meta.basis)))
    for (r, st, s, o, when), scope in zip(written, scopes, strict=True):
        g = graph(r.article)
        if g.__class__ is _NoGraph:
            continue
        if st is None:
            st = assertion_iri(r)
        p = metric if r.p == "metric" else term(r.p)
        if r.p == "metric":
            fig = ID[f"figure/{st.rsplit('/', 1)[1]}"]
            g.add((s, metric, fig))
            g.add((fig, rdf_type, key_figure))
            g.add((fig, about, s))
            g.add((fig, figure_text, _plain(r.o)))
            _add_amounts(g, fig, r.qualifiers)
        else:
            g.add((s, p, o))
        g.add((st, rdf_type, assertion))
        g.add((st, rdf_subject, s))
        g.add((st, rdf_predicate, p))
        g.add((st, rdf_object, o))
        g.add((st, asserted_in, article_iri(r.article)))
        g.add((st, evidence, _plain(r.evidence)))
        g.add((st, start_offset, _integer(r.start)))
        g.add((st, end_offset, _integer(r.end)))
        g.add((st, sentence_index, _integer(r.sentence)))
        g.add((st, rule, _plain(r.rule)))
        g.add((st, confidence, _decimal(str(round(r.confidence, 2)))))
        for q, v in r.qualifiers:
            if q == "role":
                g.add((st, role, _zh(v)))
        for _, place in scope:
            g.add((st, kg_scope, place))
        if when.year:
            g.add((st, kg_year, _year(when.year)))
            g.add((st, time_basis, _plain(when.basis)))
    _add_records(graph, groups)
    _add_event_dates(eg, [e for e in ents if e.type == "Event"], iri_of, written, metas)
    return ds


def _passed_over(
    inputs: GraphInputs,
    metas: Mapping[str, ArticleMeta],
    written: list[_Written],
    scopes: list[list[tuple[URIRef, Any]]],
    groups: dict[URIRef, _RecordGroup],
    only: Collection[str] | None = None,
) -> set[str]:
    """Hash the inputs of every article graph (``only``: of those articles) into
    ``inputs.digests`` (by graph IRI) and return the articles whose hash is the one
    ``inputs.known`` gives: everything their statements are written from goes in (the article,
    each fact with the IRIs of its ends, its scope and time, each shared record's IRI and what
    it takes from other articles)."""
    parts: dict[str, list[Any]] = {
        aid: [(m.article.title, m.article.page, m.start, m.end, m.date, m.basis)]
        for aid, m in metas.items() if only is None or aid in only
    }
    for (r, _, s, o, when), scope in zip(written, scopes, strict=True):
        lst = parts.get(r.article)
        if lst is not None:  # (the assertion's IRI is made of the keys, p and offsets)
            lst.append((
                r.p, r.s, r.o, str(s), str(o), r.literal, r.evidence, r.start, r.end,
                r.sentence, r.rule, str(round(r.confidence, 2)), r.qualifiers,
                tuple(map(str, scope)), when,
            ))
    for ev, grp in groups.items():
        for r, st, _, _, _ in grp.items:
            lst = parts.get(r.article)
            if lst is not None:
                lst.append((str(ev), str(st), grp.when, grp.money, tuple(grp.rounds)))
    salt = _INPUTS_SALT
    skip = set()
    inputs.digests.clear()
    inputs.passed.clear()
    for aid, lst in parts.items():
        iri = str(graph_iri(aid))
        h = hashlib.sha256(salt)
        h.update(repr(lst).encode("utf-8"))
        d = inputs.digests[iri] = h.hexdigest()
        if inputs.known.get(iri) == d:
            skip.add(aid)
            inputs.passed.add(iri)
    return skip


def _add_event_dates(
    eg: Any,
    events: list[Entity],
    iri_of: Mapping[str, URIRef],
    written: list[_Written],
    metas: Mapping[str, ArticleMeta],
) -> None:
    """An event's date (``schema:startDate``, with ``kg:year`` and ``kg:timeBasis``): the time
    its facts' sentences state (the extraction's record of them: 3月27日，A出席某仪式), the
    best basis first (stated, then relative, then publication) and the earliest report among
    equals; an event with no dated fact takes the publication date of the first article that
    names it. Nothing is parsed here."""
    best: dict[URIRef, tuple[int, str, int, FactTime]] = {}
    ids = {iri_of[e.key] for e in events}
    for r, _, s, o, when in written:
        if not when.year:
            continue
        for end in (s, o):
            if end in ids:
                cand = (_BASIS_RANK[when.basis], r.article, r.sentence, when)
                if end not in best or cand[:3] < best[end][:3]:
                    best[end] = cand
    for e in events:
        iri = iri_of[e.key]
        if iri in best:
            when = best[iri][3]
        else:
            arts = sorted(m.article for m in e.mentions if m.article in metas)
            date = metas[arts[0]].date if arts else ""
            if not re.match(r"\d{4}", date):
                continue
            when = FactTime(date[:4], date, "publication")
        eg.add((iri, SCHEMA.startDate, _date_literal(when.date or when.year)))
        eg.add((iri, KG.year, _year(when.year)))
        eg.add((iri, KG.timeBasis, _plain(when.basis)))


class FactTime(NamedTuple):
    """When a fact holds: ``year`` (``""`` if unknown), ``date`` (``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``) and where they come from: ``stated``, ``relative`` or ``publication``."""

    year: str
    date: str
    basis: str


_BASIS_RANK = {"stated": 0, "relative": 1, "publication": 2, "": 3}


@functools.lru_cache(maxsize=1 << 12)
def fact_time(qualifiers: tuple[tuple[str, str], ...], article_date: str) -> FactTime:
    """The time of a fact from its extraction record: the year (and month, day) its sentence
    states ("stated"), 今年/去年 as an offset from the article's year ("relative"), else the
    article's publication year ("publication"); nothing is parsed here."""
    q = dict(qualifiers)
    pub = article_date[:4] if re.match(r"\d{4}", article_date or "") else ""
    if "year" in q:
        year, basis = q["year"], "stated"
    elif "year_offset" in q and pub:
        year, basis = f"{int(pub) + int(q['year_offset']):04d}", "relative"
    elif pub:
        return FactTime(pub, article_date if article_date != "unknown" else pub, "publication")
    else:
        return FactTime("", "", "")
    date = year
    if "month" in q:
        date += f"-{int(q['month']):02d}"
        if "day" in q:
            date += f"-{int(q['day']):02d}"
    while "-" in date and not valid_date(date):  # 2月30日: the month holds, not the day
        date = date.rsplit("-", 1)[0]
    return FactTime(year, date, basis)


def valid_date(text: str) -> bool:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` naming a day that exists.

    >>> [valid_date(d) for d in ("2024-02-29", "2023-02-29", "2023-13", "2023")]
    [True, False, False, True]
    """
    import datetime

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        return False
    y, mo, d = (int(g) if g else 1 for g in m.groups())
    try:
        datetime.date(y, mo, d)
    except ValueError:
        return False
    return y >= 1


_RECORDS = {
    # predicate: (class, subject role, object role, IRI segment, one record across articles)
    "holdsPost": ("Post", "person", "organization", "post", False),
    "investedIn": ("Investment", "investor", "investee", "investment", True),
    "signedAgreementWith": ("Agreement", "party", "party", "agreement", True),
    "hasAward": ("AwardGrant", "recipient", "award", "award-grant", True),
}
#: The predicates whose reports in several articles make one record (their graphs share it).
SHARED_RECORDS = frozenset(p for p, spec in _RECORDS.items() if spec[4])


@dataclass
class _RecordGroup:
    """The reports of one n-ary record and what they share: the year of the best basis,
    the first stated amount, every round."""

    items: list[_Written]
    when: FactTime
    money: tuple[tuple[str, str], ...]
    rounds: list[str]


def _record_groups(
    written: list[_Written],
) -> dict[URIRef, _RecordGroup]:
    """Facts whose plain edge loses meaning become n-ary records (a post held, an investment,
    an agreement, an award granted): their reports by record IRI (see :func:`_add_records`)."""
    by_iri: dict[URIRef, list[_Written]] = {}
    for item in written:
        r, st, s, o, when = item
        spec = _RECORDS.get(r.p)
        if spec is None or r.literal:
            continue
        cls, srole, orole, seg, shared = spec
        if shared:
            ends = sorted((str(s), str(o))) if srole == orole else [str(s), str(o)]
            h = hashlib.sha1("\x1f".join([r.p, *ends, when.year]).encode()).hexdigest()[:16]
        else:
            assert st is not None  # made for every fact a record takes
            h = st.rsplit("/", 1)[1]
        by_iri.setdefault(ID[f"{seg}/{h}"], []).append(item)
    out = {}
    for ev, items in by_iri.items():
        when = min((it[4] for it in items), key=lambda w: _BASIS_RANK[w.basis])
        money = next((it[0].qualifiers for it in items if _money(it[0].qualifiers)), ())
        rounds = sorted({v for it in items for k, v in it[0].qualifiers if k == "round"})
        out[ev] = _RecordGroup(items, when, money, rounds)
    return out


def _add_records(graph: Callable[[str], Any], groups: dict[URIRef, _RecordGroup]) -> None:
    """Facts whose plain edge loses meaning become n-ary records (a post held, an investment,
    an agreement, an award granted) linked to their assertions by ``prov:wasDerivedFrom``:
    who, what, role, year and, for investments, the amount and round the extraction found.

    An investment, an agreement or an award reported in several articles is one record: the
    same ends (an agreement's parties in any order) in the same year. Its year's basis is the
    best its reports give (stated, then relative, then publication); its amount and round come
    from the first report that states them. Each reporting article's graph holds the record
    (``graph``: an article id's graph)."""
    for ev, grp in groups.items():
        r0 = grp.items[0][0]
        cls, srole, orole, _, _ = _RECORDS[r0.p]
        when, money, rounds = grp.when, grp.money, grp.rounds
        for r, st, s, o, _ in grp.items:
            g = graph(r.article)
            g.add((ev, RDF.type, term(cls)))
            g.add((ev, term(srole), s))
            g.add((ev, term(orole), o))
            g.add((ev, PROV.wasDerivedFrom, st))
            for q, v in r.qualifiers:
                if q == "role":
                    g.add((ev, KG.role, _plain(v)))
            if when.year:
                g.add((ev, KG.year, _year(when.year)))
                g.add((ev, KG.timeBasis, _plain(when.basis)))
            if r.p == "investedIn":
                _add_amounts(g, ev, money)
                for rd in rounds:
                    g.add((ev, KG.round, _plain(rd)))


def _money(qualifiers: tuple[tuple[str, str], ...]) -> bool:
    return any(k == "amount_text" for k, _ in qualifiers)


def _add_amounts(g: Graph, node: URIRef, qualifiers: tuple[tuple[str, str], ...]) -> None:
    """The money the extraction found (:func:`kg.extract.quantities.money_qualifiers`): CNY
    values as decimals, ranges as bounds, the printed form and its hedge."""
    for q, v in qualifiers:
        if q == "amount":
            g.add((node, KG.amount, _decimal(v)))
        elif q == "min_amount":
            g.add((node, KG.minAmount, _decimal(v)))
        elif q == "max_amount":
            g.add((node, KG.maxAmount, _decimal(v)))
        elif q == "amount_text":
            g.add((node, KG.amountText, _plain(v)))
        elif q == "amount_qualifier":
            g.add((node, KG.qualifier, _plain(v)))


def serialize_sorted_nquads(ds: Dataset) -> str:
    """N-Quads with sorted lines: byte-identical for identical content."""
    data = ds.serialize(format="nquads")
    lines = sorted(set(line for line in data.splitlines() if line.strip()))
    return "\n".join(lines) + "\n"


def turtle_and_trig(nquads: str, shards: Shards | None = None) -> tuple[str, str, int]:
    """``pinghu.ttl`` and ``pinghu.trig`` from sorted N-Quads (:func:`turtle_of`,
    :func:`trig_of`). Returns (turtle, trig, triples)."""
    turtle, triples = turtle_of(nquads)
    return turtle, trig_of(nquads, shards), triples


def _prefixes() -> dict[str, str]:
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    prefixes["rdf"] = str(RDF)
    return prefixes


def turtle_of(nquads: str) -> tuple[str, int]:
    """``pinghu.ttl`` (the union of all graphs) from sorted N-Quads, written by Oxigraph's
    streaming serialiser: linear in the size of the graph, deterministic (input order in, same
    bytes out). Returns (turtle, number of distinct triples).

    Sorted N-Quads put an identical triple of two graphs on adjacent lines, so the union is
    taken by dropping adjacent repeats (streamed: no list of the statements is built)."""
    import pyoxigraph as ox

    count = 0

    def union() -> Iterator[Any]:
        nonlocal count
        last = None
        for q in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
            t = q.triple
            if t != last:
                count += 1
                yield t
                last = t

    turtle = ox.serialize(union(), format=ox.RdfFormat.TURTLE, prefixes=_prefixes())
    return turtle.decode("utf-8"), count


def trig_of(nquads: str, shards: Shards | None = None) -> str:
    """``pinghu.trig`` from sorted N-Quads: the quads graph by graph (graphs in the order of
    their terms, each graph's quads in N-Quads order), by Oxigraph's streaming serialiser.

    With the ``shards`` of the same N-Quads, each graph's statements are parsed in turn;
    without them, all are parsed and ordered by graph (the same bytes, tested)."""
    import pyoxigraph as ox

    order = shards.by_graph() if shards is not None else None
    if shards is not None and order is not None:
        quads: Iterable[Any] = (
            q
            for k in order
            for q in ox.parse(shards[k].encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        )
    else:
        parsed = list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        by_graph = sorted(range(len(parsed)), key=lambda i: (str(parsed[i].graph_name), i))
        quads = (parsed[i] for i in by_graph)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes()).decode("utf-8")

