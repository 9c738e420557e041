"""Stores for the monitoring tests: a hand-made cohort whose figures are worked out by hand in
the tests, and a small demo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import departments, records, subjects
from gongxin.demo import generate, load
from tests.demo.helpers import AS_OF, AS_OF_DATE

HAND_AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 10, tzinfo=UTC)

# name: (reg_date, status, exit_date, industry, region, uscc, capital 万元); D exits on its
# 3rd anniversary
COHORT: dict[str, tuple[date, str, date | None, str | None, str, str | None, int | None]] = {
    "A": (date(2020, 1, 10), "存续", None, "I6513", "110108", None, None),
    "B": (date(2020, 3, 1), "注销", date(2020, 12, 1), "I6531", "110108", None, None),
    "C": (date(2020, 5, 1), "吊销", date(2022, 8, 1), "F5139", "110105", None, None),
    "D": (date(2021, 2, 1), "注销", date(2024, 2, 1), "C1819", "110105", None, None),
    "E": (date(2024, 1, 15), "存续", None, "F5126", "110105", "91110105MA0000001X", 50),
    "F": (date(2025, 12, 1), "存续", None, None, "110105", "91110105MA0000002X", 30),
    "G": (date(2019, 6, 30), "注销", None, "I6513", "110108", None, None),  # exit day unknown
    "H": (date(2020, 2, 29), "存续", None, None, "310115", None, None),  # leap day
    "I": (date(2023, 6, 30), "撤销", date(2024, 6, 29), "L7251", "110108", "91110108MA0000003X",
          10),
    "J": (date(2021, 7, 1), "停业", None, "I6513", "110108", None, None),  # dormant, not gone
    "K": (date(2024, 3, 1), "存续", None, "F5139", "110108", "91110108MA0000004X",
          500),  # not small: capital above 100
}  # fmt: skip


def _subject(name: str, facts: tuple[Any, ...]) -> dict[str, Any]:
    reg, status, gone, industry, region, uscc, capital = facts
    return {
        "name": f"测试{name}有限公司", "name_norm": f"测试{name}有限公司", "uscc": uscc,
        "reg_date": reg, "reg_status": status, "exit_date": gone, "industry_code": industry,
        "region_code": region, "region": "海淀" if region == "110108" else None,
        "capital": None if capital is None else Decimal(capital),
        "capital_unit": None if capital is None else "万元人民币",
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _record(
    n: int, dataset: str, sid: int, day: date, status: str = "in_force", dept: int = 1
) -> dict[str, Any]:
    return {
        "dataset": dataset, "dedupe_key": f"k{n}", "content_hash": f"h{n}", "version": 1,
        "subject_id": sid, "event_date": day, "submission_id": "s1", "row_no": n, "data": {},
        "created_at": NOW, "updated_at": NOW, "department_id": dept, "status": status,
    }  # fmt: skip


@pytest.fixture
def hand_store(db_url: str) -> Iterator[sa.Engine]:
    """The cohort above, with a penalty for E, a withdrawn penalty for F, a list entry for I
    and a penalty for K (not small)."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        dept = conn.execute(
            departments.insert()
            .values(name="市市场监督管理局", kind="provider", created_at=NOW)
            .returning(departments.c.id)
        ).scalar_one()
        ids = {}
        for name, facts in COHORT.items():
            ids[name] = conn.execute(
                subjects.insert().values(_subject(name, facts)).returning(subjects.c.id)
            ).scalar_one()
        conn.execute(records.insert(), [
            _record(1, "penalty", ids["E"], date(2025, 3, 1), dept=dept),
            _record(2, "penalty", ids["F"], date(2026, 1, 5), status="withdrawn", dept=dept),
            _record(3, "abnormal_list", ids["I"], date(2024, 1, 1), dept=dept),
            _record(4, "penalty", ids["K"], date(2025, 1, 1), dept=dept),
        ])  # fmt: skip
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def demo_store(db_url: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """A small demo: every dataset, registrations with founding and exit dates."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=120, seed=5, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    try:
        yield engine
    finally:
        engine.dispose()
