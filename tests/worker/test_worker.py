"""``gongxin worker``: scheduled jobs run, each run recorded; a failed job is recorded with its
error and retried at the next tick; the centre's admins read the runs at /admin/jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.audit import anchor
from gongxin.db import report_cache
from gongxin.db.evaluation_tables import evaluation_runs
from gongxin.db.monitoring_tables import monitoring_runs
from gongxin.db.platform_tables import calendar_days, job_runs
from gongxin.identity import departments
from gongxin.records.timeliness import cache_key
from gongxin.settings import Settings
from gongxin.worker import registry, runs
from gongxin.worker.registry import Job
from tests.intake.helpers import Store, penalty_row
from tests.support.cli import Cli

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
BEIJING_DAY = date(2026, 11, 20)


def _settings(store: Store, **values: object) -> Settings:
    return Settings(database_url=str(store.engine.url), **values)  # type: ignore[arg-type]


def test_one_tick_runs_every_job_and_records_it(store: Store) -> None:
    store.ingest(store.penalties("p.csv", [penalty_row(1, CF_JDRQ="2026-11-02")]), as_of=NOW)
    done = runs.tick(store.engine, _settings(store), NOW, force=True)
    assert [r.job for r in done] == [j.name for j in registry.jobs()]
    assert {"exchange-sweep", "timeliness-cache"} <= {r.job for r in done}
    assert all(r.status == "ok" and r.finished_at and r.error is None for r in done)
    by_job = {r.job: r for r in done}
    assert by_job["timeliness-cache"].counts == {
        "periods": 3,
        "records.this-month": 1,
        "records.last-month": 0,
        "records.this-year": 1,
    }
    assert "expired" in by_job["exchange-sweep"].counts
    assert by_job["calendar-sync"].counts == {"rewritten": 0}  # init made it current
    evaluated = by_job["evaluate"].counts  # the default models, each a complete run
    assert set(evaluated) == {"subjects.shandong_1000", "run.shandong_1000",
                              "subjects.samr_risk", "run.samr_risk"}  # fmt: skip
    with store.engine.connect() as conn:
        statuses = conn.execute(sa.select(evaluation_runs.c.model, evaluation_runs.c.status))
        assert sorted(statuses) == [("samr_risk", "complete"), ("shandong_1000", "complete")]
    # the penalty links by its code; nothing waits for the linkage model, nothing is warned of
    assert by_job["supervision-linkage"].counts == {"considered": 0, "linked": 0, "review": 0}
    assert by_job["supervision-warnings"].counts["new"] == 0
    assert by_job["agency-log-purge"].counts == {"deleted": 0}  # no agency has queried
    # the monitoring figures: one complete run, the penalty's department scored
    monitored = by_job["monitoring"].counts
    assert monitored["run"] >= 1 and monitored["scorecards"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(monitoring_runs.c.status)).scalars().all() == ["complete"]
    assert by_job["rating-revocations"].counts == {"revoked": 0}  # nothing rated
    with store.engine.connect() as conn:
        assert [r.id for r in runs.recent(conn)] == sorted((r.id for r in done), reverse=True)
        # the page's default period is in the cache for the day
        key = cache_key(date(2026, 11, 1), BEIJING_DAY, 7, None)
        cached = report_cache.get(conn, key, BEIJING_DAY)
    assert cached is not None and cached[0][0]["total"] == 1


def test_jobs_run_when_due_and_intervals_come_from_settings(store: Store) -> None:
    intervals = {"exchange-sweep": 0, "calendar-sync": 0, "audit-anchor": 0, "timeliness-cache": 30}
    intervals |= {"outbox": 0, "workflow-deadlines": 0, "evaluate": 0, "complaint-deadlines": 0}
    intervals |= {"supervision-linkage": 0, "supervision-warnings": 0, "agency-log-purge": 0}
    intervals |= {"monitoring": 0, "rating-revocations": 0}
    settings = _settings(store, worker_intervals=intervals)
    first = runs.tick(store.engine, settings, NOW)
    assert [r.job for r in first] == ["timeliness-cache"]  # the sweep is turned off
    assert runs.tick(store.engine, settings, NOW + timedelta(minutes=29)) == []
    again = runs.tick(store.engine, settings, NOW + timedelta(minutes=30))
    assert [r.job for r in again] == ["timeliness-cache"]


def test_a_failing_job_is_recorded_and_retried_at_the_next_tick(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[datetime] = []

    def flaky(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
        calls.append(now)
        with engine.begin() as conn:  # one transaction per batch: the failure rolls it back
            departments.add(conn, f"半途部门{len(calls)}", kind="user", code=None, now=now)
            if len(calls) == 1:
                raise RuntimeError("数据源暂不可用 (source unavailable)")
        return {"done": 1}

    monkeypatch.setitem(registry._jobs, "flaky", Job("flaky", "测试", 24 * 60, flaky))
    settings = _settings(store)
    (failed,) = runs.tick(store.engine, settings, NOW, only="flaky")
    assert failed.status == "error" and failed.finished_at is not None
    assert failed.error == "RuntimeError: 数据源暂不可用 (source unavailable)"
    with store.engine.connect() as conn:
        names = {d.name for d in departments.all_departments(conn)}
    assert "半途部门1" not in names  # nothing of the failed run was kept
    # the next tick, a minute later, retries it although its period is a day
    (retried,) = runs.tick(store.engine, settings, NOW + timedelta(minutes=1), only="flaky")
    assert (retried.status, retried.counts, retried.error) == ("ok", {"done": 1}, None)
    assert runs.tick(store.engine, settings, NOW + timedelta(minutes=2), only="flaky") == []
    with store.engine.connect() as conn:
        statuses = [r.status for r in runs.recent(conn, job="flaky")]
    assert statuses == ["ok", "error"]


def test_unknown_job_is_refused_by_name(store: Store) -> None:
    with pytest.raises(Exception, match="没有名为“nope”的定时任务"):
        runs.tick(store.engine, _settings(store), NOW, only="nope")


def test_worker_once_records_runs(cli: Cli) -> None:
    cli.ok("init")
    result = cli.ok("worker", "--once")
    assert "exchange-sweep" in result.stdout and "timeliness-cache" in result.stdout
    assert "outbox" in result.stdout and "workflow-deadlines" in result.stdout
    every = len(registry.jobs())
    assert cli.scalar(sa.select(sa.func.count()).select_from(job_runs)) == every
    assert cli.scalar(sa.select(sa.func.count()).where(job_runs.c.status == "ok")) == every
    one = cli.ok("worker", "--once", "--job", "timeliness-cache")
    assert "timeliness-cache" in one.stdout and "exchange-sweep" not in one.stdout
    bad = cli("worker", "--once", "--job", "nope")
    assert bad.exit_code == 2 and "nope" in bad.stderr


def test_calendar_sync_repairs_a_stale_calendar(store: Store) -> None:
    make_up = date(2026, 10, 10)  # a Saturday worked (国庆调休)
    c = calendar_days.c
    with store.engine.begin() as conn:  # as if written by an older chinesecalendar
        conn.execute(calendar_days.update().where(c.day == make_up).values(is_working=False))
    (done,) = runs.tick(store.engine, _settings(store), NOW, only="calendar-sync", force=True)
    assert done.counts == {"rewritten": 1}
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(c.is_working).where(c.day == make_up)).scalar_one() is True


def test_the_loop_sleeps_a_tick_between_rounds(store: Store) -> None:
    settings = _settings(store, worker_tick_seconds=5, worker_intervals={"exchange-sweep": 0})
    moments = iter([NOW, NOW + timedelta(seconds=5)])
    slept: list[float] = []
    runs.loop(store.engine, settings, lambda: next(moments), sleep=slept.append, ticks=2)
    assert slept == [5]
    with store.engine.connect() as conn:
        done = runs.recent(conn)
    # the first round ran the jobs that are on; in the second nothing was due yet
    on = sorted(j.name for j in registry.jobs() if j.name != "exchange-sweep")
    assert sorted(r.job for r in done) == on


def test_the_anchor_job_signs_the_audit_head_when_anchors_are_configured(
    store: Store, tmp_path: Path
) -> None:
    store.ingest(store.penalties("p.csv", [penalty_row(1, CF_JDRQ="2026-11-02")]), as_of=NOW)
    unconfigured = runs.tick(store.engine, _settings(store), NOW, only="audit-anchor", force=True)
    assert [(r.status, r.counts) for r in unconfigured] == [("ok", {"skipped": 1})]
    key = tmp_path / "anchor.key"
    key.write_text("7f" * 32)  # a key the database never holds
    settings = _settings(
        store, audit_anchor_file=tmp_path / "anchors.jsonl", audit_anchor_key_file=key
    )
    done = runs.tick(
        store.engine, settings, NOW + timedelta(hours=1), only="audit-anchor", force=True
    )
    assert (done[0].status, done[0].error) == ("ok", None) and done[0].counts["anchored"] == 1
    lines = (tmp_path / "anchors.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 1
    with store.engine.connect() as conn:
        assert anchor.check(conn, settings).ok
