"""The ``kg:`` vocabulary as a closed rdflib namespace, and loaders for the ontology files.

``KG`` lists every class and property declared in ``kg/ontology/pinghu.ttl``; any other attribute
(e.g. a misspelling such as ``KG.Enterprize``) raises :class:`AttributeError`. Nothing is read
from disk at import time: call :func:`load_ontology` / :func:`load_shapes` when needed.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH, DefinedNamespace, Namespace

from .io import package_dir

#: Directory holding the Turtle files of the ontology and the SHACL shapes (package data, found
#: through importlib.resources).
ONTOLOGY_DIR: Path = package_dir("ontology")
#: The OWL ontology (``kg:`` classes and properties).
ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "pinghu.ttl"
#: The SHACL shapes every build must satisfy.
SHAPES_FILE: Path = ONTOLOGY_DIR / "shapes.ttl"

#: IRI of the ontology document.
ONTOLOGY_IRI: str = "https://w3id.org/pinghu-kg/ontology"
#: Namespace of the SHACL shapes.
KGSH: Namespace = Namespace("https://w3id.org/pinghu-kg/shapes#")
#: Base under which entity, article and assertion IRIs are minted.
ID: Namespace = Namespace("https://w3id.org/pinghu-kg/id/")


class KG(DefinedNamespace):
    """Closed namespace of the Pinghu knowledge-graph ontology (``kg:``)."""

    _NS = Namespace("https://w3id.org/pinghu-kg/ontology#")
    _fail = True

    # --- entity classes --------------------------------------------------------------------
    Organization: URIRef  # abstract superclass of the organisation types
    Enterprise: URIRef
    University: URIRef
    ResearchInstitute: URIRef
    GovernmentBody: URIRef
    Platform: URIRef
    Fund: URIRef
    FinancialInstitution: URIRef
    Person: URIRef
    Event: URIRef
    Program: URIRef
    Award: URIRef
    Place: URIRef
    Industry: URIRef
    Media: URIRef

    # --- documents, provenance, n-ary records ----------------------------------------------
    Article: URIRef
    Assertion: URIRef
    Post: URIRef
    KeyFigure: URIRef
    Investment: URIRef
    Agreement: URIRef
    AwardGrant: URIRef

    # --- relation predicates (object properties) --------------------------------------------
    cofounded: URIRef
    founded: URIRef
    locatedIn: URIRef
    investedIn: URIRef
    incubatedBy: URIRef
    cooperatesWith: URIRef
    signedAgreementWith: URIRef
    introducedBy: URIRef
    subOrganizationOf: URIRef
    holdsPost: URIRef
    hasAward: URIRef
    participatedIn: URIRef
    supports: URIRef
    servesClient: URIRef
    focusIndustry: URIRef
    partOfProgram: URIRef
    supplies: URIRef

    # --- provenance and n-ary object properties ---------------------------------------------
    assertedIn: URIRef  # Assertion -> Article
    person: URIRef  # Post -> Person
    organization: URIRef  # Post -> organisation
    party: URIRef  # Agreement -> party
    investor: URIRef  # Investment -> investor
    investee: URIRef  # Investment -> investee
    recipient: URIRef  # AwardGrant -> recipient
    award: URIRef  # AwardGrant -> Award
    about: URIRef  # KeyFigure -> entity
    metric: URIRef  # entity -> KeyFigure
    scope: URIRef  # Assertion -> Place: the place a government body acted for (我市 …)
    jurisdiction: URIRef  # GovernmentBody -> Place it governs

    # --- datatype properties: evidence and provenance ----------------------------------------
    evidence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    rule: URIRef
    confidence: URIRef
    sourceFile: URIRef
    sentenceIndex: URIRef
    dateBasis: URIRef
    mergeRule: URIRef
    newsStaff: URIRef  # Person -> true: credited on a news page, not an ecosystem actor

    # --- datatype properties: anatomy of an organisation name -------------------------------
    tradeName: URIRef
    placeName: URIRef
    legalForm: URIRef
    industryWord: URIRef
    orgSuffix: URIRef

    # --- datatype properties: qualifiers and key figures ------------------------------------
    role: URIRef
    year: URIRef
    timeBasis: URIRef
    amount: URIRef
    amountText: URIRef
    qualifier: URIRef
    minAmount: URIRef
    maxAmount: URIRef
    figureText: URIRef
    round: URIRef  # Investment -> funding round as printed (天使, Pre-A, B+)


def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def load_ontology() -> Graph:
    """Parse ``kg/ontology/pinghu.ttl`` and return it as a fresh :class:`rdflib.Graph`."""
    return _parse(ONTOLOGY_FILE)


def load_shapes() -> Graph:
    """Parse ``kg/ontology/shapes.ttl`` and return it as a fresh :class:`rdflib.Graph`."""
    return _parse(SHAPES_FILE)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def validation_shapes() -> Graph:
    """The SHACL shapes as handed to pyshacl: :func:`load_shapes` with every property shape of
    a targeted node shape given that node shape's targets instead of being reached through
    ``sh:property``.

    The two forms validate the same focus nodes against the same constraints: a node shape's
    ``sh:property`` constraint holds exactly when each of its property shapes holds on the
    focus node (node shapes that other shapes refer to are left nested). So they give the same
    verdict and the same results, each from the same property shape. pyshacl builds a property
    shape's constraints once per call: reached through ``sh:property`` it is called once per
    focus node, with its own targets once per shape (the seeds: 1.9 → 0.7 s).
    """
    graph = load_shapes()
    # a node shape that something else refers to (sh:node, sh:or lists, ...) stays as it is
    nested = {n for n in graph.subjects(SH.property, None) if (None, None, n) not in graph}
    for node in sorted(nested):
        targets = [(p, o) for p in _TARGETS for o in graph.objects(node, p)]
        if not targets:
            continue
        for prop in list(graph.objects(node, SH.property)):
            graph.remove((node, SH.property, prop))
            for p, o in targets:
                graph.add((prop, p, o))
    return graph
