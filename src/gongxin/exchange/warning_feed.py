"""Confirmed warnings (预警) shared with departments through the exchange.

Warnings are internal to the credit centre and never public. The centre may share the ones it
has **confirmed** (a checked lead, not a rule's raw hit) with a department that supervises the
subjects, by a grant on the feed ``supervision_warnings``: a grant like those of the catalog's
有条件 datasets (purpose, period, revocable with ``gongxin exchange revoke-grant``), made by the
centre only. The feed is not a catalog dataset, so the catalog, the open-data API, the portal
and the public subject API never list or show it; open and dismissed warnings are never in it.
A granted department reads it page by page in warning order (a cursor, not offsets); every
read is audited with the caller's purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import subjects
from gongxin.db.supervision_tables import warnings
from gongxin.errors import Forbidden, InvalidInput
from gongxin.exchange import grants
from gongxin.identity.departments import Department

FEED = "supervision_warnings"
MAX_PAGE = 1000
HOW = "请信用中心开通预警共享（gongxin exchange share-warnings）"


@dataclass(frozen=True)
class SharedWarning:
    id: int
    rule_id: str
    rules_version: str
    subject_id: int
    uscc: str | None
    subject_name: str
    severity: str
    title: str
    legal_hook: str
    explanation: str
    evidence_count: int
    confirmed_at: datetime | None


@dataclass(frozen=True)
class WarningPage:
    rows: list[SharedWarning]
    next_after: int | None  # pass as ``after`` for the next page; None: this was the last


def share(
    conn: sa.Connection,
    department: Department,
    *,
    purpose: str,
    valid_from: date,
    valid_until: date | None,
    actor: str,
    now: datetime,
) -> grants.Grant:
    """Grant ``department`` the feed of confirmed warnings for ``purpose``; audited."""
    if department.kind == "centre":
        raise InvalidInput(
            "信用中心本身即可读取全部预警，无需共享",
            "the credit centre reads every warning already",
            field="department",
            value=department.name,
        )
    if not purpose.strip():
        raise InvalidInput(
            "共享预警须写明用途", "sharing warnings needs a purpose", field="purpose"
        )
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(
            f"截止日期 {valid_until} 早于开始日期 {valid_from}",
            f"valid_until {valid_until} is before valid_from {valid_from}",
            field="valid_until",
            value=valid_until.isoformat(),
        )
    grant = grants.create(
        conn, department_id=department.id, dataset=FEED, fields=None, valid_from=valid_from,
        valid_until=valid_until, now=now, purpose=purpose.strip(),
    )  # fmt: skip
    audit.record(
        conn, actor=actor, action="warnings.share", target=f"grant:{grant.id}", now=now,
        department_id=department.id, purpose=grant.purpose,
        detail={"valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None},
    )  # fmt: skip
    return grant


def _allowed(conn: sa.Connection, department: Department, day: date) -> grants.Grant | None:
    """The department's active grant (None for the centre); 403 without one."""
    if department.kind == "centre":
        return None
    active = [g for g in grants.of_department(conn, department.id, FEED) if g.active_on(day)]
    if not active:
        raise Forbidden(
            f"预警为监管内部信息，本部门在 {day.isoformat()} 没有预警共享授权；{HOW}",
            f"warnings are internal to supervision and your department holds no grant of the "
            f"warnings feed valid on {day.isoformat()}; ask the credit centre to share them",
            dataset=FEED,
        )
    return max(active, key=lambda g: g.id)


def page(
    conn: sa.Connection,
    department: Department,
    *,
    after: int,
    size: int,
    day: date,
    actor: str,
    purpose: str | None,
    now: datetime,
) -> WarningPage:
    """One page of confirmed warnings (id > ``after``) for a granted department, audited."""
    if not 1 <= size <= MAX_PAGE or after < 0:
        raise InvalidInput(
            f"size 须为 1–{MAX_PAGE}，after 不小于 0", f"size must be 1–{MAX_PAGE}, after ≥ 0"
        )
    grant = _allowed(conn, department, day)
    w = warnings.c
    found = conn.execute(
        sa.select(
            w.id, w.rule_id, w.rules_version, w.subject_id, subjects.c.uscc, subjects.c.name,
            w.severity, w.title, w.legal_hook, w.explanation, w.evidence, w.decided_at,
        )
        .join(subjects, subjects.c.id == w.subject_id)
        .where(w.status == "confirmed", w.id > after)
        .order_by(w.id)
        .limit(size + 1)
    ).all()  # fmt: skip
    rows = [_shared(r) for r in found[:size]]
    audit.record(
        conn, actor=actor, action="warnings.read", target=FEED, now=now,
        department_id=department.id,
        purpose=purpose or (grant.purpose if grant is not None else None),
        detail={"after": after, "rows": len(rows), "grant_id": grant.id if grant else None},
    )  # fmt: skip
    return WarningPage(rows, rows[-1].id if len(found) > size else None)


def _shared(r: Any) -> SharedWarning:
    evidence = r.evidence or {}
    return SharedWarning(
        int(r.id), r.rule_id, r.rules_version, int(r.subject_id), r.uscc, r.name, r.severity,
        r.title, r.legal_hook, r.explanation, int(evidence.get("count", 0)), r.decided_at,
    )  # fmt: skip
