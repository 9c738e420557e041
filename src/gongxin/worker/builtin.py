"""The functions of the platform's own scheduled jobs (registered in ``registry``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gongxin.analytics import evaluation, evaluation_model
from gongxin.audit import anchor
from gongxin.catalog.registry import get_catalog
from gongxin.clock import local_date
from gongxin.db import calendar
from gongxin.errors import InvalidInput
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


def audit_anchor(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Sign the audit log's head into the anchor file (docs/audit.md); nothing to do, and
    nothing recorded as a failure, when the deployment has not configured anchors."""
    if settings.audit_anchor_file is None or settings.audit_anchor_key_file is None:
        return {"skipped": 1}
    signed = anchor.anchor(engine, settings, now)
    return {"anchored": 1, "seq": signed.seq}


def outbox(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Send the queued e-mails that are due (a failure stays queued and is retried later)."""
    from gongxin.workflows import notify

    return notify.send_due(engine, settings, now)


def workflow_deadlines(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Remind clerks of objections and repairs due soon; escalate overdue ones to the centre."""
    from gongxin.workflows import deadline_watch

    with engine.begin() as conn:
        return deadline_watch.watch(
            conn, as_of=local_date(now), now=now, rules_path=settings.workflow_rules
        )


def complaint_deadlines(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Mark overdue the complaints whose company let the reply deadline pass (their credit
    records say so, the complainants are told); count those waiting past the triage deadline."""
    from gongxin.market import complaint_service

    catalog = get_catalog(settings.catalog_dir)
    return complaint_service.mark_overdue(engine, catalog, settings, as_of=local_date(now), now=now)


def evaluate(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Run the deployment's evaluation and risk models (GONGXIN_EVALUATION_MODELS) as of
    today; each run writes its results in one transaction, so a failed run leaves the previous
    one current and the next run redoes it. Models not in effect today are skipped."""
    models = evaluation_model.load_models(get_catalog(settings.catalog_dir), settings.models_dir)
    as_of = local_date(now)
    counts: dict[str, int] = {}
    for code in settings.evaluation_models:
        if code not in models:
            raise InvalidInput(
                f"GONGXIN_EVALUATION_MODELS 中的模型“{code}”不存在",
                f"model {code!r} of GONGXIN_EVALUATION_MODELS does not exist",
            )
        if not models[code].in_effect(as_of):
            counts[f"skipped.{code}"] = 1
            continue
        summary = evaluation.evaluate(
            engine, models[code], as_of=as_of, now=now, engine=settings.analytics_engine,
            master=settings.spark_master,
        )  # fmt: skip
        counts[f"subjects.{code}"] = summary.subjects
        counts[f"run.{code}"] = summary.run_id
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


def agency_log_purge(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Delete credit agencies' query-log entries older than ``GONGXIN_AGENCY_LOG_YEARS``."""
    from gongxin.market import agency_statements

    with engine.begin() as conn:
        deleted = agency_statements.purge(conn, years=settings.agency_log_years, now=now)
    return {"deleted": deleted}


def monitoring(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Refresh the monitoring dashboards' figures on the analytics engine (one transaction
    writes them, so a failed run leaves the previous figures on the dashboards)."""
    from gongxin.monitoring import rules, service

    summary = service.refresh(
        engine, get_catalog(settings.catalog_dir), rules.load(settings.monitoring_rules),
        as_of=local_date(now), now=now, go_live=settings.go_live_date,
        engine=settings.analytics_engine, master=settings.spark_master,
    )  # fmt: skip
    return {"run": summary.run_id} | {k.removeprefix("monitoring_"): v
                                      for k, v in summary.rows.items()}  # fmt: skip


def rating_revocations(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Revoke industry-evaluation certificates whose company is on a serious list today and
    flag them for their evaluator (docs/industry-evaluation.md)."""
    from gongxin.market import certificate_status
    from gongxin.market.evaluation_rules import rules

    with engine.begin() as conn:
        revoked = certificate_status.sweep(
            conn, get_catalog(settings.catalog_dir), rules(settings.evaluation_rules),
            as_of=local_date(now), now=now,
        )  # fmt: skip
    return {"revoked": revoked}
