"""Excel workbooks: XLSX streamed with openpyxl, XLS (BIFF) read whole with calamine.

The sheet read is the first sheet with anything in it (visible sheets before hidden ones); a
note says so when the workbook has other sheets, since their rows are not read. The header is
the sheet's first non-blank row; rows keep their sheet row numbers, and blank rows (trailing ones
included) are skipped. Cell values:

- dates and date-times come as ``datetime`` or ``date``; a time of day or a duration as its text;
- numbers as Excel stores them (``int`` or ``float``: a whole float stays a float);
- a formula as its text (``=SUM(A1:A3)``): formulas are never evaluated;
- an empty cell as ``None``.

XLSX is read with ``read_only=True`` and ``data_only=False``, so memory stays flat whatever the
sheet's size. XLS files hold at most 65,536 rows and are read whole, with python-calamine, or
with xlrd when calamine is unavailable or fails.
"""

from __future__ import annotations

import contextlib
import datetime
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.limits import DEFAULT, ReadLimits
from gongxin.intake.readers.table import (
    Cell,
    Format,
    Row,
    Table,
    column_key,
    is_blank,
    note,
    trim_headers,
)
from gongxin.intake.readers.xlsx_safety import inspect

Sheet = tuple[str, Iterable[Sequence[Any]]]
"""A sheet's name and its rows from row 1, an empty row standing for each blank sheet row."""


@contextlib.contextmanager
def open_xlsx(path: Path, *, limits: ReadLimits = DEFAULT) -> Iterator[Table]:
    """Open an XLSX workbook as a :class:`Table` of its first sheet with data.

    The zip is inspected first (:func:`~gongxin.intake.readers.xlsx_safety.inspect`): too
    large once unpacked, too highly compressed, or with a DTD or entity in any XML part, it is
    refused before openpyxl sees it."""
    import openpyxl

    inspect(path, limits)
    with path.open("rb") as f:  # a file, not a path: openpyxl would go by the extension
        try:
            with warnings.catch_warnings():
                # openpyxl warns about workbook features it ignores (data validation, styles).
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(f, read_only=True, data_only=False)
        except Exception as exc:
            raise _unreadable("XLSX", exc) from exc
        try:
            sheets = sorted(book.worksheets, key=lambda ws: ws.sheet_state != "visible")
            for ws in sheets:
                ws.reset_dimensions()  # recorded dimensions are often wrong; read what is there
            sheet_rows = [(ws.title, ws.iter_rows(values_only=True)) for ws in sheets]
            yield _table("xlsx", sheet_rows, limits.max_blank_rows)
        finally:
            book.close()


@contextlib.contextmanager
def open_xls(path: Path, *, limits: ReadLimits = DEFAULT) -> Iterator[Table]:
    """Open an XLS (BIFF, Excel 97-2003) workbook as a :class:`Table`."""
    try:
        sheets = _calamine_sheets(path)
    except Exception as calamine_error:
        try:
            sheets = _xlrd_sheets(path)
        except Exception:
            raise _unreadable("XLS", calamine_error) from calamine_error
    yield _table("xls", sheets, limits.max_blank_rows)


def _unreadable(kind: str, exc: BaseException) -> UnreadableFile:
    return UnreadableFile(
        f"无法读取 {kind} 文件，文件可能已损坏或加密，请用 Excel 打开后另存为 xlsx 再上传：{exc}",
        f"cannot read the {kind} file; it may be damaged or password-protected — open it in "
        f"Excel, save it as xlsx and upload again: {exc}",
    )


def _table(fmt: Format, sheets: list[Sheet], max_blank: int) -> Table:
    for index, (name, rows) in enumerate(sheets):
        numbered = enumerate(rows, start=1)
        for number, cells in numbered:
            if not is_blank(cells):
                headers = trim_headers(cells)
                notes = _other_sheets(name, len(sheets)) + _header_row(number)
                body = _rows(numbered, len(headers), index, fmt, max_blank, number)
                return Table(fmt, headers, None, notes, body)
            if number > max_blank:
                raise _too_many_blank(index, 1, max_blank)
    raise UnreadableFile("工作簿中没有数据", "the workbook has no data in any sheet")


def _too_many_blank(sheet: int, first: int, max_blank: int) -> UnreadableFile:
    return UnreadableFile(
        f"第 {sheet + 1} 个工作表从第 {first} 行起连续超过 {max_blank} 行为空，已停止读取，"
        "未导入任何数据；请删除空行（或只保留有数据的区域）后重新提交",
        f"sheet {sheet + 1} has more than {max_blank} blank rows in a row from row {first}; "
        "reading stopped and nothing was stored: delete the blank rows and submit again",
        row=first,
        limit=max_blank,
    )


def _other_sheets(name: str, count: int) -> list[str]:
    if count == 1:
        return []
    return [
        note(
            f"工作簿有 {count} 个工作表，只读取了“{name}”，其他工作表中的数据未读取",
            f"the workbook has {count} sheets; only {name!r} was read, the others were not",
        )
    ]


def _header_row(number: int) -> list[str]:
    if number == 1:
        return []
    return [
        note(
            f"表头在第 {number} 行，前面的空行已跳过",
            f"the header is on row {number}; the blank rows above it were skipped",
        )
    ]


def _rows(
    numbered: Iterator[tuple[int, Sequence[Any]]],
    width: int,
    sheet: int,
    fmt: Format,
    max_blank: int,
    header: int,
) -> Iterator[Row]:
    number = header
    last = header  # the last row with data
    try:
        for number, cells in numbered:
            values = [_cell(cell) for cell in cells]
            if is_blank(values):
                if number - last > max_blank:
                    raise _too_many_blank(sheet, last + 1, max_blank)
                continue
            last = number
            extras = None
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            elif len(values) > width:
                extras = {
                    column_key(column): cell
                    for column, cell in enumerate(values[width:], start=width + 1)
                    if not is_blank((cell,))
                } or None
                del values[width:]
            yield Row(number, values, extras)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(
            f"读取第 {sheet + 1} 个工作表第 {number + 1} 行时出错，文件可能已损坏：{exc}",
            f"error reading row {number + 1} of sheet {sheet + 1}; the {fmt} file may be "
            f"damaged: {exc}",
            row=number + 1,
        ) from exc


def _cell(value: Any) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str | bool | int | float | datetime.date):
        return value
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula and DataTableFormula
    return text if isinstance(text, str) else str(value)


def _calamine_sheets(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    with path.open("rb") as f:  # by content: from_path would go by the extension
        book = CalamineWorkbook.from_filelike(f)
    try:
        meta = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        meta.sort(key=lambda m: m.visible != SheetVisibleEnum.Visible)
        return [
            (m.name, book.get_sheet_by_name(m.name).to_python(skip_empty_area=False)) for m in meta
        ]
    finally:
        book.close()


def _xlrd_sheets(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(file_contents=path.read_bytes(), on_demand=True)
    try:
        found: list[tuple[bool, Sheet]] = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = [
                [_xlrd_cell(t, v, book.datemode) for t, v in zip(types, values, strict=True)]
                for types, values in (
                    (sheet.row_types(r), sheet.row_values(r)) for r in range(sheet.nrows)
                )
            ]
            found.append((sheet.visibility != 0, (sheet.name, rows)))
        found.sort(key=lambda pair: pair[0])
        return [sheet for _, sheet in found]
    finally:
        book.release_resources()


def _xlrd_cell(kind: int, value: Any, datemode: int) -> Any:
    import xlrd

    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, f"#ERR{value}")
    if kind == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate.xldate_as_datetime(value, datemode)
        if value < 1:
            return moment.time()
        return moment.date() if moment.time() == datetime.time() else moment
    return value
