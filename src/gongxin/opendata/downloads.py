"""Downloads of an open dataset as CSV or JSON, de-identified: only records the visibility
gate shows the public (Audience.PUBLIC) on the day of the download appear — selected in SQL on
the decision stored with each record (``decisions.public_now``) — with personal names and ID
numbers masked.

Both formats stream: records are read from the database in batches (a server-side cursor on
PostgreSQL) and written out in chunks, so memory stays flat however large the dataset.

- CSV: UTF-8 with a byte-order mark (Excel opens it correctly), one header row of the fields'
  Chinese names (``header="code"`` gives the field codes instead), then one row per record.
- JSON: one array of objects, one per record, keyed by field code; values as stored
  (dates ISO ``YYYY-MM-DD``, multi-valued fields as arrays).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

import orjson
import sqlalchemy as sa

from gongxin import formulas
from gongxin.catalog.model import DatasetSpec
from gongxin.db.models import records
from gongxin.records.decisions import public_now
from gongxin.records.gate import Audience, Gate

BATCH = 1000  # records fetched per round trip
CHUNK_BYTES = 64 * 1024  # bytes written out at a time

Header = Literal["name", "code"]


def public_records(engine: sa.Engine, spec: DatasetSpec, as_of: date) -> Iterator[dict[str, Any]]:
    """The dataset's records as the public may see them on ``as_of``, in storage order."""
    query = (
        sa.select(records.c.data)
        .where(records.c.dataset == spec.code, public_now(as_of))
        .order_by(records.c.id)
        .execution_options(stream_results=True, yield_per=BATCH)
    )
    gate = Gate(spec, Audience.PUBLIC, as_of)
    with engine.connect() as conn:
        for (data,) in conn.execute(query):
            yield gate.masked_own(data)  # each row freshly read: masked in place


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return formulas.csv_cell(";".join(_cell(v) for v in value))
    return formulas.csv_cell(value)


def csv_chunks(
    rows: Iterator[dict[str, Any]], spec: DatasetSpec, header: Header = "name"
) -> Iterator[bytes]:
    """The CSV file in chunks of about CHUNK_BYTES, starting with the UTF-8 BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    codes = [f.code for f in spec.fields]
    writer.writerow(formulas.csv_row(f.name if header == "name" else f.code for f in spec.fields))
    safe, first = formulas.neutralise, formulas.FIRST_CHARACTERS
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow(
            [
                (v if not v or v[0] not in first else safe(v)) if type(v) is str else _cell(v)
                for v in map(row.get, codes)
            ]
        )
        if buffer.tell() * 3 >= CHUNK_BYTES:  # tell() counts characters, UTF-8 ≤ 3 bytes
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def json_chunks(rows: Iterator[dict[str, Any]], spec: DatasetSpec) -> Iterator[bytes]:
    """The JSON array in chunks of about CHUNK_BYTES; objects keep the spec's field order."""
    codes = [f.code for f in spec.fields]
    parts: list[bytes] = [b"["]
    size = 1
    first = True
    for row in rows:
        item = {code: row.get(code) for code in codes}
        encoded = (b"\n" if first else b",\n") + orjson.dumps(item)
        first = False
        parts.append(encoded)
        size += len(encoded)
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(b"\n]\n")
    yield b"".join(parts)
