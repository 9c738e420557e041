"""Parallel approval over HTTP: the matters, filing through the API (400 naming the valid
matters), two departments' clerks deciding in the back office, the applicant following by
查询码 on the portal, the SLA figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gongxin.identity import accounts, departments, sessions
from gongxin.identity.roles import Role
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
PASSWORD = "Correct-Horse-Battery-9"
SAMR, HEALTH = "市市场监督管理局", "市卫生健康委员会"
BODY = {"matter": "food_business_licence", "applicant": "北京好味餐饮有限公司",
        "materials": ["application_form", "premises", "safety_rules"]}  # fmt: skip


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


@pytest.fixture
def client(world: World, db_url: str, tmp_path: Any) -> Iterator[Any]:
    with world.engine.begin() as conn:
        departments.add(conn, HEALTH, kind="user", code=None, now=NOW)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def login(world: World, client: Any, name: str, dept: str) -> str:
    with world.engine.begin() as conn:
        user = accounts.add_user(conn, name, department=dept, roles=[Role.DEPT_CLERK],
                                 password=PASSWORD, now=NOW)  # fmt: skip
        new = sessions.create(conn, user, now=NOW, absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, new.token)
    return new.session.csrf_token


def test_filing_and_two_departments_deciding_in_the_back_office(world: World, client: Any) -> None:
    sid, code = world.subject(1, "北京好味餐饮有限公司")
    world.entry("abnormal_list", code, subject_id=sid, listed="2025-02-01")
    matters = client.get("/api/v1/approval/matters").json()["matters"]
    assert {m["code"] for m in matters} >= {"food_business_licence", "construction_permit"}
    bad = client.post(
        "/api/v1/approval/applications", json=BODY | {"matter": "钓鱼许可", "applicant_code": code}
    )
    assert bad.status_code == 400 and "food_business_licence" in bad.json()["details"]["valid"]
    filed = client.post("/api/v1/approval/applications", json=BODY | {"applicant_code": code})
    assert filed.status_code == 201, filed.text
    got = filed.json()
    assert [h["list_type"] for h in got["credit"]["hits"]] == ["abnormal_list"]
    assert sorted(r["department"] for r in got["reviews"]) == sorted([SAMR, HEALTH])
    ids = {r["department"]: r["id"] for r in got["reviews"]}

    csrf = login(world, client, "samr1", SAMR)
    queue = client.get("/admin/approval").text
    assert got["number"] in queue and "列入 1 个名单" in queue
    page = client.get(f"/admin/approval/reviews/{ids[SAMR]}").text
    assert "受理时信用核查" in page and "经营异常名录" in page
    assert client.get(f"/admin/approval/reviews/{ids[HEALTH]}").status_code == 403
    done = client.post(f"/admin/approval/reviews/{ids[SAMR]}/decide",
                       data={"csrf_token": csrf, "outcome": "approved", "opinion": "符合条件"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert "准予前信用核查" in client.get(f"/admin/approval/reviews/{ids[SAMR]}").text
    stats = client.get("/admin/approval/stats").text
    assert "食品经营许可" in stats and "100%" in stats  # the one decision, on time

    csrf = login(world, client, "health1", HEALTH)
    empty = client.post(
        f"/admin/approval/reviews/{ids[HEALTH]}/decide",
        data={"csrf_token": csrf, "outcome": "refused", "opinion": " "},
    )
    assert empty.status_code == 400 and "审查意见" in empty.text
    client.post(
        f"/admin/approval/reviews/{ids[HEALTH]}/decide",
        data={"csrf_token": csrf, "outcome": "refused", "opinion": "布局不符合卫生要求"},
    )
    client.cookies.clear()

    shown = client.post("/api/v1/approval/applications/lookup",
                        json={"code": got["query_code"]}).json()  # fmt: skip
    assert shown["state"] == "refused"
    states = {r["department"]: r["state"] for r in shown["reviews"]}
    assert states == {SAMR: "approved", HEALTH: "refused"}
    page = client.post("/approval/lookup", data={"code": got["query_code"]}).text
    assert "不予许可" in page and "布局不符合卫生要求" in page
    assert client.post("/approval/lookup", data={"code": "nope"}).status_code == 404

    sla = client.get("/api/v1/approval/sla", params={"matter": "food_business_licence"}).json()
    assert {(d["department"], d["decided"]) for d in sla["departments"]} == {(SAMR, 1), (HEALTH, 1)}
    unknown = client.get("/api/v1/approval/sla", params={"department": "市气象局"})
    assert unknown.status_code == 400 and SAMR in unknown.json()["details"]["valid"]


def test_the_portal_form_files_and_shows_the_query_code(world: World, client: Any) -> None:
    _, code = world.subject(2)
    assert "食品经营许可" in client.get("/approval").text
    form = client.get("/approval/apply/food_business_licence").text
    assert 'name="materials"' in form and 'value="standard" checked' in form
    assert "“行政许可”场景" in form
    refused = client.post("/approval/apply/food_business_licence",
                          data={"applicant": "甲公司", "applicant_code": code,
                                "materials": ["application_form"]})  # fmt: skip
    assert refused.status_code == 400 and "材料不全" in refused.text
    filed = client.post("/approval/apply/food_business_licence",
                        data={"applicant": "甲公司", "applicant_code": code, "mode": "promise",
                              "materials": ["application_form"]})  # fmt: skip
    assert filed.status_code == 201 and 'id="query-code"' in filed.text
    assert "告知承诺" in filed.text
