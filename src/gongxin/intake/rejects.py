"""Exporting a submission's quarantined rows so the department can fix and resubmit them.

The export opens with 错误说明 (every problem of the row) and 原行号 (the row number), then has
the file's own columns, in its own order (repeated columns included), then any cells that stood
under no header (``第N列``). Intake ignores the first two columns (unknown headers), so the
corrected file is resubmitted as it is. The workbook freezes its header row and the two leading
columns, sizes its columns to their contents and highlights each cell named by a problem (with
the catalog to map headers onto fields). Cells are always written as text and pass through
``gongxin.formulas``: a value beginning with ``= + - @`` gets the customary leading apostrophe
(which intake removes again on resubmission) and never becomes a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin import formulas
from gongxin.catalog.registry import Catalog
from gongxin.db.models import rejects, row_warnings, submissions
from gongxin.errors import InvalidInput, NotFound
from gongxin.intake.mapping import map_headers
from gongxin.intake.validate import Problem

ERROR_COLUMN = "错误说明"
ROW_COLUMN = "原行号"

Rejected = tuple[int, list[str | None], str, frozenset[str]]
"""Row number, cells in export column order, the errors described, the field codes at fault."""
HIGHLIGHT = "FFC7CE"  # the bad cell's fill: Excel's own "bad" red
ERROR_WIDTH = 60  # characters: the error column wraps beyond this
MAX_WIDTH = 40


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
        faulty = frozenset(e["field"] for e in errors if e.get("field"))
        yield row_no, cells, _describe(row_no, errors), faulty


def field_columns(
    conn: sa.Connection, catalog: Catalog | None, submission_id: str
) -> dict[str, int]:
    """Field code → index among the file's columns, as intake mapped the headers (empty
    without the catalog or for a dataset it no longer has)."""
    row = conn.execute(
        sa.select(submissions.c.dataset, submissions.c.headers).where(
            submissions.c.id == submission_id
        )
    ).first()
    if catalog is None or row is None or row.dataset not in catalog.codes():
        return {}
    return dict(map_headers(catalog.get(row.dataset), list(row.headers)).columns)


def export(
    conn: sa.Connection, submission_id: str, out: Path, catalog: Catalog | None = None
) -> int:
    """Write the rejects to ``out`` (.xlsx or .csv); returns the number of rows written.
    With ``catalog``, the workbook highlights the cells the errors name."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(
            "导出文件须为 .xlsx 或 .csv", "the export file must end in .xlsx or .csv"
        )
    names = columns(conn, submission_id)
    header = [ERROR_COLUMN, ROW_COLUMN, *names]
    rows = iter_rejects(conn, submission_id, names)
    if suffix == ".csv":
        return _write_csv(header, rows, out)
    return _write_xlsx(header, rows, out, field_columns(conn, catalog, submission_id))


def _write_csv(header: list[str], rows: Iterator[Rejected], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row_no, cells, errors, _faulty in rows:
            writer.writerow(formulas.csv_row([errors, row_no, *cells]))
            count += 1
    return count


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _widths(header: list[str], sample: list[Rejected]) -> list[float]:
    """Column widths from the header and the first rows (capped; the error column wider)."""
    widths = [display_width(h) for h in header]
    for _row_no, cells, errors, _faulty in sample:
        longest = max((display_width(line) for line in errors.splitlines()), default=0)
        widths[0] = max(widths[0], longest)
        for j, value in enumerate(cells, start=2):
            widths[j] = max(widths[j], display_width(str(value or "")))
    caps = [ERROR_WIDTH, 8] + [MAX_WIDTH] * (len(header) - 2)
    return [min(max(w, 6), cap) + 2 for w, cap in zip(widths, caps, strict=True)]


def _write_xlsx(header: list[str], rows: Iterator[Rejected], out: Path, at: dict[str, int]) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("退回数据")
    sample = [next(rows, None) for _ in range(200)]
    first = [r for r in sample if r is not None]
    for j, width in enumerate(_widths(header, first), start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "C2"  # the header row and the error and row-number columns stay
    wrap = Alignment(wrap_text=True, vertical="top")
    bad = PatternFill("solid", start_color=HIGHLIGHT, end_color=HIGHLIGHT)
    bold = Font(bold=True)
    cell = formulas.write_only_cell
    sheet.append([cell(sheet, h, font=bold) for h in header])
    count = 0
    for row_no, cells, errors, faulty in [*first, *rows]:
        marked = {at[f] for f in faulty if f in at}
        values = [
            cell(sheet, v, fill=bad) if j in marked else cell(sheet, v) for j, v in enumerate(cells)
        ]
        sheet.append([cell(sheet, errors, alignment=wrap, font=bold), row_no, *values])
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
