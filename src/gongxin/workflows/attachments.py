"""Attachments of objections and repair applications: PDF, JPG or PNG by content (never by
name), within the deployment's size and count limits, stored under ``var_dir/attachments`` by
their SHA-256. Every file is checked before any is written: too many or one bad file → an
error naming it and nothing saved."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from gongxin.errors import InvalidInput

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class Upload:
    file_name: str
    content: bytes


@dataclass(frozen=True)
class Checked:
    file_name: str
    media_type: str
    size: int
    sha256: str
    content: bytes


def media_type(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), None)


def check(uploads: list[Upload], *, max_bytes: int, max_count: int) -> list[Checked]:
    if len(uploads) > max_count:
        raise InvalidInput(
            f"附件过多：{len(uploads)} 个，最多 {max_count} 个",
            f"too many attachments: {len(uploads)}, at most {max_count}",
            field="attachments",
        )
    out = []
    for n, up in enumerate(uploads, 1):
        shown = "".join(ch for ch in up.file_name if ch.isprintable())
        name = Path(shown.replace("\\", "/")).name[:200] or f"attachment-{n}"
        if len(up.content) > max_bytes:
            raise InvalidInput(
                f"附件“{name}”过大：{len(up.content)} 字节，上限 {max_bytes} 字节",
                f"attachment {name!r} is too large: {len(up.content)} bytes, limit {max_bytes}",
                field="attachments",
                file=name,
            )
        kind = media_type(up.content)
        if kind is None:
            raise InvalidInput(
                f"附件“{name}”不是 PDF、JPG 或 PNG 文件（按内容判断）",
                f"attachment {name!r} is not a PDF, JPG or PNG file (judged by its content)",
                field="attachments",
                file=name,
            )
        digest = hashlib.sha256(up.content).hexdigest()
        out.append(Checked(name, kind, len(up.content), digest, up.content))
    return out


def store(folder: Path, files: list[Checked]) -> None:
    """Write each file as ``<sha256>`` (once: the same content is one file)."""
    for f in files:
        path = folder / "attachments" / f.sha256[:2] / f.sha256
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(f.content)
            tmp.replace(path)
