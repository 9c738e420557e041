"""``gongxin worker``: the platform's scheduled jobs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.worker import registry, runs


@common.reports_errors
def worker(
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="每个任务立即运行一次后退出 (run every job once now, then exit)"
        ),
    ] = False,
    job: Annotated[
        str | None, typer.Option("--job", help="只运行此任务 (only this job, by name)")
    ] = None,
) -> None:
    """运行定时任务 (run the scheduled jobs: change-feed expiry, cache refreshes, ...)."""
    engine, settings = common.engine(), common.settings()
    if job is not None:
        registry.get(job)  # an unknown name is refused before anything runs
    if not once:
        names = "、".join(j.name for j in registry.jobs())
        common.err.print(f"定时任务运行中 (worker running): {names}；Ctrl-C 停止", markup=False)
        try:
            runs.loop(engine, settings, common.now, only=job)
        except KeyboardInterrupt:
            return
        return
    done = runs.tick(engine, settings, common.now(), only=job, force=True)
    table = Table("任务 job", "状态 status", "耗时 seconds", "结果 counts / error")
    for run in done:
        detail = run.error or "，".join(f"{k} {v}" for k, v in run.counts.items()) or "—"
        table.add_row(run.job, run.status, f"{run.seconds or 0:.2f}", detail)
    common.out.print(table)
    if any(r.status == "error" for r in done):
        raise typer.Exit(1)
