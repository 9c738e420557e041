"""Statutory working days (调休 included) and China's calendar date."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin import clock


def test_the_date_is_chinas_not_utcs() -> None:
    assert clock.local_date(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
    assert clock.local_date(datetime(2026, 3, 1, 12, 0)) == date(2026, 3, 1)  # naive = UTC


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # 国庆节
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, 国庆调休
        (date(2026, 2, 14), True),  # a Saturday made a working day (春节调休)
        (date(2026, 2, 17), False),  # 春节
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2026, 11, 22), False),  # an ordinary Sunday
    ],
)
def test_working_days_follow_the_published_arrangement(day: date, working: bool) -> None:
    assert clock.is_working_day(day) is working


def test_seven_working_days_skip_the_national_day_holiday() -> None:
    # decided on the last working day before 国庆: 1–7 October are holidays and Saturday
    # 10 October is a make-up working day, so the 7th working day is Thursday 15 October
    assert clock.is_working_day(date(2026, 10, 10)) is True
    assert clock.add_working_days(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert clock.working_days_between(date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert clock.working_days_between(date(2026, 10, 16), date(2026, 9, 30)) == 0
    assert clock.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    with pytest.raises(ValueError):
        clock.add_working_days(date(2026, 11, 23), -1)


def test_a_year_without_data_counts_weekdays_and_says_so() -> None:
    clock.calendar_covers.cache_clear()
    with structlog.testing.capture_logs() as logs:
        assert clock.is_working_day(date(2099, 1, 1)) is True  # a Thursday
        assert clock.is_working_day(date(2099, 1, 3)) is False  # a Saturday
        clock.is_working_day(date(2099, 1, 5))
    warned = [e for e in logs if e["event"] == "calendar.year_unknown"]
    assert len(warned) == 1 and warned[0]["year"] == 2099  # once per year, not per day


def _counted_day_by_day(start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += clock.is_working_day(day)
    return count


# the published years (调休 included), the years past them and a little before the index
DAYS = st.dates(min_value=date(1998, 1, 1), max_value=clock.last_indexed_day() + timedelta(400))
NEAR = st.integers(min_value=-40, max_value=400)


@settings(max_examples=300, deadline=None)
@given(DAYS, NEAR)
def test_working_days_between_is_the_day_by_day_count(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert clock.working_days_between(start, end) == _counted_day_by_day(start, end)


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=60))
def test_add_working_days_lands_on_the_nth_working_day(start: date, n: int) -> None:
    found = clock.add_working_days(start, n)
    assert _counted_day_by_day(start, found) == n
    assert n == 0 or clock.is_working_day(found)
    assert n == 0 or _counted_day_by_day(start, found - timedelta(days=1)) == n - 1


def test_working_days_between_counts_tiaoxiu_and_years_past_the_data() -> None:
    # 2026-02-14 (Saturday) is a 春节 make-up working day; 2026-02-15..23 are holidays
    assert clock.working_days_between(date(2026, 2, 13), date(2026, 2, 14)) == 1
    assert clock.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0
    # far apart: one lookup, past the last published year and past the index itself
    far = clock.last_indexed_day() + timedelta(days=3650)
    assert clock.working_days_between(date(2010, 1, 1), far) == _counted_day_by_day(
        date(2010, 1, 1), far
    )


def test_counting_working_days_does_not_walk_the_days() -> None:
    clock.working_days_between(date(2001, 1, 1), date(2040, 1, 1))  # the index, built once
    started = time.perf_counter()
    for i in range(20_000):
        clock.working_days_between(date(2001, 1, 1) + timedelta(days=i % 300), date(2040, 1, 1))
    assert time.perf_counter() - started < 1.0  # day by day: 20,000 × 14,000 days, minutes
