"""Resolution rules on small inline pages."""

from __future__ import annotations

from kg.build import extract_corpus, resolve_corpus


def _resolve(tmp_path, pages: dict[str, str]):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return resolve_corpus(extract_corpus([tmp_path]))


def _by_name(res, name):
    return [e for e in res.entities.values() if e.name == name or name in e.aliases]


def test_home_city_body_and_other_city_body(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n平湖市科技局组织企业申报项目。市科技局局长王明说。"
            "嘉兴市科技局也参加。\n",
        },
    )
    home = _by_name(res, "市科技局")
    assert len(home) == 1 and "平湖市科技局" in {home[0].name, *home[0].aliases}
    other = _by_name(res, "嘉兴市科技局")
    assert other and other[0].key != home[0].key


def test_declared_alias_and_trade_name(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n嘉兴云帆智能科技有限公司（以下简称“云帆智能”）落户平湖。\n",
            "b.txt": "标题二\n\n云帆获得支持。今年云帆智能营收增长。\n",
        },
    )
    ent = _by_name(res, "嘉兴云帆智能科技有限公司")
    assert len(ent) == 1
    assert "云帆智能" in ent[0].aliases
    arts = {m.article for m in ent[0].mentions}
    assert any(a.startswith("b-") for a in arts)
    assert any(rule == "declared-alias" for _, rule in ent[0].merged_by)


def test_place_prefix_merge(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n浙江明远长三角研究院在平湖设立基地。明远长三角研究院表示支持。\n",
        },
    )
    ents = _by_name(res, "浙江明远长三角研究院")
    assert len(ents) == 1 and "明远长三角研究院" in ents[0].aliases


def test_same_named_people_in_unrelated_bodies_stay_apart(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n市财政局局长王明说，今年工作顺利。\n",
            "b.txt": "标题二\n\n嘉兴市教育局局长王明介绍了情况。\n",
        },
    )
    people = [e for e in res.entities.values() if e.type == "Person" and e.name == "王明"]
    assert len(people) == 2
    assert all(any(r.startswith("namesake-split") for _, r in p.merged_by) for p in people)


def test_same_person_same_body_across_articles_is_one(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n市财政局局长王明说，今年工作顺利。\n",
            "b.txt": "标题二\n\n市财政局局长王明介绍了情况。\n",
        },
    )
    people = [e for e in res.entities.values() if e.type == "Person" and e.name == "王明"]
    assert len(people) == 1 and len({m.article for m in people[0].mentions}) == 2


def test_short_form_within_a_page_and_its_limits(tmp_path) -> None:
    """A tail of exactly one longer name of the same type on a page is that name (and so are
    its mentions elsewhere); when two longer names on the page end with it, it stays apart."""
    one = _resolve(
        tmp_path / "one",
        {
            "a.txt": "标题\n\n浙江星河长三角研究院嘉善研究中心揭牌。嘉善研究中心将开展合作。\n",
            "b.txt": "标题二\n\n嘉善研究中心举办活动。\n",
        },
    )
    long = _by_name(one, "浙江星河长三角研究院嘉善研究中心")
    assert len(long) == 1 and ("嘉善研究中心", "short-form") in long[0].merged_by
    assert {m.article for m in long[0].mentions} == {"a-a00", "b-a00"}
    assert not [e for e in one.entities.values() if e.name == "嘉善研究中心"]
    two = _resolve(
        tmp_path / "two",
        {
            "a.txt": "标题\n\n浙江星河长三角研究院嘉善研究中心揭牌。上海云海研究院嘉善研究中心"
            "也成立。嘉善研究中心将开展合作。\n",
        },
    )
    assert [e.name for e in two.entities.values() if e.name == "嘉善研究中心"]
    assert not any(r == "short-form" for e in two.entities.values() for _, r in e.merged_by)


def test_resolution_is_linear_in_the_mentions_of_one_file() -> None:
    """#17 (7): one file of many mentions resolved in time linear in their number (was
    quadratic: every short-name declaration scanned every mention, every short form every
    name). Four times the mentions may take at most about ten times as long."""
    import time

    from bench.corpus import one_file_of_mentions
    from kg.build import Corpus
    from kg.extract.lexicon import Lexicon

    lex = Lexicon.load()

    def cost(n: int) -> float:
        best = float("inf")
        for _ in range(3):
            corpus = Corpus(extractions=[one_file_of_mentions(n)])
            t = time.process_time()
            res = resolve_corpus(corpus, lex)
            best = min(best, time.process_time() - t)
        assert len(res.entities) >= n  # the work was done
        return best

    cost(100)  # warm the memos and the lexicon's compiled patterns
    small, large = cost(700), cost(2800)  # 2,100 and 8,400 mentions
    # linear: about 4×; the quadratic code took 14× (a busy machine adds noise, not 2.5×)
    assert large / small < 10, f"{large:.2f} s for 4× the mentions of {small:.2f} s"


def test_a_place_that_acts_is_its_government_in_the_graph(tmp_path) -> None:
    """我市 / a city's name that signs, co-founds or cooperates: the extraction records keep the
    place (as the annotations do); the graph's actor is its government body (made when no
    mention names it), with the place as the fact's scope and the body's jurisdiction."""
    from kg.build import build_graph
    from kg.store import memory_store, run_query

    pages = {
        "a.txt": "某地新闻标题\n\n近日，我市与甲乙大学签署战略合作协议。\n\n"
        "龙泉市与浙江丙丁研究院签订合作协议。\n\n古山镇与戊己科技有限公司签订投资协议。\n",
    }
    res = _resolve(tmp_path / "in", pages)
    facts = {(res.entities[r.s].name, r.p, res.entities[r.o].name): dict(r.qualifiers)
             for r in res.relations}
    assert ("平湖市", "signedAgreementWith", "甲乙大学") in facts  # the record names the place
    bodies = {res.entities[q["s_actor"]].name for q in facts.values() if "s_actor" in q}
    assert bodies == {"平湖市人民政府", "龙泉市人民政府", "古山镇人民政府"}
    assert all(res.entities[k].type == "GovernmentBody"
               for q in facts.values() for k in q.values() if k in res.entities)

    build = build_graph(extract_corpus([tmp_path / "in"]))
    assert build.conforms, build.validation_text[:2000]
    store = memory_store(build.nquads)
    acted = run_query(store, """SELECT ?who ?place WHERE {
        ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate kg:signedAgreementWith ;
           kg:scope ?p . ?s rdfs:label ?who . ?p rdfs:label ?place .
        ?s kg:jurisdiction ?p ; kg:signedAgreementWith ?o }""").rows
    assert {tuple(r) for r in acted} == {("平湖市人民政府", "平湖市"), ("龙泉市人民政府", "龙泉市"),
                                         ("古山镇人民政府", "古山镇")}
    places = run_query(store, """SELECT ?a WHERE { ?a rdf:subject|rdf:object ?p .
        ?p a kg:Place }""").rows
    assert not places


def test_a_place_is_still_the_scope_of_what_it_does_not_do(tmp_path) -> None:
    """Location, industries and key figures stay with the place; 某市政府 is 某市人民政府."""
    res = _resolve(tmp_path, {"a.txt": "某地新闻标题\n\n甲乙科技有限公司落户龙泉市。\n\n"
                              "永康市政府与丙丁大学签订合作协议。永康市人民政府表示支持。\n"})
    located = [r for r in res.relations if r.p == "locatedIn"]
    assert located and all("s_actor" not in dict(r.qualifiers) for r in located)
    gov = _by_name(res, "永康市人民政府")
    assert len(gov) == 1 and "永康市政府" in gov[0].aliases
    assert ("永康市政府", "government-name") in gov[0].merged_by


def test_places_that_are_no_division_have_no_government() -> None:
    from kg.extract.lexicon import Lexicon
    from kg.model import Entity
    from kg.resolve import Resolver

    r = Resolver(Lexicon.load())
    assert r.division_name(Entity("永康", "永康", "Place")) == "永康市"
    assert r.division_name(Entity("金华市永康市", "金华市永康市", "Place")) == "金华市永康市"
    assert r.division_name(Entity("西城街道", "西城街道", "Place")) == "西城街道"
    assert r.division_name(Entity("长三角", "长三角", "Place")) == ""
    assert r.division_name(Entity("中国", "中国", "Place")) == ""


def test_a_government_after_its_citys_committee_is_that_citys(tmp_path) -> None:
    """某市委、市政府: the 市政府 printed after another city's committee is that city's
    government, not the home city's; the page's other 市政府 stay the home city's."""
    from kg.build import extract_corpus, resolve_corpus

    (tmp_path / "p.txt").write_text(
        "2024年5月8日 星期三\n\n标题\n\n我市根据湖州市委、市政府的要求开展工作。\n"
        "市政府召开常务会议。\n", encoding="utf-8")
    res = resolve_corpus(extract_corpus([tmp_path]))
    govs = {e.name for e in res.entities.values() if e.type == "GovernmentBody"}
    assert "湖州市人民政府" in govs
    assert any(n in govs for n in ("市人民政府", "平湖市人民政府"))


def test_general_name_equivalences_of_government_bodies() -> None:
    """科学技术厅 = 科技厅, 某地科技局 = 某地市科技局, 上海某区科委 = 某区科委, 二十三所 = 23所."""
    from kg.extract.lexicon import Lexicon
    from kg.resolve import Resolver

    r = Resolver(Lexicon.load())
    key = lambda name, typ="GovernmentBody": r.key_of(name, typ)[0]  # noqa: E731
    assert key("湖南省科学技术厅") == key("湖南省科技厅")
    assert key("湖州科技局") == key("湖州市科技局")
    assert key("上海闵行区科委") == key("闵行区科委")
    assert key("湖州市科技局") != key("吴兴区科技局")  # a district's body is another body
    assert key("甲乙集团二十三所", "ResearchInstitute") == key("甲乙集团23所", "ResearchInstitute")


def test_a_companys_short_name_is_its_one_registered_name(tmp_path) -> None:
    res = _resolve(tmp_path, {
        "a.txt": "甲乙新材料科技股份有限公司在平湖投产。\n",
        "b.txt": "平湖的甲乙新材料、丙丁电子等企业参加活动。\n",
    })
    firms = _by_name(res, "甲乙新材料科技股份有限公司")
    assert len(firms) == 1 and "甲乙新材料" in firms[0].aliases


def test_relative_names_in_a_page_about_another_city_are_that_citys(tmp_path) -> None:
    """市委 in a page that never names the home city but names another city is that city's
    committee: not merged with the home city's 市委 of another page."""
    res = _resolve(tmp_path, {
        "home.txt": "平湖市委召开会议。市委书记出席。\n",
        "other.txt": "湖州市召开大会，市委书记出席。湖州市各部门参加。\n",
    })
    committees = [e for e in res.entities.values() if e.type == "GovernmentBody"
                  and e.name in ("市委", "平湖市委", "湖州市委")]
    pages = [{m.article.split("-")[0] for m in e.mentions} for e in committees]
    assert len(committees) == 2 and all(len(p) == 1 for p in pages)
    assert {e.name for e in committees} == {"平湖市委", "湖州市委"}


def test_relative_names_of_a_county_page_stay_the_pages_own(tmp_path) -> None:
    """市委 in a page about a district (甲乙区) is no district's name: it stays the page's own,
    merged with neither the home city's nor the district's committee."""
    res = _resolve(tmp_path, {
        "home.txt": "平湖市委召开会议。\n",
        "other.txt": "吴兴区召开大会，市委书记出席。吴兴区各部门参加。\n",
    })
    names = sorted(e.name for e in res.entities.values() if e.type == "GovernmentBody")
    assert names == ["市委", "平湖市委"]


def test_a_universitys_committee_after_a_place_is_not_the_citys() -> None:
    """某地大学校党委 is the university's committee: no 某地市 is put before it."""
    from kg.extract.lexicon import Lexicon
    from kg.resolve import Resolver

    r = Resolver(Lexicon.load())
    assert r.key_of("湖州大学校党委", "GovernmentBody")[0] == "湖州大学校党委"
    assert r.key_of("湖州科技局", "GovernmentBody")[0] == "湖州市科技局"


def test_a_city_and_its_committee_written_together_are_not_doubled() -> None:
    from kg.extract.lexicon import Lexicon
    from kg.resolve import Resolver

    r = Resolver(Lexicon.load())
    assert r.key_of("湖州市委", "GovernmentBody")[0] == "湖州市委"


def test_three_namesakes_of_one_article_are_three(tmp_path) -> None:
    """A reporter, a chairman and a bureau's deputy who share a name in one article hold
    posts in three bodies: three people, each with his own facts."""
    res = _resolve(tmp_path, {"a.txt": (
        "标题\n\n甲乙日报记者王伟报道。\n"
        "丙丁科技有限公司董事长王伟介绍了公司情况。\n"
        "市财政局副局长王伟出席活动。\n")})
    people = [e for e in res.entities.values() if e.type == "Person" and e.name == "王伟"]
    assert len(people) == 3
    posts = {(r.s, r.o) for r in res.relations if r.p == "holdsPost"}
    assert len({s for s, _ in posts if s.startswith("王伟")}) == 3


def test_a_numbered_institute_with_and_without_its_group_and_level(tmp_path) -> None:
    """甲乙科工集团二院23所, 甲乙科工二院二十三所 and 甲乙科工集团二十三所 (the level left out,
    one such institute in the corpus) are one institute."""
    res = _resolve(tmp_path, {
        "a.txt": "标题\n\n甲乙科工集团二院23所与平湖市签约。\n",
        "b.txt": "标题\n\n甲乙科工二院二十三所在平湖设立实验室。\n",
        "c.txt": "标题\n\n甲乙科工集团二十三所专家来平湖交流。\n",
    })
    ents = [e for e in res.entities.values()
            if e.name.endswith(("23所", "二十三所")) and e.type != "Person"]
    assert len(ents) == 1, [(e.name, e.type) for e in ents]


def test_wo_shi_in_a_page_about_another_city_is_that_city(tmp_path) -> None:
    """我市 in a page from another city's paper (it never names the home city and names
    another city twice) is that city in the facts, not the home city."""
    res = _resolve(tmp_path, {"other.txt": (
        "标题\n\n湖州市召开科技大会。我市与甲乙大学签订战略合作协议。湖州市各部门参加。\n")})
    ends = {(res.entities[r.s].name, res.entities[r.o].name) for r in res.relations
            if r.p == "signedAgreementWith" and r.o in res.entities and r.s in res.entities}
    assert ends and all("平湖" not in s and "平湖" not in o for s, o in ends)


def test_a_post_title_in_a_page_about_another_city_implies_that_citys_body(tmp_path) -> None:
    """市委副书记王明 in a page that never names the home city and is about 湖州市: 王明 holds a
    post in 湖州市委, not in the home city's."""
    res = _resolve(tmp_path, {
        "other.txt": "湖州市创新中心挂牌\n\n湖州市创新中心挂牌。市委副书记王明出席挂牌仪式。"
                     "湖州市各部门参加。\n",
    })
    posts = {(res.entities[r.s].name, res.entities[r.o].name) for r in res.relations
             if r.p == "holdsPost"}
    assert ("王明", "湖州市委") in posts
    assert not any(o.startswith("平湖") for _, o in posts)


def test_a_short_name_declared_for_one_edition_stays_with_it(tmp_path) -> None:
    res = _resolve(
        tmp_path,
        {
            "a.txt": "标题\n\n第五届青溪农业经济洽谈会（以下简称“青洽会”）开幕。"
            "青洽会签约项目10个。\n",
            "b.txt": "标题二\n\n第四届青溪农业经济洽谈会举行。本届青洽会上，星岚公司签约。\n",
        },
    )
    fifth = _by_name(res, "第五届青溪农业经济洽谈会")
    assert len(fifth) == 1
    assert all(m.article.startswith("a-") for m in fifth[0].mentions)
