"""Tests of the OWL ontology, the closed ``KG`` namespace and the SHACL shapes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.model import ENTITY_TYPES, PREDICATES
from kg.vocab import (
    KG,
    ONTOLOGY_FILE,
    SHAPES_FILE,
    load_ontology,
    load_shapes,
    validation_shapes,
)

NS = "https://w3id.org/pinghu-kg/ontology#"
ID = Namespace("https://w3id.org/pinghu-kg/id/")
SCHEMA = Namespace("https://schema.org/")
XSD_NS = Namespace("http://www.w3.org/2001/XMLSchema#")
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module", params=["as written", "as validated"])
def shapes(request: pytest.FixtureRequest) -> Graph:
    """Every shape test runs on ``shapes.ttl`` as written and on the form the build hands to
    pyshacl (:func:`kg.vocab.validation_shapes`)."""
    return load_shapes() if request.param == "as written" else validation_shapes()


def declared_terms(graph: Graph) -> set[str]:
    """Local names of all ``kg:`` terms declared as a class or property in ``graph``."""
    names: set[str] = set()
    for kind in DECLARATION_TYPES:
        for term in graph.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and str(term).startswith(NS):
                names.add(str(term)[len(NS) :])
    return names


def kg_names() -> set[str]:
    return set(KG.__annotations__)


# --- ontology ------------------------------------------------------------------------------


def test_files_exist() -> None:
    assert ONTOLOGY_FILE.is_file()
    assert SHAPES_FILE.is_file()


def test_ontology_parses(ontology: Graph) -> None:
    assert len(ontology) > 100
    assert (URIRef("https://w3id.org/pinghu-kg/ontology"), RDF.type, OWL.Ontology) in ontology


def test_shapes_parse(shapes: Graph) -> None:
    assert len(shapes) > 50


@pytest.mark.parametrize("name", ENTITY_TYPES)
def test_entity_type_is_class(ontology: Graph, name: str) -> None:
    assert (URIRef(NS + name), RDF.type, OWL.Class) in ontology
    assert getattr(KG, name) == URIRef(NS + name)


@pytest.mark.parametrize("name", PREDICATES)
def test_predicate_is_object_property(ontology: Graph, name: str) -> None:
    assert (URIRef(NS + name), RDF.type, OWL.ObjectProperty) in ontology
    assert getattr(KG, name) == URIRef(NS + name)


def test_ttl_terms_match_kg_namespace(ontology: Graph) -> None:
    declared = declared_terms(ontology)
    assert declared, "no kg: terms declared"
    assert declared - kg_names() == set(), "declared in pinghu.ttl but missing from KG"
    assert kg_names() - declared == set(), "in KG but not declared in pinghu.ttl"


def test_no_undeclared_kg_terms_used(ontology: Graph) -> None:
    declared = declared_terms(ontology)
    used = {
        str(term)[len(NS) :]
        for triple in ontology
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(NS)
    }
    assert used <= declared


@pytest.mark.parametrize("name", sorted(set(KG.__annotations__)))
def test_term_is_documented(ontology: Graph, name: str) -> None:
    term = URIRef(NS + name)
    labels = list(ontology.objects(term, RDFS.label))
    langs = {label.language for label in labels if isinstance(label, Literal)}
    assert {"zh", "en"} <= langs, f"{name} needs rdfs:label @zh and @en"
    comments = [c for c in ontology.objects(term, RDFS.comment) if isinstance(c, Literal)]
    assert any(c.language == "en" and str(c).strip() for c in comments), name


def test_entity_classes_pairwise_disjoint(ontology: Graph) -> None:
    members: set[URIRef] = set()
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members |= set(ontology.items(ontology.value(node, OWL.members)))
    assert members == {URIRef(NS + name) for name in ENTITY_TYPES}


def test_organisation_types_under_organization(ontology: Graph) -> None:
    for name in (
        "Enterprise",
        "University",
        "ResearchInstitute",
        "GovernmentBody",
        "Platform",
        "Fund",
        "FinancialInstitution",
        "Media",
    ):
        assert (KG[name], RDFS.subClassOf, KG.Organization) in ontology, name


def test_symmetric_properties(ontology: Graph) -> None:
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    assert symmetric == {KG.cooperatesWith, KG.signedAgreementWith}


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError):
        _ = KG.Enterprize
    with pytest.raises(AttributeError):
        _ = KG.locatedin


def test_kg_terms_are_uris() -> None:
    assert KG.Enterprise == URIRef(NS + "Enterprise")
    assert KG.assertedIn == URIRef(NS + "assertedIn")
    assert KG.Organization != KG.organization


# --- SHACL -----------------------------------------------------------------------------------


ENT = ID["e/enterprise-tianji"]
PLACE = ID["e/place-pinghu"]
ART = ID["a/000_76c65054079745a2-a00"]
ASSN = ID["r/0001"]


def valid_graph() -> Graph:
    """One Enterprise, one Place, one Article and a ``locatedIn`` assertion between them."""
    g = Graph()
    for node, cls, name in (
        (ENT, KG.Enterprise, "浙江天极集成电路技术有限公司"),
        (PLACE, KG.Place, "平湖市"),
    ):
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(name, lang="zh")))
        g.add((node, SKOS.prefLabel, Literal(name, lang="zh")))
    g.add((ENT, SKOS.altLabel, Literal("天极", lang="zh")))
    g.add((ENT, KG.tradeName, Literal("天极")))
    g.add((PLACE, SKOS.altLabel, Literal("平湖", lang="zh")))

    g.add((ART, RDF.type, KG.Article))
    g.add((ART, DCTERMS.title, Literal("科创平湖", lang="zh")))
    g.add((ART, KG.sourceFile, Literal("000_76c65054079745a2.txt")))
    g.add((ART, KG.startOffset, Literal(0)))
    g.add((ART, KG.endOffset, Literal(1200)))
    g.add((ART, SCHEMA.datePublished, Literal("2023-03-22", datatype=XSD_NS.date)))
    g.add((ART, KG.dateBasis, Literal("Stated in the page header.")))

    g.add((ENT, KG.locatedIn, PLACE))
    g.add((ASSN, RDF.type, KG.Assertion))
    g.add((ASSN, RDF.subject, ENT))
    g.add((ASSN, RDF.predicate, KG.locatedIn))
    g.add((ASSN, RDF.object, PLACE))
    g.add((ASSN, KG.assertedIn, ART))
    g.add((ASSN, KG.evidence, Literal("浙江天极集成电路技术有限公司落户平湖市")))
    g.add((ASSN, KG.startOffset, Literal(100)))
    g.add((ASSN, KG.endOffset, Literal(119)))
    g.add((ASSN, KG.rule, Literal("pattern:落户")))
    g.add((ASSN, KG.confidence, Literal(Decimal("0.9"))))
    g.add((ASSN, KG.sentenceIndex, Literal(3)))
    return g


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, str]:
    conforms, _results, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none"
    )
    return bool(conforms), str(text)


def test_valid_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, text = validate(valid_graph(), shapes, ontology)
    assert conforms, text


def test_valid_graph_with_gyear_date_conforms(shapes: Graph, ontology: Graph) -> None:
    g = valid_graph()
    g.set((ART, SCHEMA.datePublished, Literal("2023", datatype=XSD_NS.gYear)))
    conforms, text = validate(g, shapes, ontology)
    assert conforms, text


def _two_classes(g: Graph) -> None:
    g.add((ENT, RDF.type, KG.Place))


def _no_zh_label(g: Graph) -> None:
    g.remove((ENT, RDFS.label, None))
    g.add((ENT, RDFS.label, Literal("Zhejiang Tianji", lang="en")))


def _no_label(g: Graph) -> None:
    g.remove((ENT, RDFS.label, None))


def _two_zh_labels(g: Graph) -> None:
    g.add((ENT, RDFS.label, Literal("天极公司", lang="zh")))


def _entity_outside_id_space(g: Graph) -> None:
    other = URIRef("http://example.org/x")
    g.add((other, RDF.type, KG.Enterprise))
    g.add((other, RDFS.label, Literal("某公司", lang="zh")))


def _no_evidence(g: Graph) -> None:
    g.remove((ASSN, KG.evidence, None))


def _empty_evidence(g: Graph) -> None:
    g.set((ASSN, KG.evidence, Literal("")))


def _start_after_end(g: Graph) -> None:
    g.set((ASSN, KG.startOffset, Literal(200)))


def _start_equals_end(g: Graph) -> None:
    g.set((ASSN, KG.startOffset, Literal(119)))


def _negative_start(g: Graph) -> None:
    g.set((ASSN, KG.startOffset, Literal(-1)))


def _no_asserted_in(g: Graph) -> None:
    g.remove((ASSN, KG.assertedIn, None))


def _asserted_in_non_article(g: Graph) -> None:
    g.set((ASSN, KG.assertedIn, PLACE))


def _float_confidence(g: Graph) -> None:
    g.set((ASSN, KG.confidence, Literal(1.5)))


def _confidence_out_of_range(g: Graph) -> None:
    g.set((ASSN, KG.confidence, Literal(Decimal("1.5"))))


def _no_rule(g: Graph) -> None:
    g.remove((ASSN, KG.rule, None))


def _unknown_predicate(g: Graph) -> None:
    g.set((ASSN, RDF.predicate, RDFS.seeAlso))


def _article_without_date(g: Graph) -> None:
    g.remove((ART, SCHEMA.datePublished, None))


def _article_without_source_file(g: Graph) -> None:
    g.remove((ART, KG.sourceFile, None))


#: case -> (mutation of the valid graph, fragment of the expected violation message)
INVALID: dict[str, tuple[Callable[[Graph], None], str]] = {
    "two entity classes": (_two_classes, "more than one entity class"),
    "no zh label": (_no_zh_label, "exactly one rdfs:label, tagged @zh"),
    "no label": (_no_label, "exactly one rdfs:label, tagged @zh"),
    "two zh labels": (_two_zh_labels, "exactly one rdfs:label, tagged @zh"),
    "entity IRI outside id space": (_entity_outside_id_space, "IRI under https://w3id.org"),
    "assertion without evidence": (_no_evidence, "kg:evidence"),
    "assertion with empty evidence": (_empty_evidence, "kg:evidence"),
    "start > end": (_start_after_end, "must be less than kg:endOffset"),
    "start == end": (_start_equals_end, "must be less than kg:endOffset"),
    "negative start": (_negative_start, "kg:startOffset >= 0"),
    "assertion without assertedIn": (_no_asserted_in, "kg:assertedIn exactly one kg:Article"),
    "assertedIn a non-article": (_asserted_in_non_article, "kg:assertedIn exactly one kg:Article"),
    "confidence as xsd:double": (_float_confidence, "kg:confidence"),
    "confidence > 1": (_confidence_out_of_range, "kg:confidence"),
    "assertion without rule": (_no_rule, "kg:rule"),
    "unknown predicate": (_unknown_predicate, "rdf:predicate"),
    "article without date": (_article_without_date, "schema:datePublished"),
    "article without source file": (_article_without_source_file, "kg:sourceFile"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_graph_fails(shapes: Graph, ontology: Graph, case: str) -> None:
    mutate, expected = INVALID[case]
    g = valid_graph()
    mutate(g)
    conforms, text = validate(g, shapes, ontology)
    assert not conforms, f"{case}: expected a violation"
    assert expected in text, text
    assert "Validation Failure" not in text, text


def test_two_classes_reported_on_the_entity(shapes: Graph, ontology: Graph) -> None:
    g = valid_graph()
    _two_classes(g)
    conforms, text = validate(g, shapes, ontology)
    assert not conforms
    assert "more than one entity class" in text
    assert "Result Path: rdf:type" in text
    assert "IRI under" not in text


def test_nary_records_conform(shapes: Graph, ontology: Graph) -> None:
    g = valid_graph()
    person, post, figure = ID["e/person-cheng"], ID["post/0001"], ID["fig/0001"]
    g.add((person, RDF.type, KG.Person))
    g.add((person, RDFS.label, Literal("程传保", lang="zh")))
    g.add((post, RDF.type, KG.Post))
    g.add((post, KG.person, person))
    g.add((post, KG.organization, ENT))
    g.add((post, KG.role, Literal("局长")))
    g.add((post, KG.year, Literal("2023", datatype=XSD_NS.gYear)))
    g.add((post, KG.timeBasis, Literal("publication")))
    g.add((figure, RDF.type, KG.KeyFigure))
    g.add((ENT, KG.metric, figure))  # linked only via the inverse kg:metric
    g.add((figure, KG.figureText, Literal("全年实现产值近4亿元")))
    g.add((figure, KG.amount, Literal(Decimal("400000000"))))
    g.add((figure, KG.qualifier, Literal("近")))
    conforms, text = validate(g, shapes, ontology)
    assert conforms, text

    g.set((post, KG.timeBasis, Literal("guessed")))
    g.set((figure, KG.amount, Literal(4e8)))
    conforms, text = validate(g, shapes, ontology)
    assert not conforms
    assert "kg:timeBasis" in text and "kg:amount" in text


def _results(data: Graph, shapes: Graph, ontology: Graph) -> set[tuple[str, ...]]:
    """The violations as (focus node, path, value, message) tuples."""
    from rdflib.namespace import SH

    _c, report, _t = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none"
    )
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.add(
            tuple(
                str(report.value(r, p))
                for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage)
            )
        )
    return out


@pytest.mark.parametrize("case", sorted(INVALID))
def test_validated_shapes_report_what_the_written_ones_do(ontology: Graph, case: str) -> None:
    g = valid_graph()
    INVALID[case][0](g)
    written = _results(g, load_shapes(), ontology)
    assert written
    assert _results(g, validation_shapes(), ontology) == written


def test_validation_shapes_move_targets_onto_property_shapes() -> None:
    from rdflib.namespace import SH

    flat = validation_shapes()
    targeted = set(flat.subjects(SH.targetClass, KG.Assertion))
    assertion_shape = URIRef("https://w3id.org/pinghu-kg/shapes#AssertionShape")
    assert assertion_shape not in set(flat.subjects(SH.property, None))
    assert len(targeted) >= 10  # the assertion's property shapes, each with the target
