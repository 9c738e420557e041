"""Reports computed once per China day and parameters, kept in the store (``report_cache``) so
that every server process and the scheduled jobs (``gongxin worker``) share them.

A cached report is the figure as it was when computed (``computed_at``, shown beside it); the
worker's refresh jobs recompute the common ones during the day, and the rows of earlier days
are dropped on every write (the table holds one day's reports).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.db.platform_tables import report_cache


def get(conn: sa.Connection, key: str, day: date) -> tuple[Any, datetime] | None:
    """The payload cached for ``key`` on ``day`` and when it was computed, if any."""
    row = conn.execute(
        sa.select(report_cache.c.payload, report_cache.c.computed_at).where(
            report_cache.c.key == key, report_cache.c.day == day
        )
    ).first()
    return None if row is None else (row.payload, row.computed_at)


def put(conn: sa.Connection, key: str, day: date, payload: Any, now: datetime) -> None:
    """Store (or replace) the payload of ``key`` on ``day``; forget every earlier day's."""
    c = report_cache.c
    conn.execute(report_cache.delete().where(sa.or_(c.day < day, c.key == key)))
    conn.execute(report_cache.insert().values(key=key, day=day, payload=payload, computed_at=now))


def forget(conn: sa.Connection, prefix: str, day: date) -> None:
    """Drop the payloads of ``day`` whose key starts with ``prefix``."""
    c = report_cache.c
    conn.execute(
        report_cache.delete().where(c.day == day, c.key.startswith(prefix, autoescape=True))
    )
