"""Who provides a dataset (信息资源提供方), and so who answers requests for it.

Providers are assigned explicitly by the credit centre, which keeps the catalog
(``gongxin exchange provider set``, ``POST /api/v1/exchange/providers``); they are never
inferred from who submitted records. A dataset without an assignment has no provider: only the
credit centre answers its requests. The credit centre may always decide in a provider's stead.
A dataset whose spec says ``writers: providers`` (the register) is written only by them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import dataset_providers
from gongxin.errors import Forbidden
from gongxin.identity import departments
from gongxin.identity.departments import Department


def providers_of(conn: sa.Connection, dataset: str) -> list[Department]:
    """The provider departments the credit centre assigned to ``dataset`` (none: none)."""
    assigned = conn.execute(
        sa.select(dataset_providers.c.department_id).where(dataset_providers.c.dataset == dataset)
    ).scalars()
    return [departments.by_id(conn, i) for i in sorted(set(assigned))]


def _centre_only(by: Department | None) -> None:
    """Only the credit centre (or the operator's CLI, ``by`` None) assigns providers."""
    if by is not None and by.kind != "centre":
        raise Forbidden(
            f"只有信用中心可以指定数据集的提供部门，“{by.name}”不能指定",
            f"only the credit centre assigns providers; {by.name!r} may not",
            rule="centre_assigns_providers",
        )


def may_decide(conn: sa.Connection, department: Department, dataset: str) -> bool:
    """Whether ``department`` answers requests for ``dataset`` (a provider, or the centre)."""
    if department.kind == "centre":
        return True
    return any(p.id == department.id for p in providers_of(conn, dataset))


def provided_by(conn: sa.Connection, department: Department, catalog: Catalog) -> list[str]:
    """Codes of the datasets ``department`` provides."""
    return [
        s.code for s in catalog if any(p.id == department.id for p in providers_of(conn, s.code))
    ]


def assign(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    department: str,
    *,
    now: datetime,
    actor: str = "cli",
    by: Department | None = None,
) -> Department:
    """Make ``department`` a provider of ``dataset`` (idempotent); audited. ``by``: the
    department asking (API, back office): only the credit centre may."""
    _centre_only(by)
    catalog.get(dataset)
    dept = departments.get(conn, department)
    exists = conn.execute(
        sa.select(dataset_providers.c.dataset).where(
            dataset_providers.c.dataset == dataset, dataset_providers.c.department_id == dept.id
        )
    ).first()
    if exists is None:
        conn.execute(
            dataset_providers.insert().values(
                dataset=dataset, department_id=dept.id, assigned_at=now, assigned_by=actor
            )
        )
        audit.record(
            conn,
            actor=actor,
            action="exchange.provider.assign",
            target=f"dataset:{dataset}",
            now=now,
            department_id=dept.id,
            detail={"department": dept.name},
        )
    return dept


def unassign(
    conn: sa.Connection,
    dataset: str,
    department: str,
    *,
    now: datetime,
    actor: str = "cli",
    by: Department | None = None,
) -> None:
    """Withdraw an assignment; audited. ``by``: as for :func:`assign`."""
    _centre_only(by)
    dept = departments.get(conn, department)
    conn.execute(
        dataset_providers.delete().where(
            dataset_providers.c.dataset == dataset, dataset_providers.c.department_id == dept.id
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="exchange.provider.unassign",
        target=f"dataset:{dataset}",
        now=now,
        department_id=dept.id,
        detail={"department": dept.name},
    )
