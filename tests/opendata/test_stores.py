"""The open-data services on each store (SQLite and PostgreSQL): the packages with their
groups and publication dates, a harvester's modified-since query over the stored timestamps,
and a DCAT-AP catalog that conforms to the shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from gongxin.opendata import ckan, dcat
from gongxin.opendata.packages import packages
from gongxin.settings import Settings
from tests.intake.helpers import catalog, open_store, penalty_row
from tests.opendata.test_dcat_shapes import SHAPES

BASE = "https://credit.example.gov.cn"


def test_packages_groups_and_catalog_on_each_store(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var")
    for store in open_store(db_url, tmp_path):
        path = store.penalties("p.csv", [penalty_row(1), penalty_row(2)])
        assert store.ingest(path).accepted == 2
        with store.engine.connect() as conn:
            pkgs = packages(conn, catalog(), settings)
    context = ckan.Context(pkgs, settings, BASE, datetime.now(UTC))

    def call(name: str, **data: Any) -> Any:
        return ckan.call(name, context, data)

    penalty = call("package_show", id="penalty")
    assert [g["name"] for g in penalty["groups"]] == ["administrative-decisions"]
    group = call("group_show", id="administrative-decisions", include_datasets=True)
    assert {p["name"] for p in group["packages"]} == {"penalty", "licence"}

    modified = datetime.fromisoformat(penalty["metadata_modified"]).replace(tzinfo=UTC)
    assert modified > datetime(2025, 1, 15, tzinfo=UTC)  # the submission, not the publication
    since = (modified - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fq = f"groups:administrative-decisions metadata_modified:[{since} TO *]"
    found = call("package_search", fq=fq, sort="id asc", rows=2000)
    assert [p["name"] for p in found["results"]] == ["penalty"]  # licence has no submission

    graph = dcat.catalog_graph(pkgs, BASE, settings)
    node = next(
        d for d in graph.subjects(RDF.type, DCAT.Dataset) if str(d).endswith("#penalty")
    )  # fmt: skip
    issued = graph.value(node, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.date
    assert issued.toPython() == date(2025, 1, 15)
    shapes = Graph()
    for name in ("3.0.1-shapes.ttl", "3.0.1-range.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="rdfs")
    assert conforms, text
