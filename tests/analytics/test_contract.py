"""The contract of the engine seam: every job gives the same answer, row by row, on DuckDB and
on Spark, over the same snapshot of a store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
import sqlalchemy as sa

from gongxin.analytics import jobs, snapshot
from gongxin.analytics.engines import DuckDBEngine, SparkEngine
from gongxin.db.models import records, subjects
from tests.demo.helpers import AS_OF_DATE

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(jobs.JOBS))
def test_every_job_answers_the_same_on_duckdb_and_spark(
    name: str, module_taken: snapshot.Snapshot, spark: SparkEngine
) -> None:
    job = jobs.get(name)
    on_duckdb = jobs.run(job, module_taken, DuckDBEngine(), AS_OF_DATE)
    on_spark = jobs.run(job, module_taken, spark, AS_OF_DATE)
    assert on_duckdb.num_rows > 0, "the demo gives every job something to answer"
    assert on_duckdb.schema == on_spark.schema == job.schema
    assert on_duckdb.to_pylist() == on_spark.to_pylist()
    # the session is shared (linkage registers its own ``subjects``): no input view is left
    views = {t.name for t in spark.session.catalog.listTables() if t.isTemporary}
    assert not views & set(job.inputs), views


def test_dataset_summary_adds_up_to_the_store(store: sa.Engine, taken: snapshot.Snapshot) -> None:
    answer = jobs.run(jobs.DATASET_SUMMARY, taken, DuckDBEngine(), date(2100, 1, 1))
    with store.connect() as conn:
        grouped = sa.select(records.c.dataset, sa.func.count()).group_by(records.c.dataset)
        per_dataset = {dataset: n for dataset, n in conn.execute(grouped)}
        linked = conn.execute(
            sa.select(sa.func.count()).where(records.c.subject_id.is_not(None))
        ).scalar_one()
    totals: dict[str, int] = {}
    for row in answer.to_pylist():
        totals[row["dataset"]] = totals.get(row["dataset"], 0) + row["records"]
    assert totals == per_dataset
    assert pa.compute.sum(answer["linked"]).as_py() == linked


def test_as_of_leaves_out_later_events(taken: snapshot.Snapshot) -> None:
    everything = jobs.run(jobs.DATASET_SUMMARY, taken, DuckDBEngine(), date(2100, 1, 1))
    early = jobs.run(jobs.DATASET_SUMMARY, taken, DuckDBEngine(), date(2019, 12, 31))
    assert pa.compute.sum(early["records"]).as_py() < pa.compute.sum(everything["records"]).as_py()
    dated = [r for r in early.to_pylist() if r["last_event"] is not None]
    assert dated and all(r["last_event"] <= date(2019, 12, 31) for r in dated)


def test_subject_activity_ranks_within_each_region(
    store: sa.Engine, taken: snapshot.Snapshot
) -> None:
    answer = jobs.run(jobs.SUBJECT_ACTIVITY, taken, DuckDBEngine(), AS_OF_DATE).to_pylist()
    with store.connect() as conn:
        linked = conn.execute(
            sa.select(sa.func.count(sa.distinct(records.c.subject_id))).where(
                records.c.subject_id.is_not(None), records.c.event_date <= AS_OF_DATE
            )
        ).scalar_one()
        named = {i: n for i, n in conn.execute(sa.select(subjects.c.id, subjects.c.name))}
    assert len({r["subject_id"] for r in answer}) >= linked
    by_region: dict[str, list[dict[str, object]]] = {}
    for row in answer:
        assert row["name"] == named[row["subject_id"]]
        by_region.setdefault(str(row["region"]), []).append(row)
    for rows in by_region.values():
        best = max(int(str(r["records"])) for r in rows)
        assert {r["rank_in_region"] for r in rows if r["records"] == best} == {1}
