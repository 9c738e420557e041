"""Conditional-sharing requests (共享申请): a department asks, the provider answers in time.

国发〔2016〕51号: a user department applies for 有条件共享 data stating its purpose; the provider
answers within 10 working days (GONGXIN_EXCHANGE_REPLY_WORKING_DAYS, 调休 included, counted
from the day of submission, China time); a refusal gives reasons. Approval makes a grant for
the requested fields and period. A request is ``pending``, then ``approved`` or ``refused``;
an approved one is shown ``expired`` once its period has ended. A pending request past its
deadline is flagged ``overdue``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa

from gongxin import clock
from gongxin.audit import log as audit
from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import grants as grant_table
from gongxin.db.exchange_tables import share_requests
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.exchange import grants
from gongxin.identity import departments
from gongxin.identity.departments import Department

Side = Literal["mine", "to_decide", "all"]
STATUS_NAMES = {
    "pending": "待答复",
    "approved": "已同意",
    "refused": "已拒绝",
    "expired": "已到期",
}


@dataclass(frozen=True)
class Request:
    id: int
    department: Department
    dataset: str
    purpose: str
    fields: list[str]
    period_start: date
    period_end: date
    stored_status: str
    submitted_at: datetime
    submitted_by: str
    deadline: date
    decided_at: datetime | None
    decided_by: str | None
    reasons: str | None
    grant_id: int | None

    def status(self, as_of: date) -> str:
        if self.stored_status == "approved" and self.period_end < as_of:
            return "expired"
        return self.stored_status

    def overdue(self, as_of: date) -> bool:
        """Still unanswered after its deadline (the last working day allowed)."""
        return self.stored_status == "pending" and as_of > self.deadline

    def to_dict(self, as_of: date) -> dict[str, Any]:
        status = self.status(as_of)
        return {
            "id": self.id,
            "department": self.department.name,
            "dataset": self.dataset,
            "purpose": self.purpose,
            "fields": self.fields,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "status": status,
            "status_name": STATUS_NAMES[status],
            "submitted_at": self.submitted_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "overdue": self.overdue(as_of),
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decided_by": self.decided_by,
            "reasons": self.reasons,
            "grant_id": self.grant_id,
        }


def _load(conn: sa.Connection, where: Sequence[sa.ColumnElement[bool]]) -> list[Request]:
    query = (
        sa.select(share_requests, grant_table.c.id.label("grant_id"))
        .outerjoin(grant_table, grant_table.c.request_id == share_requests.c.id)
        .where(*where)
        .order_by(share_requests.c.id.desc())
    )
    depts = {d.id: d for d in departments.all_departments(conn)}
    out = []
    for row in conn.execute(query):
        m = row._mapping
        out.append(
            Request(
                m["id"],
                depts[m["department_id"]],
                m["dataset"],
                m["purpose"],
                list(m["fields"]),
                m["period_start"],
                m["period_end"],
                m["status"],
                m["submitted_at"],
                m["submitted_by"],
                m["deadline"],
                m["decided_at"],
                m["decided_by"],
                m["reasons"],
                m["grant_id"],
            )
        )
    return out


def get(conn: sa.Connection, request_id: int) -> Request:
    found = _load(conn, [share_requests.c.id == request_id])
    if not found:
        raise NotFound(f"共享申请 {request_id} 不存在", f"no sharing request {request_id}")
    return found[0]


def submit(
    conn: sa.Connection,
    catalog: Catalog,
    department: Department,
    *,
    dataset: str,
    purpose: str,
    fields: Sequence[str],
    period_start: date,
    period_end: date,
    now: datetime,
    reply_days: int,
    actor: str,
) -> Request:
    """File a request for 有条件共享 data; audited. The deadline counts working days."""
    spec = catalog.get(dataset)
    if spec.share_type == "不予":
        raise InvalidInput(
            grants.not_shared(spec) + "，不能申请",
            f"dataset {dataset} is not shared and cannot be requested",
            legal_basis=grants.share_basis(spec),
            field="dataset",
        )
    if spec.share_type == "无条件":
        raise InvalidInput(
            f"数据集 {dataset}（{spec.name}）为无条件共享，各部门无需申请即可直接读取",
            f"dataset {dataset} is shared unconditionally: read it without a request",
            field="dataset",
        )
    codes = grants.check_fields(spec, fields)
    purpose = purpose.strip()
    if not purpose:
        raise InvalidInput("请写明用途", "state the purpose of the request", field="purpose")
    if len(purpose) > 2000:
        raise InvalidInput(
            "用途过长（最多 2000 字）",
            "the purpose is longer than 2000 characters",
            field="purpose",
        )
    today = clock.local_date(now)
    if period_end < period_start:
        raise InvalidInput(
            f"使用期限的结束日 {period_end.isoformat()} 早于开始日 {period_start.isoformat()}",
            "the period ends before it starts",
            field="period_end",
        )
    if period_end < today:
        raise InvalidInput(
            f"使用期限已于 {period_end.isoformat()} 结束",
            "the period has already ended",
            field="period_end",
        )
    if department.kind == "centre":
        raise InvalidInput("信用中心无需申请", "the credit centre reads every dataset")
    deadline = clock.add_working_days(today, reply_days)
    rid = conn.execute(
        share_requests.insert()
        .values(
            department_id=department.id,
            dataset=dataset,
            purpose=purpose,
            fields=codes,
            period_start=period_start,
            period_end=period_end,
            status="pending",
            submitted_at=now,
            submitted_by=actor,
            deadline=deadline,
        )
        .returning(share_requests.c.id)
    ).scalar_one()
    audit.record(
        conn,
        actor=actor,
        action="exchange.request.submit",
        target=f"request:{rid} dataset:{dataset}",
        now=now,
        department_id=department.id,
        purpose=purpose,
        detail={"fields": codes, "period": [period_start.isoformat(), period_end.isoformat()]},
    )
    return get(conn, int(rid))


class DecisionRefused(Forbidden):
    """A department tried to answer a request it may not answer: its own, or one for a dataset
    it is not the assigned provider of. :func:`decide` audits the attempt."""

    code = "not_the_decider"

    def __init__(self, zh: str, en: str, *, request: Request, decider: Department, rule: str):
        super().__init__(zh, en, rule=rule, request=request.id, dataset=request.dataset)
        self.request = request
        self.decider = decider
        self.rule = rule


def _decidable(conn: sa.Connection, request_id: int, decider: Department) -> Request:
    request = get(conn, request_id)
    if request.department.id == decider.id:
        raise DecisionRefused(
            f"共享申请 {request_id} 是本部门（{decider.name}）提出的，不能由本部门自己答复；"
            "请等待数据集的提供部门或信用中心答复",
            f"sharing request {request_id} was filed by your own department: nobody decides "
            "their own request; the dataset's provider or the credit centre answers it",
            request=request,
            decider=decider,
            rule="own_request",
        )
    if not providers.may_decide(conn, decider, request.dataset):
        assigned = [p.name for p in providers.providers_of(conn, request.dataset)]
        names = "、".join(assigned) or "尚未指定"
        raise DecisionRefused(
            f"部门“{decider.name}”不是数据集 {request.dataset} 的指定提供部门（{names}），"
            "不能答复此申请；提供部门由信用中心指定",
            f"{decider.name!r} is not an assigned provider of {request.dataset} "
            f"({', '.join(assigned) or 'none assigned'}) and may not answer this request; "
            "the credit centre assigns providers",
            request=request,
            decider=decider,
            rule="not_provider",
        )
    if request.stored_status != "pending":
        raise Conflict(
            f"共享申请 {request_id} 已答复（{STATUS_NAMES[request.stored_status]}）",
            f"sharing request {request_id} was already answered ({request.stored_status})",
        )
    return request


def approve(
    conn: sa.Connection,
    request_id: int,
    decider: Department,
    *,
    now: datetime,
    actor: str,
    note: str | None = None,
) -> Request:
    """The provider agrees: a grant for the requested fields and period; audited."""
    request = _decidable(conn, request_id, decider)
    conn.execute(
        share_requests.update()
        .where(share_requests.c.id == request_id)
        .values(
            status="approved",
            decided_at=now,
            decided_by=actor,
            decided_department_id=decider.id,
            reasons=(note or "").strip() or None,
        )
    )
    grant = grants.create(
        conn,
        department_id=request.department.id,
        dataset=request.dataset,
        fields=request.fields,
        valid_from=request.period_start,
        valid_until=request.period_end,
        now=now,
        purpose=request.purpose,
        request_id=request_id,
    )
    audit.record(
        conn,
        actor=actor,
        action="exchange.request.approve",
        target=f"request:{request_id} dataset:{request.dataset}",
        now=now,
        department_id=decider.id,
        purpose=request.purpose,
        detail={"grant": grant.id, "to": request.department.name, "fields": request.fields},
    )
    return get(conn, request_id)


def refuse(
    conn: sa.Connection,
    request_id: int,
    decider: Department,
    *,
    reasons: str,
    now: datetime,
    actor: str,
) -> Request:
    """The provider refuses, giving its reasons (required); audited."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise InvalidInput("拒绝共享申请必须说明理由", "a refusal must give its reasons")
    request = _decidable(conn, request_id, decider)
    conn.execute(
        share_requests.update()
        .where(share_requests.c.id == request_id)
        .values(
            status="refused",
            decided_at=now,
            decided_by=actor,
            decided_department_id=decider.id,
            reasons=reasons,
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="exchange.request.refuse",
        target=f"request:{request_id} dataset:{request.dataset}",
        now=now,
        department_id=decider.id,
        purpose=request.purpose,
        detail={"to": request.department.name, "reasons": reasons},
    )
    return get(conn, request_id)


def decide(
    engine: sa.Engine,
    decision: Callable[[sa.Connection], Request],
    *,
    now: datetime,
    actor: str,
) -> Request:
    """Run ``decision`` (an :func:`approve` or :func:`refuse` call) in a transaction of its own.

    A decision refused because the decider may not answer the request (its own request, or a
    dataset it does not provide) rolls back, is recorded in the audit log in a transaction of
    its own, and is raised (403). API, back office and CLI decide through here.
    """
    try:
        with engine.begin() as conn:
            return decision(conn)
    except DecisionRefused as exc:
        with engine.begin() as conn:
            audit.record(
                conn,
                actor=actor,
                action="exchange.request.decision_refused",
                target=f"request:{exc.request.id} dataset:{exc.request.dataset}",
                now=now,
                department_id=exc.decider.id,
                purpose=exc.request.purpose,
                detail={"rule": exc.rule, "requester": exc.request.department.name},
            )
        raise


def listing(
    conn: sa.Connection, catalog: Catalog, department: Department, side: Side
) -> list[Request]:
    """The department's own requests (``mine``), those it must answer (``to_decide``: requests
    for datasets it provides; every request for the centre), or ``all`` (the centre only)."""
    if side == "mine":
        return _load(conn, [share_requests.c.department_id == department.id])
    if side == "all" or department.kind == "centre":
        if department.kind != "centre":
            raise Forbidden("只有信用中心可以查看全部申请", "only the credit centre sees all")
        return _load(conn, [])
    provided = providers.provided_by(conn, department, catalog)
    return _load(conn, [share_requests.c.dataset.in_(provided)]) if provided else []


def pending(conn: sa.Connection) -> list[Request]:
    """Every unanswered request, whoever provides its dataset (the centre's overview; the
    centre may answer each in its provider's stead)."""
    return _load(conn, [share_requests.c.status == "pending"])


def visible_to(conn: sa.Connection, request: Request, department: Department) -> bool:
    """The requester, a provider of the dataset and the centre may read a request."""
    return request.department.id == department.id or providers.may_decide(
        conn, department, request.dataset
    )
