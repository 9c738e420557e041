"""The registry's side of a bulk check, as columns: the names and grades of the file's codes.

The single check names a registered subject and gives its current grade; the bulk check does
the same for every valid USCC of its file, as sets. For a small file the distinct codes are
looked up through the store's index (a chunk of codes per query); for a file of codes as large
as a quarter of the registry or more (``SCAN_RATIO``), the registry's side is read whole
instead — one scan, fetched in batches straight into Arrow — and joined in DuckDB, which costs
less than a million indexed lookups. Either way the rows reach DuckDB as Arrow batches, never
as Python objects per subject, and the grade sentence is built in SQL, in the words of
``grades.grade_sentence``.
"""

from __future__ import annotations

import itertools
import operator
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.models import subjects
from gongxin.subjects.grades import current_grades, grade_runs, grade_sentence, graded_codes

SCAN_RATIO = 4  # scan the registry when codes × SCAN_RATIO ≥ its size (highest subject id)
BATCH = 50_000


def batches(schema: pa.Schema, rows: Iterable[Sequence[Any]]) -> Iterator[pa.RecordBatch]:
    """``rows`` (tuples in ``schema``'s order) as Arrow batches of up to BATCH rows."""
    it = iter(rows)
    while chunk := list(itertools.islice(it, BATCH)):
        yield _batch(schema, chunk)


def _batch(schema: pa.Schema, chunk: Sequence[Sequence[Any]], **constant: Any) -> pa.RecordBatch:
    """One batch of tuples as Arrow columns, each column taken from every tuple at once
    (``map``/``itemgetter``: no Python step per value); ``constant`` fills whole columns."""
    picked = iter(range(len(schema)))
    columns = []
    for f in schema:
        if f.name in constant:
            columns.append(pa.array([constant[f.name]] * len(chunk), f.type))
        else:
            columns.append(pa.array(list(map(operator.itemgetter(next(picked)), chunk)), f.type))
    return pa.record_batch(columns, schema=schema)


def arrow_table(
    db: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema, parts: Iterable[pa.RecordBatch]
) -> None:
    """Temporary table ``name`` in DuckDB of the Arrow batches ``parts``."""
    db.register(f"{name}_arrow", pa.Table.from_batches(list(parts), schema=schema))
    try:
        db.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    finally:
        db.unregister(f"{name}_arrow")


_SQL_TYPES = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE"}


def empty_table(db: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> None:
    """Temporary table ``name`` with ``schema``'s columns and no rows: one statement, where an
    empty Arrow table would take three."""
    columns = ", ".join(f"{f.name} {_SQL_TYPES[f.type]}" for f in schema)
    db.execute(f"CREATE TEMP TABLE {name} ({columns})")


def scan_registry(conn: sa.Connection, db: duckdb.DuckDBPyConnection) -> bool:
    """Whether to read the registry's side whole: the file's codes are many against the
    registry (its highest subject id, read from the primary key at no cost)."""
    ((codes,),) = db.execute("SELECT count(code) FROM q").fetchall()
    size = conn.execute(sa.select(sa.func.max(subjects.c.id))).scalar() or 0
    return bool(codes > 0 and codes * SCAN_RATIO >= size)


def _codes(db: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(c) for (c,) in db.execute("SELECT DISTINCT code FROM q WHERE code IS NOT NULL")
            .fetchall()]  # fmt: skip


NAMES = pa.schema([("code", pa.string()), ("name", pa.string())])
GRADED = pa.schema([("code", pa.string()), ("grade", pa.string()), ("run", pa.int64())])
SENTENCES = pa.schema([("code", pa.string()), ("sentence", pa.string())])
RUNS = pa.schema(
    [("run", pa.int64()), ("grade", pa.string()), ("head", pa.string()), ("tail", pa.string())]
)


_register_lock = threading.Lock()


def _register(db: duckdb.DuckDBPyConnection, conn: sa.Connection) -> None:
    """Table ``register(code, name)`` in the snapshot's database (``db`` is a cursor of it):
    every registered USCC and its name, read whole once per snapshot. The snapshot's
    fingerprint covers the subjects (count, highest id, latest change), so the register it
    holds is the store's as long as the snapshot is current."""
    with _register_lock:
        found = db.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'register' AND NOT temporary"
        ).fetchall()
        if found[0][0]:
            return
        sql = "SELECT uscc, name FROM subjects WHERE uscc IS NOT NULL"
        rows = itertools.chain.from_iterable(dialect.driver_batches(conn, sql))
        db.register("register_arrow", pa.Table.from_batches(list(batches(NAMES, rows)), NAMES))
        try:
            db.execute("CREATE TABLE register AS SELECT * FROM register_arrow")
        finally:
            db.unregister("register_arrow")


def names(db: duckdb.DuckDBPyConnection, conn: sa.Connection, scan: bool) -> None:
    """``nm(code, name)``: the registered names of the file's valid USCCs (table ``q``) —
    for a large file the whole register, cached in the snapshot's database (``_register``)."""
    if scan:
        _register(db, conn)
        db.execute("CREATE TEMP VIEW nm AS SELECT code, name FROM main.register")
        return
    rows = dialect.select_in(conn, "subjects", "uscc", ("name",), _codes(db))
    arrow_table(db, "nm", NAMES, batches(NAMES, rows))


def grades(
    db: duckdb.DuckDBPyConnection, conn: sa.Connection, models: Sequence[str], scan: bool
) -> None:
    """Table ``grades(subject_code, sentence)``: the current grade of each registered subject
    of the file — its valid USCCs (``q``) and the subjects the slow path found (``slow``) —
    in each grade model of ``models``, in the words of ``grades.grade_sentence``."""
    runs = grade_runs(conn, models) if models else []
    if not runs:  # no grade model, or none with a run yet: no sentence to add
        empty_table(
            db, "grades", pa.schema([("subject_code", pa.string()), ("sentence", pa.string())])
        )
        return
    codes = None if scan else _codes(db)
    arrow_table(db, "graded", GRADED, (
        _batch(GRADED, chunk, run=order)
        for order, run in enumerate(runs) for chunk in graded_codes(conn, run.id, codes) if chunk
    ))  # fmt: skip
    heads: list[tuple[int, str | None, str | None, str]] = []
    for order, run in enumerate(runs):
        labels = {g["grade"]: g["label"] for g in run.definition["grades"]}
        tail = f"{run.definition['name']} {run.model_version}，评价日期 {run.as_of.isoformat()}）。"
        heads += [
            (order, g, f"其信用评价等级为 {g}（{label}，", tail) for g, label in labels.items()
        ]
        heads.append((order, None, None, tail))  # a grade the definition does not list
    arrow_table(db, "grade_runs", RUNS, batches(RUNS, heads))
    slow = dict(db.execute(
        "SELECT subject_id, subject_code FROM slow WHERE subject_id IS NOT NULL AND error IS NULL"
    ).fetchall())  # fmt: skip
    said = [(slow[sid], grade_sentence(g)) for sid, g in current_grades(conn, list(slow), models)
            .items()]  # fmt: skip
    arrow_table(db, "slow_grades", SENTENCES, batches(SENTENCES, said))
    db.execute("""
        CREATE TEMP TABLE grades AS
        WITH s AS (
            SELECT g.code, g.run,
                   coalesce(r.head, '其信用评价等级为 ' || g.grade || '（，') || t.tail AS sentence
            FROM graded AS g
            JOIN grade_runs AS t ON t.run = g.run AND t.grade IS NULL
            LEFT JOIN grade_runs AS r ON r.run = g.run AND r.grade = g.grade
        ),
        byc AS (SELECT code, string_agg(sentence, '' ORDER BY run) AS sentence
                FROM s GROUP BY code)
        SELECT code AS subject_code, sentence FROM byc
        UNION ALL
        SELECT code, first(sentence) FROM slow_grades
        WHERE code NOT IN (SELECT code FROM byc) GROUP BY code
    """)
