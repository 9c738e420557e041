"""Data quality per dataset (and per provider department), computed from intake as of a date.

- **Timeliness** (及时性): the days since the last submission that stored anything (a file whose
  rows were not all rejected) against the gap the dataset's update cycle allows
  (:data:`ALLOWED_GAP`); a dataset never submitted, or submitted too long ago, is overdue.
  实时 and 每日 count statutory working days (a Friday delivery is on time on Monday), the
  longer cycles calendar days; 其他 is not judged.
- **Validity** (有效率): rows that passed validation over rows read, over the submissions
  received (since ``since``) up to the end of ``as_of``: ``(rows - rejected) / rows``, where
  accepted, updated and duplicate rows all count as valid.
- **Rejects** and **warnings**: the rows rejected, and the accepted rows stored with a warning.
- **Completeness** (完整性): per field of the current layout, the share of stored records whose
  data holds a value (empty cells are not stored); ``completeness`` is the mean over the
  optional fields (required ones are filled by construction). It is computed over the latest
  ``sample`` records (by storage order; 0 = all) in one SQL aggregate with the dialect's JSON
  key test, so it costs one index-ordered read of at most ``sample`` rows.

Everything is SQL aggregates: no Python loop over records or submissions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec, UpdateCycle
from gongxin.catalog.registry import Catalog
from gongxin.clock import CHINA_TZ, local_date, working_days_between
from gongxin.db import dialect
from gongxin.db.models import departments, records, submissions
from gongxin.identity import departments as depts

DEFAULT_SAMPLE = 20_000  # fill rates within about ±0.7 percentage points (95%)


@dataclass(frozen=True)
class Allowance:
    days: int
    working: bool  # counted in statutory working days, else calendar days

    def __str__(self) -> str:
        return f"{self.days} 个工作日" if self.working else f"{self.days} 天"


# The longest gap between two deliveries each update cycle allows; 其他 is not judged.
ALLOWED_GAP: dict[UpdateCycle, Allowance | None] = {
    "实时": Allowance(1, working=True),
    "每日": Allowance(1, working=True),
    "每周": Allowance(7, working=False),
    "每月": Allowance(31, working=False),
    "每季度": Allowance(92, working=False),
    "每半年": Allowance(183, working=False),
    "每年": Allowance(366, working=False),
    "其他": None,
}


@dataclass(frozen=True)
class FieldFill:
    code: str
    name: str
    required: bool
    filled: int
    rate: float | None  # None when there are no records


@dataclass(frozen=True)
class Quality:
    dataset: str
    name: str
    department: str | None  # None: every provider department together
    as_of: date
    since: date | None
    update_cycle: str
    allowed_gap: str  # e.g. "1 个工作日", "31 天", "不考核"
    last_submission: date | None
    days_since: int | None  # in the allowance's unit
    overdue: bool | None  # None: the cycle is not judged (其他)
    submissions: int
    rows: int
    valid_rows: int
    rejected: int
    warnings: int
    validity: float | None  # valid_rows / rows; None when no rows were read
    records: int  # records stored (current versions)
    sampled: int  # records the fill rates were computed over
    completeness: float | None  # mean fill rate of the optional fields
    fields: tuple[FieldFill, ...]

    @property
    def status(self) -> str:
        """正常 / 逾期 / 未报送 / 不考核: the timeliness in one word."""
        if self.overdue is None:
            return "不考核"
        if self.last_submission is None:
            return "未报送"
        return "逾期" if self.overdue else "正常"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status
        for key in ("as_of", "since", "last_submission"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in China time, in UTC (how timestamps compare)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ).astimezone(UTC)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA_TZ).astimezone(UTC)


def _moment(conn: sa.Connection, moment: datetime) -> datetime:
    """A bound timestamp as each dialect compares it: SQLite stores naive UTC text."""
    return moment.replace(tzinfo=None) if dialect.is_sqlite(conn) else moment


def _intake(
    conn: sa.Connection, dataset: str, as_of: date, since: date | None, dept_id: int | None
) -> tuple[int, int, int, int]:
    s = submissions.c
    query = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(s.rows), 0),
        sa.func.coalesce(sa.func.sum(s.rejected), 0),
        sa.func.coalesce(sa.func.sum(s.warnings), 0),
    ).where(s.dataset == dataset, s.received_at < _moment(conn, end_of(as_of)))
    if since is not None:
        query = query.where(s.received_at >= _moment(conn, start_of(since)))
    if dept_id is not None:
        query = query.where(s.department_id == dept_id)
    count, rows, rejected, warnings = conn.execute(query).one()
    return int(count), int(rows), int(rejected), int(warnings)


def _last_stored(
    conn: sa.Connection, dataset: str, as_of: date, dept_id: int | None
) -> date | None:
    """The day (China time) of the last submission that stored anything, at any time."""
    s = submissions.c
    query = sa.select(sa.func.max(s.received_at)).where(
        s.dataset == dataset, s.rows > s.rejected, s.received_at < _moment(conn, end_of(as_of))
    )
    if dept_id is not None:
        query = query.where(s.department_id == dept_id)
    last = conn.execute(query).scalar_one()
    if last is None:
        return None
    if isinstance(last, str):  # pragma: no cover - a driver that returns text
        last = datetime.fromisoformat(last)
    return local_date(last)


def _fills(
    conn: sa.Connection, spec: DatasetSpec, as_of: date, dept_id: int | None, sample: int | None
) -> tuple[int, int, list[int]]:
    """(records stored, records sampled, filled count per field of the current layout)."""
    r = records.c
    where = [r.dataset == spec.code, r.created_at < _moment(conn, end_of(as_of))]
    if dept_id is not None:
        dept_subs = sa.select(submissions.c.id).where(submissions.c.department_id == dept_id)
        where.append(r.submission_id.in_(dept_subs))
    total = int(conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one())
    if sample is None:
        return total, 0, [0 for _ in spec.fields]
    inner = sa.select(r.data).where(*where)
    if sample > 0:
        inner = inner.order_by(r.id.desc()).limit(sample)
    sub = inner.subquery()
    one = sa.literal(1)
    counts = [
        sa.func.coalesce(sa.func.sum(sa.case((dialect.json_has(conn, sub.c.data, f.code), one))), 0)
        for f in spec.fields
    ]
    row = conn.execute(sa.select(sa.func.count(), *counts).select_from(sub)).one()
    return total, int(row[0]), [int(v) for v in row[1:]]


def _gap(
    allowance: Allowance | None, last: date | None, as_of: date
) -> tuple[int | None, bool | None]:
    if allowance is None:
        return (None if last is None else (as_of - last).days), None
    if last is None:
        return None, True
    days = working_days_between(last, as_of) if allowance.working else (as_of - last).days
    return days, days > allowance.days


def quality(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    department: str | None = None,
    since: date | None = None,
    sample: int = DEFAULT_SAMPLE,
    fills: bool = True,
) -> Quality:
    """The quality figures of one dataset, of one provider department or of all of them.

    ``fills=False`` skips the fill rates (and completeness): for overviews of many datasets.
    """
    spec = catalog.get(dataset)
    dept_id = depts.get(conn, department).id if department is not None else None
    count, rows, rejected, warnings = _intake(conn, spec.code, as_of, since, dept_id)
    last = _last_stored(conn, spec.code, as_of, dept_id)
    allowance = ALLOWED_GAP[spec.update_cycle]
    days, overdue = _gap(allowance, last, as_of)
    stored, sampled, filled = _fills(conn, spec, as_of, dept_id, sample if fills else None)
    fields = tuple(
        FieldFill(f.code, f.name, f.required, n, (n / sampled) if sampled else None)
        for f, n in zip(spec.fields, filled, strict=True)
    )
    optional = [
        x.rate
        for x, f in zip(fields, spec.fields, strict=True)
        if not f.required and f.required_when is None and x.rate is not None
    ]
    valid = int(rows) - int(rejected)
    return Quality(
        dataset=spec.code,
        name=spec.name,
        department=department,
        as_of=as_of,
        since=since,
        update_cycle=spec.update_cycle,
        allowed_gap=str(allowance) if allowance else "不考核",
        last_submission=last,
        days_since=days,
        overdue=overdue,
        submissions=int(count),
        rows=int(rows),
        valid_rows=valid,
        rejected=int(rejected),
        warnings=int(warnings),
        validity=(valid / int(rows)) if rows else None,
        records=stored,
        sampled=sampled,
        completeness=(sum(optional) / len(optional)) if optional else None,
        fields=fields,
    )


def quality_all(
    conn: sa.Connection,
    catalog: Catalog,
    *,
    as_of: date,
    department: str | None = None,
    since: date | None = None,
    sample: int = DEFAULT_SAMPLE,
    fills: bool = True,
) -> list[Quality]:
    """The quality figures of every dataset of the catalog."""
    return [
        quality(conn, catalog, spec.code, as_of=as_of, department=department, since=since,
                sample=sample, fills=fills)
        for spec in catalog
    ]  # fmt: skip


def by_department(
    conn: sa.Connection,
    catalog: Catalog,
    dataset: str,
    *,
    as_of: date,
    since: date | None = None,
    sample: int = DEFAULT_SAMPLE,
    fills: bool = True,
) -> list[Quality]:
    """The quality figures of one dataset for each department that ever submitted it."""
    spec = catalog.get(dataset)
    names = conn.execute(
        sa.select(departments.c.name)
        .where(
            departments.c.id.in_(
                sa.select(submissions.c.department_id).where(submissions.c.dataset == spec.code)
            )
        )
        .order_by(departments.c.name)
    ).scalars()
    return [
        quality(conn, catalog, spec.code, as_of=as_of, department=name, since=since,
                sample=sample, fills=fills)
        for name in list(names)
    ]  # fmt: skip
