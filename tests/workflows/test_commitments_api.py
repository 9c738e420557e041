"""The commitments API and pages: a department records, the public reads."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gongxin.db.audit_tables import audit_log
from tests.workflows.helpers import (
    APPROVALS,
    COMPANY,
    World,
    api_key,
    commitment_fields,
)


def test_record_breach_and_read_it_publicly(world: World, client: Any) -> None:
    key = api_key(world, APPROVALS, "commitment")
    made = client.post("/api/v1/commitments", json=commitment_fields(), headers=key)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert made.json()["status"] == "履约中"
    broken = client.post(
        f"/api/v1/commitments/{cid}/outcome",
        json={"status": "未履约", "details": "逾期未补齐场所证明", "found_on": "2026-11-20"},
        headers=key,
    )
    assert broken.status_code == 200, broken.text
    assert broken.json()["category"] == "失信信息"
    listed = client.get("/api/v1/commitments", params={"status": "未履约"}).json()
    assert [r["id"] for r in listed["results"]] == [cid]
    assert listed["results"][0]["legal_rep"] == "王**"  # masked for the public
    one = client.get(f"/api/v1/commitments/{cid}").json()
    assert [h["status"] for h in one["history"]] == ["履约中"]
    assert one["breach"].endswith("（核查日期：2026-11-20）")
    page = client.get("/commitments", params={"status": "未履约"})
    assert page.status_code == 200 and "失信信息" in page.text and "王小明" not in page.text
    detail = client.get(f"/commitments/{cid}")
    assert "历史记录（第 1 版）" in detail.text and f"/subjects/{COMPANY}" in detail.text
    subject = client.get(f"/subjects/{COMPANY}", params={"tab": "commitment"})
    assert "未履约" in subject.text
    with world.engine.connect() as conn:
        actions = conn.execute(sa.select(audit_log.c.action)).scalars().all()
    assert {"commitment.make", "commitment.outcome"} <= set(actions)


def test_errors_name_field_and_value(world: World, client: Any) -> None:
    key = api_key(world, APPROVALS, "commitment")
    wrong = client.post("/api/v1/commitments", json=commitment_fields(type="承诺型"), headers=key)
    assert wrong.status_code == 400
    assert wrong.json()["details"]["problems"][0]["field"] == "CN_CNLX"
    cid = client.post("/api/v1/commitments", json=commitment_fields(), headers=key).json()["id"]
    bad = client.post(f"/api/v1/commitments/{cid}/outcome", json={"status": "完成"}, headers=key)
    assert bad.status_code == 400 and bad.json()["details"]["value"] == "完成"
    assert client.get("/api/v1/commitments", params={"type": "x"}).status_code == 400


def test_keys_need_the_commitment_scope(world: World, client: Any) -> None:
    assert client.post("/api/v1/commitments", json=commitment_fields()).status_code == 401
    submit_only = api_key(world, APPROVALS, "submit")
    refused = client.post("/api/v1/commitments", json=commitment_fields(), headers=submit_only)
    assert refused.status_code == 403
