"""The spaCy components on small inline sentences and on the seeds."""

from __future__ import annotations

from kg.ingest import ingest_text


def mentions(nlp, text: str) -> dict[str, str]:
    doc = nlp(text)
    return {doc.text[c.start : c.end]: c.type for c in doc._.kg_mentions}


def relations(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return {(r.s, r.p, r.o) for r in doc._.kg_relations}


def test_pipeline_is_blank_zh_with_our_components(nlp) -> None:
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["kg_entities", "kg_relations"]


def test_company_name_by_anatomy_with_left_boundary(nlp) -> None:
    m = mentions(nlp, "通过招引，注册成立杭州云栖微光电子科技有限公司，落地我市新仓镇。")
    assert m.get("杭州云栖微光电子科技有限公司") == "Enterprise"
    assert not any(k.startswith("注册") or k.startswith("成立") for k in m)
    assert m.get("新仓镇") == "Place"


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
    m = mentions(nlp, "市财政局党组书记、局长王建国说。")
    assert m.get("王建国") == "Person"
    assert "局长王" not in m
    assert m.get("市财政局") == "GovernmentBody"


def test_post_relation_with_role(nlp) -> None:
    doc = nlp("市财政局党组书记、局长王建国说。")
    posts = [r for r in doc._.kg_relations if r.p == "holdsPost"]
    assert posts and posts[0].s == "王建国" and posts[0].o == "市财政局"
    assert "局长" in dict(posts[0].qualifiers)["role"]


def test_platforms_and_institutes(nlp) -> None:
    m = mentions(nlp, "指导新埭镇与浙江大学共建平湖智能装备创新中心。")
    assert m.get("浙江大学") == "University"
    assert m.get("平湖智能装备创新中心") == "Platform"


def test_cofounded_coordination(nlp) -> None:
    rels = relations(nlp, "新埭镇与浙江大学共建平湖智能装备创新中心。")
    assert ("浙江大学", "cofounded", "平湖智能装备创新中心") in rels
    assert ("新埭镇", "cofounded", "平湖智能装备创新中心") in rels


def test_nested_organisation_gives_sub_organisation(nlp) -> None:
    rels = relations(nlp, "专家来自复旦大学计算机系。")
    assert ("复旦大学计算机系", "subOrganizationOf", "复旦大学") in rels


def test_located_in(nlp) -> None:
    rels = relations(nlp, "嘉兴云帆智能科技有限公司落户平湖经济技术开发区。")
    assert ("嘉兴云帆智能科技有限公司", "locatedIn", "平湖经济技术开发区") in rels


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
