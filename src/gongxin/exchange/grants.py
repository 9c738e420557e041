"""Grants: which department may read which dataset, which fields, from when until when.

国发〔2016〕51号: 无条件共享 data is read by every department at once (all fields); 有条件共享 data
only through a grant, made when its provider approves a request (gongxin.exchange.sharing_requests);
不予共享 data by nobody. ``access`` is the one check every exchange read goes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import grants
from gongxin.errors import Forbidden, InvalidInput, NotFound
from gongxin.identity.departments import Department

HOW_TO_REQUEST = "POST /api/v1/exchange/requests"


@dataclass(frozen=True)
class Grant:
    id: int
    department_id: int
    dataset: str
    fields: list[str] | None  # None: every field
    purpose: str | None
    valid_from: date
    valid_until: date | None  # the last day of use
    request_id: int | None
    created_at: datetime
    revoked_at: datetime | None

    def active_on(self, day: date) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "fields": self.fields,
            "purpose": self.purpose,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "request_id": self.request_id,
            "revoked": self.revoked_at is not None,
        }


@dataclass(frozen=True)
class Access:
    """What a department may read of a dataset today, and on what ground."""

    spec: DatasetSpec
    fields: list[str] | None  # None: every field
    basis: str  # unconditional | grant | centre
    purpose: str | None  # the grant's stated purpose, the default purpose of its reads
    grant_ids: tuple[int, ...] = ()

    def cut(self, data: dict[str, object]) -> dict[str, object]:
        """The record cut to the granted fields (each present, null when the record has none)."""
        if self.fields is None:
            return data
        return {code: data.get(code) for code in self.fields}


def _of(row: sa.Row[object]) -> Grant:
    m = row._mapping
    return Grant(
        m["id"],
        m["department_id"],
        m["dataset"],
        m["fields"],
        m["purpose"],
        m["valid_from"],
        m["valid_until"],
        m["request_id"],
        m["created_at"],
        m["revoked_at"],
    )


def field_codes(spec: DatasetSpec) -> list[str]:
    return [f.code for f in spec.fields]


def check_fields(spec: DatasetSpec, fields: Iterable[str]) -> list[str]:
    """The field codes, deduplicated in the catalog's order; unknown ones refused by name."""
    wanted = [f.strip() for f in fields if f.strip()]
    known = field_codes(spec)
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise InvalidInput(
            f"数据集 {spec.code}（{spec.name}）没有这些字段：{'、'.join(unknown)}；"
            f"可用字段：{'、'.join(known)}",
            f"dataset {spec.code} has no fields {', '.join(unknown)}",
            unknown=unknown,
            known=known,
            field="fields",
        )
    if not wanted:
        raise InvalidInput(
            "请至少申请一个字段", "request at least one field", known=known, field="fields"
        )
    return [code for code in known if code in set(wanted)]


def share_basis(spec: DatasetSpec) -> str:
    """The basis a 有条件/不予 classification cites: the catalog's share basis, else the
    dataset's legal basis."""
    basis = spec.resource.share_basis if spec.resource is not None else None
    return (basis or "").strip() or spec.legal_basis


def not_shared(spec: DatasetSpec) -> str:
    return f"数据集 {spec.code}（{spec.name}）为不予共享，依据：{share_basis(spec)}"


def create(
    conn: sa.Connection,
    *,
    department_id: int,
    dataset: str,
    fields: list[str] | None,
    valid_from: date,
    valid_until: date | None,
    now: datetime,
    purpose: str | None = None,
    request_id: int | None = None,
) -> Grant:
    gid = conn.execute(
        grants.insert()
        .values(
            department_id=department_id,
            dataset=dataset,
            fields=fields,
            purpose=purpose,
            valid_from=valid_from,
            valid_until=valid_until,
            request_id=request_id,
            created_at=now,
        )
        .returning(grants.c.id)
    ).scalar_one()
    return get(conn, int(gid))


def get(conn: sa.Connection, grant_id: int) -> Grant:
    row = conn.execute(sa.select(grants).where(grants.c.id == grant_id)).first()
    if row is None:
        raise NotFound(f"授权 {grant_id} 不存在", f"no grant {grant_id}")
    return _of(row)


def of_department(
    conn: sa.Connection, department_id: int, dataset: str | None = None
) -> list[Grant]:
    query = sa.select(grants).where(grants.c.department_id == department_id)
    if dataset is not None:
        query = query.where(grants.c.dataset == dataset)
    return [_of(r) for r in conn.execute(query.order_by(grants.c.id))]


def revoke(conn: sa.Connection, grant_id: int, *, now: datetime, actor: str = "cli") -> Grant:
    """End a grant at once (the provider or the centre withdrew it); audited."""
    grant = get(conn, grant_id)
    conn.execute(grants.update().where(grants.c.id == grant_id).values(revoked_at=now))
    audit.record(
        conn,
        actor=actor,
        action="exchange.grant.revoke",
        target=f"grant:{grant_id}",
        now=now,
        department_id=grant.department_id,
        detail={"dataset": grant.dataset},
    )
    return get(conn, grant_id)


def access(
    conn: sa.Connection, catalog: Catalog, department: Department, dataset: str, as_of: date
) -> Access:
    """What ``department`` may read of ``dataset`` on ``as_of``.

    404 for a dataset not in the catalog, 403 for 不予共享 data and for 有条件共享 data without an
    active grant (the message says how to request one).
    """
    spec = catalog.get(dataset)
    if spec.share_type == "不予":
        raise Forbidden(not_shared(spec), f"dataset {dataset} is not shared", dataset=dataset)
    if department.kind == "centre":
        return Access(spec, None, "centre", None)
    if spec.share_type == "无条件":
        return Access(spec, None, "unconditional", None)
    active = [g for g in of_department(conn, department.id, dataset) if g.active_on(as_of)]
    if not active:
        raise Forbidden(
            f"数据集 {dataset}（{spec.name}）为有条件共享，"
            f"本部门在 {as_of.isoformat()} 没有有效授权；"
            f"请先提交共享申请（{HOW_TO_REQUEST}，写明用途、字段和期限），经提供部门同意后读取",
            f"dataset {dataset} is shared on conditions and your department holds no grant valid "
            f"on {as_of.isoformat()}: request one with {HOW_TO_REQUEST}",
            dataset=dataset,
            how_to_request=HOW_TO_REQUEST,
        )
    if any(g.fields is None for g in active):
        fields: list[str] | None = None
    else:
        union = {f for g in active for f in g.fields or []}
        fields = [code for code in field_codes(spec) if code in union]
    latest = max(active, key=lambda g: g.id)
    return Access(spec, fields, "grant", latest.purpose, tuple(g.id for g in active))
