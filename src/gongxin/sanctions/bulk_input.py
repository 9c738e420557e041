"""The items of a bulk check read from its file, each validated as a USCC as a whole column.

The first column of a CSV/TXT (UTF-8 or GB 18030) or an XLSX is read by DuckDB into one Arrow
column; its codes are validated all at once (``ids.columns``: the GB 32100 check character, the
same rule as ``gongxin.ids.uscc``) — first as given, then, for the texts that failed, trimmed
and in upper case. Anything that is still not a valid USCC — other codes, names, malformed
items — and any code shaped like a resident ID number is left to ``sanctions.match`` in Python.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gongxin.ids import columns

HEADERS = frozenset(
    {"代码", "统一社会信用代码", "主体代码", "名称", "主体名称", "企业名称", "code", "codes",
     "name", "subject", "subjects", "uscc", "query"}
)  # fmt: skip


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def validate(texts: pa.Array) -> pa.Table:
    """``(pos, query, code)`` for the texts of one column: ``query`` the text trimmed of
    spaces (as SQL ``trim``), ``code`` the query as a USCC in machine form (upper case) when it
    is one, by the rule of ``uscc.is_valid``, and not shaped like a resident ID number (those
    are left to ``ids.classify``, with everything else that is not a code)."""
    texts = columns.strings(texts)
    n = len(texts)
    fast = columns.uscc_codes(texts)  # most codes: valid exactly as given
    query, code = texts, pc.if_else(pa.array(fast), texts, pa.scalar(None, texts.type))
    rest = np.flatnonzero(~fast)
    if len(rest):
        trimmed = pc.utf8_trim(pc.fill_null(texts.take(pa.array(rest)), ""), columns.SPACES)
        upper = pc.utf8_upper(trimmed)
        again = pa.array(columns.uscc_codes(upper))
        others = pa.array(~fast)
        query = pc.replace_with_mask(texts, others, trimmed)
        code = pc.replace_with_mask(
            code, others, pc.if_else(again, upper, pa.scalar(None, upper.type))
        )
    return pa.table({"pos": pa.array(np.arange(n, dtype=np.int64)), "query": query, "code": code})


def load_queries(db: duckdb.DuckDBPyConnection, source: Path, folder: Path) -> pa.Table:
    """View ``q(pos, query, code)`` (an Arrow table registered in ``db``, and returned) from
    the first column of a CSV/TXT (UTF-8 or GB 18030) or an XLSX; ``code`` is the query when
    it is a valid USCC in machine form."""
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
            with path.open("rb") as fh:
                fh.read(1_000_000).decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < 1_000_000 - 4:  # not merely a character cut at the end
                path = folder / "queries.csv"
                text = source.read_bytes().decode("gb18030", "replace")
                path.write_text(text, encoding="utf-8")
    read = db.sql(
        f"SELECT column0 FROM read_csv({_q(str(path))}, header=false, all_varchar=true, "
        "auto_detect=true, null_padding=true)"
    ).to_arrow_table()
    texts = read.column(0)
    texts = columns.strings(texts)
    first = texts[0].as_py() if len(texts) else None
    if first is not None and first.strip(columns.SPACES).lower() in HEADERS:
        texts = texts.slice(1)
    table = validate(texts)
    db.register("q", table)  # a view of the Arrow table: nothing copied
    return table
