"""Providers are assigned by the credit centre, never inferred; nobody answers their own
request; a decision by a department that is not the assigned provider is refused and audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from gongxin.audit import log as audit
from gongxin.catalog import providers
from gongxin.errors import Forbidden
from gongxin.exchange import grants, sharing_requests
from gongxin.identity import accounts, keys, sessions
from gongxin.identity.departments import Department
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from tests.exchange.sharing import ASKED, OTHER, TODAY, World, moment, open_world, row
from tests.intake.helpers import AS_OF, PROVIDER
from tests.support.http import TestClient


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    yield from open_world(db_url, tmp_path)


def _ask(w: World, who: Department) -> sharing_requests.Request:
    with w.engine.begin() as conn:
        return sharing_requests.submit(
            conn, w.catalog, who, dataset="penalty", purpose="资格审查", fields=ASKED,
            period_start=TODAY, period_end=date(2026, 12, 31), now=moment(TODAY),
            reply_days=10, actor="t",
        )  # fmt: skip


def _approve(w: World, request_id: int, who: Department) -> sharing_requests.Request:
    return sharing_requests.decide(
        w.engine,
        lambda conn: sharing_requests.approve(
            conn, request_id, who, now=moment(TODAY), actor=f"key:{who.id}"
        ),
        now=moment(TODAY),
        actor=f"key:{who.id}",
    )


def _refusals(w: World) -> list[audit.Entry]:
    with w.engine.connect() as conn:
        return audit.entries(conn, action="exchange.request.decision_refused")


def _status(w: World, request_id: int) -> str:
    with w.engine.connect() as conn:
        return sharing_requests.get(conn, request_id).stored_status


def test_submitting_rows_does_not_make_a_department_a_provider(world: World) -> None:
    with world.engine.begin() as conn:  # the centre withdraws the assignment
        providers.unassign(conn, "penalty", PROVIDER, now=AS_OF)
    # 市税务局 submits penalties, one of them rejected: it is still nobody's provider
    world.store.ingest(world.store.penalties("t.csv", [row(1), row(2, CF_WSH="")]), provider=OTHER)
    with world.engine.connect() as conn:
        assert providers.providers_of(conn, "penalty") == []
        assert providers.provided_by(conn, world.other, world.catalog) == []

    filed = _ask(world, world.user)
    with pytest.raises(Forbidden) as refused:
        _approve(world, filed.id, world.other)
    assert refused.value.details["rule"] == "not_provider"
    assert "不是数据集 penalty 的指定提供部门" in refused.value.zh
    assert _status(world, filed.id) == "pending"
    (entry,) = _refusals(world)
    assert entry.department_id == world.other.id and entry.detail["rule"] == "not_provider"
    assert entry.target.startswith(f"request:{filed.id} ")

    with world.engine.begin() as conn:  # once assigned, it answers
        providers.assign(conn, world.catalog, "penalty", OTHER, now=AS_OF)
    assert _approve(world, filed.id, world.other).stored_status == "approved"


def test_nobody_decides_their_own_request(world: World) -> None:
    filed = _ask(world, world.provider)  # the penalty provider asks for penalties itself
    with pytest.raises(Forbidden) as refused:
        _approve(world, filed.id, world.provider)
    assert refused.value.details["rule"] == "own_request"
    assert "不能由本部门自己答复" in refused.value.zh
    assert _status(world, filed.id) == "pending"
    with world.engine.connect() as conn:
        assert grants.of_department(conn, world.provider.id, "penalty") == []
    (entry,) = _refusals(world)
    assert entry.detail == {"rule": "own_request", "requester": PROVIDER}

    assert _approve(world, filed.id, world.centre).stored_status == "approved"


def test_only_the_centre_assigns_providers(world: World) -> None:
    with world.engine.begin() as conn, pytest.raises(Forbidden):
        providers.assign(conn, world.catalog, "penalty", OTHER, now=AS_OF, by=world.provider)
    with world.engine.begin() as conn:
        providers.assign(conn, world.catalog, "penalty", OTHER, now=AS_OF, by=world.centre)
        assert [p.name for p in providers.providers_of(conn, "penalty")] == [PROVIDER, OTHER]


@pytest.fixture
def api(world: World, db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with world.engine.begin() as conn:
        made = {
            who.name: keys.create(conn, who.name, now=AS_OF).key
            for who in (world.provider, world.user, world.centre, world.other)
        }
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", catalog_dir=tmp_path / "specs"
    )
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: AS_OF
    with TestClient(app) as client:
        yield client, made


def _call(client: TestClient, method: str, path: str, key: str, body: Any = None) -> Any:
    response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {key}"})
    return response.status_code, response.json()


def test_the_api_assigns_providers_and_refuses_other_deciders(
    world: World, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, key = api
    assign = {"dataset": "penalty", "department": OTHER}
    status, body = _call(client, "POST", "/api/v1/exchange/providers", key[PROVIDER], assign)
    assert status == 403 and "只有信用中心" in body["message"]

    _, filed = _call(
        client, "POST", "/api/v1/exchange/requests", key[world.user.name],
        {"dataset": "penalty", "purpose": "资格审查", "fields": ASKED,
         "start": "2026-11-22", "end": "2026-12-31"},
    )  # fmt: skip
    url = f"/api/v1/exchange/requests/{filed['id']}/approve"
    status, body = _call(client, "POST", url, key[OTHER])
    assert status == 403 and body["details"]["rule"] == "not_provider"
    (entry,) = _refusals(world)
    assert entry.actor.startswith("key:") and entry.department_id == world.other.id

    status, body = _call(
        client, "POST", "/api/v1/exchange/providers", key[world.centre.name], assign
    )
    assert status == 200 and body == {"dataset": "penalty", "providers": [PROVIDER, OTHER]}
    status, listed = _call(client, "GET", "/api/v1/exchange/providers", key[OTHER])
    assert {"dataset": "penalty", "providers": [PROVIDER, OTHER]} in listed
    status, body = _call(client, "POST", url, key[OTHER])
    assert status == 200 and body["status"] == "approved"

    path = f"/api/v1/exchange/providers/penalty/{OTHER}"
    status, body = _call(client, "DELETE", path, key[world.centre.name])
    assert status == 200 and body["providers"] == [PROVIDER]


def _login(world: World, client: TestClient, name: str, dept: str, role: str) -> str:
    with world.engine.begin() as conn:
        user = accounts.add_user(
            conn, name, department=dept, roles=[role], password="Admin-pass-2026", now=AS_OF
        )
        made = sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, made.token)
    return made.session.csrf_token


def test_the_back_office_assigns_providers_for_the_centre_only(
    world: World, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, _ = api
    url = "/admin/catalog/penalty/providers"
    csrf = _login(world, client, "dept-admin", PROVIDER, "dept_admin")
    form = {"department": OTHER, "action": "assign", "csrf_token": csrf}
    assert client.post(url, data=form, follow_redirects=False).status_code == 403

    csrf = _login(world, client, "centre-admin", world.centre.name, "centre_admin")
    page = client.get("/admin/catalog/penalty")
    assert page.status_code == 200 and "指定为提供部门" in page.text and PROVIDER in page.text
    form["csrf_token"] = csrf
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    with world.engine.connect() as conn:
        assert [p.name for p in providers.providers_of(conn, "penalty")] == [PROVIDER, OTHER]
        (entry,) = audit.entries(
            conn, action="exchange.provider.assign", newest_first=True, limit=1
        )
    assert entry.actor == "user:centre-admin"
    removal = {"department": PROVIDER, "action": "remove", "csrf_token": csrf}
    assert client.post(url, data=removal, follow_redirects=False).status_code == 303
    with world.engine.connect() as conn:
        assert [p.name for p in providers.providers_of(conn, "penalty")] == [OTHER]
    client.cookies.clear()
