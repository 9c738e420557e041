"""The review queue of probabilistic links, and undoing a link.

Centre staff see each middling match with the comparisons that agreed and disagreed, and
confirm or reject it. Every decision names the ``revision`` the form showed: a match changed
since (decided by someone else, or undone) is refused as stale (409). Undoing a link returns
the record to 待关联 and closes the pair, so the next linkage run may link it elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import records, subjects
from gongxin.db.supervision_tables import subject_matches
from gongxin.errors import Conflict, InvalidInput, NotFound

Decision = Literal["confirm", "reject"]


@dataclass(frozen=True)
class Match:
    id: int
    record_id: int
    dataset: str
    record_name: str | None
    subject_id: int
    subject_name: str
    method: str
    probability: float | None
    status: str
    revision: int
    explanation: dict[str, Any]
    decided_by: str | None
    reason: str | None


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            subject_matches.c.id,
            subject_matches.c.record_id,
            records.c.dataset,
            records.c.subject_name,
            subject_matches.c.subject_id,
            subjects.c.name,
            subject_matches.c.method,
            subject_matches.c.probability,
            subject_matches.c.status,
            subject_matches.c.revision,
            subject_matches.c.explanation,
            subject_matches.c.decided_by,
            subject_matches.c.reason,
        )
        .join(records, records.c.id == subject_matches.c.record_id)
        .join(subjects, subjects.c.id == subject_matches.c.subject_id)
    )


def get(conn: sa.Connection, match_id: int) -> Match:
    row = conn.execute(_select().where(subject_matches.c.id == match_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {match_id} 的匹配", f"no match {match_id}")
    return Match(*row)


def list_matches(
    conn: sa.Connection, status: str = "review", *, limit: int = 100, offset: int = 0
) -> list[Match]:
    query = (
        _select()
        .where(subject_matches.c.status == status)
        .order_by(subject_matches.c.probability.desc(), subject_matches.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [Match(*row) for row in conn.execute(query)]


def _checked(conn: sa.Connection, match_id: int, revision: int, expected: str) -> Match:
    match = get(conn, match_id)
    if match.revision != revision or match.status != expected:
        raise Conflict(
            f"匹配 {match_id} 在显示后已被更改（现为 {match.status}，第 {match.revision} 版），"
            "请刷新后重新处理",
            f"match {match_id} changed since it was shown (now {match.status}, revision "
            f"{match.revision}); reload and decide again",
        )
    return match


def _close(
    conn: sa.Connection, match: Match, status: str, actor: str, reason: str | None, now: datetime
) -> None:
    conn.execute(
        sa.update(subject_matches)
        .where(subject_matches.c.id == match.id)
        .values(
            status=status,
            revision=match.revision + 1,
            decided_at=now,
            decided_by=actor,
            reason=reason,
        )
    )
    action = {"linked": "confirm", "rejected": "reject", "undone": "undo"}[status]
    audit.record(
        conn,
        actor=actor,
        action=f"linkage.match.{action}",
        target=f"match:{match.id}",
        now=now,
        detail={"record_id": match.record_id, "subject_id": match.subject_id, "reason": reason},
    )


def decide(
    conn: sa.Connection,
    match_id: int,
    decision: Decision,
    *,
    revision: int,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> Match:
    """Confirm (link the record) or reject a match in the review queue."""
    match = _checked(conn, match_id, revision, "review")
    if decision == "reject":
        if not reason or not reason.strip():
            raise InvalidInput("驳回匹配须说明理由", "a rejection needs a reason", field="reason")
        _close(conn, match, "rejected", actor, reason.strip(), now)
        return get(conn, match_id)
    linked = conn.execute(
        sa.update(records)
        .where(records.c.id == match.record_id, records.c.subject_id.is_(None))
        .values(subject_id=match.subject_id)
    ).rowcount
    if linked != 1:
        raise Conflict(
            f"记录 {match.record_id} 已关联到其他主体",
            f"record {match.record_id} is linked already",
        )
    _close(conn, match, "linked", actor, reason, now)
    return get(conn, match_id)


def undo(
    conn: sa.Connection,
    match_id: int,
    *,
    revision: int,
    actor: str,
    now: datetime,
    reason: str,
) -> Match:
    """Undo a wrong link: the record returns to 待关联 and the pair is never proposed again."""
    if not reason.strip():
        raise InvalidInput("撤销关联须说明理由", "undoing a link needs a reason", field="reason")
    match = _checked(conn, match_id, revision, "linked")
    conn.execute(
        sa.update(records)
        .where(records.c.id == match.record_id, records.c.subject_id == match.subject_id)
        .values(subject_id=None)
    )
    _close(conn, match, "undone", actor, reason.strip(), now)
    return get(conn, match_id)
