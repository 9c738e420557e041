"""The visibility gate's decisions, stored beside each record version, and the one SQL
predicate every reader filters by.

Whenever a record version is written (intake, correction, withdrawal, a repair or objection
decision later), :func:`decision_columns` stores what :func:`gongxin.records.gate.facts`
decides of it apart from the day: whether the public and departments may read it, its status,
whether its subject is a natural person, and its window (``pub_from`` to ``pub_until``, the last
day included; NULL: open on that side). The day is applied in the query, so a window that ended
yesterday is ended in every read without any job having run:

- the public on ``as_of``: :func:`public_now` (``is_public`` and ``as_of`` within the window);
- departments: :func:`shared_now` (``is_shared``; government sharing keeps history);
- in force on ``as_of`` (list entries, the change feed's expiries): :func:`in_force_now`.

The public's masked view of the version (``gate.masked``) is stored as JSON text too
(``public_data``, null when the public may never read the version), so that public pages send it
without parsing or masking per request. A change of rules (a regime file, a spec's
visibility block) is applied to stored rows by ``gongxin visibility recompute``
(:mod:`gongxin.records.recompute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.db import dialect
from gongxin.db.exchange_tables import change_log
from gongxin.db.models import records
from gongxin.records import gate, history
from gongxin.records.gate import Audience

COLUMNS = (
    "status",
    "natural_person",
    "is_shared",
    "is_public",
    "in_force",
    "pub_from",
    "pub_until",
    "public_data",
)
STATUSES = ("in_force", "withdrawn", "revoked", "repaired", "objection")


def decision_columns(spec: DatasetSpec, data: dict[str, Any]) -> dict[str, Any]:
    """The stored decision of one record version of ``spec``, by column name."""
    f = gate.facts(spec, data)
    return {
        "status": f.status,
        "natural_person": f.natural_person,
        "is_shared": f.shared,
        "is_public": f.public,
        "in_force": f.in_force,
        "pub_from": f.start,
        "pub_until": f.last,
        "public_data": public_text(spec, data, f.public),
    }


def stored_values(spec: DatasetSpec, data: dict[str, Any]) -> tuple[Any, ...]:
    """:func:`decision_columns` in ``COLUMNS`` order, in the text form of bulk inserts."""
    f = gate.facts(spec, data)
    return (
        f.status,
        f.natural_person,
        f.shared,
        f.public,
        f.in_force,
        f.start.isoformat() if f.start else None,
        f.last.isoformat() if f.last else None,
        public_text(spec, data, f.public),
    )


def public_text(spec: DatasetSpec, data: dict[str, Any], public: bool) -> str | None:
    """The version as the public reads it (``gate.masked`` for the public), as JSON text, or
    None when the public may never read it. Stored beside the decision so that public pages
    return it as it is: the gate decides once, at write time; the day's window stays in SQL."""
    if not public:
        return None
    # keys sorted: the same text whatever order the store returned the data's keys in, so a
    # recompute rewrites only views that really changed
    return orjson.dumps(
        gate.masked(spec, data, Audience.PUBLIC), option=orjson.OPT_SORT_KEYS
    ).decode()


Day = date | sa.BindParameter[date]  # a day, or a parameter bound to one at execution


def _bound(as_of: Day) -> sa.BindParameter[date]:
    return as_of if isinstance(as_of, sa.BindParameter) else sa.literal(as_of, sa.Date)


def within(as_of: Day, table: sa.Table | sa.FromClause = records) -> sa.ColumnElement[bool]:
    """``as_of`` lies within the stored window."""
    c = table.c
    day = _bound(as_of)
    return sa.and_(
        sa.or_(c.pub_from.is_(None), c.pub_from <= day),
        sa.or_(c.pub_until.is_(None), c.pub_until >= day),
    )


def public_now(as_of: Day, table: sa.Table | sa.FromClause = records) -> sa.ColumnElement[bool]:
    """The public may see the record on ``as_of`` (the gate's PUBLIC decision, in SQL)."""
    return sa.and_(table.c.is_public.is_(True), within(as_of, table))


def shared_now(table: sa.Table | sa.FromClause = records) -> sa.ColumnElement[bool]:
    """Departments may read the record (the gate's DEPARTMENT decision, in SQL)."""
    return table.c.is_shared.is_(True)


def in_force_now(as_of: date, table: sa.Table | sa.FromClause = records) -> sa.ColumnElement[bool]:
    """The record is in force on ``as_of`` (``gate.in_force``, in SQL)."""
    return sa.and_(table.c.in_force.is_(True), within(as_of, table))


def visible_now(
    audience: Audience, as_of: date, table: sa.Table | sa.FromClause = records
) -> sa.ColumnElement[bool]:
    """The gate's decision for ``audience`` on ``as_of``, in SQL."""
    if audience is Audience.CENTRE:
        return sa.true()
    if audience is Audience.DEPARTMENT:
        return shared_now(table)
    return public_now(as_of, table)


def decided(row: Any, audience: Audience, as_of: date) -> bool:
    """The same decision from a row's stored columns, in Python (for rows already read)."""
    if audience is Audience.CENTRE:
        return True
    if audience is Audience.DEPARTMENT:
        return bool(row.is_shared)
    return bool(row.is_public) and _in_window(row.pub_from, row.pub_until, as_of)


def _in_window(first: Any, last: Any, as_of: date) -> bool:
    first = date.fromisoformat(first) if isinstance(first, str) else first
    last = date.fromisoformat(last) if isinstance(last, str) else last
    return (first is None or first <= as_of) and (last is None or as_of <= last)


# --- a workflow's decision on a record ---------------------------------------------------------

WORKFLOW_STATUSES = ("in_force", "objection", "repaired", "withdrawn")
_NEVER = date(9999, 12, 31)


def set_status(
    conn: sa.Connection,
    spec: DatasetSpec,
    record_id: int,
    status: str,
    as_of: date,
    *,
    now: datetime,
    by: str,
) -> int:
    """Give a record a workflow's status from ``as_of`` on (``objection`` pending, ``repaired``,
    ``withdrawn`` after an objection, or ``in_force`` again): a new version of the record whose
    data carries the status (``gate.STATUS_KEY``) and whose stored decision columns are the gate's
    decision of it, the previous version kept in ``record_history`` (``replaced_by`` ``by``).
    The change log gets the version as ``update``; a repair is relabelled ``repair`` and carries
    no expiry of its own (the event says the day). Returns the new version."""
    if status not in WORKFLOW_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    row = conn.execute(
        sa.select(records.c.version, records.c.data, records.c.content_hash)
        .where(records.c.id == record_id)
        .with_for_update()
    ).one()
    data = dict(row.data if isinstance(row.data, dict) else orjson.loads(row.data))
    if status == "in_force":
        data.pop(gate.STATUS_KEY, None)
        data.pop(gate.STATUS_ON_KEY, None)
    else:
        data[gate.STATUS_KEY] = status
        data[gate.STATUS_ON_KEY] = as_of.isoformat()
    history.keep(conn, [record_id], now=now, replaced_by=by[:32])
    version = int(row.version) + 1
    conn.execute(
        records.update()
        .where(records.c.id == record_id)
        .values(version=version, data=data, updated_at=now, **decision_columns(spec, data))
    )
    if status == "repaired":
        conn.execute(
            change_log.update()
            .where(change_log.c.record_id == record_id, change_log.c.version == version)
            .values(op="repair", ends_on=_NEVER, body=None)  # its JSON: made by the feed
        )
    return version


def kept_marks(conn: sa.Connection, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The workflow keys a correction of these records must keep: a granted repair stays in
    force whatever the provider submits later (an objection's mark or withdrawal does not: a
    correction is how an objection is answered)."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in dialect.chunked(list(record_ids)):
        rows = conn.execute(
            sa.select(records.c.id, records.c.data).where(
                records.c.id.in_(chunk), records.c.status == "repaired"
            )
        )
        for rid, data in rows:
            data = data if isinstance(data, dict) else orjson.loads(data)
            found[int(rid)] = {
                k: data[k] for k in (gate.STATUS_KEY, gate.STATUS_ON_KEY) if k in data
            }
    return found
