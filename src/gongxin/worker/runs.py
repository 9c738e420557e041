"""Running the scheduled jobs: which are due, each run recorded in ``job_runs``, the loop.

A run is first recorded as ``running`` (committed), then the job runs in its own transactions,
then the run is closed as ``ok`` with its counts or as ``error`` with the error's text. A job is
due when it never ran, when its last run failed (it is retried at the next tick, whatever its
period), or when its period has passed since its last run started. A run left ``running`` by a
worker that died counts as started: the job runs again once its period has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db.platform_tables import job_runs
from gongxin.logs import get_logger
from gongxin.settings import Settings
from gongxin.worker.registry import Job, get, jobs

log = get_logger(__name__)
ERROR_CHARS = 4000


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | ok | error
    counts: dict[str, int]
    error: str | None

    @classmethod
    def of(cls, row: Any) -> Run:
        finished = as_utc(row.finished_at) if row.finished_at is not None else None
        return cls(row.id, row.job, as_utc(row.started_at), finished, row.status,
                   dict(row.counts or {}), row.error)  # fmt: skip

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def last_run(conn: sa.Connection, job: str) -> Run | None:
    row = conn.execute(
        sa.select(job_runs)
        .where(job_runs.c.job == job)
        .order_by(job_runs.c.started_at.desc(), job_runs.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else Run.of(row)


def recent(conn: sa.Connection, *, job: str | None = None, limit: int = 100) -> list[Run]:
    """The latest runs, newest first."""
    query = sa.select(job_runs).order_by(job_runs.c.started_at.desc(), job_runs.c.id.desc())
    if job is not None:
        query = query.where(job_runs.c.job == job)
    return [Run.of(r) for r in conn.execute(query.limit(limit))]


def next_due(job: Job, settings: Settings, last: Run | None, now: datetime) -> datetime | None:
    """When ``job`` is due next: ``now`` when it never ran or its last run failed, None when
    this deployment turned it off."""
    period = job.period(settings)
    if period <= 0:
        return None
    if last is None or last.status == "error":
        return as_utc(now)
    return last.started_at + timedelta(minutes=period)


def is_due(conn: sa.Connection, job: Job, settings: Settings, now: datetime) -> bool:
    due = next_due(job, settings, last_run(conn, job.name), now)
    return due is not None and due <= as_utc(now)


def run(engine: sa.Engine, settings: Settings, job: Job, now: datetime) -> Run:
    """Run ``job`` once, now, and record the run (an error is recorded, not raised)."""
    with engine.begin() as conn:
        run_id = conn.execute(
            job_runs.insert()
            .values(job=job.name, started_at=now, status="running", counts={})
            .returning(job_runs.c.id)
        ).scalar_one()
    started = time.perf_counter()
    status, counts, error = "ok", {}, None
    try:
        counts = {str(k): int(v) for k, v in job.run(engine, settings, now).items()}
    except Exception as exc:  # a job's failure is recorded and retried, never fatal
        status, error = "error", f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        log.exception("worker.job_failed", job=job.name, run=run_id)
    finished = now + timedelta(seconds=time.perf_counter() - started)
    with engine.begin() as conn:
        conn.execute(
            job_runs.update()
            .where(job_runs.c.id == run_id)
            .values(finished_at=finished, status=status, counts=counts, error=error)
        )
        row = conn.execute(sa.select(job_runs).where(job_runs.c.id == run_id)).one()
    log.info("worker.job_done", job=job.name, status=status, **counts)
    return Run.of(row)


def tick(
    engine: sa.Engine,
    settings: Settings,
    now: datetime,
    *,
    only: str | None = None,
    force: bool = False,
) -> list[Run]:
    """Run every due job (``force``: every job, or ``only`` that one, due or not) once."""
    chosen = [get(only)] if only is not None else jobs()
    done = []
    for job in chosen:
        if not force:
            with engine.connect() as conn:
                if not is_due(conn, job, settings, now):
                    continue
        done.append(run(engine, settings, job, now))
    return done


def loop(
    engine: sa.Engine,
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    only: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    ticks: int | None = None,
) -> None:
    """Run the due jobs every ``settings.worker_tick_seconds`` until stopped (or ``ticks``)."""
    count = 0
    while ticks is None or count < ticks:
        tick(engine, settings, clock(), only=only)
        count += 1
        if ticks is None or count < ticks:
            sleep(settings.worker_tick_seconds)
