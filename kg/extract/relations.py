"""Relation extraction by trigger words between recognised mentions (spaCy component).

Reads ``doc._.kg_mentions`` and writes ``doc._.kg_relations``: :class:`RawRelation` records whose
ends are surface forms. An empty subject (``""``) means "the sentence omits its subject"; the
article-level pass in :mod:`kg.extract.pipeline` fills it from context where unambiguous.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

from spacy.language import Language
from spacy.tokens import Doc

from .entities import _CJK_RE, _DASHES, ORG_TYPES, Candidate
from .lexicon import Lexicon, alternation
from .text import doc_text, mentions_of, set_relations

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

#: Prefix of a subject that is an anaphor (该公司, 其) to be resolved from the article's context.
ANAPHOR = "\x00"
CLAUSE_BREAK = "；;。！？"
_CLAUSE_BREAK_RE = re.compile(f"[{CLAUSE_BREAK}]")
SOFT_BREAK = "，,：:"
# type sets the rules test mentions against, built once
_ORG_OR_PLACE = ORG_TYPES | {"Place"}
_ORG_OR_PERSON = ORG_TYPES | {"Person"}
_ORG_OR_EVENT = ORG_TYPES | {"Event"}
_ORG_NOT_FUND = ORG_TYPES - {"Fund"}
_ORG_NOT_GOVERNMENT = ORG_TYPES - {"GovernmentBody"}
#: a number with its unit; not an ordinal (第5次, 第3届). Only ever searched for (is there
#: one?): so it leaves out the hedge before the number (近, 超过 …: optional, it decides
#: nothing) and opens with the digit, its look-behind moved past it, for re to skip to digits
_NUM_UNIT_RE = re.compile(
    r"\d(?<![第\d.]\d)\d*(?:\.\d+)?(?:多|余)?"
    r"(?:万|亿|千|百)?(?:多|余)?(?:元|美元|个|家|人次|人|名|项|次|件|套|只|亩|平方米|%|倍|届|批|场|所|位)"
)


# literal patterns of the rules below, compiled once (re's own cache costs a lookup per call)
# a sentence set at the article's event: 会上，… / 活动现场，…
#: a verb of attending whose object is the article's event (活动, 会议) or left unsaid
_ATTEND_RE = re.compile(
    "(?:参加|出席|参会|参展|齐聚|到场|致辞|发言|讲话)(?:了)?(?:本次|此次|这次)?"
    "(?:活动|会议|大会|仪式|论坛|峰会|对接会|开幕式|签约仪式|座谈会|推介会|发布会)?(?=[，。；,;]|$)"
)
_P41_PUNCT = re.compile("[，。；,;]")
_AT_THE_EVENT_RE = re.compile(
    r"(?:会上|会议上|大会上|论坛上|仪式上|签约仪式上|活动上|活动现场|现场)[，,]"
)
# verbs of organising an event: in X由A主办、B承办 the parties take part in X
_ORGANISING = frozenset({"主办", "承办", "举办", "联合举办", "组织举办"})
# the article's own event named by a deictic: 本次活动由…, 此次大会由…
_THIS_EVENT_RE = re.compile(
    r"(?:本次|此次|本届|这次|该)(?:活动|大会|会议|论坛|大赛|比赛|仪式|峰会|展会)由$"
)
# a class noun alone right before a title, at a clause's start: the passage's body of that kind
_BARE_BODIES = {"公司": "Enterprise", "集团": "Enterprise", "研究院": "ResearchInstitute",
                "研究所": "ResearchInstitute", "实验室": "ResearchInstitute",
                "管委会": "GovernmentBody", "园区": "Platform", "基金": "Fund"}
_BARE_BODY_RE = re.compile(
    r"(?:^|(?<=[，,。；;：:、“]))(" + "|".join(_BARE_BODIES) + r")$"
)
# 我校/我院 and the titles and names after it, up to a title (the speaker's own body)
_OWN_BODY_RE = re.compile(r"(我校|本校|我院|本院)[\u4e00-\u9fff、]{0,22}$")
_P00 = re.compile(r"(?<![尤极])其(?![中他它实余次间])")
_P01 = re.compile(r"[，。；,]")
_P02 = re.compile(r"([\u4e00-\u9fff]{2,5})、$")
_P03 = re.compile("[、和及]")
_P04 = re.compile(r"[、和与及以及“”]*")
_P05 = re.compile(r"[，,]")
_P06 = re.compile("由$")
_P07 = re.compile(r"以([^，。；]{2,30}?)为例")
_P08 = re.compile(r"[。；]")
_P09 = re.compile(r"[^，,]+(从|由|对|向|把|被)[^，,]*$")
_P10 = re.compile(r"[与和同跟对向在由为从经把被将]$")
_P11 = re.compile(r"[^，,]*[，,]?")
_P12 = re.compile(r"(落户|落地|入驻|进驻)")
_P13 = re.compile(r"[^，。；]{0,3}(在|于)")
_P14 = re.compile(r"[\u4e00-\u9fff]{0,3}级")
_P15 = re.compile("(镇|街道|乡|区|县)$")
_P16 = re.compile("(与|联合|携手|同)")
_P17 = re.compile("[与同和跟]")
_P18 = re.compile(r"就")
_P19 = re.compile("[，,]")
_P20 = re.compile(r"\d+(家|个|项|名|所|人)")
_P21 = re.compile(r"(围绕|聚焦|面向|瞄准|针对|立足)")
_P22 = re.compile("[。；]")
_P23 = re.compile(r"[^，]{0,3}的")
_P24 = re.compile("[在与和由对向从为]")
_P25 = re.compile(r"(建成|建设|打造|成立|设立|组建)(了)?")
_P26 = re.compile("(产业|行业|领域|产业链)$")
_P27 = re.compile(r"(内|里|中)[，,]?")
_P32 = re.compile("位于|地处|坐落于")
_P33 = re.compile(r"(推进|实施|落实)$")
_P34 = re.compile(r"(深入|全面)?实施")
_P35 = re.compile(r"在([^，。；]{2,40}?)(成功)?(举行|举办|落幕|召开|开幕|启动)")
_P36 = re.compile(r"(内|中|上|里|现场)?")
#: heads of a government by the level they head: 副市长 → 某市人民政府
_HEAD_LEVEL = {
    t: lv
    for lv, heads in (("市", "市长"), ("区", "区长"), ("县", "县长"), ("镇", "镇长"),
                      ("乡", "乡长"))
    for t in (heads, "副" + heads, "常务副" + heads, "代理" + heads)
}
_P37 = re.compile("出席|参加|主持|致辞|讲话|推介|见证|参与|代表[^，。；]{0,6}(?:签署|签约|签订)")
_P39 = re.compile("在")
_P40 = re.compile(r"(举办|举行|召开)(的|了)?")
_P41 = re.compile(r"(?<=[，,；;。！？])")
_P42 = re.compile(r"\d{4}年\d{1,2}月")
_P43 = re.compile(r"\d{4}年(?:以来|度)?")
#: what a key figure can be about; what may stand before that name in its clause (time and
#: linking words only: after a verb or a count, 举办X活动 / 有2个X项目, X is no subject); what
#: may follow it (not a list, a quote's end or 的: 某公司、某大学 / 某某”是 / 某市的)
_METRIC_SUBJECTS = ORG_TYPES | {"Place", "Program", "Event"}
_GENERIC_ANAPHORS = frozenset({"企业", "公司"})
#: 在/于 right before an event's name, and 上/期间/现场 and a verb after it (…于某洽谈会上签约)
_AT_EVENT_RE = re.compile(r"(在|于)$")
_ON_EVENT_RE = re.compile(r"(上|期间|现场|中)?(签约|签订|签署|作|发言|发布|亮相|展示|介绍|致辞|"
                          r"讲话|获得|荣获|路演|参赛|推介)")
#: an event's name that the clause then holds: 某某签约仪式在某地举行, 某某大会举行
_HELD_AFTER_RE = re.compile(r"(在[^，。；]{1,20}?)?(隆重|正式|顺利)?(举行|举办|召开|开幕)")
_COUNTED_BEFORE_RE = re.compile(r"\d+(家|所|个)$")
#: 我市科技企业 / 我市2家企业: the city qualifies a noun (no pseudo-mention of its own)
_HOME_QUALIFIES_RE = re.compile(
    r"[\d\u4e00-\u9fff]{0,4}?(企业|公司|人才|项目|高校|单位)|\d+[个家所名项]"
)
_CHAINED_TITLES_RE = re.compile(r"([\u4e00-\u9fff]{1,6})、(?:[\u4e00-\u9fff]{1,6}、)*")
_CITY_COMMITTEE_RE = re.compile(r"(.{1,8}?[市县区])委")
_SUBJECT_PREPOSITION_RE = re.compile(r"(通过|依托|根据|按照|围绕|随着|在)")
_SETTLED_AFTER_RE = re.compile(r"等[^，。；]{0,12}的(签约|相继|先后|成功)*")
_BACKED_RE = re.compile(r"在[^，。；]{2,30}?(支持|推动|扶持|帮助|指导|带动)下")
_AWARDED_BEFORE_RE = re.compile(
    r"(获评|荣获|获得|评为|认定为|入选|列入|升格为|成为|跻身|申报|获批|创建)[^，。；]{0,12}$"
)
_AWARD_LIST_GAP_RE = re.compile(r"[、和及与]([^，。；、]{1,14}[、和及与])*")
_INDUSTRY_LISTED_AFTER_RE = re.compile(
    r"(及其|、|和|与|等)?[^，。；]{0,6}?(产业|行业|领域|企业|项目|方向)"
)
_COFOUNDED_BY_RE = re.compile(
    r"由([^，。；]{2,40}?)(?:共同|联合|牵头)*(?:发起(?:设立|成立)?|设立|建立|组建|成立|创办"
    r"|共建|建设)"
    r"|依托([^，。；]{2,40}?)(?:联合|共同|合作)(?:而建|建设|共建|组建|设立)"
)
_CLIENTS_RE = re.compile(
    r"(均|都|皆)(为|是)(该院|该公司|该中心|其|[^，。；为是]{2,20}?)的?(科技)?服务对象"
)
_SUPPORTED_RE = re.compile(
    r"(在|得到了?|获得了?|由)([^，。；]{2,30}?)(的)?(大力|协力|鼎力)?(支持|推动|扶持|帮助|授牌)(下)?"
)
#: the words one of which _SUPPORTED_RE holds (a quick first test)
_SUPPORT_WORD_RE = re.compile("支持|推动|扶持|帮助|授牌")
#: the verbs one of which _ATTEND_RE, _P37 and _GUEST_LIST_RE each need (a quick test)
_ATTENDANCE_WORD_RE = re.compile(
    "参加|出席|参会|参展|齐聚|到场|致辞|发言|讲话|主持|推介|见证|参与|代表"
)
_MADE_RE = re.compile(r"(成立|设立|建立|共建|组建|创建)(了)?")
_PRESENTER_RE = re.compile(r"([^，。；]{2,20}?)(作了|作|进行了)[^，。；]{0,12}(推介|介绍|解读)")
_GUEST_LIST_RE = re.compile(
    r"(出席|参加|参与|参会)[^，。；]{0,12}的(嘉宾|单位|企业|机构|代表)[^，。；]{0,4}"
    r"(有|包括|为|来自)"
)


def _class_noun(word: str, class_anaphora: Mapping[str, str]) -> str:
    """The class noun of a bare class-noun anaphor (该研究院 → 研究院, 实验室), or "" for a
    generic one (公司, 企业) or another anaphor (该公司, 其)."""
    if word not in class_anaphora:
        return ""
    noun = word.removeprefix("该")
    return "" if noun in _GENERIC_ANAPHORS else noun
#: a figure is the name's when it comes within this many clauses of it (我市积极…，…，…，
#: 设立了4个专组: a number far down a narrative is no key figure of the name)
_METRIC_REACH = 3
_METRIC_EXAMPLE = re.compile(r"[^，,；;]{0,6}?以([^，,；;]{2,30})为例")
_METRIC_LEAD = re.compile(
    r"(?:去年|今年|前年|当年|全年|上半年|目前|当前|现已|此外|另外|同时|其中|近年来|以来|截至|"
    r"\d{4}年(?:\d{1,2}月)?(?:底|末)?|\d{1,2}月(?:底|末)?|[“\"《])*"
)
_METRIC_NOT_AFTER = re.compile(r"[、和与及的”\"》）)说称]|以及|等|认为|表示|指出|介绍")


# --- investments (RelationExtractor._investment) -------------------------------------------
_INVESTORS = ORG_TYPES - {"Media"} | {"Place", "Person"}
_INVESTEES = ORG_TYPES - {"Media", "GovernmentBody"} | {"Program"}
#: the investment word is a noun (投资额, 投资机构, 融资难, 投资价值) ...
_INVEST_NOUN_AFTER_RE = re.compile(
    r"(额|总额|规模|机构|人(?!工智能|才|体|形)|方|者|公司|基金|管理|价值|周期|环境|协议|意向|需求|难|贵|担保|服务|行业|领域|"
    r"平台|渠道|模式|体系|产品|业务|对接|路演|活动|会|洽谈|试点|租赁|项目(?![^，。；]{0,3}\d)|强度|占比|比重|增速|同比|增长|"
    r"建设(?:项目)?[\d约近超]|\d|约|近|超|逾)"
)
#: ... or a total, a plan or a field (总投资, 计划投资, 固定资产投资, 招商引资)
_INVEST_NOUN_BEFORE_RE = re.compile(
    r"(总|计划|拟|预计|固定资产|社会|领域|产业|工业|有效|民间|投|招商)$"
)
#: 由A投资 (the investor after 由)
_INVEST_BY_RE = re.compile(r"由([^，。；由]{1,24})$")
#: B获得A(的)…投资 (the investors between 获得 and the word)
_INVEST_GOT_RE = re.compile(r"(获得了?|获|得到了?|引入|吸引|迎来|完成了?)[^，。；]{0,30}$")
_PASSIVE_WORDS = frozenset({"投资", "融资", "注资", "战略投资", "股权投资", "定向投资"})
#: the company that raised money: …完成…融资
_INVEST_RAISED_RE = re.compile(r"(完成|获得|宣布)[^，。；]{0,20}融资")
#: A对B进行投资 / A向B注资
_INVEST_TO_RE = re.compile(r"(?:对|向)([^，。；]{2,30}?)(?:进行了?|开展了?|实施了?)?"
                           r"(?:[^，。；]{0,12}?元)?(?:的)?$")
#: a described group of investees: 优质的清华校友项目 -> 清华校友项目
_INVEST_GROUP_RE = re.compile(r"[^，。；的]{2,12}(项目|企业)$")
#: 投资(了)N个…项目 (a counted group of investees)
_INVEST_COUNTED_RE = re.compile(
    r"了?((?:\d+|[一二两三四五六七八九十]+)(?:余|多)?(?:个|家|项)[^，。；]{0,8}?(?:项目|企业))"
)
#: a clause whose subject is left out: the investment word opens it (入股X / 先后投资了X)
_INVEST_OPENS_RE = re.compile(r"(?:[^，。；]{0,4}?(?:先后|还|又|已|也|累计|共|同时|此外|并|再))?")
#: a fund's partners: 基金合伙人 / 有限合伙人
_PARTNER_RE = re.compile(r"(?:基金)?(?:有限|普通)?合伙人(?:——|—|：|:|为)?")
_PARTNER_BECOMES_RE = re.compile(r"(成为|作为|是)[^，。；]{0,20}$")
#: a fund's help to counted projects: (已)助力/扶持/支持N个…项目
_FUND_HELPS_RE = re.compile(
    r"(?:助力|扶持|支持|投资)了?((?:\d+|[一二两三四五六七八九十]+)(?:余|多)?(?:个|家|项)"
    r"[^，。；]{0,8}?(?:项目|企业))"
)


@dataclass(frozen=True, slots=True)
class RawRelation:
    s: str
    p: str
    o: str
    rule: str
    confidence: float
    literal: bool = False
    qualifiers: tuple[tuple[str, str], ...] = ()
    s_type: str = ""  # for anaphora/carried subjects: the type the subject must have


#: Credit roles of news staff, as printed before a name in a byline or a source line.
_STAFF_ROLE_RE = re.compile(
    r"(本报记者|记者|通讯员|摄影|摄|作者|撰文|撰稿|(?:责任|文字|栏目|美术)?编辑|栏目主编|主编|版式|"
    r"校对|投稿)[\s:：/]*$"
)


def _staff_posts(text: str, mentions: list[Candidate]) -> list[RawRelation]:
    """News staff credited in a line that names the medium (来源：某某新闻 作者：某某) hold a
    post at that medium, with the credit as their role."""
    media = [m for m in mentions if m.type == "Media"]
    if not media:
        return []
    out = []
    for m in mentions:
        if m.type != "Person" or not m.rule.startswith("person:byline"):
            continue
        role = _STAFF_ROLE_RE.search(text[max(0, m.start - 6) : m.start])
        medium = min(media, key=lambda x: abs(x.start - m.start))
        out.append(RawRelation(text[m.start : m.end], "holdsPost", text[medium.start : medium.end],
                               "post:news-staff", 0.8,
                               qualifiers=(("role", role.group(1)),) if role else ()))
    return out


# words after an industry that make it a statistic (纺织产业投资同比增长…), not a focus
_STATISTIC = r"(产业)?(投资|增加值|产值|增速|同比|占比|比重|营收|收入)"
_STATISTIC_RE = re.compile(_STATISTIC)
_NOUN_BEFORE_RE = re.compile(r"(领域|行业|产业|总|固定资产|社会)$")
_NOUN_AFTER_RE = re.compile(
    r"(机构|人(?!工智能|才|体|形)|方|者|总额|额|规模|力度|基金|公司|领域|飞地|平台|体系|品牌|站|团队|热线)"
)
#: 成立于2021年, 成立以来, 成立后: the name before the verb is what was founded, not a founder
_FOUNDED_WHEN_RE = re.compile(r"(于|以来|至今|之初|初期|伊始|之后|后[，,]|时[，,])")
#: 双方(将)(共同)设立/共建: the two parties of the passage found something together
_BOTH_FOUND_RE = re.compile(
    r"双方(?:将|还|已|又|再|正式)?(?:共同|联合|携手|合作)?(?:出资)?(?:设立|成立|共建|组建|创建|打造|建设)(?:了)?"
)
_FOUNDED_TYPES = {"Platform", "ResearchInstitute", "Enterprise", "Fund", "University"}
#: the subject of a fact whose actors are "both parties" (双方), resolved by the pipeline
PAIR = ANAPHOR + "Pair"
#: after an award: the winners follow (荣获某奖，分别是A、B / 获评某称号的有：A、B)
_AWARD_WINNERS_RE = re.compile(r"[，,：:]?(?:分别是|分别为|依次是|依次为|他们是|它们是)[：:]?")
_SENTENCE_PART_END_RE = re.compile("[。；;！？]")


_START_END = attrgetter("start", "end")
#: what the words before a mention at a clause's start make of it (:func:`_lead`)
_LEAD_STOPS, _LEAD_OPENS, _LEAD_PASSES = 0, 1, 2


def _lead(lead: str) -> int:
    """The words between a clause's start and a mention: too long, over a stop or inside a
    prepositional phrase (调研组从我市某园了解到…), no mention further on opens the clause
    (``_LEAD_STOPS``); a short adverbial (近日，) lets the mention open it (``_LEAD_OPENS``);
    else a mention of a type wanted opens it only if it is no body or person
    (``_LEAD_PASSES``, see :meth:`RelationExtractor._sentence_subject`)."""
    if len(lead) > 10 or _P08.search(lead) or _P09.search(lead):
        return _LEAD_STOPS
    if not _P10.search(lead) and _P11.fullmatch(lead) and not _SUBJECT_PREPOSITION_RE.search(lead):
        return _LEAD_OPENS
    return _LEAD_PASSES
#: the kinds of trigger rules that relate a mention named as the trigger's object (or partner)
_OBJECT_KINDS = frozenset({"forward", "reverse", "serve", "joint", "with"})


def _types(spec: list[str]) -> set[str]:
    out: set[str] = set()
    for t in spec:
        out |= (ORG_TYPES | {"Organization"}) if t == "org" else {t}
    return out


class RelationExtractor:
    """Trigger-based relation rules; rules are data (``relations.json``)."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon, home: str) -> None:
        self.name = name
        self.home = home
        rel = lexicon.relations
        self.rules = rel.get("rules", [])
        self.home_words = rel.get("home_words", [])
        self.anaphora: dict[str, str] = rel.get("anaphora", {})
        self.class_anaphora = {
            k: v for k, v in rel.get("class_anaphora", {}).items() if not k.startswith("_")
        }
        #: a bare class noun before more of a name, at the start or after a mark (the mark
        #: matched with it: one pattern per place, with re's quick scan for the marks; the
        #: nouns hold no mark, so neither pattern's match overlaps the other's)
        nouns = alternation(list(self.class_anaphora))
        self._class_anaphora_re = (
            re.compile(rf"({nouns})(?=[\u4e00-\u9fff])") if self.class_anaphora else None
        )
        self._class_anaphora_after_re = re.compile(rf"[，,：:]({nouns})(?=[\u4e00-\u9fff])")
        self.industry_nouns = alternation(rel.get("industry_class_nouns", []))
        nouns = self.industry_nouns or "$^"
        self._class_org_re = re.compile(rf"(?:[\u4e00-\u9fff]{{0,4}}?)(?:{nouns})")
        self.implied = {
            k: v.replace("{home}", home)
            for k, v in rel.get("implied_bodies", {}).items()
            if not k.startswith("_")
        }
        trig: dict[str, list[dict]] = {}
        for r in self.rules:
            for t in r["triggers"]:
                trig.setdefault(t, []).append(r)
        self._trig = trig
        #: per trigger word: its rules with their subject and object types and their tag,
        #: worked out once
        self._trig_rules: dict[str, list[tuple[dict, set[str], set[str], str]]] = {
            t: [(r, _types(r["subj"]), _types(r["obj"]), f"trigger:{r['p']}:{t}") for r in rs]
            for t, rs in trig.items()
        }
        #: per trigger word: True if one of its rules may relate something whatever the
        #: sentence names (an investment, an organiser's event, 落户 in the home city), else
        #: the types of the objects its rules look for (a sentence naming none of them: the
        #: word's rules find nothing; award and industry rules have their own methods)
        self._trig_live: dict[str, bool | frozenset[str]] = {
            t: True if any(
                r["kind"] == "investment"
                or r["kind"] == "joint" and r["p"] == "participatedIn" and t in _ORGANISING
                or r["kind"] in ("forward", "reverse", "serve") and r["p"] == "locatedIn"
                and t in ("落户", "落地")
                for r, _, _, _ in rs
            ) else frozenset().union(*(
                o for r, _, o, _ in rs if r["kind"] in _OBJECT_KINDS
            ))
            for t, rs in self._trig_rules.items()
        }
        #: verbs of founding a body (成立, 设立 …: the first founded rule's triggers)
        self._founding_verbs = frozenset(next(
            (r["triggers"] for r in self.rules if r["p"] == "founded"), []))
        self._trig_re = re.compile(alternation(list(trig))) if trig else None
        self._home_re = re.compile(alternation(self.home_words + list(self.anaphora)))
        self._industry_rule = next((r for r in self.rules if r["kind"] == "industry"), None)
        self._industry_trig_re = re.compile(
            alternation(self._industry_rule["triggers"]) if self._industry_rule else "$^"
        )
        self._award_rule = next((r for r in self.rules if r["kind"] == "award"), None)
        self._award_subj_t = _types(self._award_rule["subj"]) if self._award_rule else set()
        self._industry_subj_t = (
            _types(self._industry_rule["subj"]) if self._industry_rule else set()
        )
        self._titles = set(lexicon.titles)
        self._ments: list[Candidate] = []
        self._breaks_of: str | None = None  # the text whose clause breaks are in _breaks
        self._breaks: list[int] = []
        self._leads_of: str | None = None  # the text whose leads' verdicts are in _leads
        self._leads: dict[tuple[int, int], int] = {}  # (clause start, mention start) -> _lead
        self._all_m: list[Candidate] = []
        self._industry_re = lexicon.industry_re
        self._places = lexicon.places
        self._abbreviations = lexicon.abbreviations

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        all_m: list[Candidate] = list(mentions_of(doc))
        # the mentions in order of their bounds (the rules' order, when no name is nested)
        ordered = sorted(all_m, key=_START_END)
        overlap = len(ordered) > 1 and any(b.start < a.end for a, b in zip(ordered, ordered[1:]))
        top = [
            m
            for m in all_m
            if not any(
                o is not m
                and o.start <= m.start
                and m.end <= o.end
                and (o.end - o.start) > (m.end - m.start)
                for o in all_m
            )
        ] if overlap else list(all_m)
        # pseudo-mentions for 我市 / 该公司 (a quick test first: most sentences have none)
        pseudo: list[Candidate] = []
        for m in _P00.finditer(text) if "其" in text else ():
            if not any(c.start <= m.start() < c.end for c in top):
                pseudo.append(Candidate(m.start(), m.end(), "Organization", "anaphora"))
        if self._class_anaphora_re is not None:
            first = self._class_anaphora_re.match(text)
            found = [first] if first else []
            found += self._class_anaphora_after_re.finditer(text, first.end() if first else 0)
            for m in found:
                if not any(c.start <= m.start(1) < c.end for c in top):
                    pseudo.append(Candidate(m.start(1), m.end(1), self.class_anaphora[m.group(1)],
                                            "anaphora"))
        homes = False  # (a home word or an anaphor in the text, a mention or not)
        for m in self._home_re.finditer(text):
            homes = True
            if any(c.start <= m.start() < c.end for c in top):
                continue
            w = m.group()
            if _HOME_QUALIFIES_RE.match(text, m.end()):
                continue  # 我市科技企业 / 我市2家企业: the city qualifies a noun, it does not act
            if w in self.anaphora:
                pseudo.append(Candidate(m.start(), m.end(), self.anaphora[w], "anaphora"))
            else:
                pseudo.append(Candidate(m.start(), m.end(), "Place", "home"))
        ments = sorted(top + pseudo, key=_START_END) if overlap or pseudo else ordered
        self._ments = ments
        self._all_m = all_m
        # the types named: a rule family that needs a type the sentence lacks finds nothing
        kinds = {m.type for m in all_m}
        kinds_ments = kinds | {m.type for m in pseudo} if pseudo else kinds
        out: list[RawRelation] = []
        if len(all_m) > 1:  # (a name nested in another, or a list of units: two bodies)
            orgs = [m for m in all_m if m.type in ORG_TYPES]
            if len(orgs) > 1:
                out += self._structural(text, all_m, orgs)
                out += self._distributed_units(text, all_m, orgs)
        if "Person" in kinds:
            out += self._posts(text, all_m)
            if "Media" in kinds:
                out += _staff_posts(text, all_m)
        out += self._triggers(text, ments, None if overlap else kinds_ments)
        if "合伙人" in text:
            out += self._fund_partners(text, ments)
        if "Fund" in kinds_ments:
            out += self._fund_helps(text, ments)
        if "双方" in text:
            out += self._both_parties(text, ments)
        if "Award" in kinds_ments:
            out += self._awards(text, ments)
        if "Industry" in kinds_ments:
            out += self._industries(text, ments)
        if homes or not _METRIC_SUBJECTS.isdisjoint(kinds_ments):  # (what a figure is about)
            out += self._metrics(text, ments)
        out += self._adjacency(text, ments, None if overlap else kinds_ments)
        if "Event" in kinds or "Program" in kinds or "联合" in text:
            out += self._name_internal(text, all_m)
        if "Event" in kinds_ments:
            out += self._event_parties(text, ments)
        if not out:
            set_relations(doc, [])
            return doc
        seen: set[tuple[str, str, str]] = set()
        uniq: list[RawRelation] = []
        # news staff named in a byline (通讯员 某某) report the facts; they take part in none
        staff = {text[m.start : m.end] for m in all_m if m.rule.startswith("person:byline")}
        abbr = self._abbreviations
        for r in out:
            if r.s and (r.s == r.o or (r.s if (sa := abbr.get(r.s)) is None else sa[0])
                        == (r.o if (oa := abbr.get(r.o)) is None else oa[0])):
                continue  # 某某大学 and its short form: one body, no relation with itself
            if staff and (r.s in staff or r.o in staff) and not r.rule.startswith("post:"):
                continue
            key = (r.s, r.p, r.o)
            if key not in seen:
                seen.add(key)
                uniq.append(r)
        set_relations(doc, uniq)
        return doc

    # -------------------------------------------------------------------------------------
    def _name(self, text: str, c: Candidate) -> str:
        if c.rule == "home":
            return self.home
        if c.rule != "anaphora":
            return text[c.start : c.end]
        # a specific class noun (实验室, 孵化器) goes with the anaphor: the body named with it
        noun = _class_noun(text[c.start : c.end], self.class_anaphora)
        if self._ments:
            # 供给甲公司，并由该公司配套于…: the nearest earlier mention of that type
            prev = [
                text[m.start : m.end]
                for m in self._ments
                if m.end <= c.start
                and m.rule not in ("home", "anaphora")
                and (m.type == c.type or c.type == "Organization" and m.type in ORG_TYPES)
            ]
            own = [n for n in prev if noun and n.endswith(noun) and len(n) > len(noun)]
            if own:
                return own[-1]  # 实验室: the laboratory named before
            if prev and c.type != "Organization":
                return prev[-1]
        # resolved by the article-level pass (该公司 → its antecedent)
        return ANAPHOR + c.type + (f"|{noun}" if noun else "")

    def _event_parties(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """Who takes part in an event the sentence names: A和B于某洽谈会上签约, A在某大会上
        作发言 (the clause's subjects before 在/于 the event); A与B某某签约仪式在某地举行 (the
        bodies joined right before the event's name, which the clause then holds)."""
        out: list[RawRelation] = []
        parties_t = _ORG_OR_PERSON
        for ev in ments:
            if ev.type != "Event":
                continue
            who: list[Candidate] = []
            at = _AT_EVENT_RE.search(text, max(0, ev.start - 2), ev.start)
            if at and _ON_EVENT_RE.match(text, ev.end):
                cs = max(text.rfind(ch, 0, at.start()) for ch in "，,；;。：:") + 1
                run = [m for m in ments if cs <= m.start and m.end <= at.start()
                       and self._party(text, m, parties_t)]
                # the subjects: a run joined by 、/和/与/及 that ends right before 在/于
                if run and not text[run[-1].end : at.start()].strip():
                    who.append(run.pop())
                    while run and text[run[-1].end : who[0].start] in ("、", "和", "与", "及"):
                        who.insert(0, run.pop())
            elif _HELD_AFTER_RE.match(text, ev.end):
                before = [m for m in ments if m.end <= ev.start and self._party(text, m, parties_t)]
                pos = ev.start
                while before and before[-1].end == pos:
                    m = before.pop()
                    who.insert(0, m)
                    j = m.start
                    if j > 0 and text[j - 1] in "、和与及":
                        pos = j - 1
                    else:
                        break
                if len(who) < 2:
                    who = []  # one body before an event's name qualifies it (某公司年会)
            for m in who:
                out.append(RawRelation(self._name(text, m), "participatedIn",
                                       text[ev.start : ev.end], "event:parties", 0.6))
        return out

    def _built_in_agreement(self, text: str, o: Candidate) -> Candidate | None:
        """What 共建 builds when its object is an agreement (签订共建某某科创走廊合作协议):
        the body named at the agreement's head, or nothing (an agreement is not co-founded)."""
        if o.type != "Program" or not text[o.start : o.end].endswith("协议"):
            return o
        inner = [m for m in self._all_m if m.start == o.start and m.end < o.end
                 and m.type in ORG_TYPES]
        return max(inner, key=lambda m: m.end) if inner else None

    @staticmethod
    def _party(text: str, m: Candidate, types: set[str] | frozenset[str]) -> bool:
        """A body or a person, or a town, district or county (某镇和某公司于…上签约)."""
        if m.rule == "anaphora":
            return m.type in ("University", "ResearchInstitute")  # 我校与某区…签约仪式
        return m.type in types or m.type == "Place" and (
            m.rule == "home" or bool(_P15.search(text[m.start : m.end])))

    def _structural(self, text: str, ments: list[Candidate],
                    orgs: list[Candidate] | None = None) -> list[RawRelation]:
        """某集团十八所云溪实验室: a name nested at the start of a longer one is its parent;
        only the closest parent is linked (the chain gives the rest). ``orgs``: the
        organisations of ``ments`` (in their order), if the caller has them."""
        out: list[RawRelation] = []
        if orgs is None:
            orgs = [m for m in ments if m.type in ORG_TYPES]
        if len({m.start for m in orgs}) == len(orgs):
            return out  # no two names start together: none is nested at another's start
        for outer in orgs:
            inners = [
                m
                for m in orgs
                if m.start == outer.start and m.end <= outer.end - 2 and m is not outer
            ]
            if inners:
                inner = max(inners, key=lambda m: m.end)
                if text.startswith(_DASHES, inner.end):
                    continue  # 某大学—某市某某联合实验室: a joint unit, not the first partner's
                out.append(
                    RawRelation(
                        text[outer.start : outer.end],
                        "subOrganizationOf",
                        text[inner.start : inner.end],
                        "structure:nested",
                        0.9,
                    )
                )
        return out

    def _distributed_units(self, text: str, ments: list[Candidate],
                           orgs: list[Candidate] | None = None) -> list[RawRelation]:
        """浙江大学医学院、药学院、…: later units of a list share the parent. ``orgs``: the
        organisations of ``ments``, if the caller has them (not changed)."""
        out: list[RawRelation] = []
        if orgs is None:
            orgs = [m for m in ments if m.type in ORG_TYPES]
        if len(orgs) < 2:
            return out  # a unit, its parent, or two media: two names at least
        orgs = sorted(orgs, key=lambda m: (m.start, -m.end))
        # a unit has a parent that starts with it: none when no two names start together
        units = orgs if len({m.start for m in orgs}) < len(orgs) else ()
        for unit in units:
            parent = next((p for p in orgs if p.start == unit.start and p.end < unit.end), None)
            if parent is None:
                continue
            if not unit.rule.startswith("unit:") and not (
                parent.type == "University" and unit.type in ("University", "ResearchInstitute")
            ):
                continue  # 某某大学无锡材料研究院、机械与动力学院: a university's list
            pname = text[parent.start : parent.end]
            last = unit.end
            for nxt in orgs:
                if nxt.start < last or nxt.start == unit.start:
                    continue
                if text[last : nxt.start] not in ("、", "和", "及", "以及"):
                    break
                own_parent = nxt.rule.startswith("unit:") or any(
                    o.start == nxt.start and o.end < nxt.end for o in orgs
                )
                nname = text[nxt.start : nxt.end]
                placed = any(nname[:k] in self._places for k in (2, 3, 4))
                if (
                    nxt.type in ("University", "ResearchInstitute")
                    and not own_parent
                    and not placed  # 某地复旦研究院, 某省农业科学研究院: a body of its own
                    and not nname.startswith(pname)
                ):
                    out.append(
                        RawRelation(
                            text[nxt.start : nxt.end],
                            "subOrganizationOf",
                            pname,
                            "structure:distributed-parent",
                            0.7,
                        )
                    )
                last = nxt.end
        for a, b in zip(orgs, orgs[1:]):
            if a.type == "Media" and b.type == "Media" and a.end == b.start:
                out.append(
                    RawRelation(
                        text[b.start : b.end],
                        "subOrganizationOf",
                        text[a.start : a.end],
                        "structure:media-programme",
                        0.7,
                    )
                )
        return out

    def _posts(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        out: list[RawRelation] = []
        titled = [p for p in ments if p.type == "Person" and p.rule.startswith("person:title:")]
        if not titled:
            return out
        orgs = [m for m in ments if m.type in _ORG_OR_PLACE]
        for p in titled:
            role = p.rule.split(":", 2)[2]
            # walk left over title words and 、 to the organisation
            j = p.start - len(role)
            # 市委常委、组织部长X / 市委副书记、市长X: the first post of a chain is in its own body
            for o in orgs:
                if o.type != "GovernmentBody" or o.end > j or j - o.end > 14:
                    continue
                if role not in self.implied:
                    continue  # 市财政局党组书记、局长X: both titles are in the same body
                chain = _CHAINED_TITLES_RE.fullmatch(text[o.end : j])
                if chain and chain.group(1) in self._titles:
                    out.append(
                        RawRelation(
                            text[p.start : p.end],
                            "holdsPost",
                            self._name(text, o),
                            "post:chained-title",
                            0.8,
                            qualifiers=(("role", chain.group(1)),),
                        )
                    )
            bare = _BARE_BODY_RE.search(text, max(0, j - 4), j)
            if bare and not any(o.start < j and bare.start() < o.end for o in orgs):
                # ，公司总经理A说 / 管委会副主任B: a post in the passage's body of that kind
                out.append(
                    RawRelation(
                        text[p.start : p.end],
                        "holdsPost",
                        f"{ANAPHOR}{_BARE_BODIES[bare.group(1)]}|{bare.group(1)}",
                        "post:bare-body",
                        0.6,
                        qualifiers=(("role", role),),
                    )
                )
                continue
            window = text[max(0, j - 16) : j]
            best = None
            for o in orgs:
                if o.end <= j and j - o.end <= 12:
                    between = text[o.end : j]
                    if not _P01.search(between):
                        if best is None or o.end > best.end:
                            best = o
            # a title right after a body or a place is a post there (嘉兴市人民政府副市长X,
            # 某市副市长X), not in the body the title alone implies (the home city's government)
            if best is None or (
                best.end < j
                and (text[best.end : j].strip("、") in self.implied or role in self.implied)
            ):
                implied = self.implied.get(role)
                if implied is None:
                    prev_title = _P02.search(text, max(0, j - 6), j)
                    implied = self.implied.get(prev_title.group(1)) if prev_title else None
                level = _HEAD_LEVEL.get(role)
                city = best is not None and _CITY_COMMITTEE_RE.match(text[best.start:])
                if implied and level and city and city.group(1).endswith(level):
                    # 某地市委副书记、市长A: the mayor of 某地市, not of the home city
                    implied = city.group(1) + "人民政府"
                if (
                    implied
                    and implied.startswith("市委")
                    and best is not None
                    and best.type == "GovernmentBody"
                    and text[best.start : best.end].endswith("委")
                ):
                    # 县委常委、组织部长A: the department of the committee the chain names
                    implied = text[best.start : best.end] + implied[2:]
                inside = next((o for o in orgs if o.type == "GovernmentBody"
                               and o.start < j < o.end <= p.start), None)
                if implied and inside is not None:
                    # 某地市委书记A: the committee the title's first words name (某地市委)
                    implied = text[inside.start : inside.end]
                if implied:
                    out.append(
                        RawRelation(
                            text[p.start : p.end],
                            "holdsPost",
                            implied,
                            "post:implied-body",
                            0.8,
                            qualifiers=(("role", role),),
                        )
                    )
                    continue
            if best is None:
                own = _OWN_BODY_RE.search(text, max(0, j - 24), j)
                if own and not any(own.end() <= o.start < j for o in orgs):
                    # 我校党委书记A、副校长B / 我院院长C: a post in the page's own body
                    out.append(
                        RawRelation(
                            text[p.start : p.end],
                            "holdsPost",
                            ANAPHOR + self.anaphora.get(own.group(1), "Organization"),
                            "post:own-body",
                            0.7,
                            qualifiers=(("role", role),),
                        )
                    )
                continue
            _ = window
            between = text[best.end : j]
            roles = [role] + [t for t in _P03.split(between) if t in self._titles]
            body = text[best.start : best.end]
            out.append(
                RawRelation(
                    text[p.start : p.end],
                    "holdsPost",
                    body,
                    "post:org-title-name",
                    0.9,
                    qualifiers=(("role", "、".join(sorted(set(roles), key=roles.index))),),
                )
            )
        return out

    def _hosted_event(self, text: str, ments: list[Candidate], pos: int) -> Candidate | None:
        """The event a sentence in the passive voice is about (X由A主办、B承办): an event named
        before 由, or 本次活动/此次大会 … (the article's event), when 由 comes before ``pos``."""
        by = text.find("由", 0, pos)
        if by < 0:
            return None
        named = [m for m in ments if m.type == "Event" and m.end <= by and by - m.end <= 2]
        if named:
            return named[-1]
        this = _THIS_EVENT_RE.search(text, 0, by + 1)
        if this:
            return Candidate(this.start(), this.end() - 1, "Event", "anaphora")
        return None

    def _clause_breaks(self, text: str) -> list[int]:
        """The offsets of the clause breaks of ``text`` (kept for the sentence's rules)."""
        if text is not self._breaks_of:
            self._breaks_of = text
            self._breaks = [m.start() for m in _CLAUSE_BREAK_RE.finditer(text)]
        return self._breaks

    def _clause_bounds(self, text: str, pos: int) -> tuple[int, int]:
        """The clause around ``pos``: from after the last break before it to the next break."""
        breaks = self._clause_breaks(text)
        i = bisect_left(breaks, pos)
        return (breaks[i - 1] + 1 if i else 0), (breaks[i] if i < len(breaks) else len(text))

    def _right_run(
        self, text: str, ments: list[Candidate], pos: int, end: int, types: set[str]
    ) -> list[Candidate]:
        """Objects right of ``pos``: the first allowed mention and those coordinated with it."""
        run: list[Candidate] = []
        last = pos
        for m in ments:
            if m.start < pos:
                continue
            if m.start >= end:
                break  # (the mentions are in order of their start)
            gap = text[last : m.start]
            if run:
                if not _P04.fullmatch(gap):
                    break
            elif gap.endswith("由"):
                break  # 引进由A领衔研发的项目: A is the agent of a relative clause
            elif len(gap) > 12 and _P05.search(gap):
                break
            if m.type == "Place" and _COUNTED_BEFORE_RE.search(text, max(0, m.start - 6), m.start):
                continue  # 联合20家中国股权投资机构: a place that qualifies counted bodies
            if m.type in types:
                if run and run[-1].type == "Place" and m.type == "Place" and run[-1].end == m.start:
                    run.pop()  # 我市云溪镇: the town, not the city that qualifies it
                run.append(m)
                last = m.end
            elif run:
                break
        return run

    def _left_subject(
        self,
        text: str,
        ments: list[Candidate],
        pos: int,
        start: int,
        types: set[str],
        prefer_head: bool = False,
        segment_first: bool = False,
    ) -> Candidate | None:
        """The subject of a predicate at ``pos``: the sentence's own subject when it opens the
        sentence (after at most a short adverbial such as 近日，), else the nearest mention to
        the left in the clause. With ``segment_first`` a mention in the same comma-delimited
        segment wins over the sentence's subject (…，并由该公司配套于…)."""
        if segment_first:
            seg = max(start, max(text.rfind("，", 0, pos), text.rfind(",", 0, pos)) + 1)
            # the last mention of the segment that ends by pos (the mentions are in order of
            # their start)
            last = None
            for m in reversed(ments):
                if m.start < seg:
                    break
                if m.end <= pos and (
                    m.type in types or (m.rule == "anaphora" and m.type == "Organization")
                ):
                    last = m
                    break
            if last and (last.rule == "anaphora" or _P06.search(text[seg : last.start])):
                return last
        for ex in _P07.finditer(text[:pos]) if "为例" in text else ():
            hit = [
                m
                for m in ments
                if m.start == ex.start(1) and m.end == ex.end(1) and m.type in types
            ]
            if hit:
                return hit[0]  # 以X为例，其…: the example is what the sentence is about
        head = self._sentence_subject(text, ments, pos, types) if prefer_head else None
        if head is not None:
            return head
        best = None
        for m in ments:
            if m.start > pos:
                break  # (the mentions are in order of their start: none ends by pos)
            if m.end <= pos and m.start >= start and m.type in types:
                best = m
        return best

    def _left_coordinated(
        self, text: str, ments: list[Candidate], head: Candidate, same_type: bool = True
    ) -> list[Candidate]:
        """Mentions joined to ``head`` by 、/和/与/及 on its left or right (A、B入选…)."""
        out: list[Candidate] = []
        ordered = sorted(ments, key=lambda m: m.start)
        i = ordered.index(head)
        k = i
        while k > 0 and text[ordered[k - 1].end : ordered[k].start] in ("、", "和", "与", "及"):
            k -= 1
            if ordered[k].type == head.type or (
                not same_type and ordered[k].type in ORG_TYPES and head.type in ORG_TYPES
            ):
                out.append(ordered[k])
        k = i
        while k + 1 < len(ordered) and text[ordered[k].end : ordered[k + 1].start] in (
            "、",
            "和",
            "与",
            "及",
        ):
            k += 1
            if ordered[k].type == head.type or (
                not same_type and ordered[k].type in ORG_TYPES and head.type in ORG_TYPES
            ):
                out.append(ordered[k])
        return out

    def _sentence_subject(
        self, text: str, ments: list[Candidate], pos: int, types: set[str]
    ) -> Candidate | None:
        """The mention that opens the clause (after the last ；) holding ``pos``."""
        cstart = max(text.rfind("；", 0, pos), text.rfind(";", 0, pos)) + 1
        if text is not self._leads_of:
            self._leads_of = text
            self._leads = {}
        leads = self._leads
        for m in ments:
            if m.start < cstart:
                continue
            if m.start >= pos:
                return None
            lead = leads.get((cstart, m.start))
            if lead is None:
                lead = leads[(cstart, m.start)] = _lead(text[cstart : m.start])
            if lead == _LEAD_STOPS:
                return None
            if lead == _LEAD_OPENS and m.type in types and m.end <= pos:
                return m
            if m.type in _ORG_OR_PERSON:
                return None
        return None

    def _triggers(self, text: str, ments: list[Candidate], kinds: set[str] | None = None
                  ) -> list[RawRelation]:
        """The trigger words' rules; ``kinds``: the types of ``ments``, if the caller has
        them."""
        out: list[RawRelation] = []
        if not self._trig_re:
            return out
        named: bytearray | None = None  # 1 where a name is (not 我市, 该公司)
        empty: list[tuple[int, int]] = []  # (names of no length, if any: tested one by one)
        starts: list[int] = []  # the mentions' starts (in order)
        breaks: list[int] | None = None  # the clause breaks (see _clause_bounds)
        live_of = self._trig_live
        for t in self._trig_re.finditer(text):
            if kinds is None:
                kinds = {m.type for m in ments}
            w = t.group()
            live = live_of[w]
            if live is not True and live.isdisjoint(kinds):  # type: ignore[union-attr]
                continue  # none of the word's rules can find an object
            if named is None:
                named = bytearray(len(text))
                starts = [m.start for m in ments]
                for m in ments:
                    if m.rule in ("home", "anaphora"):
                        continue
                    if m.end > m.start:
                        named[m.start : m.end] = b"\x01" * (m.end - m.start)
                    else:
                        empty.append((m.start, m.end))
            ts, te = t.span()
            if named.find(1, ts, te) >= 0 or empty and any(s < te and ts < e for s, e in empty):
                continue  # trigger inside a name (服务中心 has 服务, 投资 in 某某投资)
            if _NOUN_AFTER_RE.match(text, te):
                continue  # 投资机构, 合作方: a noun compound, not the verb
            if _NOUN_BEFORE_RE.search(text, ts - 4 if ts > 4 else 0, ts):
                continue  # 总投资, 领域投资: a noun
            if w.startswith("签") and _P12.match(text, te):
                continue  # 签约落户: settling in, not an agreement with the place
            if w in self._founding_verbs and _FOUNDED_WHEN_RE.match(text, te):
                continue  # 某某实验室成立于2021年，依托A…: its date, not what it founded
            if breaks is None:
                breaks = self._clause_breaks(text)
            i = bisect_left(breaks, ts)
            cs, ce = (breaks[i - 1] + 1 if i else 0), (breaks[i] if i < len(breaks) else len(text))
            # a mention after the trigger in its clause, or no object on the right
            right = (i := bisect_left(starts, te)) < len(starts) and starts[i] < ce
            for rule, subj_t, obj_t, tag in self._trig_rules[w]:
                kind, p = rule["kind"], rule["p"]
                # (no mention of an object's type: no run of objects, nor partners)
                right_t = right and not obj_t.isdisjoint(kinds)
                if kind in ("forward", "reverse", "serve"):
                    objs = self._right_run(text, ments, te, ce, obj_t) if right_t else []
                    if (
                        not objs
                        and p == "locatedIn"
                        and w in ("落户", "落地")
                        and not _P13.match(text[te:])
                    ):
                        # 签约落户 / 相继落户 with no place: settled in the home city
                        subs = [
                            m
                            for m in ments
                            if cs <= m.start
                            and m.end <= ts
                            and (
                                ts - m.end <= 12
                                or _SETTLED_AFTER_RE.fullmatch(text[m.end : ts])
                            )
                            and m.type in ("Enterprise", "ResearchInstitute", "Platform")
                            and m.rule != "anaphora"
                        ]
                        if subs:
                            head = subs[-1]
                            for sm in [
                                head,
                                *self._left_coordinated(text, ments, head, same_type=False),
                            ]:
                                out.append(
                                    RawRelation(
                                        text[sm.start : sm.end], p, self.home, f"{tag}:home", 0.6
                                    )
                                )
                        continue
                    if not objs:
                        continue
                    subj = self._left_subject(
                        text, ments, ts, cs, subj_t, prefer_head=True, segment_first=True
                    )
                    if subj is not None and p == "locatedIn" and subj.rule != "anaphora":
                        seg0 = max(text.rfind(ch, 0, ts) for ch in "，,") + 1
                        if (
                            subj.start < seg0
                            and text[subj.end : seg0].strip("，,")
                            and self._sentence_subject(text, ments, ts, subj_t) is not subj
                        ):
                            subj = None  # …，当天有2个项目签约落户平湖: what settles is nearby
                    sname = self._name(text, subj) if subj else ""
                    conf = 0.75 if subj and sname else 0.55
                    for o in objs:
                        oname = self._name(text, o)
                        if not oname:
                            continue
                        if kind == "reverse":
                            if sname:
                                out.append(RawRelation(oname, p, sname, tag, conf))
                            else:
                                out.append(
                                    RawRelation(
                                        oname,
                                        p,
                                        "",
                                        tag + ":carried-object",
                                        0.5,
                                        s_type="|".join(sorted(subj_t)),
                                    )
                                )
                        else:
                            p2 = p
                            if (
                                p == "founded"
                                and w in ("创建", "建成")
                                and _P14.match(oname)
                            ):
                                p2 = "hasAward"  # 成功创建省级现代渔业园区: a title earned
                            out.append(
                                RawRelation(
                                    sname,
                                    p2,
                                    oname,
                                    tag if p2 == p else f"trigger:hasAward:{w}",
                                    conf,
                                    s_type="" if sname else "|".join(sorted(subj_t)),
                                )
                            )
                elif kind == "joint":
                    objs = self._right_run(text, ments, te, ce, obj_t) if right_t else []
                    if p == "participatedIn" and w in _ORGANISING:
                        host = self._hosted_event(text, ments, ts)
                        if host is not None:
                            objs = [host]  # 本次活动由A主办，B承办，是…年会的…: this event
                    if p == "cofounded":
                        objs = [self._built_in_agreement(text, o) for o in objs]
                        objs = [o for o in objs if o is not None]
                    if not objs:
                        continue
                    backers = [
                        (b.start(), b.end())
                        for b in _BACKED_RE.finditer(text[: ts])
                    ]
                    parties = [
                        m
                        for m in ments
                        if cs <= m.start
                        and m.end <= ts
                        and not any(b0 <= m.start < b1 for b0, b1 in backers)
                        and text[m.start - 1 : m.start] != "在"  # 在X举办的: a venue
                        and m.type in subj_t
                        and not (
                            m.type == "Place"
                            and m.rule != "home"
                            and not _P15.search(text[m.start : m.end])
                        )
                    ]
                    if len(objs) > 1 and p == "cofounded":
                        peers = [m for m in parties if m.rule != "home" and m.type in ORG_TYPES]
                        if len(peers) == len(objs):
                            # 与A、B等院校合作共建C、D: respectively
                            for a, b in zip(peers, objs):
                                out.append(
                                    RawRelation(
                                        self._name(text, a),
                                        p,
                                        self._name(text, b),
                                        tag + ":respectively",
                                        0.6,
                                    )
                                )
                            parties = [m for m in parties if m not in peers]
                    if p != "participatedIn":
                        parties = parties[-3:]
                    names = [self._name(text, m) for m in parties]
                    if not parties or (
                        len(parties) == 1
                        and re.search(
                            "[与和同跟]" + re.escape(text[parties[0].start : parties[0].end]),
                            text[cs : ts],
                        )
                    ):
                        names.append("")
                    for o in objs:
                        oname = self._name(text, o)
                        for n in dict.fromkeys(names):
                            out.append(
                                RawRelation(
                                    n,
                                    p,
                                    oname,
                                    tag,
                                    0.7 if n else 0.55,
                                    s_type="" if n else "|".join(sorted(subj_t)),
                                )
                            )
                    # A与B共建C / A联合B共建C: A and B also cooperate
                    seg = text[cs : ts]
                    wm = _P16.search(seg)
                    if wm:
                        wpos = cs + wm.start()
                        lead = [
                            m for m in ments if m.end <= wpos and m.start >= cs and m.type in subj_t
                        ]
                        at = text.find("在", wpos + len(wm.group()), ts)
                        end = at if at >= 0 else ts  # A与B在C举行…: C is the venue
                        partners = [
                            m
                            for m in ments
                            if m.start >= wpos + len(wm.group())
                            and m.end <= end
                            and m.type in ORG_TYPES
                        ]
                        a = self._name(text, lead[-1]) if lead else ""
                        for b in partners:
                            bn = self._name(text, b)
                            if bn and bn != a:
                                out.append(
                                    RawRelation(
                                        a,
                                        "cooperatesWith",
                                        bn,
                                        f"trigger:cooperatesWith:{wm.group()}…{w}",
                                        0.65 if a else 0.5,
                                        s_type="" if a else "|".join(sorted(subj_t)),
                                    )
                                )
                elif kind == "investment":
                    out += self._investment(text, ments, t, cs, ce)
                elif kind == "with":
                    if obj_t.isdisjoint(kinds):
                        continue  # no partner can be named
                    seg = text[cs : ts]
                    # the last 与/同/和/跟 that is not inside a name (机械与动力学院)
                    wi = -1
                    for wm in reversed(list(_P17.finditer(seg))):
                        if not any(m.start <= cs + wm.start() < m.end for m in ments):
                            wi = wm.start()
                            break
                    if wi >= 0:
                        wpos = cs + wi
                        topic = _P18.search(text[wpos : ts])
                        stop = wpos + topic.start() if topic else ts
                        at = text.find("在", wpos + 1, stop)
                        stop = at if at >= 0 else stop  # A与B在C举行…: C is the venue
                        partners = [
                            m for m in ments if wpos < m.start and m.end <= stop and m.type in obj_t
                        ]  # 与A就共建B进行签约: B is the topic, not a party
                        # the subject is in the same comma segment or opens the sentence;
                        # a mention in an earlier segment is usually some other verb's object
                        seg0 = max(cs, max(text.rfind(ch, 0, wpos) for ch in "，,") + 1)
                        subj = self._left_subject(text, ments, wpos + 1, seg0, subj_t)
                        if subj is None:
                            subj = self._sentence_subject(text, ments, wpos, subj_t)
                        if subj is None:
                            # the column speaks for the city: 我市…，密切与A、B的对接交流
                            subj = next(
                                (m for m in ments if m.rule == "home" and m.end <= wpos), None
                            )
                    else:
                        partners = self._right_run(text, ments, te, ce, obj_t) if right else []
                        if partners and _P19.search(text[te : partners[0].start]):
                            partners = []  # 对接协调，至目前已实现A…: A is another verb's
                        subj = self._left_subject(text, ments, ts, cs, subj_t)
                    orgs_only = [m for m in partners if m.type != "Place"]
                    partners = orgs_only or partners
                    if not partners:
                        continue
                    sname = self._name(text, subj) if subj else ""
                    for o in partners:
                        oname = self._name(text, o)
                        if oname and oname != sname:
                            out.append(
                                RawRelation(
                                    sname,
                                    p,
                                    oname,
                                    tag,
                                    0.7 if sname else 0.5,
                                    s_type="" if sname else "|".join(sorted(subj_t)),
                                )
                            )
        return out

    def _investment(
        self, text: str, ments: list[Candidate], t: re.Match[str], cs: int, ce: int
    ) -> list[RawRelation]:
        """Who invested in whom, around one investment word (``relations.json``, kind
        ``investment``); the investor is the subject of ``investedIn``:

        * 由A投资(的)B / B由A投资建设 — A invests in B;
        * A投资(了)B / A投资的B / A入股B / A向B注资 — A invests in B;
        * A对B进行(定向)投资 — A invests in B (B a mention, or a described group such as
          优质校友项目);
        * B获得A(的)…投资 / B获A…战略投资 — A invests in B;
        * B完成…融资，由A领投，C跟投 — A and C invest in B;
        * A(已)投资(了)N个…项目 — A invests in the counted projects (a literal).

        With no investor in the sentence (入股X基金，…), the subject is left empty: the
        article's running subject takes it (:mod:`.pipeline`). Amounts, rounds and dates are
        found with the fact by :mod:`.pipeline`."""
        w = t.group()
        if _INVEST_NOUN_AFTER_RE.match(text, t.end()) or _INVEST_NOUN_BEFORE_RE.search(
            text, max(0, t.start() - 6), t.start()
        ):
            return []  # 投资额, 投资机构, 融资难, 总投资, 计划投资: a noun or a plan
        investors_t = _INVESTORS
        investees_t = _INVESTEES
        seg0 = max(cs, max(text.rfind(ch, 0, t.start()) for ch in "，,") + 1)
        left = text[seg0 : t.start()]
        tag = f"invest:{w}"
        out: list[RawRelation] = []

        def names(a: int, b: int, types: set[str]) -> list[str]:
            found = [m for m in ments if a <= m.start and m.end <= b and m.type in types
                     and m.rule != "home"]
            found = [m for m in found if not any(o is not m and o.start <= m.start
                                                 and m.end <= o.end for o in found)]
            return [self._name(text, m) for m in found]

        def emit(investors: list[str], investees: list[str], conf: float, how: str,
                 literal: bool = False) -> None:
            for i in investors or [""]:
                for e in investees:
                    if i != e:
                        out.append(RawRelation(
                            i, "investedIn", e, f"{tag}:{how}", conf if i else 0.5,
                            literal=literal, s_type="" if i else "org|Place"))

        # 由A领投，B、C跟投 (the investee is the sentence's company that raised the money)
        if w in ("领投", "跟投", "参投") and text[t.end() : t.end() + 1] in ("", *"，,。；;"):
            investors = names(seg0, t.start(), investors_t)
            raised = _INVEST_RAISED_RE.search(text, 0, seg0)
            if raised:
                investee = self._left_subject(text, ments, raised.start(), 0, investees_t,
                                              prefer_head=True)
                if investee is not None and investors:
                    emit(investors, [self._name(text, investee)], 0.7, "round")
            return out
        # 由A投资(的/建设/落户…)B, B由A投资建设
        by = _INVEST_BY_RE.search(left)
        if by:
            a0 = seg0 + by.start(1)
            investors = names(a0, t.start(), investors_t)
            if not investors and by.group(1) in self.class_anaphora:
                investors = [ANAPHOR + self.class_anaphora[by.group(1)]]
            right = self._right_run(text, ments, t.end(), ce, investees_t)
            if right:
                investees = [self._name(text, m) for m in right]
            else:
                head = self._left_subject(text, ments, seg0 + by.start(), cs, investees_t,
                                          prefer_head=True)
                investees = [self._name(text, head)] if head else []
            emit(investors, investees, 0.75, "by")
            return out
        # B获得A(的)(N万元)(X轮)投资 / B完成…融资
        got = _INVEST_GOT_RE.search(left) if w in _PASSIVE_WORDS else None
        if got:
            investee = self._left_subject(text, ments, seg0 + got.start(), cs, investees_t,
                                          prefer_head=True)
            investors = names(seg0 + got.end(1), t.start(), investors_t)
            if investee is not None and investors:
                emit(investors, [self._name(text, investee)], 0.75, "got")
            return out
        # A对B进行(了)(N万元)(定向)投资 / A向B注资
        to = _INVEST_TO_RE.search(left)
        if to:
            b0, b1 = seg0 + to.start(1), seg0 + to.end(1)
            group = _INVEST_GROUP_RE.search(to.group(1))
            # a name that qualifies the group (对优质的某大学校友项目…) is not the investee
            investees = [] if group and not any(
                m.end == b1 for m in ments if b0 <= m.start and m.type in investees_t
            ) else names(b0, b1, investees_t)
            literal = False
            if not investees:
                if not group:
                    return out
                investees, literal = [group.group()], True
            investor = self._investor_left(text, ments, seg0 + to.start(), cs)
            emit([investor] if investor else [], investees, 0.7, "to", literal)
            return out
        # A投资(了)B / A投资的B / 入股B / 投资N个…项目
        right = self._right_run(text, ments, t.end(), ce, investees_t)
        literal = False
        if right and _P19.search(text[t.end() : right[0].start]):
            right = []  # 投资建设，…B: B belongs to another clause
        if right:
            investees = [self._name(text, m) for m in right]
        else:
            counted = _INVEST_COUNTED_RE.match(text, t.end())
            if not counted:
                return out
            investees, literal = [counted.group(1)], True
        investor = self._investor_left(text, ments, t.start(), cs)
        if investor is None and not _INVEST_OPENS_RE.fullmatch(text[seg0 : t.start()]):
            return out  # an investor we cannot see, in a clause that has one
        emit([investor] if investor else [], investees, 0.7, "forward", literal)
        return out

    def _investor_left(
        self, text: str, ments: list[Candidate], pos: int, cs: int
    ) -> str | None:
        """The investor of an investment word at ``pos``: the clause's subject, else the
        nearest investor-like mention to its left in the sentence (…建立母基金，对B进行投资)."""
        subj = self._left_subject(text, ments, pos, cs, _INVESTORS, prefer_head=True,
                                  segment_first=True)
        if subj is None:
            near = [m for m in ments if cs <= m.start and m.end <= pos
                    and m.type in ("Fund", "FinancialInstitution")]
            subj = near[-1] if near else None
        if subj is None:
            return None
        if subj.rule == "anaphora":
            return ANAPHOR + subj.type
        return self._name(text, subj)

    def _fund_partners(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """A fund's partners invest in it: 引进基金合伙人——某企业 / 某企业成为某基金(的)(有限)
        合伙人. The fund is the one named before 的合伙人, else the sentence's fund, else the
        passage's (该基金)."""
        out: list[RawRelation] = []
        for m in _PARTNER_RE.finditer(text):
            funds = [c for c in ments if c.type == "Fund" and c.end <= m.start()]
            own = [c for c in funds if text[c.end : m.start()] in ("", "的")]
            fund = own[-1] if own else (funds[-1] if funds else None)
            if fund is None:
                later = [c for c in ments if c.type == "Fund" and c.start >= m.end()]
                fund = later[0] if later else None
            fname = self._name(text, fund) if fund else ANAPHOR + "Fund"
            # the partner: named right after (——/：/为 and a short description), or the subject
            # of 成为/作为/是 before
            after = [c for c in ments if c.start >= m.end() and c.type in _ORG_NOT_FUND
                     and c.start - m.end() <= 16 and not _P01.search(text[m.end() : c.start])]
            partners = after[:1]
            if not partners:
                pm = _PARTNER_BECOMES_RE.search(text, max(0, m.start() - 22), m.start())
                if pm:
                    subj = self._left_subject(text, ments, pm.start(), 0,
                                              _ORG_NOT_FUND, prefer_head=True)
                    partners = [subj] if subj else []
            for c in partners:
                out.append(RawRelation(text[c.start : c.end], "investedIn", fname,
                                       "invest:fund-partner", 0.7))
        return out

    def _both_parties(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """双方(共同)设立/共建X: the two parties the passage last named as signing or working
        together (``ANAPHOR + "Pair"``, resolved by :mod:`.pipeline`) co-found X."""
        out: list[RawRelation] = []
        for m in _BOTH_FOUND_RE.finditer(text):
            _, ce = self._clause_bounds(text, m.start())
            for o in self._right_run(text, ments, m.end(), ce, _FOUNDED_TYPES):
                out.append(RawRelation(PAIR, "cofounded", self._name(text, o),
                                       "anaphora:both-parties", 0.7))
        return out

    def _fund_helps(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """以A、B两只基金为依托，…已助力N个项目: funds helping counted projects invest in them
        (a fund's help is its money)."""
        out: list[RawRelation] = []
        funds = [c for c in ments if c.type == "Fund"]
        if not funds:
            return out
        for m in _FUND_HELPS_RE.finditer(text):
            cs, _ = self._clause_bounds(text, m.start())
            for f in funds:
                if cs <= f.start and f.end <= m.start():
                    out.append(RawRelation(self._name(text, f), "investedIn", m.group(1),
                                           "invest:fund-helps", 0.6, literal=True))
        return out

    def _awards(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        out = []
        if not self._award_rule:
            return out
        subj_t = self._award_subj_t
        prev: tuple[int, Candidate | None] | None = None  # (end, subject) of the last award
        for a in ments:
            if a.type != "Award":
                continue
            if _P20.match(text[a.end :]):
                continue  # 拟申报某某企业21家: a count of future holders, not an honour held
            nxt = [
                m
                for m in ments
                if m.type in ORG_TYPES
                and (m.start == a.end or text[a.end : m.start] in ("——", "—", "：", ":"))
            ]
            if nxt:  # 省级孵化器某某智造园: the title stands before the name
                out.append(
                    RawRelation(
                        text[nxt[0].start : nxt[0].end],
                        "hasAward",
                        text[a.start : a.end],
                        "award:apposition",
                        0.8,
                    )
                )
                continue
            if a.rule in ("award:ranked-title", "award:science") and not (
                _AWARDED_BEFORE_RE.search(text[: a.start])
            ):
                continue
            winners = _AWARD_WINNERS_RE.match(text, a.end)
            if winners:  # 两家企业荣获某奖，分别是A、B: the list after names the winners
                stop = _SENTENCE_PART_END_RE.search(text, winners.end())
                listed = self._right_run(text, ments, winners.end(),
                                         stop.start() if stop else len(text), subj_t)
                if listed:
                    for w in listed:
                        out.append(RawRelation(self._name(text, w), "hasAward",
                                               text[a.start : a.end], "award:winners-after", 0.75))
                    prev = (a.end, None)
                    continue
            cs, _ = self._clause_bounds(text, a.start)
            if prev is not None and _AWARD_LIST_GAP_RE.fullmatch(text[prev[0] : a.start]):
                subj = prev[1]  # 荣获A、B、C: the awards of one list share their winner
            else:
                subj = self._left_subject(
                    text,
                    ments,
                    a.start,
                    cs,
                    subj_t | set(self.anaphora.values()),
                    prefer_head=True,
                )
            prev = (a.end, subj)
            sname = self._name(text, subj) if subj else ""
            stype = (
                subj.type
                if subj is not None and subj.rule == "anaphora"
                else "|".join(sorted(subj_t))
            )
            out.append(
                RawRelation(
                    sname,
                    "hasAward",
                    text[a.start : a.end],
                    "award:trigger",
                    0.75 if sname else 0.5,
                    s_type="" if sname else stype,
                )
            )
            if subj is not None and subj.rule not in ("anaphora", "home"):
                for co in self._left_coordinated(text, ments, subj):
                    out.append(
                        RawRelation(
                            text[co.start : co.end],
                            "hasAward",
                            text[a.start : a.end],
                            "award:trigger:coordinated",
                            0.7,
                        )
                    )
            for ev in self._all_m:
                if ev.type == "Event" and ev.start == a.start and ev.end < a.end:
                    out.append(
                        RawRelation(
                            sname,
                            "participatedIn",
                            text[ev.start : ev.end],
                            "award:contest",
                            0.7 if sname else 0.5,
                            s_type="" if sname else "|".join(sorted(subj_t)),
                        )
                    )
        return out

    def _fronted_focus_subject(
        self, text: str, ments: list[Candidate], ind: Candidate, types: set[str]
    ) -> Candidate | None:
        """围绕A、B等重点产业，我市… / 聚焦A产业，建成X: an industry in a fronted phrase is the
        focus of the next segment's subject, or of the body that segment builds."""
        seg0 = max(text.rfind(ch, 0, ind.start) for ch in "，,；;。") + 1
        if not _P21.match(text[seg0:]):
            return None
        nxt = text.find("，", ind.end)
        if nxt < 0 or _P22.search(text[ind.end : nxt]):
            return None
        own = [m for m in ments if ind.end < m.start < nxt and m.rule == "home"]
        if own and _P23.match(text[own[0].end : nxt]):
            return own[0]  # 围绕A、B等我市独有的产业特点，…
        for m in ments:
            if m.start <= nxt:
                continue
            lead = text[nxt + 1 : m.start]
            if m.type in types and (
                (len(lead) <= 2 and not _P24.search(lead))
                or _P25.fullmatch(lead)
            ):
                return m
            break
        return None

    def _industries(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        out = []
        rule = self._industry_rule
        if not rule:
            return out
        inds = [m for m in ments if m.type == "Industry"]
        if not inds:
            return out
        subj_t = self._industry_subj_t
        trig = self._industry_trig_re
        cands = [
            m
            for m in ments
            if not (m.type == "Place" and m.rule != "home" and self._name(text, m) != self.home)
        ]
        for ind in inds:
            after = text[ind.end : ind.end + 8]
            if _STATISTIC_RE.match(after):
                continue  # 纺织产业投资同比增长…: a statistic, not a focus
            if self._home_benefits(text, ments, ind.start):
                continue  # 为本地纺织产业提供服务: left to the beneficiary rule
            cs, _ = self._clause_bounds(text, ind.start)
            subj = self._left_subject(text, cands, ind.start, cs, subj_t, prefer_head=True)
            tag = "industry:focus"
            if subj is None:
                subj = self._fronted_focus_subject(text, cands, ind, subj_t)
            between = text[subj.end if subj and subj.end <= ind.start else cs : ind.start]
            own = _P26.search(text[ind.start : ind.end])
            if not (
                own
                or trig.search(between)
                or _INDUSTRY_LISTED_AFTER_RE.match(after)
            ):
                continue
            sname = self._name(text, subj) if subj else ""
            stype = (
                "|".join(sorted(ORG_TYPES))
                if subj is not None and subj.rule == "anaphora"
                else "|".join(sorted(subj_t))
            )
            out.append(
                RawRelation(
                    sname,
                    "focusIndustry",
                    text[ind.start : ind.end],
                    tag,
                    0.65 if sname else 0.45,
                    s_type="" if sname else stype,
                )
            )
        return out

    def _home_benefits(self, text: str, ments: list[Candidate], pos: int) -> bool:
        """为本地X: the home city (see :meth:`_is_home`) named right before ``pos``, after 为."""
        for m in ments:
            if (m.end == pos and m.start > 0 and text[m.start - 1] == "为"
                    and self._is_home(text, m)):
                return True
        return False

    def _is_home(self, text: str, m: Candidate) -> bool:
        """我市 / 本市, or the home city's own name with or without 市."""
        if m.type != "Place":
            return False
        name = self._name(text, m)
        return m.rule == "home" or name == self.home or name + "市" == self.home

    def _adjacency(self, text: str, ments: list[Candidate], kinds: set[str] | None = None
                   ) -> list[RawRelation]:
        """Relations stated by juxtaposition.

        法国里昂 / 上海市徐汇区: the second place is located in the first; 我市X: X is located in
        the home city; 高新区某某 / 孵化器内，X: an organisation named right after a platform
        (or after "platform内，") is located in it; 位于X的Y: Y is located in X. ``kinds``: the
        types of ``ments``, if the caller has them.
        """
        out: list[RawRelation] = []
        if not ments:
            return out  # every fact below relates a mention (or more)
        if kinds is None:
            kinds = {m.type for m in ments}
        # places and platforms: what 位于/在…举行/在X举办的 need
        venues = "Place" in kinds or "Platform" in kinds
        for a, b in zip(ments, ments[1:]):
            if a.end < b.start and a.type != "Platform":
                continue  # (only a platform relates to a name not right after it)
            gap = text[a.end : b.start]
            bn = text[b.start : b.end]
            if a.type == "Place" and b.type == "Place" and gap == "" and (
                an := self._name(text, a)
            ):
                wide = ("countries", "regions")
                if self._places.get(bn) in wide and self._places.get(an) not in wide:
                    continue  # 某县中国某某城, 某市西部: a country or region is in no county
                out.append(RawRelation(bn, "locatedIn", an, "adjacency:place-place", 0.8))
            elif a.rule == "home" and gap == "" and b.type in _ORG_NOT_GOVERNMENT:
                out.append(RawRelation(bn, "locatedIn", self.home, "adjacency:home", 0.75))
            elif (
                a.type == "Place"
                and b.type == "Industry"
                and gap == ""
                and self._is_home(text, a)
                and not _STATISTIC_RE.match(text[b.end :])
            ):
                if text[max(0, a.start - 1) : a.start] == "为":
                    continue  # X为本地某产业提供服务: the city benefits; no focus of its own
                out.append(
                    RawRelation(self.home, "focusIndustry", bn, "adjacency:home-industry", 0.7)
                )
            elif (
                a.type == "Platform"
                and b.type in ("Enterprise", "ResearchInstitute")
                and (gap == "" or _P27.fullmatch(gap))
            ):
                out.append(RawRelation(bn, "locatedIn", self._name(text, a),
                                       "adjacency:platform-member", 0.65))
        if self.industry_nouns and "Industry" in kinds:
            for ind in ments:
                if ind.type != "Industry":
                    continue
                m = self._class_org_re.match(text, ind.end)
                if not m:
                    continue
                org = [c for c in ments if c.start == m.end() and c.type in ORG_TYPES]
                if org:  # 芯片设计头部企业某某微电子, 算力龙头企业某某科技
                    out.append(
                        RawRelation(
                            text[org[0].start : org[0].end],
                            "focusIndustry",
                            text[ind.start : ind.end],
                            "pattern:industry-class-org",
                            0.75,
                        )
                    )
        # X是由A和B共同发起设立的, 该基金由A与B牵头发起, X依托A和B联合而建: A and B co-founded X
        for m in _COFOUNDED_BY_RE.finditer(text) if "由" in text or "依托" in text else ():
            g = 1 if m.group(1) is not None else 2
            founders = [
                c
                for c in ments
                if c.start >= m.start(g) and c.end <= m.end(g) and c.type in _ORG_OR_PLACE
                and not (c.type == "Place" and c.end < m.end(g)
                         and _CJK_RE.match(text, c.end) and not _P03.match(text, c.end))
            ]  # (20家中国股权投资机构: a country that qualifies a noun is no founder)
            made = self._sentence_subject(text, ments, m.start(), ORG_TYPES)
            if len(founders) >= 2 and made is not None and made not in founders:
                for f in founders:
                    out.append(
                        RawRelation(
                            self._name(text, f),
                            "cofounded",
                            self._name(text, made),
                            "pattern:由A和B共同设立",
                            0.7,
                        )
                    )
        # 某大学、某公司等…均为该院科技服务对象: the listed organisations are its clients
        for m in _CLIENTS_RE.finditer(text) if "服务对象" in text else ():
            provider = [c for c in ments if c.start >= m.start(3) and c.end <= m.end(3)]
            pname = ""
            if provider:
                pv = provider[0]
                pname = ANAPHOR + pv.type if pv.rule == "anaphora" else self._name(text, pv)
            if not provider and m.group(3) in self.class_anaphora | self.anaphora:
                pname = ANAPHOR + (self.anaphora.get(m.group(3)) or "Organization")
            if not pname:
                continue
            for c in ments:
                if c.end <= m.start() and c.type in ORG_TYPES and c.rule not in ("anaphora",):
                    out.append(
                        RawRelation(
                            pname, "servesClient", text[c.start : c.end], "pattern:服务对象", 0.7
                        )
                    )
        # 在X的推动下 / 得到了X的大力支持 / 由X授牌: X supports the sentence's subject
        for m in _SUPPORTED_RE.finditer(text) if _SUPPORT_WORD_RE.search(text) else ():
            givers = [
                c
                for c in ments
                if c.start >= m.start(2)
                and c.end <= m.end(2)
                and c.type in ORG_TYPES
                and c.rule != "anaphora"
            ]
            head = self._sentence_subject(text, ments, m.start(), ORG_TYPES)
            made = _MADE_RE.search(
                text, m.end(), self._clause_bounds(text, m.end())[1]
            )
            if made and (head is None or head in givers or head.start > m.start()):
                # 在X的推动下，A与B联合发起成立了C: X supported the new body C
                built = [c for c in ments if c.start >= made.end() and c.type in ORG_TYPES]
                head = built[0] if built else head
            if head is None or head in givers:
                others = [c for c in ments if c.start >= m.end() and c.type in ORG_TYPES]
                head = others[0] if others else None
            if not givers or head is None:
                continue
            for g in givers:
                out.append(
                    RawRelation(
                        text[g.start : g.end],
                        "supports",
                        self._name(text, head),
                        "pattern:在X支持下",
                        0.65,
                    )
                )
        located = "位于" in text or "地处" in text or "坐落于" in text  # (what _P32 finds)
        for m in _P32.finditer(text) if located and venues else ():
            objs = [c for c in ments if c.start >= m.end() and c.type in ("Place", "Platform")]
            if not objs:
                continue
            chain = [objs[0]]  # 位于某镇某村的Y: Y is in each place of the row
            for c in objs[1:]:
                if c.start == chain[-1].end:
                    chain.append(c)
            o = chain[-1]
            after = text[o.end : o.end + 20]
            k = after.find("的")
            if 0 <= k <= 12:
                subj = [
                    c
                    for c in ments
                    if c.start >= o.end + k + 1
                    and c.start <= o.end + k + 2
                    and c.type in _ORG_OR_EVENT
                ]
                if subj:
                    for place in chain:
                        out.append(
                            RawRelation(
                                text[subj[0].start : subj[0].end],
                                "locatedIn",
                                self._name(text, place),
                                "pattern:位于X的Y",
                                0.8,
                            )
                        )
        # “某计划”深入实施，A、B、C等平台建设… / 前往A、B、C，就推进“某计划”等工作调研:
        # the listed platforms are the programme's projects
        progs = [
            c
            for c in ments
            if c.type == "Program"
            and (
                _P33.search(text, max(0, c.start - 2), c.start)
                or _P34.match(text[c.end :])
            )
        ] if "Program" in kinds else []
        if progs:
            units = [c for c in ments if c.type in ("Platform", "ResearchInstitute")]
            listed = [
                c
                for i, c in enumerate(units)
                if (i + 1 < len(units) and text[c.end : units[i + 1].start] in ("、", "和", "及"))
                or (i > 0 and text[units[i - 1].end : c.start] in ("、", "和", "及"))
            ]
            if len(listed) >= 2:
                for c in listed:
                    out.append(
                        RawRelation(
                            self._name(text, c),
                            "partOfProgram",
                            self._name(text, progs[0]),
                            "pattern:programme-platform-list",
                            0.5,
                        )
                    )
        for m in _P35.finditer(text) if venues else ():
            venue = [
                c
                for c in ments
                if c.start == m.start() + 1
                and _P36.fullmatch(text[c.end : m.end(1)])
                and c.type in ("Place", "Platform")
            ]  # the whole phrase between 在 and 举行 names the venue
            events = [c for c in ments if c.type == "Event" and c.end <= m.start()]
            if venue and events:
                out.append(
                    RawRelation(
                        text[events[-1].start : events[-1].end],
                        "locatedIn",
                        self._name(text, venue[0]),
                        "venue:Y在X举行",
                        0.75,
                    )
                )
            elif venue and not any(
                c.type in _ORG_OR_PERSON and c.end <= m.start() for c in ments
            ):
                # 近日在X举行 in a report whose headline names the event
                out.append(
                    RawRelation(
                        ANAPHOR + "Event",
                        "locatedIn",
                        self._name(text, venue[0]),
                        "venue:在X举行",
                        0.6,
                    )
                )
        # 会上，A与B签订… / 活动现场，C介绍…: who acts at the event takes part in it
        at = _AT_THE_EVENT_RE.match(text)
        if at:
            for c in ments:
                if c.start >= at.end() and (c.type == "Person" or c.type in ORG_TYPES
                                            and c.type != "Platform") and c.rule != "anaphora":
                    out.append(RawRelation(self._name(text, c), "participatedIn",
                                           ANAPHOR + "Event", "attendance:at-the-event", 0.55))
        # A、B等单位参加活动 / 来自A、B的专家参加了对接会: the bodies named before a verb of
        # attending whose object is the event itself (活动, 会议) or nothing take part in it
        # the attendance rules below each need one of their verbs: a quick test first
        attending = _ATTENDANCE_WORD_RE.search(text) is not None
        for m in _ATTEND_RE.finditer(text) if attending else ():
            cs, _ = self._clause_bounds(text, m.start())
            if any(c.type == "Event" and m.end() <= c.start < m.end() + 4 for c in ments):
                continue  # 参加第五届某某大赛: the named event's own rule
            people = [p.start for p in ments if p.type == "Person"]
            for c in ments:
                if c.type in ORG_TYPES and any(
                    c.end <= s <= c.end + 12 and not _P41_PUNCT.search(text, c.end, s)
                    for s in people
                ):
                    continue  # 市委常委、组织部长某某: the official's body, in a post, not a guest
                if cs <= c.start and c.end <= m.start() and c.rule != "anaphora" and (
                    c.type in ORG_TYPES and c.type != "Platform"
                    or c.type == "Person" and not c.rule.startswith("person:byline")
                ):
                    out.append(RawRelation(self._name(text, c), "participatedIn",
                                           ANAPHOR + "Event", "attendance:attending", 0.55))
        # attendance: officials named with their posts in a sentence about the event
        if attending and _P37.search(text):
            for c in ments:
                if c.type == "Person" and c.rule.startswith("person:title"):
                    out.append(
                        RawRelation(
                            text[c.start : c.end],
                            "participatedIn",
                            ANAPHOR + "Event",
                            "attendance:post-holder",
                            0.6,
                        )
                    )
            for m in _PRESENTER_RE.finditer(text):
                org = [
                    c
                    for c in ments
                    if c.type == "GovernmentBody" and c.start >= m.start() and c.end <= m.end(1)
                ]
                if org:
                    out.append(
                        RawRelation(
                            text[org[0].start : org[0].end],
                            "participatedIn",
                            ANAPHOR + "Event",
                            "attendance:presenter",
                            0.6,
                        )
                    )
        # a guest list: 出席本次论坛的嘉宾有来自A的…、B、C等…
        gm = _GUEST_LIST_RE.search(text) if attending else None
        if gm:
            for c in ments:
                if c.start >= gm.end() and c.type in ORG_TYPES and c.rule not in ("anaphora",):
                    out.append(
                        RawRelation(
                            self._name(text, c),
                            "participatedIn",
                            ANAPHOR + "Event",
                            "attendance:guest-list",
                            0.55,
                        )
                    )
        for m in _P39.finditer(text) if venues else ():
            objs = [c for c in ments if c.start == m.end() and c.type in ("Place", "Platform")]
            if not objs:
                continue
            o = objs[0]
            tail = text[o.end : o.end + 30]
            hm = _P40.match(tail)
            if hm:
                ev = [c for c in ments if c.type == "Event" and o.end < c.start <= o.end + 20]
                if ev:
                    out.append(
                        RawRelation(
                            text[ev[0].start : ev[0].end],
                            "locatedIn",
                            self._name(text, o),
                            "pattern:在X举办的Y",
                            0.75,
                        )
                    )
        return out

    def _name_internal(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """Facts inside a name: an event named after an industry (锂电池技术论坛) is about it;
        a programme inside a name (…大会战之…活动) is the programme it belongs to.

        A platform or fund named after an industry (某某纺织科技园) is not stated to focus on
        it; the industry word stays in the name's anatomy (``kg:industryWord``) instead."""
        out: list[RawRelation] = []
        programs = [p for p in ments if p.type == "Program"]
        for c in ments:
            name = text[c.start : c.end]
            if c.type in ORG_TYPES and "联合" in name and any(d in name for d in _DASHES):
                # 某大学—某市某某联合实验室: the partners named in a joint unit's name found it
                for p in ments:
                    if (
                        p is not c
                        and c.start <= p.start
                        and p.end < c.end
                        and p.type in _ORG_OR_PLACE
                        and (p.start == c.start or text[p.start - 1] in _DASHES)
                    ):
                        out.append(RawRelation(self._name(text, p), "cofounded", name,
                                               "name:joint-unit", 0.7))
            if c.type == "Event":
                for m in self._industry_re.finditer(name):
                    out.append(RawRelation(name, "focusIndustry", m.group(), "name:industry", 0.6))
            if c.type in ("Event", "Fund", "GovernmentBody", "Program", "Award"):
                for p in programs:
                    if p is not c and c.start <= p.start and p.end <= c.end:
                        out.append(
                            RawRelation(
                                name, "partOfProgram", text[p.start : p.end], "name:programme", 0.6
                            )
                        )
        return out

    def _metrics(self, text: str, ments: list[Candidate]) -> list[RawRelation]:
        """Key figures (``metric``), attached to the body their clauses are about.

        A sentence's clauses (split at commas and stops) run in groups: a clause that opens
        with a name (after time and linking words only: 去年我市…, 目前该公司…; see
        :meth:`_metric_subject`), or follows 以某某为例, starts a group about that name; the
        clauses after it belong to it until the next such clause. A group that states a
        number with its unit (238个, 1.29亿元, 23.3%; not an ordinal 第5次 nor a date alone)
        within its first :data:`_METRIC_REACH` clauses is one key figure: the group's text
        without the name (去年营收3900万元，同比增长20%). Numbers in a sentence that names no
        subject are left out: the passage's running subject is too often not theirs."""
        if not _NUM_UNIT_RE.search(text):
            return []
        out: list[RawRelation] = []
        subj: Candidate | None = None
        start = -1  # start of the current group's text (-1: no group yet)
        numeric = False
        end = nth = 0  # end of the group's text; clauses in the group so far

        def close() -> None:
            if start >= 0 and numeric and subj is not None:
                # the printed text without the name it is about (去年该公司营收… → 去年营收…)
                lit = (text[start : subj.start] + text[subj.end : end]
                       if start <= subj.start else text[start:end]).strip(" ，,；;：:")
                if len(lit) >= 3:
                    out.append(RawRelation(self._name(text, subj), "metric", lit,
                                           "metric:number-unit", 0.6, literal=True))

        starts = [m.start for m in ments]
        examples = "为例" in text  # (what _METRIC_EXAMPLE needs)
        pos = 0
        for clause in _P41.split(text):
            cs, ce = pos, pos + len(clause)
            pos = ce
            body = clause.rstrip("，,；;。！？")
            if not body:
                continue
            example = _METRIC_EXAMPLE.fullmatch(text, cs, cs + len(body)) if examples else None
            if example:  # 以某公司为例，…: the example is what the next clauses are about
                close()
                subj = next((m for m in ments if m.start == example.start(1)
                             and m.end == example.end(1) and m.type in _METRIC_SUBJECTS), None)
                start, numeric, nth = -1, False, 0
                continue
            opener = self._metric_subject(text, ments, cs, cs + len(body), starts)
            if opener is not None:
                close()
                subj, start, numeric, nth = opener, cs, False, 0
            elif start < 0:
                start = cs
            nth += 1
            end = cs + len(body)
            if (
                nth <= _METRIC_REACH
                and _NUM_UNIT_RE.search(body)
                and not _P42.search(body)
                and not _P43.fullmatch(body.strip())
            ):
                numeric = True
        close()
        return out

    def _metric_subject(self, text: str, ments: list[Candidate], cs: int, ce: int,
                        starts: list[int] | None = None) -> Candidate | None:
        """The name a clause opens with (after time and linking words only: 去年我市…,
        目前该公司…), that is not the first of a list or a noun's modifier. ``starts``: the
        mentions' starts, if the caller has them (the mentions are in order)."""
        at = _METRIC_LEAD.match(text, cs, ce).end()  # type: ignore[union-attr]  (matches "")
        if starts is None:
            starts = [m.start for m in ments]
        i = bisect_left(starts, at)
        m = ments[i] if i < len(ments) else None
        if m is None or m.start != at:
            # 我市 before a noun (我市新增企业…) is no mention of its own: the city still opens
            h = self._home_re.match(text, at, ce)
            if h is None:
                return None
            w = h.group()
            m = (Candidate(h.start(), h.end(), self.anaphora[w], "anaphora")
                 if w in self.anaphora else Candidate(h.start(), h.end(), "Place", "home"))
        if m.type not in _METRIC_SUBJECTS or m.end >= ce or _METRIC_NOT_AFTER.match(text, m.end):
            return None
        if m.rule == "anaphora" and text[m.start : m.end] in _GENERIC_ANAPHORS:
            return None  # 企业研发投入增长…: enterprises in general
        return m


@Language.factory("kg_relations", default_config={"data_dir": None, "home": "平湖市"})
def make_relation_extractor(
    nlp: Language, name: str, data_dir: str | None, home: str
) -> RelationExtractor:
    """Factory: trigger-based relation extraction with rules from ``data_dir``."""
    return RelationExtractor(nlp, name, Lexicon.load(data_dir), home)
