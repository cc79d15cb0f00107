"""The ``kg:`` vocabulary as a closed rdflib namespace, and loaders for the ontology files.

``KG`` lists every class and property declared in ``ontology/pinghu.ttl``; any other attribute
(e.g. a misspelling such as ``KG.Enterprize``) raises :class:`AttributeError`. Nothing is read
from disk at import time: call :func:`load_ontology` / :func:`load_shapes` when needed.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DefinedNamespace, Namespace

#: Directory holding the Turtle files of the ontology and the SHACL shapes.
ONTOLOGY_DIR: Path = Path(__file__).resolve().parent.parent / "ontology"
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


def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def load_ontology() -> Graph:
    """Parse ``ontology/pinghu.ttl`` and return it as a fresh :class:`rdflib.Graph`."""
    return _parse(ONTOLOGY_FILE)


def load_shapes() -> Graph:
    """Parse ``ontology/shapes.ttl`` and return it as a fresh :class:`rdflib.Graph`."""
    return _parse(SHAPES_FILE)
