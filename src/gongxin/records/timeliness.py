"""双公示 timeliness: did licences and penalties reach the platform within the deadline?

国办发〔2015〕51号 asks for 行政许可 and 行政处罚 decisions online within 7 working days (🟡: the
default, a parameter here). A record arrived on time when its first submission was received no
later than the 7th statutory working day (调休 included, see ``clock``) after its decision date.
Counted per provider department (the department of that first submission), with the late
records listed a page at a time.

Everything is SQL over the ``calendar_days`` working-day index: a record is late when the working
days strictly before its arrival day, less the working index of its decision day, reach the
deadline — two lookups per record, whatever the distance. History does not count: records whose
first submission was a back-load (存量补录, ``submissions.backload``) or that were decided before
the deployment's go-live date (``GONGXIN_GO_LIVE_DATE``) are counted as ``exempt``, neither on
time nor late.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db import report_cache
from gongxin.db.calendar import china_date, clamped
from gongxin.db.models import departments, record_history, records, submissions
from gongxin.db.platform_tables import calendar_days
from gongxin.errors import InvalidInput

DATASETS = ("licence", "penalty")
DEFAULT_WORKING_DAYS = 7
MAX_PAGE = 100_000
DOCUMENT_NUMBER = {"licence": "XK_WSH", "penalty": "CF_WSH"}  # 决定文书号
PERIODS = {
    "this-month": ("本月", "this month"),
    "last-month": ("上月", "last month"),
    "this-year": ("本年", "this year"),
    "last-year": ("上年", "last year"),
    "all": ("全部", "all"),
}
Period = Literal["this-month", "last-month", "this-year", "last-year", "all"]


@dataclass(frozen=True)
class LateRecord:
    record_id: int
    dataset: str
    department: str
    document_number: str | None  # 决定文书号
    decision_date: date
    arrived: date
    working_days: int  # working days from the decision to arrival


@dataclass(frozen=True)
class Timeliness:
    department: str
    total: int = 0  # judged: on time + late (exempt records are not judged)
    on_time: int = 0
    exempt: int = 0  # back-loaded, or decided before go-live

    @property
    def late(self) -> int:
        return self.total - self.on_time

    @property
    def share(self) -> float:
        """The share of records on time (1.0 when there are none)."""
        return self.on_time / self.total if self.total else 1.0


def period_bounds(name: str, as_of: date) -> tuple[date | None, date | None]:
    """The decision dates of a named period, as of a day; ``all`` has no bounds."""
    month = as_of.replace(day=1)
    if name == "this-month":
        return month, as_of
    if name == "last-month":
        end = month - timedelta(days=1)
        return end.replace(day=1), end
    if name == "this-year":
        return as_of.replace(month=1, day=1), as_of
    if name == "last-year":
        return date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)
    if name == "all":
        return None, None
    raise InvalidInput(
        f"统计期间有误：{name[:20]}，应为 {'、'.join(PERIODS)} 之一",
        f"period must be one of {', '.join(PERIODS)}: {name[:20]}",
    )


def _base(
    conn: sa.Connection,
    since: date | None,
    until: date | None,
    working_days: int,
    go_live: date | None,
) -> sa.Subquery:
    """One row per licence or penalty decided in the period: its department, arrival, whether
    it is exempt and whether it is late."""
    first = (
        sa.select(record_history.c.submission_id)
        .where(record_history.c.record_id == records.c.id, record_history.c.version == 1)
        .scalar_subquery()
    )
    # stored with the submission; computed for rows written without it (raw bulk loads)
    arrived_day = sa.func.coalesce(
        submissions.c.received_on, china_date(conn, submissions.c.received_at), type_=sa.Date
    )
    arrival, decision = calendar_days.alias("arrival"), calendar_days.alias("decision")
    arrived_index = clamped(arrival, arrived_day)
    decided_index = clamped(decision, records.c.event_date)
    working_before = arrived_index - sa.func.coalesce(
        sa.case((arrival.c.is_working, 1), else_=0), 0
    )
    exempt: sa.ColumnElement[bool] = submissions.c.backload
    if go_live is not None:
        exempt = sa.or_(exempt, records.c.event_date < go_live)
    query = (
        sa.select(
            records.c.id,
            records.c.dataset,
            records.c.event_date,
            departments.c.name.label("department"),
            arrived_day.label("arrived"),
            (arrived_index - decided_index).label("working_days"),
            sa.case((exempt, 1), else_=0).label("exempt"),
            sa.case((working_before - decided_index >= working_days, 1), else_=0).label("late"),
        )
        .select_from(records)
        .join(submissions, submissions.c.id == sa.func.coalesce(first, records.c.submission_id))
        .join(departments, departments.c.id == submissions.c.department_id)
        .outerjoin(arrival, arrival.c.day == arrived_day)
        .outerjoin(decision, decision.c.day == records.c.event_date)
        .where(records.c.dataset.in_(DATASETS), records.c.event_date.is_not(None))
    )
    if since is not None:
        query = query.where(records.c.event_date >= since)
    if until is not None:
        query = query.where(records.c.event_date <= until)
    return query.subquery("judged")


def timeliness(
    conn: sa.Connection,
    *,
    since: date | None = None,
    until: date | None = None,
    working_days: int = DEFAULT_WORKING_DAYS,
    go_live: date | None = None,
) -> list[Timeliness]:
    """Per provider department, licences and penalties decided in [since, until]: one
    aggregate query."""
    j = _base(conn, since, until, working_days, go_live)
    judged = sa.func.sum(1 - j.c.exempt)
    late = sa.func.sum(sa.case((j.c.exempt == 0, j.c.late), else_=0))
    query = (
        sa.select(j.c.department, judged, late, sa.func.sum(j.c.exempt))
        .group_by(j.c.department)
        .order_by(j.c.department)
    )
    return [
        Timeliness(name, int(total or 0), int(total or 0) - int(n_late or 0), int(n_exempt or 0))
        for name, total, n_late, n_exempt in conn.execute(query)
    ]


def late_records(
    conn: sa.Connection,
    *,
    since: date | None = None,
    until: date | None = None,
    working_days: int = DEFAULT_WORKING_DAYS,
    go_live: date | None = None,
    department: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[LateRecord], bool]:
    """One page of the late records (by department, decision date, id), with their 文书号, and
    whether another page follows."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            f"页码须在 1 到 {MAX_PAGE} 之间：{page}", f"page must be from 1 to {MAX_PAGE}: {page}"
        )
    j = _base(conn, since, until, working_days, go_live)
    query = (
        sa.select(j.c.id, j.c.dataset, j.c.department, j.c.event_date, j.c.arrived)
        .add_columns(j.c.working_days)
        .where(j.c.late == 1, j.c.exempt == 0)
        .order_by(j.c.department, j.c.event_date, j.c.id)
        .limit(size + 1)
        .offset((page - 1) * size)
    )
    if department:
        query = query.where(j.c.department == department)
    found = conn.execute(query).all()
    more, found = len(found) > size, found[:size]
    data = dict(
        conn.execute(
            sa.select(records.c.id, records.c.data).where(records.c.id.in_([r.id for r in found]))
        ).all()
    )
    page_of = [
        LateRecord(
            record_id=r.id,
            dataset=r.dataset,
            department=r.department,
            document_number=_document_number(r.dataset, data.get(r.id)),
            decision_date=_as_date(r.event_date),
            arrived=_as_date(r.arrived),
            working_days=max(0, int(r.working_days)),
        )
        for r in found
    ]
    return page_of, more


def _document_number(dataset: str, data: Any) -> str | None:
    value = data.get(DOCUMENT_NUMBER[dataset]) if isinstance(data, dict) else None
    return str(value) if value else None


def _as_date(value: Any) -> date:
    """SQLite hands a computed date back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# -- the per-day cache --------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The per-department figures of a period, as computed at ``computed_at``."""

    since: date | None
    until: date | None
    working_days: int
    go_live: date | None
    departments: list[Timeliness]
    computed_at: datetime


def cache_key(
    since: date | None, until: date | None, working_days: int, go_live: date | None
) -> str:
    parts = (since, until, working_days, go_live)
    return "timeliness:" + ":".join("" if p is None else str(p) for p in parts)


def report(
    engine: sa.Engine,
    *,
    as_of: date,
    now: datetime,
    since: date | None,
    until: date | None,
    working_days: int = DEFAULT_WORKING_DAYS,
    go_live: date | None = None,
    refresh: bool = False,
) -> Report:
    """The figures of [since, until], computed at most once per China day (``as_of``) unless
    ``refresh`` asks for a new computation (the worker's refresh job)."""
    key = cache_key(since, until, working_days, go_live)
    with engine.connect() as conn:
        found = None if refresh else report_cache.get(conn, key, as_of)
        if found is None:
            counts = timeliness(
                conn, since=since, until=until, working_days=working_days, go_live=go_live
            )
    if found is not None:
        payload, computed_at = found
        counts = [Timeliness(**entry) for entry in payload]
        return Report(since, until, working_days, go_live, counts, as_utc(computed_at))
    try:
        with engine.begin() as conn:
            report_cache.put(conn, key, as_of, [asdict(t) for t in counts], now)
            if refresh:  # the late pages cached earlier today follow the new figures
                report_cache.forget(conn, f"{key}:late:", as_of)
    except sa.exc.IntegrityError:
        pass  # another process stored the same day's figures at the same moment
    return Report(since, until, working_days, go_live, counts, now)


def late_page(
    engine: sa.Engine,
    *,
    as_of: date,
    now: datetime,
    since: date | None,
    until: date | None,
    working_days: int = DEFAULT_WORKING_DAYS,
    go_live: date | None = None,
    department: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[LateRecord], bool]:
    """``late_records``, each page computed at most once per China day (``as_of``)."""
    key = f"{cache_key(since, until, working_days, go_live)}:late:{department or ''}:{page}:{size}"
    cacheable = len(key) <= 200  # a department name too long for a key is simply not cached
    with engine.connect() as conn:
        found = report_cache.get(conn, key, as_of) if cacheable else None
        if found is not None:
            payload = found[0]
            late = [_late_from_json(x) for x in payload["records"]]
            return late, bool(payload["more"])
        late, more = late_records(
            conn, since=since, until=until, working_days=working_days, go_live=go_live,
            department=department, page=page, size=size,
        )  # fmt: skip
    if cacheable:
        payload = {"records": [_late_to_json(x) for x in late], "more": more}
        try:
            with engine.begin() as conn:
                report_cache.put(conn, key, as_of, payload, now)
        except sa.exc.IntegrityError:
            pass  # another process stored the same page at the same moment
    return late, more


def _late_to_json(x: LateRecord) -> dict[str, Any]:
    values = asdict(x)
    return values | {"decision_date": x.decision_date.isoformat(), "arrived": x.arrived.isoformat()}


def _late_from_json(values: dict[str, Any]) -> LateRecord:
    return LateRecord(**(values | {
        "decision_date": date.fromisoformat(values["decision_date"]),
        "arrived": date.fromisoformat(values["arrived"]),
    }))  # fmt: skip
