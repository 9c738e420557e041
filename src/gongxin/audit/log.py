"""The audit log: every read of shared data and every back-office change, hash-chained.

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or
reordering an entry breaks the chain from that point on; ``verify`` walks the chain and names the
first entry that does not fit. Entries are only ever appended (``record``), in the caller's
transaction, so a change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db import dialect
from gongxin.db.audit_tables import audit_log

GENESIS = "0" * 64
_LOCK_KEY = 0x67786175  # the advisory lock that serialises appends on PostgreSQL


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    department_id: int | None
    action: str
    target: str
    purpose: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad: int | None = None  # seq of the first entry that breaks the chain
    zh: str = ""
    en: str = ""


def digest(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    department_id: int | None,
    action: str,
    target: str,
    purpose: str | None,
    detail: dict[str, Any],
) -> str:
    """SHA-256 over the previous hash and a canonical encoding of the entry."""
    body = orjson.dumps(
        [
            seq,
            as_utc(at).isoformat(timespec="microseconds"),
            actor,
            department_id,
            action,
            target,
            purpose,
            detail,
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


# Built once: appending is on the path of every audited request.
_TAIL = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_APPEND = audit_log.insert()


@dataclass(frozen=True)
class Append:
    """One entry to append (``record_many``): what ``record`` takes, as a value."""

    actor: str
    action: str
    target: str
    now: datetime
    department_id: int | None = None
    purpose: str | None = None
    detail: dict[str, Any] | None = None


def record(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    target: str,
    now: datetime,
    department_id: int | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry in the caller's transaction; returns its sequence number.

    Appends are serialised (an advisory lock on PostgreSQL, the write lock on SQLite) so that
    two concurrent writers never chain onto the same predecessor.
    """
    (seq,) = record_many(conn, [Append(actor, action, target, now, department_id, purpose, detail)])
    return seq


def record_many(conn: sa.Connection, appends: Sequence[Append]) -> list[int]:
    """Append several entries, in order, in the caller's transaction: the chain's tail read
    once, the entries chained in memory and inserted by one statement (the check log's group
    writer audits a whole batch of checks so). Their sequence numbers, in order."""
    if not appends:
        return []
    dialect.serialize_appends(conn, _LOCK_KEY)
    last = conn.execute(_TAIL).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    rows: list[dict[str, Any]] = []
    for a in appends:
        seq += 1
        detail = orjson.loads(orjson.dumps(a.detail or {}))  # what the database will give back
        at = as_utc(a.now)
        target = a.target[:300]
        digest_ = digest(prev, seq, at, a.actor, a.department_id, a.action, target, a.purpose,
                         detail)  # fmt: skip
        rows.append({"seq": seq, "at": at, "actor": a.actor, "department_id": a.department_id,
                     "action": a.action, "target": target, "purpose": a.purpose,
                     "detail": detail, "prev_hash": prev, "hash": digest_})  # fmt: skip
        prev = digest_
    conn.execute(_APPEND, rows)
    return [int(r["seq"]) for r in rows]


def entry_of(row: sa.Row[Any]) -> Entry:
    """An Entry from a row of ``audit_log``."""
    m = row._mapping
    return Entry(
        m["seq"],
        as_utc(m["at"]),
        m["actor"],
        m["department_id"],
        m["action"],
        m["target"],
        m["purpose"],
        m["detail"],
        m["prev_hash"],
        m["hash"],
    )


def entries(
    conn: sa.Connection,
    *,
    after: int = 0,
    limit: int | None = None,
    action: str | None = None,
    actor: str | None = None,
    newest_first: bool = False,
) -> list[Entry]:
    """Entries after sequence number ``after``, optionally filtered."""
    query = sa.select(audit_log).where(audit_log.c.seq > after)
    if action:
        query = query.where(audit_log.c.action == action)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    query = query.order_by(audit_log.c.seq.desc() if newest_first else audit_log.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [entry_of(row) for row in conn.execute(query)]


def _walk(conn: sa.Connection, batch: int = 5000) -> Iterator[Entry]:
    after = 0
    while True:
        chunk = entries(conn, after=after, limit=batch)
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].seq


def verify(conn: sa.Connection) -> Verdict:
    """Walk the chain from the start; the first entry that does not fit is reported."""
    prev, expected_seq, count = GENESIS, 1, 0
    for e in _walk(conn):
        count += 1
        if e.seq != expected_seq:
            return Verdict(
                False,
                count,
                e.seq,
                f"审计日志第 {expected_seq} 条缺失（下一条为第 {e.seq} 条）",
                f"audit entry {expected_seq} is missing (the next one is {e.seq})",
            )
        if e.prev_hash != prev:
            return Verdict(
                False,
                count,
                e.seq,
                f"审计日志第 {e.seq} 条与上一条的哈希不衔接：上一条被修改或删除",
                f"audit entry {e.seq} does not chain onto its predecessor: "
                "an earlier entry was edited or deleted",
            )
        fields = (e.actor, e.department_id, e.action, e.target, e.purpose, e.detail)
        if digest(e.prev_hash, e.seq, e.at, *fields) != e.hash:
            return Verdict(
                False,
                count,
                e.seq,
                f"审计日志第 {e.seq} 条的内容与其哈希不符：该条被修改",
                f"audit entry {e.seq} does not match its hash: it was edited",
            )
        prev, expected_seq = e.hash, e.seq + 1
    return Verdict(
        True,
        count,
        None,
        f"审计日志完整：共 {count} 条，哈希链无断裂",
        f"the audit log is intact: {count} entries, the hash chain is unbroken",
    )
