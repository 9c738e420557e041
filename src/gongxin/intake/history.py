"""A department's submissions, newest first, with the summary intake gave each (the back
office's list; the same summary as ``gongxin ingest`` prints and the API returns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gongxin.db.models import departments, submissions
from gongxin.identity.departments import Department
from gongxin.intake.pipeline import Summary, summary_of


@dataclass(frozen=True)
class Submitted:
    summary: Summary
    received_at: datetime


def _where(department: Department) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [submissions.c.status == "complete"]
    if department.kind != "centre":  # the credit centre reads every department's
        where.append(submissions.c.department_id == department.id)
    return where


def count(conn: sa.Connection, department: Department) -> int:
    query = sa.select(sa.func.count()).select_from(submissions).where(*_where(department))
    return int(conn.execute(query).scalar_one())


def listing(
    conn: sa.Connection, department: Department, *, limit: int = 50, offset: int = 0
) -> list[Submitted]:
    """The department's finished submissions, newest first."""
    query = (
        sa.select(submissions, departments.c.name.label("provider_name"))
        .join(departments, departments.c.id == submissions.c.department_id)
        .where(*_where(department))
        .order_by(submissions.c.received_at.desc(), submissions.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        Submitted(summary_of(row, row.provider_name, False), row.received_at)
        for row in conn.execute(query)
    ]
