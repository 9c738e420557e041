"""The bounds every intake reader keeps, whatever a file claims: how deep JSON may nest, how
large one JSON record may be, how much an XLSX may unpack to and how far it may expand, and how
many blank rows in a row a spreadsheet may have before reading stops."""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.settings import Settings


@dataclass(frozen=True)
class ReadLimits:
    json_max_depth: int = 32
    record_max_bytes: int = 16 * 1024**2
    xlsx_max_unzipped_bytes: int = 4 * 1024**3
    xlsx_max_ratio: int = 200
    max_blank_rows: int = 10_000

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        return cls(
            json_max_depth=settings.json_max_depth,
            record_max_bytes=settings.intake_record_max_bytes,
            xlsx_max_unzipped_bytes=settings.xlsx_max_unzipped_bytes,
            xlsx_max_ratio=settings.xlsx_max_ratio,
            max_blank_rows=settings.intake_max_blank_rows,
        )


DEFAULT = ReadLimits()
