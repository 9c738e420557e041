"""The back office's views of objections and repair applications: a department's queue with
its working-day countdown (the centre's across departments), and the figures per department:
applications, approvals, refusals, average working days to decide, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.db.models import departments
from gongxin.db.workflow_tables import applications
from gongxin.workflows.applications import KINDS, OPEN, STATE_ZH
from gongxin.workflows.clockstops import countdown

APPROVALS = ("granted", "corrected", "withdrawn")  # the applicant's request met
REFUSALS = ("refused", "upheld", "returned")


@dataclass(frozen=True)
class Waiting:
    id: int
    number: str
    kind_zh: str
    record_id: int
    department: str
    applicant: str
    received_on: date
    due_on: date
    left: int  # working days to the deadline; negative: overdue; paused: as it stood
    state_zh: str
    escalated: bool
    extended: int = 0  # working days of the extension taken
    paused_since: date | None = None  # the clock stands still since

    @property
    def overdue(self) -> bool:
        return self.left < 0 and self.state_zh == STATE_ZH[OPEN] and self.paused_since is None


def queue(
    conn: sa.Connection, *, department_id: int | None, as_of: date, open_only: bool = True
) -> list[Waiting]:
    query = (
        sa.select(applications, departments.c.name.label("department"))
        .join(departments, departments.c.id == applications.c.department_id)
        .order_by(applications.c.due_on, applications.c.id)
        .limit(500)
    )
    if department_id is not None:
        query = query.where(applications.c.department_id == department_id)
    if open_only:
        query = query.where(applications.c.state == OPEN)
    out = []
    for r in conn.execute(query):
        out.append(Waiting(r.id, r.number, KINDS[r.kind][0], r.record_id, r.department,
                           r.applicant, r.received_on, r.due_on, countdown(r, as_of),
                           STATE_ZH.get(r.state, r.state), bool(r.escalated), r.extended_days,
                           r.paused_since))  # fmt: skip
    return out


@dataclass
class Figures:
    department: str
    applications: int = 0
    open: int = 0
    approvals: int = 0
    refusals: int = 0
    decided_days: int = 0
    decided: int = 0
    overdue: int = 0

    @property
    def average_days(self) -> float | None:
        return round(self.decided_days / self.decided, 1) if self.decided else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department, "applications": self.applications,
            "open": self.open, "approvals": self.approvals, "refusals": self.refusals,
            "average_working_days": self.average_days, "overdue": self.overdue,
        }  # fmt: skip


def stats(conn: sa.Connection, *, department_id: int | None, as_of: date) -> list[Figures]:
    query = sa.select(
        applications.c.state, applications.c.received_on, applications.c.decided_on,
        applications.c.due_on, applications.c.paused_since, departments.c.name,
    ).join(departments, departments.c.id == applications.c.department_id)  # fmt: skip
    if department_id is not None:
        query = query.where(applications.c.department_id == department_id)
    by: dict[str, Figures] = {}
    for r in conn.execute(query):
        f = by.setdefault(r.name, Figures(r.name))
        f.applications += 1
        if r.state == OPEN:
            f.open += 1
            f.overdue += r.paused_since is None and as_of > r.due_on
            continue
        f.approvals += r.state in APPROVALS
        f.refusals += r.state in REFUSALS
        f.decided += 1
        f.decided_days += clock.working_days_between(r.received_on, r.decided_on)
        f.overdue += r.decided_on > r.due_on
    return sorted(by.values(), key=lambda f: f.department)
