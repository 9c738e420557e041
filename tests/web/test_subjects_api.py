"""The public query API reads through the visibility gate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
CODE = make_uscc(1)


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    reg = [
        registration_row(
            1, 企业名称="北京<script>alert(1)</script>科技有限公司", 法人代表="欧阳娜娜"
        )
    ]
    store.ingest(write_registrations(tmp_path / "reg.csv", reg), "registration", as_of=NOW)
    recent = penalty_row(1, CF_JDRQ=(NOW - timedelta(days=40)).date().isoformat())
    ancient = penalty_row(2, CF_XDR_SHXYM=CODE, CF_JDRQ="2021-01-05")  # past every maximum
    store.ingest(store.penalties("p.csv", [recent, ancient]), as_of=NOW)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def test_search_then_profile_then_only_the_visible_records(client: TestClient) -> None:
    found = client.get("/api/v1/subjects", params={"q": "script"}).json()
    assert found["total"] == 1 and found["results"][0]["uscc"] == CODE
    assert "<script>" in found["results"][0]["name"]  # JSON carries it as text
    profile = client.get(f"/api/v1/subjects/{CODE}").json()
    assert profile["legal_rep"] == "欧**"  # masked for the public
    assert profile["record_counts"] == {"penalty": 1, "registration": 1}
    listed = client.get(f"/api/v1/subjects/{CODE}/records", params={"dataset": "penalty"})
    records = listed.json()["records"]
    assert [r["data"]["CF_WSH"] for r in records] == [penalty_row(1)["CF_WSH"]]
    assert records[0]["data"]["CF_FRDB"] == "张**"


def test_unknown_and_malformed_codes(client: TestClient) -> None:
    unknown = client.get(f"/api/v1/subjects/{make_uscc(99)}")
    assert unknown.status_code == 404 and "未找到" in unknown.json()["zh"]
    malformed = client.get("/api/v1/subjects/91110108MA0000000X")
    assert malformed.status_code == 400
    assert "GB 32100" in malformed.json()["message"]
    assert client.get(f"/api/v1/subjects/{CODE}/records?dataset=nope").status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [({"q": ""}, 400), ({"q": "北" * 101}, 400), ({"q": "北京", "page": 0}, 400),
     ({"q": "北京", "page": 99}, 400), ({"q": "北京", "size": 500}, 400)],
)  # fmt: skip
def test_bad_queries(client: TestClient, params: dict[str, object], status: int) -> None:
    response = client.get("/api/v1/subjects", params=params)
    assert response.status_code == status
    assert response.json()["zh"] and response.json()["en"]
