"""The visibility gate and publicity windows as first written, record by record: the plain
reading of the rules the fast path (gongxin.records.gate / publicity) must agree with exactly.
A copy kept for tests; when the rules change, change both, and test_fast_gate compares them."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gongxin.catalog.model import DatasetSpec, Visibility
from gongxin.clock import LONG_TERM
from gongxin.records import regimes
from gongxin.records.gate import (
    NATURAL_PERSON,
    Audience,
    Decision,
)
from gongxin.records.masks import mask_id_number, mask_person_name
from gongxin.records.publicity import PenaltyFacts, Publicity
from gongxin.records.regimes import Regime, Selection, load


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


def masked(spec: DatasetSpec, data: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """The record as ``audience`` may read it: personal data masked for the public."""
    if audience is not Audience.PUBLIC:
        return dict(data)
    out = dict(data)
    done: set[str] = set()
    name_field = spec.subject_keys.name
    category = data.get(spec.subject_keys.category or "")
    operators = [
        data.get(f.code) for _, fields in spec.layouts() for f in fields if f.mask == "person_name"
    ]
    name = out.get(name_field or "")
    if name_field and isinstance(name, str) and name and category == "个体工商户":
        plain = name.strip()
        if plain in [o.strip() for o in operators if isinstance(o, str)] or (
            len(plain) in (2, 3) and all("\u4e00" <= c <= "\u9fff" for c in plain)
        ):
            out[name_field] = mask_person_name(name)
    for f in (f for _, fields in spec.layouts() for f in fields):  # legacy layouts too
        value = out.get(f.code)
        if f.mask is None or f.code in done or not isinstance(value, str) or not value:
            continue
        done.add(f.code)  # a field in two layouts is masked once
        if f.mask == "hidden":  # kept only as a keyed hash: not shown at all
            out[f.code] = ""
        elif f.mask == "person_name":
            out[f.code] = mask_person_name(value)
        else:
            out[f.code] = mask_id_number(value)
    return out


def view(
    spec: DatasetSpec, data: dict[str, Any], audience: Audience, as_of: date
) -> dict[str, Any] | None:
    """The record as shown to ``audience`` on ``as_of``, or None when it may not be shown."""
    return masked(spec, data, audience) if decide(spec, data, audience, as_of).visible else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def choose(facts: PenaltyFacts, regimes: dict[str, Regime], selection: Selection) -> Regime:
    """The regime that governs a penalty."""
    if facts.market_regulation:
        samr = regimes[selection.market_regulation]
        if samr.in_force(facts.decision_date):
            return samr
    for key in selection.prefer:
        if regimes[key].in_force(facts.decision_date):
            return regimes[key]
    # decided before every regime on file: the oldest one is the nearest rule
    return min(regimes.values(), key=lambda r: r.effective_from)


def publicity(facts: PenaltyFacts) -> Publicity:
    regimes, selection = load()
    regime = choose(facts, regimes, selection)
    return window_of(facts, regime, selection.default_severity)


def window_of(facts: PenaltyFacts, regime: Regime, default_severity: str) -> Publicity:
    severity = facts.severity or default_severity
    start = facts.decision_date
    cats = set(facts.categories)
    base, found = regime.window(severity, default_severity)
    reasons: list[tuple[str, str]] = [(f"依据{regime.title}", f"under {regime.key}")]
    if found not in (severity, "*"):
        reasons.append(
            (
                f"该规定未设“{severity}”等级，按“{found}”确定期限",
                f"{regime.key} has no level {severity}: treated as {found}",
            )
        )
    if cats and regime.not_published_when_only and cats <= set(regime.not_published_when_only):
        return Publicity(
            regime.key,
            False,
            start,
            None,
            None,
            False,
            f"依据{regime.title}，仅警告的处罚不公示",
            f"{regime.key}: a warning alone is not published",
        )
    min_months, max_months = base.min_months, base.max_months
    short = regime.short
    if short and _is_short(cats, facts.fine_wan, short.categories, short.low_fine_max_wan):
        max_months = short.max_months
        reasons.append(("通报批评或较低数额罚款，公示期较短", "public criticism or a low fine"))
    for rule in regime.sector_minimums:
        if facts.sector in rule.sectors:
            min_months = max(min_months or 0, rule.min_months)
            reasons.append(
                (
                    f"{facts.sector}领域最短公示期 {rule.min_months} 个月",
                    f"{facts.sector}: at least {rule.min_months} months",
                )
            )
    end = add_months(start, max_months) if max_months is not None else None
    if (
        facts.restriction_until
        and cats & set(regime.restriction_categories)
        and (end is None or facts.restriction_until > end)
    ):
        end = facts.restriction_until
        reasons.append(("限制期长于公示期，公示至限制期满", "until the restriction ends"))
    earliest = add_months(start, min_months) if min_months is not None else start
    early_stop = not (cats & set(regime.never_early_stop))
    if not early_stop:
        reasons.append(("该处罚类别不得提前停止公示", "this penalty may not be unpublished early"))
    if base.may_be_unpublished:
        reasons.append(
            (
                "轻微失信信息可不公示，已报送的按此期限公示",
                "minor: may be left unpublished; if published, for this long",
            )
        )
    zh = "；".join(r[0] for r in reasons) + (f"；公示至 {end.isoformat()}" if end else "")
    en = "; ".join(r[1] for r in reasons) + (f"; public until {end.isoformat()}" if end else "")
    return Publicity(regime.key, True, start, earliest, end, early_stop, zh, en)


def _is_short(
    cats: set[str], fine: Decimal | None, short_cats: list[str], low_fine: Decimal | None
) -> bool:
    if not cats:
        return False
    lesser = set(short_cats) | ({"罚款"} if low_fine is not None else set())
    if not cats <= lesser | {"警告"}:
        return False  # a heavier penalty is part of the decision
    if "罚款" in cats:
        return low_fine is not None and fine is not None and fine <= low_fine
    return bool(cats & set(short_cats))
