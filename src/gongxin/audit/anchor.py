"""Anchors of the audit log outside the database: a signed head written to an append-only file.

The hash chain (``audit.verify``) catches an entry edited or deleted in the middle of the log,
but someone who can write to the database can also truncate the log, wipe it, or rewrite it and
recompute every hash: the chain then verifies again. An *anchor* closes that gap. It is one JSON
line ``{"seq", "hash", "at", "prev", "mac"}`` naming the newest entry at the moment ``at``,
signed with HMAC-SHA256 under a key the database does not hold (``audit_anchor_key_file``),
appended to a file the deployment makes append-only (``audit_anchor_file``). ``prev`` is the
previous line's ``mac``, so removing or reordering anchor lines is detected too.

``check`` compares the log with every anchor and reports:

- an anchor whose signature or link does not verify (the anchor file was edited);
- an anchored entry that is gone (truncation or a wipe);
- an anchored entry whose hash differs (rewritten and recomputed);
- an entry appended after an anchor but dated before it (a forged, backdated append).

Changes after the newest anchor and before the next one are detected only by the chain.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.clock import as_utc
from gongxin.db.audit_tables import audit_log
from gongxin.errors import InvalidInput
from gongxin.settings import Settings

# An entry is dated by its request's start and committed a little later: an entry appended after
# an anchor may be dated up to this much before it without being called backdated.
CLOCK_SLACK = timedelta(minutes=10)
_TAIL = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)


@dataclass(frozen=True)
class Anchor:
    seq: int  # the newest entry at ``at`` (0: the log was empty)
    hash: str
    at: datetime
    prev: str  # the previous anchor's mac ("" for the first)
    mac: str

    def body(self) -> bytes:
        return _body(self.seq, self.hash, self.at, self.prev)


@dataclass(frozen=True)
class AnchorVerdict:
    ok: bool
    anchors: int
    zh: str
    en: str
    first_bad: int | None = None  # the seq concerned, when there is one


def _body(seq: int, hash_: str, at: datetime, prev: str) -> bytes:
    at_text = as_utc(at).isoformat(timespec="microseconds")
    return orjson.dumps({"at": at_text, "hash": hash_, "prev": prev, "seq": seq})


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _paths(settings: Settings) -> tuple[Path, bytes]:
    """The anchor file and the key; an error naming the missing setting otherwise."""
    if settings.audit_anchor_file is None or settings.audit_anchor_key_file is None:
        raise InvalidInput(
            "未配置审计锚点：请设置 GONGXIN_AUDIT_ANCHOR_FILE 和 GONGXIN_AUDIT_ANCHOR_KEY_FILE",
            "audit anchors are not configured: set GONGXIN_AUDIT_ANCHOR_FILE and "
            "GONGXIN_AUDIT_ANCHOR_KEY_FILE",
        )
    key_file = settings.audit_anchor_key_file
    try:
        key = key_file.read_bytes().strip()
    except OSError as exc:
        raise InvalidInput(
            f"无法读取审计锚点密钥文件 {key_file}：{exc.strerror}",
            f"cannot read the audit anchor key file {key_file}: {exc.strerror}",
        ) from None
    if len(key) < 32:
        raise InvalidInput(
            f"审计锚点密钥文件 {key_file} 的密钥过短（至少 32 字节）",
            f"the key in {key_file} is too short (at least 32 bytes)",
        )
    return settings.audit_anchor_file, key


def configured(settings: Settings) -> bool:
    return settings.audit_anchor_file is not None and settings.audit_anchor_key_file is not None


def _parse(number: int, line: bytes) -> Anchor:
    try:
        raw = orjson.loads(line)
        return Anchor(
            int(raw["seq"]), str(raw["hash"]), datetime.fromisoformat(raw["at"]),
            str(raw["prev"]), str(raw["mac"]),
        )  # fmt: skip
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidInput(
            f"审计锚点文件第 {number} 行无法解析：锚点文件被改动",
            f"line {number} of the audit anchor file cannot be read: the file was altered",
        ) from None


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors in the file, in file order (none when the file does not exist yet)."""
    if not path.exists():
        return []
    lines = path.read_bytes().splitlines()
    return [_parse(n, line) for n, line in enumerate(lines, 1) if line.strip()]


def anchor(source: sa.Engine | sa.Connection, settings: Settings, as_of: datetime) -> Anchor:
    """Sign the log's current head (seq, hash) at ``as_of`` and append it to the anchor file.

    The scheduled worker calls this periodically; ``gongxin audit anchor`` calls it by hand.
    Pass an engine, or a connection that has not written anything: a head read inside a
    transaction that later rolls back would be anchored and then reported as truncated."""
    path, key = _paths(settings)
    if isinstance(source, sa.Engine):
        with source.connect() as conn:
            tail = conn.execute(_TAIL).first()
    else:
        tail = source.execute(_TAIL).first()
    seq, head = (int(tail.seq), str(tail.hash)) if tail else (0, audit.GENESIS)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # two anchorers never link onto the same line
        fh.seek(0)
        lines = [line for line in fh.read().splitlines() if line.strip()]
        prev = _parse(len(lines), lines[-1]).mac if lines else ""
        at = as_utc(as_of)
        mac = _mac(key, _body(seq, head, at, prev))
        made = Anchor(seq, head, at, prev, mac)
        fh.write(made.body()[:-1] + b',"mac":"' + mac.encode() + b'"}\n')
        fh.flush()
        os.fsync(fh.fileno())
    return made


def _bad(count: int, seq: int | None, zh: str, en: str) -> AnchorVerdict:
    return AnchorVerdict(False, count, zh, en, seq)


def _signatures(anchors: list[Anchor], key: bytes) -> AnchorVerdict | None:
    prev = ""
    last: Anchor | None = None
    for n, a in enumerate(anchors, 1):
        if not hmac.compare_digest(_mac(key, a.body()), a.mac):
            return _bad(
                len(anchors), a.seq, f"审计锚点第 {n} 行签名无效：锚点被伪造或修改",
                f"anchor line {n} has an invalid signature: forged or edited",
            )  # fmt: skip
        if a.prev != prev:
            return _bad(
                len(anchors), a.seq, f"审计锚点第 {n} 行与上一行不衔接：有锚点被删除或调换",
                f"anchor line {n} does not follow the line before it: an anchor was removed",
            )  # fmt: skip
        if last is not None and (a.seq < last.seq or a.at < last.at):
            return _bad(
                len(anchors), a.seq, f"审计锚点第 {n} 行的序号或时间倒退",
                f"anchor line {n} goes back in sequence or time",
            )  # fmt: skip
        prev, last = a.mac, a
    return None


def _entries(conn: sa.Connection, batch: int = 5000) -> Iterator[tuple[int, datetime, str]]:
    """(seq, at, hash) of every entry in order, keyset-paged (no cursor left open)."""
    cols = sa.select(audit_log.c.seq, audit_log.c.at, audit_log.c.hash).order_by(audit_log.c.seq)
    after = 0
    while rows := conn.execute(cols.where(audit_log.c.seq > after).limit(batch)).all():
        for seq, at, hash_ in rows:
            yield int(seq), as_utc(at), str(hash_)
        after = int(rows[-1][0])


def check(conn: sa.Connection, settings: Settings) -> AnchorVerdict:
    """Whether the log is consistent with every anchor (see the module's docstring)."""
    path, key = _paths(settings)
    anchors = read_anchors(path)
    count = len(anchors)
    if not anchors:
        return AnchorVerdict(True, 0, f"尚无审计锚点（{path}）", f"no audit anchors yet ({path})")
    if (broken := _signatures(anchors, key)) is not None:
        return broken
    by_seq = {a.seq: a for a in anchors if a.seq > 0}
    pending = sorted(by_seq)  # anchored seqs not yet met in the log
    newest_before: Anchor | None = None  # the newest anchor older than the current entry
    i = 0
    last_seq = 0
    for seq, at, hash_ in _entries(conn):
        last_seq = seq
        while i < len(anchors) and anchors[i].seq < seq:
            newest_before = anchors[i]
            i += 1
        if newest_before is not None and at < newest_before.at - CLOCK_SLACK:
            return _bad(
                count, seq,
                f"审计日志第 {seq} 条在 {newest_before.at:%Y-%m-%d %H:%M} 的锚点（第 "
                f"{newest_before.seq} 条）之后追加，却早于该锚点：伪造的补录条目",
                f"audit entry {seq} was appended after the anchor of "
                f"{newest_before.at:%Y-%m-%d %H:%M} (entry {newest_before.seq}) but is dated "
                "before it: a forged, backdated append",
            )  # fmt: skip
        if seq in by_seq and by_seq[seq].hash != hash_:
            return _bad(
                count, seq,
                f"审计日志第 {seq} 条与 {by_seq[seq].at:%Y-%m-%d %H:%M} 的签名锚点不符："
                "日志被改写并重算哈希",
                f"audit entry {seq} differs from the signed anchor of "
                f"{by_seq[seq].at:%Y-%m-%d %H:%M}: the log was rewritten and rehashed",
            )  # fmt: skip
        if pending and pending[0] < seq:
            return _bad(
                count, pending[0],
                f"审计日志第 {pending[0]} 条已被签名锚点记录，现已缺失：条目被删除",
                f"audit entry {pending[0]} was anchored and is now missing: it was deleted",
            )  # fmt: skip
        if pending and pending[0] == seq:
            pending.pop(0)
    if pending:
        missing = last_seq + 1
        newest = anchors[-1]
        what = "被清空" if last_seq == 0 else "被截断"
        gloss = "wiped" if last_seq == 0 else "truncated"
        return _bad(
            count, missing,
            f"审计日志{what}：{newest.at:%Y-%m-%d %H:%M} 的锚点记录到第 {newest.seq} 条，"
            f"数据库中只有 {last_seq} 条（自第 {missing} 条起缺失）",
            f"the audit log was {gloss}: the anchor of {newest.at:%Y-%m-%d %H:%M} recorded "
            f"{newest.seq} entries, the database holds {last_seq} "
            f"(entries from {missing} on are missing)",
        )  # fmt: skip
    newest = anchors[-1]
    return AnchorVerdict(
        True, count,
        f"审计日志与全部 {count} 个签名锚点一致（最新锚点：第 {newest.seq} 条，"
        f"{newest.at:%Y-%m-%d %H:%M} UTC）",
        f"the audit log agrees with all {count} signed anchors (newest: entry {newest.seq}, "
        f"{newest.at:%Y-%m-%d %H:%M} UTC)",
    )  # fmt: skip
