"""The subject registry: registration rows create or update subjects, keyed by USCC or, for
entities that never received one, by their 15-digit registration number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.db import dialect
from gongxin.db.models import record_links, records, subjects, waiting_on_code
from gongxin.ids import uscc
from gongxin.subjects import parties
from gongxin.subjects.names import normalise_name

# Subject columns filled from registration fields, by the field's type or its role.
_COLUMNS = (
    "name",
    "name_norm",
    "entity_type",
    "legal_rep",
    "capital",
    "capital_unit",
    "reg_date",
    "province",
    "region",
    "address",
    "business_scope",
    "reg_status",
    "reg_authority",
    "term_end",
    "industry_code",
    "region_code",
    "exit_date",
    "legal_rep_key",
    "phone",
    "email",
)
# Optional roles found by the field's standard name or an alias (legacy files lack them).
_HINTS = {
    "entity_type": ("企业类型", "类型"),
    "legal_rep": ("法人代表", "法定代表人"),
    "reg_date": ("注册日期", "成立日期"),
    "province": ("所在省份", "省份"),
    "region": ("地区", "所在地区"),
    "address": ("注册地址", "住所"),
    "business_scope": ("经营范围",),
    "reg_status": ("登记状态",),
    "reg_authority": ("登记机关",),
    "term_end": ("营业期限至",),
    "industry_code": ("行业代码",),
    "region_code": ("行政区划代码",),
    "exit_date": ("注销（吊销、撤销）日期", "注销日期"),
    "legal_rep_key": ("法定代表人证件号码",),
    "phone": ("联系电话",),
    "email": ("电子邮箱",),
    "investors": ("股东及出资信息",),
    "changes": ("变更记录",),
}


@dataclass(frozen=True, slots=True)
class RegistrationRoles:
    """Which registration field fills which subject column (field codes)."""

    name: str
    entity_type: str | None
    legal_rep: str | None
    capital: str | None
    reg_date: str | None
    province: str | None
    region: str | None
    address: str | None
    business_scope: str | None
    reg_status: str | None = None
    reg_authority: str | None = None
    term_end: str | None = None
    industry_code: str | None = None
    region_code: str | None = None
    exit_date: str | None = None
    legal_rep_key: str | None = None
    phone: str | None = None
    email: str | None = None
    investors: str | None = None
    changes: str | None = None

    @classmethod
    def of(cls, spec: DatasetSpec) -> RegistrationRoles:
        by_role: dict[str, str] = {}
        hints = _HINTS
        for f in spec.fields:
            names = {f.name, *f.aliases}
            if f.type == "capital":
                by_role["capital"] = f.code
            for role, candidates in hints.items():
                if role not in by_role and names & set(candidates):
                    by_role[role] = f.code
        if spec.subject_keys.name is None:
            raise ValueError(f"{spec.code}: a registration dataset needs subject_keys.name")
        return cls(
            name=spec.subject_keys.name,
            capital=by_role.get("capital"),
            **{role: by_role.get(role) for role in _HINTS},
        )


def _row_values(roles: RegistrationRoles, data: dict[str, Any]) -> dict[str, Any]:
    name = data[roles.name]
    capital = data.get(roles.capital) if roles.capital else None
    if not isinstance(capital, dict):  # absent, or kept as written because it was unreadable
        capital = None

    def get(code: str | None) -> Any:
        return data.get(code) if code else None

    return {
        "name": name,
        "name_norm": normalise_name(name),
        "entity_type": get(roles.entity_type),
        "legal_rep": get(roles.legal_rep),
        "capital": capital["amount"] if capital else None,
        "capital_unit": capital["unit"] if capital else None,
        "reg_date": get(roles.reg_date),
        "province": get(roles.province),
        "region": get(roles.region),
        "address": get(roles.address),
        "business_scope": get(roles.business_scope),
        "reg_status": get(roles.reg_status),
        "reg_authority": get(roles.reg_authority),
        "term_end": get(roles.term_end),
        "industry_code": get(roles.industry_code),
        "region_code": get(roles.region_code),
        "exit_date": get(roles.exit_date),
        "legal_rep_key": get(roles.legal_rep_key),
        "phone": get(roles.phone),
        "email": get(roles.email),
    }


def _party_filing(roles: RegistrationRoles, sid: int, data: dict[str, Any]) -> parties.Filing:
    def get(code: str | None) -> Any:
        value = data.get(code) if code else None
        return value if isinstance(value, str) and value else None

    return parties.Filing(
        subject_id=sid,
        legal_rep=get(roles.legal_rep),
        legal_rep_key=get(roles.legal_rep_key),
        investors=get(roles.investors),
        address=get(roles.address),
        phone=get(roles.phone),
        email=get(roles.email),
        changes=get(roles.changes),
    )


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """Column values as SQLAlchemy binds them (dates and decimals as objects)."""
    typed = dict(row)
    for column in ("reg_date", "term_end", "exit_date"):
        if typed[column]:
            typed[column] = date.fromisoformat(typed[column])
    if typed["capital"] is not None:
        typed["capital"] = Decimal(typed["capital"])
    return typed


def find_ids(conn: sa.Connection, column: sa.Column[Any], codes: Sequence[str]) -> dict[str, int]:
    """Subject ids by code, for one key column (uscc, reg_no or org_code)."""
    found: dict[str, int] = {}
    unique = sorted(set(codes))
    for chunk in dialect.chunked(unique):
        for code, sid in conn.execute(sa.select(column, subjects.c.id).where(column.in_(chunk))):
            found.setdefault(code, sid)
    return found


def upsert(
    conn: sa.Connection,
    roles: RegistrationRoles,
    rows: Sequence[tuple[str, str, dict[str, Any]]],
    now: datetime,
) -> tuple[dict[tuple[str, str], int], int]:
    """Create or update subjects from (kind, code, data) rows, kind uscc or reg_no.

    Returns the subject id of each (kind, code) and how many unlinked records were linked to
    the subjects this call created.
    """
    ids: dict[tuple[str, str], int] = {}
    for kind, column in (("uscc", subjects.c.uscc), ("reg_no", subjects.c.reg_no)):
        codes = [code for k, code, _ in rows if k == kind]
        ids.update({(kind, c): i for c, i in find_ids(conn, column, codes).items()})
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, code, data in rows:
        latest[(kind, code)] = data
    new = [key for key in latest if key not in ids]
    now_text = dialect.timestamp_text(conn, now)
    if new:
        cols = ("uscc", "reg_no", "org_code", *_COLUMNS, "created_at", "updated_at")
        values = []
        for kind, code in new:
            row = _row_values(roles, latest[(kind, code)])
            org = uscc.embedded_org_code(code) if kind == "uscc" else None
            values.append(
                (
                    code if kind == "uscc" else None,
                    code if kind == "reg_no" else None,
                    org,
                    *(row[c] for c in _COLUMNS),
                    now_text,
                    now_text,
                )
            )
        dialect.bulk_insert(conn, subjects, cols, values)
        for kind, column in (("uscc", subjects.c.uscc), ("reg_no", subjects.c.reg_no)):
            codes = [code for k, code in new if k == kind]
            ids.update({(kind, c): i for c, i in find_ids(conn, column, codes).items()})
    created = set(new)  # a set: ``in`` on the list made a batch quadratic in its rows
    changed = [
        (ids[key], _row_values(roles, data)) for key, data in latest.items() if key not in created
    ]
    if changed:
        stmt = (
            sa.update(subjects)
            .where(subjects.c.id == sa.bindparam("sid"))
            .values(
                {c: sa.bindparam(f"v_{c}") for c in _COLUMNS}
                | {"updated_at": sa.bindparam("v_now")}
            )
        )
        conn.execute(
            stmt,
            [
                {"sid": sid, "v_now": now, **{f"v_{c}": v for c, v in _typed(row).items()}}
                for sid, row in changed
            ],
        )
    parties.replace(conn, [_party_filing(roles, ids[key], data) for key, data in latest.items()])
    relinked = _relink(conn, [(key, ids[key]) for key in new])
    return ids, relinked


def _relink(conn: sa.Connection, created: Sequence[tuple[tuple[str, str], int]]) -> int:
    """Link waiting (待关联) records to subjects that just came into existence, by any code
    they could have linked by at intake (see ``waiting_on_code`` and ``record_links``)."""
    waiting = conn.execute(
        sa.select(records.c.id).where(records.c.subject_id.is_(None)).limit(1)
    ).first()
    if not created or waiting is None:
        return 0
    by_key: list[dict[str, object]] = []  # the value a waiting record waits on, and its kinds
    by_code: list[dict[str, object]] = []  # (kind, code) pairs kept in record_links
    for (kind, code), sid in created:
        by_code.append({"sid": sid, "kind": kind, "code": code})
        if kind == "uscc":
            org = uscc.embedded_org_code(code)
            by_key.append({"sid": sid, "key": org, "k1": "uscc", "k2": "org_code"})
            by_code.append({"sid": sid, "kind": "org_code", "code": org})
        else:
            by_key.append({"sid": sid, "key": code, "k1": kind, "k2": kind})
    waits = (
        sa.update(records)
        .where(records.c.subject_id.is_(None))
        .where(waiting_on_code == sa.bindparam("key"))
        .where(records.c.link_kind.in_([sa.bindparam("k1"), sa.bindparam("k2")]))
        .values(subject_id=sa.bindparam("sid"))
    )
    linked = max(conn.execute(waits, by_key).rowcount, 0)
    if conn.execute(sa.select(record_links.c.id).limit(1)).first() is not None:
        waiting_on = sa.select(record_links.c.dataset, record_links.c.dedupe_key).where(
            record_links.c.kind == sa.bindparam("kind"),
            record_links.c.code == sa.bindparam("code"),
        )
        other = (
            sa.update(records)
            .where(records.c.subject_id.is_(None))
            .where(sa.tuple_(records.c.dataset, records.c.dedupe_key).in_(waiting_on))
            .values(subject_id=sa.bindparam("sid"))
        )
        linked += max(conn.execute(other, by_code).rowcount, 0)
        done = sa.delete(record_links).where(
            record_links.c.kind == sa.bindparam("kind"),
            record_links.c.code == sa.bindparam("code"),
        )
        conn.execute(done, [{"kind": p["kind"], "code": p["code"]} for p in by_code])
    return linked
