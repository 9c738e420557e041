"""Credit agencies (征信机构) registered with the platform: their registry, suspension, and the
authorisation records (授权记录) of natural persons that let them query those persons.

An agency is an account (a department of kind ``user`` holding its API keys, which need the
``agency`` scope) plus its registration: kind, licence or filing number, daily quota and status.
The rules — kinds, purposes, negative datasets — are data (``data/agencies.yaml``).
Domain note: ``shared/domain/credit_agencies.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from gongxin.audit import log as audit
from gongxin.clock import as_utc
from gongxin.db.market_access_tables import agency_authorisations, credit_agencies
from gongxin.db.models import departments as departments_table
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.identity import departments
from gongxin.ids import ric
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.ids.keyed import keyed_hash
from gongxin.ids.normalise import normalise

MAX_REFERENCE = 100


@dataclass(frozen=True)
class Rules:
    kinds: dict[str, str]
    person_query_kinds: tuple[str, ...]
    purposes: dict[str, str]
    negative_datasets: tuple[str, ...]

    def purpose(self, code: str) -> str:
        """``code`` when it is a known purpose; 400 naming the known ones otherwise."""
        if code not in self.purposes:
            known = "、".join(f"{k}（{v}）" for k, v in self.purposes.items())
            raise InvalidInput(
                f"查询用途（purpose）“{code[:20]}”无效，可选：{known}",
                f"unknown purpose {code[:20]!r}; known: {', '.join(self.purposes)}",
                field="purpose", value=code[:20], known=list(self.purposes),
            )  # fmt: skip
        return code


@cache
def _rules_from(path: Path | None) -> Rules:
    if path is None:
        text = resources.files("gongxin.market").joinpath("data/agencies.yaml").read_text()
    else:
        text = path.read_text("utf-8")
    data: Any = yaml.safe_load(text)
    where = str(path or "（内置 packaged）")
    try:
        return Rules(
            {str(k): str(v) for k, v in data["kinds"].items()},
            tuple(str(k) for k in data["person_query_kinds"]),
            {str(k): str(v) for k, v in data["purposes"].items()},
            tuple(str(d) for d in data["negative_datasets"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(
            f"征信查询规则 {where} 缺少或写错了键：{exc}",
            f"agency rules {where}: missing or malformed key {exc}",
        ) from exc


def rules(path: Path | None = None) -> Rules:
    """The agency rules: the packaged file, or the deployment's ``path``."""
    return _rules_from(path)


@dataclass(frozen=True)
class Agency:
    id: int
    department_id: int
    name: str
    uscc: str | None
    kind: str
    licence_no: str
    quota_per_day: int
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    created_at: datetime

    @property
    def active(self) -> bool:
        return self.status == "active"


_SELECT = sa.select(credit_agencies, departments_table.c.name, departments_table.c.code).join(
    departments_table, departments_table.c.id == credit_agencies.c.department_id
)


def _agency(row: Any) -> Agency:
    m = row._mapping
    changed = m["status_changed_at"]
    return Agency(
        m["id"], m["department_id"], m["name"], m["code"], m["kind"], m["licence_no"],
        m["quota_per_day"], m["status"], m["status_reason"], as_utc(changed) if changed else None,
        as_utc(m["created_at"]),
    )  # fmt: skip


def register(
    conn: sa.Connection,
    name: str,
    *,
    uscc: str | None,
    kind: str,
    licence_no: str,
    quota_per_day: int,
    rule: Rules,
    now: datetime,
    actor: str,
) -> Agency:
    """Register an agency: its account (a new department of kind ``user``, or the existing one
    of that name) and its registration."""
    if kind not in rule.kinds:
        raise InvalidInput(
            f"机构类型（kind）“{kind[:20]}”无效，可选：{'、'.join(rule.kinds)}",
            f"unknown agency kind {kind[:20]!r}; known: {', '.join(rule.kinds)}", field="kind",
        )  # fmt: skip
    licence = licence_no.strip()
    if not licence or len(licence) > 100:
        raise InvalidInput(
            "请填写许可或备案编号（licence_no，不超过 100 字）",
            "licence_no is required (at most 100 characters)", field="licence_no",
        )  # fmt: skip
    if not 1 <= quota_per_day <= 10_000_000:
        raise InvalidInput(
            f"日查询配额应在 1 至 10000000 之间：{quota_per_day}",
            f"quota_per_day must be between 1 and 10,000,000: {quota_per_day}",
            field="quota_per_day",
        )  # fmt: skip
    try:
        dept = departments.get(conn, name)
    except NotFound:
        dept = departments.add(conn, name, kind="user", code=uscc, now=now, actor=actor)
    if conn.execute(
        sa.select(credit_agencies.c.id).where(credit_agencies.c.department_id == dept.id)
    ).first():
        raise Conflict(f"征信机构“{name}”已登记", f"agency {name!r} is already registered")
    conn.execute(
        credit_agencies.insert().values(
            department_id=dept.id, kind=kind, licence_no=licence, quota_per_day=quota_per_day,
            status="active", created_at=now,
        )
    )  # fmt: skip
    audit.record(
        conn, actor=actor, action="agency.register", target=f"department:{dept.id}", now=now,
        department_id=dept.id, detail={"kind": kind, "licence_no": licence,
                                       "quota_per_day": quota_per_day},
    )  # fmt: skip
    return of_department(conn, dept.id)


def all_agencies(conn: sa.Connection) -> list[Agency]:
    return [_agency(r) for r in conn.execute(_SELECT.order_by(credit_agencies.c.id))]


def get(conn: sa.Connection, agency_id: int) -> Agency:
    row = conn.execute(_SELECT.where(credit_agencies.c.id == agency_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {agency_id} 的征信机构", f"no credit agency {agency_id}")
    return _agency(row)


def by_name(conn: sa.Connection, name: str) -> Agency:
    row = conn.execute(_SELECT.where(departments_table.c.name == name)).first()
    if row is None:
        raise NotFound(f"没有名为“{name[:60]}”的征信机构", f"no credit agency {name[:60]!r}")
    return _agency(row)


def of_department(conn: sa.Connection, department_id: int) -> Agency:
    """The agency whose account a key belongs to; 403 when that account is no agency."""
    row = conn.execute(_SELECT.where(credit_agencies.c.department_id == department_id)).first()
    if row is None:
        raise Forbidden(
            "此密钥所属单位不是已登记的征信机构", "the key's holder is not a registered agency"
        )
    return _agency(row)


def set_status(
    conn: sa.Connection, agency_id: int, *, suspend: bool, reason: str, now: datetime, actor: str
) -> Agency:
    """Suspend (with a reason, shown to the agency in every refusal) or resume an agency."""
    agency = get(conn, agency_id)
    why = reason.strip()
    if suspend and (not why or len(why) > 200):
        raise InvalidInput(
            "请填写暂停理由（reason，不超过 200 字）", "give a reason (at most 200 characters)",
            field="reason",
        )  # fmt: skip
    status = "suspended" if suspend else "active"
    if agency.status == status:
        raise Conflict(
            f"征信机构“{agency.name}”已是{'暂停' if suspend else '正常'}状态",
            f"agency {agency.name!r} is already {status}",
        )
    conn.execute(
        credit_agencies.update()
        .where(credit_agencies.c.id == agency_id)
        .values(status=status, status_reason=why or None, status_changed_at=now)
    )
    audit.record(
        conn, actor=actor, action=f"agency.{'suspend' if suspend else 'resume'}",
        target=f"department:{agency.department_id}", now=now,
        department_id=agency.department_id, detail={"reason": why},
    )  # fmt: skip
    return get(conn, agency_id)


# -- authorisations of natural persons -------------------------------------------------------


def person_key(id_number: str, match_key: str) -> str:
    """The keyed hash a person's ID number is kept and compared as (never the number)."""
    code = normalise(id_number)
    try:
        ric.validate(code)
    except InvalidIdentifier as exc:
        raise InvalidInput(
            f"公民身份号码有误：{exc.zh}", f"invalid resident ID number: {exc.en}",
            field="person_id", rule=exc.rule,
        ) from exc  # fmt: skip
    return keyed_hash(code, match_key)


@dataclass(frozen=True)
class Authorisation:
    id: int
    reference: str
    purpose: str
    valid_from: date
    valid_until: date


def authorise(
    conn: sa.Connection,
    agency: Agency,
    *,
    person_id: str,
    reference: str,
    purpose: str,
    valid_from: date,
    valid_until: date,
    rule: Rules,
    match_key: str,
    now: datetime,
    actor: str,
) -> Authorisation:
    """Record a person's written authorisation (its reference: the consent document the agency
    holds) for ``purpose`` between two dates."""
    ref = reference.strip()
    if not ref or len(ref) > MAX_REFERENCE:
        raise InvalidInput(
            f"请填写授权书编号（reference，不超过 {MAX_REFERENCE} 字）",
            f"reference is required (at most {MAX_REFERENCE} characters)", field="reference",
        )  # fmt: skip
    if valid_until < valid_from:
        raise InvalidInput(
            f"授权截止日 {valid_until} 早于起始日 {valid_from}",
            f"valid_until {valid_until} is before valid_from {valid_from}", field="valid_until",
        )  # fmt: skip
    key = person_key(person_id, match_key)
    rule.purpose(purpose)
    if conn.execute(
        sa.select(agency_authorisations.c.id).where(
            agency_authorisations.c.agency_id == agency.id,
            agency_authorisations.c.reference == ref,
        )
    ).first():
        raise Conflict(f"授权书编号 {ref} 已登记", f"authorisation {ref!r} is already recorded")
    new_id = conn.execute(
        agency_authorisations.insert()
        .values(
            agency_id=agency.id, person_key=key, reference=ref, purpose=purpose,
            valid_from=valid_from, valid_until=valid_until, created_at=now,
        )
        .returning(agency_authorisations.c.id)
    ).scalar_one()  # fmt: skip
    audit.record(
        conn, actor=actor, action="agency.authorisation", target=f"authorisation:{new_id}",
        now=now, department_id=agency.department_id, purpose=purpose,
        detail={"reference": ref, "valid_until": valid_until.isoformat()},
    )  # fmt: skip
    return Authorisation(int(new_id), ref, purpose, valid_from, valid_until)
