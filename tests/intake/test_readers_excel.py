"""open_table() on Excel workbooks: XLSX written here with openpyxl, the real BIFF8 XLS."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gongxin.errors import UnreadableFile
from gongxin.intake.readers import Cell, Row, Table, excel, open_table, sniff_format

REAL_HEADER = (
    "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址"
)


def read(path: Path, **kwargs: Any) -> tuple[Table, list[Row]]:
    with open_table(path, **kwargs) as table:
        return table, list(table.rows)


def workbook(path: Path, *sheets: tuple[str, list[list[Any]]], hidden: str = "") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title == hidden:
            ws.sheet_state = "hidden"
    book.save(path)
    return path


def test_xlsx_values(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "data.xlsx",
        (
            "处罚",
            [
                [" 企业名称 ", "决定日期", "罚款金额", "件数", "公式", "是否"],
                ["甲公司", datetime.date(2021, 3, 4), 1234.5, 3, "=1+1", True],
                ["乙公司", datetime.datetime(2021, 3, 5, 9, 30), 0.1, 0, None, False],
            ],
        ),
    )
    book = openpyxl.load_workbook(path)
    ws = book["处罚"]
    ws["E3"] = "=SUM(C2:C3)"  # a real formula: read as its text, never evaluated
    ws["E2"].data_type = "s"  # "=1+1" typed in as text
    book.save(path)
    table, rows = read(path)
    assert (table.format, table.encoding, table.notes) == ("xlsx", None, [])
    assert table.headers == ["企业名称", "决定日期", "罚款金额", "件数", "公式", "是否"]
    assert rows == [
        Row(2, ["甲公司", datetime.datetime(2021, 3, 4), 1234.5, 3, "=1+1", True]),
        Row(3, ["乙公司", datetime.datetime(2021, 3, 5, 9, 30), 0.1, 0, "=SUM(C2:C3)", False]),
    ]
    assert sniff_format(path) == "xlsx"


def test_xlsx_blank_and_ragged_rows_keep_sheet_row_numbers(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "ragged.xlsx",
        ("Sheet1", [["a", "b", None], [1, 2], [], [3, None, None, None, "x"], [4], [], []]),
    )
    book = openpyxl.load_workbook(path)
    book.active["C20"].number_format = "0.00"  # a formatted but empty trailing cell
    book.save(path)
    table, rows = read(path)
    assert table.headers == ["a", "b"]
    assert rows == [
        Row(2, [1, 2]),
        Row(4, [3, None], {"第5列": "x"}),
        Row(5, [4, None]),
    ]


def test_xlsx_time_of_day_comes_as_text(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", ("s", [["时间"], [datetime.time(8, 30)]]))
    assert read(path)[1] == [Row(2, ["08:30:00"])]


def test_xlsx_first_sheet_with_data_and_a_note_on_the_others(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "sheets.xlsx",
        ("说明", []),
        ("隐藏", [["代码"], ["x"]]),
        ("数据", [[], [], ["名称", "代码"], ["甲", "1"]]),
        hidden="隐藏",
    )
    table, rows = read(path)
    assert table.headers == ["名称", "代码"]
    assert rows == [Row(4, ["甲", "1"])]
    assert any("只读取了“数据”" in n for n in table.notes)
    assert any("表头在第 3 行" in n for n in table.notes)


def test_xlsx_header_only_and_empty_workbook(tmp_path: Path) -> None:
    table, rows = read(workbook(tmp_path / "h.xlsx", ("s", [["名称", "代码"]])))
    assert (table.headers, rows) == (["名称", "代码"], [])
    with pytest.raises(UnreadableFile, match="工作簿中没有数据"):
        read(workbook(tmp_path / "e.xlsx", ("s", [])))


@pytest.mark.parametrize("cut", [4, 200, -100])
def test_corrupted_xlsx_is_unreadable(tmp_path: Path, cut: int) -> None:
    good = workbook(tmp_path / "good.xlsx", ("s", [["名称"], *[[f"企业{i}"] for i in range(500)]]))
    data = good.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data[:cut] + b"\x00" * 64 if cut > 0 else data[:cut])
    with pytest.raises(UnreadableFile) as caught:
        read(bad)
    assert "无法读取 XLSX 文件" in caught.value.zh or "文件可能已损坏" in caught.value.zh


def test_extension_is_only_a_hint(tmp_path: Path) -> None:
    xlsx = workbook(tmp_path / "data.csv", ("s", [["名称"], ["甲"]]))
    table, rows = read(xlsx)
    assert table.format == "xlsx"
    assert rows == [Row(2, ["甲"])]
    assert "文件扩展名为 .csv，但内容是 XLSX 格式" in table.notes[0]
    text = tmp_path / "upload.tmp"
    text.write_text("名称\n甲\n", encoding="utf-8")
    table, rows = read(text, filename="处罚.xlsx")
    assert table.format == "csv"
    assert "文件扩展名为 .xlsx，但内容是 CSV 格式" in table.notes[0]


def real_csv_rows(path: Path) -> list[list[Cell]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [[value or None for value in row] for row in list(csv.reader(f))[1:]]


def test_real_xls(real_data: Path) -> None:
    path = real_data / "registrations" / "xls_sample" / "1993_北京.xls"
    assert sniff_format(path) == "xls"
    table, rows = read(path)
    assert (table.format, table.encoding, table.notes) == ("xls", None, [])
    assert table.headers == REAL_HEADER.split(",")
    assert len(rows) == 3100
    assert [row.number for row in rows] == list(range(2, 3102))
    expected = real_csv_rows(real_data / "registrations" / "csv_1993" / "北京.csv")
    assert [row.values for row in rows] == expected


def test_xls_falls_back_to_xlrd(real_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = real_data / "registrations" / "xls_sample" / "1993_北京.xls"
    with open_table(path) as table:
        by_calamine = list(table.rows)

    def broken(path: Path) -> list[excel.Sheet]:
        raise RuntimeError("calamine unavailable")

    monkeypatch.setattr(excel, "_calamine_sheets", broken)
    table, rows = read(path)
    assert table.headers == REAL_HEADER.split(",")
    assert rows == by_calamine


def test_corrupted_xls_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600)
    with pytest.raises(UnreadableFile, match="无法读取 XLS 文件"):
        read(path)
