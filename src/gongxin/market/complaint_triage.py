"""The credit-complaint centre's desk: accept (受理, forwarded to the company with a signed
reply link by e-mail) or refuse (不予受理, with a reason of the rules) within the working days of
the rules, mark forwarded complaints overdue once the company's deadline has passed, choose
typical cases (典型案例, anonymised) for the period report, and the queue.

Each step runs in the caller's transaction, writes the audit log, queues its e-mails in the
outbox and, from acceptance on, corrects the complaint's credit record
(gongxin.market.complaint_records).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.complaint_tables import complaints
from gongxin.errors import Conflict, InvalidInput
from gongxin.market import complaint_records, complaint_replies
from gongxin.market.complaint_rules import Rules
from gongxin.market.complaints import (
    ACCEPTED,
    OVERDUE,
    RECEIVED,
    REFUSED,
    REPLIED,
    get,
    printable,
    state_of,
)
from gongxin.workflows import notify

MAX_PAGE_SIZE = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _open(conn: sa.Connection, complaint_id: int) -> Any:
    row = get(conn, complaint_id)
    if row.state != RECEIVED:
        raise Conflict(
            f"投诉 {row.number} 已处理（{state_of(row)[0]}），不能再次受理或不予受理",
            f"complaint {row.number} is already triaged ({row.state})",
            state=row.state,
        )
    return row


def accept(
    conn: sa.Connection,
    catalog: Catalog,
    complaint_id: int,
    *,
    company_email: str,
    summary: str,
    rules: Rules,
    secret: bytes,
    base_url: str,
    actor: str,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    """Accept a complaint and forward it: the company is e-mailed a signed link to reply by the
    rules' deadline; the credit record is written (待企业答复)."""
    row = _open(conn, complaint_id)
    email = printable(company_email)[:254]
    if not _EMAIL.match(email):
        raise InvalidInput(
            f"企业联系邮箱“{email[:80]}”格式不正确：答复链接须发送到企业的电子邮箱",
            f"company e-mail {email[:80]!r} is not valid: the reply link is sent there",
            field="company_email",
            value=email[:80],
        )
    # the credit record never names the complainant: their name, phones, e-mails removed
    public = anonymise(printable(summary)[:2000] or row.claim[:2000], [row.complainant])
    due = rules.reply_due(as_of)
    conn.execute(
        complaints.update()
        .where(complaints.c.id == complaint_id)
        .values(
            state=ACCEPTED,
            triaged_on=as_of,
            triaged_by=actor[:200],
            company_email=email,
            public_summary=public,
            reply_due=due,
            updated_at=now,
        )
    )
    record_id = complaint_records.write(conn, catalog, complaint_id, rules, now=now)
    link = complaint_replies.reply_url(base_url, complaint_id, due, rules, secret)
    category = rules.label("categories", row.category).zh
    notify.queue(
        conn,
        email,
        f"[公信] 信用投诉转办 {row.number}：请于 {due.isoformat()} 前答复",
        f"信用投诉中心受理了对贵单位“{row.company_name}”的投诉 {row.number}（{category}）。\n"
        f"投诉摘要：{public}\n投诉诉求：{row.claim}\n"
        f"请于 {due.isoformat()}（含）前通过以下链接答复，答复将与投诉一并公示：\n{link}\n"
        f"Complaint {row.number} against your company was accepted. Please reply by "
        f"{due.isoformat()} through the link above; the reply is published with the complaint.",
        now=now,
    )
    notify.queue(
        conn,
        row.email,
        f"[公信] 投诉已受理 {row.number}",
        f"您的投诉 {row.number} 已受理并转交“{row.company_name}”，企业答复期限 {due.isoformat()}。"
        f"\nYour complaint {row.number} was accepted and forwarded; reply due {due.isoformat()}.",
        now=now,
    )
    audit.record(
        conn,
        actor=actor,
        action="complaint.accept",
        target=f"complaint:{complaint_id}",
        now=now,
        detail={
            "number": row.number,
            "reply_due": due.isoformat(),
            "record": record_id,
            "late": as_of > row.triage_due,
        },
    )
    return {"number": row.number, "reply_due": due, "record_id": record_id, "link": link}


def refuse(
    conn: sa.Connection,
    complaint_id: int,
    *,
    reason: str,
    note: str,
    rules: Rules,
    actor: str,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    """Refuse a complaint with a reason of the rules (and an explanation, required for
    ``other``); the complainant is told."""
    row = _open(conn, complaint_id)
    label = rules.label("refusal_reasons", reason)
    note = printable(note)[:2000]
    if reason == "other" and not note:
        raise InvalidInput(
            "不予受理理由为“其他”时须写明说明（note）",
            "a refusal for another reason needs an explanation (note)",
            field="note",
        )
    conn.execute(
        complaints.update()
        .where(complaints.c.id == complaint_id)
        .values(
            state=REFUSED,
            triaged_on=as_of,
            triaged_by=actor[:200],
            refusal_reason=reason,
            refusal_note=note or None,
            updated_at=now,
        )
    )
    notify.queue(
        conn,
        row.email,
        f"[公信] 投诉不予受理 {row.number}",
        f"您的投诉 {row.number} 不予受理。理由：{label.zh}{('。' + note) if note else ''}\n"
        f"Your complaint {row.number} was refused: {label.en}.",
        now=now,
    )
    audit.record(
        conn,
        actor=actor,
        action="complaint.refuse",
        target=f"complaint:{complaint_id}",
        now=now,
        detail={"number": row.number, "reason": reason, "late": as_of > row.triage_due},
    )
    return {"number": row.number, "reason": reason, "reason_zh": label.zh}


def mark_overdue(
    conn: sa.Connection, catalog: Catalog, rules: Rules, *, as_of: date, now: datetime
) -> dict[str, int]:
    """Mark overdue every forwarded complaint whose reply deadline passed before ``as_of``
    (its record says 逾期未答复; the complainant is told and may rate); count the complaints
    waiting for triage past their deadline."""
    due = conn.execute(
        sa.select(complaints.c.id, complaints.c.number, complaints.c.email)
        .where(complaints.c.state == ACCEPTED, complaints.c.reply_due < as_of)
        .order_by(complaints.c.id)
    ).all()
    for row in due:
        conn.execute(
            complaints.update()
            .where(complaints.c.id == row.id, complaints.c.state == ACCEPTED)
            .values(state=OVERDUE, overdue_on=as_of, updated_at=now)
        )
        complaint_records.write(conn, catalog, row.id, rules, now=now)
        notify.queue(
            conn,
            row.email,
            f"[公信] 被投诉企业逾期未答复 {row.number}",
            f"被投诉企业未在期限内答复您的投诉 {row.number}，已记为“逾期未答复”并公示。"
            f"您可凭查询码评价处理结果。\nThe company did not reply to {row.number} in time.",
            now=now,
        )
        audit.record(
            conn,
            actor="worker",
            action="complaint.overdue",
            target=f"complaint:{row.id}",
            now=now,
            detail={"number": row.number},
        )
    late_triage = conn.execute(
        sa.select(sa.func.count())
        .select_from(complaints)
        .where(complaints.c.state == RECEIVED, complaints.c.triage_due < as_of)
    ).scalar_one()
    return {"overdue": len(due), "triage_late": int(late_triage)}


_PHONE_LIKE = re.compile(r"\d[\d\- ]{6,}\d")
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)


def anonymise(text: str, names: list[str]) -> str:
    """``text`` without the complainant's name, phone numbers or e-mail addresses.

    >>> anonymise("张三于 9 月 3 日致电 13800001111（zs@example.org）", ["张三"])
    '张** 于 9 月 3 日致电 ***（***）'
    """
    for name in sorted((n for n in names if n), key=len, reverse=True):
        text = text.replace(name, name[0] + "**" + (" " if len(name) > 1 else ""))
    return _EMAIL_LIKE.sub("***", _PHONE_LIKE.sub("***", text)).replace("  ", " ")


def set_typical(
    conn: sa.Connection,
    complaint_id: int,
    *,
    typical: bool,
    text: str,
    view: str,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Choose (or drop) an accepted complaint as a typical case; its narrative is anonymised
    (the complainant's name, phone numbers and e-mail addresses removed)."""
    row = get(conn, complaint_id)
    if typical and row.state not in (ACCEPTED, REPLIED, OVERDUE):
        raise Conflict(
            f"只有已受理的投诉可作为典型案例；投诉 {row.number} 的状态是“{state_of(row)[0]}”",
            f"only accepted complaints can be typical cases; {row.number} is {row.state}",
        )
    narrative = anonymise(printable(text)[:5000] or row.facts, [row.complainant])
    if typical and len(narrative) < 10:
        raise InvalidInput(
            "典型案例须有案情（text）", "a typical case needs its narrative", field="text"
        )
    conn.execute(
        complaints.update()
        .where(complaints.c.id == complaint_id)
        .values(
            typical=typical,
            typical_text=narrative if typical else None,
            typical_view=(printable(view)[:5000] or None) if typical else None,
            updated_at=now,
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="complaint.typical",
        target=f"complaint:{row.id}",
        now=now,
        detail={"number": row.number, "typical": typical},
    )
    return {"number": row.number, "typical": typical}


QUEUES = {
    "triage": "待受理",
    "waiting": "待企业答复",
    "overdue": "企业逾期",
    "all": "全部",
}


def queue(
    conn: sa.Connection, *, show: str, as_of: date, page: int = 1, size: int = 50
) -> dict[str, Any]:
    """The desk's list: ``triage`` (waiting for acceptance, oldest first, with the working
    days left), ``waiting`` (forwarded), ``overdue``, ``all``."""
    if show not in QUEUES:
        raise InvalidInput(
            f"未知的列表“{show[:20]}”；可选：{'、'.join(QUEUES)}",
            f"unknown queue {show[:20]!r}",
            field="show",
        )
    if not 1 <= page <= 100_000 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput("页码或每页条数超出范围", "page or size out of range", field="page")
    query = sa.select(complaints).order_by(complaints.c.received_on, complaints.c.id)
    if show == "triage":
        query = query.where(complaints.c.state == RECEIVED)
    elif show == "waiting":
        query = query.where(complaints.c.state == ACCEPTED)
    elif show == "overdue":
        query = query.where(complaints.c.state == OVERDUE)
    else:
        query = query.order_by(None).order_by(complaints.c.id.desc())
    rows = conn.execute(query.offset((page - 1) * size).limit(size + 1)).all()
    items = []
    for row in rows[:size]:
        due = row.triage_due if row.state == RECEIVED else row.reply_due
        left = None
        if due is not None and row.state in (RECEIVED, ACCEPTED):
            left = (
                clock.working_days_between(as_of, due)
                if as_of <= due
                else -clock.working_days_between(due, as_of)
            )
        items.append({"row": row, "state_zh": state_of(row)[0], "due": due, "left": left})
    return {"items": items, "more": len(rows) > size, "page": page, "show": show}
