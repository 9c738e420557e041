"""Each department's review (部门审查) of an application, in parallel with the others: its
queue, and its decision. Before an approval the credit check runs again on the applicant in the
matter's scene and its result is attached to the review. A decision after the department's
deadline is accepted and marked overdue. The application is decided when every review is:
approved when all approved, refused otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.approval import applications, credit
from gongxin.approval.matters import Book
from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.approval_tables import approval_applications as apps
from gongxin.db.approval_tables import approval_reviews as reviews
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound

OUTCOMES = {"approved": "准予", "refused": "不予"}


def queue(
    conn: sa.Connection, *, department: str | None, as_of: date, open_only: bool = True,
    limit: int = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    """Reviews of one department (None: every department), oldest deadline first."""
    query = (
        sa.select(reviews, apps.c.number, apps.c.matter, apps.c.applicant, apps.c.mode,
                  apps.c.received_on, apps.c.credit.label("app_credit"))
        .join(apps, apps.c.id == reviews.c.application_id)
        .order_by(reviews.c.due_on, reviews.c.id)
        .limit(limit)
    )  # fmt: skip
    if department is not None:
        query = query.where(reviews.c.department == department)
    if open_only:
        query = query.where(reviews.c.state == "pending")
    out = []
    for row in conn.execute(query):
        item = applications.review_dict(row, as_of)
        hits = (row.app_credit or {}).get("hits", [])
        item |= {"number": row.number, "matter": row.matter, "applicant": row.applicant,
                 "mode": row.mode, "received_on": row.received_on, "application_id":
                 row.application_id, "credit_hits": len(hits)}  # fmt: skip
        out.append(item)
    return out


def get(conn: sa.Connection, review_id: int) -> sa.Row[Any]:
    row = None
    if 1 <= review_id <= applications.MAX_ID:
        row = conn.execute(sa.select(reviews).where(reviews.c.id == review_id)).first()
    if row is None:
        raise NotFound(f"审查任务 {review_id} 不存在", f"review {review_id} not found")
    return row


def decide(
    conn: sa.Connection,
    catalog: Catalog,
    book: Book,
    review_id: int,
    outcome: str,
    opinion: str,
    *,
    department: str | None,
    actor: str,
    department_id: int | None,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    """One department's decision on its review (``department`` None: may decide any)."""
    row = get(conn, review_id)
    if department is not None and row.department != department:
        raise Forbidden(
            f"审查任务 {review_id} 属于{row.department}，不属于{department}",
            f"review {review_id} is {row.department}'s",
        )  # fmt: skip
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"审查结果只能是：{'、'.join(f'{k}（{v}）' for k, v in OUTCOMES.items())}",
            f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome[:20]!r}",
            field="outcome", value=outcome[:20], valid=list(OUTCOMES),
        )  # fmt: skip
    if row.state != "pending":
        raise Conflict(f"{row.department}已作出审查决定，不能再次处理",
                       f"{row.department} has already decided this review")  # fmt: skip
    text = "".join(ch for ch in opinion if ch in "\n\t" or ch.isprintable()).strip()
    if not text:
        raise InvalidInput("审查意见（opinion）不能为空", "an opinion is required", field="opinion")
    app = applications.get(conn, row.application_id)
    matter = book.get(app.matter)
    check_id, result = None, None
    if outcome == "approved":
        if app.missing:
            raise Conflict(
                f"容缺材料尚未补齐（{'、'.join(app.missing)}），不能准予",
                f"owed materials are still missing: {', '.join(app.missing)}",
            )  # fmt: skip
        check_id, result = credit.run(
            conn, catalog, matter, app.applicant_code, purpose=f"{matter.name}（审批前核查）",
            as_of=as_of, now=now, actor=actor, department_id=department_id,
        )  # fmt: skip
        if app.mode != "standard" and (
            barred := credit.blocking(result, getattr(book.credit_gate, app.mode))
        ):
            zh = credit.MODE_NAMES[app.mode][0]
            raise Conflict(
                f"审批前核查：申请人现列入{credit.barred_text(barred)}，不适用{zh}，不能准予",
                f"the check before approval finds the applicant on "
                f"{', '.join(h['list_type'] for h in barred)}: no {app.mode}",
                check_id=check_id,
            )  # fmt: skip
    overdue = as_of > row.due_on
    conn.execute(
        reviews.update().where(reviews.c.id == row.id).values(
            state=outcome, opinion=text[:5000], decided_on=as_of, decided_by=actor[:200],
            overdue=overdue, check_id=check_id, credit=result, updated_at=now,
        )
    )  # fmt: skip
    states = [r.state for r in applications.review_rows(conn, app.id)]
    if "pending" not in states:
        final = "approved" if set(states) == {"approved"} else "refused"
        conn.execute(
            apps.update().where(apps.c.id == app.id).values(
                state=final, decided_on=as_of, updated_at=now
            )
        )  # fmt: skip
    audit.record(
        conn, actor=actor, action="approval.review", target=f"approval:{app.number}", now=now,
        department_id=department_id,
        detail={"department": row.department, "outcome": outcome, "overdue": overdue,
                "check_id": check_id},
    )  # fmt: skip
    return applications.summary(conn, applications.get(conn, app.id), as_of)
