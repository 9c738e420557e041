"""The visibility gate: whether a record may be shown to an audience at a moment, and in what
form. Every read path (pages, JSON API, reports, open data, exchange) asks here; no other code
filters by publicity or masks personal data.

Public: only datasets whose 公开范围 is 社会公开, only within the record's window (a penalty's
publicity window, a licence's validity, a listing's listed period), never a withdrawn record,
never a natural person's record unless configured, and personal identifiers masked.
Departments: 社会公开 and 政务共享 datasets, withdrawn records excepted. The credit centre: all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from gongxin.catalog.model import DatasetSpec, Visibility
from gongxin.ids import ric
from gongxin.intake.values import LONG_TERM
from gongxin.records import regimes
from gongxin.records.publicity import PenaltyFacts, publicity

NATURAL_PERSON = "自然人"


class Audience(StrEnum):
    PUBLIC = "public"
    DEPARTMENT = "department"
    CENTRE = "centre"


@dataclass(frozen=True)
class Decision:
    visible: bool
    zh: str
    en: str
    until: date | None = None  # the last day it stays visible, when known


def _date(data: dict[str, Any], code: str | None) -> date | None:
    value = data.get(code) if code else None
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _hidden(zh: str, en: str) -> Decision:
    return Decision(False, zh, en)


def decide(spec: DatasetSpec, data: dict[str, Any], audience: Audience, as_of: date) -> Decision:
    """Whether ``audience`` may see this record of ``spec`` on ``as_of``."""
    if audience is Audience.CENTRE:
        return Decision(True, "信用中心可见全部记录", "the credit centre sees every record")
    rule = spec.visibility
    status = data.get(rule.status) if rule.status else None
    if status is not None and status in rule.withdrawn_values:
        return _hidden(f"记录状态为“{status}”，已撤回", f"withdrawn (status {status})")
    if audience is Audience.DEPARTMENT:
        if spec.publicity_scope == "授权查询":
            return _hidden("授权查询的信息须经主体授权", "shared only with the subject's consent")
        return Decision(True, "政务共享", "shared with government departments")
    if spec.publicity_scope != "社会公开":
        return _hidden(f"公开范围为{spec.publicity_scope}，不向社会公开", "not public data")
    _, selection = regimes.load()
    if (
        rule.person_category
        and data.get(rule.person_category) == NATURAL_PERSON
        and not selection.publish_natural_persons
    ):
        return _hidden("自然人信息不向社会公开", "natural persons' records are not public")
    if rule.kind == "always":
        return Decision(True, "公开信息", "public record")
    start = _date(data, rule.start)
    if start is not None and as_of < start:
        return _hidden(f"{start.isoformat()} 起公示", f"public from {start.isoformat()}")
    if rule.kind == "penalty":
        return _penalty(rule, data, start, as_of)
    end = _date(data, rule.end)
    removed = _date(data, rule.removed) if rule.kind == "listing" else None
    if removed is not None and removed <= as_of:
        return _hidden(f"已于 {removed.isoformat()} 移出名单", f"removed on {removed.isoformat()}")
    if end is not None and end != LONG_TERM and end < as_of:
        return _hidden(f"已于 {end.isoformat()} 到期", f"expired on {end.isoformat()}")
    shown_end = "长期" if end == LONG_TERM else (end.isoformat() if end else "长期")
    return Decision(
        True,
        f"有效期至{shown_end}",
        f"valid until {shown_end}",
        None if end in (None, LONG_TERM) else end,
    )


def _penalty(rule: Visibility, data: dict[str, Any], start: date | None, as_of: date) -> Decision:
    if start is None:
        return _hidden("缺少处罚决定日期，无法确定公示期", "no decision date: window unknown")
    _, selection = regimes.load()
    cats = data.get(rule.categories) if rule.categories else None
    name = str(data.get(rule.authority) or "") if rule.authority else ""
    severity = data.get(rule.severity) if rule.severity else None
    sector = data.get(rule.sector) if rule.sector else None
    facts = PenaltyFacts(
        decision_date=start,
        categories=tuple(cats) if isinstance(cats, list) else ((cats,) if cats else ()),
        severity=severity if isinstance(severity, str) else None,
        sector=sector if isinstance(sector, str) else None,
        fine_wan=_decimal(data.get(rule.fine)) if rule.fine else None,
        market_regulation=any(m in name for m in selection.market_regulation_authorities),
    )
    window = publicity(facts)
    if not window.published:
        return _hidden(window.zh, window.en)
    if not window.public_on(as_of):
        end = window.end.isoformat() if window.end else ""
        return _hidden(f"公示期已于 {end} 届满；{window.zh}", f"publicity ended {end}; {window.en}")
    return Decision(True, window.zh, window.en, window.end)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def mask_person_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname stays, the given name is hidden."""
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_id_number(number: str) -> str:
    if ric.is_valid(number):
        return ric.mask(number)
    keep = min(3, max(len(number) - 4, 0))
    return number[:keep] + "*" * (len(number) - keep)


def masked(spec: DatasetSpec, data: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """The record as ``audience`` may read it: personal data masked for the public."""
    if audience is not Audience.PUBLIC:
        return dict(data)
    out = dict(data)
    for f in (f for _, fields in spec.layouts() for f in fields):  # legacy layouts too
        value = out.get(f.code)
        if f.mask is None or not isinstance(value, str) or not value:
            continue
        out[f.code] = mask_person_name(value) if f.mask == "person_name" else mask_id_number(value)
    return out


def view(
    spec: DatasetSpec, data: dict[str, Any], audience: Audience, as_of: date
) -> dict[str, Any] | None:
    """The record as shown to ``audience`` on ``as_of``, or None when it may not be shown."""
    return masked(spec, data, audience) if decide(spec, data, audience, as_of).visible else None
