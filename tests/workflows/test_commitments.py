"""Credit commitments: made, fulfilled or broken as corrections with history, listed publicly."""

from __future__ import annotations

import pytest

from gongxin.errors import Conflict, Forbidden, InvalidInput
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.workflows import commitments
from tests.intake.helpers import AS_OF
from tests.workflows.helpers import (
    APPROVALS,
    COMPANY,
    ELSEWHERE,
    LATER,
    TODAY,
    World,
    commitment_fields,
    person_id,
)


def _make(world: World, **values: object) -> commitments.Commitment:
    with world.engine.begin() as conn:
        return commitments.make(
            conn, world.catalog, world.dept(APPROVALS), commitment_fields(**values),
            now=AS_OF, actor="key:test",
        )  # fmt: skip


def _outcome(
    world: World, cid: int, status: str, dept: str = APPROVALS, **kw: object
) -> commitments.Commitment:
    with world.engine.begin() as conn:
        return commitments.record_outcome(
            conn, world.catalog, world.dept(dept), cid, status, now=LATER, actor="key:test",
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip


def _public(world: World, **kw: object) -> list[commitments.Commitment]:
    with world.engine.connect() as conn:
        page = commitments.listing(
            conn,
            world.catalog,
            audience=Audience.PUBLIC,
            as_of=TODAY,
            **kw,  # type: ignore[arg-type]
        )
    return page.items


def test_make_then_fulfil_keeps_history(world: World) -> None:
    made = _make(world)
    assert (made.status, made.version, made.department) == ("履约中", 1, APPROVALS)
    done = _outcome(world, made.id, "已履约")
    assert (done.id, done.status, done.version, done.negative) == (made.id, "已履约", 2, False)
    with world.engine.connect() as conn:
        versions = commitments.history(
            conn, world.catalog, made.id, audience=Audience.CENTRE, as_of=TODAY
        )
        assert commitments.subject_of(conn, made.id) == COMPANY
    assert [(v.version, v.status) for v in versions] == [(1, "履约中"), (2, "已履约")]
    with pytest.raises(Conflict, match="已是“已履约”"):
        _outcome(world, made.id, "未履约", details="x")


def test_breach_becomes_failure_information(world: World) -> None:
    made = _make(world)
    broken = _outcome(
        world, made.id, "未履约", details="逾期未补齐场所证明，已撤销许可", found_on=TODAY
    )
    assert broken.negative and broken.category_label == "失信信息"
    assert broken.breach == "逾期未补齐场所证明，已撤销许可（核查日期：2026-11-22）"
    shown = _public(world, status="未履约")
    assert [c.id for c in shown] == [made.id]
    assert shown[0].negative
    # the subject's public profile shows it among its commitments, marked 未履约
    with world.engine.connect() as conn:
        records = profiles.visible_records(
            conn, world.catalog, COMPANY, audience=Audience.PUBLIC, as_of=TODAY,
            dataset="commitment",
        )  # fmt: skip
        versions = commitments.history(
            conn, world.catalog, made.id, audience=Audience.PUBLIC, as_of=TODAY
        )
    assert [r["data"]["CN_LYZT"] for r in records] == ["未履约"]
    assert [v.status for v in versions] == ["履约中", "未履约"]


def test_breach_needs_details_and_a_sensible_date(world: World) -> None:
    made = _make(world)
    with pytest.raises(InvalidInput, match="须写明未履约情况"):
        _outcome(world, made.id, "未履约")
    with pytest.raises(InvalidInput, match="核查日期 2026-10-01"):
        from datetime import date

        _outcome(world, made.id, "未履约", details="x", found_on=date(2026, 10, 1))
    with pytest.raises(InvalidInput, match="只能是 已履约 或 未履约"):
        _outcome(world, made.id, "履约中")


def test_only_the_accepting_department_records_the_outcome(world: World) -> None:
    made = _make(world)
    with pytest.raises(Forbidden, match="只有受理部门"):
        _outcome(world, made.id, "已履约", dept=ELSEWHERE)


def test_wrong_type_or_status_is_refused_naming_field_and_value(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _make(world, type="承诺型")
    problem = caught.value.details["problems"][0]
    assert (problem["field"], problem["value"]) == ("CN_CNLX", "承诺型")
    assert "承诺类型" in caught.value.zh
    with pytest.raises(InvalidInput, match="status"):
        _public(world, status="已完成")
    with pytest.raises(InvalidInput, match="未知的字段"):
        _make(world, status="已履约")


def test_the_five_types_are_accepted(world: World) -> None:
    assert commitments.types(world.catalog) == [
        "审批替代型", "容缺受理型", "行业自律型", "主动型", "修复型",
    ]  # fmt: skip
    for n, kind in enumerate(commitments.types(world.catalog)):
        _make(world, type=kind, matter=f"事项{n}")
    assert {c.type for c in _public(world, size=50)} == set(commitments.types(world.catalog))
    assert [c.type for c in _public(world, type="修复型")] == ["修复型"]


def test_same_commitment_twice_is_a_conflict(world: World) -> None:
    made = _make(world)
    with pytest.raises(Conflict) as caught:
        _make(world)
    assert caught.value.details["commitment_id"] == made.id


def test_public_listing_masks_personal_data(world: World) -> None:
    _make(world)
    _make(
        world, subject_name="张小红", subject_category="自然人", uscc=None, id_type="身份证",
        id_number=person_id(), legal_rep=None, matter="个人执业资格",
    )  # fmt: skip
    shown = _public(world)
    assert [c.subject_category for c in shown] == ["法人及非法人组织"]  # persons never public
    with world.engine.connect() as conn:
        centre = commitments.listing(conn, world.catalog, audience=Audience.CENTRE, as_of=TODAY)
        one = commitments.get(conn, world.catalog, shown[0].id, audience=Audience.PUBLIC,
                              as_of=TODAY)  # fmt: skip
    assert {c.subject_code for c in centre.items} == {COMPANY, person_id()}
    assert one.subject_code == COMPANY
