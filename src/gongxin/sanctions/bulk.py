"""The credit check of a file of subjects: a set-based join on DuckDB.

The single check (``sanctions.check``) looks each subject up through the store's indexes; a
file of a million codes is instead joined, as sets, against the entries that apply on the date
(``sanctions.snapshot``, cached per store state) and the measures of the scene, on DuckDB.
USCCs are validated in SQL (the GB 32100 check character, the same rule as
``gongxin.ids.uscc``): a code whose first 17 characters are digits — most codes — as one
integer (17 divisions, no character cut out), any other by its characters; anything that is not
a valid USCC — other codes, names, malformed items — goes through ``sanctions.match`` in Python,
one by one, and joins the rest.

The results are a view (``out``) over the queries and the hits: the explanation of each
subject is built in SQL as the result file (or the log) reads it, never as Python objects per
subject. A subject is named from the registry, as the single check names it (one query per
chunk of the distinct codes without a hit, ``_names``); a subject the registry does not know
has no name, whatever its list entry calls it (the code is the answer).
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

from gongxin import formulas
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.ids import areas, ric, uscc
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


NUMERIC_COLUMNS = frozenset({"position", "confidence"})


_CHECK = "".join(uscc.ALPHABET[(31 - r) % 31] for r in range(31))  # check char by sum mod 31
_CHECKS = "[" + ", ".join(f"'{c}'" for c in _CHECK) + "]"
_SHAPE = f"[{''.join(uscc.AUTHORITIES)}][0-9]{{7}}[{uscc.ALPHABET}]{{10}}"
_DIGITS = f"[1-9][0-9]{{16}}[{uscc.ALPHABET}]"  # most codes: 17 digits and a check character


def _weighted(col: str, weights: tuple[int, ...]) -> str:
    """SQL for Σ weight × digit (mod 31 equivalent) over the digits of the integer ``col``,
    ``weights[0]`` for its leftmost digit. Digit k from the right is F(k) − 10·F(k+1) with
    F(k) = col // 10^k, so the sum is Σ F(k)·(c(k) − 10·c(k−1)): one division per digit."""
    size = len(weights)
    by_right = [weights[size - 1 - k] for k in range(size)]
    coef = [(by_right[k] - 10 * (by_right[k - 1] if k else 0)) % 31 for k in range(size)]
    terms = [col if k == 0 else f"({col} // {10**k})" for k in range(size)]
    return " + ".join(f"{c} * {t}" for c, t in zip(coef, terms, strict=True) if c)


def _by_character(col: str) -> str:
    """SQL for the weighted sum of the values of characters 1–17 of ``col``, one by one."""
    return " + ".join(
        f"{w} * (instr('{uscc.ALPHABET}', substr({col}, {i + 1}, 1)) - 1)"
        for i, w in enumerate(uscc.WEIGHTS)
    )


def _ric_like(col: str) -> str:
    """SQL: ``col`` passes the resident ID number's own checks (a GB/T 2260 province, a date
    from 1800 on at positions 7–14, the MOD 11-2 check character); the cheap tests first.
    Such a code may be a person's number that happens to pass the USCC check too:
    ``ids.classify`` decides, on the slow path."""
    prefixes = ", ".join(f"'{p}'" for p in areas.resident_id_prefixes())
    total = " + ".join(
        f"{w} * CAST(substr({col}, {i + 1}, 1) AS INTEGER)" for i, w in enumerate(ric.WEIGHTS)
    )
    return (
        f"(substr({col}, 7, 2) IN ('18', '19', '20') AND left({col}, 2) IN ({prefixes})"
        f" AND regexp_full_match({col}, '[0-9]{{17}}[0-9X]')"
        f" AND try_strptime(substr({col}, 7, 8), '%Y%m%d') IS NOT NULL"
        f" AND substr('{ric.CHECK_BY_REMAINDER}', CAST(({total}) % 11 AS INTEGER) + 1, 1)"
        f" = right({col}, 1))"
    )


def _valid_sql(relation: str) -> str:
    """A SELECT of ``(pos, query, code)`` from ``relation`` (pos, raw text): ``query`` is the
    text trimmed, ``code`` the query as a USCC in machine form (upper case) when it is one, by
    the rule of uscc.is_valid: the characters allowed at each position, then the GB 32100
    weighted sum of the values of characters 1–17 (A = 10 … Y = 30) mod 31 naming the check
    character. A code whose first 17 characters are digits (most codes) is read as one integer
    (its digits by division, nothing cut out); any other by its characters. A code that is also
    shaped like a resident ID number is left to the slow path (``code`` NULL), where
    ``ids.classify`` tells a company from a person."""
    hi, lo = uscc.WEIGHTS[:8], uscc.WEIGHTS[8:]
    digits = f"{_CHECKS}[CAST(({_weighted('nh', hi)} + {_weighted('nl', lo)}) % 31 AS INTEGER) + 1]"
    chars = f"{_CHECKS}[CAST(({_by_character('x')}) % 31 AS INTEGER) + 1]"
    return f"""
        SELECT pos, query,
               CASE WHEN x IS NOT NULL AND {_ric_like("x")} THEN NULL
                    WHEN fast THEN CASE WHEN suffix(x, {digits}) THEN x END
                    WHEN x IS NOT NULL AND suffix(x, {chars}) THEN x END AS code
        FROM (SELECT pos, query, fast, x, n // 1000000000 AS nh, n % 1000000000 AS nl
              FROM (SELECT pos, query, fast,
                           CASE WHEN fast THEN query
                                WHEN regexp_full_match(upper(query), '{_SHAPE}')
                                THEN upper(query) END AS x,
                           CASE WHEN fast THEN CAST(left(query, 17) AS BIGINT) END AS n
                    FROM (SELECT pos, fast,
                                 CASE WHEN fast THEN text ELSE trim(coalesce(text, '')) END
                                     AS query
                          FROM (SELECT pos, text, regexp_full_match(text, '{_DIGITS}') AS fast
                                FROM ({relation})))))
    """


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
        f"CREATE TEMP TABLE raw AS SELECT * FROM read_csv({_q(str(path))}, header=false, "
        "all_varchar=true, auto_detect=true, null_padding=true)"
    )
    first = db.execute("SELECT trim(column0) FROM raw WHERE rowid = 0").fetchone()
    skip = int(first is not None and str(first[0] or "").lower() in HEADERS)
    texts = f"SELECT rowid - {skip} AS pos, column0 AS text FROM raw WHERE rowid >= {skip}"
    db.execute(f"CREATE TEMP TABLE q AS {_valid_sql(texts)}")
    db.execute("DROP TABLE raw")


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
        f"CREATE TEMP TABLE slow AS SELECT * FROM read_csv({_q(str(path))}, header=true, "
        "columns={'pos': 'BIGINT', 'code': 'VARCHAR', 'match': 'VARCHAR', 'confidence': "
        "'DOUBLE', 'subject_code': 'VARCHAR', 'subject_name': 'VARCHAR', 'error': 'VARCHAR'})"
    )


def _slow_row(it: Item) -> tuple[Any, ...]:
    error = orjson.dumps(it.error).decode() if it.error else None
    key = it.subject_code or it.code if error is None else None
    return (it.position, key, it.match, it.confidence, it.subject_code, it.subject_name, error)


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
    db = snapshot.db.cursor()  # its own connection: the temporary tables are this run's
    if threads:
        db.execute(f"SET threads = {int(threads)}")
    try:
        _load_queries(db, source, folder)
        _slow(db, conn, folder)
        _measures(db, catalog, book, scene.code)
        _join(db, conn, scene, snapshot.as_of, folder)
        subjects, hits, errors = db.execute(
            "SELECT (SELECT count(*) FROM q), (SELECT count(*) FROM hx),"
            " (SELECT count(*) FROM slow WHERE error IS NOT NULL)"
        ).fetchone() or (0, 0, 0)
    except BaseException:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return BulkCheck(db, folder, scene, snapshot.as_of, subjects, hits, errors)


def _names(db: duckdb.DuckDBPyConnection, conn: sa.Connection, folder: Path) -> None:
    """Table ``nm(code, name)``: the registered names of the valid USCCs that have no hit (the
    hits carry theirs), looked up in the store like the single check does (one query per
    chunk of codes) and handed to DuckDB as a CSV file, its fastest way in."""
    codes = [c for (c,) in db.execute(
        "SELECT DISTINCT code FROM q WHERE code IS NOT NULL AND pos NOT IN (SELECT pos FROM h)"
    ).fetchall()]  # fmt: skip
    path = folder / "names.csv"
    seen: set[str] = set()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("code", "name"))
        for code, name in dialect.select_in(conn, "subjects", "uscc", ("name",), codes):
            if code not in seen:
                seen.add(code)
                writer.writerow((code, name))
    db.execute(
        f"CREATE TEMP TABLE nm AS SELECT * FROM read_csv({_q(str(path))}, header=true, "
        "columns={'code': 'VARCHAR', 'name': 'VARCHAR'})"
    )


def _join(
    db: duckdb.DuckDBPyConnection,
    conn: sa.Connection,
    scene: scenes.Scene,
    as_of: date,
    folder: Path,
) -> None:
    """Tables ``h`` (position → entry), ``hx`` and ``mx`` (per position with hits: the lists,
    the measures) and the view ``out``: every result, its explanation built as it is read."""
    day = as_of.isoformat()
    tail = f"未列入联合奖惩名单，在“{scene.name}”场景无须采取惩戒或激励措施。"
    clear = " ".join(
        f"WHEN {_q(k)} THEN {_q(f'（按{v[0]}匹配）截至 {day} {tail}')}"
        for k, v in MATCH_NAMES.items()
    )
    how = " ".join(
        f"WHEN {_q(k)} THEN {_q(f'（按{v[0]}匹配）截至 {day} 列入')}"
        for k, v in MATCH_NAMES.items()
    )
    found = db.execute("SELECT count(*) FROM keys WHERE via = 'org_in_uscc'").fetchone()
    org_keys = "TRUE" if found and found[0] else "FALSE"  # no such key: that join is skipped
    db.execute(f"""
        CREATE TEMP TABLE h AS
        WITH c AS (SELECT pos, code FROM q WHERE code IS NOT NULL
                   UNION ALL SELECT pos, code FROM slow WHERE code IS NOT NULL)
        SELECT DISTINCT pos, entry FROM (
            SELECT c.pos, k.entry FROM c JOIN keys k ON k.key = c.code AND k.via = 'code'
            UNION ALL
            SELECT c.pos, k.entry FROM c
            JOIN keys k ON k.key = substr(c.code, 9, 9) AND k.via = 'org_in_uscc'
            WHERE length(c.code) = 18 AND {org_keys}
        );
        CREATE TEMP TABLE hx AS
        WITH n AS (SELECT pos, count(*) AS n, min(entry) AS entry FROM h GROUP BY pos)
        SELECT n.pos, e.list_name AS lists, e.listed_text, e.subject_name AS registry_name,
               e.name AS entry_name, '[' || e.json || ']' AS hits_json, e.list_type AS combo
        FROM n JOIN entries e ON e.entry = n.entry WHERE n.n = 1
        UNION ALL
        SELECT h.pos,
               string_agg(DISTINCT e.list_name, '；') AS lists,
               string_agg(e.listed_text, '、' ORDER BY e.entry) AS listed_text,
               first(e.subject_name ORDER BY e.entry) FILTER (WHERE e.subject_name IS NOT NULL)
                   AS registry_name,
               first(e.name ORDER BY e.entry) AS entry_name,
               '[' || string_agg(e.json, ',' ORDER BY e.entry) || ']' AS hits_json,
               string_agg(DISTINCT e.list_type, ',' ORDER BY e.list_type) AS combo
        FROM h JOIN entries e ON e.entry = h.entry
        WHERE h.pos IN (SELECT pos FROM n WHERE n > 1) GROUP BY h.pos;
        CREATE TEMP TABLE mx AS
        SELECT combo,
               string_agg(text, '；' ORDER BY seq) FILTER (WHERE kind = 'punish') AS measures,
               string_agg(text, '；' ORDER BY seq) FILTER (WHERE kind = 'reward') AS rewards,
               count(*) FILTER (WHERE kind = 'punish') AS np,
               count(*) FILTER (WHERE kind = 'reward') AS nr,
               '[' || string_agg(json, ',' ORDER BY seq) || ']' AS measures_json
        FROM (SELECT c.combo, min(m.seq) AS seq, m.id, m.kind, m.text, m.json
              FROM (SELECT DISTINCT combo FROM hx) c
              JOIN m ON list_contains(string_split(c.combo, ','), m.list_type)
              GROUP BY c.combo, m.id, m.kind, m.text, m.json)
        GROUP BY combo;
    """)  # values are quoted by _q or are constants
    _names(db, conn, folder)
    db.execute(f"""
        CREATE TEMP VIEW out AS
        WITH i AS (
            SELECT q.pos, q.query,
                   CASE WHEN q.code IS NOT NULL THEN 'code' ELSE s.match END AS match,
                   CASE WHEN q.code IS NOT NULL THEN 1.0 ELSE s.confidence END AS confidence,
                   coalesce(q.code, s.subject_code) AS subject_code,
                   coalesce(s.subject_name, nm.name) AS subject_name, s.error
            FROM q LEFT JOIN slow s ON s.pos = q.pos LEFT JOIN nm ON nm.code = q.code
        )
        SELECT i.pos AS position, i.query, i.match, i.confidence,
               CASE WHEN i.error IS NULL THEN i.subject_code END AS subject_code,
               CASE WHEN i.error IS NULL
                    THEN coalesce(i.subject_name, hx.registry_name) END
                    AS subject_name,
               hx.lists, mx.measures, mx.rewards,
               CASE
                 WHEN i.error IS NOT NULL
                 THEN CAST(json_extract_string(i.error, '$.message') AS VARCHAR)
                 WHEN hx.pos IS NULL
                 THEN coalesce(i.subject_name, i.subject_code, i.query)
                      || CASE i.match {clear} END
                 ELSE coalesce(i.subject_name, hx.registry_name, i.subject_code, i.query)
                      || CASE i.match {how} END || hx.listed_text || {_q(f"；在“{scene.name}”场景")}
                      || CASE WHEN coalesce(mx.np, 0) > 0 AND coalesce(mx.nr, 0) > 0
                              THEN '应采取 ' || mx.np || ' 项惩戒措施，可给予 '
                                   || mx.nr || ' 项激励措施'
                              WHEN coalesce(mx.np, 0) > 0
                              THEN '应采取 ' || mx.np || ' 项惩戒措施'
                              WHEN coalesce(mx.nr, 0) > 0
                              THEN '可给予 ' || mx.nr || ' 项激励措施'
                              ELSE '无备忘录规定的措施' END || '。'
               END AS explanation,
               i.error, hx.hits_json,
               coalesce(mx.measures_json, CASE WHEN hx.pos IS NOT NULL THEN '[]' END)
                   AS measures_json
        FROM i LEFT JOIN hx ON hx.pos = i.pos LEFT JOIN mx ON mx.combo = hx.combo
    """)  # values are quoted by _q or are constants
