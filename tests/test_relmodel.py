"""The learned relation classifier (kg/extract/relmodel.py) and its training. Invented names."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.extract.entities import Candidate
from kg.extract.relmodel import (
    Context,
    Pair,
    RelationModel,
    candidate_pairs,
    pair_attributes,
)
from kg.extract.tagger import word_starts

TEXT = "甲乙科技有限公司与丙丁大学签订合作协议，王明远出席。"
WORDS = ["甲乙", "科技", "有限公司", "与", "丙丁", "大学", "签订", "合作", "协议", "，", "王明远",
         "出席", "。"]
A = Candidate(0, 8, "Enterprise", "r")
B = Candidate(9, 13, "University", "r")
P = Candidate(20, 23, "Person", "r")


def _ctx(rules=None) -> Context:
    return Context(TEXT, WORDS, word_starts(WORDS), [A, B, P], rules or {}, {"签订": "signed"})


def test_candidate_pairs_both_ways_within_reach_and_allowed_types() -> None:
    allowed = frozenset({("Enterprise", "University"), ("University", "Enterprise"),
                         ("Person", "Enterprise")})
    got = {(p.a.type, p.b.type) for p in candidate_pairs([A, B, P], allowed)}
    assert got == {("Enterprise", "University"), ("University", "Enterprise"),
                   ("Person", "Enterprise")}
    inside = Candidate(0, 2, "Place", "r")  # overlapping mentions are never paired
    assert not candidate_pairs([A, inside], frozenset({("Enterprise", "Place")}))


def test_pair_attributes_describe_order_words_between_triggers_and_rules() -> None:
    attrs = pair_attributes(Pair(A, B), _ctx({("甲乙科技有限公司", "丙丁大学"): "cooperatesWith"}))
    assert "T=Enterprise>University" in attrs and "b=与" in attrs and "d=1" in attrs
    assert "R=cooperatesWith" in attrs and "l=^" in attrs and "r=签订" in attrs
    back = pair_attributes(Pair(B, A), _ctx())
    assert "T=University<Enterprise" in back
    far = pair_attributes(Pair(P, A), _ctx())
    assert "tr=signed<" in far and "p=，" in far and "mT=University" in far


def test_probabilities_are_the_softmax_of_summed_weights(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    attrs = ["a", "b", "c"]
    w = np.vstack([rng.normal(size=(3, 3)), np.zeros((1, 3))]).astype(np.float32)
    model = RelationModel(["none", "cooperatesWith", "holdsPost"], {x: i for i, x in
                          enumerate(attrs)}, w, frozenset({("Person", "Enterprise")}))
    rows = [["a", "c", "zz"], ["zz"], ["b"]]
    got = model.probabilities(rows)
    for row, p in zip(rows, got):
        s = sum((w[attrs.index(x)] for x in row if x in attrs), np.zeros(3))
        want = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
        assert np.allclose(p, want, atol=1e-5)
    model.save(tmp_path / "m.npz")
    back = RelationModel.load(tmp_path / "m.npz")
    assert np.allclose(back.probabilities(rows), got) and back.allowed == model.allowed
    back.save(tmp_path / "n.npz")
    assert (tmp_path / "m.npz").read_bytes() == (tmp_path / "n.npz").read_bytes()


def test_the_model_adds_only_the_predicates_it_keeps(tmp_path: Path) -> None:
    """``meta["predicates"]`` (written by kg train from Settings.rel_predicates) survives a
    round trip and names what the component may add; the shipped model keeps some."""
    w = np.zeros((2, 3), dtype=np.float32)
    model = RelationModel(["none", "cooperatesWith", "holdsPost"], {"a": 0}, w,
                          frozenset(), meta={"predicates": "holdsPost"})
    model.save(tmp_path / "m.npz")
    assert RelationModel.load(tmp_path / "m.npz").predicates == frozenset({"holdsPost"})
    assert RelationModel(["none"], {}, w, frozenset()).predicates is None
    from kg.extract.relmodel import load_model

    shipped = load_model()
    assert shipped is not None and shipped.predicates and "cooperatesWith" not in (
        shipped.predicates)
    # only the type pairs a kept predicate related in training are scored at all
    assert shipped.scored and shipped.scored < shipped.allowed
    assert ("Person", "GovernmentBody") in shipped.scored
    pinned = RelationModel(["none"], {}, w, frozenset({("Person", "Enterprise"),
                                                      ("Enterprise", "Enterprise")}),
                           meta={"scored": "Person>Enterprise"})
    pinned.save(tmp_path / "p.npz")
    assert RelationModel.load(tmp_path / "p.npz").scored == {("Person", "Enterprise")}


def test_the_relation_classifier_learns_and_adds_relations(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from kg.extract import build_nlp
    from kg.extract.text import relations_of
    from kg.train import Settings, Source, load_articles, train_relations

    gold, texts = tmp_path / "gold", tmp_path / "texts"
    gold.mkdir()
    texts.mkdir()
    people = ["王明远", "李晓红", "张海峰", "刘思源", "陈立新", "杨光明", "吴晓峰", "贺新宇"]
    firms = ["甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑", "寅卯", "辰巳"]
    for i, (person, firm) in enumerate(zip(people, firms)):
        org = f"{firm}智能科技有限公司"
        text = f"标题{i}\n\n{org}总经理{person}出席活动。\n{person}就职于{org}。\n"
        (texts / f"t{i}.txt").write_text(text, encoding="utf-8")
        (gold / f"t{i}.json").write_text(json.dumps({
            "article": f"t{i}.txt",
            "entities": [{"name": org, "type": "Enterprise"}, {"name": person, "type": "Person"}],
            "relations": [{"s": person, "p": "holdsPost", "o": org}]}, ensure_ascii=False),
            encoding="utf-8")
    settings = Settings(iterations=50)
    arts = load_articles([Source(gold, texts)])
    model = train_relations(arts, settings, None)
    again = train_relations(arts, settings, None)
    model.save(tmp_path / "a.npz")
    again.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert "holdsPost" in model.labels and ("Person", "Enterprise") in model.allowed
    nlp = build_nlp(tagger=False)
    nlp.get_pipe("kg_relation_model").use(model)
    doc = nlp("午未智能科技有限公司总经理赵光辉就职于午未智能科技有限公司。")
    got = {(r.s, r.p, r.o) for r in relations_of(doc)}
    assert ("赵光辉", "holdsPost", "午未智能科技有限公司") in got
