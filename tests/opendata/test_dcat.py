"""The DCAT-AP catalog parses with rdflib (Turtle and JSON-LD) and carries DCAT-AP's mandatory
classes and properties; the same check, run on a real published DCAT catalog, finds what that
catalog lacks, so it is not a check that passes anything."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from tests.intake.helpers import catalog
from tests.opendata.conftest import Server

OPEN = sorted(spec.code for spec in catalog() if spec.open)

# DCAT-AP 2.1 / 3.0: mandatory properties of the mandatory classes (and of Distribution).
MANDATORY = {
    DCAT.Catalog: (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset),
    DCAT.Dataset: (DCTERMS.title, DCTERMS.description),
    DCAT.Distribution: (DCAT.accessURL,),
    FOAF.Agent: (FOAF.name,),
}


def parse_json_ld(text: str) -> Graph:
    """rdflib's JSON-LD parser builds a ConjunctiveGraph internally, which rdflib 7 itself
    deprecates; that warning is rdflib's own business, not the catalog's."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=text, format="json-ld")


def mandatory_gaps(graph: Graph) -> set[tuple[str, str]]:
    """(class, property) pairs for which some instance lacks a mandatory property."""
    gaps: set[tuple[str, str]] = set()
    for klass, properties in MANDATORY.items():
        nodes = set(graph.subjects(RDF.type, klass))
        if klass in (DCAT.Catalog, DCAT.Dataset) and not nodes:
            gaps.add((klass.n3(graph.namespace_manager), "(no instance)"))
        for prop in properties:
            query = f"SELECT ?s WHERE {{ ?s a <{klass}> FILTER NOT EXISTS {{ ?s <{prop}> ?o }} }}"
            if list(graph.query(query)):
                gaps.add((klass.n3(graph.namespace_manager), prop.n3(graph.namespace_manager)))
    return gaps


@pytest.fixture(scope="module")
def graphs(server: Server) -> dict[str, Graph]:
    turtle = httpx.get(f"{server.url}/catalog.ttl")
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    jsonld = httpx.get(f"{server.url}/catalog.jsonld")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    return {
        "turtle": Graph().parse(data=turtle.text, format="turtle"),
        "json-ld": parse_json_ld(jsonld.text),
    }


@pytest.mark.parametrize("syntax", ["turtle", "json-ld"])
def test_the_catalog_has_every_mandatory_class_and_property(
    graphs: dict[str, Graph], syntax: str
) -> None:
    graph = graphs[syntax]
    assert mandatory_gaps(graph) == set()
    datasets = {str(o) for o in graph.objects(None, DCTERMS.identifier)}
    assert set(OPEN) <= datasets
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == len(OPEN)
    assert len(list(graph.subjects(RDF.type, DCAT.Distribution))) == 2 * len(OPEN)


def test_turtle_and_json_ld_are_the_same_graph(graphs: dict[str, Graph]) -> None:
    assert isomorphic(graphs["turtle"], graphs["json-ld"])


def test_datasets_carry_the_recommended_properties_in_chinese(graphs: dict[str, Graph]) -> None:
    graph = graphs["turtle"]
    penalty = next(
        d for d in graph.subjects(RDF.type, DCAT.Dataset)
        if (d, DCTERMS.identifier, Literal("penalty")) in graph
    )  # fmt: skip
    titles = {(str(t), t.language) for t in graph.objects(penalty, DCTERMS.title)}
    assert ("行政处罚", "zh") in titles
    assert all(k.language == "zh" for k in graph.objects(penalty, DCAT.keyword))
    frequency = graph.value(penalty, DCTERMS.accrualPeriodicity)
    assert frequency == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"
    )
    for prop in (DCTERMS.publisher, DCAT.contactPoint, DCTERMS.issued, DCTERMS.modified,
                 DCAT.theme, DCAT.landingPage):  # fmt: skip
        assert graph.value(penalty, prop) is not None, prop
    contact = graph.value(penalty, DCAT.contactPoint)
    assert str(graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    for dist in graph.objects(penalty, DCAT.distribution):
        for prop in (DCAT.downloadURL, DCTERMS.format, DCAT.mediaType, DCTERMS.license):
            assert graph.value(dist, prop) is not None, (dist, prop)


def test_download_urls_of_the_catalog_work(graphs: dict[str, Graph], server: Server) -> None:
    urls = sorted(str(u) for u in graphs["turtle"].objects(None, DCAT.downloadURL))
    assert len(urls) == 2 * len(OPEN)
    for url in urls:
        assert url.startswith(server.url)
        assert httpx.get(url).status_code == 200, url


# -- a real DCAT catalog: the US DOE ARM Data Center's data.json (DCAT-US 1.1) ----------------

# DCAT-US 1.1's JSON-LD context, the part its data.json uses, written out here (the published
# context is remote and the suite works offline).
DCAT_US_CONTEXT: dict[str, Any] = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF),
    "vcard": "http://www.w3.org/2006/vcard/ns#", "pod": "https://project-open-data.cio.gov/v1.1/schema#",
    "dataset": {"@id": "dcat:dataset", "@container": "@set"},
    "title": "dct:title", "description": "dct:description", "keyword": "dcat:keyword",
    "modified": "dct:modified", "identifier": "dct:identifier", "publisher": "dct:publisher",
    "name": "foaf:name", "contactPoint": "dcat:contactPoint", "fn": "vcard:fn",
    "hasEmail": {"@id": "vcard:hasEmail", "@type": "@id"},
    "distribution": "dcat:distribution", "format": "dct:format",
    "accessURL": {"@id": "dcat:accessURL", "@type": "@id"},
    "license": {"@id": "dct:license", "@type": "@id"}, "accessLevel": "pod:accessLevel",
}  # fmt: skip


@pytest.fixture(scope="module")
def real_catalog(real_data: Path) -> tuple[dict[str, Any], Graph]:
    doc = json.loads((real_data / "dcat-us" / "arm.data.json").read_text(encoding="utf-8"))
    doc["@context"] = DCAT_US_CONTEXT
    for item in doc["dataset"]:  # DCAT-US leaves the types of nested objects implicit
        item["publisher"]["@type"] = "foaf:Agent"
        for dist in item.get("distribution", []):
            dist["@type"] = "dcat:Distribution"
    return doc, parse_json_ld(json.dumps(doc))


def test_the_check_finds_what_a_real_catalog_lacks(real_catalog: tuple[Any, Graph]) -> None:
    doc, graph = real_catalog
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == len(doc["dataset"]) == 997
    # data.json has no catalog title, description or publisher: DCAT-AP requires them
    assert mandatory_gaps(graph) == {
        ("dcat:Catalog", "dct:title"),
        ("dcat:Catalog", "dct:description"),
        ("dcat:Catalog", "dct:publisher"),
    }


def test_we_describe_datasets_at_least_as_fully_as_a_real_catalog(
    real_catalog: tuple[Any, Graph], graphs: dict[str, Graph]
) -> None:
    """Every property the real catalog fills on all its datasets, ours fill too."""
    _, real = real_catalog
    ours = graphs["turtle"]

    def always_filled(graph: Graph) -> set[URIRef]:
        datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
        props = {p for d in datasets for p in graph.predicates(d) if isinstance(p, URIRef)}
        return {p for p in props if all((d, p, None) in graph for d in datasets)}

    standard = {p for p in always_filled(real) if str(p).startswith((str(DCAT), str(DCTERMS)))}
    assert {DCTERMS.title, DCTERMS.description, DCAT.keyword, DCAT.distribution} <= standard
    # DCAT-AP puts the licence on the distribution, where DCAT-US puts it on the dataset
    missing = standard - always_filled(ours) - {DCTERMS.license}
    assert missing == set()
    assert all(
        (d, DCTERMS.license, None) in ours for d in ours.subjects(RDF.type, DCAT.Distribution)
    )
