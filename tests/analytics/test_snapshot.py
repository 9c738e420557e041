"""Snapshots: every row of the store, with its types, in bounded batches; and what happens when
an engine cannot run."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from gongxin.analytics import engines, jobs, snapshot
from gongxin.analytics.engines import EngineUnavailable
from gongxin.db.models import records, subjects
from gongxin.db.supervision_tables import subject_changes, subject_parties
from gongxin.errors import NotFound


def test_snapshot_holds_every_row_with_its_types(
    store: sa.Engine, taken: snapshot.Snapshot
) -> None:
    with store.connect() as conn:
        counted = {
            "records": conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one(),
            "subjects": conn.execute(sa.select(sa.func.count()).select_from(subjects)).scalar_one(),
            **{
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (subject_parties, subject_changes)
            },
        }
        first = conn.execute(sa.select(records).order_by(records.c.id).limit(1)).one()
    assert dict(taken.rows) == counted
    table = pq.read_table(taken.tables["records"])
    assert table.num_rows == counted["records"]
    assert table.schema.field("event_date").type == pa.date32()
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    row = table.slice(0, 1).to_pylist()[0]
    assert row["id"] == first.id and row["dataset"] == first.dataset
    assert row["data"] is not None and '"' in row["data"]  # JSON text
    assert row["department_id"] is not None  # who submitted it, from its submission


def test_empty_store_gives_empty_tables(db_url: str, tmp_path: Path) -> None:
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine

    engine = make_engine(db_url)
    migrate.upgrade(engine)
    try:
        taken = snapshot.take(engine, tmp_path / "s")
    finally:
        engine.dispose()
    assert taken.rows == {"records": 0, "subjects": 0, "subject_parties": 0, "subject_changes": 0}
    answer = jobs.run(jobs.DATASET_SUMMARY, taken, engines.DuckDBEngine(), taken.taken_at.date())
    assert answer.num_rows == 0 and answer.schema == jobs.DATASET_SUMMARY.schema


def test_unknown_job_and_engine_are_named() -> None:
    with pytest.raises(NotFound, match="dataset_summary"):
        jobs.get("no_such_job")
    with pytest.raises(EngineUnavailable, match="duckdb"):
        engines.make("oracle")


def test_spark_without_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineUnavailable) as caught:
        engines.SparkEngine()
    assert "openjdk-17-jre-headless" in caught.value.en and "Java" in caught.value.zh
    assert os.environ["PATH"] == "/nonexistent"


def test_spark_sql_is_transpiled_from_the_one_definition() -> None:
    spark_text = engines.spark_sql(jobs.SUBJECT_ACTIVITY.statement(date(2024, 1, 2)))
    assert "DENSE_RANK()" in spark_text and "CAST('2024-01-02' AS DATE)" in spark_text
