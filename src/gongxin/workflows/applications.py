"""Objections (异议) and credit repair (信用修复) applications: filing, the 查询码, lookup, the
department's decision and what it does to the record.

States (docs/repair.md):

- repair: ``received`` → ``granted`` (准予: the record leaves public view and force from the
  decision date, a ``repair`` event in the change feed) | ``refused`` (不予, with reasons) |
  ``returned`` (补正一次性告知: everything missing listed in one notice; a new application may
  then be filed);
- objection: ``received`` (the record is marked 异议处理中 at once) → ``corrected`` (a new
  version through intake's validator and store) | ``withdrawn`` (the record is withdrawn) |
  ``upheld`` (维持, with reasons; the mark is lifted).

An application goes to the department that owns the record (``records.department_id``); it is
due the jurisdiction's working days after receipt (workflows/deadlines.py). Decisions are
written through ``records.decisions.set_status``: the gate stays the one place that decides
what each audience sees. Every step is in the audit log and queues e-mails (workflows/notify).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.models import departments, records, subjects
from gongxin.db.workflow_tables import applications, attachments
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.identity import departments as depts
from gongxin.records import decisions
from gongxin.records.gate import Audience
from gongxin.workflows import attachments as files
from gongxin.workflows import clockstops, notify
from gongxin.workflows.deadlines import Jurisdiction
from gongxin.workflows.eligibility import checklist

KINDS = {"repair": ("信用修复", "credit repair"), "objection": ("异议", "objection")}
OUTCOMES = {
    "repair": {"granted": "准予修复", "refused": "不予修复", "returned": "退回补正"},
    "objection": {"corrected": "更正", "withdrawn": "撤销记录", "upheld": "维持原记录"},
}
STATE_ZH = {"received": "已受理，处理中"} | OUTCOMES["repair"] | OUTCOMES["objection"]
OPEN = "received"


@dataclass(frozen=True)
class Filing:
    kind: str
    record_id: int
    applicant: str
    subject_code: str
    phone: str
    email: str
    statement: str
    commitment: bool = False  # 信用修复承诺书 given
    fulfilled: bool = False  # the penalty's obligations are fulfilled (declared)
    training: bool = False  # 专题培训 done or 信用报告 submitted (declared)


@dataclass(frozen=True)
class Filed:
    id: int
    number: str
    code: str  # the 查询码: shown once, only its hash is kept
    due_on: date


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


MAX_RECORD_ID = 2**63 - 1


def _clean(f: Filing) -> Filing:
    """Control characters (NUL above all, which PostgreSQL refuses in text) are dropped."""
    if not 1 <= f.record_id <= MAX_RECORD_ID:
        raise NotFound(f"记录 {f.record_id} 不存在", f"record {f.record_id} not found")
    return replace(
        f, applicant=_printable(f.applicant), subject_code=_printable(f.subject_code),
        phone=_printable(f.phone), email=_printable(f.email), statement=_printable(f.statement),
    )  # fmt: skip


def _printable(text: str) -> str:
    return "".join(ch for ch in str(text) if ch in "\n\t" or ch.isprintable())


def _required(f: Filing) -> None:
    for name, zh in (
        ("applicant", "申请人"),
        ("subject_code", "主体代码"),
        ("phone", "联系电话"),
        ("email", "电子邮箱"),
        ("statement", "申请事由"),
    ):
        value = str(getattr(f, name) or "").strip()
        if not value:
            raise InvalidInput(f"{zh}（{name}）不能为空", f"{name} is required", field=name)
    if "@" not in f.email or len(f.email) > 254:
        raise InvalidInput(
            f"电子邮箱“{f.email[:80]}”格式不正确",
            f"e-mail {f.email[:80]!r} is not valid",
            field="email",
            value=f.email[:80],
        )
    if f.kind not in KINDS:
        raise InvalidInput(f"未知申请类型 {f.kind[:20]}", f"unknown kind {f.kind[:20]!r}")


def public_record(conn: sa.Connection, record_id: int, as_of: date) -> Any:
    if not 1 <= record_id <= MAX_RECORD_ID:
        raise NotFound(f"记录 {record_id} 不存在或未公开", f"record {record_id} not found")
    row = conn.execute(
        sa.select(
            records.c.id,
            records.c.dataset,
            records.c.data,
            records.c.department_id,
            records.c.link_code,
            subjects.c.uscc,
            subjects.c.reg_no,
            sa.func.coalesce(subjects.c.name, records.c.subject_name).label("subject_name"),
        )
        .select_from(records.outerjoin(subjects, subjects.c.id == records.c.subject_id))
        .where(records.c.id == record_id, decisions.visible_now(Audience.PUBLIC, as_of))
    ).first()
    if row is None:
        raise NotFound(f"记录 {record_id} 不存在或未公开", f"record {record_id} not found")
    return row


def open_application(conn: sa.Connection, kind: str, record_id: int) -> str | None:
    return conn.execute(
        sa.select(applications.c.number).where(
            applications.c.kind == kind,
            applications.c.record_id == record_id,
            applications.c.state == OPEN,
        )
    ).scalar()


def file(
    conn: sa.Connection,
    catalog: Catalog,
    filing: Filing,
    uploads: list[files.Upload],
    *,
    rules: tuple[str, Jurisdiction],
    var_dir: Path,
    max_bytes: int,
    max_count: int,
    as_of: date,
    now: datetime,
) -> Filed:
    """File an application; refused (nothing saved) when a field, an attachment or a rule
    fails, or while another of the same kind is open for the record."""
    filing = _clean(filing)
    _required(filing)
    checked = files.check(uploads, max_bytes=max_bytes, max_count=max_count)
    rec = public_record(conn, filing.record_id, as_of)
    codes = {c for c in (rec.uscc, rec.reg_no, rec.link_code) if c}
    if filing.subject_code.strip().upper() not in codes:
        raise Forbidden(
            f"主体代码“{filing.subject_code[:40]}”与记录 {rec.id} 的主体不符",
            f"subject code {filing.subject_code[:40]!r} is not the subject of record {rec.id}",
            field="subject_code",
        )
    kind_zh = KINDS[filing.kind][0]
    found = open_application(conn, filing.kind, rec.id)
    if found is not None:
        raise Conflict(
            f"记录 {rec.id} 已有处理中的{kind_zh}申请 {found}，请等待其办结",
            f"record {rec.id} already has an open {filing.kind} application {found}",
            open=found,
        )
    key, jur = rules
    items: list[dict[str, Any]] = []
    if filing.kind == "repair":
        spec = catalog.get(rec.dataset)
        items = [i.to_dict() for i in checklist(spec, rec.data, filing, len(checked), jur, as_of)]
        _refuse_unmet(items)
    code = secrets.token_urlsafe(24)
    due = jur.due(filing.kind, as_of)
    number = (
        f"{'XF' if filing.kind == 'repair' else 'YY'}{as_of:%Y%m%d}{secrets.token_hex(4).upper()}"
    )
    app_id = conn.execute(
        applications.insert()
        .values(
            kind=filing.kind,
            number=number,
            code_hash=code_hash(code),
            record_id=rec.id,
            dataset=rec.dataset,
            department_id=rec.department_id,
            state=OPEN,
            applicant=filing.applicant.strip()[:200],
            subject_code=filing.subject_code.strip()[:32],
            phone=filing.phone.strip()[:40],
            email=filing.email.strip()[:254],
            statement=filing.statement.strip()[:5000],
            checklist=items,
            jurisdiction=key,
            received_on=as_of,
            due_on=due,
            created_at=now,
            updated_at=now,
        )
        .returning(applications.c.id)
    ).scalar_one()
    for f in checked:
        conn.execute(
            attachments.insert().values(
                application_id=app_id,
                file_name=f.file_name,
                media_type=f.media_type,
                size=f.size,
                sha256=f.sha256,
                created_at=now,
            )
        )
    if filing.kind == "objection":
        decisions.set_status(
            conn,
            catalog.get(rec.dataset),
            rec.id,
            "objection",
            as_of,
            now=now,
            by=f"objection:{app_id}",
        )
    audit.record(
        conn,
        actor="public",
        action=f"{filing.kind}.file",
        target=f"record:{rec.id}",
        now=now,
        department_id=rec.department_id,
        detail={"number": number, "attachments": [f.sha256 for f in checked]},
    )
    text = (
        f"您对记录 {rec.id}（{rec.subject_name}）的{kind_zh}申请已受理，受理编号 {number}，"
        f"办理期限至 {due.isoformat()}。请凭查询码查看进度。\n"
        f"Your {filing.kind} application {number} was received; due {due.isoformat()}."
    )
    notify.queue(
        conn,
        filing.email,
        f"[公信] {kind_zh}申请已受理 {number}",
        text,
        now=now,
        application_id=app_id,
    )
    clerk = depts_email(conn, rec.department_id)
    notify.queue(
        conn,
        clerk,
        f"[公信] 新{kind_zh}申请待办 {number}",
        f"记录 {rec.id} 收到{kind_zh}申请 {number}，请于 {due.isoformat()} 前办结。\n"
        f"New {filing.kind} application {number}, due {due.isoformat()}.",
        now=now,
        application_id=app_id,
    )
    if checked:
        files.store(var_dir, checked)
    return Filed(app_id, number, code, due)


def depts_email(conn: sa.Connection, department_id: int) -> str | None:
    found = conn.execute(
        sa.select(departments.c.notify_email).where(departments.c.id == department_id)
    ).scalar()
    return str(found) if found else None


def _refuse_unmet(items: list[dict[str, Any]]) -> None:
    unmet = [i for i in items if not i["ok"]]
    if not unmet:
        return
    first = unmet[0]
    raise InvalidInput(
        "；".join(f"{i['zh']}：{i['detail_zh']}" for i in unmet),
        "; ".join(f"{i['en']}: {i['detail_en']}" for i in unmet),
        rule=first["key"],
        checklist=items,
        **({"from": first["from"]} if first.get("from") else {}),
    )


def lookup(conn: sa.Connection, code: str) -> dict[str, Any]:
    """The application a 查询码 opens (only its hash is stored; the found hash is compared
    again in constant time). Unknown codes → NotFound, whatever their shape."""
    wanted = code_hash(code.strip()[:100])
    row = conn.execute(sa.select(applications).where(applications.c.code_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.code_hash, wanted):
        raise NotFound("查询码无效或不存在", "unknown query code")
    return summary(row)


def summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "kind_zh": KINDS[row.kind][0],
        "record_id": row.record_id,
        "dataset": row.dataset,
        "state": row.state,
        "state_zh": STATE_ZH.get(row.state, row.state),
        "received_on": row.received_on,
        "due_on": row.due_on,
        "decided_on": row.decided_on,
        "outcome": row.outcome,
        "reasons": row.reasons,
        "department_id": row.department_id,
        "extended_days": row.extended_days,
        "extension_reason": row.extension_reason,
        "paused_since": row.paused_since,
        "pause_kind": row.pause_kind,
        "pause_reason": row.pause_reason,
        "paused_days": row.paused_days,
    }


def get(conn: sa.Connection, app_id: int) -> sa.Row[Any]:
    row = None
    if 1 <= app_id <= MAX_RECORD_ID:
        row = conn.execute(sa.select(applications).where(applications.c.id == app_id)).first()
    if row is None:
        raise NotFound(f"申请 {app_id} 不存在", f"application {app_id} not found")
    return row


def decide(
    conn: sa.Connection,
    catalog: Catalog,
    app_id: int,
    outcome: str,
    reasons: str,
    *,
    actor: str,
    department_id: int | None,
    as_of: date,
    now: datetime,
    corrected: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The department's decision (``department_id`` None: the credit centre, which may decide
    any application). Only an open application may be decided; reasons are required."""
    row = clockstops.locked(conn, app_id, department_id)
    allowed = OUTCOMES[row.kind]
    if outcome not in allowed:
        raise InvalidInput(
            f"{KINDS[row.kind][0]}申请的处理结果只能是：{'、'.join(allowed)}；收到“{outcome[:20]}”",
            f"outcome of a {row.kind} must be one of {', '.join(allowed)}, not {outcome[:20]!r}",
            field="outcome",
        )
    if row.state != OPEN:
        raise Conflict(
            f"申请 {row.number} 已办结（{STATE_ZH.get(row.state, row.state)}），不能再次处理",
            f"application {row.number} is already decided ({row.state})",
        )
    if not reasons.strip():
        raise InvalidInput("处理理由（reasons）不能为空", "reasons are required", field="reasons")
    clockstops.close_pause(conn, row, as_of, now=now)  # a pause ends with the decision
    spec = catalog.get(row.dataset)
    by = f"{row.kind}:{row.id}"
    if outcome == "granted":
        decisions.set_status(conn, spec, row.record_id, "repaired", as_of, now=now, by=by)
    elif outcome == "withdrawn":
        decisions.set_status(conn, spec, row.record_id, "withdrawn", as_of, now=now, by=by)
    elif outcome == "upheld":
        decisions.set_status(conn, spec, row.record_id, "in_force", as_of, now=now, by=by)
    elif outcome == "corrected":
        _correct(conn, catalog, row, corrected or {}, as_of=as_of, now=now)
    conn.execute(
        applications.update()
        .where(applications.c.id == app_id)
        .values(
            state=outcome,
            outcome=outcome,
            reasons=reasons.strip()[:5000],
            decided_on=as_of,
            decided_by=actor[:200],
            updated_at=now,
        )
    )
    audit.record(
        conn,
        actor=actor,
        action=f"{row.kind}.decide",
        target=f"record:{row.record_id}",
        now=now,
        department_id=row.department_id,
        detail={"number": row.number, "outcome": outcome, "reasons": reasons[:500]},
    )
    zh = allowed[outcome]
    notify.queue(
        conn,
        row.email,
        f"[公信] {KINDS[row.kind][0]}申请 {row.number} 已办结：{zh}",
        f"申请 {row.number} 的处理结果：{zh}。理由：{reasons.strip()}\n"
        f"Application {row.number}: {outcome}. Reasons: {reasons.strip()}",
        now=now,
        application_id=row.id,
    )
    return summary(get(conn, app_id))


def _correct(
    conn: sa.Connection,
    catalog: Catalog,
    row: Any,
    changes: dict[str, Any],
    *,
    as_of: date,
    now: datetime,
) -> None:
    """A corrected version through intake's validator and store (history kept)."""
    from gongxin.records.gate import STATUS_KEY, STATUS_ON_KEY
    from gongxin.workflows.submission import check_row, store_row

    if not changes:
        raise InvalidInput(
            "更正须给出更正后的字段值（corrected）",
            "a correction needs the corrected fields",
            field="corrected",
        )
    spec = catalog.get(row.dataset)
    current = conn.execute(sa.select(records.c.data).where(records.c.id == row.record_id)).scalar()
    data = {k: v for k, v in dict(current or {}).items() if k not in (STATUS_KEY, STATUS_ON_KEY)}
    known = {f.code for f in spec.fields}
    unknown = [k for k in changes if k not in known]
    if unknown:
        raise InvalidInput(f"未知字段 {unknown[0][:40]}", f"unknown field {unknown[0][:40]!r}")
    data.update(changes)
    pending = check_row(catalog, spec, data, now)
    owner = depts.by_id(conn, row.department_id)
    stored = store_row(conn, spec, pending, owner, now=now, label=f"objection-{row.number}")
    if stored.record_id != row.record_id:  # the key changed: the old record is wrong
        decisions.set_status(
            conn, spec, row.record_id, "withdrawn", as_of, now=now, by=f"objection:{row.id}"
        )
    else:
        has_mark = conn.execute(
            sa.select(records.c.status).where(records.c.id == row.record_id)
        ).scalar()
        if has_mark == "objection":  # same content: only the mark changes
            decisions.set_status(
                conn, spec, row.record_id, "in_force", as_of, now=now, by=f"objection:{row.id}"
            )
