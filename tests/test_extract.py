"""The spaCy components on small inline sentences and on the seeds."""

from __future__ import annotations

import pytest

from kg.ingest import ingest_text


def mentions(nlp, text: str) -> dict[str, str]:
    doc = nlp(text)
    return {doc.text[c.start : c.end]: c.type for c in doc._.kg_mentions}


def relations(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return {(r.s, r.p, r.o) for r in doc._.kg_relations}


def test_pipeline_is_blank_zh_with_our_components(nlp) -> None:
    assert nlp.lang == "zh"
    assert nlp.pipe_names[0] == "kg_entities"
    assert nlp.pipe_names[1:] == ["kg_tagger", "kg_relations", "kg_relation_model"]


def test_company_name_by_anatomy_with_left_boundary(nlp) -> None:
    m = mentions(nlp, "通过招引，注册成立杭州云栖微光电子科技有限公司，落地我市云溪镇。")
    assert m.get("杭州云栖微光电子科技有限公司") == "Enterprise"
    assert not any(k.startswith("注册") or k.startswith("成立") for k in m)
    assert m.get("云溪镇") == "Place"


def test_anatomy_parts(nlp) -> None:
    doc = nlp("浙江天池集成电路技术有限公司成立。")
    c = next(c for c in doc._.kg_mentions if c.type == "Enterprise")
    parts = dict(c.parts)
    assert parts["place"] == "浙江"
    assert parts["trade"] == "天池"
    assert parts["industry"] == "集成电路技术"
    assert parts["legal"] == "有限公司"


def test_bracketed_place_inside_company_name(nlp) -> None:
    m = mentions(nlp, "项目注册成立明湾（嘉兴）新材料有限责任公司。")
    assert "明湾（嘉兴）新材料有限责任公司" in m


def test_people_after_titles_not_title_words(nlp) -> None:
    m = mentions(nlp, "市财政局党组书记、局长王立群说。")
    assert m.get("王立群") == "Person"
    assert "局长王" not in m
    assert m.get("市财政局") == "GovernmentBody"


def test_post_relation_with_role(nlp) -> None:
    doc = nlp("市财政局党组书记、局长王立群说。")
    posts = [r for r in doc._.kg_relations if r.p == "holdsPost"]
    assert posts and posts[0].s == "王立群" and posts[0].o == "市财政局"
    assert "局长" in dict(posts[0].qualifiers)["role"]


def test_platforms_and_institutes(nlp) -> None:
    m = mentions(nlp, "指导明塘镇与浙江大学共建平湖智能装备创新中心。")
    assert m.get("浙江大学") == "University"
    assert m.get("平湖智能装备创新中心") == "Platform"


def test_cofounded_coordination(nlp) -> None:
    rels = relations(nlp, "明塘镇与浙江大学共建平湖智能装备创新中心。")
    assert ("浙江大学", "cofounded", "平湖智能装备创新中心") in rels
    assert ("明塘镇", "cofounded", "平湖智能装备创新中心") in rels


def test_nested_organisation_gives_sub_organisation(nlp) -> None:
    rels = relations(nlp, "专家来自复旦大学计算机系。")
    assert ("复旦大学计算机系", "subOrganizationOf", "复旦大学") in rels


def test_located_in(nlp) -> None:
    rels = relations(nlp, "嘉兴云帆智能科技有限公司落户云湖经济技术开发区。")
    assert ("嘉兴云帆智能科技有限公司", "locatedIn", "云湖经济技术开发区") in rels


def test_quoted_programme(nlp) -> None:
    m = mentions(nlp, "我市积极响应“百人助企计划”，推进工作。")
    assert any(t == "Program" and "百人助企计划" in k for k, t in m.items())


def test_extract_page_offsets_point_into_original(nlp) -> None:
    from kg.extract import extract_page

    original = "标题一\n\n■记者 张 三\n\n宁波明远光电 科技有限公司\n落户慈溪。\n"
    page = ingest_text("x.txt", original)
    ex = extract_page(page, nlp)
    assert ex.mentions
    for m in ex.mentions:
        raw = original[m.start : m.end]
        assert "".join(raw.split()) == m.text
    assert any(m.text == "宁波明远光电科技有限公司" for m in ex.mentions)


def test_seed_extraction_has_every_core_type(seed_corpus) -> None:
    types = {m.type for ex in seed_corpus.extractions for m in ex.mentions}
    for t in (
        "Enterprise",
        "University",
        "ResearchInstitute",
        "GovernmentBody",
        "Platform",
        "Fund",
        "FinancialInstitution",
        "Person",
    ):
        assert t in types


# --- relation rules added for issue #4 (invented names, not seed entities) -----------------


def test_academic_units_joined_by_yu_in_a_list(nlp) -> None:
    m = mentions(nlp, "密切与复旦大学材料研究院、机械与动力学院、材料与化学学院等的对接交流。")
    assert m.get("机械与动力学院") == "University"
    assert m.get("材料与化学学院") == "University"


def test_with_clause_subject_is_the_city_not_an_earlier_object(nlp) -> None:
    r = relations(
        nlp, "我市选派1人赴复旦大学挂职，密切与复旦大学材料研究院、信息学院等的对接交流。"
    )
    assert ("平湖市", "cooperatesWith", "复旦大学材料研究院") in r
    assert not any(s == "复旦大学" and p == "cooperatesWith" for s, p, _ in r)


def test_title_chain_gives_a_post_in_each_body(nlp) -> None:
    r = relations(nlp, "市委常委、组织部长李明华出席活动。")
    assert ("李明华", "holdsPost", "市委") in r
    assert any(s == "李明华" and o.endswith("组织部") for s, p, o in r if p == "holdsPost")


def test_city_and_district_are_one_place(nlp) -> None:
    m = mentions(nlp, "我市还与上海市松江区签订了合作协议。")
    assert m.get("上海市松江区") == "Place"


def test_respectively_cofounded_lists(nlp) -> None:
    r = relations(
        nlp, "我市已与复旦大学、同济大学等高等院校合作共建先进材料研究院、智能传感研究院。"
    )
    assert ("复旦大学", "cofounded", "先进材料研究院") in r
    assert ("同济大学", "cofounded", "智能传感研究院") in r
    assert ("平湖市", "cofounded", "先进材料研究院") in r
    assert ("复旦大学", "cofounded", "智能传感研究院") not in r


def test_guest_list_takes_part_in_the_event(nlp) -> None:
    r = relations(nlp, "出席本次论坛的嘉宾有来自启明创投、红杉资本等专业投资机构的代表。")
    assert {s for s, p, _ in r if p == "participatedIn"} >= {"启明创投", "红杉资本"}


def test_listed_awards_share_their_winner(nlp) -> None:
    r = relations(
        nlp,
        "孵化企业嘉兴明光电子有限公司先后荣获湖州创新创业大赛一等奖、宁波市孵化器创业大赛二等奖等荣誉。",
    )
    winners = {s for s, p, o in r if p == "hasAward"}
    assert winners == {"嘉兴明光电子有限公司"}
    assert ("嘉兴明光电子有限公司", "participatedIn", "湖州创新创业大赛") in r


def test_trade_name_after_a_class_noun_is_a_firm(nlp) -> None:
    m = mentions(nlp, "算力龙头企业云启科技联合浙江大学共建智能制造研究院。")
    assert m.get("云启科技") == "Enterprise"
    r = relations(nlp, "算力龙头企业云启科技联合浙江大学共建智能制造研究院。")
    assert ("云启科技", "cofounded", "智能制造研究院") in r
    assert ("云启科技", "cooperatesWith", "浙江大学") in r
    assert ("云启科技", "focusIndustry", "算力") in r


def test_fronted_industry_phrase_belongs_to_the_next_subject(nlp) -> None:
    r = relations(nlp, "聚焦汽车零部件产业，建成明湖车谷孵化器，孵化器面积5300多平方米。")
    assert ("明湖车谷孵化器", "focusIndustry", "汽车零部件产业") in r


def test_backer_in_zai_phrase_supports_the_new_body(nlp) -> None:
    r = relations(
        nlp,
        "在市科技局的推动下，嘉兴明远投资有限公司与嘉兴启航创业投资有限公司联合发起成立了平湖启航创投基金。",
    )
    assert ("市科技局", "supports", "平湖启航创投基金") in r
    assert not any(s == "市科技局" and p == "cofounded" for s, p, _ in r)


def test_industry_statistics_are_not_a_focus(nlp) -> None:
    r = relations(nlp, "今年上半年，全市高新技术产业投资44.69亿元，同比增长40.6%。")
    assert not any(p == "focusIndustry" for _, p, _ in r)


def test_signing_to_settle_is_not_an_agreement(nlp) -> None:
    r = relations(nlp, "浙江明芯电子有限公司于2021年12月签约落户云湖街道。")
    assert not any(p == "signedAgreementWith" for _, p, _ in r)


def test_topic_after_jiu_is_not_a_party(nlp) -> None:
    r = relations(
        nlp, "近日，平湖市人民政府与中国电子科技集团三十六所就共建平湖传感实验室进行签约。"
    )
    parties = {o for s, p, o in r if p == "signedAgreementWith"}
    assert parties == {"中国电子科技集团三十六所"}


def test_city_qualifying_a_noun_is_not_a_party(nlp) -> None:
    r = relations(nlp, "市科技局积极组织我市科技企业参加中国创新创业大赛等活动。")
    assert not any(s == "平湖市" and p == "participatedIn" for s, p, _ in r)


def test_noun_compounds_are_not_trigger_verbs(nlp) -> None:
    r = relations(
        nlp, "关注新能源领域的启明创投、红杉资本等专业投资机构，以及明芯电子、云启科技等企业。"
    )
    assert not any(p == "investedIn" for _, p, _ in r)


def test_lab_named_after_a_numbered_institute_is_one_body(nlp) -> None:
    m = mentions(nlp, "中国电子科技集团三十六所嘉兴实验室正式启用。")
    assert m.get("中国电子科技集团三十六所嘉兴实验室") == "ResearchInstitute"
    r = relations(nlp, "中国电子科技集团三十六所嘉兴实验室正式启用。")
    assert (
        "中国电子科技集团三十六所嘉兴实验室",
        "subOrganizationOf",
        "中国电子科技集团三十六所",
    ) in r


def test_alternation_trie_matches_like_the_sorted_flat_alternation() -> None:
    """The trie regex finds the same spans, and backtracks the same way, as ``a|b|...`` sorted
    longest first (random words over a tiny alphabet, several regex contexts)."""
    import random
    import re

    from kg.extract.lexicon import alternation

    def flat(words: set[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))

    rnd = random.Random(1)
    for _ in range(500):
        alpha = "ab.甲乙"[: rnd.randint(2, 5)]
        words = {
            "".join(rnd.choice(alpha) for _ in range(rnd.randint(1, 4)))
            for _ in range(rnd.randint(1, 10))
        }
        text = "".join(rnd.choice(alpha + "x") for _ in range(50))
        for tmpl in ("{}", "([ab甲]{{1,4}}?(?:{}))", "({})(?!a)", "^(?:{})+$"):
            want = re.compile(tmpl.format(flat(words)))
            got = re.compile(tmpl.format(alternation(words)))
            assert [(m.span(), m.groups()) for m in got.finditer(text)] == [
                (m.span(), m.groups()) for m in want.finditer(text)
            ]


def test_display_spans_on_request():
    from kg.extract import build_nlp

    text = "浙江明远长三角研究院与嘉兴某某科技有限公司签约。"
    plain = build_nlp()(text)
    shown = build_nlp(spans_key="kg_entities")(text)
    assert "kg_entities" not in plain.spans
    labels = {(s.text, s.label_) for s in shown.spans["kg_entities"]}
    assert ("浙江明远长三角研究院", "ResearchInstitute") in labels
    assert [(c.start, c.end) for c in plain._.kg_mentions] == [
        (c.start, c.end) for c in shown._.kg_mentions
    ]


# --- issue #18: the rules alone (the statistical tagger judges their mentions in the pipeline)


@pytest.fixture(scope="module")
def rules():
    from kg.extract import build_nlp

    return build_nlp(tagger=False)


# --- issue #18: industries by their place in the sentence, not from a list of them ---------


def test_field_before_an_industry_word_is_an_industry(rules) -> None:
    m = mentions(rules, "该镇正全力培育珍珠养殖产业，并布局无人机航拍领域。")
    assert m.get("珍珠养殖产业") == "Industry"
    assert m.get("无人机航拍领域") == "Industry"


def test_industry_word_distributes_over_its_list(rules) -> None:
    m = mentions(rules, "园区已在竹编、茶叶、红木家具等行业内建立3个服务站。")
    assert {k for k, t in m.items() if t == "Industry"} >= {"竹编", "茶叶", "红木家具"}
    m = mentions(rules, "邀请区内20家纺织、物流、餐饮领域的企业代表参加。")
    assert {k for k, t in m.items() if t == "Industry"} >= {"纺织", "物流", "餐饮"}


def test_generic_heads_and_activities_are_not_industries(rules) -> None:
    m = mentions(rules, "助推全市重点产业发展，做大做强特色产业，推进成果转化领域改革。")
    assert not any(t == "Industry" for t in m.values()), m
    m = mentions(rules, "在队伍建设、人才培育、金融赋能等领域多点突破。")
    assert not any(t == "Industry" for t in m.values()), m


def test_ranks_and_counts_are_not_fields(rules) -> None:
    """新增一省级产业创新服务综合体, 第三批省级产业…, 三大产业: a rank or a count before 产业
    names no industry; the field after them still does."""
    m = mentions(rules, "甲乙市新增一省级产业创新服务综合体，公布第三批省级产业名单。")
    assert not any(t == "Industry" for t in m.values()), m
    m = mentions(rules, "发展三大产业和五金机械行业。")
    assert [n for n, t in m.items() if t == "Industry"] == ["五金机械行业"], m


def test_a_count_of_rounds_is_no_bureau(rules) -> None:
    m = mentions(rules, "两位棋手在古镇对弈十局，市体育局派员观摩。")
    assert "对弈十局" not in m and "十局" not in m
    assert m.get("市体育局") == "GovernmentBody"


# --- issue #18: people in every position a news sentence puts them --------------------------


def test_people_listed_after_a_role_word(rules) -> None:
    m = mentions(rules, "园区领导赵一鸣、钱二宝、孙三立，区经发办负责人出席。")
    assert {k for k, t in m.items() if t == "Person"} >= {"赵一鸣", "钱二宝", "孙三立"}


def test_names_before_their_titles(rules) -> None:
    m = mentions(rules, "云溪市科技局邬明远副局长、吴晓岚主任和季雨霏科长等参加了座谈。")
    assert {k for k, t in m.items() if t == "Person"} == {"邬明远", "吴晓岚", "季雨霏"}
    m = mentions(rules, "实验室主任是著名专家冉松年院士。")
    assert m.get("冉松年") == "Person"


def test_people_after_the_titles_of_firms_banks_and_schools(rules) -> None:
    """行长, 教授, 高级工程师, 工作人员 … name the person after them as 局长 does."""
    m = mentions(rules, "云溪银行南湖支行行长邬明远、甲乙大学教授吴晓岚、"
                        "经发办工作人员季雨霏参加。")
    assert {k for k, t in m.items() if t == "Person"} == {"邬明远", "吴晓岚", "季雨霏"}
    m = mentions(rules, "该公司高级工程师冉松年介绍。")
    assert m.get("冉松年") == "Person"


def test_peoples_congresses_consultative_conferences_and_federations(rules) -> None:
    """政协, 人大常委会, 科学技术协会, 侨联, 工商联, 总工会, 妇联: bodies of the state and its
    mass organisations, as the gold types 科协 and 政协."""
    m = mentions(rules, "云溪区政协副主席邬明远、甲乙省科学技术协会、云溪市侨联和市工商联参加。")
    assert m.get("云溪区政协") == "GovernmentBody"
    assert m.get("甲乙省科学技术协会") == "GovernmentBody"
    assert m.get("云溪市侨联") == "GovernmentBody" and m.get("市工商联") == "GovernmentBody"


def test_a_conjunction_after_a_title_is_no_surname(rules) -> None:
    m = mentions(rules, "陈立峰副市长和管传明局长表示欢迎。")
    assert {k for k, t in m.items() if t == "Person"} == {"陈立峰", "管传明"}


def test_bylines_and_credits_name_every_person(rules) -> None:
    m = mentions(rules, "本报讯（记者吴晓天通讯员邬云峰季小雨）昨日上午，大会召开。")
    assert {k for k, t in m.items() if t == "Person"} >= {"吴晓天", "邬云峰", "季小雨"}
    m = mentions(rules, "栏目主编：赵晓娜文字编辑：钱宏伟")
    assert {k for k, t in m.items() if t == "Person"} == {"赵晓娜", "钱宏伟"}


def test_given_names_with_function_characters_and_words_are_not_names(rules) -> None:
    m = mentions(rules, "区委书记冉向明、区长杭为民出席。")
    assert {k for k, t in m.items() if t == "Person"} == {"冉向明", "杭为民"}
    m = mentions(rules, "局长高效推进各项工作。")
    assert not any(t == "Person" for t in m.values())


# --- issue #18: where a name starts -----------------------------------------------------


def test_registered_name_reaches_back_to_its_place(rules) -> None:
    m = mentions(rules, "与临安市聚鑫汇餐饮管理有限公司、上海云微企业咨询有限公司签约。")
    assert m.get("临安市聚鑫汇餐饮管理有限公司") == "Enterprise"
    assert m.get("上海云微企业咨询有限公司") == "Enterprise"


def test_a_phrase_before_the_place_is_not_part_of_the_name(rules) -> None:
    m = mentions(rules, "项目经济效益显著浙江云帆环保科技有限公司成为示范。")
    assert m.get("浙江云帆环保科技有限公司") == "Enterprise"
    m = mentions(rules, "基金由其统一管理云启公司负责运营。")
    assert m.get("云启公司") == "Enterprise"


def test_investing_is_not_an_investment_firm(rules) -> None:
    m = mentions(rules, "云帆计划投资2亿元，选择在云溪投资，项目总投资额3亿元。")
    assert not any(t == "FinancialInstitution" for t in m.values()), m
    m = mentions(rules, "启明投资、云帆投资等机构参加了路演。")
    assert m.get("启明投资") == "FinancialInstitution"


def test_no_particular_government_is_no_body(rules) -> None:
    """地方政府, 当地政府, 基层政府 (three pages): governments in general, not one body."""
    m = mentions(rules, "甲乙谷与地方政府深度合作，当地政府和基层政府高度重视。")
    assert not any(t == "GovernmentBody" for t in m.values()), m
    assert mentions(rules, "云溪市政府高度重视。").get("云溪市政府") == "GovernmentBody"


def test_a_kind_of_capital_is_not_a_firm(rules) -> None:
    """社会资本, 金融资本, “耐心资本”: kinds of capital (two seed pages, a tuning page and an
    unlabelled page name them); 云帆资本 stays a firm."""
    m = mentions(rules, "积极引导社会资本、金融资本参与建设，打造“耐心资本”。")
    assert not any(t == "FinancialInstitution" for t in m.values()), m
    m = mentions(rules, "云帆资本、启明资本领投。")
    assert m.get("云帆资本") == "FinancialInstitution"


# --- issue #18: bodies in the forms news prints them ------------------------------------------


def test_party_committees_and_offices(rules) -> None:
    m = mentions(rules, "云溪镇党委书记赵一鸣、高新区党工委副书记钱二宝出席。")
    assert m.get("云溪镇党委") == "GovernmentBody"
    assert m.get("高新区党工委") == "GovernmentBody"
    m = mentions(rules, "园区领导出席，区社会事业办、云溪县核应急办工作人员参加。")
    assert m.get("区社会事业办") == "GovernmentBody"
    assert m.get("云溪县核应急办") == "GovernmentBody"
    m = mentions(rules, "本次活动由云溪科技有限公司承办。")
    assert not any(k.endswith("承办") for k in m)


def test_committee_and_government_are_two_bodies(rules) -> None:
    m = mentions(rules, "在云溪市委市政府的大力支持下，项目顺利落地。")
    assert m.get("市政府") == "GovernmentBody"
    assert "云溪市委市政府" not in m


def test_kinds_of_universities_and_campus_districts_are_not_universities(rules) -> None:
    m = mentions(rules, "该校是一所综合性大学，正向应用型大学转型，落户云溪大学城。")
    assert not any(t == "University" for t in m.values()), m


def test_generic_universities_and_university_parks_are_not_universities(rules) -> None:
    m = mentions(rules, "与世界一流大学和国内外知名大学合作，建设国家大学科技园。")
    assert not any(t == "University" for t in m.values()), m
    m = mentions(rules, "云溪大学国家大学科技园与云岭学院大学科技园合作。")
    assert m.get("云溪大学国家大学科技园") == "Platform"
    assert m.get("云岭学院大学科技园") == "Platform"
    assert m.get("云溪大学") == "University"
    assert not any("与" in k for k in m), m


def test_a_unit_and_another_body_are_two_names(rules) -> None:
    m = mentions(rules, "云溪大学东港国际研究生院和南山实验室签约，云溪大学机械与能源学院参加。")
    assert m.get("云溪大学东港国际研究生院") == "University"
    assert m.get("南山实验室") == "ResearchInstitute"
    assert m.get("云溪大学机械与能源学院") == "University"  # coordination inside a school


def test_long_institutes_of_an_academy_and_coordinated_fields_inside_names(rules) -> None:
    m = mentions(rules, "中国科学院云溪精密材料技术与工程研究所发布成果。")
    assert m.get("中国科学院云溪精密材料技术与工程研究所") == "ResearchInstitute"
    m = mentions(rules, "甲乙学院云溪科创走廊产业与创新研究院揭牌。")
    assert m.get("甲乙学院云溪科创走廊产业与创新研究院") == "ResearchInstitute"
    m = mentions(rules, "市科技局与创新研究院签约，云溪大学与东港研究院合作。")
    assert m.get("市科技局") == "GovernmentBody"
    assert m.get("云溪大学") == "University"
    assert not any("与" in k for k in m), m


def test_on_behalf_of_ends_a_name(rules) -> None:
    m = mentions(rules, "王小明代表云溪研究院筹备组发言，李大红代表云岭大学签约。")
    assert "云岭大学" in m
    assert not any("代表" in k for k in m), m


def test_verbs_of_partnering_and_phrase_tokens_ending_in_a_verb_end_a_name(rules) -> None:
    m = mentions(rules, "甲乙市牵手云溪大学，共建丙丁研究院；另一边已在开会讨论大学和新区的融合。")
    assert m.get("云溪大学") == "University"
    assert not any(k.endswith("讨论大学") or "牵手" in k for k in m), m


def test_kinds_of_bodies_named_by_modifiers_only_are_not_names(rules) -> None:
    m = mentions(rules, "与传统政府相比，建设国家级开发区和产业技术研究院，成立创投公司。")
    assert not any(t in ("GovernmentBody", "Platform", "ResearchInstitute", "Enterprise")
                   for t in m.values()), m
    m = mentions(rules, "市政府与省科技厅支持云溪科技有限公司。")
    assert m.get("市政府") == "GovernmentBody"
    assert m.get("云溪科技有限公司") == "Enterprise"


def test_a_list_of_common_nouns_before_a_class_noun_names_nobody(rules) -> None:
    m = mentions(rules, "农场里还有居住区、学校、商店、医院等机构。")
    assert not any(t == "Enterprise" for t in m.values()), m


def test_a_board_is_not_a_bureau(rules) -> None:
    m = mentions(rules, "云溪建设集团公司董事局主席王大明出席。")
    assert m.get("云溪建设集团公司") == "Enterprise"
    assert not any(k.endswith("董事局") for k in m), m


def test_a_bodys_own_party_committee_is_not_a_government(rules) -> None:
    """某某集团党委书记、董事长某某: the group (and the person) are the names; a town's party
    committee stays a government body."""
    m = mentions(rules, "云溪集团党委书记、董事长王大明，云岭大学党委常委、副校长李小红出席。")
    assert m.get("云溪集团") == "Enterprise" and m.get("云岭大学") == "University"
    assert not any(k.endswith("党委") for k in m), m
    assert m.get("李小红") == "Person"
    m = mentions(rules, "甲乙县云溪镇党委书记张明出席。")
    assert m.get("甲乙县云溪镇党委") == "GovernmentBody"


def test_bases_and_rd_centres(rules) -> None:
    m = mentions(rules, "园区建成云启智能装备产业基地和稻米优质品种国际研发中心。")
    assert m.get("云启智能装备产业基地") == "Platform"
    assert m.get("稻米优质品种国际研发中心") == "ResearchInstitute"
    m = mentions(rules, "这里是全省青少年科普教育基地。")
    assert not any(t == "Platform" for t in m.values()), m


def test_institutes_of_the_academy_of_sciences(rules) -> None:
    m = mentions(rules, "项目与中国科学院西湖材料所、中科院东海生态所合作。")
    assert m.get("中国科学院西湖材料所") == "ResearchInstitute"
    assert m.get("中科院东海生态所") == "ResearchInstitute"


def test_kinds_of_companies_are_not_names(rules) -> None:
    m = mentions(rules, "园区成立孵化公司，引进一家大型高科技公司和数家核电配套产业公司。")
    assert not any(t == "Enterprise" for t in m.values()), m
    m = mentions(rules, "云帆科技公司与东海日报报业集团签约。")
    assert m.get("云帆科技公司") == "Enterprise"
    assert m.get("东海日报报业集团") == "Media"


def test_committees_of_bodies_are_not_governments(rules) -> None:
    m = mentions(rules, "研究院设立学术委员会。")
    assert not any(t == "GovernmentBody" for t in m.values()), m
    m = mentions(rules, "云溪市经济委员会出台新政。")
    assert m.get("云溪市经济委员会") == "GovernmentBody"


def test_branches_academies_and_trade_associations(rules) -> None:
    m = mentions(rules, "中国云海石化股份有限公司东港分公司与省农科院合作。")
    assert m.get("中国云海石化股份有限公司东港分公司") == "Enterprise"
    assert m.get("省农科院") == "ResearchInstitute"


# --- universities: units, campuses and short forms ------------------------------------------


def test_units_of_a_university_with_coordinated_names(rules) -> None:
    m = mentions(rules, "云溪大学计算机科学与技术学院教授出席。")
    assert m.get("云溪大学计算机科学与技术学院") == "University"
    assert m.get("云溪大学") == "University"  # the university itself stays
    assert "技术学院" not in m


def test_graduate_schools_faculties_and_branches_but_not_campuses(rules) -> None:
    m = mentions(rules, "云溪大学东海国际研究生院与云溪大学东港校区、云溪大学信息学部合作。")
    assert m.get("云溪大学东海国际研究生院") == "University"
    # a campus is a site of the university, not a body of its own: the university is named
    assert "云溪大学东港校区" not in m and m.get("云溪大学") == "University"
    assert m.get("云溪大学信息学部") == "University"
    m = mentions(rules, "云岭大学西港分校的团队")
    assert m.get("云岭大学西港分校") == "University"


@pytest.fixture(scope="module")
def rules_with_short_form():
    import spacy

    from kg.extract.entities import EntityRecognizer
    from kg.extract.lexicon import Lexicon
    from kg.extract.text import JiebaTokenizer

    lex = Lexicon.load()
    lex.add_patterns({"abbreviations": {"云大": ["云溪大学", "University"]}})
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    rec = EntityRecognizer(nlp, "kg_entities", lex, spans_key=None)

    def found(text: str) -> dict[str, str]:
        return {text[c.start : c.end]: c.type for c in rec(nlp.make_doc(text))._.kg_mentions}

    return found


def test_units_of_a_university_named_by_its_short_form(rules_with_short_form) -> None:
    m = rules_with_short_form("他是云大化学系教授，在云大国际研究生院工作。")
    assert m.get("云大化学系") == "University"
    assert m.get("云大国际研究生院") == "University"
    m = rules_with_short_form("他们被称为云大系企业家。")
    assert "云大系" not in m  # its graduates, not a department


def test_two_character_short_forms_are_words_of_their_own(rules) -> None:
    m = mentions(rules, "江苏大力推进新型工业化。")
    assert not any(t == "University" for t in m.values()), m


# --- platforms by their general Chinese names ------------------------------------------------


def test_platforms_by_general_names(rules) -> None:
    text = (
        "云帆产业加速器、云溪科创园、东港创新港、云岭科学城、云溪孵化园、西港科创谷、"
        "云溪大型仪器共享平台、保税区育成中心、东港双创中心、城西科创大走廊和云帆装备创新联合体"
        "相继落地。"
    )
    m = mentions(rules, text)
    for name in (
        "云帆产业加速器",
        "云溪科创园",
        "东港创新港",
        "云岭科学城",
        "云溪孵化园",
        "西港科创谷",
        "云溪大型仪器共享平台",
        "保税区育成中心",
        "东港双创中心",
        "城西科创大走廊",
        "云帆装备创新联合体",
    ):
        assert m.get(name) == "Platform", (name, m)


def test_generic_kinds_of_platforms_are_not_names(rules) -> None:
    m = mentions(rules, "构建“孵化器—加速器—产业园”全链条，建设产业孵化中心。")
    assert not any(t == "Platform" for t in m.values()), m


def test_towns_that_are_platforms(rules) -> None:
    m = mentions(rules, "南湖云帆基金小镇与云栖小镇合作，江南小镇风光秀丽。")
    assert m.get("南湖云帆基金小镇") == "Platform"
    assert m.get("云栖小镇") == "Platform"
    assert not any(k.endswith("江南小镇") or k == "小镇" for k in m), m


def test_a_short_form_inside_an_institute_is_not_kept(rules_with_short_form) -> None:
    m = rules_with_short_form("云大东海材料研究院揭牌。")
    assert m.get("云大东海材料研究院") == "ResearchInstitute"
    assert "云大" not in m  # the institute's parent, printed in its name only


def test_a_name_runs_into_a_county_only_where_words_end(rules) -> None:
    m = mentions(rules, "记者王建平湖州报道")  # 王建平|湖州, not 王建 + 平湖
    assert m.get("王建平") == "Person"


# --- issue #18: names neither swallow the verb before them nor start with a conjunction -----


@pytest.mark.parametrize(
    ("text", "name", "typ"),
    [
        ("今年将启动嘉禾科创园建设。", "嘉禾科创园", "Platform"),
        ("活动有效激活丙丁科技有限公司的创新动能。", "丙丁科技有限公司", "Enterprise"),
        ("由嘉禾区产业引导基金出资设立。", "嘉禾区产业引导基金", "Fund"),
        ("嘉禾县创业投资引导基金投资了丙丁科技有限公司。", "嘉禾县创业投资引导基金", "Fund"),
        ("不久前，嘉禾经开在此设立甲乙国际创新中心。", "嘉禾经开", "Platform"),
    ],
)
def test_names_stop_at_the_verb_before_them(rules, text: str, name: str, typ: str) -> None:
    m = mentions(rules, text)
    assert m.get(name) == typ, m
    assert not any(k.endswith(name) and k != name for k in m), m


def test_no_name_in_a_verb_phrase_or_a_class_noun(rules) -> None:
    for text in ("利用政府产业基金撬动社会资本。", "设立政府引导基金。", "企业已经开始生产。"):
        assert not mentions(rules, text), text
    # a fund that invests: 投资 is the verb, not the end of a financial firm's name
    m = mentions(rules, "由甲乙股权投资基金投资的首个项目上市。")
    assert m.get("甲乙股权投资基金") == "Fund" and "甲乙股权投资基金投资" not in m


def test_an_event_name_does_not_start_with_ji(rules) -> None:
    m = mentions(rules, "甲乙园区建设十周年庆暨第二届科技孵化企业创新创业大赛决赛举行。")
    assert "第二届科技孵化企业创新创业大赛决赛" in m
    assert not any(k.startswith("暨") for k in m)


def test_event_names_span_their_building_and_signing_words(rules) -> None:
    """某某科创走廊建设推进大会, 全面战略合作协议签约仪式: 建设, 推进, 合作, 签约 stand inside
    event names; the platform named inside stays a mention of its own."""
    m = mentions(rules, "甲乙区召开云溪科创走廊建设推进大会。")
    assert m.get("云溪科创走廊建设推进大会") == "Event" and m.get("云溪科创走廊") == "Platform"
    m = mentions(rules, "甲乙市人民政府与丙丁大学举行全面战略合作协议签约仪式。")
    assert m.get("全面战略合作协议签约仪式") == "Event"


def test_meetings_of_every_kind_are_events(rules) -> None:
    """研讨会, 推进会, 现场会, 说明会, 报告会, 挑战赛 … (general vocabulary of news) name events."""
    m = mentions(rules, "甲乙市举办云溪成果转化研讨会，并召开丙丁产业推进会。")
    assert m.get("云溪成果转化研讨会") == "Event" and m.get("丙丁产业推进会") == "Event"


def test_quoted_awards_are_their_quoted_names(rules) -> None:
    """获得“甲奖”与“乙奖”两个奖项: two awards, each its quoted name (not one award ending
    in 两个奖, nor “丙奖”奖)."""
    m = mentions(rules, "云溪团队获得“最佳云溪奖”与“最具潜力奖”两个奖项，"
                        "丁戊团队获得“最佳设计奖”奖项。")
    awards = {k for k, t in m.items() if t == "Award"}
    assert awards == {"最佳云溪奖", "最具潜力奖", "最佳设计奖"}, m


def test_a_title_right_after_a_body_is_a_post_there_only(nlp) -> None:
    """丙丁市人民政府副市长X holds no post in the home city's government as well."""
    got = {(s, o) for s, p, o in relations(nlp, "丙丁市人民政府副市长张海峰出席并颁奖。")
           if p == "holdsPost"}
    assert got == {("张海峰", "丙丁市人民政府")}
    got = {(s, o) for s, p, o in relations(nlp, "副市长张海峰出席。") if p == "holdsPost"}
    assert got == {("张海峰", "平湖市人民政府")}  # the title alone: the home city's government


def test_a_village_after_its_town_is_a_place_in_it(nlp) -> None:
    got = relations(nlp, "位于甲乙镇丰收村的丙丁食品有限公司投产。")
    assert ("丰收村", "locatedIn", "甲乙镇") in got
    assert ("丙丁食品有限公司", "locatedIn", "丰收村") in got
    for text in ("甲乙镇各村都有。", "甲乙镇美丽乡村建设。", "甲乙镇农村道路。"):
        assert not [k for k, t in mentions(nlp, text).items() if t == "Place" and k != "甲乙镇"]


def test_an_award_keeps_its_grade_and_goes_to_the_winners_listed_after(nlp) -> None:
    got = relations(nlp, "甲乙区两家企业荣获丙省科学技术三等奖，"
                         "分别是丙丁科技有限公司、戊己电子有限公司。")
    winners = {s for s, p, o in got if p == "hasAward" and o == "丙省科学技术三等奖"}
    assert winners == {"丙丁科技有限公司", "戊己电子有限公司"}
    m = mentions(nlp, "丙丁科技有限公司获得国家技术发明奖二等奖。")
    assert m.get("国家技术发明奖二等奖") == "Award"


def test_a_name_after_a_title_stops_before_a_common_verb(nlp) -> None:
    for text, name in (("董事长陈斌告诉记者。", "陈斌"), ("副市长刘强调研企业。", "刘强"),
                       ("局长王建国出席。", "王建国")):
        assert {k for k, t in mentions(nlp, text).items() if t == "Person"} == {name}, text


def test_a_zone_department_named_for_two_fields(nlp) -> None:
    m = mentions(nlp, "甲乙区经济发展与生态环境办主任王某出席。")
    assert m.get("甲乙区经济发展与生态环境办") == "GovernmentBody"
    m = mentions(nlp, "会上，丙丁高新区科技与人才局负责人作了介绍。")
    assert m.get("丙丁高新区科技与人才局") == "GovernmentBody"
    m = mentions(nlp, "市科技局与市人才办联合发文。")  # two bodies, not one
    assert m.get("市科技局") == "GovernmentBody" and m.get("市人才办") == "GovernmentBody"


def test_no_name_spans_a_one_character_verb(nlp) -> None:
    assert not mentions(nlp, "海创人才考察团赴高新区进行人才交流。")


def test_the_medium_of_a_source_line(nlp) -> None:
    m = mentions(nlp, "2021-03-02 08:59 来源: 甲乙在线 作者: 王佳")
    assert m.get("甲乙在线") == "Media"
    assert ("王佳", "holdsPost", "甲乙在线") in relations(nlp, "来源：甲乙在线 作者：王佳")
    assert mentions(nlp, "来源：丙丁区科技局").get("丙丁区科技局") == "GovernmentBody"
    assert not mentions(nlp, "文章来源：本站")


def test_names_do_not_swallow_a_dateline_a_park_or_a_glued_verb(nlp) -> None:
    m = mentions(nlp, "新华社甲乙1月3日电(王某某)丙丁大学甲乙研究院成立。")
    assert not [k for k in m if "日电" in k or "王某某" in k]
    m = mentions(nlp, "戊己园常务副主任高川红陪同考察。")
    assert {k for k, t in m.items() if t == "Person"} == {"高川红"}
    m = mentions(nlp, "丙丁大学甲乙研究院在王店镇建先进新材料创新中心。")
    assert "先进新材料创新中心" in m and not any(k.endswith("镇建先进新材料创新中心") for k in m)


def test_joint_units_keep_joint_and_their_partner_before_a_dash(nlp) -> None:
    m = mentions(nlp, "共建云岭大学国际联合学院。云岭大学—青溪市微波技术联合实验室签约。")
    assert "云岭大学国际联合学院" in m
    assert m.get("云岭大学—青溪市微波技术联合实验室") == "ResearchInstitute"


def test_provincial_departments_and_associations(nlp) -> None:
    m = mentions(nlp, "浙江省科学技术厅、青溪市科技企业孵化器协会和云岭省软件行业协会承办。")
    assert m.get("浙江省科学技术厅") == "GovernmentBody"
    assert m.get("青溪市科技企业孵化器协会") == "Platform"
    assert m.get("云岭省软件行业协会") == "Platform"
    assert not any(t == "Award" for t in m.values())


def test_a_trade_ending_in_a_fund_word_is_no_fund(nlp) -> None:
    m = mentions(nlp, "已完成在中国证券投资基金业协会备案。")
    assert m == {"中国证券投资基金业协会": "Platform"}


def test_a_holding_firm_and_a_firms_line_of_business(nlp) -> None:
    m = mentions(nlp, "中心将与星岚控股、青溪县科技创业服务有限公司合作，国有控股比例提高。")
    assert m.get("星岚控股") == "Enterprise"
    assert m.get("青溪县科技创业服务有限公司") == "Enterprise"
    assert "国有控股" not in m


def test_time_words_and_demonstratives_are_not_part_of_names(nlp) -> None:
    m = mentions(nlp, "未来市政府会提供服务。某某公司总经理陶岚这个多年的心愿实现了。")
    assert "市政府" in m and "未来市政府" not in m
    assert m.get("陶岚") == "Person"


def test_a_workstation_needs_a_named_host(nlp) -> None:
    m = mentions(nlp, "青溪市已认定市级院士专家工作站27家，第五批浙江省院士专家工作站名单公布，"
                      "青溪学院院士专家工作站成立。")
    assert "市级院士专家工作站" not in m
    assert not any(k.startswith("第五批") for k in m)
    assert m.get("青溪学院院士专家工作站") == "ResearchInstitute"


def test_latin_letters_with_a_dot_inside_a_name(nlp) -> None:
    m = mentions(nlp, "由园区运营的星岚L.A青溪域外孵化器通过评估。")
    assert "星岚L.A青溪域外孵化器" in m


def test_chief_officers_a_count_after_names_and_no_place_in_a_list_of_names(nlp) -> None:
    m = mentions(nlp, "首席执行官邬明远、首席技术官陶岚、首席运营官柯寒三位创始人到场。")
    assert {"邬明远", "陶岚", "柯寒"} <= {k for k, t in m.items() if t == "Person"}
    m = mentions(nlp, "青溪镇发展局副局长邬明远、青溪镇人社局副局长陶岚出席。")
    assert m.get("青溪镇") != "Person"
    assert m.get("陶岚") == "Person"


def test_chambers_of_commerce_and_short_institutes_of_industrial_technology(nlp) -> None:
    m = mentions(nlp, "青溪新区商会与云岭工研院签约。")
    assert m.get("青溪新区商会") == "Platform"
    assert m.get("云岭工研院") == "ResearchInstitute"


def test_an_events_edition_opens_its_name_and_a_yearly_event_keeps_its_year(nlp) -> None:
    m = mentions(nlp, "数引三农同创共富第五届青溪农业经济洽谈会开幕。")
    assert m.get("第五届青溪农业经济洽谈会") == "Event"
    m = mentions(nlp, "2020年度云岭科学技术奖励大会在云岭人民大会堂举行。")
    assert m.get("2020年度云岭科学技术奖励大会") == "Event"
    assert not any(k.endswith("人民大会") for k in m)
    m = mentions(nlp, "第十届青溪创业大赛暨第二届云岭创新大赛总决赛举行。")
    assert "第十届青溪创业大赛暨第二届云岭创新大赛总决赛" in m
    m = mentions(nlp, "首届云岭实验室学术年会召开，2023青溪经贸洽谈会开幕。")
    assert m.get("首届云岭实验室学术年会") == "Event"
    assert m.get("2023青溪经贸洽谈会") == "Event"


def test_important_and_core_are_no_names(nlp) -> None:
    assert mentions(nlp, "打造重要基地和核心实验室。") == {}


def test_broad_fields_and_a_verb_before_a_listed_field(nlp) -> None:
    m = mentions(nlp, "基金主要投向高端制造、智慧物流等领域，推动农业高质量发展。")
    assert m.get("高端制造") == "Industry" and m.get("农业") == "Industry"
    assert not any(k.startswith("投向") for k in m)


def test_policy_categories_of_industry(nlp) -> None:
    m = mentions(nlp, "推动战略性新兴产业发展，培育高新技术产业。")
    assert m == {"战略性新兴产业": "Industry", "高新技术产业": "Industry"}


def test_a_ceremony_named_from_cobuilding_and_never_from_inside_a_name(nlp) -> None:
    m = mentions(nlp, "平湖市与云岭研究院合作共建星岚实验室签约仪式举行。")
    assert m.get("共建星岚实验室签约仪式") == "Event"
    assert m.get("星岚实验室") == "ResearchInstitute"
    assert "平湖市与云岭研究院" not in m
    m = mentions(nlp, "丙丁大学—戊己微波技术联合实验室签约仪式举行。")
    assert m.get("丙丁大学—戊己微波技术联合实验室签约仪式") == "Event"


def test_future_inside_names_alumni_associations_and_editions_of_bodies(nlp) -> None:
    m = mentions(nlp, "青溪未来科技城和云岭大学未来食品实验室，未来市政府将提供服务。")
    assert "青溪未来科技城" in m and "云岭大学未来食品实验室" in m
    assert "未来市政府" not in m and m.get("市政府") == "GovernmentBody"
    m = mentions(nlp, "青溪云岭校友会支持，第四届长三角商协会资源对接会举行。")
    assert m.get("青溪云岭校友会") == "Platform"
    assert not any(k.startswith("第四届") and t == "Platform" for k, t in m.items())


def test_an_industrial_innovation_service_complex_is_a_platform(nlp) -> None:
    m = mentions(nlp, "我市汽车零部件产业创新服务综合体成功入选，"
                      "第三批省级产业创新服务综合体名单公布。")
    assert m == {"汽车零部件产业创新服务综合体": "Platform"}


def test_a_person_named_like_a_short_form_is_no_university(nlp) -> None:
    m = mentions(nlp, "项目由徐清华申报。与清华合作，和浙大签约。")
    assert "清华" in m and "浙大" in m  # the short forms themselves
    doc = nlp("项目由徐清华申报。")
    assert not [c for c in doc._.kg_mentions if c.type == "University"]


def test_an_industrial_park_is_a_platform(nlp) -> None:
    m = mentions(nlp, "获评A类的孵化器为星岚国际工业园、云岭科技创业园。")
    assert m.get("星岚国际工业园") == "Platform"


def test_a_registered_name_crosses_three_words_back_to_its_place(nlp) -> None:
    m = mentions(nlp, "与安徽东锦资源再生科技有限公司签订协议。")
    assert m.get("安徽东锦资源再生科技有限公司") == "Enterprise"


def test_a_founding_meeting_is_named_with_what_it_founds(nlp) -> None:
    m = mentions(nlp, "云岭研究院青溪分院成立大会在青溪科技园举行。青溪市成立大会战指挥部。")
    assert m.get("云岭研究院青溪分院成立大会") == "Event"
    assert not any(k.endswith("成立大会") and k.startswith("青溪市") for k in m)


def test_a_founding_date_makes_no_founder(nlp) -> None:
    r = relations(nlp, "云岚市光电重点实验室成立于2021年，依托星澜光电研究院建设。")
    assert not any(p == "founded" for _, p, _ in r)


def test_bodies_under_a_group_are_its_parts(nlp) -> None:
    r = relations(nlp, "云岚集团旗下的星澜科技有限公司、云帆科技有限公司相继落户。")
    assert ("星澜科技有限公司", "subOrganizationOf", "云岚集团") in r
    assert ("云帆科技有限公司", "subOrganizationOf", "云岚集团") in r


def test_a_field_after_co_building_is_not_a_noun_compound(nlp) -> None:
    r = relations(nlp, "星澜大学与云帆电子有限公司共建人工智能研究院。")
    assert ("星澜大学", "cofounded", "人工智能研究院") in r


def test_a_class_counted_above_a_rank_is_no_name(nlp) -> None:
    m = mentions(nlp, "全市已建成嘉兴市级以上孵化器11家，省级以上研发中心20家。")
    assert not any("以上" in name for name in m)


def test_a_classifier_and_a_subsidiary_word_open_no_name(nlp) -> None:
    m = mentions(nlp, "云岚资本设立3支母基金，其子公司星澜科技有限公司落户平湖。")
    assert "星澜科技有限公司" in m
    assert not any(name.startswith(("支", "子公司")) for name in m)


@pytest.mark.parametrize(("text", "wanted", "unwanted"), [
    ("云岚县科技局局长江涛出席。", "云岚县科技局", "科技局局"),  # 局长 after the bureau's 局
    ("  本报讯  星澜理工大学云岚研究院近日揭牌。", "星澜理工大学云岚研究院", "本报讯"),
    ("我院星澜电子技术研究院入选。", "星澜电子技术研究院", "我院"),
    ("到年底云岚科创园将建成。", "云岚科创园", "年底"),
    ("云岚科技城地处星澜科创大走廊核心区。", "云岚科技城", "地处"),
    ("作为整体服务提供商星澜机械工程有限公司参与建设。", "星澜机械工程有限公司", "提供商"),
])
def test_words_that_open_no_name(nlp, text: str, wanted: str, unwanted: str) -> None:
    m = mentions(nlp, text)
    assert wanted in m
    assert not any(unwanted in name for name in m)


def test_kinds_of_bodies_are_no_names(nlp) -> None:
    m = mentions(nlp, "打造开放型园区，争创国家级制造业创新中心，设立母基金。")
    assert not [n for n, t in m.items() if t in ("Platform", "ResearchInstitute", "Fund")]


def test_a_committee_after_a_reporter_is_no_body(nlp) -> None:
    m = mentions(nlp, "（星澜日报记者周云岚区委报道组李星辰）昨天上午，会议召开。")
    assert not any(t == "GovernmentBody" for t in m.values())
    assert mentions(nlp, "中共云岚县委召开会议。")  # a division's committee stays


def test_a_places_or_a_zones_industries_name_no_field(rules) -> None:
    m = mentions(rules, "推动示范区产业和云岚技术开发区健康食品产业发展，另有竹编、茶叶等行业。")
    inds = {k for k, t in m.items() if t == "Industry"}
    assert not any("区" in k or k.startswith("另有") for k in inds)
    assert {"竹编", "茶叶"} <= inds


def test_fields_listed_before_directions(rules) -> None:
    m = mentions(rules, "围绕竹编制造、珍珠养殖等重点方向发力，明确研发方向。")
    inds = {k for k, t in m.items() if t == "Industry"}
    assert {"竹编制造", "珍珠养殖"} <= inds
    assert not any("研发" in k for k in inds)


def test_a_firms_two_character_name_that_is_a_common_word(nlp) -> None:
    m = mentions(nlp, "此次合作由春风资本与磐石控股共同发起，引导社会资本和重磅资本投入。")
    assert m.get("春风资本") == "FinancialInstitution"
    assert m.get("磐石控股") == "Enterprise"
    assert "社会资本" not in m and "重磅资本" not in m


def test_a_kind_of_strategy_or_project_is_no_programme(rules) -> None:
    m = mentions(rules, "落实国家战略和新一轮发展战略，推进生物工程和重大工程，实施云岚精英计划。")
    progs = {k for k, t in m.items() if t == "Program"}
    assert progs == {"云岚精英计划"}


def test_a_platform_word_after_generic_words_only_is_a_kind(rules) -> None:
    m = mentions(rules, "建设人才飞地和国有产业园，打造区域公共创新服务平台，"
                        "新增一省级产业创新服务综合体，并与云岚飞地合作。")
    plats = {k for k, t in m.items() if t == "Platform"}
    assert plats == {"云岚飞地"}


def test_a_range_of_grades_and_a_bare_event_word_are_no_names(rules) -> None:
    m = mentions(rules, "在本次大赛路演现场，荣获三等奖及以上奖项的项目将获得奖励。")
    assert not [k for k, t in m.items() if t in ("Event", "Award")]
    m = mentions(rules, "云岚创业大赛路演在杭州举行。")
    assert m.get("云岚创业大赛路演") == "Event"


def test_science_awards_of_the_state_and_of_a_province(rules) -> None:
    m = mentions(rules, "包括国家科技进步奖一等奖1项，浙江省科学技术奖是最高奖项，"
                        "不是2023年度浙江省科学技术奖励大会。")
    awards = {k for k, t in m.items() if t == "Award"}
    assert {"国家科技进步奖一等奖", "浙江省科学技术奖"} <= awards
    assert not any(k.endswith("奖励") for k in awards)


def test_a_one_character_unit_word_needs_a_name_before_it(rules) -> None:
    m = mentions(rules, "云岚县科技局科创中心主任王明出席，云岚县科技局综合科科长李华介绍。")
    assert "云岚县科技局科" not in m
    assert m.get("云岚县科技局综合科") == "GovernmentBody"
