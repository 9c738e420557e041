"""Records waiting for a subject (待关联): listed so the credit centre and the submitting
department can follow them up, and linked by hand to a registered subject named by its code
(``link_by_code``: the back office's 关联 form; audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import records, subjects
from gongxin.errors import Conflict, InvalidInput, NotFound
from gongxin.ids import orgcode, regno, uscc
from gongxin.ids.normalise import normalise

ENTITY_LINKS = ("uscc", "reg_no", "org_code")


@dataclass(frozen=True)
class Unlinked:
    record_id: int
    dataset: str
    subject_name: str | None
    link_kind: str | None
    link_code: str | None
    submission_id: str
    row_no: int


def _where(dataset: str | None, department_id: int | None = None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        records.c.subject_id.is_(None),
        sa.or_(records.c.link_kind.is_(None), records.c.link_kind.in_(ENTITY_LINKS)),
    ]
    if dataset:
        conditions.append(records.c.dataset == dataset)
    if department_id is not None:
        conditions.append(records.c.department_id == department_id)
    return conditions


def count_unlinked(
    conn: sa.Connection, dataset: str | None = None, *, department_id: int | None = None
) -> int:
    """Records waiting for a subject (of one submitting department with ``department_id``)."""
    query = sa.select(sa.func.count()).select_from(records).where(*_where(dataset, department_id))
    return int(conn.execute(query).scalar_one())


def list_unlinked(
    conn: sa.Connection,
    dataset: str | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
    department_id: int | None = None,
    newest_first: bool = False,
) -> list[Unlinked]:
    query = (
        sa.select(
            records.c.id,
            records.c.dataset,
            records.c.subject_name,
            records.c.link_kind,
            records.c.link_code,
            records.c.submission_id,
            records.c.row_no,
        )
        .where(*_where(dataset, department_id))
        .order_by(records.c.id.desc() if newest_first else records.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [Unlinked(*row) for row in conn.execute(query)]


_VALIDATORS = {
    18: ("uscc", uscc.validate),
    15: ("reg_no", regno.validate),
    9: ("org_code", orgcode.validate),
}


@dataclass(frozen=True)
class Linked:
    record_id: int
    subject_id: int
    subject_code: str
    subject_name: str


def find_subject(conn: sa.Connection, code: str) -> Linked:
    """The registered subject of a USCC, registration number or organisation code (the record
    id left 0); a malformed code names its fault (校验码 …), an unknown one says so."""
    compact = normalise(code)
    kind_check = _VALIDATORS.get(len(compact))
    if kind_check is None:
        raise InvalidInput(
            f"代码“{compact[:40]}”长度为 {len(compact)} 位，应为 18 位统一社会信用代码、"
            "15 位注册号或 9 位组织机构代码",
            f"the code has {len(compact)} characters; expected a USCC (18), a registration "
            "number (15) or an organisation code (9)",
            field="code",
        )
    kind, validate = kind_check
    validate(compact)  # InvalidIdentifier (an InvalidInput) names the rule and the character
    row = conn.execute(
        sa.select(subjects.c.id, subjects.c.name).where(subjects.c[kind] == compact).limit(2)
    ).all()
    if not row:
        raise NotFound(
            f"主体名录中没有代码为 {compact} 的主体；请核对代码，或待登记信息归集后再关联",
            f"no registered subject has the code {compact}",
            field="code",
        )
    if len(row) > 1:
        raise Conflict(
            f"有多个主体的代码为 {compact}，请改用统一社会信用代码",
            f"several subjects have the code {compact}; use the USCC",
            field="code",
        )
    return Linked(0, int(row[0].id), compact, str(row[0].name))


def link_by_code(
    conn: sa.Connection,
    record_id: int,
    code: str,
    *,
    department_id: int | None,
    actor: str,
    now: datetime,
) -> Linked:
    """Link one waiting record to the subject of ``code``, in the caller's transaction.

    With ``department_id`` only that department's own records may be linked (the credit
    centre passes None). A record linked meanwhile is a 409; the link is audited."""
    subject = find_subject(conn, code)
    where = [records.c.id == record_id]
    if department_id is not None:
        where.append(records.c.department_id == department_id)
    current = conn.execute(sa.select(records.c.subject_id).where(*where)).first()
    if current is None:
        raise NotFound(f"没有编号为 {record_id} 的本部门记录", f"no record {record_id} of yours")
    changed = conn.execute(
        sa.update(records)
        .where(*where, records.c.subject_id.is_(None))
        .values(subject_id=subject.subject_id)
    ).rowcount
    if changed != 1:
        raise Conflict(
            f"记录 {record_id} 已关联到主体，无需再关联", f"record {record_id} is linked already"
        )
    audit.record(
        conn,
        actor=actor,
        action="linkage.record.link",
        target=f"record:{record_id}",
        now=now,
        department_id=department_id,
        detail={"subject_id": subject.subject_id, "code": subject.subject_code},
    )
    return Linked(record_id, subject.subject_id, subject.subject_code, subject.subject_name)
