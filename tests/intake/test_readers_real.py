"""open_table() on the 32 real registration CSVs: every record read, none lost or invented."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gongxin.intake.readers import Row, open_table, sniff_format

HEADER = (
    "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址"
)
TOTAL_ROWS = 46_083  # published in shared/data/real/README.md


def real_csvs(real_data: Path) -> list[Path]:
    folder = real_data / "registrations"
    return [folder / "2002_北京.csv", *sorted((folder / "csv_1993").glob("*.csv"))]


def reference(path: Path) -> list[list[str]]:
    """The file's data records as bare csv.reader sees them (the header and blank records
    removed)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [record for record in csv.reader(f) if any(record)][1:]


def read(path: Path) -> list[Row]:
    with open_table(path) as table:
        assert (table.format, table.encoding, table.notes) == ("csv", "utf-8", [])
        assert table.headers == HEADER.split(",")
        return list(table.rows)


def test_all_real_csvs_are_read_in_full(real_data: Path) -> None:
    paths = real_csvs(real_data)
    assert len(paths) == 32
    total = 0
    for path in paths:
        assert sniff_format(path) == "csv"
        rows = read(path)
        expected = reference(path)
        assert len(rows) == len(expected), path.name
        assert [row.number for row in rows] == list(range(2, len(expected) + 2)), path.name
        for row, record in zip(rows, expected, strict=True):
            assert row.values == record[:10], (path.name, row.number)
        total += len(rows)
    assert total == TOTAL_ROWS


def test_the_2002_file_keeps_its_mess_visible(real_data: Path) -> None:
    """Ten records of 2002_北京.csv have eleven fields (an unquoted ``5,000(万元)`` split in
    two); the eleventh goes to extras instead of disappearing. 44 records hold mojibake that was
    saved as U+FFFD in the file itself: it is read as is, not reported as bad bytes."""
    path = real_data / "registrations" / "2002_北京.csv"
    rows = read(path)
    expected = reference(path)
    long_rows = [row for row in rows if row.extras]
    assert len(long_rows) == sum(len(record) == 11 for record in expected) == 10
    for row in long_rows:
        assert row.extras == {"第11列": expected[row.number - 2][10]}
    assert sum("\ufffd" in str(row.values[1]) for row in rows) == 44


@pytest.mark.parametrize("name", ["西藏.csv", "宁夏.csv"])
def test_small_real_files(real_data: Path, name: str) -> None:
    rows = read(real_data / "registrations" / "csv_1993" / name)
    assert rows
    assert all(row.values[7] in ("西藏", "宁夏") for row in rows)
