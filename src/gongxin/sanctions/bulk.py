"""The credit check of a file of subjects: a batch job, answered by DuckDB or Spark.

The single check (``sanctions.check``) looks each subject up through the store's indexes; a
file of a million codes is instead joined, as sets, against the entries that apply on the date
(``sanctions.snapshot``, cached per store state) and the measures of the scene. ``prepare``
reads the file (``bulk_input``: USCCs validated in SQL; anything else — other codes, names,
malformed items — goes through ``sanctions.match`` in Python, one by one), names the subjects
from the registry as the single check does, looks up their current grades, and writes five
Parquet tables; the job (``check_job``, one SQL definition) joins them on the engine asked for
and writes the results, with their explanations, as Parquet files. ``BulkCheck`` reads those
back (ordered by position) for the result file and the log, in batches: nothing is held per
subject in Python.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import orjson
import sqlalchemy as sa

from gongxin import formulas
from gongxin.analytics import engines, jobs
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.sanctions import scenes
from gongxin.sanctions.bulk_input import load_queries
from gongxin.sanctions.check_job import check_job
from gongxin.sanctions.lists import list_types
from gongxin.sanctions.match import Item, read, resolve
from gongxin.sanctions.memoranda import Book
from gongxin.sanctions.snapshot import Snapshot
from gongxin.subjects.grades import current_grades, grade_sentence, grades_by_code

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


def _csv_table(
    db: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    columns: dict[str, str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Temporary table ``table`` (``columns``: name → DuckDB type) of ``rows``, handed to
    DuckDB as the CSV file ``path``, its fastest way in."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    db.execute(
        f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({_q(str(path))}, header=true, "
        f"columns={{{types}}})"
    )


_SLOW_COLUMNS = {
    "pos": "BIGINT", "code": "VARCHAR", "match": "VARCHAR", "confidence": "DOUBLE",
    "subject_code": "VARCHAR", "subject_name": "VARCHAR", "error": "VARCHAR",
    "subject_id": "BIGINT",
}  # fmt: skip


def _slow(db: duckdb.DuckDBPyConnection, conn: sa.Connection, folder: Path) -> None:
    """Items that are not USCCs in machine form: read and resolved in Python (``match``)."""
    rows = db.execute("SELECT pos, query FROM q WHERE code IS NULL ORDER BY pos").fetchall()
    items = [read(int(pos), query) for pos, query in rows]
    resolve(conn, items)
    _csv_table(db, folder / "slow.csv", "slow", _SLOW_COLUMNS, (_slow_row(it) for it in items))


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


def _measures(db: duckdb.DuckDBPyConnection, catalog: Catalog, book: Book, scene: str) -> None:
    db.execute(
        "CREATE TEMP TABLE m"
        " (seq INTEGER, list_type VARCHAR, id VARCHAR, kind VARCHAR, text VARCHAR, json VARCHAR)"
    )
    rows: list[tuple[int, str, str, str, str, str]] = []
    for lt in list_types(catalog).values():
        for x in book.measures_for(lt.code, scene, lt.kind):
            d = x.to_dict() | {"scene": scenes.by_code(scene).name}
            rows.append((len(rows), lt.code, x.id, x.kind, x.text, orjson.dumps(d).decode()))
    if rows:
        db.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?)", rows)


def _names(
    db: duckdb.DuckDBPyConnection, conn: sa.Connection, folder: Path, codes: list[str]
) -> None:
    """Table ``nm(code, name)``: the registered names of the valid USCCs ``codes``, looked up
    in the store like the single check does (one query per chunk of the distinct codes)."""

    def first_names() -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for code, name in dialect.select_in(conn, "subjects", "uscc", ("name",), codes):
            if code not in seen:
                seen.add(code)
                yield code, name

    _csv_table(
        db, folder / "names.csv", "nm", {"code": "VARCHAR", "name": "VARCHAR"}, first_names()
    )


def _grades(
    db: duckdb.DuckDBPyConnection,
    conn: sa.Connection,
    folder: Path,
    codes: list[str],
    models: Sequence[str],
) -> Path:
    """``grades.parquet`` (subject_code, sentence): the current grade of each registered
    subject of the file (``codes``, the valid USCCs, and the subjects the slow path found) in
    each grade model of ``models``, as the single check words it."""
    sentences: dict[str, str] = {}
    if models:
        for code, graded in grades_by_code(conn, codes, models).items():
            sentences[code] = grade_sentence(graded)
        slow = dict(db.execute(
            "SELECT subject_id, subject_code FROM slow"
            " WHERE subject_id IS NOT NULL AND error IS NULL"
        ).fetchall())  # fmt: skip
        for sid, graded in current_grades(conn, list(slow), models).items():
            sentences.setdefault(slow[sid], grade_sentence(graded))
    columns = {"subject_code": "VARCHAR", "sentence": "VARCHAR"}
    _csv_table(db, folder / "grades.csv", "g", columns, sentences.items())
    return _export(db, "SELECT * FROM g", folder / "grades.parquet")


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
    """The job's input tables (``check_job.INPUTS``) as Parquet files in ``folder``."""
    db = snapshot.db.cursor()  # its own connection: the temporary tables are this run's
    try:
        load_queries(db, source, folder)
        codes = [c for (c,) in db.execute(
            "SELECT DISTINCT code FROM q WHERE code IS NOT NULL"
        ).fetchall()]  # fmt: skip
        _slow(db, conn, folder)
        _names(db, conn, folder, codes)
        _measures(db, catalog, book, scene.code)
        queries = """
            SELECT q.pos AS position, q.query,
                   CASE WHEN q.code IS NOT NULL THEN 'code' ELSE s.match END AS match,
                   CAST(CASE WHEN q.code IS NOT NULL THEN 1.0 ELSE s.confidence END AS DOUBLE)
                       AS confidence,
                   coalesce(q.code, s.code) AS key,
                   CASE WHEN s.error IS NULL THEN coalesce(q.code, s.subject_code) END
                       AS subject_code,
                   CASE WHEN s.error IS NULL THEN coalesce(s.subject_name, nm.name) END
                       AS subject_name,
                   s.error,
                   CAST(json_extract_string(s.error, '$.message') AS VARCHAR) AS error_message
            FROM q LEFT JOIN slow AS s ON s.pos = q.pos LEFT JOIN nm ON nm.code = q.code
        """
        return {
            "queries": _export(db, queries, folder / "queries.parquet"),
            "keys": _export(db, "SELECT key, via, entry FROM keys", folder / "keys.parquet"),
            "entries": _export(
                db,
                "SELECT entry, list_type, list_name, subject_name, listed_text, json FROM entries",
                folder / "entries.parquet",
            ),
            "measures": _export(db, "SELECT * FROM m", folder / "measures.parquet"),
            "grades": _grades(db, conn, folder, codes, grade_models),
        }
    finally:
        db.close()


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
    runner = engine or engines.DuckDBEngine(threads=threads)
    try:
        tables = prepare(
            conn, catalog, source, scene=scene, snapshot=snapshot, book=book, folder=folder,
            grade_models=grade_models,
        )  # fmt: skip
        job = check_job(scene, snapshot.as_of)
        out = jobs.export(job, tables, runner, snapshot.as_of, folder / "out")
        db = duckdb.connect()
        db.execute("SET enable_progress_bar = false")
        db.execute(
            f"CREATE VIEW out AS SELECT * FROM read_parquet({_q(engines.parquet_files(out))})"
        )
        subjects, hits, errors = db.execute(
            "SELECT count(*), count(hits_json), count(error) FROM out"
        ).fetchone() or (0, 0, 0)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if engine is None:
            runner.close()
    return BulkCheck(db, folder, scene, snapshot.as_of, subjects, hits, errors)
