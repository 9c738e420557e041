"""JSON and JSON Lines, streamed.

JSON: an array of objects, or an object holding an array of objects (``{"erDataList": [...]}``;
the first array, at any depth, whose first element is an object). The array is streamed with
ijson, one object at a time. An object holding no such array is read as a single record. Row
numbers are the 1-based index of the object in the array.

JSON Lines: one object per line, read line by line; row numbers are line numbers and blank lines
are skipped.

Both: the headers are the keys of the first object, in order; a key of a later object that is not
among them goes to ``extras`` under its own name, and a missing key gives ``None``. Strings,
booleans and ``null`` come as ``str``, ``bool`` and ``None``; numbers as ``int`` or ``float``;
a nested object or array as its JSON text. An element that is not an object, or a line that is
not valid JSON, stops the reading with :class:`~gongxin.errors.UnreadableFile` naming the row.

The text is decoded with the detected encoding (UTF-8 as a rule, but departments do send GBK),
bad bytes becoming U+FFFD, and handed to the parser as UTF-8.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import ijson

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.encoding import Encoding, detect_encoding
from gongxin.intake.readers.limits import DEFAULT, ReadLimits
from gongxin.intake.readers.table import Cell, Format, Row, Table, header_text
from gongxin.jsonguard import DepthGuard, TooDeep, check_depth, too_deep

FIRST_LINE_LIMIT = 1 << 20
"""How much of the first line is looked at to tell JSON Lines from JSON: a file whose first line
is longer is JSON, unless its name ends in ``.jsonl`` or ``.ndjson``."""


_SLACK = 1 << 20  # the parser reads ahead: a record may pass its bound by this much unnoticed


class _Utf8Reader:
    """A binary reader over a decoded text stream, giving ijson UTF-8 whatever the file's
    encoding was, after measuring its nesting (:class:`~gongxin.jsonguard.DepthGuard`) and
    how much was read since the last record (:meth:`record_done`)."""

    def __init__(self, text: io.TextIOWrapper, limits: ReadLimits) -> None:
        self._text = text
        self._guard = DepthGuard(limits.json_max_depth)
        self._record_max = limits.record_max_bytes
        self._read = 0
        self._mark = 0

    def read(self, size: int = -1) -> bytes:
        data = self._text.read(size).encode("utf-8")
        self._guard.feed(data)
        self._read += len(data)
        if self._read - self._mark > self._record_max + _SLACK:
            raise UnreadableFile(
                f"JSON 中有一条记录超过 {self._record_max} 字节，已拒绝",
                f"a record of the JSON is larger than {self._record_max} bytes; refused",
                limit=self._record_max,
            )
        return data

    def record_done(self) -> None:
        self._mark = self._read


@contextlib.contextmanager
def _text(path: Path, encoding: Encoding) -> Iterator[io.TextIOWrapper]:
    raw = path.open("rb")
    with contextlib.closing(raw):
        raw.seek(encoding.bom)
        with io.TextIOWrapper(raw, encoding=encoding.codec, errors="replace") as text:
            yield text


def first_line_is_object(text: str) -> bool:
    """Whether the first line of ``text`` (leading whitespace aside) is a complete JSON object."""
    first = text.lstrip().partition("\n")[0]
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):  # too deep: the reader refuses it, naming the limit
        return False


def is_json_lines(text: str) -> bool:
    """Whether a file whose text starts with ``text`` (enough of it to hold the first line and
    the start of the next) is JSON Lines: the first line is a complete object and more follows."""
    _, newline, rest = text.lstrip().partition("\n")
    return bool(newline and rest.strip()) and first_line_is_object(text)


@contextlib.contextmanager
def open_json(
    path: Path, *, declared_encoding: str | None = None, limits: ReadLimits = DEFAULT
) -> Iterator[Table]:
    """Open a JSON document as a :class:`Table` of the objects in its array."""
    encoding = detect_encoding(path, declared_encoding)
    with _text(path, encoding) as text:
        prefix = _find_array(_events(_Utf8Reader(text, limits)))
    with _text(path, encoding) as text:
        reader = _Utf8Reader(text, limits)
        items = ijson.items(reader, prefix or "", use_float=True)
        objects = _guard(items, reader)
        yield _table("json", enumerate(objects, start=1), encoding)


@contextlib.contextmanager
def open_json_lines(
    path: Path, *, declared_encoding: str | None = None, limits: ReadLimits = DEFAULT
) -> Iterator[Table]:
    """Open a JSON Lines file as a :class:`Table`, one row per non-blank line."""
    encoding = detect_encoding(path, declared_encoding)
    with _text(path, encoding) as text:
        yield _table("jsonl", _lines(text, limits), encoding)


def _events(reader: _Utf8Reader) -> Iterator[tuple[str, str, Any]]:
    try:
        yield from ijson.parse(reader, use_float=True)
    except ijson.JSONError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: Exception, where: str = "") -> UnreadableFile:
    return UnreadableFile(
        f"JSON 格式有误{where}：{exc}", f"invalid JSON{' at ' + where if where else ''}: {exc}"
    )


def _find_array(events: Iterator[tuple[str, str, Any]]) -> str | None:
    """The ijson prefix of the records: ``item`` for a top-level array, ``<path>.item`` for the
    first array of objects inside an object (or, failing one, its first empty array), and
    ``None`` for an object holding neither: that object is then the one record."""
    first = next(events, None)
    if first is None:
        raise UnreadableFile("文件为空", "the file is empty")
    if first[1] == "start_array":
        after = next(events, None)
        if after is not None and after[1] in ("start_map", "end_array"):
            return "item"
        raise UnreadableFile(
            "JSON 数组中的元素不是对象，无法按表格读取",
            "the elements of the JSON array are not objects; it cannot be read as a table",
        )
    if first[1] != "start_map":
        raise UnreadableFile(
            "JSON 文件中没有记录：应为对象数组，或含有对象数组的对象",
            "the JSON holds no records: expected an array of objects, or an object holding one",
        )
    empty: str | None = None
    for prefix, event, _ in events:
        if event != "start_array":
            continue
        after = next(events, None)
        if after is not None and after[1] == "start_map":
            return f"{prefix}.item"
        if after is not None and after[1] == "end_array" and empty is None:
            empty = f"{prefix}.item"
    return empty


def _guard(objects: Iterable[Any], reader: _Utf8Reader) -> Iterator[Any]:
    try:
        for item in objects:
            reader.record_done()
            yield item
    except ijson.JSONError as exc:
        raise _invalid(exc) from exc


def _lines(text: io.TextIOWrapper, limits: ReadLimits) -> Iterator[tuple[int, Any]]:
    number = 0
    longest = limits.record_max_bytes
    while line := text.readline(longest + 1):
        number += 1
        if len(line) > longest:
            raise UnreadableFile(
                f"第 {number} 行超过 {longest} 字符，已拒绝（每行一条记录，记录大小有上限）",
                f"line {number} is longer than {longest} characters; refused (one record a "
                "line, and records have a size limit)",
                row=number,
                limit=longest,
            )
        if not line.strip():
            continue
        try:
            check_depth(line, limits.json_max_depth)
        except TooDeep:
            where, where_en = f"（第 {number} 行）", f" (line {number})"
            raise too_deep(limits.json_max_depth, where, where_en) from None
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            raise _invalid(exc, f"（第 {number} 行）") from exc


def _table(fmt: Format, numbered: Iterator[tuple[int, Any]], encoding: Encoding) -> Table:
    first = next(numbered, None)
    keys: list[str] = list(_object(fmt, *first)) if first is not None else []
    headers = [header_text(key) for key in keys]
    rows = _rows(fmt, first, numbered, {key: i for i, key in enumerate(keys)})
    return Table(fmt, headers, encoding.name, list(encoding.notes), rows)


def _object(fmt: Format, number: int, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        where = f"第 {number} 行" if fmt == "jsonl" else f"第 {number} 个元素"
        en = f"line {number}" if fmt == "jsonl" else f"element {number}"
        raise UnreadableFile(
            f"{where}不是 JSON 对象，无法按表格读取",
            f"{en} is not a JSON object; it cannot be read as a table",
            row=number,
        )
    return cast(dict[str, Any], value)


def _rows(
    fmt: Format,
    first: tuple[int, Any] | None,
    numbered: Iterator[tuple[int, Any]],
    index: dict[str, int],
) -> Iterator[Row]:
    if first is None:
        return
    width = len(index)
    for number, value in _chain(first, numbered):
        values: list[Cell] = [None] * width
        extras: dict[str, Cell] | None = None
        for key, cell in _object(fmt, number, value).items():
            if isinstance(cell, dict | list):
                cell = json.dumps(cell, ensure_ascii=False)
            position = index.get(key)
            if position is not None:
                values[position] = cell
            elif extras is None:
                extras = {key: cell}
            else:
                extras[key] = cell
        yield Row(number, values, extras)


def _chain(first: tuple[int, Any], rest: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    yield first
    yield from rest
