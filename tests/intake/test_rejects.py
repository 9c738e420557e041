"""Rejected rows: each error says where, what and why (中文 and English); the export gives the
department its own columns back to fix and resubmit; no value can become a spreadsheet formula."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gongxin.errors import NotFound
from gongxin.intake import rejects as export_rejects
from tests.intake.helpers import (
    PENALTY,
    PENALTY_COLUMNS,
    Store,
    assert_reconciles,
    by_row,
    catalog,
    penalty_row,
    write_csv,
    wrong_check,
)

BAD_CODE = wrong_check(penalty_row(3)["CF_XDR_SHXYM"])
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"]
# as exported: formulas neutralised by a leading apostrophe; plain numbers cannot run and stay
EXPORTED = ['\'=HYPERLINK("http://x","y")', "+1", "-1", "'@SUM(A1)"]
# The file's own column order, not the template's, plus a column the dataset does not know.
COLUMNS = ["CF_WSH", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_XDR_LB", "CF_FRDB", "CF_JDRQ", "CF_YXQ"]
COLUMNS += [c for c in PENALTY_COLUMNS if c not in COLUMNS]
HEADERS = [PENALTY[c] for c in COLUMNS] + ["内部编号"]
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(?:is|not|must|required|wrong|date|check)\b")


def bad_rows() -> list[dict[str, str]]:
    return [
        penalty_row(2),  # row 2: fine
        penalty_row(3, CF_XDR_SHXYM=BAD_CODE),  # row 3: wrong check character
        penalty_row(4, CF_JDRQ="2024/13/45", CF_SY=""),  # row 4: no such date, required empty
        penalty_row(5, CF_XDR_LB="外星人"),  # row 5: not one of the categories
        penalty_row(6),  # row 6: fine
    ]


def write(store: Store, name: str, rows: list[dict[str, str]]) -> Path:
    values = [[r.get(c, "") for c in COLUMNS] + [f"N{i}"] for i, r in enumerate(rows)]
    return write_csv(store.folder / name, HEADERS, values)


def test_each_error_names_row_field_name_value_and_rule_in_chinese_and_english(
    store: Store,
) -> None:
    summary = store.ingest(write(store, "penalties.csv", bad_rows()))
    assert (summary.rows, summary.accepted, summary.rejected) == (5, 2, 3)
    assert_reconciles(summary)
    found = by_row(store.rejects(summary.submission_id))
    assert sorted(found) == [3, 4, 5]

    (code,) = found[3].errors
    assert code["field"] == "CF_XDR_SHXYM"
    assert code["name"] == "行政相对人代码_1（统一社会信用代码）"
    assert code["value"] == BAD_CODE
    assert code["rule"]
    assert "校验" in code["zh"] and "check" in code["en"]

    errors = {e["field"]: e for e in found[4].errors}
    assert set(errors) == {"CF_JDRQ", "CF_SY"}
    assert errors["CF_JDRQ"]["name"] == "处罚决定日期"
    assert errors["CF_JDRQ"]["value"] == "2024/13/45"
    assert errors["CF_JDRQ"]["rule"] == "date_invalid"
    assert (errors["CF_SY"]["name"], errors["CF_SY"]["rule"]) == ("违法事实", "required")

    (category,) = found[5].errors
    assert (category["field"], category["name"]) == ("CF_XDR_LB", "行政相对人类别")
    assert (category["value"], category["rule"]) == ("外星人", "enum")

    for reject in found.values():
        for error in reject.errors:
            assert CJK.search(error["zh"]), error
            assert ENGLISH.search(error["en"]), error
        assert reject.raw[PENALTY["CF_WSH"]] == f"京海市监罚〔2024〕{reject.row_no}号"


def test_unknown_submission_cannot_be_exported(store: Store) -> None:
    with store.engine.connect() as conn, pytest.raises(NotFound):
        export_rejects.export(conn, "20260101-nothing", store.folder / "x.csv")


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def read_xlsx(path: Path) -> list[list[object]]:
    book = load_workbook(path)
    try:
        return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    finally:
        book.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_has_the_files_own_columns_in_order_plus_row_and_errors(
    store: Store, suffix: str
) -> None:
    summary = store.ingest(write(store, "penalties.csv", bad_rows()))
    out = store.folder / f"errors{suffix}"
    with store.engine.connect() as conn:
        assert export_rejects.export(conn, summary.submission_id, out) == 3
    table = read_csv(out) if suffix == ".csv" else read_xlsx(out)
    assert table[0] == ["错误说明", "原行号", *HEADERS]
    assert [int(str(row[1])) for row in table[1:]] == [3, 4, 5]
    by_header = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert by_header[0][PENALTY["CF_XDR_SHXYM"]] == BAD_CODE
    assert by_header[0]["内部编号"] == "N1"
    assert by_header[1][PENALTY["CF_JDRQ"]] == "2024/13/45"
    assert by_header[2][PENALTY["CF_XDR_LB"]] == "外星人"
    text = str(by_header[0]["错误说明"])
    assert "第3行" in text
    assert "行政相对人代码_1（统一社会信用代码）" in text and "CF_XDR_SHXYM" in text
    assert BAD_CODE in text and "check" in text
    both = str(by_header[1]["错误说明"])
    assert "第4行" in both and "处罚决定日期" in both and "违法事实" in both
    assert "required" in both and "必填" in both


def test_fixed_rows_from_the_csv_export_are_accepted(store: Store) -> None:
    rows = bad_rows()
    rows[1]["CF_SY"] = FORMULAS[0]  # must survive the export's protective apostrophe
    first = store.ingest(write(store, "penalties.csv", rows))
    assert first.rejected == 3
    out = store.folder / "errors.csv"
    with store.engine.connect() as conn:
        export_rejects.export(conn, first.submission_id, out)

    header, *records = read_csv(out)
    assert header[:2] == ["错误说明", "原行号"]
    fixes = {
        "3": {PENALTY["CF_XDR_SHXYM"]: penalty_row(3)["CF_XDR_SHXYM"]},
        "4": {PENALTY["CF_JDRQ"]: "2024/03/15", PENALTY["CF_SY"]: "超范围经营。"},
        "5": {PENALTY["CF_XDR_LB"]: "法人及非法人组织"},
    }
    fixed = []
    for record in records:
        values = dict(zip(header, record, strict=True))
        values.update(fixes[values["原行号"]])
        fixed.append([values[h] for h in header[2:]])
    resubmitted = write_csv(store.folder / "fixed.csv", header[2:], fixed)

    second = store.ingest(resubmitted)
    assert (second.rows, second.accepted, second.rejected) == (3, 3, 0)
    assert store.rejects(second.submission_id) == []
    assert store.count("records") == 5
    stored = {r["data"]["CF_WSH"]: r["data"] for r in store.records()}
    assert stored["京海市监罚〔2024〕3号"]["CF_SY"] == FORMULAS[0]
    assert stored["京海市监罚〔2024〕4号"]["CF_JDRQ"] == "2024-03-15"


def test_formula_like_values_are_stored_as_text_exactly(store: Store) -> None:
    rows = [penalty_row(n, CF_SY=value, BZ=value) for n, value in enumerate(FORMULAS, 1)]
    summary = store.ingest(store.penalties("formulas.csv", rows))
    assert (summary.accepted, summary.rejected) == (4, 0)
    stored = [(r["data"]["CF_SY"], r["data"]["BZ"]) for r in store.records()]
    assert stored == [(v, v) for v in FORMULAS]


def test_formula_cells_are_flagged_at_intake_naming_the_cell(store: Store) -> None:
    rows = [penalty_row(n, CF_SY=value) for n, value in enumerate(FORMULAS, 1)]
    summary = store.ingest(store.penalties("formulas.csv", rows))
    assert summary.accepted == 4
    with store.engine.connect() as conn:
        flagged = {
            row: [(p.field, p.value) for p in problems if p.rule == "formula_cell"]
            for row, problems in export_rejects.warnings_of(conn, summary.submission_id)
        }
    # rows 2–5: =HYPERLINK and @SUM are flagged, the plain numbers +1 and -1 are not
    assert flagged == {2: [("CF_SY", FORMULAS[0])], 5: [("CF_SY", FORMULAS[3])]}
    with store.engine.connect() as conn:
        (row_no, problems), *_ = export_rejects.warnings_of(conn, summary.submission_id)
    text = next(p for p in problems if p.rule == "formula_cell").describe(row_no)
    assert text.startswith('第2行 字段“违法事实”（CF_SY） 值“=HYPERLINK("http://x","y")”')
    assert "公式" in text and "formula" in text


def test_formula_like_values_never_become_formulas_in_the_export(store: Store) -> None:
    rows = [
        penalty_row(n, CF_XDR_SHXYM="bad", CF_SY=value, CF_NR=value)
        for n, value in enumerate(FORMULAS, 1)
    ]
    summary = store.ingest(store.penalties("formulas.csv", rows))
    assert summary.rejected == 4
    xlsx, plain = store.folder / "errors.xlsx", store.folder / "errors.csv"
    with store.engine.connect() as conn:
        export_rejects.export(conn, summary.submission_id, xlsx)
        export_rejects.export(conn, summary.submission_id, plain)

    book = load_workbook(xlsx)
    try:
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        columns = [header.index(PENALTY["CF_SY"]) + 1, header.index(PENALTY["CF_NR"]) + 1]
        for row, value in enumerate(EXPORTED, 2):
            for column in columns:
                cell = sheet.cell(row=row, column=column)
                assert cell.data_type == "s", (row, column, cell.data_type)
                assert cell.value == value
        kinds = {cell.data_type for line in sheet.iter_rows() for cell in line}
        assert "f" not in kinds
    finally:
        book.close()

    header, *records = read_csv(plain)
    for record, value in zip(records, EXPORTED, strict=True):
        values = dict(zip(header, record, strict=True))
        assert values[PENALTY["CF_SY"]] == value
        assert values[PENALTY["CF_NR"]] == value


def test_export_keeps_a_repeated_column_of_the_file(store: Store) -> None:
    """A file with two columns of the same name gets both back, each with its own value."""
    headers = [*HEADERS, "内部编号"]
    rows = bad_rows()[1:2]
    values = [[r.get(c, "") for c in COLUMNS] + ["第一", "第二"] for r in rows]
    summary = store.ingest(write_csv(store.folder / "twice.csv", headers, values))
    assert summary.rejected == 1
    out = store.folder / "errors.csv"
    with store.engine.connect() as conn:
        export_rejects.export(conn, summary.submission_id, out)
    header, record = read_csv(out)
    assert header == ["错误说明", "原行号", *headers]
    assert record[-2:] == ["第一", "第二"]


def test_workbook_leads_with_the_errors_highlights_the_bad_cells_and_freezes_the_header(
    store: Store,
) -> None:
    summary = store.ingest(write(store, "penalties.csv", bad_rows()))
    out = store.folder / "errors.xlsx"
    with store.engine.connect() as conn:
        export_rejects.export(conn, summary.submission_id, out, catalog())
    book = load_workbook(out)
    try:
        sheet = book.worksheets[0]
        assert sheet.freeze_panes == "C2"  # header row, errors and row numbers stay in view
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["错误说明", "原行号"]
        assert sheet.column_dimensions["A"].width >= 40  # the error text is readable
        name_col = header.index(PENALTY["CF_XDR_MC"]) + 1
        assert sheet.column_dimensions[get_column_letter(name_col)].width >= 8

        def filled(row: int) -> set[str]:
            return {
                str(header[c.column - 1])
                for c in sheet[row]
                if c.fill is not None and c.fill.fgColor.rgb.endswith(export_rejects.HIGHLIGHT)
            }

        assert filled(2) == {PENALTY["CF_XDR_SHXYM"]}  # row 3 of the file: the bad code only
        assert filled(3) == {PENALTY["CF_JDRQ"], PENALTY["CF_SY"]}
        assert filled(4) == {PENALTY["CF_XDR_LB"]}
    finally:
        book.close()


def test_the_workbook_resubmitted_as_it_is_after_fixing_is_accepted(store: Store) -> None:
    first = store.ingest(write(store, "penalties.csv", bad_rows()))
    out = store.folder / "errors.xlsx"
    with store.engine.connect() as conn:
        export_rejects.export(conn, first.submission_id, out, catalog())
    book = load_workbook(out)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    fixes = {
        3: {PENALTY["CF_XDR_SHXYM"]: penalty_row(3)["CF_XDR_SHXYM"]},
        4: {PENALTY["CF_JDRQ"]: "2024/03/15", PENALTY["CF_SY"]: "超范围经营。"},
        5: {PENALTY["CF_XDR_LB"]: "法人及非法人组织"},
    }
    for row in sheet.iter_rows(min_row=2):
        for name, value in fixes[int(row[1].value)].items():
            row[header.index(name)].value = value
    book.save(store.folder / "fixed.xlsx")
    second = store.ingest(store.folder / "fixed.xlsx")
    assert (second.rows, second.accepted, second.rejected) == (3, 3, 0)
    assert set(second.unknown_columns) >= {"错误说明", "原行号"}
