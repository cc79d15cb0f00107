"""Amounts, counts and time expressions (kg.extract.quantities), on text like the seeds'."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kg.extract.quantities import (
    QUALIFIER_MEANING,
    Amount,
    Count,
    DurationRef,
    TimeRef,
    find_times,
    parse_amount,
    parse_count,
    resolve_time,
)

# ------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "printed", "value", "qualifier"),
    [
        ("该公司去年营业收入3900万余元。", "3900万余元", D("39000000"), "余"),
        ("项目总投资近20亿元", "近20亿元", D("2000000000"), "近"),
        ("运营未滿一年即实现服务性收入超500万元", "超500万元", D("5000000"), "超"),
        ("同一企业每年最高申领额度不超过50万元", "不超过50万元", D("500000"), "不超过"),
        ("贷款总金额1.12亿元", "1.12亿元", D("112000000"), None),
        ("投资金额2000万元", "2000万元", D("20000000"), None),
        ("投资额1.61亿元", "1.61亿元", D("161000000"), None),
        ("累计兑现海外工程师补助经费达650余万元", "650余万元", D("6500000"), "余"),
        ("科技支行贷款2亿余元", "2亿余元", D("200000000"), "余"),
        ("5000余万元", "5000余万元", D("50000000"), "余"),
        ("已累计兑现科技政策奖补资金9476.12万元", "9476.12万元", D("94761200"), None),
        ("科创企业贷款余额417.14亿元", "417.14亿元", D("41714000000"), None),
        ("当前年营收已超90亿元", "超90亿元", D("9000000000"), "超"),
        ("其中2个总投资2亿元以上项目", "2亿元以上", D("200000000"), "以上"),
        ("累计发放创新券1678.41万 元", "1678.41万 元", D("16784100"), None),
        ("引进资金3千万元", "3千万元", D("30000000"), None),
        ("补助5000元", "5000元", D("5000"), None),
        ("总额约3亿元左右", "约3亿元左右", D("300000000"), "约"),
        ("注册资本人民币5亿元", "人民币5亿元", D("500000000"), None),
        ("融资1,200万元", "1,200万元", D("12000000"), None),
        ("融资１２００万元", "１２００万元", D("12000000"), None),
    ],
)
def test_single_amount(text: str, printed: str, value: D, qualifier: str | None) -> None:
    [a] = parse_amount(text)
    assert a.text == printed
    assert text[a.start:a.end] == printed
    assert a.value == value and isinstance(a.value, D)
    assert a.min == a.max == value
    assert a.currency == "CNY"
    assert a.qualifier == qualifier
    assert not a.is_range


def test_value_has_no_exponent() -> None:
    [a] = parse_amount("1.12亿元")
    assert str(a.value) == "112000000"
    [b] = parse_amount("0.5万元")
    assert str(b.value) == "5000"


def test_us_dollars_and_other_currencies() -> None:
    a, b, c = parse_amount("融资500万美元，另获2亿欧元和1000万港元")
    assert (a.value, a.currency, a.text) == (D("5000000"), "USD", "500万美元")
    assert (b.value, b.currency) == (D("200000000"), "EUR")
    assert (c.value, c.currency) == (D("10000000"), "HKD")


@pytest.mark.parametrize("text", ["给予10-30万元补助", "给予10至30万元补助", "给予10～30万元补助",
                                  "给予10—30万元补助", "给予10到30万元补助"])
def test_range(text: str) -> None:
    [a] = parse_amount(text)
    assert a.is_range and a.value is None
    assert (a.min, a.max) == (D("100000"), D("300000"))
    assert a.text == text[2:-2]


def test_list_of_amounts_each_with_unit() -> None:
    text = "一次性补助重大类、重点类项目30万元、10万元。"
    a, b = parse_amount(text)
    assert (a.value, a.text) == (D("300000"), "30万元")
    assert (b.value, b.text) == (D("100000"), "10万元")
    assert text[b.start:b.end] == "10万元"


def test_list_sharing_the_last_unit() -> None:
    text = "分别给予300、200、100万元的补助"
    got = parse_amount(text)
    assert [x.value for x in got] == [D("3000000"), D("2000000"), D("1000000")]
    assert [text[x.start:x.end] for x in got] == ["300", "200", "100万元"]


def test_several_amounts_in_one_sentence() -> None:
    text = ("落实“深根计划”工作专项资金1000万元和四大重点平台专项资金1.65亿元。"
            "将单个企业科创贷款最高额度从300万元提高至1000万元")
    got = parse_amount(text)
    assert [x.value for x in got] == [D("10000000"), D("165000000"), D("3000000"),
                                      D("10000000")]
    assert all(text[x.start:x.end] == x.text for x in got)


def test_word_tails_are_no_qualifiers() -> None:
    [a] = parse_amount("现场签约1亿元")
    assert a.qualifier is None and a.text == "1亿元"
    [b] = parse_amount("最近5万元")
    assert b.qualifier is None


def test_not_money() -> None:
    assert parse_amount("同比增长78.7%，R&D经费投入强度达2.9%，2021年") == []
    assert parse_amount("在孵企业189家") == []
    assert parse_amount("") == []


# --------------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("text", "printed", "value", "unit", "qualifier"),
    [
        ("现有在孵企业189家", "189家", D("189"), "家", None),
        ("计向平湖推荐项目238个", "238个", D("238"), "个", None),
        ("累计邀请来平高层次人才100余人次", "100余人次", D("100"), "人次", "余"),
        ("累计推荐申报国家级高端人才23人次", "23人次", D("23"), "人次", None),
        ("已有31个高层次人才项目", "31个", D("31"), "个", None),
        ("共有各类汽车零部件企业130多家", "130多家", D("130"), "家", "多"),
        ("至目前已申请专利近 70项", "近 70项", D("70"), "项", "近"),
        ("高新企业超600家", "超600家", D("600"), "家", "超"),
        ("排摸了453名来华工作外籍人员", "453名", D("453"), "名", None),
        ("全年共办理外国人来华工作相关业务900多件", "900多件", D("900"), "件", "多"),
        ("发放贷款37笔", "37笔", D("37"), "笔", None),
        ("开展活动710余次", "710余次", D("710"), "次", "余"),
        ("引进青年大学生9645人", "9645人", D("9645"), "人", None),
        ("三销轴700万件", "700万件", D("7000000"), "件", None),
        ("每万人高价值发明专利拥有量达24.8件", "24.8件", D("24.8"), "件", None),
        ("与10余所院校签订引才协议", "10余所", D("10"), "所", "余"),
        ("34位海外工程师", "34位", D("34"), "位", None),
    ],
)
def test_single_count(text: str, printed: str, value: D, unit: str,
                      qualifier: str | None) -> None:
    [c] = parse_count(text)
    assert (c.text, c.value, c.unit, c.qualifier) == (printed, value, unit, qualifier)
    assert text[c.start:c.end] == printed
    assert isinstance(c, Count) and c.min == c.max == value


def test_count_range_and_lists() -> None:
    [c] = parse_count("平均每周来院使用高端设备观测产品形貌2-3次")
    assert c.is_range and (c.min, c.max, c.unit) == (D("2"), D("3"), "次")
    got = parse_count("共承担国家级项目1项（涉密）、省级项目3项、市级项目2项")
    assert [(x.value, x.unit) for x in got] == [(D(1), "项"), (D(3), "项"), (D(2), "项")]
    got = parse_count("共有36家企业61个项目获得创新券补助60.37万元")
    assert [(x.value, x.unit) for x in got] == [(D(36), "家"), (D(61), "个")]


@pytest.mark.parametrize("text", ["第5次修订《平湖市创新券实施管理办法》", "有效期限为3个月",
                                  "增速高出30.4个百分点", "2021年3月", "补助30万元",
                                  "G60科创走廊", "人民币"])
def test_not_counts(text: str) -> None:
    assert parse_count(text) == []


# ----------------------------------------------------------------------------------- time


def _times(sentence: str, date: str = "2023-03-22") -> list[TimeRef]:
    return [t for t in find_times(sentence, date) if isinstance(t, TimeRef)]


@pytest.mark.parametrize(
    ("sentence", "date", "printed", "iso", "basis"),
    [
        ("2021年,双方共同设立浙江清华长三角研究院平湖创新中心", "2023-03-22", "2021年", "2021",
         "stated"),
        ("于2019年3月在平湖成立", "2023-03-22", "2019年3月", "2019-03", "stated"),
        ("科技园获得2020年度嘉兴市孵化器绩效评价优秀", "2021", "2020年度", "2020", "stated"),
        ("2023年3月22日 星期三", "2023", "2023年3月22日", "2023-03-22", "stated"),
        ("截至今年4月底，已有3个清华校友项目落地平湖", "2021", "截至今年4月", "2021-04",
         "relative"),
        ("今年疫情防控期间，市科技局", "2020", "今年", "2020", "relative"),
        ("去年，在嘉翼创投的助力下", "2023-03-22", "去年", "2022", "relative"),
        ("也于去年3月实现投产", "2023-03-22", "去年3月", "2022-03", "relative"),
        ("前年该企业申报", "2025", "前年", "2023", "relative"),
        ("明年将启动二期", "2022", "明年", "2023", "relative"),
        ("项目将于今年6月启动一期项目建设", "2023-03-22", "今年6月", "2023-06", "relative"),
    ],
)
def test_resolve_time(sentence: str, date: str, printed: str, iso: str, basis: str) -> None:
    t = resolve_time(sentence, date)
    assert isinstance(t, TimeRef)
    assert (t.text, t.iso, t.basis) == (printed, iso, basis)
    assert sentence[t.start:t.end] == printed


def test_nothing_stated_gives_none() -> None:
    assert resolve_time("近年来，我市积极响应深根计划", "2023-03-22") is None
    assert resolve_time("市科技局党组书记、局长程传保说。", "2023") is None
    assert find_times("年内将集聚高新企业超600家", "2025") == []


def test_relative_needs_an_article_year() -> None:
    assert resolve_time("去年我市新增国家级众创空间2家", "unknown") is None
    assert resolve_time("去年我市新增国家级众创空间2家", None) is None
    t = resolve_time("2021年以来，依托清华资源招引联络点", None)
    assert t is not None and t.iso == "2021"


def test_duration() -> None:
    d = resolve_time("在2年多的院地合作中，我市", "2023-03-22")
    assert isinstance(d, DurationRef)
    assert (d.years, d.months, d.qualifier, d.text, d.since_year) == (2, 0, "多", "2年多", 2021)
    [m] = find_times("创新券申领后使用有效期限为3个月", "2020")
    assert isinstance(m, DurationRef) and (m.years, m.months) == (0, 3)
    [n] = find_times("近两年来，我市通过积极", "2021")
    assert isinstance(n, DurationRef) and (n.years, n.qualifier, n.since_year) == (2, "近", 2019)
    [u] = find_times("园区创办至今未到3年", "2022")
    assert isinstance(u, DurationRef) and (u.years, u.qualifier) == (3, "不足")


def test_spans_and_relations() -> None:
    [t] = _times("共确定168家企业纳入2025—2027年国家高新技术企业培育库", "2025")
    assert (t.year, t.end_year, t.text) == (2025, 2027, "2025—2027年")
    [t] = _times("开展五年（2015至2019年）绩效评估", "2020")
    assert (t.year, t.end_year) == (2015, 2019)
    [t] = _times("2021年以来，依托清华资源招引联络点")
    assert (t.iso, t.relation) == ("2021", "since")
    [t] = _times("自2021年设立以来，嘉翼创投")
    assert t.relation == "since"
    [t] = _times("截至2022年，共引入并运营7家科技型企业")
    assert t.relation == "until"
    [t] = _times("去年以来我市新增入库企业155家", "2020")
    assert (t.iso, t.relation, t.basis) == ("2019", "since", "relative")


def test_month_without_year() -> None:
    a, b = _times("本次兑付范围为2022年11月1日至12月31日期间")
    assert (a.iso, b.iso) == ("2022-11-01", "2022-12-31")
    assert b.basis == "stated"
    [c] = _times("1—9月高新技术产业投资219.96亿元", "2025")
    assert (c.iso, c.end_month, c.basis) == ("2025-01", 9, "relative")


def test_all_mentions_in_order() -> None:
    s = "2021年，研究院成功申报项目；去年3月实现投产，在2年多的合作中"
    got = find_times(s, "2023-03-22")
    assert [x.text for x in got] == ["2021年", "去年3月", "2年多"]
    assert [type(x).__name__ for x in got] == ["TimeRef", "TimeRef", "DurationRef"]
    assert all(s[x.start:x.end] == x.text for x in got)
    assert resolve_time(s, "2023-03-22") == got[0]


def test_amount_counts_and_times_do_not_collide() -> None:
    s = "2022年，喜中国家级授时设备工程标书2200万元，联合5家企业开展攻关"
    assert [a.text for a in parse_amount(s)] == ["2200万元"]
    assert [c.text for c in parse_count(s)] == ["5家"]
    assert [t.text for t in find_times(s, "2023")] == ["2022年"]


def test_qualifiers_have_meanings() -> None:
    seen = {a.qualifier for a in parse_amount("近1亿元 超2亿元 3亿余元 约4亿元 不超过5亿元")}
    assert seen <= set(QUALIFIER_MEANING)
    assert QUALIFIER_MEANING["近"] == "nearly" and QUALIFIER_MEANING["余"] == "more than"


def test_records_are_frozen() -> None:
    [a] = parse_amount("1亿元")
    assert isinstance(a, Amount)
    with pytest.raises(AttributeError):
        a.value = D(0)  # type: ignore[misc]
