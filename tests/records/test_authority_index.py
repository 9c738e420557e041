"""The 双公示 filter by deciding authority and its choice list read the expression index
``ix_records_authority`` (migration 0024), not every public record's JSON: the query plan
says so on SQLite and PostgreSQL, and the filtered page still holds the right records."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.records import gate
from gongxin.records.gate import Audience
from gongxin.records.latest import Filters, _matching, _query, authorities, count, latest
from tests.records.test_deep_pages import CATALOG, TODAY, _penalty, engine, fill

__all__ = ["engine"]  # the deep pages' store: both databases, migrations applied
RARE = "示范市某区应急管理局"


def _penalty_of(rng: random.Random, day: date) -> dict[str, Any]:
    data = _penalty(rng, day)
    if rng.random() < 0.01:
        data["CF_CFJG"] = RARE
    return data


def _plan(conn: sa.Connection, query: sa.Select[Any], **values: Any) -> str:
    sql = str(query.params(**values).compile(conn.engine, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny table: ask for an index
    return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))


def test_the_authority_filter_reads_its_index(engine: sa.Engine) -> None:
    spec = CATALOG.get("penalty")
    stored = fill(engine, spec, _penalty_of, years=2, count=3000)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    rare = sorted(
        ((e, i) for e, i, d in stored
         if d["CF_CFJG"] == RARE and e <= TODAY
         and gate.decide(spec, d, Audience.PUBLIC, TODAY).visible),
        reverse=True,
    )  # fmt: skip
    assert 5 < len(rare) < 100
    with engine.connect() as conn:
        got = latest(conn, CATALOG, "penalty", as_of=TODAY, page=1, size=100, authority=RARE)
        assert [e.record_id for e in got] == [i for _, i in rare]
        where = Filters(authority=RARE)
        assert count(conn, "penalty", as_of=TODAY, filters=where) == len(rare)
        assert set(authorities(conn, "penalty", as_of=TODAY)) == {"市生态环境局", RARE}
    ids = _matching("penalty", False, True, False, False, False)
    counted = sa.select(sa.func.count()).select_from(ids.subquery())
    with engine.begin() as conn:
        plan = _plan(conn, counted, dataset="penalty", as_of=TODAY, authority=RARE)
    assert "ix_records_authority" in plan, plan
    for first in (True, False):  # page 1 (rows in index order) and a later page (ids first)
        with engine.begin() as conn:
            paged = _plan(
                conn, _query("penalty", first, False, True, False, False, False),
                dataset="penalty", as_of=TODAY, authority=RARE, skip=0, size=20,
            )  # fmt: skip
        assert "ix_records_authority" in paged, (first, paged)
