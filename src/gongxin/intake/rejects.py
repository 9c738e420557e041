"""Exporting a submission's quarantined rows so the department can fix and resubmit them.

The export has the file's own columns, in its own order, plus one column 错误说明 (errors)
describing every problem of the row. Cells are always written as text: a value beginning with
``= + - @`` can never become a formula (CSV gets the customary leading apostrophe, which intake
removes again on resubmission).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.db.models import rejects, submissions
from gongxin.errors import InvalidInput, NotFound
from gongxin.intake.validate import Problem

ERROR_COLUMN = "错误说明"
ROW_COLUMN = "原行号"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _describe(row_no: int, errors: list[dict[str, str]]) -> str:
    return "\n".join(Problem(**e).describe(row_no) for e in errors)


def iter_rejects(
    conn: sa.Connection, submission_id: str
) -> Iterator[tuple[int, dict[str, Any], str]]:
    """(row number, raw values by header, error text) of each rejected row, in file order."""
    if (
        conn.execute(sa.select(submissions.c.id).where(submissions.c.id == submission_id)).first()
        is None
    ):
        raise NotFound(f"没有编号为 {submission_id} 的提交", f"no submission {submission_id}")
    query = (
        sa.select(rejects.c.row_no, rejects.c.raw, rejects.c.errors)
        .where(rejects.c.submission_id == submission_id)
        .order_by(rejects.c.row_no)
    )
    for row_no, raw, errors in conn.execute(query):
        yield row_no, raw, _describe(row_no, errors)


def safe_csv_cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def export(conn: sa.Connection, submission_id: str, out: Path) -> int:
    """Write the rejects to ``out`` (.xlsx or .csv); returns the number of rows written."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(
            "导出文件须为 .xlsx 或 .csv", "the export file must end in .xlsx or .csv"
        )
    rows = iter_rejects(conn, submission_id)
    if suffix == ".csv":
        return _write_csv(rows, out)
    return _write_xlsx(rows, out)


def _columns(first: dict[str, Any]) -> list[str]:
    return [ROW_COLUMN, *first.keys(), ERROR_COLUMN]


def _write_csv(rows: Iterator[tuple[int, dict[str, Any], str]], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        header: list[str] | None = None
        for row_no, raw, errors in rows:
            if header is None:
                header = _columns(raw)
                writer.writerow(header)
            values = [raw.get(h) for h in header[1:-1]]
            writer.writerow([str(row_no), *(safe_csv_cell(v) for v in values), errors])
            count += 1
        if header is None:
            writer.writerow([ROW_COLUMN, ERROR_COLUMN])
    return count


def _write_xlsx(rows: Iterator[tuple[int, dict[str, Any], str]], out: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("退回数据")
    count = 0
    header: list[str] | None = None
    wrap = Alignment(wrap_text=True, vertical="top")

    def text(value: str | None, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=None)
        if value is not None:
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the value starts with
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    for row_no, raw, errors in rows:
        if header is None:
            header = _columns(raw)
            sheet.append([text(h, font=Font(bold=True)) for h in header])
        values = [raw.get(h) for h in header[1:-1]]
        sheet.append([row_no, *(text(v) for v in values), text(errors, alignment=wrap)])
        count += 1
    if header is None:
        sheet.append([text(ROW_COLUMN), text(ERROR_COLUMN)])
    book.save(out)
    return count
