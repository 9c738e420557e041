"""The record store: record versions, their history and the gate's stored decision of each.

A record is one department's statement about a subject (a penalty, a licence, a list entry …),
keyed within its dataset by its dedupe key *and its owner*: another department's statement
with the same key is another record, or refused by intake (``intake.ownership``). Writing a
version stores the visibility gate's decision beside it (``records.decisions``), so every reader
filters in SQL. A correction keeps the replaced version in ``record_history``; nothing is
deleted. Intake (``intake.store``) decides *what* to write — validation, rejects, subject
links; this module is *how* versions are kept, for intake and every workflow that writes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.db import dialect
from gongxin.db.models import records
from gongxin.records import decisions, history

COLUMNS = (
    "dataset", "dedupe_key", "content_hash", "version", "subject_id", "link_kind", "link_code",
    "subject_name", "event_date", "submission_id", "row_no", "data", "created_at", "updated_at",
    "department_id",
    *decisions.COLUMNS,  # the gate's decision of the version, stored beside it
)  # fmt: skip


@dataclass(slots=True)
class Version:
    """What one version of a record says, and where it came from."""

    key: str  # the dedupe key within its dataset and owner
    content: str  # ``data`` as canonical JSON text (sorted keys)
    content_hash: str
    data: dict[str, Any]
    row_no: int
    subject_id: int | None = None
    link_kind: str | None = None
    link_code: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """What the store holds under some keys: the owner's own records and other owners'."""

    own: dict[str, tuple[int, str]]  # key → (record id, content hash)
    others: dict[str, int]  # key → the department that owns a record with this key


def find(conn: sa.Connection, dataset: str, owner_id: int, keys: Sequence[str]) -> Found:
    """The records of ``dataset`` under ``keys``: ``owner_id``'s and other departments'."""
    mark = dialect.mark(conn)
    own: dict[str, tuple[int, str]] = {}
    others: dict[str, int] = {}
    for key, rid, content_hash, dept in dialect.select_in(
        conn,
        "records",
        "dedupe_key",
        ("id", "content_hash", "department_id"),
        list(keys),
        f"dataset = {mark}",
        (dataset,),
    ):
        if dept == owner_id:
            own[key] = (rid, content_hash)
        else:
            others.setdefault(key, dept)
    return Found(own, others)


def _stated(spec: DatasetSpec, data: dict[str, Any]) -> tuple[Any, Any]:
    keys = spec.subject_keys
    name = data.get(keys.name) if keys.name else None
    event = data.get(spec.date_field) if spec.date_field else None
    return name, event


def insert(
    conn: sa.Connection,
    spec: DatasetSpec,
    versions: Iterable[Version],
    *,
    submission_id: str,
    owner_id: int,
    now: datetime,
) -> None:
    """Store new records (version 1) of ``owner_id``, each with the gate's decision."""
    stamp = dialect.timestamp_text(conn, now)

    def rows() -> Iterable[tuple[Any, ...]]:
        for v in versions:
            name, event = _stated(spec, v.data)
            yield (
                spec.code, v.key, v.content_hash, 1, v.subject_id, v.link_kind, v.link_code,
                name, event, submission_id, v.row_no, v.content, stamp, stamp, owner_id,
                *decisions.stored_values(spec, v.data),
            )  # fmt: skip

    dialect.bulk_insert(conn, records, COLUMNS, rows())


_CORRECT = (
    sa.update(records)
    .where(records.c.id == sa.bindparam("rid"))
    .values(
        content_hash=sa.bindparam("h"),
        version=records.c.version + 1,
        subject_id=sa.bindparam("sid"),
        link_kind=sa.bindparam("lk"),
        link_code=sa.bindparam("lc"),
        subject_name=sa.bindparam("sn"),
        event_date=sa.bindparam("ed"),
        submission_id=sa.bindparam("sub"),
        row_no=sa.bindparam("rn"),
        data=sa.bindparam("d", type_=records.c.data.type),
        updated_at=sa.bindparam("now"),
    )
    .values({name: sa.bindparam(f"v_{name}") for name in decisions.COLUMNS})
)


def correct(
    conn: sa.Connection,
    spec: DatasetSpec,
    changes: Sequence[tuple[int, Version]],
    *,
    submission_id: str,
    now: datetime,
) -> None:
    """Replace records by new versions: the old ones kept in history, the decision judged again."""
    ids = [rid for rid, _ in changes]
    history.keep(conn, ids, now=now, replaced_by=submission_id)
    kept = decisions.kept_marks(conn, ids)  # a granted repair outlives corrections
    params = []
    for rid, v in changes:
        data = {**v.data, **kept[rid]} if rid in kept else v.data
        name, event = _stated(spec, data)
        params.append(
            {
                "rid": rid,
                "h": v.content_hash,
                "sid": v.subject_id,
                "lk": v.link_kind,
                "lc": v.link_code,
                "sn": name,
                "ed": _as_date(event),
                "sub": submission_id,
                "rn": v.row_no,
                "d": data,
                "now": now,
            }
            | {f"v_{k}": value for k, value in decisions.decision_columns(spec, data).items()}
        )
    if params:
        conn.execute(_CORRECT, params)


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
