"""Identity across articles (kg/identity.py): gold clusters from names, scores of clusterings.
Invented names."""

from __future__ import annotations

import json
from pathlib import Path

from kg.eval import GoldDoc, GoldEntity
from kg.identity import Overrides, compare, gold_clusters, linking_forms, predicted_clusters


def _doc(art: str, *ents: tuple[str, str, tuple[str, ...]]) -> GoldDoc:
    return GoldDoc(article=art, entities=tuple(GoldEntity(n, t, a) for n, t, a in ents))


GOLDS = {
    "a.txt": _doc("a.txt", ("甲乙科技有限公司", "Enterprise", ("甲乙科技",)),
                  ("市科技局", "GovernmentBody", ())),
    "b.txt": _doc("b.txt", ("甲乙科技", "Enterprise", ()), ("市科技局", "GovernmentBody", ()),
                  ("丙丁大学", "University", ("丙大",))),
    "c.txt": _doc("c.txt", ("丙丁大学", "University", ()), ("戊己市科技局", "GovernmentBody", ())),
}


def test_gold_bodies_link_by_name_or_alias_never_by_relative_forms() -> None:
    g = gold_clusters(GOLDS)
    assert g[("a.txt", "甲乙科技有限公司")] == g[("b.txt", "甲乙科技")]  # by the alias
    assert g[("b.txt", "丙丁大学")] == g[("c.txt", "丙丁大学")]
    assert g[("a.txt", "市科技局")] != g[("b.txt", "市科技局")]  # two cities' bureaus
    assert linking_forms("市政府", ["丙丁市政府", "我校"]) == {"丙丁市政府"}
    fixed = gold_clusters(GOLDS, Overrides(merge=((("c.txt", "戊己市科技局"),
                                                   ("a.txt", "市科技局")),),
                                           split=(("c.txt", "丙丁大学"),)))
    assert fixed[("c.txt", "戊己市科技局")] == fixed[("a.txt", "市科技局")]
    assert fixed[("c.txt", "丙丁大学")] != fixed[("b.txt", "丙丁大学")]


def test_pairwise_and_bcubed_scores() -> None:
    gold = {("a", "x"): "1", ("b", "x"): "1", ("c", "x"): "1", ("a", "y"): "2"}
    perfect = compare(gold, {k: f"k{v}" for k, v in gold.items()})
    assert (perfect.pairwise_p, perfect.pairwise_r, perfect.bcubed_p, perfect.bcubed_r) == (
        1.0, 1.0, 1.0, 1.0)
    merged = compare(gold, {k: "one" for k in gold})  # everything one node
    assert merged.pairwise_r == 1.0 and merged.pairwise_p == 3 / 6
    split = compare(gold, {("a", "x"): "p", ("b", "x"): "p", ("c", "x"): "q", ("a", "y"): "r"})
    assert split.pairwise_p == 1.0 and split.pairwise_r == 1 / 3
    assert split.across_articles == 1 and split.gold_clusters == 2


def test_predicted_clusters_follow_the_matched_entity() -> None:
    found = {"a.txt": {"甲乙科技有限公司": "E1", "甲乙科技": "E1", "市科技局": "G1"},
             "b.txt": {"甲乙科技": "E1", "市科技局": "G1"}}
    p = predicted_clusters(GOLDS, found)
    assert p[("a.txt", "甲乙科技有限公司")] == p[("b.txt", "甲乙科技")] == "E1"
    assert ("c.txt", "丙丁大学") not in p  # not found: left out
    score = compare(gold_clusters(GOLDS), p)
    assert score.pairwise_p == 0.5  # the two cities' bureaus merged wrongly


def test_the_hand_checked_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "identity.json"
    path.write_text(json.dumps({"merge": [[["a.txt", "x"], ["b.txt", "y"]]], "split": []}),
                    encoding="utf-8")
    assert Overrides.load(path).merge == ((("a.txt", "x"), ("b.txt", "y")),)
    assert Overrides.load(tmp_path / "missing.json") == Overrides()


def test_class_nouns_and_editions_link_nothing() -> None:
    """研究院 (an institute's page calls itself so) links no two institutes; 第四届 and 第五届
    of one fair share a short name but are two events."""
    assert linking_forms("甲乙大学丙丁研究院", ["研究院", "我院"]) == {"甲乙大学丙丁研究院"}
    assert linking_forms("第四届云溪农业洽谈会", ["云洽会"]) == {"第四届云溪农业洽谈会"}
    golds = {
        "a.txt": _doc("a.txt", ("第四届云溪农业洽谈会", "Event", ("云洽会",))),
        "b.txt": _doc("b.txt", ("第五届云溪农业洽谈会", "Event", ("云洽会",))),
    }
    g = gold_clusters(golds)
    assert g[("a.txt", "第四届云溪农业洽谈会")] != g[("b.txt", "第五届云溪农业洽谈会")]


def test_a_gold_entity_is_matched_by_its_name_before_its_aliases() -> None:
    """Two governments of one page are both called 市政府 in places: the one whose gold name is
    甲乙市政府 goes to the entity found as 甲乙市政府."""
    golds = {"a.txt": _doc("a.txt", ("甲乙市政府", "GovernmentBody", ("市政府",)))}
    found = {"a.txt": {"市政府": "A-other", "甲乙市政府": "B-own"}}
    assert predicted_clusters(golds, found)[("a.txt", "甲乙市政府")] == "B-own"
