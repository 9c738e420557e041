"""Excel templates for departments: one workbook per dataset, built from its spec.

Sheet "数据" has the header row a department fills below: the standard Chinese names, bold and
frozen, each with a comment telling the clerk what to enter; required columns are coloured,
single-valued enum columns get a dropdown, and every non-numeric column is formatted as text so
that dates like 2024/01/05 and 18-digit ID numbers stay exactly as typed. Sheet "填写说明" holds
the data dictionary. Every string is written as a string: a value starting with "=" never
becomes a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from gongxin import formulas
from gongxin.catalog.dictionary import (
    COLUMNS,
    CURRENT,
    dataset_summary,
    dictionary_rows,
    layout_fields,
    layout_title,
    requirement,
    value_format,
)
from gongxin.catalog.model import DatasetSpec, FieldSpec

DATA_SHEET = "数据"
GUIDE_SHEET = "填写说明"
CODES_SHEET = "代码表"

TEXT_FORMAT = "@"
LAST_ROW = 1_048_576  # the last row of a sheet: validations cover every data row

REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")  # orange: always required
CONDITIONAL_FILL = PatternFill("solid", fgColor="FFE699")  # yellow: required under a condition
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")  # light blue: optional
KEEP_AS_TYPED = "日期按 YYYY/MM/DD 填写（已设为文本格式）；不要合并单元格、不要改动表头。"
LEGEND = (
    (REQUIRED_FILL, "橙色表头：必填"),
    (CONDITIONAL_FILL, "黄色表头：满足条件时必填（见批注和下表“必填”列）"),
    (OPTIONAL_FILL, "蓝色表头：选填"),
)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write a value; text never becomes a formula (``gongxin.formulas``)."""
    return formulas.put(ws, row, column, value)


def header_fill(field: FieldSpec) -> PatternFill:
    if field.required:
        return REQUIRED_FILL
    if field.required_when is not None:
        return CONDITIONAL_FILL
    return OPTIONAL_FILL


def header_comment(field: FieldSpec, fields: list[FieldSpec]) -> str:
    """The comment on a header cell: what to enter, whether it is required, and the format."""
    lines = [f"{field.name}（{field.code}）", f"必填：{requirement(field, fields)}"]
    fmt = value_format(field, fields)
    if fmt:
        lines.append(f"格式：{fmt}")
    if field.note:
        lines.append(field.note)
    return "\n".join(lines)


def _width(text: str) -> float:
    return min(60.0, max(12.0, 2.2 * len(text) + 2))


def _dropdown(
    wb: Workbook, codes: Worksheet, field: FieldSpec, column: int, next_code_column: int
) -> DataValidation:
    """A list validation fed from the hidden code sheet (no 255-character limit on values)."""
    values = field.values or []
    put(codes, 1, next_code_column, field.name)
    for i, value in enumerate(values, start=2):
        put(codes, i, next_code_column, value)
    letter = get_column_letter(next_code_column)
    source = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    lenient = field.other_prefix is not None
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the in-cell arrow
        showErrorMessage=True,
        errorStyle="warning" if lenient else "stop",
        errorTitle="取值不在列表中",
        error=(
            f"请从列表中选择；其他值以“{field.other_prefix}”开头并注明，如“{field.other_prefix}-…”。"
            if lenient
            else "请从下拉列表中选择。"
        ),
        promptTitle=field.name[:32],
        prompt=(field.note or "请从下拉列表中选择。")[:255],
        showInputMessage=True,
    )
    col = get_column_letter(column)
    validation.add(f"{col}2:{col}{LAST_ROW}")
    return validation


def _data_sheet(wb: Workbook, ws: Worksheet, fields: list[FieldSpec]) -> None:
    codes = wb.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    code_column = 1
    for column, field in enumerate(fields, start=1):
        cell = put(ws, 1, column, field.name)
        cell.font = BOLD
        cell.fill = header_fill(field)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(header_comment(field, fields), "gongxin")
        comment.width, comment.height = 320, 220
        cell.comment = comment
        letter = get_column_letter(column)
        dim = ws.column_dimensions[letter]
        dim.width = _width(field.name)
        if field.type not in ("decimal", "integer"):
            dim.number_format = TEXT_FORMAT  # dates and codes stay exactly as typed
        if field.type == "enum" and not field.multiple:
            ws.add_data_validation(_dropdown(wb, codes, field, column, code_column))
            code_column += 1
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32


def _guide_sheet(ws: Worksheet, spec: DatasetSpec, layout: str) -> None:
    title = put(ws, 1, 1, f"{spec.name}（{spec.code}）数据填写说明 — {layout_title(spec, layout)}")
    title.font = Font(bold=True, size=14)
    row = 3
    for label, value in dataset_summary(spec):
        put(ws, row, 1, label).font = BOLD
        put(ws, row, 2, value).alignment = WRAP
        row += 1
    row += 1
    for fill, text in LEGEND:
        put(ws, row, 1, "").fill = fill
        put(ws, row, 2, text)
        row += 1
    put(ws, row, 2, KEEP_AS_TYPED)
    row += 2
    for column, name in enumerate(COLUMNS, start=1):
        put(ws, row, column, name).font = BOLD
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for entry in dictionary_rows(spec, layout):
        row += 1
        for column, name in enumerate(COLUMNS, start=1):
            put(ws, row, column, entry[name]).alignment = WRAP
    widths = (8, 28, 16, 28, 14, 26, 44, 16, 60)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def build_template(spec: DatasetSpec, layout: str = CURRENT) -> Workbook:
    """The template workbook of one layout of a dataset (the current layout by default)."""
    fields = layout_fields(spec, layout)
    wb = Workbook()
    data = wb.active
    data.title = DATA_SHEET
    _data_sheet(wb, data, fields)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET, 1), spec, layout)
    wb.active = 0
    return wb


def write_template(spec: DatasetSpec, path: Path | str, layout: str = CURRENT) -> Path:
    """Write the Excel template of a dataset to ``path`` (an .xlsx file) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    build_template(spec, layout).save(target)
    return target
