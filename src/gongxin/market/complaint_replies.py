"""The company's reply through the signed link e-mailed when a complaint is forwarded, and the
complainant's rating of the outcome.

The link is ``/complaints/reply/<token>``, the token ``<id>.<yyyymmdd>.<signature>``: the
complaint, the last day the link works (the reply deadline plus the rules' grace days) and an
HMAC-SHA256 of both under the installation's secret ``complaint_reply``
(gongxin.identity.instance_secrets). A changed id or day, a forged signature or an expired
link is refused (404; 403 once expired); nothing is stored for the link itself. A reply
after the deadline is taken and marked late (企业逾期答复). The reply is shown beside the
complaint in its credit record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.complaint_tables import complaints
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.identity import instance_secrets
from gongxin.market import complaint_records
from gongxin.market.complaint_rules import Rules
from gongxin.market.complaints import (
    ACCEPTED,
    OVERDUE,
    REPLIED,
    by_code,
    get,
    printable,
    progress,
)
from gongxin.workflows import notify

SECRET = "complaint_reply"
REPLY_PATH = "/complaints/reply/"
MAX_TOKEN = 120


def secret(conn: sa.Connection, *, now: datetime) -> bytes:
    return instance_secrets.resolve(conn, SECRET, None, now=now)


def _signature(key: bytes, complaint_id: int, until: str) -> str:
    mac = hmac.new(key, f"complaint-reply:{complaint_id}:{until}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def token(complaint_id: int, until: date, key: bytes) -> str:
    """The reply token of a complaint, good up to and including ``until``."""
    day = until.strftime("%Y%m%d")
    return f"{complaint_id}.{day}.{_signature(key, complaint_id, day)}"


def reply_url(base_url: str, complaint_id: int, due: date, rules: Rules, key: bytes) -> str:
    until = due + timedelta(days=rules.reply_link_grace_days)
    return base_url.rstrip("/") + REPLY_PATH + token(complaint_id, until, key)


def _bad() -> NotFound:
    return NotFound(
        "答复链接无效：链接不完整或已被改动，请使用邮件中的完整链接",
        "the reply link is not valid: incomplete or altered; use the whole link of the e-mail",
        rule="reply_link",
    )


def verify(raw: str, key: bytes, as_of: date) -> int:
    """The complaint id a reply token opens; NotFound when forged or altered (as if no such
    link existed), Forbidden when expired."""
    parts = raw.strip()[:MAX_TOKEN].split(".")
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit() or len(parts[0]) > 18:
        raise _bad()
    complaint_id, day, signature = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(signature, _signature(key, complaint_id, day)):
        raise _bad()
    try:
        until = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        raise _bad() from None
    if as_of > until:
        raise Forbidden(
            f"答复链接已于 {until.isoformat()} 过期；如需答复请联系信用投诉中心",
            f"the reply link expired on {until.isoformat()}; contact the complaint centre",
            rule="reply_link_expired",
            expired_on=until.isoformat(),
        )
    return complaint_id


def for_company(conn: sa.Connection, raw: str, rules: Rules, *, as_of: date, now: datetime) -> Any:
    """What the company sees through its link: the complaint without the complainant's name
    or contact, the deadline, and its reply when given."""
    row = get(conn, verify(raw, secret(conn, now=now), as_of))
    shown = progress(row, rules)
    shown |= {"summary": row.public_summary, "claim": row.claim, "id": row.id}
    return shown


def reply(
    conn: sa.Connection,
    catalog: Catalog,
    raw: str,
    text: str,
    rules: Rules,
    *,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    """The company's reply; once only. After the deadline it is taken and marked late."""
    complaint_id = verify(raw, secret(conn, now=now), as_of)
    row = get(conn, complaint_id)
    body = printable(text)[:5000]
    if len(body) < 5:
        raise InvalidInput(
            "答复内容（reply）至少 5 个字",
            "the reply needs at least 5 characters",
            field="reply",
            rule="min_length",
        )
    if row.state == REPLIED:
        raise Conflict(
            f"投诉 {row.number} 已于 {row.replied_on.isoformat()} 答复，不能再次答复",
            f"complaint {row.number} was already answered on {row.replied_on.isoformat()}",
        )
    if row.state not in (ACCEPTED, OVERDUE):
        raise Conflict(
            f"投诉 {row.number} 未转交企业，不能答复", f"complaint {row.number} was not forwarded"
        )
    conn.execute(
        complaints.update()
        .where(complaints.c.id == complaint_id)
        .values(state=REPLIED, reply=body, replied_on=as_of, updated_at=now)
    )
    complaint_records.write(conn, catalog, complaint_id, rules, now=now)
    late = as_of > row.reply_due
    notify.queue(
        conn,
        row.email,
        f"[公信] 被投诉企业已答复 {row.number}",
        f"“{row.company_name}”已答复您的投诉 {row.number}{'（逾期）' if late else ''}：\n{body}\n"
        f"请凭查询码查看并评价处理结果。\nThe company replied to {row.number}.",
        now=now,
    )
    audit.record(
        conn,
        actor=f"company:{row.company_code}",
        action="complaint.reply",
        target=f"complaint:{complaint_id}",
        now=now,
        detail={"number": row.number, "late": late},
    )
    return progress(get(conn, complaint_id), rules)


def rate(
    conn: sa.Connection,
    catalog: Catalog,
    code: str,
    rating: str,
    note: str,
    rules: Rules,
    *,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    """The complainant's rating (once), after the company replied or its deadline passed."""
    row = by_code(conn, code)
    rules.label("ratings", rating)
    if row.rating is not None:
        raise Conflict(f"投诉 {row.number} 已评价", f"complaint {row.number} is already rated")
    if row.state not in (REPLIED, OVERDUE):
        raise Conflict(
            f"投诉 {row.number} 尚未答复，企业答复或答复期限届满后才能评价",
            f"complaint {row.number} can be rated once the company replied or the deadline passed",
            state=row.state,
        )
    conn.execute(
        complaints.update()
        .where(complaints.c.id == row.id)
        .values(
            rating=rating,
            rating_note=printable(note)[:1000] or None,
            rated_on=as_of,
            updated_at=now,
        )
    )
    complaint_records.write(conn, catalog, row.id, rules, now=now)
    audit.record(
        conn,
        actor="public",
        action="complaint.rate",
        target=f"complaint:{row.id}",
        now=now,
        detail={"number": row.number, "rating": rating},
    )
    return progress(get(conn, row.id), rules)
