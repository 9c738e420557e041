"""Records waiting for a subject (待关联): listed so the credit centre can follow them up."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from gongxin.db.models import records

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


def _where(dataset: str | None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        records.c.subject_id.is_(None),
        sa.or_(records.c.link_kind.is_(None), records.c.link_kind.in_(ENTITY_LINKS)),
    ]
    if dataset:
        conditions.append(records.c.dataset == dataset)
    return conditions


def count_unlinked(conn: sa.Connection, dataset: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(records).where(*_where(dataset))
    return int(conn.execute(query).scalar_one())


def list_unlinked(
    conn: sa.Connection, dataset: str | None = None, *, limit: int = 100, offset: int = 0
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
        .where(*_where(dataset))
        .order_by(records.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [Unlinked(*row) for row in conn.execute(query)]
