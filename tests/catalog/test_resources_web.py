"""The catalog over HTTP: the JSON API for department systems and the back-office pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gongxin.identity import accounts, keys, sessions
from gongxin.identity.roles import Role, Scope
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from tests.intake.helpers import PROVIDER, Store, penalty_row
from tests.support.http import TestClient

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing; AS_OF is Sunday


@dataclass
class Web:
    client: TestClient
    exchange_key: str
    submit_key: str
    session: str


@pytest.fixture
def web(store: Store, db_url: str, tmp_path: Path) -> Iterator[Web]:
    rows = [penalty_row(1, BZ="备注"), penalty_row(2), penalty_row(3, CF_XDR_SHXYM="1")]
    summary = store.ingest(store.penalties("p.csv", rows))
    assert (summary.accepted, summary.rejected) == (2, 1)
    with store.engine.begin() as conn:
        exchange = keys.create(conn, PROVIDER, now=NOW, scopes=[Scope.EXCHANGE]).key
        submit = keys.create(conn, PROVIDER, now=NOW, scopes=[Scope.SUBMIT]).key
        clerk = accounts.add_user(
            conn, "clerk", department=PROVIDER, roles=[Role.DEPT_CLERK],
            password="Catalog-test-2026", now=NOW,
        )  # fmt: skip
        token = sessions.create(conn, clerk, now=NOW, absolute=timedelta(hours=1)).token
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as client:
        yield Web(client, exchange, submit, token)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_catalog_api_needs_an_exchange_key(web: Web) -> None:
    assert web.client.get("/api/v1/catalog").status_code == 401
    assert web.client.get("/api/v1/catalog", headers=bearer(web.submit_key)).status_code == 403
    body = web.client.get(
        "/api/v1/catalog", params={"share_type": "有条件"}, headers=bearer(web.exchange_key)
    ).json()
    assert body["total"] == 1
    debtor = body["resources"][0]
    assert debtor["dataset"] == "dishonest_debtor" and debtor["code"] == "104006/000002"
    assert debtor["share_basis"] and debtor["items"][0]["name"] == "被执行人姓名/名称"
    found = web.client.get("/api/v1/catalog", params={"q": "CF_WSH"},
                           headers=bearer(web.exchange_key)).json()  # fmt: skip
    assert [r["dataset"] for r in found["resources"]] == ["penalty"]


def test_one_resource_and_an_unknown_one(web: Web) -> None:
    penalty = web.client.get("/api/v1/catalog/penalty", headers=bearer(web.exchange_key)).json()
    assert penalty["name"] == "行政处罚" and penalty["classification_code"] == "10400302"
    assert penalty["open"] is True and penalty["update_cycle"] == "实时"
    assert {r["dataset"] for r in penalty["related_resources"]} >= {"registration", "licence"}
    missing = web.client.get("/api/v1/catalog/penalties", headers=bearer(web.exchange_key))
    assert missing.status_code == 404
    error = missing.json()
    assert error["error"] == "unknown_resource" and "penalties" in error["zh"]
    assert "penalty" in error["details"]["close_matches"]


def test_quality_api(web: Web) -> None:
    body = web.client.get(
        "/api/v1/catalog/penalty/quality", headers=bearer(web.exchange_key)
    ).json()
    assert (body["rows"], body["rejected"], body["records"]) == (3, 1, 2)
    assert body["validity"] == pytest.approx(2 / 3)
    assert body["status"] == "正常" and body["last_submission"] == "2026-11-22"
    assert {f["code"]: f["rate"] for f in body["fields"]}["BZ"] == 0.5
    later = web.client.get(
        "/api/v1/catalog/penalty/quality", params={"as_of": "2026-11-26"},
        headers=bearer(web.exchange_key),
    ).json()  # fmt: skip
    assert later["status"] == "逾期"
    unknown = web.client.get("/api/v1/catalog/nope/quality", headers=bearer(web.exchange_key))
    assert unknown.status_code == 404


def test_back_office_pages(web: Web) -> None:
    anonymous = web.client.get("/admin/catalog", follow_redirects=False)
    assert anonymous.status_code == 303 and "/admin/login" in anonymous.headers["location"]
    web.client.cookies.set(SESSION_COOKIE, web.session)
    page = web.client.get("/admin/catalog")
    assert page.status_code == 200
    html = page.text
    assert (
        "政务信息资源目录" in html and "10400302/000001" in html and 'href="/admin/catalog"' in html
    )
    assert "/admin/catalog/penalty" in html and "正常" in html and "未报送" in html
    searched = web.client.get("/admin/catalog", params={"q": "纳税"}).text
    assert "tax_a" in searched and "/admin/catalog/penalty" not in searched
    entry = web.client.get("/admin/catalog/dishonest_debtor").text
    for text in (
        "104006/000002",
        "市中级人民法院",
        "有条件",
        "个人信息保护法",
        "被执行人姓名/名称",
    ):
        assert text in entry
    penalty = web.client.get("/admin/catalog/penalty").text
    assert "66.7%" in penalty and PROVIDER in penalty and "50.0%" in penalty  # validity, 备注
    export = web.client.get("/admin/catalog/export.xlsx", params={"share_type": "有条件"})
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "失信被执行人"
    assert web.client.get("/admin/catalog/nope").status_code == 404
