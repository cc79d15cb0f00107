from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.eval import (
    EvalReport,
    GoldDoc,
    GoldEntity,
    GoldRelation,
    RelationRef,
    Score,
    evaluate,
    format_text,
    load_extracted,
    load_gold,
    normalize_name,
)

GOLD_DIR = Path(__file__).parent / "data" / "gold"
ART = "x.txt"


def gold_doc(entities, relations=()) -> dict[str, GoldDoc]:
    ents = tuple(
        GoldEntity(name=e[0], type=e[1], aliases=tuple(e[2]) if len(e) > 2 else (), note=e[3])
        if len(e) > 3
        else GoldEntity(name=e[0], type=e[1], aliases=tuple(e[2]) if len(e) > 2 else ())
        for e in entities
    )
    rels = tuple(GoldRelation(*r) for r in relations)
    return {ART: GoldDoc(article=ART, entities=ents, relations=rels)}


def extraction(entities, relations=()) -> dict[str, dict]:
    return {
        ART: {
            "article": ART,
            "entities": [
                {"name": e[0], "type": e[1], "aliases": list(e[2]) if len(e) > 2 else []}
                for e in entities
            ],
            "relations": [
                {"s": s, "p": p, "o": o, "evidence": "", "start": 0, "end": 0}
                for s, p, o in relations
            ],
        }
    }


def run(gold_entities, ext_entities, gold_rels=(), ext_rels=()) -> EvalReport:
    return evaluate(extraction(ext_entities, ext_rels), gold_doc(gold_entities, gold_rels))


# ---------------------------------------------------------------------------- normalisation


def test_normalize_name():
    assert normalize_name("“深根院地合作、建设创新嘉兴”行动计划") == normalize_name(
        '"深根院地合作、建设创新嘉兴"行动计划'
    )
    assert normalize_name("《科技 资讯》") == "科技资讯"
    assert normalize_name("「甲」‘乙’'丙'") == "甲乙丙"
    assert normalize_name("约翰·史密斯") == normalize_name("约翰・史密斯") == "约翰史密斯"
    assert normalize_name("约翰･史密斯") == "约翰史密斯"
    assert normalize_name("ＡＢＣ１２３\n公司") == "ABC123公司"


# ---------------------------------------------------------------------------- entities


def test_exact_match():
    r = run([("平湖市", "Place"), ("浙江大学", "University")], [("平湖市", "Place")])
    assert r.entities.strict_all == Score(tp=1, fp=0, fn=1)
    assert r.entities.strict["Place"] == Score(1, 0, 0)
    assert r.entities.strict["University"] == Score(0, 0, 1)
    assert r.entities.strict_core == Score(0, 0, 1)
    art = r.articles[ART]
    assert [e.name for e in art.missed_entities] == ["浙江大学"]
    assert art.spurious_entities == ()


def test_alias_match_both_directions():
    r = run(
        [
            ("浙江清华长三角研究院", "ResearchInstitute", ["长三角研究院"]),
            ("上海", "Place", ["沪"]),
        ],
        [("长三角研究院", "ResearchInstitute"), ("上海市", "Place", ["沪"])],
    )
    assert r.entities.strict_all == Score(2, 0, 0)


def test_quote_normalisation_match():
    r = run(
        [('"深根院地合作、建设创新嘉兴"行动计划', "Program")],
        [("“深根院地合作、建设创新嘉兴”行动计划", "Program")],
    )
    assert r.entities.strict_all.f1 == 1.0


def test_wrong_type_agnostic_not_strict():
    r = run([("嘉兴大学", "University")], [("嘉兴大学", "Enterprise")])
    assert r.entities.agnostic_all == Score(1, 0, 0)
    assert r.entities.agnostic["University"] == Score(1, 0, 0)
    assert r.entities.strict_all == Score(0, 1, 1)
    assert r.entities.strict["Enterprise"] == Score(0, 1, 0)
    assert r.entities.strict["University"] == Score(0, 0, 1)
    (w,) = r.articles[ART].wrong_type
    assert (w.gold_type, w.extracted_type) == ("University", "Enterprise")


def test_duplicate_is_false_positive():
    r = run(
        [("浙江工业大学", "University", ["浙工大"])],
        [("浙江工业大学", "University"), ("浙工大", "University")],
    )
    assert r.entities.strict_all == Score(1, 1, 0)
    art = r.articles[ART]
    assert [(d.name, d.gold_name) for d in art.duplicate_entities] == [("浙工大", "浙江工业大学")]
    assert art.spurious_entities == ()


def test_spurious_entity():
    r = run([("平湖市", "Place")], [("平湖市", "Place"), ("某某公司", "Enterprise")])
    assert r.entities.strict_all == Score(1, 1, 0)
    assert [e.name for e in r.articles[ART].spurious_entities] == ["某某公司"]


def test_prefers_exact_name_and_type():
    gold = [
        ("嘉兴市政府", "GovernmentBody", ["市政府"]),
        ("平湖市政府", "GovernmentBody", ["市政府"]),
    ]
    r = run(gold, [("平湖市政府", "GovernmentBody", ["市政府"]), ("嘉兴市政府", "GovernmentBody")])
    assert r.entities.strict_all == Score(2, 0, 0)
    # same name in two types: each extraction takes the gold entry of its own type
    r = run(
        [("天极", "Enterprise"), ("天极", "Award")], [("天极", "Award"), ("天极", "Enterprise")]
    )
    assert r.entities.strict_all == Score(2, 0, 0)


@pytest.mark.parametrize(
    "note", ["[embedded] inside another name", "[generic] class", "a BORDERLINE case"]
)
def test_doubtful_gold(note):
    gold = [("平湖市", "Place"), ("海外孵化器", "Platform", [], note)]
    missing = run(gold, [("平湖市", "Place")])
    assert missing.entities.strict_all == Score(1, 0, 0)
    assert missing.articles[ART].missed_entities == ()
    found = run(gold, [("平湖市", "Place"), ("海外孵化器", "Platform")])
    assert found.entities.strict_all == Score(1, 0, 0)
    assert [e.name for e in found.articles[ART].doubtful_found] == ["海外孵化器"]
    twice = run(gold, [("平湖市", "Place"), ("海外孵化器", "Platform"), ("海外孵化器", "Fund")])
    assert twice.entities.strict_all == Score(1, 0, 0)


def test_missing_article_counts_as_missed():
    g = gold_doc([("平湖市", "Place")], [("平湖市", "locatedIn", "嘉兴")])
    r = evaluate({}, g)
    assert r.entities.strict_all == Score(0, 0, 1)
    assert r.relations.labeled_all == Score(0, 0, 1)
    assert not r.articles[ART].extracted
    with pytest.raises(ValueError, match="no gold"):
        evaluate({}, g, articles={"other.txt"})


# ---------------------------------------------------------------------------- relations

ENTS = [
    ("平湖市", "Place", ["平湖"]),
    ("浙江清华长三角研究院", "ResearchInstitute", ["长三角研究院"]),
    ("嘉兴市", "Place"),
    ("某科技公司", "Enterprise"),
]


def test_symmetric_relation_reversed():
    r = run(
        ENTS,
        ENTS,
        [("平湖市", "cooperatesWith", "浙江清华长三角研究院")],
        [("长三角研究院", "cooperatesWith", "平湖")],
    )
    assert r.relations.labeled_all == Score(1, 0, 0)


def test_non_symmetric_not_reversed():
    r = run(
        ENTS,
        ENTS,
        [("某科技公司", "locatedIn", "平湖市")],
        [("平湖市", "locatedIn", "某科技公司")],
    )
    assert r.relations.labeled_all == Score(0, 1, 1)
    assert r.relations.unlabeled_all == Score(1, 0, 0)
    art = r.articles[ART]
    assert art.missed_relations == (RelationRef("某科技公司", "locatedIn", "平湖市"),)
    assert art.spurious_relations == (RelationRef("平湖市", "locatedIn", "某科技公司"),)


def test_unlabeled_match_with_wrong_predicate():
    r = run(
        ENTS,
        ENTS,
        [("某科技公司", "incubatedBy", "浙江清华长三角研究院")],
        [("长三角研究院", "supports", "某科技公司")],
    )
    assert r.relations.labeled_object == Score(0, 1, 1)
    assert r.relations.unlabeled_object == Score(1, 0, 0)
    assert r.relations.unlabeled["incubatedBy"] == Score(1, 0, 0)
    assert r.relations.labeled["supports"] == Score(0, 1, 0)


def test_relation_through_entity_matching_and_fallback():
    # extracted entity named differently, resolved through its alias match
    r = run(
        ENTS,
        [("长三角研究院", "ResearchInstitute"), ("平湖", "Place")],
        [("浙江清华长三角研究院", "locatedIn", "平湖市")],
        [("长三角研究院", "locatedIn", "平湖")],
    )
    assert r.relations.labeled_all == Score(1, 0, 0)
    # endpoint not among the extracted entities: falls back to gold names
    gold_rels = [("某科技公司", "locatedIn", "平湖市")]
    r = run(ENTS, [], gold_rels, [("某科技公司", "locatedIn", "平湖")])
    assert r.relations.labeled_all == Score(1, 0, 0)


def test_gold_literal_endpoint_and_dedupe():
    r = run(
        ENTS,
        ENTS,
        [("平湖市", "signedAgreementWith", "6家科技企业"), ("平湖市", "locatedIn", "嘉兴市")],
        [
            ("6家 科技企业", "signedAgreementWith", "平湖"),
            ("平湖市", "locatedIn", "嘉兴市"),
            ("平湖", "locatedIn", "嘉兴市"),
        ],
    )
    assert r.relations.labeled_all == Score(2, 0, 0)


def test_metric_lenient_containment():
    gold_rels = [
        ("某科技公司", "metric", "营业收入3900万余元"),
        ("某科技公司", "metric", "研发人员50人"),
    ]
    r = run(
        ENTS,
        ENTS,
        gold_rels,
        [
            ("某科技公司", "metric", "3900万余元"),
            ("某科技公司", "metric", "去年研发人员50人"),
            ("平湖市", "metric", "营业收入3900万余元"),
        ],
    )
    assert r.relations.labeled["metric"] == Score(2, 1, 0)
    assert r.relations.labeled_object == Score()
    assert r.relations.labeled_all == Score(2, 1, 0)


def test_doubtful_relation():
    ents = [*ENTS, ("上海交通大学", "University", [], "[embedded] only inside a name")]
    gold_rels = [("某科技公司", "cooperatesWith", "上海交通大学")]
    missed = run(ents, ENTS, gold_rels, [])
    assert missed.relations.labeled_all == Score(0, 0, 0)
    assert missed.articles[ART].missed_relations == ()
    found = run(ents, ents, gold_rels, [("上海交通大学", "cooperatesWith", "某科技公司")])
    assert found.relations.labeled_all == Score(1, 0, 0)


# ---------------------------------------------------------------------------- io and report


def test_load_extracted(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(
        json.dumps({"article": "b.txt", "entities": [], "relations": []})
        + "\n\n"
        + json.dumps({"article": "a.txt", "entities": [], "relations": []})
        + "\n",
        encoding="utf-8",
    )
    assert list(load_extracted(p)) == ["a.txt", "b.txt"]
    assert list(load_extracted(['{"article": "c.txt"}', ""])) == ["c.txt"]
    with pytest.raises(ValueError, match="line 2"):
        load_extracted(['{"article": "c.txt"}', "{oops"])
    with pytest.raises(ValueError, match="line 1"):
        load_extracted(['{"entities": []}'])


def test_report_serialisation_and_text():
    r = run(
        ENTS,
        [*ENTS[:2], ("某某", "Person")],
        [("平湖市", "locatedIn", "嘉兴市")],
        [("平湖市", "supports", "嘉兴市")],
    )
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["n_articles"] == 1
    assert d["entities"]["strict"]["all"]["tp"] == 2
    text = format_text(r)
    assert "CORE" in text and "OBJECT" in text and "某某 [Person]" in text
    assert "平湖市 -supports-> 嘉兴市" in text
    short = format_text(r, details=False)
    assert "某某" not in short
    # table columns line up
    lines = text.splitlines()
    start = lines.index(next(x for x in lines if x.startswith("type")))
    widths = {len(x) for x in lines[start : start + 3]}
    assert len(widths) == 1


# ---------------------------------------------------------------------------- real gold


def test_real_gold_self_evaluation():
    gold = load_gold(GOLD_DIR)
    assert len(gold) == len(list(GOLD_DIR.glob("*.json"))) > 0
    lines = [json.dumps(doc.to_extraction(), ensure_ascii=False) for doc in gold.values()]
    extracted = load_extracted(lines)
    report = evaluate(extracted, gold)
    for name, art in report.articles.items():
        assert art.entities.strict_all.f1 == 1.0, name
        assert art.entities.strict_all.fp == 0, name
        assert art.relations.labeled_all.f1 == 1.0, name
        assert art.relations.labeled_object.f1 == 1.0, name
        assert art.missed_entities == art.spurious_entities == art.duplicate_entities == ()
        assert art.missed_relations == art.spurious_relations == ()
    assert report.entities.strict_all.f1 == 1.0
    assert report.entities.agnostic_core.f1 == 1.0
    assert report.relations.labeled_all.f1 == 1.0
    assert report.relations.unlabeled_all.f1 == 1.0
    assert report.to_dict() == evaluate(extracted, gold).to_dict()


def test_real_gold_entities_only_hurts_relations():
    gold = load_gold(GOLD_DIR)
    extracted = {}
    for name, doc in gold.items():
        rec = doc.to_extraction()
        rec["relations"] = []
        extracted[name] = rec
    report = evaluate(extracted, gold)
    assert report.entities.strict_all.f1 == 1.0
    rel = report.relations.labeled_all
    assert rel.tp == 0 and rel.fp == 0 and rel.fn > 0


# -- the reference scorer's figures and the blind subset ----------------------------------


def test_reference_figures_agree_with_the_reference_scorer(seed_corpus, tmp_path: Path) -> None:
    """`kg eval` prints ../shared/eval/score.py's headline figures; computed here, they must be
    the same numbers the script prints for the same extraction."""
    import re
    import subprocess
    import sys

    from conftest import SHARED

    from kg.build import page_records, resolve_corpus
    from kg.evalref import reference

    script = SHARED / "eval" / "score.py"
    if not script.is_file():
        pytest.skip(f"the reference scorer is not at {script}")
    res = resolve_corpus(seed_corpus)
    recs = page_records(res, [ex.page.name for ex in seed_corpus.extractions])
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                    encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(SHARED / "gold"), str(pred)],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"core entity F1 ([\d.]+) \(P ([\d.]+) R ([\d.]+)\).*object relation F1 "
                  r"([\d.]+) \(P ([\d.]+) R ([\d.]+)\)", out)
    assert m, out
    ref = reference({r["article"]: r for r in recs}, load_gold(SHARED / "gold"))
    mine = (ref.core.f1, ref.core.p, ref.core.r, ref.objects.f1, ref.objects.p, ref.objects.r)
    assert mine == tuple(float(x) for x in m.groups())


def test_reference_counts_duplicates_as_right_and_optional_gold_as_not_required() -> None:
    from kg.evalref import reference

    gold = gold_doc([("甲乙科技有限公司", "Enterprise", ["甲乙科技"]),
                     ("丙丁研究院", "ResearchInstitute", [], "[generic] a class")])
    ext = extraction([("甲乙科技有限公司", "Enterprise", []), ("甲乙科技", "Enterprise", []),
                      ("戊己大学", "University", [])])
    ref = reference(ext, gold)
    assert (ref.core.tp_pred, ref.core.n_pred, ref.core.tp_gold, ref.core.n_gold) == (2, 3, 1, 1)


def test_blind_subset_is_fixed_by_name_and_scored_in_aggregate_only(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main
    from kg.evalref import is_blind

    names = [f"{c}{i:02d}.txt" for c in "abcd" for i in range(1, 13)]
    blind = [n for n in names if is_blind(n)]
    assert 0 < len(blind) < len(names) / 4 and blind == [n for n in names if is_blind(n)]
    gold_dir, texts = tmp_path / "gold", tmp_path / "texts"
    gold_dir.mkdir()
    texts.mkdir()
    for n in (blind[0], next(x for x in names if not is_blind(x))):
        (gold_dir / f"{n}.json").write_text(json.dumps(
            {"article": n, "entities": [{"name": "甲乙科技有限公司", "type": "Enterprise"}],
             "relations": []}, ensure_ascii=False), encoding="utf-8")
        (texts / n).write_text("标题\n\n甲乙科技有限公司与平湖市签订合作协议。\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "--gold", str(gold_dir), "--texts", str(texts),
                                    "--subset", "blind"])
    assert res.exit_code == 0, res.output
    assert "totals only" in res.output and blind[0] not in res.output
    assert "甲乙" not in res.output and len(res.output.strip().splitlines()) == 10
    assert "precision by type" in res.output and "by predicate" in res.output
    assert "counts by type" in res.output and "an entity missed" in res.output
    tune = CliRunner().invoke(main, ["eval", "--gold", str(gold_dir), "--texts", str(texts),
                                     "--subset", "tune"])
    assert tune.exit_code == 0 and "Reference scorer" in tune.output and blind[0] not in tune.output


def test_several_gold_sets_score_together_and_blind_details_stay_hidden(tmp_path: Path) -> None:
    """``--gold A --texts TA --gold B --texts TB`` scores both sets at once (identity across
    them included); with ``--subset all`` the blind articles count in the totals but their
    error lists are not printed."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.evalref import is_blind

    names = [f"{c}{i:02d}.txt" for c in "abcd" for i in range(1, 13)]
    blind = next(n for n in names if is_blind(n))
    tune = next(n for n in names if not is_blind(n))
    args = []
    for k, n in enumerate((blind, tune)):
        gold_dir, texts = tmp_path / f"gold{k}", tmp_path / f"texts{k}"
        gold_dir.mkdir()
        texts.mkdir()
        (gold_dir / f"{n}.json").write_text(json.dumps(
            {"article": n, "entities": [{"name": "甲乙科技有限公司", "type": "Enterprise"},
                                        {"name": "丙丁大学", "type": "University"}],
             "relations": []}, ensure_ascii=False), encoding="utf-8")
        (texts / n).write_text("标题\n\n甲乙科技有限公司与平湖市签订合作协议。\n",
                               encoding="utf-8")
        args += ["--gold", str(gold_dir), "--texts", str(texts)]
    res = CliRunner().invoke(main, ["eval", *args])
    assert res.exit_code == 0, res.output
    assert "Identity across articles" in res.output and "1 blind articles" in res.output
    assert f"== {tune}" in res.output and f"== {blind}" not in res.output
    bad = CliRunner().invoke(main, ["eval", *args[:4], "--texts", "x", "--texts", "y",
                                    "--texts", "z"])
    assert bad.exit_code == 2 and "one per --gold" in bad.output
