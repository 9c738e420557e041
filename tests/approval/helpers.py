"""A small world for the approval tests: the sanctions tests' store (subjects, list entries,
departments), the packaged matters, and shortcuts to file and decide."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from gongxin.approval import applications, reviews
from gongxin.approval.applications import Filing
from gongxin.approval.matters import Book, load
from tests.intake.helpers import catalog
from tests.sanctions.helpers import World

FILED_ON = date(2026, 9, 28)  # a Monday before the National Day holiday
NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
PROJECT = "2026-110108-47-01-012345"
PERMIT_DOCS = ["application_form", "planning_permit", "contract", "funds_proof", "safety_measures"]


def book() -> Book:
    return load(catalog())


def file(world: World, code: str, **over: Any) -> applications.Filed:
    args: dict[str, Any] = {
        "matter": "construction_permit", "applicant": "北京测试建设有限公司",
        "applicant_code": code, "materials": PERMIT_DOCS, "project_code": PROJECT,
    } | over  # fmt: skip
    as_of = args.pop("as_of", FILED_ON)
    with world.engine.begin() as conn:
        return applications.file(conn, catalog(), book(), Filing(**args), as_of=as_of, now=NOW)


def decide(world: World, review_id: int, outcome: str, on: date, dept: str | None = None) -> Any:
    with world.engine.begin() as conn:
        return reviews.decide(
            conn, catalog(), book(), review_id, outcome, "经审查，符合条件" if outcome ==
            "approved" else "材料与实际不符", department=dept, actor="user:1",
            department_id=None, as_of=on, now=NOW,
        )  # fmt: skip
