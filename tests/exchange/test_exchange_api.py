"""The exchange API as a department's system uses it: find, request, get approved, pull."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gongxin.audit import log as audit
from gongxin.exchange import changefeed
from gongxin.exchange.changefeed import Cursor
from gongxin.identity import accounts, instance_secrets, keys, sessions
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from tests.exchange.sharing import ASKED, USER, World, open_world, row
from tests.intake.helpers import AS_OF, PROVIDER
from tests.support.http import TestClient


@dataclass
class Api:
    client: TestClient
    world: World
    provider: str
    user: str
    expired: str
    revoked: str
    submit_only: str

    def get(self, path: str, key: str, **params: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {key}"}
        if "purpose" in params:
            headers["X-Purpose"] = quote(params.pop("purpose"))
        response = self.client.get(path, params=params, headers=headers)
        return response.status_code, response.json()

    def post(self, path: str, key: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        response = self.client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
        return response.status_code, response.json()


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    for w in open_world(db_url, tmp_path):
        w.penalties("p.csv", row(1), row(2))
        with w.engine.begin() as conn:
            made = [
                keys.create(conn, PROVIDER, now=AS_OF).key,
                keys.create(conn, USER, now=AS_OF).key,
                keys.create(conn, USER, now=AS_OF - timedelta(days=31), expires_days=30).key,
            ]
            revoked = keys.create(conn, USER, now=AS_OF)
            keys.revoke(conn, revoked.prefix, now=AS_OF)
            submit_only = keys.create(conn, USER, now=AS_OF, scopes=["submit"]).key
        settings = Settings(
            database_url=db_url, var_dir=tmp_path / "var", catalog_dir=tmp_path / "specs"
        )
        app = create_app(settings)
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            yield Api(client, w, *made, revoked.key, submit_only)


REQUEST = {
    "dataset": "penalty",
    "purpose": "政府采购供应商资格审查",
    "fields": ASKED,
    "start": "2026-11-22",
    "end": "2026-12-31",
}


def test_find_request_approve_pull(api: Api) -> None:
    status, listed = api.get("/api/v1/exchange/datasets", api.user)
    assert status == 200
    penalty = next(d for d in listed if d["code"] == "penalty")
    assert penalty["share_type"] == "有条件" and penalty["readable"] is False
    assert PROVIDER in penalty["providers"]

    status, denied = api.get("/api/v1/exchange/penalty/records", api.user)
    assert status == 403 and "/api/v1/exchange/requests" in denied["message"]

    status, filed = api.post("/api/v1/exchange/requests", api.user, REQUEST)
    assert status == 201 and filed["status"] == "pending" and filed["overdue"] is False
    status, todo = api.get("/api/v1/exchange/requests", api.provider, side="to_decide")
    assert [r["id"] for r in todo] == [filed["id"]]
    status, _ = api.post(f"/api/v1/exchange/requests/{filed['id']}/approve", api.user)
    assert status == 403  # the requester cannot approve its own request
    status, done = api.post(f"/api/v1/exchange/requests/{filed['id']}/approve", api.provider)
    assert status == 200 and done["status"] == "approved"

    status, page = api.get(
        "/api/v1/exchange/penalty/records", api.user, size=1, purpose="核查投标人处罚记录"
    )
    assert status == 200 and len(page["items"]) == 1 and page["next_page"] == 2
    assert set(page["items"][0]["data"]) == set(ASKED)
    status, feed = api.get("/api/v1/exchange/penalty/changes", api.user, limit=10)
    assert status == 200 and [c["op"] for c in feed["changes"]] == ["insert", "insert"]
    assert set(feed["changes"][0]["data"]) == set(ASKED) and feed["has_more"] is False

    with api.world.engine.connect() as conn:
        reads = audit.entries(conn, action="exchange.read")
        follows = audit.entries(conn, action="exchange.changes")
    assert reads[-1].purpose == "核查投标人处罚记录"  # stated in X-Purpose
    assert reads[-1].actor.startswith("key:") and reads[-1].detail["rows"] == 1
    assert follows[-1].purpose == "政府采购供应商资格审查"  # the grant's purpose


def test_refusal_through_the_api(api: Api) -> None:
    _, filed = api.post("/api/v1/exchange/requests", api.user, REQUEST)
    url = f"/api/v1/exchange/requests/{filed['id']}/refuse"
    status, _ = api.post(url, api.provider, {"reasons": ""})
    assert status == 400
    status, done = api.post(url, api.provider, {"reasons": "用途超出法定职责"})
    assert status == 200 and done["status"] == "refused" and done["reasons"] == "用途超出法定职责"
    status, seen = api.get(f"/api/v1/exchange/requests/{filed['id']}", api.user)
    assert status == 200 and seen["status_name"] == "已拒绝"


def test_bad_input(api: Api) -> None:
    status, body = api.get("/api/v1/exchange/no_such/records", api.user)
    assert status == 404 and "no_such" in body["message"]
    status, body = api.post("/api/v1/exchange/requests", api.user, {**REQUEST, "fields": ["XX"]})
    assert status == 400 and "XX" in body["message"]
    status, body = api.post(
        "/api/v1/exchange/requests", api.user, {**REQUEST, "dataset": "tax_violation"}
    )
    assert status == 400 and "不予共享" in body["message"]
    for key in (api.expired, api.revoked, "gx_nothing_here"):
        assert api.get("/api/v1/exchange/licence/records", key)[0] == 401
    assert api.get("/api/v1/exchange/licence/records", api.submit_only)[0] == 403
    assert api.get("/api/v1/exchange/licence/changes", api.user)[0] == 200  # unconditional
    status, body = api.get("/api/v1/exchange/licence/changes", api.user, cursor="@@@")
    assert status == 400 and body["error"] == "invalid_input"
    with api.world.engine.begin() as conn:
        secret = instance_secrets.resolve(conn, instance_secrets.CURSOR, now=AS_OF)
    future = Cursor("licence", 999_999).encode(secret)
    status, body = api.get("/api/v1/exchange/licence/changes", api.user, cursor=future)
    assert status == 400 and "尚未发生" in body["message"]
    assert api.get("/api/v1/exchange/licence/records", api.user, size=10**6)[0] == 400


def test_back_office_lists_flags_and_answers_requests(api: Api) -> None:
    _, filed = api.post("/api/v1/exchange/requests", api.user, REQUEST)
    with api.world.engine.begin() as conn:
        admin = accounts.add_user(
            conn,
            "provider-admin",
            department=PROVIDER,
            roles=["dept_admin"],
            password="Provider-head-2026",
            now=AS_OF,
        )
        later = AS_OF + timedelta(days=30)  # past the 10-working-day deadline
        new = sessions.create(conn, admin, now=later, absolute=timedelta(hours=1))
    api.client.cookies.set(SESSION_COOKIE, new.token)
    api.client.app.dependency_overrides[deps.get_now] = lambda: later  # type: ignore[attr-defined]
    page = api.client.get("/admin/requests")
    assert page.status_code == 200 and "超期" in page.text and REQUEST["purpose"] in page.text
    url = f"/admin/requests/{filed['id']}/refuse"
    assert api.client.post(url, data={"reasons": "x"}).status_code == 403  # no CSRF token
    answered = api.client.post(
        url,
        data={"reasons": "用途超出法定职责", "csrf_token": new.session.csrf_token},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    _, seen = api.get(f"/api/v1/exchange/requests/{filed['id']}", api.user)
    assert seen["status"] == "refused" and seen["decided_by"] == "user:provider-admin"
    api.client.cookies.clear()


def test_a_configured_cursor_secret_signs_the_cursors(api: Api) -> None:
    path = "/api/v1/exchange/licence/changes"
    status, body = api.get(path, api.user)
    assert status == 200
    made_with_stored = body["next_cursor"]
    configured = "a-deployment-secret-of-forty-characters!!"
    state = api.client.app.state  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(update={"exchange_cursor_secret": configured})
    status, body = api.get(path, api.user, cursor=made_with_stored)
    assert status == 400 and body["error"] == "invalid_input" and "签名不符" in body["message"]
    status, body = api.get(path, api.user)
    assert status == 200
    cursor = changefeed.decode(body["next_cursor"], "licence", configured.encode())
    assert cursor.dataset == "licence"
    assert api.get(path, api.user, cursor=body["next_cursor"])[0] == 200
