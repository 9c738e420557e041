"""Refreshing the monitoring figures: a snapshot of the store, the four jobs on DuckDB or Spark,
and the figures written back in one transaction.

The run row is written first as ``running``; its figures and the ``complete`` mark are written
together at the end, so an interrupted run leaves the previous complete run on the dashboards.
``current_run`` is the latest complete run. The worker's ``monitoring`` job calls ``refresh``
once a day; the CLI and tests call it directly.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from gongxin.analytics import engines, jobs, snapshot
from gongxin.catalog.registry import Catalog
from gongxin.db.monitoring_tables import (
    monitoring_cohorts,
    monitoring_flow,
    monitoring_runs,
    monitoring_scorecards,
    monitoring_survival,
)
from gongxin.ids.areas import provinces
from gongxin.monitoring import inputs
from gongxin.monitoring import jobs as mjobs
from gongxin.monitoring.rules import COMPONENTS, Rules


def catalog_fields(catalog: Catalog) -> dict[str, list[str]]:
    """Each dataset's field codes, for completeness."""
    return {spec.code: [f.code for f in spec.fields] for spec in catalog}


def steps(rules: Rules, as_of: date, fields: dict[str, list[str]]) -> dict[str, jobs.Job]:
    return {
        "flow": mjobs.flow_job(rules),
        "survival": mjobs.survival_job(rules),
        "cohorts": mjobs.cohorts_job(rules, as_of),
        "scorecards": mjobs.scorecards_job(rules, fields),
    }


def compute(
    rules: Rules,
    tables: dict[str, Path],
    engine: engines.Engine,
    as_of: date,
    fields: dict[str, list[str]],
) -> dict[str, pa.Table]:
    """Each job's answer over ``tables`` (name → Parquet file), in its schema and key order."""
    taken = snapshot.Snapshot(Path("."), datetime.min, tables)
    return {name: jobs.run(job, taken, engine, as_of) for name, job in
            steps(rules, as_of, fields).items()}  # fmt: skip


def shares(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """A scorecard row's components as (numerator, base)."""
    return {
        "timeliness": (row["on_time"], row["judged"]),
        "completeness": (row["filled"], row["fields"]),
        "acceptance": (row["rows"] - row["rejected"], row["rows"]),
        "compliance": (row["sgs_clean"], row["sgs_rows"]),
        "deadlines": (row["kept"], row["due"]),
    }


def score(rules: Rules, row: dict[str, Any]) -> Decimal:
    """The weighted score (0–100, two decimals) of the components that have a base; a
    component a department has nothing to be judged on does not count for or against it."""
    weights = rules.scorecard.weights
    parts = [
        (weights[c], Decimal(n) / Decimal(base))
        for c, (n, base) in shares(row).items()
        if base > 0 and c in COMPONENTS
    ]
    total = sum(w for w, _ in parts)
    if total == 0:
        return Decimal("0.00")
    value = sum((w * s for w, s in parts), Decimal(0)) * 100 / total
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _label(rules: Rules, dimension: str, key: str, area: str) -> str:
    if dimension == "all":
        return "全部 (all)"
    if dimension == "industry":
        return f"{key} {rules.sections[key]}" if key in rules.sections else (key or "未填行业")
    if not key:
        return "未填区划"
    province = provinces().get(key[:2], "")
    return f"{key} {province}{area}".strip() if area and area not in province else \
        f"{key} {province}".strip()  # fmt: skip


def rows_of(
    rules: Rules, run_id: int, answers: dict[str, pa.Table]
) -> dict[sa.Table, list[dict[str, Any]]]:
    """The rows each figure table gets from the jobs' answers."""
    out: dict[sa.Table, list[dict[str, Any]]] = {
        monitoring_flow: [{"run_id": run_id, **r} for r in answers["flow"].to_pylist()],
        monitoring_cohorts: [{"run_id": run_id, **r} for r in answers["cohorts"].to_pylist()],
    }
    out[monitoring_survival] = [
        {"run_id": run_id, "dimension": r["dimension"], "key": r["key"],
         "horizon": r["horizon"], "label": _label(rules, r["dimension"], r["key"], r["area"]),
         "at_risk": r["at_risk"], "survived": r["survived"]}
        for r in answers["survival"].to_pylist()
    ]  # fmt: skip
    out[monitoring_scorecards] = [
        {"run_id": run_id, **r, "score": score(rules, r)} for r in answers["scorecards"].to_pylist()
    ]
    return out


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    as_of: date
    engine: str
    rows: dict[str, int]


def refresh(
    store: sa.Engine,
    catalog: Catalog,
    rules: Rules,
    *,
    as_of: date,
    now: datetime,
    go_live: date | None = None,
    engine: str = "duckdb",
    master: str = "local[*]",
    work_dir: Path | None = None,
) -> RunSummary:
    """Compute the figures on ``as_of`` over a fresh snapshot of ``store`` and keep them."""
    runner = engines.make(engine, master=master)
    with store.begin() as conn:
        run_id = int(conn.execute(
            monitoring_runs.insert().values(
                as_of=as_of, engine=engine, status="running", started_at=now,
                rules=rules.model_dump(mode="json"),
            ).returning(monitoring_runs.c.id)
        ).scalar_one())  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="gongxin-monitoring-", dir=work_dir))
    try:
        taken = snapshot.take(store, folder / "snapshot", tables=("subjects", "records"), now=now)
        with store.connect() as conn:
            extra = inputs.take(conn, folder / "inputs", as_of=as_of, go_live=go_live)
        answers = compute(rules, {**taken.tables, **extra}, runner, as_of,
                          catalog_fields(catalog))  # fmt: skip
        written = rows_of(rules, run_id, answers)
        with store.begin() as conn:
            for table, rows in written.items():
                if rows:
                    conn.execute(table.insert(), rows)
            conn.execute(
                monitoring_runs.update().where(monitoring_runs.c.id == run_id)
                .values(status="complete", finished_at=now)
            )  # fmt: skip
    except Exception as exc:  # the run row says why; the previous complete run stays current
        with store.begin() as conn:
            conn.execute(
                monitoring_runs.update()
                .where(monitoring_runs.c.id == run_id, monitoring_runs.c.status == "running")
                .values(status="error", error=str(exc)[:2000])
            )
        raise
    finally:
        runner.close()
        shutil.rmtree(folder, ignore_errors=True)
    counts = {t.name: len(rows) for t, rows in written.items()}
    return RunSummary(run_id, as_of, engine, counts)


def current_run(conn: sa.Connection) -> sa.Row[Any] | None:
    """The latest complete run (by day, then by id), or None."""
    return conn.execute(
        sa.select(monitoring_runs)
        .where(monitoring_runs.c.status == "complete")
        .order_by(monitoring_runs.c.as_of.desc(), monitoring_runs.c.id.desc())
        .limit(1)
    ).first()
