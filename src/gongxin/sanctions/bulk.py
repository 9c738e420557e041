"""The credit check of a file of subjects: a set-based join on DuckDB.

The single check (``sanctions.check``) looks each subject up through the store's indexes; a
file of a million codes is instead joined, as sets, against the entries that apply on the date
(``sanctions.snapshot``) and the measures of the scene, on DuckDB. USCCs are validated in SQL
(the GB 32100 check character, the same rule as ``gongxin.ids.uscc``); anything else — other
codes, names, malformed items — goes through ``sanctions.match`` in Python, one by one, and
joins the rest. Every result, the explanation included, is built in SQL.

Names of subjects that are on no list are not looked up (the code is the answer); a subject
with a hit is named from the registry, else from the list entry.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import orjson
import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.ids import uscc
from gongxin.sanctions import scenes
from gongxin.sanctions.lists import list_types
from gongxin.sanctions.match import MATCH_NAMES, Item, read, resolve
from gongxin.sanctions.memoranda import Book
from gongxin.sanctions.snapshot import Snapshot

HEADERS = frozenset(
    {"代码", "统一社会信用代码", "主体代码", "名称", "主体名称", "企业名称", "code", "codes",
     "name", "subject", "subjects", "uscc", "query"}
)  # fmt: skip
OUT_COLUMNS = (
    "position", "query", "match", "confidence", "subject_code", "subject_name", "lists",
    "measures", "rewards", "explanation", "error",
)  # fmt: skip


def _uscc_sql(col: str) -> str:
    """SQL true when ``col`` is a valid USCC in machine form (same rule as uscc.is_valid)."""
    alpha = uscc.ALPHABET
    first = "".join(uscc.AUTHORITIES)
    pattern = f"^[{first}][0-9]{{7}}[{alpha}]{{10}}$"
    total = " + ".join(
        f"{w} * (instr('{alpha}', substr({col}, {i + 1}, 1)) - 1)"
        for i, w in enumerate(uscc.WEIGHTS)
    )
    check = "".join(alpha[(31 - r) % 31] for r in range(31))
    return (
        f"(regexp_full_match({col}, '{pattern}') AND "
        f"substr('{check}', (({total}) % 31) + 1, 1) = substr({col}, 18, 1))"
    )


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
        self.db.execute(
            f"COPY (SELECT {', '.join(OUT_COLUMNS)} FROM out ORDER BY position) TO {_q(str(path))}"
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


def _load_queries(db: duckdb.DuckDBPyConnection, source: Path, folder: Path) -> None:
    """Table ``q(pos, query, code)`` from the first column of a CSV/TXT (UTF-8 or GB 18030) or
    an XLSX; ``code`` is the query when it is a valid USCC in machine form."""
    path = source
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        path = folder / "queries.csv"
        book = load_workbook(source, read_only=True, data_only=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for row in book.worksheets[0].iter_rows(values_only=True):
                writer.writerow(["" if not row or row[0] is None else str(row[0])])
        book.close()
    else:
        try:
            path.read_bytes()[:1_000_000].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < 1_000_000 - 4:  # not merely a character cut at the end
                path = folder / "queries.csv"
                text = source.read_bytes().decode("gb18030", "replace")
                path.write_text(text, encoding="utf-8")
    db.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_csv({_q(str(path))}, header=false, "
        "all_varchar=true, auto_detect=true, null_padding=true)"
    )
    first = db.execute("SELECT trim(column0) FROM raw WHERE rowid = 0").fetchone()
    skip = int(first is not None and str(first[0] or "").lower() in HEADERS)
    db.execute(
        f"CREATE TABLE q AS SELECT pos, query, CASE WHEN {_uscc_sql('u')} THEN u END AS code "
        f"FROM (SELECT rowid - {skip} AS pos, trim(coalesce(column0, '')) AS query, "
        f"upper(trim(coalesce(column0, ''))) AS u FROM raw WHERE rowid >= {skip})"
    )


def _slow(db: duckdb.DuckDBPyConnection, conn: sa.Connection, folder: Path) -> None:
    """Items that are not USCCs in machine form: read and resolved in Python (``match``)."""
    rows = db.execute("SELECT pos, query FROM q WHERE code IS NULL ORDER BY pos").fetchall()
    items = [read(int(pos), query) for pos, query in rows]
    resolve(conn, items)
    path = folder / "slow.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("pos", "code", "match", "confidence", "subject_code", "subject_name",
                         "error"))  # fmt: skip
        for it in items:
            writer.writerow(_slow_row(it))
    db.execute(
        f"CREATE TABLE slow AS SELECT * FROM read_csv({_q(str(path))}, header=true, "
        "columns={'pos': 'BIGINT', 'code': 'VARCHAR', 'match': 'VARCHAR', 'confidence': "
        "'DOUBLE', 'subject_code': 'VARCHAR', 'subject_name': 'VARCHAR', 'error': 'VARCHAR'})"
    )


def _slow_row(it: Item) -> tuple[Any, ...]:
    error = orjson.dumps(it.error).decode() if it.error else None
    key = it.subject_code or it.code if error is None else None
    return (it.position, key, it.match, it.confidence, it.subject_code, it.subject_name, error)


def _measures(db: duckdb.DuckDBPyConnection, catalog: Catalog, book: Book, scene: str) -> None:
    db.execute(
        "CREATE TABLE m (list_type VARCHAR, id VARCHAR, kind VARCHAR, text VARCHAR, json VARCHAR)"
    )
    rows = []
    for lt in list_types(catalog).values():
        for x in book.measures_for(lt.code, scene, lt.kind):
            d = x.to_dict() | {"scene": scenes.by_code(scene).name}
            rows.append((lt.code, x.id, x.kind, x.text, orjson.dumps(d).decode()))
    if rows:
        db.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?)", rows)


def run(
    conn: sa.Connection,
    catalog: Catalog,
    source: Path,
    *,
    scene: scenes.Scene,
    snapshot: Snapshot,
    book: Book,
    threads: int | None = None,
) -> BulkCheck:
    """Check every subject of the file ``source`` against ``snapshot`` in ``scene``."""
    folder = Path(tempfile.mkdtemp(prefix="gongxin-bulk-"))
    db = duckdb.connect()
    if threads:
        db.execute(f"SET threads = {int(threads)}")
    try:
        _load_queries(db, source, folder)
        _slow(db, conn, folder)
        db.execute(
            "CREATE TABLE e AS SELECT * REPLACE (CAST(entry AS BIGINT) AS entry) FROM "
            f"read_csv({_q(str(snapshot.entries_csv))}, header=true, all_varchar=true)"
        )
        db.execute(
            f"CREATE TABLE k AS SELECT key, via, CAST(entry AS BIGINT) AS entry FROM "
            f"read_csv({_q(str(snapshot.keys_csv))}, header=true, all_varchar=true)"
        )
        _measures(db, catalog, book, scene.code)
        _join(db, scene, snapshot.as_of)
        subjects, hits, errors = db.execute(
            "SELECT count(*), count(*) FILTER (WHERE lists IS NOT NULL),"
            " count(*) FILTER (WHERE error IS NOT NULL) FROM out"
        ).fetchone() or (0, 0, 0)
    except BaseException:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return BulkCheck(db, folder, scene, snapshot.as_of, subjects, hits, errors)


def _join(db: duckdb.DuckDBPyConnection, scene: scenes.Scene, as_of: date) -> None:
    how = " ".join(f"WHEN {_q(k)} THEN {_q(v[0])}" for k, v in MATCH_NAMES.items())
    db.execute(f"""
        CREATE TABLE h AS
        WITH c AS (SELECT pos, code FROM q WHERE code IS NOT NULL
                   UNION ALL SELECT pos, code FROM slow WHERE code IS NOT NULL)
        SELECT DISTINCT pos, entry FROM (
            SELECT c.pos, k.entry FROM c JOIN k ON k.key = c.code AND k.via = 'code'
            UNION ALL
            SELECT c.pos, k.entry FROM c
            JOIN k ON k.key = substr(c.code, 9, 9) AND k.via = 'org_in_uscc'
            WHERE length(c.code) = 18
        );
        CREATE TABLE hx AS
        SELECT h.pos,
               string_agg(DISTINCT e.list_name, '；') AS lists,
               string_agg('“' || e.list_name || '”（' || coalesce(e.authority, '认定机关未载明')
                          || '，' || coalesce(e.listed_on, '日期不详') || ' 列入）', '、')
                   AS listed_text,
               first(e.subject_name) FILTER (WHERE e.subject_name IS NOT NULL) AS registry_name,
               first(e.name) AS entry_name,
               '[' || string_agg(e.json, ',') || ']' AS hits_json
        FROM h JOIN e ON e.entry = h.entry GROUP BY h.pos;
        CREATE TABLE mx AS
        SELECT pos,
               string_agg(text, '；') FILTER (WHERE kind = 'punish') AS measures,
               string_agg(text, '；') FILTER (WHERE kind = 'reward') AS rewards,
               count(*) FILTER (WHERE kind = 'punish') AS np,
               count(*) FILTER (WHERE kind = 'reward') AS nr,
               '[' || string_agg(json, ',') || ']' AS measures_json
        FROM (SELECT DISTINCT h.pos, m.id, m.kind, m.text, m.json
              FROM h JOIN e ON e.entry = h.entry JOIN m ON m.list_type = e.list_type)
        GROUP BY pos;
        CREATE TABLE out AS
        WITH i AS (
            SELECT q.pos, q.query,
                   CASE WHEN q.code IS NOT NULL THEN 'code' ELSE s.match END AS match,
                   CASE WHEN q.code IS NOT NULL THEN 1.0 ELSE s.confidence END AS confidence,
                   coalesce(q.code, s.subject_code) AS subject_code,
                   s.subject_name, s.error
            FROM q LEFT JOIN slow s ON s.pos = q.pos
        )
        SELECT i.pos AS position, i.query, i.match, i.confidence,
               CASE WHEN i.error IS NULL THEN i.subject_code END AS subject_code,
               CASE WHEN i.error IS NULL
                    THEN coalesce(i.subject_name, hx.registry_name, hx.entry_name) END
                    AS subject_name,
               hx.lists, mx.measures, mx.rewards,
               CASE
                 WHEN i.error IS NOT NULL
                 THEN CAST(json_extract_string(i.error, '$.message') AS VARCHAR)
                 ELSE coalesce(i.subject_name, hx.registry_name, i.subject_code, i.query)
                      || '（按' || (CASE i.match {how} END) || '匹配）截至 {as_of.isoformat()} '
                      || CASE WHEN hx.pos IS NULL
                              THEN '未列入联合奖惩名单，在“{scene.name}”场景'
                                   || '无须采取惩戒或激励措施。'
                              ELSE '列入' || hx.listed_text || '；在“{scene.name}”场景'
                                   || CASE WHEN coalesce(mx.np, 0) > 0 AND coalesce(mx.nr, 0) > 0
                                           THEN '应采取 ' || mx.np || ' 项惩戒措施，可给予 '
                                                || mx.nr || ' 项激励措施'
                                           WHEN coalesce(mx.np, 0) > 0
                                           THEN '应采取 ' || mx.np || ' 项惩戒措施'
                                           WHEN coalesce(mx.nr, 0) > 0
                                           THEN '可给予 ' || mx.nr || ' 项激励措施'
                                           ELSE '无备忘录规定的措施' END || '。'
                         END
               END AS explanation,
               i.error, hx.hits_json,
               coalesce(mx.measures_json, CASE WHEN hx.pos IS NOT NULL THEN '[]' END)
                   AS measures_json
        FROM i LEFT JOIN hx ON hx.pos = i.pos LEFT JOIN mx ON mx.pos = i.pos
    """)  # values are quoted by _q or are constants
