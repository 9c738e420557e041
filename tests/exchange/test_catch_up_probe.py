"""The change feed's catch-up probe ("is anything new or due?") runs before every read of a
feed. Sent with parameters, psycopg prepares it after a few reads and PostgreSQL may then plan
it for any day: that plan read the whole change log (1.2 s a read at 1,400,000 changes, where
the day's own plan reads an index in 5 ms). It is sent with its values written in."""

from __future__ import annotations

from datetime import UTC, date, datetime
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
