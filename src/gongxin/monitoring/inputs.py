"""What the monitoring jobs read besides the analytics snapshot (subjects, records): small
per-department tables written as Parquet beside it, in one read transaction.

- ``departments`` (id, name);
- ``submissions`` (department_id, dataset, rows, rejected, warnings, received_on);
- ``applications`` (department_id, received_on, due_on, decided_on, paused_since): objections
  and repairs with their deadlines (``due_on`` already holds extensions and pauses);
- ``timeliness`` (department, judged, on_time): the 双公示 timeliness of licences and penalties
  decided up to the day, computed by ``records.timeliness`` (the same figures as its page).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.db.models import departments, submissions
from gongxin.db.workflow_tables import applications
from gongxin.records.timeliness import timeliness

SCHEMAS = {
    "departments": pa.schema([("id", pa.int64()), ("name", pa.string())]),
    "submissions": pa.schema(
        [
            ("department_id", pa.int64()),
            ("dataset", pa.string()),
            ("rows", pa.int64()),
            ("rejected", pa.int64()),
            ("warnings", pa.int64()),
            ("received_on", pa.date32()),
        ]
    ),
    "applications": pa.schema(
        [
            ("department_id", pa.int64()),
            ("received_on", pa.date32()),
            ("due_on", pa.date32()),
            ("decided_on", pa.date32()),
            ("paused_since", pa.date32()),
        ]
    ),
    "timeliness": pa.schema(
        [("department", pa.string()), ("judged", pa.int64()), ("on_time", pa.int64())]
    ),
}


def _day(value: Any) -> date | None:
    """SQLite hands a date back as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _write(name: str, rows: list[dict[str, Any]], folder: Path) -> Path:
    path = folder / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), path)
    return path


def take(
    conn: sa.Connection, folder: Path, *, as_of: date, go_live: date | None
) -> dict[str, Path]:
    """Write the four tables into ``folder``; returns each one's file."""
    folder.mkdir(parents=True, exist_ok=True)
    names = conn.execute(sa.select(departments.c.id, departments.c.name))
    depts = [{"id": i, "name": n} for i, n in names]
    subs = [
        {"department_id": r.department_id, "dataset": r.dataset, "rows": r.rows,
         "rejected": r.rejected, "warnings": r.warnings, "received_on": _day(r.received_on)}
        for r in conn.execute(sa.select(
            submissions.c.department_id, submissions.c.dataset, submissions.c.rows,
            submissions.c.rejected, submissions.c.warnings, submissions.c.received_on,
        ))
    ]  # fmt: skip
    apps = [
        {"department_id": r.department_id, "received_on": _day(r.received_on),
         "due_on": _day(r.due_on), "decided_on": _day(r.decided_on),
         "paused_since": _day(r.paused_since)}
        for r in conn.execute(sa.select(
            applications.c.department_id, applications.c.received_on, applications.c.due_on,
            applications.c.decided_on, applications.c.paused_since,
        ))
    ]  # fmt: skip
    judged = [
        {"department": t.department, "judged": t.total, "on_time": t.on_time}
        for t in timeliness(conn, until=as_of, go_live=go_live)
    ]
    return {
        "departments": _write("departments", depts, folder),
        "submissions": _write("submissions", subs, folder),
        "applications": _write("applications", apps, folder),
        "timeliness": _write("timeliness", judged, folder),
    }
