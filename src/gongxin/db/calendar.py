"""The ``calendar_days`` table: ``gongxin.clock``'s working-day index in the store.

``sync`` fills the table, and rewrites it when the installed holiday data (``chinesecalendar``)
publishes a new year or corrects one: every ``gongxin init`` runs it, so upgrading the package
and running ``gongxin init`` keeps SQL and Python counting alike. It compares a three-number
summary first, so an unchanged table costs one aggregate query.

In SQL, ``clamped`` is a day's working index from the joined table (clamped to the table's
range: 0 before 2000, the last index after it) and ``china_date`` the China date of a stored
timestamp.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.db import dialect
from gongxin.db.platform_tables import calendar_days


def _summary(rows: list[tuple[date, bool, int]]) -> tuple[int, date | None, int, int]:
    last = rows[-1][0] if rows else None
    return len(rows), last, sum(r[2] for r in rows), sum(r[1] for r in rows)


def sync(conn: sa.Connection) -> bool:
    """Make the table equal the index; whether anything was written."""
    rows = clock.calendar_rows()
    c = calendar_days.c
    found = conn.execute(
        sa.select(
            sa.func.count(), sa.func.max(c.day), sa.func.coalesce(sa.func.sum(c.working_index), 0),
            sa.func.coalesce(
                sa.func.sum(sa.case((c.is_working, 1), else_=0)), 0
            ),
        )
    ).one()  # fmt: skip
    have = (int(found[0]), found[1], int(found[2]), int(found[3]))
    if have == _summary(rows):
        return False
    conn.execute(calendar_days.delete())
    conn.execute(
        calendar_days.insert(),
        [{"day": d, "is_working": w, "working_index": i} for d, w, i in rows],
    )
    return True


def clamped(joined: sa.FromClause, day: Any) -> sa.ColumnElement[int]:
    """The working index of ``day`` from ``calendar_days`` outer-joined as ``joined`` on it,
    clamped to the table's range: 0 before it, the last index after it."""
    last = clock.working_index(clock.last_indexed_day())
    outside = sa.case((day < clock.FIRST_DAY, 0), else_=last)
    return sa.func.coalesce(joined.c.working_index, outside)


def china_date(conn: sa.Connection, moment: Any) -> sa.ColumnElement[Any]:
    """The China calendar date of a stored UTC timestamp column, in SQL."""
    if dialect.is_sqlite(conn):
        return sa.func.date(moment, "+8 hours", type_=sa.Date)
    utc = sa.func.timezone("UTC", moment)
    return sa.cast(utc + sa.text("interval '8 hours'"), sa.Date)
