"""The CKAN Action API as the real CKAN client (ckanapi) uses it against a running server."""

from __future__ import annotations

import ckanapi
import httpx
import pytest

from tests.intake.helpers import catalog
from tests.opendata.conftest import Server

OPEN = sorted(spec.code for spec in catalog() if spec.open)
CLOSED = sorted(spec.code for spec in catalog() if not spec.open)


@pytest.fixture(scope="module")
def ckan(server: Server) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(server.url)


def test_the_catalog_has_open_and_closed_datasets() -> None:
    assert {"penalty", "licence", "registration"} <= set(OPEN), OPEN
    assert CLOSED, "the suite needs a dataset that is not open"


def test_package_list_names_exactly_the_open_datasets(ckan: ckanapi.RemoteCKAN) -> None:
    assert ckan.action.package_list() == OPEN
    assert ckan.action.package_list(limit=2, offset=1) == OPEN[1:3]


def test_package_show_by_name_and_by_id(ckan: ckanapi.RemoteCKAN, server: Server) -> None:
    pkg = ckan.action.package_show(id="penalty")
    assert pkg["name"] == "penalty"
    assert pkg["title"] == "行政处罚"
    assert pkg["notes"] and pkg["license_id"] == "cc-by" and pkg["isopen"] is True
    assert pkg["organization"]["name"] and pkg["organization"]["title"]
    assert {t["name"] for t in pkg["tags"]} >= {"行政管理信息"}
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["update_cycle"] == "实时"
    assert extras["publicity_scope"] == "社会公开"
    assert "市市场监督管理局" in extras["providers"]
    resources = {r["format"]: r for r in pkg["resources"]}
    assert set(resources) == {"CSV", "JSON"}
    assert resources["CSV"]["url"] == f"{server.url}/opendata/penalty.csv"
    assert resources["CSV"]["mimetype"] == "text/csv"
    assert resources["JSON"]["url"] == f"{server.url}/opendata/penalty.json"
    assert pkg["metadata_modified"] >= pkg["metadata_created"]
    assert ckan.action.package_show(id=pkg["id"])["name"] == "penalty"


def test_package_search_free_text_filters_and_paging(ckan: ckanapi.RemoteCKAN) -> None:
    everything = ckan.action.package_search(rows=1000)
    assert everything["count"] == len(OPEN)
    assert {p["name"] for p in everything["results"]} == set(OPEN)
    assert everything["facets"] == {} and everything["search_facets"] == {}

    found = ckan.action.package_search(q="处罚")
    assert found["results"][0]["name"] == "penalty"
    assert ckan.action.package_search(q="没有这种数据集")["count"] == 0

    by_format = ckan.action.package_search(fq="res_format:CSV", rows=1000)
    assert by_format["count"] == len(OPEN)
    assert ckan.action.package_search(fq="res_format:XML")["count"] == 0

    pkg = ckan.action.package_show(id="registration")
    org = pkg["organization"]["name"]
    mine = ckan.action.package_search(fq=f"organization:{org}", rows=1000)
    assert "registration" in {p["name"] for p in mine["results"]}
    assert all(p["organization"]["name"] == org for p in mine["results"])
    tagged = ckan.action.package_search(fq='tags:"登记注册基本信息"')
    assert [p["name"] for p in tagged["results"]] == ["registration"]

    pages = [
        ckan.action.package_search(rows=2, start=start, sort="name asc")["results"]
        for start in range(0, len(OPEN), 2)
    ]
    assert [p["name"] for page in pages for p in page] == OPEN
    assert all(len(page) <= 2 for page in pages)


def test_package_search_facets(ckan: ckanapi.RemoteCKAN) -> None:
    result = ckan.action.package_search(**{"facet.field": '["res_format", "organization"]'})
    assert result["facets"]["res_format"] == {"CSV": len(OPEN), "JSON": len(OPEN)}
    items = result["search_facets"]["organization"]["items"]
    assert sum(i["count"] for i in items) == len(OPEN)


def test_organizations(ckan: ckanapi.RemoteCKAN) -> None:
    names = ckan.action.organization_list()
    detailed = ckan.action.organization_list(all_fields=True)
    assert [o["name"] for o in detailed] == names
    assert sum(o["package_count"] for o in detailed) == len(OPEN)
    org = ckan.action.package_show(id="tax_a")["organization"]
    shown = ckan.action.organization_show(id=org["name"], include_datasets=True)
    assert shown["title"] == org["title"]
    assert "tax_a" in {p["name"] for p in shown["packages"]}
    assert ckan.action.organization_show(id=org["id"])["name"] == org["name"]


def test_a_dataset_that_is_not_open_does_not_exist(ckan: ckanapi.RemoteCKAN) -> None:
    closed = CLOSED[0]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=closed)
    assert ckan.action.package_search(q=closed)["count"] == 0


def test_unknown_ids_raise_not_found(ckan: ckanapi.RemoteCKAN) -> None:
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="no-such-organization")


def test_unknown_parameters_are_ignored_and_rows_capped(ckan: ckanapi.RemoteCKAN) -> None:
    """As real CKAN: a parameter an action does not know changes nothing, and rows above
    1000 are capped to 1000 instead of refused."""
    plain = ckan.action.package_search(q="处罚")
    assert ckan.action.package_search(q="处罚", colour="red") == plain
    assert ckan.action.package_show(id="penalty", include_password_hash=True)["name"] == ("penalty")
    assert ckan.action.package_search(rows=5000)["count"] == len(OPEN)
    assert len(ckan.action.package_search(rows=5000)["results"]) == len(OPEN)


def test_bad_parameter_values_raise_validation_error(ckan: ckanapi.RemoteCKAN) -> None:
    with pytest.raises(ckanapi.ValidationError) as missing:
        ckan.action.package_show()
    assert "id" in missing.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as rows:
        ckan.action.package_search(rows=-1)
    assert "rows" in rows.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as fq:
        ckan.action.package_search(fq="colour:red")
    assert "colour" in str(fq.value.error_dict["fq"])
    with pytest.raises(ckanapi.ValidationError) as unbalanced:
        ckan.action.package_search(fq="(organization:x OR tags:y")
    assert "fq" in unbalanced.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as when:
        ckan.action.package_search(fq="metadata_modified:[yesterday TO *]")
    assert "yesterday" in str(when.value.error_dict["fq"])
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(sort="colour desc")
    with pytest.raises(ckanapi.ValidationError) as deep:  # hostile nesting: 409, not a 500
        ckan.action.package_search(q="(" * 5000 + "x" + ")" * 5000)
    assert "q" in deep.value.error_dict


def test_unknown_action_is_a_ckan_error(ckan: ckanapi.RemoteCKAN) -> None:
    with pytest.raises(ckanapi.CKANAPIError, match="Action name not known"):
        ckan.action.package_create(name="mine")


def test_get_requests_and_the_ckan_envelope(server: Server) -> None:
    """Browsers and curl use GET with query parameters, on /api/3/action as CKAN documents."""
    answer = httpx.get(f"{server.url}/api/3/action/package_search", params={"q": "许可"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True and "help_show" in body["help"]
    assert "licence" in [p["name"] for p in body["result"]["results"]]
    missing = httpx.get(f"{server.url}/api/3/action/package_show", params={"id": "nope"})
    assert missing.status_code == 404
    error = missing.json()
    assert error["success"] is False and error["error"]["__type"] == "Not Found Error"
    bad = httpx.get(f"{server.url}/api/3/action/package_list", params={"limit": "many"})
    assert bad.status_code == 409 and bad.json()["error"]["__type"] == "Validation Error"
    assert ckanapi.RemoteCKAN(server.url, get_only=True).action.package_list() == OPEN
