"""``gongxin analytics``: list the batch jobs and run one on DuckDB or Spark."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongxin.analytics import jobs, runs
from gongxin.cli import common
from gongxin.clock import local_date

app = typer.Typer(
    help="批量分析作业 (batch analytics jobs on DuckDB or Spark)", no_args_is_help=True
)


@app.command("jobs")
def list_jobs(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出分析作业 (list the jobs)."""
    table = Table("作业 job", "说明 what it answers", "读取 reads")
    for job in jobs.JOBS.values():
        table.add_row(job.name, job.title, ", ".join(job.inputs))
    common.show(table, as_json, out_file)


@app.command("run")
@common.reports_errors
def run(
    name: Annotated[str, typer.Argument(help="作业名 (job name; see gongxin analytics jobs)")],
    engine: Annotated[
        str | None, typer.Option(help="duckdb | spark (default: GONGXIN_ANALYTICS_ENGINE)")
    ] = None,
    master: Annotated[
        str | None, typer.Option(help="Spark master (default: GONGXIN_SPARK_MASTER)")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="评价日期 YYYY-MM-DD (default: today)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="结果文件 .csv | .parquet")] = None,
) -> None:
    """运行一个分析作业 (run one job over a fresh snapshot of the store)."""
    settings = common.settings()
    now = common.now()
    day = date.fromisoformat(as_of) if as_of else local_date(now)
    answer = runs.execute(
        common.engine(),
        name,
        as_of=day,
        now=now,
        engine=engine or settings.analytics_engine,
        master=master or settings.spark_master,
        work_dir=settings.var_dir if settings.var_dir.is_dir() else None,
    )
    read = ", ".join(f"{t} {n:,}" for t, n in answer.snapshot_rows.items())
    common.err.print(f"{answer.job.name} on {answer.engine}, as of {day}: read {read}")
    if out is not None:
        runs.write(answer.table, out)
        common.out.print(f"{answer.table.num_rows:,} 行已写入 (rows written to) {out}")
        return
    shown = Table(*answer.table.schema.names)
    for row in answer.table.slice(0, 50).to_pylist():
        shown.add_row(*("" if v is None else str(v) for v in row.values()))
    common.out.print(shown)
    if answer.table.num_rows > 50:
        common.out.print(f"… {answer.table.num_rows:,} 行 (rows); --out 写出全部 (to write all)")
