"""sniff_format() and open_table(): the format comes from the content, the name is a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongxin.errors import UnreadableFile
from gongxin.intake.readers import open_table, sniff_format


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"PK\x03\x04" + b"\x00" * 30, "xlsx"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 30, "xls"),
        (b'[{"a": 1}]', "json"),
        (b'  \n {"rows": [{"a": 1}]}\n', "json"),
        (b'{\n  "rows": [{"a": 1}]\n}\n', "json"),
        (b'{"a": 1}', "json"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'\xef\xbb\xbf{"a": 1}\n\n{"a": 2}', "jsonl"),
        ("名称,代码\n甲,1\n".encode(), "csv"),
        ("\ufeff名称\t代码\n".encode(), "csv"),
        ('{"a": 1}'.encode("utf-16"), "json"),
    ],
)
def test_sniff_format(tmp_path: Path, data: bytes, fmt: str) -> None:
    assert sniff_format(write(tmp_path, "upload.bin", data)) == fmt


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><table><tr><td>a</td></tr></table></body></html>",
        b"\r\n<!DOCTYPE html>\n<html>",
        b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
    ],
)
def test_web_pages_posing_as_excel_are_refused_with_advice(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "导出.xls", data)
    with pytest.raises(UnreadableFile) as caught, open_table(path):
        pass
    assert "另存为 xlsx" in caught.value.zh
    assert "save it as xlsx" in caught.value.en


def test_name_mismatch_is_a_note_not_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "data.json", "名称,代码\n甲,1\n".encode())
    with open_table(path) as table:
        assert table.format == "csv"
        assert [row.values for row in table.rows] == [["甲", "1"]]
        assert table.notes == [
            "文件扩展名为 .json，但内容是 CSV 格式，已按 CSV 读取"
            "（the file name ends in .json but the content is CSV; read as CSV）"
        ]


def test_matching_or_unknown_names_give_no_note(tmp_path: Path) -> None:
    data = "名称,代码\n甲,1\n".encode()
    for name in ("data.csv", "data.TXT", "data", "data.dat"):
        with open_table(write(tmp_path, name, data)) as table:
            assert table.notes == [], name
    with open_table(write(tmp_path, "tmp123", data), filename="北京.CSV") as table:
        assert table.notes == []


def test_json_lines_named_json_gives_no_note(tmp_path: Path) -> None:
    with open_table(write(tmp_path, "a.json", b'{"a": 1}\n{"a": 2}\n')) as table:
        assert (table.format, table.notes) == ("jsonl", [])


def test_rows_cannot_be_read_after_the_file_is_closed(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"a\n1\n2\n")
    with open_table(path) as table:
        rows = table.rows
        assert next(rows).values == ["1"]
    with pytest.raises(ValueError):
        next(rows)
