"""The 联合奖惩 API: public lists, entries and memoranda; the credit check with a department key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from gongxin.identity import keys
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import AS_OF
from tests.sanctions.helpers import CHECKER, World, open_world
from tests.support.http import TestClient


@dataclass
class Api:
    client: TestClient
    world: World

    def check(self, key: str | None = None, **body: object) -> tuple[int, dict[str, object]]:
        payload = {"subjects": [], "scene": "政府采购", "requester": "张三", "purpose": "资格审查"}
        payload.update(body)
        headers = {} if key == "" else {"Authorization": f"Bearer {key or self.world.key}"}
        r = self.client.post("/api/v1/checks", json=payload, headers=headers)
        return r.status_code, r.json()


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    for world in open_world(db_url):
        settings = Settings(database_url=db_url, var_dir=tmp_path / "var", check_max_subjects=5)
        app = create_app(settings)
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            yield Api(client, world)


def test_a_check_over_http(api: Api) -> None:
    sid, code = api.world.subject(1, "北京失信商贸有限公司")
    api.world.entry("dishonest_debtor", code, subject_id=sid, name="北京失信商贸有限公司")
    _, clean = api.world.subject(2)
    status, body = api.check(subjects=[code, clean, "bad-code-1", "北京失信商贸有限公司"])
    assert status == 200, body
    results = body["results"]
    assert isinstance(results, list) and len(results) == 4
    hit, ok, bad, by_name = results
    assert hit["hits"][0]["list_type"] == "dishonest_debtor" and hit["measures"]
    assert ok["hits"] == [] and ok["measures"] == [] and "未列入" in ok["explanation"]
    assert bad["error"]["error"] == "invalid_code"
    assert by_name["match"] == "name_exact" and by_name["hits"]
    assert str(body["check_id"]).startswith("HC")
    logged = api.client.get(
        f"/api/v1/checks/{body['check_id']}",
        headers={"Authorization": f"Bearer {api.world.key}"},
    ).json()
    assert logged["check"]["requester"] == "张三" and len(logged["results"]) == 4


def test_a_malformed_body_is_refused_after_the_key(api: Api) -> None:
    r = api.client.post(
        "/api/v1/checks", content=b'{"subjects": "x"}',
        headers={"Authorization": f"Bearer {api.world.key}"},
    )  # fmt: skip
    assert r.status_code == 422
    problems = r.json()["details"]["problems"]
    missing = {p["where"] for p in problems if p["rule"] == "missing"}
    assert {"body.scene", "body.requester", "body.purpose"} <= missing
    assert any(p["where"] == "body.subjects" for p in problems)
    assert api.client.post("/api/v1/checks", content=b"").status_code == 401
    bad_key = {"Authorization": "Bearer gx_nope_nope"}
    assert api.client.post("/api/v1/checks", content=b"", headers=bad_key).status_code == 401


def test_unknown_scene_lists_the_valid_ones(api: Api) -> None:
    status, body = api.check(subjects=["x"], scene="买菜")
    assert status == 400
    assert "政府采购" in body["zh"] and "gov_procurement" in body["en"]
    assert len(body["details"]["scenes"]) >= 8


def test_oversize_is_refused_with_the_limit(api: Api) -> None:
    status, body = api.check(subjects=["a"] * 6)
    assert status == 413
    assert body["details"]["limit"] == 5 and "5" in body["zh"]


def test_missing_revoked_and_wrong_scope_keys(api: Api) -> None:
    with api.world.engine.begin() as conn:
        revoked = keys.create(conn, CHECKER, now=AS_OF - timedelta(days=1), scopes=["check"])
        keys.revoke(conn, revoked.prefix, now=AS_OF - timedelta(hours=1))
        submit_only = keys.create(conn, CHECKER, now=AS_OF, scopes=["submit"]).key
    assert api.check(key="", subjects=["x"])[0] == 401
    assert api.check(key=revoked.key, subjects=["x"])[0] == 401
    assert api.check(key=submit_only, subjects=["x"])[0] == 403


def test_public_lists_entries_and_memoranda(api: Api) -> None:
    sid, code = api.world.subject(1)
    api.world.entry("abnormal_list", code, subject_id=sid, name="公开异常公司")
    api.world.entry("abnormal_list", code, subject_id=sid, name="已移出公司", removed="2026-01-01")
    types = api.client.get("/api/v1/lists").json()["lists"]
    kinds = {t["code"]: t["kind"] for t in types}
    assert kinds["red_list"] == "reward" and kinds["dishonest_debtor"] == "punish"
    assert "commitment_breach" in kinds
    body = api.client.get("/api/v1/lists/abnormal_list/entries?page=1&size=10").json()
    assert [e["MD_ZTMC"] for e in body["entries"]] == ["公开异常公司"]
    assert api.client.get("/api/v1/lists/nope/entries").status_code == 404
    memos = api.client.get("/api/v1/memoranda").json()["memoranda"]
    assert any(m["doc_no"] == "发改财金〔2016〕141号" for m in memos)
    assert all(x["id"].startswith(m["id"] + "-") for m in memos for x in m["measures"])
    assert api.client.get("/api/v1/scenes").json()["scenes"][0]["name"] == "政府采购"
