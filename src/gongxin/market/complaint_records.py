"""A complaint as credit information: one record of the ``complaint`` dataset per accepted
complaint, owned by the credit centre, written on acceptance and corrected (history kept) when
the company replies, the deadline passes or the complainant rates the outcome.

The record carries the centre's summary (never the complainant's name or contact), the
company's reply beside it, whether it came in time, and the day its publicity ends; the
visibility gate shows it like any record (``valid_period`` from acceptance to that day). It
goes through intake's validator and store (gongxin.workflows.submission) like a department's
row, so a rule of the spec it breaks is named and nothing is stored.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db.complaint_tables import complaints
from gongxin.db.models import departments
from gongxin.errors import Conflict
from gongxin.identity import departments as depts
from gongxin.identity.departments import Department
from gongxin.market.complaint_rules import Rules
from gongxin.workflows.submission import check_row, store_row

DATASET = "complaint"
STATUS = {
    "accepted": "待企业答复",
    "overdue": "逾期未答复",
    "replied": "企业已答复",
    "replied_late": "企业逾期答复",
}


def centre(conn: sa.Connection) -> Department:
    """The credit centre's department, which owns complaint records."""
    found = conn.execute(
        sa.select(departments.c.id)
        .where(departments.c.kind == "centre")
        .order_by(departments.c.id)
        .limit(1)
    ).scalar()
    if found is None:
        raise Conflict(
            "未登记信用中心部门（类型 centre），投诉不能作为信用信息记录；请先登记："
            "gongxin dept add 市信用中心 --kind centre",
            "no credit-centre department (kind centre) is registered to own complaint records; "
            "register one first",
        )
    return depts.by_id(conn, int(found))


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` later (the month's last day when it is shorter).

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 11, 30), 12)
    (datetime.date(2026, 2, 28), datetime.date(2027, 11, 30))
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _status(row: Any) -> str:
    if row.state == "replied":
        late = row.replied_on is not None and row.reply_due is not None
        return STATUS["replied_late" if late and row.replied_on > row.reply_due else "replied"]
    return STATUS[row.state]


def values(row: Any, rules: Rules, centre_name: str) -> dict[str, Any]:
    """The record's fields for the complaint ``row`` as it stands."""
    code = str(row.company_code or "")
    category = rules.categories.get(row.category)
    rating = rules.ratings.get(row.rating or "")
    return {
        "TS_BH": row.number,
        "TS_ZTMC": row.company_name,
        "TS_TYSHXYDM": code if len(code) == 18 else None,
        "TS_ZCH": code if len(code) == 15 else None,
        "TS_LB": category.zh if category else row.category,
        "TS_ZY": row.public_summary,
        "TS_SLRQ": row.triaged_on.isoformat(),
        "TS_SLJG": centre_name,
        "TS_DFQX": row.reply_due.isoformat(),
        "TS_CLZT": _status(row),
        "TS_QYDF": row.reply,
        "TS_DFRQ": row.replied_on.isoformat() if row.replied_on else None,
        "TS_PJ": rating.zh if rating else None,
        "TS_GSJZ": add_months(row.triaged_on, rules.publicity_months).isoformat(),
    }


def write(
    conn: sa.Connection, catalog: Catalog, complaint_id: int, rules: Rules, *, now: datetime
) -> int:
    """Write (or correct) the credit record of an accepted complaint; its record id."""
    row = conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).one()
    owner = centre(conn)
    spec = catalog.get(DATASET)
    pending = check_row(catalog, spec, values(row, rules, owner.name), now)
    stored = store_row(conn, spec, pending, owner, now=now, label=f"信用投诉 {row.number}")
    if row.record_id != stored.record_id:
        conn.execute(
            complaints.update()
            .where(complaints.c.id == complaint_id)
            .values(record_id=stored.record_id)
        )
    return stored.record_id
