"""Exporting a submission's quarantined rows so the department can fix and resubmit them.

The export has the file's own columns, in its own order (repeated columns included), then any
cells that stood under no header (``第N列``), plus 原行号 (the row number) and 错误说明 (every
problem of the row). Cells are always written as text and pass through ``gongxin.formulas``:
a value beginning with ``= + - @`` gets the customary leading apostrophe (which intake removes
again on resubmission) and never becomes a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin import formulas
from gongxin.db.models import rejects, row_warnings, submissions
from gongxin.errors import InvalidInput, NotFound
from gongxin.intake.validate import Problem

ERROR_COLUMN = "错误说明"
ROW_COLUMN = "原行号"

Rejected = tuple[int, list[str | None], str]  # row number, cells in export column order, errors


def _describe(row_no: int, errors: list[dict[str, str]]) -> str:
    return "\n".join(Problem(**e).describe(row_no) for e in errors)


def _query(submission_id: str) -> sa.Select[Any]:
    return (
        sa.select(rejects.c.row_no, rejects.c.raw, rejects.c.errors)
        .where(rejects.c.submission_id == submission_id)
        .order_by(rejects.c.row_no)
    )


def columns(conn: sa.Connection, submission_id: str) -> list[str]:
    """The export's columns: the file's headers, then the extra cells' names as they occur."""
    row = conn.execute(
        sa.select(submissions.c.headers).where(submissions.c.id == submission_id)
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {submission_id} 的提交", f"no submission {submission_id}")
    headers: list[str] = list(row.headers)
    extras: dict[str, None] = {}
    for _row_no, raw, _errors in conn.execute(_query(submission_id)):
        for name, _value in raw[len(headers) :]:
            extras.setdefault(name, None)
    return [*headers, *extras]


def iter_rejects(conn: sa.Connection, submission_id: str, names: list[str]) -> Iterator[Rejected]:
    """Each rejected row as cells under ``names`` (from :func:`columns`), in file order."""
    row = conn.execute(
        sa.select(submissions.c.headers).where(submissions.c.id == submission_id)
    ).first()
    width = len(row.headers) if row is not None else 0
    for row_no, raw, errors in conn.execute(_query(submission_id)):
        cells: list[str | None] = [value for _name, value in raw[:width]]
        extra = {name: value for name, value in raw[width:]}
        cells.extend(extra.get(name) for name in names[width:])
        yield row_no, cells, _describe(row_no, errors)


def export(conn: sa.Connection, submission_id: str, out: Path) -> int:
    """Write the rejects to ``out`` (.xlsx or .csv); returns the number of rows written."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(
            "导出文件须为 .xlsx 或 .csv", "the export file must end in .xlsx or .csv"
        )
    names = columns(conn, submission_id)
    header = [ROW_COLUMN, *names, ERROR_COLUMN]
    rows = iter_rejects(conn, submission_id, names)
    if suffix == ".csv":
        return _write_csv(header, rows, out)
    return _write_xlsx(header, rows, out)


def _write_csv(header: list[str], rows: Iterator[Rejected], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row_no, cells, errors in rows:
            writer.writerow(formulas.csv_row([row_no, *cells, errors]))
            count += 1
    return count


def _write_xlsx(header: list[str], rows: Iterator[Rejected], out: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("退回数据")
    wrap = Alignment(wrap_text=True, vertical="top")
    cell = formulas.write_only_cell
    sheet.append([cell(sheet, h, font=Font(bold=True)) for h in header])
    count = 0
    for row_no, cells, errors in rows:
        sheet.append(
            [row_no, *formulas.xlsx_row(sheet, cells), cell(sheet, errors, alignment=wrap)]
        )
        count += 1
    book.save(out)
    return count


def warnings_of(
    conn: sa.Connection, submission_id: str, *, limit: int = 1000, offset: int = 0
) -> list[tuple[int, list[Problem]]]:
    """Accepted rows of a submission that carry warnings (mojibake kept as written, an
    organisation code inside a USCC that fails GB 11714, a value kept as written …)."""
    query = (
        sa.select(row_warnings.c.row_no, row_warnings.c.warnings)
        .where(row_warnings.c.submission_id == submission_id)
        .order_by(row_warnings.c.row_no)
        .limit(limit)
        .offset(offset)
    )
    return [(n, [Problem(**w) for w in found]) for n, found in conn.execute(query)]
