"""The DCAT-AP catalog conforms to the official DCAT-AP 3.0.1 SHACL shapes (read from
../shared/data/dcat-ap beside the checkout): the base shapes and the range shapes, validated
together with pyshacl as the DCAT-AP documentation recommends, for Turtle and JSON-LD alike."""

from __future__ import annotations

import warnings
from datetime import date

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, SKOS, XSD

from gongxin.clock import local_date
from tests.conftest import PROJECT_ROOT
from tests.intake.helpers import catalog
from tests.opendata.conftest import Server

SHAPES = PROJECT_ROOT.parent / "shared" / "data" / "dcat-ap"
OPEN = {spec.code: spec for spec in catalog() if spec.open}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    if not SHAPES.is_dir():
        pytest.fail(f"DCAT-AP shapes not found at {SHAPES}: the checkout needs shared/ beside it")
    graph = Graph()
    for name in ("3.0.1-shapes.ttl", "3.0.1-range.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def parse_json_ld(text: str) -> Graph:
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=text, format="json-ld")


@pytest.fixture(scope="module")
def graphs(server: Server) -> dict[str, Graph]:
    turtle = httpx.get(f"{server.url}/catalog.ttl")
    jsonld = httpx.get(f"{server.url}/catalog.jsonld")
    assert turtle.status_code == jsonld.status_code == 200
    return {
        "turtle": Graph().parse(data=turtle.text, format="turtle"),
        "json-ld": parse_json_ld(jsonld.text),
    }


def violations(data: Graph, shapes: Graph) -> list[str]:
    """The violations pyshacl finds, one line each (focus node, path, value, message)."""
    _, report, _ = validate(data, shacl_graph=shapes, inference="rdfs", advanced=True)
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        parts = (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage)
        found.append(" | ".join(str(report.value(result, p)) for p in parts))
    return sorted(found)


@pytest.mark.parametrize("syntax", ["turtle", "json-ld"])
def test_the_catalog_conforms_to_the_base_and_range_shapes(
    graphs: dict[str, Graph], shapes: Graph, syntax: str
) -> None:
    assert violations(graphs[syntax], shapes) == []


def test_the_recommended_properties_are_there(graphs: dict[str, Graph]) -> None:
    """The recommended shapes (warnings) find nothing missing but the licence's type, which
    depends on the licence a deployment configures."""
    recommended = Graph().parse(SHAPES / "3.0.1-shapes-recommended.ttl", format="turtle")
    _, report, _ = validate(graphs["turtle"], shacl_graph=recommended, inference="rdfs")
    assert isinstance(report, Graph)
    missing = {
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    assert missing == {("https://creativecommons.org/licenses/by/4.0/", str(DCTERMS.type))}


def test_the_shapes_catch_what_dcat_ap_forbids(graphs: dict[str, Graph], shapes: Graph) -> None:
    """The check is live: a literal conformsTo, an untyped theme and a missing title are
    each reported."""
    graph = Graph()
    for triple in graphs["turtle"]:
        graph.add(triple)
    dataset = next(iter(graph.subjects(RDF.type, DCAT.Dataset)))
    graph.add((dataset, DCTERMS.conformsTo, Literal("penalty 2021")))
    graph.add((dataset, DCAT.theme, URIRef("https://example.org/untyped-theme")))
    for title in list(graph.objects(dataset, DCTERMS.title)):
        graph.remove((dataset, DCTERMS.title, title))
    found = violations(graph, shapes)
    paths = {line.split(" | ")[1] for line in found}
    assert {str(DCTERMS.conformsTo), str(DCAT.theme), str(DCTERMS.title)} <= paths
    assert any("untyped-theme" in line for line in found)
    assert any("penalty 2021" in line for line in found)


def test_issued_is_the_publication_date_in_china(graphs: dict[str, Graph]) -> None:
    """Published on 2025-01-15 in China: not 2025-01-14, the UTC date of Beijing midnight."""
    graph = graphs["turtle"]
    seen = set()
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        (code,) = {str(i) for i in graph.objects(dataset, DCTERMS.identifier)} & set(OPEN)
        issued = graph.value(dataset, DCTERMS.issued)
        assert isinstance(issued, Literal) and issued.datatype == XSD.date, issued
        resource = OPEN[code].resource
        assert resource is not None and resource.published == date(2025, 1, 15)
        assert issued.toPython() == resource.published, code
        seen.add(code)
    assert seen == set(OPEN)


def test_themes_standards_and_agents_are_typed_resources(graphs: dict[str, Graph]) -> None:
    graph = graphs["turtle"]
    penalty = next(
        d for d in graph.subjects(RDF.type, DCAT.Dataset)
        if (d, DCTERMS.identifier, Literal("penalty")) in graph
    )  # fmt: skip
    standard = graph.value(penalty, DCTERMS.conformsTo)
    assert isinstance(standard, URIRef) and (standard, RDF.type, DCTERMS.Standard) in graph
    themes = set(graph.objects(penalty, DCAT.theme))
    assert all(isinstance(t, URIRef) and (t, RDF.type, SKOS.Concept) in graph for t in themes)
    labels = {str(label) for t in themes for label in graph.objects(t, SKOS.prefLabel)}
    assert "行政管理信息" in labels
    catalog_node = next(iter(graph.subjects(RDF.type, DCAT.Catalog)))
    schemes = set(graph.objects(catalog_node, DCAT.themeTaxonomy))
    assert {graph.value(t, SKOS.inScheme) for t in themes} <= schemes
    publisher = graph.value(penalty, DCTERMS.publisher)
    assert graph.value(publisher, DCTERMS.type) is not None
    assert graph.value(penalty, DCTERMS.spatial) is not None
    period = graph.value(penalty, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal(
        OPEN["penalty"].effective_from, datatype=XSD.date
    )
    modified = graph.value(penalty, DCTERMS.modified)
    assert isinstance(modified, Literal)
    end = local_date(modified.toPython())  # the day in China of the latest update
    assert graph.value(period, DCAT.endDate) == Literal(end, datatype=XSD.date)
    availability = URIRef("http://data.europa.eu/r5r/availability")
    for dist in graph.objects(penalty, DCAT.distribution):
        assert graph.value(dist, availability) is not None
