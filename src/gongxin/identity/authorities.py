"""The authorities a department may file records for (代为报送的机关), set by the credit centre.

A record names the authority that decided it (处罚机关, 许可机关, 作出决定机关 …; the dataset's
``authority_field``). A department files under its own name and under the names the credit
centre assigned to it here, e.g. 市市场监督管理局 for its district bureaus. A row naming any
other authority is refused (gongxin.intake.ownership).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import department_authorities
from gongxin.errors import InvalidInput
from gongxin.identity import departments
from gongxin.identity.departments import Department

MAX_NAME = 200


def names_of(conn: sa.Connection, department: Department) -> frozenset[str]:
    """The authority names ``department`` may file for: its own and those assigned to it."""
    assigned = conn.execute(
        sa.select(department_authorities.c.authority).where(
            department_authorities.c.department_id == department.id
        )
    ).scalars()
    return frozenset({department.name, *assigned})


def assigned(conn: sa.Connection, department: str) -> list[str]:
    """The names assigned to ``department`` (its own name not included), sorted."""
    dept = departments.get(conn, department)
    return sorted(names_of(conn, dept) - {dept.name})


def _clean(authority: str) -> str:
    name = authority.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            f"机关名称“{name[:20]}”无效：须为 1 至 {MAX_NAME} 个字",
            f"authority name {name[:20]!r} is invalid: 1 to {MAX_NAME} characters",
            field="authority",
            value=name[:50],
        )
    return name


def add(
    conn: sa.Connection,
    department: str,
    authorities: list[str],
    *,
    now: datetime,
    actor: str = "cli",
) -> list[str]:
    """Let ``department`` file records in the name of ``authorities`` (idempotent); audited.
    Returns the names newly added."""
    dept = departments.get(conn, department)
    have = names_of(conn, dept)
    added: list[str] = []
    for name in dict.fromkeys(_clean(a) for a in authorities):
        if name in have:
            continue
        conn.execute(
            department_authorities.insert().values(
                department_id=dept.id, authority=name, assigned_at=now, assigned_by=actor
            )
        )
        added.append(name)
    if added:
        audit.record(
            conn,
            actor=actor,
            action="intake.authority.assign",
            target=f"department:{dept.id}",
            now=now,
            department_id=dept.id,
            detail={"department": dept.name, "authorities": added},
        )
    return added


def remove(
    conn: sa.Connection,
    department: str,
    authorities: list[str],
    *,
    now: datetime,
    actor: str = "cli",
) -> int:
    """Withdraw authority names from ``department``; audited. Returns how many were removed."""
    dept = departments.get(conn, department)
    names = [a.strip() for a in authorities]
    gone = conn.execute(
        department_authorities.delete().where(
            department_authorities.c.department_id == dept.id,
            department_authorities.c.authority.in_(names),
        )
    ).rowcount
    audit.record(
        conn,
        actor=actor,
        action="intake.authority.remove",
        target=f"department:{dept.id}",
        now=now,
        department_id=dept.id,
        detail={"department": dept.name, "authorities": names},
    )
    return max(gone, 0)
