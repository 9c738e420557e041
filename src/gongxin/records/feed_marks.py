"""What the change feed keeps of each record version, beside the stored decisions: when it stops
being in force (``change_log.ends_on``, set by the triggers from the stored decision) and whether
departments may read it (``change_log.shared``, copied by the triggers with the version's data,
migration 0023). Kept here, in the records layer, because a recompute of decisions must bring
them in line: an ``ends_on`` it makes stale is forgotten (the next read of the feed judges the
version again, ``exchange.expiry``), and a sharing decision it changes is rewritten, for the
current version from its new stored decision and for superseded versions by the gate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.db import change_data, dialect
from gongxin.db.exchange_tables import change_log
from gongxin.records import gate
from gongxin.records.gate import Audience

CHANGED = ("insert", "update")  # the feed's events that carry a version still to expire
BATCH = 2000


def forget(conn: sa.Connection, record_ids: Sequence[int]) -> None:
    """Forget the marks of these records' current, not yet expired versions."""
    for chunk in dialect.chunked(list(record_ids)):
        forget_where(conn, change_log.c.record_id.in_(chunk))


def forget_where(conn: sa.Connection, where: sa.ColumnElement[bool]) -> None:
    c = change_log.c
    later = change_log.alias("later")
    newer = sa.exists().where(later.c.record_id == c.record_id, later.c.seq > c.seq)
    conn.execute(
        change_log.update()
        .where(where, c.op.in_(CHANGED), c.ends_on.is_not(None), ~newer)
        .values(ends_on=None)
    )


def shared(catalog: Catalog, dataset: str, payload: Any) -> bool | None:
    """The gate's DEPARTMENT decision of a version's data (JSON text or parsed), whatever the
    day; None for a dataset the catalog does not know or no data."""
    if payload is None or dataset not in catalog:
        return None
    data = orjson.loads(payload) if isinstance(payload, str | bytes) else dict(payload)
    return gate.decide(catalog.get(dataset), data, Audience.DEPARTMENT, date.min).visible


def _data(conn: sa.Connection) -> sa.ColumnElement[Any]:
    """A change's data as text: its payload, or the data its stored JSON holds (0035)."""
    columns = {column["name"] for column in sa.inspect(conn).get_columns("change_log")}
    if "body" not in columns:  # a migration before 0033 (0023's back-fill) runs this
        return change_log.c.payload
    made = change_data.sql(not dialect.is_sqlite(conn), "change_log")
    return sa.literal_column(made).label("payload")


_SET = (
    change_log.update()
    .where(change_log.c.seq == sa.bindparam("s"))
    .values(shared=sa.bindparam("v", type_=sa.Boolean))
)


def judge_shared(conn: sa.Connection, catalog: Catalog, size: int = BATCH) -> int:
    """Give every change whose sharing decision is unknown (``shared`` null, e.g. logged before
    migration 0023 for a superseded version) the gate's decision of its data; how many."""
    c = change_log.c
    after, judged = 0, 0
    data = _data(conn)
    while True:
        rows = conn.execute(
            sa.select(c.seq, c.dataset, data)
            .where(c.shared.is_(None), data.is_not(None), c.seq > after)
            .order_by(c.seq)
            .limit(size)
        ).fetchall()
        if not rows:
            return judged
        after = rows[-1].seq
        found = [{"s": r.seq, "v": shared(catalog, r.dataset, r.payload)} for r in rows]
        known = [f for f in found if f["v"] is not None]
        if known:
            conn.execute(_SET, known)
        judged += len(known)


def reshare(
    conn: sa.Connection,
    catalog: Catalog,
    current: Mapping[int, tuple[int, bool]],
    changed: Sequence[int],
) -> int:
    """After a recompute of these records (``current``: record id → its version and new stored
    sharing decision), bring their changes' sharing decisions in line: the current version's
    from its stored decision (for the records whose decision ``changed``), each superseded
    version's by the gate under the rules now in force. How many changes were rewritten."""
    c = change_log.c
    rewritten = 0
    now_current = [{"r": rid, "n": current[rid][0], "v": current[rid][1]} for rid in changed]
    if now_current:
        update = (
            change_log.update()
            .where(c.record_id == sa.bindparam("r"), c.version == sa.bindparam("n"))
            .values(shared=sa.bindparam("v", type_=sa.Boolean))
        )
        rewritten += max(conn.execute(update, now_current).rowcount, 0)
    older = [rid for rid, (version, _) in current.items() if version > 1]
    for chunk in dialect.chunked(older):
        rows = conn.execute(
            sa.select(c.seq, c.record_id, c.dataset, c.version, _data(conn), c.shared).where(
                c.record_id.in_(chunk)
            )
        ).fetchall()
        judged = [
            (r.seq, shared(catalog, r.dataset, r.payload), r.shared)
            for r in rows
            if r.version != current[r.record_id][0]
        ]
        stale = [{"s": s, "v": v} for s, v, was in judged if v is not None and v != was]
        if stale:
            conn.execute(_SET, stale)
        rewritten += len(stale)
    return rewritten


def body(
    op: str,
    record_id: int,
    version: int,
    at: str,
    payload: str,
    reason: str | None = None,
    ends_on: date | None = None,
) -> str | None:
    """A change's stored ``body`` (migration 0033): its JSON as the feed serves it to a
    department that may read the whole record, without the leading ``{"seq":N,`` — ``at`` as
    the feed writes it (ISO, UTC offset), the version's data (``payload``) embedded as it is.
    None for data carrying a workflow status, which the feed marks and masks every time."""
    if gate.STATUS_KEY in payload:
        return None
    change = {
        "op": op, "record_id": record_id, "version": version, "at": at,
        "data": orjson.Fragment(payload), "reason": reason, "ends_on": ends_on, "mark": None,
    }  # fmt: skip
    return orjson.dumps(change)[1:].decode()
