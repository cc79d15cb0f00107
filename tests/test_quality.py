"""Quality floors on the seed articles (issue 3's numbers), measured by `kg eval`."""

from __future__ import annotations

import pytest
from conftest import GOLD

from kg.build import page_records, resolve_corpus
from kg.eval import evaluate, load_gold
from kg.model import CORE_TYPES

CORE_STRICT_F1_FLOOR = 0.85
CORE_TYPE_F1_FLOOR = 0.70  # for every core type with at least 10 gold entities
ALL_STRICT_F1_FLOOR = 0.70


@pytest.fixture(scope="module")
def report(seed_corpus):
    res = resolve_corpus(seed_corpus)
    recs = {
        r["article"]: r for r in page_records(res, [ex.page.name for ex in seed_corpus.extractions])
    }
    return evaluate(recs, load_gold(GOLD))


def test_core_strict_f1(report) -> None:
    assert report.entities.strict_core.f1 >= CORE_STRICT_F1_FLOOR


def test_all_types_strict_f1(report) -> None:
    assert report.entities.strict_all.f1 >= ALL_STRICT_F1_FLOOR


def test_no_big_core_type_below_floor(report) -> None:
    for t in CORE_TYPES:
        s = report.entities.strict[t]
        if s.tp + s.fn >= 10:
            assert s.f1 >= CORE_TYPE_F1_FLOOR, (t, s)


def test_every_article_is_scored(report) -> None:
    assert len(report.articles) == 5


# Relations: a regression guard at the level reached, below issue #4's goal (0.60 / 0.70).
RELATIONS_LABELED_F1_GUARD = 0.50
RELATIONS_UNLABELED_F1_GUARD = 0.52


def test_relation_scores_do_not_regress(report) -> None:
    assert report.relations.labeled_object.f1 >= RELATIONS_LABELED_F1_GUARD
    assert report.relations.unlabeled_object.f1 >= RELATIONS_UNLABELED_F1_GUARD
