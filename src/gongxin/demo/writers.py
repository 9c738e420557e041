"""Writing rows the way departments deliver them: CSV in UTF-8, GBK or UTF-8 with a BOM, XLSX,
JSON Lines. Output is byte-for-byte deterministic: XLSX timestamps are pinned.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from gongxin.demo.fill import Row

Format = Literal["csv", "csv-gbk", "csv-bom", "xlsx", "jsonl"]
DateStyle = Literal["slash", "dash"]
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
EXTENSIONS: dict[Format, str] = {
    "csv": "csv",
    "csv-gbk": "csv",
    "csv-bom": "csv",
    "xlsx": "xlsx",
    "jsonl": "jsonl",
}


def render_date(day: date, style: DateStyle) -> str:
    return f"{day:%Y/%m/%d}" if style == "slash" else day.isoformat()


def _cells(row: Row, codes: Sequence[str], style: DateStyle) -> list[str]:
    out = []
    for code in codes:
        value = row.get(code)
        if value is None:
            out.append("")
        elif isinstance(value, date):
            out.append(render_date(value, style))
        else:
            out.append(value)
    return out


def write_csv(
    path: Path,
    headers: Sequence[str],
    codes: Sequence[str],
    rows: Sequence[Row],
    *,
    encoding: str,
    style: DateStyle,
    newline: str,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(headers)
    writer.writerows(_cells(row, codes, style) for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_jsonl(
    path: Path, headers: Sequence[str], codes: Sequence[str], rows: Sequence[Row]
) -> None:
    lines = []
    for row in rows:
        cells = _cells(row, codes, "dash")
        record = {h: (c if c != "" else None) for h, c in zip(headers, cells, strict=True)}
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    codes: Sequence[str],
    rows: Sequence[Row],
    *,
    sheet: str,
    moment: datetime,
) -> None:
    """One sheet; dates as real date cells (as typed into Excel), everything else as text."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = moment
    book.properties.creator = "gongxin demo"
    ws = book.create_sheet(sheet)
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(code) for code in codes])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_pinned_zip(buffer.getvalue(), moment))


def _pinned_zip(data: bytes, moment: datetime) -> bytes:
    """The same archive with every member's timestamp, and the workbook's modification time
    (which openpyxl sets to the wall clock on saving), set to ``moment``."""
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    modified = f"{moment:%Y-%m-%dT%H:%M:%S}Z".encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=stamp)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + modified + rb"\g<2>", content)
            target.writestr(pinned, content)
    return out.getvalue()


def write(
    fmt: Format,
    path: Path,
    headers: Sequence[str],
    codes: Sequence[str],
    rows: Sequence[Row],
    *,
    style: DateStyle,
    sheet: str,
    moment: datetime,
) -> None:
    if fmt == "xlsx":
        write_xlsx(path, headers, codes, rows, sheet=sheet, moment=moment)
    elif fmt == "jsonl":
        write_jsonl(path, headers, codes, rows)
    else:
        encoding = {"csv": "utf-8", "csv-gbk": "gbk", "csv-bom": "utf-8-sig"}[fmt]
        newline = "\n" if fmt == "csv" else "\r\n"
        write_csv(path, headers, codes, rows, encoding=encoding, style=style, newline=newline)
