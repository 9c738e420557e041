"""The deadlines of open objections and repair applications, watched daily by the worker: a
reminder to the department's clerks when a decision is due within the jurisdiction's
``remind_days``, and escalation to the credit centre once it is overdue (flagged once, an
e-mail to the centre's address). A paused application (workflows/clockstops) is left alone
until its clock runs again; an extension moves ``due_on`` and allows a new reminder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from gongxin.db.models import departments
from gongxin.db.workflow_tables import applications
from gongxin.workflows import notify
from gongxin.workflows.deadlines import jurisdiction, remaining


def watch(
    conn: sa.Connection, *, as_of: date, now: datetime, rules_path: Path | None = None
) -> dict[str, int]:
    """Remind and escalate as of ``as_of``, under the deployment's rules file (``rules_path``,
    GONGXIN_WORKFLOW_RULES) or the packaged one."""
    counts = {"reminded": 0, "escalated": 0}
    centre = conn.execute(
        sa.select(departments.c.notify_email)
        .where(departments.c.kind == "centre", departments.c.notify_email.is_not(None))
        .order_by(departments.c.id)
    ).scalar()
    rows = conn.execute(
        sa.select(applications, departments.c.notify_email.label("clerks"))
        .join(departments, departments.c.id == applications.c.department_id)
        .where(applications.c.state == "received", applications.c.paused_since.is_(None))
    ).all()
    for row in rows:
        left = remaining(row.due_on, as_of)
        _, rules = jurisdiction(row.jurisdiction, rules_path)
        if left < 0 and not row.escalated:
            conn.execute(
                applications.update().where(applications.c.id == row.id).values(escalated=True)
            )
            notify.queue(
                conn, centre, f"[公信] 申请 {row.number} 已逾期，提请督办",
                f"申请 {row.number}（记录 {row.record_id}）应于 {row.due_on} 前办结，已逾期 "
                f"{-left} 个工作日。\nApplication {row.number} is overdue by {-left} working days.",
                now=now, application_id=row.id,
            )  # fmt: skip
            counts["escalated"] += 1
        elif 0 <= left <= rules.remind_days and row.reminded_on is None:
            conn.execute(
                applications.update().where(applications.c.id == row.id).values(reminded_on=as_of)
            )
            notify.queue(
                conn, row.clerks, f"[公信] 申请 {row.number} 即将到期",
                f"申请 {row.number} 须于 {row.due_on} 前办结，剩余 {left} 个工作日。\n"
                f"Application {row.number} is due {row.due_on} ({left} working days left).",
                now=now, application_id=row.id,
            )  # fmt: skip
            counts["reminded"] += 1
    return counts
