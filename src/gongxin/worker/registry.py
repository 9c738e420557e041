"""The scheduled jobs: each a name, a title, a default period and a function.

A job function takes the engine, the settings and the moment of the run (``now``, from the
worker's clock; it never reads the wall clock itself) and returns what it did as counts by name.
It opens its own transactions — one per batch of decisions at most — so that a failure rolls
back the batch it was in and the next run resumes from the store's state: a job must be safe to
run again after a failure (idempotent), never half-applying a decision.

To add a job: write its function in the module of its area, then one ``register(Job(...))``
line in ``_register_builtin`` below. Its period is overridable per deployment in
``GONGXIN_WORKER_INTERVALS`` (minutes; 0 turns it off).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gongxin.errors import InvalidInput
from gongxin.settings import Settings

JobFunction = Callable[[sa.Engine, Settings, datetime], dict[str, int]]


@dataclass(frozen=True)
class Job:
    name: str  # stable: the key in job_runs and in GONGXIN_WORKER_INTERVALS
    title: str  # 中文名称 (English gloss), shown in the back office
    every_minutes: int  # the default period between two runs
    run: JobFunction

    def period(self, settings: Settings) -> int:
        """Minutes between runs in this deployment; 0 = off."""
        return settings.worker_intervals.get(self.name, self.every_minutes)


_jobs: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in _jobs and _jobs[job.name] is not job:
        raise ValueError(f"job {job.name!r} registered twice")
    _jobs[job.name] = job
    return job


def jobs() -> list[Job]:
    """Every registered job, in registration order."""
    _register_builtin()
    return list(_jobs.values())


def get(name: str) -> Job:
    _register_builtin()
    try:
        return _jobs[name]
    except KeyError:
        known = "、".join(_jobs)
        raise InvalidInput(
            f"没有名为“{name[:64]}”的定时任务；现有：{known}",
            f"no scheduled job {name[:64]!r}; known: {', '.join(_jobs)}",
        ) from None


_builtin_done = False


def _register_builtin() -> None:
    """The platform's own jobs (imported late: each pulls in its area)."""
    global _builtin_done
    if _builtin_done:
        return
    _builtin_done = True
    from gongxin.worker import builtin

    register(Job("exchange-sweep", "变更订阅到期处理 (change-feed expiry sweep)", 24 * 60,
                 builtin.exchange_sweep))  # fmt: skip
    register(Job("calendar-sync", "工作日日历同步 (working-day calendar sync)",
                 24 * 60, builtin.calendar_sync))  # fmt: skip
    register(Job("timeliness-cache", "双公示及时率统计 (timeliness figures of the day)", 60,
                 builtin.timeliness_cache))  # fmt: skip
    register(Job("audit-anchor", "审计日志锚定 (sign the audit log's head)", 60,
                 builtin.audit_anchor))  # fmt: skip
    register(Job("outbox", "邮件发送 (send queued e-mails, retried on failure)", 1,
                 builtin.outbox))  # fmt: skip
    register(Job("workflow-deadlines", "异议与信用修复期限提醒 (objection and repair deadlines)",
                 24 * 60, builtin.workflow_deadlines))  # fmt: skip
    register(Job("complaint-deadlines", "信用投诉逾期标记 (complaints past the reply deadline)",
                 24 * 60, builtin.complaint_deadlines))  # fmt: skip
    register(Job("evaluate", "信用评价与风险分类 (credit evaluation and risk classes)", 24 * 60,
                 builtin.evaluate))  # fmt: skip
    register(Job("supervision-linkage", "主体匹配 (probabilistic linkage of waiting records)",
                 24 * 60, builtin.supervision_linkage))  # fmt: skip
    register(Job("supervision-warnings", "预警规则运行 (warning rules on the analytics engine)",
                 24 * 60, builtin.supervision_warnings))  # fmt: skip
    register(Job("agency-log-purge", "征信查询日志清理 (purge agency query logs past retention)",
                 24 * 60, builtin.agency_log_purge))  # fmt: skip
    register(Job("monitoring", "经济运行监测数据刷新 (monitoring dashboards' figures)", 24 * 60,
                 builtin.monitoring))  # fmt: skip
    register(Job("rating-revocations", "评价证书自动撤销 (revoke listed companies' ratings)",
                 24 * 60, builtin.rating_revocations))  # fmt: skip
    # Later jobs go here, each one line: evaluations, warnings, deadline reminders, e-mails,
    # ... (see the module docstring for what a job must guarantee).
