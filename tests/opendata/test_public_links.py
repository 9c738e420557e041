"""Open-data links (CKAN resources, DCAT URIs, the portal's page) come from
GONGXIN_PUBLIC_BASE_URL, whatever Host header a client sends."""

from __future__ import annotations

import httpx

from tests.opendata.conftest import Server

FORGED = {"Host": "evil.example"}


def test_links_ignore_a_forged_host_header(server: Server) -> None:
    base = server.url  # the live server's public base URL (tests/support/live.py)
    shown = httpx.get(
        f"{server.url}/api/3/action/package_show", params={"id": "penalty"}, headers=FORGED
    ).json()["result"]
    assert {r["url"] for r in shown["resources"]} == {
        f"{base}/opendata/penalty.csv",
        f"{base}/opendata/penalty.json",
    }
    catalog = httpx.get(f"{server.url}/catalog.ttl", headers=FORGED).text
    page = httpx.get(f"{server.url}/opendata", headers=FORGED).text
    for text in (catalog, page):
        assert "evil.example" not in text
        assert f"{base}/opendata/penalty.csv" in text
