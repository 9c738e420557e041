"""Deep pages are right: page 1,000 of a public list holds exactly the records the gate shows
there, newest first — with hidden records (expired, withdrawn, natural persons, not yet
public) spread among them, on SQLite and PostgreSQL. Before the decisions were stored, pages
past the newest 5,000 records came back empty."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import load_catalog
from gongxin.db import dialect, migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import departments, records, submissions
from gongxin.records import decisions, gate
from gongxin.records.gate import Audience
from gongxin.records.latest import latest, latest_page
from gongxin.sanctions import lists
from gongxin.workflows import commitments

CATALOG = load_catalog()
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
SIZE = 5  # page 1,000 starts past the 5,000th visible record: once past any scan cap
PAGE = 1000
COUNT = 7000  # more than PAGE × SIZE visible records, and many hidden among them


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = make_engine(db_url)
    migrate.upgrade(made)
    with made.begin() as conn:
        dept = conn.execute(
            departments.insert()
            .values(name="市生态环境局", kind="provider", created_at=NOW)
            .returning(departments.c.id)
        ).scalar_one()
        conn.execute(
            submissions.insert().values(
                id="s1", dataset="penalty", department_id=dept, file_name="f", file_sha256="0",
                file_size=0, format="csv", layout="current", status="complete", headers=[],
                unknown_columns=[], notes=[], received_at=NOW,
            )
        )  # fmt: skip
    try:
        yield made
    finally:
        made.dispose()


def _penalty(rng: random.Random, day: date) -> dict[str, Any]:
    return {
        "CF_JDRQ": day.isoformat(),
        "CF_CFLB": rng.choice([["罚款"], ["警告"], ["罚款", "没收违法所得"]]),
        "CF_NR_FK": "1",
        "CF_CFJG": "市生态环境局",
        "CF_YZCD": rng.choice(["一般", "严重", "严重", "严重"]),
        "CF_XDR_LB": "自然人" if rng.random() < 0.1 else "法人及非法人组织",
        "CF_ZT": "撤销" if rng.random() < 0.05 else "有效",
        "CF_WSH": f"W{day.isoformat()}-{rng.randrange(10**9)}",
    }


def _listing(rng: random.Random, day: date) -> dict[str, Any]:
    data = {"MD_LRRQ": day.isoformat(), "MD_ZTMC": f"某公司{rng.randrange(10**6)}"}
    if rng.random() < 0.2:
        data["MD_SJYCRQ"] = (day + timedelta(days=rng.randrange(1, 900))).isoformat()
    if rng.random() < 0.2:
        data["MD_JHYCRQ"] = (day + timedelta(days=rng.randrange(1, 1500))).isoformat()
    data["MD_ZTLB"] = "自然人" if rng.random() < 0.1 else "法人及非法人组织"
    return data


def _commitment(rng: random.Random, day: date) -> dict[str, Any]:
    return {
        "CN_CNRQ": day.isoformat(),
        "CN_ZTLB": "自然人" if rng.random() < 0.15 else "法人及非法人组织",
        "CN_ZTMC": f"某公司{rng.randrange(10**6)}",
    }


def fill(
    engine: sa.Engine, spec: DatasetSpec, make: Any, years: int = 6, count: int = COUNT
) -> list[tuple[date, int, dict[str, Any]]]:
    """COUNT records of ``spec`` over ``years`` before TODAY (some after it), stored as intake
    stores them; returns (event date, id, data) of each."""
    rng = random.Random(spec.code)
    columns = ("dataset", "dedupe_key", "content_hash", "version", "event_date", "submission_id",
               "row_no", "data", "created_at", "updated_at", "department_id",
               *decisions.COLUMNS)  # fmt: skip
    with engine.connect() as conn:
        owner = conn.execute(sa.select(departments.c.id)).scalar_one()
    stamp = "2026-11-01 00:00:00.000000" if engine.dialect.name == "sqlite" else NOW.isoformat()
    rows = []
    for n in range(count):
        day = TODAY - timedelta(days=rng.randrange(-30, years * 365))
        data = make(rng, day)
        rows.append(
            (spec.code, f"k{n}", "0" * 32, 1, day.isoformat(), "s1", n,
             orjson.dumps(data).decode(), stamp, stamp, owner,
             *decisions.stored_values(spec, data))
        )  # fmt: skip
    with engine.begin() as conn:
        dialect.bulk_insert(conn, records, columns, rows)
        stored = conn.execute(
            sa.select(records.c.event_date, records.c.id, records.c.data).where(
                records.c.dataset == spec.code
            )
        ).fetchall()
    return [(e, i, d) for e, i, d in stored]


def expected_page(spec: DatasetSpec, stored: list[Any], page: int) -> list[int]:
    shown = [
        (e, i) for e, i, d in stored
        if e <= TODAY and gate.decide(spec, d, Audience.PUBLIC, TODAY).visible
    ]  # fmt: skip
    assert len(shown) > PAGE * SIZE  # page PAGE is full
    shown.sort(reverse=True)
    return [i for _, i in shown[(page - 1) * SIZE : page * SIZE]]


def test_page_1000_of_the_penalty_column_holds_the_right_records(engine: sa.Engine) -> None:
    spec = CATALOG.get("penalty")
    stored = fill(engine, spec, _penalty, years=2)
    with engine.connect() as conn:
        for page in (1, PAGE):
            got = latest(conn, CATALOG, "penalty", as_of=TODAY, page=page, size=SIZE)
            assert [e.record_id for e in got] == expected_page(spec, stored, page)
        deepest = latest(conn, CATALOG, "penalty", as_of=TODAY, page=PAGE, size=SIZE)
        assert all(e.department == "市生态环境局" for e in deepest)
        # the same query says whether a next page exists (the portal's 下一页), up to the end
        visible = sum(
            1 for e, _, d in stored
            if e <= TODAY and gate.decide(spec, d, Audience.PUBLIC, TODAY).visible
        )  # fmt: skip
        last = -(-visible // SIZE)
        deep, final, beyond = (
            latest_page(conn, CATALOG, "penalty", as_of=TODAY, page=n, size=SIZE)
            for n in (PAGE, last, last + 1)
        )
    assert deep.more and [e.record_id for e in deep.entries] == expected_page(spec, stored, PAGE)
    assert not final.more and len(final.entries) == visible - (last - 1) * SIZE
    assert (beyond.entries, beyond.more) == ([], False)


def test_page_1000_of_a_list_holds_the_right_entries(engine: sa.Engine) -> None:
    spec = CATALOG.get("abnormal_list")
    stored = fill(engine, spec, _listing, count=9000)
    lt = lists.get(CATALOG, "abnormal_list")
    with engine.connect() as conn:
        for page in (1, PAGE):
            got = lists.public_entries(conn, lt, as_of=TODAY, page=page, size=SIZE)
            assert [e["id"] for e in got.entries] == expected_page(spec, stored, page)
            assert got.more


def test_page_1000_of_commitments_holds_the_right_records(engine: sa.Engine) -> None:
    spec = CATALOG.get("commitment")
    stored = fill(engine, spec, _commitment)
    with engine.connect() as conn:
        got = commitments.listing(
            conn, CATALOG, audience=Audience.PUBLIC, as_of=TODAY, page=PAGE, size=SIZE
        )
    assert [c.id for c in got.items] == expected_page(spec, stored, PAGE)
