"""Batch jobs: each defined once, as DuckDB SQL with its output schema, run on any engine.

A job names the snapshot tables it reads, its SQL (DuckDB's dialect; Spark gets it transpiled)
with ``{as_of}`` for the date it judges, the schema of its answer and the key its rows are
ordered by. ``run`` gives every engine's answer the same types and order, so that the contract
test can compare DuckDB's and Spark's answers row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from gongxin.analytics.engines import Engine
from gongxin.analytics.snapshot import Snapshot
from gongxin.errors import NotFound


@dataclass(frozen=True)
class Job:
    name: str
    title: str  # what it answers, in Chinese, for the CLI and the back office
    inputs: tuple[str, ...]
    sql: str
    schema: pa.Schema
    key: tuple[str, ...]

    def statement(self, as_of: date) -> str:
        return self.sql.replace("{as_of}", f"DATE '{as_of.isoformat()}'")


def run(job: Job, snapshot: Snapshot, engine: Engine, as_of: date) -> pa.Table:
    """The job's answer on ``as_of`` over ``snapshot``: its schema, ordered by its key."""
    missing = [t for t in job.inputs if t not in snapshot.tables]
    if missing:
        raise NotFound(
            f"快照缺少数据表：{'、'.join(missing)}", f"the snapshot lacks tables {missing}"
        )
    answer = engine.query(job.statement(as_of), {t: snapshot.tables[t] for t in job.inputs})
    answer = answer.select(job.schema.names).cast(job.schema)
    return answer.sort_by([(k, "ascending") for k in job.key])


def export(job: Job, tables: Mapping[str, Path], engine: Engine, as_of: date, folder: Path) -> Path:
    """The job's answer written by ``engine`` as Parquet files into ``folder`` (unordered;
    read them ordered by ``job.key``): for answers too large to hold in memory."""
    missing = [t for t in job.inputs if t not in tables]
    if missing:
        raise NotFound(f"缺少数据表：{'、'.join(missing)}", f"missing tables {missing}")
    columns = ", ".join(job.schema.names)
    engine.export(
        f"SELECT {columns} FROM ({job.statement(as_of)}) AS answer",
        {t: tables[t] for t in job.inputs},
        folder,
    )
    return folder


DATASET_SUMMARY = Job(
    name="dataset_summary",
    title="各数据集、提供部门、年度的记录数、已关联记录数和主体数",
    inputs=("records",),
    sql="""
        SELECT dataset,
               department_id,
               CAST(EXTRACT(year FROM event_date) AS BIGINT) AS year,
               COUNT(*) AS records,
               COUNT(subject_id) AS linked,
               COUNT(DISTINCT subject_id) AS subjects,
               MIN(event_date) AS first_event,
               MAX(event_date) AS last_event
        FROM records
        WHERE event_date IS NULL OR event_date <= {as_of}
        GROUP BY dataset, department_id, CAST(EXTRACT(year FROM event_date) AS BIGINT)
    """,
    schema=pa.schema(
        [
            ("dataset", pa.string()),
            ("department_id", pa.int64()),
            ("year", pa.int64()),
            ("records", pa.int64()),
            ("linked", pa.int64()),
            ("subjects", pa.int64()),
            ("first_event", pa.date32()),
            ("last_event", pa.date32()),
        ]
    ),
    key=("dataset", "department_id", "year"),
)

SUBJECT_ACTIVITY = Job(
    name="subject_activity",
    title="每个主体的记录数、涉及数据集数、最近事件日期及其在本地区的排名",
    inputs=("records", "subjects"),
    sql="""
        WITH per_subject AS (
            SELECT subject_id,
                   COUNT(*) AS records,
                   COUNT(DISTINCT dataset) AS datasets,
                   MAX(event_date) AS last_event
            FROM records
            WHERE subject_id IS NOT NULL AND (event_date IS NULL OR event_date <= {as_of})
            GROUP BY subject_id
        )
        SELECT s.id AS subject_id,
               s.uscc,
               s.name,
               COALESCE(s.region, '') AS region,
               p.records,
               p.datasets,
               p.last_event,
               DENSE_RANK() OVER (
                   PARTITION BY COALESCE(s.region, '') ORDER BY p.records DESC
               ) AS rank_in_region
        FROM per_subject AS p
        JOIN subjects AS s ON s.id = p.subject_id
    """,
    schema=pa.schema(
        [
            ("subject_id", pa.int64()),
            ("uscc", pa.string()),
            ("name", pa.string()),
            ("region", pa.string()),
            ("records", pa.int64()),
            ("datasets", pa.int64()),
            ("last_event", pa.date32()),
            ("rank_in_region", pa.int64()),
        ]
    ),
    key=("subject_id",),
)

RELATED_PARTIES = Job(
    name="related_parties",
    title="关联关系：共用法定代表人、投资人、住所、电话、邮箱的主体对，以及投资关系",
    inputs=("subject_parties", "subjects"),
    sql="""
        WITH shared AS (
            SELECT a.subject_id AS subject_a,
                   b.subject_id AS subject_b,
                   a.kind AS relation,
                   a.key AS via
            FROM subject_parties AS a
            JOIN subject_parties AS b
              ON a.kind = b.kind AND a.key = b.key AND a.subject_id < b.subject_id
        ),
        invests AS (
            SELECT s.id AS subject_a,
                   p.subject_id AS subject_b,
                   'investment' AS relation,
                   p.key AS via
            FROM subject_parties AS p
            JOIN subjects AS s ON p.kind = 'investor' AND s.uscc = p.key
            WHERE s.id <> p.subject_id
        )
        SELECT subject_a, subject_b, relation, COUNT(*) AS shared, MIN(via) AS example
        FROM (SELECT * FROM shared UNION ALL SELECT * FROM invests) AS edges
        GROUP BY subject_a, subject_b, relation
    """,
    schema=pa.schema(
        [
            ("subject_a", pa.int64()),
            ("subject_b", pa.int64()),
            ("relation", pa.string()),
            ("shared", pa.int64()),
            ("example", pa.string()),
        ]
    ),
    key=("subject_a", "subject_b", "relation"),
)

JOBS: dict[str, Job] = {
    job.name: job for job in (DATASET_SUMMARY, SUBJECT_ACTIVITY, RELATED_PARTIES)
}


def get(name: str) -> Job:
    job = JOBS.get(name)
    if job is None:
        raise NotFound(
            f"没有名为“{name}”的分析作业，可选：{'、'.join(JOBS)}",
            f"no analytics job {name!r}; choose from {', '.join(JOBS)}",
        )
    return job
