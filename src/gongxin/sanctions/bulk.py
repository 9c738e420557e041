"""The credit check of a file of subjects: a batch job, answered by DuckDB or Spark.

The single check (``sanctions.check``) looks each subject up through the store's indexes; a
file of a million codes is instead joined, as sets, against the entries that apply on the date
(``sanctions.snapshot``, cached per store state) and the measures of the scene. The inputs are
built as columns: the file read into one Arrow column and its USCCs validated all at once
(``bulk_input``; anything else — other codes, names, malformed items — goes through
``sanctions.match`` in Python, one by one), the registered names and current grades of its
codes looked up or scanned in batches (``bulk_lookup``). The job (``check_job``, one SQL
definition) joins them: on DuckDB in the snapshot's own database, where the results are a view
computed as the result file or the log reads them (nothing is written twice, nothing held per
subject in Python); on Spark over the same tables written as Parquet, its answer read back from
the Parquet files it writes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import sqlalchemy as sa

from gongxin import formulas
from gongxin.analytics import engines, jobs
from gongxin.catalog.registry import Catalog
from gongxin.sanctions import bulk_lookup, scenes
from gongxin.sanctions.bulk_input import load_queries
from gongxin.sanctions.check_job import check_job
from gongxin.sanctions.lists import list_types
from gongxin.sanctions.match import Item, read, resolve
from gongxin.sanctions.memoranda import Book
from gongxin.sanctions.snapshot import Snapshot

OUT_COLUMNS = (
    "position", "query", "match", "confidence", "subject_code", "subject_name", "lists",
    "measures", "rewards", "explanation", "error",
)  # fmt: skip


NUMERIC_COLUMNS = frozenset({"position", "confidence"})


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class BulkCheck:
    """The results of a bulk check, held in DuckDB until written out or logged."""

    db: duckdb.DuckDBPyConnection
    folder: Path
    scene: scenes.Scene
    as_of: date
    subjects: int
    hits: int
    errors: int

    def rows(self, batch: int = 10_000) -> Iterator[tuple[Any, ...]]:
        """Every result in the caller's order, as OUT_COLUMNS."""
        cur = self.db.execute(f"SELECT {', '.join(OUT_COLUMNS)} FROM out ORDER BY position")
        while chunk := cur.fetchmany(batch):
            yield from chunk

    def log_rows(self, check_id: str, batch: int = 10_000) -> Iterator[tuple[Any, ...]]:
        """Rows for ``check_results``: hits and measures (with ids) as JSON for hit subjects."""
        cur = self.db.execute(
            f"SELECT {_q(check_id)}, position, left(query, 500), NULL, subject_code, subject_name,"
            " match, confidence, hits_json, measures_json, error FROM out ORDER BY position"
        )
        while chunk := cur.fetchmany(batch):
            yield from chunk

    def to_csv(self, path: Path) -> None:
        """The results as CSV; text cells that a spreadsheet would run as formulas (a query
        ``=HYPERLINK(…)`` echoed back) get the leading apostrophe of ``gongxin.formulas``."""
        cells = ", ".join(
            c if c in NUMERIC_COLUMNS else f"{formulas.duckdb_text(c)} AS {c}" for c in OUT_COLUMNS
        )
        self.db.execute(
            f"COPY (SELECT {cells} FROM out ORDER BY position) TO {_q(str(path))}"
            " (HEADER, DELIMITER ',')"
        )

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> BulkCheck:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


SLOW = pa.schema(
    [("pos", pa.int64()), ("code", pa.string()), ("match", pa.string()),
     ("confidence", pa.float64()), ("subject_code", pa.string()), ("subject_name", pa.string()),
     ("error", pa.string()), ("subject_id", pa.int64())]
)  # fmt: skip


def _slow(db: duckdb.DuckDBPyConnection, conn: sa.Connection, others: int) -> None:
    """The ``others`` items that are not USCCs in machine form: read and resolved in Python
    (``match``)."""
    if not others:
        bulk_lookup.empty_table(db, "slow", SLOW)
        return
    rows = db.execute("SELECT pos, query FROM q WHERE code IS NULL ORDER BY pos").fetchall()
    items = [read(int(pos), query) for pos, query in rows]
    resolve(conn, items)
    bulk_lookup.arrow_table(
        db, "slow", SLOW, bulk_lookup.batches(SLOW, (_slow_row(it) for it in items))
    )


def _slow_row(it: Item) -> tuple[Any, ...]:
    error = orjson.dumps(it.error).decode() if it.error else None
    key = it.subject_code or it.code if error is None else None
    return (
        it.position,
        key,
        it.match,
        it.confidence,
        it.subject_code,
        it.subject_name,
        error,
        it.subject_id,
    )


MEASURES = pa.schema(
    [("seq", pa.int32()), ("list_type", pa.string()), ("id", pa.string()), ("kind", pa.string()),
     ("text", pa.string()), ("json", pa.string())]
)  # fmt: skip


def _measures(db: duckdb.DuckDBPyConnection, catalog: Catalog, book: Book, scene: str) -> None:
    """Table ``measures``: what the memoranda attach to each list type in ``scene`` (one
    Arrow batch: no statement per row)."""
    rows: list[tuple[int, str, str, str, str, str]] = []
    for lt in list_types(catalog).values():
        for x in book.measures_for(lt.code, scene, lt.kind):
            d = x.to_dict() | {"scene": scenes.by_code(scene).name}
            rows.append((len(rows), lt.code, x.id, x.kind, x.text, orjson.dumps(d).decode()))
    bulk_lookup.arrow_table(db, "measures", MEASURES, bulk_lookup.batches(MEASURES, rows))


# one row per item of the file: how it matched, the code it answers to, its registered name
QUERIES = """
    SELECT q.pos AS position, q.query,
           CASE WHEN q.code IS NOT NULL THEN 'code' ELSE s.match END AS match,
           CAST(CASE WHEN q.code IS NOT NULL THEN 1.0 ELSE s.confidence END AS DOUBLE)
               AS confidence,
           coalesce(q.code, s.code) AS key,
           CASE WHEN s.error IS NULL THEN coalesce(q.code, s.subject_code) END AS subject_code,
           CASE WHEN s.error IS NULL THEN coalesce(s.subject_name, nm.name) END AS subject_name,
           s.error,
           CAST(json_extract_string(s.error, '$.message') AS VARCHAR) AS error_message
    FROM q LEFT JOIN slow AS s ON s.pos = q.pos LEFT JOIN nm ON nm.code = q.code
"""


def _inputs(
    db: duckdb.DuckDBPyConnection,
    conn: sa.Connection,
    catalog: Catalog,
    source: Path,
    *,
    scene: scenes.Scene,
    book: Book,
    folder: Path,
    grade_models: Sequence[str],
) -> None:
    """The job's inputs (``check_job.INPUTS``) as tables of ``db``, a cursor of the snapshot's
    database: ``queries`` (a view over the file's Arrow column and the lookups), ``measures``
    and ``grades`` made here, ``keys`` and ``entries`` the snapshot's own."""
    q = load_queries(db, source, folder)
    _slow(db, conn, q.column("code").null_count)
    scan = bulk_lookup.scan_registry(conn, db)
    bulk_lookup.names(db, conn, scan)
    _measures(db, catalog, book, scene.code)
    bulk_lookup.grades(db, conn, grade_models, scan)
    db.execute(f"CREATE TEMP VIEW queries AS {QUERIES}")


def _export(db: duckdb.DuckDBPyConnection, select: str, path: Path) -> Path:
    db.execute(f"COPY ({select}) TO {_q(str(path))} (FORMAT parquet, COMPRESSION zstd)")
    return path


def prepare(
    conn: sa.Connection,
    catalog: Catalog,
    source: Path,
    *,
    scene: scenes.Scene,
    snapshot: Snapshot,
    book: Book,
    folder: Path,
    grade_models: Sequence[str] = (),
) -> dict[str, Path]:
    """The job's input tables (``check_job.INPUTS``) as Parquet files in ``folder``, for an
    engine that reads files (Spark)."""
    db = snapshot.db.cursor()  # its own connection: the temporary tables are this run's
    try:
        _inputs(
            db, conn, catalog, source, scene=scene, book=book, folder=folder,
            grade_models=grade_models,
        )  # fmt: skip
        return {
            "queries": _export(db, "SELECT * FROM queries", folder / "queries.parquet"),
            "keys": _export(db, "SELECT key, via, entry FROM keys", folder / "keys.parquet"),
            "entries": _export(
                db,
                "SELECT entry, list_type, list_name, subject_name, listed_text, json FROM entries",
                folder / "entries.parquet",
            ),
            "measures": _export(db, "SELECT * FROM measures", folder / "measures.parquet"),
            "grades": _export(db, "SELECT * FROM grades", folder / "grades.parquet"),
        }
    finally:
        db.close()


def _counts(db: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """Subjects, hits and errors of the answer ``out`` (Spark's, read back)."""
    ((subjects, hits, errors),) = db.execute(
        "SELECT count(*), count(hits_json), count(error) FROM out"
    ).fetchall()
    return int(subjects), int(hits), int(errors)


# the counts of the DuckDB job without computing its answer: an item is a hit when the code it
# answers to is an entry's key, or a USCC embedding an organisation code that is one (the
# job's ``kh`` and ``oh``); the slow path's items carry their errors
COUNTS = """
    WITH k AS (
        SELECT code AS key FROM q WHERE code IS NOT NULL
        UNION ALL SELECT code FROM slow WHERE code IS NOT NULL
    )
    SELECT (SELECT count(*) FROM q),
           (SELECT count(*) FROM k
            WHERE key IN (SELECT key FROM keys WHERE via = 'code')
               OR (length(key) = 18
                   AND substr(key, 9, 9) IN (SELECT key FROM keys WHERE via = 'org_in_uscc'))),
           (SELECT count(error) FROM slow)
"""


def _job_counts(db: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    ((subjects, hits, errors),) = db.execute(COUNTS).fetchall()
    return int(subjects), int(hits), int(errors)


def _in_duckdb(
    conn: sa.Connection,
    catalog: Catalog,
    source: Path,
    *,
    scene: scenes.Scene,
    snapshot: Snapshot,
    book: Book,
    folder: Path,
    grade_models: Sequence[str],
    threads: int | None,
) -> BulkCheck:
    """The job on DuckDB, in the snapshot's database: its inputs are temporary tables of this
    run's cursor, its answer the view ``out``, computed as it is read."""
    db = snapshot.db.cursor()  # its own connection: the temporary tables are this run's
    try:
        if threads:
            db.execute(f"SET threads = {int(threads)}")
        _inputs(
            db, conn, catalog, source, scene=scene, book=book, folder=folder,
            grade_models=grade_models,
        )  # fmt: skip
        job = check_job(scene, snapshot.as_of)
        columns = ", ".join(job.schema.names)
        db.execute(
            f"CREATE TEMP VIEW out AS SELECT {columns} FROM ({job.statement(snapshot.as_of)})"
            " AS answer"
        )
        subjects, hits, errors = _job_counts(db)
    except BaseException:
        db.close()
        raise
    return BulkCheck(db, folder, scene, snapshot.as_of, subjects, hits, errors)


def run(
    conn: sa.Connection,
    catalog: Catalog,
    source: Path,
    *,
    scene: scenes.Scene,
    snapshot: Snapshot,
    book: Book,
    engine: engines.Engine | None = None,
    grade_models: Sequence[str] = (),
    threads: int | None = None,
) -> BulkCheck:
    """Check every subject of the file ``source`` against ``snapshot`` in ``scene``, on
    ``engine`` (DuckDB when not given); with ``grade_models``, a registered subject's current
    grades end its explanation, as in the single check."""
    folder = Path(tempfile.mkdtemp(prefix="gongxin-bulk-"))
    try:
        if engine is None or isinstance(engine, engines.DuckDBEngine):
            return _in_duckdb(
                conn, catalog, source, scene=scene, snapshot=snapshot, book=book,
                folder=folder, grade_models=grade_models,
                threads=threads or (engine.threads if engine else None),
            )  # fmt: skip
        tables = prepare(
            conn, catalog, source, scene=scene, snapshot=snapshot, book=book, folder=folder,
            grade_models=grade_models,
        )  # fmt: skip
        job = check_job(scene, snapshot.as_of)
        out = jobs.export(job, tables, engine, snapshot.as_of, folder / "out")
        db = duckdb.connect()
        db.execute("SET enable_progress_bar = false")
        db.execute(
            f"CREATE VIEW out AS SELECT * FROM read_parquet({_q(engines.parquet_files(out))})"
        )
        subjects, hits, errors = _counts(db)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return BulkCheck(db, folder, scene, snapshot.as_of, subjects, hits, errors)
