"""SLA statistics of parallel approval, per matter and department (shared/domain/
parallel_approval.md §4): reviews received, decided on time, decided overdue, still pending and
pending past the deadline, approved and refused, the mean working days to a decision; per
matter, applications by mode (容缺受理, 告知承诺) and by outcome. Computed as of ``as_of``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.approval.matters import Book
from gongxin.clock import working_days_between
from gongxin.db.approval_tables import approval_applications as apps
from gongxin.db.approval_tables import approval_reviews as reviews
from gongxin.errors import InvalidInput


def _blank() -> dict[str, Any]:
    keys = ("received", "decided", "on_time", "overdue", "pending", "pending_overdue",
            "approved", "refused")  # fmt: skip
    return dict.fromkeys(keys, 0) | {"_days": 0}


def stats(
    conn: sa.Connection, book: Book, *, as_of: date, matter: str | None = None,
    department: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``{"matters": [...], "departments": [...]}``: one row per matter and department that
    has reviews, and one per matter. Unknown matter or department → 400 with the valid ones."""
    code = book.get(matter).code if matter else None
    if department and department not in book.departments():
        valid = book.departments()
        raise InvalidInput(
            f"未知的审查部门：{department[:100]}；可选：{'、'.join(valid)}",
            f"unknown department {department[:100]!r}; valid: {', '.join(valid)}",
            field="department", value=department[:100], valid=valid,
        )  # fmt: skip
    query = sa.select(
        apps.c.matter, reviews.c.department, reviews.c.state, reviews.c.due_on,
        reviews.c.decided_on, reviews.c.overdue, apps.c.received_on,
    ).join(apps, apps.c.id == reviews.c.application_id)  # fmt: skip
    if code:
        query = query.where(apps.c.matter == code)
    if department:
        query = query.where(reviews.c.department == department)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m, dept, state, due, decided, overdue, received in conn.execute(query):
        r = rows.setdefault((m, dept), _blank())
        r["received"] += 1
        if state == "pending":
            r["pending"] += 1
            r["pending_overdue"] += int(as_of > due)
            continue
        r["decided"] += 1
        r["overdue" if overdue else "on_time"] += 1
        r[state] += 1
        r["_days"] += working_days_between(received, decided)
    names = {m.code: m.name for m in book.matters}
    out_depts = []
    for (m, dept), r in sorted(rows.items()):
        days = r.pop("_days")
        out_depts.append({
            "matter": m, "matter_name": names.get(m, m), "department": dept, **r,
            "on_time_share": round(r["on_time"] / r["decided"], 4) if r["decided"] else None,
            "mean_days": round(days / r["decided"], 2) if r["decided"] else None,
        })  # fmt: skip
    return {"as_of": as_of, "departments": out_depts, "matters": _per_matter(conn, book, code)}


def _per_matter(conn: sa.Connection, book: Book, code: str | None) -> list[dict[str, Any]]:
    query = sa.select(apps.c.matter, apps.c.mode, apps.c.state, sa.func.count()).group_by(
        apps.c.matter, apps.c.mode, apps.c.state
    )
    if code:
        query = query.where(apps.c.matter == code)
    found: dict[str, dict[str, Any]] = {}
    for m, mode, state, n in conn.execute(query):
        r = found.setdefault(m, {"applications": 0, "standard": 0, "tolerance": 0, "promise": 0,
                                 "in_review": 0, "approved": 0, "refused": 0})  # fmt: skip
        r["applications"] += n
        r[mode] += n
        r[state] += n
    names = {m.code: m.name for m in book.matters}
    return [{"matter": m, "matter_name": names.get(m, m), **r} for m, r in sorted(found.items())]
