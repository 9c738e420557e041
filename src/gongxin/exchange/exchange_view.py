"""What a department reads through the exchange: its datasets, records and changes, audited.

Every read checks the caller's access (gongxin.exchange.grants), shows each record as the
visibility gate shows it to the DEPARTMENT audience, cut to the granted fields, and appends an
audit entry (who, what, when, purpose) in the same transaction. The purpose is the one the
caller states (``X-Purpose`` header or ``purpose`` parameter), else the grant's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.audit import log as audit
from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.errors import Forbidden, InvalidInput
from gongxin.exchange import changefeed, grants
from gongxin.exchange.sharing_requests import Request, listing
from gongxin.identity import instance_secrets
from gongxin.identity.departments import Department
from gongxin.records import gate
from gongxin.records.gate import Audience

SHARE_NAMES = {"无条件": "无条件共享", "有条件": "有条件共享", "不予": "不予共享"}


@dataclass(frozen=True)
class Caller:
    department: Department
    actor: str  # key:<prefix> | user:<name> | cli


def _purpose(stated: str | None, access: grants.Access) -> str | None:
    text = (stated or "").strip()
    if len(text) > 500:
        raise InvalidInput("用途过长（最多 500 字）", "the purpose is longer than 500 characters")
    return text or access.purpose


def datasets(
    conn: sa.Connection, catalog: Catalog, department: Department, as_of: date
) -> list[dict[str, Any]]:
    """Every dataset of the catalog with what ``department`` may do with it today."""
    mine = listing(conn, catalog, department, "mine") if department.kind != "centre" else []
    pending: dict[str, Request] = {}
    for r in mine:
        if r.stored_status == "pending":
            pending.setdefault(r.dataset, r)
    out = []
    for spec in catalog:
        entry: dict[str, Any] = {
            "code": spec.code,
            "name": spec.name,
            "share_type": spec.share_type,
            "share_name": SHARE_NAMES[spec.share_type],
            "publicity_scope": spec.publicity_scope,
            "legal_basis": spec.legal_basis,
            "update_cycle": spec.update_cycle,
            "providers": [p.name for p in providers.providers_of(conn, spec.code)],
            "fields": [{"code": f.code, "name": f.name} for f in spec.fields],
        }
        try:
            access = grants.access(conn, catalog, department, spec.code, as_of)
        except Forbidden as exc:
            entry |= {"readable": False, "granted_fields": [], "how": exc.zh}
            if spec.share_type == "有条件" and spec.code in pending:
                entry["pending_request"] = pending[spec.code].id
        else:
            entry |= {
                "readable": True,
                "granted_fields": access.fields or [f.code for f in spec.fields],
                "how": f"GET /api/v1/exchange/{spec.code}/records 或 /changes",
                "grants": list(access.grant_ids),
            }
        out.append(entry)
    return out


def read_records(
    conn: sa.Connection,
    catalog: Catalog,
    caller: Caller,
    dataset: str,
    *,
    page: int,
    size: int,
    since: datetime | None,
    until: datetime | None,
    now: datetime,
    purpose: str | None = None,
) -> dict[str, Any]:
    """One page of the dataset's records (by id, updated in [since, until)), as the caller may
    see them: records not shared with departments (withdrawn …) are left out in SQL, on the
    decision stored with each record."""
    as_of = clock.local_date(now)
    access = grants.access(conn, catalog, caller.department, dataset, as_of)
    spec = access.spec
    where = ["dataset = :d", "is_shared = :shared"]
    params: dict[str, Any] = {"d": dataset, "shared": True, "n": size + 1, "o": (page - 1) * size}
    if since is not None:
        where.append("updated_at >= :since")
        params["since"] = dialect.timestamp_text(conn, since) if dialect.is_sqlite(conn) else since
    if until is not None:
        where.append("updated_at < :until")
        params["until"] = dialect.timestamp_text(conn, until) if dialect.is_sqlite(conn) else until
    rows = conn.execute(
        sa.text(
            "SELECT id, version, updated_at, data FROM records WHERE "
            + " AND ".join(where)
            + " ORDER BY id LIMIT :n OFFSET :o"
        ).columns(
            sa.column("id"), sa.column("version"), sa.column("updated_at"), sa.column("data")
        ),
        params,
    ).fetchall()
    more = len(rows) > size
    items = []
    for record_id, version, updated_at, raw in rows[:size]:
        data = changefeed._json(raw)
        items.append(
            {
                "record_id": record_id,
                "version": version,
                "updated_at": changefeed._iso(updated_at),
                "data": access.cut(gate.masked(spec, data, Audience.DEPARTMENT)),
                "mark": gate.mark(data),
            }
        )
    audit.record(
        conn,
        actor=caller.actor,
        action="exchange.read",
        target=f"dataset:{dataset} page:{page}",
        now=now,
        department_id=caller.department.id,
        purpose=_purpose(purpose, access),
        detail={"rows": len(items), "size": size, "fields": access.fields, "basis": access.basis},
    )
    return {
        "dataset": dataset,
        "page": page,
        "size": size,
        "fields": access.fields or [f.code for f in spec.fields],
        "items": items,
        "next_page": page + 1 if more else None,
    }


def read_changes(
    conn: sa.Connection,
    catalog: Catalog,
    caller: Caller,
    dataset: str,
    *,
    cursor: str | None,
    limit: int,
    now: datetime,
    purpose: str | None = None,
    cursor_secret: str | None = None,
) -> changefeed.Page:
    """The next changes after ``cursor`` (the start when None), audited. Cursors are signed
    with ``cursor_secret`` (the setting), else with the installation's stored secret."""
    access = grants.access(conn, catalog, caller.department, dataset, clock.local_date(now))
    secret = instance_secrets.resolve(conn, instance_secrets.CURSOR, cursor_secret, now=now)
    page = changefeed.read(
        conn, access, cursor, limit, clock.local_date(now), now=now, secret=secret
    )
    audit.record(
        conn,
        actor=caller.actor,
        action="exchange.changes",
        target=f"dataset:{dataset} cursor:{cursor or 'start'}",
        now=now,
        department_id=caller.department.id,
        purpose=_purpose(purpose, access),
        detail={"rows": len(page.items), "fields": access.fields, "basis": access.basis},
    )
    return page
