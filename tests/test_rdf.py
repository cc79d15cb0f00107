"""RDF minting, the dataset, SHACL and the store."""

from __future__ import annotations

from rdflib import RDF

from kg.model import Entity
from kg.rdf import entity_iri, slug
from kg.store import QueryError, memory_store, run_query
from kg.vocab import KG


def test_slug_keeps_cjk_and_escapes_the_rest() -> None:
    assert slug("平湖市") == "平湖市"
    assert " " not in slug("a b")
    assert "/" not in slug("a/b") and "<" not in slug("<x>")


def test_entity_iri_is_deterministic_and_readable() -> None:
    e = Entity(key="k", name="市科技局", type="GovernmentBody")
    assert entity_iri(e) == entity_iri(Entity(key="k2", name="市科技局", type="GovernmentBody"))
    assert str(entity_iri(e)).endswith("/entity/GovernmentBody/市科技局")


def test_seed_build_conforms(seed_build) -> None:
    assert seed_build.conforms, seed_build.validation_text[:2000]
    assert seed_build.triples > 1000


def test_every_assertion_has_provenance(seed_build) -> None:
    store = memory_store(seed_build.nquads)
    rows = run_query(
        store,
        """SELECT (COUNT(?a) AS ?n) WHERE { ?a a kg:Assertion .
        FILTER NOT EXISTS { ?a kg:assertedIn ?art ; kg:evidence ?e ; kg:startOffset ?s ;
                            kg:endOffset ?t ; kg:rule ?r ; kg:confidence ?c } }""",
    ).rows
    assert rows[0][0] == "0"


def test_plain_triple_and_reified_assertion_agree(seed_build) -> None:
    store = memory_store(seed_build.nquads)
    rows = run_query(
        store,
        """SELECT (COUNT(?a) AS ?n) WHERE { ?a a kg:Assertion ;
        rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . FILTER(?p != kg:metric)
        FILTER NOT EXISTS { ?s ?p ?o } }""",
    ).rows
    assert rows[0][0] == "0"


def test_every_surface_form_is_an_alt_label(seed_build) -> None:
    from rdflib import SKOS, Dataset, Literal

    ds = Dataset()
    ds.parse(data=seed_build.nquads, format="nquads")
    res = seed_build.resolution
    ent = next(e for e in res.entities.values() if e.aliases and e.type != "Industry")
    iri = next(
        s
        for s, _, _, _ in ds.quads((None, RDF.type, getattr(KG, ent.type), None))
        if str(s).endswith(slug(ent.name))
    )
    alts = {str(o) for _, _, o, _ in ds.quads((iri, SKOS.altLabel, None, None))}
    assert {a for a in ent.aliases if a != ent.name} <= alts
    assert Literal(ent.name, lang="zh")


def test_malformed_query_raises_query_error() -> None:
    store = memory_store("")
    try:
        run_query(store, "SELECT WHERE")
    except QueryError as exc:
        assert "malformed" in str(exc)
    else:
        raise AssertionError("no error")


def test_posts_are_n_ary_records_with_role_and_year(seed_build) -> None:
    store = memory_store(seed_build.nquads)
    rows = run_query(
        store,
        """SELECT ?person ?role ?year ?basis WHERE { ?p a kg:Post ; kg:person/rdfs:label ?person ;
           kg:organization ?o ; kg:role ?role ; kg:year ?year ; kg:timeBasis ?basis ;
           prov:wasDerivedFrom ?a . ?a a kg:Assertion ; kg:evidence ?e }""",
    ).rows
    assert rows
    assert all(r[2] and r[3] in ("stated", "relative", "publication") for r in rows)


def test_key_figures_carry_cny_amounts(seed_build) -> None:
    store = memory_store(seed_build.nquads)
    rows = run_query(
        store,
        """SELECT ?text ?amount WHERE { ?f a kg:KeyFigure ; kg:figureText ?text ;
           kg:amount ?amount }""",
    ).rows
    assert rows
    from decimal import Decimal

    assert all(Decimal(a) > 0 for _, a in rows)


def test_quad_sink_matches_the_rdflib_dataset(seed_corpus) -> None:
    """The fast writer and the rdflib dataset give byte-identical N-Quads."""
    from kg.build import article_metas, resolve_corpus
    from kg.rdf import build_dataset, build_quads, serialize_sorted_nquads

    res = resolve_corpus(seed_corpus)
    metas = article_metas(seed_corpus)
    slow = serialize_sorted_nquads(build_dataset(res.entities.values(), res.relations, metas))
    assert build_quads(res.entities.values(), res.relations, metas) == slow


def test_build_shards_are_the_text_split_by_graph(seed_build) -> None:
    """The shards a build keeps while writing are what splitting its N-Quads gives, and SHACL
    gets the same units from either."""
    from kg.build import nquads_shards, validation_units

    parsed = nquads_shards(seed_build.nquads)
    kept = seed_build.shards
    assert kept is not None and list(kept) == list(parsed)
    assert all(kept[k] == parsed[k] and kept.lines(k) == parsed.lines(k) for k in parsed)
    assert "".join(sorted(r for k in kept for r in kept[k].splitlines(True))) == seed_build.nquads
    for limit in (3000, 10**6):
        assert validation_units(seed_build.nquads, limit, kept) == validation_units(
            seed_build.nquads, limit
        )


def test_shards_split_lines_at_newlines_only() -> None:
    """A literal may hold U+2028 or a form feed: only "\\n" ends an N-Quads line."""
    from kg.build import nquads_shards

    nq = (
        '<a> <p> "x\u2028y\x0cz" <https://w3id.org/pinghu-kg/id/graph/p/0> .\n'
        "<a> <p> <b> <https://w3id.org/pinghu-kg/id/graph/p/1> .\n"
    )
    shards = nquads_shards(nq)
    assert shards.lines("graph_p_0") == 1 and shards.lines("graph_p_1") == 1
    assert shards["graph_p_0"] + shards["graph_p_1"] == nq


def test_turtle_and_trig_hold_the_same_statements(built_output) -> None:
    import pyoxigraph as ox

    nq = list(ox.parse((built_output / "pinghu.nq").read_bytes(), format=ox.RdfFormat.N_QUADS))
    trig = list(ox.parse((built_output / "pinghu.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    ttl = list(ox.parse((built_output / "pinghu.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert sorted(map(str, nq)) == sorted(map(str, trig))
    assert len(ttl) == len({q.triple for q in nq})


def test_validation_samples_big_graphs(seed_build) -> None:
    from kg.build import validation_graph

    g, scope = validation_graph(seed_build.nquads, limit=3000)
    assert "sample" in scope and 0 < len(g) <= 3000 + 1500
    g_all, scope_all = validation_graph(seed_build.nquads)
    assert scope_all.startswith("all") and len(g_all) == seed_build.triples


def test_validation_memory_checks_only_what_changed(seed_build, tmp_path) -> None:
    from kg.build import ShaclMemory, validate_nquads, validation_units

    nq = seed_build.nquads
    first = ShaclMemory(tmp_path)
    ok, report = validate_nquads(nq, memory=first)
    units, _ = validation_units(nq)
    assert ok and first.checked == len(units) and first.reused == 0
    again = ShaclMemory(tmp_path)  # a later build: read back from disk
    ok2, report2 = validate_nquads(nq, memory=again)
    assert ok2 and report2 == report and again.checked == 0 and again.reused == len(units)
    # an article graph changes and stays valid: it alone is checked, with what its entity
    # shapes need (the linked entities' classes and labels) although their units are known
    ev = next(ln for ln in nq.splitlines() if "#evidence>" in ln and "Post" not in ln)
    edited = nq.replace(ev, ev.replace('"', '"edited ', 1))
    second = ShaclMemory(tmp_path)
    ok_e, report_e = validate_nquads(edited, memory=second)
    assert ok_e and report_e == report and second.checked == 1, report_e
    validate_nquads(nq, memory=ShaclMemory(tmp_path))  # back to the seeds' units
    # one article graph loses its title: only that unit is checked, and it fails
    line = next(ln for ln in nq.splitlines() if "/title>" in ln)
    broken = nq.replace(line + "\n", "")
    third = ShaclMemory(tmp_path)
    ok3, report3 = validate_nquads(broken, memory=third)
    assert not ok3 and third.checked == 1 and "Conforms: False" in report3
    # a failed check is not remembered
    fourth = ShaclMemory(tmp_path)
    assert not validate_nquads(broken, memory=fourth)[0] and fourth.checked == 1


def test_validation_units_cover_the_sample(seed_build) -> None:
    from kg.build import validation_graph, validation_units

    units, scope = validation_units(seed_build.nquads, limit=3000)
    g, scope2 = validation_graph(seed_build.nquads, limit=3000)
    assert scope == scope2 and "sample" in scope
    # every article unit carries the classes of the entities it links to
    article_units = [u for u in units.values() if "/graph/" in u or "Article>" in u]
    assert article_units and all("22-rdf-syntax-ns#type>" in u for u in article_units)


def test_shacl_graph_has_the_terms_rdflib_would_parse(seed_build) -> None:
    """The graph SHACL checks is parsed by Oxigraph: the same terms as rdflib's own parser."""
    from rdflib import Graph

    from kg.build import _as_triple, _graph_of

    tricky = (
        '<http://x/s> <http://x/p> "引号\\"与\\\\反斜杠\\n换行" .\n'
        '<http://x/s> <http://x/p> "3.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
        '<http://x/s> <http://x/p> "2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
        '<http://x/s> <http://x/p> "平湖"@zh .\n'
        "_:b1 <http://x/p> <http://x/o> .\n"
    )
    seeds = "".join(_as_triple(ln) for ln in seed_build.nquads.splitlines())
    for text in (seeds, tricky):
        ours = _graph_of([text])
        theirs = Graph().parse(data=text, format="nt")
        assert len(ours) == len(theirs)
        if "_:" not in text:
            assert set(ours) == set(theirs)
        else:
            from rdflib.compare import isomorphic

            assert isomorphic(ours, theirs)
    # "x"^^xsd:string is the simple literal "x" (RDF 1.1), as our writer always spells it
    explicit = '<http://x/s> <http://x/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    assert set(_graph_of([explicit])) == set(Graph().parse(data=explicit.replace(
        "^^<http://www.w3.org/2001/XMLSchema#string>", ""), format="nt"))


def test_sentence_times_skip_only_sentences_without_dates(seed_corpus) -> None:
    """The quick check of :func:`kg.extract.quantities.sentence_times` (年, 月 or a digit)
    never changes its answer: every seed sentence, and dates written with full-width digits,
    ISO-style or as a bare month."""
    from kg.extract.quantities import TimeRef, _times, sentence_times

    sentences = [s.text for ex in seed_corpus.extractions for a in ex.page.articles
                 for s in a.sentences]
    sentences += ["会议于２０２１－０３－０５召开。", "签约仪式定于2022/3/5举行。", "5月起实施。",
                  "去年落户平湖。", "项目进展顺利。"]
    for s in sentences:
        assert sentence_times(s) == [t for t in _times(s, 0) if isinstance(t, TimeRef)], s


def test_fact_time_reads_the_records_qualifiers() -> None:
    """The writer only reads the time the extraction found: a stated year (with its month and
    day), a year relative to the publication, else the publication year."""
    from kg.rdf import fact_time

    stated = (("year", "2021"), ("month", "3"), ("day", "5"), ("time", "stated"))
    assert fact_time(stated, "2023-06-01") == ("2021", "2021-03-05", "stated")
    assert fact_time((("year_offset", "-1"), ("month", "3"), ("time", "relative")),
                     "2023-06-01") == ("2022", "2022-03", "relative")
    assert fact_time((), "2023-06-01") == ("2023", "2023-06-01", "publication")
    assert fact_time((("year_offset", "-1"),), "unknown") == ("", "", "")
    assert fact_time((("year", "2021"), ("month", "2"), ("day", "30")), "2023")[1] == "2021-02"


def test_trig_from_shards_is_trig_from_the_text(seed_build) -> None:
    """TriG written graph by graph from the shards is byte for byte the TriG of the whole
    text ordered by graph; shards whose graph order is unknown fall back to that."""
    from kg.build import nquads_shards
    from kg.rdf import Shards, trig_of

    nq = seed_build.nquads
    assert seed_build.shards is not None and seed_build.shards.by_graph() is not None
    assert trig_of(nq, seed_build.shards) == trig_of(nq) == seed_build.trig
    assert trig_of(nq, nquads_shards(nq)) == seed_build.trig
    assert Shards({"a": []}).by_graph() is None  # graphs not known


def test_forked_returns_the_value_and_survives_a_dead_child() -> None:
    import os
    import signal

    from kg.build import Forked

    assert Forked(sorted, [3, 1, 2]).result() == [1, 2, 3]
    job = Forked(pow, 2, 10)
    if job._pid:  # kill the child before it answers: the value is computed here
        os.kill(job._pid, signal.SIGKILL)
    assert job.result() == 1024
    waiting = Forked(__import__("time").sleep, 30)
    waiting.cancel()  # returns at once, the child is gone
    assert waiting._pid == 0


def test_shards_hold_only_graphs_with_statements() -> None:
    """A graph the writer was asked for but given nothing is not a shard (a fresh store would
    not have it either); a default-graph statement leaves the graph order unknown."""
    from rdflib import Literal, URIRef

    from kg.build import nquads_shards
    from kg.rdf import QuadSink, trig_of

    sink = QuadSink()
    sink.graph(URIRef("https://w3id.org/pinghu-kg/id/graph/empty"))
    g = sink.graph(URIRef("https://w3id.org/pinghu-kg/id/graph/p/0"))
    g.add((URIRef("http://x/s"), URIRef("http://x/p"), Literal("o")))
    text, shards = sink.finish()
    assert list(shards) == ["graph_p_0"]
    assert shards.graphs == {"https://w3id.org/pinghu-kg/id/graph/p/0"}
    mixed = "<http://x/s> <http://x/p> <http://a> .\n" + text
    split = nquads_shards(mixed)
    assert split.by_graph() is None and not split.graphs
    assert trig_of(mixed, split) == trig_of(mixed)


def test_the_home_city_acts_through_its_government(seed_build) -> None:
    """Issue #19.3: in the graph the Place 平湖市 founds, co-founds, signs, cooperates with,
    supports or invests in nothing (nor is it their partner): its government does, and the
    place is the scope of those facts."""
    store = memory_store(seed_build.nquads)
    acts = ("kg:founded", "kg:cofounded", "kg:cooperatesWith", "kg:signedAgreementWith",
            "kg:supports", "kg:investedIn")
    rows = run_query(store, f"""SELECT ?a WHERE {{
        ?place a kg:Place ; rdfs:label "平湖市"@zh .
        {{ ?a rdf:subject ?place ; rdf:predicate ?p . VALUES ?p {{ {' '.join(acts)} }} }}
        UNION {{ ?place ?p ?o . VALUES ?p {{ {' '.join(acts)} }} }}
        UNION {{ ?a rdf:object ?place ; rdf:predicate ?q .
                 VALUES ?q {{ kg:cooperatesWith kg:signedAgreementWith }} }} }}""").rows
    assert not rows
    rows = run_query(store, """SELECT (COUNT(?a) AS ?n) WHERE {
        ?gov a kg:GovernmentBody ; rdfs:label "平湖市人民政府"@zh ; kg:jurisdiction ?place .
        ?place rdfs:label "平湖市"@zh .
        ?a rdf:subject ?gov ; rdf:predicate kg:cofounded ; kg:scope ?place }""").rows
    assert int(rows[0][0]) > 0


def test_events_carry_the_date_their_sentences_state(tmp_path) -> None:
    """An event is dated by the sentence that reports it (stated beats publication), and one
    with no dated fact by the first article that names it."""
    from kg.build import build_graph, extract_corpus

    (tmp_path / "p.txt").write_text(
        "2024年5月8日 星期三\n\n标题\n\n"
        "2023年3月27日，甲乙大学副校长张海峰出席丙丁研究中心揭牌仪式。\n"
        "戊己论坛将于近期举行。\n", encoding="utf-8")
    st = memory_store(build_graph(extract_corpus([tmp_path])).nquads)
    rows = {r[0]: (r[1], r[2]) for r in run_query(st, """
        SELECT ?name (STR(?d) AS ?date) ?basis WHERE { ?e a kg:Event ; rdfs:label ?name ;
          <https://schema.org/startDate> ?d ; kg:timeBasis ?basis }""").rows}
    assert rows["丙丁研究中心揭牌仪式"] == ("2023-03-27", "stated")
    assert all(basis in {"stated", "relative", "publication"} for _, basis in rows.values())
