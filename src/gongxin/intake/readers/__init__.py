"""File readers of intake: any delivered file as a header and a stream of rows.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "upload.tmp"
>>> _ = path.write_bytes("名称,代码\\n甲公司,91110108MA01A2B3C4\\n".encode("gb18030"))
>>> with open_table(path, filename="北京.csv") as table:
...     print(table.format, table.encoding, table.headers)
...     for row in table.rows:
...         print(row.values)
csv gb18030 ['名称', '代码']
['甲公司', '91110108MA01A2B3C4']

The format is decided by the content, the file name being only a hint:

- ``PK\\x03\\x04`` (a zip archive) is XLSX; ``D0 CF 11 E0 A1 B1 1A E1`` (an OLE2 file) is XLS;
- a first non-space character ``{`` or ``[`` is JSON, or JSON Lines when the first line is a
  complete object and more lines follow (or the name ends in ``.jsonl`` / ``.ndjson``);
- HTML or XML (an "Excel" file exported by a web system) is refused with advice;
- anything else is CSV (or another delimited text).

When the name's extension says otherwise, a note says so. A file with nothing in it but
whitespace (or a byte-order mark) is refused as empty.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.csv_reader import empty_file, open_csv
from gongxin.intake.readers.encoding import BOMS
from gongxin.intake.readers.excel import open_xls, open_xlsx
from gongxin.intake.readers.json_reader import (
    FIRST_LINE_LIMIT,
    first_line_is_object,
    is_json_lines,
    open_json,
    open_json_lines,
)
from gongxin.intake.readers.limits import DEFAULT, ReadLimits
from gongxin.intake.readers.table import Cell, Format, Row, Table, note

__all__ = ["Cell", "Format", "ReadLimits", "Row", "Table", "open_table", "sniff_format"]

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_FORMAT_NAMES: dict[Format, str] = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "xls": "XLS",
    "json": "JSON",
    "jsonl": "JSON Lines",
}

_CHUNK = 64 * 1024
_MARKUP = re.compile(r"<[!?a-zA-Z]")


def sniff_format(path: Path) -> Format:
    """The format of the file at ``path``, from its content alone.

    Raises :class:`~gongxin.errors.UnreadableFile` for an empty file and for HTML or XML.
    """
    return _sniff(Path(path), hint=None)


@contextlib.contextmanager
def open_table(
    path: Path,
    *,
    filename: str | None = None,
    declared_encoding: str | None = None,
    limits: ReadLimits = DEFAULT,
) -> Iterator[Table]:
    """Open the file at ``path`` as a :class:`Table`; the file is closed on leaving the block.

    ``filename`` is the name the file was delivered under (``path`` may be a temporary file);
    its extension, or else that of ``path``, is a hint only. ``declared_encoding`` is the
    encoding the sender said a text file is in; it is checked against the content.
    ``limits`` bounds what the readers accept (:class:`~.limits.ReadLimits`).
    """
    path = Path(path)
    hint = EXTENSIONS.get(Path(filename or path.name).suffix.lower())
    fmt = _sniff(path, hint=hint)
    opened: contextlib.AbstractContextManager[Table]
    if fmt == "xlsx":
        opened = open_xlsx(path, limits=limits)
    elif fmt == "xls":
        opened = open_xls(path, limits=limits)
    elif fmt == "json":
        opened = open_json(path, declared_encoding=declared_encoding, limits=limits)
    elif fmt == "jsonl":
        opened = open_json_lines(path, declared_encoding=declared_encoding, limits=limits)
    else:
        opened = open_csv(path, declared_encoding=declared_encoding)
    with opened as table:
        if hint is not None and hint != fmt and {hint, fmt} != {"json", "jsonl"}:
            suffix = Path(filename or path.name).suffix
            table.notes.insert(
                0,
                note(
                    f"文件扩展名为 {suffix}，但内容是 {_FORMAT_NAMES[fmt]} 格式，"
                    f"已按 {_FORMAT_NAMES[fmt]} 读取",
                    f"the file name ends in {suffix} but the content is "
                    f"{_FORMAT_NAMES[fmt]}; read as {_FORMAT_NAMES[fmt]}",
                ),
            )
        yield table


def _sniff(path: Path, *, hint: Format | None) -> Format:
    with path.open("rb") as f:
        magic = f.read(len(OLE2_MAGIC))
        if magic.startswith(ZIP_MAGIC):
            return "xlsx"
        if magic == OLE2_MAGIC:
            return "xls"
        f.seek(0)
        text = _head(f)
    if not text:
        raise empty_file()
    if text[0] in "{[":
        if is_json_lines(text):
            return "jsonl"
        named_jsonl = hint == "jsonl" and text[0] == "{"
        if named_jsonl and ("\n" not in text or first_line_is_object(text)):
            return "jsonl"  # a single line, or a first line too long to look at
        return "json"
    if _MARKUP.match(text):
        raise UnreadableFile(
            "文件内容是网页或 XML（常见于系统导出的“Excel”文件），不是表格文件；"
            "请用 Excel 打开后另存为 xlsx 或 csv 再上传",
            "the content is HTML or XML (as in many 'Excel' exports of web systems), not a "
            "table file; open it in Excel, save it as xlsx or csv and upload again",
        )
    return "csv"


def _head(f: BinaryIO) -> str:
    """The text from the first non-whitespace character on, ``""`` for an empty file. When it
    starts with ``{``, enough of it to hold the first line and the start of the next one (up to
    :data:`FIRST_LINE_LIMIT`), to tell JSON Lines from JSON."""
    data = f.read(_CHUNK)
    codec, skip = "utf-8", 0
    for mark, bom_codec, _ in BOMS:
        if data.startswith(mark):
            codec, skip = bom_codec, len(mark)
            break
    decoder = codecs.getincrementaldecoder(codec)("replace")
    text = decoder.decode(data[skip:], final=not data)
    while data and not text.strip():
        data = f.read(_CHUNK)
        text = decoder.decode(data, final=not data)
    text = text.lstrip()
    if not text.startswith("{"):
        return text
    pieces, size = [text], len(text)
    newline = text.find("\n")
    done = newline >= 0 and bool(text[newline + 1 :].strip())
    while data and not done and size < FIRST_LINE_LIMIT:
        data = f.read(_CHUNK)
        piece = decoder.decode(data, final=not data)
        pieces.append(piece)
        size += len(piece)
        if newline < 0:
            newline = piece.find("\n")
            done = newline >= 0 and bool(piece[newline + 1 :].strip())
        else:
            done = bool(piece.strip())
    return "".join(pieces)
