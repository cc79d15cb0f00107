"""Relation rules of kg/extract/relations.py that are not covered by tests/test_extract.py.
Invented names."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def rules_nlp():
    from kg.extract import build_nlp

    return build_nlp(tagger=False)


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
