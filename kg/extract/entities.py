"""Entity recognition by name anatomy, as a spaCy pipeline component.

Organisation names are found from the right: an organisation or legal-form suffix
(有限公司, 研究院, 孵化器 …) anchors the name, and the name extends leftwards over name-like
tokens (place, trade name, industry word) until a boundary: punctuation, a function word, a
clause verb, a rank adjective or a quotation mark. Lexicons add well-known abbreviations,
places, industries and government bodies; people are found after title words and in bylines.

The component writes ``doc._.kg_mentions`` (exact character offsets, one :class:`Candidate`
per mention) and, unless ``spans_key`` is empty, ``doc.spans[spans_key]`` (token-aligned, for
display; the batch build does without them).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import add
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..model import ORG_TYPES
from .lexicon import Lexicon, alternation
from .text import doc_text, segmenter, set_mentions, word_tags, words_of

CJK = r"\u4e00-\u9fff"
_CJK_RE = re.compile(f"[{CJK}]")
_ADMIN_RE = re.compile("[省市县区镇乡]")
_PUNCT_RE = re.compile(r"[^\w\u4e00-\u9fff]")
_BODY_OF_TITLE_HEADS = ("协会", "联盟", "联合会", "商会")
_BATCH_RE = re.compile(r"第[一二三四五六七八九十百0-9]+批次?")  # 第五批: a list's batch
_SCOPE_WORDS = frozenset({"服务", "建设", "投资", "研发"})
_FIRM_HEADS = ("有限公司", "股份有限公司", "有限责任公司", "公司", "集团")
_EDITION_RE = re.compile(r"第[一二三四五六七八九十百零〇0-9]+届")
_FILE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "html", "htm", "pdf", "doc"})
_DASHES = ("—", "－", "-", "——")
_AND_WORDS = frozenset({"与", "和"})
#: function words the segmenter may glue to a name's neighbours (某某对市科技局)
_GLUED_FUNCTION_RE = re.compile("[对由向把被在和与是让为将从给跟同及]")
#: words at which the walk left does more than test for a word that ends a name
_WALK_MARKS = frozenset({"联合", ".", "）", ")", "”", *_AND_WORDS, *_SCOPE_WORDS, *_DASHES})
_YEAR_RE = re.compile(r"\d{4}年度?")
_YEAR_BEFORE_RE = re.compile(r"\d{4}年度?$")
_LIST_WORD_RE = re.compile("认定名单|认定|培育名单|名单")
_FUNCTION_CHAR_RE = re.compile("[的与和及、在是]")
_TOWN_END_RE = re.compile("镇|乡(?!村|镇|土|亲|贤)|街道")  # 乡村, 乡镇, 乡土, 乡贤: no township
# words for places that name none (我市, 园区, 开发区): not places
_GENERIC_PLACES = frozenset(
    {
        "我市",
        "全市",
        "本市",
        "该市",
        "城市",
        "市区",
        "园区",
        "社区",
        "地区",
        "景区",
        "小区",
        "新区",
        "片区",
        "全省",
        "本省",
        "全区",
        "全县",
        "县区",
        "省市",
        "港区",
        "各县",
        "市县",
        "辖区",
        "全镇",
        "乡镇",
        "城镇",
        "广场",
        "大港",
        "海港",
        "该区",
        "分区",
        "专区",
        "试验区",
        "示范区",
        "功能区",
        "核心区",
        "集聚区",
        "先导区",
        "开发区",
        "高新区",
        "小镇",
    }
)
_GENERIC_PLACES_LONG = tuple(g for g in _GENERIC_PLACES if len(g) >= 3)
_PLACE_LAST_CHAR_RE = re.compile("[道镇乡县区港]")
#: 投资 after these is the verb or the sum: 计划投资, 总投资; a body that invests (某基金投资的项目)
_INVEST_VERB_RE = re.compile("(?:计划|总|平均|累计|预计|新增|拟|共|公司|集团|基金|资本|银行)投资$")
_LEAD_RE = re.compile(r"[\dA-Za-z\-\.]+(?=[\u4e00-\u9fff])")
_BRAND_RE = re.compile(r"[A-Z][A-Za-z]*\d*$")
_BRACKETED_RE = re.compile(r"[（(]([^（）()]{2,6})[）)]")
_COMMITTEE_END_RE = re.compile("委[市县区省镇]$")
_FIELD_END_RE = re.compile("(?:领域|行业|方向)$")
# kinds of capital: 社会资本, 金融资本, 耐心资本 … are no firms
_CAPITAL_KIND_RE = re.compile(
    "(?:社会|金融|国有|国资|民间|民营|耐心|传统|企业|产业|风险|工商|外来|外商|境外|长期|私人"
    "|财政|政府|人力|知识|战略|长线|优质|各类|产业链|重磅|人才|更多)$"
)
_DEICTIC_RE = re.compile("[该本各此其相关有]")
_FINANCE_RE = re.compile("银行|金控|创业投资|投资管理|资本|证券")
_UNIT_FUNCTION_RE = re.compile("[的与和及是在]")
_NUMBERED_UNIT_RE = re.compile(
    r"[一二三四五六七八九十\d]{1,4}院[一二三四五六七八九十百\d]{1,4}所|"
    r"集团[一二三四五六七八九十百\d]{1,4}所"
)
_DISTRICT_RE = re.compile("[^园片新]区$|县$")
_TOWN_ENDS = ("镇", "街道", "乡")
#: a village's or community's name after its town: two or three characters and 村/社区
_VILLAGE_RE = re.compile(
    r"([\u4e00-\u9fff]{2,3}?)(村|社区)(?![\u4e00-\u9fff]{0,1}(?:民|委|级|干部|书记))"
)
_NOT_VILLAGE = (
    "各", "全", "本", "该", "每", "农", "乡", "新农", "美丽", "相关", "周边", "所有", "部分"
)
#: a city's committee right before a body named relative to a city (某市委、市政府)
_STATED_PLACE_RE = re.compile(r"[市县区](?:委|党委)[、和及与]?$")
#: a web page's source line: 来源：<medium> (then a space, a mark or the end)
_SOURCE_RE = re.compile(
    r"(?:信息|文章|新闻|稿件)?来源\s*[:：]\s*([\u4e00-\u9fffA-Za-z0-9·]{2,12}?)"
    r"(?=$|[\s|｜,，。;；)）(（]|作者|编辑|记者|撰文|通讯员|发布)"
)
#: words a source line holds that name no medium
_NOT_MEDIA = frozenset({"本站", "本网", "网络", "互联网", "网友", "转载", "原创", "综合", "未知",
                        "其他", "本报", "新华社电"})
_BOOK_TITLE_RE = re.compile(r"《([^《》]{2,60})》")
_MEDIA_BEFORE_RE = re.compile("报|电视|卫视|新闻|栏目")
_MEDIA_INNER_RE = re.compile("新闻|日报|晚报")
_QUOTED_RE = re.compile(r"“([^“”]{2,40})”")
_CLAUSE_PUNCT_RE = re.compile("[，。、；：！？]")
_SCOPE_RE = re.compile(r"(?<![我全本该各])(国家|省|市)$")
_PROGRAM_NEXT_RE = re.compile(
    "项目|申报|工作|专项|人才|领军|的|等|实施|启动|主题|行动|为|是|已|将|中"
)
_VERSION_RE = re.compile(r"\d+(?:\.\d+)?版?")
_PRIZE_RE = re.compile(
    f"([{CJK}]{{0,8}}组)?(特等奖|[一二三]等奖|优胜奖|优秀奖|金奖|银奖|铜奖|第一名)"
)
_AWARD_STOP_RE = re.compile(r"[，。；！？,;]|等(?!奖)|称号|荣誉|的")  # 二等奖 is no 等 (etc.)
_AWARD_VERB_RE = re.compile("给予|由|对|将")
_INSTRUMENT_RE = re.compile("券|贷(?!款)")
_CJK_RUN_RE = re.compile(f"[{CJK}]+")
_CJK_TWO_RE = re.compile(f"[{CJK}]{{2}}")
_LIST_RE = re.compile(
    r"((?:[\w\u4e00-\u9fff]{2,12}[、及和])+[\w\u4e00-\u9fff]{2,12})"
    r"(?:等|\d+[只家个所])(?:[\u4e00-\u9fff]{0,16}?)"
    r"(厂家|厂商|企业|公司|车企|投资机构|机构|高校|院校|银行|基金)"
)
_LIST_SPLIT_RE = re.compile("[、及和]")
_KIND_ITEM_RE = re.compile("资本|项目|企业|产业|技术|政策|人才|行业|领域|平台|资金")
_KIND_ITEM_OR_FUND_RE = re.compile("资本|项目|企业|产业|技术|政策|人才|行业|领域|平台|资金|基金")
_DIGIT_RE = re.compile(r"\d")
_COORD_UNIT_RE = re.compile(f"[{CJK}]{{1,6}}[与和][{CJK}]{{1,6}}")
_ADMIN_CHARS = frozenset("省市区县")
_LIST_CLOSER_RE = re.compile(
    r"(?:等|\d[只家个所])[\u4e00-\u9fff]{0,16}?"
    r"(?:厂家|厂商|企业|公司|车企|投资机构|机构|高校|院校|银行|基金)"
)
_ORDINAL_RE = re.compile(
    r"^(第[一二三四五六七八九十百\d]+[届期批次]|\d{4}年度?|[一二三四五六七八九十\d]+)$"
)
_NON_NAME_TAGS = {
    "p",
    "c",
    "u",
    "uj",
    "ul",
    "uz",
    "ug",
    "uv",
    "ud",
    "r",
    "d",
    "y",
    "e",
    "o",
    "ad",
    "q",
    "mq",
}
# words for members that may stand inside an association's name (专家联谊会, 企业家协会)
_MEMBER_WORDS = frozenset(
    {"专家", "企业家", "校友", "人才", "院士", "学者", "青年", "博士", "企业"}
)
_UNIT_HEADS = ("学院", "研究院", "系", "实验室", "研究所")  # academic units: names may hold 与
_GOV_UNIT_HEADS = ("局", "办", "委员会")  # government departments: names may hold 与
#: last characters of bodies' and places' short names, never of a person's name before a title
_VERB_AFTER_PLACE = frozenset("建在赴到")
_BODY_END_CHARS = frozenset("园院局所厅委办处站馆区县镇村司行校会部")
_EVENT_INNER = frozenset(
    {"之", "及", "企业", "全市", "启动", "暨", "建设", "推进", "合作", "签约", "成立", "揭牌",
     "开园", "开业"}
)
# industry suffixes that resolution strips (激光产业 = 激光); others (板块, 赛道) are left off
_MERGED_INDUSTRY_SUFFIXES = ("产业链", "产业", "行业", "领域")
_NOT_INDUSTRY_NEXT = ("园", "化", "基", "联", "协")
_CONJUNCTIONS = ("和", "与", "及", "、")
# bodies of a zone, named with the zone's short name (高新区管委会, 开发区党工委)
_ZONE_BODIES = frozenset({"管委会", "党工委", "党委"})
# prefixes that point at a body without naming it (我市, 我校 + 政府/党委 …)
#: the party committees of divisions (某市市委): a name before them is a division's
_DIVISION_COMMITTEES = frozenset({"省委", "市委", "县委", "区委"})
#: organisation words after which a two-character common word is a firm's name (春风资本)
_FIRM_WORD_SUFFIXES = frozenset({"资本", "控股"})
#: a science award of the state or of a division (国家某某奖二等奖, 某省科学技术奖), not
#: 奖励 (科学技术奖励大会, 奖励的决定)
_SCIENCE_AWARD_RE = re.compile(
    r"(国家|[\u4e00-\u9fff]{2,4}?[省市])(?:科学技术|科技进步|技术发明|自然科学)奖"
    r"(?![励金])(?:[一二三]等奖|特等奖)?"
)
#: a rank that opens a name (国家级, 省级, 市级)
_LEVEL_RE = re.compile(r"(国家|省|市|县|区)级")
_NOT_A_NAME = frozenset(
    {
        "我市",
        "全市",
        "本市",
        "该",
        "这家",
        "一家",
        "多家",
        "市级",
        "省级",
        "我校",
        "我院",
        "本校",
        "该校",
        # no particular body: 地方政府, 当地政府, 基层政府, 上级部门
        "地方",
        "当地",
        "基层",
        "属地",
        "各地",
        "上级",
    }
)
# characters that may follow a firm's name ending in 投资 (某某投资、某某投资等)
_AFTER_NAME = frozenset("、等与和及的是在将已于为对作也还均")
# the last character of a body's name, never of a person's (党工委, 某某镇)
_ORG_FINAL = frozenset("委镇局区县市省村厅办部处所院校司乡街会社队站组厂")
# characters that do not stand in a given name: function words of the clause
_NOT_IN_NAMES = frozenset("的了着是等在和与及对说就把被让给")
_LIST_JOINTS = frozenset({"、", "和", "及", "以及", "与", "及其"})
_NUMERALS = frozenset("一二三四五六七八九十百两几")
# between awards of a list: 、 and, between quoted names, 与/和/及 (“甲奖”与“乙奖”)
_AWARD_SEP_RE = re.compile("、|(?<=”)(?:与|和|及|以及)(?=“)")
# a quoted award and a class word after it: “某某奖”, “某某奖”两个奖项, “某某奖”称号
_QUOTED_AWARD_RE = re.compile(
    r"“([^“”]+?奖)”(?:[两二三四五六七八九十几多等]个)?(?:奖项|称号|荣誉)?"
)
_GLUED_STOPS = set("以及与和在对向从把被将为由只个家获")
_COUNT_RE = re.compile(r"^[\d一二三四五六七八九十两几多数]+[大个家只项批类种所名位]$")
# Words that are bare class nouns: a name does not start with them (孵化器云溪智造园).
_GENERIC_HEADS = (
    "孵化器",
    "众创空间",
    "科技园",
    "研究院",
    "研究所",
    "实验室",
    "企业",
    "公司",
    "高校",
    "院所",
    "平台",
    "基地",
    "园区",
    "中心",
)


def _lengths_by(words: Iterable[str], key: Callable[[str], str]) -> dict[str, tuple[int, ...]]:
    """The lengths of the words by a key (their first or last character), longest first."""
    out: dict[str, set[int]] = {}
    for w in words:
        if w:
            out.setdefault(key(w), set()).add(len(w))
    return {k: tuple(sorted(v, reverse=True)) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A mention found in a doc: character offsets into ``doc.text``."""

    start: int
    end: int
    type: str
    rule: str
    parts: tuple[tuple[str, str], ...] = ()
    priority: int = 0

    def text(self, doc_text: str) -> str:
        return doc_text[self.start : self.end]


if not Doc.has_extension("kg_mentions"):
    Doc.set_extension("kg_mentions", default=None)


class EntityRecognizer:
    """Rule-based recogniser; see the module docstring."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        lexicon: Lexicon,
        max_name: int = 32,
        spans_key: str | None = "kg_entities",
    ) -> None:
        self.name = name
        self.spans_key = spans_key
        self.lex = lexicon
        self.max_name = max_name
        self._tags: dict[str, str] = word_tags()
        self._freq: dict[str, int] = segmenter().dt.FREQ
        lx = lexicon
        self._event_re = re.compile(alternation(lx.patterns.get("event_suffixes", [])))
        self._program_re = re.compile(alternation(lx.patterns.get("program_suffixes", [])))
        self._abbr_re = re.compile(alternation(list(lx.abbreviations)))
        self._ind_text: str | None = None
        # ranked titles (省级众创空间, 某某市级研发中心): found from the title, the rank looked up
        # before it (ranks are every province, city and county: a set, not an alternation)
        self._title_ranks = frozenset(lx.patterns.get("award_rank", [])) | lx.place_ranks
        self._rank_ends = _lengths_by(self._title_ranks, lambda r: r[-1])  # by last character
        titles = alternation(lx.patterns.get("award_titles", []))
        ptitles = alternation(lx.patterns.get("program_titles", []))
        self._award_title_hint = re.compile(titles) if titles else None
        self._program_title_hint = re.compile(ptitles) if ptitles else None
        self._ind_spans: list[tuple[int, int]] = []
        nouns = lx.patterns.get("appositive_class_nouns", [])
        words = lx.patterns.get("trade_words", [])
        self._appositive_re = (
            re.compile(
                rf"(?:{alternation(nouns)})([\u4e00-\u9fff]{{1,6}}?(?:{alternation(words)}))"
            )
            if nouns and words
            else None
        )
        gov = [p + d for p in lx.gov_prefixes for d in lx.gov_departments] + lx.gov_departments
        self._gov_re = re.compile(alternation(gov))
        self._famous_re = re.compile(alternation(lx.famous)) if lx.famous else None
        self._surnames = set(lx.surnames)
        self._person_stop = tuple(sorted(lx.person_stop, key=len, reverse=True))
        self._person_stop_long = tuple(w for w in self._person_stop if len(w) > 1)
        self._person_nouns = tuple(lx.patterns.get("person_class_nouns", [])) or ("\x00",)
        post = lx.titles + lx.post_name_titles
        self._post_title_re = re.compile(alternation(t for t in post if len(t) > 1))
        self._award_trig_re = re.compile(alternation(lx.patterns.get("award_triggers", [])))
        self._award_heads = sorted(lx.patterns.get("award_heads", []), key=len, reverse=True)
        self._anatomy_words = sorted(
            lx.patterns.get("anatomy_industry_words", []), key=len, reverse=True
        )
        self._anatomy_ends = tuple(self._anatomy_words)
        self._anatomy_set = frozenset(self._anatomy_words)
        self._anatomy_lengths = sorted({len(w) for w in self._anatomy_words}, reverse=True)
        self._exclusions = {suf: tuple(ws) for suf, ws in lx.suffix_exclusions.items()}
        self._prog_trig = set(lx.patterns.get("program_triggers", []))
        self._generic_prog = set(lx.patterns.get("generic_program_words", []))
        self._event_words = frozenset(lx.patterns.get("event_suffixes", []))
        self._scheme_shapes = [re.compile(x) for x in lx.patterns.get("scheme_shapes", [])]
        self._stop_memo: dict[str, bool] = {}
        self._field_memo: dict[str, bool] = {}
        self._place_memo: dict[str, bool] = {}
        self._cross_memo: dict[tuple[str, bool], bool] = {}
        self._org_endings = tuple({*lx.suffix_map, *_GENERIC_HEADS, *lx.abbreviations, *lx.famous})
        self._ind_suffix_re = re.compile(alternation(lx.industry_suffixes) or "$^")
        self._toks: list[tuple[int, int, str]] = []
        self._tok_ends: list[int] = []
        self._words: list[str] = []
        self._place_firsts: list[int] = []  # the sentence's words that begin a place's name
        self._text = ""
        self._rank_set = frozenset(lx.rank_adjectives) | {
            r for r in lx.place_ranks if r[-1] == "级"
        }
        self._rank_starts = _lengths_by(self._rank_set, lambda r: r[:1])  # by first character
        self._modifiers = tuple(sorted(lx.generic_modifiers, key=lambda w: (-len(w), w)))
        # a run of modifiers taken as the loop of _modifiers_only takes them: at each place the
        # longest that starts there, never given back (atomic group, possessive repeat)
        self._modifiers_re = re.compile("(?:(?>" + alternation(self._modifiers) + "))*+")
        self._generic_words_re = re.compile("(?:" + alternation(sorted(
            {*lx.generic_modifiers, *lx.industry_generic_words, *lx.rank_adjectives,
             *self._rank_set, "国有", "公共", "人才", "产业", "服务"})) + ")+")
        self._units_by_length = [
            (u, tuple(u["parent"]), re.compile(rf"([{CJK}]{{0,14}}?){re.escape(u['suffix'])}"))
            for u in sorted(lx.unit_suffixes, key=lambda u: -len(u["suffix"]))
        ]
        self._suffix_heads = tuple(
            sorted(
                {s for s in lx.suffix_map if len(s) >= 2}
                | {u["suffix"] for u in lx.unit_suffixes if len(u["suffix"]) >= 2}
            )
        )
        self._unit_parent_ends = tuple({p for u in lx.unit_suffixes for p in u["parent"]})
        self._heads = tuple(
            sorted(  # longest first, then in character order: the same order in every run
                set(_GENERIC_HEADS) | {x.suffix for x in lx.suffixes if len(x.suffix) >= 3},
                key=lambda h: (-len(h), h),
            )
        )
        self._heads_by_first: dict[str, list[tuple[int, str]]] = {}
        for k, head in enumerate(self._heads):  # by first character, in the heads' order
            self._heads_by_first.setdefault(head[:1], []).append((k, head))
        self._prog_follow = tuple(lx.patterns.get("program_follow", []))
        self._compound = frozenset(lx.compound_surnames)
        self._compound_by_first: dict[str, list[str]] = {}
        for cs in lx.compound_surnames:
            self._compound_by_first.setdefault(cs[:1], []).append(cs)
        # a byline or credit: the role, a colon or slash or space, then the names
        roles = alternation(lx.patterns.get("byline_roles", [])) or "$^"
        self._byline_re = re.compile(rf"(?:{roles})[：:/／\s]*")

    # ---------------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        # the words and their offsets without Token objects (a third of the cost)
        words, starts = words_of(doc)
        ends = list(map(add, starts, map(len, words)))
        toks = list(zip(starts, ends, words))
        prefixes = self.lex.place_prefixes
        self._place_firsts = [i for i, w in enumerate(words) if w in prefixes]
        self._words = words
        self._text = text
        self._toks = toks
        self._tok_ends = ends
        cands: list[Candidate] = []
        cands += self._suffix_orgs(text, toks)
        cands += self._lexicon(text)
        cands += self._industries(text, toks)
        cands += self._places(text, toks)
        cands += self._quoted(text)
        cands += self._events_programs(
            text, toks, [c for c in cands if c.type in ORG_TYPES and c.priority >= 2]
        )
        cands += self._awards(text)
        cands += self._award_titles(text)
        cands += self._persons(
            text, {c.end for c in cands if c.type in ORG_TYPES or c.type == "Place"}
        )
        cands += self._appositive_firms(text)
        if "来源" in text:
            cands += self._source_media(text, cands)
        cands += self._prizes(text, [c for c in cands if c.type == "Event"])
        cands += self._units(text, toks, [c for c in cands if c.type in ORG_TYPES])
        numbered = self._numbered_units(text, toks)
        cands += numbered
        cands += self._unit_labs(numbered, cands)
        cands += self._list_members(text, cands)
        cands += self._district_places(text, cands)
        # 三等奖及以上奖项, 市级以上孵化器11家: a range of grades or a count of a class, not a
        # title or programme named
        if "以上" in text:
            cands = [c for c in cands
                     if not (c.type in ("Award", "Program") and "以上" in text[c.start : c.end])]
        chosen = self._select(text, cands)
        if "委" in text:
            chosen = [self._stated_place(text, c) for c in chosen]
        set_mentions(doc, chosen)
        if not self.spans_key:
            return doc
        spans = []
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=c.type, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc

    # ---------------------------------------------------------------------------------------
    def _tag(self, word: str) -> str:
        return self._tags.get(word, "x")

    def _is_stop_token(self, tok: str) -> bool:
        """Does this token end a name walking left? (memoised: a function of the token)"""
        known = self._stop_memo.get(tok)
        if known is None:
            if len(self._stop_memo) > 500_000:
                self._stop_memo.clear()
            known = self._stop_memo[tok] = self._stop_token(tok)
        return known

    def _stop_token(self, tok: str) -> bool:
        if tok in self.lex.suffix_map:
            return False  # 支行, 基金: organisation words are never clause verbs
        if tok in self.lex.left_stop:
            return True
        if len(tok) >= 3 and (
            tok[-2:] in self.lex.left_stop or tok[:2] in ("充分", "大力", "积极")
        ):
            return True  # 大力支持, 充分发挥: the segmenter's phrase tokens end in a clause verb
        if (
            len(tok) >= 4
            and tok[-2:] not in self.lex.name_verbs
            and self._tag(tok[-2:]) == "v"
            and self._freq.get(tok[-2:], 0) >= 1000
        ):
            return True  # 开会讨论, 认真研究: a phrase token that ends in a common verb
        if _PUNCT_RE.search(tok) and tok not in ("·",):
            return True
        if tok.isdigit() or _COUNT_RE.match(tok):
            return True
        tag = self._tag(tok)
        if tag in _NON_NAME_TAGS and len(tok) <= 2:
            return True
        if tag in ("v", "vd", "vi", "vg", "i") and tok not in self.lex.name_verbs:
            if self._freq.get(tok, 0) >= 100 or tag == "i":
                return True
        if tag == "m" and not _ORDINAL_RE.match(tok):
            return True
        return False

    def _walk_left(
        self,
        text: str,
        toks: list[tuple[int, int, str]],
        pos: int,
        allow: frozenset[str] = frozenset(),
    ) -> int:
        """Leftmost start of a name whose first suffix character is at ``pos``.

        ``allow``: words that may stand inside this kind of name although they usually end one
        (之, 及 and 企业 inside event names: …大会战之科技人才月…专场活动).
        """
        # the first token that holds pos or starts after it: the first that ends after pos
        ends = self._tok_ends if toks is self._toks else [e for _, e, _ in toks]
        idx = bisect_right(ends, pos)
        if idx == len(toks):
            return pos
        start = toks[idx][0] if toks[idx][0] < pos else pos
        if toks[idx][0] < pos:
            # the suffix starts inside a token: the token's head must itself be name-like
            head = text[toks[idx][0] : pos]
            if head in self.lex.left_stop or _PUNCT_RE.search(head):
                start = pos
                return start
        k = idx - 1
        joint = False
        stops = self._stop_memo  # (looked up here first: most words are known)
        while k >= 0:
            s, e, tok = toks[k]
            if start - s > self.max_name:
                break
            if tok in _WALK_MARKS or k >= 2 and toks[k - 1][2] in _AND_WORDS:
                # the marks and words a name may hold or be cut at (the common words only
                # take the stop tests below)
                if tok == "联合" and e == pos:
                    # 联合实验室, 联合学院: a joint unit; 联合 belongs to the name's head
                    joint = True
                    start = s
                    k -= 1
                    continue
                if tok in _SCOPE_WORDS and e == pos and text.startswith(_FIRM_HEADS, pos):
                    start = s  # 某某科技服务有限公司, 某某建设集团: the firm's line of business
                    k -= 1
                    continue
                if joint and tok in _DASHES and k >= 1 and not self._is_stop_token(toks[k - 1][2]):
                    # 某大学—某市某某联合实验室: the partner before the dash is part of the name
                    start = s
                    k -= 1
                    continue
                if (
                    tok == "."
                    and 0 < k < len(toks) - 1
                    and toks[k + 1][2].lower() not in _FILE_EXTENSIONS
                    and toks[k - 1][2].isascii()
                    and toks[k - 1][2].isalnum()
                    and toks[k + 1][2].isascii()
                    and toks[k + 1][2].isalnum()
                ):
                    start = s  # L.A: a dot between Latin letters stands inside a name
                    k -= 1
                    continue
                if tok in ("）", ")"):
                    j = k - 1
                    while j >= 0 and toks[j][2] not in ("（", "(") and start - toks[j][0] <= 10:
                        j -= 1
                    if j >= 1 and toks[j][2] in ("（", "("):
                        inner = text[toks[j][1] : s]
                        if (
                            inner
                            and not _PUNCT_RE.search(inner)
                            and not self._is_stop_token(toks[j - 1][2])
                        ):
                            start = toks[j][0]
                            k = j - 1
                            continue
                    break
                # 机械与动力学院 in a list of a university's schools: the name spans the 与, whether
                # the walk has reached the 与 or stopped at the word after it (运载 is also a verb)
                if (
                    tok in ("与", "和")
                    and k >= 2
                    and start - s <= 8
                    and text.startswith(_GOV_UNIT_HEADS, pos)
                ):
                    # 某区科技与人才局, 区经济发展与生态环境办: a department of a zone or a county
                    # named for two fields; the walk goes on over the zone's name
                    j, width = k - 1, 0  # the first field: up to four characters, one or two words
                    while j >= 1 and width + len(toks[j][2]) <= 4 and not self._is_stop_token(
                        toks[j][2]
                    ):
                        width += len(toks[j][2])
                        if width >= 2 and toks[j - 1][2].endswith(("区", "县", "市", "镇", "街道")):
                            break
                        j -= 1
                    else:
                        j = -1
                    if j >= 1:
                        start = toks[j][0]
                        k = j - 1
                        continue
                unit = None
                if (
                    tok in ("与", "和")
                    and text.startswith(("研究院", "研究所", "实验室"), pos)
                    and self._coordination_inside(toks, k, start, pos)
                ):
                    start = toks[k - 1][0]
                    k -= 2
                    continue
                if tok in ("与", "和") and start - s <= 8:
                    unit = self._coordinated_unit_start(text, toks, k, pos, _UNIT_HEADS + ("中心",))
                elif k >= 2 and toks[k - 1][2] in ("与", "和") and 1 < len(tok) <= 3:
                    if not _PUNCT_RE.search(tok):
                        unit = self._coordinated_unit_start(text, toks, k - 1, pos, _UNIT_HEADS)
                if unit is not None:
                    start = unit
                    break
                if tok == "”" and k >= 2:
                    j = k - 1
                    while j >= 0 and toks[j][2] != "“" and start - toks[j][0] <= 14:
                        j -= 1
                    if j >= 0 and toks[j][2] == "“" and start - toks[j][0] <= 14:
                        start = toks[j][0]  # “揭榜挂帅”服务系统: a quoted word inside a name
                        k = j - 1
                        continue
                    break
            stop = stops.get(tok)
            if stop is None:
                stop = self._is_stop_token(tok)
            if stop and tok not in allow and not self._in_industry(text, s, e):
                break
            if len(tok) >= 2 and tok[0] in _GLUED_STOPS and tok not in self._freq:
                start = s + 1  # 以云溪 / 及明远: the segmenter glued a function word on
                break
            start = s
            k -= 1
        return start

    def _coordinated_unit_start(
        self, text: str, toks: list[tuple[int, int, str]], c: int, pos: int, heads: tuple[str, ...]
    ) -> int | None:
        """Start of "X与Y<head>" when the conjunction is token ``c``, X is a short name word and
        the phrase stands in a list (after 、，以及 or at the start)."""
        if c < 1 or not text.startswith(heads, pos):
            return None
        ls, _, ltok = toks[c - 1]
        before = toks[c - 2][2] if c >= 2 else "、"
        if (
            1 < len(ltok) <= 3
            and not self._is_stop_token(ltok)
            and before in ("、", "，", ",", "以及", "及")
            and not self.lex.is_place(ltok)
            and not self._tag(ltok).startswith("ns")
        ):
            return ls  # not 某市与某某研究院: a place and a body, two names
        return None

    def _coordination_inside(
        self, toks: list[tuple[int, int, str]], c: int, start: int, pos: int
    ) -> bool:
        """Is the conjunction (token ``c``) inside a research body's name that goes on to its
        left (某某产业与某某研究院, 某某所材料技术与工程研究所)? The two parts are field
        words: the right one short, the left one a word that is no place, body or verb, and
        the name's word before it no verb or punctuation either."""
        if c < 2 or pos - start > 6:
            return False
        ltok, before = toks[c - 1][2], toks[c - 2][2]
        return (
            1 < len(ltok) <= 4
            and not self._is_stop_token(ltok)
            and not self.lex.is_place(ltok)
            and ltok not in self.lex.famous
            and not self._tag(ltok).startswith(("ns", "nr", "nt", "nz", "v"))
            and not self._ends_with_suffix(ltok)
            and len(before) >= 2
            and not _PUNCT_RE.search(before)
            and not self._is_stop_token(before)
            and not self._tag(before).startswith(("v", "p", "c", "d"))
        )

    def _in_industry(self, text: str, s: int, e: int) -> bool:
        """Is ``text[s:e]`` inside an industry term (节水 in 现代农业及节水灌溉行业专场赛)?"""
        if self._ind_text is not text:
            self._ind_text = text
            self._ind_spans = [(m.start(), m.end()) for m in self.lex.industry_re.finditer(text)]
        return any(a <= s and e <= b and b - a > e - s for a, b in self._ind_spans)

    def _ends_with_suffix(self, words: str) -> bool:
        """Do the words end with an organisation's or a unit's head (某某校区, 某某中心)?"""
        return any(
            words.endswith(s) for s in self._suffix_heads
        )

    def _party_of_a_body(self, prefix: str) -> bool:
        """Does the prefix end with a university's, a company's or an institute's name (or
        校, a school's: 某某大学校党委), so that 党委 is that body's, not a government's?"""
        if prefix.endswith("校"):
            return True
        for k in range(min(len(prefix), 8), 1, -1):
            suf = self.lex.suffix_map.get(prefix[-k:])
            if suf is not None:
                return suf.type in ("University", "Enterprise", "ResearchInstitute",
                                    "FinancialInstitution", "Fund")
        return False

    def _generic_words_only(self, prefix: str) -> bool:
        """Is the prefix only generic modifiers and generic words of fields (科创飞地, 国有产业园,
        区域公共创新服务平台, 一省级…综合体)? A kind of platform, not one named."""
        rest = prefix.lstrip("一")
        return not rest or self._generic_words_re.fullmatch(rest) is not None

    def _modifiers_only(self, prefix: str) -> bool:
        """Is the prefix empty or only generic modifiers (一流, 国家, 世界一流)? Read from the
        left, at each place the longest modifier that starts there."""
        return self._modifiers_re.fullmatch(prefix) is not None

    def _excluded(self, name: str, suffix: str) -> bool:
        """Common words that end like an organisation (布局, 子公司) are not names."""
        return name.endswith(self._exclusions.get(suffix, ()))

    def _after_place_verb(self, text: str, start: int, suffix_start: int) -> int:
        """A place, then a one-character verb the segmenter glued to it (某镇建|先进材料创新中心,
        某市在|某某园): the name starts after the verb (建设, 在线 stay: they are words)."""
        p_end = self.lex.place_end(text[start:suffix_start])
        i = start + p_end
        if (
            p_end > 0
            and text[i : i + 1] in _VERB_AFTER_PLACE
            and self._freq.get(text[i : i + 2], 0) < 50
            and suffix_start - i > 2
        ):
            return i + 1
        return start

    def _cut_function_word(self, text: str, start: int, suffix_start: int) -> int:
        """Cut a name after a function word the segmenter glued to its neighbours
        (张立新对市科技局 → 市科技局, 后由市科技局 → 市科技局)."""
        # the function words inside, the last first
        for i in reversed([m.start() for m in _GLUED_FUNCTION_RE.finditer(text, start + 1,
                                                                            suffix_start)]):
            if self._tag(text[i]) in ("p", "c", "v", "d"):
                rest = text[i + 1 : suffix_start]
                if (
                    rest[:1] in "市省区县"
                    or self.lex.place_end(rest) > 0
                    or any(rest.startswith(a) for a in self.lex.abbreviations if len(a) >= 2)
                ):
                    return i + 1
        return start

    def _name_start(
        self,
        text: str,
        toks: list[tuple[int, int, str]],
        start: int,
        suffix_start: int,
        legal: bool = False,
    ) -> int:
        """Where an organisation's name starts, given where the walk left stopped:

        * back to a place the walk stopped short of, over at most three words that may stand
          in a trade name though they end a name elsewhere (浙江云达 / 临安市聚鑫 / 上海某某联动
          科技有限公司: jieba's split of a trade name, a verb; in a registered name (``legal``)
          a numeral too: 某市百家某某有限公司);
        * forward past a phrase before a place inside the name (社会效益明显江苏某某科技有限公司,
          技术推广中国某某股份有限公司): official names start with their place;
        * forward past common verbs at the start (统筹运营某某公司, 推广某某集团有限公司)."""
        ends = self._tok_ends
        j = bisect_right(ends, start) - 1
        if j >= 0 and toks[j][1] == start and not _PUNCT_RE.match(text, start - 1):
            k = j
            while k >= 0 and j - k < (4 if legal else 3) and start - toks[k][0] <= 8:
                tok = toks[k][2]
                if self._is_place_word(tok):
                    if k < j:
                        return toks[k][0]
                    break
                if not self._crossable(tok, legal):
                    break
                k -= 1
        prefix = text[start:suffix_start]
        prev_end = 0
        for p, p_end in self._places_in(prefix, start):
            if p == prev_end or "“" in prefix[:p] or prefix[p - 1] in "（(":
                prev_end = p_end + (prefix[p_end : p_end + 1] in ("市", "省", "县", "区"))
                continue  # 浙江嘉兴平湖市, 日本东北: places in a row; a place in quotes or brackets
            if self._org_like_end(prefix[:p]):
                break  # 上海交大平湖某某研究院: a parent, then the branch's place
            j = bisect_right(ends, start + p) - 1
            if j >= 0 and toks[j][1] == start + p:
                tok = toks[j][2]
                tag = self._tag(tok)
                verbal = tag[:1] == "v" or tag in ("a", "ad", "d", "b")
                if verbal and self._freq.get(tok, 0) >= 100:
                    return start + p  # 社会效益明显江苏…, 技术推广中国…
            break
        i = bisect_right(ends, start)  # the first token that ends after start
        while i + 1 < len(toks) and toks[i][0] == start and suffix_start - toks[i + 1][0] >= 2:
            tok, nxt = toks[i][2], toks[i + 1][2]
            tag = self._tag(tok)
            if len(tok) < 2 or not (tag[:1] == "v" or tag in ("a", "ad", "d", "n")):
                break
            if self._freq.get(tok, 0) < 1000 or tok in self.lex.generic_modifiers:
                break
            if self._is_place_word(tok) or not _CJK_RE.match(nxt):
                break
            nxt_tag = self._tag(nxt)
            if not (
                nxt not in self._freq
                or nxt_tag in ("nz", "ns", "nr", "nt")
                or self._is_place_word(nxt)
                or nxt_tag[:1] == "v"
                and self._freq.get(nxt, 0) >= 1000
            ):
                break
            start = toks[i + 1][0]  # 统筹运营某某公司, 推广某某集团有限公司: verbs first
            i += 1
        return start

    def _named_word_before(self, pos: int) -> bool:
        """Is the word that ends at ``pos`` a field (光伏), an organisation word (基金) or a
        word jieba seldom sees (a trade name)?"""
        ends = self._tok_ends
        j = bisect_right(ends, pos) - 1
        if j < 0 or ends[j] != pos:
            return False
        word = self._toks[j][2]
        lex = self.lex
        if word in lex.industries or word in lex.industry_field_verbs or word in lex.suffix_map:
            return True
        return self._freq.get(word, 0) < 300 and not self._is_place_word(word)

    def _place_follows(self, text: str, pos: int) -> bool:
        """Does a place start at ``pos`` (李某|杭州日报: the name ends before it)? A county's
        short form only when it ends where a word ends (王建平|湖州 is no 平湖)."""
        end = self.lex.place_end(text, pos)
        if end < 0:
            return False
        if self.lex.places.get(text[pos:end]) != "counties" or text[end - 1] in "市区县":
            return True
        ends = self._tok_ends
        i = bisect_left(ends, end)
        return i < len(ends) and ends[i] == end

    def _whole_words(self, start: int, end: int) -> bool:
        """Do ``start`` and ``end`` fall where words start and end?"""
        ends = self._tok_ends
        i = bisect_right(ends, start)
        return i < len(ends) and self._toks[i][0] == start and end in ends[i : i + 4]

    def _places_in(self, sub: str, offset: int) -> list[tuple[int, int]]:
        """The places and towns in ``sub`` (the doc's text from ``offset``) made of whole
        words, leftmost longest first: [(start, end)] relative to ``sub``."""
        toks, firsts = self._toks, self._place_firsts
        found: list[tuple[int, int]] = []
        stop = offset + len(sub)
        # the words from the first that ends after offset on that begin a place's name
        for i in firsts[bisect_left(firsts, bisect_right(self._tok_ends, offset)) :]:
            if toks[i][0] >= stop - 1:
                break
            if toks[i][0] >= offset:
                e = self._place_run(i, stop)
                if e > 0:
                    found.append((toks[i][0], e))
        if _TOWN_END_RE.search(sub):
            found += self._towns(self._text, offset, stop)
        out: list[tuple[int, int]] = []
        last = offset
        for s, e in sorted(found, key=lambda se: (se[0], -se[1])):
            if s >= last:
                out.append((s - offset, e - offset))
                last = e
        return out

    def _place_run(self, i: int, stop: int) -> int:
        """The end of the longest place made of whole words from word ``i`` on, ending at or
        before ``stop``, else -1 (word ``i`` begins a place's name)."""
        toks, prefixes, places = self._toks, self.lex.place_prefixes, self.lex.places
        n = len(toks)
        run = toks[i][2]
        end = -1
        while toks[i][1] <= stop:
            if run in places:
                end = toks[i][1]
            i += 1
            if i == n:
                break
            nxt = toks[i][2]
            if nxt[0] in _ADMIN_CHARS and toks[i][0] < stop and run + nxt[0] in places:
                return toks[i][0] + 1  # 某某|区云桥: the segmenter glued the 区 to what follows
            run += nxt
            if run not in prefixes:
                break
        return end

    def _towns(self, text: str, start: int, stop: int) -> list[tuple[int, int]]:
        """The towns and sub-districts (某某镇, 某某街道) in ``text[start:stop]`` that start and
        end where words do, found from their last character: [(start, end)]."""
        out: list[tuple[int, int]] = []
        towns, lengths = self.lex.towns, self.lex.town_lengths
        ends = self._tok_ends
        for m in _TOWN_END_RE.finditer(text, start, stop):
            e = m.end()
            i = bisect_right(ends, e - 1)
            if i == len(ends) or ends[i] != e:
                continue  # 镇 inside a word (镇江, 乡村)
            for n in lengths:
                s = e - n
                if s >= start and text[s:e] in towns:
                    j = bisect_right(ends, s)
                    if self._toks[j][0] == s or text[s - 1 : s] in _ADMIN_CHARS:
                        out.append((s, e))
                        break
        return out

    @staticmethod
    def _memo(memo: dict[Any, bool], key: Any, compute: Callable[[Any], bool]) -> bool:
        """``compute(key)``, remembered in ``memo`` (a function of words, asked again and
        again; cleared when it grows large)."""
        known = memo.get(key)
        if known is None:
            if len(memo) > 200_000:
                memo.clear()
            known = memo[key] = compute(key)
        return known

    def _is_place_word(self, tok: str) -> bool:
        return self._memo(self._place_memo, tok, self._place_word)

    def _place_word(self, tok: str) -> bool:
        lex = self.lex
        return (
            lex.is_place(tok)
            or (tok[-1:] in "市省县区" and tok[:-1] in lex.places)
            or self._tag(tok) == "ns"
        )

    def _crossable(self, tok: str, legal: bool) -> bool:
        """May this word stand inside a trade name although the walk left stopped at it?"""
        return self._memo(self._cross_memo, (tok, legal), self._crossable_word)

    def _crossable_word(self, key: tuple[str, bool]) -> bool:
        tok, legal = key
        if _PUNCT_RE.search(tok) or tok.isdigit():
            return False
        if tok in self.lex.left_stop:
            return tok == "企业" and legal  # 某某企业咨询有限公司
        if len(tok) == 1:
            return True
        if _COUNT_RE.match(tok) and not legal:
            return False  # 浙江省四大科技创新平台: a count, not part of a name
        tag = self._tag(tok)
        if tag in _NON_NAME_TAGS and not (legal and tag in ("m", "mq", "q")):
            return False
        return not (tag[:1] == "v" and self._freq.get(tok, 0) >= 3000)

    def _org_like_end(self, pre: str) -> bool:
        """Does ``pre`` end with a body's name (a suffix, an abbreviation, a brand)?"""
        return pre[-1:] in "所院系）)" or pre.endswith(self._org_endings)

    def _common_words_only(self, toks: list[tuple[int, int, str]], start: int, end: int) -> bool:
        """Is text[start:end] made of common dictionary words only: no place, brand or
        person's name, no word the dictionary lacks or seldom sees (a trade name)?"""
        i = bisect_right(self._tok_ends, start)
        if i >= len(toks) or toks[i][0] != start:
            return False
        lex = self.lex
        while i < len(toks) and toks[i][1] <= end:
            tok = toks[i][2]
            if self._freq.get(tok, 0) < 150 or tok in lex.famous or lex.is_place(tok):
                return False
            if self._tag(tok).startswith("nr") or tok[:-1] in lex.places:
                return False
            i += 1
        return toks[i - 1][1] == end

    def _administrative(self, prefix: str) -> bool:
        """Does the prefix name an administration (a place, 市/县/区…, 国家, 中共)?"""
        return bool(
            _ADMIN_RE.search(prefix)
            or prefix.startswith(("国家", "中共", "全国"))
            or self.lex.find_place(prefix) >= 0
        )

    def _investing(self, text: str, start: int, end: int) -> bool:
        """Is 投资 here the verb or the sum (拟投资5亿元, 项目总投资, 在某地投资)?"""
        nxt = text[end : end + 1]
        if nxt and (nxt.isdigit() or _CJK_RE.match(nxt) and nxt not in _AFTER_NAME):
            return True
        name = text[start:end]
        if _INVEST_VERB_RE.search(name):
            return True
        return text[start - 1 : start] in ("在", "到", "来", "赴")

    def _has_name(self, prefix: str, place_ok: bool = False, field_ok: bool = False) -> bool:
        """Does a name prefix hold more than places, generic modifiers and industry words?

        ``place_ok``: a place alone is a name for this suffix (之江实验室); ``field_ok``: so is a
        field (储能电池实验室).
        """
        rest = prefix
        changed = True
        had_place = False
        place = ""  # the place just stripped
        while rest and changed:
            changed = False
            p_end = self.lex.place_end(rest)
            if p_end > 0 and (not place or self.lex.nests(place, rest[:p_end])):
                place = rest[:p_end]  # 湖州|海丰…: not a place inside 湖州, a trade name
                rest = rest[p_end:]
                rest = rest[1:] if rest[:1] in "省市区县" else rest
                changed = had_place = True
            else:
                place = "-"  # a modifier or a year between: no row of places
            for w in self._modifiers if rest.startswith(self._modifiers) else ():
                if rest.startswith(w):
                    rest = rest[len(w) :]
                    changed = True
                    break
            m2 = _YEAR_RE.match(rest) or _BATCH_RE.match(rest)
            if m2:
                rest = rest[m2.end() :]
                changed = True
        if not rest:
            return had_place and place_ok
        ind = self.lex.industry_re.match(rest)
        if ind:
            tail = rest[ind.end() :]
            for suf in self.lex.industry_suffixes:
                if tail.startswith(suf):
                    tail = tail[len(suf) :]
            if not tail or tail in self.lex.generic_modifiers:
                return field_ok
        if len(rest) < 2:
            return False
        if rest in self.lex.left_stop:
            return False
        tag = self._tag(rest)
        if tag in ("v", "vn", "n", "d", "m", "q", "r", "p", "c", "f", "t") and len(rest) <= 2:
            return False
        return True

    def _strip_heads(self, text: str, start: int, end: int, name: str) -> tuple[int, str, bool]:
        """Strip rank adjectives before a head, and generic heads, from the name's start."""
        changed = False
        heads = self._heads
        for n in self._rank_starts.get(name[:1], ())[::-1]:  # the ranks the name starts with
            rank = name[:n]
            if rank in self._rank_set:
                rest = name[n:]
                if any(rest.startswith(h) and len(rest) > len(h) + 1 for h in heads):
                    start += n
                    name = text[start:end]
                    changed = True
        # the heads in their order (longest first), each stripped when the name, as the heads
        # before it left it, starts with it: only those with the name's first character can
        nxt = 0
        while True:
            for k, head in self._heads_by_first.get(name[:1], ()):
                if k < nxt:
                    continue
                if (name.startswith(head) and len(name) > len(head) + 1
                        and name[len(head)] not in "（("):
                    start += len(head)
                    name = text[start:end]
                    changed = True
                    nxt = k + 1
                    break
            else:
                return start, name, changed

    def _rank_first(self, name: str) -> bool:
        """Does the name start with a rank (国家级, 某某市级)? (a look-up by its first
        character: the ranks are every province, city and county)"""
        lengths = self._rank_starts.get(name[:1])
        if lengths:
            rank_set = self._rank_set
            for n in lengths:
                if name[:n] in rank_set:
                    return True
        return False

    def _trim_head(self, text: str, start: int, end: int, heads_too: bool = True) -> int:
        """Strip what a name does not start with: rank adjectives and generic heads (unless
        ``heads_too`` is off: 高新区管委会 is a body's name), function words, digits."""
        name = text[start:end]
        changed = True
        while changed:
            changed = False
            if heads_too and (self._rank_first(name) or name.startswith(self._heads)):
                start, name, changed = self._strip_heads(text, start, end, name)
            if (
                name[:1] in "的与和及暨、以由在对向从把被将为了是让给"
                and len(name) >= 5
                and (name[:1] == "暨" or self._tag(name[:1]) in ("p", "c", "u", "uj", "v", "d"))
                and self.lex.place_end(name) < 0
            ):
                start += 1
                name = text[start:end]
                changed = True
            lead = _LEAD_RE.match(name)
            if lead and len(name) - lead.end() >= 4 and not _BRAND_RE.match(lead.group()):
                start += lead.end()
                name = text[start:end]
                changed = True
        return start

    def anatomy(self, name: str, suffix: str, legal: bool) -> tuple[tuple[str, str], ...]:
        """Split an organisation name into place, trade name, industry word and suffix."""
        parts: list[tuple[str, str]] = []
        rest = name[: len(name) - len(suffix)] if suffix and name.endswith(suffix) else name
        place = self.lex.place_at(rest)
        if place:
            after = rest[len(place) :]
            if after[:1] in ("市", "省", "区", "县") and len(after) > 1:
                place += after[0]
            parts.append(("place", place))
            rest = rest[len(place) :]
        else:
            pm = _BRACKETED_RE.search(rest)
            if (
                pm
                and pm.group(1) in self.lex.places
                or (pm and pm.group(1).rstrip("市省") in self.lex.places)
            ):
                parts.append(("place", pm.group(1)))
                rest = rest[: pm.start()] + rest[pm.end() :]
        industry = ""
        if rest.endswith(self._anatomy_ends):
            words = self._anatomy_set
            for n in self._anatomy_lengths:  # the longest industry word it ends with
                if len(rest) > n and rest[-n:] in words:
                    industry = rest[-n:]
                    break
        trade = rest[: len(rest) - len(industry)] if industry else rest
        if trade:
            parts.append(("trade", trade))
        if industry:
            parts.append(("industry", industry))
        if suffix:
            parts.append(("legal" if legal else "suffix", suffix))
        return tuple(parts)

    # ---------------------------------------------------------------------------------------
    def _suffix_orgs(self, text: str, toks: list[tuple[int, int, str]]) -> list[Candidate]:
        out: list[Candidate] = []
        weak: list[Candidate] = []  # 先进材料研究院: a field alone names a body only in a list
        ends = self._tok_ends
        for m in self.lex.suffix_re.finditer(text):
            suf = self.lex.suffix_map[m.group()]
            if suf.token_final or suf.token_start:
                i = bisect_right(ends, m.start())  # the token that holds the suffix's start
                if suf.token_final and m.end() not in ends[i : i + 4]:
                    continue
                if suf.token_start and toks[i][0] != m.start():
                    continue  # 举办, 创办: the suffix is the end of a verb
            if text.startswith("长", m.end()) and text[m.end() - 2] == text[m.end() - 1]:
                continue  # 某某局局长江涛: the bureau ends before the title 局长 (长江 is a word)
            start = self._walk_left(
                text, toks, m.start(), _MEMBER_WORDS if suf.members_ok else frozenset()
            )
            start = self._trim_head(text, start, m.end(), suf.suffix not in _ZONE_BODIES)
            prefix = text[start : m.start()]
            if self._excluded(text[start : m.end()], suf.suffix):
                continue
            if suf.type in ("Fund", "FinancialInstitution") and text[m.end() : m.end() + 1] == "业":
                continue  # 基金业, 银行业, 证券业: a trade, not a body (基金业协会)
            if suf.suffix == "证券" and text.startswith("投资", m.end()):
                continue  # 证券投资基金: a kind of investment, not a broker
            if suf.suffix == "大学" and text[m.end() : m.end() + 1] in ("生", "城"):
                continue  # 大学生 (students), 大学城 (a campus district), not a university
            if text[m.start() - 1 : m.start()] in ("型", "性", "类") and not suf.legal:
                continue  # 综合性大学, 开放型园区, 研究型实验室: a kind of body, not one named
            if suf.type == "University" and self._modifiers_only(
                re.split("大学|学院", text[start : m.start()])[-1]
            ):
                continue  # 一流大学, 某某大学国家大学科技园: a kind of university, not one
            if suf.suffix == "局" and text[m.start() - 1 : m.start()] in _NUMERALS:
                continue  # 三局两胜, 第十局: a count of games or rounds, not a bureau
            if _EDITION_RE.match(text, start):
                continue  # 第四届某某协会资源对接会: an edition opens an event, never a body
            if suf.type == "GovernmentBody" and text.startswith("未来", start):
                start += 2  # 未来市政府将…: "in future, the city government", not a body 未来市
            start = self._cut_function_word(text, start, m.start())
            start = self._name_start(text, toks, start, m.start(), suf.legal)
            start = self._after_place_verb(text, start, m.start())
            prefix = text[start : m.start()]
            if len(prefix) < suf.min_prefix:
                continue
            if (
                prefix
                and suf.type not in ("University", "Fund", "FinancialInstitution")
                and self._modifiers_only(prefix)
                and not quoted_name(text, start, m.end())
                and (suf.type != "GovernmentBody" or not self._administrative(prefix))
            ):
                continue  # 传统政府, 产业技术研究院, 国家级开发区: a kind of body, not one named
            if (
                suf.suffix in _DIVISION_COMMITTEES
                and len(prefix) == 3
                and prefix[0] in self.lex.surnames
                and not self._administrative(prefix)
            ):
                continue  # 记者周智敏区委报道组: a committee is a division's, after its name
            rank = _LEVEL_RE.match(prefix)
            if (
                rank
                and suf.type in ("Platform", "ResearchInstitute")
                and not self._has_name(prefix[rank.end() :])
                and not quoted_name(text, start, m.end())
            ):
                continue  # 国家级制造业创新中心: a rank and a field make a title, not a name
            if suf.suffix == "党委" and self._party_of_a_body(prefix):
                continue  # 某某集团党委, 某某大学党委: the body's own party committee, not a
                # government; the body itself is the name (某某集团党委书记、董事长某某)
            if suf.suffix == "投资" and self._investing(text, start, m.end()):
                continue  # 拟投资5亿元, 选择在某地投资: the verb, not a firm
            if (
                suf.suffix == "科院"
                and text[max(0, m.start() - 1) : m.end()] in self.lex.abbreviations
            ):
                continue  # 中科院: the abbreviation's own rule names it
            if suf.legal and self._common_words_only(toks, start, m.start()):
                continue  # 孵化公司, 大型高科技公司: a kind of company, not one named
            if suf.needs_place and not self._administrative(prefix):
                continue  # 学术委员会, 评审委员会: a body's committee, not a government
            if prefix and prefix[-1] in "该本各子分总此其两" and len(prefix) <= 2:
                continue
            if prefix in _NOT_A_NAME:
                continue
            if suf.suffix in ("政府", "人民政府") and _COMMITTEE_END_RE.search(prefix):
                start = m.start() - 1  # 某某市委市政府: the committee and the government
            if (
                suf.suffix in ("投资", "资本")
                and _FIELD_END_RE.search(prefix)
                and not quoted_name(text, start, m.end())
            ):
                continue  # 生物医药领域投资: investing in a field, not a firm named so
            if suf.suffix == "资本" and _CAPITAL_KIND_RE.search(prefix):
                continue  # 引导社会资本, “耐心资本”: a kind of capital, not a firm named so
            if suf.named_before and not self._named_word_before(m.start()):
                continue  # 江南小镇, 特色小镇: a kind of town, not a platform named so
            quoted = start > 0 and text[start - 1] == "“" and text[m.end() : m.end() + 1] == "”"
            firm_word = (
                suf.suffix in _FIRM_WORD_SUFFIXES
                and len(prefix) == 2
                and self._tag(prefix) in ("n", "vn")
                and not self.lex.industry_re.match(prefix)
                and prefix not in self.lex.left_stop
                and prefix not in self.lex.industry_generic_words
                and prefix not in self.lex.generic_modifiers
            )  # 春风资本, 磐石控股: a firm's two-character name that is also a common word
            if (
                suf.needs_name
                and not quoted
                and not firm_word
                and (not self._has_name(prefix, place_ok=suf.place_ok, field_ok=suf.field_ok)
                     or suf.type == "Platform" and self._generic_words_only(prefix))
            ):
                if (
                    len(prefix) >= 2
                    and not _PUNCT_RE.search(prefix)
                    and prefix not in self.lex.left_stop
                    and not _DEICTIC_RE.search(prefix)
                ):
                    weak.append(
                        Candidate(start, m.end(), suf.type, f"list:field-{suf.suffix}", priority=2)
                    )
                continue
            if (
                text.startswith(("总监", "经理", "总经理", "负责人"), m.end())
                and suf.type in ("FinancialInstitution", "Fund")
                and not suf.legal
            ):
                continue  # 投资总监: a job title, not an organisation
            name = text[start : m.end()]
            typ = suf.type
            if typ == "Enterprise" and _FINANCE_RE.search(name):
                typ = "FinancialInstitution"
            out.append(
                Candidate(
                    start,
                    m.end(),
                    typ,
                    f"suffix:{suf.suffix}",
                    self.anatomy(name, suf.suffix, suf.legal),
                    priority=2,
                )
            )
        joints = ("、", "和", "及", "以及", "与")
        for w in weak:
            if any(
                c.type == w.type
                and (text[w.end : c.start] in joints or text[c.end : w.start] in joints)
                for c in out
            ):
                out.append(w)
        return out

    def _units(
        self, text: str, toks: list[tuple[int, int, str]], orgs: list[Candidate]
    ) -> list[Candidate]:
        """Units of an organisation: 复旦大学物理系, 市科技局规划科 (kept with their parent)."""
        out: list[Candidate] = []
        for c in orgs:
            name = text[c.start : c.end]
            # a university's well-known short form is a parent too: 某大化学系, 某大国际校区
            short = c.type == "University" and c.rule == "lexicon:abbreviation"
            if not short and not name.endswith(self._unit_parent_ends):
                continue  # no unit has this kind of body as its parent
            for u, parents, unit_re in self._units_by_length:
                if not (name.endswith(parents) or short and "大学" in parents):
                    continue
                m = unit_re.match(text[c.end : c.end + 20])
                if not m:
                    continue
                mid = m.group(1)
                if not mid and len(u["suffix"]) == 1:
                    continue  # 某局科创中心: a 科, 系 or 处 has a name of its own (not 办公室)
                if short and (len(mid) < 2 or mid.startswith("大学")):
                    continue  # 某大系 (its graduates), 某大 in 某大学: no unit of the short form
                if mid in ("院",) or mid.startswith(
                    ("相关", "有关", "各", "所属", "下属", "其他", "部分")
                ):
                    continue  # 清华大学相关院系: some of its schools, not one named unit
                # 机械与动力学院, 计算机科学与技术学院: coordination inside the names of
                # academic units only
                coord = u["type"] in (
                    "University",
                    "ResearchInstitute",
                ) and _COORD_UNIT_RE.fullmatch(mid)
                if re.search("[与和及、]", mid) and (
                    not coord or self._ends_with_suffix(re.split("[与和]", mid, maxsplit=1)[0])
                ):
                    continue  # 某大学某某校区和某某实验室: two bodies, not one unit's name
                if not coord and (
                    any(
                        w in self.lex.left_stop
                        for w in (
                            mid[i:j] for i in range(len(mid)) for j in range(i + 1, len(mid) + 1)
                        )
                        if len(w) >= 2
                    )
                    or _UNIT_FUNCTION_RE.search(mid)
                ):
                    continue
                end = c.end + m.end()
                out.append(Candidate(c.start, end, u["type"], f"unit:{u['suffix']}", priority=2))
                break
        return out

    def _numbered_units(self, text: str, toks: list[tuple[int, int, str]]) -> list[Candidate]:
        """Numbered institutes of a group: 中国电子科技集团三十六所, 航天科技集团8院."""
        out: list[Candidate] = []
        for m in _NUMBERED_UNIT_RE.finditer(text):
            start = self._walk_left(text, toks, m.start())
            start = self._trim_head(text, start, m.end())
            if m.start() - start >= 2:
                out.append(
                    Candidate(start, m.end(), "ResearchInstitute", "unit:numbered", priority=2)
                )
        return out

    def _unit_labs(self, units: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
        """A lab or centre named right after a numbered institute belongs to it and carries
        its name: 某集团十八所云溪实验室 is one body."""
        out: list[Candidate] = []
        for u in units:
            for c in cands:
                if (
                    c.start == u.end
                    and c.type in ("ResearchInstitute", "Platform")
                    and c.rule.startswith("suffix:")
                    and c.end - u.start <= self.max_name
                ):
                    out.append(Candidate(u.start, c.end, c.type, "unit:numbered-lab", priority=2))
        return out

    def _appositive_firms(self, text: str) -> list[Candidate]:
        """A trade name right after a class noun: 算力龙头企业某某科技, 头部企业深圳某某微电子."""
        if self._appositive_re is None:
            return []
        out = []
        for m in self._appositive_re.finditer(text):
            name = m.group(1)
            if any(w in self.lex.left_stop for w in (name[:2], name[:1])):
                continue
            out.append(
                Candidate(m.start(1), m.end(1), "Enterprise", "appositive:trade-name", priority=1)
            )
        return out

    def _lexicon(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []
        for m in self._abbr_re.finditer(text):
            full, typ = self.lex.abbreviations[m.group()]
            if m.end() - m.start() <= 2 and not self._whole_words(m.start(), m.end()):
                continue  # 苏大 in 江苏|大力: a two-character short form is a word of its own
            if (
                m.end() - m.start() <= 2
                and m.start() >= 1
                and text[m.start() - 1] in self._surnames
                and text[m.start() - 1] not in _NOT_IN_NAMES
                and text[m.start() - 1] not in "同跟向于对把被将为"
                and (m.start() < 2 or not _CJK_RE.match(text, m.start() - 2)
                     or text[m.start() - 2] in _NOT_IN_NAMES
                     or text[m.start() - 2] in "由向为将请让据经从")
                and not text.startswith(tuple(self.lex.suffix_map), m.end())
            ):
                continue  # 徐清华申报的项目: a person named like the short form, not the body
            out.append(Candidate(m.start(), m.end(), typ, "lexicon:abbreviation", priority=1))
        for m in self._gov_re.finditer(text):
            out.append(Candidate(m.start(), m.end(), "GovernmentBody", "lexicon:gov", priority=1))
        if self._famous_re:
            for m in self._famous_re.finditer(text):
                out.append(Candidate(m.start(), m.end(), "Enterprise", "lexicon:brand", priority=1))
        out += self._place_words(text)
        for m in self.lex.industry_re.finditer(text):
            end = m.end()
            for suf in _MERGED_INDUSTRY_SUFFIXES:
                if text.startswith(suf, end):
                    end += len(suf)
                    break
            out.append(Candidate(m.start(), end, "Industry", "lexicon:industry", priority=0))
        return out

    def _place_words(self, text: str) -> list[Candidate]:
        """Places made of whole words (so not 中国 in 其中|国家级, nor 新平 in 新|平湖): runs of
        words extended while they begin a place's name, the longest place kept; towns found
        from their last word (某某|镇, 某某|街道)."""
        out: list[Candidate] = []
        places = self.lex.places
        words = self._words
        spans: list[tuple[int, int]] = []
        stop = len(text)
        toks = self._toks
        # the words that begin a place's name (few; not one character: 新 begins 新疆)
        for i in self._place_firsts:
            if len(words[i]) > 1:
                e = self._place_run(i, stop)
                if e > 0:
                    spans.append((toks[i][0], e))
        if _TOWN_END_RE.search(text):
            spans += self._towns(text, 0, len(text))
        if not spans:
            return out
        spans.sort(key=lambda se: (se[0], -se[1]))
        last = 0
        prev = ""
        for start, end in spans:
            if start < last:
                continue
            if start == last and prev and not self.lex.nests(prev, text[start:end]):
                continue  # 湖州|海丰 (a county of another province): a trade name, no place
            prev = text[start:end]
            if text[end : end + 1] in ("市", "省") and places.get(prev) != "regions":
                end += 1
            if text[end : end + 2] == "地区":
                end += 2
            last = end
            out.append(Candidate(start, end, "Place", "lexicon:place", priority=1))
        return out

    # ---------------------------------------------------------------------------------------
    def _industries(self, text: str, toks: list[tuple[int, int, str]]) -> list[Candidate]:
        """Industries by their place in a sentence, not from a list of them: a field before an
        industry word (激光产业, 某某材料领域, 家具制造板块), and every item of a list that one
        industry word closes (竹编、茶叶、红木家具等行业; 纺织、物流、餐饮领域: the word
        distributes over the list). The field is a run of nouns (and of the verbs fields are
        named with: 制造, 设计); places, clause verbs and function words end it, and generic
        heads (重点, 主导, 新兴) are not fields."""
        out: list[Candidate] = []
        for m in self._ind_suffix_re.finditer(text):
            suf, at = m.group(), m.start()
            if suf in ("产业", "行业") and text[m.end() : m.end() + 1] in _NOT_INDUSTRY_NEXT:
                continue  # 产业园, 产业化, 产业基金, 行业协会: not the industry word
            listed = False
            k = text.rfind("等", max(0, at - 9), at)
            if k > 0 and not _PUNCT_RE.search(text[k + 1 : at]):
                at, listed = k, True  # 竹编、茶叶等行业 / 纺织、餐饮等本地传统的产业
            if suf == "方向" and not listed:
                continue  # 研发方向: only a list closed by 等…方向 names fields (A、B等重点方向)
            items = self._field_items(text, toks, at)
            if len(items) == 1 and not listed:
                s0, e0 = items[0]
                end = m.end() if suf in _MERGED_INDUSTRY_SUFFIXES and e0 == at else e0
                out.append(Candidate(s0, end, "Industry", "industry:field-word", priority=0))
                continue
            for s0, e0 in items:
                out.append(Candidate(s0, e0, "Industry", "industry:list", priority=0))
        return out

    def _field_items(
        self, text: str, toks: list[tuple[int, int, str]], end: int
    ) -> list[tuple[int, int]]:
        """The fields that end at ``end`` (an industry word or the 等 before it) and the fields
        listed before them with 、/和/及: [(start, end), ...] in text order. A list with an item
        that is no field (队伍建设、金融赋能等领域) is a list of activities: none."""
        ends = self._tok_ends
        generic = self.lex.industry_generic_words
        items: list[tuple[int, int]] = []
        via = ""  # the joint that led to this item
        while end > 0:
            j = bisect_right(ends, end) - 1  # the last token that ends at or before ``end``
            words: list[tuple[int, int, str]] = []
            if j + 1 < len(toks) and toks[j + 1][0] < end:  # the word ends inside a token
                head = (toks[j + 1][0], end, text[toks[j + 1][0] : end])
                if head[2] not in generic and not self._is_field_token(head[2]):
                    return []
                words.append(head)
            while j >= 0 and toks[j][1] == (words[-1][0] if words else end):
                tok = toks[j]
                if len(words) >= 4 or end - tok[0] > 10 or not self._is_field_token(tok[2]):
                    break
                words.append(tok)
                j -= 1
            joint = toks[j][2] if j >= 0 and toks[j][1] == (words[-1][0] if words else end) else ""
            while words and words[0][2] in generic:
                words.pop(0)  # 某某材料细分领域: a generic word before the industry word
            cut = next((i for i, w in enumerate(words) if w[2] in generic), len(words))
            words = words[:cut]  # 全市重点产业, 壮大特色产业: the field ends at a generic head
            if not words or not self._is_field(text[words[-1][0] : words[0][1]]):
                # after 和/及 the list may have ended (科技与产业); after 、 it is no field list
                return [] if via in ("", "、") else items[::-1]
            items.append((words[-1][0], words[0][1]))
            if joint not in _LIST_JOINTS:
                break
            end, via = toks[j][0], joint
        items.reverse()
        return items

    def _is_field(self, word: str) -> bool:
        return (
            2 <= len(word) <= 10
            and word not in self.lex.industry_generic_words
            and word not in self.lex.industry_suffixes  # 三大产业和某某行业: 产业 is no field
            and not self.lex.is_place(word)
            and not word.isdigit()
        )

    def _is_field_token(self, tok: str) -> bool:
        """Can this token stand in the name of a field?"""
        return self._memo(self._field_memo, tok, self._field_token)

    def _field_token(self, tok: str) -> bool:
        lex = self.lex
        if tok in lex.industries or tok in lex.industry_field_verbs:
            return True
        if len(tok) > 6 or tok.isdigit() or _PUNCT_RE.search(tok):
            return False
        if tok in lex.left_stop or lex.is_place(tok) or tok in lex.suffix_map:
            return False
        if tok[-1:] in "区县市省镇" or len(tok) >= 2 and (
                lex.is_place(tok + "市") or lex.is_place(tok + "县")):
            return False  # 示范区产业, 技术开发区, 张家港产业: a place's industries, not a field
        if tok in _GENERIC_HEADS or tok in lex.rank_adjectives:
            return False  # 省级产业, 国家级产业: a rank, not a field
        tag = self._tag(tok)
        if tag in _NON_NAME_TAGS or tag in ("t", "f", "s", "ns", "nt", "i", "g", "zg", "m", "mq"):
            return False
        if tag.startswith("v"):
            return False  # 发展, 围绕, 转化: a clause verb, not part of a field's name
        return not self._is_stop_token(tok)

    def _places(self, text: str, toks: list[tuple[int, int, str]]) -> list[Candidate]:
        """Places by their last word (某某县, 某某街道) and towns the segmenter split."""
        out: list[Candidate] = []
        generic = _GENERIC_PLACES
        ends = self._tok_ends
        for m in _PLACE_LAST_CHAR_RE.finditer(text):  # the words that end like a place
            i = bisect_left(ends, m.end())
            if i == len(ends) or ends[i] != m.end():
                continue
            s, e, tok = toks[i]
            for suf in ("街道", "镇", "乡", "县", "区", "港区", "港"):
                if tok.endswith(suf) and len(tok) > len(suf) and tok not in generic:
                    tag = self._tag(tok)
                    if tag in ("ns", "x") or suf in ("街道", "镇", "乡"):
                        if self._is_stop_token(tok[: -len(suf)]):
                            continue
                        if tok.endswith(_GENERIC_PLACES_LONG):
                            continue
                        out.append(Candidate(s, e, "Place", "place:token", priority=1))
                    break
        # towns and sub-districts whose name the segmenter split (新 埭 镇, 曹桥 街道)
        for m in _TOWN_END_RE.finditer(text):
            start = self._walk_left(text, toks, m.start())
            if m.start() - start > 4:
                start = m.start() - 2
            if 2 <= m.start() - start <= 4 and text[start : m.end()] not in generic:
                if text[m.start() - 1] not in "城小乡村集市":
                    out.append(Candidate(start, m.end(), "Place", "place:town", priority=1))
        return out

    def _district_places(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        """A city followed by one of its districts is one place: 上海市徐汇区, 广州天河区.
        (A country before a city, or a city before a town, stays two places.)"""
        places = [c for c in cands if c.type == "Place"]
        out: list[Candidate] = []
        for a in places:
            if text[a.end - 1] in "省国州":
                continue
            for b in places:
                if b.start == a.end and _DISTRICT_RE.search(text, b.start, b.end):
                    out.append(Candidate(a.start, b.end, "Place", "place:district", priority=2))
            if text.endswith(_TOWN_ENDS, a.start, a.end):
                # 某镇某某村, 某街道某某社区: a village or community of the town is a place
                v = _VILLAGE_RE.match(text, a.end)
                if v and not v.group(1).startswith(_NOT_VILLAGE):
                    out.append(Candidate(v.start(), v.end(), "Place", "place:village", priority=2))
        return out

    def _stated_place(self, text: str, c: Candidate) -> Candidate:
        """某市委、市政府 / 某市委市政府: the government named relative to a city right after
        that city's committee is the city's (its anatomy carries ``stated_place``)."""
        if c.type != "GovernmentBody" or text[c.start : c.start + 1] not in "市县区":
            return c
        m = _STATED_PLACE_RE.search(text, max(0, c.start - 4), c.start)
        if m is None:
            return c
        p = m.start()  # the 市/县/区 of the committee's place
        place = next((text[p - n : p] for n in (5, 4, 3, 2)
                      if p >= n and self.lex.is_place(text[p - n : p])), "")
        if not place:
            return c
        return Candidate(c.start, c.end, c.type, c.rule,
                         (*c.parts, ("stated_place", place + text[p])), c.priority)

    def _source_media(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        """The medium a web page's source line names (来源：某某在线, 来源: 某某新闻网 作者…): the
        words after 来源 up to a space or a mark are a medium, unless a name the other rules
        found stands there (来源：某区科技局 is the bureau)."""
        out: list[Candidate] = []
        for m in _SOURCE_RE.finditer(text):
            s0, e0 = m.span(1)
            if m.group(1) in _NOT_MEDIA or any(
                c.end == e0 or c.start <= s0 and c.end >= e0 for c in cands if c.start < e0
            ):
                continue
            out.append(Candidate(s0, e0, "Media", "media:source-line", priority=2))
        return out

    def _quoted(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []
        for m in _BOOK_TITLE_RE.finditer(text):
            inner = m.group(1)
            before = text[max(0, m.start() - 6) : m.start()]
            if _MEDIA_BEFORE_RE.search(before) or _MEDIA_INNER_RE.search(inner):
                typ = "Media"
            else:
                typ = "Program"
            out.append(Candidate(m.start(), m.end(), typ, "quoted:book-title", priority=3))
        for m in _QUOTED_RE.finditer(text):
            inner = m.group(1)
            s, e = m.start(), m.end()
            if self._program_re.search(inner) and self._program_re.search(inner).end() == len(
                inner
            ):
                # “领航计划”, “科技强企、人才强市”行动计划
                pm = self._program_re.match(text, e)
                if pm:
                    e = pm.end()
                start = self._prefix_scope(text, s)
                out.append(Candidate(start, e, "Program", "quoted:program", priority=3))
                continue
            pm = self._program_re.match(text, e)
            if pm and pm.group() not in ("政策", "专项", "意见"):
                start = self._prefix_scope(text, s)
                out.append(Candidate(start, pm.end(), "Program", "quoted:program", priority=3))
                continue
            if self._event_re.search(inner) or text.startswith(
                tuple(self.lex.patterns.get("event_suffixes", [])), e
            ):
                continue  # handled by the event rule
            if self.lex.suffix_re.search(inner):
                continue
            if any(rx.match(inner) for rx in self._scheme_shapes):
                out.append(Candidate(s, e, "Program", "quoted:scheme-shape", priority=2))
                continue
            if 2 <= len(inner) <= 8 and not _CLAUSE_PUNCT_RE.search(inner):
                prev = text[max(0, s - 2) : s]
                follow = text[e : e + 2]
                if (
                    prev in self._prog_trig
                    or text[max(0, s - 4) : s] in self._prog_trig
                    or (follow and follow in self._prog_follow)
                ):
                    out.append(Candidate(s, e, "Program", "quoted:scheme", priority=1))
        return out

    def _prefix_scope(self, text: str, qstart: int) -> int:
        """Include a scope prefix like 国家/省/市/嘉兴市 directly before a quoted programme."""
        before = text[max(0, qstart - 4) : qstart]
        lex = self.lex
        for k in range(len(before) - 1):  # the longest place (or place + 市/省) that ends it
            form = before[k:]
            if lex.is_place(form) or form[-1] in "市省" and form[:-1] in lex.places:
                return qstart - len(form)
        m = _SCOPE_RE.search(before)
        if m:
            return qstart - len(m.group())
        return qstart

    def _events_programs(
        self, text: str, toks: list[tuple[int, int, str]], orgs: Sequence[Candidate] = ()
    ) -> list[Candidate]:
        """Events and programmes by their suffixes; an event's name never starts inside an
        organisation's (某大学—某市某某联合实验室签约仪式)."""
        out: list[Candidate] = []
        for regex, typ in ((self._event_re, "Event"), (self._program_re, "Program")):
            for m in regex.finditer(text):
                if typ == "Program" and _CJK_RE.match(text, m.end()):
                    # a programme name ends before 项目/申报/工作/…, not inside a longer word
                    if not _PROGRAM_NEXT_RE.match(text, m.end()):
                        continue
                start = m.start()
                # include a closing quote run: “…”大赛
                if start > 0 and text[start - 1] in "”》":
                    q = text.rfind("“" if text[start - 1] == "”" else "《", 0, start - 1)
                    if q >= 0 and start - q <= 40:
                        start = self._walk_left(text, toks, q, _EVENT_INNER) if q > 0 else q
                        if start == q and q > 0:
                            start = q
                        start = min(start, q)
                    else:
                        continue
                else:
                    inner = _EVENT_INNER if typ == "Event" else frozenset()
                    start = self._walk_left(text, toks, m.start(), inner)
                if typ == "Event":
                    for o in orgs:
                        if o.start < start < o.end <= m.start():
                            start = o.start
                start = self._trim_head(text, start, m.end())
                if typ == "Event":
                    if m.group().endswith("大会") and text.startswith(("堂", "战"), m.end()):
                        continue  # 人民大会堂: a hall, the venue; 大会战: a campaign
                    if text.startswith("共建", start - 2) and start < m.start():
                        start -= 2  # A与B共建C签约仪式: the ceremony is named from 共建
                    ed = _EDITION_RE.search(text, start, m.start())  # the first: A暨第九届B
                    if ed is not None and ed.start() > start and not self.lex.is_place(
                        text[start : ed.start()]
                    ):
                        start = ed.start()  # 某某口号第五届某某洽谈会: the edition opens the name
                    elif text.startswith("年度", start) and text[start - 4 : start].isdigit():
                        start -= 4  # 2020 + 年度国家某某大会: a yearly event's year is its name's
                    elif text.startswith("首届", start - 2):
                        start -= 2  # 首届某某年会: the first edition opens the name as 第一届 does
                    elif (
                        start >= 4
                        and text[start - 4 : start].isdigit()
                        and not text[start - 5 : start - 4].isdigit()
                    ):
                        start -= 4  # 2023世界某某大会: the edition's year, written into the name
                prefix = text[start : m.start()]
                if len(prefix.strip("“”《》")) < 2:
                    continue
                if typ == "Event" and prefix in self._event_words:
                    continue  # (本次)大赛路演, 活动现场会: an event's class noun, not a name
                name = text[start : m.end()]
                versioned = typ == "Program" and _VERSION_RE.match(text, m.end())
                if (
                    typ == "Program"
                    and not versioned
                    and "“" not in name
                    and (
                        m.group() in self._generic_prog
                        and not self._has_name(prefix)
                        or name in self._generic_prog
                    )
                ):
                    continue  # 人才政策, 规划方案: a class of documents, not one named programme
                end = m.end()
                vm = _VERSION_RE.match(text, end) if typ == "Program" else None
                if vm:
                    end = vm.end()  # 科技新政3.0, 产业政策2.0版
                out.append(Candidate(start, end, typ, f"suffix:{m.group()}", priority=1))
        return out

    def _prizes(self, text: str, events: list[Candidate]) -> list[Candidate]:
        """A contest's prize is an award: 创业大赛特等奖, …总决赛初创企业组一等奖."""
        out: list[Candidate] = []
        for ev in events:
            m = _PRIZE_RE.match(text, ev.end)
            if m:
                out.append(Candidate(ev.start, m.end(), "Award", "award:prize", priority=2))
        return out

    def _awards(self, text: str) -> list[Candidate]:
        """Honours after 获评/荣获/入选…: each item of a 、-list that ends like an award."""
        out: list[Candidate] = []
        for m in self._award_trig_re.finditer(text):
            rest = text[m.end() : m.end() + 120]
            stop = _AWARD_STOP_RE.search(rest)
            seg = rest[: stop.start()] if stop else rest
            pos = m.end()
            cuts = [(d.start(), d.end()) for d in _AWARD_SEP_RE.finditer(seg)] + [(len(seg),) * 2]
            prev = 0
            for a, b in cuts:
                item = seg[prev:a]
                s0 = pos + prev
                prev = b
                if item.startswith("“") and "”" not in item[1:]:
                    item = item[1:]
                    s0 += 1
                quoted = _QUOTED_AWARD_RE.fullmatch(item)
                if quoted:  # 获得“某某奖”(两个)奖项: the quoted name is the award
                    if 2 <= len(quoted.group(1)) <= 45:
                        out.append(Candidate(s0 + 1, s0 + 1 + len(quoted.group(1)), "Award",
                                             "award:trigger", priority=2))
                    continue
                while item and item[0] in "了为":
                    item = item[1:]
                    s0 += 1
                ends = [(item.rfind(h) + len(h), h) for h in self._award_heads if h in item]
                if ends and not _AWARD_VERB_RE.search(item):
                    end, _ = max(ends)
                    span = item[:end]
                    if item[end : end + 2] == "中心":
                        span = item[: end + 2]  # 协同创新 + 中心
                    if 4 <= len(span) <= 45:
                        out.append(
                            Candidate(s0, s0 + len(span), "Award", "award:trigger", priority=2)
                        )
        return out

    def _ranked_titles(
        self, text: str, titles: re.Pattern[str], gap: int, award: bool
    ) -> list[tuple[int, int]]:
        """Titles after a rank (省级众创空间, 某某市级重点实验室, 国家级某某领军人才): each title
        found, the leftmost rank that ends at most ``gap`` Chinese characters before it; for
        awards a year before the rank (2023年度) and a list word after (认定名单) belong to it.
        Spans with a function word (的, 与, 在 …) are none."""
        out: list[tuple[int, int]] = []
        ranks, rank_ends = self._title_ranks, self._rank_ends
        last = 0
        for m in titles.finditer(text):
            t = m.start()
            start = -1
            for g in range(gap + 1):
                p = t - g
                if p <= last or g and not _CJK_RE.match(text, p):
                    break
                for n in rank_ends.get(text[p - 1], ()):
                    if p - n >= last and text[p - n : p] in ranks:
                        start = p - n if start < 0 else min(start, p - n)
            if start < 0:
                continue
            end = m.end()
            if award and text.startswith(_BODY_OF_TITLE_HEADS, end):
                continue  # 某省科技企业孵化器协会: an association of the title's holders
            if award:
                year = _YEAR_BEFORE_RE.search(text, max(last, start - 7), start)
                if year:
                    start = year.start()
                listed = _LIST_WORD_RE.match(text, end)
                if listed:
                    end = listed.end()
            last = end
            if not _FUNCTION_CHAR_RE.search(text, start, end):
                out.append((start, end))
        return out

    def _award_titles(self, text: str) -> list[Candidate]:
        """Ranked titles (国家级众创空间, 省级研发中心) and quoted lists (“2020年…名单”); the
        science awards of the state and of a province or city, with their grade (国家科技进步奖
        一等奖, 某省科学技术奖) wherever they stand."""
        out: list[Candidate] = []
        for m in _SCIENCE_AWARD_RE.finditer(text) if "奖" in text else ():
            scope = m.group(1)
            if scope == "国家" or self.lex.is_place(scope) or self.lex.is_place(scope[:-1]):
                out.append(Candidate(m.start(), m.end(), "Award", "award:science", priority=2))
        # the ranks are every province, city and county: found from the title, looked up before
        if self._award_title_hint is not None:
            for s0, e0 in self._ranked_titles(text, self._award_title_hint, 6, True):
                out.append(Candidate(s0, e0, "Award", "award:ranked-title", priority=1))
        if self._program_title_hint is not None:
            for s0, e0 in self._ranked_titles(text, self._program_title_hint, 3, False):
                out.append(Candidate(s0, e0, "Program", "program:talent-title", priority=1))
        for m in _INSTRUMENT_RE.finditer(text):
            start = self._walk_left(text, self._toks, m.start())
            name = text[start : m.end()]
            if 2 <= m.start() - start <= 4 and self._freq.get(name, 0) < 50:
                out.append(Candidate(start, m.end(), "Program", "program:instrument", priority=1))
        return out

    def _persons(self, text: str, org_ends: set[int]) -> list[Candidate]:
        """People by the places news puts them in: after a title or a role word, each of a
        list (市委书记A, 领导A、B、C), before a title (A副校长, B主任和C科长), and in bylines
        and credits (记者A通讯员B, 编辑：C). ``org_ends``: where an organisation or a place
        ends (某某市科技局A副局长: a name may start there)."""
        out: list[Candidate] = []
        surnames = self._surnames
        for m in self.lex.title_re.finditer(text):
            pos = m.end()
            while True:
                if text[pos : pos + 1] in _CONJUNCTIONS and text[pos + 1 : pos + 2] in surnames:
                    break  # 副市长和程某某局长: a conjunction, then the next post-holder
                name = self._name_at(text, pos)
                if not name:
                    break
                out.append(
                    Candidate(
                        pos, pos + len(name), "Person", f"person:title:{m.group()}", priority=3
                    )
                )
                pos += len(name)
                nxt = self._name_at(text, pos + 1) if text[pos : pos + 1] == "、" else ""
                if nxt and nxt[-1] not in "镇县市区省乡村" and not self.lex.is_place(nxt):
                    pos += 1  # 领导A、B、C; not 副局长A、某某镇某某局副局长B (a place)
                    continue
                break
        # the name before the title: 郑某某副校长, 王某主任和李某某科长, 著名专家庄某某院士
        for m in self._post_title_re.finditer(text):
            t0 = m.start()
            for length in (3, 2, 4):
                s0 = t0 - length
                if s0 < 0 or not self._bounded_name(text[s0:t0]):
                    continue
                if text[t0 - 1] in _BODY_END_CHARS:
                    continue  # 高创园常务副主任: a park (园, 院, 局 …) before the title, no name
                before = text[s0 - 1 : s0] if s0 else "。"
                if (
                    s0 in org_ends
                    or _PUNCT_RE.match(before)
                    or before in _CONJUNCTIONS
                    or text.endswith(self._person_nouns, 0, s0)
                ):
                    rule = f"person:title-after:{m.group()}"
                    out.append(Candidate(s0, t0, "Person", rule, priority=3))
                    break
        for m in self._byline_re.finditer(text):
            pos = m.end()
            for _ in range(4):
                name = self._name_at(text, pos)
                if not name:
                    break
                out.append(Candidate(pos, pos + len(name), "Person", "person:byline", priority=3))
                pos += len(name)
                while text[pos : pos + 1] in (" ", "、", "\u3000"):
                    pos += 1
        return out

    def _bounded_name(self, name: str) -> bool:
        """Is ``name`` (bounded on both sides: 王某某 in 王某某副局长) a person's name?"""
        if len(name) == 4:
            if name[:2] not in self._compound:
                return False
        elif name[:1] not in self._surnames or not 2 <= len(name) <= 3:
            return False
        if not _CJK_RUN_RE.fullmatch(name) or name[-1] in _ORG_FINAL:
            return False  # 党工委书记, 某某镇党委书记: a body before the title, not a name
        if any(ch in _NOT_IN_NAMES for ch in name[1:]):
            return False
        two = name[:2]
        return self._freq.get(two, 0) < 50 or self._tag(two).startswith("nr")

    def _name_at(self, text: str, pos: int) -> str:
        """A person's name starting at ``pos``: surname + one or two given-name characters;
        not a word of the dictionary (王牌, 高效) and not running into a place (李某杭州日报)."""
        if pos >= len(text):
            return ""
        for cs in self._compound_by_first.get(text[pos], ()):  # (in the lexicon's order)
            if text.startswith(cs, pos):
                n = 2 if self._stops_person(text, pos + 3) else 3
                given = text[pos + 2 : pos + 2 + n - 1]
                return cs + given if _CJK_RUN_RE.fullmatch(given or "x") else ""
        if text[pos] not in self._surnames:
            return ""
        if not _CJK_TWO_RE.match(text, pos):
            return ""
        if self._stops_person(text, pos + 1, second=True):
            return ""
        if (
            text[pos] in "向和于从为与及跟把被给让将同对"
            and self._freq.get(text[pos + 1 : pos + 3], 0) >= 100
        ):
            return ""  # 向记者, 和团队: a preposition before a common word, not a name
        two = text[pos : pos + 2]
        if self._freq.get(two, 0) >= 50 and not self._tag(two).startswith("nr"):
            return ""  # 高效, 江山, 石油: a word of the dictionary, not a name
        after = text[pos + 2 : pos + 4]
        if len(after) == 2 and self._freq.get(after, 0) >= 500 and self._tag(after)[:1] == "v":
            return two  # 陈某告诉, 刘某调研: a common verb starts at the third character
        if (
            pos + 2 < len(text)
            and _CJK_RE.match(text, pos + 2)
            and not self._stops_person(text, pos + 2)
            and not self._place_follows(text, pos + 2)
            and not self._byline_re.match(text, pos + 2)
        ):
            return text[pos : pos + 3]
        return two

    def _stops_person(self, text: str, pos: int, second: bool = False) -> bool:
        """Does the name end before ``pos``? For the second character (``second``), only a
        stop word of two or more characters or a function character ends it: 向, 为 and 以
        are common in given names (李向东, 王为民) though they end a name elsewhere."""
        if pos >= len(text) or not _CJK_RE.match(text, pos):
            return True
        if second:
            return text[pos] in _NOT_IN_NAMES or text.startswith(self._person_stop_long, pos)
        if text[pos] in "一二三四五六七八九十两几" and text[pos + 1 : pos + 2] in ("位", "名"):
            return True  # 刘某三位创始人: a count of the people listed, not a given name
        return text.startswith(self._person_stop, pos)

    def _list_members(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        """Items of a list closed by 等 + a class noun take that class (大众、丰田等汽车厂家)."""
        out: list[Candidate] = []
        if not _LIST_CLOSER_RE.search(text):
            return out  # no 等/N家 + class noun: no list to type (a cheap test first)
        for m in _LIST_RE.finditer(text):
            cls = m.group(2)
            typ = {
                "高校": "University",
                "院校": "University",
                "银行": "FinancialInstitution",
                "投资机构": "FinancialInstitution",
                "基金": "Fund",
            }.get(cls, "Enterprise")
            if cls == "机构" and "投资" in text[m.end(1) : m.end()]:
                typ = "FinancialInstitution"
            items = m.group(1)
            base = m.start(1)
            pos = 0
            toks = self._toks
            if all(
                self._tag(w) == "n" and self._freq.get(w, 0) >= 50
                for w in _LIST_SPLIT_RE.split(items)[1:]
            ):
                continue  # 学校、商店、医院等机构: kinds of places, no names among them
            for item in _LIST_SPLIT_RE.split(items):
                s = base + pos
                e = s + len(item)
                pos += len(item) + 1
                if s == base:
                    s = max(s, self._walk_left(text, toks, e))
                    item = text[s:e]
                if item[:1] in _GLUED_STOPS and len(item) >= 3:
                    s += 1
                    item = text[s:e]
                if (
                    len(item) > 8
                    or (_KIND_ITEM_RE if typ == "Fund" else _KIND_ITEM_OR_FUND_RE).search(item)
                    or item in self.lex.industries
                    or self.lex.is_place(item)
                    or any(tok in self.lex.left_stop for s2, _, tok in toks if s <= s2 < e)
                ):
                    continue
                if any(
                    c.start <= s and e <= c.end and c.type != "Place" and c.priority >= 2
                    for c in cands
                ):
                    continue
                if any(
                    c.end == e and c.start >= s and c.type not in ("Place", "Industry")
                    and (c.start == s or c.priority >= 2 and c.rule.startswith("suffix"))
                    for c in cands
                ):
                    continue  # named already, maybe without the verb before it (协同某某大学)
                if cls in ("企业", "公司", "机构") and any(
                    self._tag(tok) in ("v", "vn", "vd") and self._freq.get(tok, 0) >= 100
                    for s2, _, tok in toks
                    if s <= s2 < e
                ):
                    continue  # 检测、设计等服务企业: services, not company names
                if e - s >= 2 and not _DIGIT_RE.search(item):
                    out.append(Candidate(s, e, typ, "list:class-noun", priority=2))
        return out

    # ---------------------------------------------------------------------------------------
    def _nested_keeps(self, text: str, c: Candidate, o: Candidate) -> bool:
        """Keep an organisation named inside a larger one when the larger one is a unit or a
        platform of it (复旦大学 in 复旦大学物理系), not when the rest is only a legal form
        or the nested span is an abbreviation of the same name (清华 in 清华大学)."""
        if c.type == "Event" and o.type == "Award" and c.start == o.start:
            return True  # 海宁创业大赛 in 海宁创业大赛一等奖
        if (
            c.type == "Program"
            and c.rule.startswith("quoted")
            and o.type in ("Event", "Fund", "GovernmentBody", "Program", "Award")
            and c.start == o.start
        ):
            return True  # “领航计划” in “领航计划”扶持资金
        if c.type not in ORG_TYPES or o.type not in ORG_TYPES | {"Program", "Event", "Award"}:
            return False
        if o.type == "Event" and c.priority >= 2 and c.end < o.end:
            return True  # 共建某某实验室签约仪式: the organisation named in the event's name
        if c.start != o.start or c.priority < 2 and not c.rule.startswith("lexicon:abbreviation"):
            return False
        rest = text[c.end : o.end]
        if len(rest) < 2 or rest in self.lex.suffix_map or rest in self.lex.famous:
            return False
        if c.type == "University" and o.type == "University":
            return True  # 某某大学 in 某某大学微电子学院, 某大 in 某大国际校区: its unit
        for w in self._anatomy_words:
            if rest.startswith(w) and rest[len(w) :] in self.lex.suffix_map:
                return False
        if c.rule.startswith("lexicon:abbreviation") and len(text[c.start : c.end]) <= 2:
            return False
        return True

    def _select(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        """Resolve overlaps: longer and higher-priority spans win; nested organisations that
        share their start with a larger organisation (复旦大学 in 复旦大学物理系) stay."""
        uniq: dict[tuple[int, int], Candidate] = {}
        for c in cands:
            if c.end - c.start < 2:
                continue
            key = (c.start, c.end)
            old = uniq.get(key)
            if old is None or (c.priority, c.type in ORG_TYPES) > (
                old.priority,
                old.type in ORG_TYPES,
            ):
                uniq[key] = c
        ordered = sorted(uniq.values(), key=lambda c: (-(c.end - c.start), -c.priority, c.start))
        chosen: list[Candidate] = []
        for c in ordered:
            keep = True
            for o in chosen:
                if c.end <= o.start or o.end <= c.start:
                    continue
                inside = o.start <= c.start and c.end <= o.end
                if inside and self._nested_keeps(text, c, o):
                    continue
                keep = False
                break
            if keep:
                chosen.append(c)
        return sorted(chosen, key=lambda c: (c.start, -c.end))


def quoted_name(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` wrapped in quotation marks?"""
    return start > 0 and text[start - 1] == "“" and text[end : end + 1] == "”"


@Language.factory(
    "kg_entities",
    default_config={"data_dir": None, "max_name": 32, "spans_key": "kg_entities"},
)
def make_entity_recognizer(
    nlp: Language, name: str, data_dir: str | None, max_name: int, spans_key: str | None
) -> EntityRecognizer:
    """Factory: the rule-based entity recogniser with rules loaded from ``data_dir``."""
    return EntityRecognizer(
        nlp, name, Lexicon.load(data_dir), max_name=max_name, spans_key=spans_key
    )
