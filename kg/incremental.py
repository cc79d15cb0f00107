"""Incremental resolution (#23): pages added to a corpus resolved against what the last build
decided, instead of resolving every page again.

A build with the cache keeps beside its output (:data:`KEPT_FILE`) the resolution it made, the
decisions behind it (:class:`~kg.resolve.ResolveIndex`: group type scores, the trade-name,
registered-name, place-prefix, generic-tail and short-form redirects, the alias index and what
the facts' look-ups missed, sub-organisation pairs, namesakes split, government bodies) and the
cache key of every page. The next build, when the only change is pages added after every kept
page (in file order, so each per-page step sees them last, as a full resolution would), takes
the new pages' mentions and facts against that (:func:`extend`). It gives up, and the caller
resolves everything, whenever a new page could change an earlier decision: a new learned or
declared short name that a kept page printing it would be given as a new mention (the kept
pages that print it are read again from the cache and searched), a key that a linking rule
(registered name, numbered institute, place prefix, generic tail, short form) connects to
another, a trade name given a new key when an earlier mention could be redirected by it (a
gazetteer mention, 某某公司: ``ResolveIndex.trade_users``), a group whose type changes, an
entity whose canonical name or type changes, a new post of a known person, a new
sub-organisation pair between earlier partners or two posts of a namesake split before, a name
or key an earlier fact looked up and did not find, an IRI that another entity has. Otherwise
the result is the full resolution's (tested against it).
Unchanged pages are then not read from the cache at all.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import zlib
from collections import ChainMap, defaultdict
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, overload

from .extract.lexicon import Lexicon, alternation
from .extract.pipeline import PageExtraction
from .memory import paused_gc
from .model import Article, Entity, Mention, Relation
from .rdf import SHARED_RECORDS, ArticleMeta, entity_iri
from .resolve import (
    _NUMBERED_INSTITUTE,
    GENERIC_TAILS,
    Resolution,
    ResolveIndex,
    Resolver,
    _dedupe,
    _split_namesakes,
    declared_short_names,
    gazetteer_mentions,
    learned_short_names,
    norm,
    trade_user,
)

#: Beside the output: what the last build resolved (see the module's docstring).
KEPT_FILE = ".entity-index.pickle"
_MAGIC = b"KGI3"


def code_salt() -> str:
    """The code the kept resolution depends on: resolution, build and incremental steps."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("resolve.py", "build.py", "incremental.py", "rdf.py", "model.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


_SALT = code_salt()


_PICKLE = pickle.HIGHEST_PROTOCOL
_entity_fields = attrgetter(*(f.name for f in fields(Entity)))
_relation_fields = attrgetter(*(f.name for f in fields(Relation)))


class PackedEntities(MutableMapping[str, Entity]):
    """The kept entities by key, each kept pickled (its fields, mentions and all) until it is
    asked for. Adding a page to 10,000 reads a few hundred of 35,000 entities (770,000
    mentions): unpickling them all took 1.8 s of every incremental build and pickling them
    again for the next 2.8 s. An entity read is kept as an object (it may be changed in place)
    and pickled again when the index is saved; the others keep their bytes. Iteration order is
    the insertion order, as in a ``dict``."""

    __slots__ = ("_items",)

    def __init__(self, entities: Mapping[str, Entity] | None = None) -> None:
        self._items: dict[str, Entity | bytes] = dict(entities or {})

    def __getitem__(self, key: str) -> Entity:
        v = self._items[key]
        if v.__class__ is bytes:
            v = self._items[key] = Entity(*pickle.loads(v))  # type: ignore[arg-type]
        return v  # type: ignore[return-value]

    def __setitem__(self, key: str, value: Entity) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> Any:  # (the dict's own view: set operations at C speed)
        return self._items.keys()

    def __reduce__(self) -> tuple[Any, tuple[dict[str, bytes]]]:
        return _entities_from, ({
            k: v if v.__class__ is bytes else pickle.dumps(_entity_fields(v), _PICKLE)
            for k, v in self._items.items()},)


def _entities_from(items: dict[str, bytes]) -> PackedEntities:
    out = PackedEntities()
    out._items = items  # type: ignore[assignment]
    return out


class PackedRelations(Sequence[Relation]):
    """The kept facts in order, each kept pickled until it is asked for, with an index of the
    facts that name each entity key (as an end, as an actor, in a record shared across
    articles): :meth:`naming` gives what an added page's changed entities need without
    reading the 300,000 others (unpickling all of them took 0.9 s, pickling them 1.2 s).
    Appended facts are pickled when the index is saved."""

    def __init__(self, relations: Iterable[Relation] = ()) -> None:
        self._items: list[Relation | bytes] = []
        self._ends: dict[str, list[int]] = {}  # key -> facts with it as subject or object
        self._actors: dict[str, list[int]] = {}  # key -> facts with it as an actor
        self._records: dict[str, list[int]] = {}  # key -> facts of shared records naming it
        self.extend(relations)

    @overload
    def __getitem__(self, i: int) -> Relation: ...

    @overload
    def __getitem__(self, i: slice) -> list[Relation]: ...

    def __getitem__(self, i: int | slice) -> Relation | list[Relation]:
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(len(self._items)))]
        return self._get(i)

    def _get(self, i: int) -> Relation:
        v = self._items[i]
        if v.__class__ is bytes:
            v = self._items[i] = Relation(*pickle.loads(v))  # type: ignore[arg-type]
        return v  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Relation]:
        for i in range(len(self._items)):
            yield self._get(i)

    def append(self, r: Relation) -> None:
        i = len(self._items)
        self._items.append(r)
        ends = {r.s, r.o}  # (a literal too: what is looked up here is never one, but exact)
        for k in ends:
            self._ends.setdefault(k, []).append(i)
        actors = {v for q, v in r.qualifiers if q in ("s_actor", "o_actor")}
        for k in actors:
            self._actors.setdefault(k, []).append(i)
        if r.p in SHARED_RECORDS and not r.literal:
            for k in ends | actors:
                self._records.setdefault(k, []).append(i)

    def extend(self, relations: Iterable[Relation]) -> None:
        for r in relations:
            self.append(r)

    def ending(self, keys: Iterable[str], stop: int | None = None) -> list[Relation]:
        """The facts (before ``stop``, in order) with one of ``keys`` as subject or object."""
        return self._at(self._ends, keys, stop)

    def naming(self, keys: Collection[str], events: Collection[str], stop: int | None = None
               ) -> list[Relation]:
        """The facts before ``stop`` (in order) that the statements of the entities ``keys``
        are made from: those with one of them as an actor (a government body's jurisdiction),
        those of a record shared across articles that name one (a report of it in an added
        article joins them), and those with one of ``events`` (events among ``keys``) at an
        end or as an actor (an event's date)."""
        at: set[int] = set()
        for index, ks in ((self._actors, keys), (self._records, keys), (self._ends, events)):
            for k in ks:
                at.update(index.get(k, ()))
        end = len(self._items) if stop is None else stop
        return [self._get(i) for i in sorted(at) if i < end]

    def _at(self, index: dict[str, list[int]], keys: Iterable[str], stop: int | None
            ) -> list[Relation]:
        at = {i for k in keys for i in index.get(k, ())}
        end = len(self._items) if stop is None else stop
        return [self._get(i) for i in sorted(at) if i < end]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        items = [v if v.__class__ is bytes else pickle.dumps(_relation_fields(v), _PICKLE)
                 for v in self._items]
        return _relations_from, (items, self._ends, self._actors, self._records)


def _relations_from(items: list[bytes], ends: dict[str, list[int]],
                    actors: dict[str, list[int]], records: dict[str, list[int]]
                    ) -> PackedRelations:
    out = PackedRelations()
    out._items = items  # type: ignore[assignment]
    out._ends, out._actors, out._records = ends, actors, records
    return out


@dataclass
class Kept:
    """A resolution and what it was made from, for the next build (:func:`extend`)."""

    salt: str  # code_salt() and the extractor's fingerprint
    home: str
    metadata: dict[str, dict[str, str]]
    files: list[tuple[str, str]]  # (page name, extraction cache key), in file order
    learned: dict[str, str]
    declared_names: dict[str, str]
    index: ResolveIndex
    entities: PackedEntities
    relations: PackedRelations
    metas: list[ArticleMeta]  # articles without their sentences
    warnings: list[str]
    iris: set[str] = field(default_factory=set)  # every entity IRI (and its base form)
    #: each entity's IRI by key (:func:`kg.rdf.entity_iris`: with the ``-2`` … of a clash)
    iri_of: dict[str, str] = field(default_factory=dict)
    made: set[str] = field(default_factory=set)  # bodies made for places that act
    split_made: set[str] = field(default_factory=set)  # namesakes' keys (name@organisation)
    implied_order: list[str] = field(default_factory=list)
    text: str = ""  # every kept page's normalised text, joined by "\n" (where new short
    # names are looked for)
    starts: list[int] = field(default_factory=list)  # where each kept page's text starts
    #: after :func:`extend`: the entities it made or changed, and the first of its facts
    changed: set[str] = field(default_factory=set)
    new_from: int = 0

    @property
    def last_article(self) -> str:
        return self.metas[-1].article.id if self.metas else ""


def light_meta(m: ArticleMeta) -> ArticleMeta:
    """An article's metadata without its sentences (all the statements need)."""
    a = m.article
    return replace(m, article=Article(a.page, a.index, a.title, a.bylines, a.nstart, a.nend, ()))


def entity_iris(entities: Iterable[Entity]) -> set[str]:
    """The IRIs the entities get (with the ``-2`` … of a clash, as :func:`kg.rdf.build_dataset`
    makes them) and their base forms."""
    out: set[str] = set()
    for e in sorted(entities, key=lambda e: e.key):
        base = str(entity_iri(e))
        iri, n = base, 2
        while iri in out:
            iri = f"{base}-{n}"
            n += 1
        out.add(iri)
        out.add(base)
    return out


def made_bodies(entities: Mapping[str, Entity]) -> set[str]:
    """The government bodies made for places that act (no mention names them)."""
    return {k for k, e in entities.items()
            if len(e.merged_by) == 1 and e.merged_by[0][1] == "government-of-place"}


def save(path: Path, kept: Kept) -> None:
    """Write ``kept`` atomically: :data:`_MAGIC`, a CRC-32 of what follows, the length of the
    salt, the salt (UTF-8) and the pickle. The CRC guards against damage (a SHA-256 of the
    300 MB took 0.2 s to write and again to read); the salt comes first so that an index made
    by other code is not read at all."""
    from .io import atomic_write_bytes

    salt = kept.salt.encode("utf-8")
    body = len(salt).to_bytes(4, "little") + salt + pickle.dumps(kept, protocol=_PICKLE)
    atomic_write_bytes(path, _MAGIC + zlib.crc32(body).to_bytes(4, "little") + body)


def load(path: Path, salt: str) -> Kept | None:
    """The kept resolution, or ``None`` (none, damaged, or made by other code)."""
    want = salt.encode("utf-8")
    head = len(_MAGIC) + 8 + len(want)
    try:
        with Path(path).open("rb") as fh:
            start = fh.read(head)
            if start[:len(_MAGIC)] != _MAGIC or start[len(_MAGIC) + 8:] != want \
                    or int.from_bytes(start[len(_MAGIC) + 4:len(_MAGIC) + 8], "little") \
                    != len(want):
                return None  # not an index, or made by other code
            data = start + fh.read()
    except OSError:
        return None
    if zlib.crc32(memoryview(data)[len(_MAGIC) + 4:]) != int.from_bytes(
            data[len(_MAGIC):len(_MAGIC) + 4], "little"):
        return None
    try:
        with paused_gc():  # (its full passes would walk every object restored so far)
            kept = pickle.loads(memoryview(data)[head:])
    except Exception:  # noqa: BLE001 - anything unreadable is no kept resolution
        return None
    return kept if isinstance(kept, Kept) and kept.salt == salt else None


class GiveUp(Exception):
    """The added pages could change an earlier decision: resolve everything."""


#: A kept page's extraction as the cache has it (by its index in ``Kept.files``), or ``None``.
PageReader = Callable[[int], "PageExtraction | None"]


def extend(kept: Kept, exts: list[PageExtraction], lex: Lexicon,
           why: list[str] | None = None, read_page: PageReader | None = None
           ) -> Resolution | None:
    """The resolution of the kept pages plus ``exts`` (pages added after every kept one, in
    file order), taken against ``kept`` (which is updated to it); ``None`` when a full
    resolution is needed (``kept`` is then of no use; ``why`` gets the reason).
    ``read_page``: reads a kept page's extraction (the kept pages that print a new short name
    are searched again for it)."""
    why = why if why is not None else []
    if kept.index.home_key not in kept.entities:
        why.append("the home city made by a fact")  # (我市): not followed here
        return None
    if len(kept.starts) != len(kept.files):
        why.append("no page offsets kept")
        return None
    resolver = Resolver(lex, home=kept.home)
    names = {**kept.learned, **kept.declared_names}
    rx = re.compile(alternation(list(names))) if names else None
    pending: dict[int, PageExtraction] = {}  # pages added here, as extracted
    kept.changed, kept.new_from = set(), len(kept.relations)
    n_kept = len(kept.files)

    def read(i: int) -> PageExtraction | None:
        if i >= n_kept:
            return pending.get(i)
        return read_page(i) if read_page is not None else None

    try:
        for ex in exts:
            if _check_names(kept, ex, lex, names, rx, read):
                rx = re.compile(alternation(list(names)))
            pending[len(kept.starts)] = replace(ex, mentions=list(ex.mentions))
            ex.mentions.extend(gazetteer_mentions(ex, names, rx))
            ex.mentions.sort(key=lambda m: (m.start, m.end, m.text))
            _Page(kept, resolver, ex).add()
            kept.starts.append(len(kept.text) + 1)
            kept.text += "\n" + ex.page.text
    except GiveUp as exc:
        why.append(f"{ex.page.name}: {exc}")
        return None
    return Resolution(entities=kept.entities, relations=kept.relations)


def page_starts(texts: Iterable[str]) -> list[int]:
    """Where each text starts in ``"\\n".join(texts)``."""
    out, pos = [], 0
    for t in texts:
        out.append(pos)
        pos += len(t) + 1
    return out


def _check_names(kept: Kept, ex: PageExtraction, lex: Lexicon, names: dict[str, str],
                 rx: re.Pattern[str] | None, read: PageReader) -> bool:
    """The page's learned and declared short names: a new one is searched for in every page
    (it is then added to ``names``; returns whether one was). A kept page that prints it must
    give the same gazetteer mentions with it as without it (it is read again and searched)."""
    from bisect import bisect_right

    learned = learned_short_names([ex], lex)
    declared = declared_short_names([ex])
    fresh = [t for t in learned if t not in kept.learned]
    fresh += [a for a in declared if a not in kept.declared_names]
    pages: set[int] = set()
    for t in fresh:
        for m in re.finditer(re.escape(t), kept.text):
            pages.add(bisect_right(kept.starts, m.start()) - 1)
    now_learned, now_declared = dict(kept.learned), dict(kept.declared_names)
    for t, typ in learned.items():
        now_learned.setdefault(t, typ)
    for a, typ in declared.items():
        now_declared.setdefault(a, typ)
    after = {**now_learned, **now_declared}
    if pages:
        rx_after = re.compile(alternation(list(after)))
        for i in sorted(pages):
            old = read(i)
            if old is None:
                raise GiveUp("a new short name printed in a kept page not at hand")
            if gazetteer_mentions(old, names, rx) != gazetteer_mentions(old, after, rx_after):
                raise GiveUp("a new short name found in a kept page")
    kept.learned, kept.declared_names = now_learned, now_declared
    names.clear()
    names.update(after)
    return bool(fresh)


class _Page:
    """One added page resolved against the kept state (:func:`extend`)."""

    def __init__(self, kept: Kept, resolver: Resolver, ex: PageExtraction) -> None:
        self.kept, self.r, self.ex, self.idx = kept, resolver, ex, kept.index
        self.trade_added: dict[tuple[str, str], set[str]] = {}

    def add(self) -> None:
        kept, idx, ex = self.kept, self.idx, self.ex
        if ex.page.name <= (kept.files[-1][0] if kept.files else ""):
            raise GiveUp("not after every kept page")
        if ex.page.articles and min(a.id for a in ex.page.articles) <= kept.last_article:
            raise GiveUp("an article id before a kept one")
        self._declared()
        keyed, local, page_why, foreign = self.r.page_keys(ex, idx.declared, idx.declaring)
        groups: dict[str, list[Mention]] = defaultdict(list)
        for k, m in keyed:
            groups[k].append(m)
        new = [k for k in groups if k not in idx.scores]
        if any(k in kept.entities for k in new):
            raise GiveUp("a new group with the key of a made entity")
        self._trade_and_legal(groups, new)
        types = self._types(groups, new)
        self._place_prefix_and_tails(groups, new, types)
        all_groups = ChainMap(groups, idx.scores)
        all_types = ChainMap(types, idx.types)
        if self.r.short_forms(ex.mentions, local, dict(idx.redirect), all_groups, all_types):
            raise GiveUp("a short form")
        touched = self._entities(keyed, page_why, groups)
        implied = self._implied(foreign)
        self._alias_index(touched, implied)
        before = set(kept.entities) | set(idx.scores)
        kept.entities.update(touched)
        kept.entities.update(implied)
        rels = self._relations(local, foreign, before)
        self._commit(groups, new, types, touched, implied, rels, before)

    def _declared(self) -> None:
        idx = self.idx
        for alias, key in self.r._declared_aliases(self.ex).items():
            if alias not in idx.declared_all:
                if alias in idx.alias_index or alias in self.kept.text:
                    raise GiveUp("a new declared alias named before")
                idx.declared_all[alias] = {key}
                idx.declared[alias] = key
            elif idx.declared_all[alias] != {key}:
                raise GiveUp("a declared alias of another entity")
            idx.declaring.setdefault(alias, set()).add(self.ex.page.name)

    def _trade_and_legal(self, groups: Mapping[str, list[Mention]], new: list[str]) -> None:
        idx = self.idx
        # a registered name that gives a trade name another key: no earlier decision changes
        # when no mention before could be redirected by that trade name (idx.trade_users)
        added: dict[tuple[str, str], set[str]] = {}
        for k, ms in groups.items():
            for m in ms:
                parts = dict(m.parts)
                if "legal" in parts and parts.get("trade") and parts["legal"] != "公司":
                    tk = (m.type, parts["trade"])
                    if k not in idx.trade_keys.get(tk, ()):
                        if tk in idx.trade_users:
                            raise GiveUp("a new key of a trade name that named a company before")
                        added.setdefault(tk, set()).add(k)
                if "legal" in parts and k not in idx.legal and k not in new:
                    raise GiveUp("an old group with a legal form now")
        now = ChainMap({tk: idx.trade_keys.get(tk, set()) | ks for tk, ks in added.items()},
                       idx.trade_keys)
        for k, ms in groups.items():
            if k not in idx.traded and self.r.trade_target(ms, k, now) is not None:
                raise GiveUp("a trade-name redirect")
        self.trade_added = added
        keys = set(idx.scores) | set(groups)
        legal_new = {k for k in new if any(p[0] == "legal" for m in groups[k] for p in m.parts)}
        for k in new:
            if _NUMBERED_INSTITUTE.match(k) or re.search(r"\d+所$", k):
                raise GiveUp("a numbered institute")
            if k in legal_new:
                if any(k[:i] in keys for i in range(4, len(k))):
                    raise GiveUp("a registered name that continues another")
            elif groups[k][0].type == "Enterprise" and len(k) >= 4:
                if any(r.startswith(k) and r != k for r in (*idx.legal, *legal_new)):
                    raise GiveUp("a short name of a registered one")

    def _types(self, groups: Mapping[str, list[Mention]], new: list[str]) -> dict[str, str]:
        idx = self.idx
        out: dict[str, str] = {}
        for k, ms in groups.items():
            score = dict(idx.scores.get(k, {}))
            for m in ms:
                score[m.type] = score.get(m.type, 0) + _weight(m.rule)
            typ = _type_of(score)
            if k not in new and typ != idx.types[k]:
                raise GiveUp("a group whose type changes")
            out[k] = typ
        return out

    def _place_prefix_and_tails(self, groups: Mapping[str, list[Mention]], new: list[str],
                                types: Mapping[str, str]) -> None:
        idx = self.idx
        keys = ChainMap(groups, idx.scores)
        for k in new:
            typ = types[k]
            short = self.r.short_of(k, typ)
            if short and short in keys:
                raise GiveUp("a place-prefixed name of another")
            if idx.by_short.get((typ, k), k) != k:
                raise GiveUp("a name without its place")
            for tail in GENERIC_TAILS:
                if k.endswith(tail) and k[: -len(tail)] in keys or k + tail in keys:
                    raise GiveUp("a generic tail")

    def _entities(self, keyed: list[tuple[str, Mention]], page_why: list[tuple[str, Any]],
                  groups: Mapping[str, list[Mention]]) -> dict[str, Entity]:
        """The entities the page's mentions go to, made again with them."""
        kept, idx, r = self.kept, self.idx, self.r
        # the full resolution takes a final key's mentions group by group (kept groups in their
        # order, then the new ones), each in page order
        olds = sum(k in idx.scores for k in groups)
        place = {k: i for i, k in enumerate(idx.scores)} if olds > 1 else {}
        order = {k: i for i, k in enumerate(groups)}
        rank = {k: (0, place.get(k, 0)) if k in idx.scores else (1, order[k]) for k in groups}
        by_final: dict[str, list[tuple[tuple[int, int], int, Mention]]] = defaultdict(list)
        for pos, (k, m) in enumerate(keyed):
            by_final[r._final(idx.redirect, k)].append((rank[k], pos, m))
        reasons: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for k, reason in page_why:
            reasons[r._final(idx.redirect, k)].add(reason)
        stems = {self.ex.page.name.rsplit(".", 1)[0]: self.ex.page}
        out: dict[str, Entity] = {}
        for f, items in by_final.items():
            mine = [m for _, _, m in sorted(items, key=lambda t: (t[0], t[1]))]
            old = kept.entities.get(f)
            if old is None and f in idx.scores:
                raise GiveUp("a group without its entity")
            split = self._split_parts(f) if f in idx.split else []
            ms = (old.mentions if old is not None else []) + mine
            if split:  # a namesake split before: its name comes from all its mentions
                ms = ms + [m for e in split for m in e.mentions]
            typ = r._type(ms)
            why = reasons[f] | set(old.merged_by if old is not None else ())
            ent = r.make_entity(f, ms, typ, stems, why)
            if old is not None:
                if (ent.name, ent.type) != (old.name, old.type):
                    raise GiveUp("a canonical name or type that changes")
                ent.aliases |= old.aliases
                ent.aliases.discard(ent.name)
                if typ == "Place" and r.division_name(ent) != r.division_name(old):
                    raise GiveUp("a place that now names another division")
                if split:
                    ent.mentions = sorted(old.mentions + mine,
                                          key=lambda m: (m.article, m.start, m.end))
                    for e in split:
                        out[e.key] = replace(e, aliases=set(ent.aliases))
            if typ == "Place" and {f + "市", f + "省"} <= {norm(m.text) for m in ms}:
                raise GiveUp("a place named as a city and a province")
            out[f] = ent
        return out

    def _split_parts(self, f: str) -> list[Entity]:
        """The people a namesake was split into (the person itself must remain: it keeps the
        reasons of its merges)."""
        if f not in self.kept.entities:
            raise GiveUp("a namesake split whole before")
        prefix = f + "@"
        return [self.kept.entities[k] for k in sorted(self.kept.split_made)
                if k.startswith(prefix) and k in self.kept.entities]

    def _implied(self, foreign: str) -> dict[str, Entity]:
        kept, idx = self.kept, self.idx
        out: dict[str, Entity] = {}
        for k, name in self.r.implied_bodies(self.ex, foreign):
            if k in kept.made or k in kept.split_made:
                raise GiveUp("an implied body with a made entity's key")
            f = self.r._final(idx.redirect, k)
            if k in kept.entities or f in kept.entities or k in out or f in out:
                continue
            if k in idx.scores:
                continue  # (a group's key is an entity's)
            out[k] = Entity(key=k, name=name, type="GovernmentBody",
                            merged_by=[(name, "post:implied-body")])
        return out

    def _alias_index(self, touched: Mapping[str, Entity], implied: Mapping[str, Entity]) -> None:
        """The alias index as the full resolution builds it (first entity in key order, then
        the implied bodies): a name that an earlier fact looked up changes nothing there."""
        idx = self.idx
        candidates = [(0, k, e) for k, e in sorted(touched.items())]
        candidates += [(1, k, e) for k, e in implied.items()]
        new_keys = [k for k in touched if k not in self.kept.entities] + list(implied)
        if any(k in idx.misses.keys for k in new_keys):
            raise GiveUp("a key an earlier fact looked up")
        now: set[str] = set()  # names given here (to an entity before the next candidates)
        for group, k, e in candidates:
            for n in {e.name, k, *e.aliases}:
                n = norm(n)
                cur = idx.alias_index.get(n)
                if cur is None:
                    if n in idx.misses.names:
                        raise GiveUp("a name an earlier fact looked up")
                    idx.alias_index[n] = k
                    now.add(n)
                elif cur == k or n in now:
                    continue
                elif group == 0 and (cur not in idx.scores or k < cur):
                    raise GiveUp("a name the alias index gives another entity")
                elif group == 1 and cur not in idx.scores and cur not in idx.implied:
                    raise GiveUp("a name the alias index gives another entity")

    def _relations(self, local: dict[str, str], foreign: str, before: set[str]
                   ) -> list[Relation]:
        kept, idx, r = self.kept, self.idx, self.r
        ents = _AtLookup(kept)
        out: list[Relation] = []
        for rel in self.ex.relations:
            rel = r._placed(rel, foreign)
            got = r._ends(rel, local, idx.redirect, idx.alias_index, ents, idx.misses)  # type: ignore[arg-type]
            if got is not None:
                out.append(got)
        out = _dedupe(out)
        family = {frozenset(p) for p in idx.sub}
        fresh = {frozenset((rel.s, rel.o)) for rel in out if rel.p == "subOrganizationOf"}
        fresh -= family
        if any(k in before for pair in fresh for k in pair):
            self._check_new_family(fresh, before)
        family |= fresh
        for rel in out:
            if rel.p == "holdsPost" and rel.s in before:
                raise GiveUp("a new post of a known person")
        return [rel for rel in out if not (
            rel.p in ("cooperatesWith", "signedAgreementWith")
            and frozenset((rel.s, rel.o)) in family)]

    def _check_new_family(self, pairs: set[frozenset[str]], before: set[str]) -> None:
        """New sub-organisation pairs change no earlier fact when no earlier partnership links
        the two (it would be dropped) and no namesake split before holds posts in both (it
        could be one person now)."""
        kept, idx = self.kept, self.idx
        for pair in pairs:
            for k in pair:
                e = kept.entities.get(k)
                if k in idx.split or k in kept.split_made or (e is not None and e.type == "Person"):
                    raise GiveUp("a new sub-organisation pair of a person")
        posts: dict[str, set[str]] = defaultdict(set)
        # the facts that name a key of the pairs: those that could link two of them
        for r in kept.relations.ending(set().union(*pairs)):
            if r.p in ("cooperatesWith", "signedAgreementWith"):
                if frozenset((r.s, r.o)) in pairs:
                    raise GiveUp("a new sub-organisation pair of earlier partners")
            elif r.p == "holdsPost":
                person = r.s.split("@", 1)[0]
                if person in idx.split:
                    posts[person].add(r.o)
        for orgs in posts.values():
            if any(pair <= orgs for pair in pairs):
                raise GiveUp("a new sub-organisation pair of a namesake's posts")

    def _commit(self, groups: Mapping[str, list[Mention]], new: list[str],
                types: Mapping[str, str], touched: dict[str, Entity],
                implied: dict[str, Entity], rels: list[Relation], before: set[str]) -> None:
        kept, idx, ex = self.kept, self.idx, self.ex
        sub = idx.sub | {(x.s, x.o) for x in rels if x.p == "subOrganizationOf"}
        part = Resolution(entities=kept.entities, relations=rels)
        owners = _split_namesakes(part, sub)
        bodies = self.r._government_actors(part, idx.bodies)
        added = set(kept.entities) - before
        made = {k for k in added if k not in touched and k not in implied}
        fresh = [kept.entities[k] for k in sorted(set(kept.entities) - before)]
        bases = [str(entity_iri(e)) for e in fresh]
        if len(set(bases)) < len(bases) or any(b in kept.iris for b in bases):
            raise GiveUp("an IRI another entity has")
        kept.iris.update(bases)
        kept.iri_of.update((e.key, b) for e, b in zip(fresh, bases, strict=True))
        kept.relations.extend(part.relations)
        kept.changed |= set(touched) | set(implied) | added
        for x in part.relations:  # (an event's date, a body's jurisdiction)
            kept.changed.add(x.s)
            if not x.literal:
                kept.changed.add(x.o)
            kept.changed.update(v for q, v in x.qualifiers if q in ("s_actor", "o_actor"))
        idx.sub = sub
        idx.split |= set(owners)
        kept.split_made |= {k for k in made if "@" in k}
        kept.made |= {k for k in made if "@" not in k}
        idx.bodies = bodies
        for k, ms in groups.items():
            score = idx.scores.setdefault(k, {})
            for m in ms:
                score[m.type] = score.get(m.type, 0) + _weight(m.rule)
            if k in new:
                idx.first_type[k] = ms[0].type
                idx.types[k] = types[k]
                if any(p[0] == "legal" for m in ms for p in m.parts):
                    idx.legal.add(k)
                short = self.r.short_of(k, types[k])
                if short:
                    cur = idx.by_short.get((types[k], short))
                    if cur is None or (-len(k), k) < (-len(cur), cur):
                        idx.by_short[(types[k], short)] = k
        for tk, ks in self.trade_added.items():
            idx.trade_keys.setdefault(tk, set()).update(ks)
        for ms in groups.values():
            for m in ms:
                if m.parts or m.rule.startswith("gazetteer"):
                    user = trade_user(m)
                    if user is not None:
                        idx.trade_users.add(user)
        idx.implied |= set(implied)
        kept.implied_order += list(implied)
        kept.files.append((ex.page.name, ""))


class _AtLookup:
    """The entities a fact's look-up sees in a full resolution: those of the mentions and the
    implied bodies (not yet the bodies made for places, nor the namesakes' parts; still the
    people split later)."""

    def __init__(self, kept: Kept) -> None:
        self.kept = kept

    def __contains__(self, k: object) -> bool:
        kept = self.kept
        return (k in kept.entities and k not in kept.made and k not in kept.split_made) or (
            k in kept.index.split)


def _weight(rule: str) -> int:
    from .resolve import _rule_weight

    return _rule_weight(rule)


def _type_of(score: Mapping[str, int]) -> str:
    """:meth:`Resolver._type` from the scores."""
    if len(score) == 1:
        return next(iter(score))
    return max(score, key=lambda t: (score[t], t))
