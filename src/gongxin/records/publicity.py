"""How long a penalty is public: the window a regime gives it, as a pure function of its facts.

``publicity(facts)`` picks the regime (market-regulation penalties follow SAMR Order 45, others
the national regime in force on the decision date) and returns the window with an explanation
a person can read. The visibility gate asks it; nothing else decides publicity.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gongxin.records.regimes import Regime, Selection, load


@dataclass(frozen=True)
class PenaltyFacts:
    decision_date: date
    categories: tuple[str, ...]  # 处罚类别, several allowed
    severity: str | None = None  # 轻微 / 一般 / 严重; None: the selection's default
    sector: str | None = None  # e.g. 安全生产
    fine_wan: Decimal | None = None  # 罚款金额（万元）
    restriction_until: date | None = None  # end of a 限制从业 / 限制开展生产经营活动 period
    market_regulation: bool = False  # decided by a market-regulation authority (gsxt rules)


@dataclass(frozen=True)
class Publicity:
    regime: str
    published: bool
    start: date
    earliest_end: date | None  # repair may end publicity from this day on
    end: date | None  # publicity ends automatically on this day (None: no maximum)
    early_stop_allowed: bool
    zh: str
    en: str

    def public_on(self, day: date) -> bool:
        """Within the window on ``day`` (before ``end``), withdrawal and repair aside."""
        return self.published and self.start <= day and (self.end is None or day < self.end)


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
