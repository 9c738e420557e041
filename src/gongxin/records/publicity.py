"""How long a penalty is public: the window a regime gives it, as a pure function of its facts.

``publicity(facts)`` picks the regime (market-regulation penalties follow SAMR Order 45, others
the national regime in force on the decision date) and returns the window with an explanation
a person can read. The visibility gate asks it; nothing else decides publicity.

Fast for bulk use: everything that does not depend on the decision date (the regime's window
for a severity, categories and sector, and the explanation) is worked out once per kind of
penalty and kept (:class:`_Shape`); the regime in force on a day is kept per day
(:class:`Windows`). Regimes are data loaded once and never changed in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gongxin.records.regimes import Regime, Selection, Window, load

CACHE_LIMIT = 4096  # kinds of penalty (or days, authorities) kept before a cache starts afresh
WINDOWS_KEPT = 65536  # windows (a kind of penalty on a day) kept before starting afresh


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


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day <= 28:  # every month has it
        return date(year, month, day.day)
    last = _MONTH_DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return date(year, month, min(day.day, last))


def choose(facts: PenaltyFacts, regimes: dict[str, Regime], selection: Selection) -> Regime:
    """The regime that governs a penalty."""
    return _choose(facts.market_regulation, facts.decision_date, regimes, selection)


def _choose(
    market_regulation: bool, day: date, regimes: dict[str, Regime], selection: Selection
) -> Regime:
    if market_regulation:
        samr = regimes[selection.market_regulation]
        if samr.in_force(day):
            return samr
    for key in selection.prefer:
        if regimes[key].in_force(day):
            return regimes[key]
    # decided before every regime on file: the oldest one is the nearest rule
    return min(regimes.values(), key=lambda r: r.effective_from)


class Windows:
    """Publicity under one set of regimes and their selection, for many penalties: the regime
    in force on a day and whether an authority is a market-regulation one are kept."""

    def __init__(self, regimes: dict[str, Regime], selection: Selection) -> None:
        self.regimes = regimes
        self.selection = selection
        self._by_day: dict[tuple[bool, date], Regime] = {}
        self._market: dict[str, bool] = {}

    def regime(self, market_regulation: bool, day: date) -> Regime:
        key = (market_regulation, day)
        found = self._by_day.get(key)
        if found is None:
            if len(self._by_day) >= CACHE_LIMIT:
                self._by_day.clear()
            found = _choose(market_regulation, day, self.regimes, self.selection)
            self._by_day[key] = found
        return found

    def market_regulation(self, authority: str) -> bool:
        """Whether the deciding authority's name marks a market-regulation penalty."""
        found = self._market.get(authority)
        if found is None:
            if len(self._market) >= CACHE_LIMIT:
                self._market.clear()
            marks = self.selection.market_regulation_authorities
            found = any(m in authority for m in marks)
            self._market[authority] = found
        return found

    def window(self, facts: PenaltyFacts) -> Publicity:
        return self.penalty(
            facts.decision_date,
            facts.categories,
            facts.severity,
            facts.sector,
            facts.fine_wan,
            facts.market_regulation,
            facts.restriction_until,
        )

    def penalty(
        self,
        decision_date: date,
        categories: tuple[str, ...],
        severity: str | None = None,
        sector: str | None = None,
        fine_wan: Decimal | None = None,
        market_regulation: bool = False,
        restriction_until: date | None = None,
    ) -> Publicity:
        """``window(PenaltyFacts(...))`` without building the facts: for bulk reads."""
        regime = self.regime(market_regulation, decision_date)
        default = self.selection.default_severity
        shape = _shape(regime, severity, default, categories, sector)
        return _window(shape, decision_date, fine_wan, restriction_until)


_windows: Windows | None = None


def windows() -> Windows:
    """The packaged regimes' :class:`Windows` (a cheap call: built once per load)."""
    global _windows
    regimes, selection = load()
    found = _windows
    if found is None or found.regimes is not regimes or found.selection is not selection:
        found = _windows = Windows(regimes, selection)
    return found


def publicity(facts: PenaltyFacts) -> Publicity:
    return windows().window(facts)


def window_of(facts: PenaltyFacts, regime: Regime, default_severity: str) -> Publicity:
    shape = _shape(regime, facts.severity, default_severity, facts.categories, facts.sector)
    return _window(shape, facts.decision_date, facts.fine_wan, facts.restriction_until)


_windows_kept: dict[tuple[_Shape, date, bool, date | None], Publicity] = {}


def _window(shape: _Shape, start: date, fine: Decimal | None, until: date | None) -> Publicity:
    """The window of a penalty of this shape decided on ``start`` (kept: windows are immutable
    and penalties of one kind decided on one day share theirs)."""
    short, low = shape.short, shape.low_fine
    if short is None:  # a fine at most the low-fine threshold
        short = fine is not None and low is not None and fine <= low
    key = (shape, start, short, until)
    found = _windows_kept.get(key)
    if found is None:
        if len(_windows_kept) >= WINDOWS_KEPT:
            _windows_kept.clear()
        found = _windows_kept[key] = _dated(shape, start, short, until)
    return found


def _dated(shape: _Shape, start: date, short: bool, until: date | None) -> Publicity:
    regime = shape.regime
    if shape.unpublished is not None:
        zh, en = shape.unpublished
        return Publicity(regime.key, False, start, None, None, False, zh, en)
    plan = shape.brief if short and shape.brief is not None else shape.full
    end = add_months(start, plan.max_months) if plan.max_months is not None else None
    if until and plan.restriction and (end is None or until > end):
        end = until
        zh, en = plan.zh_restricted, plan.en_restricted
    else:
        zh, en = plan.zh, plan.en
    earliest = add_months(start, plan.min_months) if plan.min_months is not None else start
    if end:
        iso = end.isoformat()
        zh, en = f"{zh}；公示至 {iso}", f"{en}; public until {iso}"
    return Publicity(regime.key, True, start, earliest, end, plan.early_stop, zh, en)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A window without its decision date: months, and the explanation up to its end date."""

    min_months: int | None
    max_months: int | None
    restriction: bool  # a longer restriction of these categories lengthens publicity
    early_stop: bool
    zh: str
    en: str
    zh_restricted: str  # the explanation when the restriction lengthened publicity
    en_restricted: str


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class _Shape:
    """A regime's window for one kind of penalty (severity, categories, sector)."""

    regime: Regime
    unpublished: tuple[str, str] | None  # (zh, en) when the penalty is never published
    short: bool | None  # the short window applies; None: only with a fine at most low_fine
    low_fine: Decimal | None
    full: _Plan
    brief: _Plan | None  # the short window's plan, when it may apply


_shapes: dict[tuple[int, str | None, str, tuple[str, ...], str | None], _Shape] = {}


def _shape(
    regime: Regime, severity: str | None, default: str, cats: tuple[str, ...], sector: str | None
) -> _Shape:
    key = (id(regime), severity, default, cats, sector)
    found = _shapes.get(key)
    if found is None or found.regime is not regime:
        if len(_shapes) >= CACHE_LIMIT:
            _shapes.clear()
        found = _shapes[key] = _build_shape(regime, severity or default, default, set(cats), sector)
    return found


def _build_shape(
    regime: Regime, severity: str, default: str, cats: set[str], sector: str | None
) -> _Shape:
    base, found = regime.window(severity, default)
    reasons: list[tuple[str, str]] = [(f"依据{regime.title}", f"under {regime.key}")]
    if found not in (severity, "*"):
        reasons.append(
            (
                f"该规定未设“{severity}”等级，按“{found}”确定期限",
                f"{regime.key} has no level {severity}: treated as {found}",
            )
        )
    full = _plan(regime, base, reasons, cats, sector, short=False)
    if cats and regime.not_published_when_only and cats <= set(regime.not_published_when_only):
        text = (
            f"依据{regime.title}，仅警告的处罚不公示",
            f"{regime.key}: a warning alone is not published",
        )
        return _Shape(regime, text, False, None, full, None)
    rule = regime.short
    short = _short(cats, rule.categories, rule.low_fine_max_wan) if rule else False
    brief = _plan(regime, base, reasons, cats, sector, short=True) if short is not False else None
    return _Shape(regime, None, short, rule.low_fine_max_wan if rule else None, full, brief)


def _plan(
    regime: Regime,
    base: Window,
    head: list[tuple[str, str]],
    cats: set[str],
    sector: str | None,
    short: bool,
) -> _Plan:
    reasons = list(head)
    min_months, max_months = base.min_months, base.max_months
    if short and regime.short:
        max_months = regime.short.max_months
        reasons.append(("通报批评或较低数额罚款，公示期较短", "public criticism or a low fine"))
    for rule in regime.sector_minimums:
        if sector in rule.sectors:
            min_months = max(min_months or 0, rule.min_months)
            reasons.append(
                (
                    f"{sector}领域最短公示期 {rule.min_months} 个月",
                    f"{sector}: at least {rule.min_months} months",
                )
            )
    restricted = [*reasons, ("限制期长于公示期，公示至限制期满", "until the restriction ends")]
    early_stop = not (cats & set(regime.never_early_stop))
    tail: list[tuple[str, str]] = []
    if not early_stop:
        tail.append(("该处罚类别不得提前停止公示", "this penalty may not be unpublished early"))
    if base.may_be_unpublished:
        tail.append(
            (
                "轻微失信信息可不公示，已报送的按此期限公示",
                "minor: may be left unpublished; if published, for this long",
            )
        )
    return _Plan(
        min_months,
        max_months,
        bool(cats & set(regime.restriction_categories)),
        early_stop,
        "；".join(r[0] for r in [*reasons, *tail]),
        "; ".join(r[1] for r in [*reasons, *tail]),
        "；".join(r[0] for r in [*restricted, *tail]),
        "; ".join(r[1] for r in [*restricted, *tail]),
    )


def _short(cats: set[str], short_cats: list[str], low_fine: Decimal | None) -> bool | None:
    """Whether the short window applies to these categories: True, False, or None when it
    depends on the fine (at most ``low_fine``)."""
    if not cats:
        return False
    lesser = set(short_cats) | ({"罚款"} if low_fine is not None else set())
    if not cats <= lesser | {"警告"}:
        return False  # a heavier penalty is part of the decision
    if "罚款" in cats:
        return None if low_fine is not None else False
    return bool(cats & set(short_cats))
