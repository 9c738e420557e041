"""Reading the audit log: filtered pages, newest first, and a CSV export, for auditors.

Filters combine (AND): the action and the actor (exact), the acting department, and a range of
China calendar dates (both ends included). Pages are keyset-paged on ``seq`` (``before``), so
a page costs the same at the end of a long log as at its head. Reading the log is itself
audited by the caller (``record_read``, action ``audit.read``), so auditors' reads are
traceable like everyone else's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin import formulas
from gongxin.audit import log as audit
from gongxin.audit.log import Entry
from gongxin.clock import CHINA_TZ
from gongxin.db.audit_tables import audit_log
from gongxin.errors import InvalidInput

READ_ACTION = "audit.read"
CSV_COLUMNS = ("序号", "时间", "操作者", "部门", "动作", "对象", "用途", "详情")
BATCH = 2000


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    actor: str | None = None
    department_id: int | None = None
    since: date | None = None  # China dates, both ends included
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until < self.since:
            raise InvalidInput(
                f"截止日期 {self.until.isoformat()} 早于起始日期 {self.since.isoformat()}",
                "the end date is before the start date",
            )

    def to_dict(self) -> dict[str, Any]:
        """The filters that are set, as the audit entry of a read records them."""
        out = {k: v for k, v in asdict(self).items() if v is not None}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in out.items()}


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    before: int | None  # where this page started (None: the newest entry)
    next_before: int | None  # pass as ``before`` for the next (older) page; None: no more


def _start_of(day: date) -> datetime:
    """The UTC moment at which ``day`` begins in China."""
    return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)


def _where(filters: Filters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.action:
        where.append(audit_log.c.action == filters.action)
    if filters.actor:
        where.append(audit_log.c.actor == filters.actor)
    if filters.department_id is not None:
        where.append(audit_log.c.department_id == filters.department_id)
    if filters.since:
        where.append(audit_log.c.at >= _start_of(filters.since))
    if filters.until:
        where.append(audit_log.c.at < _start_of(filters.until + timedelta(days=1)))
    return where


def page(
    conn: sa.Connection, filters: Filters, *, before: int | None = None, size: int = 50
) -> Page:
    """Up to ``size`` matching entries with ``seq < before``, newest first."""
    query = sa.select(audit_log).where(*_where(filters))
    if before is not None:
        query = query.where(audit_log.c.seq < before)
    rows = conn.execute(query.order_by(audit_log.c.seq.desc()).limit(size + 1)).all()
    found = [audit.entry_of(r) for r in rows[:size]]
    more = len(rows) > size and found
    return Page(found, before, found[-1].seq if more else None)


def matching(conn: sa.Connection, filters: Filters, *, below: int | None = None) -> Iterator[Entry]:
    """Every matching entry (``seq < below``), newest first, read in batches."""
    before = below
    while True:
        chunk = page(conn, filters, before=before, size=BATCH)
        yield from chunk.entries
        if chunk.next_before is None:
            return
        before = chunk.next_before


def actions(conn: sa.Connection) -> list[str]:
    """The actions the log holds, for the filter's choices."""
    return list(conn.execute(sa.select(audit_log.c.action).distinct().order_by("action")).scalars())


def detail_json(detail: dict[str, Any]) -> str:
    """The detail as compact JSON (keys sorted, Chinese kept as is)."""
    return orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode()


def local_time(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def csv_chunks(rows: Iterator[Entry], department_names: dict[int, str]) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with BOM, for Excel), in chunks of about BATCH rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff".encode()
    writer.writerow(CSV_COLUMNS)
    for n, e in enumerate(rows, 1):
        dept = department_names.get(e.department_id, "") if e.department_id is not None else ""
        cells = (e.seq, local_time(e.at), e.actor, dept, e.action, e.target, e.purpose,
                 detail_json(e.detail))  # fmt: skip
        writer.writerow(formulas.csv_row(cells))
        if n % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def record_read(
    conn: sa.Connection,
    *,
    actor: str,
    department_id: int | None,
    now: datetime,
    filters: Filters,
    what: str,
    rows: int | None = None,
) -> int:
    """Note that someone read the audit log (page or export, with which filters); the seq."""
    detail: dict[str, Any] = {"filters": filters.to_dict(), "format": what}
    if rows is not None:
        detail["rows"] = rows
    return audit.record(
        conn,
        actor=actor,
        action=READ_ACTION,
        target="audit_log",
        now=now,
        department_id=department_id,
        detail=detail,
    )
