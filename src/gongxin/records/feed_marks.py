"""The change feed's mark of when a record version stops being in force (``change_log.ends_on``,
set by the triggers from the stored decision): forgotten when the decision changes, so that the
next read of the feed (``exchange.expiry``) judges the version again. Kept here, beside the
stored decisions, because a recompute of decisions must forget the marks it makes stale."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.exchange_tables import change_log

CHANGED = ("insert", "update")  # the feed's events that carry a version still to expire


def forget(conn: sa.Connection, record_ids: Sequence[int]) -> None:
    """Forget the marks of these records' current, not yet expired versions."""
    for chunk in dialect.chunked(list(record_ids)):
        forget_where(conn, change_log.c.record_id.in_(chunk))


def forget_where(conn: sa.Connection, where: sa.ColumnElement[bool]) -> None:
    c = change_log.c
    later = change_log.alias("later")
    newer = sa.exists().where(later.c.record_id == c.record_id, later.c.seq > c.seq)
    conn.execute(
        change_log.update()
        .where(where, c.op.in_(CHANGED), c.ends_on.is_not(None), ~newer)
        .values(ends_on=None)
    )
