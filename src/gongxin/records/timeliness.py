"""双公示 timeliness: did licences and penalties reach the platform within the deadline?

国办发〔2015〕51号 asks for 行政许可 and 行政处罚 decisions online within 7 working days (🟡: the
default, a parameter here). A record arrived on time when its first submission was received no
later than the 7th statutory working day (调休 included, see ``clock``) after its decision date.
Counted per provider department, with the late records listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from gongxin.clock import add_working_days, local_date, working_days_between
from gongxin.db.models import departments, record_history, records, submissions

DATASETS = ("licence", "penalty")
DEFAULT_WORKING_DAYS = 7


@dataclass(frozen=True)
class LateRecord:
    record_id: int
    dataset: str
    subject_name: str | None
    decision_date: date
    arrived: date
    working_days: int  # working days from the decision to arrival


@dataclass
class Timeliness:
    department: str
    total: int = 0
    on_time: int = 0
    late: list[LateRecord] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The share of records on time (1.0 when there are none)."""
        return self.on_time / self.total if self.total else 1.0


@lru_cache(maxsize=4096)
def deadline(decided: date, working_days: int) -> date:
    return add_working_days(decided, working_days)


def _first_submission() -> sa.ColumnElement[Any]:
    """The submission that first brought a record (history keeps replaced versions)."""
    first = (
        sa.select(record_history.c.submission_id)
        .where(record_history.c.record_id == records.c.id, record_history.c.version == 1)
        .scalar_subquery()
    )
    return sa.func.coalesce(first, records.c.submission_id)


def timeliness(
    conn: sa.Connection,
    *,
    since: date | None = None,
    until: date | None = None,
    working_days: int = DEFAULT_WORKING_DAYS,
) -> list[Timeliness]:
    """Per provider department, licences and penalties decided in [since, until]."""
    first = _first_submission().label("first_submission")
    inner = (
        sa.select(
            records.c.id, records.c.dataset, records.c.subject_name, records.c.event_date, first
        )
        .where(records.c.dataset.in_(DATASETS), records.c.event_date.is_not(None))
        .subquery()
    )
    query = (
        sa.select(
            inner.c.id, inner.c.dataset, inner.c.subject_name, inner.c.event_date,
            submissions.c.received_at, departments.c.name,
        )
        .join(submissions, submissions.c.id == inner.c.first_submission)
        .join(departments, departments.c.id == submissions.c.department_id)
        .order_by(departments.c.name, inner.c.event_date, inner.c.id)
    )  # fmt: skip
    if since is not None:
        query = query.where(inner.c.event_date >= since)
    if until is not None:
        query = query.where(inner.c.event_date <= until)
    result: dict[str, Timeliness] = {}
    for rid, dataset, name, decided, received, dept in conn.execute(query):
        arrived = local_date(received)
        entry = result.setdefault(dept, Timeliness(dept))
        entry.total += 1
        if arrived <= deadline(decided, working_days):
            entry.on_time += 1
        else:
            days = working_days_between(decided, arrived)
            entry.late.append(LateRecord(rid, dataset, name, decided, arrived, days))
    return list(result.values())
