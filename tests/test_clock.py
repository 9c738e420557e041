"""Statutory working days (调休 included) and China's calendar date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import structlog

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
