"""An XLSX file is a zip of XML parts; before any XML parser opens one, :func:`inspect` refuses

- a zip whose parts declare more than ``xlsx_max_unzipped_bytes`` in all once unpacked;
- a part above 1 MiB unpacked that is compressed more than ``xlsx_max_ratio`` times (a zip
  bomb: a small file that unpacks to gigabytes of blank rows or repeated text);
- an XML part with a document type declaration (``<!DOCTYPE``) or an entity (``<!ENTITY``):
  Excel never writes them, and they are how XML expands a few bytes into gigabytes or reads
  files of the server.

Python's zipfile stops reading a part at its declared size, so a part cannot unpack to more
than the zip says.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.limits import ReadLimits

RATIO_FLOOR = 1 << 20  # parts smaller than this unpacked are not judged by their ratio
PROLOG = 64 * 1024  # a DTD comes before the root element: this much of each part is read
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(r"<[A-Za-z_]")
_XML_PARTS = (".xml", ".rels", ".vml")


def inspect(path: Path, limits: ReadLimits) -> None:
    """Refuse the XLSX at ``path`` when it could unpack or expand beyond the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            _sizes(parts, limits)
            for part in parts:
                if part.filename.lower().endswith(_XML_PARTS):
                    with archive.open(part) as member:
                        _prolog(part.filename, member.read(PROLOG), part.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise UnreadableFile(
            f"无法读取 XLSX 文件，压缩包已损坏：{exc}",
            f"cannot read the XLSX file; the zip archive is damaged: {exc}",
        ) from exc


def _sizes(parts: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    total = sum(p.file_size for p in parts)
    if total > limits.xlsx_max_unzipped_bytes:
        raise UnreadableFile(
            f"XLSX 文件解压后共 {total} 字节，超过上限 {limits.xlsx_max_unzipped_bytes} 字节，"
            "未导入任何数据；请拆分后分批提交",
            f"the XLSX file unpacks to {total} bytes, more than the limit of "
            f"{limits.xlsx_max_unzipped_bytes}; nothing was stored: split it",
            unpacked=total,
            limit=limits.xlsx_max_unzipped_bytes,
        )
    for p in parts:
        ratio = p.file_size / max(p.compress_size, 1)
        if p.file_size > RATIO_FLOOR and ratio > limits.xlsx_max_ratio:
            raise UnreadableFile(
                f"XLSX 文件中的 {p.filename} 压缩比为 {ratio:.0f} 倍，超过上限 "
                f"{limits.xlsx_max_ratio} 倍（常见于含大量空行或重复内容的文件），未导入任何数据；"
                "请删除空行后重新保存再提交",
                f"the part {p.filename} of the XLSX file is compressed {ratio:.0f} times, more "
                f"than the limit of {limits.xlsx_max_ratio} (as with masses of blank rows); "
                "nothing was stored: delete the blank rows, save and submit again",
                part=p.filename,
                limit=limits.xlsx_max_ratio,
            )


def _prolog(name: str, head: bytes, size: int) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")  # ASCII markup reads the same in UTF-8 and its kin
    root = _ROOT.search(text)
    prolog = text[: root.start()] if root else text
    if _DTD.search(prolog) or (root is None and size > len(head)):
        raise UnreadableFile(
            f"XLSX 文件中的 {name} 含有文档类型声明（DTD）或实体定义，Excel 不会生成这样的"
            "文件，出于安全原因拒绝读取；请用 Excel 打开后另存为 xlsx 再提交",
            f"the part {name} of the XLSX file declares a DTD or entities, which Excel never "
            "writes; refused for safety: open it in Excel, save it as xlsx and submit again",
            part=name,
        )
