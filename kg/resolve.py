"""Entity resolution: one canonical entity per real-world thing.

Rules, each recorded in ``Entity.merged_by`` so that every merge can be explained:

``same-name``
    Mentions with the same normalised name (NFKC, no quotes or brackets) are one entity,
    within and across articles. People are the exception only where the evidence separates them.
``abbreviation``
    A general-knowledge abbreviation (上海交大 → 上海交通大学), also inside names.
``home-city``
    A municipal body named without its city (市科技局) is the home city's body
    (平湖市科技局) in this column; other cities' bodies (嘉兴市科技局) stay apart.
``declared-alias``
    ``（以下简称“X”）`` / ``（简称X）`` after a name.
``place-prefix``
    A name equal to another name of the same type without its leading place
    (明远长三角研究院 = 浙江明远长三角研究院).
``short-form``
    Within one page, a name that is the tail of exactly one longer organisation name of the same
    type (嘉善研究中心 → 浙江明远长三角研究院嘉善研究中心).
``trade-name``
    An enterprise's trade name (云帆 for 嘉兴云帆新材料科技有限公司), learned from the corpus and
    searched for in every page (:func:`gazetteer_mentions`).
``government-name``
    某市政府 is 某市人民政府 (the common short form of a division's people's government).

Places that act
---------------
When a city, county, district, town or province founds, co-founds, signs, cooperates,
supports, invests or brings something in (我市与某大学签约, 嘉兴市投资…), the actor is its
government, not the place: such a fact keeps the place as its subject in the extraction
records (the annotations name the place), and carries the government body's key as a
qualifier (``s_actor``/``o_actor``) that :mod:`kg.rdf` writes as the actor, with the place as
the fact's scope. The body is the one the texts name (某某市人民政府, 某某街道办事处), made when
no mention names it (rule ``government-of-place``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from .extract.lexicon import Lexicon, alternation
from .extract.pipeline import PageExtraction
from .model import ORG_TYPES, Entity, Mention, Page, Relation

_STRIP_RE = re.compile(r"[\s“”\"'‘’「」《》·・]")
_ALIAS_RE = re.compile(r"[（(](?:以下)?简称[为：:]?[“\"]?([^”\"）)]{2,16})[”\"]?[）)]")

#: Rule priority for choosing an entity's type when mentions disagree.
_RULE_WEIGHT = {
    "suffix": 5,
    "quoted": 4,
    "person": 5,
    "list": 3,
    "award": 3,
    "lexicon": 2,
    "place": 2,
    "gazetteer": 1,
}
#: Bare class nouns that are never a name on their own (besides every organisation suffix).
_GENERIC = {"中心", "平台", "该公司"}

#: Facts in which a place that is their subject (object) acts: in the graph, its government.
ACTS_AS_SUBJECT = frozenset(
    {"founded", "cofounded", "signedAgreementWith", "cooperatesWith", "supports", "investedIn"}
)
ACTS_AS_OBJECT = frozenset({"signedAgreementWith", "cooperatesWith", "introducedBy"})
#: The kinds of :attr:`Lexicon.places` that have a people's government.
_GOVERNED = frozenset({"provinces", "cities", "counties"})
_DIVISION_END = re.compile("(?:省|市|县|区|镇|乡|街道)$")
#: 某市政府 / 某县政府 / 省政府 (not 人民政府 already, not 政府办公室)
_SHORT_GOVERNMENT = re.compile("(?<=[省市县区镇乡])政府$")
#: a unit numbered in Chinese numerals (二十三所, 十一研究所)
_CN_NUMBERED_UNIT = re.compile(
    "(?<![一二三四五六七八九十])([一二三四五六七八九十]{2,3}|[一二三四五六七八九])(所|研究所)"
)
_GOV_DEPARTMENT_ENDS = ("局", "委", "厅", "办")
#: 集团 right before a numbered unit (某集团二院, 某集团23所): the unit is named either way
_GROUP_BEFORE_UNIT = re.compile("集团(?=[一二三四五六七八九十]院|\\d+所)")
#: a numbered institute (某某23所) and the level a longer name puts before it (某某二院23所)
_NUMBERED_INSTITUTE = re.compile("^(.{2,}?)(\\d+所)$")
_INSTITUTE_LEVEL = re.compile("[一二三四五六七八九十]院")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


#: tails that add nothing to a name (某园区 is 某, 某项目 is 某): rule ``generic-tail``
GENERIC_TAILS = ("园区", "项目")

#: the edition of a recurring event (第五届): a short name declared for one edition is its own
_EDITION = re.compile(r"第[0-9一二三四五六七八九十百]+届")


def cn_number(text: str) -> int:
    """A Chinese numeral below 100 as an integer.

    >>> [cn_number(t) for t in ("三", "十", "十二", "二十", "二十三")]
    [3, 10, 12, 20, 23]
    """
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _gov_short_form(name: str) -> str:
    """科学技术厅/局 = 科技厅/局, 科学技术委员会 = 科委 (the official short forms)."""
    return name.replace("科学技术委员会", "科委").replace("科技委员会", "科委").replace(
        "科学技术", "科技")


#: the body a department belongs to, when it follows a place (某地大学党委, 某地学院办公室)
_ORG_IN_NAME_RE = re.compile("(?:大学|学院|公司|集团|研究院|研究所|医院|银行)")


@functools.lru_cache(maxsize=1 << 18)
def norm(name: str) -> str:
    """Normalised comparison form of a name (names recur: computed once each)."""
    return _STRIP_RE.sub("", unicodedata.normalize("NFKC", name))


@dataclass
class Misses:
    """What the facts' look-ups did not find in the alias index (normalised names) and the
    government-body keys they tried then: an entity that later takes one of these names or
    keys would change an earlier fact."""

    names: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


@dataclass
class ResolveIndex:
    """What a resolution decided, kept so that pages added later can be resolved against it
    (:mod:`kg.incremental`); filled by :meth:`Resolver.resolve`."""

    scores: dict[str, dict[str, int]] = field(default_factory=dict)  # group -> type scores
    first_type: dict[str, str] = field(default_factory=dict)  # group -> its first mention's
    legal: set[str] = field(default_factory=set)  # groups with a legal form
    trade_keys: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: (type, trade name) of every mention the trade-name rule could redirect by (a gazetteer
    #: mention or 某某公司): a new key of such a trade name could change an earlier redirect
    trade_users: set[tuple[str, str]] = field(default_factory=set)
    traded: set[str] = field(default_factory=set)  # groups the trade-name rule redirects
    by_short: dict[tuple[str, str], str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    redirect: dict[str, str] = field(default_factory=dict)
    short_sources: set[str] = field(default_factory=set)
    alias_index: dict[str, str] = field(default_factory=dict)
    misses: Misses = field(default_factory=Misses)
    sub: set[tuple[str, str]] = field(default_factory=set)
    split: set[str] = field(default_factory=set)
    bodies: dict[str, str] = field(default_factory=dict)
    implied: set[str] = field(default_factory=set)
    home_key: str = ""
    declared: dict[str, str] = field(default_factory=dict)
    declaring: dict[str, set[str]] = field(default_factory=dict)
    declared_all: dict[str, set[str]] = field(default_factory=dict)

    def fill(self, *, groups: Mapping[str, list[Mention]], **kw: object) -> None:
        """Keep the groups' type scores, first types and legal forms, and ``kw`` as they are."""
        for k, ms in groups.items():
            score: dict[str, int] = {}
            for m in ms:
                score[m.type] = score.get(m.type, 0) + _rule_weight(m.rule)
            self.scores[k] = score
            self.first_type[k] = ms[0].type
        for name, value in kw.items():
            if isinstance(value, defaultdict):
                value = dict(value)
            setattr(self, name, value)


@dataclass
class Resolution:
    """The resolved graph content: entities by key, relations on keys."""

    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)


class Resolver:
    """Resolve mentions from many pages into entities."""

    def __init__(self, lexicon: Lexicon, home: str = "平湖市") -> None:
        self.lex = lexicon
        self.home = home
        self.home_short = home[:-1] if home.endswith("市") else home
        self._place_lengths = sorted({len(p) for p in lexicon.places}, reverse=True)
        # abbreviation lengths, longest first: expand() tries name[:n] for each (one dict
        # lookup per length instead of a startswith per abbreviation)
        self._abbr_lengths = sorted({len(a) for a in lexicon.abbreviations}, reverse=True)
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}  # key_of, memoised (pure)

    # -- naming --------------------------------------------------------------------------
    def is_generic(self, name: str) -> bool:
        """A bare organisation word (研究院, 孵化器, 研究中心 …) names no one thing."""
        if name in _GENERIC:
            return True
        if name in self.lex.gov_departments or name in self.lex.abbreviations:
            return False  # 组织部, 科技局: in a city's column these name the city's body
        suffix = self.lex.suffix_map.get(name)
        return suffix is not None and suffix.min_prefix > 0

    def expand(self, name: str) -> str:
        """Expand general abbreviations (上海交大 → 上海交通大学; 上海交大X… → 上海交通大学X…).

        Two-character abbreviations (清华, 北大) expand only when they are the whole name: inside a
        longer name they are usually part of another proper name (北大长三角研究院).
        """
        for n in self._abbr_lengths:
            abbr = name[:n]
            if len(abbr) == n and abbr in self.lex.abbreviations:
                full = self.lex.abbreviations[abbr][0]
                if name == abbr:
                    return full
                rest = name[len(abbr) :]
                if len(abbr) >= 3 and not name.startswith(full):
                    for k in range(min(len(full), len(rest)), 0, -1):
                        if full.endswith(rest[:k]):  # 航天科工 + 集团… → 中国航天科工集团…
                            return full + rest[k:]
                    return full + rest
        return name

    def key_of(self, name: str, typ: str) -> tuple[str, str]:
        """Identity key of a name and the rule that produced it (if not plain same-name)."""
        got = self._keys.get((name, typ))
        if got is None:
            got = self._keys[(name, typ)] = self._key_of(name, typ)
        return got

    def _key_of(self, name: str, typ: str) -> tuple[str, str]:
        n = norm(name)
        rule = ""
        if typ in ORG_TYPES and _CN_NUMBERED_UNIT.search(n):
            n, rule = _CN_NUMBERED_UNIT.sub(lambda m: str(cn_number(m.group(1))) + m.group(2),
                                            n), "numerals"  # 二十三所 = 23所
        e = self.expand(n)
        if e != n:
            n, rule = e, "abbreviation"
        if typ in ORG_TYPES and _GROUP_BEFORE_UNIT.search(n):
            n, rule = _GROUP_BEFORE_UNIT.sub("", n), "group-unit"  # 某集团二院 = 某二院
        if typ == "Place":
            base = n[:-1] if n[-1:] in "省市" and n[:-1] in self.lex.places else n
            if n.endswith("地区") and n[:-2] in self.lex.places:
                base = n[:-2]
            if base != n:
                return base, "place-suffix"
        if typ == "Industry":
            for suf in ("产业链", "产业", "行业", "领域"):
                if n.endswith(suf) and len(n) > len(suf) + 1:
                    return n[: -len(suf)], "industry-suffix"
        if typ == "GovernmentBody":
            if _SHORT_GOVERNMENT.search(n):
                n, rule = n[:-2] + "人民政府", "government-name"
            short = _gov_short_form(n)
            if short != n:
                n, rule = short, "government-short-form"  # 科学技术厅 = 科技厅, 委员会 = 委
            city = self._city_full(n)
            if city != n:
                n, rule = city, "city-full-name"  # 某地科技局 = 某地市科技局
            parent = self._without_parent_place(n)
            if parent != n:
                n, rule = parent, "parent-place"  # 上海某区科委 = 某区科委
            if n in self.lex.gov_departments and n[:1] not in "市省区县":
                return "市" + n, "home-city"  # 科技局 in a city column is the city's bureau
            for prefix in (self.home, self.home_short):
                if n.startswith(prefix + "市") and prefix == self.home_short:
                    continue
                if n.startswith(prefix) and len(n) > len(prefix):  # 平湖市委 = 市委
                    rest = n[len(prefix) :]
                    if not rest.startswith("市"):
                        rest = "市" + rest
                    return rest, "home-city"
        return n, rule

    def _elsewhere(self, ex: PageExtraction) -> str:
        """The city a page is about when it is not the home city: it never names the home
        city, and names another city or county (not one that contains the home city) twice or
        more; that place as the page prints it (``""``: the home city's page)."""
        if self.home_short in ex.page.text:
            return ""
        counts: dict[str, int] = defaultdict(int)
        printed: dict[str, str] = {}
        for m in ex.mentions:
            if m.type in ("Place", "Industry", "Person"):
                text = m.text if m.type == "Place" else ""
            else:  # the place that opens a body's name (某地学院, 某地市委) counts as well
                text = self.lex.place_at(m.text)
                if text == m.text:
                    continue
            p = text[:-1] if text[-1:] in "市县区" and len(text) > 2 else text
            if p in self.lex.places and p != self.home_short:
                counts[p] += 1
                printed[p] = max(printed.get(p, ""), text, key=len)
        best = max(sorted(counts), key=counts.__getitem__, default="")
        return printed[best] if best and counts[best] >= 2 else ""

    def _implied_elsewhere(self, r: Relation, city: str) -> Relation:
        """A body a post title implies (市委副书记 → the home city's 市委) is, in a page about
        another city, that city's: 某地市委."""
        if not city or not r.o.startswith(self.home):
            return r
        rest = r.o[len(self.home) :]
        level = self.home[-1:]
        place = self._with_level(city, level)
        return replace(r, o=place + rest) if place else r

    def _with_level(self, place: str, level: str) -> str:
        """``place`` as a place of that level (市, 县, 区), if the gazetteer knows it so: 某地 →
        某地市; ``""`` when the place is of another level."""
        if place.endswith(level):
            return place
        return place + level if (place + level) in self.lex.places else ""

    @functools.cached_property
    def _firm_tail_re(self) -> re.Pattern[str]:
        """Industry words then a legal form: what a registered name adds to a short one."""
        words = self.lex.patterns.get("anatomy_industry_words", [])
        legal = [s.suffix for s in self.lex.suffixes if s.legal]
        return re.compile(f"(?:{alternation(words)})*(?:{alternation(legal)})")

    def _firm_tail(self, rest: str) -> bool:
        return bool(self._firm_tail_re.fullmatch(rest))

    def _city_full(self, name: str) -> str:
        """某地科技局 → 某地市科技局: a city's short name right before a government
        department is the city (when the gazetteer knows 某地市)."""
        for p in self._prefixes(name):
            if (p + "市") in self.lex.places and not p.endswith("市"):
                rest = name[len(p):]
                if self.lex.place_end(rest) > 0:
                    return name  # 上海金山区科委: a district's body, not the city's
                if rest[:1] in "省市区县镇乡":
                    return name  # 某地市委 is already the city's
                if _ORG_IN_NAME_RE.match(rest):
                    return name  # 上海大学校党委: a university's committee, not the city's
                if rest in self.lex.gov_departments or rest.endswith(_GOV_DEPARTMENT_ENDS) and (
                    len(rest) <= 5
                ):
                    return p + "市" + rest
                return name
        return name

    def _without_parent_place(self, name: str) -> str:
        """上海金山区科委 → 金山区科委: a district's or county's body named with its city
        before it is the same body (the district's name is unique enough)."""
        for p in self._prefixes(name):
            if len(name) > len(p) + 2:
                rest = name[len(p):].removeprefix("市").removeprefix("省")
                for q in self._prefixes(rest):
                    if (q != p and len(q) >= 2
                            and (q.endswith(("区", "县")) or rest[len(q):len(q) + 1] in "区县")
                            and self.lex.nests(p, q)):
                        return rest
                return name
        return name

    def _prefixes(self, name: str) -> Iterator[str]:
        """The places ``name`` starts with, longest first (a look-up per length, not a scan of
        the gazetteer's 40,000 names)."""
        places = self.lex.places
        for n in self._place_lengths:
            if n <= len(name) and name[:n] in places:
                yield name[:n]

    def strip_place(self, name: str) -> str:
        for p in self._prefixes(name):
            if len(name) > len(p) + 3:
                rest = name[len(p) :]
                if rest[:1] in "省市" and len(rest) > 4:
                    rest = rest[1:]
                return rest
        return name

    # -- main ----------------------------------------------------------------------------
    def resolve(self, extractions: Iterable[PageExtraction],
                index: ResolveIndex | None = None) -> Resolution:
        """Resolve every page's mentions and facts. ``index``: filled with what an
        incremental resolution needs to take further pages (:mod:`kg.incremental`)."""
        res = Resolution()
        exts = list(extractions)
        groups: dict[str, list[Mention]] = defaultdict(list)
        why: dict[str, list[tuple[str, str]]] = defaultdict(list)
        page_alias: dict[str, dict[str, str]] = {}
        own_city: dict[str, str] = {}  # page -> the other city it is about ("" home)
        declared_all: dict[str, set[str]] = defaultdict(set)
        declaring: dict[str, set[str]] = defaultdict(set)  # alias -> pages that declare it
        for ex in exts:
            for alias, key in self._declared_aliases(ex).items():
                declared_all[alias].add(key)
                declaring[alias].add(ex.page.name)
        declared = {a: next(iter(ks)) for a, ks in declared_all.items() if len(ks) == 1}
        for ex in exts:
            res.pages[ex.page.name] = ex.page
            keyed, local, page_why, foreign = self.page_keys(ex, declared, declaring)
            own_city[ex.page.name] = foreign
            for k, m in keyed:
                groups[k].append(m)
            for k, reason in page_why:
                why[k].append(reason)
            page_alias[ex.page.name] = local
        # trade names: 云帆医用器材公司 / 云帆 → the registered company with that trade name
        trade_keys: dict[tuple[str, str], set[str]] = defaultdict(set)
        trade_users: set[tuple[str, str]] = set()
        for k, ms in groups.items():
            for m in ms:
                if not m.parts and not m.rule.startswith("gazetteer"):
                    continue
                parts = dict(m.parts)
                if "legal" in parts and parts.get("trade") and parts["legal"] != "公司":
                    trade_keys[(m.type, parts["trade"])].add(k)
                user = trade_user(m, parts)
                if user is not None:
                    trade_users.add(user)
        pre_redirect: dict[str, str] = {}
        for k, ms in groups.items():
            target = self.trade_target(ms, k, trade_keys)
            if target is not None:
                pre_redirect[k] = target[0]
                why[target[0]].append((target[1], "trade-name"))
        traded = set(pre_redirect)
        # a company's name without its industry word and legal form (某某新材料 / 某某新材料科技
        #股份有限公司): the one registered company in the corpus whose name continues it so
        legal = {k for k, ms in groups.items()
                 if any(part[0] == "legal" for m in ms for part in m.parts)}
        registered = sorted(k for k, ms in groups.items()
                            if k in legal and ms[0].type == "Enterprise")
        for k, ms in groups.items():
            if k in pre_redirect or ms[0].type != "Enterprise" or len(k) < 4 or k in legal:
                continue
            longer = [r for r in registered[bisect_left(registered, k):]
                      if r.startswith(k)]
            longer = [r for r in longer if self._firm_tail(r[len(k):])]
            if len(longer) == 1:
                pre_redirect[k] = longer[0]
                why[longer[0]].append((ms[0].text, "registered-name"))
        # 某集团23所 / 某集团二院23所: a numbered institute named without its level is the one
        # institute of that number under the same group with a level in the corpus
        for k, ms in groups.items():
            m = _NUMBERED_INSTITUTE.match(k)
            if m is None or k in pre_redirect or ms[0].type not in ORG_TYPES:
                continue
            head, unit = m.groups()
            fuller = [o for o in groups if o != k and o.startswith(head) and o.endswith(unit)
                      and _INSTITUTE_LEVEL.fullmatch(o[len(head):-len(unit)])]
            if len(fuller) == 1:
                pre_redirect[k] = fuller[0]
                why[fuller[0]].append((ms[0].text, "institute-level"))
        # place-prefix and short-form merges (longest names first)
        types = {k: self._type(ms) for k, ms in groups.items()}  # computed once: O(mentions)
        keys = sorted(groups, key=lambda k: (-len(k), k))
        redirect: dict[str, str] = dict(pre_redirect)
        by_short: dict[tuple[str, str], str] = {}
        for k in keys:
            short = self.short_of(k, types[k])
            if short:
                by_short.setdefault((types[k], short), k)
        for k in keys:
            typ = types[k]
            target = by_short.get((typ, k))
            if target and target != k:
                redirect[k] = target
                why[target].append((k, "place-prefix"))
        # a name that only adds a generic tail (园区, 项目) to another name is that name
        for k in keys:
            for tail in GENERIC_TAILS:
                base = k[: -len(tail)]
                if (
                    k.endswith(tail)
                    and base in groups
                    and k not in redirect
                    and types[base] == types[k]
                ):
                    redirect[k] = base
                    why[base].append((k, "generic-tail"))
        # within a page: tail of exactly one longer org name
        short_sources: set[str] = set()
        for ex in exts:
            for k, target in self.short_forms(ex.mentions, page_alias[ex.page.name], redirect,
                                              groups, types):
                short_sources.add(k)
                why[target].append((k, "short-form"))
        merged: dict[str, list[Mention]] = defaultdict(list)
        sources: dict[str, list[str]] = defaultdict(list)  # final key -> the groups it takes
        for k, ms in groups.items():
            final = self._final(redirect, k)
            merged[final].extend(ms)
            sources[final].append(k)
        stems = {name.rsplit(".", 1)[0]: page for name, page in res.pages.items()}
        merged_into: dict[str, list[str]] = defaultdict(list)  # final key -> keys with reasons
        for src in why:
            merged_into[self._final(redirect, src)].append(src)
        for k in sorted(merged):
            ms = merged[k]
            # one group of its own: its type is known (the same mentions in the same order)
            typ = types[k] if sources[k] == [k] else self._type(ms)
            reasons = set(why.get(k, []))
            for src in merged_into.get(k, []):
                reasons.update(why[src])
            res.entities[k] = self.make_entity(k, ms, typ, stems, reasons)
        # bodies named by a post title (副市长 → the home city's government) exist even when the
        # text never names them; they are derived from the post's sentence
        implied: list[str] = []
        for ex in exts:
            for k, name in self.implied_bodies(ex, own_city.get(ex.page.name, "")):
                if k not in res.entities and self._final(redirect, k) not in res.entities:
                    res.entities[k] = Entity(key=k, name=name, type="GovernmentBody",
                                             merged_by=[(name, "post:implied-body")])
                    implied.append(k)
        # relations
        alias_index = self._alias_index(res.entities)
        home_key = self.key_of(self.home, "Place")[0]
        misses = Misses()
        for ex in exts:
            local = page_alias[ex.page.name]
            city = own_city.get(ex.page.name, "")
            for r in ex.relations:
                r = self._placed(r, city)
                if home_key not in res.entities and self.home in (r.s, r.o):
                    # 我市 in a page that never prints the city's name: the city still exists
                    res.entities[home_key] = Entity(key=home_key, name=self.home, type="Place",
                                                    merged_by=[("我市", "home-city")])
                    alias_index.setdefault(norm(self.home), home_key)
                got = self._ends(r, local, redirect, alias_index, res.entities, misses)
                if got is not None:
                    res.relations.append(got)
        res.relations = _drop_parent_partnerships(_dedupe(res.relations))
        family = _sub_pairs(res.relations)
        owners = _split_namesakes(res, family)
        bodies = self._government_actors(res)
        if index is not None:
            index.fill(
                groups=groups, trade_keys=trade_keys, trade_users=trade_users, traded=traded,
                legal=legal,
                by_short=by_short, types=types, redirect=redirect, short_sources=short_sources,
                alias_index=alias_index, misses=misses, sub=family, split=set(owners),
                bodies=bodies, implied=set(implied), home_key=home_key,
                declared=declared, declaring=declaring, declared_all=declared_all,
            )
        return res

    def page_keys(self, ex: PageExtraction, declared: Mapping[str, str],
                  declaring: Mapping[str, set[str]]
                  ) -> tuple[list[tuple[str, Mention]], dict[str, str],
                             list[tuple[str, tuple[str, str]]], str]:
        """A page's mentions with their group keys (in page order), its local names (normalised
        name -> key), the merge reasons its keys give (key, (text, rule)) and the other city it
        is about (``""``: the home city)."""
        local: dict[str, str] = {}
        keyed: list[tuple[str, Mention]] = []
        page_why: list[tuple[str, tuple[str, str]]] = []
        # a page that never names the home city: its 市委, 市政府, 市科技局 are its own
        # city's, not the home city's (nor another page's)
        foreign = self._elsewhere(ex)
        for m in ex.mentions:
            if self.is_generic(norm(m.text)):
                continue
            named = _with_stated_place(m)
            k, rule = self.key_of(named, m.type)
            if foreign and m.type == "GovernmentBody" and named[:1] in "市县区":
                city = self._with_level(foreign, named[0])
                if city:  # 市委 in a page about 某地市: 某地市委
                    k, rule = self.key_of(city + named[1:], m.type)[0], "page-city"
                else:
                    k, rule = f"{k}@{ex.page.name}", "relative-name-elsewhere"
            n = norm(m.text)
            if n in declared and (
                ex.page.name in declaring.get(n, ())
                or not _EDITION.search(declared[n])
            ):  # 某洽会 of a page on the fourth edition is not the fifth's short name
                k, rule = declared[n], "declared-alias"
            keyed.append((k, m))
            if named == m.text:  # 某市委、市政府: the page's other 市政府 stay its own
                local[n] = k
            if rule:
                page_why.append((k, (m.text, rule)))
        return keyed, local, page_why, foreign

    def trade_target(self, ms: list[Mention], k: str,
                     trade_keys: Mapping[tuple[str, str], set[str]]
                     ) -> tuple[str, str] | None:
        """The registered company a group's first trade-name mention names (target key, the
        mention's text), if exactly one other group has that trade name."""
        for m in ms:
            parts = dict(m.parts)
            trade = parts.get("trade") or (m.text if m.rule.startswith("gazetteer") else "")
            targets = trade_keys.get((m.type, trade), set()) - {k}
            if len(targets) == 1 and (
                m.rule.startswith("gazetteer") or parts.get("legal") == "公司"
            ):
                return next(iter(targets)), m.text
        return None

    def short_of(self, k: str, typ: str) -> str:
        """The name a key stands for without its leading place (place-prefix rule), or ``""``
        when the rule does not apply to it."""
        if typ in ("Person", "Place", "Industry", "GovernmentBody"):
            return ""  # 某市科技局 is not our 市科技局: another city's body is another body
        short = self.strip_place(k)
        if short[:1] in "省市区县镇" or short == k:
            return ""
        return short

    def short_forms(self, mentions: list[Mention], local: Mapping[str, str],
                    redirect: dict[str, str], groups: Mapping[str, object],
                    types: Mapping[str, str]) -> list[tuple[str, str]]:
        """Within a page: the names that are the tail of exactly one longer organisation name
        of the page, redirected there (``redirect`` is updated as they are decided: each
        decision sees the earlier ones); returned as (key, the longer name's final key)."""
        names = {
            self._final(redirect, local[norm(m.text)])
            for m in mentions
            if norm(m.text) in local
        }
        ending_with: dict[str, list[str]] = defaultdict(list)  # tail -> longer names
        for o in names:
            for i in range(1, len(o) - 3):
                ending_with[o[i:]].append(o)
        out: list[tuple[str, str]] = []
        for k in sorted(names):
            typ = types.get(k, "")
            if (
                typ in ("Person", "Place", "Industry", "GovernmentBody", "")
                or len(k) < 4
                or k in redirect
            ):
                continue
            longer = [
                o
                for o in ending_with.get(k, ())
                if o in groups
                and types[o] == typ
                and self._is_name_head(o[: -len(k)], names)
            ]
            if len(longer) == 1:
                redirect[k] = self._final(redirect, longer[0])
                out.append((k, redirect[k]))
        return out

    def make_entity(self, k: str, ms: list[Mention], typ: str, stems: Mapping[str, Page],
                    reasons: Iterable[tuple[str, str]]) -> Entity:
        """The entity of the final key ``k`` from all its mentions: canonical name, aliases
        (with the forms the files print, for the pages in ``stems``), anatomy, merge reasons."""
        names = Counter(norm(m.text) for m in ms)
        canonical = max(names, key=lambda n: (len(n), names[n], n))
        if typ == "Industry":
            canonical = k  # the industry word itself, not 某某产业 / 某某领域
        if typ == "Place":
            pref = [n for n in names if n in (k + "市", k + "省")] or [
                n for n in names if n == k
            ]
            if pref:
                canonical = pref[0]
        kname = k.split("@", 1)[0]  # 市委@page: a relative name of another city's page
        if kname not in names and len(kname) > len(canonical):
            canonical = kname
        ent = Entity(key=k, name=canonical, type=typ)
        ent.aliases = {m.text for m in ms} | set(names) | {kname} | printed_forms(stems, ms)
        if typ in ("Program", "Event"):
            # “某某某某”行动 is also called by its quoted core
            ent.aliases |= {
                q.group(1)
                for n in list(ent.aliases) + [canonical]
                if (q := re.fullmatch(r"“([^“”]{2,20})”[\u4e00-\u9fff]{1,3}", n))
            }
        ent.aliases.discard(canonical)
        ent.mentions = sorted(ms, key=lambda m: (m.article, m.start, m.end))
        for m in ent.mentions:
            if norm(m.text) == canonical and m.parts:
                ent.parts = dict(m.parts)
                break
        ent.merged_by = sorted(set(reasons))
        return ent

    def implied_bodies(self, ex: PageExtraction, city: str) -> Iterator[tuple[str, str]]:
        """The bodies a page's post titles imply (key, name as written), in page order."""
        for r in ex.relations:
            if r.rule == "post:implied-body":
                r = self._implied_elsewhere(r, city)
                yield self.key_of(r.o, "GovernmentBody")[0], r.o

    def _placed(self, r: Relation, city: str) -> Relation:
        """A fact of a page about another city (``city``): its implied bodies and 我市 are
        that city's."""
        if r.rule == "post:implied-body":
            r = self._implied_elsewhere(r, city)
        if city and self.home in (r.s, r.o):  # 我市 in a page about another city
            r = replace(r, s=city if r.s == self.home else r.s,
                        o=city if r.o == self.home and not r.literal else r.o)
        return r

    def _ends(self, r: Relation, local: dict[str, str], redirect: dict[str, str],
              alias_index: dict[str, str], ents: dict[str, Entity], misses: Misses
              ) -> Relation | None:
        """The fact on entity keys, or ``None`` when an end is no entity (or both are one)."""
        s = self._lookup(r.s, local, redirect, alias_index, ents, misses)
        o = r.o if r.literal else self._lookup(r.o, local, redirect, alias_index, ents, misses)
        if not s or not o or s == o:
            return None
        return r if (s, o) == (r.s, r.o) else _with_ends(r, s, o)

    # -- places that act -----------------------------------------------------------------
    def division_name(self, place: Entity) -> str:
        """The full name of the administrative division a place entity is (平湖市 for 平湖,
        杭州市余杭区, 某某街道), or ``""`` for other places (regions, countries, zones)."""
        if place.key == self.key_of(self.home, "Place")[0]:
            return self.home
        places, towns = self.lex.places, self.lex.towns
        for name in sorted({place.name, *place.aliases}, key=lambda n: (-len(n), n)):
            if not _DIVISION_END.search(name):
                for end in "市县区省":  # 嘉兴 → 嘉兴市: the short form of one division
                    if places.get(name) in _GOVERNED and places.get(name + end) in _GOVERNED:
                        return name + end
                continue
            # the name, or its tail, is a division (杭州市余杭区 ends with 余杭区)
            if any(places.get(name[i:]) in _GOVERNED or name[i:] in towns
                   for i in range(len(name) - 1)):
                return name
        return ""

    def _government_actors(self, res: Resolution, bodies: dict[str, str] | None = None,
                           start: int = 0) -> dict[str, str]:
        """Facts in which a division acts get its government body as their actor (see the
        module's docstring): ``s_actor``/``o_actor`` qualifiers, the body made if needed.
        Returns the body of every place asked about (place key -> government key, ``""``
        none); ``bodies``: those known already; ``start``: the facts before it are done."""
        bodies = {} if bodies is None else bodies
        out: list[Relation] = res.relations[:start]
        for r in res.relations[start:]:
            extra: tuple[tuple[str, str], ...] = ()
            for end, key, acts in (("s_actor", r.s, ACTS_AS_SUBJECT),
                                   ("o_actor", r.o, ACTS_AS_OBJECT)):
                if r.p not in acts or (end == "o_actor" and r.literal):
                    continue
                place = res.entities.get(key)
                if place is None or place.type != "Place":
                    continue
                if key not in bodies:
                    bodies[key] = self._government_of(place, res)
                if bodies[key]:
                    extra += ((end, bodies[key]),)
            out.append(replace(r, qualifiers=r.qualifiers + extra) if extra else r)
        res.relations = out
        return bodies

    def _government_of(self, place: Entity, res: Resolution) -> str:
        """The key of a division's government body (made when no mention names it)."""
        full = self.division_name(place)
        if not full:
            return ""
        name = full + ("办事处" if full.endswith("街道") else "人民政府")
        key = self.key_of(name, "GovernmentBody")[0]
        ent = res.entities.get(key)
        if ent is None:
            res.entities[key] = Entity(key=key, name=name, type="GovernmentBody",
                                       merged_by=[(place.name, "government-of-place")])
        elif ent.type != "GovernmentBody":
            return ""
        return key

    def _is_name_head(self, head: str, names: set[str]) -> bool:
        """The part a short form leaves out must itself be a name (an org or a place)."""
        if head in names or head in self.lex.places:
            return True
        # a name of four or more characters that ends ``head``: its suffixes looked up in the
        # set (linear in the head's length, not in the number of names)
        return any(head[i:] in names for i in range(len(head) - 3))

    def _final(self, redirect: dict[str, str], k: str) -> str:
        seen = set()
        while k in redirect and k not in seen:
            seen.add(k)
            k = redirect[k]
        return k

    def _type(self, ms: list[Mention]) -> str:
        score: dict[str, int] = {}
        for m in ms:
            score[m.type] = score.get(m.type, 0) + _rule_weight(m.rule)
        if len(score) == 1:
            return next(iter(score))
        return max(score, key=lambda t: (score[t], t))

    def _declared_aliases(self, ex: PageExtraction) -> dict[str, str]:
        return {
            norm(m.group(1)): self.key_of(target.text, target.type)[0]
            for m, target in declared_antecedents(ex)
        }

    def _alias_index(self, ents: dict[str, Entity]) -> dict[str, str]:
        idx: dict[str, str] = {}
        for k, e in ents.items():
            for n in {e.name, k, *e.aliases}:
                idx.setdefault(norm(n), k)
        return idx

    def _lookup(
        self,
        name: str,
        local: dict[str, str],
        redirect: dict[str, str],
        idx: dict[str, str],
        ents: dict[str, Entity],
        misses: Misses | None = None,
    ) -> str:
        n = norm(name)
        if n in local:
            k = self._final(redirect, local[n])
            if k in ents:
                return k
        if n in idx:
            return idx[n]
        k = self._final(redirect, self.key_of(name, "GovernmentBody")[0])
        if misses is not None:  # an entity named so later would change this look-up
            misses.names.add(n)
            misses.keys.add(k)
        if k in ents:
            return k
        return ""


def trade_user(m: Mention, parts: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(type, trade name) when :meth:`Resolver.trade_target` could redirect by ``m`` (a
    gazetteer mention, or 某某公司), else ``None``."""
    parts = dict(m.parts) if parts is None else parts
    gazetteer = m.rule.startswith("gazetteer")
    trade = parts.get("trade") or (m.text if gazetteer else "")
    if gazetteer or parts.get("legal") == "公司":
        return m.type, trade
    return None


@functools.lru_cache(maxsize=1 << 12)
def _rule_weight(rule: str) -> int:
    """A mention rule's weight when mentions disagree on a type (:data:`_RULE_WEIGHT`)."""
    return _RULE_WEIGHT.get(rule.split(":", 1)[0], 1)


def _with_ends(r: Relation, s: str, o: str) -> Relation:
    """``replace(r, s=s, o=o)`` without its checks (called for most facts)."""
    return Relation(s, r.p, o, r.article, r.sentence, r.evidence, r.start, r.end, r.rule,
                    r.confidence, r.literal, r.qualifiers)


def printed_forms(pages: dict[str, Page], mentions: Iterable[Mention]) -> set[str]:
    """The names as the files print them, where that differs from the normalised text beyond
    width and spacing: traditional characters (浙江大學 for 浙江大学) are kept as aliases.
    ``pages``: by file name without extension (an article id is that plus ``-aNN``)."""
    out = set()
    for m in mentions:
        page = pages.get(m.article.rsplit("-a", 1)[0])
        if page is None:
            continue
        raw = "".join(page.original[m.start : m.end].split())
        if raw and raw != m.text and _plain(raw) != _plain(m.text):
            out.add(raw)
    return out


_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』《》")


@functools.lru_cache(maxsize=1 << 18)
def _plain(name: str) -> str:
    return unicodedata.normalize("NFKC", name).translate(_QUOTES)


def gazetteer_mentions(
    ex: PageExtraction, names: dict[str, str], rx: re.Pattern[str] | None = None
) -> list[Mention]:
    """Find learned short names (trade names) in a page where no mention covers them.

    ``names`` maps a short form to its entity type; ``rx`` is their compiled alternation (pass
    it when calling for many pages).
    """
    if not names:
        return []
    page = ex.page
    covered = bytearray(len(page.original) + 1)  # 1 where a mention already covers the char
    for m in ex.mentions:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    rx = rx or re.compile(alternation(list(names)))
    out: list[Mention] = []
    for art in page.articles:
        for sent in art.sentences:
            for m in rx.finditer(sent.text):
                s, e = page.to_original(sent.nstart + m.start(), sent.nstart + m.end())
                if any(covered[s:e]):
                    continue
                nxt = sent.text[m.end() : m.end() + 1]
                prv = sent.text[m.start() - 1 : m.start()] if m.start() else ""
                if re.match(r"[A-Za-z0-9]", nxt) or re.match(r"[A-Za-z0-9]", prv):
                    continue
                out.append(
                    Mention(
                        m.group(),
                        names[m.group()],
                        s,
                        e,
                        art.id,
                        sent.index,
                        "gazetteer:trade-name",
                    )
                )
    return out


def declared_short_names(exts: Iterable[PageExtraction]) -> dict[str, str]:
    """Short names declared in the text (（以下简称“X”）) with their antecedent's type."""
    out: dict[str, str] = {}
    for ex in exts:
        for m, target in declared_antecedents(ex):
            alias = m.group(1).strip('“”"')
            if len(alias) >= 2:
                out.setdefault(alias, target.type)
    return out


def declared_antecedents(ex: PageExtraction) -> Iterator[tuple[re.Match[str], Mention]]:
    """Each （以下简称“X”） of a page with the mention it names: the one ending at most two
    characters before it (the latest and longest). Mentions are searched by bisection, so a
    page with thousands of declarations stays linear-logarithmic."""
    page = ex.page
    order = sorted(range(len(ex.mentions)),  # ties: the first in page order wins, as max()
                   key=lambda i: (ex.mentions[i].end, ex.mentions[i].end - ex.mentions[i].start,
                                  -i))
    ms = [ex.mentions[i] for i in order]
    ends = [x.end for x in ms]
    for m in _ALIAS_RE.finditer(page.text):
        o_start, _ = page.to_original(m.start(), m.end())
        i = bisect_right(ends, o_start)  # mentions ending at or before o_start: ms[:i]
        if i and o_start - ends[i - 1] <= 2:
            yield m, ms[i - 1]


def learned_short_names(exts: Iterable[PageExtraction], lex: Lexicon) -> dict[str, str]:
    """Trade names of registered companies seen anywhere in the corpus (never a fixed list).

    Only names with a legal-form suffix teach a trade name, and only trade names that are not
    ordinary words (jieba's dictionary), places or industry words, so that 云帆 is learned
    but 科技 or 产业 never are.
    """
    from .extract.text import segmenter

    freq = segmenter().dt.FREQ  # loaded: segmenter() loads the dictionary
    out: dict[str, str] = {}
    bad = set(lex.places) | lex.industries | lex.left_stop | lex.generic_modifiers
    for ex in exts:
        for m in ex.mentions:
            parts = dict(m.parts)
            if m.type not in ("Enterprise", "FinancialInstitution") or "legal" not in parts:
                continue
            trade = parts.get("trade", "")
            if not (2 <= len(trade) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", trade)):
                continue
            if trade in bad or freq.get(trade, 0) > (50 if len(trade) > 2 else 0):
                continue
            out.setdefault(trade, m.type)
    return out


def _split_namesakes(res: Resolution, sub: set[tuple[str, str]] | None = None
                     ) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """Same-named people with posts in unrelated organisations are different people.

    A person whose name holds posts in two or more organisations, neither of which contains
    the other's name nor is recorded as its sub-organisation, is split: each mention and fact
    goes to "name@organisation" of the post its article states last at or before its sentence
    (the article's first post before that), so that three 王某 of one article with posts in
    three bodies are three people. Articles without a post stay with the original entity.
    """
    if sub is None:
        sub = _sub_pairs(res.relations)
    posts_of: dict[str, dict[str, set[tuple[str, int]]]] = defaultdict(lambda: defaultdict(set))
    for r in res.relations:
        if r.p == "holdsPost":
            posts_of[r.s][r.o].add((r.article, r.sentence))
    owners: dict[str, dict[str, list[tuple[int, str]]]] = {}  # person -> article -> posts
    for key in sorted(posts_of):
        ent = res.entities.get(key)
        if ent is None or ent.type != "Person":
            continue
        posts = posts_of[key]
        orgs = sorted(posts)
        related = all(
            a == b
            or a in b
            or b in a
            or (a, b) in sub
            or (b, a) in sub
            or res.entities[a].name in res.entities[b].name
            or res.entities[b].name in res.entities[a].name
            for a in orgs
            for b in orgs
        )
        if len(orgs) < 2 or related:
            continue
        by_art: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for org in orgs:
            for art, sent in posts[org]:
                by_art[art].append((sent, org))
        for lst in by_art.values():
            lst.sort()
        owners[key] = by_art
        moved: dict[str, list[Mention]] = defaultdict(list)
        kept: list[Mention] = []
        for m in ent.mentions:
            org = _post_owner(by_art, m.article, m.sentence)
            (moved[org] if org else kept).append(m)
        for org in orgs:
            if moved.get(org):
                new_key = f"{key}@{org}"
                res.entities[new_key] = Entity(
                    key=new_key,
                    name=ent.name,
                    type="Person",
                    aliases=set(ent.aliases),
                    mentions=moved[org],
                    merged_by=[(ent.name, f"namesake-split:{res.entities[org].name}")],
                )
        ent.mentions = kept
        if not ent.mentions:
            del res.entities[key]
    if owners:  # one pass over the relations, whatever the number of people split

        def moved_to(k: str, r: Relation) -> str:
            org = _post_owner(owners[k], r.article, r.sentence) if k in owners else None
            return f"{k}@{org}" if org else k

        res.relations = [
            replace(r, s=moved_to(r.s, r), o=r.o if r.literal else moved_to(r.o, r))
            if r.s in owners or (not r.literal and r.o in owners)
            else r
            for r in res.relations
        ]
    return owners


def _sub_pairs(rels: Iterable[Relation]) -> set[tuple[str, str]]:
    """The (unit, parent) pairs of the subOrganizationOf facts."""
    return {(r.s, r.o) for r in rels if r.p == "subOrganizationOf"}


def _post_owner(by_art: Mapping[str, list[tuple[int, str]]], article: str, sentence: int
                ) -> str | None:
    """The organisation of the post an article states last at or before ``sentence`` (its
    first post when none comes before); ``None`` for an article without a post."""
    posts = by_art.get(article)
    if not posts:
        return None
    owner = posts[0][1]
    for sent, org in posts:
        if sent > sentence:
            break
        owner = org
    return owner


def _drop_parent_partnerships(rels: list[Relation]) -> list[Relation]:
    """A unit does not "cooperate" with its own parent (研究院依托上海交通大学 where the
    institute is the university's): drop cooperatesWith/signedAgreementWith between two
    entities that a subOrganizationOf fact links."""
    family = {frozenset((r.s, r.o)) for r in rels if r.p == "subOrganizationOf"}
    return [
        r
        for r in rels
        if not (
            r.p in ("cooperatesWith", "signedAgreementWith") and frozenset((r.s, r.o)) in family
        )
    ]


def _dedupe(rels: list[Relation]) -> list[Relation]:
    best: dict[tuple, Relation] = {}
    for r in rels:
        key = (r.s, r.p, r.o, r.article, r.start)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r.article, r.start, r.s, r.p, r.o))


def _with_stated_place(m: Mention) -> str:
    """A government body named relative to a city that the sentence names just before it
    (某市委、市政府: the mention carries the place in its anatomy) is that city's; any
    other mention is its own text."""
    place = dict(m.parts).get("stated_place") if m.type == "GovernmentBody" else None
    if place and m.text[:1] in "市县区" and not m.text.startswith(place):
        return place + m.text[1:]
    return m.text
