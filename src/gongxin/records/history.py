"""A record's replaced versions: each is copied into ``record_history`` before it changes, so
nothing is ever lost (corrections by intake, a workflow's status)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.models import record_history, records

_COLUMNS = (
    "record_id", "version", "content_hash", "submission_id", "row_no", "data", "replaced_at",
    "replaced_by",
)  # fmt: skip


def keep(
    conn: sa.Connection, record_ids: Sequence[int], *, now: datetime, replaced_by: str
) -> None:
    """Copy the current version of each record into ``record_history`` before it changes."""
    for chunk in dialect.chunked(list(record_ids)):
        source = sa.select(
            records.c.id,
            records.c.version,
            records.c.content_hash,
            records.c.submission_id,
            records.c.row_no,
            records.c.data,
            sa.literal(now, record_history.c.replaced_at.type),
            sa.literal(replaced_by, sa.String),
        ).where(records.c.id.in_(chunk))
        conn.execute(record_history.insert().from_select(list(_COLUMNS), source))
