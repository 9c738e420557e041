"""A snapshot of the operational store as Parquet files, for the batch engines to scan.

Each run reads the store (SQLite or PostgreSQL) once, table by table, streaming rows in batches
into one Parquet file per table: memory stays flat however large the store. JSON columns are
kept as JSON text (the jobs read fields with DuckDB's ``->>``, which Spark gets as
``get_json_object``); timestamps are UTC. The files are the run's own: a run reads the state of
the store at the moment its snapshot was taken, whatever is written meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db.models import records, subjects
from gongxin.db.supervision_tables import subject_changes, subject_parties

BATCH = 50_000  # rows per Arrow batch: bounds the memory a snapshot needs


def _arrow_type(column: sa.ColumnElement[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return pa.decimal128(kind.precision or 38, kind.scale or 0)
    if isinstance(kind, sa.Float):
        return pa.float64()
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, sa.Date):
        return pa.date32()
    return pa.string()  # strings, text and JSON (as JSON text)


def _converter(column: sa.ColumnElement[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, sa.JSON):
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else as_utc(v)
    if isinstance(kind, sa.Date):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: None if v is None else Decimal(v)
    if isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else bool(v)
    return lambda v: v


def sources() -> dict[str, sa.Select[Any]]:
    """What a snapshot holds: each table's name and the query that fills it."""
    return {
        "subjects": sa.select(subjects).order_by(subjects.c.id),
        # every record version with its owner (department_id) and the gate's stored decision
        "subject_parties": sa.select(subject_parties).order_by(subject_parties.c.id),
        "subject_changes": sa.select(subject_changes).order_by(subject_changes.c.id),
        "records": sa.select(records).order_by(records.c.id),
    }


@dataclass(frozen=True)
class Snapshot:
    """The Parquet file of each table, and when it was taken."""

    folder: Path
    taken_at: datetime
    tables: Mapping[str, Path]
    rows: Mapping[str, int] = field(default_factory=dict)


def _write(conn: sa.Connection, query: sa.Select[Any], path: Path, batch: int) -> int:
    columns = list(query.selected_columns)
    schema = pa.schema([pa.field(c.name, _arrow_type(c)) for c in columns])
    convert = [_converter(c) for c in columns]
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for part in result.partitions(batch):
            arrays = [
                pa.array([f(row[i]) for row in part], type=schema.field(i).type)
                for i, f in enumerate(convert)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            count += len(part)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count


def take(
    engine: sa.Engine,
    folder: Path,
    *,
    tables: Iterable[str] | None = None,
    batch: int = BATCH,
    now: datetime | None = None,
) -> Snapshot:
    """Write the snapshot of ``tables`` (default all) into ``folder``, in one read transaction."""
    wanted = sources()
    names = list(tables) if tables is not None else list(wanted)
    unknown = [n for n in names if n not in wanted]
    if unknown:
        raise ValueError(f"unknown snapshot tables: {unknown}")
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    rows: dict[str, int] = {}
    with engine.connect() as conn:  # one transaction: the tables agree with each other
        for name in names:
            path = folder / f"{name}.parquet"
            rows[name] = _write(conn, wanted[name], path, batch)
            paths[name] = path
    return Snapshot(folder, now or datetime.now(UTC), paths, rows)
