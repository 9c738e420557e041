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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
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
WRITE_MEMORY = "256MB"  # DuckDB's bound while the results are read back (it spills beyond)


@dataclass(frozen=True)
class Outcome:
    """The three answers of one evaluation (see evaluation_jobs), each as the Parquet files
    the engine wrote into ``folder / step``: never held in this process as a whole."""

    folder: Path
    steps: dict[str, jobs.Job]

    def files(self, step: str) -> str:
        return engines.parquet_files(self.folder / step)

    def read(self, step: str) -> pa.Table:
        """The whole answer of ``step``, in its job's schema and key order (small runs: tests,
        the benchmark's engine comparison)."""
        job = self.steps[step]
        con = _reader(str(self.folder / "spill"))
        try:
            order = ", ".join(job.key)
            source = engines.sql_literal(self.files(step))
            table: pa.Table = con.sql(
                f"SELECT * FROM read_parquet({source}) ORDER BY {order}"
            ).to_arrow_table()
        finally:
            con.close()
        return table.select(job.schema.names).cast(job.schema)

    @property
    def hits(self) -> pa.Table:
        return self.read("hits")

    @property
    def contributions(self) -> pa.Table:
        return self.read("contributions")

    @property
    def scores(self) -> pa.Table:
        return self.read("scores")


def _reader(spill: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to read a run's Parquet files, bounded to WRITE_MEMORY."""
    db = duckdb.connect(
        config={"memory_limit": WRITE_MEMORY, "threads": 1, "temp_directory": spill}
    )
    db.execute("SET enable_progress_bar = false")
    return db


def steps_of(model: EvaluationModel, as_of: date) -> dict[str, jobs.Job]:
    """The model's jobs on ``as_of``, in the order they run."""
    return {
        "hits": evaluation_jobs.hits_job(model, as_of),
        "contributions": evaluation_jobs.contributions_job(model),
        "scores": evaluation_jobs.scores_job(model),
    }


def compute(
    model: EvaluationModel,
    taken: snapshot.Snapshot,
    engine: engines.Engine,
    as_of: date,
    folder: Path,
) -> Outcome:
    """The model's jobs on ``engine`` over ``taken``; each step's answer is written by the
    engine as Parquet into ``folder`` and read by the next from there."""
    steps = steps_of(model, as_of)
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(taken.tables)
    for step, job in steps.items():
        tables[step] = jobs.export(job, tables, engine, as_of, folder / step)
    return Outcome(folder, steps)


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


def _stream(db: duckdb.DuckDBPyConnection, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    cur = db.execute(sql)
    while batch := cur.fetchmany(WRITE_BATCH):
        yield batch


def batches(outcome: Outcome, run_id: int) -> Iterator[tuple[sa.Table, list[dict[str, Any]]]]:
    """The run's rows for ``evaluation_results`` then ``evaluation_contributions`` (with the
    ids of the records behind each), WRITE_BATCH at a time, read from the engine's Parquet
    files by a DuckDB bounded to WRITE_MEMORY: memory stays flat however many subjects and
    records the run counts."""
    db = _reader(str(outcome.folder / "spill"))
    try:
        scores = engines.sql_literal(outcome.files("scores"))
        for batch in _stream(
            db, f"SELECT subject_id, category, centi, grade FROM read_parquet({scores})"
            " ORDER BY subject_id",
        ):  # fmt: skip
            yield evaluation_results, [
                {"run_id": run_id, "subject_id": s, "category": c, "score": _points(p),
                 "grade": g} for s, c, p, g in batch
            ]  # fmt: skip
        for batch in _stream(
            db,
            f"""SELECT c.subject_id, c.indicator, c.centi, h.ids
                FROM read_parquet({engines.sql_literal(outcome.files("contributions"))}) AS c
                JOIN (SELECT subject_id, indicator, list(record_id ORDER BY record_id) AS ids
                      FROM read_parquet({engines.sql_literal(outcome.files("hits"))})
                      GROUP BY subject_id, indicator) AS h
                  ON h.subject_id = c.subject_id AND h.indicator = c.indicator
                ORDER BY c.subject_id, c.indicator""",
        ):
            yield evaluation_contributions, [
                {"run_id": run_id, "subject_id": s, "indicator": i, "points": _points(p),
                 "record_ids": list(ids)} for s, i, p, ids in batch
            ]  # fmt: skip
    finally:
        db.close()


def totals(outcome: Outcome) -> tuple[int, int, dict[str, int]]:
    """The subjects graded, the records counted and the subjects per grade."""
    db = _reader(str(outcome.folder / "spill"))
    try:
        scores = engines.sql_literal(outcome.files("scores"))
        grades = {
            str(g): int(n)
            for g, n in db.execute(
                f"SELECT grade, count(*) FROM read_parquet({scores}) GROUP BY grade ORDER BY grade"
            ).fetchall()
        }
        found = db.execute(
            f"SELECT count(*) FROM read_parquet({engines.sql_literal(outcome.files('hits'))})"
        ).fetchone()
    finally:
        db.close()
    return sum(grades.values()), int(found[0]) if found else 0, grades


def write(
    conn: sa.Connection, run_id: int, outcome: Outcome, *, finished: datetime
) -> tuple[int, int, dict[str, int]]:
    """The outcome as the run's rows (``batches``), then the run marked complete, in the
    caller's transaction so that the rows and the mark commit together. Returns ``totals``."""
    for table, rows in batches(outcome, run_id):
        conn.execute(table.insert(), rows)
    subjects, records, grades = totals(outcome)
    conn.execute(
        evaluation_runs.update()
        .where(evaluation_runs.c.id == run_id)
        .values(
            status="complete", finished_at=finished, subjects=subjects, records=records,
            grades=grades,
        )
    )  # fmt: skip
    return subjects, records, grades


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
            subjects, counted, grades = write(conn, run_id, outcome, finished=now)
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
    return RunSummary(run_id, model.code, model.version, as_of, engine, subjects, counted, grades)


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
