"""What every reader returns: a header and a stream of rows, whatever the file's format."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Cell = str | int | float | bool | datetime.datetime | datetime.date | None
"""One value as the file holds it; parsing into dates, amounts and codes happens upstream."""

Format = Literal["csv", "xlsx", "xls", "json", "jsonl"]


@dataclass(slots=True)
class Row:
    """One record of the file.

    ``number`` is the row number a clerk sees. CSV, XLSX, XLS: the spreadsheet row, the header
    being row 1 (for a sheet whose header is lower down, that sheet row) and records counted as
    records, so a newline inside a quoted field does not shift the numbers. JSON: the 1-based
    index of the object in the array. JSON Lines: the line number.

    ``values`` is aligned to :attr:`Table.headers`; a short row is padded with ``None``.
    ``extras`` holds cells that fall under no header: the non-empty cells past the last header of
    a ragged CSV or spreadsheet row (keyed ``第N列``, column N counted from 1), or JSON keys absent
    from the header set. It is ``None`` when there are none.
    """

    number: int
    values: list[Cell]
    extras: dict[str, Cell] | None = None


@dataclass(slots=True)
class Table:
    """A file opened for reading: its format, header, encoding, notes and rows.

    ``notes`` are things the user should know, each written ``中文（English）``.
    """

    format: Format
    headers: list[str]
    encoding: str | None
    notes: list[str]
    rows: Iterator[Row]


def note(zh: str, en: str) -> str:
    """A note as users see it: Chinese first, English gloss after."""
    return f"{zh}（{en}）"


def column_key(number: int) -> str:
    """The ``extras`` key of the cell in column ``number`` (1-based) that has no header."""
    return f"第{number}列"


def header_text(value: object) -> str:
    """A header cell as text: stripped of surrounding whitespace and any stray BOM."""
    if value is None:
        return ""
    return str(value).strip().lstrip("\ufeff").strip()


def trim_headers(cells: Iterable[object]) -> list[str]:
    """Header cells as text, without the empty cells at the end."""
    headers = [header_text(cell) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def is_blank(cells: Iterable[object]) -> bool:
    """Whether every cell is ``None``, empty or whitespace."""
    return not any(cell.strip() if isinstance(cell, str) else cell is not None for cell in cells)
