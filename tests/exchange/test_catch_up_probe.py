"""The change feed's catch-up probe ("is anything new or due?") runs before every read of a
feed. Sent with parameters, psycopg prepares it after a few reads and PostgreSQL may then plan
it for any day: that plan read the whole change log (1.2 s a read at 1,400,000 changes, where
the day's own plan reads an index in 5 ms). It is sent with its values written in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.exchange import expiry
from tests.intake.helpers import Store

NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)


def test_the_probe_is_planned_for_its_own_day(store: Store) -> None:
    engine = store.engine
    spec = load_catalog().get("penalty")
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "EXISTS" in statement.upper():
            sent.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        for _ in range(7):  # past psycopg's prepare threshold (5)
            with engine.connect() as conn:
                assert expiry.catch_up(conn, spec, day=date(2026, 11, 22), now=NOW) == 0
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) == 7
    statement, params = sent[-1]
    assert not params  # nothing left for a generic plan to guess
    assert "2026-11-22" in statement and "penalty" in statement


def test_the_probe_reads_the_index_when_the_statistics_are_stale(store: Store) -> None:
    """Right after a sweep the table's statistics still count the expired changes as due. The
    probe must not trust them: on PostgreSQL an ``EXISTS`` planned on them scanned the whole
    change log looking for a due change that was not there (8.3 s a read of the feed at
    14,000,000 changes). It answers from the index, and still says when something is due."""
    from gongxin.db.exchange_tables import change_log
    from tests.intake.helpers import penalty_row

    engine = store.engine
    catalog = load_catalog()
    spec = catalog.get("penalty")
    days = [date(2020, 1, 1) + timedelta(days=3 * n) for n in range(600)]  # 2020 - 2024
    rows = [penalty_row(n, CF_JDRQ=day.isoformat()) for n, day in enumerate(days, start=1)]
    assert store.ingest(store.penalties("p.csv", rows)).accepted == 600
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE change_log" if postgres else "ANALYZE"
        )  # every change has a day to expire, all before 2040: the statistics say so
    later = date(2040, 1, 1)
    with engine.connect() as conn:
        assert conn.execute(expiry.probe(spec, later)).scalar()  # due
    with engine.begin() as conn:
        assert expiry.sweep(conn, catalog, now=NOW, as_of=later)["penalty"] == 600
    with engine.connect() as conn:
        assert not conn.execute(expiry.probe(spec, later)).scalar()  # nothing due any more
        sql = str(expiry.probe(spec, later).compile(engine, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(explain + sql))
        ops = conn.execute(sa.select(sa.func.count()).where(change_log.c.op == "expire"))
        assert ops.scalar() == 600
    if postgres:
        assert "Seq Scan" not in plan, plan
    else:
        assert "SEARCH change_log USING" in plan and "SCAN change_log" not in plan, plan
