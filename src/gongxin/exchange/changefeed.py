"""The change feed: every insert, update, withdrawal and expiry of a dataset's records, resumable.

The database fills ``change_log`` itself (triggers of migration 0007): ``insert`` when a record
is stored, ``update`` when its version rises, ``repair`` when a credit repair was
granted (records.decisions.set_status: the record left public view and force on the day it
carries). ``expire`` says a record stopped being in force
(its publicity window ended, a list entry was removed or reached its planned end, repair): it
carries that day (``ends_on``) and the gate's reason, and departments may still read the record
as history. Each read first appends the expiries due by its day, from the decision stored with
each record (gongxin.exchange.expiry.catch_up): no job has to run for a window that ended at
midnight to show. Records are never deleted, so
there are no delete events.

Each change carries its version's data and the version's stored sharing decision, copied into
its ``change_log`` row when it was written (the triggers of migration 0023; an ``expire`` when
it is appended; the data once, inside the stored JSON below when there is one: migration 0035,
gongxin.db.change_data) and kept in line by ``gongxin visibility recompute``
(gongxin.records.feed_marks), so a read is the change log's rows alone: no join to the records,
no parsing, masking or judging unless a grant cuts fields or a workflow marked the version
(异议处理中 …: the mark is shown, the internal keys dropped). A change whose version departments
may not read (status 撤销, 授权查询 data …) is delivered as ``withdraw``, without data, with the
gate's reason.

Each change also stores its JSON as this feed sends it (``change_log.body``, migration 0033:
written by the same triggers, and by the expiry job for an ``expire``), without its leading
``{"seq":N,``. Departments are not masked (the gate masks for the public only) and differ only
in the fields a grant cuts, so a department that may read whole records gets those stored
bytes, the seq put in front in SQL, with no Python per change but a list; a grant that cuts
fields, a version it may not read, a workflow's mark and a repair are made from the columns as
above (tests/exchange/test_feed_bodies.py: both give the same bytes).

Cursors are opaque: base64url of ``v2:dataset:seq:horizon`` with its HMAC-SHA256 under the
installation's cursor secret (``GONGXIN_EXCHANGE_CURSOR_SECRET``, else one made once and kept in
the database: gongxin.identity.instance_secrets), so a caller cannot make or edit one; a cursor
edited, truncated or signed with another secret is refused (400). ``seq`` is the last change
delivered. On PostgreSQL, concurrent writers may commit out of ``seq`` order, so a change
is delivered only once its transaction id lies below the snapshot's xmin (every transaction
that could still hold an earlier ``seq`` has ended), and a cursor remembers that ``horizon``:
changes of transactions at or above it are looked at again even below ``seq``. Nothing is ever
skipped; a change may rarely come twice (at least once). SQLite has one writer at a time, so
``seq`` order is commit order there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

import orjson
import sqlalchemy as sa

from gongxin.db import change_data, dialect
from gongxin.db.exchange_tables import change_log
from gongxin.errors import InvalidInput
from gongxin.exchange import expiry
from gongxin.exchange.grants import Access
from gongxin.records import gate
from gongxin.records.gate import Audience

VERSION = "v2"  # v1 cursors carried a plain checksum, which anyone could recompute
TAG_HEX = 32  # 128 bits of the HMAC-SHA256


def _tag(payload: str, secret: bytes) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:TAG_HEX]


@dataclass(frozen=True)
class Cursor:
    dataset: str
    seq: int = 0  # the last change delivered
    horizon: int = 0  # PostgreSQL: the snapshot xmin the cursor was issued at

    def encode(self, secret: bytes) -> str:
        """The cursor as callers hold it, signed with ``secret``."""
        payload = f"{VERSION}:{self.dataset}:{self.seq}:{self.horizon}"
        signed = f"{payload}:{_tag(payload, secret)}"
        return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _bad(text: str, zh: str, en: str) -> InvalidInput:
    shown = text if len(text) <= 80 else text[:80] + "…"
    return InvalidInput(f"游标“{shown}”无效：{zh}", f"invalid cursor {shown!r}: {en}", cursor=shown)


def decode(text: str, dataset: str, secret: bytes) -> Cursor:
    """A cursor given by a caller; malformed, tampered, signed with another secret or another
    dataset's → 400."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        version, name, seq, horizon, check = raw.rsplit(":", 4)
    except (ValueError, UnicodeDecodeError):
        raise _bad(text, "无法解析", "cannot be read") from None
    payload = f"{version}:{name}:{seq}:{horizon}"
    if version != VERSION or not hmac.compare_digest(_tag(payload, secret), check):
        raise _bad(
            text,
            "签名不符（被修改、截断，或不是本平台签发的）",
            "signature mismatch (edited, truncated or not issued by this platform)",
        )
    if name != dataset:
        raise _bad(text, f"属于数据集 {name}，不是 {dataset}", f"belongs to dataset {name}")
    if not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (seq, horizon)):
        raise _bad(text, "无法解析", "cannot be read")
    return Cursor(name, int(seq), int(horizon))


class Change(NamedTuple):
    """One change as delivered. ``payload`` is the version's data as the caller may read it:
    a dict, or the stored JSON text itself when nothing had to be cut or masked (then it is
    streamed as it is stored, and parsed only when ``data`` is asked for)."""

    seq: int
    op: str  # insert | update | withdraw | expire | repair
    record_id: int
    version: int
    at: str
    payload: dict[str, Any] | str | bytes | None
    reason: str | None = None
    ends_on: date | None = None  # expire: the day the record stopped being in force
    mark: dict[str, Any] | None = None  # a workflow's status (异议处理中 …): gate.mark

    @property
    def data(self) -> dict[str, Any] | None:
        raw = self.payload
        return orjson.loads(raw) if isinstance(raw, str | bytes) else raw

    def to_dict(self) -> dict[str, Any]:
        """The change as the API answers it (stored JSON text embedded as it is)."""
        raw = self.payload
        return {
            "seq": self.seq,
            "op": self.op,
            "record_id": self.record_id,
            "version": self.version,
            "at": self.at,
            "data": orjson.Fragment(raw) if isinstance(raw, str | bytes) else raw,
            "reason": self.reason,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "mark": self.mark,
        }


@dataclass(frozen=True)
class Page:
    """One page of the feed: each change as the JSON the API sends (``bytes``: its stored body,
    migration 0033) or as a :class:`Change` the read made (cut, marked, withdrawn …)."""

    items: list[bytes | Change]
    next_cursor: str
    has_more: bool
    stored_only: bool = False  # every item is stored JSON (bytes)

    @property
    def changes(self) -> list[Change]:
        """The changes as :class:`Change` (the stored ones parsed: for the CLI and checks)."""
        return [item if isinstance(item, Change) else _parsed(item) for item in self.items]


def _parsed(stored: bytes) -> Change:
    raw = orjson.loads(stored)
    ends = raw["ends_on"]
    return Change(
        raw["seq"], raw["op"], raw["record_id"], raw["version"], raw["at"], raw["data"],
        raw["reason"], date.fromisoformat(ends) if ends else None, raw["mark"],
    )  # fmt: skip


def change_json(change: Change) -> bytes:
    """One change made by the read as the API answers it (:meth:`Change.to_dict`'s keys; the
    stored data embedded as it is, ``ends_on`` as ISO text, as orjson writes a date)."""
    seq, op, record_id, version, at, data, reason, ends_on, mark = change
    return orjson.dumps(
        {
            "seq": seq, "op": op, "record_id": record_id, "version": version, "at": at,
            "data": orjson.Fragment(data) if isinstance(data, str | bytes) else data,
            "reason": reason, "ends_on": ends_on, "mark": mark,
        }
    )  # fmt: skip


def page_json(dataset: str, page: Page) -> bytes:
    """The API's answer for one page of the feed, as JSON bytes (what ``orjson.dumps`` of
    ``{dataset, changes, next_cursor, has_more}`` gives): each stored change's bytes as they
    are, each change the read made by :func:`change_json`."""
    items = page.items
    parts: list[bytes] = (
        list(cast("list[bytes]", items))  # every item is stored JSON
        if page.stored_only
        else [item if isinstance(item, bytes) else change_json(item) for item in items]
    )
    head = b'{"dataset":' + orjson.dumps(dataset) + b',"changes":['
    tail = b'],"next_cursor":' + orjson.dumps(page.next_cursor) + b',"has_more":'
    tail += b"true}" if page.has_more else b"false}"
    if not parts:
        return head + tail
    # one copy of the page's bytes: the head and tail joined to the first and last change
    parts[0] = head + parts[0]
    parts[-1] = parts[-1] + tail
    return b",".join(parts)


def _json(value: Any) -> dict[str, Any]:
    return orjson.loads(value) if isinstance(value, str | bytes) else dict(value)


def _iso(value: Any) -> str:
    """An instant as the feed writes it: ISO, in UTC."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value).replace(" ", "T") + "+00:00"  # SQLite's text: naive UTC


# The columns of a change, read from the change log alone: each row carries its version's data
# (JSON text; SQLite gives its UTF-8 bytes, sent on as they are) and sharing decision, copied
# when the change was written (migration 0023). SQLite stores naive UTC text: the ISO form with
# its offset is made in SQL (PostgreSQL gives datetimes).
# The data of an insert or an update is kept once, in its stored JSON (gongxin.db.change_data).
_REST = "c.version, {payload}, c.ends_on, c.shared, c.reason FROM change_log c"
_COLUMNS = "c.seq, c.record_id, c.op, c.at, " + _REST.format(payload=change_data.sql(True))
_SQLITE_COLUMNS = "c.seq, c.record_id, c.op, replace(c.at, ' ', 'T') || '+00:00', " + _REST.format(
    payload=f"CAST({change_data.sql(False)} AS BLOB)"
)
# A change as stored (migration 0033): its JSON as the API sends it, the seq put in front of
# the stored body, as UTF-8 bytes (SQLite: the text's own bytes; PostgreSQL: bytea, read in
# binary), when departments may read the version (``shared``); else null, and the read makes
# the change from its columns
_STORED = """c.seq, CASE WHEN c.shared THEN {0}('{{"seq":' || c.seq || ',' || c.body{1}) END """
_STORED += "FROM change_log c"
_SQLITE_STORED = _STORED.format("CAST", " AS BLOB")
_PG_STORED = _STORED.format("convert_to", ", 'UTF8'")


def _rows(
    conn: sa.Connection,
    cursor: Cursor,
    limit: int,
    horizon: tuple[int, int] | None,
    stored: bool,
) -> list[tuple[Any, ...]]:
    """The next changes' rows: ``(seq, stored JSON or None)`` when ``stored``, else every
    column of each change."""
    m = dialect.mark(conn)
    if horizon is None:  # SQLite: seq order is commit order
        sql = (
            f"SELECT {_SQLITE_STORED if stored else _SQLITE_COLUMNS} WHERE c.dataset = {m} "
            f"AND c.seq > {m} ORDER BY c.seq LIMIT {m}"
        )
        return dialect.driver_rows(conn, sql, (cursor.dataset, cursor.seq, limit))
    xmin = horizon[0]
    columns = _PG_STORED if stored else _COLUMNS
    # changes of transactions that were still open when the cursor was issued, below its seq
    again = dialect.driver_rows(
        conn,
        f"SELECT {columns} WHERE c.dataset = {m} AND c.txid >= {m} "
        f"AND c.txid < {m} AND c.seq <= {m} ORDER BY c.seq LIMIT {m}",
        (cursor.dataset, cursor.horizon, xmin, cursor.seq, limit),
        binary=stored,
    )
    if len(again) >= limit:
        return again
    after = dialect.driver_rows(
        conn,
        f"SELECT {columns} WHERE c.dataset = {m} AND c.seq > {m} AND c.txid < {m} "
        f"ORDER BY c.seq LIMIT {m}",
        (cursor.dataset, cursor.seq, xmin, limit - len(again)),
        binary=stored,
    )
    return again + after


def _by_seq(conn: sa.Connection, seqs: list[int]) -> list[tuple[Any, ...]]:
    """Every column of these changes (those not sent as stored), in seq order."""
    columns = _SQLITE_COLUMNS if dialect.is_sqlite(conn) else _COLUMNS
    found: list[tuple[Any, ...]] = []
    for chunk in dialect.chunked(seqs):
        marks = ", ".join([dialect.mark(conn)] * len(chunk))
        found += dialect.driver_rows(conn, f"SELECT {columns} WHERE c.seq IN ({marks})", chunk)
    return sorted(found)


def check_not_future(conn: sa.Connection, cursor: Cursor, horizon: tuple[int, int] | None) -> None:
    top = conn.execute(sa.select(sa.func.max(change_log.c.seq))).scalar_one() or 0
    beyond = horizon is not None and cursor.horizon > horizon[1]
    if cursor.seq > top or beyond:
        raise InvalidInput(
            f"游标指向尚未发生的变更（序号 {cursor.seq}，当前最大 {top}）",
            f"the cursor points beyond the newest change (seq {cursor.seq}, newest {top})",
            seq=cursor.seq,
            newest=top,
        )


def read(
    conn: sa.Connection,
    access: Access,
    cursor_text: str | None,
    limit: int,
    as_of: date,
    *,
    now: datetime | None = None,
    secret: bytes,
    stored: bool = True,
) -> Page:
    """The next ``limit`` changes after the cursor, as the caller may see them; with ``now``,
    the expiries due by ``as_of`` are appended first (stamped ``now``). Cursors are signed and
    checked with ``secret``. A department that may read whole records gets each change's
    stored JSON (``change_log.body``, migration 0033) when it may read the version; with
    ``stored=False`` every change is made from its columns instead (what a grant that cuts
    fields gets; tests compare the two)."""
    spec = access.spec
    cursor = decode(cursor_text, spec.code, secret) if cursor_text else Cursor(spec.code)
    if now is not None:
        expiry.catch_up(conn, spec, day=as_of, now=now)
    horizon = dialect.snapshot_horizon(conn)
    check_not_future(conn, cursor, horizon)
    shown = gate.Gate(spec, Audience.DEPARTMENT, as_of)
    whole = access.fields is None
    stored_only = False
    if not (stored and whole):  # a grant cuts fields: every change made from its columns
        rows = _rows(conn, cursor, limit, horizon, stored=False)
        items: list[bytes | Change] = list(_made(shown, access, rows))
    else:
        rows = _rows(conn, cursor, limit, horizon, stored=True)
        items = sent = [raw for _, raw in rows]
        stored_only = None not in sent
        if not stored_only:  # withdrawn, marked, a repair …: made from its columns by the gate
            missing = [seq for seq, raw in rows if raw is None]
            made = dict(zip(missing, _made(shown, access, _by_seq(conn, missing)), strict=True))
            items = [made[seq] if raw is None else raw for seq, raw in rows]
    last = max([row[0] for row in rows], default=cursor.seq)
    full = len(rows) >= limit
    seq = last if full else max(last, cursor.seq)
    following = Cursor(spec.code, seq, horizon[0] if horizon else 0)
    return Page(items, following.encode(secret), full, stored_only)


def _made(shown: gate.Gate, access: Access, rows: list[tuple[Any, ...]]) -> Iterator[Change]:
    """The changes of these rows (every column), as the caller may see them."""
    whole = access.fields is None
    new = tuple.__new__
    for row in rows:
        seq, record_id, op, at, version, payload, ends, shared, reason = row
        if shared and whole and _plain(payload):
            # the usual change: a version departments may read (its stored decision), nothing
            # to cut and nothing masked for departments: its data as stored, sent as it is
            stamp = at if type(at) is str else _iso(at)  # SQLite: made in SQL
            if op in _CHANGED:
                yield new(Change, (seq, op, record_id, version, stamp, payload, None, None, None))
                continue
            if op == "expire" and reason is not None:  # its day and the gate's reason stored
                yield new(
                    Change, (seq, op, record_id, version, stamp, payload, reason, _day(ends), None)
                )
                continue
        yield _change(shown, access, row)


_CHANGED = frozenset(("insert", "update"))
_STATUS_TEXT = gate.STATUS_KEY
_STATUS_BYTES = gate.STATUS_KEY.encode()


def _plain(stored: Any) -> bool:
    """Stored data that may go out as it is: text without a workflow status (异议处理中 …),
    whose internal keys the masking step drops and whose mark ``_change`` adds."""
    if type(stored) is bytes:
        return _STATUS_BYTES not in stored
    return isinstance(stored, str) and _STATUS_TEXT not in stored


def _change(gated: gate.Gate, access: Access, row: tuple[Any, ...]) -> Change:
    """A change that is not sent as stored: cut to the granted fields, marked, withdrawn (the
    gate's reason), a repair, or an expiry."""
    seq, record_id, op, at, version, payload, ends, shared, reason = row
    stamp = at if type(at) is str else _iso(at)  # SQLite: made in SQL (_SQLITE_COLUMNS)
    if payload is None:  # pragma: no cover - every change carries its version's data (0023)
        return Change(seq, "withdraw", record_id, version, stamp, None, "版本不存在")
    data = _json(payload)
    if not shared:  # departments may not read it (its stored decision): the gate says why
        decision = gated.decide(data)
        if not decision.visible:
            return Change(seq, "withdraw", record_id, version, stamp, None, decision.zh)
    spec = gated.spec
    mark = gate.mark(data)  # before masking, which drops the status keys
    shown = access.cut(gated.masked_own(data))
    if op == "repair":  # 信用修复: out of public view and out of force from that day on
        day = date.fromisoformat(str(data.get(gate.STATUS_ON_KEY) or gated.as_of.isoformat()))
        reason = gate.in_force(spec, data, day).zh
        return Change(seq, op, record_id, version, stamp, shown, reason, day, mark)
    if op == "expire":
        day = _day(ends)
        reason = reason or expiry.in_force(spec, data, day).zh
        return Change(seq, op, record_id, version, stamp, shown, reason, day, mark)
    return Change(seq, op, record_id, version, stamp, shown, mark=mark)


def _day(value: date | str) -> date:
    """A day as the driver gives it (SQLite: ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
