"""The functions of the platform's own scheduled jobs (registered in ``registry``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gongxin.catalog.registry import get_catalog
from gongxin.clock import local_date
from gongxin.db import calendar
from gongxin.exchange import expiry
from gongxin.records import timeliness
from gongxin.settings import Settings

ACTOR = "worker"
TIMELINESS_PERIODS = ("this-month", "last-month", "this-year")  # the page's common choices


def exchange_sweep(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Append ``expire`` to the change feed for records no longer in force (idempotent; one
    transaction, so a failure appends nothing and the next run does the whole day's work)."""
    with engine.begin() as conn:
        counts = expiry.sweep(conn, get_catalog(settings.catalog_dir), now=now, actor=ACTOR)
    return {"expired": sum(counts.values())} | {f"expired.{k}": v for k, v in counts.items()}


def calendar_sync(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Keep ``calendar_days`` equal to the installed holiday data (rewritten only when the
    ``chinesecalendar`` package was upgraded without a ``gongxin init``)."""
    with engine.begin() as conn:
        return {"rewritten": int(calendar.sync(conn))}


def timeliness_cache(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Recompute today's 双公示 timeliness figures of the page's common periods, so that the
    page reads them from the cache (one transaction per period)."""
    as_of = local_date(now)
    counts = {"periods": len(TIMELINESS_PERIODS)}
    for name in TIMELINESS_PERIODS:
        since, until = timeliness.period_bounds(name, as_of)
        figures = timeliness.report(
            engine, as_of=as_of, now=now, since=since, until=until,
            go_live=settings.go_live_date, refresh=True,
        )  # fmt: skip
        counts[f"records.{name}"] = sum(t.total + t.exempt for t in figures.departments)
    return counts


def supervision_linkage(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Link waiting records without a usable code by the Splink model (one transaction)."""
    from gongxin.supervision.service import run_linkage

    s = run_linkage(engine, get_catalog(settings.catalog_dir), settings, now)
    return {"considered": s.considered, "linked": s.linked, "review": s.review}


def supervision_warnings(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Run the warning rules on the analytics engine and keep the warnings."""
    from gongxin.supervision.service import run_warnings

    s = run_warnings(engine, get_catalog(settings.catalog_dir), settings, now)
    return {"new": s.new, "refreshed": s.refreshed} | {f"found.{k}": v for k, v in s.found.items()}
