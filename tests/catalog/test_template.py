"""Excel templates: header, comments, required marks, dropdowns, text formats, no formulas."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import load_catalog
from gongxin.catalog.template import (
    CODES_SHEET,
    CONDITIONAL_FILL,
    DATA_SHEET,
    GUIDE_SHEET,
    REQUIRED_FILL,
    write_template,
)


@pytest.fixture(scope="module")
def penalty() -> DatasetSpec:
    return load_catalog().get("penalty")


@pytest.fixture(scope="module")
def workbook_path(penalty: DatasetSpec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(penalty, tmp_path_factory.mktemp("tpl") / "penalty.xlsx")


def column_of(ws: Worksheet, name: str) -> str:
    for cell in ws[1]:
        if cell.value == name:
            return str(cell.column_letter)
    raise AssertionError(f"no column {name}")


def dropdown_values(wb: object, ws: Worksheet, column: str) -> list[str] | None:
    for dv in ws.data_validations.dataValidation:
        if any(str(r).startswith(f"{column}2:") for r in dv.sqref.ranges):
            assert dv.type == "list"
            sheet, cells = dv.formula1.split("!")
            assert sheet.strip("'") == CODES_SHEET
            start, end = cells.replace("$", "").split(":")
            codes = wb[CODES_SHEET]  # type: ignore[index]
            return [str(c.value) for row in codes[start:end] for c in row]
    return None


def test_header_row_is_the_standard_names(workbook_path: Path, penalty: DatasetSpec) -> None:
    wb = load_workbook(workbook_path)
    assert wb.sheetnames[:2] == [DATA_SHEET, GUIDE_SHEET]
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[1]] == [f.name for f in penalty.fields]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1


def test_every_header_has_a_comment_with_the_note(
    workbook_path: Path, penalty: DatasetSpec
) -> None:
    ws = load_workbook(workbook_path)[DATA_SHEET]
    for cell, field in zip(ws[1], penalty.fields, strict=True):
        assert cell.comment is not None, field.code
        assert field.note in cell.comment.text and field.code in cell.comment.text


def test_required_columns_are_marked(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)[DATA_SHEET]
    colours = {c.value: c.fill.fgColor.rgb[-6:] for c in ws[1]}
    required = REQUIRED_FILL.fgColor.rgb[-6:]
    assert colours["行政处罚决定书文号"] == required
    assert colours["行政相对人代码_1（统一社会信用代码）"] == CONDITIONAL_FILL.fgColor.rgb[-6:]
    assert colours["备注"] not in (required, CONDITIONAL_FILL.fgColor.rgb[-6:])


def test_single_valued_enums_get_a_dropdown(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    ws = wb[DATA_SHEET]
    assert dropdown_values(wb, ws, column_of(ws, "行政相对人类别")) == [
        "法人及非法人组织",
        "自然人",
        "个体工商户",
    ]
    assert "身份证" in (dropdown_values(wb, ws, column_of(ws, "证件类型")) or [])
    # a multi-valued enum cannot use a dropdown: its comment explains how to list several
    assert dropdown_values(wb, ws, column_of(ws, "处罚类别")) is None
    assert "分号" in ws[f"{column_of(ws, '处罚类别')}1"].comment.text
    assert wb[CODES_SHEET].sheet_state == "hidden"


def test_dates_and_codes_are_text_amounts_are_not(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)[DATA_SHEET]
    for name in ("处罚决定日期", "处罚有效期", "证件号码", "行政相对人代码_1（统一社会信用代码）"):
        assert ws.column_dimensions[column_of(ws, name)].number_format == "@", name
    assert ws.column_dimensions[column_of(ws, "罚款金额（万元）")].number_format != "@"


def test_guide_sheet_holds_the_dictionary(workbook_path: Path, penalty: DatasetSpec) -> None:
    ws = load_workbook(workbook_path)[GUIDE_SHEET]
    values = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "字段代码" in values and "取值/格式" in values
    for field in penalty.fields:
        assert field.code in values and field.note in values


def test_text_never_becomes_a_formula(penalty: DatasetSpec, tmp_path: Path) -> None:
    sneaky = penalty.model_copy(deep=True)
    sneaky.fields[0].name = '=HYPERLINK("http://x","y")'
    sneaky.fields[0].note = "=1+1"
    path = write_template(sneaky, tmp_path / "sneaky.xlsx")
    wb = load_workbook(path)
    header = wb[DATA_SHEET]["A1"]
    assert header.data_type == "s" and header.value == "'" + sneaky.fields[0].name
    guide = [c for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value == "'=1+1"]
    assert guide and all(c.data_type == "s" for c in guide)


@pytest.mark.parametrize("code", ["registration", "licence", "dishonest_debtor", "commitment"])
def test_every_dataset_gets_a_template(code: str, tmp_path: Path) -> None:
    spec = load_catalog().get(code)
    ws = load_workbook(write_template(spec, tmp_path / f"{code}.xlsx"))[DATA_SHEET]
    assert [c.value for c in ws[1]] == [f.name for f in spec.fields]


def test_legacy_layout_template(penalty: DatasetSpec, tmp_path: Path) -> None:
    path = write_template(penalty, tmp_path / "old.xlsx", layout="legacy_2016")
    ws = load_workbook(path)[DATA_SHEET]
    assert [c.value for c in ws[1]] == [f.name for f in dict(penalty.layouts())["legacy_2016"]]
