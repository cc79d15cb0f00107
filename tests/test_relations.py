"""Relation rules of kg/extract/relations.py that are not covered by tests/test_extract.py.
Invented names."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def rules_nlp():
    from kg.extract import build_nlp

    return build_nlp(tagger=False)


def _page(nlp, text: str):
    """The extraction of a page of ``text`` (its first line a date), with its article-level
    passes (anaphora resolved across sentences)."""
    from kg.extract.pipeline import extract_page
    from kg.ingest import ingest_text

    return extract_page(ingest_text("p.txt", text), nlp)


def test_news_staff_hold_a_post_at_the_medium_named_in_their_line(rules_nlp) -> None:
    doc = rules_nlp("甲乙日报报业集团主办 编辑：王明远 记者：李晓红")
    posts = {(r.s, r.o, dict(r.qualifiers).get("role")) for r in doc._.kg_relations
             if r.p == "holdsPost"}
    assert posts == {("王明远", "甲乙日报报业集团", "编辑"), ("李晓红", "甲乙日报报业集团", "记者")}
    alone = rules_nlp("编辑：王明远 记者：李晓红")  # no medium named: no post
    assert not [r for r in alone._.kg_relations if r.p == "holdsPost"]


def test_news_staff_are_marked_and_left_out_of_the_actor_graph(tmp_path) -> None:
    from kg.analysis import project
    from kg.build import build_graph, extract_corpus
    from kg.store import memory_store

    (tmp_path / "p.txt").write_text(
        "2023年3月22日 星期三 编辑/王明远 版式/李晓红\n\n标题\n\n"
        "甲乙市科技局局长张海峰与丙丁大学签订合作协议。\n", encoding="utf-8")
    result = build_graph(extract_corpus([tmp_path]))
    staff = [ln for ln in result.nquads.splitlines() if "newsStaff" in ln]
    assert len(staff) == 2 and all('"true"' in ln for ln in staff)
    labels = {d["label"] for _, d in project(memory_store(result.nquads)).nodes(data=True)}
    assert "张海峰" in labels and "王明远" not in labels and "李晓红" not in labels


# ------------------------------------------------------------------------------ investments


@pytest.fixture(scope="module")
def rules_only():
    from kg.extract import build_nlp

    return build_nlp(tagger=False, relation_model=False)


def _investments(nlp, text: str) -> set[tuple[str, str, bool]]:
    return {(r.s, r.o, r.literal) for r in nlp(text)._.kg_relations if r.p == "investedIn"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A投资B
        ("甲乙产业基金投资了丙丁科技有限公司。", {("甲乙产业基金", "丙丁科技有限公司")}),
        # A入股B
        ("甲乙控股集团入股丙丁产业基金。", {("甲乙控股集团", "丙丁产业基金")}),
        # B获得A(N万元)(X轮)投资
        ("丙丁科技有限公司获得甲乙产业基金1000万元A轮投资。",
         {("甲乙产业基金", "丙丁科技有限公司")}),
        # B完成…融资，由A领投
        ("丙丁科技有限公司完成5000万元Pre-A轮融资，由甲乙投资管理有限公司领投。",
         {("甲乙投资管理有限公司", "丙丁科技有限公司")}),
    ],
)
def test_investment_patterns(rules_only, text: str, expected: set[tuple[str, str]]) -> None:
    assert {(s, o) for s, o, _ in _investments(rules_only, text)} == expected


def test_investment_words_that_are_nouns_or_plans_give_nothing(rules_only) -> None:
    for text in ("甲乙科技有限公司计划投资1亿元建设新厂。",
                 "项目总投资5亿元，丙丁科技有限公司为业主。",
                 "甲乙科技有限公司解决了丙丁产业基金融资难的问题。",
                 "甲乙科技有限公司与丙丁产业基金举办投融资对接会。"):
        assert not _investments(rules_only, text), text


def test_investment_in_a_described_group_is_a_literal(rules_only) -> None:
    """对优质的某某项目进行投资 / 已投资N个项目: the investee is the group as printed."""
    got = _investments(rules_only,
                       "建立规模达3亿元的甲乙产业母基金，对优质的校友创业项目进行定向投资。")
    assert got == {("甲乙产业母基金", "校友创业项目", True)}
    got = _investments(rules_only, "丙丁产业基金已投资了12个科创项目。")
    assert got == {("丙丁产业基金", "12个科创项目", True)}


def test_fund_partners_invest_in_the_fund(rules_only) -> None:
    got = _investments(rules_only,
                       "在甲乙产业基金的助力下，引进基金合伙人——芯片设计企业丙丁微电子有限公司。")
    assert got == {("丙丁微电子有限公司", "甲乙产业基金", False)}
    got = _investments(rules_only, "丙丁微电子有限公司成为甲乙产业基金的有限合伙人。")
    assert got == {("丙丁微电子有限公司", "甲乙产业基金", False)}


def test_investments_carry_amount_round_and_time(tmp_path) -> None:
    """The extraction record carries what the sentence states: the amount in yuan, the round
    and the year, found while extracting (the RDF writer only copies them)."""
    from kg.build import extract_corpus

    (tmp_path / "p.txt").write_text(
        "标题\n\n2022年3月，丙丁科技有限公司获得甲乙产业基金1000万元A轮投资，预计2025年投产。\n",
        encoding="utf-8")
    rels = [r for ex in extract_corpus([tmp_path]).extractions for r in ex.relations
            if r.p == "investedIn"]
    assert len(rels) == 1
    q = rels[0].qualifiers
    assert ("amount", "10000000") in q and ("amount_text", "1000万元") in q
    assert ("round", "A") in q
    assert ("year", "2022") in q and ("month", "3") in q and ("time", "stated") in q


# ----------------------------------------------------------------------------- key figures


def _metrics(nlp, text: str) -> set[tuple[str, str]]:
    return {(r.s, r.o) for r in nlp(text)._.kg_relations if r.p == "metric"}


def test_a_key_figure_belongs_to_the_name_its_clause_opens_with(rules_nlp) -> None:
    """The figure is the group of clauses after the name, without the name; a later clause
    that opens with another name starts that name's figure."""
    got = _metrics(rules_nlp, "去年甲乙科技有限公司营业收入3900万元，同比增长20%，"
                              "丙丁研究院引进博士12名。")
    assert got == {("甲乙科技有限公司", "去年营业收入3900万元，同比增长20%"),
                   ("丙丁研究院", "引进博士12名")}
    # 我市 before a noun (我市新增企业…) still opens its clause
    assert _metrics(rules_nlp, "今年我市新增入库企业15家。") == {("平湖市", "今年新增入库企业15家")}


def test_numbers_that_are_no_key_figure_of_a_name(rules_nlp) -> None:
    for text in (
        "目前已开展招引活动20余次。",  # no name in the sentence: not the passage's subject's
        "举办甲乙产业对接会，促成6家企业签约。",  # the name follows a verb: no subject
        "甲乙科技有限公司、丙丁大学等12家单位参加。",  # the first of a list
        "甲乙科技局第5次修订管理办法。",  # an ordinal
        "甲乙科技局积极推进改革，优化服务流程，完善考核机制，设立了3个专班。",  # far down
    ):
        assert not _metrics(rules_nlp, text), text


def test_the_example_is_what_the_next_clauses_are_about(rules_nlp) -> None:
    got = _metrics(rules_nlp, "甲乙研究院服务本地企业，以丙丁科技有限公司为例，每周来院测试2-3次。")
    assert got == {("丙丁科技有限公司", "每周来院测试2-3次")}


def test_both_parties_are_the_last_two_that_signed(tmp_path) -> None:
    """双方共同设立X: the two parties the passage last named as signing co-found X (and, having
    signed to, co-found it together); with no such pair before, nothing is said."""
    from kg.build import extract_corpus

    (tmp_path / "p.txt").write_text(
        "2024年5月8日 星期三\n\n标题\n\n"
        "2020年，我市与丙丁大学签订战略合作协议。2021年，双方共同设立丙丁大学平湖创新中心。\n",
        encoding="utf-8")
    (tmp_path / "q.txt").write_text(
        "2024年5月9日 星期四\n\n标题\n\n双方共同设立戊己研究中心。\n", encoding="utf-8")
    rels = {(r.s, r.p, r.o, ex.page.name) for ex in extract_corpus([tmp_path]).extractions
            for r in ex.relations if r.p == "cofounded"}
    assert {(s, o) for s, _, o, page in rels if page == "p.txt"} == {
        ("平湖市", "丙丁大学平湖创新中心"), ("丙丁大学", "丙丁大学平湖创新中心"),
        ("平湖市", "丙丁大学")}
    assert not [r for r in rels if r[3] == "q.txt"]


def test_posts_in_the_speakers_own_body(tmp_path) -> None:
    """我校党委书记A、副校长B / 我院院长C: posts in the page's own university or institute
    (我校 and 我院 are that body, as 该院 is the one just named)."""
    from kg.build import extract_corpus

    (tmp_path / "u.txt").write_text(
        "甲乙大学新闻\n\n甲乙大学与丙丁区签署协议。我校党委书记邬明远、副校长吴晓岚出席仪式。\n",
        encoding="utf-8")
    (tmp_path / "i.txt").write_text(
        "丙丁研究院动态\n\n戊己区管委会副主任季雨霏来我院考察。我院院长冉松年陪同。\n",
        encoding="utf-8")
    posts = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
             for r in ex.relations if r.p == "holdsPost"}
    assert {("邬明远", "甲乙大学"), ("吴晓岚", "甲乙大学"), ("冉松年", "丙丁研究院")} <= posts
    assert ("季雨霏", "丙丁研究院") not in posts


def test_a_bare_class_noun_before_a_title_is_the_body_last_named_so(tmp_path) -> None:
    """，公司总经理A说 / 管委会副主任B: the post is in the company, or the 管委会, the passage last
    named (not in the last government body of any kind)."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "甲乙科技有限公司扩产\n\n甲乙科技有限公司新厂房投产。公司总经理邬明远说，产值将翻番。\n",
        encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "签约\n\n丙丁区管委会与戊己大学签约。云溪市委常委季雨霏、管委会副主任冉松年出席。\n",
        encoding="utf-8")
    posts = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
             for r in ex.relations if r.p == "holdsPost"}
    assert ("邬明远", "甲乙科技有限公司") in posts
    assert ("冉松年", "丙丁区管委会") in posts


def test_founding_together_after_a_signing_is_cofounding(tmp_path) -> None:
    """A与B举行签约仪式，合作建立C: both co-found C (合作建立, 合作建设, 共同建设 are 共同建立's
    synonyms), and, having signed to, co-found it together."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "签约\n\n2月3日，甲乙区管委会与丙丁大学举行签约仪式，合作建立戊己储能研究院。\n",
        encoding="utf-8")
    got = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
           for r in ex.relations if r.p == "cofounded"}
    assert got == {("甲乙区管委会", "戊己储能研究院"), ("丙丁大学", "戊己储能研究院"),
                   ("甲乙区管委会", "丙丁大学")}


def test_the_organisers_of_this_event_take_part_in_it(tmp_path) -> None:
    """本次活动由A与B联合主办，C承办，是某年会的重点活动之一: A, B and C take part in the article's
    event, not in the annual meeting it belongs to."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "云溪创新大赛举行\n\n5月6日，云溪创新大赛在云溪举行。本次活动由甲乙市人民政府与丙丁大学联合"
        "主办，戊己区人民政府承办，是第五届云溪科技年会的重点活动之一。\n", encoding="utf-8")
    got = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
           for r in ex.relations if r.p == "participatedIn"}
    assert {("甲乙市人民政府", "云溪创新大赛"), ("丙丁大学", "云溪创新大赛"),
            ("戊己区人民政府", "云溪创新大赛")} <= got
    assert not any(o == "第五届云溪科技年会" for _, o in got)


def test_who_acts_at_the_event_takes_part_in_it(tmp_path) -> None:
    """会上，A与B签订…: in a sentence set at the article's event, the bodies and people who act
    take part in it."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "云溪科创大会召开\n\n5月6日，甲乙区召开云溪科创大会。会上，甲乙区人民政府与丙丁大学、"
        "戊己科技有限公司签订合作协议。\n", encoding="utf-8")
    got = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
           for r in ex.relations if r.p == "participatedIn"}
    assert {("甲乙区人民政府", "云溪科创大会"), ("丙丁大学", "云溪科创大会"),
            ("戊己科技有限公司", "云溪科创大会")} <= got


def test_attendance_takes_the_event_just_named_when_the_headline_names_none(tmp_path) -> None:
    """A headline without an event: 出席仪式 takes the event named in the sentences before."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "甲乙区与丙丁大学签署协议\n\n一\n\n二\n\n5月6日下午，甲乙区与丙丁大学共建云溪研究院签约仪式"
        "在甲乙区举行。区委书记王大明、丙丁大学副校长李小红出席仪式。区长张东、丙丁大学校长赵西"
        "分别代表双方签署协议。\n", encoding="utf-8")
    got = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
           for r in ex.relations if r.p == "participatedIn"}
    assert {("王大明", "甲乙区与丙丁大学共建云溪研究院签约仪式"),
            ("李小红", "甲乙区与丙丁大学共建云溪研究院签约仪式")} <= got or {
        ("王大明", "共建云溪研究院签约仪式"), ("李小红", "共建云溪研究院签约仪式")} <= got, got
    assert {s for s, _ in got} >= {"张东", "赵西"}  # 代表双方签署: they sign at the event


def test_a_founder_named_inside_what_it_founds_is_not_its_parent(tmp_path) -> None:
    """某大学与某市共建某大学某地研究院: the university co-founds the institute; the nested
    name makes it no parent in the same article."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "共建研究院\n\n甲乙市人民政府与云溪大学共建云溪大学甲乙研究院。\n", encoding="utf-8")
    rels = {(r.s, r.p, r.o) for ex in extract_corpus([tmp_path]).extractions
            for r in ex.relations}
    assert ("云溪大学", "cofounded", "云溪大学甲乙研究院") in rels, rels
    assert ("云溪大学甲乙研究院", "subOrganizationOf", "云溪大学") not in rels
    (tmp_path / "a.txt").write_text(
        "研究院\n\n云溪大学甲乙研究院发布成果。\n", encoding="utf-8")
    rels = {(r.s, r.p, r.o) for ex in extract_corpus([tmp_path]).extractions
            for r in ex.relations}
    assert ("云溪大学甲乙研究院", "subOrganizationOf", "云溪大学") in rels, rels


def test_a_body_and_its_well_known_short_form_have_no_relation(tmp_path) -> None:
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "甲乙创新中心\n\n除此以外，依托清华大学相关院系和甲乙智库中心等资源，常态化深度对接清华"
        "校内外专家教授、研究院及海内外校友资源，在技术转化、联合攻关等方面开展合作。\n",
        encoding="utf-8")
    rels = [r for ex in extract_corpus([tmp_path]).extractions for r in ex.relations]
    assert not any({r.s, r.o} <= {"清华", "清华大学"} for r in rels), rels


def test_a_listed_body_named_with_its_own_place_does_not_share_the_parent(rules_nlp) -> None:
    doc = rules_nlp("云溪大学未来食品实验室和嘉善云岭研究院签约，云溪大学化学系和物理系参加。")
    subs = {(r.s, r.o) for r in doc._.kg_relations if r.p == "subOrganizationOf"}
    assert ("嘉善云岭研究院", "云溪大学") not in subs, subs


def test_our_school_before_the_article_names_it_is_the_school_it_names(tmp_path) -> None:
    """我校与某区签署协议 in a university's own report, whose name comes later."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "我校与甲乙经济技术开发区签署协议\n\n3月20日，我校与甲乙经济技术开发区签署合作协议。"
        "云溪学院校长王大明出席。\n", encoding="utf-8")
    rels = {(r.s, r.p, r.o) for ex in extract_corpus([tmp_path]).extractions
            for r in ex.relations}
    assert ("云溪学院", "signedAgreementWith", "甲乙经济技术开发区") in rels, rels


def test_bodies_that_attend_the_event_take_part_in_it(tmp_path) -> None:
    """A、B等单位参加活动 / 来自A、B的专家参加了对接会: the bodies named before a verb of
    attending take part in the article's event; an official's body in a post does not."""
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "甲乙科技成果对接会举行\n\n5月6日，甲乙科技成果对接会在甲乙举行。"
        "丙丁大学、戊己科技有限公司等单位参加活动。来自庚辛研究院的专家参加了对接会。"
        "市委常委、组织部长王大明出席。\n", encoding="utf-8")
    got = {(r.s, r.o) for ex in extract_corpus([tmp_path]).extractions
           for r in ex.relations if r.p == "participatedIn"}
    ev = "甲乙科技成果对接会"
    assert {("丙丁大学", ev), ("戊己科技有限公司", ev), ("庚辛研究院", ev), ("王大明", ev)} <= got
    assert not any(s in ("市委", "组织部") for s, _ in got), got


def test_who_convenes_or_runs_an_event_takes_part_in_it(rules_nlp) -> None:
    doc = rules_nlp("5月24日，甲乙市科技局召开甲乙科技工作座谈会，丙丁研究院开展云溪主题沙龙活动。")
    got = {(r.s, r.o) for r in doc._.kg_relations if r.p == "participatedIn"}
    assert {("甲乙市科技局", "甲乙科技工作座谈会"), ("丙丁研究院", "云溪主题沙龙活动")} <= got, got


def test_founders_after_you_and_depending_on(rules_nlp) -> None:
    """该基金由A与B牵头发起 / X依托A和B联合而建: A and B co-found it."""
    doc = rules_nlp("甲乙产业基金由丙丁集团与戊己资本牵头发起。")
    got = {(r.s, r.o) for r in doc._.kg_relations if r.p == "cofounded"}
    assert got == {("丙丁集团", "甲乙产业基金"), ("戊己资本", "甲乙产业基金")}
    doc = rules_nlp("甲乙光电重点实验室依托丙丁研究院和戊己光电有限公司联合而建。")
    got = {(r.s, r.o) for r in doc._.kg_relations if r.p == "cofounded"}
    assert got == {("丙丁研究院", "甲乙光电重点实验室"), ("戊己光电有限公司", "甲乙光电重点实验室")}


def test_a_joint_units_named_partner_founds_it_and_is_not_its_parent(rules_nlp) -> None:
    doc = rules_nlp("丙丁大学—戊己微波技术联合实验室签约仪式举行。")
    rels = {(r.s, r.p, r.o) for r in doc._.kg_relations}
    assert ("丙丁大学", "cofounded", "丙丁大学—戊己微波技术联合实验室") in rels
    assert not any(p == "subOrganizationOf" for _, p, _ in rels)


def test_another_citys_committee_and_mayor_named_in_the_title(rules_nlp) -> None:
    """某地市委书记A: the committee the title's first words name; 某地市委副书记、市长B: the
    mayor of 某地市, not of the home city."""
    doc = rules_nlp("青溪市委书记邬明远，青溪市委副书记、市长陶岚出席。")
    posts = {(r.s, r.o) for r in doc._.kg_relations if r.p == "holdsPost"}
    assert ("邬明远", "青溪市委") in posts
    assert ("陶岚", "青溪市人民政府") in posts
    assert not any(o.startswith("平湖") for _, o in posts)


def test_issuing_founds_a_policy_not_a_body_and_an_investment_trade_is_no_investment(
    rules_nlp,
) -> None:
    doc = rules_nlp("青溪创投发布公告称，星岚股权投资合伙企业已完成备案。")
    assert not [r for r in doc._.kg_relations if r.p == "founded"]
    doc = rules_nlp("青溪市人民政府发布《星岚人才新政》。")
    assert {(r.s, r.o) for r in doc._.kg_relations if r.p == "founded"} == {
        ("青溪市人民政府", "《星岚人才新政》")}
    doc = rules_nlp("星岚基金联盟由青溪产业基金联合20家中国股权投资行业的头部机构共同成立。")
    assert not [r for r in doc._.kg_relations if r.p == "investedIn"]


def test_a_reporter_in_a_byline_takes_part_in_nothing_and_a_venue_is_no_partner(tmp_path) -> None:
    from kg.build import extract_corpus

    (tmp_path / "a.txt").write_text(
        "签约\n\n本报讯(通讯员 邬明远)7月14日，青溪市人民政府与云岭大学在云岭大学星岚校区举行"
        "全面战略合作协议签约仪式。\n", encoding="utf-8")
    rels = {(r.s, r.p, r.o) for ex in extract_corpus([tmp_path]).extractions
            for r in ex.relations}
    assert not any("邬明远" in (s, o) for s, _, o in rels)
    assert ("青溪市人民政府", "cooperatesWith", "云岭大学") in rels
    assert not any(o == "云岭大学星岚校区" and p == "cooperatesWith" for _, p, o in rels)


def test_a_department_head_in_a_county_committees_chain(rules_nlp) -> None:
    doc = rules_nlp("县委常委、组织部长邬明远陪同调研。")
    posts = {(r.s, r.o) for r in doc._.kg_relations if r.p == "holdsPost"}
    assert ("邬明远", "县委组织部") in posts and ("邬明远", "市委组织部") not in posts


def test_a_bare_class_noun_refers_to_the_body_last_named_with_it(rules_nlp) -> None:
    text = ("2024年3月1日\n云岚市光电重点实验室依托星澜光电研究院建设。\n"
            "实验室下设的云帆检测公共服务平台已成为国内同类平台中的代表。\n")
    ex = _page(rules_nlp, text)
    subs = {(r.s, r.o) for r in ex.relations if r.p == "subOrganizationOf"}
    assert ("云帆检测公共服务平台", "云岚市光电重点实验室") in subs


def test_a_place_that_qualifies_counted_bodies_is_no_party(rules_nlp) -> None:
    doc = rules_nlp("云岚基金联盟由云岚产业基金、星澜资本联合20家中国股权投资机构共同成立。")
    rels = {(r.s, r.p, r.o) for r in doc._.kg_relations}
    assert ("云岚产业基金", "cofounded", "云岚基金联盟") in rels
    assert not any("中国" in (s, o) for s, p, o in rels
                   if p in ("cofounded", "cooperatesWith", "signedAgreementWith"))


def test_a_bare_body_before_any_is_named_is_the_first_named_with_its_noun(rules_nlp) -> None:
    text = ("2024年3月1日\n研究院理事长王明远介绍了云岚光电重点实验室的建设情况。\n"
            "云岚光电重点实验室依托星澜光电研究院建设。\n")
    ex = _page(rules_nlp, text)
    posts = {(r.s, r.o) for r in ex.relations if r.p == "holdsPost"}
    assert ("王明远", "星澜光电研究院") in posts


@pytest.mark.parametrize(("text", "parties", "event"), [
    ("据悉，云帆食品有限公司和云岚镇于第四届云岚农业洽谈会上签约。",
     {"云帆食品有限公司", "云岚镇"}, "第四届云岚农业洽谈会"),
    ("星澜学院与云岚经济技术开发区共建创新研究院签约仪式在市会展中心举行。",
     {"星澜学院", "云岚经济技术开发区"}, "共建创新研究院签约仪式"),
])
def test_who_signs_at_an_event_or_names_it_takes_part(rules_nlp, text, parties, event) -> None:
    doc = rules_nlp(text)
    got = {r.s for r in doc._.kg_relations if r.p == "participatedIn" and r.o == event}
    assert got == parties


def test_one_body_before_an_events_name_only_qualifies_it(rules_nlp) -> None:
    doc = rules_nlp("云帆公司年会在杭州举行。")
    assert not [r for r in doc._.kg_relations if r.p == "participatedIn"]


def test_bodies_that_speak_at_the_articles_event_take_part(rules_nlp) -> None:
    text = ("2024年3月1日\n云岚科创走廊建设推进大会召开\n"
            "云帆电子股份有限公司、星澜大学作为嘉宾代表致辞\n")
    ex = _page(rules_nlp, text)
    got = {r.s for r in ex.relations if r.p == "participatedIn"}
    assert {"云帆电子股份有限公司", "星澜大学"} <= got


def test_co_building_under_an_agreement_co_founds_the_body_it_names(rules_nlp) -> None:
    doc = rules_nlp("会上，云岚区政府与星澜控股股份有限公司签订了共建云岚科创走廊合作协议。")
    co = {(r.s, r.o) for r in doc._.kg_relations if r.p == "cofounded"}
    assert ("云岚区政府", "云岚科创走廊") in co
    assert not any(o.endswith("协议") for _, o in co)


@pytest.mark.parametrize("text", [
    "这就是地处杭州北郊的星澜科技城。",
    "星澜科技城地处云岚科创大走廊，是省级特色平台。",
])
def test_lying_in_a_place_is_being_located_there(rules_nlp, text) -> None:
    doc = rules_nlp(text)
    assert any(r.p == "locatedIn" and r.s == "星澜科技城" for r in doc._.kg_relations)


def test_a_country_or_region_after_a_county_is_not_inside_it(rules_nlp) -> None:
    doc = rules_nlp("项目落户海盐中国星澜城，目光放在海宁西部，也在浙江嘉兴。")
    located = {(r.s, r.o) for r in doc._.kg_relations if r.p == "locatedIn"}
    assert ("中国", "海盐") not in located and ("西部", "海宁") not in located
    assert ("嘉兴", "浙江") in located


def test_a_science_award_the_sentence_defines_has_no_winner(rules_nlp) -> None:
    doc = rules_nlp("据悉，浙江省科学技术奖是浙江省科技领域的最高奖项。")
    assert not [r for r in doc._.kg_relations if r.p == "hasAward"]
    doc = rules_nlp("云帆科技有限公司获得国家技术发明奖二等奖。")
    assert ("云帆科技有限公司", "hasAward", "国家技术发明奖二等奖") in {
        (r.s, r.p, r.o) for r in doc._.kg_relations}
