"""Money amounts, counts and time expressions in Chinese news text, as pure functions.

Nothing here needs spaCy: every function takes a string and returns typed records whose
``start``/``end`` are half-open character offsets into that string, and whose ``text`` is
``string[start:end]`` (the printed form, kept verbatim).

* :func:`parse_amount` — money: ``营业收入3900万余元`` → 39 000 000 CNY, qualifier ``余``;
  ``近20亿元``, ``超500万元``, ``1.12亿元``, ``10-30万元`` (a range: ``min``/``max``),
  ``30万元、10万元`` (two amounts), ``300、200、100万元`` (three, sharing the unit), ``美元``.
* :func:`parse_count` — counts with a measure word: ``在孵企业189家``, ``100余人次``, ``1-2个``.
* :func:`find_times` / :func:`resolve_time` — years and dates stated in a sentence
  (``2021年3月``, ``2020年度``), relative ones resolved against the article date
  (``今年`` ``去年`` ``前年`` ``明年``), and durations (``2年多``, ``3个月``).

Qualifiers keep the printed hedge, normalised to one character or word; their English meaning
is in :data:`QUALIFIER_MEANING`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "QUALIFIER_MEANING",
    "Amount",
    "Count",
    "DurationRef",
    "TimeRef",
    "fact_time",
    "find_times",
    "money_qualifiers",
    "parse_amount",
    "parse_round",
    "parse_count",
    "resolve_time",
    "sentence_times",
]

#: Normalised qualifier → what it means for the number.
QUALIFIER_MEANING: dict[str, str] = {
    "余": "more than",
    "多": "more than",
    "超": "more than",
    "近": "nearly",
    "约": "about",
    "不超过": "at most",
    "不足": "less than",
    "以上": "at least",
}

# Printed prefix → normalised qualifier (longest first in the regex).
_PREFIX_QUAL = {
    "不超过": "不超过",
    "不高于": "不超过",
    "最多": "不超过",
    "不少于": "以上",
    "不低于": "以上",
    "至少": "以上",
    "超过": "超",
    "多于": "超",
    "高于": "超",
    "不足": "不足",
    "不到": "不足",
    "未到": "不足",
    "未满": "不足",
    "未滿": "不足",
    "将近": "近",
    "接近": "近",
    "大约": "约",
    "约": "约",
    "近": "近",
    "超": "超",
    "逾": "超",
}
_SUFFIX_QUAL = {"以上": "以上", "左右": "约", "以下": "不超过", "以内": "不超过"}

_MULT = {
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "十亿": Decimal(1_000_000_000),
    "百亿": Decimal(10_000_000_000),
    "千亿": Decimal(100_000_000_000),
    "万亿": Decimal(1_000_000_000_000),
}

_CURRENCY = {
    "元": "CNY",
    "元人民币": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－～", "0123456789.-~")
_HAS_FULLWIDTH = re.compile("[０-９．－～]")  # (a quick test: most texts have none)

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}

_SP = r"[ \t\u3000]*"  # PDF artefacts put spaces between a number and its unit
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RANGE_SEP = r"(?:-|－|—|–|~|～|至|到)"


def _alt(words: Iterable[str]) -> str:
    """A regex alternation, longest first (so 不超过 wins over 超)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PREFIX_RE = _alt(_PREFIX_QUAL)
# A qualifier character that is the tail of another word is no qualifier: 签约, 最近, 赶超.
_NOT_BEFORE_PREFIX = r"(?<![签合预制邀履特公条契节最附临赶])"
_SUFFIX_RE = _alt(_SUFFIX_QUAL)
_MULT_RE = _alt(_MULT)
_CUR_RE = _alt(_CURRENCY)

# One money amount: [qualifier] [人民币] N [-N] [余|多] [万|亿…] [余|多] 元|美元… [以上|左右…]
_AMOUNT = re.compile(
    rf"(?:{_NOT_BEFORE_PREFIX}(?P<pre>{_PREFIX_RE}){_SP})?"
    rf"(?:(?P<rmb>人民币){_SP})?"
    rf"(?<![0-9A-Za-z.,])(?P<n1>{_NUM})"
    rf"(?:{_SP}{_RANGE_SEP}{_SP}(?P<n2>{_NUM}))?"
    rf"{_SP}(?P<q1>余|多)?"
    rf"(?P<mult>{_MULT_RE})?"
    r"(?P<q2>余|多)?"
    rf"{_SP}(?P<cur>{_CUR_RE})"
    rf"(?P<suf>{_SUFFIX_RE})?"
)
_HAS_CURRENCY = re.compile("|".join(sorted({w[-1] if w.endswith(("元", "币")) else w
                                            for w in _CURRENCY})))
# A bare number in a 、-list whose unit comes with the last item: 300、200、100万元
_LIST_ITEM = re.compile(rf"(?<![0-9A-Za-z.,])({_NUM})(?:余|多)?{_SP}[、,，]{_SP}$")

_COUNT_UNITS = ["人次", "家次", "家", "个", "人", "名", "位", "项", "件", "次", "笔", "所", "场",
                "只", "套", "批", "台", "支", "颗"]
_COUNT = re.compile(
    rf"(?:{_NOT_BEFORE_PREFIX}(?P<pre>{_PREFIX_RE}){_SP})?"
    rf"(?<![0-9A-Za-z.,第])(?P<n1>{_NUM})"
    rf"(?:{_SP}{_RANGE_SEP}{_SP}(?P<n2>{_NUM}))?"
    rf"{_SP}(?P<q1>余|多)?"
    rf"(?P<mult>{_alt(['万', '亿', '千', '百'])})?"
    r"(?P<q2>余|多)?"
    rf"(?P<unit>{_alt(_COUNT_UNITS)})"
    r"(?!月|百分点|小时|工作日|民|元|多月|余月)"
    rf"(?P<suf>{_SUFFIX_RE})?"
)


@dataclass(frozen=True)
class Amount:
    """A money amount. ``value`` is ``None`` for a range, which has ``min`` and ``max``."""

    value: Decimal | None
    currency: str
    qualifier: str | None
    text: str
    start: int
    end: int
    min: Decimal | None = None
    max: Decimal | None = None

    @property
    def is_range(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Count:
    """A count with its measure word (``unit``), e.g. 189 家. Ranges as for :class:`Amount`."""

    value: Decimal | None
    unit: str
    qualifier: str | None
    text: str
    start: int
    end: int
    min: Decimal | None = None
    max: Decimal | None = None

    @property
    def is_range(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class TimeRef:
    """A point (or span) in time mentioned in a sentence.

    ``basis`` is ``"stated"`` (the year is printed) or ``"relative"`` (今年/去年… or a bare
    month, resolved against the article date). ``relation`` is ``"since"`` (…以来, 自…),
    ``"until"`` (截至…) or ``None``. A span (``2025—2027年``, ``2015至2019年``) has
    ``end_year`` (and ``end_month`` for ``1—9月``).
    """

    year: int
    month: int | None
    day: int | None
    basis: str
    text: str
    start: int
    end: int
    end_year: int | None = None
    end_month: int | None = None
    relation: str | None = None

    @property
    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        s = f"{self.year:04d}"
        if self.month is not None:
            s += f"-{self.month:02d}"
            if self.day is not None:
                s += f"-{self.day:02d}"
        return s


@dataclass(frozen=True)
class DurationRef:
    """A length of time (``2年多``, ``3个月``); ``since_year`` = article year − ``years``."""

    years: int
    months: int
    qualifier: str | None
    text: str
    start: int
    end: int
    since_year: int | None = None


# ---------------------------------------------------------------------------------- numbers


def _norm(text: str) -> str:
    """Full-width digits and punctuation to ASCII; the length (so every offset) is kept."""
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


def _dec(s: str) -> Decimal:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex only lets numbers through
        raise ValueError(f"not a number: {s!r}") from None


def _scale(d: Decimal, mult: Decimal) -> Decimal:
    v = d * mult
    # 1.12 × 10^8 → 112000000, not 1.1200000E+8
    return v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()


def _qualifier(m: re.Match[str]) -> str | None:
    if m.group("pre"):
        return _PREFIX_QUAL[m.group("pre")]
    inner = m.group("q1") or m.group("q2")
    if inner:
        return inner
    if m.group("suf"):
        return _SUFFIX_QUAL[m.group("suf")]
    return None


def parse_amount(text: str) -> list[Amount]:
    """Every money amount in ``text``, in order, with offsets into ``text``.

    Values are in the currency's base unit (元 for CNY) as exact :class:`~decimal.Decimal`.
    A range ``10-30万元``/``10至30万元`` gives one :class:`Amount` with ``value=None`` and
    ``min``/``max``; a list ``30万元、10万元`` gives one per item, and in
    ``300、200、100万元`` the bare items take the unit of the last one.
    """
    norm = _norm(text)
    out: list[Amount] = []
    # an amount has its currency (元, 美元, 人民币, 港币, 英镑 …): a quick test first
    for m in _AMOUNT.finditer(norm) if _HAS_CURRENCY.search(norm) else ():
        mult = _MULT[m.group("mult")] if m.group("mult") else Decimal(1)
        cur = _CURRENCY[m.group("cur")]
        qual = _qualifier(m)
        start, end = m.start(), m.end()
        # Bare numbers before it in a 、-list share its unit.
        if not m.group("pre") and not m.group("rmb") and not m.group("n2"):
            items: list[Amount] = []
            pos = start
            while True:
                lm = _LIST_ITEM.search(norm[:pos])
                if lm is None or any(a.start <= lm.start(1) < a.end for a in out):
                    break
                v = _scale(_dec(lm.group(1)), mult)
                items.append(Amount(v, cur, None, text[lm.start(1):lm.end(1)], lm.start(1),
                                    lm.end(1), min=v, max=v))
                pos = lm.start(1)
            out.extend(reversed(items))
        if m.group("n2"):
            lo = _scale(_dec(m.group("n1")), mult)
            hi = _scale(_dec(m.group("n2")), mult)
            out.append(Amount(None, cur, qual, text[start:end], start, end,
                              min=min(lo, hi), max=max(lo, hi)))
        else:
            v = _scale(_dec(m.group("n1")), mult)
            out.append(Amount(v, cur, qual, text[start:end], start, end, min=v, max=v))
    return out


def parse_count(text: str) -> list[Count]:
    """Every count with a measure word (家 个 人 人次 名 项 件 次 笔 …) in ``text``.

    Ordinals (``第5次``), durations (``3个月``), percentage points (``30.4个百分点``) and money
    are not counts. ``700万件`` is 7 000 000 件; ``1-2个`` is a range.
    """
    norm = _norm(text)
    out: list[Count] = []
    for m in _COUNT.finditer(norm):
        mult = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000),
                "百": Decimal(100)}.get(m.group("mult") or "", Decimal(1))
        qual = _qualifier(m)
        start, end = m.start(), m.end()
        unit = m.group("unit")
        if m.group("n2"):
            lo = _scale(_dec(m.group("n1")), mult)
            hi = _scale(_dec(m.group("n2")), mult)
            out.append(Count(None, unit, qual, text[start:end], start, end,
                             min=min(lo, hi), max=max(lo, hi)))
        else:
            v = _scale(_dec(m.group("n1")), mult)
            out.append(Count(v, unit, qual, text[start:end], start, end, min=v, max=v))
    return out


# ------------------------------------------------------------------------------------- time

_YEAR = r"(?:19|20)\d\d"
_CN_NUM = r"[一二两三四五六七八九十]{1,3}"

# 2021年3月22日 · 2021年3月 · 2020年度 · 2025—2027年 · 2015至2019年 · 2021-03-22
_STATED = re.compile(
    rf"(?P<since1>自|从)?(?P<until>截至|截止到|截止|截至到)?{_SP}"
    rf"(?<!\d)(?P<y1>{_YEAR})"
    rf"(?:{_SP}(?:年{_SP})?{_RANGE_SEP}{_SP}(?P<y2>{_YEAR}))?"
    rf"{_SP}年(?P<du>度)?"
    rf"(?:{_SP}(?P<m1>1[0-2]|0?[1-9])(?:{_SP}{_RANGE_SEP}{_SP}(?P<m2>1[0-2]|0?[1-9]))?{_SP}月"
    rf"(?:{_SP}(?P<d>3[01]|[12]\d|0?[1-9]){_SP}[日号])?)?"
    r"(?P<since2>以来|起)?"
)
_HAS_YEAR = re.compile(_YEAR)  # (what _STATED needs besides 年: a quick test)
_ISO = re.compile(rf"(?<!\d)(?P<y1>{_YEAR})[-/](?P<m1>1[0-2]|0?[1-9])"
                  r"[-/](?P<d>3[01]|[12]\d|0?[1-9])(?!\d)")
_RELATIVE_YEAR = {"今年": 0, "本年": 0, "当年": None, "去年": -1, "上年": -1, "前年": -2,
                  "明年": 1, "后年": 2}
_RELATIVE = re.compile(
    r"(?P<since1>自|从)?(?P<until>截至|截止到|截止)?"
    r"(?P<rel>今年|本年|去年|上年|前年|明年|后年)"
    rf"(?:{_SP}(?P<m1>1[0-2]|0?[1-9])(?:{_SP}{_RANGE_SEP}{_SP}(?P<m2>1[0-2]|0?[1-9]))?{_SP}月"
    rf"(?:{_SP}(?P<d>3[01]|[12]\d|0?[1-9]){_SP}[日号])?)?"
    r"(?P<since2>以来|起)?"
)
#: one of the words of _RELATIVE (a quick test)
_HAS_RELATIVE = re.compile("[今本去上前明后]年")
# A month with no year: 5月底前, 1—9月, 12月31日
_BARE_MONTH = re.compile(
    r"(?P<since1>自|从)?(?P<until>截至|截止到|截止)?"
    rf"(?<![\d年])(?P<m1>1[0-2]|0?[1-9])(?:{_SP}{_RANGE_SEP}{_SP}(?P<m2>1[0-2]|0?[1-9]))?{_SP}月"
    rf"(?:{_SP}(?P<d>3[01]|[12]\d|0?[1-9]){_SP}[日号])?"
    r"(?!份额)(?P<since2>以来|起)?"
)
# 2年多 · 3个月 · 近2年 · 一年 · 10余年 (and a quick test for one: where its number starts,
# with no digit or point before, and a unit after; it opens with the number's first
# character, for re to skip to those)
_MAY_HOLD_A_DURATION = re.compile(
    rf"[\d一二两三四五六七八九十](?<![\d.][\d一二两三四五六七八九十])[\d一二两三四五六七八九十]{{0,2}}"
    rf"(?:余|多)?{_SP}(?:个多月|个月|年)"
)
_DURATION = re.compile(
    rf"(?:{_NOT_BEFORE_PREFIX}(?P<pre>{_PREFIX_RE}){_SP})?"
    rf"(?<![\d.])(?P<n>\d{{1,2}}|{_CN_NUM})(?P<q1>余|多)?{_SP}"
    r"(?P<unit>个多月|个月|年)(?!度|级|底|初|末|[\d〇零一二三四五六七八九十])"
    r"(?P<q2>多)?"
)


def _article_year(article_date: str | None) -> int | None:
    m = re.match(r"\s*((?:19|20)\d\d)", article_date or "")
    return int(m.group(1)) if m else None


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0))
    return _CN_DIGIT.get(s, 0)


def _relation(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if g.get("until"):
        return "until"
    if g.get("since1") or g.get("since2"):
        return "since"
    return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def find_times(sentence: str, article_date: str | None = None) -> list[TimeRef | DurationRef]:
    """Every time mention in ``sentence``, in order of offset.

    Stated years and dates are :class:`TimeRef` with ``basis="stated"``; 今年/去年/前年/明年
    (and a month printed without a year) are resolved against ``article_date`` (``YYYY`` or
    ``YYYY-MM-DD``) with ``basis="relative"``, or left out when the article year is unknown;
    a month without a year right after a stated date takes that date's year
    (``2022年11月1日至12月31日``). Vague expressions (``近年来``, ``年内``) give nothing.
    Durations are :class:`DurationRef`.
    """
    return _times(sentence, _article_year(article_date))


def _times(sentence: str, ayear: int | None) -> list[TimeRef | DurationRef]:
    """:func:`find_times` with the article year given (``0``: relative years as offsets)."""
    norm = _norm(sentence)
    found: list[TimeRef | DurationRef] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(ref: TimeRef | DurationRef) -> None:
        found.append(ref)
        taken.append((ref.start, ref.end))

    # each pattern holds a word it cannot match without (年 for stated and relative years,
    # 年 or 月 for a duration, 月 for a bare month, - or / for an ISO date): a quick test first
    has_year, has_month = "年" in norm, "月" in norm
    for m in _STATED.finditer(norm) if has_year and _HAS_YEAR.search(norm) else ():
        y1, y2 = int(m.group("y1")), _int(m.group("y2"))
        add(TimeRef(y1, _int(m.group("m1")), _int(m.group("d")), "stated",
                    sentence[m.start():m.end()], m.start(), m.end(),
                    end_year=y2 if y2 and y2 != y1 else None, end_month=_int(m.group("m2")),
                    relation=_relation(m)))
    for m in _ISO.finditer(norm) if "-" in norm or "/" in norm else ():
        if free(m.start(), m.end()):
            add(TimeRef(int(m.group("y1")), int(m.group("m1")), int(m.group("d")), "stated",
                        sentence[m.start():m.end()], m.start(), m.end()))
    for m in _RELATIVE.finditer(norm) if has_year and _HAS_RELATIVE.search(norm) else ():
        off = _RELATIVE_YEAR[m.group("rel")]
        if ayear is None or off is None or not free(m.start(), m.end()):
            continue
        add(TimeRef(ayear + off, _int(m.group("m1")), _int(m.group("d")), "relative",
                    sentence[m.start():m.end()], m.start(), m.end(),
                    end_month=_int(m.group("m2")), relation=_relation(m)))
    for m in _DURATION.finditer(norm) if _MAY_HOLD_A_DURATION.search(norm) else ():
        if not free(m.start(), m.end()):
            continue
        n = _cn_int(m.group("n"))
        unit = m.group("unit")
        qual = (_PREFIX_QUAL[m.group("pre")] if m.group("pre")
                else m.group("q1") or m.group("q2") or ("多" if unit == "个多月" else None))
        years, months = (n, 0) if unit == "年" else (0, n)
        since = ayear - years if ayear is not None and years else None
        add(DurationRef(years, months, qual, sentence[m.start():m.end()], m.start(), m.end(),
                        since_year=since))
    for m in _BARE_MONTH.finditer(norm) if has_month else ():
        if not free(m.start(), m.end()):
            continue
        prev = [t for t in found if isinstance(t, TimeRef) and t.end <= m.start()]
        anchor = max(prev, key=lambda t: t.end) if prev else None
        if anchor is not None and norm[anchor.end:m.start()].strip(" \u3000") in {
            "至", "到", "-", "—", "~", "～", "、", "和", "及", "或"}:
            year, basis = anchor.end_year or anchor.year, anchor.basis
        elif ayear is not None:
            year, basis = ayear, "relative"
        else:
            continue
        add(TimeRef(year, int(m.group("m1")), _int(m.group("d")), basis,
                    sentence[m.start():m.end()], m.start(), m.end(),
                    end_month=_int(m.group("m2")), relation=_relation(m)))
    found.sort(key=lambda t: (t.start, t.end))
    return found


def resolve_time(sentence: str, article_date: str | None = None) -> TimeRef | DurationRef | None:
    """The time a sentence's fact belongs to: its first stated or relative date, else its
    first duration, else ``None`` (the caller falls back to the publication date, basis
    ``"publication"``)."""
    times = find_times(sentence, article_date)
    for t in times:
        if isinstance(t, TimeRef):
            return t
    return times[0] if times else None


# ------------------------------------------------------------------- qualifiers of a fact
#
# Extraction records carry what a fact's sentence states about its time and money as
# ``(name, value)`` string pairs (``Relation.qualifiers``), found once while extracting; the
# RDF writer only copies them. The article's date is not known while extracting (it may come
# from ``articles.toml``), so 今年/去年 are kept as an offset from the publication year.

_MAY_HOLD_A_DATE = re.compile(r"[年月0-9０-９]")


def sentence_times(sentence: str) -> list[TimeRef]:
    """The points in time of ``sentence`` (no durations): stated ones with their year,
    relative ones (今年, 去年3月, a bare month) with ``year`` = the offset in years from the
    publication year (``basis="relative"``). Sentences without 年, 月 or a digit hold none and
    are not searched."""
    if not _MAY_HOLD_A_DATE.search(sentence):
        return []
    return [t for t in _times(sentence, 0) if isinstance(t, TimeRef)]


def fact_time(times: list[TimeRef], end: int) -> tuple[tuple[str, str], ...]:
    """The time qualifiers of a fact whose words end at ``end`` in a sentence with ``times``
    (:func:`sentence_times`): the last time stated before that end (2021年，A与B签约 /
    A于去年3月与B签约), so that a later plan (…，预计2025年投产) does not date it.

    ``(("year", "2021"), ("month", "3"), ("time", "stated"))``, or for a relative time
    ``(("year_offset", "-1"), ("time", "relative"))``; ``()`` when the sentence states none
    (the publication year holds)."""
    best = None
    for t in times:
        if t.start >= end:
            break
        best = t
    if best is None:
        return ()
    out: list[tuple[str, str]] = []
    if best.basis == "stated":
        out.append(("year", f"{best.year:04d}"))
    else:
        out.append(("year_offset", str(best.year)))
    if best.month is not None:
        out.append(("month", str(best.month)))
        if best.day is not None:
            out.append(("day", str(best.day)))
    out.append(("time", best.basis))
    return tuple(out)


def money_qualifiers(amounts: Iterable[Amount]) -> tuple[tuple[str, str], ...]:
    """``amount_text`` (as printed) for each amount, then for amounts in yuan its value
    ``amount`` (a decimal in CNY; ``min_amount``/``max_amount`` for a range) and its hedge
    ``amount_qualifier`` (:data:`QUALIFIER_MEANING`)."""
    out: list[tuple[str, str]] = []
    for a in amounts:
        out.append(("amount_text", a.text))
        if a.currency != "CNY":
            continue
        if a.value is not None:
            out.append(("amount", str(a.value)))
        elif a.min is not None and a.max is not None:
            out.append(("min_amount", str(a.min)))
            out.append(("max_amount", str(a.max)))
        if a.qualifier:
            out.append(("amount_qualifier", a.qualifier))
    return tuple(out)


# A funding round as printed: 天使轮, Pre-A轮, A+轮, B轮, Pre-IPO轮, 战略轮
_ROUND = re.compile(
    r"(?<![A-Za-z])(种子|天使|[Pp]re-?[A-D]\+?|[A-F]\+{0,2}|[Pp]re-?IPO|战略)轮"
)


def parse_round(text: str) -> list[tuple[str, int, int]]:
    """Every funding round named in ``text``: ``(round, start, end)`` with the round as
    printed without 轮 (``天使``, ``Pre-A``, ``B+``); full-width letters count."""
    if "轮" not in text:
        return []  # (every round ends with it; neither translation makes one)
    norm = _norm(text).translate(_FULLWIDTH_LETTERS)
    return [(m.group(1), m.start(), m.end()) for m in _ROUND.finditer(norm)]


_FULLWIDTH_LETTERS = str.maketrans(
    {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"＋": "+"}
)
