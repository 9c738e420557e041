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
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput
from gongxin.records.gate import Audience
from gongxin.reports import layout
from gongxin.subjects import profile as profiles

REPORT_NO = re.compile(r"^XY(?P<date>\d{8})(?P<hash>[0-9a-f]{10})$")
OPEN_END_YEAR = 2099  # an end date this far out is a placeholder for "no end": printed 长期
AUDIENCE = Audience.PUBLIC  # a report is what the public may see, nothing more
MARK_LABEL = "状态标注"  # the first line of a marked record: 异议处理中（2026-11-23 起）


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
    group: str = ""  # the heading of 信用中国 it sits under (行政管理信息 …)


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary page (信用概况): a dataset, what the report holds of it."""

    group: str
    label: str
    value: str  # 有 2 条 / 无 / 已列入（1 条）/ 未列入
    attention: bool  # negative information present: printed for attention


@dataclass(frozen=True)
class ReportContent:
    report_no: str
    as_of: date
    subject_code: str  # the canonical code: the USCC, else the registration number
    subject_name: str
    basics: tuple[Entry, ...]
    sections: tuple[Section, ...]
    summary: tuple[SummaryLine, ...] = ()
    issuer: str = ""  # the organisation that issued the report
    platform: str = ""  # the platform it comes from


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


def shown_date(value: Any) -> str:
    """A date as printed: ISO, or 长期 for an open end (2099-12-31, 9999-12-31: any date in or
    after ``OPEN_END_YEAR``, the placeholder systems write for "no end")."""
    text = _text(value)
    try:
        day = value if isinstance(value, date) else date.fromisoformat(text[:10])
    except ValueError:
        return text
    return "长期" if day.year >= OPEN_END_YEAR else day.isoformat()


def _basics(found: profiles.Profile, registered: dict[str, Any]) -> tuple[Entry, ...]:
    capital = f"{found.capital} {found.capital_unit or ''}".strip() if found.capital else ""
    start = found.reg_date.isoformat() if found.reg_date else shown_date(registered.get("DJ_ZCRQ"))
    end = shown_date(registered.get("DJ_YYQXZ"))
    term = f"{start or '—'} 至 {end}" if end else ""
    pairs = [
        ("主体名称", found.name),
        ("统一社会信用代码", found.uscc),
        ("注册号", found.reg_no),
        ("主体类型", found.entity_type),
        ("法定代表人", found.legal_rep),  # already masked by profile() for the public
        ("注册资本", capital),
        ("成立日期", found.reg_date.isoformat() if found.reg_date else None),
        ("登记状态", registered.get("DJ_DJZT")),
        ("登记机关", registered.get("DJ_DJJG")),
        ("营业期限", term),
        ("所在省份", found.province),
        ("地区", found.region),
        ("住所", found.address),
        ("经营范围", found.business_scope),
    ]
    return tuple(Entry(label, _text(value)) for label, value in pairs if _text(value))


def _value(spec_field: Any, data: dict[str, Any]) -> str:
    raw = data.get(spec_field.code)
    return shown_date(raw) if spec_field.type == "date" else _text(raw)


def _mark(mark: dict[str, Any] | None, objection_mark: bool) -> str:
    if not mark or (mark["code"] == "objection" and not objection_mark):
        return ""
    return f"{mark['zh']}（{mark['since']} 起）" if mark.get("since") else str(mark["zh"])


def _summary_line(group: str, section: Section, line: layout.DatasetLine) -> SummaryLine:
    count = len(section.items)
    if line.kind == "listed":
        value = f"已列入（{count} 条）" if count else "未列入"
    else:
        value = f"有 {count} 条" if count else "无"
    return SummaryLine(group, section.title, value, bool(count) and line.tone == "negative")


def build(
    conn: sa.Connection,
    catalog: Catalog,
    code: str,
    as_of: date,
    *,
    issuer: str = "",
    platform: str = "",
    sections_file: Path | None = None,
    objection_mark: bool = True,
) -> ReportContent:
    """The report of the subject with ``code`` as the public may see it on ``as_of``: the
    summary (信用概况), the basics, then every public dataset in 信用中国's order. A record
    a workflow has marked opens with its mark (异议处理中 while an objection is pending, as
    the portal and the API show it; ``objection_mark=False`` leaves that one out)."""
    found = profiles.profile(conn, catalog, code, audience=AUDIENCE, as_of=as_of)
    shown = profiles.visible_records(conn, catalog, code, audience=AUDIENCE, as_of=as_of)
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for record in shown:
        by_dataset.setdefault(record["dataset"], []).append(record)
    registered: dict[str, Any] = next(iter(by_dataset.get("registration", [])), {"data": {}})[
        "data"
    ]
    public = [
        spec.code
        for spec in catalog
        # registration data is the basics above; non-public datasets never reach the public
        if spec.subject_role != "registration" and spec.publicity_scope == "社会公开"
    ]
    sections, summary = [], []
    for group, line in layout.load(sections_file).place(public):
        spec = catalog.get(line.code)
        items = []
        for record in by_dataset.get(spec.code, []):
            values = ((f.name, _value(f, record["data"])) for f in spec.fields)
            entries = tuple(Entry(name, value) for name, value in values if value)
            shown_mark = _mark(record.get("mark"), objection_mark)
            if shown_mark:
                entries = (Entry(MARK_LABEL, shown_mark), *entries)
            event = record["event_date"]
            items.append(Item(event.isoformat() if event else None, entries))
        section = Section(spec.code, spec.name, tuple(items), group)
        sections.append(section)
        summary.append(_summary_line(group, section, line))
    canonical = found.uscc or found.reg_no or profiles.parse_code(code)[1]
    return ReportContent(
        report_number(canonical, as_of), as_of, canonical, found.name,
        _basics(found, registered), tuple(sections), tuple(summary), issuer, platform,
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
    sections = [{k: s[k] for k in ("dataset", "title", "items")} for s in data["sections"]]
    shown = {"basics": data["basics"], "sections": sections}
    return hashlib.sha256(canonical_json(shown).encode()).hexdigest()
