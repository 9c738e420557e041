"""Publicity windows by regime, from the period table of the domain rules (section 2.2 and 3.1
of publicity_and_repair.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.records import regimes
from gongxin.records.publicity import PenaltyFacts, add_months, choose, publicity, window_of


def facts(day: date, *cats: str, **kw: object) -> PenaltyFacts:
    return PenaltyFacts(day, cats or ("罚款",), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("decided", "severity", "regime", "earliest", "end"),
    [
        (date(2020, 3, 10), "一般", "NDRC_2019", date(2020, 6, 10), date(2021, 3, 10)),
        (date(2020, 3, 10), "严重", "NDRC_2019", date(2020, 9, 10), date(2023, 3, 10)),
        (date(2024, 1, 31), "一般", "NDRC_2023", date(2024, 4, 30), date(2027, 1, 31)),
        (date(2025, 8, 1), "严重", "GB2025", date(2026, 8, 1), date(2028, 8, 1)),  # overlap
        (date(2025, 8, 1), "一般", "GB2025", date(2025, 11, 1), date(2026, 8, 1)),
        (date(2026, 5, 6), "严重", "ORDER36", date(2027, 5, 6), date(2029, 5, 6)),
    ],
)
def test_national_regimes_by_decision_date_and_severity(
    decided: date, severity: str, regime: str, earliest: date, end: date
) -> None:
    got = publicity(facts(decided, severity=severity))
    assert (got.regime, got.earliest_end, got.end) == (regime, earliest, end)
    assert got.published and got.early_stop_allowed
    assert got.zh and got.en


def test_minor_failures_are_public_at_most_three_months_and_may_stay_unpublished() -> None:
    got = publicity(facts(date(2025, 9, 1), severity="轻微"))
    assert (got.regime, got.end) == ("GB2025", date(2025, 12, 1))
    assert "可不公示" in got.zh


def test_sector_minimum_under_order_58() -> None:
    got = publicity(facts(date(2024, 3, 1), sector="安全生产"))
    assert (got.earliest_end, got.end) == (date(2025, 3, 1), date(2027, 3, 1))
    assert "安全生产" in got.zh


def test_market_regulation_follows_samr_order_45() -> None:
    heavy = publicity(facts(date(2024, 5, 1), "罚款", "没收违法所得", market_regulation=True))
    assert (heavy.regime, heavy.end) == ("SAMR_45", date(2027, 5, 1))
    warning = publicity(facts(date(2024, 5, 1), "警告", market_regulation=True))
    assert warning.published is False and "警告" in warning.zh
    criticism = publicity(facts(date(2024, 5, 1), "通报批评", market_regulation=True))
    assert criticism.end == date(2024, 8, 1)


def test_a_low_fine_is_short_only_where_the_province_set_its_threshold() -> None:
    samr = regimes.load()[0]["SAMR_45"]
    low = facts(date(2024, 5, 1), "罚款", fine_wan=Decimal("0.5"), market_regulation=True)
    assert window_of(low, samr, "一般").end == date(2027, 5, 1)  # threshold unset: 3 years
    assert samr.short is not None
    provincial = samr.model_copy(
        update={"short": samr.short.model_copy(update={"low_fine_max_wan": Decimal(1)})}
    )
    assert window_of(low, provincial, "一般").end == date(2024, 8, 1)
    high = facts(date(2024, 5, 1), "罚款", fine_wan=Decimal(5), market_regulation=True)
    assert window_of(high, provincial, "一般").end == date(2027, 5, 1)


def test_a_longer_restriction_lengthens_publicity_and_blocks_early_stop() -> None:
    got = publicity(
        facts(
            date(2022, 1, 10),
            "限制从业",
            restriction_until=date(2027, 1, 10),
            market_regulation=True,
        )
    )
    assert got.end == date(2027, 1, 10)
    assert got.early_stop_allowed is False
    assert "不得提前停止" in got.zh


def test_before_every_regime_the_oldest_applies() -> None:
    regs, selection = regimes.load()
    assert choose(facts(date(2018, 1, 1)), regs, selection).key == "NDRC_2019"


def test_every_regime_is_data_with_its_basis_and_confidence() -> None:
    regs, selection = regimes.load()
    assert {"NDRC_2019", "NDRC_2023", "GB2025", "ORDER36", "SAMR_45"} <= regs.keys()
    assert all(r.basis and r.title for r in regs.values())
    assert regs["ORDER36"].confidence == "unverified"  # ⚪ in the rules: configurable, flagged
    assert selection.prefer[0] == "ORDER36"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 120))
def test_add_months_lands_in_the_right_month_never_past_its_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day  # clamped to the month's last day


@given(st.dates(min_value=date(2019, 7, 1), max_value=date(2030, 12, 31)),
       st.sampled_from(["轻微", "一般", "严重"]), st.booleans())  # fmt: skip
def test_a_window_never_ends_before_it_may_end_early(
    day: date, severity: str, market: bool
) -> None:
    got = publicity(facts(day, severity=severity, market_regulation=market))
    assert got.start == day
    assert got.earliest_end is not None
    if got.end is not None:
        assert got.start <= got.earliest_end <= got.end
        assert got.public_on(day) and not got.public_on(got.end)


def test_a_severity_the_regime_does_not_know_falls_back_and_says_so() -> None:
    got = publicity(facts(date(2020, 3, 10), severity="轻微"))  # 527号 had no 轻微 level
    assert (got.regime, got.end) == ("NDRC_2019", date(2021, 3, 10))
    assert "未设“轻微”等级" in got.zh and "no level 轻微" in got.en


@settings(max_examples=200)
@given(
    decided=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    as_of=st.dates(min_value=date(2000, 1, 1), max_value=date(2070, 12, 31)),
    min_months=st.one_of(st.none(), st.integers(0, 24)),
    extra=st.integers(0, 60),
    unbounded=st.booleans(),
    cats=st.lists(
        st.sampled_from(["警告", "通报批评", "罚款", "限制从业"]), min_size=1, max_size=3
    ),
)
def test_any_regime_gives_a_window_that_holds_together(
    decided: date,
    as_of: date,
    min_months: int | None,
    extra: int,
    unbounded: bool,
    cats: list[str],
) -> None:
    """Regimes are data: whatever windows a deployment configures, a record is public exactly
    from its decision until its end, and never ends before it may end early."""
    max_months = None if unbounded else (min_months or 0) + extra
    regime = regimes.Regime(
        key="LOCAL_TEST", title="地方规定", basis="测试", effective_from=date(2000, 1, 1),
        confidence="unverified",
        windows={"*": regimes.Window(min_months=min_months, max_months=max_months)},
    )  # fmt: skip
    got = window_of(PenaltyFacts(decided, tuple(cats)), regime, "一般")
    assert got.published and got.start == decided
    assert got.earliest_end is not None and decided <= got.earliest_end
    if got.end is None:
        assert max_months is None and got.public_on(as_of) == (decided <= as_of)
    else:
        assert got.earliest_end <= got.end == add_months(decided, max_months or 0)
        assert got.public_on(as_of) == (decided <= as_of < got.end)
