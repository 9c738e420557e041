"""The items of a bulk check read from its file, each validated as a USCC in SQL.

The first column of a CSV/TXT (UTF-8 or GB 18030) or an XLSX is read into DuckDB with its
positions. USCCs are validated in SQL (the GB 32100 check character, the same rule as
``gongxin.ids.uscc``): a code whose first 17 characters are digits — most codes — as one integer
(17 divisions, no character cut out), any other by its characters; anything that is not a valid
USCC — other codes, names, malformed items — is left to ``sanctions.match`` in Python.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from gongxin.ids import areas, ric, uscc

HEADERS = frozenset(
    {"代码", "统一社会信用代码", "主体代码", "名称", "主体名称", "企业名称", "code", "codes",
     "name", "subject", "subjects", "uscc", "query"}
)  # fmt: skip
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


def valid_sql(relation: str) -> str:
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


def load_queries(db: duckdb.DuckDBPyConnection, source: Path, folder: Path) -> None:
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
    db.execute(f"CREATE TEMP TABLE q AS {valid_sql(texts)}")
    db.execute("DROP TABLE raw")
