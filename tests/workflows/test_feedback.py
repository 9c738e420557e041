"""Feedback on credit checks: validated against the check, by API, audited."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.db.audit_tables import audit_log
from gongxin.errors import InvalidInput, NotFound
from gongxin.sanctions import feedback
from tests.intake.helpers import AS_OF
from tests.workflows.helpers import (
    APPROVALS,
    COMPANY,
    ELSEWHERE,
    OTHER_COMPANY,
    World,
    api_key,
    breach,
    run_check,
)

NOT_APPLIED = "该许可已办结，无法补采措施"


def _measures(world: World, check_id: str, position: int = 0) -> list[str]:
    with world.engine.connect() as conn:
        found = feedback.with_feedback(conn, check_id, department=None)
    return feedback.measure_ids(found["results"][position]["measures"])


def test_breach_is_a_hit_with_the_commitment_memorandum(world: World, client: Any) -> None:
    breach(world)
    key = api_key(world, APPROVALS, "check")
    answer = client.post(
        "/api/v1/checks",
        json={"subjects": [COMPANY, OTHER_COMPANY], "scene": "commitment_acceptance",
              "requester": "审批系统", "purpose": "容缺受理前核查"},
        headers=key,
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    first, second = answer.json()["results"]
    assert [h["list_type"] for h in first["hits"]] == ["commitment_breach"]
    assert {m["memorandum"] for m in first["measures"]} == {"commitment-breach"}
    assert second["hits"] == []


def test_report_feedback_and_read_it_back(world: World, client: Any) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY, OTHER_COMPANY)
    measures = _measures(world, check_id)
    assert measures, "the breach triggers the commitment memorandum's measures"
    key = api_key(world, APPROVALS, "check")
    items = [
        {"position": 0, "measure_id": measures[0], "applied": True, "doc_no": "京审〔2026〕1号",
         "operator": "李经办"},
    ] + [
        {"subject": COMPANY, "measure_id": m, "applied": False, "reason": NOT_APPLIED,
         "operator": "李经办"}
        for m in measures[1:]
    ]  # fmt: skip
    done = client.post(f"/api/v1/checks/{check_id}/feedback", json={"items": items}, headers=key)
    assert done.status_code == 201, done.text
    assert done.json()["items"] == len(measures) and done.json()["applied"] == 1
    shown = client.get(f"/api/v1/checks/{check_id}/feedback", headers=key).json()
    first = shown["results"][0]
    assert first["awaiting"] == [] and len(first["feedback"]) == len(measures)
    assert shown["results"][1]["feedback"] == []
    # reporting the same item again replaces it
    again = client.post(
        f"/api/v1/checks/{check_id}/feedback",
        json={"items": [{"position": 0, "measure_id": measures[0], "applied": False,
                         "reason": NOT_APPLIED, "operator": "李经办"}]},
        headers=key,
    )  # fmt: skip
    assert again.json()["replaced"] == 1
    with world.engine.connect() as conn:
        audited = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "check.feedback")
        ).scalar_one()
    assert audited == 2


def test_every_problem_names_item_field_and_value(world: World) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY, OTHER_COMPANY)
    measure = _measures(world, check_id)[0]
    items = [
        {"position": 7, "measure_id": measure, "applied": True, "operator": "甲"},
        {"position": 1, "measure_id": measure, "applied": True, "operator": "甲"},
        {"position": 0, "measure_id": "nope-1", "applied": True, "operator": "甲"},
        {"position": 0, "measure_id": measure, "applied": False, "operator": "甲"},
        {"subject": OTHER_COMPANY, "measure_id": measure, "applied": True, "operator": ""},
    ]
    with world.engine.begin() as conn, pytest.raises(InvalidInput) as caught:
        feedback.report(conn, check_id, items, department=world.dept(APPROVALS), now=AS_OF,
                        actor="key:test")  # fmt: skip
    found = {(p["item"], p["field"], p["value"]) for p in caught.value.details["problems"]}
    assert {(1, "position", "7"), (2, "position", "1"), (3, "measure_id", "nope-1"),
            (4, "reason", "")} <= found  # fmt: skip
    assert any(item == 5 for item, _, _ in found)
    assert "第 1 项 字段 position 值“7”" in caught.value.zh
    with world.engine.connect() as conn:  # nothing of a refused report is stored
        assert (
            feedback.with_feedback(conn, check_id, department=None)["results"][0]["feedback"] == []
        )


def test_only_the_checking_department_reports(world: World, client: Any) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY)
    measure = _measures(world, check_id)[0]
    item = {"position": 0, "measure_id": measure, "applied": True, "operator": "甲"}
    with world.engine.begin() as conn, pytest.raises(NotFound):
        feedback.report(conn, check_id, [item], department=world.dept(ELSEWHERE), now=AS_OF,
                        actor="key:test")  # fmt: skip
    other = api_key(world, ELSEWHERE, "check")
    refused = client.post(
        f"/api/v1/checks/{check_id}/feedback", json={"items": [item]}, headers=other
    )
    assert refused.status_code == 404
    no_scope = api_key(world, APPROVALS, "commitment")
    assert (
        client.post(
            f"/api/v1/checks/{check_id}/feedback", json={"items": [item]}, headers=no_scope
        ).status_code
        == 403
    )
