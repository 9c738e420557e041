"""When a record stops being in force, and how the change feed tells it.

Departments keep reading a record after its public window ends — government sharing keeps
history — so the feed's ``withdraw`` (the DEPARTMENT audience may no longer see it) never says
that a penalty's publicity period is over or that a list entry was removed. ``expire`` does:
the record stopped being **in force** on a date, and departments may still read it as history.
An implementing department stops joint punishment measures from that date on.

In force is the visibility gate's decision (``gate.in_force``), stored with each record version
(``in_force``, ``pub_until``: records/decisions.py). Expiries need no job: every read of the
change feed first appends the ``expire`` rows due by its day for its dataset (:func:`catch_up`),
so a window that ended at midnight shows in the next read. ``gongxin exchange sweep`` does the
same for every dataset at once (for a day given, or to fill the log ahead of readers). Both
work incrementally on the change log itself:

1. every insert/update not looked at yet (``ends_on`` null) gets the day that version stops
   being in force, read from its stored decision (``pub_until`` + 1), or 9999-12-31 (``NEVER``)
   when none is due: it stays in force, was superseded by a later version, or departments may
   not see it (a withdrawal);
2. every insert/update whose day has come (``ends_on`` ≤ as_of) and is still its record's
   current version gets one ``expire`` row (``ends_on`` = that day), and is set to ``NEVER``.

So a record expires once per version, each change is judged once, and a day's run reads only
new changes and the expiries due (index ``ix_change_log_dataset_op_ends_on_seq``), however large
the dataset. A correction of an expired record comes as ``update`` and expires again. When
``gongxin visibility recompute`` changes a record's stored decision, the judgement of its
current, not yet expired version is forgotten (:func:`forget`) and made again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin import clock
from gongxin.audit import log as audit
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.exchange_tables import change_log
from gongxin.db.models import records
from gongxin.records import feed_marks, gate
from gongxin.records.gate import Decision

NEVER = date(9999, 12, 31)  # ``ends_on`` of a change with no expiry due
_LOCK_KEY = 0x67786578  # serialises sweeps (PostgreSQL advisory lock)
_CHANGED = ("insert", "update")


def in_force(spec: DatasetSpec, data: dict[str, Any], day: date) -> Decision:
    """Whether the record is in force on ``day`` (``gate.in_force``): within its window (a
    penalty's publicity period, a licence's validity, a list entry from listing until removal
    or planned end), whoever its subject and whatever the dataset's scope; a withdrawn status
    reads as not in force (the feed delivers those as ``withdraw``)."""
    return gate.in_force(spec, data, day)


def _field_date(data: dict[str, Any], code: str | None) -> date | None:
    value = data.get(code) if code else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def ends_on(spec: DatasetSpec, data: dict[str, Any], since: date) -> date:
    """The first day the record is not in force, from its start (its window's start field, else
    ``since``); the start itself when it is never in force (a warning not published, a list
    entry removed on the day listed); ``NEVER`` when it stays in force.

    The days in force are one interval, so the end is found by asking :func:`in_force` at a few
    days: around the dates the record names (the gate's ``until``, the window's end and removal
    fields — hints only, each checked) and then, if needed, by halving between the last day in
    force and the first one out of force.
    """
    rule = spec.visibility
    first = _field_date(data, rule.start) or since
    decision = in_force(spec, data, first)
    if not decision.visible:
        return first
    hints = {decision.until, _field_date(data, rule.end), _field_date(data, rule.removed)}
    probes = sorted(
        {h + timedelta(days=d) for h in hints if h and h < NEVER for d in (-1, 0, 1)} | {NEVER}
    )
    low, high = first, NEVER
    for day in (p for p in probes if p > first):
        if not in_force(spec, data, day).visible:
            high = day
            break
        low = day
    else:
        return NEVER
    while (high - low).days > 1:
        middle = low + timedelta(days=(high - low).days // 2)
        if in_force(spec, data, middle).visible:
            low = middle
        else:
            high = middle
    return high


def _judge(row: sa.Row[Any]) -> date:
    """The ``ends_on`` of one insert/update not looked at yet, from its stored decision."""
    if row.current != row.version or not row.is_shared:
        return NEVER  # superseded (the later version is judged), or a withdrawal
    if not row.in_force:  # never in force: out of force from its start
        return _as_date(row.pub_from) or clock.local_date(clock.as_utc(row.at))
    if row.pub_until is None:
        return NEVER
    last = _as_date(row.pub_until)
    return last + timedelta(days=1) if last is not None and last < NEVER else NEVER


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _joined() -> Any:
    return change_log.outerjoin(records, records.c.id == change_log.c.record_id)


def _look(conn: sa.Connection, spec: DatasetSpec, batch: int) -> int:
    """Judge every insert/update of ``spec`` not looked at yet; how many."""
    c = change_log.c
    mark = change_log.update().where(c.seq == sa.bindparam("s")).values(ends_on=sa.bindparam("e"))
    r = records.c
    looked = 0
    for op in _CHANGED:
        after = 0
        while True:
            chunk = conn.execute(
                sa.select(c.seq, c.version, c.at, r.version.label("current"))
                .add_columns(r.is_shared, r.in_force, r.pub_from, r.pub_until)
                .select_from(_joined())
                .where(c.dataset == spec.code, c.op == op, c.ends_on.is_(None), c.seq > after)
                .order_by(c.seq)
                .limit(batch)
            ).fetchall()
            if not chunk:
                break
            after = chunk[-1].seq
            conn.execute(mark, [{"s": row.seq, "e": _judge(row)} for row in chunk])
            looked += len(chunk)
    return looked


def _expire(conn: sa.Connection, spec: DatasetSpec, day: date, now: datetime, batch: int) -> int:
    """Append ``expire`` for every current version of ``spec`` due by ``day``; how many."""
    c = change_log.c
    mark = change_log.update().where(c.seq == sa.bindparam("s")).values(ends_on=NEVER)
    txid = dialect.current_txid(conn)  # PostgreSQL: stamped for the commit-safe feed
    append = change_log.insert() if txid is None else change_log.insert().values(txid=txid)
    expired = 0
    for op in _CHANGED:
        after: tuple[date, int] = (date.min, 0)
        while True:
            chunk = conn.execute(
                sa.select(c.seq, c.record_id, c.version, c.ends_on)
                .add_columns(records.c.version.label("current"), records.c.is_shared)
                .add_columns(sa.cast(records.c.data, sa.Text).label("text"))
                .select_from(_joined())
                .where(c.dataset == spec.code, c.op == op, c.ends_on <= day)
                .where(sa.tuple_(c.ends_on, c.seq) > sa.tuple_(*_bound(after)))
                .order_by(c.ends_on, c.seq)
                .limit(batch)
            ).fetchall()
            if not chunk:
                break
            after = (chunk[-1].ends_on, chunk[-1].seq)
            conn.execute(mark, [{"s": row.seq} for row in chunk])
            due = [row for row in chunk if row.current == row.version]
            if due:
                shown = _feed_at(conn, now)
                conn.execute(append, [_expiry(spec, row, now, shown) for row in due])
            expired += len(due)
    return expired


def _bound(after: tuple[date, int]) -> Sequence[Any]:
    return [sa.literal(after[0], sa.Date), sa.literal(after[1], sa.BigInteger)]


def _feed_at(conn: sa.Connection, now: datetime) -> str:
    """``now`` as the feed writes a change's instant: ISO, in UTC (SQLite: from the naive UTC
    text it stores, microseconds included)."""
    if dialect.is_sqlite(conn):
        return dialect.timestamp_text(conn, now).replace(" ", "T") + "+00:00"
    return now.astimezone(UTC).isoformat()


def _expiry(spec: DatasetSpec, row: sa.Row[Any], now: datetime, shown: str) -> dict[str, Any]:
    """The ``expire`` row of a current version, with the gate's reason for that day, the
    version's data, its sharing decision and its JSON as the feed serves it (stored, so that
    the feed streams it without reading or judging the record again). ``shown``: ``now`` as
    the feed writes it (:func:`_feed_at`)."""
    at = now.astimezone(UTC)  # SQLite keeps naive UTC text
    values = {"record_id": row.record_id, "dataset": spec.code, "op": "expire", "at": at}
    reason = in_force(spec, orjson.loads(row.text), row.ends_on).zh[:200]
    made = feed_marks.body("expire", row.record_id, row.version, shown, row.text, reason,
                           row.ends_on)  # fmt: skip
    return values | {
        "version": row.version, "ends_on": row.ends_on, "reason": reason, "payload": row.text,
        "shared": bool(row.is_shared), "body": made,
    }  # fmt: skip


def _recompute(conn: sa.Connection, spec: DatasetSpec) -> None:
    """Forget the judgement of every current, not yet expired version of ``spec``."""
    _forget(conn, change_log.c.dataset == spec.code)


def forget(conn: sa.Connection, record_ids: Sequence[int]) -> None:
    """Forget the judgement of these records' current, not yet expired versions (their stored
    decision changed): the next read of the feed or sweep judges them again."""
    feed_marks.forget(conn, record_ids)


def _forget(conn: sa.Connection, where: sa.ColumnElement[bool]) -> None:
    feed_marks.forget_where(conn, where)


def catch_up(conn: sa.Connection, spec: DatasetSpec, *, day: date, now: datetime) -> int:
    """Append the ``expire`` rows of ``spec`` due by ``day`` before a read of its feed; how
    many. PostgreSQL: in a transaction of its own, committed before the read takes its
    snapshot (a row of the reader's own transaction would wait for its next read); SQLite, one
    writer at a time: in the reader's transaction."""
    if dialect.is_sqlite(conn):
        return _catch_up(conn, spec, day, now)
    with conn.engine.begin() as own:
        return _catch_up(own, spec, day, now)


def probe(spec: DatasetSpec, day: date) -> sa.Select[tuple[bool]]:
    """“Is anything of ``spec`` new or due by ``day``?”: true when a change is not looked at
    yet, or the earliest day a change stops being in force has come.

    Index probes only, whatever the statistics say. Not the OR in one condition (PostgreSQL
    read every change of the dataset in the index: 57 ms at 200,000 changes, on each read of
    the feed); not ``EXISTS (… ends_on <= day)`` either: right after a sweep the statistics
    still count the expired changes as due, so PostgreSQL scanned the whole change log
    expecting a match at once and found none (8.3 s a read at 14,000,000 changes, until
    autovacuum analysed the table). Per operation, a change not looked at is one step down
    the index, and so is the earliest ``ends_on``. Values inline: once psycopg prepares a
    statement, PostgreSQL may plan it for any value (1.2 s a read at 1,400,000 changes,
    against 5 ms for the day's value)."""
    c = change_log.c
    asked: list[sa.ColumnElement[bool]] = []
    for op in _CHANGED:
        mine = (c.dataset == _inline(spec.code), c.op == _inline(op))
        asked.append(sa.exists().where(*mine, c.ends_on.is_(None)))  # not looked at yet
        earliest = sa.select(sa.func.min(c.ends_on)).where(*mine).scalar_subquery()
        asked.append(earliest <= _inline(day))
    return sa.select(sa.or_(*asked))


def _catch_up(conn: sa.Connection, spec: DatasetSpec, day: date, now: datetime) -> int:
    if not conn.execute(probe(spec, day)).scalar():
        return 0  # the usual case: nothing new, nothing due
    dialect.serialize_appends(conn, _LOCK_KEY)
    _look(conn, spec, 2000)
    return _expire(conn, spec, day, now, 2000)


def _inline(value: Any) -> sa.BindParameter[Any]:
    """A value written into the statement when it runs (a code or day, never user text)."""
    return sa.bindparam(None, value, literal_execute=True)


def sweep(
    conn: sa.Connection,
    catalog: Catalog,
    *,
    now: datetime,
    as_of: date | None = None,
    actor: str = "cli",
    recompute: bool = False,
    batch: int = 2000,
) -> dict[str, int]:
    """Append ``expire`` for every record whose current version stopped being in force on or
    before ``as_of`` (default: today in China) and has not expired yet. Idempotent; concurrent
    runs wait for each other. Returns the expiries per dataset; audited."""
    day = as_of or clock.local_date(now)
    dialect.serialize_appends(conn, _LOCK_KEY)
    counts: dict[str, int] = {}
    looked = 0
    for spec in catalog:
        if recompute:
            _recompute(conn, spec)
        looked += _look(conn, spec, batch)
        expired = _expire(conn, spec, day, now, batch)
        if expired:
            counts[spec.code] = expired
    audit.record(
        conn,
        actor=actor,
        action="exchange.sweep",
        target="change_log",
        now=now,
        detail={"as_of": day.isoformat(), "expired": counts, "looked_at": looked}
        | ({"recompute": True} if recompute else {}),
    )
    return counts
