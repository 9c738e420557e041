"""The centre's warnings queue: list, assign, confirm, dismiss with a reason.

Each decision names the ``revision`` the form showed; a warning changed since (refreshed by a
run, or decided by someone else) is refused as stale (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import subjects
from gongxin.db.supervision_tables import warnings
from gongxin.errors import Conflict, InvalidInput, NotFound

STATUSES = ("open", "assigned", "confirmed", "dismissed")


@dataclass(frozen=True)
class WarningEntry:
    id: int
    rule_id: str
    rules_version: str
    subject_id: int
    subject_name: str
    severity: str
    title: str
    legal_hook: str
    explanation: str
    evidence: dict[str, Any]
    status: str
    assignee: str | None
    reason: str | None
    revision: int
    first_seen_at: datetime
    last_seen_at: datetime


def _select() -> sa.Select[Any]:
    w = warnings.c
    return sa.select(
        w.id,
        w.rule_id,
        w.rules_version,
        w.subject_id,
        subjects.c.name,
        w.severity,
        w.title,
        w.legal_hook,
        w.explanation,
        w.evidence,
        w.status,
        w.assignee,
        w.reason,
        w.revision,
        w.first_seen_at,
        w.last_seen_at,
    ).join(subjects, subjects.c.id == w.subject_id)


def get(conn: sa.Connection, warning_id: int) -> WarningEntry:
    row = conn.execute(_select().where(warnings.c.id == warning_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {warning_id} 的预警", f"no warning {warning_id}")
    return WarningEntry(*row)


def list_warnings(
    conn: sa.Connection,
    status: str | None = "open",
    *,
    subject_id: int | None = None,
    rule_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[WarningEntry]:
    if status is not None and status not in STATUSES:
        raise InvalidInput(
            f"预警状态只能是 {'、'.join(STATUSES)}，收到 {status}",
            f"status must be one of {', '.join(STATUSES)}, got {status!r}",
            field="status",
            value=status,
        )
    query = _select()
    if status is not None:
        query = query.where(warnings.c.status == status)
    if subject_id is not None:
        query = query.where(warnings.c.subject_id == subject_id)
    if rule_id is not None:
        query = query.where(warnings.c.rule_id == rule_id)
    severity = sa.case({"高": 0, "中": 1}, value=warnings.c.severity, else_=2)
    query = query.order_by(severity, warnings.c.id).limit(limit).offset(offset)
    return [WarningEntry(*row) for row in conn.execute(query)]


def counts(conn: sa.Connection, status: str | None = "open") -> dict[str, int]:
    """Warnings per rule (of one status, or all)."""
    query = sa.select(warnings.c.rule_id, sa.func.count()).group_by(warnings.c.rule_id)
    if status is not None:
        query = query.where(warnings.c.status == status)
    return {rule: int(n) for rule, n in conn.execute(query.order_by(warnings.c.rule_id))}


def _transition(
    conn: sa.Connection,
    warning_id: int,
    revision: int,
    allowed: tuple[str, ...],
    values: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> WarningEntry:
    current = get(conn, warning_id)
    if current.revision != revision or current.status not in allowed:
        raise Conflict(
            f"预警 {warning_id} 在显示后已被更改（现为 {current.status}，"
            f"第 {current.revision} 版），请刷新后重新处理",
            f"warning {warning_id} changed since it was shown (now {current.status}, revision "
            f"{current.revision}); reload and decide again",
        )
    conn.execute(
        sa.update(warnings)
        .where(warnings.c.id == warning_id)
        .values(revision=current.revision + 1, decided_by=actor, decided_at=now, **values)
    )
    audit.record(
        conn,
        actor=actor,
        action=f"warning.{values['status']}",
        target=f"warning:{warning_id}",
        now=now,
        detail={
            "rule_id": current.rule_id,
            "subject_id": current.subject_id,
            "assignee": values.get("assignee"),
            "reason": values.get("reason"),
        },
    )
    return get(conn, warning_id)


def assign(
    conn: sa.Connection, warning_id: int, *, revision: int, assignee: str, actor: str, now: datetime
) -> WarningEntry:
    if not assignee.strip():
        raise InvalidInput("请指定处理人", "an assignee is needed", field="assignee")
    values = {"status": "assigned", "assignee": assignee.strip()}
    return _transition(
        conn, warning_id, revision, ("open", "assigned"), values, actor=actor, now=now
    )


def confirm(
    conn: sa.Connection,
    warning_id: int,
    *,
    revision: int,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> WarningEntry:
    values = {"status": "confirmed", "reason": reason}
    return _transition(
        conn, warning_id, revision, ("open", "assigned"), values, actor=actor, now=now
    )


def dismiss(
    conn: sa.Connection, warning_id: int, *, revision: int, actor: str, now: datetime, reason: str
) -> WarningEntry:
    if not reason.strip():
        raise InvalidInput(
            "排除预警须说明理由", "dismissing a warning needs a reason", field="reason"
        )
    values = {"status": "dismissed", "reason": reason.strip()}
    return _transition(
        conn, warning_id, revision, ("open", "assigned"), values, actor=actor, now=now
    )
