"""Parallel approval (并联审批): filing opens one review per department with its own
working-day deadline, the credit check runs at intake and again before each approval, 告知承诺
and 容缺受理 follow the credit gate, the applicant follows by 查询码, SLA figures add up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from gongxin.approval import applications, sla
from gongxin.db.approval_tables import approval_applications
from gongxin.db.sanctions_tables import checks
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.approval.helpers import FILED_ON, NOW, book, decide, file
from tests.sanctions.helpers import World, open_world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def test_filing_opens_parallel_reviews_due_in_working_days_with_the_credit_check(
    world: World,
) -> None:
    sid, code = world.subject(1, "北京失信建设有限公司")
    world.entry("dishonest_debtor", code, subject_id=sid, listed="2025-03-01")
    filed = file(world, code)
    # each department its own deadline, counted in working days across the National Day
    # holiday (10-01..10-07 off, Saturday 10-10 a make-up working day)
    assert {(r["department"], r["due_on"]) for r in filed.reviews} == {
        ("市住房和城乡建设委员会", date(2026, 10, 13)),
        ("市规划和自然资源委员会", date(2026, 10, 10)),
        ("市生态环境局", date(2026, 10, 10)),
    }
    assert {r["state"] for r in filed.reviews} == {"pending"}
    assert [h["list_type"] for h in filed.credit["hits"]] == ["dishonest_debtor"]
    assert filed.credit["scene"] == "行政许可"
    with world.engine.connect() as conn:
        logged = conn.execute(
            sa.select(checks.c.scene).where(checks.c.id == filed.credit["check_id"])
        ).scalar()
        stored = conn.execute(sa.select(approval_applications.c.code_hash)).scalar()
    assert logged == "licensing"
    assert stored != filed.code and len(stored) == 64  # only the hash of the 查询码 is kept


def test_two_departments_decide_in_parallel_each_approval_rechecked(world: World) -> None:
    _, code = world.subject(2)
    filed = file(
        world,
        code,
        matter="food_business_licence",
        materials=["application_form", "premises", "safety_rules"],
        project_code=None,
    )
    samr, health = sorted(filed.reviews, key=lambda r: r["department"])[::-1]
    assert samr["department"] == "市市场监督管理局"
    after_one = decide(world, health["id"], "approved", date(2026, 10, 9))
    assert after_one["state"] == "in_review"
    approved = {r["department"]: r for r in after_one["reviews"]}["市卫生健康委员会"]
    assert approved["check_id"] and approved["check_id"] != filed.credit["check_id"]
    assert approved["credit"]["hits"] == [] and approved["overdue"] is False
    done = decide(world, samr["id"], "approved", date(2026, 10, 9))
    assert done["state"] == "approved" and done["decided_on"] == date(2026, 10, 9)


def test_one_refusal_refuses_and_a_late_decision_is_marked_overdue(world: World) -> None:
    _, code = world.subject(3)
    filed = file(world, code)
    by = {r["department"]: r for r in filed.reviews}
    decide(world, by["市生态环境局"]["id"], "approved", date(2026, 10, 10))  # the last day
    late = decide(world, by["市规划和自然资源委员会"]["id"], "refused", date(2026, 10, 12))
    shown = {r["department"]: r for r in late["reviews"]}
    assert shown["市生态环境局"]["overdue"] is False
    assert shown["市规划和自然资源委员会"]["overdue"] is True
    assert shown["市规划和自然资源委员会"]["check_id"] is None  # no re-check for a refusal
    assert late["state"] == "in_review"
    final = decide(world, by["市住房和城乡建设委员会"]["id"], "approved", date(2026, 10, 13))
    assert final["state"] == "refused"
    with pytest.raises(Conflict):
        decide(world, by["市生态环境局"]["id"], "refused", date(2026, 10, 14))


def test_a_department_decides_only_its_own_review(world: World) -> None:
    _, code = world.subject(4)
    filed = file(world, code)
    with pytest.raises(Forbidden):
        decide(world, filed.reviews[0]["id"], "approved", FILED_ON, dept="市财政局")
    with pytest.raises(InvalidInput) as bad:
        decide(world, filed.reviews[0]["id"], "maybe", FILED_ON)
    assert bad.value.details["valid"] == ["approved", "refused"]


def test_promise_refused_for_the_seriously_dishonest_allowed_otherwise(world: World) -> None:
    sid, bad = world.subject(5, "北京严重失信有限公司")
    world.entry("serious_dishonest_list", bad, subject_id=sid, listed="2025-01-10")
    promised = ["application_form", "planning_permit", "contract"]
    with pytest.raises(Forbidden) as refused:
        file(world, bad, mode="promise", materials=promised)
    assert refused.value.details["lists"] == ["serious_dishonest_list"]
    assert "告知承诺" in refused.value.zh
    with world.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(approval_applications)).scalar()
            == 0
        )
    file(world, bad)  # the standard way, every material handed in, stays open to it
    _, good = world.subject(6)
    ok = file(world, good, mode="promise", materials=promised)
    with world.engine.connect() as conn:
        shown = applications.lookup(conn, ok.code, FILED_ON)
    assert shown["mode"] == "promise" and shown["promised"] == ["funds_proof", "safety_measures"]


def test_a_broken_promise_bars_tolerance_too(world: World) -> None:
    sid, code = world.subject(7)
    world.entry(
        "commitment",
        code,
        subject_id=sid,
        listed="2025-06-01",
        changed=datetime(2025, 6, 2, tzinfo=UTC),
    )  # reported 未履约 then
    with pytest.raises(Forbidden):
        file(world, code, mode="tolerance", materials=["application_form", "planning_permit"])


def test_missing_materials_named_at_once_and_tolerance_owes_minor_ones(world: World) -> None:
    _, code = world.subject(8)
    with pytest.raises(InvalidInput) as missing:
        file(world, code, materials=["application_form"])
    assert missing.value.details["missing"] == [
        "planning_permit",
        "contract",
        "funds_proof",
        "safety_measures",
    ]
    with pytest.raises(InvalidInput):  # a main material is never owed
        file(world, code, mode="tolerance", materials=["application_form"])
    filed = file(world, code, mode="tolerance", materials=["application_form", "planning_permit"])
    with world.engine.connect() as conn:
        shown = applications.lookup(conn, filed.code, FILED_ON)
    assert shown["missing"] == ["contract", "funds_proof", "safety_measures"]
    assert shown["docs_due_on"] == date(2026, 10, 10)  # 5 working days
    with pytest.raises(Conflict):
        decide(world, filed.reviews[0]["id"], "approved", FILED_ON)
    with world.engine.begin() as conn:
        applications.supply(
            conn,
            filed.code,
            ["contract", "funds_proof", "safety_measures"],
            book(),
            as_of=date(2026, 10, 9),
            now=NOW,
        )
    assert decide(world, filed.reviews[0]["id"], "approved", date(2026, 10, 9))["missing"] == []


def test_project_code_required_and_checked(world: World) -> None:
    _, code = world.subject(9)
    with pytest.raises(InvalidInput) as none:
        file(world, code, project_code=None)
    assert none.value.details["field"] == "project_code"
    with pytest.raises(InvalidInput) as region:
        file(world, code, project_code="2026-990108-47-01-012345")
    assert region.value.details["rule"].endswith("行政区划码")
    with pytest.raises(InvalidInput) as future:
        file(world, code, project_code="2027-110108-47-01-012345")
    assert future.value.details["rule"].endswith("时间码")


def test_unknown_matter_and_department_list_the_valid_ones(world: World) -> None:
    _, code = world.subject(10)
    with pytest.raises(InvalidInput) as matter:
        file(world, code, matter="fishing_licence")
    assert matter.value.status == 400
    assert set(matter.value.details["valid"]) == {m.code for m in book().matters}
    with world.engine.connect() as conn, pytest.raises(InvalidInput) as dept:
        sla.stats(conn, book(), as_of=FILED_ON, department="市气象局")
    assert "市生态环境局" in dept.value.details["valid"]


def test_lookup_by_query_code_only(world: World) -> None:
    _, code = world.subject(11)
    filed = file(world, code)
    with world.engine.connect() as conn:
        assert applications.lookup(conn, filed.code, FILED_ON)["number"] == filed.number
        with pytest.raises(NotFound):
            applications.lookup(
                conn, filed.code[:-1] + ("A" if filed.code[-1] != "A" else "B"), FILED_ON
            )


def test_sla_per_matter_and_department(world: World) -> None:
    for n in (12, 13):
        _, code = world.subject(n)
        file(world, code)
    with world.engine.connect() as conn:
        rows = applications.review_rows(conn, 1)
    by = {r.department: r.id for r in rows}
    decide(world, by["市生态环境局"], "approved", date(2026, 10, 9))  # 4 working days
    decide(world, by["市规划和自然资源委员会"], "refused", date(2026, 10, 13))  # late
    with world.engine.connect() as conn:
        found = sla.stats(conn, book(), as_of=date(2026, 10, 14), matter="construction_permit")
    rows_ = {r["department"]: r for r in found["departments"]}
    env = rows_["市生态环境局"]
    assert (env["received"], env["decided"], env["on_time"], env["pending"]) == (2, 1, 1, 1)
    assert env["pending_overdue"] == 1 and env["mean_days"] == 4.0
    plan = rows_["市规划和自然资源委员会"]
    assert (plan["overdue"], plan["refused"], plan["on_time_share"]) == (1, 1, 0.0)
    housing = rows_["市住房和城乡建设委员会"]
    assert (housing["pending"], housing["pending_overdue"]) == (2, 2)  # both due 10-13
    (matter,) = found["matters"]
    assert (matter["applications"], matter["in_review"], matter["standard"]) == (2, 2, 2)
