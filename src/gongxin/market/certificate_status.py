"""What a certificate is worth on a day: valid, expired, revoked or cancelled; its annual
reviews; and its revocation when the company lands on a serious list (动态管理).

Revocation is automatic: :func:`sweep` (the worker's ``rating-revocations`` job, and
``gongxin rating revocations``) finds every valid certificate whose company is on one of the
rules' ``serious_lists`` on ``as_of`` (the joint-punishment list entries in force, as the credit
check reads them), revokes it, hides its public record (status 已撤销), flags it for the
evaluator (shown in its back office until acknowledged) and e-mails the evaluator's address.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.models import departments, records
from gongxin.db.rating_tables import (
    rating_entries,
    rating_evaluators,
    rating_reviews,
    rating_rounds,
)
from gongxin.errors import Conflict, InvalidInput
from gongxin.market import certificate
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_publicity import record_values, write_record
from gongxin.market.evaluation_round import Actor, own_entry
from gongxin.market.evaluation_rules import Rules
from gongxin.sanctions import lists
from gongxin.workflows import notify

STATES = {
    "valid": ("有效", "valid"),
    "expired": ("已过期", "expired"),
    "revoked": ("已撤销", "revoked"),
    "cancelled": ("已注销", "cancelled"),
}
OUTCOMES = {"pass": "年审通过", "downgrade": "年审降级", "cancel": "年审未通过，注销"}


def state_on(entry: Any, as_of: date) -> str:
    """``valid`` | ``expired`` | ``revoked`` | ``cancelled`` of an awarded entry on a day."""
    if entry.state == "revoked":
        return "revoked"
    if entry.state == "cancelled":
        return "cancelled"
    if entry.valid_until is not None and as_of > entry.valid_until:
        return "expired"
    return "valid"


def reviews(conn: sa.Connection, entry_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(rating_reviews)
        .where(rating_reviews.c.entry_id == entry_id)
        .order_by(rating_reviews.c.number)
    )
    return [dict(r._mapping) | {"outcome_zh": OUTCOMES.get(r.outcome or "", "")} for r in rows]


def review(
    conn: sa.Connection,
    catalog: Catalog,
    rules: Rules,
    entry_id: int,
    outcome: str,
    *,
    actor: Actor,
    as_of: date,
    now: datetime,
    grade: str = "",
    note: str = "",
) -> dict[str, Any]:
    """Record the next annual review: ``pass`` keeps the grade; ``downgrade`` lowers it (a new
    certificate number: same serial, the new grade's code); ``cancel`` ends the certificate."""
    entry, rnd = own_entry(conn, entry_id, actor)
    if entry.state != "awarded" or state_on(entry, as_of) != "valid":
        raise Conflict(
            f"证书 {entry.certificate_no or '—'} 不在有效期内，不能年审",
            f"certificate {entry.certificate_no} is not valid: no review",
        )
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"年审结论须为 {'、'.join(OUTCOMES)} 之一",
            f"outcome must be one of {', '.join(OUTCOMES)}",
            field="outcome",
        )
    todo = conn.execute(
        sa.select(rating_reviews)
        .where(rating_reviews.c.entry_id == entry.id, rating_reviews.c.reviewed_on.is_(None))
        .order_by(rating_reviews.c.number)
        .limit(1)
    ).first()
    if todo is None:
        raise Conflict("该证书的年审已全部完成", "every annual review of this certificate is done")
    if as_of < todo.papers_due_on:
        raise Conflict(
            f"第 {todo.number} 次年审的材料自 {todo.papers_due_on.isoformat()} 起提交，"
            f"年审日为 {todo.due_on.isoformat()}",
            f"review {todo.number} opens on {todo.papers_due_on.isoformat()}",
        )
    new_grade = entry.grade
    values: dict[str, Any] = {"updated_at": now}
    if outcome == "downgrade":
        base = rules.grade(grade)
        if rules.rank(grade) <= rules.rank(entry.grade):
            raise InvalidInput(
                f"降级后的等级“{grade[:6]}”须低于原等级 {entry.grade}",
                f"a downgrade must be below {entry.grade}",
                field="grade",
            )
        new_grade = grade.strip().upper()
        org = evaluators.get(conn, rnd.evaluator_id)
        values |= {
            "grade": new_grade,
            "grade_code": base.code,
            "certificate_no": certificate.number(rnd.year, org.code, base.code, entry.serial),
        }
    elif outcome == "cancel":
        values |= {
            "state": "cancelled",
            "revoked_on": as_of,
            "revoked_reason": f"第 {todo.number} 次年审未通过：{note.strip()}"[:2000],
        }
    conn.execute(rating_entries.update().where(rating_entries.c.id == entry.id).values(**values))
    conn.execute(
        rating_reviews.update()
        .where(rating_reviews.c.id == todo.id)
        .values(
            reviewed_on=as_of,
            outcome=outcome,
            grade=new_grade,
            note=note.strip()[:2000],
            actor=actor.name[:200],
        )
    )
    _rewrite(conn, catalog, entry.id, now=now)
    audit.record(
        conn,
        actor=actor.name,
        action="rating_entry.review",
        target=f"rating_entry:{entry.id}",
        now=now,
        department_id=actor.department_id,
        detail={"number": todo.number, "outcome": outcome, "grade": new_grade},
    )
    return {
        "number": todo.number,
        "outcome": outcome,
        "grade": new_grade,
        "certificate_no": values.get("certificate_no", entry.certificate_no),
    }


def _rewrite(conn: sa.Connection, catalog: Catalog, entry_id: int, *, now: datetime) -> None:
    """The entry's public record after a review or revocation."""
    entry = conn.execute(sa.select(rating_entries).where(rating_entries.c.id == entry_id)).one()
    rnd = conn.execute(sa.select(rating_rounds).where(rating_rounds.c.id == entry.round_id)).one()
    org = evaluators.get(conn, rnd.evaluator_id)
    status = {"awarded": "有效", "revoked": "已撤销", "cancelled": "已注销"}[entry.state]
    values = record_values(
        entry,
        rnd,
        org,
        PJ_JGZT=status,
        PJ_ZSBH=entry.certificate_no,
        PJ_FZRQ=entry.issued_on.isoformat(),
        PJ_YXQZ=entry.valid_until.isoformat(),
        PJ_CXRQ=entry.revoked_on.isoformat() if entry.revoked_on else None,
        PJ_CXYY=(entry.revoked_reason or "")[:1000] or None,
    )
    write_record(conn, catalog, org, values, now=now, label=f"rating-entry-{entry.id}")


def due_reviews(conn: sa.Connection, evaluator_id: int | None, as_of: date) -> list[dict[str, Any]]:
    """Annual reviews open for papers on ``as_of`` and not done, of valid certificates; those
    past their review date are ``overdue``."""
    v, e = rating_reviews.c, rating_entries.c
    query = (
        sa.select(
            v.number,
            v.due_on,
            v.papers_due_on,
            e.id.label("entry_id"),
            e.company,
            e.certificate_no,
            e.grade,
        )
        .join(rating_entries, e.id == v.entry_id)
        .join(rating_rounds, rating_rounds.c.id == e.round_id)
        .where(
            v.reviewed_on.is_(None),
            v.papers_due_on <= as_of,
            e.state == "awarded",
            e.valid_until >= as_of,
        )
        .order_by(v.due_on)
    )
    if evaluator_id is not None:
        query = query.where(rating_rounds.c.evaluator_id == evaluator_id)
    return [
        dict(r._mapping) | {"overdue": r.due_on < as_of} for r in conn.execute(query.limit(500))
    ]


def on_serious_list(
    conn: sa.Connection, catalog: Catalog, rules: Rules, as_of: date
) -> dict[int, tuple[str, int]]:
    """Valid certificates (entry id) whose company is on a serious list on ``as_of``: the list's
    name and the list record's id."""
    types = lists.list_types(catalog)
    e = rating_entries.c
    found: dict[int, tuple[str, int]] = {}
    for code in rules.serious_lists:
        lt = types.get(code)
        if lt is None:
            continue
        same = sa.or_(
            sa.and_(e.subject_id.is_not(None), records.c.subject_id == e.subject_id),
            records.c.link_code == e.uscc,
        )
        rows = conn.execute(
            sa.select(e.id, sa.func.min(records.c.id))
            .join(records, same)
            .where(e.state == "awarded", e.valid_until >= as_of, lists.applies_now(lt, as_of))
            .group_by(e.id)
        )
        for entry_id, record_id in rows:
            found.setdefault(int(entry_id), (lt.name, int(record_id)))
    return found


def revoke(
    conn: sa.Connection,
    catalog: Catalog,
    entry_id: int,
    reason: str,
    *,
    actor: str,
    as_of: date,
    now: datetime,
) -> None:
    """Revoke a certificate (its grade is void at once), flag it for the evaluator and tell its
    clerks by e-mail."""
    conn.execute(
        rating_entries.update()
        .where(rating_entries.c.id == entry_id)
        .values(
            state="revoked",
            revoked_on=as_of,
            revoked_reason=reason[:2000],
            flagged=True,
            updated_at=now,
        )
    )
    _rewrite(conn, catalog, entry_id, now=now)
    entry = conn.execute(sa.select(rating_entries).where(rating_entries.c.id == entry_id)).one()
    dept = conn.execute(
        sa.select(departments.c.id, departments.c.notify_email)
        .join(rating_evaluators, rating_evaluators.c.department_id == departments.c.id)
        .join(rating_rounds, rating_rounds.c.evaluator_id == rating_evaluators.c.id)
        .where(rating_rounds.c.id == entry.round_id)
    ).one()
    notify.queue(
        conn,
        dept.notify_email,
        f"[公信] 信用等级证书 {entry.certificate_no} 已自动撤销",
        f"{entry.company}（{entry.uscc}）的信用等级 {entry.grade}（证书 {entry.certificate_no}）"
        f"已于 {as_of.isoformat()} 撤销：{reason}。请收回证书和标牌。\n"
        f"Certificate {entry.certificate_no} was revoked on {as_of.isoformat()}: the company is "
        "on a serious list. Please recover the certificate and plaque.",
        now=now,
    )
    audit.record(
        conn,
        actor=actor,
        action="rating_entry.revoke",
        target=f"rating_entry:{entry_id}",
        now=now,
        department_id=dept.id,
        detail={"reason": reason[:500]},
    )


def sweep(
    conn: sa.Connection, catalog: Catalog, rules: Rules, *, as_of: date, now: datetime
) -> int:
    """Revoke every valid certificate whose company is on a serious list; returns how many."""
    found = on_serious_list(conn, catalog, rules, as_of)
    for entry_id, (list_name, record_id) in sorted(found.items()):
        reason = f"企业被列入{list_name}（记录 {record_id}），评价结果即时失效"
        revoke(conn, catalog, entry_id, reason, actor="worker", as_of=as_of, now=now)
    return len(found)


def acknowledge(conn: sa.Connection, entry_id: int, *, actor: Actor, now: datetime) -> None:
    """The evaluator has seen the revocation (and recovers certificate and plaque)."""
    entry, _ = own_entry(conn, entry_id, actor)
    if not entry.flagged:
        raise Conflict("该撤销已确认", "this revocation is acknowledged already")
    conn.execute(
        rating_entries.update()
        .where(rating_entries.c.id == entry.id)
        .values(flagged=False, updated_at=now)
    )
    audit.record(
        conn,
        actor=actor.name,
        action="rating_entry.acknowledge",
        target=f"rating_entry:{entry.id}",
        now=now,
        department_id=actor.department_id,
    )


def flagged(conn: sa.Connection, evaluator_id: int | None) -> list[dict[str, Any]]:
    e = rating_entries.c
    query = (
        sa.select(rating_entries)
        .join(rating_rounds, rating_rounds.c.id == e.round_id)
        .where(e.flagged.is_(True))
        .order_by(e.revoked_on.desc())
    )
    if evaluator_id is not None:
        query = query.where(rating_rounds.c.evaluator_id == evaluator_id)
    return [dict(r._mapping) for r in conn.execute(query.limit(500))]


def live(conn: sa.Connection, cert_no: str, as_of: date) -> dict[str, Any] | None:
    """The live result a certificate's QR code opens: who, what grade, by whom, and its state
    on ``as_of``; None for an unknown number."""
    entry = certificate.find(conn, cert_no)
    if entry is None or entry.certificate_no is None:
        return None
    rnd = conn.execute(sa.select(rating_rounds).where(rating_rounds.c.id == entry.round_id)).one()
    org = evaluators.get(conn, rnd.evaluator_id)
    state = state_on(entry, as_of)
    return {
        "certificate_no": entry.certificate_no,
        "company": entry.company,
        "uscc": entry.uscc,
        "grade": entry.grade,
        "grade_code": entry.grade_code,
        "evaluator": org.name,
        "round_id": rnd.id,
        "round": rnd.title,
        "year": rnd.year,
        "issued_on": entry.issued_on,
        "valid_until": entry.valid_until,
        "state": state,
        "state_zh": STATES[state][0],
        "state_en": STATES[state][1],
        "revoked_on": entry.revoked_on,
        "revoked_reason": entry.revoked_reason,
        "reviews": reviews(conn, entry.id),
        "record_id": entry.record_id,
        "entry_id": entry.id,
    }
