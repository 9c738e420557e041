"""Who provides a dataset (信息资源提供方), and so who answers requests for it.

The credit centre assigns providers explicitly (``gongxin exchange provider set``). A dataset
without an assignment is provided by the departments that submitted its records. The credit
centre may always decide in a provider's stead.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import dataset_providers
from gongxin.db.models import submissions
from gongxin.identity import departments
from gongxin.identity.departments import Department


def providers_of(conn: sa.Connection, dataset: str) -> list[Department]:
    """The provider departments of ``dataset``: the assigned ones, else its submitters."""
    assigned = conn.execute(
        sa.select(dataset_providers.c.department_id).where(dataset_providers.c.dataset == dataset)
    ).scalars()
    ids = sorted(set(assigned))
    if not ids:
        ids = sorted(
            set(
                conn.execute(
                    sa.select(submissions.c.department_id)
                    .where(submissions.c.dataset == dataset)
                    .distinct()
                ).scalars()
            )
        )
    return [departments.by_id(conn, i) for i in ids]


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
) -> Department:
    """Make ``department`` a provider of ``dataset`` (idempotent); audited."""
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
    conn: sa.Connection, dataset: str, department: str, *, now: datetime, actor: str = "cli"
) -> None:
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
