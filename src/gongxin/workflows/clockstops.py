"""What moves an application's deadline after filing: the department's one extension (延长) and
the pauses of the clock (计时中止), both per the jurisdiction's rules (workflows/data/
deadlines.yaml), both with reasons, in the audit log and told to the applicant by e-mail.

- **Extension**: once per application, while it is open and not yet overdue, at most the
  jurisdiction's ``objection_extension`` / ``repair_extension`` working days (浙江: an objection
  to a total of 20; 深圳: +3); a jurisdiction giving 0 allows none.
- **Pause**: only of a kind the jurisdiction names in ``pauses`` (河南: the time of tests and
  expert review is not counted). While paused the countdown stands still, the application is
  neither reminded nor escalated; on resumption (or on the decision) the working days it stood
  still are added to the deadline.

``due_on`` is always ``received_on`` + the jurisdiction's days + the extension + the working
days paused (:meth:`Jurisdiction.due`), so the queue, the countdown, the reminders and the
figures read one column.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.audit import log as audit
from gongxin.db.workflow_tables import applications
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.workflows import notify
from gongxin.workflows.deadlines import Jurisdiction, jurisdiction, remaining

OPEN = "received"
MAX_ID = 2**63 - 1


def locked(conn: sa.Connection, app_id: int, department_id: int | None) -> Any:
    """The application, locked for update; 404 when there is none, 403 when it is another
    department's (``department_id`` None: the credit centre, which may act on any)."""
    row = None
    if 1 <= app_id <= MAX_ID:
        row = conn.execute(
            sa.select(applications).where(applications.c.id == app_id).with_for_update()
        ).first()
    if row is None:
        raise NotFound(f"申请 {app_id} 不存在", f"application {app_id} not found")
    if department_id is not None and row.department_id != department_id:
        raise Forbidden(f"申请 {row.number} 不属于本部门", f"{row.number} is another department's")
    return row


def _open(conn: sa.Connection, app_id: int, department_id: int | None) -> Any:
    row = locked(conn, app_id, department_id)
    if row.state != OPEN:
        raise Conflict(f"申请 {row.number} 已办结，期限不再变动",
                       f"application {row.number} is decided: its deadline is final")  # fmt: skip
    return row


def _reasons(reason: str) -> str:
    text = "".join(ch for ch in str(reason) if ch in "\n\t" or ch.isprintable()).strip()
    if not text:
        raise InvalidInput("须说明理由（reason）", "a reason is required", field="reason")
    return text[:2000]


def _rules(row: Any, path: Any = None) -> Jurisdiction:
    return jurisdiction(row.jurisdiction, path)[1]


def extend(
    conn: sa.Connection, app_id: int, reason: str, *, days: int | None = None, actor: str,
    department_id: int | None, as_of: date, now: datetime, rules_path: Any = None,
    rules: Jurisdiction | None = None,
) -> date:  # fmt: skip
    """Take the jurisdiction's extension (all of it, or ``days`` of it) once; the new
    deadline. The rules are the application's jurisdiction's in the rules file
    (``rules_path``), or ``rules`` when the caller holds them already."""
    row = _open(conn, app_id, department_id)
    text = _reasons(reason)
    jur = rules or _rules(row, rules_path)
    allowed = jur.extension(row.kind)
    if allowed == 0:
        raise InvalidInput(
            f"{jur.name}没有规定此类申请可以延长办理期限",
            f"the rules of {row.jurisdiction} allow no extension of a {row.kind}",
            rule=f"{row.kind}_extension",
        )
    if row.extended_days:
        raise Conflict(
            f"申请 {row.number} 已延长过一次（{row.extended_days} 个工作日），不能再次延长",
            f"application {row.number} was already extended once ({row.extended_days} days)",
        )
    if days is None:
        days = allowed
    if not 1 <= days <= allowed:
        raise InvalidInput(
            f"延长天数须为 1 至 {allowed} 个工作日（{jur.name}），收到 {days}",
            f"an extension is 1 to {allowed} working days under {row.jurisdiction}, not {days}",
            field="days", value=days, rule=f"{row.kind}_extension",
        )  # fmt: skip
    if row.paused_since is None and as_of > row.due_on:
        raise Conflict(
            f"申请 {row.number} 已于 {row.due_on} 到期，不能再延长",
            f"application {row.number} was due {row.due_on}: too late to extend",
        )
    due = clock.add_working_days(row.due_on, days)
    conn.execute(
        applications.update().where(applications.c.id == row.id).values(
            extended_days=days, extension_reason=text, due_on=due, reminded_on=None,
            updated_at=now,
        )
    )  # fmt: skip
    _tell(
        conn, row, "extend", actor=actor, now=now,
        detail={"days": days, "due_on": due.isoformat(), "reason": text[:500]},
        subject=f"办理期限延长至 {due}",
        body=f"申请 {row.number} 的办理期限延长 {days} 个工作日，至 {due}。理由：{text}\n"
        f"Application {row.number}: the deadline is extended by {days} working days to {due}.",
    )  # fmt: skip
    return due


def pause(
    conn: sa.Connection, app_id: int, kind: str, reason: str, *, actor: str,
    department_id: int | None, as_of: date, now: datetime, rules_path: Any = None,
) -> None:  # fmt: skip
    """Stop the clock from ``as_of`` for a pause the jurisdiction allows."""
    row = _open(conn, app_id, department_id)
    text = _reasons(reason)
    jur = _rules(row, rules_path)
    if kind not in jur.pauses:
        known = "、".join(f"{k}（{p.zh}）" for k, p in jur.pauses.items()) or "无"
        raise InvalidInput(
            f"{jur.name}没有规定“{kind[:20]}”计时中止；可中止的情形：{known}",
            f"the rules of {row.jurisdiction} allow no pause {kind[:20]!r}; "
            f"allowed: {', '.join(jur.pauses) or 'none'}",
            field="kind", rule="pauses",
        )  # fmt: skip
    if row.paused_since is not None:
        raise Conflict(
            f"申请 {row.number} 自 {row.paused_since} 起已中止计时",
            f"application {row.number} is already paused since {row.paused_since}",
        )
    if as_of > row.due_on:
        raise Conflict(
            f"申请 {row.number} 已于 {row.due_on} 到期，不能再中止计时",
            f"application {row.number} was due {row.due_on}: too late to pause",
        )
    conn.execute(
        applications.update().where(applications.c.id == row.id).values(
            paused_since=as_of, pause_kind=kind, pause_reason=text, updated_at=now,
        )
    )  # fmt: skip
    zh = jur.pauses[kind].zh
    _tell(
        conn, row, "pause", actor=actor, now=now,
        detail={"kind": kind, "reason": text[:500]},
        subject=f"中止计时（{zh}）",
        body=f"申请 {row.number} 自 {as_of} 起因{zh}中止计时，{zh}所需时间不计入办理期限。"
        f"理由：{text}\n"
        f"Application {row.number}: the clock is paused from {as_of} ({jur.pauses[kind].en}).",
    )  # fmt: skip


def resume(
    conn: sa.Connection, app_id: int, *, actor: str, department_id: int | None, as_of: date,
    now: datetime,
) -> date:  # fmt: skip
    """Restart the clock on ``as_of``; the new deadline."""
    row = _open(conn, app_id, department_id)
    if row.paused_since is None:
        raise Conflict(f"申请 {row.number} 未中止计时", f"application {row.number} is not paused")
    due = close_pause(conn, row, as_of, now=now)
    _tell(
        conn, row, "resume", actor=actor, now=now, detail={"due_on": due.isoformat()},
        subject=f"恢复计时，办理期限至 {due}",
        body=f"申请 {row.number} 自 {as_of} 起恢复计时，办理期限至 {due}。\n"
        f"Application {row.number}: the clock runs again from {as_of}; due {due}.",
    )  # fmt: skip
    return due


def _tell(
    conn: sa.Connection, row: Any, step: str, *, actor: str, now: datetime,
    detail: dict[str, Any], subject: str, body: str,
) -> None:  # fmt: skip
    """The step in the audit log (``<kind>.<step>`` on the application's record) and the
    e-mail that tells the applicant (subject after "[公信] 申请 <number> ")."""
    audit.record(conn, actor=actor, action=f"{row.kind}.{step}", target=f"record:{row.record_id}",
                 now=now, department_id=row.department_id,
                 detail={"number": row.number, **detail})  # fmt: skip
    notify.queue(conn, row.email, f"[公信] 申请 {row.number} {subject}", body, now=now,
                 application_id=row.id)  # fmt: skip


def close_pause(conn: sa.Connection, row: Any, as_of: date, *, now: datetime) -> date:
    """End an open pause on ``as_of`` (the working days after its first day up to ``as_of``
    are not counted) and move the deadline by them; the deadline (as it was when not
    paused). Working days add up, so this is ``Jurisdiction.due`` with the days paused."""
    if row.paused_since is None:
        found: date = row.due_on
        return found
    stood = clock.working_days_between(row.paused_since, as_of)
    paused = row.paused_days + stood
    due = clock.add_working_days(row.due_on, stood)
    conn.execute(
        applications.update().where(applications.c.id == row.id).values(
            paused_days=paused, paused_since=None, pause_kind=None, pause_reason=None,
            due_on=due, updated_at=now,
        )
    )  # fmt: skip
    return due


def countdown(row: Any, as_of: date) -> int:
    """Working days left to the deadline (negative: overdue); while paused, as they stood on
    the day the clock stopped."""
    if row.state != OPEN:
        return remaining(row.due_on, row.decided_on or as_of)
    return remaining(row.due_on, row.paused_since or as_of)
