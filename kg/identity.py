"""Identity across articles, measured: are the mentions of one body one node, and those of two
bodies two?

Gold identity is derived from the gold files: within an article each gold entity is its own
body; across articles two gold entities are one body when they share their name or an alias
of at least three characters, with the same type — the way a reader links them — unless that
form is relative to the article's own city or speaker (市政府, 市科技局, 我校, 该院: the
same words in articles about two cities are two bodies).
Known hard cases are corrected by hand in a list of merges and splits
(``tests/data/identity.json``). Predicted identity is the resolved entity that each gold
entity was matched to in its article (by name or alias, as the reference scorer matches).

Both are clusterings of the same items — the (article, gold entity) pairs that were found —
and :func:`compare` scores them pairwise (over pairs of items in one cluster) and by
B-cubed (per item). Items whose gold entity was not found are left out: finding entities is
scored elsewhere; this measures only whether what was found was put together right.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .eval import GoldDoc, is_doubtful_note

Item = tuple[str, str]  # (article file name, gold entity name)

_STRIP = re.compile(r"[\s“”\"'‘’「」『』《》〈〉·•]")
#: Forms that name a body relative to the article (its city, its speaker): they link nothing.
_RELATIVE = re.compile(r"^(?:[省市区县镇乡]|我|本|该|其|贵|全)")


def _norm(s: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", s)).lower()


#: A class noun alone (研究院, 该中心's 中心) names the article's own body, like 我院: no link.
_CLASS_NOUN = re.compile(
    r"^(?:研究院|研究所|实验室|研究中心|中心|公司|集团|大学|学院|基金|园区|平台|协会|联盟|孵化器"
    r"|管委会|开发区|高新区|科技园|产业园|创新中心|洽谈会|大会|论坛|大赛)$"
)
#: The edition of a recurring event (第四届, 2023年): two editions are two events.
_EDITION = re.compile(r"第[0-9一二三四五六七八九十百]+届|(?:19|20)\d\d年")


def linking_forms(name: str, aliases: Iterable[str]) -> set[str]:
    """The forms of a gold entity that can link it to another article's entity."""
    forms = {f for f in (_norm(name),) if not _RELATIVE.match(f)}
    forms |= {f for a in aliases if len(f := _norm(a)) >= 3 and not _RELATIVE.match(f)}
    forms = {f for f in forms if f and not _CLASS_NOUN.match(f)}
    edition = _EDITION.search(_norm(name))
    if edition:  # 第四届某洽谈会 and 第五届某洽谈会 share a short name (某洽会), not a body
        forms = {f for f in forms if edition.group() in f}
    return forms


@dataclass(frozen=True)
class Overrides:
    """Hand-checked corrections of the derived gold identity."""

    merge: tuple[tuple[Item, Item], ...] = ()  # one body although no form links them
    split: tuple[Item, ...] = ()  # its own body although a form links it to others

    @classmethod
    def load(cls, path: Path | None) -> Overrides:
        if path is None or not Path(path).is_file():
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            merge=tuple((tuple(a), tuple(b)) for a, b in data.get("merge", [])),  # type: ignore[misc]
            split=tuple(tuple(x) for x in data.get("split", [])),  # type: ignore[misc]
        )


def gold_clusters(golds: Mapping[str, GoldDoc], overrides: Overrides | None = None
                  ) -> dict[Item, str]:
    """Each (article, gold entity) → the id of its body across articles (doubtful gold
    entities are left out)."""
    overrides = overrides or Overrides()
    parent: dict[Item, Item] = {}

    def find(x: Item) -> Item:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: Item, b: Item) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_form: dict[tuple[str, str], list[Item]] = defaultdict(list)
    split = set(overrides.split)
    for art, doc in sorted(golds.items()):
        for e in doc.entities:
            if is_doubtful_note(e.note):
                continue
            item = (art, e.name)
            parent[item] = item
            if item in split:
                continue
            for f in linking_forms(e.name, e.aliases):
                by_form[(e.type, f)].append(item)
    for items in by_form.values():
        for other in items[1:]:
            if other[0] != items[0][0]:  # within one article, two gold entities are two
                union(items[0], other)
    for a, b in overrides.merge:
        if a in parent and b in parent:
            union(a, b)
    return {item: "|".join(find(item)) for item in parent}


def predicted_clusters(
    golds: Mapping[str, GoldDoc], found: Mapping[str, Mapping[str, str]]
) -> dict[Item, str]:
    """Each (article, gold entity) → the key of the resolved entity it was matched to.
    ``found``: per article, every normalised name and alias of a resolved entity → its key."""
    out: dict[Item, str] = {}
    for art, doc in golds.items():
        forms = found.get(art, {})
        for e in doc.entities:
            if is_doubtful_note(e.note):
                continue
            # the gold name first (the most specific: 平湖市政府 before its alias 市政府, which
            # another body of the page may also be called), then the aliases in order
            keys = [forms[f] for f in (_norm(x) for x in (e.name, *e.aliases)) if f in forms]
            if keys:
                out[(art, e.name)] = keys[0]
    return out


@dataclass(frozen=True)
class IdentityScore:
    items: int
    gold_clusters: int
    across_articles: int  # gold bodies named in more than one article
    pairwise_p: float
    pairwise_r: float
    bcubed_p: float
    bcubed_r: float

    @staticmethod
    def f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"pairwise P {self.pairwise_p:.3f} R {self.pairwise_r:.3f} F1 "
                f"{self.f(self.pairwise_p, self.pairwise_r):.3f}; B-cubed P {self.bcubed_p:.3f} "
                f"R {self.bcubed_r:.3f} F1 {self.f(self.bcubed_p, self.bcubed_r):.3f} "
                f"({self.items} entities found, {self.gold_clusters} bodies, "
                f"{self.across_articles} of them in several articles)")


def compare(gold: Mapping[Item, str], predicted: Mapping[Item, str]) -> IdentityScore:
    """Pairwise and B-cubed precision and recall of ``predicted`` against ``gold`` over the
    items both have."""
    items = sorted(set(gold) & set(predicted))
    g_members: dict[str, set[Item]] = defaultdict(set)
    p_members: dict[str, set[Item]] = defaultdict(set)
    for it in items:
        g_members[gold[it]].add(it)
        p_members[predicted[it]].add(it)
    # pairwise: pairs of items in one predicted cluster that are in one gold cluster
    tp = sum(len(m) * (len(m) - 1) // 2 for p in p_members.values() for m in
             _split_by(p, gold).values())
    pred_pairs = sum(len(m) * (len(m) - 1) // 2 for m in p_members.values())
    gold_pairs = sum(len(m) * (len(m) - 1) // 2 for m in g_members.values())
    bp = sum(len(p_members[predicted[it]] & g_members[gold[it]]) / len(p_members[predicted[it]])
             for it in items)
    br = sum(len(p_members[predicted[it]] & g_members[gold[it]]) / len(g_members[gold[it]])
             for it in items)
    n = len(items)
    arts_of = {c: {a for a, _ in m} for c, m in g_members.items()}
    return IdentityScore(
        items=n,
        gold_clusters=len(g_members),
        across_articles=sum(1 for a in arts_of.values() if len(a) > 1),
        pairwise_p=tp / pred_pairs if pred_pairs else 1.0,
        pairwise_r=tp / gold_pairs if gold_pairs else 1.0,
        bcubed_p=bp / n if n else 1.0,
        bcubed_r=br / n if n else 1.0,
    )


def _split_by(members: set[Item], labels: Mapping[Item, str]) -> dict[str, set[Item]]:
    out: dict[str, set[Item]] = defaultdict(set)
    for it in members:
        out[labels[it]].add(it)
    return out


def resolved_forms(entities: Iterable, pages: Iterable[str]) -> dict[str, dict[str, str]]:
    """Per article file: every normalised name and alias of the resolved entities mentioned
    in it → the entity's key (for :func:`predicted_clusters`)."""
    stems = {p.rsplit(".", 1)[0]: p for p in pages}
    out: dict[str, dict[str, str]] = defaultdict(dict)
    ordered = sorted(entities, key=lambda e: e.key)
    # first what each article itself printed (its 市委 is the entity its own mention went
    # to), then the entities' other names and aliases
    for e in ordered:
        for m in e.mentions:
            art = stems.get(m.article.rsplit("-a", 1)[0])
            if art is not None:
                out[art].setdefault(_norm(m.text), e.key)
    for e in ordered:
        arts = {stems.get(m.article.rsplit("-a", 1)[0]) for m in e.mentions} - {None}
        forms = {_norm(x) for x in (e.name, *e.aliases)}
        for art in arts:
            for f in forms:
                out[art].setdefault(f, e.key)
    return dict(out)
