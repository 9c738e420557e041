"""Credit complaints (信用投诉): the public files a complaint against a registered company, gets
a 查询码 and follows it.

States (docs/complaints.md): ``received`` (待受理) → ``accepted`` (受理并转交企业, waiting for the
company's reply) | ``refused`` (不予受理, with a reason of the rules) → ``replied`` (企业已答复,
in time or late) | ``overdue`` (the reply deadline passed: 逾期未答复) → ``replied`` (late).
The complainant rates the outcome once the company replied or the deadline passed. Triage
(gongxin.market.complaint_triage), the company's reply and the rating
(gongxin.market.complaint_replies) and the period report (gongxin.market.complaint_report) are
their own modules. Deadlines are working days of the rules (market/data/complaints.yaml).

A complaint names a company of the subject registry (by USCC, registration number or exact
name); any other is refused with a link to the search that finds the right one. Evidence files
are checked as the attachments of objections are (PDF, JPG or PNG by content, within the size
and count limits). The 查询码 is shown once and kept only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.complaint_tables import complaint_evidence, complaints
from gongxin.db.models import subjects
from gongxin.errors import InvalidInput, NotFound
from gongxin.ids import regno, uscc
from gongxin.market.complaint_rules import Rules
from gongxin.subjects.names import normalise_name
from gongxin.workflows import attachments as files
from gongxin.workflows import notify

RECEIVED, ACCEPTED, REFUSED, REPLIED, OVERDUE = (
    "received",
    "accepted",
    "refused",
    "replied",
    "overdue",
)
STATES = {
    RECEIVED: ("待受理", "waiting for triage"),
    ACCEPTED: ("已受理，已转企业待答复", "accepted, forwarded to the company"),
    REFUSED: ("不予受理", "refused"),
    REPLIED: ("企业已答复", "the company replied"),
    OVERDUE: ("企业逾期未答复", "the company did not reply in time"),
}
FORWARDED = (ACCEPTED, REPLIED, OVERDUE)  # accepted, whatever happened since
MAX_ID = 2**63 - 1
SEARCH_PATH = "/search?q="


@dataclass(frozen=True)
class Filing:
    company: str  # USCC, registration number or the exact registered name
    complainant: str
    phone: str
    email: str
    category: str
    claim: str  # 诉求
    facts: str  # 事实与经过


@dataclass(frozen=True)
class Filed:
    id: int
    number: str
    code: str  # the 查询码: shown once, only its hash is kept
    triage_due: date
    company_name: str


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def printable(text: str) -> str:
    """Control characters (NUL above all, which PostgreSQL refuses in text) dropped."""
    return "".join(ch for ch in str(text) if ch in "\n\t" or ch.isprintable()).strip()


_LIMITS = {
    "company": ("被投诉企业", 200),
    "complainant": ("投诉人", 200),
    "phone": ("联系电话", 40),
    "email": ("电子邮箱", 254),
    "category": ("投诉类别", 40),
    "claim": ("投诉诉求", 2000),
    "facts": ("事实与经过", 5000),
}
_PHONE = re.compile(r"^[0-9+()\- ]{5,40}$")


def _checked(f: Filing, rules: Rules) -> Filing:
    f = Filing(**{k: printable(getattr(f, k)) for k in _LIMITS})
    for name, (zh, most) in _LIMITS.items():
        value = getattr(f, name)
        if not value:
            raise InvalidInput(f"{zh}（{name}）不能为空", f"{name} is required", field=name)
        if len(value) > most:
            raise InvalidInput(
                f"{zh}（{name}）过长：{len(value)} 字，最多 {most} 字",
                f"{name} is too long: {len(value)} characters, at most {most}",
                field=name,
            )
    if not _PHONE.match(f.phone):
        raise InvalidInput(
            f"联系电话“{f.phone[:40]}”格式不正确：只能含数字、空格、+、-、括号",
            f"phone {f.phone[:40]!r} is not a phone number",
            field="phone",
            value=f.phone[:40],
            rule="phone",
        )
    if "@" not in f.email.strip("@") or " " in f.email:
        raise InvalidInput(
            f"电子邮箱“{f.email[:80]}”格式不正确",
            f"e-mail {f.email[:80]!r} is not valid",
            field="email",
            value=f.email[:80],
            rule="email",
        )
    rules.label("categories", f.category)
    if len(f.facts) < 10:
        raise InvalidInput(
            "事实与经过（facts）至少写 10 个字：何时、在何处、买了什么、发生了什么",
            "facts need at least 10 characters: when, where, what was bought, what happened",
            field="facts",
            rule="min_length",
        )
    return f


def search_link(text: str) -> str:
    return SEARCH_PATH + quote(text[:100])


def find_company(conn: sa.Connection, text: str) -> Any:
    """The registered company ``text`` names (a USCC, a 15-digit registration number or the
    exact registered name); NotFound with the search link that finds the right one."""
    wanted = printable(text)[:200]
    code = wanted.replace(" ", "").upper()
    query = sa.select(subjects.c.id, subjects.c.name, subjects.c.uscc, subjects.c.reg_no)
    if uscc.is_valid(code):
        rows = conn.execute(query.where(subjects.c.uscc == code)).all()
    elif regno.is_valid(code):
        rows = conn.execute(query.where(subjects.c.reg_no == code)).all()
    else:
        norm = normalise_name(wanted)
        rows = conn.execute(query.where(subjects.c.name_norm == norm).limit(2)).all()
    link = search_link(wanted)
    if len(rows) > 1:
        raise InvalidInput(
            f"名称为“{wanted}”的企业不止一家，请填写其统一社会信用代码；可在 {link} 查找",
            f"more than one company is named {wanted!r}: give its unified social credit code; "
            f"search at {link}",
            field="company",
            value=wanted,
            search=link,
        )
    if not rows:
        raise NotFound(
            f"平台登记的企业中没有“{wanted}”：请填写被投诉企业的统一社会信用代码或登记的全称，"
            f"可在 {link} 按名称或代码查找",
            f"no registered company is {wanted!r}: give the company's unified social credit code "
            f"or its full registered name; search at {link}",
            field="company",
            value=wanted,
            search=link,
        )
    return rows[0]


def file(
    conn: sa.Connection,
    filing: Filing,
    uploads: list[files.Upload],
    *,
    rules: Rules,
    var_dir: Path,
    max_bytes: int,
    max_count: int,
    as_of: date,
    now: datetime,
) -> Filed:
    """File a complaint; refused (nothing saved) when a field, an evidence file or the company
    is wrong."""
    filing = _checked(filing, rules)
    checked = files.check(uploads, max_bytes=max_bytes, max_count=max_count)
    company = find_company(conn, filing.company)
    code = secrets.token_urlsafe(24)
    number = f"TS{as_of:%Y%m%d}{secrets.token_hex(4).upper()}"
    due = rules.triage_due(as_of)
    complaint_id = conn.execute(
        complaints.insert()
        .values(
            number=number,
            code_hash=code_hash(code),
            subject_id=company.id,
            company_name=company.name,
            company_code=company.uscc or company.reg_no or "",
            complainant=filing.complainant,
            phone=filing.phone,
            email=filing.email,
            category=filing.category,
            claim=filing.claim,
            facts=filing.facts,
            state=RECEIVED,
            received_on=as_of,
            triage_due=due,
            created_at=now,
            updated_at=now,
        )
        .returning(complaints.c.id)
    ).scalar_one()
    for f in checked:
        conn.execute(
            complaint_evidence.insert().values(
                complaint_id=complaint_id,
                file_name=f.file_name,
                media_type=f.media_type,
                size=f.size,
                sha256=f.sha256,
                created_at=now,
            )
        )
    audit.record(
        conn,
        actor="public",
        action="complaint.file",
        target=f"complaint:{complaint_id}",
        now=now,
        detail={"number": number, "subject": company.id, "evidence": [f.sha256 for f in checked]},
    )
    notify.queue(
        conn,
        filing.email,
        f"[公信] 投诉已收到 {number}",
        f"您对“{company.name}”的投诉已收到，投诉编号 {number}。信用投诉中心将于 {due.isoformat()} "
        f"前决定是否受理。请凭查询码查看进度。\n"
        f"Your complaint {number} was received; it will be triaged by {due.isoformat()}.",
        now=now,
    )
    if checked:
        files.store(var_dir, checked)
    return Filed(int(complaint_id), number, code, due, str(company.name))


def get(conn: sa.Connection, complaint_id: int) -> sa.Row[Any]:
    row = None
    if 1 <= complaint_id <= MAX_ID:
        row = conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).first()
    if row is None:
        raise NotFound(f"投诉 {complaint_id} 不存在", f"complaint {complaint_id} not found")
    return row


def by_code(conn: sa.Connection, code: str) -> sa.Row[Any]:
    """The complaint a 查询码 opens (the found hash compared again in constant time)."""
    wanted = code_hash(code.strip()[:100])
    row = conn.execute(sa.select(complaints).where(complaints.c.code_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.code_hash, wanted):
        raise NotFound("查询码无效或不存在", "unknown query code")
    return row


def evidence(conn: sa.Connection, complaint_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(complaint_evidence)
        .where(complaint_evidence.c.complaint_id == complaint_id)
        .order_by(complaint_evidence.c.id)
    ).all()
    return [{"file_name": r.file_name, "media_type": r.media_type, "size": r.size} for r in rows]


def state_of(row: Any) -> tuple[str, str]:
    """(zh, en) of the complaint's state; a late reply says so."""
    if row.state == REPLIED and row.reply_due and row.replied_on and row.replied_on > row.reply_due:
        return "企业逾期答复", "the company replied late"
    return STATES.get(row.state, (row.state, row.state))


def in_time(row: Any) -> bool | None:
    """Whether the company replied in time (None while the deadline has not passed)."""
    if row.replied_on is not None and row.reply_due is not None:
        return bool(row.replied_on <= row.reply_due)
    if row.state == OVERDUE:
        return False
    return None


def progress(row: Any, rules: Rules) -> dict[str, Any]:
    """What the complainant sees by 查询码: the steps, dates, reasons, the reply, the rating."""
    zh, en = state_of(row)
    reason = rules.refusal_reasons.get(row.refusal_reason or "")
    rating = rules.ratings.get(row.rating or "")
    category = rules.categories.get(row.category)
    return {
        "number": row.number,
        "company_name": row.company_name,
        "company_code": row.company_code,
        "category": row.category,
        "category_zh": category.zh if category else row.category,
        "state": row.state,
        "state_zh": zh,
        "state_en": en,
        "received_on": row.received_on,
        "triage_due": row.triage_due,
        "triaged_on": row.triaged_on,
        "refusal_reason": row.refusal_reason,
        "refusal_reason_zh": reason.zh if reason else None,
        "refusal_note": row.refusal_note,
        "reply_due": row.reply_due,
        "reply": row.reply,
        "replied_on": row.replied_on,
        "in_time": in_time(row),
        "rating": row.rating,
        "rating_zh": rating.zh if rating else None,
        "rated_on": row.rated_on,
        "may_rate": row.state in (REPLIED, OVERDUE) and row.rating is None,
    }
