"""CSV and other delimited text, streamed through the C ``csv`` module.

- The encoding is detected (see :mod:`gongxin.intake.readers.encoding`); the whole file is
  decoded with it using ``errors="replace"``, so a few bad bytes become U+FFFD in the values they
  sit in rather than failing the file.
- The delimiter is a comma, unless the header line has no comma but has tabs, semicolons or
  ``|``: then the most frequent of those.
- A quoted field may hold newlines and cells of up to :data:`FIELD_SIZE_LIMIT` characters.
- The header is the first record that is not blank; its cells are stripped of surrounding
  whitespace and trailing empty header cells are dropped. Duplicate names are kept as written.
- A blank record — an empty line, or a line whose cells are all empty or whitespace (``,,,``) —
  is not a record: it is skipped and takes no row number, so numbers count the records a clerk
  would count. A header with no records after it gives a table with no rows.
- A short record is padded with ``None``; the non-empty cells of a long record past the last
  header go to ``extras`` as ``第N列``.

Memory stays flat: the rows are produced one at a time from the open file, and a row that needs
no padding is handed on as the very list ``csv.reader`` made.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.encoding import detect_encoding
from gongxin.intake.readers.table import Cell, Row, Table, column_key, is_blank, trim_headers

FIELD_SIZE_LIMIT = 256 * 1024 * 1024
"""The largest cell read, in characters."""

_OTHER_DELIMITERS = ("\t", ";", "|")


def empty_file() -> UnreadableFile:
    """The error for a file with nothing in it but whitespace or a byte-order mark."""
    return UnreadableFile("文件为空", "the file is empty")


def sniff_delimiter(line: str) -> str:
    """The delimiter of a file whose header line is ``line``."""
    if "," in line:
        return ","
    counts = [(line.count(d), d) for d in _OTHER_DELIMITERS]
    count, delimiter = max(counts)
    return delimiter if count else ","


@contextlib.contextmanager
def open_csv(path: Path, *, declared_encoding: str | None = None) -> Iterator[Table]:
    """Open a delimited text file as a :class:`Table`; the file is closed on exit."""
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    encoding = detect_encoding(path, declared_encoding)
    raw = path.open("rb")
    with contextlib.closing(raw):
        raw.seek(encoding.bom)
        text = io.TextIOWrapper(raw, encoding=encoding.codec, errors="replace", newline="")
        with text:
            first = _first_line(text)
            reader = csv.reader(itertools.chain((first,), text), delimiter=sniff_delimiter(first))
            records = cast(Iterator[list[Cell]], reader)
            header = next((r for r in records if not is_blank(r)), None)
            if header is None:
                raise empty_file()
            headers = trim_headers(header)
            rows = _rows(records, len(headers))
            yield Table("csv", headers, encoding.name, list(encoding.notes), rows)


def _first_line(text: io.TextIOWrapper) -> str:
    """The first line with anything but whitespace on it; raises for an empty file."""
    for line in text:
        if line.strip():
            return line
    raise empty_file()


def _rows(records: Iterator[list[Cell]], width: int) -> Iterator[Row]:
    number = 1
    try:
        for record in records:
            n = len(record)
            if n == width and record[0]:
                # The common case, kept free of per-cell work.
                number += 1
                yield Row(number, record)
                continue
            if is_blank(record):
                continue
            number += 1
            if n <= width:
                record.extend([None] * (width - n))
                yield Row(number, record)
            else:
                yield Row(number, record[:width], _extras(record, width))
    except csv.Error as exc:
        raise UnreadableFile(
            f"第 {number + 1} 行附近的 CSV 格式有误：{exc}",
            f"malformed CSV near row {number + 1}: {exc}",
            row=number + 1,
        ) from exc


def _extras(record: list[Cell], width: int) -> dict[str, Cell] | None:
    extras: dict[str, Cell] = {
        column_key(column): cell
        for column, cell in enumerate(record[width:], start=width + 1)
        if isinstance(cell, str) and cell.strip()
    }
    return extras or None
