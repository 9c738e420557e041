"""CKAN clients beyond single calls: the ckanapi command line dumping the whole site, a CKAN
harvester's gather query, and the read actions they use (group_*, resource_show, tag_show …)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import pytest

from tests.intake.helpers import catalog
from tests.opendata.conftest import Server

OPEN = sorted(spec.code for spec in catalog() if spec.open)
CKANAPI = Path(sys.executable).with_name("ckanapi")


@pytest.fixture(scope="module")
def ckan(server: Server) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(server.url)


def dump(server: Server, thing: str, folder: Path, *extra: str) -> list[dict[str, Any]]:
    """``ckanapi dump THING --all`` against the server, as a user runs it; the JSON lines."""
    out = folder / f"{thing}.jsonl"
    env = {**os.environ, "PATH": f"{CKANAPI.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(CKANAPI), "dump", thing, "--all", "-r", server.url, "-O", str(out), "-q", *extra],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_ckanapi_dumps_every_open_dataset(server: Server, tmp_path: Path) -> None:
    datasets = dump(server, "datasets", tmp_path)
    assert sorted(d["name"] for d in datasets) == OPEN
    penalty = next(d for d in datasets if d["name"] == "penalty")
    assert {r["format"] for r in penalty["resources"]} == {"CSV", "JSON"}
    assert penalty["groups"] and penalty["organization"]["name"]
    again = dump(server, "datasets", tmp_path, "-g", "-p", "2")  # GET requests, two workers
    assert sorted(d["name"] for d in again) == OPEN


def test_ckanapi_dumps_organizations_and_groups(server: Server, tmp_path: Path) -> None:
    orgs = dump(server, "organizations", tmp_path)
    assert sum(o["package_count"] for o in orgs) == len(OPEN)
    assert all(o["is_organization"] for o in orgs)
    groups = dump(server, "groups", tmp_path)
    assert sum(g["package_count"] for g in groups) == len(OPEN)
    titles = {g["title"] for g in groups}
    assert {spec.category for spec in catalog() if spec.open} == titles
    assert not any(g["is_organization"] for g in groups)


def gather(server: Server, fq: str) -> list[dict[str, Any]]:
    """A CKAN harvester's gather stage: package_search sorted by id, paged by start, with
    its filter terms and 'modified since' joined by spaces, asking for more rows than the
    server gives."""
    found: list[dict[str, Any]] = []
    start = 0
    while True:
        params = {"fq": fq, "sort": "id asc", "rows": "2000", "start": str(start)}
        answer = httpx.get(f"{server.url}/api/action/package_search", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["success"] is True
        page = body["result"]["results"]
        found.extend(page)
        start += len(page)
        if not page or start >= body["result"]["count"]:
            return found


def test_a_harvesters_gather_query(server: Server, ckan: ckanapi.RemoteCKAN) -> None:
    since = (datetime.now(UTC) - timedelta(days=30 * 365)).replace(tzinfo=None)
    everything = gather(server, f"metadata_modified:[{since.isoformat()}Z TO *]")
    assert sorted(p["name"] for p in everything) == OPEN
    assert [p["id"] for p in everything] == sorted(p["id"] for p in everything)

    future = gather(server, "metadata_modified:[2999-01-01T00:00:00.000000Z TO *]")
    assert future == []

    penalty = ckan.action.package_show(id="penalty")
    registration = ckan.action.package_show(id="registration")
    org_a, org_b = penalty["organization"]["name"], registration["organization"]["name"]
    modified = penalty["metadata_modified"]
    chosen = gather(
        server, f"organization:{org_a} OR organization:{org_b} "
        f"metadata_modified:[{modified}Z TO *]",
    )  # fmt: skip
    assert "penalty" in {p["name"] for p in chosen}
    assert all(p["organization"]["name"] in (org_a, org_b) for p in chosen)
    assert all(p["metadata_modified"] >= modified for p in chosen)
    later = gather(server, f"organization:{org_a} metadata_modified:{{{modified}Z TO *]")
    assert "penalty" not in {p["name"] for p in later}


def test_search_clauses_combine(ckan: ckanapi.RemoteCKAN) -> None:
    def names(**params: Any) -> set[str]:
        return {p["name"] for p in ckan.action.package_search(rows=1000, **params)["results"]}

    assert names(fq="name:penalty OR name:licence") == {"penalty", "licence"}
    assert names(fq="(name:penalty OR name:licence) AND -name:licence") == {"penalty"}
    assert names(fq="NOT name:penalty") == set(OPEN) - {"penalty"}
    assert names(q="*:*", fq="groups:administrative-decisions") == {"penalty", "licence"}
    assert names(fq="name:tax*") == {n for n in OPEN if n.startswith("tax")}
    facets = ckan.action.package_search(**{"facet.field": '["groups"]'})["facets"]
    assert facets["groups"]["administrative-decisions"] == 2
    # Solr date math on the server's clock; every entry was published on 2025-01-15
    assert names(fq="metadata_created:[NOW-2YEARS TO NOW]") == set(OPEN)
    assert names(fq="metadata_created:[NOW/DAY-1YEAR TO *]") == set()
    assert names(fq="metadata_created:{NOW-2YEARS TO NOW-1YEAR}") == set(OPEN)


def test_search_returns_the_fields_asked_for(ckan: ckanapi.RemoteCKAN) -> None:
    found = ckan.action.package_search(fl="id,name", rows=1000)
    assert sorted(p["name"] for p in found["results"]) == OPEN
    assert all(set(p) == {"id", "name"} for p in found["results"])


def test_groups_are_the_catalog_themes(ckan: ckanapi.RemoteCKAN) -> None:
    names = ckan.action.group_list()
    detailed = ckan.action.group_list(all_fields=True)
    assert [g["name"] for g in detailed] == names
    assert "administrative-decisions" in names
    shown = ckan.action.group_show(id="administrative-decisions", include_datasets=True)
    assert shown["title"] == "行政管理信息" and shown["package_count"] == 2
    assert {p["name"] for p in shown["packages"]} == {"penalty", "licence"}
    assert ckan.action.group_show(id=shown["id"])["name"] == "administrative-decisions"
    assert "packages" not in ckan.action.group_show(id=shown["id"])
    listed = ckan.action.group_package_show(id="administrative-decisions")
    assert {p["name"] for p in listed} == {"penalty", "licence"}
    groups = ckan.action.package_show(id="penalty")["groups"]
    assert [g["name"] for g in groups] == ["administrative-decisions"]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="no-such-group")


def test_resource_show_and_views(ckan: ckanapi.RemoteCKAN, server: Server) -> None:
    resources = ckan.action.package_show(id="penalty")["resources"]
    csv = next(r for r in resources if r["format"] == "CSV")
    assert ckan.action.resource_show(id=csv["id"]) == csv
    assert csv["url"] == f"{server.url}/opendata/penalty.csv"
    assert ckan.action.resource_view_list(id=csv["id"]) == []
    found = ckan.action.resource_search(query="format:JSON")
    assert found["count"] == len(OPEN)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id="no-such-resource")


def test_tags(ckan: ckanapi.RemoteCKAN) -> None:
    tags = ckan.action.tag_list()
    assert "行政管理信息" in tags
    assert [t["name"] for t in ckan.action.tag_list(all_fields=True)] == tags
    tag = ckan.action.tag_show(id="行政管理信息", include_datasets=True)
    assert {p["name"] for p in tag["packages"]} == {"penalty", "licence"}
    assert ckan.action.tag_show(id=tag["id"])["name"] == "行政管理信息"
    with pytest.raises(ckanapi.NotFound):
        ckan.action.tag_show(id="no-such-tag")


def test_other_read_actions(ckan: ckanapi.RemoteCKAN) -> None:
    recent = ckan.action.current_package_list_with_resources(limit=3)
    assert len(recent) == 3 and all(p["resources"] for p in recent)
    modified = [p["metadata_modified"] for p in recent]
    assert modified == sorted(modified, reverse=True)
    assert ckan.action.package_autocomplete(q="pen")[0]["name"] == "penalty"
    assert ckan.action.format_autocomplete(q="cs") == ["csv"]
    assert ckan.action.site_read() is True
    assert ckan.action.organization_autocomplete(q="")
    assert "group" in ckan.action.help_show(name="group_show")
