"""The acceptance test: every real registration file, ingested as ``registration``.

Each row ends as accepted (or a duplicate/update) or rejected; a row is rejected exactly when its
code is neither a valid USCC nor a valid 15-digit registration number, and then the error names
the code field. Row counts and code validity are worked out here independently of intake.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from gongxin.ids import regno, uscc
from tests.intake.helpers import Store, assert_reconciles

CODE_FIELD = "DJ_TYSHXYDM"
CSV_ROWS = 46_083
SAMPLE_ROWS = 3_100


@dataclass
class Expected:
    rows: int
    invalid: set[int]  # row numbers whose code is neither a USCC nor a registration number
    valid: set[int]


def code_is_valid(code: Any) -> bool:
    if isinstance(code, float) and code.is_integer():
        code = str(int(code))
    if not isinstance(code, str):
        return False
    return uscc.is_valid(code) or regno.is_valid(code)


def expect(codes: list[tuple[int, Any]]) -> Expected:
    valid = {number for number, code in codes if code_is_valid(code)}
    invalid = {number for number, _ in codes} - valid
    return Expected(len(codes), invalid, valid)


def from_csv(path: Path) -> Expected:
    with path.open(encoding="utf-8", newline="") as fh:
        records = [r for r in csv.reader(fh) if any(cell.strip() for cell in r)]
    assert records[0][1] == "统一社会信用代码"
    return expect([(number, r[1]) for number, r in enumerate(records[1:], 2)])


def from_xls(path: Path) -> Expected:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[0][1] == "统一社会信用代码"
    rows = [(n, r) for n, r in enumerate(sheet[1:], 2) if any(str(c).strip() for c in r)]
    return expect([(number, r[1]) for number, r in rows])


def from_json(path: Path) -> Expected:
    items = json.loads(path.read_text(encoding="utf-8"))["erDataList"]
    return expect([(number, item.get("code")) for number, item in enumerate(items, 1)])


def real_files(real_data: Path) -> list[tuple[Path, Expected]]:
    folder = real_data / "registrations"
    csvs = [folder / "2002_北京.csv", *sorted((folder / "csv_1993").glob("*.csv"))]
    assert len(csvs) == 32
    return [
        *((p, from_csv(p)) for p in csvs),
        (
            folder / "xls_sample" / "1993_北京.xls",
            from_xls(folder / "xls_sample" / "1993_北京.xls"),
        ),
        (
            folder / "json_sample" / "1993_北京.json",
            from_json(folder / "json_sample" / "1993_北京.json"),
        ),
    ]


@pytest.mark.slow
def test_every_real_registration_is_accounted_for(store: Store, real_data: Path) -> None:
    files = real_files(real_data)
    assert sum(e.rows for _, e in files) == CSV_ROWS + 2 * SAMPLE_ROWS
    problems: list[str] = []
    total = kept = 0
    for path, expected in files:
        summary = store.ingest(path, dataset="registration")
        assert summary.already_processed is False
        assert_reconciles(summary)
        total += summary.rows
        kept += summary.accepted + summary.updated + summary.duplicates
        if summary.rows != expected.rows:
            problems.append(f"{path.name}: read {summary.rows} rows, the file has {expected.rows}")
        rejects = store.rejects(summary.submission_id)
        rejected = {r.row_no for r in rejects}
        on_code = {r.row_no for r in rejects if CODE_FIELD in r.fields}
        for row in sorted(rejected & expected.valid)[:5]:
            reason = next(r.errors for r in rejects if r.row_no == row)
            problems.append(f"{path.name} row {row}: valid code rejected: {reason}")
        for row in sorted(expected.invalid - on_code)[:5]:
            problems.append(f"{path.name} row {row}: invalid code not rejected on {CODE_FIELD}")
        if summary.rejected != len(expected.invalid):
            problems.append(
                f"{path.name}: {summary.rejected} rejected, {len(expected.invalid)} invalid codes"
            )
    assert problems == []
    assert total == CSV_ROWS + 2 * SAMPLE_ROWS
    assert kept == total - store.count("rejects")
