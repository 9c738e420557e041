"""open_table() on JSON and JSON Lines."""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from gongxin.errors import UnreadableFile
from gongxin.intake.readers import Row, Table, open_table, sniff_format

REAL_KEYS = [
    "name",
    "code",
    "registrationDay",
    "character",
    "legalRepresentative",
    "capital",
    "businessScope",
    "province",
    "city",
    "address",
]

OBJECTS: list[dict[str, Any]] = [
    {"名称": "甲公司", "金额": 1200, "比例": 0.25, "撤销": None, "有效": True, "标签": ["a", "b"]},
    {
        "名称": "乙公司",
        "金额": -3,
        "比例": 1e-3,
        "撤销": "2021-01-02",
        "有效": False,
        "备注": "迟到",
    },
    {"比例": 2.5, "名称": "丙公司", "地址": {"省": "北京", "区": "海淀"}},
]
HEADERS = ["名称", "金额", "比例", "撤销", "有效", "标签"]
EXPECTED = [
    Row(1, ["甲公司", 1200, 0.25, None, True, '["a", "b"]']),
    Row(2, ["乙公司", -3, 0.001, "2021-01-02", False, None], {"备注": "迟到"}),
    Row(3, ["丙公司", None, 2.5, None, None, None], {"地址": '{"省": "北京", "区": "海淀"}'}),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(path: Path, **kwargs: Any) -> tuple[Table, list[Row]]:
    with open_table(path, **kwargs) as table:
        return table, list(table.rows)


def test_real_json(real_data: Path) -> None:
    path = real_data / "registrations" / "json_sample" / "1993_北京.json"
    assert sniff_format(path) == "json"
    table, rows = read(path)
    assert (table.format, table.encoding, table.notes) == ("json", "utf-8", [])
    assert table.headers == REAL_KEYS
    assert len(rows) == 3100
    assert [row.number for row in rows] == list(range(1, 3101))
    assert all(row.extras is None for row in rows)
    with (real_data / "registrations" / "csv_1993" / "北京.csv").open(encoding="utf-8") as f:
        assert [row.values for row in rows] == list(csv.reader(f))[1:]


@pytest.mark.parametrize("indent", [None, 2])
def test_plain_array(tmp_path: Path, indent: int | None) -> None:
    text = json.dumps(OBJECTS, ensure_ascii=False, indent=indent)
    table, rows = read(write(tmp_path, "data.json", text.encode()))
    assert (table.format, table.headers) == ("json", HEADERS)
    assert rows == EXPECTED
    assert [type(value) for value in rows[0].values] == [str, int, float, type(None), bool, str]


@pytest.mark.parametrize(
    "wrapper",
    [
        lambda rows: {"erDataList": rows},
        lambda rows: {"total": 3, "meta": {"tags": ["x"]}, "data": {"list": rows}},
    ],
)
def test_object_holding_an_array(tmp_path: Path, wrapper: Any) -> None:
    text = json.dumps(wrapper(OBJECTS), ensure_ascii=False, indent=1)
    table, rows = read(write(tmp_path, "wrapped.json", text.encode()))
    assert table.headers == HEADERS
    assert rows == EXPECTED


def test_empty_arrays_and_a_single_object(tmp_path: Path) -> None:
    assert read(write(tmp_path, "a.json", b"[]"))[1] == []
    assert read(write(tmp_path, "b.json", b'{"erDataList": []}'))[1] == []
    table, rows = read(write(tmp_path, "c.json", '{"名称": "甲", "金额": 5}'.encode()))
    assert (table.format, table.headers, rows) == ("json", ["名称", "金额"], [Row(1, ["甲", 5])])


@pytest.mark.parametrize("text", ["[1, 2, 3]", '[["a", "b"], [1, 2]]', "[null]"])
def test_json_without_objects_is_unreadable(tmp_path: Path, text: str) -> None:
    with pytest.raises(UnreadableFile):
        read(write(tmp_path, "bad.json", text.encode()))


def test_invalid_json_is_unreadable(tmp_path: Path) -> None:
    text = json.dumps(OBJECTS, ensure_ascii=False)[:-30]
    path = write(tmp_path, "cut.json", text.encode())
    with pytest.raises(UnreadableFile, match="JSON 格式有误"), open_table(path) as table:
        list(table.rows)


def test_element_that_is_not_an_object_names_its_index(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.json", b'[{"a": 1}, {"a": 2}, 3]')
    with open_table(path) as table:
        rows = table.rows
        assert [next(rows), next(rows)] == [Row(1, [1]), Row(2, [2])]
        with pytest.raises(UnreadableFile, match="第 3 个元素不是 JSON 对象"):
            next(rows)


@pytest.mark.parametrize(
    ("codec", "reported"), [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig")]
)
def test_json_in_other_encodings(tmp_path: Path, codec: str, reported: str) -> None:
    text = json.dumps(OBJECTS, ensure_ascii=False)
    table, rows = read(write(tmp_path, "enc.json", text.encode(codec)))
    assert (table.format, table.encoding) == ("json", reported)
    assert rows == EXPECTED


def jsonl(objects: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()


def test_json_lines_with_a_late_extra_key(tmp_path: Path) -> None:
    path = write(tmp_path, "data.json", jsonl(OBJECTS))
    assert sniff_format(path) == "jsonl"
    table, rows = read(path)
    assert (table.format, table.encoding, table.headers) == ("jsonl", "utf-8", HEADERS)
    assert rows == EXPECTED
    assert rows[1].extras == {"备注": "迟到"}


def test_json_lines_numbers_are_line_numbers(tmp_path: Path) -> None:
    data = b'{"a": 1}\n\n{"a": 2}\r\n   \n{"a": 3, "b": [1]}\n\n'
    table, rows = read(write(tmp_path, "gaps.jsonl", data))
    assert table.headers == ["a"]
    assert rows == [Row(1, [1]), Row(3, [2]), Row(5, [3], {"b": "[1]"})]


def test_invalid_json_line_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", b'{"a": 1}\n{"a": 2}\n{"a": \n')
    with open_table(path) as table:
        rows = table.rows
        assert next(rows) == Row(1, [1])
        assert next(rows) == Row(2, [2])
        with pytest.raises(UnreadableFile, match="第 3 行"):
            next(rows)


def test_single_line_jsonl_by_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "one.jsonl", b'{"a": 1, "b": "x"}\n')
    table, rows = read(path)
    assert (table.format, table.notes, rows) == ("jsonl", [], [Row(1, [1, "x"])])


def test_jsonl_with_a_long_first_line_by_its_name(tmp_path: Path) -> None:
    big = "经营范围" * (1 << 19)
    objects = [{"a": big, "b": 1}, {"a": "x", "b": 2}]
    path = write(tmp_path, "long.jsonl", jsonl(objects))
    table, rows = read(path)
    assert table.format == "jsonl"
    assert rows == [Row(1, [big, 1]), Row(2, ["x", 2])]


def test_json_is_streamed_in_flat_memory(tmp_path: Path) -> None:
    record = {key: f"北京市海淀区中关村大街{i}号院" * 3 for i, key in enumerate(REAL_KEYS)}
    path = tmp_path / "large.json"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"erDataList": [')
        f.write(",".join([json.dumps(record, ensure_ascii=False)] * 20_000))
        f.write("]}")
    size = path.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 8_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"
