"""A store with two registered companies and the departments commitments and checks need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.engine import make_engine
from gongxin.identity import departments
from gongxin.identity.departments import Department
from gongxin.ids import ric
from tests.intake.helpers import (
    AS_OF,
    PROVIDER,
    catalog,
    make_uscc,
    prepare,
    registration_row,
    write_registrations,
)

TODAY = date(2026, 11, 22)
LATER = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
COMPANY = make_uscc(501)
OTHER_COMPANY = make_uscc(502)
APPROVALS = "市行政审批局"  # accepts commitments (a user department with its own USCC)
APPROVALS_CODE = make_uscc(9001, prefix="11110108")
ELSEWHERE = "市住房和城乡建设局"
ELSEWHERE_CODE = make_uscc(9002, prefix="11110108")
CENTRE = "市信用中心"


def person_id() -> str:
    body = "11010519850101123"
    return body + ric.calc_check_digit(body)


@dataclass
class World:
    engine: sa.Engine
    catalog: Catalog
    folder: Path

    def dept(self, name: str) -> Department:
        with self.engine.connect() as conn:
            return departments.get(conn, name)


def open_world(db_url: str, folder: Path) -> Iterator[World]:
    from gongxin.intake.pipeline import ingest

    engine = make_engine(db_url)
    try:
        prepare(engine)
        with engine.begin() as conn:
            departments.add(conn, APPROVALS, kind="user", code=APPROVALS_CODE, now=AS_OF)
            departments.add(conn, ELSEWHERE, kind="user", code=ELSEWHERE_CODE, now=AS_OF)
            departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
        rows = [
            registration_row(501, 企业名称="北京承诺测试商贸有限公司", 统一社会信用代码=COMPANY),
            registration_row(
                502, 企业名称="北京另一测试科技有限公司", 统一社会信用代码=OTHER_COMPANY
            ),
        ]
        path = write_registrations(folder / "reg.csv", rows)
        summary = ingest(engine, catalog(), path, dataset="registration", provider=PROVIDER,
                         as_of=AS_OF)  # fmt: skip
        assert summary.accepted == 2
        yield World(engine, catalog(), folder)
    finally:
        engine.dispose()


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    yield from open_world(db_url, tmp_path)


def commitment_fields(**values: Any) -> dict[str, Any]:
    """A valid commitment of the company, by the API's field names."""
    fields: dict[str, Any] = {
        "subject_name": "北京承诺测试商贸有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": COMPANY,
        "legal_rep": "王小明",
        "type": "审批替代型",
        "matter": "食品经营许可",
        "content": "承诺所提交材料真实有效，三个月内补齐场所证明；如违诺，愿承担撤销许可等责任。",
        "date": "2026-11-02",
        "valid_until": "2027-11-01",
    }
    fields.update(values)
    return fields


def api_key(world: World, department: str, *scopes: str) -> dict[str, str]:
    """The Authorization header of a new key of ``department`` with ``scopes``."""
    from gongxin.identity import keys

    with world.engine.begin() as conn:
        made = keys.create(conn, department, now=AS_OF, scopes=list(scopes) or None)
    return {"Authorization": f"Bearer {made.key}"}


@pytest.fixture
def client(world: World, db_url: str, tmp_path: Path) -> Iterator[Any]:
    """The app over the world's store, its clock fixed at AS_OF."""
    from gongxin.settings import Settings
    from gongxin.web import deps
    from gongxin.web.app import create_app
    from tests.support.http import TestClient

    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: AS_OF
    with TestClient(app) as test_client:
        yield test_client


def breach(world: World, **values: Any) -> int:
    """A commitment of the company recorded and then broken; returns its id."""
    from gongxin.workflows import commitments

    with world.engine.begin() as conn:
        made = commitments.make(
            conn, world.catalog, world.dept(APPROVALS), commitment_fields(**values),
            now=AS_OF, actor="key:test",
        )  # fmt: skip
        commitments.record_outcome(
            conn, world.catalog, world.dept(APPROVALS), made.id, "未履约",
            now=AS_OF, actor="key:test", details="逾期未补齐场所证明",
        )  # fmt: skip
    return made.id


def run_check(world: World, department: str, scene: str, *codes: str, now: datetime = AS_OF) -> str:
    """A credit check by ``department`` through the check service; returns its id."""
    from gongxin.sanctions import check

    dept = world.dept(department)
    request = check.Request(
        subjects=list(codes), scene=scene, requester="测试系统", purpose="测试核查",
        as_of=now.date(),
    )  # fmt: skip
    with world.engine.begin() as conn:
        done = check.run(conn, world.catalog, request, now=now, actor="key:test",
                         department_id=dept.id)  # fmt: skip
    return done.id
