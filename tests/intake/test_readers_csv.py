"""open_table() on CSV files: encodings, delimiters, ragged and blank rows, big cells, memory."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pytest

from gongxin.errors import UnreadableFile
from gongxin.intake.readers import Row, Table, open_table, sniff_format
from gongxin.intake.readers.encoding import SAMPLE_SIZE

HEADERS = ["企业名称", "统一社会信用代码", "法人代表", "注册地址"]
RECORDS = [
    [
        "北京京华广告公司",
        "91110105600437345Q",
        "任宝华",
        "北京市朝阳区东直门外西八间房万红西街二号",
    ],
    ["中国邮政集团公司西藏自治区当雄县分公司", "91540122MA6T379315", "次旦久美", "当雄县当曲镇"],
    ["广州市白云区石井镇粮油食品厂", "914401111904309213", "刘䶮", "广州市白云区石井镇㐀村"],
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    return "".join(delimiter.join(row) + newline for row in rows)


def read(path: Path, **kwargs: str) -> tuple[Table, list[Row]]:
    with open_table(path, **kwargs) as table:
        return table, list(table.rows)


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16-le"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, codec: str, reported: str) -> None:
    path = write(tmp_path, "data.csv", csv_text([HEADERS, *RECORDS]).encode(codec))
    table, rows = read(path)
    assert table.format == "csv"
    assert table.encoding == reported
    assert table.headers == HEADERS
    assert [row.values for row in rows] == RECORDS
    assert [row.number for row in rows] == [2, 3, 4]
    assert table.notes == []


def test_gbk_file_is_read_without_mojibake(tmp_path: Path) -> None:
    records = RECORDS[:2]  # GBK cannot encode 䶮 and 㐀
    path = write(tmp_path, "gbk.csv", csv_text([HEADERS, *records], newline="\r\n").encode("gbk"))
    table, rows = read(path)
    assert table.encoding == "gb18030"
    assert table.headers == HEADERS
    assert [row.values for row in rows] == records


def test_declared_encoding_that_fits_is_used(tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.csv", csv_text([HEADERS, *RECORDS[:2]]).encode("gbk"))
    table, rows = read(path, declared_encoding="GBK")
    assert table.encoding == "gbk"
    assert table.notes == []
    assert [row.values for row in rows] == RECORDS[:2]


def test_wrong_declared_encoding_is_corrected_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.csv", csv_text([HEADERS, *RECORDS]).encode("gb18030"))
    table, rows = read(path, declared_encoding="utf-8")
    assert table.encoding == "gb18030"
    assert table.headers == HEADERS
    assert [row.values for row in rows] == RECORDS
    [message] = table.notes
    assert "声明为 UTF-8 但内容是 GBK" in message
    assert "declared as UTF-8" in message


def test_utf8_declared_as_gbk_is_read_as_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "utf8.csv", csv_text([HEADERS, *RECORDS]).encode("utf-8"))
    table, rows = read(path, declared_encoding="gbk")
    assert table.encoding == "utf-8"
    assert [row.values for row in rows] == RECORDS
    assert "声明为 GBK 但内容是 UTF-8" in table.notes[0]


def test_unknown_declared_encoding_is_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "utf8.csv", csv_text([HEADERS, *RECORDS]).encode("utf-8"))
    table, rows = read(path, declared_encoding="no-such-codec")
    assert table.encoding == "utf-8"
    assert len(rows) == 3
    assert "no-such-codec" in table.notes[0]


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n", b"\xff\xfe \x00\n\x00"]
)
def test_empty_files_are_unreadable(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty.csv", data)
    with pytest.raises(UnreadableFile) as caught, open_table(path):
        pass
    assert caught.value.message == "文件为空（the file is empty）"
    with pytest.raises(UnreadableFile):
        sniff_format(path)


@pytest.mark.parametrize("ending", ["\n", ""])
def test_header_only_gives_no_rows(tmp_path: Path, ending: str) -> None:
    path = write(tmp_path, "header.csv", (",".join(HEADERS) + ending).encode())
    table, rows = read(path)
    assert table.headers == HEADERS
    assert rows == []


def test_headers_are_stripped_and_duplicates_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", " 名称 ,\t代码,名称 ,,\n甲,1,乙,,\n".encode())
    table, rows = read(path)
    assert table.headers == ["名称", "代码", "名称"]
    assert rows == [Row(2, ["甲", "1", "乙"])]


def test_ragged_rows(tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n1,2,3,4,5\n1,2,3,\n1\n,,,,x\n"
    table, rows = read(write(tmp_path, "ragged.csv", text.encode()))
    assert table.headers == ["a", "b", "c"]
    assert rows == [
        Row(2, ["1", "2", None]),
        Row(3, ["1", "2", "3"], {"第4列": "4", "第5列": "5"}),
        Row(4, ["1", "2", "3"]),
        Row(5, ["1", None, None]),
        Row(6, ["", "", ""], {"第5列": "x"}),
    ]


def test_quoted_newlines_do_not_shift_row_numbers(tmp_path: Path) -> None:
    text = 'name,scope\r\n甲,"第一行\r\n第二行"\r\n乙,"a\nb\nc"\r\n丙,x\r\n'
    rows = read(write(tmp_path, "nl.csv", text.encode()))[1]
    assert [row.number for row in rows] == [2, 3, 4]
    assert rows[0].values == ["甲", "第一行\r\n第二行"]
    assert rows[1].values == ["乙", "a\nb\nc"]
    assert rows[2].values == ["丙", "x"]


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    text = "\n\na,b\n\n1,2\n   \n,\n3,4\n\n"
    table, rows = read(write(tmp_path, "blank.csv", text.encode()))
    assert table.headers == ["a", "b"]
    assert rows == [Row(2, ["1", "2"]), Row(3, ["3", "4"])]


def test_ten_megabyte_cell_is_read_intact(tmp_path: Path) -> None:
    big = "经营范围" * (10 * 1024 * 1024 // 4) + "完"
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id", "scope"], ["1", big], ["2", "small"]])
    rows = read(path)[1]
    assert len(str(rows[0].values[1])) == len(big)
    assert rows[0].values[1] == big
    assert rows[1] == Row(3, ["2", "small"])


def test_invalid_utf8_becomes_replacement_in_that_value_only(tmp_path: Path) -> None:
    records = [[f"企业{i}有限责任公司", f"北京市海淀区中关村大街{i}号"] for i in range(10)]
    data = csv_text([["企业名称", "注册地址"], *records]).encode()
    truncated = "中".encode()[:2]  # a three-byte character cut short
    data = data.replace("企业3有限".encode(), "企业3".encode() + truncated + "有限".encode())
    table, rows = read(write(tmp_path, "bad.csv", data))
    assert table.encoding == "utf-8"
    assert rows[3].values == ["企业3\ufffd有限责任公司", "北京市海淀区中关村大街3号"]
    assert [row.values for i, row in enumerate(rows) if i != 3] == records[:3] + records[4:]
    assert "1 处字节不是有效的 UTF-8" in table.notes[0]


def test_gbk_with_a_stray_byte_is_still_gbk(tmp_path: Path) -> None:
    records = [[f"企业{i}有限责任公司", f"北京市海淀区中关村大街{i}号"] for i in range(10)]
    data = csv_text([["企业名称", "注册地址"], *records]).encode("gbk")
    data = data.replace("企业3".encode("gbk"), "企业3".encode("gbk") + b"\xff")
    table, rows = read(write(tmp_path, "bad.csv", data))
    assert table.encoding == "gb18030"
    assert rows[3].values == ["企业3\ufffd有限责任公司", "北京市海淀区中关村大街3号"]
    assert [row.values for i, row in enumerate(rows) if i != 3] == records[:3] + records[4:]
    assert "1 处字节不是有效的 GBK/GB18030" in table.notes[0]


def test_invalid_utf8_after_the_sample_is_replaced(tmp_path: Path) -> None:
    lines = ["名称,地址\n"] + [f"企业{i},北京市海淀区{i}号\n" for i in range(SAMPLE_SIZE // 20)]
    data = "".join(lines).encode() + "最后,".encode() + b"\xe4\xb8\n"
    table, rows = read(write(tmp_path, "late.csv", data))
    assert table.encoding == "utf-8"
    assert rows[-1].values == ["最后", "\ufffd"]
    assert rows[-1].number == len(lines) + 1


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    records = [[*row[:3], row[3] + ", 一层"] for row in RECORDS]  # commas inside values
    path = write(tmp_path, "data.txt", csv_text([HEADERS, *records], delimiter).encode())
    table, rows = read(path)
    assert table.headers == HEADERS
    assert [row.values for row in rows] == records


def test_excel_unicode_text_export(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-delimited, CRLF."""
    data = csv_text([HEADERS, *RECORDS], "\t", "\r\n").encode("utf-16")
    table, rows = read(write(tmp_path, "export.txt", data))
    assert (table.encoding, table.headers) == ("utf-16-le", HEADERS)
    assert [row.values for row in rows] == RECORDS


def test_utf16_without_bom(tmp_path: Path) -> None:
    data = csv_text([HEADERS, *RECORDS]).encode("utf-16-le")
    table, rows = read(write(tmp_path, "nobom.csv", data))
    assert table.encoding == "utf-16-le"
    assert [row.values for row in rows] == RECORDS


def test_neither_utf8_nor_gb18030_is_read_as_a_guess_with_a_note(tmp_path: Path) -> None:
    text = "name,city\n" + "José,Málaga\nFrançois,Besançon\nJürgen,München\n" * 20
    table, rows = read(write(tmp_path, "latin1.csv", text.encode("latin-1")))
    assert table.encoding not in ("utf-8", "gb18030")
    assert table.headers == ["name", "city"]
    assert len(rows) == 60
    assert [len(str(v)) for v in rows[0].values] == [4, 6]  # one character per byte
    assert "按推测的" in table.notes[0]


def test_reading_is_streamed_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    row = ["北京京华广告公司", "91110105600437345Q", "任宝华", "北京市朝阳区东直门外西八间房"] * 5
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f"列{i}" for i in range(len(row))])
        writer.writerows([row] * 60_000)
    size = path.stat().st_size
    assert size > 25_000_000
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 12_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"
