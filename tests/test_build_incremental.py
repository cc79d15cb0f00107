"""#23: an incremental build takes the article graphs whose inputs are those of the graph the
store holds as they are (not written, digested or compared again), and its result is the
result of a full build of the same files, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import store_quads

from kg.incremental import KEPT_FILE
from kg.model import Article, Entity, Mention, Relation
from kg.outputs import RDF_EXPORTS, BuildOptions, build_into, write_rdf_exports
from kg.rdf import ArticleMeta, GraphInputs, Shards, build_sharded_quads, graph_iri
from kg.store import GRAPH_INPUTS, STORE_GRAPHS, graph_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


# -- the article graphs' inputs (kg.rdf) ------------------------------------------------------


def _meta(page: str, date: str = "2023-05-01") -> ArticleMeta:
    return ArticleMeta(Article(page, 0, f"title {page}", (), 0, 10, ()), date, "given", 0, 10)


def _ent(key: str, name: str, typ: str, arts: list[str]) -> Entity:
    return Entity(key=key, name=name, type=typ,
                  mentions=[Mention(name, typ, 0, 2, a, 0, "suffix") for a in arts])


def _rel(s: str, p: str, o: str, art: str, quals: tuple[tuple[str, str], ...] = ()) -> Relation:
    return Relation(s, p, o, art, 0, f"{s} {p} {o}", 0, 5, "rule:x", 0.9, False, quals)


def _world(firm_name: str = "甲公司", amount: str = "100") -> tuple[list, list, list]:
    """Three articles: a and b report one investment (a shared record: b's graph takes the
    amount a states), c names only the university."""
    ents = [
        _ent("甲", firm_name, "Enterprise", ["a-a00", "b-a00"]),
        _ent("乙", "乙基金", "Fund", ["a-a00", "b-a00"]),
        _ent("丙", "丙大学", "University", ["c-a00"]),
        _ent("丁", "丁研究院", "ResearchInstitute", ["c-a00"]),
    ]
    money = (("amount", amount), ("amount_text", f"{amount}万元"))
    rels = [
        _rel("乙", "investedIn", "甲", "a-a00", money),
        _rel("乙", "investedIn", "甲", "b-a00"),
        _rel("丁", "subOrganizationOf", "丙", "c-a00"),
    ]
    return ents, rels, [_meta("a.txt"), _meta("b.txt"), _meta("c.txt")]


def _rows(shards: Shards) -> dict[str, str]:
    return {k: shards[k] for k in shards}


def _incremental(before: tuple, after: tuple) -> tuple[set[str], dict[str, str], dict[str, str]]:
    """Build ``before``, then ``after`` with the inputs of ``before``: the graphs passed over,
    the incremental result (the passed graphs as ``before`` wrote them) and the full one."""
    first = GraphInputs()
    _, old = build_sharded_quads(*before, whole=False, inputs=first)
    second = GraphInputs(dict(first.digests))
    _, new = build_sharded_quads(*after, whole=False, inputs=second)
    keys = {str(graph_iri(m.article.id)): m.article.id for m in after[2]}
    merged = _rows(new)
    for iri in second.passed:
        key = next(k for k in old if k.endswith(keys[iri].replace("-a00", "_0")))
        merged[key] = old[key]
    _, full = build_sharded_quads(*after, whole=False)
    return second.passed, dict(sorted(merged.items())), _rows(full)


def test_unchanged_inputs_pass_every_article_graph_over() -> None:
    passed, merged, full = _incremental(_world(), _world())
    assert len(passed) == 3
    assert merged == full
    # what is written: the entities graph alone (always written)
    inputs = GraphInputs()
    build_sharded_quads(*_world(), inputs=inputs)
    _, written = build_sharded_quads(*_world(), inputs=GraphInputs(inputs.digests))
    assert list(written) == ["graph_entities"]


def test_a_renamed_entity_rewrites_the_graphs_that_name_it() -> None:
    """A canonical name that changes changes the IRI: every article graph that links to it is
    written again, the others are passed over."""
    passed, merged, full = _incremental(_world(), _world(firm_name="甲科技公司"))
    assert passed == {str(graph_iri("c-a00"))}
    assert merged == full


def test_a_shared_record_rewrites_every_report_of_it() -> None:
    """The amount of an investment reported in two articles comes from the first that states
    it: a change in article a changes article b's graph too."""
    passed, merged, full = _incremental(_world(), _world(amount="200"))
    assert passed == {str(graph_iri("c-a00"))}
    assert merged == full


def test_another_date_rewrites_the_article_graph() -> None:
    ents, rels, metas = _world()
    later = [metas[0], metas[1], _meta("c.txt", "2024-01-01")]
    passed, merged, full = _incremental((ents, rels, metas), (ents, rels, later))
    assert passed == {str(graph_iri("a-a00")), str(graph_iri("b-a00"))}
    assert merged == full


# -- builds into a folder (kg.outputs) --------------------------------------------------------


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("corpora")
    pages = sorted(SEEDS.glob("*.txt"))
    three, four = base / "three", base / "four"
    for d, chosen in ((three, pages[:3]), (four, pages[:4])):
        d.mkdir()
        for p in chosen:
            shutil.copy(p, d / p.name)
        shutil.copy(SEEDS / "articles.toml", d / "articles.toml")
    return three, four


def _same_as_full(out: Path, src: Path, tmp: Path) -> None:
    ref = tmp / f"ref-{src.name}-{out.name}"
    build_into(src, ref, BuildOptions(html=False, cache=False, exports=True))
    assert store_quads(out / "store") == store_quads(ref / "store")
    for name in (STORE_GRAPHS, "validation.txt"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    write_rdf_exports(out)
    for name in RDF_EXPORTS:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def test_an_added_page_passes_the_untouched_graphs_over(corpora, tmp_path: Path) -> None:
    three, four = corpora
    out = tmp_path / "out"
    opts = BuildOptions(html=False, exports=False)
    first = build_into(three, out, opts)
    assert first.graphs_passed == 0 and (out / GRAPH_INPUTS).is_file()
    again = build_into(three, out, opts)  # the same files: every article graph as it was
    articles = len((out / GRAPH_INPUTS).read_text().splitlines())
    assert again.graphs_passed == articles > 0
    more = build_into(four, out, opts)
    assert more.graphs_passed == articles  # the seeds: the new page changes no old graph
    _same_as_full(out, four, tmp_path)
    fewer = build_into(three, out, opts)  # the page removed again
    assert fewer.graphs_passed > 0
    _same_as_full(out, three, tmp_path)


def test_a_damaged_kept_text_of_a_passed_graph_is_built_again(corpora, tmp_path: Path) -> None:
    """A kept text that the build would take as it was, and needs (here: for a fresh load of
    the store), changed behind its back: the build runs again taking nothing as it was."""
    three, four = corpora
    out = tmp_path / "out"
    opts = BuildOptions(html=False, exports=False)
    build_into(three, out, opts)
    rows = [ln.split("\t") for ln in (out / GRAPH_INPUTS).read_text().splitlines()]
    for _, digest, _ in rows:  # every article graph's text: truncated
        path = graph_file(out, digest)
        path.write_bytes(path.read_bytes()[:-5])
    shutil.rmtree(out / "store")  # the store gone: a fresh load needs every graph's text
    (out / "store").mkdir()
    built = build_into(four, out, opts)
    assert built.graphs_passed == 0
    _same_as_full(out, four, tmp_path)


def test_exports_from_graphs_taken_as_they_were(corpora, tmp_path: Path) -> None:
    """With exports (a small corpus), the graphs taken as they were are read back for Turtle,
    TriG and N-Quads: the same files as the build that wrote them."""
    three, _ = corpora
    out = tmp_path / "out"
    opts = BuildOptions(html=False, exports=True)
    build_into(three, out, opts)
    first = {name: (out / name).read_bytes() for name in RDF_EXPORTS}
    again = build_into(three, out, opts)
    assert again.graphs_passed > 0
    assert {name: (out / name).read_bytes() for name in RDF_EXPORTS} == first


# -- pages added resolved against the kept resolution (kg.incremental) ------------------------

def _built_once(corpus: Path, tmp_path: Path) -> tuple[Path, Path, BuildOptions]:
    """A copy of ``corpus`` (``src``), built once into ``out`` (the kept index written)."""
    src = tmp_path / "src"
    shutil.copytree(corpus, src)
    out = tmp_path / "out"
    opts = BuildOptions(html=False, exports=False)
    build_into(src, out, opts)
    return src, out, opts


_NEW_ENTITY = "2024年3月1日\n星河湾量子研究院在杭州揭牌成立。\n"
_NEW_PERSON = "2024年3月1日\n平湖市星河湾量子研究院院长李子墨表示，研究院将加快发展。\n"


@pytest.mark.parametrize("text", [_NEW_ENTITY, _NEW_PERSON], ids=["entity", "person"])
def test_a_page_of_new_entities_is_resolved_against_the_kept_index(
        corpora, tmp_path: Path, text: str) -> None:
    """The fast path: the new page's mentions and facts are taken against the kept entity
    index (the kept pages are not read) and the result is a full build's, byte for byte."""
    three, _ = corpora
    src, out, opts = _built_once(three, tmp_path)
    assert (out / KEPT_FILE).is_file()
    (src / "zz_added.txt").write_text(text, encoding="utf-8")
    built = build_into(src, out, opts)
    assert built.corpus.kept == 3 and not built.resolved_again
    assert len(built.corpus.extractions) == 1 and built.corpus.pages == 4
    _same_as_full(out, src, tmp_path)
    (src / "zz_more.txt").write_text(_NEW_ENTITY.replace("星河湾", "云栖谷"), encoding="utf-8")
    again = build_into(src, out, opts)  # the index kept by the fast path serves again
    assert again.corpus.kept == 4 and not again.resolved_again
    _same_as_full(out, src, tmp_path)


def test_a_page_that_could_change_an_earlier_decision_resolves_everything(
        corpora, tmp_path: Path) -> None:
    """An added page that names kept entities in ways that could change them (here: a page
    printed again under a new name, with a namesake split before), a new short name printed
    in the kept pages (the fourth seed), a removed page: a full resolution, the same result."""
    three, four = corpora
    src, out, opts = _built_once(three, tmp_path)
    first = sorted(three.glob("*.txt"))[0]
    shutil.copy(first, src / "zz_copy.txt")
    built = build_into(src, out, opts)
    assert built.corpus.kept == 0 and built.resolved_again
    _same_as_full(out, src, tmp_path)
    (src / "zz_copy.txt").unlink()  # removed: the kept pages are not this corpus's first
    removed = build_into(src, out, opts)
    assert removed.corpus.kept == 0
    _same_as_full(out, src, tmp_path)
    more = build_into(four, out, opts)
    assert more.corpus.kept == 0 or not more.resolved_again
    _same_as_full(out, four, tmp_path)


def test_a_damaged_index_is_no_index(corpora, tmp_path: Path) -> None:
    three, _ = corpora
    src, out, opts = _built_once(three, tmp_path)
    path = out / KEPT_FILE
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    (src / "zz_added.txt").write_text(_NEW_ENTITY, encoding="utf-8")
    built = build_into(src, out, opts)
    assert built.corpus.kept == 0
    _same_as_full(out, src, tmp_path)


# -- earlier decisions that a new page leaves as they were, followed (kg.incremental) ----------

_FOLLOWED = {
    # a registered company whose trade name (云帆) another registered company has: no earlier
    # mention was redirected by the trade name, so no earlier decision changes
    "trade-name-new-key": (
        "2024年2月1日\n嘉兴云帆新材料科技有限公司在平湖揭牌。\n",
        "2024年3月1日\n杭州云帆生物医药有限公司与浙江大学签署合作协议。\n", ""),
    # ... but 云帆公司 was: its redirect could change (resolved again)
    "trade-name-in-use": (
        "2024年2月1日\n嘉兴云帆新材料科技有限公司在平湖揭牌。云帆公司将加快发展。\n",
        "2024年3月1日\n杭州云帆生物医药有限公司与浙江大学签署合作协议。\n",
        "a new key of a trade name"),
    # a new trade name (星澜) that a kept page prints inside a name: the kept page is read
    # again and gives the same gazetteer mentions
    "short-name-covered": (
        "2024年2月1日\n星澜研究院在平湖揭牌成立。\n",
        "2024年3月1日\n嘉兴星澜新材料科技有限公司在平湖揭牌。\n", ""),
    # ... printed on its own: it is a new mention there (resolved again)
    "short-name-uncovered": (
        "2024年2月1日\n记者走进星澜，看到工人正在忙碌。\n",
        "2024年3月1日\n嘉兴星澜新材料科技有限公司在平湖揭牌。\n",
        "a new short name found in a kept page"),
    # a new unit of a kept university (a new sub-organisation pair, no earlier partnership)
    "new-sub-organisation": (
        "2024年2月1日\n云溪大学甲乙研究院发布成果。\n",
        "2024年3月1日\n云溪大学丙丁研究院发布成果。\n", ""),
}


@pytest.mark.parametrize("case", list(_FOLLOWED))
def test_a_new_page_that_changes_no_earlier_decision_takes_the_fast_path(
        case: str, tmp_path: Path) -> None:
    """A known trade name under a new key, a new short name printed in a kept page, a new
    sub-organisation pair: followed when no earlier decision changes, else resolved again;
    either way a full build's result, byte for byte."""
    base, added, reason = _FOLLOWED[case]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(first, corpus / first.name)
    shutil.copy(SEEDS / "articles.toml", corpus / "articles.toml")
    (corpus / "y_base.txt").write_text(base, encoding="utf-8")
    src, out, opts = _built_once(corpus, tmp_path)
    (src / "zz_added.txt").write_text(added, encoding="utf-8")
    built = build_into(src, out, opts)
    if reason:
        assert built.corpus.kept == 0 and reason in built.resolved_again[0]
    else:
        assert built.corpus.kept == 2 and not built.resolved_again, built.resolved_again
    _same_as_full(out, src, tmp_path)
