"""What a public credit report says: pure data, read only through the visibility gate.

The same subject on the same ``as_of`` gives the same content and so the same digest; the
report number is derived from the subject's canonical code and ``as_of``. Each issued report is
stored with its content (``reports.issued``), which verification shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles

REPORT_NO = re.compile(r"^XY(?P<date>\d{8})(?P<hash>[0-9a-f]{10})$")
AUDIENCE = Audience.PUBLIC  # a report is what the public may see, nothing more


@dataclass(frozen=True)
class Entry:
    label: str  # the Chinese field name
    value: str


@dataclass(frozen=True)
class Item:
    event_date: str | None
    fields: tuple[Entry, ...]


@dataclass(frozen=True)
class Section:
    dataset: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ReportContent:
    report_no: str
    as_of: date
    subject_code: str  # the canonical code: the USCC, else the registration number
    subject_name: str
    basics: tuple[Entry, ...]
    sections: tuple[Section, ...]


def report_number(subject_code: str, as_of: date) -> str:
    """``XY`` + the date + the first 10 hex digits of SHA-256(code + ISO date)."""
    hashed = hashlib.sha256(f"{subject_code}{as_of.isoformat()}".encode()).hexdigest()
    return f"XY{as_of:%Y%m%d}{hashed[:10]}"


def parse_report_number(report_no: str) -> date:
    """The ``as_of`` a report number encodes; malformed numbers are invalid input."""
    match = REPORT_NO.match(report_no)
    try:
        if match is None:
            raise ValueError(report_no)
        return date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
    except ValueError as exc:
        raise InvalidInput(
            "报告编号格式有误：应为 XY + 8 位日期 + 10 位十六进制校验码",
            "malformed report number: expected XY + 8-digit date + 10 hex digits",
        ) from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(_text(v) for v in value)
    return str(value).strip()


def _basics(found: profiles.Profile) -> tuple[Entry, ...]:
    capital = f"{found.capital} {found.capital_unit or ''}".strip() if found.capital else ""
    pairs = [
        ("主体名称", found.name),
        ("统一社会信用代码", found.uscc),
        ("注册号", found.reg_no),
        ("主体类型", found.entity_type),
        ("法定代表人", found.legal_rep),  # already masked by profile() for the public
        ("注册资本", capital),
        ("成立日期", found.reg_date.isoformat() if found.reg_date else None),
        ("所在省份", found.province),
        ("地区", found.region),
        ("住所", found.address),
        ("经营范围", found.business_scope),
    ]
    return tuple(Entry(label, _text(value)) for label, value in pairs if _text(value))


def build(conn: sa.Connection, catalog: Catalog, code: str, as_of: date) -> ReportContent:
    """The report of the subject with ``code`` as the public may see it on ``as_of``."""
    found = profiles.profile(conn, catalog, code, audience=AUDIENCE, as_of=as_of)
    shown = profiles.visible_records(conn, catalog, code, audience=AUDIENCE, as_of=as_of)
    sections = []
    for spec in catalog:
        # registration data is the basics above; non-public datasets never reach the public
        if spec.subject_role == "registration" or spec.publicity_scope != "社会公开":
            continue
        items = []
        for record in shown:
            if record["dataset"] != spec.code:
                continue
            data = record["data"]
            values = ((f.name, _text(data.get(f.code))) for f in spec.fields)
            entries = tuple(Entry(name, value) for name, value in values if value)
            event = record["event_date"]
            items.append(Item(event.isoformat() if event else None, entries))
        sections.append(Section(spec.code, spec.name, tuple(items)))
    canonical = found.uscc or found.reg_no or profiles.parse_code(code)[1]
    return ReportContent(
        report_number(canonical, as_of), as_of, canonical, found.name, _basics(found),
        tuple(sections),
    )  # fmt: skip


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_iso
    )


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def to_dict(content: ReportContent) -> dict[str, Any]:
    return asdict(content)


def digest(content: ReportContent) -> str:
    """SHA-256 (hex) of the content's canonical JSON: the fingerprint printed on the report."""
    return hashlib.sha256(canonical_json(to_dict(content)).encode()).hexdigest()


def records_digest(content: ReportContent | dict[str, Any]) -> str:
    """SHA-256 of what the report shows about the subject, without number or date (of a
    report, or of a stored snapshot of one)."""
    data = content if isinstance(content, dict) else to_dict(content)
    shown = {"basics": data["basics"], "sections": data["sections"]}
    return hashlib.sha256(canonical_json(shown).encode()).hexdigest()
