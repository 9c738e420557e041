"""One record, as an audience may see it: the page per record reads it here."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import records, subjects
from gongxin.errors import NotFound
from gongxin.records.decisions import visible_now
from gongxin.records.gate import Audience, mark, masked


def record(
    conn: sa.Connection, catalog: Catalog, record_id: int, *, audience: Audience, as_of: date
) -> dict[str, Any]:
    """``{"id", "dataset", "event_date", "data", "mark", "subject_code", "subject_name"}``
    (``mark``: a workflow's status, :func:`gate.mark`); a record the audience may not see is
    reported exactly like one that does not exist."""
    row = conn.execute(
        sa.select(
            records.c.id, records.c.dataset, records.c.event_date, records.c.data,
            sa.func.coalesce(subjects.c.uscc, subjects.c.reg_no).label("subject_code"),
            sa.func.coalesce(subjects.c.name, records.c.subject_name).label("subject_name"),
        )
        .select_from(records.outerjoin(subjects, subjects.c.id == records.c.subject_id))
        .where(records.c.id == record_id, visible_now(audience, as_of))
    ).first()  # fmt: skip
    shown = None
    if row is not None and row.dataset in catalog:
        shown = masked(catalog.get(row.dataset), row.data, audience)
    if row is None or shown is None:
        raise NotFound(f"记录 {record_id} 不存在或未公开", f"record {record_id} not found")
    return {
        "id": row.id, "dataset": row.dataset, "event_date": row.event_date, "data": shown,
        "mark": mark(row.data), "subject_code": row.subject_code, "subject_name": row.subject_name,
    }  # fmt: skip
