"""Statistics of checks and feedback add up, by scene, department and measure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from gongxin.sanctions import check_stats, feedback
from gongxin.sanctions.check_stats import Stats, Tally
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

REASON = "业务已办结"
COUNTS = ("checks", "subjects", "hits", "measures", "reported", "applied", "not_applied")


def _sum(rows: list[check_stats.Row], name: str) -> int:
    return sum(getattr(r.tally, name) for r in rows)


def _report(world: World, department: str, check_id: str, every: int) -> None:
    """Feedback on every ``every``-th measure of the check: odd ones applied, even ones not."""
    with world.engine.begin() as conn:
        found = feedback.with_feedback(conn, check_id, department=None)
        items = []
        n = 0
        for r in found["results"]:
            for mid in feedback.measure_ids(r["measures"]):
                n += 1
                if n % every:
                    continue
                applied = n % 2 == 1
                why = {} if applied else {"reason": REASON}
                items.append({"position": r["position"], "measure_id": mid, "applied": applied,
                              "operator": "甲", **why})  # fmt: skip
        if items:
            feedback.report(conn, check_id, items, department=world.dept(department),
                            now=datetime(2026, 11, 22, 12, tzinfo=UTC), actor="test")  # fmt: skip


def _assert_adds_up(stats: Stats) -> None:
    t: Tally = stats.total
    for name in COUNTS:
        assert _sum(stats.by_scene, name) == getattr(t, name), name
        assert _sum(stats.by_department, name) == getattr(t, name), name
    for name in ("measures", "reported", "applied", "not_applied"):
        assert _sum(stats.by_measure, name) == getattr(t, name), name
    for row in [*stats.by_scene, *stats.by_department, *stats.by_measure]:
        assert row.tally.applied + row.tally.not_applied == row.tally.reported <= row.tally.measures
        assert sum(row.tally.reasons.values()) == row.tally.not_applied
    assert t.applied + t.not_applied == t.reported


def test_statistics_add_up(world: World, client: Any) -> None:
    breach(world)
    day = datetime(2026, 11, 22, 11, tzinfo=UTC)  # after the breach (AS_OF, 10:00)
    made = [
        (APPROVALS, run_check(world, APPROVALS, "licensing", COMPANY, OTHER_COMPANY, now=day)),
        (APPROVALS, run_check(world, APPROVALS, "supervision", COMPANY, now=day)),
        (ELSEWHERE, run_check(world, ELSEWHERE, "gov_procurement", COMPANY, COMPANY, now=day)),
        (ELSEWHERE, run_check(world, ELSEWHERE, "licensing", OTHER_COMPANY, now=day)),
    ]
    for n, (dept, cid) in enumerate(made):
        _report(world, dept, cid, every=1 + n % 2)
    # a check outside the period counts nowhere
    run_check(world, APPROVALS, "licensing", COMPANY, now=datetime(2026, 10, 1, tzinfo=UTC))
    with world.engine.connect() as conn:
        stats = check_stats.stats(conn, since=date(2026, 11, 1), until=date(2026, 11, 22))
        mine = check_stats.stats(
            conn, since=date(2026, 11, 1), until=date(2026, 11, 22),
            department_id=world.dept(ELSEWHERE).id,
        )  # fmt: skip
    t = stats.total
    assert (t.checks, t.subjects, t.hits) == (4, 6, 4)
    assert t.measures > 0 and t.applied > 0 and t.not_applied > 0
    assert t.reasons[REASON] == t.not_applied
    assert {r.label for r in stats.by_scene} == {"行政许可", "日常监管", "政府采购"}
    assert {r.label for r in stats.by_department} == {APPROVALS, ELSEWHERE}
    assert all(r.key.startswith("commitment-breach-") for r in stats.by_measure)
    _assert_adds_up(stats)
    _assert_adds_up(mine)
    assert [r.label for r in mine.by_department] == [ELSEWHERE] and mine.total.checks == 2
    # the API gives a department its own figures, the centre everyone's
    own = client.get("/api/v1/checks/stats", params={"from": "2026-11-01", "to": "2026-11-22"},
                     headers=api_key(world, ELSEWHERE, "check"))  # fmt: skip
    assert own.status_code == 200, own.text
    assert own.json()["total"]["checks"] == 2
    everyone = client.get(
        "/api/v1/checks/stats", params={"from": "2026-11-01"},
        headers=api_key(world, "市信用中心", "check"),
    ).json()  # fmt: skip
    assert everyone["total"] == stats.total.to_dict()


def test_an_upside_down_period_is_refused(world: World) -> None:
    from gongxin.errors import InvalidInput

    with pytest.raises(InvalidInput, match="晚于"):
        check_stats.period(date(2026, 2, 1), date(2026, 1, 1), date(2026, 3, 1))
