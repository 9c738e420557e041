"""Running an evaluation model: a snapshot of the store, the model's three jobs on DuckDB or
Spark, and the results written back in one transaction.

The run row is written first as ``running``; its results, contributions and the ``complete``
mark are written together in one transaction at the end, so an interrupted run leaves the
previous complete run in force. Rerunning the same model and day removes the unfinished run's
row and does the whole run again. ``current_run`` is the latest complete run of a model.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.analytics import engines, evaluation_jobs, jobs, snapshot
from gongxin.analytics.evaluation_model import EvaluationModel
from gongxin.db.evaluation_tables import (
    evaluation_contributions,
    evaluation_results,
    evaluation_runs,
)
from gongxin.errors import InvalidInput, NotFound

WRITE_BATCH = 5_000


@dataclass(frozen=True)
class Outcome:
    """The three answers of one evaluation: hits, contributions, scores (see evaluation_jobs)."""

    hits: pa.Table
    contributions: pa.Table
    scores: pa.Table


def compute(
    model: EvaluationModel,
    taken: snapshot.Snapshot,
    engine: engines.Engine,
    as_of: date,
    folder: Path,
) -> Outcome:
    """The model's jobs on ``engine`` over ``taken``; the steps pass Parquet files in ``folder``."""
    hits = jobs.run(evaluation_jobs.hits_job(model, as_of), taken, engine, as_of)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(hits, folder / "hits.parquet")
    tables = dict(taken.tables) | {"hits": folder / "hits.parquet"}
    step = snapshot.Snapshot(folder, taken.taken_at, tables)
    contributions = jobs.run(evaluation_jobs.contributions_job(model), step, engine, as_of)
    pq.write_table(contributions, folder / "contributions.parquet")
    step = snapshot.Snapshot(
        folder, taken.taken_at, tables | {"contributions": folder / "contributions.parquet"}
    )
    scores = jobs.run(evaluation_jobs.scores_job(model), step, engine, as_of)
    return Outcome(hits, contributions, scores)


def _points(centi: int) -> Decimal:
    return Decimal(centi) / 100


def _begin(
    store: sa.Engine, model: EvaluationModel, as_of: date, engine: str, now: datetime
) -> int:
    with store.begin() as conn:
        conn.execute(  # an unfinished run of the same model and day is redone from the start
            evaluation_runs.delete().where(
                evaluation_runs.c.model == model.code,
                evaluation_runs.c.as_of == as_of,
                evaluation_runs.c.status != "complete",
            )
        )
        return int(
            conn.execute(
                evaluation_runs.insert()
                .values(
                    model=model.code, model_version=model.version, kind=model.kind,
                    definition=model.model_dump(mode="json", by_alias=True), as_of=as_of,
                    engine=engine, status="running", started_at=now, subjects=0, records=0,
                    grades={},
                )
                .returning(evaluation_runs.c.id)
            ).scalar_one()
        )  # fmt: skip


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + WRITE_BATCH] for i in range(0, len(rows), WRITE_BATCH)]


def write(conn: sa.Connection, run_id: int, outcome: Outcome, *, finished: datetime) -> None:
    """The outcome as the run's rows, then the run marked complete (in the caller's
    transaction, so that the rows and the mark commit together)."""
    results = [
        {"run_id": run_id, "subject_id": r["subject_id"], "category": r["category"],
         "score": _points(r["centi"]), "grade": r["grade"]}
        for r in outcome.scores.to_pylist()
    ]  # fmt: skip
    for batch in _batches(results):
        conn.execute(evaluation_results.insert(), batch)
    ids: dict[tuple[int, str], list[int]] = {}
    hits = outcome.hits
    for subject, indicator, record in zip(
        hits["subject_id"].to_pylist(),
        hits["indicator"].to_pylist(),
        hits["record_id"].to_pylist(),
        strict=True,
    ):
        ids.setdefault((subject, indicator), []).append(record)
    contributions = [
        {"run_id": run_id, "subject_id": c["subject_id"], "indicator": c["indicator"],
         "points": _points(c["centi"]), "record_ids": ids[(c["subject_id"], c["indicator"])]}
        for c in outcome.contributions.to_pylist()
    ]  # fmt: skip
    for batch in _batches(contributions):
        conn.execute(evaluation_contributions.insert(), batch)
    grades = Counter(outcome.scores["grade"].to_pylist())
    conn.execute(
        evaluation_runs.update()
        .where(evaluation_runs.c.id == run_id)
        .values(
            status="complete", finished_at=finished, subjects=outcome.scores.num_rows,
            records=outcome.hits.num_rows, grades=dict(sorted(grades.items())),
        )
    )  # fmt: skip


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    model: str
    version: str
    as_of: date
    engine: str
    subjects: int
    records: int
    grades: dict[str, int]


def evaluate(
    store: sa.Engine,
    model: EvaluationModel,
    *,
    as_of: date,
    now: datetime,
    engine: str = "duckdb",
    master: str = "local[*]",
    work_dir: Path | None = None,
) -> RunSummary:
    """Run ``model`` on ``as_of`` over a fresh snapshot of ``store`` and keep its results."""
    if not model.in_effect(as_of):
        raise InvalidInput(
            f"评价模型 {model.label} 在 {as_of} 未生效（生效期 {model.effective_from} 起）",
            f"model {model.label} is not in effect on {as_of} (from {model.effective_from})",
        )
    runner = engines.make(engine, master=master)
    run_id = _begin(store, model, as_of, engine, now)
    folder = Path(tempfile.mkdtemp(prefix="gongxin-evaluate-", dir=work_dir))
    try:
        taken = snapshot.take(store, folder / "snapshot", tables=("records", "subjects"), now=now)
        outcome = compute(model, taken, runner, as_of, folder / "steps")
        with store.begin() as conn:
            write(conn, run_id, outcome, finished=now)
    except Exception as exc:  # the run row says why; the previous complete run stays current
        with store.begin() as conn:
            conn.execute(
                evaluation_runs.update()
                .where(evaluation_runs.c.id == run_id, evaluation_runs.c.status == "running")
                .values(status="error", error=str(exc)[:2000])
            )
        raise
    finally:
        runner.close()
        shutil.rmtree(folder, ignore_errors=True)
    grades = dict(sorted(Counter(outcome.scores["grade"].to_pylist()).items()))
    return RunSummary(
        run_id, model.code, model.version, as_of, engine, outcome.scores.num_rows,
        outcome.hits.num_rows, grades,
    )  # fmt: skip


def current_run(conn: sa.Connection, model: str) -> sa.Row[Any] | None:
    """The latest complete run of ``model`` (by day, then by id), or None."""
    return conn.execute(
        sa.select(evaluation_runs)
        .where(evaluation_runs.c.model == model, evaluation_runs.c.status == "complete")
        .order_by(evaluation_runs.c.as_of.desc(), evaluation_runs.c.id.desc())
        .limit(1)
    ).first()


def get_run(conn: sa.Connection, run_id: int) -> sa.Row[Any]:
    row = conn.execute(sa.select(evaluation_runs).where(evaluation_runs.c.id == run_id)).first()
    if row is None or row.status != "complete":
        raise NotFound(f"没有编号为 {run_id} 的已完成评价", f"no complete evaluation run {run_id}")
    return row
