"""双公示 columns: the latest licences and penalties across subjects, as the public sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.models import departments, records, submissions
from gongxin.errors import InvalidInput, NotFound
from gongxin.records.gate import Audience, view

COLUMNS = ("licence", "penalty")
MAX_PAGE_SIZE = 100
SCAN_LIMIT = 5000  # records read per page request at most (the gate filters in Python)


@dataclass(frozen=True)
class Entry:
    record_id: int
    dataset: str
    subject_name: str | None
    decision_date: date | None
    department: str
    data: dict[str, Any]


def latest(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    department: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    size: int = 20,
) -> list[Entry]:
    """Newest decisions first; only records the public may see on ``as_of``."""
    if dataset not in COLUMNS:
        raise NotFound(
            f"双公示栏目只有：{'、'.join(COLUMNS)}", f"the columns are {', '.join(COLUMNS)}"
        )
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1 and size is 1 to {MAX_PAGE_SIZE}",
        )
    spec = catalog.get(dataset)
    query = (
        sa.select(
            records.c.id, records.c.subject_name, records.c.event_date, departments.c.name,
            records.c.data,
        )
        .join(submissions, submissions.c.id == records.c.submission_id)
        .join(departments, departments.c.id == submissions.c.department_id)
        .where(records.c.dataset == dataset, records.c.event_date <= as_of)
        .order_by(records.c.event_date.desc(), records.c.id.desc())
        .limit(SCAN_LIMIT)
    )  # fmt: skip
    if department:
        query = query.where(departments.c.name == department)
    if since:
        query = query.where(records.c.event_date >= since)
    if until:
        query = query.where(records.c.event_date <= until)
    shown: list[Entry] = []
    skip = (page - 1) * size
    for rid, name, decided, dept, data in conn.execute(query):
        masked = view(spec, data, Audience.PUBLIC, as_of)
        if masked is None:
            continue
        if skip:
            skip -= 1
            continue
        shown.append(Entry(rid, dataset, name, decided, dept, masked))
        if len(shown) == size:
            break
    return shown
